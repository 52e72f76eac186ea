//! `GET /readyz`: whether this instance can serve now, for a load balancer's health check.
//!
//! `/healthz` says the process answers (liveness: restart it if not); `/readyz` says it can do
//! its work: the store answers with this binary's schema (`Store::ping`) and the transport keys
//! are loaded. Else `503 unavailable` with `Retry-After`, and the balancer sends the requests to
//! the other instances until this one is ready again.
//!
//! `Store::ping` blocks (a query to the database), so it runs on the blocking pool, and the
//! answer waits for it at most [`PING_TIMEOUT`]. A database that does not answer at all would
//! leave the ping's thread waiting; so one ping at most is under way at a time, and a probe that
//! comes while one is still out answers 503 at once rather than queueing another thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use serde_json::json;

use super::{ApiError, AppState};
use crate::store::StoreError;
use crate::vault::Error;

/// How long `/readyz` waits for the store.
pub(crate) const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// The ping under way, if any.
#[derive(Debug, Default)]
pub struct Readiness {
    pinging: Arc<AtomicBool>,
}

/// Clears [`Readiness::pinging`] when the ping ends, however it ends.
struct Pinging(Arc<AtomicBool>);

impl Drop for Pinging {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Why this instance is not ready; logged, not answered (the answer is `unavailable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotReady {
    /// The store answered with an error, or its schema is another binary's.
    Store(StoreError),
    /// The store did not answer within [`PING_TIMEOUT`], or an earlier ping still has not.
    StoreTimeout,
    /// No transport key is usable: envelopes cannot be opened.
    NoKeys,
}

impl NotReady {
    fn reason(self) -> &'static str {
        match self {
            NotReady::Store(StoreError::Unavailable) => "the database does not answer",
            NotReady::Store(_) => "the database answered with an error, or with another schema",
            NotReady::StoreTimeout => "the database did not answer in time",
            NotReady::NoKeys => "no transport key is loaded",
        }
    }
}

pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    match check(&state).await {
        Ok(()) => "ready".into_response(),
        Err(not_ready) => {
            tracing::warn!(reason = not_ready.reason(), "not ready");
            // The contract's `unavailable` (status, Retry-After, the metrics' refusal), with
            // the reason as its message: for the operator reading the balancer's checks.
            let mut response = ApiError(Error::Unavailable).into_response();
            let body = json!({ "error": {
                "code": Error::Unavailable.code(),
                "message": format!("This instance is not ready: {}.", not_ready.reason()),
            }});
            *response.body_mut() = Body::from(body.to_string());
            response
        }
    }
}

async fn check(state: &AppState) -> Result<(), NotReady> {
    ping(state).await?;
    // The keys as `/.well-known/jwks.json` publishes them (reloaded when stale, which reads the
    // store: bounded as well).
    match tokio::time::timeout(PING_TIMEOUT, state.vault.jwks()).await {
        Ok(keys) if keys.is_empty() => Err(NotReady::NoKeys),
        Ok(_) => Ok(()),
        Err(_) => Err(NotReady::StoreTimeout),
    }
}

async fn ping(state: &AppState) -> Result<(), NotReady> {
    let flag = &state.readiness.pinging;
    if flag.swap(true, Ordering::AcqRel) {
        return Err(NotReady::StoreTimeout);
    }
    let pinging = Pinging(Arc::clone(flag));
    let store = state.vault.store().clone();
    let ping = tokio::task::spawn_blocking(move || {
        let _pinging = pinging;
        store.ping()
    });
    match tokio::time::timeout(PING_TIMEOUT, ping).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(NotReady::Store(e)),
        Ok(Err(_)) => Err(NotReady::Store(StoreError::Closed)),
        Err(_) => Err(NotReady::StoreTimeout),
    }
}
