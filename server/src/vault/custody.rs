//! The master key a running vault holds, and how it follows a rotation to a new one without a
//! restart.
//!
//! A vault unwraps every key it uses once and keeps it, so a rotation (`vault::rotation`)
//! changes nothing it already holds; but what is made after it (a new merchant's fingerprint
//! key, a new transport or data key) is wrapped by the new master key. So while the rotation
//! runs it names the new key in the store (`master_key_next`): which key (its id) and where a
//! vault finds it, never the key itself, sealed by the key it replaces. Each vault looks at it
//! with its other reloads (every 2 s); if this vault's key opens the seal and the fields match,
//! it opens the new key from its own configuration, checks it is the one named, and from then
//! on wraps with it and unwraps with it, else the old one (`MasterKey::rotating`: part of the
//! store is under the old key until the rotation ends). The rotation waits for the vaults
//! before it deletes the row; then each drops the old key.
//!
//! Where a vault finds the new key is its own: a software key in the file named by
//! `CARDVAULT_TO_MASTER_KEY_FILE` (or `CARDVAULT_TO_MASTER_KEY`) in its environment; an HSM key
//! only through a PKCS#11 module the vault was itself given (its own `--pkcs11-module`, or
//! `CARDVAULT_TO_PKCS11_MODULE`: loading a library is running its code), with its own PIN
//! (`CARDVAULT_TO_PKCS11_PIN`, else its current one). The store never holds a master key,
//! wrapped or not: a rotation made because the old key leaked must not leave the new one
//! under it in the database, its WAL or its backups. An HSM key that does not open is not tried
//! again (a wrong PIN retried every 2 s would lock the token); the vault logs why and keeps its
//! key.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use zeroize::Zeroizing;

use crate::keys::{MasterKey, Pkcs11Config};
use crate::store::{NextCustody, NextMasterKey, Store};

/// The master key's context for the seal over a next master key's row.
pub(crate) const NEXT_CONTEXT: &str = "master-key-next";

