//! End to end, a vault cluster (issue 23): two `cardvault serve` instances on one PostgreSQL
//! database, behind a real nginx on loopback (which sets `X-Forwarded-For`; the instances run
//! with `--trusted-proxy 127.0.0.1/32`), the real CLI on the same database, and headless
//! Chromium for the shopper.
//!
//! Each test makes a database of its own on the suite's PostgreSQL (`CARDVAULT_TEST_DATABASE_URL`;
//! the restart test runs a PostgreSQL of its own), and ends with `cardvault audit verify` on it.
//! The tests run one at a time: several clusters at once on a small machine would turn the
//! timings they check (fail fast, propagation within seconds, rate limits) into a measure of
//! the machine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::{Barrier, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use cardvault_e2e::cluster::{
    CVC, Database, Instance, Load, Merchant, Nginx, PrivatePostgres, Receiver,
    assert_audit_verifies, cli_ok, count_lost, error_code, forward, jwks_kids, seal, sealing_keys,
    token_request, tokenize, tokenize_as, wait_for_requests, within,
};
use cardvault_e2e::{Browser, PageServer, START_TIMEOUT, TOKENIZE_TIMEOUT, VISA, http};

/// How long a change made through the CLI may take to reach every running instance.
const PROPAGATION: Duration = Duration::from_secs(10);

/// No rate limit on the merchant's keys: the load tests tokenize as fast as they can.
const NO_KEY_LIMIT: &[&str] = &["--rate-limit-key", "0"];

static SERIAL: Mutex<()> = Mutex::new(());

/// One test at a time (a failed one does not stop the next).
fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits until every instance knows `merchant` (its secret key is no longer `401`); returns
/// how long that took.
fn wait_known(instances: &[&Instance], merchant: &Merchant) -> Duration {
    let started = Instant::now();
    for instance in instances {
        let known = within(PROPAGATION, || {
            token_request(
                instance.addr,
                "GET",
                "tok_0000000000000000",
                &merchant.secret_key,
            )
            .is_some_and(|r| r.status != 401)
        });
        assert!(
            known.is_some(),
            "instance {} does not know the new merchant after {PROPAGATION:?}",
            instance.name
        );
    }
    started.elapsed()
}

/// A merchant with the receiver `acme` at `receiver`, made through the CLI while the instances
/// run, and waited for on each.
fn merchant_with_receiver(db: &Database, instances: &[&Instance], receiver: &Receiver) -> Merchant {
    let merchant = Merchant::create(&db.url, "Cluster shop", "https://shop.example");
    merchant.add_receiver(&db.url, "acme", &receiver.url);
    let took = wait_known(instances, &merchant);
    println!("a new merchant reached every instance in {took:?}");
    merchant
}

/// Tokenizes a fresh envelope on `addr` with the secret key; the token.
fn token_on(addr: SocketAddr, merchant: &Merchant) -> String {
    let keys = sealing_keys(addr);
    let envelope = seal(&keys[0].1, VISA, &merchant.publishable_key);
    let created = tokenize(addr, &merchant.secret_key, None, &envelope).expect("an answer");
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["token"].as_str().unwrap().to_owned()
}

/// How many bodies the receiver got with the card's CVC in them.
fn cvcs_received(receiver: &Receiver) -> usize {
    let sent = format!("\"cvc\":\"{CVC}\"");
    receiver
        .bodies()
        .iter()
        .filter(|body| body.contains(&sent))
        .count()
}

/// The demo page of a merchant at `origin`'s shop: the vault's loader from `vault` (nginx), a
/// field, and `pay()`, which tokenizes and leaves the outcome in `window.result`.
fn shop_page(vault: &str, publishable_key: &str) -> String {
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Cluster shop</title></head>
<body>
<div id="card"></div>
<script src="{vault}/v1/cardvault.js"></script>
<script>
window.result = null;
window.ready = false;
var card = CardVault.mount('#card', {{ publishableKey: '{publishable_key}' }});
card.on('ready', function () {{ window.ready = true; }});
function pay() {{
  card.tokenize().then(
    function (r) {{ window.result = {{ ok: r }}; }},
    function (e) {{ window.result = {{ error: {{ code: e.code, message: e.message }} }}; }});
}}
</script>
</body></html>"#
    )
}

