//! End to end, in headless Chromium against the real `cardvault serve --dev --demo` binary:
//! the vault, the demo shop and a foreign page on three loopback origins (issue 4, issue 5),
//! and the shop's charge through the vault to its processor (issue 7).
//!
//! Each test starts its own vault (fresh data dir) and browser, and ends, when it used a card,
//! by stopping the vault and scanning its data dir and log for every card number it typed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cardvault_e2e::{
    Browser, MASTERCARD, PageServer, START_TIMEOUT, TOKENIZE_TIMEOUT, VISA, Vault, base64_decode,
    card_number_forms, encode_uri_component, exp_year, find_card_number,
};
use serde_json::{Value, json};

/// Opens the demo shop and waits for the field's `ready` (the shop enables `#pay` on it).
async fn open_shop(browser: &Browser, vault: &Vault) {
    browser
        .client
        .goto(&format!("{}/", vault.shop))
        .await
        .expect("open the shop");
    browser
        .wait_for_js(
            START_TIMEOUT,
            "the field's ready (#pay enabled)",
            "!document.getElementById('pay').disabled",
        )
        .await;
}

/// Clicks `#pay` and returns the JSON the shop wrote into `#result`.
async fn pay(browser: &Browser) -> Value {
    browser
        .client
        .find(fantoccini::Locator::Css("#pay"))
        .await
        .expect("#pay")
        .click()
        .await
        .expect("click #pay");
    let text = browser
        .wait_for_js(
            TOKENIZE_TIMEOUT,
            "the shop's #result",
            "document.getElementById('result').textContent",
        )
        .await;
    let text = text.as_str().unwrap_or_default();
    serde_json::from_str(text).unwrap_or_else(|e| panic!("#result is not JSON ({e}): {text}"))
}

/// Mounts another field on the shop page with the shop's own publishable key (the demo shop
/// keeps its card object private), into a new `<div id="e2e-NAME">`, as `e2e.cards[NAME]`,
/// and waits for its `ready`.
async fn mount_field(browser: &Browser, name: &str) {
    browser
        .js(
            r#"
            const name = arguments[0];
            const host = document.createElement('div');
            host.id = 'e2e-' + name;
            document.getElementById('card').after(host);
            window.e2e = window.e2e || { cards: {}, ready: {}, outcome: {} };
            const card = CardVault.mount('#' + host.id, {
              publishableKey: document.getElementById('card').dataset.publishableKey,
            });
            card.on('ready', () => { window.e2e.ready[name] = true; });
            window.e2e.cards[name] = card;
            "#,
            vec![json!(name)],
        )
        .await;
    browser
        .wait_for_js(
            START_TIMEOUT,
            &format!("the ready of field {name}"),
            &format!("window.e2e.ready[{}]", json!(name)),
        )
        .await;
}

/// JavaScript that calls `e2e.cards[NAME].METHOD()` and stores `{ok: value}` or
/// `{error: {code, message}}` in `e2e.outcome[NAME]` when it settles.
fn start_call(name: &str, method: &str) -> String {
    let name = json!(name);
    format!(
        "window.e2e.outcome[{name}] = null;
         window.e2e.cards[{name}].{method}().then(
           v => {{ window.e2e.outcome[{name}] = {{ ok: v }}; }},
           e => {{ window.e2e.outcome[{name}] = {{ error: {{ code: e.code, message: e.message }} }}; }});"
    )
}

/// Waits for the outcome of the call [`start_call`] started on field `name`.
async fn call_outcome(browser: &Browser, name: &str) -> Value {
    browser
        .wait_for_js(
            TOKENIZE_TIMEOUT,
            &format!("the outcome of a call on field {name}"),
            &format!("window.e2e.outcome[{}]", json!(name)),
        )
        .await
}

/// The JSON of a base64url segment of a JWE.
fn segment_json(segment: &str) -> Value {
    let bytes = base64_decode(segment).unwrap_or_else(|| panic!("not base64url: {segment}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {segment}"))
}

