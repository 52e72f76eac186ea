//! `cargo xtask demo`: builds everything, then runs the vault with the demo shop on two loopback
//! sites, with a data dir (and a development master key) under `target/demo`.

use crate::build;
use crate::process::{self, command, relative, target_dir};

/// The vault's address.
pub const VAULT: &str = "127.0.0.1:8080";
/// The demo shop's address: a second site (`localhost` is not `127.0.0.1` to a browser), so the
/// field's iframe is cross-site to the page that embeds it, as on a real merchant's.
pub const SHOP: &str = "localhost:8081";

pub fn run(options: &build::Options) -> Result<(), String> {
    build::run(options)?;
    let binary = target_dir().join("release").join("cardvault");
    let data_dir = target_dir().join("demo");
    println!();
    println!(
        "  shop:  http://{SHOP}/   (pay with 4242 4242 4242 4242, any future expiry, any CVC)"
    );
    println!(
        "  vault: http://{VAULT}/  (data in {})",
        relative(&data_dir).display()
    );
    println!(
        "  Pay, and the shop's server charges the token through the vault to a demo processor."
    );
    println!("  Ctrl-C stops them all.");
    println!();
    process::run(
        command(&binary)
            .args([
                "serve",
                "--dev",
                "--listen",
                VAULT,
                "--demo",
                SHOP,
                "--data-dir",
            ])
            .arg(relative(&data_dir)),
    )
}
