//! What a driver's session loop shares with its handles, and the commands of a handle.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use webwx_core::client::Transmit;
use webwx_core::endpoint::sendemoticon::Emoticon;
use webwx_core::message::Message;
use webwx_core::{
    Client, CommandError, CommandEvent, CommandView, Download, DownloadId, Event, FileSpec,
    LocalId, MediaKind, Monotonic, Now, OpId, Output, Refusal, RequestId, SessionState,
    TransportErrorKind, UploadHandle, UploadId,
};

use webwx_core::boundary::{Request, Ticket, Tracker};

use crate::answers::{FsHost, PendingAnswer, Reply};
use crate::files::{FileSource, SendFileError};
use crate::now;

/// The client and the files the driver feeds to its uploads, under the [`Shared`] lock.
pub struct State {
    /// The session's state machine.
    pub client: Client,
    uploads: HashMap<UploadId, (LocalId, FileSource)>,
    /// The boundary commands submitted and not answered yet.
    tracker: Tracker,
    replies: HashMap<Ticket, Reply>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("uploads", &self.uploads.len())
            .finish_non_exhaustive()
    }
}

/// Where a driver's session loop puts what the client outputs, in [`State::drain`].
pub trait Outputs {
    /// Sends a request (the client is locked meanwhile: report a failure to start it
    /// later, not by calling back into the client).
    fn transmit(&mut self, t: Transmit);

    /// Sends the request of download `download` (the core decided on it: a first attempt
    /// or a retry). A driver streaming that download to a writer hands it to the writer's
    /// side; by default it is an ordinary request.
    fn transmit_download(&mut self, t: Transmit, download: DownloadId) {
        let _ = download;
        self.transmit(t);
    }

    /// Passes an event on to the caller.
    fn event(&mut self, e: Event);

    /// Passes an event on with the client as it stands when the event is output, before
    /// any later input reaches it: a host that saves the session beside the events it
    /// produced (the gateway's store) snapshots it here, in step with the events. By
    /// default, [`Outputs::event`].
    fn event_at(&mut self, client: &Client, e: Event) {
        let _ = client;
        self.event(e);
    }

    /// Reads the bytes an upload the driver owns needs and hands them to [`State::feed`],
    /// now or later. By default, now (blocking when the source is on disk).
    fn upload_read(&mut self, state: &mut State, read: UploadRead) {
        state.feed(read.upload, read.offset, read.read());
    }
}

/// A read the driver must do for an upload it owns: bytes `offset..offset + len` of
/// `source`, to hand back with [`State::feed`].
#[derive(Debug)]
pub struct UploadRead {
    /// The upload.
    pub upload: UploadId,
    /// Where the bytes start.
    pub offset: u64,
    /// How many bytes.
    pub len: u64,
    /// Where they come from.
    pub source: FileSource,
}

impl UploadRead {
    /// Reads the bytes (blocking when the source is a file on disk).
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        self.source.read(self.offset, self.len)
    }
}

impl State {
    /// `client`, with no upload of the driver's own yet.
    pub fn new(client: Client) -> State {
        State {
            client,
            uploads: HashMap::new(),
            tracker: Tracker::default(),
            replies: HashMap::new(),
        }
    }

    /// Submits a boundary command (applied now, or when the session is `Ready`); its
    /// answer arrives through the returned [`PendingAnswer`].
    pub fn submit(&mut self, request: Request) -> PendingAnswer {
        let (reply, pending) = crate::answers::pending(request.id.clone());
        let mut host = FsHost {
            uploads: &mut self.uploads,
        };
        let ticket = self
            .tracker
            .submit(&mut self.client, now(), request, &mut host);
        self.replies.insert(ticket, reply);
        self.deliver();
        pending
    }

    /// Fires the client's and the tracker's timers due at `now`.
    pub fn handle_timeout(&mut self, now: Now) {
        self.client.handle_timeout(now);
        self.tracker.handle_timeout(&mut self.client, now);
        self.deliver();
    }

