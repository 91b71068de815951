//! The browser relay: a small, stateless HTTP server that lets a page (or anything else
//! that cannot set `Cookie` or read `Set-Cookie`) talk to WeChat Web, and that is safe to
//! leave running on someone's machine.
//!
//! A request for `/HOST/PATH?Q` is sent upstream as `https://HOST/PATH?Q`; the
//! `x-wx-cookie`, `x-wx-referer` and `x-wx-user-agent` headers travel upstream under
//! their real names; every `Set-Cookie` of the answer reaches the browser only as
//! `x-wx-set-cookie` (the mapping is [`webwx_core::relay`]'s, so client and relay cannot
//! drift apart). What it refuses, and why:
//!
//! - **Not a relay-mode client** (403, `x-wx-relay-error: not-relay-mode`): every relayed
//!   request but a preflight must carry `x-wx-relay: 1`, which the core adds in relay
//!   mode. A link click, an `<img>` or a form post cannot add a header, and a page of
//!   another origin cannot without a CORS preflight the relay refuses it.
//! - **An answer acting as a page**: every relayed answer carries
//!   `Content-Security-Policy: sandbox; default-src 'none'` and
//!   `X-Content-Type-Options: nosniff`, so HTML from an allowed host never runs as a page
//!   of the relay's origin (127.0.0.1, whose cookies every local service shares).
//! - **The browser's own credentials**: upstream gets only the renamed headers and the
//!   few plain headers the protocol needs ([`webwx_core::relay::FORWARDED_HEADERS`], an
//!   allowlist): never the browser's `Cookie`, `Authorization`, `Referer`, `User-Agent`,
//!   `Origin`, `Sec-Fetch-*`, `Forwarded`, `X-Forwarded-*` or `Proxy-*`. The browser
//!   gets back only [`webwx_core::relay::RETURNED_HEADERS`] (no `Set-Cookie`,
//!   `Clear-Site-Data`, `Refresh`…).
//! - **Another origin** (403, `origin-not-allowed`): CORS is answered only for
//!   [`RelayOptions::cors_origins`], exactly, with `Vary: Origin`; the relay's own origin
//!   needs none.
//! - **Another `Host`** (421, `bad-host`): only the loopback names, the address the
//!   connection came in on and [`RelayOptions::accept_hosts`], with the relay's port:
//!   a page on a name rebound to 127.0.0.1 (DNS rebinding) gets nothing.
//! - **Dot segments** (400, `bad-path`): `/wx.qq.com/../x`, `%2e%2e` in any case, encoded
//!   slashes and backslashes.
//! - **Hosts outside the allowlist** (403, `not-allowed`): by default exactly the hosts
//!   of the core's domain table ([`default_allow`]); never an open proxy.
//! - **Slow or large clients**: headers within [`RelayOptions::header_timeout`], the body
//!   within [`RelayOptions::body_timeout`] (408) and [`RelayOptions::max_request_body`]
//!   (413), at most [`RelayOptions::max_connections`] connections; answers are streamed
//!   (never held whole) up to [`RelayOptions::max_body`].
//!
//! With [`RelayOptions::static_dir`] it also serves a page and its files from its own
//! origin (no `x-wx-relay` needed there), so that page needs no CORS at all. It binds the
//! loopback interface by default.
//!
//! ```no_run
//! # async fn f() -> std::io::Result<()> {
//! use webwx_hyper::relay::RelayOptions;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
//! let options = RelayOptions::default().static_dir(Some("examples/browser".into()));
//! webwx_hyper::relay::serve(listener, options).await
//! # }
//! ```
//!
//! A page of that origin then calls it through the core in relay mode
//! (`Config::origin("http://127.0.0.1:8787")` plus `rename_headers(true)`).

mod access;
mod allow;
mod body;
mod options;
mod static_files;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use webwx_core::TransportErrorKind;
use webwx_core::relay::{decode_path, decode_request, encode_response, is_relay_mode};

use crate::transport::{BuildError, Transport};
use access::{OriginCheck, add_cors, check_origin};
use webwx_transport::{Options, Proxy};

pub use access::host_ok;
pub use allow::{default_allow, is_allowed};
pub use body::RelayBody;
pub use options::{
    DEFAULT_LISTEN, DEFAULT_MAX_BODY, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_REQUEST_BODY,
    RelayOptions,
};

/// Response header naming a relay-side failure (`connect`, `timeout`, `not-allowed`,
/// `not-relay-mode`, `origin-not-allowed`, `bad-host`, `bad-path`, `too-large`,
/// `body-timeout`…).
pub const RELAY_ERROR_HEADER: &str = "x-wx-relay-error";

/// The `Content-Security-Policy` of every relayed answer: a sandboxed document that may
/// load nothing.
pub const RELAYED_CSP: &str = "sandbox; default-src 'none'";

/// Largest request or response head a client connection may buffer.
const MAX_HEAD: usize = 64 * 1024;

/// A relay: the options and the upstream client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Relay {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    options: RelayOptions,
    transport: Transport,
}

