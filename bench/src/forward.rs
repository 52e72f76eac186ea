//! The forwarding figures of issue 26: `POST /v1/forward` through a vault pinned to core 0, to a
//! local HTTPS receiver that answers at once.
//!
//! - The receiver (`cardvault-bench receive …`, pinned to core 1) serves TLS on a loopback port
//!   with a certificate for `localhost` from a CA made here, by rcgen, for this run only; the
//!   vault trusts it through `--receiver-ca`, and nothing else does. It answers every request
//!   at once with a fixed JSON body and counts the TCP connections it accepted and the requests
//!   it answered (asked for over its standard input, so the asking opens no connection).
//! - The vault runs `serve --dev --receiver-ca CA.pem` (`--dev`: a loopback receiver is allowed)
//!   on a fresh data dir, with the bench merchant's receiver `bench` at
//!   `https://localhost:PORT/`: each forward resolves `localhost`, vets its addresses and (the
//!   first time, or when the pool has none idle) connects and handshakes, as for a processor.
//!   The tokens are made first (`POST /v1/tokens`), untimed.
//! - The load client (`cardvault-bench forward-load …`, on core 1 beside the receiver) sends a
//!   charge template (`{{card.number}}`, the expiry) through the vault, and the same request,
//!   filled as the vault fills it, straight to the receiver over TLS of its own.
//!
//! Two phases on the same vault: at concurrency 8, each worker alternates a forward and the
//! direct request (`forward_overhead_ms_p50`/`_p99`: the forward's percentile minus the direct
//! one's); then at concurrency 32, forwards only (`forward_rps`). `forward_new_conns_per_1000`
//! is the receiver's accepted connections, less the client's own direct ones, per 1,000
//! forwards it answered, over both phases.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::load::{Connection, percentile};
use crate::vault;

/// The receiver's name at the bench merchant.
const RECEIVER: &str = "bench";

/// Tokens made before the load, used in turn.
const TOKENS: usize = 64;

/// The receiver's answer: what a processor says of a charge, fixed.
const ANSWER_BODY: &str = r#"{"id":"ch_bench","object":"charge","status":"succeeded"}"#;

/// The merchant's template, and the path.
const PATH: &str = "/v1/charges";
const TEMPLATE: &str = r#"{"amount":4850,"currency":"eur","card":{"number":"{{card.number}}","exp_month":{{card.exp_month}},"exp_year":{{card.exp_year}}}}"#;

/// The envelopes' expiry (`vault::seal_many`).
const EXP: (u8, u16) = (12, 2030);

/// What the forward bench measured.
pub struct Figures {
    pub overhead_p50_ms: f64,
    pub overhead_p99_ms: f64,
    pub forward_p50_ms: f64,
    pub forward_p99_ms: f64,
    pub direct_p50_ms: f64,
    pub direct_p99_ms: f64,
    /// Latency of forwards alone at concurrency 32.
    pub rps_p50_ms: f64,
    pub rps_p99_ms: f64,
    pub rps: f64,
    pub new_conns_per_1000: f64,
    /// Forwards the receiver answered, and the connections the vault made to it.
    pub forwards: u64,
    pub vault_connections: u64,
    /// The vault's CPU per forward in the throughput phase (µs, warm-up included).
    pub vault_cpu_us: f64,
    pub errors: u64,
    pub first_error: Option<String>,
}

/// Where to run and for how long.
pub struct Options<'a> {
    pub server: &'a Path,
    pub out_dir: &'a Path,
    pub warmup: f64,
    pub window: f64,
    /// The overhead phase's concurrency (the issue's: 8).
    pub concurrency: usize,
}

