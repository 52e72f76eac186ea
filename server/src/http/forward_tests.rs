//! `POST /v1/forward` through `oneshot`, against a fake processor on loopback that records what
//! it received.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request as AxumRequest;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cardvault::card::Card;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::super::test_harness::{Harness, PAN, Setup, code, exp_year, sealed_long_ago};
use crate::forward::client::{self, Client};
use crate::store::ReceiverRecord;
use crate::vault::{Config, add_receiver, now_unix};

const CVC: &str = "737";

/// What the fake processor received.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Processor {
    seen: Arc<Mutex<Vec<Received>>>,
}

impl Processor {
    fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

/// Answers by path: `/echo…` echoes the body and the number it found, `/formats` and `/utf16`
/// write that number back split into groups and as JSON escapes (`/utf16` in UTF-16), `/mirror`
/// writes the number, the CVC and the name back in every form it can (see [`mirror`]), `/large` sends 2 MiB,
/// `/slow` never answers, `/gzip` claims a compressed body, `/redirect` points elsewhere.
async fn processor_handler(processor: Processor, req: AxumRequest) -> Response {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body).into_owned();
    let path = parts
        .uri
        .path_and_query()
        .map_or("", |p| p.as_str())
        .to_owned();
    processor.seen.lock().unwrap().push(Received {
        method: parts.method.to_string(),
        path: path.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    if path.starts_with("/large") {
        return "9".repeat(2 * 1024 * 1024).into_response();
    }
    if path.starts_with("/slow") {
        // Never answers: the vault's timeout, not a race against a sleep, ends the request.
        return std::future::pending::<Response>().await;
    }
    if path.starts_with("/gzip") {
        return ([(header::CONTENT_ENCODING, "gzip")], "not really gzip").into_response();
    }
    if path.starts_with("/redirect") {
        return (
            StatusCode::FOUND,
            [(header::LOCATION, "http://127.0.0.1:9/elsewhere")],
            "",
        )
            .into_response();
    }
    let number = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["card"]["number"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if path.starts_with("/mirror") {
        return mirror(&body);
    }
    if path.starts_with("/formats") || path.starts_with("/utf16") {
        // The number as a processor might write it back: in groups, and as JSON escapes.
        let grouped = number
            .as_bytes()
            .chunks(4)
            .map(|group| std::str::from_utf8(group).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        let escaped: String = number
            .chars()
            .map(|c| format!("\\u{:04x}", u32::from(c)))
            .collect();
        let text = format!(r#"{{"grouped":"{grouped}","escaped":"{escaped}"}}"#);
        let (charset, body) = if path.starts_with("/utf16") {
            let bytes = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            ("utf-16le", bytes)
        } else {
            ("utf-8", text.into_bytes())
        };
        let content_type = format!("application/json; charset={charset}");
        let echo = header::HeaderName::from_static("x-echo");
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, content_type), (echo, grouped)],
            body,
        )
            .into_response();
    }
    (
        StatusCode::CREATED,
        [
            (header::SET_COOKIE, "session=abc".to_owned()),
            (header::HeaderName::from_static("x-echo"), number.clone()),
        ],
        axum::Json(json!({"id": "ch_1", "status": "approved", "card": {"number": number}, "ref": "4242424242420110"})),
    )
        .into_response()
}

/// Each form a receiver can trivially write `value` in: base64 (standard and URL-safe, padded or
/// not, at each alignment inside a longer text), hex (both cases), percent escapes and HTML
/// character references (decimal and hex).
fn encoded_forms(value: &str) -> Vec<String> {
    use base64ct::{Base64, Base64UrlUnpadded, Encoding};
    let bytes = value.as_bytes();
    let mut forms = Vec::new();
    for before in ["", "a", "ab"] {
        let whole = [before.as_bytes(), bytes, b"!"].concat();
        forms.push(Base64::encode_string(&whole));
        forms.push(Base64UrlUnpadded::encode_string(&whole));
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    forms.push(hex.to_uppercase());
    forms.push(hex);
    forms.push(bytes.iter().map(|b| format!("%{b:02X}")).collect());
    forms.push(bytes.iter().map(|b| format!("&#{b};")).collect());
    forms.push(bytes.iter().map(|b| format!("&#x{b:x};")).collect());
    forms
}

/// The card the forward sent (number, CVC and name, read from its JSON body) written back as
/// a receiver that echoes might: the body echoed, each value in every form of
/// [`encoded_forms`], the number in a header's name and split across two headers of one name,
/// the CVC and the name in headers.
fn mirror(body: &str) -> Response {
    let card = serde_json::from_str::<Value>(body).unwrap()["card"].clone();
    let values = ["number", "cvc", "name"].map(|field| card[field].as_str().unwrap().to_owned());
    let [number, cvc, name] = &values;
    let forms: Vec<Vec<String>> = values.iter().map(|v| encoded_forms(v)).collect();
    let mut headers = HeaderMap::new();
    let named = |n: &str| header::HeaderName::from_bytes(n.as_bytes()).unwrap();
    let value = |v: &str| header::HeaderValue::from_str(v).unwrap();
    headers.insert(named(&format!("x-{number}")), value("seen"));
    headers.append(named("x-split"), value(&number[..8]));
    headers.append(named("x-split"), value(&number[8..]));
    headers.insert(named("x-cvc"), value(cvc));
    headers.insert(named("x-name"), value(name));
    headers.insert(named("x-number-b64"), value(&forms[0][0]));
    headers.insert(named(&format!("x-cvc-{cvc}")), value(&forms[1][0]));
    headers.insert(header::CONTENT_TYPE, value("application/json"));
    let reply = json!({"request": body, "cvc": cvc, "name": name, "forms": forms});
    (StatusCode::OK, headers, reply.to_string()).into_response()
}

async fn start_processor() -> (SocketAddr, Processor) {
    let processor = Processor::default();
    let app = {
        let processor = processor.clone();
        Router::new().fallback(move |req: AxumRequest| processor_handler(processor.clone(), req))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, processor)
}

fn harness(dev: bool, limits: client::Limits) -> Harness {
    harness_with(dev, limits, None)
}

fn harness_with(dev: bool, limits: client::Limits, forwarder: Option<Client>) -> Harness {
    Harness::new(Setup {
        config: Config {
            dev,
            forward_limits: limits,
            ..Config::default()
        },
        forwarder,
        ..Setup::default()
    })
}

fn dev_harness() -> Harness {
    harness(true, client::Limits::default())
}

/// A `--dev` vault whose shop has receiver `processor`: the fake processor, at `base_path`.
async fn with_processor(base_path: &str) -> (Harness, SocketAddr, Processor) {
    let h = dev_harness();
    let (addr, processor) = start_processor().await;
    add_receiver(
        h.vault.store(),
        &h.shop.id,
        "processor",
        &format!("http://{addr}{base_path}"),
    )
    .unwrap();
    (h, addr, processor)
}

impl Harness {
    async fn tokenize(&self, cvc: Option<&str>) -> String {
        let card = Card::new(
            PAN,
            3,
            exp_year(),
            cvc,
            Some("Ada \"Countess\" Lovelace"),
            sealed_long_ago(),
        )
        .unwrap();
        let envelope = self
            .sealing
            .seal(&card, &self.shop.pk, now_unix() as u64)
            .unwrap();
        let req = Request::post("/v1/tokens")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.shop.sk))
            .header(header::CONTENT_TYPE, "application/jose")
            .body(Body::from(envelope))
            .unwrap();
        let (status, _, json) = self.send(req).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json["token"].as_str().unwrap().to_owned()
    }

    fn receiver(&self, merchant: &str, name: &str, url: &str) {
        // Straight into the store: some of these URLs `receiver add` would refuse.
        let record = ReceiverRecord {
            merchant_id: merchant.to_owned(),
            name: name.to_owned(),
            url: url.to_owned(),
            created_at: now_unix(),
        };
        let event = crate::vault::AuditContext::default().event("receiver_add", None, "ok");
        self.vault.store().insert_receiver(record, event).unwrap();
    }

    async fn forward(&self, key: &str, body: Value) -> (StatusCode, Value) {
        let req = Request::post("/v1/forward")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, json) = self.send(req).await;
        (status, json)
    }

