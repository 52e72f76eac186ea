//! A throwaway PostgreSQL cluster for the tests: its own data dir under `target/pg-test`, on
//! 127.0.0.1 and a free port, trust authentication for the superuser `postgres`, stopped when
//! the guard drops (at the end of `cargo xtask test`, passed or failed). A PostgreSQL already
//! running on the machine is never used: its settings, users and data are not ours to rely on.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::install::{self, POSTGRES_BIN};
use crate::process::{self, command, stdout_of, target_dir};

/// The Unix user that owns the cluster when we run as root: `initdb` refuses to run as root.
const SERVICE_USER: &str = "postgres";

/// Settings of the test cluster. Roomy: every HTTP test opens a vault with a pool of its own,
/// in parallel, on a fresh database of its own.
const SETTINGS: &[&str] = &["max_connections=300"];

/// A running test cluster; dropping it stops PostgreSQL.
pub struct TestCluster {
    /// Holds `data/` (the cluster), `postgres.log` and the server's Unix socket.
    dir: PathBuf,
    as_service_user: bool,
    port: u16,
}

impl TestCluster {
    /// Creates and starts the cluster in `target/NAME`, removing what a killed run left
    /// behind there first.
    pub fn start(name: &str) -> Result<TestCluster, String> {
        let initdb = Path::new(POSTGRES_BIN).join("initdb");
        if !initdb.is_file() {
            return Err(format!(
                "{} not found: the tests on PostgreSQL need PostgreSQL 15 (Debian package \
                 postgresql); install it, or run `cargo xtask test` as root without --no-install",
                initdb.display()
            ));
        }
        let as_service_user = install::is_root();
        let dir = cluster_dir(name, as_service_user)?;
        let port = free_port()?;
        let cluster = TestCluster {
            dir,
            as_service_user,
            port,
        };
        cluster.remove_stale()?;
        fs::create_dir_all(&cluster.dir)
            .map_err(|err| format!("cannot create {}: {err}", cluster.dir.display()))?;
        if as_service_user {
            process::run(
                command("chown")
                    .args([SERVICE_USER, "--"])
                    .arg(&cluster.dir),
            )?;
        }
        let started = Instant::now();
        // Quiet unless it fails (its error is in the message): it prints a page of progress.
        // Without syncing to disk: the cluster is thrown away, and a crash of the machine
        // mid-run is not what the tests are about.
        stdout_of(
            cluster
                .pg("initdb")
                .arg("-D")
                .arg(cluster.data())
                .args(["-A", "trust", "-U", "postgres", "--no-sync"])
                .args(["--encoding", "UTF8", "--locale", "C"]),
        )?;
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1",
            cluster.dir.display()
        );
        for setting in SETTINGS {
            options.push_str(" -c ");
            options.push_str(setting);
        }
        process::run(
            cluster
                .pg("pg_ctl")
                .arg("-D")
                .arg(cluster.data())
                .arg("-l")
                .arg(cluster.dir.join("postgres.log"))
                .args(["-o", &options, "-w", "start"]),
        )
        .map_err(|err| format!("{err}; see {}", cluster.dir.join("postgres.log").display()))?;
        println!(
            "xtask: PostgreSQL test cluster on 127.0.0.1:{port} ({}), up in {:.1} s",
            process::relative(&cluster.dir).display(),
            started.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// The superuser's URL, for `CARDVAULT_TEST_DATABASE_URL`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A PostgreSQL program, run as the service user when we are root.
    fn pg(&self, program: &str) -> Command {
        let path = Path::new(POSTGRES_BIN).join(program);
        if self.as_service_user {
            let mut cmd = command("runuser");
            cmd.args(["-u", SERVICE_USER, "--"]).arg(path);
            cmd
        } else {
            command(path)
        }
    }

    /// Stops a server a killed run left on our data dir (it would hold the socket and the
    /// memory), then removes the dir.
    fn remove_stale(&self) -> Result<(), String> {
        if !self.dir.exists() {
            return Ok(());
        }
        if self.data().join("postmaster.pid").exists() {
            println!("xtask: stopping the PostgreSQL test cluster a previous run left running");
            let _ = stdout_of(self.pg("pg_ctl").arg("-D").arg(self.data()).args([
                "-m",
                "immediate",
                "-w",
                "stop",
            ]));
        }
        println!(
            "xtask: removing {}, left by a previous run",
            process::relative(&self.dir).display()
        );
        fs::remove_dir_all(&self.dir)
            .map_err(|err| format!("cannot remove {}: {err}", self.dir.display()))
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let stopped = stdout_of(
            self.pg("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "fast", "-w", "stop"]),
        );
        match stopped {
            Ok(_) => println!("xtask: PostgreSQL test cluster stopped"),
            Err(err) => println!("xtask: warning: stopping the PostgreSQL test cluster: {err}"),
        }
    }
}

/// `target/NAME`, or, when we run as root and the service user cannot reach it (a checkout
/// under `/root`, mode 0700), `cardvault-NAME` in the system's temporary directory.
fn cluster_dir(name: &str, as_service_user: bool) -> Result<PathBuf, String> {
    let ours = target_dir().join(name);
    if !as_service_user {
        return Ok(ours);
    }
    let parent = target_dir();
    fs::create_dir_all(&parent)
        .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
    let reachable = command("runuser")
        .args(["-u", SERVICE_USER, "--", "test", "-x"])
        .arg(&parent)
        .status()
        .is_ok_and(|status| status.success());
    if reachable {
        Ok(ours)
    } else {
        let elsewhere = std::env::temp_dir().join(format!("cardvault-{name}"));
        println!(
            "xtask: user {SERVICE_USER} cannot enter {}: the PostgreSQL test cluster goes in {}",
            parent.display(),
            elsewhere.display()
        );
        Ok(elsewhere)
    }
}

/// A loopback port that was free a moment ago. PostgreSQL binds it a second later; should
/// something take it in between, `pg_ctl start` fails and says so.
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| format!("no free loopback port: {err}"))
}

/// `cargo xtask pg -- COMMAND…`: runs COMMAND with a throwaway cluster of its own (in
/// `target/pg-shell`, beside a `test` run's) and `CARDVAULT_TEST_DATABASE_URL` set, then stops
/// the cluster: for running a few of the PostgreSQL tests by hand.
pub fn run_with(args: &[String]) -> Result<(), String> {
    let Some((program, rest)) = args.split_first() else {
        return Err("usage: cargo xtask pg -- COMMAND [ARGS…]".into());
    };
    let cluster = TestCluster::start("pg-shell")?;
    let outcome = process::run(
        command(program)
            .args(rest)
            .env("CARDVAULT_TEST_DATABASE_URL", cluster.url())
            .env("POSTGRES_BIN", POSTGRES_BIN),
    );
    drop(cluster);
    outcome
}
