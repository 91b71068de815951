//! `webwxgetcontact`: the address book, paged by `Seq` until it is 0.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetcontact?lang=..&pass_ticket=..&r=..&seq=..&skey=..`
//! (AngularJS sorts `$http` params alphabetically, as the capture shows).

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::{BaseResponse, RawContact, lenient, parse_json};
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetcontact";

/// The official client stops after this many pages (`count <= 16`); so do we.
pub const MAX_PAGES: u32 = 16;

/// One page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ContactPage {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Entries in this page.
    #[serde(deserialize_with = "lenient::u64")]
    pub member_count: u64,
    /// The contacts.
    #[serde(deserialize_with = "lenient::vec")]
    pub member_list: Vec<RawContact>,
    /// The next page's seq; 0 when done.
    #[serde(deserialize_with = "lenient::u64")]
    pub seq: u64,
}

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