    fn cvc_stored(&self, token: &str) -> bool {
        self.vault
            .store()
            .token(&self.shop.id, token)
            .unwrap()
            .unwrap()
            .cvc
            .is_some()
    }
}

fn charge(token: &str, receiver: &str, path: &str, with_cvc: bool) -> Value {
    let cvc = if with_cvc {
        r#","cvc":"{{card.cvc}}""#
    } else {
        ""
    };
    json!({
        "token": token,
        "receiver": receiver,
        "method": "POST",
        "path": path,
        "headers": {
            "Content-Type": "application/json",
            "Authorization": "Bearer processor-key",
            "X-Card-Last4": "{{card.last4}}",
            "Cookie": "merchant=1",
            "Connection": "upgrade",
        },
        "body": format!(
            r#"{{"amount":4850,"card":{{"number":"{{{{card.number}}}}","exp_month":{{{{card.exp_month}}}},"exp_year":{{{{card.exp_year}}}},"name":"{{{{card.name}}}}","brand":"{{{{card.brand}}}}"{cvc}}}}}"#
        ),
    })
}

#[tokio::test]
async fn the_number_sent_is_masked_however_the_receiver_writes_it() {
    let (h, _, _processor) = with_processor("/").await;
    for path in ["/formats", "/utf16"] {
        let token = h.tokenize(None).await;
        let (status, reply) = h
            .forward(&h.shop.sk, charge(&token, "processor", path, false))
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {reply}");
        // UTF-16 is read as such: the merchant gets the same text.
        assert_eq!(
            reply["body"],
            r#"{"grouped":"**** **** **** 4242","escaped":"************\u0034\u0032\u0034\u0032"}"#,
            "{path}"
        );
        assert_eq!(reply["headers"]["x-echo"], "**** **** **** 4242", "{path}");
    }
}

