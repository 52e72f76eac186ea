//! `POST /v1/forward`: the merchant's backend (secret key) has the vault send a card to one of
//! its receivers (see `vault/forward.rs`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

use super::{ApiError, AppState, Auth, Context, content_type_is, read_body};
use crate::vault::{Error, ForwardRequest};

/// The largest forward request accepted.
pub const MAX_BODY: usize = 64 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/forward", post(forward))
}

async fn read_request(headers: &HeaderMap, body: Body) -> Result<ForwardRequest, Error> {
    if !content_type_is(headers, "application/json") {
        return Err(Error::UnsupportedMediaType);
    }
    let bytes = read_body(headers, body, MAX_BODY).await?;
    // serde's message may quote the input: it is dropped, not logged.
    serde_json::from_slice(&bytes).map_err(|_| Error::InvalidRequest)
}

async fn forward(
    State(state): State<AppState>,
    Context(request): Context,
    Auth(credentials): Auth,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let forward = read_request(&headers, body).await;
    // Its own task: once the card may have gone out, the forward, its audit entry and its
    // metrics complete even if the merchant hangs up or the request times out (either drops
    // this handler's future).
    let vault = Arc::clone(&state.vault);
    let metrics = Arc::clone(&state.metrics);
    let task = tokio::spawn(async move {
        let forwarded = vault.forward(&request, &credentials, forward).await;
        let outcome = match &forwarded.reply {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        metrics.forwarded(
            forwarded.receiver.as_deref().unwrap_or("-"),
            outcome,
            forwarded.upstream,
        );
        forwarded
    });
    match task.await {
        Ok(forwarded) => match forwarded.reply {
            Ok(reply) => Json(reply).into_response(),
            Err(error) => ApiError(error).into_response(),
        },
        Err(e) => {
            tracing::error!(error = %e, "the forward task failed");
            ApiError(Error::Internal).into_response()
        }
    }
}

#[cfg(test)]
#[path = "forward_tests.rs"]
mod tests;
