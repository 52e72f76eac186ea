//! One error type for the API, mapped to the contract's codes and statuses.
//!
//! Messages are fixed sentences: no input, no card data, no internal detail. Internal errors are
//! logged where they happen and answered with a generic `internal`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cardvault::card::CardError;
use serde_json::json;

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// No key, or a key that is not valid for this call.
    Unauthorized,
    /// The request came from an origin the merchant did not allow.
    ForbiddenOrigin,
    /// No such token for this merchant (or no such route).
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
    /// The body is larger than the route accepts.
    PayloadTooLarge,
    /// The body's content type is not the route's.
    UnsupportedMediaType,
    /// Too many requests; retry after this many seconds.
    RateLimited {
        /// Seconds until a request may succeed again.
        retry_after: u64,
    },
    /// The request is not well-formed for the route.
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
    /// Something failed inside the vault (logged there).
    Internal,
}

impl ApiError {
    /// The contract's error code.
    pub fn code(self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::ForbiddenOrigin => "forbidden_origin",
            ApiError::NotFound => "not_found",
            ApiError::InvalidEnvelope => "invalid_envelope",
            ApiError::UnknownKey => "unknown_key",
            ApiError::StaleEnvelope => "stale_envelope",
            ApiError::ReplayedEnvelope => "replayed_envelope",
            ApiError::InvalidCard(_) => "invalid_card",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::InvalidRequest => "invalid_request",
            ApiError::CardEnumeration => "card_enumeration",
            ApiError::CvcUnavailable => "cvc_unavailable",
            ApiError::ReceiverNotAllowed => "receiver_not_allowed",
            ApiError::UpstreamError | ApiError::UpstreamTooLarge => "upstream_error",
            ApiError::UpstreamTimeout => "upstream_timeout",
            ApiError::Internal => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::ForbiddenOrigin | ApiError::ReceiverNotAllowed => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::InvalidEnvelope
            | ApiError::UnknownKey
            | ApiError::StaleEnvelope
            | ApiError::InvalidRequest => StatusCode::BAD_REQUEST,
            ApiError::ReplayedEnvelope | ApiError::CvcUnavailable => StatusCode::CONFLICT,
            ApiError::UpstreamError | ApiError::UpstreamTooLarge => StatusCode::BAD_GATEWAY,
            ApiError::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            ApiError::InvalidCard(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } | ApiError::CardEnumeration => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A sentence for the developer reading the response.
    pub fn message(self) -> &'static str {
        match self {
            ApiError::Unauthorized => "A valid API key is required for this request.",
            ApiError::ForbiddenOrigin => "This origin is not allowed for this merchant.",
            ApiError::NotFound => "No such resource.",
            ApiError::InvalidEnvelope => "The envelope could not be opened.",
            ApiError::UnknownKey => "The envelope is sealed to a key this vault does not accept.",
            ApiError::StaleEnvelope => "The envelope is too old or from the future.",
            ApiError::ReplayedEnvelope => "This envelope has already been used.",
            ApiError::InvalidCard(e) => e.message(),
            ApiError::PayloadTooLarge => "The request body is too large.",
            ApiError::UnsupportedMediaType => {
                "The request body's content type is not this endpoint's (application/jose for tokens, application/json for forwards)."
            }
            ApiError::RateLimited { .. } => "Too many requests; retry later.",
            ApiError::InvalidRequest => "The request is not valid for this endpoint.",
            ApiError::CardEnumeration => {
                "Too many different card numbers with this card's first six and last four digits were tokenized recently; this one is refused."
            }
            ApiError::CvcUnavailable => {
                "The CVC of this token is no longer available: it is usable by one forward, for a limited time."
            }
            ApiError::ReceiverNotAllowed => {
                "This receiver may not be used: forwards go only to public HTTPS hosts (a loopback receiver only while the vault runs with --dev)."
            }
            ApiError::UpstreamError => {
                "The receiver could not be reached, or its answer could not be used."
            }
            ApiError::UpstreamTooLarge => "The receiver's answer is larger than 1 MiB.",
            ApiError::UpstreamTimeout => "The receiver did not answer in time.",
            ApiError::Internal => "Something went wrong inside the vault.",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code(), "message": self.message() });
        if let ApiError::InvalidCard(e) = self {
            error["field"] = json!(e.field().id());
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        if let ApiError::RateLimited { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        }
        // For the metrics and audit middleware: what was refused, without re-parsing the body.
        response.extensions_mut().insert(self);
        response
    }
}