#[tokio::test]
async fn the_card_reaches_the_processor_and_the_answer_is_masked() {
    let (h, addr, processor) = with_processor("/api/").await;
    let token = h.tokenize(Some(CVC)).await;
    assert!(h.cvc_stored(&token));

    let (status, reply) = h
        .forward(
            &h.shop.sk,
            charge(&token, "processor", "/echo/charges?x=1", true),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");

    // What the processor got: the card, filled in, at the base path joined with the path.
    let seen = processor.seen();
    assert_eq!(seen.len(), 1);
    let got = &seen[0];
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/api/echo/charges?x=1");
    let body: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["card"]["number"], PAN, "{}", got.body);
    assert_eq!(body["card"]["exp_month"], 3);
    assert_eq!(body["card"]["exp_year"], exp_year());
    assert_eq!(body["card"]["cvc"], CVC);
    assert_eq!(body["card"]["brand"], "visa");
    // The name is JSON-escaped in a JSON body.
    assert_eq!(body["card"]["name"], "Ada \"Countess\" Lovelace");
    assert_eq!(got.headers["x-card-last4"], "4242");
    assert_eq!(got.headers["authorization"], "Bearer processor-key");
    assert_eq!(got.headers["host"], addr.to_string());
    assert_eq!(got.headers["accept-encoding"], "identity");
    assert!(got.headers.get("cookie").is_none());
    assert!(
        got.headers
            .get("connection")
            .is_none_or(|v| !v.to_str().unwrap().contains("upgrade"))
    );

    // What the merchant gets: the processor's answer, number masked, cookies dropped.
    assert_eq!(reply["status"], 201);
    let body = reply["body"].as_str().unwrap();
    assert!(!body.contains(PAN), "{body}");
    let answer: Value = serde_json::from_str(body).unwrap();
    assert_eq!(answer["card"]["number"], "************4242");
    assert_eq!(
        answer["ref"], "4242424242420110",
        "a non-Luhn run is left alone"
    );
    assert_eq!(reply["headers"]["x-echo"], "************4242");
    assert!(reply["headers"].get("set-cookie").is_none(), "{reply}");
    assert!(!reply.to_string().contains(PAN));

    // The CVC went with that forward.
    assert!(!h.cvc_stored(&token));

    // Audited without the card, the body or the headers.
    let entries = h.vault.store().audit_entries().unwrap();
    let forward = entries
        .iter()
        .rev()
        .find(|e| e.event.action == "forward")
        .unwrap();
    assert_eq!(forward.event.outcome, "ok");
    assert_eq!(forward.event.token.as_deref(), Some(token.as_str()));
    assert_eq!(
        forward.event.merchant_id.as_deref(),
        Some(h.shop.id.as_str())
    );
    let detail = forward.event.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("receiver=processor status=201 duration_ms="),
        "{detail}"
    );
    // Before it, written with the CVC's taking: the card was about to leave.
    let start = entries
        .iter()
        .rev()
        .find(|e| e.event.action == "forward_start")
        .unwrap();
    assert!(start.seq < forward.seq);
    assert_eq!(start.event.token.as_deref(), Some(token.as_str()));
    assert_eq!(start.event.request_id, forward.event.request_id);
    assert_eq!(start.event.detail.as_deref(), Some("receiver=processor"));
    let all = format!("{entries:?}");
    assert!(!all.contains(PAN) && !all.contains("processor-key"));
    // A three-digit CVC can turn up by chance in the random request ids, tokens, hashes and
    // times, so it is looked for where text could carry it: each forward entry's action,
    // outcome and detail (the duration aside).
    for entry in entries.iter().filter(|e| e.event.action == "forward") {
        let event = &entry.event;
        let detail = event.detail.as_deref().unwrap_or_default();
        let detail = detail.split(" duration_ms=").next().unwrap_or_default();
        for text in [event.action.as_str(), event.outcome.as_str(), detail] {
            assert!(!text.contains(CVC), "{text}");
        }
    }

    // Metrics.
    let req = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = h.metrics.clone().oneshot(req).await.unwrap();
    let text = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.contains(r#"cardvault_forwards_total{receiver="processor",outcome="ok"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(
            "cardvault_forward_upstream_duration_seconds_count{receiver=\"processor\"} 1"
        )
    );
}

