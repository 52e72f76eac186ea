//! Why the vault refused or failed an operation: the domain's own errors, each with the
//! contract's code (what the audit log records as the outcome). The HTTP layer maps them to
//! statuses and messages (`http/error.rs`).

use std::fmt;

use cardvault::card::CardError;

use crate::store::StoreError;

/// Why an operation was refused. Carries no input: a variant says what kind of thing was wrong,
/// never with what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No key, a malformed or repeated `Authorization`, or a key not valid for this operation.
    Unauthorized,
    /// The request came from an origin the merchant did not allow.
    ForbiddenOrigin,
    /// No such token for this merchant, no such receiver, or no such route.
    NotFound,
    /// The envelope is malformed, meant for another merchant, or did not decrypt.
    InvalidEnvelope,
    /// The envelope is sealed to a key that is not active nor in its grace period.
    UnknownKey,
    /// The envelope's `iat` is outside the freshness window.
    StaleEnvelope,
    /// The envelope's `jti` was seen before.
    ReplayedEnvelope,
    /// The card breaks a card rule.
    InvalidCard(CardError),
    /// The input is larger than the operation accepts.
    PayloadTooLarge,
    /// The input is not in the operation's format (its content type).
    UnsupportedMediaType,
    /// The caller's allowance is spent; retry after this many seconds.
    RateLimited {
        /// Seconds until a request may succeed again.
        retry_after: u64,
    },
    /// The request is not well-formed for the operation.
    InvalidRequest,
    /// The merchant tokenized too many distinct card numbers with this card's BIN and last four
    /// in the enumeration window (README, *The fingerprint*).
    CardEnumeration,
    /// A forward asked for `{{card.cvc}}`, and the token's CVC was used or has expired.
    CvcUnavailable,
    /// The receiver's address may not be used: not a public HTTPS host, or a loopback receiver
    /// while the vault does not run with `--dev`.
    ReceiverNotAllowed,
    /// The receiver could not be reached, or answered with something unusable.
    UpstreamError,
    /// The receiver's answer is larger than the vault accepts.
    UpstreamTooLarge,
    /// The receiver did not answer in time.
    UpstreamTimeout,
    /// The database cannot be reached or did not answer in time (PostgreSQL down, restarting
    /// or saturated): nothing was stored; retry shortly, on this instance or another.
    Unavailable,
    /// The vault was started with `--master-key-shares` and waits for its key custodians: no
    /// key is in memory yet, so nothing can be served.
    Locked,
    /// Something failed inside the vault (logged where it happened).
    Internal,
}

impl Error {
    /// The contract's error code (also the audit entry's outcome).
    pub fn code(self) -> &'static str {
        match self {
            Error::Unauthorized => "unauthorized",
            Error::ForbiddenOrigin => "forbidden_origin",
            Error::NotFound => "not_found",
            Error::InvalidEnvelope => "invalid_envelope",
            Error::UnknownKey => "unknown_key",
            Error::StaleEnvelope => "stale_envelope",
            Error::ReplayedEnvelope => "replayed_envelope",
            Error::InvalidCard(_) => "invalid_card",
            Error::PayloadTooLarge => "payload_too_large",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::RateLimited { .. } => "rate_limited",
            Error::InvalidRequest => "invalid_request",
            Error::CardEnumeration => "card_enumeration",
            Error::CvcUnavailable => "cvc_unavailable",
            Error::ReceiverNotAllowed => "receiver_not_allowed",
            Error::UpstreamError | Error::UpstreamTooLarge => "upstream_error",
            Error::UpstreamTimeout => "upstream_timeout",
            Error::Unavailable => "unavailable",
            Error::Locked => "locked",
            Error::Internal => "internal",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Error {}

/// Logs `e` as `what` and answers [`Error::Internal`]: internal detail stays in the server log.
/// A store that cannot be reached is [`Error::Unavailable`] instead (logged by the store).
pub(crate) fn internal<E: fmt::Display + 'static>(what: &'static str) -> impl FnOnce(E) -> Error {
    move |e| {
        if let Some(StoreError::Unavailable) = (&e as &dyn std::any::Any).downcast_ref() {
            return Error::Unavailable;
        }
        tracing::error!(error = %e, "{what}");
        Error::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_cannot_be_reached_is_unavailable_not_internal() {
        assert_eq!(
            internal("reading a token failed")(StoreError::Unavailable),
            Error::Unavailable
        );
        assert_eq!(Error::Unavailable.code(), "unavailable");
        for other in [StoreError::Database, StoreError::Closed] {
            assert_eq!(internal("reading a token failed")(other), Error::Internal);
        }
        // Not a store error: internal, whatever it says.
        assert_eq!(internal("x")("database unavailable"), Error::Internal);
    }
}
