//! One error type for the API, mapped to the contract's codes and statuses.
//!
//! Messages are fixed sentences: no input, no card data, no internal detail. Internal errors are
//! logged where they happen and answered with a generic `internal`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use cardvault::card::CardError;

use crate::vault::Error;

/// Seconds to wait after `unavailable`: the pool reconnects within that, or a load balancer
/// sends the retry elsewhere.
const UNAVAILABLE_RETRY_AFTER: u64 = 1;

/// A refusal as the contract answers it: the vault's [`Error`], with its status and message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    /// The contract's error code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self.0 {
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::ForbiddenOrigin | Error::ReceiverNotAllowed => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::InvalidEnvelope
            | Error::UnknownKey
            | Error::StaleEnvelope
            | Error::InvalidRequest => StatusCode::BAD_REQUEST,
            Error::ReplayedEnvelope | Error::CvcUnavailable => StatusCode::CONFLICT,
            Error::UpstreamError | Error::UpstreamTooLarge => StatusCode::BAD_GATEWAY,
            Error::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Error::InvalidCard(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::RateLimited { .. } | Error::CardEnumeration => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable | Error::Locked => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A sentence for the developer reading the response.
    pub fn message(self) -> &'static str {
        match self.0 {
            Error::Unauthorized => "A valid API key is required for this request.",
            Error::ForbiddenOrigin => "This origin is not allowed for this merchant.",
            Error::NotFound => "No such resource.",
            Error::InvalidEnvelope => "The envelope could not be opened.",
            Error::UnknownKey => "The envelope is sealed to a key this vault does not accept.",
            Error::StaleEnvelope => "The envelope is too old or from the future.",
            Error::ReplayedEnvelope => "This envelope has already been used.",
            Error::InvalidCard(e) => e.message(),
            Error::PayloadTooLarge => "The request body is too large.",
            Error::UnsupportedMediaType => {
                "The request body's content type is not this endpoint's (application/jose for tokens, application/json for forwards)."
            }
            Error::RateLimited { .. } => "Too many requests; retry later.",
            Error::InvalidRequest => "The request is not valid for this endpoint.",
            Error::CardEnumeration => {
                "Too many different card numbers with this card's first six and last four digits were tokenized recently; this one is refused."
            }
            Error::CvcUnavailable => {
                "The CVC of this token is no longer available: it is usable by one forward, for a limited time."
            }
            Error::ReceiverNotAllowed => {
                "This receiver may not be used: forwards go only to public HTTPS hosts (a loopback receiver only while the vault runs with --dev)."
            }
            Error::UpstreamError => {
                "The receiver could not be reached, or its answer could not be used."
            }
            Error::UpstreamTooLarge => "The receiver's answer is larger than 1 MiB.",
            Error::UpstreamTimeout => "The receiver did not answer in time.",
            Error::Unavailable => {
                "The vault cannot reach its database right now; nothing was stored. Retry shortly."
            }
            Error::Locked => {
                "The vault is locked: it waits for its key custodians to give their master key shares (`cardvault unlock`)."
            }
            Error::Internal => "Something went wrong inside the vault.",
        }
    }
}

impl ApiError {
    /// The `field` of an `invalid_card` answer.
    pub fn field(self) -> Option<&'static str> {
        match self.0 {
            Error::InvalidCard(e) => Some(e.field().id()),
            _ => None,
        }
    }

    /// The seconds of the answer's `Retry-After`, for the refusals that carry one.
    pub fn retry_after(self) -> Option<u64> {
        match self.0 {
            Error::RateLimited { retry_after } => Some(retry_after.max(1)),
            Error::Unavailable => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }

    /// Every refusal the API answers with, one of each kind and each card error: the one
    /// source of the OpenAPI document's error schemas (`http/openapi.rs`) and of the error
    /// table in docs/integration.md. [`catalogue_index`] keeps it complete.
    pub fn catalogue() -> Vec<ApiError> {
        let mut all = vec![
            Error::Unauthorized,
            Error::ForbiddenOrigin,
            Error::NotFound,
            Error::InvalidRequest,
            Error::InvalidEnvelope,
            Error::UnknownKey,
            Error::StaleEnvelope,
            Error::ReplayedEnvelope,
        ];
        all.extend(CardError::ALL.map(Error::InvalidCard));
        all.extend([
            Error::PayloadTooLarge,
            Error::UnsupportedMediaType,
            Error::RateLimited { retry_after: 1 },
            Error::CardEnumeration,
            Error::CvcUnavailable,
            Error::ReceiverNotAllowed,
            Error::UpstreamError,
            Error::UpstreamTooLarge,
            Error::UpstreamTimeout,
            Error::Unavailable,
            Error::Locked,
            Error::Internal,
        ]);
        all.into_iter().map(ApiError).collect()
    }
}

/// Where `error`'s kind is in [`ApiError::catalogue`]: a new kind of [`Error`] does not compile
/// until it has an arm here, and the test `the_catalogue_has_every_kind_once` fails until it is
/// in the catalogue at that place.
#[cfg(test)]
fn catalogue_index(error: Error) -> usize {
    let card = |e: CardError| {
        CardError::ALL
            .iter()
            .position(|c| *c == e)
            .unwrap_or(usize::MAX)
    };
    match error {
        Error::Unauthorized => 0,
        Error::ForbiddenOrigin => 1,
        Error::NotFound => 2,
        Error::InvalidRequest => 3,
        Error::InvalidEnvelope => 4,
        Error::UnknownKey => 5,
        Error::StaleEnvelope => 6,
        Error::ReplayedEnvelope => 7,
        Error::InvalidCard(e) => 8 + card(e),
        Error::PayloadTooLarge => 16,
        Error::UnsupportedMediaType => 17,
        Error::RateLimited { .. } => 18,
        Error::CardEnumeration => 19,
        Error::CvcUnavailable => 20,
        Error::ReceiverNotAllowed => 21,
        Error::UpstreamError => 22,
        Error::UpstreamTooLarge => 23,
        Error::UpstreamTimeout => 24,
        Error::Unavailable => 25,
        Error::Locked => 26,
        Error::Internal => 27,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code(), "message": self.message() });
        if let Some(field) = self.field() {
            error["field"] = json!(field);
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        if let Some(secs) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        // For the metrics and audit middleware: what was refused, without re-parsing the body.
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_every_kind_once() {
        let catalogue = ApiError::catalogue();
        for (i, error) in catalogue.iter().enumerate() {
            assert_eq!(catalogue_index(error.0), i, "{:?}", error.0);
        }
        assert_eq!(catalogue.len(), 28);
    }
}
