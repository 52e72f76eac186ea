//! The PKCS#11 custody: the master key is an AES-256 secret key object inside an HSM (or any
//! PKCS#11 v2.40 token), `CKA_SENSITIVE` and not `CKA_EXTRACTABLE`, so its bytes never leave it.
//!
//! Every wrap is one `C_Encrypt` and every unwrap one `C_Decrypt` in the token with
//! `CKM_AES_GCM` (96-bit IV, 128-bit tag, the context as associated data), which makes the same
//! blob as the software key (`IV || ciphertext || tag`): a blob does not say which custody made
//! it. The IV is drawn here by AWS-LC, not by the token, because `C_GenerateRandom` quality is
//! the token's secret and PKCS#11 v2.40 leaves IV generation for `CKM_AES_GCM` to the caller;
//! a token that writes its own IV into the parameters (AWS CloudHSM does) is followed: the blob
//! holds whatever IV the token used.
//!
//! One logged-in session, behind a mutex, serves every call: the vault keeps what it unwrapped
//! (data keys, transport keys, fingerprint keys, the audit seal key) in memory, so the hot path
//! makes no call here and a pool would buy nothing. A session that breaks (the token restarted,
//! was removed and put back, or logged the session out) is opened again, logged in again and
//! the call retried once.
//!
//! A PKCS#11 module is loaded and `C_Initialize`d once per process and path: a module may be
//! initialised only once per process, and two keys in one module (a rotation from one HSM key
//! to another) share it.

use core::fmt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::keys::KeyError;
use crate::keys::gcm::{KEY_LEN, TAG_LEN};

/// GCM IV length in bytes (96 bits, the length NIST SP 800-38D recommends).
const IV_LEN: usize = 12;
/// The longest label accepted, for a token (the `CK_TOKEN_INFO` field is 32 bytes) or a key (so
/// that the key's name in logs and the audit log stays bounded).
const MAX_TOKEN_LABEL: usize = 32;
const MAX_KEY_LABEL: usize = 64;

/// Where the master key lives in an HSM. `Debug` leaves out the PIN.
pub struct Pkcs11Config {
    /// The PKCS#11 module (shared library), e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub module: PathBuf,
    /// The token's label (`CK_TOKEN_INFO.label`).
    pub token: String,
    /// The key's label (`CKA_LABEL`).
    pub key: String,
    /// The user PIN.
    pub pin: Zeroizing<String>,
}

impl fmt::Debug for Pkcs11Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Config")
            .field("module", &self.module)
            .field("token", &self.token)
            .field("key", &self.key)
            .field("pin", &"redacted")
            .finish()
    }
}

/// Why the HSM key could not be reached or made: a sentence for the operator that names the
/// module, token and key labels and the PKCS#11 return value, never the PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs11Error(String);

impl fmt::Display for Pkcs11Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Pkcs11Error {}

/// A PKCS#11 return value by its name (`CKR_PIN_INCORRECT` shows as `PinIncorrect`), shorter
/// than cryptoki's sentences and what the token's documentation indexes.
fn ckr(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("{function}: {rv:?}"),
        other => other.to_string(),
    }
}

/// The key in the token, and the session that reaches it.
pub(super) struct Pkcs11Key {
    pkcs11: Pkcs11,
    module: PathBuf,
    token: String,
    label: String,
    /// The key's `CKA_ID`, empty if it has none: a session opened again must find this very key.
    id: Vec<u8>,
    pin: AuthPin,
    session: Mutex<Option<Open>>,
}

/// A logged-in session and the key's handle in it.
struct Open {
    session: Session,
    key: ObjectHandle,
}

