use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rusqlite::Connection;

use super::sqlite::{DB_FILE, MIGRATIONS};
use super::*;

const NOW: i64 = 1_700_000_000;

fn event(action: &str, token: Option<&str>) -> AuditEvent {
    AuditEvent {
        at: NOW,
        request_id: Some("req_1".into()),
        merchant_id: Some("mer_a".into()),
        key_kind: Some("secret".into()),
        client: Some("127.0.0.1".into()),
        action: action.into(),
        token: token.map(Into::into),
        outcome: "ok".into(),
        detail: None,
    }
}

fn merchant(id: &str) -> MerchantRecord {
    MerchantRecord {
        id: id.into(),
        name: format!("Shop {id}"),
        publishable_key: format!("pk_{id}"),
        secret_key_hash: {
            let mut h = [0u8; 32];
            for (i, b) in id.bytes().enumerate() {
                h[i % 32] ^= b;
            }
            h[31] = 0xA5;
            h
        },
        origins: vec![
            "https://shop.example".into(),
            format!("https://{id}.example"),
        ],
        fingerprint_key: vec![7; 40],
        token_ttl_secs: Some(3600),
        require_cvc: true,
        created_at: NOW,
    }
}

fn token(merchant_id: &str, token: &str) -> TokenRecord {
    TokenRecord {
        token: token.into(),
        merchant_id: merchant_id.into(),
        card: vec![0xC1; 64],
        cvc: Some(vec![0xCC; 31]),
        cvc_expires_at: Some(NOW + 600),
        data_key_version: 1,
        brand: "visa".into(),
        last4: "4242".into(),
        bin: "424242".into(),
        exp_month: 12,
        exp_year: 2030,
        fingerprint: "fp_abc".into(),
        created_at: NOW,
        expires_at: None,
    }
}

/// A store with data key 1 and merchants `mer_a` and `mer_b`.
fn setup(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    let key = DataKeyRecord {
        version: 1,
        key: vec![9; 60],
        created_at: NOW,
    };
    store.insert_data_key(key, None).unwrap();
    store
        .insert_merchant(merchant("mer_a"), event("merchant_create", None))
        .unwrap();
    store
        .insert_merchant(merchant("mer_b"), event("merchant_create", None))
        .unwrap();
    store
}

fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join(DB_FILE)).unwrap()
}

fn count(dir: &Path, sql: &str) -> i64 {
    raw(dir).query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn store_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Store>();
}

#[test]
fn fresh_dir_is_created_private_and_reopens() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    {
        let store = setup(&dir);
        assert_eq!(store.merchants().unwrap().len(), 2);
        // The WAL and its index exist while the store is open (the last close removes them).
        for suffix in ["-wal", "-shm"] {
            let file = dir.join(format!("{DB_FILE}{suffix}"));
            assert_eq!(mode(&file) & 0o077, 0, "{}", file.display());
        }
    }
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(DB_FILE)), 0o600);

    let conn = raw(&dir);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(usize::try_from(version).unwrap(), MIGRATIONS.len());
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    drop(conn);

    // Re-open: nothing is re-created, data is there.
    let store = Store::open(&dir).unwrap();
    let m = store.merchant("mer_a").unwrap().unwrap();
    assert_eq!(m.publishable_key, "pk_mer_a");
    assert_eq!(m.origins, merchant("mer_a").origins);
    assert_eq!(m.secret_key_hash, merchant("mer_a").secret_key_hash);
    assert_eq!(store.data_keys().unwrap().len(), 1);
    assert_eq!(verify_audit(&store), Ok(2));
}

#[test]
fn a_newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    drop(Store::open(tmp.path()).unwrap());
    raw(tmp.path())
        .pragma_update(None, "user_version", 99)
        .unwrap();
    assert_eq!(Store::open(tmp.path()).err(), Some(StoreError::Database));
}

#[test]
fn merchant_lookups_and_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let a = merchant("mer_a");
    assert_eq!(
        store
            .merchant_by_publishable_key("pk_mer_a", NOW)
            .unwrap()
            .unwrap()
            .merchant
            .id,
        "mer_a"
    );
    assert_eq!(
        store
            .merchant_by_secret_hash(&a.secret_key_hash, NOW)
            .unwrap()
            .unwrap()
            .merchant
            .id,
        "mer_a"
    );
    assert!(
        store
            .merchant_by_secret_hash(&[0; 32], NOW)
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .merchant_by_publishable_key("pk_nope", NOW)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.insert_merchant(a.clone(), event("merchant_create", None)),
        Err(StoreError::Conflict)
    );
    let mut same_pk = merchant("mer_c");
    same_pk.publishable_key = a.publishable_key.clone();
    assert_eq!(
        store.insert_merchant(same_pk, event("merchant_create", None)),
        Err(StoreError::Conflict)
    );
    // The refusals wrote nothing, not even their audit entries.
    assert_eq!(store.merchants().unwrap().len(), 2);
    assert_eq!(verify_audit(&store), Ok(2));
}

#[test]
fn debug_never_shows_key_hashes_or_ciphertext() {
    let m = merchant("mer_a");
    let shown = format!("{m:?}");
    assert!(!shown.contains("secret_key_hash"), "{shown}");
    assert!(!shown.contains("165"), "{shown}"); // 0xA5, the hash's last byte
    assert!(!shown.contains("7, 7"), "{shown}");
    let t = format!("{:?}", token("mer_a", "tok_1"));
    assert!(!t.contains("193") && !t.contains("204"), "{t}"); // 0xC1, 0xCC
    assert!(t.contains("<64 bytes>"), "{t}");
    let seal = AuditSealRecord {
        key: vec![0xAB; 60],
        sealed: None,
    };
    assert_eq!(
        format!("{seal:?}"),
        "AuditSealRecord { key: <60 bytes>, sealed: None }"
    );
}

