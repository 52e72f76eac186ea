//! The file of `cardvault import`: its OpenPGP decryption, streamed (rPGP), and its records
//! (CSV with a header, or JSON Lines), each checked by the card rules.
//!
//! The clear text is never written anywhere and never held whole: it is read a buffer at a time
//! into buffers of ours that are zeroized (a line at most [`MAX_LINE`] bytes, which never
//! reallocates), cut into cells in another such buffer, and a card lives only in the secret types
//! of [`Card`]. rPGP's own buffers (decryption, decompression) are not zeroized by it: they hold
//! at most a few tens of KiB of the stream at a time, in this process's memory only (which the
//! vault keeps out of core dumps, `process.rs`).
//!
//! SEIPDv1 (what GnuPG 2.2 writes) authenticates the whole stream only at its end, so rPGP
//! streams it unauthenticated; `cardvault import` therefore reads the file to its end, checking
//! everything and storing nothing, before it imports (see `import.rs`). A stream that fails to
//! decrypt to its end is reported as such, whatever else was found in it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cardvault::card::{Card, CardError, YearMonth, luhn_valid};
use pgp::composed::{DecryptionOptions, Deserializable, Esk, Message, SignedSecretKey, TheRing};
use pgp::types::{KeyDetails, Password, Seipdv1ReadMode};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use zeroize::{Zeroize, Zeroizing};

/// The longest line (record) accepted, in bytes.
pub(super) const MAX_LINE: usize = 16 * 1024;

/// The longest source id accepted, in characters.
const MAX_ID: usize = 200;

/// Why a file cannot be imported at all (nothing of it is stored).
#[derive(Debug)]
pub(super) enum FileError {
    /// The file cannot be opened or read.
    Io(PathBuf, io::Error),
    /// The OpenPGP message does not decrypt, or not to its end.
    Decrypt(String),
    /// The file has a CVC column or key.
    Cvc(String),
    /// The file is not what `--format` and `--column` say.
    Format(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            FileError::Decrypt(what) | FileError::Format(what) => f.write_str(what),
            FileError::Cvc(column) => write!(
                f,
                "the file has a CVC column ({column}): a CVC is never imported (PCI DSS 3.3.1 \
                 forbids keeping it after authorization); export the file again without it"
            ),
        }
    }
}

/// The file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Format {
    /// CSV (RFC 4180) with a header line naming the columns.
    Csv,
    /// JSON Lines: one object per line.
    Jsonl,
}

impl Format {
    /// The format a file's name suggests: JSON Lines for `*.jsonl` and `*.ndjson` (also
    /// before `.gpg`, `.pgp` or `.asc`), else CSV.
    pub(super) fn of(path: &Path) -> Format {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = [".gpg", ".pgp", ".asc"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
            .unwrap_or(&name);
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Format::Jsonl
        } else {
            Format::Csv
        }
    }
}

/// The record's fields, in the order of [`Columns::names`].
const FIELDS: [&str; 5] = ["id", "number", "exp_month", "exp_year", "name"];
const ID: usize = 0;
const NUMBER: usize = 1;
const EXP_MONTH: usize = 2;
const EXP_YEAR: usize = 3;
const NAME: usize = 4;

/// What the source calls each field (`--column id=customer_card_id,…`).
#[derive(Clone, Debug)]
pub(super) struct Columns {
    names: [String; 5],
}

/// Whether a column or key name is a CVC's, whatever its spelling (`CVV2`, `card_cvc`,
/// `Security Code`, …).
fn is_cvc_name(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const NAMES: [&str; 10] = [
        "cvc",
        "cvv",
        "cvc2",
        "cvv2",
        "csc",
        "cvn",
        "cvd",
        "securitycode",
        "verificationcode",
        "verificationvalue",
    ];
    // Any name holding one of the usual abbreviations (`cvv_code`, `cvc_number`, `ccv`), or the
    // long forms: a false alarm refuses a file, a miss would store a CVC.
    const PARTS: [&str; 6] = ["cvc", "cvv", "ccv", "csc", "cvn", "cvd"];
    PARTS.iter().any(|p| folded.contains(p))
        || folded.contains("securitycode")
        || folded.contains("verification")
        || NAMES
            .iter()
            .any(|n| folded == *n || folded.ends_with(n) && folded.starts_with("card"))
}

