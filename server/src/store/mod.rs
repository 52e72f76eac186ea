//! The store: everything the vault keeps, in SQLite in the data dir or in PostgreSQL, behind a
//! narrow interface.
//!
//! # What is stored
//!
//! Only ciphertext and metadata. Every key is wrapped and every card and CVC is encrypted by the
//! caller before it reaches this module: the store handles opaque byte blobs and never sees a card
//! number, a CVC or a key in clear. The audit log holds no card data either: callers put tokens,
//! merchant ids, request ids and outcome codes in [`AuditEvent`]s, never numbers or CVCs.
//!
//! Deleting is destroying: a deleted token row (or a used or expired CVC) is removed with SQLite's
//! `secure_delete` on, so its bytes are overwritten in the database file; and the first sweep after
//! anything was destroyed checkpoints and truncates the write-ahead log (best effort: it does not
//! wait for readers, the next sweep retries), so old page images do not outlive a sweep interval.
//!
//! # Reads and writes
//!
//! Reads are synchronous and use a small pool of read-only connections. Point reads (by key,
//! token or hash) are indexed and take microseconds, so the HTTP layer may call them
//! directly from async code; [`Store::merchants`], [`Store::audit_entries`] and [`verify_audit`]
//! scan whole tables and belong in `spawn_blocking` when called while serving.
//!
//! Every write goes through one writer thread (`writer.rs`) that takes whatever requests are queued
//! and applies them in one `BEGIN IMMEDIATE … COMMIT` (group commit, `synchronous = FULL`), then
//! answers each: a write returns only once it is durable, and concurrent writers share one fsync.
//! Within a batch each request runs in its own savepoint, so one refused request (a replayed jti,
//! a duplicate key) changes nothing and does not disturb the others. The async writes are for the
//! server; the `fn …` (blocking) writes are for the CLI and for start-up, and block the calling
//! thread until the batch commits (inside a running server, call them from `spawn_blocking`).
//! A write, once submitted, completes even if the caller's future is dropped.
//!
//! Other processes (CLI commands) open the same database while `serve` runs; SQLite's locks and
//! a busy timeout serialise them, and the audit chain stays linear because each append reads the
//! previous entry's hash inside its own `IMMEDIATE` transaction. Tokens are stored by one process
//! only (`serve` locks the data dir): the writer refuses a replayed jti from a memory of the
//! `jtis` table that it loads once and keeps in step with every batch (`sqlite.rs`,
//! `ReplayMemory`), instead of a unique index, whose random keys cost a page write each. The
//! card-enumeration memory (`CardMemory`: per merchant, BIN and last four, the distinct numbers
//! tokenized in a window) is kept the same way, in the `card_enumeration` table.
//!
//! # Backends
//!
//! - SQLite (`sqlite.rs`): one file in the data dir, one vault.
//! - PostgreSQL (`postgres.rs`, `--database-url`): one database, any number of vaults. There the
//!   guarantees that SQLite gets from one process owning the file (the replay and card memories,
//!   the data-dir lock) come from the database: a primary key on the jti, CVC rows taken with
//!   `DELETE … RETURNING`, and an advisory lock that every write batch holds, which serialises
//!   the audit chain's appenders across instances (see that module).
//!
//! Each provides a `ReadBackend` (every read of [`Store`] plus an audit scan in `seq` order,
//! callable from many threads) and a `WriteBackend` (`apply_batch`: a slice of `WriteOp`s in one
//! durable transaction, a refused op leaving no trace, one answer per op). What both decide the
//! same way is in `rules.rs`. The writer thread, the [`Store`] handle and [`verify_audit`] are
//! backend-independent.

mod audit;
#[cfg(test)]
mod cluster_tests;
mod postgres;
mod rules;
mod sqlite;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod writer;

use std::fmt;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::keys::AuditSealKey;

pub use audit::{
    AuditBreak, ExpectedHead, SealedReport, log_audit_head, verify_audit, verify_audit_sealed,
    verify_audit_unkeyed,
};

/// How many expired tokens (and, separately, expired CVCs and replay ids) one sweep handles at most,
/// so that a sweep after a long downtime does not hold the writer for long.
pub const SWEEP_LIMIT: u32 = 1000;

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/// A merchant. `Debug` omits the secret key's hash and the wrapped fingerprint key.
#[derive(Clone)]
pub struct MerchantRecord {
    /// `mer_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `pk_…`, in clear: it is not a secret.
    pub publishable_key: String,
    /// SHA-256 of the secret key `sk_…`.
    pub secret_key_hash: [u8; 32],
    /// Origins allowed to frame the field.
    pub origins: Vec<String>,
    /// The merchant's fingerprint key, wrapped.
    pub fingerprint_key: Vec<u8>,
    /// Lifetime of this merchant's tokens; `None`: until deleted.
    pub token_ttl_secs: Option<i64>,
    /// Whether an envelope without a CVC is refused.
    pub require_cvc: bool,
    /// Unix seconds.
    pub created_at: i64,
}

impl fmt::Debug for MerchantRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("publishable_key", &self.publishable_key)
            .field("origins", &self.origins)
            .field("fingerprint_key", &Blob(self.fingerprint_key.len()))
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("require_cvc", &self.require_cvc)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A transport key (RSA, for envelopes). `Debug` shows the wrapped key's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct TransportKeyRecord {
    /// RFC 7638 thumbprint of the public key.
    pub kid: String,
    /// PKCS#8, wrapped.
    pub private_key: Vec<u8>,
    /// Modulus size.
    pub bits: u32,
    /// Unix seconds.
    pub created_at: i64,
    /// `None`: the key is active.
    pub retired_at: Option<i64>,
    /// End of the grace period after retirement.
    pub usable_until: Option<i64>,
}

impl fmt::Debug for TransportKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportKeyRecord")
            .field("kid", &self.kid)
            .field("private_key", &Blob(self.private_key.len()))
            .field("bits", &self.bits)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("usable_until", &self.usable_until)
            .finish()
    }
}

/// A data key (encrypts cards at rest). `Debug` shows the wrapped key's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKeyRecord {
    /// Referenced by [`TokenRecord::data_key_version`].
    pub version: u32,
    /// The key, wrapped.
    pub key: Vec<u8>,
    /// Unix seconds.
    pub created_at: i64,
}

impl fmt::Debug for DataKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeyRecord")
            .field("version", &self.version)
            .field("key", &Blob(self.key.len()))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// A token and its encrypted card. `Debug` shows the ciphertexts' lengths only.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// `tok_…`.
    pub token: String,
    /// The owner.
    pub merchant_id: String,
    /// The encrypted card.
    pub card: Vec<u8>,
    /// The encrypted CVC; `None` once used or expired. When set, `cvc_expires_at` must be too.
    pub cvc: Option<Vec<u8>>,
    /// When the CVC stops being usable.
    pub cvc_expires_at: Option<i64>,
    /// The data key that encrypted `card` and `cvc`.
    pub data_key_version: u32,
    /// Brand id.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// First six digits.
    pub bin: String,
    /// 1-12.
    pub exp_month: u8,
    /// Four digits.
    pub exp_year: u16,
    /// `fp_…`, keyed per merchant.
    pub fingerprint: String,
    /// Unix seconds.
    pub created_at: i64,
    /// `None`: until deleted.
    pub expires_at: Option<i64>,
}

