//! The SQLite backend: file set-up, schema and migrations, the read pool and the batch writer.

use std::collections::{HashMap, HashSet};
use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io::ErrorKind;
use std::ops::ControlFlow;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, ffi, params};

use super::audit::{GENESIS, entry_hash};
use super::rules::{
    self, Admission, CardSeen, Seal, SealStart, enumeration_refusal, not_found_unless,
};
use super::{
    AuditEntry, AuditEvent, AuditSealRecord, AuditSnapshot, DataKeyRecord, DataKeyUsage,
    EnumerationLimit, FoundMerchant, ImportOutcome, MalformedEntry, MerchantKeyKind,
    MerchantKeyRecord, MerchantRecord, NextMasterKey, ReadBackend, ReceiverRecord, SealedCard,
    SealedHead, StoreError, SweepReport, TokenRecord, TransportKeyRecord, WrappedKeyId,
    WriteBackend, WriteOp, WriteOutcome,
};
use crate::keys::AuditSealKey;

/// The database file in the data dir.
pub(crate) const DB_FILE: &str = "cardvault.db";

/// How long a statement waits for another connection's (or process's) lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 8;

/// The schema, one migration per version: `MIGRATIONS[n]` takes `user_version` n to n + 1.
/// Never edit a released migration; append one.
pub(super) const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    r"
CREATE TABLE merchants (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    publishable_key TEXT NOT NULL UNIQUE,
    secret_key_hash BLOB NOT NULL UNIQUE CHECK (length(secret_key_hash) = 32),
    origins         TEXT NOT NULL,      -- JSON array of strings
    fingerprint_key BLOB NOT NULL,      -- wrapped
    token_ttl_secs  INTEGER,
    require_cvc     INTEGER NOT NULL CHECK (require_cvc IN (0, 1)),
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE transport_keys (
    kid          TEXT PRIMARY KEY NOT NULL,
    private_key  BLOB NOT NULL,         -- wrapped PKCS#8
    bits         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    retired_at   INTEGER,               -- NULL: active
    usable_until INTEGER
) STRICT;

CREATE TABLE data_keys (
    version    INTEGER PRIMARY KEY NOT NULL,
    key        BLOB NOT NULL,           -- wrapped
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    token            TEXT PRIMARY KEY NOT NULL,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    card             BLOB NOT NULL,     -- encrypted
    cvc              BLOB,              -- encrypted; NULL once used or expired
    cvc_expires_at   INTEGER,
    data_key_version INTEGER NOT NULL REFERENCES data_keys (version),
    brand            TEXT NOT NULL,
    last4            TEXT NOT NULL,
    bin              TEXT NOT NULL,
    exp_month        INTEGER NOT NULL,
    exp_year         INTEGER NOT NULL,
    fingerprint      TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER,
    CHECK (cvc IS NULL OR cvc_expires_at IS NOT NULL)
) STRICT;
CREATE INDEX tokens_by_expiry ON tokens (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX tokens_by_cvc_expiry ON tokens (cvc_expires_at) WHERE cvc IS NOT NULL;

CREATE TABLE jtis (
    jti        TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX jtis_by_expiry ON jtis (expires_at);

CREATE TABLE receivers (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, name)
) STRICT;

CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at          INTEGER NOT NULL,
    request_id  TEXT,
    merchant_id TEXT,
    key_kind    TEXT,
    client      TEXT,
    action      TEXT NOT NULL,
    token       TEXT,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
) STRICT;
-- Append-only for this program; the hash chain is what shows tampering by anyone else.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
",
    // 1 -> 2: the audit seal (keys/audit.rs). One row, once the vault has made the key.
    r"
CREATE TABLE audit_seal (
    id    INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    key   BLOB NOT NULL,    -- the audit seal key, wrapped by the master key
    since INTEGER,          -- the head's seq when sealing began; NULL until the first seal
    seq   INTEGER,          -- the sealed head
    hash  BLOB CHECK (hash IS NULL OR length(hash) = 32),
    mac   BLOB,
    CHECK ((since IS NULL) = (seq IS NULL) AND (seq IS NULL) = (hash IS NULL)
           AND (hash IS NULL) = (mac IS NULL))
) STRICT;
",
    // 2 -> 3: the replay memory appended in arrival order. A jti is random, so a unique key on it
    // (and the expiry index, whose entries share one expiry per second) took a random leaf page
    // per tokenization, most of what a commit wrote. Uniqueness is now kept by the writer in
    // memory (`ReplayMemory`), loaded from this table, which only records and ages the jtis.
    r"
CREATE TABLE jtis_v3 (
    expires_at INTEGER NOT NULL,
    jti        TEXT NOT NULL
) STRICT;
INSERT INTO jtis_v3 (expires_at, jti) SELECT expires_at, jti FROM jtis ORDER BY expires_at;
DROP TABLE jtis;
ALTER TABLE jtis_v3 RENAME TO jtis;
CREATE INDEX jtis_by_expiry ON jtis (expires_at);
",
    // 3 -> 4: the card-enumeration memory (`CardMemory`): per (merchant, BIN, last four), the
    // distinct numbers tokenized in the window and the ones refused, until the window ends.
    // Hashed to 16 bytes each (as the writer holds them); appended in arrival order, aged by the
    // sweep, like `jtis`.
    r"
CREATE TABLE card_enumeration (
    expires_at INTEGER NOT NULL,
    card_key   BLOB NOT NULL CHECK (length(card_key) = 16),   -- merchant, BIN, last four
    number     BLOB NOT NULL CHECK (length(number) = 16),     -- the fingerprint
    refused    INTEGER NOT NULL CHECK (refused IN (0, 1))
) STRICT;
CREATE INDEX card_enumeration_by_expiry ON card_enumeration (expires_at);
",
    // 4 -> 5: rolled merchant keys (`merchant roll-secret | roll-publishable`): since when each
    // current key is the merchant's (NULL: since the merchant's creation), and the keys a roll
    // replaced, accepted until `usable_until`, then deleted by the sweep that retires them.
    r"
ALTER TABLE merchants ADD COLUMN publishable_key_since INTEGER;
ALTER TABLE merchants ADD COLUMN secret_key_since INTEGER;
CREATE TABLE previous_merchant_keys (
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    kind         TEXT NOT NULL CHECK (kind IN ('publishable', 'secret')),
    key          BLOB NOT NULL,     -- the publishable key's text, or the secret key's SHA-256
    created_at   INTEGER NOT NULL,
    retired_at   INTEGER NOT NULL,
    usable_until INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT;
CREATE INDEX previous_merchant_keys_by_merchant ON previous_merchant_keys (merchant_id, kind);
CREATE INDEX previous_merchant_keys_by_expiry ON previous_merchant_keys (usable_until);
",
    // 5 -> 6: the master key a rotation under way moves to (`master-key rotate`), for serving
    // vaults to follow; one row at most, deleted when the rotation ends.
    r"
CREATE TABLE master_key_next (
    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    key_id  TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('software', 'pkcs11')),
    module  TEXT,           -- a key in an HSM: where
    token   TEXT,
    label   TEXT,
    auth    BLOB NOT NULL,  -- the fields, sealed by the master key being replaced
    CHECK ((kind = 'pkcs11') = (module IS NOT NULL) AND (module IS NULL) = (token IS NULL)
           AND (token IS NULL) = (label IS NULL))
) STRICT;
",
    // 6 -> 7: imported cards (`cardvault import`): each source id a merchant imported, and the
    // token it became, so that importing a file again (or after a kill) makes no card twice.
    // No card data: the token row holds the card.
    r"
CREATE TABLE imports (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    import_id   TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, import_id)
) STRICT, WITHOUT ROWID;
",
];

