//! The vault's own accept loop: how many connections it holds, for how long, and from whom.
//!
//! `axum::serve` accepts every connection and keeps it for as long as the peer likes: idle
//! sockets and slowloris senders (a header byte at a time) hold a descriptor each until the
//! process runs out (`accept: Too many open files`), and then nothing answers, `/healthz`
//! included. Here every connection is counted and bounded in time:
//!
//! - a **header-read timeout** (hyper's): a request's head must arrive whole within it, from the
//!   connection's start or, on a kept-alive connection, from its first byte;
//! - an **idle timeout**: a connection with no request in flight and no byte moved in either
//!   direction for that long is closed;
//! - a **TLS handshake timeout**;
//! - a **cap** on connections, overall and per client address. At the cap a new connection is
//!   not refused: the connection idle the longest (nothing in flight but a request whose body
//!   is still arriving) is closed to make room, so that idle, slow-head and slow-body
//!   connections cannot lock out a shopper or a merchant's server. Only when every connection
//!   has a request in flight, its body whole, is the new one closed at once. A trusted proxy
//!   (`--trusted-proxy`) is not capped per client: every client behind it arrives from its
//!   address, and capping it would cap them all together; it counts in the overall cap.
//!
//! Requests themselves are bounded by the router (`REQUEST_TIMEOUT`, body limits).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::TrustedProxies;

/// Descriptors kept back from the connection cap: the store's files and connections, the
/// runtime's own, standard streams, listeners.
const RESERVED_DESCRIPTORS: u64 = 64;
/// The default cap, whatever the descriptor limit allows.
const MAX_CONNECTIONS: usize = 16_384;
/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Pause after a failed `accept` (out of descriptors, most often) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The listener's bounds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections held at once.
    pub max_connections: usize,
    /// Connections held at once from one client address.
    pub per_client: usize,
    /// A request's head must arrive within this.
    pub header_read_timeout: Duration,
    /// A connection with nothing in flight is closed after this long without a byte.
    pub idle_timeout: Duration,
    /// A TLS handshake must finish within this.
    pub handshake_timeout: Duration,
}

