//! The blocking driver: a thread that owns the session loop, a worker per request in
//! flight, an event iterator and a cloneable command handle.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use webwx_core::client::Transmit;
use webwx_core::{
    Client, CommandError, CommandEvent, Download, DownloadId, Event, FileSpec, LocalId, MediaKind,
    OpId, Output, RequestId, SessionState, Timestamp, UploadHandle, UploadId,
};

use crate::files::{FileSource, SendFileError};
use crate::transport::{Options, Transport, TransportError};

/// The wall clock as the core wants it.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    Timestamp(ms)
}

/// What wakes the session loop.
enum Input {
    /// A worker finished request `id`.
    Done(RequestId, Result<http::Response<Vec<u8>>, TransportError>),
    /// A command changed the client, or a handle or the event iterator went away.
    Wake,
}

/// The client and the files the driver feeds to its uploads.
struct Inner {
    client: Client,
    uploads: HashMap<UploadId, (LocalId, FileSource)>,
}

impl Inner {
    /// Answers the core's request for upload bytes when the driver owns the upload;
    /// `false` when the event is for the caller.
    fn feed_upload(&mut self, e: &Event) -> bool {
        let Event::Command(CommandEvent::UploadNeedsData {
            upload,
            offset,
            len,
            ..
        }) = e
        else {
            return false;
        };
        let Some((_, source)) = self.uploads.get(upload) else {
            return false;
        };
        match source.read(*offset, *len) {
            Ok(bytes) => {
                if let Err(err) = self.client.upload_data(now(), *upload, *offset, &bytes) {
                    tracing::warn!(%upload, error = %err, "upload data refused");
                }
            }
            Err(err) => {
                tracing::warn!(%upload, error = %err, "cannot read the file to upload");
                self.uploads.remove(upload);
                let _ = self.client.cancel_upload(*upload);
            }
        }
        true
    }

    /// Forgets finished uploads.
    fn track(&mut self, e: &Event) {
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

struct Shared {
    inner: Mutex<Inner>,
    /// Live [`Handle`]s.
    handles: AtomicUsize,
    /// The [`Events`] iterator was dropped.
    events_gone: AtomicBool,
    /// The loop has exited.
    finished: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic in a user closure must not wedge the session for everyone else.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs `client` on a new thread with a default [`Transport`] built from `options`.
///
/// Returns the command handle and the events. Start the session with a command —
/// [`Handle::login`], [`Handle::connect`], [`Handle::resume`] … — or call one on the
/// client before passing it in. The loop runs until the session is over (after
/// [`Event::LoggedOut`], or [`Handle::shutdown`]) and then the event iterator ends.
///
/// ```no_run
/// use webwx_core::{Client, Config, Event};
/// let client = Client::new(Config::new(7));
/// let (handle, events) = webwx_ureq::start(client, webwx_ureq::Options::default())?;
/// handle.login();
/// for event in events {
///     match event {
///         Event::QrCode { url, .. } => println!("scan {url}"),
///         Event::Message(m) => println!("{m:?}"),
///         _ => {}
///     }
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn start(client: Client, options: Options) -> std::io::Result<(Handle, Events)> {
    start_with(client, Transport::new(&options))
}

/// Like [`start`], sharing `transport` (and its connection pool) with other sessions.
pub fn start_with(client: Client, transport: Transport) -> std::io::Result<(Handle, Events)> {
    let (input_tx, input_rx) = mpsc::channel();
    let (event_tx, event_rx) = mpsc::channel();
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner {
            client,
            uploads: HashMap::new(),
        }),
        handles: AtomicUsize::new(1),
        events_gone: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        thread: Mutex::new(None),
    });
    let driver = Driver {
        shared: shared.clone(),
        transport,
        inputs: input_rx,
        input_tx: input_tx.clone(),
        events: event_tx,
        in_flight: 0,
    };
    let thread = std::thread::Builder::new()
        .name("webwx-ureq-session".into())
        .spawn(move || driver.run())?;
    *shared.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread);
    let handle = Handle {
        shared: shared.clone(),
        wake: input_tx.clone(),
    };
    let events = Events {
        rx: event_rx,
        shared,
        wake: input_tx,
    };
    Ok((handle, events))
}

struct Driver {
    shared: Arc<Shared>,
    transport: Transport,
    inputs: Receiver<Input>,
    input_tx: Sender<Input>,
    events: Sender<Event>,
    in_flight: usize,
}

