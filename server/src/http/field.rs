//! The browser side, embedded in the binary: the card field page (`GET /v1/field`), its assets
//! (`/v1/field/…`), and the merchant loader (`GET /v1/cardvault.js`).
//!
//! Each is served in the smallest encoding the browser accepts (precompressed at build time,
//! see `assets`). The field's files have content-hashed names, so browsers keep them for a
//! year without asking again (`immutable`); the page that names them is never kept without
//! asking (`no-cache`), so a new binary's files are picked up at once. The loader's name is
//! the one merchants put in their pages (with its SRI hash): it is kept five minutes.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::assets::{FIELD_FILES, FIELD_PAGE, LOADER_SCRIPT};
use super::{ApiError, AppState};
use crate::vault::{Error, internal};

/// The loader, as served at `/v1/cardvault.js`.
pub const LOADER: &str = include_str!("../../../www/cardvault.js");
/// The loader's Subresource Integrity hash, computed at build time.
pub const LOADER_SRI: &str = env!("CARDVAULT_LOADER_SRI");

/// The field's files: named by their content, so a name's bytes never change.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// The loader, at the name merchants use: briefly; it changes only with the binary.
const LOADER_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=300");
/// The field's page names the files of this binary: asked for again every time.
const PAGE_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/field", get(field_page))
        .route("/v1/field/{file}", get(field_file))
        .route("/v1/cardvault.js", get(loader))
}

#[derive(Deserialize)]
struct FieldQuery {
    key: String,
    origin: String,
}

/// The field page's policy: its own scripts and WebAssembly only, requests to its own origin
/// only, framed only by the merchant's origins.
fn content_security_policy(origins: &[String]) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors {}",
        if origins.is_empty() {
            "'none'".to_owned()
        } else {
            origins.join(" ")
        }
    )
}

async fn field_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FieldQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return ApiError(Error::InvalidRequest).into_response();
    };
    let merchant = match state.vault.merchant_by_publishable_key(&query.key) {
        Ok(Some(merchant)) => merchant,
        Ok(None) => return ApiError(Error::Unauthorized).into_response(),
        // A database that cannot be reached is `unavailable` (with `Retry-After`), as on the
        // API's other routes; anything else is logged and `internal`.
        Err(e) => return ApiError(internal("looking up a merchant failed")(e)).into_response(),
    };
    if !merchant
        .origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(&query.origin))
    {
        return ApiError(Error::ForbiddenOrigin).into_response();
    }
    let csp = content_security_policy(&merchant.origins);
    let Ok(csp) = HeaderValue::from_str(&csp) else {
        return ApiError(Error::Internal).into_response();
    };
    FIELD_PAGE.response(
        &headers,
        [
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, PAGE_CACHE),
        ],
    )
}

async fn field_file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match FIELD_FILES.iter().find(|asset| asset.name == name) {
        Some(asset) => asset.response(&headers, [(header::CACHE_CONTROL, IMMUTABLE)]),
        None => ApiError(Error::NotFound).into_response(),
    }
}

async fn loader(headers: HeaderMap) -> Response {
    LOADER_SCRIPT.response(
        &headers,
        [
            (header::CACHE_CONTROL, LOADER_CACHE),
            // Loaded cross-origin with `integrity` and `crossorigin="anonymous"`.
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            (
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README and the integration guide show merchants the script tag with the loader's
    /// real SRI hash.
    #[test]
    fn the_readme_carries_the_current_sri_hash() {
        for (name, text) in [
            ("README.md", include_str!("../../../README.md")),
            (
                "docs/integration.md",
                include_str!("../../../docs/integration.md"),
            ),
        ] {
            assert!(
                text.contains(&format!("integrity=\"{LOADER_SRI}\"")),
                "{name} must show integrity=\"{LOADER_SRI}\" (the loader changed: update the snippet)"
            );
        }
    }

    #[test]
    fn the_field_policy_names_only_the_merchants_origins() {
        let csp = content_security_policy(&["https://shop.example".into()]);
        assert!(csp.contains("frame-ancestors https://shop.example"));
        assert!(csp.contains("default-src 'none'"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
        assert!(csp.contains("connect-src 'self'"));
        assert!(content_security_policy(&[]).ends_with("frame-ancestors 'none'"));
    }
}
