//! Forwarding's building blocks, apart from the vault and HTTP: where a forward may go
//! ([`address`]), the merchant's request template ([`template`]), the outbound client
//! ([`client`]) and masking card numbers in the answer ([`mask`]).

pub mod address;
pub mod client;
pub mod mask;
pub mod template;
