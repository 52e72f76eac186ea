//! `POST /v1/tokens`, `GET /v1/tokens/{token}`, `DELETE /v1/tokens/{token}`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::{
    AlreadyAudited, ApiError, AppState, Caller, KeyKind, RequestInfo, content_type_is, read_body,
    refuse,
};

/// The largest envelope body accepted.
pub const MAX_BODY: usize = 16 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tokens", post(create))
        .route("/v1/tokens/{token}", get(read).delete(delete))
}

/// A browser's request (it sends `Origin`) must come from the vault's own origin (the field)
/// or one the merchant allowed.
fn origin_allowed(headers: &HeaderMap, caller: &Caller) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let own = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
        });
    own || caller
        .merchant
        .origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(origin))
}

async fn create(
    State(state): State<AppState>,
    info: RequestInfo,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let audit = caller.audit(&info);
    let result = async {
        if caller.kind == KeyKind::Publishable && !origin_allowed(&headers, &caller) {
            return Err(ApiError::ForbiddenOrigin);
        }
        let client = (caller.kind == KeyKind::Publishable)
            .then_some(info.client)
            .flatten();
        state
            .limits
            .check(client, &caller.merchant.publishable_key)?;
        if !content_type_is(&headers, "application/jose") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let body = read_body(&headers, body, MAX_BODY).await?;
        state.vault.tokenize(&caller.merchant, &body, &audit).await
    }
    .await;
    match result {
        // A publishable key is anyone's: no fingerprint for it (README, *The fingerprint*).
        Ok(meta) if caller.kind == KeyKind::Publishable => {
            (StatusCode::CREATED, Json(meta.without_fingerprint())).into_response()
        }
        Ok(meta) => (StatusCode::CREATED, Json(meta)).into_response(),
        Err(error @ ApiError::CardEnumeration) => {
            // The store audited the refusal in the same write.
            let mut response = refuse(error, audit);
            response.extensions_mut().insert(AlreadyAudited);
            response
        }
        Err(error) => refuse(error, audit),
    }
}

async fn read(
    State(state): State<AppState>,
    info: RequestInfo,
    caller: Caller,
    Path(token): Path<String>,
) -> Response {
    let audit = caller.audit(&info);
    let result = caller
        .require_secret()
        .and_then(|()| state.vault.describe(&caller.merchant, &token));
    match result {
        Ok(meta) => {
            state
                .vault
                .audit(audit.event("read", Some(&token), "ok"))
                .await;
            Json(meta).into_response()
        }
        Err(error) => refuse(error, audit),
    }
}

async fn delete(
    State(state): State<AppState>,
    info: RequestInfo,
    caller: Caller,
    Path(token): Path<String>,
) -> Response {
    let audit = caller.audit(&info);
    if let Err(error) = caller.require_secret() {
        return refuse(error, audit);
    }
    match state.vault.delete(&caller.merchant, &token, &audit).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            // The store audited the attempt (`not_found`) with the operation.
            let mut response = refuse(error, audit);
            response.extensions_mut().insert(AlreadyAudited);
            response
        }
    }
}
