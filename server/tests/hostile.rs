//! The built `cardvault` binary under hostile requests: card numbers in every field of a request
//! reach neither the database (nor its WAL) nor `/metrics` nor the log, and a flood of refused
//! requests neither grows the audit log one entry per request nor stops real tokenizations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cardvault::envelope::SealingKey;

use support::*;

/// Luhn-valid numbers the attacker writes into requests; none may be stored, counted or logged.
const HOSTILE: &[&str] = &[
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "4000056655665556",
];

/// The number tokenized for real (stored encrypted only).
const PAN: &str = "4242424242424242";

/// A request of `method` to `target` with `headers` (each a whole line) and `body`.
fn request(method: &str, target: &str, headers: &[String], body: &str) -> String {
    let mut text =
        format!("{method} {target} HTTP/1.1\r\nHost: vault.test\r\nConnection: close\r\n");
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text
}

fn bearer(key: &str) -> String {
    format!("Authorization: Bearer {key}")
}

fn tokenize(addr: SocketAddr, key: &SealingKey, pk: &str) -> Answer {
    let envelope = seal(key, PAN, pk);
    exchange(
        addr,
        &request(
            "POST",
            "/v1/tokens",
            &[bearer(pk), "Content-Type: application/jose".into()],
            &envelope,
        ),
    )
    .unwrap()
}

fn assert_no_hostile_number(what: &str, bytes: &[u8]) {
    for pan in HOSTILE {
        let found = bytes.windows(pan.len()).any(|w| w == pan.as_bytes());
        assert!(!found, "{pan} is in {what}");
    }
}

/// Each hostile request: a card number in one field after another, with no key, the
/// publishable key and the secret key.
fn hostile_requests(pan: &str, pk: &str, sk: &str) -> Vec<String> {
    let token_shaped = format!("tok_{pan:0<32}");
    let json_type = "Content-Type: application/json".to_owned();
    let jose = "Content-Type: application/jose".to_owned();
    let forward = serde_json::json!({
        "token": token_shaped,
        "receiver": pan,
        "method": "POST",
        "path": format!("/{pan}"),
        "headers": { format!("x-{pan}"): pan },
        "body": pan,
    })
    .to_string();
    let everywhere = vec![
        format!("X-Request-Id: {pan}"),
        format!("User-Agent: {pan}"),
        format!("Referer: https://{pan}.example/{pan}"),
        format!("X-Card: {pan}"),
        format!("X-{pan}: {pan}"),
        format!("Cookie: card={pan}"),
        format!("Origin: https://{pan}.example"),
    ];
    let mut out = Vec::new();
    for key in [None, Some(pk), Some(sk)] {
        let mut headers = everywhere.clone();
        if let Some(key) = key {
            headers.push(bearer(key));
        }
        let with = |extra: &str| {
            let mut h = headers.clone();
            h.push(extra.to_owned());
            h
        };
        out.push(request("GET", &format!("/v1/tokens/{pan}"), &headers, ""));
        out.push(request(
            "DELETE",
            &format!("/v1/tokens/{pan}"),
            &headers,
            "",
        ));
        out.push(request(
            "GET",
            &format!("/v1/tokens/{token_shaped}"),
            &headers,
            "",
        ));
        out.push(request(
            "DELETE",
            &format!("/v1/tokens/{token_shaped}"),
            &headers,
            "",
        ));
        out.push(request(pan, "/v1/tokens", &with(&jose), pan));
        out.push(request(pan, &format!("/{pan}"), &headers, ""));
        out.push(request(
            "POST",
            &format!("/v1/tokens?{pan}={pan}"),
            &with(&jose),
            pan,
        ));
        out.push(request(
            "POST",
            "/v1/tokens",
            &with(&format!("Content-Type: {pan}")),
            pan,
        ));
        out.push(request("POST", &format!("/{pan}?{pan}"), &headers, pan));
        out.push(request("GET", &format!("/v1/{pan}/tokens"), &headers, ""));
        out.push(request("POST", "/v1/forward", &with(&json_type), &forward));
        out.push(request(
            "POST",
            &format!("/v1/forward?{pan}"),
            &with(&json_type),
            pan,
        ));
        out.push(request(
            "GET",
            &format!("/v1/field?key={pan}&origin=https://{pan}.example"),
            &headers,
            "",
        ));
        out.push(request("GET", &format!("/v1/field/{pan}"), &headers, ""));
        out.push(request("GET", &format!("/metrics?{pan}"), &headers, ""));
    }
    for credentials in [
        format!("Bearer {pan}"),
        format!("Bearer pk_{pan}"),
        format!("Bearer sk_{pan}"),
        pan.to_string(),
        format!("Bearer {pk} {pan}"),
    ] {
        out.push(request(
            "POST",
            "/v1/tokens",
            &[format!("Authorization: {credentials}"), jose.clone()],
            pan,
        ));
    }
    out.push(request(
        "POST",
        "/v1/tokens",
        &[bearer(pk), format!("Authorization: Bearer {pan}"), jose],
        pan,
    ));
    out
}