impl Pkcs11Key {
    /// Loads the module, finds the token by label, logs in with the PIN and finds the key by
    /// label, which must name exactly one AES-256 secret key that is sensitive and not
    /// extractable.
    pub(super) fn connect(config: &Pkcs11Config) -> Result<Pkcs11Key, Pkcs11Error> {
        check_labels(config)?;
        let pkcs11 = module(&config.module)?;
        let pin = AuthPin::from(config.pin.as_str());
        let slot = find_token(&pkcs11, &config.module, &config.token)?;
        let session = login(&pkcs11, slot, &config.token, &pin, false)?;
        let key = find_key(&session, &config.token, &config.key)?;
        let id = check_key(&session, key, &config.token, &config.key)?;
        Ok(Pkcs11Key {
            pkcs11,
            module: config.module.clone(),
            token: config.token.clone(),
            label: config.key.clone(),
            id,
            pin,
            session: Mutex::new(Some(Open { session, key })),
        })
    }

    /// Makes the key in the token (`C_GenerateKey`, `CKM_AES_KEY_GEN`, 32 bytes): sensitive, not
    /// extractable, not modifiable or copyable, usable for encryption and decryption only, with
    /// a random 8-byte `CKA_ID`. Refused if any object in the token already has the label.
    pub(super) fn create(config: &Pkcs11Config) -> Result<(), Pkcs11Error> {
        check_labels(config)?;
        let pkcs11 = module(&config.module)?;
        let pin = AuthPin::from(config.pin.as_str());
        let slot = find_token(&pkcs11, &config.module, &config.token)?;
        let session = login(&pkcs11, slot, &config.token, &pin, true)?;
        let label = config.key.as_bytes().to_vec();
        let existing = session
            .find_objects(&[Attribute::Label(label.clone())])
            .map_err(|e| {
                Pkcs11Error(format!("looking for {:?} failed: {}", config.key, ckr(&e)))
            })?;
        if !existing.is_empty() {
            return Err(Pkcs11Error(format!(
                "token {:?} already holds an object labelled {:?}: choose another --pkcs11-key (init-hsm never replaces a key)",
                config.token, config.key
            )));
        }
        let id =
            crate::keys::random_bytes::<8>().map_err(|_| Pkcs11Error("no random bytes".into()))?;
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen((KEY_LEN as u64).into()),
            Attribute::Label(label),
            Attribute::Id(id.to_vec()),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Modifiable(false),
            Attribute::Copyable(false),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
            // Wrapping other objects, signing and deriving are not what it is for.
            Attribute::Wrap(false),
            Attribute::Unwrap(false),
            Attribute::Sign(false),
            Attribute::Verify(false),
            Attribute::Derive(false),
        ];
        session
            .generate_key(&Mechanism::AesKeyGen, &template)
            .map_err(|e| {
                Pkcs11Error(format!(
                    "token {:?} could not make an AES-256 key: {}",
                    config.token,
                    ckr(&e)
                ))
            })?;
        Ok(())
    }

    /// The module, token label and key label this key was opened with.
    pub(super) fn location(&self) -> (&Path, &str, &str) {
        (&self.module, &self.token, &self.label)
    }

    pub(super) fn describe(&self) -> String {
        format!("PKCS#11 key {:?} in token {:?}", self.label, self.token)
    }

    pub(super) fn id(&self) -> String {
        let mut id = format!("pkcs11:{}/{}", self.token, self.label);
        if !self.id.is_empty() {
            id.push('#');
            id.extend(self.id.iter().map(|b| format!("{b:02x}")));
        }
        id
    }

    /// `IV || C_Encrypt(CKM_AES_GCM, IV, AAD = context)`, the IV from AWS-LC. A failure is
    /// logged with its PKCS#11 return value and is [`KeyError::Crypto`].
    pub(super) fn wrap(&self, context: &str, secret: &[u8]) -> Result<Vec<u8>, KeyError> {
        let result = self.with_session(|session, key| {
            let mut iv = [0u8; IV_LEN];
            aws_lc_rs::rand::fill(&mut iv).map_err(|_| CkError::InvalidValue)?;
            let params = GcmParams::new(&mut iv, context.as_bytes(), (TAG_LEN as u64 * 8).into())?;
            let sealed = session.encrypt(&Mechanism::AesGcm(params), key, secret)?;
            let mut blob = Vec::with_capacity(IV_LEN + sealed.len());
            blob.extend_from_slice(&iv);
            blob.extend_from_slice(&sealed);
            Ok(blob)
        });
        result.map_err(|e| {
            tracing::error!(key = %self.describe(), error = %ckr(&e), "the HSM could not wrap a key");
            KeyError::Crypto
        })
    }

    /// Decrypts a blob made by [`wrap`](Self::wrap) (or by the software key with the same key
    /// bytes: the format is the same). Every failure is [`KeyError::Unwrap`]; one that is the
    /// token's and not the blob's is also logged.
    pub(super) fn unwrap(
        &self,
        context: &str,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let Some((iv, sealed)) = wrapped.split_first_chunk::<IV_LEN>() else {
            return Err(KeyError::Unwrap);
        };
        if sealed.len() < TAG_LEN {
            return Err(KeyError::Unwrap);
        }
        let result = self.with_session(|session, key| {
            let mut iv = *iv;
            let params = GcmParams::new(&mut iv, context.as_bytes(), (TAG_LEN as u64 * 8).into())?;
            session
                .decrypt(&Mechanism::AesGcm(params), key, sealed)
                .map(Zeroizing::new)
        });
        result.map_err(|e| {
            // A blob that does not authenticate is the expected failure; anything else is the
            // token's trouble and worth the operator's eye.
            if !matches!(
                e,
                CkError::Pkcs11(
                    RvError::EncryptedDataInvalid | RvError::EncryptedDataLenRange,
                    _
                )
            ) {
                tracing::error!(key = %self.describe(), error = %ckr(&e), "the HSM could not unwrap a key");
            }
            KeyError::Unwrap
        })
    }

    /// Runs `op` in the session, opening (and logging in) a new one first if there is none, and
    /// once more in a new session if the session broke under it.
    fn with_session<T>(
        &self,
        op: impl Fn(&Session, ObjectHandle) -> Result<T, CkError>,
    ) -> Result<T, CkError> {
        let mut open = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let mut retried = false;
        loop {
            if open.is_none() {
                *open = Some(self.reopen()?);
            }
            let Some(current) = open.as_ref() else {
                return Err(CkError::InvalidValue);
            };
            match op(&current.session, current.key) {
                Err(e) if !retried && session_broke(&e) => {
                    tracing::warn!(key = %self.describe(), error = %ckr(&e), "the HSM session broke: opening a new one");
                    *open = None;
                    retried = true;
                }
                result => return result,
            }
        }
    }

    /// A new logged-in session, and this very key in it (same label, same `CKA_ID`).
    fn reopen(&self) -> Result<Open, CkError> {
        // A token that went away may come back in another slot: find it by label again.
        let slot = find_token(&self.pkcs11, Path::new(""), &self.token).map_err(|_| {
            CkError::Pkcs11(
                RvError::TokenNotPresent,
                cryptoki::context::Function::GetSlotList,
            )
        })?;
        let session = self.pkcs11.open_ro_session(slot)?;
        match session.login(UserType::User, Some(&self.pin)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => return Err(e),
        }
        let mut template = vec![
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(self.label.as_bytes().to_vec()),
        ];
        if !self.id.is_empty() {
            template.push(Attribute::Id(self.id.clone()));
        }
        match session.find_objects(&template)?.as_slice() {
            [key] => Ok(Open { session, key: *key }),
            _ => Err(CkError::Pkcs11(
                RvError::KeyHandleInvalid,
                cryptoki::context::Function::FindObjects,
            )),
        }
    }
}