#[tokio::test]
async fn tokens_are_scoped_to_their_merchant() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let record = token("mer_a", "tok_1");
    store
        .insert_token(
            record.clone(),
            "jti_1".into(),
            NOW + 420,
            event("tokenize", Some("tok_1")),
        )
        .await
        .unwrap();
    assert_eq!(store.token("mer_a", "tok_1").unwrap(), Some(record));
    assert_eq!(store.token("mer_b", "tok_1").unwrap(), None);
    assert_eq!(store.token("mer_a", "tok_2").unwrap(), None);
    assert!(store.jti_seen("jti_1", NOW).unwrap());
    assert!(!store.jti_seen("jti_1", NOW + 420).unwrap());
    assert!(!store.jti_seen("jti_2", NOW).unwrap());

    // Another merchant cannot delete it; the attempt is audited as not_found.
    assert!(
        !store
            .delete_token("mer_b", "tok_1", event("delete", Some("tok_1")))
            .await
            .unwrap()
    );
    assert!(store.token("mer_a", "tok_1").unwrap().is_some());
    let last = store.audit_entries().unwrap().pop().unwrap();
    assert_eq!(
        (last.event.action.as_str(), last.event.outcome.as_str()),
        ("delete", "not_found")
    );

    // A duplicate token (fresh jti) is a conflict and leaves no jti behind.
    let err = store
        .insert_token(
            token("mer_a", "tok_1"),
            "jti_x".into(),
            NOW + 420,
            event("tokenize", None),
        )
        .await;
    assert_eq!(err, Err(StoreError::Conflict));
    assert!(!store.jti_seen("jti_x", NOW).unwrap());
}

#[tokio::test]
async fn a_replayed_jti_writes_only_its_refusal() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    store
        .insert_token(
            token("mer_a", "tok_1"),
            "jti_1".into(),
            NOW + 420,
            event("tokenize", Some("tok_1")),
        )
        .await
        .unwrap();
    let audit_before = store.audit_entries().unwrap().len();
    let again = store
        .insert_token(
            token("mer_a", "tok_2"),
            "jti_1".into(),
            NOW + 999,
            event("tokenize", Some("tok_2")),
        )
        .await;
    assert_eq!(again, Err(StoreError::Replayed));
    assert_eq!(store.token("mer_a", "tok_2").unwrap(), None);
    // The refusal's entry, in the same write, without the token that was not made.
    let entries = store.audit_entries().unwrap();
    assert_eq!(entries.len(), audit_before + 1);
    let refused = &entries[audit_before].event;
    assert_eq!(
        (refused.outcome.as_str(), refused.token.as_deref()),
        ("replayed_envelope", None)
    );
    assert_eq!(count(tmp.path(), "SELECT count(*) FROM tokens"), 1);
    assert_eq!(count(tmp.path(), "SELECT expires_at FROM jtis"), NOW + 420);
}

#[tokio::test]
async fn a_jti_is_stored_as_a_digest_never_as_sent() {
    // Anyone with a publishable key chooses the jti: it could be a card number.
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let jti = "4000056655665556AAAAAAAAAAAAAAAAAA";
    store
        .insert_token(
            token("mer_a", "tok_1"),
            jti.into(),
            NOW + 420,
            event("tokenize", None),
        )
        .await
        .unwrap();
    assert!(store.jti_seen(jti, NOW).unwrap());
    let conn = raw(tmp.path());
    let stored: String = conn
        .query_row("SELECT jti FROM jtis", [], |row| row.get(0))
        .unwrap();
    assert!(stored.starts_with("h:") && stored.len() == 34, "{stored}");
    assert!(!stored.contains("4000056655665556"));
    drop(conn);
    drop(store);
    // Reopened, the memory still refuses it.
    let store = Store::open(tmp.path()).unwrap();
    let again = store
        .insert_token(
            token("mer_a", "tok_2"),
            jti.into(),
            NOW + 420,
            event("tokenize", None),
        )
        .await;
    assert_eq!(again, Err(StoreError::Replayed));
}

#[tokio::test]
async fn the_replay_memory_holds_across_restarts_failed_ops_and_sweeps() {
    let tmp = tempfile::tempdir().unwrap();
    let insert = |store: &Store, token_id: &str, jti: &str| {
        let (store, record, jti) = (store.clone(), token("mer_a", token_id), jti.to_owned());
        async move {
            store
                .insert_token(record, jti, NOW + 420, event("tokenize", None))
                .await
        }
    };
    {
        let store = setup(tmp.path());
        insert(&store, "tok_1", "jti_1").await.unwrap();
        // Refused for its token: its jti is not remembered.
        assert_eq!(
            insert(&store, "tok_1", "jti_2").await,
            Err(StoreError::Conflict)
        );
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(
        insert(&store, "tok_2", "jti_1").await,
        Err(StoreError::Replayed)
    );
    insert(&store, "tok_2", "jti_2").await.unwrap();
    // Twice in one batch, likely: one of the two is refused either way.
    let (a, b) = tokio::join!(
        insert(&store, "tok_3", "jti_3"),
        insert(&store, "tok_4", "jti_3")
    );
    assert_eq!(
        [a, b]
            .iter()
            .filter(|r| **r == Err(StoreError::Replayed))
            .count(),
        1
    );
    assert_eq!(count(tmp.path(), "SELECT count(*) FROM jtis"), 3);
    // Forgotten once swept (an envelope that old is refused as stale before it gets here).
    assert_eq!(store.sweep(NOW + 420).await.unwrap().jtis_deleted, 3);
    insert(&store, "tok_5", "jti_1").await.unwrap();
}

#[tokio::test]
async fn a_version_2_database_keeps_its_jtis() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let conn = raw(tmp.path());
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO jtis (jti, expires_at) VALUES ('jti_old', ?1)",
            [NOW + 420],
        )
        .unwrap();
    }
    let store = setup(tmp.path());
    let again = store
        .insert_token(
            token("mer_a", "tok_1"),
            "jti_old".into(),
            NOW + 420,
            event("tokenize", None),
        )
        .await;
    assert_eq!(again, Err(StoreError::Replayed));
    assert!(store.jti_seen("jti_old", NOW).unwrap());
    assert_eq!(
        count(
            tmp.path(),
            "SELECT count(*) FROM sqlite_schema WHERE name = 'jtis_by_expiry'"
        ),
        1
    );
}

