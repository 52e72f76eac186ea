//! Merchants: who may tokenize, from which origins, and with which keys.

use aws_lc_rs::digest;
use zeroize::Zeroizing;

use crate::keys::{self, FingerprintKey, MasterKey};
use crate::store::{AuditEvent, MerchantRecord, Store};

use super::{BootError, now_unix};

/// What an operator asks for when creating a merchant.
#[derive(Clone, Debug)]
pub struct NewMerchant {
    /// A name for people.
    pub name: String,
    /// The origins (`https://shop.example`) whose pages may frame the field.
    pub origins: Vec<String>,
    /// How long tokens live, if they expire.
    pub token_ttl_secs: Option<i64>,
    /// Whether envelopes must carry a CVC.
    pub require_cvc: bool,
}

/// The master key's context for a merchant's wrapped fingerprint key.
pub(crate) fn fingerprint_context(merchant_id: &str) -> String {
    format!("fingerprint-key:{merchant_id}")
}

/// The SHA-256 of a secret key, as stored. The key has 256 random bits, so a fast hash is the
/// right one (no password stretching needed); comparisons are constant-time.
pub fn hash_secret_key(secret_key: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, secret_key.as_bytes()).as_ref());
    out
}

/// Checks and normalises an origin: `http` or `https`, a host, an optional port, nothing else.
pub fn normalize_origin(origin: &str) -> Result<String, BootError> {
    let invalid = || BootError::Invalid(format!("not an origin (scheme://host[:port]): {origin}"));
    let lower = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(invalid)?;
    let host_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !host_ok {
        return Err(invalid());
    }
    Ok(lower)
}

/// Creates a merchant; returns its record and its secret key, which is stored only as a hash
/// and must be shown to the operator once.
pub fn create_merchant(
    store: &Store,
    master: &MasterKey,
    new: NewMerchant,
) -> Result<(MerchantRecord, Zeroizing<String>), BootError> {
    if new.name.trim().is_empty() || new.name.chars().any(char::is_control) {
        return Err(BootError::Invalid("a merchant needs a name".into()));
    }
    let origins = new
        .origins
        .iter()
        .map(|o| normalize_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    let id = keys::random_id("mer_", 8)?;
    let secret_key = Zeroizing::new(keys::random_id("sk_", 32)?);
    let fingerprint_key = FingerprintKey::generate()?;
    let now = now_unix();
    let record = MerchantRecord {
        fingerprint_key: master.wrap(&fingerprint_context(&id), &fingerprint_key.to_bytes())?,
        id,
        name: new.name.trim().to_owned(),
        publishable_key: keys::random_id("pk_", 16)?,
        secret_key_hash: hash_secret_key(&secret_key),
        origins,
        token_ttl_secs: new.token_ttl_secs,
        require_cvc: new.require_cvc,
        created_at: now,
    };
    let audit = AuditEvent {
        at: now,
        request_id: None,
        merchant_id: Some(record.id.clone()),
        key_kind: Some("operator".into()),
        client: None,
        action: "merchant_create".into(),
        token: None,
        outcome: "ok".into(),
        detail: Some(format!("origins={}", record.origins.join(" "))),
    };
    store.insert_merchant(record.clone(), audit)?;
    Ok((record, secret_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            normalize_origin("https://Shop.Example/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8081").unwrap(),
            "http://127.0.0.1:8081"
        );
        assert!(normalize_origin("shop.example").is_err());
        assert!(normalize_origin("https://shop.example/path").is_err());
        assert!(normalize_origin("javascript://x").is_err());
        assert!(normalize_origin("https://").is_err());
    }
}
