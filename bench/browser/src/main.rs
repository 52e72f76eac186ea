//! `cardvault-bench-browser --server target/release/cardvault --wasm-dir target/bench/wasm`:
//! the browser figures of issue 6, in headless Chromium driven through chromedriver with the
//! end-to-end suite's harness (`cardvault-e2e`). `cardvault-bench` runs it and reads the one
//! JSON object it prints on stdout; progress goes to stderr.
//!
//! - `encrypt_ms_wasm` and `encrypt_ms_webcrypto`: `seal.html`, served from a loopback origin of
//!   its own with COOP/COEP so that it is cross-origin isolated (`performance.now()` then ticks
//!   in 5 µs, not 100 µs), loads `cardvault_bench_wasm` (the field's sealing code, built like the
//!   field) and times it against WebCrypto on the vault's own key.
//! - `ready_ms`: in the demo shop of the real vault binary (a second loopback origin, the
//!   loader included as a merchant includes it), `ready.js` times `CardVault.mount()` to the
//!   `ready` event, mount after mount; first with the browser's cache disabled (every mount
//!   fetches and compiles the field, as on a first visit: the figure), then with it (a return
//!   visit, for information).
//!
//! The harness reports failures by panicking, which ends this program with an error after the
//! guards have stopped the browser and the vault.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cardvault_e2e::{Browser, PageServer, START_TIMEOUT, Site, Vault};
use serde_json::{Value, json};

const SEAL_PAGE: &str = include_str!("seal.html");
const READY_SCRIPT: &str = include_str!("ready.js");

/// The sealing module's file stem, as wasm-bindgen names its output.
const MODULE: &str = "cardvault_bench_wasm";

