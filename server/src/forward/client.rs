//! The outbound side of a forward: one HTTP/1.1 request on one connection of its own.
//!
//! The vault resolves the receiver's host itself, checks every address it got (see
//! [`super::address`]), and connects to a checked address, so no DNS answer is ever used
//! unchecked; an IP-literal host is checked the same way. Then TLS (rustls with aws-lc-rs,
//! TLS 1.2 or 1.3, the Mozilla roots built into the binary, `http/1.1` by ALPN) unless it is a
//! plain-HTTP loopback receiver in `--dev`. No proxy, no redirect (a 3xx is answered as it is),
//! no connection reuse, no compression (`Accept-Encoding: identity`; a compressed answer could
//! not be masked, so it is refused). Connecting (resolution, TCP and TLS) has its own timeout;
//! the whole exchange has another; the answer's body is capped.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
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

/// The outbound client.
#[derive(Clone)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
    dev: bool,
    limits: Limits,
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
        })
    }

    /// Whether loopback receivers may be used (`--dev`).
    pub fn dev(&self) -> bool {
        self.dev
    }

    /// Connects to the receiver: resolves, checks, connects, handshakes. Nothing is sent yet.
    pub async fn connect(&self, receiver: &ReceiverUrl) -> Result<Connection, OutboundError> {
        let deadline = Instant::now() + self.limits.total_timeout;
        if receiver.is_loopback() && !self.dev {
            return Err(OutboundError::NotAllowed);
        }
        let connect = async {
            let addrs = self.resolve(receiver).await?;
            let tcp = connect_any(&addrs).await?;
            if receiver.is_tls() {
                let name = match receiver.host() {
                    Host::Domain(name) => {
                        ServerName::try_from(name.clone()).map_err(|_| OutboundError::Failed)?
                    }
                    Host::Ipv4(ip) => ServerName::IpAddress(IpAddr::V4(*ip).into()),
                    Host::Ipv6(ip) => ServerName::IpAddress(IpAddr::V6(*ip).into()),
                };
                let tls = tokio_rustls::TlsConnector::from(Arc::clone(&self.tls))
                    .connect(name, tcp)
                    .await
                    .map_err(|e| {
                        tracing::info!(error = %e, "forward: TLS handshake failed");
                        OutboundError::Failed
                    })?;
                handshake(tls).await
            } else {
                handshake(tcp).await
            }
        };
        let sender = timeout(self.limits.connect_timeout, connect)
            .await
            .map_err(|_| OutboundError::Timeout)??;
        Ok(Connection {
            sender,
            authority: receiver.authority(),
            base_path: receiver.base_path().to_owned(),
            deadline,
            max_response: self.limits.max_response,
        })
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

async fn handshake<S>(io: S) -> Result<http1::SendRequest<Full<SecretBody>>, OutboundError>
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

/// A connection to a receiver, ready for one request.
pub struct Connection {
    sender: http1::SendRequest<Full<SecretBody>>,
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
    pub async fn send(mut self, outbound: Outbound) -> Result<Inbound, OutboundError> {
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
            self.sender
                .ready()
                .await
                .map_err(|_| OutboundError::Failed)?;
            let response = self.sender.send_request(request).await.map_err(|e| {
                tracing::info!(error = %e, "forward: the receiver's answer failed");
                OutboundError::Failed
            })?;
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
