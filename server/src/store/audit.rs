//! The audit log's hash chain.
//!
//! Entry `seq` (1, 2, 3, … without gaps) carries
//!
//! ```text
//! hash = SHA-256( prev_hash || "cardvault-audit-v1" || u64be(seq) || i64be(at)
//!                 || opt(request_id) || opt(merchant_id) || opt(key_kind) || opt(client)
//!                 || str(action) || opt(token) || str(outcome) || opt(detail) )
//! str(s) = u64be(byte length of s) || s
//! opt(x) = 0x00 when absent, 0x01 || str(x) when present
//! ```
//!
//! where `prev_hash` is the previous entry's `hash`, and 32 zero bytes for entry 1. Every field is
//! length-prefixed or fixed-size, so no two different entries encode to the same bytes.
//!
//! The chain shows that entries were neither changed, removed from the middle, nor reordered, to
//! anyone, without a key. On its own it cannot show that the newest entries were not cut off,
//! nor stop someone who can write to the database from rewriting an entry and every hash after
//! it. The *seal* does (`keys/audit.rs`): the vault keeps an HMAC of the head under its audit seal
//! key, moved forward in the same transaction as each batch it appends. [`verify_audit_sealed`]
//! checks the chain and then that the seal is valid and is of the head: a log cut short, an entry
//! added without the key, or a rewritten chain fails.
//!
//! Emptying the log and its seal together leaves nothing to check against, so verification also
//! reads the rest of the store: an empty, unsealed log is a new database's only while the store
//! holds nothing whose making is audited (merchants, transport keys, tokens, receivers); and the
//! append-only triggers must be exactly the schema's. Nor does the vault seal afresh over a log
//! whose seal was wiped (`sqlite.rs`, `seal_start`), nor make a new seal key for a store that is
//! not new (`vault::seal_audit`).
//!
//! What none of this can show is a database restored whole to an earlier state (its seal is
//! then of that state), or one an attacker rebuilt from nothing. For that the head also lives
//! outside the database: `serve` writes the sealed head to the server log ([`log_audit_head`])
//! at start-up, at a fixed interval and at shutdown, and `audit verify --expect-head SEQ:HASH`
//! fails unless the log holds that entry with that hash ([`ExpectedHead`]).

use std::ops::ControlFlow;

use aws_lc_rs::digest;

use super::{AuditEntry, AuditEvent, AuditSealRecord, AuditSnapshot, Store};
use crate::keys::AuditSealKey;

/// Entry 1's `prev_hash`.
pub(crate) const GENESIS: [u8; 32] = [0; 32];

const VERSION_TAG: &[u8] = b"cardvault-audit-v1";

/// The first entry of the audit log that does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditBreak {
    /// That entry's `seq`. When the log could not be read at all, the `seq` expected next; 0
    /// when the break is not of one entry (the append-only triggers).
    pub seq: i64,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.seq == 0 {
            write!(f, "the audit log: {}", self.reason)
        } else {
            write!(f, "audit entry {}: {}", self.seq, self.reason)
        }
    }
}

impl std::error::Error for AuditBreak {}

/// The `hash` of entry `seq` holding `event`, chained to `prev_hash`.
pub(crate) fn entry_hash(prev_hash: &[u8; 32], seq: i64, event: &AuditEvent) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(prev_hash);
    ctx.update(VERSION_TAG);
    ctx.update(&seq.to_be_bytes());
    ctx.update(&event.at.to_be_bytes());
    opt(&mut ctx, event.request_id.as_deref());
    opt(&mut ctx, event.merchant_id.as_deref());
    opt(&mut ctx, event.key_kind.as_deref());
    opt(&mut ctx, event.client.as_deref());
    str(&mut ctx, &event.action);
    opt(&mut ctx, event.token.as_deref());
    str(&mut ctx, &event.outcome);
    opt(&mut ctx, event.detail.as_deref());
    let digest = ctx.finish();
    let mut hash = [0u8; 32];
    for (out, byte) in hash.iter_mut().zip(digest.as_ref()) {
        *out = *byte;
    }
    hash
}

