//! The merchant's request template: placeholders in header values and the body, and the path.
//!
//! A placeholder is `{{card.NAME}}` (white space allowed inside the braces) with NAME one of
//! `number`, `cvc`, `exp_month`, `exp_year`, `name`, `last4`, `brand`. Anything that looks like a
//! card placeholder but is not one of these is refused rather than sent as it is: a typo must not
//! reach a processor. Other `{{…}}` text (a processor's own templating, say) is left alone.

use core::fmt;

use zeroize::Zeroizing;

/// One of the contract's placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// `{{card.number}}`: the digits.
    Number,
    /// `{{card.cvc}}`: usable by one forward.
    Cvc,
    /// `{{card.exp_month}}`: 1 to 12, without a leading zero.
    ExpMonth,
    /// `{{card.exp_year}}`: four digits.
    ExpYear,
    /// `{{card.name}}`: the cardholder's name, empty when none was given.
    Name,
    /// `{{card.last4}}`.
    Last4,
    /// `{{card.brand}}`: the brand id (`visa`, …).
    Brand,
}

impl Placeholder {
    fn from_name(name: &str) -> Option<Placeholder> {
        Some(match name {
            "number" => Placeholder::Number,
            "cvc" => Placeholder::Cvc,
            "exp_month" => Placeholder::ExpMonth,
            "exp_year" => Placeholder::ExpYear,
            "name" => Placeholder::Name,
            "last4" => Placeholder::Last4,
            "brand" => Placeholder::Brand,
            _ => return None,
        })
    }
}

/// A template that names an unknown card placeholder, leaves one unclosed, or puts one where
/// its value cannot be escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadPlaceholder;

/// A piece of a parsed template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Card(Placeholder),
}

/// A template, parsed: text and placeholders. Its `Debug` shows the placeholders and how much
/// text there is, never the text: a merchant's header values carry its processor credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Template<'a> {
    pieces: Vec<Piece<'a>>,
}

impl fmt::Debug for Template<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: usize = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.len(),
                Piece::Card(_) => 0,
            })
            .sum();
        let placeholders: Vec<Placeholder> = self
            .pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Card(placeholder) => Some(*placeholder),
                Piece::Text(_) => None,
            })
            .collect();
        f.debug_struct("Template")
            .field("text_bytes", &text)
            .field("placeholders", &placeholders)
            .finish()
    }
}

impl<'a> Template<'a> {
    /// Parses `text`.
    pub fn parse(text: &'a str) -> Result<Template<'a>, BadPlaceholder> {
        let mut pieces = Vec::new();
        let mut text_start = 0;
        let mut at = 0;
        while let Some(found) = text.get(at..).and_then(|rest| rest.find("{{")) {
            let open = at + found;
            let inner_start = open + 2;
            let rest = text.get(inner_start..).unwrap_or_default();
            let close = rest.find("}}");
            let inner = close.map_or(rest, |c| rest.get(..c).unwrap_or_default());
            let name = inner.trim_start();
            if let Some(name) = name.strip_prefix("card.") {
                let close = close.ok_or(BadPlaceholder)?;
                let placeholder = Placeholder::from_name(name.trim_end()).ok_or(BadPlaceholder)?;
                if open > text_start {
                    pieces.push(Piece::Text(text.get(text_start..open).unwrap_or_default()));
                }
                pieces.push(Piece::Card(placeholder));
                text_start = inner_start + close + 2;
                at = text_start;
            } else {
                // Not ours; look again one character on (`{{{card.cvc}}}` is a placeholder in
                // braces).
                at = open + 1;
            }
        }
        if text_start < text.len() {
            pieces.push(Piece::Text(text.get(text_start..).unwrap_or_default()));
        }
        Ok(Template { pieces })
    }

    /// The placeholders used, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Card(p) => Some(*p),
            Piece::Text(_) => None,
        })
    }

    /// Checks that the template can be filled where values are written with `escape`. A name
    /// is free text (`&`, `=`, `"`, `,`, `;`…): only where the vault escapes it for what holds
    /// it (a JSON string, a form value) can it not add fields to the receiver's request. A
    /// header value has no escaping every receiver reads alike (a `,` starts another element
    /// of a list, a `;` a parameter), so a name is refused there, as in a body of another type.
    pub fn check_escape(&self, escape: Escape) -> Result<(), BadPlaceholder> {
        if escape == Escape::None && self.uses(Placeholder::Name) {
            return Err(BadPlaceholder);
        }
        Ok(())
    }

    /// Whether the template uses `placeholder`.
    pub fn uses(&self, placeholder: Placeholder) -> bool {
        self.placeholders().any(|p| p == placeholder)
    }

    /// Fills the template. `value` gives each placeholder's value (`None`: not available,
    /// which fails the fill with that placeholder); values are escaped for where they land (only
    /// a name can need it). The result is allocated once, at its final size, in a buffer that is
    /// zeroized when dropped.
    pub fn fill<'v>(
        &self,
        value: impl Fn(Placeholder) -> Option<&'v str>,
        escape: Escape,
    ) -> Result<Zeroizing<Vec<u8>>, Placeholder> {
        let mut len = 0usize;
        for piece in &self.pieces {
            len = len.saturating_add(match piece {
                Piece::Text(t) => t.len(),
                Piece::Card(p) => {
                    let v = value(*p).ok_or(*p)?;
                    match escape {
                        Escape::None => v.len(),
                        Escape::Json => v.chars().map(json_escaped_len).sum(),
                        Escape::Form => v.bytes().map(form_escaped_len).sum(),
                    }
                }
            });
        }
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.extend_from_slice(t.as_bytes()),
                Piece::Card(p) => {
                    let v = value(*p).ok_or(*p)?;
                    match escape {
                        Escape::None => out.extend_from_slice(v.as_bytes()),
                        Escape::Json => v.chars().for_each(|c| push_json_escaped(&mut out, c)),
                        Escape::Form => v.bytes().for_each(|b| push_form_escaped(&mut out, b)),
                    }
                }
            }
        }
        Ok(out)
    }
}