/// Runs both phases and gives their figures.
pub fn measure(options: &Options<'_>) -> Result<Figures, String> {
    let dir = options.out_dir.join("forward");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("emptying {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let pki = Pki::write(&dir)?;
    let mut receiver = Receiver::start(&pki)?;
    println!(
        "    receiver on https://localhost:{}/ (core 1), its CA in {}",
        receiver.port,
        pki.ca.display()
    );

    let deployment = vault::Deployment::new(
        options.server,
        vault::Storage::DataDir(dir.join("vault")),
        dir.join("vault"),
    )?;
    let url = format!("https://localhost:{}/", receiver.port);
    deployment.admin(&[
        "receiver",
        "add",
        "--merchant",
        &deployment.merchant_id,
        "--name",
        RECEIVER,
        "--url",
        &url,
    ])?;
    let running = deployment.serve_with(
        1,
        Some(0),
        0,
        &[
            "--dev".as_ref(),
            "--receiver-ca".as_ref(),
            pki.ca.as_os_str(),
        ],
    )?;
    let tokens = make_tokens(&running, &deployment)?;
    let tokens_file = dir.join("tokens.txt");
    fs::write(&tokens_file, tokens.join("\n") + "\n")
        .map_err(|e| format!("writing {}: {e}", tokens_file.display()))?;
    println!("    {} tokens made (before timing)", tokens.len());

    let port = receiver.port;
    let run = |mode: &str, concurrency: usize| -> Result<Value, String> {
        let mut command = crate::pinned(1)?;
        command
            .arg("forward-load")
            .args(["--mode", mode])
            .args(["--vault", &running.addr.to_string()])
            .args(["--receiver", &port.to_string()])
            .arg("--ca")
            .arg(&pki.ca)
            .args(["--key", &deployment.secret_key])
            .arg("--tokens")
            .arg(&tokens_file)
            .args(["--concurrency", &concurrency.to_string()])
            .args(["--warmup", &options.warmup.to_string()])
            .args(["--window", &options.window.to_string()]);
        let out = crate::stdout_of(&mut command, "the forward load client")?;
        serde_json::from_str(out.trim())
            .map_err(|e| format!("the forward load client printed {out:?}: {e}"))
    };
    let before = receiver.counts()?;

    println!(
        "==> forward overhead: concurrency {}, each worker a forward then the direct request",
        options.concurrency
    );
    let overhead = run("overhead", options.concurrency)?;
    let f = Side::of(&overhead["forward"]);
    let d = Side::of(&overhead["direct"]);
    println!(
        "    forward p50 {:.3} ms p99 {:.3} ms ({} samples); direct p50 {:.3} ms p99 {:.3} ms ({} samples)",
        f.p50, f.p99, f.samples, d.p50, d.p99, d.samples
    );

    println!("==> forward_rps: vault on core 0, concurrency 32, forwards only");
    let cpu_before = crate::pg::cpu_ticks(running.pid()).unwrap_or(0);
    let throughput = run("rps", 32)?;
    let cpu_ticks = crate::pg::cpu_ticks(running.pid())
        .unwrap_or(0)
        .saturating_sub(cpu_before);
    let r = Side::of(&throughput["forward"]);
    let rps = r.ok_in_window as f64 / options.window;
    let sent = throughput["forward"]["requests"].as_u64().unwrap_or(0);
    let vault_cpu_us = cpu_ticks as f64 * 10_000.0 / sent.max(1) as f64;
    println!(
        "    {rps:.1} forwards/s, p50 {:.3} ms p99 {:.3} ms; CPU per forward: the vault {vault_cpu_us:.0} µs",
        r.p50, r.p99
    );

    let after = receiver.counts()?;
    drop(running);
    receiver.stop();
    let direct_requests = [&overhead, &throughput]
        .iter()
        .map(|v| v["direct"]["requests"].as_u64().unwrap_or(0))
        .sum::<u64>();
    let direct_connections = [&overhead, &throughput]
        .iter()
        .map(|v| v["direct_connections"].as_u64().unwrap_or(0))
        .sum::<u64>();
    let forwards = (after.requests - before.requests).saturating_sub(direct_requests);
    let vault_connections =
        (after.connections - before.connections).saturating_sub(direct_connections);
    let sent_forwards = [&overhead, &throughput]
        .iter()
        .map(|v| v["forward"]["requests"].as_u64().unwrap_or(0))
        .sum::<u64>();
    let mut errors = 0;
    let mut first_error = None;
    for v in [&overhead, &throughput] {
        errors += v["errors"].as_u64().unwrap_or(u64::MAX);
        if first_error.is_none() {
            first_error = v["first_error"].as_str().map(str::to_owned);
        }
    }
    // Each forward answered 200 reached the receiver once: more requests there than forwards
    // sent would mean one was sent twice.
    if forwards > sent_forwards {
        errors += 1;
        first_error.get_or_insert(format!(
            "the receiver answered {forwards} forwards, {sent_forwards} were sent"
        ));
    }
    let new_conns_per_1000 = vault_connections as f64 * 1000.0 / forwards.max(1) as f64;
    println!(
        "    the receiver: {vault_connections} connections from the vault for {forwards} forwards \
         ({new_conns_per_1000:.2} per 1,000), {direct_connections} direct ones"
    );
    Ok(Figures {
        overhead_p50_ms: f.p50 - d.p50,
        overhead_p99_ms: f.p99 - d.p99,
        forward_p50_ms: f.p50,
        forward_p99_ms: f.p99,
        direct_p50_ms: d.p50,
        direct_p99_ms: d.p99,
        rps_p50_ms: r.p50,
        rps_p99_ms: r.p99,
        rps,
        new_conns_per_1000,
        forwards,
        vault_connections,
        vault_cpu_us,
        errors,
        first_error,
    })
}

/// One side's figures from the load client's report.
struct Side {
    p50: f64,
    p99: f64,
    samples: u64,
    ok_in_window: u64,
}

impl Side {
    fn of(value: &Value) -> Side {
        Side {
            p50: value["p50_ms"].as_f64().unwrap_or(f64::NAN),
            p99: value["p99_ms"].as_f64().unwrap_or(f64::NAN),
            samples: value["samples"].as_u64().unwrap_or(0),
            ok_in_window: value["ok_in_window"].as_u64().unwrap_or(0),
        }
    }
}

/// The run's CA and the receiver's certificate (for `localhost` and 127.0.0.1), as PEM files.
struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Pki {
    fn write(dir: &Path) -> Result<Pki, String> {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let e = |e: rcgen::Error| format!("making the bench's certificates: {e}");
        let ca_key = KeyPair::generate().map_err(e)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "cardvault bench CA (this run only)");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).map_err(e)?;
        let leaf_key = KeyPair::generate().map_err(e)?;
        let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(e)?
            .signed_by(&leaf_key, &Issuer::from_params(&ca_params, &ca_key))
            .map_err(e)?;
        let pki = Pki {
            ca: dir.join("ca.pem"),
            cert: dir.join("receiver.pem"),
            key: dir.join("receiver-key.pem"),
        };
        for (path, text) in [
            (&pki.ca, ca.pem()),
            (&pki.cert, leaf.pem()),
            (&pki.key, leaf_key.serialize_pem()),
        ] {
            fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        Ok(pki)
    }
}