/// A header's column name as a message may show it: a plain name (letters, digits, space, `_`,
/// `-`, `.`; at most 64 bytes, at most 4 digits), else `?`. A header is the sender's text: a
/// file without one has a record there, card number and name included, and a name may carry
/// terminal escapes.
fn shown_name(name: &str) -> &str {
    let plain = name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.'))
        && name.bytes().filter(u8::is_ascii_digit).count() <= 4;
    if plain { name } else { "?" }
}

impl Columns {
    /// The names `--column FIELD=NAME` gives, the others as the field is called.
    pub(super) fn parse(mappings: &[String]) -> Result<Columns, FileError> {
        let mut names = FIELDS.map(str::to_owned);
        for mapping in mappings {
            let Some((field, name)) = mapping.split_once('=') else {
                return Err(FileError::Format(format!(
                    "--column {mapping}: expected FIELD=NAME, e.g. id=customer_card_id"
                )));
            };
            let (field, name) = (field.trim(), name.trim());
            if is_cvc_name(field) || is_cvc_name(name) {
                return Err(FileError::Cvc(format!("--column {mapping}")));
            }
            let Some(index) = FIELDS.iter().position(|f| *f == field) else {
                return Err(FileError::Format(format!(
                    "--column {mapping}: no field {field} (the fields are {})",
                    FIELDS.join(", ")
                )));
            };
            if name.is_empty() {
                return Err(FileError::Format(format!("--column {mapping}: no name")));
            }
            name.clone_into(&mut names[index]);
        }
        Ok(Columns { names })
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and decrypting
// ---------------------------------------------------------------------------------------------

/// The OpenPGP key the file is encrypted to, and its passphrase.
pub(super) struct PgpKey {
    key: SignedSecretKey,
    passphrase: Password,
}

impl fmt::Debug for PgpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgpKey").finish_non_exhaustive()
    }
}

impl PgpKey {
    /// Reads a secret key (armored, `gpg --export-secret-keys --armor`, or binary) and its
    /// passphrase (the first line of `passphrase_file`).
    pub(super) fn load(path: &Path, passphrase_file: Option<&Path>) -> Result<PgpKey, FileError> {
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| FileError::Io(path.into(), e))?);
        let key = SignedSecretKey::from_armor_single(&bytes[..])
            .map(|(key, _)| key)
            .or_else(|_| SignedSecretKey::from_bytes(&bytes[..]))
            .map_err(|_| {
                FileError::Format(format!(
                    "{}: not an OpenPGP secret key (export it with `gpg --export-secret-keys --armor`)",
                    path.display()
                ))
            })?;
        let passphrase = match passphrase_file {
            Some(file) => {
                let text =
                    Zeroizing::new(std::fs::read(file).map_err(|e| FileError::Io(file.into(), e))?);
                let line = text.split(|b| *b == b'\n').next().unwrap_or_default();
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                Password::from(line)
            }
            None => Password::empty(),
        };
        Ok(PgpKey { key, passphrase })
    }

    /// Why the key did not decrypt a message whose session keys are `esk`: a message not
    /// encrypted to it, a passphrase that does not unlock it, or else a message that is corrupt
    /// or cut short (whatever rPGP's error, which names no card data but is no clearer).
    fn why_not(&self, esk: &[Esk]) -> String {
        let to_us = esk.iter().any(|esk| match esk {
            Esk::PublicKeyEncryptedSessionKey(pkesk) => {
                self.key
                    .secret_subkeys
                    .iter()
                    .any(|sub| pkesk.match_identity(&sub.key))
                    || pkesk.match_identity(&self.key.primary_key)
            }
            Esk::SymKeyEncryptedSessionKey(_) => false,
        });
        if !to_us {
            return format!(
                "the file is not encrypted to this key ({}): it was encrypted to another \
                 recipient (export the key the sender encrypted to, or ask for the file again)",
                self.key.primary_key.fingerprint()
            );
        }
        let unlocks = self
            .key
            .secret_subkeys
            .iter()
            .all(|sub| matches!(sub.key.unlock(&self.passphrase, |_, _| Ok(())), Ok(Ok(()))));
        if unlocks {
            "the file does not decrypt: it is corrupt or truncated (ask for it again)".to_owned()
        } else {
            "the passphrase does not unlock the OpenPGP key (wrong --pgp-passphrase-file, or \
             none given for a protected key)"
                .to_owned()
        }
    }
}

