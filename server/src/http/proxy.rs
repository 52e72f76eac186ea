//! Who the client is behind a load balancer: `serve --trusted-proxy CIDR`.
//!
//! Behind a proxy every connection comes from the proxy, so the TCP peer says nothing about the
//! shopper. The proxy says who it was talking to in `Forwarded` (RFC 7239) or `X-Forwarded-For`,
//! and over which scheme in `Forwarded: proto=` or `X-Forwarded-Proto`. Anyone can send those
//! headers, so they are read only when the TCP peer is one of the operator's trusted proxies;
//! from any other peer they are ignored and the peer is the client.
//!
//! Each proxy appends the address it received the connection from, so the list reads left to
//! right from the (claimed) client to the nearest proxy. Only the right end is trustworthy: every
//! entry left of a proxy the vault does not trust may have been written by the client itself.
//! So the list is walked from the right, from the TCP peer, over entries that are themselves
//! trusted proxies, and the first address that is not is the client's: the right-most untrusted
//! address. An entry that cannot be used (`unknown`, an obfuscated `_name`, a malformed value or
//! element) ends the walk: the client is then the last trusted hop reached, the one that wrote
//! that entry. A client cannot choose the address it is counted under that way, only get itself
//! counted as that proxy, together with everyone else whose headers did not parse.
//!
//! `Forwarded` and `X-Forwarded-For` are each walked so. A proxy that sets one passes the other
//! on as the client sent it, so with both present they must name the same client; when they
//! do not, the client is the peer, as for an unusable entry.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;

/// `X-Forwarded-For` (not among `http`'s constants).
const X_FORWARDED_FOR: &str = "x-forwarded-for";
/// `X-Forwarded-Proto`.
const X_FORWARDED_PROTO: &str = "x-forwarded-proto";

/// The scheme a request was sent with, by the client, to the first proxy or to the vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `http`.
    Http,
    /// `https`.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// `http` or `https`, in any case; nothing else is a scheme the vault is reached with.
    fn parse(value: &str) -> Option<Scheme> {
        if value.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else if value.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else {
            None
        }
    }
}

/// One `--trusted-proxy`: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` is inside (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    /// `ADDRESS/PREFIX`, or a bare address (`/32`, `/128`). Bits past the prefix must be zero:
    /// `10.0.0.1/8` is more likely a typo than a way to write `10.0.0.0/8`.
    fn from_str(value: &str) -> Result<Cidr, String> {
        let value = value.trim();
        let bad = || format!("\"{value}\" is not an IP address or ADDRESS/PREFIX (CIDR)");
        let (address, prefix) = match value.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (value, None),
        };
        let network = address.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
            Some(_) => return Err(bad()),
        };
        let cidr = Cidr { network, prefix };
        let canonical = Cidr {
            network: match network {
                IpAddr::V4(ip) => IpAddr::V4(
                    (u32::from(ip) & u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0))
                        .into(),
                ),
                IpAddr::V6(ip) => IpAddr::V6(
                    (u128::from(ip) & u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0))
                        .into(),
                ),
            },
            prefix,
        };
        if canonical != cidr {
            return Err(format!(
                "\"{value}\" has bits set past its prefix: write {canonical}"
            ));
        }
        Ok(cidr)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The proxies whose forwarding headers the vault believes; empty: none, every peer is a client.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Cidr>);

/// Who sent a request, as far as the vault can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    /// The client's address.
    pub address: IpAddr,
    /// The scheme the client used.
    pub scheme: Scheme,
}

impl TrustedProxies {
    /// The proxies in `cidrs`.
    pub fn new(cidrs: Vec<Cidr>) -> TrustedProxies {
        TrustedProxies(cidrs)
    }

