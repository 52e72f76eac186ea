//! `cargo xtask test`'s js step: the merchant's JavaScript packages of `js/` (an npm workspace,
//! installed with `npm ci` from its committed package-lock.json), packed with `npm pack`, and
//! their tarballs installed into the React test app (`js/test-app`), which is then checked with
//! `tsc --strict --noEmit`, built with Vite (React's development build, for StrictMode's double
//! mount) and driven in Chromium against the real vault by the end-to-end test `js`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::install::CHROMIUM;
use crate::process::{self, cargo, command, find_program, target_dir, workspace_root};
use crate::test::Context;

/// The three packages, as `npm pack` names their tarballs.
const PACKAGES: [&str; 3] = ["cardvault-js", "cardvault-react", "cardvault-testing"];

pub fn run(_: &Context) -> Result<(), String> {
    run_alone()
}

/// `cargo xtask js`.
pub fn run_alone() -> Result<(), String> {
    let npm = find_program("npm").ok_or("the js step needs Node.js (20.19 or later) and npm")?;
    let js = workspace_root().join("js");
    let app = js.join("test-app");
    process::run(
        command(&npm)
            .current_dir(&js)
            .args(["ci", "--no-audit", "--no-fund"]),
    )?;
    let packs = target_dir().join("js-packs");
    let _ = fs::remove_dir_all(&packs);
    fs::create_dir_all(&packs).map_err(|e| format!("creating {}: {e}", packs.display()))?;
    process::run(
        command(&npm)
            .current_dir(&js)
            .args(["pack", "--workspaces", "--pack-destination"])
            .arg(&packs),
    )?;
    let tarballs = tarballs(&packs)?;
    // The app gets the packages as a merchant would, from their tarballs; React, Vite and the
    // rest resolve from the workspace's node_modules above it.
    for dir in ["node_modules", "dist"] {
        let _ = fs::remove_dir_all(app.join(dir));
    }
    process::run(
        command(&npm)
            .current_dir(&app)
            .args(["install", "--no-save", "--no-package-lock", "--offline"])
            // React is the workspace's: a peer installed here would be a second copy.
            .args(["--legacy-peer-deps", "--no-audit", "--no-fund"])
            .args(&tarballs),
    )?;
    for package in ["js", "react", "testing"] {
        let types = app.join(format!("node_modules/@cardvault/{package}/index.d.ts"));
        if !types.is_file() {
            return Err(format!(
                "the tarball of @cardvault/{package} has no index.d.ts"
            ));
        }
    }
    let bin = js.join("node_modules").join(".bin");
    process::run(command(bin.join("tsc")).current_dir(&app).args([
        "--strict",
        "--noEmit",
        "-p",
        "tsconfig.json",
    ]))?;
    process::run(
        command("node")
            .current_dir(&app)
            .args(["--test", "contract.test.mjs"]),
    )?;
    process::run(
        command(bin.join("vite"))
            .current_dir(&app)
            .arg("build")
            .env("NODE_ENV", "development"),
    )?;
    process::run(cargo().args(["build", "-p", "cardvault-server", "--bin", "cardvault"]))?;
    process::run(
        cargo()
            .args(["test", "-p", crate::e2e::PACKAGE, "--test", "js"])
            // The browser script's steps, which a passing run would otherwise hide.
            .args(["--", "--show-output"])
            .env(
                "CARDVAULT_BIN",
                target_dir().join("debug").join("cardvault"),
            )
            .env("CHROMIUM", CHROMIUM),
    )
}

/// The tarballs `npm pack` wrote, one per package.
fn tarballs(packs: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found: Vec<PathBuf> = fs::read_dir(packs)
        .map_err(|e| format!("reading {}: {e}", packs.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tgz"))
        .collect();
    found.sort();
    for package in PACKAGES {
        let named = |p: &PathBuf| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{package}-")))
        };
        if !found.iter().any(named) {
            return Err(format!("npm pack made no tarball of {package}"));
        }
    }
    Ok(found)
}
