//! `cargo xtask test`: installs what is missing, then runs every check in order,
//! stopping at the first failure.

use crate::e2e;
use crate::install::{self, CHROMEDRIVER, Needs, WASM_TARGET};
use crate::process::{self, cargo};

pub struct Options {
    pub install: bool,
    pub browser: bool,
}

/// One check: its name in the summary, and what runs it.
struct Step {
    name: &'static str,
    run: fn() -> Result<(), String>,
}

impl Step {
    const fn new(name: &'static str, run: fn() -> Result<(), String>) -> Self {
        Self { name, run }
    }
}

pub fn run(options: &Options) -> Result<(), String> {
    if options.install {
        install::ensure(&Needs {
            browser: options.browser,
        })?;
        crate::fuzz::ensure_cargo_fuzz()?;
    }
    let steps = steps(options.browser);
    let skipped = if options.browser {
        ""
    } else {
        ", 2 skipped (browser tests and e2e: --no-browser)"
    };
    for (passed, step) in steps.iter().enumerate() {
        if let Err(err) = (step.run)() {
            println!(
                "xtask test: {passed} steps passed, 1 failed ({}){skipped}",
                step.name
            );
            return Err(err);
        }
    }
    println!(
        "xtask test: {} steps passed, 0 failed{skipped}",
        steps.len()
    );
    Ok(())
}

fn steps(browser: bool) -> Vec<Step> {
    let mut steps = vec![
        Step::new("fmt", fmt),
        Step::new("field build", field_build),
        Step::new("clippy", clippy),
        Step::new("clippy (field, wasm32)", clippy_field),
        Step::new("native tests", native_tests),
        Step::new("fuzz (briefly)", crate::fuzz::briefly),
    ];
    if browser {
        steps.push(Step::new("browser tests", browser_tests));
        steps.push(Step::new("e2e", e2e::run));
    }
    steps
}

fn fmt() -> Result<(), String> {
    process::run(cargo().args(["fmt", "--all", "--check"]))
}

fn clippy() -> Result<(), String> {
    process::run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// The field's WebAssembly, which the server embeds: built before anything compiles the server.
fn field_build() -> Result<(), String> {
    crate::build::field().map(|_| ())
}

/// The field as shipped: wasm32, without the vault-side features, `no_std` with its own panic
/// handler and allocator (feature `page`).
fn clippy_field() -> Result<(), String> {
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

/// Every crate's tests but the end-to-end suite, which has a step of its own.
fn native_tests() -> Result<(), String> {
    process::run(cargo().args(["test", "--workspace", "--exclude", e2e::PACKAGE]))
}

/// The `#[wasm_bindgen_test]`s of the root crate, in headless Chromium.
///
/// Cargo hands each test binary to wasm-bindgen-test-runner, which starts
/// chromedriver and asks it for Chrome with `headless`, `no-sandbox` and
/// `disable-dev-shm-usage`, so it runs as root without a `webdriver.json`.
/// `WASM_BINDGEN_USE_BROWSER` sends test binaries without
/// `wasm_bindgen_test_configure!(run_in_browser)` to the browser too, instead of
/// Node.js. `--tests` leaves out the doctests, which run natively already.
fn browser_tests() -> Result<(), String> {
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
