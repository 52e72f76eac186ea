//! `cardvault`: the vault's command line (CONTRACT.md §3).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    cardvault_server::cli::main()
}