/// Counts the bytes read from the file (progress).
#[derive(Debug)]
struct Counted {
    file: File,
    read: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Whether `head` (the file's first bytes) starts an OpenPGP message: ASCII armor, or a binary
/// packet (a first byte with its high bit set, which no CSV or JSON text has but a UTF-8 BOM).
fn is_openpgp(head: &[u8]) -> bool {
    head.starts_with(b"-----BEGIN PGP MESSAGE-----")
        || head.first().is_some_and(|b| b & 0x80 != 0) && !head.starts_with(b"\xEF\xBB\xBF")
}

/// The file's clear text, decrypted on the fly when it is an OpenPGP message, and how many
/// bytes of the file were read so far.
pub(super) fn open(
    path: &Path,
    key: Option<&PgpKey>,
) -> Result<(Box<dyn Read>, Arc<AtomicU64>), FileError> {
    let io = |e| FileError::Io(path.into(), e);
    let mut file = File::open(path).map_err(io)?;
    let mut head = [0u8; 27];
    let n = read_up_to(&mut file, &mut head).map_err(io)?;
    let encrypted = is_openpgp(&head[..n]);
    let file = File::open(path).map_err(io)?;
    let read = Arc::new(AtomicU64::new(0));
    let counted = Counted {
        file,
        read: Arc::clone(&read),
    };
    if !encrypted {
        if key.is_some() {
            return Err(FileError::Decrypt(format!(
                "{} is not an OpenPGP message, but --pgp-key was given",
                path.display()
            )));
        }
        return Ok((Box::new(counted), read));
    }
    let Some(key) = key else {
        return Err(FileError::Decrypt(format!(
            "{} is encrypted with OpenPGP: give the key it is encrypted to with --pgp-key KEY.asc \
             (and its passphrase with --pgp-passphrase-file FILE)",
            path.display()
        )));
    };
    let corrupt = |e: pgp::errors::Error| {
        FileError::Decrypt(format!(
            "{} is not a readable OpenPGP message ({e})",
            path.display()
        ))
    };
    let (message, _) = Message::from_reader(BufReader::new(counted)).map_err(corrupt)?;
    if !message.is_encrypted() {
        return Err(FileError::Decrypt(format!(
            "{} is an OpenPGP message that is not encrypted: refused (cards travel encrypted)",
            path.display()
        )));
    }
    let ring = TheRing {
        secret_keys: vec![&key.key],
        key_passwords: vec![&key.passphrase],
        // SEIPDv1 streamed (rather than held whole in memory to check first): the file is read
        // to its end and checked before anything is stored (`import.rs`). GnuPG's own AEAD
        // (OCB, written by GnuPG 2.3 and later to keys that advertise it) is read too.
        decrypt_options: DecryptionOptions::new()
            .enable_gnupg_aead()
            .set_seipdv1_read_mode(Seipdv1ReadMode::Streaming),
        ..TheRing::default()
    };
    let esk = match &message {
        Message::Encrypted { esk, .. } => esk.clone(),
        _ => Vec::new(),
    };
    let (mut message, _) = message
        .decrypt_the_ring(ring, true)
        .map_err(|_| FileError::Decrypt(key.why_not(&esk)))?;
    while message.is_compressed() {
        message = message.decompress().map_err(corrupt)?;
    }
    Ok((Box::new(message), read))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The SHA-256 of the file as given (its ciphertext when encrypted), in hex.
pub(super) fn file_sha256(path: &Path) -> Result<String, FileError> {
    let mut file = File::open(path).map_err(|e| FileError::Io(path.into(), e))?;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => context.update(&buf[..n]),
            Err(e) => return Err(FileError::Io(path.into(), e)),
        }
    }
    Ok(hex(context.finish().as_ref()))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Lines and records
// ---------------------------------------------------------------------------------------------

/// The clear text, a line at a time, through zeroized buffers.
struct Lines {
    inner: Box<dyn Read>,
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
    len: usize,
    /// Lines read so far (for messages).
    number: u64,
}

impl Lines {
    /// The next line into `line` (without its `\n` or `\r\n`); `false` at the end of the text.
    /// A read error is the decryption's (an integrity check failed, the file ends early).
    fn next(&mut self, line: &mut Zeroizing<Vec<u8>>) -> Result<bool, FileError> {
        line.zeroize();
        let mut any = false;
        loop {
            if self.pos == self.len {
                self.pos = 0;
                self.len = loop {
                    match self.inner.read(&mut self.buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(stream_failed(&e)),
                    }
                };
                if self.len == 0 {
                    if any {
                        self.number += 1;
                    }
                    return Ok(any);
                }
            }
            any = true;
            let rest = &self.buf[self.pos..self.len];
            let (part, found) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            if line.len() + part.len() > MAX_LINE {
                return Err(FileError::Format(format!(
                    "line {} is longer than {MAX_LINE} bytes: not a record of cards",
                    self.number + 1
                )));
            }
            line.extend_from_slice(part);
            self.pos += part.len() + usize::from(found);
            if found {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.number += 1;
                return Ok(true);
            }
        }
    }
}

fn stream_failed(e: &io::Error) -> FileError {
    FileError::Decrypt(format!(
        "the file does not decrypt to its end: it is corrupt, truncated or was changed (the \
         OpenPGP integrity check failed: {e})"
    ))
}

/// A record of the file, checked.
pub(super) struct Record {
    /// Its number in the file (1 for the first record).
    pub(super) number: u64,
    /// Its id, or the code of why it has none usable (`invalid_id`; never shown: it may be
    /// anything, a card number too).
    pub(super) id: Result<String, &'static str>,
    /// The card, or the error code of why it is refused.
    pub(super) card: Result<Card, &'static str>,
}

/// The records of a file's clear text.
pub(super) struct Records {
    lines: Lines,
    format: Format,
    columns: Columns,
    today: YearMonth,
    /// CSV: the index of each field's column.
    header: Option<[Option<usize>; 5]>,
    line: Zeroizing<Vec<u8>>,
    cells: Zeroizing<Vec<u8>>,
    ends: Vec<usize>,
    records: u64,
    digest: aws_lc_rs::digest::Context,
}

impl Records {
    /// Reads `clear` as `format`, the fields named by `columns`, cards checked as of `today`.
    pub(super) fn new(
        clear: Box<dyn Read>,
        format: Format,
        columns: Columns,
        today: YearMonth,
    ) -> Records {
        Records {
            lines: Lines {
                inner: clear,
                buf: Zeroizing::new(vec![0; 64 * 1024]),
                pos: 0,
                len: 0,
                number: 0,
            },
            format,
            columns,
            today,
            header: None,
            line: Zeroizing::new(Vec::with_capacity(MAX_LINE + 1)),
            cells: Zeroizing::new(Vec::with_capacity(MAX_LINE + 1)),
            ends: Vec::new(),
            records: 0,
            digest: aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256),
        }
    }

    /// The SHA-256 of the clear text read since the last call (what a batch held), so that a
    /// second pass over the file can show it read the same records as the first.
    pub(super) fn take_digest(&mut self) -> [u8; 32] {
        let context = std::mem::replace(
            &mut self.digest,
            aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256),
        );
        let mut out = [0u8; 32];
        out.copy_from_slice(context.finish().as_ref());
        out
    }

