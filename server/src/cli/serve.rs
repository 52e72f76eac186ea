//! `cardvault serve`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;

use crate::http::{self, AppState, Limits, Metrics};
use crate::store::{self, Store};
use crate::vault::{self, BootError, Config, Unlocking, Vault};

use super::args::ServeArgs;
use super::dev::{dev_merchant, dev_processor_receiver};
use super::{check_private, open_vault, unlock};

/// How the vault starts: with its key, or locked until its custodians give their shares.
enum Start {
    Open(Arc<Vault>),
    Locked {
        unlocking: Box<Unlocking>,
        socket: std::os::unix::net::UnixListener,
    },
}

/// Locks `serve.lock` in the data dir for as long as the returned file is open: one `serve` per
/// data dir. The process that stores tokens keeps the replay memory (the jtis already used) in
/// memory as well as in the database (`store/sqlite.rs`, `ReplayMemory`), so a second vault on
/// the same database would not see the first one's jtis. CLI commands store no tokens and need
/// no lock.
pub(super) fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, BootError> {
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

/// The certificates of a `--receiver-ca` file: at least one, every one a CA's.
fn receiver_roots(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, BootError> {
    use rustls::pki_types::pem::PemObject;
    let invalid = |e: String| BootError::Invalid(format!("--receiver-ca {}: {e}", path.display()));
    let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
        .map_err(|e| invalid(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(e.to_string()))?;
    if certs.is_empty() {
        return Err(invalid("no certificate in it".into()));
    }
    Ok(certs)
}

pub(super) fn serve(args: ServeArgs, open_files: u64) -> Result<ExitCode, BootError> {
    let tls = args.tls_cert.is_some();
    let trusted_proxies = Arc::new(http::TrustedProxies::new(args.trusted_proxies.clone()));
    // Behind trusted proxies, TLS ends at the proxy: the hop to the vault is the operator's
    // network, and the scheme the browser used comes from the proxy's headers.
    if !tls && !args.dev && trusted_proxies.is_empty() && !args.listen.ip().is_loopback() {
        return Err(BootError::Invalid(format!(
            "refusing plain HTTP on {}: give --tls-cert and --tls-key, listen on a loopback address, or name the proxy that ends TLS with --trusted-proxy",
            args.listen
        )));
    }
    if args.enumeration_window < 1 {
        return Err(BootError::Invalid(
            "--enumeration-window must be at least 1 second".into(),
        ));
    }
    let receiver_roots = match &args.receiver_ca {
        Some(path) => receiver_roots(path)?,
        None => Vec::new(),
    };
    let config = Config {
        freshness_secs: args.freshness,
        dev: args.dev,
        receiver_roots,
        enumeration: store::EnumerationLimit {
            limit: args.enumeration_limit,
            window_secs: args.enumeration_window,
        },
        limits: Limits {
            per_key_per_minute: args.rate_limit_key,
            per_client_per_minute: args.rate_limit_client,
        },
        ..Config::default()
    };
    // Before the vault opens (a second serve changes nothing) and dropped after everything else
    // (the writer has committed what was queued before another serve may start).
    // On PostgreSQL the instances share the database and need no data dir (but --dev's keys).
    let local = !args.storage.location().is_shared() || args.dev;
    let _serving = if local {
        let lock = lock_data_dir(&args.storage.data_dir)?;
        check_private(&args.storage.data_dir, "the data dir", args.dev)?;
        Some(lock)
    } else {
        None
    };
    // Removes the unlock socket at exit (declared before everything that uses it).
    let mut _socket_file = None;
    let start = match (args.master_key_shares, &args.unlock_socket) {
        (Some(threshold), Some(path)) => {
            // Dual control: a key from the environment or a file would make the shares moot.
            let master = &args.storage.master;
            if std::env::var_os("CARDVAULT_MASTER_KEY").is_some()
                || master.master_key_file.is_some()
                || master.pkcs11.pkcs11_module.is_some()
                || master.pkcs11.pkcs11_token.is_some()
                || master.pkcs11.pkcs11_key.is_some()
            {
                return Err(BootError::Invalid(
                    "with --master-key-shares the master key comes from the custodians' shares only: unset CARDVAULT_MASTER_KEY, --master-key-file and --pkcs11-*".into(),
                ));
            }
            let store = Store::open_at(&args.storage.location())?;
            let group = args
                .unlock_group
                .as_deref()
                .map(unlock::unlock_group)
                .transpose()?;
            let unlocking = Box::new(Unlocking::new(store, config, threshold)?);
            let (socket, file) = unlock::bind(path, group)?;
            _socket_file = Some(file);
            Start::Locked { unlocking, socket }
        }
        _ => Start::Open(Arc::new(open_vault(&args.storage, args.dev, config)?)),
    };
    let vault_origin = format!("{}://{}", if tls { "https" } else { "http" }, args.listen);
    let dev_vault = match &start {
        Start::Open(vault) if args.dev => Some(Arc::clone(vault)),
        _ => None,
    };
    let dev = if let Some(vault) = &dev_vault {
        let shop = match &args.demo {
            Some(addr) => format!("http://{addr}"),
            None => vault_origin.clone(),
        };
        let shop_origin = vault::normalize_origin(&shop)?;
        Some(dev_merchant(vault, &args.storage.data_dir, &shop_origin)?)
    } else {
        None
    };
    // The demo's processor: a loopback port of its own, the dev merchant's receiver.
    let processor = match (&args.demo, &dev, &dev_vault) {
        (Some(_), Some((merchant, _)), Some(vault)) => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .map_err(|e| {
                    BootError::Invalid(format!("listening for the demo processor: {e}"))
                })?;
            let addr = listener
                .local_addr()
                .map_err(|e| BootError::Invalid(format!("the demo processor's address: {e}")))?;
            dev_processor_receiver(vault, &merchant.id, &format!("http://{addr}/"))?;
            Some((listener, addr))
        }
        _ => None,
    };
    let options = http::Options {
        tls,
        trusted_proxies: Arc::clone(&trusted_proxies),
    };
    let metrics = Arc::new(Metrics::default());
    // The vault once it is open (at once, or when the custodians have unlocked it).
    let opened: Arc<OnceLock<Arc<Vault>>> = Arc::default();
    let background = Background {
        metrics: Arc::clone(&metrics),
        options: options.clone(),
        sweep_every: Duration::from_secs(args.sweep_every.max(1)),
        audit_head_every: Duration::from_secs(args.audit_head_every.max(1)),
        opened: Arc::clone(&opened),
    };
    let mut listener_limits = http::listener::Limits::for_open_files(open_files);
    if let Some(max) = args.max_connections {
        listener_limits.max_connections = max.max(1);
        listener_limits.per_client = listener_limits
            .per_client
            .min(listener_limits.max_connections);
    }
    if let Some(per_client) = args.max_connections_per_client {
        listener_limits.per_client = per_client.max(1);
    }
    listener_limits.header_read_timeout = Duration::from_secs(args.header_read_timeout.max(1));
    listener_limits.idle_timeout = Duration::from_secs(args.idle_timeout.max(1));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BootError::Invalid(format!("starting the runtime: {e}")))?;
    runtime.block_on(async move {
        let (app, locked) = match start {
            Start::Open(vault) => (background.activate(vault), None),
            Start::Locked { unlocking, socket } => {
                let threshold = unlocking.progress().1;
                let gate = http::Gate::new(Arc::clone(&metrics), options.clone());
                let (sender, receiver) = tokio::sync::oneshot::channel();
                tokio::spawn(unlock::serve_socket(socket, *unlocking, sender));
                let opening = gate.clone();
                tokio::spawn(async move {
                    if let Ok(vault) = receiver.await {
                        // As an opened vault: it may follow a master key rotation.
                        vault.allow_rotation(super::master_key::rotation_access());
                        let api = background.activate(Arc::new(vault));
                        opening.open(api);
                        tracing::info!("unlocked: serving");
                    }
                });
                (gate.router(), Some(threshold))
            }
        };
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
        if let Some(addr) = args.metrics_listen {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| BootError::Invalid(format!("listening on {addr}: {e}")))?;
            println!("metrics on http://{addr}/metrics");
            let metrics = http::metrics_router(Arc::clone(&metrics));
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, metrics).with_graceful_shutdown(signal()).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
        }
        let acceptor = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(
                http::listener::tls_acceptor(cert, key).map_err(BootError::Invalid)?,
            ),
            _ => None,
        };
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| BootError::Invalid(format!("listening on {}: {e}", args.listen)))?;
        let scheme = if tls { "https" } else { "http" };
        println!("cardvault listening on {scheme}://{}", args.listen);
        if let (Some(threshold), Some(path)) = (locked, &args.unlock_socket) {
            println!(
                "locked: waiting for {threshold} master key shares (`cardvault unlock --socket {}`)",
                path.display()
            );
        }
        println!(
            "loader: <script src=\"{vault_origin}/v1/cardvault.js\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
            http::LOADER_SRI
        );
        http::listener::serve(
            listener,
            acceptor,
            app,
            listener_limits,
            trusted_proxies,
            signal(),
        )
        .await;
        // Refusals counted since the last tick go into the log before the writer stops.
        if let Some(vault) = opened.get() {
            vault.flush_refusals().await;
            store::log_audit_head(vault.store(), "shutdown");
            let master = vault.master_key();
            tracing::info!(
                master_key = %master.describe(),
                operations = master.operations(),
                "master key operations since start-up"
            );
        }
        tracing::info!("stopped");
        Ok::<_, BootError>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// What runs once the vault is open: its API, its housekeeping, the audit head's announcements.
