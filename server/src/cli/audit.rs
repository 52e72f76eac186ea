//! `cardvault audit verify`.

use std::process::ExitCode;

use crate::store::{self, Store};
use crate::vault::{self, BootError};

use super::args::Storage;
use super::master_key;

/// Checks the chain and, with the master key, the seal (see `store/audit.rs`). Without a master
/// key it checks the chain only, and says so.
pub(super) fn audit_verify(storage: &Storage) -> Result<ExitCode, BootError> {
    let store = Store::open(&storage.data_dir)?;
    let verified = match master_key(storage, false).ok() {
        Some(master) => {
            let key = vault::audit_seal_key(&store, &master)?;
            store::verify_audit_sealed(&store, key.as_ref()).map(|report| {
                match report.sealed_since {
                    Some(0) => format!("{} entries, sealed from the first", report.entries),
                    Some(since) => format!(
                        "{} entries, sealed after entry {since} (those before it predate the seal)",
                        report.entries
                    ),
                    None => "no entries".to_owned(),
                }
            })
        }
        None => store::verify_audit(&store).map(|count| {
            format!(
                "{count} entries; the chain only: the seal is not checked without the master key \
                 (CARDVAULT_MASTER_KEY or --master-key-file)"
            )
        }),
    };
    match verified {
        Ok(summary) => {
            println!("audit log intact: {summary}");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            eprintln!(
                "audit log BROKEN at entry {}: {}",
                broken.seq, broken.reason
            );
            Ok(ExitCode::from(2))
        }
    }
}
