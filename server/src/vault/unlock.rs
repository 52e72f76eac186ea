//! Unlocking a vault started with `serve --master-key-shares K`: the custodians' shares are
//! gathered here, one at a time, until K of them make the master key and the vault opens.
//!
//! Each share is read ([`Share::parse`]: a mistyped one is named as such and not kept), checked
//! against those already given (one per number, all of the threshold the vault was started
//! with), and kept in zeroizing memory only. At the K-th share they are combined, and the key is
//! tried on the store: it must unwrap the store's audit seal key and then open the vault
//! ([`Vault::open`]: every data key, the transport keys). A set whose key does not is refused
//! *as a whole*: which share was wrong cannot be known, and is not guessed at; the shares are
//! dropped and gathering starts again, the vault still locked.
//!
//! Auditing before the vault is open: the audit log is sealed with a key that the master key
//! wraps, so nothing can be appended to it before the shares are in. Every share accepted or
//! refused is logged at once (server log, never the share) and its audit event is held in
//! memory, then appended to the log, in order, when the vault opens (before it serves). A
//! vault stopped while still locked has only its server log to show for the attempts.

use crate::keys::MasterKey;
use crate::keys::master::shares::{self, MAX_SHARES, MIN_THRESHOLD, Share, ShareError};
use crate::store::{AuditEvent, Store};

use super::audit::operator_event;
use super::{BootError, Config, Vault, audit_seal_key};

/// Audit events held while locked, at most; beyond, they are counted (and logged).
const MAX_HELD: usize = 1024;

/// What the vault answers to a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Kept: `given` of `threshold` shares are in.
    Accepted {
        /// Shares given so far, this one included.
        given: u8,
        /// Shares needed.
        threshold: u8,
    },
    /// The K-th share: the key is right and the vault is open.
    Unlocked,
    /// Not a share, or one with a character wrong (its checksum): nothing kept.
    Mistyped,
    /// A share with this number was given already.
    Duplicate,
    /// The share is from a split needing `share` shares; the vault was started for `threshold`.
    WrongThreshold {
        /// The share's threshold.
        share: u8,
        /// The vault's.
        threshold: u8,
    },
    /// The K shares do not make the store's master key: all are dropped.
    WrongSet,
    /// The key is the store's, but the vault did not open (the reason is in the server log):
    /// all shares are dropped.
    Failed,
    /// The vault is open already.
    AlreadyUnlocked,
}

impl Answer {
    /// The outcome in the audit log: `ok`, or a bounded code.
    fn outcome(self) -> &'static str {
        match self {
            Answer::Accepted { .. } | Answer::Unlocked => "ok",
            Answer::Mistyped => "mistyped_share",
            Answer::Duplicate => "duplicate_share",
            Answer::WrongThreshold { .. } => "wrong_threshold",
            Answer::WrongSet => "wrong_share_set",
            Answer::Failed => "internal",
            Answer::AlreadyUnlocked => "already_unlocked",
        }
    }
}

/// Who gave a share: the unlock socket's peer, as the kernel says (`SO_PEERCRED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Custodian {
    /// The peer's user id.
    pub uid: u32,
}

/// A locked vault: its store, and the shares given so far.
pub struct Unlocking {
    store: Store,
    config: Config,
    threshold: u8,
    given: Vec<(Share, Option<Custodian>)>,
    held: Vec<AuditEvent>,
    dropped: u64,
    unlocked: bool,
}

impl std::fmt::Debug for Unlocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unlocking")
            .field("threshold", &self.threshold)
            .field("given", &self.given.len())
            .finish_non_exhaustive()
    }
}

impl Unlocking {
    /// A vault on `store` waiting for `threshold` shares. The store must hold keys already (a
    /// `master-key split` ran on it, which seals its audit log): on an empty store any set of
    /// shares would make *a* key, and the vault would take it.
    pub fn new(store: Store, config: Config, threshold: u8) -> Result<Unlocking, BootError> {
        if !(MIN_THRESHOLD..=MAX_SHARES).contains(&threshold) {
            return Err(BootError::Invalid(format!(
                "--master-key-shares must be {MIN_THRESHOLD} to {MAX_SHARES}"
            )));
        }
        if store.audit_seal()?.is_none() {
            return Err(BootError::Invalid(
                "--master-key-shares needs a store that holds keys already: its shares come from `cardvault master-key split` on it"
                    .into(),
            ));
        }
        Ok(Unlocking {
            store,
            config,
            threshold,
            given: Vec::new(),
            held: Vec::new(),
            dropped: 0,
            unlocked: false,
        })
    }

    /// Shares given so far, and shares needed.
    pub fn progress(&self) -> (u8, u8) {
        (
            u8::try_from(self.given.len()).unwrap_or(u8::MAX),
            self.threshold,
        )
    }

