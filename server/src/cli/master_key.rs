//! `cardvault master-key split`: the master key as K-of-N custodians' shares (dual control, see
//! `keys/master/shares.rs` and `vault/unlock.rs`).

use std::io::Write;
use std::process::ExitCode;

use crate::keys::master::shares;
use crate::store::AuditEvent;
use crate::vault::{BootError, now_unix};

use super::args::{MasterKeyCommand, Storage};
use super::open_to_write;

pub(super) fn master_key(cmd: MasterKeyCommand) -> Result<ExitCode, BootError> {
    match cmd {
        MasterKeyCommand::Split {
            storage,
            shares,
            threshold,
        } => split(&storage, shares, threshold),
    }
}

/// Splits the master key the command was given (and that opens this store: a split of another
/// key would start nothing) and prints each share once. The split is audited first, so that no
/// share exists that the log does not account for; the shares themselves go nowhere but stdout.
fn split(storage: &Storage, count: u8, threshold: u8) -> Result<ExitCode, BootError> {
    if threshold > count {
        return Err(BootError::Invalid(format!(
            "--threshold {threshold} is more than --shares {count}: a split needs 2 <= K <= N <= 16"
        )));
    }
    let (store, master) = open_to_write(storage)?;
    let bytes = master.software_bytes().ok_or_else(|| {
        BootError::Invalid(
            "this master key lives in an HSM and never leaves it: there is nothing to split (dual control of an HSM key is the HSM's own: its PIN and its officers)".into(),
        )
    })?;
    let made = shares::split(bytes, count, threshold)
        .map_err(|e| BootError::Invalid(e.message().into()))?;
    store.append_audit_blocking(AuditEvent {
        at: now_unix(),
        request_id: None,
        merchant_id: None,
        key_kind: Some("operator".into()),
        client: None,
        action: "master_key_split".into(),
        token: None,
        outcome: "ok".into(),
        detail: Some(format!("shares={count} threshold={threshold}")),
    })?;
    let mut out = std::io::stdout().lock();
    let written = (|| -> std::io::Result<()> {
        writeln!(
            out,
            "The master key in {count} shares, any {threshold} of which give it back. Give each share to a different custodian, who keeps it offline; they are shown this once and stored nowhere. Start the vault with `cardvault serve --master-key-shares {threshold} --unlock-socket PATH`; each custodian then runs `cardvault unlock --socket PATH` and types their share."
        )?;
        for share in &made {
            writeln!(out, "share {} of {count}:", share.index())?;
            out.write_all(share.to_text().as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()
    })();
    written.map_err(|e| BootError::Invalid(format!("writing the shares: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
