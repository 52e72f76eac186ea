//! Masking what a forward sent, and card numbers, in what the receiver answers, before the
//! merchant sees it.
//!
//! Every pass marks the bytes of the answer it masks; the marks are applied once at the end, so
//! no pass sees another's `*`s but the last (card-like digit runs), which sees what the others
//! left. Each masked character becomes one `*`, whatever it was written as (a JSON escape, a
//! percent escape, an HTML entity); what lies between stays.
//!
//! - **The card's own number**, when the forward opened the card (to send its number or name),
//!   wherever it appears, however it is written: digits split by spaces, dashes or any other
//!   punctuation (up to 8 characters between two digits), digits written as JSON escapes
//!   (`\u0034`), percent escapes (`%34`), HTML entities (`&#52;`, `&#x34;`) or full-width digits
//!   (`４`), and text that was UTF-16 (a NUL after every character). Letters between two digits
//!   end a match. Its last four digits stay (`************4242`): the merchant already knows
//!   them, and keeping them lets it match an echoed number to its token.
//! - **The CVC**, when the forward sent it: a run of digits of its own (digits written in any
//!   of the ways above, bounded by anything but a digit) equal to it, wholly masked. A run of
//!   the same digits inside a longer number is not it.
//! - **The name**, when the forward sent it: the same characters (decoded as above), compared
//!   folded (upper and lower case, in any script, and Latin letters with their accents taken
//!   off: `ÉMILE` is `émile` is `Emile`), with any run of white space or `+` for a space,
//!   backslashes left out (a JSON text inside a JSON string escapes the name's quotes twice),
//!   and not glued to a letter or digit on either side.
//! - **Encoded forms** of what was sent (the number, the CVC, and the name as it was and as it
//!   was escaped for the body): base64 (standard or URL-safe, padded or not, at any of the three
//!   alignments inside a longer base64 text; the characters that depend on the value, and the one
//!   on each side that mixes it with its neighbours) and hex (either case), wholly masked.
//! - **Anything that looks like a card number**: every run of 13 to 19 ASCII digits that passes
//!   Luhn. A run of 14 to 19 digits that fails Luhn but starts with a valid card number (brand,
//!   length and Luhn: a number glued to an expiry or a digit) is masked whole too. A run longer
//!   than 19 digits (a number padded with zeros, or glued to other digits) is masked whole if any
//!   stretch of 13 to 19 digits inside it passes Luhn; that errs on the side of masking (most long
//!   digit runs contain such a stretch), which is the side to err on, and a run of more than 1,024
//!   digits is masked without looking. Other runs, and runs shorter than 13 digits, are left as
//!   they are (a 16-digit transaction id that fails Luhn stays readable, unless it begins with
//!   a valid card number: with Visa's 13 to 19 digits, about one in four that begin with a 4 do). This pass only sees
//!   unbroken runs of ASCII digits: a number it was not sent, split by spaces, stays.
//!
//! Headers are masked after repeated ones are joined, names and values together, so a number
//! split across two headers of one name, or between a name and its value, is found.
//!
//! Each pass is linear in the answer (times the length of what it looks for, at most).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;
use std::ops::Range;

use cardvault::card::{Brand, CardNumber, luhn_valid};
use memchr::memmem;
use zeroize::{DefaultIsZeroes, Zeroizing};

use super::template::{Escape, escape_value};

/// The shortest and longest card numbers.
const MIN: usize = 13;
const MAX: usize = 19;
/// Longer digit runs are masked without searching them (the search is quadratic).
const LONGEST_SEARCHED: usize = 1024;
/// Digits left in clear at the end of a masked run.
const KEEP: usize = 4;
/// The most characters between two digits of the sent number that still join them.
const MAX_GAP: usize = 8;
/// Encoded forms shorter than this (a name of one or two letters in base64) are not looked
/// for: they would turn up by chance in any text.
const MIN_ENCODED: usize = 3;

/// What a forward sent, to be masked in the answer. `Debug` says which are there, never what.
#[derive(Clone, Copy, Default)]
pub struct Sent<'a> {
    /// The card number's digits, when the forward opened the card.
    pub number: Option<&'a str>,
    /// The CVC's digits, when the forward sent it.
    pub cvc: Option<&'a str>,
    /// The cardholder's name, when the forward sent it.
    pub name: Option<&'a str>,
}

impl fmt::Debug for Sent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sent")
            .field("number", &self.number.is_some())
            .field("cvc", &self.cvc.is_some())
            .field("name", &self.name.is_some())
            .finish()
    }
}

/// Masks `text` in place (see the module's comment); the text it replaces is zeroized.
pub fn mask(sent: &Sent<'_>, text: &mut String) {
    let marks = marks(sent, text);
    if marks.0.iter().all(|&m| m == Mark::Keep) {
        return;
    }
    let masked = render(text, &marks, 0..text.len());
    drop(Zeroizing::new(std::mem::replace(text, masked)));
}

/// A receiver's headers as the merchant may see them: names as given (lower case), repeated
/// ones joined with `, ` (in order), invalid UTF-8 replaced, then names and values masked
/// together (see the module's comment). Two names that are one once masked are joined too, and
/// masked again.
pub fn mask_headers<'h>(
    sent: &Sent<'_>,
    headers: impl IntoIterator<Item = (&'h str, &'h [u8])>,
) -> BTreeMap<String, String> {
    let mut joined: BTreeMap<&str, Zeroizing<String>> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value);
        match joined.entry(name) {
            Entry::Vacant(entry) => {
                entry.insert(Zeroizing::new(value.into_owned()));
            }
            Entry::Occupied(mut entry) => {
                entry.get_mut().push_str(", ");
                entry.get_mut().push_str(&value);
            }
        }
    }
    // One text, `name: value` a line: a pass sees a name and its value side by side.
    let mut block = Zeroizing::new(String::new());
    let mut ranges = Vec::with_capacity(joined.len());
    for (name, value) in &joined {
        let name_start = block.len();
        block.push_str(name);
        let name_end = block.len();
        block.push_str(": ");
        let value_start = block.len();
        block.push_str(value);
        ranges.push((name_start..name_end, value_start..block.len()));
        block.push('\n');
    }
    let marks = marks(sent, &block);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut rejoined = Vec::new();
    for (name, value) in ranges {
        let value = render(&block, &marks, value);
        match out.entry(render(&block, &marks, name)) {
            Entry::Vacant(entry) => {
                entry.insert(value);
            }
            Entry::Occupied(mut entry) => {
                entry.get_mut().push_str(", ");
                entry.get_mut().push_str(&value);
                rejoined.push(entry.key().clone());
            }
        }
    }
    for name in rejoined {
        if let Some(value) = out.get_mut(&name) {
            mask(sent, value);
        }
    }
    out
}
/// Masks `body` as bytes, each byte read as the character of that value (ISO 8859-1), before
/// it is decoded as what its `Content-Type` says. A receiver may label UTF-8 or ASCII as UTF-16
/// (or start it a byte off): decoded as UTF-16 the digits are no longer digits, and the merchant
/// would get them back by encoding the text again. Masked as bytes first, whatever the label,
/// they are gone before any decoding; what a masked byte does to the decoding (a `*` inside a
/// UTF-16 unit or a UTF-8 sequence) only garbles what was masked.
pub fn mask_bytes(sent: &Sent<'_>, body: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut text: String = body.iter().map(|&b| char::from(b)).collect();
    mask(sent, &mut text);
    let bytes = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'*'))
        .collect();
    drop(Zeroizing::new(text));
    Zeroizing::new(bytes)
}

