//! Dual control: the software master key as K-of-N custodian shares (PCI DSS 3.6.1.2 "split key
//! components", 3.6.1.3 / 3.7.6 split knowledge and dual control).
//!
//! `cardvault master-key split --shares N --threshold K` turns the 32 key bytes into N shares with
//! Shamir's secret sharing over GF(256) (`vsss-rs`, byte by byte: each byte is the constant term
//! of its own random polynomial of degree K-1, and share `i` is every polynomial at `x = i`). Any
//! K shares give the key back; K-1 shares say nothing about it, not one bit (the scheme's
//! information-theoretic secrecy), so no custodian and no K-1 of them can start the vault.
//!
//! A share is written for a custodian to copy on paper and type back:
//!
//! ```text
//! cvs1-2-3-abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567-abcd-efgh-ijkl-mnop-qrst-k7cd2a
//!      | |  '--- the 32 share bytes, base32 (RFC 4648, a-z 2-7), 13 groups of 4 ---' checksum
//!      | '- threshold K
//!      '- index i (1..=N)
//! ```
//!
//! Base32 has no `0`/`O`, `1`/`l`/`I` or `8`/`B` pairs to confuse; case and the separators
//! (dashes, spaces) are not significant. The checksum is the first 30 bits of SHA-256 over the
//! canonical rest (`cvs1-i-K-<52 characters>`): a mistyped character, a swapped pair, a lost or
//! added one is named as mistyped *before* any combining, with a chance of 2^-30 to slip through.
//! It is computed from this share alone, so it tells nothing about any other share or the key.
//!
//! What a share deliberately does not carry: a key check value (a few bytes of HMAC(key, …)) or
//! an identifier of its split. A check value would let a set be called right or wrong without the
//! store, but it is a function of the key printed on every share: with K-1 shares and the check
//! value, candidate keys can be tested offline, which is exactly what K-1 shares must not allow
//! (the key is 256 random bits, so this is no practical attack, but it gives up the scheme's
//! proof for a convenience we do not need). The vault has a better check that reveals nothing:
//! the combined key must unwrap the store's own keys (its audit seal key, then every data key),
//! so a wrong set is refused as a whole, against the store, without saying which share was wrong
//! (`vault/unlock.rs`). A split identifier would only catch shares from two splits of the *same*
//! key, which the store check catches as well.
//!
//! Secrets are types here as everywhere in `keys/`: a [`Share`]'s bytes and its text are zeroized
//! on drop, its `Debug` shows only its index and threshold, and no error carries input.

use core::fmt;

use subtle::ConstantTimeEq;
use vsss_rs::{Gf256, IdentifierGf256};
use zeroize::{Zeroize, Zeroizing};

use super::KEY_LEN;
use crate::keys::KeyError;

/// The fewest shares a split may need: one would be the key itself.
pub const MIN_THRESHOLD: u8 = 2;
/// The most shares a split may make (a share's index is one of 1..=16).
pub const MAX_SHARES: u8 = 16;

/// The text's version prefix: a later format gets another.
const PREFIX: &str = "cvs1";
/// Characters of base32 for [`KEY_LEN`] bytes: 256 bits in 52 five-bit characters (4 bits spare,
/// which must be zero).
const VALUE_CHARS: usize = (KEY_LEN * 8).div_ceil(5);
/// Characters of the checksum (30 bits).
const CHECK_CHARS: usize = 6;
/// Characters per group of the printed value, for reading aloud and copying.
const GROUP: usize = 4;
/// The longest text accepted (the printed form is 80 to 82 characters; room for spaces).
pub const MAX_TEXT_LEN: usize = 256;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// One custodian's share of the master key. No `Clone`, no `Display`; `Debug` shows no secret.
pub struct Share {
    index: u8,
    threshold: u8,
    value: Zeroizing<[u8; KEY_LEN]>,
}

