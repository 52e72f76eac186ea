//! The outbound side of a forward: one HTTP/1.1 request, on a kept-alive connection to the
//! receiver's host when there is one.
//!
//! At every forward the vault resolves the receiver's host itself and checks every address it
//! got (see [`super::address`]), so no DNS answer is ever used unchecked; an IP-literal host is
//! checked the same way. An idle connection is reused only for the same scheme, host, port and
//! the very same set of checked addresses (whichever merchant's receiver it is): when the
//! host's addresses change, a new connection is made to one of the new ones. A new connection
//! goes to a checked address, then TLS (rustls with aws-lc-rs, TLS 1.2 or 1.3, the Mozilla
//! roots built into the binary and the operator's `--receiver-ca`, `http/1.1` by ALPN, session
//! resumption from rustls's in-memory cache) unless it is a plain-HTTP loopback receiver in
//! `--dev`. Kept-alive connections are bounded ([`IDLE_PER_HOST`], [`IDLE_TOTAL`]) and
//! closed after [`IDLE_TIMEOUT`] idle or [`MAX_AGE`] in all. No proxy, no redirect (a 3xx is
//! answered as it is), no compression (`Accept-Encoding: identity`; a compressed answer could
//! not be masked, so it is refused). Connecting (resolution, TCP and TLS) has its own timeout;
//! the whole exchange has another; the answer's body is capped.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Buf;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use url::Host;
use zeroize::Zeroizing;

use super::address::ReceiverUrl;

/// Why a forward did not get an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboundError {
    /// The receiver's URL or an address its host resolved to is not allowed (here, now).
    NotAllowed,
    /// Resolution, connection, TLS or HTTP failed, or the answer was unusable.
    Failed,
    /// The answer's body is larger than the cap.
    TooLarge,
    /// Connecting or the whole exchange took too long.
    Timeout,
}

/// Limits of the outbound client.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Resolution, TCP connection and TLS handshake.
    pub connect_timeout: Duration,
    /// From the start of the connection to the last byte of the answer.
    pub total_timeout: Duration,
    /// The largest answer body accepted.
    pub max_response: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(12),
            max_response: 1024 * 1024,
        }
    }
}

/// Idle connections kept per receiver host (scheme, host, port and checked addresses).
pub const IDLE_PER_HOST: usize = 32;

/// Idle connections kept in all.
pub const IDLE_TOTAL: usize = 512;

/// How long a connection may stay idle before it is closed: below the 60 s or more after which
/// common servers and load balancers close theirs, so a forward seldom meets one they closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a connection is used at most, busy or not, so that a receiver's new certificate
/// or a rebalanced pool of servers is met within minutes.
pub const MAX_AGE: Duration = Duration::from_secs(300);

/// The outbound client.
#[derive(Clone)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
    dev: bool,
    limits: Limits,
    pool: Arc<Pool>,
}

type Sender = http1::SendRequest<Full<SecretBody>>;

/// Which idle connections a forward may use: those to the same scheme, host and port, made to
/// an address of the same checked set (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    tls: bool,
    host: String,
    port: u16,
    addrs: Vec<SocketAddr>,
}

struct Idle {
    sender: Sender,
    born: Instant,
    since: Instant,
}

/// The kept-alive connections, idle ones only: a connection in use is its forward's.
#[derive(Default)]
struct Pool {
    idle: Mutex<Idles>,
}

#[derive(Default)]
struct Idles {
    by_key: HashMap<Key, Vec<Idle>>,
    count: usize,
}

impl Idles {
    fn usable(idle: &Idle, now: Instant) -> bool {
        now.duration_since(idle.since) < IDLE_TIMEOUT
            && now.duration_since(idle.born) < MAX_AGE
            && !idle.sender.is_closed()
    }

    /// Drops every connection past its time or closed by its receiver.
    fn sweep(&mut self, now: Instant) {
        self.by_key.retain(|_, list| {
            list.retain(|idle| Idles::usable(idle, now));
            !list.is_empty()
        });
        self.count = self.by_key.values().map(Vec::len).sum();
    }
}