    /// Whether any proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|cidr| cidr.contains(ip))
    }

    /// The client of a request that arrived from `peer` over `scheme` with `headers`: the peer
    /// and that scheme unless the peer is trusted; then what its headers say (module docs).
    pub fn client(&self, peer: IpAddr, scheme: Scheme, headers: &HeaderMap) -> Client {
        let peer = peer.to_canonical();
        let direct = Client {
            address: peer,
            scheme,
        };
        if !self.contains(peer) {
            return direct;
        }
        let forwarded = header_list(headers, FORWARDED.as_str());
        let from_forwarded = (!forwarded.is_empty()).then(|| self.walk_forwarded(peer, &forwarded));
        let hops = header_list(headers, X_FORWARDED_FOR);
        let from_x_forwarded_for = (!hops.is_empty())
            .then(|| self.walk(peer, hops.iter().map(|hop| parse_bare_node(hop))));
        let (address, proto) = match (from_forwarded, from_x_forwarded_for) {
            (Some(forwarded), None) => forwarded,
            (None, Some(address)) => (address, None),
            (Some((address, proto)), Some(other)) if address == other => (address, proto),
            // A proxy sets one of the two and passes the other on as the client sent it (nginx
            // sets X-Forwarded-For and forwards a client's `Forwarded` untouched). Which one the
            // proxy wrote cannot be told, so when they disagree neither is believed.
            (Some(_), Some(_)) | (None, None) => (peer, None),
        };
        let scheme = proto
            .or_else(|| x_forwarded_proto(headers))
            .unwrap_or(scheme);
        Client { address, scheme }
    }

    /// The right-most address of `hops` (left to right, as the header lists them) that is not a
    /// trusted proxy, starting from the trusted `peer`; at an unusable hop, the last trusted
    /// address reached. With every hop trusted, the left-most: the client runs on a proxy's
    /// address (a test, a health check from the balancer itself).
    fn walk(&self, peer: IpAddr, hops: impl DoubleEndedIterator<Item = Option<IpAddr>>) -> IpAddr {
        let mut nearest = peer;
        for hop in hops.rev() {
            let Some(hop) = hop else {
                return nearest;
            };
            if !self.contains(hop) {
                return hop;
            }
            nearest = hop;
        }
        nearest
    }

    /// [`Self::walk`] over `Forwarded` elements, with the scheme of the element the client was
    /// found in (its `proto=`: the scheme of the connection that element describes). An element
    /// that does not parse ends the walk like an unusable `for=`, and its `proto=` is not read.
    fn walk_forwarded(&self, peer: IpAddr, elements: &[&str]) -> (IpAddr, Option<Scheme>) {
        let mut nearest = (peer, None);
        for element in elements.iter().rev() {
            let Some(element) = parse_forwarded_element(element) else {
                return (nearest.0, None);
            };
            let Some(hop) = element.for_node else {
                return (nearest.0, element.proto);
            };
            if !self.contains(hop) {
                return (hop, element.proto);
            }
            nearest = (hop, element.proto);
        }
        nearest
    }
}

/// The comma-separated list made of every `name` header line, in order (RFC 9110 §5.3), split
/// outside quoted strings. A line that is not visible ASCII counts as one unusable entry.
fn header_list<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    let mut list = Vec::new();
    for line in headers.get_all(name) {
        match line.to_str() {
            Ok(line) => list.extend(split_outside_quotes(line, b',')),
            Err(_) => list.push("\u{0}"),
        }
    }
    list
}

/// `value` split at `separator`, except inside quoted strings (with `\` escapes), each part
/// trimmed; empty parts (`a,,b`, allowed by the list syntax) dropped. An unterminated quote
/// runs to the end, and that part then fails to parse.
fn split_outside_quotes(value: &str, separator: u8) -> impl Iterator<Item = &str> {
    let bytes = value.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if !quoted && b == separator {
            parts.push(&value[start..i]);
            start = i + 1;
        }
    }
    parts.push(&value[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|part| !part.is_empty())
}

/// One `Forwarded` element's parameters that the vault reads.
struct ForwardedElement {
    /// `for=`, when it is an address (not `unknown`, not obfuscated); `None` also without `for=`.
    for_node: Option<IpAddr>,
    /// `proto=`, when it is `http` or `https`.
    proto: Option<Scheme>,
}

