//! `cardvault import` with files GnuPG encrypted, as another vault or a processor sends them:
//! both formats, the files that cannot be imported (each with its message, and nothing stored),
//! a second run that imports nothing twice, a forward of an imported token, and no card number
//! in the data dir, the logs or the mapping.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

use support::storage::{Database, Storage};
use support::*;

const PASSPHRASE: &str = "correct horse battery staple";
const RECIPIENT: &str = "import@vault.example";
const OTHER: &str = "someone-else@vault.example";

/// The good cards of the files; none may be found where the vault writes.
const PANS: [&str; 4] = [
    "4242424242424242",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
];
/// A number failing Luhn (the last digit of 4242… changed).
const BAD_LUHN: &str = "4242424242424241";

/// A GnuPG home of this test run with two keys: the vault's (RSA 3072, protected by
/// [`PASSPHRASE`], exported to `vault.asc`) and someone else's (Curve25519).
struct Gpg {
    home: PathBuf,
    /// The vault's secret key, armored.
    key: PathBuf,
    passphrase: PathBuf,
    other_key: PathBuf,
}

fn gpg() -> &'static Gpg {
    static GPG: OnceLock<Gpg> = OnceLock::new();
    GPG.get_or_init(|| {
        // Kept for the whole run, under target/ (so cleaned with it); a short path, which the
        // agent's socket name needs.
        let home = tempfile::Builder::new()
            .prefix("cvgpg")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        let run = |args: &[&str]| {
            let out = Command::new("gpg")
                .arg("--homedir")
                .arg(&home)
                .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
                .args(args)
                .output()
                .expect("gpg (Debian's gnupg) is installed: cargo xtask test installs it");
            assert!(
                out.status.success(),
                "gpg {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        // A primary key to certify and an encryption subkey, as a processor's import key is.
        for (uid, passphrase, algo, sub) in [
            (
                format!("Vault import <{RECIPIENT}>"),
                PASSPHRASE,
                "rsa3072",
                "rsa3072",
            ),
            (format!("Someone else <{OTHER}>"), "", "ed25519", "cv25519"),
        ] {
            run(&[
                "--passphrase",
                passphrase,
                "--quick-gen-key",
                &uid,
                algo,
                "cert,sign",
                "never",
            ]);
            let listed = String::from_utf8(run(&["--with-colons", "--list-keys", &uid])).unwrap();
            let fingerprint = listed
                .lines()
                .find_map(|line| line.strip_prefix("fpr:"))
                .and_then(|rest| rest.trim_matches(':').rsplit(':').next())
                .unwrap()
                .to_owned();
            run(&[
                "--passphrase",
                passphrase,
                "--quick-add-key",
                &fingerprint,
                sub,
                "encr",
                "never",
            ]);
        }
        let key = home.join("vault.asc");
        let exported = run(&[
            "--passphrase",
            PASSPHRASE,
            "--armor",
            "--export-secret-keys",
            RECIPIENT,
        ]);
        std::fs::write(&key, exported).unwrap();
        let other_key = home.join("other.asc");
        let exported = run(&["--passphrase", "", "--armor", "--export-secret-keys", OTHER]);
        std::fs::write(&other_key, exported).unwrap();
        // The secret keys are exported: the agent, which only secret-key work needs, goes now
        // rather than outliving the tests (encrypting to a public key starts none).
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&home)
            .args(["--kill", "gpg-agent"])
            .status();
        let passphrase = home.join("passphrase");
        std::fs::write(&passphrase, format!("{PASSPHRASE}\n")).unwrap();
        Gpg {
            home,
            key,
            passphrase,
            other_key,
        }
    })
}

/// `clear` encrypted by GnuPG to `recipient` into `out` (armored or binary).
fn encrypt(clear: &str, recipient: &str, armor: bool, out: &Path) {
    let gpg = gpg();
    let input = out.with_extension("clear");
    std::fs::write(&input, clear).unwrap();
    let mut cmd = Command::new("gpg");
    cmd.arg("--homedir")
        .arg(&gpg.home)
        .args(["--batch", "--yes", "--trust-model", "always"])
        .args(["--recipient", recipient, "--encrypt", "--output"])
        .arg(out);
    if armor {
        cmd.arg("--armor");
    }
    let status = cmd.arg(&input).status().unwrap();
    assert!(status.success());
    // The clear file is the sender's, not the vault's: it goes before the vault sees anything.
    std::fs::remove_file(&input).unwrap();
}

