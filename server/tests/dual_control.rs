//! Dual control through the built binary: `master-key split`, `serve --master-key-shares K
//! --unlock-socket PATH` started locked, and custodians' `cardvault unlock` (one typed at its
//! prompt through a pseudo-terminal, by `script(1)`, the others on standard input).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::softhsm;
use support::storage::{Database, Storage, postgres};
use support::*;

const PAN: &str = "4242424242424242";

impl Storage {
    /// Every audit entry as `action outcome detail`, in order.
    fn audit(&self) -> Vec<String> {
        match &self.database_url {
            None => {
                let db = rusqlite::Connection::open(self.data.join("cardvault.db")).unwrap();
                let mut query = db
                    .prepare("SELECT action, outcome, COALESCE(detail, '') FROM audit ORDER BY seq")
                    .unwrap();
                query
                    .query_map([], |row| {
                        Ok(format!(
                            "{} {} {}",
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?
                        ))
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Some(url) => postgres(url, |client| async move {
                client
                    .query(
                        "SELECT action, outcome, COALESCE(detail, '') FROM audit ORDER BY seq",
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| {
                        format!(
                            "{} {} {}",
                            row.get::<_, String>(0),
                            row.get::<_, String>(1),
                            row.get::<_, String>(2)
                        )
                    })
                    .collect()
            }),
        }
    }
}

/// `master-key split`: the shares' texts, in order.
fn split(storage: &Storage, shares: u8, threshold: u8) -> Vec<String> {
    let out = storage.cli(&[
        "master-key",
        "split",
        "--shares",
        &shares.to_string(),
        "--threshold",
        &threshold.to_string(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("different custodian"), "{stdout}");
    let texts: Vec<String> = stdout
        .lines()
        .filter(|line| line.starts_with("cvs1-"))
        .map(str::to_owned)
        .collect();
    assert_eq!(texts.len(), usize::from(shares), "{stdout}");
    for (i, text) in texts.iter().enumerate() {
        assert!(
            stdout.contains(&format!("share {} of {shares}:\n{text}", i + 1)),
            "{stdout}"
        );
        assert!(
            text.starts_with(&format!("cvs1-{}-{threshold}-", i + 1)),
            "{text}"
        );
    }
    texts
}

/// `serve --master-key-shares K --unlock-socket PATH` without any master key; returns once it
/// answers `/healthz`.
fn start_locked(storage: &Storage, log: &Path, socket: &Path, threshold: u8) -> Server {
    start_locked_as(&[], storage, log, socket, threshold, &[])
}

/// [`start_locked`] run through `user` (a `setpriv` command line, or nothing: this process's
/// user), with `extra` flags.
fn start_locked_as(
    user: &[String],
    storage: &Storage,
    log: &Path,
    socket: &Path,
    threshold: u8,
    extra: &[&str],
) -> Server {
    let addr = free_port();
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut command = match user.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(BIN);
            command
        }
        None => Command::new(BIN),
    };
    let child = command
        .args(["serve", "--listen", &addr.to_string()])
        .args(["--master-key-shares", &threshold.to_string()])
        .arg("--unlock-socket")
        .arg(socket)
        .args(extra)
        .args(storage.args())
        .env_remove("CARDVAULT_MASTER_KEY")
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
    assert!(
        eventually(20, || request(addr, "GET", "/healthz", None, None)
            .is_some_and(|r| r.0 == 200)),
        "server did not start: {}",
        std::fs::read_to_string(log).unwrap()
    );
    server
}

/// `cardvault unlock` with `input` on standard input (not a terminal): its stdout, and whether
/// it succeeded.
fn unlock(socket: &Path, input: &str) -> (bool, String) {
    unlock_as(&[], socket, input)
}

/// [`unlock`] run through `user` (a `setpriv` command line, or nothing: this process's user).
fn unlock_as(user: &[String], socket: &Path, input: &str) -> (bool, String) {
    let mut command = match user.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(BIN);
            command
        }
        None => Command::new(BIN),
    };
    let mut child = command
        .arg("unlock")
        .arg("--socket")
        .arg(socket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `unlock` may refuse (and exit) before it reads a line: then the pipe is closed, and what
    // it said is the answer.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `cardvault unlock` on a pseudo-terminal (`script(1)`), typing `share` once its prompt shows:
/// what the terminal showed, and whether it succeeded.
fn unlock_at_a_terminal(socket: &Path, share: &str) -> (bool, String) {
    let command = format!("{BIN} unlock --socket {}", socket.display());
    let mut child = Command::new("script")
        .args(["-q", "-e", "-f", "-c", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1), from util-linux");
    let screen = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = {
        let screen = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 256];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        })
    };
    let shown = |what: &str| String::from_utf8_lossy(&screen.lock().unwrap()).contains(what);
    assert!(
        eventually(20, || shown("not shown as you type")),
        "no prompt: {}",
        String::from_utf8_lossy(&screen.lock().unwrap())
    );
    // The terminal is quiet now: what is typed is not echoed.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{share}\r").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "unlock did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    reader.join().unwrap();
    let screen = String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
    (status.success(), screen)
}

/// `/readyz`'s and a tokenization's answers.
fn readyz_and_tokenize(server: &Server, pk: &str) -> ((u16, String), (u16, String)) {
    let addr = server.addr;
    let ready = exchange(
        addr,
        &format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    let ready_code = ready.body["error"]["code"]
        .as_str()
        .map_or_else(|| "ready".to_owned(), str::to_owned);
    // Sealed to a key read from the vault once it serves; while locked a dummy body will do.
    let body = if ready.status == 200 {
        let key = sealing_keys(addr).remove(0);
        seal(&key, PAN, pk)
    } else {
        "x".to_owned()
    };
    let (status, answer) = request(addr, "POST", "/v1/tokens", Some(pk), Some(&body)).unwrap();
    let token = answer["token"]
        .as_str()
        .or(answer["error"]["code"].as_str())
        .unwrap_or("")
        .to_owned();
    ((ready.status, ready_code), (status, token))
}

fn dual_control(storage: &Storage, scratch: &Path) {
    let log = scratch.join("serve.log");
    let socket = scratch.join("unlock.sock");

    // The store exists and holds keys: a merchant made with the master key.
    let out = storage.cli(&[
        "merchant",
        "create",
        "--name",
        "Shop",
        "--origin",
        "https://shop.example",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merchant: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pk = merchant["publishable_key"].as_str().unwrap().to_owned();

    // Splits: N and K bounded; two splits of the same key give different shares.
    for bad in [["5", "6"], ["17", "3"], ["3", "1"]] {
        let out = storage.cli(&[
            "master-key",
            "split",
            "--shares",
            bad[0],
            "--threshold",
            bad[1],
        ]);
        assert!(!out.status.success(), "{bad:?}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("cvs1-"));
    }
    let shares = split(storage, 5, 3);
    let other = split(storage, 5, 3);
    assert_ne!(shares[2], other[2]);
    // A key that is not the store's is not split.
    let wrong = Command::new(BIN)
        .args(["master-key", "split", "--shares", "3", "--threshold", "2"])
        .args(storage.args())
        .env(
            "CARDVAULT_MASTER_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(!String::from_utf8_lossy(&wrong.stdout).contains("cvs1-"));

    // Started locked: alive, not ready, nothing served.
    let server = start_locked(storage, &log, &socket, 3);
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let meta = std::fs::metadata(&socket).unwrap();
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let locked = ((503, "locked".to_owned()), (503, "locked".to_owned()));
    assert_eq!(readyz_and_tokenize(&server, &pk), locked);
    let answer = exchange(
        server.addr,
        &format!(
            "GET /v1/tokens/tok_00 HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    )
    .unwrap();
    assert_eq!(answer.status, 503);
    assert_eq!(answer.body["error"]["code"], "locked");
    assert!(answer.head.to_ascii_lowercase().contains("x-request-id"));

    // A mistyped share is named as such (and may be typed again on the same run).
    let typo = {
        let mut bytes = shares[0].clone().into_bytes();
        let at = 12;
        bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
        String::from_utf8(bytes).unwrap()
    };
    let (ok, said) = unlock(&socket, &format!("{typo}\n"));
    assert!(!ok, "{said}");
    assert!(said.contains("mistyped"), "{said}");
    assert!(
        said.contains("waits for 3 master key shares, 0 given"),
        "{said}"
    );
    // Typed at a terminal: the prompt, no echo.
    let (ok, screen) = unlock_at_a_terminal(&socket, &shares[0]);
    assert!(ok, "{screen}");
    assert!(screen.contains("Share accepted: 1 of 3 given"), "{screen}");
    assert!(
        !screen.contains(&shares[0][9..40]),
        "the share was echoed: {screen}"
    );
    // The same share again; then one from the other split, which makes a wrong set with it.
    let (ok, said) = unlock(&socket, &format!("{}\n", shares[0]));
    assert!(!ok && said.contains("given already"), "{said}");
    let (ok, said) = unlock(&socket, &format!("{typo}\n{}\n", shares[1]));
    assert!(ok, "{said}");
    assert!(
        said.contains("mistyped") && said.contains("2 of 3 given"),
        "{said}"
    );
    let (ok, said) = unlock(&socket, &format!("{}\n", other[2]));
    assert!(!ok, "{said}");
    assert!(
        said.contains("do not make the vault's master key") && said.contains("as a whole"),
        "{said}"
    );
    assert_eq!(readyz_and_tokenize(&server, &pk), locked);

    // The collection started again: three right shares unlock it.
    for (i, share) in [&shares[3], &shares[0]].iter().enumerate() {
        let (ok, said) = unlock(&socket, &format!("{share}\n"));
        assert!(
            ok && said.contains(&format!("{} of 3 given", i + 1)),
            "{said}"
        );
    }
    let (ok, said) = unlock(&socket, &format!("{}\n", shares[4]));
    assert!(ok && said.contains("unlocked and serving"), "{said}");
    assert!(
        eventually(10, || readyz_and_tokenize(&server, &pk).0
            == (200, "ready".to_owned())),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let ((_, _), (status, token)) = readyz_and_tokenize(&server, &pk);
    assert_eq!(status, 201, "{token}");
    assert!(token.starts_with("tok_"), "{token}");
    let (ok, said) = unlock(&socket, "");
    assert!(ok && said.contains("unlocked already"), "{said}");
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    assert!(!socket.exists(), "the unlock socket outlived the vault");

    // Audited, in order, never a share: the split, each share given or refused, the unlock.
    let audit = storage.audit();
    let unlocking: Vec<&str> = audit
        .iter()
        .map(String::as_str)
        .filter(|e| e.starts_with("unlock") || e.starts_with("master_key_split"))
        .collect();
    let uid = rustix_uid();
    let expected = [
        "master_key_split ok shares=5 threshold=3".to_owned(),
        "master_key_split ok shares=5 threshold=3".to_owned(),
        format!("unlock_share mistyped_share given=0/3 uid={uid}"),
        format!("unlock_share ok share=1 given=1/3 uid={uid}"),
        format!("unlock_share duplicate_share share=1 given=1/3 uid={uid}"),
        format!("unlock_share mistyped_share given=1/3 uid={uid}"),
        format!("unlock_share ok share=2 given=2/3 uid={uid}"),
        format!("unlock_share ok share=3 given=3/3 uid={uid}"),
        format!("unlock wrong_share_set shares=3 uids={uid},{uid},{uid}"),
        format!("unlock_share ok share=4 given=1/3 uid={uid}"),
        format!("unlock_share ok share=1 given=2/3 uid={uid}"),
        format!("unlock_share ok share=5 given=3/3 uid={uid}"),
        format!("unlock ok shares=3 uids={uid},{uid},{uid} held_dropped=0"),
    ];
    assert_eq!(unlocking, expected, "{audit:#?}");
    let server_log = std::fs::read(&log).unwrap();
    let mut places = storage.everything();
    places.push(("the server log".into(), server_log));
    for share in shares.iter().chain(&other).chain([&typo]) {
        // The share's value, with or without its dashes.
        let value = &share[9..share.len() - 7];
        let joined = value.replace('-', "");
        for (place, bytes) in &places {
            for needle in [value, joined.as_str(), &value[..14]] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "a share is in {place}"
                );
            }
        }
    }
    let out = storage.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A restart is locked again: the shares are needed again.
    let server = start_locked(storage, &log, &socket, 3);
    assert_eq!(readyz_and_tokenize(&server, &pk), locked);
    // A threshold the vault was not started with is refused for that share alone.
    let two = split(storage, 3, 2);
    let (ok, said) = unlock(&socket, &format!("{}\n", two[0]));
    assert!(!ok && said.contains("needs 2 shares"), "{said}");
    for share in &shares[..3] {
        assert!(unlock(&socket, &format!("{share}\n")).0);
    }
    assert!(eventually(10, || readyz_and_tokenize(&server, &pk).1.0 == 201));
    drop(server);
}

/// This process's uid, as the vault reads it off the socket.
fn rustix_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // A file this process makes is its own.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine");
    std::fs::write(&path, b"").unwrap();
    std::fs::metadata(&path).unwrap().uid()
}

#[test]
fn dual_control_on_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    dual_control(&storage, dir.path());
}

/// The same on PostgreSQL (`cargo xtask pg -- cargo test … --test dual_control`, which sets
/// `CARDVAULT_TEST_DATABASE_URL`): the vault keeps nothing of its own on disk but the socket.
#[test]
fn dual_control_on_postgres() {
    let Some(db) = Database::create("cv_dual") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: Some(db.url.clone()),
    };
    std::fs::create_dir(&storage.data).unwrap();
    dual_control(&storage, dir.path());
}

/// `serve` started in the foreground until it exits (within 30 s): its status and what it said.
fn serve_exits(storage: &Storage, socket: &Path, extra: &[&str], key: bool) -> (bool, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", &free_port().to_string()])
        .args(["--master-key-shares", "2"])
        .arg("--unlock-socket")
        .arg(socket)
        .args(extra)
        .args(storage.args())
        .env_remove("CARDVAULT_MASTER_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if key {
        cmd.env("CARDVAULT_MASTER_KEY", MASTER);
    }
    let mut child = cmd.spawn().unwrap();
    let status = wait_for_exit(&mut child);
    let mut said = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    (status.success(), said)
}

#[test]
fn a_locked_start_is_refused_with_a_key_on_an_empty_store_or_a_foreign_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("unlock.sock");
    let empty = Storage {
        data: dir.path().join("empty"),
        database_url: None,
    };
    // An empty store: any shares would make *a* key for it.
    let (ok, said) = serve_exits(&empty, &socket, &[], false);
    assert!(!ok && said.contains("holds keys already"), "{said}");
    assert!(!socket.exists());

    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    assert!(
        storage
            .cli(&[
                "merchant",
                "create",
                "--name",
                "S",
                "--origin",
                "https://s.example"
            ])
            .status
            .success()
    );
    // A master key beside the shares would make them moot: from the environment, a file, an HSM.
    let (ok, said) = serve_exits(&storage, &socket, &[], true);
    assert!(!ok && said.contains("custodians' shares only"), "{said}");
    let file = dir.path().join("master.key");
    std::fs::write(&file, MASTER).unwrap();
    let file = file.display().to_string();
    let (ok, said) = serve_exits(&storage, &socket, &["--master-key-file", &file], false);
    assert!(!ok && said.contains("custodians' shares only"), "{said}");
    let (ok, said) = serve_exits(
        &storage,
        &socket,
        &["--pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so"],
        false,
    );
    assert!(!ok && said.contains("custodians' shares only"), "{said}");
    let (ok, said) = serve_exits(&storage, &socket, &["--dev"], false);
    assert!(!ok && said.contains("--dev"), "{said}");
    // Something else at the socket's path; a live vault's socket.
    std::fs::write(&socket, b"").unwrap();
    let (ok, said) = serve_exits(&storage, &socket, &[], false);
    assert!(!ok && said.contains("is not a socket"), "{said}");
    assert!(socket.exists());
    std::fs::remove_file(&socket).unwrap();
    let first = start_locked(&storage, &dir.path().join("first.log"), &socket, 2);
    let other = Storage {
        data: dir.path().join("other"),
        database_url: None,
    };
    assert!(
        other
            .cli(&[
                "merchant",
                "create",
                "--name",
                "S",
                "--origin",
                "https://s.example"
            ])
            .status
            .success()
    );
    let (ok, said) = serve_exits(&other, &socket, &[], false);
    assert!(!ok && said.contains("in use by another vault"), "{said}");
    // A socket left by a vault that was killed is replaced.
    first.kill_9();
    assert!(socket.exists());
    let again = start_locked(&storage, &dir.path().join("again.log"), &socket, 2);
    let (ok, said) = unlock(&socket, "not a share\n");
    assert!(!ok && said.contains("mistyped"), "{said}");
    drop(again);
}

/// `setpriv` running a command as `uid`, with primary group `gid` and the supplementary
/// `groups` only.
fn as_user(uid: u32, gid: u32, groups: &[u32]) -> Vec<String> {
    let mut user = vec![
        "setpriv".to_owned(),
        format!("--reuid={uid}"),
        format!("--regid={gid}"),
    ];
    if groups.is_empty() {
        user.push("--clear-groups".to_owned());
    } else {
        let groups: Vec<String> = groups.iter().map(u32::to_string).collect();
        user.push(format!("--groups={}", groups.join(",")));
    }
    user
}

fn chown_all(path: &Path, uid: u32, gid: u32) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(format!("{uid}:{gid}"))
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Dual control as deployed: the vault as its own user (here `nobody`), the socket given to the
/// custodians' group (`users`), each custodian a distinct user of that group. Needs root (to
/// become those users, through `setpriv(1)`); skipped otherwise.
#[test]
fn custodians_as_distinct_users_through_an_unlock_group() {
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    if rustix_uid() != 0 || Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: needs root and setpriv(1)");
        return;
    }
    const VAULT: u32 = 65534; // nobody
    const CUSTODIANS: u32 = 100; // users
    let dir = tempfile::tempdir().unwrap();
    // Other users reach the data dir's and the socket's directories through it.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    assert!(
        storage
            .cli(&[
                "merchant",
                "create",
                "--name",
                "S",
                "--origin",
                "https://s.example"
            ])
            .status
            .success()
    );
    let shares = split(&storage, 5, 3);
    // A group that does not exist.
    let (ok, said) = serve_exits(
        &storage,
        &dir.path().join("x.sock"),
        &["--unlock-group", "no-such-group-here"],
        false,
    );
    assert!(!ok && said.contains("no such group"), "{said}");
    chown_all(&storage.data, VAULT, VAULT);
    let vault = as_user(VAULT, VAULT, &[CUSTODIANS]);
    let log = dir.path().join("serve.log");
    let (alice, bob, carol) = (
        as_user(1001, 1001, &[CUSTODIANS]),
        as_user(1002, 1002, &[CUSTODIANS]),
        as_user(1003, 1003, &[CUSTODIANS]),
    );

    // The socket's directory must be the vault's (or root's) alone: refused at start-up when the
    // group or others may write there (they could put their own socket at the path).
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut serve = Command::new("setpriv");
    let (ok, said) = {
        let out = serve
            .args(&vault[1..])
            .arg(BIN)
            .args(["serve", "--listen", &free_port().to_string()])
            .args(["--master-key-shares", "3", "--unlock-group", "users"])
            .arg("--unlock-socket")
            .arg(open.join("unlock.sock"))
            .args(storage.args())
            .env_remove("CARDVAULT_MASTER_KEY")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(
        !ok && said.contains("writable by its group or others"),
        "{said}"
    );

    // A vault served without the group, in a directory anyone may write: `unlock` (even root's)
    // does not give its share to a socket that someone other than its server could have put there.
    let socket = open.join("unlock.sock");
    let server = start_locked_as(&vault, &storage, &log, &socket, 3, &[]);
    let (ok, said) = unlock(&socket, &format!("{}\n", shares[0]));
    assert!(
        !ok && said.contains("writable by its group or others"),
        "{said}"
    );
    drop(server);

    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::os::unix::fs::chown(&run, Some(VAULT), Some(VAULT)).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = run.join("unlock.sock");
    let server = start_locked_as(
        &vault,
        &storage,
        &log,
        &socket,
        3,
        &["--unlock-group", "users"],
    );
    let meta = std::fs::metadata(&socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    assert_eq!((meta.uid(), meta.gid()), (VAULT, CUSTODIANS));

    // Not in the group: cannot connect.
    let (ok, said) = unlock_as(
        &as_user(1004, 1004, &[]),
        &socket,
        &format!("{}\n", shares[0]),
    );
    assert!(!ok && said.contains("--unlock-group"), "{said}");
    // One custodian, one share of the set.
    let (ok, said) = unlock_as(&alice, &socket, &format!("{}\n", shares[0]));
    assert!(ok && said.contains("1 of 3 given"), "{said}");
    let (ok, said) = unlock_as(&alice, &socket, &format!("{}\n", shares[1]));
    assert!(!ok && said.contains("already given a share"), "{said}");
    // Whoever runs as the vault's user is not a custodian: a socket served by one's own uid is
    // what a relay at the socket's path would look like.
    let (ok, said) = unlock_as(&vault, &socket, &format!("{}\n", shares[1]));
    assert!(!ok && said.contains("your own uid"), "{said}");
    let (ok, said) = unlock_as(&bob, &socket, &format!("{}\n", shares[1]));
    assert!(ok && said.contains("2 of 3 given"), "{said}");
    let (ok, said) = unlock_as(&carol, &socket, &format!("{}\n", shares[2]));
    assert!(ok && said.contains("unlocked and serving"), "{said}");
    let ready = eventually(10, || {
        request(server.addr, "GET", "/readyz", None, None).is_some_and(|r| r.0 == 200)
    });
    assert!(ready, "{}", std::fs::read_to_string(&log).unwrap());
    let status = server.terminate();
    assert!(status.success(), "{status:?}");

    let audit = storage.audit();
    let unlocking: Vec<&str> = audit
        .iter()
        .map(String::as_str)
        .filter(|e| e.starts_with("unlock"))
        .collect();
    assert_eq!(
        unlocking,
        [
            "unlock_share ok share=1 given=1/3 uid=1001",
            "unlock_share same_custodian given=1/3 uid=1001",
            "unlock_share ok share=2 given=2/3 uid=1002",
            "unlock_share ok share=3 given=3/3 uid=1003",
            "unlock ok shares=3 uids=1001,1002,1003 held_dropped=0",
        ],
        "{audit:#?}"
    );
}

/// A key in an HSM never leaves it, so there is nothing to split.
#[test]
fn an_hsm_key_is_not_split() {
    let Some(hsm) = softhsm::SoftHsm::new("an_hsm_key_is_not_split") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(hsm.init_key("dual").status.success());
    let out = hsm.cli(
        &data,
        "dual",
        &[
            "merchant",
            "create",
            "--name",
            "S",
            "--origin",
            "https://s.example",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hsm.cli(
        &data,
        "dual",
        &["master-key", "split", "--shares", "3", "--threshold", "2"],
    );
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("lives in an HSM"), "{said}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("cvs1-"));
}