impl TokenRecord {
    /// Whether the token's lifetime is over at `now`. [`Store::token`] returns a token whose time
    /// is up until the next sweep destroys it: callers treat such a token as gone.
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("token", &self.token)
            .field("merchant_id", &self.merchant_id)
            .field("card", &Blob(self.card.len()))
            .field("cvc", &self.cvc.as_ref().map(|c| Blob(c.len())))
            .field("cvc_expires_at", &self.cvc_expires_at)
            .field("data_key_version", &self.data_key_version)
            .field("brand", &self.brand)
            .field("last4", &self.last4)
            .field("bin", &self.bin)
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("fingerprint", &self.fingerprint)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// One card of an import (`cardvault import`): the id it has at its source (unique per merchant:
/// a second import of it stores nothing), its token row, and the audit entry of its making.
#[derive(Debug, Clone)]
pub struct ImportedCard {
    /// The record's id at its source (the merchant's, e.g. a customer's card id).
    pub import_id: String,
    /// The token row, as a tokenization makes it (never a CVC).
    pub record: TokenRecord,
    /// Appended only if the card is stored.
    pub audit: AuditEvent,
}

/// What became of one [`ImportedCard`].
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    /// Stored now, with its audit entry.
    Stored,
    /// The id was imported before (an earlier run, or one killed part-way): nothing stored.
    /// Its token, and the token's row if it still has one (not deleted or expired since).
    Known {
        /// The token the id was imported as.
        token: String,
        /// The token's row, if it still exists.
        record: Option<Box<TokenRecord>>,
    },
}

/// Where a merchant's forwards may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverRecord {
    /// The owner.
    pub merchant_id: String,
    /// Unique per merchant; named in forward requests.
    pub name: String,
    /// Base URL.
    pub url: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// Which of a merchant's two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MerchantKeyKind {
    /// `pk_…`, stored in clear.
    Publishable,
    /// `sk_…`, stored as its SHA-256.
    Secret,
}

impl MerchantKeyKind {
    /// As stored and audited: `publishable` or `secret`.
    pub fn name(self) -> &'static str {
        match self {
            MerchantKeyKind::Publishable => "publishable",
            MerchantKeyKind::Secret => "secret",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<MerchantKeyKind> {
        match name {
            "publishable" => Some(MerchantKeyKind::Publishable),
            "secret" => Some(MerchantKeyKind::Secret),
            _ => None,
        }
    }
}

/// One of a merchant's keys: its current key of a kind (the one in [`MerchantRecord`]), or a
/// previous one that a roll replaced and that is accepted until `usable_until` (`cardvault
/// merchant roll-secret | roll-publishable`). `Debug` shows the key's [`id`](Self::id) only.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantKeyRecord {
    /// The merchant.
    pub merchant_id: String,
    /// Publishable or secret.
    pub kind: MerchantKeyKind,
    /// The publishable key's text, or the secret key's SHA-256 (never the secret key).
    pub key: Vec<u8>,
    /// When it became the merchant's key: the merchant's creation, or the roll that made it.
    pub created_at: i64,
    /// The roll that replaced it; `None`: the current key.
    pub retired_at: Option<i64>,
    /// Accepted while the clock is before this; `None`: the current key.
    pub usable_until: Option<i64>,
}

impl MerchantKeyRecord {
    /// The key's id for people and the audit log: the first 8 hex digits of the key's SHA-256
    /// (for a secret key, of what is stored). It names a key without giving it away, and is
    /// not secret: the secret key has 256 random bits, 32 of a hash of it tell nothing.
    pub fn id(&self) -> String {
        rules::key_id(self.kind, &self.key)
    }

    /// Whether this is the merchant's current key of its kind.
    pub fn is_current(&self) -> bool {
        self.usable_until.is_none()
    }
}

impl fmt::Debug for MerchantKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantKeyRecord")
            .field("merchant_id", &self.merchant_id)
            .field("kind", &self.kind)
            .field("id", &self.id())
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("usable_until", &self.usable_until)
            .finish()
    }
}

/// A merchant found by one of its keys, and that key (current, or previous within its grace).
#[derive(Debug, Clone)]
pub struct FoundMerchant {
    /// The merchant.
    pub merchant: MerchantRecord,
    /// The key it was found by.
    pub key: MerchantKeyRecord,
}

/// One thing that happened, for the audit log. Never holds card data, keys or secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Unix seconds.
    pub at: i64,
    /// The HTTP request id, if any.
    pub request_id: Option<String>,
    /// The merchant concerned, if any.
    pub merchant_id: Option<String>,
    /// `publishable` | `secret` | `operator`.
    pub key_kind: Option<String>,
    /// Client address.
    pub client: Option<String>,
    /// `tokenize`, `read`, `delete`, `forward_start` (written with the CVC's taking, before the
    /// card is sent), `forward`, `key_rotate`, `key_import`, `key_create`, `merchant_create`,
    /// `merchant_key_roll`, `merchant_key_retire`, `receiver_add`, `receiver_remove`,
    /// `expiry_sweep`, `refused`, …
    pub action: String,
    /// The token concerned, if any.
    pub token: Option<String>,
    /// `ok` or the contract's error code.
    pub outcome: String,
    /// Free text without secrets.
    pub detail: Option<String>,
}

/// An entry of the audit log: an event, its place and its link in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    /// What happened.
    pub event: AuditEvent,
    /// The previous entry's `hash` (zeros for the first entry).
    pub prev_hash: [u8; 32],
    /// SHA-256 over `prev_hash` and this entry (see [`verify_audit`]).
    pub hash: [u8; 32],
}

/// The audit log's seal (see `keys::audit`): this database's audit seal key, wrapped by the
/// master key, and the head it last sealed. `Debug` shows the wrapped key's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditSealRecord {
    /// The key, wrapped by the master key (context `keys::AUDIT_SEAL_KEY_CONTEXT`).
    pub key: Vec<u8>,
    /// The head sealed; `None` until the vault first seals.
    pub sealed: Option<SealedHead>,
}

impl fmt::Debug for AuditSealRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditSealRecord")
            .field("key", &Blob(self.key.len()))
            .field("sealed", &self.sealed)
            .finish()
    }
}

/// A head of the audit log and its seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedHead {
    /// The log's last `seq` when sealing began (0: from the first entry). Entries up to it were
    /// written before the log had a seal.
    pub since: i64,
    /// The sealed head's `seq`.
    pub seq: i64,
    /// The sealed head's `hash`.
    pub hash: [u8; 32],
    /// HMAC-SHA-256 under the audit seal key over `since`, `seq` and `hash`.
    pub mac: Vec<u8>,
}

