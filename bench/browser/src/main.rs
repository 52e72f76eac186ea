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
//! - `ready_ms_cross_site`, `ready_ms_mobile`, `field_wire_bytes`, `tokenize_click_ms` (issue
//!   26): the same mounts in a demo shop on `localhost`, cross-site to the vault on `127.0.0.1`
//!   as a real merchant's page is, so that the field's iframe runs in a renderer process of its
//!   own. A DevTools client of our own (`cdp`) auto-attaches that iframe's target and puts it,
//!   like the page, under the run's conditions before it runs: the cache disabled, and for
//!   `mobile` the CPU throttled 4× and the network emulated at 150 ms round trip, 1.6 Mbit/s
//!   down and 750 kbit/s up. The field's requests in every target give the bytes on the wire
//!   and when each asset arrived. Then one field, filled by the driver, times `card.tokenize()`
//!   to its resolution (unthrottled).
//!
//! The harness reports failures by panicking, which ends this program with an error after the
//! guards have stopped the browser and the vault.

mod cdp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cardvault_e2e::{Browser, PageServer, START_TIMEOUT, Site, VISA, Vault};
use serde_json::{Value, json};

use cdp::{Cdp, Conditions, Network};

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
/// The same on the emulated phone, where each mount takes about a second.
const MOBILE_WARMUP: u32 = 1;
const MOBILE_MOUNTS: u32 = 15;
/// Tokenizations before timing, and timed.
const TOKENIZE_WARMUP: u32 = 5;
const TOKENIZE_COUNT: u32 = 50;
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
    let cross_site = cross_site(server).await?;
    Ok(json!({ "seal": seal, "ready": ready, "cross_site": cross_site }))
}

/// The figures of the cross-site shop: `ready` unthrottled and on the phone, with the field's
/// loads, then `tokenize`.
async fn cross_site(server: &Path) -> Result<Value, String> {
    // No allowance per client address: the timed tokenizations come from one, faster than a
    // shopper's.
    let vault = Vault::start_cross_site(server, "info", &["--rate-limit-client", "0"]);
    let browser = Browser::start().await;
    eprintln!(
        "==> ready_ms_cross_site, ready_ms_mobile (the demo shop {}, the vault {})",
        vault.shop, vault.origin
    );
    goto(&browser, &format!("{}/", vault.shop)).await?;
    browser
        .wait_for_js(
            START_TIMEOUT,
            "the shop's field (#pay enabled)",
            "!document.getElementById('pay').disabled",
        )
        .await;
    browser.js(READY_SCRIPT, vec![]).await;
    let cdp = Cdp::connect(&browser.devtools_url()).await?;
    let page = cdp.attach_page(&vault.shop).await?;
    cdp.auto_attach(&page).await?;

    let unthrottled = Conditions {
        cache_disabled: true,
        cpu_rate: 1.0,
        network: None,
    };
    let phone = Conditions {
        cache_disabled: true,
        cpu_rate: 4.0,
        network: Some(Network {
            latency_ms: 150.0,
            down_bits: 1_600_000.0,
            up_bits: 750_000.0,
        }),
    };
    let mut figures = serde_json::Map::new();
    for (name, conditions, warmup, mounts) in [
        (
            "cross_site",
            unthrottled.clone(),
            READY_WARMUP,
            READY_MOUNTS,
        ),
        ("mobile", phone, MOBILE_WARMUP, MOBILE_MOUNTS),
    ] {
        cdp.set_conditions(conditions).await?;
        let (_, attached_before) = cdp.take_events();
        let mut times = run_js(
            &browser,
            "ready",
            json!({ "publishableKey": vault.publishable_key, "warmup": warmup, "mounts": mounts }),
        )
        .await?;
        let (events, attached) = cdp.take_events();
        let Some(median) = times["median_ms"].as_f64() else {
            return Err(format!("the shop page gave no median_ms: {times}"));
        };
        let loads = field_loads(&events, &vault.origin);
        let frames = attached - attached_before;
        if frames < u64::from(warmup + mounts) {
            return Err(format!(
                "{name}: {frames} iframe targets attached for {} mounts: the field did not run \
                 in a process of its own, so the conditions did not reach it",
                warmup + mounts
            ));
        }
        let mounted = f64::from(warmup + mounts);
        times["wasm_from_network"] = json!(loads.wasm_from_network);
        times["iframes_attached"] = json!(frames);
        times["field_wire_bytes"] = json!((loads.wire_bytes as f64 / mounted).round());
        times["assets"] = json!(loads.assets);
        eprintln!(
            "    {name}: median {median:.1} ms over {} mounts (+{warmup} warm-up), each in an \
             iframe target of its own ({frames} attached); the field's wasm came from the \
             network {} times; {:.0} bytes on the wire per mount",
            times["mounts"],
            loads.wasm_from_network,
            loads.wire_bytes as f64 / mounted
        );
        for (asset, timing) in &loads.assets {
            eprintln!(
                "        {asset}: from {} to {} ms after the field's page was requested \
                 (medians), {} bytes on the wire",
                timing["start_ms"], timing["end_ms"], timing["wire_bytes"]
            );
        }
        figures.insert(name.to_owned(), times);
    }

    eprintln!("==> tokenize_click_ms (the same page, unthrottled)");
    cdp.set_conditions(unthrottled).await?;
    run_js(
        &browser,
        "mountOne",
        json!({ "publishableKey": vault.publishable_key }),
    )
    .await?;
    browser
        .fill_card("#cardvault-bench-tokenize iframe", VISA)
        .await;
    let tokenize = run_js(
        &browser,
        "tokenize",
        json!({ "warmup": TOKENIZE_WARMUP, "count": TOKENIZE_COUNT }),
    )
    .await?;
    if tokenize["last4"] != json!(&VISA[VISA.len() - 4..]) || tokenize["token_prefix"] != "tok_" {
        return Err(format!(
            "the tokenizations did not give tokens of the card: {tokenize}"
        ));
    }
    eprintln!(
        "    median {:.1} ms over {TOKENIZE_COUNT} tokenizations (+{TOKENIZE_WARMUP} warm-up), \
         {:.1} to {:.1} ms",
        tokenize["median_ms"].as_f64().unwrap_or(f64::NAN),
        tokenize["min_ms"].as_f64().unwrap_or(f64::NAN),
        tokenize["max_ms"].as_f64().unwrap_or(f64::NAN),
    );
    figures.insert("tokenize".to_owned(), tokenize);
    browser.close().await;
    drop(vault);
    Ok(Value::Object(figures))
}

