//! The tracker: applies [`Command`]s to a [`Client`] and turns the session's events into
//! exactly one [`Answer`] per command. Sans-IO like the client: it reads no clock (every
//! input takes `now`; [`Tracker::poll_timeout`] says when to call
//! [`Tracker::handle_timeout`]) and touches no file (a [`Host`] does, where it has files).
//!
//! Drive it beside the client:
//!
//! 1. [`Tracker::submit`] each command (a [`Request`]: the command, its `"id"`, an
//!    optional timeout). A command submitted before `Ready` waits for it (its timeout
//!    runs meanwhile); one submitted after the session ended answers `session_ended`.
//! 2. Pass every event the client outputs to [`Tracker::handle_event`] before handing it
//!    on; it returns `true` for the tracker's own business (the bytes of an upload it
//!    feeds itself), which the host then drops.
//! 3. Call [`Tracker::handle_timeout`] at [`Tracker::poll_timeout`] (with the client's
//!    own timer).
//! 4. Drain [`Tracker::poll_completion`] after every input: each [`Completion`] becomes
//!    the command's [`Answer`] (a download's bytes are saved or inlined by the host:
//!    [`Completion::answer`]).
//!
//! When the session ends (`LoggedOut`), every command still waiting answers
//! `session_ended` (a `logout` answers `logged_out`); a host that stops a session
//! without it calls [`Tracker::end`].

use super::answer::{Answer, CommandResult};
use super::command::{Command, CommandId, Request};
use super::error::{ErrorInfo, ErrorKind};
use crate::FileSpec;
use crate::client::{Client, CommandEvent, Event, RecentLimits, RecentMessage, SessionPhase};
use crate::endpoint::sendemoticon::Emoticon;
use crate::media::DownloadedMedia;

use crate::sorted_map::SortedMap;
use crate::time::{Monotonic, Now};
use crate::upload::{MediaKind, md5_hex};
use crate::{LocalId, UploadHandle, UploadId};
use std::collections::VecDeque;
use std::time::Duration;

/// How many received messages the client keeps for `forward`, `download` and
/// `accept_friend` by `msg_id` (the tracker looks them up there).
pub use crate::client::RECENT_MESSAGES;

/// How long each kind of command may take before it answers `timeout`, unless its
/// request says (`"timeout_ms"`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Sends without a file (text, emoticon, forward). Default 60 s.
    pub send: Duration,
    /// File sends: `upload_base` plus `upload_per_mib` for each MiB. Default 120 s.
    pub upload_base: Duration,
    /// Added per MiB of a file send. Default 20 s (a 25 MiB file gets 10 minutes).
    pub upload_per_mib: Duration,
    /// Operations (revoke, friends, groups, remarks, pins). Default 60 s.
    pub op: Duration,
    /// Downloads. Default 300 s.
    pub download: Duration,
    /// Logout. Default 30 s.
    pub logout: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            send: Duration::from_secs(60),
            upload_base: Duration::from_secs(120),
            upload_per_mib: Duration::from_secs(20),
            op: Duration::from_secs(60),
            download: Duration::from_secs(300),
            logout: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// The timeouts, all `d` (for tests).
    pub fn all(d: Duration) -> Timeouts {
        Timeouts {
            send: d,
            upload_base: d,
            upload_per_mib: Duration::ZERO,
            op: d,
            download: d,
            logout: d,
        }
    }

    /// The default timeout of `command` (a file send of `size` bytes, when known).
    pub fn of(&self, command: &Command, size: Option<u64>) -> Duration {
        match command {
            Command::SendFile { .. } => {
                let mib = size.unwrap_or(0).div_ceil(1024 * 1024);
                self.upload_base
                    .saturating_add(self.upload_per_mib.saturating_mul(mib as u32))
            }
            Command::SendText { .. } | Command::SendEmoticon { .. } | Command::Forward { .. } => {
                self.send
            }
            Command::Download { .. } => self.download,
            Command::Logout {} => self.logout,
            _ => self.op,
        }
    }
}

