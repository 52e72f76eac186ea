//! The browser side, embedded in the binary: the card field page (`GET /v1/field`), its assets
//! (`/v1/field/…`), and the merchant loader (`GET /v1/cardvault.js`).

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{ApiError, AppState};
use crate::vault::{Error, internal};

/// The loader, as served at `/v1/cardvault.js`.
pub const LOADER: &str = include_str!("../../../www/cardvault.js");
/// The loader's Subresource Integrity hash, computed at build time.
pub const LOADER_SRI: &str = env!("CARDVAULT_LOADER_SRI");

const FIELD_HTML: &str = include_str!("../../../www/field/field.html");

/// `(name, content type, bytes)` of every file under `/v1/field/`.
const FIELD_FILES: &[(&str, &str, &[u8])] = &[
    (
        "field.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../www/field/field.js"),
    ),
    (
        "field.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../www/field/field.css"),
    ),
    (
        "cardvault.js",
        "text/javascript; charset=utf-8",
        include_bytes!(concat!(env!("CARDVAULT_FIELD_DIR"), "/cardvault.js")),
    ),
    (
        "cardvault_bg.wasm",
        "application/wasm",
        include_bytes!(concat!(env!("CARDVAULT_FIELD_DIR"), "/cardvault_bg.wasm")),
    ),
];

/// Assets may be cached briefly; they change only with the binary.
const ASSET_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=300");

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
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CONTENT_SECURITY_POLICY, csp),
        ],
        FIELD_HTML,
    )
        .into_response()
}

async fn field_file(Path(name): Path<String>) -> Response {
    match FIELD_FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, ASSET_CACHE),
            ],
            *bytes,
        )
            .into_response(),
        None => ApiError(Error::NotFound).into_response(),
    }
}

async fn loader() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, ASSET_CACHE),
            // Loaded cross-origin with `integrity` and `crossorigin="anonymous"`.
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
        LOADER,
    )
        .into_response()
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
