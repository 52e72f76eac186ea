//! base64url without padding ([RFC 7515 §2]), strict: a non-canonical encoding (stray bits in
//! the last character) is refused, so every change to an encoded segment changes its bytes.
//!
//! [RFC 7515 §2]: https://www.rfc-editor.org/rfc/rfc7515#section-2

use alloc::{string::String, vec::Vec};

use base64ct::{Base64UrlUnpadded, Encoding};

pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// Decodes into a fixed-size array; `None` unless the length is exactly `N`.
#[cfg_attr(not(feature = "open"), allow(dead_code))]
pub(crate) fn decode_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    match Base64UrlUnpadded::decode(text, &mut out) {
        Ok(decoded) if decoded.len() == N => Some(out),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict() {
        assert_eq!(decode("AQAB"), Some(vec![1, 0, 1]));
        assert_eq!(decode("AQAB="), None);
        assert_eq!(decode("AQ+B"), None);
        // "AR" would carry stray low bits for a single byte.
        assert_eq!(decode("AQ"), Some(vec![1]));
        assert_eq!(decode("AR"), None);
        assert_eq!(decode_array::<3>("AQAB"), Some([1, 0, 1]));
        assert_eq!(decode_array::<2>("AQAB"), None);
        assert_eq!(decode_array::<4>("AQAB"), None);
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }
}
