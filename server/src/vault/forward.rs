//! Forwarding (CONTRACT.md §2, `POST /v1/forward`): the vault fills the merchant's request with
//! the card and sends it to one of the merchant's receivers; the merchant gets the receiver's
//! answer with what was sent (number, CVC, name) and card numbers masked (see
//! [`crate::forward::mask`]), and never the card.
//!
//! The order of the steps is deliberate. Everything that can be checked without the card is
//! checked first (method, path, placeholders, token, receiver, its URL), then the vault connects
//! to the receiver (resolving and checking every address, see [`crate::forward::address`]), and
//! only once a connection is open does it take the CVC (if the template asks for it) and open
//! the card. So a forward refused or unable to connect leaves the CVC in place, and a forward
//! that got as far as sending has used it, whatever the receiver answered (or failed to): a
//! request that may have reached the processor cannot be safely repeated with the same CVC.
//!
//! The filled body and header values live in zeroizing buffers on the vault's side (hyper and
//! the `HeaderValue`s keep their own copies until sent); nothing of the request or the answer is
//! logged or traced, and the audit entry names the merchant, the token, the receiver, the
//! receiver's status and the duration, never a header or a body.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use cardvault::card::{CardNumber, Name};
use hyper::Method;
use hyper::header::{self, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::forward::address::ReceiverUrl;
use crate::forward::client::{Outbound, OutboundError};
use crate::forward::mask::{Sent, body_text, mask, mask_bytes, mask_headers};
use crate::forward::template::{Escape, Placeholder, Template, check_path};
use crate::keys::record_aad;
use crate::store::MerchantRecord;

use super::error::internal;
use super::receivers::valid_name;
use super::tokens::token_shaped;
use super::{AuditContext, Credentials, Error, RequestContext, Vault, now_unix};

/// The most headers a forward may carry.
pub const MAX_HEADERS: usize = 64;

/// What the merchant asks for. `Debug` shows the token, receiver and method only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardRequest {
    /// `tok_…`, owned by the merchant.
    pub token: String,
    /// One of the merchant's receivers, by name.
    pub receiver: String,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// Relative to the receiver's base URL; no placeholder.
    pub path: String,
    /// Header values may hold placeholders.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// May hold placeholders.
    #[serde(default)]
    pub body: String,
}

impl fmt::Debug for ForwardRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardRequest")
            .field("receiver", &self.receiver)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// The receiver's answer, masked.
#[derive(Debug, Serialize)]
pub struct ForwardReply {
    /// The receiver's status code.
    pub status: u16,
    /// Its headers (hop-by-hop and cookies dropped; repeated ones joined with `, `), masked.
    pub headers: BTreeMap<String, String>,
    /// Its body as text (invalid UTF-8 replaced), masked.
    pub body: String,
}

/// What a forward did, for the HTTP layer's answer and metrics.
#[derive(Debug)]
pub struct Forwarded {
    /// The answer, or why there is none.
    pub reply: Result<ForwardReply, Error>,
    /// The receiver's name, once it was found (a metrics label).
    pub receiver: Option<String>,
    /// How long the receiver took (connection included), when it was contacted.
    pub upstream: Option<Duration>,
    /// Whether the token was found (only then does the audit entry name it).
    token_found: bool,
}

/// The card as stored: number and name (see `tokens.rs`).
#[derive(Deserialize)]
struct StoredCard<'a> {
    #[serde(borrow)]
    number: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

/// The merchant's request, checked, before the card.
struct Checked<'a> {
    method: Method,
    headers: Vec<(HeaderName, Template<'a>)>,
    body: Template<'a>,
    escape: Escape,
}

impl Checked<'_> {
    fn uses(&self, placeholder: Placeholder) -> bool {
        self.body.uses(placeholder) || self.headers.iter().any(|(_, t)| t.uses(placeholder))
    }
}