#[tokio::test]
async fn a_shopper_pays_and_the_merchant_reads_the_token() {
    let mut vault = Vault::start();
    let browser = Browser::start().await;
    open_shop(&browser, &vault).await;
    browser.fill_card("#card iframe", VISA).await;
    let result = pay(&browser).await;

    let token = result["token"].as_str().unwrap_or_default().to_owned();
    assert!(token.starts_with("tok_"), "no token in #result: {result}");
    assert_eq!(result["card"]["brand"], "visa", "{result}");
    assert_eq!(result["card"]["last4"], "4242", "{result}");
    assert_eq!(result["card"]["exp_month"], 12, "{result}");
    assert_eq!(result["card"]["exp_year"], exp_year(), "{result}");
    // The shop shows what it got.
    let status = browser
        .js(
            "return document.getElementById('status').textContent;",
            vec![],
        )
        .await;
    let status = status.as_str().unwrap_or_default();
    assert!(
        status.contains("4242") && status.contains(&token),
        "#status: {status}"
    );

    // The shop's server charged the token: vault → forward → the demo processor, whose answer
    // (it echoes the number) reaches the page masked.
    let charge = browser
        .wait_for_js(
            TOKENIZE_TIMEOUT,
            "the shop's #charge",
            "document.getElementById('charge').textContent",
        )
        .await;
    let charge = charge.as_str().unwrap_or_default();
    let charge: Value = serde_json::from_str(charge)
        .unwrap_or_else(|e| panic!("#charge is not JSON ({e}): {charge}"));
    assert_eq!(charge["processor"]["status"], 201, "{charge}");
    let answer = &charge["processor"]["body"];
    assert_eq!(answer["status"], "approved", "{charge}");
    assert_eq!(answer["card"]["number"], "************4242", "{charge}");
    assert_eq!(answer["card"]["exp_year"], exp_year(), "{charge}");
    assert_eq!(
        find_card_number(charge.to_string().as_bytes(), &[VISA]),
        None
    );
    let status = browser
        .js(
            "return document.getElementById('status').textContent;",
            vec![],
        )
        .await;
    assert!(
        status
            .as_str()
            .unwrap_or_default()
            .contains("processor: approved"),
        "#status: {status}"
    );
    // The CVC served that charge: a second one asking for it is refused.
    let again = vault.request(
        "POST",
        "/v1/forward",
        &[
            ("Authorization", &format!("Bearer {}", vault.secret_key)),
            ("Content-Type", "application/json"),
        ],
        &json!({
            "token": token, "receiver": "processor", "method": "POST", "path": "/v1/charges",
            "headers": {"Authorization": "Bearer demo-processor-key"}, "body": "{{card.cvc}}"
        })
        .to_string(),
    );
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.json()["error"]["code"], "cvc_unavailable");

    // The merchant's backend reads the token's metadata with its secret key.
    let read = vault.token_metadata(&token, &vault.secret_key);
    assert_eq!(read.status, 200, "{}", read.body);
    let meta = read.json();
    assert_eq!(meta["bin"], "424242", "{meta}");
    assert_eq!(meta["card"]["brand"], "visa", "{meta}");
    assert_eq!(meta["card"]["last4"], "4242", "{meta}");
    assert!(meta.get("number").is_none(), "{meta}");
    assert_eq!(find_card_number(read.body.as_bytes(), &[VISA]), None);
    // Not with the publishable key the page holds.
    let with_pk = vault.token_metadata(&token, &vault.publishable_key);
    assert_eq!(with_pk.status, 401, "{}", with_pk.body);

    browser.close().await;
    vault.stop_and_assert_no_card_numbers(&[VISA]);
}

/// Records, in the top-level window, every message it receives (installed before any script
/// of the page runs, so the field's `ready` is in it).
const MESSAGE_RECORDER: &str = r#"
if (window === window.top) {
  window.e2eMessages = [];
  window.addEventListener('message', e => {
    let data;
    try { data = JSON.stringify(e.data); } catch (x) { data = String(e.data); }
    window.e2eMessages.push({ origin: e.origin, data: data });
  }, true);
}
"#;

