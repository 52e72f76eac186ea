//! The browser figures (`encrypt_ms_wasm`, `encrypt_ms_webcrypto`, `ready_ms`, and with the shop
//! cross-site `ready_ms_cross_site`, `ready_ms_mobile`, `field_wire_bytes`, `tokenize_click_ms`):
//! measured by the `cardvault-bench-browser` binary (in `bench/browser`), run here as a child
//! that prints one JSON object.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The figures, in milliseconds.
pub struct Figures {
    pub encrypt_ms_wasm: f64,
    pub encrypt_ms_webcrypto: f64,
    /// Whether the sealing page was cross-origin isolated (a 5 µs timer), as it should be.
    pub cross_origin_isolated: bool,
    /// The length of the card JSON both sides encrypt.
    pub plaintext_bytes: u64,
    /// Mount to `ready`, the browser's cache disabled: the figure.
    pub ready: Ready,
    /// The same with the cache on (a return visit), for information.
    pub ready_cached: Ready,
    /// Mount to `ready` with the shop cross-site (the iframe in a process of its own), the
    /// cache disabled in the page and the iframe.
    pub ready_cross_site: Ready,
    /// The same on an emulated phone: CPU 4× slower, 150 ms round trips, 1.6 Mbit/s down.
    pub ready_mobile: Ready,
    /// Bytes on the wire (headers and bodies) of what one mount of the field fetches.
    pub field_wire_bytes: f64,
    /// The median from `card.tokenize()` to its resolution, cross-site, unthrottled.
    pub tokenize_click: Ready,
}

/// Mount-to-ready times over a number of mounts (for `tokenize_click`: tokenizations).
pub struct Ready {
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub mounts: u64,
    /// How often the field's wasm came over the network rather than from a cache (over the
    /// warm-up and timed mounts): what shows that the cache setting took.
    pub wasm_from_network: u64,
}

/// Runs `browser_bench` against the vault binary `server` and the sealing module in `wasm_dir`.
pub fn measure(browser_bench: &Path, server: &Path, wasm_dir: &Path) -> Result<Figures, String> {
    let out = crate::stdout_of(
        Command::new(browser_bench)
            .arg("--server")
            .arg(server)
            .arg("--wasm-dir")
            .arg(wasm_dir),
        "the browser measurement",
    )?;
    let value: Value = serde_json::from_str(out.trim())
        .map_err(|e| format!("the browser measurement printed {out:?}: {e}"))?;
    parse(&value).ok_or_else(|| format!("the browser measurement printed {value}"))
}

fn parse(value: &Value) -> Option<Figures> {
    let seal = &value["seal"];
    Some(Figures {
        encrypt_ms_wasm: seal["wasm_ms"].as_f64()?,
        encrypt_ms_webcrypto: seal["webcrypto_ms"].as_f64()?,
        cross_origin_isolated: seal["cross_origin_isolated"].as_bool()?,
        plaintext_bytes: seal["plaintext_bytes"].as_u64()?,
        ready: ready(&value["ready"]["cache_disabled"])?,
        ready_cached: ready(&value["ready"]["cached"])?,
        ready_cross_site: ready(&value["cross_site"]["cross_site"])?,
        ready_mobile: ready(&value["cross_site"]["mobile"])?,
        field_wire_bytes: value["cross_site"]["mobile"]["field_wire_bytes"].as_f64()?,
        tokenize_click: {
            let tokenize = &value["cross_site"]["tokenize"];
            Ready {
                median_ms: tokenize["median_ms"].as_f64()?,
                min_ms: tokenize["min_ms"].as_f64()?,
                max_ms: tokenize["max_ms"].as_f64()?,
                mounts: tokenize["count"].as_u64()?,
                wasm_from_network: 0,
            }
        },
    })
}

fn ready(value: &Value) -> Option<Ready> {
    Some(Ready {
        median_ms: value["median_ms"].as_f64()?,
        min_ms: value["min_ms"].as_f64()?,
        max_ms: value["max_ms"].as_f64()?,
        mounts: value["mounts"].as_u64()?,
        wasm_from_network: value["wasm_from_network"].as_u64()?,
    })
}
