//! The built `cardvault` binary, for real: start-up rules, the command line, a kill -9 in the
//! middle of tokenizing, the audit chain, and no card number in the data dir or the logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use support::*;

/// Luhn-valid test numbers; none may ever appear in the data dir or the logs.
const PANS: &[&str] = &[
    "4242424242424242",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
];

/// `cardvault audit verify` on `data_dir` without a master key: all but the seal's HMAC.
fn audit_verify_without_master_key(data_dir: &Path) -> Output {
    Command::new(BIN)
        .args(["audit", "verify", "--data-dir"])
        .arg(data_dir)
        .env_remove("CARDVAULT_MASTER_KEY")
        .output()
        .unwrap()
}

/// `cardvault audit verify` on `data` succeeds: the chain is intact and sealed from its first
/// entry (every data dir here is made by this binary); without the master key, all but the
/// seal's HMAC.
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
    assert!(stdout.contains("HMAC is not checked"), "{stdout}");
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
    let data = dir.path().join("data");
    let out = Command::new(BIN)
        .args(["serve", "--listen", &free_port().to_string()])
        .arg("--data-dir")
        .arg(&data)
        .env_remove("CARDVAULT_MASTER_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no master key"), "{stderr}");

    let out = Command::new(BIN)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .arg("--data-dir")
        .arg(&data)
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
    // The chain alone cannot tell; the seal can, and without the key its head shows it too.
    let keyless = audit_verify_without_master_key(&data);
    assert!(!keyless.status.success());
    let stderr = String::from_utf8_lossy(&keyless.stderr);
    assert!(
        stderr.contains(&format!("entry {last}: missing")),
        "{stderr}"
    );
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

// ---- The process and its connections (issue 22, items A4, C and D) ----

/// One tokenization with the merchant's publishable key: 201 and a token.
fn tokenize_once(addr: SocketAddr, pk: &str) -> (u16, Value) {
    let key = sealing_keys(addr).remove(0);
    let envelope = seal(&key, PANS[0], pk);
    request(addr, "POST", "/v1/tokens", Some(pk), Some(&envelope)).unwrap()
}

#[test]
fn an_aborted_vault_leaves_no_core_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let addr = free_port();
    // As an operator's shell would allow it: no core limit, the core written in the working
    // directory when the kernel's pattern is a plain file name.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -c unlimited && exec {BIN} serve --dev --listen {addr} --data-dir {}",
            data.display()
        ))
        .current_dir(dir.path())
        .env_remove("CARDVAULT_MASTER_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(eventually(20, || request(
        addr, "GET", "/healthz", None, None
    )
    .is_some_and(|r| r.0 == 200)));
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().collect::<Vec<_>>()[4..6],
        ["0", "0"],
        "{core}"
    );
    Command::new("kill")
        .args(["-ABRT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    let cores: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("core"))
        .collect();
    assert!(cores.is_empty(), "core files written: {cores:?}");
}

#[test]
fn a_master_key_or_data_dir_in_the_open_stops_start_up() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(data.join("master.key"), MASTER).unwrap();
    std::fs::set_permissions(
        data.join("master.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let serve = |extra: &[&str], env_key: bool| {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", &free_port().to_string()])
            .args(extra)
            .arg("--data-dir")
            .arg(&data)
            .env_remove("CARDVAULT_MASTER_KEY")
            .env_remove("CARDVAULT_MASTER_KEY_FILE");
        if env_key {
            cmd.env("CARDVAULT_MASTER_KEY", MASTER);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // A dev data dir holds its key in clear: without --dev it is never used, by serve or by
    // an operator's command.
    assert!(serve(&[], false).contains("no master key"));
    let out = Command::new(BIN)
        .args([
            "merchant",
            "create",
            "--name",
            "S",
            "--origin",
            "https://s.example",
        ])
        .arg("--data-dir")
        .arg(&data)
        .env_remove("CARDVAULT_MASTER_KEY")
        .env_remove("CARDVAULT_MASTER_KEY_FILE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no master key"));

    // A data dir others may enter.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = serve(&[], true);
    assert!(
        stderr.contains("the data dir") && stderr.contains("open to other users"),
        "{stderr}"
    );

    // A master key file others may read.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    let key_file = dir.path().join("master.b64");
    std::fs::write(&key_file, MASTER).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stderr = serve(&["--master-key-file", key_file.to_str().unwrap()], false);
    assert!(
        stderr.contains("the master key file") && stderr.contains("open to other users"),
        "{stderr}"
    );
}