#[tokio::test]
async fn the_shop_cannot_reach_the_card_and_nothing_carries_it() {
    let mut vault = Vault::start();
    let browser = Browser::start().await;
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": MESSAGE_RECORDER }),
        )
        .await;
    open_shop(&browser, &vault).await;
    browser.fill_card("#card iframe", VISA).await;

    // The shop's script cannot read the iframe's document, nor where it is.
    let reach = browser
        .js(
            r#"
            const frame = document.querySelector('#card iframe');
            const attempt = f => { try { f(); return 'allowed'; } catch (e) { return e.name; } };
            return {
              src: frame.src,
              contentDocumentIsNull: frame.contentDocument === null,
              document: attempt(() => frame.contentWindow.document),
              location: attempt(() => frame.contentWindow.location.href),
              inputs: attempt(() => frame.contentWindow.document.querySelectorAll('input')),
              viaFrames: attempt(() => window.frames[0].document.body),
            };
            "#,
            vec![],
        )
        .await;
    assert!(
        reach["src"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{}/v1/field?", vault.origin)),
        "{reach}"
    );
    assert_eq!(reach["contentDocumentIsNull"], true, "{reach}");
    for what in ["document", "location", "inputs", "viaFrames"] {
        assert_eq!(reach[what], "SecurityError", "{what}: {reach}");
    }

    let result = pay(&browser).await;
    assert!(
        result["token"]
            .as_str()
            .unwrap_or_default()
            .starts_with("tok_"),
        "{result}"
    );

    // Every message the shop's window received: none has the number, in any form.
    let messages = browser.js("return window.e2eMessages;", vec![]).await;
    let messages = messages.as_array().expect("the recorder ran");
    let mut forbidden = card_number_forms(&[VISA]);
    forbidden.extend(["4242 4242".to_owned(), "42424242".to_owned()]);
    for message in messages {
        let data = message["data"].as_str().unwrap_or_default();
        for form in &forbidden {
            assert!(
                !data.contains(form.as_str()),
                "{form:?} in a message: {message}"
            );
        }
    }
    // ... and the recording is not empty: it saw the field's ready, changes and the result.
    let from_vault = |kind: &str| {
        messages.iter().any(|m| {
            m["origin"] == json!(vault.origin)
                && m["data"]
                    .as_str()
                    .is_some_and(|d| d.contains(&format!("\"type\":\"{kind}\"")))
        })
    };
    assert!(
        from_vault("ready") && from_vault("change") && from_vault("result"),
        "the recorder missed messages: {messages:?}"
    );

    // Every request the shop and the iframe sent, as Chromium's network log saw it: no URL,
    // header or body holds the number (also not the raw bytes of a body).
    let events = browser.devtools_events().await;
    let mut token_posts = 0;
    let mut requests = 0;
    for event in &events {
        let method = event["method"].as_str().unwrap_or_default();
        if !method.starts_with("Network.") {
            continue;
        }
        let params = event["params"].to_string();
        assert_eq!(
            find_card_number(params.as_bytes(), &[VISA]),
            None,
            "{method}: {params}"
        );
        assert!(!params.contains("4242 4242"), "{method}: {params}");
        if method != "Network.requestWillBeSent" {
            continue;
        }
        requests += 1;
        let request = &event["params"]["request"];
        // The body as Chromium gives it: the raw bytes of its parts, else as text.
        let mut body = Vec::new();
        for entry in request["postDataEntries"].as_array().into_iter().flatten() {
            let bytes = entry["bytes"].as_str().unwrap_or_default();
            body.extend(base64_decode(bytes).unwrap_or_else(|| panic!("not base64: {bytes}")));
        }
        if body.is_empty() {
            body = request["postData"]
                .as_str()
                .unwrap_or_default()
                .as_bytes()
                .to_vec();
        }
        assert_eq!(find_card_number(&body, &[VISA]), None, "{params}");
        if request["method"] == "POST"
            && request["url"] == json!(format!("{}/v1/tokens", vault.origin))
        {
            token_posts += 1;
            let body = String::from_utf8_lossy(&body);
            assert_eq!(
                body.split('.').count(),
                5,
                "the field posted something else than a compact JWE: {body}"
            );
        }
    }
    assert!(requests > 0, "the network log is empty: {events:?}");
    assert!(
        token_posts >= 1,
        "the network log has no POST /v1/tokens: the check proved nothing"
    );

    browser.close().await;
    vault.stop_and_assert_no_card_numbers(&[VISA]);
}