/// An answer's body as text, to mask and to hand to the merchant: UTF-16 when its
/// `Content-Type` names a UTF-16 charset or it starts with a UTF-16 byte order mark (`utf-16`
/// without one is big-endian), else UTF-8. What does not decode becomes U+FFFD.
pub fn body_text(content_type: Option<&str>, body: &[u8]) -> String {
    let charset = content_type.and_then(|value| {
        value.split(';').skip(1).find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        })
    });
    let (little_endian, start) = match (body.get(..2), charset.as_deref()) {
        (Some([0xff, 0xfe]), _) => (true, 2),
        (Some([0xfe, 0xff]), _) => (false, 2),
        (_, Some("utf-16le")) => (true, 0),
        (_, Some("utf-16be" | "utf-16")) => (false, 0),
        _ => return String::from_utf8_lossy(body).into_owned(),
    };
    let units = body
        .get(start..)
        .unwrap_or_default()
        .chunks(2)
        .map(|pair| match *pair {
            [a, b] if little_endian => u16::from_le_bytes([a, b]),
            [a, b] => u16::from_be_bytes([a, b]),
            _ => 0xfffd,
        });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// What becomes of a byte of the answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Keep,
    /// The first byte of a masked character: one `*`.
    Star,
    /// A later byte of a masked character (a JSON escape's `u0034`, say): dropped.
    Drop,
}

/// A mark per byte of a text. Every `Star` is at a character boundary, and every run of `Drop`s
/// follows a `Star` and ends at one, so what [`render`] makes is UTF-8.
struct Marks(Vec<Mark>);

impl Marks {
    /// Masks the character written at `range` (one `*`), or the rest of one it overlaps.
    fn mask(&mut self, range: Range<usize>) {
        if let Some((first, rest)) = self.0.get_mut(range).and_then(<[Mark]>::split_first_mut) {
            if *first == Mark::Keep {
                *first = Mark::Star;
            }
            rest.fill(Mark::Drop);
        }
    }

    fn kept(&self, at: usize) -> bool {
        self.0.get(at) == Some(&Mark::Keep)
    }
}

/// `range` of `text` with its marks applied.
fn render(text: &str, marks: &Marks, range: Range<usize>) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(range.len());
    let start = range.start;
    for at in range {
        match marks.0.get(at) {
            Some(Mark::Keep) => out.extend(bytes.get(at)),
            Some(Mark::Star) => out.push(b'*'),
            Some(Mark::Drop) if at == start => out.push(b'*'),
            _ => {}
        }
    }
    // Only whole characters were replaced, each by an ASCII `*`: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The marks of every pass over `text`.
fn marks(sent: &Sent<'_>, text: &str) -> Marks {
    let mut marks = Marks(vec![Mark::Keep; text.len()]);
    if u32::try_from(text.len()).is_err() {
        // Never an answer (they are capped far below): masked whole rather than half-read.
        for (at, c) in text.char_indices() {
            marks.mask(at..at + c.len_utf8());
        }
        return marks;
    }
    let sent_any = [sent.number, sent.cvc, sent.name]
        .iter()
        .any(|s| s.is_some_and(|s| !s.is_empty()));
    if sent_any {
        // Read twice: with the escapes decoded, and as written. An escape can swallow the first
        // digits of a number written after it (`\u0400` then `00566…`), which a reader who does
        // not decode it sees whole.
        for decode in [true, false] {
            let units = Zeroizing::new(units(text, decode));
            if let Some(number) = sent.number {
                mask_number(&units, number.as_bytes(), &mut marks);
            }
            if let Some(cvc) = sent.cvc {
                mask_cvc(&units, cvc.as_bytes(), &mut marks);
            }
            if let Some(name) = sent.name {
                mask_name(&units, name, &mut marks);
            }
        }
        mask_encoded(sent, text, &mut marks);
    }
    mask_card_like(text, &mut marks);
    marks
}

/// A character of the text as a reader would take it (escapes decoded), and where it is
/// written. Offsets fit: texts longer than `u32::MAX` bytes are not read.
#[derive(Clone, Copy, Default)]
struct Unit {
    start: u32,
    end: u32,
    c: char,
}

// Zeroized when dropped: they spell out the answer.
impl DefaultIsZeroes for Unit {}

impl Unit {
    fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The characters of `text`, each written as itself or as an escape: JSON (`\u0034`, a
/// surrogate pair, `\"`, `\/`…), percent (`%34`, or the `%XX` bytes of one UTF-8 character) or
/// an HTML character reference (`&#52;`, `&#x34;`, `&amp;`, `&quot;`…). NULs are left out: text
/// that was UTF-16 read as UTF-8 has one after every ASCII character. Without `decode`, every
/// character is itself.
fn units(text: &str, decode: bool) -> Vec<Unit> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = match bytes[at] {
            _ if !decode => None,
            b'\\' => json_escape(bytes, at),
            b'%' => percent_escape(bytes, at),
            b'&' => html_reference(bytes, at),
            _ => None,
        };
        let (c, len) = escaped.unwrap_or_else(|| {
            let c = text
                .get(at..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            (c, c.len_utf8())
        });
        if c != '\0' {
            // Both fit: the text is shorter than `u32::MAX` bytes.
            out.push(Unit {
                start: at as u32,
                end: (at + len) as u32,
                c,
            });
        }
        at += len;
    }
    out
}

fn hex_digits(hex: &[u8]) -> Option<u32> {
    if hex.is_empty() || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(core::str::from_utf8(hex).ok()?, 16).ok()
}

/// The JSON escape at `at` (a backslash), and its length.
fn json_escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let c = match *bytes.get(at + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex_digits(bytes.get(at + 2..at + 6)?)?;
            if !(0xd800..0xe000).contains(&unit) {
                return Some((char::from_u32(unit)?, 6));
            }
            // A surrogate pair is one character; a lone surrogate is none.
            let low = bytes
                .get(at + 6..at + 8)
                .filter(|next| *next == b"\\u")
                .and_then(|_| hex_digits(bytes.get(at + 8..at + 12)?))
                .filter(|low| unit < 0xdc00 && (0xdc00..0xe000).contains(low));
            return Some(match low {
                Some(low) => (
                    char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))?,
                    12,
                ),
                None => (char::REPLACEMENT_CHARACTER, 6),
            });
        }
        _ => return None,
    };
    Some((c, 2))
}

