//! The compact serialization ([RFC 7516 §7.1]): five base64url segments joined by dots.
//!
//! [RFC 7516 §7.1]: https://www.rfc-editor.org/rfc/rfc7516#section-7.1

use alloc::string::String;

/// The five encoded segments of a compact JWE, in order.
pub(crate) struct Segments<'a> {
    pub header: &'a str,
    pub encrypted_key: &'a str,
    pub iv: &'a str,
    pub ciphertext: &'a str,
    pub tag: &'a str,
}

/// Writes the compact form.
pub(crate) fn write(s: &Segments<'_>) -> String {
    let segments = [s.header, s.encrypted_key, s.iv, s.ciphertext, s.tag];
    let mut out = String::with_capacity(segments.iter().map(|segment| segment.len() + 1).sum());
    for (i, segment) in segments.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(segment);
    }
    out
}

/// Splits a compact JWE into its five segments: exactly four dots, nothing before or after,
/// only base64url characters in each segment. Does not decode.
#[cfg_attr(not(feature = "open"), allow(dead_code))]
pub(crate) fn read(input: &[u8]) -> Option<Segments<'_>> {
    let text = core::str::from_utf8(input).ok()?;
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return None;
    }
    let mut parts = text.split('.');
    let segments = Segments {
        header: parts.next()?,
        encrypted_key: parts.next()?,
        iv: parts.next()?,
        ciphertext: parts.next()?,
        tag: parts.next()?,
    };
    parts.next().is_none().then_some(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_segments_exactly() {
        let s = read(b"a.b.c.d.e").unwrap();
        assert_eq!(
            [s.header, s.encrypted_key, s.iv, s.ciphertext, s.tag],
            ["a", "b", "c", "d", "e"]
        );
        assert_eq!(write(&s), "a.b.c.d.e");
        assert!(read(b"a.b.c.d").is_none());
        assert!(read(b"a.b.c.d.e.f").is_none());
        assert!(read(b"a.b.c.d.e\n").is_none());
        assert!(read(b" a.b.c.d.e").is_none());
        assert!(read(b"a.b.c.d.e=").is_none());
        assert!(read(b"a.b.c.d.\xff").is_none());
    }
}
