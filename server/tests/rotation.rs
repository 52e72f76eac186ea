//! Rotating the keys under a serving vault, through the built binary (issue 24, section 3):
//! `keys rotate-data --rewrap` and `master-key rotate` while tokenizations run, with no failed
//! request and every token still forwarding afterwards; a rotation resumed from the state a
//! kill leaves; the old master key opening nothing once it is done.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;

use support::softhsm::{self, SoftHsm};
use support::*;

/// Another master key than [`MASTER`] (base64 of 32 bytes).
const NEW_MASTER: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

const PAN: &str = "4242424242424242";

/// A merchant whose envelopes need no CVC, with the recording processor as its receiver.
fn merchant_with_receiver(
    data: &Path,
    processor: &FakeProcessor,
    master: &str,
) -> (String, String) {
    let out = cli_keyed(
        data,
        &[
            "merchant",
            "create",
            "--name",
            "Shop",
            "--origin",
            "https://shop.example",
            "--cvc-optional",
            "--json",
        ],
        master,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = json["id"].as_str().unwrap().to_owned();
    let url = format!("http://{}/api", processor.addr);
    let out = cli_keyed(
        data,
        &[
            "receiver",
            "add",
            "--merchant",
            &id,
            "--name",
            "processor",
            "--url",
            &url,
        ],
        master,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        json["publishable_key"].as_str().unwrap().to_owned(),
        json["secret_key"].as_str().unwrap().to_owned(),
    )
}

fn tokenize(addr: SocketAddr, pk: &str, with_cvc: bool) -> (u16, Value) {
    let key = sealing_keys(addr).remove(0);
    let envelope = seal_card(&key, PAN, pk, with_cvc);
    request(addr, "POST", "/v1/tokens", Some(pk), Some(&envelope)).unwrap()
}

fn token_of(answer: (u16, Value)) -> String {
    assert_eq!(answer.0, 201, "{}", answer.1);
    answer.1["token"].as_str().unwrap().to_owned()
}

/// Forwards `token` (with its CVC or not): the processor must get the card's number.
fn assert_forwards(addr: SocketAddr, sk: &str, token: &str, with_cvc: bool) {
    let (status, json) = request_typed(
        addr,
        "POST",
        "/v1/forward",
        Some(sk),
        "application/json",
        Some(&forward_body(token, "processor", with_cvc)),
    )
    .unwrap();
    assert_eq!(status, 200, "forwarding {token}: {json}");
}

/// Tokenizations one after another until stopped: every answer's status and token.
struct Load {
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<(u16, String)>>>,
    thread: JoinHandle<()>,
}

impl Load {
    fn start(addr: SocketAddr, pk: &str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let (stopped, recorded, pk) = (Arc::clone(&stop), Arc::clone(&answers), pk.to_owned());
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let (status, json) = tokenize(addr, &pk, false);
                let token = json["token"].as_str().unwrap_or("").to_owned();
                recorded.lock().unwrap().push((status, token));
            }
        });
        Load {
            stop,
            answers,
            thread,
        }
    }

    /// Stops it: the tokens made, after checking every request was answered 201.
    fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        let answers = self.answers.lock().unwrap().clone();
        let failed: Vec<_> = answers
            .iter()
            .filter(|(status, _)| *status != 201)
            .collect();
        assert!(failed.is_empty(), "failed under rotation: {failed:?}");
        assert!(!answers.is_empty(), "the load made no request");
        answers.into_iter().map(|(_, token)| token).collect()
    }
}

