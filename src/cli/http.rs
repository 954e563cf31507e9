//! The CLI's HTTP client, shared by `--data URL` (src/cli/source.rs) and MLflow
//! tracking (src/cli/track.rs): ureq, speaking http:// and https:// (rustls with
//! ring). Trusted roots: Mozilla's (webpki roots) and, when the environment
//! variable `SSL_CERT_FILE` names a PEM file, its certificates too (the
//! OpenSSL/curl variable; how a company proxy's CA or a test's own CA is trusted).
//! A TLS failure becomes a sentence naming the URL and what to do ([`tls_problem`]).

use std::path::Path;
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// The variable naming a PEM file of extra root certificates.
pub const CERT_FILE_VAR: &str = "SSL_CERT_FILE";

/// An agent whose requests give up after `timeout` (whole request) and that
/// returns every answer, whatever its status (the callers read the status).
/// Fails only when `SSL_CERT_FILE` is set and unusable.
pub fn agent(timeout: Duration) -> Result<ureq::Agent, String> {
    let tls = TlsConfig::builder().root_certs(roots()?).build();
    let config = ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).tls_config(tls).build();
    Ok(config.into())
}

/// Mozilla's roots, plus `SSL_CERT_FILE`'s certificates when it is set (and not empty).
fn roots() -> Result<RootCerts, String> {
    let Some(path) = std::env::var_os(CERT_FILE_VAR).filter(|p| !p.is_empty()) else {
        return Ok(RootCerts::WebPki);
    };
    let extra = certificates_in(Path::new(&path))?;
    // The same Mozilla roots as `RootCerts::WebPki`, as certificates, so that
    // the file's certificates can be added to them.
    let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().map(|c| Certificate::from_der(c.as_ref()));
    Ok(RootCerts::from(mozilla.chain(extra)))
}

/// The certificates of a PEM file (private keys in it are skipped); an error names
/// the variable and the path.
fn certificates_in(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| format!("{CERT_FILE_VAR}={shown}: cannot read it ({e}); set {CERT_FILE_VAR} to a PEM file of CA certificates, or unset it"))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "{CERT_FILE_VAR}={shown}: it is not a readable PEM file ({e}); set {CERT_FILE_VAR} to a PEM file of CA certificates, or unset it"
                ))
            }
        }
    }
    if certs.is_empty() {
        return Err(format!(
            "{CERT_FILE_VAR}={shown}: no certificate in it (expected PEM blocks \"-----BEGIN CERTIFICATE-----\"); set {CERT_FILE_VAR} to a PEM file of CA certificates, or unset it"
        ));
    }
    Ok(certs)
}

/// The rustls error inside a ureq error, if any: ureq returns it directly or,
/// from the handshake, inside an I/O error.
fn rustls_error(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(r) => Some(r),
        ureq::Error::Io(io) => io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        _ => None,
    }
}

/// A sentence for a TLS failure (unknown CA, wrong host name, expired or not yet
/// valid certificate, failed handshake) naming the URL and what to do; `None`
/// when `e` is not a TLS failure.
pub fn tls_problem(url: &str, e: &ureq::Error) -> Option<String> {
    use rustls::CertificateError as C;
    let with_file = match std::env::var_os(CERT_FILE_VAR).filter(|p| !p.is_empty()) {
        Some(p) => format!(" (trusted now: the Mozilla roots and the certificates of {CERT_FILE_VAR}={})", Path::new(&p).display()),
        None => format!(" (trusted now: the Mozilla roots; {CERT_FILE_VAR} is not set)"),
    };
    let r = rustls_error(e)?;
    Some(match r {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => format!(
                "{url}: the server's TLS certificate is not signed by a trusted certificate authority{with_file}. If it comes from your organisation's or your own CA, set {CERT_FILE_VAR} to that CA's certificate (a PEM file) and try again"
            ),
            C::NotValidForNameContext { presented, .. } => {
                // rustls shows the names as `DnsName("host")` or `IpAddress(...)`.
                let names: Vec<&str> = presented.iter().map(|n| n.trim_start_matches("DnsName(\"").trim_end_matches("\")")).collect();
                format!("{url}: the server's TLS certificate is not valid for this host name (it is for: {}); use a name it is issued for", names.join(", "))
            }
            C::NotValidForName => format!("{url}: the server's TLS certificate is not valid for this host name; use a name it is issued for"),
            C::Expired | C::ExpiredContext { .. } => {
                format!("{url}: the server's TLS certificate has expired (or this machine's clock is wrong); the server must renew it")
            }
            C::NotValidYet | C::NotValidYetContext { .. } => {
                format!("{url}: the server's TLS certificate is not valid yet (or this machine's clock is wrong)")
            }
            other => format!("{url}: the server's TLS certificate was refused ({other:?}){with_file}"),
        },
        other => format!("{url}: the TLS connection failed ({other})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_certificate_file_names_the_variable_and_the_path() {
        let dir = std::env::temp_dir().join(format!("pipelab-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let e = certificates_in(&missing).unwrap_err();
        assert!(e.starts_with(&format!("SSL_CERT_FILE={}: cannot read it", missing.display())), "{e}");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = certificates_in(&empty).unwrap_err();
        assert!(e.starts_with(&format!("SSL_CERT_FILE={}: no certificate in it", empty.display())), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
