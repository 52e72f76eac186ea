//! The end-to-end suite, which `cargo xtask test` runs last. Later work extends
//! `run` (starting the vault server, serving the built field, ...).

use crate::process::{self, cargo, stdout_of, workspace_root};

/// The end-to-end suite's package (in `tests/e2e`).
pub const PACKAGE: &str = "cardvault-e2e";

pub fn run() -> Result<(), String> {
    if package_exists(PACKAGE) {
        return process::run(cargo().args(["test", "-p", PACKAGE]));
    }
    if workspace_root().join("tests").join("e2e").is_dir() {
        return process::run(cargo().args(["test", "-p", "cardvault", "--test", "e2e"]));
    }
    println!("==> e2e");
    println!("e2e: none yet");
    Ok(())
}

fn package_exists(name: &str) -> bool {
    stdout_of(cargo().args(["pkgid", name])).is_ok()
}
