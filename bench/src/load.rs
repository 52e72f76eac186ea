//! The load client: `concurrency` keep-alive HTTP/1.1 connections on one thread, each posting
//! pre-sealed envelopes to `POST /v1/tokens` one after the other. Given several vaults, each
//! connection's requests alternate between them (one keep-alive connection to each), as a
//! round-robin load balancer would spread them. Runs as a child process
//! (`cardvault-bench load …`) so that the parent can pin it to a core with `taskset`.
//!
//! Throughput counts the 201s completed inside the steady window (after the warm-up); latency is
//! that of the requests sent inside it. Anything but a 201 is an error, counted over the whole
//! run (warm-up included); so is running out of envelopes before the window ends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Options {
    /// The vaults, taken in turn.
    pub addrs: Vec<SocketAddr>,
    pub key: String,
    pub envelopes: Vec<Vec<u8>>,
    pub concurrency: usize,
    pub warmup: Duration,
    pub window: Duration,
}

/// What one run measured.
#[derive(Default)]
pub struct Outcome {
    /// 201s completed inside the window.
    pub ok_in_window: u64,
    /// Every answer that was not a 201, and every transport failure, over the whole run.
    pub errors: u64,
    /// Latencies (ms) of the requests sent inside the window and answered 201.
    pub latencies_ms: Vec<f64>,
    /// The first error seen, for the report.
    pub first_error: Option<String>,
    /// The envelopes ran out before the window ended.
    pub exhausted: bool,
    /// Requests sent in all.
    pub requests: u64,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.ok_in_window += other.ok_in_window;
        self.errors += other.errors;
        self.latencies_ms.extend(other.latencies_ms);
        self.requests += other.requests;
        self.exhausted |= other.exhausted;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what);
        }
    }
}

/// Runs the load on a current-thread runtime (one core's worth of client).
pub fn run(options: Options) -> Result<Outcome, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(drive(options))
}

struct Shared {
    addrs: Vec<SocketAddr>,
    /// The request head for each of `addrs` (its `Host`).
    heads: Vec<String>,
    envelopes: Vec<Vec<u8>>,
    next: AtomicUsize,
    warm_end: Instant,
    end: Instant,
}

async fn drive(options: Options) -> Result<Outcome, String> {
    let start = Instant::now();
    let warm_end = start + options.warmup;
    let shared = Arc::new(Shared {
        heads: options
            .addrs
            .iter()
            .map(|addr| format!(
                "POST /v1/tokens HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/jose\r\n",
                options.key
            ))
            .collect(),
        addrs: options.addrs,
        envelopes: options.envelopes,
        next: AtomicUsize::new(0),
        warm_end,
        end: warm_end + options.window,
    });
    let workers: Vec<_> = (0..options.concurrency)
        .map(|n| tokio::spawn(worker(Arc::clone(&shared), n)))
        .collect();
    let mut outcome = Outcome::default();
    for worker in workers {
        let one = worker
            .await
            .map_err(|e| format!("a load worker failed: {e}"))?;
        outcome.merge(one);
    }
    Ok(outcome)
}

/// Worker `n` starts on vault `n mod vaults`, so that the vaults share the load evenly from the
/// first request.
async fn worker(shared: Arc<Shared>, n: usize) -> Outcome {
    let mut outcome = Outcome::default();
    let mut connections: Vec<Option<Connection>> = shared.addrs.iter().map(|_| None).collect();
    let mut turn = n;
    loop {
        turn = (turn + 1) % shared.addrs.len();
        let (addr, head, connection) = (
            shared.addrs[turn],
            &shared.heads[turn],
            &mut connections[turn],
        );
        let sent_at = Instant::now();
        if sent_at >= shared.end {
            return outcome;
        }
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(envelope) = shared.envelopes.get(index) else {
            outcome.exhausted = true;
            outcome.error("ran out of pre-sealed envelopes".to_owned());
            return outcome;
        };
        let conn = match connection.as_mut() {
            Some(conn) => conn,
            None => match Connection::open(addr).await {
                Ok(conn) => connection.insert(conn),
                Err(e) => {
                    outcome.error(e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        outcome.requests += 1;
        match conn.post(head, envelope).await {
            Ok(answer) => {
                if answer.close {
                    *connection = None;
                }
                let done = Instant::now();
                if answer.status != 201 {
                    outcome.error(format!(
                        "status {}: {}",
                        answer.status,
                        String::from_utf8_lossy(&answer.body)
                    ));
                    continue;
                }
                if done >= shared.warm_end && done < shared.end {
                    outcome.ok_in_window += 1;
                }
                if sent_at >= shared.warm_end {
                    outcome
                        .latencies_ms
                        .push(done.duration_since(sent_at).as_secs_f64() * 1e3);
                }
            }
            Err(e) => {
                *connection = None;
                outcome.error(e);
            }
        }
    }
}

pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub close: bool,
}

/// One keep-alive HTTP/1.1 connection (over TCP, or TLS). Answers must carry `Content-Length`
/// (axum's and the bench receiver's do).
pub struct Connection<S = TcpStream> {
    stream: S,
    buffer: Vec<u8>,
    request: Vec<u8>,
}

impl Connection<TcpStream> {
    pub async fn open(addr: SocketAddr) -> Result<Connection, String> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY: {e}"))?;
        Ok(Connection::over(stream))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub fn over(stream: S) -> Connection<S> {
        Connection {
            stream,
            buffer: Vec::with_capacity(4096),
            request: Vec::with_capacity(4096),
        }
    }

    /// Sends `head` (the request line and headers, each line ended) with `body`.
    pub async fn post(&mut self, head: &str, body: &[u8]) -> Result<Answer, String> {
        self.request.clear();
        self.request.extend_from_slice(head.as_bytes());
        self.request
            .extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.request.extend_from_slice(body);
        self.stream
            .write_all(&self.request)
            .await
            .map_err(|e| format!("sending: {e}"))?;
        self.read_answer().await
    }

    async fn read_answer(&mut self) -> Result<Answer, String> {
        let head_len = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buffer[..head_len]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| format!("not an HTTP answer: {head:?}"))?;
        let mut length = None;
        let mut close = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(format!("unsupported transfer-encoding {value}"));
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        let length = length.ok_or_else(|| format!("no content-length (status {status})"))?;
        while self.buffer.len() < head_len + length {
            self.fill().await?;
        }
        let body = self.buffer[head_len..head_len + length].to_vec();
        self.buffer.drain(..head_len + length);
        Ok(Answer {
            status,
            body,
            close,
        })
    }

    async fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 4096];
        let read = self
            .stream
            .read(&mut chunk)
            .await
            .map_err(|e| format!("receiving: {e}"))?;
        if read == 0 {
            return Err("the server closed the connection".to_owned());
        }
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The `p`-th percentile (0..=100, nearest rank) of `sorted`, or NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}
