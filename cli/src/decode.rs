//! `webwx decode KIND FILE`: parse a captured response with the core's endpoint parser
//! and print the typed result as one JSON document on stdout.
//!
//! Errors never panic: they come back as one line that names the endpoint, what was
//! expected and an excerpt of the body (the core's [`ParseError`] redacts secrets in it).

use serde::Serialize;
use serde_json::Value;
use webwx_core::endpoint::{
    batchgetcontact, getcontact, init, jslogin, login, newloginpage, pushloginurl, sendmsg, sync,
    synccheck, uploadmedia,
};
use webwx_core::message::{Message, NoGroupNames, RawMessage, SelfInfo};
use webwx_core::{ParseError, ParseErrorKind, ResponseError};

use crate::args::{DecodeArgs, DecodeKind};
use webwx_cli::capture;

/// The keys (and query parameters) whose values are secrets, redacted unless
/// `--show-secrets`.
const SECRET_KEYS: [&str; 5] = ["skey", "sid", "uin", "pass_ticket", "webwx_data_ticket"];

/// Query parameters that are secrets besides [`SECRET_KEYS`]: `ticket` is the one-time
/// login ticket of a confirmed login poll's redirect_uri (whoever has it within its
/// lifetime gets the session).
const SECRET_PARAMS: [&str; 1] = ["ticket"];

/// What replaces a redacted value.
pub const REDACTED: &str = "<redacted>";

/// Why decoding failed: one line for stderr; for a typed refusal of the server
/// (`BaseResponse.Ret` / `<ret>` != 0) also the refusal as JSON for stdout.
#[derive(Debug)]
pub struct DecodeError(pub String, pub Option<Value>);