/// What a host does with files, for commands that name local paths. The default
/// methods refuse (`unsupported`): a host without files (the browser, the gateway's
/// HTTP API) implements nothing, or uses [`NoFiles`].
pub trait Host {
    /// The name and size of the regular file at `path` (`send_file` with `"path"`).
    fn file_info(&mut self, path: &str) -> Result<(String, u64), ErrorInfo> {
        let _ = path;
        Err(ErrorInfo::new(
            ErrorKind::Unsupported,
            "this host has no local files: send the bytes as data_b64",
        ))
    }

    /// The host reads the bytes of `upload` from `path` itself from now on (it answers
    /// the core's `UploadNeedsData`, which the tracker then never sees as its own).
    fn upload_from_path(&mut self, upload: &UploadHandle, path: &str) {
        let _ = (upload, path);
    }

    /// Whether a download may be saved under `save_to` (checked before it starts).
    fn check_save_to(&mut self, save_to: &str) -> Result<(), ErrorInfo> {
        let _ = save_to;
        Err(ErrorInfo::new(
            ErrorKind::Unsupported,
            "this host has no local files: download with \"inline\": true",
        ))
    }
}

/// A [`Host`] without files.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoFiles;

impl Host for NoFiles {}

/// Which command a [`Completion`] answers: [`Tracker::submit`] returns it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

/// A command's outcome, before the host turns it into its [`Answer`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Done {
    /// The result, as answered.
    Result(CommandResult),
    /// A download's bytes: saved under `save_to` by the host, else answered inline.
    Download {
        /// The bytes.
        media: DownloadedMedia,
        /// Where to save them.
        save_to: Option<String>,
    },
}

/// A command has its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// The command.
    pub ticket: Ticket,
    /// Its `"id"`.
    pub id: Option<CommandId>,
    /// The outcome.
    pub result: Result<Done, ErrorInfo>,
}

impl Completion {
    /// The answer, with a download saved by `save(media, save_to)` (which returns the
    /// path written) when the command said `save_to`, else inlined as base64.
    pub fn answer(
        self,
        save: impl FnOnce(&DownloadedMedia, &str) -> Result<String, ErrorInfo>,
    ) -> Answer {
        let result = self.result.and_then(|done| match done {
            Done::Result(r) => Ok(r),
            Done::Download {
                media,
                save_to: Some(to),
            } => save(&media, &to).map(|path| CommandResult::saved_download(&media, path)),
            Done::Download {
                media,
                save_to: None,
            } => Ok(CommandResult::inline_download(&media)),
        });
        Answer::new(self.id, result)
    }

    /// The answer on a host without files (downloads inline).
    pub fn answer_inline(self) -> Answer {
        self.answer(|_, _| {
            Err(ErrorInfo::new(
                ErrorKind::Unsupported,
                "this host has no local files",
            ))
        })
    }
}

/// What an applied command waits for.
#[derive(Clone, Debug, PartialEq)]
enum Waits {
    Send(String),
    Op(u64),
    Download(u64, Option<String>),
    Logout,
}

#[derive(Debug)]
struct Entry {
    id: Option<CommandId>,
    waits: Waits,
    deadline: Monotonic,
    upload: Option<UploadId>,
}

#[derive(Debug)]
struct Held {
    ticket: Ticket,
    request: Request,
    deadline: Monotonic,
}

/// Applies commands and answers each exactly once. See the module docs.
#[derive(Debug, Default)]
pub struct Tracker {
    timeouts: Timeouts,
    next: u64,
    /// `Ready` seen (and no `ResumeFailed` since).
    ready: bool,
    /// The session ended.
    ended: bool,
    entries: SortedMap<Ticket, Entry>,
    held: VecDeque<Held>,
    /// The bytes of uploads the tracker feeds itself (`data_b64`).
    uploads: SortedMap<UploadId, (String, Vec<u8>)>,
    out: VecDeque<Completion>,
}

impl Tracker {
    /// A tracker with these timeouts.
    pub fn new(timeouts: Timeouts) -> Tracker {
        Tracker {
            timeouts,
            ..Tracker::default()
        }
    }

    /// Commands submitted and not answered yet.
    pub fn pending(&self) -> usize {
        self.entries.len() + self.held.len()
    }

    /// The next completion, if any: drain after every input.
    pub fn poll_completion(&mut self) -> Option<Completion> {
        self.out.pop_front()
    }