/// Why a split or a combination was refused. Carries no input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareError {
    /// Not `2 <= threshold <= shares <= 16`.
    BadParameters,
    /// Not a share's text, or one with a character wrong: the checksum does not match.
    Mistyped,
    /// Shares given to combine are fewer than their threshold, or not of one threshold, or two
    /// have the same index.
    NotASet,
    /// The random generator failed.
    Crypto,
}

impl ShareError {
    /// A sentence saying what went wrong, without any of the input.
    pub fn message(self) -> &'static str {
        match self {
            ShareError::BadParameters => "a split needs 2 <= --threshold <= --shares <= 16",
            ShareError::Mistyped => {
                "this is not a master key share as `cardvault master-key split` printed it: a character is wrong or missing (the checksum does not match)"
            }
            ShareError::NotASet => {
                "these shares are not one set: fewer than their threshold, of different thresholds, or two with the same number"
            }
            ShareError::Crypto => KeyError::Crypto.message(),
        }
    }
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ShareError {}

impl Share {
    /// This share's number, 1..=N (not secret: it is printed beside the share, and audited).
    pub fn index(&self) -> u8 {
        self.index
    }

    /// How many shares of its split give the key back.
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// The text a custodian keeps: `cvs1-<index>-<threshold>-<value in groups>-<checksum>`.
    pub fn to_text(&self) -> Zeroizing<String> {
        let value = encode_base32(&self.value);
        let check = checksum(self.index, self.threshold, &value);
        let mut text = Zeroizing::new(String::with_capacity(MAX_TEXT_LEN));
        text.push_str(PREFIX);
        text.push('-');
        push_number(&mut text, self.index);
        text.push('-');
        push_number(&mut text, self.threshold);
        for group in value.as_bytes().chunks(GROUP) {
            text.push('-');
            for &c in group {
                text.push(char::from(c));
            }
        }
        text.push('-');
        text.push_str(&check);
        text
    }

    /// Reads a share as [`to_text`](Self::to_text) writes it: any case, dashes or white space
    /// between the parts and the value's groups. Anything that is not such a share, or whose
    /// checksum does not match, is [`ShareError::Mistyped`].
    pub fn parse(text: &str) -> Result<Share, ShareError> {
        if text.len() > MAX_TEXT_LEN {
            return Err(ShareError::Mistyped);
        }
        let mut parts = text
            .split(|c: char| c == '-' || c.is_ascii_whitespace())
            .filter(|part| !part.is_empty());
        let prefix = parts.next().ok_or(ShareError::Mistyped)?;
        if !prefix.eq_ignore_ascii_case(PREFIX) {
            return Err(ShareError::Mistyped);
        }
        let index = parse_number(parts.next())?;
        let threshold = parse_number(parts.next())?;
        if !(1..=MAX_SHARES).contains(&index) || !(MIN_THRESHOLD..=MAX_SHARES).contains(&threshold)
        {
            return Err(ShareError::Mistyped);
        }
        // The rest: the value's groups, then the checksum. Gathered (lower case) in a buffer
        // zeroized on drop, sized so that it never reallocates.
        let mut rest = Zeroizing::new(String::with_capacity(MAX_TEXT_LEN));
        let mut last_len = 0;
        for part in parts {
            rest.push_str(part);
            last_len = part.len();
        }
        rest.make_ascii_lowercase();
        if rest.len() != VALUE_CHARS + CHECK_CHARS || last_len != CHECK_CHARS {
            return Err(ShareError::Mistyped);
        }
        let (value_text, given_check) = rest.split_at(VALUE_CHARS);
        let expected = checksum(index, threshold, value_text);
        if !bool::from(expected.as_bytes().ct_eq(given_check.as_bytes())) {
            return Err(ShareError::Mistyped);
        }
        let value = decode_base32(value_text).ok_or(ShareError::Mistyped)?;
        Ok(Share {
            index,
            threshold,
            value,
        })
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Share(index={}, threshold={}, redacted)",
            self.index, self.threshold
        )
    }
}