    /// The next record, `None` at the end of the file.
    pub(super) fn next_record(&mut self) -> Result<Option<Record>, FileError> {
        loop {
            if !self.lines.next(&mut self.line)? {
                if self.format == Format::Csv && self.header.is_none() {
                    return Err(FileError::Format(
                        "the file is empty: a CSV file starts with a header line naming its columns"
                            .into(),
                    ));
                }
                return Ok(None);
            }
            self.digest.update(&self.line);
            self.digest.update(b"\n");
            if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match self.format {
                Format::Csv if self.header.is_none() => self.read_header()?,
                Format::Csv => return self.csv_record().map(Some),
                Format::Jsonl => return self.json_record().map(Some),
            }
        }
    }

    fn read_header(&mut self) -> Result<(), FileError> {
        let line = self
            .line
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.line);
        split_csv(line, &mut self.cells, &mut self.ends)
            .map_err(|()| FileError::Format("the header line is not CSV".into()))?;
        let names: Vec<String> = cells(&self.cells, &self.ends)
            .map(|c| String::from_utf8_lossy(c).trim().to_owned())
            .collect();
        if let Some(at) = names.iter().position(|n| is_cvc_name(n)) {
            // Its place, not its text: the sender's text may hold anything, a card number too.
            return Err(FileError::Cvc(format!("column {} of the header", at + 1)));
        }
        let mut header = [None; 5];
        for (field, wanted) in self.columns.names.iter().enumerate() {
            header[field] = names.iter().position(|n| n.eq_ignore_ascii_case(wanted));
        }
        for field in [ID, NUMBER, EXP_MONTH, EXP_YEAR] {
            if header[field].is_none() {
                let wanted = &self.columns.names[field];
                return Err(FileError::Format(format!(
                    "the header has no column {wanted} (columns: {}); name the column that holds \
                     the {} with --column {}=COLUMN",
                    names
                        .iter()
                        .map(|n| shown_name(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                    FIELDS[field],
                    FIELDS[field]
                )));
            }
        }
        self.header = Some(header);
        Ok(())
    }

    fn csv_record(&mut self) -> Result<Record, FileError> {
        self.records += 1;
        let number = self.records;
        let header = self.header.unwrap_or_default();
        if split_csv(&self.line, &mut self.cells, &mut self.ends).is_err() {
            return Ok(refused(number, "invalid_record"));
        }
        let all: Vec<&[u8]> = cells(&self.cells, &self.ends).collect();
        let cell = |field: usize| -> Option<&str> {
            header[field]
                .and_then(|i| all.get(i))
                .and_then(|c| std::str::from_utf8(c).ok())
                .map(str::trim)
        };
        let id = check_id(cell(ID));
        let card = check_card(
            cell(NUMBER),
            cell(EXP_MONTH),
            cell(EXP_YEAR),
            cell(NAME),
            self.today,
        );
        Ok(Record { number, id, card })
    }

    fn json_record(&mut self) -> Result<Record, FileError> {
        self.records += 1;
        let number = self.records;
        let Ok(object) = serde_json::from_slice::<Object<'_>>(&self.line) else {
            return Ok(refused(number, "invalid_record"));
        };
        if object.0.keys().any(|k| is_cvc_name(k)) {
            return Err(FileError::Cvc(format!("a member of record {number}")));
        }
        let cell = |field: usize| -> Option<Zeroizing<String>> {
            match object.0.get(self.columns.names[field].as_str())? {
                JsonCell::Text(text) => Some(Zeroizing::new(text.trim().to_owned())),
                JsonCell::Number(n) => Some(Zeroizing::new(n.to_string())),
                JsonCell::Null => None,
                JsonCell::Other => Some(Zeroizing::new(String::new())),
            }
        };
        let (id, number_text, month, year, name) = (
            cell(ID),
            cell(NUMBER),
            cell(EXP_MONTH),
            cell(EXP_YEAR),
            cell(NAME),
        );
        let id = check_id(id.as_deref().map(String::as_str));
        let card = check_card(
            number_text.as_deref().map(String::as_str),
            month.as_deref().map(String::as_str),
            year.as_deref().map(String::as_str),
            name.as_deref().map(String::as_str),
            self.today,
        );
        let Object(mut object) = object;
        for (_, cell) in object.iter_mut() {
            if let JsonCell::Text(Cow::Owned(text)) = cell {
                text.zeroize();
            }
        }
        Ok(Record { number, id, card })
    }
}

