//! Embeds the browser assets in the `cardvault` binary, so one file is all an operator deploys:
//! the field's WebAssembly and its JS glue (built by `cargo xtask build` into `target/field`, or
//! the directory in `CARDVAULT_FIELD_DIR`), the field's page, script and style sheet, and the
//! loader; and computes the loader's SRI hash at build time.
//!
//! The field's files get content-hashed names (`field.<hash>.js`, …), written into the files
//! that name them (the page names the script, style sheet, glue and WebAssembly; the script
//! imports the glue; the glue fetches the WebAssembly), so the vault can let browsers keep them
//! for a year: a changed file is a new name. Every asset is also precompressed here (gzip and
//! brotli), so serving one costs no CPU. All of it goes to `OUT_DIR`, with `assets.rs`, which
//! `src/http/assets.rs` includes.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256, Sha384};

const BUILT: &[&str] = &["cardvault.js", "cardvault_bg.wasm"];

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// One asset as the vault serves it.
struct Asset {
    /// The name the generated code knows it by.
    ident: &'static str,
    /// Its name under `/v1/field/` (empty for the page and the loader).
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    println!("cargo:rerun-if-env-changed=CARDVAULT_FIELD_DIR");
    let field = std::env::var("CARDVAULT_FIELD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target").join("field"));
    for file in BUILT {
        let path = field.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        if !path.is_file() {
            return Err(format!(
                "{} is missing: the field is built by `cargo xtask build` (or set CARDVAULT_FIELD_DIR)",
                path.display()
            ));
        }
    }
    println!("cargo:rustc-env=CARDVAULT_FIELD_DIR={}", field.display());

    let www = root.join("www");
    println!("cargo:rerun-if-changed={}", www.display());
    let read =
        |path: &Path| std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()));
    let loader = read(&www.join("cardvault.js"))?;
    let sri = format!("sha384-{}", Base64::encode_string(&Sha384::digest(&loader)));
    println!("cargo:rustc-env=CARDVAULT_LOADER_SRI={sri}");

    // Each name comes from the file's bytes after the names it holds are rewritten, in the
    // order they name one another.
    let wasm = read(&field.join("cardvault_bg.wasm"))?;
    let wasm_name = hashed("cardvault_bg", "wasm", &wasm);
    let glue = rewrite(
        read(&field.join("cardvault.js"))?,
        "the field's glue (cardvault.js)",
        &[("\"cardvault_bg.wasm\"", format!("\"{wasm_name}\""))],
    )?;
    let glue_name = hashed("cardvault", "js", &glue);
    let script = rewrite(
        read(&www.join("field").join("field.js"))?,
        "www/field/field.js",
        &[("'./cardvault.js'", format!("'./{glue_name}'"))],
    )?;
    let script_name = hashed("field", "js", &script);
    let css = read(&www.join("field").join("field.css"))?;
    let css_name = hashed("field", "css", &css);
    let page = rewrite(
        read(&www.join("field").join("field.html"))?,
        "www/field/field.html",
        &[
            (
                "href=\"/v1/field/field.css\"",
                format!("href=\"/v1/field/{css_name}\""),
            ),
            (
                "href=\"/v1/field/cardvault.js\"",
                format!("href=\"/v1/field/{glue_name}\""),
            ),
            (
                "href=\"/v1/field/cardvault_bg.wasm\"",
                format!("href=\"/v1/field/{wasm_name}\""),
            ),
            (
                "src=\"/v1/field/field.js\"",
                format!("src=\"/v1/field/{script_name}\""),
            ),
        ],
    )?;

    let assets = [
        Asset {
            ident: "FIELD_PAGE",
            name: String::new(),
            content_type: "text/html; charset=utf-8",
            bytes: page,
        },
        Asset {
            ident: "LOADER_SCRIPT",
            name: String::new(),
            content_type: "text/javascript; charset=utf-8",
            bytes: loader,
        },
        Asset {
            ident: "FIELD_SCRIPT",
            name: script_name,
            content_type: "text/javascript; charset=utf-8",
            bytes: script,
        },
        Asset {
            ident: "FIELD_CSS",
            name: css_name,
            content_type: "text/css; charset=utf-8",
            bytes: css,
        },
        Asset {
            ident: "FIELD_GLUE",
            name: glue_name,
            content_type: "text/javascript; charset=utf-8",
            bytes: glue,
        },
        Asset {
            ident: "FIELD_WASM",
            name: wasm_name,
            content_type: "application/wasm",
            bytes: wasm,
        },
    ];
    let dir = out.join("assets");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut code = String::from("// Generated by build.rs: the browser assets.\n");
    for asset in &assets {
        let file = |suffix: &str| dir.join(format!("{}{suffix}", asset.ident));
        let write = |path: &Path, bytes: &[u8]| {
            std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
        };
        write(&file(""), &asset.bytes)?;
        // A compressed form only where it is smaller: a browser gets the smallest it accepts.
        let variant = |suffix: &str, bytes: Vec<u8>| -> Result<String, String> {
            if bytes.len() >= asset.bytes.len() {
                return Ok("None".to_owned());
            }
            write(&file(suffix), &bytes)?;
            Ok(format!(
                "Some(include_bytes!({:?}))",
                file(suffix).display().to_string()
            ))
        };
        let gzip = variant(".gz", gzip(&asset.bytes)?)?;
        let brotli = variant(".br", brotli(&asset.bytes)?)?;
        let _ = writeln!(
            code,
            "pub(crate) const {}: Asset = Asset {{ name: {:?}, content_type: {:?}, identity: \
             include_bytes!({:?}), gzip: {gzip}, brotli: {brotli} }};",
            asset.ident,
            asset.name,
            asset.content_type,
            file("").display().to_string(),
        );
    }
    let generated = out.join("assets.rs");
    std::fs::write(&generated, code).map_err(|e| format!("writing {}: {e}", generated.display()))
}

/// `stem.<first 16 hex digits of the SHA-256 of bytes>.ext`.
fn hashed(stem: &str, ext: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{stem}.{hex}.{ext}")
}

/// `bytes` (UTF-8) with each `(from, to)` replaced; each `from` must be there exactly once,
/// so a change upstream (wasm-bindgen's glue, the page) stops the build instead of shipping
/// a page that names files the vault does not serve.
fn rewrite(bytes: Vec<u8>, what: &str, replacements: &[(&str, String)]) -> Result<Vec<u8>, String> {
    let mut text = String::from_utf8(bytes).map_err(|e| format!("{what}: {e}"))?;
    for (from, to) in replacements {
        let count = text.matches(from).count();
        if count != 1 {
            return Err(format!(
                "{what} names {from} {count} times, not once: the build cannot give it its \
                 content-hashed name"
            ));
        }
        text = text.replacen(from, to, 1);
    }
    Ok(text.into_bytes())
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| format!("gzip: {e}"))
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .map_err(|e| format!("brotli: {e}"))?;
    Ok(out)
}