#[tokio::test]
async fn the_cvc_serves_one_forward() {
    let h = dev_harness();
    let (addr, processor) = start_processor().await;
    h.receiver(&h.shop.id, "processor", &format!("http://{addr}"));
    // Nothing listens there: the forward fails before sending, and leaves the CVC.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    h.receiver(&h.shop.id, "down", &format!("http://{dead_addr}"));
    let token = h.tokenize(Some(CVC)).await;

    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "down", "/echo", true))
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{json}");
    assert_eq!(code(&json), "upstream_error");
    assert!(
        h.cvc_stored(&token),
        "a forward that never connected keeps the CVC"
    );

    // The first forward that reaches the receiver uses the CVC up (CONTRACT.md §2).
    let (status, _) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/echo", true))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.cvc_stored(&token));
    assert_eq!(processor.seen().len(), 1);
    assert!(processor.seen()[0].body.contains(CVC));

    // The second forward asking for it: 409, and nothing is sent.
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/echo", true))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    assert_eq!(code(&json), "cvc_unavailable");
    assert_eq!(processor.seen().len(), 1);
    // Without it, the token still forwards.
    let (status, _) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/echo", false))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!processor.seen()[1].body.contains("cvc"));

    // A first forward without {{card.cvc}} uses it up too: it never outlives the first use.
    let other = h.tokenize(Some(CVC)).await;
    let (status, _) = h
        .forward(&h.shop.sk, charge(&other, "processor", "/echo", false))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.cvc_stored(&other));
    let (status, json) = h
        .forward(&h.shop.sk, charge(&other, "processor", "/echo", true))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::CONFLICT, "cvc_unavailable")
    );

    // A token tokenized without a CVC has none to give.
    let no_cvc = h.tokenize(None).await;
    let (status, json) = h
        .forward(&h.shop.sk, charge(&no_cvc, "processor", "/echo", true))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::CONFLICT, "cvc_unavailable")
    );
}