    /// The earliest timer of the client and the tracker.
    pub fn poll_timeout(&self) -> Option<Monotonic> {
        match (self.client.poll_timeout(), self.tracker.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Hands every completion to its waiting caller.
    fn deliver(&mut self) {
        while let Some(c) = self.tracker.poll_completion() {
            if let Some(reply) = self.replies.remove(&c.ticket) {
                reply.send(c);
            }
        }
    }

    /// The driver answers the core's requests for the bytes of the upload `handle` from
    /// `source`. Register before the loop can see the first request (under the same lock
    /// as the command that started the upload).
    pub fn register_upload(&mut self, handle: &UploadHandle, source: FileSource) {
        self.uploads
            .insert(handle.upload, (handle.local_id.clone(), source));
    }

    /// The read behind the core's request for upload bytes when the driver owns the
    /// upload; `None` when the event is for the caller.
    pub fn upload_read(&self, e: &Event) -> Option<UploadRead> {
        let Event::Command(CommandEvent::UploadNeedsData {
            upload,
            offset,
            len,
            ..
        }) = e
        else {
            return None;
        };
        let (_, source) = self.uploads.get(upload)?;
        Some(UploadRead {
            upload: *upload,
            offset: *offset,
            len: *len,
            source: source.clone(),
        })
    }

    /// Hands read bytes to the core (or cancels the upload when the read failed).
    pub fn feed(&mut self, upload: UploadId, offset: u64, read: std::io::Result<Vec<u8>>) {
        if !self.uploads.contains_key(&upload) {
            return;
        }
        match read {
            Ok(bytes) => {
                if let Err(err) = self.client.upload_data(now(), upload, offset, &bytes) {
                    tracing::warn!(%upload, error = %err, "upload data refused");
                }
            }
            Err(err) => {
                tracing::warn!(%upload, error = %err, "cannot read the file to upload");
                self.uploads.remove(&upload);
                let _ = self.client.cancel_upload(upload);
            }
        }
    }

    /// Hands the outcome of request `id` to the client: the response, or the kind of the
    /// transport failure (`kind` names it; its `Display` is logged at debug level).
    pub fn complete<E: std::fmt::Display>(
        &mut self,
        id: RequestId,
        result: Result<http::Response<Vec<u8>>, E>,
        kind: impl FnOnce(&E) -> TransportErrorKind,
    ) {
        match result {
            Ok(resp) => self.client.handle_response(now(), id, resp),
            Err(e) => {
                tracing::debug!(%id, error = %e, "request failed");
                self.client.handle_transport_error(now(), id, kind(&e));
            }
        }
    }

    /// Drains the client's outputs into `out`: requests to send, reads for the driver's
    /// own uploads, and the other events after [`State::track`]. Returns the next timer
    /// and whether the session is done.
    pub fn drain(&mut self, out: &mut impl Outputs) -> (Option<Monotonic>, bool) {
        let r = loop {
            match self.client.poll_output() {
                Output::Transmit(t) => match self.client.download_of(t.id) {
                    Some(d) => out.transmit_download(t, d),
                    None => out.transmit(t),
                },
                Output::Event(e) => {
                    if let Some(read) = self.upload_read(&e) {
                        out.upload_read(self, read);
                        continue;
                    }
                    let mut host = FsHost {
                        uploads: &mut self.uploads,
                    };
                    if self
                        .tracker
                        .handle_event(&mut self.client, now(), &e, &mut host)
                    {
                        continue; // the tracker fed its own upload
                    }
                    self.track(&e);
                    out.event_at(&self.client, e);
                }
                Output::Timeout(_) | Output::Idle => break (self.poll_timeout(), false),
                Output::Done => {
                    // Stopped without `LoggedOut` (a shutdown): nothing is left waiting.
                    self.tracker.end();
                    break (None, true);
                }
                _ => break (self.poll_timeout(), false),
            }
        };
        self.deliver();
        r
    }

    /// Forgets finished uploads. Call with every event before passing it on.
    pub fn track(&mut self, e: &Event) {
        match e {
            Event::Command(CommandEvent::Uploaded { upload, .. }) => {
                self.uploads.remove(upload);
            }
            Event::Command(CommandEvent::SendFailed { local_id, .. }) => {
                self.uploads.retain(|_, (l, _)| l != local_id);
            }
            Event::LoggedOut { .. } => self.uploads.clear(),
            _ => {}
        }
    }
}

/// What a driver's session loop shares with its handles and its events: the [`State`]
/// under a lock, how many handles are alive and whether the events are still taken.
#[derive(Debug)]
pub struct Shared {
    state: Mutex<State>,
    /// Live handles.
    handles: AtomicUsize,
    /// The events were dropped.
    events_gone: AtomicBool,
}

impl Shared {
    /// The shared state of a new session with `client`, one handle and its events.
    pub fn new(client: Client) -> Shared {
        Shared {
            state: Mutex::new(State::new(client)),
            handles: AtomicUsize::new(1),
            events_gone: AtomicBool::new(false),
        }
    }

    /// Locks the state. A panic in a user closure must not wedge the session for everyone
    /// else: a poisoned lock is taken all the same.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A handle was cloned.
    pub fn handle_cloned(&self) {
        self.handles.fetch_add(1, Ordering::SeqCst);
    }

    /// A handle was dropped; `true` when it was the last (wake the loop then).
    pub fn handle_dropped(&self) -> bool {
        self.handles.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// The events were dropped (wake the loop then).
    pub fn events_dropped(&self) {
        self.events_gone.store(true, Ordering::SeqCst);
    }

    /// Nobody can command the session or hear from it any more: time to stop.
    pub fn abandoned(&self) -> bool {
        self.handles.load(Ordering::SeqCst) == 0 && self.events_gone.load(Ordering::SeqCst)
    }

    /// Stops the session (without logging out) when it is [`Shared::abandoned`]. Call
    /// whenever the loop is woken.
    pub fn stop_if_abandoned(&self) {
        if self.abandoned() {
            tracing::debug!("no handle and no event consumer left: stopping");
            self.lock().client.shutdown();
        }
    }
}

/// A handle on a running session: call any [`Client`] command from any thread or task.
///
/// Implemented by the drivers' `Handle`s, which provide the three hooks; every command is
/// written here once. Bring it into scope with the driver's prelude
/// (`use webwx_ureq::prelude::*;`).
///
/// ```no_run
/// # use webwx_transport::Session;
/// fn greet(handle: &impl Session) -> Result<(), webwx_core::CommandError> {
///     let me = handle.inspect(|client| client.contacts().me().to_owned());
///     handle.send_text("filehelper", &format!("{me} is up"))?;
///     Ok(())
/// }
/// ```
pub trait Session {
    /// Driver hook: the state the session loop shares with this handle.
    #[doc(hidden)]
    fn shared(&self) -> &Shared;

    /// Driver hook: lets the session loop send whatever a command queued.
    #[doc(hidden)]
    fn wake(&self);

    /// Whether the session loop has ended.
    fn is_finished(&self) -> bool;

    /// Runs `f` on the client's commands and reads (a [`CommandView`]: not the
    /// driver's side, whose requests only the loop may take) with the current time, then
    /// wakes the session loop to send whatever it queued. The client is locked (a plain
    /// mutex, never held across an `.await`) while `f` runs: keep it short. Callable from
    /// async and blocking code.
    ///
    /// ```no_run
    /// # fn f(handle: impl webwx_transport::Session) {
    /// let contacts = handle.with(|client, _now| client.contacts().len());
    /// # }
    /// ```
    fn with<R>(&self, f: impl FnOnce(&mut CommandView<'_>, Now) -> R) -> R {
        let r = {
            let mut state = self.shared().lock();
            f(&mut CommandView::new(&mut state.client), now())
        };
        self.wake();
        r
    }

    /// Reads the client without waking the session loop.
    fn inspect<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.shared().lock().client)
    }

    /// Submits a command of the JSON boundary ([`Command`], or a [`Request`] with its
    /// `"id"` and timeout): it runs now, or once the session is `Ready`, and its
    /// [`PendingAnswer`] gives the answer when its outcome is known (blocking
    /// [`PendingAnswer::wait`], or `.await`). The drivers' `command` does both steps.
    fn submit(&self, request: impl Into<Request>) -> PendingAnswer {
        let pending = self.shared().lock().submit(request.into());
        self.wake();
        pending
    }

    /// Sends a text; the outcome is `Sent` or `SendFailed` with the returned id.
    fn send_text(&self, to: &str, text: &str) -> Result<LocalId, CommandError> {
        self.with(|c, now| c.send_text(now, to, text))
    }

    /// Sends a text to a group, @mentioning `mentions` (members by UserName, display or
    /// nick name).
    fn send_text_mentioning(
        &self,
        to: &str,
        text: &str,
        mentions: &[&str],
    ) -> Result<LocalId, CommandError> {
        self.with(|c, now| c.send_text_mentioning(now, to, text, mentions))
    }

    /// Sends a sticker by md5 or by the MediaId of an uploaded GIF.
    fn send_emoticon(&self, to: &str, emoticon: Emoticon) -> Result<LocalId, CommandError> {
        self.with(|c, now| c.send_emoticon(now, to, emoticon))
    }

    /// Forwards a message to `to`.
    fn forward(&self, msg: &Message, to: &str) -> Result<LocalId, CommandError> {
        self.with(|c, now| c.forward(now, msg, to))
    }

    /// Tells the phone that `chat` was read.
    fn mark_read(&self, chat: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.mark_read(now, chat))
    }

    /// Asks `user_name` to be a friend, with a greeting.
    fn add_friend(&self, user_name: &str, greeting: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.add_friend(now, user_name, greeting))
    }