#[test]
fn a_shopper_tokenizes_through_nginx_and_the_merchant_forwards_through_either_instance() {
    let _serial = serial();
    let db = Database::create();
    let a = Instance::start("A", &db.url, NO_KEY_LIMIT);
    let b = Instance::start("B", &db.url, NO_KEY_LIMIT);
    let nginx = Nginx::start(&[a.addr, b.addr]);
    let receiver = Receiver::start();
    let vault = nginx.origin();
    let mut made = None;
    // The shop's origin is known once its server listens: the merchant is made then, while
    // the instances run.
    let shop = PageServer::start(|origin| {
        let merchant = Merchant::create(&db.url, "Cluster shop", origin);
        let page = shop_page(&vault, &merchant.publishable_key);
        made = Some(merchant);
        page
    });
    let merchant = made.unwrap();
    merchant.add_receiver(&db.url, "acme", &receiver.url);
    let took = wait_known(&[&a, &b], &merchant);
    println!("a new merchant reached both instances in {took:?}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(async {
        let browser = Browser::start().await;
        browser
            .client
            .goto(&format!("{}/", shop.origin))
            .await
            .expect("open the shop");
        browser
            .wait_for_js(START_TIMEOUT, "the field's ready", "window.ready")
            .await;
        browser.fill_card("#card iframe", VISA).await;
        browser.js("pay();", vec![]).await;
        let result = browser
            .wait_for_js(
                TOKENIZE_TIMEOUT,
                "the tokenization's outcome",
                "window.result",
            )
            .await;
        browser.close().await;
        result
    });
    let token = result["ok"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("the shopper got no token through nginx: {result}"))
        .to_owned();
    assert!(token.starts_with("tok_"), "{result}");
    assert_eq!(result["ok"]["card"]["last4"], "4242", "{result}");

    // The merchant's server, with its secret key, on each instance directly: whichever of the
    // two nginx sent the shopper to, the other one forwards too.
    for instance in [&a, &b] {
        let read = token_request(instance.addr, "GET", &token, &merchant.secret_key).unwrap();
        assert_eq!(read.status, 200, "{}: {}", instance.name, read.body);
        assert_eq!(read.json()["card"]["last4"], "4242", "{}", read.body);
    }
    let forwarded = forward(b.addr, &merchant.secret_key, &token, "acme", true).unwrap();
    assert_eq!(forwarded.status, 200, "{}", forwarded.body);
    assert_eq!(forwarded.json()["status"], 200, "{}", forwarded.body);
    let forwarded = forward(a.addr, &merchant.secret_key, &token, "acme", false).unwrap();
    assert_eq!(forwarded.status, 200, "{}", forwarded.body);
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(
        bodies.iter().all(|b| b.contains(VISA)),
        "the receiver did not get the number"
    );
    assert_eq!(cvcs_received(&receiver), 1, "the CVC went out once");
    assert_audit_verifies(&db.url);
}

