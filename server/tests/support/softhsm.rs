//! A real SoftHSM2 token for the binary's tests: a fresh token folder per test, named to the
//! binary by `SOFTHSM2_CONF`.
//!
//! Without SoftHSM (`/usr/lib/softhsm/libsofthsm2.so`) a test says so on stderr and passes,
//! unless `CARDVAULT_TEST_REQUIRE_SOFTHSM=1` (set by `cargo xtask test`, which installs it):
//! then its absence fails the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::BIN;

/// Debian's SoftHSM2 module (package `softhsm2`).
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const TOKEN: &str = "cardvault";
pub const PIN: &str = "4321-user";
const SO_PIN: &str = "8765-so";

pub struct SoftHsm {
    dir: tempfile::TempDir,
    pub conf: PathBuf,
}

impl SoftHsm {
    /// A new token labelled [`TOKEN`] with user PIN [`PIN`]; `None` (said on stderr) when
    /// SoftHSM is not installed and not required.
    pub fn new(test: &str) -> Option<SoftHsm> {
        if !Path::new(MODULE).exists() {
            assert!(
                std::env::var("CARDVAULT_TEST_REQUIRE_SOFTHSM").as_deref() != Ok("1"),
                "{MODULE} is missing and CARDVAULT_TEST_REQUIRE_SOFTHSM=1: apt-get install softhsm2"
            );
            eprintln!(
                "SKIPPED {test}: no SoftHSM2 ({MODULE}); apt-get install softhsm2 (cargo xtask test does)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .unwrap();
        let hsm = SoftHsm { dir, conf };
        let out = Command::new("softhsm2-util")
            .args([
                "--init-token",
                "--free",
                "--label",
                TOKEN,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
            ])
            .env("SOFTHSM2_CONF", &hsm.conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "softhsm2-util --init-token: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(hsm)
    }

    /// Where the token's files are: everything of the HSM, outside the data dir.
    pub fn token_dir(&self) -> PathBuf {
        self.dir.path().join("tokens")
    }

    /// Gives `cmd` this token and the key labelled `key` as its master key, through the
    /// environment (flags and PIN), and no software key.
    pub fn configure(&self, cmd: &mut Command, key: &str) {
        cmd.env_remove("CARDVAULT_MASTER_KEY")
            .env_remove("CARDVAULT_MASTER_KEY_FILE")
            .env("SOFTHSM2_CONF", &self.conf)
            .env("CARDVAULT_PKCS11_MODULE", MODULE)
            .env("CARDVAULT_PKCS11_TOKEN", TOKEN)
            .env("CARDVAULT_PKCS11_KEY", key)
            .env("CARDVAULT_PKCS11_PIN", PIN);
    }

    /// `cardvault ARGS --data-dir DATA` with the HSM key `key`.
    pub fn cli(&self, data: &Path, key: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args).arg("--data-dir").arg(data);
        self.configure(&mut cmd, key);
        cmd.output().unwrap()
    }

    /// `cardvault master-key init-hsm` for the key `key` (no store: only the token).
    pub fn init_key(&self, key: &str) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(["master-key", "init-hsm"]);
        self.configure(&mut cmd, key);
        cmd.output().unwrap()
    }

    /// OpenSC's `pkcs11-tool`, logged in to the token: a PKCS#11 client that is not ours.
    pub fn pkcs11_tool(&self, args: &[&str]) -> Output {
        Command::new("pkcs11-tool")
            .args([
                "--module",
                MODULE,
                "--token-label",
                TOKEN,
                "--login",
                "--pin",
                PIN,
            ])
            .args(args)
            .env("SOFTHSM2_CONF", &self.conf)
            .output()
            .unwrap()
    }
}