/// Whether `e` says the session (or the token behind it) is gone rather than the call wrong.
fn session_broke(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::UserNotLoggedIn
                | RvError::DeviceRemoved
                | RvError::DeviceError
                | RvError::TokenNotPresent
                | RvError::TokenNotRecognized
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
                | RvError::CryptokiNotInitialized,
            _
        )
    )
}

fn check_labels(config: &Pkcs11Config) -> Result<(), Pkcs11Error> {
    for (what, label, max) in [
        ("--pkcs11-token", &config.token, MAX_TOKEN_LABEL),
        ("--pkcs11-key", &config.key, MAX_KEY_LABEL),
    ] {
        if label.is_empty() || label.len() > max || label.chars().any(char::is_control) {
            return Err(Pkcs11Error(format!(
                "{what} must be a label of 1 to {max} bytes without control characters"
            )));
        }
    }
    if config.pin.is_empty() {
        return Err(Pkcs11Error(
            "no PKCS#11 PIN: set CARDVAULT_PKCS11_PIN or --pkcs11-pin-file".into(),
        ));
    }
    Ok(())
}

/// The module at `path`, loaded and initialised once per process.
fn module(path: &Path) -> Result<Pkcs11, Pkcs11Error> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(pkcs11) = modules.get(path) {
        return Ok(pkcs11.clone());
    }
    let shown = path.display();
    let pkcs11 = Pkcs11::new(path).map_err(|e| {
        Pkcs11Error(format!(
            "the PKCS#11 module {shown} could not be loaded: {e}"
        ))
    })?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => {
            return Err(Pkcs11Error(format!(
                "the PKCS#11 module {shown} did not initialise: {}",
                ckr(&e)
            )));
        }
    }
    modules.insert(path.to_path_buf(), pkcs11.clone());
    Ok(pkcs11)
}

