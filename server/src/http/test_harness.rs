//! What the HTTP tests share: a vault in a temporary data dir, its router (requests go through
//! `oneshot`, no socket), two merchants, and the key the field would seal to.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use cardvault::card::YearMonth;
use cardvault::envelope::SealingKey;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::{AppState, Limits, Options, router};
use crate::forward::client::Client;
use crate::keys::MasterKey;
use crate::store::Store;
use crate::store::testing::{self, TestDatabase};
use crate::vault::{Config, NewMerchant, Vault, now_unix};

/// The card number the tests seal.
pub(crate) const PAN: &str = "4242424242424242";

/// `offset` years from this year: the tests' cards expire relative to today, so that no test
/// starts failing in some later year.
pub(crate) fn year(offset: i16) -> u32 {
    u32::try_from(i32::from(YearMonth::now().year) + i32::from(offset)).unwrap()
}

/// The year the tests' cards expire in: a few years ahead of today.
pub(crate) fn exp_year() -> u32 {
    year(4)
}

/// When the field "sealed" a card whose expiry has passed by now: January, two years ago.
pub(crate) fn sealed_long_ago() -> YearMonth {
    YearMonth {
        year: u16::try_from(year(-2)).unwrap(),
        month: 1,
    }
}

/// A merchant the harness made, with its keys.
pub(crate) struct Merchant {
    pub(crate) id: String,
    pub(crate) pk: String,
    pub(crate) sk: String,
}

/// How to build a [`Harness`].
pub(crate) struct Setup {
    /// The vault's configuration.
    pub(crate) config: Config,
    /// The rate limits (none by default).
    pub(crate) limits: Limits,
    /// Another forwarding client (other trust roots or limits).
    pub(crate) forwarder: Option<Client>,
    /// Whether `shop` requires a CVC (`other` never does).
    pub(crate) shop_requires_cvc: bool,
    /// The HTTP layer's options (plain HTTP, no trusted proxy by default).
    pub(crate) options: Options,
    /// The TCP peer every request comes from.
    pub(crate) peer: SocketAddr,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            config: Config::default(),
            limits: Limits {
                per_key_per_minute: 0,
                per_client_per_minute: 0,
            },
            forwarder: None,
            shop_requires_cvc: false,
            options: Options::default(),
            peer: SocketAddr::from(([203, 0, 113, 7], 40000)),
        }
    }
}

/// A vault, its router, and merchants `shop` and `other` (origin `https://shop.example`).
pub(crate) struct Harness {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) app: Router,
    /// `/metrics`, as `serve --metrics-listen` serves it.
    pub(crate) metrics: Router,
    pub(crate) vault: Arc<Vault>,
    pub(crate) sealing: SealingKey,
    pub(crate) shop: Merchant,
    pub(crate) other: Merchant,
    /// The vault's PostgreSQL database, when the tests run on PostgreSQL
    /// (`CARDVAULT_TEST_STORE=postgres`); dropped after the vault.
    pub(crate) _db: Option<TestDatabase>,
}

impl Harness {
    /// A fresh vault as `setup` says. Requests come from `setup.peer` (by default client
    /// address 203.0.113.7).
    pub(crate) fn new(setup: Setup) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let db = testing::http_tests_on_postgres()
            .then(|| TestDatabase::create().expect("a test database"));
        let store = match &db {
            Some(db) => db.open(),
            None => Store::open(&dir.path().join("data")).unwrap(),
        };
        Harness::on(setup, dir, db, store)
    }

    /// A fresh vault on `store` (in `dir` or on `db`, which live as long as the harness).
    pub(crate) fn on(
        setup: Setup,
        dir: tempfile::TempDir,
        db: Option<TestDatabase>,
        store: Store,
    ) -> Harness {
        let config = Config {
            limits: setup.limits,
            ..setup.config
        };
        let mut vault = Vault::open(store, MasterKey::generate().unwrap(), config).unwrap();
        if let Some(forwarder) = setup.forwarder {
            vault.set_forwarder(forwarder);
        }
        let vault = Arc::new(vault);
        let shop = merchant(&vault, "Shop", setup.shop_requires_cvc);
        let other = merchant(&vault, "Other", false);
        let jwk = vault.keyring().jwks(now_unix()).remove(0);
        let sealing = SealingKey::from_jwk(&jwk.n, &jwk.e).unwrap();
        let state = AppState::new(Arc::clone(&vault));
        let metrics = super::metrics_router(Arc::clone(&state.metrics));
        let app = router(state, setup.options).layer(MockConnectInfo(setup.peer));
        Harness {
            _dir: dir,
            _db: db,
            app,
            metrics,
            vault,
            sealing,
            shop,
            other,
        }
    }

    /// Sends `req` through the router: the status, the headers and the body as JSON (`Null`
    /// when it is not JSON).
    pub(crate) async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, headers, json)
    }
}

/// A merchant of `vault` allowed on `https://shop.example`.
pub(crate) fn merchant(vault: &Vault, name: &str, require_cvc: bool) -> Merchant {
    let (record, secret) = vault
        .create_merchant(NewMerchant {
            name: name.into(),
            origins: vec!["https://shop.example".into()],
            token_ttl_secs: None,
            require_cvc,
        })
        .unwrap();
    Merchant {
        id: record.id,
        pk: record.publishable_key,
        sk: secret.to_string(),
    }
}

/// An error answer's `error.code`.
pub(crate) fn code(json: &Value) -> &str {
    json["error"]["code"].as_str().unwrap_or("")
}
