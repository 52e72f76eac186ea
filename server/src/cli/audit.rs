//! `cardvault audit verify`.

use std::process::ExitCode;

use crate::store::{self, Store};
use crate::vault::{self, BootError};

use super::args::Storage;
use super::master_key::{KeyFlags, given_master_key};

/// Checks the chain, the store around it and, with the master key, the seal (see
/// `store/audit.rs`); and `expect`, an entry the log must hold. Without a master key it checks
/// all but the seal's HMAC, and says so; a key given but not usable (a bad variable or file, a
/// wrong HSM PIN or label) stops it rather than quietly skipping the HMAC.
pub(super) fn audit_verify(
    storage: &Storage,
    expect: Option<&store::ExpectedHead>,
) -> Result<ExitCode, BootError> {
    let store = Store::open_at(&storage.location())?;
    let verified = match given_master_key(&KeyFlags::current(&storage.master), false)? {
        Some(master) => {
            vault::verify_audit(&store, &master, expect)?.map(|report| match report.sealed_since {
                Some(0) => format!("{} entries, sealed from the first", report.entries),
                Some(since) => format!(
                    "{} entries, sealed after entry {since} (those before it predate the seal)",
                    report.entries
                ),
                None => "no entries".to_owned(),
            })
        }
        None => store::verify_audit_unkeyed(&store, expect).map(|count| {
            format!(
                "{count} entries; the seal's HMAC is not checked without the master key \
                 (CARDVAULT_MASTER_KEY, --master-key-file or --pkcs11-*)"
            )
        }),
    };
    let expected = expect.map_or(String::new(), |head| {
        format!("; holds the expected head {}", head.seq)
    });
    match verified {
        Ok(summary) => {
            println!("audit log intact: {summary}{expected}");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) if broken.seq == 0 => {
            eprintln!("audit log BROKEN: {}", broken.reason);
            Ok(ExitCode::from(2))
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
