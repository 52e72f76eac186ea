//! A vault cluster for the end-to-end suite: `cardvault serve` instances sharing one PostgreSQL
//! database, a real nginx in front of them, the CLI on the same database, a receiver that
//! records what forwards send, and envelopes sealed here in Rust (with the `cardvault` crate's
//! own sealing, the field's code).
//!
//! Environment (`cargo xtask test` sets it): `CARDVAULT_TEST_DATABASE_URL` (a superuser with
//! trust authentication on a throwaway PostgreSQL, `postgres://postgres@127.0.0.1:PORT/postgres`;
//! each test creates a database of its own there), `POSTGRES_BIN` (PostgreSQL's programs, for
//! `psql` and for a private cluster to restart: default `/usr/lib/postgresql/15/bin`) and
//! `NGINX` (default `/usr/sbin/nginx`).
//!
//! Every process is owned by a guard that kills it on drop, as in the rest of the harness.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cardvault::card::{Card, YearMonth};
use cardvault::envelope::SealingKey;
use serde_json::{Value, json};

use crate::{Response, START_TIMEOUT, exp_year, free_port, http, server_binary, terminate};

/// The master key every instance of a test cluster shares (base64 of 32 bytes).
pub const MASTER_KEY: &str = "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=";

/// The CVC of every card sealed here.
pub const CVC: &str = "123";

/// The trusted proxy of every instance: nginx, on loopback.
pub const TRUSTED_PROXY: &str = "127.0.0.1/32";

fn postgres_bin(program: &str) -> PathBuf {
    let dir = std::env::var_os("POSTGRES_BIN").map_or_else(
        || PathBuf::from("/usr/lib/postgresql/15/bin"),
        PathBuf::from,
    );
    let path = dir.join(program);
    assert!(
        path.is_file(),
        "{} not found (set POSTGRES_BIN); `cargo xtask test` installs postgresql",
        path.display()
    );
    path
}

