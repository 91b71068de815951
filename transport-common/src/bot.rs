//! Bots on either driver: a [`Dispatcher`] of handlers fed from the event loop
//! ([`Bot::handle`]), and reply helpers on a received message ([`Reply`], for every
//! [`Session`]: the blocking `webwx_ureq::Handle` and the async `webwx_hyper::Handle`).
//!
//! The handlers run on the thread (or task) that reads the events: keep them short, and
//! hand long work to a thread of your own. A reply is queued at once and goes when the
//! send queue's pacing lets it ([`webwx_core::pacing`]); its outcome is a later
//! `Sent` or `SendFailed` event.
//!
//! ```no_run
//! use webwx_core::handlers::{Flow, Kind, Matcher};
//! use webwx_transport::bot::{Bot, Reply};
//!
//! # fn run<S: webwx_transport::Session>(handle: S, events: impl Iterator<Item = webwx_core::Event>) {
//! let mut bot = Bot::for_handle(&handle);
//! bot.on(Matcher::kind(Kind::Text).text_is("ping"), |h, m| {
//!     let _ = h.reply(m, "pong");
//!     Flow::Stop
//! });
//! for event in events {
//!     bot.handle(&handle, &event);
//! }
//! # }
//! ```

use std::path::Path;

use webwx_core::handlers::{Dispatched, Dispatcher, Facts, Flow, Matcher};
use webwx_core::message::Message;
use webwx_core::{CommandError, Download, DownloadId, Event, LocalId, OpId, UploadHandle};

use crate::{SendFileError, Session};

/// A [`Dispatcher`] whose handlers get the session's handle (to reply with).
pub struct Bot<S> {
    dispatcher: Dispatcher<S>,
}

impl<S> std::fmt::Debug for Bot<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Bot").field(&self.dispatcher).finish()
    }
}

impl<S: Session> Default for Bot<S> {
    fn default() -> Self {
        Bot {
            dispatcher: Dispatcher::new(),
        }
    }
}

impl<S: Session> Bot<S> {
    /// No handlers.
    pub fn new() -> Bot<S> {
        Bot::default()
    }

    /// No handlers, for the sessions of `handle`'s type (so that the handlers' closures
    /// know their argument types without annotations).
    pub fn for_handle(_handle: &S) -> Bot<S> {
        Bot::default()
    }

    /// Adds a handler after the others ([`Dispatcher::on`]).
    pub fn on(
        &mut self,
        m: Matcher,
        handler: impl FnMut(&S, &Message) -> Flow + Send + 'static,
    ) -> &mut Self {
        self.dispatcher.on(m, handler);
        self
    }

    /// What runs for a message no handler matched ([`Dispatcher::fallback`]).
    pub fn fallback(&mut self, handler: impl FnMut(&S, &Message) + Send + 'static) -> &mut Self {
        self.dispatcher.fallback(handler);
        self
    }

    /// Routes `event` if it is a message (`None` otherwise): the facts about its chat are
    /// read from the client first, then the handlers run without holding it.
    pub fn handle(&mut self, session: &S, event: &Event) -> Option<Dispatched> {
        let Event::Message(m) = event else {
            return None;
        };
        let facts = session.inspect(|c| Facts::of(c, m));
        Some(self.dispatcher.dispatch(session, m, &facts))
    }
}

/// Replies to a received message, on any [`Session`] (`use webwx_transport::bot::Reply`).
pub trait Reply: Session {
    /// Answers `m` in its chat (the group, or the person) with `text`.
    fn reply(&self, m: &Message, text: &str) -> Result<LocalId, CommandError> {
        self.send_text(&m.chat, text)
    }

    /// Answers `m` with `text`, @mentioning its sender in a group (`@Name\u{2005}text`,
    /// with the mention the phone shows); a plain reply in a private chat.
    fn reply_mention(&self, m: &Message, text: &str) -> Result<LocalId, CommandError> {
        if !m.is_group || m.sender.is_empty() {
            return self.reply(m, text);
        }
        let name = self.inspect(|c| {
            let member = c
                .contacts()
                .get(&m.chat)
                .and_then(|g| g.member_list.iter().find(|x| x.user_name == m.sender));
            member
                .map(|x| {
                    if x.display_name.is_empty() {
                        x.nick_name.clone()
                    } else {
                        x.display_name.clone()
                    }
                })
                .unwrap_or_default()
        });
        if name.is_empty() {
            return self.reply(m, text);
        }
        let text = format!(
            "@{}\u{2005}{text}",
            webwx_core::message::normalize_text(&name)
        );
        self.send_text_mentioning(&m.chat, &text, &[&m.sender])
    }

    /// Answers `m` with the file at `path` (an image or a video goes as such).
    fn reply_file(
        &self,
        m: &Message,
        path: impl AsRef<Path>,
    ) -> Result<UploadHandle, SendFileError> {
        self.send_path(&m.chat, path)
    }

    /// Answers `m` with an image of `bytes` named `name` (`.jpg`, `.png`, `.gif`).
    fn reply_image(
        &self,
        m: &Message,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadHandle, CommandError> {
        self.send_bytes(&m.chat, name, bytes)
    }

    /// Forwards `m` to `to` (a UserName or a name).
    fn forward_to(&self, m: &Message, to: &str) -> Result<LocalId, CommandError> {
        self.forward(m, to)
    }

    /// Revokes a message we sent to `m`'s chat, by the MsgID its `Sent` event gave.
    fn revoke_in_chat(&self, m: &Message, sent_msg_id: &str) -> Result<OpId, CommandError> {
        self.revoke(sent_msg_id, &m.chat)
    }

    /// Downloads `m`'s media (image, voice, video, file); `None` when it has none. The
    /// bytes come with a `Downloaded` event.
    fn download_media(&self, m: &Message) -> Option<Result<DownloadId, CommandError>> {
        Download::for_message(m).map(|d| self.download(d))
    }
}

impl<S: Session + ?Sized> Reply for S {}
