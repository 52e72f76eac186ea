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

/// A minimal HTTP/1.1 client (one request per connection).
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
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
        "Content-Type: application/jose\r\nContent-Length: {}\r\n\r\n{body}",
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
    (
        json["publishable_key"].as_str().unwrap().to_owned(),
        json["secret_key"].as_str().unwrap().to_owned(),
    )
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

fn seal(key: &SealingKey, pan: &str, pk: &str) -> String {
    let card = Card::new(
        pan,
        12,
        2030,
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

    let out = cli(&data, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    std::thread::sleep(Duration::from_secs(3));
    let keys = sealing_keys(server.addr);
    assert_eq!(keys.len(), 2);
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
    let out = cli(&data, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

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
