//! The browser assets as the binary carries them (see `build.rs`): each in its own bytes and,
//! where smaller, precompressed with gzip and brotli; and the choice among those by the
//! request's `Accept-Encoding` (RFC 9110 §12.5.3, q-values included).
//!
//! The negotiation is written here because the crates that parse `Accept-Encoding` are either
//! private parts of another (tower-http's, which compresses on the fly, costing CPU on every
//! request) or unmaintained; it is a few lines and tested below.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// One asset: what it is, and its bytes in each encoding the build made.
pub(crate) struct Asset {
    /// Its content-hashed name under `/v1/field/`; empty for the field's page and the loader.
    pub(crate) name: &'static str,
    pub(crate) content_type: &'static str,
    pub(crate) identity: &'static [u8],
    pub(crate) gzip: Option<&'static [u8]>,
    pub(crate) brotli: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The files under `/v1/field/`, by their content-hashed names.
pub(crate) const FIELD_FILES: [&Asset; 4] = [&FIELD_SCRIPT, &FIELD_CSS, &FIELD_GLUE, &FIELD_WASM];

/// A content coding the vault can answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Asset {
    /// The answer to a request with `headers`: the smallest encoding the client accepts, with
    /// `Vary: Accept-Encoding` (whichever was chosen: a cache must not give the brotli bytes to
    /// a client that did not ask for them), and `extra` headers.
    pub(crate) fn response(
        &self,
        headers: &HeaderMap,
        extra: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
    ) -> Response {
        let (coding, body) = self.negotiate(headers);
        let mut response = body.into_response();
        let out = response.headers_mut();
        out.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        match coding {
            Coding::Identity => {}
            Coding::Gzip => {
                out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            Coding::Brotli => {
                out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            }
        }
        for (name, value) in extra {
            out.insert(name, value);
        }
        response
    }

    /// The coding to answer `headers` with, and its bytes.
    pub(crate) fn negotiate(&self, headers: &HeaderMap) -> (Coding, &'static [u8]) {
        let accept = Accepted::from_headers(headers);
        // Smallest first: brotli, then gzip, each only when built (smaller than the bytes) and
        // accepted at least as much as the bytes themselves.
        let candidates = [(Coding::Brotli, self.brotli), (Coding::Gzip, self.gzip)];
        let best = candidates
            .into_iter()
            .filter_map(|(coding, bytes)| Some((coding, bytes?, accept.q(coding))))
            .filter(|(_, _, q)| *q > 0 && *q >= accept.q(Coding::Identity))
            // The highest q; among equals, the first (the smaller).
            .fold(
                None,
                |best: Option<(Coding, &'static [u8], u16)>, next| match best {
                    Some(b) if b.2 >= next.2 => Some(b),
                    _ => Some(next),
                },
            );
        match best {
            Some((coding, bytes, _)) => (coding, bytes),
            // Also when even the bytes are refused (`identity;q=0`): an answer it may not
            // decode beats none (RFC 9110 lets a server ignore the header).
            None => (Coding::Identity, self.identity),
        }
    }
}

/// The q-values (in thousandths) of a request's `Accept-Encoding`.
struct Accepted {
    /// `None`: no header, so only the bytes as they are (what every client reads).
    header: Option<Vec<(String, u16)>>,
}

impl Accepted {
    fn from_headers(headers: &HeaderMap) -> Accepted {
        let mut seen = None;
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let list: &mut Vec<(String, u16)> = seen.get_or_insert_with(Vec::new);
            // A value that is not text names nothing this vault knows.
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                if coding.is_empty() {
                    continue;
                }
                let mut q = Some(1000);
                for parameter in parts {
                    if let Some((name, value)) = parameter.split_once('=')
                        && name.trim().eq_ignore_ascii_case("q")
                    {
                        q = qvalue(value.trim());
                    }
                }
                // A malformed weight: the coding is not taken as accepted.
                list.push((coding, q.unwrap_or(0)));
            }
        }
        Accepted { header: seen }
    }

    /// How much `coding` is wanted, from 0 (refused) to 1000.
    fn q(&self, coding: Coding) -> u16 {
        let Some(list) = &self.header else {
            return if coding == Coding::Identity { 1000 } else { 0 };
        };
        let names: &[&str] = match coding {
            Coding::Identity => &["identity"],
            Coding::Gzip => &["gzip", "x-gzip"],
            Coding::Brotli => &["br"],
        };
        let named = list
            .iter()
            .filter(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, q)| *q)
            .max();
        let star = list.iter().find(|(name, _)| name == "*").map(|(_, q)| *q);
        match (named, star, coding) {
            (Some(q), _, _) => q,
            (None, Some(q), _) => q,
            // Not named and no `*`: identity stays acceptable (RFC 9110), below whatever the
            // client named; any other coding is not acceptable.
            (None, None, Coding::Identity) => 1,
            (None, None, _) => 0,
        }
    }
}

