//! A request as the handlers see it: address form, endpoint, query, cookies, body.

use bytes::Bytes;
use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;

use crate::control_types::FaultKind;
use crate::hosts;
use crate::routes::Endpoint;

/// How the client addressed the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    /// `/PATH`: an unmodified client pointed at the simulator's base URL.
    Plain,
    /// `/HOST/PATH`: the relay form, naming the real host.
    Relay(String),
}

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: Method,
    pub form: Form,
    pub endpoint: Endpoint,
    /// Path without the host segment.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub cookies: Vec<(String, String)>,
    pub body: Bytes,
    /// `http://HOST:PORT` of the simulator as the client reached it.
    pub base_url: String,
    /// A fault that acts once this request is handled (`rewind`, `duplicate`, `lose`).
    pub twist: Option<FaultKind>,
}

/// Percent-decodes once (`+` stays `+`).
pub(crate) fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Percent-decodes until nothing changes (pass_ticket arrives encoded once or twice).
pub(crate) fn decode_fixpoint(s: &str) -> String {
    let mut cur = s.to_string();
    for _ in 0..6 {
        let next = decode(&cur);
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

/// The text field `key` of a JSON request object; empty when absent or not a string,
/// as the server reads it.
pub(crate) fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(serde_json::Value::as_str).unwrap_or("")
}

/// A number field as the server reads it: a JSON number or a number written as a
/// string (`Uin`, `TotalLen`, `FileSize` arrive both ways).
pub(crate) fn u64_of(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses a query string into decoded pairs.
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Parses `Cookie` / `x-wx-cookie` headers.
pub(crate) fn parse_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in ["cookie", "x-wx-cookie"] {
        for v in headers.get_all(name) {
            let Ok(v) = v.to_str() else { continue };
            for part in v.split(';') {
                let part = part.trim();
                if let Some((k, val)) = part.split_once('=') {
                    out.push((k.trim().to_string(), val.trim().to_string()));
                }
            }
        }
    }
    out
}

/// Splits `/HOST/PATH` into the host and the path, if the first segment is a host.
pub(crate) fn split_form(path: &str) -> Result<(Form, String), String> {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let (first, tail) = match rest.split_once('/') {
        Some((f, t)) => (f, format!("/{t}")),
        None => (rest, "/".to_string()),
    };
    if first.contains('.') && !first.contains("..") && first != "index.html" {
        let host = first.to_ascii_lowercase();
        if hosts::classify(&host).is_none() {
            return Err(host);
        }
        return Ok((Form::Relay(host), tail));
    }
    Ok((Form::Plain, path.to_string()))
}

impl Req {
    /// A query parameter (exact name first, then case-insensitive).
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .or_else(|| {
                self.query
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.as_str())
    }

    /// A cookie value.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, whatever the Content-Type says.
    pub(crate) fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The host named in relay form.
    pub(crate) fn relay_host(&self) -> Option<&str> {
        match &self.form {
            Form::Relay(h) => Some(h),
            Form::Plain => None,
        }
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixpoint() {
        assert_eq!(decode_fixpoint("a%252Bb%253D"), "a+b=");
        assert_eq!(decode_fixpoint("a%2Bb"), "a+b");
        assert_eq!(decode_fixpoint("a+b"), "a+b");
    }

    #[test]
    fn forms() {
        let (f, p) = split_form("/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit").unwrap();
        assert_eq!(f, Form::Relay("wx.qq.com".into()));
        assert_eq!(p, "/cgi-bin/mmwebwx-bin/webwxinit");
        let (f, p) = split_form("/cgi-bin/mmwebwx-bin/webwxinit").unwrap();
        assert_eq!(f, Form::Plain);
        assert_eq!(p, "/cgi-bin/mmwebwx-bin/webwxinit");
        assert!(split_form("/evil.example.com/x").is_err());
        let (f, p) = split_form("/login.weixin.qq.com/jslogin").unwrap();
        assert_eq!(f, Form::Relay("login.weixin.qq.com".into()));
        assert_eq!(p, "/jslogin");
    }

    #[test]
    fn numbers() {
        assert_eq!(u64_of(&serde_json::json!(176666155)), Some(176666155));
        assert_eq!(u64_of(&serde_json::json!("176666155")), Some(176666155));
        assert_eq!(u64_of(&serde_json::json!(null)), None);
    }

    #[test]
    fn query() {
        let q = parse_query("uuid=gbyKnbsmqQ==&tip=1&synckey=1_2%7C3_4");
        assert_eq!(q[0], ("uuid".into(), "gbyKnbsmqQ==".into()));
        assert_eq!(q[2].1, "1_2|3_4");
    }
}
