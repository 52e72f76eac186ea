//! Every endpoint and every error code of the contract, through `oneshot` (no socket).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64ct::Encoding;
use cardvault::card::{Card, YearMonth};
use cardvault::envelope::{SealingKey, thumbprint};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::test_harness::{Harness, PAN, Setup, code, exp_year, sealed_long_ago, year};
use super::*;
use crate::keys::TransportKey;
use crate::vault::{NewMerchant, now_unix};

fn harness_with(limits: Limits) -> Harness {
    Harness::new(Setup {
        limits,
        shop_requires_cvc: true,
        ..Setup::default()
    })
}

fn harness() -> Harness {
    harness_with(Setup::default().limits)
}

fn card(exp_year: u32, cvc: Option<&str>) -> Card {
    Card::new(
        PAN,
        12,
        exp_year,
        cvc,
        Some("Ada Lovelace"),
        sealed_long_ago(),
    )
    .unwrap()
}

impl Harness {
    fn seal(&self, aud: &str) -> String {
        self.sealing
            .seal(&card(exp_year(), Some("123")), aud, now_unix() as u64)
            .unwrap()
    }

    async fn tokenize_with(&self, key: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let req = Request::post("/v1/tokens")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/jose")
            .body(body.into())
            .unwrap();
        let (status, _, json) = self.send(req).await;
        (status, json)
    }

    async fn get(&self, path: &str, key: Option<&str>) -> (StatusCode, Value) {
        let mut req = Request::get(path);
        if let Some(key) = key {
            req = req.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let (status, _, json) = self.send(req.body(Body::empty()).unwrap()).await;
        (status, json)
    }

    async fn delete(&self, path: &str, key: &str) -> StatusCode {
        let req = Request::delete(path)
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        self.send(req).await.0
    }
}

#[tokio::test]
async fn jwks_publishes_the_active_key() {
    let h = harness();
    let (status, json) = h.get("/.well-known/jwks.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let key = &json["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RSA-OAEP-256");
    assert_eq!(key["use"], "enc");
    let (n, e) = (key["n"].as_str().unwrap(), key["e"].as_str().unwrap());
    assert_eq!(key["kid"], thumbprint(n, e));
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "no private members"
    );
}

#[tokio::test]
async fn healthz_and_metrics() {
    let h = harness();
    assert_eq!(h.get("/healthz", None).await.0, StatusCode::OK);
    h.tokenize_with(&h.shop.pk, h.seal(&h.shop.pk)).await;
    let response = h
        .metrics
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("cardvault_tokens_created_total 1"), "{text}");
    assert!(text.contains("cardvault_http_requests_total"), "{text}");
}

