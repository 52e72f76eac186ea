//! The `cardvault` command line: `serve`, `merchant`, `keys`, `receiver`, `audit` (CONTRACT.md §3).
//!
//! - [`args`]: the arguments (clap).
//! - [`serve`]: `serve`, the HTTP API and its housekeeping.
//! - [`dev`]: the `--dev` bootstrap (dev master key, demo merchant and processor).
//! - [`admin`]: `merchant`, `keys` and `receiver`.
//! - [`audit`]: `audit verify`.
//! - [`master_key`]: where the master key comes from (a variable, a file, an HSM), and
//!   `master-key init-hsm` and `master-key split` (the key in custodians' shares).
//! - [`unlock`]: `unlock`, and the socket a vault started locked takes the shares on.
//! - [`import`]: `import`, a merchant's cards from another vault ([`import_file`]: the file).

mod admin;
mod args;
mod audit;
mod dev;
mod import;
mod import_file;
mod master_key;
mod progress;
mod serve;
mod unlock;

use std::path::Path;
use std::process::ExitCode;

use base64ct::Encoding;
use clap::Parser;
use zeroize::Zeroizing;

use crate::keys::MasterKey;
use crate::store::Store;
use crate::vault::{self, BootError, Config, Vault};

use admin::{keys, merchant, receiver};
use args::{AuditCommand, Cli, Command, Storage};
use audit::audit_verify;
use dev::{warn_dev_key, write_private_file};
use master_key::{KeyFlags, given_master_key, master_key_command};
use serve::serve;

/// Runs the command line.
pub fn main() -> ExitCode {
    // First: the environment may hold the master key already.
    let open_files = match crate::process::harden() {
        Ok(limit) => limit,
        Err(e) => {
            eprintln!("cardvault: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cli = Cli::parse();
    init_tracing();

    let result = match cli.command {
        Command::Serve(args) => serve(*args, open_files),
        Command::Merchant(cmd) => merchant(cmd),
        Command::Keys(cmd) => keys(cmd),
        Command::Receiver(cmd) => receiver(cmd),
        Command::Audit(AuditCommand::Verify {
            storage,
            expect_head,
        }) => audit_verify(&storage, expect_head.as_ref()),
        Command::MasterKey(cmd) => master_key_command(cmd),
        Command::Unlock(args) => unlock::unlock(&args),
        Command::Import(args) => import::import(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cardvault: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CARDVAULT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

const DEV_MASTER_KEY_FILE: &str = "master.key";

/// The master key: `CARDVAULT_MASTER_KEY`, else `--master-key-file`, or the HSM key the
/// `--pkcs11-*` flags name (never together with one of the others), else (only with `dev`) the
/// dev key in the data dir, made by the first `serve --dev`. Without `dev` a key in clear in the
/// data dir is never used: it would put the key beside what it protects.
fn master_key(storage: &Storage, dev: bool) -> Result<MasterKey, BootError> {
    let invalid =
        |what: &str| BootError::Invalid(format!("{what} is not a base64-encoded 32-byte key"));
    if let Some(key) = given_master_key(&KeyFlags::current(&storage.master), dev)? {
        return Ok(key);
    }
    let dev_file = storage.data_dir.join(DEV_MASTER_KEY_FILE);
    if dev && dev_file.exists() {
        warn_dev_key(&dev_file, "using");
        return MasterKey::from_file(&dev_file)
            .map_err(|_| invalid(&dev_file.display().to_string()));
    }
    if dev {
        let key = MasterKey::generate()?;
        // A generated key is a software key: it has bytes to write.
        let bytes = key.software_bytes().ok_or(crate::keys::KeyError::Crypto)?;
        let text = Zeroizing::new(base64ct::Base64::encode_string(bytes));
        write_private_file(&storage.data_dir, &dev_file, text.as_bytes())?;
        warn_dev_key(&dev_file, "generated");
        return Ok(key);
    }
    Err(BootError::Invalid(
        "no master key: set CARDVAULT_MASTER_KEY (base64 of 32 bytes) or --master-key-file, or name a key in an HSM with --pkcs11-module, --pkcs11-token and --pkcs11-key, or run `serve --dev` for a local trial".into(),
    ))
}

/// Refuses `path` (the data dir, the master key file) unless it belongs to the vault's user and
/// no one else may read or enter it; with `dev` it only warns.
fn check_private(path: &Path, what: &str, dev: bool) -> Result<(), BootError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::metadata(path)
        .map_err(|e| BootError::Invalid(format!("{what} {}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    let owner = meta.uid() == rustix::process::geteuid().as_raw();
    if owner && mode & 0o077 == 0 {
        return Ok(());
    }
    let problem = if owner {
        format!(
            "{what} {} is open to other users (mode {mode:03o}): chmod go-rwx it",
            path.display()
        )
    } else {
        format!(
            "{what} {} belongs to another user (uid {}): the vault's user must own it",
            path.display(),
            meta.uid()
        )
    };
    if dev {
        tracing::warn!("{problem} (allowed with --dev only)");
        return Ok(());
    }
    Err(BootError::Invalid(problem))
}

fn open_vault(storage: &Storage, dev: bool, config: Config) -> Result<Vault, BootError> {
    let master = master_key(storage, dev)?;
    let store = Store::open_at(&storage.location())?;
    let access = master_key::rotation_access();
    let master = vault::resume_rotation(&store, master, &access);
    let vault = Vault::open(store, master, config)?;
    vault.allow_rotation(access);
    let master = vault.master_key();
    tracing::info!(
        master_key = %master.describe(),
        id = %master.id(),
        operations = master.operations(),
        "master key in use"
    );
    Ok(vault)
}

/// The store, for a command that writes to it (and so appends to the audit log): with the
/// master key, and sealing the audit log.
fn open_to_write(storage: &Storage) -> Result<(Store, MasterKey), BootError> {
    let master = master_key(storage, false)?;
    let store = Store::open_at(&storage.location())?;
    vault::seal_audit(&store, &master)?;
    Ok((store, master))
}