#[tokio::test]
async fn a_page_on_another_origin_cannot_frame_the_field() {
    let mut vault = Vault::start();
    let (shop, pk, vault_origin) = (
        vault.shop.clone(),
        vault.publishable_key.clone(),
        vault.origin.clone(),
    );
    // The foreign page frames the field claiming to be itself, claiming to be the shop, and
    // through the merchant's loader.
    let foreign = PageServer::start(|origin| {
        let field = |claimed: &str| {
            format!(
                "{vault_origin}/v1/field?key={pk}&origin={}",
                encode_uri_component(claimed)
            )
        };
        format!(
            r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Not the merchant</title>
<script>var loaded = {{}};</script></head>
<body>
<iframe id="claims-itself" src="{own}" onload="loaded[this.id] = true"></iframe>
<iframe id="claims-shop" src="{shop_claim}" onload="loaded[this.id] = true"></iframe>
<div id="mounted"></div>
<script src="{vault_origin}/v1/cardvault.js"></script>
<script>
var events = [];
var card = CardVault.mount('#mounted', {{ publishableKey: '{pk}', readyTimeout: 5000 }});
card.on('ready', function () {{ events.push('ready'); }});
card.on('error', function (e) {{ events.push('error:' + e.code); }});
</script>
</body></html>"#,
            own = field(origin),
            shop_claim = field(&shop),
        )
    });
    assert_ne!(foreign.origin, vault.shop);
    assert_ne!(foreign.origin, vault.origin);

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/", foreign.origin))
        .await
        .expect("open the foreign page");
    browser
        .wait_for_js(
            START_TIMEOUT,
            "both iframes' load events",
            "loaded['claims-itself'] && loaded['claims-shop']",
        )
        .await;
    // Through the loader: the field never says ready, and the merchant's page gets an error.
    let events = browser
        .wait_for_js(
            START_TIMEOUT,
            "the loader's event",
            "events.length && events",
        )
        .await;
    assert_eq!(events, json!(["error:ready_timeout"]));

    // What the browser got for each: the vault refuses the foreign origin outright (403);
    // for the shop's origin it answers with a policy that lets only the shop frame it.
    let events = browser.devtools_events().await;
    let response_to = |claimed: &str| {
        let url = format!(
            "{}/v1/field?key={}&origin={}",
            vault.origin,
            vault.publishable_key,
            encode_uri_component(claimed)
        );
        events
            .iter()
            .find(|e| {
                e["method"] == "Network.responseReceived"
                    && e["params"]["response"]["url"] == json!(url)
            })
            .map(|e| e["params"]["response"].clone())
            .unwrap_or_else(|| panic!("no response for {url} in the network log"))
    };
    let itself = response_to(&foreign.origin);
    assert_eq!(itself["status"], 403, "{itself}");
    let claims_shop = response_to(&vault.shop);
    let csp = claims_shop["headers"]
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-security-policy"))
        })
        .and_then(|(_, v)| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let ancestors = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or_else(|| panic!("no frame-ancestors in {csp:?}"));
    assert_eq!(
        ancestors.split_whitespace().collect::<Vec<_>>(),
        vec![vault.shop.as_str()],
        "{csp}"
    );

    // What each frame holds: not the field (no input at all), but the vault's refusal or the
    // browser's error page for a blocked frame.
    for frame in ["#claims-itself", "#claims-shop", "#mounted iframe"] {
        browser.enter_iframe(frame).await;
        let inside = browser
            .js(
                "return { href: location.href, text: document.body ? document.body.innerText : '', \
                 inputs: document.querySelectorAll('input').length };",
                vec![],
            )
            .await;
        browser.leave_iframes().await;
        assert_eq!(inside["inputs"], 0, "{frame} shows inputs: {inside}");
        let href = inside["href"].as_str().unwrap_or_default();
        let text = inside["text"].as_str().unwrap_or_default();
        assert!(
            href.starts_with("chrome-error:") || text.contains("forbidden_origin"),
            "{frame} holds neither a refusal nor a blocked page: {inside}"
        );
    }
    // Chromium says why it blocked the frame that claimed to be the shop.
    let console = browser.log_entries("browser").await;
    assert!(
        console.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("frame-ancestors"))),
        "no frame-ancestors violation in the console: {console:?}"
    );

    // The control: the shop itself does get the field.
    open_shop(&browser, &vault).await;
    browser.enter_iframe("#card iframe").await;
    let number = browser
        .wait_for_js(
            START_TIMEOUT,
            "the card number input in the shop's field",
            "document.querySelector('input[autocomplete=\"cc-number\"]') !== null && location.href",
        )
        .await;
    assert!(
        number
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{}/v1/field?", vault.origin)),
        "{number}"
    );
    browser.close().await;
    vault.stop();
}

