//! The data keys in memory: every version the store holds, unwrapped once, the newest sealing
//! new cards.
//!
//! `cardvault keys rotate-data` adds a version from another process, and `--rewrap` moves
//! cards onto it and destroys the versions no row uses any more; a running vault (every
//! instance of a cluster) picks both up by re-reading the small `data_keys` table at most every
//! [`RELOAD_EVERY`], and at once when it meets a card sealed under a version it does not know.
//! A reload unwraps only the versions it has not unwrapped before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::keys::{DataKey, MasterKey};
use crate::store::{DataKeyRecord, Store, StoreError};

use super::{BootError, Vault, now_unix};

/// How often a vault looks for a data key made or destroyed by another process, at most. A
/// rewrap waits for several of these before it destroys a key (`vault::rotation`).
pub(crate) const RELOAD_EVERY: Duration = Duration::from_secs(2);

/// The master key's context for a wrapped data key.
pub(crate) fn context(version: u32) -> String {
    format!("data-key:{version}")
}

struct Loaded {
    current: Arc<DataKey>,
    by_version: HashMap<u32, Arc<DataKey>>,
    read_at: Instant,
}

/// Every data key the store holds, by version.
pub(crate) struct DataKeys {
    loaded: RwLock<Loaded>,
    /// Held by the reload under way, so that concurrent callers do not read and unwrap twice.
    reloading: Mutex<()>,
}

impl DataKeys {
    /// Unwraps every data key in the store, making the first one if there is none.
    pub(crate) fn load(store: &Store, master: &MasterKey) -> Result<DataKeys, BootError> {
        if store.data_keys()?.is_empty() {
            let key = DataKey::generate(1)?;
            let record = DataKeyRecord {
                version: 1,
                key: master.wrap(&context(1), &key.to_bytes())?,
                created_at: now_unix(),
            };
            match store.insert_data_key(record, None) {
                // Another instance, starting on the same new database, made it first.
                Ok(()) | Err(StoreError::Conflict) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let loaded = read(store, master, &HashMap::new())?;
        Ok(DataKeys {
            loaded: RwLock::new(loaded),
            reloading: Mutex::new(()),
        })
    }

    /// The key new cards are sealed with: the newest version.
    pub(crate) fn current(&self) -> Option<Arc<DataKey>> {
        self.loaded.read().ok().map(|l| Arc::clone(&l.current))
    }

    /// The key of `version`, if this vault has it.
    pub(crate) fn get(&self, version: u32) -> Option<Arc<DataKey>> {
        self.loaded
            .read()
            .ok()
            .and_then(|l| l.by_version.get(&version).cloned())
    }

    fn is_stale(&self) -> bool {
        self.loaded
            .read()
            .map(|l| l.read_at.elapsed() >= RELOAD_EVERY)
            .unwrap_or(true)
    }

    /// Re-reads the versions in the store (blocking). With `force`, even if the last read is
    /// recent (a card under an unknown version). A key another process destroyed is dropped.
    fn reload(&self, store: &Store, master: &MasterKey, force: bool) {
        if !force && !self.is_stale() {
            return;
        }
        let _reloading = self.reloading.lock();
        if !force && !self.is_stale() {
            return;
        }
        let known = match self.loaded.read() {
            Ok(l) => l.by_version.clone(),
            Err(_) => HashMap::new(),
        };
        match read(store, master, &known) {
            Ok(loaded) => {
                if let Ok(mut guard) = self.loaded.write() {
                    if guard.current.version() != loaded.current.version() {
                        tracing::info!(
                            version = loaded.current.version(),
                            "new cards are sealed under a new data key"
                        );
                    }
                    *guard = loaded;
                }
            }
            Err(e) => tracing::error!(error = %e, "reloading data keys failed"),
        }
    }
}

/// The data keys in the store; those in `known` kept as they are, the others unwrapped.
fn read(
    store: &Store,
    master: &MasterKey,
    known: &HashMap<u32, Arc<DataKey>>,
) -> Result<Loaded, BootError> {
    let mut by_version = HashMap::new();
    for record in store.data_keys()? {
        let key = match known.get(&record.version) {
            Some(key) => Arc::clone(key),
            None => {
                let bytes = master
                    .unwrap(&context(record.version), &record.key)
                    .map_err(|_| BootError::MasterKeyMismatch)?;
                Arc::new(DataKey::from_bytes(record.version, &bytes)?)
            }
        };
        by_version.insert(record.version, key);
    }
    let current = by_version
        .iter()
        .max_by_key(|(version, _)| **version)
        .map(|(_, key)| Arc::clone(key))
        .ok_or(BootError::Corrupt("no data key"))?;
    Ok(Loaded {
        current,
        by_version,
        read_at: Instant::now(),
    })
}

impl Vault {
    /// Picks up data keys another process made or destroyed, and follows a master key rotation,
    /// at most every [`RELOAD_EVERY`] (on the blocking pool: it reads the store, and may unwrap,
    /// which with an HSM is a call into it).
    pub(crate) async fn reload_data_keys_if_stale(&self) {
        if self.data_keys.is_stale() {
            self.reload_data_keys(false).await;
        }
    }

    async fn reload_data_keys(&self, force: bool) {
        let keys = Arc::clone(&self.data_keys);
        let store = self.store.clone();
        let custody = Arc::clone(&self.master);
        // With the data keys, the next master key of a rotation under way (`custody`): both
        // change only by an operator's command in another process.
        let reload = tokio::task::spawn_blocking(move || {
            custody.follow(&store);
            keys.reload(&store, &custody.get(), force);
        });
        if let Err(e) = reload.await {
            tracing::error!(error = %e, "reloading data keys failed");
        }
    }

    /// The data key new cards are sealed with.
    pub(crate) async fn current_data_key(&self) -> Option<Arc<DataKey>> {
        self.reload_data_keys_if_stale().await;
        self.data_keys.current()
    }

    /// [`Vault::current_data_key`], for a blocking caller (`cardvault import`, whose batches
    /// may run for minutes beside a rotation).
    pub(crate) fn current_data_key_blocking(&self) -> Option<Arc<DataKey>> {
        if self.data_keys.is_stale() {
            self.master.follow(&self.store);
            self.data_keys
                .reload(&self.store, &self.master.get(), false);
        }
        self.data_keys.current()
    }

    /// The data key of `version`: a card sealed under a version this vault has not read yet
    /// (re-encrypted by another process) makes it read the store at once.
    pub(crate) async fn data_key(&self, version: u32) -> Option<Arc<DataKey>> {
        if let Some(key) = self.data_keys.get(version) {
            return Some(key);
        }
        self.reload_data_keys(true).await;
        self.data_keys.get(version)
    }
}
