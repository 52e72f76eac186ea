//! `POST /v1/forward`: the merchant's backend (secret key) has the vault send a card to one of
//! its receivers (see `vault/forward.rs`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

use super::{
    AlreadyAudited, ApiError, AppState, Caller, RequestInfo, content_type_is, read_body, refuse,
};
use crate::vault::ForwardRequest;

/// The largest forward request accepted.
pub const MAX_BODY: usize = 64 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/forward", post(forward))
}

async fn read_request(headers: &HeaderMap, body: Body) -> Result<ForwardRequest, ApiError> {
    if !content_type_is(headers, "application/json") {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = read_body(headers, body, MAX_BODY).await?;
    // serde's message may quote the input: it is dropped, not logged.
    serde_json::from_slice(&bytes).map_err(|_| ApiError::InvalidRequest)
}

async fn forward(
    State(state): State<AppState>,
    info: RequestInfo,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let audit = caller.audit(&info);
    if let Err(error) = caller.require_secret() {
        return refuse(error, audit);
    }
    let request = match read_request(&headers, body).await {
        Ok(request) => request,
        Err(error) => return refuse(error, audit),
    };
    // Its own task: once the card may have gone out, the forward, its audit entry and its
    // metrics complete even if the merchant hangs up or the request times out (either drops
    // this handler's future).
    let task_audit = audit.clone();
    let merchant = Arc::clone(&caller.merchant);
    let task = tokio::spawn(async move {
        let forwarded = state.vault.forward(&merchant, &request, &task_audit).await;
        let outcome = match &forwarded.reply {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        state.metrics.forwarded(
            forwarded.receiver.as_deref().unwrap_or("-"),
            outcome,
            forwarded.upstream,
        );
        forwarded
    });
    let forwarded = match task.await {
        Ok(forwarded) => forwarded,
        Err(e) => {
            tracing::error!(error = %e, "the forward task failed");
            return refuse(ApiError::Internal, audit);
        }
    };
    match forwarded.reply {
        Ok(reply) => Json(reply).into_response(),
        Err(error) => {
            // The vault audited the forward with its outcome.
            let mut response = refuse(error, audit);
            response.extensions_mut().insert(AlreadyAudited);
            response
        }
    }
}

#[cfg(test)]
#[path = "forward_tests.rs"]
mod tests;
