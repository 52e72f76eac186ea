//! Imports (`cardvault import`): cards from another vault or processor, stored exactly as a
//! tokenization stores them ([`Vault::token_record`]: the card rules were run by the caller with
//! [`Card::new`], then encryption at rest under the current data key, the merchant's
//! fingerprint, its token TTL; never a CVC), in batches of one store transaction each.
//!
//! Each source id is imported once per merchant (the store's `imports` table): a batch that
//! meets an id imported before stores nothing for it and answers the token it became, so a file
//! imported again, or after a kill, finishes what is missing and makes no card twice.
//!
//! Audit: one `import` entry per token made (the token, the file's SHA-256 and the record's
//! number in the file), one per record refused (its error code instead of a token), in the
//! transaction that stores the batch, and one `import_file` entry at the end with the counts.

use cardvault::card::Card;

use crate::store::{AuditEvent, ImportOutcome, ImportedCard, MerchantRecord, StoreError};

use super::{BootError, TokenMeta, Vault, now_unix, operator_event};

/// A record of an import file that passed the card rules.
#[derive(Debug)]
pub struct ImportRecord {
    /// Its number in the file (1 for the first record).
    pub number: u64,
    /// Its id at the source.
    pub id: String,
    /// The card.
    pub card: Card,
}

/// A record refused before it reached the vault (the card rules, a duplicate id), for the
/// audit log.
#[derive(Debug, Clone, Copy)]
pub struct ImportRefusal {
    /// Its number in the file.
    pub number: u64,
    /// The error code the mapping gives it.
    pub code: &'static str,
}

/// What became of one [`ImportRecord`].
#[derive(Debug)]
pub enum Imported {
    /// Its token: made now (`new`), or by an earlier import of the same id and card.
    Token {
        /// The token and its card's metadata, with the fingerprint.
        meta: TokenMeta,
        /// Made by this batch.
        new: bool,
    },
    /// Refused: the id was imported before as another card (`duplicate_id`), or as a token that
    /// no longer exists (`token_deleted`: deleted or expired since); nothing stored.
    Refused {
        /// The error code.
        code: &'static str,
        /// The token the id was imported as, when it names one.
        token: Option<String>,
    },
}

/// What one import run did, for its closing audit entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportCounts {
    /// Records in the file.
    pub records: u64,
    /// Tokens made by this run.
    pub stored: u64,
    /// Records whose id was imported before (same card).
    pub known: u64,
    /// Records refused.
    pub refused: u64,
}

fn event(merchant_id: &str, token: Option<&str>, outcome: &str, detail: String) -> AuditEvent {
    let mut event = operator_event(Some(merchant_id), "import", Some(detail));
    event.token = token.map(str::to_owned);
    outcome.clone_into(&mut event.outcome);
    event
}

fn store_failed(e: StoreError) -> BootError {
    BootError::Store(e)
}

impl Vault {
    /// The merchant cards are imported for.
    pub fn import_merchant(&self, id: &str) -> Result<MerchantRecord, BootError> {
        self.store
            .merchant(id)?
            .ok_or_else(|| BootError::Invalid(format!("no merchant {id}")))
    }

    /// Stores `records` for `merchant` in one transaction with their audit entries, and the
    /// entries of `refused` (records of the same stretch of the file refused before), and
    /// answers what became of each record, in order. `sha256` is the file's digest (hex), named
    /// in every entry. Blocking.
    pub fn import_batch(
        &self,
        merchant: &MerchantRecord,
        sha256: &str,
        records: Vec<ImportRecord>,
        refused: &[ImportRefusal],
    ) -> Result<Vec<Imported>, BootError> {
        let data_key = self
            .current_data_key_blocking()
            .ok_or(BootError::Corrupt("no data key loaded"))?;
        let now = now_unix();
        let mut cards = Vec::with_capacity(records.len());
        for record in records {
            // The file's reader refuses a CVC column; this holds whatever the caller.
            if record.card.cvc.is_some() {
                return Err(BootError::Invalid(format!(
                    "record {}: a CVC is never imported (PCI DSS 3.3.1)",
                    record.number
                )));
            }
            let row = self
                .token_record(merchant, &record.card, &data_key, now)
                .map_err(|e| BootError::Invalid(format!("sealing a card failed: {e}")))?;
            let detail = format!("sha256:{sha256} record {}", record.number);
            cards.push(ImportedCard {
                audit: event(&merchant.id, Some(&row.token), "ok", detail),
                import_id: record.id,
                record: row,
            });
            // `record.card` is dropped (zeroized) here: only its sealed row goes on.
        }
        let audit = refused
            .iter()
            .map(|r| {
                let detail = format!("sha256:{sha256} record {}", r.number);
                event(&merchant.id, None, r.code, detail)
            })
            .collect();
        let fingerprints: Vec<(String, TokenMeta)> = cards
            .iter()
            .map(|c| {
                (
                    c.record.fingerprint.clone(),
                    TokenMeta::from_record(&c.record, false),
                )
            })
            .collect();
        let outcomes = self
            .store
            .import_cards(&merchant.id, cards, audit)
            .map_err(store_failed)?;
        if outcomes.len() != fingerprints.len() {
            return Err(BootError::Corrupt(
                "the store answered another number of cards",
            ));
        }
        Ok(outcomes
            .into_iter()
            .zip(fingerprints)
            .map(|(outcome, (fingerprint, meta))| match outcome {
                ImportOutcome::Stored => Imported::Token { meta, new: true },
                ImportOutcome::Known {
                    record: Some(stored),
                    ..
                } if stored.fingerprint == fingerprint => Imported::Token {
                    meta: TokenMeta::from_record(&stored, false),
                    new: false,
                },
                ImportOutcome::Known {
                    record: Some(stored),
                    ..
                } => Imported::Refused {
                    code: "duplicate_id",
                    token: Some(stored.token),
                },
                ImportOutcome::Known {
                    token,
                    record: None,
                } => Imported::Refused {
                    code: "token_deleted",
                    token: Some(token),
                },
            })
            .collect())
    }

    /// The closing entry of an import run: the file's digest and what the run did. Blocking.
    pub fn import_finished(
        &self,
        merchant: &MerchantRecord,
        sha256: &str,
        counts: ImportCounts,
    ) -> Result<(), BootError> {
        let detail = format!(
            "sha256:{sha256} records {} stored {} known {} refused {}",
            counts.records, counts.stored, counts.known, counts.refused
        );
        let event = operator_event(Some(&merchant.id), "import_file", Some(detail));
        self.store
            .append_audit_blocking(event)
            .map_err(store_failed)
    }
}
