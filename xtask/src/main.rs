//! cardvault's task runner: `cargo xtask <task>`. Std only, so that a fresh clone
//! builds it in seconds.

mod bench;
mod build;
mod demo;
mod e2e;
mod fuzz;
mod imports;
mod install;
mod js;
mod postgres;
mod process;
mod schemathesis;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <task> [options]

Tasks:
  test [--no-install] [--no-browser]
      Install missing tools, then run in order, stopping at the first failure:
      cargo fmt --check, clippy, the native tests (the server's twice: on
      SQLite, then with CARDVAULT_TEST_STORE=postgres), schemathesis against
      the real binary (below), each fuzz target
      briefly (10 s), the wasm tests in headless Chromium, the JavaScript
      packages of js/ (npm ci from its package-lock.json, npm pack, the
      tarballs installed into a React test app: tsc --strict, a Vite build, and
      the app in Chromium against the real vault), and the end-to-end
      suite (with a vault cluster behind nginx). A throwaway PostgreSQL 15
      cluster of its own runs in target/pg-test meanwhile (on 127.0.0.1, a
      free port; CARDVAULT_TEST_DATABASE_URL to the tests); as root on Debian
      it installs postgresql, nginx-light, softhsm2 and opensc when missing
      (CARDVAULT_TEST_REQUIRE_SOFTHSM=1: the HSM tests may not skip).
  schemathesis
      Build the vault and test its HTTP API against its own /openapi.json with
      schemathesis (pinned, in a venv in target/tools/schemathesis; needs
      python3 with venv): with a secret key, a publishable key, and /metrics.
      CARDVAULT_SCHEMATHESIS_EXAMPLES (default 50 per operation and phase)
      and CARDVAULT_SCHEMATHESIS_SEED (default 1). A step of `test`.
  js
      The js step of `test` alone: the packages of js/ packed, installed into
      js/test-app, type-checked, built with Vite and driven in Chromium
      against the vault (needs Node.js 20.19+, npm, and target/field).
  fuzz [--no-install] [--seconds N] [--no-sanitizer] [TARGET]
      Run the fuzz targets of fuzz/ (cargo-fuzz, installed into target/tools,
      with the field's pinned nightly), or just TARGET, N seconds each
      (default 60): envelope, card_json, forward_template, mask, address,
      auth_headers. Fails on a crash (saved in fuzz/artifacts/TARGET).
  build [--no-install] [--field-only]
      Build the browser field into target/field (with the pinned nightly
      toolchain and its own core and alloc, then wasm-bindgen and wasm-opt),
      print its sizes, and build target/release/cardvault with every asset
      embedded (not with --field-only).
  demo [--no-install]
      Build, then run the vault on http://127.0.0.1:8080 with the demo shop on
      http://localhost:8081 (data in target/demo). Ctrl-C stops it.
  bench [--no-install] [--browser-only | --pg-only | --import-only |
         --forward-only]
      Build, then measure the figures of issue 6 (RSA unwraps, tokenize
      throughput and latency with the vault pinned to one core, field and loader
      sizes; in headless Chromium, sealing in wasm against WebCrypto, mount
      to ready same-site, cross-site and on an emulated phone, with the field's
      bytes on the wire, and tokenize): prints a table against the targets and writes
      target/bench/report.json. Needs 2 cores, taskset and Chromium. Not part
      of `test`. --browser-only measures (and reports) just the browser figures,
      --pg-only just the PostgreSQL ones (issue 23) and the 2-core SQLite
      throughput they compare with, --import-only just import_rps (issue 27:
      cardvault import of 100,000 cards from a GnuPG-encrypted file),
      --forward-only just the forwarding ones (issue 26: a local HTTPS
      receiver) and one 1-core tokenize load they compare with.
  pg -- COMMAND [ARGS...]
      Run COMMAND with a throwaway PostgreSQL 15 cluster (in target/pg-shell,
      stopped afterwards) and CARDVAULT_TEST_DATABASE_URL set to its
      superuser, e.g. `cargo xtask pg -- cargo test -p cardvault-server store`.
  help
      Print this message.

Options:
  --no-install   Install nothing (rustup target, the field's nightly toolchain,
                 wasm-bindgen-cli, wasm-opt, terser, Chromium, PostgreSQL, nginx,
                 SoftHSM, cargo-fuzz).
  --no-browser   Skip the headless Chromium tests, and do not require Chromium.
";

enum Task {
    Test(test::Options),
    Build(build::Options),
    Demo(build::Options),
    Bench(bench::Options),
    Fuzz(fuzz::Options),
    Pg(Vec<String>),
    Schemathesis,
    Js,
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(task: Task) -> Result<(), String> {
    match task {
        Task::Test(options) => test::run(&options),
        Task::Build(options) => build::run(&options),
        Task::Demo(options) => demo::run(&options),
        Task::Bench(options) => bench::run(&options),
        Task::Fuzz(options) => fuzz::run(&options),
        Task::Pg(command) => postgres::run_with(&command),
        Task::Schemathesis => schemathesis::run_alone(),
        Task::Js => js::run_alone(),
        Task::Help => {
            print!("{USAGE}");
            Ok(())
        }
    }
}

fn parse(args: &[String]) -> Result<Task, String> {
    let Some((task, options)) = args.split_first() else {
        return Ok(Task::Help);
    };
    match task.as_str() {
        "test" => {
            let [no_install, no_browser] = flags(options, ["--no-install", "--no-browser"])?;
            Ok(Task::Test(test::Options {
                install: !no_install,
                browser: !no_browser,
            }))
        }
        "build" => {
            let [no_install, field_only] = flags(options, ["--no-install", "--field-only"])?;
            Ok(Task::Build(build::Options {
                install: !no_install,
                field_only,
            }))
        }
        "demo" => {
            let [no_install] = flags(options, ["--no-install"])?;
            Ok(Task::Demo(build::Options {
                install: !no_install,
                field_only: false,
            }))
        }
        "bench" => {
            let [no_install, browser_only, pg_only, import_only, forward_only] = flags(
                options,
                [
                    "--no-install",
                    "--browser-only",
                    "--pg-only",
                    "--import-only",
                    "--forward-only",
                ],
            )?;
            if [browser_only, pg_only, import_only, forward_only]
                .iter()
                .filter(|b| **b)
                .count()
                > 1
            {
                return Err(
                    "--browser-only, --pg-only, --import-only and --forward-only: one of them"
                        .to_owned(),
                );
            }
            Ok(Task::Bench(bench::Options {
                install: !no_install,
                browser_only,
                pg_only,
                import_only,
                forward_only,
            }))
        }
        "fuzz" => fuzz::parse(options).map(Task::Fuzz),
        "pg" => {
            let command = options.strip_prefix(&["--".to_string()]).unwrap_or(options);
            Ok(Task::Pg(command.to_vec()))
        }
        "schemathesis" => {
            flags(options, [])?;
            Ok(Task::Schemathesis)
        }
        "js" => {
            flags(options, [])?;
            Ok(Task::Js)
        }
        "help" | "--help" | "-h" => Ok(Task::Help),
        other => Err(format!("unknown task `{other}`; see `cargo xtask help`")),
    }
}

/// Which of the `known` flags `args` holds; anything else is an error.
fn flags<const N: usize>(args: &[String], known: [&str; N]) -> Result<[bool; N], String> {
    let mut present = [false; N];
    for arg in args {
        let index = known
            .iter()
            .position(|flag| flag == arg)
            .ok_or_else(|| format!("unknown option `{arg}`; see `cargo xtask help`"))?;
        present[index] = true;
    }
    Ok(present)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn parses_test_flags() {
        let Ok(Task::Test(options)) = parse(&args(&["test", "--no-browser"])) else {
            panic!("not a test task");
        };
        assert!(options.install);
        assert!(!options.browser);
    }

    #[test]
    fn parses_bench_flags() {
        let Ok(Task::Bench(options)) = parse(&args(&["bench", "--no-install"])) else {
            panic!("not a bench task");
        };
        assert!(!options.install);
        assert!(!options.browser_only);
        let Ok(Task::Bench(options)) = parse(&args(&["bench", "--browser-only"])) else {
            panic!("not a bench task");
        };
        assert!(options.install);
        assert!(options.browser_only);
        let Ok(Task::Bench(options)) = parse(&args(&["bench", "--pg-only"])) else {
            panic!("not a bench task");
        };
        assert!(options.pg_only && !options.browser_only);
        let Ok(Task::Bench(options)) = parse(&args(&["bench", "--import-only"])) else {
            panic!("not a bench task");
        };
        assert!(options.import_only && !options.pg_only);
        assert!(parse(&args(&["bench", "--import-only", "--pg-only"])).is_err());
        assert!(parse(&args(&["bench", "--pg-only", "--browser-only"])).is_err());
        let Ok(Task::Bench(options)) = parse(&args(&["bench", "--forward-only"])) else {
            panic!("not a bench task");
        };
        assert!(options.forward_only && !options.pg_only && !options.browser_only);
        assert!(parse(&args(&["bench", "--forward-only", "--pg-only"])).is_err());
        assert!(parse(&args(&["bench", "--no-browser"])).is_err());
    }

    #[test]
    fn parses_the_command_of_pg() {
        let Ok(Task::Pg(command)) = parse(&args(&["pg", "--", "cargo", "test", "--", "x"])) else {
            panic!("not a pg task");
        };
        assert_eq!(command, args(&["cargo", "test", "--", "x"]));
    }

    #[test]
    fn no_arguments_means_help() {
        assert!(matches!(parse(&[]), Ok(Task::Help)));
    }

    #[test]
    fn rejects_unknown_tasks_and_options() {
        assert!(parse(&args(&["deploy"])).is_err());
        assert!(parse(&args(&["build", "--no-browser"])).is_err());
    }
}
