//! Rotating the keys that protect the store, online (PCI DSS 3.6.1, 3.7.4, 3.7.5): the master
//! key that wraps every other key (`cardvault master-key rotate`), and the data key that seals
//! the cards (`cardvault keys rotate-data [--rewrap]`).
//!
//! Both run beside serving vaults, in small batches through the store's writer (a tokenization
//! waits behind at most one batch), and both are resumable: each change is conditional on the
//! row still being what was read (a compare-and-swap), so a run killed half-way and run again
//! picks up what is left, and two runs at once do each row once. A vault that is serving keeps
//! every key it has unwrapped in memory, and follows a master-key rotation within seconds
//! (`vault::custody`: the rotation leaves the new key in the store while it runs); a data key
//! rotation is picked up by every instance within seconds too (`vault::data_keys`).

use std::time::Duration;

use crate::keys::{DataKey, MasterKey, record_aad};
use crate::store::{
    AuditEvent, DataKeyRecord, NextCustody, NextMasterKey, SealedCard, Store, WrappedKey,
    WrappedKeyId,
};

use super::audit::operator_event;
use super::custody::{NEXT_CONTEXT, next_fields};
use super::data_keys::{self, RELOAD_EVERY};
use super::keyring::wrap_context as transport_context;
use super::merchants::fingerprint_context;
use super::{AUDIT_SEAL_KEY_CONTEXT, BootError, now_unix};

/// A rotation's audit entry: the operator's, about no merchant.
fn audit(action: &str, detail: String) -> AuditEvent {
    operator_event(None, action, Some(detail))
}

/// Rows per batch: small enough that a tokenization queued behind a batch waits milliseconds.
const BATCH: u32 = 200;

/// How long a new data key must have existed before a rewrap destroys the one before it: every
/// vault reads the data keys at least every [`RELOAD_EVERY`], so by then none still seals new
/// cards under the old one (a straggler's card is re-encrypted by the final pass).
const PICKUP: Duration = Duration::from_secs(RELOAD_EVERY.as_secs() * 3);

/// Where a long operation reports how far it got (a progress bar on a terminal, plain lines
/// otherwise: `cli::progress`).
pub trait Progress {
    /// A new phase of `total` steps.
    fn phase(&self, name: &str, total: u64);
    /// `done` more steps of the phase.
    fn advance(&self, done: u64);
    /// A line of its own.
    fn note(&self, text: &str);
}

// ---------------------------------------------------------------------------------------------
// The master key
// ---------------------------------------------------------------------------------------------

/// The master key's context for a wrapped key: what binds the blob to its row and purpose.
fn wrap_context(id: &WrappedKeyId) -> String {
    match id {
        WrappedKeyId::Fingerprint(merchant) => fingerprint_context(merchant),
        WrappedKeyId::Transport(kid) => transport_context(kid),
        WrappedKeyId::Data(version) => data_keys::context(*version),
        WrappedKeyId::AuditSeal => AUDIT_SEAL_KEY_CONTEXT.to_owned(),
    }
}

/// What a master key rotation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MasterRotation {
    /// Wrapped keys in the store.
    pub keys: u64,
    /// Re-wrapped by this run.
    pub rewrapped: u64,
    /// Found wrapped by the new key already (a run before this one, killed or not).
    pub already: u64,
}