impl Driver {
    fn run(mut self) {
        loop {
            let (deadline, done) = self.drain();
            if done {
                break;
            }
            let input = match deadline {
                Some(at) => {
                    let now_ms = now();
                    if at <= now_ms {
                        self.shared.lock().client.handle_timeout(now_ms);
                        continue;
                    }
                    let wait = Duration::from_millis(at.0 - now_ms.0);
                    match self.inputs.recv_timeout(wait) {
                        Ok(i) => i,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                // Never disconnected: the driver holds a sender itself.
                None => match self.inputs.recv() {
                    Ok(i) => i,
                    Err(_) => break,
                },
            };
            self.handle(input);
            // Take whatever else is already waiting before draining again.
            while let Ok(input) = self.inputs.try_recv() {
                self.handle(input);
            }
        }
        self.shared.finished.store(true, Ordering::SeqCst);
        tracing::debug!(in_flight = self.in_flight, "session loop ended");
    }

    fn handle(&mut self, input: Input) {
        match input {
            Input::Done(id, result) => {
                self.in_flight = self.in_flight.saturating_sub(1);
                let client = &mut self.shared.lock().client;
                match result {
                    Ok(resp) => client.handle_response(now(), id, resp),
                    Err(e) => {
                        tracing::debug!(%id, error = %e, "request failed");
                        client.handle_transport_error(now(), id, e.kind());
                    }
                }
            }
            Input::Wake => {
                if self.shared.handles.load(Ordering::SeqCst) == 0
                    && self.shared.events_gone.load(Ordering::SeqCst)
                {
                    tracing::debug!("no handle and no event consumer left: stopping");
                    self.shared.lock().client.shutdown();
                }
            }
        }
    }

    /// Drains the client's outputs. Returns the next timer and whether the session is done.
    fn drain(&mut self) -> (Option<Timestamp>, bool) {
        let shared = self.shared.clone();
        let mut inner = shared.lock();
        loop {
            match inner.client.poll_output() {
                Output::Transmit(t) => self.spawn(t),
                Output::Event(e) => {
                    if inner.feed_upload(&e) {
                        continue;
                    }
                    inner.track(&e);
                    // A dropped iterator only means nobody listens.
                    let _ = self.events.send(e);
                }
                Output::Timeout(at) => return (Some(at), false),
                Output::Idle => return (None, false),
                Output::Done => return (None, true),
                _ => return (None, false),
            }
        }
    }

    fn spawn(&mut self, t: Transmit) {
        let Transmit {
            id,
            request,
            timeout,
            endpoint,
            ..
        } = t;
        let transport = self.transport.clone();
        let tx = self.input_tx.clone();
        tracing::trace!(%id, endpoint, ?timeout, "sending");
        let spawned = std::thread::Builder::new()
            .name(format!("webwx-ureq-{endpoint}"))
            .spawn(move || {
                let result = transport.execute(request, timeout);
                let _ = tx.send(Input::Done(id, result));
            });
        match spawned {
            Ok(_) => self.in_flight += 1,
            Err(e) => {
                // The client is locked by `drain`: report the failure as an input.
                tracing::warn!(%id, error = %e, "cannot start a request thread");
                let err = TransportError::from(ureq::Error::Io(e));
                let _ = self.input_tx.send(Input::Done(id, Err(err)));
                self.in_flight += 1;
            }
        }
    }
}

/// A cloneable, `Send + Sync` handle on a running session: call any [`Client`] command
/// from any thread.
pub struct Handle {
    shared: Arc<Shared>,
    wake: Sender<Input>,
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        self.shared.handles.fetch_add(1, Ordering::SeqCst);
        Handle {
            shared: self.shared.clone(),
            wake: self.wake.clone(),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.shared.handles.fetch_sub(1, Ordering::SeqCst) == 1 {
            let _ = self.wake.send(Input::Wake);
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// Runs `f` on the client with the current time, then lets the loop send whatever
    /// it queued. The client is locked while `f` runs: keep it short.
    ///
    /// ```no_run
    /// # fn f(handle: webwx_ureq::Handle) {
    /// let contacts = handle.with(|client, _now| client.contacts().len());
    /// # }
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut Client, Timestamp) -> R) -> R {
        let r = {
            let mut inner = self.shared.lock();
            f(&mut inner.client, now())
        };
        let _ = self.wake.send(Input::Wake);
        r
    }

    /// Reads the client without waking the loop.
    pub fn inspect<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.shared.lock().client)
    }

    /// Sends a text; the outcome is `Sent` or `SendFailed` with the returned id.
    pub fn send_text(&self, to: &str, text: &str) -> Result<LocalId, CommandError> {
        self.with(|c, now| c.send_text(now, to, text))
    }

    /// Sends a file whose bytes come from `source`, as the official client would for its
    /// extension (image, video, emoticon or file). The driver answers the core's requests
    /// for the bytes itself; progress arrives as `UploadProgress`, the outcome as `Sent`
    /// or `SendFailed`.
    pub fn send_file(
        &self,
        to: &str,
        spec: FileSpec,
        source: impl Into<FileSource>,
    ) -> Result<UploadHandle, CommandError> {
        let kind = MediaKind::from_file_name(&spec.name);
        self.send_file_as(to, spec, kind, source)
    }

