//! The async driver: one task per session, one per request in flight, a `Stream` of
//! events and a cloneable command handle.

use std::collections::HashMap;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinSet;
use webwx_core::client::Transmit;
use webwx_core::{
    Client, CommandError, CommandEvent, Download, DownloadId, Event, FileSpec, LocalId, MediaKind,
    OpId, Output, RequestId, SessionState, Timestamp, UploadHandle, UploadId,
};

use crate::files::{FileSource, SendFileError};
use crate::transport::{BuildError, Options, Transport, TransportError};

/// The wall clock as the core wants it.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    Timestamp(ms)
}

/// The client and the files the driver feeds to its uploads.
struct Inner {
    client: Client,
    uploads: HashMap<UploadId, (LocalId, FileSource)>,
}

/// A read the driver must do for an upload it owns.
struct ReadJob {
    upload: UploadId,
    offset: u64,
    len: u64,
    source: FileSource,
}

impl Inner {
    /// The read behind the core's request for upload bytes when the driver owns the
    /// upload; `None` when the event is for the caller.
    fn upload_read(&self, e: &Event) -> Option<ReadJob> {
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
        Some(ReadJob {
            upload: *upload,
            offset: *offset,
            len: *len,
            source: source.clone(),
        })
    }

    /// Hands read bytes to the core (or cancels the upload when the read failed).
    fn feed(&mut self, upload: UploadId, offset: u64, read: std::io::Result<Vec<u8>>) {
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
    wake: Notify,
    handles: AtomicUsize,
    events_gone: AtomicBool,
    finished: watch::Sender<bool>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic in a user closure must not wedge the session for everyone else.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs `client` as a task on the current tokio runtime with a new [`Transport`].
///
/// Returns the command handle and the event stream. Start the session with a command —
/// [`Handle::login`], [`Handle::connect`], [`Handle::resume`] … — or call one on the
/// client before passing it in. The task runs until the session is over (after
/// [`Event::LoggedOut`], or [`Handle::shutdown`]); then the stream ends.
///
/// # Panics
///
/// Outside a tokio runtime.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use webwx_core::{Client, Config, Event};
/// let client = Client::new(Config::new(7));
/// let (handle, mut events) = webwx_hyper::start(client, webwx_hyper::Options::default())?;
/// handle.login();
/// while let Some(event) = events.next_event().await {
///     if let Event::QrCode { url, .. } = event {
///         println!("scan {url}");
///     }
/// }
/// # Ok(()) }
/// ```
pub fn start(client: Client, options: Options) -> Result<(Handle, Events), BuildError> {
    Ok(start_with(client, Transport::new(&options)?))
}

/// Like [`start`], sharing `transport` (and its connection pool) with other sessions.
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn start_with(client: Client, transport: Transport) -> (Handle, Events) {
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (finished, finished_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner {
            client,
            uploads: HashMap::new(),
        }),
        wake: Notify::new(),
        handles: AtomicUsize::new(1),
        events_gone: AtomicBool::new(false),
        finished,
    });
    let driver = Driver {
        shared: shared.clone(),
        transport,
        events: event_tx,
        requests: JoinSet::new(),
        reads: JoinSet::new(),
    };
    tokio::spawn(driver.run());
    let handle = Handle {
        shared: shared.clone(),
        finished: finished_rx,
    };
    let events = Events {
        rx: event_rx,
        shared,
    };
    (handle, events)
}

type Outcome = (RequestId, Result<http::Response<Vec<u8>>, TransportError>);

struct Driver {
    shared: Arc<Shared>,
    transport: Transport,
    events: mpsc::UnboundedSender<Event>,
    requests: JoinSet<Outcome>,
    /// File reads for uploads, off the runtime's worker threads.
    reads: JoinSet<(UploadId, u64, std::io::Result<Vec<u8>>)>,
}

