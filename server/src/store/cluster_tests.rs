//! The store's guarantees on both backends, and across instances on PostgreSQL: two `Store`
//! handles on one database are two vaults (each its own pool, writer thread and runtime).
//! PostgreSQL tests need `CARDVAULT_TEST_DATABASE_URL` (`cargo xtask test` provides it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::testing::TestDatabase;
use super::*;
use crate::keys::AuditSealKey;

fn now() -> i64 {
    crate::vault::now_unix()
}

fn event(action: &str, token: Option<&str>) -> AuditEvent {
    AuditEvent {
        at: now(),
        request_id: None,
        merchant_id: Some("mer_a".into()),
        key_kind: Some("secret".into()),
        client: Some("192.0.2.1".into()),
        action: action.into(),
        token: token.map(Into::into),
        outcome: "ok".into(),
        detail: None,
    }
}

fn merchant(id: &str) -> MerchantRecord {
    let mut hash = [0xA5u8; 32];
    for (i, b) in id.bytes().enumerate() {
        hash[i % 31] ^= b;
    }
    MerchantRecord {
        id: id.into(),
        name: format!("Shop {id}"),
        publishable_key: format!("pk_{id}"),
        secret_key_hash: hash,
        origins: vec!["https://shop.example".into()],
        fingerprint_key: vec![7; 40],
        token_ttl_secs: None,
        require_cvc: false,
        created_at: now(),
    }
}

fn token(id: &str, fingerprint: &str) -> TokenRecord {
    TokenRecord {
        token: id.into(),
        merchant_id: "mer_a".into(),
        card: vec![0xC1; 64],
        cvc: Some(vec![0xCC; 31]),
        cvc_expires_at: Some(now() + 600),
        data_key_version: 1,
        brand: "visa".into(),
        last4: "4242".into(),
        bin: "424242".into(),
        exp_month: 12,
        exp_year: 2040,
        fingerprint: fingerprint.into(),
        created_at: now(),
        expires_at: None,
    }
}

/// The tests' audit seal key.
fn test_key() -> AuditSealKey {
    AuditSealKey::from_bytes(&[3; 32]).unwrap()
}

/// Tokenizations of `mer_a` submitted at once, each `(token id, fingerprint, jti)` from its own
/// task, so the writer takes them in a few batches; their answers in the order given.
async fn tokenize_at_once(
    store: &Store,
    ops: Vec<(String, String, String)>,
) -> Vec<Result<(), StoreError>> {
    let tasks: Vec<_> = ops
        .into_iter()
        .map(|(id, fingerprint, jti)| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .insert_token(
                        token(&id, &fingerprint),
                        jti,
                        now() + 300,
                        event("tokenize", Some(&id)),
                    )
                    .await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

/// A store as the vault leaves it after opening: a seal, a data key, merchant `mer_a`.
fn prepare(store: &Store) {
    seal(store, &test_key());
    store
        .insert_data_key(
            DataKeyRecord {
                version: 1,
                key: vec![9; 60],
                created_at: now(),
            },
            None,
        )
        .unwrap();
    store
        .insert_merchant(merchant("mer_a"), event("merchant_create", None))
        .unwrap();
}

fn seal(store: &Store, key: &AuditSealKey) {
    match store.insert_audit_seal_key(vec![1; 60]) {
        Ok(()) | Err(StoreError::Conflict) => {}
        Err(e) => panic!("{e}"),
    }
    let copy = AuditSealKey::from_bytes(&key.to_bytes()).unwrap();
    store.seal_audit_with(copy, false).unwrap();
}

/// The same test on SQLite and, when a server is given, on PostgreSQL.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let data = dir.path().join("data");
                let open = move || Store::open(&data).unwrap();
                ($body)(&open).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = TestDatabase::create() else {
                    return;
                };
                let open = || db.open();
                ($body)(&open).await;
            }
        }
    };
}

