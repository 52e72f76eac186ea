//! `cardvault import`: a merchant's cards from another vault or processor (issue 27).
//!
//! Two passes over the file, both streamed ([`import_file`]): the first checks it to its end
//! (the OpenPGP integrity check comes only at the end of the stream, and a CVC column, a wrong
//! key, a corrupt or truncated file must leave nothing stored), and stores nothing; the second
//! stores the records in batches of [`BATCH`], each in one store transaction
//! ([`Vault::import_batch`]), and checks that each batch read the same clear text as the first
//! pass did (the file did not change between them). A run killed part-way is finished by
//! running it again: an id the merchant imported before stores nothing and answers its token.
//!
//! The mapping is written to `MAPPING.csv.part` beside `--out` and renamed at the end, so a
//! mapping file is always a whole run's.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use cardvault::card::YearMonth;

use crate::vault::{
    BootError, Config, ImportCounts, ImportRecord, ImportRefusal, Imported, Progress,
};

use super::args::ImportArgs;
use super::import_file::{self, Columns, FileError, Format, PgpKey, Records};
use super::open_vault;
use super::progress::Reporter;

/// Records per store transaction: short enough for a serving vault's writes to pass between
/// two (a few tens of milliseconds each), long enough that a commit's sync is shared.
const BATCH: usize = 500;

fn file_error(e: FileError) -> BootError {
    BootError::Invalid(e.to_string())
}