/// `value` written as a placeholder's value is with `escape` (what the receiver got).
pub fn escape_value(value: &str, escape: Escape) -> Zeroizing<Vec<u8>> {
    Template {
        pieces: vec![Piece::Card(Placeholder::Name)],
    }
    .fill(|_| Some(value), escape)
    .unwrap_or_default()
}

/// How values are written into the text around them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// As they are (header values and bodies of other types, which may not hold a name).
    None,
    /// As the inside of a JSON string.
    Json,
    /// Percent-encoded, as in `application/x-www-form-urlencoded`.
    Form,
}

/// Bytes left as they are in a form value (the rest becomes `%XX`).
fn form_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'*')
}

fn form_escaped_len(b: u8) -> usize {
    if form_plain(b) { 1 } else { 3 }
}

fn push_form_escaped(out: &mut Vec<u8>, b: u8) {
    if form_plain(b) {
        out.push(b);
    } else {
        let hex = b"0123456789ABCDEF";
        out.extend_from_slice(&[b'%', hex[usize::from(b >> 4)], hex[usize::from(b & 0xf)]]);
    }
}

fn json_escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if u32::from(c) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

fn push_json_escaped(out: &mut Vec<u8>, c: char) {
    let short = match c {
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        _ => None,
    };
    if let Some(s) = short {
        out.extend_from_slice(&[b'\\', s]);
    } else if u32::from(c) < 0x20 {
        let hex = b"0123456789abcdef";
        let n = u32::from(c) as usize;
        out.extend_from_slice(b"\\u00");
        out.push(hex[(n >> 4) & 0xf]);
        out.push(hex[n & 0xf]);
    } else {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// Why a forward's `path` is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// A placeholder, or braces: the card never goes in a URL (URLs end up in logs).
    Placeholder,
    /// Anything that is not a plain relative path (and query) starting with one `/`.
    Invalid,
}

/// The longest path (with its query) accepted.
pub const MAX_PATH: usize = 2048;

/// Checks a forward's `path`: a path (and optional query) relative to the receiver's base URL,
/// starting with a single `/`; no `//`, no scheme, no `.` or `..` segment (nor a
/// percent-encoded dot), no `@`, no backslash, no fragment, no white space or control
/// character, no character outside RFC 3986's path and query characters, and well-formed
/// percent escapes. The vault connects to the receiver's host itself and sends this only as
/// the request target, so even a path that got through could not change the host: these rules
/// keep it unambiguous for whatever sits behind the receiver.
pub fn check_path(path: &str) -> Result<(), PathError> {
    if path.contains("{{") || path.contains("}}") {
        return Err(PathError::Placeholder);
    }
    if path.len() > MAX_PATH || !path.starts_with('/') || path.contains("//") {
        return Err(PathError::Invalid);
    }
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ok = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:/?%".contains(&b);
        if !ok {
            return Err(PathError::Invalid);
        }
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !hex(i + 1) || !hex(i + 2) {
                return Err(PathError::Invalid);
            }
            // A percent-encoded dot, slash, backslash or percent could be decoded into `..` or
            // a new segment behind the receiver (`%2e%2e`, `..%2f`, `%252e`).
            let escaped = [bytes.get(i + 1), bytes.get(i + 2)];
            let decoded = match escaped {
                [Some(h), Some(l)] => (hex_value(*h) << 4) | hex_value(*l),
                _ => 0,
            };
            if matches!(decoded, b'.' | b'/' | b'\\' | b'%') {
                return Err(PathError::Invalid);
            }
        }
    }
    let path_only = path.split('?').next().unwrap_or_default();
    // `..;x` is `..` to some servers (path parameters).
    let dots = |s: &str| matches!(s.split(';').next(), Some("." | ".."));
    if path_only.split('/').any(dots) {
        return Err(PathError::Invalid);
    }
    Ok(())
}

