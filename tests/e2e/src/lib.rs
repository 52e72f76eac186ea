//! The harness of the end-to-end suite: the real `cardvault` binary with its demo shop, a foreign
//! page, and headless Chromium driven through chromedriver. Three origins, all on loopback:
//! the vault (`http://127.0.0.1:P1`), the demo shop (`http://127.0.0.1:P2`) and the foreign
//! page (`http://127.0.0.1:P3`).
//!
//! The shop here is same-site to the vault (both `127.0.0.1`), unlike `cargo xtask demo`'s
//! (`localhost`) and a real merchant's page: a cross-site iframe runs in a renderer process of its
//! own, and chromedriver's performance log, which the no-card-number-on-the-wire test reads, only
//! carries the top page's process. With the shop on `localhost` that test finds no
//! `POST /v1/tokens` in the log and fails (as it should: it would have checked nothing).
//! [`Vault::start_cross_site`] puts the shop on `localhost` for what needs the real thing (the
//! bench's `ready_ms_cross_site`, which reaches into the iframe with a DevTools client of its
//! own: [`Browser::devtools_url`]).
//!
//! Every process started here is owned by a guard that stops it on drop, so a failing test
//! leaves nothing running. Waits poll with generous deadlines: the suite runs on small,
//! busy machines.
//!
//! Environment: `CARDVAULT_BIN` (the server binary; default `<target>/debug/cardvault`),
//! `CHROMEDRIVER` (default `/usr/bin/chromedriver`), `CHROMIUM` (default `/usr/bin/chromium`).

// A test harness: a broken expectation is a test failure, reported by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub mod cluster;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Test cards (Luhn-valid, published by the networks for testing).
pub const VISA: &str = "4242424242424242";

/// The year the cards the tests type expire in: four years from now, so that no run starts
/// failing in some later year.
pub fn exp_year() -> u32 {
    u32::from(cardvault::card::YearMonth::now().year) + 4
}
pub const MASTERCARD: &str = "5555555555554444";

/// How long the vault, chromedriver or the field may take to come up, and a page to settle.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a tokenization (seal in wasm, POST, answer) may take.
pub const TOKENIZE_TIMEOUT: Duration = Duration::from_secs(60);

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/e2e is two levels below the workspace root")
        .to_path_buf()
}

/// The `cardvault` binary under test.
pub fn server_binary() -> PathBuf {
    let path = match std::env::var_os("CARDVAULT_BIN") {
        Some(path) => PathBuf::from(path),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| workspace_root().join("target"), PathBuf::from);
            workspace_root()
                .join(target)
                .join("debug")
                .join("cardvault")
        }
    };
    assert!(
        path.is_file(),
        "the server binary {} does not exist: run `cargo xtask test`, or `cargo build -p cardvault-server` \
         and set CARDVAULT_BIN",
        path.display()
    );
    path
}

fn program(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found (set {var}); `cargo xtask test` installs chromium and chromium-driver",
        path.display()
    );
    path
}

/// Sends SIGTERM to `child`, waits up to `grace` for it to exit, then kills it.
fn terminate(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 client (one request per connection), for the vault's API and the drivers.

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends one request to `addr` and reads the whole answer; `None` when the connection fails.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).ok()?;
    // Reads until the answer is complete: by its length, the last chunk, or the end of the
    // stream (some servers, chromedriver among them, keep the connection open regardless).
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if response_complete(&raw) {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
    parse_response(&raw)
}