/// Every trigger the schema has, by name, with its SQL as SQLite keeps it: the audit log's
/// append-only guards. Verification wants exactly these (`audit verify`, `serve` at start-up):
/// one dropped lets rows be changed or deleted, and one added could rewrite what is appended.
const TRIGGERS: &[(&str, &str)] = &[
    (
        "audit_no_delete",
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    (
        "audit_no_update",
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
];

// ---------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------

/// Prepares the data dir and the database file, migrates the schema and returns both halves,
/// and the schema version the file had.
pub(crate) fn open(
    data_dir: &Path,
    seal: Arc<OnceLock<AuditSealKey>>,
) -> Result<(SqliteReads, SqliteWrites, i64), StoreError> {
    prepare_files(data_dir)?;
    let path = data_dir.join(DB_FILE);
    let conn = connect(&path, false).map_err(|e| db_error("open", &e))?;
    // WAL is a property of the file; setting it needs no transaction.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(|e| db_error("open: journal_mode", &e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::error!(mode = %mode, "store: the database refused WAL mode");
        return Err(StoreError::Database);
    }
    let found = migrate(&conn)?;
    // SQLite gives the -wal and -shm files the database file's mode; tighten any left from before.
    for suffix in ["-wal", "-shm"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        restrict(Path::new(&side), 0o600, false)?;
    }
    Ok((
        SqliteReads {
            path,
            idle: Mutex::new(Vec::new()),
        },
        SqliteWrites {
            conn,
            replays: None,
            cards: None,
            destroyed: false,
            seal,
            seal_refused: false,
        },
        found,
    ))
}

fn prepare_files(data_dir: &Path) -> Result<(), StoreError> {
    create_data_dir(data_dir)?;
    let path = data_dir.join(DB_FILE);
    // Create the file ourselves so that it never exists with a wider mode.
    if let Err(e) = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
    {
        tracing::error!(error = %e, file = %path.display(), "store: cannot create the database file");
        return Err(StoreError::Database);
    }
    restrict(&path, 0o600, true)
}

/// Creates the data dir private to the vault's user (0700) if it is missing; warns when an
/// existing one is open to others.
pub(crate) fn create_data_dir(data_dir: &Path) -> Result<(), StoreError> {
    match DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
    {
        Ok(()) => {}
        Err(e) => {
            tracing::error!(error = %e, dir = %data_dir.display(), "store: cannot create the data dir");
            return Err(StoreError::Database);
        }
    }
    if let Ok(meta) = fs::metadata(data_dir)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(dir = %data_dir.display(), "store: the data dir is accessible to other users (want 0700)");
    }
    Ok(())
}

/// Sets `path`'s mode; a missing file is an error only when `required`.
fn restrict(path: &Path, mode: u32, required: bool) -> Result<(), StoreError> {
    match fs::set_permissions(path, Permissions::from_mode(mode)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound && !required => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, file = %path.display(), "store: cannot set file permissions");
            Err(StoreError::Database)
        }
    }
}

/// A connection with this module's settings. Reader connections are query-only.
fn connect(path: &Path, reader: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "secure_delete", true)?;
    conn.pragma_update(None, "trusted_schema", false)?;
    // 64 MiB of page cache (the default is 2 MiB): a page that has to be read back from the file
    // costs a system call, and the sweep and the audit walk whole tables.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // Checkpoint every 8192 pages (32 MiB) of WAL, not every 1000: each checkpoint copies the
    // pages back and syncs the database, and a page changed by many commits is copied once.
    // After a checkpoint the WAL is overwritten in place, not truncated (up to 64 MiB kept), so
    // a commit neither allocates blocks nor changes the file's size. Destroyed rows' old page
    // images still leave the WAL: the sweep truncates it after anything was destroyed.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    if reader {
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(conn)
}

/// Migrates to the newest schema; answers the version found.
fn migrate(conn: &Connection) -> Result<i64, StoreError> {
    let err = |e: rusqlite::Error| db_error("migrate", &e);
    // IMMEDIATE: two processes opening a fresh data dir at once migrate one after the other.
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    let result = (|| {
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(err)?;
        let start = usize::try_from(version).unwrap_or(usize::MAX);
        if start > MIGRATIONS.len() {
            tracing::error!(
                found = version,
                supported = MIGRATIONS.len(),
                "store: the database was written by a newer cardvault"
            );
            return Err(StoreError::Database);
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            let next = i64::try_from(index + 1).map_err(|_| StoreError::Database)?;
            conn.execute_batch(sql).map_err(err)?;
            conn.pragma_update(None, "user_version", next)
                .map_err(err)?;
            tracing::info!(version = next, "store: schema migrated");
        }
        Ok(version)
    })();
    match result {
        Ok(version) => conn.execute_batch("COMMIT").map_err(err).map(|()| version),
        Err(e) => {
            rollback(conn);
            Err(e)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Logs a database failure (the error names tables and columns, never parameter values).
fn db_error(op: &'static str, e: &rusqlite::Error) -> StoreError {
    tracing::error!(op, error = %e, "store: database error");
    StoreError::Database
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error().is_some_and(|err| {
        err.code == ErrorCode::ConstraintViolation
            && (err.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
                || err.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    })
}

/// A unique violation is a [`StoreError::Conflict`]; anything else is logged.
fn classify(op: &'static str, e: &rusqlite::Error) -> StoreError {
    if is_unique_violation(e) {
        tracing::debug!(op, error = %e, "store: conflict");
        StoreError::Conflict
    } else {
        db_error(op, e)
    }
}

fn rollback(conn: &Connection) {
    if !conn.is_autocommit()
        && let Err(e) = conn.execute_batch("ROLLBACK")
    {
        tracing::error!(error = %e, "store: rollback failed");
    }
}

fn conversion(
    column: usize,
    ty: Type,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, ty, Box::new(e))
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

macro_rules! merchant_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, publishable_key, secret_key_hash, origins, fingerprint_key, ",
            "token_ttl_secs, require_cvc, created_at FROM merchants ",
            $rest
        )
    };
}

fn merchant_from_row(row: &Row<'_>) -> rusqlite::Result<MerchantRecord> {
    let origins: String = row.get(4)?;
    let origins: Vec<String> =
        serde_json::from_str(&origins).map_err(|e| conversion(4, Type::Text, e))?;
    Ok(MerchantRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        publishable_key: row.get(2)?,
        secret_key_hash: row.get(3)?,
        origins,
        fingerprint_key: row.get(5)?,
        token_ttl_secs: row.get(6)?,
        require_cvc: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// A merchant (`m`) and one of its keys: the current one of `$kind` (its column `$key`, made at
/// `$since`, or at the merchant's creation), or a previous one (`p`) still accepted at `?3`,
/// found by `?1` (the current key's type) or `?2` (the stored BLOB).
macro_rules! merchant_by_key {
    ($kind:literal, $key:literal, $since:literal) => {
        concat!(
            "SELECT m.id, m.name, m.publishable_key, m.secret_key_hash, m.origins, ",
            "m.fingerprint_key, m.token_ttl_secs, m.require_cvc, m.created_at, ",
            "CAST(m.",
            $key,
            " AS BLOB), COALESCE(m.",
            $since,
            ", m.created_at), NULL, NULL ",
            "FROM merchants m WHERE m.",
            $key,
            " = ?1 ",
            "UNION ALL ",
            "SELECT m.id, m.name, m.publishable_key, m.secret_key_hash, m.origins, ",
            "m.fingerprint_key, m.token_ttl_secs, m.require_cvc, m.created_at, ",
            "p.key, p.created_at, p.retired_at, p.usable_until ",
            "FROM previous_merchant_keys p JOIN merchants m ON m.id = p.merchant_id ",
            "WHERE p.kind = '",
            $kind,
            "' AND p.key = ?2 AND p.usable_until > ?3 ",
            "LIMIT 1"
        )
    };
}

fn found_from_row(row: &Row<'_>, kind: MerchantKeyKind) -> rusqlite::Result<FoundMerchant> {
    let merchant = merchant_from_row(row)?;
    let key = MerchantKeyRecord {
        merchant_id: merchant.id.clone(),
        kind,
        key: row.get(9)?,
        created_at: row.get(10)?,
        retired_at: row.get(11)?,
        usable_until: row.get(12)?,
    };
    Ok(FoundMerchant { merchant, key })
}

fn merchant_key_from_row(row: &Row<'_>) -> rusqlite::Result<MerchantKeyRecord> {
    let kind: String = row.get(1)?;
    let kind = MerchantKeyKind::from_name(&kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(1, Type::Text, "not a key kind".into())
    })?;
    Ok(MerchantKeyRecord {
        merchant_id: row.get(0)?,
        kind,
        key: row.get(2)?,
        created_at: row.get(3)?,
        retired_at: row.get(4)?,
        usable_until: row.get(5)?,
    })
}

const TRANSPORT_KEY_SELECT: &str =
    "SELECT kid, private_key, bits, created_at, retired_at, usable_until FROM transport_keys";

fn transport_key_from_row(row: &Row<'_>) -> rusqlite::Result<TransportKeyRecord> {
    Ok(TransportKeyRecord {
        kid: row.get(0)?,
        private_key: row.get(1)?,
        bits: row.get(2)?,
        created_at: row.get(3)?,
        retired_at: row.get(4)?,
        usable_until: row.get(5)?,
    })
}

const TOKEN_SELECT: &str = "SELECT token, merchant_id, card, cvc, cvc_expires_at, data_key_version, brand, last4, \
     bin, exp_month, exp_year, fingerprint, created_at, expires_at FROM tokens \
     WHERE token = ?1 AND merchant_id = ?2";

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        token: row.get(0)?,
        merchant_id: row.get(1)?,
        card: row.get(2)?,
        cvc: row.get(3)?,
        cvc_expires_at: row.get(4)?,
        data_key_version: row.get(5)?,
        brand: row.get(6)?,
        last4: row.get(7)?,
        bin: row.get(8)?,
        exp_month: row.get(9)?,
        exp_year: row.get(10)?,
        fingerprint: row.get(11)?,
        created_at: row.get(12)?,
        expires_at: row.get(13)?,
    })
}

