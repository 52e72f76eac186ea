//! The vault itself, apart from HTTP: its keys in memory, who is calling, and what it does
//! with a card (tokenize, describe, delete, forward), each operation audited by the vault in
//! the same store write as the operation. The HTTP layer and the command line both call into
//! here; nothing here knows about HTTP beyond what [`RequestContext`] says of a request.

mod allowance;
mod audit;
mod auth;
mod custody;
mod data_keys;
mod directory;
mod error;
mod forward;
mod import;
mod keyring;
mod merchants;
mod receivers;
mod refusals;
mod request;
mod rotation;
mod tokens;
mod unlock;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

pub use allowance::Limits;
pub use audit::{AuditContext, operator_event};
pub use auth::{Caller, Credentials, KeyKind};
pub use custody::{RotationAccess, resume_rotation};
pub use error::Error;
pub(crate) use error::internal;
pub use forward::{ForwardReply, ForwardRequest, Forwarded, MAX_HEADERS as MAX_FORWARD_HEADERS};
pub use import::{ImportCounts, ImportRecord, ImportRefusal, Imported};
pub use keyring::{Keyring, create as create_transport_key, install as install_transport_key};
pub use merchants::{
    MAX_ROLL_GRACE_SECS, NewMerchant, RolledKey, create_merchant, hash_secret_key,
    normalize_origin, roll_merchant_key,
};
pub use receivers::{add_receiver, remove_receiver};
pub use request::{ROUTES, RequestContext, method_label, route_label};
pub use rotation::{
    MasterRotation, Progress, Rewrap, rewrap_cards, rotate_data_key, rotate_master_key,
};
pub use tokens::{CardMeta, TokenMeta};
pub use unlock::{Answer as UnlockAnswer, Custodian, Unlocking, WINDOW as UNLOCK_WINDOW};

use allowance::RateLimits;
use refusals::Refusals;

use crate::forward::client::{self, Client};
use crate::keys::{
    AUDIT_SEAL_KEY_CONTEXT, AuditSealKey, FingerprintKey, Jwk, KeyError, MasterKey, TransportKey,
};
use crate::store::{
    self, AuditBreak, EnumerationLimit, ExpectedHead, MerchantRecord, SealedReport, Store,
    StoreError,
};
use custody::Custody;
use data_keys::DataKeys;
use directory::Directory;
pub use directory::TTL as DIRECTORY_TTL;

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The vault's tunables.
#[derive(Clone, Debug)]
pub struct Config {
    /// How old an envelope's `iat` may be, in seconds.
    pub freshness_secs: i64,
    /// Clock skew tolerated on `iat`, in seconds.
    pub skew_secs: i64,
    /// How long a CVC is kept for its one forward, in seconds.
    pub cvc_ttl_secs: i64,
    /// `--dev`: loopback receivers may be used.
    pub dev: bool,
    /// Timeouts and the answer's size cap for forwards.
    pub forward_limits: client::Limits,
    /// Certificate authorities trusted for receivers besides the built-in roots
    /// (`--receiver-ca`).
    pub receiver_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// Tokenization allowances.
    pub limits: Limits,
    /// Refusals audited one by one each second; beyond, counted (`vault/refusals.rs`).
    pub refusals_per_second: u32,
    /// Distinct card numbers per merchant, BIN and last four within a window (README, *The
    /// fingerprint*): 10 per 24 hours.
    pub enumeration: EnumerationLimit,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            freshness_secs: 300,
            skew_secs: 60,
            cvc_ttl_secs: 600,
            dev: false,
            forward_limits: client::Limits::default(),
            receiver_roots: Vec::new(),
            limits: Limits::default(),
            refusals_per_second: 20,
            enumeration: EnumerationLimit {
                limit: 10,
                window_secs: 24 * 60 * 60,
            },
        }
    }
}