/// The receiver process; killed on drop.
struct Receiver {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

/// The receiver's counters.
struct Counts {
    connections: u64,
    requests: u64,
}

impl Receiver {
    fn start(pki: &Pki) -> Result<Receiver, String> {
        let mut child = crate::pinned(1)?
            .arg("receive")
            .arg("--cert")
            .arg(&pki.cert)
            .arg("--key")
            .arg(&pki.key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting the receiver: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("the receiver has no stdout")?;
        let mut receiver = Receiver {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            port: 0,
        };
        let line = receiver.line()?;
        receiver.port = line
            .trim()
            .parse()
            .map_err(|e| format!("the receiver printed {line:?}: {e}"))?;
        Ok(receiver)
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("reading the receiver: {e}"))?;
        if line.is_empty() {
            return Err("the receiver stopped".to_owned());
        }
        Ok(line)
    }

    fn counts(&mut self) -> Result<Counts, String> {
        let stdin = self.stdin.as_mut().ok_or("the receiver was stopped")?;
        stdin
            .write_all(b"count\n")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("asking the receiver: {e}"))?;
        let line = self.line()?;
        let value: Value = serde_json::from_str(line.trim())
            .map_err(|e| format!("the receiver printed {line:?}: {e}"))?;
        Ok(Counts {
            connections: value["connections"]
                .as_u64()
                .ok_or("no connections count")?,
            requests: value["requests"].as_u64().ok_or("no requests count")?,
        })
    }

