//! The `cardvault` command line: `serve`, `merchant`, `keys`, `receiver`, `audit` (CONTRACT.md §3).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use zeroize::Zeroizing;

use crate::forward::address::ReceiverUrl;
use crate::http::{self, AppState, Limits};
use crate::keys::{MasterKey, TransportKey};
use crate::store::{self, MerchantRecord, Store};
use crate::vault::{self, BootError, Config, NewMerchant, Vault, now_unix};

#[derive(Parser, Debug)]
#[command(
    name = "cardvault",
    version,
    about = "A card vault: tokenizes cards sealed in the browser and never gives them back"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the vault's HTTP API.
    Serve(ServeArgs),
    /// Manage merchants.
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// Manage the transport keys envelopes are sealed to.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage where merchants' forwards may go.
    #[command(subcommand)]
    Receiver(ReceiverCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// Where the vault keeps its data, and the master key that wraps every key in it.
#[derive(Args, Debug, Clone)]
struct Storage {
    /// The data directory (SQLite database; in --dev also the generated master key).
    #[arg(
        long,
        env = "CARDVAULT_DATA_DIR",
        default_value = "cardvault-data",
        global = true
    )]
    data_dir: PathBuf,
    /// A file holding the master key (base64 of 32 bytes). The environment variable
    /// CARDVAULT_MASTER_KEY, if set, takes precedence.
    #[arg(long, env = "CARDVAULT_MASTER_KEY_FILE", global = true)]
    master_key_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    storage: Storage,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Local trial: create a master key in the data dir if none is given, a demo merchant, and
    /// allow plain HTTP on any address and forwards to loopback receivers.
    #[arg(long)]
    dev: bool,
    /// With --dev: also serve the demo shop on HOST:PORT, its origin `http://HOST:PORT`. A host
    /// name such as `localhost` makes the shop cross-site to a vault on `127.0.0.1`, as a real
    /// merchant's page is.
    #[arg(long, requires = "dev", value_name = "HOST:PORT", value_parser = demo_address)]
    demo: Option<String>,
    /// TLS certificate chain (PEM).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Tokenizations allowed per publishable key per minute (0: no limit).
    #[arg(long, default_value_t = Limits::default().per_key_per_minute)]
    rate_limit_key: u32,
    /// Tokenizations allowed per client address per minute with a publishable key (0: no limit).
    #[arg(long, default_value_t = Limits::default().per_client_per_minute)]
    rate_limit_client: u32,
    /// How old an envelope may be, in seconds.
    #[arg(long, default_value_t = Config::default().freshness_secs)]
    freshness: i64,
    /// Seconds between sweeps of expired tokens, CVCs and replay memory.
    #[arg(long, default_value_t = 60)]
    sweep_every: u64,
}