impl Pool {
    /// The most recently used idle connection for `key`, if one is still usable.
    fn take(&self, key: &Key) -> Option<(Sender, Instant)> {
        let now = Instant::now();
        let mut idles = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idles.sweep(now);
        let list = idles.by_key.get_mut(key)?;
        let found = loop {
            let Some(idle) = list.pop() else { break None };
            if idle.sender.is_ready() {
                break Some((idle.sender, idle.born));
            }
        };
        idles.sweep(now);
        found
    }

    /// Keeps `sender` for the next forward to `key`, within the bounds.
    fn put(&self, key: Key, sender: Sender, born: Instant) {
        let now = Instant::now();
        let mut idles = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idles.sweep(now);
        if idles.count >= IDLE_TOTAL || now.duration_since(born) >= MAX_AGE {
            return;
        }
        let list = idles.by_key.entry(key).or_default();
        if list.len() < IDLE_PER_HOST {
            list.push(Idle {
                sender,
                born,
                since: now,
            });
            idles.count += 1;
        }
    }

    /// How many idle connections are kept.
    fn len(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).count
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("dev", &self.dev)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The Mozilla root certificates (webpki-roots), built into the binary.
pub fn default_roots() -> rustls::RootCertStore {
    rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
}

impl Client {
    /// A client trusting `roots`. With `dev`, loopback receivers may be used.
    pub fn new(
        roots: rustls::RootCertStore,
        dev: bool,
        limits: Limits,
    ) -> Result<Client, rustls::Error> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Client {
            tls: Arc::new(tls),
            dev,
            limits,
            pool: Arc::default(),
        })
    }

    /// How many idle connections to receivers are kept now.
    pub fn idle_connections(&self) -> usize {
        self.pool.len()
    }

    /// Whether loopback receivers may be used (`--dev`).
    pub fn dev(&self) -> bool {
        self.dev
    }

    /// Gets a connection to the receiver: resolves and checks, then takes an idle connection
    /// to the same checked addresses or connects and handshakes. Nothing is sent yet.
    pub async fn connect(&self, receiver: &ReceiverUrl) -> Result<Connection, OutboundError> {
        let deadline = Instant::now() + self.limits.total_timeout;
        if receiver.is_loopback() && !self.dev {
            return Err(OutboundError::NotAllowed);
        }
        let name = match receiver.host() {
            Host::Domain(name) => {
                ServerName::try_from(name.clone()).map_err(|_| OutboundError::Failed)?
            }
            Host::Ipv4(ip) => ServerName::IpAddress(IpAddr::V4(*ip).into()),
            Host::Ipv6(ip) => ServerName::IpAddress(IpAddr::V6(*ip).into()),
        };
        let connect = async {
            let mut addrs = self.resolve(receiver).await?;
            addrs.sort_unstable();
            addrs.dedup();
            let key = Key {
                tls: receiver.is_tls(),
                host: receiver.host().to_string(),
                port: receiver.port(),
                addrs,
            };
            if let Some((sender, born)) = self.pool.take(&key) {
                return Ok((sender, born, key, true));
            }
            let sender = self.open(&key, &name).await?;
            Ok((sender, Instant::now(), key, false))
        };
        let (sender, born, key, reused) = timeout(self.limits.connect_timeout, connect)
            .await
            .map_err(|_| OutboundError::Timeout)??;
        Ok(Connection {
            client: self.clone(),
            sender,
            born,
            key,
            name,
            reused,
            authority: receiver.authority(),
            base_path: receiver.base_path().to_owned(),
            deadline,
            max_response: self.limits.max_response,
        })
    }

    /// A new connection to one of `key`'s checked addresses, TLS and HTTP handshakes done.
    async fn open(&self, key: &Key, name: &ServerName<'static>) -> Result<Sender, OutboundError> {
        let tcp = connect_any(&key.addrs).await?;
        if key.tls {
            let tls = tokio_rustls::TlsConnector::from(Arc::clone(&self.tls))
                .connect(name.clone(), tcp)
                .await
                .map_err(|e| {
                    tracing::info!(error = %e, "forward: TLS handshake failed");
                    OutboundError::Failed
                })?;
            handshake(tls).await
        } else {
            handshake(tcp).await
        }
    }

    /// Every address of the receiver's host, each one checked; refused whole if any is not
    /// allowed (a name must not resolve to a mix of public and private addresses).
    async fn resolve(&self, receiver: &ReceiverUrl) -> Result<Vec<SocketAddr>, OutboundError> {
        let port = receiver.port();
        let addrs: Vec<SocketAddr> = match receiver.host() {
            Host::Ipv4(ip) => vec![SocketAddr::new(IpAddr::V4(*ip), port)],
            Host::Ipv6(ip) => vec![SocketAddr::new(IpAddr::V6(*ip), port)],
            Host::Domain(name) => tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|e| {
                    tracing::info!(error = %e, "forward: resolving the receiver failed");
                    OutboundError::Failed
                })?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(OutboundError::Failed);
        }
        if let Some(refused) = addrs.iter().find(|a| !receiver.allows(a.ip(), self.dev)) {
            tracing::warn!(
                address = %refused.ip(),
                "forward: the receiver's host resolves to an address that is not allowed"
            );
            return Err(OutboundError::NotAllowed);
        }
        Ok(addrs)
    }
}

