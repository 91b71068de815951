//! The browser relay: a small, stateless HTTP server that lets a browser (or anything
//! else that cannot set `Cookie` or read `Set-Cookie`) talk to WeChat Web.
//!
//! A request for `/HOST/PATH?Q` is sent upstream as `https://HOST/PATH?Q`; the
//! `x-wx-cookie`, `x-wx-referer` and `x-wx-user-agent` headers travel upstream under
//! their real names; every `Set-Cookie` of the answer is copied into `x-wx-set-cookie`
//! (the mapping is [`webwx_core::relay`]'s, so client and relay cannot drift apart). CORS
//! preflights are answered. Only hosts matching the allowlist (`*.qq.com` and
//! `*.wechat.com` by default) are relayed — anything else gets 403: this is never an open
//! proxy. It binds the loopback interface by default.
//!
//! ```no_run
//! # async fn f() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
//! webwx_hyper::relay::serve(listener, webwx_hyper::relay::RelayOptions::default()).await
//! # }
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use webwx_core::TransportErrorKind;
use webwx_core::relay::{decode_request, encode_response};

use crate::transport::{BuildError, Options, Transport};

/// The default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// The default allowlist.
pub const DEFAULT_ALLOW: [&str; 2] = ["*.qq.com", "*.wechat.com"];

/// Response header naming a relay-side failure (`connect`, `timeout`, `not-allowed`…).
pub const RELAY_ERROR_HEADER: &str = "x-wx-relay-error";

/// How a relay behaves.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RelayOptions {
    /// Where [`run`] listens. Default [`DEFAULT_LISTEN`] (loopback).
    pub listen: SocketAddr,
    /// Hosts that may be relayed: exact names, or `*.domain` for any subdomain of
    /// `domain`. Default [`DEFAULT_ALLOW`].
    pub allow: Vec<String>,
    /// Path prefix the relay is mounted under (`/wx` serves `/wx/HOST/PATH`). Default empty.
    pub prefix: String,
    /// For tests: send every allowed request to this `scheme://authority` instead of
    /// `https://HOST` (the `Host` header still names the real host).
    pub upstream_override: Option<String>,
    /// With [`RelayOptions::upstream_override`]: keep the real host in the path
    /// (`OVERRIDE/HOST/PATH`, the relay form a simulator checks) instead of `OVERRIDE/PATH`.
    pub upstream_relay_form: bool,
    /// Largest request and response body relayed. Default 64 MiB.
    pub max_body: usize,
    /// Upstream timeout; long-polls hold about 25 s. Default 60 s.
    pub timeout: Duration,
    /// Browser origins allowed by CORS (`Origin` header values); empty allows any.
    pub cors_origins: Vec<String>,
    /// How long a client connection may take to send a request's headers, and so how
    /// long an idle kept-alive connection stays open. Default 30 s.
    pub header_timeout: Duration,
}

impl Default for RelayOptions {
    fn default() -> Self {
        RelayOptions {
            listen: DEFAULT_LISTEN.parse().expect("valid address"),
            allow: DEFAULT_ALLOW.iter().map(|s| s.to_string()).collect(),
            prefix: String::new(),
            upstream_override: None,
            upstream_relay_form: false,
            max_body: crate::transport::DEFAULT_MAX_BODY,
            timeout: Duration::from_secs(60),
            cors_origins: Vec::new(),
            header_timeout: Duration::from_secs(30),
        }
    }
}

impl RelayOptions {
    /// The defaults.
    pub fn new() -> Self {
        RelayOptions::default()
    }

    /// Sets [`RelayOptions::listen`].
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Sets [`RelayOptions::allow`].
    pub fn allow<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.allow = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`RelayOptions::upstream_override`].
    pub fn upstream_override(mut self, base: Option<&str>) -> Self {
        self.upstream_override = base.map(|s| s.trim_end_matches('/').to_owned());
        self
    }

    /// Sets [`RelayOptions::header_timeout`].
    pub fn header_timeout(mut self, d: Duration) -> Self {
        self.header_timeout = d;
        self
    }

    /// Sets [`RelayOptions::upstream_relay_form`].
    pub fn upstream_relay_form(mut self, on: bool) -> Self {
        self.upstream_relay_form = on;
        self
    }

    /// Sets [`RelayOptions::prefix`] (`wx`, `/wx` and `/wx/` all mean `/wx`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        let prefix = prefix.trim_matches('/');
        self.prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("/{prefix}")
        };
        self
    }

    /// Sets [`RelayOptions::timeout`].
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
}