/// `cardvault import` of `file` for `merchant` into `mapping`, with the vault's key.
fn import(
    storage: &Storage,
    merchant: &str,
    file: &Path,
    mapping: &Path,
    extra: &[&str],
) -> Output {
    let gpg = gpg();
    let mut args = vec![
        "import".to_owned(),
        "--merchant".to_owned(),
        merchant.to_owned(),
        file.display().to_string(),
        "--out".to_owned(),
        mapping.display().to_string(),
        "--pgp-key".to_owned(),
        gpg.key.display().to_string(),
        "--pgp-passphrase-file".to_owned(),
        gpg.passphrase.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    storage.cli(&args)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The mapping's rows, by id: (token, fingerprint, brand, last4, exp_month, exp_year, error).
fn mapping(path: &Path) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,token,fingerprint,brand,last4,exp_month,exp_year,error")
    );
    lines
        .map(|line| {
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            assert_eq!(cells.len(), 8, "{line}");
            let id = cells.remove(0);
            (id, cells)
        })
        .collect()
}

/// How many entries the audit chain has (and that it verifies).
fn audit_entries(storage: &Storage) -> u64 {
    let out = storage.cli(&["audit", "verify"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    said.split_whitespace()
        .zip(said.split_whitespace().skip(1))
        .find(|(_, next)| next.starts_with("entries"))
        .map_or(0, |(n, _)| n.parse().unwrap())
}

/// Opens the vault once, by an import for a merchant that does not exist, which is refused
/// before the file is read. The first open of a vault makes its transport key (an audited
/// `key_create`), which the counts of entries here must not mistake for an import's.
fn open_once(storage: &Storage, dir: &Path) {
    let out = storage.cli(&[
        "import",
        "--merchant",
        "mer_0000000000000000",
        dir.join("none.csv").to_str().unwrap(),
        "--out",
        dir.join("none-mapping.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("none.csv"), "{}", text(&out));
    std::fs::write(dir.join("none.csv"), "id,number,exp_month,exp_year\n").unwrap();
    let out = storage.cli(&[
        "import",
        "--merchant",
        "mer_0000000000000000",
        dir.join("none.csv").to_str().unwrap(),
        "--out",
        dir.join("none-mapping.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("no merchant mer_0000000000000000"),
        "{}",
        text(&out)
    );
    assert!(!dir.join("none-mapping.csv").exists());
}

fn create_merchant_on(storage: &Storage) -> Value {
    let out = storage.cli(&[
        "merchant",
        "create",
        "--name",
        "Shop",
        "--origin",
        "https://shop.example",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_no_card_number(what: &str, bytes: &[u8]) {
    for pan in PANS.iter().chain([&BAD_LUHN]) {
        let found = bytes.windows(pan.len()).any(|w| w == pan.as_bytes());
        assert!(!found, "a card number is in {what}");
    }
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The whole walk-through on `storage`: a CSV file (binary OpenPGP, mapped columns) with
/// refusals, run twice; a JSON Lines file (armored) imported beside a serving vault; a forward
/// of an imported token against one of the same card tokenized through the browser's path.
fn import_walk_through(storage: &Storage, dir: &Path) {
    let merchant = create_merchant_on(storage);
    let id = merchant["id"].as_str().unwrap();
    let pk = merchant["publishable_key"].as_str().unwrap();
    let sk = merchant["secret_key"].as_str().unwrap();
    let year = exp_year();
    let last_year = year - 5;

    // 1. CSV, its columns named otherwise, with one record of each kind a vault refuses.
    let csv = format!(
        "customer_card_id,pan,exp_month,exp_year,name\n\
         cus_1,{},12,{year},\"Lovelace, Ada\"\n\
         cus_2,{},1,{},\n\
         cus_3,{BAD_LUHN},12,{year},\n\
         cus_4,{},12,{last_year},\n\
         cus_1,{},12,{year},\n\
         cus_5,{},6,{year},Grace Hopper\n",
        PANS[0],
        PANS[1],
        year % 100,
        PANS[3],
        PANS[3],
        PANS[2],
    );
    let file = dir.join("cards.csv.gpg");
    encrypt(&csv, RECIPIENT, false, &file);
    let out_path = dir.join("mapping.csv");
    open_once(storage, dir);
    let before = audit_entries(storage);
    let out = import(
        storage,
        id,
        &file,
        &out_path,
        &["--column", "id=customer_card_id,number=pan"],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(3), "records were refused: {said}");
    assert!(
        said.contains("6 record(s): 3 imported, 0 imported before, 3 refused"),
        "{said}"
    );
    assert_no_card_number("the import's output", said.as_bytes());
    let rows = mapping(&out_path);
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["cus_1", "cus_2", "cus_3", "cus_4", "cus_1", "cus_5"]);
    let errors: Vec<&str> = rows.iter().map(|(_, r)| r[6].as_str()).collect();
    assert_eq!(
        errors,
        ["", "", "invalid_number", "expired", "duplicate_id", ""]
    );
    let (first, second, fifth) = (&rows[0].1, &rows[1].1, &rows[5].1);
    assert!(
        first[0].starts_with("tok_") && first[1].starts_with("fp_"),
        "{first:?}"
    );
    assert_eq!(
        first[2..6],
        ["visa", "4242", "12", &year.to_string()],
        "{first:?}"
    );
    assert_eq!(second[2..6], ["mastercard", "4444", "1", &year.to_string()]);
    assert_eq!(fifth[2..4], ["amex", "0005"]);
    for (_, refused) in &rows[2..5] {
        assert!(refused[..6].iter().all(String::is_empty), "{refused:?}");
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&out_path).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the mapping is the vault user's only");
    // One entry per token, one per record refused before the store, one for the file.
    assert_eq!(audit_entries(storage), before + 3 + 3 + 1);
    let sha = sha256_hex(&file);
    let stored = storage.everything();
    assert!(
        stored
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains(&sha)),
        "the audit names the file by its SHA-256"
    );

    // 2. The same file again: nothing imported twice, the same tokens answered.
    let again = dir.join("mapping-again.csv");
    let out = import(
        storage,
        id,
        &file,
        &again,
        &["--column", "id=customer_card_id,number=pan"],
    );
    assert!(
        text(&out).contains("6 record(s): 0 imported, 3 imported before, 3 refused"),
        "{}",
        text(&out)
    );
    assert_eq!(mapping(&again), rows);

    // 3. JSON Lines, armored, while a vault serves the same store.
    let mut extra: Vec<&str> = vec!["--dev"];
    if let Some(url) = &storage.database_url {
        extra.extend(["--database-url", url]);
    }
    let log = dir.join("server.log");
    let processor = FakeProcessor::start();
    let receiver = format!("http://{}/api", processor.addr);
    let out = storage.cli(&[
        "receiver",
        "add",
        "--merchant",
        id,
        "--name",
        "processor",
        "--url",
        &receiver,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let server = Server::start_with(&storage.data, &log, &extra);
    let jsonl = format!(
        "{{\"id\":\"j1\",\"number\":\"{}\",\"exp_month\":12,\"exp_year\":{year}}}\n\
         {{\"id\":\"j2\",\"number\":\"{}\",\"exp_month\":\"03\",\"exp_year\":\"{year}\",\"name\":null}}\n",
        PANS[0], PANS[3]
    );
    let file = dir.join("cards.jsonl.asc");
    encrypt(&jsonl, RECIPIENT, true, &file);
    let jsonl_mapping = dir.join("mapping-jsonl.csv");
    let out = import(storage, id, &file, &jsonl_mapping, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let rows_j = mapping(&jsonl_mapping);
    assert_eq!(rows_j.len(), 2);
    assert!(rows_j.iter().all(|(_, r)| r[6].is_empty()), "{rows_j:?}");
    // The same card as cus_1: the same fingerprint, a token of its own.
    assert_eq!(rows_j[0].1[1], first[1]);
    assert_ne!(rows_j[0].1[0], first[0]);

    // 4. The imported token forwards exactly as a token of the same card tokenized through the
    //    browser's path (both asked without a CVC: an imported card never has one).
    let key = sealing_keys(server.addr).remove(0);
    let (status, json) = request(
        server.addr,
        "POST",
        "/v1/tokens",
        Some(pk),
        Some(&seal(&key, PANS[0], pk)),
    )
    .unwrap();
    assert_eq!(status, 201, "{json}");
    let tokenized = json["token"].as_str().unwrap().to_owned();
    // The fingerprint is given only to the secret key: the same as the imported card's.
    let (status, json) = request(
        server.addr,
        "GET",
        &format!("/v1/tokens/{tokenized}"),
        Some(sk),
        None,
    )
    .unwrap();
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["fingerprint"].as_str(), Some(first[1].as_str()));
    let forward = |token: &str| {
        request_typed(
            server.addr,
            "POST",
            "/v1/forward",
            Some(sk),
            "application/json",
            Some(&forward_body(token, "processor", false)),
        )
        .unwrap()
    };
    let (status, imported_answer) = forward(&first[0]);
    assert_eq!(status, 200, "{imported_answer}");
    let (status, tokenized_answer) = forward(&tokenized);
    assert_eq!(status, 200, "{tokenized_answer}");
    assert_eq!(imported_answer, tokenized_answer);
    let seen = processor.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0], seen[1],
        "the receiver got the same request for both"
    );
    assert!(
        seen[0].contains(&format!(
            r#""number":"{}","exp_month":12,"exp_year":{year}"#,
            PANS[0]
        )),
        "{}",
        seen[0]
    );
    // A CVC asked of an imported token: there is none.
    let (status, json) = request_typed(
        server.addr,
        "POST",
        "/v1/forward",
        Some(sk),
        "application/json",
        Some(&forward_body(&first[0], "processor", true)),
    )
    .unwrap();
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (409, Some("cvc_unavailable")),
        "{json}"
    );
    drop(server);

    // 5. No card number in the store, the server's debug log or any mapping.
    for (what, bytes) in storage.everything() {
        assert_no_card_number(&what, &bytes);
    }
    for path in [&log, &out_path, &again, &jsonl_mapping] {
        assert_no_card_number(&path.display().to_string(), &std::fs::read(path).unwrap());
    }
}

#[test]
fn import_walk_through_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    import_walk_through(&storage, dir.path());
}

/// The same on PostgreSQL (`cargo xtask pg -- cargo test -p cardvault-server --test import`).
#[test]
fn import_walk_through_on_postgres() {
    let Some(db) = Database::create("cv_import") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: Some(db.url.clone()),
    };
    std::fs::create_dir(&storage.data).unwrap();
    import_walk_through(&storage, dir.path());
}

/// Files that cannot be imported: each refused whole with a message that says why, no mapping
/// written, nothing stored (the audit chain as long as before).
#[test]
fn a_file_that_cannot_be_imported_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    let merchant = create_merchant_on(&storage);
    let id = merchant["id"].as_str().unwrap();
    let year = exp_year();
    // Enough records that a cut file still holds whole records before its cut.
    let mut csv = String::from("id,number,exp_month,exp_year\n");
    for i in 0..3000 {
        csv.push_str(&format!("c{i},{},12,{year}\n", PANS[i % 4]));
    }
    let good = dir.path().join("good.csv.gpg");
    encrypt(&csv, RECIPIENT, false, &good);
    let bytes = std::fs::read(&good).unwrap();

    let wrong_recipient = dir.path().join("other.csv.gpg");
    encrypt(&csv, OTHER, false, &wrong_recipient);
    let truncated = dir.path().join("truncated.csv.gpg");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let corrupt = dir.path().join("corrupt.csv.gpg");
    let mut flipped = bytes.clone();
    let at = flipped.len() * 3 / 4;
    flipped[at] ^= 0x40;
    std::fs::write(&corrupt, &flipped).unwrap();
    let cvc = dir.path().join("cvc.csv.gpg");
    encrypt(
        &format!(
            "id,number,exp_month,exp_year,cvv2\nc1,{},12,{year},123\n",
            PANS[0]
        ),
        RECIPIENT,
        false,
        &cvc,
    );
    let clear = dir.path().join("clear.csv");
    std::fs::write(&clear, &csv).unwrap();

    open_once(&storage, dir.path());
    let before = audit_entries(&storage);
    let mapping_path = dir.path().join("mapping.csv");
    let cases: [(&str, &Path, Vec<String>, &str); 6] = [
        (
            "wrong key",
            &wrong_recipient,
            vec![],
            "not encrypted to this key",
        ),
        (
            "the other key, no passphrase",
            &good,
            vec!["--pgp-key".into(), gpg().other_key.display().to_string()],
            "not encrypted to this key",
        ),
        ("truncated", &truncated, vec![], "truncated"),
        ("corrupt", &corrupt, vec![], "corrupt"),
        ("a CVC column", &cvc, vec![], "a CVC is never imported"),
        ("clear with a key", &clear, vec![], "not an OpenPGP message"),
    ];
    for (case, file, extra, message) in cases {
        let mut args = vec![
            "import".to_owned(),
            "--merchant".to_owned(),
            id.to_owned(),
            file.display().to_string(),
            "--out".to_owned(),
            mapping_path.display().to_string(),
        ];
        if extra.is_empty() {
            args.extend([
                "--pgp-key".to_owned(),
                gpg().key.display().to_string(),
                "--pgp-passphrase-file".to_owned(),
                gpg().passphrase.display().to_string(),
            ]);
        } else {
            args.extend(extra);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = storage.cli(&args);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{case}: {said}");
        assert!(said.contains(message), "{case}: {said}");
        assert_no_card_number(case, said.as_bytes());
        assert!(!mapping_path.exists(), "{case}: a mapping was written");
        assert_eq!(
            audit_entries(&storage),
            before,
            "{case}: something was stored"
        );
    }

    // A mapping that would overwrite the store, the file itself or a folder: refused first.
    for (out, why) in [
        (storage.data.join("cardvault.db"), "in the data dir"),
        (good.clone(), "the file being imported"),
        (dir.path().to_owned(), "not a regular file"),
    ] {
        let out = import(&storage, id, &good, &out, &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out).contains(why), "{}", text(&out));
    }
    assert_eq!(audit_entries(&storage), before);
    // No card number in what a header-less file or a CVC member's name makes the vault say.
    let headless = dir.path().join("headless.csv");
    std::fs::write(&headless, format!("c1,{},12,{year},Ada\n", PANS[0])).unwrap();
    let cvc_member = dir.path().join("member.jsonl");
    std::fs::write(
        &cvc_member,
        format!("{{\"id\":\"a\",\"card {} cvc\":\"1\"}}\n", PANS[1]),
    )
    .unwrap();
    for file in [&headless, &cvc_member] {
        let out = storage.cli(&[
            "import",
            "--merchant",
            id,
            file.to_str().unwrap(),
            "--out",
            mapping_path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert_no_card_number("a refusal's message", text(&out).as_bytes());
    }
    // A CVC column under any usual name, or named as the name's column, is refused.
    for (header, extra) in [
        ("id,number,exp_month,exp_year,cvv_code", ""),
        ("id,number,exp_month,exp_year,ccv", ""),
        ("id,number,exp_month,exp_year,cvc_number", "name=cvc_number"),
    ] {
        let file = dir.path().join("cvc-names.csv");
        std::fs::write(&file, format!("{header}\nc1,{},12,{year},123\n", PANS[0])).unwrap();
        let mut args = vec![
            "import",
            "--merchant",
            id,
            file.to_str().unwrap(),
            "--out",
            mapping_path.to_str().unwrap(),
        ];
        if !extra.is_empty() {
            args.extend(["--column", extra]);
        }
        let out = storage.cli(&args);
        assert!(
            text(&out).contains("a CVC is never imported"),
            "{header}: {}",
            text(&out)
        );
    }
    assert_eq!(audit_entries(&storage), before);

    // A wrong passphrase is told apart from a wrong file.
    let wrong = dir.path().join("wrong-passphrase");
    std::fs::write(&wrong, "not it\n").unwrap();
    let out = storage.cli(&[
        "import",
        "--merchant",
        id,
        good.to_str().unwrap(),
        "--out",
        mapping_path.to_str().unwrap(),
        "--pgp-key",
        gpg().key.to_str().unwrap(),
        "--pgp-passphrase-file",
        wrong.to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("the passphrase does not unlock"),
        "{}",
        text(&out)
    );
    assert_eq!(audit_entries(&storage), before);

    // A file for the Curve25519 key (no passphrase) imports with that key.
    let curve = dir.path().join("curve.jsonl.gpg");
    encrypt(
        &format!(
            "{{\"id\":\"x1\",\"number\":\"{}\",\"exp_month\":1,\"exp_year\":{year}}}\n",
            PANS[1]
        ),
        OTHER,
        false,
        &curve,
    );
    let curve_mapping = dir.path().join("curve.csv");
    let out = storage.cli(&[
        "import",
        "--merchant",
        id,
        curve.to_str().unwrap(),
        "--out",
        curve_mapping.to_str().unwrap(),
        "--pgp-key",
        gpg().other_key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(mapping(&curve_mapping)[0].1[2..4], ["mastercard", "4444"]);

    // The good file imports whole after all that.
    let out = import(&storage, id, &good, &mapping_path, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(mapping(&mapping_path).len(), 3000);
    for (what, bytes) in storage.everything() {
        assert_no_card_number(&what, &bytes);
    }
}

/// `n` distinct Luhn-valid Visa numbers (none of [`PANS`]).
fn numbers(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let body = format!("41111{i:010}");
            let sum: u32 = body
                .bytes()
                .rev()
                .enumerate()
                .map(|(at, b)| {
                    let d = u32::from(b - b'0');
                    if at % 2 == 0 {
                        let d = d * 2;
                        if d > 9 { d - 9 } else { d }
                    } else {
                        d
                    }
                })
                .sum();
            format!("{body}{}", (10 - sum % 10) % 10)
        })
        .collect()
}

/// An import killed with SIGKILL part-way, then run again: the second run stores what the
/// first did not and answers the first's tokens for the rest, so no card is stored twice.
#[test]
fn a_killed_import_is_finished_by_running_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage {
        data: dir.path().join("data"),
        database_url: None,
    };
    let merchant = create_merchant_on(&storage);
    let id = merchant["id"].as_str().unwrap();
    let year = exp_year();
    const N: usize = 20_000;
    let mut csv = String::from("id,number,exp_month,exp_year\n");
    for (i, number) in numbers(N).iter().enumerate() {
        csv.push_str(&format!("k{i},{number},12,{year}\n"));
    }
    let file = dir.path().join("many.csv.gpg");
    encrypt(&csv, RECIPIENT, false, &file);
    let mapping_path = dir.path().join("mapping.csv");
    let part = dir.path().join("mapping.csv.part");

    let mut child = Command::new(BIN)
        .args(["import", "--merchant", id])
        .arg(&file)
        .arg("--out")
        .arg(&mapping_path)
        .arg("--pgp-key")
        .arg(&gpg().key)
        .arg("--pgp-passphrase-file")
        .arg(&gpg().passphrase)
        .args(storage.args())
        .env("CARDVAULT_MASTER_KEY", MASTER)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The mapping's lines are written once their batch is committed: the first that reaches
    // the file means at least one batch is stored.
    assert!(
        eventually(60, || std::fs::metadata(&part).is_ok_and(|m| m.len() > 0)),
        "the import stored nothing in time"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "killed part-way, not finished"
    );
    assert!(!mapping_path.exists(), "a killed run leaves no mapping");

    let out = import(&storage, id, &file, &mapping_path, &[]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    let summary = said
        .lines()
        .find(|l| l.starts_with(&format!("{N} record(s): ")))
        .unwrap_or_else(|| panic!("{said}"));
    let counts: Vec<u64> = summary
        .split([':', ','])
        .skip(1)
        .map(|part| part.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    let [stored, known, refused] = counts[..] else {
        panic!("{summary}")
    };
    assert!(
        known >= 500,
        "the killed run's batches are known: {summary}"
    );
    assert_eq!((stored + known, refused), (N as u64, 0), "{summary}");
    let rows = mapping(&mapping_path);
    assert_eq!(rows.len(), N);
    let tokens: std::collections::HashSet<&str> = rows.iter().map(|(_, r)| r[0].as_str()).collect();
    assert_eq!(tokens.len(), N, "one token per record");
}
