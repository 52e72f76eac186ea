//! `cargo xtask build`: builds what gets deployed: the browser field (wasm-bindgen, wasm-opt)
//! into `target/field`, then `target/release/cardvault` with every asset embedded (its build
//! script computes the loader's SRI hash).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::imports;
use crate::install::{self, FIELD_TOOLCHAIN, Needs, WASM_TARGET, find_terser, find_wasm_opt};
use crate::process::{self, cargo, command, relative, target_dir, workspace_root};

/// wasm-opt's flags: flattening and re-running the relooper before optimizing for size twice,
/// then again until nothing shrinks (smaller after gzip than one `-Oz`), the features the
/// field may use (what every browser we support has), and dropping the sections a browser does
/// not need.
const WASM_OPT_FLAGS: [&str; 12] = [
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--converge",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--strip-debug",
    "--strip-producers",
    "--strip-target-features",
];

/// How the field's toolchain (`install::FIELD_TOOLCHAIN`) rebuilds the standard library: only
/// `core` and `alloc` (the field is `no_std`), tuned for size.
const BUILD_STD: [&str; 2] = [
    "-Zbuild-std=core,alloc",
    "-Zbuild-std-features=optimize_for_size",
];

/// Compiler flags for the field on top of `.cargo/config.toml`'s (cargo joins the two lists). A
/// panic aborts where it happens, and neither panic locations nor `Debug` output are compiled in
/// (what each saves: bench/README.md). The field's own panic handler aborts without formatting anything
/// anyway (src/lib.rs), but the stable toolchain's prebuilt `core` still carries the messages,
/// locations and formatting code its panics pass to it. Passed as `--config`, where their `Debug`
/// form is a TOML array.
const FIELD_RUSTFLAGS: [&str; 4] = [
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
    "-Zlocation-detail=none",
    "-Zfmt-debug=none",
];

pub struct Options {
    pub install: bool,
    /// Only the field: not the server.
    pub field_only: bool,
}

pub fn run(options: &Options) -> Result<(), String> {
    if options.install {
        install::ensure(&Needs::default())?;
    }
    let field = field()?;
    print_sizes(&field)?;
    check_field_size(&field)?;
    if options.field_only {
        return Ok(());
    }
    process::run(cargo().args(["build", "--release", "-p", "cardvault-server"]))?;
    let binary = target_dir().join("release").join("cardvault");
    println!("xtask: built {}", relative(&binary).display());
    Ok(())
}

/// Builds the field into `target/field` and returns the files to serve. Feature `page`: on
/// wasm32 the crate is `no_std`, and the module brings its own panic handler and allocator.
pub fn field() -> Result<Vec<PathBuf>, String> {
    wasm_module(
        &[
            "-p",
            "cardvault",
            "--lib",
            "--no-default-features",
            "--features",
            "page",
        ],
        "cardvault",
        &target_dir().join("field"),
    )
}

/// Builds a wasm32 library the way the field is built: with the field's toolchain, its own
/// `core` and `alloc` and the `wasm` profile (into `target/nightly`, apart from the stable
/// builds), wasm-bindgen for `--target web` into `out_dir`, then wasm-opt. `select` picks the
/// crate (cargo arguments), which must be `no_std`; `name` is its library's file stem. Returns
/// the JavaScript glue and the module.
pub fn wasm_module(select: &[&str], name: &str, out_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let build_dir = target_dir().join("nightly");
    let rustflags = format!("target.{WASM_TARGET}.rustflags = {FIELD_RUSTFLAGS:?}");
    process::run(
        command("rustup")
            .args(["run", FIELD_TOOLCHAIN, "cargo", "build", "--locked"])
            .args(select)
            .args(["--target", WASM_TARGET, "--profile", "wasm"])
            .args(BUILD_STD)
            .args(["--config", &rustflags, "--target-dir"])
            .arg(relative(&build_dir)),
    )?;
    let wasm = build_dir
        .join(WASM_TARGET)
        .join("wasm")
        .join(format!("{name}.wasm"));
    process::run(
        command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(relative(out_dir))
            .arg(relative(&wasm)),
    )?;
    let module = out_dir.join(format!("{name}_bg.wasm"));
    let glue = out_dir.join(format!("{name}.js"));
    shorten_imports(&module, &glue, &format!("./{name}_bg.js"))?;
    optimize(&module)?;
    minify(&glue)?;
    Ok(vec![glue, module])
}