#[derive(Subcommand, Debug)]
enum MerchantCommand {
    /// Create a merchant and print its keys (the secret key is shown this once only).
    Create {
        #[command(flatten)]
        storage: Storage,
        /// A name for the merchant.
        #[arg(long)]
        name: String,
        /// An origin (scheme://host[:port]) whose pages may frame the field; repeatable.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Tokens expire this many seconds after creation (default: never).
        #[arg(long)]
        token_ttl: Option<i64>,
        /// Accept envelopes without a CVC.
        #[arg(long)]
        cvc_optional: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List merchants (never their secret keys).
    List {
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// List the transport keys.
    List {
        #[command(flatten)]
        storage: Storage,
    },
    /// Make a new active transport key; the previous one stays usable for the grace period.
    Rotate {
        #[command(flatten)]
        storage: Storage,
        /// Key size: 2048, 3072 or 4096 bits.
        #[arg(long, default_value_t = 2048)]
        bits: usize,
        /// How long envelopes sealed to the previous key are still accepted, in hours.
        #[arg(long, default_value_t = 24)]
        grace_hours: i64,
    },
    /// Import a PKCS#8 PEM RSA private key (at least 2048 bits) as the active key.
    Import {
        #[command(flatten)]
        storage: Storage,
        /// The PEM file.
        pem_file: PathBuf,
        /// How long envelopes sealed to the previous key are still accepted, in hours.
        #[arg(long, default_value_t = 24)]
        grace_hours: i64,
    },
}

#[derive(Subcommand, Debug)]
enum ReceiverCommand {
    /// Register a receiver for a merchant: https:// only, or http:// on loopback (used only
    /// while the vault runs with --dev).
    Add {
        #[command(flatten)]
        storage: Storage,
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The name forwards use (1-64 of A-Z a-z 0-9 _ - .).
        #[arg(long)]
        name: String,
        /// The base URL; a forward's path is appended to its path.
        #[arg(long)]
        url: String,
    },
    /// List receivers (of one merchant, or of all).
    List {
        #[command(flatten)]
        storage: Storage,
        /// Only this merchant's.
        #[arg(long)]
        merchant: Option<String>,
    },
    /// Remove a merchant's receiver.
    Remove {
        #[command(flatten)]
        storage: Storage,
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The receiver's name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the audit log's hash chain; exit 0 when intact, else name the first broken entry.
    Verify {
        #[command(flatten)]
        storage: Storage,
    },
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Merchant(cmd) => merchant(cmd),
        Command::Keys(cmd) => keys(cmd),
        Command::Receiver(cmd) => receiver(cmd),
        Command::Audit(AuditCommand::Verify { storage }) => audit_verify(&storage),
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

/// The master key: `CARDVAULT_MASTER_KEY`, else `--master-key-file`, else the dev key in the
/// data dir (made by `serve --dev`), else (with `dev`) a new dev key.
fn master_key(storage: &Storage, dev: bool) -> Result<MasterKey, BootError> {
    let invalid =
        |what: &str| BootError::Invalid(format!("{what} is not a base64-encoded 32-byte key"));
    if let Ok(text) = std::env::var("CARDVAULT_MASTER_KEY") {
        return MasterKey::from_base64(&text).map_err(|_| invalid("CARDVAULT_MASTER_KEY"));
    }
    if let Some(path) = &storage.master_key_file {
        return MasterKey::from_file(path).map_err(|_| invalid(&path.display().to_string()));
    }
    let dev_file = storage.data_dir.join(DEV_MASTER_KEY_FILE);
    if dev_file.exists() {
        warn_dev_key(&dev_file, "using");
        return MasterKey::from_file(&dev_file)
            .map_err(|_| invalid(&dev_file.display().to_string()));
    }
    if dev {
        let key = MasterKey::generate()?;
        write_private_file(&storage.data_dir, &dev_file, key.to_base64().as_bytes())?;
        warn_dev_key(&dev_file, "generated");
        return Ok(key);
    }
    Err(BootError::Invalid(
        "no master key: set CARDVAULT_MASTER_KEY (base64 of 32 bytes) or --master-key-file, or run `serve --dev` for a local trial".into(),
    ))
}

fn warn_dev_key(path: &Path, verb: &str) {
    eprintln!(
        "\n  !!! WARNING: {verb} a DEVELOPMENT master key stored in clear at {}\n  !!! Anyone who can read the data dir can decrypt every card in it. Never use it for real cards.\n",
        path.display()
    );
}

fn write_private_file(dir: &Path, path: &Path, contents: &[u8]) -> Result<(), BootError> {
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

fn open_vault(storage: &Storage, dev: bool, config: Config) -> Result<Vault, BootError> {
    let master = master_key(storage, dev)?;
    let store = Store::open(&storage.data_dir)?;
    Vault::open(store, master, config)
}

/// Locks `serve.lock` in the data dir for as long as the returned file is open: one `serve` per
/// data dir. The process that stores tokens keeps the replay memory (the jtis already used) in
/// memory as well as in the database (`store/sqlite.rs`, `ReplayMemory`), so a second vault on
/// the same database would not see the first one's jtis. CLI commands store no tokens and need
/// no lock.
fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, BootError> {
    use std::os::unix::fs::OpenOptionsExt;

    store::create_data_dir(data_dir)?;
    let path = data_dir.join("serve.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| BootError::Invalid(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(BootError::Invalid(format!(
            "another `cardvault serve` is running on {}: one vault per data dir",
            data_dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(BootError::Invalid(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode, BootError> {
    let tls = args.tls_cert.is_some();
    if !tls && !args.dev && !args.listen.ip().is_loopback() {
        return Err(BootError::Invalid(format!(
            "refusing plain HTTP on {}: give --tls-cert and --tls-key, or listen on a loopback address",
            args.listen
        )));
    }
    let config = Config {
        freshness_secs: args.freshness,
        dev: args.dev,
        ..Config::default()
    };
    // Before the vault opens (a second serve changes nothing) and dropped after everything else
    // (the writer has committed what was queued before another serve may start).
    let _serving = lock_data_dir(&args.storage.data_dir)?;
    let vault = Arc::new(open_vault(&args.storage, args.dev, config)?);
    let vault_origin = format!("{}://{}", if tls { "https" } else { "http" }, args.listen);
    let dev = if args.dev {
        let shop = match &args.demo {
            Some(addr) => format!("http://{addr}"),
            None => vault_origin.clone(),
        };
        let shop_origin = vault::normalize_origin(&shop)?;
        Some(dev_merchant(&vault, &args.storage.data_dir, &shop_origin)?)
    } else {
        None
    };
    // The demo's processor: a loopback port of its own, the dev merchant's receiver.
    let processor = match (&args.demo, &dev) {
        (Some(_), Some((merchant, _))) => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .map_err(|e| {
                    BootError::Invalid(format!("listening for the demo processor: {e}"))
                })?;
            let addr = listener
                .local_addr()
                .map_err(|e| BootError::Invalid(format!("the demo processor's address: {e}")))?;
            dev_processor_receiver(&vault, &merchant.id, &format!("http://{addr}/"))?;
            Some((listener, addr))
        }
        _ => None,
    };
    let limits = Limits {
        per_key_per_minute: args.rate_limit_key,
        per_client_per_minute: args.rate_limit_client,
    };
    let state = AppState::new(Arc::clone(&vault), limits);
    let app = http::router(state.clone(), http::Options { tls });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BootError::Invalid(format!("starting the runtime: {e}")))?;
    runtime.block_on(async move {
        tokio::spawn(housekeeping(
            state,
            Duration::from_secs(args.sweep_every.max(1)),
        ));
        if let (Some(addr), Some((merchant, secret_key))) = (&args.demo, &dev) {
            if let Some((listener, processor_addr)) = processor {
                let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| {
                    BootError::Invalid(format!("listening for the demo processor: {e}"))
                })?;
                println!(
                    "demo processor on http://{processor_addr}/ (receiver \"{}\" of {})",
                    crate::demo::PROCESSOR,
                    merchant.id
                );
                tokio::spawn(async move {
                    let processor = crate::demo::processor_router();
                    if let Err(e) = axum::serve(listener, processor)
                        .with_graceful_shutdown(signal())
                        .await
                    {
                        tracing::error!(error = %e, "the demo processor stopped");
                    }
                });
            }
            let backend = secret_key.as_ref().map(|sk| crate::demo::Backend {
                vault: app.clone(),
                secret_key: sk.clone(),
            });
            if backend.is_none() {
                println!(
                    "demo shop: no secret key for {} in the data dir: paying tokenizes but does not charge",
                    merchant.id
                );
            }
            let shop = crate::demo::router(&vault_origin, &merchant.publishable_key, backend);
            let listener = tokio::net::TcpListener::bind(addr.as_str())
                .await
                .map_err(|e| BootError::Invalid(format!("listening on {addr}: {e}")))?;
            println!("demo shop on http://{addr}/");
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, shop).with_graceful_shutdown(signal()).await {
                    tracing::error!(error = %e, "the demo shop stopped");
                }
            });
        }
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let scheme = if tls { "https" } else { "http" };
        if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| {
                    BootError::Invalid(format!("loading the TLS certificate and key: {e}"))
                })?;
            let handle = axum_server::Handle::new();
            tokio::spawn(shutdown_on_signal(handle.clone()));
            println!("cardvault listening on {scheme}://{}", args.listen);
            axum_server::bind_rustls(args.listen, config)
                .handle(handle)
                .serve(service)
                .await
                .map_err(|e| BootError::Invalid(format!("serving: {e}")))?;
        } else {
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .map_err(|e| BootError::Invalid(format!("listening on {}: {e}", args.listen)))?;
            println!("cardvault listening on {scheme}://{}", args.listen);
            println!(
                "loader: <script src=\"{vault_origin}/v1/cardvault.js\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
                http::LOADER_SRI
            );
            axum::serve(listener, service)
                .with_graceful_shutdown(signal())
                .await
                .map_err(|e| BootError::Invalid(format!("serving: {e}")))?;
        }
        tracing::info!("stopped");
        Ok::<_, BootError>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `--demo`'s HOST:PORT: what an `http` origin has after its scheme (`vault::normalize_origin`'s
/// rule: a name or an IP address, IPv6 in brackets), with the port the shop must listen on.
fn demo_address(value: &str) -> Result<String, String> {
    vault::normalize_origin(&format!("http://{value}")).map_err(|_| {
        format!("\"{value}\" is not HOST:PORT (a host name or IP address, IPv6 in brackets)")
    })?;
    let port = value.rsplit_once(':').map(|(_, port)| port);
    if port.is_none_or(|port| port.parse::<u16>().is_err()) {
        return Err(format!("\"{value}\" has no port: give HOST:PORT"));
    }
    Ok(value.to_ascii_lowercase())
}

/// The dev merchant's secret key, kept in the data dir (in clear, like the dev master key) so
/// that the demo shop's backend can charge through the vault across restarts.
const DEV_SECRET_KEY_FILE: &str = "dev-merchant.key";

/// The dev merchant whose origins include `origin`, created (and its keys printed) if there
/// is none yet; returns it and, when known, its secret key.
fn dev_merchant(
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
    let (merchant, secret) = vault::create_merchant(
        vault.store(),
        &vault.master,
        NewMerchant {
            name: NAME.into(),
            origins: vec![origin.to_owned()],
            token_ttl_secs: None,
            require_cvc: true,
        },
    )?;
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
fn dev_processor_receiver(vault: &Vault, merchant: &str, url: &str) -> Result<(), BootError> {
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

/// Ctrl-C or SIGTERM.
async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = ctrl_c.await;
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down");
}

async fn shutdown_on_signal(handle: axum_server::Handle<SocketAddr>) {
    signal().await;
    handle.graceful_shutdown(Some(Duration::from_secs(10)));
}

/// Sweeps expired tokens, CVCs and replay memory; forgets idle rate-limit keys; picks up keys
/// rotated by another process.
async fn housekeeping(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        loop {
            match state.vault.store().sweep(now_unix()).await {
                Ok(report) if report.more => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, "sweep failed");
                    break;
                }
            }
        }
        state.limits.purge();
        state.vault.reload_transport_keys_if_stale().await;
    }
}

fn merchant(cmd: MerchantCommand) -> Result<ExitCode, BootError> {
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
            let store = Store::open(&storage.data_dir)?;
            for m in store.merchants()? {
                println!(
                    "{}  {}  {}  {}",
                    m.id,
                    m.publishable_key,
                    m.name,
                    m.origins.join(" ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn keys(cmd: KeysCommand) -> Result<ExitCode, BootError> {
    match cmd {
        KeysCommand::List { storage } => {
            let store = Store::open(&storage.data_dir)?;
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
            let kid = vault::create_transport_key(
                vault.store(),
                &vault.master,
                bits,
                Some(grace_hours * 3600),
                "key_rotate",
            )?;
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
            let kid = vault::install_transport_key(
                vault.store(),
                &vault.master,
                &key,
                Some(grace_hours * 3600),
                "key_import",
            )?;
            println!(
                "imported transport key {kid} ({} bits), now active",
                key.bits()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn receiver(cmd: ReceiverCommand) -> Result<ExitCode, BootError> {
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
            let store = Store::open(&storage.data_dir)?;
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

/// The store, for a command that writes to it (and so appends to the audit log): with the
/// master key, and sealing the audit log.
fn open_to_write(storage: &Storage) -> Result<(Store, MasterKey), BootError> {
    let master = master_key(storage, false)?;
    let store = Store::open(&storage.data_dir)?;
    vault::seal_audit(&store, &master)?;
    Ok((store, master))
}

/// Checks the chain and, with the master key, the seal (see `store/audit.rs`). Without a master
/// key it checks the chain only, and says so.
fn audit_verify(storage: &Storage) -> Result<ExitCode, BootError> {
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

#[cfg(test)]
mod tests {
    use super::{demo_address, lock_data_dir};

    #[test]
    fn one_serve_per_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_data_dir(dir.path()).unwrap();
        let second = lock_data_dir(dir.path()).unwrap_err().to_string();
        assert!(second.contains("another `cardvault serve`"), "{second}");
        drop(first);
        lock_data_dir(dir.path()).unwrap();
    }

    #[test]
    fn demo_address_is_an_origins_host_and_port() {
        for (given, origin_part) in [
            ("localhost:8081", "localhost:8081"),
            ("LocalHost:8081", "localhost:8081"),
            ("127.0.0.1:8081", "127.0.0.1:8081"),
            ("[::1]:8081", "[::1]:8081"),
            ("localhost:80", "localhost:80"),
        ] {
            assert_eq!(demo_address(given).as_deref(), Ok(origin_part), "{given}");
        }
        for bad in [
            "localhost",
            ":8081",
            "localhost:",
            "localhost:99999",
            "::1:8081",
            "[::1]",
            "shop/x:8081",
            "user@localhost:8081",
        ] {
            assert!(demo_address(bad).is_err(), "{bad} was taken");
        }
    }
}
