//! The PostgreSQL backend: any number of vaults on one database.
//!
//! # What holds across instances, and how
//!
//! - **One audit chain.** Every write batch takes the transaction-scoped advisory lock
//!   [`AUDIT_LOCK`] first, then reads the head, appends and moves the seal, and commits: appends
//!   from all instances are serialised by PostgreSQL, so the chain never forks nor has a gap.
//!   The lock is held for one batch (a group commit of up to 256 requests of one instance), so
//!   instances take turns per batch, not per request (README, *A vault cluster*).
//! - **Replay.** `jtis.jti` is a primary key: the insert of a seen jti does nothing, and the
//!   token is not made (`ON CONFLICT DO NOTHING` in the same statement). No memory, no window.
//! - **The CVC at most once.** CVCs are rows of their own (`cvcs`), taken with `DELETE …
//!   RETURNING` in the forward's transaction: of two racing forwards, exactly one gets the row.
//! - **Card enumeration.** The numbers per (merchant, BIN, last four) are rows of
//!   `card_enumeration`, read and written under the audit lock: the same answers as the single
//!   vault's memory (`rules::admit`).
//! - **Rate limits.** One GCRA cell per key in the unlogged table `rate_limits`, updated by one
//!   statement per request ([`Db::spend`]): the cluster's allowance, not an instance's.
//! - **Durability.** Every connection runs with `synchronous_commit = on`: a batch answers after
//!   PostgreSQL flushed its commit (and, with `synchronous_standby_names`, a standby did).
//!
//! # Connections
//!
//! tokio-postgres on a runtime of this backend's own (one thread, `cardvault-pg`), with a
//! bounded pool ([`POOL_SIZE`], [`WAIT`]): when the database is down or saturated a call fails
//! within seconds with [`StoreError::Unavailable`] (503 `unavailable`), and broken connections
//! are replaced as the pool recycles them, so the vault recovers by itself when the database
//! comes back. Reads are called from synchronous code (also on async workers, as SQLite's are):
//! they run on the backend's runtime and the caller waits for the answer, at most [`TIMEOUT`].
//! The writer thread drives its batches on the same runtime.

use std::future::Future;
use std::ops::ControlFlow;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod,
};
use tokio::runtime::{Handle, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Config, NoTls, Row};

use super::audit::{GENESIS, entry_hash};
use super::rules::{self, Admission, CardSeen, SealStart, enumeration_refusal, not_found_unless};
use super::{
    AuditEntry, AuditEvent, AuditSealRecord, AuditSnapshot, DataKeyRecord, DataKeyUsage,
    FoundMerchant, ImportOutcome, ImportedCard, MalformedEntry, MerchantKeyKind, MerchantKeyRecord,
    MerchantRecord, NextMasterKey, ReadBackend, ReceiverRecord, SealedCard, SealedHead, StoreError,
    SweepReport, TokenRecord, TransportKeyRecord, WrappedKeyId, WriteBackend, WriteOp,
    WriteOutcome,
};
use crate::keys::AuditSealKey;

/// Connections per instance for reads and rate limits.
const POOL_SIZE: usize = 16;

/// Connections of the writer's own pool (it uses one at a time; a second while the first is
/// being replaced): reads, however many, cannot take the writer's.
const WRITER_POOL_SIZE: usize = 2;

/// How long a migration may take (it waits for another instance's, and may rewrite a table).
const MIGRATION_TIMEOUT: Duration = Duration::from_secs(600);

/// How long a caller waits for a connection (or for one to be made) before
/// [`StoreError::Unavailable`].
const WAIT: Duration = Duration::from_secs(2);

/// The most a read, or a write batch, may take, its connection's wait included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Session settings of every connection. `synchronous_commit = on` whatever the server's
/// default: a 201 is durable. `idle_in_transaction_session_timeout`: a vault that stops (frozen,
/// its host partitioned) in a batch loses the audit lock within seconds, rather than holding
/// every other instance's writes.
const SESSION_OPTIONS: &str = "-c synchronous_commit=on -c client_min_messages=warning -c statement_timeout=8000 \
     -c lock_timeout=8000 -c idle_in_transaction_session_timeout=10000";

/// The advisory lock every write batch holds (see the module's docs).
const AUDIT_LOCK: i64 = 0x6361_7264_7661_0001;

/// The advisory lock of migrations: two instances starting at once migrate one after the other.
const MIGRATE_LOCK: i64 = 0x6361_7264_7661_0002;

/// The schema, one migration per version. Never edit a released migration; append one.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE merchants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    publishable_key TEXT NOT NULL UNIQUE,
    secret_key_hash BYTEA NOT NULL UNIQUE CHECK (length(secret_key_hash) = 32),
    origins         TEXT NOT NULL,
    fingerprint_key BYTEA NOT NULL,
    token_ttl_secs  BIGINT,
    require_cvc     BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE TABLE transport_keys (
    kid          TEXT PRIMARY KEY,
    private_key  BYTEA NOT NULL,
    bits         INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT,
    usable_until BIGINT
);
CREATE TABLE data_keys (
    version    INTEGER PRIMARY KEY,
    key        BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
    token            TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    card             BYTEA NOT NULL,
    data_key_version INTEGER NOT NULL REFERENCES data_keys (version),
    brand            TEXT NOT NULL,
    last4            TEXT NOT NULL,
    bin              TEXT NOT NULL,
    exp_month        SMALLINT NOT NULL,
    exp_year         INTEGER NOT NULL,
    fingerprint      TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT
);
CREATE INDEX tokens_by_expiry ON tokens (expires_at) WHERE expires_at IS NOT NULL;
-- Checked at commit: the row is made by the statement that makes its token.
CREATE TABLE cvcs (
    token      TEXT PRIMARY KEY REFERENCES tokens (token) ON DELETE CASCADE
               DEFERRABLE INITIALLY DEFERRED,
    cvc        BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX cvcs_by_expiry ON cvcs (expires_at);
CREATE TABLE jtis (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX jtis_by_expiry ON jtis (expires_at);
CREATE TABLE receivers (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, name)
);
CREATE TABLE audit (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    request_id  TEXT,
    merchant_id TEXT,
    key_kind    TEXT,
    client      TEXT,
    action      TEXT NOT NULL,
    token       TEXT,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL
);
CREATE FUNCTION cardvault_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION cardvault_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION cardvault_audit_append_only();
CREATE TABLE audit_seal (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    key   BYTEA NOT NULL,
    since BIGINT,
    seq   BIGINT,
    hash  BYTEA CHECK (hash IS NULL OR length(hash) = 32),
    mac   BYTEA,
    CHECK ((since IS NULL) = (seq IS NULL) AND (seq IS NULL) = (hash IS NULL)
           AND (hash IS NULL) = (mac IS NULL))
);
CREATE TABLE card_enumeration (
    card_key   BYTEA NOT NULL CHECK (length(card_key) = 16),
    number     BYTEA NOT NULL CHECK (length(number) = 16),
    refused    BOOLEAN NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX card_enumeration_by_key ON card_enumeration (card_key, expires_at);
CREATE INDEX card_enumeration_by_expiry ON card_enumeration (expires_at);
-- GCRA cells (theoretical arrival time, microseconds of the database's clock). Unlogged: not
-- in the WAL, emptied by a crash or a failover, which gives every client its burst again.
CREATE UNLOGGED TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);
",
    // 1 -> 2: rolled merchant keys (`merchant roll-secret | roll-publishable`): since when each
    // current key is the merchant's (NULL: since its creation), and the keys a roll replaced,
    // accepted until `usable_until` (compared with the database's clock too), then deleted by
    // the sweep that retires them.
    r"
ALTER TABLE merchants ADD COLUMN publishable_key_since BIGINT, ADD COLUMN secret_key_since BIGINT;
CREATE TABLE previous_merchant_keys (
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    kind         TEXT NOT NULL CHECK (kind IN ('publishable', 'secret')),
    key          BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT NOT NULL,
    usable_until BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX previous_merchant_keys_by_merchant ON previous_merchant_keys (merchant_id, kind);
CREATE INDEX previous_merchant_keys_by_expiry ON previous_merchant_keys (usable_until);
",
    // 2 -> 3: the master key a rotation under way moves to (`master-key rotate`), for serving
    // vaults to follow; one row at most, deleted when the rotation ends.
    r"
CREATE TABLE master_key_next (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    key_id  TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('software', 'pkcs11')),
    module  TEXT,
    token   TEXT,
    label   TEXT,
    auth    BYTEA NOT NULL,
    CHECK ((kind = 'pkcs11') = (module IS NOT NULL) AND (module IS NULL) = (token IS NULL)
           AND (token IS NULL) = (label IS NULL))
);
",
    // 3 -> 4: imported cards (`cardvault import`): each source id a merchant imported, and the
    // token it became, so that importing a file again (or after a kill) makes no card twice.
    // No card data: the token row holds the card.
    r"
CREATE TABLE imports (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    import_id   TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, import_id)
);
",
];

/// The audit log's triggers as `pg_get_triggerdef` prints them, around the table's name (which
/// it qualifies with the schema): verification wants exactly these, enabled, calling exactly
/// [`APPEND_ONLY_BODY`].
const TRIGGERS: &[(&str, &str, &str)] = &[
    (
        "audit_no_change",
        "CREATE TRIGGER audit_no_change BEFORE DELETE OR UPDATE ON ",
        "audit FOR EACH ROW EXECUTE FUNCTION cardvault_audit_append_only()",
    ),
    (
        "audit_no_truncate",
        "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON ",
        "audit FOR EACH STATEMENT EXECUTE FUNCTION cardvault_audit_append_only()",
    ),
];
const APPEND_ONLY_BODY: &str = " BEGIN RAISE EXCEPTION 'the audit log is append-only'; END ";

// ---------------------------------------------------------------------------------------------
// Where the database is
// ---------------------------------------------------------------------------------------------

/// A database URL and how to reach it, checked before anything connects.
pub(crate) struct Target {
    config: Config,
    tls: Option<rustls::ClientConfig>,
}

/// Parses `postgres://USER@HOST:PORT/DB[?sslmode=…]`. `sslmode` is `disable` (plain TCP: the
/// default only for a database on loopback or a Unix socket; elsewhere it must be asked for, on
/// a private network), or `require`, `verify-ca` or `verify-full`, which all mean the same here
/// and are the default for any other host, or when a CA is given: TLS, with the server's
/// certificate verified against `ca` (else the built-in roots) and its name checked. A card vault does not make an
/// unauthenticated TLS connection (libpq's `require` does), nor one that may fall back to plain
/// text (`prefer`, `allow`: refused).
pub(crate) fn target(url: &str, ca: Option<&Path>) -> Result<Target, String> {
    let parsed = url::Url::parse(url).map_err(|_| "the database URL does not parse".to_owned())?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err("the database URL must start with postgres://".to_owned());
    }
    let mut mode = None;
    let mut root_cert = None;
    let mut rest = parsed.clone();
    rest.set_query(None);
    {
        let mut query = rest.query_pairs_mut();
        for (name, value) in parsed.query_pairs() {
            match &*name {
                "sslmode" => mode = Some(value.into_owned()),
                "sslrootcert" => root_cert = Some(value.into_owned()),
                _ => {
                    query.append_pair(&name, &value);
                }
            }
        }
    }
    let mut rest = rest.to_string();
    if rest.ends_with('?') {
        rest.pop();
    }
    let mut config =
        Config::from_str(&rest).map_err(|e| format!("the database URL is not usable: {e}"))?;
    config
        .options(SESSION_OPTIONS)
        .application_name("cardvault")
        .connect_timeout(WAIT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3)
        // A half-open connection (a failover, a partition without a reset) fails within seconds
        // instead of after the kernel's retries (about 15 minutes), and leaves the pool.
        .tcp_user_timeout(Duration::from_secs(5))
        // A standby, or a primary demoted by a failover, is not connected to.
        .target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadWrite);
    let local = config.get_hosts().iter().all(|host| match host {
        tokio_postgres::config::Host::Tcp(name) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        tokio_postgres::config::Host::Unix(_) => true,
    });
    // A CA given means TLS; no sslmode means TLS too, unless the database is on this machine.
    let mode = match (mode, ca.is_some() || root_cert.is_some()) {
        (Some(mode), true) if mode == "disable" => {
            return Err("a database CA is given but sslmode=disable: drop one".to_owned());
        }
        (Some(mode), _) => mode,
        (None, true) => "verify-full".to_owned(),
        (None, false) if local => "disable".to_owned(),
        (None, false) => "verify-full".to_owned(),
    };
    let tls = match mode.as_str() {
        "disable" => {
            if !local {
                tracing::warn!(
                    "store: plain TCP to a database on another host (sslmode=disable): only on a private network"
                );
            }
            None
        }
        "require" | "verify-ca" | "verify-full" => {
            let ca = ca.map(Path::to_path_buf).or(root_cert.map(Into::into));
            Some(tls_config(ca.as_deref())?)
        }
        "prefer" | "allow" => {
            return Err(format!(
                "sslmode={mode} may fall back to plain text: use sslmode=verify-full (or disable on a private network)"
            ));
        }
        other => return Err(format!("unknown sslmode {other:?}")),
    };
    config.ssl_mode(if tls.is_some() {
        tokio_postgres::config::SslMode::Require
    } else {
        tokio_postgres::config::SslMode::Disable
    });
    Ok(Target { config, tls })
}

