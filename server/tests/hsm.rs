//! The master key in an HSM, through the real binary and a real SoftHSM2 token (issue 24 §1):
//! `master-key init-hsm`, `serve` with the key in the token, tokenize and forward; the key never
//! leaves the token and no software key opens the store; the HSM calls each step makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::softhsm::{self, SoftHsm};
use support::*;

const PAN: &str = "4242424242424242";
const KEY: &str = "cardvault-master";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A receiver on loopback that records each request and answers 201.
struct Receiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    fn start() -> Receiver {
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
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                    let text = String::from_utf8_lossy(&data);
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
                            break;
                        }
                    }
                }
                recorded
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&data).into_owned());
                let body = r#"{"status":"approved"}"#;
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        Receiver { addr, seen }
    }
}

fn forward_body(token: &str, with_cvc: bool) -> String {
    let body = if with_cvc {
        r#"{"number":"{{card.number}}","cvc":"{{card.cvc}}"}"#
    } else {
        r#"{"number":"{{card.number}}"}"#
    };
    serde_json::json!({
        "token": token,
        "receiver": "processor",
        "method": "POST",
        "path": "/v1/charges",
        "headers": {"Content-Type": "application/json"},
        "body": body,
    })
    .to_string()
}

fn forward(addr: SocketAddr, sk: &str, token: &str, with_cvc: bool) -> (u16, serde_json::Value) {
    request_typed(
        addr,
        "POST",
        "/v1/forward",
        Some(sk),
        "application/json",
        Some(&forward_body(token, with_cvc)),
    )
    .unwrap()
}

fn tokenize(addr: SocketAddr, pk: &str) -> String {
    let key = sealing_keys(addr).remove(0);
    let (status, json) = request(
        addr,
        "POST",
        "/v1/tokens",
        Some(pk),
        Some(&seal(&key, PAN, pk)),
    )
    .unwrap();
    assert_eq!(status, 201, "{json}");
    json["token"].as_str().unwrap().to_owned()
}

/// The `operations=N` of the last log line with `message`.
fn operations(log: &Path, message: &str) -> u64 {
    let text = std::fs::read_to_string(log).unwrap();
    let line = text
        .lines()
        .rfind(|l| l.contains(message))
        .unwrap_or_else(|| panic!("no {message:?} in the log:\n{text}"));
    line.split("operations=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no operations= in {line}"))
}

fn serve_with_hsm(hsm: &SoftHsm, data: &Path, log: &Path, extra: &[&str]) -> Server {
    Server::start_configured(data, log, extra, |cmd| hsm.configure(cmd, KEY))
}

