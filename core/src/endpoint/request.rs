//! Building requests the way the official client does: query encodings, JSON bodies,
//! `BaseRequest`.

use http::{Method, Request, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

/// What JavaScript's `encodeURIComponent` leaves alone.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// What AngularJS's `encodeUriQuery` (used for `$http` params) leaves alone: the
/// `encodeURIComponent` set plus `@ : $ , ;`.
const ANGULAR: &AsciiSet = &COMPONENT
    .remove(b'@')
    .remove(b':')
    .remove(b'$')
    .remove(b',')
    .remove(b';');

/// JavaScript's `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// AngularJS's `encodeUriQuery` (spaces as `%20`).
pub fn encode_angular(s: &str) -> String {
    utf8_percent_encode(s, ANGULAR).to_string()
}

/// A URL under construction: `https://host/path?` plus parameters in insertion order.
/// `Debug` shows the URL with its secret parameters (skey, sid, pass_ticket...) redacted.
#[derive(Clone)]
pub struct UrlBuilder {
    url: String,
    has_query: bool,
}

impl std::fmt::Debug for UrlBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlBuilder")
            .field("url", &crate::redact::url(&self.url))
            .finish()
    }
}

impl UrlBuilder {
    /// `https://{host}{path}`.
    pub fn new(host: &str, path: &str) -> Self {
        UrlBuilder {
            url: format!("https://{host}{path}"),
            has_query: path.contains('?'),
        }
    }

    fn sep(&mut self) {
        self.url.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
    }

    /// A parameter encoded like AngularJS's `$http` params.
    pub fn param(mut self, k: &str, v: impl AsRef<str>) -> Self {
        self.sep();
        self.url.push_str(k);
        self.url.push('=');
        self.url.push_str(&encode_angular(v.as_ref()));
        self
    }

    /// A parameter encoded with `encodeURIComponent`.
    pub fn param_component(mut self, k: &str, v: impl AsRef<str>) -> Self {
        self.sep();
        self.url.push_str(k);
        self.url.push('=');
        self.url.push_str(&encode_component(v.as_ref()));
        self
    }

    /// A parameter pasted as is (the caller guarantees it is URL-safe).
    pub fn param_raw(mut self, k: &str, v: impl AsRef<str>) -> Self {
        self.sep();
        self.url.push_str(k);
        self.url.push('=');
        self.url.push_str(v.as_ref());
        self
    }

    /// The URL.
    pub fn build(self) -> String {
        self.url
    }
}

/// The content type of the JSON POSTs of the official client.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// A GET request.
pub fn get(url: String) -> Request<Vec<u8>> {
    Request::builder()
        .method(Method::GET)
        .uri(url)
        .header(header::ACCEPT, "application/json, text/plain, */*")
        .body(Vec::new())
        .expect("endpoint URLs are valid")
}

/// A POST with a JSON body.
pub fn post_json(url: String, body: &impl Serialize) -> Request<Vec<u8>> {
    Request::builder()
        .method(Method::POST)
        .uri(url)
        .header(header::ACCEPT, "application/json, text/plain, */*")
        .header(header::CONTENT_TYPE, JSON_CONTENT_TYPE)
        .body(serde_json::to_vec(body).expect("request bodies always serialize"))
        .expect("endpoint URLs are valid")
}

/// A POST with an `application/x-www-form-urlencoded` body.
pub fn post_form(url: String, fields: &[(&str, &str)]) -> Request<Vec<u8>> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    Request::builder()
        .method(Method::POST)
        .uri(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.into_bytes())
        .expect("endpoint URLs are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_javascript() {
        assert_eq!(
            encode_component("https://wx.qq.com/a?b=c d"),
            "https%3A%2F%2Fwx.qq.com%2Fa%3Fb%3Dc%20d"
        );
        assert_eq!(encode_component("a!~*'()_-."), "a!~*'()_-.");
        assert_eq!(encode_angular("@crypt_1:2,3;$"), "@crypt_1:2,3;$");
        assert_eq!(
            encode_angular("kbmy5Jt9nj%2BJz%3D"),
            "kbmy5Jt9nj%252BJz%253D"
        );
        assert_eq!(encode_component("1_2|3_4"), "1_2%7C3_4");
        let url = UrlBuilder::new("wx.qq.com", "/x?a=1")
            .param("b", "@")
            .param_raw("c", "==")
            .build();
        assert_eq!(url, "https://wx.qq.com/x?a=1&b=@&c===");
    }
}
