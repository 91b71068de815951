//! One request at a time: the hyper client, its settings and the error mapping.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use webwx_core::TransportErrorKind;

/// Default limit on a response body: 64 MiB (media downloads can be large).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// Settings of the HTTP side of a driver.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Largest response body accepted; a larger one fails with
    /// [`TransportErrorKind::TooLarge`]. Default [`DEFAULT_MAX_BODY`].
    pub max_body: usize,
    /// Connect timeout (TCP), default 15 s; each request's own timeout still applies.
    pub connect_timeout: Duration,
    /// How long an idle keep-alive connection is kept. Default 60 s.
    pub pool_idle_timeout: Duration,
    /// Idle keep-alive connections kept per host. Default 8.
    pub pool_max_idle_per_host: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_body: DEFAULT_MAX_BODY,
            connect_timeout: Duration::from_secs(15),
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 8,
        }
    }
}

impl Options {
    /// The defaults.
    pub fn new() -> Self {
        Options::default()
    }

    /// Sets [`Options::max_body`].
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets [`Options::connect_timeout`].
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
}

/// Building a [`Transport`] failed (the TLS configuration was refused).
#[derive(Debug)]
pub struct BuildError(rustls::Error);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS setup failed: {}", self.0)
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

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
    client: HttpClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    max_body: usize,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport with `options`. Needs no runtime until the first request.
    pub fn new(options: &Options) -> Result<Transport, BuildError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(options.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(BuildError)?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = HttpClient::builder(TokioExecutor::new())
            .pool_idle_timeout(options.pool_idle_timeout)
            .pool_max_idle_per_host(options.pool_max_idle_per_host)
            .build(https);
        Ok(Transport {
            client,
            max_body: options.max_body,
        })
    }

    /// The response body limit.
    pub fn max_body(&self) -> usize {
        self.max_body
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
        let collected = Limited::new(body, self.max_body)
            .collect()
            .await
            .map_err(|e| {
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
