//! The command line's arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::http::Limits;
use crate::store::Location;
use crate::vault::{self, Config};

#[derive(Parser, Debug)]
#[command(
    name = "cardvault",
    version,
    about = "A card vault: tokenizes cards sealed in the browser and never gives them back"
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
    /// Serve the vault's HTTP API.
    Serve(Box<ServeArgs>),
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
    /// Manage the master key: split it into custodians' shares, or create it in an HSM.
    #[command(subcommand)]
    MasterKey(MasterKeyCommand),
    /// Give a vault started with --master-key-shares one custodian's share, typed at a prompt.
    Unlock(UnlockArgs),
    /// Import a merchant's cards from another vault or processor: a CSV or JSON Lines file,
    /// OpenPGP-encrypted or not, stored as `POST /v1/tokens` stores cards; writes the mapping of
    /// each record's id to its token.
    Import(Box<ImportArgs>),
}

/// `cardvault import`.
#[derive(Args, Debug)]
pub(super) struct ImportArgs {
    #[command(flatten)]
    pub(super) storage: Storage,
    /// The merchant the cards are imported for (mer_…).
    #[arg(long)]
    pub(super) merchant: String,
    /// The file: records {id, number, exp_month, exp_year, name?}; an OpenPGP message is
    /// decrypted on the fly (never written anywhere in clear).
    pub(super) file: PathBuf,
    /// Where to write the mapping: id,token,fingerprint,brand,last4,exp_month,exp_year,error per
    /// record (written whole again by every run).
    #[arg(long, value_name = "MAPPING.csv")]
    pub(super) out: PathBuf,
    /// The records' format (default: jsonl for *.jsonl and *.ndjson, also before .gpg, .pgp or
    /// .asc; else csv).
    #[arg(long, value_enum)]
    pub(super) format: Option<super::import_file::Format>,
    /// What the file calls a field: FIELD=NAME, e.g. id=customer_card_id,number=pan.
    #[arg(long, value_delimiter = ',', value_name = "FIELD=NAME")]
    pub(super) column: Vec<String>,
    /// The OpenPGP secret key the file is encrypted to (armored or binary).
    #[arg(long, value_name = "KEY.asc")]
    pub(super) pgp_key: Option<PathBuf>,
    /// A file whose first line is the OpenPGP key's passphrase.
    #[arg(long, requires = "pgp_key", value_name = "FILE")]
    pub(super) pgp_passphrase_file: Option<PathBuf>,
}

/// Where the vault keeps its data, and the master key that wraps every key in it. `Debug`
/// leaves out the database URL, which may hold a password.
#[derive(Args, Clone)]
pub(super) struct Storage {
    /// The data directory (SQLite database; in --dev also the generated master key).
    #[arg(
        long,
        env = "CARDVAULT_DATA_DIR",
        default_value = "cardvault-data",
        global = true
    )]
    pub(super) data_dir: PathBuf,
    #[command(flatten)]
    pub(super) master: MasterKeyArgs,
    /// A PostgreSQL database that any number of vaults share,
    /// `postgres://USER[:PASSWORD]@HOST:PORT/DB[?sslmode=disable|verify-full]`, instead of
    /// SQLite in the data dir. The database must exist; the vault creates its tables.
    #[arg(
        long,
        env = "CARDVAULT_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub(super) database_url: Option<String>,
    /// The CA certificates (PEM) that sign the database's certificate, for
    /// `sslmode=verify-full` (default: the built-in web roots).
    #[arg(
        long,
        env = "CARDVAULT_DATABASE_CA",
        global = true,
        value_name = "FILE"
    )]
    pub(super) database_ca: Option<PathBuf>,
}

impl Storage {
    /// The store these flags name.
    pub(super) fn location(&self) -> Location {
        match &self.database_url {
            Some(url) => Location::Postgres {
                url: url.clone(),
                ca: self.database_ca.clone(),
            },
            None => Location::DataDir(self.data_dir.clone()),
        }
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("data_dir", &self.data_dir)
            .field("master", &self.master)
            .field("database", &self.location())
            .finish()
    }
}

/// Where the master key comes from: `CARDVAULT_MASTER_KEY` (read in `cli::master_key`, not a
/// flag: a key in argv would show in `ps`), a file, or an HSM. `master-key rotate` has the same
/// flags prefixed `--to-` for the new key.
#[derive(Args, Clone, Debug)]
pub(super) struct MasterKeyArgs {
    /// A file holding the master key (base64 of 32 bytes). The environment variable
    /// CARDVAULT_MASTER_KEY, if set, takes precedence.
    #[arg(
        long,
        env = "CARDVAULT_MASTER_KEY_FILE",
        global = true,
        value_name = "FILE"
    )]
    pub(super) master_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub(super) pkcs11: Pkcs11Args,
}

