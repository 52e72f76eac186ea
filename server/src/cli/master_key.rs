//! Where the master key comes from, and `cardvault master-key …`: `init-hsm`; `split`, the
//! master key as K-of-N custodians' shares (dual control, see `keys/master/shares.rs` and
//! `vault/unlock.rs`); and `rotate`, every key in the store re-wrapped under a new master key
//! (`vault/rotation.rs`).
//!
//! [`given_master_key`] turns plain values (the flags of [`MasterKeyArgs`], or their `--to-`
//! twins for a rotation) into a [`MasterKey`]: a software key from an environment variable or a
//! file, or a key in an HSM over PKCS#11. A key given two ways is refused rather than one way
//! silently winning: an operator who moved the key into the HSM must not keep running on the
//! file by mistake.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use zeroize::Zeroizing;

use crate::keys::master::shares;
use crate::keys::{MasterKey, Pkcs11Config};
use crate::store::Store;
use crate::vault::{self, BootError, RotationAccess};

use super::args::{MasterKeyArgs, MasterKeyCommand, Pkcs11Args, Storage, ToMasterKeyArgs};
use super::progress::Reporter;
use super::{check_private, open_to_write};

/// The environment variables read for the current master key.
pub(super) const MASTER_KEY_ENV: &str = "CARDVAULT_MASTER_KEY";
pub(super) const PKCS11_PIN_ENV: &str = "CARDVAULT_PKCS11_PIN";
/// The environment variables read for the new master key of a rotation.
const TO_MASTER_KEY_ENV: &str = "CARDVAULT_TO_MASTER_KEY";
const TO_PKCS11_PIN_ENV: &str = "CARDVAULT_TO_PKCS11_PIN";

/// The largest PIN file read (PINs are short; this only bounds a wrong file).
const MAX_PIN_FILE_LEN: usize = 1024;

