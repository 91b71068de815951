//! `webwxgetcontact`: the address book, paged by `Seq` until it is 0.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetcontact?lang=..&pass_ticket=..&r=..&seq=..&skey=..`
//! (AngularJS sorts `$http` params alphabetically, as the capture shows).

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::{ParseError, ResponseError};
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
pub fn parse_each<'a, B: AsRef<[u8]>>(
    resp: &'a Response<B>,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(ContactPage, usize), ResponseError> {
    crate::wire::entries::parse_entries(NAME, "MemberList", resp, entry)
}

/// [`parse_each`] over a body already known to be UTF-8 text (`text`, with the answer's
/// `status`): each entry's text is not checked again.
pub fn parse_each_text<'a>(
    status: http::StatusCode,
    text: &'a str,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(ContactPage, usize), ResponseError> {
    crate::wire::entries::parse_entries_text(NAME, "MemberList", status, text, entry)
}

/// One `MemberList` entry, parsed as [`parse`] parses it.
pub fn contact(raw: &RawValue) -> Result<RawContact, ParseError> {
    crate::wire::entries::parse_entry(NAME, raw)
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
}
