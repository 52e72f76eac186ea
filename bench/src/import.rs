//! `import_rps`: `cardvault import` of 100,000 cards into SQLite, from a file GnuPG encrypted
//! (as a processor sends a merchant's cards), the importer pinned to core 0.
//!
//! GnuPG makes a key of its own (a home under the bench's directory) and encrypts the records
//! it reads from a pipe, so the clear file never exists on disk here either. The figure is the
//! whole command's: opening the vault (its first open makes the transport key), both passes
//! over the file (checking, then storing in batches), the mapping written and synced.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::vault::{Deployment, Storage};

const RECIPIENT: &str = "bench-import@vault.example";

/// What one import measured.
pub struct ImportFigures {
    pub records: u64,
    pub seconds: f64,
    /// The encrypted file's size.
    pub file_bytes: u64,
}

impl ImportFigures {
    pub fn rps(&self) -> f64 {
        self.records as f64 / self.seconds
    }
}

/// Imports `records` cards into a fresh data dir under `out_dir/import`.
pub fn measure(server: &Path, out_dir: &Path, records: u64) -> Result<ImportFigures, String> {
    println!(
        "==> import_rps: cardvault import of {records} cards from a GnuPG file (taskset -c 0)"
    );
    let dir = out_dir.join("import");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("emptying {}: {e}", dir.display()))?;
    }
    let home = dir.join("gnupg");
    std::os::unix::fs::DirBuilderExt::mode(fs::DirBuilder::new().recursive(true), 0o700)
        .create(&home)
        .map_err(|e| format!("creating {}: {e}", home.display()))?;
    let gpg = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = gpg_command(&home)
            .args(args)
            .output()
            .map_err(|e| format!("running gpg (Debian's gnupg): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "gpg {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(out.stdout)
    };
    let uid = format!("cardvault bench <{RECIPIENT}>");
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        &uid,
        "rsa3072",
        "cert,sign",
        "never",
    ])?;
    let listed =
        String::from_utf8_lossy(&gpg(&["--with-colons", "--list-keys", &uid])?).into_owned();
    let fingerprint = listed
        .lines()
        .find_map(|line| line.strip_prefix("fpr:"))
        .and_then(|rest| rest.trim_matches(':').rsplit(':').next())
        .ok_or("gpg listed no fingerprint")?
        .to_owned();
    gpg(&[
        "--passphrase",
        "",
        "--quick-add-key",
        &fingerprint,
        "rsa3072",
        "encr",
        "never",
    ])?;
    let key = dir.join("import-key.asc");
    let exported = gpg(&[
        "--passphrase",
        "",
        "--armor",
        "--export-secret-keys",
        &fingerprint,
    ])?;
    fs::write(&key, exported).map_err(|e| format!("writing {}: {e}", key.display()))?;

    // The agent, needed for the secret key only, goes before it outlives the bench.
    let _ = gpg_command(&home).args(["--list-keys"]).output();
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&home)
        .args(["--kill", "gpg-agent"])
        .status();
    let file = dir.join("cards.csv.gpg");
    encrypt(&home, &file, records)?;
    let file_bytes = fs::metadata(&file).map_err(|e| e.to_string())?.len();

    let data = dir.join("data");
    let deployment = Deployment::new(server, Storage::DataDir(data), dir.join("vault"))?;
    let mapping = dir.join("mapping.csv");
    let started = Instant::now();
    let out = deployment
        .command("taskset")
        .args(["-c", "0"])
        .arg(server)
        .args(["import", "--merchant", &deployment.merchant_id])
        .arg(&file)
        .arg("--out")
        .arg(&mapping)
        .arg("--pgp-key")
        .arg(&key)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running taskset {} import: {e}", server.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let said = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{records} record(s): {records} imported, 0 imported before, 0 refused");
    if !out.status.success() || !said.contains(&expected) {
        return Err(format!(
            "cardvault import did not import every card: {said}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let lines = fs::read_to_string(&mapping)
        .map_err(|e| format!("reading {}: {e}", mapping.display()))?
        .lines()
        .filter(|line| line.contains(",tok_"))
        .count();
    if lines as u64 != records {
        return Err(format!(
            "the mapping has {lines} tokens for {records} cards"
        ));
    }
    println!(
        "    {records} cards in {seconds:.2} s: {:.0} cards/s ({file_bytes} bytes encrypted)",
        records as f64 / seconds
    );
    Ok(ImportFigures {
        records,
        seconds,
        file_bytes,
    })
}

fn gpg_command(home: &Path) -> Command {
    let mut command = Command::new("gpg");
    command
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--yes", "--pinentry-mode", "loopback"]);
    command
}

/// `records` distinct Luhn-valid cards, written to GnuPG's stdin and encrypted into `file`.
fn encrypt(home: &Path, file: &PathBuf, records: u64) -> Result<(), String> {
    let mut child = gpg_command(home)
        .args([
            "--trust-model",
            "always",
            "--recipient",
            RECIPIENT,
            "--encrypt",
            "--output",
        ])
        .arg(file)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running gpg --encrypt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("gpg has no stdin")?;
    let year = cardvault::card::YearMonth::now().year + 4;
    let mut text = String::with_capacity(64 * 1024);
    text.push_str("id,number,exp_month,exp_year,name\n");
    for i in 0..records {
        let body = format!("4{:014}", i * 7919 % 100_000_000_000_000);
        let number = format!("{body}{}", luhn_digit(&body));
        text.push_str(&format!(
            "cus_{i},{number},{},{year},Card Holder\n",
            i % 12 + 1
        ));
        if text.len() > 60 * 1024 {
            stdin
                .write_all(text.as_bytes())
                .map_err(|e| format!("to gpg: {e}"))?;
            text.clear();
        }
    }
    stdin
        .write_all(text.as_bytes())
        .map_err(|e| format!("to gpg: {e}"))?;
    drop(stdin);
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "gpg --encrypt: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The check digit that makes `body` pass Luhn.
fn luhn_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(at, b)| {
            let d = u32::from(b - b'0');
            if at % 2 == 0 {
                let d = d * 2;
                if d > 9 { d - 9 } else { d }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}
