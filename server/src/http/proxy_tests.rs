//! Behind a load balancer (`--trusted-proxy`): whose address the rate limit and the audit log
//! see, which scheme the origin checks and HSTS use; `/readyz`; the `unavailable` answer.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::IntoResponse;
use cardvault::card::{Card, YearMonth};

use super::proxy::TrustedProxies;
use super::test_harness::{Harness, PAN, Setup, code};
use super::{ApiError, Limits, Options};
use crate::vault::{Error, now_unix};

/// The load balancer's address, and the network it is trusted on.
const PROXY: [u8; 4] = [10, 0, 0, 2];
const PROXY_NET: &str = "10.0.0.0/24";

fn behind_proxy(setup: Setup, peer: [u8; 4]) -> Harness {
    Harness::new(Setup {
        options: Options {
            tls: false,
            trusted_proxies: Arc::new(TrustedProxies::new(vec![PROXY_NET.parse().unwrap()])),
        },
        peer: SocketAddr::from((peer, 40000)),
        ..setup
    })
}

fn limited() -> Setup {
    Setup {
        limits: Limits {
            per_key_per_minute: 0,
            per_client_per_minute: 1,
        },
        ..Setup::default()
    }
}

fn seal(h: &Harness) -> String {
    let now = YearMonth::now();
    let card = Card::new(
        PAN,
        12,
        u32::from(now.year) + 3,
        Some("123"),
        Some("Ada"),
        now,
    )
    .unwrap();
    h.sealing
        .seal(&card, &h.shop.pk, now_unix() as u64)
        .unwrap()
}

/// A tokenization with the publishable key, with `headers` added; `body` as given.
fn tokenize(h: &Harness, headers: &[(&str, &str)], body: String) -> Request<Body> {
    let mut req = Request::post("/v1/tokens")
        .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.pk))
        .header(header::CONTENT_TYPE, "application/jose");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(Body::from(body)).unwrap()
}

/// Spends the client allowance of whoever `headers` make the client (with bodies that do not
/// open, which spend it all the same), until the vault says `rate_limited`; how many went
/// through first.
async fn exhaust(h: &Harness, headers: &[(&str, &str)]) -> usize {
    for n in 0..100 {
        let (status, _, json) = h.send(tokenize(h, headers, "x".into())).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(code(&json), "rate_limited");
            return n;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    }
    panic!("the client allowance never ran out");
}