#[tokio::test]
async fn who_may_forward_and_what() {
    let h = dev_harness();
    let (addr, processor) = start_processor().await;
    h.receiver(&h.shop.id, "processor", &format!("http://{addr}"));
    h.receiver(&h.other.id, "processor", &format!("http://{addr}"));
    let token = h.tokenize(Some(CVC)).await;
    let ok = charge(&token, "processor", "/echo", true);

    // The publishable key cannot forward.
    let (status, json) = h.forward(&h.shop.pk, ok.clone()).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    // Another merchant's secret key: its own receiver of that name, but not our token.
    let (status, json) = h.forward(&h.other.sk, ok.clone()).await;
    assert_eq!((status, code(&json)), (StatusCode::NOT_FOUND, "not_found"));
    // No key.
    let req = Request::post("/v1/forward")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(ok.to_string()))
        .unwrap();
    assert_eq!(h.send(req).await.0, StatusCode::UNAUTHORIZED);
    // An unknown receiver, an unknown token.
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "nope", "/echo", true))
        .await;
    assert_eq!((status, code(&json)), (StatusCode::NOT_FOUND, "not_found"));
    let missing = format!("tok_{}", "0".repeat(32));
    let (status, _) = h
        .forward(&h.shop.sk, charge(&missing, "processor", "/echo", true))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A card number where the token goes is not found, and not written down.
    let (status, _) = h
        .forward(&h.shop.sk, charge(PAN, "processor", "/echo", true))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Placeholders in the path, unknown placeholders, paths that leave the receiver.
    for path in [
        "/charges/{{card.number}}",
        "/charges?cvc={{card.cvc}}",
        "//evil.example/x",
        "https://evil.example/x",
        "/../admin",
        "/@evil.example",
        "relative",
    ] {
        let (status, json) = h
            .forward(&h.shop.sk, charge(&token, "processor", path, true))
            .await;
        assert_eq!(
            (status, code(&json)),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{path}"
        );
    }
    let mut unknown = ok.clone();
    unknown["body"] = json!("{{card.pan}}");
    let (status, _) = h.forward(&h.shop.sk, unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut extra = ok.clone();
    extra["url"] = json!("https://evil.example");
    let (status, _) = h.forward(&h.shop.sk, extra).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let req = Request::post("/v1/forward")
        .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.sk))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(ok.to_string()))
        .unwrap();
    assert_eq!(h.send(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // None of it reached the processor, and the CVC is still there.
    assert!(processor.seen().is_empty());
    assert!(h.cvc_stored(&token));
    let entries = format!("{:?}", h.vault.store().audit_entries().unwrap());
    assert!(!entries.contains(PAN));
}

/// Names other than `localhost` that resolve only to loopback here (`/etc/hosts`), if any.
fn loopback_alias() -> Option<String> {
    use std::net::ToSocketAddrs;
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    [hostname.trim(), "vm", "runsc", "localhost.localdomain"]
        .into_iter()
        .filter(|n| !n.is_empty() && *n != "localhost")
        .find(|n| {
            (*n, 443u16).to_socket_addrs().is_ok_and(|addrs| {
                let addrs: Vec<_> = addrs.collect();
                !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
            })
        })
        .map(str::to_owned)
}

#[tokio::test]
async fn private_and_loopback_receivers_are_refused() {
    for dev in [false, true] {
        let h = harness(dev, client::Limits::default());
        let (addr, processor) = start_processor().await;
        let port = addr.port();
        let mut refused = vec![
            // IP literals are checked before any connection is tried.
            "http://10.0.0.1/".to_owned(),
            "https://10.0.0.1/".to_owned(),
            "https://169.254.169.254/".to_owned(),
            "https://[fd00::1]/".to_owned(),
            "https://[::ffff:127.0.0.1]:1/".to_owned(),
            "http://processor.example/".to_owned(),
        ];
        if !dev {
            // A loopback receiver outside --dev.
            refused.push(format!("http://{addr}/"));
            refused.push(format!("http://localhost:{port}/"));
            refused.push(format!("https://localhost:{port}/"));
        }
        if let Some(alias) = loopback_alias() {
            // Not a loopback receiver by its URL, but its name resolves to loopback.
            refused.push(format!("https://{alias}:{port}/"));
        } else {
            eprintln!("no loopback alias in /etc/hosts: the resolution check is not exercised");
        }
        for (i, url) in refused.iter().enumerate() {
            let name = format!("r{i}");
            h.receiver(&h.shop.id, &name, url);
            let token = h.tokenize(Some(CVC)).await;
            let (status, json) = h
                .forward(&h.shop.sk, charge(&token, &name, "/echo", true))
                .await;
            assert_eq!(
                (status, code(&json)),
                (StatusCode::FORBIDDEN, "receiver_not_allowed"),
                "{url} (dev: {dev})"
            );
            assert!(h.cvc_stored(&token), "{url}");
        }
        assert!(processor.seen().is_empty());
    }
}

#[tokio::test]
async fn unusable_answers() {
    let limits = client::Limits {
        total_timeout: Duration::from_millis(1500),
        ..client::Limits::default()
    };
    let h = harness(true, limits);
    let (addr, processor) = start_processor().await;
    h.receiver(&h.shop.id, "processor", &format!("http://{addr}"));
    let token = h.tokenize(None).await;

    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/large", false))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/gzip", false))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/slow", false))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
    );
    // A redirect is answered, not followed.
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/redirect", false))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["status"], 302);
    assert_eq!(json["headers"]["location"], "http://127.0.0.1:9/elsewhere");
    assert_eq!(processor.seen().len(), 4);

    let entries = h.vault.store().audit_entries().unwrap();
    let outcomes: Vec<&str> = entries
        .iter()
        .filter(|e| e.event.action == "forward")
        .map(|e| e.event.outcome.as_str())
        .collect();
    assert_eq!(
        outcomes,
        ["upstream_error", "upstream_error", "upstream_timeout", "ok"]
    );
}

