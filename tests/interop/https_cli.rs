//! `--data https://...` and `--mlflow https://...` (issue 18): a CA and a server
//! certificate for 127.0.0.1/localhost made with the `openssl` command at test time, a
//! node `https` server (tests/interop/https_server.mjs, started once) serving
//! tests/fixtures/formats, and the CLI trusting the CA through `SSL_CERT_FILE`; without
//! it, or with a bad one, a clear error and exit code 1.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const F: &str = "tests/fixtures/formats/";

/// Runs the CLI with `SSL_CERT_FILE` set to `cert_file`, or removed when `None`.
fn pipelab(cert_file: Option<&Path>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pipelab"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    match cert_file {
        Some(p) => cmd.env("SSL_CERT_FILE", p),
        None => cmd.env_remove("SSL_CERT_FILE"),
    };
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output();
    let out = out
        .unwrap_or_else(|e| panic!("the `openssl` command is needed to make this test's certificates (apt-get install openssl; scripts/setup.sh does): {e}"));
    assert!(out.status.success(), "openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

/// A CA (ca.pem) and a certificate it signed for IP 127.0.0.1 and DNS localhost
/// (server.pem, key server.key), in `dir`. EC P-256 keys: quick to make.
fn make_certificates(dir: &Path) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=pipelab test CA"]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend(["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
}

/// The https server; killed when dropped (panics included), and it also exits when
/// its stdin, held here, closes.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/https_server.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .arg(dir.join("server.key"))
            .arg(dir.join("server.pem"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(F))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node is needed for this test's https server");
        let mut line = String::new();
        // Unwrap: stdout was piped just above.
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let Ok(port) = line.trim().parse() else {
            let _ = child.kill();
            panic!("the https server did not print its port (got {line:?})");
        };
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tmp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipelab-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn cli_reads_https_urls_trusting_ssl_cert_file() {
    let dir = tmp_dir();
    make_certificates(&dir);
    let server = Server::start(&dir);
    let base = format!("https://127.0.0.1:{}", server.port);
    let ca = dir.join("ca.pem");

    // (a) CSV and (b) Parquet over https, trusted through SSL_CERT_FILE: what the local files give.
    for (file, local) in [("iris.csv", "iris.csv"), ("titanic.parquet", "titanic.csv")] {
        let (code, want, err) = pipelab(None, &["profile", "--data", &format!("{F}{local}")]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = pipelab(Some(&ca), &["profile", "--data", &format!("{base}/{file}?v=1")]);
        assert_eq!((code, out.as_str()), (0, want.as_str()), "{file} over https: {err}");
    }
    // The name `localhost` is in the certificate too.
    let (code, _, err) = pipelab(Some(&ca), &["summary", "--data", &format!("https://localhost:{}/iris.csv", server.port)]);
    assert_eq!(code, 0, "https://localhost: {err}");

    // (c) Without SSL_CERT_FILE the test CA is unknown: a clear error, no panic.
    let url = format!("{base}/iris.csv");
    let (code, out, err) = pipelab(None, &["profile", "--data", &url]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!("{url}: the server's TLS certificate is not signed by a trusted certificate authority"))
            && err.contains("set SSL_CERT_FILE to that CA's certificate"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // (d) SSL_CERT_FILE naming a missing file, or a PEM file without a certificate.
    let missing = dir.join("missing.pem");
    let (code, _, err) = pipelab(Some(&missing), &["profile", "--data", &url]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("SSL_CERT_FILE={}: cannot read it", missing.display())), "{err}");
    let key = dir.join("server.key");
    let (code, _, err) = pipelab(Some(&key), &["profile", "--data", &url]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("SSL_CERT_FILE={}: no certificate in it", key.display())), "{err}");

    // MLflow tracking speaks https through the same client: unknown CA without the
    // variable; with it the TLS connection is made and the server's 404 (it is not MLflow) comes back.
    let spec = dir.join("spec.json");
    std::fs::write(&spec, crate::support::format_spec("iris")).unwrap();
    let spec = spec.to_string_lossy().into_owned();
    let cv = ["cv", "--data", &format!("{F}iris.csv"), "--spec", &spec, "--mlflow", &base, "--mlflow-required"];
    let (code, _, err) = pipelab(None, &cv);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the server's TLS certificate is not signed by a trusted certificate authority"), "{err}");
    let (code, _, err) = pipelab(Some(&ca), &cv);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("HTTP 404") && !err.contains("TLS"), "{err}");

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