struct Background {
    metrics: Arc<Metrics>,
    options: http::Options,
    sweep_every: Duration,
    audit_head_every: Duration,
    opened: Arc<OnceLock<Arc<Vault>>>,
}

impl Background {
    /// Starts serving `vault` (in the runtime): the API to serve, counting into the metrics.
    fn activate(&self, vault: Arc<Vault>) -> Router {
        store::log_audit_head(vault.store(), "start");
        let state = AppState::with_metrics(Arc::clone(&vault), Arc::clone(&self.metrics));
        let app = http::router(state.clone(), self.options.clone());
        tokio::spawn(housekeeping(state, self.sweep_every));
        tokio::spawn(announce_audit_head(
            vault.store().clone(),
            self.audit_head_every,
        ));
        let _ = self.opened.set(vault);
        app
    }
}

/// Ctrl-C or SIGTERM.
pub(super) async fn signal() {
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

/// Writes the audit log's sealed head to the server log every `every` (the first at start-up is
/// `serve`'s own).
async fn announce_audit_head(store: store::Store, every: Duration) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tick.tick().await;
        store::log_audit_head(&store, "interval");
    }
}

/// The vault's housekeeping (`Vault::tick`), every `every`.
pub(super) async fn housekeeping(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        state.vault.tick().await;
    }
}

#[cfg(test)]
mod tests {
    use super::lock_data_dir;

    #[test]
    fn one_serve_per_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_data_dir(dir.path()).unwrap();
        let second = lock_data_dir(dir.path()).unwrap_err().to_string();
        assert!(second.contains("another `cardvault serve`"), "{second}");
        drop(first);
        lock_data_dir(dir.path()).unwrap();
    }
}
