//! The built `cardvault` binary, for real: start-up rules, the command line, a kill -9 in the
//! middle of tokenizing, the audit chain, and no card number in the data dir or the logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cardvault::card::{Card, YearMonth};
use cardvault::envelope::SealingKey;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cardvault");
/// A master key for these tests (base64 of 32 bytes).
const MASTER: &str = "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=";

/// Luhn-valid test numbers; none may ever appear in the data dir or the logs.
const PANS: &[&str] = &[
    "4242424242424242",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
];

fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .output()
        .unwrap()
}

/// `cardvault audit verify` on `data_dir` without a master key: the chain only.
fn audit_verify_without_master_key(data_dir: &Path) -> Output {
    Command::new(BIN)
        .args(["audit", "verify", "--data-dir"])
        .arg(data_dir)
        .env_remove("CARDVAULT_MASTER_KEY")
        .output()
        .unwrap()
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    fn start(data_dir: &Path, log: &Path) -> Server {
        Server::start_with(data_dir, log, &[])
    }

    fn start_with(data_dir: &Path, log: &Path, extra: &[&str]) -> Server {
        let addr = free_port();
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(BIN)
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
            .env("CARDVAULT_MASTER_KEY", MASTER)
            .env("CARDVAULT_LOG", "debug")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
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

    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
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
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, Value)> {
    request_typed(addr, method, path, key, "application/jose", body)
}

fn request_typed(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    content_type: &str,
    body: Option<&str>,
) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(key) = key {
        req.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    let body = body.unwrap_or("");
    req.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(req.as_bytes()).ok()?;
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
    Some((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
}

fn dechunk(mut body: &str) -> String {
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

fn create_merchant(data_dir: &Path) -> (String, String) {
    let json = create_merchant_json(data_dir);
    (
        json["publishable_key"].as_str().unwrap().to_owned(),
        json["secret_key"].as_str().unwrap().to_owned(),
    )
}

fn create_merchant_json(data_dir: &Path) -> Value {
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

fn sealing_keys(addr: SocketAddr) -> Vec<SealingKey> {
    let (status, jwks) = request(addr, "GET", "/.well-known/jwks.json", None, None).unwrap();
    assert_eq!(status, 200);
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| SealingKey::from_jwk(k["n"].as_str().unwrap(), k["e"].as_str().unwrap()).unwrap())
        .collect()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The year the tests' cards expire in: four years from now, whenever the tests run.
fn exp_year() -> u32 {
    u32::from(YearMonth::now().year) + 4
}

fn seal(key: &SealingKey, pan: &str, pk: &str) -> String {
    let card = Card::new(
        pan,
        12,
        exp_year(),
        Some(if pan.starts_with("37") { "1234" } else { "123" }),
        Some("Ada Lovelace"),
        YearMonth::now(),
    )
    .unwrap();
    key.seal(&card, pk, now()).unwrap()
}

/// Every file under `dir`, read whole.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
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

/// `cardvault audit verify` on `data` succeeds: the chain is intact and sealed from its first
/// entry (every data dir here is made by this binary); without the master key, the chain only.
fn assert_audit_verifies(data: &Path) {
    let out = cli(data, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("entries, sealed from the first"),
        "{stdout}"
    );
    let keyless = audit_verify_without_master_key(data);
    let stdout = String::from_utf8_lossy(&keyless.stdout);
    assert!(keyless.status.success(), "{stdout}");
    assert!(stdout.contains("the chain only"), "{stdout}");
}

fn assert_no_card_numbers(dir: &Path, log: &Path) {
    let mut files = files_under(dir);
    files.push((log.to_owned(), std::fs::read(log).unwrap()));
    for (path, bytes) in &files {
        for pan in PANS {
            let found = bytes.windows(pan.len()).any(|w| w == pan.as_bytes());
            assert!(!found, "a card number is in {}", path.display());
        }
    }
}

#[test]
fn start_up_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", &free_port().to_string()])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("CARDVAULT_MASTER_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no master key"));

    let out = Command::new(BIN)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing plain HTTP"));
}

#[test]
fn one_serve_per_data_dir_and_the_cli_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_merchant(&data);
    let _first = Server::start(&data, &dir.path().join("server.log"));
    let out = Command::new(BIN)
        .args(["serve", "--listen", &free_port().to_string()])
        .arg("--data-dir")
        .arg(&data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another `cardvault serve`"), "{stderr}");
    // CLI commands still open the database beside the running vault.
    create_merchant(&data);
}

#[test]
fn kill_9_loses_no_answered_token_and_nothing_leaks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let (pk, sk) = create_merchant(&data);
    let server = Server::start(&data, &log);
    let addr = server.addr;
    let key = Arc::new(sealing_keys(addr).remove(0));

    // Four clients tokenize until the server is killed under them.
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let (key, pk, answered) = (Arc::clone(&key), pk.clone(), Arc::clone(&answered));
            std::thread::spawn(move || {
                for n in 0.. {
                    let envelope = seal(&key, PANS[(i + n) % PANS.len()], &pk);
                    match request(addr, "POST", "/v1/tokens", Some(&pk), Some(&envelope)) {
                        Some((201, json)) => answered
                            .lock()
                            .unwrap()
                            .push(json["token"].as_str().unwrap().to_owned()),
                        Some((status, json)) => panic!("{status} {json}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.lock().unwrap().len() < 40 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill_9();
    for client in clients {
        client.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(
        answered.len() >= 40,
        "only {} tokens before the deadline",
        answered.len()
    );

    let server = Server::start(&data, &log);
    for token in &answered {
        let (status, meta) = request(
            server.addr,
            "GET",
            &format!("/v1/tokens/{token}"),
            Some(&sk),
            None,
        )
        .unwrap();
        assert_eq!(status, 200, "token {token} answered 201 was lost");
        assert_eq!(meta["token"], token.as_str());
    }
    drop(server);

    assert_audit_verifies(&data);
    assert_no_card_numbers(&data, &log);
}

#[test]
fn key_rotation_keeps_the_old_key_for_its_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let (pk, _) = create_merchant(&data);
    let server = Server::start(&data, &log);
    let old = sealing_keys(server.addr).remove(0);
    let before_rotation = seal(&old, PANS[0], &pk);

    let out = cli(&data, &["keys", "rotate", "--grace-hours", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(cli(&data, &["keys", "list"]).stdout).unwrap();
    assert!(
        listed.contains("active") && listed.contains("grace"),
        "{listed}"
    );

    // The running server picks the new key up; the old one stays accepted.
    let deadline = Instant::now() + Duration::from_secs(20);
    let keys = loop {
        let keys = sealing_keys(server.addr);
        if keys.len() == 2 {
            break keys;
        }
        assert!(
            Instant::now() < deadline,
            "the rotated key was not published"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_ne!(keys[0].kid(), old.kid(), "the new key is published first");
    assert_eq!(keys[1].kid(), old.kid());
    let (status, json) = request(
        server.addr,
        "POST",
        "/v1/tokens",
        Some(&pk),
        Some(&before_rotation),
    )
    .unwrap();
    assert_eq!(status, 201, "{json}");
    let (status, _) = request(
        server.addr,
        "POST",
        "/v1/tokens",
        Some(&pk),
        Some(&seal(&keys[0], PANS[1], &pk)),
    )
    .unwrap();
    assert_eq!(status, 201);
}

#[test]
fn audit_verify_names_a_changed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_merchant(&data);
    create_merchant(&data);
    assert!(cli(&data, &["keys", "rotate"]).status.success());
    assert_audit_verifies(&data);

    // Change one byte of the second entry, as an attacker with the database file would.
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    db.execute_batch("DROP TRIGGER audit_no_update").unwrap();
    let changed = db
        .execute(
            "UPDATE audit SET action = 'merchant_creatf' WHERE seq = 2",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let out = cli(&data, &["audit", "verify"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("entry 2"), "{stderr}");
}

#[test]
fn audit_verify_with_the_master_key_names_entries_cut_off_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_merchant(&data);
    create_merchant(&data);
    assert_audit_verifies(&data);

    // The newest entry deleted, as an attacker with the database file would.
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    db.execute_batch("DROP TRIGGER audit_no_delete").unwrap();
    let last: i64 = db
        .query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        db.execute("DELETE FROM audit WHERE seq = ?1", [last])
            .unwrap(),
        1
    );
    drop(db);
    // The chain alone cannot tell; the seal can.
    let keyless = audit_verify_without_master_key(&data);
    assert!(keyless.status.success());
    let out = cli(&data, &["audit", "verify"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("entry {last}: missing")),
        "{stderr}"
    );
}

#[test]
fn keys_import_takes_a_pkcs8_pem() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_merchant(&data);
    let key = cardvault_server::keys::TransportKey::generate(3072).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let pem = pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der).unwrap();
    let pem_file = dir.path().join("key.pem");
    std::fs::write(&pem_file, pem).unwrap();
    let out = cli(&data, &["keys", "import", pem_file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(key.kid()));

    std::fs::write(
        &pem_file,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = cli(&data, &["keys", "import", pem_file.to_str().unwrap()]);
    assert!(!out.status.success());
}

/// One HTTPS GET with rustls, trusting only `cert_der`; the raw response head.
fn https_get(addr: SocketAddr, cert_der: &[u8], path: &str) -> Option<String> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(cert_der.to_vec()))
        .ok()?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .ok()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").ok()?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let sock = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    sock.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .ok()?;
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response);
    (!response.is_empty()).then(|| String::from_utf8_lossy(&response).into_owned())
}

#[test]
fn serves_tls_with_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let addr = free_port();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &addr.to_string()])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let response = loop {
        if let Some(response) = https_get(addr, certified.cert.der(), "/healthz") {
            break response;
        }
        assert!(Instant::now() < deadline, "no TLS answer");
        std::thread::sleep(Duration::from_millis(100));
    };
    // Plain HTTP on the TLS port gets no API answer.
    let plain = request(addr, "GET", "/healthz", None, None).map(|r| r.0);
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age="),
        "{response}"
    );
    assert_ne!(plain, Some(200));
}

/// A fake processor on loopback: records each raw request, answers JSON echoing the card number
/// it found (as some processors do) with a cookie.
struct FakeProcessor {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl FakeProcessor {
    fn start() -> FakeProcessor {
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

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn forward_body(token: &str, receiver: &str, with_cvc: bool) -> String {
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

#[test]
fn forwarding_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let merchant = create_merchant_json(&data);
    let id = merchant["id"].as_str().unwrap();
    let pk = merchant["publishable_key"].as_str().unwrap();
    let sk = merchant["secret_key"].as_str().unwrap();
    let processor = FakeProcessor::start();

    // Receivers on the command line: https, or http on loopback; never a private address.
    for url in [
        "http://10.0.0.1/",
        "https://10.0.0.1/",
        "https://192.168.1.10/",
        "https://169.254.169.254/",
        "http://processor.example/",
        "ftp://processor.example/",
    ] {
        let out = cli(
            &data,
            &[
                "receiver",
                "add",
                "--merchant",
                id,
                "--name",
                "bad",
                "--url",
                url,
            ],
        );
        assert!(!out.status.success(), "{url} was accepted");
    }
    let url = format!("http://{}/api", processor.addr);
    let add_processor = || {
        let args = [
            "receiver",
            "add",
            "--merchant",
            id,
            "--name",
            "processor",
            "--url",
            &url,
        ];
        cli(&data, &args)
    };
    let out = add_processor();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("--dev"));
    let out = add_processor();
    assert!(!out.status.success(), "a second receiver of the same name");
    let listed =
        String::from_utf8(cli(&data, &["receiver", "list", "--merchant", id]).stdout).unwrap();
    assert!(
        listed.contains("processor") && listed.contains(&processor.addr.to_string()),
        "{listed}"
    );

    // Without --dev a loopback receiver is refused, before anything is sent.
    let server = Server::start(&data, &log);
    let key = sealing_keys(server.addr).remove(0);
    let (status, json) = request(
        server.addr,
        "POST",
        "/v1/tokens",
        Some(pk),
        Some(&seal(&key, PANS[0], pk)),
    )
    .unwrap();
    assert_eq!(status, 201, "{json}");
    let token = json["token"].as_str().unwrap().to_owned();
    let forward = |addr, key: &str, body: &str| {
        request_typed(
            addr,
            "POST",
            "/v1/forward",
            Some(key),
            "application/json",
            Some(body),
        )
        .unwrap()
    };
    let (status, json) = forward(server.addr, sk, &forward_body(&token, "processor", true));
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (403, Some("receiver_not_allowed")),
        "{json}"
    );
    assert!(processor.seen().is_empty());
    drop(server);

    // With --dev it goes through: number, expiry and CVC arrive; the answer is masked.
    let server = Server::start_with(&data, &log, &["--dev"]);
    let (status, json) = forward(server.addr, sk, &forward_body(&token, "processor", true));
    assert_eq!(status, 200, "{json}");
    let seen = processor.seen();
    assert_eq!(seen.len(), 1);
    let got = &seen[0];
    assert!(
        got.starts_with("POST /api/v1/charges HTTP/1.1\r\n"),
        "{got}"
    );
    assert!(got.contains(&format!(r#""number":"{}""#, PANS[0])), "{got}");
    assert!(
        got.contains(&format!(
            r#""exp_month":12,"exp_year":{},"cvc":"123""#,
            exp_year()
        )),
        "{got}"
    );
    assert_eq!(json["status"], 201);
    assert_eq!(json["headers"]["x-card"], "************4242");
    assert!(json["headers"].get("set-cookie").is_none());
    assert!(
        json["body"]
            .as_str()
            .unwrap()
            .contains(r#""number":"************4242""#),
        "{json}"
    );
    assert!(!json.to_string().contains(PANS[0]));

    // The CVC served that forward; a second one asking for it gets 409, and without it goes.
    let (status, json) = forward(server.addr, sk, &forward_body(&token, "processor", true));
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (409, Some("cvc_unavailable")),
        "{json}"
    );
    let (status, _) = forward(server.addr, sk, &forward_body(&token, "processor", false));
    assert_eq!(status, 200);
    assert_eq!(processor.seen().len(), 2);
    assert!(!processor.seen()[1].contains("cvc"));

    // The publishable key cannot forward; a placeholder in the path is refused.
    let (status, _) = forward(server.addr, pk, &forward_body(&token, "processor", false));
    assert_eq!(status, 401);
    let in_path =
        forward_body(&token, "processor", false).replace("/v1/charges", "/v1/{{card.number}}");
    let (status, json) = forward(server.addr, sk, &in_path);
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );

    // Removed, the receiver is unknown.
    let out = cli(
        &data,
        &[
            "receiver",
            "remove",
            "--merchant",
            id,
            "--name",
            "processor",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, _) = forward(server.addr, sk, &forward_body(&token, "processor", false));
    assert_eq!(status, 404);
    let out = cli(
        &data,
        &[
            "receiver",
            "remove",
            "--merchant",
            id,
            "--name",
            "processor",
        ],
    );
    assert!(!out.status.success());
    drop(server);

    assert_audit_verifies(&data);
    // No number in the data dir or the debug log, and no filled request either.
    assert_no_card_numbers(&data, &log);
    let mut files = files_under(&data);
    files.push((log.clone(), std::fs::read(&log).unwrap()));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(r#""cvc":"123""#),
            "a filled CVC is in {}",
            path.display()
        );
    }
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("/v1/forward"),
        "the forwards were logged as requests"
    );
}
