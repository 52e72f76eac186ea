//! Who is calling: `Authorization: Bearer pk_…` (the field) or `Bearer sk_…` (the merchant's
//! backend). The key itself is never logged.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use tower_http::request_id::RequestId;

use super::{ApiError, AppState};
use crate::store::MerchantRecord;
use crate::vault::{AuditContext, hash_secret_key};

/// Which of its keys a merchant used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `pk_…`: may only tokenize.
    Publishable,
    /// `sk_…`: may tokenize (relay), read, delete and forward its own tokens.
    Secret,
}

impl KeyKind {
    fn name(self) -> &'static str {
        match self {
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }
}

/// What every request knows about itself before authentication: for logs, limits and audit.
#[derive(Clone, Debug)]
pub struct RequestInfo {
    /// The request id (also in the `x-request-id` response header).
    pub request_id: Option<String>,
    /// The client's address, when served from a socket.
    pub client: Option<IpAddr>,
}

impl RequestInfo {
    /// The audit context before authentication.
    pub fn audit(&self) -> AuditContext {
        AuditContext {
            request_id: self.request_id.clone(),
            merchant_id: None,
            key_kind: None,
            client: self.client.map(|ip| ip.to_string()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .map(str::to_owned);
        // Through the extractor, so that tests' `MockConnectInfo` counts too.
        let client = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .ok()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(RequestInfo { request_id, client })
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
    pub fn require_secret(&self) -> Result<(), ApiError> {
        match self.kind {
            KeyKind::Secret => Ok(()),
            KeyKind::Publishable => Err(ApiError::Unauthorized),
        }
    }

    /// The audit context of this caller's request.
    pub fn audit(&self, info: &RequestInfo) -> AuditContext {
        AuditContext {
            merchant_id: Some(self.merchant.id.clone()),
            key_kind: Some(self.kind.name()),
            ..info.audit()
        }
    }
}

/// The key in an `Authorization: Bearer KEY` header, if the request has one (pure, for
/// [`authenticate`] and the fuzz target).
pub fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Authenticates the `Authorization` header.
pub fn authenticate(state: &AppState, parts: &Parts) -> Result<Caller, ApiError> {
    let key = bearer_key(&parts.headers).ok_or(ApiError::Unauthorized)?;
    let vault = &state.vault;
    let lookup_failed = |e| {
        tracing::error!(error = %e, "looking up a merchant failed");
        ApiError::Internal
    };
    if key.starts_with("pk_") {
        let merchant = vault
            .merchant_by_publishable_key(key)
            .map_err(lookup_failed)?
            .ok_or(ApiError::Unauthorized)?;
        return Ok(Caller {
            merchant,
            kind: KeyKind::Publishable,
        });
    }
    if key.starts_with("sk_") {
        let merchant = vault
            .merchant_by_secret_hash(&hash_secret_key(key))
            .map_err(lookup_failed)?
            .ok_or(ApiError::Unauthorized)?;
        return Ok(Caller {
            merchant,
            kind: KeyKind::Secret,
        });
    }
    Err(ApiError::Unauthorized)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, parts)
    }
}