#[test]
fn card_numbers_in_every_request_field_reach_no_stored_byte_metric_or_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("serve.log");
    let (pk, sk) = create_merchant(&data);
    let metrics = free_port();
    let server = Server::start_with(&data, &log, &["--metrics-listen", &metrics.to_string()]);
    let addr = server.addr;
    let key = sealing_keys(addr).remove(0);

    // Successes too, with a hostile request id: the entries they write carry the vault's.
    let made = tokenize(addr, &key, &pk);
    assert_eq!(made.status, 201, "{}", made.body);
    let token = made.body["token"].as_str().unwrap().to_owned();
    let read = exchange(
        addr,
        &request(
            "GET",
            &format!("/v1/tokens/{token}?{}", HOSTILE[0]),
            &[bearer(&sk), format!("X-Request-Id: {}", HOSTILE[0])],
            "",
        ),
    )
    .unwrap();
    assert_eq!(read.status, 200, "{}", read.body);

    let mut sent = 0;
    for pan in HOSTILE {
        for req in hostile_requests(pan, &pk, &sk) {
            let answer = exchange(addr, &req).unwrap_or_else(|| panic!("no answer to {req}"));
            assert_ne!(answer.status, 201, "{req}");
            assert_no_hostile_number(&format!("the answer to {req:?}"), answer.head.as_bytes());
            let id = answer
                .head
                .lines()
                .find_map(|l| l.strip_prefix("x-request-id: "))
                .unwrap_or_else(|| panic!("no request id in {}", answer.head));
            assert!(id.starts_with("req_") && id.len() == 20, "{id}");
            sent += 1;
        }
    }
    assert!(sent > 250, "{sent}");

    // `/metrics`, where the operator serves it.
    let exposition = raw_body(metrics, "/metrics");
    assert!(exposition.contains("method=\"other\""), "{exposition}");
    assert!(exposition.contains("route=\"unmatched\""), "{exposition}");
    assert_no_hostile_number("/metrics", exposition.as_bytes());

    // While it runs, the WAL holds the latest writes; after a graceful stop, the database.
    for (path, bytes) in files_under(&data) {
        assert_no_hostile_number(&path.display().to_string(), &bytes);
    }
    server.terminate();
    for (path, bytes) in files_under(&data) {
        assert_no_hostile_number(&path.display().to_string(), &bytes);
    }
    assert_no_hostile_number("the server log", &std::fs::read(&log).unwrap());

    // And the refusals are audited all the same: one operation after another refused.
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    let refused: i64 = db
        .query_row(
            "SELECT count(*) FROM audit WHERE outcome <> 'ok'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(refused > 0);
    let out = cli(&data, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The body of a GET of `path`, as text.
fn raw_body(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    }
}

/// The audit entries of refusals: written one by one, and the counts of those held.
fn refusals_audited(db: &rusqlite::Connection, outcome: &str) -> (i64, i64) {
    let single: i64 = db
        .query_row(
            "SELECT count(*) FROM audit WHERE outcome = ?1 AND (detail IS NULL OR detail NOT LIKE 'count=%')",
            [outcome],
            |row| row.get(0),
        )
        .unwrap();
    let mut stmt = db
        .prepare("SELECT detail FROM audit WHERE outcome = ?1 AND detail LIKE 'count=%'")
        .unwrap();
    let held: i64 = stmt
        .query_map([outcome], |row| row.get::<_, String>(0))
        .unwrap()
        .map(|d| {
            let d = d.unwrap();
            d["count=".len()..]
                .split(' ')
                .next()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    (single, held)
}

#[test]
fn tokenizations_keep_succeeding_through_a_flood_of_unauthenticated_requests() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("serve.log");
    let (pk, _) = create_merchant(&data);
    let server = Server::start_with(&data, &log, &["--sweep-every", "1"]);
    let addr = server.addr;
    let key = sealing_keys(addr).remove(0);

    let stop = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicU64::new(0));
    // Requests that got no answer: the vault may or may not have seen them.
    let unanswered = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..6)
        .map(|_| {
            let (stop, refused) = (Arc::clone(&stop), Arc::clone(&refused));
            let unanswered = Arc::clone(&unanswered);
            std::thread::spawn(move || {
                let garbage = request(
                    "POST",
                    "/v1/tokens",
                    &["Content-Type: application/jose".into()],
                    "garbage",
                );
                while !stop.load(Ordering::Relaxed) {
                    match exchange(addr, &garbage) {
                        Some(answer) => {
                            assert_eq!(answer.status, 401);
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                        None => {
                            unanswered.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    // Until the flood is well under way, then through it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while refused.load(Ordering::Relaxed) < 500 {
        assert!(Instant::now() < deadline, "the flood did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..30 {
        let answer = tokenize(addr, &key, &pk);
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    stop.store(true, Ordering::Relaxed);
    for f in flooders {
        f.join().unwrap();
    }
    let sent = i64::try_from(refused.load(Ordering::Relaxed)).unwrap();
    let unanswered = i64::try_from(unanswered.load(Ordering::Relaxed)).unwrap();

    // Every refusal is in the log, most of them counted rather than written one by one; the
    // counts held at the end are written at the next housekeeping tick.
    let db = rusqlite::Connection::open(data.join("cardvault.db")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (single, held) = refusals_audited(&db, "unauthorized");
        if single + held >= sent {
            assert!(
                single + held <= sent + unanswered,
                "{single} + {held} of {sent}"
            );
            assert!(single < sent / 2, "{single} of {sent} written one by one");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{single} + {held} refusals audited of {sent}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server.terminate();
    let out = cli(&data, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