/// Whether `host` is a DNS host name that matches the allowlist: an exact entry, or
/// `*.domain` for a subdomain (at any depth) of `domain`.
pub fn is_allowed(host: &str, allow: &[String]) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if !webwx_core::relay::is_host_name(&host) {
        return false;
    }
    allow.iter().any(|pattern| {
        let pattern = pattern.trim().to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
            None => host == pattern,
        }
    })
}

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

impl Relay {
    /// A relay with `options`.
    pub fn new(options: RelayOptions) -> Result<Relay, BuildError> {
        let transport = Transport::new(&Options::default().max_body(options.max_body))?;
        Ok(Relay {
            inner: Arc::new(Inner { options, transport }),
        })
    }

    /// The options.
    pub fn options(&self) -> &RelayOptions {
        &self.inner.options
    }

    /// Answers one request (already read into memory). This is the whole relay minus
    /// the socket handling; [`serve`] calls it for every request.
    pub async fn handle(&self, req: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let opts = &self.inner.options;
        let origin = req.headers().get(header::ORIGIN).cloned();
        let cors_ok = match &origin {
            Some(o) if !opts.cors_origins.is_empty() => opts
                .cors_origins
                .iter()
                .any(|allowed| o.as_bytes() == allowed.as_bytes()),
            _ => true,
        };
        let mut resp = if !cors_ok {
            error(
                StatusCode::FORBIDDEN,
                "origin-not-allowed",
                "origin not allowed",
            )
        } else if req.method() == Method::OPTIONS {
            self.preflight(&req)
        } else {
            self.forward(req).await
        };
        if cors_ok {
            add_cors(resp.headers_mut(), origin.as_ref());
        }
        resp
    }

    fn preflight(&self, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        let opts = &self.inner.options;
        match webwx_core::relay::decode_path(&opts.prefix, req.uri()) {
            Ok((host, _)) if is_allowed(&host, &opts.allow) => {}
            Ok(_) => return error(StatusCode::FORBIDDEN, "not-allowed", "host not allowed"),
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad-path", &e.to_string()),
        }
        let mut resp = Response::new(Vec::new());
        *resp.status_mut() = StatusCode::NO_CONTENT;
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        let allow_headers = req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| {
                HeaderValue::from_static(
                    "content-type, x-wx-cookie, x-wx-referer, x-wx-user-agent, extspam, client-version",
                )
            });
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        resp
    }

    async fn forward(&self, req: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let opts = &self.inner.options;
        let (host, mut up) = match decode_request(&opts.prefix, req) {
            Ok(r) => r,
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad-path", &e.to_string()),
        };
        if !is_allowed(&host, &opts.allow) {
            tracing::info!(%host, "relay refused a host outside the allowlist");
            return error(StatusCode::FORBIDDEN, "not-allowed", "host not allowed");
        }
        strip_request_headers(up.headers_mut());
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
        match self.inner.transport.execute(up, opts.timeout).await {
            Ok(resp) => {
                let mut resp = encode_response(resp);
                strip_response_headers(resp.headers_mut());
                resp
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

    /// Reads `req` (within the body limit) and answers it.
    pub async fn handle_incoming(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let resp = match Limited::new(body, self.inner.options.max_body)
            .collect()
            .await
        {
            Ok(body) => {
                let req = Request::from_parts(parts, body.to_bytes().to_vec());
                self.handle(req).await
            }
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                let mut r = error(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "body too large");
                add_cors(r.headers_mut(), parts.headers.get(header::ORIGIN));
                r
            }
            Err(_) => error(
                StatusCode::BAD_REQUEST,
                "bad-body",
                "request body unreadable",
            ),
        };
        resp.map(|b| Full::new(Bytes::from(b)))
    }
}

/// Binds [`RelayOptions::listen`] and serves forever.
pub async fn run(options: RelayOptions) -> std::io::Result<()> {
    let listener = TcpListener::bind(options.listen).await?;
    serve(listener, options).await
}

/// Serves the relay on `listener` forever (each connection on its own task).
pub async fn serve(listener: TcpListener, options: RelayOptions) -> std::io::Result<()> {
    let relay = Relay::new(options).map_err(std::io::Error::other)?;
    if let Ok(addr) = listener.local_addr() {
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "the relay listens beyond the loopback interface");
        }
        tracing::info!(%addr, "relay listening");
    }
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let relay = relay.clone();
        let header_timeout = relay.options().header_timeout;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let relay = relay.clone();
                async move { Ok::<_, Infallible>(relay.handle_incoming(req).await) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, error = %e, "relay connection ended");
            }
        });
    }
}

