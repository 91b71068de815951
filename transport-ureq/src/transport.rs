//! One request at a time: the ureq agent, its settings and the error mapping.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use ureq::Agent;
use ureq::tls::{TlsConfig, TlsProvider};
use webwx_core::TransportErrorKind;
use webwx_transport::{Options, Proxy, StartError};

/// A failed request: the kind the core understands, and ureq's error for logs.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: ureq::Error,
}

impl TransportError {
    /// What the core is told.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// ureq's error. Its `Display` may quote the request URI, whose query holds the
    /// session's secrets: do not log it.
    pub fn ureq_error(&self) -> &ureq::Error {
        &self.source
    }
}

impl fmt::Display for TransportError {
    /// The kind and a detail that never contains the URL (whose query carries the
    /// session's secrets): safe to log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ureq::Error as E;
        write!(f, "{}", self.kind)?;
        match &self.source {
            E::Io(io) => write!(f, ": {io}"),
            E::Timeout(t) => write!(f, ": {t:?} timeout"),
            E::HostNotFound => write!(f, ": host not found"),
            E::ConnectionFailed => write!(f, ": connection failed"),
            E::BodyExceedsLimit(n) => write!(f, ": body over {n} bytes"),
            E::Tls(m) => write!(f, ": TLS: {m}"),
            E::Rustls(e) => write!(f, ": TLS: {e}"),
            // Other variants may quote the URI or headers.
            _ => Ok(()),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The HTTP client of a driver: a ureq [`Agent`] set up for WeChat Web — no redirects
/// followed (newloginpage's bare 301 must reach the core), no cookie jar (the core owns
/// cookies), 4xx/5xx delivered as responses, rustls with the ring provider, a body limit.
///
/// Cheap to clone; clones share the connection pool. Many sessions can share one.
#[derive(Clone)]
pub struct Transport {
    agent: Agent,
    options: Arc<Options>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("max_body", &self.options.max_body)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport with `options`. Fails on a [`Proxy::Url`] that is not an `http://`
    /// proxy.
    pub fn new(options: &Options) -> Result<Transport, StartError> {
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .build();
        let mut builder = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .save_redirect_history(false)
            .tls_config(tls)
            .max_idle_connections_per_host(options.max_idle_per_host)
            .max_idle_age(options.pool_idle_timeout)
            .timeout_connect(Some(options.connect_timeout))
            // The core sends the browser's User-Agent; never add ureq's.
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None);
        builder = match &options.proxy {
            Proxy::None => builder.proxy(None),
            // ureq's default: ALL_PROXY / HTTPS_PROXY / HTTP_PROXY, with NO_PROXY.
            Proxy::FromEnv => builder.proxy(ureq::Proxy::try_from_env()),
            Proxy::Url(url) => {
                webwx_transport::http_proxy_uri(url)?;
                let p = ureq::Proxy::new(url).map_err(|e| StartError::Proxy(e.to_string()))?;
                builder.proxy(Some(p))
            }
            _ => builder.proxy(None),
        };
        Ok(Transport {
            agent: builder.build().new_agent(),
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
    pub fn execute(
        &self,
        request: Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        let resp = self.run(request, timeout)?;
        let (parts, mut body) = resp.into_parts();
        let bytes = body
            .with_config()
            .limit(self.options.max_body)
            .read_to_vec()
            .map_err(TransportError::from)?;
        let mut out = Response::from_parts(parts, bytes);
        // ureq's own bookkeeping is of no use to the core.
        out.extensions_mut().clear();
        Ok(out)
    }

    /// Sends a download's `request` and, when the core's checks accept the answer's head
    /// and first bytes, streams its body into `writer` (see [`webwx_transport::stream`]):
    /// the core then gets a head-only response marked
    /// [`Streamed`](webwx_core::media::Streamed). Any other answer comes back whole (up
    /// to [`Options::max_body`]), for the core to judge. A failure of `writer` is kept in
    /// `write_error`.
    pub fn stream(
        &self,
        request: Request<Vec<u8>>,
        timeout: Duration,
        endpoint: &str,
        writer: &mut (impl std::io::Write + ?Sized),
        write_error: &mut Option<std::io::Error>,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        use std::io::Read;
        use webwx_transport::stream;
        let resp = self.run(request, timeout)?;
        let (mut parts, body) = resp.into_parts();
        parts.extensions.clear();
        let mut reader = body.into_reader();
        let mut prefix = Vec::with_capacity(stream::PREFIX);
        (&mut reader)
            .take(stream::PREFIX as u64)
            .read_to_end(&mut prefix)
            .map_err(io_error)?;
        if !stream::accepts(endpoint, &parts, &prefix) {
            // Not for the writer: the whole answer, for the core.
            let room = self.options.max_body.saturating_sub(prefix.len() as u64);
            let mut rest = Vec::new();
            (&mut reader)
                .take(room.saturating_add(1))
                .read_to_end(&mut rest)
                .map_err(io_error)?;
            if rest.len() as u64 > room {
                return Err(TransportError::from(ureq::Error::BodyExceedsLimit(
                    self.options.max_body,
                )));
            }
            prefix.extend_from_slice(&rest);
            return Ok(Response::from_parts(parts, prefix));
        }
        let streamed = stream::copy_blocking(
            &prefix,
            |buf| reader.read(buf),
            writer,
            webwx_transport::classify_io,
            write_error,
        );
        Ok(stream::streamed_response(&parts, streamed))
    }

    /// Sends `request`; the answer's body is left unread.
    fn run(
        &self,
        request: Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Response<ureq::Body>, TransportError> {
        let connect = self.options.connect_timeout.min(timeout);
        let result = if request.body().is_empty() && !has_body_method(request.method()) {
            let (parts, _) = request.into_parts();
            let req = self
                .agent
                .configure_request(Request::from_parts(parts, ()))
                .timeout_global(Some(timeout))
                .timeout_connect(Some(connect))
                .build();
            self.agent.run(req)
        } else {
            let req = self
                .agent
                .configure_request(request)
                .timeout_global(Some(timeout))
                .timeout_connect(Some(connect))
                .build();
            self.agent.run(req)
        };
        result.map_err(TransportError::from)
    }
}

/// A read of the body failed: ureq's error inside, when it is one.
fn io_error(e: std::io::Error) -> TransportError {
    match e.downcast::<ureq::Error>() {
        Ok(u) => TransportError::from(u),
        Err(e) => TransportError::from(ureq::Error::Io(e)),
    }
}

fn has_body_method(m: &http::Method) -> bool {
    matches!(
        *m,
        http::Method::POST | http::Method::PUT | http::Method::PATCH
    )
}

impl From<ureq::Error> for TransportError {
    fn from(source: ureq::Error) -> Self {
        TransportError {
            kind: classify(&source),
            source,
        }
    }
}

/// The core's name for a ureq failure.
pub fn classify(e: &ureq::Error) -> TransportErrorKind {
    use ureq::Error as E;
    use ureq::Timeout as T;
    match e {
        E::Timeout(T::Resolve | T::Connect) => TransportErrorKind::Connect,
        E::Timeout(_) => TransportErrorKind::Timeout,
        E::HostNotFound | E::ConnectionFailed => TransportErrorKind::Connect,
        E::Tls(_) | E::Rustls(_) | E::Pem(_) => TransportErrorKind::Connect,
        E::BodyExceedsLimit(_) => TransportErrorKind::TooLarge,
        E::Io(io) => webwx_transport::classify_io(io),
        E::Protocol(_) => TransportErrorKind::Reset,
        _ => TransportErrorKind::Other,
    }
}
