//! Issue 22's defects in authentication, origins, allowances and the audit, through `oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cardvault::card::{Card, YearMonth};

use super::Limits;
use super::test_harness::{Harness, PAN, Setup, code};
use crate::vault::{Config, now_unix};

fn card() -> Card {
    let now = YearMonth::now();
    Card::new(
        PAN,
        12,
        u32::from(now.year) + 3,
        Some("123"),
        Some("Ada"),
        now,
    )
    .unwrap()
}

fn seal(h: &Harness, aud: &str) -> String {
    h.sealing.seal(&card(), aud, now_unix() as u64).unwrap()
}

fn tokenize(key: &str) -> axum::http::request::Builder {
    Request::post("/v1/tokens")
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "application/jose")
}

async fn status(h: &Harness, req: Request<Body>) -> (StatusCode, String) {
    let (status, _, json) = h.send(req).await;
    (status, code(&json).to_owned())
}

#[tokio::test]
async fn two_authorization_headers_or_a_malformed_bearer_are_refused() {
    let h = Harness::new(Setup::default());
    let two = Request::post("/v1/tokens")
        .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.pk))
        .header(header::AUTHORIZATION, format!("Bearer {}", h.other.pk))
        .header(header::CONTENT_TYPE, "application/jose")
        .body(Body::from(seal(&h, &h.shop.pk)))
        .unwrap();
    assert_eq!(
        status(&h, two).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    for value in [
        format!("Bearer  {}", h.shop.pk),
        format!("Bearer {} ", h.shop.pk),
        format!("Bearer {} x", h.shop.pk),
        format!("bearer {}", h.shop.pk),
        format!("Bearer\t{}", h.shop.pk),
    ] {
        let req = Request::post("/v1/tokens")
            .header(header::AUTHORIZATION, &value)
            .header(header::CONTENT_TYPE, "application/jose")
            .body(Body::from(seal(&h, &h.shop.pk)))
            .unwrap();
        assert_eq!(
            status(&h, req).await,
            (StatusCode::UNAUTHORIZED, "unauthorized".into()),
            "{value:?}"
        );
    }
    // The one spelling the contract shows still works, and a secret key read too.
    let req = tokenize(&h.shop.pk)
        .body(Body::from(seal(&h, &h.shop.pk)))
        .unwrap();
    assert_eq!(status(&h, req).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn the_vaults_own_origin_is_its_scheme_host_and_port_exactly() {
    let h = Harness::new(Setup::default());
    let post = |origin: &str| {
        tokenize(&h.shop.pk)
            .header(header::HOST, "vault.example")
            .header(header::ORIGIN, origin)
            .body(Body::from(seal(&h, &h.shop.pk)))
            .unwrap()
    };
    // The harness serves plain HTTP: the vault's origin is http://vault.example.
    for allowed in [
        "http://vault.example",
        "http://VAULT.example",
        "http://vault.example:80",
        "https://shop.example",
    ] {
        assert_eq!(
            status(&h, post(allowed)).await.0,
            StatusCode::CREATED,
            "{allowed}"
        );
    }
    for refused in [
        "ftp://vault.example",
        "https://vault.example",
        "http://vault.example:8080",
        "http://vault.example.evil",
        "null",
        "http://shop.example",
    ] {
        assert_eq!(
            status(&h, post(refused)).await,
            (StatusCode::FORBIDDEN, "forbidden_origin".into()),
            "{refused}"
        );
    }
    // Two origins, an allowed one first: refused, whichever comes first.
    for (first, second) in [
        ("https://shop.example", "https://evil.example"),
        ("https://evil.example", "https://shop.example"),
        ("https://shop.example", "https://shop.example"),
    ] {
        let req = tokenize(&h.shop.pk)
            .header(header::ORIGIN, first)
            .header(header::ORIGIN, second)
            .body(Body::from(seal(&h, &h.shop.pk)))
            .unwrap();
        assert_eq!(
            status(&h, req).await,
            (StatusCode::FORBIDDEN, "forbidden_origin".into()),
            "{first}, {second}"
        );
    }
}

#[tokio::test]
async fn refused_requests_do_not_spend_the_merchants_allowance() {
    let h = Harness::new(Setup {
        limits: Limits {
            per_key_per_minute: 5,
            per_client_per_minute: 0,
        },
        ..Setup::default()
    });
    // Anyone with the public key: garbage, an envelope for someone else, a wrong origin, no
    // body type, a broken ciphertext.
    let sealed = seal(&h, &h.shop.pk);
    let mut broken: Vec<&str> = sealed.split('.').collect();
    broken[3] = "AAAA";
    let broken = broken.join(".");
    for _ in 0..10 {
        for req in [
            tokenize(&h.shop.pk).body(Body::from("garbage")).unwrap(),
            tokenize(&h.shop.pk)
                .body(Body::from(seal(&h, &h.other.pk)))
                .unwrap(),
            tokenize(&h.shop.pk)
                .body(Body::from(broken.clone()))
                .unwrap(),
            tokenize(&h.shop.pk)
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::from(seal(&h, &h.shop.pk)))
                .unwrap(),
            Request::post("/v1/tokens")
                .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.pk))
                .body(Body::from(seal(&h, &h.shop.pk)))
                .unwrap(),
        ] {
            let (status, _) = status(&h, req).await;
            assert!(status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS);
        }
    }
    // The whole allowance is left for the merchant's page.
    for i in 0..5 {
        let req = tokenize(&h.shop.pk)
            .body(Body::from(seal(&h, &h.shop.pk)))
            .unwrap();
        assert_eq!(
            status(&h, req).await.0,
            StatusCode::CREATED,
            "tokenization {i}"
        );
    }
    let req = tokenize(&h.shop.pk)
        .body(Body::from(seal(&h, &h.shop.pk)))
        .unwrap();
    assert_eq!(
        status(&h, req).await,
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );
    // The publishable key's allowance spent, the secret key's relays have their own.
    for i in 0..5 {
        let req = tokenize(&h.shop.sk)
            .body(Body::from(seal(&h, &h.shop.pk)))
            .unwrap();
        assert_eq!(status(&h, req).await.0, StatusCode::CREATED, "relay {i}");
    }
}

