//! The extractors that hand a request to the vault: its [`RequestContext`] (made for every
//! request by the `observe` middleware) and the `Authorization` headers it presented, as
//! [`Credentials`]. Authentication itself is the vault's (`vault/auth.rs`); the key is never
//! logged.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::vault::{Credentials, RequestContext};

/// Every `Authorization` header of the request (the vault refuses more than one).
pub struct Auth(pub Credentials);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let values = parts.headers.get_all(AUTHORIZATION);
        Ok(Auth(Credentials::from_headers(
            values.iter().map(|v| v.as_bytes()),
        )))
    }
}

/// The request's context, as the vault records it.
pub struct Context(pub RequestContext);

impl<S: Send + Sync> FromRequestParts<S> for Context {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Always there behind `observe`; a fresh one (no client, no route) otherwise.
        let context = parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .unwrap_or_else(|| RequestContext::new(None, parts.method.as_str(), None, None));
        Ok(Context(context))
    }
}