/// The one slot whose token has this label.
fn find_token(pkcs11: &Pkcs11, module: &Path, label: &str) -> Result<Slot, Pkcs11Error> {
    let slots = pkcs11.get_slots_with_token().map_err(|e| {
        Pkcs11Error(format!(
            "the PKCS#11 module {} lists no slots: {}",
            module.display(),
            ckr(&e)
        ))
    })?;
    let mut seen = Vec::new();
    let mut matching = Vec::new();
    for slot in slots {
        let Ok(info) = pkcs11.get_token_info(slot) else {
            continue;
        };
        if info.label() == label {
            matching.push(slot);
        }
        seen.push(format!("{:?}", info.label()));
    }
    match matching.as_slice() {
        [slot] => Ok(*slot),
        [] => Err(Pkcs11Error(format!(
            "no token labelled {label:?} in the PKCS#11 module {} (tokens: {})",
            module.display(),
            if seen.is_empty() {
                "none".to_owned()
            } else {
                seen.join(", ")
            }
        ))),
        _ => Err(Pkcs11Error(format!(
            "{} tokens are labelled {label:?} in the PKCS#11 module {}: the label must name one",
            matching.len(),
            module.display()
        ))),
    }
}

/// A session on `slot`, logged in as the user.
fn login(
    pkcs11: &Pkcs11,
    slot: Slot,
    token: &str,
    pin: &AuthPin,
    read_write: bool,
) -> Result<Session, Pkcs11Error> {
    let opened = if read_write {
        pkcs11.open_rw_session(slot)
    } else {
        pkcs11.open_ro_session(slot)
    };
    let session =
        opened.map_err(|e| Pkcs11Error(format!("no session on token {token:?}: {}", ckr(&e))))?;
    match session.login(UserType::User, Some(pin)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => Err(Pkcs11Error(format!(
            "the PKCS#11 PIN for token {token:?} is wrong (CKR_PIN_INCORRECT; tokens lock the PIN after a few wrong tries)"
        ))),
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Pkcs11Error(format!(
            "the user PIN of token {token:?} is locked (CKR_PIN_LOCKED): the security officer must unlock it"
        ))),
        Err(e) => Err(Pkcs11Error(format!(
            "could not log in to token {token:?}: {}",
            ckr(&e)
        ))),
    }
}