#[test]
fn metrics_are_served_only_on_their_own_listener() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let metrics = free_port();
    let server = Server::start_with(
        &data,
        &dir.path().join("server.log"),
        &["--metrics-listen", &metrics.to_string()],
    );
    let (status, _) = request(server.addr, "GET", "/metrics", None, None).unwrap();
    assert_eq!(status, 404);
    let mut stream = TcpStream::connect(metrics).unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("# EOF"), "{text}");
}

/// Whether the vault closed `stream` (a read sees the end, or the connection reset).
fn closed_by_the_vault(mut stream: &TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut byte = [0u8; 256];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn idle_and_slow_connections_cannot_lock_out_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (pk, _) = create_merchant(&data);
    let server = Server::start_with(
        &data,
        &dir.path().join("server.log"),
        &["--max-connections", "64", "--rate-limit-key", "0"],
    );
    // More idle connections than the cap, and slow senders that never finish a request's head.
    let idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    let mut slow: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            s.write_all(b"POST /v1/tokens HTTP/1.1\r\nHost: v\r\n")
                .unwrap();
            s
        })
        .collect();
    // And slow bodies: a whole head, then a body that trickles in, so each is a request in
    // flight (no key needed).
    for _ in 0..40 {
        let mut s = TcpStream::connect(server.addr).unwrap();
        s.write_all(
            b"POST /v1/tokens HTTP/1.1\r\nHost: v\r\nContent-Type: application/jose\r\nContent-Length: 16000\r\n\r\nA",
        )
        .unwrap();
        slow.push(s);
    }
    for s in &mut slow {
        let _ = s.write_all(b"X-A: b\r\n");
    }
    let (status, _) = request(server.addr, "GET", "/healthz", None, None).unwrap();
    assert_eq!(status, 200);
    let (status, body) = tokenize_once(server.addr, &pk);
    assert_eq!(status, 201, "{body}");
    assert!(body["token"].as_str().unwrap().starts_with("tok_"));
    // The cap held: all but at most 64 of the flood were closed by the vault.
    let open = idle
        .iter()
        .chain(&slow)
        .filter(|s| !closed_by_the_vault(s))
        .count();
    assert!(open <= 64, "{open} connections held past the cap of 64");
}

#[test]
fn an_idle_connection_and_a_slow_head_are_closed_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start_with(
        &data,
        &dir.path().join("server.log"),
        &["--idle-timeout", "1", "--header-read-timeout", "2"],
    );
    // Kept alive after one answered request, then silent.
    let mut kept = TcpStream::connect(server.addr).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: v\r\n\r\n")
        .unwrap();
    let mut answer = [0u8; 512];
    let n = kept.read(&mut answer).unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
    let started = Instant::now();
    assert!(eventually(10, || closed_by_the_vault(&kept)));
    assert!(started.elapsed() >= Duration::from_millis(900));
    // A head sent a byte at a time is never idle, but must arrive whole in time.
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    let started = Instant::now();
    let closed = eventually(10, || {
        let _ = slow.write_all(b"X");
        closed_by_the_vault(&slow)
    });
    assert!(closed, "a slowloris head was kept open");
    assert!(started.elapsed() >= Duration::from_millis(1500));
}

// -- a wiped log, the triggers and the head outside the database (issue 22, B) -----------------

/// `serve` on `data` exits at start-up, refusing: its stderr.
fn serve_refuses(data: &Path, log: &Path) -> String {
    let out = std::fs::File::create(log).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &free_port().to_string()])
        .arg("--data-dir")
        .arg(data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let status = wait_for_exit(&mut child);
    let text = std::fs::read_to_string(log).unwrap();
    assert!(!status.success(), "serve started: {text}");
    text
}