fn str(ctx: &mut digest::Context, s: &str) {
    ctx.update(&(s.len() as u64).to_be_bytes());
    ctx.update(s.as_bytes());
}

fn opt(ctx: &mut digest::Context, s: Option<&str>) {
    match s {
        None => ctx.update(&[0]),
        Some(s) => {
            ctx.update(&[1]);
            str(ctx, s);
        }
    }
}

/// What [`verify_audit_sealed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedReport {
    /// Entries checked.
    pub entries: u64,
    /// The `seq` after which the log is sealed (0: from its first entry); `None` when the log
    /// is empty.
    pub sealed_since: Option<i64>,
}

/// An entry the log must hold, as the server log last announced it ([`log_audit_head`]):
/// `--expect-head SEQ:HASH`, the hash in hex. What no one who can only write to the database can
/// make a rewritten, cut or restored log hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedHead {
    /// The entry's `seq` (1 or more).
    pub seq: i64,
    /// Its `hash`.
    pub hash: [u8; 32],
}

impl std::str::FromStr for ExpectedHead {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<ExpectedHead, &'static str> {
        const BAD: &str =
            "want SEQ:HASH (the seq, a colon, 64 hex digits), as the server log prints it";
        let (seq, hex) = s.split_once(':').ok_or(BAD)?;
        let seq: i64 = seq.parse().map_err(|_| BAD)?;
        if seq < 1 || hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BAD);
        }
        let mut hash = [0u8; 32];
        for (out, pair) in hash.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let text = std::str::from_utf8(pair).map_err(|_| BAD)?;
            *out = u8::from_str_radix(text, 16).map_err(|_| BAD)?;
        }
        Ok(ExpectedHead { seq, hash })
    }
}

impl std::fmt::Display for ExpectedHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, hex(&self.hash))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Writes the audit log's sealed head (seq, hash and seal) to the server log, where it is out of
/// reach of someone who can only write to the database: `serve` does it at start-up, every
/// `--audit-head-every` seconds and at shutdown. Its `expect_head` is what to give
/// `cardvault audit verify --expect-head` later.
pub fn log_audit_head(store: &Store, when: &'static str) {
    match store.audit_seal() {
        Ok(Some(AuditSealRecord {
            sealed: Some(head), ..
        })) => {
            let expect = ExpectedHead {
                seq: head.seq,
                hash: head.hash,
            };
            tracing::info!(
                when,
                seq = head.seq,
                hash = %hex(&head.hash),
                mac = %hex(&head.mac),
                expect_head = %expect,
                "audit head sealed"
            );
        }
        Ok(_) => tracing::info!(when, "audit head: the log has no sealed head yet"),
        Err(e) => tracing::error!(when, error = %e, "audit head: cannot read the seal"),
    }
}

/// Checks the whole audit log's chain, in `seq` order, streaming: the number of entries checked,
/// or the first entry that breaks the chain (malformed, a gap in `seq`, a `prev_hash` that is not
/// the previous entry's `hash`, or a `hash` that does not match the entry). Needs no key; does
/// not check the seal, the triggers or the rest of the store (see [`verify_audit_unkeyed`]).
pub fn verify_audit(store: &Store) -> Result<u64, AuditBreak> {
    verify_chain(store, None).map(|chain| chain.entries)
}

/// What can be checked without the key: the chain, `expect` (an entry the log must hold), the
/// append-only triggers (exactly the schema's), that a log with entries has a sealed head and
/// that it is the last entry (not the seal itself: that needs the key), and that an empty log
/// is not the log of a store that holds merchants, keys or tokens (a wiped one).
pub fn verify_audit_unkeyed(
    store: &Store,
    expect: Option<&ExpectedHead>,
) -> Result<u64, AuditBreak> {
    let chain = verify_chain(store, expect)?;
    check_seal(&chain, Seal::Unkeyed)?;
    check_store(&chain)?;
    Ok(chain.entries)
}

