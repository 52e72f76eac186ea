//! `cardvault`: the vault's command line (CONTRACT.md §3).
#![forbid(unsafe_code)]

/// mimalloc rather than glibc's allocator: a tokenization allocates a few dozen small buffers,
/// and glibc's malloc and free showed in the vault's profile at full load (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cardvault_server::cli::main()
}
