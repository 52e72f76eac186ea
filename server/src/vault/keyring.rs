//! The transport keys in memory: parsed once (at start-up and when the store has a new one),
//! looked up by `kid` on every envelope.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::keys::{Jwk, MasterKey, TransportKey};
use crate::store::{AuditEvent, Store, TransportKeyRecord};

use super::{BootError, now_unix};

/// How often the keyring looks for keys added by `cardvault keys rotate|import` in another
/// process, at most.
const RELOAD_EVERY: Duration = Duration::from_secs(2);

struct Loaded {
    key: Arc<TransportKey>,
    /// `None` while active; else the end of the grace period.
    usable_until: Option<i64>,
    active: bool,
}

/// The usable transport keys, the active one first.
pub struct Keyring {
    keys: RwLock<(Vec<Loaded>, Instant)>,
}

/// The master key's context for a wrapped transport key.
pub(crate) fn wrap_context(kid: &str) -> String {
    format!("transport-key:{kid}")
}

impl Keyring {
    /// Loads every transport key still usable, creating the first one (2048 bits) if there is
    /// none.
    pub fn load(store: &Store, master: &MasterKey) -> Result<Keyring, BootError> {
        if store.transport_keys()?.is_empty() {
            create(store, master, 2048, None, "key_create")?;
        }
        let keys = read(store, master)?;
        Ok(Keyring {
            keys: RwLock::new((keys, Instant::now())),
        })
    }

    /// Re-reads the keys from the store.
    pub fn reload(&self, store: &Store, master: &MasterKey) -> Result<(), BootError> {
        let keys = read(store, master)?;
        if let Ok(mut guard) = self.keys.write() {
            *guard = (keys, Instant::now());
        }
        Ok(())
    }

    /// Re-reads the keys if the last read is older than [`RELOAD_EVERY`].
    pub fn reload_if_stale(&self, store: &Store, master: &MasterKey) {
        let stale = self
            .keys
            .read()
            .map(|guard| guard.1.elapsed() >= RELOAD_EVERY)
            .unwrap_or(true);
        if stale && let Err(e) = self.reload(store, master) {
            tracing::error!(error = %e, "reloading transport keys failed");
        }
    }

    /// The key with this `kid`, if it is active or within its grace period at `now`.
    pub fn find(&self, kid: &str, now: i64) -> Option<Arc<TransportKey>> {
        let guard = self.keys.read().ok()?;
        guard
            .0
            .iter()
            .find(|k| k.key.kid() == kid && k.usable_until.is_none_or(|until| now < until))
            .map(|k| Arc::clone(&k.key))
    }

    /// The public keys to publish: active first, then those in their grace period.
    pub fn jwks(&self, now: i64) -> Vec<Jwk> {
        let Ok(guard) = self.keys.read() else {
            return Vec::new();
        };
        let mut keys: Vec<&Loaded> = guard
            .0
            .iter()
            .filter(|k| k.usable_until.is_none_or(|until| now < until))
            .collect();
        keys.sort_by_key(|k| !k.active);
        keys.into_iter().map(|k| k.key.jwk()).collect()
    }
}

fn read(store: &Store, master: &MasterKey) -> Result<Vec<Loaded>, BootError> {
    let now = now_unix();
    let mut loaded = Vec::new();
    for record in store.transport_keys()? {
        if record.usable_until.is_some_and(|until| until <= now) {
            continue;
        }
        let der = master
            .unwrap(&wrap_context(&record.kid), &record.private_key)
            .map_err(|_| BootError::MasterKeyMismatch)?;
        let key = TransportKey::from_pkcs8_der(&der)?;
        if key.kid() != record.kid {
            return Err(BootError::Corrupt("a transport key does not match its kid"));
        }
        loaded.push(Loaded {
            key: Arc::new(key),
            usable_until: record.usable_until,
            active: record.retired_at.is_none(),
        });
    }
    Ok(loaded)
}

/// Generates a transport key and makes it the active one. With `grace_secs`, the keys active
/// until now stay usable that long; `action` names it in the audit log.
pub fn create(
    store: &Store,
    master: &MasterKey,
    bits: usize,
    grace_secs: Option<i64>,
    action: &str,
) -> Result<String, BootError> {
    let key = TransportKey::generate(bits)?;
    install(store, master, &key, grace_secs, action)
}

/// Stores `key` wrapped by the master key as the active transport key; the previous active
/// keys are retired, usable for `grace_secs` more (or retired at once without).
pub fn install(
    store: &Store,
    master: &MasterKey,
    key: &TransportKey,
    grace_secs: Option<i64>,
    action: &str,
) -> Result<String, BootError> {
    let now = now_unix();
    let der = key.to_pkcs8_der()?;
    let record = TransportKeyRecord {
        kid: key.kid().to_owned(),
        private_key: master.wrap(&wrap_context(key.kid()), &der)?,
        bits: u32::try_from(key.bits()).unwrap_or(u32::MAX),
        created_at: now,
        retired_at: None,
        usable_until: None,
    };
    let audit = AuditEvent {
        at: now,
        request_id: None,
        merchant_id: None,
        key_kind: Some("operator".into()),
        client: None,
        action: action.into(),
        token: None,
        outcome: "ok".into(),
        detail: Some(format!("kid={} bits={}", key.kid(), key.bits())),
    };
    let retire = Some((now, now + grace_secs.unwrap_or(0)));
    store.insert_transport_key(record, retire, audit)?;
    Ok(key.kid().to_owned())
}
