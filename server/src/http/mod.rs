//! The HTTP API of the vault (CONTRACT.md §2), on axum.
//!
//! Each module exposes its routes; [`router`] merges them and adds the layers every response
//! goes through: request id, tracing (method, matched path, request id; never headers or
//! bodies), security headers, timeouts, metrics, and the audit of refused requests.

mod auth;
mod error;
mod field;
mod forward;
mod metrics;
mod ratelimit;
mod tokens;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use auth::{Caller, KeyKind, RequestInfo, bearer_key};
pub use error::ApiError;
pub use field::{LOADER, LOADER_SRI};
pub use metrics::Metrics;
pub use ratelimit::{Limits, RateLimits};

use crate::vault::{AuditContext, Vault, now_unix};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The vault.
    pub vault: Arc<Vault>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Rate limits on tokenization.
    pub limits: Arc<RateLimits>,
}

impl AppState {
    /// State for `vault` with `limits`.
    pub fn new(vault: Arc<Vault>, limits: Limits) -> AppState {
        AppState {
            vault,
            metrics: Arc::new(Metrics::default()),
            limits: Arc::new(RateLimits::new(limits)),
        }
    }
}

/// Options of the HTTP layer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Served over TLS: adds `Strict-Transport-Security`.
    pub tls: bool,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The longest a request may take, reading the body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = crate::keys::random_id("req_", 8).ok()?;
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The whole API.
pub fn router(state: AppState, options: Options) -> Router {
    let api = Router::new()
        .merge(tokens::router())
        .merge(field::router())
        .merge(forward::router())
        .route("/.well-known/jwks.json", get(jwks))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state);
    let mut app = api
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Nothing but the field page (which sets its own policy) may be framed or run anything.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ));
    if options.tls {
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    app.layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let path = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path, request_id = id)
                })
                // One line per request at debug (tower-http's default): every call to /v1/tokens
                // and /v1/forward is in the audit log already and every request in /metrics,
                // and at info the line cost 3 % of a core at full load (`cargo xtask bench`).
                .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
}

/// Metrics for every response; an audit entry for every refusal.
async fn observe(
    State(state): State<AppState>,
    info: RequestInfo,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status();
    state
        .metrics
        .observe(method.as_str(), &route, status.as_u16(), started.elapsed());
    if let Some(error) = response.extensions().get::<ApiError>().copied() {
        state.metrics.refused(error.code());
        if response.extensions().get::<AlreadyAudited>().is_some() {
            return response;
        }
        let audit = response
            .extensions()
            .get::<AuditContext>()
            .cloned()
            .unwrap_or_else(|| info.audit());
        let mut event = audit.event("refused", None, error.code());
        event.detail = Some(format!("{method} {route}"));
        state.vault.audit(event).await;
    }
    if status == StatusCode::CREATED && route == "/v1/tokens" {
        state.metrics.token_created();
    }
    response
}

/// Marks a refusal whose audit entry the store wrote with the operation itself.
#[derive(Clone, Copy)]
pub(crate) struct AlreadyAudited;

/// Whether the request's `Content-Type` is `essence` (parameters aside, case-insensitive).
pub(crate) fn content_type_is(headers: &axum::http::HeaderMap, essence: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(essence))
}

/// The request body, `413 payload_too_large` past `max` bytes (declared or read).
pub(crate) async fn read_body(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    max: usize,
) -> Result<axum::body::Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(ApiError::PayloadTooLarge);
    }
    axum::body::to_bytes(body, max)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)
}

/// A refusal that names the authenticated caller in the audit log.
pub(crate) fn refuse(error: ApiError, audit: AuditContext) -> Response {
    let mut response = error.into_response();
    response.extensions_mut().insert(audit);
    response
}

async fn jwks(State(state): State<AppState>) -> Response {
    let vault = &state.vault;
    vault.reload_transport_keys_if_stale().await;
    let keys = vault.keyring().jwks(now_unix());
    (
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        )],
        axum::Json(serde_json::json!({ "keys": keys })),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

#[cfg(test)]
mod test_harness;
#[cfg(test)]
mod tests;