fn assert_success(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_audit_verifies(data: &Path, master: &str) {
    let out = cli_keyed(data, &["audit", "verify"], master);
    let stdout = assert_success(&out);
    assert!(
        stdout.contains("entries, sealed from the first"),
        "{stdout}"
    );
}

/// The audit log's actions and details, one entry a line, read from the SQLite database in the
/// data dir (`audit verify` checks the chain itself).
fn audit_actions(data: &Path) -> String {
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT action || ' ' || coalesce(detail, '') FROM audit ORDER BY seq")
        .unwrap();
    let rows = stmt.query_map([], |row| row.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

#[test]
fn rotate_data_with_rewrap_under_load_fails_nothing_and_destroys_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let processor = FakeProcessor::start();
    let (pk, sk) = merchant_with_receiver(&data, &processor, MASTER);
    // --dev: the recording processor is on loopback.
    let server = Server::start_with(&data, &log, &["--dev", "--rate-limit-key", "0"]);
    let before: Vec<String> = (0..120)
        .map(|_| token_of(tokenize(server.addr, &pk, false)))
        .collect();
    // A CVC used by a forward before the rewrap; and one still waiting, which holds its card
    // under the old key until it is used.
    let used = token_of(tokenize(server.addr, &pk, true));
    assert_forwards(server.addr, &sk, &used, true);
    let waiting = token_of(tokenize(server.addr, &pk, true));

    let load = Load::start(server.addr, &pk);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = cli(
        &data,
        &["keys", "rotate-data", "--rewrap", "--cvc-wait", "1"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("data key 2 made"), "{stdout}");
    assert!(
        stdout.contains("re-encrypted under data key 2; destroyed: none"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 card(s) with a CVC still waiting"),
        "{stdout}"
    );

    // Its CVC used, the last card moves too, and the old key goes.
    assert_forwards(server.addr, &sk, &waiting, true);
    let out = cli(
        &data,
        &[
            "keys",
            "rotate-data",
            "--rewrap",
            "--resume",
            "--cvc-wait",
            "1",
        ],
    );
    let stdout = assert_success(&out);
    assert!(!stdout.contains("made"), "--resume made a key: {stdout}");
    assert!(stdout.contains("destroyed: data key 1"), "{stdout}");
    let during = load.stop();

    // Every token, from before and during the rotation, still forwards (the vault picked up the
    // new key and the re-encrypted rows without a restart).
    for token in before.iter().chain(&during).chain([&used, &waiting]) {
        assert_forwards(server.addr, &sk, token, false);
    }
    let server_log = std::fs::read_to_string(&log).unwrap();
    assert!(
        server_log.contains("new cards are sealed under a new data key"),
        "{server_log}"
    );
    drop(server);
    assert_audit_verifies(&data, MASTER);
    let actions = audit_actions(&data);
    for expected in [
        "data_key_rotate version=2",
        "data_key_rewrap_start version=2",
        "data_key_destroy version=1",
        "data_key_rewrap version=2 resealed=",
    ] {
        assert!(
            actions.contains(expected),
            "{expected} not audited:\n{actions}"
        );
    }
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    let versions: Vec<u32> = db
        .prepare("SELECT DISTINCT data_key_version FROM tokens UNION SELECT version FROM data_keys")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        versions,
        vec![2],
        "only data key 2 is left, and every card uses it"
    );
}

/// `cardvault master-key rotate` on `data` from [`MASTER`] to the key in the file `new_key`.
fn rotate_to_file(data: &Path, new_key: &Path) -> std::process::Output {
    cli(
        data,
        &[
            "master-key",
            "rotate",
            "--to-master-key-file",
            new_key.to_str().unwrap(),
        ],
    )
}

/// A private file holding `key`.
fn key_file(dir: &Path, key: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("new-master.key");
    std::fs::write(&path, format!("{key}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

#[test]
fn master_key_rotate_under_load_then_the_old_key_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let processor = FakeProcessor::start();
    let (pk, sk) = merchant_with_receiver(&data, &processor, MASTER);
    // The operator puts the new key where the vault will look for it when a rotation comes
    // (the store never holds it).
    let new_key = key_file(dir.path(), NEW_MASTER);
    let server =
        Server::start_configured(&data, &log, &["--dev", "--rate-limit-key", "0"], |cmd| {
            cmd.env("CARDVAULT_MASTER_KEY", MASTER)
                .env("CARDVAULT_TO_MASTER_KEY_FILE", &new_key);
        });
    let before = token_of(tokenize(server.addr, &pk, false));

    let load = Load::start(server.addr, &pk);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = rotate_to_file(&data, &new_key);
    let stdout = assert_success(&out);
    assert!(stdout.contains("re-wrapped now, 0 already"), "{stdout}");
    // The serving vault never failed a request, and followed the rotation without a restart: a
    // merchant made under the new key after it tokenizes and forwards there at once.
    let during = load.stop();
    assert_forwards(server.addr, &sk, &before, false);
    let (pk2, sk2) = merchant_with_receiver(&data, &processor, NEW_MASTER);
    let token = token_of(tokenize(server.addr, &pk2, false));
    assert_forwards(server.addr, &sk2, &token, false);
    // It drops the old key at its first reload after the rotation ended (a tokenization or
    // the housekeeping tick makes one).
    let said = [
        "master key rotation under way: this vault now wraps with the new key",
        "master key rotation done: the old key is dropped",
    ];
    let followed = eventually(10, || {
        token_of(tokenize(server.addr, &pk2, false));
        let server_log = std::fs::read_to_string(&log).unwrap();
        said.iter().all(|line| server_log.contains(line))
    });
    assert!(followed, "{said:?} not logged");

    // Run again: nothing left to do, and it says so.
    let out = rotate_to_file(&data, &new_key);
    let stdout = assert_success(&out);
    assert!(stdout.contains(" 0 re-wrapped now"), "{stdout}");
    drop(server);

    // The old key opens nothing: not the audit seal, not the vault.
    let out = cli(&data, &["audit", "verify"]);
    assert!(
        !out.status.success(),
        "the old master key still verifies the log"
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("do not open with this master key"),
        "{stderr}"
    );
    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "serve started with the old master key"
    );

    // The new one opens everything: the log verifies, the vault serves every token.
    assert_audit_verifies(&data, NEW_MASTER);
    let server = Server::start_keyed(&data, &log, &["--dev"], NEW_MASTER);
    for token in during.iter().chain([&before]) {
        assert_forwards(server.addr, &sk, token, false);
    }
    let fresh = token_of(tokenize(server.addr, &pk, false));
    assert_forwards(server.addr, &sk, &fresh, false);
    let actions = audit_actions(&data);
    assert!(
        actions.contains("master_key_rotate_start keys="),
        "{actions}"
    );
    assert!(actions.contains("master_key_rotate keys="), "{actions}");
    assert!(
        !actions.contains(NEW_MASTER) && !actions.contains(MASTER),
        "{actions}"
    );
    // The store never held the new key, in any form the vault writes (nor the old one).
    let new_bytes: Vec<u8> = (0u8..32).collect();
    for (path, bytes) in files_under(&data) {
        assert!(
            !bytes.windows(32).any(|w| w == new_bytes.as_slice()),
            "{} holds the new master key",
            path.display()
        );
    }

    // A next master key that this vault's key did not seal (someone who can write to the
    // database, not holding the key) is not followed.
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    db.execute(
        "INSERT INTO master_key_next (id, key_id, kind, auth) VALUES (1, 'kcv:0123456789abcdef', 'software', x'00')",
        [],
    )
    .unwrap();
    let ignored = eventually(10, || {
        token_of(tokenize(server.addr, &pk, false));
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("a next master key that this vault's key did not seal: ignored")
    });
    assert!(ignored, "a forged next master key was not refused");
    let fresh = token_of(tokenize(server.addr, &pk, false));
    assert_forwards(server.addr, &sk, &fresh, false);
}

#[test]
fn a_master_key_rotation_cut_short_completes_when_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let processor = FakeProcessor::start();
    let mut keys = Vec::new();
    for _ in 0..6 {
        keys.push(merchant_with_receiver(&data, &processor, MASTER));
    }
    let new_key = key_file(dir.path(), NEW_MASTER);
    // The state a rotation killed part-way leaves: each re-wrap is one row's compare-and-swap,
    // so some rows hold the new wrapping and the rest the old. Made here by rotating a copy and
    // putting half of its merchants' blobs back into the original.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for (path, bytes) in files_under(&data) {
        std::fs::write(copy.join(path.file_name().unwrap()), bytes).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = rotate_to_file(&copy, &new_key);
    assert_success(&out);
    let rotated = rusqlite::Connection::open(copy.join("cardvault.db")).unwrap();
    let original = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    let blobs: Vec<(String, Vec<u8>)> = rotated
        .prepare("SELECT id, fingerprint_key FROM merchants ORDER BY id LIMIT 3")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, blob) in &blobs {
        original
            .execute(
                "UPDATE merchants SET fingerprint_key = ?1 WHERE id = ?2",
                rusqlite::params![blob, id],
            )
            .unwrap();
    }
    // The audit seal key is the first a rotation re-wraps: the resumed run must open the store
    // with either key.
    let seal: Vec<u8> = rotated
        .query_row("SELECT key FROM audit_seal", [], |row| row.get(0))
        .unwrap();
    original
        .execute("UPDATE audit_seal SET key = ?1", [seal])
        .unwrap();
    drop((rotated, original));

    let out = rotate_to_file(&data, &new_key);
    let stdout = assert_success(&out);
    assert!(stdout.contains("4 already"), "{stdout}");
    assert_audit_verifies(&data, NEW_MASTER);
    let log = dir.path().join("server.log");
    let server = Server::start_keyed(&data, &log, &["--dev"], NEW_MASTER);
    for (pk, sk) in &keys {
        let token = token_of(tokenize(server.addr, pk, false));
        assert_forwards(server.addr, sk, &token, false);
    }
}

/// `cardvault master-key rotate` from the current key `from` (set on `cmd` by the caller) to
/// the key `to` sets.
fn rotate_command(data: &Path, hsm: &SoftHsm) -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["master-key", "rotate", "--data-dir"])
        .arg(data)
        .env("SOFTHSM2_CONF", &hsm.conf)
        .env_remove("CARDVAULT_MASTER_KEY");
    cmd
}