#[tokio::test]
async fn tokenize_read_delete() {
    let h = harness();
    let (status, json) = h.tokenize_with(&h.shop.pk, h.seal(&h.shop.pk)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let token = json["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("tok_") && token.len() >= 4 + 32);
    assert_eq!(json["card"]["brand"], "visa");
    assert_eq!(json["card"]["last4"], "4242");
    assert_eq!(json["card"]["exp_month"], 12);
    assert_eq!(json["card"]["exp_year"], exp_year());
    assert!(
        json.get("fingerprint").is_none(),
        "a publishable key got {json}"
    );
    assert!(json["created_at"].as_str().unwrap().contains('T'));
    assert!(json.get("bin").is_none());

    let path = format!("/v1/tokens/{token}");
    let (status, meta) = h.get(&path, Some(&h.shop.sk)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meta["bin"], "424242");
    assert!(meta["fingerprint"].as_str().unwrap().starts_with("fp_"));
    assert!(!meta.to_string().contains(PAN));

    // Only the owner's secret key reads or deletes; another merchant's token looks missing.
    assert_eq!(
        code(&h.get(&path, Some(&h.shop.pk)).await.1),
        "unauthorized"
    );
    assert_eq!(
        h.get(&path, Some(&h.other.sk)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/v1/tokens/tok_nope", Some(&h.shop.sk)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.delete(&path, &h.other.sk).await, StatusCode::NOT_FOUND);
    assert_eq!(h.delete(&path, &h.shop.pk).await, StatusCode::UNAUTHORIZED);

    assert_eq!(h.delete(&path, &h.shop.sk).await, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get(&path, Some(&h.shop.sk)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.delete(&path, &h.shop.sk).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn relay_with_the_secret_key_and_fingerprints() {
    let h = harness();
    let (status, first) = h.tokenize_with(&h.shop.sk, h.seal(&h.shop.pk)).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(first["fingerprint"].as_str().unwrap().starts_with("fp_"));
    let (_, second) = h.tokenize_with(&h.shop.pk, h.seal(&h.shop.pk)).await;
    let (_, elsewhere) = h.tokenize_with(&h.other.sk, h.seal(&h.other.pk)).await;
    assert_ne!(first["token"], second["token"]);
    // The publishable key's answer has none: the owner reads it with the secret key.
    assert!(second.get("fingerprint").is_none());
    let path = format!("/v1/tokens/{}", second["token"].as_str().unwrap());
    let second = h.get(&path, Some(&h.shop.sk)).await.1;
    assert_eq!(
        first["fingerprint"], second["fingerprint"],
        "same card, same merchant"
    );
    assert_ne!(
        first["fingerprint"], elsewhere["fingerprint"],
        "same card, other merchant"
    );
}

#[tokio::test]
async fn unauthorized() {
    let h = harness();
    let envelope = h.seal(&h.shop.pk);
    for key in [
        "",
        "pk_unknown",
        "sk_unknown",
        "tok_x",
        &h.shop.pk.replace("pk_", "sk_"),
    ] {
        let (status, json) = h.tokenize_with(key, envelope.clone()).await;
        assert_eq!(
            (status, code(&json)),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{key}"
        );
    }
    let req = Request::post("/v1/tokens")
        .header(header::CONTENT_TYPE, "application/jose")
        .body(Body::from(envelope))
        .unwrap();
    assert_eq!(h.send(req).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forbidden_origin() {
    let h = harness();
    let post = |origin: &str| {
        Request::post("/v1/tokens")
            .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.pk))
            .header(header::CONTENT_TYPE, "application/jose")
            .header(header::HOST, "vault.example")
            .header(header::ORIGIN, origin)
            .body(Body::from(h.seal(&h.shop.pk)))
            .unwrap()
    };
    let (status, _, json) = h.send(post("https://evil.example")).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::FORBIDDEN, "forbidden_origin")
    );
    assert_eq!(
        h.send(post("https://shop.example")).await.0,
        StatusCode::CREATED
    );
    // The harness serves plain HTTP: the vault's own origin is http://, not https://.
    assert_eq!(
        h.send(post("http://vault.example")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        h.send(post("https://vault.example")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn envelope_refusals() {
    let h = harness();
    let sealed = h.seal(&h.shop.pk);
    let parts: Vec<&str> = sealed.split('.').collect();

    // Not a JWE at all.
    let (status, json) = h.tokenize_with(&h.shop.pk, "hello").await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_REQUEST, "invalid_envelope")
    );

    // Sealed for another merchant.
    let (status, json) = h.tokenize_with(&h.shop.pk, h.seal(&h.other.pk)).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_REQUEST, "invalid_envelope")
    );

    // Another alg in the header.
    let header =
        String::from_utf8(base64ct::Base64UrlUnpadded::decode_vec(parts[0]).unwrap()).unwrap();
    for (from, to) in [
        ("RSA-OAEP-256", "RSA1_5"),
        ("RSA-OAEP-256", "dir"),
        ("A256GCM", "A128GCM"),
    ] {
        let forged =
            base64ct::Base64UrlUnpadded::encode_string(header.replace(from, to).as_bytes());
        let envelope = [forged.as_str(), parts[1], parts[2], parts[3], parts[4]].join(".");
        let (status, json) = h.tokenize_with(&h.shop.pk, envelope).await;
        assert_eq!(
            (status, code(&json)),
            (StatusCode::BAD_REQUEST, "invalid_envelope"),
            "{to}"
        );
    }

    // A changed wrapped key and a changed ciphertext get the very same answer.
    let flip = |segment: &str| {
        let mut bytes = base64ct::Base64UrlUnpadded::decode_vec(segment).unwrap();
        bytes[10] ^= 1;
        base64ct::Base64UrlUnpadded::encode_string(&bytes)
    };
    let bad_key = [parts[0], &flip(parts[1]), parts[2], parts[3], parts[4]].join(".");
    let bad_ciphertext = [parts[0], parts[1], parts[2], &flip(parts[3]), parts[4]].join(".");
    let bad_tag = [parts[0], parts[1], parts[2], parts[3], &flip(parts[4])].join(".");
    let a = h.tokenize_with(&h.shop.pk, bad_key).await;
    let b = h.tokenize_with(&h.shop.pk, bad_ciphertext).await;
    let c = h.tokenize_with(&h.shop.pk, bad_tag).await;
    assert_eq!(a.0, StatusCode::BAD_REQUEST);
    assert_eq!(code(&a.1), "invalid_envelope");
    assert_eq!(a, b);
    assert_eq!(b, c);

    // Sealed to a key this vault never had.
    let foreign = TransportKey::generate(2048).unwrap().jwk();
    let foreign = SealingKey::from_jwk(&foreign.n, &foreign.e).unwrap();
    let envelope = foreign
        .seal(
            &card(exp_year(), Some("123")),
            &h.shop.pk,
            now_unix() as u64,
        )
        .unwrap();
    let (status, json) = h.tokenize_with(&h.shop.pk, envelope).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_REQUEST, "unknown_key")
    );

    // Too old, and from the future.
    for iat in [now_unix() - 1000, now_unix() + 1000] {
        let envelope = h
            .sealing
            .seal(&card(exp_year(), Some("123")), &h.shop.pk, iat as u64)
            .unwrap();
        let (status, json) = h.tokenize_with(&h.shop.pk, envelope).await;
        assert_eq!(
            (status, code(&json)),
            (StatusCode::BAD_REQUEST, "stale_envelope")
        );
    }

    // The first use succeeds, the replay is refused.
    assert_eq!(
        h.tokenize_with(&h.shop.pk, sealed.clone()).await.0,
        StatusCode::CREATED
    );
    let (status, json) = h.tokenize_with(&h.shop.pk, sealed).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::CONFLICT, "replayed_envelope")
    );
}

#[tokio::test]
async fn invalid_cards() {
    let h = harness();
    // Valid when sealed two years ago, expired (since last December) when the vault opens it.
    let expired = h
        .sealing
        .seal(&card(year(-1), Some("123")), &h.shop.pk, now_unix() as u64)
        .unwrap();
    let (status, json) = h.tokenize_with(&h.shop.pk, expired).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (code(&json), json["error"]["field"].as_str()),
        ("invalid_card", Some("exp"))
    );
    assert!(!json.to_string().contains("4242"));

    // This merchant requires a CVC; the other does not.
    let no_cvc = |aud: &str| {
        h.sealing
            .seal(&card(exp_year(), None), aud, now_unix() as u64)
            .unwrap()
    };
    let (status, json) = h.tokenize_with(&h.shop.pk, no_cvc(&h.shop.pk)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["error"]["field"], "cvc");
    assert_eq!(
        h.tokenize_with(&h.other.pk, no_cvc(&h.other.pk)).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn body_refusals() {
    let h = harness();
    let (status, json) = h.tokenize_with(&h.shop.pk, "A".repeat(20 * 1024)).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    let req = Request::post("/v1/tokens")
        .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.pk))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(h.seal(&h.shop.pk)))
        .unwrap();
    let (status, _, json) = h.send(req).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
}

