//! The forward address rules on any input:
//!
//! - every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4) is refused,
//!   whatever the IPv4 address; an address is never both allowed for a loopback receiver and
//!   for a public one;
//! - a receiver URL that parses is `https` or loopback, has no credentials, query or fragment,
//!   parses again to itself from its stored form, and gives a `Host` header that is a valid
//!   authority.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use cardvault_server::forward::address::{AddressClass, ReceiverUrl, classify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = data.get(..16) {
        let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(bytes).expect("16 bytes"));
        let v4 = Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]);
        let [a, b] = [
            u16::from_be_bytes([bytes[0], bytes[1]]),
            u16::from_be_bytes([bytes[2], bytes[3]]),
        ];
        for embedded in [
            v4.to_ipv6_mapped(),
            v4.to_ipv6_compatible(),
            Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, a, b),
            Ipv6Addr::new(0x2002, a, b, 0, 0, 0, 0, 1),
        ] {
            if embedded != Ipv6Addr::LOCALHOST {
                assert_eq!(
                    classify(IpAddr::V6(embedded)),
                    AddressClass::Refused,
                    "{embedded}"
                );
            }
        }
        let _ = classify(IpAddr::V6(v6));
        let _ = classify(IpAddr::V4(v4));
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(url) = ReceiverUrl::parse(text) else {
        return;
    };
    assert!(url.is_tls() || url.is_loopback());
    let stored = url.as_str();
    assert!(!stored.contains('?') && !stored.contains('#'));
    let again = ReceiverUrl::parse(stored).expect("the stored form parses");
    assert_eq!(again, url);
    http::uri::Authority::from_str(&url.authority()).expect("a valid Host header");
    assert!(!url.base_path().ends_with('/'));
    if let Some(bytes) = data.get(..4) {
        let ip = IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]));
        for dev in [false, true] {
            if url.allows(ip, dev) {
                let class = classify(ip);
                assert_ne!(class, AddressClass::Refused);
                assert_eq!(class == AddressClass::Loopback, url.is_loopback());
            }
        }
    }
});