#[tokio::test]
async fn each_refusal_is_one_write_and_the_request_id_is_the_vaults() {
    let h = Harness::new(Setup::default());
    let envelope = seal(&h, &h.shop.pk);
    let first = tokenize(&h.shop.pk)
        .body(Body::from(envelope.clone()))
        .unwrap();
    assert_eq!(status(&h, first).await.0, StatusCode::CREATED);
    let store = h.vault.store();
    for (req, expected) in [
        (
            tokenize(&h.shop.pk)
                .header("x-request-id", PAN)
                .body(Body::from(envelope))
                .unwrap(),
            "replayed_envelope",
        ),
        (
            tokenize("pk_nobody")
                .header("x-request-id", PAN)
                .body(Body::from("x"))
                .unwrap(),
            "unauthorized",
        ),
        (
            Request::delete(format!("/v1/tokens/tok_{PAN:0<32}"))
                .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.sk))
                .header("x-request-id", PAN)
                .body(Body::empty())
                .unwrap(),
            "not_found",
        ),
    ] {
        let batches = store.batches_committed();
        let entries = store.audit_entries().unwrap().len();
        let (_, headers, json) = h.send(req).await;
        assert_eq!(code(&json), expected);
        assert_eq!(
            store.batches_committed(),
            batches + 1,
            "{expected}: one write"
        );
        let log = store.audit_entries().unwrap();
        assert_eq!(log.len(), entries + 1, "{expected}: one entry");
        let entry = &log[entries].event;
        assert_eq!(entry.outcome, expected);
        assert_eq!(
            entry.token, None,
            "a token that does not exist is not named"
        );
        let id = headers["x-request-id"].to_str().unwrap();
        assert!(id.starts_with("req_") && id != PAN);
        assert_eq!(entry.request_id.as_deref(), Some(id));
        assert!(!format!("{entry:?}").contains(PAN), "{entry:?}");
    }
}

#[tokio::test]
async fn a_flood_of_refusals_is_counted_and_none_is_lost() {
    let h = Harness::new(Setup {
        config: Config {
            refusals_per_second: 5,
            ..Config::default()
        },
        ..Setup::default()
    });
    let store = h.vault.store();
    let before = store.audit_entries().unwrap().len();
    let first = now_unix();
    const SENT: usize = 300;
    for _ in 0..SENT {
        let req = Request::post("/v1/tokens").body(Body::empty()).unwrap();
        assert_eq!(status(&h, req).await.0, StatusCode::UNAUTHORIZED);
    }
    // The allowance is per second of the clock, so a flood of 0.2 s that crosses a second's
    // boundary has two of them: count the clock's seconds, not the time elapsed.
    let seconds = (now_unix() - first + 1) as usize;
    let written = store.audit_entries().unwrap().len() - before;
    // At most the allowance each second the flood lasted, and one count at each new second.
    assert!(
        written <= seconds * 5 + (seconds - 1),
        "{written} entries in {seconds} s"
    );
    h.vault.tick().await;
    let entries = store.audit_entries().unwrap();
    let total: u64 = entries[before..]
        .iter()
        .filter(|e| e.event.outcome == "unauthorized")
        .map(|e| {
            match e
                .event
                .detail
                .as_deref()
                .and_then(|d| d.strip_prefix("count="))
            {
                Some(rest) => rest.split(' ').next().unwrap().parse::<u64>().unwrap(),
                None => 1,
            }
        })
        .sum();
    assert_eq!(total, SENT as u64);
}

#[tokio::test]
async fn every_route_has_its_own_label() {
    let h = Harness::new(Setup::default());
    for route in crate::vault::ROUTES {
        let path = route.replace("{token}", "tok_x").replace("{file}", "x");
        h.send(Request::get(&path).body(Body::empty()).unwrap())
            .await;
    }
    let req = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(h.metrics.clone(), req)
        .await
        .unwrap();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    for route in crate::vault::ROUTES {
        assert!(
            text.contains(&format!("route=\"{route}\"")),
            "{route}: {text}"
        );
    }
    assert!(!text.contains("route=\"unmatched\""), "{text}");
}
