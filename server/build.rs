//! Embeds the browser assets in the `cardvault` binary, so one file is all an operator deploys:
//! the field's WebAssembly and its JS glue (built by `cargo xtask build` into `target/field`, or
//! the directory in `CARDVAULT_FIELD_DIR`), and computes the loader's SRI hash at build time.

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha384};

const BUILT: &[&str] = &["cardvault.js", "cardvault_bg.wasm"];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    println!("cargo:rerun-if-env-changed=CARDVAULT_FIELD_DIR");
    let field = std::env::var("CARDVAULT_FIELD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target").join("field"));
    for file in BUILT {
        let path = field.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        if !path.is_file() {
            eprintln!(
                "error: {} is missing: the field is built by `cargo xtask build` (or set CARDVAULT_FIELD_DIR)",
                path.display()
            );
            std::process::exit(1);
        }
    }
    println!("cargo:rustc-env=CARDVAULT_FIELD_DIR={}", field.display());

    let www = root.join("www");
    println!("cargo:rerun-if-changed={}", www.display());
    let loader = match std::fs::read(www.join("cardvault.js")) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: reading www/cardvault.js: {e}");
            std::process::exit(1);
        }
    };
    let sri = format!("sha384-{}", Base64::encode_string(&Sha384::digest(&loader)));
    println!("cargo:rustc-env=CARDVAULT_LOADER_SRI={sri}");
}