fn tls_config(ca: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("cannot read the database CA {}: {e}", path.display()))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("the database CA does not parse: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("the database CA is not usable: {e}"))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

// ---------------------------------------------------------------------------------------------
// The connection pool and its runtime
// ---------------------------------------------------------------------------------------------

/// The pool, on its own runtime; shared by the reads and the writer.
pub(crate) struct Db {
    runtime: Option<Runtime>,
    handle: Handle,
    pool: Pool,
    writes: Pool,
}

impl Drop for Db {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which tokio refuses inside another runtime (the last store
        // handle may go on an async worker): let its threads end in the background.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Db {
    fn start(target: Target) -> Result<Db, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cardvault-pg")
            .enable_all()
            .build()
            .map_err(|e| {
                tracing::error!(error = %e, "store: cannot start the database runtime");
                StoreError::Database
            })?;
        let pool = |size| {
            let manager_config = ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            };
            let manager = match &target.tls {
                Some(tls) => Manager::from_config(
                    target.config.clone(),
                    tokio_postgres_rustls::MakeRustlsConnect::new(tls.clone()),
                    manager_config,
                ),
                None => Manager::from_config(target.config.clone(), NoTls, manager_config),
            };
            Pool::builder(manager)
                .max_size(size)
                .wait_timeout(Some(WAIT))
                .create_timeout(Some(WAIT))
                .recycle_timeout(Some(WAIT))
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .build()
                .map_err(|e| {
                    tracing::error!(error = %e, "store: cannot build the connection pool");
                    StoreError::Database
                })
        };
        let (pool, writes) = (pool(POOL_SIZE)?, pool(WRITER_POOL_SIZE)?);
        Ok(Db {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            pool,
            writes,
        })
    }

    /// Runs `work` on the backend's runtime and waits for its answer (at most [`TIMEOUT`]).
    /// Callable from any thread, async workers included.
    fn block<T, F>(&self, op: &'static str, work: impl FnOnce(Pool) -> F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        self.block_for(op, TIMEOUT, work(self.pool.clone()))
    }

    /// [`Db::block`] with its own time limit.
    fn block_for<T, F>(&self, op: &'static str, limit: Duration, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let answer = match tokio::time::timeout(limit, work).await {
                Ok(answer) => answer,
                Err(_) => {
                    tracing::warn!(op, "store: the database did not answer in time");
                    Err(StoreError::Unavailable)
                }
            };
            let _ = tx.send(answer);
        });
        let wait = || rx.recv().unwrap_or(Err(StoreError::Unavailable));
        // On a worker of the server's runtime, the wait hands the worker's other tasks to
        // another thread first: a slow database holds this request, not the ones beside it.
        match Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        }
    }

    /// Takes one request from the GCRA cell `key` (emission interval and burst tolerance in
    /// microseconds); `Ok(Err(retry_after_us))` when the allowance is spent.
    pub(crate) async fn spend(
        &self,
        key: String,
        interval_us: i64,
        tolerance_us: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        let pool = self.pool.clone();
        let work = async move {
            let client = connection(&pool).await?;
            let err = |e: tokio_postgres::Error| classify("rate limit", &e);
            let st = client
                .prepare_cached(
                    "WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now) \
                     INSERT INTO rate_limits AS r (key, tat) SELECT $1, clock.now + $2 FROM clock \
                     ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, EXCLUDED.tat - $2) + $2 \
                     WHERE GREATEST(r.tat, EXCLUDED.tat - $2) - (EXCLUDED.tat - $2) <= $3 \
                     RETURNING tat",
                )
                .await
                .map_err(err)?;
            if client
                .query_opt(&st, &[&key, &interval_us, &tolerance_us])
                .await
                .map_err(err)?
                .is_some()
            {
                return Ok(Ok(()));
            }
            let st = client
                .prepare_cached(
                    "SELECT tat - $2 - (extract(epoch FROM clock_timestamp()) * 1000000)::bigint \
                     FROM rate_limits WHERE key = $1",
                )
                .await
                .map_err(err)?;
            let wait: Option<i64> = client
                .query_opt(&st, &[&key, &tolerance_us])
                .await
                .map_err(err)?
                .map(|row| row.try_get(0))
                .transpose()
                .map_err(err)?;
            Ok(Err(wait.unwrap_or(interval_us).max(0)))
        };
        // Aborted if the caller goes (its client hung up): no spend outlives its request.
        struct AbortOnDrop(tokio::task::JoinHandle<Result<Result<(), i64>, StoreError>>);
        impl Drop for AbortOnDrop {
            fn drop(&mut self) {
                self.0.abort();
            }
        }
        let mut task = AbortOnDrop(self.handle.spawn(within("rate limit", work)));
        (&mut task.0).await.unwrap_or(Err(StoreError::Unavailable))
    }
}

async fn within<T>(
    op: &'static str,
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(TIMEOUT, work).await {
        Ok(answer) => answer,
        Err(_) => {
            tracing::warn!(op, "store: the database did not answer in time");
            Err(StoreError::Unavailable)
        }
    }
}

async fn connection(pool: &Pool) -> Result<Object, StoreError> {
    pool.get().await.map_err(|e| match e {
        PoolError::Backend(e) => classify("connect", &e),
        other => {
            tracing::warn!(error = %other, "store: no database connection");
            StoreError::Unavailable
        }
    })
}

/// Logs a database failure by its code and message (never its detail, which can quote a key's
/// value) and says what it means for the caller.
fn classify(op: &'static str, e: &tokio_postgres::Error) -> StoreError {
    let code = e.code();
    if code == Some(&SqlState::UNIQUE_VIOLATION) {
        return StoreError::Conflict;
    }
    let message = e.as_db_error().map(|db| db.message().to_owned());
    // Without a code: the connection (closed, an I/O error, a timeout). A decode or protocol
    // error is a bug, not an outage.
    let io = std::error::Error::source(e).is_some_and(|cause| cause.is::<std::io::Error>());
    let unavailable = e.is_closed()
        || (code.is_none() && (io || e.to_string().contains("timeout")))
        || code.is_some_and(|c| {
            let c = c.code();
            c.starts_with("08") // connection exception
                || c.starts_with("57P") // admin shutdown, crash shutdown, cannot connect now
                || c == "53300" // too many connections
                || c == "57014" // statement timeout
                || c == "55P03" // lock timeout
                || c == "25P03" // idle in transaction timeout
                || c == "25006" // read-only transaction: a standby, after a failover
                || c == "0A000" // an unlogged table during recovery
                || c == "40001" // serialization failure
                || c == "40P01" // deadlock detected
                || c == "55000" // the database does not allow connections (maintenance)
        });
    match (&message, unavailable) {
        (Some(message), true) => {
            tracing::warn!(op, code = code.map(SqlState::code), %message, "store: database unavailable");
        }
        (None, true) => tracing::warn!(op, error = %e, "store: database unavailable"),
        (Some(message), false) => {
            tracing::error!(op, code = code.map(SqlState::code), %message, "store: database error");
        }
        (None, false) => tracing::error!(op, error = %e, "store: database error"),
    }
    if unavailable {
        StoreError::Unavailable
    } else {
        StoreError::Database
    }
}

fn column<T: for<'a> tokio_postgres::types::FromSql<'a>>(
    row: &Row,
    index: usize,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| classify("decode", &e))
}

// ---------------------------------------------------------------------------------------------
// Opening and migrations
// ---------------------------------------------------------------------------------------------