fn refused(number: u64, code: &'static str) -> Record {
    Record {
        number,
        id: Err(code),
        card: Err(code),
    }
}

/// A usable id: present, at most [`MAX_ID`] characters, no control characters, and not
/// something that could be a card number (13 to 19 digits passing Luhn, with or without spaces
/// or dashes), which would put a number in the mapping and the store.
fn check_id(id: Option<&str>) -> Result<String, &'static str> {
    let id = id.filter(|id| !id.is_empty()).ok_or("invalid_id")?;
    if id.chars().count() > MAX_ID || id.chars().any(char::is_control) {
        return Err("invalid_id");
    }
    let digits: Zeroizing<String> = Zeroizing::new(
        id.chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>(),
    );
    if digits.bytes().all(|b| b.is_ascii_digit())
        && (13..=19).contains(&digits.len())
        && luhn_valid(&digits)
    {
        return Err("invalid_id");
    }
    Ok(id.to_owned())
}

/// The card rules ([`Card::new`], as the vault runs them on an opened envelope), never a CVC. A
/// two-digit year is 20YY.
fn check_card(
    number: Option<&str>,
    month: Option<&str>,
    year: Option<&str>,
    name: Option<&str>,
    today: YearMonth,
) -> Result<Card, &'static str> {
    let number = number
        .filter(|n| !n.is_empty())
        .ok_or(CardError::IncompleteNumber.code())?;
    let int = |text: Option<&str>| -> Result<u32, &'static str> {
        let text = text
            .filter(|t| !t.is_empty())
            .ok_or(CardError::IncompleteExp.code())?;
        if text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::InvalidExp.code());
        }
        text.parse().map_err(|_| CardError::InvalidExp.code())
    };
    let month = int(month)?;
    let mut year = int(year)?;
    if year < 100 {
        year += 2000;
    }
    let name = name.filter(|n| !n.is_empty());
    Card::new(number, month, year, None, name, today).map_err(CardError::code)
}

