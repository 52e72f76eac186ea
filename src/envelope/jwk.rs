//! The vault's public key as a JWK ([RFC 7517]) and its thumbprint ([RFC 7638]), the `kid`.
//!
//! [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517
//! [RFC 7638]: https://www.rfc-editor.org/rfc/rfc7638

use alloc::string::String;

use rsa::BoxedUint;
use sha2::{Digest, Sha256};

use super::{EnvelopeError, RSA_BITS, b64};

/// The RFC 7638 SHA-256 thumbprint of an RSA public JWK, base64url: the digest of
/// `{"e":"…","kty":"RSA","n":"…"}` (required members only, in lexicographic order, no
/// white space). `n` and `e` are the JWK's base64url members.
pub fn thumbprint(n: &str, e: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [r#"{"e":""#, e, r#"","kty":"RSA","n":""#, n, r#""}"#] {
        hasher.update(part.as_bytes());
    }
    b64::encode(&hasher.finalize())
}

/// Decodes a JWK `n` and `e` into an RSA public key of an accepted size.
///
/// Both are unsigned big-endian integers without leading zero bytes ([RFC 7518 §6.3.1]).
///
/// [RFC 7518 §6.3.1]: https://www.rfc-editor.org/rfc/rfc7518#section-6.3.1
pub(crate) fn public_key(n: &str, e: &str) -> Result<rsa::PublicKey, EnvelopeError> {
    let integer = |text: &str| {
        let bytes = b64::decode(text).ok_or(EnvelopeError::InvalidKey)?;
        match bytes.first() {
            Some(&first) if first != 0 => Ok(BoxedUint::from_be_slice_vartime(&bytes)),
            _ => Err(EnvelopeError::InvalidKey),
        }
    };
    let (n, e) = (integer(n)?, integer(e)?);
    let bits = n.bit_width_vartime() as usize;
    if !RSA_BITS.contains(&bits) {
        return Err(EnvelopeError::InvalidKey);
    }
    rsa::PublicKey::new(n, e).map_err(|_| EnvelopeError::InvalidKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1.
    #[test]
    fn rfc7638_example() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS\
                 oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65\
                 YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr\
                 dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK\
                 nqDKgw";
        assert_eq!(
            thumbprint(n, "AQAB"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert!(public_key(n, "AQAB").is_ok());
    }

    #[test]
    fn refused_keys() {
        // 1024 bits.
        let small = b64::encode(&[0xc5; 128]);
        assert!(matches!(
            public_key(&small, "AQAB"),
            Err(EnvelopeError::InvalidKey)
        ));
        // A leading zero byte.
        let mut padded = vec![0u8];
        padded.extend([0xc5; 256]);
        assert!(matches!(
            public_key(&b64::encode(&padded), "AQAB"),
            Err(EnvelopeError::InvalidKey)
        ));
        assert!(matches!(
            public_key("not base64!", "AQAB"),
            Err(EnvelopeError::InvalidKey)
        ));
        assert!(matches!(
            public_key(&b64::encode(&[0xc5; 256]), ""),
            Err(EnvelopeError::InvalidKey)
        ));
    }
}