/// The master key in an HSM: the PKCS#11 module, the token and the key, by label; the user PIN
/// from CARDVAULT_PKCS11_PIN or a file (never a flag: argv shows in `ps`).
#[derive(Args, Clone, Debug)]
pub(super) struct Pkcs11Args {
    /// The HSM's PKCS#11 module (shared library), e.g. /usr/lib/softhsm/libsofthsm2.so; with
    /// --pkcs11-token and --pkcs11-key the master key is the AES-256 key so labelled in the HSM.
    #[arg(
        long,
        env = "CARDVAULT_PKCS11_MODULE",
        global = true,
        value_name = "PATH"
    )]
    pub(super) pkcs11_module: Option<PathBuf>,
    /// The label of the token (HSM partition or slot) that holds the master key.
    #[arg(
        long,
        env = "CARDVAULT_PKCS11_TOKEN",
        global = true,
        value_name = "LABEL"
    )]
    pub(super) pkcs11_token: Option<String>,
    /// The label (CKA_LABEL) of the master key in the token.
    #[arg(
        long,
        env = "CARDVAULT_PKCS11_KEY",
        global = true,
        value_name = "LABEL"
    )]
    pub(super) pkcs11_key: Option<String>,
    /// A file holding the token's user PIN (one line), readable by the vault's user only.
    /// The environment variable CARDVAULT_PKCS11_PIN is the other way to give it.
    #[arg(
        long,
        env = "CARDVAULT_PKCS11_PIN_FILE",
        global = true,
        value_name = "FILE"
    )]
    pub(super) pkcs11_pin_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    pub(super) storage: Storage,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(super) listen: SocketAddr,
    /// Local trial: create a master key in the data dir if none is given, a demo merchant, and
    /// allow plain HTTP on any address and forwards to loopback receivers.
    #[arg(long)]
    pub(super) dev: bool,
    /// With --dev: also serve the demo shop on HOST:PORT, its origin `http://HOST:PORT`. A host
    /// name such as `localhost` makes the shop cross-site to a vault on `127.0.0.1`, as a real
    /// merchant's page is.
    #[arg(long, requires = "dev", value_name = "HOST:PORT", value_parser = demo_address)]
    pub(super) demo: Option<String>,
    /// TLS certificate chain (PEM).
    #[arg(long, requires = "tls_key")]
    pub(super) tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub(super) tls_key: Option<PathBuf>,
    /// Tokenizations allowed per merchant key per minute, the publishable and the secret key
    /// each (0: no limit). Only envelopes that open spend it.
    #[arg(long, default_value_t = Limits::default().per_key_per_minute)]
    pub(super) rate_limit_key: u32,
    /// Tokenizations allowed per client address per minute with a publishable key (0: no limit).
    #[arg(long, default_value_t = Limits::default().per_client_per_minute)]
    pub(super) rate_limit_client: u32,
    /// How old an envelope may be, in seconds.
    #[arg(long, default_value_t = Config::default().freshness_secs)]
    pub(super) freshness: i64,
    /// Seconds between sweeps of expired tokens, CVCs and replay memory.
    #[arg(long, default_value_t = 60)]
    pub(super) sweep_every: u64,
    /// Serve `/metrics` (OpenMetrics) on this address only; without it, no metrics are served.
    /// It names receivers and volumes: bind it where only the operator's scraper reaches.
    #[arg(long, value_name = "ADDR")]
    pub(super) metrics_listen: Option<SocketAddr>,
    /// Connections held at once (default: from the descriptor limit, at most 16384). At the cap
    /// the connection idle the longest is closed to make room.
    #[arg(long)]
    pub(super) max_connections: Option<usize>,
    /// Connections held at once from one client address (default: a quarter of the cap, at
    /// most 256).
    #[arg(long)]
    pub(super) max_connections_per_client: Option<usize>,
    /// A proxy (load balancer) whose `Forwarded` / `X-Forwarded-For` and `X-Forwarded-Proto`
    /// are believed, as CIDR (`10.0.0.0/8`, `fd00::/8`) or a bare address; repeatable, or comma
    /// separated in the environment. Only from these peers is the client's address (for rate
    /// limits and the audit log) and scheme (origin checks, HSTS) taken from the headers; their
    /// connections are not capped per client; and plain HTTP is allowed on any address (TLS
    /// ends at the proxy).
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "CARDVAULT_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub(super) trusted_proxies: Vec<crate::http::proxy::Cidr>,
    /// Certificate authorities (PEM) trusted for receivers' TLS besides the Mozilla roots built
    /// into the binary: for a processor reached over a private link with a private CA.
    #[arg(long, value_name = "FILE", env = "CARDVAULT_RECEIVER_CA")]
    pub(super) receiver_ca: Option<PathBuf>,
    /// Seconds a request's head may take to arrive.
    #[arg(long, default_value_t = 10)]
    pub(super) header_read_timeout: u64,
    /// Seconds a connection may stay open with no request in flight and no byte moved.
    #[arg(long, default_value_t = 60)]
    pub(super) idle_timeout: u64,
    /// Seconds between two writes of the audit log's sealed head to the server log (also at
    /// start-up and at shutdown): what `audit verify --expect-head` checks against.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub(super) audit_head_every: u64,
    /// Distinct card numbers a merchant may tokenize per BIN and last four within the
    /// enumeration window; more are refused with `card_enumeration` (0: no limit).
    #[arg(long, value_name = "N", default_value_t = Config::default().enumeration.limit)]
    pub(super) enumeration_limit: u32,
    /// The enumeration window, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = Config::default().enumeration.window_secs)]
    pub(super) enumeration_window: i64,
    /// Dual control: start locked, with no master key, and wait for K custodians' shares of it
    /// (`cardvault master-key split`), each given with `cardvault unlock` on --unlock-socket.
    /// Until then /readyz and every API request answer 503 `locked`.
    #[arg(
        long,
        value_name = "K",
        requires = "unlock_socket",
        conflicts_with = "dev",
        value_parser = clap::value_parser!(u8).range(2..=16)
    )]
    pub(super) master_key_shares: Option<u8>,
    /// With --master-key-shares: the Unix socket custodians' `cardvault unlock` connects to
    /// (made anew, mode 0600: the vault's user or root; removed at exit).
    #[arg(long, value_name = "PATH", requires = "master_key_shares")]
    pub(super) unlock_socket: Option<PathBuf>,
    /// With --unlock-socket: the socket is made mode 0660 and given to this group (a name or a
    /// gid), so that custodians, its members, connect each as their own user. Its directory
    /// must be owned by root or the vault's user and writable by neither group nor others.
    #[arg(long, value_name = "GROUP", requires = "unlock_socket")]
    pub(super) unlock_group: Option<String>,
}