/// The one secret key labelled `label`.
fn find_key(session: &Session, token: &str, label: &str) -> Result<ObjectHandle, Pkcs11Error> {
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(|e| {
            Pkcs11Error(format!(
                "looking for {label:?} in token {token:?} failed: {}",
                ckr(&e)
            ))
        })?;
    match found.as_slice() {
        [key] => Ok(*key),
        [] => Err(Pkcs11Error(format!(
            "token {token:?} holds no secret key labelled {label:?} (make one with `cardvault master-key init-hsm`)"
        ))),
        _ => Err(Pkcs11Error(format!(
            "token {token:?} holds {} secret keys labelled {label:?}: the label must name exactly one",
            found.len()
        ))),
    }
}

/// Checks that `key` is an AES-256 key for encryption and decryption that never leaves the
/// token; returns its `CKA_ID`.
fn check_key(
    session: &Session,
    key: ObjectHandle,
    token: &str,
    label: &str,
) -> Result<Vec<u8>, Pkcs11Error> {
    let attributes = session
        .get_attributes(
            key,
            &[
                AttributeType::KeyType,
                AttributeType::ValueLen,
                AttributeType::Sensitive,
                AttributeType::Extractable,
                AttributeType::Encrypt,
                AttributeType::Decrypt,
                AttributeType::Id,
            ],
        )
        .map_err(|e| {
            Pkcs11Error(format!(
                "reading {label:?} in token {token:?} failed: {}",
                ckr(&e)
            ))
        })?;
    let (mut aes, mut len, mut sensitive, mut extractable, mut encrypt, mut decrypt) =
        (false, 0u64, false, true, false, false);
    let mut id = Vec::new();
    for attribute in attributes {
        match attribute {
            Attribute::KeyType(t) => aes = t == KeyType::AES,
            Attribute::ValueLen(l) => len = l.into(),
            Attribute::Sensitive(s) => sensitive = s,
            Attribute::Extractable(x) => extractable = x,
            Attribute::Encrypt(e) => encrypt = e,
            Attribute::Decrypt(d) => decrypt = d,
            Attribute::Id(i) => id = i,
            _ => {}
        }
    }
    let problem = if !aes || len != KEY_LEN as u64 {
        Some("is not an AES-256 key")
    } else if !sensitive || extractable {
        Some("could leave the token (it must be CKA_SENSITIVE and not CKA_EXTRACTABLE)")
    } else if !encrypt || !decrypt {
        Some("may not encrypt and decrypt (CKA_ENCRYPT and CKA_DECRYPT)")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Pkcs11Error(format!(
            "the key {label:?} in token {token:?} {problem}"
        ))),
        None => Ok(id),
    }
}

#[cfg(test)]
mod tests {
    use super::super::softhsm_testing::{Token, with_token};
    use super::super::{MasterKey, Pkcs11Error};
    use super::*;

    fn test_path(name: &str) -> String {
        format!("{}::{name}", module_path!())
    }

    fn made(token: &Token, label: &str) -> MasterKey {
        MasterKey::create_pkcs11(&token.config(label)).unwrap()
    }

    fn pkcs11_key(key: &MasterKey) -> &Pkcs11Key {
        match &key.custody {
            super::super::Custody::Pkcs11(key) => key,
            _ => panic!("not an HSM key"),
        }
    }