#[test]
fn a_version_4_database_keeps_its_merchants_keys_live_since_their_creation() {
    let tmp = tempfile::tempdir().unwrap();
    let old = merchant("mer_old");
    {
        let conn = raw(tmp.path());
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute(
            "INSERT INTO merchants (id, name, publishable_key, secret_key_hash, origins, \
             fingerprint_key, token_ttl_secs, require_cvc, created_at) \
             VALUES ('mer_old', 'Old', 'pk_mer_old', ?1, '[]', x'07', NULL, 1, ?2)",
            rusqlite::params![old.secret_key_hash.as_slice(), NOW - 100],
        )
        .unwrap();
    }
    let store = setup(tmp.path());
    let found = store
        .merchant_by_secret_hash(&old.secret_key_hash, NOW)
        .unwrap()
        .unwrap();
    assert_eq!(found.merchant.id, "mer_old");
    assert_eq!(found.key.created_at, NOW - 100);
    assert!(found.key.is_current());
    let keys = store.merchant_keys("mer_old", NOW).unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].key, b"pk_mer_old");
    assert!(
        keys.iter()
            .all(|k| k.created_at == NOW - 100 && k.is_current())
    );
}

#[tokio::test]
async fn a_refused_op_does_not_disturb_its_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    // Submitted together, so they are likely to share a batch; correct either way.
    let (a, b, c) = tokio::join!(
        store.insert_token(
            token("mer_a", "tok_1"),
            "jti_1".into(),
            NOW + 1,
            event("tokenize", None)
        ),
        store.insert_token(
            token("mer_a", "tok_2"),
            "jti_1".into(),
            NOW + 1,
            event("tokenize", None)
        ),
        store.insert_token(
            token("mer_a", "tok_3"),
            "jti_3".into(),
            NOW + 1,
            event("tokenize", None)
        ),
    );
    assert_eq!(a, Ok(()));
    assert_eq!(b, Err(StoreError::Replayed));
    assert_eq!(c, Ok(()));
    assert!(store.token("mer_a", "tok_2").unwrap().is_none());
    assert!(store.token("mer_a", "tok_3").unwrap().is_some());
    // The two tokens' entries and the replay's refusal, after the store's own first entries.
    assert_eq!(verify_audit(&store), Ok(5));
}

#[tokio::test]
async fn delete_destroys_the_row() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    store
        .insert_token(
            token("mer_a", "tok_1"),
            "jti_1".into(),
            NOW + 420,
            event("tokenize", Some("tok_1")),
        )
        .await
        .unwrap();
    assert!(
        store
            .delete_token("mer_a", "tok_1", event("delete", Some("tok_1")))
            .await
            .unwrap()
    );
    assert_eq!(store.token("mer_a", "tok_1").unwrap(), None);
    assert_eq!(count(tmp.path(), "SELECT count(*) FROM tokens"), 0);
    assert!(
        !store
            .delete_token("mer_a", "tok_1", event("delete", Some("tok_1")))
            .await
            .unwrap()
    );
    let outcomes: Vec<_> = store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "delete")
        .map(|e| e.event.outcome)
        .collect();
    assert_eq!(outcomes, ["ok", "not_found"]);
    assert_eq!(verify_audit(&store), Ok(5));
}

#[tokio::test]
async fn a_cvc_is_usable_once_and_not_after_expiry() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let mut expiring = token("mer_a", "tok_2");
    expiring.cvc_expires_at = Some(NOW + 10);
    store
        .insert_token(
            token("mer_a", "tok_1"),
            "jti_1".into(),
            NOW + 420,
            event("tokenize", None),
        )
        .await
        .unwrap();
    store
        .insert_token(expiring, "jti_2".into(), NOW + 420, event("tokenize", None))
        .await
        .unwrap();

    assert_eq!(
        store.take_cvc("mer_b", "tok_1", NOW).await.unwrap(),
        None,
        "another merchant's"
    );
    assert_eq!(
        store.take_cvc("mer_a", "tok_1", NOW).await.unwrap(),
        Some(vec![0xCC; 31])
    );
    assert_eq!(store.take_cvc("mer_a", "tok_1", NOW).await.unwrap(), None);
    assert_eq!(store.token("mer_a", "tok_1").unwrap().unwrap().cvc, None);

    // Expired: not returned, and destroyed all the same.
    assert_eq!(
        store.take_cvc("mer_a", "tok_2", NOW + 10).await.unwrap(),
        None
    );
    assert_eq!(
        count(
            tmp.path(),
            "SELECT count(*) FROM tokens WHERE cvc IS NOT NULL"
        ),
        0
    );
    assert_eq!(store.take_cvc("mer_a", "tok_404", NOW).await.unwrap(), None);
}

#[tokio::test]
async fn a_cvc_without_expiry_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let mut bad = token("mer_a", "tok_1");
    bad.cvc_expires_at = None;
    let result = store
        .insert_token(bad, "jti_1".into(), NOW + 1, event("tokenize", None))
        .await;
    assert_eq!(result, Err(StoreError::Database));
    assert!(!store.jti_seen("jti_1", NOW).unwrap());
}

#[tokio::test]
async fn sweep_destroys_what_expired_and_audits() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let mut old = token("mer_a", "tok_old");
    old.expires_at = Some(NOW + 100);
    let mut young = token("mer_b", "tok_young");
    young.expires_at = Some(NOW + 10_000);
    young.cvc_expires_at = Some(NOW + 50);
    let forever = token("mer_a", "tok_forever"); // CVC until NOW + 600
    for (i, t) in [old, young, forever].into_iter().enumerate() {
        store
            .insert_token(
                t,
                format!("jti_{i}"),
                NOW + 60 * (i as i64 + 1),
                event("tokenize", None),
            )
            .await
            .unwrap();
    }

    let report = store.sweep(NOW + 100).await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            tokens_deleted: 1,
            cvcs_cleared: 1,
            jtis_deleted: 1,
            keys_retired: 0,
            more: false
        }
    );
    assert_eq!(store.token("mer_a", "tok_old").unwrap(), None);
    let young = store.token("mer_b", "tok_young").unwrap().unwrap();
    assert_eq!(young.cvc, None);
    assert!(
        store
            .token("mer_a", "tok_forever")
            .unwrap()
            .unwrap()
            .cvc
            .is_some()
    );
    assert_eq!(count(tmp.path(), "SELECT count(*) FROM jtis"), 2);

    let swept: Vec<_> = store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "expiry_sweep")
        .collect();
    assert_eq!(swept.len(), 2);
    assert_eq!(swept[0].event.token.as_deref(), Some("tok_old"));
    assert_eq!(swept[0].event.merchant_id.as_deref(), Some("mer_a"));
    assert_eq!(swept[1].event.token, None);
    assert_eq!(
        swept[1].event.detail.as_deref(),
        Some("1 expired CVCs destroyed")
    );

    // Nothing left to do: no change, no audit.
    let entries = store.audit_entries().unwrap().len();
    assert_eq!(
        store.sweep(NOW + 100).await.unwrap(),
        SweepReport::default()
    );
    assert_eq!(store.audit_entries().unwrap().len(), entries);

    let report = store.sweep(NOW + 10_000).await.unwrap();
    assert_eq!(
        (
            report.tokens_deleted,
            report.cvcs_cleared,
            report.jtis_deleted
        ),
        (1, 1, 2)
    );
    assert_eq!(count(tmp.path(), "SELECT count(*) FROM tokens"), 1);
    assert!(verify_audit(&store).is_ok());
}

