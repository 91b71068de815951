//! The HTTP server: accepting connections, reading requests, applying faults,
//! and writing answers (with the relay form's CORS and `x-wx-set-cookie`).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::control_types::FaultKind;
use crate::endpoints;
use crate::endpoints::faulted;
use crate::request::{Form, Req, parse_cookies, parse_query, split_form};
use crate::response::{Resp, SimBody, Special};
use crate::routes::Endpoint;
use crate::shared::Shared;

/// Per-connection switch: reset (RST) instead of a clean close.
struct ConnCtl {
    reset: AtomicBool,
}

/// The socket, with a way to end it with a reset.
struct ConnIo {
    inner: TcpStream,
    ctl: Arc<ConnCtl>,
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.ctl.reset.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Accepts connections until the simulator stops.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut stop = shared.shutdown.clone();
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => spawn_conn(stream, shared.clone()),
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
            _ = stop.changed() => break,
        }
    }
}

fn spawn_conn(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let local = stream
        .local_addr()
        .map_or_else(|_| "127.0.0.1".to_string(), |a| a.to_string());
    let ctl = Arc::new(ConnCtl {
        reset: AtomicBool::new(false),
    });
    let io = TokioIo::new(ConnIo {
        inner: stream,
        ctl: ctl.clone(),
    });
    let mut stop = shared.shutdown.clone();
    tokio::spawn(async move {
        let svc = service_fn(move |req| {
            let shared = shared.clone();
            let ctl = ctl.clone();
            let local = local.clone();
            async move { answer(shared, ctl, local, req).await }
        });
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .keep_alive(true)
            .serve_connection(io, svc);
        tokio::select! {
            _ = conn => {}
            _ = stop.changed() => {}
        }
    });
}

const ALLOW_HEADERS: &str = "x-wx-cookie, x-wx-referer, x-wx-user-agent, content-type, extspam, client-version, range, mmweb_appid";
const EXPOSE_HEADERS: &str = "x-wx-set-cookie, content-range, content-length, content-disposition";

fn cors(r: &mut Response<SimBody>, origin: Option<&str>) {
    let h = r.headers_mut();
    let origin = origin.unwrap_or("*");
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert("access-control-allow-origin", v);
    }
    if origin != "*" {
        h.insert(
            "access-control-allow-credentials",
            HeaderValue::from_static("true"),
        );
        h.append("vary", HeaderValue::from_static("Origin"));
    }
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
}

fn plain(status: StatusCode, text: &'static str) -> Response<SimBody> {
    let mut r = Response::new(SimBody::full(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("text/plain"));
    r
}

async fn answer(
    shared: Arc<Shared>,
    ctl: Arc<ConnCtl>,
    local: String,
    req: Request<Incoming>,
) -> Result<Response<SimBody>, io::Error> {
    let started = Instant::now();
    shared.world().bump("requests");
    let (parts, body) = req.into_parts();
    let origin = parts
        .headers
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (form, path) = match split_form(parts.uri.path()) {
        Ok(x) => x,
        Err(_) => {
            tracing::debug!("request for a host outside the domain table");
            return Ok(plain(StatusCode::NOT_FOUND, "unknown host"));
        }
    };
    if parts.method == Method::OPTIONS {
        let mut r = plain(StatusCode::NO_CONTENT, "");
        *r.body_mut() = SimBody::full(Bytes::new());
        cors(&mut r, origin.as_deref());
        return Ok(r);
    }
    let body = match Limited::new(body, shared.cfg.max_body).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            ));
        }
    };
    let host = parts
        .headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .map_or(local, str::to_string);
    let endpoint = Endpoint::from_path(&path);
    let mut req = Req {
        method: parts.method.clone(),
        cookies: parse_cookies(&parts.headers),
        query: parse_query(parts.uri.query().unwrap_or("")),
        headers: parts.headers,
        form,
        endpoint,
        path,
        body,
        base_url: format!("http://{host}"),
        twist: None,
    };

    let fault = faulted::pick(&mut shared.world(), &mut req);
    let resp = match fault {
        Some((f, None)) => {
            tracing::debug!(endpoint = endpoint.name(), kind = ?f.kind, "fault: hang");
            let mut stop = shared.shutdown.clone();
            let _ = stop.changed().await;
            return Err(io::Error::other("hang ended by shutdown"));
        }
        Some((f, Some(r))) => {
            tracing::info!(endpoint = endpoint.name(), kind = ?f.kind, "fault injected");
            r
        }
        None => {
            let mut r = endpoints::handle(&shared, &req).await;
            if req.twist == Some(FaultKind::Lose) {
                r.special = Special::Reset;
            }
            r
        }
    };
    tracing::debug!(
        endpoint = endpoint.name(),
        relay = matches!(req.form, Form::Relay(_)),
        status = resp.status.as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "answered"
    );
    finish(resp, &req, origin.as_deref(), &ctl)
}

fn finish(
    resp: Resp,
    req: &Req,
    origin: Option<&str>,
    ctl: &ConnCtl,
) -> Result<Response<SimBody>, io::Error> {
    if resp.special == Special::Reset {
        ctl.reset.store(true, Ordering::SeqCst);
        return Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "reset by fault",
        ));
    }
    let full_len = resp.body.len();
    let body = if resp.special == Special::Truncate {
        SimBody::cut(resp.body.slice(..full_len / 2))
    } else {
        SimBody::full(resp.body)
    };
    let mut r = Response::new(body);
    *r.status_mut() = resp.status;
    let h = r.headers_mut();
    for (k, v) in resp.headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.append(k, v);
        }
    }
    if resp.special == Special::Truncate {
        h.insert("content-length", HeaderValue::from(full_len));
    }
    let relay = matches!(req.form, Form::Relay(_));
    for c in &resp.cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append("set-cookie", v.clone());
            if relay {
                h.append("x-wx-set-cookie", v);
            }
        }
    }
    if relay || req.endpoint == Endpoint::Control {
        cors(&mut r, origin);
    }
    Ok(r)
}
