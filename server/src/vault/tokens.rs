//! Tokens: a sealed card in, an opaque token out; metadata and deletion for the merchant.

use cardvault::card::{Card, CardError, YearMonth};
use cardvault::envelope::{Envelope, EnvelopeError};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::keys::{self, DataKey, record_aad};
use crate::store::{MerchantRecord, StoreError, TokenRecord};

use super::error::internal;
use super::{
    AuditContext, Caller, Credentials, Error, KeyKind, RequestContext, Vault, normalize_origin,
    now_unix,
};

/// A new token: `tok_`, the time it is made (milliseconds since the Unix epoch, 12 hex digits),
/// then 128 random bits (32 hex digits); 48 characters.
///
/// The time first makes tokens sort in the order they are made, so the store's unique index on
/// them grows at its right edge: a group commit writes one or two of its pages, where random
/// tokens dirtied a different leaf page per token, each copied whole into the write-ahead log
/// (what it cost: bench/README.md). The prefix tells whoever holds the token when it was made, which the response
/// that carries the token already says (`created_at`); the random part alone keeps it unguessable.
fn new_token(now: std::time::SystemTime) -> Result<String, Error> {
    let millis = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis());
    keys::random_id(&format!("tok_{millis:012x}"), 16)
        .map_err(internal("no randomness for a token"))
}

/// Whether `token` has the shape of one of ours: [`new_token`]'s, or `tok_` and 32 hex digits
/// (tokens made before the time prefix). Only then is it looked up or written to the audit log.
pub(crate) fn token_shaped(token: &str) -> bool {
    matches!(token.len(), 36 | 48)
        && token.starts_with("tok_")
        && token
            .bytes()
            .skip(4)
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What may be said about a stored card.
#[derive(Clone, Debug, Serialize)]
pub struct CardMeta {
    /// The brand id.
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// The expiry month.
    pub exp_month: u8,
    /// The expiry year.
    pub exp_year: u16,
}

/// A token and what may be said about its card.
#[derive(Clone, Debug, Serialize)]
pub struct TokenMeta {
    /// `tok_…`
    pub token: String,
    /// Brand, last4 and expiry.
    pub card: CardMeta,
    /// The BIN (first six digits), for the owning merchant's reads only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin: Option<String>,
    /// `fp_…`: the same card gives the same fingerprint for one merchant. Never answered to a
    /// publishable key (README, *The fingerprint*): see [`TokenMeta::without_fingerprint`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when the token expires, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

impl TokenMeta {
    pub(super) fn from_record(record: &TokenRecord, with_bin: bool) -> TokenMeta {
        TokenMeta {
            token: record.token.clone(),
            card: CardMeta {
                brand: record.brand.clone(),
                last4: record.last4.clone(),
                exp_month: record.exp_month,
                exp_year: record.exp_year,
            },
            bin: with_bin.then(|| record.bin.clone()),
            fingerprint: Some(record.fingerprint.clone()),
            created_at: rfc3339(record.created_at),
            expires_at: record.expires_at.map(rfc3339),
        }
    }
}

impl TokenMeta {
    /// The same, without the fingerprint: the answer to a publishable key, which anyone can use.
    /// With a token's BIN, last four and fingerprint, tokenizing guesses of the unknown digits
    /// would confirm the number.
    pub fn without_fingerprint(mut self) -> TokenMeta {
        self.fingerprint = None;
        self
    }
}

/// The card as stored (encrypted) at rest: number and name. Expiry is in the row's metadata;
/// the CVC is encrypted apart, so that it can be destroyed on its own.
fn card_plaintext(card: &Card) -> Zeroizing<Vec<u8>> {
    #[derive(Serialize)]
    struct Stored<'a> {
        number: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
    }
    let mut out = Zeroizing::new(Vec::with_capacity(256));
    let stored = Stored {
        number: card.number.expose(),
        name: card.name.as_ref().map(|n| n.expose()),
    };
    if serde_json::to_writer(&mut *out, &stored).is_err() {
        out.clear();
    }
    out
}

/// A refusal, and whether the store already wrote its audit entry with the operation (a
/// replayed envelope, a delete of no token): the vault writes the others.
enum Refusal {
    Unwritten(Error),
    Written(Error),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Unwritten(e)
    }
}