fn receiver_from_row(row: &Row<'_>) -> rusqlite::Result<ReceiverRecord> {
    Ok(ReceiverRecord {
        merchant_id: row.get(0)?,
        name: row.get(1)?,
        url: row.get(2)?,
        created_at: row.get(3)?,
    })
}

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        event: AuditEvent {
            at: row.get(1)?,
            request_id: row.get(2)?,
            merchant_id: row.get(3)?,
            key_kind: row.get(4)?,
            client: row.get(5)?,
            action: row.get(6)?,
            token: row.get(7)?,
            outcome: row.get(8)?,
            detail: row.get(9)?,
        },
        prev_hash: row.get(10)?,
        hash: row.get(11)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

/// A pool of query-only connections, opened on demand.
pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteReads {
    fn with_conn<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let pooled = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => connect(&self.path, true).map_err(|e| db_error("open reader", &e))?,
        };
        let result = f(&conn).map_err(|e| db_error(op, &e));
        // A connection that failed is dropped rather than reused.
        if result.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
        result
    }

    fn one_merchant(
        &self,
        op: &'static str,
        sql: &str,
        key: &dyn rusqlite::ToSql,
    ) -> Result<Option<MerchantRecord>, StoreError> {
        self.with_conn(op, |conn| {
            conn.prepare_cached(sql)?
                .query_row([key], merchant_from_row)
                .optional()
        })
    }
}

impl ReadBackend for SqliteReads {
    fn merchant_by_publishable_key(
        &self,
        pk: &str,
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError> {
        self.with_conn("merchant_by_publishable_key", |conn| {
            conn.prepare_cached(merchant_by_key!(
                "publishable",
                "publishable_key",
                "publishable_key_since"
            ))?
            .query_row(params![pk, pk.as_bytes(), now], |row| {
                found_from_row(row, MerchantKeyKind::Publishable)
            })
            .optional()
        })
    }

    fn merchant_by_secret_hash(
        &self,
        hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError> {
        self.with_conn("merchant_by_secret_hash", |conn| {
            conn.prepare_cached(merchant_by_key!(
                "secret",
                "secret_key_hash",
                "secret_key_since"
            ))?
            .query_row(params![hash.as_slice(), hash.as_slice(), now], |row| {
                found_from_row(row, MerchantKeyKind::Secret)
            })
            .optional()
        })
    }

    fn merchant_keys(
        &self,
        merchant_id: &str,
        now: i64,
    ) -> Result<Vec<MerchantKeyRecord>, StoreError> {
        self.with_conn("merchant_keys", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, 'publishable', CAST(publishable_key AS BLOB), \
                 COALESCE(publishable_key_since, created_at), NULL, NULL FROM merchants WHERE id = ?1 \
                 UNION ALL \
                 SELECT id, 'secret', secret_key_hash, COALESCE(secret_key_since, created_at), NULL, NULL \
                 FROM merchants WHERE id = ?1 \
                 UNION ALL \
                 SELECT merchant_id, kind, key, created_at, retired_at, usable_until \
                 FROM previous_merchant_keys WHERE merchant_id = ?1 AND usable_until > ?2",
            )?;
            let rows = stmt.query_map(params![merchant_id, now], merchant_key_from_row)?;
            rows.collect()
        })
    }

    fn merchant(&self, id: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.one_merchant("merchant", merchant_select!("WHERE id = ?1"), &id)
    }

    fn merchants(&self) -> Result<Vec<MerchantRecord>, StoreError> {
        self.with_conn("merchants", |conn| {
            let mut stmt = conn.prepare_cached(merchant_select!("ORDER BY created_at, id"))?;
            let rows = stmt.query_map([], merchant_from_row)?;
            rows.collect()
        })
    }

    fn transport_keys(&self) -> Result<Vec<TransportKeyRecord>, StoreError> {
        self.with_conn("transport_keys", |conn| {
            let sql = format!("{TRANSPORT_KEY_SELECT} ORDER BY created_at DESC, rowid DESC");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([], transport_key_from_row)?;
            rows.collect()
        })
    }

    fn data_keys(&self) -> Result<Vec<DataKeyRecord>, StoreError> {
        self.with_conn("data_keys", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT version, key, created_at FROM data_keys ORDER BY version",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok(DataKeyRecord {
                    version: row.get(0)?,
                    key: row.get(1)?,
                    created_at: row.get(2)?,
                })
            })?;
            rows.collect()
        })
    }

    fn next_master_key(&self) -> Result<Option<NextMasterKey>, StoreError> {
        let found = self.with_conn("next_master_key", |conn| {
            conn.prepare_cached(
                "SELECT key_id, module, token, label, auth FROM master_key_next WHERE id = 1",
            )?
            .query_row([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })
            .optional()
        })?;
        found
            .map(|(key_id, module, token, label, auth)| {
                Ok(NextMasterKey {
                    key_id,
                    custody: rules::next_custody_from_columns(module, token, label)?,
                    auth,
                })
            })
            .transpose()
    }

    fn data_key_usage(&self) -> Result<Vec<DataKeyUsage>, StoreError> {
        self.with_conn("data_key_usage", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT d.version, count(t.token), count(t.cvc) FROM data_keys d \
                 LEFT JOIN tokens t ON t.data_key_version = d.version \
                 GROUP BY d.version ORDER BY d.version",
            )?;
            let rows = stmt.query_map([], |row| {
                let (tokens, with_cvc): (i64, i64) = (row.get(1)?, row.get(2)?);
                Ok(DataKeyUsage {
                    version: row.get(0)?,
                    tokens: tokens.unsigned_abs(),
                    with_cvc: with_cvc.unsigned_abs(),
                })
            })?;
            rows.collect()
        })
    }

    fn sealed_cards_below(
        &self,
        below: u32,
        after: &str,
        limit: u32,
    ) -> Result<Vec<SealedCard>, StoreError> {
        self.with_conn("sealed_cards_below", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT token, merchant_id, data_key_version, card FROM tokens \
                 WHERE data_key_version < ?1 AND cvc IS NULL AND token > ?2 \
                 ORDER BY token LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![below, after, limit], |row| {
                Ok(SealedCard {
                    token: row.get(0)?,
                    merchant_id: row.get(1)?,
                    data_key_version: row.get(2)?,
                    card: row.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    fn token(&self, merchant_id: &str, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.with_conn("token", |conn| {
            conn.prepare_cached(TOKEN_SELECT)?
                .query_row(params![token, merchant_id], token_from_row)
                .optional()
        })
    }

    /// Scans the table: for tests and tools, not a hot path.
    fn jti_seen(&self, jti: &str, now: i64) -> Result<bool, StoreError> {
        self.with_conn("jti_seen", |conn| {
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM jtis WHERE jti IN (?1, ?3) AND expires_at > ?2)",
            )?
            .query_row(params![ReplayMemory::stored(jti), now, jti], |row| {
                row.get(0)
            })
        })
    }

    fn receivers(&self, merchant_id: &str) -> Result<Vec<ReceiverRecord>, StoreError> {
        self.with_conn("receivers", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT merchant_id, name, url, created_at FROM receivers WHERE merchant_id = ?1 ORDER BY name",
            )?;
            let rows = stmt.query_map([merchant_id], receiver_from_row)?;
            rows.collect()
        })
    }

    fn receiver(
        &self,
        merchant_id: &str,
        name: &str,
    ) -> Result<Option<ReceiverRecord>, StoreError> {
        self.with_conn("receiver", |conn| {
            conn.prepare_cached(
                "SELECT merchant_id, name, url, created_at FROM receivers WHERE merchant_id = ?1 AND name = ?2",
            )?
            .query_row([merchant_id, name], receiver_from_row)
            .optional()
        })
    }

    fn audit_seal(&self) -> Result<Option<AuditSealRecord>, StoreError> {
        self.with_conn("audit_seal", read_audit_seal)
    }

    fn scan_audit(
        &self,
        visit: &mut dyn FnMut(Result<AuditEntry, MalformedEntry>) -> ControlFlow<()>,
    ) -> Result<AuditSnapshot, StoreError> {
        self.with_conn("scan_audit", |conn| {
            // One read transaction: the seal, the schema and the log as they were at one
            // moment, even while the writer appends.
            let snapshot = conn.unchecked_transaction()?;
            let seal = read_audit_seal(conn)?;
            let triggers_intact = triggers_intact(conn)?;
            let holds_audited_records = holds(conn, AUDITED_TABLES)?;
            let holds_data_keys = holds(conn, &["data_keys"])?;
            let mut stmt = conn.prepare(
                "SELECT seq, at, request_id, merchant_id, key_kind, client, action, token, outcome, detail, \
                 prev_hash, hash FROM audit ORDER BY seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let item = match audit_from_row(row) {
                    Ok(entry) => Ok(entry),
                    Err(_) => Err(MalformedEntry { seq: row.get(0)? }),
                };
                if visit(item).is_break() {
                    break;
                }
            }
            drop(rows);
            drop(stmt);
            snapshot.finish()?;
            Ok(AuditSnapshot {
                seal,
                triggers_intact,
                holds_audited_records,
                holds_data_keys,
            })
        })
    }

    fn holds_records(&self) -> Result<bool, StoreError> {
        self.with_conn("holds_records", |conn| {
            Ok(holds(conn, AUDITED_TABLES)? || holds(conn, &["data_keys", "audit"])?)
        })
    }

    fn ping(&self) -> Result<(), StoreError> {
        let version: i64 = self.with_conn("ping", |conn| {
            conn.pragma_query_value(None, "user_version", |row| row.get(0))
        })?;
        if usize::try_from(version).ok() == Some(MIGRATIONS.len()) {
            Ok(())
        } else {
            tracing::error!(
                found = version,
                supported = MIGRATIONS.len(),
                "store: the schema is not this binary's"
            );
            Err(StoreError::Database)
        }
    }
}

