//! A real SoftHSM2 token for the library's tests.
//!
//! SoftHSM reads its configuration (where its tokens live) from `SOFTHSM2_CONF` once, when the
//! module is initialised, and a test cannot set a variable in its own process (that needs
//! `unsafe`, which the lints forbid). So [`with_token`] runs the test again, alone, in a child
//! process of the same test binary whose `SOFTHSM2_CONF` points at a fresh folder holding one
//! token made with `softhsm2-util`; the child runs the test's body against it.
//!
//! Without SoftHSM (`/usr/lib/softhsm/libsofthsm2.so`) the test says so on stderr and passes,
//! unless `CARDVAULT_TEST_REQUIRE_SOFTHSM=1` (set by `cargo xtask test`, which installs it):
//! then its absence fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use zeroize::Zeroizing;

use super::Pkcs11Config;

/// Debian's SoftHSM2 module (package `softhsm2`).
pub(crate) const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const CHILD: &str = "CARDVAULT_TEST_SOFTHSM_CHILD";
const TOKEN: &str = "cardvault-test";
const PIN: &str = "1234-user";
const SO_PIN: &str = "5678-so";

/// The token a test runs against.
pub(crate) struct Token {
    pub(crate) label: &'static str,
    pub(crate) pin: &'static str,
}

impl Token {
    /// A configuration for the key `key` in this token.
    pub(crate) fn config(&self, key: &str) -> Pkcs11Config {
        Pkcs11Config {
            module: PathBuf::from(MODULE),
            token: self.label.to_owned(),
            key: key.to_owned(),
            pin: Zeroizing::new(self.pin.to_owned()),
        }
    }
}

/// Whether SoftHSM is here; if not, fails when it is required, else says so and returns false.
pub(crate) fn available(test: &str) -> bool {
    if Path::new(MODULE).exists() {
        return true;
    }
    assert!(
        std::env::var("CARDVAULT_TEST_REQUIRE_SOFTHSM").as_deref() != Ok("1"),
        "{MODULE} is missing and CARDVAULT_TEST_REQUIRE_SOFTHSM=1: apt-get install softhsm2"
    );
    eprintln!(
        "SKIPPED {test}: no SoftHSM2 ({MODULE}); apt-get install softhsm2 (cargo xtask test does)"
    );
    false
}

/// Runs `body` against a fresh SoftHSM token. `test` is the test's full path
/// (`module_path!()` and its name), by which the child process runs it alone.
pub(crate) fn with_token(test: &str, body: impl FnOnce(&Token)) {
    if std::env::var_os(CHILD).is_some() {
        body(&Token {
            label: TOKEN,
            pin: PIN,
        });
        return;
    }
    if !available(test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = write_conf(dir.path());
    init_token(&conf, TOKEN, PIN);
    let test = test.strip_prefix("cardvault_server::").unwrap_or(test);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test} against SoftHSM failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A SoftHSM configuration keeping its tokens under `dir`.
pub(crate) fn write_conf(dir: &Path) -> PathBuf {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        ),
    )
    .unwrap();
    conf
}

/// `softhsm2-util --init-token --free`: a new token in the first free slot.
pub(crate) fn init_token(conf: &Path, label: &str, pin: &str) {
    let out = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            SO_PIN,
        ])
        .env("SOFTHSM2_CONF", conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "softhsm2-util --init-token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