#[test]
fn a_wiped_cut_or_rewritten_log_fails_verify_and_serve_refuses_it() {
    const DROP: &str = "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;";
    const NULL_SEAL: &str =
        "UPDATE audit_seal SET since = NULL, seq = NULL, hash = NULL, mac = NULL;";
    const HEAD: &str = "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);";
    let attacks: Vec<(&str, String, &str)> = vec![
        (
            "drop the triggers",
            DROP.into(),
            "append-only triggers are missing",
        ),
        (
            "delete every entry, null the seal",
            format!("{DROP} DELETE FROM audit; {NULL_SEAL}"),
            "the log was wiped",
        ),
        (
            "delete every entry and the seal",
            format!("{DROP} DELETE FROM audit; DELETE FROM audit_seal;"),
            "the log was wiped",
        ),
        ("null the seal", NULL_SEAL.into(), "the log has no seal"),
        (
            "cut the head, null the seal",
            format!("{DROP} {HEAD} {NULL_SEAL}"),
            "the log has no seal",
        ),
        ("cut the head", format!("{DROP} {HEAD}"), "the log was cut"),
        (
            "rewrite an entry",
            format!("{DROP} UPDATE audit SET outcome = 'denied' WHERE seq = 2;"),
            "entry 2",
        ),
    ];
    for (attack, sql, expected) in &attacks {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        create_merchant(&data);
        assert!(cli(&data, &["keys", "rotate"]).status.success());
        // A healthy log verifies.
        assert_audit_verifies(&data);
        let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
        db.execute_batch(sql).unwrap();
        drop(db);
        for out in [
            cli(&data, &["audit", "verify"]),
            audit_verify_without_master_key(&data),
        ] {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{attack}: {stderr}");
            assert!(stderr.contains(expected), "{attack}: {stderr}");
            assert!(stderr.contains("BROKEN"), "{attack}: {stderr}");
        }
        let refused = serve_refuses(&data, &dir.path().join("serve.log"));
        assert!(
            refused.contains("refusing to start") && refused.contains(expected),
            "{attack}: {refused}"
        );
        // Nor does a writing command make a new seal over it (the seal row gone).
        if sql.contains("DELETE FROM audit_seal") {
            let out = cli(
                &data,
                &[
                    "merchant",
                    "create",
                    "--name",
                    "X",
                    "--origin",
                    "https://x.example",
                ],
            );
            assert!(!out.status.success(), "{attack}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("seal key is missing"),
                "{attack}"
            );
        }
    }
}

/// The `expect_head=SEQ:HASH` of the last line of `log` that announces the sealed head (at
/// `when`, if given), and that line's `when`.
fn last_head(log: &str, when: Option<&str>) -> (String, String) {
    let line = log
        .lines()
        .filter(|l| l.contains("audit head sealed"))
        .rfind(|l| when.is_none_or(|when| l.contains(&format!("when=\"{when}\""))))
        .unwrap_or_else(|| panic!("no sealed head ({when:?}) in the log: {log}"));
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {line}"))
            .trim_matches('"')
            .to_owned()
    };
    (field("expect_head="), field("when="))
}

