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
//! Two rules keep it *dual* control. One custodian, one share: a second share from a uid that
//! gave one to this set already is refused ([`Answer::SameCustodian`]), whatever share it is
//! (root is exempt: a vault unlocked by root alone is a trial, not dual control). And a set does
//! not wait forever: [`WINDOW`] after its first share, a set still short of K is dropped
//! (`unlock_expired`), so shares left by an abandoned ceremony cannot be completed days later
//! by one custodian alone.
//!
//! Auditing before the vault is open: the audit log is sealed with a key that the master key
//! wraps, so nothing can be appended to it before the shares are in. Every share accepted or
//! refused is logged at once (server log, never the share) and its audit event is held in
//! memory, then appended to the log, in order, when the vault opens (before it serves). A
//! vault stopped while still locked has only its server log to show for the attempts.

use std::time::{Duration, Instant};

use crate::keys::MasterKey;
use crate::keys::master::shares::{self, MAX_SHARES, MIN_THRESHOLD, Share, ShareError};
use crate::store::{AuditEvent, Store};

use super::audit::operator_event;
use super::{BootError, Config, Vault, audit_seal_key};

/// Audit events held while locked, at most; beyond, they are counted (and logged).
const MAX_HELD: usize = 1024;

/// How long a set of shares may take from its first share to its K-th: long enough for
/// custodians who were called together, short enough that shares of a ceremony given up are
/// not waiting when one custodian comes back alone.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// What the vault answers to a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Kept: `given` of `threshold` shares are in.
    Accepted {
        /// Shares given so far, this one included.
        given: u8,
        /// Shares needed.
        threshold: u8,
        /// The shares given before were older than [`WINDOW`] and were dropped: this one
        /// starts a new set.
        restarted: bool,
    },
    /// The K-th share: the key is right and the vault is open.
    Unlocked,
    /// Not a share, or one with a character wrong (its checksum): nothing kept.
    Mistyped,
    /// A share with this number was given already.
    Duplicate,
    /// This custodian (this uid) has given a share to this set already: nothing kept.
    SameCustodian,
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
            Answer::SameCustodian => "same_custodian",
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
    /// When the first share of `given` came.
    started: Option<Instant>,
    /// A set was dropped for its age since the last share kept: the next custodian is told.
    expired: bool,
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
            started: None,
            expired: false,
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

    /// Whether a set was dropped for its age since the last share was kept (what the next
    /// custodian is told on connecting).
    pub fn set_expired(&self) -> bool {
        self.expired
    }

    /// Drops the shares given if the first came [`WINDOW`] or more before `now` (audited,
    /// `unlock_expired`); whether it did. Called on every share, on every connection, and
    /// periodically, so that the shares do not stay in memory past their window either.
    pub fn expire(&mut self, now: Instant) -> bool {
        let Some(started) = self.started else {
            return false;
        };
        if self.unlocked || now.saturating_duration_since(started) < WINDOW {
            return false;
        }
        let (given, threshold) = self.progress();
        let uids = uids(&self.given);
        self.given.clear();
        self.started = None;
        self.expired = true;
        self.note_detail(
            "unlock_expired",
            "expired",
            format!(
                "given={given}/{threshold} uids={uids} window_secs={}",
                WINDOW.as_secs()
            ),
        );
        true
    }

    /// Takes one share's text from `custodian`. At the K-th good share the vault opens: then
    /// the answer is [`Answer::Unlocked`] with the vault, whose audit log has every event held
    /// so far. Blocking: it reads the store (and, opening the vault, its keys).
    pub fn offer(&mut self, text: &str, custodian: Option<Custodian>) -> (Answer, Option<Vault>) {
        self.offer_at(text, custodian, Instant::now())
    }

    /// [`Unlocking::offer`] at `now` (the tests' clock).
    fn offer_at(
        &mut self,
        text: &str,
        custodian: Option<Custodian>,
        now: Instant,
    ) -> (Answer, Option<Vault>) {
        if self.unlocked {
            self.note("unlock_share", Answer::AlreadyUnlocked, None, custodian);
            return (Answer::AlreadyUnlocked, None);
        }
        self.expire(now);
        // One share per custodian per set: else one person holding (or collecting) several
        // shares would be K custodians. Root is exempt (a trial by one administrator, which
        // the README says is not dual control); a peer the kernel did not name never reaches
        // here (the socket drops it).
        if let Some(who) = custodian
            && who.uid != 0
            && self.given.iter().any(|(_, by)| *by == Some(who))
        {
            self.note("unlock_share", Answer::SameCustodian, None, custodian);
            return (Answer::SameCustodian, None);
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
        if self.given.is_empty() {
            self.started = Some(now);
        }
        let restarted = std::mem::take(&mut self.expired);
        self.given.push((share, custodian));
        let (given, threshold) = self.progress();
        let accepted = Answer::Accepted {
            given,
            threshold,
            restarted,
        };
        self.note("unlock_share", accepted, Some(index), custodian);
        if given < threshold {
            return (accepted, None);
        }
        // The K-th: try the set, then forget the shares whatever it gives.
        let given = std::mem::take(&mut self.given);
        self.started = None;
        let uids = uids(&given);
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
                self.note_detail("unlock", Answer::Unlocked.outcome(), detail);
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
                    answer.outcome(),
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
        self.note_detail(action, answer.outcome(), detail);
    }

    /// Logs the event now and holds it for the audit log (appended when the vault opens; after
    /// that, at once).
    fn note_detail(&mut self, action: &'static str, outcome: &'static str, detail: String) {
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

/// The custodians of a set, as the audit shows them: their uids in order, `-` for one the
/// kernel did not name.
fn uids(given: &[(Share, Option<Custodian>)]) -> String {
    given
        .iter()
        .map(|(_, who)| who.map_or_else(|| "-".to_owned(), |c| c.uid.to_string()))
        .collect::<Vec<_>>()
        .join(",")
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

    /// Every audit entry after the first `from`, as `action outcome detail`.
    fn audit_after(store: &Store, from: usize) -> Vec<String> {
        store.audit_entries().unwrap()[from..]
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}",
                    e.event.action,
                    e.event.outcome,
                    e.event.detail.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    fn accepted(given: u8, threshold: u8) -> Answer {
        Answer::Accepted {
            given,
            threshold,
            restarted: false,
        }
    }

    #[test]
    fn shares_are_gathered_checked_against_the_store_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let (store, one, two) = store_with_keys(dir.path());
        let entries_before = store.audit_entries().unwrap().len();
        let mut unlocking = Unlocking::new(store.clone(), Config::default(), 2).unwrap();
        let alice = Some(Custodian { uid: 1000 });
        let bob = Some(Custodian { uid: 1001 });
        assert_eq!(unlocking.offer("cvs1-nonsense", alice).0, Answer::Mistyped);
        assert_eq!(unlocking.offer(&text(&one[0]), alice).0, accepted(1, 2));
        assert_eq!(unlocking.offer(&text(&one[0]), bob).0, Answer::Duplicate);
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
            unlocking.offer(&text(&three[0]), alice).0,
            Answer::WrongThreshold {
                share: 3,
                threshold: 2
            }
        );
        // The right two, in any order, from two custodians.
        assert_eq!(unlocking.offer(&text(&one[3]), alice).0, accepted(1, 2));
        let (answer, vault) = unlocking.offer(&text(&one[1]), bob);
        assert_eq!(answer, Answer::Unlocked);
        let vault = vault.unwrap();
        assert!(unlocking.is_unlocked());
        assert_eq!(
            unlocking.offer(&text(&one[2]), alice).0,
            Answer::AlreadyUnlocked
        );
        // Every event, in order, now in the (sealed) log; no share in any of them.
        assert_eq!(
            audit_after(&store, entries_before),
            [
                "unlock_share mistyped_share given=0/2 uid=1000",
                "unlock_share ok share=1 given=1/2 uid=1000",
                "unlock_share duplicate_share share=1 given=1/2 uid=1001",
                "unlock_share ok share=2 given=2/2",
                "unlock wrong_share_set shares=2 uids=1000,-",
                "unlock_share wrong_threshold share=1 given=0/2 uid=1000",
                "unlock_share ok share=4 given=1/2 uid=1000",
                "unlock_share ok share=2 given=2/2 uid=1001",
                "unlock ok shares=2 uids=1000,1001 held_dropped=0",
                "unlock_share already_unlocked given=0/2 uid=1000",
            ]
        );
        let entries = store.audit_entries().unwrap();
        for share in one.iter().chain(&two) {
            let shown = text(share);
            for entry in &entries {
                assert!(!format!("{entry:?}").contains(&shown[9..30]));
            }
        }
        drop(vault);
    }

    #[test]
    fn one_custodian_gives_one_share_of_a_set_but_root_may_give_all() {
        let dir = tempfile::tempdir().unwrap();
        let (store, one, _) = store_with_keys(dir.path());
        let entries_before = store.audit_entries().unwrap().len();
        let mut unlocking = Unlocking::new(store.clone(), Config::default(), 2).unwrap();
        let alice = Some(Custodian { uid: 1000 });
        assert_eq!(unlocking.offer(&text(&one[0]), alice).0, accepted(1, 2));
        // Alice holding (or having collected) a second share is still one custodian: refused,
        // whatever the share, and nothing kept.
        for share in [&one[1], &one[0]] {
            assert_eq!(
                unlocking.offer(&text(share), alice).0,
                Answer::SameCustodian
            );
            assert_eq!(unlocking.progress(), (1, 2));
        }
        let (answer, vault) = unlocking.offer(&text(&one[1]), Some(Custodian { uid: 1001 }));
        assert_eq!(answer, Answer::Unlocked);
        drop(vault);
        assert_eq!(
            audit_after(&store, entries_before),
            [
                "unlock_share ok share=1 given=1/2 uid=1000",
                "unlock_share same_custodian given=1/2 uid=1000",
                "unlock_share same_custodian given=1/2 uid=1000",
                "unlock_share ok share=2 given=2/2 uid=1001",
                "unlock ok shares=2 uids=1000,1001 held_dropped=0",
            ]
        );
        // Root may give every share (a trial by one administrator: not dual control).
        let mut unlocking = Unlocking::new(store, Config::default(), 2).unwrap();
        let root = Some(Custodian { uid: 0 });
        assert_eq!(unlocking.offer(&text(&one[2]), root).0, accepted(1, 2));
        let (answer, vault) = unlocking.offer(&text(&one[3]), root);
        assert_eq!(answer, Answer::Unlocked);
        drop(vault);
    }

    #[test]
    fn a_set_short_of_k_is_dropped_a_window_after_its_first_share() {
        let dir = tempfile::tempdir().unwrap();
        let (store, one, _) = store_with_keys(dir.path());
        let entries_before = store.audit_entries().unwrap().len();
        let mut unlocking = Unlocking::new(store.clone(), Config::default(), 2).unwrap();
        let (alice, bob, carol) = (
            Some(Custodian { uid: 1000 }),
            Some(Custodian { uid: 1001 }),
            Some(Custodian { uid: 1002 }),
        );
        let second = Duration::from_secs(1);
        let start = Instant::now();
        assert_eq!(
            unlocking.offer_at(&text(&one[0]), alice, start).0,
            accepted(1, 2)
        );
        // Kept for the window, not a second longer (the periodic check).
        assert!(!unlocking.expire(start + WINDOW - second));
        assert_eq!(unlocking.progress(), (1, 2));
        assert!(unlocking.expire(start + WINDOW));
        assert_eq!(unlocking.progress(), (0, 2));
        assert!(unlocking.set_expired());
        assert!(!unlocking.expire(start + WINDOW + WINDOW));
        // The next custodian is told the set started over; the flag goes with that share.
        let later = start + WINDOW + second;
        assert_eq!(
            unlocking.offer_at(&text(&one[1]), bob, later).0,
            Answer::Accepted {
                given: 1,
                threshold: 2,
                restarted: true
            }
        );
        assert!(!unlocking.set_expired());
        // Dropped on the next share too, with no periodic check in between: Bob's share, a
        // window old, cannot be completed by Alice alone.
        let late = later + WINDOW;
        assert_eq!(
            unlocking.offer_at(&text(&one[0]), alice, late).0,
            Answer::Accepted {
                given: 1,
                threshold: 2,
                restarted: true
            }
        );
        // Within the window, two custodians open it.
        let (answer, vault) = unlocking.offer_at(&text(&one[2]), carol, late + WINDOW - second);
        assert_eq!(answer, Answer::Unlocked);
        drop(vault);
        assert!(!unlocking.expire(late + WINDOW + WINDOW));
        assert_eq!(
            audit_after(&store, entries_before),
            [
                "unlock_share ok share=1 given=1/2 uid=1000",
                "unlock_expired expired given=1/2 uids=1000 window_secs=900",
                "unlock_share ok share=2 given=1/2 uid=1001",
                "unlock_expired expired given=1/2 uids=1001 window_secs=900",
                "unlock_share ok share=1 given=1/2 uid=1000",
                "unlock_share ok share=3 given=2/2 uid=1002",
                "unlock ok shares=2 uids=1000,1002 held_dropped=0",
            ]
        );
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