/// A browser's request (it sends `Origin`) must come from the vault's own origin (the field)
/// or one the merchant allowed: the same scheme, host and port, compared in the normal form of
/// [`normalize_origin`] (`Origin: ftp://vault.example` is not the vault's `https://` origin).
fn origin_allowed(origin: Option<&str>, own: Option<&str>, merchant: &MerchantRecord) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let Ok(origin) = normalize_origin(origin) else {
        return false;
    };
    own == Some(origin.as_str()) || merchant.origins.contains(&origin)
}

impl Vault {
    /// Tokenizes for the caller `credentials` name: checks the origin (publishable key), takes
    /// from the client's allowance, opens the envelope in `body` (or refuses with why there is
    /// none), takes from the key's allowance, and stores the card; the token is answered only
    /// once the row and its audit entry are durably committed. Every refusal is audited.
    pub async fn tokenize(
        &self,
        request: &RequestContext,
        credentials: &Credentials,
        origin: Option<&str>,
        body: Result<&[u8], Error>,
    ) -> Result<TokenMeta, Error> {
        let caller = match self.authenticate(credentials) {
            Ok(caller) => caller,
            Err(e) => {
                return Err(self
                    .refuse(&AuditContext::of(request), request, "tokenize", e)
                    .await);
            }
        };
        let who = caller.audit(request);
        match self.tokenize_as(request, &caller, &who, origin, body).await {
            Ok(meta) => Ok(meta),
            Err(Refusal::Written(e)) => Err(e),
            Err(Refusal::Unwritten(e)) => Err(self.refuse(&who, request, "tokenize", e).await),
        }
    }

    /// Whether an envelope's `aud` names `merchant`: its publishable key, or a previous one
    /// still in its grace after a roll (the field page loaded with it before the roll seals to
    /// it).
    fn addressed_to(&self, merchant: &MerchantRecord, aud: &str) -> Result<bool, Error> {
        if aud == merchant.publishable_key {
            return Ok(true);
        }
        if !aud.starts_with("pk_") {
            return Ok(false);
        }
        let found = self
            .merchant_by_publishable_key(aud)
            .map_err(internal("looking up a merchant failed"))?;
        Ok(found.is_some_and(|m| m.id == merchant.id))
    }

