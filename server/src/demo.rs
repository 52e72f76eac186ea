//! The demo shop (`cardvault serve --dev --demo ADDR`): a checkout page on its own origin that
//! embeds the field the way a merchant would, with the loader's real SRI hash; its backend,
//! which charges the token through the vault (`POST /v1/forward` with the shop's secret key,
//! which never goes to the browser); and a pretend card processor on another loopback port,
//! registered as the demo merchant's receiver `processor`.
//!
//! card → field → vault → token → shop backend → `POST /v1/forward` → vault → processor.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cardvault::card::CardNumber;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;
use zeroize::Zeroizing;

use crate::http::LOADER_SRI;

const INDEX: &str = include_str!("../../www/demo/index.html");
const SCRIPT: &str = include_str!("../../www/demo/demo.js");
const STYLE: &str = include_str!("../../www/demo/demo.css");

/// The receiver name the shop charges through.
pub const PROCESSOR: &str = "processor";
/// What the pretend processor expects in `Authorization` (a merchant's processor credential:
/// an ordinary header the vault passes on).
const PROCESSOR_KEY: &str = "Bearer demo-processor-key";

/// How the shop's backend reaches the vault: its API router, called in-process with the
/// secret key (a real shop sends the same request over HTTPS).
#[derive(Clone)]
pub struct Backend {
    /// The vault's API.
    pub vault: Router,
    /// The demo merchant's secret key.
    pub secret_key: Zeroizing<String>,
}

/// The shop's routes, for the vault at `vault_origin` and the merchant's publishable key;
/// with a `backend`, `POST /charge` charges a token through the processor.
pub fn router(vault_origin: &str, publishable_key: &str, backend: Option<Backend>) -> Router {
    let page = INDEX
        .replace("{{VAULT}}", vault_origin)
        .replace("{{LOADER_SRI}}", LOADER_SRI)
        .replace("{{PUBLISHABLE_KEY}}", publishable_key)
        .replace("{{CHARGE}}", if backend.is_some() { "on" } else { "off" });
    let csp = format!(
        "default-src 'self'; script-src 'self' {vault_origin}; frame-src {vault_origin}; object-src 'none'; base-uri 'none'"
    );
    let csp = HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'self'"));
    let shop = Router::new()
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
        );
    match backend {
        Some(backend) => shop.route(
            "/charge",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                charge(backend.clone(), headers, body)
            }),
        ),
        None => shop,
    }
}

#[derive(Deserialize)]
struct ChargeRequest {
    token: String,
}

/// The request the shop asks the vault to send: the processor's own API, with the card's
/// placeholders where the card goes.
fn forward_request(token: &str) -> Value {
    json!({
        "token": token,
        "receiver": PROCESSOR,
        "method": "POST",
        "path": "/v1/charges",
        "headers": {
            "Content-Type": "application/json",
            "Authorization": PROCESSOR_KEY,
        },
        "body": concat!(
            r#"{"amount":4850,"currency":"eur","description":"Lovelace Instruments order","#,
            r#""card":{"number":"{{card.number}}","exp_month":{{card.exp_month}},"#,
            r#""exp_year":{{card.exp_year}},"cvc":"{{card.cvc}}"}}"#
        ),
    })
}

/// `POST /charge {"token"}` from the shop's page: forwards through the vault and answers what
/// the processor said (masked by the vault), or the vault's error.
async fn charge(backend: Backend, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    // Same-origin only: the page posts JSON, which a cross-site form cannot.
    let json = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let Some(request) = json
        .then(|| serde_json::from_slice::<ChargeRequest>(&body).ok())
        .flatten()
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "bad request"})),
        )
            .into_response();
    };
    let forward = Request::post("/v1/forward")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", backend.secret_key.as_str()),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(forward_request(&request.token).to_string()));
    let Ok(forward) = forward else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let response = match backend.vault.oneshot(forward).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status();
    let bytes = match response.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return StatusCode::BAD_GATEWAY.into_response(),
    };
    let reply: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        return (StatusCode::BAD_GATEWAY, Json(json!({ "vault": reply }))).into_response();
    }
    // The processor's answer, as the vault relayed it (card numbers already masked).
    let processor_body = reply["body"]
        .as_str()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .unwrap_or_else(|| reply["body"].clone());
    Json(json!({
        "processor": { "status": reply["status"], "body": processor_body }
    }))
    .into_response()
}