#[tokio::test]
async fn rate_limited_per_client() {
    let h = harness_with(Limits {
        per_key_per_minute: 0,
        per_client_per_minute: 5,
    });
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let req = Request::post("/v1/tokens")
            .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.pk))
            .header(header::CONTENT_TYPE, "application/jose")
            .body(Body::from(h.seal(&h.shop.pk)))
            .unwrap();
        let (status, headers, json) = h.send(req).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(code(&json), "rate_limited");
            let retry: u64 = headers[header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry >= 1);
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        5
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        3
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let h = harness();
    for req in [
        Request::get("/healthz").body(Body::empty()).unwrap(),
        Request::get("/nope").body(Body::empty()).unwrap(),
        Request::post("/v1/tokens").body(Body::empty()).unwrap(),
    ] {
        let (status, headers, json) = h.send(req).await;
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert!(
            headers["x-request-id"]
                .to_str()
                .unwrap()
                .starts_with("req_")
        );
        if status == StatusCode::NOT_FOUND {
            assert_eq!(code(&json), "not_found");
        }
    }
}

#[tokio::test]
async fn refusals_change_nothing_but_the_audit_log() {
    let h = harness();
    let (_, ok) = h.tokenize_with(&h.shop.pk, h.seal(&h.shop.pk)).await;
    let before = crate::store::verify_audit(h.vault.store()).unwrap();
    h.tokenize_with(&h.shop.pk, "garbage").await;
    h.tokenize_with(&h.shop.pk, h.seal(&h.other.pk)).await;
    h.tokenize_with("pk_nobody", h.seal(&h.shop.pk)).await;
    let after = crate::store::verify_audit(h.vault.store()).unwrap();
    assert_eq!(after, before + 3, "one audit entry per refusal");
    let entries = h.vault.store().audit_entries().unwrap();
    let codes: Vec<&str> = entries
        .iter()
        .rev()
        .take(3)
        .map(|e| e.event.outcome.as_str())
        .collect();
    assert_eq!(
        codes,
        ["unauthorized", "invalid_envelope", "invalid_envelope"]
    );
    // The one token stored is still the only one readable.
    let token = ok["token"].as_str().unwrap();
    assert_eq!(
        h.get(&format!("/v1/tokens/{token}"), Some(&h.shop.sk))
            .await
            .0,
        StatusCode::OK
    );
    for entry in &entries {
        let text = format!("{:?}", entry.event);
        assert!(!text.contains(PAN) && !text.contains("4242 4242"));
    }
}

