//! The JavaScript packages (`js/`) in a React app built with Vite, against the real vault, in
//! headless Chromium driven by playwright-core (`js/test-app/browser.mjs`): StrictMode's double
//! mount, typing with `fillCard`, `tokenize`, style and locale changed live, unmount and remount.
//!
//! Not run by a plain `cargo test` (`test = false`): `cargo xtask test`'s js step runs it, once
//! it has installed the npm pack tarballs into `js/test-app` and built the app there.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};

use cardvault_e2e::{MASTERCARD, VISA, Vault, exp_year, free_port, server_binary};
use serde_json::Value;

/// The loader's SRI hash, from the `loader: <script … integrity="…">` line `serve` prints.
fn loader_integrity(log: &str) -> String {
    let line = log
        .lines()
        .find(|l| l.starts_with("loader: "))
        .expect("serve printed no loader line");
    let start = line.find("integrity=\"").expect("no integrity") + "integrity=\"".len();
    let end = line[start..].find('"').expect("integrity unterminated");
    line[start..start + end].to_owned()
}

#[test]
fn the_react_app_mounts_types_tokenizes_updates_and_remounts_the_field() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../js/test-app");
    assert!(
        app.join("dist/index.html").is_file() && app.join("node_modules/@cardvault/react").is_dir(),
        "{} is not built: run `cargo xtask test` (its js step installs the packages and builds it)",
        app.display()
    );
    let mut vault = Vault::start();
    // The app's own merchant: its origin (localhost, another site than the vault's 127.0.0.1,
    // so that the field runs in a process of its own, as on a real merchant's page).
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let data = vault.data_dir();
    let created = Command::new(server_binary())
        .args([
            "merchant",
            "create",
            "--name",
            "React test app",
            "--origin",
            &origin,
        ])
        .arg("--json")
        .arg("--data-dir")
        .arg(&data)
        .arg("--master-key-file")
        .arg(data.join("master.key"))
        .env_remove("CARDVAULT_MASTER_KEY")
        .output()
        .expect("cardvault merchant create");
    assert!(created.status.success(), "merchant create: {created:?}");
    let merchant: Value = serde_json::from_slice(&created.stdout).expect("merchant JSON");
    let pk = merchant["publishable_key"].as_str().expect("pk").to_owned();
    let sk = merchant["secret_key"].as_str().expect("sk").to_owned();

    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let output = Command::new("node")
        .arg("browser.mjs")
        .current_dir(&app)
        .env("CARDVAULT_VAULT", &vault.origin)
        .env("CARDVAULT_PK", &pk)
        .env("CARDVAULT_INTEGRITY", loader_integrity(&vault.log()))
        .env("CARDVAULT_APP_PORT", port.to_string())
        .env("CARDVAULT_EXP_YEAR", exp_year().to_string())
        .env("CHROMIUM", chromium)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("node js/test-app/browser.mjs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    assert!(
        output.status.success(),
        "browser.mjs failed ({})",
        output.status
    );

    // The tokens the page got are the merchant's, of the cards typed.
    let tokens: Vec<String> = stdout
        .lines()
        .find_map(|l| l.strip_prefix("tokens: "))
        .map(|json| serde_json::from_str(json).expect("tokens JSON"))
        .expect("browser.mjs printed no tokens");
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    for (token, (brand, number)) in tokens
        .iter()
        .zip([("visa", VISA), ("mastercard", MASTERCARD)])
    {
        let meta = vault.token_metadata(token, &sk);
        assert_eq!(meta.status, 200, "{}", meta.body);
        let meta = meta.json();
        assert_eq!(meta["card"]["brand"], brand, "{meta}");
        assert_eq!(meta["card"]["last4"], &number[12..], "{meta}");
    }
    vault.stop_and_assert_no_card_numbers(&[VISA, MASTERCARD]);
}