    async fn tokenize_as(
        &self,
        request: &RequestContext,
        caller: &Caller,
        audit: &AuditContext,
        origin: Option<&str>,
        body: Result<&[u8], Error>,
    ) -> Result<TokenMeta, Refusal> {
        let merchant = &*caller.merchant;
        if caller.kind == KeyKind::Publishable {
            if !origin_allowed(origin, request.own_origin(), merchant) {
                return Err(Error::ForbiddenOrigin.into());
            }
            if let Some(client) = request.client() {
                self.limits.spend_client(client).await?;
            }
        }
        let body = body?;
        let envelope = Envelope::parse(body).map_err(|_| Error::InvalidEnvelope)?;
        let header = envelope.header();
        if !self.addressed_to(merchant, header.aud())? {
            return Err(Error::InvalidEnvelope.into());
        }
        let now = now_unix();
        let iat = i64::try_from(header.iat()).unwrap_or(i64::MAX);
        if iat > now.saturating_add(self.config.skew_secs)
            || iat.saturating_add(self.config.freshness_secs + self.config.skew_secs) < now
        {
            return Err(Error::StaleEnvelope.into());
        }
        let key = match self.keyring.find(header.kid(), now) {
            Some(key) => key,
            None => {
                self.reload_transport_keys_if_stale().await;
                self.keyring
                    .find(header.kid(), now)
                    .ok_or(Error::UnknownKey)?
            }
        };
        let jti = header.jti().to_owned();
        let jti_expires_at = iat + self.config.freshness_secs + 2 * self.config.skew_secs;

        // RSA and AES inline, on this worker: one private-key operation is what a TLS
        // handshake costs tokio-rustls on its worker too, and a hop to the blocking pool and
        // back costs two thread wake-ups per request (bench/README.md).
        // A replayed jti is refused when the row is written (the store writer's replay memory),
        // in the same transaction, so no read ahead of the decryption is needed.
        // A failed unwrap goes on through AES-GCM with a random key (RFC 7516 §11.5).
        let opened = key.open(&envelope, YearMonth::now());
        if matches!(opened, Ok(_) | Err(EnvelopeError::Card(_))) {
            // The envelope opened (its card valid or not): a caller that could seal to this
            // merchant. Only now does the request spend the key's allowance (see
            // `vault/allowance.rs`).
            self.limits.spend_key(&merchant.id, caller.kind).await?;
        }
        let card = opened.map_err(|e| match e {
            EnvelopeError::Card(e) => Error::InvalidCard(e),
            _ => Error::InvalidEnvelope,
        })?;
        if merchant.require_cvc && card.cvc.is_none() {
            return Err(Error::InvalidCard(CardError::IncompleteCvc).into());
        }

        let data_key = self.current_data_key().await.ok_or_else(|| {
            tracing::error!("no data key loaded");
            Error::Internal
        })?;
        let record = self.token_record(merchant, &card, &data_key, now)?;
        let token = record.token.clone();
        let meta = TokenMeta::from_record(&record, false);
        drop(card);
        let event = audit.event("tokenize", Some(&token), "ok");
        match self
            .store
            .insert_token_limited(record, jti, jti_expires_at, event, self.config.enumeration)
            .await
        {
            // A publishable key is anyone's: no fingerprint for it (README, *The fingerprint*).
            Ok(()) if caller.kind == KeyKind::Publishable => Ok(meta.without_fingerprint()),
            Ok(()) => Ok(meta),
            // The store audited the refusal with the operation.
            Err(StoreError::Replayed) => Err(Refusal::Written(Error::ReplayedEnvelope)),
            Err(StoreError::CardEnumeration) => Err(Refusal::Written(Error::CardEnumeration)),
            Err(e) => Err(internal("storing a token failed")(e).into()),
        }
    }

    /// The row that stores `card` for `merchant` under a new token made at `now`: number and
    /// name sealed under `data_key`, the CVC sealed apart (kept for its one forward), the
    /// merchant's fingerprint, and its token TTL. What a tokenization and an import
    /// (`vault/import.rs`) both store.
    pub(super) fn token_record(
        &self,
        merchant: &MerchantRecord,
        card: &Card,
        data_key: &DataKey,
        now: i64,
    ) -> Result<TokenRecord, Error> {
        let token = new_token(std::time::SystemTime::now())?;
        let version = data_key.version();
        let sealed_card = data_key
            .seal(
                &record_aad("card", &merchant.id, &token, version),
                &card_plaintext(card),
            )
            .map_err(internal("encrypting a card failed"))?;
        let sealed_cvc = match &card.cvc {
            Some(cvc) => Some(
                data_key
                    .seal(
                        &record_aad("cvc", &merchant.id, &token, version),
                        cvc.expose().as_bytes(),
                    )
                    .map_err(internal("encrypting a CVC failed"))?,
            ),
            None => None,
        };
        let fingerprint = self
            .fingerprint_key(merchant)
            .map_err(internal("unwrapping a fingerprint key failed"))?
            .fingerprint(&card.number);
        Ok(TokenRecord {
            token,
            merchant_id: merchant.id.clone(),
            card: sealed_card,
            cvc_expires_at: sealed_cvc.as_ref().map(|_| now + self.config.cvc_ttl_secs),
            cvc: sealed_cvc,
            data_key_version: version,
            brand: card.number.brand().id().to_owned(),
            last4: card.number.last4().to_owned(),
            bin: card.number.bin().to_owned(),
            exp_month: card.expiry.month(),
            exp_year: card.expiry.year(),
            fingerprint,
            created_at: now,
            expires_at: merchant.token_ttl_secs.map(|ttl| now + ttl),
        })
    }

