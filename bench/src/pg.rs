//! The PostgreSQL server the bench's vaults share (`--database-url`, a superuser's URL: `cargo
//! xtask bench` starts a throwaway cluster of its own, as `cargo xtask test` does, and passes
//! it): a fresh database per load, the server's processes pinned to the cores the figure says,
//! and the server's own counters (commits, WAL flushes, CPU) around a load, to say where the
//! time goes.

use std::fs;
use std::process::{Command, Stdio};

use tokio_postgres::{Client, NoTls};

/// A connection to the server, as its superuser.
pub struct Server {
    url: url::Url,
    runtime: tokio::runtime::Runtime,
    client: Client,
    /// The postmaster's process id: every connection's backend is forked from it, so pinning it
    /// pins the backends of connections made afterwards.
    postmaster: u32,
}

/// The server's counters at one moment.
#[derive(Clone, Copy, Default)]
pub struct Counters {
    /// Transactions committed, in every database.
    pub commits: i64,
    /// WAL records written.
    pub wal_records: i64,
    /// Bytes of WAL written.
    pub wal_bytes: i64,
    /// WAL flushes to disk (`fsync`/`fdatasync` of WAL files).
    pub wal_syncs: i64,
    /// CPU time of the server's processes (the postmaster's children), in clock ticks.
    pub cpu_ticks: u64,
}

impl Counters {
    /// What happened between `self` (before) and `after`.
    pub fn until(&self, after: &Counters) -> Counters {
        Counters {
            commits: after.commits - self.commits,
            wal_records: after.wal_records - self.wal_records,
            wal_bytes: after.wal_bytes - self.wal_bytes,
            wal_syncs: after.wal_syncs - self.wal_syncs,
            cpu_ticks: after.cpu_ticks.saturating_sub(self.cpu_ticks),
        }
    }
}

impl Server {
    pub fn connect(url: &str) -> Result<Server, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("--database-url: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("starting a runtime: {e}"))?;
        let client = runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(url, NoTls)
                .await
                .map_err(|e| format!("connecting to {}: {e}", redacted(&parsed)))?;
            tokio::spawn(connection);
            Ok::<_, String>(client)
        })?;
        let mut server = Server {
            url: parsed,
            runtime,
            client,
            postmaster: 0,
        };
        let backend: i32 = server.value("SELECT pg_backend_pid()")?;
        let backend = u32::try_from(backend).map_err(|_| "a negative backend pid".to_owned())?;
        server.postmaster = parent_of(backend).ok_or_else(|| {
            "the PostgreSQL server is not on this machine (its processes are not in /proc): the \
             bench pins them to a core"
                .to_owned()
        })?;
        Ok(server)
    }

    fn value<T: for<'a> tokio_postgres::types::FromSql<'a>>(&self, sql: &str) -> Result<T, String> {
        self.runtime.block_on(async {
            let row = self
                .client
                .query_one(sql, &[])
                .await
                .map_err(|e| format!("{sql}: {e}"))?;
            row.try_get(0).map_err(|e| format!("{sql}: {e}"))
        })
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        self.runtime
            .block_on(self.client.batch_execute(sql))
            .map_err(|e| format!("{sql}: {e}"))
    }

    /// A new, empty database `name` (dropped first if a killed run left it): its URL.
    pub fn fresh_database(&self, name: &str) -> Result<String, String> {
        self.drop_database(name)?;
        self.execute(&format!("CREATE DATABASE {name}"))?;
        let mut url = self.url.clone();
        url.set_path(&format!("/{name}"));
        Ok(url.to_string())
    }

    /// Drops `name`, even with connections left on it (a vault just killed).
    pub fn drop_database(&self, name: &str) -> Result<(), String> {
        self.execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    }

    /// Pins the server's processes (the postmaster and every child, so also the backends forked
    /// later) to `cores` (`taskset` syntax: `1`, `0,1`).
    pub fn pin(&self, cores: &str) -> Result<(), String> {
        let mut pids = vec![self.postmaster];
        pids.extend(children_of(self.postmaster));
        for pid in pids {
            let status = Command::new("taskset")
                .args(["-a", "-p", "-c", cores, &pid.to_string()])
                .stdout(Stdio::null())
                .status()
                .map_err(|e| format!("running taskset: {e}"))?;
            // A child may have ended in between (a backend of a closed connection).
            if !status.success() && fs::metadata(format!("/proc/{pid}")).is_ok() {
                return Err(format!("taskset -p -c {cores} {pid} failed ({status})"));
            }
        }
        Ok(())
    }

    pub fn counters(&self) -> Result<Counters, String> {
        let commits: i64 = self.value("SELECT sum(xact_commit)::bigint FROM pg_stat_database")?;
        let wal_records: i64 = self.value("SELECT wal_records FROM pg_stat_wal")?;
        let wal_bytes: i64 = self.value("SELECT wal_bytes::bigint FROM pg_stat_wal")?;
        let wal_syncs: i64 = self.value("SELECT wal_sync FROM pg_stat_wal")?;
        let cpu_ticks = children_of(self.postmaster)
            .into_iter()
            .chain([self.postmaster])
            .filter_map(cpu_ticks)
            .sum();
        Ok(Counters {
            commits,
            wal_records,
            wal_bytes,
            wal_syncs,
            cpu_ticks,
        })
    }
}

/// The URL without its password, for messages.
fn redacted(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_password(None);
    url.to_string()
}

/// Fields of `/proc/PID/stat` after the command name (which may hold spaces): field 3 is the
/// first of them.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// User and system time of a process (all its threads), in clock ticks (`USER_HZ`, 100 on Linux).
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let fields = stat_fields(pid)?;
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_of(pid) == Some(parent))
        .collect()
}
