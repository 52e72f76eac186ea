//! The field's sealing path, exported alone so that `cardvault-bench` can time it in headless
//! Chromium next to WebCrypto (`encrypt_ms_wasm` in issue 6).
//!
//! It is built like the field: for `wasm32-unknown-unknown`, with the `wasm` profile
//! (`opt-level = "z"`, LTO), `cardvault` without default features, then wasm-bindgen and
//! wasm-opt with the field's flags. The page does the timing, with the same clock and batching
//! for both sides; this module only seals. On wasm32 it is `no_std`, with the field page's
//! panic handler and allocator (feature `page` of `cardvault`), as the field is.
#![forbid(unsafe_code)]
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod sealer;
