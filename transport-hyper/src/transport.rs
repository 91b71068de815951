//! One request at a time: the hyper client, its settings and the error mapping.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use webwx_core::TransportErrorKind;
use webwx_transport::{Options, Proxy, StartError};

/// Building a [`Transport`] failed: the shared [`StartError`] (kept under its old name).
pub type BuildError = StartError;

/// A failed request: the kind the core understands, and the underlying error for logs.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// What the core is told.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            source: source.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.source)?;
        let mut cause = self.source.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// The HTTP client of a driver: a hyper-util client over HTTP/1.1, rustls with the ring
/// provider passed explicitly and the webpki roots, `http://` and `https://` alike.
/// Redirects are never followed (hyper has no such thing), there is no cookie jar (the
/// core owns cookies), every status is a response and bodies are size-limited.
///
/// Cheap to clone; clones share the connection pool. Many sessions can share one.
#[derive(Clone)]
pub struct Transport {
    client: HttpClient<HttpsConnector<ProxyConnector>, Full<Bytes>>,
    options: Arc<Options>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("max_body", &self.options.max_body)
            .finish_non_exhaustive()
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// TCP connections, directly or through an HTTP proxy's `CONNECT` tunnel (TLS then runs
/// inside the tunnel), as the [`Proxy`] option and, for [`Proxy::FromEnv`], `NO_PROXY`
/// say.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    fn new(http: HttpConnector, proxy: &Proxy) -> Result<ProxyConnector, StartError> {
        let matcher = match proxy {
            Proxy::None => None,
            Proxy::FromEnv => Some(Matcher::from_env()),
            Proxy::Url(url) => {
                webwx_transport::http_proxy_uri(url)?;
                Some(Matcher::builder().all(url.clone()).build())
            }
            _ => None,
        };
        Ok(ProxyConnector {
            http,
            proxy: matcher.map(Arc::new),
        })
    }
}

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let intercept = self.proxy.as_ref().and_then(|m| m.intercept(&dst));
        let mut http = self.http.clone();
        match intercept {
            None => Box::pin(async move { http.call(dst).await.map_err(Into::into) }),
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                // The tunnel's target needs its port (hyper-util assumes 443 otherwise).
                let dst = with_port(dst);
                Box::pin(async move { tunnel.call(dst).await.map_err(Into::into) })
            }
        }
    }
}

/// `dst` with its scheme's default port written out.
fn with_port(dst: http::Uri) -> http::Uri {
    if dst.port().is_some() {
        return dst;
    }
    let port = if dst.scheme_str() == Some("http") {
        80
    } else {
        443
    };
    let Some(host) = dst.host() else {
        return dst;
    };
    let mut parts = dst.clone().into_parts();
    match format!("{host}:{port}").parse() {
        Ok(authority) => {
            parts.authority = Some(authority);
            http::Uri::from_parts(parts).unwrap_or(dst)
        }
        Err(_) => dst,
    }
}

