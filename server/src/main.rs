//! `cardvault`: the vault's command line (CONTRACT.md §3).
#![forbid(unsafe_code)]

/// mimalloc rather than glibc's allocator: a tokenization allocates a few dozen small buffers,
/// and glibc's malloc and free were 2.5 % of the vault's time at full load (`cargo xtask bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cardvault_server::cli::main()
}