    /// Accepts a friend request by its requester and ticket.
    fn accept_friend(&self, user_name: &str, ticket: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.accept_friend(now, user_name, ticket))
    }

    /// Accepts the friend request `msg`.
    fn accept_friend_request(&self, msg: &Message) -> Result<OpId, CommandError> {
        self.with(|c, now| c.accept_friend_request(now, msg))
    }

    /// Creates a group named `topic` with `members`.
    fn create_group(&self, topic: &str, members: &[&str]) -> Result<OpId, CommandError> {
        self.with(|c, now| c.create_group(now, topic, members))
    }

    /// Adds (or invites) `members` to `group`.
    fn add_members(&self, group: &str, members: &[&str]) -> Result<OpId, CommandError> {
        self.with(|c, now| c.add_members(now, group, members))
    }

    /// Removes `members` from `group`.
    fn remove_members(&self, group: &str, members: &[&str]) -> Result<OpId, CommandError> {
        self.with(|c, now| c.remove_members(now, group, members))
    }

    /// Renames `group`.
    fn rename_group(&self, group: &str, topic: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.rename_group(now, group, topic))
    }

    /// Sets the remark name of `user`.
    fn set_remark(&self, user: &str, remark: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.set_remark(now, user, remark))
    }

    /// Pins `chat`.
    fn pin(&self, chat: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.pin(now, chat))
    }

    /// Unpins `chat`.
    fn unpin(&self, chat: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.unpin(now, chat))
    }

    /// Fetches the member list of `group` into the contacts.
    fn fetch_group_members(&self, group: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.fetch_group_members(now, group))
    }

    /// Cancels an upload: its send ends in `SendFailed` (cancelled).
    fn cancel_upload(&self, upload: UploadId) -> Result<(), CommandError> {
        self.with(|c, _| c.cancel_upload(upload))
    }

    /// Sends a file whose bytes come from `source`, as the official client would for its
    /// extension (image, video, emoticon or file). The driver answers the core's requests
    /// for the bytes itself; progress arrives as `UploadProgress`, the outcome as `Sent`
    /// or `SendFailed`.
    fn send_file(
        &self,
        to: &str,
        spec: FileSpec,
        source: impl Into<FileSource>,
    ) -> Result<UploadHandle, CommandError> {
        let kind = MediaKind::from_file_name(&spec.name);
        self.send_file_as(to, spec, kind, source)
    }

    /// Like [`Session::send_file`], as `kind`.
    fn send_file_as(
        &self,
        to: &str,
        spec: FileSpec,
        kind: MediaKind,
        source: impl Into<FileSource>,
    ) -> Result<UploadHandle, CommandError> {
        let source = source.into();
        let r = {
            let mut state = self.shared().lock();
            let r = state.client.send_file_as(now(), to, spec, kind);
            if let Ok(h) = &r {
                // Registered before the loop can see the first request for bytes.
                state.register_upload(h, source);
            }
            r
        };
        self.wake();
        r
    }

    /// Sends the bytes `bytes` as a file named `name` (the extension picks the kind).
    fn send_bytes(
        &self,
        to: &str,
        name: &str,
        bytes: impl Into<Arc<[u8]>>,
    ) -> Result<UploadHandle, CommandError> {
        let bytes = bytes.into();
        self.send_file(
            to,
            FileSpec::new(name, bytes.len() as u64),
            FileSource::Bytes(bytes),
        )
    }

    /// Sends the file at `path`, read one chunk at a time. (Reads its size with a
    /// blocking `stat`.)
    fn send_path(&self, to: &str, path: impl AsRef<Path>) -> Result<UploadHandle, SendFileError> {
        let path = path.as_ref();
        let spec = FileSource::spec_for_path(path)?;
        Ok(self.send_file(to, spec, FileSource::Path(path.to_owned()))?)
    }

    /// Downloads a media; the outcome is `Downloaded` or `DownloadFailed`.
    fn download(&self, what: Download) -> Result<DownloadId, CommandError> {
        self.with(|c, now| c.download(now, what))
    }

    /// Revokes a sent message (`msg_id` from `Sent`) in the chat `to`.
    fn revoke(&self, msg_id: &str, to: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.revoke(now, msg_id, to))
    }

    /// The session state to save (see [`Event::SessionChanged`]).
    fn snapshot(&self) -> SessionState {
        self.inspect(Client::snapshot)
    }

    /// Starts a QR login; refused while a login or a session is under way.
    fn login(&self) -> Result<(), Refusal> {
        self.with(|c, now| c.login(now))
    }

    /// Starts a push login (confirm on the phone), falling back to a QR code.
    fn push_login(&self) -> Result<(), Refusal> {
        self.with(|c, now| c.push_login(now))
    }

    /// Resumes a restored session (hot reload).
    fn resume(&self) -> Result<(), Refusal> {
        self.with(|c, now| c.resume(now))
    }

    /// Resumes a restored session for one-shot commands (no sync loop).
    fn resume_for_commands(&self) -> Result<(), Refusal> {
        self.with(|c, now| c.resume_for_commands(now))
    }

    /// Resumes if possible, else push login, else QR login.
    fn connect(&self) -> Result<(), Refusal> {
        self.with(|c, now| c.connect(now))
    }

    /// Logs out; the events end after [`Event::LoggedOut`].
    fn logout(&self) {
        self.with(|c, now| c.logout(now));
    }

    /// Stops without telling the server (the saved session stays valid); the events end.
    fn shutdown(&self) {
        self.with(|c, _| c.shutdown());
    }
}