#[derive(Subcommand, Debug)]
pub(super) enum MasterKeyCommand {
    /// Create the master key inside an HSM: an AES-256 key generated by the token, sensitive
    /// and not extractable, labelled --pkcs11-key (refused if the label exists).
    InitHsm {
        #[command(flatten)]
        pkcs11: Pkcs11Args,
    },
    /// Split the (software) master key into N shares, any K of which start the vault
    /// (`serve --master-key-shares K`); each share is printed this once.
    Split {
        #[command(flatten)]
        storage: Storage,
        /// How many shares to make (N, at most 16).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(2..=16))]
        shares: u8,
        /// How many of them give the key back (K, 2 to N).
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(2..=16))]
        threshold: u8,
    },
    /// Re-wrap every key in the store under a new master key, beside serving vaults (they
    /// keep the keys they unwrapped); resumable after a kill. The current key comes as for
    /// every command, the new one from the same flags prefixed --to-.
    Rotate {
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        to: ToMasterKeyArgs,
    },
}

/// The master key a rotation moves to: the current key's flags, prefixed `--to-`; the new
/// software key's base64 from CARDVAULT_TO_MASTER_KEY, the PIN from CARDVAULT_TO_PKCS11_PIN
/// (else CARDVAULT_PKCS11_PIN).
#[derive(Args, Clone, Debug)]
pub(super) struct ToMasterKeyArgs {
    /// A file holding the new master key (base64 of 32 bytes).
    #[arg(long, env = "CARDVAULT_TO_MASTER_KEY_FILE", value_name = "FILE")]
    pub(super) to_master_key_file: Option<PathBuf>,
    /// The new master key's PKCS#11 module.
    #[arg(long, env = "CARDVAULT_TO_PKCS11_MODULE", value_name = "PATH")]
    pub(super) to_pkcs11_module: Option<PathBuf>,
    /// The label of the token that holds the new master key.
    #[arg(long, env = "CARDVAULT_TO_PKCS11_TOKEN", value_name = "LABEL")]
    pub(super) to_pkcs11_token: Option<String>,
    /// The label of the new master key in its token.
    #[arg(long, env = "CARDVAULT_TO_PKCS11_KEY", value_name = "LABEL")]
    pub(super) to_pkcs11_key: Option<String>,
    /// A file holding the new key's token user PIN.
    #[arg(long, env = "CARDVAULT_TO_PKCS11_PIN_FILE", value_name = "FILE")]
    pub(super) to_pkcs11_pin_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(super) struct UnlockArgs {
    /// The vault's unlock socket (`serve --unlock-socket`).
    #[arg(long, value_name = "PATH", env = "CARDVAULT_UNLOCK_SOCKET")]
    pub(super) socket: PathBuf,
}

#[derive(Subcommand, Debug)]
pub(super) enum MerchantCommand {
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
    /// List merchants and their keys: live, and previous ones until their grace ends (a secret
    /// key by its id only).
    List {
        #[command(flatten)]
        storage: Storage,
    },
    /// A new secret key `sk_…` (shown this once); the previous one is accepted for the grace
    /// period, then refused.
    RollSecret {
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        roll: Roll,
    },
    /// A new publishable key `pk_…`; the previous one (field pages loaded with it, their
    /// envelopes) is accepted for the grace period, then refused.
    RollPublishable {
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        roll: Roll,
    },
}

/// What `merchant roll-secret` and `roll-publishable` take.
#[derive(Args, Debug)]
pub(super) struct Roll {
    /// The merchant (mer_…).
    #[arg(long)]
    pub(super) merchant: String,
    /// How long the previous key is still accepted, in hours (fractions allowed, rounded up to
    /// the second; 0: refused at once).
    #[arg(
        long,
        value_name = "H",
        default_value_t = 24.0,
        conflicts_with = "grace_secs"
    )]
    pub(super) grace_hours: f64,
    /// The same in seconds.
    #[arg(long, value_name = "SECS")]
    pub(super) grace_secs: Option<i64>,
    /// Print one JSON object.
    #[arg(long)]
    pub(super) json: bool,
}