#[test]
fn init_hsm_serve_tokenize_and_forward_with_the_key_in_the_hsm() {
    let Some(hsm) = SoftHsm::new("init_hsm_serve_tokenize_and_forward_with_the_key_in_the_hsm")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");

    // init-hsm makes the key; a second time, with the same label, it refuses.
    let out = hsm.init_key(KEY);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains(r#"PKCS#11 key "cardvault-master" in token "cardvault""#)
            && said.contains("pkcs11:cardvault/cardvault-master#"),
        "{said}"
    );
    let again = hsm.init_key(KEY);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains(r#"already holds an object labelled "cardvault-master""#),
        "{}",
        stderr(&again)
    );

    // The key is in the token as an AES-256 key that never leaves it: OpenSC's pkcs11-tool
    // (not our code) sees it so, and is refused its value.
    let listed = hsm.pkcs11_tool(&["--list-objects", "--type", "secrkey"]);
    let listed = stdout(&listed);
    assert!(listed.contains("AES length 32"), "{listed}");
    assert!(
        listed.contains("sensitive, always sensitive, never extractable, local"),
        "{listed}"
    );
    assert!(listed.contains("Usage:      encrypt, decrypt"), "{listed}");
    let read = hsm.pkcs11_tool(&["--read-object", "--type", "secrkey", "--label", KEY]);
    assert!(!read.status.success(), "pkcs11-tool read the key out");
    assert!(
        stderr(&read).contains("CKR_ATTRIBUTE_SENSITIVE")
            || stdout(&read).contains("CKR_ATTRIBUTE_SENSITIVE"),
        "{}{}",
        stdout(&read),
        stderr(&read)
    );

    // Everything a merchant needs, made with the HSM key.
    let out = hsm.cli(
        &data,
        KEY,
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
    assert!(out.status.success(), "{}", stderr(&out));
    let merchant: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, pk, sk) = (
        merchant["id"].as_str().unwrap(),
        merchant["publishable_key"].as_str().unwrap(),
        merchant["secret_key"].as_str().unwrap(),
    );
    let receiver = Receiver::start();
    let url = format!("http://{}/api", receiver.addr);
    let out = hsm.cli(
        &data,
        KEY,
        &[
            "receiver",
            "add",
            "--merchant",
            id,
            "--name",
            "processor",
            "--url",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // serve with the HSM (--dev for the loopback receiver: it still takes the key given, and
    // writes none of its own): tokenize, forward.
    let server = serve_with_hsm(&hsm, &data, &log, &["--dev"]);
    let token = tokenize(server.addr, pk);
    let (status, json) = forward(server.addr, sk, &token, true);
    assert_eq!(status, 200, "{json}");
    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].contains(&format!(r#""number":"{PAN}""#)),
        "{}",
        seen[0]
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(r#"master_key=PKCS#11 key "cardvault-master" in token "cardvault""#),
        "{text}"
    );
    assert!(server.terminate().success());

    // The data dir holds no master key: no key file, not even the --dev one, and nothing of the
    // token's folder; the HSM key opens the store, and no software key does.
    assert!(!data.join("master.key").exists());
    let token_files: Vec<_> = files_under(&hsm.token_dir())
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert!(!token_files.is_empty());
    for (path, _) in files_under(&data) {
        assert!(
            !path
                .extension()
                .is_some_and(|e| e == "object" || e == "token"),
            "{}",
            path.display()
        );
    }
    let out = hsm.cli(&data, KEY, &["audit", "verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("entries, sealed from the first"),
        "{}",
        stdout(&out)
    );
    let out = cli(&data, &["keys", "rotate"]);
    assert!(!out.status.success(), "a software key opened the store");
    assert!(
        stderr(&out).contains("do not open with this master key"),
        "{}",
        stderr(&out)
    );
    let out = std::process::Command::new(BIN)
        .args(["keys", "rotate", "--data-dir"])
        .arg(&data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .env("SOFTHSM2_CONF", &hsm.conf)
        .args([
            "--pkcs11-module",
            softhsm::MODULE,
            "--pkcs11-token",
            softhsm::TOKEN,
        ])
        .args(["--pkcs11-key", KEY])
        .env("CARDVAULT_PKCS11_PIN", softhsm::PIN)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("the master key is given two ways, CARDVAULT_MASTER_KEY and --pkcs11-*"),
        "{}",
        stderr(&out)
    );
    // The token opens a second key, but not for this store.
    let out = hsm.init_key("another");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hsm.cli(&data, "another", &["keys", "rotate"]);
    assert!(
        stderr(&out).contains("do not open with this master key"),
        "{}",
        stderr(&out)
    );

    // The token as it was: serve again, the old token still forwards (its CVC is spent).
    let server = serve_with_hsm(&hsm, &data, &log, &["--dev"]);
    let (status, json) = forward(server.addr, sk, &token, false);
    assert_eq!(status, 200, "{json}");
    assert!(server.terminate().success());
}

#[test]
fn a_wrong_pin_a_missing_key_or_token_is_named() {
    let Some(hsm) = SoftHsm::new("a_wrong_pin_a_missing_key_or_token_is_named") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(hsm.init_key(KEY).status.success());
    let serve = |configure: &dyn Fn(&mut std::process::Command)| {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(["serve", "--listen", &free_port().to_string(), "--data-dir"])
            .arg(&data);
        hsm.configure(&mut cmd, KEY);
        configure(&mut cmd);
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        stderr(&out)
    };
    let wrong_pin = serve(&|cmd| {
        cmd.env("CARDVAULT_PKCS11_PIN", "0000");
    });
    assert!(
        wrong_pin.contains(r#"the PKCS#11 PIN for token "cardvault" is wrong"#),
        "{wrong_pin}"
    );
    assert!(!wrong_pin.contains("0000"), "{wrong_pin}");
    let missing = serve(&|cmd| {
        cmd.env("CARDVAULT_PKCS11_KEY", "nope");
    });
    assert!(
        missing.contains(r#"token "cardvault" holds no secret key labelled "nope""#),
        "{missing}"
    );
    let no_token = serve(&|cmd| {
        cmd.env("CARDVAULT_PKCS11_TOKEN", "elsewhere");
    });
    assert!(
        no_token.contains(r#"no token labelled "elsewhere""#),
        "{no_token}"
    );
    let half = serve(&|cmd| {
        cmd.env_remove("CARDVAULT_PKCS11_TOKEN");
    });
    assert!(half.contains("--pkcs11-token is missing"), "{half}");
    let no_pin = serve(&|cmd| {
        cmd.env_remove("CARDVAULT_PKCS11_PIN");
    });
    assert!(no_pin.contains("no PKCS#11 PIN"), "{no_pin}");

    // The PIN from a file: private to the vault's user, or refused.
    let pin_file = dir.path().join("pin");
    std::fs::write(&pin_file, format!("{}\n", softhsm::PIN)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pin_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let open = serve(&|cmd| {
        cmd.env_remove("CARDVAULT_PKCS11_PIN")
            .arg("--pkcs11-pin-file")
            .arg(&pin_file);
    });
    assert!(
        open.contains("the PKCS#11 PIN file") && open.contains("chmod go-rwx"),
        "{open}"
    );
    std::fs::set_permissions(&pin_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["keys", "rotate", "--data-dir"]).arg(&data);
    hsm.configure(&mut cmd, KEY);
    let out = cmd
        .env_remove("CARDVAULT_PKCS11_PIN")
        .arg("--pkcs11-pin-file")
        .arg(&pin_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // audit verify checks the seal with the key it is given, and does not quietly skip the
    // check when that key is not usable.
    let verify = |pin: &str| {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(["audit", "verify", "--data-dir"]).arg(&data);
        hsm.configure(&mut cmd, KEY);
        cmd.env("CARDVAULT_PKCS11_PIN", pin).output().unwrap()
    };
    let out = verify(softhsm::PIN);
    assert!(
        out.status.success() && stdout(&out).contains("sealed from the first"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = verify("0000");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("PIN"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("intact"), "{}", stdout(&out));
    let both = serve(&|cmd| {
        cmd.arg("--pkcs11-pin-file").arg(&pin_file);
    });
    assert!(both.contains("the PKCS#11 PIN is given two ways"), "{both}");
}

/// The HSM calls each step makes, as the README states them: the vault keeps what it unwrapped,
/// so tokenizations and forwards make none.
#[test]
fn the_hot_path_makes_no_hsm_call() {
    let Some(hsm) = SoftHsm::new("the_hot_path_makes_no_hsm_call") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    assert!(hsm.init_key(KEY).status.success());
    let out = hsm.cli(
        &data,
        KEY,
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
    assert!(out.status.success(), "{}", stderr(&out));
    let merchant: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, pk, sk) = (
        merchant["id"].as_str().unwrap(),
        merchant["publishable_key"].as_str().unwrap(),
        merchant["secret_key"].as_str().unwrap(),
    );
    let receiver = Receiver::start();
    let url = format!("http://{}/api", receiver.addr);
    let out = hsm.cli(
        &data,
        KEY,
        &[
            "receiver",
            "add",
            "--merchant",
            id,
            "--name",
            "processor",
            "--url",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let server = serve_with_hsm(&hsm, &data, &log, &["--dev"]);
    // The first start-up on this store: the audit seal key (verified, then sealed: 2 unwraps),
    // the first data key and transport key made (a wrap each) and read back (an unwrap each).
    let at_start = operations(&log, "master key in use");
    assert_eq!(at_start, 6, "{}", std::fs::read_to_string(&log).unwrap());
    // The first tokenization of a merchant unwraps its fingerprint key (1), once; then
    // tokenizations and forwards make none.
    let mut tokens = Vec::new();
    for _ in 0..5 {
        tokens.push(tokenize(server.addr, pk));
    }
    for token in &tokens {
        let (status, json) = forward(server.addr, sk, token, true);
        assert_eq!(status, 200, "{json}");
    }
    assert_eq!(receiver.seen.lock().unwrap().len(), 5);
    // A transport key rotation: `keys rotate` wraps the new key (its own process); the running
    // vault picks it up within seconds, unwrapping it (1).
    let out = hsm.cli(&data, KEY, &["keys", "rotate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(eventually(20, || sealing_keys(server.addr).len() == 2));
    tokens.push(tokenize(server.addr, pk));
    assert!(server.terminate().success());
    assert_eq!(
        operations(&log, "master key operations since start-up"),
        // (and the demo merchant --dev makes on its first start: its fingerprint key wrapped)
        at_start + 1 + 1 + 1,
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    // Any later start-up: the seal key twice, the data key, and each transport key still
    // usable (now 2, the rotated one in its grace period); then the merchant's first
    // tokenization unwraps its fingerprint key, and nothing more. (Without --dev, which makes a
    // demo merchant when it finds none with a secret key in the data dir.)
    let server = serve_with_hsm(&hsm, &data, &log, &[]);
    assert_eq!(operations(&log, "master key in use"), 2 + 1 + 2);
    for _ in 0..3 {
        tokenize(server.addr, pk);
    }
    assert!(server.terminate().success());
    assert_eq!(
        operations(&log, "master key operations since start-up"),
        2 + 1 + 2 + 1
    );
}