/// Whether `raw` holds a whole response (head, and the body its head announces).
fn response_complete(raw: &[u8]) -> bool {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let body = &raw[split + 4..];
    let header = |name: &str| {
        head.split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.len() >= length
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body.ends_with(b"0\r\n\r\n")
    } else {
        false
    }
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let body = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Some(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        let rest = &body[end + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        body = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
    out
}

/// `text` percent-encoded like JavaScript's `encodeURIComponent`.
pub fn encode_uri_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes base64, standard or URL-safe, padded or not; `None` on anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// The vault.

/// The `cardvault serve --dev --demo` process, with its own data dir and log.
pub struct Vault {
    child: Child,
    dir: tempfile::TempDir,
    /// The vault's address and origin (`http://127.0.0.1:P1`).
    pub addr: SocketAddr,
    pub origin: String,
    /// The demo shop's origin (`http://127.0.0.1:P2`).
    pub shop: String,
    /// The dev merchant's keys, as the server printed them.
    pub publishable_key: String,
    pub secret_key: String,
}

impl Vault {
    /// Starts the vault and its demo shop on two fresh loopback ports, with a fresh data dir,
    /// and waits until both answer.
    /// The server logs at `debug`: the most it logs is what the tests scan for card numbers.
    pub fn start() -> Vault {
        Vault::start_with(&server_binary(), "debug")
    }

    /// [`Vault::start`] with the server binary `bin`, logging at `log` (`CARDVAULT_LOG`).
    pub fn start_with(bin: &Path, log: &str) -> Vault {
        Vault::start_on(bin, log, "127.0.0.1", &[])
    }

    /// [`Vault::start_with`], with the demo shop on `http://localhost:P2`: cross-site to the
    /// vault on `127.0.0.1`, as a real merchant's page is, so that Chromium gives the field's
    /// iframe a renderer process of its own; `args` are added to `serve`'s.
    pub fn start_cross_site(bin: &Path, log: &str, args: &[&str]) -> Vault {
        Vault::start_on(bin, log, "localhost", args)
    }

    fn start_on(bin: &Path, log: &str, shop_host: &str, args: &[&str]) -> Vault {
        let mut last_log = String::new();
        // A port found free may be taken before the server binds it: try again with others.
        for _ in 0..3 {
            match Vault::try_start(bin, log, shop_host, args) {
                Ok(vault) => return vault,
                Err(log) => last_log = log,
            }
        }
        panic!("the vault did not start; its last log:\n{last_log}");
    }

    fn try_start(
        bin: &Path,
        log_level: &str,
        shop_host: &str,
        args: &[&str],
    ) -> Result<Vault, String> {
        let dir = tempfile::Builder::new()
            .prefix("cardvault-e2e-")
            .tempdir()
            .expect("temp dir");
        let data_dir = dir.path().join("data");
        let log_path = dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).expect("server log");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut shop_port = free_port();
        while shop_port == addr.port() {
            shop_port = free_port();
        }
        let child = Command::new(bin)
            .arg("serve")
            .arg("--dev")
            .args(["--listen", &addr.to_string()])
            .args(["--demo", &format!("{shop_host}:{shop_port}")])
            .arg("--data-dir")
            .arg(&data_dir)
            .args(args)
            .env_remove("CARDVAULT_MASTER_KEY")
            .env_remove("CARDVAULT_MASTER_KEY_FILE")
            .env_remove("CARDVAULT_DATA_DIR")
            .env("CARDVAULT_LOG", log_level)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("server log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut vault = Vault {
            child,
            dir,
            addr,
            origin: format!("http://{addr}"),
            shop: format!("http://{shop_host}:{shop_port}"),
            publishable_key: String::new(),
            secret_key: String::new(),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let log = vault.log();
            if let Ok(Some(status)) = vault.child.try_wait() {
                return Err(format!("(exited with {status})\n{log}"));
            }
            if let Some((pk, sk)) = dev_keys(&log)
                && log.contains("cardvault listening on")
                && log.contains("demo shop on")
                && vault.get("/healthz").is_some_and(|r| r.status == 200)
                && vault.get_shop("/").is_some_and(|r| r.status == 200)
            {
                vault.publishable_key = pk;
                vault.secret_key = sk;
                return Ok(vault);
            }
            if Instant::now() > deadline {
                return Err(format!("(not serving after {START_TIMEOUT:?})\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The data dir.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Everything the server wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A request to the vault's API.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        http(self.addr, method, path, headers, body)
            .unwrap_or_else(|| panic!("no answer from the vault to {method} {path}"))
    }

    fn get(&self, path: &str) -> Option<Response> {
        http(self.addr, "GET", path, &[], "")
    }

    fn get_shop(&self, path: &str) -> Option<Response> {
        // `localhost` may resolve to more than one address: the shop listens on one of them.
        let addrs = std::net::ToSocketAddrs::to_socket_addrs(self.shop.strip_prefix("http://")?);
        addrs
            .ok()?
            .find_map(|addr| http(addr, "GET", path, &[], ""))
    }

    /// `GET /v1/tokens/{token}` with `key`.
    pub fn token_metadata(&self, token: &str, key: &str) -> Response {
        let auth = format!("Bearer {key}");
        self.request(
            "GET",
            &format!("/v1/tokens/{token}"),
            &[("Authorization", &auth)],
            "",
        )
    }

    /// Stops the server (SIGTERM, then SIGKILL after 15 s).
    pub fn stop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(15));
    }

    /// Stops the server, then asserts that no file in its data dir and not its log holds any of
    /// `numbers`, in digits or in groups of four (`4242 4242 …`, `4242-4242-…`).
    pub fn stop_and_assert_no_card_numbers(&mut self, numbers: &[&str]) {
        self.stop();
        let mut files = files_under(&self.data_dir());
        assert!(
            !files.is_empty(),
            "the data dir {} is empty: nothing was scanned",
            self.data_dir().display()
        );
        let log_path = self.dir.path().join("server.log");
        files.push((
            log_path.clone(),
            std::fs::read(&log_path).expect("server log"),
        ));
        for (path, bytes) in &files {
            if let Some(found) = find_card_number(bytes, numbers) {
                panic!("the card number form {found:?} is in {}", path.display());
            }
        }
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            // The data dir goes with the guard: show the end of the log with the failure.
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(80)..].join("\n");
            eprintln!("--- the vault's log (last 80 lines) ---\n{tail}\n---");
        }
    }
}

/// The publishable and secret key from the dev merchant line:
/// `dev merchant mer_…: publishable key pk_…  secret key sk_… (shown once)`.
pub fn dev_keys(log: &str) -> Option<(String, String)> {
    let line = log.lines().find(|l| l.starts_with("dev merchant "))?;
    let word_after = |label: &str| {
        let rest = &line[line.find(label)? + label.len()..];
        rest.split_whitespace().next().map(str::to_owned)
    };
    let pk = word_after("publishable key ")?;
    let sk = word_after("secret key ")?;
    (pk.starts_with("pk_") && sk.starts_with("sk_")).then_some((pk, sk))
}

/// The forms of each card number that must never be found: the digits, and the digits in
/// groups of four separated by a space or a dash (how a field displays or a person pastes it).
pub fn card_number_forms(numbers: &[&str]) -> Vec<String> {
    let mut forms = Vec::new();
    for number in numbers {
        forms.push((*number).to_owned());
        let groups: Vec<&str> = number
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        forms.push(groups.join(" "));
        forms.push(groups.join("-"));
    }
    forms
}

/// The first form of one of `numbers` (see [`card_number_forms`]) that `haystack` contains.
pub fn find_card_number(haystack: &[u8], numbers: &[&str]) -> Option<String> {
    card_number_forms(numbers)
        .into_iter()
        .find(|form| haystack.windows(form.len()).any(|w| w == form.as_bytes()))
}

/// Every file under `dir`, read whole.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A page on a third origin.

/// What a [`PageServer`] serves: files by path, each response with `headers` added.
pub struct Site {
    /// `(path, content type, body)`; any other path is a 404.
    pub files: Vec<(String, &'static str, Vec<u8>)>,
    /// Added to every response, e.g. `Cross-Origin-Opener-Policy`.
    pub headers: Vec<(&'static str, &'static str)>,
}

impl Site {
    /// One HTML page at `/`.
    pub fn page(html: String) -> Site {
        Site {
            files: vec![(
                "/".to_owned(),
                "text/html; charset=utf-8",
                html.into_bytes(),
            )],
            headers: Vec::new(),
        }
    }
}

/// Serves one HTML page at `/`, or a small [`Site`], on `http://127.0.0.1:P3`, from a thread
/// of its own.
pub struct PageServer {
    pub origin: String,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    /// Serves the page that `page` makes, given the server's own origin.
    pub fn start(page: impl FnOnce(&str) -> String) -> PageServer {
        PageServer::serve(|origin| Site::page(page(origin)))
    }

    /// Serves the site that `site` makes, given the server's own origin.
    pub fn serve(site: impl FnOnce(&str) -> Site) -> PageServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the foreign page");
        let addr = listener.local_addr().expect("foreign page address");
        let site = site(&format!("http://{addr}"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    serve_file(stream, &site);
                }
            }
        });
        PageServer {
            origin: format!("http://{addr}"),
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

fn serve_file(mut stream: TcpStream, site: &Site) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The rest of the head; a GET has no body.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
    let path = request_line
        .strip_prefix("GET ")
        .and_then(|rest| rest.split(' ').next())
        .map(|target| target.split(['?', '#']).next().unwrap_or(target));
    let file = path.and_then(|path| site.files.iter().find(|(p, _, _)| p == path));
    let (status, content_type, body) = match file {
        Some((_, content_type, body)) => ("200 OK", *content_type, body.as_slice()),
        None => ("404 Not Found", "text/plain", &[][..]),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nCache-Control: no-store\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in &site.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop up so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The browser.

/// Headless Chromium driven through a chromedriver of our own, with the performance log on.
pub struct Browser {
    pub client: Client,
    driver: Child,
    driver_addr: SocketAddr,
    session: String,
    profile: tempfile::TempDir,
    closed: bool,
}

/// A chromedriver command that fantoccini has no method for: `POST /session/{id}/{path}`.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or(""),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session in a fresh profile.
    pub async fn start() -> Browser {
        let chromedriver = program("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = program("CHROMIUM", "/usr/bin/chromium");
        let mut last_error = String::new();
        for _ in 0..3 {
            match Browser::try_start(&chromedriver, &chromium).await {
                Ok(browser) => return browser,
                Err(e) => last_error = e,
            }
        }
        panic!("could not start a browser session: {last_error}");
    }

    async fn try_start(chromedriver: &Path, chromium: &Path) -> Result<Browser, String> {
        let profile = tempfile::Builder::new()
            .prefix("cardvault-e2e-chromium-")
            .tempdir()
            .expect("temp dir");
        let driver_log = profile.path().join("chromedriver.log");
        let port = free_port();
        let driver_addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&driver_log).expect("chromedriver log"))
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = driver.try_wait() {
                let log = std::fs::read_to_string(&driver_log).unwrap_or_default();
                return Err(format!("chromedriver exited ({status}): {log}"));
            }
            let ready = http(driver_addr, "GET", "/status", &[], "")
                .is_some_and(|r| r.json()["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            if Instant::now() > deadline {
                terminate(&mut driver, Duration::from_secs(5));
                return Err("chromedriver did not become ready".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().join("profile").display()),
                ],
            },
            "goog:loggingPrefs": { "performance": "ALL", "browser": "ALL" },
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object"),
        };
        let connected = tokio::time::timeout(
            START_TIMEOUT,
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://{driver_addr}")),
        )
        .await;
        let client = match connected {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => {
                terminate(&mut driver, Duration::from_secs(5));
                kill_processes_using(profile.path());
                return Err(format!("new session: {e}"));
            }
            Err(_) => {
                terminate(&mut driver, Duration::from_secs(5));
                kill_processes_using(profile.path());
                return Err("new session: timed out".into());
            }
        };
        let session = client.session_id().await.ok().flatten().unwrap_or_default();
        Ok(Browser {
            client,
            driver,
            driver_addr,
            session,
            profile,
            closed: false,
        })
    }

    /// The browser-wide DevTools endpoint of this Chromium (`ws://127.0.0.1:PORT/devtools/browser/…`),
    /// from the `DevToolsActivePort` file it writes in its profile: for a DevTools client of
    /// one's own beside chromedriver's (e.g. one that attaches to out-of-process iframes).
    pub fn devtools_url(&self) -> String {
        let file = self
            .profile
            .path()
            .join("profile")
            .join("DevToolsActivePort");
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        let mut lines = text.lines();
        match (lines.next(), lines.next()) {
            (Some(port), Some(path)) => format!("ws://127.0.0.1:{}{}", port.trim(), path.trim()),
            _ => panic!("{} holds {text:?}", file.display()),
        }
    }

    /// Ends the session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.closed = true;
        // Drop stops chromedriver and anything left of Chromium.
    }

    /// Drains the log of `kind` (`performance`, `browser`): the entries since the last call.
    pub async fn log_entries(&self, kind: &str) -> Vec<Value> {
        let value = self
            .client
            .issue_cmd(SessionPost {
                path: "se/log",
                body: json!({ "type": kind }),
            })
            .await
            .unwrap_or_else(|e| panic!("reading the {kind} log: {e}"));
        match value {
            Value::Array(entries) => entries,
            other => panic!("the {kind} log is not a list: {other}"),
        }
    }

    /// Drains the performance log: the DevTools events (`{"method", "params"}`) since last time.
    pub async fn devtools_events(&self) -> Vec<Value> {
        self.log_entries("performance")
            .await
            .iter()
            .filter_map(|entry| entry["message"].as_str())
            .filter_map(|message| serde_json::from_str::<Value>(message).ok())
            .map(|message| message["message"].clone())
            .collect()
    }

    /// Runs a DevTools command in the current page (chromedriver's `goog/cdp/execute`).
    pub async fn devtools(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(SessionPost {
                path: "goog/cdp/execute",
                body: json!({ "cmd": cmd, "params": params }),
            })
            .await
            .unwrap_or_else(|e| panic!("DevTools {cmd}: {e}"))
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the current frame.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Evaluates the expression `expr` in the current frame every 100 ms until it is truthy,
    /// and returns its value; panics after `timeout` with `what`, the page's console and
    /// the demo shop's `#status` and `#result` if any.
    pub async fn wait_for_js(&self, timeout: Duration, what: &str, expr: &str) -> Value {
        let script = format!("return ({expr});");
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.client.execute(&script, vec![]).await;
            match value {
                Ok(Value::Null | Value::Bool(false)) => {}
                Ok(Value::String(s)) if s.is_empty() => {}
                Ok(Value::Number(n)) if n.as_f64() == Some(0.0) => {}
                Ok(value) => return value,
                Err(_) => {} // e.g. the page is navigating
            }
            if Instant::now() > deadline {
                let page = self
                    .client
                    .execute(
                        "const t = id => { const e = document.getElementById(id); return e ? e.textContent : null; }; \
                         return { url: location.href, status: t('status'), result: t('result') };",
                        vec![],
                    )
                    .await
                    .map(|v| v.to_string())
                    .unwrap_or_else(|e| e.to_string());
                let console = self
                    .log_entries("browser")
                    .await
                    .iter()
                    .map(|e| e["message"].as_str().unwrap_or("").to_owned())
                    .collect::<Vec<_>>()
                    .join("\n  ");
                panic!(
                    "timed out after {timeout:?} waiting for {what} (`{expr}`)\npage: {page}\nconsole:\n  {console}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Switches into the iframe matched by `selector` in the current frame.
    pub async fn enter_iframe(&self, selector: &str) {
        self.client
            .wait()
            .at_most(START_TIMEOUT)
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no iframe {selector}: {e}"))
            .enter_frame()
            .await
            .unwrap_or_else(|e| panic!("cannot enter the iframe {selector}: {e}"));
    }

    /// Back to the top-level document.
    pub async fn leave_iframes(&self) {
        self.client
            .enter_parent_frame()
            .await
            .expect("back to the parent frame");
    }

    /// In the field (the current frame), types `keys` into the input with `autocomplete`
    /// `autocomplete` (`cc-number`, `cc-exp`, `cc-csc`, `cc-name`).
    pub async fn type_into(&self, autocomplete: &str, keys: &str) {
        let selector = format!("input[autocomplete=\"{autocomplete}\"]");
        let input = self
            .client
            .wait()
            .at_most(START_TIMEOUT)
            .for_element(Locator::Css(&selector))
            .await
            .unwrap_or_else(|e| panic!("the field has no {selector}: {e}"));
        input
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
        input
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
    }

    /// Fills the field in the iframe `iframe` (a selector in the top document) with a card
    /// expiring in December of [`exp_year`] and CVC 123, then returns to the top document.
    pub async fn fill_card(&self, iframe: &str, number: &str) {
        self.enter_iframe(iframe).await;
        self.type_into("cc-number", number).await;
        let yy = exp_year() % 100;
        self.type_into("cc-exp", &format!("12{yy:02}")).await;
        self.type_into("cc-csc", "123").await;
        self.type_into("cc-name", "Ada Lovelace").await;
        // What the inputs show: the number formatted, the expiry slashed.
        let shown = self
            .js(
                "const v = a => { const e = document.querySelector(`input[autocomplete=\"${a}\"]`); return e && e.value; }; \
                 return [v('cc-number'), v('cc-exp')];",
                vec![],
            )
            .await;
        self.leave_iframes().await;
        let digits: String = shown[0]
            .as_str()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(digits, number, "the number input shows {}", shown[0]);
        let exp: String = shown[1]
            .as_str()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert_eq!(
            exp,
            format!("12/{yy:02}"),
            "the expiry input shows {}",
            shown[1]
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.closed && !self.session.is_empty() {
            // Ends the session the blocking way (we may be unwinding): chromedriver quits Chromium.
            let _ = http(
                self.driver_addr,
                "DELETE",
                &format!("/session/{}", self.session),
                &[],
                "",
            );
        }
        terminate(&mut self.driver, Duration::from_secs(5));
        kill_processes_using(self.profile.path());
    }
}

/// Kills (by pid) any process whose command line mentions `dir`: what is left of a Chromium
/// started with a profile in it.
fn kill_processes_using(dir: &Path) {
    let needle = dir.display().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(&needle) {
            let _ = Command::new("kill")
                .args(["-KILL", pid])
                .stderr(Stdio::null())
                .status();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_dev_merchant_line() {
        let log = "  !!! WARNING\ndev merchant mer_1: publishable key pk_abc  secret key sk_def (shown once)\n";
        assert_eq!(
            dev_keys(log),
            Some(("pk_abc".to_owned(), "sk_def".to_owned()))
        );
        assert_eq!(
            dev_keys("dev merchant mer_1: publishable key pk_abc\n"),
            None
        );
    }

    #[test]
    fn finds_card_numbers_in_any_grouping() {
        assert!(find_card_number(b"x 4242 4242 4242 4242 y", &[VISA]).is_some());
        assert!(find_card_number(b"5555-5555-5555-4444", &[VISA, MASTERCARD]).is_some());
        assert!(find_card_number(b"424242 4242", &[VISA]).is_none());
    }

    #[test]
    fn decodes_base64_and_chunks() {
        assert_eq!(base64_decode("eyJhIjoxfQ").unwrap(), b"{\"a\":1}");
        assert_eq!(base64_decode("P_-/").unwrap(), [0x3f, 0xff, 0xbf]);
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let response = parse_response(raw).unwrap();
        assert_eq!((response.status, response.body.as_str()), (200, "abcde"));
    }
}