fn error(status: StatusCode, name: &'static str, message: &str) -> Response<Vec<u8>> {
    let mut resp = Response::new(format!("{message}\n").into_bytes());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(RELAY_ERROR_HEADER, HeaderValue::from_static(name));
    resp
}

fn add_cors(h: &mut HeaderMap, origin: Option<&HeaderValue>) {
    let allow = origin.cloned().unwrap_or(HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE),
    );
    h.append(header::VARY, HeaderValue::from_static("origin"));
}

/// Headers a browser may read (keep in sync with SET_COOKIE_RELAY and RELAY_ERROR_HEADER;
/// checked in a test).
const EXPOSE: &str = "x-wx-set-cookie, x-wx-relay-error";

const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];

fn strip_request_headers(h: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        h.remove(name);
    }
    for name in [
        header::HOST,
        header::TRANSFER_ENCODING,
        header::CONTENT_LENGTH,
        header::ORIGIN,
        header::ACCESS_CONTROL_REQUEST_METHOD,
        header::ACCESS_CONTROL_REQUEST_HEADERS,
    ] {
        h.remove(name);
    }
    let browser_only: Vec<HeaderName> = h
        .keys()
        .filter(|k| k.as_str().starts_with("sec-fetch-") || k.as_str().starts_with("sec-ch-"))
        .cloned()
        .collect();
    for k in browser_only {
        h.remove(k);
    }
}

fn strip_response_headers(h: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        h.remove(name);
    }
    h.remove(header::TRANSFER_ENCODING);
    h.remove(header::CONTENT_LENGTH);
    // Upstream CORS headers would contradict ours.
    let cors: Vec<HeaderName> = h
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for k in cors {
        h.remove(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webwx_core::relay::SET_COOKIE_RELAY;

    fn allow() -> Vec<String> {
        DEFAULT_ALLOW.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn allowlist() {
        let a = allow();
        for ok in [
            "wx.qq.com",
            "webpush.wx2.qq.com",
            "login.weixin.qq.com",
            "web.wechat.com",
            "file.web2.wechat.com",
            "WX.QQ.COM",
        ] {
            assert!(is_allowed(ok, &a), "{ok}");
        }
        for bad in [
            "qq.com",
            "evilqq.com",
            "wx.qq.com.evil.net",
            "example.com",
            "wechat.com",
            "xwechat.com",
            "127.0.0.1",
            "",
        ] {
            assert!(!is_allowed(bad, &a), "{bad}");
        }
        // Not host names at all, though their tails match: empty labels, spaces, ports,
        // user info.
        for bad in [
            "..qq.com",
            "a..qq.com",
            ". .qq.com",
            "wx.qq.com:8080",
            "evil.com@wx.qq.com",
            "evil.com/.wx.qq.com",
        ] {
            assert!(!is_allowed(bad, &a), "{bad}");
        }
        assert!(
            is_allowed("wx.qq.com.", &a),
            "one trailing dot is the same host"
        );
        assert!(is_allowed("exact.host", &["exact.host".to_string()]));
        assert!(!is_allowed("sub.exact.host", &["exact.host".to_string()]));
    }

    #[test]
    fn prefix_is_a_path() {
        for given in ["wx", "/wx", "/wx/", "wx/"] {
            assert_eq!(RelayOptions::new().prefix(given).prefix, "/wx", "{given}");
        }
        assert_eq!(RelayOptions::new().prefix("/").prefix, "");
        assert_eq!(RelayOptions::new().prefix("").prefix, "");
    }

    #[test]
    fn exposed_headers_name_the_relay_headers() {
        assert!(EXPOSE.contains(SET_COOKIE_RELAY));
        assert!(EXPOSE.contains(RELAY_ERROR_HEADER));
    }
}