#[tokio::test]
async fn the_merchant_backend_relays_an_envelope() {
    let mut vault = Vault::start();
    let browser = Browser::start().await;
    open_shop(&browser, &vault).await;
    mount_field(&browser, "relay").await;
    browser.fill_card("#e2e-relay iframe", MASTERCARD).await;
    browser.js(&start_call("relay", "encrypt"), vec![]).await;
    let outcome = call_outcome(&browser, "relay").await;
    let envelope = outcome["ok"]
        .as_str()
        .unwrap_or_else(|| panic!("encrypt() failed: {outcome}"))
        .to_owned();
    browser.close().await;

    // A compact JWE sealed to the vault for this merchant, without the number in sight.
    let parts: Vec<&str> = envelope.split('.').collect();
    assert_eq!(parts.len(), 5, "{envelope}");
    let header = segment_json(parts[0]);
    assert_eq!(header["alg"], "RSA-OAEP-256", "{header}");
    assert_eq!(header["enc"], "A256GCM", "{header}");
    assert_eq!(header["aud"], json!(vault.publishable_key), "{header}");
    let jwks = vault
        .request("GET", "/.well-known/jwks.json", &[], "")
        .json();
    assert_eq!(header["kid"], jwks["keys"][0]["kid"], "{header} vs {jwks}");
    assert_eq!(find_card_number(envelope.as_bytes(), &[MASTERCARD]), None);

    // The merchant's backend relays it with its secret key, and gets a token.
    let auth = format!("Bearer {}", vault.secret_key);
    let relay = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/jose"),
    ];
    let created = vault.request("POST", "/v1/tokens", &relay, &envelope);
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let token = created["token"].as_str().unwrap_or_default();
    assert!(token.starts_with("tok_"), "{created}");
    assert_eq!(created["card"]["brand"], "mastercard", "{created}");
    assert_eq!(created["card"]["last4"], "4444", "{created}");
    assert!(
        created["fingerprint"]
            .as_str()
            .is_some_and(|f| f.starts_with("fp_")),
        "{created}"
    );
    let read = vault.token_metadata(token, &vault.secret_key);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["bin"], "555555", "{}", read.body);
    // The same envelope a second time is a replay.
    let again = vault.request("POST", "/v1/tokens", &relay, &envelope);
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(
        again.json()["error"]["code"],
        "replayed_envelope",
        "{}",
        again.body
    );

    vault.stop_and_assert_no_card_numbers(&[MASTERCARD]);
}

