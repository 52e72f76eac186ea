//! Receivers: where a merchant's forwards may go, managed by the operator (`cardvault receiver`).

use crate::forward::address::ReceiverUrl;
use crate::store::{ReceiverRecord, Store, StoreError};

use super::audit::operator_event;
use super::{BootError, now_unix};

/// The longest receiver name.
pub const MAX_NAME: usize = 64;

/// A receiver name: 1 to 64 of `A-Z a-z 0-9 _ - .`, with at least one letter (so that a card
/// number given as a name by mistake is refused before it could reach the audit log).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name.bytes().any(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Registers receiver `name` at `url` for the merchant, audited (`receiver_add`). The URL must
/// be `https://` (or `http://` on loopback, usable only with `--dev`), without credentials,
/// query or fragment, and not on a private address. Blocking.
pub fn add_receiver(
    store: &Store,
    merchant_id: &str,
    name: &str,
    url: &str,
) -> Result<ReceiverRecord, BootError> {
    if store.merchant(merchant_id)?.is_none() {
        return Err(BootError::Invalid(format!("no merchant {merchant_id}")));
    }
    if !valid_name(name) {
        return Err(BootError::Invalid(format!(
            "a receiver name is 1 to {MAX_NAME} of A-Z a-z 0-9 _ - ."
        )));
    }
    let url = ReceiverUrl::parse(url).map_err(|e| BootError::Invalid(e.to_string()))?;
    let record = ReceiverRecord {
        merchant_id: merchant_id.to_owned(),
        name: name.to_owned(),
        url: url.as_str().to_owned(),
        created_at: now_unix(),
    };
    let event = operator_event(
        Some(merchant_id),
        "receiver_add",
        Some(format!("receiver={name} url={}", url.as_str())),
    );
    match store.insert_receiver(record.clone(), event) {
        Ok(()) => Ok(record),
        Err(StoreError::Conflict) => Err(BootError::Invalid(format!(
            "merchant {merchant_id} already has a receiver named {name} (remove it first)"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Removes the merchant's receiver `name`, audited (`receiver_remove`, `not_found` when there
/// was none); `false` if there was none. Blocking.
pub fn remove_receiver(store: &Store, merchant_id: &str, name: &str) -> Result<bool, BootError> {
    let detail = if valid_name(name) {
        format!("receiver={name}")
    } else {
        "receiver=(invalid name)".to_owned()
    };
    let event = operator_event(Some(merchant_id), "receiver_remove", Some(detail));
    Ok(store.remove_receiver(merchant_id, name, event)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["processor", "acme-pay_v2.eu", "A", &"a".repeat(MAX_NAME)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "a b",
            "a/b",
            "é",
            "4242424242424242x!",
            "4242424242424242",
            "1234",
            &"a".repeat(MAX_NAME + 1),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