/// What the field's iframes fetched from the vault over a run of mounts.
struct Loads {
    /// Encoded bytes received (headers and body, as on the wire) for every request to the vault
    /// but the loader's (which the shop's page loaded once, before the mounts).
    wire_bytes: u64,
    wasm_from_network: usize,
    /// Per asset (the page, each file, the JWKS): when it started and finished, in ms after the
    /// mount's page request, and its bytes on the wire; medians over the mounts.
    assets: BTreeMap<String, Value>,
}

/// Reads the field's loads from the DevTools events of every session. A request may be seen
/// by more than one session (the iframe's navigation by the page and by the iframe): each
/// request id counts once.
fn field_loads(events: &[Value], vault: &str) -> Loads {
    #[derive(Default)]
    struct Request {
        url: String,
        start: Option<f64>,
        end: Option<f64>,
        bytes: u64,
        from_network: bool,
    }
    let mut requests: BTreeMap<String, Request> = BTreeMap::new();
    for event in events {
        let params = &event["params"];
        let Some(id) = params["requestId"].as_str() else {
            continue;
        };
        let request = requests.entry(id.to_owned()).or_default();
        match event["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                if let Some(url) = params["request"]["url"].as_str() {
                    request.url = url.to_owned();
                }
                let ts = params["timestamp"].as_f64();
                request.start = match (request.start, ts) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            Some("Network.responseReceived") => {
                let response = &params["response"];
                if let Some(url) = response["url"].as_str() {
                    request.url = url.to_owned();
                }
                request.from_network = ["fromDiskCache", "fromMemoryCache", "fromPrefetchCache"]
                    .iter()
                    .all(|cached| response[*cached] != json!(true));
            }
            Some("Network.loadingFinished") => {
                let bytes = params["encodedDataLength"].as_f64().unwrap_or(0.0);
                request.bytes = request.bytes.max(bytes as u64);
                let ts = params["timestamp"].as_f64();
                request.end = match (request.end, ts) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            _ => {}
        }
    }
    let mut ordered: Vec<&Request> = requests
        .values()
        .filter(|r| r.url.starts_with(vault) && !r.url.contains("/v1/cardvault.js"))
        .collect();
    ordered.sort_by(|a, b| a.start.unwrap_or(0.0).total_cmp(&b.start.unwrap_or(0.0)));
    let wire_bytes = ordered.iter().map(|r| r.bytes).sum();
    let wasm_from_network = ordered
        .iter()
        .filter(|r| is_field_wasm(&r.url) && r.from_network)
        .count();
    // Mount by mount: each begins with the request of the field's page.
    let mut per_asset: BTreeMap<String, Vec<(f64, f64, u64)>> = BTreeMap::new();
    let mut page_start = None;
    for request in ordered {
        let path = request.url[vault.len()..].to_owned();
        let name = if path.starts_with("/v1/field?") {
            page_start = request.start;
            "/v1/field?key=…".to_owned()
        } else {
            // The file's name, whatever directory it is under.
            path.rsplit('/').next().unwrap_or(&path).to_owned()
        };
        if let (Some(zero), Some(start), Some(end)) = (page_start, request.start, request.end) {
            per_asset.entry(name).or_default().push((
                (start - zero) * 1000.0,
                (end - zero) * 1000.0,
                request.bytes,
            ));
        }
    }
    let assets = per_asset
        .into_iter()
        .map(|(name, mut seen)| {
            let median = |seen: &mut Vec<(f64, f64, u64)>, pick: fn(&(f64, f64, u64)) -> f64| {
                let mut values: Vec<f64> = seen.iter().map(pick).collect();
                values.sort_by(f64::total_cmp);
                values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
            };
            let start = median(&mut seen, |s| s.0);
            let end = median(&mut seen, |s| s.1);
            let bytes = median(&mut seen, |s| s.2 as f64);
            (
                name,
                json!({
                    "start_ms": (start * 10.0).round() / 10.0,
                    "end_ms": (end * 10.0).round() / 10.0,
                    "wire_bytes": bytes,
                    "loads": seen.len(),
                }),
            )
        })
        .collect();
    Loads {
        wire_bytes,
        wasm_from_network,
        assets,
    }
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
        .filter(|response| response["url"].as_str().is_some_and(is_field_wasm))
        .filter(|response| {
            ["fromDiskCache", "fromMemoryCache", "fromPrefetchCache"]
                .iter()
                .all(|cached| response[*cached] != json!(true))
        })
        .count()
}

/// Whether `url` is the field's WebAssembly (`/v1/field/cardvault_bg.<hash>.wasm`).
fn is_field_wasm(url: &str) -> bool {
    url.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with("cardvault_bg.") && name.ends_with(".wasm"))
}
