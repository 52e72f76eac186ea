use std::collections::BTreeSet;
use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::*;
use crate::http::test_harness::{Harness, Setup};

/// A file of the repository, by its path from the top.
pub(crate) fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// Fails unless the committed `path` is `generated`; with `CARDVAULT_BLESS=1`, writes it.
pub(crate) fn committed_is(path: &str, generated: &str) {
    let file = repo_file(path);
    if std::env::var_os("CARDVAULT_BLESS").is_some() {
        std::fs::write(&file, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is not what the server generates: run \
         `CARDVAULT_BLESS=1 cargo test -p cardvault-server --lib openapi` and commit the result"
    );
}

#[test]
fn the_committed_document_is_the_generated_one() {
    committed_is("docs/openapi.json", &DOCUMENT);
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `METHOD path` of every operation of the document on `listener` (`None`: the API's own).
fn documented(listener: Option<&str>) -> BTreeSet<String> {
    let doc = document();
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            if operation
                .get("x-cardvault-listener")
                .and_then(|l| l.as_str())
                == listener
            {
                operations.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    operations
}

/// The paths of `router`'s routes. axum offers no list of them but its `Debug`, which prints
/// each route's path (`RouteId(n): "/path"`) in its `path_router`; the `fallback_router` after
/// it holds axum's own paths for the fallback, not routes.
fn route_paths(router: &Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let (debug, fallback) = debug.split_once("fallback_router:").unwrap();
    assert!(debug.contains("path_router:") && fallback.contains("PathRouter"));
    let mut paths = BTreeSet::new();
    for piece in debug.split("RouteId(").skip(1) {
        let Some((_, rest)) = piece.split_once("): \"") else {
            continue;
        };
        let path = rest.split('"').next().unwrap();
        if !path.contains("__private__axum") {
            paths.insert(path.to_owned());
        }
    }
    paths
}

/// `METHOD path` of every operation `router` serves: for each route, the methods its `Allow`
/// header lists when asked with one it has no handler for (axum answers `405` with them; `HEAD`
/// comes with every `GET`, and is not an operation of its own in the document).
async fn served(router: &Router) -> BTreeSet<String> {
    let mut operations = BTreeSet::new();
    for path in route_paths(router) {
        let uri: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let response = router
            .clone()
            .oneshot(
                Request::builder()
                    .method("TRACE")
                    .uri(&uri)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "TRACE {uri}: a route with a TRACE handler? Give the probe another method."
        );
        let allow = response.headers()[header::ALLOW].to_str().unwrap();
        let methods: BTreeSet<&str> = allow.split(',').map(str::trim).collect();
        for method in &methods {
            if *method == "HEAD" && methods.contains("GET") {
                continue;
            }
            operations.insert(format!("{method} {path}"));
        }
    }
    operations
}

#[tokio::test]
async fn every_route_is_in_the_document_and_every_operation_is_a_route() {
    let harness = Harness::new(Setup::default());
    let api = served(&harness.app).await;
    let metrics = served(&harness.metrics).await;
    // The probe found the routes at all (a change in axum's `Debug` would find none).
    assert!(api.len() >= 10, "{api:?}");
    assert_eq!(
        metrics,
        BTreeSet::from(["GET /metrics".to_owned()]),
        "the metrics listener"
    );
    assert_eq!(
        api,
        documented(None),
        "the API's routes (left) and the document's operations (right)"
    );
    assert_eq!(metrics, documented(Some("metrics")));
    // Every route has its own label in the metrics and the audit log.
    let paths: BTreeSet<String> = api
        .iter()
        .map(|op| op.split_once(' ').unwrap().1.to_owned())
        .collect();
    let labels: BTreeSet<String> = crate::vault::ROUTES
        .iter()
        .map(|r| (*r).to_owned())
        .collect();
    assert_eq!(paths, labels, "the routes (left) and vault::ROUTES (right)");
}

#[tokio::test]
async fn the_vault_serves_the_document() {
    let harness = Harness::new(Setup::default());
    let response = harness
        .app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let served: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(served, document());
    assert_eq!(served["openapi"], "3.1.0");
}

/// Every code of every error answer the document names is one the catalogue answers with that
/// status, and every kind of the catalogue is named by some operation.
#[test]
fn the_documented_errors_are_the_catalogue_s() {
    let doc = document();
    let mut named = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for method in METHODS {
            let Some(responses) = item.get(method).map(|o| &o["responses"]) else {
                continue;
            };
            for (status, response) in responses.as_object().unwrap() {
                let schema = &response["content"]["application/json"]["schema"];
                let Some(codes) =
                    schema["properties"]["error"]["properties"]["code"]["enum"].as_array()
                else {
                    continue;
                };
                for code in codes {
                    named.insert((code.as_str().unwrap().to_owned(), status.clone()));
                }
            }
        }
    }
    let catalogue: BTreeSet<(String, String)> = ApiError::catalogue()
        .into_iter()
        .map(|e| (e.code().to_owned(), e.status().as_u16().to_string()))
        .collect();
    assert_eq!(named, catalogue);
}

/// `text` with what is between the `generated: NAME` markers replaced by `body`.
fn with_generated(text: &str, name: &str, body: &str) -> String {
    let start = format!("<!-- generated: {name} -->\n");
    let end = format!("<!-- end of generated: {name} -->");
    let (before, rest) = text.split_once(&start).expect("the start marker");
    let (_, after) = rest.split_once(&end).expect("the end marker");
    format!("{before}{start}{body}{end}{after}")
}

/// The test cards: each number's brand is what the card rules detect, and the refused ones are
/// refused with the error the table shows.
fn test_cards() -> String {
    use cardvault::card::CardNumber;
    let accepted = [
        ("4242424242424242", "visa"),
        ("4000056655665556", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3056930009020004", "diners"),
        ("3566002020360505", "jcb"),
        ("6200000000000005", "unionpay"),
        ("6759649826438453", "maestro"),
        ("2200000000000004", "mir"),
        ("5066991111111118", "elo"),
        ("6370950000000005", "hiper"),
        ("6062825624254001", "hipercard"),
    ];
    let mut table = String::from("| number | brand | the vault answers |\n| --- | --- | --- |\n");
    for (number, brand) in accepted {
        let parsed = CardNumber::parse(number).unwrap();
        assert_eq!(parsed.brand().id(), brand, "{number}");
        table.push_str(&format!(
            "| `{number}` | `{brand}` | `201` with a token |\n"
        ));
    }
    for number in ["4242424242424241", "424242424242"] {
        let error = ApiError(Error::InvalidCard(CardNumber::parse(number).unwrap_err()));
        table.push_str(&format!(
            "| `{number}` | | `{}` `{}`, `field` `{}`: {} |\n",
            error.status().as_u16(),
            error.code(),
            error.field().unwrap(),
            error.message()
        ));
    }
    table
}

/// The error codes, from the catalogue the document's error schemas come from.
fn error_codes() -> String {
    let mut table = String::from(
        "| code | status | `field` | `Retry-After` | message |\n| --- | --- | --- | --- | --- |\n",
    );
    for error in ApiError::catalogue() {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            error.code(),
            error.status().as_u16(),
            error.field().map_or(String::new(), |f| format!("`{f}`")),
            if error.retry_after().is_some() {
                "yes"
            } else {
                ""
            },
            error.message().replace('|', "\\|")
        ));
    }
    table
}

#[test]
fn the_integration_guide_s_tables_are_the_generated_ones() {
    let path = "docs/integration.md";
    let text = std::fs::read_to_string(repo_file(path)).unwrap();
    let text = with_generated(&text, "test cards", &test_cards());
    let text = with_generated(&text, "error codes", &error_codes());
    committed_is(path, &text);
}