fn check(request: &ForwardRequest) -> Result<Checked<'_>, Error> {
    let method = match request.method.as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        _ => return Err(Error::InvalidRequest),
    };
    check_path(&request.path).map_err(|_| Error::InvalidRequest)?;
    if request.headers.len() > MAX_HEADERS {
        return Err(Error::InvalidRequest);
    }
    let mut headers: Vec<(HeaderName, Template<'_>)> = Vec::with_capacity(request.headers.len());
    let mut escape = Escape::None;
    for (name, value) in &request.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::InvalidRequest)?;
        // `Content-Type` and `content-type` are one header: which would the receiver read?
        if headers.iter().any(|(seen, _)| *seen == name) {
            return Err(Error::InvalidRequest);
        }
        if name == hyper::header::CONTENT_TYPE {
            let essence = value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if essence == "application/json" || essence.ends_with("+json") {
                escape = Escape::Json;
            } else if essence == "application/x-www-form-urlencoded" {
                escape = Escape::Form;
            }
        }
        // Checked as it is, before the CVC is taken: the values filled in (digits, a brand id;
        // never a name, see `check_escape`) cannot make a valid header value invalid.
        HeaderValue::from_str(value).map_err(|_| Error::InvalidRequest)?;
        let template = Template::parse(value).map_err(|_| Error::InvalidRequest)?;
        template
            .check_escape(Escape::None)
            .map_err(|_| Error::InvalidRequest)?;
        headers.push((name, template));
    }
    let body = Template::parse(&request.body).map_err(|_| Error::InvalidRequest)?;
    // Numbers, dates and brand ids are safe anywhere; a name only where it is escaped.
    body.check_escape(escape)
        .map_err(|_| Error::InvalidRequest)?;
    Ok(Checked {
        method,
        headers,
        body,
        escape,
    })
}

fn outbound_error(e: OutboundError) -> Error {
    match e {
        OutboundError::NotAllowed => Error::ReceiverNotAllowed,
        OutboundError::Failed => Error::UpstreamError,
        OutboundError::TooLarge => Error::UpstreamTooLarge,
        OutboundError::Timeout => Error::UpstreamTimeout,
    }
}

impl Vault {
    /// Forwards `forward` (or refuses with why there is none) for the merchant whose secret key
    /// `credentials` holds, audited (`forward`) whatever the outcome.
    pub async fn forward(
        &self,
        request: &RequestContext,
        credentials: &Credentials,
        forward: Result<ForwardRequest, Error>,
    ) -> Forwarded {
        let refused = |e| Forwarded {
            reply: Err(e),
            receiver: None,
            upstream: None,
            token_found: false,
        };
        let caller = match self.authenticate(credentials) {
            Ok(caller) => caller,
            Err(e) => {
                let who = AuditContext::of(request);
                return refused(self.refuse(&who, request, "forward", e).await);
            }
        };
        let who = caller.audit(request);
        match caller.require_secret().and(forward) {
            Ok(forward) => self.forward_as(&caller.merchant, &forward, &who).await,
            Err(e) => refused(self.refuse(&who, request, "forward", e).await),
        }
    }

