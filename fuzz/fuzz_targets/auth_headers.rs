//! Any bytes as request headers: the `Authorization` bearer parsing and the origin
//! normalisation never panic, and:
//!
//! - a bearer key is what follows `Bearer ` in the first `Authorization` value, trimmed;
//! - a normalised origin is lower case `http(s)://host[:port]` with no default port, and
//!   normalising it again changes nothing.
#![no_main]

use cardvault_server::http::bearer_key;
use cardvault_server::vault::normalize_origin;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Lines of `name: value`; a line that is not a valid header is skipped.
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }

    if let Some(key) = bearer_key(&headers) {
        let first = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .expect("a key comes from an Authorization value");
        assert_eq!(first.strip_prefix("Bearer ").map(str::trim), Some(key));
    }

    for origin in headers
        .get_all(http::header::ORIGIN)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .chain(std::str::from_utf8(data).ok())
    {
        let Ok(normal) = normalize_origin(origin) else {
            continue;
        };
        assert!(normal.starts_with("https://") || normal.starts_with("http://"));
        assert_eq!(normal, normal.to_ascii_lowercase());
        assert!(!normal.ends_with(":443") || normal.starts_with("http://"));
        assert!(!normal.ends_with(":80") || normal.starts_with("https://"));
        assert_eq!(
            normalize_origin(&normal).ok().as_deref(),
            Some(normal.as_str())
        );
    }
});
