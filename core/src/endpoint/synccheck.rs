//! `synccheck`: the long-poll on the push host that says whether to call webwxsync.
//!
//! `GET https://PUSH/cgi-bin/mmwebwx-bin/synccheck?r=..&skey=..&sid=..&uin=..&deviceid=..&synckey=k_v|k_v&_=..`
//! (synckey from **SyncCheckKey**) answers `window.synccheck={retcode:"0",selector:"2"}`.

use super::ctx::SessionCtx;
use super::js::{self, JsValue};
use super::request::get;
use crate::error::{ParseError, ParseErrorKind, ResponseError};
use crate::hosts::HostKind;
use crate::wire::SyncKey;
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "synccheck";

/// What synccheck said.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SyncCheck {
    /// 0 fine; 1100/1101/1102 session over; anything else unknown.
    pub retcode: i64,
    /// 0 nothing; 2 new messages; 4 contacts; 6 contacts/messages; 7 phone-side activity;
    /// any non-zero value means "call webwxsync".
    pub selector: u32,
}

impl SyncCheck {
    /// Whether webwxsync should be called.
    pub fn has_news(&self) -> bool {
        self.retcode == 0 && self.selector != 0
    }
}

/// Builds the request. `cache_buster` is the `_` parameter (jQuery's counter, which the
/// official client starts at page-load time).
pub fn build(
    ctx: &SessionCtx<'_>,
    sync_check_key: &SyncKey,
    cache_buster: u64,
) -> Request<Vec<u8>> {
    let c = ctx.credentials;
    let url = ctx
        .url(HostKind::Push, "synccheck")
        .param_raw("r", ctx.now.to_string())
        .param_component("skey", &c.skey)
        .param_component("sid", &c.sid)
        .param_raw("uin", c.uin.to_string())
        .param_component("deviceid", &ctx.device_id)
        .param_component("synckey", sync_check_key.to_query())
        .param_raw("_", cache_buster.to_string())
        .build();
    get(url)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SyncCheck, ResponseError> {
    let body = resp.body();
    crate::wire::check_status(NAME, resp)?;
    let text = String::from_utf8_lossy(body);
    let a = js::assignments(&text);
    let obj = js::find(&a, "synccheck").ok_or_else(|| {
        ParseError::new(NAME, ParseErrorKind::Js("no window.synccheck".into()), body)
    })?;
    let num = |name: &str| -> Result<i64, ParseError> {
        let v = obj
            .field(name)
            .and_then(JsValue::as_text)
            .ok_or_else(|| ParseError::new(NAME, ParseErrorKind::Missing(name.into()), body))?;
        v.parse().map_err(|_| {
            ParseError::new(NAME, ParseErrorKind::Invalid(format!("{name} {v:?}")), body)
        })
    };
    let retcode = num("retcode")?;
    let selector = num("selector")?;
    let selector = u32::try_from(selector)
        .map_err(|_| ParseError::new(NAME, ParseErrorKind::Invalid("selector".into()), body))?;
    Ok(SyncCheck { retcode, selector })
}