    async fn forward_as(
        &self,
        merchant: &MerchantRecord,
        request: &ForwardRequest,
        audit: &AuditContext,
    ) -> Forwarded {
        let started = Instant::now();
        let mut forwarded = Forwarded {
            reply: Err(Error::Internal),
            receiver: None,
            upstream: None,
            token_found: false,
        };
        forwarded.reply = self
            .forward_inner(merchant, request, audit, &mut forwarded)
            .await;
        let outcome = match &forwarded.reply {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        // Only a token the merchant has: a token-shaped id can hold 32 digits of its choosing.
        let token = forwarded.token_found.then_some(request.token.as_str());
        let mut event = audit.event("forward", token, outcome);
        // The name the merchant sent is written only once it named one of its receivers: an
        // unknown "name" could be anything, a card number pasted by mistake included.
        let receiver = forwarded.receiver.as_deref().unwrap_or("(unknown)");
        let mut detail = format!("receiver={receiver}");
        if let Ok(reply) = &forwarded.reply {
            detail.push_str(&format!(" status={}", reply.status));
        }
        detail.push_str(&format!(" duration_ms={}", started.elapsed().as_millis()));
        event.detail = Some(detail);
        self.append_audit(vec![event]).await;
        forwarded
    }

    async fn forward_inner(
        &self,
        merchant: &MerchantRecord,
        request: &ForwardRequest,
        audit: &AuditContext,
        forwarded: &mut Forwarded,
    ) -> Result<ForwardReply, Error> {
        let checked = check(request)?;
        if !token_shaped(&request.token) || !valid_name(&request.receiver) {
            return Err(Error::NotFound);
        }
        let record = self
            .store
            .token(&merchant.id, &request.token)
            .map_err(internal("reading a token failed"))?
            .filter(|record| !record.is_expired(now_unix()))
            .ok_or(Error::NotFound)?;
        forwarded.token_found = true;
        let receiver = self
            .store
            .receiver(&merchant.id, &request.receiver)
            .map_err(internal("reading a receiver failed"))?
            .ok_or(Error::NotFound)?;
        forwarded.receiver = Some(receiver.name.clone());
        let url = ReceiverUrl::parse(&receiver.url).map_err(|_| Error::ReceiverNotAllowed)?;

        let contacted = Instant::now();
        let result = async {
            let connection = self.forwarder.connect(&url).await.map_err(outbound_error)?;

            // Connected: now, and only now, the CVC (used by this forward, whatever follows).
            let key = self
                .data_key(record.data_key_version)
                .await
                .ok_or_else(|| {
                    tracing::error!(
                        version = record.data_key_version,
                        "no data key for a stored card"
                    );
                    Error::Internal
                })?;
            // The CVC is used up by the first forward (CONTRACT.md §2), whether or not this
            // one sends it: it never outlives the first use of the card. In the same
            // transaction the log says the card is about to leave (`forward_start`): if that
            // cannot be written, nothing is sent. The forward's outcome follows in `forward`.
            let mut start = audit.event("forward_start", Some(&record.token), "ok");
            start.detail = Some(format!("receiver={}", receiver.name));
            let taken = self
                .store
                .begin_forward(&merchant.id, &record.token, now_unix(), start)
                .await
                .map_err(internal("taking a CVC failed"))?;
            let cvc = if checked.uses(Placeholder::Cvc) {
                let sealed = taken.ok_or(Error::CvcUnavailable)?;
                let aad = record_aad("cvc", &merchant.id, &record.token, record.data_key_version);
                Some(
                    key.open(&aad, &sealed)
                        .map_err(internal("opening a CVC failed"))?,
                )
            } else {
                None
            };
            let cvc_bytes = cvc;
            let cvc = match &cvc_bytes {
                Some(bytes) => {
                    Some(std::str::from_utf8(bytes).map_err(internal("a stored CVC is not text"))?)
                }
                None => None,
            };
            let plain = if checked.uses(Placeholder::Number) || checked.uses(Placeholder::Name) {
                let aad = record_aad("card", &merchant.id, &record.token, record.data_key_version);
                Some(
                    key.open(&aad, &record.card)
                        .map_err(internal("opening a card failed"))?,
                )
            } else {
                None
            };
            let (number, name) = match &plain {
                Some(plain) => {
                    let stored: StoredCard<'_> = serde_json::from_slice(plain)
                        .map_err(|_| internal("a stored card does not parse")("json"))?;
                    let number = CardNumber::parse(&stored.number)
                        .map_err(|_| internal("a stored card number is invalid")("number"))?;
                    let name = match stored.name.as_deref() {
                        Some(n) => Name::parse(n)
                            .map_err(|_| internal("a stored name is invalid")("name"))?,
                        None => None,
                    };
                    // `Cow::Owned` copies (escaped JSON) are not zeroized: names only, rarely.
                    (Some(number), name)
                }
                None => (None, None),
            };
            let exp_month = record.exp_month.to_string();
            let exp_year = record.exp_year.to_string();
            let value = |p: Placeholder| -> Option<&str> {
                match p {
                    Placeholder::Number => number.as_ref().map(CardNumber::expose),
                    Placeholder::Cvc => cvc,
                    Placeholder::ExpMonth => Some(&exp_month),
                    Placeholder::ExpYear => Some(&exp_year),
                    Placeholder::Name => Some(name.as_ref().map_or("", Name::expose)),
                    Placeholder::Last4 => Some(&record.last4),
                    Placeholder::Brand => Some(&record.brand),
                }
            };
            let fill_error = |p: Placeholder| match p {
                Placeholder::Cvc => Error::CvcUnavailable,
                _ => Error::Internal,
            };
            let mut headers = Vec::with_capacity(checked.headers.len());
            for (name, template) in &checked.headers {
                let filled = template.fill(value, Escape::None).map_err(fill_error)?;
                let mut value =
                    HeaderValue::from_bytes(&filled).map_err(|_| Error::InvalidRequest)?;
                value.set_sensitive(true);
                headers.push((name.clone(), value));
            }
            let body = checked
                .body
                .fill(value, checked.escape)
                .map_err(fill_error)?;
            drop(plain);
            let outbound = Outbound {
                method: checked.method.clone(),
                path: request.path.clone(),
                headers,
                body,
            };
            let inbound = connection.send(outbound).await.map_err(outbound_error)?;
            // The name only if this forward sent it.
            let name = name.filter(|_| checked.uses(Placeholder::Name));
            Ok((inbound, number, cvc_bytes, name))
        }
        .await;
        forwarded.upstream = Some(contacted.elapsed());
        // What this forward sent, masked wherever the answer shows it, however written: the
        // card's number when it opened the card (to send the number or the name), the CVC and
        // the name when it sent them.
        let (inbound, number, cvc, name) = result?;
        // Masking reads the whole answer (up to the cap) several times: on the blocking pool,
        // not on an async worker.
        tokio::task::spawn_blocking(move || {
            let sent = Sent {
                number: number.as_ref().map(CardNumber::expose),
                cvc: cvc.as_deref().and_then(|c| std::str::from_utf8(c).ok()),
                name: name.as_ref().map(Name::expose),
            };
            let headers = mask_headers(
                &sent,
                inbound
                    .headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
            );
            let content_type = inbound
                .headers
                .iter()
                .find(|(name, _)| name == header::CONTENT_TYPE)
                .and_then(|(_, value)| value.to_str().ok());
            let raw = mask_bytes(&sent, &inbound.body);
            let mut body = body_text(content_type, &raw);
            mask(&sent, &mut body);
            ForwardReply {
                status: inbound.status,
                headers,
                body,
            }
        })
        .await
        .map_err(internal("masking an answer failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, headers: &[(&str, &str)], body: &str) -> ForwardRequest {
        ForwardRequest {
            token: format!("tok_{}", "a".repeat(32)),
            receiver: "processor".into(),
            method: "POST".into(),
            path: path.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
        }
    }

    #[test]
    fn requests_are_checked_before_the_card() {
        let ok = request(
            "/v1/charges",
            &[
                ("Content-Type", "application/json"),
                ("X-Pan", "{{card.number}}"),
            ],
            r#"{"cvc":"{{card.cvc}}"}"#,
        );
        let checked = check(&ok).unwrap();
        assert_eq!(checked.escape, Escape::Json);
        assert!(checked.uses(Placeholder::Cvc) && checked.uses(Placeholder::Number));
        assert!(!checked.uses(Placeholder::Name));
        let form = request(
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            "",
        );
        assert_eq!(check(&form).unwrap().escape, Escape::Form);
        assert_eq!(
            check(&request(
                "/",
                &[("content-type", "application/vnd.api+json")],
                ""
            ))
            .unwrap()
            .escape,
            Escape::Json
        );

        for bad in [
            request("/v1/{{card.number}}", &[], ""),
            request("//evil.example", &[], ""),
            request("/", &[("bad name", "x")], ""),
            request("/", &[("x-split", "a\r\nHost: evil.example")], ""),
            // The name in a body of no known type or in a header, or twice the same header.
            request("/", &[], "name={{card.name}}"),
            request("/", &[("x-name", "{{card.name}}")], ""),
            request(
                "/",
                &[
                    ("content-type", "application/json"),
                    ("x-name", "{{ card.name }}"),
                ],
                r#"{"name":"{{card.name}}"}"#,
            ),
            request("/", &[("content-type", "text/plain")], "{{card.name}}"),
            request("/", &[("Content-Type", "a/b"), ("content-type", "c/d")], ""),
            request("/", &[("x-nul", "{{card.last4}}\u{0}")], ""),
            request("/", &[("x", "{{card.pan}}")], ""),
            request("/", &[], "{{card.cvv}}"),
            ForwardRequest {
                method: "CONNECT".into(),
                ..request("/", &[], "")
            },
            ForwardRequest {
                method: "post".into(),
                ..request("/", &[], "")
            },
        ] {
            assert_eq!(check(&bad).err(), Some(Error::InvalidRequest));
        }
        let many: Vec<(String, String)> = (0..=MAX_HEADERS)
            .map(|i| (format!("x-{i}"), "v".into()))
            .collect();
        let many_ref: Vec<(&str, &str)> =
            many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            check(&request("/", &many_ref, "")).err(),
            Some(Error::InvalidRequest)
        );
    }

    #[test]
    fn debug_shows_no_headers_or_body() {
        let r = request(
            "/secret-path",
            &[("authorization", "Bearer sk_processor")],
            "secret body",
        );
        let shown = format!("{r:?}");
        assert!(!shown.contains("sk_processor") && !shown.contains("secret body"));
    }
}