#[test]
fn tokens_replays_and_the_cvc_are_one_across_instances() {
    let _serial = serial();
    let db = Database::create();
    let a = Instance::start("A", &db.url, NO_KEY_LIMIT);
    let b = Instance::start("B", &db.url, NO_KEY_LIMIT);
    let receiver = Receiver::start();
    let merchant = merchant_with_receiver(&db, &[&a, &b], &receiver);
    let sk = &merchant.secret_key;

    // Made on A: read, forwarded and deleted on B; gone on A.
    let token = token_on(a.addr, &merchant);
    let read = token_request(b.addr, "GET", &token, sk).unwrap();
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["card"]["last4"], "4242", "{}", read.body);
    let forwarded = forward(b.addr, sk, &token, "acme", true).unwrap();
    assert_eq!(forwarded.status, 200, "{}", forwarded.body);
    assert_eq!(cvcs_received(&receiver), 1);
    let deleted = token_request(b.addr, "DELETE", &token, sk).unwrap();
    assert!(
        (200..300).contains(&deleted.status),
        "DELETE on B: {} {}",
        deleted.status,
        deleted.body
    );
    let gone = token_request(a.addr, "GET", &token, sk).unwrap();
    assert_eq!(gone.status, 404, "{}", gone.body);
    let gone = forward(a.addr, sk, &token, "acme", false).unwrap();
    assert_eq!(gone.status, 404, "{}", gone.body);

    // Replays: accepted by one, refused by the other right after, both ways.
    let keys = sealing_keys(a.addr);
    for (first, second) in [(&a, &b), (&b, &a)] {
        let envelope = seal(&keys[0].1, VISA, &merchant.publishable_key);
        let created = tokenize(first.addr, sk, None, &envelope).unwrap();
        assert_eq!(created.status, 201, "{}", created.body);
        let again = tokenize(second.addr, sk, None, &envelope).unwrap();
        assert_eq!(
            (again.status, error_code(&again).as_str()),
            (409, "replayed_envelope"),
            "{} after {}: {}",
            second.name,
            first.name,
            again.body
        );
    }
    // And racing: one envelope sent to both at once is accepted once.
    for round in 0..10 {
        let envelope = seal(&keys[0].1, VISA, &merchant.publishable_key);
        let barrier = Barrier::new(2);
        let statuses: Vec<(u16, String)> = std::thread::scope(|scope| {
            let racers: Vec<_> = [a.addr, b.addr]
                .into_iter()
                .map(|addr| {
                    let (barrier, envelope) = (&barrier, &envelope);
                    scope.spawn(move || {
                        barrier.wait();
                        let r = tokenize(addr, sk, None, envelope).unwrap();
                        (r.status, error_code(&r))
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let accepted = statuses.iter().filter(|(s, _)| *s == 201).count();
        let replayed = statuses
            .iter()
            .filter(|(s, c)| *s == 409 && c == "replayed_envelope")
            .count();
        assert_eq!(
            (accepted, replayed),
            (1, 1),
            "round {round}: one envelope on both instances at once: {statuses:?}"
        );
    }

    // The CVC: two forwards of one token racing on A and B, exactly one gets it.
    for round in 0..8 {
        let token = token_on(if round % 2 == 0 { a.addr } else { b.addr }, &merchant);
        let before = cvcs_received(&receiver);
        let barrier = Barrier::new(2);
        let outcomes: Vec<(u16, String)> = std::thread::scope(|scope| {
            let racers: Vec<_> = [a.addr, b.addr]
                .into_iter()
                .map(|addr| {
                    let (barrier, token) = (&barrier, &token);
                    scope.spawn(move || {
                        barrier.wait();
                        let r = forward(addr, sk, token, "acme", true).unwrap();
                        (r.status, error_code(&r))
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let got = outcomes.iter().filter(|(s, _)| *s == 200).count();
        let refused = outcomes
            .iter()
            .filter(|(s, c)| *s == 409 && c == "cvc_unavailable")
            .count();
        assert_eq!(
            (got, refused),
            (1, 1),
            "round {round}: two forwards with the CVC on A and B: {outcomes:?}"
        );
        assert_eq!(
            cvcs_received(&receiver) - before,
            1,
            "round {round}: the CVC reached the receiver more than once"
        );
    }
    assert_audit_verifies(&db.url);
}

/// How many of `attempts` tokenizations alternating between `targets` were accepted, and how
/// long the run took; every refusal must be `429 rate_limited`.
fn alternate(
    targets: &[&Instance],
    attempts: usize,
    mut attempt: impl FnMut(SocketAddr) -> cardvault_e2e::Response,
) -> (usize, Duration) {
    let started = Instant::now();
    let mut accepted = 0;
    for i in 0..attempts {
        let instance = targets[i % targets.len()];
        let answer = attempt(instance.addr);
        match answer.status {
            201 => accepted += 1,
            429 => assert_eq!(error_code(&answer), "rate_limited", "{}", answer.body),
            other => panic!("{}: unexpected {other}: {}", instance.name, answer.body),
        }
    }
    (accepted, started.elapsed())
}

/// The most a token bucket of `per_minute` with `burst` lets through in `elapsed`, plus one
/// for a refill landing at the edge.
fn allowance(per_minute: u32, burst: u32, elapsed: Duration) -> usize {
    let refilled = elapsed.as_secs_f64() * f64::from(per_minute) / 60.0;
    burst as usize + refilled.floor() as usize + 1
}

#[test]
fn rate_limits_hold_for_the_cluster() {
    let _serial = serial();
    // The vault's bursts: a tenth of a minute's allowance, at least 5 (vault/allowance.rs).
    const PER_CLIENT: u32 = 20;
    const CLIENT_BURST: u32 = 5;
    const PER_KEY: u32 = 120;
    const KEY_BURST: u32 = 12;
    let limits = [
        "--rate-limit-client",
        &PER_CLIENT.to_string(),
        "--rate-limit-key",
        &PER_KEY.to_string(),
    ]
    .map(str::to_owned);
    let limits: Vec<&str> = limits.iter().map(String::as_str).collect();
    let db = Database::create();
    let a = Instance::start("A", &db.url, &limits);
    let b = Instance::start("B", &db.url, &limits);
    let receiver = Receiver::start();
    let merchant = merchant_with_receiver(&db, &[&a, &b], &receiver);
    let keys = sealing_keys(a.addr);
    let pk = merchant.publishable_key.clone();
    let origin = merchant.origin.clone();

    // One client (by its forwarded address) alternating between A and B with the publishable
    // key: the per-client allowance binds first (the key's burst is larger).
    let attempts = 30;
    let (accepted, elapsed) = alternate(&[&a, &b], attempts, |addr| {
        let envelope = seal(&keys[0].1, VISA, &pk);
        tokenize_as(addr, &pk, Some(&origin), Some("198.51.100.7"), &envelope).unwrap()
    });
    let most = allowance(PER_CLIENT, CLIENT_BURST, elapsed);
    println!(
        "rate limit per client: {accepted} of {attempts} accepted alternating A/B in {elapsed:?} \
         (allowance {most})"
    );
    assert!(
        (1..=most).contains(&accepted),
        "one client alternating between two instances got {accepted} tokenizations in \
         {elapsed:?}; the cluster's allowance is {most}"
    );
    // Another client still has its own.
    let envelope = seal(&keys[0].1, VISA, &pk);
    let other = tokenize_as(b.addr, &pk, Some(&origin), Some("198.51.100.8"), &envelope).unwrap();
    assert_eq!(other.status, 201, "another client: {}", other.body);

    // The secret key's own bucket, alternating: the per-key allowance.
    let attempts = 40;
    let (accepted, elapsed) = alternate(&[&a, &b], attempts, |addr| {
        let envelope = seal(&keys[0].1, VISA, &pk);
        tokenize(addr, &merchant.secret_key, None, &envelope).unwrap()
    });
    let most = allowance(PER_KEY, KEY_BURST, elapsed);
    println!(
        "rate limit per key: {accepted} of {attempts} accepted alternating A/B in {elapsed:?} \
         (allowance {most})"
    );
    assert!(
        (1..=most).contains(&accepted),
        "the secret key alternating between two instances got {accepted} tokenizations in \
         {elapsed:?}; the cluster's allowance is {most}"
    );
    assert_audit_verifies(&db.url);
}

#[test]
fn a_rotated_key_reaches_every_instance_without_a_restart() {
    let _serial = serial();
    let db = Database::create();
    let a = Instance::start("A", &db.url, NO_KEY_LIMIT);
    let b = Instance::start("B", &db.url, NO_KEY_LIMIT);
    let receiver = Receiver::start();
    let merchant = merchant_with_receiver(&db, &[&a, &b], &receiver);
    let before = jwks_kids(a.addr).unwrap();
    assert_eq!(
        jwks_kids(b.addr).unwrap(),
        before,
        "one key set for the cluster"
    );

    // It prints `active transport key KID (2048 bits); …`.
    let said = cli_ok(&db.url, &["keys", "rotate"]);
    let rotated = Instant::now();
    let new_kid = said
        .split("active transport key ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no new kid in what `keys rotate` said: {said}"))
        .to_owned();
    assert!(!before.contains(&new_kid), "{said}");
    for instance in [&a, &b] {
        let seen = within(PROPAGATION, || {
            jwks_kids(instance.addr).is_some_and(|kids| kids.contains(&new_kid))
        });
        assert!(
            seen.is_some(),
            "instance {}'s JWKS has no {new_kid} {PROPAGATION:?} after `keys rotate`",
            instance.name
        );
        println!(
            "keys rotate: {}'s JWKS had the new key after {:?}",
            instance.name,
            rotated.elapsed()
        );
    }
    assert_eq!(
        jwks_kids(a.addr),
        jwks_kids(b.addr),
        "one key set for the cluster"
    );
    // Each instance opens what is sealed to the new key.
    for instance in [&a, &b] {
        let keys = sealing_keys(instance.addr);
        let (_, key) = keys.iter().find(|(kid, _)| *kid == new_kid).unwrap();
        let envelope = seal(key, VISA, &merchant.publishable_key);
        let created = tokenize(instance.addr, &merchant.secret_key, None, &envelope).unwrap();
        assert_eq!(created.status, 201, "{}: {}", instance.name, created.body);
    }
    assert_audit_verifies(&db.url);
}

#[test]
fn an_instance_killed_under_load_loses_no_acknowledged_token() {
    let _serial = serial();
    let db = Database::create();
    let mut a = Instance::start("A", &db.url, NO_KEY_LIMIT);
    let b = Instance::start("B", &db.url, NO_KEY_LIMIT);
    let nginx = Nginx::start(&[a.addr, b.addr]);
    let receiver = Receiver::start();
    let merchant = merchant_with_receiver(&db, &[&a, &b], &receiver);
    let keys = sealing_keys(a.addr);
    const THREADS: usize = 3;
    let load = Load::start(
        &[("A", a.addr), ("nginx", nginx.addr)],
        THREADS,
        keys,
        &merchant.publishable_key,
        &merchant.secret_key,
    );
    wait_for_requests(&load.done, 60, Duration::from_secs(60));
    let killed_at = load.started.elapsed();
    a.kill_9();
    let since_start_at_kill = load.done.load(std::sync::atomic::Ordering::SeqCst);
    // Long enough for nginx to have found A gone and moved on.
    std::thread::sleep(Duration::from_secs(3));
    let outcome = load.finish();

    let by = |target: &str| {
        outcome
            .acknowledged
            .iter()
            .filter(|ack| ack.target == target)
            .count()
    };
    let nginx_after_kill = outcome
        .acknowledged
        .iter()
        .filter(|ack| ack.target == "nginx" && ack.at > killed_at)
        .count();
    let nginx_failed: Vec<_> = outcome
        .failed
        .iter()
        .filter(|(t, ..)| t == "nginx")
        .collect();
    let lost = count_lost(b.addr, &merchant.secret_key, &outcome.acknowledged);
    println!(
        "kill -9 of A after {since_start_at_kill} requests: acknowledged {} by A directly, {} \
         through nginx ({nginx_after_kill} after the kill); {} failed on A (down), {} through \
         nginx (in flight at the kill); acknowledged tokens lost: {lost}",
        by("A"),
        by("nginx"),
        outcome.failed.len() - nginx_failed.len(),
        nginx_failed.len(),
    );
    assert_eq!(
        lost, 0,
        "tokens acknowledged with 201 are not readable on B"
    );
    assert!(by("A") > 0, "A acknowledged nothing before the kill");
    assert!(
        nginx_after_kill > 0,
        "nothing acknowledged through nginx after the kill"
    );
    // nginx sends the next requests to B: only those in flight on A when it died may fail.
    assert!(
        nginx_failed.len() <= THREADS,
        "through nginx {} requests failed after the kill: {nginx_failed:?}",
        nginx_failed.len()
    );
    let served_after = within(Duration::from_secs(5), || {
        let envelope = seal(&sealing_keys(b.addr)[0].1, VISA, &merchant.publishable_key);
        tokenize(nginx.addr, &merchant.secret_key, None, &envelope).is_some_and(|r| r.status == 201)
    });
    assert!(
        served_after.is_some(),
        "nginx does not tokenize through B after the kill"
    );
    assert_audit_verifies(&db.url);
}

#[test]
fn postgres_restarted_under_load_fails_fast_and_the_instances_recover() {
    let _serial = serial();
    let pg = PrivatePostgres::start();
    let db = Database::create_on(&pg.admin_url());
    let mut a = Instance::start("A", &db.url, NO_KEY_LIMIT);
    let mut b = Instance::start("B", &db.url, NO_KEY_LIMIT);
    let receiver = Receiver::start();
    let merchant = merchant_with_receiver(&db, &[&a, &b], &receiver);
    let keys = sealing_keys(a.addr);
    let probe_key = sealing_keys(a.addr).remove(0).1;
    let sk = merchant.secret_key.clone();
    let load = Load::start(
        &[("A", a.addr), ("B", b.addr)],
        2,
        keys,
        &merchant.publishable_key,
        &sk,
    );
    wait_for_requests(&load.done, 40, Duration::from_secs(60));

    let stopping = Instant::now();
    pg.stop_fast();
    println!("pg_ctl stop -m fast took {:?}", stopping.elapsed());
    // While it is down: a prompt 503 `unavailable` with Retry-After, and not ready.
    for instance in [&a, &b] {
        let envelope = seal(&probe_key, VISA, &merchant.publishable_key);
        let sent = Instant::now();
        let answer = tokenize(instance.addr, &sk, None, &envelope).expect("an answer");
        let took = sent.elapsed();
        println!(
            "database down: {} answered {} in {took:?}",
            instance.name, answer.status
        );
        assert_eq!(
            (answer.status, error_code(&answer).as_str()),
            (503, "unavailable"),
            "{}: {}",
            instance.name,
            answer.body
        );
        assert!(
            answer.headers.iter().any(|(n, _)| n == "retry-after"),
            "no Retry-After: {:?}",
            answer.headers
        );
        assert!(
            took < Duration::from_secs(10),
            "{} took {took:?} to refuse",
            instance.name
        );
        let ready = http(instance.addr, "GET", "/readyz", &[], "").expect("an answer");
        assert_eq!(
            ready.status, 503,
            "/readyz of {}: {}",
            instance.name, ready.body
        );
    }
    std::thread::sleep(Duration::from_secs(2));

    let restarting = Instant::now();
    pg.start_again();
    let mut recovery = Vec::new();
    for instance in [&a, &b] {
        let back = within(Duration::from_secs(30), || {
            let envelope = seal(&probe_key, VISA, &merchant.publishable_key);
            tokenize(instance.addr, &sk, None, &envelope).is_some_and(|r| r.status == 201)
        });
        let back = back.unwrap_or_else(|| {
            panic!(
                "{} does not tokenize 30 s after PostgreSQL came back",
                instance.name
            )
        });
        recovery.push(back);
        let ready = http(instance.addr, "GET", "/readyz", &[], "").expect("an answer");
        assert_eq!(
            ready.status, 200,
            "/readyz of {}: {}",
            instance.name, ready.body
        );
    }
    println!(
        "PostgreSQL back: instances tokenizing again {:?} after the start ({recovery:?} each)",
        restarting.elapsed()
    );
    wait_for_requests(&load.done, 40, Duration::from_secs(60));
    let outcome = load.finish();

    assert!(a.is_running() && b.is_running(), "an instance exited");
    let unexpected: Vec<_> = outcome
        .failed
        .iter()
        .filter(|(_, status, code, ..)| !(*status == 503 && code == "unavailable"))
        .collect();
    let slowest = outcome
        .failed
        .iter()
        .map(|(.., took, _)| *took)
        .fold(0.0, f64::max);
    let lost = count_lost(a.addr, &sk, &outcome.acknowledged);
    println!(
        "PostgreSQL restart under load: {} acknowledged, {} refused with 503 (slowest refusal \
         {slowest:.2} s), {} other failures; acknowledged tokens lost: {lost}",
        outcome.acknowledged.len(),
        outcome.failed.len() - unexpected.len(),
        unexpected.len()
    );
    assert!(
        unexpected.is_empty(),
        "failures other than 503 unavailable: {unexpected:?}"
    );
    assert!(
        slowest < 10.0,
        "a refusal took {slowest:.2} s: not failing fast"
    );
    assert_eq!(
        lost, 0,
        "tokens acknowledged with 201 are gone after the restart"
    );
    assert!(!outcome.acknowledged.is_empty());
    assert_audit_verifies(&db.url);
}