/// The tables whose rows are made with an audit entry each (in the same transaction).
const AUDITED_TABLES: &[&str] = &["merchants", "transport_keys", "tokens", "receivers"];

/// Whether any of `tables` has a row.
fn holds(conn: &Connection, tables: &[&str]) -> rusqlite::Result<bool> {
    for table in tables {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
        if conn.prepare_cached(&sql)?.query_row([], |row| row.get(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the database's triggers are exactly [`TRIGGERS`].
fn triggers_intact(conn: &Connection) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    )?;
    let found: Vec<(String, Option<String>)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found.len() == TRIGGERS.len()
        && found
            .iter()
            .zip(TRIGGERS)
            .all(|((name, sql), (want_name, want_sql))| {
                name == want_name && sql.as_deref() == Some(*want_sql)
            }))
}

/// The audit seal row, if there is one. A sealed head that does not decode (a hash that is not
/// 32 bytes) reads as no sealed head, which verification reports.
fn read_audit_seal(conn: &Connection) -> rusqlite::Result<Option<AuditSealRecord>> {
    conn.prepare_cached("SELECT key, since, seq, hash, mac FROM audit_seal WHERE id = 1")?
        .query_row([], |row| {
            let since: Option<i64> = row.get(1)?;
            let seq: Option<i64> = row.get(2)?;
            let hash: Option<Vec<u8>> = row.get(3)?;
            let mac: Option<Vec<u8>> = row.get(4)?;
            let sealed = match (since, seq, hash, mac) {
                (Some(since), Some(seq), Some(hash), Some(mac)) => {
                    <[u8; 32]>::try_from(hash.as_slice())
                        .ok()
                        .map(|hash| SealedHead {
                            since,
                            seq,
                            hash,
                            mac,
                        })
                }
                _ => None,
            };
            Ok(AuditSealRecord {
                key: row.get(0)?,
                sealed,
            })
        })
        .optional()
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

/// The writer thread's connection.
pub(crate) struct SqliteWrites {
    conn: Connection,
    /// The jtis in the `jtis` table, loaded at the first token this writer stores.
    replays: Option<ReplayMemory>,
    /// The `card_enumeration` table, loaded at the first token this writer stores.
    cards: Option<CardMemory>,
    /// Something was destroyed (token, CVC, receiver) since the WAL was last truncated.
    destroyed: bool,
    /// The audit seal key, once the store has it.
    seal: Arc<OnceLock<AuditSealKey>>,
    /// A batch found a head that was not the sealed one (logged once).
    seal_refused: bool,
}

/// Before a batch: whether it may move the seal forward (`rules::seal_start`); a refusal is
/// logged once per writer (`refused_before`).
fn seal_start(
    conn: &Connection,
    key: &AuditSealKey,
    begin: bool,
    refused_before: &mut bool,
) -> Result<Option<Seal>, StoreError> {
    let (seq, hash) = audit_head(conn)?;
    let row = read_audit_seal(conn).map_err(|e| db_error("audit_seal", &e))?;
    match rules::seal_start(seq, &hash, row.as_ref(), key, begin) {
        SealStart::Seal(seal) => Ok(Some(seal)),
        SealStart::Refused(reason) => {
            if !*refused_before {
                *refused_before = true;
                tracing::error!(
                    reason,
                    "store: not sealing the audit log (`cardvault audit verify` shows where it changed)"
                );
            }
            Ok(None)
        }
    }
}

/// Seals the audit log's current head, when it moved (or was never sealed).
fn seal_head(conn: &Connection, key: &AuditSealKey, seal: &Seal) -> Result<(), StoreError> {
    let (seq, hash) = audit_head(conn)?;
    if seq == 0 || seal.sealed == Some(seq) {
        return Ok(());
    }
    let mac = key.seal(seal.since, seq, &hash);
    conn.prepare_cached(
        "UPDATE audit_seal SET since = ?1, seq = ?2, hash = ?3, mac = ?4 WHERE id = 1",
    )
    .and_then(|mut stmt| stmt.execute(params![seal.since, seq, hash, mac]))
    .map_err(|e| db_error("seal_audit", &e))?;
    Ok(())
}

/// The replay memory: every jti in the `jtis` table (until the sweep deletes it), held by the
/// writer, which alone stores tokens, so that a replay is refused without a unique index on a
/// random key. One process stores tokens in a database (`serve` locks its data dir), so no jti
/// is added under it; another process may only delete rows (a sweep from the CLI), after which
/// the memory refuses more than the table holds until the vault restarts, never fewer. A jti is
/// kept as the first 16 bytes of its SHA-256: a fixed 16 bytes whatever the envelope's jti (up
/// to 86 characters), and two different jtis collide with a probability of 2^-128.
struct ReplayMemory {
    seen: HashSet<[u8; 16]>,
}

impl ReplayMemory {
    /// The jtis of the table, read inside the writer's transaction.
    fn load(conn: &Connection) -> rusqlite::Result<ReplayMemory> {
        let mut stmt = conn.prepare("SELECT jti FROM jtis")?;
        let mut rows = stmt.query([])?;
        let mut seen = HashSet::new();
        while let Some(row) = rows.next()? {
            seen.insert(Self::key_of_stored(row.get_ref(0)?.as_str()?));
        }
        Ok(ReplayMemory { seen })
    }

    fn key(jti: &str) -> [u8; 16] {
        rules::jti_key(jti)
    }

    fn stored(jti: &str) -> String {
        rules::stored_jti(jti)
    }

    /// The key of a row of the `jtis` table: its `h:` digest, or, in a row written before
    /// digests were stored, the jti itself.
    fn key_of_stored(stored: &str) -> [u8; 16] {
        let decoded = stored
            .strip_prefix("h:")
            .filter(|hex| hex.len() == 32)
            .and_then(|hex| {
                let mut key = [0u8; 16];
                for (i, byte) in key.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
                }
                Some(key)
            });
        decoded.unwrap_or_else(|| Self::key(stored))
    }
}

/// The card-enumeration memory: per (merchant, BIN, last four), the distinct numbers (by
/// fingerprint) the merchant tokenized within the window, and the new numbers it was refused,
/// each until the window after it ends. Held by the writer, which alone stores tokens, and kept
/// in the `card_enumeration` table (appended in arrival order, aged by the sweep), so that a
/// restart forgets nothing and no random index costs a page write per token. Both keys are the
/// first 16 bytes of a SHA-256, as in [`ReplayMemory`]: fixed-size, and two different numbers of
/// one merchant's BIN and last four collide with a probability of 2^-128 (a collision would
/// count them as one). At most twice the limit per (merchant, BIN, last four), about 50 bytes
/// each.
///
/// Refusals are remembered because a refusal is an answer too: once the distinct numbers are at
/// the limit, a number that is accepted is a known one, so free refusals would let anyone with
/// the publishable key try every candidate for a card tokenized in the window and learn which
/// one it is. After `limit` refusals in the window, that BIN and last four are closed to the
/// merchant, known numbers too, until refusals age out: at most `2 × limit` candidates per
/// window, whatever the answers.
struct CardMemory {
    seen: HashMap<[u8; 16], Vec<CardSeen>>,
}

impl CardMemory {
    /// The `card_enumeration` table, read inside the writer's transaction.
    fn load(conn: &Connection) -> rusqlite::Result<CardMemory> {
        let mut stmt =
            conn.prepare("SELECT card_key, number, expires_at, refused FROM card_enumeration")?;
        let mut rows = stmt.query([])?;
        let mut memory = CardMemory {
            seen: HashMap::new(),
        };
        while let Some(row) = rows.next()? {
            let seen = CardSeen {
                number: row.get(1)?,
                until: row.get(2)?,
                refused: row.get(3)?,
            };
            memory.remember(row.get(0)?, seen);
        }
        Ok(memory)
    }

    /// Whether `record`'s number may be tokenized at its `created_at` under `limit`.
    fn admit(&mut self, record: &TokenRecord, limit: EnumerationLimit) -> Admission {
        let (card_key, number) = rules::card_keys(record);
        let numbers = self.seen.entry(card_key).or_default();
        numbers.retain(|seen| seen.until > record.created_at);
        rules::admit(numbers, card_key, number, record.created_at, limit)
    }

    fn remember(&mut self, card_key: [u8; 16], seen: CardSeen) {
        self.seen.entry(card_key).or_default().push(seen);
    }

    fn forget(&mut self, card_key: &[u8; 16], number: &[u8; 16], refused: bool) {
        if let Some(numbers) = self.seen.get_mut(card_key)
            && let Some(at) = numbers
                .iter()
                .rposition(|seen| seen.number == *number && seen.refused == refused)
        {
            numbers.remove(at);
        }
    }

    /// Drops what is past its window at `now` (the sweep deletes the rows).
    fn prune(&mut self, now: i64) {
        self.seen.retain(|_, numbers| {
            numbers.retain(|seen| seen.until > now);
            !numbers.is_empty()
        });
    }
}

impl WriteBackend for SqliteWrites {
    /// Runs the batch (`run_batch`), then brings the replay memory in line with what is stored:
    /// if the batch committed, it forgets the jtis the sweep deleted; if not, the jtis the
    /// batch had remembered (and the card memory, the numbers it had remembered).
    fn apply_batch(
        &mut self,
        ops: &[WriteOp],
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
        let mut remembered = Vec::new();
        let mut forgotten = Vec::new();
        let mut cards_remembered = Vec::new();
        let result = self.run_batch(ops, &mut remembered, &mut forgotten, &mut cards_remembered);
        if let Some(memory) = &mut self.replays {
            let undo = if result.is_ok() {
                forgotten
            } else {
                remembered
            };
            for key in undo {
                memory.seen.remove(&key);
            }
        }
        if result.is_err()
            && let Some(cards) = &mut self.cards
        {
            for (card_key, seen) in &cards_remembered {
                cards.forget(card_key, &seen.number, seen.refused);
            }
        }
        result
    }
}

impl SqliteWrites {
    fn run_batch(
        &mut self,
        ops: &[WriteOp],
        remembered: &mut Vec<[u8; 16]>,
        forgotten: &mut Vec<[u8; 16]>,
        cards_remembered: &mut Vec<([u8; 16], CardSeen)>,
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| db_error("begin", &e))?;
        if (self.replays.is_none() || self.cards.is_none())
            && ops
                .iter()
                .any(|op| matches!(op, WriteOp::InsertToken { .. }))
        {
            let loaded = ReplayMemory::load(&self.conn)
                .and_then(|replays| CardMemory::load(&self.conn).map(|cards| (replays, cards)));
            match loaded {
                Ok((replays, cards)) => {
                    self.replays = Some(replays);
                    self.cards = Some(cards);
                }
                Err(e) => {
                    rollback(&self.conn);
                    return Err(db_error("replay memory", &e));
                }
            }
        }
        let begin = ops
            .iter()
            .any(|op| matches!(op, WriteOp::Seal { begin: true }));
        let sealing = match self.seal.get() {
            Some(key) => match seal_start(&self.conn, key, begin, &mut self.seal_refused) {
                Ok(seal) => seal.map(|seal| (key, seal)),
                Err(e) => {
                    rollback(&self.conn);
                    return Err(e);
                }
            },
            None => None,
        };
        let conn = &self.conn;
        let mut answers = Vec::with_capacity(ops.len());
        let mut destroyed = false;
        let mut swept = false;
        for op in ops {
            if let Err(e) = run_cached(conn, "SAVEPOINT op") {
                rollback(conn);
                return Err(db_error("savepoint", &e));
            }
            let swept_before = forgotten.len();
            let answer = match (op, &mut self.replays, &mut self.cards) {
                (
                    WriteOp::InsertToken {
                        jti,
                        record,
                        audit,
                        enumeration,
                        ..
                    },
                    Some(memory),
                    Some(cards),
                ) => {
                    let key = ReplayMemory::key(jti);
                    let admission = match enumeration {
                        Some(limit) => cards.admit(record, *limit),
                        None => Admission::Unchecked,
                    };
                    if memory.seen.contains(&key) {
                        // The refusal is audited with the op, in its savepoint (kept below).
                        replayed_audit(conn, op).and(Err(StoreError::Replayed))
                    } else if let Admission::Refused(remember) = admission {
                        // Committed with the batch: the refusal is audited (and remembered),
                        // nothing else stored (not the jti: the envelope was not used).
                        let mut answer = append_audit(conn, &enumeration_refusal(audit))
                            .map(|()| WriteOutcome::Enumeration);
                        if answer.is_ok()
                            && let Some((card_key, seen)) = remember
                        {
                            answer = remember_card(conn, &card_key, &seen).map(|()| {
                                cards.remember(card_key, seen);
                                cards_remembered.push((card_key, seen));
                                WriteOutcome::Enumeration
                            });
                        }
                        answer
                    } else {
                        let mut answer = apply(conn, op, forgotten);
                        if answer.is_ok()
                            && let Admission::New(card_key, seen) = admission
                        {
                            answer = remember_card(conn, &card_key, &seen).map(|()| {
                                cards.remember(card_key, seen);
                                cards_remembered.push((card_key, seen));
                                WriteOutcome::Done
                            });
                        }
                        if answer.is_ok() {
                            memory.seen.insert(key);
                            remembered.push(key);
                        }
                        answer
                    }
                }
                (WriteOp::Sweep { now, .. }, _, cards) => {
                    // Only what is past its window, which is ignored anyway: safe whether or not
                    // the batch commits.
                    if let Some(cards) = cards {
                        cards.prune(*now);
                    }
                    apply(conn, op, forgotten)
                }
                (WriteOp::InsertToken { .. }, _, _) => {
                    // Loaded above for any batch with a token; never store one unchecked.
                    tracing::error!("store: no replay memory for a token");
                    Err(StoreError::Database)
                }
                _ => apply(conn, op, forgotten),
            };
            if answer.is_err() {
                // Its savepoint is rolled back below: what a failed sweep deleted is still there.
                forgotten.truncate(swept_before);
            }
            if conn.is_autocommit() {
                // SQLite rolled the whole transaction back (I/O error, disk full): nothing of
                // the batch is stored, and the ops after this one must not run outside it.
                tracing::error!("store: the transaction was rolled back by SQLite");
                return Err(StoreError::Database);
            }
            let end = if answer.is_ok() || matches!(answer, Err(StoreError::Replayed)) {
                run_cached(conn, "RELEASE op")
            } else {
                run_cached(conn, "ROLLBACK TO op").and_then(|()| run_cached(conn, "RELEASE op"))
            };
            if let Err(e) = end {
                rollback(conn);
                return Err(db_error("savepoint end", &e));
            }
            match (op, &answer) {
                (WriteOp::Sweep { .. }, Ok(WriteOutcome::Swept(report))) => {
                    swept = true;
                    destroyed |= report.tokens_deleted > 0 || report.cvcs_cleared > 0;
                }
                (
                    WriteOp::DeleteToken { .. }
                    | WriteOp::TakeCvc { .. }
                    | WriteOp::RemoveReceiver { .. },
                    Ok(_),
                ) => {
                    destroyed = true;
                }
                _ => {}
            }
            answers.push(answer);
        }
        if let Some((key, seal)) = &sealing
            && let Err(e) = seal_head(conn, key, seal)
        {
            rollback(conn);
            return Err(e);
        }
        if let Err(e) = conn.execute_batch("COMMIT") {
            rollback(conn);
            return Err(db_error("commit", &e));
        }
        self.destroyed |= destroyed;
        // Once per sweep at most (not per delete), and only when something was destroyed.
        if swept && self.destroyed && truncate_wal(conn) {
            self.destroyed = false;
        }
        Ok(answers)
    }
}