#[tokio::test]
async fn the_loader_takes_results_only_from_its_own_iframe() {
    let mut vault = Vault::start();
    let browser = Browser::start().await;
    open_shop(&browser, &vault).await;
    mount_field(&browser, "a").await;
    mount_field(&browser, "b").await;
    browser.fill_card("#e2e-a iframe", VISA).await;
    browser.fill_card("#e2e-b iframe", MASTERCARD).await;

    // Right origin, wrong window: field a tokenizes (its request id 1) while field b encrypts
    // (request id 1 of its own loader instance). The encrypt answers first, having no POST to
    // wait for; its result reaches every listener of the window, a's loader too, which must
    // leave it to the iframe it came from.
    browser
        .js(
            &format!(
                "window.e2e.crossed = 0;
                 window.addEventListener('message', e => {{
                   if (e.data && e.data.type === 'result' && e.data.envelope
                       && window.e2e.outcome.a === null) {{
                     window.e2e.crossed += 1;
                   }}
                 }});
                 {}
                 {}",
                start_call("a", "tokenize"),
                start_call("b", "encrypt")
            ),
            vec![],
        )
        .await;
    let paid = call_outcome(&browser, "a").await;
    assert!(
        paid["ok"]["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("tok_")),
        "field a's tokenize() took another field's result: {paid}"
    );
    assert_eq!(paid["ok"]["card"]["last4"], "4242", "{paid}");
    let encrypted = call_outcome(&browser, "b").await;
    assert!(
        encrypted["ok"]
            .as_str()
            .is_some_and(|e| e.split('.').count() == 5),
        "{encrypted}"
    );
    let crossed = browser.js("return window.e2e.crossed;", vec![]).await;
    assert_eq!(
        crossed, 1,
        "b's result did not arrive while a's tokenize() was pending: the check proved nothing"
    );

    // Wrong origin: while a tokenize is pending, the shop's own window posts a well-formed
    // result for it (for every id the loader may have given it): the loader must not take it.
    browser
        .js(
            &format!(
                "window.e2e.forgedWhilePending = 0;
                 window.addEventListener('message', e => {{
                   if (e.data && e.data.token === 'tok_forged' && window.e2e.outcome.a === null) {{
                     window.e2e.forgedWhilePending += 1;
                   }}
                 }});
                 {}
                 for (let id = 0; id < 10; id++) {{
                   window.postMessage({{ v: 1, type: 'result', id: id, ok: true, token: 'tok_forged',
                     card: {{ brand: 'visa', last4: '0000', exp_month: 1, exp_year: 2099 }} }}, '*');
                 }}",
                start_call("a", "tokenize")
            ),
            vec![],
        )
        .await;
    let outcome = call_outcome(&browser, "a").await;
    let token = outcome["ok"]["token"].as_str().unwrap_or_default();
    assert!(
        token.starts_with("tok_") && token != "tok_forged",
        "tokenize() took a forged result: {outcome}"
    );
    assert_eq!(outcome["ok"]["card"]["last4"], "4242", "{outcome}");
    let forged = browser
        .js("return window.e2e.forgedWhilePending;", vec![])
        .await;
    assert_eq!(
        forged, 10,
        "the forged results did not arrive while tokenize() was pending: the check proved nothing"
    );
    // The vault knows the real tokens.
    for token in [paid["ok"]["token"].as_str().unwrap_or_default(), token] {
        assert_eq!(vault.token_metadata(token, &vault.secret_key).status, 200);
    }

    browser.close().await;
    vault.stop_and_assert_no_card_numbers(&[VISA, MASTERCARD]);
}

#[tokio::test]
async fn the_loader_ignores_its_iframe_once_it_leaves_the_vault() {
    let mut vault = Vault::start();
    // A page that answers for the field: posts well-formed results to its parent, for every
    // id, over and over.
    let forger = PageServer::start(|_| {
        r#"<!doctype html><meta charset="utf-8"><title>forger</title><script>
setInterval(function () {
  for (var id = 0; id < 10; id++) {
    parent.postMessage({ v: 1, type: 'result', id: id, ok: true, token: 'tok_forged',
      card: { brand: 'visa', last4: '0000', exp_month: 1, exp_year: 2099 } }, '*');
  }
}, 100);
</script>"#
            .to_owned()
    });
    let browser = Browser::start().await;
    // A merchant page without a Content-Security-Policy: the demo shop's `frame-src` would
    // block the navigation below, which is what a script on such a page can do.
    browser
        .devtools("Page.setBypassCSP", json!({ "enabled": true }))
        .await;
    open_shop(&browser, &vault).await;
    mount_field(&browser, "a").await;

    // The field's iframe goes to another origin: same window, so `event.source` still is
    // the loader's iframe, but `event.origin` is not the vault's.
    browser
        .js(
            "const frame = document.querySelector('#e2e-a iframe');
             window.e2e.forgedWhilePending = 0;
             window.e2e.forged = 0;
             window.addEventListener('message', e => {
               if (e.source === frame.contentWindow && e.origin === arguments[0]
                   && e.data && e.data.token === 'tok_forged') {
                 window.e2e.forged += 1;
                 if (window.e2e.outcome.a === null) window.e2e.forgedWhilePending += 1;
               }
             });
             frame.src = arguments[0] + '/';",
            vec![json!(forger.origin)],
        )
        .await;
    browser
        .wait_for_js(
            START_TIMEOUT,
            "the forger's messages",
            "window.e2e.forged > 0",
        )
        .await;
    // The loader's listener runs before the recorder's, and a promise it settled would have
    // run its reactions in between: any forged result it took shows in the outcome.
    browser.js(&start_call("a", "tokenize"), vec![]).await;
    browser
        .wait_for_js(
            START_TIMEOUT,
            "forged results while tokenize() is pending, or its outcome",
            "window.e2e.outcome.a !== null || window.e2e.forgedWhilePending >= 30",
        )
        .await;
    let outcome = browser.js("return window.e2e.outcome.a;", vec![]).await;
    assert_eq!(
        outcome,
        Value::Null,
        "tokenize() took a result from its iframe navigated to {}",
        forger.origin
    );

    browser.close().await;
    vault.stop();
}

/// What the field in `iframe` shows: its `lang`, the number's label, its placeholder and
/// value, the number's error and the number input's font size.
async fn field_words(browser: &Browser, iframe: &str) -> Value {
    browser.enter_iframe(iframe).await;
    let words = browser
        .js(
            "const n = document.querySelector('input[autocomplete=\"cc-number\"]');
             const e = document.querySelector('input[autocomplete=\"cc-exp\"]');
             return { lang: document.querySelector('form').lang,
                      label: document.querySelector(`label[for=\"${n.id}\"]`).textContent,
                      exp_placeholder: e.placeholder, value: n.value,
                      error: document.getElementById(n.id + '-error').textContent,
                      font_size: getComputedStyle(n).fontSize };",
            vec![],
        )
        .await;
    browser.leave_iframes().await;
    words
}

#[tokio::test]
async fn the_loader_updates_the_field_without_reloading_it() {
    let mut vault = Vault::start();
    let browser = Browser::start().await;
    open_shop(&browser, &vault).await;
    // Updated before its ready: the update waits for it.
    browser
        .js(
            r#"
            const host = document.createElement('div');
            host.id = 'e2e-u';
            document.getElementById('card').after(host);
            window.e2e = { changes: [], ready: false };
            const card = CardVault.mount('#e2e-u', {
              publishableKey: document.getElementById('card').dataset.publishableKey,
              locale: 'fr',
            });
            card.on('ready', () => { window.e2e.ready = true; });
            card.on('change', e => { window.e2e.changes.push(e); });
            window.e2e.card = card.update({ locale: 'it', style: { base: { fontSize: '19px' } } });
            if (window.e2e.card !== card) throw new Error('update() does not return the card');
            "#,
            vec![],
        )
        .await;
    browser
        .wait_for_js(START_TIMEOUT, "the field's ready", "window.e2e.ready")
        .await;
    // The update is posted on ready; the field applies it as the message arrives.
    let mut words = Value::Null;
    for _ in 0..50 {
        words = field_words(&browser, "#e2e-u iframe").await;
        if words["lang"] == "it" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        words["lang"], "it",
        "the update before ready was not applied: {words}"
    );
    assert_eq!(words["label"], "Numero della carta", "{words}");
    assert_eq!(words["font_size"], "19px", "{words}");

    // An error on show, then the locale changes: the same input, the error in the new words,
    // and the page told so.
    browser.enter_iframe("#e2e-u iframe").await;
    browser.type_into("cc-number", "4242").await;
    browser.type_into("cc-exp", "1").await;
    browser.leave_iframes().await;
    browser
        .js(
            "window.e2e.changes = []; window.e2e.card.update({ locale: 'ja' });",
            vec![],
        )
        .await;
    let change = browser
        .wait_for_js(
            START_TIMEOUT,
            "a change in the new locale",
            "window.e2e.changes.find(c => c.error && c.error.message.includes('カード番号'))",
        )
        .await;
    assert_eq!(change["error"]["code"], "incomplete_number", "{change}");
    let words = field_words(&browser, "#e2e-u iframe").await;
    assert_eq!(words["lang"], "ja", "{words}");
    assert_eq!(words["label"], "カード番号", "{words}");
    assert_eq!(words["exp_placeholder"], "月 / 年", "{words}");
    assert_eq!(words["value"], "4242", "{words}");
    assert_eq!(
        words["error"], "カード番号が最後まで入力されていません。",
        "{words}"
    );
    assert_eq!(words["font_size"], "19px", "the style stays: {words}");
    // Still the one iframe it mounted.
    let frames = browser
        .js(
            "return document.querySelectorAll('#e2e-u iframe').length;",
            vec![],
        )
        .await;
    assert_eq!(frames, 1);

    browser.close().await;
    vault.stop();
}
