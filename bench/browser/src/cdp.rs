//! A DevTools protocol client of our own, on the browser-wide WebSocket of the Chromium that
//! chromedriver drives, for what chromedriver's `goog/cdp/execute` cannot do: talk to the
//! field's iframe when it is cross-site. Chromium then runs the iframe in a renderer process of
//! its own, a target apart from the page's, with its own network, cache and CPU settings.
//!
//! [`Cdp::auto_attach`] turns on `Target.setAutoAttach` (`flatten`, `waitForDebuggerOnStart`) in
//! the page: each iframe target the page gets is attached here as a session, paused before its
//! document runs; the reader task sends it the current [`Conditions`] (cache, network emulation,
//! CPU throttling) and only then lets it run (`Runtime.runIfWaitingForDebugger`), so that no
//! request or script of the field escapes them. Network events of every session are kept
//! for [`Cdp::take_events`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// What every attached target (the page and its iframes) runs under.
#[derive(Clone, Debug)]
pub struct Conditions {
    pub cache_disabled: bool,
    /// `Emulation.setCPUThrottlingRate`: 1 is none, 4 is four times slower.
    pub cpu_rate: f64,
    /// `Network.emulateNetworkConditions`; `None` is no emulation.
    pub network: Option<Network>,
}

/// A network to emulate.
#[derive(Clone, Debug)]
pub struct Network {
    /// Added to every request's round trip, in milliseconds.
    pub latency_ms: f64,
    /// Bits per second.
    pub down_bits: f64,
    pub up_bits: f64,
}

impl Conditions {
    /// The commands that put a session under these conditions.
    fn commands(&self) -> Vec<(&'static str, Value)> {
        let network = match &self.network {
            Some(n) => json!({
                "offline": false,
                "latency": n.latency_ms,
                "downloadThroughput": n.down_bits / 8.0,
                "uploadThroughput": n.up_bits / 8.0,
            }),
            None => json!({
                "offline": false,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            }),
        };
        vec![
            ("Network.enable", json!({})),
            (
                "Network.setCacheDisabled",
                json!({ "cacheDisabled": self.cache_disabled }),
            ),
            ("Network.emulateNetworkConditions", network),
            (
                "Emulation.setCPUThrottlingRate",
                json!({ "rate": self.cpu_rate }),
            ),
        ]
    }
}

type Reply = oneshot::Sender<Result<Value, String>>;

struct Shared {
    next_id: u64,
    /// Commands awaiting their answer; those sent by the reader itself are not here.
    pending: HashMap<u64, Reply>,
    conditions: Conditions,
    /// The attached sessions that get the conditions: the page's and its iframes'.
    sessions: Vec<String>,
    /// Iframe targets attached since the start.
    iframes_attached: u64,
    /// `Network.*` events (with their `sessionId`) since the last `take_events`.
    events: Vec<Value>,
}

/// The connection; its reader task ends when the browser closes the socket.
pub struct Cdp {
    out: mpsc::UnboundedSender<Message>,
    shared: Arc<Mutex<Shared>>,
}

/// The events kept for [`Cdp::take_events`]: what the field's loads are read from.
const KEPT_EVENTS: &[&str] = &[
    "Network.requestWillBeSent",
    "Network.responseReceived",
    "Network.loadingFinished",
    "Network.loadingFailed",
];

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Queues one command; with `reply`, its answer goes there.
fn send(
    out: &mpsc::UnboundedSender<Message>,
    shared: &mut Shared,
    session: Option<&str>,
    method: &str,
    params: Value,
    reply: Option<Reply>,
) {
    shared.next_id += 1;
    let id = shared.next_id;
    let mut message = json!({ "id": id, "method": method, "params": params });
    if let Some(session) = session {
        message["sessionId"] = json!(session);
    }
    if let Some(reply) = reply {
        shared.pending.insert(id, reply);
    }
    // A closed channel means the connection is gone: the awaited answer then never comes and
    // `call` reports it.
    let _ = out.send(Message::text(message.to_string()));
}

