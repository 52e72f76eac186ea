//! The `--dev` bootstrap: the dev master key and the demo merchant, kept in the data dir.

use std::path::Path;

use zeroize::Zeroizing;

use crate::forward::address::ReceiverUrl;
use crate::store::MerchantRecord;
use crate::vault::{self, BootError, NewMerchant, Vault};

pub(super) fn warn_dev_key(path: &Path, verb: &str) {
    eprintln!(
        "\n  !!! WARNING: {verb} a DEVELOPMENT master key stored in clear at {}\n  !!! Anyone who can read the data dir can decrypt every card in it. Never use it for real cards.\n",
        path.display()
    );
}

pub(super) fn write_private_file(
    dir: &Path,
    path: &Path,
    contents: &[u8],
) -> Result<(), BootError> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let io = |e: std::io::Error| BootError::Invalid(format!("writing {}: {e}", path.display()));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(contents).map_err(io)?;
    file.sync_all().map_err(io)
}

/// The dev merchant's secret key, kept in the data dir (in clear, like the dev master key) so
/// that the demo shop's backend can charge through the vault across restarts.
const DEV_SECRET_KEY_FILE: &str = "dev-merchant.key";

/// The dev merchant whose origins include `origin`, created (and its keys printed) if there
/// is none yet; returns it and, when known, its secret key.
pub(super) fn dev_merchant(
    vault: &Vault,
    data_dir: &Path,
    origin: &str,
) -> Result<(MerchantRecord, Option<Zeroizing<String>>), BootError> {
    const NAME: &str = "Demo shop";
    let existing = vault
        .store()
        .merchants()?
        .into_iter()
        .find(|m| m.name == NAME && m.origins.iter().any(|o| o == origin));
    if let Some(merchant) = existing {
        println!(
            "dev merchant {}: publishable key {}",
            merchant.id, merchant.publishable_key
        );
        let saved = std::fs::read_to_string(data_dir.join(DEV_SECRET_KEY_FILE))
            .ok()
            .map(|s| Zeroizing::new(s.trim().to_owned()))
            .filter(|sk| vault::hash_secret_key(sk) == merchant.secret_key_hash);
        return Ok((merchant, saved));
    }
    let (merchant, secret) = vault.create_merchant(NewMerchant {
        name: NAME.into(),
        origins: vec![origin.to_owned()],
        token_ttl_secs: None,
        require_cvc: true,
    })?;
    println!(
        "dev merchant {}: publishable key {}  secret key {} (shown once)",
        merchant.id,
        merchant.publishable_key,
        secret.as_str()
    );
    let file = data_dir.join(DEV_SECRET_KEY_FILE);
    let _ = std::fs::remove_file(&file);
    write_private_file(data_dir, &file, secret.as_bytes())?;
    Ok((merchant, Some(secret)))
}

/// Makes the dev merchant's receiver `processor` point at `url` (the demo processor's port
/// changes at each start).
pub(super) fn dev_processor_receiver(
    vault: &Vault,
    merchant: &str,
    url: &str,
) -> Result<(), BootError> {
    let store = vault.store();
    let current = store.receiver(merchant, crate::demo::PROCESSOR)?;
    let wanted = ReceiverUrl::parse(url).map_err(|e| BootError::Invalid(e.to_string()))?;
    if current.as_ref().is_some_and(|r| r.url == wanted.as_str()) {
        return Ok(());
    }
    if current.is_some() {
        vault::remove_receiver(store, merchant, crate::demo::PROCESSOR)?;
    }
    vault::add_receiver(store, merchant, crate::demo::PROCESSOR, url)?;
    Ok(())
}
