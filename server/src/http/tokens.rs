//! `POST /v1/tokens`, `GET /v1/tokens/{token}`, `DELETE /v1/tokens/{token}`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::{ApiError, AppState, Auth, Context, content_type_is, read_body};
use crate::vault::Error;

/// The largest envelope body accepted.
pub const MAX_BODY: usize = 16 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tokens", post(create))
        .route("/v1/tokens/{token}", get(read).delete(delete))
}

/// The envelope, or why the body is not one to open.
async fn read_envelope(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Error> {
    if !content_type_is(headers, "application/jose") {
        return Err(Error::UnsupportedMediaType);
    }
    read_body(headers, body, MAX_BODY).await
}

async fn create(
    State(state): State<AppState>,
    Context(request): Context,
    Auth(credentials): Auth,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // An `Origin` that is not text is no origin the vault allows, and neither are two (no
    // browser sends two; which one would a proxy in front have checked?).
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let origin = match (origins.next(), origins.next()) {
        (None, _) => None,
        (Some(one), None) => Some(one.to_str().unwrap_or_default()),
        (Some(_), Some(_)) => Some(""),
    };
    let body = read_envelope(&headers, body).await;
    let body = body.as_ref().map(|b| &b[..]).map_err(|e| *e);
    match state
        .vault
        .tokenize(&request, &credentials, origin, body)
        .await
    {
        Ok(meta) => (StatusCode::CREATED, Json(meta)).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

async fn read(
    State(state): State<AppState>,
    Context(request): Context,
    Auth(credentials): Auth,
    Path(token): Path<String>,
) -> Response {
    match state.vault.read(&request, &credentials, &token).await {
        Ok(meta) => Json(meta).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

async fn delete(
    State(state): State<AppState>,
    Context(request): Context,
    Auth(credentials): Auth,
    Path(token): Path<String>,
) -> Response {
    match state.vault.delete(&request, &credentials, &token).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}
