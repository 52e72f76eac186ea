//! Where a binary test's vaults keep their data: a data dir (SQLite), or a throwaway PostgreSQL
//! database (`CARDVAULT_TEST_DATABASE_URL`, set by `cargo xtask test` and `cargo xtask pg`).

use std::path::PathBuf;
use std::process::{Command, Output};

use super::{BIN, MASTER, files_under};

/// A data dir, and the database beside it if any.
pub struct Storage {
    pub data: PathBuf,
    pub database_url: Option<String>,
}

impl Storage {
    /// The flags that name this storage to the binary.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.data.display().to_string()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_owned(), url.clone()]);
        }
        args
    }

    /// A command of the binary on this storage, with the master key.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .args(self.args())
            .env("CARDVAULT_MASTER_KEY", MASTER)
            .output()
            .unwrap()
    }

    /// Everything the store holds, as bytes to search: the data dir's files, and every row of
    /// every table of the database as text.
    pub fn everything(&self) -> Vec<(String, Vec<u8>)> {
        let mut all: Vec<(String, Vec<u8>)> = files_under(&self.data)
            .into_iter()
            .map(|(path, bytes)| (path.display().to_string(), bytes))
            .collect();
        if let Some(url) = &self.database_url {
            all.extend(postgres(url, |client| async move {
                let names = client
                    .query(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
                        &[],
                    )
                    .await
                    .unwrap();
                let mut out = Vec::new();
                for name in names {
                    let name: String = name.get(0);
                    let rows = client
                        .query(&format!("SELECT t::text FROM {name} t"), &[])
                        .await
                        .unwrap();
                    let text: String = rows.iter().map(|r| r.get::<_, String>(0)).collect();
                    out.push((name, text.into_bytes()));
                }
                out
            }));
        }
        all
    }
}

/// A database of its own on the test server, dropped (with its connections) when this goes.
pub struct Database {
    server: String,
    name: String,
    pub url: String,
}

impl Database {
    /// A new database named `PREFIX_PID`; `None` (said on stderr) without
    /// `CARDVAULT_TEST_DATABASE_URL`.
    pub fn create(prefix: &str) -> Option<Database> {
        let Some(server) = std::env::var("CARDVAULT_TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            eprintln!("skipped on PostgreSQL: CARDVAULT_TEST_DATABASE_URL is not set");
            return None;
        };
        let name = format!("{prefix}_{}", std::process::id());
        let sql = format!("CREATE DATABASE {name}");
        postgres(&server, |client| async move {
            client.batch_execute(&sql).await.unwrap();
        });
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&format!("/{name}"));
        Some(Database {
            server,
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE {} WITH (FORCE)", self.name);
        postgres(&self.server, |client| async move {
            client.batch_execute(&sql).await.unwrap();
        });
    }
}

/// Runs `f` with a client of the database at `url`.
pub fn postgres<T, F, Fut>(url: &str, f: F) -> T
where
    F: FnOnce(tokio_postgres::Client) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        let connection = tokio::spawn(connection);
        let out = f(client).await;
        connection.abort();
        out
    })
}