/// Runs a statement that takes no parameters and returns no rows, prepared once per
/// connection (the savepoints around every op of a batch).
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Checkpoints and truncates the WAL so that destroyed rows' old page images leave the files.
/// Best effort: it does not wait for readers (the next sweep tries again). `true` when done.
fn truncate_wal(conn: &Connection) -> bool {
    let result = conn.busy_timeout(Duration::ZERO).and_then(|()| {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            row.get::<_, i64>(0)
        })
    });
    if let Err(e) = conn.busy_timeout(BUSY_TIMEOUT) {
        tracing::error!(error = %e, "store: cannot restore the busy timeout");
    }
    match result {
        Ok(0) => true,
        Ok(_) => {
            tracing::debug!("store: WAL checkpoint deferred (readers active)");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "store: WAL checkpoint failed");
            false
        }
    }
}

/// Applies one op; a sweep adds the jtis it deleted to `forgotten`.
fn apply(
    conn: &Connection,
    op: &WriteOp,
    forgotten: &mut Vec<[u8; 16]>,
) -> Result<WriteOutcome, StoreError> {
    match op {
        WriteOp::InsertToken {
            record,
            jti,
            jti_expires_at,
            audit,
            ..
        } => {
            // Checked against the replay memory before this runs (`run_batch`).
            conn.prepare_cached("INSERT INTO jtis (jti, expires_at) VALUES (?1, ?2)")
                .and_then(|mut stmt| {
                    stmt.execute(params![ReplayMemory::stored(jti), jti_expires_at])
                })
                .map_err(|e| db_error("insert_token: jti", &e))?;
            insert_token_row(conn, record).map_err(|e| classify("insert_token", &e))?;
            append_audit(conn, audit)?;
            Ok(WriteOutcome::Done)
        }
        WriteOp::DeleteToken {
            merchant_id,
            token,
            audit,
        } => {
            let deleted = conn
                .prepare_cached("DELETE FROM tokens WHERE token = ?1 AND merchant_id = ?2")
                .and_then(|mut stmt| stmt.execute([token, merchant_id]))
                .map_err(|e| db_error("delete_token", &e))?;
            append_audit(conn, &not_found_unless(deleted > 0, audit))?;
            Ok(WriteOutcome::Deleted(deleted > 0))
        }
        WriteOp::TakeCvc {
            merchant_id,
            token,
            now,
            audit,
        } => {
            let cvc =
                take_cvc(conn, merchant_id, token, *now).map_err(|e| db_error("take_cvc", &e))?;
            if let Some(audit) = audit {
                append_audit(conn, audit)?;
            }
            Ok(WriteOutcome::Cvc(cvc))
        }
        WriteOp::AppendAudit { events } => {
            for event in events {
                append_audit(conn, event)?;
            }
            Ok(WriteOutcome::Done)
        }
        WriteOp::Sweep { now, limit } => {
            sweep(conn, *now, *limit, forgotten).map(WriteOutcome::Swept)
        }
        WriteOp::InsertMerchant { merchant, audit } => {
            insert_merchant(conn, merchant).map_err(|e| classify("insert_merchant", &e))?;
            append_audit(conn, audit)?;
            Ok(WriteOutcome::Done)
        }
        WriteOp::RollMerchantKey {
            merchant_id,
            kind,
            key,
            now,
            usable_until,
            audit,
        } => roll_merchant_key(conn, merchant_id, *kind, key, *now, *usable_until, audit)
            .map(WriteOutcome::Rolled),
        WriteOp::InsertTransportKey {
            key,
            retire_others_at,
            audit,
        } => {
            if let Some((retired_at, usable_until)) = retire_others_at {
                conn.prepare_cached(
                    "UPDATE transport_keys SET retired_at = ?1, usable_until = ?2 WHERE retired_at IS NULL",
                )
                .and_then(|mut stmt| stmt.execute([retired_at, usable_until]))
                .map_err(|e| db_error("insert_transport_key: retire", &e))?;
            }
            conn.prepare_cached(
                "INSERT INTO transport_keys (kid, private_key, bits, created_at, retired_at, usable_until) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    key.kid,
                    key.private_key,
                    key.bits,
                    key.created_at,
                    key.retired_at,
                    key.usable_until
                ])
            })
            .map_err(|e| classify("insert_transport_key", &e))?;
            append_audit(conn, audit)?;
            Ok(WriteOutcome::Done)
        }
        WriteOp::InsertDataKey { key, audit } => {
            conn.prepare_cached(
                "INSERT INTO data_keys (version, key, created_at) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut stmt| stmt.execute(params![key.version, key.key, key.created_at]))
            .map_err(|e| classify("insert_data_key", &e))?;
            if let Some(audit) = audit {
                append_audit(conn, audit)?;
            }
            Ok(WriteOutcome::Done)
        }
        WriteOp::InsertAuditSealKey { key } => {
            conn.prepare_cached("INSERT INTO audit_seal (id, key) VALUES (1, ?1)")
                .and_then(|mut stmt| stmt.execute(params![key]))
                .map_err(|e| classify("insert_audit_seal_key", &e))?;
            Ok(WriteOutcome::Done)
        }
        WriteOp::Seal { .. } => Ok(WriteOutcome::Done),
        WriteOp::InsertReceiver { receiver, audit } => {
            conn.prepare_cached("INSERT INTO receivers (merchant_id, name, url, created_at) VALUES (?1, ?2, ?3, ?4)")
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        receiver.merchant_id,
                        receiver.name,
                        receiver.url,
                        receiver.created_at
                    ])
                })
                .map_err(|e| classify("insert_receiver", &e))?;
            append_audit(conn, audit)?;
            Ok(WriteOutcome::Done)
        }
        WriteOp::RemoveReceiver {
            merchant_id,
            name,
            audit,
        } => {
            let removed = conn
                .prepare_cached("DELETE FROM receivers WHERE merchant_id = ?1 AND name = ?2")
                .and_then(|mut stmt| stmt.execute([merchant_id, name]))
                .map_err(|e| db_error("remove_receiver", &e))?;
            append_audit(conn, &not_found_unless(removed > 0, audit))?;
            Ok(WriteOutcome::Deleted(removed > 0))
        }
        WriteOp::ReplaceWrappedKey { id, old, new } => {
            let (sql, key): (&str, rusqlite::types::Value) = match id {
                WrappedKeyId::Fingerprint(id) => (
                    "UPDATE merchants SET fingerprint_key = ?1 WHERE id = ?3 AND fingerprint_key = ?2",
                    id.clone().into(),
                ),
                WrappedKeyId::Transport(kid) => (
                    "UPDATE transport_keys SET private_key = ?1 WHERE kid = ?3 AND private_key = ?2",
                    kid.clone().into(),
                ),
                WrappedKeyId::Data(version) => (
                    "UPDATE data_keys SET key = ?1 WHERE version = ?3 AND key = ?2",
                    i64::from(*version).into(),
                ),
                WrappedKeyId::AuditSeal => (
                    "UPDATE audit_seal SET key = ?1 WHERE id = ?3 AND key = ?2",
                    1i64.into(),
                ),
            };
            let changed = conn
                .prepare_cached(sql)
                .and_then(|mut stmt| stmt.execute(params![new, old, key]))
                .map_err(|e| db_error("replace_wrapped_key", &e))?;
            Ok(WriteOutcome::Changed(changed > 0))
        }
        WriteOp::ResealCards { cards, to_version } => {
            let mut changed = 0u64;
            let mut stmt = conn
                .prepare_cached(
                    "UPDATE tokens SET card = ?1, data_key_version = ?2 \
                     WHERE token = ?3 AND data_key_version = ?4 AND cvc IS NULL",
                )
                .map_err(|e| db_error("reseal_cards", &e))?;
            for (card, sealed) in cards {
                let n = stmt
                    .execute(params![
                        sealed,
                        to_version,
                        card.token,
                        card.data_key_version
                    ])
                    .map_err(|e| db_error("reseal_cards", &e))?;
                changed += n as u64;
            }
            Ok(WriteOutcome::Count(changed))
        }
        WriteOp::DestroyDataKey { version, audit } => {
            let destroyed = conn
                .prepare_cached(
                    "DELETE FROM data_keys WHERE version = ?1 \
                     AND EXISTS (SELECT 1 FROM data_keys WHERE version > ?1) \
                     AND NOT EXISTS (SELECT 1 FROM tokens WHERE data_key_version = ?1)",
                )
                .and_then(|mut stmt| stmt.execute([version]))
                .map_err(|e| db_error("destroy_data_key", &e))?;
            if destroyed > 0 {
                append_audit(conn, audit)?;
            }
            Ok(WriteOutcome::Changed(destroyed > 0))
        }
        WriteOp::ImportCards {
            merchant_id,
            cards,
            audit,
        } => {
            let mut outcomes = Vec::with_capacity(cards.len());
            for card in cards {
                let made = conn
                    .prepare_cached(
                        "INSERT INTO imports (merchant_id, import_id, token, created_at) \
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (merchant_id, import_id) DO NOTHING",
                    )
                    .and_then(|mut stmt| {
                        stmt.execute(params![
                            merchant_id,
                            card.import_id,
                            card.record.token,
                            card.record.created_at
                        ])
                    })
                    .map_err(|e| db_error("import_cards", &e))?;
                if made == 0 {
                    outcomes.push(known_import(conn, merchant_id, &card.import_id)?);
                    continue;
                }
                insert_token_row(conn, &card.record).map_err(|e| classify("import_cards", &e))?;
                append_audit(conn, &card.audit)?;
                outcomes.push(ImportOutcome::Stored);
            }
            for event in audit {
                append_audit(conn, event)?;
            }
            Ok(WriteOutcome::Imported(outcomes))
        }
        WriteOp::SetNextMasterKey { next } => {
            conn.execute("DELETE FROM master_key_next", [])
                .map_err(|e| db_error("set_next_master_key", &e))?;
            if let Some(next) = next {
                let (kind, module, token, label) = rules::next_custody_columns(&next.custody);
                conn.execute(
                    "INSERT INTO master_key_next (id, key_id, kind, module, token, label, auth) \
                     VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                    params![next.key_id, kind, module, token, label, next.auth],
                )
                .map_err(|e| db_error("set_next_master_key", &e))?;
            }
            Ok(WriteOutcome::Done)
        }
    }
}