impl Roll {
    /// The grace period in seconds; refused unless it is a number of hours from 0 up.
    pub(super) fn grace(&self) -> Result<i64, String> {
        if let Some(secs) = self.grace_secs {
            return Ok(secs);
        }
        let secs = (self.grace_hours * 3600.0).ceil();
        if !secs.is_finite() || secs < 0.0 || secs > i64::MAX as f64 {
            return Err(format!(
                "--grace-hours {} is not a duration",
                self.grace_hours
            ));
        }
        #[allow(clippy::cast_possible_truncation)]
        Ok(secs as i64)
    }
}

#[derive(Subcommand, Debug)]
pub(super) enum KeysCommand {
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
    /// Make a new data key, the one every running vault seals new cards with within seconds;
    /// with --rewrap, also re-encrypt every stored card under it, then destroy the old keys.
    RotateData {
        #[command(flatten)]
        storage: Storage,
        /// Re-encrypt every stored card and name under the new key (in batches, beside serving
        /// vaults; resumable: run it again after a kill), then destroy the data keys no card
        /// uses any more.
        #[arg(long)]
        rewrap: bool,
        /// Without making a new key: finish a rewrap under the newest one (after a kill, or
        /// when cards with a waiting CVC were left).
        #[arg(long, requires = "rewrap")]
        resume: bool,
        /// How long to wait, at most, for cards whose CVC is still to be used (a CVC lives 10
        /// minutes) before leaving them under the old key, in seconds.
        #[arg(long, default_value_t = 660, value_name = "SECS")]
        cvc_wait: u64,
    },
}

#[derive(Subcommand, Debug)]
pub(super) enum ReceiverCommand {
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
pub(super) enum AuditCommand {
    /// Check the audit log's hash chain, its seal and the store around it; exit 0 when intact,
    /// else name the first broken entry.
    Verify {
        #[command(flatten)]
        storage: Storage,
        /// An entry the log must hold, as `serve` last logged it (`expect_head=SEQ:HASH`):
        /// fails if the log was cut before it, rewritten, or put back to an earlier copy.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<crate::store::ExpectedHead>,
    },
}

/// `--demo`'s HOST:PORT: what an `http` origin has after its scheme (`vault::normalize_origin`'s
/// rule: a name or an IP address, IPv6 in brackets), with the port the shop must listen on.
pub(super) fn demo_address(value: &str) -> Result<String, String> {
    vault::normalize_origin(&format!("http://{value}")).map_err(|_| {
        format!("\"{value}\" is not HOST:PORT (a host name or IP address, IPv6 in brackets)")
    })?;
    let port = value.rsplit_once(':').map(|(_, port)| port);
    if port.is_none_or(|port| port.parse::<u16>().is_err()) {
        return Err(format!("\"{value}\" has no port: give HOST:PORT"));
    }
    Ok(value.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::demo_address;

    #[test]
    fn the_command_line_is_consistent() {
        // clap's own checks of every subcommand: no flag defined twice (the master key's flags
        // are flattened into many), no broken `requires`.
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
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