/// Where a request goes.
enum Route {
    /// Upstream, to this allowed host.
    Relay(String),
    /// The static folder.
    Static,
}

impl Relay {
    /// A relay with `options`.
    pub fn new(options: RelayOptions) -> Result<Relay, BuildError> {
        // The relay connects upstream directly, as it always has.
        let transport = Transport::new(
            &Options::default()
                .max_body(options.max_body as u64)
                .proxy(Proxy::None),
        )?;
        Ok(Relay {
            inner: Arc::new(Inner { options, transport }),
        })
    }

    /// The options.
    pub fn options(&self) -> &RelayOptions {
        &self.inner.options
    }

    /// Answers one request that came in on a connection to `local` (the relay's own
    /// address, for the `Host` check). This is the whole relay minus the socket handling;
    /// [`serve`] calls it for every request.
    pub async fn handle<B>(&self, req: Request<B>, local: SocketAddr) -> Response<RelayBody>
    where
        B: Body<Data = Bytes> + Send + Unpin,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let opts = &self.inner.options;
        // An absolute-form target (`GET http://other/ HTTP/1.1`) is a proxy request.
        if req.uri().scheme().is_some() || req.uri().authority().is_some() {
            return guarded(error(
                StatusCode::BAD_REQUEST,
                "bad-path",
                "origin-form only",
            ));
        }
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned);
        let Some(host) = host.filter(|h| host_ok(h, local, &opts.accept_hosts)) else {
            tracing::info!(host = ?req.headers().get(header::HOST), "relay refused a Host");
            return guarded(error(
                StatusCode::MISDIRECTED_REQUEST,
                "bad-host",
                "this Host is not the relay's",
            ));
        };
        if webwx_core::relay::has_dot_segment(req.uri().path()) {
            return guarded(error(
                StatusCode::BAD_REQUEST,
                "bad-path",
                "dot segments and encoded slashes are refused",
            ));
        }
        match self.route(&req) {
            Ok(Route::Static) => {
                let dir = opts.static_dir.as_deref().expect("routed to static");
                static_files::serve(dir, req.method(), req.uri().path(), opts.max_body).await
            }
            Ok(Route::Relay(upstream_host)) => {
                let origin = check_origin(req.headers(), &host, &opts.cors_origins);
                let mut resp = self.relay(req, upstream_host, &origin).await;
                add_cors(resp.headers_mut(), &origin);
                guarded(resp)
            }
            Err(resp) => {
                let origin = check_origin(req.headers(), &host, &opts.cors_origins);
                let mut resp = *resp;
                add_cors(resp.headers_mut(), &origin);
                guarded(resp)
            }
        }
    }

    /// Relay paths of allowed hosts go upstream; the rest to the static folder when there
    /// is one and the request is not a relay-mode one, else it is refused.
    fn route<B>(&self, req: &Request<B>) -> Result<Route, Box<Response<RelayBody>>> {
        let opts = &self.inner.options;
        let refused = match decode_path(&opts.prefix, req.uri()) {
            Ok((host, _)) if is_allowed(&host, &opts.allow) => return Ok(Route::Relay(host)),
            Ok((host, _)) => {
                tracing::info!(%host, "relay refused a host outside the allowlist");
                error(StatusCode::FORBIDDEN, "not-allowed", "host not allowed")
            }
            Err(e) => error(StatusCode::BAD_REQUEST, "bad-path", &e.to_string()),
        };
        let for_relay = is_relay_mode(req.headers())
            || req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if opts.static_dir.is_some() && !for_relay {
            Ok(Route::Static)
        } else {
            Err(Box::new(refused))
        }
    }

    async fn relay<B>(
        &self,
        req: Request<B>,
        host: String,
        origin: &OriginCheck,
    ) -> Response<RelayBody>
    where
        B: Body<Data = Bytes> + Send + Unpin,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if matches!(origin, OriginCheck::Refused) {
            tracing::info!(origin = ?req.headers().get(header::ORIGIN), "relay refused an origin");
            return error(
                StatusCode::FORBIDDEN,
                "origin-not-allowed",
                "origin not allowed (see --cors-origin)",
            );
        }
        if req.method() == Method::OPTIONS {
            return preflight(origin);
        }
        if req.method() != Method::GET && req.method() != Method::POST {
            let mut r = error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method",
                "GET and POST only",
            );
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            return r;
        }
        if !is_relay_mode(req.headers()) {
            return error(
                StatusCode::FORBIDDEN,
                "not-relay-mode",
                "x-wx-relay: 1 missing: only a relay-mode client (origin override with \
                 header renaming) may use the relay",
            );
        }
        let (parts, body) = req.into_parts();
        let body = match self.read_body(&parts.headers, body).await {
            Ok(b) => b,
            Err(resp) => return *resp,
        };
        self.forward(Request::from_parts(parts, body), host).await
    }

    /// Reads a request body within `max_request_body` and `body_timeout`.
    async fn read_body<B>(
        &self,
        headers: &http::HeaderMap,
        body: B,
    ) -> Result<Vec<u8>, Box<Response<RelayBody>>>
    where
        B: Body<Data = Bytes> + Send + Unpin,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let opts = &self.inner.options;
        let too_large = || {
            let mut r = error(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "body too large");
            close(&mut r);
            Box::new(r)
        };
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > opts.max_request_body as u64) {
            return Err(too_large());
        }
        let read = Limited::new(body, opts.max_request_body).collect();
        match tokio::time::timeout(opts.body_timeout, read).await {
            Ok(Ok(b)) => Ok(b.to_bytes().to_vec()),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
            Ok(Err(_)) => {
                let mut r = error(
                    StatusCode::BAD_REQUEST,
                    "bad-body",
                    "request body unreadable",
                );
                close(&mut r);
                Err(Box::new(r))
            }
            Err(_) => {
                tracing::info!("relay cut off a request body that took too long");
                let mut r = error(
                    StatusCode::REQUEST_TIMEOUT,
                    "body-timeout",
                    "request body too slow",
                );
                close(&mut r);
                Err(Box::new(r))
            }
        }
    }

    async fn forward(&self, req: Request<Vec<u8>>, host: String) -> Response<RelayBody> {
        let opts = &self.inner.options;
        let (_, mut up) = match decode_request(&opts.prefix, req) {
            Ok(r) => r,
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad-path", &e.to_string()),
        };
        if let Some(base) = &opts.upstream_override {
            let pq = up.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = if opts.upstream_relay_form {
                format!("{base}/{host}{pq}")
            } else {
                format!("{base}{pq}")
            };
            match target.parse::<Uri>() {
                Ok(uri) => *up.uri_mut() = uri,
                Err(e) => return error(StatusCode::BAD_GATEWAY, "bad-upstream", &e.to_string()),
            }
            if let Ok(v) = HeaderValue::from_str(&host) {
                up.headers_mut().insert(header::HOST, v);
            }
        }
        tracing::debug!(%host, path = up.uri().path(), "relaying");
        match self.inner.transport.send(up, opts.timeout).await {
            Ok(resp) => {
                let announced = resp.body().size_hint().lower();
                if announced > opts.max_body as u64 {
                    return error(StatusCode::BAD_GATEWAY, "too-large", "answer too large");
                }
                let resp = encode_response(resp);
                resp.map(|b| RelayBody::upstream(b, opts.max_body, opts.timeout))
            }
            Err(e) => {
                tracing::debug!(%host, error = %e, "upstream failed");
                let (status, name) = match e.kind() {
                    TransportErrorKind::Timeout => (StatusCode::GATEWAY_TIMEOUT, "timeout"),
                    TransportErrorKind::Connect => (StatusCode::BAD_GATEWAY, "connect"),
                    TransportErrorKind::Reset => (StatusCode::BAD_GATEWAY, "reset"),
                    TransportErrorKind::TooLarge => (StatusCode::BAD_GATEWAY, "too-large"),
                    _ => (StatusCode::BAD_GATEWAY, "other"),
                };
                error(status, name, &e.kind().to_string())
            }
        }
    }
}

