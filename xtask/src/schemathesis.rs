//! `cargo xtask test`'s schemathesis step: the real `cardvault` binary, on loopback with a
//! throwaway data dir and master key, tested against its own `GET /openapi.json` by
//! schemathesis (PyPI, pinned, in its own virtual environment in `target/tools/schemathesis`):
//! once with the merchant's secret key, once with its publishable key, and `/metrics` on the
//! metrics listener. Every check: no server error; status codes, content types, headers and
//! bodies as the document says; schema-breaking requests refused, schema-valid ones accepted
//! (`xtask/schemathesis/schemathesis.toml` says where the vault rightly refuses more).

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::process::{self, cargo, command, find_program, stdout_of, target_dir, workspace_root};
use crate::test::Context;

/// The schemathesis release the step installs (and reinstalls when the venv has another).
pub const VERSION: &str = "4.32.5";

/// Test cases per operation and phase: the whole step stays within a minute or two on two
/// cores (`CARDVAULT_SCHEMATHESIS_EXAMPLES` for a longer run by hand).
const MAX_EXAMPLES: &str = "50";

/// The seed of the generated cases, so that a run can be repeated; a failure prints it too.
/// `CARDVAULT_SCHEMATHESIS_SEED` for another.
const SEED: &str = "1";

/// The venv's directory.
fn venv() -> PathBuf {
    target_dir().join("tools").join("schemathesis")
}

/// The venv's `st`, installing schemathesis `VERSION` first when it is missing or another.
pub fn ensure() -> Result<PathBuf, String> {
    let venv = venv();
    let st = venv.join("bin").join("st");
    let wanted = format!("version {VERSION}");
    if st.is_file() && stdout_of(command(&st).arg("--version")).is_ok_and(|v| v.contains(&wanted)) {
        return Ok(st);
    }
    let python = find_program("python3").ok_or(
        "schemathesis needs Python 3 with its venv module (Debian: apt-get install python3-venv)",
    )?;
    process::run(command(python).args(["-m", "venv", "--clear"]).arg(&venv)).map_err(|e| {
        format!(
            "{e}: creating the schemathesis venv needs Python's venv module (Debian: python3-venv)"
        )
    })?;
    process::run(command(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={VERSION}"),
    ]))?;
    Ok(st)
}

/// The vault under test; killed when dropped, however the step ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Standard base64 of `bytes` (the master key's form), without a crate for it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The string value of `"key":"…"` in the one-line JSON of `merchant create --json`.
fn json_string(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let end = json[start..].find('"')?;
    Some(json[start..start + end].to_owned())
}

/// The step of `cargo xtask test`.
pub fn run(_: &Context) -> Result<(), String> {
    run_alone()
}

/// `cargo xtask schemathesis`.
pub fn run_alone() -> Result<(), String> {
    let st = ensure()?;
    process::run(cargo().args(["build", "-p", "cardvault-server", "--bin", "cardvault"]))?;
    let server = target_dir().join("debug").join("cardvault");
    let dir = target_dir().join("schemathesis-run");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut key = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    let master_key = base64(&key);
    let data = dir.join("data");
    let merchant = stdout_of(
        command(&server)
            .args(["merchant", "create", "--name", "schemathesis"])
            .args(["--origin", "https://shop.example", "--json", "--data-dir"])
            .arg(&data)
            .env("CARDVAULT_MASTER_KEY", &master_key),
    )?;
    let keys = ["secret_key", "publishable_key"].map(|k| json_string(&merchant, k));
    let [Some(sk), Some(pk)] = keys else {
        return Err("`cardvault merchant create --json` printed no keys".into());
    };
    let (api, metrics) = (free_port()?, free_port()?);
    let log = fs::File::create(dir.join("serve.log")).map_err(|e| e.to_string())?;
    let _server = Server(
        command(&server)
            .args(["serve", "--listen", &format!("127.0.0.1:{api}")])
            .args(["--metrics-listen", &format!("127.0.0.1:{metrics}")])
            .arg("--data-dir")
            .arg(&data)
            .env("CARDVAULT_MASTER_KEY", &master_key)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", server.display()))?,
    );
    let schema = format!("http://127.0.0.1:{api}/openapi.json");
    let committed = workspace_root().join("xtask").join("schemathesis");
    let config = fs::read_to_string(committed.join("schemathesis.toml"))
        .map_err(|e| format!("reading schemathesis.toml: {e}"))?;
    let examples = std::env::var("CARDVAULT_SCHEMATHESIS_EXAMPLES")
        .unwrap_or_else(|_| MAX_EXAMPLES.to_owned());
    let seed = std::env::var("CARDVAULT_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.to_owned());
    let runs = [
        ("secret key", Some(sk.as_str()), None),
        ("publishable key", Some(pk.as_str()), None),
        ("metrics listener", None, Some(metrics)),
    ];
    for (name, key, listener) in runs {
        println!("schemathesis: {name}");
        // The key goes in a config file of the run, not on a command line that is printed.
        let headers = key.map_or(String::new(), |k| {
            format!("headers = {{ Authorization = \"Bearer {k}\" }}\n")
        });
        let file = dir.join(format!("schemathesis-{}.toml", name.replace(' ', "-")));
        fs::write(&file, format!("{headers}{config}")).map_err(|e| e.to_string())?;
        let mut cmd = command(&st);
        cmd.current_dir(&dir)
            .env("PYTHONPATH", &committed)
            .env("SCHEMATHESIS_HOOKS", "hooks")
            .arg("--config-file")
            .arg(relative_to(&file, &dir))
            .args(["run", &schema, "--wait-for-schema", "30", "--checks", "all"])
            .args([
                "--max-examples",
                &examples,
                "--seed",
                &seed,
                // One: with two, Hypothesis parses sources with `ast` on two threads, which
                // CPython 3.11.7 (pyenv here) can fail with "AST constructor recursion depth
                // mismatch" (seen once in a green tree's run).
                "--workers",
                "1",
            ]);
        match listener {
            Some(port) => cmd
                .args(["--url", &format!("http://127.0.0.1:{port}")])
                .args(["--include-path", "/metrics"]),
            None => cmd.args(["--exclude-path", "/metrics"]),
        };
        process::run(&mut cmd).map_err(|e| {
            format!(
                "{e} (schemathesis with the {name}; the vault's log: {})",
                dir.join("serve.log").display()
            )
        })?;
    }
    Ok(())
}

fn relative_to<'a>(path: &'a Path, dir: &Path) -> &'a Path {
    path.strip_prefix(dir).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_the_rfc_says() {
        // RFC 4648 §10.
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn reads_the_keys_of_merchant_create() {
        let json = r#"{"id":"mer_1","publishable_key":"pk_a","secret_key":"sk_b"}"#;
        assert_eq!(json_string(json, "secret_key").as_deref(), Some("sk_b"));
        assert_eq!(
            json_string(json, "publishable_key").as_deref(),
            Some("pk_a")
        );
        assert_eq!(json_string(json, "nope"), None);
    }
}
