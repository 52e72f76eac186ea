//! # The cardvault vault
//!
//! Opens sealed envelopes from the field, re-validates the card, stores it encrypted at rest and
//! answers with an opaque token. What goes in never comes out.
//!
//! - [`keys`]: the master key, the transport keys (RSA-OAEP-256 with aws-lc-rs), the data keys
//!   that encrypt cards at rest, and the per-merchant fingerprint keys.
//! - [`store`]: SQLite in the data dir behind a narrow interface, with group commit; the audit
//!   log's hash chain.
//! - [`http`]: the axum API of the contract.
//! - [`forward`]: sending a card onward to a merchant's receiver (SSRF checks, placeholders,
//!   masking, the outbound client).
//! - [`cli`]: the `cardvault` command line.
//! - [`process`]: what the operating system may see of the process (no core dumps).
#![forbid(unsafe_code)]

pub mod cli;
pub mod demo;
pub mod forward;
pub mod http;
pub mod keys;
pub mod process;
pub mod store;
pub mod vault;