/// A `qvalue` (`0`, `0.5`, `1.000`, …) in thousandths; `None` when it is not one.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    fn coding(value: Option<&str>) -> Coding {
        let headers = value.map_or_else(HeaderMap::new, accept);
        FIELD_WASM.negotiate(&headers).0
    }

    #[test]
    fn qvalues_parse_as_rfc_9110_writes_them() {
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.001"), Some(1));
        for bad in ["1.5", "2", "0.0001", "-1", "", ".5", "0.x", "1.001"] {
            assert_eq!(qvalue(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_smallest_accepted_encoding_is_chosen() {
        // What Chromium sends.
        assert_eq!(coding(Some("gzip, deflate, br, zstd")), Coding::Brotli);
        assert_eq!(coding(Some("gzip, deflate")), Coding::Gzip);
        assert_eq!(coding(Some("x-gzip")), Coding::Gzip);
        assert_eq!(coding(Some("GZip")), Coding::Gzip);
        assert_eq!(coding(Some("deflate")), Coding::Identity);
        assert_eq!(coding(Some("gzip;q=0.5")), Coding::Gzip);
        assert_eq!(coding(Some("*")), Coding::Brotli);
        // No header: the bytes as they are. An empty one: only identity is acceptable.
        assert_eq!(coding(None), Coding::Identity);
        assert_eq!(coding(Some("")), Coding::Identity);
    }

    #[test]
    fn q_values_are_honoured() {
        assert_eq!(coding(Some("br;q=0.5, gzip")), Coding::Gzip);
        assert_eq!(coding(Some("br;q=0, gzip;q=0.1")), Coding::Gzip);
        assert_eq!(coding(Some("gzip;q=0.9, br;q=0.9")), Coding::Brotli);
        assert_eq!(coding(Some("br;q=0, gzip;q=0")), Coding::Identity);
        assert_eq!(coding(Some("*;q=0.5, br;q=0")), Coding::Gzip);
        // The bytes wanted more than either compression.
        assert_eq!(coding(Some("identity, gzip;q=0.5")), Coding::Identity);
        assert_eq!(coding(Some("identity;q=0, gzip;q=0.1")), Coding::Gzip);
        // A malformed weight refuses its coding, not the others.
        assert_eq!(coding(Some("br;q=high, gzip")), Coding::Gzip);
        assert_eq!(coding(Some("br ; Q=0.8 , gzip;q=0.7")), Coding::Brotli);
        // Refused everything: the bytes still.
        assert_eq!(coding(Some("*;q=0")), Coding::Identity);
    }

    #[test]
    fn header_lines_add_up() {
        let mut headers = accept("gzip;q=0.2");
        headers.append(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        assert_eq!(FIELD_WASM.negotiate(&headers).0, Coding::Brotli);
    }

    #[test]
    fn every_encoding_of_every_asset_decodes_to_its_bytes() {
        let all = [
            &FIELD_PAGE,
            &LOADER_SCRIPT,
            &FIELD_SCRIPT,
            &FIELD_CSS,
            &FIELD_GLUE,
            &FIELD_WASM,
        ];
        for asset in all {
            if let Some(gz) = asset.gzip {
                let mut decoded = Vec::new();
                flate2::read::GzDecoder::new(gz)
                    .read_to_end(&mut decoded)
                    .unwrap();
                assert_eq!(decoded, asset.identity, "{} gzip", asset.content_type);
                assert!(gz.len() < asset.identity.len());
            }
            if let Some(br) = asset.brotli {
                let mut decoded = Vec::new();
                brotli::Decompressor::new(br, 4096)
                    .read_to_end(&mut decoded)
                    .unwrap();
                assert_eq!(decoded, asset.identity, "{} brotli", asset.content_type);
                assert!(br.len() < asset.identity.len());
            }
        }
        // The big ones are compressed both ways, and brotli is the smaller.
        for asset in [
            &FIELD_WASM,
            &FIELD_GLUE,
            &LOADER_SCRIPT,
            &FIELD_PAGE,
            &FIELD_CSS,
        ] {
            let (Some(gz), Some(br)) = (asset.gzip, asset.brotli) else {
                panic!("{} is not compressed both ways", asset.content_type);
            };
            assert!(br.len() <= gz.len(), "{}", asset.content_type);
        }
    }

    #[test]
    fn the_files_are_named_by_their_content_and_named_by_who_loads_them() {
        let text = |asset: &Asset| std::str::from_utf8(asset.identity).unwrap().to_owned();
        let (page, script, glue) = (text(&FIELD_PAGE), text(&FIELD_SCRIPT), text(&FIELD_GLUE));
        for asset in FIELD_FILES {
            let (stem, rest) = asset.name.split_once('.').unwrap();
            let (hash, ext) = rest.split_once('.').unwrap();
            assert!(
                ["field", "cardvault", "cardvault_bg"].contains(&stem),
                "{}",
                asset.name
            );
            assert!(["js", "css", "wasm"].contains(&ext), "{}", asset.name);
            assert_eq!(hash.len(), 16, "{}", asset.name);
            assert!(
                hash.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}",
                asset.name
            );
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, asset.identity);
            let expected: String = digest.as_ref()[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hash, expected, "{} is named by its own bytes", asset.name);
        }
        for asset in FIELD_FILES {
            assert!(
                page.contains(&format!("\"/v1/field/{}\"", asset.name)),
                "the page names {}",
                asset.name
            );
        }
        assert!(script.contains(&format!("'./{}'", FIELD_GLUE.name)));
        assert!(glue.contains(&format!("\"{}\"", FIELD_WASM.name)));
    }
}
