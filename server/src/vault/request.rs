//! What the vault knows about a request before it knows who sent it, in forms a client cannot
//! choose: the audit log and the metrics hold these and nothing else of the request.
//!
//! A client chooses every byte of its request: a method, a path, a header can be a card number
//! pasted by mistake or on purpose, and the audit log is permanent (a hash chain cannot be
//! cleaned without breaking it). So the request id is the vault's own (an incoming
//! `X-Request-Id` is never read), the method is one of a known set or `other`, and the route is
//! one of the vault's own routes or `unmatched`, never the path that was sent.

use std::net::IpAddr;

use crate::keys;

/// The methods named as such; any other is `other`.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The vault's routes, as the router names them (its matched paths); any other is `unmatched`.
pub const ROUTES: &[&str] = &[
    "/v1/tokens",
    "/v1/tokens/{token}",
    "/v1/forward",
    "/v1/field",
    "/v1/field/{file}",
    "/v1/cardvault.js",
    "/.well-known/jwks.json",
    "/healthz",
    "/readyz",
    "/openapi.json",
];

/// A request's method: one of [`METHODS`] or `other`.
pub fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

/// A request's route: one of [`ROUTES`] (the router's matched path) or `unmatched`.
pub fn route_label(matched: Option<&str>) -> &'static str {
    matched
        .and_then(|path| ROUTES.iter().find(|route| **route == path).copied())
        .unwrap_or("unmatched")
}

/// One request, as the vault records it.
#[derive(Clone, Debug)]
pub struct RequestContext {
    id: String,
    client: Option<IpAddr>,
    method: &'static str,
    route: &'static str,
    own_origin: Option<String>,
}

impl RequestContext {
    /// A request with a new id of the vault's: `method` and `matched` (the router's matched
    /// path) are reduced to their labels; `own_origin` is the origin the vault is reached at for
    /// this request (its scheme and the `Host` it was sent to), the field's origin.
    pub fn new(
        client: Option<IpAddr>,
        method: &str,
        matched: Option<&str>,
        own_origin: Option<String>,
    ) -> RequestContext {
        // 64 random bits; without randomness a fixed id says so rather than failing the request.
        let id = keys::random_id("req_", 8).unwrap_or_else(|_| "req_unknown".to_owned());
        RequestContext {
            id,
            client,
            method: method_label(method),
            route: route_label(matched),
            own_origin,
        }
    }

    /// The request id: `req_` and 16 hex digits, made by the vault.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client's address, when served from a socket.
    pub fn client(&self) -> Option<IpAddr> {
        self.client
    }

    /// The method's label.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The route's label.
    pub fn route(&self) -> &'static str {
        self.route
    }

    /// The origin the vault is reached at (`scheme://host[:port]`, normalised), if known.
    pub fn own_origin(&self) -> Option<&str> {
        self.own_origin.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("get"), "other");
        assert_eq!(method_label("4111111111111111"), "other");
        assert_eq!(
            route_label(Some("/v1/tokens/{token}")),
            "/v1/tokens/{token}"
        );
        assert_eq!(
            route_label(Some("/v1/tokens/4111111111111111")),
            "unmatched"
        );
        assert_eq!(route_label(None), "unmatched");
    }

    #[test]
    fn request_ids_are_the_vaults() {
        let a = RequestContext::new(None, "GET", None, None);
        let b = RequestContext::new(None, "GET", None, None);
        assert!(
            a.id().starts_with("req_") && a.id().len() == 20,
            "{}",
            a.id()
        );
        assert_ne!(a.id(), b.id());
    }
}
