//! `cargo xtask fuzz [--seconds N] [TARGET]`: the fuzz targets of `fuzz/` (cargo-fuzz over
//! libFuzzer), built with the field's pinned nightly (libFuzzer's instrumentation and the
//! sanitizers need nightly; pinning it keeps every run on one compiler), one target after the
//! other.
//!
//! cargo-fuzz is installed into `target/tools` when missing. Each target's corpus grows in
//! `target/fuzz/corpus/TARGET`, starting from the seeds in `fuzz/seeds/TARGET`; a crash is written
//! to `fuzz/artifacts/TARGET` and fails the task.

use std::fs;
use std::path::PathBuf;

use crate::install::FIELD_TOOLCHAIN;
use crate::process::{self, cargo, command, relative, target_dir, workspace_root};

/// Every fuzz target, in the order they run.
pub const TARGETS: &[&str] = &[
    "envelope",
    "card_json",
    "forward_template",
    "mask",
    "address",
    "auth_headers",
];

/// How long each target runs unless `--seconds` says otherwise.
pub const DEFAULT_SECONDS: u64 = 60;

/// How long `cargo xtask test` runs each target.
pub const BRIEF_SECONDS: u64 = 10;

pub struct Options {
    pub install: bool,
    pub seconds: u64,
    /// One target, or all of them.
    pub target: Option<String>,
    /// Build with AddressSanitizer (cargo-fuzz's default). Our code forbids `unsafe`, so what
    /// ASan adds is the C our dependencies bring (aws-lc, SQLite); the brief run in `cargo
    /// xtask test` leaves it out, which makes its build several times cheaper.
    pub address_sanitizer: bool,
}

pub fn run(options: &Options) -> Result<(), String> {
    if options.install {
        crate::install::field_toolchain()?;
        ensure_cargo_fuzz()?;
    }
    let targets: Vec<&str> = match &options.target {
        Some(target) if TARGETS.contains(&target.as_str()) => vec![target.as_str()],
        Some(target) => {
            return Err(format!(
                "unknown fuzz target `{target}`; the targets are {}",
                TARGETS.join(", ")
            ));
        }
        None => TARGETS.to_vec(),
    };
    // The server, which the targets link, embeds the field's build.
    if !target_dir()
        .join("field")
        .join("cardvault_bg.wasm")
        .is_file()
    {
        crate::build::field()?;
    }
    for target in targets {
        fuzz(target, options.seconds, options.address_sanitizer)?;
    }
    Ok(())
}

/// `cargo xtask test`'s step: every target for [`BRIEF_SECONDS`].
pub fn briefly() -> Result<(), String> {
    run(&Options {
        install: false,
        seconds: BRIEF_SECONDS,
        target: None,
        address_sanitizer: false,
    })
}

fn cargo_fuzz() -> PathBuf {
    target_dir().join("tools").join("bin").join("cargo-fuzz")
}

/// cargo-fuzz in `target/tools`, installed with the stable toolchain when missing.
pub fn ensure_cargo_fuzz() -> Result<(), String> {
    if cargo_fuzz().is_file() {
        println!("xtask: cargo-fuzz already present");
        return Ok(());
    }
    println!("xtask: installing cargo-fuzz into target/tools");
    process::run(
        cargo()
            .args(["install", "--locked", "--root"])
            .arg(relative(&target_dir().join("tools")))
            .arg("cargo-fuzz"),
    )
}

fn fuzz(target: &str, seconds: u64, address_sanitizer: bool) -> Result<(), String> {
    let corpus = target_dir().join("fuzz").join("corpus").join(target);
    fs::create_dir_all(&corpus)
        .map_err(|err| format!("cannot create {}: {err}", corpus.display()))?;
    let seeds = workspace_root().join("fuzz").join("seeds").join(target);
    let mut cmd = command("rustup");
    cmd.args(["run", FIELD_TOOLCHAIN])
        .arg(cargo_fuzz())
        .args(["fuzz", "run", "--fuzz-dir", "fuzz", "--target-dir"])
        .arg(relative(&target_dir().join("fuzz").join("build")))
        .args([
            "--sanitizer",
            if address_sanitizer { "address" } else { "none" },
        ])
        .arg(target)
        .arg(relative(&corpus));
    if seeds.is_dir() {
        cmd.arg(relative(&seeds));
    }
    cmd.args([
        "--".to_owned(),
        format!("-max_total_time={seconds}"),
        "-print_final_stats=1".to_owned(),
    ])
    .env("CARDVAULT_FIELD_DIR", target_dir().join("field"));
    process::run(&mut cmd)
}

/// Parses `[--no-install] [--seconds N] [TARGET]`.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        install: true,
        seconds: DEFAULT_SECONDS,
        target: None,
        address_sanitizer: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-install" => options.install = false,
            "--no-sanitizer" => options.address_sanitizer = false,
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                options.seconds = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("--seconds {value}: not a positive number"))?;
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option `{flag}`; see `cargo xtask help`"));
            }
            target if options.target.is_none() => options.target = Some(target.to_owned()),
            extra => return Err(format!("one target at most (`{extra}`)")),
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn parses_seconds_and_a_target() {
        let options = parse(&args(&["--seconds", "600", "mask"])).unwrap();
        assert_eq!(options.seconds, 600);
        assert_eq!(options.target.as_deref(), Some("mask"));
        assert!(options.install);
        let options = parse(&args(&["--no-install"])).unwrap();
        assert_eq!(options.seconds, DEFAULT_SECONDS);
        assert!(options.target.is_none() && !options.install);
        for bad in [
            &["--seconds"][..],
            &["--seconds", "0"],
            &["--seconds", "x"],
            &["a", "b"],
            &["--fast"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_target_has_a_source_file() {
        let manifest =
            fs::read_to_string(workspace_root().join("fuzz").join("Cargo.toml")).unwrap();
        for target in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target}"
            );
            assert!(
                workspace_root()
                    .join("fuzz")
                    .join("fuzz_targets")
                    .join(format!("{target}.rs"))
                    .is_file(),
                "{target}"
            );
        }
    }
}