    #[test]
    fn wrap_round_trip_context_and_changes() {
        with_token(&test_path("wrap_round_trip_context_and_changes"), |token| {
            let key = made(token, "master");
            let secret = [0x42u8; 32];
            let wrapped = key.wrap("data-key:3", &secret).unwrap();
            // The software key's layout: IV, ciphertext, tag; no byte of the secret shows.
            assert_eq!(wrapped.len(), IV_LEN + 32 + TAG_LEN);
            assert!(!wrapped.windows(4).any(|w| w == [0x42; 4]));
            assert_eq!(&key.unwrap("data-key:3", &wrapped).unwrap()[..], &secret);
            // A fresh IV every time.
            let again = key.wrap("data-key:3", &secret).unwrap();
            assert_ne!(again[..IV_LEN], wrapped[..IV_LEN]);
            // Another context, any changed byte, a cut or longer blob: all KeyError::Unwrap.
            assert_eq!(
                key.unwrap("data-key:4", &wrapped).unwrap_err(),
                KeyError::Unwrap
            );
            assert_eq!(
                key.unwrap("fingerprint-key:3", &wrapped).unwrap_err(),
                KeyError::Unwrap
            );
            for i in 0..wrapped.len() {
                let mut changed = wrapped.clone();
                changed[i] ^= 0x01;
                assert_eq!(
                    key.unwrap("data-key:3", &changed).unwrap_err(),
                    KeyError::Unwrap,
                    "byte {i}"
                );
            }
            for len in [0, 1, IV_LEN, IV_LEN + TAG_LEN - 1, wrapped.len() - 1] {
                assert_eq!(
                    key.unwrap("data-key:3", &wrapped[..len]).unwrap_err(),
                    KeyError::Unwrap,
                    "{len} bytes"
                );
            }
            let mut longer = wrapped.clone();
            longer.push(0);
            assert_eq!(
                key.unwrap("data-key:3", &longer).unwrap_err(),
                KeyError::Unwrap
            );
            // Empty secrets and empty contexts work too.
            let empty = key.wrap("", b"").unwrap();
            assert!(key.unwrap("", &empty).unwrap().is_empty());
            // Another HSM key, and a software key, open none of it.
            let other = made(token, "other");
            assert_eq!(
                other.unwrap("data-key:3", &wrapped).unwrap_err(),
                KeyError::Unwrap
            );
            let software = MasterKey::generate().unwrap();
            assert_eq!(
                software.unwrap("data-key:3", &wrapped).unwrap_err(),
                KeyError::Unwrap
            );
            // Each wrap and unwrap is one call into the token.
            // (two wraps and an unwrap, two contexts, the changed bytes, five cut blobs, the
            // longer one, the empty round trip)
            assert_eq!(key.operations(), 3 + 2 + wrapped.len() as u64 + 5 + 1 + 2);
            assert_eq!(other.operations(), 1);
        });
    }

    #[test]
    fn a_blob_does_not_say_which_custody_made_it() {
        with_token(
            &test_path("a_blob_does_not_say_which_custody_made_it"),
            |token| {
                // The same 32 bytes as a software key and, imported, as a key in the token (sensitive
                // and not extractable from then on): each opens what the other wrapped.
                let software = MasterKey::generate().unwrap();
                let bytes = *software.software_bytes().unwrap();
                let hsm = made(token, "master");
                {
                    let open = pkcs11_key(&hsm).session.lock().unwrap();
                    let open = open.as_ref().unwrap();
                    let rw = pkcs11_key(&hsm)
                        .pkcs11
                        .open_rw_session(open.session.get_session_info().unwrap().slot_id())
                        .unwrap();
                    rw.create_object(&[
                        Attribute::Class(ObjectClass::SECRET_KEY),
                        Attribute::KeyType(KeyType::AES),
                        Attribute::Value(bytes.to_vec()),
                        Attribute::Label(b"imported".to_vec()),
                        Attribute::Token(true),
                        Attribute::Private(true),
                        Attribute::Sensitive(true),
                        Attribute::Extractable(false),
                        Attribute::Encrypt(true),
                        Attribute::Decrypt(true),
                    ])
                    .unwrap();
                }
                let imported = MasterKey::pkcs11(&token.config("imported")).unwrap();
                for secret in [&b""[..], &[7u8; 32], &[1u8; 1200]] {
                    let by_software = software.wrap("transport-key:kid", secret).unwrap();
                    let by_hsm = imported.wrap("transport-key:kid", secret).unwrap();
                    assert_eq!(by_software.len(), by_hsm.len());
                    assert_eq!(
                        &imported.unwrap("transport-key:kid", &by_software).unwrap()[..],
                        secret
                    );
                    assert_eq!(
                        &software.unwrap("transport-key:kid", &by_hsm).unwrap()[..],
                        secret
                    );
                    // And the context binds alike on both sides.
                    assert_eq!(
                        software.unwrap("transport-key:other", &by_hsm).unwrap_err(),
                        KeyError::Unwrap
                    );
                    assert_eq!(
                        imported
                            .unwrap("transport-key:other", &by_software)
                            .unwrap_err(),
                        KeyError::Unwrap
                    );
                }
                // Same bytes, another custody: ids differ (the id names the custody, not the bytes).
                assert_ne!(imported.id(), software.id());
            },
        );
    }