#[test]
fn transport_keys_rotate() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let key = |kid: &str, at: i64| TransportKeyRecord {
        kid: kid.into(),
        private_key: vec![1; 1200],
        bits: 2048,
        created_at: at,
        retired_at: None,
        usable_until: None,
    };
    store
        .insert_transport_key(key("k1", NOW), None, event("key_create", None))
        .unwrap();
    store
        .insert_transport_key(
            key("k2", NOW + 5),
            Some((NOW + 5, NOW + 5 + 86_400)),
            event("key_rotate", None),
        )
        .unwrap();
    let keys = store.transport_keys().unwrap();
    assert_eq!(
        keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
        ["k2", "k1"]
    );
    assert_eq!(keys[0].retired_at, None);
    assert_eq!(
        (keys[1].retired_at, keys[1].usable_until),
        (Some(NOW + 5), Some(NOW + 5 + 86_400))
    );
    assert_eq!(
        store.insert_transport_key(key("k2", NOW + 9), None, event("key_import", None)),
        Err(StoreError::Conflict)
    );
    assert!(!format!("{:?}", keys[0]).contains("1, 1"));
}

#[test]
fn receivers() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let r = ReceiverRecord {
        merchant_id: "mer_a".into(),
        name: "psp".into(),
        url: "https://psp.example/api".into(),
        created_at: NOW,
    };
    store
        .insert_receiver(r.clone(), event("receiver_add", None))
        .unwrap();
    assert_eq!(
        store.insert_receiver(r.clone(), event("receiver_add", None)),
        Err(StoreError::Conflict)
    );
    assert_eq!(store.receiver("mer_a", "psp").unwrap(), Some(r.clone()));
    assert_eq!(store.receiver("mer_b", "psp").unwrap(), None);
    assert_eq!(store.receivers("mer_a").unwrap(), [r]);
    assert!(
        !store
            .remove_receiver("mer_b", "psp", event("receiver_remove", None))
            .unwrap()
    );
    assert!(
        store
            .remove_receiver("mer_a", "psp", event("receiver_remove", None))
            .unwrap()
    );
    assert!(store.receivers("mer_a").unwrap().is_empty());
    assert_eq!(verify_audit(&store), Ok(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_chain_holds_across_processes_and_mixed_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let server = setup(tmp.path());
    // A second handle on the same files, as a CLI process would have.
    let cli = Store::open(tmp.path()).unwrap();
    let mut expected = 2u64;
    for i in 0..30i64 {
        let tok = format!("tok_{i}");
        let mut t = token(if i % 2 == 0 { "mer_a" } else { "mer_b" }, &tok);
        t.expires_at = Some(NOW + i);
        server
            .insert_token(
                t,
                format!("jti_{i}"),
                NOW + i,
                event("tokenize", Some(&tok)),
            )
            .await
            .unwrap();
        expected += 1;
        let cli2 = cli.clone();
        let mut e = event("key_rotate", None);
        e.key_kind = Some("operator".into());
        e.detail = Some(format!("rotation {i}"));
        tokio::task::spawn_blocking(move || cli2.append_audit_blocking(e))
            .await
            .unwrap()
            .unwrap();
        expected += 1;
        if i % 3 == 0 {
            server.append_audit(event("refused", None)).await.unwrap();
            expected += 1;
        }
        if i % 5 == 0 {
            let _ = server.take_cvc("mer_a", &tok, NOW).await.unwrap();
            let _ = server
                .delete_token("mer_a", &tok, event("delete", Some(&tok)))
                .await
                .unwrap();
            expected += 1;
        }
    }
    let report = cli.sweep(NOW + 15).await.unwrap();
    expected += report.tokens_deleted + u64::from(report.cvcs_cleared > 0);

    assert_eq!(verify_audit(&server), Ok(expected));
    assert_eq!(verify_audit(&cli), Ok(expected));
    let entries = server.audit_entries().unwrap();
    assert_eq!(entries.len() as u64, expected);
    assert!(
        entries
            .windows(2)
            .all(|w| w[1].prev_hash == w[0].hash && w[1].seq == w[0].seq + 1)
    );
    assert_eq!(entries[0].prev_hash, [0; 32]);
}

#[tokio::test]
async fn tampering_names_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    for i in 0..10 {
        store
            .append_audit(event("read", Some(&format!("tok_{i}"))))
            .await
            .unwrap();
    }
    assert_eq!(verify_audit(&store), Ok(12));

    let conn = raw(tmp.path());
    // The triggers stop honest mistakes; an attacker drops them first.
    assert!(
        conn.execute("UPDATE audit SET outcome = 'ko' WHERE seq = 5", [])
            .is_err()
    );
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();

    let blob = |col: &str, seq: i64| -> Vec<u8> {
        conn.query_row(
            &format!("SELECT {col} FROM audit WHERE seq = ?1"),
            [seq],
            |r| r.get(0),
        )
        .unwrap()
    };
    let set = |col: &str, seq: i64, v: &dyn rusqlite::ToSql| {
        conn.execute(
            &format!("UPDATE audit SET {col} = ?1 WHERE seq = ?2"),
            rusqlite::params![v, seq],
        )
        .unwrap();
    };

    // One byte of a text field.
    set("outcome", 7, &"ko");
    assert_eq!(verify_audit(&store).unwrap_err().seq, 7);
    set("outcome", 7, &"ok");
    assert_eq!(verify_audit(&store), Ok(12));

    // One byte of a stored hash.
    let original = blob("hash", 4);
    let mut flipped = original.clone();
    flipped[13] ^= 0x01;
    set("hash", 4, &flipped);
    let broken = verify_audit(&store).unwrap_err();
    assert_eq!(broken.seq, 4);
    assert_eq!(broken.reason, "hash does not match the entry");
    set("hash", 4, &original);

    // One byte of a prev_hash.
    let original = blob("prev_hash", 9);
    let mut flipped = original.clone();
    flipped[0] ^= 0x80;
    set("prev_hash", 9, &flipped);
    assert_eq!(verify_audit(&store).unwrap_err().seq, 9);
    set("prev_hash", 9, &original);

    // The timestamp.
    set("at", 2, &(NOW + 1));
    assert_eq!(verify_audit(&store).unwrap_err().seq, 2);
    set("at", 2, &NOW);

    // A hash of the wrong length.
    set("hash", 6, &vec![0u8; 31]);
    assert_eq!(
        verify_audit(&store),
        Err(AuditBreak {
            seq: 6,
            reason: "malformed entry"
        })
    );
    set("hash", 6, &blob("prev_hash", 7));
    assert_eq!(verify_audit(&store), Ok(12));

    // A removed entry.
    conn.execute("DELETE FROM audit WHERE seq = 10", [])
        .unwrap();
    let broken = verify_audit(&store).unwrap_err();
    assert_eq!(broken.seq, 11);
    assert_eq!(
        broken.reason,
        "gap in the sequence: the entry before it is missing"
    );
}