/// Re-wraps every key in the store from `from` to `to` (`cardvault master-key rotate`).
///
/// Refuses, changing nothing, when `to` is `from`, or when a key opens with neither (a store
/// that is not this master key's). Passes over the store until every key opens with `to`, so a
/// key added meanwhile under `from` (a merchant created during the rotation) is not left
/// behind; then checks that `from` opens none. Audited at its start and its end.
pub fn rotate_master_key(
    store: &Store,
    from: &MasterKey,
    to: &MasterKey,
    progress: &dyn Progress,
) -> Result<MasterRotation, BootError> {
    if from.id() == to.id() {
        return Err(BootError::Invalid(
            "the new master key is the current one: nothing to rotate".into(),
        ));
    }
    let keys = store.wrapped_keys()?;
    let mut report = MasterRotation {
        keys: keys.len() as u64,
        ..MasterRotation::default()
    };
    let mut pending = Vec::new();
    for key in keys {
        let context = wrap_context(&key.id);
        if to.unwrap(&context, &key.wrapped).is_ok() {
            report.already += 1;
        } else if from.unwrap(&context, &key.wrapped).is_ok() {
            pending.push(key);
        } else {
            return Err(BootError::MasterKeyMismatch);
        }
    }
    store.append_audit_blocking(audit(
        "master_key_rotate_start",
        format!(
            "keys={} to_rewrap={} from={} ({}) to={} ({})",
            report.keys,
            pending.len(),
            from.describe(),
            from.id(),
            to.describe(),
            to.id()
        ),
    ))?;
    // For the vaults serving meanwhile: which key comes next, until the rotation ends
    // (`custody`); after the start is audited, so that no such row is left unaccounted for.
    store.set_next_master_key(Some(next_master_key(from, to)?))?;
    // Passes until nothing is left under `from`: each pass re-reads the store.
    for pass in 0.. {
        if pending.is_empty() {
            break;
        }
        if pass >= 10 {
            return Err(BootError::Invalid(
                "keys keep being added under the old master key: stop the commands that add \
                 them (or give serving vaults the new key), then run this again"
                    .into(),
            ));
        }
        progress.phase("re-wrapping keys", pending.len() as u64);
        for chunk in pending.chunks(BATCH as usize) {
            for key in chunk {
                report.rewrapped += u64::from(rewrap(store, from, to, key)?);
            }
            progress.advance(chunk.len() as u64);
        }
        pending = store
            .wrapped_keys()?
            .into_iter()
            .filter(|key| {
                let context = wrap_context(&key.id);
                to.unwrap(&context, &key.wrapped).is_err()
                    && from.unwrap(&context, &key.wrapped).is_ok()
            })
            .collect();
    }
    // Every serving vault reads the next key every RELOAD_EVERY: once they all have, it goes.
    progress.note("letting serving vaults take the new key");
    std::thread::sleep(PICKUP);
    store.set_next_master_key(None)?;
    // The check the operator is promised: the old key opens nothing left in the store.
    let all = store.wrapped_keys()?;
    let opened_by_old = all
        .iter()
        .filter(|key| from.unwrap(&wrap_context(&key.id), &key.wrapped).is_ok())
        .count();
    let unreadable = all
        .iter()
        .filter(|key| to.unwrap(&wrap_context(&key.id), &key.wrapped).is_err())
        .count();
    if opened_by_old > 0 || unreadable > 0 {
        tracing::error!(opened_by_old, unreadable, "master key rotation incomplete");
        return Err(BootError::Invalid(format!(
            "after re-wrapping, {opened_by_old} key(s) still open with the old master key and \
             {unreadable} do not open with the new one: run this again"
        )));
    }
    report.keys = all.len() as u64;
    store.append_audit_blocking(audit(
        "master_key_rotate",
        format!(
            "keys={} rewrapped={} already={} to={} ({})",
            report.keys,
            report.rewrapped,
            report.already,
            to.describe(),
            to.id()
        ),
    ))?;
    Ok(report)
}

/// The new key as serving vaults find it (`custody`): which one and where, sealed by the old
/// key; never the key.
fn next_master_key(from: &MasterKey, to: &MasterKey) -> Result<NextMasterKey, BootError> {
    let key_id = to.id();
    let custody = match to.pkcs11_location() {
        None => NextCustody::Software,
        Some((module, token, label)) => NextCustody::Pkcs11 {
            module: module.to_string_lossy().into_owned(),
            token: token.to_owned(),
            label: label.to_owned(),
        },
    };
    let auth = from.wrap(NEXT_CONTEXT, &next_fields(&key_id, &custody))?;
    Ok(NextMasterKey {
        key_id,
        custody,
        auth,
    })
}

/// Re-wraps one key; `false` if another run got to it first.
fn rewrap(
    store: &Store,
    from: &MasterKey,
    to: &MasterKey,
    key: &WrappedKey,
) -> Result<bool, BootError> {
    let context = wrap_context(&key.id);
    let secret = from
        .unwrap(&context, &key.wrapped)
        .map_err(|_| BootError::MasterKeyMismatch)?;
    let wrapped = to.wrap(&context, &secret)?;
    Ok(store.replace_wrapped_key(key.id.clone(), key.wrapped.clone(), wrapped)?)
}

// ---------------------------------------------------------------------------------------------
// The data key
// ---------------------------------------------------------------------------------------------

/// Makes a new data key version, the one every vault seals new cards with from its next reload
/// on (`cardvault keys rotate-data`). Answers the version.
pub fn rotate_data_key(store: &Store, master: &MasterKey) -> Result<u32, BootError> {
    let version = store
        .data_keys()?
        .iter()
        .map(|k| k.version)
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or(BootError::Corrupt("data key versions exhausted"))?;
    let key = DataKey::generate(version)?;
    let record = DataKeyRecord {
        version,
        key: master.wrap(&data_keys::context(version), &key.to_bytes())?,
        created_at: now_unix(),
    };
    let audit = audit("data_key_rotate", format!("version={version}"));
    store.insert_data_key(record, Some(audit))?;
    Ok(version)
}