/// Splits the 32 bytes of a software master key into `shares` shares, any `threshold` of which
/// give it back; their indexes are 1..=shares.
pub fn split(key: &[u8; KEY_LEN], shares: u8, threshold: u8) -> Result<Vec<Share>, ShareError> {
    if threshold < MIN_THRESHOLD || threshold > shares || shares > MAX_SHARES {
        return Err(ShareError::BadParameters);
    }
    let mut rng = AwsLcRng { failed: false };
    let ids = (1..=shares).map(|i| IdentifierGf256(Gf256(i)));
    // Each share as vsss-rs makes it: its identifier, then one byte per key byte.
    let raw = Zeroizing::new(
        Gf256::split_bytes_with_participant_ids_iter(
            usize::from(threshold),
            usize::from(shares),
            key,
            &mut rng,
            ids,
        )
        .map_err(|_| ShareError::BadParameters)?,
    );
    // Coefficients drawn while the generator failed are not random: nothing made with them
    // leaves this function.
    if rng.failed {
        return Err(ShareError::Crypto);
    }
    raw.iter()
        .map(|bytes| {
            let (&index, value) = bytes.split_first().ok_or(ShareError::Crypto)?;
            let mut share = Share {
                index,
                threshold,
                value: Zeroizing::new([0u8; KEY_LEN]),
            };
            if value.len() != KEY_LEN {
                return Err(ShareError::Crypto);
            }
            share.value.copy_from_slice(value);
            Ok(share)
        })
        .collect()
}

/// The key that `shares` give back: at least their threshold of them, all of one threshold,
/// each index once. Any such set combines to *some* 32 bytes: whether they are the vault's key
/// only the store can say (see the module's documentation).
pub fn combine(shares: &[Share]) -> Result<Zeroizing<[u8; KEY_LEN]>, ShareError> {
    let threshold = shares.first().ok_or(ShareError::NotASet)?.threshold;
    if shares.len() < usize::from(threshold) || shares.iter().any(|s| s.threshold != threshold) {
        return Err(ShareError::NotASet);
    }
    for (i, share) in shares.iter().enumerate() {
        if shares[i + 1..]
            .iter()
            .any(|other| other.index == share.index)
        {
            return Err(ShareError::NotASet);
        }
    }
    let mut raw: Zeroizing<Vec<Vec<u8>>> = Zeroizing::new(Vec::with_capacity(shares.len()));
    for share in shares {
        let mut bytes = Vec::with_capacity(1 + KEY_LEN);
        bytes.push(share.index);
        bytes.extend_from_slice(&*share.value);
        raw.push(bytes);
    }
    let mut combined =
        Zeroizing::new(Gf256::combine_bytes(&*raw).map_err(|_| ShareError::NotASet)?);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if combined.len() != KEY_LEN {
        combined.zeroize();
        return Err(ShareError::NotASet);
    }
    key.copy_from_slice(&combined);
    Ok(key)
}

/// AWS-LC's generator (the one every key of the vault comes from) for vsss-rs, which wants an
/// infallible `rand_core` generator. AWS-LC reports failure; when it does, this remembers it and
/// [`split`] throws away everything made meanwhile.
struct AwsLcRng {
    failed: bool,
}

impl rand_core::TryRng for AwsLcRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        if aws_lc_rs::rand::fill(dst).is_err() {
            self.failed = true;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for AwsLcRng {}

fn push_number(text: &mut String, n: u8) {
    if n >= 10 {
        text.push(char::from(b'0' + n / 10));
    }
    text.push(char::from(b'0' + n % 10));
}

fn parse_number(part: Option<&str>) -> Result<u8, ShareError> {
    let part = part.ok_or(ShareError::Mistyped)?;
    if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ShareError::Mistyped);
    }
    part.parse().map_err(|_| ShareError::Mistyped)
}