    /// Closes its standard input, on which it exits.
    fn stop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Seals [`TOKENS`] envelopes and tokenizes them: lines of `tok_… NUMBER`.
fn make_tokens(
    vault: &vault::Vault,
    deployment: &vault::Deployment,
) -> Result<Vec<String>, String> {
    let key = vault.sealing_key()?;
    let envelopes = vault::seal_many(&key, &deployment.publishable_key, TOKENS)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async {
        let mut connection = Connection::open(vault.addr).await?;
        let head = format!(
            "POST /v1/tokens HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/jose\r\n",
            vault.addr, deployment.publishable_key
        );
        let mut lines = Vec::with_capacity(envelopes.len());
        for (i, envelope) in envelopes.iter().enumerate() {
            let answer = connection.post(&head, envelope.as_bytes()).await?;
            let body: Value = serde_json::from_slice(&answer.body)
                .map_err(|e| format!("POST /v1/tokens answered {}: {e}", answer.status))?;
            let token = body["token"]
                .as_str()
                .filter(|_| answer.status == 201)
                .ok_or_else(|| format!("POST /v1/tokens answered {}: {body}", answer.status))?;
            // The envelope's number, as `seal_many` chose it.
            lines.push(format!("{token} {}", vault::PANS[i % vault::PANS.len()]));
        }
        Ok(lines)
    })
}

/// `receive --cert PEM --key PEM`: the receiver. Prints its port, then answers `count` on its
/// standard input with its counters (one JSON line); exits when its standard input closes.
pub fn receive_child(args: &[String]) -> Result<(), String> {
    let options = crate::options(args)?;
    let cert = crate::required(&options, "cert")?;
    let key = crate::required(&options, "key")?;
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{cert}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    // rustls's defaults: TLS 1.2 and 1.3, sessions resumed from its in-memory cache.
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("the receiver's TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the receiver's certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

    let connections = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| format!("listening: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("listening: {e}"))?
        .port();
    println!("{port}");
    std::io::stdout()
        .flush()
        .map_err(|e| format!("stdout: {e}"))?;
    {
        let (connections, requests) = (Arc::clone(&connections), Arc::clone(&requests));
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if line.trim() == "count" {
                    println!(
                        "{}",
                        json!({
                            "connections": connections.load(Ordering::SeqCst),
                            "requests": requests.load(Ordering::SeqCst),
                        })
                    );
                    let _ = std::io::stdout().flush();
                }
            }
            std::process::exit(0);
        });
    }
    runtime.block_on(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            connections.fetch_add(1, Ordering::SeqCst);
            let _ = tcp.set_nodelay(true);
            let (acceptor, requests) = (acceptor.clone(), Arc::clone(&requests));
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    answer_all(tls, &requests).await;
                }
            });
        }
    })
}