    /// Whether the vault is open.
    pub fn is_unlocked(&self) -> bool {
        self.unlocked
    }

    /// Takes one share's text from `custodian`. At the K-th good share the vault opens: then
    /// the answer is [`Answer::Unlocked`] with the vault, whose audit log has every event held
    /// so far. Blocking: it reads the store (and, opening the vault, its keys).
    pub fn offer(&mut self, text: &str, custodian: Option<Custodian>) -> (Answer, Option<Vault>) {
        if self.unlocked {
            self.note("unlock_share", Answer::AlreadyUnlocked, None, custodian);
            return (Answer::AlreadyUnlocked, None);
        }
        let share = match Share::parse(text) {
            Ok(share) => share,
            Err(_) => {
                self.note("unlock_share", Answer::Mistyped, None, custodian);
                return (Answer::Mistyped, None);
            }
        };
        let index = share.index();
        if share.threshold() != self.threshold {
            let answer = Answer::WrongThreshold {
                share: share.threshold(),
                threshold: self.threshold,
            };
            self.note("unlock_share", answer, Some(index), custodian);
            return (answer, None);
        }
        if self.given.iter().any(|(given, _)| given.index() == index) {
            self.note("unlock_share", Answer::Duplicate, Some(index), custodian);
            return (Answer::Duplicate, None);
        }
        self.given.push((share, custodian));
        let (given, threshold) = self.progress();
        self.note(
            "unlock_share",
            Answer::Accepted { given, threshold },
            Some(index),
            custodian,
        );
        if given < threshold {
            return (Answer::Accepted { given, threshold }, None);
        }
        // The K-th: try the set, then forget the shares whatever it gives.
        let given = std::mem::take(&mut self.given);
        let uids = given
            .iter()
            .map(|(_, who)| who.map_or_else(|| "-".to_owned(), |c| c.uid.to_string()))
            .collect::<Vec<_>>()
            .join(",");
        let set: Vec<Share> = given.into_iter().map(|(share, _)| share).collect();
        let opened = self.open(&set);
        drop(set);
        match opened {
            Ok(vault) => {
                self.unlocked = true;
                let detail = format!(
                    "shares={} uids={uids} held_dropped={}",
                    self.threshold, self.dropped
                );
                self.note_detail("unlock", Answer::Unlocked, detail);
                for event in std::mem::take(&mut self.held) {
                    if let Err(e) = vault.store().append_audit_blocking(event) {
                        tracing::error!(error = %e, "appending the unlock's audit entries failed");
                    }
                }
                (Answer::Unlocked, Some(vault))
            }
            Err(answer) => {
                self.note_detail(
                    "unlock",
                    answer,
                    format!("shares={} uids={uids}", self.threshold),
                );
                (answer, None)
            }
        }
    }

    /// The vault these shares open, or why not.
    fn open(&self, set: &[Share]) -> Result<Vault, Answer> {
        let key = shares::combine(set).map_err(|e| match e {
            ShareError::Crypto => Answer::Failed,
            _ => Answer::WrongSet,
        })?;
        let master = MasterKey::from_bytes(key).map_err(|e| {
            tracing::error!(error = %e, "unlock: the combined key is not usable");
            Answer::Failed
        })?;
        // The store's audit seal key first: the cheapest unwrap that tells the right key.
        match audit_seal_key(&self.store, &master) {
            Ok(Some(_)) => {}
            Err(BootError::MasterKeyMismatch) => return Err(Answer::WrongSet),
            Ok(None) => {
                tracing::error!("unlock: the store's audit seal key is gone");
                return Err(Answer::Failed);
            }
            Err(e) => {
                tracing::error!(error = %e, "unlock: reading the store failed");
                return Err(Answer::Failed);
            }
        }
        Vault::open(self.store.clone(), master, self.config.clone()).map_err(|e| match e {
            BootError::MasterKeyMismatch => Answer::WrongSet,
            e => {
                tracing::error!(error = %e, "unlock: the key is right but the vault did not open");
                Answer::Failed
            }
        })
    }

    fn note(
        &mut self,
        action: &'static str,
        answer: Answer,
        index: Option<u8>,
        custodian: Option<Custodian>,
    ) {
        let (given, threshold) = self.progress();
        let mut detail = String::new();
        if let Some(index) = index {
            detail.push_str(&format!("share={index} "));
        }
        detail.push_str(&format!("given={given}/{threshold}"));
        if let Some(custodian) = custodian {
            detail.push_str(&format!(" uid={}", custodian.uid));
        }
        self.note_detail(action, answer, detail);
    }

