//! The vault, seen from the field: its public key (`GET /.well-known/jwks.json`) and its token
//! endpoint (`POST /v1/tokens`), both on the field's own origin.

use alloc::rc::Rc;
use alloc::{borrow::ToOwned, string::String};
use core::cell::RefCell;

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use super::i18n;
use super::protocol::object;
use crate::envelope::{ALG, SealingKey};

/// Where the vault publishes its public keys, active key first.
const JWKS_PATH: &str = "/.well-known/jwks.json";
/// Where the field sends envelopes.
const TOKENS_PATH: &str = "/v1/tokens";

/// Why a step after validation failed: a code (the vault's, or `network_error` when it could
/// not be reached, or `internal`), with the vault's message and card field when it sent them.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: String,
    pub(crate) message: Option<String>,
    pub(crate) field: Option<String>,
}

impl Failure {
    pub(crate) fn code(code: &str) -> Failure {
        Failure {
            code: code.to_owned(),
            message: None,
            field: None,
        }
    }
}

/// The vault's endpoints, with the merchant's publishable key and the sealing key, fetched and
/// parsed once.
pub(crate) struct Vault {
    key: String,
    sealing: RefCell<Option<Rc<SealingKey>>>,
}

impl Vault {
    pub(crate) fn new(key: String) -> Vault {
        Vault {
            key,
            sealing: RefCell::new(None),
        }
    }

    /// The merchant's publishable key.
    pub(crate) fn publishable_key(&self) -> &str {
        &self.key
    }

    /// The vault's active sealing key, from the cache or else from the JWKS.
    pub(crate) async fn sealing_key(&self) -> Result<Rc<SealingKey>, Failure> {
        if let Some(key) = self.sealing.borrow().as_ref() {
            return Ok(Rc::clone(key));
        }
        let (ok, jwks) = fetch(JWKS_PATH, &RequestInit::new()).await?;
        let key = if ok { active_key(&jwks) } else { None };
        let key = Rc::new(key.ok_or_else(|| Failure::code("internal"))?);
        *self.sealing.borrow_mut() = Some(Rc::clone(&key));
        Ok(key)
    }

    /// Drops the cached key (after the vault said it does not know it: it was rotated).
    pub(crate) fn forget_key(&self) {
        self.sealing.borrow_mut().take();
    }

    /// Posts an envelope and returns the vault's `201` body.
    pub(crate) async fn tokenize(&self, envelope: &str) -> Result<JsValue, Failure> {
        let init = RequestInit::new();
        init.set_method("POST");
        let mut bearer = String::with_capacity(7 + self.key.len());
        bearer.push_str("Bearer ");
        bearer.push_str(&self.key);
        init.set_headers(&object(&[
            ("Authorization", bearer.into()),
            ("Content-Type", "application/jose".into()),
        ]));
        init.set_body(&envelope.into());
        let (ok, body) = fetch(TOKENS_PATH, &init).await?;
        if ok {
            Ok(body)
        } else {
            Err(vault_error(&body))
        }
    }
}

/// Fetches `path` from the field's origin: whether the status was 2xx, and the JSON body
/// (`null` when there is none).
async fn fetch(path: &str, init: &RequestInit) -> Result<(bool, JsValue), Failure> {
    let window = web_sys::window().ok_or_else(|| Failure::code("internal"))?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(path, init))
        .await
        .ok()
        .and_then(|response| response.dyn_into().ok())
        .ok_or_else(|| Failure::code("network_error"))?;
    let body = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    let ok = response.ok();
    if !ok && response.status() == 429 && !body.is_object() {
        return Err(Failure::code("rate_limited"));
    }
    Ok((ok, body))
}

fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The first usable key of a JWKS: RSA, for `RSA-OAEP-256` encryption where it says so.
fn active_key(jwks: &JsValue) -> Option<SealingKey> {
    let keys = get(jwks, "keys");
    if !Array::is_array(&keys) {
        return None;
    }
    Array::from(&keys).iter().find_map(|jwk| {
        let member = |name| get(&jwk, name).as_string();
        let fits = |name, wanted: &str| member(name).is_none_or(|value| value == wanted);
        if member("kty").as_deref() != Some("RSA") || !fits("alg", ALG) || !fits("use", "enc") {
            return None;
        }
        SealingKey::from_jwk(&member("n")?, &member("e")?).ok()
    })
}

/// The vault's error body `{"error":{"code","message","field"?}}` as a failure.
fn vault_error(body: &JsValue) -> Failure {
    let error = get(body, "error");
    let text = |name| get(&error, name).as_string();
    Failure {
        code: text("code")
            .filter(|code| i18n::is_key(code))
            .unwrap_or_else(|| "internal".to_owned()),
        message: text("message"),
        field: text("field")
            .filter(|field| matches!(field.as_str(), "number" | "exp" | "cvc" | "name")),
    }
}

/// The reply members of a tokenize from the vault's `201` body: the token and the card's
/// metadata (`brand`, `last4`, `exp_month`, `exp_year`), nothing else.
pub(crate) fn token_reply(body: &JsValue) -> Result<[(&'static str, JsValue); 2], Failure> {
    let token = get(body, "token");
    let card = get(body, "card");
    if !token.is_string() || !card.is_object() {
        return Err(Failure::code("internal"));
    }
    let meta = object(&[
        ("brand", get(&card, "brand")),
        ("last4", get(&card, "last4")),
        ("exp_month", get(&card, "exp_month")),
        ("exp_year", get(&card, "exp_year")),
    ]);
    Ok([("token", token), ("card", meta.into())])
}