/// Records a number new to the card memory (accepted or refused) in its table, until the end of
/// its window.
fn remember_card(
    conn: &Connection,
    card_key: &[u8; 16],
    seen: &CardSeen,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO card_enumeration (expires_at, card_key, number, refused) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut stmt| stmt.execute(params![
            seen.until,
            card_key.as_slice(),
            seen.number.as_slice(),
            seen.refused
        ]))
    .map(drop)
    .map_err(|e| db_error("insert_token: card memory", &e))
}

/// An id the merchant imported before: its token, and the token's row if it still has one.
fn known_import(
    conn: &Connection,
    merchant_id: &str,
    import_id: &str,
) -> Result<ImportOutcome, StoreError> {
    let token: String = conn
        .prepare_cached("SELECT token FROM imports WHERE merchant_id = ?1 AND import_id = ?2")
        .and_then(|mut stmt| stmt.query_row([merchant_id, import_id], |row| row.get(0)))
        .map_err(|e| db_error("import_cards: known", &e))?;
    let record = conn
        .prepare_cached(TOKEN_SELECT)
        .and_then(|mut stmt| {
            stmt.query_row(params![token, merchant_id], token_from_row)
                .optional()
        })
        .map_err(|e| db_error("import_cards: known", &e))?
        .map(Box::new);
    Ok(ImportOutcome::Known { token, record })
}