#[test]
fn group_commit_batches_concurrent_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(8)
        .enable_all()
        .build()
        .unwrap();
    let before = store.batches_committed();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let tok = format!("tok_{i}");
                    store
                        .insert_token(
                            token("mer_a", &tok),
                            format!("jti_{i}"),
                            NOW + 420,
                            event("tokenize", Some(&tok)),
                        )
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    let batches = store.batches_committed() - before;
    assert_eq!(count(tmp.path(), "SELECT count(*) FROM tokens"), 200);
    assert_eq!(verify_audit(&store), Ok(202));
    assert!(batches < 50, "{batches} commits for 200 writes");
    eprintln!("group commit: 200 writes in {batches} commits");
}

#[test]
fn writes_after_the_last_handle_drops_are_durable() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let store = setup(tmp.path());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(store.append_audit(event("refused", None)))
            .unwrap();
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(verify_audit(&store), Ok(3));
}

#[tokio::test]
async fn destroyed_ciphertext_leaves_the_files_after_a_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    let card: Vec<u8> = (0..96u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
    let cvc: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(91) ^ 0xA7).collect();
    let mut deleted = token("mer_a", "tok_gone");
    deleted.card = card.clone();
    let mut used = token("mer_a", "tok_used");
    used.cvc = Some(cvc.clone());
    store
        .insert_token(deleted, "jti_1".into(), NOW + 1, event("tokenize", None))
        .await
        .unwrap();
    store
        .insert_token(used, "jti_2".into(), NOW + 1, event("tokenize", None))
        .await
        .unwrap();

    let files = || {
        let mut all = Vec::new();
        for name in [DB_FILE.to_owned(), format!("{DB_FILE}-wal")] {
            all.extend(std::fs::read(tmp.path().join(name)).unwrap_or_default());
        }
        all
    };
    let holds =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    assert!(
        holds(&files(), &card) && holds(&files(), &cvc),
        "the test looks for the right bytes"
    );

    assert!(
        store
            .delete_token("mer_a", "tok_gone", event("delete", None))
            .await
            .unwrap()
    );
    assert_eq!(
        store.take_cvc("mer_a", "tok_used", NOW).await.unwrap(),
        Some(cvc.clone())
    );
    store.sweep(NOW).await.unwrap();
    let after = files();
    assert!(
        !holds(&after, &card),
        "a deleted card's ciphertext is still in the files"
    );
    assert!(
        !holds(&after, &cvc),
        "a used CVC's ciphertext is still in the files"
    );
}

/// A store whose audit log has 2 entries from before it had a seal key, then 5 sealed ones; and
/// a second copy of its seal key, to verify with.
async fn sealed_store(dir: &Path) -> (Store, AuditSealKey) {
    let store = setup(dir);
    let key = AuditSealKey::generate().unwrap();
    let copy = AuditSealKey::from_bytes(&key.to_bytes()).unwrap();
    store.insert_audit_seal_key(vec![0xAB; 60]).unwrap();
    store.seal_audit_with(key, true).unwrap();
    for i in 0..5 {
        store
            .append_audit(event("read", Some(&format!("tok_{i}"))))
            .await
            .unwrap();
    }
    let sealed = SealedReport {
        entries: 7,
        sealed_since: Some(2),
    };
    assert_eq!(verify_audit_sealed(&store, Some(&copy), None), Ok(sealed));
    (store, copy)
}

/// The raw database with the append-only triggers dropped, as someone with write access would.
fn attacker(dir: &Path) -> Connection {
    let conn = raw(dir);
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    conn
}

/// Writes `entry` over the row of its `seq` (or as a new row), its hash computed as the vault
/// would: what someone without the seal key can do.
fn forge(conn: &Connection, entry: &AuditEntry) {
    let e = &entry.event;
    conn.execute(
        "INSERT OR REPLACE INTO audit (seq, at, request_id, merchant_id, key_kind, client, action, \
         token, outcome, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        rusqlite::params![
            entry.seq, e.at, e.request_id, e.merchant_id, e.key_kind, e.client, e.action, e.token,
            e.outcome, e.detail, entry.prev_hash, entry.hash
        ],
    )
    .unwrap();
}

#[tokio::test]
async fn the_seal_shows_a_rewritten_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    let conn = attacker(tmp.path());
    // Entry 4 changed, and every hash from it on recomputed: the chain verifies.
    let mut entries = store.audit_entries().unwrap();
    entries[3].event.outcome = "denied".into();
    let mut prev = entries[2].hash;
    for entry in &mut entries[3..] {
        entry.prev_hash = prev;
        entry.hash = audit::entry_hash(&prev, entry.seq, &entry.event);
        prev = entry.hash;
        forge(&conn, entry);
    }
    assert_eq!(verify_audit(&store), Ok(7));
    assert_eq!(
        verify_audit_sealed(&store, Some(&key), None),
        Err(AuditBreak {
            seq: 7,
            reason: "not the entry sealed: the chain was rewritten"
        })
    );
}

