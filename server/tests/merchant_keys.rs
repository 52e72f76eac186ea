//! Rolling a merchant's keys through the built binary: `merchant roll-secret` and
//! `roll-publishable` with a grace of seconds, on a data dir (one vault) and on PostgreSQL (two
//! vaults on one database, which must both honour a roll made by the command line at once).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use support::storage::{Database, Storage, postgres};
use support::*;

const PANS: &[&str] = &["4242424242424242", "5555555555554444", "6011111111111117"];

impl Storage {
    /// A command that must succeed and print one JSON object.
    fn cli_json(&self, args: &[&str]) -> Value {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn merchant_list(&self) -> String {
        String::from_utf8(self.cli(&["merchant", "list"]).stdout).unwrap()
    }

    /// `serve` on this storage (its own data dir beside a database).
    fn serve(&self, scratch: &Path, n: usize) -> Server {
        let log = scratch.join(format!("server-{n}.log"));
        match &self.database_url {
            None => Server::start_with(&self.data, &log, &["--sweep-every", "1"]),
            Some(url) => {
                let data = scratch.join(format!("data-{n}"));
                std::fs::create_dir_all(&data).unwrap();
                Server::start_with(
                    &data,
                    &log,
                    &["--sweep-every", "1", "--database-url", url.as_str()],
                )
            }
        }
    }

    /// Every audit entry as every column's text run together, in order.
    fn audit(&self) -> Vec<(String, String)> {
        const SQL: &str = "SELECT action, COALESCE(request_id, '') || COALESCE(merchant_id, '') \
             || COALESCE(key_kind, '') || COALESCE(client, '') || COALESCE(token, '') || outcome \
             || COALESCE(detail, '') FROM audit ORDER BY seq";
        match &self.database_url {
            None => {
                let db = rusqlite::Connection::open(self.data.join("cardvault.db")).unwrap();
                let mut query = db.prepare(SQL).unwrap();
                query
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Some(url) => postgres(url, |client| async move {
                client
                    .query(SQL, &[])
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect()
            }),
        }
    }
}

/// The status every vault answers `GET path` with `key`; they must agree.
fn read_everywhere(servers: &[Server], path: &str, key: &str) -> u16 {
    let statuses: Vec<u16> = servers
        .iter()
        .map(|s| request(s.addr, "GET", path, Some(key), None).unwrap().0)
        .collect();
    assert!(
        statuses.iter().all(|s| *s == statuses[0]),
        "the vaults disagree: {statuses:?}"
    );
    statuses[0]
}

fn rolled_keys(storage: &Storage, scratch: &Path, instances: usize) {
    let created = storage.cli_json(&[
        "merchant",
        "create",
        "--name",
        "Shop",
        "--origin",
        "https://shop.example",
        "--json",
    ]);
    let id = created["id"].as_str().unwrap().to_owned();
    let pk = created["publishable_key"].as_str().unwrap().to_owned();
    let sk = created["secret_key"].as_str().unwrap().to_owned();
    let servers: Vec<Server> = (0..instances).map(|n| storage.serve(scratch, n)).collect();
    let addr = servers[0].addr;
    let key = sealing_keys(addr).remove(0);
    let (status, json) = request(
        addr,
        "POST",
        "/v1/tokens",
        Some(&sk),
        Some(&seal(&key, PANS[0], &pk)),
    )
    .unwrap();
    assert_eq!(status, 201, "{json}");
    let path = format!("/v1/tokens/{}", json["token"].as_str().unwrap());
    let read = |key: &str| read_everywhere(&servers, &path, key);
    assert_eq!(read(&sk), 200);

    // A grace of seconds (0.001 h = 3.6 s, rounded up to 4): both keys work now, everywhere.
    let rolled = storage.cli_json(&[
        "merchant",
        "roll-secret",
        "--merchant",
        &id,
        "--grace-hours",
        "0.001",
        "--json",
    ]);
    let rolled_at = now();
    let sk2 = rolled["secret_key"].as_str().unwrap().to_owned();
    assert!(sk2.starts_with("sk_") && sk2 != sk);
    assert_eq!(read(&sk), 200, "the old key inside its grace");
    assert_eq!(read(&sk2), 200, "the new key at once");
    let (new_id, old_id) = (
        rolled["key_id"].as_str().unwrap(),
        rolled["previous_key_id"].as_str().unwrap(),
    );
    let listed = storage.merchant_list();
    assert!(
        listed.contains(&format!("secret key #{new_id}  live since")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("secret key #{old_id}  previous, accepted until")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("publishable key {pk}  live since")),
        "{listed}"
    );
    assert!(!listed.contains(&sk) && !listed.contains(&sk2), "{listed}");

    // Past its grace: refused as any unknown key, by every vault; the new one goes on.
    while now() < rolled_at + 4 {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(read(&sk), 401, "the old key after its grace");
    assert_eq!(read(&sk2), 200);
    assert!(!storage.merchant_list().contains(old_id));

    // No grace: refused at once (within the 2 s a running vault trusts a key it found).
    let out = storage.cli(&[
        "merchant",
        "roll-secret",
        "--merchant",
        &id,
        "--grace-hours",
        "0",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("is refused from now on"), "{stdout}");
    let sk3 = stdout
        .split_whitespace()
        .find(|w| w.starts_with("sk_"))
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_millis(2500);
    while servers
        .iter()
        .any(|s| request(s.addr, "GET", &path, Some(&sk2), None).unwrap().0 == 200)
    {
        assert!(
            Instant::now() < deadline,
            "the key rolled with no grace still works"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(read(&sk2), 401);
    assert_eq!(read(&sk3), 200);

    // An unknown merchant is named, and nothing is rolled.
    let out = storage.cli(&["merchant", "roll-secret", "--merchant", "mer_nobody"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no merchant mer_nobody"));

    // The publishable key: the field page and the envelopes of the old one work in its grace,
    // on every vault.
    let sealed_before: Vec<String> = servers.iter().map(|_| seal(&key, PANS[1], &pk)).collect();
    let rolled = storage.cli_json(&[
        "merchant",
        "roll-publishable",
        "--merchant",
        &id,
        "--grace-secs",
        "60",
        "--json",
    ]);
    let pk2 = rolled["publishable_key"].as_str().unwrap().to_owned();
    assert!(pk2.starts_with("pk_") && pk2 != pk);
    for (server, sealed) in servers.iter().zip(&sealed_before) {
        for key in [&pk, &pk2] {
            let page = format!("/v1/field?key={key}&origin=https://shop.example");
            let status = request(server.addr, "GET", &page, None, None).unwrap().0;
            assert_eq!(status, 200, "{key}");
        }
        let (status, json) =
            request(server.addr, "POST", "/v1/tokens", Some(&pk), Some(sealed)).unwrap();
        assert_eq!(status, 201, "{json}");
        let sealed = seal(&key, PANS[2], &pk2);
        let (status, json) =
            request(server.addr, "POST", "/v1/tokens", Some(&pk2), Some(&sealed)).unwrap();
        assert_eq!(status, 201, "{json}");
    }
    let listed = storage.merchant_list();
    assert!(
        listed.contains(&format!("publishable key {pk2}  live since")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("publishable key {pk}  previous, accepted until")),
        "{listed}"
    );

    // Audited: three rolls, and the retirement of the first secret key (by a sweep) and of the
    // second (by the roll that gave it no grace). Ids only: no key's text in the log.
    let deadline = Instant::now() + Duration::from_secs(10);
    let entries = loop {
        let entries = storage.audit();
        let retired = format!("kind=secret key={old_id} created=");
        if entries.iter().any(|(_, text)| text.contains(&retired)) {
            break entries;
        }
        assert!(
            Instant::now() < deadline,
            "no sweep retired the key: {entries:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let count = |action: &str| entries.iter().filter(|(a, _)| a == action).count();
    assert_eq!(count("merchant_key_roll"), 3, "{entries:?}");
    assert_eq!(count("merchant_key_retire"), 2, "{entries:?}");
    let first_roll = entries
        .iter()
        .find(|(a, _)| a == "merchant_key_roll")
        .unwrap();
    let detail = format!("kind=secret key={old_id} new={new_id} grace_secs=4 until=");
    assert!(first_roll.1.contains(&detail), "{first_roll:?}");
    for key in [&sk, &sk2, &sk3, &pk, &pk2] {
        assert!(
            !entries.iter().any(|(_, text)| text.contains(key.as_str())),
            "{key} is in the audit log"
        );
    }
    let logs: Vec<PathBuf> = servers.iter().map(|s| s.log.clone()).collect();
    drop(servers);
    for secret in [&sk, &sk2, &sk3] {
        for log in &logs {
            let text = std::fs::read_to_string(log).unwrap();
            assert!(
                !text.contains(secret.as_str()),
                "a secret key is in the server log"
            );
        }
        for (place, bytes) in storage.everything() {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "a secret key is in {place}");
        }
    }
    let out = storage.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn rolled_merchant_keys_on_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    rolled_keys(&storage, dir.path(), 1);
}

/// The same with two vaults on one PostgreSQL database (`cargo xtask pg -- cargo test …
/// --test merchant_keys`, which sets `CARDVAULT_TEST_DATABASE_URL`).
#[test]
fn rolled_merchant_keys_on_postgres_with_two_vaults() {
    let Some(db) = Database::create("cv_roll") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: Some(db.url.clone()),
    };
    std::fs::create_dir(&storage.data).unwrap();
    rolled_keys(&storage, dir.path(), 2);
}
