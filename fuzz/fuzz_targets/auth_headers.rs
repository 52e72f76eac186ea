//! Any bytes as request headers: the `Authorization` bearer parsing and the origin
//! normalisation never panic, and:
//!
//! - credentials are a key only for exactly one `Authorization` header of exactly `Bearer <key>`
//!   (letters, digits and `_`, at most 128), and their `Debug` never shows the key;
//! - a normalised origin is lower case `http(s)://host[:port]` with no default port, and
//!   normalising it again changes nothing.
#![no_main]

use cardvault_server::vault::{Credentials, normalize_origin};
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

    let values: Vec<&[u8]> = headers
        .get_all(http::header::AUTHORIZATION)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let shown = format!("{:?}", Credentials::from_headers(values.iter().copied()));
    let well_formed = values.len() == 1
        && values[0].strip_prefix(b"Bearer ").is_some_and(|key| {
            !key.is_empty()
                && key.len() <= 128
                && key.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        });
    match shown.as_str() {
        r#"Credentials("key")"# => assert!(well_formed),
        r#"Credentials("none")"# => assert!(values.is_empty()),
        r#"Credentials("malformed")"# => assert!(!well_formed && !values.is_empty()),
        other => panic!("credentials shown as {other}"),
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
