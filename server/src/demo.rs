//! The demo shop (`cardvault serve --dev --demo ADDR`): a checkout page on its own origin that
//! embeds the field the way a merchant would, with the loader's real SRI hash.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::http::LOADER_SRI;

const INDEX: &str = include_str!("../../www/demo/index.html");
const SCRIPT: &str = include_str!("../../www/demo/demo.js");
const STYLE: &str = include_str!("../../www/demo/demo.css");

/// The shop's routes, for the vault at `vault_origin` and the merchant's publishable key.
pub fn router(vault_origin: &str, publishable_key: &str) -> Router {
    let page = INDEX
        .replace("{{VAULT}}", vault_origin)
        .replace("{{LOADER_SRI}}", LOADER_SRI)
        .replace("{{PUBLISHABLE_KEY}}", publishable_key);
    let csp = format!(
        "default-src 'self'; script-src 'self' {vault_origin}; frame-src {vault_origin}; object-src 'none'; base-uri 'none'"
    );
    let csp = HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .route(
            "/",
            get(move || {
                let (page, csp) = (page.clone(), csp.clone());
                async move { ([(header::CONTENT_SECURITY_POLICY, csp)], Html(page)) }
            }),
        )
        .route(
            "/demo.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    SCRIPT,
                )
                    .into_response()
            }),
        )
        .route(
            "/demo.css",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
            }),
        )
}