    #[test]
    fn the_key_never_leaves_the_token() {
        with_token(&test_path("the_key_never_leaves_the_token"), |token| {
            let key = made(token, "master");
            assert!(key.software_bytes().is_none());
            assert_eq!(
                key.describe(),
                r#"PKCS#11 key "master" in token "cardvault-test""#
            );
            let id = key.id();
            assert!(id.starts_with("pkcs11:cardvault-test/master#"), "{id}");
            assert_eq!(id.len(), "pkcs11:cardvault-test/master#".len() + 16, "{id}");
            assert_eq!(MasterKey::pkcs11(&token.config("master")).unwrap().id(), id);
            let hsm = pkcs11_key(&key);
            let open = hsm.session.lock().unwrap();
            let open = open.as_ref().unwrap();
            // C_GetAttributeValue(CKA_VALUE) is refused: CKR_ATTRIBUTE_SENSITIVE.
            assert!(matches!(
                open.session
                    .get_attribute_info(open.key, &[AttributeType::Value])
                    .unwrap()
                    .as_slice(),
                [cryptoki::object::AttributeInfo::Sensitive]
            ));
            assert!(
                open.session
                    .get_attributes(open.key, &[AttributeType::Value])
                    .unwrap()
                    .is_empty()
            );
            let read = open
                .session
                .get_attributes(
                    open.key,
                    &[
                        AttributeType::Sensitive,
                        AttributeType::Extractable,
                        AttributeType::AlwaysSensitive,
                        AttributeType::NeverExtractable,
                        AttributeType::Token,
                        AttributeType::Modifiable,
                        AttributeType::ValueLen,
                    ],
                )
                .unwrap();
            let shown = format!("{read:?}");
            for expected in [
                "Sensitive(true)",
                "Extractable(false)",
                "AlwaysSensitive(true)",
                "NeverExtractable(true)",
                "Token(true)",
                "Modifiable(false)",
            ] {
                assert!(shown.contains(expected), "{expected} not in {shown}");
            }
            assert!(read.contains(&Attribute::ValueLen(32u64.into())), "{shown}");
            // Nor can it be made extractable now.
            assert!(
                open.session
                    .update_attributes(open.key, &[Attribute::Extractable(true)])
                    .is_err()
            );
        });
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        with_token(&test_path("refusals_say_what_is_wrong"), |token| {
            made(token, "master");
            let message = |r: Result<MasterKey, Pkcs11Error>| r.unwrap_err().to_string();
            // The label exists: init-hsm never replaces a key.
            let again = message(MasterKey::create_pkcs11(&token.config("master")));
            assert!(
                again.contains("already holds an object labelled \"master\""),
                "{again}"
            );
            // No such key, no such token, a wrong PIN, no module.
            let missing = message(MasterKey::pkcs11(&token.config("absent")));
            assert!(
                missing.contains("no secret key labelled \"absent\"")
                    && missing.contains("init-hsm"),
                "{missing}"
            );
            let mut config = token.config("master");
            config.token = "elsewhere".into();
            let no_token = message(MasterKey::pkcs11(&config));
            assert!(
                no_token.contains("no token labelled \"elsewhere\"")
                    && no_token.contains("\"cardvault-test\""),
                "{no_token}"
            );
            let mut config = token.config("master");
            config.pin = Zeroizing::new("0000-wrong".into());
            let wrong_pin = message(MasterKey::pkcs11(&config));
            assert!(
                wrong_pin.contains("PIN") && wrong_pin.contains("wrong"),
                "{wrong_pin}"
            );
            assert!(!wrong_pin.contains("0000-wrong"), "{wrong_pin}");
            let mut config = token.config("master");
            config.module = "/nonexistent/libpkcs11.so".into();
            let no_module = message(MasterKey::pkcs11(&config));
            assert!(no_module.contains("could not be loaded"), "{no_module}");
            // Two keys of one label: which one is meant is not guessed.
            let hsm = MasterKey::pkcs11(&token.config("master")).unwrap();
            let twin = {
                let open = pkcs11_key(&hsm).session.lock().unwrap();
                let open = open.as_ref().unwrap();
                let rw = pkcs11_key(&hsm)
                    .pkcs11
                    .open_rw_session(open.session.get_session_info().unwrap().slot_id())
                    .unwrap();
                // An AES-256 token key labelled `label`, secret (sensitive, not extractable) or
                // not.
                let aes_key = |label: &[u8], secret: bool| {
                    rw.generate_key(
                        &Mechanism::AesKeyGen,
                        &[
                            Attribute::Class(ObjectClass::SECRET_KEY),
                            Attribute::KeyType(KeyType::AES),
                            Attribute::ValueLen(32u64.into()),
                            Attribute::Label(label.to_vec()),
                            Attribute::Token(true),
                            Attribute::Sensitive(secret),
                            Attribute::Extractable(!secret),
                            Attribute::Encrypt(true),
                            Attribute::Decrypt(true),
                        ],
                    )
                    .unwrap()
                };
                aes_key(b"twin", true);
                aes_key(b"twin", true);
                // And a key anyone could read out.
                aes_key(b"extractable", false);
                message(MasterKey::pkcs11(&token.config("twin")))
            };
            assert!(twin.contains("2 secret keys labelled \"twin\""), "{twin}");
            let extractable = message(MasterKey::pkcs11(&token.config("extractable")));
            assert!(
                extractable.contains("could leave the token"),
                "{extractable}"
            );
            // Labels are bounded; the PIN must be given.
            let long = message(MasterKey::pkcs11(&token.config(&"k".repeat(65))));
            assert!(long.contains("--pkcs11-key"), "{long}");
            let mut config = token.config("master");
            config.pin = Zeroizing::new(String::new());
            assert!(message(MasterKey::pkcs11(&config)).contains("no PKCS#11 PIN"));
            // The PIN is not in the configuration's Debug.
            let shown = format!("{:?}", token.config("master"));
            assert!(
                !shown.contains(token.pin) && shown.contains("redacted"),
                "{shown}"
            );
        });
    }

    #[test]
    fn a_broken_session_is_opened_again() {
        with_token(&test_path("a_broken_session_is_opened_again"), |token| {
            let key = made(token, "master");
            let wrapped = key.wrap("audit-seal-key", b"seal").unwrap();
            let hsm = pkcs11_key(&key);
            // Log the application out of the token (as a token restart or another program's
            // C_Logout would), then close every session it has.
            {
                let open = hsm.session.lock().unwrap();
                let open = open.as_ref().unwrap();
                open.session.logout().unwrap();
            }
            assert_eq!(
                &key.unwrap("audit-seal-key", &wrapped).unwrap()[..],
                b"seal"
            );
            // The session closed (C_CloseSession, as a token that dropped it): a new one.
            let closed = hsm.session.lock().unwrap().take().unwrap();
            closed.session.close().unwrap();
            let rewrapped = key.wrap("audit-seal-key", b"seal").unwrap();
            assert_eq!(
                &key.unwrap("audit-seal-key", &rewrapped).unwrap()[..],
                b"seal"
            );
            assert_eq!(key.operations(), 4);
        });
    }
}