/// Renames the module's imports from its glue (`glue_module`) to short names, in both files
/// (see `imports`).
fn shorten_imports(module: &Path, glue: &Path, glue_module: &str) -> Result<(), String> {
    let read_error = |path: &Path, err| format!("cannot read {}: {err}", path.display());
    let wasm = fs::read(module).map_err(|err| read_error(module, err))?;
    let js = fs::read_to_string(glue).map_err(|err| read_error(glue, err))?;
    let (wasm, js) = imports::shorten(&wasm, &js, glue_module)
        .map_err(|err| format!("cannot shorten the imports of {}: {err}", module.display()))?;
    let write_error = |path: &Path, err| format!("cannot write {}: {err}", path.display());
    fs::write(module, wasm).map_err(|err| write_error(module, err))?;
    fs::write(glue, js).map_err(|err| write_error(glue, err))
}

/// Shrinks the module in place with wasm-opt, when a good one is installed.
fn optimize(module: &Path) -> Result<(), String> {
    let wasm_opt = match find_wasm_opt() {
        Ok(wasm_opt) => wasm_opt,
        Err(reason) => {
            println!(
                "xtask: warning: not optimizing {}: {reason}",
                relative(module).display()
            );
            return Ok(());
        }
    };
    process::run(
        command(wasm_opt)
            .args(WASM_OPT_FLAGS)
            .arg(relative(module))
            .arg("-o")
            .arg(relative(module)),
    )
}

/// Minifies the JavaScript glue in place with terser, when one is installed: an ES module, whose
/// exports keep their names (and the import object's keys, which the module calls, are
/// properties, which terser leaves alone).
fn minify(glue: &Path) -> Result<(), String> {
    let terser = match find_terser() {
        Ok(terser) => terser,
        Err(reason) => {
            println!(
                "xtask: warning: not minifying {}: {reason}",
                relative(glue).display()
            );
            return Ok(());
        }
    };
    let minified = glue.with_extension("min.js");
    process::run(
        command(terser)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(relative(&minified))
            .arg(relative(glue)),
    )?;
    fs::rename(&minified, glue).map_err(|err| {
        format!(
            "cannot move {} to {}: {err}",
            minified.display(),
            glue.display()
        )
    })
}

fn print_sizes(files: &[PathBuf]) -> Result<(), String> {
    for file in files {
        let raw = fs::metadata(file)
            .map_err(|err| format!("cannot read {}: {err}", file.display()))?
            .len();
        let name = relative(file).display();
        match gzip_size(file) {
            Some(gzipped) => println!("xtask: {name}: {raw} bytes, {gzipped} gzipped"),
            None => println!("xtask: {name}: {raw} bytes"),
        }
    }
    Ok(())
}

/// The field's size target: what the iframe loads (the glue, the wasm, and the page's HTML, CSS
/// and JS, each its own response), in bytes after `gzip -9`; the bench's `field_gz_bytes`.
const FIELD_TARGET_GZ_BYTES: usize = 60_000;

/// Fails when the field built into `files` (the glue and the wasm) and its page in `www/field`
/// are over their size target, else prints what they weigh.
pub fn check_field_size(files: &[PathBuf]) -> Result<(), String> {
    let page = ["field.html", "field.css", "field.js"]
        .map(|name| workspace_root().join("www").join("field").join(name));
    let mut total = 0;
    for file in files.iter().chain(&page) {
        total += gzip_size(file)
            .ok_or_else(|| format!("cannot measure {} with gzip -9", file.display()))?;
    }
    if total > FIELD_TARGET_GZ_BYTES {
        return Err(format!(
            "the field weighs {total} bytes gzipped, over its target of {FIELD_TARGET_GZ_BYTES} \
             (bench/README.md, where the bytes go)"
        ));
    }
    println!("xtask: the field weighs {total} bytes gzipped (target {FIELD_TARGET_GZ_BYTES})");
    Ok(())
}

/// The size after `gzip -9`, when gzip is available.
fn gzip_size(file: &Path) -> Option<usize> {
    let output = command("gzip")
        .args(["-9", "-c"])
        .arg(file)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout.len())
}