fn nginx_binary() -> PathBuf {
    let path =
        std::env::var_os("NGINX").map_or_else(|| PathBuf::from("/usr/sbin/nginx"), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found (set NGINX); `cargo xtask test` installs nginx-light",
        path.display()
    );
    path
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A suffix for names that must not collide between tests and runs: the process, the time and
/// a counter.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `psql` on `url`, running `sql`; panics with its stderr when it fails.
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new(postgres_bin("psql"))
        .args([
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql `{sql}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("not a postgres://…/DB URL: {url}"));
    format!("{base}/{name}")
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

/// A fresh database for one test, created on the server that `CARDVAULT_TEST_DATABASE_URL`
/// (or a [`PrivatePostgres`]) names, dropped (with its connections) on drop.
pub struct Database {
    admin_url: String,
    name: String,
    /// The vaults' URL: the new database, as the superuser.
    pub url: String,
}

impl Database {
    /// A fresh database on the suite's PostgreSQL.
    pub fn create() -> Database {
        let admin_url = std::env::var("CARDVAULT_TEST_DATABASE_URL").unwrap_or_else(|_| {
            panic!(
                "CARDVAULT_TEST_DATABASE_URL is not set: the cluster tests need a PostgreSQL \
                 superuser URL (run `cargo xtask test`, or `cargo xtask pg -- cargo test -p \
                 cardvault-e2e --test cluster`)"
            )
        });
        Database::create_on(&admin_url)
    }

    /// A fresh database on the server of `admin_url` (a superuser's URL).
    pub fn create_on(admin_url: &str) -> Database {
        let name = format!("cardvault_e2e_{}", unique_suffix());
        psql(admin_url, &format!("CREATE DATABASE {name}"));
        Database {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Best effort: the server may be down (a failed restart test); the cluster is thrown
        // away at the end of the run anyway.
        let _ = Command::new(postgres_bin("psql"))
            .args(["-X", "-q", "-d", &self.admin_url, "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A PostgreSQL server of a test's own, in a temporary directory, for a test that stops and
/// starts it (the suite's shared one must stay up for the others). Stopped on drop.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
    as_service_user: bool,
}

impl PrivatePostgres {
    /// `initdb`, then `pg_ctl start`, on 127.0.0.1 and a free port; as the `postgres` user when
    /// we run as root (`initdb` refuses root).
    pub fn start() -> PrivatePostgres {
        let dir = tempfile::Builder::new()
            .prefix("cardvault-e2e-pg-")
            .tempdir()
            .expect("temp dir");
        let as_service_user = is_root();
        if as_service_user {
            let chowned = Command::new("chown")
                .args(["postgres", "--"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(chowned.success(), "chown postgres {}", dir.path().display());
        }
        let pg = PrivatePostgres {
            dir,
            port: free_port(),
            as_service_user,
        };
        let out = pg
            .program("initdb")
            .arg("-D")
            .arg(pg.data())
            .args(["-A", "trust", "-U", "postgres", "--no-sync"])
            .args(["--encoding", "UTF8", "--locale", "C"])
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg.start_again();
        pg
    }

    /// The superuser's URL.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn program(&self, name: &str) -> Command {
        if self.as_service_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(postgres_bin(name));
            cmd
        } else {
            Command::new(postgres_bin(name))
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Output {
        let out = self
            .program("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run pg_ctl");
        assert!(
            out.status.success(),
            "pg_ctl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts the server (again), on the same port, and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.pg_ctl(&[
            "-l",
            &log.display().to_string(),
            "-o",
            &options,
            "-w",
            "start",
        ]);
    }

    /// `pg_ctl stop -m fast`: open sessions are ended, their transactions rolled back.
    pub fn stop_fast(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"]);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .program("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

// ---------------------------------------------------------------------------------------------
// The CLI and the instances.

/// `cardvault ARGS… --database-url URL` with the cluster's master key; its output, whatever
/// its exit status.
pub fn cli(database_url: &str, args: &[&str]) -> Output {
    // A data dir of its own, so that nothing lands in the current directory should the command
    // look there.
    let dir = tempfile::Builder::new()
        .prefix("cardvault-e2e-cli-")
        .tempdir()
        .expect("temp dir");
    Command::new(server_binary())
        .args(args)
        .args(["--database-url", database_url])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("CARDVAULT_MASTER_KEY", MASTER_KEY)
        .env_remove("CARDVAULT_MASTER_KEY_FILE")
        .env_remove("CARDVAULT_DATA_DIR")
        .env_remove("CARDVAULT_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run cardvault")
}

/// [`cli`], which must succeed; its stdout.
pub fn cli_ok(database_url: &str, args: &[&str]) -> String {
    let out = cli(database_url, args);
    assert!(
        out.status.success(),
        "`cardvault {}` failed ({}): {}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A merchant made with `cardvault merchant create --json`.
#[derive(Clone, Debug)]
pub struct Merchant {
    pub id: String,
    pub publishable_key: String,
    pub secret_key: String,
    pub origin: String,
}

impl Merchant {
    /// `cardvault merchant create --name NAME --origin ORIGIN --json` on the database.
    pub fn create(database_url: &str, name: &str, origin: &str) -> Merchant {
        let out = cli_ok(
            database_url,
            &[
                "merchant", "create", "--name", name, "--origin", origin, "--json",
            ],
        );
        let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        let field = |name: &str| {
            json[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name}: {json}"))
                .to_owned()
        };
        Merchant {
            id: field("id"),
            publishable_key: field("publishable_key"),
            secret_key: field("secret_key"),
            origin: origin.to_owned(),
        }
    }

    /// `cardvault receiver add` of a loopback receiver (used only with `--dev`, which the
    /// instances run with for this reason).
    pub fn add_receiver(&self, database_url: &str, name: &str, url: &str) {
        cli_ok(
            database_url,
            &[
                "receiver",
                "add",
                "--merchant",
                &self.id,
                "--name",
                name,
                "--url",
                url,
            ],
        );
    }
}

/// `cardvault audit verify --database-url …` must pass.
pub fn assert_audit_verifies(database_url: &str) {
    let out = cli(database_url, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "audit verify failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One `cardvault serve` of a cluster: on the shared database, behind a trusted proxy on
/// loopback, with a data dir of its own (`--dev` keeps its lock and demo merchant there).
pub struct Instance {
    child: Child,
    dir: tempfile::TempDir,
    pub name: String,
    pub addr: SocketAddr,
}

impl Instance {
    /// Starts an instance on a free loopback port with `extra` flags, and waits until it
    /// answers `/healthz`.
    ///
    /// `--dev`: forwards to a loopback receiver (the test's) are allowed only with it. The
    /// master key still comes from `CARDVAULT_MASTER_KEY`, the same for every instance.
    /// `--rate-limit-client 0` unless `extra` says otherwise: the tests' load all comes from
    /// one address.
    pub fn start(name: &str, database_url: &str, extra: &[&str]) -> Instance {
        let mut last = String::new();
        for _ in 0..3 {
            match Instance::try_start(name, database_url, extra) {
                Ok(instance) => return instance,
                Err(log) => last = log,
            }
        }
        panic!("instance {name} did not start; its last log:\n{last}");
    }

    fn try_start(name: &str, database_url: &str, extra: &[&str]) -> Result<Instance, String> {
        let dir = tempfile::Builder::new()
            .prefix("cardvault-e2e-node-")
            .tempdir()
            .expect("temp dir");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("server log");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut cmd = Command::new(server_binary());
        cmd.arg("serve")
            .arg("--dev")
            .args(["--listen", &addr.to_string()])
            .args(["--database-url", database_url])
            .args(["--trusted-proxy", TRUSTED_PROXY])
            .arg("--data-dir")
            .arg(dir.path().join("data"));
        if !extra.contains(&"--rate-limit-client") {
            cmd.args(["--rate-limit-client", "0"]);
        }
        let child = cmd
            .args(extra)
            .env("CARDVAULT_MASTER_KEY", MASTER_KEY)
            .env_remove("CARDVAULT_MASTER_KEY_FILE")
            .env_remove("CARDVAULT_DATA_DIR")
            .env_remove("CARDVAULT_DATABASE_URL")
            .env_remove("CARDVAULT_TRUSTED_PROXIES")
            .env("CARDVAULT_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("server log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the vault: {e}"));
        let mut instance = Instance {
            child,
            dir,
            name: name.to_owned(),
            addr,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = instance.child.try_wait() {
                return Err(format!("(exited with {status})\n{}", instance.log()));
            }
            if http(addr, "GET", "/healthz", &[], "").is_some_and(|r| r.status == 200) {
                return Ok(instance);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "(not serving after {START_TIMEOUT:?})\n{}",
                    instance.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything the instance wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// `kill -9`: no shutdown of any kind.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then SIGKILL after 15 s.
    pub fn stop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(15));
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(60)..].join("\n");
            eprintln!(
                "--- instance {} (last 60 lines) ---\n{tail}\n---",
                self.name
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// nginx.

/// A real nginx on a loopback port, balancing over the instances as a deployment's would:
/// `X-Forwarded-For` and `X-Forwarded-Proto` set, the `Host` passed on (the vault checks a
/// browser's `Origin` against it), and a failed connection retried on the next instance.
pub struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
    pub addr: SocketAddr,
}

impl Nginx {
    /// Starts nginx in front of `upstreams` and waits until it answers.
    pub fn start(upstreams: &[SocketAddr]) -> Nginx {
        let mut last = String::new();
        for _ in 0..3 {
            match Nginx::try_start(upstreams) {
                Ok(nginx) => return nginx,
                Err(log) => last = log,
            }
        }
        panic!("nginx did not start:\n{last}");
    }

    fn try_start(upstreams: &[SocketAddr]) -> Result<Nginx, String> {
        let dir = tempfile::Builder::new()
            .prefix("cardvault-e2e-nginx-")
            .tempdir()
            .expect("temp dir");
        // nginx opens `logs/error.log` under its prefix before it reads the configuration.
        std::fs::create_dir_all(dir.path().join("logs")).expect("nginx logs dir");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let d = dir.path().display();
        let servers: String = upstreams
            .iter()
            .map(|a| format!("    server {a} max_fails=1 fail_timeout=10s;\n"))
            .collect();
        let config = format!(
            r#"worker_processes 1;
error_log {d}/error.log info;
events {{ worker_connections 1024; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/client_body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  upstream vaults {{
{servers}    keepalive 16;
  }}
  server {{
    listen {addr};
    location / {{
      proxy_pass http://vaults;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
    }}
  }}
}}
"#
        );
        std::fs::write(dir.path().join("nginx.conf"), config).expect("nginx.conf");
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(dir.path())
            .args(["-c", "nginx.conf", "-g"])
            .arg(format!("daemon off; pid {d}/nginx.pid;"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("nginx stderr"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start nginx: {e}"));
        let mut nginx = Nginx { child, dir, addr };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                return Err(format!("(exited with {status})\n{}", nginx.log()));
            }
            if http(addr, "GET", "/healthz", &[], "").is_some_and(|r| r.status == 200) {
                return Ok(nginx);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "(not answering after {START_TIMEOUT:?})\n{}",
                    nginx.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT`: the vault's origin as browsers see it.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// nginx's stderr and error log.
    pub fn log(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("stderr.log"), read("error.log"))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(5));
        if std::thread::panicking() {
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            eprintln!("--- nginx (last 30 lines) ---\n{tail}\n---");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Talking to the vault.

/// The vault's transport keys from `addr`'s JWKS: `(kid, key)`, in the JWKS's order.
pub fn sealing_keys(addr: SocketAddr) -> Vec<(String, SealingKey)> {
    let jwks = http(addr, "GET", "/.well-known/jwks.json", &[], "")
        .unwrap_or_else(|| panic!("no answer from {addr} to the JWKS"));
    assert_eq!(jwks.status, 200, "{}", jwks.body);
    jwks.json()["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("no keys in {}", jwks.body))
        .iter()
        .map(|k| {
            let key = SealingKey::from_jwk(
                k["n"].as_str().unwrap_or_default(),
                k["e"].as_str().unwrap_or_default(),
            )
            .unwrap_or_else(|e| panic!("a bad JWK {k}: {e:?}"));
            (key.kid().to_owned(), key)
        })
        .collect()
}

/// The kids in `addr`'s JWKS (`None` when it does not answer).
pub fn jwks_kids(addr: SocketAddr) -> Option<Vec<String>> {
    let jwks = http(addr, "GET", "/.well-known/jwks.json", &[], "")?;
    (jwks.status == 200).then(|| {
        jwks.json()["keys"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| k["kid"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// `number` sealed to `key` for the merchant `pk`, expiring in December of [`exp_year`], with
/// CVC [`CVC`] and a name.
pub fn seal(key: &SealingKey, number: &str, pk: &str) -> String {
    let card = Card::new(
        number,
        12,
        exp_year(),
        Some(CVC),
        Some("Ada Lovelace"),
        YearMonth::now(),
    )
    .expect("a valid test card");
    key.seal(&card, pk, now_secs()).expect("seal")
}

/// `POST /v1/tokens` with `key` (the merchant's `sk_` relaying, or its `pk_` with `Origin`).
/// `None` when the connection failed (the instance is down).
pub fn tokenize(
    addr: SocketAddr,
    key: &str,
    origin: Option<&str>,
    envelope: &str,
) -> Option<Response> {
    tokenize_as(addr, key, origin, None, envelope)
}

/// [`tokenize`] as a client at `client` (an `X-Forwarded-For` the instance believes, since the
/// test is on loopback, a trusted proxy).
pub fn tokenize_as(
    addr: SocketAddr,
    key: &str,
    origin: Option<&str>,
    client: Option<&str>,
    envelope: &str,
) -> Option<Response> {
    let auth = format!("Bearer {key}");
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/jose"),
    ];
    if let Some(origin) = origin {
        headers.push(("Origin", origin));
    }
    if let Some(client) = client {
        headers.push(("X-Forwarded-For", client));
    }
    http(addr, "POST", "/v1/tokens", &headers, envelope)
}

/// `METHOD /v1/tokens/{token}` with the secret key `sk`.
pub fn token_request(addr: SocketAddr, method: &str, token: &str, sk: &str) -> Option<Response> {
    let auth = format!("Bearer {sk}");
    http(
        addr,
        method,
        &format!("/v1/tokens/{token}"),
        &[("Authorization", &auth)],
        "",
    )
}

/// `POST /v1/forward` of `token` to the receiver `receiver`, sending the card's number and,
/// with `cvc`, its CVC, in a JSON body.
pub fn forward(
    addr: SocketAddr,
    sk: &str,
    token: &str,
    receiver: &str,
    cvc: bool,
) -> Option<Response> {
    let body = if cvc {
        r#"{"number":"{{card.number}}","cvc":"{{card.cvc}}"}"#
    } else {
        r#"{"number":"{{card.number}}"}"#
    };
    let request = json!({
        "token": token,
        "receiver": receiver,
        "method": "POST",
        "path": "/charges",
        "headers": {"Content-Type": "application/json"},
        "body": body,
    })
    .to_string();
    let auth = format!("Bearer {sk}");
    http(
        addr,
        "POST",
        "/v1/forward",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &request,
    )
}

/// The error code of a contract error body.
pub fn error_code(response: &Response) -> String {
    response.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Polls `what` every 50 ms until it holds, for at most `timeout`; how long it took.
pub fn within(timeout: Duration, mut what: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    loop {
        if what() {
            return Some(started.elapsed());
        }
        if started.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------------------------
// A receiver.

/// A loopback HTTP receiver (a processor's API, as far as forwards go) that answers every
/// request `200 {"ok":true}` and keeps the bodies it got, so a test sees what was sent.
pub struct Receiver {
    pub url: String,
    addr: SocketAddr,
    bodies: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        let addr = listener.local_addr().expect("receiver address");
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (kept, stopped) = (Arc::clone(&bodies), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let kept = Arc::clone(&kept);
                    // A thread per request: two racing forwards must both get through.
                    std::thread::spawn(move || receive(stream, &kept));
                }
            }
        });
        Receiver {
            url: format!("http://{addr}/"),
            addr,
            bodies,
            stop,
            thread: Some(thread),
        }
    }

    /// The bodies received so far.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

fn receive(mut stream: TcpStream, kept: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let body = loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
        let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let length = head
            .split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim() == "content-length")
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if raw.len() >= split + 4 + length {
            break String::from_utf8_lossy(&raw[split + 4..split + 4 + length]).into_owned();
        }
    };
    if let Ok(mut bodies) = kept.lock() {
        bodies.push(body);
    }
    let answer = "{\"ok\":true}";
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .as_bytes(),
    );
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Load.

/// A tokenization answered 201.
#[derive(Clone, Debug)]
pub struct Ack {
    /// The target's name.
    pub target: String,
    pub token: String,
    /// When the answer came, since the load started.
    pub at: Duration,
}

/// What a load run saw: per target, the tokens acknowledged (201) and the other outcomes.
#[derive(Default, Debug)]
pub struct LoadOutcome {
    pub acknowledged: Vec<Ack>,
    /// `(target name, status or 0 for no answer, error code, seconds the request took, when
    /// it ended in seconds since the load started)` of every other outcome.
    pub failed: Vec<(String, u16, String, f64, f64)>,
}

/// Tokenizations with `sk` from `threads` threads per target until `stop` is set, each sealed
/// to `key` for `pk`. Targets are `(name, address)`: an instance, or nginx.
pub struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<LoadOutcome>>,
    /// Requests ended so far, over all threads.
    pub done: Arc<AtomicU64>,
    /// When the load started.
    pub started: Instant,
}

impl Load {
    pub fn start(
        targets: &[(&str, SocketAddr)],
        threads: usize,
        keys: Vec<(String, SealingKey)>,
        pk: &str,
        sk: &str,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let keys = Arc::new(keys);
        let started = Instant::now();
        let mut handles = Vec::new();
        for (name, addr) in targets {
            for _ in 0..threads {
                let (stop, done, keys) = (Arc::clone(&stop), Arc::clone(&done), Arc::clone(&keys));
                let (name, addr, pk, sk) =
                    ((*name).to_owned(), *addr, pk.to_owned(), sk.to_owned());
                handles.push(std::thread::spawn(move || {
                    let mut outcome = LoadOutcome::default();
                    while !stop.load(Ordering::SeqCst) {
                        let envelope = seal(&keys[0].1, crate::VISA, &pk);
                        let sent = Instant::now();
                        let answer = tokenize(addr, &sk, None, &envelope);
                        let took = sent.elapsed().as_secs_f64();
                        let at = started.elapsed().as_secs_f64();
                        done.fetch_add(1, Ordering::SeqCst);
                        match answer {
                            Some(r) if r.status == 201 => {
                                let token =
                                    r.json()["token"].as_str().unwrap_or_default().to_owned();
                                outcome.acknowledged.push(Ack {
                                    target: name.clone(),
                                    token,
                                    at: started.elapsed(),
                                });
                            }
                            Some(r) => {
                                outcome.failed.push((
                                    name.clone(),
                                    r.status,
                                    error_code(&r),
                                    took,
                                    at,
                                ));
                                // A refusal (the database down) comes at once too: a client
                                // would back off, and a hot loop only loads the machine.
                                std::thread::sleep(Duration::from_millis(10));
                            }
                            None => {
                                outcome
                                    .failed
                                    .push((name.clone(), 0, String::new(), took, at));
                                // An instance that is down refuses at once: do not spin.
                                std::thread::sleep(Duration::from_millis(20));
                            }
                        }
                    }
                    outcome
                }));
            }
        }
        Load {
            stop,
            threads: handles,
            done,
            started,
        }
    }

    /// Stops the load and gathers what every thread saw.
    pub fn finish(self) -> LoadOutcome {
        self.stop.store(true, Ordering::SeqCst);
        let mut all = LoadOutcome::default();
        for thread in self.threads {
            let outcome = thread.join().expect("a load thread panicked");
            all.acknowledged.extend(outcome.acknowledged);
            all.failed.extend(outcome.failed);
        }
        all
    }
}

/// Waits until `done` has grown by `n` (or `timeout` passed).
pub fn wait_for_requests(done: &AtomicU64, n: u64, timeout: Duration) {
    let start = done.load(Ordering::SeqCst);
    let _ = within(timeout, || done.load(Ordering::SeqCst) >= start + n);
}

/// How many of `tokens` are not readable (200) with `sk` through `addr`; prints the first few.
pub fn count_lost(addr: SocketAddr, sk: &str, tokens: &[Ack]) -> usize {
    let mut lost = 0;
    for Ack { target, token, .. } in tokens {
        let read = token_request(addr, "GET", token, sk);
        if read.as_ref().is_none_or(|r| r.status != 200) {
            lost += 1;
            if lost <= 5 {
                eprintln!(
                    "lost: {token} (acknowledged by {target}): {:?}",
                    read.map(|r| (r.status, r.body))
                );
            }
        }
    }
    lost
}
