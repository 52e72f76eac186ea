//! `cargo xtask test`: installs what is missing, then runs every check in order,
//! stopping at the first failure.

use std::process::Command;
use std::time::Instant;

use crate::e2e;
use crate::install::{self, CHROMEDRIVER, Needs, WASM_TARGET};
use crate::postgres::TestCluster;
use crate::process::{self, cargo};

pub struct Options {
    pub install: bool,
    pub browser: bool,
}

/// What the steps share: the throwaway PostgreSQL cluster of this run.
pub struct Context {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`: a superuser with trust authentication,
    /// so a test can create a database of its own.
    pub database_url: String,
    /// Whether this run installed SoftHSM (or found it), so that a test must not skip for lack
    /// of it.
    pub require_softhsm: bool,
}

impl Context {
    /// The variables by which the tests find the cluster (see the brief of issue 23), and the
    /// one that makes a missing SoftHSM a failure rather than a skipped test when this run
    /// installed it (or found it).
    pub fn database_env(&self, cmd: &mut Command) {
        cmd.env("CARDVAULT_TEST_DATABASE_URL", &self.database_url);
        if self.require_softhsm {
            cmd.env("CARDVAULT_TEST_REQUIRE_SOFTHSM", "1");
        }
    }
}

/// One check: its name in the summary, and what runs it.
struct Step {
    name: &'static str,
    run: fn(&Context) -> Result<(), String>,
}

impl Step {
    const fn new(name: &'static str, run: fn(&Context) -> Result<(), String>) -> Self {
        Self { name, run }
    }
}

pub fn run(options: &Options) -> Result<(), String> {
    if options.install {
        install::ensure(&Needs {
            browser: options.browser,
            postgres: true,
            nginx: options.browser,
            softhsm: true,
            gnupg: true,
        })?;
        crate::fuzz::ensure_cargo_fuzz()?;
    }
    // Started before the first step and stopped when `cluster` drops, whatever the outcome
    // (an error returned early drops it too).
    let cluster = TestCluster::start("pg-test")?;
    let context = Context {
        database_url: cluster.url(),
        require_softhsm: options.install || std::path::Path::new(install::SOFTHSM_MODULE).exists(),
    };
    let steps = steps(options.browser);
    let skipped = if options.browser {
        ""
    } else {
        ", 3 skipped (browser tests, js packages and e2e: --no-browser)"
    };
    let mut timings = Vec::new();
    for (passed, step) in steps.iter().enumerate() {
        let started = Instant::now();
        let outcome = (step.run)(&context);
        timings.push(format!(
            "{} {:.0} s",
            step.name,
            started.elapsed().as_secs_f64()
        ));
        if let Err(err) = outcome {
            println!(
                "xtask test: {passed} steps passed, 1 failed ({}){skipped}; {}",
                step.name,
                timings.join(", ")
            );
            return Err(err);
        }
    }
    println!(
        "xtask test: {} steps passed, 0 failed{skipped}; {}",
        steps.len(),
        timings.join(", ")
    );
    drop(cluster);
    Ok(())
}

fn steps(browser: bool) -> Vec<Step> {
    let mut steps: Vec<Step> = vec![
        Step::new("fmt", fmt),
        Step::new("field build", field_build),
        Step::new("clippy", clippy),
        Step::new("clippy (field, wasm32)", clippy_field),
        Step::new("native tests", native_tests),
        Step::new("native tests (PostgreSQL)", native_tests_postgres),
        Step::new("schemathesis", crate::schemathesis::run),
        Step::new("fuzz (briefly)", |_| crate::fuzz::briefly()),
    ];
    if browser {
        steps.push(Step::new("browser tests", browser_tests));
        steps.push(Step::new("js packages", crate::js::run));
        steps.push(Step::new("e2e", e2e::run));
    }
    steps
}

fn fmt(_: &Context) -> Result<(), String> {
    process::run(cargo().args(["fmt", "--all", "--check"]))
}

fn clippy(_: &Context) -> Result<(), String> {
    process::run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// The field's WebAssembly, which the server embeds: built before anything compiles the server,
/// and held to its size target.
fn field_build(_: &Context) -> Result<(), String> {
    crate::build::check_field_size(&crate::build::field()?)
}

/// The field as shipped: wasm32, without the vault-side features, `no_std` with its own panic
/// handler and allocator (feature `page`).
fn clippy_field(_: &Context) -> Result<(), String> {
    process::run(cargo().args([
        "clippy",
        "-p",
        "cardvault",
        "--lib",
        "--target",
        WASM_TARGET,
        "--no-default-features",
        "--features",
        "page",
        "--",
        "-D",
        "warnings",
    ]))
}

/// Every crate's tests but the end-to-end suite, which has a step of its own. The store's
/// PostgreSQL tests find the cluster through the environment.
fn native_tests(context: &Context) -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args(["test", "--workspace", "--exclude", e2e::PACKAGE]);
    context.database_env(&mut cmd);
    process::run(&mut cmd)
}

/// The server's tests again, with every vault of the HTTP tests on PostgreSQL (a fresh
/// database each) instead of SQLite.
fn native_tests_postgres(context: &Context) -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args(["test", "-p", "cardvault-server"])
        .env("CARDVAULT_TEST_STORE", "postgres");
    context.database_env(&mut cmd);
    process::run(&mut cmd)
}

/// The `#[wasm_bindgen_test]`s of the root crate, in headless Chromium.
///
/// Cargo hands each test binary to wasm-bindgen-test-runner, which starts
/// chromedriver and asks it for Chrome with `headless`, `no-sandbox` and
/// `disable-dev-shm-usage`, so it runs as root without a `webdriver.json`.
/// `WASM_BINDGEN_USE_BROWSER` sends test binaries without
/// `wasm_bindgen_test_configure!(run_in_browser)` to the browser too, instead of
/// Node.js. `--tests` leaves out the doctests, which run natively already.
fn browser_tests(_: &Context) -> Result<(), String> {
    process::run(
        cargo()
            .args([
                "test",
                "-p",
                "cardvault",
                "--target",
                WASM_TARGET,
                "--tests",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_USE_BROWSER", "1"),
    )
}