/// What one [`Store::sweep`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Expired tokens destroyed (one `expiry_sweep` audit entry each).
    pub tokens_deleted: u64,
    /// Expired CVCs destroyed (one `expiry_sweep` audit entry per sweep that destroyed any).
    pub cvcs_cleared: u64,
    /// Replay ids forgotten (not audited).
    pub jtis_deleted: u64,
    /// Previous merchant keys whose grace ended, deleted (one `merchant_key_retire` entry each).
    pub keys_retired: u64,
    /// A limit ([`SWEEP_LIMIT`]) was reached: sweep again soon.
    pub more: bool,
}

/// Shows a blob's length, never its bytes.
struct Blob(usize);

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

/// Which key a wrapped blob is, for re-wrapping under another master key
/// (`cardvault master-key rotate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WrappedKeyId {
    /// A merchant's fingerprint key, by merchant id.
    Fingerprint(String),
    /// A transport private key, by kid.
    Transport(String),
    /// A data key, by version.
    Data(u32),
    /// The audit seal key.
    AuditSeal,
}

/// A key as the store keeps it: wrapped by the master key. `Debug` shows the blob's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which key.
    pub id: WrappedKeyId,
    /// The blob.
    pub wrapped: Vec<u8>,
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("id", &self.id)
            .field("wrapped", &Blob(self.wrapped.len()))
            .finish()
    }
}

/// The master key a rotation under way moves to, named in the store for the vaults that serve
/// meanwhile to follow (`vault::custody`): never a key, only which one and where, authenticated
/// by the key it replaces. Deleted when the rotation ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextMasterKey {
    /// The new key's `MasterKey::id`.
    pub key_id: String,
    /// Where a vault finds it.
    pub custody: NextCustody,
    /// The fields above sealed by the master key being replaced (`vault::custody`): a row that
    /// someone without that key wrote or changed is not followed.
    pub auth: Vec<u8>,
}

/// Where a serving vault finds the next master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextCustody {
    /// A software key, from the vault's own configuration (`CARDVAULT_TO_MASTER_KEY_FILE`): the
    /// store never holds a master key, wrapped or not.
    Software,
    /// A key in an HSM: the module (which a vault loads only if it was itself given that
    /// module), the token's label and the key's label; the PIN is the vault's own.
    Pkcs11 {
        module: String,
        token: String,
        label: String,
    },
}

/// A stored card sealed under a data key older than the current one, to re-encrypt
/// (`cardvault keys rotate-data --rewrap`). `Debug` shows the ciphertext's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedCard {
    /// `tok_…`.
    pub token: String,
    /// The owner (part of the card's associated data).
    pub merchant_id: String,
    /// The data key that sealed `card`.
    pub data_key_version: u32,
    /// The encrypted card (number, expiry, name).
    pub card: Vec<u8>,
}

impl fmt::Debug for SealedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedCard")
            .field("token", &self.token)
            .field("merchant_id", &self.merchant_id)
            .field("data_key_version", &self.data_key_version)
            .field("card", &Blob(self.card.len()))
            .finish()
    }
}

/// How many tokens each data key seals: what `rotate-data --rewrap` has left to do, and which
/// keys no row uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataKeyUsage {
    /// The data key's version.
    pub version: u32,
    /// Tokens whose card it seals.
    pub tokens: u64,
    /// Of those, the ones with a CVC still waiting to be used (the CVC is sealed under the same
    /// key, and is taken at most once: such a card is re-encrypted once its CVC is gone).
    pub with_cvc: u64,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why the store refused or failed. Messages are generic: the cause is logged where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// The envelope's `jti` was seen before: nothing of the request was written.
    Replayed,
    /// A unique key is taken (token, merchant id, publishable key, key id, receiver name, …).
    Conflict,
    /// Anything else; the cause is in the log.
    Database,
    /// The database cannot be reached now, or did not answer in time (PostgreSQL down,
    /// restarting, or saturated: its pool had no connection to give). Nothing was written; a
    /// retry may succeed.
    Unavailable,
    /// The writer thread is gone.
    Closed,
    /// The merchant has tokenized [`EnumerationLimit::limit`] distinct numbers with this card's
    /// BIN and last four within the window, and this number is not one of them: nothing of the
    /// request was stored, and its refusal was audited in the same transaction.
    CardEnumeration,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreError::Replayed => "envelope already seen",
            StoreError::Conflict => "record already exists",
            StoreError::Database => "database error",
            StoreError::Unavailable => "database unavailable",
            StoreError::Closed => "store is closed",
            StoreError::CardEnumeration => "too many distinct numbers with this BIN and last four",
        })
    }
}

impl std::error::Error for StoreError {}

// ---------------------------------------------------------------------------------------------
// The backend interface
// ---------------------------------------------------------------------------------------------