    /// When [`Tracker::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Monotonic> {
        self.entries
            .values()
            .map(|e| e.deadline)
            .chain(self.held.iter().map(|h| h.deadline))
            .min()
    }

    fn ticket(&mut self) -> Ticket {
        self.next += 1;
        Ticket(self.next)
    }

    fn complete(&mut self, ticket: Ticket, id: Option<CommandId>, result: Result<Done, ErrorInfo>) {
        self.out.push_back(Completion { ticket, id, result });
    }

    /// Submits a command: applied now when the session is ready, held until `Ready`
    /// while it logs in or starts, answered `session_ended` once it is over.
    pub fn submit(
        &mut self,
        client: &mut Client,
        now: Now,
        request: impl Into<Request>,
        host: &mut dyn Host,
    ) -> Ticket {
        let request = request.into();
        let ticket = self.ticket();
        // `logout` and `me` run in any phase.
        let any_phase = matches!(request.command, Command::Logout {} | Command::Me {});
        let phase = client.session_phase();
        if phase == SessionPhase::Ready {
            self.ready = true;
        }
        match phase {
            _ if any_phase => self.apply(client, now, ticket, request, host),
            SessionPhase::LoggedOut | SessionPhase::LoggingOut => self.complete(
                ticket,
                request.id,
                Err(ErrorInfo::new(
                    ErrorKind::SessionEnded,
                    "the session has ended",
                )),
            ),
            _ if self.ended => self.complete(
                ticket,
                request.id,
                Err(ErrorInfo::new(
                    ErrorKind::SessionEnded,
                    "the session has ended",
                )),
            ),
            SessionPhase::Ready if self.ready => self.apply(client, now, ticket, request, host),
            _ => {
                let d = request
                    .timeout
                    .unwrap_or_else(|| self.timeouts.of(&request.command, None));
                self.held.push_back(Held {
                    ticket,
                    request,
                    deadline: now.mono.plus(d),
                });
            }
        }
        ticket
    }

    fn recent<'c>(client: &'c Client, msg_id: &str) -> Result<&'c RecentMessage, ErrorInfo> {
        client.recent_message(msg_id).ok_or_else(|| {
            let RecentLimits { messages, bytes } = client.config().recent;
            let bytes = if bytes % 1024 == 0 {
                format!("{} KiB", bytes / 1024)
            } else {
                format!("{bytes} bytes")
            };
            ErrorInfo::new(
                ErrorKind::Unknown,
                format!(
                    "no message {msg_id:?} seen in this session (the last {messages} are kept, \
                     {bytes} at most)"
                ),
            )
        })
    }

    fn apply(
        &mut self,
        client: &mut Client,
        now: Now,
        ticket: Ticket,
        request: Request,
        host: &mut dyn Host,
    ) {
        let Request {
            id,
            timeout,
            command,
        } = request;
        match self.start(client, now, &command, host) {
            Ok(Started::Waiting {
                waits,
                upload,
                size,
            }) => {
                let d = timeout.unwrap_or_else(|| self.timeouts.of(&command, size));
                self.entries.insert(
                    ticket,
                    Entry {
                        id,
                        waits,
                        deadline: now.mono.plus(d),
                        upload,
                    },
                );
            }
            Ok(Started::Now(result)) => self.complete(ticket, id, Ok(Done::Result(result))),
            Err(e) => self.complete(ticket, id, Err(e)),
        }
    }

    /// Runs `command` on `client`.
    fn start(
        &mut self,
        client: &mut Client,
        now: Now,
        command: &Command,
        host: &mut dyn Host,
    ) -> Result<Started, ErrorInfo> {
        let invalid = |m: &str| ErrorInfo::new(ErrorKind::Invalid, m);
        let send = |r: Result<LocalId, crate::CommandError>| {
            r.map(|l| Started::waiting(Waits::Send(l.0)))
                .map_err(ErrorInfo::from)
        };
        let op = |r: Result<crate::OpId, crate::CommandError>| {
            r.map(|o| Started::waiting(Waits::Op(o.0)))
                .map_err(ErrorInfo::from)
        };
        match command {
            Command::SendText { to, text, mentions } => {
                send(client.send_text_mentioning(now, to, text, &strs(mentions)))
            }
            Command::SendFile {
                to,
                file_name,
                data_b64,
                path,
                as_kind,
            } => match (data_b64, path) {
                (Some(b64), None) => {
                    use base64::Engine as _;
                    let name = file_name
                        .as_deref()
                        .ok_or_else(|| invalid("data_b64 needs a file_name"))?;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(b64.as_bytes())
                        .map_err(|e| invalid(&format!("data_b64 is not base64: {e}")))?;
                    let size = bytes.len() as u64;
                    let spec = FileSpec::new(name, size).md5(&md5_hex(&bytes));
                    let kind = as_kind.unwrap_or_else(|| MediaKind::from_file_name(name));
                    let h = client.send_file_as(now, to, spec, kind)?;
                    self.uploads.insert(h.upload, (h.local_id.0.clone(), bytes));
                    Ok(Started::Waiting {
                        waits: Waits::Send(h.local_id.0),
                        upload: Some(h.upload),
                        size: Some(size),
                    })
                }
                (None, Some(path)) => {
                    let (base, size) = host.file_info(path)?;
                    let name = file_name.clone().unwrap_or(base);
                    let kind = as_kind.unwrap_or_else(|| MediaKind::from_file_name(&name));
                    let h = client.send_file_as(now, to, FileSpec::new(&name, size), kind)?;
                    host.upload_from_path(&h, path);
                    Ok(Started::Waiting {
                        waits: Waits::Send(h.local_id.0),
                        upload: Some(h.upload),
                        size: Some(size),
                    })
                }
                _ => Err(invalid("send_file takes exactly one of data_b64 and path")),
            },
            Command::SendEmoticon { to, md5, media_id } => match (md5, media_id) {
                (Some(m), None) => send(client.send_emoticon(now, to, Emoticon::Md5(m.clone()))),
                (None, Some(m)) => {
                    send(client.send_emoticon(now, to, Emoticon::MediaId(m.clone())))
                }
                _ => Err(invalid(
                    "send_emoticon takes exactly one of md5 and media_id",
                )),
            },
            Command::Forward {
                to,
                msg_id,
                message,
            } => match (msg_id, message) {
                (Some(id), None) => {
                    let what = Self::recent(client, id)?.forwarded();
                    send(client.forward_what(now, what, to))
                }
                (None, Some(m)) => send(client.forward(now, m, to)),
                _ => Err(invalid("forward takes exactly one of msg_id and message")),
            },
            Command::Revoke { to, msg_id } => op(client.revoke(now, msg_id, to)),
            Command::MarkRead { chat } => op(client.mark_read(now, chat)),
            Command::Download {
                msg_id,
                media,
                save_to,
                inline,
            } => {
                let what = match (msg_id, media) {
                    (Some(id), None) => Self::recent(client, id)?
                        .download()
                        .ok_or_else(|| invalid(&format!("message {id} has no media")))?,
                    (None, Some(d)) => d.clone(),
                    _ => return Err(invalid("download takes exactly one of msg_id and media")),
                };
                let save_to = match (save_to, inline) {
                    (Some(_), true) => {
                        return Err(invalid("download takes save_to or inline, not both"));
                    }
                    (Some(to), false) => {
                        host.check_save_to(to)?;
                        Some(to.clone())
                    }
                    (None, _) => None,
                };
                let d = client.download(now, what)?;
                Ok(Started::waiting(Waits::Download(d.0, save_to)))
            }
            Command::AcceptFriend {
                msg_id,
                user_name,
                ticket,
            } => match (msg_id, user_name, ticket) {
                (Some(id), None, None) => {
                    let request = Self::recent(client, id)?
                        .friend_request()
                        .map(|(u, t)| (u.to_owned(), t.to_owned()));
                    match request {
                        Some((user_name, ticket)) => {
                            op(client.accept_friend(now, &user_name, &ticket))
                        }
                        None => Err(crate::CommandError::NotAFriendRequest.into()),
                    }
                }
                (None, Some(u), Some(t)) => op(client.accept_friend(now, u, t)),
                _ => Err(invalid(
                    "accept_friend takes msg_id, or user_name and ticket",
                )),
            },
            Command::AddFriend {
                user_name,
                greeting,
            } => op(client.add_friend(now, user_name, greeting)),
            Command::CreateGroup { topic, members } => {
                op(client.create_group(now, topic, &strs(members)))
            }
            Command::AddMembers { group, members } => {
                op(client.add_members(now, group, &strs(members)))
            }
            Command::RemoveMembers { group, members } => {
                op(client.remove_members(now, group, &strs(members)))
            }
            Command::RenameGroup { group, topic } => op(client.rename_group(now, group, topic)),
            Command::SetRemark { user, remark } => op(client.set_remark(now, user, remark)),
            Command::Pin { chat } => op(client.pin(now, chat)),
            Command::Unpin { chat } => op(client.unpin(now, chat)),
            Command::FetchGroupMembers { group } => op(client.fetch_group_members(now, group)),
            Command::CancelUpload {
                command,
                local_id,
                upload,
            } => {
                let found = self.entries.values().find(|e| {
                    e.upload.is_some()
                        && match (command, local_id, upload) {
                            (Some(c), None, None) => e.id.as_ref() == Some(c),
                            (None, Some(l), None) => e.waits == Waits::Send(l.clone()),
                            (None, None, Some(u)) => e.upload == Some(UploadId(*u)),
                            _ => false,
                        }
                });
                if [command.is_some(), local_id.is_some(), upload.is_some()]
                    .iter()
                    .filter(|b| **b)
                    .count()
                    != 1
                {
                    return Err(invalid(
                        "cancel_upload takes exactly one of command, local_id and upload",
                    ));
                }
                let Some(Entry {
                    waits: Waits::Send(local),
                    upload: Some(up),
                    ..
                }) = found
                else {
                    return Err(ErrorInfo::new(
                        ErrorKind::Unknown,
                        "no file send of this session is uploading under that name",
                    ));
                };
                let (local, up) = (local.clone(), *up);
                client.cancel_upload(up)?;
                Ok(Started::Now(CommandResult::UploadCancelled {
                    local_id: LocalId(local),
                }))
            }
            Command::Contacts {
                kind,
                search,
                members,
            } => Ok(Started::Now(CommandResult::Contacts {
                contacts: super::query::contacts(
                    client.contacts(),
                    *kind,
                    search.as_deref(),
                    *members,
                ),
            })),
            Command::Me {} => Ok(Started::Now(CommandResult::Me(super::query::me(
                client, now,
            )))),
            Command::Logout {} => {
                if client.is_logged_out() {
                    return Ok(Started::Now(CommandResult::LoggedOut {}));
                }
                client.logout(now);
                Ok(Started::waiting(Waits::Logout))
            }
        }
    }

    /// Takes an event of the client. Returns `true` when it was the tracker's own
    /// business (the bytes of an upload it feeds itself): do not pass it on.
    pub fn handle_event(
        &mut self,
        client: &mut Client,
        now: Now,
        event: &Event,
        host: &mut dyn Host,
    ) -> bool {
        match event {
            Event::Ready => {
                self.ready = true;
                while let Some(h) = self.held.pop_front() {
                    self.apply(client, now, h.ticket, h.request, host);
                }
            }
            Event::ResumeFailed { .. } => self.ready = false,
            Event::LoggedOut { .. } => self.end(),
            Event::Command(c) => return self.on_command_event(client, now, c),
            _ => {}
        }
        false
    }

    fn finish_where(&mut self, pred: impl Fn(&Waits) -> bool, result: Result<Done, ErrorInfo>) {
        let Some(ticket) = self
            .entries
            .iter()
            .find(|(_, e)| pred(&e.waits))
            .map(|(t, _)| *t)
        else {
            return;
        };
        if let Some(e) = self.entries.remove(&ticket) {
            if let Some(up) = e.upload {
                self.uploads.remove(&up);
            }
            self.complete(ticket, e.id, result);
        }
    }

    fn on_command_event(&mut self, client: &mut Client, now: Now, c: &CommandEvent) -> bool {
        match c {
            CommandEvent::UploadNeedsData {
                upload,
                offset,
                len,
                ..
            } => {
                let Some((_, bytes)) = self.uploads.get(upload) else {
                    return false;
                };
                let start = usize::try_from(*offset).unwrap_or(usize::MAX);
                let end = usize::try_from(offset.saturating_add(*len)).unwrap_or(usize::MAX);
                match bytes.get(start..end) {
                    Some(chunk) => {
                        if let Err(e) = client.upload_data(now, *upload, *offset, chunk) {
                            tracing::warn!(%upload, error = %e, "upload data refused");
                        }
                    }
                    None => {
                        let _ = client.cancel_upload(*upload);
                    }
                }
                return true;
            }
            CommandEvent::Uploaded { upload, .. } => {
                self.uploads.remove(upload);
            }
            CommandEvent::Sent { local_id, msg_id } => self.finish_where(
                |w| *w == Waits::Send(local_id.0.clone()),
                Ok(Done::Result(CommandResult::Sent {
                    local_id: local_id.clone(),
                    msg_id: msg_id.clone(),
                })),
            ),
            CommandEvent::SendFailed { local_id, error } => {
                self.uploads.retain(|_, (l, _)| *l != local_id.0);
                self.finish_where(
                    |w| *w == Waits::Send(local_id.0.clone()),
                    Err(error.clone().into()),
                )
            }
            CommandEvent::Downloaded { download, media } => {
                let id = download.0;
                let save_to = self.entries.values().find_map(|e| match &e.waits {
                    Waits::Download(d, s) if *d == id => Some(s.clone()),
                    _ => None,
                });
                if let Some(save_to) = save_to {
                    self.finish_where(
                        |w| matches!(w, Waits::Download(d, _) if *d == id),
                        Ok(Done::Download {
                            media: media.clone(),
                            save_to,
                        }),
                    );
                }
            }
            CommandEvent::DownloadFailed { download, error } => self.finish_where(
                |w| matches!(w, Waits::Download(d, _) if *d == download.0),
                Err(error.clone().into()),
            ),
            CommandEvent::OpDone { op, what, outcome } => self.finish_where(
                |w| *w == Waits::Op(op.0),
                Ok(Done::Result(CommandResult::of_op(*what, outcome.clone()))),
            ),
            CommandEvent::OpFailed { op, error, .. } => {
                self.finish_where(|w| *w == Waits::Op(op.0), Err(error.clone().into()))
            }
            _ => {}
        }
        false
    }

    /// Answers `timeout` for every command past its deadline at `now`. A file send that
    /// times out is cancelled (its upload stops).
    pub fn handle_timeout(&mut self, client: &mut Client, now: Now) {
        let late: Vec<Ticket> = self
            .entries
            .iter()
            .filter(|(_, e)| e.deadline <= now.mono)
            .map(|(t, _)| *t)
            .collect();
        for t in late {
            if let Some(e) = self.entries.remove(&t) {
                if let Some(up) = e.upload {
                    self.uploads.remove(&up);
                    let _ = client.cancel_upload(up);
                }
                let message = match e.waits {
                    Waits::Logout => "the logout was not confirmed in time",
                    _ => "no outcome in time (the command may still complete)",
                };
                self.complete(t, e.id, Err(ErrorInfo::new(ErrorKind::Timeout, message)));
            }
        }
        let (late, keep): (Vec<Held>, Vec<Held>) =
            self.held.drain(..).partition(|h| h.deadline <= now.mono);
        self.held = keep.into();
        for h in late {
            self.complete(
                h.ticket,
                h.request.id,
                Err(ErrorInfo::new(
                    ErrorKind::Timeout,
                    "the session was not ready in time; the command was not run",
                )),
            );
        }
    }

    /// The session is over (`LoggedOut`, or the host stopped it): every command still
    /// waiting answers now (`logged_out` for a logout, `session_ended` otherwise), and
    /// later ones answer `session_ended`.
    pub fn end(&mut self) {
        self.ended = true;
        self.uploads.clear();
        let ended = || ErrorInfo::new(ErrorKind::SessionEnded, "the session ended");
        for (t, e) in std::mem::take(&mut self.entries) {
            let result = match e.waits {
                Waits::Logout => Ok(Done::Result(CommandResult::LoggedOut {})),
                _ => Err(ended()),
            };
            self.complete(t, e.id, result);
        }
        for h in std::mem::take(&mut self.held) {
            self.complete(h.ticket, h.request.id, Err(ended()));
        }
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// What starting a command did.
enum Started {
    /// It waits for an event.
    Waiting {
        waits: Waits,
        upload: Option<UploadId>,
        size: Option<u64>,
    },
    /// It is done.
    Now(CommandResult),
}

impl Started {
    fn waiting(waits: Waits) -> Started {
        Started::Waiting {
            waits,
            upload: None,
            size: None,
        }
    }
}
