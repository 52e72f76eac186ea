//! Installs the tools the tasks need. Each one is checked first and installed only
//! when missing, so running this again changes nothing.

use std::fs;
use std::path::{Path, PathBuf};

use crate::process::{
    cargo, cargo_bin_dir, command, find_program, relative, run, stdout_of, target_dir,
    workspace_root,
};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The toolchain that builds the deployed field (and the bench's copy of its sealing code): a
/// pinned nightly, whose cargo can rebuild `core` and `alloc` for size and without panic
/// messages, locations or `Debug` formatting (see `build::FIELD_RUSTFLAGS`).
/// Pinned, so that every build of the field uses the compiler its tests ran with. Everything else,
/// the field's browser tests included, builds with the stable toolchain.
pub const FIELD_TOOLCHAIN: &str = "nightly-2026-10-30";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian 12's PostgreSQL (package `postgresql`): the server's programs, not on PATH.
pub const POSTGRES_BIN: &str = "/usr/lib/postgresql/15/bin";
/// Its `initdb`: when that is there, so is the rest of the server.
const POSTGRES_INITDB: &str = "/usr/lib/postgresql/15/bin/initdb";
/// Debian's nginx (package `nginx-light`), the load balancer of the cluster tests.
pub const NGINX: &str = "/usr/sbin/nginx";
/// GnuPG (package `gnupg`), the sender's side of `cardvault import`'s tests and bench.
pub const GPG: &str = "/usr/bin/gpg";
/// SoftHSM2's PKCS#11 module (package `softhsm2`, 2.6.1 on Debian 12): the HSM of the master key
/// tests; `softhsm2-util` comes with it.
pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// OpenSC's `pkcs11-tool` (package `opensc`): a second, independent PKCS#11 client, for
/// looking into a test token by hand.
const PKCS11_TOOL: &str = "/usr/bin/pkcs11-tool";

/// wasm-opt releases before 110 (Debian 12 ships 108) rewrite the export of
/// wasm-bindgen's externref table to point at the function table, so the optimized
/// module throws a TypeError in `__wbindgen_init_externref_table` when it loads.
const MIN_WASM_OPT_VERSION: u32 = 110;

/// The binaryen that provides a good wasm-opt: npm's build runs on the machine's Node.js.
const BINARYEN_NPM_VERSION: &str = "132.0.0";

/// terser, which minifies the field's JavaScript glue.
const TERSER_NPM_VERSION: &str = "5.51.4";

/// What a task needs beyond the wasm toolchain.
#[derive(Default)]
pub struct Needs {
    /// Chromium and its WebDriver, for the headless browser tests.
    pub browser: bool,
    /// PostgreSQL 15, for the tests on the PostgreSQL store.
    pub postgres: bool,
    /// nginx, in front of the end-to-end suite's cluster.
    pub nginx: bool,
    /// SoftHSM2 (and OpenSC's pkcs11-tool), for the master key in an HSM.
    pub softhsm: bool,
    /// GnuPG, which encrypts the files of `cardvault import` as a sending vault does.
    pub gnupg: bool,
}

/// A system program a task needs, and the Debian package that brings it.
struct SystemTool {
    path: &'static str,
    package: &'static str,
    why: &'static str,
}

/// Installs whatever is missing.
pub fn ensure(needs: &Needs) -> Result<(), String> {
    wasm_target()?;
    field_toolchain()?;
    wasm_bindgen_cli()?;
    wasm_opt();
    terser();
    system_tools(needs)
}

/// Chromium, chromedriver, PostgreSQL, nginx, SoftHSM and GnuPG as `needs` asks, from Debian's packages: one
/// `apt-get update` and one install for all that are missing. Only as root on Debian; elsewhere
/// a missing one is an error that says what to install.
fn system_tools(needs: &Needs) -> Result<(), String> {
    let mut wanted = Vec::new();
    if needs.browser {
        let why = "the headless browser tests (or pass --no-browser)";
        wanted.push(SystemTool {
            path: CHROMIUM,
            package: "chromium",
            why,
        });
        wanted.push(SystemTool {
            path: CHROMEDRIVER,
            package: "chromium-driver",
            why,
        });
    }
    if needs.postgres {
        wanted.push(SystemTool {
            path: POSTGRES_INITDB,
            package: "postgresql",
            why: "the tests on PostgreSQL (a throwaway cluster in target/pg-test)",
        });
    }
    if needs.nginx {
        wanted.push(SystemTool {
            path: NGINX,
            package: "nginx-light",
            why: "the end-to-end cluster tests (or pass --no-browser)",
        });
    }
    if needs.softhsm {
        let why = "the tests of the master key in an HSM (PKCS#11)";
        wanted.push(SystemTool {
            path: SOFTHSM_MODULE,
            package: "softhsm2",
            why,
        });
        wanted.push(SystemTool {
            path: PKCS11_TOOL,
            package: "opensc",
            why,
        });
    }
    if needs.gnupg {
        wanted.push(SystemTool {
            path: GPG,
            package: "gnupg",
            why: "the tests and the bench of `cardvault import` (files encrypted by GnuPG)",
        });
    }
    let (present, missing): (Vec<_>, Vec<_>) = wanted
        .into_iter()
        .partition(|tool| Path::new(tool.path).exists());
    for tool in &present {
        println!("xtask: {} already present", tool.path);
    }
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root_on_debian() {
        let list = missing
            .iter()
            .map(|tool| {
                format!(
                    "{} (Debian package {}) for {}",
                    tool.path, tool.package, tool.why
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(format!(
            "missing {list}: install them (as root, `cargo xtask test` does it with apt-get)"
        ));
    }
    let packages: Vec<&str> = missing.iter().map(|tool| tool.package).collect();
    println!("xtask: installing {} with apt-get", packages.join(" "));
    apt_install(&packages)?;
    match missing.iter().find(|tool| !Path::new(tool.path).exists()) {
        Some(tool) => Err(format!(
            "apt-get installed {}, but {} is still missing",
            tool.package, tool.path
        )),
        None => Ok(()),
    }
}

fn wasm_target() -> Result<(), String> {
    let installed = stdout_of(command("rustup").args(["target", "list", "--installed"]))?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("xtask: rustup target {WASM_TARGET} already present");
        return Ok(());
    }
    println!("xtask: installing rustup target {WASM_TARGET}");
    run(command("rustup").args(["target", "add", WASM_TARGET]))
}

/// The field's toolchain with the standard library's source (`rust-src`), which `-Zbuild-std`
/// compiles. The minimal profile: no docs, clippy or rustfmt.
pub fn field_toolchain() -> Result<(), String> {
    let components = stdout_of(command("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        FIELD_TOOLCHAIN,
    ]));
    if components.is_ok_and(|list| list.lines().any(|line| line.trim() == "rust-src")) {
        println!("xtask: rustup toolchain {FIELD_TOOLCHAIN} (with rust-src) already present");
        return Ok(());
    }
    println!("xtask: installing rustup toolchain {FIELD_TOOLCHAIN} with rust-src");
    run(command("rustup").args([
        "toolchain",
        "install",
        FIELD_TOOLCHAIN,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
}

/// wasm-bindgen-cli (wasm-bindgen, wasm-bindgen-test-runner) at exactly the version
/// of the wasm-bindgen crate in Cargo.lock: the two refuse to work together otherwise.
fn wasm_bindgen_cli() -> Result<(), String> {
    let wanted = locked_wasm_bindgen_version()?;
    match installed_wasm_bindgen_version() {
        Some(found) if found == wanted => {
            println!("xtask: wasm-bindgen-cli {wanted} already present");
            return Ok(());
        }
        Some(found) => println!("xtask: installing wasm-bindgen-cli {wanted} (found {found})"),
        None => println!("xtask: installing wasm-bindgen-cli {wanted}"),
    }
    // Without `--locked`: the CLI's own lockfile does not build here.
    run(cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]))?;
    match installed_wasm_bindgen_version() {
        Some(found) if found == wanted => Ok(()),
        found => Err(format!(
            "installed wasm-bindgen-cli {wanted}, but the wasm-bindgen found first on PATH is {}; \
             put {} first on PATH",
            found.as_deref().unwrap_or("missing"),
            cargo_bin_dir().unwrap_or_default().display(),
        )),
    }
}

fn locked_wasm_bindgen_version() -> Result<String, String> {
    let path = workspace_root().join("Cargo.lock");
    let lock = fs::read_to_string(&path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    match locked_versions(&lock, "wasm-bindgen").as_slice() {
        [version] => Ok(version.to_string()),
        [] => Err(format!(
            "{} has no wasm-bindgen package: the root crate must depend on it",
            path.display()
        )),
        several => Err(format!(
            "{} has several wasm-bindgen versions ({}); wasm-bindgen-cli can match only one",
            path.display(),
            several.join(", ")
        )),
    }
}

/// The versions of `package` in a Cargo.lock.
fn locked_versions<'a>(lock: &'a str, package: &str) -> Vec<&'a str> {
    lock.split("[[package]]")
        .skip(1)
        .filter_map(|entry| {
            let field = |key| entry.lines().find_map(|line| toml_string(line, key));
            (field("name")? == package)
                .then(|| field("version"))
                .flatten()
        })
        .collect()
}

/// The value of a `key = "value"` line.
fn toml_string<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let value = line
        .trim()
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?;
    value.trim().strip_prefix('"')?.strip_suffix('"')
}

/// From `wasm-bindgen --version`, which prints `wasm-bindgen 0.2.130`.
fn installed_wasm_bindgen_version() -> Option<String> {
    let output = stdout_of(command("wasm-bindgen").arg("--version")).ok()?;
    output.split_whitespace().nth(1).map(str::to_string)
}

/// Makes sure a recent enough wasm-opt exists, installing binaryen from npm when not.
/// Only `cargo xtask build` uses it, and it builds without one: a missing wasm-opt
/// is a warning, not a failure.
fn wasm_opt() {
    let reason = match find_wasm_opt() {
        Ok(path) => {
            println!(
                "xtask: wasm-opt already present ({})",
                relative(&path).display()
            );
            return;
        }
        Err(reason) => reason,
    };
    npm_install("binaryen", BINARYEN_NPM_VERSION, &reason);
    if let Err(reason) = find_wasm_opt() {
        println!("xtask: warning: {reason}");
    }
}

/// Makes sure terser exists, installing it from npm when not. Like wasm-opt, only `cargo xtask
/// build` uses it, and a missing one is a warning: the glue is then served as generated.
fn terser() {
    match find_terser() {
        Ok(path) => println!(
            "xtask: terser already present ({})",
            relative(&path).display()
        ),
        Err(reason) => {
            npm_install("terser", TERSER_NPM_VERSION, &reason);
            if let Err(reason) = find_terser() {
                println!("xtask: warning: {reason}");
            }
        }
    }
}

/// Installs `package` at `version` from npm into `target/tools/<package>`, warning on failure;
/// `reason` says why.
fn npm_install(package: &str, version: &str, reason: &str) {
    if find_program("npm").is_none() {
        println!("xtask: warning: {reason}, and npm is not available to install {package}");
        return;
    }
    println!("xtask: installing {package} {version} from npm ({reason})");
    let installed = run(command("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(relative(&npm_dir(package)))
        .arg(format!("{package}@{version}")));
    if let Err(err) = installed {
        println!("xtask: warning: {err}");
    }
}

/// Where npm installs `package` for us.
fn npm_dir(package: &str) -> PathBuf {
    target_dir().join("tools").join(package)
}

/// The program `name` that npm installed with `package`, else one on PATH.
fn npm_program(package: &str, name: &str) -> Option<PathBuf> {
    let ours = npm_dir(package)
        .join("node_modules")
        .join(".bin")
        .join(name);
    Some(ours)
        .filter(|path| path.is_file())
        .or_else(|| find_program(name))
}

/// The terser to use: ours from npm, else one on PATH.
pub fn find_terser() -> Result<PathBuf, String> {
    npm_program("terser", "terser").ok_or_else(|| "terser not found".to_string())
}

/// The wasm-opt to use: ours from npm, else one on PATH, if recent enough.
/// The error says why there is none.
pub fn find_wasm_opt() -> Result<PathBuf, String> {
    let candidate = npm_program("binaryen", "wasm-opt").ok_or("wasm-opt not found")?;
    match wasm_opt_version(&candidate) {
        Some(version) if version >= MIN_WASM_OPT_VERSION => Ok(candidate),
        Some(version) => Err(format!(
            "{} is version {version}, and versions before {MIN_WASM_OPT_VERSION} \
             break wasm-bindgen's externref table",
            candidate.display()
        )),
        None => Err(format!(
            "cannot read the version of {}",
            candidate.display()
        )),
    }
}

/// From `wasm-opt --version`, which prints e.g. `wasm-opt version 132 (version_132)`.
fn wasm_opt_version(wasm_opt: &Path) -> Option<u32> {
    let output = stdout_of(command(wasm_opt).arg("--version")).ok()?;
    let mut words = output.split_whitespace();
    words.find(|word| *word == "version")?;
    words.next()?.parse().ok()
}

fn is_root_on_debian() -> bool {
    Path::new("/etc/debian_version").exists() && is_root()
}

pub fn is_root() -> bool {
    stdout_of(command("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    run(command("apt-get").arg("update"))?;
    run(command("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y"])
        .args(packages))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"
"#;

    #[test]
    fn finds_the_locked_version_of_exactly_that_package() {
        assert_eq!(locked_versions(LOCK, "wasm-bindgen"), ["0.2.130"]);
        assert!(locked_versions(LOCK, "wasm-bindgen-test").is_empty());
    }

    #[test]
    fn reads_toml_strings() {
        assert_eq!(toml_string(r#"name = "x""#, "name"), Some("x"));
        assert_eq!(toml_string(r#" "name","#, "name"), None);
        assert_eq!(toml_string(r#"names = "x""#, "name"), None);
    }
}
