//! Who is calling: `Authorization: Bearer pk_…` (the field) or `Bearer sk_…` (the merchant's
//! backend). The key itself is never logged, and is held in a zeroizing buffer.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::error::internal;
use super::{AuditContext, Error, RequestContext, Vault, hash_secret_key};
use crate::store::MerchantRecord;

/// Which of its keys a merchant used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `pk_…`: may only tokenize.
    Publishable,
    /// `sk_…`: may tokenize (relay), read, delete and forward its own tokens.
    Secret,
}

impl KeyKind {
    /// The audit log's name for it.
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }
}

/// What a request presented in its `Authorization` header(s), parsed.
///
/// Exactly one header of exactly `Bearer <key>`: one space, a key of letters, digits and `_`.
/// Two headers are refused rather than one of them picked: a proxy and the vault that pick
/// differently would authenticate different callers. Anything else is refused too, so there is
/// one spelling of a credential, the one the contract shows.
#[derive(Clone)]
pub struct Credentials(Presented);

#[derive(Clone)]
enum Presented {
    None,
    Malformed,
    Key(Zeroizing<String>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.0 {
            Presented::None => "none",
            Presented::Malformed => "malformed",
            Presented::Key(_) => "key",
        };
        f.debug_tuple("Credentials").field(&what).finish()
    }
}

/// The longest key accepted (ours are `sk_` and 64 hex digits).
const MAX_KEY: usize = 128;

impl Credentials {
    /// Parses the values of every `Authorization` header of a request.
    pub fn from_headers<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Credentials {
        let mut values = values.into_iter();
        let Some(first) = values.next() else {
            return Credentials(Presented::None);
        };
        if values.next().is_some() {
            return Credentials(Presented::Malformed);
        }
        let key = first
            .strip_prefix(b"Bearer ")
            .filter(|key| {
                !key.is_empty()
                    && key.len() <= MAX_KEY
                    && key.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
            })
            .and_then(|key| std::str::from_utf8(key).ok());
        match key {
            Some(key) => Credentials(Presented::Key(Zeroizing::new(key.to_owned()))),
            None => Credentials(Presented::Malformed),
        }
    }

    /// No `Authorization` header.
    pub fn none() -> Credentials {
        Credentials(Presented::None)
    }
}

/// An authenticated merchant.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The merchant.
    pub merchant: Arc<MerchantRecord>,
    /// Which key it used.
    pub kind: KeyKind,
}

impl Caller {
    /// Refuses anything but a secret key.
    pub fn require_secret(&self) -> Result<(), Error> {
        match self.kind {
            KeyKind::Secret => Ok(()),
            KeyKind::Publishable => Err(Error::Unauthorized),
        }
    }

    /// Who is asking, for the audit log.
    pub(crate) fn audit(&self, request: &RequestContext) -> AuditContext {
        AuditContext {
            merchant_id: Some(self.merchant.id.clone()),
            key_kind: Some(self.kind.name()),
            ..AuditContext::of(request)
        }
    }
}

impl Vault {
    /// The merchant whose key `credentials` holds.
    pub fn authenticate(&self, credentials: &Credentials) -> Result<Caller, Error> {
        let Presented::Key(key) = &credentials.0 else {
            return Err(Error::Unauthorized);
        };
        if key.starts_with("pk_") {
            let merchant = self
                .merchant_by_publishable_key(key)
                .map_err(internal("looking up a merchant failed"))?
                .ok_or(Error::Unauthorized)?;
            return Ok(Caller {
                merchant,
                kind: KeyKind::Publishable,
            });
        }
        if key.starts_with("sk_") {
            let merchant = self
                .merchant_by_secret_hash(&hash_secret_key(key))
                .map_err(internal("looking up a merchant failed"))?
                .ok_or(Error::Unauthorized)?;
            return Ok(Caller {
                merchant,
                kind: KeyKind::Secret,
            });
        }
        Err(Error::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::{Credentials, Presented};

    fn parse(values: &[&str]) -> Option<String> {
        match Credentials::from_headers(values.iter().map(|v| v.as_bytes())).0 {
            Presented::Key(key) => Some(key.to_string()),
            _ => None,
        }
    }

    #[test]
    fn exactly_one_bearer_key() {
        assert_eq!(parse(&["Bearer pk_abc"]).as_deref(), Some("pk_abc"));
        for bad in [
            &["Bearer pk_abc", "Bearer pk_abc"][..],
            &["Bearer pk_abc", "Bearer sk_other"],
            &[],
            &["Bearer "],
            &["Bearer  pk_abc"],
            &["Bearer pk_abc "],
            &["Bearer pk_abc extra"],
            &["Bearer\tpk_abc"],
            &["bearer pk_abc"],
            &["Basic cGs6"],
            &["Bearerpk_abc"],
            &["pk_abc"],
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let long = format!("Bearer sk_{}", "a".repeat(200));
        assert_eq!(parse(&[&long]), None);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let text = format!(
            "{:?}",
            Credentials::from_headers([b"Bearer sk_secret".as_slice()])
        );
        assert!(!text.contains("sk_secret"), "{text}");
    }
}