on_both!(
    a_token_lives_and_dies_with_its_guarantees,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            let key = test_key();
            let jti_expires = now() + 300;
            store
                .insert_token(
                    token("tok_1", "fp_1"),
                    "jti-1".into(),
                    jti_expires,
                    event("tokenize", Some("tok_1")),
                )
                .await
                .unwrap();
            // The same envelope again: refused, audited, nothing made.
            let replay = store
                .insert_token(
                    token("tok_2", "fp_1"),
                    "jti-1".into(),
                    jti_expires,
                    event("tokenize", Some("tok_2")),
                )
                .await;
            assert_eq!(replay, Err(StoreError::Replayed));
            assert!(store.token("mer_a", "tok_2").unwrap().is_none());
            assert!(store.jti_seen("jti-1", now()).unwrap());

            let read = store.token("mer_a", "tok_1").unwrap().unwrap();
            assert_eq!(read, token("tok_1", "fp_1").clone_with_times(&read));
            assert!(
                store.token("mer_b", "tok_1").unwrap().is_none(),
                "another merchant's"
            );

            // The CVC once.
            assert!(
                store
                    .take_cvc("mer_a", "tok_1", now())
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(
                store
                    .take_cvc("mer_a", "tok_1", now())
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(
                store
                    .token("mer_a", "tok_1")
                    .unwrap()
                    .unwrap()
                    .cvc
                    .is_none()
            );

            // A conflict is that op's alone: the others of its batch stand.
            assert_eq!(
                store.insert_merchant(merchant("mer_a"), event("merchant_create", None)),
                Err(StoreError::Conflict)
            );

            assert!(
                store
                    .delete_token("mer_a", "tok_1", event("delete", Some("tok_1")))
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .delete_token("mer_a", "tok_1", event("delete", Some("tok_1")))
                    .await
                    .unwrap()
            );
            assert!(store.token("mer_a", "tok_1").unwrap().is_none());

            let entries = store.audit_entries().unwrap();
            let outcomes: Vec<(&str, &str, Option<&str>)> = entries
                .iter()
                .map(|e| {
                    (
                        e.event.action.as_str(),
                        e.event.outcome.as_str(),
                        e.event.token.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                outcomes,
                [
                    ("merchant_create", "ok", None),
                    ("tokenize", "ok", Some("tok_1")),
                    ("tokenize", "replayed_envelope", None),
                    ("delete", "ok", Some("tok_1")),
                    ("delete", "not_found", None),
                ]
            );
            let report = verify_audit_sealed(&store, Some(&key), None).unwrap();
            assert_eq!(report.entries, 5);
            store.ping().unwrap();
        }
    }
);

on_both!(
    expired_tokens_and_cvcs_are_swept_and_audited,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            let mut old = token("tok_old", "fp_1");
            old.expires_at = Some(now() - 1);
            let mut cvc_gone = token("tok_cvc", "fp_2");
            cvc_gone.cvc_expires_at = Some(now() - 1);
            store
                .insert_token(
                    old,
                    "j1".into(),
                    now() - 1,
                    event("tokenize", Some("tok_old")),
                )
                .await
                .unwrap();
            store
                .insert_token(
                    cvc_gone,
                    "j2".into(),
                    now() + 60,
                    event("tokenize", Some("tok_cvc")),
                )
                .await
                .unwrap();
            let report = store.sweep(now()).await.unwrap();
            assert_eq!(
                (
                    report.tokens_deleted,
                    report.cvcs_cleared,
                    report.jtis_deleted
                ),
                (1, 1, 1)
            );
            assert!(store.token("mer_a", "tok_old").unwrap().is_none());
            assert!(
                store
                    .token("mer_a", "tok_cvc")
                    .unwrap()
                    .unwrap()
                    .cvc
                    .is_none()
            );
            let again = store.sweep(now()).await.unwrap();
            assert_eq!(again, SweepReport::default());
            verify_audit(&store).unwrap();
        }
    }
);

on_both!(enumeration_is_bounded, |open: &dyn Fn() -> Store| {
    let store = open();
    async move {
        prepare(&store);
        let limit = EnumerationLimit {
            limit: 2,
            window_secs: 3600,
        };
        for (i, fp) in ["fp_1", "fp_2"].iter().enumerate() {
            let id = format!("tok_{i}");
            store
                .insert_token_limited(
                    token(&id, fp),
                    format!("j{i}"),
                    now() + 60,
                    event("tokenize", Some(&id)),
                    limit,
                )
                .await
                .unwrap();
        }
        let third = store
            .insert_token_limited(
                token("tok_3", "fp_3"),
                "j3".into(),
                now() + 60,
                event("tokenize", Some("tok_3")),
                limit,
            )
            .await;
        assert_eq!(third, Err(StoreError::CardEnumeration));
        assert!(store.token("mer_a", "tok_3").unwrap().is_none());
        assert!(
            !store.jti_seen("j3", now()).unwrap(),
            "a refused envelope is not used up"
        );
        // A known number still goes in.
        store
            .insert_token_limited(
                token("tok_4", "fp_1"),
                "j4".into(),
                now() + 60,
                event("tokenize", Some("tok_4")),
                limit,
            )
            .await
            .unwrap();
        let last = store.audit_entries().unwrap().pop().unwrap();
        assert_eq!(last.event.token.as_deref(), Some("tok_4"));
        verify_audit(&store).unwrap();
    }
});

/// The merchant found by a publishable key at `at`: its id, and whether by its current key.
fn by_pk(store: &Store, pk: &str, at: i64) -> Option<(String, bool)> {
    store
        .merchant_by_publishable_key(pk, at)
        .unwrap()
        .map(|f| (f.merchant.id, f.key.is_current()))
}

fn by_sk(store: &Store, hash: &[u8; 32], at: i64) -> Option<(String, bool)> {
    store
        .merchant_by_secret_hash(hash, at)
        .unwrap()
        .map(|f| (f.merchant.id, f.key.is_current()))
}

fn operator() -> AuditEvent {
    AuditEvent {
        key_kind: Some("operator".into()),
        merchant_id: None,
        client: None,
        action: "merchant_key_roll".into(),
        ..event("merchant_key_roll", None)
    }
}