#[tokio::test]
async fn https_receivers_are_verified() {
    use rcgen::{CertificateParams, Issuer, KeyPair};
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // A CA and a certificate for localhost, served on loopback.
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &Issuer::from_params(&ca_params, &ca_key))
        .unwrap();
    let processor = Processor::default();
    let app = {
        let processor = processor.clone();
        Router::new().fallback(move |req: AxumRequest| processor_handler(processor.clone(), req))
    };
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(
        leaf.pem().into_bytes(),
        leaf_key.serialize_pem().into_bytes(),
    )
    .await
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = axum_server::from_tcp_rustls(listener, config).unwrap();
    tokio::spawn(async move { server.serve(app.into_make_service()).await });

    let h = dev_harness();
    h.receiver(&h.shop.id, "tls", &format!("https://localhost:{port}/"));
    let token = h.tokenize(Some(CVC)).await;
    // The built-in roots do not know this CA: refused, and the CVC stays.
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "tls", "/echo", true))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    assert!(h.cvc_stored(&token));
    assert!(processor.seen().is_empty());

    // Trusting it, the forward goes through over TLS.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let forwarder = Client::new(roots, true, client::Limits::default()).unwrap();
    let h = harness_with(true, client::Limits::default(), Some(forwarder));
    h.receiver(&h.shop.id, "tls", &format!("https://localhost:{port}/"));
    let token = h.tokenize(Some(CVC)).await;
    let (status, json) = h
        .forward(&h.shop.sk, charge(&token, "tls", "/echo", true))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["status"], 201);
    let seen = processor.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].body.contains(PAN) && seen[0].body.contains(CVC));
}

/// The maximal runs of ASCII digits in `text`.
fn digit_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect()
}

#[tokio::test]
async fn nothing_the_forward_sent_comes_back_in_any_form() {
    use crate::forward::mask::tests::{base64_holds, hex_holds};
    let (h, _, processor) = with_processor("/").await;
    let token = h.tokenize(Some(CVC)).await;
    let (status, reply) = h
        .forward(&h.shop.sk, charge(&token, "processor", "/mirror", true))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["status"], 200);
    // The processor did get the card, and wrote it back.
    let sent = &processor.seen()[0];
    assert!(sent.body.contains(PAN) && sent.body.contains(CVC) && sent.body.contains("Lovelace"));
    let name = "Ada \"Countess\" Lovelace";

    // Everything the merchant gets, as text: the body, and each header's name and value.
    let mut texts = vec![reply["body"].as_str().unwrap().to_owned()];
    for (header, value) in reply["headers"].as_object().unwrap() {
        texts.push(header.clone());
        texts.push(value.as_str().unwrap().to_owned());
    }
    assert!(texts.len() > 10, "{reply}");
    for text in &texts {
        assert!(!text.contains(PAN), "{text}");
        assert!(!digit_runs(text).contains(&CVC), "{text}");
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("lovelace") && !lower.contains("countess"),
            "{text}"
        );
        for secret in [PAN, CVC, name] {
            assert!(!base64_holds(text, secret.as_bytes()), "{text}");
            assert!(!hex_holds(text, secret.as_bytes()), "{text}");
            for form in encoded_forms(secret) {
                assert!(!text.contains(&form), "{form} in {text}");
            }
        }
    }
    // The number keeps its last four where it was written as digits: in a header's name, and
    // across the two headers of one name, joined.
    let headers = &reply["headers"];
    assert_eq!(headers["x-************4242"], "seen", "{headers}");
    assert_eq!(headers["x-split"], "********, ****4242");
    assert_eq!(headers["x-cvc"], "***");
    assert_eq!(headers["x-name"], "*".repeat(name.len()));
    assert!(headers.get("x-cvc-***").is_some(), "{headers}");
    let body: Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["cvc"], "***");
    assert_eq!(body["name"], "*".repeat(name.len()));
}

#[tokio::test]
async fn the_name_is_refused_in_headers() {
    let (h, _, processor) = with_processor("/").await;
    let token = h.tokenize(Some(CVC)).await;
    let mut request = charge(&token, "processor", "/echo", true);
    request["headers"]["X-Cardholder"] = json!("{{card.name}}");
    let (status, json) = h.forward(&h.shop.sk, request).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_REQUEST, "invalid_request"),
        "{json}"
    );
    // Refused before anything: nothing sent, the CVC still there.
    assert!(processor.seen().is_empty());
    assert!(h.cvc_stored(&token));
}