#[tokio::test]
async fn through_a_trusted_proxy_the_rate_limit_counts_the_forwarded_client() {
    let h = behind_proxy(limited(), PROXY);
    let alice = [("x-forwarded-for", "198.51.100.1")];
    let spent = exhaust(&h, &alice).await;
    assert!(spent >= 1, "the allowance let nothing through");
    // Another shopper behind the same proxy has an allowance of her own…
    let bob = [("x-forwarded-for", "198.51.100.2")];
    let (status, _, json) = h.send(tokenize(&h, &bob, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let bob_rfc = [("forwarded", "for=\"[2001:db8::2]:4711\";proto=https")];
    let (status, _, json) = h.send(tokenize(&h, &bob_rfc, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    // …and Alice cannot buy more by claiming another address left of the proxy's entry.
    let spoofed = [("x-forwarded-for", "192.0.2.50, 198.51.100.1")];
    let (status, _, _) = h.send(tokenize(&h, &spoofed, seal(&h))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn from_an_untrusted_peer_forwarding_headers_are_ignored() {
    let h = behind_proxy(limited(), [203, 0, 113, 7]);
    let spent = exhaust(&h, &[("x-forwarded-for", "198.51.100.1")]).await;
    assert!(spent >= 1);
    // A new claimed address each time changes nothing: the peer is the client.
    for claimed in [
        &[("x-forwarded-for", "198.51.100.99")][..],
        &[("forwarded", "for=198.51.100.98")],
        &[("x-forwarded-for", "10.0.0.5")],
    ] {
        let (status, _, _) = h.send(tokenize(&h, claimed, seal(&h))).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{claimed:?}");
    }
}

/// The client address of the newest audit entry.
fn last_audited_client(h: &Harness) -> Option<String> {
    h.vault
        .store()
        .audit_entries()
        .unwrap()
        .pop()
        .unwrap()
        .event
        .client
}

#[tokio::test]
async fn the_audit_log_names_the_client_a_trusted_proxy_forwarded() {
    let h = behind_proxy(Setup::default(), PROXY);
    let via = [("x-forwarded-for", "192.0.2.50, 198.51.100.1, 10.0.0.9")];
    let (status, _, _) = h.send(tokenize(&h, &via, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(last_audited_client(&h).as_deref(), Some("198.51.100.1"));
    let via = [("forwarded", "for=\"[2001:DB8::7]:4711\"")];
    let (status, _, _) = h.send(tokenize(&h, &via, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(last_audited_client(&h).as_deref(), Some("2001:db8::7"));
    // A value that is not an address (here a card number) never reaches the log: the proxy
    // is named instead.
    let via = [("x-forwarded-for", PAN)];
    let (status, _, _) = h.send(tokenize(&h, &via, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(last_audited_client(&h).as_deref(), Some("10.0.0.2"));

    // A client's own `Forwarded`, passed on by a proxy that sets X-Forwarded-For: the two
    // disagree, and the client is counted as the proxy, not as whom it claims to be.
    let via = [
        ("forwarded", "for=192.0.2.66"),
        ("x-forwarded-for", "198.51.100.1"),
    ];
    let (status, _, _) = h.send(tokenize(&h, &via, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(last_audited_client(&h).as_deref(), Some("10.0.0.2"));

    let h = behind_proxy(Setup::default(), [203, 0, 113, 7]);
    let via = [("x-forwarded-for", "198.51.100.1")];
    let (status, _, _) = h.send(tokenize(&h, &via, seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(last_audited_client(&h).as_deref(), Some("203.0.113.7"));
}

async fn healthz_headers(h: &Harness, headers: &[(&str, &str)]) -> HeaderMap {
    let mut req = Request::get("/healthz");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let (status, headers, _) = h.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    headers
}

#[tokio::test]
async fn hsts_follows_the_scheme_the_client_used() {
    let hsts = |headers: &HeaderMap| headers.contains_key(header::STRICT_TRANSPORT_SECURITY);
    let h = behind_proxy(Setup::default(), PROXY);
    assert!(hsts(
        &healthz_headers(&h, &[("x-forwarded-proto", "https")]).await
    ));
    assert!(hsts(
        &healthz_headers(&h, &[("forwarded", "for=198.51.100.1;proto=https")]).await
    ));
    assert!(!hsts(
        &healthz_headers(&h, &[("x-forwarded-proto", "http")]).await
    ));
    assert!(!hsts(&healthz_headers(&h, &[]).await));
    // Claimed by anyone else: not believed.
    let h = behind_proxy(Setup::default(), [203, 0, 113, 7]);
    assert!(!hsts(
        &healthz_headers(&h, &[("x-forwarded-proto", "https")]).await
    ));
    // The vault's own TLS: always.
    let h = Harness::new(Setup {
        options: Options {
            tls: true,
            ..Options::default()
        },
        ..Setup::default()
    });
    let headers = healthz_headers(&h, &[("x-forwarded-proto", "http")]).await;
    assert_eq!(
        headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=63072000; includeSubDomains"
    );
}

#[tokio::test]
async fn the_vaults_own_origin_takes_the_scheme_a_trusted_proxy_names() {
    let h = behind_proxy(Setup::default(), PROXY);
    let post = |headers: &[(&str, &str)], origin: &str| {
        let mut all = vec![("host", "vault.example"), ("origin", origin)];
        all.extend_from_slice(headers);
        tokenize(&h, &all, seal(&h))
    };
    let https = [("x-forwarded-proto", "https")];
    let (status, _, _) = h.send(post(&https, "https://vault.example")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, json) = h.send(post(&https, "http://vault.example")).await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::FORBIDDEN, "forbidden_origin")
    );
    // The same claim from an untrusted peer: the connection's scheme, plain http.
    let h = behind_proxy(Setup::default(), [203, 0, 113, 7]);
    let (status, _, json) = h
        .send(tokenize(
            &h,
            &[
                ("host", "vault.example"),
                ("origin", "https://vault.example"),
                ("x-forwarded-proto", "https"),
            ],
            seal(&h),
        ))
        .await;
    assert_eq!(
        (status, code(&json)),
        (StatusCode::FORBIDDEN, "forbidden_origin")
    );
}

/// Moves the schema's version of `h`'s database one past this binary's (`ahead`), as a newer
/// binary's migration would, or back; on either backend.
fn schema_moved_on(h: &Harness, ahead: bool) {
    match &h._db {
        Some(db) if ahead => db.execute(
            "INSERT INTO cardvault_schema (version) SELECT max(version) + 1 FROM cardvault_schema",
        ),
        Some(db) => db.execute(
            "DELETE FROM cardvault_schema WHERE version = (SELECT max(version) FROM cardvault_schema)",
        ),
        None => {
            let db = h._dir.path().join("data").join("cardvault.db");
            let conn = rusqlite::Connection::open(&db).unwrap();
            let version: i64 = conn
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap();
            let moved = if ahead { version + 1 } else { version - 1 };
            conn.pragma_update(None, "user_version", moved).unwrap();
        }
    }
}

async fn ready(h: &Harness) -> (StatusCode, HeaderMap, serde_json::Value) {
    h.send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
}

#[tokio::test]
async fn readyz_is_200_while_the_store_answers_and_503_unavailable_when_it_does_not() {
    let h = Harness::new(Setup::default());
    let (status, _, _) = ready(&h).await;
    assert_eq!(status, StatusCode::OK);
    // Another binary's schema (what a newer vault's migration leaves): not ready.
    schema_moved_on(&h, true);
    let (status, headers, json) = ready(&h).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(code(&json), "unavailable");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("database")),
        "{json}"
    );
    assert_eq!(headers[header::RETRY_AFTER], "1");
    // Liveness is another question: the process answers.
    let (status, _, _) = h
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    // Back to its version: ready again, without a restart.
    schema_moved_on(&h, false);
    assert_eq!(ready(&h).await.0, StatusCode::OK);
}

#[test]
fn unavailable_is_503_with_retry_after() {
    let response = ApiError(Error::Unavailable).into_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(Error::Unavailable.code(), "unavailable");
}

#[test]
fn trusted_proxies_are_matched_on_their_canonical_address() {
    let proxies = TrustedProxies::new(vec![PROXY_NET.parse().unwrap()]);
    assert!(proxies.contains(IpAddr::from(PROXY)));
    assert!(proxies.contains("::ffff:10.0.0.2".parse().unwrap()));
    assert!(!proxies.contains("10.0.1.2".parse().unwrap()));
}

/// A TCP relay between the vault and the test's PostgreSQL server, on a thread and runtime of
/// its own: the database's network, which a test cuts (every connection closed, new ones closed
/// at once, as a stopped or unreachable server does) and restores. The other tests share the
/// server, so it cannot itself be stopped.
struct Relay {
    addr: SocketAddr,
    open: Arc<std::sync::atomic::AtomicBool>,
    cut: Arc<tokio::sync::Notify>,
}

impl Relay {
    fn to(upstream: SocketAddr) -> Relay {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let cut = Arc::new(tokio::sync::Notify::new());
        let (open_, cut_) = (Arc::clone(&open), Arc::clone(&cut));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((mut client, _)) = listener.accept().await else {
                        continue;
                    };
                    if !open_.load(Ordering::Acquire) {
                        continue;
                    }
                    let cut = Arc::clone(&cut_);
                    tokio::spawn(async move {
                        let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            () = cut.notified() => {}
                        }
                    });
                }
            });
        });
        Relay { addr, open, cut }
    }

    fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::Release);
        self.cut.notify_waiters();
    }

    fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::Release);
    }
}

#[tokio::test]
async fn while_postgresql_is_unreachable_the_vault_answers_unavailable_and_recovers_by_itself() {
    if !crate::store::testing::http_tests_on_postgres() {
        eprintln!("skipped: the HTTP tests run on SQLite (CARDVAULT_TEST_STORE=postgres)");
        return;
    }
    let db = crate::store::testing::TestDatabase::create().unwrap();
    let mut url = url::Url::parse(&db.url).unwrap();
    let upstream = SocketAddr::new(
        url.host_str().unwrap().parse().unwrap(),
        url.port().unwrap(),
    );
    let relay = Relay::to(upstream);
    url.set_port(Some(relay.addr.port())).unwrap();
    let store = crate::store::Store::open_at(&crate::store::Location::Postgres {
        url: url.to_string(),
        ca: None,
    })
    .unwrap();
    let h = Harness::on(
        Setup::default(),
        tempfile::tempdir().unwrap(),
        Some(db),
        store,
    );
    let (status, _, json) = h.send(tokenize(&h, &[], seal(&h))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let token = json["token"].as_str().unwrap().to_owned();
    assert_eq!(ready(&h).await.0, StatusCode::OK);

    relay.cut();
    let (status, headers, json) = ready(&h).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
    assert_eq!(code(&json), "unavailable");
    assert_eq!(headers[header::RETRY_AFTER], "1");
    // What needs the store is 503 unavailable too (not 500 internal), and soon: a read, a
    // tokenization (nothing stored), a deletion.
    let read = || {
        Request::get(format!("/v1/tokens/{token}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.sk))
            .body(Body::empty())
            .unwrap()
    };
    let started = std::time::Instant::now();
    for req in [
        read(),
        tokenize(&h, &[], seal(&h)),
        Request::delete(format!("/v1/tokens/{token}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", h.shop.sk))
            .body(Body::empty())
            .unwrap(),
    ] {
        let (status, headers, json) = h.send(req).await;
        assert_eq!(
            (status, code(&json)),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            "{json}"
        );
        assert_eq!(headers[header::RETRY_AFTER], "1");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );

    // Back: ready again, the token still there (the deletion did not happen), no restart.
    relay.restore();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while ready(&h).await.0 != StatusCode::OK {
        assert!(std::time::Instant::now() < deadline, "not ready again");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (status, _, json) = h.send(read()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
