//! What every backend does the same way: the replay ids and the card-enumeration keys as
//! stored, the enumeration bound's decision, merchant keys' ids, and the audit events a write
//! turns its caller's event into. The SQLite backend applies them to its in-memory copies, PostgreSQL to rows read
//! under the audit lock; the answers are the same.

use aws_lc_rs::digest;

use super::{
    AuditEvent, AuditSealRecord, EnumerationLimit, MerchantKeyKind, MerchantKeyRecord, NextCustody,
    StoreError, TokenRecord,
};
use crate::keys::AuditSealKey;

/// A jti's key: the first 16 bytes of its SHA-256, a fixed 16 bytes whatever the envelope's jti
/// (up to 86 characters); two different jtis collide with a probability of 2^-128.
pub(super) fn jti_key(jti: &str) -> [u8; 16] {
    let digest = digest::digest(&digest::SHA256, jti.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest.as_ref()[..16]);
    key
}

/// What the `jtis` table holds for a jti: `h:` and its key in hex, never the jti itself,
/// which anyone with a publishable key chooses (and could make a card number).
pub(super) fn stored_jti(jti: &str) -> String {
    use std::fmt::Write;
    jti_key(jti).iter().fold(String::from("h:"), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A token's enumeration keys: (merchant, BIN, last four) and its number (the fingerprint),
/// each the first 16 bytes of a SHA-256 (a collision would count two numbers as one).
pub(super) fn card_keys(record: &TokenRecord) -> ([u8; 16], [u8; 16]) {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in [&record.merchant_id, &record.bin, &record.last4] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    let mut card_key = [0u8; 16];
    card_key.copy_from_slice(&ctx.finish().as_ref()[..16]);
    let fingerprint = digest::digest(&digest::SHA256, record.fingerprint.as_bytes());
    let mut number = [0u8; 16];
    number.copy_from_slice(&fingerprint.as_ref()[..16]);
    (card_key, number)
}

/// One number of the card memory.
#[derive(Clone, Copy)]
pub(super) struct CardSeen {
    pub(super) number: [u8; 16],
    pub(super) until: i64,
    pub(super) refused: bool,
}

/// What [`CardMemory::admit`] says of a number.
pub(super) enum Admission {
    /// Not checked (no limit for this op).
    Unchecked,
    /// Seen in the window: accepted, nothing to remember.
    Known,
    /// Not seen, and there is room: accepted, to remember.
    New([u8; 16], CardSeen),
    /// Refused; remembered as a refusal when `Some`.
    Refused(Option<([u8; 16], CardSeen)>),
}

/// Whether `number` may be tokenized at `now` under `limit`, among `numbers`: the card key's
/// remembered numbers still in their window (see `sqlite.rs`, `CardMemory`, for why refusals
/// count).
pub(super) fn admit(
    numbers: &[CardSeen],
    card_key: [u8; 16],
    number: [u8; 16],
    now: i64,
    limit: EnumerationLimit,
) -> Admission {
    let limit_n = usize::try_from(limit.limit).unwrap_or(usize::MAX);
    let refusals = numbers.iter().filter(|seen| seen.refused).count();
    let entry = |refused| CardSeen {
        number,
        until: now.saturating_add(limit.window_secs),
        refused,
    };
    if refusals >= limit_n {
        // Closed for the window: the limit's worth of refusals is remembered already.
        Admission::Refused(None)
    } else if numbers
        .iter()
        .any(|seen| !seen.refused && seen.number == number)
    {
        Admission::Known
    } else if numbers.len() - refusals >= limit_n {
        Admission::Refused(Some((card_key, entry(true))))
    } else {
        Admission::New(card_key, entry(false))
    }
}

/// The audit entry of a tokenization refused as card enumeration: the request's own (who, when,
/// from where), as every refusal is audited (`refused`, the code, the route), with no token (none
/// was made).
pub(super) fn enumeration_refusal(audit: &AuditEvent) -> AuditEvent {
    let mut event = audit.clone();
    event.action = "refused".to_owned();
    event.token = None;
    event.outcome = "card_enumeration".to_owned();
    event.detail = Some("POST /v1/tokens".to_owned());
    event
}

/// The caller's event, with an `ok` outcome turned into `not_found` and no token when nothing
/// matched: the log names only tokens that exist.
pub(super) fn not_found_unless(found: bool, audit: &AuditEvent) -> AuditEvent {
    let mut event = audit.clone();
    if !found && event.outcome == "ok" {
        event.outcome = "not_found".to_owned();
        event.token = None;
    }
    event
}

/// A replayed tokenization's audit entry: its event refused as `replayed_envelope`, without the
/// token that was not made.
pub(super) fn replayed(audit: &AuditEvent) -> AuditEvent {
    let mut event = audit.clone();
    event.outcome = "replayed_envelope".to_owned();
    event.token = None;
    event
}

/// A merchant key's id (see [`MerchantKeyRecord::id`]): 8 hex digits of the SHA-256 of the key,
/// which for a secret key is what is stored (so it is computed without the key).
pub(super) fn key_id(kind: MerchantKeyKind, stored: &[u8]) -> String {
    use std::fmt::Write;
    let digest;
    let hash = match kind {
        MerchantKeyKind::Secret => stored,
        MerchantKeyKind::Publishable => {
            digest = digest::digest(&digest::SHA256, stored);
            digest.as_ref()
        }
    };
    hash.iter().take(4).fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A roll's entry: the operator's event, as `merchant_key_roll`, naming the key replaced and its
/// successor by id, and the grace the replaced one has (`grace_secs=0`: refused at once).
pub(super) fn key_rolled(
    audit: &AuditEvent,
    replaced: &MerchantKeyRecord,
    new_key: &[u8],
    now: i64,
) -> AuditEvent {
    let mut event = audit.clone();
    event.merchant_id = Some(replaced.merchant_id.clone());
    event.action = "merchant_key_roll".to_owned();
    let until = replaced.usable_until.unwrap_or(now);
    event.detail = Some(format!(
        "kind={} key={} new={} grace_secs={} until={}",
        replaced.kind.name(),
        replaced.id(),
        key_id(replaced.kind, new_key),
        until.saturating_sub(now).max(0),
        until.max(now),
    ));
    event
}

/// The entry of a previous key refused from `at` on (its grace over, or cut by a roll): by the
/// sweep, or by the roll that ended it (`by`: the roll's event, for who and which request).
pub(super) fn key_retired(key: &MerchantKeyRecord, at: i64, by: Option<&AuditEvent>) -> AuditEvent {
    AuditEvent {
        at,
        request_id: by.and_then(|e| e.request_id.clone()),
        merchant_id: Some(key.merchant_id.clone()),
        key_kind: by.and_then(|e| e.key_kind.clone()),
        client: by.and_then(|e| e.client.clone()),
        action: "merchant_key_retire".to_owned(),
        token: None,
        outcome: "ok".to_owned(),
        detail: Some(format!(
            "kind={} key={} created={} replaced={}",
            key.kind.name(),
            key.id(),
            key.created_at,
            key.retired_at.unwrap_or(at),
        )),
    }
}

/// A batch that may move the seal: from which `since`, and the `seq` sealed before it.
pub(super) struct Seal {
    pub(super) since: i64,
    pub(super) sealed: Option<i64>,
}

/// What a batch may do with the seal (see [`seal_start`]).
pub(super) enum SealStart {
    Seal(Seal),
    /// Leave it: why.
    Refused(&'static str),
}

/// Before a batch, given the log's head and the seal row: whether the batch may move the seal
/// forward, from which `since`, and the `seq` sealed now (`None`: never sealed). Yes when the log
/// has never been sealed and is empty (sealing begins with its first entry), or has entries and
/// the batch may `begin` (a database from before the seal: sealing begins at its head); or when
/// its head is the one sealed, under this key. No when the head changed without the key (entries
/// added or removed outside the vault), the seal does not verify, or the log has entries and a
/// seal row without a head (its seal was wiped): the seal then stays as it is, and `cardvault
/// audit verify` reports the change.
pub(super) fn seal_start(
    seq: i64,
    hash: &[u8; 32],
    row: Option<&AuditSealRecord>,
    key: &AuditSealKey,
    begin: bool,
) -> SealStart {
    SealStart::Refused(match row {
        None => "the audit seal's row is missing",
        Some(AuditSealRecord { sealed: None, .. }) if seq == 0 || begin => {
            return SealStart::Seal(Seal {
                since: seq,
                sealed: None,
            });
        }
        Some(AuditSealRecord { sealed: None, .. }) => {
            "the audit log has entries but its seal has no head: it was wiped outside the vault"
        }
        Some(AuditSealRecord {
            sealed: Some(head), ..
        }) => {
            if head.seq == seq
                && head.hash == *hash
                && key.verifies(head.since, head.seq, &head.hash, &head.mac)
            {
                return SealStart::Seal(Seal {
                    since: head.since,
                    sealed: Some(head.seq),
                });
            }
            "the audit log's head is not the one sealed: it was changed outside the vault"
        }
    })
}

/// A next master key's custody as its row's columns: `kind`, `module`, `token`, `label`.
pub(super) fn next_custody_columns(
    custody: &NextCustody,
) -> (&'static str, Option<&str>, Option<&str>, Option<&str>) {
    match custody {
        NextCustody::Software => ("software", None, None, None),
        NextCustody::Pkcs11 {
            module,
            token,
            label,
        } => (
            "pkcs11",
            Some(module.as_str()),
            Some(token.as_str()),
            Some(label.as_str()),
        ),
    }
}

/// A next master key's custody from its row's `module`, `token` and `label` (all set for a key in
/// an HSM, none for a software key: the table's CHECK holds them so).
pub(super) fn next_custody_from_columns(
    module: Option<String>,
    token: Option<String>,
    label: Option<String>,
) -> Result<NextCustody, StoreError> {
    match (module, token, label) {
        (None, None, None) => Ok(NextCustody::Software),
        (Some(module), Some(token), Some(label)) => Ok(NextCustody::Pkcs11 {
            module,
            token,
            label,
        }),
        _ => Err(StoreError::Database),
    }
}