/// An import (`cardvault import`) of `number` as `id`, as a blocking caller makes it.
async fn import(h: &Harness, id: &str, number: &str) -> crate::vault::Imported {
    let vault = Arc::clone(&h.vault);
    let (merchant, id, number) = (h.shop.id.clone(), id.to_owned(), number.to_owned());
    tokio::task::spawn_blocking(move || {
        let merchant = vault.import_merchant(&merchant).unwrap();
        let card = Card::new(
            &number,
            3,
            exp_year(),
            None,
            Some("Ada \"Countess\" Lovelace"),
            cardvault::card::YearMonth::now(),
        )
        .unwrap();
        let record = crate::vault::ImportRecord {
            number: 1,
            id,
            card,
        };
        let mut out = vault
            .import_batch(&merchant, &"ab".repeat(32), vec![record], &[])
            .unwrap();
        assert_eq!(out.len(), 1);
        out.remove(0)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_imported_token_is_stored_and_forwarded_like_a_tokenized_one() {
    use crate::vault::Imported;

    let (h, _, processor) = with_processor("/").await;
    let tokenized = h.tokenize(None).await;
    let Imported::Token { meta, new: true } = import(&h, "cus_1_card_1", PAN).await else {
        panic!("not imported")
    };
    let imported = meta.token.clone();
    assert_ne!(imported, tokenized);

    // The same row: sealed under the current data key, the merchant's fingerprint of the
    // number (the same card, the same fingerprint), no CVC, the same expiry and TTL.
    let store = h.vault.store();
    let a = store.token(&h.shop.id, &tokenized).unwrap().unwrap();
    let b = store.token(&h.shop.id, &imported).unwrap().unwrap();
    assert_eq!(meta.fingerprint.as_deref(), Some(a.fingerprint.as_str()));
    assert_eq!(
        (
            &a.fingerprint,
            &a.brand,
            &a.last4,
            &a.bin,
            a.exp_month,
            a.exp_year
        ),
        (
            &b.fingerprint,
            &b.brand,
            &b.last4,
            &b.bin,
            b.exp_month,
            b.exp_year
        )
    );
    assert_eq!(a.data_key_version, b.data_key_version);
    assert_eq!(
        (a.expires_at.is_some(), b.cvc.is_none()),
        (b.expires_at.is_some(), true)
    );
    assert!(!b.card.windows(PAN.len()).any(|w| w == PAN.as_bytes()));

    // Forwarded: the processor gets the same card from either token.
    for token in [&tokenized, &imported] {
        let (status, reply) = h
            .forward(&h.shop.sk, charge(token, "processor", "/echo", false))
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
    }
    let seen = processor.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
    let body: Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(body["card"]["number"], PAN);

    // The same id again: its token, nothing new; the same id as another card: refused.
    let Imported::Token { meta, new: false } = import(&h, "cus_1_card_1", PAN).await else {
        panic!("imported twice")
    };
    assert_eq!(meta.token, imported);
    let Imported::Refused { code, token } = import(&h, "cus_1_card_1", "5555555555554444").await
    else {
        panic!("another card under a known id")
    };
    assert_eq!(
        (code, token.as_deref()),
        ("duplicate_id", Some(imported.as_str()))
    );

    // Audited per token, with the file's digest and the record's place in it, never the card.
    let entries = store.audit_entries().unwrap();
    let import_entries: Vec<_> = entries
        .iter()
        .filter(|e| e.event.action == "import")
        .collect();
    assert_eq!(import_entries.len(), 1);
    assert_eq!(
        import_entries[0].event.token.as_deref(),
        Some(imported.as_str())
    );
    assert_eq!(
        import_entries[0].event.detail.as_deref(),
        Some(format!("sha256:{} record 1", "ab".repeat(32)).as_str())
    );
    assert!(!format!("{entries:?}").contains(PAN));
}

/// A plain-HTTP processor on loopback that counts the connections it accepts.
async fn start_counting_processor() -> (SocketAddr, Processor, Arc<AtomicUsize>) {
    use axum::serve::ListenerExt;
    let processor = Processor::default();
    let app = {
        let processor = processor.clone();
        Router::new().fallback(move |req: AxumRequest| processor_handler(processor.clone(), req))
    };
    let connections = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counted = {
        let connections = Arc::clone(&connections);
        listener.tap_io(move |_| {
            connections.fetch_add(1, Ordering::SeqCst);
        })
    };
    tokio::spawn(async move {
        axum::serve(counted, app).await.unwrap();
    });
    (addr, processor, connections)
}

#[tokio::test]
async fn connections_to_a_receiver_are_kept_and_shared_by_merchants() {
    let h = dev_harness();
    let (addr, processor, connections) = start_counting_processor().await;
    let url = format!("http://{addr}/");
    h.receiver(&h.shop.id, "processor", &url);
    h.receiver(&h.other.id, "acquirer", &url);
    let shop_token = h.tokenize(None).await;
    let other_token = {
        let card = Card::new(PAN, 3, exp_year(), None, None, sealed_long_ago()).unwrap();
        let envelope = h
            .sealing
            .seal(&card, &h.other.pk, now_unix() as u64)
            .unwrap();
        let req = Request::post("/v1/tokens")
            .header(header::AUTHORIZATION, format!("Bearer {}", h.other.sk))
            .header(header::CONTENT_TYPE, "application/jose")
            .body(Body::from(envelope))
            .unwrap();
        let (status, _, json) = h.send(req).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json["token"].as_str().unwrap().to_owned()
    };
    for i in 0..10 {
        let (key, token, receiver) = match i % 2 {
            0 => (&h.shop.sk, &shop_token, "processor"),
            _ => (&h.other.sk, &other_token, "acquirer"),
        };
        let (status, json) = h
            .forward(key, charge(token, receiver, "/echo", false))
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["status"], 201);
        // The exchange is seen through before its connection is kept: wait for it, so the next
        // forward can find it.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while h.vault.forwarder().idle_connections() == 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    assert_eq!(processor.seen().len(), 10, "each forward sent once");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "ten forwards of two merchants to one host: one connection"
    );
}

/// A receiver that answers one request per connection and closes it without saying so
/// (no `Connection: close`), as a server whose idle timeout is shorter than the vault's does.
async fn start_closing_receiver() -> (SocketAddr, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (connections, requests) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (c, r) = (Arc::clone(&connections), Arc::clone(&requests));
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            let r = Arc::clone(&r);
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                // The head, then as many body bytes as it declares.
                loop {
                    let n = tcp.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if got.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                r.fetch_add(1, Ordering::SeqCst);
                let _ = tcp
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .await;
                // Closed at once, the vault holding it as idle.
            });
        }
    });
    (addr, connections, requests)
}

