//! One request over the global `fetch` (not `window.fetch`: pages, workers and Node >= 20
//! alike), with the Transmit's timeout through an `AbortController`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use http::{HeaderName, HeaderValue, header};
use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, RequestRedirect, Response};
use webwx_core::TransportErrorKind;
use webwx_core::relay::SET_COOKIE_RELAY;

use crate::set_cookie::split_joined;

/// The largest body read (as the native drivers' default): a bigger one fails as
/// [`TransportErrorKind::TooLarge`].
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;
}

/// A request being sent: abort it to stop it (the session ended).
pub(crate) struct InFlight {
    controller: AbortController,
}

impl InFlight {
    /// Stops the request; its future then fails (and is ignored).
    pub(crate) fn abort(&self) {
        self.controller.abort();
    }
}

/// A request ready to go.
pub(crate) struct Exchange {
    controller: AbortController,
    request: Request,
    timeout: Duration,
}

impl Exchange {
    /// Builds the JS request of `request`.
    pub(crate) fn new(
        request: &http::Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Exchange, TransportErrorKind> {
        let controller = AbortController::new().map_err(|_| TransportErrorKind::Other)?;
        let js_request = to_js(request, &controller).map_err(|e| {
            tracing::warn!(error = ?e, "request could not be built");
            TransportErrorKind::Other
        })?;
        Ok(Exchange {
            controller,
            request: js_request,
            timeout,
        })
    }

    /// What stops it.
    pub(crate) fn handle(&self) -> InFlight {
        InFlight {
            controller: self.controller.clone(),
        }
    }

    /// Sends it: the response, whole, or how it failed. The timeout covers the whole
    /// exchange, body included (the signal aborts both).
    pub(crate) async fn run(self) -> Result<http::Response<Vec<u8>>, TransportErrorKind> {
        let timed_out = Rc::new(Cell::new(false));
        let flag = timed_out.clone();
        let abort = self.controller.clone();
        let ms = self.timeout.as_millis().min(i32::MAX as u128) as u32;
        let _timer = gloo_timers::callback::Timeout::new(ms, move || {
            flag.set(true);
            abort.abort();
        });
        exchange(&self.request).await.map_err(|e| {
            if timed_out.get() {
                TransportErrorKind::Timeout
            } else {
                classify(&e)
            }
        })?
    }
}

/// `fetch`, then the body: `Err` is what JS threw; `Ok(Err(..))` a response refused here.
async fn exchange(
    request: &Request,
) -> Result<Result<http::Response<Vec<u8>>, TransportErrorKind>, JsValue> {
    let resp: Response = JsFuture::from(global_fetch(request)).await?.dyn_into()?;
    let body = JsFuture::from(resp.array_buffer()?).await?;
    let body = Uint8Array::new(&body);
    if body.length() as usize > MAX_BODY {
        return Ok(Err(TransportErrorKind::TooLarge));
    }
    Ok(from_js(&resp, body.to_vec()))
}

fn to_js(
    request: &http::Request<Vec<u8>>,
    controller: &AbortController,
) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in request.headers() {
        match value.to_str() {
            Ok(v) => headers.append(name.as_str(), v)?,
            Err(_) => tracing::warn!(header = %name, "header value is not visible ASCII; not sent"),
        }
    }
    let init = RequestInit::new();
    init.set_method(request.method().as_str());
    init.set_headers(&headers);
    // The core sees every answer as sent: a redirect is never followed (newloginpage
    // answers 301 without a Location, which `fetch` returns as it is).
    init.set_redirect(RequestRedirect::Error);
    init.set_signal(Some(&controller.signal()));
    if !request.body().is_empty() {
        init.set_body(&Uint8Array::from(request.body().as_slice()));
    }
    Request::new_with_str_and_init(&request.uri().to_string(), &init)
}

/// The response headers handed to the core besides the cookies: those a relay passes
/// back to a page ([`RETURNED_HEADERS`](webwx_core::relay::RETURNED_HEADERS), what a client reads of an answer), the same in
/// every mode. Constants: a header name made from a string at run time goes through
/// `http`'s parser of the standard names, 12 KB of the `.wasm`.
const HANDED_ON: [HeaderName; 11] = [
    header::CONTENT_TYPE,
    header::CONTENT_DISPOSITION,
    header::CONTENT_RANGE,
    header::CONTENT_ENCODING,
    header::ACCEPT_RANGES,
    header::CACHE_CONTROL,
    header::EXPIRES,
    header::LAST_MODIFIED,
    header::ETAG,
    header::LOCATION,
    header::RETRY_AFTER,
];

/// [`SET_COOKIE_RELAY`] as a header name.
const SET_COOKIE_RELAY_NAME: HeaderName = HeaderName::from_static(SET_COOKIE_RELAY);

