//! `GET /openapi.json`: the HTTP API as an OpenAPI 3.1 document, built here from the vault's own
//! tables (the error catalogue of `http/error.rs`, the card brands, the body limits) and kept in
//! the repository as `docs/openapi.json`. The tests below fail when the committed document is
//! not the one built here, when a route of the router is missing from it, or the reverse; the
//! same catalogue gives docs/integration.md its error table. `CARDVAULT_BLESS=1 cargo test -p
//! cardvault-server --lib openapi` rewrites both files after a change.

use std::collections::BTreeMap;
use std::mem::discriminant;
use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::ApiError;
use super::{forward, tokens};
use crate::vault::Error;

/// The document as served, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
});

pub(super) async fn serve() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        DOCUMENT.as_str(),
    )
        .into_response()
}

/// The errors every route may answer with (a vault waiting for its custodians answers every
/// route but `/healthz` with `locked`, `http/locked.rs`).
const EVERY_ROUTE: &[Error] = &[Error::Locked];

/// The operations that reach the store may also find it unreachable, or fail inside.
const STORE: &[Error] = &[Error::Unavailable, Error::Internal, Error::Locked];

/// The `responses` of an operation: `ok` (status → response) and the error answers of the kinds
/// in `errors`, grouped by status, each with the codes (and for `invalid_card` the fields) of
/// the catalogue that answer with it, `Retry-After` where they carry one.
fn responses(ok: Value, errors: &[&[Error]]) -> Value {
    let mut responses = match ok {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let wanted: Vec<_> = errors
        .iter()
        .flat_map(|e| e.iter())
        .map(discriminant)
        .collect();
    let mut by_status: BTreeMap<u16, Vec<ApiError>> = BTreeMap::new();
    for error in ApiError::catalogue() {
        if wanted.contains(&discriminant(&error.0)) {
            by_status
                .entry(error.status().as_u16())
                .or_default()
                .push(error);
        }
    }
    for (status, errors) in by_status {
        let mut codes: Vec<&str> = errors.iter().map(|e| e.code()).collect();
        codes.dedup();
        let mut fields: Vec<&str> = errors.iter().filter_map(|e| e.field()).collect();
        fields.dedup();
        let mut properties = json!({
            "code": { "type": "string", "enum": codes },
            "message": { "type": "string", "description": "A sentence for the developer; never any input." },
        });
        if !fields.is_empty() {
            properties["field"] = json!({
                "type": "string",
                "enum": fields,
                "description": "`invalid_card` only: the part of the card that was refused."
            });
        }
        let mut headers =
            json!({ "X-Request-Id": { "$ref": "#/components/headers/X-Request-Id" } });
        let retrying = errors.iter().filter(|e| e.retry_after().is_some()).count();
        if retrying > 0 {
            headers["Retry-After"] = json!({
                "description": "Seconds to wait before retrying.",
                "required": retrying == errors.len(),
                "schema": { "type": "integer", "minimum": 1 }
            });
        }
        responses.insert(
            status.to_string(),
            json!({
                "description": codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                "headers": headers,
                "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["error"],
                    "additionalProperties": false,
                    "properties": { "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "additionalProperties": false,
                        "properties": properties,
                    }}
                }}}
            }),
        );
    }
    Value::Object(responses)
}

/// A `200` (or `status`) answer of `media` with `schema`, its request id and `headers`.
fn ok(status: u16, description: &str, media: Option<(&str, Value)>, headers: Value) -> Value {
    let mut all = json!({ "X-Request-Id": { "$ref": "#/components/headers/X-Request-Id" } });
    if let (Value::Object(all), Value::Object(extra)) = (&mut all, headers) {
        all.extend(extra);
    }
    let mut response = json!({ "description": description, "headers": all });
    if let Some((media, schema)) = media {
        response["content"] = json!({ media: { "schema": schema } });
    }
    json!({ status.to_string(): response })
}

fn required_header(description: &str) -> Value {
    json!({ "required": true, "description": description, "schema": { "type": "string" } })
}

const PUBLISHABLE: &str = "publishableKey";
const SECRET: &str = "secretKey";

fn security(schemes: &[&str]) -> Value {
    Value::Array(schemes.iter().map(|s| json!({ *s: [] })).collect())
}

