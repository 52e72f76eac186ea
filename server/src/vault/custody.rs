//! The master key a running vault holds, and how it follows a rotation to a new one without a
//! restart.
//!
//! A vault unwraps every key it uses once and keeps it, so a rotation (`vault::rotation`)
//! changes nothing it already holds; but what is made after it (a new merchant's fingerprint
//! key, a new transport or data key) is wrapped by the new master key. So the rotation leaves
//! the new key in the store while it runs (`master_key_next`): a software key wrapped by the
//! key it replaces, or where an HSM key is. Each vault looks at it with its other reloads
//! (every 2 s), opens the new key and checks that it is the one named; from then on it wraps
//! with the new key and unwraps with the new one, else the old (`MasterKey::rotating`: part of
//! the store is still under the old key until the rotation ends). The rotation waits for the
//! vaults before it deletes the row; then each drops the old key.
//!
//! An HSM key is opened only through a PKCS#11 module the vault was itself given (its own
//! `--pkcs11-module`, or `CARDVAULT_TO_PKCS11_MODULE` in its environment), never a path read
//! from the database: loading a library is running its code. The PIN is the vault's own
//! (`CARDVAULT_TO_PKCS11_PIN`, else its current one): without one it logs what it needs and
//! keeps its key (restart it with the new one).

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use zeroize::Zeroizing;

use crate::keys::{MasterKey, Pkcs11Config};
use crate::store::{NextCustody, NextMasterKey, Store};

/// The master key's context for the next master key wrapped by the current one.
pub(crate) fn next_context(key_id: &str) -> String {
    format!("master-key-next:{key_id}")
}

/// How a vault may open an HSM key it is rotated to: the modules it may load and its PIN.
#[derive(Default)]
pub struct RotationAccess {
    /// PKCS#11 modules this vault was given.
    pub modules: Vec<PathBuf>,
    /// The PIN of the token the new key is in.
    pub pin: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for RotationAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotationAccess")
            .field("modules", &self.modules)
            .field("pin", &self.pin.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The vault's master key, swapped when it follows a rotation.
pub(crate) struct Custody {
    current: RwLock<Arc<MasterKey>>,
    access: RwLock<RotationAccess>,
}

impl Custody {
    pub(crate) fn new(master: MasterKey) -> Custody {
        let mut access = RotationAccess::default();
        if let Some((module, _, _)) = master.pkcs11_location() {
            access.modules.push(module.to_path_buf());
        }
        Custody {
            current: RwLock::new(Arc::new(master)),
            access: RwLock::new(access),
        }
    }

    /// The master key now.
    pub(crate) fn get(&self) -> Arc<MasterKey> {
        match self.current.read() {
            Ok(key) => Arc::clone(&key),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Adds what this vault may use to open an HSM key it is rotated to.
    pub(crate) fn allow(&self, more: RotationAccess) {
        if let Ok(mut access) = self.access.write() {
            access.modules.extend(more.modules);
            if more.pin.is_some() {
                access.pin = more.pin;
            }
        }
    }

    /// Follows a rotation under way, if the store names a master key other than this one
    /// (blocking: a store read, and an HSM login for an HSM key). Failures are logged: the
    /// vault keeps its key.
    pub(crate) fn follow(&self, store: &Store) {
        let current = self.get();
        let next = match store.next_master_key() {
            Ok(Some(next)) => next,
            Ok(None) => {
                // The rotation ended: the old key opens nothing any more.
                if let Some(new) = current.rotating_to() {
                    tracing::info!(master_key = %new.describe(), id = %new.id(), "master key rotation done: the old key is dropped");
                    self.set(new);
                }
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the next master key failed");
                return;
            }
        };
        if next.key_id == current.id() {
            return;
        }
        match self.open(&current, &next) {
            Ok(key) => {
                tracing::info!(
                    master_key = %key.describe(),
                    id = %key.id(),
                    "master key rotation under way: this vault now wraps with the new key"
                );
                // A pair left by an earlier rotation that did not end: its old key goes now.
                let old = current.rotating_to().unwrap_or(current);
                self.set(Arc::new(MasterKey::rotating(Arc::new(key), old)));
            }
            Err(why) => tracing::error!(
                id = %next.key_id,
                "a master key rotation is under way but this vault cannot follow it ({why}): restart it with the new key"
            ),
        }
    }

    fn set(&self, key: Arc<MasterKey>) {
        match self.current.write() {
            Ok(mut slot) => *slot = key,
            Err(poisoned) => *poisoned.into_inner() = key,
        }
    }

    fn open(&self, current: &MasterKey, next: &NextMasterKey) -> Result<MasterKey, &'static str> {
        let key = match &next.custody {
            NextCustody::Software { wrapped } => {
                let bytes = current
                    .unwrap(&next_context(&next.key_id), wrapped)
                    .map_err(|_| "the new key does not open with this vault's key")?;
                let array: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| "the new key is not 32 bytes")?;
                MasterKey::from_bytes(Zeroizing::new(array)).map_err(|_| "not a key")?
            }
            NextCustody::Pkcs11 {
                module,
                token,
                label,
            } => {
                let access = self.access.read().map_err(|_| "poisoned")?;
                let module = PathBuf::from(module);
                if !access.modules.contains(&module) {
                    return Err(
                        "its PKCS#11 module is not one this vault was given (--pkcs11-module or CARDVAULT_TO_PKCS11_MODULE)",
                    );
                }
                let pin = access
                    .pin
                    .clone()
                    .ok_or("no PIN for its token (CARDVAULT_TO_PKCS11_PIN)")?;
                let config = Pkcs11Config {
                    module,
                    token: token.clone(),
                    key: label.clone(),
                    pin,
                };
                MasterKey::pkcs11(&config).map_err(|_| "the HSM key does not open")?
            }
        };
        if key.id() != next.key_id {
            return Err("the key found is not the one the rotation names");
        }
        Ok(key)
    }
}
