//! `webwxgetcontact`: the address book, paged by `Seq` until it is 0.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetcontact?lang=..&pass_ticket=..&r=..&seq=..&skey=..`
//! (AngularJS sorts `$http` params alphabetically, as the capture shows).

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::{ParseError, ParseErrorKind, ResponseError};
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseResponse, RawContact, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;
use serde_json::value::RawValue;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetcontact";

/// The official client stops after this many pages (`count <= 16`); so do we.
pub const MAX_PAGES: u32 = 16;

/// One page.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ContactPage {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Entries in this page.
    pub member_count: u64,
    /// The contacts.
    pub member_list: Vec<RawContact>,
    /// The next page's seq; 0 when done.
    pub seq: u64,
}

record!(ContactPage {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "MemberCount" => member_count: lenient::u64,
    "MemberList" => member_list: lenient::vec,
    "Seq" => seq: lenient::u64,
});

/// Builds the request for the page starting at `seq`.
pub fn build(ctx: &SessionCtx<'_>, seq: u64) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxgetcontact")
        .param("lang", ctx.lang)
        .param("pass_ticket", &ctx.credentials.pass_ticket)
        .param_raw("r", ctx.now.to_string())
        .param_raw("seq", seq.to_string())
        .param("skey", &ctx.credentials.skey)
        .build();
    get(url)
}

/// Parses one page.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<ContactPage, ResponseError> {
    parse_json(NAME, resp)
}

/// [`parse`], each `MemberList` entry handed to `entry` (its index, its raw JSON, which
/// must be an object) as soon as the one pass over the body has read it, to be typed
/// ([`contact`]) while the pass goes on. Returns the page without its contacts and how
/// many there were; an error may come after entries were handed on.
pub fn parse_each<'a>(
    resp: &'a Response<Vec<u8>>,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(ContactPage, usize), ResponseError> {
    crate::wire::entries::parse_entries(NAME, "MemberList", resp, entry)
}

/// [`parse_each`] with each entry parsed ([`contact`]), as
/// [`super::sync::parse_each_message`] does for webwxsync: the same entries, results
/// and errors as `parse_each` and `contact` on each, each entry read where the one pass
/// finds it when the body is well-formed.
pub fn parse_each_contact(
    resp: &Response<Vec<u8>>,
    mut entry: impl FnMut(usize, Result<RawContact, ParseError>),
) -> Result<(ContactPage, usize), ResponseError> {
    let mut handed = 0;
    let read = crate::wire::entries::read_entries(NAME, "MemberList", resp, |i, c| {
        entry(i, Ok(c));
        handed += 1;
    });
    if let Some(done) = read {
        return Ok(done);
    }
    parse_each(resp, |i, raw| {
        if i >= handed {
            entry(i, contact(raw));
        }
    })
}

/// One `MemberList` entry, parsed as [`parse`] parses it.
pub fn contact(raw: &RawValue) -> Result<RawContact, ParseError> {
    serde_json::from_str(raw.get()).map_err(|e| {
        ParseError::new(
            NAME,
            ParseErrorKind::Json(e.to_string()),
            raw.get().as_bytes(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entry by entry is the whole page: same contacts, same rest.
    #[test]
    fn each_is_parse() {
        let body = include_bytes!(
            "../../tests/fixtures/captures/wechat4u_test_response_webwxgetcontact.json"
        );
        let resp = Response::new(body.to_vec());
        let whole = parse(&resp).unwrap();
        let mut contacts = Vec::new();
        let (head, n) =
            parse_each(&resp, |i, raw| contacts.push((i, contact(raw).unwrap()))).unwrap();
        assert!(!whole.member_list.is_empty());
        assert_eq!(n, whole.member_list.len());
        for (k, (i, c)) in contacts.iter().enumerate() {
            assert_eq!((*i, c), (k, &whole.member_list[k]));
        }
        let mut rest = whole.clone();
        rest.member_list.clear();
        assert_eq!(head, rest);
    }

    /// Entries read in the one pass are what `parse_each` and `contact` give: on the
    /// capture, a contact with escapes, and bodies that fail (a repeated key, an entry
    /// that is not an object, bad JSON after the list, a refusal).
    #[test]
    fn each_contact_is_each_then_contact() {
        let capture = include_str!(
            "../../tests/fixtures/captures/wechat4u_test_response_webwxgetcontact.json"
        );
        let head = r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MemberCount":2,"MemberList":["#;
        let c0 = r#"{"UserName":"@a\"b","NickName":"\u4f60&amp;<span class=\"emoji emoji1f604\"></span>","Uin":"12","X":[{}]}"#;
        let c1 = r#"{"UserName":"@@g","MemberCount":"3","VerifyFlag":8}"#;
        let bodies = [
            capture.to_owned(),
            format!("{head}{c0},{c1}],\"Seq\":0}}"),
            format!("{head}{c0},{{\"Uin\":1,\"Uin\":2}},{c1}],\"Seq\":0}}"),
            format!("{head}{c0},\"x\",{c1}],\"Seq\":0}}"),
            format!("{head}{c0},{c1}],\"Seq\":0,}}"),
            r#"{"BaseResponse":{"Ret":1101,"ErrMsg":""},"MemberList":[{}]}"#.to_owned(),
        ];
        for body in bodies {
            let r = Response::new(body.clone().into_bytes());
            let mut fast = Vec::new();
            let fast_done = format!(
                "{:?}",
                parse_each_contact(&r, |i, c| fast.push((i, format!("{c:?}"))))
            );
            let mut slow = Vec::new();
            let slow_done = format!(
                "{:?}",
                parse_each(&r, |i, raw| slow.push((i, format!("{:?}", contact(raw)))))
            );
            assert_eq!((fast, fast_done), (slow, slow_done), "{body}");
        }
    }
}
