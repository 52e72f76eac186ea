//! The vault under load: a fresh store (a data dir, or a PostgreSQL database), a master key in
//! the environment, a merchant made by the CLI, `cardvault serve` with the rate limits off
//! (optionally under `taskset`; several on one database), and the envelopes sealed to its JWKS
//! before any timing.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use cardvault::card::{Card, YearMonth};
use cardvault::envelope::SealingKey;
use serde_json::Value;

/// Luhn-valid test numbers, cycled through (each envelope is unique by its `jti` anyway).
pub const PANS: [&str; 4] = [
    "4242424242424242",
    "5555555555554444",
    "4000056655665556",
    "5200828282828210",
];

/// Where the vaults keep their data.
pub enum Storage {
    /// SQLite in this data dir (emptied first).
    DataDir(PathBuf),
    /// This PostgreSQL database (made empty by the caller), shared by every vault started on it.
    Postgres(String),
}

/// A store with a master key and a merchant in it, ready for `serve`.
pub struct Deployment {
    binary: PathBuf,
    storage: Storage,
    master: String,
    /// Where the vaults' logs go: `{logs}.log`, `{logs}-2.log`, ….
    logs: PathBuf,
    pub merchant_id: String,
    pub publishable_key: String,
    pub secret_key: String,
}

/// A running `cardvault serve`; killed on drop.
pub struct Vault {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Vault {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a vault on a fresh data dir `dir` (emptied first), logging to `dir.log`. With
/// `core`, the server runs under `taskset -c core`.
pub fn start(binary: &Path, dir: &Path, core: Option<u32>) -> Result<(Deployment, Vault), String> {
    let deployment = Deployment::new(binary, Storage::DataDir(dir.to_owned()), PathBuf::from(dir))?;
    let vault = deployment.serve(1, core, 0)?;
    Ok((deployment, vault))
}

impl Deployment {
    /// A new master key and a merchant (`cardvault merchant create`) in `storage`; the vaults
    /// started from it log to `logs` with `.log` appended.
    pub fn new(binary: &Path, storage: Storage, logs: PathBuf) -> Result<Deployment, String> {
        if let Storage::DataDir(dir) = &storage {
            if dir.exists() {
                fs::remove_dir_all(dir).map_err(|e| format!("emptying {}: {e}", dir.display()))?;
            }
            // Private to this user, as `serve` requires of a data dir.
            std::os::unix::fs::DirBuilderExt::mode(fs::DirBuilder::new().recursive(true), 0o700)
                .create(dir)
                .map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let master_bytes = cardvault_server::keys::random_bytes::<32>()
            .map_err(|e| format!("no randomness for a master key: {e}"))?;
        let mut deployment = Deployment {
            binary: binary.to_owned(),
            storage,
            master: Base64::encode_string(&master_bytes),
            logs,
            merchant_id: String::new(),
            publishable_key: String::new(),
            secret_key: String::new(),
        };
        let created = deployment
            .command(binary)
            .args([
                "merchant",
                "create",
                "--name",
                "Bench",
                "--origin",
                "https://shop.example",
                "--json",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {} merchant create: {e}", binary.display()))?;
        if !created.status.success() {
            return Err(format!(
                "merchant create failed: {}",
                String::from_utf8_lossy(&created.stderr)
            ));
        }
        let merchant: Value = serde_json::from_slice(&created.stdout)
            .map_err(|e| format!("merchant create --json: {e}"))?;
        let field = |name: &str| {
            merchant[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("merchant create --json gave no {name}"))
        };
        deployment.merchant_id = field("id")?;
        deployment.publishable_key = field("publishable_key")?;
        deployment.secret_key = field("secret_key")?;
        Ok(deployment)
    }

    /// Runs the operator command `cardvault ARGS…` on the store (e.g. `receiver add`).
    pub fn admin(&self, args: &[&str]) -> Result<(), String> {
        let output = self
            .command(&self.binary)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {} {}: {e}", self.binary.display(), args.join(" ")))?;
        if !output.status.success() {
            return Err(format!(
                "cardvault {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }

    /// `program` with the store and the master key in its environment (`taskset` passes it on).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("CARDVAULT_MASTER_KEY", &self.master);
        match &self.storage {
            Storage::DataDir(dir) => command
                .env("CARDVAULT_DATA_DIR", dir)
                .env_remove("CARDVAULT_DATABASE_URL"),
            Storage::Postgres(url) => command.env("CARDVAULT_DATABASE_URL", url),
        };
        command
    }

    /// Starts vault number `n` (from 1) on the store, listening on a free loopback port, with
    /// both rate limits at `rate_limit` per minute (0: off). With `core`, under
    /// `taskset -c core`.
    pub fn serve(&self, n: usize, core: Option<u32>, rate_limit: u32) -> Result<Vault, String> {
        self.serve_with(n, core, rate_limit, &[])
    }

    /// [`Deployment::serve`] with more arguments to `serve`.
    pub fn serve_with(
        &self,
        n: usize,
        core: Option<u32>,
        rate_limit: u32,
        extra: &[&std::ffi::OsStr],
    ) -> Result<Vault, String> {
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?;
        let log_path = if n == 1 {
            PathBuf::from(format!("{}.log", self.logs.display()))
        } else {
            PathBuf::from(format!("{}-{n}.log", self.logs.display()))
        };
        let log = fs::File::create(&log_path)
            .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut command = match core {
            Some(core) => {
                let mut command = self.command("taskset");
                command.args(["-c", &core.to_string()]).arg(&self.binary);
                command
            }
            None => self.command(&self.binary),
        };
        let rate_limit = rate_limit.to_string();
        command
            .args(["serve", "--listen", &addr.to_string()])
            .args(["--rate-limit-key", &rate_limit])
            .args(["--rate-limit-client", &rate_limit])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", self.binary.display()))?;
        let vault = Vault { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(addr, "/healthz").map(|(status, _)| status) != Some(200) {
            if Instant::now() > deadline {
                return Err(format!(
                    "the vault did not answer /healthz within 30 s (log: {})",
                    log_path.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(vault)
    }
}

impl Vault {
    /// The process id of the vault (`taskset` execs it in place).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The active transport key, from the JWKS (active key first).
    pub fn sealing_key(&self) -> Result<SealingKey, String> {
        let (status, body) =
            get(self.addr, "/.well-known/jwks.json").ok_or("no answer from the JWKS")?;
        if status != 200 {
            return Err(format!("the JWKS answered {status}"));
        }
        let jwks: Value = serde_json::from_str(&body).map_err(|e| format!("the JWKS: {e}"))?;
        let key = &jwks["keys"][0];
        let (Some(n), Some(e)) = (key["n"].as_str(), key["e"].as_str()) else {
            return Err("the JWKS has no RSA key".to_owned());
        };
        SealingKey::from_jwk(n, e).map_err(|e| format!("the JWKS key: {e}"))
    }
}

/// `count` unique envelopes for `aud`, sealed on two threads; each one a line of the result.
pub fn seal_many(key: &SealingKey, aud: &str, count: usize) -> Result<Vec<String>, String> {
    let today = YearMonth::now();
    let iat = crate::unix_now();
    let half = count.div_ceil(2);
    let seal_range = |range: std::ops::Range<usize>| -> Result<Vec<String>, String> {
        range
            .map(|i| {
                let pan = PANS[i % PANS.len()];
                let card = Card::new(pan, 12, 2030, Some("123"), Some("Ada Lovelace"), today)
                    .map_err(|e| format!("a test card: {e}"))?;
                key.seal(&card, aud, iat)
                    .map_err(|e| format!("sealing: {e}"))
            })
            .collect()
    };
    let (first, second) = std::thread::scope(|scope| {
        let other = scope.spawn(|| seal_range(half..count));
        let first = seal_range(0..half);
        let second = other
            .join()
            .unwrap_or_else(|_| Err("a sealing thread failed".to_owned()));
        (first, second)
    });
    let mut all = first?;
    all.extend(second?);
    Ok(all)
}

/// A GET with `Connection: close`: the status and the body (answers with `Content-Length`).
fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    Some((status, body.to_owned()))
}