/// Splits one CSV line (RFC 4180: cells between `,`; a cell that holds `,` or `"` is quoted,
/// a `"` inside written `""`) into `cells` (their text, one after the other) and `ends` (where
/// each ends in `cells`). A quoted cell must end on its line: records of cards have no line
/// breaks.
fn split_csv(line: &[u8], cells: &mut Zeroizing<Vec<u8>>, ends: &mut Vec<usize>) -> Result<(), ()> {
    cells.zeroize();
    ends.clear();
    let mut i = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match line.get(i) {
                    None => return Err(()),
                    Some(b'"') if line.get(i + 1) == Some(&b'"') => {
                        cells.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        cells.push(b);
                        i += 1;
                    }
                }
            }
            match line.get(i) {
                None | Some(b',') => {}
                Some(_) => return Err(()),
            }
        } else {
            let rest = &line[i..];
            let len = memchr::memchr(b',', rest).unwrap_or(rest.len());
            if rest[..len].contains(&b'"') {
                return Err(());
            }
            cells.extend_from_slice(&rest[..len]);
            i += len;
        }
        ends.push(cells.len());
        if i >= line.len() {
            return Ok(());
        }
        i += 1; // the comma
        if i == line.len() {
            ends.push(cells.len());
            return Ok(());
        }
    }
}

fn cells<'a>(cells: &'a [u8], ends: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    ends.iter().scan(0, move |start, &end| {
        let cell = &cells[*start..end];
        *start = end;
        Some(cell)
    })
}

/// A JSON Lines record: its members, strings borrowed from the (zeroized) line where they have
/// no escapes.
struct Object<'a>(HashMap<Cow<'a, str>, JsonCell<'a>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Object<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = HashMap::new();
                while let Some(key) = map.next_key::<CowStr<'de>>()? {
                    let value = map.next_value::<JsonCell<'de>>()?;
                    if members.insert(key.0, value).is_some() {
                        return Err(de::Error::custom("a member twice"));
                    }
                }
                Ok(Object(members))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// A member name, borrowed where it can be.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// A member's value: text, a whole number, null, or anything else (which no field may be).