/// A replayed token's audit entry (`rules::replayed`).
fn replayed_audit(conn: &Connection, op: &WriteOp) -> Result<WriteOutcome, StoreError> {
    if let WriteOp::InsertToken { audit, .. } = op {
        append_audit(conn, &rules::replayed(audit))?;
    }
    Ok(WriteOutcome::Done)
}

fn insert_token_row(conn: &Connection, r: &TokenRecord) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO tokens (token, merchant_id, card, cvc, cvc_expires_at, data_key_version, brand, last4, bin, \
         exp_month, exp_year, fingerprint, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        r.token,
        r.merchant_id,
        r.card,
        r.cvc,
        r.cvc_expires_at,
        r.data_key_version,
        r.brand,
        r.last4,
        r.bin,
        r.exp_month,
        r.exp_year,
        r.fingerprint,
        r.created_at,
        r.expires_at
    ])
}

fn insert_merchant(conn: &Connection, m: &MerchantRecord) -> rusqlite::Result<usize> {
    let origins = serde_json::to_string(&m.origins)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(
        "INSERT INTO merchants (id, name, publishable_key, secret_key_hash, origins, fingerprint_key, \
         token_ttl_secs, require_cvc, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        m.id,
        m.name,
        m.publishable_key,
        m.secret_key_hash.as_slice(),
        origins,
        m.fingerprint_key,
        m.token_ttl_secs,
        m.require_cvc,
        m.created_at
    ])
}