on_both!(
    a_rolled_key_works_for_its_grace_then_not,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            let old = merchant("mer_a");
            let t = now();
            let new_hash = [0x5E; 32];
            let replaced = store
                .roll_merchant_key(
                    "mer_a",
                    MerchantKeyKind::Secret,
                    new_hash.to_vec(),
                    t,
                    t + 60,
                    operator(),
                )
                .unwrap()
                .unwrap();
            assert_eq!(replaced.key, old.secret_key_hash.to_vec());
            assert_eq!(replaced.usable_until, Some(t + 60));
            // Both keys now; the old one until its grace ends, compared with the clock given.
            assert_eq!(by_sk(&store, &new_hash, t), Some(("mer_a".into(), true)));
            let old_hash = old.secret_key_hash;
            assert_eq!(by_sk(&store, &old_hash, t), Some(("mer_a".into(), false)));
            assert_eq!(by_sk(&store, &old_hash, t + 59).map(|f| f.1), Some(false));
            assert_eq!(by_sk(&store, &old_hash, t + 60), None);
            let record = store.merchant("mer_a").unwrap().unwrap();
            assert_eq!(record.secret_key_hash, new_hash);
            assert_eq!(record.publishable_key, old.publishable_key, "untouched");

            // The publishable key, with no grace: refused at once.
            let replaced = store
                .roll_merchant_key(
                    "mer_a",
                    MerchantKeyKind::Publishable,
                    b"pk_new".to_vec(),
                    t,
                    t,
                    operator(),
                )
                .unwrap()
                .unwrap();
            assert_eq!(replaced.key, old.publishable_key.as_bytes());
            assert_eq!(by_pk(&store, "pk_new", t), Some(("mer_a".into(), true)));
            assert_eq!(by_pk(&store, &old.publishable_key, t), None);

            // What `merchant list` shows: both current keys and the secret one in its grace.
            let keys = store.merchant_keys("mer_a", t).unwrap();
            let shown: Vec<_> = keys
                .iter()
                .map(|k| (k.kind, k.key.clone(), k.usable_until))
                .collect();
            assert_eq!(
                shown,
                [
                    (MerchantKeyKind::Publishable, b"pk_new".to_vec(), None),
                    (MerchantKeyKind::Secret, new_hash.to_vec(), None),
                    (MerchantKeyKind::Secret, old_hash.to_vec(), Some(t + 60)),
                ]
            );
            assert_eq!(keys[1].created_at, t);
            assert_eq!(store.merchant_keys("mer_a", t + 60).unwrap().len(), 2);
            // No key's text or hash in `Debug`.
            let debug = format!("{keys:?}");
            assert!(!debug.contains("94, 94"), "{debug}");

            // A second roll cuts the first one's grace to its own.
            let newest = [0x6F; 32];
            store
                .roll_merchant_key(
                    "mer_a",
                    MerchantKeyKind::Secret,
                    newest.to_vec(),
                    t + 1,
                    t + 31,
                    operator(),
                )
                .unwrap()
                .unwrap();
            assert_eq!(by_sk(&store, &old_hash, t + 30).map(|f| f.1), Some(false));
            assert_eq!(by_sk(&store, &old_hash, t + 31), None);
            assert_eq!(by_sk(&store, &new_hash, t + 30).map(|f| f.1), Some(false));

            // No such merchant: nothing written.
            let entries = store.audit_entries().unwrap().len();
            let none = store
                .roll_merchant_key(
                    "mer_zz",
                    MerchantKeyKind::Secret,
                    vec![1; 32],
                    t,
                    t,
                    operator(),
                )
                .unwrap();
            assert!(none.is_none());
            assert_eq!(store.audit_entries().unwrap().len(), entries);

            // The sweep deletes the keys whose grace ended, one retirement entry each.
            let report = store.sweep(t + 31).await.unwrap();
            assert_eq!(report.keys_retired, 2);
            assert_eq!(store.sweep(t + 31).await.unwrap().keys_retired, 0);

            let audited: Vec<(String, String)> = store
                .audit_entries()
                .unwrap()
                .into_iter()
                .filter(|e| e.event.action.starts_with("merchant_key"))
                .map(|e| (e.event.action, e.event.detail.unwrap_or_default()))
                .collect();
            let id = |kind, key: &[u8]| rules::key_id(kind, key);
            let secret = MerchantKeyKind::Secret;
            let publishable = MerchantKeyKind::Publishable;
            let old_sk = id(secret, &old_hash);
            let old_pk = id(publishable, old.publishable_key.as_bytes());
            assert_eq!(audited.len(), 6, "{audited:?}");
            assert_eq!(audited[0].0, "merchant_key_roll");
            assert_eq!(
                audited[0].1,
                format!(
                    "kind=secret key={old_sk} new={} grace_secs=60 until={}",
                    id(secret, &new_hash),
                    t + 60
                )
            );
            assert_eq!(audited[1].0, "merchant_key_roll");
            assert!(audited[1].1.contains("grace_secs=0"), "{}", audited[1].1);
            assert_eq!(audited[2].0, "merchant_key_retire");
            assert!(
                audited[2]
                    .1
                    .starts_with(&format!("kind=publishable key={old_pk} "))
            );
            assert_eq!(audited[3].0, "merchant_key_roll");
            assert!(
                audited[4..]
                    .iter()
                    .all(|(action, _)| action == "merchant_key_retire")
            );
            // Ids only: never a key's text or its stored hash.
            let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
            for (_, detail) in &audited {
                assert!(!detail.contains(&old.publishable_key), "{detail}");
                assert!(!detail.contains("pk_new"), "{detail}");
                assert!(!detail.contains(&hex(&old_hash)), "{detail}");
                assert!(!detail.contains(&hex(&new_hash)), "{detail}");
            }
            verify_audit(&store).unwrap();
        }
    }
);

