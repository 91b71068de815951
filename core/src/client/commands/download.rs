//! Media downloads: [`Client::download`] queues the request for a [`Download`]; the
//! result is [`CommandEvent::Downloaded`] with the bytes, their content type and a file
//! name safe to write, or [`CommandEvent::DownloadFailed`].

use super::{
    Client, Cmd, CommandEvent, CommandFailure, Commands, DownloadId, Inflight, Pending,
    check_ready, emit,
};
use crate::client::Phase;
use crate::client::ctx::{Ctx, Step};
use crate::endpoint::getmedia::MediaFile;
use crate::endpoint::{getheadimg, geticon, getmedia, getmsgimg, getvideo, getvoice};
use crate::error::{Argument, CommandError};
use crate::media::MediaBody;
pub use crate::media::{Download, DownloadedMedia};
use crate::time::Now;
use http::Response;

/// A download in progress.
#[derive(Debug)]
pub(crate) struct PendingDownload {
    what: Download,
}

/// The `seq` parameter of a contact's `HeadImgUrl`, else 0.
fn head_img_seq(url: &str) -> u64 {
    url.split(['?', '&'])
        .find_map(|p| p.strip_prefix("seq="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl Client {
    /// Downloads a media: a message's image, voice or video, a file, an avatar.
    /// ([`Download::for_message`] picks the download for a received message.)
    pub fn download(&mut self, now: Now, what: Download) -> Result<DownloadId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| cmds.download(ctx, phase, what))
    }

    /// The download a request in flight belongs to, if it is one. A driver that streams
    /// downloads to a writer asks this of each request it is to send: the core still
    /// decides which request and when to retry it; the driver only streams the body (and
    /// answers with a head-only response marked [`Streamed`](crate::media::Streamed)).
    pub fn download_of(&self, request: crate::RequestId) -> Option<DownloadId> {
        match self.inflight.get(&request)?.pending {
            Pending::Cmd(Cmd::Download { download }) => Some(DownloadId(download)),
            _ => None,
        }
    }
}

impl Commands {
    fn download(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        what: Download,
    ) -> Result<DownloadId, CommandError> {
        check_ready(phase, ctx.state)?;
        let empty = |s: &str, what: Argument| {
            if s.is_empty() {
                Err(CommandError::empty(what))
            } else {
                Ok(())
            }
        };
        match &what {
            Download::Image { msg_id, .. }
            | Download::Voice { msg_id }
            | Download::Video { msg_id } => empty(msg_id, Argument::MessageId)?,
            Download::File {
                media_id, sender, ..
            } => {
                empty(media_id, Argument::MediaId)?;
                empty(sender, Argument::Sender)?;
            }
            Download::Avatar { user_name } | Download::MemberAvatar { user_name, .. } => {
                empty(user_name, Argument::UserName)?
            }
        }
        let seq =
            |c: Option<&crate::wire::RawContact>| c.map_or(0, |c| head_img_seq(&c.head_img_url));
        let (endpoint, req) = match &what {
            Download::Avatar { user_name } => {
                let s = seq(ctx.contacts.get(user_name));
                let group = crate::contacts::is_group(user_name);
                let req = ctx.session_ctx().map(|sc| {
                    if group {
                        getheadimg::build(&sc, user_name, s)
                    } else {
                        geticon::build(&sc, user_name, s, None)
                    }
                });
                (
                    if group {
                        getheadimg::NAME
                    } else {
                        geticon::NAME
                    },
                    req,
                )
            }
            Download::MemberAvatar { user_name, group } => {
                let room = ctx
                    .contacts
                    .get(group)
                    .map(|g| g.encry_chat_room_id.clone())
                    .unwrap_or_default();
                let s = seq(ctx.contacts.get(user_name));
                let req = ctx
                    .session_ctx()
                    .map(|sc| geticon::build(&sc, user_name, s, Some(&room)));
                (geticon::NAME, req)
            }
            Download::Image { msg_id, thumbnail } => (
                getmsgimg::NAME,
                ctx.session_ctx()
                    .map(|sc| getmsgimg::build(&sc, msg_id, *thumbnail)),
            ),
            Download::Voice { msg_id } => (
                getvoice::NAME,
                ctx.session_ctx().map(|sc| getvoice::build(&sc, msg_id)),
            ),
            Download::Video { msg_id } => (
                getvideo::NAME,
                ctx.session_ctx().map(|sc| getvideo::build(&sc, msg_id)),
            ),
            Download::File {
                sender,
                media_id,
                file_name,
                encry_file_name,
            } => (
                getmedia::NAME,
                ctx.session_ctx().map(|sc| {
                    getmedia::build(
                        &sc,
                        &MediaFile {
                            sender,
                            media_id,
                            encry_file_name,
                            file_name,
                        },
                    )
                }),
            ),
        };
        let req = req.ok_or(CommandError::NotLoggedIn)?;
        let id = self.next();
        self.downloads.insert(id, PendingDownload { what });
        // Downloads may be large: the upload timeout is the longer one.
        let t = ctx.cfg.upload_timeout;
        ctx.dispatch(
            Pending::Cmd(Cmd::Download { download: id }),
            endpoint,
            req,
            t,
        );
        Ok(DownloadId(id))
    }

    /// The answer to a download.
    pub(super) fn on_download(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        id: u64,
        resp: Response<Vec<u8>>,
    ) -> Step {
        // The driver streamed the body to the host's writer: only the head is here.
        if let Some(streamed) = resp.extensions().get::<crate::media::Streamed>().copied() {
            let result = match streamed.failed {
                Some(kind) => Err(CommandFailure::Transport { kind }),
                None => Ok(MediaBody {
                    bytes: Vec::new(),
                    content_type: crate::media::content_type(&resp),
                }),
            };
            self.finish_download(ctx, id, result);
            return Step::Stay;
        }
        match crate::media::check_media(inflight.endpoint, &resp) {
            Ok(content_type) => {
                let body = MediaBody {
                    bytes: resp.into_body(),
                    content_type,
                };
                self.finish_download(ctx, id, Ok(body));
                Step::Stay
            }
            Err(e) => Self::refused(inflight, e),
        }
    }

    /// Reports the end of a download, once.
    pub(super) fn finish_download(
        &mut self,
        ctx: &mut Ctx<'_>,
        id: u64,
        result: Result<MediaBody, CommandFailure>,
    ) {
        let Some(p) = self.downloads.remove(&id) else {
            return;
        };
        let download = DownloadId(id);
        match result {
            Ok(body) => {
                let media = DownloadedMedia::new(&p.what, body);
                emit(ctx, CommandEvent::Downloaded { download, media });
            }
            Err(error) => emit(ctx, CommandEvent::DownloadFailed { download, error }),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn seq_from_head_img_url() {
        assert_eq!(
            super::head_img_seq(
                "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=696335334&username=@a&skey=@b"
            ),
            696_335_334
        );
        assert_eq!(super::head_img_seq(""), 0);
        assert_eq!(super::head_img_seq("/x?seq=abc"), 0);
    }
}
