//! The HTTP API of the vault (CONTRACT.md §2), on axum.
//!
//! Each module exposes its routes; [`router`] merges them and adds the layers every response
//! goes through: the request's context (the vault's own request id, client, method and route
//! labels), tracing (those; never headers or bodies), security headers, timeouts and metrics.
//! Handlers hand the request to one vault operation, which authenticates, decides and audits;
//! HTTP maps the vault's errors to the contract's answers and counts metrics, nothing more.

mod assets;
mod auth;
mod error;
mod field;
mod forward;
pub mod listener;
mod locked;
mod metrics;
mod openapi;
pub mod proxy;
mod ready;
mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The tokenization allowances (the vault's, `vault/allowance.rs`).
pub use crate::vault::Limits;
pub use auth::{Auth, Context};
pub use error::ApiError;
pub use field::{LOADER, LOADER_SRI};
pub use locked::Gate;
pub use metrics::Metrics;
pub use proxy::TrustedProxies;

use crate::vault::{Error, RequestContext, Vault, normalize_origin};
use proxy::Scheme;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The vault.
    pub vault: Arc<Vault>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// `/readyz`'s ping under way.
    readiness: Arc<ready::Readiness>,
}

impl AppState {
    /// State for `vault`.
    pub fn new(vault: Arc<Vault>) -> AppState {
        AppState::with_metrics(vault, Arc::default())
    }

    /// State for `vault`, counting into `metrics` (made before the vault opened: a vault started
    /// locked counts from the start).
    pub fn with_metrics(vault: Arc<Vault>, metrics: Arc<Metrics>) -> AppState {
        AppState {
            vault,
            metrics,
            readiness: Arc::default(),
        }
    }
}

/// Options of the HTTP layer.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Served over TLS: the scheme of a request that no trusted proxy says otherwise of.
    pub tls: bool,
    /// The proxies whose `Forwarded`, `X-Forwarded-For` and `X-Forwarded-Proto` are believed
    /// (`http/proxy.rs`). A request's scheme (https: `Strict-Transport-Security`, and the vault's
    /// own origin is `https://`) and client address come from them, else from the connection.
    pub trusted_proxies: Arc<TrustedProxies>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The longest a request may take, reading the body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// `/metrics` alone, for `serve --metrics-listen`: never on the API's own listener, where anyone
/// who can reach the vault would read its receivers and volumes.
pub fn metrics_router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .with_state(metrics)
}

/// The whole API.
pub fn router(state: AppState, options: Options) -> Router {
    let api = Router::new()
        .merge(tokens::router())
        .merge(field::router())
        .merge(forward::router())
        .route("/.well-known/jwks.json", get(jwks))
        .route("/healthz", get(healthz))
        .route("/readyz", get(ready::readyz))
        .route("/openapi.json", get(openapi::serve))
        .fallback(not_found)
        .with_state(state.clone());
    harden(api, Arc::clone(&state.metrics), options)
}

/// The layers every answer goes through, the locked vault's too (`http/locked.rs`).
fn harden(api: Router, metrics: Arc<Metrics>, options: Options) -> Router {
    api.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ))
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
    ))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(|req: &Request| {
                let (id, method, route) = req
                    .extensions()
                    .get::<RequestContext>()
                    .map_or(("-", "-", "-"), |c| (c.id(), c.method(), c.route()));
                tracing::info_span!("request", method, path = route, request_id = id)
            })
            // One line per request at debug (tower-http's default): every call to /v1/tokens
            // and /v1/forward is in the audit log already and every request in /metrics,
            // and at info the line costs a share of a core at full load (bench/README.md).
            .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)),
    )
    .layer(middleware::from_fn_with_state((metrics, options), observe))
}

/// Gives the request its context (a new request id of the vault's: an incoming `X-Request-Id`
/// is not read; the client and scheme as the connection or a trusted proxy says), answers with
/// that id (and HSTS when the client came over https), and counts the response in the metrics,
/// by the method's and route's labels only.
async fn observe(
    State((metrics, options)): State<(Arc<Metrics>, Options)>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let (mut parts, body) = req.into_parts();
    // Through the extractor, so that tests' `MockConnectInfo` counts too.
    let peer = ConnectInfo::<SocketAddr>::from_request_parts(&mut parts, &())
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip());
    let connection_scheme = if options.tls {
        Scheme::Https
    } else {
        Scheme::Http
    };
    let client = peer.map(|peer| {
        options
            .trusted_proxies
            .client(peer, connection_scheme, &parts.headers)
    });
    let scheme = client.map_or(connection_scheme, |c| c.scheme);
    let matched = parts
        .extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let context = RequestContext::new(
        client.map(|c| c.address),
        parts.method.as_str(),
        matched,
        own_origin(&parts, scheme),
    );
    parts.extensions.insert(context.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    let (method, route) = (context.method(), context.route());
    metrics.observe(method, route, status.as_u16(), started.elapsed());
    if let Some(error) = response.extensions().get::<ApiError>().copied() {
        metrics.refused(error.code());
    }
    if status == StatusCode::CREATED && route == "/v1/tokens" {
        metrics.token_created();
    }
    if let Ok(id) = HeaderValue::from_str(context.id()) {
        response.headers_mut().insert(REQUEST_ID, id);
    }
    // By the client's scheme, not the connection's: behind a proxy that ends TLS the browser
    // still came over https, and a browser that came over plain http ignores the header anyway.
    if scheme == Scheme::Https {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// The origin this request reached the vault at: the scheme the client used (the connection's,
/// or the one a trusted proxy says) and the host it was sent to (HTTP/2's `:authority`, else
/// `Host`: a proxy must pass the client's on), normalised; the field page's origin.
fn own_origin(parts: &axum::http::request::Parts, scheme: Scheme) -> Option<String> {
    let host = match parts.uri.authority() {
        Some(authority) => authority.as_str(),
        None => parts.headers.get(header::HOST)?.to_str().ok()?,
    };
    normalize_origin(&format!("{}://{host}", scheme.as_str())).ok()
}

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
) -> Result<axum::body::Bytes, Error> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(Error::PayloadTooLarge);
    }
    axum::body::to_bytes(body, max)
        .await
        .map_err(|_| Error::PayloadTooLarge)
}

async fn jwks(State(state): State<AppState>) -> Response {
    let keys = state.vault.jwks().await;
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

async fn render_metrics(State(metrics): State<Arc<Metrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        metrics.render(),
    )
        .into_response()
}

async fn not_found(State(state): State<AppState>, Context(request): Context) -> ApiError {
    state.vault.unknown_route(&request).await.into()
}

#[cfg(test)]
mod hardening_tests;
#[cfg(test)]
mod proxy_tests;
#[cfg(test)]
mod test_harness;
#[cfg(test)]
mod tests;