fn to_hsm(cmd: &mut std::process::Command, key: &str) {
    cmd.args([
        "--to-pkcs11-module",
        softhsm::MODULE,
        "--to-pkcs11-token",
        softhsm::TOKEN,
        "--to-pkcs11-key",
        key,
    ])
    .env("CARDVAULT_TO_PKCS11_PIN", softhsm::PIN);
}

#[test]
fn master_key_rotate_into_the_hsm_to_another_hsm_key_and_back_under_load() {
    let Some(hsm) = SoftHsm::new("master_key_rotate_into_the_hsm_and_back") else {
        return;
    };
    for key in ["kek-1", "kek-2"] {
        assert_success(&hsm.init_key(key));
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let processor = FakeProcessor::start();
    let (pk, sk) = merchant_with_receiver(&data, &processor, MASTER);
    // A vault that may follow the rotation into the HSM: the module, and the token's PIN.
    let server =
        Server::start_configured(&data, &log, &["--dev", "--rate-limit-key", "0"], |cmd| {
            cmd.env("CARDVAULT_MASTER_KEY", MASTER)
                .env("SOFTHSM2_CONF", &hsm.conf)
                .env("CARDVAULT_TO_PKCS11_MODULE", softhsm::MODULE)
                .env("CARDVAULT_TO_PKCS11_PIN", softhsm::PIN);
        });
    let before = token_of(tokenize(server.addr, &pk, false));
    let load = Load::start(server.addr, &pk);
    std::thread::sleep(std::time::Duration::from_millis(300));

    // Software into the HSM.
    let mut cmd = rotate_command(&data, &hsm);
    cmd.env("CARDVAULT_MASTER_KEY", MASTER);
    to_hsm(&mut cmd, "kek-1");
    let stdout = assert_success(&cmd.output().unwrap());
    assert!(stdout.contains("PKCS#11"), "{stdout}");
    assert_success(&hsm.cli(&data, "kek-1", &["audit", "verify"]));
    assert!(
        !cli(&data, &["audit", "verify"]).status.success(),
        "the software key still opens it"
    );
    // The serving vault followed it into the HSM: a merchant made now (its fingerprint key
    // wrapped in the HSM) tokenizes there.
    let args = [
        "merchant",
        "create",
        "--name",
        "Later",
        "--origin",
        "https://later.example",
        "--cvc-optional",
        "--json",
    ];
    let later: Value =
        serde_json::from_str(&assert_success(&hsm.cli(&data, "kek-1", &args))).unwrap();
    token_of(tokenize(
        server.addr,
        later["publishable_key"].as_str().unwrap(),
        false,
    ));

    // One HSM key to another: the current key from the --pkcs11-* flags.
    let mut cmd = rotate_command(&data, &hsm);
    hsm.configure(&mut cmd, "kek-1");
    to_hsm(&mut cmd, "kek-2");
    assert_success(&cmd.output().unwrap());
    assert_success(&hsm.cli(&data, "kek-2", &["audit", "verify"]));
    assert!(
        !hsm.cli(&data, "kek-1", &["audit", "verify"])
            .status
            .success()
    );

    // And back out to a new software key.
    let mut cmd = rotate_command(&data, &hsm);
    hsm.configure(&mut cmd, "kek-2");
    cmd.env("CARDVAULT_TO_MASTER_KEY", NEW_MASTER);
    let stdout = assert_success(&cmd.output().unwrap());
    assert!(stdout.contains("software key"), "{stdout}");
    assert_audit_verifies(&data, NEW_MASTER);
    assert!(
        !hsm.cli(&data, "kek-2", &["audit", "verify"])
            .status
            .success()
    );

    // The vault served throughout, on the keys it had unwrapped.
    let during = load.stop();
    assert_forwards(server.addr, &sk, &before, false);
    drop(server);
    let server = Server::start_keyed(&data, &log, &["--dev"], NEW_MASTER);
    for token in during.iter().chain([&before]) {
        assert_forwards(server.addr, &sk, token, false);
    }
    let actions = audit_actions(&data);
    assert_eq!(
        actions.matches("\nmaster_key_rotate keys=").count(),
        3,
        "{actions}"
    );
}

#[test]
fn a_vault_restarted_while_a_rotation_is_unfinished_opens_with_both_keys() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let processor = FakeProcessor::start();
    let (pk, sk) = merchant_with_receiver(&data, &processor, MASTER);
    let new_key = key_file(dir.path(), NEW_MASTER);
    // A rotation killed after its last re-wrap, while it waits for serving vaults: every key is
    // under the new master key, and the store still names it.
    let mut rotate = std::process::Command::new(BIN)
        .args(["master-key", "rotate", "--to-master-key-file"])
        .arg(&new_key)
        .arg("--data-dir")
        .arg(&data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(rotate.stderr.take().unwrap());
    for line in stderr.lines() {
        if line
            .unwrap()
            .contains("letting serving vaults take the new key")
        {
            break;
        }
    }
    rotate.kill().unwrap();
    rotate.wait().unwrap();

    // The old key alone opens nothing now; with the new key at hand, the vault opens with both.
    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the old key alone opened a rotated store"
    );
    let server = Server::start_configured(&data, &log, &["--dev"], |cmd| {
        cmd.env("CARDVAULT_MASTER_KEY", MASTER)
            .env("CARDVAULT_TO_MASTER_KEY_FILE", &new_key);
    });
    let token = token_of(tokenize(server.addr, &pk, false));
    assert_forwards(server.addr, &sk, &token, false);
    let server_log = std::fs::read_to_string(&log).unwrap();
    assert!(
        server_log.contains(
            "a master key rotation is unfinished: opening with the new key and the old one"
        ),
        "{server_log}"
    );
    drop(server);

    // Run to its end, the rotation finds everything done.
    let out = rotate_to_file(&data, &new_key);
    let stdout = assert_success(&out);
    assert!(stdout.contains(" 0 re-wrapped now"), "{stdout}");
    assert_audit_verifies(&data, NEW_MASTER);
}