/// The response for the core: status, the headers of [`HANDED_ON`], each `Set-Cookie`
/// apart (from `getSetCookie()` where the runtime exposes them (Node)), each
/// `x-wx-set-cookie` of a relay apart again, and the body.
fn from_js(resp: &Response, body: Vec<u8>) -> Result<http::Response<Vec<u8>>, TransportErrorKind> {
    let mut out = http::Response::builder()
        .status(resp.status())
        .body(body)
        .map_err(|_| TransportErrorKind::Other)?;
    let map = out.headers_mut();
    let js_headers = resp.headers();
    for name in HANDED_ON {
        if let Ok(Some(value)) = js_headers.get(name.as_str())
            && let Ok(v) = HeaderValue::from_str(&value)
        {
            map.append(name, v);
        }
    }
    if let Ok(Some(value)) = js_headers.get(SET_COOKIE_RELAY) {
        for v in split_joined(&value) {
            if let Ok(v) = HeaderValue::from_str(&v) {
                map.append(SET_COOKIE_RELAY_NAME, v);
            }
        }
    }
    for cookie in set_cookies(&js_headers) {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            map.append(header::SET_COOKIE, v);
        }
    }
    Ok(out)
}

/// Every `Set-Cookie` the runtime shows (none in a browser): `getSetCookie()` where it
/// exists, else the joined value split.
fn set_cookies(headers: &Headers) -> Vec<String> {
    let get_set_cookie = Reflect::get(headers, &JsValue::from_str("getSetCookie")).ok();
    if let Some(f) = get_set_cookie.and_then(|f| f.dyn_into::<Function>().ok())
        && let Ok(list) = f.call0(headers)
    {
        return Array::from(&list)
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
    }
    headers
        .get("set-cookie")
        .ok()
        .flatten()
        .map(|v| split_joined(&v))
        .unwrap_or_default()
}

/// The core's name for what `fetch` threw: Node's undici puts the system error code in
/// `cause.code`; a browser says only `TypeError: Failed to fetch`.
fn classify(error: &JsValue) -> TransportErrorKind {
    let name = Reflect::get(error, &"name".into())
        .ok()
        .and_then(|v| v.as_string());
    let code = Reflect::get(error, &"cause".into())
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| Reflect::get(&c, &"code".into()).ok())
        .and_then(|v| v.as_string());
    kind_of(name.as_deref(), code.as_deref())
}

/// [`classify`] on the error's `name` and `cause.code`.
pub(crate) fn kind_of(name: Option<&str>, code: Option<&str>) -> TransportErrorKind {
    match code {
        Some(
            "ECONNREFUSED"
            | "ENOTFOUND"
            | "EAI_AGAIN"
            | "EHOSTUNREACH"
            | "ENETUNREACH"
            | "EADDRNOTAVAIL"
            | "UND_ERR_CONNECT_TIMEOUT"
            | "UND_ERR_CONNECT",
        ) => TransportErrorKind::Connect,
        Some("ECONNRESET" | "EPIPE" | "ECONNABORTED" | "UND_ERR_SOCKET" | "UND_ERR_CLOSED") => {
            TransportErrorKind::Reset
        }
        Some("ETIMEDOUT" | "UND_ERR_HEADERS_TIMEOUT" | "UND_ERR_BODY_TIMEOUT") => {
            TransportErrorKind::Timeout
        }
        _ if name == Some("TimeoutError") => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The headers handed to the core are those a relay returns to a page.
    #[test]
    fn handed_on_are_the_returned_headers() {
        let names: Vec<&str> = HANDED_ON.iter().map(HeaderName::as_str).collect();
        assert_eq!(names, webwx_core::relay::RETURNED_HEADERS);
        assert_eq!(SET_COOKIE_RELAY_NAME.as_str(), SET_COOKIE_RELAY);
    }

    #[test]
    fn node_error_codes_are_named() {
        let k = |code| kind_of(Some("TypeError"), Some(code));
        assert_eq!(k("ECONNREFUSED"), TransportErrorKind::Connect);
        assert_eq!(k("UND_ERR_SOCKET"), TransportErrorKind::Reset);
        assert_eq!(k("UND_ERR_HEADERS_TIMEOUT"), TransportErrorKind::Timeout);
        assert_eq!(k("EWHATEVER"), TransportErrorKind::Other);
        // A browser's `TypeError: Failed to fetch` says nothing more.
        assert_eq!(kind_of(Some("TypeError"), None), TransportErrorKind::Other);
        assert_eq!(
            kind_of(Some("TimeoutError"), None),
            TransportErrorKind::Timeout
        );
    }
}
