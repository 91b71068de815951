//! Which endpoint a path names, and on which class of host it lives.

use crate::hosts::HostClass;

/// Every path the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Index,
    JsLogin,
    QrCode,
    QrPage,
    LoginPoll,
    NewLoginPage,
    PushLoginUrl,
    Init,
    StatusNotify,
    GetContact,
    BatchGetContact,
    SyncCheck,
    Sync,
    SendMsg,
    SendMsgImg,
    SendVideoMsg,
    SendAppMsg,
    SendEmoticon,
    UploadMedia,
    CheckUpload,
    RevokeMsg,
    GetMsgImg,
    GetVoice,
    GetVideo,
    GetMedia,
    GetIcon,
    GetHeadImg,
    VerifyUser,
    CreateChatroom,
    UpdateChatroom,
    Oplog,
    Logout,
    Control,
    Unknown,
}

const CGI: &[(&str, Endpoint)] = &[
    ("login", Endpoint::LoginPoll),
    ("webwxnewloginpage", Endpoint::NewLoginPage),
    ("webwxpushloginurl", Endpoint::PushLoginUrl),
    ("webwxinit", Endpoint::Init),
    ("webwxstatusnotify", Endpoint::StatusNotify),
    ("webwxgetcontact", Endpoint::GetContact),
    ("webwxbatchgetcontact", Endpoint::BatchGetContact),
    ("synccheck", Endpoint::SyncCheck),
    ("webwxsync", Endpoint::Sync),
    ("webwxsendmsg", Endpoint::SendMsg),
    ("webwxsendmsgimg", Endpoint::SendMsgImg),
    ("webwxsendvideomsg", Endpoint::SendVideoMsg),
    ("webwxsendappmsg", Endpoint::SendAppMsg),
    ("webwxsendemoticon", Endpoint::SendEmoticon),
    ("webwxuploadmedia", Endpoint::UploadMedia),
    ("webwxcheckupload", Endpoint::CheckUpload),
    ("webwxrevokemsg", Endpoint::RevokeMsg),
    ("webwxgetmsgimg", Endpoint::GetMsgImg),
    ("webwxgetvoice", Endpoint::GetVoice),
    ("webwxgetvideo", Endpoint::GetVideo),
    ("webwxgetmedia", Endpoint::GetMedia),
    ("webwxgeticon", Endpoint::GetIcon),
    ("webwxgetheadimg", Endpoint::GetHeadImg),
    ("webwxverifyuser", Endpoint::VerifyUser),
    ("webwxcreatechatroom", Endpoint::CreateChatroom),
    ("webwxupdatechatroom", Endpoint::UpdateChatroom),
    ("webwxoplog", Endpoint::Oplog),
    ("webwxlogout", Endpoint::Logout),
];

impl Endpoint {
    /// Resolves a path without its host segment.
    pub(crate) fn from_path(path: &str) -> Endpoint {
        if path == "/" || path.is_empty() || path == "/index.html" {
            return Endpoint::Index;
        }
        if path == "/jslogin" {
            return Endpoint::JsLogin;
        }
        if path.starts_with("/qrcode/") {
            return Endpoint::QrCode;
        }
        if path.starts_with("/l/") {
            return Endpoint::QrPage;
        }
        if path.starts_with("/_sim/") {
            return Endpoint::Control;
        }
        if let Some(name) = path.strip_prefix("/cgi-bin/mmwebwx-bin/") {
            let name = name.trim_end_matches('/');
            for (n, e) in CGI {
                if *n == name {
                    return *e;
                }
            }
        }
        Endpoint::Unknown
    }

    /// The endpoint's name as faults and logs spell it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Endpoint::Index => "index",
            Endpoint::JsLogin => "jslogin",
            Endpoint::QrCode => "qrcode",
            Endpoint::QrPage => "l",
            Endpoint::Control => "_sim",
            Endpoint::Unknown => "unknown",
            e => CGI
                .iter()
                .find(|(_, x)| *x == e)
                .map_or("unknown", |(n, _)| n),
        }
    }

    /// The class of host that serves it (`None`: any host). webwxpushloginurl is
    /// also served by content hosts (see `endpoints::handle`).
    pub(crate) fn class(self) -> Option<HostClass> {
        match self {
            Endpoint::Index | Endpoint::Control | Endpoint::Unknown => None,
            Endpoint::JsLogin
            | Endpoint::QrCode
            | Endpoint::QrPage
            | Endpoint::LoginPoll
            | Endpoint::PushLoginUrl => Some(HostClass::Login),
            Endpoint::SyncCheck => Some(HostClass::Push),
            Endpoint::UploadMedia | Endpoint::GetMedia => Some(HostClass::File),
            _ => Some(HostClass::Content),
        }
    }

    /// Whether it sends a message (`webwxsendmsg`, `webwxsendmsgimg`, ...).
    pub(crate) fn is_send(self) -> bool {
        matches!(
            self,
            Endpoint::SendMsg
                | Endpoint::SendMsgImg
                | Endpoint::SendVideoMsg
                | Endpoint::SendAppMsg
                | Endpoint::SendEmoticon
        )
    }

    /// Whether faults may hit it (the protocol, not the control API).
    pub(crate) fn faultable(self) -> bool {
        !matches!(self, Endpoint::Control | Endpoint::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(Endpoint::from_path("/jslogin"), Endpoint::JsLogin);
        assert_eq!(
            Endpoint::from_path("/cgi-bin/mmwebwx-bin/webwxsync"),
            Endpoint::Sync
        );
        assert_eq!(
            Endpoint::from_path("/cgi-bin/mmwebwx-bin/login"),
            Endpoint::LoginPoll
        );
        assert_eq!(Endpoint::from_path("/qrcode/abc=="), Endpoint::QrCode);
        assert_eq!(
            Endpoint::from_path("/cgi-bin/mmwebwx-bin/nope"),
            Endpoint::Unknown
        );
        assert_eq!(Endpoint::Sync.name(), "webwxsync");
        assert_eq!(Endpoint::SyncCheck.name(), "synccheck");
        assert_eq!(Endpoint::LoginPoll.name(), "login");
    }
}