impl Transport {
    /// A transport with `options`. Needs no runtime until the first request. Fails on
    /// a [`Proxy::Url`] that is not an `http://` proxy, or a refused TLS setup.
    pub fn new(options: &Options) -> Result<Transport, StartError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(options.connect_timeout));
        let connector = ProxyConnector::new(http, &options.proxy)?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| StartError::Tls(e.to_string()))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let client = HttpClient::builder(TokioExecutor::new())
            .pool_idle_timeout(options.pool_idle_timeout)
            .pool_max_idle_per_host(options.max_idle_per_host)
            // hyper panics below 8 KiB.
            .http1_max_buf_size(options.max_read_buffer.max(8 * 1024))
            .build(https);
        Ok(Transport {
            client,
            options: Arc::new(options.clone()),
        })
    }

    /// The options it was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The response body limit.
    pub fn max_body(&self) -> u64 {
        self.options.max_body
    }

    /// Sends `request` and reads the whole answer, giving up after `timeout` (connect,
    /// send, wait and body together). Any status is a response; only failures to get
    /// one are errors.
    pub async fn execute(
        &self,
        request: Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        match tokio::time::timeout(timeout, self.execute_unbounded(request)).await {
            Ok(r) => r,
            Err(elapsed) => Err(TransportError::new(TransportErrorKind::Timeout, elapsed)),
        }
    }

    /// Sends a download's `request` and, when the core's checks accept the answer's head
    /// and first bytes, streams its body into `writer` (see [`webwx_transport::stream`]):
    /// the core then gets a head-only response marked
    /// [`Streamed`](webwx_core::media::Streamed). Any other answer comes back whole (up
    /// to [`Options::max_body`]), for the core to judge. All within `timeout`; a failure
    /// of `writer` is kept in `write_error`.
    pub async fn stream<W: tokio::io::AsyncWrite + Unpin + ?Sized>(
        &self,
        request: Request<Vec<u8>>,
        timeout: Duration,
        endpoint: &str,
        writer: &mut W,
        write_error: &mut Option<std::io::Error>,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let resp = self.send(request, timeout).await?;
        let (parts, mut body) = resp.into_parts();
        let late = |e| TransportError::new(TransportErrorKind::Timeout, e);
        let limit = self.options.max_body;
        // The head and the first bytes.
        let mut prefix = Vec::new();
        let mut ended = false;
        while prefix.len() < webwx_transport::stream::PREFIX {
            match tokio::time::timeout_at(deadline, body.frame()).await {
                Err(e) => return Err(late(e)),
                Ok(None) => {
                    ended = true;
                    break;
                }
                Ok(Some(Err(e))) => return Err(TransportError::new(classify(&e), e)),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        prefix.extend_from_slice(&data);
                    }
                }
            }
        }
        if !webwx_transport::stream::accepts(endpoint, &parts, &prefix) {
            // Not for the writer: the whole answer, for the core.
            while !ended {
                if prefix.len() as u64 > limit {
                    return Err(TransportError::new(
                        TransportErrorKind::TooLarge,
                        format!("body over {limit} bytes"),
                    ));
                }
                match tokio::time::timeout_at(deadline, body.frame()).await {
                    Err(e) => return Err(late(e)),
                    Ok(None) => ended = true,
                    Ok(Some(Err(e))) => return Err(TransportError::new(classify(&e), e)),
                    Ok(Some(Ok(frame))) => {
                        if let Ok(data) = frame.into_data() {
                            prefix.extend_from_slice(&data);
                        }
                    }
                }
            }
            return Ok(Response::from_parts(parts, prefix));
        }
        use tokio::io::AsyncWriteExt as _;
        use webwx_core::media::Streamed;
        let mut len = 0u64;
        let mut chunk = Bytes::from(prefix);
        let streamed = loop {
            // In writes of at most CHUNK bytes, whatever the size of hyper's frames (at
            // most its read buffer).
            let mut broke = None;
            for piece in chunk.chunks(webwx_transport::stream::CHUNK) {
                let written = tokio::time::timeout_at(deadline, writer.write_all(piece)).await;
                match written {
                    Err(_) => {
                        broke = Some(Streamed::broken(len, TransportErrorKind::Timeout));
                        break;
                    }
                    Ok(Err(e)) => {
                        *write_error = Some(e);
                        broke = Some(Streamed::broken(len, TransportErrorKind::Other));
                        break;
                    }
                    Ok(Ok(())) => len += piece.len() as u64,
                }
            }
            if let Some(broken) = broke {
                break broken;
            }
            if ended {
                match writer.flush().await {
                    Ok(()) => break Streamed::complete(len),
                    Err(e) => {
                        *write_error = Some(e);
                        break Streamed::broken(len, TransportErrorKind::Other);
                    }
                }
            }
            match tokio::time::timeout_at(deadline, body.frame()).await {
                Err(_) => break Streamed::broken(len, TransportErrorKind::Timeout),
                Ok(None) => {
                    ended = true;
                    chunk = Bytes::new();
                }
                Ok(Some(Err(e))) => break Streamed::broken(len, classify(&e)),
                Ok(Some(Ok(frame))) => chunk = frame.into_data().unwrap_or_default(),
            }
        };
        Ok(webwx_transport::stream::streamed_response(&parts, streamed))
    }

    /// Sends `request` and returns the answer's head within `timeout`, its body unread
    /// (the relay streams it on).
    pub(crate) async fn send(
        &self,
        request: Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Response<Incoming>, TransportError> {
        match tokio::time::timeout(timeout, self.send_unbounded(request)).await {
            Ok(r) => r,
            Err(elapsed) => Err(TransportError::new(TransportErrorKind::Timeout, elapsed)),
        }
    }

    async fn send_unbounded(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Incoming>, TransportError> {
        let request = request.map(|b| Full::new(Bytes::from(b)));
        self.client.request(request).await.map_err(|e| {
            let kind = if e.is_connect() {
                TransportErrorKind::Connect
            } else {
                classify(&e)
            };
            TransportError::new(kind, e)
        })
    }

    async fn execute_unbounded(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        let resp = self.send_unbounded(request).await?;
        let (parts, body) = resp.into_parts();
        let limit = usize::try_from(self.options.max_body).unwrap_or(usize::MAX);
        let collected = Limited::new(body, limit).collect().await.map_err(|e| {
            let kind = if e.is::<http_body_util::LengthLimitError>() {
                TransportErrorKind::TooLarge
            } else {
                classify(&*e)
            };
            TransportError::new(kind, e)
        })?;
        Ok(Response::from_parts(parts, collected.to_bytes().to_vec()))
    }
}

/// The core's name for a hyper failure, found along the error's source chain.
pub fn classify(e: &(dyn std::error::Error + 'static)) -> TransportErrorKind {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut kind = TransportErrorKind::Other;
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return webwx_transport::classify_io(io);
        }
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                return TransportErrorKind::Timeout;
            }
            if h.is_incomplete_message() || h.is_canceled() || h.is_closed() || h.is_parse() {
                kind = TransportErrorKind::Reset;
            }
        }
        if err.is::<http_body_util::LengthLimitError>() {
            return TransportErrorKind::TooLarge;
        }
        cur = err.source();
    }
    kind
}
