//! The field's sealing path, exported alone so that `cardvault-bench` can time it in headless
//! Chromium next to WebCrypto (`encrypt_ms_wasm` in issue 6).
//!
//! It is built like the field: for `wasm32-unknown-unknown`, with the `wasm` profile
//! (`opt-level = "z"`, LTO), `cardvault` without default features, then wasm-bindgen and
//! wasm-opt with the field's flags. The page does the timing, with the same clock and batching
//! for both sides; this module only seals.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod sealer;