#[tokio::test]
async fn the_seal_shows_a_log_cut_short() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    attacker(tmp.path())
        .execute("DELETE FROM audit WHERE seq >= 6", [])
        .unwrap();
    assert_eq!(verify_audit(&store), Ok(5));
    let broken = verify_audit_sealed(&store, Some(&key), None).unwrap_err();
    assert_eq!(broken.seq, 6);
    assert_eq!(
        broken.reason,
        "missing: the seal covers entries after the last one (the log was cut)"
    );
}

#[tokio::test]
async fn the_seal_shows_an_entry_added_without_it_and_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    let entries = store.audit_entries().unwrap();
    let last = entries.last().unwrap();
    let mut added = last.clone();
    added.seq = 8;
    added.event.action = "delete".into();
    added.prev_hash = last.hash;
    added.hash = audit::entry_hash(&last.hash, 8, &added.event);
    forge(&attacker(tmp.path()), &added);
    assert_eq!(verify_audit(&store), Ok(8));
    let expected = Err(AuditBreak {
        seq: 8,
        reason: "after the sealed head: added without the seal key",
    });
    assert_eq!(verify_audit_sealed(&store, Some(&key), None), expected);
    // The vault goes on appending, but does not seal over the added entry.
    store.append_audit(event("read", None)).await.unwrap();
    assert_eq!(verify_audit(&store), Ok(9));
    assert_eq!(verify_audit_sealed(&store, Some(&key), None), expected);
}

#[tokio::test]
async fn a_seal_changed_removed_or_under_another_key_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    let conn = attacker(tmp.path());
    let does_not_verify = Err(AuditBreak {
        seq: 7,
        reason: "the seal does not verify: changed, or sealed under another key",
    });
    let other = AuditSealKey::generate().unwrap();
    assert_eq!(
        verify_audit_sealed(&store, Some(&other), None),
        does_not_verify
    );
    assert_eq!(verify_audit_sealed(&store, None, None), does_not_verify);
    // Claiming the log was sealed from its first entry.
    conn.execute("UPDATE audit_seal SET since = 0", []).unwrap();
    assert_eq!(
        verify_audit_sealed(&store, Some(&key), None),
        does_not_verify
    );
    conn.execute("DELETE FROM audit_seal", []).unwrap();
    let no_seal = Err(AuditBreak {
        seq: 1,
        reason: "the log has no seal",
    });
    assert_eq!(verify_audit_sealed(&store, Some(&key), None), no_seal);
    // Its key gone with it: what `audit verify` finds with the master key.
    assert_eq!(verify_audit_sealed(&store, None, None), no_seal);
    // Not an empty one.
    let empty = tempfile::tempdir().unwrap();
    let fresh = Store::open(empty.path()).unwrap();
    let none = SealedReport {
        entries: 0,
        sealed_since: None,
    };
    assert_eq!(verify_audit_sealed(&fresh, Some(&key), None), Ok(none));
    assert_eq!(verify_audit_sealed(&fresh, None, None), Ok(none));
}

#[tokio::test]
async fn two_processes_with_the_key_keep_one_seal() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, key) = sealed_store(tmp.path()).await;
    // A second handle (another process: an operator's command) with the same key.
    let cli = Store::open(tmp.path()).unwrap();
    cli.seal_audit_with(AuditSealKey::from_bytes(&key.to_bytes()).unwrap(), false)
        .unwrap();
    for i in 0..4 {
        let (writer, action) = if i % 2 == 0 {
            (&server, "read")
        } else {
            (&cli, "receiver_add")
        };
        writer.append_audit(event(action, None)).await.unwrap();
    }
    let sealed = SealedReport {
        entries: 11,
        sealed_since: Some(2),
    };
    assert_eq!(verify_audit_sealed(&server, Some(&key), None), Ok(sealed));
}

// -- a wiped log, the triggers, the expected head (issue 22, B) ---------------------------------

/// The sealed store with its triggers dropped, every entry deleted and its seal nulled: what
/// the tester did with write access and no key.
#[tokio::test]
async fn a_wiped_log_and_seal_are_not_an_empty_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    let conn = attacker(tmp.path());
    conn.execute_batch(
        "DELETE FROM audit; UPDATE audit_seal SET since = NULL, seq = NULL, hash = NULL, mac = NULL;",
    )
    .unwrap();
    assert_eq!(
        verify_audit(&store),
        Ok(0),
        "the chain alone sees an empty log"
    );
    let wiped = "missing: the log and its seal are empty, but the store holds merchants, \
                 keys, tokens or receivers, made after sealing began (the log was wiped)";
    let broken = verify_audit_sealed(&store, Some(&key), None).unwrap_err();
    assert_eq!((broken.seq, broken.reason), (1, wiped));
    assert_eq!(
        verify_audit_unkeyed(&store, None).unwrap_err().reason,
        wiped
    );
    // The seal row gone too (its key with it): the same.
    conn.execute("DELETE FROM audit_seal", []).unwrap();
    assert_eq!(
        verify_audit_sealed(&store, None, None).unwrap_err().reason,
        wiped
    );
    assert_eq!(
        verify_audit_unkeyed(&store, None).unwrap_err().reason,
        wiped
    );
}

#[tokio::test]
async fn missing_changed_or_added_triggers_break_the_log() {
    let triggers = "the append-only triggers are missing, disabled or changed (the schema's \
                    are exactly those it created)";
    let attacks = [
        "DROP TRIGGER audit_no_delete",
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete",
        "DROP TRIGGER audit_no_update; CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit \
         BEGIN SELECT 1; END",
        "CREATE TRIGGER audit_rewrite AFTER INSERT ON audit BEGIN SELECT 1; END",
    ];
    for attack in attacks {
        let tmp = tempfile::tempdir().unwrap();
        let (store, key) = sealed_store(tmp.path()).await;
        raw(tmp.path()).execute_batch(attack).unwrap();
        let expected = Err(AuditBreak {
            seq: 0,
            reason: triggers,
        });
        assert_eq!(
            verify_audit_sealed(&store, Some(&key), None),
            expected,
            "{attack}"
        );
        assert_eq!(
            verify_audit_unkeyed(&store, None).unwrap_err().reason,
            triggers,
            "{attack}"
        );
        assert_eq!(
            format!("{}", verify_audit_unkeyed(&store, None).unwrap_err()),
            format!("the audit log: {triggers}")
        );
    }
}