/// The whole document.
pub fn document() -> Value {
    let brands: Vec<&str> = cardvault::card::ALL_BRANDS.iter().map(|b| b.id()).collect();
    let token_param = json!({
        "name": "token", "in": "path", "required": true,
        "description": "A token of the merchant's (`tok_…`).",
        "schema": { "type": "string" },
        "example": "tok_0000000000000000000000000000000000000000"
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cardvault",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of the cardvault card vault: the card field's browser side, \
                tokenization of sealed envelopes, tokens' metadata and deletion, and forwarding a \
                card to one of the merchant's receivers. Every answer carries `X-Request-Id` (the \
                vault's own id of the request). Errors are `{\"error\":{\"code\",\"message\"}}` \
                (plus `field` for `invalid_card`). `/metrics` is served only on the listener of \
                `serve --metrics-listen`, never on the API's.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "components": {
            "securitySchemes": {
                PUBLISHABLE: {
                    "type": "http", "scheme": "bearer", "bearerFormat": "pk_…",
                    "description": "The merchant's publishable key: the card field in the shopper's browser."
                },
                SECRET: {
                    "type": "http", "scheme": "bearer", "bearerFormat": "sk_…",
                    "description": "The merchant's secret key: the merchant's backend only."
                }
            },
            "headers": {
                "X-Request-Id": {
                    "required": true,
                    "description": "The vault's id of this request (`req_` and 16 hex digits); quote it when asking about a request.",
                    "schema": { "type": "string", "pattern": "^req_[0-9a-f]{16}$" }
                }
            },
            "schemas": {
                "Card": {
                    "type": "object",
                    "required": ["brand", "last4", "exp_month", "exp_year"],
                    "additionalProperties": false,
                    "properties": {
                        "brand": { "type": "string", "enum": brands },
                        "last4": { "type": "string", "pattern": "^[0-9]{4}$" },
                        "exp_month": { "type": "integer", "minimum": 1, "maximum": 12 },
                        "exp_year": { "type": "integer", "minimum": 2000, "maximum": 9999 }
                    }
                },
                "Token": {
                    "type": "object",
                    "required": ["token", "card", "created_at"],
                    "additionalProperties": false,
                    "properties": {
                        "token": { "type": "string", "pattern": "^tok_[0-9a-f]+$" },
                        "card": { "$ref": "#/components/schemas/Card" },
                        "bin": {
                            "type": "string", "pattern": "^[0-9]{6}$",
                            "description": "The first six digits: `GET /v1/tokens/{token}` only."
                        },
                        "fingerprint": {
                            "type": "string", "pattern": "^fp_",
                            "description": "The same card gives the same fingerprint for one merchant; secret key only."
                        },
                        "created_at": { "type": "string", "format": "date-time" },
                        "expires_at": { "type": "string", "format": "date-time" }
                    }
                },
                "ForwardRequest": {
                    "type": "object",
                    "required": ["token", "receiver", "method", "path"],
                    "additionalProperties": false,
                    "properties": {
                        "token": { "type": "string", "description": "`tok_…`, the merchant's." },
                        "receiver": { "type": "string", "description": "One of the merchant's receivers, by name." },
                        "method": { "type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"] },
                        "path": {
                            "type": "string",
                            "maxLength": crate::forward::template::MAX_PATH,
                            "pattern": "^/[A-Za-z0-9._~!$&'()*+,;=:/?%-]*$",
                            "description": "Joined to the receiver's base URL; no placeholder, no `//`, no `.` or `..` segment, no percent-encoded dot, slash, backslash or percent."
                        },
                        "headers": {
                            "type": "object",
                            "maxProperties": crate::vault::MAX_FORWARD_HEADERS,
                            "propertyNames": { "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
                            "additionalProperties": { "type": "string", "pattern": "^[\\x20-\\x7e]*$" },
                            "description": "Values may hold `{{card.number}}`, `{{card.cvc}}`, `{{card.exp_month}}`, `{{card.exp_year}}`, `{{card.name}}`, `{{card.last4}}`, `{{card.brand}}`."
                        },
                        "body": { "type": "string", "description": "May hold the same placeholders." }
                    },
                    "example": {
                        "token": "tok_0000000000000000000000000000000000000000",
                        "receiver": "processor",
                        "method": "POST",
                        "path": "/v1/charges",
                        "headers": { "content-type": "application/json" },
                        "body": "{\"number\":\"{{card.number}}\",\"cvc\":\"{{card.cvc}}\"}"
                    }
                },
                "ForwardReply": {
                    "type": "object",
                    "required": ["status", "headers", "body"],
                    "additionalProperties": false,
                    "properties": {
                        "status": { "type": "integer", "minimum": 100, "maximum": 999 },
                        "headers": { "type": "object", "additionalProperties": { "type": "string" } },
                        "body": { "type": "string", "description": "Every run of 13-19 digits that passes Luhn is masked." }
                    }
                },
                "Jwks": {
                    "type": "object",
                    "required": ["keys"],
                    "additionalProperties": false,
                    "properties": { "keys": { "type": "array", "items": {
                        "type": "object",
                        "required": ["kty", "n", "e", "kid", "alg", "use"],
                        "additionalProperties": false,
                        "properties": {
                            "kty": { "const": "RSA" },
                            "n": { "type": "string" },
                            "e": { "type": "string" },
                            "kid": { "type": "string", "description": "The RFC 7638 SHA-256 thumbprint, base64url." },
                            "alg": { "const": "RSA-OAEP-256" },
                            "use": { "const": "enc" }
                        }
                    }}}
                }
            }
        },
        "paths": {
            "/.well-known/jwks.json": { "get": {
                "operationId": "jwks",
                "summary": "The vault's transport keys, the active one first.",
                "security": [],
                "responses": responses(
                    ok(200, "The keys.", Some(("application/json", json!({ "$ref": "#/components/schemas/Jwks" }))), json!({})),
                    &[EVERY_ROUTE],
                )
            }},
            "/v1/tokens": { "post": {
                "operationId": "createToken",
                "summary": "Tokenizes a sealed envelope: from the card field (publishable key) or relayed by the merchant's backend (secret key).",
                "security": security(&[PUBLISHABLE, SECRET]),
                "requestBody": {
                    "required": true,
                    "description": format!("The envelope: a JWE in compact serialization, at most {} bytes.", tokens::MAX_BODY),
                    "content": { "application/jose": { "schema": {
                        "type": "string",
                        "maxLength": tokens::MAX_BODY,
                        "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$",
                        "description": "Five base64url parts: protected header, encrypted key, IV, ciphertext, tag (CONTRACT.md §1)."
                    } } }
                },
                "responses": responses(
                    ok(201, "The token; `fingerprint` only for the secret key.", Some(("application/json", json!({ "$ref": "#/components/schemas/Token" }))), json!({})),
                    &[&[
                        Error::Unauthorized,
                        Error::ForbiddenOrigin,
                        Error::InvalidEnvelope,
                        Error::UnknownKey,
                        Error::StaleEnvelope,
                        Error::ReplayedEnvelope,
                        Error::InvalidCard(cardvault::card::CardError::InvalidNumber),
                        Error::PayloadTooLarge,
                        Error::UnsupportedMediaType,
                        Error::RateLimited { retry_after: 1 },
                        Error::CardEnumeration,
                    ], STORE],
                )
            }},
            "/v1/tokens/{token}": {
                "parameters": [token_param],
                "get": {
                    "operationId": "readToken",
                    "summary": "A token's metadata, with `bin`; never the number.",
                    "security": security(&[SECRET]),
                    "responses": responses(
                        ok(200, "The token.", Some(("application/json", json!({ "$ref": "#/components/schemas/Token" }))), json!({})),
                        &[&[Error::Unauthorized, Error::NotFound], STORE],
                    )
                },
                "delete": {
                    "operationId": "deleteToken",
                    "summary": "Destroys the stored card.",
                    "security": security(&[SECRET]),
                    "responses": responses(
                        ok(204, "Deleted.", None, json!({})),
                        &[&[Error::Unauthorized, Error::NotFound], STORE],
                    )
                }
            },
            "/v1/forward": { "post": {
                "operationId": "forward",
                "summary": "Sends a request to one of the merchant's receivers with the card filled in by the vault.",
                "security": security(&[SECRET]),
                "requestBody": {
                    "required": true,
                    "description": format!("At most {} bytes.", forward::MAX_BODY),
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ForwardRequest" } } }
                },
                "responses": responses(
                    ok(200, "The receiver's answer, masked.", Some(("application/json", json!({ "$ref": "#/components/schemas/ForwardReply" }))), json!({})),
                    &[&[
                        Error::Unauthorized,
                        Error::NotFound,
                        Error::InvalidRequest,
                        Error::PayloadTooLarge,
                        Error::UnsupportedMediaType,
                        Error::CvcUnavailable,
                        Error::ReceiverNotAllowed,
                        Error::UpstreamError,
                        Error::UpstreamTooLarge,
                        Error::UpstreamTimeout,
                    ], STORE],
                )
            }},
            "/v1/field": { "get": {
                "operationId": "fieldPage",
                "summary": "The card field page, for an iframe on the merchant's page.",
                "security": [],
                "parameters": [
                    { "name": "key", "in": "query", "required": true, "description": "The merchant's publishable key.", "schema": { "type": "string" } },
                    { "name": "origin", "in": "query", "required": true, "description": "The origin of the page that frames the field: one of the merchant's.", "schema": { "type": "string" } }
                ],
                "responses": responses(
                    ok(200, "The page.", Some(("text/html; charset=utf-8", json!({ "type": "string" }))), json!({
                        "Content-Security-Policy": required_header("`frame-ancestors` lists the merchant's origins only.")
                    })),
                    &[&[Error::InvalidRequest, Error::Unauthorized, Error::ForbiddenOrigin], STORE],
                )
            }},
            "/v1/field/{file}": { "get": {
                "operationId": "fieldFile",
                "summary": "The field page's scripts, style sheet and WebAssembly, by the content-hashed names the page gives them (kept a year: `Cache-Control: public, max-age=31536000, immutable`); brotli or gzip when `Accept-Encoding` takes them (`Vary: Accept-Encoding`).",
                "security": [],
                "parameters": [{ "name": "file", "in": "path", "required": true, "schema": {
                    "type": "string",
                    "pattern": "^(field|cardvault|cardvault_bg)\\.[0-9a-f]{16}\\.(js|css|wasm)$",
                    "examples": ["field.0123456789abcdef.js", "cardvault_bg.0123456789abcdef.wasm"]
                }}],
                "responses": responses(
                    json!({ "200": {
                        "description": "The file.",
                        "headers": { "X-Request-Id": { "$ref": "#/components/headers/X-Request-Id" } },
                        "content": {
                            "text/javascript; charset=utf-8": { "schema": { "type": "string" } },
                            "text/css; charset=utf-8": { "schema": { "type": "string" } },
                            "application/wasm": { "schema": { "type": "string", "contentEncoding": "binary" } }
                        }
                    }}),
                    &[&[Error::NotFound], EVERY_ROUTE],
                )
            }},
            "/v1/cardvault.js": { "get": {
                "operationId": "loader",
                "summary": "The merchant loader: `<script src=…/v1/cardvault.js integrity=… crossorigin=anonymous>`.",
                "security": [],
                "responses": responses(
                    ok(200, "The loader.", Some(("text/javascript; charset=utf-8", json!({ "type": "string" }))), json!({})),
                    &[EVERY_ROUTE],
                )
            }},
            "/healthz": { "get": {
                "operationId": "health",
                "summary": "Liveness: `200` while the process answers, locked or not.",
                "security": [],
                "responses": ok(200, "Alive.", Some(("text/plain; charset=utf-8", json!({ "const": "ok" }))), json!({}))
            }},
            "/readyz": { "get": {
                "operationId": "ready",
                "summary": "Readiness: `200` when this instance can serve (database, schema, transport keys, unlocked), else `503` with the reason as the message.",
                "security": [],
                "responses": responses(
                    ok(200, "Ready.", Some(("text/plain; charset=utf-8", json!({ "const": "ready" }))), json!({})),
                    &[&[Error::Unavailable], EVERY_ROUTE],
                )
            }},
            "/openapi.json": { "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "security": [],
                "responses": responses(
                    ok(200, "The OpenAPI 3.1 document.", Some(("application/json", json!({ "type": "object" }))), json!({})),
                    &[EVERY_ROUTE],
                )
            }},
            "/metrics": { "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics: only on the listener of `serve --metrics-listen`, not the API's.",
                "x-cardvault-listener": "metrics",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenMetrics text.",
                        "content": { "application/openmetrics-text; version=1.0.0; charset=utf-8": { "schema": { "type": "string" } } }
                    }
                }
            }}
        }
    })
}

#[cfg(test)]
#[path = "openapi_tests.rs"]
mod tests;
