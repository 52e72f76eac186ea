//! Merchants: who may tokenize, from which origins, and with which keys.

use aws_lc_rs::digest;
use zeroize::Zeroizing;

use crate::keys::{self, FingerprintKey, MasterKey};
use crate::store::{MerchantKeyKind, MerchantKeyRecord, MerchantRecord, Store};

use super::audit::operator_event;
use super::{BootError, KeyKind, now_unix};

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

/// Checks and normalises an origin as a browser serialises it: `http` or `https`, a host (a name,
/// an IPv4 address or an IPv6 address in brackets), an optional port that is not the scheme's
/// default, lower case, nothing else. An `Origin` header and a CSP `frame-ancestors` source are
/// compared with this form, so `https://Shop.Example:443/` becomes `https://shop.example`.
pub fn normalize_origin(origin: &str) -> Result<String, BootError> {
    let invalid = || BootError::Invalid(format!("not an origin (scheme://host[:port]): {origin}"));
    let lower = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(invalid)?;
    let default_port = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return Err(invalid()),
    };
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (inside, after) = v6.split_once(']').ok_or_else(invalid)?;
            let inside_ok = inside.contains(':')
                && inside
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
            if !inside_ok {
                return Err(invalid());
            }
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(invalid)?),
            };
            (&rest[..inside.len() + 2], port)
        }
        None => {
            let (name, port) = match rest.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (rest, None),
            };
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
            if !name_ok {
                return Err(invalid());
            }
            (name, port)
        }
    };
    let port = match port {
        None => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse::<u16>().map_err(|_| invalid())?)
        }
        Some(_) => return Err(invalid()),
    };
    Ok(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
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
    let audit = operator_event(
        Some(&record.id),
        "merchant_create",
        Some(format!("origins={}", record.origins.join(" "))),
    );
    store.insert_merchant(record.clone(), audit)?;
    Ok((record, secret_key))
}

/// The longest grace a roll gives the key it replaces: a year.
pub const MAX_ROLL_GRACE_SECS: i64 = 365 * 24 * 3600;

/// What a roll made: the merchant's new key (a secret key is shown to the operator this once:
/// only its hash is stored) and the key it replaced, with the end of its grace.
pub struct RolledKey {
    /// The new key, `pk_…` or `sk_…`.
    pub key: Zeroizing<String>,
    /// The new key's id ([`MerchantKeyRecord::id`]).
    pub key_id: String,
    /// The key replaced: its id and `usable_until` (the roll's time when refused at once).
    pub replaced: MerchantKeyRecord,
}

impl From<KeyKind> for MerchantKeyKind {
    fn from(kind: KeyKind) -> MerchantKeyKind {
        match kind {
            KeyKind::Publishable => MerchantKeyKind::Publishable,
            KeyKind::Secret => MerchantKeyKind::Secret,
        }
    }
}

/// Rolls a merchant's publishable or secret key (`cardvault merchant roll-publishable |
/// roll-secret`): a new key from now on; the one it replaces (and any earlier one still in its
/// grace) is accepted for `grace_secs` more (0: refused at once, within the moment a running
/// vault trusts what it read, `directory::TTL`), then refused as an unknown key. Audited in the
/// same transaction (`merchant_key_roll`, `merchant_key_retire`: key ids, never a key).
pub fn roll_merchant_key(
    store: &Store,
    merchant_id: &str,
    kind: KeyKind,
    grace_secs: i64,
) -> Result<RolledKey, BootError> {
    if !(0..=MAX_ROLL_GRACE_SECS).contains(&grace_secs) {
        return Err(BootError::Invalid(format!(
            "the grace period must be 0 to {} hours",
            MAX_ROLL_GRACE_SECS / 3600
        )));
    }
    let key = Zeroizing::new(match kind {
        KeyKind::Publishable => keys::random_id("pk_", 16)?,
        KeyKind::Secret => keys::random_id("sk_", 32)?,
    });
    let stored = match kind {
        KeyKind::Publishable => key.as_bytes().to_vec(),
        KeyKind::Secret => hash_secret_key(&key).to_vec(),
    };
    let kind = MerchantKeyKind::from(kind);
    let key_id = MerchantKeyRecord {
        merchant_id: merchant_id.to_owned(),
        kind,
        key: stored.clone(),
        created_at: 0,
        retired_at: None,
        usable_until: None,
    }
    .id();
    let now = now_unix();
    let audit = operator_event(None, "merchant_key_roll", None);
    let replaced = store
        .roll_merchant_key(
            merchant_id,
            kind,
            stored,
            now,
            now.saturating_add(grace_secs),
            audit,
        )?
        .ok_or_else(|| BootError::Invalid(format!("no merchant {merchant_id}")))?;
    Ok(RolledKey {
        key,
        key_id,
        replaced,
    })
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

    #[test]
    fn origins_are_serialised_as_a_browser_does() {
        for (given, origin) in [
            ("https://shop.example:443", "https://shop.example"),
            ("http://shop.example:80/", "http://shop.example"),
            ("https://shop.example:8443", "https://shop.example:8443"),
            ("http://shop.example:0443", "http://shop.example:443"),
            ("http://[::1]:8081", "http://[::1]:8081"),
            ("HTTP://[::FFFF:127.0.0.1]", "http://[::ffff:127.0.0.1]"),
            ("https://[2001:db8::1]:443", "https://[2001:db8::1]"),
        ] {
            assert_eq!(normalize_origin(given).unwrap(), origin, "{given}");
        }
        for bad in [
            "http://::1:8081",
            "http://[::1",
            "http://[::1]8081",
            "http://[shop.example]",
            "http://shop.example:",
            "http://shop.example:99999",
            "http://shop.example:+80",
            "http://shop.example:80:80",
            "http://:8081",
            "http://user@shop.example",
            "ftp://shop.example",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad} was taken");
        }
    }
}