/// One write, applied by a `WriteBackend` inside a batch.
#[derive(Debug)]
pub(crate) enum WriteOp {
    /// jti (unique, else [`StoreError::Replayed`]), token row, audit entry; with `enumeration`,
    /// refused (and the refusal audited) when the number would be one too many of its BIN and
    /// last four ([`StoreError::CardEnumeration`]).
    InsertToken {
        record: TokenRecord,
        jti: String,
        jti_expires_at: i64,
        audit: AuditEvent,
        enumeration: Option<EnumerationLimit>,
    },
    /// Deletes the row if the merchant owns it; audits either way (`not_found` if none).
    DeleteToken {
        merchant_id: String,
        token: String,
        audit: AuditEvent,
    },
    /// Returns the CVC if present and unexpired, and clears it; appends `audit` if any (also
    /// when there was no CVC).
    TakeCvc {
        merchant_id: String,
        token: String,
        now: i64,
        audit: Option<AuditEvent>,
    },
    /// In order, in this op's savepoint.
    AppendAudit {
        events: Vec<AuditEvent>,
    },
    Sweep {
        now: i64,
        limit: u32,
    },
    InsertMerchant {
        merchant: MerchantRecord,
        audit: AuditEvent,
    },
    /// Makes `key` the merchant's current key of `kind`; the one it replaces is accepted until
    /// `usable_until` (not at all when that is not after `now`), and so is no earlier one beyond
    /// it. `audit` (the operator's) becomes the roll's entry; each key whose grace is over is
    /// deleted and retired with an entry of its own. [`WriteOutcome::Rolled`].
    RollMerchantKey {
        merchant_id: String,
        kind: MerchantKeyKind,
        key: Vec<u8>,
        now: i64,
        usable_until: i64,
        audit: AuditEvent,
    },
    /// Retires the active key(s) first when `retire_others_at` is set.
    InsertTransportKey {
        key: TransportKeyRecord,
        retire_others_at: Option<(i64, i64)>,
        audit: AuditEvent,
    },
    InsertDataKey {
        key: DataKeyRecord,
        audit: Option<AuditEvent>,
    },
    /// This database's audit seal key, wrapped ([`StoreError::Conflict`] if it has one).
    InsertAuditSealKey {
        key: Vec<u8>,
    },
    /// Nothing: a batch, so that the seal is brought up to date now. With `begin`, a log with
    /// entries but never sealed (a database from before the seal) begins to be sealed at its
    /// current head; without, such a log is left unsealed (its seal was wiped: verification
    /// shows it).
    Seal {
        begin: bool,
    },
    InsertReceiver {
        receiver: ReceiverRecord,
        audit: AuditEvent,
    },
    /// Audits either way (`not_found` if none).
    RemoveReceiver {
        merchant_id: String,
        name: String,
        audit: AuditEvent,
    },
    /// Replaces a wrapped key's blob, only if it still is `old` (another rotation, or a kill and
    /// a rerun, may have replaced it): [`WriteOutcome::Changed`].
    ReplaceWrappedKey {
        id: WrappedKeyId,
        old: Vec<u8>,
        new: Vec<u8>,
    },
    /// Re-encrypted cards: each replaces its row's card and data key version, only if the row
    /// is still sealed under `from` and holds no CVC ([`WriteOutcome::Count`]: how many did).
    ResealCards {
        cards: Vec<(SealedCard, Vec<u8>)>,
        to_version: u32,
    },
    /// Destroys the data key of `version` if no token uses it and a newer one exists, appending
    /// `audit` if it did ([`WriteOutcome::Changed`]).
    DestroyDataKey {
        version: u32,
        audit: AuditEvent,
    },
    /// Records (or with `None` deletes) the master key a rotation moves to.
    SetNextMasterKey {
        next: Option<NextMasterKey>,
    },
    /// Imported cards of one merchant, in one savepoint: each id not imported before is recorded
    /// with its token row and audit entry; a known id stores nothing. Then `audit` (the
    /// refusals and counts of the batch). [`WriteOutcome::Imported`], one per card, in order.
    ImportCards {
        merchant_id: String,
        cards: Vec<ImportedCard>,
        audit: Vec<AuditEvent>,
    },
}

impl WriteOp {
    /// Whether the writer may hold this write back a little to commit more with it
    /// (`writer.rs`): not the writes of a forward (taking the CVC with `forward_start`, then
    /// the outcome's entry), which waits for both in series and is meant to cost about what a
    /// direct call to the receiver does. Entries appended alone (`AppendAudit`) are a forward's
    /// outcome or a refusal's: small, and their callers wait for them too.
    pub(crate) fn lingers(&self) -> bool {
        !matches!(self, WriteOp::TakeCvc { .. } | WriteOp::AppendAudit { .. })
    }
}

/// The answer to one [`WriteOp`].
#[derive(Debug)]
pub(crate) enum WriteOutcome {
    Done,
    /// The op was refused and its refusal audited (committed): [`StoreError::CardEnumeration`].
    Enumeration,
    Deleted(bool),
    Cvc(Option<Vec<u8>>),
    Swept(SweepReport),
    /// The key a roll replaced; `None`: no such merchant (nothing written).
    Rolled(Option<MerchantKeyRecord>),
    /// Whether a conditional change happened.
    Changed(bool),
    /// How many rows a change touched.
    Count(u64),
    /// What became of each card of an import.
    Imported(Vec<ImportOutcome>),
}

impl WriteOutcome {
    fn done(self) -> Result<(), StoreError> {
        match self {
            WriteOutcome::Done => Ok(()),
            WriteOutcome::Enumeration => Err(StoreError::CardEnumeration),
            other => Err(mismatch(&other)),
        }
    }

    fn deleted(self) -> Result<bool, StoreError> {
        match self {
            WriteOutcome::Deleted(deleted) => Ok(deleted),
            other => Err(mismatch(&other)),
        }
    }

    fn cvc(self) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            WriteOutcome::Cvc(cvc) => Ok(cvc),
            other => Err(mismatch(&other)),
        }
    }

    fn swept(self) -> Result<SweepReport, StoreError> {
        match self {
            WriteOutcome::Swept(report) => Ok(report),
            other => Err(mismatch(&other)),
        }
    }

    fn rolled(self) -> Result<Option<MerchantKeyRecord>, StoreError> {
        match self {
            WriteOutcome::Rolled(replaced) => Ok(replaced),
            other => Err(mismatch(&other)),
        }
    }

    fn changed(self) -> Result<bool, StoreError> {
        match self {
            WriteOutcome::Changed(changed) => Ok(changed),
            other => Err(mismatch(&other)),
        }
    }

    fn count(self) -> Result<u64, StoreError> {
        match self {
            WriteOutcome::Count(count) => Ok(count),
            other => Err(mismatch(&other)),
        }
    }

    fn imported(self) -> Result<Vec<ImportOutcome>, StoreError> {
        match self {
            WriteOutcome::Imported(outcomes) => Ok(outcomes),
            other => Err(mismatch(&other)),
        }
    }
}

fn mismatch(outcome: &WriteOutcome) -> StoreError {
    let kind = match outcome {
        WriteOutcome::Done => "done",
        WriteOutcome::Enumeration => "enumeration",
        WriteOutcome::Deleted(_) => "deleted",
        WriteOutcome::Cvc(_) => "cvc",
        WriteOutcome::Swept(_) => "swept",
        WriteOutcome::Rolled(_) => "rolled",
        WriteOutcome::Changed(_) => "changed",
        WriteOutcome::Count(_) => "count",
        WriteOutcome::Imported(_) => "imported",
    };
    tracing::error!(
        outcome = kind,
        "store: the backend answered a write with the wrong kind"
    );
    StoreError::Database
}

/// What verification reads beside the log, in the same snapshot.
#[derive(Debug, Clone)]
pub(crate) struct AuditSnapshot {
    /// The audit seal row, if any.
    pub(crate) seal: Option<AuditSealRecord>,
    /// The append-only triggers are exactly the schema's (no other trigger, none changed).
    pub(crate) triggers_intact: bool,
    /// The store holds merchants, transport keys, tokens or receivers: things whose making was
    /// audited, so the log cannot be empty.
    pub(crate) holds_audited_records: bool,
    /// The store holds a data key. The first is made without an entry, but after the seal key
    /// (`Vault::open`), so a store with one has a seal row (a database from before the seal has
    /// entries, and no seal).
    pub(crate) holds_data_keys: bool,
}

/// The anti-enumeration bound of a tokenization: at most `limit` distinct card numbers with one
/// BIN and last four per merchant within `window_secs` (see README, *The fingerprint*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumerationLimit {
    /// Distinct numbers allowed per (merchant, BIN, last four) in the window; 0: no limit.
    pub limit: u32,
    /// The window, in seconds.
    pub window_secs: i64,
}

/// An audit row that does not decode (wrong hash length, bad text): verification stops there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MalformedEntry {
    pub(crate) seq: i64,
}

