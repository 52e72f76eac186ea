//! `cardvault-bench`: the figures of issue 6, measured on this machine in one run, printed as a
//! table against their targets and written to `report.json`.
//!
//! ```text
//! cardvault-bench --server target/release/cardvault [--out-dir target/bench]
//!                 [--field-dir target/field] [--www www] [--wasm-dir target/bench/wasm]
//!                 [--browser-bench target/release/cardvault-bench-browser]
//!                 [--warmup 3] [--window 10] [--concurrency 32] [--rsa-seconds 3] [--rounds 3]
//!                 [--forward-concurrency 8]
//!                 [--only browser|server|pg|import|forward] [--database-url postgres://…]
//!                 [--pg-rate-limit 0] [--import-records 100000]
//! ```
//!
//! The server runs pinned to core 0 (`taskset -c 0`) and the load client (this binary re-run as
//! `cardvault-bench load …`) pinned to core 1; the RSA figure is taken pinned to core 0 too (as
//! `cardvault-bench rsa …`), before and after each of `--rounds` one-core loads; the report takes
//! the round with the median ratio. `tokenize_rps_2core` runs both unpinned.
//!
//! With `--database-url` (a PostgreSQL superuser's URL; `cargo xtask bench` starts a throwaway
//! server and passes it), the same on PostgreSQL (see `pg`): `--rounds` one-core loads of a
//! vault on a fresh database, the vault on core 0 and the client and PostgreSQL on core 1, each
//! between two RSA measurements (`tokenize_vs_rsa_pg`, `p99_ms_pg`); then two vaults on one
//! fresh database, one per core, the client alternating between them and PostgreSQL unpinned
//! (`tokenize_rps_2vaults`, against `tokenize_rps_2core`). `--pg-rate-limit N` runs the
//! PostgreSQL vaults with both rate limits at N per minute (default 0, off, as on SQLite), to
//! measure what the cluster-wide limits cost.
//!
//! The forwarding figures of issue 26 follow the SQLite ones (see `forward`): a local HTTPS
//! receiver on core 1, the vault on core 0, `forward_rps` against that run's `tokenize_rps`.
//!
//! The browser figures come last, from `cardvault-bench-browser` in headless Chromium (see
//! `browser`); `--only browser` measures just those, `--only server` all but those, and `--only
//! pg` the PostgreSQL figures and the `tokenize_rps_2core` they compare with, `--only forward`
//! the forwarding figures and one one-core `tokenize_rps` round they compare with (the report
//! then holds just those). `import_rps` (see `import`) comes after the server figures; `--only
//! import` measures just it. Timings are benchmarks, never tests: nothing here runs under `cargo test`.