impl Cdp {
    /// Connects to the browser endpoint `url` (see `Browser::devtools_url`).
    pub async fn connect(url: &str) -> Result<Cdp, String> {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| format!("DevTools WebSocket {url}: {e}"))?;
        let (mut sink, mut stream) = socket.split();
        let (out, mut queue) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = queue.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let shared = Arc::new(Mutex::new(Shared {
            next_id: 0,
            pending: HashMap::new(),
            conditions: Conditions {
                cache_disabled: false,
                cpu_rate: 1.0,
                network: None,
            },
            sessions: Vec::new(),
            iframes_attached: 0,
            events: Vec::new(),
        }));
        let reader = Arc::clone(&shared);
        let writer = out.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Ok(text) = message.into_text() else {
                    continue;
                };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                on_message(&writer, &mut lock(&reader), value);
            }
            // Whatever still waits gets no answer: its sender drops with the map.
            lock(&reader).pending.clear();
        });
        Ok(Cdp { out, shared })
    }

    /// Sends `method` to `session` (the browser itself with `None`) and waits for its result.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        let (reply, answer) = oneshot::channel();
        send(
            &self.out,
            &mut lock(&self.shared),
            session,
            method,
            params,
            Some(reply),
        );
        answer
            .await
            .map_err(|_| format!("DevTools {method}: the connection closed"))?
    }

    /// Attaches to the page whose URL starts with `url` and puts it under the current
    /// conditions; returns its session.
    pub async fn attach_page(&self, url: &str) -> Result<String, String> {
        let targets = self.call(None, "Target.getTargets", json!({})).await?;
        let target = targets["targetInfos"]
            .as_array()
            .and_then(|targets| {
                targets.iter().find(|t| {
                    t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url))
                })
            })
            .and_then(|t| t["targetId"].as_str())
            .ok_or_else(|| format!("no page at {url} among the targets: {targets}"))?
            .to_owned();
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target, "flatten": true }),
            )
            .await?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or_else(|| format!("Target.attachToTarget answered {attached}"))?
            .to_owned();
        let conditions = {
            let mut shared = lock(&self.shared);
            shared.sessions.push(session.clone());
            shared.conditions.clone()
        };
        for (method, params) in conditions.commands() {
            self.call(Some(&session), method, params).await?;
        }
        Ok(session)
    }

    /// Attaches every iframe target of the page `session` from now on (and those it has),
    /// each paused until it is under the conditions.
    pub async fn auto_attach(&self, session: &str) -> Result<(), String> {
        self.call(
            Some(session),
            "Target.setAutoAttach",
            json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
        )
        .await
        .map(|_| ())
    }

    /// Puts every attached session, and those attached from now on, under `conditions`.
    pub async fn set_conditions(&self, conditions: Conditions) -> Result<(), String> {
        let sessions = {
            let mut shared = lock(&self.shared);
            shared.conditions = conditions.clone();
            shared.sessions.clone()
        };
        for session in &sessions {
            for (method, params) in conditions.commands() {
                // A session that went away in between (a destroyed field) no longer answers
                // with a result: that is not an error here.
                if let Err(e) = self.call(Some(session), method, params).await
                    && lock(&self.shared).sessions.contains(session)
                {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// The kept network events since the last call, and the iframe targets attached so far.
    pub fn take_events(&self) -> (Vec<Value>, u64) {
        let mut shared = lock(&self.shared);
        (std::mem::take(&mut shared.events), shared.iframes_attached)
    }
}

fn on_message(out: &mpsc::UnboundedSender<Message>, shared: &mut Shared, value: Value) {
    if let Some(id) = value["id"].as_u64() {
        let result = match value.get("error") {
            Some(error) => Err(format!("DevTools error: {error}")),
            None => Ok(value["result"].clone()),
        };
        match shared.pending.remove(&id) {
            Some(reply) => {
                let _ = reply.send(result);
            }
            None => {
                if let Err(e) = result {
                    eprintln!("cardvault-bench-browser: a command to an iframe failed: {e}");
                }
            }
        }
        return;
    }
    let method = value["method"].as_str().unwrap_or("");
    match method {
        "Target.attachedToTarget" => {
            let params = &value["params"];
            let Some(session) = params["sessionId"].as_str() else {
                return;
            };
            if params["targetInfo"]["type"] == "iframe" {
                shared.iframes_attached += 1;
            }
            shared.sessions.push(session.to_owned());
            // In order on the session, so all of it is in force before the target runs; sent
            // at once, without waiting for each answer, so the target waits as little as it can.
            for (method, params) in shared.conditions.commands() {
                send(out, shared, Some(session), method, params, None);
            }
            send(
                out,
                shared,
                Some(session),
                "Runtime.runIfWaitingForDebugger",
                json!({}),
                None,
            );
        }
        "Target.detachedFromTarget" => {
            if let Some(session) = value["params"]["sessionId"].as_str() {
                shared.sessions.retain(|s| s != session);
            }
        }
        m if KEPT_EVENTS.contains(&m) => shared.events.push(value),
        _ => {}
    }
}