    /// Like [`Handle::send_file`], as `kind`.
    pub fn send_file_as(
        &self,
        to: &str,
        spec: FileSpec,
        kind: MediaKind,
        source: impl Into<FileSource>,
    ) -> Result<UploadHandle, CommandError> {
        let source = source.into();
        let r = {
            let mut inner = self.shared.lock();
            let r = inner.client.send_file_as(now(), to, spec, kind);
            if let Ok(h) = &r {
                // Registered before the loop can see the first request for bytes.
                inner.uploads.insert(h.upload, (h.local_id.clone(), source));
            }
            r
        };
        let _ = self.wake.send(Input::Wake);
        r
    }

    /// Sends the bytes `bytes` as a file named `name` (the extension picks the kind).
    pub fn send_bytes(
        &self,
        to: &str,
        name: &str,
        bytes: impl Into<std::sync::Arc<[u8]>>,
    ) -> Result<UploadHandle, CommandError> {
        let bytes = bytes.into();
        self.send_file(
            to,
            FileSpec::new(name, bytes.len() as u64),
            FileSource::Bytes(bytes),
        )
    }

    /// Sends the file at `path`, read one chunk at a time.
    pub fn send_path(
        &self,
        to: &str,
        path: impl AsRef<Path>,
    ) -> Result<UploadHandle, SendFileError> {
        let path = path.as_ref();
        let spec = FileSource::spec_for_path(path)?;
        Ok(self.send_file(to, spec, FileSource::Path(path.to_owned()))?)
    }

    /// Downloads a media; the outcome is `Downloaded` or `DownloadFailed`.
    pub fn download(&self, what: Download) -> Result<DownloadId, CommandError> {
        self.with(|c, now| c.download(now, what))
    }

    /// Revokes a sent message (`msg_id` from `Sent`) in the chat `to`.
    pub fn revoke(&self, msg_id: &str, to: &str) -> Result<OpId, CommandError> {
        self.with(|c, now| c.revoke(now, msg_id, to))
    }

    /// The session state to save (see [`Event::SessionChanged`]).
    pub fn snapshot(&self) -> SessionState {
        self.inspect(Client::snapshot)
    }

    /// Starts a QR login.
    pub fn login(&self) {
        self.with(|c, now| c.login(now));
    }

    /// Starts a push login (confirm on the phone), falling back to a QR code.
    pub fn push_login(&self) {
        self.with(|c, now| c.push_login(now));
    }

    /// Resumes a restored session (hot reload).
    pub fn resume(&self) {
        self.with(|c, now| c.resume(now));
    }

    /// Resumes a restored session for one-shot commands (no sync loop).
    pub fn resume_for_commands(&self) {
        self.with(|c, now| c.resume_for_commands(now));
    }

    /// Resumes if possible, else push login, else QR login.
    pub fn connect(&self) {
        self.with(|c, now| c.connect(now));
    }

    /// Logs out; the events end after [`Event::LoggedOut`].
    pub fn logout(&self) {
        self.with(|c, now| c.logout(now));
    }

    /// Stops without telling the server (the saved session stays valid); the events end.
    pub fn shutdown(&self) {
        self.with(|c, _| c.shutdown());
    }

    /// Whether the session loop has ended.
    pub fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }

    /// Waits until the session loop has ended. Requests still in flight are abandoned
    /// (their threads end at their own timeout).
    pub fn join(&self) {
        let thread = self
            .shared
            .thread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(t) = thread {
            let _ = t.join();
        } else {
            while !self.is_finished() {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// The session's events, in order. A blocking [`Iterator`] that ends when the session
/// loop ends (after [`Event::LoggedOut`], or a shutdown).
pub struct Events {
    rx: Receiver<Event>,
    shared: Arc<Shared>,
    wake: Sender<Input>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").finish_non_exhaustive()
    }
}

/// Why [`Events::recv_timeout`] returned no event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecvError {
    /// Nothing arrived in time.
    Timeout,
    /// The session loop has ended and every event was taken.
    Ended,
}

impl std::fmt::Display for RecvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecvError::Timeout => "no event in time",
            RecvError::Ended => "the session has ended",
        })
    }
}

impl std::error::Error for RecvError {}

impl Events {
    /// The next event, waiting at most `timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Event, RecvError> {
        self.rx.recv_timeout(timeout).map_err(|e| match e {
            RecvTimeoutError::Timeout => RecvError::Timeout,
            RecvTimeoutError::Disconnected => RecvError::Ended,
        })
    }

    /// The next event, waiting until `deadline`.
    pub fn recv_deadline(&self, deadline: Instant) -> Result<Event, RecvError> {
        self.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    }

    /// The next event if one is waiting.
    pub fn try_recv(&self) -> Option<Event> {
        self.rx.try_recv().ok()
    }

    /// Whether the session loop has ended (events may still be waiting).
    pub fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }
}

impl Iterator for Events {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.rx.recv().ok()
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.shared.events_gone.store(true, Ordering::SeqCst);
        let _ = self.wake.send(Input::Wake);
    }
}