mod browser;
mod forward;
mod import;
mod load;
mod pg;
mod rsa;
mod vault;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("rsa") => rsa_child(&args[1..]),
        Some("load") => load_child(&args[1..]),
        Some("receive") => forward::receive_child(&args[1..]),
        Some("forward-load") => forward::load_child(&args[1..]),
        _ => bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cardvault-bench: error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` pairs.
fn options(args: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    let mut iter = args.iter();
    while let Some(name) = iter.next() {
        let Some(name) = name.strip_prefix("--") else {
            return Err(format!("unexpected argument `{name}`"));
        };
        let value = iter
            .next()
            .ok_or_else(|| format!("--{name} needs a value"))?;
        map.insert(name.to_owned(), value.clone());
    }
    Ok(map)
}

fn number<T: std::str::FromStr>(
    options: &BTreeMap<String, String>,
    name: &str,
    default: T,
) -> Result<T, String> {
    match options.get(name) {
        Some(value) => value
            .parse()
            .map_err(|_| format!("--{name}: not a number: {value}")),
        None => Ok(default),
    }
}

fn required<'a>(options: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, String> {
    options
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("--{name} is required"))
}

/// `rsa --seconds S`: prints the unwraps per second.
fn rsa_child(args: &[String]) -> Result<(), String> {
    let options = options(args)?;
    let rps = rsa::unwraps_per_second(number(&options, "seconds", 3.0)?)?;
    println!("{rps}");
    Ok(())
}

/// `load --addr A[,B…] --key PK --envelopes FILE --concurrency N --warmup S --window S`: prints one
/// JSON object with the outcome.
fn load_child(args: &[String]) -> Result<(), String> {
    let options = options(args)?;
    let addrs = required(&options, "addr")?
        .split(',')
        .map(|addr| addr.parse::<SocketAddr>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("--addr: {e}"))?;
    let path = required(&options, "envelopes")?;
    let text = fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    let envelopes: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    drop(text);
    let window = Duration::from_secs_f64(number(&options, "window", 10.0)?);
    let outcome = load::run(load::Options {
        addrs,
        key: required(&options, "key")?.to_owned(),
        envelopes,
        concurrency: number(&options, "concurrency", 32)?,
        warmup: Duration::from_secs_f64(number(&options, "warmup", 3.0)?),
        window,
    })?;
    let mut latencies = outcome.latencies_ms;
    latencies.sort_by(f64::total_cmp);
    let report = json!({
        "rps": outcome.ok_in_window as f64 / window.as_secs_f64(),
        "ok_in_window": outcome.ok_in_window,
        "requests": outcome.requests,
        "errors": outcome.errors,
        "first_error": outcome.first_error,
        "exhausted": outcome.exhausted,
        "p50_ms": finite(load::percentile(&latencies, 50.0)),
        "p99_ms": finite(load::percentile(&latencies, 99.0)),
        "samples": latencies.len(),
    });
    println!("{report}");
    Ok(())
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Only {
    Browser,
    Server,
    /// The PostgreSQL figures, and `tokenize_rps_2core` for their ratio.
    Pg,
    /// `import_rps` alone.
    Import,
    /// The forwarding figures, and one `tokenize_rps` round for their ratio.
    Forward,
}

struct Settings {
    server: PathBuf,
    out_dir: PathBuf,
    field_dir: PathBuf,
    www: PathBuf,
    wasm_dir: PathBuf,
    browser_bench: PathBuf,
    warmup: f64,
    window: f64,
    concurrency: usize,
    /// The forward overhead's concurrency (`--forward-concurrency`, default 8 as in issue 26).
    forward_concurrency: usize,
    rsa_seconds: f64,
    /// One-core loads, each between two RSA measurements (`--rounds`).
    rounds: usize,
    /// `--only browser`, `server`, `pg` or `import`: only those figures.
    only: Option<Only>,
    /// A PostgreSQL superuser's URL: the PostgreSQL figures are measured on that server.
    database_url: Option<String>,
    /// Both rate limits of the PostgreSQL vaults, per minute (0: off).
    pg_rate_limit: u32,
}

/// One load run's figures.
#[derive(Clone)]
struct LoadFigures {
    rps: f64,
    errors: u64,
    first_error: Option<String>,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    requests: u64,
    samples: u64,
}

/// The figures measured without a browser.
struct ServerFigures {
    /// SQLite, one core (not with `--only pg`).
    sqlite: Option<SqliteFigures>,
    /// `tokenize_rps_2core`: one SQLite vault on both cores.
    two: LoadFigures,
    /// With `--database-url`.
    pg: Option<PgFigures>,
}

/// The SQLite vault on one core, and the sizes.
struct SqliteFigures {
    rsa_rps: f64,
    one: LoadFigures,
    field_gz: usize,
    loader_gz: usize,
}

/// The PostgreSQL figures.
struct PgFigures {
    /// The RSA bound of the median round of `one`.
    rsa_rps: f64,
    /// One vault on core 0; the client and PostgreSQL on core 1.
    one: LoadFigures,
    /// Two vaults, one per core, on one database.
    two: LoadFigures,
}

/// The table's rows: figure, measured, target, status.
type Rows = Vec<[String; 4]>;

fn bench(args: &[String]) -> Result<(), String> {
    let options = options(args)?;
    let path = |name: &str, default: &str| {
        PathBuf::from(options.get(name).map_or(default, String::as_str))
    };
    let only = match options.get("only").map(String::as_str) {
        None => None,
        Some("browser") => Some(Only::Browser),
        Some("server") => Some(Only::Server),
        Some("pg") => Some(Only::Pg),
        Some("import") => Some(Only::Import),
        Some("forward") => Some(Only::Forward),
        Some(other) => {
            return Err(format!(
                "--only {other}: `browser`, `server`, `pg`, `import` or `forward`"
            ));
        }
    };
    let settings = Settings {
        server: PathBuf::from(required(&options, "server")?),
        out_dir: path("out-dir", "target/bench"),
        field_dir: path("field-dir", "target/field"),
        www: path("www", "www"),
        wasm_dir: path("wasm-dir", "target/bench/wasm"),
        browser_bench: path("browser-bench", "target/release/cardvault-bench-browser"),
        warmup: number(&options, "warmup", 3.0)?,
        window: number(&options, "window", 10.0)?,
        concurrency: number(&options, "concurrency", 32)?,
        forward_concurrency: number(&options, "forward-concurrency", 8)?.max(1),
        rsa_seconds: number(&options, "rsa-seconds", 3.0)?,
        rounds: number(&options, "rounds", 3)?.max(1),
        only,
        database_url: options.get("database-url").cloned(),
        pg_rate_limit: number(&options, "pg-rate-limit", 0)?,
    };
    if settings.only == Some(Only::Pg) && settings.database_url.is_none() {
        return Err("--only pg needs --database-url".to_owned());
    }
    if settings.window < 10.0 && settings.only != Some(Only::Browser) {
        eprintln!(
            "cardvault-bench: warning: a window of {} s is shorter than the issue's 10 s",
            settings.window
        );
    }
    let server = fs::canonicalize(&settings.server)
        .map_err(|e| format!("--server {}: {e}", settings.server.display()))?;
    fs::create_dir_all(&settings.out_dir)
        .map_err(|e| format!("creating {}: {e}", settings.out_dir.display()))?;
    let load_before = loadavg();
    println!("cardvault-bench: load average before: {load_before}");

    let measured = match settings.only {
        Some(Only::Browser | Only::Import | Only::Forward) => None,
        _ => Some(server_figures(&settings, &server)?),
    };
    let imported = match settings.only {
        None | Some(Only::Server | Only::Import) => Some(import::measure(
            &server,
            &settings.out_dir,
            number(&options, "import-records", 100_000)?,
        )?),
        _ => None,
    };
    // Against the one-core `tokenize_rps` of the same run: the SQLite figures' own, or with
    // `--only forward` one round of that load measured here.
    let forwarding = match settings.only {
        Some(Only::Browser | Only::Pg | Only::Import) => None,
        Some(Only::Forward) => {
            let mut rsa = Rsa {
                seconds: settings.rsa_seconds,
                last: 0.0,
            };
            // Only to size the envelopes the tokenize load needs.
            rsa.measure("to size the tokenize load")?;
            println!("==> tokenize (SQLite): vault on core 0, client on core 1 (for forward_rps)");
            let one = tokenize(&settings, &server, true, rsa.last)?;
            Some((forward_figures(&settings, &server)?, one))
        }
        _ => match measured.as_ref().and_then(|m| m.sqlite.as_ref()) {
            Some(sqlite) => Some((forward_figures(&settings, &server)?, sqlite.one.clone())),
            None => None,
        },
    };
    let browser = match settings.only {
        Some(Only::Server | Only::Pg | Only::Import | Only::Forward) => None,
        _ => Some(browser::measure(
            &settings.browser_bench,
            &server,
            &settings.wasm_dir,
        )),
    };
    let load_after = loadavg();

    let mut report = serde_json::Map::new();
    let mut rows = Rows::new();
    if let Some(sqlite) = measured.as_ref().and_then(|m| m.sqlite.as_ref()) {
        server_report(sqlite, &mut report, &mut rows);
    }
    if let Some(pg) = measured.as_ref().and_then(|m| m.pg.as_ref()) {
        pg_report(pg, &mut report, &mut rows);
    }
    if let Some(imported) = &imported {
        let rps = imported.rps();
        report.insert("import_rps".into(), json!(round(rps, 1)));
        row(
            &mut rows,
            "import_rps",
            format!("{rps:.0}"),
            "≥ 20000",
            met(rps >= 20_000.0),
        );
    }
    if let Some((figures, tokenize)) = &forwarding {
        forward_report(
            figures,
            tokenize,
            settings.only == Some(Only::Forward),
            &mut report,
            &mut rows,
        );
    }
    if let Some(browser) = &browser {
        browser_report(browser, &mut report, &mut rows);
    }
    if let Some(figures) = &measured {
        row(
            &mut rows,
            "tokenize_rps_2core",
            format!("{:.1}", figures.two.rps),
            "—",
            &format!("{} errors", figures.two.errors),
        );
        report.insert(
            "tokenize_rps_2core".into(),
            json!(round(figures.two.rps, 1)),
        );
        if let Some(pg) = &figures.pg {
            let ratio = pg.two.rps / figures.two.rps;
            row(
                &mut rows,
                "tokenize_rps_2vaults",
                format!("{:.1}", pg.two.rps),
                "—",
                &format!("{} errors", pg.two.errors),
            );
            row(
                &mut rows,
                "tokenize_rps_2vaults_ratio",
                format!("{ratio:.3}"),
                "— (against tokenize_rps_2core)",
                "—",
            );
            report.insert("tokenize_rps_2vaults".into(), json!(round(pg.two.rps, 1)));
            report.insert("tokenize_rps_2vaults_ratio".into(), json!(round(ratio, 3)));
        }
    }
    let report = Value::Object(report);
    let path = settings.out_dir.join("report.json");
    let text = serde_json::to_string_pretty(&report).map_err(|e| format!("the report: {e}"))?;
    fs::write(&path, format!("{text}\n"))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;

    println!();
    print_table(&rows);
    println!();
    if let Some(figures) = &measured {
        if let Some(sqlite) = &figures.sqlite {
            println!(
                "1 core: {} requests, {} latency samples in the {} s window; 2 cores: {} requests",
                sqlite.one.requests, sqlite.one.samples, settings.window, figures.two.requests
            );
        }
        if let Some(pg) = &figures.pg {
            println!(
                "PostgreSQL, 1 core: {} requests, {} latency samples in the {} s window; 2 vaults: \
                 {} requests; rate limits {}",
                pg.one.requests,
                pg.one.samples,
                settings.window,
                pg.two.requests,
                match settings.pg_rate_limit {
                    0 => "off".to_owned(),
                    n => format!("{n} per minute"),
                }
            );
        }
    }
    if let Some(imported) = &imported {
        println!(
            "import: {} cards in {:.2} s from a {}-byte OpenPGP file (GnuPG, RSA 3072), into SQLite",
            imported.records, imported.seconds, imported.file_bytes
        );
    }
    if let Some((figures, _)) = &forwarding {
        println!(
            "forward: at concurrency {}, through the vault p50 {:.3} / p99 {:.3} ms, direct p50 \
             {:.3} / p99 {:.3} ms; at concurrency 32, p50 {:.3} / p99 {:.3} ms, {:.0} µs of the \
             vault's CPU per forward; {} connections for {} forwards",
            settings.forward_concurrency,
            figures.forward_p50_ms,
            figures.forward_p99_ms,
            figures.direct_p50_ms,
            figures.direct_p99_ms,
            figures.rps_p50_ms,
            figures.rps_p99_ms,
            figures.vault_cpu_us,
            figures.vault_connections,
            figures.forwards
        );
    }
    if let Some(Ok(figures)) = &browser {
        println!(
            "browser: the sealing page cross-origin isolated (5 µs timer): {}; {} bytes of card \
             JSON; medians of batches of seals",
            figures.cross_origin_isolated, figures.plaintext_bytes
        );
        for (name, ready) in [
            (
                "ready_ms (cache disabled: every mount fetches and compiles the field)",
                &figures.ready,
            ),
            ("ready_ms_cached (cache on)", &figures.ready_cached),
            (
                "ready_ms_cross_site (the shop on localhost, the iframe in its own process)",
                &figures.ready_cross_site,
            ),
            (
                "ready_ms_mobile (cross-site, CPU 4×, 150 ms RTT, 1.6/0.75 Mbit/s)",
                &figures.ready_mobile,
            ),
        ] {
            println!(
                "{name}: {} mounts, {:.1} to {:.1} ms; the field's wasm fetched from the network {} times",
                ready.mounts, ready.min_ms, ready.max_ms, ready.wasm_from_network
            );
        }
    }
    if let Some(Ok(figures)) = &browser {
        let t = &figures.tokenize_click;
        println!(
            "tokenize_click_ms: {} tokenizations, {:.1} to {:.1} ms",
            t.mounts, t.min_ms, t.max_ms
        );
    }
    println!(
        "load average before: {load_before}; after: {load_after} (2 cores; other work on the machine skews absolute figures, less so the ratios)"
    );
    println!("wrote {}", path.display());

    if let Some(figures) = &measured {
        let mut loads = vec![("2 cores", &figures.two)];
        if let Some(sqlite) = &figures.sqlite {
            loads.push(("1 core", &sqlite.one));
        }
        if let Some(pg) = &figures.pg {
            loads.push(("PostgreSQL, 1 core", &pg.one));
            loads.push(("PostgreSQL, 2 vaults", &pg.two));
        }
        for (name, load) in loads {
            if load.errors > 0 {
                return Err(format!(
                    "{name}: {} errors during the load (first: {}); the throughput is not valid",
                    load.errors,
                    load.first_error.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    if let Some((figures, tokenize)) = &forwarding {
        for (name, errors, first) in [
            ("forward", figures.errors, &figures.first_error),
            ("tokenize", tokenize.errors, &tokenize.first_error),
        ] {
            if errors > 0 {
                return Err(format!(
                    "{name}: {errors} errors during the load (first: {}); the throughput is not valid",
                    first.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    browser.map_or(Ok(()), |browser| browser.map(|_| ()))
}

/// RSA, tokenize throughput and latency, and the sizes; on PostgreSQL too with
/// `--database-url`.
fn server_figures(settings: &Settings, server: &Path) -> Result<ServerFigures, String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 {
        return Err(format!(
            "needs 2 cores (server on one, client on the other); this machine offers {cores}"
        ));
    }
    let with_sqlite = settings.only != Some(Only::Pg);
    let postgres = settings
        .database_url
        .as_deref()
        .map(pg::Server::connect)
        .transpose()?;
    let sizes = if with_sqlite {
        Some((
            field_gz_bytes(settings)?,
            gzip9(&settings.www.join("cardvault.js"))?,
        ))
    } else {
        None
    };

    // The core's speed drifts on a shared machine (seen here: 2,090 to 2,820 unwraps/s from one
    // run to the next, and as much within a minute), so one figure from one load says little.
    // The one-core load runs `rounds` times, each between two RSA measurements whose mean is
    // its bound; the report takes the round with the median ratio (its throughput, latency
    // and bound) and prints every round. The PostgreSQL rounds continue the same chain of RSA
    // measurements.
    let mut rsa = Rsa {
        seconds: settings.rsa_seconds,
        last: 0.0,
    };
    rsa.measure("before the first one-core load")?;
    let sqlite = match sizes {
        Some((field_gz, loader_gz)) => {
            let (one, rsa_rps) = median_round(settings, &mut rsa, "SQLite", |bound| {
                tokenize(settings, server, true, bound)
            })?;
            Some(SqliteFigures {
                rsa_rps,
                one,
                field_gz,
                loader_gz,
            })
        }
        None => None,
    };
    let pg_one = match &postgres {
        Some(postgres) => Some(median_round(settings, &mut rsa, "PostgreSQL", |bound| {
            tokenize_pg(settings, server, postgres, 1, bound)
        })?),
        None => None,
    };
    println!("==> tokenize: vault on both cores, client interleaved");
    let two = tokenize(settings, server, false, rsa.last)?;
    let pg = match (postgres, pg_one) {
        (Some(postgres), Some((one, rsa_rps))) => {
            println!(
                "==> tokenize on PostgreSQL: two vaults on one database (cores 0 and 1), client \
                 alternating, PostgreSQL unpinned"
            );
            let two = tokenize_pg(settings, server, &postgres, 2, rsa.last)?;
            postgres.pin("0-1")?;
            Some(PgFigures { rsa_rps, one, two })
        }
        _ => None,
    };
    Ok(ServerFigures { sqlite, two, pg })
}

/// The chain of RSA measurements (pinned to core 0) between the one-core loads.
struct Rsa {
    seconds: f64,
    /// The latest measurement.
    last: f64,
}

impl Rsa {
    fn measure(&mut self, when: &str) -> Result<f64, String> {
        println!(
            "==> rsa_decrypt_rps (taskset -c 0, {} s, {when})",
            self.seconds
        );
        let rps = rsa_pinned(self.seconds)?;
        println!("    {rps:.1} unwraps/s");
        self.last = rps;
        Ok(rps)
    }
}

/// `--rounds` one-core loads (`load`, given the last RSA figure), each between two RSA
/// measurements whose mean is its bound: the round with the median ratio, and its bound. Every
/// round's errors count: a round with errors invalidates the run.
fn median_round(
    settings: &Settings,
    rsa: &mut Rsa,
    store: &str,
    mut load: impl FnMut(f64) -> Result<LoadFigures, String>,
) -> Result<(LoadFigures, f64), String> {
    let mut rounds = Vec::with_capacity(settings.rounds);
    for round in 1..=settings.rounds {
        println!(
            "==> tokenize ({store}): vault on core 0, client on core 1 (round {round} of {})",
            settings.rounds
        );
        let before = rsa.last;
        let load = load(before)?;
        let after = rsa.measure(&format!("after {store} round {round}"))?;
        let rsa_rps = f64::midpoint(before, after);
        println!(
            "    {store} round {round}: {:.1} tokens/s against {rsa_rps:.1} unwraps/s: {:.3}",
            load.rps,
            load.rps / rsa_rps
        );
        rounds.push((load, rsa_rps));
    }
    rounds.sort_by(|(a, rsa_a), (b, rsa_b)| (a.rps / rsa_a).total_cmp(&(b.rps / rsa_b)));
    let errors: u64 = rounds.iter().map(|(load, _)| load.errors).sum();
    let first_error = rounds.iter().find_map(|(load, _)| load.first_error.clone());
    let (mut one, rsa_rps) = rounds.swap_remove(rounds.len() / 2);
    one.errors = errors;
    one.first_error = first_error;
    Ok((one, rsa_rps))
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn row(rows: &mut Rows, key: &str, value: String, target: &str, status: &str) {
    rows.push([key.into(), value, target.into(), status.into()]);
}

/// The figures but `tokenize_rps_2core`, which comes last.
fn server_report(
    figures: &SqliteFigures,
    report: &mut serde_json::Map<String, Value>,
    rows: &mut Rows,
) {
    let SqliteFigures {
        rsa_rps,
        one,
        field_gz,
        loader_gz,
    } = figures;
    let ratio = one.rps / rsa_rps;
    report.insert("rsa_decrypt_rps".into(), json!(round(*rsa_rps, 1)));
    report.insert("tokenize_rps".into(), json!(round(one.rps, 1)));
    report.insert("tokenize_vs_rsa".into(), json!(round(ratio, 3)));
    if let (Some(p50), Some(p99)) = (one.p50_ms, one.p99_ms) {
        report.insert("p50_ms".into(), json!(round(p50, 3)));
        report.insert("p99_ms".into(), json!(round(p99, 3)));
    }
    report.insert("field_gz_bytes".into(), json!(field_gz));
    report.insert("loader_gz_bytes".into(), json!(loader_gz));

    row(
        rows,
        "rsa_decrypt_rps",
        format!("{rsa_rps:.1}"),
        "— (the limit)",
        "—",
    );
    row(
        rows,
        "tokenize_rps",
        format!("{:.1}", one.rps),
        "—",
        &format!("{} errors", one.errors),
    );
    row(
        rows,
        "tokenize_vs_rsa",
        format!("{ratio:.3}"),
        "≥ 0.8",
        met(ratio >= 0.8),
    );
    row(rows, "p50_ms", opt_ms(one.p50_ms), "—", "—");
    row(
        rows,
        "p99_ms",
        opt_ms(one.p99_ms),
        "≤ 50",
        met(one.p99_ms.is_some_and(|p| p <= 50.0)),
    );
    row(
        rows,
        "field_gz_bytes",
        field_gz.to_string(),
        "≤ 60000",
        met(*field_gz <= 60_000),
    );
    row(
        rows,
        "loader_gz_bytes",
        loader_gz.to_string(),
        "≤ 2000",
        met(*loader_gz <= 2_000),
    );
}

/// `tokenize_vs_rsa_pg` (with its RSA bound and throughput) and `p50_ms_pg`/`p99_ms_pg`; the
/// two vaults' figures come last, beside `tokenize_rps_2core`.
fn pg_report(figures: &PgFigures, report: &mut serde_json::Map<String, Value>, rows: &mut Rows) {
    let PgFigures { rsa_rps, one, .. } = figures;
    let ratio = one.rps / rsa_rps;
    report.insert("rsa_decrypt_rps_pg".into(), json!(round(*rsa_rps, 1)));
    report.insert("tokenize_rps_pg".into(), json!(round(one.rps, 1)));
    report.insert("tokenize_vs_rsa_pg".into(), json!(round(ratio, 3)));
    if let (Some(p50), Some(p99)) = (one.p50_ms, one.p99_ms) {
        report.insert("p50_ms_pg".into(), json!(round(p50, 3)));
        report.insert("p99_ms_pg".into(), json!(round(p99, 3)));
    }
    row(
        rows,
        "rsa_decrypt_rps_pg",
        format!("{rsa_rps:.1}"),
        "— (the PostgreSQL rounds' limit)",
        "—",
    );
    row(
        rows,
        "tokenize_rps_pg",
        format!("{:.1}", one.rps),
        "—",
        &format!("{} errors", one.errors),
    );
    row(
        rows,
        "tokenize_vs_rsa_pg",
        format!("{ratio:.3}"),
        "≥ 0.75",
        met(ratio >= 0.75),
    );
    row(rows, "p50_ms_pg", opt_ms(one.p50_ms), "—", "—");
    row(
        rows,
        "p99_ms_pg",
        opt_ms(one.p99_ms),
        "≤ 50",
        met(one.p99_ms.is_some_and(|p| p <= 50.0)),
    );
}

/// The forwarding figures (`forward`), on a vault and receiver of their own.
fn forward_figures(settings: &Settings, server: &Path) -> Result<forward::Figures, String> {
    println!("==> forward: a local HTTPS receiver, the vault on core 0 with --receiver-ca");
    forward::measure(&forward::Options {
        server,
        out_dir: &settings.out_dir,
        warmup: settings.warmup,
        window: settings.window,
        concurrency: settings.forward_concurrency,
    })
}

/// `forward_overhead_ms_p50`/`_p99`, `forward_rps` (against `tokenize_rps`, reported too when
/// it was measured only for this: `alone`), `forward_new_conns_per_1000`.
fn forward_report(
    figures: &forward::Figures,
    tokenize: &LoadFigures,
    alone: bool,
    report: &mut serde_json::Map<String, Value>,
    rows: &mut Rows,
) {
    let ratio = figures.rps / tokenize.rps;
    if alone {
        report.insert("tokenize_rps".into(), json!(round(tokenize.rps, 1)));
        row(
            rows,
            "tokenize_rps",
            format!("{:.1}", tokenize.rps),
            "— (forward_rps's reference)",
            &format!("{} errors", tokenize.errors),
        );
    }
    report.insert(
        "forward_overhead_ms_p50".into(),
        json!(round(figures.overhead_p50_ms, 3)),
    );
    report.insert(
        "forward_overhead_ms_p99".into(),
        json!(round(figures.overhead_p99_ms, 3)),
    );
    report.insert("forward_rps".into(), json!(round(figures.rps, 1)));
    report.insert("forward_vs_tokenize".into(), json!(round(ratio, 3)));
    report.insert(
        "forward_new_conns_per_1000".into(),
        json!(round(figures.new_conns_per_1000, 2)),
    );
    row(
        rows,
        "forward_overhead_ms_p50",
        format!("{:.3}", figures.overhead_p50_ms),
        "≤ 1.0",
        met(figures.overhead_p50_ms <= 1.0),
    );
    row(
        rows,
        "forward_overhead_ms_p99",
        format!("{:.3}", figures.overhead_p99_ms),
        "≤ 5",
        met(figures.overhead_p99_ms <= 5.0),
    );
    row(
        rows,
        "forward_rps",
        format!("{:.1}", figures.rps),
        "≥ 0.5 × tokenize_rps",
        &format!("{} ({ratio:.3}×)", met(ratio >= 0.5)),
    );
    row(
        rows,
        "forward_new_conns_per_1000",
        format!("{:.2}", figures.new_conns_per_1000),
        "≤ 10",
        met(figures.new_conns_per_1000 <= 10.0),
    );
}

/// `encrypt_ms_wasm`, `encrypt_ms_webcrypto`, `ready_ms` (and `ready_ms_cached` for information),
/// `ready_ms_cross_site`, `ready_ms_mobile`, `field_wire_bytes` and `tokenize_click_ms`.
fn browser_report(
    browser: &Result<browser::Figures, String>,
    report: &mut serde_json::Map<String, Value>,
    rows: &mut Rows,
) {
    let figures = match browser {
        Ok(figures) => figures,
        Err(err) => {
            for key in [
                "encrypt_ms_wasm",
                "encrypt_ms_webcrypto",
                "ready_ms",
                "ready_ms_cross_site",
                "ready_ms_mobile",
                "field_wire_bytes",
                "tokenize_click_ms",
            ] {
                row(
                    rows,
                    key,
                    "—".into(),
                    "",
                    "not measured: the browser failed",
                );
            }
            eprintln!("cardvault-bench: the browser figures: {err}");
            return;
        }
    };
    let wasm = figures.encrypt_ms_wasm;
    let webcrypto = figures.encrypt_ms_webcrypto;
    let times = wasm / webcrypto;
    report.insert("encrypt_ms_wasm".into(), json!(round(wasm, 4)));
    report.insert("encrypt_ms_webcrypto".into(), json!(round(webcrypto, 4)));
    report.insert("ready_ms".into(), json!(round(figures.ready.median_ms, 1)));
    report.insert(
        "ready_ms_cached".into(),
        json!(round(figures.ready_cached.median_ms, 1)),
    );
    report.insert(
        "ready_ms_cross_site".into(),
        json!(round(figures.ready_cross_site.median_ms, 1)),
    );
    report.insert(
        "ready_ms_mobile".into(),
        json!(round(figures.ready_mobile.median_ms, 1)),
    );
    report.insert(
        "field_wire_bytes".into(),
        json!(figures.field_wire_bytes.round()),
    );
    report.insert(
        "tokenize_click_ms".into(),
        json!(round(figures.tokenize_click.median_ms, 2)),
    );
    row(
        rows,
        "encrypt_ms_wasm",
        format!("{wasm:.3}"),
        "≤ 15 × encrypt_ms_webcrypto",
        &format!("{} ({times:.1}×)", met(times <= 15.0)),
    );
    row(
        rows,
        "encrypt_ms_webcrypto",
        format!("{webcrypto:.3}"),
        "— (the browser's native limit)",
        "—",
    );
    row(
        rows,
        "ready_ms",
        format!("{:.1}", figures.ready.median_ms),
        "≤ 150",
        met(figures.ready.median_ms <= 150.0),
    );
    row(
        rows,
        "ready_ms_cached",
        format!("{:.1}", figures.ready_cached.median_ms),
        "—",
        "—",
    );
    row(
        rows,
        "ready_ms_cross_site",
        format!("{:.1}", figures.ready_cross_site.median_ms),
        "≤ 60",
        met(figures.ready_cross_site.median_ms <= 60.0),
    );
    row(
        rows,
        "ready_ms_mobile",
        format!("{:.1}", figures.ready_mobile.median_ms),
        "≤ 1200",
        met(figures.ready_mobile.median_ms <= 1200.0),
    );
    row(
        rows,
        "field_wire_bytes",
        format!("{:.0}", figures.field_wire_bytes),
        "— (per mount, beside ready_ms_mobile)",
        "—",
    );
    row(
        rows,
        "tokenize_click_ms",
        format!("{:.2}", figures.tokenize_click.median_ms),
        "— (report)",
        "—",
    );
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

fn opt_ms(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{x:.2}"))
}

fn print_table(rows: &[[String; 4]]) {
    let header = ["figure", "measured", "target", "status"];
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        println!("  {}", padded.join("  ").trim_end());
    };
    line(header);
    line(widths.map(|w| "-".repeat(w)).each_ref().map(String::as_str));
    for row in rows {
        line(row.each_ref().map(String::as_str));
    }
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The sum of the gzip -9 sizes of what the iframe loads (each file is its own response).
fn field_gz_bytes(settings: &Settings) -> Result<usize, String> {
    let files = [
        settings.field_dir.join("cardvault.js"),
        settings.field_dir.join("cardvault_bg.wasm"),
        settings.www.join("field").join("field.html"),
        settings.www.join("field").join("field.css"),
        settings.www.join("field").join("field.js"),
    ];
    let mut total = 0;
    for file in &files {
        let size = gzip9(file)?;
        println!("    {}: {size} bytes gzip -9", file.display());
        total += size;
    }
    Ok(total)
}

/// The size of `gzip -9` of the file (gzip itself, so the figure is what the issue names).
fn gzip9(file: &Path) -> Result<usize, String> {
    let input = fs::File::open(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let output = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .stdin(input)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running gzip: {e}"))?;
    if !output.status.success() {
        return Err(format!("gzip -9 {} failed", file.display()));
    }
    Ok(output.stdout.len())
}

fn self_exe() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("finding this program: {e}"))
}

/// This program under `taskset -c core`.
fn pinned(core: u32) -> Result<Command, String> {
    let mut command = Command::new("taskset");
    command.args(["-c", &core.to_string()]).arg(self_exe()?);
    Ok(command)
}

fn stdout_of(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {what}: {e} (is taskset installed?)"))?;
    if !output.status.success() {
        return Err(format!("{what} failed ({})", output.status));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("{what}: {e}"))
}

fn rsa_pinned(seconds: f64) -> Result<f64, String> {
    let out = stdout_of(
        pinned(0)?.args(["rsa", "--seconds", &seconds.to_string()]),
        "the RSA measurement",
    )?;
    out.trim()
        .parse()
        .map_err(|e| format!("the RSA measurement printed {out:?}: {e}"))
}

/// A SQLite vault on a fresh data dir, on core 0 (`one_core`, the client on core 1) or on both
/// cores (and the client unpinned).
fn tokenize(
    settings: &Settings,
    server: &Path,
    one_core: bool,
    rsa_rps: f64,
) -> Result<LoadFigures, String> {
    let name = if one_core { "1core" } else { "2core" };
    let data_dir = settings.out_dir.join(format!("vault-{name}"));
    let (deployment, vault) = vault::start(server, &data_dir, one_core.then_some(0))?;
    let cores = if one_core { 1.0 } else { 2.0 };
    load(
        settings,
        &deployment,
        &[vault],
        one_core.then_some(1),
        cores,
        rsa_rps,
        name,
        None,
    )
}

/// `vaults` vaults (1 or 2) on a fresh database of `postgres`. One: the vault on core 0, the
/// client and PostgreSQL on core 1. Two: vault `i` on core `i`, the client and PostgreSQL
/// unpinned.
fn tokenize_pg(
    settings: &Settings,
    server: &Path,
    postgres: &pg::Server,
    vaults: usize,
    rsa_rps: f64,
) -> Result<LoadFigures, String> {
    let name = if vaults == 1 {
        "pg_1core"
    } else {
        "pg_2vaults"
    };
    // Pinned before the vaults connect: their backends, forked from the postmaster, inherit it.
    postgres.pin(if vaults == 1 { "1" } else { "0-1" })?;
    let database = format!("bench_{name}");
    let url = postgres.fresh_database(&database)?;
    let deployment = vault::Deployment::new(
        server,
        vault::Storage::Postgres(url),
        settings.out_dir.join(format!("vault-{name}")),
    )?;
    let running = (0..vaults)
        .map(|i| {
            let core = u32::try_from(i).map_err(|_| "too many vaults".to_owned())?;
            deployment.serve(i + 1, Some(core), settings.pg_rate_limit)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client_core = (vaults == 1).then_some(1);
    let figures = load(
        settings,
        &deployment,
        &running,
        client_core,
        vaults as f64,
        rsa_rps,
        name,
        Some(postgres),
    );
    drop(running);
    postgres.drop_database(&database)?;
    figures
}

/// Seals enough envelopes to the first vault's key (the vaults share their keys), runs the load
/// client (on `client_core`, else unpinned) against `vaults` and prints what it measured, with
/// the CPU the vaults (and PostgreSQL) spent per request.
#[allow(clippy::too_many_arguments)]
fn load(
    settings: &Settings,
    deployment: &vault::Deployment,
    vaults: &[vault::Vault],
    client_core: Option<u32>,
    cores: f64,
    rsa_rps: f64,
    name: &str,
    postgres: Option<&pg::Server>,
) -> Result<LoadFigures, String> {
    let first = vaults.first().ok_or("no vault to load")?;
    let key = first.sealing_key()?;

    // Enough for the warm-up and the window at 1.5× the RSA bound of the cores the vaults have.
    let count =
        (rsa_rps * cores * (settings.warmup + settings.window) * 1.5).ceil() as usize + 1000;
    let started = std::time::Instant::now();
    let envelopes = vault::seal_many(&key, &deployment.publishable_key, count)?;
    println!(
        "    sealed {count} unique envelopes in {:.1} s (before timing)",
        started.elapsed().as_secs_f64()
    );
    let file = settings.out_dir.join(format!("envelopes-{name}.txt"));
    let mut out =
        fs::File::create(&file).map_err(|e| format!("creating {}: {e}", file.display()))?;
    for envelope in &envelopes {
        writeln!(out, "{envelope}").map_err(|e| format!("writing {}: {e}", file.display()))?;
    }
    drop(out);
    drop(envelopes);

    let mut command = match client_core {
        Some(core) => pinned(core)?,
        None => Command::new(self_exe()?),
    };
    let addrs: Vec<String> = vaults.iter().map(|v| v.addr.to_string()).collect();
    command
        .arg("load")
        .args(["--addr", &addrs.join(",")])
        .args(["--key", &deployment.publishable_key])
        .arg("--envelopes")
        .arg(&file)
        .args(["--concurrency", &settings.concurrency.to_string()])
        .args(["--warmup", &settings.warmup.to_string()])
        .args(["--window", &settings.window.to_string()]);
    let vault_cpu = || -> u64 { vaults.iter().filter_map(|v| pg::cpu_ticks(v.pid())).sum() };
    let pg_before = postgres.map(pg::Server::counters).transpose()?;
    let cpu_before = vault_cpu();
    let out = stdout_of(&mut command, "the load client")?;
    let vault_ticks = vault_cpu().saturating_sub(cpu_before);
    let pg_spent = match (postgres, pg_before) {
        (Some(postgres), Some(before)) => Some(before.until(&postgres.counters()?)),
        _ => None,
    };
    let _ = fs::remove_file(&file);
    let value: Value = serde_json::from_str(out.trim())
        .map_err(|e| format!("the load client printed {out:?}: {e}"))?;
    let figures = LoadFigures {
        rps: value["rps"].as_f64().unwrap_or(0.0),
        errors: value["errors"].as_u64().unwrap_or(u64::MAX),
        first_error: value["first_error"].as_str().map(str::to_owned),
        p50_ms: value["p50_ms"].as_f64(),
        p99_ms: value["p99_ms"].as_f64(),
        requests: value["requests"].as_u64().unwrap_or(0),
        samples: value["samples"].as_u64().unwrap_or(0),
    };
    println!(
        "    {:.1} tokens/s over {} s, p50 {} ms, p99 {} ms, {} errors{}",
        figures.rps,
        settings.window,
        opt_ms(figures.p50_ms),
        opt_ms(figures.p99_ms),
        figures.errors,
        figures
            .first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    // Per request over the whole run (warm-up included): clock ticks are 10 ms.
    let per_request = |ticks: u64| ticks as f64 * 10_000.0 / figures.requests.max(1) as f64;
    print!(
        "    CPU per request: the vault{} {:.0} µs",
        if vaults.len() > 1 { "s" } else { "" },
        per_request(vault_ticks)
    );
    match pg_spent {
        Some(spent) => {
            let requests = figures.requests.max(1) as f64;
            println!(
                ", PostgreSQL {:.0} µs; per request {:.3} commits, {:.3} WAL flushes, {:.1} WAL \
                 records, {:.0} WAL bytes",
                per_request(spent.cpu_ticks),
                spent.commits as f64 / requests,
                spent.wal_syncs as f64 / requests,
                spent.wal_records as f64 / requests,
                spent.wal_bytes as f64 / requests,
            );
        }
        None => println!(),
    }
    Ok(figures)
}