/// One way of giving a master key, as plain values: what [`MasterKeyArgs`] holds, with the
/// environment read. `flag_prefix` (`""`, or `"to-"` for the new key of a rotation) and the
/// variable names are only used in messages.
pub(super) struct KeyFlags<'a> {
    pub(super) flag_prefix: &'a str,
    /// The base64 key from the environment, and the variable's name.
    pub(super) env_key: Option<(&'a str, Zeroizing<String>)>,
    pub(super) key_file: Option<&'a Path>,
    pub(super) pkcs11_module: Option<&'a Path>,
    pub(super) pkcs11_token: Option<&'a str>,
    pub(super) pkcs11_key: Option<&'a str>,
    /// The PIN from the environment, and the variable's name.
    pub(super) pin_env: Option<(&'a str, Zeroizing<String>)>,
    pub(super) pin_file: Option<&'a Path>,
}

impl<'a> KeyFlags<'a> {
    /// The current master key's flags, with `CARDVAULT_MASTER_KEY` and `CARDVAULT_PKCS11_PIN`.
    pub(super) fn current(args: &'a MasterKeyArgs) -> KeyFlags<'a> {
        KeyFlags {
            flag_prefix: "",
            env_key: env(MASTER_KEY_ENV).map(|value| (MASTER_KEY_ENV, value)),
            key_file: args.master_key_file.as_deref(),
            ..KeyFlags::pkcs11(&args.pkcs11)
        }
    }

    /// Only the PKCS#11 flags (`master-key init-hsm`).
    pub(super) fn pkcs11(args: &'a Pkcs11Args) -> KeyFlags<'a> {
        KeyFlags {
            flag_prefix: "",
            env_key: None,
            key_file: None,
            pkcs11_module: args.pkcs11_module.as_deref(),
            pkcs11_token: args.pkcs11_token.as_deref(),
            pkcs11_key: args.pkcs11_key.as_deref(),
            pin_env: env(PKCS11_PIN_ENV).map(|value| (PKCS11_PIN_ENV, value)),
            pin_file: args.pkcs11_pin_file.as_deref(),
        }
    }

    fn wants_pkcs11(&self) -> bool {
        self.pkcs11_module.is_some() || self.pkcs11_token.is_some() || self.pkcs11_key.is_some()
    }
}

/// An environment variable's value in a zeroizing buffer; unset (or not UTF-8) is `None`.
pub(super) fn env(name: &str) -> Option<Zeroizing<String>> {
    std::env::var(name).ok().map(Zeroizing::new)
}

/// The master key `flags` give, or `None` when they give none. The environment variable wins
/// over the key file (as it always has); either together with PKCS#11 flags is refused. With
/// `dev` a key or PIN file open to others is only warned about.
pub(super) fn given_master_key(
    flags: &KeyFlags<'_>,
    dev: bool,
) -> Result<Option<MasterKey>, BootError> {
    let prefix = flags.flag_prefix;
    let invalid =
        |what: &str| BootError::Invalid(format!("{what} is not a base64-encoded 32-byte key"));
    if flags.wants_pkcs11() {
        let software = flags
            .env_key
            .as_ref()
            .map(|(name, _)| (*name).to_owned())
            .or_else(|| flags.key_file.map(|_| format!("--{prefix}master-key-file")));
        if let Some(software) = software {
            return Err(BootError::Invalid(format!(
                "the master key is given two ways, {software} and --{prefix}pkcs11-*: give one (unset the other)"
            )));
        }
        let config = pkcs11_config(flags, dev)?;
        let key = MasterKey::pkcs11(&config).map_err(|e| BootError::Invalid(e.to_string()))?;
        return Ok(Some(key));
    }
    if let Some((name, text)) = &flags.env_key {
        return MasterKey::from_base64(text)
            .map(Some)
            .map_err(|_| invalid(name));
    }
    if let Some(path) = flags.key_file {
        check_private(path, "the master key file", dev)?;
        return MasterKey::from_file(path)
            .map(Some)
            .map_err(|_| invalid(&path.display().to_string()));
    }
    Ok(None)
}

/// The HSM key's module, token, key and PIN; all three flags are needed, and the PIN one way.
pub(super) fn pkcs11_config(flags: &KeyFlags<'_>, dev: bool) -> Result<Pkcs11Config, BootError> {
    let prefix = flags.flag_prefix;
    let missing = |flag: &str| {
        BootError::Invalid(format!(
            "--{prefix}pkcs11-module, --{prefix}pkcs11-token and --{prefix}pkcs11-key go together: --{prefix}{flag} is missing"
        ))
    };
    let module = flags
        .pkcs11_module
        .ok_or_else(|| missing("pkcs11-module"))?;
    let token = flags.pkcs11_token.ok_or_else(|| missing("pkcs11-token"))?;
    let key = flags.pkcs11_key.ok_or_else(|| missing("pkcs11-key"))?;
    let pin = match (&flags.pin_env, flags.pin_file) {
        (Some((name, _)), Some(_)) => {
            return Err(BootError::Invalid(format!(
                "the PKCS#11 PIN is given two ways, {name} and --{prefix}pkcs11-pin-file: give one"
            )));
        }
        (Some((_, pin)), None) => pin.clone(),
        (None, Some(path)) => read_pin_file(path, dev)?,
        (None, None) => {
            return Err(BootError::Invalid(format!(
                "no PKCS#11 PIN: set {PKCS11_PIN_ENV} or --{prefix}pkcs11-pin-file"
            )));
        }
    };
    Ok(Pkcs11Config {
        module: module.to_path_buf(),
        token: token.to_owned(),
        key: key.to_owned(),
        pin,
    })
}

/// The PIN in `path`: its first line (the line end dropped, nothing else trimmed: a PIN may
/// hold spaces). The file must be private to the vault's user, like the master key file.
fn read_pin_file(path: &Path, dev: bool) -> Result<Zeroizing<String>, BootError> {
    check_private(path, "the PKCS#11 PIN file", dev)?;
    let unreadable =
        |why: &str| BootError::Invalid(format!("the PKCS#11 PIN file {}: {why}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| unreadable(&e.to_string()))?;
    // Sized up front so that reading never reallocates and leaves a copy behind.
    let mut contents = Zeroizing::new(Vec::with_capacity(2 * MAX_PIN_FILE_LEN));
    file.take(MAX_PIN_FILE_LEN as u64 + 1)
        .read_to_end(&mut contents)
        .map_err(|e| unreadable(&e.to_string()))?;
    if contents.len() > MAX_PIN_FILE_LEN {
        return Err(unreadable("longer than a PIN"));
    }
    let text = core::str::from_utf8(&contents).map_err(|_| unreadable("not UTF-8"))?;
    let line = text.split(['\n', '\r']).next().unwrap_or_default();
    if line.is_empty() {
        return Err(unreadable("empty"));
    }
    Ok(Zeroizing::new(line.to_owned()))
}

/// `cardvault master-key …`.
pub(super) fn master_key_command(command: MasterKeyCommand) -> Result<ExitCode, BootError> {
    match command {
        MasterKeyCommand::InitHsm { pkcs11 } => init_hsm(&pkcs11),
        MasterKeyCommand::Split {
            storage,
            shares,
            threshold,
        } => split(&storage, shares, threshold),
        MasterKeyCommand::Rotate { storage, to } => rotate(&storage, &to),
    }
}

/// Where a serving vault finds a master key it is rotated to (`vault::custody`): a software key
/// in `CARDVAULT_TO_MASTER_KEY_FILE` (or `CARDVAULT_TO_MASTER_KEY`); an HSM key through the
/// module named by `CARDVAULT_TO_PKCS11_MODULE` (besides its own), with the PIN from
/// `CARDVAULT_TO_PKCS11_PIN`, else `CARDVAULT_PKCS11_PIN`.
pub(super) fn rotation_access() -> RotationAccess {
    RotationAccess {
        key_file: std::env::var_os("CARDVAULT_TO_MASTER_KEY_FILE").map(std::path::PathBuf::from),
        key_base64: env(TO_MASTER_KEY_ENV),
        modules: std::env::var_os("CARDVAULT_TO_PKCS11_MODULE")
            .map(std::path::PathBuf::from)
            .into_iter()
            .collect(),
        pin: env(TO_PKCS11_PIN_ENV).or_else(|| env(PKCS11_PIN_ENV)),
    }
}

/// `master-key rotate`: every key in the store re-wrapped under the `--to-` key
/// (`vault::rotate_master_key`).
fn rotate(storage: &Storage, to: &ToMasterKeyArgs) -> Result<ExitCode, BootError> {
    let pin_env = env(TO_PKCS11_PIN_ENV)
        .map(|pin| (TO_PKCS11_PIN_ENV, pin))
        .or_else(|| env(PKCS11_PIN_ENV).map(|pin| (PKCS11_PIN_ENV, pin)));
    let flags = KeyFlags {
        flag_prefix: "to-",
        env_key: env(TO_MASTER_KEY_ENV).map(|key| (TO_MASTER_KEY_ENV, key)),
        key_file: to.to_master_key_file.as_deref(),
        pkcs11_module: to.to_pkcs11_module.as_deref(),
        pkcs11_token: to.to_pkcs11_token.as_deref(),
        pkcs11_key: to.to_pkcs11_key.as_deref(),
        pin_env,
        pin_file: to.to_pkcs11_pin_file.as_deref(),
    };
    let to = given_master_key(&flags, false)?.ok_or_else(|| {
        BootError::Invalid(format!(
            "no new master key: set {TO_MASTER_KEY_ENV}, --to-master-key-file, or --to-pkcs11-module, --to-pkcs11-token and --to-pkcs11-key"
        ))
    })?;
    let from = super::master_key(storage, false)?;
    let store = Store::open_at(&storage.location())?;
    // A rotation killed part-way may have re-wrapped the audit seal key already (it goes
    // first): then the new key seals what this run appends.
    match vault::seal_audit(&store, &from) {
        Err(BootError::MasterKeyMismatch) => vault::seal_audit(&store, &to)?,
        other => other?,
    }
    let progress = Reporter::new();
    let report = vault::rotate_master_key(&store, &from, &to, &progress)?;
    progress.finish();
    println!(
        "{} key(s) in the store, all wrapped by the new master key ({}, {}): {} re-wrapped now, {} already",
        report.keys,
        to.describe(),
        to.id(),
        report.rewrapped,
        report.already
    );
    println!(
        "the old master key opens nothing in the store any more; start vaults with the new one"
    );
    Ok(ExitCode::SUCCESS)
}

/// `master-key init-hsm`: the token generates the key; nothing of it is printed but its name.
fn init_hsm(args: &Pkcs11Args) -> Result<ExitCode, BootError> {
    let flags = KeyFlags::pkcs11(args);
    let config = pkcs11_config(&flags, false)?;
    let key = MasterKey::create_pkcs11(&config).map_err(|e| BootError::Invalid(e.to_string()))?;
    tracing::info!(master_key = %key.describe(), id = %key.id(), "master key created in the HSM");
    println!("created the master key: {} ({})", key.describe(), key.id());
    println!(
        "start the vault with --pkcs11-module {} --pkcs11-token {:?} --pkcs11-key {:?} and the PIN",
        config.module.display(),
        config.token,
        config.key
    );
    Ok(ExitCode::SUCCESS)
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
    store.append_audit_blocking(vault::operator_event(
        None,
        "master_key_split",
        Some(format!("shares={count} threshold={threshold}")),
    ))?;
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