/// The reads a backend provides; called from many threads at once.
pub(crate) trait ReadBackend: Send + Sync {
    /// By the current key, or a previous one with `usable_until` after `now` (on PostgreSQL,
    /// after the database's clock too).
    fn merchant_by_publishable_key(
        &self,
        pk: &str,
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError>;
    /// As [`ReadBackend::merchant_by_publishable_key`].
    fn merchant_by_secret_hash(
        &self,
        hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError>;
    /// The merchant's current keys and its previous ones still accepted at `now`, in any order.
    fn merchant_keys(
        &self,
        merchant_id: &str,
        now: i64,
    ) -> Result<Vec<MerchantKeyRecord>, StoreError>;
    fn merchant(&self, id: &str) -> Result<Option<MerchantRecord>, StoreError>;
    fn merchants(&self) -> Result<Vec<MerchantRecord>, StoreError>;
    fn transport_keys(&self) -> Result<Vec<TransportKeyRecord>, StoreError>;
    fn data_keys(&self) -> Result<Vec<DataKeyRecord>, StoreError>;
    /// The master key a rotation under way moves to, if one is.
    fn next_master_key(&self) -> Result<Option<NextMasterKey>, StoreError>;
    /// Per data key (every one, in version order), the tokens it seals.
    fn data_key_usage(&self) -> Result<Vec<DataKeyUsage>, StoreError>;
    /// Up to `limit` cards sealed under a data key older than `below` and holding no CVC, with
    /// tokens after `after`, in token order.
    fn sealed_cards_below(
        &self,
        below: u32,
        after: &str,
        limit: u32,
    ) -> Result<Vec<SealedCard>, StoreError>;
    fn token(&self, merchant_id: &str, token: &str) -> Result<Option<TokenRecord>, StoreError>;
    fn jti_seen(&self, jti: &str, now: i64) -> Result<bool, StoreError>;
    fn receivers(&self, merchant_id: &str) -> Result<Vec<ReceiverRecord>, StoreError>;
    fn receiver(&self, merchant_id: &str, name: &str)
    -> Result<Option<ReceiverRecord>, StoreError>;
    /// The audit seal, if the database has its key.
    fn audit_seal(&self) -> Result<Option<AuditSealRecord>, StoreError>;
    /// Visits the audit log in `seq` order until `visit` breaks, and answers what else
    /// verification needs, as it was in the same snapshot.
    fn scan_audit(
        &self,
        visit: &mut dyn FnMut(Result<AuditEntry, MalformedEntry>) -> ControlFlow<()>,
    ) -> Result<AuditSnapshot, StoreError>;
    /// Whether the store holds anything: merchants, transport keys, tokens, receivers, data
    /// keys or audit entries. Then a database without an audit seal key is not a new one.
    fn holds_records(&self) -> Result<bool, StoreError>;
    /// Whether the database answers now, with the schema this binary migrated it to
    /// ([`StoreError::Unavailable`] if it does not answer; [`StoreError::Database`] if the
    /// schema moved on, a newer binary migrated it).
    fn ping(&self) -> Result<(), StoreError>;
}

/// The writes a backend provides; owned by the writer thread.
pub(crate) trait WriteBackend: Send {
    /// Applies `ops` in one durable transaction, each in its own savepoint (a failed op leaves
    /// nothing behind), and answers one result per op, in order. `Err`: the transaction itself
    /// failed and nothing of the batch is stored. Once the store has an audit seal key
    /// ([`Store::seal_audit_with`]), the same transaction moves the audit seal to the new head,
    /// if the head before the batch was the one sealed (else it leaves the seal, which then shows
    /// the change).
    fn apply_batch(
        &mut self,
        ops: &[WriteOp],
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError>;
}

// ---------------------------------------------------------------------------------------------
// The handle
// ---------------------------------------------------------------------------------------------

/// The store: a cheap, cloneable handle (`Send + Sync`). The writer thread stops, after its last
/// batch, when the last clone is dropped.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    reads: Box<dyn ReadBackend>,
    /// PostgreSQL's pool, for the cluster's rate limits; `None` on SQLite.
    shared: Option<Arc<postgres::Db>>,
    writer: writer::Writer,
    /// The audit seal key, once given; shared with the write backend.
    seal: Arc<OnceLock<AuditSealKey>>,
    /// The schema version the database had when this handle opened it.
    opened_at_version: i64,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// Creates `data_dir` as [`Store::open`] does (mode 0700, a warning when an existing one is open
/// to others), for what must exist in it before the store opens (`serve`'s lock).
pub fn create_data_dir(data_dir: &Path) -> Result<(), StoreError> {
    sqlite::create_data_dir(data_dir)
}

/// Where the store is: SQLite in a data dir (one vault), or a PostgreSQL database that any
/// number of vaults share. `Debug` leaves out the URL, which may hold a password.
#[derive(Clone)]
pub enum Location {
    /// `DIR/cardvault.db`.
    DataDir(PathBuf),
    /// `postgres://USER@HOST:PORT/DB[?sslmode=…]`, and the CA that signs the database's
    /// certificate (`sslmode=verify-full`).
    Postgres {
        /// The database URL.
        url: String,
        /// A PEM file of CA certificates.
        ca: Option<PathBuf>,
    },
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::DataDir(dir) => f.debug_tuple("DataDir").field(dir).finish(),
            Location::Postgres { .. } => f.write_str("Postgres"),
        }
    }
}

impl Location {
    /// Whether several vaults may share this store (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        matches!(self, Location::Postgres { .. })
    }
}

impl Store {
    /// Opens the store at `location` ([`Store::open`] for a data dir).
    pub fn open_at(location: &Location) -> Result<Store, StoreError> {
        match location {
            Location::DataDir(dir) => Store::open(dir),
            Location::Postgres { url, ca } => Store::open_postgres(url, ca.as_deref()),
        }
    }

    /// Connects to the PostgreSQL database at `url`, creates or migrates its schema (under an
    /// advisory lock: instances starting at once migrate one after the other; one whose binary
    /// is older than the schema is refused) and starts the writer thread. The database must
    /// exist.
    pub fn open_postgres(url: &str, ca: Option<&Path>) -> Result<Store, StoreError> {
        let target = postgres::target(url, ca).map_err(|reason| {
            tracing::error!(%reason, "store: the database URL is not usable");
            StoreError::Database
        })?;
        let seal = Arc::new(OnceLock::new());
        let (reads, writes, opened_at_version) = postgres::open(target, Arc::clone(&seal))?;
        let shared = Some(Arc::clone(reads.db()));
        let writer = writer::Writer::start(Box::new(writes))?;
        Ok(Store {
            inner: Arc::new(Inner {
                reads: Box::new(reads),
                shared,
                writer,
                seal,
                // A PostgreSQL database has the seal from its first version.
                opened_at_version: opened_at_version.max(2),
            }),
        })
    }

