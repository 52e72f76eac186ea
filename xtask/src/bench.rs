//! `cargo xtask bench`: builds what gets deployed (the field and `target/release/cardvault`),
//! the field's sealing code alone for the browser (`cardvault-bench-wasm`, built like the
//! field) and the browser driver (`cardvault-bench-browser`), then runs the `cardvault-bench`
//! binary against them, which prints the table of issue 6 and writes
//! `target/bench/report.json`. The PostgreSQL figures of issue 23 run against a throwaway
//! PostgreSQL 15 cluster of the bench's own (`target/pg-bench`, started and stopped as
//! `cargo xtask test` does its own, see `postgres`), with PostgreSQL's default durability
//! (fsync and synchronous commit on). Benchmarks only: `cargo xtask test` never runs them.

use crate::build;
use crate::install::{self, CHROMEDRIVER, CHROMIUM, Needs};
use crate::postgres::TestCluster;
use crate::process::{self, cargo, relative, target_dir, workspace_root};

/// The bench crate's package (in `bench`).
pub const PACKAGE: &str = "cardvault-bench";
/// The browser driver's package and binary (in `bench/browser`).
const BROWSER_PACKAGE: &str = "cardvault-bench-browser";
/// The sealing module's package (in `bench/wasm`) and its library's file stem.
const WASM_PACKAGE: &str = "cardvault-bench-wasm";
const WASM_NAME: &str = "cardvault_bench_wasm";

pub struct Options {
    pub install: bool,
    /// Only the browser figures (`--browser-only`).
    pub browser_only: bool,
    /// Only the PostgreSQL figures (`--pg-only`).
    pub pg_only: bool,
    /// Only `import_rps` (`--import-only`).
    pub import_only: bool,
    /// Only the forwarding figures (`--forward-only`).
    pub forward_only: bool,
}

pub fn run(options: &Options) -> Result<(), String> {
    if options.install {
        install::ensure(&Needs {
            browser: !options.import_only && !options.forward_only,
            postgres: !options.browser_only && !options.import_only && !options.forward_only,
            gnupg: !options.browser_only && !options.pg_only && !options.forward_only,
            ..Needs::default()
        })?;
    }
    build::run(&build::Options {
        install: false,
        field_only: false,
    })?;
    let target = target_dir();
    let out_dir = target.join("bench");
    let wasm_dir = out_dir.join("wasm");
    // The browser's parts, but for the forwarding figures alone (no browser, no PostgreSQL).
    if !options.forward_only {
        build::wasm_module(&["-p", WASM_PACKAGE], WASM_NAME, &wasm_dir)?;
        process::run(cargo().args(["build", "--release", "-p", BROWSER_PACKAGE]))?;
    }
    let release = target.join("release");
    let server = release.join("cardvault");
    let mut command = cargo();
    command
        .args(["run", "--release", "-p", PACKAGE, "--", "--server"])
        .arg(relative(&server))
        .arg("--field-dir")
        .arg(relative(&target.join("field")))
        .arg("--www")
        .arg(relative(&workspace_root().join("www")))
        .arg("--wasm-dir")
        .arg(relative(&wasm_dir))
        .arg("--browser-bench")
        .arg(relative(&release.join(BROWSER_PACKAGE)))
        .arg("--out-dir")
        .arg(relative(&out_dir))
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM);
    if options.browser_only {
        command.args(["--only", "browser"]);
        return process::run(&mut command);
    }
    if options.import_only {
        command.args(["--only", "import"]);
        return process::run(&mut command);
    }
    if options.forward_only {
        command.args(["--only", "forward"]);
        return process::run(&mut command);
    }
    // Stopped when `cluster` drops, whatever the outcome.
    let cluster = TestCluster::start("pg-bench")?;
    command.arg("--database-url").arg(cluster.url());
    if options.pg_only {
        command.args(["--only", "pg"]);
    }
    let outcome = process::run(&mut command);
    drop(cluster);
    outcome
}