#[tokio::test]
async fn expired_tokens_are_swept() {
    let h = harness();
    let (record, _) = h
        .vault
        .create_merchant(NewMerchant {
            name: "Short-lived".into(),
            origins: vec!["https://shop.example".into()],
            token_ttl_secs: Some(60),
            require_cvc: true,
        })
        .unwrap();
    let pk = record.publishable_key;
    let (status, json) = h.tokenize_with(&pk, h.seal(&pk)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(json["expires_at"].as_str().is_some());
    let token = json["token"].as_str().unwrap();
    assert!(h.vault.store().token(&record.id, token).unwrap().is_some());
    let report = h.vault.store().sweep(now_unix() + 61).await.unwrap();
    assert_eq!(report.tokens_deleted, 1);
    assert!(h.vault.store().token(&record.id, token).unwrap().is_none());
    let last = h.vault.store().audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.event.action, "expiry_sweep");
}

#[tokio::test]
async fn a_missing_token_delete_is_audited_once() {
    let h = harness();
    let before = h.vault.store().audit_entries().unwrap().len();
    assert_eq!(
        h.delete("/v1/tokens/tok_nope", &h.shop.sk).await,
        StatusCode::NOT_FOUND
    );
    let entries = h.vault.store().audit_entries().unwrap();
    assert_eq!(entries.len(), before + 1);
    assert_eq!(entries[before].event.outcome, "not_found");
}