    /// Whether other vaults may share this store (PostgreSQL): then rate limits are kept in it
    /// ([`Store::spend_shared_allowance`]), not in one vault's memory.
    pub fn is_shared(&self) -> bool {
        self.inner.shared.is_some()
    }

    /// Takes one request from the cluster-wide GCRA cell `key` (an emission interval and a burst
    /// tolerance, in microseconds): `Ok(Err(retry_after_us))` when it is spent. One statement on
    /// the database, whose clock every instance shares. [`StoreError::Database`] on a store that
    /// is not shared.
    pub async fn spend_shared_allowance(
        &self,
        key: String,
        interval_us: i64,
        tolerance_us: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        match &self.inner.shared {
            Some(db) => db.spend(key, interval_us, tolerance_us).await,
            None => Err(StoreError::Database),
        }
    }

    /// Opens (creating) `data_dir/cardvault.db` and starts the writer thread.
    ///
    /// Creates `data_dir` with mode 0700 if missing and keeps the database file at 0600; sets
    /// WAL, `synchronous = FULL`, foreign keys, `secure_delete` and a 5 s busy timeout; creates or
    /// migrates the schema (`PRAGMA user_version`). A database from a newer version is refused.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let seal = Arc::new(OnceLock::new());
        let (reads, writes, opened_at_version) = sqlite::open(data_dir, Arc::clone(&seal))?;
        let writer = writer::Writer::start(Box::new(writes))?;
        Ok(Store {
            inner: Arc::new(Inner {
                reads: Box::new(reads),
                shared: None,
                writer,
                seal,
                opened_at_version,
            }),
        })
    }

    /// Whether this handle found the database from before the audit seal existed (schema
    /// version 1, migrated as it opened): its log may hold entries that no seal covers.
    pub fn predates_seal(&self) -> bool {
        self.inner.opened_at_version == 1
    }

    /// Seals the audit log's head with `key` (see `keys::audit`), now and in every write batch
    /// after. A second key is ignored: a store seals with one key. With `begin`, a log that has
    /// entries but was never sealed begins to be sealed at its head now (a database from
    /// before the seal); without, it stays unsealed, as verification then reports. Blocking.
    pub fn seal_audit_with(&self, key: AuditSealKey, begin: bool) -> Result<(), StoreError> {
        if self.inner.seal.set(key).is_err() {
            tracing::warn!("store: the audit log already has its seal key");
        }
        self.inner
            .writer
            .submit_blocking(WriteOp::Seal { begin })?
            .done()
    }

    /// See [`ReadBackend::ping`]: for readiness (`GET /readyz`). Blocking, and short: a
    /// point query.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.inner.reads.ping()
    }

    /// See [`ReadBackend::holds_records`].
    pub fn holds_records(&self) -> Result<bool, StoreError> {
        self.inner.reads.holds_records()
    }

    /// How many write batches (transactions) have committed through this handle's writer.
    pub fn batches_committed(&self) -> u64 {
        self.inner.writer.batches_committed()
    }

    // -- reads ------------------------------------------------------------------------------

    /// The merchant whose publishable key is `pk`: its current one, or a previous one whose
    /// grace lasts beyond `now` (on PostgreSQL, beyond the database's clock as well, so that an
    /// instance whose clock lags cannot stretch a grace), and that key.
    pub fn merchant_by_publishable_key(
        &self,
        pk: &str,
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError> {
        self.inner.reads.merchant_by_publishable_key(pk, now)
    }

    /// The merchant whose secret key hashes to `hash`, as for
    /// [`Store::merchant_by_publishable_key`].
    pub fn merchant_by_secret_hash(
        &self,
        hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError> {
        self.inner.reads.merchant_by_secret_hash(hash, now)
    }

    /// The merchant's keys accepted at `now`: its current publishable and secret key, and the
    /// previous ones still in their grace, current first, then the latest replaced first.
    pub fn merchant_keys(
        &self,
        merchant_id: &str,
        now: i64,
    ) -> Result<Vec<MerchantKeyRecord>, StoreError> {
        let mut keys = self.inner.reads.merchant_keys(merchant_id, now)?;
        keys.sort_by_key(|k| {
            (
                k.kind == MerchantKeyKind::Secret,
                k.retired_at.is_some(),
                std::cmp::Reverse(k.retired_at),
            )
        });
        Ok(keys)
    }

    /// The merchant `id`.
    pub fn merchant(&self, id: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.inner.reads.merchant(id)
    }

    /// Every merchant, oldest first (a scan).
    pub fn merchants(&self) -> Result<Vec<MerchantRecord>, StoreError> {
        self.inner.reads.merchants()
    }

    /// Every transport key, newest first.
    pub fn transport_keys(&self) -> Result<Vec<TransportKeyRecord>, StoreError> {
        self.inner.reads.transport_keys()
    }

    /// Every data key, by version.
    pub fn data_keys(&self) -> Result<Vec<DataKeyRecord>, StoreError> {
        self.inner.reads.data_keys()
    }

    /// The master key a rotation under way moves to, if one is.
    pub fn next_master_key(&self) -> Result<Option<NextMasterKey>, StoreError> {
        self.inner.reads.next_master_key()
    }

    /// Per data key (every one, in version order), how many tokens it seals.
    pub fn data_key_usage(&self) -> Result<Vec<DataKeyUsage>, StoreError> {
        self.inner.reads.data_key_usage()
    }

    /// Up to `limit` cards sealed under a data key older than `below` that hold no CVC, with
    /// tokens after `after` in token order (a resumable walk: pass the last token seen).
    pub fn sealed_cards_below(
        &self,
        below: u32,
        after: &str,
        limit: u32,
    ) -> Result<Vec<SealedCard>, StoreError> {
        self.inner.reads.sealed_cards_below(below, after, limit)
    }

    /// Every key the master key wraps: the audit seal key, the data keys, the transport keys
    /// and the merchants' fingerprint keys.
    pub fn wrapped_keys(&self) -> Result<Vec<WrappedKey>, StoreError> {
        let mut keys = Vec::new();
        if let Some(seal) = self.audit_seal()? {
            keys.push(WrappedKey {
                id: WrappedKeyId::AuditSeal,
                wrapped: seal.key,
            });
        }
        keys.extend(self.data_keys()?.into_iter().map(|k| WrappedKey {
            id: WrappedKeyId::Data(k.version),
            wrapped: k.key,
        }));
        keys.extend(self.transport_keys()?.into_iter().map(|k| WrappedKey {
            id: WrappedKeyId::Transport(k.kid),
            wrapped: k.private_key,
        }));
        keys.extend(self.merchants()?.into_iter().map(|m| WrappedKey {
            id: WrappedKeyId::Fingerprint(m.id),
            wrapped: m.fingerprint_key,
        }));
        Ok(keys)
    }

    /// The token, only if `merchant_id` owns it. Also returns a token whose `expires_at` has
    /// passed but that no sweep has destroyed yet: check [`TokenRecord::is_expired`].
    pub fn token(&self, merchant_id: &str, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.inner.reads.token(merchant_id, token)
    }

    /// Whether `jti` was seen and is still remembered at `now`. The vault does not read this
    /// before storing a token (the writer refuses a replay in the insert itself); it scans the
    /// table, and is here for tests and tools.
    pub fn jti_seen(&self, jti: &str, now: i64) -> Result<bool, StoreError> {
        self.inner.reads.jti_seen(jti, now)
    }

    /// A merchant's receivers, by name.
    pub fn receivers(&self, merchant_id: &str) -> Result<Vec<ReceiverRecord>, StoreError> {
        self.inner.reads.receivers(merchant_id)
    }

    /// A merchant's receiver `name`.
    pub fn receiver(
        &self,
        merchant_id: &str,
        name: &str,
    ) -> Result<Option<ReceiverRecord>, StoreError> {
        self.inner.reads.receiver(merchant_id, name)
    }

    /// The audit seal: the wrapped key and the head last sealed, if the database has a key.
    pub fn audit_seal(&self) -> Result<Option<AuditSealRecord>, StoreError> {
        self.inner.reads.audit_seal()
    }

    /// The whole audit log in `seq` order (a scan; for tests and tools).
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = Vec::new();
        let mut malformed = None;
        self.inner.reads.scan_audit(&mut |row| match row {
            Ok(entry) => {
                entries.push(entry);
                ControlFlow::Continue(())
            }
            Err(bad) => {
                malformed = Some(bad.seq);
                ControlFlow::Break(())
            }
        })?;
        if let Some(seq) = malformed {
            tracing::error!(seq, "store: malformed audit entry");
            return Err(StoreError::Database);
        }
        Ok(entries)
    }

    pub(crate) fn scan_audit(
        &self,
        visit: &mut dyn FnMut(Result<AuditEntry, MalformedEntry>) -> ControlFlow<()>,
    ) -> Result<AuditSnapshot, StoreError> {
        self.inner.reads.scan_audit(visit)
    }

    // -- async writes (the server) ----------------------------------------------------------

    /// Stores a new token, atomically with its `jti` (remembered until `jti_expires_at`) and its
    /// audit entry. [`StoreError::Replayed`] if the jti is known (even if past its expiry but not
    /// yet swept): then only the audit entry is written, with the outcome `replayed_envelope` and
    /// no token (none was made), in the same write.
    /// [`StoreError::Conflict`] if the token exists. A CVC needs a `cvc_expires_at`.
    pub async fn insert_token(
        &self,
        record: TokenRecord,
        jti: String,
        jti_expires_at: i64,
        audit: AuditEvent,
    ) -> Result<(), StoreError> {
        let unlimited = EnumerationLimit {
            limit: 0,
            window_secs: 1,
        };
        self.insert_token_limited(record, jti, jti_expires_at, audit, unlimited)
            .await
    }

    /// [`Store::insert_token`], refused with [`StoreError::CardEnumeration`] when the merchant
    /// has already tokenized `limit.limit` other numbers with this record's BIN and last four
    /// within `limit.window_secs` (before `record.created_at`). Then nothing of the request is
    /// stored (not its jti either) and `audit` is appended as the refusal (outcome
    /// `card_enumeration`, no token), in the same transaction. A number seen in the window
    /// (same fingerprint) is always accepted. Known numbers are kept from their first time in
    /// the window until it ends, in the `card_enumeration` table (so a restart forgets none)
    /// and in the writer's memory.
    pub async fn insert_token_limited(
        &self,
        record: TokenRecord,
        jti: String,
        jti_expires_at: i64,
        audit: AuditEvent,
        limit: EnumerationLimit,
    ) -> Result<(), StoreError> {
        let op = WriteOp::InsertToken {
            record,
            jti,
            jti_expires_at,
            audit,
            enumeration: (limit.limit > 0).then_some(limit),
        };
        self.inner.writer.submit(op).await?.done()
    }

    /// Destroys the token's row if `merchant_id` owns it; `false` if there is none. `audit` is
    /// appended either way; when nothing was deleted an outcome of `ok` becomes `not_found` and
    /// the token is left out (the log names only tokens that exist: a token-shaped id can still
    /// hold 32 digits of the caller's choosing).
    pub async fn delete_token(
        &self,
        merchant_id: &str,
        token: &str,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        let op = WriteOp::DeleteToken {
            merchant_id: merchant_id.to_owned(),
            token: token.to_owned(),
            audit,
        };
        self.inner.writer.submit(op).await?.deleted()
    }

    /// The encrypted CVC, if present and unexpired at `now`; it is destroyed in the same
    /// transaction (usable once). Not audited here: the caller audits the forward.
    pub async fn take_cvc(
        &self,
        merchant_id: &str,
        token: &str,
        now: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let op = WriteOp::TakeCvc {
            merchant_id: merchant_id.to_owned(),
            token: token.to_owned(),
            now,
            audit: None,
        };
        self.inner.writer.submit(op).await?.cvc()
    }

    /// [`Store::take_cvc`], with `audit` (a forward about to send the card) appended in the same
    /// transaction: no card leaves the vault unless the log already says it is leaving, and a
    /// store that cannot write the entry stops the forward before anything is sent.
    pub async fn begin_forward(
        &self,
        merchant_id: &str,
        token: &str,
        now: i64,
        audit: AuditEvent,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let op = WriteOp::TakeCvc {
            merchant_id: merchant_id.to_owned(),
            token: token.to_owned(),
            now,
            audit: Some(audit),
        };
        self.inner.writer.submit(op).await?.cvc()
    }

    /// Appends audit entries, in order, in one write.
    pub async fn append_audits(&self, events: Vec<AuditEvent>) -> Result<(), StoreError> {
        self.inner
            .writer
            .submit(WriteOp::AppendAudit { events })
            .await?
            .done()
    }

    /// Appends one audit entry.
    pub async fn append_audit(&self, event: AuditEvent) -> Result<(), StoreError> {
        self.inner
            .writer
            .submit(WriteOp::AppendAudit {
                events: vec![event],
            })
            .await?
            .done()
    }

    /// Destroys tokens with `expires_at <= now` (one `expiry_sweep` audit entry per token, naming
    /// it and its merchant), destroys CVCs with `cvc_expires_at <= now` (one `expiry_sweep` entry
    /// per sweep, with the count, when any), forgets jtis past their expiry, and deletes previous
    /// merchant keys whose grace is over (one `merchant_key_retire` entry each). Each kind is capped
    /// at [`SWEEP_LIMIT`] per call; [`SweepReport::more`] says when to call again.
    pub async fn sweep(&self, now: i64) -> Result<SweepReport, StoreError> {
        let op = WriteOp::Sweep {
            now,
            limit: SWEEP_LIMIT,
        };
        self.inner.writer.submit(op).await?.swept()
    }

    // -- blocking writes (the CLI, start-up) ------------------------------------------------

    /// Stores a merchant and its audit entry. [`StoreError::Conflict`] if the id, the
    /// publishable key or the secret key hash is taken. Blocking.
    pub fn insert_merchant(&self, m: MerchantRecord, audit: AuditEvent) -> Result<(), StoreError> {
        let op = WriteOp::InsertMerchant { merchant: m, audit };
        self.inner.writer.submit_blocking(op)?.done()
    }

    /// Rolls the merchant's key of `kind`: `key` (the publishable key's text, or the secret
    /// key's SHA-256) becomes its current key at `now`, and the key it replaces is accepted until
    /// `usable_until` (not at all if that is not after `now`); an earlier key still in its grace
    /// is cut to the same end, never beyond. Audited: `audit` (who rolled) as `merchant_key_roll`
    /// naming both keys by id, and a `merchant_key_retire` entry for each key refused from now
    /// on; a key whose grace ends later is retired by the sweep that deletes it. Answers the key
    /// replaced, or `None` when there is no such merchant (nothing written).
    /// [`StoreError::Conflict`] if `key` is taken. Blocking.
    pub fn roll_merchant_key(
        &self,
        merchant_id: &str,
        kind: MerchantKeyKind,
        key: Vec<u8>,
        now: i64,
        usable_until: i64,
        audit: AuditEvent,
    ) -> Result<Option<MerchantKeyRecord>, StoreError> {
        let op = WriteOp::RollMerchantKey {
            merchant_id: merchant_id.to_owned(),
            kind,
            key,
            now,
            usable_until,
            audit,
        };
        self.inner.writer.submit_blocking(op)?.rolled()
    }

    /// Stores a new transport key. With `retire_others_at = Some((retired_at, usable_until))`,
    /// every active key is retired first, in the same transaction. Blocking.
    pub fn insert_transport_key(
        &self,
        k: TransportKeyRecord,
        retire_others_at: Option<(i64, i64)>,
        audit: AuditEvent,
    ) -> Result<(), StoreError> {
        let op = WriteOp::InsertTransportKey {
            key: k,
            retire_others_at,
            audit,
        };
        self.inner.writer.submit_blocking(op)?.done()
    }

    /// Stores a data key (and its audit entry, if any). Blocking.
    pub fn insert_data_key(
        &self,
        k: DataKeyRecord,
        audit: Option<AuditEvent>,
    ) -> Result<(), StoreError> {
        let op = WriteOp::InsertDataKey { key: k, audit };
        self.inner.writer.submit_blocking(op)?.done()
    }

    /// Stores this database's audit seal key, wrapped by the master key. [`StoreError::Conflict`]
    /// if it has one already. Blocking.
    pub fn insert_audit_seal_key(&self, wrapped: Vec<u8>) -> Result<(), StoreError> {
        let op = WriteOp::InsertAuditSealKey { key: wrapped };
        self.inner.writer.submit_blocking(op)?.done()
    }

    /// Stores a receiver. [`StoreError::Conflict`] if the merchant has one by that name. Blocking.
    pub fn insert_receiver(&self, r: ReceiverRecord, audit: AuditEvent) -> Result<(), StoreError> {
        let op = WriteOp::InsertReceiver { receiver: r, audit };
        self.inner.writer.submit_blocking(op)?.done()
    }

    /// Removes a receiver; `false` if there was none (audited either way, as for
    /// [`Store::delete_token`]). Blocking.
    pub fn remove_receiver(
        &self,
        merchant_id: &str,
        name: &str,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        let op = WriteOp::RemoveReceiver {
            merchant_id: merchant_id.to_owned(),
            name: name.to_owned(),
            audit,
        };
        self.inner.writer.submit_blocking(op)?.deleted()
    }

    /// Replaces a wrapped key's blob if it still is `old`; `false` if it was not (changed
    /// meanwhile, or gone). Blocking.
    pub fn replace_wrapped_key(
        &self,
        id: WrappedKeyId,
        old: Vec<u8>,
        new: Vec<u8>,
    ) -> Result<bool, StoreError> {
        let op = WriteOp::ReplaceWrappedKey { id, old, new };
        self.inner.writer.submit_blocking(op)?.changed()
    }

    /// Stores re-encrypted cards (each with its new ciphertext under `to_version`): a row is
    /// changed only if it is still sealed under the version it was read with and holds no CVC.
    /// Answers how many were. Blocking.
    pub fn reseal_cards(
        &self,
        cards: Vec<(SealedCard, Vec<u8>)>,
        to_version: u32,
    ) -> Result<u64, StoreError> {
        let op = WriteOp::ResealCards { cards, to_version };
        self.inner.writer.submit_blocking(op)?.count()
    }

    /// Destroys the data key `version` if no token uses it and a newer one exists (appending
    /// `audit` then); `false` if it did not. Blocking.
    pub fn destroy_data_key(&self, version: u32, audit: AuditEvent) -> Result<bool, StoreError> {
        let op = WriteOp::DestroyDataKey { version, audit };
        self.inner.writer.submit_blocking(op)?.changed()
    }

    /// Records the master key a rotation moves to, or with `None` forgets it. Blocking.
    pub fn set_next_master_key(&self, next: Option<NextMasterKey>) -> Result<(), StoreError> {
        let op = WriteOp::SetNextMasterKey { next };
        self.inner.writer.submit_blocking(op)?.done()
    }

    /// Stores the cards of an import for `merchant_id` (every card's record must be the
    /// merchant's), and `audit` after them, in one transaction: an id the merchant imported
    /// before stores nothing and answers its token ([`ImportOutcome::Known`]), so a file
    /// imported again, or after a kill, makes no card twice. The token rows are what a
    /// tokenization stores (no jti: no envelope was sent; not counted by the card-enumeration
    /// bound, which is about guesses through the API). Blocking.
    pub fn import_cards(
        &self,
        merchant_id: &str,
        cards: Vec<ImportedCard>,
        audit: Vec<AuditEvent>,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        if cards.iter().any(|c| c.record.merchant_id != merchant_id) {
            tracing::error!("store: an imported card of another merchant");
            return Err(StoreError::Database);
        }
        // An id twice in one batch would be new to both backends' first look and known to one
        // of them only after the first row is in: the caller refuses repeats before.
        let mut ids = std::collections::HashSet::with_capacity(cards.len());
        if !cards.iter().all(|c| ids.insert(c.import_id.as_str())) {
            tracing::error!("store: an id twice in one batch of an import");
            return Err(StoreError::Database);
        }
        let op = WriteOp::ImportCards {
            merchant_id: merchant_id.to_owned(),
            cards,
            audit,
        };
        self.inner.writer.submit_blocking(op)?.imported()
    }

    /// Appends one audit entry. Blocking.
    pub fn append_audit_blocking(&self, event: AuditEvent) -> Result<(), StoreError> {
        self.inner
            .writer
            .submit_blocking(WriteOp::AppendAudit {
                events: vec![event],
            })?
            .done()
    }
}