/// See [`WriteOp::RollMerchantKey`].
fn roll_merchant_key(
    conn: &Connection,
    merchant_id: &str,
    kind: MerchantKeyKind,
    key: &[u8],
    now: i64,
    usable_until: i64,
    audit: &AuditEvent,
) -> Result<Option<MerchantKeyRecord>, StoreError> {
    let err = |e: rusqlite::Error| db_error("roll_merchant_key", &e);
    let (current, update) = match kind {
        MerchantKeyKind::Publishable => (
            "SELECT CAST(publishable_key AS BLOB), COALESCE(publishable_key_since, created_at) \
             FROM merchants WHERE id = ?1",
            "UPDATE merchants SET publishable_key = ?2, publishable_key_since = ?3 WHERE id = ?1",
        ),
        MerchantKeyKind::Secret => (
            "SELECT secret_key_hash, COALESCE(secret_key_since, created_at) FROM merchants WHERE id = ?1",
            "UPDATE merchants SET secret_key_hash = ?2, secret_key_since = ?3 WHERE id = ?1",
        ),
    };
    let Some((old, since)) = conn
        .prepare_cached(current)
        .and_then(|mut stmt| {
            stmt.query_row([merchant_id], |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?))
            })
            .optional()
        })
        .map_err(err)?
    else {
        return Ok(None);
    };
    let new_value: Box<dyn rusqlite::ToSql> = match kind {
        MerchantKeyKind::Publishable => Box::new(
            std::str::from_utf8(key)
                .map_err(|_| StoreError::Database)?
                .to_owned(),
        ),
        MerchantKeyKind::Secret => Box::new(key.to_vec()),
    };
    conn.prepare_cached(update)
        .and_then(|mut stmt| stmt.execute(params![merchant_id, new_value, now]))
        .map_err(|e| classify("roll_merchant_key", &e))?;
    // No earlier key outlives the one replaced now: a roll with no grace ends them all.
    conn.prepare_cached(
        "UPDATE previous_merchant_keys SET usable_until = ?3 \
         WHERE merchant_id = ?1 AND kind = ?2 AND usable_until > ?3",
    )
    .and_then(|mut stmt| stmt.execute(params![merchant_id, kind.name(), usable_until.max(now)]))
    .map_err(err)?;
    let replaced = MerchantKeyRecord {
        merchant_id: merchant_id.to_owned(),
        kind,
        key: old,
        created_at: since,
        retired_at: Some(now),
        usable_until: Some(usable_until.max(now)),
    };
    conn.prepare_cached(
        "INSERT INTO previous_merchant_keys (merchant_id, kind, key, created_at, retired_at, usable_until) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            merchant_id,
            kind.name(),
            replaced.key,
            replaced.created_at,
            now,
            replaced.usable_until
        ])
    })
    .map_err(|e| classify("roll_merchant_key", &e))?;
    let roll = rules::key_rolled(audit, &replaced, key, now);
    append_audit(conn, &roll)?;
    let over: Vec<MerchantKeyRecord> = conn
        .prepare_cached(
            "DELETE FROM previous_merchant_keys \
             WHERE merchant_id = ?1 AND kind = ?2 AND usable_until <= ?3 \
             RETURNING merchant_id, kind, key, created_at, retired_at, usable_until",
        )
        .and_then(|mut stmt| {
            stmt.query_map(
                params![merchant_id, kind.name(), now],
                merchant_key_from_row,
            )?
            .collect()
        })
        .map_err(err)?;
    for key in &over {
        append_audit(conn, &rules::key_retired(key, now, Some(&roll)))?;
    }
    Ok(Some(replaced))
}

fn take_cvc(
    conn: &Connection,
    merchant_id: &str,
    token: &str,
    now: i64,
) -> rusqlite::Result<Option<Vec<u8>>> {
    let found: Option<(Option<Vec<u8>>, Option<i64>)> = conn
        .prepare_cached(
            "SELECT cvc, cvc_expires_at FROM tokens WHERE token = ?1 AND merchant_id = ?2",
        )?
        .query_row([token, merchant_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((Some(cvc), expires_at)) = found else {
        return Ok(None);
    };
    // Used or expired, it goes now.
    conn.prepare_cached("UPDATE tokens SET cvc = NULL WHERE token = ?1 AND merchant_id = ?2")?
        .execute([token, merchant_id])?;
    Ok(expires_at.is_some_and(|at| at > now).then_some(cvc))
}

fn sweep(
    conn: &Connection,
    now: i64,
    limit: u32,
    forgotten: &mut Vec<[u8; 16]>,
) -> Result<SweepReport, StoreError> {
    let err = |e: rusqlite::Error| db_error("sweep", &e);
    let limit_sql = i64::from(limit);
    let expired: Vec<(String, String)> = conn
        .prepare_cached("SELECT token, merchant_id FROM tokens WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2")
        .and_then(|mut stmt| {
            stmt.query_map([now, limit_sql], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .map_err(err)?;
    for (token, merchant_id) in &expired {
        conn.prepare_cached("DELETE FROM tokens WHERE token = ?1")
            .and_then(|mut stmt| stmt.execute([token]))
            .map_err(err)?;
        append_audit(
            conn,
            &AuditEvent {
                at: now,
                request_id: None,
                merchant_id: Some(merchant_id.clone()),
                key_kind: None,
                client: None,
                action: "expiry_sweep".to_owned(),
                token: Some(token.clone()),
                outcome: "ok".to_owned(),
                detail: Some("token expired".to_owned()),
            },
        )?;
    }
    let cvcs = conn
        .prepare_cached(
            "UPDATE tokens SET cvc = NULL WHERE rowid IN \
             (SELECT rowid FROM tokens WHERE cvc IS NOT NULL AND cvc_expires_at <= ?1 LIMIT ?2)",
        )
        .and_then(|mut stmt| stmt.execute([now, limit_sql]))
        .map_err(err)?;
    if cvcs > 0 {
        append_audit(
            conn,
            &AuditEvent {
                at: now,
                request_id: None,
                merchant_id: None,
                key_kind: None,
                client: None,
                action: "expiry_sweep".to_owned(),
                token: None,
                outcome: "ok".to_owned(),
                detail: Some(format!("{cvcs} expired CVCs destroyed")),
            },
        )?;
    }
    let mut jtis = 0;
    conn.prepare_cached(
        "DELETE FROM jtis WHERE rowid IN \
         (SELECT rowid FROM jtis WHERE expires_at <= ?1 LIMIT ?2) RETURNING jti",
    )
    .and_then(|mut stmt| {
        let mut rows = stmt.query([now, limit_sql])?;
        while let Some(row) = rows.next()? {
            forgotten.push(ReplayMemory::key_of_stored(row.get_ref(0)?.as_str()?));
            jtis += 1;
        }
        Ok(())
    })
    .map_err(err)?;
    let cards = conn
        .prepare_cached(
            "DELETE FROM card_enumeration WHERE rowid IN \
             (SELECT rowid FROM card_enumeration WHERE expires_at <= ?1 LIMIT ?2)",
        )
        .and_then(|mut stmt| stmt.execute([now, limit_sql]))
        .map_err(err)?;
    // Previous merchant keys whose grace is over: refused already (the lookups compare
    // `usable_until` with the clock); deleted and their retirement audited now.
    let retired: Vec<MerchantKeyRecord> = conn
        .prepare_cached(
            "DELETE FROM previous_merchant_keys WHERE rowid IN \
             (SELECT rowid FROM previous_merchant_keys WHERE usable_until <= ?1 LIMIT ?2) \
             RETURNING merchant_id, kind, key, created_at, retired_at, usable_until",
        )
        .and_then(|mut stmt| {
            stmt.query_map([now, limit_sql], merchant_key_from_row)?
                .collect()
        })
        .map_err(err)?;
    for key in &retired {
        append_audit(conn, &rules::key_retired(key, now, None))?;
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    Ok(SweepReport {
        tokens_deleted: expired.len() as u64,
        cvcs_cleared: cvcs as u64,
        jtis_deleted: jtis as u64,
        keys_retired: retired.len() as u64,
        more: expired.len() >= limit
            || cvcs >= limit
            || jtis >= limit
            || cards >= limit
            || retired.len() >= limit,
    })
}

/// Appends `event` to the chain: `seq` and `prev_hash` come from the last entry, read inside the
/// caller's `IMMEDIATE` transaction, so appenders in other processes cannot interleave.
/// The audit log's last `seq` and `hash`; `(0, GENESIS)` when it is empty. A malformed head
/// (wrong hash length) is an error: the vault stops writing rather than extending a chain it
/// cannot link to.
fn audit_head(conn: &Connection) -> Result<(i64, [u8; 32]), StoreError> {
    let head: Option<(i64, [u8; 32])> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .and_then(|mut stmt| {
            stmt.query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(|e| db_error("audit_head", &e))?;
    Ok(head.unwrap_or((0, GENESIS)))
}

pub(crate) fn append_audit(conn: &Connection, event: &AuditEvent) -> Result<(), StoreError> {
    let err = |e: rusqlite::Error| db_error("append_audit", &e);
    let (last_seq, prev_hash) = audit_head(conn)?;
    let seq = last_seq.checked_add(1).ok_or_else(|| {
        tracing::error!("store: the audit sequence is exhausted");
        StoreError::Database
    })?;
    let hash = entry_hash(&prev_hash, seq, event);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, request_id, merchant_id, key_kind, client, action, token, outcome, detail, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            seq,
            event.at,
            event.request_id,
            event.merchant_id,
            event.key_kind,
            event.client,
            event.action,
            event.token,
            event.outcome,
            event.detail,
            prev_hash.as_slice(),
            hash.as_slice()
        ])
    })
    .map_err(err)?;
    Ok(())
}