// ---------------------------------------------------------------------------------------------
// Across instances (PostgreSQL)
// ---------------------------------------------------------------------------------------------

impl TokenRecord {
    /// This record with `read`'s CVC expiry (the read's own).
    fn clone_with_times(&self, read: &TokenRecord) -> TokenRecord {
        TokenRecord {
            cvc_expires_at: read.cvc_expires_at,
            created_at: read.created_at,
            ..self.clone()
        }
    }
}

/// Two vaults on one fresh database, the first having prepared it.
fn two() -> Option<(TestDatabase, Store, Store)> {
    let db = TestDatabase::create()?;
    let a = db.open();
    prepare(&a);
    let b = db.open();
    seal(&b, &test_key());
    Some((db, a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_made_on_one_instance_is_everyones_and_its_envelope_is_spent_everywhere() {
    let Some((_db, a, b)) = two() else { return };
    a.insert_token(
        token("tok_1", "fp_1"),
        "jti-x".into(),
        now() + 300,
        event("tokenize", Some("tok_1")),
    )
    .await
    .unwrap();
    assert!(b.token("mer_a", "tok_1").unwrap().is_some());
    let replay = b
        .insert_token(
            token("tok_2", "fp_1"),
            "jti-x".into(),
            now() + 300,
            event("tokenize", Some("tok_2")),
        )
        .await;
    assert_eq!(replay, Err(StoreError::Replayed));
    assert!(
        b.delete_token("mer_a", "tok_1", event("delete", Some("tok_1")))
            .await
            .unwrap()
    );
    assert!(a.token("mer_a", "tok_1").unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_forwards_on_two_instances_get_the_cvc_once() {
    let Some((_db, a, b)) = two() else { return };
    const TOKENS: usize = 40;
    for i in 0..TOKENS {
        let id = format!("tok_{i}");
        a.insert_token(
            token(&id, "fp_1"),
            format!("j{i}"),
            now() + 300,
            event("tokenize", Some(&id)),
        )
        .await
        .unwrap();
    }
    let mut races = Vec::new();
    for i in 0..TOKENS {
        let id = format!("tok_{i}");
        let (a, b) = (a.clone(), b.clone());
        races.push(tokio::spawn(async move {
            let (x, y) = tokio::join!(
                a.take_cvc("mer_a", &id, now()),
                b.take_cvc("mer_a", &id, now())
            );
            usize::from(x.unwrap().is_some()) + usize::from(y.unwrap().is_some())
        }));
    }
    for race in races {
        assert_eq!(
            race.await.unwrap(),
            1,
            "exactly one of two racing forwards gets the CVC"
        );
    }
}

on_both!(
    tokenizations_submitted_together_keep_replay_and_enumeration_exact,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            let key = test_key();
            let limit = EnumerationLimit {
                limit: 5,
                window_secs: 3600,
            };
            let before = store.batches_committed();
            // Submitted at once, so the writer takes them in a few batches: twenty numbers of
            // one (BIN, last four) under a limit of five, and ten envelopes sent twice each.
            let mut limited = Vec::new();
            for i in 0..20 {
                let store = store.clone();
                limited.push(tokio::spawn(async move {
                    let id = format!("tok_e{i}");
                    store
                        .insert_token_limited(
                            token(&id, &format!("fp_e{i}")),
                            format!("jti-e{i}"),
                            now() + 300,
                            event("tokenize", Some(&id)),
                            limit,
                        )
                        .await
                }));
            }
            let replayed = tokenize_at_once(
                &store,
                (0..20)
                    .map(|i| {
                        (
                            format!("tok_r{i}"),
                            format!("fp_r{i}"),
                            format!("jti-r{}", i / 2),
                        )
                    })
                    .collect(),
            )
            .await;
            let mut answers = Vec::new();
            for op in limited {
                answers.push(op.await.unwrap());
            }
            let limited = answers;
            assert_eq!(limited.iter().filter(|a| a.is_ok()).count(), 5);
            assert!(
                limited
                    .iter()
                    .all(|a| a.is_ok() || *a == Err(StoreError::CardEnumeration))
            );
            assert_eq!(replayed.iter().filter(|a| a.is_ok()).count(), 10);
            for pair in replayed.chunks(2) {
                assert_eq!(
                    pair.iter()
                        .filter(|a| **a == Err(StoreError::Replayed))
                        .count(),
                    1,
                    "one envelope of each pair is a replay"
                );
            }
            // What was answered is what is stored, and nothing else.
            for (i, answer) in limited.iter().enumerate() {
                let stored = store.token("mer_a", &format!("tok_e{i}")).unwrap();
                assert_eq!(stored.is_some(), answer.is_ok(), "tok_e{i}");
            }
            for (i, answer) in replayed.iter().enumerate() {
                let stored = store.token("mer_a", &format!("tok_r{i}")).unwrap();
                assert_eq!(stored.is_some(), answer.is_ok(), "tok_r{i}");
                assert!(store.jti_seen(&format!("jti-r{}", i / 2), now()).unwrap());
            }
            // One entry per op, in one sealed chain: tokenizations, refusals and replays.
            let report = verify_audit_sealed(&store, Some(&key), None).unwrap();
            assert_eq!(report.entries, 1 + 40);
            let entries = store.audit_entries().unwrap();
            let outcome = |o: &str| entries.iter().filter(|e| e.event.outcome == o).count();
            assert_eq!(outcome("card_enumeration"), 15);
            assert_eq!(
                entries
                    .iter()
                    .filter(|e| e.event.action == "tokenize" && e.event.outcome == "ok")
                    .count(),
                15
            );
            assert_eq!(outcome("replayed_envelope"), 10);
            assert!(
                store.batches_committed() - before < 40,
                "some ops shared a batch"
            );
        }
    }
);

on_both!(
    a_batch_with_a_failing_row_commits_only_what_it_answers,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            let key = test_key();
            // Submitted at once: pairs of tokenizations of one token id (a collision the store
            // refuses) with envelopes of their own. On PostgreSQL the run's rows fail together and
            // the batch goes again one op at a time; whatever was sent before that failure must not
            // have been committed with it.
            let answers = tokenize_at_once(
                &store,
                (0..16)
                    .map(|i| {
                        (
                            format!("tok_d{}", i / 2),
                            format!("fp_d{i}"),
                            format!("jti-d{i}"),
                        )
                    })
                    .collect(),
            )
            .await;
            for (pair, answers) in answers.chunks(2).enumerate() {
                assert_eq!(
                    answers.iter().filter(|a| a.is_ok()).count(),
                    1,
                    "one tokenization of tok_d{pair} is stored"
                );
            }
            for (i, answer) in answers.iter().enumerate() {
                // A refused envelope was not spent: it is not remembered as seen.
                assert_eq!(
                    store.jti_seen(&format!("jti-d{i}"), now()).unwrap(),
                    answer.is_ok(),
                    "jti-d{i}"
                );
            }
            let report = verify_audit_sealed(&store, Some(&key), None).unwrap();
            let entries = store.audit_entries().unwrap();
            assert_eq!(report.entries as usize, entries.len());
            assert_eq!(
                entries
                    .iter()
                    .filter(|e| e.event.action == "tokenize" && e.event.outcome == "ok")
                    .count(),
                8,
                "one entry per stored token, none for a refused one"
            );
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_appending_at_once_keep_one_sealed_chain() {
    let Some((_db, a, b)) = two() else { return };
    let key = test_key();
    let mut writers = Vec::new();
    for (n, store) in [a.clone(), b.clone()].into_iter().enumerate() {
        for task in 0..8 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                for i in 0..25 {
                    let id = format!("tok_{n}_{task}_{i}");
                    store
                        .insert_token(
                            token(&id, &format!("fp_{id}")),
                            id.clone(),
                            now() + 300,
                            event("tokenize", Some(&id)),
                        )
                        .await
                        .unwrap();
                }
            }));
        }
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let report = verify_audit_sealed(&b, Some(&key), None).unwrap();
    assert_eq!(
        report.entries,
        1 + 2 * 8 * 25,
        "every append, no fork, no gap"
    );
    let seqs: Vec<i64> = a.audit_entries().unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=401).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_enumeration_bound_is_the_clusters() {
    let Some((_db, a, b)) = two() else { return };
    let limit = EnumerationLimit {
        limit: 2,
        window_secs: 3600,
    };
    a.insert_token_limited(
        token("tok_1", "fp_1"),
        "j1".into(),
        now() + 60,
        event("tokenize", None),
        limit,
    )
    .await
    .unwrap();
    b.insert_token_limited(
        token("tok_2", "fp_2"),
        "j2".into(),
        now() + 60,
        event("tokenize", None),
        limit,
    )
    .await
    .unwrap();
    for store in [&a, &b] {
        let third = store
            .insert_token_limited(
                token("tok_3", "fp_3"),
                "j3".into(),
                now() + 60,
                event("tokenize", None),
                limit,
            )
            .await;
        assert_eq!(third, Err(StoreError::CardEnumeration));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowance_is_spent_once_for_the_cluster() {
    let Some((_db, a, b)) = two() else { return };
    // 60 a minute, a burst of 5: alternating between instances gives 5 at once, not 10.
    let interval = 1_000_000;
    let tolerance = 4 * interval;
    let mut allowed = 0;
    for i in 0..10 {
        let store = if i % 2 == 0 { &a } else { &b };
        if store
            .spend_shared_allowance("c:192.0.2.9".into(), interval, tolerance)
            .await
            .unwrap()
            .is_ok()
        {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5);
    let refused = a
        .spend_shared_allowance("c:192.0.2.9".into(), interval, tolerance)
        .await
        .unwrap();
    let wait = refused.unwrap_err();
    assert!(wait > 0 && wait <= interval, "retry after {wait} µs");
    // Another client has its own.
    assert!(
        b.spend_shared_allowance("c:192.0.2.10".into(), interval, tolerance)
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_on_one_instance_is_seen_by_the_other_at_once_on_the_databases_clock() {
    let Some((_db, a, b)) = two() else { return };
    let old = merchant("mer_a");
    let t = now();
    a.roll_merchant_key(
        "mer_a",
        MerchantKeyKind::Publishable,
        b"pk_rolled".to_vec(),
        t,
        t + 2,
        operator(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(by_pk(&b, "pk_rolled", t), Some(("mer_a".into(), true)));
    assert_eq!(
        by_pk(&b, &old.publishable_key, t),
        Some(("mer_a".into(), false))
    );
    // An instance whose clock lags is not believed: past the end by the database's clock, the
    // key is refused whatever `now` it gives.
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(by_pk(&b, &old.publishable_key, t), None);
    assert_eq!(
        b.merchant_keys("mer_a", t).unwrap().len(),
        2,
        "only the current keys are listed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_instance_sweeps_what_expired() {
    let Some((_db, a, b)) = two() else { return };
    for i in 0..30 {
        let id = format!("tok_{i}");
        let mut old = token(&id, "fp_1");
        old.expires_at = Some(now() - 1);
        a.insert_token(old, id.clone(), now() + 300, event("tokenize", Some(&id)))
            .await
            .unwrap();
    }
    let (x, y) = tokio::join!(a.sweep(now()), b.sweep(now()));
    let swept = x.unwrap().tokens_deleted + y.unwrap().tokens_deleted;
    assert_eq!(swept, 30, "each token destroyed and audited once");
    let sweeps = a
        .audit_entries()
        .unwrap()
        .iter()
        .filter(|e| e.event.action == "expiry_sweep")
        .count();
    assert_eq!(sweeps, 30);
    verify_audit(&b).unwrap();
}

#[test]
fn instances_starting_at_once_migrate_once_and_an_older_binary_is_refused() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let db = Arc::new(db);
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || db.open())
        })
        .collect();
    let stores: Vec<Store> = opens.into_iter().map(|t| t.join().unwrap()).collect();
    for store in &stores {
        store.ping().unwrap();
    }
    // A newer binary migrated it: this one refuses to open, and a running one is not ready.
    db.execute("UPDATE cardvault_schema SET version = version + 1");
    assert_eq!(stores[0].ping(), Err(StoreError::Database));
    assert_eq!(
        Store::open_at(&db.location()).err(),
        Some(StoreError::Database)
    );
}

#[test]
fn the_audit_log_refuses_changes_and_shows_a_disabled_guard() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let store = db.open();
    prepare(&store);
    let key = test_key();
    store
        .append_audit_blocking(event("key_rotate", None))
        .unwrap();
    for sql in [
        "UPDATE audit SET outcome = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
    ] {
        let result = std::panic::catch_unwind(|| db.execute(sql));
        assert!(result.is_err(), "{sql} is refused");
    }
    verify_audit_sealed(&store, Some(&key), None).unwrap();
    db.execute("ALTER TABLE audit DISABLE TRIGGER audit_no_change");
    let broken = verify_audit_sealed(&store, Some(&key), None).unwrap_err();
    assert_eq!(broken.seq, 0, "{broken}");
}

#[test]
fn an_unreachable_database_is_unavailable_at_once() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let started = Instant::now();
    let opened = Store::open_postgres(
        &format!("postgres://cardvault@127.0.0.1:{port}/cardvault"),
        None,
    );
    assert_eq!(opened.err(), Some(StoreError::Unavailable));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_url_that_could_fall_back_to_plain_text_is_refused() {
    for url in [
        "postgres://u@db.example/x?sslmode=prefer",
        "postgres://u@db.example/x?sslmode=allow",
        "mysql://u@db.example/x",
    ] {
        assert_eq!(
            Store::open_postgres(url, None).err(),
            Some(StoreError::Database),
            "{url}"
        );
    }
}

on_both!(
    rotation_writes_change_only_what_they_read,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            // Wrapped keys: all four kinds, and a compare-and-swap on each blob.
            let keys = store.wrapped_keys().unwrap();
            assert!(keys.iter().any(|k| k.id == WrappedKeyId::AuditSeal));
            assert!(keys.iter().any(|k| k.id == WrappedKeyId::Data(1)));
            assert!(
                keys.iter()
                    .any(|k| k.id == WrappedKeyId::Fingerprint("mer_a".into()))
            );
            let fingerprint = WrappedKeyId::Fingerprint("mer_a".into());
            let old = vec![7u8; 40];
            assert!(
                store
                    .replace_wrapped_key(fingerprint.clone(), old.clone(), vec![8; 40])
                    .unwrap()
            );
            // A second run that read the old blob changes nothing.
            assert!(
                !store
                    .replace_wrapped_key(fingerprint.clone(), old, vec![9; 40])
                    .unwrap()
            );
            assert_eq!(
                store.merchant("mer_a").unwrap().unwrap().fingerprint_key,
                vec![8; 40]
            );
            let seal = store.audit_seal().unwrap().unwrap().key;
            assert!(
                store
                    .replace_wrapped_key(WrappedKeyId::AuditSeal, seal, vec![5; 60])
                    .unwrap()
            );
            assert_eq!(store.audit_seal().unwrap().unwrap().key, vec![5; 60]);

            // The next master key a rotation leaves for serving vaults: one at most, replaced,
            // then gone.
            assert_eq!(store.next_master_key().unwrap(), None);
            let software = NextMasterKey {
                key_id: "kcv:01".into(),
                custody: NextCustody::Software,
                auth: vec![4; 60],
            };
            store.set_next_master_key(Some(software.clone())).unwrap();
            assert_eq!(store.next_master_key().unwrap(), Some(software));
            let hsm = NextMasterKey {
                key_id: "pkcs11:t/k".into(),
                custody: NextCustody::Pkcs11 {
                    module: "/usr/lib/softhsm/libsofthsm2.so".into(),
                    token: "t".into(),
                    label: "k".into(),
                },
                auth: vec![6; 70],
            };
            store.set_next_master_key(Some(hsm.clone())).unwrap();
            assert_eq!(store.next_master_key().unwrap(), Some(hsm));
            store.set_next_master_key(None).unwrap();
            assert_eq!(store.next_master_key().unwrap(), None);

            // Cards: one with its CVC waiting, one without.
            let mut plain = token("tok_plain", "fp_p");
            plain.cvc = None;
            plain.cvc_expires_at = None;
            for (record, jti) in [(plain, "jti-p"), (token("tok_cvc", "fp_c"), "jti-c")] {
                let id = record.token.clone();
                store
                    .insert_token(
                        record,
                        jti.into(),
                        now() + 300,
                        event("tokenize", Some(&id)),
                    )
                    .await
                    .unwrap();
            }
            let key2 = DataKeyRecord {
                version: 2,
                key: vec![10; 60],
                created_at: now(),
            };
            store.insert_data_key(key2, None).unwrap();
            let usage = store.data_key_usage().unwrap();
            assert_eq!(
                usage,
                vec![
                    DataKeyUsage {
                        version: 1,
                        tokens: 2,
                        with_cvc: 1
                    },
                    DataKeyUsage {
                        version: 2,
                        tokens: 0,
                        with_cvc: 0
                    },
                ]
            );
            // Only the card without a waiting CVC is handed out, and only once.
            let batch = store.sealed_cards_below(2, "", 10).unwrap();
            assert_eq!(batch.len(), 1);
            assert_eq!(batch[0].token, "tok_plain");
            assert!(
                store
                    .sealed_cards_below(2, "tok_plain", 10)
                    .unwrap()
                    .is_empty()
            );
            // The key in use cannot be destroyed.
            let destroy = event("data_key_destroy", None);
            assert!(!store.destroy_data_key(1, destroy.clone()).unwrap());
            let resealed = vec![(batch[0].clone(), vec![0xD2; 64])];
            assert_eq!(store.reseal_cards(resealed.clone(), 2).unwrap(), 1);
            // Again (a second run with what it read before): nothing.
            assert_eq!(store.reseal_cards(resealed, 2).unwrap(), 0);
            let row = store.token("mer_a", "tok_plain").unwrap().unwrap();
            assert_eq!((row.data_key_version, row.card), (2, vec![0xD2; 64]));
            // A card whose CVC is waiting is not changed even if asked.
            let mut waiting = batch[0].clone();
            waiting.token = "tok_cvc".into();
            assert_eq!(
                store
                    .reseal_cards(vec![(waiting.clone(), vec![1; 64])], 2)
                    .unwrap(),
                0
            );
            store.take_cvc("mer_a", "tok_cvc", now()).await.unwrap();
            assert_eq!(
                store.reseal_cards(vec![(waiting, vec![1; 64])], 2).unwrap(),
                1
            );
            // Now no card uses version 1: it goes, audited; the newest never does.
            let entries = store.audit_entries().unwrap().len();
            assert!(store.destroy_data_key(1, destroy.clone()).unwrap());
            assert!(!store.destroy_data_key(2, destroy).unwrap());
            assert_eq!(store.audit_entries().unwrap().len(), entries + 1);
            let versions: Vec<u32> = store
                .data_keys()
                .unwrap()
                .iter()
                .map(|k| k.version)
                .collect();
            assert_eq!(versions, vec![2]);
        }
    }
);

fn imported(import_id: &str, token_id: &str, fingerprint: &str) -> ImportedCard {
    let mut record = token(token_id, fingerprint);
    // An import never has a CVC (PCI DSS 3.3.1).
    record.cvc = None;
    record.cvc_expires_at = None;
    ImportedCard {
        import_id: import_id.into(),
        record,
        audit: event("import", Some(token_id)),
    }
}

on_both!(
    an_import_stores_each_id_once_per_merchant_and_a_failed_batch_nothing,
    |open: &dyn Fn() -> Store| {
        let store = open();
        async move {
            prepare(&store);
            store
                .insert_merchant(merchant("mer_b"), event("merchant_create", None))
                .unwrap();
            let key = test_key();
            let refused = |n: &str| {
                let mut e = event("import", None);
                "invalid_number".clone_into(&mut e.outcome);
                e.detail = Some(format!("record {n}"));
                e
            };
            let first = store
                .import_cards(
                    "mer_a",
                    vec![
                        imported("card_1", "tok_1", "fp_1"),
                        imported("card_2", "tok_2", "fp_2"),
                    ],
                    vec![refused("3")],
                )
                .unwrap();
            assert_eq!(first, [ImportOutcome::Stored, ImportOutcome::Stored]);
            let read = store.token("mer_a", "tok_1").unwrap().unwrap();
            assert_eq!(read.fingerprint, "fp_1");
            assert!(read.cvc.is_none());

            // The same file again (or after a kill): a known id makes no token and answers the
            // one it became; a new one is stored.
            let again = store
                .import_cards(
                    "mer_a",
                    vec![
                        imported("card_2", "tok_3", "fp_2"),
                        imported("card_4", "tok_4", "fp_4"),
                    ],
                    vec![],
                )
                .unwrap();
            match &again[0] {
                ImportOutcome::Known {
                    token,
                    record: Some(record),
                } => {
                    assert_eq!(token, "tok_2");
                    assert_eq!(record.token, "tok_2");
                    assert_eq!(record.fingerprint, "fp_2");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(again[1], ImportOutcome::Stored);
            assert!(store.token("mer_a", "tok_3").unwrap().is_none());

            // An id is per merchant: another merchant's card_1 is its own.
            let mut other = imported("card_1", "tok_b1", "fp_b1");
            other.record.merchant_id = "mer_b".into();
            assert_eq!(
                store.import_cards("mer_b", vec![other], vec![]).unwrap(),
                [ImportOutcome::Stored]
            );

            // A token deleted since: its id stays imported, with no row.
            assert!(
                store
                    .delete_token("mer_a", "tok_1", event("delete", Some("tok_1")))
                    .await
                    .unwrap()
            );
            assert_eq!(
                store
                    .import_cards("mer_a", vec![imported("card_1", "tok_5", "fp_1")], vec![])
                    .unwrap(),
                [ImportOutcome::Known {
                    token: "tok_1".into(),
                    record: None
                }]
            );

            // A batch that fails part-way (a token that exists) stores none of it: not the
            // other card, not its id, not an audit entry.
            let entries = store.audit_entries().unwrap().len();
            assert!(
                store
                    .import_cards(
                        "mer_a",
                        vec![
                            imported("card_6", "tok_6", "fp_6"),
                            imported("card_7", "tok_4", "fp_7"),
                        ],
                        vec![refused("8")],
                    )
                    .is_err()
            );
            assert!(store.token("mer_a", "tok_6").unwrap().is_none());
            assert_eq!(store.audit_entries().unwrap().len(), entries);
            assert_eq!(
                store
                    .import_cards("mer_a", vec![imported("card_6", "tok_6", "fp_6")], vec![])
                    .unwrap(),
                [ImportOutcome::Stored]
            );

            // Refused before the backends: a card of another merchant, an id twice in a batch.
            let mut stray = imported("card_9", "tok_9", "fp_9");
            stray.record.merchant_id = "mer_b".into();
            assert!(store.import_cards("mer_a", vec![stray], vec![]).is_err());
            assert!(
                store
                    .import_cards(
                        "mer_a",
                        vec![
                            imported("card_9", "tok_9", "fp_9"),
                            imported("card_9", "tok_10", "fp_9"),
                        ],
                        vec![],
                    )
                    .is_err()
            );
            assert!(store.token("mer_a", "tok_9").unwrap().is_none());

            let outcomes: Vec<(String, String, Option<String>)> = store
                .audit_entries()
                .unwrap()
                .into_iter()
                .filter(|e| e.event.action == "import")
                .map(|e| {
                    (
                        e.event.outcome,
                        e.event.detail.unwrap_or_default(),
                        e.event.token,
                    )
                })
                .collect();
            let ok = |t: &str| ("ok".to_owned(), String::new(), Some(t.to_owned()));
            assert_eq!(
                outcomes,
                [
                    ok("tok_1"),
                    ok("tok_2"),
                    ("invalid_number".into(), "record 3".into(), None),
                    ok("tok_4"),
                    ok("tok_b1"),
                    ok("tok_6"),
                ]
            );
            verify_audit_sealed(&store, Some(&key), None).unwrap();
        }
    }
);