/// The checksum of a share's canonical text: base32 of the first 30 bits of its SHA-256.
fn checksum(index: u8, threshold: u8, value_text: &str) -> Zeroizing<String> {
    let mut canonical = Zeroizing::new(String::with_capacity(MAX_TEXT_LEN));
    canonical.push_str(PREFIX);
    canonical.push('-');
    push_number(&mut canonical, index);
    canonical.push('-');
    push_number(&mut canonical, threshold);
    canonical.push('-');
    canonical.push_str(value_text);
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    let bits = digest
        .as_ref()
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
        >> 2;
    let mut check = Zeroizing::new(String::with_capacity(CHECK_CHARS));
    for i in (0..CHECK_CHARS).rev() {
        check.push(char::from(ALPHABET[((bits >> (5 * i)) & 31) as usize]));
    }
    check
}

/// Base32 (RFC 4648 alphabet, lower case, no padding) of 32 bytes, without branching on or
/// indexing by their values: the share is secret.
fn encode_base32(bytes: &[u8; KEY_LEN]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(VALUE_CHARS));
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(base32_char(((acc >> bits) & 31) as u8));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(base32_char(((acc << (5 - bits)) & 31) as u8));
    }
    acc.zeroize();
    out
}

/// The base32 character of a 5-bit value, branch-free: `a`..`z` for 0..=25, `2`..`7` after.
fn base32_char(v: u8) -> char {
    let v = i16::from(v & 31);
    // (25 - v) >> 8 is all ones when v > 25: step from 'a' + v to '2' + (v - 26).
    let shift = ((25 - v) >> 8) & (i16::from(b'2') - 26 - i16::from(b'a'));
    char::from(u8::try_from(i16::from(b'a') + v + shift).unwrap_or(b'?'))
}

/// All ones when `lo <= x <= hi`, else zero (for small non-negative values).
fn in_range(x: i16, lo: i16, hi: i16) -> i16 {
    ((lo - 1 - x) & (x - hi - 1)) >> 8
}

