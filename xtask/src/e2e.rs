//! The end-to-end suite (`tests/e2e`, package `cardvault-e2e`), which `cargo xtask test` runs
//! last: the real `cardvault` binary with its demo shop, and a foreign page, in headless
//! Chromium through chromedriver, all on loopback.

use crate::install::{CHROMEDRIVER, CHROMIUM};
use crate::process::{self, cargo, target_dir};

/// The end-to-end suite's package (in `tests/e2e`).
pub const PACKAGE: &str = "cardvault-e2e";

/// Builds the server binary (debug, with the field that `field build` made embedded), then
/// runs the suite against it.
pub fn run() -> Result<(), String> {
    process::run(cargo().args(["build", "-p", "cardvault-server", "--bin", "cardvault"]))?;
    let server = target_dir().join("debug").join("cardvault");
    process::run(
        cargo()
            .args(["test", "-p", PACKAGE])
            .env("CARDVAULT_BIN", &server)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM),
    )
}