async fn connect_any(addrs: &[SocketAddr]) -> Result<TcpStream, OutboundError> {
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Err(e) => tracing::info!(error = %e, "forward: connecting to the receiver failed"),
        }
    }
    Err(OutboundError::Failed)
}

async fn handshake<S>(io: S) -> Result<Sender, OutboundError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = http1::Builder::new()
        .handshake(TokioIo::new(io))
        .await
        .map_err(|_| OutboundError::Failed)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "forward: connection closed with an error");
        }
    });
    Ok(sender)
}

/// A request body kept in a zeroizing buffer, handed to hyper without a copy of ours.
pub struct SecretBody {
    bytes: Zeroizing<Vec<u8>>,
    at: usize,
}

impl SecretBody {
    /// Wraps a filled body.
    pub fn new(bytes: Zeroizing<Vec<u8>>) -> SecretBody {
        SecretBody { bytes, at: 0 }
    }
}

impl Buf for SecretBody {
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }

    fn chunk(&self) -> &[u8] {
        self.bytes.get(self.at..).unwrap_or_default()
    }

    fn advance(&mut self, cnt: usize) {
        self.at = self.at.saturating_add(cnt).min(self.bytes.len());
    }
}

/// The request, filled.
pub struct Outbound {
    /// The method.
    pub method: Method,
    /// The path and query, checked, relative to the receiver's base path.
    pub path: String,
    /// Header names and values (values marked sensitive), the vault's own ones excluded.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    pub body: Zeroizing<Vec<u8>>,
}

/// The receiver's answer, before masking.
pub struct Inbound {
    /// The status code.
    pub status: u16,
    /// Header names and values, hop-by-hop and cookie headers dropped.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body, at most the cap.
    pub body: Zeroizing<Vec<u8>>,
}

/// A connection to a receiver, ready for one request (and kept for the next forward when the
/// exchange completes cleanly).
pub struct Connection {
    client: Client,
    sender: Sender,
    born: Instant,
    key: Key,
    name: ServerName<'static>,
    /// Taken from the idle ones: the receiver may have closed it meanwhile.
    reused: bool,
    authority: String,
    base_path: String,
    deadline: Instant,
    max_response: usize,
}

/// Headers that belong to one hop (RFC 9110 §7.6.1) or carry cookies: never passed on either
/// way. The vault sets `Host`, `Content-Length` and `Accept-Encoding` itself.
pub fn is_dropped(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "cookie"
            | "set-cookie"
            | "host"
            | "content-length"
            | "accept-encoding"
    )
}

