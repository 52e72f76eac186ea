//! The JWE Protected Header ([RFC 7516 §4]), with exactly the contract's members:
//!
//! ```json
//! {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"…","iat":1795798800,"jti":"…","aud":"pk_…"}
//! ```
//!
//! `alg` and `enc` are pinned: anything else (`RSA1_5`, `dir`, `none`, …) is refused.
//!
//! [RFC 7516 §4]: https://www.rfc-editor.org/rfc/rfc7516#section-4

use alloc::{borrow::ToOwned, string::String};

#[cfg(feature = "open")]
use super::b64;
use super::{EnvelopeError, payload};

/// The one key-management algorithm: RSAES-OAEP with SHA-256 and MGF1 with SHA-256.
pub const ALG: &str = "RSA-OAEP-256";
/// The one content-encryption algorithm: AES-256-GCM.
pub const ENC: &str = "A256GCM";

/// Bytes of randomness in a `jti` written by [`SealingKey::seal`](super::SealingKey::seal).
pub(crate) const JTI_BYTES: usize = 16;
/// The longest publishable key accepted as `aud`.
const MAX_AUD_LEN: usize = 128;

/// The checked members of a protected header other than the pinned `alg` and `enc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    kid: String,
    iat: u64,
    jti: String,
    aud: String,
}

impl Header {
    /// A header for sealing; `aud` must be a publishable key (`pk_` and letters, digits or `_`).
    pub(crate) fn new(
        kid: String,
        iat: u64,
        jti: String,
        aud: &str,
    ) -> Result<Header, EnvelopeError> {
        if !is_publishable_key(aud) {
            return Err(EnvelopeError::InvalidAudience);
        }
        Ok(Header {
            kid,
            iat,
            jti,
            aud: aud.to_owned(),
        })
    }

    /// The RFC 7638 thumbprint of the vault key the envelope is sealed to.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// When the field sealed it, in seconds since the Unix epoch.
    pub fn iat(&self) -> u64 {
        self.iat
    }

    /// The envelope's unique id (at least 128 random bits, base64url).
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The publishable key of the merchant the envelope is meant for.
    pub fn aud(&self) -> &str {
        &self.aud
    }

    /// The header's JSON, members in the contract's order. Every value is either a number or
    /// a string that needs no escaping (base64url or a checked publishable key).
    pub(crate) fn to_json(&self) -> String {
        let mut iat = String::with_capacity(20);
        payload::push_number(&mut iat, self.iat);
        let mut json = String::with_capacity(256);
        for part in [
            r#"{"alg":""#,
            ALG,
            r#"","enc":""#,
            ENC,
            r#"","kid":""#,
            &self.kid,
            r#"","iat":"#,
            &iat,
            r#","jti":""#,
            &self.jti,
            r#"","aud":""#,
            &self.aud,
            r#""}"#,
        ] {
            json.push_str(part);
        }
        json
    }

    /// Reads and checks a decoded protected header: a JSON object with exactly the contract's
    /// members, each once, `alg` and `enc` pinned, `kid` a SHA-256 thumbprint, `jti` at least
    /// 128 bits, `aud` a publishable key.
    #[cfg(feature = "open")]
    pub(crate) fn from_json(json: &[u8]) -> Result<Header, EnvelopeError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw<'a> {
            alg: &'a str,
            enc: &'a str,
            kid: &'a str,
            iat: u64,
            jti: &'a str,
            aud: &'a str,
        }
        let raw: Raw = serde_json::from_slice(json).map_err(|_| EnvelopeError::Malformed)?;
        let kid_ok = b64::decode_array::<32>(raw.kid).is_some();
        let jti_ok = b64::decode(raw.jti).is_some_and(|b| (JTI_BYTES..=64).contains(&b.len()));
        if raw.alg != ALG || raw.enc != ENC || !kid_ok || !jti_ok || !is_publishable_key(raw.aud) {
            return Err(EnvelopeError::Malformed);
        }
        Ok(Header {
            kid: raw.kid.to_owned(),
            iat: raw.iat,
            jti: raw.jti.to_owned(),
            aud: raw.aud.to_owned(),
        })
    }
}

/// `pk_` followed by 1 to 125 ASCII letters, digits or underscores.
pub(crate) fn is_publishable_key(key: &str) -> bool {
    key.len() <= MAX_AUD_LEN
        && key.strip_prefix("pk_").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

#[cfg(all(test, feature = "open"))]
mod tests {
    use super::*;

    const KID: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    const JTI: &str = "AAECAwQFBgcICQoLDA0ODw";

    fn header(json: &str) -> Result<Header, EnvelopeError> {
        Header::from_json(json.as_bytes())
    }

    #[test]
    fn round_trip() {
        let h = Header::new(KID.into(), 1_795_798_800, JTI.into(), "pk_test_1").unwrap();
        assert_eq!(header(&h.to_json()), Ok(h));
    }

    #[test]
    fn refusals() {
        let good = format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{KID}","iat":1,"jti":"{JTI}","aud":"pk_a"}}"#
        );
        assert!(header(&good).is_ok());
        let cases = [
            good.replace("RSA-OAEP-256", "RSA1_5"),
            good.replace("RSA-OAEP-256", "dir"),
            good.replace("RSA-OAEP-256", "none"),
            good.replace("RSA-OAEP-256", "RSA-OAEP"),
            good.replace("A256GCM", "A128GCM"),
            good.replace("A256GCM", "A256CBC-HS512"),
            good.replace(r#""iat":1"#, r#""iat":"1""#),
            good.replace(r#""iat":1"#, r#""iat":-1"#),
            good.replace(r#","aud":"pk_a""#, ""),
            good.replace(r#""aud":"pk_a""#, r#""aud":"sk_a""#),
            good.replace(r#""aud":"pk_a""#, r#""aud":"pk_a\"x""#),
            good.replace(r#""jti":"AAECAwQFBgcICQoLDA0ODw""#, r#""jti":"AAEC""#),
            good.replace(KID, "abc"),
            good.replace('}', r#","zip":"DEF"}"#),
            good.replace('}', r#","alg":"RSA-OAEP-256"}"#),
            format!("{good}{{}}"),
            "[]".to_owned(),
            String::new(),
        ];
        for case in &cases {
            assert_eq!(header(case), Err(EnvelopeError::Malformed), "{case}");
        }
    }

    #[test]
    fn publishable_keys() {
        assert!(is_publishable_key("pk_live_abc123"));
        assert!(!is_publishable_key("pk_"));
        assert!(!is_publishable_key("sk_abc"));
        assert!(!is_publishable_key("pk_a-b"));
        assert!(!is_publishable_key(&format!("pk_{}", "a".repeat(126))));
    }
}