/// Why the vault could not start or an operator command failed.
#[derive(Debug)]
pub enum BootError {
    /// The store failed.
    Store(StoreError),
    /// A key operation failed.
    Key(KeyError),
    /// Wrapped keys in the store do not open with this master key.
    MasterKeyMismatch,
    /// The store holds something inconsistent.
    Corrupt(&'static str),
    /// An operator's input is not acceptable.
    Invalid(String),
}

impl fmt::Display for BootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootError::Store(e) => write!(f, "store: {e}"),
            BootError::Key(e) => write!(f, "keys: {e}"),
            BootError::MasterKeyMismatch => f.write_str(
                "the keys in the store (data dir or database) do not open with this master key (wrong CARDVAULT_MASTER_KEY, --master-key-file or --pkcs11-key?)",
            ),
            BootError::Corrupt(what) => write!(f, "the store is inconsistent: {what}"),
            BootError::Invalid(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for BootError {}

impl From<StoreError> for BootError {
    fn from(e: StoreError) -> Self {
        BootError::Store(e)
    }
}

impl From<KeyError> for BootError {
    fn from(e: KeyError) -> Self {
        BootError::Key(e)
    }
}

/// Makes the store seal its audit log (see `keys::audit`): unwraps this database's audit seal key
/// with the master key, making and storing one the first time, and seals the head now. Every
/// command that writes to the store calls it first, so that each entry it appends is sealed.
///
/// A key is made only for a new database (nothing in it yet) or one from before the seal
/// (migrated as this process opened it): a store that holds records or entries and no seal key
/// lost it, and a new key would seal whatever the log then holds.
pub fn seal_audit(store: &Store, master: &MasterKey) -> Result<(), BootError> {
    let legacy = store.predates_seal();
    // Read again after `holds_records`: an instance starting on the same new database may have
    // made the seal key (and its first records) in between.
    let seal_row = |store: &Store| store.audit_seal();
    let wrapped = match seal_row(store)? {
        Some(record) => record.key,
        None if !legacy && store.holds_records()? && seal_row(store)?.is_none() => {
            return Err(BootError::Corrupt(
                "the audit log's seal key is missing but the store holds records: the seal was \
                 removed (see `cardvault audit verify`)",
            ));
        }
        None => {
            let key = AuditSealKey::generate()?;
            let wrapped = master.wrap(AUDIT_SEAL_KEY_CONTEXT, &key.to_bytes())?;
            match store.insert_audit_seal_key(wrapped.clone()) {
                Ok(()) => wrapped,
                // Another process made it first: use theirs.
                Err(StoreError::Conflict) => {
                    store
                        .audit_seal()?
                        .ok_or(BootError::Corrupt("the audit seal key vanished"))?
                        .key
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    if legacy {
        tracing::warn!(
            "audit: the database is from before the audit seal; sealing begins at its head now \
             (`cardvault audit verify` says after which entry)"
        );
    }
    store.seal_audit_with(unwrap_audit_seal_key(master, &wrapped)?, legacy)?;
    Ok(())
}

/// This database's audit seal key, if it has one (for `cardvault audit verify`).
pub fn audit_seal_key(
    store: &Store,
    master: &MasterKey,
) -> Result<Option<AuditSealKey>, BootError> {
    store
        .audit_seal()?
        .map(|record| unwrap_audit_seal_key(master, &record.key))
        .transpose()
}

/// The audit log verified with this database's seal key (`store::verify_audit_sealed`), and
/// against `expect` if given.
pub fn verify_audit(
    store: &Store,
    master: &MasterKey,
    expect: Option<&ExpectedHead>,
) -> Result<Result<SealedReport, AuditBreak>, BootError> {
    let key = audit_seal_key(store, master)?;
    Ok(store::verify_audit_sealed(store, key.as_ref(), expect))
}

fn unwrap_audit_seal_key(master: &MasterKey, wrapped: &[u8]) -> Result<AuditSealKey, BootError> {
    let bytes = master
        .unwrap(AUDIT_SEAL_KEY_CONTEXT, wrapped)
        .map_err(|_| BootError::MasterKeyMismatch)?;
    Ok(AuditSealKey::from_bytes(&bytes)?)
}

/// The running vault: the store and every key it needs, unwrapped once.
pub struct Vault {
    store: Store,
    /// The master key, swapped when a rotation is followed (`custody`).
    master: Arc<Custody>,
    keyring: Arc<Keyring>,
    /// Every data key by version: the newest seals new cards, the others open older ones.
    data_keys: Arc<DataKeys>,
    fingerprint_keys: Mutex<HashMap<String, Arc<FingerprintKey>>>,
    directory: Directory,
    config: Config,
    forwarder: Client,
    limits: RateLimits,
    refusals: Refusals,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault").finish_non_exhaustive()
    }
}

impl Vault {
    /// Opens the vault on `store`: creates the first data key and transport key if missing,
    /// and unwraps them all with `master`.
    ///
    /// Refuses a store whose audit log does not verify (`cardvault audit verify` says where), so
    /// that a vault never goes on appending to, and sealing, a log changed under it; except a
    /// database from before the seal, which has none to check yet.
    pub fn open(store: Store, master: MasterKey, config: Config) -> Result<Vault, BootError> {
        if !store.predates_seal()
            && let Err(broken) = verify_audit(&store, &master, None)?
        {
            return Err(BootError::Invalid(format!(
                "refusing to start: the audit log is BROKEN ({broken}); `cardvault audit verify` checks it"
            )));
        }
        seal_audit(&store, &master)?;
        // Every data key must open with this master key; new cards use the newest.
        let data_keys = Arc::new(DataKeys::load(&store, &master)?);
        let keyring = Keyring::load(&store, &master)?;
        let mut roots = client::default_roots();
        for ca in &config.receiver_roots {
            roots.add(ca.clone()).map_err(|e| {
                BootError::Invalid(format!("a --receiver-ca certificate is not usable: {e}"))
            })?;
        }
        let forwarder = Client::new(roots, config.dev, config.forward_limits)
            .map_err(|e| BootError::Invalid(format!("the forwarding TLS client: {e}")))?;
        let limits = RateLimits::new(config.limits, &store);
        Ok(Vault {
            store,
            master: Arc::new(Custody::new(master)),
            keyring: Arc::new(keyring),
            data_keys,
            fingerprint_keys: Mutex::new(HashMap::new()),
            directory: Directory::default(),
            limits,
            refusals: Refusals::new(config.refusals_per_second),
            config,
            forwarder,
        })
    }

    /// The transport keys in memory (tests: what is loaded, without a reload).
    #[cfg(test)]
    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Replaces the forwarding client (tests: other trust roots or limits).
    pub fn set_forwarder(&mut self, forwarder: Client) {
        self.forwarder = forwarder;
    }

    /// The forwarding client (tests: its kept-alive connections).
    #[cfg(test)]
    pub(crate) fn forwarder(&self) -> &Client {
        &self.forwarder
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The master key (to name it in the log, and count its operations: with an HSM, the calls
    /// into it).
    pub fn master_key(&self) -> Arc<MasterKey> {
        self.master.get()
    }

    /// What this vault may use to follow a master key rotation into an HSM (`custody`).
    pub fn allow_rotation(&self, access: RotationAccess) {
        self.master.allow(access);
    }

    /// The merchant whose publishable key is `pk`, if any: its current key, or a previous one
    /// in its grace after a roll (read at most every [`directory::TTL`] per key).
    pub fn merchant_by_publishable_key(
        &self,
        pk: &str,
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        self.directory.by_publishable_key(&self.store, pk)
    }

    /// The merchant whose secret key hashes to `hash`, if any (compared in constant time; read
    /// at most every [`directory::TTL`] per key).
    pub fn merchant_by_secret_hash(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        self.directory.by_secret_hash(&self.store, hash)
    }

    /// The public transport keys to publish (`/.well-known/jwks.json`): active first, then
    /// those in their grace period; picks up keys rotated by another process first.
    pub async fn jwks(&self) -> Vec<Jwk> {
        self.reload_transport_keys_if_stale().await;
        self.keyring.jwks(now_unix())
    }

    /// Housekeeping, now and then: sweeps expired tokens, CVCs and replay memory; forgets idle
    /// allowances; picks up keys rotated by another process; writes the counts of refusals
    /// held beyond the allowance.
    pub async fn tick(&self) {
        loop {
            match self.store.sweep(now_unix()).await {
                Ok(report) if report.more => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, "sweep failed");
                    break;
                }
            }
        }
        self.limits.purge();
        self.reload_transport_keys_if_stale().await;
        self.flush_refusals().await;
    }

    /// Writes the counts of refusals held beyond the allowance (at each tick, and when `serve`
    /// stops, so that a graceful stop loses none).
    pub async fn flush_refusals(&self) {
        let held = self.refusals.flush(now_unix());
        if !held.is_empty() {
            self.append_audit(held).await;
        }
    }

    /// Creates a merchant (see [`create_merchant`]).
    pub fn create_merchant(
        &self,
        new: NewMerchant,
    ) -> Result<(MerchantRecord, zeroize::Zeroizing<String>), BootError> {
        create_merchant(&self.store, &self.master.get(), new)
    }

    /// Rolls a merchant's key (see [`roll_merchant_key`]).
    pub fn roll_merchant_key(
        &self,
        merchant_id: &str,
        kind: KeyKind,
        grace_secs: i64,
    ) -> Result<RolledKey, BootError> {
        roll_merchant_key(&self.store, merchant_id, kind, grace_secs)
    }

    /// Generates a new active transport key (see [`create_transport_key`]).
    pub fn rotate_transport_key(
        &self,
        bits: usize,
        grace_secs: Option<i64>,
    ) -> Result<String, BootError> {
        create_transport_key(
            &self.store,
            &self.master.get(),
            bits,
            grace_secs,
            "key_rotate",
        )
    }

    /// Installs `key` as the active transport key (see [`install_transport_key`]).
    pub fn import_transport_key(
        &self,
        key: &TransportKey,
        grace_secs: Option<i64>,
    ) -> Result<String, BootError> {
        install_transport_key(
            &self.store,
            &self.master.get(),
            key,
            grace_secs,
            "key_import",
        )
    }

    /// The merchant's fingerprint key, unwrapped once and cached.
    pub(crate) fn fingerprint_key(
        &self,
        merchant: &MerchantRecord,
    ) -> Result<Arc<FingerprintKey>, KeyError> {
        if let Some(key) = self
            .fingerprint_keys
            .lock()
            .ok()
            .and_then(|m| m.get(&merchant.id).cloned())
        {
            return Ok(key);
        }
        let bytes = self.master.get().unwrap(
            &merchants::fingerprint_context(&merchant.id),
            &merchant.fingerprint_key,
        )?;
        let key = Arc::new(FingerprintKey::from_bytes(&bytes)?);
        if let Ok(mut cache) = self.fingerprint_keys.lock() {
            cache.insert(merchant.id.clone(), Arc::clone(&key));
        }
        Ok(key)
    }
}