/// `forwarded-pair *( ";" forwarded-pair )`, `forwarded-pair = token "=" value`, `value = token
/// / quoted-string` (RFC 7239 §4); a parameter at most once per element. `None` when the element
/// does not follow that grammar. An unquoted value is taken up to the next `;` whatever its
/// characters, so that `for=192.0.2.1:80` (which RFC 7239 wants quoted) still reads.
fn parse_forwarded_element(element: &str) -> Option<ForwardedElement> {
    let mut parsed = ForwardedElement {
        for_node: None,
        proto: None,
    };
    let (mut seen_for, mut seen_proto) = (false, false);
    let mut others: Vec<String> = Vec::new();
    for pair in split_outside_quotes(element, b';') {
        let (name, value) = pair.split_once('=')?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return None;
        }
        let value = unquote(value.trim())?;
        if name.eq_ignore_ascii_case("for") {
            if std::mem::replace(&mut seen_for, true) {
                return None;
            }
            parsed.for_node = match parse_node(&value)? {
                Node::Address(ip) => Some(ip),
                Node::Hidden => None,
            };
        } else if name.eq_ignore_ascii_case("proto") {
            if std::mem::replace(&mut seen_proto, true) {
                return None;
            }
            parsed.proto = Scheme::parse(&value);
        } else {
            let name = name.to_ascii_lowercase();
            if others.contains(&name) {
                return None;
            }
            others.push(name);
        }
    }
    Some(parsed)
}

/// RFC 9110 §5.6.2's `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A parameter's value: a quoted string without its quotes and escapes, or the text as it is;
/// `None` for a quote that does not close at the end, or quotes or spaces in an unquoted value.
fn unquote(value: &str) -> Option<String> {
    match value.strip_prefix('"') {
        Some(rest) => {
            let mut out = String::with_capacity(rest.len());
            let mut chars = rest.chars();
            loop {
                match chars.next()? {
                    '\\' => out.push(chars.next()?),
                    '"' => break,
                    c => out.push(c),
                }
            }
            chars.as_str().is_empty().then_some(out)
        }
        None => (!value.is_empty() && !value.contains(['"', ' ', '\t'])).then(|| value.to_owned()),
    }
}

/// A `for=` node.
enum Node {
    /// An address.
    Address(IpAddr),
    /// `unknown` or an obfuscated name (`_hidden`): a proxy that will not say.
    Hidden,
}

