//! `cargo xtask bench`: builds what gets deployed (the field and `target/release/cardvault`),
//! then runs the `cardvault-bench` binary against it, which prints the table of issue 6 and
//! writes `target/bench/report.json`. Benchmarks only: `cargo xtask test` never runs them.

use crate::build;
use crate::process::{self, cargo, relative, target_dir, workspace_root};

/// The bench crate's package (in `bench`).
pub const PACKAGE: &str = "cardvault-bench";

pub fn run(options: &build::Options) -> Result<(), String> {
    build::run(options)?;
    let target = target_dir();
    let server = target.join("release").join("cardvault");
    process::run(
        cargo()
            .args(["run", "--release", "-p", PACKAGE, "--", "--server"])
            .arg(relative(&server))
            .arg("--field-dir")
            .arg(relative(&target.join("field")))
            .arg("--www")
            .arg(relative(&workspace_root().join("www")))
            .arg("--out-dir")
            .arg(relative(&target.join("bench"))),
    )
}