impl DecodeError {
    fn msg(s: impl Into<String>) -> DecodeError {
        DecodeError(s.into(), None)
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `webwx decode`; returns the process exit code.
pub fn run(args: &DecodeArgs) -> i32 {
    match decode_file(args) {
        Ok(json) => {
            crate::terminal::out_raw(&json);
            0
        }
        Err(e) => {
            if let Some(refused) = &e.1 {
                crate::terminal::out_raw(&render(refused, args.compact).unwrap_or_default());
            }
            crate::terminal::err(&format!(
                "webwx decode {}: {}",
                kind_name(args.kind),
                one_line(&e.0)
            ));
            1
        }
    }
}

/// Reads, parses and renders; the JSON text on success.
pub fn decode_file(args: &DecodeArgs) -> Result<String, DecodeError> {
    let bytes = capture::read_input(&args.file)
        .map_err(|e| DecodeError::msg(format!("cannot read {}: {e}", args.file.display())))?;
    let resp = capture::to_response(&bytes).map_err(|e| {
        DecodeError::msg(format!(
            "{}: expected a bare body or a raw HTTP response: {e}",
            args.file.display()
        ))
    })?;
    let value = decode(args, &resp)?;
    render(&value, args.compact)
}

fn render(value: &Value, compact: bool) -> Result<String, DecodeError> {
    let text = if compact {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    };
    text.map_err(|e| DecodeError::msg(format!("cannot render JSON: {e}")))
}

/// The typed result of `resp` as JSON.
pub fn decode(args: &DecodeArgs, resp: &http::Response<Vec<u8>>) -> Result<Value, DecodeError> {
    let me = SelfInfo {
        user_name: args.me.as_deref().unwrap_or(""),
        nick_name: args.nick.as_deref().unwrap_or(""),
    };
    let mut value = match args.kind {
        DecodeKind::Jslogin => to_value(jslogin::parse(resp))?,
        DecodeKind::Login => to_value(login::parse(resp))?,
        DecodeKind::Newloginpage => to_value(newloginpage::parse(resp))?,
        DecodeKind::Init => to_value(init::parse(resp))?,
        DecodeKind::Contacts => to_value(getcontact::parse(resp))?,
        DecodeKind::Batchcontacts => to_value(batchgetcontact::parse(resp))?,
        DecodeKind::Synccheck => to_value(synccheck::parse(resp))?,
        DecodeKind::Sync => {
            let parsed = sync::parse(resp).map_err(response_error)?;
            let messages: Vec<Value> = parsed
                .add_msg_list
                .iter()
                .cloned()
                .map(|raw| typed_message(raw, &me, args.raw))
                .collect::<Result<_, _>>()?;
            let mut v = serialize(&parsed)?;
            if let Value::Object(map) = &mut v {
                map.insert("AddMsgList".into(), Value::Array(messages));
            }
            v
        }
        DecodeKind::Message => {
            let raw: RawMessage = serde_json::from_slice(resp.body()).map_err(|e| {
                parse_error(ParseError::new(
                    "AddMsgList entry",
                    ParseErrorKind::Json(e.to_string()),
                    resp.body(),
                ))
            })?;
            typed_message(raw, &me, args.raw)?
        }
        DecodeKind::Sendmsg => to_value(sendmsg::parse(resp))?,
        DecodeKind::Pushloginurl => {
            let uuid = pushloginurl::parse(resp).map_err(response_error)?;
            serde_json::json!({ "uuid": uuid })
        }
        DecodeKind::Upload => to_value(uploadmedia::parse(resp))?,
    };
    if matches!(
        args.kind,
        DecodeKind::Init | DecodeKind::Contacts | DecodeKind::Batchcontacts
    ) {
        add_kinds(&mut value, args.me.as_deref().unwrap_or(""));
    }
    // Not only newloginpage: webwxinit answers the skey and our uin too, and avatar URLs
    // carry `skey=`.
    if !args.show_secrets {
        redact(&mut value);
    }
    Ok(value)
}

/// Adds `"kind"` (friend, group, official, file_helper, special, myself: as the core
/// classifies it) to every contact of the answer's `ContactList` / `MemberList` (the
/// contacts themselves, not a group's members). Our own UserName is the init answer's
/// `User`, else `--me`.
fn add_kinds(value: &mut Value, me: &str) {
    let me = value
        .pointer("/User/UserName")
        .and_then(Value::as_str)
        .unwrap_or(me)
        .to_owned();
    for list in ["ContactList", "MemberList"] {
        let Some(Value::Array(contacts)) = value.get_mut(list) else {
            continue;
        };
        for c in contacts {
            let Ok(raw) = serde_json::from_value::<webwx_core::wire::RawContact>(c.clone()) else {
                continue;
            };
            let kind = webwx_core::contacts::classify(&raw, &me);
            if let (Value::Object(map), Ok(k)) = (c, serde_json::to_value(kind)) {
                map.insert("kind".into(), k);
            }
        }
    }
}

/// A typed message as JSON; without `keep_raw` the wire entry is left out.
fn typed_message(raw: RawMessage, me: &SelfInfo<'_>, keep_raw: bool) -> Result<Value, DecodeError> {
    let msg = Message::from_raw(raw, me, &NoGroupNames);
    let mut v = serialize(&msg)?;
    if !keep_raw && let Value::Object(map) = &mut v {
        map.remove("raw");
    }
    Ok(v)
}

fn to_value<T: Serialize>(r: Result<T, ResponseError>) -> Result<Value, DecodeError> {
    serialize(&r.map_err(response_error)?)
}

fn serialize<T: Serialize>(t: &T) -> Result<Value, DecodeError> {
    serde_json::to_value(t).map_err(|e| DecodeError::msg(format!("cannot render JSON: {e}")))
}

fn response_error(e: ResponseError) -> DecodeError {
    match e {
        ResponseError::Parse(p) => parse_error(p),
        ResponseError::Wx(w) => DecodeError(
            format!(
                "the server refused: ret {}{}",
                w.ret,
                if w.message.is_empty() {
                    String::new()
                } else {
                    format!(", message {:?}", w.message)
                }
            ),
            Some(serde_json::json!({ "refused": { "ret": w.ret, "message": w.message } })),
        ),
        other => DecodeError::msg(other.to_string()),
    }
}

fn parse_error(p: ParseError) -> DecodeError {
    DecodeError::msg(format!(
        "{}: expected {}; {}; body starts {:?}",
        p.endpoint,
        expected(&p.endpoint),
        p.kind,
        p.excerpt
    ))
}

/// What the endpoint answers with, for error messages.
fn expected(endpoint: &str) -> &'static str {
    match endpoint {
        "jslogin" => "`window.QRLogin.code = 200; window.QRLogin.uuid = \"…\";`",
        "login" => "`window.code=…;` (408, 201, 200 with window.redirect_uri, 400, 202)",
        "webwxnewloginpage" => "an `<error><ret>…</ret>…</error>` XML document",
        "synccheck" => "`window.synccheck={retcode:\"…\",selector:\"…\"}`",
        "webwxpushloginurl" => "a JSON object with `ret` and `uuid`",
        "AddMsgList entry" => "one AddMsgList entry (a JSON object)",
        _ => "a JSON object with a BaseResponse",
    }
}

fn kind_name(kind: DecodeKind) -> String {
    clap::ValueEnum::to_possible_value(&kind)
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// Replaces the value of every secret key (at any depth) and of every secret query
/// parameter in a string (`…?skey=…`) with [`REDACTED`]. Zero and empty values say
/// nothing and stay.
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if !is_secret(k) {
                    redact(val);
                } else if !matches!(val, Value::Null) && val != 0 && val != "" {
                    *val = Value::String(REDACTED.into());
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(s) => {
            if let Some(redacted) = redact_query(s) {
                *s = redacted;
            }
        }
        _ => {}
    }
}

fn is_secret(key: &str) -> bool {
    SECRET_KEYS.contains(&key.to_ascii_lowercase().as_str())
}

/// `s` with the values of its secret query parameters redacted; `None` when it has none.
fn redact_query(s: &str) -> Option<String> {
    let (head, query) = s.split_once('?')?;
    let mut changed = false;
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, value))
                if (is_secret(name) || SECRET_PARAMS.contains(&name)) && !value.is_empty() =>
            {
                changed = true;
                format!("{name}={REDACTED}")
            }
            _ => param.to_owned(),
        })
        .collect();
    changed.then(|| format!("{head}?{}", params.join("&")))
}