/// The 32 bytes of 52 lower-case base32 characters; `None` for any other character or non-zero
/// spare bits. Constant time in the characters' values.
fn decode_base32(text: &str) -> Option<Zeroizing<[u8; KEY_LEN]>> {
    if text.len() != VALUE_CHARS {
        return None;
    }
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut at = 0;
    let mut invalid: i16 = 0;
    for c in text.bytes() {
        let c = i16::from(c);
        let letter = in_range(c, i16::from(b'a'), i16::from(b'z'));
        let digit = in_range(c, i16::from(b'2'), i16::from(b'7'));
        let value = (letter & (c - i16::from(b'a'))) | (digit & (c - i16::from(b'2') + 26));
        invalid |= !(letter | digit);
        acc = (acc << 5) | u32::from(u8::try_from(value & 31).unwrap_or(0));
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            if let Some(slot) = out.get_mut(at) {
                *slot = u8::try_from((acc >> bits) & 0xff).unwrap_or(0);
            }
            at += 1;
            acc &= (1 << bits) - 1;
        }
    }
    let spare = acc;
    acc.zeroize();
    if invalid != 0 || spare != 0 || at != KEY_LEN {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Zeroizing<[u8; KEY_LEN]> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        aws_lc_rs::rand::fill(&mut *key).unwrap();
        key
    }

    #[test]
    fn any_k_of_n_give_the_key_back_and_fewer_do_not() {
        let key = key();
        let shares = split(&key, 5, 3).unwrap();
        assert_eq!(shares.len(), 5);
        assert_eq!(
            shares.iter().map(Share::index).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        // Every 3 of the 5, through their text as a custodian types it back.
        for a in 0..5 {
            for b in a + 1..5 {
                for c in b + 1..5 {
                    let set: Vec<Share> = [a, b, c]
                        .iter()
                        .map(|&i| Share::parse(&shares[i].to_text()).unwrap())
                        .collect();
                    assert_eq!(*combine(&set).unwrap(), *key, "{a} {b} {c}");
                }
            }
        }
        // All five combine to it as well; two are refused.
        assert_eq!(*combine(&shares).unwrap(), *key);
        assert_eq!(combine(&shares[..2]).unwrap_err(), ShareError::NotASet);
        // Each share on its own is not the key, nor are two shares alike.
        for share in &shares {
            assert_ne!(*share.value, *key);
        }
        assert_ne!(*shares[0].value, *shares[1].value);
        // A new split of the same key gives other shares.
        let again = split(&key, 5, 3).unwrap();
        assert_ne!(*again[0].value, *shares[0].value);
    }

    #[test]
    fn shares_of_two_splits_combine_to_another_key() {
        let key = key();
        let first = split(&key, 3, 2).unwrap();
        let second = split(&key, 3, 2).unwrap();
        let mixed = [
            Share::parse(&first[0].to_text()).unwrap(),
            Share::parse(&second[1].to_text()).unwrap(),
        ];
        // Not refused here: only the store can say (vault/unlock.rs); but not the key.
        assert_ne!(*combine(&mixed).unwrap(), *key);
    }

    #[test]
    fn sets_that_are_not_sets_are_refused() {
        let key = key();
        let shares = split(&key, 4, 2).unwrap();
        let twice = [
            Share::parse(&shares[0].to_text()).unwrap(),
            Share::parse(&shares[0].to_text()).unwrap(),
        ];
        assert_eq!(combine(&twice).unwrap_err(), ShareError::NotASet);
        let other = split(&key, 4, 3).unwrap();
        let thresholds = [
            Share::parse(&shares[0].to_text()).unwrap(),
            Share::parse(&other[1].to_text()).unwrap(),
            Share::parse(&other[2].to_text()).unwrap(),
        ];
        assert_eq!(combine(&thresholds).unwrap_err(), ShareError::NotASet);
        assert_eq!(combine(&[]).unwrap_err(), ShareError::NotASet);
    }

    #[test]
    fn split_parameters() {
        let key = key();
        for (n, k) in [(1, 1), (2, 1), (3, 4), (17, 2), (17, 17), (0, 0)] {
            assert_eq!(
                split(&key, n, k).unwrap_err(),
                ShareError::BadParameters,
                "{n} {k}"
            );
        }
        for (n, k) in [(2, 2), (16, 2), (16, 16)] {
            let shares = split(&key, n, k).unwrap();
            assert_eq!(shares.len(), usize::from(n));
            assert_eq!(*combine(&shares[..usize::from(k)]).unwrap(), *key);
        }
    }

    #[test]
    fn the_text_round_trips_in_any_case_and_spacing() {
        let key = key();
        let shares = split(&key, 12, 11).unwrap();
        let share = &shares[11];
        let text = share.to_text();
        assert!(text.starts_with("cvs1-12-11-"), "{}", &text[..11]);
        assert_eq!(text.len(), 5 + 3 + 2 + 13 * 5 + 1 + CHECK_CHARS);
        let parsed = Share::parse(&text).unwrap();
        assert_eq!((parsed.index(), parsed.threshold()), (12, 11));
        assert_eq!(*parsed.value, *share.value);
        // As a custodian may type it: upper case, spaces for dashes, around it white space.
        let typed = format!("  {}\n", text.to_ascii_uppercase().replace('-', " "));
        assert_eq!(*Share::parse(&typed).unwrap().value, *share.value);
        // Groups run together.
        let (head, rest) = text.split_at(11);
        let (value, check) = rest.split_at(rest.len() - CHECK_CHARS - 1);
        let joined = format!("{head}{}{check}", value.replace('-', ""));
        assert_eq!(*Share::parse(&joined).unwrap().value, *share.value);
    }

    #[test]
    fn a_mistyped_share_is_named_mistyped() {
        let key = key();
        let shares = split(&key, 3, 2).unwrap();
        let text = shares[1].to_text();
        let bytes = text.as_bytes();
        // Every single character changed to another of the alphabet, anywhere but the prefix.
        for at in 5..bytes.len() {
            if bytes[at] == b'-' {
                continue;
            }
            let replacement = if bytes[at].is_ascii_digit() && at < 9 {
                if bytes[at] == b'3' { b'2' } else { b'3' }
            } else if bytes[at] == b'a' {
                b'b'
            } else {
                b'a'
            };
            let mut typo = bytes.to_vec();
            typo[at] = replacement;
            let typo = String::from_utf8(typo).unwrap();
            assert_eq!(
                Share::parse(&typo).unwrap_err(),
                ShareError::Mistyped,
                "{at}"
            );
        }
        // Two neighbours swapped, a character lost, one added.
        let value_at = 10;
        let mut swapped = bytes.to_vec();
        if swapped[value_at] != swapped[value_at + 1] {
            swapped.swap(value_at, value_at + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            assert_eq!(Share::parse(&swapped).unwrap_err(), ShareError::Mistyped);
        }
        let lost = format!("{}{}", &text[..value_at], &text[value_at + 1..]);
        assert_eq!(Share::parse(&lost).unwrap_err(), ShareError::Mistyped);
        let added = format!("{}a{}", &text[..value_at], &text[value_at..]);
        assert_eq!(Share::parse(&added).unwrap_err(), ShareError::Mistyped);
        // Not a share at all.
        for junk in [
            "",
            "cvs1",
            "cvs2-1-2-aaaa",
            "hello",
            &"a".repeat(400),
            "cvs1-0-2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-aaaaaa",
            "cvs1-1-1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-aaaaaa",
        ] {
            assert_eq!(Share::parse(junk).unwrap_err(), ShareError::Mistyped);
        }
    }

    #[test]
    fn base32_is_rfc_4648() {
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======"; here 32 bytes, lower case.
        let mut bytes = [0u8; KEY_LEN];
        bytes[..6].copy_from_slice(b"foobar");
        let text = encode_base32(&bytes);
        assert!(text.starts_with("mzxw6ytboi"), "{}", text.as_str());
        assert_eq!(text.len(), VALUE_CHARS);
        assert_eq!(*decode_base32(&text).unwrap(), bytes);
        let all: String = (0..32).map(base32_char).collect();
        assert_eq!(all.as_bytes(), ALPHABET);
        // A character outside the alphabet, spare bits set: refused.
        let mut bad = text.to_string();
        bad.replace_range(0..1, "0");
        assert!(decode_base32(&bad).is_none());
        let mut spare = text.to_string();
        spare.replace_range(51..52, "b");
        assert!(decode_base32(&spare).is_none());
        assert!(decode_base32(&text[..51]).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any key, any N and K: the first K shares, through their text, give it back.
        #[test]
        fn split_and_combine_round_trip(
            bytes in proptest::array::uniform32(proptest::num::u8::ANY),
            n in 2u8..=16,
            k in 2u8..=16,
            skip in 0usize..16,
        ) {
            let k = k.min(n);
            let shares = split(&bytes, n, k).unwrap();
            let from = skip % (usize::from(n - k) + 1);
            let set: Vec<Share> = shares[from..from + usize::from(k)]
                .iter()
                .map(|s| Share::parse(&s.to_text()).unwrap())
                .collect();
            proptest::prop_assert_eq!(*combine(&set).unwrap(), bytes);
        }
    }

    #[test]
    fn debug_shows_no_share() {
        let key = key();
        let shares = split(&key, 2, 2).unwrap();
        let shown = format!("{:?} {:#?}", shares[0], shares);
        assert!(
            shown.starts_with("Share(index=1, threshold=2, redacted)"),
            "{shown}"
        );
        let text = shares[0].to_text();
        assert!(!shown.contains(&text[11..20]), "{shown}");
    }
}