/// The percent escape at `at` (a `%`): one ASCII byte, or the bytes of one UTF-8 character.
fn percent_escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let byte = |k: usize| -> Option<u8> {
        let at = at + 3 * k;
        if bytes.get(at) != Some(&b'%') {
            return None;
        }
        u8::try_from(hex_digits(bytes.get(at + 1..at + 3)?)?).ok()
    };
    let first = byte(0)?;
    let len = match first {
        0..=0x7f => return Some((char::from(first), 3)),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let mut utf8 = [first, 0, 0, 0];
    for (k, slot) in utf8.iter_mut().enumerate().take(len).skip(1) {
        *slot = byte(k)?;
    }
    let c = core::str::from_utf8(utf8.get(..len)?)
        .ok()?
        .chars()
        .next()?;
    Some((c, 3 * len))
}

/// The HTML character reference at `at` (a `&`): numeric (decimal or hex, the `;` optional as
/// browsers take it) or one of the few named ones an escaping function writes.
fn html_reference(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let rest = bytes.get(at + 1..)?;
    if rest.first() == Some(&b'#') {
        let hex = matches!(rest.get(1), Some(b'x' | b'X'));
        let skip = if hex { 2 } else { 1 };
        // Eight digits at most (with leading zeros): more is no character.
        let digits = rest
            .iter()
            .skip(skip)
            .take(9)
            .take_while(|d| {
                if hex {
                    d.is_ascii_hexdigit()
                } else {
                    d.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let written = core::str::from_utf8(rest.get(skip..skip + digits)?).ok()?;
        let value = u32::from_str_radix(written, if hex { 16 } else { 10 }).ok()?;
        let semicolon = usize::from(rest.get(skip + digits) == Some(&b';'));
        let c = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
        return Some((c, 1 + skip + digits + semicolon));
    }
    [
        ("amp;", '&'),
        ("lt;", '<'),
        ("gt;", '>'),
        ("quot;", '"'),
        ("apos;", '\''),
        ("nbsp;", '\u{a0}'),
    ]
    .into_iter()
    .find(|(name, _)| rest.starts_with(name.as_bytes()))
    .map(|(name, c)| (c, 1 + name.len()))
}

/// A digit's value, as an ASCII digit: ASCII and full-width digits.
fn digit(c: char) -> Option<u8> {
    let offset = match c {
        '0'..='9' => u32::from(c) - u32::from('0'),
        '\u{ff10}'..='\u{ff19}' => u32::from(c) - 0xff10,
        _ => return None,
    };
    u8::try_from(offset + u32::from(b'0')).ok()
}

/// A digit of the answer: its unit, its value (an ASCII digit), and how many characters came
/// since the digit before (`usize::MAX` when a letter did).
#[derive(Clone, Copy, Default)]
struct Digit {
    unit: usize,
    value: u8,
    gap: usize,
}

impl DefaultIsZeroes for Digit {}

/// Marks every appearance of `number` (its digits, in order, joined by at most `MAX_GAP`
/// characters that are not ASCII letters) but its last four digits.
fn mask_number(units: &[Unit], number: &[u8], marks: &mut Marks) {
    if number.is_empty() {
        return;
    }
    let mut found: Zeroizing<Vec<Digit>> = Zeroizing::new(Vec::new());
    let mut gap = 0usize;
    for (i, unit) in units.iter().enumerate() {
        if let Some(value) = digit(unit.c) {
            found.push(Digit {
                unit: i,
                value,
                gap,
            });
            gap = 0;
        } else if unit.c.is_ascii_alphabetic() {
            gap = usize::MAX;
        } else {
            gap = gap.saturating_add(1);
        }
    }
    let hidden = number.len().saturating_sub(KEEP);
    let mut i = 0;
    while let Some(candidate) = found.get(i..i + number.len()) {
        let matches = candidate
            .iter()
            .zip(number)
            .enumerate()
            .all(|(k, (d, &want))| (k == 0 || d.gap <= MAX_GAP) && d.value == want);
        if matches {
            for d in candidate.iter().take(hidden) {
                marks.mask(units[d.unit].range());
            }
            // The digits kept in clear may start the next appearance (`4242` repeated).
            i += hidden.max(1);
        } else {
            i += 1;
        }
    }
}

/// Marks every run of digits (however written) that is `cvc`, and not part of a longer run.
fn mask_cvc(units: &[Unit], cvc: &[u8], marks: &mut Marks) {
    if cvc.is_empty() {
        return;
    }
    let mut start = 0;
    while start < units.len() {
        let len = units[start..]
            .iter()
            .take_while(|unit| digit(unit.c).is_some())
            .count();
        if len == 0 {
            start += 1;
            continue;
        }
        let run = &units[start..start + len];
        if len == cvc.len()
            && run
                .iter()
                .zip(cvc)
                .all(|(u, &want)| digit(u.c) == Some(want))
        {
            for unit in run {
                marks.mask(unit.range());
            }
        }
        start += len;
    }
}

/// Latin letters with diacritics (lower case), and the ASCII letter each is written as without.
const LATIN: [(char, char); 129] = [
    ('à', 'a'),
    ('á', 'a'),
    ('â', 'a'),
    ('ã', 'a'),
    ('ä', 'a'),
    ('å', 'a'),
    ('ç', 'c'),
    ('è', 'e'),
    ('é', 'e'),
    ('ê', 'e'),
    ('ë', 'e'),
    ('ì', 'i'),
    ('í', 'i'),
    ('î', 'i'),
    ('ï', 'i'),
    ('ñ', 'n'),
    ('ò', 'o'),
    ('ó', 'o'),
    ('ô', 'o'),
    ('õ', 'o'),
    ('ö', 'o'),
    ('ø', 'o'),
    ('ù', 'u'),
    ('ú', 'u'),
    ('û', 'u'),
    ('ü', 'u'),
    ('ý', 'y'),
    ('ÿ', 'y'),
    ('ā', 'a'),
    ('ă', 'a'),
    ('ą', 'a'),
    ('ć', 'c'),
    ('ĉ', 'c'),
    ('ċ', 'c'),
    ('č', 'c'),
    ('ď', 'd'),
    ('đ', 'd'),
    ('ē', 'e'),
    ('ĕ', 'e'),
    ('ė', 'e'),
    ('ę', 'e'),
    ('ě', 'e'),
    ('ĝ', 'g'),
    ('ğ', 'g'),
    ('ġ', 'g'),
    ('ģ', 'g'),
    ('ĥ', 'h'),
    ('ħ', 'h'),
    ('ĩ', 'i'),
    ('ī', 'i'),
    ('ĭ', 'i'),
    ('į', 'i'),
    ('ı', 'i'),
    ('ĵ', 'j'),
    ('ķ', 'k'),
    ('ĺ', 'l'),
    ('ļ', 'l'),
    ('ľ', 'l'),
    ('ŀ', 'l'),
    ('ł', 'l'),
    ('ń', 'n'),
    ('ņ', 'n'),
    ('ň', 'n'),
    ('ō', 'o'),
    ('ŏ', 'o'),
    ('ő', 'o'),
    ('ŕ', 'r'),
    ('ŗ', 'r'),
    ('ř', 'r'),
    ('ś', 's'),
    ('ŝ', 's'),
    ('ş', 's'),
    ('š', 's'),
    ('ţ', 't'),
    ('ť', 't'),
    ('ŧ', 't'),
    ('ũ', 'u'),
    ('ū', 'u'),
    ('ŭ', 'u'),
    ('ů', 'u'),
    ('ű', 'u'),
    ('ų', 'u'),
    ('ŵ', 'w'),
    ('ŷ', 'y'),
    ('ź', 'z'),
    ('ż', 'z'),
    ('ž', 'z'),
    ('ơ', 'o'),
    ('ư', 'u'),
    ('ǎ', 'a'),
    ('ǐ', 'i'),
    ('ǒ', 'o'),
    ('ǔ', 'u'),
    ('ǖ', 'u'),
    ('ǘ', 'u'),
    ('ǚ', 'u'),
    ('ǜ', 'u'),
    ('ǟ', 'a'),
    ('ǡ', 'a'),
    ('ǧ', 'g'),
    ('ǩ', 'k'),
    ('ǫ', 'o'),
    ('ǭ', 'o'),
    ('ǰ', 'j'),
    ('ǵ', 'g'),
    ('ǹ', 'n'),
    ('ǻ', 'a'),
    ('ȁ', 'a'),
    ('ȃ', 'a'),
    ('ȅ', 'e'),
    ('ȇ', 'e'),
    ('ȉ', 'i'),
    ('ȋ', 'i'),
    ('ȍ', 'o'),
    ('ȏ', 'o'),
    ('ȑ', 'r'),
    ('ȓ', 'r'),
    ('ȕ', 'u'),
    ('ȗ', 'u'),
    ('ș', 's'),
    ('ț', 't'),
    ('ȟ', 'h'),
    ('ȧ', 'a'),
    ('ȩ', 'e'),
    ('ȫ', 'o'),
    ('ȭ', 'o'),
    ('ȯ', 'o'),
    ('ȱ', 'o'),
    ('ȳ', 'y'),
];

/// `c` as compared in a name: white space and `+` (a form's space) are one space; a backslash
/// is nothing (a JSON text inside a JSON string escapes a name's quotes twice, `\\\"`); the
/// rest lower case, with a Latin letter's diacritics dropped.
fn fold(c: char, mut push: impl FnMut(char)) {
    if c == '\\' {
        return;
    }
    if c.is_whitespace() || c == '+' {
        push(' ');
        return;
    }
    for lower in c.to_lowercase() {
        let plain = LATIN
            .binary_search_by_key(&lower, |&(accented, _)| accented)
            .map_or(lower, |k| LATIN[k].1);
        push(plain);
    }
}

/// A folded character of the answer, and the units it comes from (a space stands for a run
/// of white space).
#[derive(Clone, Copy, Default)]
struct Folded {
    c: char,
    first: u32,
    last: u32,
}

impl DefaultIsZeroes for Folded {}

/// Marks every appearance of `name` (see the module's comment).
fn mask_name(units: &[Unit], name: &str, marks: &mut Marks) {
    let mut wanted: Zeroizing<Vec<char>> = Zeroizing::new(Vec::new());
    for c in name.chars() {
        fold(c, |f| {
            if !(f == ' ' && wanted.last().is_none_or(|&last| last == ' ')) {
                wanted.push(f);
            }
        });
    }
    while wanted.last() == Some(&' ') {
        wanted.pop();
    }
    if wanted.is_empty() {
        return;
    }
    let mut text: Zeroizing<Vec<Folded>> = Zeroizing::new(Vec::with_capacity(units.len()));
    for (i, unit) in units.iter().enumerate() {
        // Both fit: there are fewer units than bytes.
        let i = i as u32;
        fold(unit.c, |c| match text.last_mut() {
            Some(last) if c == ' ' && last.c == ' ' => last.last = i,
            _ => text.push(Folded {
                c,
                first: i,
                last: i,
            }),
        });
    }
    // Knuth-Morris-Pratt: linear in the answer.
    let mut fallback = vec![0usize; wanted.len()];
    let mut k = 0;
    for i in 1..wanted.len() {
        while k > 0 && wanted[i] != wanted[k] {
            k = fallback[k - 1];
        }
        if wanted[i] == wanted[k] {
            k += 1;
        }
        fallback[i] = k;
    }
    let word = |at: Option<&Folded>| at.is_some_and(|f| f.c.is_alphanumeric());
    let mut k = 0;
    for (i, folded) in text.iter().enumerate() {
        while k > 0 && folded.c != wanted[k] {
            k = fallback[k - 1];
        }
        if folded.c == wanted[k] {
            k += 1;
        }
        if k == wanted.len() {
            let start = i + 1 - k;
            let before = start.checked_sub(1).and_then(|b| text.get(b));
            if !word(before) && !word(text.get(i + 1)) {
                let first = text[start].first as usize;
                let last = folded.last as usize;
                for unit in units.get(first..=last).unwrap_or_default() {
                    marks.mask(unit.range());
                }
            }
            k = fallback[k - 1];
        }
    }
}

/// The forms of what was sent as the receiver may have encoded them: the number, the CVC, and
/// the name as it is, in upper and lower case, and escaped as the body may have carried it.
fn encoded_forms(sent: &Sent<'_>) -> Vec<Zeroizing<Vec<u8>>> {
    let mut forms: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    for value in [sent.number, sent.cvc].into_iter().flatten() {
        forms.push(Zeroizing::new(value.as_bytes().to_vec()));
    }
    if let Some(name) = sent.name {
        forms.push(Zeroizing::new(name.as_bytes().to_vec()));
        forms.push(Zeroizing::new(name.to_uppercase().into_bytes()));
        forms.push(Zeroizing::new(name.to_lowercase().into_bytes()));
        forms.push(escape_value(name, Escape::Json));
        forms.push(escape_value(name, Escape::Form));
    }
    forms.sort_unstable_by(|a, b| a.as_slice().cmp(b.as_slice()));
    forms.dedup_by(|a, b| a.as_slice() == b.as_slice());
    forms.retain(|form| !form.is_empty());
    forms
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The base64 characters that depend on `value` alone when it starts `offset` bytes into a
/// group of three.
fn base64_core(value: &[u8], offset: usize) -> Zeroizing<Vec<u8>> {
    let start = 8 * offset;
    let end = start + 8 * value.len();
    let mut out = Zeroizing::new(Vec::new());
    // The characters whose six bits lie within the value.
    for k in start.div_ceil(6)..end / 6 {
        let bit = 6 * k - start;
        let high = u16::from(value.get(bit / 8).copied().unwrap_or(0));
        let low = u16::from(value.get(bit / 8 + 1).copied().unwrap_or(0));
        let sextet = (((high << 8) | low) >> (10 - bit % 8)) & 0x3f;
        out.push(BASE64[usize::from(sextet)]);
    }
    out
}

/// Every place `needle` starts in `haystack`, overlapping ones included.
fn find_all(haystack: &[u8], needle: &[u8], mut found: impl FnMut(usize)) {
    let finder = memmem::Finder::new(needle);
    let mut from = 0;
    while let Some(at) = haystack.get(from..).and_then(|rest| finder.find(rest)) {
        found(from + at);
        from += at + 1;
    }
}

/// Marks the base64 and hex forms of what was sent.
fn mask_encoded(sent: &Sent<'_>, text: &str, marks: &mut Marks) {
    let forms = encoded_forms(sent);
    if forms.is_empty() {
        return;
    }
    // URL-safe base64 read as standard; hex read in lower case.
    let base64: Zeroizing<Vec<u8>> = Zeroizing::new(
        text.bytes()
            .map(|b| match b {
                b'-' => b'+',
                b'_' => b'/',
                b => b,
            })
            .collect(),
    );
    let lower = Zeroizing::new(text.to_ascii_lowercase().into_bytes());
    let is_base64 = |at: usize| base64.get(at).is_some_and(|b| BASE64.contains(b));
    for form in &forms {
        for offset in 0..3 {
            let core = base64_core(form, offset);
            if core.len() < MIN_ENCODED {
                continue;
            }
            find_all(&base64, &core, |at| {
                // The character on each side mixes the value's bits with its neighbours'.
                let start = if at > 0 && is_base64(at - 1) {
                    at - 1
                } else {
                    at
                };
                let mut end = at + core.len();
                if is_base64(end) {
                    end += 1;
                }
                for byte in start..end {
                    marks.mask(byte..byte + 1);
                }
            });
        }
        let hex: Zeroizing<Vec<u8>> = Zeroizing::new(
            form.iter()
                .flat_map(|b| {
                    let digits = b"0123456789abcdef";
                    [digits[usize::from(b >> 4)], digits[usize::from(b & 0xf)]]
                })
                .collect(),
        );
        if hex.len() >= 2 * MIN_ENCODED {
            find_all(&lower, &hex, |at| {
                for byte in at..at + hex.len() {
                    marks.mask(byte..byte + 1);
                }
            });
        }
    }
}

/// Whether a run of ASCII digits is, or hides, a card number.
fn is_card_like(run: &str) -> bool {
    let len = run.len();
    if len < MIN {
        return false;
    }
    if len <= MAX {
        return luhn_valid(run)
            || (MIN..len).any(|width| {
                run.get(..width).is_some_and(|prefix| {
                    CardNumber::parse(prefix).is_ok_and(|n| n.brand() != Brand::Unknown)
                })
            });
    }
    if len > LONGEST_SEARCHED {
        return true;
    }
    (MIN..=MAX).any(|width| {
        (0..=len - width).any(|start| run.get(start..start + width).is_some_and(luhn_valid))
    })
}

/// Marks every card-like run of ASCII digits that no other pass masked, but its last four.
fn mask_card_like(text: &str, marks: &mut Marks) {
    let bytes = text.as_bytes();
    let digit = |at: usize, marks: &Marks| bytes[at].is_ascii_digit() && marks.kept(at);
    let mut at = 0;
    while at < bytes.len() {
        if !digit(at, marks) {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && digit(at, marks) {
            at += 1;
        }
        if is_card_like(text.get(start..at).unwrap_or_default()) {
            for byte in start..at - KEEP {
                marks.mask(byte..byte + 1);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const PAN: &str = "4242424242424242";

    fn sent(text: &str, number: &str) -> String {
        masked(
            &Sent {
                number: Some(number),
                ..Sent::default()
            },
            text,
        )
    }

    fn masked(sent: &Sent<'_>, text: &str) -> String {
        let mut text = text.to_owned();
        mask(sent, &mut text);
        text
    }

    /// Only the pass for card-like runs: nothing was sent.
    fn mask_runs(text: &str) -> String {
        masked(&Sent::default(), text)
    }

    #[test]
    fn the_sent_number_is_masked_however_it_is_split() {
        for (text, masked) in [
            ("4242 4242 4242 4242", "**** **** **** 4242"),
            ("4242-4242-4242-4242", "****-****-****-4242"),
            (
                "n=4242 - 4242 - 4242 - 4242.",
                "n=**** - **** - **** - 4242.",
            ),
            (
                "4 2 4 2 4 2 4 2 4 2 4 2 4 2 4 2",
                "* * * * * * * * * * * * 4 2 4 2",
            ),
            // 8 characters between two digits still join them.
            (
                "4242 ,\t;:/.|4242424242424242",
                "**** ,\t;:/.|********42424242",
            ),
            // Twice.
            (
                "a 4242424242424242 b 4242 4242 4242 4242",
                "a ************4242 b **** **** **** 4242",
            ),
        ] {
            assert_eq!(sent(text, PAN), masked, "{text}");
        }
        assert_eq!(
            sent("3782 822463 10005", "378282246310005"),
            "**** ****** *0005"
        );
    }

    #[test]
    fn the_sent_number_is_masked_inside_longer_digit_runs() {
        // Padded and glued to an expiry: only its own digits are masked.
        let text = format!("00{PAN}1230");
        assert_eq!(sent(&text, PAN), "00************42421230");
    }

    #[test]
    fn the_sent_number_is_masked_however_its_digits_are_written() {
        // JSON escapes (either case of hex digit), each becoming one `*`: the JSON stays valid.
        let escaped = r#"{"n":"\u0034\u0032\u00342424242424242","m":"\u003424242424242424\u0032"}"#;
        let masked = sent(escaped, PAN);
        assert_eq!(
            masked,
            r#"{"n":"************4242","m":"************424\u0032"}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&masked).is_ok());
        // Full-width digits.
        assert_eq!(
            sent("４２４２４２４２４２４２４２４２", PAN),
            "************４２４２"
        );
        // Text that was UTF-16: a NUL after every character.
        let utf16: String = format!("n: {PAN}.")
            .chars()
            .flat_map(|c| [c, '\0'])
            .collect();
        let masked = sent(&utf16, PAN);
        let expected: String = "n: ************4242."
            .chars()
            .flat_map(|c| [c, '\0'])
            .collect();
        assert_eq!(masked, expected);
    }

    #[test]
    fn what_is_not_the_sent_number_is_left() {
        for text in [
            // A letter between two digits, or written as an escape.
            "4242a4242b4242c4242",
            r"4242 4242\u00414242 4242",
            // 9 characters between two digits.
            "4242         424242424242",
            // Another number, or the same but for a digit.
            "5555 5555 5555 4444",
            "4242 4242 4242 4241",
        ] {
            assert_eq!(sent(text, PAN), text);
        }
        // The other pass still runs when a number was sent.
        assert_eq!(sent("5555555555554444", PAN), "************4444");
    }

    #[test]
    fn utf16_bodies_are_read_as_utf16() {
        let text = r#"{"n":"4242 4242 4242 4242","é":"ü"}"#;
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with_bom = |bom: [u8; 2], bytes: &[u8]| [&bom[..], bytes].concat();
        for (content_type, body) in [
            (Some("application/json; charset=utf-16le"), le.clone()),
            (Some("application/json;charset=\"UTF-16LE\""), le.clone()),
            (Some("text/plain; charset=utf-16be"), be.clone()),
            (Some("text/plain; charset=utf-16"), be.clone()),
            (
                Some("text/plain; charset=utf-16"),
                with_bom([0xff, 0xfe], &le),
            ),
            (None, with_bom([0xff, 0xfe], &le)),
            (None, with_bom([0xfe, 0xff], &be)),
        ] {
            assert_eq!(body_text(content_type, &body), text, "{content_type:?}");
        }
        // UTF-8 otherwise, invalid bytes replaced; an odd byte or a lone surrogate too.
        assert_eq!(body_text(Some("application/json"), text.as_bytes()), text);
        assert_eq!(body_text(None, b"a\xffb"), "a\u{fffd}b");
        assert_eq!(
            body_text(Some("text/plain; charset=utf-16le"), b"a\0b"),
            "a\u{fffd}"
        );
        assert_eq!(
            body_text(Some("text/plain; charset=utf-16be"), &[0xd8, 0, 0, b'x']),
            "\u{fffd}x"
        );
    }

    #[test]
    fn luhn_runs_of_13_to_19_digits_keep_their_last_four() {
        assert_eq!(mask_runs("4242424242424242"), "************4242");
        assert_eq!(
            mask_runs(r#"{"card":"5555555555554444","amex":378282246310005}"#),
            r#"{"card":"************4444","amex":***********0005}"#
        );
        // 13 and 19 digits.
        assert_eq!(mask_runs("n=4222222222222."), "n=*********2222.");
        assert_eq!(mask_runs("6011000990139424"), "************9424");
        assert_eq!(mask_runs("x4000000000000000006y"), "x***************0006y");
        // Around non-ASCII text.
        assert_eq!(mask_runs("né 4242424242424242 ü"), "né ************4242 ü");
    }

    #[test]
    fn other_digit_runs_are_untouched() {
        for text in [
            "4242424242420110", // fails Luhn, and so does each prefix a brand's length allows
            "424242424242",     // 12 digits
            "0000000000000001", // fails Luhn
            "amount 4850 at 1764201600",
            "4242 4242 4242 4242", // groups are separate short runs
            "",
            "no digits",
        ] {
            assert_eq!(mask_runs(text), text);
        }
        // Luhn-valid but 12 digits: not a card number.
        assert!(luhn_valid("000000000000"));
        assert_eq!(mask_runs("000000000000"), "000000000000");
    }

    #[test]
    fn longer_runs_hiding_a_number_are_masked_whole() {
        // Zero-padded, or glued to an expiry.
        assert_eq!(mask_runs("00004242424242424242"), "****************4242");
        assert_eq!(mask_runs("42424242424242421230"), "****************1230");
        // A long run with no Luhn stretch of 13-19 digits stays.
        let plain = "1".repeat(30);
        let has_stretch = (13..=19).any(|w| (0..=30 - w).any(|s| luhn_valid(&plain[s..s + w])));
        assert_eq!(mask_runs(&plain) == plain.as_str(), !has_stretch);
    }

    #[test]
    fn a_run_that_begins_with_a_valid_number_is_masked_whole() {
        // Fails Luhn as 16 digits, but its first 14 are a valid Visa number (13 to 19 digits)
        // glued to a digit.
        assert!(!luhn_valid("4242424242424241") && luhn_valid("42424242424242"));
        assert_eq!(mask_runs("4242424242424241"), "************4241");
    }

    #[test]
    fn several_numbers_in_one_text() {
        assert_eq!(
            mask_runs("a 4242424242424242 b 4242424242420110 c 5555555555554444"),
            "a ************4242 b 4242424242420110 c ************4444"
        );
    }

    #[test]
    fn a_number_glued_to_a_few_digits_is_masked() {
        // 16 + 2 (a month), 16 + 1, Amex 15 + 2: the whole run fails Luhn.
        for (text, masked) in [
            ("424242424242424212", "**************4212"),
            ("42424242424242421", "*************2421"),
            ("37828224631000501", "*************0501"),
        ] {
            assert!(!luhn_valid(text), "{text}");
            assert_eq!(mask_runs(text), masked);
        }
        // Far too long to search: masked whole.
        let long = "7".repeat(2000);
        assert_eq!(mask_runs(&long).matches('*').count(), 1996);
    }

    const NUMBER: &str = "4000056655665556";
    const CVC: &str = "737";
    const NAME: &str = r#"Ada "Countess" Lovelace"#;

    fn all() -> Sent<'static> {
        Sent {
            number: Some(NUMBER),
            cvc: Some(CVC),
            name: Some(NAME),
        }
    }

    fn cvc(text: &str) -> String {
        masked(
            &Sent {
                cvc: Some(CVC),
                ..Sent::default()
            },
            text,
        )
    }

    fn name(name: &str, text: &str) -> String {
        masked(
            &Sent {
                name: Some(name),
                ..Sent::default()
            },
            text,
        )
    }

    #[test]
    fn debug_says_what_was_sent_not_what() {
        let shown = format!("{:?}", all());
        assert_eq!(shown, "Sent { number: true, cvc: true, name: true }");
    }

    /// What the merchant would get back from `text` by encoding it as UTF-16 again.
    fn reencoded(text: &str, little_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if little_endian {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn the_sent_number_glued_to_other_digits_is_masked() {
        // Found by fuzzing: the 17-digit run fails Luhn, so only the sent-number pass can see
        // the number inside it.
        for text in [
            "/14000056655665556'",
            "40000566556655561",
            "x04000056655665556",
            "940000566556655569",
            // Found by fuzzing: an escape that swallows the first digits (`\u0400`), read
            // by whoever does not decode it as the number whole.
            "\\u040000566556655560%s",
            "%4000056655665556",
        ] {
            let out = sent(text, "4000056655665556");
            assert!(!out.contains("4000056655665556"), "{text}: {out}");
            assert!(!out.contains("40000566"), "{text}: {out}");
        }
    }

    #[test]
    fn utf8_labelled_as_utf16_gives_nothing_back() {
        let all = Sent {
            number: Some(PAN),
            cvc: Some("737"),
            name: Some("Ada Lovelace"),
        };
        let body = format!("{PAN}|737|Ada Lovelace|");
        for (label, little_endian, shift) in [
            ("text/plain; charset=utf-16le", true, ""),
            ("text/plain; charset=utf-16be", false, ""),
            ("text/plain; charset=utf-16le", true, "x"),
        ] {
            let raw = format!("{shift}{body}");
            let masked = mask_bytes(&all, raw.as_bytes());
            let mut text = body_text(Some(label), &masked);
            mask(&all, &mut text);
            let back = String::from_utf8_lossy(&reencoded(&text, little_endian)).into_owned();
            for secret in [PAN, "737", "Ada Lovelace"] {
                assert!(!back.contains(secret), "{label}{shift}: {back}");
            }
            // The bytes pass alone already took them out.
            let bytes = String::from_utf8_lossy(&masked).into_owned();
            assert!(
                !bytes.contains(PAN) && !bytes.contains("Lovelace"),
                "{bytes}"
            );
        }
        // A UTF-8 body keeps its other text, accents included.
        let masked = mask_bytes(&all, "Émile paid, ref 42".as_bytes());
        assert_eq!(body_text(None, &masked), "Émile paid, ref 42");
    }

    #[test]
    fn the_cvc_is_masked_as_a_run_of_its_own() {
        for (text, expected) in [
            (r#"{"cvc":"737"}"#, r#"{"cvc":"***"}"#),
            (r#"{"cvc":737,"cvv2":"737"}"#, r#"{"cvc":***,"cvv2":"***"}"#),
            ("cvc737x", "cvc***x"),
            // However its digits are written: JSON, percent, HTML, full-width, UTF-16 as UTF-8.
            (r#""\u0037\u0033\u0037""#, r#""***""#),
            ("c=%37%33%37&", "c=***&"),
            ("<b>&#55;&#x33;&#X37;</b>", "<b>***</b>"),
            ("<b>&#0055&#51;7</b>", "<b>***</b>"),
            ("７３７", "***"),
            ("7\u{0}3\u{0}7\u{0},\u{0}", "*\u{0}*\u{0}*\u{0},\u{0}"),
            // Not inside a longer run, nor split.
            ("amount 17370, id 7737, 73 7", "amount 17370, id 7737, 73 7"),
            ("%37%33%37%37", "%37%33%37%37"),
        ] {
            assert_eq!(cvc(text), expected, "{text}");
        }
    }

    #[test]
    fn the_name_is_masked_as_text() {
        let stars = |n: usize| "*".repeat(n);
        for (text, expected) in [
            (
                r#"{"name":"Ada \"Countess\" Lovelace"}"#.to_owned(),
                format!(r#"{{"name":"{}"}}"#, stars(23)),
            ),
            // Other case, other spacing, a form's `+`, escapes of every kind: each masked
            // character (however written) one `*`.
            (
                "ADA \"COUNTESS\"   LOVELACE!".to_owned(),
                format!("{}!", stars(25)),
            ),
            (
                "n=Ada+%22Countess%22+Lovelace&".to_owned(),
                format!("n={}&", stars(23)),
            ),
            (
                "<td>Ada &quot;Countess&#34; Lovelace</td>".to_owned(),
                format!("<td>{}</td>", stars(23)),
            ),
            (
                r#""\u0041da \"Countess\" Lovelace""#.to_owned(),
                format!(r#""{}""#, stars(23)),
            ),
            // UTF-16 read as UTF-8: the NULs stay.
            (
                NAME.chars().flat_map(|c| [c, '\0']).collect(),
                std::iter::repeat_n("*\0", 23).collect(),
            ),
        ] {
            assert_eq!(name(NAME, &text), expected, "{text}");
        }
        // Folded: case in any script, a Latin letter's accents.
        assert_eq!(
            name("Émile Zola", "EMILE ZOLA, émile zola, ÉMILE zola."),
            "**********, **********, **********."
        );
        assert_eq!(name("Ирина Петрова", "ИРИНА ПЕТРОВА"), "*************");
        // Not inside a longer word.
        assert_eq!(name("Ann", "Announcement by ann."), "Announcement by ***.");
        assert_eq!(name("Ann", "Ann2 xann"), "Ann2 xann");
    }

    #[test]
    fn latin_folds_are_sorted_and_plain() {
        assert!(LATIN.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            LATIN
                .iter()
                .all(|&(accented, plain)| !accented.is_ascii() && plain.is_ascii_lowercase())
        );
    }

    /// Whether any run of base64 characters in `text`, decoded from any of its first four
    /// characters (either alphabet), holds `secret`.
    pub(crate) fn base64_holds(text: &str, secret: &[u8]) -> bool {
        let sextet = |b: u8| match b {
            b'A'..=b'Z' => Some(b - b'A'),
            b'a'..=b'z' => Some(b - b'a' + 26),
            b'0'..=b'9' => Some(b - b'0' + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        };
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let run: Vec<u8> = bytes[at..].iter().map_while(|&b| sextet(b)).collect();
            for skip in 0..4.min(run.len()) {
                let mut bits = 0u32;
                let mut count = 0;
                let mut decoded = Vec::new();
                for &s in &run[skip..] {
                    bits = (bits << 6) | u32::from(s);
                    count += 6;
                    if count >= 8 {
                        count -= 8;
                        decoded.push((bits >> count) as u8);
                    }
                }
                if decoded.windows(secret.len()).any(|w| w == secret) {
                    return true;
                }
            }
            at += run.len().max(1);
        }
        false
    }

    /// Whether any run of hex digits in `text`, read from its first or second digit, holds
    /// `secret`.
    pub(crate) fn hex_holds(text: &str, secret: &[u8]) -> bool {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let run: Vec<u8> = bytes[at..]
                .iter()
                .map_while(|&b| (b as char).to_digit(16).map(|d| d as u8))
                .collect();
            for skip in 0..2.min(run.len()) {
                let decoded: Vec<u8> = run[skip..]
                    .chunks_exact(2)
                    .map(|pair| (pair[0] << 4) | pair[1])
                    .collect();
                if decoded.windows(secret.len()).any(|w| w == secret) {
                    return true;
                }
            }
            at += run.len().max(1);
        }
        false
    }

    fn base64_forms(value: &[u8]) -> Vec<String> {
        use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
        let mut forms = Vec::new();
        for before in ["", "a", "ab", "abc"] {
            for after in ["", "z", "yz"] {
                let whole = [before.as_bytes(), value, after.as_bytes()].concat();
                forms.push(Base64::encode_string(&whole));
                forms.push(Base64Unpadded::encode_string(&whole));
                forms.push(Base64Url::encode_string(&whole));
                forms.push(Base64UrlUnpadded::encode_string(&whole));
            }
        }
        forms
    }

    fn hex_forms(value: &[u8]) -> Vec<String> {
        let lower: String = value.iter().map(|b| format!("{b:02x}")).collect();
        vec![
            lower.clone(),
            lower.to_uppercase(),
            format!("a{lower}"),
            format!("0{}1", lower.to_uppercase()),
        ]
    }

    #[test]
    fn base64_and_hex_forms_of_what_was_sent_are_masked() {
        let json_name = escape_value(NAME, Escape::Json);
        let form_name = escape_value(NAME, Escape::Form);
        let upper_name = NAME.to_uppercase();
        let secrets: [&[u8]; 6] = [
            NUMBER.as_bytes(),
            CVC.as_bytes(),
            NAME.as_bytes(),
            &json_name,
            &form_name,
            upper_name.as_bytes(),
        ];
        for secret in secrets {
            for form in base64_forms(secret) {
                let text = format!(r#"{{"data":"{form}","n":1}}"#);
                assert!(base64_holds(&text, secret));
                let got = masked(&all(), &text);
                assert!(!base64_holds(&got, secret), "{form} -> {got}");
                assert!(got.ends_with(r#"","n":1}"#), "{got}");
            }
            for form in hex_forms(secret) {
                let text = format!("hex={form};");
                assert!(hex_holds(&text, secret));
                let got = masked(&all(), &text);
                assert!(!hex_holds(&got, secret), "{form} -> {got}");
                assert!(got.starts_with("hex=") && got.ends_with(';'), "{got}");
            }
        }
        // Base64 of other text stays, but for a character by chance.
        let other = <base64ct::Base64 as base64ct::Encoding>::encode_string(
            b"nothing sent here, 5556 and 73",
        );
        assert_eq!(masked(&all(), &other), other);
    }

    #[test]
    fn percent_and_html_forms_of_the_number_are_masked() {
        let percent: String = NUMBER.bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(
            sent(&format!("n={percent}&"), NUMBER),
            "n=************%35%35%35%36&"
        );
        let decimal: String = NUMBER.bytes().map(|b| format!("&#{b};")).collect();
        assert_eq!(sent(&decimal, NUMBER), "************&#53;&#53;&#53;&#54;");
        let hex: String = NUMBER.bytes().map(|b| format!("&#x{b:x};")).collect();
        assert_eq!(sent(&hex, NUMBER), "************&#x35;&#x35;&#x35;&#x36;");
        // A JSON surrogate pair is one character between two digits.
        assert_eq!(
            sent(r"4000 0566 \ud83d\ude00 5566 5556", NUMBER),
            r"**** **** \ud83d\ude00 **** 5556"
        );
    }

    fn headers(sent: &Sent<'_>, list: &[(&str, &str)]) -> BTreeMap<String, String> {
        mask_headers(sent, list.iter().map(|(n, v)| (*n, v.as_bytes())))
    }

    #[test]
    fn headers_are_masked_after_joining_names_too() {
        let number = Sent {
            number: Some(NUMBER),
            ..Sent::default()
        };
        let got = headers(
            &number,
            &[
                ("x-a", "40000566"),
                ("x-b", "ok"),
                ("x-a", "55665556"),
                ("x-4000056655665556", "1"),
                ("x-40000566", "55665556"),
            ],
        );
        let expected: BTreeMap<String, String> = [
            ("x-a", "********, ****5556"),
            ("x-b", "ok"),
            ("x-************5556", "1"),
            ("x-********", "****5556"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(got, expected);
        // Two names that are one once masked (the sent number, another card number): their
        // values are joined, then masked again.
        let got = headers(
            &number,
            &[
                ("x-4000056655665556", "4000 0566"),
                ("x-4242424242495556", "5566 5556"),
            ],
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got["x-************5556"], "**** ****, **** 5556");
        // The CVC and the name, in names and values; other card numbers too.
        let got = headers(
            &all(),
            &[
                ("x-cvc-737", "737"),
                ("x-name", NAME),
                ("x-other", "4242424242424242"),
                ("x-bytes", "\u{e9}"),
            ],
        );
        assert_eq!(got["x-cvc-***"], "***");
        assert_eq!(got["x-name"], "*".repeat(23));
        assert_eq!(got["x-other"], "************4242");
        assert_eq!(got["x-bytes"], "\u{e9}");
        assert_eq!(
            mask_headers(&all(), [("x-raw", &b"a\xffb"[..])])["x-raw"],
            "a\u{fffd}b"
        );
    }

    #[test]
    fn masking_keeps_utf8_and_json() {
        let text = format!(
            r#"{{"n":"\u0034\u0030\u0030\u0030056655665556","c":"\u0037\u0033\u0037","m":"Ada \"Countess\" Lovelace","é":"ü{}"}}"#,
            "\u{1F600}"
        );
        let got = masked(&all(), &text);
        let value: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(value["n"], "************5556");
        assert_eq!(value["c"], "***");
        assert_eq!(value["m"], "*".repeat(23));
        assert_eq!(value["é"], "ü\u{1F600}");

        // A JSON text inside a JSON string: the name's quotes escaped twice.
        let inner = serde_json::json!({"name": NAME}).to_string();
        let outer = serde_json::json!({ "request": inner }).to_string();
        let got = masked(&all(), &outer);
        let value: serde_json::Value = serde_json::from_str(&got).unwrap();
        let inner: serde_json::Value =
            serde_json::from_str(value["request"].as_str().unwrap()).unwrap();
        assert_eq!(inner["name"], "*".repeat(25), "{got}");
    }

    mod random {
        use super::*;
        use proptest::prelude::*;

        /// Every form the masking covers, of `value`.
        fn forms(value: &str) -> Vec<String> {
            let mut forms = vec![value.to_owned()];
            forms.push(value.bytes().map(|b| format!("%{b:02x}")).collect());
            forms.push(value.bytes().map(|b| format!("&#{b};")).collect());
            forms.push(value.bytes().map(|b| format!("&#x{b:X};")).collect());
            forms.push(
                value
                    .chars()
                    .map(|c| format!("\\u{:04x}", u32::from(c)))
                    .collect(),
            );
            forms.push(value.chars().flat_map(|c| [c, '\0']).collect());
            forms
        }

        proptest! {
            #[test]
            fn nothing_sent_survives(
                before in "[ -~é\u{0}]{0,40}",
                after in "[ -~é\u{0}]{0,40}",
                number in proptest::sample::select(vec!["4000056655665556", "378282246310005", "4242424242424242", "6011000990139424"]),
                cvc in "[0-9]{3,4}",
                which in 0usize..6,
                encoding in 0usize..2,
                pad in 0usize..3,
            ) {
                let sent = Sent { number: Some(number), cvc: Some(&cvc), name: Some(NAME) };
                for secret in [number, cvc.as_str(), NAME] {
                    let form = match encoding {
                        0 => forms(secret)[which].clone(),
                        _ => {
                            let all = [base64_forms(secret.as_bytes()), hex_forms(secret.as_bytes())].concat();
                            all[(which * 7 + pad) % all.len()].clone()
                        }
                    };
                    // Set apart from the text around it: the CVC is a run of its own.
                    let text = format!("{before} {form} {after}");
                    let got = masked(&sent, &text);
                    prop_assert!(!got.contains(&form), "{text:?} -> {got:?}");
                    prop_assert!(!got.contains(number));
                    prop_assert!(!base64_holds(&got, secret.as_bytes()), "{text:?} -> {got:?}");
                    prop_assert!(!hex_holds(&got, secret.as_bytes()), "{text:?} -> {got:?}");
                }
            }

            #[test]
            fn any_text_stays_utf8_and_masking_twice_changes_nothing(
                text in "[ -~é４\u{0}\\\\%&#;]{0,200}",
            ) {
                let once = masked(&all(), &text);
                prop_assert_eq!(masked(&all(), &once), once.clone());
            }
        }
    }
}
