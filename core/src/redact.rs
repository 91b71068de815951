//! Keeping secrets out of `Debug` output and logs: the skey, sid, pass_ticket, data and
//! login tickets, the upload AES key, `@crypt_` tokens, a logged-in uin. Debug output of
//! responses and request builders goes through here, so that `{:?}` in a log line or a
//! panic message never carries a credential.

use serde::Serialize;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// JSON keys (any case) whose values are secrets.
const SECRET_KEYS: [&str; 9] = [
    "skey",
    "sid",
    "uin",
    "pass_ticket",
    "ticket",
    "webwx_data_ticket",
    "data_ticket",
    "aeskey",
    "wxsid",
];

/// Query parameters whose values are secrets.
const SECRET_PARAMS: [&str; 7] = [
    "skey",
    "sid",
    "pass_ticket",
    "ticket",
    "webwx_data_ticket",
    "uin",
    "wxuin",
];

fn is_secret_key(k: &str) -> bool {
    SECRET_KEYS.iter().any(|s| s.eq_ignore_ascii_case(k))
}

/// `url` with the values of its secret query parameters and any `@crypt_` token replaced
/// by [`REDACTED`].
pub fn url(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    if let Some(query) = query {
        out.push('?');
        for (i, param) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match param.split_once('=') {
                Some((name, value))
                    if !value.is_empty()
                        && SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name)) =>
                {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(param),
            }
        }
    }
    crypt_tokens(&out)
}

/// `s` with every `@crypt_…` token replaced.
fn crypt_tokens(s: &str) -> String {
    let mut out = s.to_owned();
    let mut from = 0;
    while let Some(i) = out[from..].find("@crypt_").map(|i| from + i) {
        let end = out[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '@'))
            .map_or(out.len(), |e| i + e);
        out.replace_range(i..end, REDACTED);
        from = i + REDACTED.len();
    }
    out
}

/// Redacts a JSON value in place: secret keys at any depth (non-empty, non-zero values),
/// secret query parameters and `@crypt_` tokens in every string.
pub fn json(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let empty = matches!(val, Value::Null) || *val == 0 || *val == "";
                if is_secret_key(k) && !empty {
                    *val = Value::String(REDACTED.into());
                } else {
                    json(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        Value::String(s) if s.contains('?') || s.contains("@crypt_") => *s = url(s),
        _ => {}
    }
}

/// Writes `value` for `Debug` as `Name { ..JSON with secrets redacted.. }`.
pub fn debug_serialized(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    value: &impl Serialize,
) -> std::fmt::Result {
    match serde_json::to_value(value) {
        Ok(mut v) => {
            json(&mut v);
            write!(f, "{name} {v}")
        }
        Err(_) => write!(f, "{name} {{ {REDACTED} }}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_values() {
        assert_eq!(
            url("https://wx.qq.com/x?sid=S&skey=@crypt_1_2&lang=zh_CN&pass_ticket=P&r=1"),
            "https://wx.qq.com/x?sid=<redacted>&skey=<redacted>&lang=zh_CN&pass_ticket=<redacted>&r=1"
        );
        assert_eq!(url("/icon?skey=&seq=1"), "/icon?skey=&seq=1");
        assert_eq!(url("a @crypt_x1 b"), "a <redacted> b");
        let mut v = serde_json::json!({"SKey": "@crypt_k", "Uin": 0, "Sid": "", "User": {
            "Uin": 42, "HeadImgUrl": "/icon?username=@a&skey=@crypt_k"}, "Other": "kept"});
        json(&mut v);
        assert_eq!(v["SKey"], REDACTED);
        assert_eq!(v["Uin"], 0);
        assert_eq!(v["Sid"], "");
        assert_eq!(v["User"]["Uin"], REDACTED);
        assert_eq!(v["User"]["HeadImgUrl"], "/icon?username=@a&skey=<redacted>");
        assert_eq!(v["Other"], "kept");
    }
}