impl Driver {
    async fn run(mut self) {
        loop {
            let (deadline, done) = self.drain();
            if done {
                break;
            }
            let sleep = async {
                match deadline {
                    Some(at) => {
                        let wait = Duration::from_millis(at.0.saturating_sub(now().0));
                        tokio::time::sleep(wait).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                Some(joined) = self.requests.join_next(), if !self.requests.is_empty() => {
                    match joined {
                        Ok((id, result)) => self.complete(id, result),
                        Err(e) => tracing::error!(error = %e, "request task failed"),
                    }
                }
                Some(read) = self.reads.join_next(), if !self.reads.is_empty() => {
                    if let Ok((upload, offset, bytes)) = read {
                        self.shared.lock().feed(upload, offset, bytes);
                    }
                }
                () = self.shared.wake.notified() => self.woken(),
                () = sleep => {
                    self.shared.lock().client.handle_timeout(now());
                }
            }
            // Take every request already finished before draining again.
            while let Some(joined) = self.requests.try_join_next() {
                if let Ok((id, result)) = joined {
                    self.complete(id, result);
                }
            }
        }
        // Abort the requests still in flight.
        self.requests.abort_all();
        self.reads.abort_all();
        let _ = self.shared.finished.send(true);
        tracing::debug!("session task ended");
    }

    fn complete(&mut self, id: RequestId, result: Result<http::Response<Vec<u8>>, TransportError>) {
        let client = &mut self.shared.lock().client;
        match result {
            Ok(resp) => client.handle_response(now(), id, resp),
            Err(e) => {
                tracing::debug!(%id, error = %e, "request failed");
                client.handle_transport_error(now(), id, e.kind());
            }
        }
    }

    fn woken(&mut self) {
        if self.shared.handles.load(Ordering::SeqCst) == 0
            && self.shared.events_gone.load(Ordering::SeqCst)
        {
            tracing::debug!("no handle and no event consumer left: stopping");
            self.shared.lock().client.shutdown();
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
                    if let Some(job) = inner.upload_read(&e) {
                        match &job.source {
                            // In memory: answer at once.
                            FileSource::Bytes(_) => {
                                let read = job.source.read(job.offset, job.len);
                                inner.feed(job.upload, job.offset, read);
                            }
                            // On disk: read on the blocking pool.
                            _ => {
                                self.reads.spawn_blocking(move || {
                                    (job.upload, job.offset, job.source.read(job.offset, job.len))
                                });
                            }
                        }
                        continue;
                    }
                    inner.track(&e);
                    // A dropped stream only means nobody listens.
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
        tracing::trace!(%id, endpoint, ?timeout, "sending");
        let transport = self.transport.clone();
        self.requests
            .spawn(async move { (id, transport.execute(request, timeout).await) });
    }
}

/// A cloneable, `Send + Sync` handle on a running session: call any [`Client`] command
/// from any task or thread.
pub struct Handle {
    shared: Arc<Shared>,
    finished: watch::Receiver<bool>,
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        self.shared.handles.fetch_add(1, Ordering::SeqCst);
        Handle {
            shared: self.shared.clone(),
            finished: self.finished.clone(),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.shared.handles.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.wake.notify_one();
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
    /// Runs `f` on the client with the current time, then wakes the session task to send
    /// whatever it queued. The client is locked (a plain mutex, never held across an
    /// `.await`) while `f` runs: keep it short. Callable from async and blocking code.
    ///
    /// ```no_run
    /// # fn f(handle: webwx_hyper::Handle) {
    /// let contacts = handle.with(|client, _now| client.contacts().len());
    /// # }
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut Client, Timestamp) -> R) -> R {
        let r = {
            let mut inner = self.shared.lock();
            f(&mut inner.client, now())
        };
        self.shared.wake.notify_one();
        r
    }

    /// Reads the client without waking the task.
    pub fn inspect<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.shared.lock().client)
    }

    /// Sends a text; the outcome is `Sent` or `SendFailed` with the returned id.
    pub fn send_text(&self, to: &str, text: &str) -> Result<LocalId, CommandError> {
        self.with(|c, now| c.send_text(now, to, text))
    }

    /// Sends a file whose bytes come from `source`, as the official client would for its
    /// extension (image, video, emoticon or file). The driver answers the core's requests
    /// for the bytes itself (files on disk are read on tokio's blocking pool); progress
    /// arrives as `UploadProgress`, the outcome as `Sent` or `SendFailed`.
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
                // Registered before the task can see the first request for bytes.
                inner.uploads.insert(h.upload, (h.local_id.clone(), source));
            }
            r
        };
        self.shared.wake.notify_one();
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

    /// Sends the file at `path`, read one chunk at a time. (Reads its size with a
    /// blocking `stat`.)
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

    /// Logs out; the stream ends after [`Event::LoggedOut`].
    pub fn logout(&self) {
        self.with(|c, now| c.logout(now));
    }

    /// Stops without telling the server (the saved session stays valid); the stream ends.
    pub fn shutdown(&self) {
        self.with(|c, _| c.shutdown());
    }

    /// Whether the session task has ended.
    pub fn is_finished(&self) -> bool {
        *self.finished.borrow()
    }

    /// Waits until the session task has ended (requests in flight are aborted).
    pub async fn finished(&self) {
        let mut rx = self.finished.clone();
        let _ = rx.wait_for(|done| *done).await;
    }
}

/// The session's events, in order: a [`Stream`](futures_core::Stream) that ends when the
/// session task does (after [`Event::LoggedOut`], or a shutdown).
pub struct Events {
    rx: mpsc::UnboundedReceiver<Event>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").finish_non_exhaustive()
    }
}

impl Events {
    /// The next event; `None` once the session has ended and every event was taken.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_next_event(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }

    /// The next event, blocking the thread (not for use inside the runtime).
    pub fn blocking_next_event(&mut self) -> Option<Event> {
        self.rx.blocking_recv()
    }
}

impl futures_core::Stream for Events {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.shared.events_gone.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }
}