enum JsonCell<'a> {
    Text(Cow<'a, str>),
    Number(u64),
    Null,
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonCell<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl<'de> Visitor<'de> for CellVisitor {
            type Value = JsonCell<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(JsonCell::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(JsonCell::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(JsonCell::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(u64::try_from(v).map_or(JsonCell::Other, JsonCell::Number))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(JsonCell::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(JsonCell::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(JsonCell::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(JsonCell::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(JsonCell::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(JsonCell::Other)
            }
        }
        deserializer.deserialize_any(CellVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 12,
    };

    fn records(text: &str, format: Format, mappings: &[&str]) -> Result<Vec<Record>, FileError> {
        let columns =
            Columns::parse(&mappings.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>())?;
        let mut records = Records::new(
            Box::new(io::Cursor::new(text.as_bytes().to_vec())),
            format,
            columns,
            TODAY,
        );
        let mut out = Vec::new();
        while let Some(record) = records.next_record()? {
            out.push(record);
        }
        Ok(out)
    }

    /// A record's id and its card's last four, or their error codes.
    type Outcome<'a> = (Result<&'a str, &'a str>, Result<&'a str, &'a str>);

    fn codes(records: &[Record]) -> Vec<Outcome<'_>> {
        records
            .iter()
            .map(|r| {
                (
                    r.id.as_deref().map_err(|e| *e),
                    r.card.as_ref().map(|c| c.number.last4()).map_err(|e| *e),
                )
            })
            .collect()
    }

    #[test]
    fn csv_with_quotes_mapped_columns_and_refusals() {
        let text = "\u{feff}customer_card_id,Number,exp_month,exp_year,email,name\r\n\
                    a1,4242424242424242,12,2030,x@example.com,\"Lovelace, Ada\"\r\n\
                    \"a\"\"2\",4242 4242 4242 4241,12,30,,\n\
                    \n\
                    a3,5555555555554444,11,2026,,\n\
                    a4,5555555555554444,1,2027,\"unterminated\n\
                    4242424242424242,4000056655665556,1,2027,,\n";
        let read = records(text, Format::Csv, &["id=customer_card_id"]).unwrap();
        assert_eq!(
            codes(&read),
            [
                (Ok("a1"), Ok("4242")),
                (Ok("a\"2"), Err("invalid_number")),
                (Ok("a3"), Err("expired")),
                (Err("invalid_record"), Err("invalid_record")),
                (Err("invalid_id"), Ok("5556")),
            ]
        );
        let name = read[0].card.as_ref().unwrap().name.as_ref().unwrap();
        assert_eq!(name.expose(), "Lovelace, Ada");
        assert_eq!(
            read.iter().map(|r| r.number).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn jsonl_records() {
        let text = "{\"id\":17,\"number\":\"4242424242424242\",\"exp_month\":12,\"exp_year\":2030}\n\
                    {\"id\":\"b\",\"number\":\"4242424242424242\",\"exp_month\":\"13\",\"exp_year\":2030,\"name\":null}\n\
                    not json\n\
                    {\"id\":\"c\",\"number\":4000056655665556,\"exp_month\":1,\"exp_year\":2031,\"name\":\"Gr\\u00e9ta\"}\n";
        let read = records(text, Format::Jsonl, &[]).unwrap();
        assert_eq!(
            codes(&read),
            [
                (Ok("17"), Ok("4242")),
                (Ok("b"), Err("invalid_exp")),
                (Err("invalid_record"), Err("invalid_record")),
                (Ok("c"), Ok("5556")),
            ]
        );
        let name = read[3].card.as_ref().unwrap().name.as_ref().unwrap();
        assert_eq!(name.expose(), "Gr\u{e9}ta");
    }

    #[test]
    fn a_cvc_column_refuses_the_file() {
        for header in [
            "id,number,exp_month,exp_year,cvc",
            "id,number,CVV2,exp_month,exp_year",
            "id,number,exp_month,exp_year,Card Security Code",
        ] {
            let text = format!("{header}\na,4242424242424242,12,2030,123\n");
            let err = records(&text, Format::Csv, &[]).err().unwrap();
            assert!(matches!(err, FileError::Cvc(_)), "{header}: {err}");
            assert!(err.to_string().contains("never imported"), "{err}");
        }
        let text = "{\"id\":\"a\",\"number\":\"4242424242424242\",\"exp_month\":12,\"exp_year\":2030,\"cvv\":\"123\"}\n";
        assert!(matches!(
            records(text, Format::Jsonl, &[]),
            Err(FileError::Cvc(_))
        ));
        assert!(matches!(
            Columns::parse(&["cvc=security".into()]),
            Err(FileError::Cvc(_))
        ));
        // Not a CVC: a customer id, a card id.
        assert!(!is_cvc_name("cid") && !is_cvc_name("card_id") && !is_cvc_name("customer"));
    }

    #[test]
    fn a_missing_column_is_named() {
        let err = records("id,pan,exp_month,exp_year\n", Format::Csv, &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("--column number="), "{err}");
        assert!(records("id,pan,exp_month,exp_year\n", Format::Csv, &["number=pan"]).is_ok());
        assert!(matches!(
            records("", Format::Csv, &[]),
            Err(FileError::Format(_))
        ));
    }

    #[test]
    fn a_stream_that_fails_is_a_decryption_failure() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("MDC mismatch"))
            }
        }
        let mut records = Records::new(
            Box::new(Failing),
            Format::Csv,
            Columns::parse(&[]).unwrap(),
            TODAY,
        );
        assert!(matches!(records.next_record(), Err(FileError::Decrypt(_))));
    }

    #[test]
    fn errors_show_no_card_data() {
        let text = "id,number,exp_month,exp_year\n4242424242424242,4242424242424242,12,2030\n";
        let read = records(text, Format::Csv, &[]).unwrap();
        let shown = format!("{:?} {:?}", read[0].id, read[0].card);
        assert!(!shown.contains("4242"), "{shown}");
    }
}