/// Seals (and WebCrypto encryptions) before timing, batches timed, seals per batch.
const SEAL_WARMUP: u32 = 20;
const SEAL_BATCHES: u32 = 200;
const SEAL_BATCH: u32 = 10;
/// Mounts before timing, mounts timed (each way: cache disabled, then enabled).
const READY_WARMUP: u32 = 2;
const READY_MOUNTS: u32 = 30;
/// How long one measurement may take on a busy machine.
const MEASURE_TIMEOUT: Duration = Duration::from_secs(600);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match measure().await {
        Ok(figures) => {
            println!("{figures}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cardvault-bench-browser: error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn measure() -> Result<Value, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (server, wasm_dir) = match args.as_slice() {
        [s, server, w, wasm_dir] if s == "--server" && w == "--wasm-dir" => {
            (PathBuf::from(server), PathBuf::from(wasm_dir))
        }
        _ => return Err("usage: cardvault-bench-browser --server BIN --wasm-dir DIR".into()),
    };
    let sealer = [
        (format!("{MODULE}.js"), "text/javascript"),
        (format!("{MODULE}_bg.wasm"), "application/wasm"),
    ]
    .into_iter()
    .map(|(name, content_type)| {
        let path = wasm_dir.join(&name);
        std::fs::read(&path)
            .map(|body| (format!("/{name}"), content_type, body))
            .map_err(|e| {
                format!(
                    "reading {}: {e} (built by `cargo xtask bench`)",
                    path.display()
                )
            })
    })
    .collect::<Result<Vec<_>, String>>()?;
    run(&server, sealer).await
}

async fn run(server: &Path, sealer: Vec<(String, &'static str, Vec<u8>)>) -> Result<Value, String> {
    // The level a production vault logs at.
    let vault = Vault::start_with(server, "info");
    let jwks = vault
        .request("GET", "/.well-known/jwks.json", &[], "")
        .json();
    let key = &jwks["keys"][0];
    let (Some(n), Some(e)) = (key["n"].as_str(), key["e"].as_str()) else {
        return Err(format!("the vault's JWKS has no RSA key: {jwks}"));
    };
    let mut files = sealer;
    files.push((
        "/".to_owned(),
        "text/html; charset=utf-8",
        SEAL_PAGE.as_bytes().to_vec(),
    ));
    let page = PageServer::serve(|_| Site {
        files,
        headers: vec![
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Embedder-Policy", "require-corp"),
        ],
    });
    let browser = Browser::start().await;

    eprintln!(
        "==> encrypt_ms_wasm, encrypt_ms_webcrypto (headless Chromium, {})",
        page.origin
    );
    goto(&browser, &format!("{}/", page.origin)).await?;
    browser
        .wait_for_js(
            START_TIMEOUT,
            "the sealing page's module",
            "window.cardvaultBench",
        )
        .await;
    let seal = run_js(
        &browser,
        "measure",
        json!({
            "n": n,
            "e": e,
            "aud": vault.publishable_key,
            "warmup": SEAL_WARMUP,
            "batches": SEAL_BATCHES,
            "batch": SEAL_BATCH,
        }),
    )
    .await?;
    let (Some(wasm), Some(webcrypto)) = (seal["wasm_ms"].as_f64(), seal["webcrypto_ms"].as_f64())
    else {
        return Err(format!("the sealing page gave no times: {seal}"));
    };
    eprintln!(
        "    wasm {wasm:.4} ms, WebCrypto {webcrypto:.4} ms per card (medians of {SEAL_BATCHES} \
         batches of {SEAL_BATCH}; crossOriginIsolated: {})",
        seal["cross_origin_isolated"]
    );

    eprintln!("==> ready_ms (the demo shop, {})", vault.shop);
    goto(&browser, &format!("{}/", vault.shop)).await?;
    // The shop's own field first, so that the loader and the page have settled.
    browser
        .wait_for_js(
            START_TIMEOUT,
            "the shop's field (#pay enabled)",
            "!document.getElementById('pay').disabled",
        )
        .await;
    browser.js(READY_SCRIPT, vec![]).await;
    let options = json!({
        "publishableKey": vault.publishable_key,
        "warmup": READY_WARMUP,
        "mounts": READY_MOUNTS,
    });
    let mut ready = serde_json::Map::new();
    for (name, disabled) in [("cache_disabled", true), ("cached", false)] {
        browser
            .devtools(
                "Network.setCacheDisabled",
                json!({ "cacheDisabled": disabled }),
            )
            .await;
        browser.devtools_events().await; // what came before
        let mut times = run_js(&browser, "ready", options.clone()).await?;
        let Some(median) = times["median_ms"].as_f64() else {
            return Err(format!("the shop page gave no median_ms: {times}"));
        };
        // Checks what the cache setting did: how often the field's wasm came over the network.
        let fetched = wasm_from_network(&browser.devtools_events().await);
        times["wasm_from_network"] = json!(fetched);
        eprintln!(
            "    {name}: median {median:.1} ms over {} mounts (+{READY_WARMUP} warm-up); \
             the field's wasm came from the network {fetched} times",
            times["mounts"]
        );
        ready.insert(name.to_owned(), times);
    }
    browser.close().await;
    drop(vault);
    Ok(json!({ "seal": seal, "ready": ready }))
}

async fn goto(browser: &Browser, url: &str) -> Result<(), String> {
    browser
        .client
        .goto(url)
        .await
        .map_err(|e| format!("opening {url}: {e}"))
}

/// Starts `window.cardvaultBench[method](options)` in the page and waits for what it resolves
/// to (a JSON object), or the message it rejects with.
async fn run_js(browser: &Browser, method: &str, options: Value) -> Result<Value, String> {
    browser
        .js(
            "window.cardvaultBenchOutcome = null;
             window.cardvaultBench[arguments[0]](arguments[1]).then(
               (ok) => { window.cardvaultBenchOutcome = { ok }; },
               (e) => { window.cardvaultBenchOutcome = { error: String(e && e.message || e) }; });",
            vec![json!(method), options],
        )
        .await;
    let outcome = browser
        .wait_for_js(
            MEASURE_TIMEOUT,
            &format!("cardvaultBench.{method}"),
            "window.cardvaultBenchOutcome",
        )
        .await;
    match outcome.get("ok") {
        Some(ok) => Ok(ok.clone()),
        None => Err(format!(
            "cardvaultBench.{method} failed: {}",
            outcome["error"]
        )),
    }
}

/// How many responses for the field's wasm, among the DevTools events, came from the network
/// rather than a cache.
fn wasm_from_network(events: &[Value]) -> usize {
    events
        .iter()
        .filter(|event| event["method"] == "Network.responseReceived")
        .map(|event| &event["params"]["response"])
        .filter(|response| {
            response["url"]
                .as_str()
                .is_some_and(|url| url.ends_with("/v1/field/cardvault_bg.wasm"))
        })
        .filter(|response| {
            ["fromDiskCache", "fromMemoryCache", "fromPrefetchCache"]
                .iter()
                .all(|cached| response[*cached] != json!(true))
        })
        .count()
}
