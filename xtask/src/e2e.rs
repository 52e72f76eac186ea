//! The end-to-end suite (`tests/e2e`, package `cardvault-e2e`), which `cargo xtask test` runs
//! last: the real `cardvault` binary with its demo shop, and a foreign page, in headless
//! Chromium through chromedriver, all on loopback; and a cluster of vaults on the run's
//! PostgreSQL behind nginx.

use crate::install::{CHROMEDRIVER, CHROMIUM, NGINX, POSTGRES_BIN};
use crate::process::{self, cargo, target_dir};
use crate::test::Context;

/// The end-to-end suite's package (in `tests/e2e`).
pub const PACKAGE: &str = "cardvault-e2e";

/// Builds the server binary (debug, with the field that `field build` made embedded), then
/// runs the suite against it. The cluster tests take databases from the run's PostgreSQL,
/// and start a cluster of their own (with `POSTGRES_BIN`'s programs) to restart it under load.
pub fn run(context: &Context) -> Result<(), String> {
    process::run(cargo().args(["build", "-p", "cardvault-server", "--bin", "cardvault"]))?;
    let server = target_dir().join("debug").join("cardvault");
    let mut cmd = cargo();
    // `--show-output`: the cluster tests print what they measured (propagation times, the
    // faults' counts of acknowledged tokens lost), which a passing run would otherwise hide.
    cmd.args(["test", "-p", PACKAGE, "--", "--show-output"])
        .env("CARDVAULT_BIN", &server)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM)
        .env("NGINX", NGINX)
        .env("POSTGRES_BIN", POSTGRES_BIN);
    context.database_env(&mut cmd);
    process::run(&mut cmd)
}