/// The pretend processor: `POST /v1/charges` approves a charge for a valid card with a CVC
/// (declines `4000 0000 0000 0002`, the usual "declined" test card) and, as some processors do,
/// echoes the card number, which the vault masks before the shop sees it. It logs nothing.
pub fn processor_router() -> Router {
    Router::new().route("/v1/charges", post(processor_charge))
}

#[derive(Deserialize)]
struct ProcessorCard {
    number: Zeroizing<String>,
    exp_month: u32,
    exp_year: u32,
    #[serde(default)]
    cvc: Option<Zeroizing<String>>,
}

#[derive(Deserialize)]
struct ProcessorCharge {
    amount: u64,
    currency: String,
    card: ProcessorCard,
}

async fn processor_charge(headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if headers
        .get(header::AUTHORIZATION)
        .is_none_or(|v| v.as_bytes() != PROCESSOR_KEY.as_bytes())
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid processor key"})),
        )
            .into_response();
    }
    let Ok(charge) = serde_json::from_slice::<ProcessorCharge>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "malformed charge"})),
        )
            .into_response();
    };
    let card = &charge.card;
    let number = CardNumber::parse(&card.number);
    let (status, reason) = match &number {
        Err(_) => ("declined", "invalid_number"),
        Ok(_) if card.cvc.as_ref().is_none_or(|c| c.is_empty()) => ("declined", "cvc_required"),
        Ok(n) if n.expose() == "4000000000000002" => ("declined", "card_declined"),
        Ok(_) => ("approved", "ok"),
    };
    let id = crate::keys::random_id("ch_", 8).unwrap_or_else(|_| "ch_demo".to_owned());
    let code = if status == "approved" {
        StatusCode::CREATED
    } else {
        StatusCode::PAYMENT_REQUIRED
    };
    (
        code,
        Json(json!({
            "id": id,
            "status": status,
            "reason": reason,
            "amount": charge.amount,
            "currency": charge.currency,
            "card": {
                "number": card.number.as_str(),
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "brand": number.as_ref().map_or("unknown", |n| n.brand().id()),
            },
        })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn charge(key: Option<&str>, number: &str, cvc: &str) -> (StatusCode, Value) {
        let body = json!({
            "amount": 4850, "currency": "eur",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": cvc}
        });
        let mut req = Request::post("/v1/charges");
        if let Some(key) = key {
            req = req.header(header::AUTHORIZATION, key);
        }
        let response = processor_router()
            .oneshot(req.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test]
    async fn the_demo_processor() {
        let (status, json) = charge(Some(PROCESSOR_KEY), "4242424242424242", "123").await;
        assert_eq!(
            (status, json["status"].as_str()),
            (StatusCode::CREATED, Some("approved"))
        );
        assert_eq!(json["card"]["brand"], "visa");
        let (status, json) = charge(Some(PROCESSOR_KEY), "4000000000000002", "123").await;
        assert_eq!(
            (status, json["reason"].as_str()),
            (StatusCode::PAYMENT_REQUIRED, Some("card_declined"))
        );
        let (_, json) = charge(Some(PROCESSOR_KEY), "4242424242424242", "").await;
        assert_eq!(json["reason"], "cvc_required");
        let (status, _) = charge(None, "4242424242424242", "123").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // The shop's page asks for the same path the forward request names.
        assert_eq!(forward_request("tok_x")["path"], "/v1/charges");
        assert_eq!(forward_request("tok_x")["receiver"], PROCESSOR);
    }
}