/// Joins the lines of a message so that stderr gets exactly one line.
fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_nested() {
        let mut v = serde_json::json!({"kind": "credentials", "uin": 1, "sid": "s",
            "skey": "k", "pass_ticket": "p", "is_grayscale": true, "x": [{"Uin": 2}]});
        redact(&mut v);
        assert_eq!(v["uin"], REDACTED);
        assert_eq!(v["sid"], REDACTED);
        assert_eq!(v["skey"], REDACTED);
        assert_eq!(v["pass_ticket"], REDACTED);
        assert_eq!(v["x"][0]["Uin"], REDACTED);
        assert_eq!(v["is_grayscale"], true);
    }

    #[test]
    fn redact_query_parameters_and_keep_empty_values() {
        let mut v = serde_json::json!({"Uin": 0, "SKey": "", "sid": null,
            "url": "/icon?seq=1&skey=@crypt_1&username=@a&pass_ticket=",
            "text": "no query here", "plain": "?a=1&b=2"});
        redact(&mut v);
        assert_eq!(v["Uin"], 0);
        assert_eq!(v["SKey"], "");
        assert_eq!(v["sid"], Value::Null);
        assert_eq!(
            v["url"],
            "/icon?seq=1&skey=<redacted>&username=@a&pass_ticket="
        );
        assert_eq!(v["text"], "no query here");
        assert_eq!(v["plain"], "?a=1&b=2");
    }

    #[test]
    fn one_line_joins() {
        assert_eq!(one_line("a\nb\r\nc"), "a b c");
    }
}