/// Answers each request of one connection at once, until the client closes it. Requests carry
/// `Content-Length` (the vault's and the load client's do); anything else ends the connection.
async fn answer_all<S>(mut stream: S, requests: &AtomicU64)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{ANSWER_BODY}",
        ANSWER_BODY.len()
    );
    let mut buffer: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        let (head_len, length) = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..at]).to_ascii_lowercase();
                if head.contains("\ntransfer-encoding:") {
                    return;
                }
                let length = head
                    .split("\r\n")
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .map_or(Some(0), |v| v.trim().parse::<usize>().ok());
                let Some(length) = length else { return };
                break (at + 4, length);
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        while buffer.len() < head_len + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_len + length);
        requests.fetch_add(1, Ordering::SeqCst);
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// `forward-load --mode overhead|rps --vault ADDR --receiver PORT --ca PEM --key SK --tokens FILE
/// --concurrency N --warmup S --window S`: prints one JSON object with what it measured.
pub fn load_child(args: &[String]) -> Result<(), String> {
    let options = crate::options(args)?;
    let mode = crate::required(&options, "mode")?;
    let alternate = match mode {
        "overhead" => true,
        "rps" => false,
        other => return Err(format!("--mode {other}: `overhead` or `rps`")),
    };
    let vault: SocketAddr = crate::required(&options, "vault")?
        .parse()
        .map_err(|e| format!("--vault: {e}"))?;
    let port: u16 = crate::number(&options, "receiver", 0)?;
    let ca = crate::required(&options, "ca")?;
    let key = crate::required(&options, "key")?;
    let tokens_file = crate::required(&options, "tokens")?;
    let text = fs::read_to_string(tokens_file).map_err(|e| format!("{tokens_file}: {e}"))?;
    let requests = text
        .lines()
        .map(|line| {
            let (token, number) = line
                .split_once(' ')
                .ok_or_else(|| format!("{tokens_file}: {line:?}"))?;
            let forward = json!({
                "token": token,
                "receiver": RECEIVER,
                "method": "POST",
                "path": PATH,
                "headers": {"Content-Type": "application/json"},
                "body": TEMPLATE,
            });
            // What the vault sends for this token.
            let direct = TEMPLATE
                .replace("{{card.number}}", number)
                .replace("{{card.exp_month}}", &EXP.0.to_string())
                .replace("{{card.exp_year}}", &EXP.1.to_string());
            Ok(Pair {
                forward: forward.to_string().into_bytes(),
                direct: direct.into_bytes(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if requests.is_empty() {
        return Err(format!("{tokens_file}: no tokens"));
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| format!("{ca}: {e}"))? {
        roots
            .add(cert.map_err(|e| format!("{ca}: {e}"))?)
            .map_err(|e| format!("{ca}: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("the client's TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let start = Instant::now();
    let warm_end = start + Duration::from_secs_f64(crate::number(&options, "warmup", 3.0)?);
    let shared = Arc::new(Shared {
        vault,
        receiver: SocketAddr::from(([127, 0, 0, 1], port)),
        tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
        forward_head: format!(
            "POST /v1/forward HTTP/1.1\r\nHost: {vault}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        ),
        direct_head: format!(
            "POST {PATH} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Type: application/json\r\nAccept-Encoding: identity\r\n"
        ),
        requests,
        next: AtomicUsize::new(0),
        direct_connections: AtomicU64::new(0),
        warm_end,
        end: warm_end + Duration::from_secs_f64(crate::number(&options, "window", 10.0)?),
    });
    let concurrency: usize = crate::number(&options, "concurrency", 8)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let outcome = runtime.block_on(async {
        let workers: Vec<_> = (0..concurrency)
            .map(|n| tokio::spawn(worker(Arc::clone(&shared), n, alternate)))
            .collect();
        let mut all = Tally::default();
        for worker in workers {
            all.merge(
                worker
                    .await
                    .map_err(|e| format!("a load worker failed: {e}"))?,
            );
        }
        Ok::<_, String>(all)
    })?;
    let window = shared.end.duration_since(shared.warm_end).as_secs_f64();
    let side = |side: &mut SideTally| {
        side.latencies_ms.sort_by(f64::total_cmp);
        json!({
            "ok_in_window": side.ok_in_window,
            "rps": side.ok_in_window as f64 / window,
            "requests": side.requests,
            "samples": side.latencies_ms.len(),
            "p50_ms": finite(percentile(&side.latencies_ms, 50.0)),
            "p99_ms": finite(percentile(&side.latencies_ms, 99.0)),
        })
    };
    let Tally {
        mut forward,
        mut direct,
        errors,
        first_error,
    } = outcome;
    println!(
        "{}",
        json!({
            "forward": side(&mut forward),
            "direct": side(&mut direct),
            "errors": errors,
            "first_error": first_error,
            "direct_connections": shared.direct_connections.load(Ordering::SeqCst),
        })
    );
    Ok(())
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A token's forward request body, and the request the vault makes of it.
struct Pair {
    forward: Vec<u8>,
    direct: Vec<u8>,
}

struct Shared {
    vault: SocketAddr,
    receiver: SocketAddr,
    tls: tokio_rustls::TlsConnector,
    forward_head: String,
    direct_head: String,
    requests: Vec<Pair>,
    next: AtomicUsize,
    direct_connections: AtomicU64,
    warm_end: Instant,
    end: Instant,
}

#[derive(Default)]
struct SideTally {
    ok_in_window: u64,
    requests: u64,
    latencies_ms: Vec<f64>,
}

#[derive(Default)]
struct Tally {
    forward: SideTally,
    direct: SideTally,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (mine, theirs) in [
            (&mut self.forward, other.forward),
            (&mut self.direct, other.direct),
        ] {
            mine.ok_in_window += theirs.ok_in_window;
            mine.requests += theirs.requests;
            mine.latencies_ms.extend(theirs.latencies_ms);
        }
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what);
        }
    }
}

type Tls = tokio_rustls::client::TlsStream<TcpStream>;

/// One worker: a keep-alive connection to the vault and, when `alternate`, one to the receiver,
/// a forward and then the direct request of the same token, in turn (worker `n` starting with
/// the direct one when `n` is odd, so that neither side always goes first).
async fn worker(shared: Arc<Shared>, n: usize, alternate: bool) -> Tally {
    let mut tally = Tally::default();
    let mut to_vault: Option<Connection> = None;
    let mut to_receiver: Option<Connection<Tls>> = None;
    let mut direct_first = n % 2 == 1;
    loop {
        if Instant::now() >= shared.end {
            return tally;
        }
        let index = shared.next.fetch_add(1, Ordering::Relaxed) % shared.requests.len();
        let pair = &shared.requests[index];
        let sides: &[bool] = match (alternate, direct_first) {
            (false, _) => &[false],
            (true, false) => &[false, true],
            (true, true) => &[true, false],
        };
        direct_first = !direct_first;
        for &direct in sides {
            let answer = if direct {
                if to_receiver.is_none() {
                    match open_tls(&shared).await {
                        Ok(conn) => to_receiver = Some(conn),
                        Err(e) => {
                            tally.error(e);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let Some(conn) = to_receiver.as_mut() else {
                    continue;
                };
                timed(conn, &shared.direct_head, &pair.direct).await
            } else {
                if to_vault.is_none() {
                    match Connection::open(shared.vault).await {
                        Ok(conn) => to_vault = Some(conn),
                        Err(e) => {
                            tally.error(e);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let Some(conn) = to_vault.as_mut() else {
                    continue;
                };
                timed(conn, &shared.forward_head, &pair.forward).await
            };
            let side = if direct {
                &mut tally.direct
            } else {
                &mut tally.forward
            };
            side.requests += 1;
            let (sent_at, done, result) = answer;
            let failure = match result {
                Ok((200, body, close)) => {
                    if close {
                        if direct {
                            to_receiver = None;
                        } else {
                            to_vault = None;
                        }
                    }
                    // Through the vault: its 200 holds the receiver's status, first.
                    if direct || body.starts_with(b"{\"status\":200,") {
                        None
                    } else {
                        Some(format!(
                            "the forward answered {}",
                            String::from_utf8_lossy(&body)
                        ))
                    }
                }
                Ok((status, body, _)) => Some(format!(
                    "{} answered {status}: {}",
                    if direct { "the receiver" } else { "the vault" },
                    String::from_utf8_lossy(&body)
                )),
                Err(e) => {
                    if direct {
                        to_receiver = None;
                    } else {
                        to_vault = None;
                    }
                    Some(e)
                }
            };
            if let Some(failure) = failure {
                tally.error(failure);
                continue;
            }
            if done >= shared.warm_end && done < shared.end {
                side.ok_in_window += 1;
            }
            if sent_at >= shared.warm_end && done < shared.end {
                side.latencies_ms
                    .push(done.duration_since(sent_at).as_secs_f64() * 1e3);
            }
        }
    }
}

/// Sends one request: when it was sent, when its answer was in, and the answer's status, body
/// and whether the server closes the connection.
async fn timed<S>(
    conn: &mut Connection<S>,
    head: &str,
    body: &[u8],
) -> (Instant, Instant, Result<(u16, Vec<u8>, bool), String>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let sent_at = Instant::now();
    let result = conn
        .post(head, body)
        .await
        .map(|answer| (answer.status, answer.body, answer.close));
    (sent_at, Instant::now(), result)
}

async fn open_tls(shared: &Shared) -> Result<Connection<Tls>, String> {
    let tcp = TcpStream::connect(shared.receiver)
        .await
        .map_err(|e| format!("connecting to the receiver: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let name = ServerName::try_from("localhost").map_err(|e| format!("localhost: {e}"))?;
    let tls = shared
        .tls
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS to the receiver: {e}"))?;
    shared.direct_connections.fetch_add(1, Ordering::SeqCst);
    Ok(Connection::over(tls))
}
