//! A small HTTP/1.1 load generator for `pipelab serve` (bench/serve_bench.sh).
//!
//! ```text
//! cargo run --release --example serve_load -- --addr 127.0.0.1:8080 --body body.json \
//!     [--content-type application/json] [--clients 8] [--requests 2000] [--warmup 50]
//! ```
//! Each client is a thread with one keep-alive connection sending the same
//! POST /invocations body back to back. Prints one JSON line: requests, errors
//! (any answer but 200, or a broken connection), requests/s, p50/p99/max latency in ms.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// Sends one request on `conn` and reads the answer; Ok(status).
fn one(w: &mut TcpStream, r: &mut BufReader<TcpStream>, req: &[u8]) -> std::io::Result<u16> {
    w.write_all(req)?;
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut len = 0usize;
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().map_err(|_| std::io::Error::other("bad content-length"))?;
            }
        }
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(status)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = arg(&args, "--addr").expect("--addr HOST:PORT");
    let body = std::fs::read(arg(&args, "--body").expect("--body FILE")).expect("readable --body");
    let ctype = arg(&args, "--content-type").unwrap_or_else(|| "application/json".into());
    let clients: usize = arg(&args, "--clients").map_or(1, |s| s.parse().expect("--clients N"));
    let total: usize = arg(&args, "--requests").map_or(1000, |s| s.parse().expect("--requests N"));
    let warmup: usize = arg(&args, "--warmup").map_or(20, |s| s.parse().expect("--warmup N"));
    let mut req = format!("POST /invocations HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    req.extend_from_slice(&body);
    let per = total.div_ceil(clients);
    let start = Instant::now();
    let results: Vec<(Vec<f64>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                let (addr, req) = (&addr, &req);
                s.spawn(move || {
                    let mut lat = Vec::with_capacity(per);
                    let mut errors = 0;
                    let connect = || -> std::io::Result<(TcpStream, BufReader<TcpStream>)> {
                        let c = TcpStream::connect(addr)?;
                        c.set_nodelay(true)?;
                        c.set_read_timeout(Some(Duration::from_secs(120)))?;
                        Ok((c.try_clone()?, BufReader::new(c)))
                    };
                    let mut conn = connect().ok();
                    for k in 0..warmup + per {
                        let t = Instant::now();
                        let ok = match conn.as_mut() {
                            Some((w, r)) => matches!(one(w, r, req), Ok(200)),
                            None => false,
                        };
                        if !ok {
                            conn = connect().ok();
                        }
                        if k >= warmup {
                            lat.push(t.elapsed().as_secs_f64() * 1000.0);
                            errors += (!ok) as usize;
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("client thread")).collect()
    });
    let wall = start.elapsed().as_secs_f64();
    let mut lat: Vec<f64> = results.iter().flat_map(|r| r.0.iter().copied()).collect();
    let errors: usize = results.iter().map(|r| r.1).sum();
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    // Throughput over the whole run (the warm-up requests included in the count and the time).
    let n_all = clients * (per + warmup);
    println!(
        "{{\"clients\": {clients}, \"requests\": {}, \"errors\": {errors}, \"rps\": {:.1}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
        lat.len(),
        n_all as f64 / wall,
        q(0.5),
        q(0.99),
        lat[lat.len() - 1]
    );
}
