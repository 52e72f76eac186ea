//! The transport keys in memory: parsed once (at start-up and when the store has a new one),
//! looked up by `kid` on every envelope.
//!
//! Parsing a key runs AWS-LC's RSA checks and a pairwise private-key operation (milliseconds for
//! 4096 bits), and a reload reads the store: neither belongs on an async worker, where it would
//! stall every request that worker carries. So the async side
//! ([`Vault::reload_transport_keys_if_stale`]) hands reloads to the blocking pool, and a reload
//! parses only the kids it has not parsed before.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::keys::{Jwk, MasterKey, TransportKey};
use crate::store::{Store, TransportKeyRecord};

use super::audit::operator_event;
use super::{BootError, Vault, now_unix};

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
    /// Held by the reload under way, so that concurrent callers do not read and parse twice.
    reloading: Mutex<()>,
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
        let keys = read(store, master, &[])?;
        Ok(Keyring {
            keys: RwLock::new((keys, Instant::now())),
            reloading: Mutex::new(()),
        })
    }

    /// Re-reads the keys from the store, parsing only those not loaded yet. Blocking: from
    /// async code, call [`Vault::reload_transport_keys_if_stale`].
    pub fn reload(&self, store: &Store, master: &MasterKey) -> Result<(), BootError> {
        let _reloading = self.reloading.lock();
        self.reload_locked(store, master)
    }

    fn reload_locked(&self, store: &Store, master: &MasterKey) -> Result<(), BootError> {
        let known: Vec<Arc<TransportKey>> = match self.keys.read() {
            Ok(guard) => guard.0.iter().map(|k| Arc::clone(&k.key)).collect(),
            Err(_) => Vec::new(),
        };
        let keys = read(store, master, &known)?;
        if let Ok(mut guard) = self.keys.write() {
            *guard = (keys, Instant::now());
        }
        Ok(())
    }

    /// Whether the last read is older than [`RELOAD_EVERY`].
    fn is_stale(&self) -> bool {
        self.keys
            .read()
            .map(|guard| guard.1.elapsed() >= RELOAD_EVERY)
            .unwrap_or(true)
    }

    /// Re-reads the keys if the last read is older than [`RELOAD_EVERY`]. Blocking: from async
    /// code, call [`Vault::reload_transport_keys_if_stale`].
    pub fn reload_if_stale(&self, store: &Store, master: &MasterKey) {
        if !self.is_stale() {
            return;
        }
        let _reloading = self.reloading.lock();
        // Another caller may have reloaded while this one waited.
        if self.is_stale()
            && let Err(e) = self.reload_locked(store, master)
        {
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

impl Vault {
    /// Picks up transport keys that another process added (`cardvault keys rotate|import`), at
    /// most every [`RELOAD_EVERY`]: the store read and the new keys' RSA checks run on the
    /// blocking pool, not on this async worker.
    pub async fn reload_transport_keys_if_stale(&self) {
        if !self.keyring.is_stale() {
            return;
        }
        let keyring = Arc::clone(&self.keyring);
        let store = self.store.clone();
        let master = self.master.get();
        let reload = tokio::task::spawn_blocking(move || {
            keyring.reload_if_stale(&store, &master);
        });
        if let Err(e) = reload.await {
            tracing::error!(error = %e, "reloading transport keys failed");
        }
    }
}

/// The usable keys in the store. Those in `known` (by kid) are kept as they are, the others
/// unwrapped and parsed.
fn read(
    store: &Store,
    master: &MasterKey,
    known: &[Arc<TransportKey>],
) -> Result<Vec<Loaded>, BootError> {
    let now = now_unix();
    let mut loaded = Vec::new();
    for record in store.transport_keys()? {
        if record.usable_until.is_some_and(|until| until <= now) {
            continue;
        }
        let key = match known.iter().find(|k| k.kid() == record.kid) {
            Some(key) => Arc::clone(key),
            None => Arc::new(parse(master, &record)?),
        };
        loaded.push(Loaded {
            key,
            usable_until: record.usable_until,
            active: record.retired_at.is_none(),
        });
    }
    Ok(loaded)
}

/// Unwraps a stored key with the master key and parses it (AWS-LC's checks included).
fn parse(master: &MasterKey, record: &TransportKeyRecord) -> Result<TransportKey, BootError> {
    let der = master
        .unwrap(&wrap_context(&record.kid), &record.private_key)
        .map_err(|_| BootError::MasterKeyMismatch)?;
    let key = TransportKey::from_pkcs8_der(&der)?;
    if key.kid() != record.kid {
        return Err(BootError::Corrupt("a transport key does not match its kid"));
    }
    Ok(key)
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
    let audit = operator_event(
        None,
        action,
        Some(format!("kid={} bits={}", key.kid(), key.bits())),
    );
    let retire = Some((now, now + grace_secs.unwrap_or(0)));
    store.insert_transport_key(record, retire, audit)?;
    Ok(key.kid().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Config;

    fn store() -> (tempfile::TempDir, Store, MasterKey) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store, MasterKey::generate().unwrap())
    }

    /// A reload keeps the keys it already has (the same parsed key, not parsed again) and
    /// parses only the new one.
    #[test]
    fn a_reload_parses_only_new_keys() {
        let (_dir, store, master) = store();
        let keyring = Keyring::load(&store, &master).unwrap();
        let now = now_unix();
        let first = keyring.jwks(now)[0].kid.clone();
        let before = keyring.find(&first, now).unwrap();

        keyring.reload(&store, &master).unwrap();
        assert!(Arc::ptr_eq(&before, &keyring.find(&first, now).unwrap()));

        let second = create(&store, &master, 2048, Some(3600), "key_rotate").unwrap();
        keyring.reload(&store, &master).unwrap();
        assert!(Arc::ptr_eq(&before, &keyring.find(&first, now).unwrap()));
        assert!(keyring.find(&second, now).is_some());
        let kids: Vec<String> = keyring.jwks(now).into_iter().map(|k| k.kid).collect();
        assert_eq!(kids, [second, first]);
    }

    /// A retired key is found (so its envelopes open) only until the end of its grace, and
    /// published only as long; without a grace it is gone at the rotation. `find` is the lookup
    /// of every envelope's `kid` (`vault/tokens.rs`).
    #[test]
    fn a_retired_key_opens_nothing_past_its_grace() {
        let (_dir, store, master) = store();
        let keyring = Keyring::load(&store, &master).unwrap();
        let first = keyring.jwks(now_unix())[0].kid.clone();

        let second = create(&store, &master, 2048, Some(3600), "key_rotate").unwrap();
        keyring.reload(&store, &master).unwrap();
        let now = now_unix();
        assert!(keyring.find(&first, now).is_some(), "in its grace");
        // The grace ended at most an hour after `now` (the rotation came first).
        let past = now + 3600;
        assert!(keyring.find(&first, past).is_none(), "past its grace");
        assert!(keyring.find(&second, past).is_some());
        let kids: Vec<String> = keyring.jwks(past).into_iter().map(|k| k.kid).collect();
        assert_eq!(kids, std::slice::from_ref(&second));

        let third = create(&store, &master, 2048, None, "key_rotate").unwrap();
        keyring.reload(&store, &master).unwrap();
        let now = now_unix();
        assert!(
            keyring.find(&second, now).is_none(),
            "no grace: retired at once"
        );
        assert!(
            keyring.find(&first, now).is_some(),
            "its own grace is not cut"
        );
        assert!(keyring.find(&third, now).is_some());
    }

    /// The async path (the blocking pool) picks up a key rotated by another process, on a
    /// runtime with one thread.
    #[tokio::test(flavor = "current_thread")]
    async fn the_vault_picks_up_a_rotated_key() {
        let (_dir, store, master) = store();
        let vault = Arc::new(Vault::open(store, master, Config::default()).unwrap());
        let first = vault.keyring().jwks(now_unix())[0].kid.clone();
        let before = vault.keyring().find(&first, now_unix()).unwrap();
        let second = create(
            vault.store(),
            &vault.master.get(),
            2048,
            Some(3600),
            "key_rotate",
        )
        .unwrap();
        let deadline = Instant::now() + RELOAD_EVERY * 10;
        while vault.keyring().find(&second, now_unix()).is_none() {
            assert!(
                Instant::now() < deadline,
                "the rotated key was not picked up"
            );
            vault.reload_transport_keys_if_stale().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let after = vault.keyring().find(&first, now_unix()).unwrap();
        assert!(Arc::ptr_eq(&before, &after));
    }
}