/// What a rewrap did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewrap {
    /// The version cards are now sealed under.
    pub version: u32,
    /// Cards re-encrypted by this run.
    pub resealed: u64,
    /// Older versions destroyed (no row used them any more).
    pub destroyed: Vec<u32>,
    /// Cards left under an older version: their CVC was still waiting when `cvc_wait` ran out
    /// (run again once it is used or expired).
    pub left: u64,
}

/// Re-encrypts every stored card (number, expiry, name) sealed under an older data key with the
/// newest one, then destroys the older keys no row uses (`keys rotate-data --rewrap`).
///
/// A card whose CVC is still waiting to be used stays as it is until the CVC is gone (taken by
/// a forward or expired): the CVC is sealed under the same key, and re-encrypting it would race
/// a forward taking it. The rewrap waits up to `cvc_wait` for those, then reports what is left.
pub fn rewrap_cards(
    store: &Store,
    master: &MasterKey,
    cvc_wait: Duration,
    progress: &dyn Progress,
) -> Result<Rewrap, BootError> {
    let records = store.data_keys()?;
    let newest = records
        .iter()
        .max_by_key(|k| k.version)
        .ok_or(BootError::Corrupt("no data key"))?;
    let (version, created_at) = (newest.version, newest.created_at);
    let mut keys = std::collections::HashMap::new();
    for record in &records {
        let bytes = master
            .unwrap(&data_keys::context(record.version), &record.key)
            .map_err(|_| BootError::MasterKeyMismatch)?;
        keys.insert(record.version, DataKey::from_bytes(record.version, &bytes)?);
    }
    let current = keys
        .get(&version)
        .ok_or(BootError::Corrupt("no data key"))?;
    let old = |usage: &[crate::store::DataKeyUsage]| -> (u64, u64) {
        usage
            .iter()
            .filter(|u| u.version < version)
            .fold((0, 0), |(t, c), u| (t + u.tokens, c + u.with_cvc))
    };
    let (to_do, _) = old(&store.data_key_usage()?);
    store.append_audit_blocking(audit(
        "data_key_rewrap_start",
        format!("version={version} cards={to_do}"),
    ))?;
    let mut report = Rewrap {
        version,
        ..Rewrap::default()
    };
    let started = std::time::Instant::now();
    let mut waiting_noted = false;
    loop {
        let (remaining, with_cvc) = old(&store.data_key_usage()?);
        if remaining > with_cvc {
            progress.phase("re-encrypting cards", remaining - with_cvc);
            let mut after = String::new();
            loop {
                let batch = store.sealed_cards_below(version, &after, BATCH)?;
                let Some(last) = batch.last() else { break };
                after = last.token.clone();
                let count = batch.len() as u64;
                let resealed = batch
                    .into_iter()
                    .map(|card| reseal(&keys, current, card))
                    .collect::<Result<Vec<_>, _>>()?;
                report.resealed += store.reseal_cards(resealed, version)?;
                progress.advance(count);
            }
            continue;
        }
        // Only once every vault has had time to pick the new key up: until then one may still
        // seal a card under the old one, which the next pass re-encrypts.
        let picked_up = now_unix() >= created_at + PICKUP.as_secs() as i64;
        if remaining == 0 && picked_up {
            break;
        }
        if remaining > 0 && picked_up && started.elapsed() >= cvc_wait {
            report.left = remaining;
            break;
        }
        if remaining > 0 && !waiting_noted {
            progress.note(&format!(
                "waiting for {remaining} card(s) whose CVC is still to be used or to expire"
            ));
            waiting_noted = true;
        }
        std::thread::sleep(RELOAD_EVERY);
    }
    for record in records.iter().filter(|k| k.version < version) {
        let audit = audit("data_key_destroy", format!("version={}", record.version));
        if store.destroy_data_key(record.version, audit)? {
            report.destroyed.push(record.version);
        }
    }
    store.append_audit_blocking(audit(
        "data_key_rewrap",
        format!(
            "version={version} resealed={} destroyed={} left={}",
            report.resealed,
            report.destroyed.len(),
            report.left
        ),
    ))?;
    Ok(report)
}

/// One card, opened under its key and sealed under `current` (same associated data but for the
/// version).
fn reseal(
    keys: &std::collections::HashMap<u32, DataKey>,
    current: &DataKey,
    card: SealedCard,
) -> Result<(SealedCard, Vec<u8>), BootError> {
    let key = keys.get(&card.data_key_version).ok_or(BootError::Corrupt(
        "a card is sealed under a data key the store does not hold",
    ))?;
    let plain = key
        .open(
            &record_aad(
                "card",
                &card.merchant_id,
                &card.token,
                card.data_key_version,
            ),
            &card.card,
        )
        .map_err(|_| BootError::Corrupt("a stored card does not open under its data key"))?;
    let sealed = current.seal(
        &record_aad("card", &card.merchant_id, &card.token, current.version()),
        &plain,
    )?;
    Ok((card, sealed))
}