    /// Logs the event now and holds it for the audit log (appended when the vault opens; after
    /// that, at once).
    fn note_detail(&mut self, action: &'static str, answer: Answer, detail: String) {
        let outcome = answer.outcome();
        tracing::info!(action, outcome, detail = detail.as_str(), "unlock");
        let mut event = operator_event(None, action, Some(detail));
        event.outcome = outcome.into();
        if self.unlocked && self.held.is_empty() {
            if let Err(e) = self.store.append_audit_blocking(event) {
                tracing::error!(error = %e, "appending to the audit log failed");
            }
        } else if self.held.len() < MAX_HELD {
            self.held.push(event);
        } else {
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::master::shares::split;

    /// A store a vault has opened with `master` (so it holds its keys), closed again.
    fn store_with_keys(dir: &std::path::Path) -> (Store, Vec<Share>, Vec<Share>) {
        let key = MasterKey::generate().unwrap();
        let store = Store::open(dir).unwrap();
        let bytes = key.software_bytes().unwrap();
        let one = split(bytes, 4, 2).unwrap();
        let two = split(bytes, 4, 2).unwrap();
        drop(Vault::open(store.clone(), key, Config::default()).unwrap());
        (store, one, two)
    }

    fn text(share: &Share) -> zeroize::Zeroizing<String> {
        share.to_text()
    }

    #[test]
    fn shares_are_gathered_checked_against_the_store_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let (store, one, two) = store_with_keys(dir.path());
        let entries_before = store.audit_entries().unwrap().len();
        let mut unlocking = Unlocking::new(store.clone(), Config::default(), 2).unwrap();
        let me = Some(Custodian { uid: 1000 });
        assert_eq!(unlocking.offer("cvs1-nonsense", me).0, Answer::Mistyped);
        assert_eq!(
            unlocking.offer(&text(&one[0]), me).0,
            Answer::Accepted {
                given: 1,
                threshold: 2
            }
        );
        assert_eq!(unlocking.offer(&text(&one[0]), me).0, Answer::Duplicate);
        // Two shares of two splits of the same key: a wrong set, dropped whole.
        let (answer, vault) = unlocking.offer(&text(&two[1]), None);
        assert_eq!(answer, Answer::WrongSet);
        assert!(vault.is_none());
        assert_eq!(unlocking.progress(), (0, 2));
        // Nothing reached the audit log yet: it cannot be sealed without the key.
        assert_eq!(store.audit_entries().unwrap().len(), entries_before);
        // A share of a 3-of-N split is not taken by a vault started for 2.
        let key = MasterKey::generate().unwrap();
        let three = split(key.software_bytes().unwrap(), 3, 3).unwrap();
        assert_eq!(
            unlocking.offer(&text(&three[0]), me).0,
            Answer::WrongThreshold {
                share: 3,
                threshold: 2
            }
        );
        // The right two, in any order.
        assert!(matches!(
            unlocking.offer(&text(&one[3]), me).0,
            Answer::Accepted { given: 1, .. }
        ));
        let (answer, vault) = unlocking.offer(&text(&one[1]), me);
        assert_eq!(answer, Answer::Unlocked);
        let vault = vault.unwrap();
        assert!(unlocking.is_unlocked());
        assert_eq!(
            unlocking.offer(&text(&one[2]), me).0,
            Answer::AlreadyUnlocked
        );
        // Every event, in order, now in the (sealed) log; no share in any of them.
        let entries = store.audit_entries().unwrap();
        let unlock: Vec<String> = entries[entries_before..]
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}",
                    e.event.action,
                    e.event.outcome,
                    e.event.detail.clone().unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            unlock,
            [
                "unlock_share mistyped_share given=0/2 uid=1000",
                "unlock_share ok share=1 given=1/2 uid=1000",
                "unlock_share duplicate_share share=1 given=1/2 uid=1000",
                "unlock_share ok share=2 given=2/2",
                "unlock wrong_share_set shares=2 uids=1000,-",
                "unlock_share wrong_threshold share=1 given=0/2 uid=1000",
                "unlock_share ok share=4 given=1/2 uid=1000",
                "unlock_share ok share=2 given=2/2 uid=1000",
                "unlock ok shares=2 uids=1000,1000 held_dropped=0",
                "unlock_share already_unlocked given=0/2 uid=1000",
            ]
        );
        for share in one.iter().chain(&two) {
            let shown = text(share);
            for entry in &entries {
                assert!(!format!("{entry:?}").contains(&shown[9..30]));
            }
        }
        drop(vault);
    }

    #[test]
    fn an_empty_store_is_refused_and_the_threshold_bounded() {
        let empty = tempfile::tempdir().unwrap();
        let store = Store::open(empty.path()).unwrap();
        let refused = Unlocking::new(store, Config::default(), 2)
            .unwrap_err()
            .to_string();
        assert!(refused.contains("master-key split"), "{refused}");
        let dir = tempfile::tempdir().unwrap();
        let (store, _, _) = store_with_keys(dir.path());
        for threshold in [0, 1, 17] {
            assert!(Unlocking::new(store.clone(), Config::default(), threshold).is_err());
        }
    }
}
