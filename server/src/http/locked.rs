//! The API of a vault started locked (`serve --master-key-shares K`): it listens from the start,
//! but until its custodians have given their shares there is no master key in memory, no vault,
//! and nothing to serve. `/healthz` answers `200` (the process is alive: do not restart it, that
//! would only lock it again), `/readyz` and every other request `503 locked`, through the same
//! layers as the real API (security headers, request id, metrics).
//!
//! The [`Gate`] is the router the listener serves: it hands each request to the locked router
//! until [`Gate::open`] is given the real one, then to that, for good. The switch is one atomic
//! read per request (`OnceLock`); a vault started with its key never has a gate.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use tower::ServiceExt;

use super::{ApiError, Metrics, Options, harden, healthz};
use crate::vault::Error;

/// The router a locked vault serves, switched once to the real one when it unlocks.
#[derive(Clone)]
pub struct Gate {
    locked: Router,
    open: Arc<OnceLock<Router>>,
}

impl Gate {
    /// A gate answering `locked`, counting into `metrics`.
    pub fn new(metrics: Arc<Metrics>, options: Options) -> Gate {
        let locked = Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(locked))
            .fallback(locked);
        Gate {
            locked: harden(locked, metrics, options),
            open: Arc::default(),
        }
    }

    /// From now on every request goes to `api` (a second call changes nothing).
    pub fn open(&self, api: Router) {
        let _ = self.open.set(api);
    }

    /// Whether [`open`](Self::open) was called.
    pub fn is_open(&self) -> bool {
        self.open.get().is_some()
    }

    /// The router to serve.
    pub fn router(&self) -> Router {
        Router::new().fallback(dispatch).with_state(self.clone())
    }
}

async fn dispatch(State(gate): State<Gate>, request: Request) -> Response {
    let router = gate.open.get().unwrap_or(&gate.locked).clone();
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn locked() -> ApiError {
    ApiError(Error::Locked)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;

    use super::*;

    async fn call(router: &Router, path: &str) -> (StatusCode, serde_json::Value, String) {
        let response = router
            .clone()
            .oneshot(
                Request::builder()
                    .uri(path)
                    .method(if path == "/v1/tokens" { "POST" } else { "GET" })
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let nosniff = response
            .headers()
            .get("x-content-type-options")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
            nosniff,
        )
    }

    #[tokio::test]
    async fn locked_until_opened() {
        let metrics = Arc::new(Metrics::default());
        let gate = Gate::new(Arc::clone(&metrics), Options::default());
        let router = gate.router();
        assert_eq!(call(&router, "/healthz").await.0, StatusCode::OK);
        for path in ["/readyz", "/v1/tokens", "/.well-known/jwks.json", "/nope"] {
            let (status, body, nosniff) = call(&router, path).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert_eq!(body["error"]["code"], "locked", "{path}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("custodians")
            );
            assert_eq!(nosniff, "nosniff");
        }
        assert!(metrics.render().contains("locked"));
        assert!(!gate.is_open());
        gate.open(Router::new().route("/readyz", get(|| async { "ready" })));
        assert!(gate.is_open());
        assert_eq!(call(&router, "/readyz").await.0, StatusCode::OK);
        assert_eq!(call(&router, "/v1/tokens").await.0, StatusCode::NOT_FOUND);
    }
}