fn hex_value(h: u8) -> u8 {
    match h {
        b'0'..=b'9' => h - b'0',
        b'a'..=b'f' => h - b'a' + 10,
        b'A'..=b'F' => h - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(p: Placeholder) -> Option<&'static str> {
        Some(match p {
            Placeholder::Number => "4242424242424242",
            Placeholder::Cvc => return None,
            Placeholder::ExpMonth => "3",
            Placeholder::ExpYear => "2030",
            Placeholder::Name => "Ada \"The Countess\" Lovelace",
            Placeholder::Last4 => "4242",
            Placeholder::Brand => "visa",
        })
    }

    fn fill(text: &str, json: bool) -> Result<String, Placeholder> {
        let escape = if json { Escape::Json } else { Escape::None };
        let filled = Template::parse(text).unwrap().fill(values, escape)?;
        Ok(String::from_utf8(filled.to_vec()).unwrap())
    }

    #[test]
    fn debug_shows_placeholders_not_text() {
        let template = Template::parse("Bearer sk_live_processor {{card.last4}}").unwrap();
        let shown = format!("{template:?}");
        assert_eq!(shown, "Template { text_bytes: 25, placeholders: [Last4] }");
        assert!(!shown.contains("sk_live"));
    }

    #[test]
    fn fills_every_placeholder() {
        assert_eq!(
            fill(
                "n={{card.number}}&m={{ card.exp_month }}&y={{card.exp_year}}&l={{card.last4}}&b={{card.brand}}",
                false
            )
            .unwrap(),
            "n=4242424242424242&m=3&y=2030&l=4242&b=visa"
        );
        assert_eq!(fill("", false).unwrap(), "");
        assert_eq!(fill("plain", false).unwrap(), "plain");
        assert_eq!(fill("{{card.last4}}", false).unwrap(), "4242");
        assert_eq!(fill("{{{card.last4}}}", false).unwrap(), "{4242}");
        assert_eq!(fill("é{{card.brand}}ü", false).unwrap(), "évisaü");
        // Other templating is left alone.
        assert_eq!(
            fill("{{amount}} {{ x }}", false).unwrap(),
            "{{amount}} {{ x }}"
        );
        assert_eq!(fill("{{", false).unwrap(), "{{");
        assert_eq!(fill("}} {{card.brand}}", false).unwrap(), "}} visa");
    }

    #[test]
    fn json_bodies_get_escaped_values() {
        assert_eq!(
            fill(r#"{"name":"{{card.name}}"}"#, true).unwrap(),
            r#"{"name":"Ada \"The Countess\" Lovelace"}"#
        );
        assert_eq!(
            fill(r#"{{card.name}}"#, false).unwrap(),
            r#"Ada "The Countess" Lovelace"#
        );
        let t = Template::parse("{{card.name}}").unwrap();
        let filled = t.fill(|_| Some("a\u{1}\n\\é"), Escape::Json).unwrap();
        assert_eq!(
            &filled[..],
            br#"a\u0001\n\\"#.iter().chain("é".as_bytes()).copied().collect::<Vec<_>>().as_slice()
        );
        assert_eq!(filled.len(), filled.capacity());
    }

    #[test]
    fn unknown_or_unclosed_card_placeholders_are_refused() {
        for text in [
            "{{card.pan}}",
            "{{card.Number}}",
            "{{card.}}",
            "{{card.number}",
            "x {{ card.cvc",
            "{{card.number}} {{card.expiry}}",
        ] {
            assert_eq!(Template::parse(text), Err(BadPlaceholder), "{text}");
        }
    }

    #[test]
    fn a_name_only_where_it_is_escaped() {
        for text in [
            "{{card.name}}",
            "Bearer {{ card.name }}",
            "{{card.last4}}{{card.name}}",
        ] {
            let t = Template::parse(text).unwrap();
            assert_eq!(t.check_escape(Escape::None), Err(BadPlaceholder), "{text}");
            assert_eq!(t.check_escape(Escape::Json), Ok(()));
            assert_eq!(t.check_escape(Escape::Form), Ok(()));
        }
        let t = Template::parse("{{card.number}} {{card.cvc}} {{card.brand}} {{name}}").unwrap();
        assert_eq!(t.check_escape(Escape::None), Ok(()));
    }

    #[test]
    fn values_escaped_alone() {
        assert_eq!(&escape_value("A \"B\"", Escape::Json)[..], br#"A \"B\""#);
        assert_eq!(&escape_value("A&B", Escape::Form)[..], b"A%26B");
        assert_eq!(&escape_value("A&B", Escape::None)[..], b"A&B");
    }

    #[test]
    fn a_missing_value_names_its_placeholder() {
        assert_eq!(fill("cvc={{card.cvc}}", false), Err(Placeholder::Cvc));
        let t = Template::parse("{{card.cvc}}{{card.number}}{{card.cvc}}").unwrap();
        assert!(t.uses(Placeholder::Cvc) && t.uses(Placeholder::Number));
        assert!(!t.uses(Placeholder::Name));
        assert_eq!(t.placeholders().count(), 3);
    }

    #[test]
    fn paths() {
        for ok in [
            "/",
            "/v1/charges",
            "/v1/charges?expand=card&x=%20y",
            "/a:b/c;d=1/~e_f-g.h",
            "/v1/charges/",
            "/.well-known/x",
            "/a..b",
        ] {
            assert_eq!(check_path(ok), Ok(()), "{ok}");
        }
        for placeholder in [
            "/v1/{{card.number}}",
            "/v1/charges?pan={{card.number}}",
            "/{{ card.cvc }}",
            "/}}",
        ] {
            assert_eq!(
                check_path(placeholder),
                Err(PathError::Placeholder),
                "{placeholder}"
            );
        }
        for bad in [
            "",
            "v1/charges",
            "//evil.example/x",
            "/a//b",
            "https://evil.example/",
            "/x?u=https://evil.example",
            "@evil.example",
            "/@evil.example",
            "/a\\b",
            "\\\\evil.example",
            "/..",
            "/a/../../b",
            "/a/./b",
            "/a/%2e%2e/b",
            "/a/%2E/b",
            "/a%zz",
            "/a%2",
            "/a#frag",
            "/a b",
            "/a\r\nHost: evil",
            "/a\u{0}",
            "/é",
            "/<script>",
        ] {
            assert_eq!(check_path(bad), Err(PathError::Invalid), "{bad:?}");
        }
        assert_eq!(
            check_path(&format!("/{}", "a".repeat(MAX_PATH))),
            Err(PathError::Invalid)
        );
    }

    #[test]
    fn form_bodies_get_percent_encoded_values() {
        let filled = Template::parse("name={{card.name}}&amount=1")
            .unwrap()
            .fill(|_| Some("A&amount=9 é"), Escape::Form)
            .unwrap();
        assert_eq!(
            String::from_utf8(filled.to_vec()).unwrap(),
            "name=A%26amount%3D9%20%C3%A9&amount=1"
        );
    }

    #[test]
    fn encoded_separators_and_dot_parameters_are_refused() {
        for path in [
            "/a/..%2fadmin",
            "/a/%2E%2E/b",
            "/a/%252e%252e/b",
            "/a/..%5cb",
            "/a/..;/b",
            "/a/.;x/b",
        ] {
            assert_eq!(check_path(path), Err(PathError::Invalid), "{path}");
        }
        assert_eq!(check_path("/a/%20b/..x;y"), Ok(()));
    }
}
