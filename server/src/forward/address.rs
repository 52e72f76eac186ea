//! Where a forward may go: a receiver's base URL, and the addresses its host may resolve to.
//!
//! Server-side request forgery is the risk here: a receiver must not be a way into the vault's
//! own network. So a receiver is an `https://` URL whose host resolves only to public unicast
//! addresses; the one exception is a loopback receiver (`http://` or `https://` on `localhost`,
//! `127.0.0.0/8` or `[::1]`), which is accepted when registered but used only while the vault
//! runs with `--dev`. The check runs twice: on the URL when the receiver is added (IP literals),
//! and on every address the host resolves to, at each forward, right before connecting to that
//! very address (so a DNS answer that changes between the two cannot slip past it).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// What an address is, for forwarding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressClass {
    /// Public unicast: forwards may go there.
    Public,
    /// `127.0.0.0/8` or `::1`: only for a loopback receiver, only in `--dev`.
    Loopback,
    /// Never: private (RFC 1918), shared (CGNAT), link-local, unspecified, multicast,
    /// broadcast, reserved, documentation and benchmarking ranges, unique-local IPv6, and every
    /// IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
    Refused,
}

/// Classifies an address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if a == 127 {
        return AddressClass::Loopback;
    }
    let refused = a == 0 // "this network", 0.0.0.0
        || a == 10 // private
        || (a == 100 && (64..=127).contains(&b)) // shared address space (CGNAT), 100.64/10
        || (a == 169 && b == 254) // link-local (cloud metadata services live here)
        || (a == 172 && (16..=31).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168) // private
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || a >= 224; // multicast 224/4, reserved 240/4, broadcast
    if refused {
        AddressClass::Refused
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip == Ipv6Addr::LOCALHOST {
        return AddressClass::Loopback;
    }
    let s = ip.segments();
    // Only global unicast (2000::/3). That excludes ::, IPv4-mapped and -compatible addresses,
    // NAT64 (64:ff9b::/96), discard-only, unique-local (fc00::/7), link-local, site-local and
    // multicast in one test.
    if s[0] & 0xe000 != 0x2000 {
        return AddressClass::Refused;
    }
    // 2001::/23: IETF protocol assignments (Teredo among them); 2001:db8::/32: documentation.
    let refused = (s[0] == 0x2001 && (s[1] < 0x0200 || s[1] == 0x0db8))
        || s[0] == 0x2002 // 6to4 (embeds an IPv4 address)
        || (s[0] == 0x3fff && s[1] < 0x1000); // documentation (RFC 9637)
    if refused {
        AddressClass::Refused
    } else {
        AddressClass::Public
    }
}

/// Why a receiver URL is not acceptable. Messages name the rule, never the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// Not an absolute URL.
    Malformed,
    /// Not `https://` (or `http://` on loopback).
    Scheme,
    /// A user name or password in the URL.
    Credentials,
    /// A query or a fragment: the base URL is a scheme, a host, a port and a path only.
    QueryOrFragment,
    /// Plain HTTP to a host that is not loopback.
    PlainHttp,
    /// An IP address that is private, link-local, reserved or otherwise not public.
    PrivateAddress,
}

impl UrlError {
    /// A sentence for the operator.
    pub fn message(self) -> &'static str {
        match self {
            UrlError::Malformed => "the receiver URL is not an absolute URL",
            UrlError::Scheme => {
                "a receiver URL must be https:// (or http:// on loopback, for --dev)"
            }
            UrlError::Credentials => "a receiver URL must not carry a user name or password",
            UrlError::QueryOrFragment => {
                "a receiver URL is a base URL: no query (?…) and no fragment (#…)"
            }
            UrlError::PlainHttp => {
                "plain http:// is accepted only for a loopback receiver (localhost, 127.0.0.1, [::1]), used only with --dev"
            }
            UrlError::PrivateAddress => {
                "the receiver's address is private, link-local or reserved: forwards go only to public hosts"
            }
        }
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for UrlError {}

/// A receiver's base URL, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiverUrl {
    url: Url,
    host: Host<String>,
    port: u16,
    loopback: bool,
}