impl Limits {
    /// The defaults for a process allowed `open_files` descriptors: each connection takes one,
    /// and a forward one more for its way out, so half of what is left after the reserve.
    pub fn for_open_files(open_files: u64) -> Limits {
        let share = open_files.saturating_sub(RESERVED_DESCRIPTORS) / 2;
        let max_connections = usize::try_from(share)
            .unwrap_or(usize::MAX)
            .clamp(1, MAX_CONNECTIONS);
        Limits {
            max_connections,
            per_client: (max_connections / 4).clamp(1, 256),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// One connection, as the cap sees it.
struct Connection {
    client: IpAddr,
    /// Milliseconds since the listener started when a byte last moved.
    last_active: AtomicU64,
    /// Requests dispatched and not yet answered.
    in_flight: AtomicUsize,
    /// Of those, the ones whose body has not arrived whole yet.
    reading: AtomicUsize,
    /// Closes the connection at once (chosen to make room).
    evict: Notify,
}

impl Connection {
    /// How long since a byte moved, if the connection may be closed to make room: nothing in
    /// flight but requests still sending their bodies (a shopper's or a merchant's body arrives
    /// at once; one that trickles in holds the connection as an idle one would).
    fn idle_for(&self, now: u64) -> Option<u64> {
        let reading = self.reading.load(Ordering::Acquire);
        (self.in_flight.load(Ordering::Acquire) <= reading)
            .then(|| now.saturating_sub(self.last_active.load(Ordering::Relaxed)))
    }
}

/// Every connection held, by id.
struct Registry {
    started: Instant,
    limits: Limits,
    /// Peers exempt from the per-client cap: the trusted proxies.
    exempt: Arc<TrustedProxies>,
    inner: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    next_id: u64,
    connections: HashMap<u64, Arc<Connection>>,
    per_client: HashMap<IpAddr, usize>,
}

impl Registry {
    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Makes room if needed and registers a connection from `client`; `None` when every
    /// connection it could close has a request in flight.
    fn admit(&self, client: IpAddr) -> Option<(u64, Arc<Connection>)> {
        let now = self.now();
        let mut held = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.exempt.contains(client)
            && held.per_client.get(&client).copied().unwrap_or(0) >= self.limits.per_client
        {
            held.evict_idlest(now, |c| c.client == client)?;
        } else if held.connections.len() >= self.limits.max_connections {
            held.evict_idlest(now, |_| true)?;
        }
        let id = held.next_id;
        held.next_id += 1;
        let connection = Arc::new(Connection {
            client,
            last_active: AtomicU64::new(now),
            in_flight: AtomicUsize::new(0),
            reading: AtomicUsize::new(0),
            evict: Notify::new(),
        });
        held.connections.insert(id, Arc::clone(&connection));
        *held.per_client.entry(client).or_default() += 1;
        Some((id, connection))
    }

    fn remove(&self, id: u64) {
        let mut held = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(connection) = held.connections.remove(&id)
            && let Some(count) = held.per_client.get_mut(&connection.client)
        {
            *count -= 1;
            if *count == 0 {
                held.per_client.remove(&connection.client);
            }
        }
    }
}

impl Held {
    /// Closes the connection among `which` idle the longest, and forgets it now (its task ends
    /// shortly). `None` when each of them has a request in flight.
    fn evict_idlest(&mut self, now: u64, which: impl Fn(&Connection) -> bool) -> Option<()> {
        let (&id, _) = self
            .connections
            .iter()
            .filter(|(_, c)| which(c))
            .filter_map(|(id, c)| c.idle_for(now).map(|idle| (id, idle)))
            .max_by_key(|&(_, idle)| idle)?;
        let connection = self.connections.remove(&id)?;
        connection.evict.notify_one();
        if let Some(count) = self.per_client.get_mut(&connection.client) {
            *count -= 1;
            if *count == 0 {
                self.per_client.remove(&connection.client);
            }
        }
        Some(())
    }
}

/// Forgets the connection when its task ends, however it ends.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

/// Counts a request in flight for as long as it lives.
struct InFlight(Arc<Connection>);

impl InFlight {
    fn new(connection: &Arc<Connection>) -> InFlight {
        connection.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(connection))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Counts a request whose body is still arriving, until it has arrived or is dropped.
struct Reading(Arc<Connection>);

impl Reading {
    fn new(connection: &Arc<Connection>) -> Reading {
        connection.reading.fetch_add(1, Ordering::AcqRel);
        Reading(Arc::clone(connection))
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.0.reading.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A request's body, counted as [`Reading`] until its end.
struct CountedBody {
    inner: Incoming,
    reading: Option<Reading>,
}

impl hyper::body::Body for CountedBody {
    type Data = bytes::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) || this.inner.is_end_stream() {
            this.reading = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// A stream that notes when a byte last moved.
struct Activity<S> {
    inner: S,
    connection: Arc<Connection>,
    registry: Arc<Registry>,
}

impl<S> Activity<S> {
    fn touch(&self) {
        self.connection
            .last_active
            .store(self.registry.now(), Ordering::Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Activity<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Activity<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.touch();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// TLS for the listener: the certificate chain and private key from PEM files, HTTP/1.1 only.
pub fn tls_acceptor(cert: &std::path::Path, key: &std::path::Path) -> Result<TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("reading the certificate chain {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no certificate", cert.display()));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("reading the private key {}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS: {e}"))?
    .with_no_client_auth()
    .with_single_cert(chain, private)
    .map_err(|e| format!("the certificate and key do not make a TLS identity: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `app` on `listener` (over TLS with `tls`) until `shutdown` resolves, then lets the
/// requests in flight finish for a few seconds. Connections from `trusted_proxies` are not
/// capped per client.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Limits,
    trusted_proxies: Arc<TrustedProxies>,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry {
        started: Instant::now(),
        limits,
        exempt: trusted_proxies,
        inner: Mutex::new(Held::default()),
    });
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::error!(error = %e, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let Some((id, connection)) = registry.admit(peer.ip()) else {
            // Every connection has a request in flight: this one is closed unanswered.
            continue;
        };
        let registered = Registered {
            registry: Arc::clone(&registry),
            id,
        };
        tasks.spawn(connection_task(
            stream,
            peer,
            tls.clone(),
            app.clone(),
            registered,
            connection,
            stopping.clone(),
        ));
    }
    let _ = stop.send(true);
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.abort_all();
    }
}

async fn connection_task(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    app: Router,
    registered: Registered,
    connection: Arc<Connection>,
    stopping: watch::Receiver<bool>,
) {
    let limits = registered.registry.limits;
    let _ = stream.set_nodelay(true);
    let io = Activity {
        inner: stream,
        connection: Arc::clone(&connection),
        registry: Arc::clone(&registered.registry),
    };
    match tls {
        None => serve_connection(io, peer, app, &registered, &connection, stopping).await,
        Some(acceptor) => {
            let handshake = tokio::select! {
                () = connection.evict.notified() => return,
                done = tokio::time::timeout(limits.handshake_timeout, acceptor.accept(io)) => done,
            };
            if let Ok(Ok(io)) = handshake {
                serve_connection(io, peer, app, &registered, &connection, stopping).await;
            }
        }
    }
}

/// HTTP/1.1 on one connection until it ends, is evicted, idles out, or the vault stops.
async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: S,
    peer: SocketAddr,
    app: Router,
    registered: &Registered,
    connection: &Arc<Connection>,
    mut stopping: watch::Receiver<bool>,
) {
    let registry = &registered.registry;
    let limits = registry.limits;
    let counted = Arc::clone(connection);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = InFlight::new(&counted);
        let request = request.map(|inner| {
            let reading =
                (!hyper::body::Body::is_end_stream(&inner)).then(|| Reading::new(&counted));
            axum::body::Body::new(CountedBody { inner, reading })
        });
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await;
            drop(in_flight);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut served = pin!(builder.serve_connection(TokioIo::new(io), service));
    let idle_ms = u64::try_from(limits.idle_timeout.as_millis()).unwrap_or(u64::MAX);
    let mut closing = *stopping.borrow();
    if closing {
        served.as_mut().graceful_shutdown();
    }
    loop {
        let idle_check = match connection.idle_for(registry.now()) {
            _ if closing => limits.idle_timeout,
            Some(idle) if idle >= idle_ms => {
                served.as_mut().graceful_shutdown();
                closing = true;
                limits.idle_timeout
            }
            Some(idle) => Duration::from_millis(idle_ms - idle).max(Duration::from_millis(10)),
            None => limits.idle_timeout,
        };
        tokio::select! {
            _ = served.as_mut() => return,
            () = connection.evict.notified() => return,
            changed = stopping.changed(), if !closing => {
                if changed.is_err() || *stopping.borrow() {
                    served.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
            () = tokio::time::sleep(idle_check) => {}
        }
    }
}
