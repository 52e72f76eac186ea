//! Test databases: a fresh PostgreSQL database per test, on the server that
//! `CARDVAULT_TEST_DATABASE_URL` names (`cargo xtask test` starts one under `target/`), dropped
//! when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

use tokio_postgres::NoTls;

use super::{Location, Store};

/// The server the tests may create databases on (a superuser's URL), if any.
pub(crate) fn server_url() -> Option<String> {
    std::env::var("CARDVAULT_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the HTTP tests' vaults are on PostgreSQL (`CARDVAULT_TEST_STORE=postgres`).
pub(crate) fn http_tests_on_postgres() -> bool {
    let wanted = std::env::var("CARDVAULT_TEST_STORE").is_ok_and(|v| v == "postgres");
    assert!(
        !wanted || server_url().is_some(),
        "CARDVAULT_TEST_STORE=postgres needs CARDVAULT_TEST_DATABASE_URL"
    );
    wanted
}

/// A database of its own for one test; dropped (with its connections) when this is.
pub(crate) struct TestDatabase {
    server: String,
    name: String,
    /// The database's URL.
    pub(crate) url: String,
}

impl TestDatabase {
    /// A new, empty database, or `None` (the test says it was skipped) when no server is given.
    pub(crate) fn create() -> Option<TestDatabase> {
        let Some(server) = server_url() else {
            eprintln!("skipped on PostgreSQL: CARDVAULT_TEST_DATABASE_URL is not set");
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let mut random = [0u8; 6];
        aws_lc_rs::rand::fill(&mut random).expect("random bytes");
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!(
            "cv_test_{}_{}_{suffix}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(&server, &format!("CREATE DATABASE {name}"));
        let mut url = url::Url::parse(&server).expect("CARDVAULT_TEST_DATABASE_URL parses");
        url.set_path(&format!("/{name}"));
        Some(TestDatabase {
            server,
            name,
            url: url.to_string(),
        })
    }

    /// Where the store is.
    pub(crate) fn location(&self) -> Location {
        Location::Postgres {
            url: self.url.clone(),
            ca: None,
        }
    }

    /// A store handle on it (as another instance would open one).
    pub(crate) fn open(&self) -> Store {
        Store::open_at(&self.location()).expect("the test database opens")
    }

    /// Runs `sql` on the database, as someone with the database's password and not the
    /// vault's keys would (tests of tampering, faults).
    pub(crate) fn execute(&self, sql: &str) {
        admin(&self.url, sql);
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        admin(
            &self.server,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Runs `sql` on `url` from a thread of its own (tests run inside runtimes too).
fn admin(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, NoTls)
                .await
                .expect("the test server answers");
            tokio::spawn(connection);
            client
                .batch_execute(&sql)
                .await
                .expect("the statement runs");
        });
    })
    .join()
    .expect("the admin thread");
}