/// Connects, migrates (under [`MIGRATE_LOCK`]) and returns both halves and the schema version
/// found. A database migrated by a newer cardvault is refused.
pub(crate) fn open(
    target: Target,
    seal: Arc<OnceLock<AuditSealKey>>,
) -> Result<(PgReads, PgWrites, i64), StoreError> {
    let db = Arc::new(Db::start(target)?);
    let writes = db.writes.clone();
    let migrate = async move {
        let mut client = connection(&writes).await?;
        let err = |e: tokio_postgres::Error| classify("migrate", &e);
        let tx = client.transaction().await.map_err(err)?;
        // A migration waits for another instance's, and may take long: not the session's 8 s.
        tx.batch_execute("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0")
            .await
            .map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
            .await
            .map_err(err)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS cardvault_schema (version INTEGER NOT NULL)")
            .await
            .map_err(err)?;
        let version: i32 = match tx
            .query_opt("SELECT max(version) FROM cardvault_schema", &[])
            .await
            .map_err(err)?
        {
            Some(row) => column::<Option<i32>>(&row, 0)?.unwrap_or(0),
            None => 0,
        };
        let start = usize::try_from(version).unwrap_or(usize::MAX);
        if start > MIGRATIONS.len() {
            tracing::error!(
                found = version,
                supported = MIGRATIONS.len(),
                "store: the database was migrated by a newer cardvault: run that version (or newer)"
            );
            return Err(StoreError::Database);
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            let next = i32::try_from(index + 1).map_err(|_| StoreError::Database)?;
            tx.batch_execute(sql).await.map_err(err)?;
            tx.execute("DELETE FROM cardvault_schema", &[])
                .await
                .map_err(err)?;
            tx.execute(
                "INSERT INTO cardvault_schema (version) VALUES ($1)",
                &[&next],
            )
            .await
            .map_err(err)?;
            tracing::info!(version = next, "store: schema migrated");
        }
        tx.commit().await.map_err(err)?;
        Ok(i64::from(version))
    };
    let found = db.block_for("migrate", MIGRATION_TIMEOUT, migrate)?;
    Ok((
        PgReads {
            db: Arc::clone(&db),
        },
        PgWrites {
            db,
            seal,
            seal_refused: AtomicBool::new(false),
        },
        found,
    ))
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

const MERCHANT_SELECT: &str = "SELECT id, name, publishable_key, secret_key_hash, origins, \
     fingerprint_key, token_ttl_secs, require_cvc, created_at FROM merchants";

fn merchant_from_row(row: &Row) -> Result<MerchantRecord, StoreError> {
    let origins: String = column(row, 4)?;
    let origins: Vec<String> = serde_json::from_str(&origins).map_err(|_| {
        tracing::error!("store: a merchant's origins do not parse");
        StoreError::Database
    })?;
    let hash: Vec<u8> = column(row, 3)?;
    Ok(MerchantRecord {
        id: column(row, 0)?,
        name: column(row, 1)?,
        publishable_key: column(row, 2)?,
        secret_key_hash: hash.try_into().map_err(|_| StoreError::Database)?,
        origins,
        fingerprint_key: column(row, 5)?,
        token_ttl_secs: column(row, 6)?,
        require_cvc: column(row, 7)?,
        created_at: column(row, 8)?,
    })
}

/// A merchant (`m`) and one of its keys: the current one of `$kind` (column `$key`, found by `$1`,
/// made at `$since` or at the merchant's creation), or a previous one (`p`, found by `$2`) still
/// accepted at `$3` and at the database's clock: an instance whose clock lags does not stretch
/// a grace.
macro_rules! merchant_by_key {
    ($kind:literal, $key:literal, $key_bytes:literal, $since:literal) => {
        concat!(
            "SELECT m.id, m.name, m.publishable_key, m.secret_key_hash, m.origins, ",
            "m.fingerprint_key, m.token_ttl_secs, m.require_cvc, m.created_at, ",
            $key_bytes,
            ", COALESCE(m.",
            $since,
            ", m.created_at), NULL::bigint, NULL::bigint ",
            "FROM merchants m WHERE m.",
            $key,
            " = $1 ",
            "UNION ALL ",
            "SELECT m.id, m.name, m.publishable_key, m.secret_key_hash, m.origins, ",
            "m.fingerprint_key, m.token_ttl_secs, m.require_cvc, m.created_at, ",
            "p.key, p.created_at, p.retired_at, p.usable_until ",
            "FROM previous_merchant_keys p JOIN merchants m ON m.id = p.merchant_id ",
            "WHERE p.kind = '",
            $kind,
            "' AND p.key = $2 ",
            "AND p.usable_until > GREATEST($3, floor(extract(epoch FROM now()))::bigint) ",
            "LIMIT 1"
        )
    };
}

fn found_from_row(row: &Row, kind: MerchantKeyKind) -> Result<FoundMerchant, StoreError> {
    let merchant = merchant_from_row(row)?;
    let key = MerchantKeyRecord {
        merchant_id: merchant.id.clone(),
        kind,
        key: column(row, 9)?,
        created_at: column(row, 10)?,
        retired_at: column(row, 11)?,
        usable_until: column(row, 12)?,
    };
    Ok(FoundMerchant { merchant, key })
}

fn merchant_key_from_row(row: &Row) -> Result<MerchantKeyRecord, StoreError> {
    let kind: String = column(row, 1)?;
    Ok(MerchantKeyRecord {
        merchant_id: column(row, 0)?,
        kind: MerchantKeyKind::from_name(&kind).ok_or(StoreError::Database)?,
        key: column(row, 2)?,
        created_at: column(row, 3)?,
        retired_at: column(row, 4)?,
        usable_until: column(row, 5)?,
    })
}

const TRANSPORT_KEY_SELECT: &str =
    "SELECT kid, private_key, bits, created_at, retired_at, usable_until FROM transport_keys";

fn transport_key_from_row(row: &Row) -> Result<TransportKeyRecord, StoreError> {
    let bits: i32 = column(row, 2)?;
    Ok(TransportKeyRecord {
        kid: column(row, 0)?,
        private_key: column(row, 1)?,
        bits: u32::try_from(bits).map_err(|_| StoreError::Database)?,
        created_at: column(row, 3)?,
        retired_at: column(row, 4)?,
        usable_until: column(row, 5)?,
    })
}

fn token_from_row(row: &Row) -> Result<TokenRecord, StoreError> {
    token_from_columns(row, 0)
}

/// A token's row from the 14 columns of [`token_from_row`]'s, starting at column `at`.
fn token_from_columns(row: &Row, at: usize) -> Result<TokenRecord, StoreError> {
    let version: i32 = column(row, at + 5)?;
    let month: i16 = column(row, at + 9)?;
    let year: i32 = column(row, at + 10)?;
    Ok(TokenRecord {
        token: column(row, at)?,
        merchant_id: column(row, at + 1)?,
        card: column(row, at + 2)?,
        cvc: column(row, at + 3)?,
        cvc_expires_at: column(row, at + 4)?,
        data_key_version: u32::try_from(version).map_err(|_| StoreError::Database)?,
        brand: column(row, at + 6)?,
        last4: column(row, at + 7)?,
        bin: column(row, at + 8)?,
        exp_month: u8::try_from(month).map_err(|_| StoreError::Database)?,
        exp_year: u16::try_from(year).map_err(|_| StoreError::Database)?,
        fingerprint: column(row, at + 11)?,
        created_at: column(row, at + 12)?,
        expires_at: column(row, at + 13)?,
    })
}

fn receiver_from_row(row: &Row) -> Result<ReceiverRecord, StoreError> {
    Ok(ReceiverRecord {
        merchant_id: column(row, 0)?,
        name: column(row, 1)?,
        url: column(row, 2)?,
        created_at: column(row, 3)?,
    })
}

fn audit_from_row(row: &Row) -> Result<AuditEntry, StoreError> {
    let prev: Vec<u8> = column(row, 10)?;
    let hash: Vec<u8> = column(row, 11)?;
    Ok(AuditEntry {
        seq: column(row, 0)?,
        event: AuditEvent {
            at: column(row, 1)?,
            request_id: column(row, 2)?,
            merchant_id: column(row, 3)?,
            key_kind: column(row, 4)?,
            client: column(row, 5)?,
            action: column(row, 6)?,
            token: column(row, 7)?,
            outcome: column(row, 8)?,
            detail: column(row, 9)?,
        },
        prev_hash: prev.try_into().map_err(|_| StoreError::Database)?,
        hash: hash.try_into().map_err(|_| StoreError::Database)?,
    })
}

fn seal_from_row(row: &Row) -> Result<AuditSealRecord, StoreError> {
    let since: Option<i64> = column(row, 1)?;
    let seq: Option<i64> = column(row, 2)?;
    let hash: Option<Vec<u8>> = column(row, 3)?;
    let mac: Option<Vec<u8>> = column(row, 4)?;
    let sealed = match (since, seq, hash, mac) {
        (Some(since), Some(seq), Some(hash), Some(mac)) => <[u8; 32]>::try_from(hash.as_slice())
            .ok()
            .map(|hash| SealedHead {
                since,
                seq,
                hash,
                mac,
            }),
        _ => None,
    };
    Ok(AuditSealRecord {
        key: column(row, 0)?,
        sealed,
    })
}

async fn rows(
    c: &impl GenericClient,
    op: &'static str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let err = |e: tokio_postgres::Error| classify(op, &e);
    let st = c.prepare_cached(sql).await.map_err(err)?;
    c.query(&st, params).await.map_err(err)
}

async fn one(
    c: &impl GenericClient,
    op: &'static str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, StoreError> {
    Ok(rows(c, op, sql, params).await?.into_iter().next())
}

async fn exec(
    c: &impl GenericClient,
    op: &'static str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let err = |e: tokio_postgres::Error| classify(op, &e);
    let st = c.prepare_cached(sql).await.map_err(err)?;
    c.execute(&st, params).await.map_err(err)
}

async fn read_seal(c: &impl GenericClient) -> Result<Option<AuditSealRecord>, StoreError> {
    one(c, "audit_seal", READ_SEAL_SQL, &[])
        .await?
        .as_ref()
        .map(seal_from_row)
        .transpose()
}

async fn holds(c: &impl GenericClient, tables: &[&str]) -> Result<bool, StoreError> {
    for table in tables {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
        if let Some(row) = one(c, "holds", &sql, &[]).await?
            && column::<bool>(&row, 0)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the audit log's triggers are exactly the schema's, enabled, calling the schema's
/// function unchanged.
async fn triggers_intact(c: &impl GenericClient) -> Result<bool, StoreError> {
    let found = rows(
        c,
        "triggers",
        "SELECT t.tgname::text, t.tgenabled::text, pg_get_triggerdef(t.oid), p.prosrc \
         FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid \
         WHERE t.tgrelid = 'audit'::regclass AND NOT t.tgisinternal ORDER BY t.tgname",
        &[],
    )
    .await?;
    if found.len() != TRIGGERS.len() {
        return Ok(false);
    }
    for (row, (name, head, tail)) in found.iter().zip(TRIGGERS) {
        let found_name: String = column(row, 0)?;
        let enabled: String = column(row, 1)?;
        let definition: String = column(row, 2)?;
        let body: String = column(row, 3)?;
        // Between the two: the table, `audit` or `schema.audit`, nothing else.
        let table = definition
            .strip_prefix(head)
            .and_then(|rest| rest.strip_suffix(tail));
        let table_ok =
            table.is_some_and(|t| t.is_empty() || (t.ends_with('.') && !t.contains(' ')));
        if found_name != *name || enabled != "O" || !table_ok || body != APPEND_ONLY_BODY {
            return Ok(false);
        }
    }
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

/// The reads: each on a pooled connection.
pub(crate) struct PgReads {
    db: Arc<Db>,
}

impl PgReads {
    /// The backend's pool, for what the store does beyond reads (rate limits).
    pub(crate) fn db(&self) -> &Arc<Db> {
        &self.db
    }

    fn merchant_where(
        &self,
        op: &'static str,
        clause: &'static str,
        key: Box<dyn ToSql + Sync + Send>,
    ) -> Result<Option<MerchantRecord>, StoreError> {
        self.db.block(op, move |pool| async move {
            let c = connection(&pool).await?;
            let sql = format!("{MERCHANT_SELECT} {clause}");
            one(&c, op, &sql, &[&*key])
                .await?
                .as_ref()
                .map(merchant_from_row)
                .transpose()
        })
    }
}

impl ReadBackend for PgReads {
    fn merchant_by_publishable_key(
        &self,
        pk: &str,
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError> {
        let pk = pk.to_owned();
        self.db
            .block("merchant_by_publishable_key", move |pool| async move {
                let c = connection(&pool).await?;
                let sql = merchant_by_key!(
                    "publishable",
                    "publishable_key",
                    "convert_to(m.publishable_key, 'UTF8')",
                    "publishable_key_since"
                );
                let bytes = pk.as_bytes();
                one(&c, "merchant_by_publishable_key", sql, &[&pk, &bytes, &now])
                    .await?
                    .as_ref()
                    .map(|row| found_from_row(row, MerchantKeyKind::Publishable))
                    .transpose()
            })
    }

    fn merchant_by_secret_hash(
        &self,
        hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<FoundMerchant>, StoreError> {
        let hash = hash.to_vec();
        self.db
            .block("merchant_by_secret_hash", move |pool| async move {
                let c = connection(&pool).await?;
                let sql = merchant_by_key!(
                    "secret",
                    "secret_key_hash",
                    "m.secret_key_hash",
                    "secret_key_since"
                );
                one(&c, "merchant_by_secret_hash", sql, &[&hash, &hash, &now])
                    .await?
                    .as_ref()
                    .map(|row| found_from_row(row, MerchantKeyKind::Secret))
                    .transpose()
            })
    }

    fn merchant_keys(
        &self,
        merchant_id: &str,
        now: i64,
    ) -> Result<Vec<MerchantKeyRecord>, StoreError> {
        let merchant_id = merchant_id.to_owned();
        self.db.block("merchant_keys", move |pool| async move {
            let c = connection(&pool).await?;
            rows(
                &c,
                "merchant_keys",
                "SELECT id, 'publishable', convert_to(publishable_key, 'UTF8'), \
                 COALESCE(publishable_key_since, created_at), NULL::bigint, NULL::bigint \
                 FROM merchants WHERE id = $1 \
                 UNION ALL \
                 SELECT id, 'secret', secret_key_hash, COALESCE(secret_key_since, created_at), \
                 NULL::bigint, NULL::bigint FROM merchants WHERE id = $1 \
                 UNION ALL \
                 SELECT merchant_id, kind, key, created_at, retired_at, usable_until \
                 FROM previous_merchant_keys WHERE merchant_id = $1 \
                 AND usable_until > GREATEST($2, floor(extract(epoch FROM now()))::bigint)",
                &[&merchant_id, &now],
            )
            .await?
            .iter()
            .map(merchant_key_from_row)
            .collect()
        })
    }

    fn merchant(&self, id: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.merchant_where("merchant", "WHERE id = $1", Box::new(id.to_owned()))
    }

    fn merchants(&self) -> Result<Vec<MerchantRecord>, StoreError> {
        self.db.block("merchants", |pool| async move {
            let c = connection(&pool).await?;
            let sql = format!("{MERCHANT_SELECT} ORDER BY created_at, id");
            rows(&c, "merchants", &sql, &[])
                .await?
                .iter()
                .map(merchant_from_row)
                .collect()
        })
    }

    fn transport_keys(&self) -> Result<Vec<TransportKeyRecord>, StoreError> {
        self.db.block("transport_keys", |pool| async move {
            let c = connection(&pool).await?;
            let sql = format!("{TRANSPORT_KEY_SELECT} ORDER BY created_at DESC, kid");
            rows(&c, "transport_keys", &sql, &[])
                .await?
                .iter()
                .map(transport_key_from_row)
                .collect()
        })
    }

    fn data_keys(&self) -> Result<Vec<DataKeyRecord>, StoreError> {
        self.db.block("data_keys", |pool| async move {
            let c = connection(&pool).await?;
            rows(
                &c,
                "data_keys",
                "SELECT version, key, created_at FROM data_keys ORDER BY version",
                &[],
            )
            .await?
            .iter()
            .map(|row| {
                let version: i32 = column(row, 0)?;
                Ok(DataKeyRecord {
                    version: u32::try_from(version).map_err(|_| StoreError::Database)?,
                    key: column(row, 1)?,
                    created_at: column(row, 2)?,
                })
            })
            .collect()
        })
    }

    fn next_master_key(&self) -> Result<Option<NextMasterKey>, StoreError> {
        self.db.block("next_master_key", |pool| async move {
            let c = connection(&pool).await?;
            let found = rows(
                &c,
                "next_master_key",
                "SELECT key_id, module, token, label, auth FROM master_key_next WHERE id = 1",
                &[],
            )
            .await?;
            let Some(row) = found.first() else {
                return Ok(None);
            };
            let custody = rules::next_custody_from_columns(
                column(row, 1)?,
                column(row, 2)?,
                column(row, 3)?,
            )?;
            Ok(Some(NextMasterKey {
                key_id: column(row, 0)?,
                custody,
                auth: column(row, 4)?,
            }))
        })
    }

    fn data_key_usage(&self) -> Result<Vec<DataKeyUsage>, StoreError> {
        self.db.block("data_key_usage", |pool| async move {
            let c = connection(&pool).await?;
            rows(
                &c,
                "data_key_usage",
                "SELECT d.version, count(t.token), count(v.token) FROM data_keys d \
                 LEFT JOIN tokens t ON t.data_key_version = d.version \
                 LEFT JOIN cvcs v ON v.token = t.token \
                 GROUP BY d.version ORDER BY d.version",
                &[],
            )
            .await?
            .iter()
            .map(|row| {
                let version: i32 = column(row, 0)?;
                let tokens: i64 = column(row, 1)?;
                let with_cvc: i64 = column(row, 2)?;
                Ok(DataKeyUsage {
                    version: u32::try_from(version).map_err(|_| StoreError::Database)?,
                    tokens: u64::try_from(tokens).map_err(|_| StoreError::Database)?,
                    with_cvc: u64::try_from(with_cvc).map_err(|_| StoreError::Database)?,
                })
            })
            .collect()
        })
    }

    fn sealed_cards_below(
        &self,
        below: u32,
        after: &str,
        limit: u32,
    ) -> Result<Vec<SealedCard>, StoreError> {
        let after = after.to_owned();
        self.db.block("sealed_cards_below", move |pool| async move {
            let below = i32::try_from(below).map_err(|_| StoreError::Database)?;
            let limit = i64::from(limit);
            let c = connection(&pool).await?;
            rows(
                &c,
                "sealed_cards_below",
                "SELECT t.token, t.merchant_id, t.data_key_version, t.card FROM tokens t \
                 WHERE t.data_key_version < $1 AND t.token > $2 \
                 AND NOT EXISTS (SELECT 1 FROM cvcs v WHERE v.token = t.token) \
                 ORDER BY t.token LIMIT $3",
                &[&below, &after, &limit],
            )
            .await?
            .iter()
            .map(|row| {
                let version: i32 = column(row, 2)?;
                Ok(SealedCard {
                    token: column(row, 0)?,
                    merchant_id: column(row, 1)?,
                    data_key_version: u32::try_from(version).map_err(|_| StoreError::Database)?,
                    card: column(row, 3)?,
                })
            })
            .collect()
        })
    }

    fn token(&self, merchant_id: &str, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        let (merchant_id, token) = (merchant_id.to_owned(), token.to_owned());
        self.db.block("token", move |pool| async move {
            let c = connection(&pool).await?;
            one(
                &c,
                "token",
                "SELECT t.token, t.merchant_id, t.card, c.cvc, c.expires_at, t.data_key_version, \
                 t.brand, t.last4, t.bin, t.exp_month, t.exp_year, t.fingerprint, t.created_at, \
                 t.expires_at FROM tokens t LEFT JOIN cvcs c ON c.token = t.token \
                 WHERE t.token = $1 AND t.merchant_id = $2",
                &[&token, &merchant_id],
            )
            .await?
            .as_ref()
            .map(token_from_row)
            .transpose()
        })
    }

    fn jti_seen(&self, jti: &str, now: i64) -> Result<bool, StoreError> {
        let stored = rules::stored_jti(jti);
        self.db.block("jti_seen", move |pool| async move {
            let c = connection(&pool).await?;
            let row = one(
                &c,
                "jti_seen",
                "SELECT EXISTS (SELECT 1 FROM jtis WHERE jti = $1 AND expires_at > $2)",
                &[&stored, &now],
            )
            .await?;
            row.map_or(Ok(false), |row| column(&row, 0))
        })
    }

    fn receivers(&self, merchant_id: &str) -> Result<Vec<ReceiverRecord>, StoreError> {
        let merchant_id = merchant_id.to_owned();
        self.db.block("receivers", move |pool| async move {
            let c = connection(&pool).await?;
            rows(
                &c,
                "receivers",
                "SELECT merchant_id, name, url, created_at FROM receivers WHERE merchant_id = $1 ORDER BY name",
                &[&merchant_id],
            )
            .await?
            .iter()
            .map(receiver_from_row)
            .collect()
        })
    }

    fn receiver(
        &self,
        merchant_id: &str,
        name: &str,
    ) -> Result<Option<ReceiverRecord>, StoreError> {
        let (merchant_id, name) = (merchant_id.to_owned(), name.to_owned());
        self.db.block("receiver", move |pool| async move {
            let c = connection(&pool).await?;
            one(
                &c,
                "receiver",
                "SELECT merchant_id, name, url, created_at FROM receivers WHERE merchant_id = $1 AND name = $2",
                &[&merchant_id, &name],
            )
            .await?
            .as_ref()
            .map(receiver_from_row)
            .transpose()
        })
    }

    fn audit_seal(&self) -> Result<Option<AuditSealRecord>, StoreError> {
        self.db.block("audit_seal", |pool| async move {
            let c = connection(&pool).await?;
            read_seal(&c).await
        })
    }

    /// One `REPEATABLE READ` transaction, read in pages on a thread of the backend's blocking
    /// pool and handed over row by row: the log is never whole in memory.
    fn scan_audit(
        &self,
        visit: &mut dyn FnMut(Result<AuditEntry, MalformedEntry>) -> ControlFlow<()>,
    ) -> Result<AuditSnapshot, StoreError> {
        enum Item {
            Row(Result<AuditEntry, MalformedEntry>),
            End(Result<AuditSnapshot, StoreError>),
        }
        let (tx, rx) = mpsc::sync_channel::<Item>(512);
        let pool = self.db.pool.clone();
        let handle = self.db.handle.clone();
        self.db.handle.spawn_blocking(move || {
            let result = handle.block_on(async {
                let mut c = connection(&pool).await?;
                let err = |e: tokio_postgres::Error| classify("scan_audit", &e);
                let t = c
                    .build_transaction()
                    .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()
                    .await
                    .map_err(err)?;
                let snapshot = AuditSnapshot {
                    seal: read_seal(&t).await?,
                    triggers_intact: triggers_intact(&t).await?,
                    holds_audited_records: holds(&t, AUDITED_TABLES).await?,
                    holds_data_keys: holds(&t, &["data_keys"]).await?,
                };
                let portal = t
                    .bind(
                        "SELECT seq, at, request_id, merchant_id, key_kind, client, action, token, \
                         outcome, detail, prev_hash, hash FROM audit ORDER BY seq",
                        &[],
                    )
                    .await
                    .map_err(err)?;
                loop {
                    let page = t.query_portal(&portal, 1000).await.map_err(err)?;
                    if page.is_empty() {
                        break;
                    }
                    for row in &page {
                        let item = audit_from_row(row).map_err(|_| MalformedEntry {
                            seq: row.try_get(0).unwrap_or(0),
                        });
                        if tx.send(Item::Row(item)).is_err() {
                            // The caller stopped: its answer no longer matters.
                            return Ok(snapshot);
                        }
                    }
                }
                t.commit().await.map_err(err)?;
                Ok(snapshot)
            });
            let _ = tx.send(Item::End(result));
        });
        let mut stopped = false;
        for item in rx.iter() {
            match item {
                Item::Row(row) if !stopped => stopped = visit(row).is_break(),
                Item::Row(_) => {}
                Item::End(result) => return result,
            }
        }
        Err(StoreError::Unavailable)
    }

    fn holds_records(&self) -> Result<bool, StoreError> {
        self.db.block("holds_records", |pool| async move {
            let c = connection(&pool).await?;
            Ok(holds(&c, AUDITED_TABLES).await? || holds(&c, &["data_keys", "audit"]).await?)
        })
    }

    fn ping(&self) -> Result<(), StoreError> {
        let version = self.db.block("ping", |pool| async move {
            let c = connection(&pool).await?;
            let row = one(&c, "ping", "SELECT max(version) FROM cardvault_schema", &[]).await?;
            row.map_or(Ok(None), |row| column::<Option<i32>>(&row, 0))
        })?;
        if version.and_then(|v| usize::try_from(v).ok()) == Some(MIGRATIONS.len()) {
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

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

/// The writer thread's half: it drives each batch on the backend's runtime.
pub(crate) struct PgWrites {
    db: Arc<Db>,
    seal: Arc<OnceLock<AuditSealKey>>,
    seal_refused: AtomicBool,
}

/// How a batch failed.
enum Failed {
    /// An op failed in a way that aborted the transaction (a unique key, a constraint): the batch
    /// is run again with a savepoint per op, so that only that op fails.
    Retry,
    /// The batch failed as a whole.
    Store(StoreError),
}

impl From<StoreError> for Failed {
    fn from(e: StoreError) -> Failed {
        Failed::Store(e)
    }
}

impl WriteBackend for PgWrites {
    fn apply_batch(
        &mut self,
        ops: &[WriteOp],
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
        // The writer thread is no runtime's: it may block on this one.
        let handle = self.db.handle.clone();
        handle.block_on(within("write batch", async {
            match self.run_batch(ops, false).await {
                Ok(answers) => Ok(answers),
                Err(Failed::Retry) => match self.run_batch(ops, true).await {
                    Ok(answers) => Ok(answers),
                    Err(Failed::Retry) => Err(StoreError::Database),
                    Err(Failed::Store(e)) => Err(e),
                },
                Err(Failed::Store(e)) => Err(e),
            }
        }))
    }
}

/// The head of the chain as the batch extends it.
#[derive(Clone, Copy)]
struct Chain {
    seq: i64,
    hash: [u8; 32],
}

/// The statements a write batch sends pipelined. Each is prepared on the connection before a
/// pipeline sends any ([`prepare`]): one not yet prepared would wait for its preparation while a
/// later one, prepared, went ahead of it.
const PIPELINED: [&str; 11] = [
    AUDIT_LOCK_SQL,
    AUDIT_HEAD_SQL,
    READ_SEAL_SQL,
    KNOWN_JTIS_SQL,
    KNOWN_CARDS_SQL,
    INSERT_JTIS_SQL,
    INSERT_TOKENS_SQL,
    INSERT_CVCS_SQL,
    INSERT_CARDS_SQL,
    APPEND_AUDIT_SQL,
    SEAL_AUDIT_SQL,
];
const AUDIT_LOCK_SQL: &str = "SELECT pg_advisory_xact_lock($1)";
const AUDIT_HEAD_SQL: &str = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
const READ_SEAL_SQL: &str = "SELECT key, since, seq, hash, mac FROM audit_seal WHERE id = 1";
const KNOWN_JTIS_SQL: &str = "SELECT jti FROM jtis WHERE jti = ANY($1::text[])";
const KNOWN_CARDS_SQL: &str = "SELECT card_key, number, expires_at, refused FROM card_enumeration \
     WHERE card_key = ANY($1::bytea[]) AND expires_at > $2";
const INSERT_JTIS_SQL: &str =
    "INSERT INTO jtis (jti, expires_at) SELECT * FROM unnest($1::text[], $2::bigint[])";
const INSERT_TOKENS_SQL: &str = "INSERT INTO tokens (token, merchant_id, card, data_key_version, \
     brand, last4, bin, exp_month, exp_year, fingerprint, created_at, expires_at) \
     SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::integer[], $5::text[], \
     $6::text[], $7::text[], $8::smallint[], $9::integer[], $10::text[], $11::bigint[], $12::bigint[])";
const INSERT_CVCS_SQL: &str = "INSERT INTO cvcs (token, cvc, expires_at) \
     SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[])";
const INSERT_CARDS_SQL: &str = "INSERT INTO card_enumeration (card_key, number, refused, expires_at) \
     SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::boolean[], $4::bigint[])";
const APPEND_AUDIT_SQL: &str = "INSERT INTO audit (seq, at, request_id, merchant_id, key_kind, \
     client, action, token, outcome, detail, prev_hash, hash) \
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bytea[], $12::bytea[])";
const SEAL_AUDIT_SQL: &str =
    "UPDATE audit_seal SET since = $1, seq = $2, hash = $3, mac = $4 WHERE id = 1";

/// Prepares [`PIPELINED`] on `c`: once per connection, then a look-up in its cache.
async fn prepare(c: &Object) -> Result<(), StoreError> {
    for sql in PIPELINED {
        c.prepare_cached(sql)
            .await
            .map_err(|e| classify("write batch", &e))?;
    }
    Ok(())
}

/// The writer's connection while its transaction is open. Dropped before [`Open::release`] (the
/// batch's time limit ran out mid-way, or the rollback failed), the connection is closed, not
/// given back to the pool inside a transaction, and PostgreSQL rolls the transaction back.
struct Open(Option<Object>);

impl Open {
    /// The connection, until [`Open::release`] or drop (which consume the guard) take it.
    fn client(&self) -> Result<&Object, Failed> {
        self.0.as_ref().ok_or(Failed::Store(StoreError::Closed))
    }

    /// Back to the pool, the transaction ended.
    fn release(mut self) {
        drop(self.0.take());
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(Object::take(conn));
        }
    }
}

impl PgWrites {
    /// One transaction: the audit lock, every op (each in a savepoint when `savepoints`), their
    /// audit entries, the seal, the commit. Without savepoints, a batch of tokenizations (the bulk
    /// of a busy vault's batches) is two round trips: the transaction's start, the lock, the
    /// chain's head, the seal and what the store knows of the tokens' jtis and cards in one; every
    /// row, the audit entries, the seal and the commit in the other. Statements are sent in the
    /// order written (`biased`) and PostgreSQL runs them in that order, so the reads come after
    /// the lock and nothing is committed when a statement before the commit fails.
    async fn run_batch(
        &self,
        ops: &[WriteOp],
        savepoints: bool,
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, Failed> {
        let open = Open(Some(connection(&self.db.writes).await?));
        match self.in_transaction(open.client()?, ops, savepoints).await {
            Ok(answers) => {
                open.release();
                Ok(answers)
            }
            Err(e) => {
                // A connection that can still roll back goes back to the pool.
                if open.client()?.batch_execute("ROLLBACK").await.is_ok() {
                    open.release();
                }
                Err(e)
            }
        }
    }

    async fn in_transaction(
        &self,
        c: &Object,
        ops: &[WriteOp],
        savepoints: bool,
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, Failed> {
        let err = |e: tokio_postgres::Error| Failed::Store(classify("write batch", &e));
        let lead = match savepoints {
            true => 0,
            false => token_run(ops),
        };
        let lead = (lead > 1).then(|| TokenRun::of(&ops[..lead]));
        prepare(c).await?;
        let (_, _, head, row, lead_known) = tokio::try_join!(
            biased;
            async { c.batch_execute("BEGIN").await.map_err(err) },
            async {
                exec(
                    c,
                    "audit lock",
                    AUDIT_LOCK_SQL,
                    &[&AUDIT_LOCK],
                )
                .await
                .map_err(Failed::Store)
            },
            async { audit_head(c).await.map_err(Failed::Store) },
            async {
                match self.seal.get() {
                    Some(_) => read_seal(c).await.map_err(Failed::Store),
                    None => Ok(None),
                }
            },
            async {
                match &lead {
                    Some(run) => run.known(c).await.map(Some).map_err(Failed::Store),
                    None => Ok(None),
                }
            },
        )?;
        let mut lead_known = lead_known;
        let mut chain = head;
        let begin = ops
            .iter()
            .any(|op| matches!(op, WriteOp::Seal { begin: true }));
        let sealing = match self.seal.get() {
            Some(key) => match rules::seal_start(head.seq, &head.hash, row.as_ref(), key, begin) {
                SealStart::Seal(seal) => Some((key, seal)),
                SealStart::Refused(reason) => {
                    if !self.seal_refused.swap(true, Ordering::Relaxed) {
                        tracing::error!(
                            reason,
                            "store: not sealing the audit log (`cardvault audit verify` shows where it changed)"
                        );
                    }
                    None
                }
            },
            None => None,
        };
        let mut answers = Vec::with_capacity(ops.len());
        let mut pending = Vec::new();
        // The rows of the batch's leading run of tokenizations, written with the commit unless an
        // op after the run needs them first.
        let mut unwritten: Option<TokenRows> = None;
        let mut rest = ops;
        while let Some(op) = rest.first() {
            let run = token_run(rest);
            if !savepoints && run > 1 {
                match (lead.as_ref(), lead_known.take()) {
                    (Some(tokens), Some(known)) => {
                        let (outcomes, rows) = tokens.decide(known, &mut pending)?;
                        answers.extend(outcomes);
                        unwritten = Some(rows);
                    }
                    _ => {
                        // Not the batch's first ops: read and write now, the lead's rows first.
                        if let Some(rows) = unwritten.take() {
                            rows.insert(c).await.map_err(retry)?;
                        }
                        let tokens = TokenRun::of(&rest[..run]);
                        let known = tokens.known(c).await.map_err(Failed::Store)?;
                        let (outcomes, rows) = tokens.decide(known, &mut pending)?;
                        rows.insert(c).await.map_err(retry)?;
                        answers.extend(outcomes);
                    }
                }
                rest = &rest[run..];
                continue;
            }
            if let Some(rows) = unwritten.take() {
                rows.insert(c).await.map_err(retry)?;
            }
            rest = &rest[1..];
            if savepoints {
                c.batch_execute("SAVEPOINT op").await.map_err(err)?;
            }
            let mut events = Vec::new();
            let answer = apply(c, op, &mut events).await;
            match &answer {
                Ok(_) | Err(StoreError::Replayed) => {
                    if savepoints {
                        append(c, &mut chain, &events).await?;
                        c.batch_execute("RELEASE op").await.map_err(err)?;
                    } else {
                        pending.extend(events);
                    }
                }
                Err(StoreError::Unavailable) => {
                    return Err(Failed::Store(StoreError::Unavailable));
                }
                Err(_) if savepoints => {
                    c.batch_execute("ROLLBACK TO op; RELEASE op")
                        .await
                        .map_err(err)?;
                }
                Err(_) => return Err(Failed::Retry),
            }
            answers.push(answer);
        }
        // The chain is worked out here, so the rows, the entries, the seal over them and the
        // commit go in one round trip.
        let appended = AuditRows::extend(&mut chain, &pending)?;
        let seal = sealing
            .filter(|(_, seal)| chain.seq != 0 && seal.sealed != Some(chain.seq))
            .map(|(key, seal)| (seal.since, key.seal(seal.since, chain.seq, &chain.hash)));
        // Every statement's answer is awaited (a failed one turns the commit into a rollback), and
        // the first failure in the order sent is the batch's.
        let (tokens, audit, sealed, commit) = tokio::join!(
            biased;
            async {
                match &unwritten {
                    Some(rows) => rows.insert(c).await,
                    None => Ok(()),
                }
            },
            appended.insert(c),
            async {
                let Some((since, mac)) = &seal else {
                    return Ok(());
                };
                exec(
                    c,
                    "seal_audit",
                    SEAL_AUDIT_SQL,
                    &[since, &chain.seq, &chain.hash.as_slice(), &mac.as_slice()],
                )
                .await
                .map(drop)
            },
            c.batch_execute("COMMIT"),
        );
        tokens.map_err(retry)?;
        audit?;
        sealed?;
        commit.map_err(err)?;
        Ok(answers)
    }
}

/// How many of `ops`, from the first, are tokenizations.
fn token_run(ops: &[WriteOp]) -> usize {
    ops.iter()
        .take_while(|op| matches!(op, WriteOp::InsertToken { .. }))
        .count()
}

/// A run's rows failed to go in (a jti stored meanwhile, a constraint): the batch goes again one
/// op at a time, unless the database is away.
fn retry(e: StoreError) -> Failed {
    match e {
        StoreError::Unavailable => Failed::Store(StoreError::Unavailable),
        _ => Failed::Retry,
    }
}

/// One [`WriteOp::InsertToken`] of a run.
struct Insert<'a> {
    record: &'a TokenRecord,
    jti: String,
    jti_expires_at: i64,
    audit: &'a AuditEvent,
    enumeration: Option<super::EnumerationLimit>,
    card_key: [u8; 16],
    number: [u8; 16],
}

/// A run of [`WriteOp::InsertToken`]s, with the answers and audit entries each would have on its
/// own (see [`apply`]), in two statements' worth of round trips whatever the run's length: what
/// the store knows of the run's jtis and cards ([`TokenRun::known`]), then every row the run
/// makes ([`TokenRows::insert`]). The answers are worked out in between, in order, so a token
/// earlier in the run counts for the card memory of a later one and a jti used twice in the run
/// is a replay the second time, as one by one. Under the audit lock nothing else writes jtis or
/// the card memory; should a jti be stored meanwhile all the same, its insert fails, and with it
/// the batch, which goes again one op at a time.
struct TokenRun<'a>(Vec<Insert<'a>>);

/// What the store knows of a run: the jtis already used, the card memory of its cards.
struct Known {
    seen: std::collections::HashSet<String>,
    memory: std::collections::HashMap<[u8; 16], Vec<CardSeen>>,
}

impl<'a> TokenRun<'a> {
    fn of(ops: &'a [WriteOp]) -> TokenRun<'a> {
        TokenRun(
            ops.iter()
                .filter_map(|op| match op {
                    WriteOp::InsertToken {
                        record,
                        jti,
                        jti_expires_at,
                        audit,
                        enumeration,
                    } => {
                        let (card_key, number) = rules::card_keys(record);
                        Some(Insert {
                            record,
                            jti: rules::stored_jti(jti),
                            jti_expires_at: *jti_expires_at,
                            audit,
                            enumeration: *enumeration,
                            card_key,
                            number,
                        })
                    }
                    _ => None,
                })
                .collect(),
        )
    }

    async fn known(&self, c: &impl GenericClient) -> Result<Known, StoreError> {
        let jtis: Vec<&str> = self.0.iter().map(|op| op.jti.as_str()).collect();
        let card_keys: Vec<&[u8]> = self
            .0
            .iter()
            .filter(|op| op.enumeration.is_some())
            .map(|op| op.card_key.as_slice())
            .collect();
        let since = self
            .0
            .iter()
            .map(|op| op.record.created_at)
            .min()
            .unwrap_or(0);
        let jti_params: [&(dyn ToSql + Sync); 1] = [&jtis];
        let memory_params: [&(dyn ToSql + Sync); 2] = [&card_keys, &since];
        let (known, remembered) = tokio::try_join!(
            biased;
            rows(
                c,
                "insert_token: jti",
                KNOWN_JTIS_SQL,
                &jti_params,
            ),
            rows(
                c,
                "insert_token: card memory",
                KNOWN_CARDS_SQL,
                &memory_params,
            ),
        )?;
        let seen = known
            .iter()
            .map(|row| column::<String>(row, 0))
            .collect::<Result<_, StoreError>>()?;
        let mut memory: std::collections::HashMap<[u8; 16], Vec<CardSeen>> =
            std::collections::HashMap::new();
        for row in &remembered {
            let card_key: Vec<u8> = column(row, 0)?;
            let number: Vec<u8> = column(row, 1)?;
            memory
                .entry(card_key.try_into().map_err(|_| StoreError::Database)?)
                .or_default()
                .push(CardSeen {
                    number: number.try_into().map_err(|_| StoreError::Database)?,
                    until: column(row, 2)?,
                    refused: column(row, 3)?,
                });
        }
        Ok(Known { seen, memory })
    }

    /// Each op's answer, in order, and the rows the run makes; its audit entries go to `events`.
    #[allow(clippy::type_complexity)]
    fn decide(
        &'a self,
        known: Known,
        events: &mut Vec<AuditEvent>,
    ) -> Result<(Vec<Result<WriteOutcome, StoreError>>, TokenRows<'a>), StoreError> {
        let Known {
            mut seen,
            mut memory,
        } = known;
        let mut answers = Vec::with_capacity(self.0.len());
        let mut rows = TokenRows {
            made: Vec::with_capacity(self.0.len()),
            remembered: Vec::new(),
        };
        for op in &self.0 {
            // A replay is answered as such, whatever the card (as the single vault does).
            if seen.contains(&op.jti) {
                events.push(rules::replayed(op.audit));
                answers.push(Err(StoreError::Replayed));
                continue;
            }
            let admission = match op.enumeration {
                Some(limit) => {
                    let numbers: Vec<CardSeen> = memory
                        .get(&op.card_key)
                        .into_iter()
                        .flatten()
                        .filter(|seen| seen.until > op.record.created_at)
                        .copied()
                        .collect();
                    rules::admit(
                        &numbers,
                        op.card_key,
                        op.number,
                        op.record.created_at,
                        limit,
                    )
                }
                None => Admission::Unchecked,
            };
            let (remember, answer) = match admission {
                Admission::Refused(remember) => (remember, Ok(WriteOutcome::Enumeration)),
                Admission::New(card_key, seen) => (Some((card_key, seen)), Ok(WriteOutcome::Done)),
                Admission::Known | Admission::Unchecked => (None, Ok(WriteOutcome::Done)),
            };
            if let Some((card_key, card)) = remember {
                memory.entry(card_key).or_default().push(card);
                rows.remembered.push((card_key, card));
            }
            if matches!(answer, Ok(WriteOutcome::Done)) {
                seen.insert(op.jti.clone());
                rows.made.push(op);
                events.push(op.audit.clone());
            } else {
                events.push(enumeration_refusal(op.audit));
            }
            answers.push(answer);
        }
        Ok((answers, rows))
    }
}

/// The rows a run of tokenizations makes: its tokens (with their jtis and CVCs) and what the
/// card memory learnt.
struct TokenRows<'a> {
    made: Vec<&'a Insert<'a>>,
    remembered: Vec<([u8; 16], CardSeen)>,
}

impl TokenRows<'_> {
    async fn insert(&self, c: &impl GenericClient) -> Result<(), StoreError> {
        let made = &self.made;
        let jti: Vec<&str> = made.iter().map(|op| op.jti.as_str()).collect();
        let jti_expires_at: Vec<i64> = made.iter().map(|op| op.jti_expires_at).collect();
        let records: Vec<&TokenRecord> = made.iter().map(|op| op.record).collect();
        let with_cvc: Vec<&TokenRecord> = records
            .iter()
            .copied()
            .filter(|r| r.cvc.is_some())
            .collect();
        let cvc_token: Vec<&str> = with_cvc.iter().map(|r| r.token.as_str()).collect();
        let cvc: Vec<Option<&[u8]>> = with_cvc.iter().map(|r| r.cvc.as_deref()).collect();
        let cvc_expires_at: Vec<Option<i64>> = with_cvc.iter().map(|r| r.cvc_expires_at).collect();
        let memory_key: Vec<&[u8]> = self.remembered.iter().map(|(k, _)| k.as_slice()).collect();
        let memory_number: Vec<&[u8]> = self
            .remembered
            .iter()
            .map(|(_, s)| s.number.as_slice())
            .collect();
        let memory_refused: Vec<bool> = self.remembered.iter().map(|(_, s)| s.refused).collect();
        let memory_until: Vec<i64> = self.remembered.iter().map(|(_, s)| s.until).collect();
        let jti_params: [&(dyn ToSql + Sync); 2] = [&jti, &jti_expires_at];
        // A jti stored meanwhile is a unique violation: the transaction fails, nothing of it
        // is committed.
        tokio::try_join!(
            biased;
            async {
                if jti.is_empty() {
                    return Ok(0);
                }
                exec(
                    c,
                    "insert_token: jti",
                    INSERT_JTIS_SQL,
                    &jti_params,
                )
                .await
            },
            async {
                if records.is_empty() {
                    return Ok(0);
                }
                insert_token_rows(c, "insert_token", &records).await
            },
            async {
                if cvc_token.is_empty() {
                    return Ok(0);
                }
                exec(
                    c,
                    "insert_token: cvc",
                    INSERT_CVCS_SQL,
                    &[&cvc_token, &cvc, &cvc_expires_at],
                )
                .await
            },
            async {
                if memory_key.is_empty() {
                    return Ok(0);
                }
                exec(
                    c,
                    "insert_token: card memory",
                    INSERT_CARDS_SQL,
                    &[&memory_key, &memory_number, &memory_refused, &memory_until],
                )
                .await
            },
        )?;
        Ok(())
    }
}

/// The `tokens` rows of `records`, in one statement: a tokenization batch's and an import's.
async fn insert_token_rows(
    c: &impl GenericClient,
    op: &'static str,
    records: &[&TokenRecord],
) -> Result<u64, StoreError> {
    let token: Vec<&str> = records.iter().map(|r| r.token.as_str()).collect();
    let merchant_id: Vec<&str> = records.iter().map(|r| r.merchant_id.as_str()).collect();
    let card: Vec<&[u8]> = records.iter().map(|r| r.card.as_slice()).collect();
    let version = records
        .iter()
        .map(|r| i32::try_from(r.data_key_version).map_err(|_| StoreError::Database))
        .collect::<Result<Vec<i32>, StoreError>>()?;
    let brand: Vec<&str> = records.iter().map(|r| r.brand.as_str()).collect();
    let last4: Vec<&str> = records.iter().map(|r| r.last4.as_str()).collect();
    let bin: Vec<&str> = records.iter().map(|r| r.bin.as_str()).collect();
    let exp_month: Vec<i16> = records.iter().map(|r| i16::from(r.exp_month)).collect();
    let exp_year: Vec<i32> = records.iter().map(|r| i32::from(r.exp_year)).collect();
    let fingerprint: Vec<&str> = records.iter().map(|r| r.fingerprint.as_str()).collect();
    let created_at: Vec<i64> = records.iter().map(|r| r.created_at).collect();
    let expires_at: Vec<Option<i64>> = records.iter().map(|r| r.expires_at).collect();
    exec(
        c,
        op,
        INSERT_TOKENS_SQL,
        &[
            &token,
            &merchant_id,
            &card,
            &version,
            &brand,
            &last4,
            &bin,
            &exp_month,
            &exp_year,
            &fingerprint,
            &created_at,
            &expires_at,
        ],
    )
    .await
}

/// The log's last `seq` and `hash`, read under the audit lock.
async fn audit_head(c: &impl GenericClient) -> Result<Chain, StoreError> {
    match one(c, "audit_head", AUDIT_HEAD_SQL, &[]).await? {
        None => Ok(Chain {
            seq: 0,
            hash: GENESIS,
        }),
        Some(row) => {
            let hash: Vec<u8> = column(&row, 1)?;
            Ok(Chain {
                seq: column(&row, 0)?,
                hash: hash.try_into().map_err(|_| {
                    tracing::error!("store: the audit log's head is malformed");
                    StoreError::Database
                })?,
            })
        }
    }
}

/// Appends `events` to the chain in one statement.
async fn append(
    c: &impl GenericClient,
    chain: &mut Chain,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    AuditRows::extend(chain, events)?.insert(c).await
}

/// Entries of the audit log as the columns of one `INSERT … SELECT FROM unnest(…)`, chained.
struct AuditRows<'a> {
    events: &'a [AuditEvent],
    seqs: Vec<i64>,
    prevs: Vec<Vec<u8>>,
    hashes: Vec<Vec<u8>>,
}

impl<'a> AuditRows<'a> {
    /// The rows of `events`, and `chain` moved on past them.
    fn extend(chain: &mut Chain, events: &'a [AuditEvent]) -> Result<AuditRows<'a>, StoreError> {
        let mut rows = AuditRows {
            events,
            seqs: Vec::with_capacity(events.len()),
            prevs: Vec::with_capacity(events.len()),
            hashes: Vec::with_capacity(events.len()),
        };
        for event in events {
            let seq = chain.seq.checked_add(1).ok_or_else(|| {
                tracing::error!("store: the audit sequence is exhausted");
                StoreError::Database
            })?;
            let hash = entry_hash(&chain.hash, seq, event);
            rows.seqs.push(seq);
            rows.prevs.push(chain.hash.to_vec());
            rows.hashes.push(hash.to_vec());
            *chain = Chain { seq, hash };
        }
        Ok(rows)
    }

    async fn insert(&self, c: &impl GenericClient) -> Result<(), StoreError> {
        let events = self.events;
        if events.is_empty() {
            return Ok(());
        }
        let column_of = |f: fn(&AuditEvent) -> Option<&str>| -> Vec<Option<&str>> {
            events.iter().map(f).collect()
        };
        let at: Vec<i64> = events.iter().map(|e| e.at).collect();
        let request_id = column_of(|e| e.request_id.as_deref());
        let merchant_id = column_of(|e| e.merchant_id.as_deref());
        let key_kind = column_of(|e| e.key_kind.as_deref());
        let client = column_of(|e| e.client.as_deref());
        let action: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        let token = column_of(|e| e.token.as_deref());
        let outcome: Vec<&str> = events.iter().map(|e| e.outcome.as_str()).collect();
        let detail = column_of(|e| e.detail.as_deref());
        exec(
            c,
            "append_audit",
            APPEND_AUDIT_SQL,
            &[
                &self.seqs,
                &at,
                &request_id,
                &merchant_id,
                &key_kind,
                &client,
                &action,
                &token,
                &outcome,
                &detail,
                &self.prevs,
                &self.hashes,
            ],
        )
        .await
        .map(drop)
    }
}

/// Applies one op; its audit entries go to `events` (appended by the caller, in order).
async fn apply(
    c: &impl GenericClient,
    op: &WriteOp,
    events: &mut Vec<AuditEvent>,
) -> Result<WriteOutcome, StoreError> {
    match op {
        WriteOp::InsertToken {
            record,
            jti,
            jti_expires_at,
            audit,
            enumeration,
        } => {
            let stored = rules::stored_jti(jti);
            let admission = match enumeration {
                Some(limit) => {
                    let (card_key, number) = rules::card_keys(record);
                    let numbers = rows(
                        c,
                        "insert_token: card memory",
                        "SELECT number, expires_at, refused FROM card_enumeration \
                         WHERE card_key = $1 AND expires_at > $2",
                        &[&card_key.as_slice(), &record.created_at],
                    )
                    .await?
                    .iter()
                    .map(|row| {
                        let number: Vec<u8> = column(row, 0)?;
                        Ok(CardSeen {
                            number: number.try_into().map_err(|_| StoreError::Database)?,
                            until: column(row, 1)?,
                            refused: column(row, 2)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                    rules::admit(&numbers, card_key, number, record.created_at, *limit)
                }
                None => Admission::Unchecked,
            };
            if let Admission::Refused(remember) = admission {
                // A replay is answered as such, whatever the card (as the single vault does).
                let seen = one(
                    c,
                    "insert_token: jti",
                    "SELECT EXISTS (SELECT 1 FROM jtis WHERE jti = $1)",
                    &[&stored],
                )
                .await?
                .map_or(Ok(false), |row| column::<bool>(&row, 0))?;
                if seen {
                    events.push(rules::replayed(audit));
                    return Err(StoreError::Replayed);
                }
                if let Some((card_key, seen)) = remember {
                    remember_card(c, &card_key, &seen).await?;
                }
                events.push(enumeration_refusal(audit));
                return Ok(WriteOutcome::Enumeration);
            }
            let exp_month = i16::from(record.exp_month);
            let exp_year = i32::from(record.exp_year);
            let version =
                i32::try_from(record.data_key_version).map_err(|_| StoreError::Database)?;
            let made = one(
                c,
                "insert_token",
                "WITH j AS (INSERT INTO jtis (jti, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (jti) DO NOTHING RETURNING jti), \
                 t AS (INSERT INTO tokens (token, merchant_id, card, data_key_version, brand, last4, \
                     bin, exp_month, exp_year, fingerprint, created_at, expires_at) \
                     SELECT $3::text, $4::text, $5::bytea, $6::integer, $7::text, $8::text, $9::text, \
                     $10::smallint, $11::integer, $12::text, $13::bigint, $14::bigint FROM j \
                     RETURNING token), \
                 c AS (INSERT INTO cvcs (token, cvc, expires_at) \
                     SELECT t.token, $15::bytea, $16::bigint FROM t WHERE $15::bytea IS NOT NULL) \
                 SELECT count(*) FROM t",
                &[
                    &stored,
                    jti_expires_at,
                    &record.token,
                    &record.merchant_id,
                    &record.card,
                    &version,
                    &record.brand,
                    &record.last4,
                    &record.bin,
                    &exp_month,
                    &exp_year,
                    &record.fingerprint,
                    &record.created_at,
                    &record.expires_at,
                    &record.cvc,
                    &record.cvc_expires_at,
                ],
            )
            .await?;
            let made: i64 = made.map_or(Ok(0), |row| column(&row, 0))?;
            if made == 0 {
                events.push(rules::replayed(audit));
                return Err(StoreError::Replayed);
            }
            if let Admission::New(card_key, seen) = admission {
                remember_card(c, &card_key, &seen).await?;
            }
            events.push(audit.clone());
            Ok(WriteOutcome::Done)
        }
        WriteOp::DeleteToken {
            merchant_id,
            token,
            audit,
        } => {
            let deleted = exec(
                c,
                "delete_token",
                "DELETE FROM tokens WHERE token = $1 AND merchant_id = $2",
                &[token, merchant_id],
            )
            .await?;
            events.push(not_found_unless(deleted > 0, audit));
            Ok(WriteOutcome::Deleted(deleted > 0))
        }
        WriteOp::TakeCvc {
            merchant_id,
            token,
            now,
            audit,
        } => {
            events.extend(audit.iter().cloned());
            // The row goes whether or not it is still usable: used or expired, it goes now.
            let taken = one(
                c,
                "take_cvc",
                "DELETE FROM cvcs WHERE token = $1 \
                 AND EXISTS (SELECT 1 FROM tokens WHERE token = $1 AND merchant_id = $2) \
                 RETURNING cvc, expires_at",
                &[token, merchant_id],
            )
            .await?;
            let Some(row) = taken else {
                return Ok(WriteOutcome::Cvc(None));
            };
            let cvc: Vec<u8> = column(&row, 0)?;
            let expires_at: i64 = column(&row, 1)?;
            Ok(WriteOutcome::Cvc((expires_at > *now).then_some(cvc)))
        }
        WriteOp::AppendAudit { events: appended } => {
            events.extend(appended.iter().cloned());
            Ok(WriteOutcome::Done)
        }
        WriteOp::Sweep { now, limit } => sweep(c, *now, *limit, events).await,
        WriteOp::InsertMerchant { merchant: m, audit } => {
            let origins = serde_json::to_string(&m.origins).map_err(|_| StoreError::Database)?;
            exec(
                c,
                "insert_merchant",
                "INSERT INTO merchants (id, name, publishable_key, secret_key_hash, origins, \
                 fingerprint_key, token_ttl_secs, require_cvc, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &m.id,
                    &m.name,
                    &m.publishable_key,
                    &m.secret_key_hash.as_slice(),
                    &origins,
                    &m.fingerprint_key,
                    &m.token_ttl_secs,
                    &m.require_cvc,
                    &m.created_at,
                ],
            )
            .await?;
            events.push(audit.clone());
            Ok(WriteOutcome::Done)
        }
        WriteOp::RollMerchantKey {
            merchant_id,
            kind,
            key,
            now,
            usable_until,
            audit,
        } => roll_merchant_key(
            c,
            merchant_id,
            *kind,
            key,
            *now,
            *usable_until,
            audit,
            events,
        )
        .await
        .map(WriteOutcome::Rolled),
        WriteOp::InsertTransportKey {
            key,
            retire_others_at,
            audit,
        } => {
            if let Some((retired_at, usable_until)) = retire_others_at {
                exec(
                    c,
                    "insert_transport_key: retire",
                    "UPDATE transport_keys SET retired_at = $1, usable_until = $2 WHERE retired_at IS NULL",
                    &[retired_at, usable_until],
                )
                .await?;
            }
            let bits = i32::try_from(key.bits).map_err(|_| StoreError::Database)?;
            exec(
                c,
                "insert_transport_key",
                "INSERT INTO transport_keys (kid, private_key, bits, created_at, retired_at, usable_until) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &key.kid,
                    &key.private_key,
                    &bits,
                    &key.created_at,
                    &key.retired_at,
                    &key.usable_until,
                ],
            )
            .await?;
            events.push(audit.clone());
            Ok(WriteOutcome::Done)
        }
        WriteOp::InsertDataKey { key, audit } => {
            let version = i32::try_from(key.version).map_err(|_| StoreError::Database)?;
            exec(
                c,
                "insert_data_key",
                "INSERT INTO data_keys (version, key, created_at) VALUES ($1, $2, $3)",
                &[&version, &key.key, &key.created_at],
            )
            .await?;
            events.extend(audit.iter().cloned());
            Ok(WriteOutcome::Done)
        }
        WriteOp::InsertAuditSealKey { key } => {
            exec(
                c,
                "insert_audit_seal_key",
                "INSERT INTO audit_seal (id, key) VALUES (1, $1)",
                &[key],
            )
            .await?;
            Ok(WriteOutcome::Done)
        }
        WriteOp::Seal { .. } => Ok(WriteOutcome::Done),
        WriteOp::InsertReceiver { receiver, audit } => {
            exec(
                c,
                "insert_receiver",
                "INSERT INTO receivers (merchant_id, name, url, created_at) VALUES ($1, $2, $3, $4)",
                &[
                    &receiver.merchant_id,
                    &receiver.name,
                    &receiver.url,
                    &receiver.created_at,
                ],
            )
            .await?;
            events.push(audit.clone());
            Ok(WriteOutcome::Done)
        }
        WriteOp::RemoveReceiver {
            merchant_id,
            name,
            audit,
        } => {
            let removed = exec(
                c,
                "remove_receiver",
                "DELETE FROM receivers WHERE merchant_id = $1 AND name = $2",
                &[merchant_id, name],
            )
            .await?;
            events.push(not_found_unless(removed > 0, audit));
            Ok(WriteOutcome::Deleted(removed > 0))
        }
        WriteOp::ReplaceWrappedKey { id, old, new } => {
            let changed = match id {
                WrappedKeyId::Fingerprint(id) => {
                    exec(
                        c,
                        "replace_wrapped_key",
                        "UPDATE merchants SET fingerprint_key = $1 WHERE id = $3 AND fingerprint_key = $2",
                        &[new, old, id],
                    )
                    .await?
                }
                WrappedKeyId::Transport(kid) => {
                    exec(
                        c,
                        "replace_wrapped_key",
                        "UPDATE transport_keys SET private_key = $1 WHERE kid = $3 AND private_key = $2",
                        &[new, old, kid],
                    )
                    .await?
                }
                WrappedKeyId::Data(version) => {
                    let version = i32::try_from(*version).map_err(|_| StoreError::Database)?;
                    exec(
                        c,
                        "replace_wrapped_key",
                        "UPDATE data_keys SET key = $1 WHERE version = $3 AND key = $2",
                        &[new, old, &version],
                    )
                    .await?
                }
                WrappedKeyId::AuditSeal => {
                    exec(
                        c,
                        "replace_wrapped_key",
                        "UPDATE audit_seal SET key = $1 WHERE id = 1 AND key = $2",
                        &[new, old],
                    )
                    .await?
                }
            };
            Ok(WriteOutcome::Changed(changed > 0))
        }
        WriteOp::ResealCards { cards, to_version } => {
            let to = i32::try_from(*to_version).map_err(|_| StoreError::Database)?;
            let mut tokens = Vec::with_capacity(cards.len());
            let mut from = Vec::with_capacity(cards.len());
            let mut sealed = Vec::with_capacity(cards.len());
            for (card, blob) in cards {
                tokens.push(card.token.as_str());
                from.push(i32::try_from(card.data_key_version).map_err(|_| StoreError::Database)?);
                sealed.push(blob.as_slice());
            }
            // One statement for the batch (one round trip); a row whose CVC is waiting, or that
            // another rewrap or a deletion got to first, is left as it is.
            let changed = exec(
                c,
                "reseal_cards",
                "UPDATE tokens t SET card = r.card, data_key_version = $4 \
                 FROM UNNEST($1::text[], $2::int4[], $3::bytea[]) AS r (token, version, card) \
                 WHERE t.token = r.token AND t.data_key_version = r.version \
                 AND NOT EXISTS (SELECT 1 FROM cvcs v WHERE v.token = t.token)",
                &[&tokens, &from, &sealed, &to],
            )
            .await?;
            Ok(WriteOutcome::Count(changed))
        }
        WriteOp::DestroyDataKey { version, audit } => {
            let version = i32::try_from(*version).map_err(|_| StoreError::Database)?;
            let destroyed = exec(
                c,
                "destroy_data_key",
                "DELETE FROM data_keys WHERE version = $1 \
                 AND EXISTS (SELECT 1 FROM data_keys WHERE version > $1) \
                 AND NOT EXISTS (SELECT 1 FROM tokens WHERE data_key_version = $1)",
                &[&version],
            )
            .await?;
            if destroyed > 0 {
                events.push(audit.clone());
            }
            Ok(WriteOutcome::Changed(destroyed > 0))
        }
        WriteOp::ImportCards {
            merchant_id,
            cards,
            audit,
        } => {
            let outcomes = import_cards(c, merchant_id, cards, events).await?;
            events.extend(audit.iter().cloned());
            Ok(WriteOutcome::Imported(outcomes))
        }
        WriteOp::SetNextMasterKey { next } => {
            exec(c, "set_next_master_key", "DELETE FROM master_key_next", &[]).await?;
            if let Some(next) = next {
                let (kind, module, token, label) = rules::next_custody_columns(&next.custody);
                exec(
                    c,
                    "set_next_master_key",
                    "INSERT INTO master_key_next (id, key_id, kind, module, token, label, auth) \
                     VALUES (1, $1, $2, $3, $4, $5, $6)",
                    &[&next.key_id, &kind, &module, &token, &label, &next.auth],
                )
                .await?;
            }
            Ok(WriteOutcome::Done)
        }
    }
}

/// See [`WriteOp::ImportCards`], in three statements whatever the batch's size: the ids, those
/// already known with their tokens' rows, the new token rows. The entries of the cards stored go
/// to `events`, in order.
async fn import_cards(
    c: &impl GenericClient,
    merchant_id: &str,
    cards: &[ImportedCard],
    events: &mut Vec<AuditEvent>,
) -> Result<Vec<ImportOutcome>, StoreError> {
    let ids: Vec<&str> = cards.iter().map(|c| c.import_id.as_str()).collect();
    let tokens: Vec<&str> = cards.iter().map(|c| c.record.token.as_str()).collect();
    let created: Vec<i64> = cards.iter().map(|c| c.record.created_at).collect();
    let made = rows(
        c,
        "import_cards",
        "INSERT INTO imports (merchant_id, import_id, token, created_at) \
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::bigint[]) \
         ON CONFLICT (merchant_id, import_id) DO NOTHING RETURNING import_id",
        &[&merchant_id, &ids, &tokens, &created],
    )
    .await?
    .iter()
    .map(|row| column::<String>(row, 0))
    .collect::<Result<std::collections::HashSet<String>, StoreError>>()?;
    let known_ids: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !made.contains(*id))
        .collect();
    let mut known = std::collections::HashMap::new();
    if !known_ids.is_empty() {
        for row in rows(
            c,
            "import_cards: known",
            "SELECT i.import_id, i.token, t.token, t.merchant_id, t.card, NULL::bytea, NULL::bigint, \
             t.data_key_version, t.brand, t.last4, t.bin, t.exp_month, t.exp_year, t.fingerprint, \
             t.created_at, t.expires_at FROM imports i \
             LEFT JOIN tokens t ON t.token = i.token AND t.merchant_id = i.merchant_id \
             WHERE i.merchant_id = $1 AND i.import_id = ANY($2::text[])",
            &[&merchant_id, &known_ids],
        )
        .await?
        {
            let id: String = column(&row, 0)?;
            let token: String = column(&row, 1)?;
            let stored: Option<String> = column(&row, 2)?;
            let record = match stored {
                Some(_) => Some(Box::new(token_from_columns(&row, 2)?)),
                None => None,
            };
            known.insert(id, ImportOutcome::Known { token, record });
        }
    }
    let mut outcomes = Vec::with_capacity(cards.len());
    let mut new = Vec::with_capacity(made.len());
    for card in cards {
        if made.contains(&card.import_id) {
            outcomes.push(ImportOutcome::Stored);
            events.push(card.audit.clone());
            new.push(&card.record);
        } else {
            outcomes.push(known.remove(&card.import_id).ok_or_else(|| {
                tracing::error!("store: an imported id is neither new nor known");
                StoreError::Database
            })?);
        }
    }
    if new.is_empty() {
        return Ok(outcomes);
    }
    insert_token_rows(c, "import_cards: tokens", &new).await?;
    Ok(outcomes)
}

async fn remember_card(
    c: &impl GenericClient,
    card_key: &[u8; 16],
    seen: &CardSeen,
) -> Result<(), StoreError> {
    exec(
        c,
        "insert_token: card memory",
        "INSERT INTO card_enumeration (card_key, number, refused, expires_at) VALUES ($1, $2, $3, $4)",
        &[
            &card_key.as_slice(),
            &seen.number.as_slice(),
            &seen.refused,
            &seen.until,
        ],
    )
    .await
    .map(drop)
}

/// See [`WriteOp::RollMerchantKey`]. The merchant's row is locked first: two rolls of one
/// merchant at once run one after the other (the audit lock serialises them too).
#[allow(clippy::too_many_arguments)]
async fn roll_merchant_key(
    c: &impl GenericClient,
    merchant_id: &str,
    kind: MerchantKeyKind,
    key: &[u8],
    now: i64,
    usable_until: i64,
    audit: &AuditEvent,
    events: &mut Vec<AuditEvent>,
) -> Result<Option<MerchantKeyRecord>, StoreError> {
    let current = match kind {
        MerchantKeyKind::Publishable => {
            "SELECT convert_to(publishable_key, 'UTF8'), COALESCE(publishable_key_since, created_at) \
             FROM merchants WHERE id = $1 FOR UPDATE"
        }
        MerchantKeyKind::Secret => {
            "SELECT secret_key_hash, COALESCE(secret_key_since, created_at) \
             FROM merchants WHERE id = $1 FOR UPDATE"
        }
    };
    let merchant_id = merchant_id.to_owned();
    let Some(row) = one(c, "roll_merchant_key", current, &[&merchant_id]).await? else {
        return Ok(None);
    };
    let until = usable_until.max(now);
    let replaced = MerchantKeyRecord {
        merchant_id: merchant_id.clone(),
        kind,
        key: column(&row, 0)?,
        created_at: column(&row, 1)?,
        retired_at: Some(now),
        usable_until: Some(until),
    };
    match kind {
        MerchantKeyKind::Publishable => {
            let text = std::str::from_utf8(key).map_err(|_| StoreError::Database)?;
            exec(
                c,
                "roll_merchant_key",
                "UPDATE merchants SET publishable_key = $2, publishable_key_since = $3 WHERE id = $1",
                &[&merchant_id, &text, &now],
            )
            .await?
        }
        MerchantKeyKind::Secret => {
            exec(
                c,
                "roll_merchant_key",
                "UPDATE merchants SET secret_key_hash = $2, secret_key_since = $3 WHERE id = $1",
                &[&merchant_id, &key, &now],
            )
            .await?
        }
    };
    let kind_name = kind.name();
    // No earlier key outlives the one replaced now: a roll with no grace ends them all.
    exec(
        c,
        "roll_merchant_key",
        "UPDATE previous_merchant_keys SET usable_until = $3 \
         WHERE merchant_id = $1 AND kind = $2 AND usable_until > $3",
        &[&merchant_id, &kind_name, &until],
    )
    .await?;
    exec(
        c,
        "roll_merchant_key",
        "INSERT INTO previous_merchant_keys (merchant_id, kind, key, created_at, retired_at, usable_until) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &merchant_id,
            &kind_name,
            &replaced.key,
            &replaced.created_at,
            &now,
            &until,
        ],
    )
    .await?;
    let roll = rules::key_rolled(audit, &replaced, key, now);
    let over = rows(
        c,
        "roll_merchant_key",
        "DELETE FROM previous_merchant_keys \
         WHERE merchant_id = $1 AND kind = $2 AND usable_until <= $3 \
         RETURNING merchant_id, kind, key, created_at, retired_at, usable_until",
        &[&merchant_id, &kind_name, &now],
    )
    .await?;
    events.push(roll.clone());
    for row in &over {
        events.push(rules::key_retired(
            &merchant_key_from_row(row)?,
            now,
            Some(&roll),
        ));
    }
    Ok(Some(replaced))
}

/// The sweep: under the audit lock, so one instance sweeps at a time and the others find
/// nothing left to do.
async fn sweep(
    c: &impl GenericClient,
    now: i64,
    limit: u32,
    events: &mut Vec<AuditEvent>,
) -> Result<WriteOutcome, StoreError> {
    let limit_sql = i64::from(limit);
    let expired = rows(
        c,
        "sweep",
        "DELETE FROM tokens WHERE token IN \
         (SELECT token FROM tokens WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2) \
         RETURNING token, merchant_id",
        &[&now, &limit_sql],
    )
    .await?;
    for row in &expired {
        events.push(AuditEvent {
            at: now,
            request_id: None,
            merchant_id: Some(column(row, 1)?),
            key_kind: None,
            client: None,
            action: "expiry_sweep".to_owned(),
            token: Some(column(row, 0)?),
            outcome: "ok".to_owned(),
            detail: Some("token expired".to_owned()),
        });
    }
    let cvcs = exec(
        c,
        "sweep",
        "DELETE FROM cvcs WHERE token IN (SELECT token FROM cvcs WHERE expires_at <= $1 LIMIT $2)",
        &[&now, &limit_sql],
    )
    .await?;
    if cvcs > 0 {
        events.push(AuditEvent {
            at: now,
            request_id: None,
            merchant_id: None,
            key_kind: None,
            client: None,
            action: "expiry_sweep".to_owned(),
            token: None,
            outcome: "ok".to_owned(),
            detail: Some(format!("{cvcs} expired CVCs destroyed")),
        });
    }
    let jtis = exec(
        c,
        "sweep",
        // The database's clock, not this instance's: an instance whose clock runs ahead must not
        // forget a jti that another instance would still accept.
        "DELETE FROM jtis WHERE jti IN (SELECT jti FROM jtis \
         WHERE expires_at <= LEAST($1, extract(epoch FROM now())::bigint) LIMIT $2)",
        &[&now, &limit_sql],
    )
    .await?;
    let cards = exec(
        c,
        "sweep",
        "DELETE FROM card_enumeration WHERE ctid IN \
         (SELECT ctid FROM card_enumeration WHERE expires_at <= $1 LIMIT $2)",
        &[&now, &limit_sql],
    )
    .await?;
    // Full cells: a key idle long enough has its whole burst again, with or without its row.
    let cells = exec(
        c,
        "sweep",
        "DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits \
         WHERE tat < (extract(epoch FROM clock_timestamp()) * 1000000)::bigint LIMIT $1)",
        &[&limit_sql],
    )
    .await?;
    // Previous merchant keys whose grace is over: refused already (the lookups compare
    // `usable_until` with the clocks); deleted and their retirement audited now.
    let retired = rows(
        c,
        "sweep",
        "DELETE FROM previous_merchant_keys WHERE (kind, key) IN \
         (SELECT kind, key FROM previous_merchant_keys WHERE usable_until <= $1 LIMIT $2) \
         RETURNING merchant_id, kind, key, created_at, retired_at, usable_until",
        &[&now, &limit_sql],
    )
    .await?;
    for row in &retired {
        events.push(rules::key_retired(&merchant_key_from_row(row)?, now, None));
    }
    let limit = u64::from(limit);
    let tokens_deleted = expired.len() as u64;
    let keys_retired = retired.len() as u64;
    Ok(WriteOutcome::Swept(SweepReport {
        tokens_deleted,
        cvcs_cleared: cvcs,
        jtis_deleted: jtis,
        keys_retired,
        more: tokens_deleted >= limit
            || cvcs >= limit
            || jtis >= limit
            || cards >= limit
            || cells >= limit
            || keys_retired >= limit,
    }))
}

#[cfg(test)]
mod tests {
    use super::target;

    fn tls(url: &str) -> Result<bool, String> {
        target(url, None).map(|t| t.tls.is_some())
    }

    #[test]
    fn plain_text_only_on_this_machine_or_when_asked_for() {
        assert_eq!(tls("postgres://u@127.0.0.1:5432/x"), Ok(false));
        assert_eq!(tls("postgres://u@localhost/x"), Ok(false));
        assert_eq!(
            tls("postgres://u@db.example/x"),
            Ok(true),
            "another host: TLS by default"
        );
        assert_eq!(tls("postgres://u@db.example/x?sslmode=disable"), Ok(false));
        assert_eq!(tls("postgres://u@127.0.0.1/x?sslmode=require"), Ok(true));
        assert_eq!(
            tls("postgres://u@db.example/x?sslmode=verify-full"),
            Ok(true)
        );
        // A CA means TLS; with sslmode=disable it is a contradiction.
        assert_eq!(
            tls("postgres://u@127.0.0.1/x?sslrootcert=/nonexistent").map_err(|_| ()),
            Err(())
        );
        assert!(
            target(
                "postgres://u@127.0.0.1/x?sslmode=disable&sslrootcert=/x",
                None
            )
            .is_err()
        );
        for refused in ["prefer", "allow", "bogus"] {
            assert!(tls(&format!("postgres://u@db.example/x?sslmode={refused}")).is_err());
        }
    }
}