#[test]
fn the_sealed_head_goes_to_the_server_log_and_verify_expects_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (pk, _) = create_merchant(&data);
    // An earlier copy of the database, as a backup put back would be.
    let earlier = dir.path().join("earlier");
    std::fs::create_dir(&earlier).unwrap();
    for (path, bytes) in files_under(&data) {
        let name = path.file_name().unwrap();
        if name.to_string_lossy().starts_with("cardvault.db") {
            std::fs::write(earlier.join(name), bytes).unwrap();
        }
    }

    let log = dir.path().join("server.log");
    let server = Server::start_with(&data, &log, &["--audit-head-every", "1"]);
    // Announced at start-up (else `last_head` fails).
    last_head(&std::fs::read_to_string(&log).unwrap(), Some("start"));
    let keys = sealing_keys(server.addr);
    let (status, _) = request(
        server.addr,
        "POST",
        "/v1/tokens",
        Some(&pk),
        Some(&seal(&keys[0], PANS[0], &pk)),
    )
    .unwrap();
    assert_eq!(status, 201);
    // The interval's announcements come without a request.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log)
        .unwrap()
        .contains("when=\"interval\"")
    {
        assert!(Instant::now() < deadline, "no interval announcement");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(server.terminate().success());
    let text = std::fs::read_to_string(&log).unwrap();
    let (head, _) = last_head(&text, Some("shutdown"));
    let (seq, hash) = head.split_once(':').unwrap();
    assert_eq!(hash.len(), 64);
    let seq: i64 = seq.parse().unwrap();
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    let last: i64 = db
        .query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(seq, last, "the head at shutdown is the last entry");
    drop(db);

    // The log holds it, with and without the master key.
    let out = cli(&data, &["audit", "verify", "--expect-head", &head]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("holds the expected head"));
    let keyless = Command::new(BIN)
        .args(["audit", "verify", "--expect-head", &head, "--data-dir"])
        .arg(&data)
        .env_remove("CARDVAULT_MASTER_KEY")
        .output()
        .unwrap();
    assert!(keyless.status.success());

    // The earlier copy's own seal verifies; the head from the server log does not.
    assert!(cli(&earlier, &["audit", "verify"]).status.success());
    let out = cli(&earlier, &["audit", "verify", "--expect-head", &head]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "entry {seq}: missing: the expected head is not in the log"
        )),
        "{stderr}"
    );
    // A malformed head is refused as an argument.
    let out = cli(&data, &["audit", "verify", "--expect-head", "12:abc"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SEQ:HASH"));
}

/// A Luhn-valid 16-digit number of BIN 424242 and last four 4242, the `n`th.
fn enumerated(n: u32) -> String {
    (0..10)
        .map(|digit| format!("424242{n:05}{digit}4242"))
        .find(|pan| cardvault::card::luhn_valid(pan))
        .unwrap()
}

#[test]
fn serve_takes_the_enumeration_limit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (pk, sk) = create_merchant(&data);
    let log = dir.path().join("server.log");
    let server = Server::start_with(&data, &log, &["--enumeration-limit", "2"]);
    let keys = sealing_keys(server.addr);
    let tokenize = |pan: &str| {
        request(
            server.addr,
            "POST",
            "/v1/tokens",
            Some(&pk),
            Some(&seal(&keys[0], pan, &pk)),
        )
        .unwrap()
    };
    let (status, first) = tokenize(&enumerated(0));
    assert_eq!(status, 201);
    assert!(first.get("fingerprint").is_none(), "{first}");
    assert_eq!(tokenize(&enumerated(1)).0, 201);
    let (status, refused) = tokenize(&enumerated(2));
    assert_eq!(status, 429);
    assert_eq!(refused["error"]["code"], "card_enumeration");
    assert_eq!(tokenize(&enumerated(0)).0, 201, "a known number");
    // The owner's secret key still reads the fingerprint.
    let path = format!("/v1/tokens/{}", first["token"].as_str().unwrap());
    let (status, meta) = request(server.addr, "GET", &path, Some(&sk), None).unwrap();
    assert_eq!(status, 200);
    assert!(meta["fingerprint"].as_str().unwrap().starts_with("fp_"));
    drop(server);
    assert_audit_verifies(&data);
    let text = std::fs::read_to_string(&log).unwrap();
    for n in 0..3 {
        assert!(!text.contains(&enumerated(n)), "a card number in the log");
    }
}

// -- behind a load balancer (issue 23) ---------------------------------------------------------

#[test]
fn behind_a_trusted_proxy_plain_http_is_served_on_any_address_and_the_proxy_is_not_capped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Without a trusted proxy, plain HTTP on 0.0.0.0 is refused (`start_up_refusals`); with
    // one (here from the environment, comma separated), TLS is the proxy's and it serves.
    let port = free_port().port();
    let log = dir.path().join("server.log");
    let out = std::fs::File::create(&log).unwrap();
    let child = Command::new(BIN)
        .args(["serve", "--listen", &format!("0.0.0.0:{port}")])
        .args(["--max-connections-per-client", "1"])
        .arg("--data-dir")
        .arg(&data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .env("CARDVAULT_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let server = Server {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        log: log.clone(),
    };
    let started = eventually(20, || {
        request(server.addr, "GET", "/readyz", None, None).map(|r| r.0) == Some(200)
    });
    assert!(started, "{}", std::fs::read_to_string(&log).unwrap());
    // Every client behind the proxy comes from its address: one connection per client would
    // be one for all of them, so the proxy is not capped per client.
    let idle = TcpStream::connect(server.addr).unwrap();
    for _ in 0..3 {
        let (status, _) = request(server.addr, "GET", "/healthz", None, None).unwrap();
        assert_eq!(status, 200);
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !closed_by_the_vault(&idle),
        "the proxy's connection was evicted"
    );
    drop(server);

    // The same from a peer that is not a trusted proxy: capped, its idle connection closed to
    // make room.
    let plain = Server::start_with(
        &dir.path().join("plain"),
        &dir.path().join("plain.log"),
        &["--max-connections-per-client", "1"],
    );
    let idle = TcpStream::connect(plain.addr).unwrap();
    let (status, _) = request(plain.addr, "GET", "/healthz", None, None).unwrap();
    assert_eq!(status, 200);
    assert!(eventually(5, || closed_by_the_vault(&idle)));
}