impl Connection {
    /// Sends the request and reads the answer.
    pub async fn send(self, outbound: Outbound) -> Result<Inbound, OutboundError> {
        let deadline = self.deadline;
        let exchange = async move {
            let target = format!("{}{}", self.base_path, outbound.path);
            let mut request = Request::builder()
                .method(outbound.method)
                .uri(target)
                .body(Full::new(SecretBody::new(outbound.body)))
                .map_err(|_| OutboundError::Failed)?;
            let headers = request.headers_mut();
            for (name, value) in outbound.headers {
                if !is_dropped(&name) {
                    headers.append(name, value);
                }
            }
            let host = HeaderValue::from_str(&self.authority).map_err(|_| OutboundError::Failed)?;
            headers.insert(header::HOST, host);
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static("identity"),
            );
            let mut sender = self.sender;
            let mut born = self.born;
            if self.reused && sender.ready().await.is_err() {
                // Closed by the receiver while idle: a new one, to the same checked addresses.
                sender = self.client.open(&self.key, &self.name).await?;
                born = Instant::now();
            }
            let response = match sender.try_send_request(request).await {
                Ok(response) => response,
                Err(mut e) => match (self.reused, e.take_message()) {
                    // The receiver closed the idle connection as it was taken, before any of the
                    // request went out: sent once, on a new connection.
                    (true, Some(request)) => {
                        sender = self.client.open(&self.key, &self.name).await?;
                        born = Instant::now();
                        sender.send_request(request).await.map_err(|e| {
                            tracing::info!(error = %e, "forward: the receiver's answer failed");
                            OutboundError::Failed
                        })?
                    }
                    _ => {
                        tracing::info!(error = %e.error(), "forward: the receiver's answer failed");
                        return Err(OutboundError::Failed);
                    }
                },
            };
            let (parts, mut body) = response.into_parts();
            // Every `Content-Encoding` line, and any transfer coding but `chunked` (which hyper
            // removes): a compressed body could not be masked.
            let compressed = |v: &header::HeaderValue, plain: &[u8]| {
                v.as_bytes()
                    .split(|&b| b == b',')
                    .map(<[u8]>::trim_ascii)
                    .any(|coding| !coding.eq_ignore_ascii_case(plain))
            };
            let encoded = parts
                .headers
                .get_all(header::CONTENT_ENCODING)
                .iter()
                .any(|v| compressed(v, b"identity"))
                || parts
                    .headers
                    .get_all(header::TRANSFER_ENCODING)
                    .iter()
                    .any(|v| compressed(v, b"chunked"));
            if encoded {
                tracing::info!("forward: the receiver answered with a compressed body");
                return Err(OutboundError::Failed);
            }
            let declared = parts
                .headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if declared.is_some_and(|n| n > self.max_response) {
                return Err(OutboundError::TooLarge);
            }
            let mut bytes = Zeroizing::new(Vec::with_capacity(
                declared.unwrap_or(16 * 1024).min(self.max_response),
            ));
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|_| OutboundError::Failed)?;
                if let Ok(data) = frame.into_data() {
                    if bytes.len().saturating_add(data.len()) > self.max_response {
                        return Err(OutboundError::TooLarge);
                    }
                    bytes.extend_from_slice(&data);
                }
            }
            // Names listed in `Connection` are hop-by-hop too.
            let listed: Vec<String> = parts
                .headers
                .get_all(header::CONNECTION)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|n| n.trim().to_ascii_lowercase())
                .collect();
            let headers = parts
                .headers
                .iter()
                .filter(|(name, _)| !is_dropped(name) && !listed.iter().any(|l| l == name.as_str()))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect();
            // Read to its end: the connection is kept for the next forward, once hyper has
            // seen the exchange through (unless either side asked for it to close).
            let pool = Arc::clone(&self.client.pool);
            let key = self.key;
            tokio::spawn(async move {
                if let Ok(Ok(())) = timeout(Duration::from_secs(1), sender.ready()).await {
                    pool.put(key, sender, born);
                }
            });
            Ok(Inbound {
                status: parts.status.as_u16(),
                headers,
                body: bytes,
            })
        };
        timeout_at(deadline, exchange)
            .await
            .map_err(|_| OutboundError::Timeout)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real HTTP/1.1 connection to a loopback listener that accepts and holds it.
    async fn sender() -> Sender {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((tcp, _)) = listener.accept().await {
                held.push(tcp);
            }
        });
        let mut sender = handshake(TcpStream::connect(addr).await.unwrap())
            .await
            .unwrap();
        // As after a forward: hyper's connection task has run and wants the next request.
        sender.ready().await.unwrap();
        sender
    }

    fn key(addrs: &[&str]) -> Key {
        Key {
            tls: true,
            host: "processor.example".to_owned(),
            port: 443,
            addrs: addrs.iter().map(|a| a.parse().unwrap()).collect(),
        }
    }

    #[tokio::test]
    async fn an_idle_connection_serves_only_the_same_checked_addresses() {
        let pool = Pool::default();
        let was = key(&["198.51.100.7:443", "203.0.113.9:443"]);
        pool.put(was.clone(), sender().await, Instant::now());
        assert_eq!(pool.len(), 1);
        // The host now resolves to a set that differs by one address: not this connection.
        assert!(pool.take(&key(&["198.51.100.7:443"])).is_none());
        assert!(
            pool.take(&key(&["198.51.100.7:443", "203.0.113.10:443"]))
                .is_none()
        );
        let other_host = Key {
            host: "other.example".to_owned(),
            ..was.clone()
        };
        assert!(pool.take(&other_host).is_none());
        let plain = Key {
            tls: false,
            ..was.clone()
        };
        assert!(pool.take(&plain).is_none());
        assert!(pool.take(&was).is_some());
        assert_eq!(pool.len(), 0);
    }

    #[tokio::test]
    async fn idle_connections_are_bounded_and_expire() {
        let pool = Pool::default();
        let k = key(&["198.51.100.7:443"]);
        for _ in 0..IDLE_PER_HOST + 3 {
            pool.put(k.clone(), sender().await, Instant::now());
        }
        assert_eq!(pool.len(), IDLE_PER_HOST);

        tokio::time::pause();
        tokio::time::advance(IDLE_TIMEOUT - Duration::from_secs(1)).await;
        assert!(pool.take(&k).is_some(), "idle less than the timeout");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(pool.take(&k).is_none(), "idle past the timeout");
        assert_eq!(pool.len(), 0);

        // Kept busy (taken and given back every 10 s), a connection still ends at its maximum
        // age.
        let born = Instant::now();
        pool.put(k.clone(), sender().await, born);
        while Instant::now().duration_since(born) < MAX_AGE - Duration::from_secs(10) {
            tokio::time::advance(Duration::from_secs(10)).await;
            let (again, born_then) = pool.take(&k).unwrap();
            assert_eq!(born_then, born);
            pool.put(k.clone(), again, born_then);
        }
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(pool.take(&k).is_none(), "past its maximum age");
        // And one that old is not taken back.
        pool.put(k.clone(), sender().await, born);
        assert_eq!(pool.len(), 0);
    }

    #[tokio::test]
    async fn a_connection_its_receiver_closed_is_not_kept() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let closing = tokio::spawn(async move { drop(listener.accept().await.unwrap()) });
        let sender = handshake(TcpStream::connect(addr).await.unwrap())
            .await
            .unwrap();
        closing.await.unwrap();
        let k = key(&["198.51.100.7:443"]);
        let pool = Pool::default();
        pool.put(k.clone(), sender, Instant::now());
        // hyper sees the end of the stream on its connection task.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.len() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
            pool.idle.lock().unwrap().sweep(Instant::now());
        }
        assert!(pool.take(&k).is_none());
    }
}
