//! What the tests of the built binary share: starting it, asking it, sealing to it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cardvault::card::{Card, YearMonth};
use cardvault::envelope::SealingKey;
use serde_json::Value;

pub mod softhsm;
pub mod storage;

pub const BIN: &str = env!("CARGO_BIN_EXE_cardvault");

/// A master key for these tests (base64 of 32 bytes).
pub const MASTER: &str = "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=";

pub fn cli(data_dir: &Path, args: &[&str]) -> Output {
    cli_keyed(data_dir, args, MASTER)
}

/// As [`cli`], with `master` (base64) as the master key.
pub fn cli_keyed(data_dir: &Path, args: &[&str], master: &str) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("CARDVAULT_MASTER_KEY", master)
        .output()
        .unwrap()
}

pub fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Server {
    pub fn start(data_dir: &Path, log: &Path) -> Server {
        Server::start_with(data_dir, log, &[])
    }

    pub fn start_with(data_dir: &Path, log: &Path, extra: &[&str]) -> Server {
        Server::start_keyed(data_dir, log, extra, MASTER)
    }

    /// As [`Server::start_with`], with `master` (base64) as the master key.
    pub fn start_keyed(data_dir: &Path, log: &Path, extra: &[&str], master: &str) -> Server {
        Server::start_configured(data_dir, log, extra, |cmd| {
            cmd.env("CARDVAULT_MASTER_KEY", master);
        })
    }

    /// `serve` with the master key (and anything else) that `configure` gives it.
    pub fn start_configured(
        data_dir: &Path,
        log: &Path,
        extra: &[&str],
        configure: impl FnOnce(&mut Command),
    ) -> Server {
        let addr = free_port();
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut command = Command::new(BIN);
        command
            .args([
                "serve",
                "--listen",
                &addr.to_string(),
                "--rate-limit-client",
                "0",
            ])
            .args(extra)
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("CARDVAULT_MASTER_KEY")
            .env("CARDVAULT_LOG", "debug")
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        configure(&mut command);
        let child = command.spawn().unwrap();
        let server = Server {
            child,
            addr,
            log: log.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while request(addr, "GET", "/healthz", None, None).map(|r| r.0) != Some(200) {
            assert!(
                Instant::now() < deadline,
                "server did not start: {}",
                std::fs::read_to_string(log).unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, as a service manager stops it; waits for the exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        wait_for_exit(&mut self.child)
    }
}

/// The child's exit status, within 30 s (else the test fails: it is still running).
pub fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the process did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.log;
    }
}

/// A minimal HTTP/1.1 client (one request per connection), sending an envelope.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, Value)> {
    request_typed(addr, method, path, key, "application/jose", body)
}

pub fn request_typed(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    content_type: &str,
    body: Option<&str>,
) -> Option<(u16, Value)> {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(key) = key {
        req.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    let body = body.unwrap_or("");
    req.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    let answer = exchange(addr, &req)?;
    Some((answer.status, answer.body))
}

/// An answer: its status, its head as text, its body as JSON (`Null` when it is not JSON).
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Value,
}

/// Sends `request` as it is, on a connection of its own, and reads the answer to the end.
pub fn exchange(addr: SocketAddr, request: &str) -> Option<Answer> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Some(Answer {
        status,
        head: head.to_owned(),
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    })
}

pub fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

pub fn create_merchant(data_dir: &Path) -> (String, String) {
    let json = create_merchant_json(data_dir);
    (
        json["publishable_key"].as_str().unwrap().to_owned(),
        json["secret_key"].as_str().unwrap().to_owned(),
    )
}

pub fn create_merchant_json(data_dir: &Path) -> Value {
    let out = cli(
        data_dir,
        &[
            "merchant",
            "create",
            "--name",
            "Shop",
            "--origin",
            "https://shop.example",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["id"].as_str().unwrap().starts_with("mer_"));
    json
}

pub fn sealing_keys(addr: SocketAddr) -> Vec<SealingKey> {
    let (status, jwks) = request(addr, "GET", "/.well-known/jwks.json", None, None).unwrap();
    assert_eq!(status, 200);
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| SealingKey::from_jwk(k["n"].as_str().unwrap(), k["e"].as_str().unwrap()).unwrap())
        .collect()
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The year the tests' cards expire in: four years from now, whenever the tests run.
pub fn exp_year() -> u32 {
    u32::from(YearMonth::now().year) + 4
}

/// `pan` sealed to `key` for `pk`, expiring in December of [`exp_year`], with a CVC.
pub fn seal(key: &SealingKey, pan: &str, pk: &str) -> String {
    seal_card(key, pan, pk, true)
}

/// `pan` sealed to `key` for `pk`, expiring in December of [`exp_year`], with a CVC or not.
pub fn seal_card(key: &SealingKey, pan: &str, pk: &str, with_cvc: bool) -> String {
    let cvc = if pan.starts_with("37") { "1234" } else { "123" };
    let card = Card::new(
        pan,
        12,
        exp_year(),
        with_cvc.then_some(cvc),
        Some("Ada Lovelace"),
        YearMonth::now(),
    )
    .unwrap();
    key.seal(&card, pk, now()).unwrap()
}

/// Every file under `dir`, read whole.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// Polls `what` every 20 ms until it holds, for at most `secs` seconds.
pub fn eventually(secs: u64, mut what: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if what() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    what()
}

/// A fake processor on loopback: records each raw request, answers JSON echoing the card number
/// it found (as some processors do) with a cookie.
pub struct FakeProcessor {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl FakeProcessor {
    pub fn start() -> FakeProcessor {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head, then Content-Length bytes of body.
                let text = loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break String::from_utf8_lossy(&data).into_owned(),
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                    let text = String::from_utf8_lossy(&data).into_owned();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if body.len() >= len {
                            break text;
                        }
                    }
                };
                if text.is_empty() {
                    continue; // a connection that sent nothing (a refused CVC forward)
                }
                let number = text
                    .split("\"number\":\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or("")
                    .to_owned();
                recorded.lock().unwrap().push(text);
                let body = format!(
                    r#"{{"id":"ch_1","status":"approved","card":{{"number":"{number}"}}}}"#
                );
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: s=1\r\nX-Card: {number}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        FakeProcessor { addr, seen }
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

pub fn forward_body(token: &str, receiver: &str, with_cvc: bool) -> String {
    let cvc = if with_cvc {
        r#","cvc":"{{card.cvc}}""#
    } else {
        ""
    };
    let body = format!(
        r#"{{"amount":4850,"card":{{"number":"{{{{card.number}}}}","exp_month":{{{{card.exp_month}}}},"exp_year":{{{{card.exp_year}}}}{cvc}}}}}"#
    );
    serde_json::json!({
        "token": token,
        "receiver": receiver,
        "method": "POST",
        "path": "/v1/charges",
        "headers": {"Content-Type": "application/json"},
        "body": body,
    })
    .to_string()
}
