//! `cardvault merchant`, `keys` and `receiver`.

use std::process::ExitCode;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::forward::address::ReceiverUrl;
use crate::keys::TransportKey;
use crate::store::{MerchantKeyKind, MerchantKeyRecord, Store};
use crate::vault::{self, BootError, Config, KeyKind, NewMerchant, now_unix};

use super::args::{KeysCommand, MerchantCommand, ReceiverCommand, Roll};
use super::progress::Reporter;
use super::{open_to_write, open_vault};

pub(super) fn merchant(cmd: MerchantCommand) -> Result<ExitCode, BootError> {
    match cmd {
        MerchantCommand::Create {
            storage,
            name,
            origins,
            token_ttl,
            cvc_optional,
            json,
        } => {
            let (store, master) = open_to_write(&storage)?;
            let new = NewMerchant {
                name,
                origins,
                token_ttl_secs: token_ttl,
                require_cvc: !cvc_optional,
            };
            let (merchant, secret) = vault::create_merchant(&store, &master, new)?;
            if json {
                let out = serde_json::json!({
                    "id": merchant.id,
                    "publishable_key": merchant.publishable_key,
                    "secret_key": secret.as_str(),
                });
                println!("{out}");
            } else {
                println!("merchant        {}", merchant.id);
                println!("publishable key {}", merchant.publishable_key);
                println!(
                    "secret key      {}   (shown once: store it now)",
                    secret.as_str()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        MerchantCommand::List { storage } => {
            let store = Store::open_at(&storage.location())?;
            let now = now_unix();
            for m in store.merchants()? {
                println!(
                    "{}  {}  {}  {}",
                    m.id,
                    m.publishable_key,
                    m.name,
                    m.origins.join(" ")
                );
                for key in store.merchant_keys(&m.id, now)? {
                    println!("  {}", describe_key(&key));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MerchantCommand::RollSecret { storage, roll } => roll_key(&storage, &roll, KeyKind::Secret),
        MerchantCommand::RollPublishable { storage, roll } => {
            roll_key(&storage, &roll, KeyKind::Publishable)
        }
    }
}

/// RFC 3339, UTC.
fn utc(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// One line of `merchant list` for a key: a publishable key by its text, a secret key by its id
/// only (what the store has of it is a hash), and whether it is live or until when a previous one
/// is still accepted.
fn describe_key(key: &MerchantKeyRecord) -> String {
    let name = match key.kind {
        MerchantKeyKind::Publishable => {
            format!("publishable key {}", String::from_utf8_lossy(&key.key))
        }
        MerchantKeyKind::Secret => format!("secret key #{}", key.id()),
    };
    match key.usable_until {
        None => format!("{name}  live since {}", utc(key.created_at)),
        Some(until) => format!("{name}  previous, accepted until {}", utc(until)),
    }
}

/// `merchant roll-secret` / `roll-publishable`.
fn roll_key(storage: &super::Storage, roll: &Roll, kind: KeyKind) -> Result<ExitCode, BootError> {
    let grace = roll.grace().map_err(BootError::Invalid)?;
    let (store, _) = open_to_write(storage)?;
    let rolled = vault::roll_merchant_key(&store, &roll.merchant, kind, grace)?;
    let until = rolled.replaced.usable_until.unwrap_or_else(now_unix);
    let retired_at = rolled.replaced.retired_at.unwrap_or(until);
    let field = match kind {
        KeyKind::Publishable => "publishable_key",
        KeyKind::Secret => "secret_key",
    };
    if roll.json {
        let out = serde_json::json!({
            "id": roll.merchant,
            field: rolled.key.as_str(),
            "key_id": rolled.key_id,
            "previous_key_id": rolled.replaced.id(),
            "previous_until": utc(until),
        });
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("merchant        {}", roll.merchant);
    match kind {
        KeyKind::Publishable => println!("publishable key {}", rolled.key.as_str()),
        KeyKind::Secret => println!(
            "secret key      {}   (shown once: store it now; #{})",
            rolled.key.as_str(),
            rolled.key_id
        ),
    }
    let previous = match kind {
        KeyKind::Publishable => format!(
            "publishable key {}",
            String::from_utf8_lossy(&rolled.replaced.key)
        ),
        KeyKind::Secret => format!("secret key #{}", rolled.replaced.id()),
    };
    if until > retired_at {
        println!(
            "the previous {previous} is accepted until {} ({} s), then refused",
            utc(until),
            until - retired_at
        );
    } else {
        println!("the previous {previous} is refused from now on");
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn keys(cmd: KeysCommand) -> Result<ExitCode, BootError> {
    match cmd {
        KeysCommand::List { storage } => {
            let store = Store::open_at(&storage.location())?;
            let now = now_unix();
            for k in store.transport_keys()? {
                let status = match (k.retired_at, k.usable_until) {
                    (None, _) => "active".to_owned(),
                    (Some(_), Some(until)) if until > now => {
                        format!("grace ({}s left)", until - now)
                    }
                    _ => "retired".to_owned(),
                };
                println!("{}  {} bits  {}", k.kid, k.bits, status);
            }
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Rotate {
            storage,
            bits,
            grace_hours,
        } => {
            let vault = open_vault(&storage, false, Config::default())?;
            let kid = vault.rotate_transport_key(bits, Some(grace_hours * 3600))?;
            println!(
                "active transport key {kid} ({bits} bits); the previous key is accepted for {grace_hours} h"
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Import {
            storage,
            pem_file,
            grace_hours,
        } => {
            let pem = std::fs::read_to_string(&pem_file)
                .map_err(|e| BootError::Invalid(format!("reading {}: {e}", pem_file.display())))?;
            let key = TransportKey::from_pkcs8_pem(&pem).map_err(|_| {
                BootError::Invalid("not a PKCS#8 PEM RSA private key of 2048 to 4096 bits".into())
            })?;
            let vault = open_vault(&storage, false, Config::default())?;
            let kid = vault.import_transport_key(&key, Some(grace_hours * 3600))?;
            println!(
                "imported transport key {kid} ({} bits), now active",
                key.bits()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::RotateData {
            storage,
            rewrap,
            resume,
            cvc_wait,
        } => {
            let (store, master) = open_to_write(&storage)?;
            if !resume {
                let version = vault::rotate_data_key(&store, &master)?;
                println!(
                    "data key {version} made: running vaults seal new cards with it within seconds"
                );
            }
            if !rewrap {
                return Ok(ExitCode::SUCCESS);
            }
            let progress = Reporter::new();
            let report = vault::rewrap_cards(
                &store,
                &master,
                std::time::Duration::from_secs(cvc_wait),
                &progress,
            )?;
            progress.finish();
            println!(
                "{} card(s) re-encrypted under data key {}; destroyed: {}",
                report.resealed,
                report.version,
                match report.destroyed.as_slice() {
                    [] => "none".to_owned(),
                    versions => versions
                        .iter()
                        .map(|v| format!("data key {v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            );
            if report.left > 0 {
                println!(
                    "{} card(s) with a CVC still waiting stay under an older key: run \
                     `cardvault keys rotate-data --rewrap --resume` once their CVCs are used or expired",
                    report.left
                );
                return Ok(ExitCode::from(3));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) fn receiver(cmd: ReceiverCommand) -> Result<ExitCode, BootError> {
    match cmd {
        ReceiverCommand::Add {
            storage,
            merchant,
            name,
            url,
        } => {
            let (store, _) = open_to_write(&storage)?;
            let record = vault::add_receiver(&store, &merchant, &name, &url)?;
            println!(
                "receiver {} of {}: {}",
                record.name, record.merchant_id, record.url
            );
            if ReceiverUrl::parse(&record.url).is_ok_and(|u| u.is_loopback()) {
                println!("  (a loopback receiver: used only while the vault runs with --dev)");
            }
            Ok(ExitCode::SUCCESS)
        }
        ReceiverCommand::List { storage, merchant } => {
            let store = Store::open_at(&storage.location())?;
            let merchants = match merchant {
                Some(id) => vec![id],
                None => store.merchants()?.into_iter().map(|m| m.id).collect(),
            };
            for id in merchants {
                for r in store.receivers(&id)? {
                    let note = if ReceiverUrl::parse(&r.url).is_ok_and(|u| u.is_loopback()) {
                        "  (loopback: --dev only)"
                    } else {
                        ""
                    };
                    println!("{}  {}  {}{note}", r.merchant_id, r.name, r.url);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReceiverCommand::Remove {
            storage,
            merchant,
            name,
        } => {
            let (store, _) = open_to_write(&storage)?;
            if vault::remove_receiver(&store, &merchant, &name)? {
                println!("removed receiver {name} of {merchant}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("cardvault: merchant {merchant} has no receiver named {name}");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