#[tokio::test]
async fn a_head_cut_under_a_wiped_seal_stays_unsealed() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    attacker(tmp.path())
        .execute_batch(
            "DELETE FROM audit WHERE seq >= 6; \
             UPDATE audit_seal SET since = NULL, seq = NULL, hash = NULL, mac = NULL;",
        )
        .unwrap();
    assert_eq!(verify_audit(&store), Ok(5));
    let broken = AuditBreak {
        seq: 1,
        reason: "the log has no seal",
    };
    let no_seal = Err(broken);
    assert_eq!(verify_audit_sealed(&store, Some(&key), None), no_seal);
    assert_eq!(verify_audit_unkeyed(&store, None), Err(broken));
    // The vault goes on appending but does not begin sealing again over the cut log.
    store.append_audit(event("read", None)).await.unwrap();
    assert_eq!(verify_audit_sealed(&store, Some(&key), None), no_seal);
    assert!(store.audit_seal().unwrap().unwrap().sealed.is_none());
    // Only an explicit beginning (a database from before the seal) seals it.
    store
        .seal_audit_with(AuditSealKey::from_bytes(&key.to_bytes()).unwrap(), true)
        .unwrap();
    let sealed = store.audit_seal().unwrap().unwrap().sealed.unwrap();
    assert_eq!((sealed.since, sealed.seq), (6, 6));
}

#[tokio::test]
async fn a_healthy_log_verifies_every_way() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    let head = store.audit_entries().unwrap().pop().unwrap();
    let expect = ExpectedHead {
        seq: head.seq,
        hash: head.hash,
    };
    assert_eq!(
        verify_audit_sealed(&store, Some(&key), Some(&expect)),
        Ok(SealedReport {
            entries: 7,
            sealed_since: Some(2)
        })
    );
    assert_eq!(verify_audit_unkeyed(&store, Some(&expect)), Ok(7));
    // An older head is still in a longer log.
    store.append_audit(event("read", None)).await.unwrap();
    assert_eq!(verify_audit_unkeyed(&store, Some(&expect)), Ok(8));
    // A new database: nothing in it, nothing to seal.
    let empty = tempfile::tempdir().unwrap();
    let fresh = Store::open(empty.path()).unwrap();
    assert_eq!(verify_audit_unkeyed(&fresh, None), Ok(0));
}

#[tokio::test]
async fn the_expected_head_shows_a_cut_a_rewrite_and_an_earlier_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, key) = sealed_store(tmp.path()).await;
    let entries = store.audit_entries().unwrap();
    let head = ExpectedHead {
        seq: entries[6].seq,
        hash: entries[6].hash,
    };
    // Another hash for that entry: the log was rewritten (or is another log).
    let mut other = head;
    other.hash[0] ^= 1;
    let rewritten = AuditBreak {
        seq: 7,
        reason: "not the expected head: the log was rewritten",
    };
    assert_eq!(
        verify_audit_sealed(&store, Some(&key), Some(&other)),
        Err(rewritten)
    );
    assert_eq!(verify_audit_unkeyed(&store, Some(&other)), Err(rewritten));
    // An entry the log does not reach: cut, or an earlier copy put back (whose seal verifies).
    let later = ExpectedHead {
        seq: 9,
        hash: head.hash,
    };
    let missing = AuditBreak {
        seq: 9,
        reason: "missing: the expected head is not in the log (it was cut, or put back to an earlier copy)",
    };
    assert_eq!(
        verify_audit_sealed(&store, Some(&key), None).map(|r| r.entries),
        Ok(7)
    );
    assert_eq!(
        verify_audit_sealed(&store, Some(&key), Some(&later)),
        Err(missing)
    );
    assert_eq!(verify_audit_unkeyed(&store, Some(&later)), Err(missing));
}

#[test]
fn an_expected_head_parses_as_the_server_log_prints_it() {
    let hash = [0xA5u8; 32];
    let head = ExpectedHead { seq: 12, hash };
    let text = head.to_string();
    assert_eq!(text, format!("12:{}", "a5".repeat(32)));
    assert_eq!(text.parse::<ExpectedHead>(), Ok(head));
    assert_eq!(
        format!("12:{}", "A5".repeat(32)).parse::<ExpectedHead>(),
        Ok(head)
    );
    for bad in [
        "",
        "12",
        &format!("0:{}", "a5".repeat(32)),
        &format!("-1:{}", "a5".repeat(32)),
        &format!("x:{}", "a5".repeat(32)),
        &format!("12:{}", "a5".repeat(31)),
        &format!("12:{}a", "a5".repeat(31)),
        &format!("12:{}zz", "a5".repeat(31)),
        &format!("12:{}+5", "a5".repeat(31)),
    ] {
        assert!(bad.parse::<ExpectedHead>().is_err(), "{bad}");
    }
}

#[tokio::test]
async fn a_new_database_has_exactly_the_expected_triggers() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = sealed_store(tmp.path()).await;
    assert_eq!(verify_audit_unkeyed(&store, None), Ok(7));
    assert!(store.holds_records().unwrap());
    let empty = tempfile::tempdir().unwrap();
    assert!(!Store::open(empty.path()).unwrap().holds_records().unwrap());
}

// -- card enumeration (issue 22, A2) ------------------------------------------------------------

const TWO_PER_DAY: EnumerationLimit = EnumerationLimit {
    limit: 2,
    window_secs: 86_400,
};

/// Token `name` of `mer_a` for the number fingerprinted `fp`, with BIN 424242 and `last4`, made
/// at `at`.
fn card_token(name: &str, fp: &str, last4: &str, at: i64) -> TokenRecord {
    let mut record = token("mer_a", name);
    record.fingerprint = fp.into();
    record.last4 = last4.into();
    record.created_at = at;
    record
}