/// [`verify_audit_unkeyed`], and the seal with this database's audit seal key (`None`: it has
/// none): a log with entries must have a seal, valid under `key`, of its last entry. Else the
/// break names the first entry that is not as sealed: the first (no seal), the one after the
/// sealed head (added without the key), the one after the last entry (the log was cut), or the
/// sealed head itself (rewritten, or a seal that does not verify). Whole-log breaks (triggers)
/// name entry 0.
pub fn verify_audit_sealed(
    store: &Store,
    key: Option<&AuditSealKey>,
    expect: Option<&ExpectedHead>,
) -> Result<SealedReport, AuditBreak> {
    let chain = verify_chain(store, expect)?;
    let sealed_since = check_seal(&chain, Seal::Key(key))?;
    check_store(&chain)?;
    Ok(SealedReport {
        entries: chain.entries,
        sealed_since,
    })
}

/// How [`check_seal`] checks the seal.
#[derive(Clone, Copy)]
enum Seal<'a> {
    /// With this database's key (`None`: it has none, so no seal verifies).
    Key(Option<&'a AuditSealKey>),
    /// Only that it is there and names the last entry.
    Unkeyed,
}

/// The seal against the log's head: its `since` when sealed, `None` when the log is empty and
/// unsealed.
fn check_seal(chain: &Chain, how: Seal<'_>) -> Result<Option<i64>, AuditBreak> {
    let (last_seq, last_hash) = chain.head;
    let fail = |seq, reason| Err(AuditBreak { seq, reason });
    let Some(sealed) = chain
        .snapshot
        .seal
        .as_ref()
        .and_then(|record| record.sealed.as_ref())
    else {
        if last_seq == 0 {
            let keys_without_seal = chain.snapshot.holds_data_keys && chain.snapshot.seal.is_none();
            if chain.snapshot.holds_audited_records || keys_without_seal {
                return fail(
                    1,
                    "missing: the log and its seal are empty, but the store holds merchants, \
                     keys, tokens or receivers, made after sealing began (the log was wiped)",
                );
            }
            return Ok(None);
        }
        return fail(1, "the log has no seal");
    };
    if let Seal::Key(key) = how
        && !key.is_some_and(|key| key.verifies(sealed.since, sealed.seq, &sealed.hash, &sealed.mac))
    {
        return fail(
            sealed.seq,
            "the seal does not verify: changed, or sealed under another key",
        );
    }
    if sealed.seq > last_seq {
        return fail(
            last_seq.saturating_add(1),
            "missing: the seal covers entries after the last one (the log was cut)",
        );
    }
    if sealed.seq < last_seq {
        return fail(
            sealed.seq.saturating_add(1),
            "after the sealed head: added without the seal key",
        );
    }
    if sealed.hash != last_hash {
        return fail(sealed.seq, "not the entry sealed: the chain was rewritten");
    }
    Ok(Some(sealed.since))
}

/// The rest of the store: the append-only triggers.
fn check_store(chain: &Chain) -> Result<(), AuditBreak> {
    if !chain.snapshot.triggers_intact {
        return Err(AuditBreak {
            seq: 0,
            reason: "the append-only triggers are missing, disabled or changed (the schema's \
                     are exactly those it created)",
        });
    }
    Ok(())
}

/// What the chain check found: entries, the head (`seq`, `hash`), and what was read with them.
struct Chain {
    entries: u64,
    head: (i64, [u8; 32]),
    snapshot: AuditSnapshot,
}