/// A CORS preflight of an allowed origin (or none).
fn preflight(origin: &OriginCheck) -> Response<RelayBody> {
    let mut resp = Response::new(RelayBody::bytes(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    if origin.allowed().is_some() {
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            access::allow_headers(),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    resp
}

/// Adds what makes any answer of the relay inert as a document.
fn guarded(mut resp: Response<RelayBody>) -> Response<RelayBody> {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(RELAYED_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// Asks hyper to close the connection after this answer (a body left unread).
fn close(resp: &mut Response<RelayBody>) {
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

fn error(status: StatusCode, name: &'static str, message: &str) -> Response<RelayBody> {
    let mut resp = Response::new(RelayBody::bytes(format!("{message}\n")));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(RELAY_ERROR_HEADER, HeaderValue::from_static(name));
    resp
}

/// Binds [`RelayOptions::listen`] and serves forever.
pub async fn run(options: RelayOptions) -> std::io::Result<()> {
    let listener = TcpListener::bind(options.listen).await?;
    serve(listener, options).await
}

/// Serves the relay on `listener` forever: each connection on its own task, at most
/// [`RelayOptions::max_connections`] at once (the others wait to be accepted).
pub async fn serve(listener: TcpListener, options: RelayOptions) -> std::io::Result<()> {
    let relay = Relay::new(options).map_err(std::io::Error::other)?;
    if let Ok(addr) = listener.local_addr() {
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "the relay listens beyond the loopback interface");
        }
        tracing::info!(%addr, "relay listening");
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(
        relay.options().max_connections.max(1),
    ));
    loop {
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                tracing::info!("relay at max_connections: new connections wait");
                slots
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed")
            }
        };
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(local) = stream.local_addr() else {
            continue;
        };
        let relay = relay.clone();
        let header_timeout = relay.options().header_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| {
                let relay = relay.clone();
                async move { Ok::<_, Infallible>(relay.handle(req, local).await) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(MAX_HEAD)
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, error = %e, "relay connection ended");
            }
        });
    }
}