async fn tokenize(store: &Store, record: TokenRecord) -> Result<(), StoreError> {
    let jti = format!("jti_{}", record.token);
    let at = record.created_at;
    let event = event("tokenize", Some(&record.token));
    store
        .insert_token_limited(record, jti, at + 420, event, TWO_PER_DAY)
        .await
}

#[tokio::test]
async fn enumerating_one_bin_and_last_four_is_refused_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let store = setup(tmp.path());
    tokenize(&store, card_token("tok_1", "fp_1", "4242", NOW))
        .await
        .unwrap();
    tokenize(&store, card_token("tok_2", "fp_2", "4242", NOW + 1))
        .await
        .unwrap();
    let entries_before = store.audit_entries().unwrap().len();
    assert_eq!(
        tokenize(&store, card_token("tok_3", "fp_3", "4242", NOW + 2)).await,
        Err(StoreError::CardEnumeration)
    );
    // Nothing stored (not the token, not its jti) but the refusal, in the chain.
    assert_eq!(store.token("mer_a", "tok_3").unwrap(), None);
    assert!(!store.jti_seen("jti_tok_3", NOW).unwrap());
    let entries = store.audit_entries().unwrap();
    assert_eq!(entries.len(), entries_before + 1);
    let refusal = &entries.last().unwrap().event;
    assert_eq!(refusal.action, "refused");
    assert_eq!(refusal.outcome, "card_enumeration");
    assert_eq!(refusal.token, None);
    assert_eq!(verify_audit(&store), Ok(entries.len() as u64));
    // A known number still tokenizes; so does another last four, or another merchant.
    tokenize(&store, card_token("tok_4", "fp_1", "4242", NOW + 3))
        .await
        .unwrap();
    tokenize(&store, card_token("tok_5", "fp_3", "4243", NOW + 4))
        .await
        .unwrap();
    let mut elsewhere = card_token("tok_6", "fp_3", "4242", NOW + 5);
    elsewhere.merchant_id = "mer_b".into();
    tokenize(&store, elsewhere).await.unwrap();
    // No limit: not checked.
    store
        .insert_token(
            card_token("tok_7", "fp_7", "4242", NOW + 6),
            "jti_7".into(),
            NOW + 420,
            event("tokenize", None),
        )
        .await
        .unwrap();
    // Refusals count too: after the limit's worth of them, the BIN and last four are closed to
    // the merchant for the window, known numbers included (else an accepted number, once the
    // memory is full, would say which candidate is a known card).
    assert_eq!(
        tokenize(&store, card_token("tok_8", "fp_8", "4242", NOW + 7)).await,
        Err(StoreError::CardEnumeration)
    );
    assert_eq!(
        tokenize(&store, card_token("tok_9", "fp_1", "4242", NOW + 8)).await,
        Err(StoreError::CardEnumeration)
    );
    let rows = count(tmp.path(), "SELECT count(*) FROM card_enumeration");
    assert_eq!(
        tokenize(&store, card_token("tok_10", "fp_10", "4242", NOW + 9)).await,
        Err(StoreError::CardEnumeration)
    );
    assert_eq!(
        count(tmp.path(), "SELECT count(*) FROM card_enumeration"),
        rows,
        "a closed BIN and last four remembers no more"
    );
    // Another last four is open still.
    tokenize(&store, card_token("tok_11", "fp_10", "4243", NOW + 10))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_card_memory_survives_a_restart_and_ends_with_its_window() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let store = setup(tmp.path());
        tokenize(&store, card_token("tok_1", "fp_1", "4242", NOW))
            .await
            .unwrap();
        tokenize(&store, card_token("tok_2", "fp_2", "4242", NOW + 10))
            .await
            .unwrap();
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(
        tokenize(&store, card_token("tok_3", "fp_3", "4242", NOW + 20)).await,
        Err(StoreError::CardEnumeration),
        "a restart reset the memory"
    );
    // Two numbers and one refusal.
    assert_eq!(
        count(tmp.path(), "SELECT count(*) FROM card_enumeration"),
        3
    );
    // fp_1's window ends first: then one new number fits again, not two.
    let later = NOW + TWO_PER_DAY.window_secs;
    tokenize(&store, card_token("tok_4", "fp_3", "4242", later))
        .await
        .unwrap();
    assert_eq!(
        tokenize(&store, card_token("tok_5", "fp_4", "4242", later + 1)).await,
        Err(StoreError::CardEnumeration)
    );
    // The sweep forgets what is past its window.
    store.sweep(later + 10).await.unwrap();
    assert_eq!(
        count(tmp.path(), "SELECT count(*) FROM card_enumeration"),
        3
    );
    store
        .sweep(later + 10 + TWO_PER_DAY.window_secs)
        .await
        .unwrap();
    assert_eq!(
        count(tmp.path(), "SELECT count(*) FROM card_enumeration"),
        0
    );
}

#[test]
fn only_a_new_or_a_pre_seal_database_gets_a_new_seal_key() {
    use crate::keys::MasterKey;
    use crate::vault::{BootError, seal_audit};
    let master = MasterKey::generate().unwrap();
    // From before the seal (schema version 1), with an entry: sealed from its head, once.
    let old = tempfile::tempdir().unwrap();
    {
        let conn = raw(old.path());
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(old.path()).unwrap();
    assert!(store.predates_seal());
    store
        .insert_merchant(merchant("mer_a"), event("merchant_create", None))
        .unwrap();
    seal_audit(&store, &master).unwrap();
    let sealed = store.audit_seal().unwrap().unwrap().sealed.unwrap();
    assert_eq!((sealed.since, sealed.seq), (1, 1));
    drop(store);
    assert!(!Store::open(old.path()).unwrap().predates_seal());
    // A store that holds records and lost its seal row gets no new key.
    raw(old.path())
        .execute("DELETE FROM audit_seal", [])
        .unwrap();
    let store = Store::open(old.path()).unwrap();
    assert!(matches!(
        seal_audit(&store, &master),
        Err(BootError::Corrupt(_))
    ));
    assert_eq!(store.audit_seal().unwrap(), None);
    // A new one does.
    let new = tempfile::tempdir().unwrap();
    let store = Store::open(new.path()).unwrap();
    assert!(!store.predates_seal());
    seal_audit(&store, &master).unwrap();
    assert!(store.audit_seal().unwrap().is_some());
}