/// What the seal of a next master key's row covers: every field, length-prefixed.
pub(crate) fn next_fields(key_id: &str, custody: &NextCustody) -> Vec<u8> {
    let fields: [&str; 4] = match custody {
        NextCustody::Software => [key_id, "software", "", ""],
        NextCustody::Pkcs11 {
            module,
            token,
            label,
        } => [key_id, module, token, label],
    };
    let mut out = Vec::new();
    for field in fields {
        out.extend_from_slice(&(field.len() as u64).to_be_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    out
}

/// Where this vault may find a master key it is rotated to.
#[derive(Default)]
pub struct RotationAccess {
    /// A file that will hold the new software key (`CARDVAULT_TO_MASTER_KEY_FILE`).
    pub key_file: Option<PathBuf>,
    /// The new software key's base64 (`CARDVAULT_TO_MASTER_KEY`).
    pub key_base64: Option<Zeroizing<String>>,
    /// PKCS#11 modules this vault was given.
    pub modules: Vec<PathBuf>,
    /// The PIN of the token the new key is in.
    pub pin: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for RotationAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotationAccess")
            .field("key_file", &self.key_file)
            .field(
                "key_base64",
                &self.key_base64.as_ref().map(|_| "<redacted>"),
            )
            .field("modules", &self.modules)
            .field("pin", &self.pin.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The vault's master key, swapped when it follows a rotation.
pub(crate) struct Custody {
    current: RwLock<Arc<MasterKey>>,
    access: RwLock<RotationAccess>,
    /// Held by the one reload following a rotation; the others go on.
    following: Mutex<()>,
    /// The next key this vault gave up on (not tried again), and the last one it said it
    /// could not find yet (said once).
    given_up: Mutex<(Option<String>, Option<String>)>,
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
            following: Mutex::new(()),
            given_up: Mutex::new((None, None)),
        }
    }

    /// The master key now.
    pub(crate) fn get(&self) -> Arc<MasterKey> {
        match self.current.read() {
            Ok(key) => Arc::clone(&key),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn set(&self, key: Arc<MasterKey>) {
        match self.current.write() {
            Ok(mut slot) => *slot = key,
            Err(poisoned) => *poisoned.into_inner() = key,
        }
    }

    /// Adds where this vault may find a master key it is rotated to.
    pub(crate) fn allow(&self, more: RotationAccess) {
        if let Ok(mut access) = self.access.write() {
            access.modules.extend(more.modules);
            access.key_file = more.key_file.or(access.key_file.take());
            access.key_base64 = more.key_base64.or(access.key_base64.take());
            access.pin = more.pin.or(access.pin.take());
        }
    }

    /// Follows a rotation under way, if the store names a master key other than this one
    /// (blocking: a store read, a file read or an HSM login). Failures are logged: the vault
    /// keeps its key.
    pub(crate) fn follow(&self, store: &Store) {
        let Ok(_following) = self.following.try_lock() else {
            return;
        };
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
        if next.key_id == current.id() || self.gave_up_on(&next.key_id) {
            return;
        }
        // Written by a holder of this vault's key, and unchanged: else ignored for good.
        if !sealed_by(&current, &next) {
            self.give_up(
                &next.key_id,
                "the store names a next master key that this vault's key did not seal: ignored",
            );
            return;
        }
        let opened = match self.access.read() {
            Ok(access) => open_next(&next, &access, None),
            Err(_) => Err(Missing::Never("poisoned")),
        };
        match opened {
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
            Err(Missing::NotYet(why)) => {
                let mut given_up = self.given_up.lock().unwrap_or_else(|p| p.into_inner());
                if given_up.1.as_deref() != Some(next.key_id.as_str()) {
                    tracing::warn!(
                        why,
                        "a master key rotation is under way: this vault will follow it once it finds the new key"
                    );
                    given_up.1 = Some(next.key_id.clone());
                }
            }
            Err(Missing::Never(why)) => self.give_up(&next.key_id, why),
        }
    }

    fn gave_up_on(&self, key_id: &str) -> bool {
        let given_up = self.given_up.lock().unwrap_or_else(|p| p.into_inner());
        given_up.0.as_deref() == Some(key_id)
    }

    fn give_up(&self, key_id: &str, why: &'static str) {
        tracing::error!(
            why,
            "a master key rotation is under way but this vault cannot follow it: restart it with the new key"
        );
        let mut given_up = self.given_up.lock().unwrap_or_else(|p| p.into_inner());
        given_up.0 = Some(key_id.to_owned());
    }
}

/// Whether `next` was sealed by `current` and is unchanged.
fn sealed_by(current: &MasterKey, next: &NextMasterKey) -> bool {
    let sealed = current.unwrap(NEXT_CONTEXT, &next.auth).ok();
    sealed.as_deref().map(Vec::as_slice)
        == Some(next_fields(&next.key_id, &next.custody).as_slice())
}

/// The master key to open a store with that a rotation left part-way (killed, or still
/// running): `master` with the next key the store names, if `master` sealed that row and `access`
/// finds the key; else `master` as it is. Without it such a store opens with neither key alone.
pub fn resume_rotation(store: &Store, master: MasterKey, access: &RotationAccess) -> MasterKey {
    let next = match store.next_master_key() {
        Ok(Some(next)) if next.key_id != master.id() && sealed_by(&master, &next) => next,
        _ => return master,
    };
    let own_module = master.pkcs11_location().map(|(module, _, _)| module);
    match open_next(&next, access, own_module) {
        Ok(new) => {
            tracing::warn!(
                id = %next.key_id,
                "a master key rotation is unfinished: opening with the new key and the old one (run `cardvault master-key rotate` to its end)"
            );
            MasterKey::rotating(Arc::new(new), Arc::new(master))
        }
        Err(Missing::NotYet(why) | Missing::Never(why)) => {
            tracing::warn!(
                why,
                "a master key rotation is unfinished and its new key is not at hand"
            );
            master
        }
    }
}

/// Opens the key `next` names where `access` says (or, for an HSM key, through `own_module`,
/// the module of the key the caller holds).
fn open_next(
    next: &NextMasterKey,
    access: &RotationAccess,
    own_module: Option<&std::path::Path>,
) -> Result<MasterKey, Missing> {
    let key = match &next.custody {
        NextCustody::Software => {
            if let Some(text) = &access.key_base64 {
                MasterKey::from_base64(text)
                    .map_err(|_| Missing::Never("CARDVAULT_TO_MASTER_KEY is not a key"))?
            } else {
                let path = access.key_file.as_ref().ok_or(Missing::Never(
                    "no CARDVAULT_TO_MASTER_KEY_FILE to find the new software key in",
                ))?;
                if !private(path) {
                    return Err(Missing::NotYet(
                        "the new key's file (CARDVAULT_TO_MASTER_KEY_FILE) is missing, or open to other users",
                    ));
                }
                MasterKey::from_file(path)
                    .map_err(|_| Missing::NotYet("the new key's file holds no key"))?
            }
        }
        NextCustody::Pkcs11 {
            module,
            token,
            label,
        } => {
            let module = PathBuf::from(module);
            if !access.modules.contains(&module) && own_module != Some(module.as_path()) {
                return Err(Missing::Never(
                    "its PKCS#11 module is not one this vault was given (--pkcs11-module or CARDVAULT_TO_PKCS11_MODULE)",
                ));
            }
            let pin = access.pin.clone().ok_or(Missing::Never(
                "no PIN for its token (CARDVAULT_TO_PKCS11_PIN)",
            ))?;
            let config = Pkcs11Config {
                module,
                token: token.clone(),
                key: label.clone(),
                pin,
            };
            // Once: a PIN the token refused is not offered to it again.
            MasterKey::pkcs11(&config).map_err(|_| Missing::Never("the HSM key does not open"))?
        }
    };
    if key.id() != next.key_id {
        return Err(Missing::Never(
            "the key found is not the one the rotation names",
        ));
    }
    Ok(key)
}

/// Why the next key was not opened: not yet (looked for again), or never (given up).
enum Missing {
    NotYet(&'static str),
    Never(&'static str),
}

/// Whether `path` is a file only its owner may read (as the CLI asks of a master key file).
fn private(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o077 == 0)
}