/// RFC 7239 §6's `node`, `None` when it is not one. Ports (and obfuscated ports) are allowed and
/// dropped; a bare IPv6 address without brackets is taken too, as some proxies write it so.
fn parse_node(node: &str) -> Option<Node> {
    if node.eq_ignore_ascii_case("unknown") {
        return Some(Node::Hidden);
    }
    if let Some(name) = node.strip_prefix('_') {
        let (name, port) = match name.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (name, None),
        };
        return (is_obfuscated(name) && port.is_none_or(is_port)).then_some(Node::Hidden);
    }
    parse_bare_node(node).map(Node::Address)
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`,
/// `[2001:db8::1]:4711` or `2001:db8::1`; `None` for anything else.
fn parse_bare_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Some(rest) = node.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return address
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|ip| IpAddr::V6(ip).to_canonical());
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let (address, port) = node.split_once(':')?;
    if !is_port(port) {
        return None;
    }
    address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// `port = 1*5DIGIT` (at most 65535) or `obfport = "_" 1*(ALPHA / DIGIT / "." / "_" / "-")`.
fn is_port(port: &str) -> bool {
    match port.strip_prefix('_') {
        Some(obfuscated) => is_obfuscated(obfuscated),
        None => {
            (1..=5).contains(&port.len())
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok()
        }
    }
}

/// What follows the `_` of an obfuscated name or port.
fn is_obfuscated(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// `X-Forwarded-Proto`, when it is one value, `http` or `https`. A list (several proxies each
/// appending their own) or several lines are ambiguous, and ignored: the nearest proxy's entry
/// would be the scheme of the hop between two proxies, the left-most could be the client's.
fn x_forwarded_proto(headers: &HeaderMap) -> Option<Scheme> {
    let mut lines = headers.get_all(X_FORWARDED_PROTO).iter();
    let value = lines.next()?.to_str().ok()?;
    if lines.next().is_some() {
        return None;
    }
    Scheme::parse(value.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const PEER: [u8; 4] = [10, 0, 0, 2];

    fn trusted(cidrs: &[&str]) -> TrustedProxies {
        TrustedProxies::new(cidrs.iter().map(|c| c.parse().unwrap()).collect())
    }

    fn lb() -> TrustedProxies {
        trusted(&["10.0.0.0/24", "fd00::/8"])
    }

    fn headers(lines: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in lines {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn client_from(
        proxies: &TrustedProxies,
        peer: impl Into<IpAddr>,
        lines: &[(&str, &str)],
    ) -> Client {
        proxies.client(peer.into(), Scheme::Http, &headers(lines))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidrs_parse_as_written_and_match_their_range() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.255.1.2")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        assert!(!net.contains(ip("::1")));
        let host: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(host.to_string(), "192.0.2.7/32");
        assert!(host.contains(ip("192.0.2.7")) && !host.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert_eq!("::1".parse::<Cidr>().unwrap().to_string(), "::1/128");
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")) && !all.contains(ip("2001:db8::1")));
        assert!("::/0".parse::<Cidr>().unwrap().contains(ip("2001:db8::1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0/8",
            "example.com",
            "10.0.0.0/8/8",
            "[::1]",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad} was taken");
        }
        let typo = "10.0.0.1/8".parse::<Cidr>().unwrap_err();
        assert!(typo.contains("10.0.0.0/8"), "{typo}");
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let spoofed = [
            ("forwarded", "for=198.51.100.1;proto=https"),
            ("x-forwarded-for", "198.51.100.1"),
            ("x-forwarded-proto", "https"),
        ];
        let c = client_from(&lb(), [203, 0, 113, 7], &spoofed);
        assert_eq!(c.address, ip("203.0.113.7"));
        assert_eq!(c.scheme, Scheme::Http);
        // Nobody trusted: the default.
        let c = client_from(&TrustedProxies::default(), PEER, &spoofed);
        assert_eq!(c.address, ip("10.0.0.2"));
        assert_eq!(c.scheme, Scheme::Http);
    }

    #[test]
    fn x_forwarded_for_gives_the_right_most_untrusted_address() {
        let p = lb();
        // One proxy: the address it saw.
        let c = client_from(&p, PEER, &[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(c.address, ip("198.51.100.1"));
        // The client sent its own header, the proxy appended: the client cannot choose.
        let c = client_from(
            &p,
            PEER,
            &[("x-forwarded-for", "192.0.2.99, 1.1.1.1, 198.51.100.1")],
        );
        assert_eq!(c.address, ip("198.51.100.1"));
        // Several hops of trusted proxies are walked over.
        let c = client_from(
            &p,
            PEER,
            &[(
                "x-forwarded-for",
                "192.0.2.99, 198.51.100.1, 10.0.0.5, 10.0.0.9",
            )],
        );
        assert_eq!(c.address, ip("198.51.100.1"));
        // Several lines are one list, in order.
        let c = client_from(
            &p,
            PEER,
            &[
                ("x-forwarded-for", "192.0.2.99, 198.51.100.1"),
                ("x-forwarded-for", "10.0.0.5"),
            ],
        );
        assert_eq!(c.address, ip("198.51.100.1"));
        // Every hop trusted: the left-most, the client sits on a proxy's network.
        let c = client_from(&p, PEER, &[("x-forwarded-for", "10.0.0.7, 10.0.0.5")]);
        assert_eq!(c.address, ip("10.0.0.7"));
        // No header from a trusted peer: the peer itself (a health check from the balancer).
        assert_eq!(client_from(&p, PEER, &[]).address, ip("10.0.0.2"));
        // Ports, brackets and IPv6 as proxies write them.
        for (value, expected) in [
            ("198.51.100.1:4711", "198.51.100.1"),
            ("[2001:db8::1]:4711", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("::ffff:198.51.100.1", "198.51.100.1"),
            (" 198.51.100.1 ,, ", "198.51.100.1"),
        ] {
            let c = client_from(&p, PEER, &[("x-forwarded-for", value)]);
            assert_eq!(c.address, ip(expected), "{value}");
        }
    }

    #[test]
    fn an_unusable_hop_ends_the_walk_at_the_proxy_that_wrote_it() {
        let p = lb();
        for value in [
            "unknown",
            "198.51.100.1, garbage",
            "198.51.100.1, 198.51.100.2:99999",
            "198.51.100.1, [2001:db8::1",
            "198.51.100.1, _hidden",
            "198.51.100.1, 4242424242424242",
        ] {
            let c = client_from(&p, PEER, &[("x-forwarded-for", value)]);
            assert_eq!(c.address, ip("10.0.0.2"), "{value}");
        }
        // Behind a second trusted proxy: that proxy, the nearest trusted hop.
        let c = client_from(
            &p,
            PEER,
            &[("x-forwarded-for", "198.51.100.1, unknown, 10.0.0.5")],
        );
        assert_eq!(c.address, ip("10.0.0.5"));
        // Bytes that are not visible ASCII.
        let mut map = HeaderMap::new();
        map.insert(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"198.51.100.1, \xff").unwrap(),
        );
        assert_eq!(
            p.client(ip("10.0.0.2"), Scheme::Http, &map).address,
            ip("10.0.0.2")
        );
        // Left of an untrusted address, nothing is read: garbage there is the client's own.
        let c = client_from(&p, PEER, &[("x-forwarded-for", "garbage, 198.51.100.1")]);
        assert_eq!(c.address, ip("198.51.100.1"));
    }

    #[test]
    fn forwarded_elements_are_read_as_rfc_7239_writes_them() {
        let p = lb();
        for (value, expected) in [
            ("for=198.51.100.1", "198.51.100.1"),
            ("For=198.51.100.1", "198.51.100.1"),
            ("for=\"198.51.100.1:4711\"", "198.51.100.1"),
            ("for=198.51.100.1:4711", "198.51.100.1"),
            ("for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            ("for=\"[2001:db8:cafe::17]\"", "2001:db8:cafe::17"),
            ("for=\"[2001:db8::17]:_port\"", "2001:db8::17"),
            (
                "for=192.0.2.43;proto=http;by=203.0.113.43;host=\"a.example\"",
                "192.0.2.43",
            ),
            ("proto=https; for = 192.0.2.43", "192.0.2.43"),
            ("for=192.0.2.1, for=198.51.100.17", "198.51.100.17"),
            (
                "for=192.0.2.1, for=198.51.100.17, for=10.0.0.5",
                "198.51.100.17",
            ),
            ("for=\"\\1\\9\\8.51.100.17\"", "198.51.100.17"),
        ] {
            let c = client_from(&p, PEER, &[("forwarded", value)]);
            assert_eq!(c.address, ip(expected), "{value}");
        }
        // Several lines are one list.
        let c = client_from(
            &p,
            PEER,
            &[
                ("forwarded", "for=192.0.2.1"),
                ("forwarded", "for=198.51.100.17;proto=https"),
                ("forwarded", "for=\"[fd00::5]\""),
            ],
        );
        assert_eq!(c.address, ip("198.51.100.17"));
        assert_eq!(c.scheme, Scheme::Https);
        // Both: believed when they agree (a proxy that writes both)…
        let c = client_from(
            &p,
            PEER,
            &[
                ("forwarded", "for=198.51.100.17;proto=https"),
                ("x-forwarded-for", "192.0.2.1, 198.51.100.17"),
            ],
        );
        assert_eq!(c.address, ip("198.51.100.17"));
        assert_eq!(c.scheme, Scheme::Https);
        // …and neither when they do not: one came from the client, through a proxy that sets
        // only the other (nginx passes a client's Forwarded on untouched).
        for (forwarded, x_forwarded_for) in [
            ("for=192.0.2.66", "198.51.100.99"),
            ("for=198.51.100.99", "198.51.100.99, garbage"),
            ("for=unknown", "198.51.100.99"),
        ] {
            let c = client_from(
                &p,
                PEER,
                &[
                    ("forwarded", forwarded),
                    ("x-forwarded-for", x_forwarded_for),
                ],
            );
            assert_eq!(c.address, ip("10.0.0.2"), "{forwarded} / {x_forwarded_for}");
        }
    }

    #[test]
    fn a_forwarded_element_that_does_not_parse_is_not_believed() {
        let p = lb();
        for value in [
            "for=unknown",
            "for=_hidden",
            "for=\"_hidden:_port\"",
            "for=198.51.100.1;for=198.51.100.2",
            "for=198.51.100.1;proto=https;proto=http",
            "by=1;by=2;for=198.51.100.1",
            "for=\"198.51.100.1",
            "for=\"198.51.100.1\"x",
            "for=198.51.100.1 x",
            "for",
            "=198.51.100.1",
            "f(r=198.51.100.1",
            "for=2001:db8::1:99999",
            "for=\"[2001:db8::1]:port\"",
            "for=_",
            "for=",
            "for=example.com",
        ] {
            let c = client_from(&p, PEER, &[("forwarded", value)]);
            assert_eq!(c.address, ip("10.0.0.2"), "{value}");
        }
        // An element without for= is a hop that did not say: the walk ends at it.
        let c = client_from(&p, PEER, &[("forwarded", "for=198.51.100.1, proto=https")]);
        assert_eq!(c.address, ip("10.0.0.2"));
        // A client's own unparsable element left of the proxy's is not read.
        let c = client_from(&p, PEER, &[("forwarded", "for=;;;, for=198.51.100.1")]);
        assert_eq!(c.address, ip("198.51.100.1"));
        // An unterminated quote swallows what follows: nothing the proxy wrote can be told
        // from the client's, so the proxy is the client.
        let c = client_from(&p, PEER, &[("forwarded", "for=\"x, for=198.51.100.1")]);
        assert_eq!(c.address, ip("10.0.0.2"));
    }

    #[test]
    fn the_scheme_is_the_original_one_only_from_a_trusted_proxy() {
        let p = lb();
        let https = |lines: &[(&str, &str)]| client_from(&p, PEER, lines).scheme;
        assert_eq!(https(&[("x-forwarded-proto", "https")]), Scheme::Https);
        assert_eq!(https(&[("x-forwarded-proto", "HTTPS")]), Scheme::Https);
        assert_eq!(https(&[("x-forwarded-proto", "http")]), Scheme::Http);
        // Anything else, lists and repeats: the connection's own scheme.
        for ambiguous in [
            &[("x-forwarded-proto", "ftp")][..],
            &[("x-forwarded-proto", "https, http")],
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-proto", "https"),
            ],
            &[("x-forwarded-proto", "")],
        ] {
            assert_eq!(https(ambiguous), Scheme::Http, "{ambiguous:?}");
        }
        // Forwarded: the proto of the element that named the client.
        assert_eq!(
            https(&[(
                "forwarded",
                "for=198.51.100.1;proto=https, for=10.0.0.5;proto=http"
            )]),
            Scheme::Https
        );
        assert_eq!(
            https(&[(
                "forwarded",
                "for=198.51.100.1;proto=http;by=x, for=10.0.0.5;proto=https"
            )]),
            Scheme::Http
        );
        // …and without one, X-Forwarded-Proto.
        assert_eq!(
            https(&[
                ("forwarded", "for=198.51.100.1"),
                ("x-forwarded-proto", "https")
            ]),
            Scheme::Https
        );
        assert_eq!(
            https(&[("forwarded", "for=198.51.100.1;proto=gopher")]),
            Scheme::Http
        );
        // A malformed element's proto is not read.
        assert_eq!(
            https(&[("forwarded", "for=198.51.100.1;proto=https;proto=https")]),
            Scheme::Http
        );
        // Over TLS to the vault with nothing said: https.
        let c = p.client(ip("10.0.0.2"), Scheme::Https, &HeaderMap::new());
        assert_eq!(c.scheme, Scheme::Https);
        // From an untrusted peer, a claimed https is not believed (and HSTS not sent for it).
        let c = client_from(&p, [203, 0, 113, 7], &[("x-forwarded-proto", "https")]);
        assert_eq!(c.scheme, Scheme::Http);
    }

    #[test]
    fn ipv6_peers_and_mapped_addresses() {
        let p = lb();
        let c = client_from(
            &p,
            ip("fd00::1"),
            &[("forwarded", "for=\"[2001:db8::9]:1234\"")],
        );
        assert_eq!(c.address, ip("2001:db8::9"));
        // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d.
        let c = client_from(
            &p,
            ip("::ffff:10.0.0.2"),
            &[("x-forwarded-for", "198.51.100.1")],
        );
        assert_eq!(c.address, ip("198.51.100.1"));
        let c = client_from(&p, ip("::ffff:203.0.113.7"), &[]);
        assert_eq!(c.address, ip("203.0.113.7"));
        // A trusted chain across families.
        let c = client_from(
            &p,
            PEER,
            &[("x-forwarded-for", "2001:db8::9, fd00::3, 10.0.0.4")],
        );
        assert_eq!(c.address, ip("2001:db8::9"));
    }
}
