//! Prometheus metrics at `GET /metrics`: requests and latencies by route and status, tokens
//! created, envelopes refused by code, forwards by receiver and outcome, receivers' latency.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ForwardLabels {
    receiver: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReceiverLabels {
    receiver: String,
}

type UpstreamFamily = Family<ReceiverLabels, Histogram, fn() -> Histogram>;

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.25 ms to ~8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

/// The vault's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    tokens_created: Counter,
    refused: Family<CodeLabels, Counter>,
    forwards: Family<ForwardLabels, Counter>,
    upstream: UpstreamFamily,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("cardvault");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        let tokens_created = Counter::default();
        let refused = Family::<CodeLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register("tokens_created", "Tokens created", tokens_created.clone());
        registry.register(
            "requests_refused",
            "Requests refused, by error code",
            refused.clone(),
        );
        let forwards = Family::<ForwardLabels, Counter>::default();
        let upstream = UpstreamFamily::new_with_constructor(latency_histogram);
        registry.register(
            "forwards",
            "Forwards by receiver and outcome (ok or the error code)",
            forwards.clone(),
        );
        registry.register(
            "forward_upstream_duration_seconds",
            "Time the receiver took, connection included, by receiver",
            upstream.clone(),
        );
        Metrics {
            registry,
            forwards,
            upstream,
            requests,
            latency,
            tokens_created,
            refused,
        }
    }
}

impl Metrics {
    /// Records one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records a created token.
    pub fn token_created(&self) {
        self.tokens_created.inc();
    }

    /// Records a refusal by its error code.
    pub fn refused(&self, code: &str) {
        self.refused
            .get_or_create(&CodeLabels {
                code: code.to_owned(),
            })
            .inc();
    }

    /// Records a forward: its receiver (`-` when none was found), its outcome, and how long the
    /// receiver took when it was contacted.
    pub fn forwarded(&self, receiver: &str, outcome: &str, upstream: Option<Duration>) {
        self.forwards
            .get_or_create(&ForwardLabels {
                receiver: receiver.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        if let Some(elapsed) = upstream {
            self.upstream
                .get_or_create(&ReceiverLabels {
                    receiver: receiver.to_owned(),
                })
                .observe(elapsed.as_secs_f64());
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