#[tokio::test]
async fn the_field_page_is_framed_only_by_the_merchants_origins() {
    let h = harness();
    let page = |key: &str, origin: &str| {
        Request::get(format!("/v1/field?key={key}&origin={origin}"))
            .body(Body::empty())
            .unwrap()
    };
    let response = h
        .app
        .clone()
        .oneshot(page(&h.shop.pk, "https://shop.example"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.ends_with("frame-ancestors https://shop.example"),
        "{csp}"
    );
    let html = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(
        !html.contains("style=") && !html.contains("<script>"),
        "no inline style or script"
    );

    let (status, _, json) = h.send(page(&h.shop.pk, "https://evil.example")).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::FORBIDDEN, "forbidden_origin")
    );
    let (status, _, json) = h.send(page("pk_nobody", "https://shop.example")).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, _, _) = h
        .send(Request::get("/v1/field").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn assets_and_loader_are_served_from_the_binary() {
    use super::assets::{FIELD_FILES, FIELD_GLUE, FIELD_WASM};
    let h = harness();
    let get = |path: String, accept: Option<&str>| {
        let mut request = Request::get(path);
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT_ENCODING, accept);
        }
        let app = h.app.clone();
        let request = request.body(Body::empty()).unwrap();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            (parts, body.collect().await.unwrap().to_bytes())
        }
    };
    let immutable = "public, max-age=31536000, immutable";
    for (asset, content_type) in [
        (&FIELD_WASM, "application/wasm"),
        (&FIELD_GLUE, "text/javascript; charset=utf-8"),
    ] {
        assert!(FIELD_FILES.iter().any(|a| a.name == asset.name));
        let path = format!("/v1/field/{}", asset.name);
        // No Accept-Encoding: the bytes as built; what streaming compilation needs, too
        // (`WebAssembly.instantiateStreaming` takes only `application/wasm`).
        let (parts, body) = get(path.clone(), None).await;
        assert_eq!(parts.status, StatusCode::OK, "{path}");
        assert_eq!(parts.headers[header::CONTENT_TYPE], content_type, "{path}");
        assert_eq!(parts.headers[header::CACHE_CONTROL], immutable, "{path}");
        assert_eq!(parts.headers[header::VARY], "accept-encoding", "{path}");
        assert!(parts.headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(&body[..], asset.identity);
        // Chromium's header: brotli, smaller, same type and caching.
        let (parts, body) = get(path.clone(), Some("gzip, deflate, br, zstd")).await;
        assert_eq!(parts.headers[header::CONTENT_ENCODING], "br", "{path}");
        assert_eq!(parts.headers[header::CONTENT_TYPE], content_type, "{path}");
        assert_eq!(parts.headers[header::CACHE_CONTROL], immutable, "{path}");
        assert_eq!(parts.headers[header::VARY], "accept-encoding", "{path}");
        assert_eq!(Some(&body[..]), asset.brotli);
        assert!(body.len() < asset.identity.len());
        // Brotli refused by its weight: gzip.
        let (parts, body) = get(path.clone(), Some("br;q=0, gzip;q=0.8")).await;
        assert_eq!(parts.headers[header::CONTENT_ENCODING], "gzip", "{path}");
        assert_eq!(Some(&body[..]), asset.gzip);
        // Neither accepted: the bytes.
        let (parts, body) = get(path, Some("deflate")).await;
        assert!(parts.headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(&body[..], asset.identity);
    }
    for asset in FIELD_FILES {
        let (parts, _) = get(format!("/v1/field/{}", asset.name), Some("br")).await;
        assert_eq!(parts.status, StatusCode::OK, "{}", asset.name);
        assert_eq!(parts.headers[header::CONTENT_TYPE], asset.content_type);
        assert_eq!(parts.headers[header::CACHE_CONTROL], immutable);
    }

    let (parts, body) = get("/v1/cardvault.js".to_owned(), None).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(
        parts.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(parts.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    // Its name is in merchants' pages: kept only briefly.
    assert_eq!(parts.headers[header::CACHE_CONTROL], "public, max-age=300");
    assert_eq!(parts.headers[header::VARY], "accept-encoding");
    assert_eq!(&body[..], LOADER.as_bytes());
    // Compressed, it decodes to the very bytes the SRI hash is of.
    let (parts, body) = get("/v1/cardvault.js".to_owned(), Some("gzip")).await;
    assert_eq!(parts.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(parts.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let mut decoded = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut decoded).unwrap();
    assert_eq!(decoded, LOADER.as_bytes());

    // The plain names are gone: one name per content.
    for path in [
        "/v1/field/cardvault_bg.wasm",
        "/v1/field/cardvault.js",
        "/v1/field/field.js",
        "/v1/field/field.css",
        "/v1/field/../Cargo.toml",
        "/v1/field/nope.js",
    ] {
        assert_eq!(h.get(path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_field_page_is_compressed_and_never_kept_unasked() {
    use super::assets::FIELD_PAGE;
    let h = harness();
    let page = |accept: &str| {
        Request::get("/v1/field?key=".to_owned() + &h.shop.pk + "&origin=https://shop.example")
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap()
    };
    for (accept, encoding, bytes) in [
        ("br, gzip", Some("br"), FIELD_PAGE.brotli.unwrap()),
        ("gzip", Some("gzip"), FIELD_PAGE.gzip.unwrap()),
        ("identity", None, FIELD_PAGE.identity),
    ] {
        let response = h.app.clone().oneshot(page(accept)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert_eq!(headers[header::VARY], "accept-encoding");
        // The policy is the merchant's, whatever the encoding.
        assert!(
            headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .ends_with("frame-ancestors https://shop.example")
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], bytes, "{accept}");
    }
    // An error is not an asset: JSON, as everywhere.
    let (status, headers, json) = h
        .send(
            Request::get("/v1/field?key=pk_nobody&origin=https://shop.example")
                .header(header::ACCEPT_ENCODING, "br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
}

// -- the fingerprint oracle (issue 22, A2) -----------------------------------------------------

/// A Luhn-valid 16-digit number: `bin`, then `middle` (5 digits), a digit that makes it valid,
/// then `last4`.
fn number_with(bin: &str, middle: u32, last4: &str) -> String {
    (0..10)
        .map(|digit| format!("{bin}{middle:05}{digit}{last4}"))
        .find(|n| cardvault::card::luhn_valid(n))
        .unwrap()
}

impl Harness {
    /// `pan` sealed for `aud`, expiring in three years.
    fn seal_number(&self, pan: &str, aud: &str) -> String {
        let today = YearMonth::now();
        let card = Card::new(
            pan,
            u32::from(today.month),
            u32::from(today.year) + 3,
            Some("123"),
            None,
            today,
        )
        .unwrap();
        self.sealing.seal(&card, aud, now_unix() as u64).unwrap()
    }
}

#[test]
fn the_test_numbers_are_valid_and_share_a_bin_and_last_four() {
    for middle in 0..20 {
        let pan = number_with("424242", middle, "4242");
        let card = cardvault::card::CardNumber::parse(&pan).unwrap();
        assert_eq!((card.bin(), card.last4()), ("424242", "4242"));
    }
}

#[tokio::test]
async fn enumerating_one_card_is_refused_at_the_eleventh_number() {
    let h = harness();
    // Tokens made: each is audited in the transaction that stores it (either backend).
    let tokens = |h: &Harness| {
        h.vault
            .store()
            .audit_entries()
            .unwrap()
            .iter()
            .filter(|e| e.event.action == "tokenize" && e.event.outcome == "ok")
            .count()
    };
    let pans: Vec<String> = (0..11).map(|m| number_with("424242", m, "4242")).collect();
    for pan in &pans[..10] {
        let (status, json) = h
            .tokenize_with(&h.shop.pk, h.seal_number(pan, &h.shop.pk))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
    }
    assert_eq!(tokens(&h), 10);
    let entries_before = h.vault.store().audit_entries().unwrap().len();
    // The 11th distinct number with that BIN and last four: refused, with either key.
    for key in [&h.shop.pk, &h.shop.sk] {
        let (status, json) = h
            .tokenize_with(key, h.seal_number(&pans[10], &h.shop.pk))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
        assert_eq!(code(&json), "card_enumeration");
        assert!(!json.to_string().contains(&pans[10]));
    }
    assert_eq!(tokens(&h), 10, "a refused number was stored");
    // Each refusal audited once, in the chain, with no token and no card data.
    let entries = h.vault.store().audit_entries().unwrap();
    assert_eq!(entries.len(), entries_before + 2);
    for entry in &entries[entries_before..] {
        assert_eq!(entry.event.action, "refused");
        assert_eq!(entry.event.outcome, "card_enumeration");
        assert_eq!(entry.event.detail.as_deref(), Some("POST /v1/tokens"));
        assert_eq!(entry.event.token, None);
        assert_eq!(entry.event.merchant_id.as_deref(), Some(h.shop.id.as_str()));
        assert!(!format!("{:?}", entry.event).contains(&pans[10]));
    }
    assert!(crate::store::verify_audit(h.vault.store()).is_ok());
    // A number already tokenized still is; another last four is another card; so is another
    // merchant.
    let (status, _) = h
        .tokenize_with(&h.shop.pk, h.seal_number(&pans[0], &h.shop.pk))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let other_last4 = number_with("424242", 10, "4243");
    let (status, _) = h
        .tokenize_with(&h.shop.pk, h.seal_number(&other_last4, &h.shop.pk))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = h
        .tokenize_with(&h.other.pk, h.seal_number(&pans[10], &h.other.pk))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(tokens(&h), 13);
}

#[tokio::test]
async fn a_rolled_publishable_key_keeps_its_field_page_and_envelopes_for_its_grace() {
    use crate::vault::KeyKind;
    let h = harness();
    let field = |key: &str| {
        Request::get(format!("/v1/field?key={key}&origin=https://shop.example"))
            .body(Body::empty())
            .unwrap()
    };
    let old = h.shop.pk.clone();
    // Sealed by a field page loaded before the roll: addressed to the old key.
    let sealed_before = h.seal(&old);
    let rolled = h
        .vault
        .roll_merchant_key(&h.shop.id, KeyKind::Publishable, 3600)
        .unwrap();
    let new = rolled.key.to_string();
    assert!(new.starts_with("pk_") && new != old);
    assert_eq!(
        rolled.replaced.usable_until,
        rolled.replaced.retired_at.map(|t| t + 3600)
    );

    for key in [&old, &new] {
        assert_eq!(h.send(field(key)).await.0, StatusCode::OK, "{key}");
    }
    let (status, json) = h.tokenize_with(&old, sealed_before).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let (status, json) = h.tokenize_with(&new, h.seal(&new)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    // The backend relays an envelope of a page loaded before the roll.
    let (status, json) = h.tokenize_with(&h.shop.sk, h.seal(&old)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    // A key of another merchant is not this one's, rolled or not.
    let (status, json) = h.tokenize_with(&new, h.seal(&h.other.pk)).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::BAD_REQUEST, "invalid_envelope")
    );

    // Rolled again with no grace: both earlier keys are refused (once the moment this vault
    // trusts what it read has passed).
    let newest = h
        .vault
        .roll_merchant_key(&h.shop.id, KeyKind::Publishable, 0)
        .unwrap()
        .key
        .to_string();
    tokio::time::sleep(crate::vault::DIRECTORY_TTL + std::time::Duration::from_millis(100)).await;
    for key in [&old, &new] {
        let (status, json) = h.tokenize_with(key, h.seal(key)).await;
        assert_eq!(
            (status, code(&json)),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{key}"
        );
        assert_eq!(h.send(field(key)).await.0, StatusCode::UNAUTHORIZED);
        // Nor is an envelope addressed to it taken with the current key.
        let (status, _) = h.tokenize_with(&newest, h.seal(key)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, json) = h.tokenize_with(&newest, h.seal(&newest)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
}

#[tokio::test]
async fn a_rolled_secret_key_works_until_its_grace_ends() {
    use crate::vault::KeyKind;
    let h = harness();
    let (status, json) = h.tokenize_with(&h.shop.sk, h.seal(&h.shop.pk)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let token = json["token"].as_str().unwrap().to_owned();
    let path = format!("/v1/tokens/{token}");
    let rolled = h
        .vault
        .roll_merchant_key(&h.shop.id, KeyKind::Secret, 3)
        .unwrap();
    let new = rolled.key.to_string();
    assert!(new.starts_with("sk_"));
    assert_eq!(h.get(&path, Some(&h.shop.sk)).await.0, StatusCode::OK);
    assert_eq!(h.get(&path, Some(&new)).await.0, StatusCode::OK);
    // Past its grace (longer than the directory's TTL) the old key is refused to the second,
    // though this vault has it in memory.
    let until = rolled.replaced.usable_until.unwrap();
    while now_unix() < until {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (status, json) = h.get(&path, Some(&h.shop.sk)).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    assert_eq!(h.get(&path, Some(&new)).await.0, StatusCode::OK);
    // The other merchant's keys are untouched.
    assert_eq!(
        h.get(&path, Some(&h.other.sk)).await.0,
        StatusCode::NOT_FOUND
    );
}
