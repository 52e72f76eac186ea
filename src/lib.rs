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
//! On wasm32 the crate is `no_std` (`alloc` only): the field page's module brings its own panic
//! handler, which aborts without formatting anything, and allocator (feature `page`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

pub mod card;
pub mod envelope;
#[cfg(any(target_arch = "wasm32", test))]
pub mod field;

/// A panic in the field page aborts: the module traps, and the page reports that the field
/// stopped. No message is formatted (which would bring in all of `core::fmt`).
#[cfg(all(target_arch = "wasm32", feature = "page", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The field page's allocator: talc, which grows the module's memory as it needs.
#[cfg(all(target_arch = "wasm32", feature = "page", not(test)))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