/// One line of the mapping, in the file's order.
enum Row {
    /// The record's place in its batch's records given to the vault.
    Pending(Option<String>, usize),
    /// Refused before the vault: its id if usable, the code.
    Refused(Option<String>, &'static str),
}

pub(super) fn import(args: &ImportArgs) -> Result<ExitCode, BootError> {
    check_out(args)?;
    let columns = Columns::parse(&args.column).map_err(file_error)?;
    let format = args.format.unwrap_or_else(|| Format::of(&args.file));
    let key = match &args.pgp_key {
        Some(path) => {
            Some(PgpKey::load(path, args.pgp_passphrase_file.as_deref()).map_err(file_error)?)
        }
        None => None,
    };
    let size = std::fs::metadata(&args.file)
        .map_err(|e| BootError::Invalid(format!("{}: {e}", args.file.display())))?
        .len();
    let vault = open_vault(&args.storage, false, Config::default())?;
    let merchant = vault.import_merchant(&args.merchant)?;
    let sha256 = import_file::file_sha256(&args.file).map_err(file_error)?;
    let today = YearMonth::now();
    let progress = Reporter::new();

    // First pass: the whole file checked, nothing stored.
    progress.phase("checking (bytes)", size);
    let (clear, read) = import_file::open(&args.file, key.as_ref()).map_err(file_error)?;
    let mut records = Records::new(clear, format, columns.clone(), today);
    let mut digests = Vec::new();
    let (mut total, mut in_batch, mut shown) = (0u64, 0usize, 0u64);
    while let Some(record) = records.next_record().map_err(file_error)? {
        drop(record);
        total += 1;
        in_batch += 1;
        if in_batch == BATCH {
            digests.push(records.take_digest());
            in_batch = 0;
        }
        let now = read.load(Ordering::Relaxed);
        progress.advance(now - shown);
        shown = now;
    }
    if in_batch > 0 {
        // The last batch's (none when the file ends on a whole batch).
        digests.push(records.take_digest());
    }
    drop(records);
    progress.finish();

    // Second pass: stored a batch at a time, the mapping written as it goes.
    let part = part_path(&args.out);
    let mut out = BufWriter::new(create_private(&part)?);
    let write_failed = |e: std::io::Error| BootError::Invalid(format!("{}: {e}", part.display()));
    out.write_all(b"id,token,fingerprint,brand,last4,exp_month,exp_year,error\n")
        .map_err(write_failed)?;
    progress.phase("importing (records)", total);
    let (clear, _) = import_file::open(&args.file, key.as_ref()).map_err(file_error)?;
    let mut records = Records::new(clear, format, columns, today);
    let mut seen: HashSet<String> = HashSet::new();
    let mut counts = ImportCounts {
        records: total,
        ..ImportCounts::default()
    };
    let mut batch = 0usize;
    loop {
        let mut rows = Vec::with_capacity(BATCH);
        let mut cards = Vec::with_capacity(BATCH);
        let mut refused = Vec::new();
        let mut end = false;
        while rows.len() < BATCH {
            let Some(record) = records.next_record().map_err(file_error)? else {
                end = true;
                break;
            };
            let id = record.id.ok();
            let code = match (&id, record.card) {
                (None, _) => Err("invalid_id"),
                (Some(_), Err(code)) => Err(code),
                (Some(id), Ok(_)) if seen.contains(id) => Err("duplicate_id"),
                (Some(id), Ok(card)) => Ok((id.clone(), card)),
            };
            match code {
                Ok((id, card)) => {
                    seen.insert(id.clone());
                    rows.push(Row::Pending(Some(id.clone()), cards.len()));
                    cards.push(ImportRecord {
                        number: record.number,
                        id,
                        card,
                    });
                }
                Err(code) => {
                    refused.push(ImportRefusal {
                        number: record.number,
                        code,
                    });
                    rows.push(Row::Refused(id, code));
                }
            }
        }
        if rows.is_empty() {
            break;
        }
        if digests.get(batch) != Some(&records.take_digest()) {
            return Err(BootError::Invalid(format!(
                "{} changed while it was imported (its records {}-{} differ from what was \
                 checked): run the import again on a file that stays put",
                args.file.display(),
                batch * BATCH + 1,
                batch * BATCH + rows.len()
            )));
        }
        batch += 1;
        let answers = vault.import_batch(&merchant, &sha256, cards, &refused)?;
        for row in &rows {
            let line = match row {
                Row::Refused(id, code) => {
                    counts.refused += 1;
                    mapping_line(id.as_deref(), None, code)
                }
                Row::Pending(id, at) => match &answers[*at] {
                    Imported::Token { meta, new } => {
                        if *new {
                            counts.stored += 1;
                        } else {
                            counts.known += 1;
                        }
                        mapping_line(id.as_deref(), Some(meta), "")
                    }
                    Imported::Refused { code, .. } => {
                        counts.refused += 1;
                        mapping_line(id.as_deref(), None, code)
                    }
                },
            };
            out.write_all(line.as_bytes()).map_err(write_failed)?;
        }
        progress.advance(rows.len() as u64);
        progress.rename(&format!("importing (records; {} refused)", counts.refused));
        if end {
            break;
        }
    }
    if records.next_record().map_err(file_error)?.is_some() || batch != digests.len() {
        return Err(BootError::Invalid(format!(
            "{} changed while it was imported: run the import again on a file that stays put",
            args.file.display()
        )));
    }
    progress.finish();
    let file = out.into_inner().map_err(|e| write_failed(e.into_error()))?;
    file.sync_all().map_err(write_failed)?;
    drop(file);
    std::fs::rename(&part, &args.out)
        .map_err(|e| BootError::Invalid(format!("{}: {e}", args.out.display())))?;
    vault.import_finished(&merchant, &sha256, counts)?;
    println!(
        "{} record(s): {} imported, {} imported before, {} refused (see the error column of {})",
        counts.records,
        counts.stored,
        counts.known,
        counts.refused,
        args.out.display()
    );
    Ok(if counts.refused > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// Refuses an `--out` that would overwrite what it must not, before anything is read: a file in
/// the data dir (the store itself), the file being imported, or something that is not a regular
/// file (a directory would fail only at the end, with everything stored).
fn check_out(args: &ImportArgs) -> Result<(), BootError> {
    let refuse = |why: &str| {
        Err(BootError::Invalid(format!(
            "--out {}: {why}; write the mapping somewhere else",
            args.out.display()
        )))
    };
    if let Ok(meta) = std::fs::symlink_metadata(&args.out)
        && !meta.is_file()
    {
        return refuse("it exists and is not a regular file");
    }
    let parent = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(dir) = std::fs::canonicalize(parent) else {
        return refuse("its folder does not exist");
    };
    if let Ok(data) = std::fs::canonicalize(&args.storage.data_dir)
        && dir.starts_with(&data)
    {
        return refuse("it is in the data dir");
    }
    if let (Ok(out), Ok(file)) = (
        std::fs::canonicalize(&args.out),
        std::fs::canonicalize(&args.file),
    ) && out == file
    {
        return refuse("it is the file being imported");
    }
    Ok(())
}

fn part_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// The mapping file, readable by the vault's user only (it names every customer's card).
///
/// A `.part` left by a killed run (or planted: a symlink) is unlinked, not followed, and the file
/// made anew (`O_EXCL`, which follows no symlink either), so its mode is always 0600.
fn create_private(path: &Path) -> Result<File, BootError> {
    let failed = |e: std::io::Error| BootError::Invalid(format!("{}: {e}", path.display()));
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(e)),
        _ => {}
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)
}

/// A mapping line: the id (CSV-quoted when it must be), the token's metadata or an error code.
fn mapping_line(id: Option<&str>, meta: Option<&crate::vault::TokenMeta>, error: &str) -> String {
    let id = id.map(csv_cell).unwrap_or_default();
    match meta {
        Some(m) => format!(
            "{id},{},{},{},{},{},{},{error}\n",
            m.token,
            m.fingerprint.as_deref().unwrap_or_default(),
            m.card.brand,
            m.card.last4,
            m.card.exp_month,
            m.card.exp_year
        ),
        None => format!("{id},,,,,,,{error}\n"),
    }
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(['=', '+', '-', '@']) {
        // Quoted; a leading formula character is escaped for spreadsheets too.
        let body = text.replace('"', "\"\"");
        if text.starts_with(['=', '+', '-', '@']) {
            format!("\"'{body}\"")
        } else {
            format!("\"{body}\"")
        }
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn ids_are_written_as_csv_cells() {
        assert_eq!(csv_cell("cus_1"), "cus_1");
        assert_eq!(csv_cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_cell("=cmd"), "\"'=cmd\"");
    }
}