#[tokio::test]
async fn a_connection_the_receiver_closed_is_replaced_and_nothing_is_sent_twice() {
    let h = dev_harness();
    let (addr, connections, requests) = start_closing_receiver().await;
    h.receiver(&h.shop.id, "closing", &format!("http://{addr}/"));
    let token = h.tokenize(None).await;
    for i in 1..=6 {
        let (status, json) = h
            .forward(&h.shop.sk, charge(&token, "closing", "/pay", false))
            .await;
        assert_eq!(status, StatusCode::OK, "forward {i}: {json}");
        assert_eq!(json["status"], 200);
        assert_eq!(requests.load(Ordering::SeqCst), i, "forward {i} sent once");
        // Sometimes before the vault has seen the close, sometimes after.
        if i % 2 == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(connections.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn a_new_connection_to_an_https_receiver_resumes_its_tls_session() {
    use rcgen::{CertificateParams, Issuer, KeyPair};
    use rustls::HandshakeKind;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &Issuer::from_params(&ca_params, &ca_key))
        .unwrap();
    let server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(Mutex::new(Vec::new()));
    let processor = Processor::default();
    {
        let (handshakes, processor) = (Arc::clone(&handshakes), processor.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    continue;
                };
                handshakes
                    .lock()
                    .unwrap()
                    .push(tls.get_ref().1.handshake_kind());
                let processor = processor.clone();
                // One request per connection, then closed: every forward connects anew.
                let service = hyper::service::service_fn(move |req| {
                    let processor = processor.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(
                            processor_handler(processor, req.map(Body::new)).await,
                        )
                    }
                });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let forwarder = Client::new(roots, true, client::Limits::default()).unwrap();
    let h = harness_with(true, client::Limits::default(), Some(forwarder));
    h.receiver(&h.shop.id, "tls", &format!("https://localhost:{port}/"));
    let token = h.tokenize(None).await;
    for _ in 0..3 {
        let (status, json) = h
            .forward(&h.shop.sk, charge(&token, "tls", "/echo", false))
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["status"], 201);
    }
    assert_eq!(processor.seen().len(), 3);
    assert_eq!(
        *handshakes.lock().unwrap(),
        [
            Some(HandshakeKind::Full),
            Some(HandshakeKind::Resumed),
            Some(HandshakeKind::Resumed)
        ],
        "the first connection's session is resumed by the next ones"
    );
}