impl ReceiverUrl {
    /// Parses and checks a base URL (WHATWG parsing, so `http://2130706433/` is seen as the
    /// loopback address it is).
    pub fn parse(text: &str) -> Result<ReceiverUrl, UrlError> {
        let url = Url::parse(text.trim()).map_err(|_| UrlError::Malformed)?;
        let tls = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(UrlError::Scheme),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Credentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlError::QueryOrFragment);
        }
        let host = url.host().ok_or(UrlError::Malformed)?.to_owned();
        let port = url.port_or_known_default().ok_or(UrlError::Malformed)?;
        let loopback = match &host {
            // A DNS name (letters, digits, `-` and `.`; the URL parser also lets through
            // characters such as a backtick, which no Host header may carry).
            Host::Domain(name)
                if !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
            {
                return Err(UrlError::Malformed);
            }
            Host::Domain(name) => name.trim_end_matches('.') == "localhost",
            Host::Ipv4(ip) => match classify_v4(*ip) {
                AddressClass::Loopback => true,
                AddressClass::Public => false,
                AddressClass::Refused => return Err(UrlError::PrivateAddress),
            },
            Host::Ipv6(ip) => match classify_v6(*ip) {
                AddressClass::Loopback => true,
                AddressClass::Public => false,
                AddressClass::Refused => return Err(UrlError::PrivateAddress),
            },
        };
        if !tls && !loopback {
            return Err(UrlError::PlainHttp);
        }
        Ok(ReceiverUrl {
            url,
            host,
            port,
            loopback,
        })
    }

    /// The normalised URL, as stored.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// `https`.
    pub fn is_tls(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// A loopback receiver: usable only while the vault runs with `--dev`.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The host.
    pub fn host(&self) -> &Host<String> {
        &self.host
    }

    /// The port (the scheme's default when none is given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `Host` header: the host, and the port when it is not the scheme's default.
    pub fn authority(&self) -> String {
        let host = match &self.host {
            Host::Ipv6(ip) => format!("[{ip}]"),
            other => other.to_string(),
        };
        match self.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        }
    }

    /// The base path without its trailing `/` (empty for the root), to which a forward's
    /// path is appended.
    pub fn base_path(&self) -> &str {
        self.url.path().trim_end_matches('/')
    }

    /// Whether `ip`, one address the host resolved to, may be connected to.
    pub fn allows(&self, ip: IpAddr, dev: bool) -> bool {
        match classify(ip) {
            AddressClass::Public => !self.loopback,
            AddressClass::Loopback => self.loopback && dev,
            AddressClass::Refused => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(ip: &str) -> AddressClass {
        classify(ip.parse().unwrap())
    }

    #[test]
    fn a_host_is_a_dns_name() {
        // Found by fuzzing: the URL parser keeps a backtick in a host.
        assert_eq!(
            ReceiverUrl::parse("https://ptAppoces`f//x"),
            Err(UrlError::Malformed)
        );
        assert!(ReceiverUrl::parse("https://api-1.Acme.example./v2").is_ok());
    }

    #[test]
    fn addresses() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "2001:4860:4860::8888",
        ] {
            assert_eq!(class(ip), AddressClass::Public, "{ip}");
        }
        for ip in ["127.0.0.1", "127.255.0.9", "::1"] {
            assert_eq!(class(ip), AddressClass::Loopback, "{ip}");
        }
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.1",
            "198.51.100.7",
            "203.0.113.7",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:8.8.8.8",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "100::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001::1",
            "2001:db8::1",
            "2002:a00:1::1",
            "3fff::1",
        ] {
            assert_eq!(class(ip), AddressClass::Refused, "{ip}");
        }
    }

    #[test]
    fn receiver_urls() {
        let r = ReceiverUrl::parse("https://api.processor.example/v2/").unwrap();
        assert!(r.is_tls() && !r.is_loopback());
        assert_eq!(r.port(), 443);
        assert_eq!(r.authority(), "api.processor.example");
        assert_eq!(r.base_path(), "/v2");
        let r = ReceiverUrl::parse("https://API.Processor.example:8443").unwrap();
        assert_eq!(r.authority(), "api.processor.example:8443");
        assert_eq!(r.base_path(), "");
        assert_eq!(r.as_str(), "https://api.processor.example:8443/");

        let r = ReceiverUrl::parse("http://127.0.0.1:9000/pay").unwrap();
        assert!(!r.is_tls() && r.is_loopback());
        assert_eq!(r.authority(), "127.0.0.1:9000");
        assert!(
            ReceiverUrl::parse("http://localhost:9000")
                .unwrap()
                .is_loopback()
        );
        let r = ReceiverUrl::parse("http://[::1]:9000").unwrap();
        assert!(r.is_loopback());
        assert_eq!(r.authority(), "[::1]:9000");
        // The WHATWG parser sees through other spellings of loopback.
        assert!(
            ReceiverUrl::parse("http://2130706433/")
                .unwrap()
                .is_loopback()
        );
        assert!(ReceiverUrl::parse("http://0x7f.1/").unwrap().is_loopback());

        for (url, error) in [
            ("processor.example", UrlError::Malformed),
            ("/relative", UrlError::Malformed),
            ("ftp://processor.example", UrlError::Scheme),
            ("file:///etc/passwd", UrlError::Scheme),
            ("https://user:pw@processor.example", UrlError::Credentials),
            ("https://processor.example/?a=b", UrlError::QueryOrFragment),
            ("https://processor.example/#x", UrlError::QueryOrFragment),
            ("http://processor.example", UrlError::PlainHttp),
            ("http://8.8.8.8", UrlError::PlainHttp),
            ("http://10.0.0.1", UrlError::PrivateAddress),
            ("https://10.0.0.1", UrlError::PrivateAddress),
            ("https://169.254.169.254/latest", UrlError::PrivateAddress),
            ("https://[fd00::1]", UrlError::PrivateAddress),
            ("https://[::ffff:127.0.0.1]", UrlError::PrivateAddress),
            ("https://0xa000001", UrlError::PrivateAddress),
        ] {
            assert_eq!(ReceiverUrl::parse(url), Err(error), "{url}");
        }
    }

    #[test]
    fn resolved_addresses() {
        let public = ReceiverUrl::parse("https://processor.example").unwrap();
        let loopback = ReceiverUrl::parse("http://localhost:9000").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for dev in [false, true] {
            assert!(public.allows(ip("8.8.8.8"), dev));
            // A public name resolving to loopback or a private address: never.
            assert!(!public.allows(ip("127.0.0.1"), dev));
            assert!(!public.allows(ip("10.0.0.1"), dev));
            assert!(!public.allows(ip("::ffff:8.8.8.8"), dev));
            assert!(!loopback.allows(ip("8.8.8.8"), dev));
            assert!(!loopback.allows(ip("192.168.0.1"), dev));
        }
        assert!(loopback.allows(ip("127.0.0.1"), true));
        assert!(loopback.allows(ip("::1"), true));
        assert!(!loopback.allows(ip("127.0.0.1"), false));
    }
}
