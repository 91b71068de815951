//! What endpoint builders need to know: the time, the hosts, and (once logged in) the
//! credentials. The state machine fills these in; tests build them by hand.

use super::request::UrlBuilder;
use crate::hosts::{HostKind, Hosts};
use crate::session::Credentials;
use crate::time::Timestamp;
use crate::wire::BaseRequest;

/// The path prefix of every cgi endpoint.
pub const CGI: &str = "/cgi-bin/mmwebwx-bin";

/// Context for requests made before login (jslogin, login poll, newloginpage, push login).
#[derive(Debug, Clone, Copy)]
pub struct LoginCtx<'a> {
    /// Now.
    pub now: Timestamp,
    /// The hosts (login host for jslogin/poll, content host for the redirect).
    pub hosts: &'a Hosts,
    /// `lang` parameter, e.g. `zh_CN`.
    pub lang: &'a str,
    /// The desktop (UOS) variant.
    pub desktop: bool,
}

/// Context for requests made in a logged-in session. `Debug` redacts the credentials and
/// the data ticket.
#[derive(Clone)]
pub struct SessionCtx<'a> {
    /// Now.
    pub now: Timestamp,
    /// The session's hosts.
    pub hosts: &'a Hosts,
    /// The credentials.
    pub credentials: &'a Credentials,
    /// A fresh DeviceID for this request.
    pub device_id: String,
    /// `lang` parameter, e.g. `zh_CN`.
    pub lang: &'a str,
    /// Our own UserName (empty before webwxinit answered).
    pub me: &'a str,
    /// The `webwx_data_ticket` cookie, when the session has one.
    pub data_ticket: Option<&'a str>,
}

impl std::fmt::Debug for SessionCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCtx")
            .field("now", &self.now)
            .field("hosts", &self.hosts)
            .field("credentials", &self.credentials)
            .field("device_id", &self.device_id)
            .field("lang", &self.lang)
            .field("me", &self.me)
            .field(
                "data_ticket",
                &self.data_ticket.map(|_| crate::redact::REDACTED),
            )
            .finish()
    }
}

impl SessionCtx<'_> {
    /// The `BaseRequest` of this request.
    pub fn base_request(&self) -> BaseRequest {
        BaseRequest {
            uin: self.credentials.uin,
            sid: self.credentials.sid.clone(),
            skey: self.credentials.skey.clone(),
            device_id: self.device_id.clone(),
        }
    }

    /// `https://HOST/cgi-bin/mmwebwx-bin/{endpoint}` on the host of `kind`.
    pub fn url(&self, kind: HostKind, endpoint: &str) -> UrlBuilder {
        UrlBuilder::new(self.hosts.get(kind), &format!("{CGI}/{endpoint}"))
    }

    /// Appends `lang` and `pass_ticket` the way the official client's HTTP interceptor
    /// does (pass_ticket is already URL-encoded in the XML, so it goes out encoded twice).
    pub fn interceptor(&self, url: UrlBuilder) -> UrlBuilder {
        url.param("lang", self.lang)
            .param("pass_ticket", &self.credentials.pass_ticket)
    }
}