fn verify_chain(store: &Store, expect: Option<&ExpectedHead>) -> Result<Chain, AuditBreak> {
    let mut checked: u64 = 0;
    let mut expected_seq: i64 = 1;
    let mut prev_hash = GENESIS;
    let mut broken = None;
    // The expected entry's hash, once the scan reaches it.
    let mut expected_found: Option<[u8; 32]> = None;
    let scanned = store.scan_audit(&mut |row| {
        let found = match row {
            Err(bad) => Err(AuditBreak {
                seq: bad.seq,
                reason: "malformed entry",
            }),
            Ok(entry) => check(&entry, expected_seq, &prev_hash).map(|()| entry),
        };
        match found {
            Ok(entry) => {
                checked += 1;
                expected_seq = entry.seq.saturating_add(1);
                prev_hash = entry.hash;
                if expect.is_some_and(|e| e.seq == entry.seq) {
                    expected_found = Some(entry.hash);
                }
                ControlFlow::Continue(())
            }
            Err(b) => {
                broken = Some(b);
                ControlFlow::Break(())
            }
        }
    });
    if let Some(b) = broken {
        return Err(b);
    }
    let snapshot = scanned.map_err(|_| AuditBreak {
        seq: expected_seq,
        reason: "the audit log could not be read",
    })?;
    if let Some(expect) = expect {
        match expected_found {
            None => {
                return Err(AuditBreak {
                    seq: expect.seq,
                    reason: "missing: the expected head is not in the log (it was cut, or put back to an earlier copy)",
                });
            }
            Some(hash) if hash != expect.hash => {
                return Err(AuditBreak {
                    seq: expect.seq,
                    reason: "not the expected head: the log was rewritten",
                });
            }
            Some(_) => {}
        }
    }
    Ok(Chain {
        entries: checked,
        head: (expected_seq.saturating_sub(1), prev_hash),
        snapshot,
    })
}

fn check(entry: &AuditEntry, expected_seq: i64, prev_hash: &[u8; 32]) -> Result<(), AuditBreak> {
    let fail = |reason| {
        Err(AuditBreak {
            seq: entry.seq,
            reason,
        })
    };
    if entry.seq != expected_seq {
        return fail(if expected_seq == 1 {
            "the log does not start at entry 1"
        } else {
            "gap in the sequence: the entry before it is missing"
        });
    }
    if entry.prev_hash != *prev_hash {
        return fail("prev_hash is not the previous entry's hash");
    }
    if entry_hash(&entry.prev_hash, entry.seq, &entry.event) != entry.hash {
        return fail("hash does not match the entry");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> AuditEvent {
        AuditEvent {
            at: 1_700_000_000,
            request_id: Some("req_1".into()),
            merchant_id: Some("mer_1".into()),
            key_kind: Some("secret".into()),
            client: Some("127.0.0.1".into()),
            action: "read".into(),
            token: Some("tok_1".into()),
            outcome: "ok".into(),
            detail: None,
        }
    }

    #[test]
    fn every_field_and_the_link_count() {
        let base = entry_hash(&GENESIS, 1, &event());
        assert_eq!(base, entry_hash(&GENESIS, 1, &event()), "deterministic");
        let mut variants = vec![
            entry_hash(&[1; 32], 1, &event()),
            entry_hash(&GENESIS, 2, &event()),
        ];
        let edits: Vec<fn(&mut AuditEvent)> = vec![
            |e| e.at += 1,
            |e| e.request_id = None,
            |e| e.merchant_id = Some("mer_2".into()),
            |e| e.key_kind = None,
            |e| e.client = Some("127.0.0.2".into()),
            |e| e.action = "delete".into(),
            |e| e.token = None,
            |e| e.outcome = "not_found".into(),
            |e| e.detail = Some(String::new()),
        ];
        for edit in edits {
            let mut e = event();
            edit(&mut e);
            variants.push(entry_hash(&GENESIS, 1, &e));
        }
        for v in &variants {
            assert_ne!(*v, base);
        }
    }

    #[test]
    fn encoding_is_unambiguous() {
        // Moving bytes from one field to the next must change the hash.
        let mut a = event();
        a.request_id = Some("ab".into());
        a.merchant_id = Some("c".into());
        let mut b = event();
        b.request_id = Some("a".into());
        b.merchant_id = Some("bc".into());
        assert_ne!(entry_hash(&GENESIS, 1, &a), entry_hash(&GENESIS, 1, &b));
        // An absent field differs from an empty one.
        let mut c = event();
        c.detail = None;
        let mut d = event();
        d.detail = Some(String::new());
        assert_ne!(entry_hash(&GENESIS, 1, &c), entry_hash(&GENESIS, 1, &d));
    }
}
