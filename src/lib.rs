//! # cardvault
//!
//! The rules both sides of cardvault agree on, byte for byte:
//!
//! - [`card`]: what a valid card is (number, brand, expiry, CVC, name), how a number is
//!   formatted while the shopper types, and the secret types that hold it.
//! - [`envelope`]: the sealed envelope (JWE compact serialization, RSA-OAEP-256 + A256GCM) that
//!   carries a card from the browser field to the vault. Sealing runs in the browser; opening is
//!   split so that the vault keeps custody of its private key (the RSA unwrap happens there).
//! - `field` (wasm32): the card field, the WebAssembly UI inside the vault's iframe. Its pure
//!   parts (edits, statuses, style allow-list, messages) also build natively for their tests.
//!
//! The same code compiles natively (for the vault) and for `wasm32-unknown-unknown` (for the field).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod card;
pub mod envelope;
#[cfg(any(target_arch = "wasm32", test))]
pub mod field;