    /// The metadata of `token`, for the merchant that owns it (secret key); audited.
    pub async fn read(
        &self,
        request: &RequestContext,
        credentials: &Credentials,
        token: &str,
    ) -> Result<TokenMeta, Error> {
        let caller = match self.authenticate(credentials) {
            Ok(caller) => caller,
            Err(e) => {
                return Err(self
                    .refuse(&AuditContext::of(request), request, "read", e)
                    .await);
            }
        };
        let who = caller.audit(request);
        let found = caller
            .require_secret()
            .and_then(|()| self.describe(&caller.merchant, token));
        match found {
            Ok(meta) => {
                self.append_audit(vec![who.event("read", Some(&meta.token), "ok")])
                    .await;
                Ok(meta)
            }
            Err(e) => Err(self.refuse(&who, request, "read", e).await),
        }
    }

    fn describe(&self, merchant: &MerchantRecord, token: &str) -> Result<TokenMeta, Error> {
        if !token_shaped(token) {
            return Err(Error::NotFound);
        }
        let record = self
            .store
            .token(&merchant.id, token)
            .map_err(internal("reading a token failed"))?
            .filter(|record| !record.is_expired(now_unix()))
            .ok_or(Error::NotFound)?;
        Ok(TokenMeta::from_record(&record, true))
    }

    /// Destroys `token`'s card, for the merchant that owns it (secret key); audited with the
    /// deletion (the store names the token only if it existed).
    pub async fn delete(
        &self,
        request: &RequestContext,
        credentials: &Credentials,
        token: &str,
    ) -> Result<(), Error> {
        let caller = match self.authenticate(credentials) {
            Ok(caller) => caller,
            Err(e) => {
                return Err(self
                    .refuse(&AuditContext::of(request), request, "delete", e)
                    .await);
            }
        };
        let who = caller.audit(request);
        let refusal = match caller.require_secret() {
            Err(e) => Refusal::Unwritten(e),
            Ok(()) if !token_shaped(token) => Refusal::Unwritten(Error::NotFound),
            Ok(()) => {
                let event = who.event("delete", Some(token), "ok");
                match self
                    .store
                    .delete_token(&caller.merchant.id, token, event)
                    .await
                {
                    Ok(true) => return Ok(()),
                    Ok(false) => Refusal::Written(Error::NotFound),
                    Err(e) => Refusal::Unwritten(internal("deleting a token failed")(e)),
                }
            }
        };
        match refusal {
            Refusal::Written(e) => Err(e),
            Refusal::Unwritten(e) => Err(self.refuse(&who, request, "delete", e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::{new_token, token_shaped};

    #[test]
    fn tokens_sort_in_the_order_they_are_made() {
        let at = |millis| UNIX_EPOCH + Duration::from_millis(millis);
        let first = new_token(at(1_796_000_000_000)).unwrap();
        assert_eq!(&first[..16], "tok_01a229f12800");
        assert_eq!(first.len(), 48);
        assert!(token_shaped(&first), "{first}");
        let same_time = new_token(at(1_796_000_000_000)).unwrap();
        assert_ne!(first[16..], same_time[16..], "the random part repeats");
        let later = new_token(at(1_796_000_000_001)).unwrap();
        assert!(first < later && same_time < later);
    }

    #[test]
    fn only_token_shaped_tokens_are_audited() {
        assert!(token_shaped(&format!(
            "tok_{}",
            "0123456789abcdef".repeat(2)
        )));
        assert!(token_shaped(&format!(
            "tok_0123456789ab{}",
            "0123456789abcdef".repeat(2)
        )));
        for bad in [
            "4242424242424242",
            "tok_",
            "tok_ABCDEF0123456789abcdef0123456789",
            &format!("tok_{}", "0".repeat(40)),
            &format!("tok_{}", "0".repeat(45)),
            "",
        ] {
            assert!(!token_shaped(bad), "{bad}");
        }
    }
}
