//! The async driver: one task per session, one per request in flight, a `Stream` of
//! events and a cloneable command handle.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use std::collections::HashMap;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinSet;
use webwx_core::boundary::{Answer, ErrorInfo, ErrorKind, Request};
use webwx_core::client::Transmit;

use webwx_core::{
    Client, Download, DownloadId, Event, Monotonic, RequestId, SessionState, UploadId,
};
use webwx_transport::{
    Backlog, Barrier, DownloadError, FileSource, Offer, Options, Outputs, SaveToken, Session,
    StartError, State, StreamJob, StreamedDownload, UploadRead, instant_of, now,
};

use crate::transport::{Transport, TransportError};

struct Shared {
    /// The client, its uploads, the live handles and events.
    session: webwx_transport::Shared,
    wake: Notify,
    finished: watch::Sender<bool>,
    /// The transport, for `download_to` (which streams on the caller's task).
    transport: Transport,
    /// Downloads streamed by a `download_to` caller: where their attempts and end go.
    streams: Streams,
}

type Streams = std::sync::Mutex<HashMap<DownloadId, mpsc::UnboundedSender<StreamJob>>>;

impl Shared {
    fn streams(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<DownloadId, mpsc::UnboundedSender<StreamJob>>> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs `client` as a task on the current tokio runtime with a new [`Transport`].
///
/// Returns the command handle and the event stream. Start the session with a command —
/// [`Session::login`], [`Session::connect`], [`Session::resume`] … — or call one on the
/// client before passing it in. The task runs until the session is over (after
/// [`Event::LoggedOut`], or [`Session::shutdown`]); then the stream ends.
///
/// # Panics
///
/// Outside a tokio runtime.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use webwx_core::{Client, Config, Event};
/// use webwx_hyper::prelude::*;
/// let client = Client::new(Config::new(7));
/// let (handle, mut events) = webwx_hyper::start(client, webwx_hyper::Options::default())?;
/// handle.login()?;
/// while let Some(event) = events.next_event().await {
///     if let Event::QrCode { url, .. } = event {
///         println!("scan {url}");
///     }
/// }
/// # Ok(()) }
/// ```
pub fn start(client: Client, options: Options) -> Result<(Handle, Events), StartError> {
    start_with(client, Transport::new(&options)?)
}

/// Like [`start`], sharing `transport` (and its connection pool) with other sessions.
/// The event channel holds the transport's [`Options::event_capacity`] events. (Never
/// fails today; a `Result` like `webwx-ureq`'s, whose session thread may not start.)
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn start_with(client: Client, transport: Transport) -> Result<(Handle, Events), StartError> {
    Ok(spawn(client, transport, false))
}

/// Like [`start_with`], and every [`Event::SessionChanged`] carries the session state as
/// it stood when the event was output ([`Events::next_to_save`]), before any later
/// response reached the client. A host that saves the session in the same transaction
/// as the events it produced (the gateway's store) needs exactly that state: one taken
/// later through [`Session::snapshot`] may already hold the SyncKey and the seen ids of
/// messages still on their way to it, and saving it would lose them in a crash.
///
/// Each state comes with a [`SaveToken`], and the session sends no `webwxsync` — the
/// request that acknowledges a step's messages to the server, which then drops them —
/// until every token handed out is released with [`SaveToken::saved`] (the commit
/// barrier, [`webwx_transport::barrier`]). Release it once the state and the events
/// before it are durable, and a crash at any instant loses no message: a session resumed
/// from the last saved state gets every later one again. Commands, their answers and
/// uploads never wait for it. The other ways of taking events ([`Events::next_event`],
/// [`Events::next_with_state`], the `Stream`) release the token as they hand the event
/// out.
///
/// ```no_run
/// # async fn f(client: webwx_core::Client, transport: webwx_hyper::Transport) {
/// # async fn commit(_: &webwx_core::Event, _: Option<&webwx_core::SessionState>) {}
/// let (handle, mut events) = webwx_hyper::start_saving(client, transport).unwrap();
/// while let Some((event, to_save)) = events.next_to_save().await {
///     match to_save {
///         Some((state, token)) => {
///             commit(&event, Some(&state)).await; // durable once this returns
///             token.saved(); // now the next webwxsync may acknowledge it
///         }
///         None => commit(&event, None).await,
///     }
/// }
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn start_saving(client: Client, transport: Transport) -> Result<(Handle, Events), StartError> {
    Ok(spawn(client, transport, true))
}

fn spawn(client: Client, transport: Transport, states: bool) -> (Handle, Events) {
    let (event_tx, event_rx) = mpsc::channel(transport.options().event_capacity.max(1));
    let (finished, finished_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        session: webwx_transport::Shared::new(client),
        wake: Notify::new(),
        finished,
        transport: transport.clone(),
        streams: Streams::default(),
    });
    let woken = shared.clone();
    let driver = Driver {
        shared: shared.clone(),
        transport,
        events: event_tx,
        states,
        backlog: Backlog::default(),
        barrier: Barrier::new(move || woken.wake.notify_one()),
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

/// An event, with the session state and its token when it is a `SessionChanged` of
/// [`start_saving`]. Boxed: tokio's channel allocates its slots 32 at a time whatever
/// its capacity, and at ~110 bytes an event unboxed that was 3.5 KiB per session, held
/// by every idle one (8 bytes a slot boxed).
type Item = Box<Entry>;

/// What an [`Item`] holds.
type Entry = (Event, Option<Box<(SessionState, SaveToken)>>);

/// The event of `item`, its token released (the host does not save states this way).
fn released((e, saving): Entry) -> Event {
    if let Some(saving) = saving {
        saving.1.saved();
    }
    e
}

/// The event of `item`, and the state and token to save when it has them.
fn unboxed((e, s): Entry) -> (Event, Option<(SessionState, SaveToken)>) {
    (e, s.map(|s| *s))
}

/// The event and state of `item`, its token released.
fn with_state((e, saving): Entry) -> (Event, Option<SessionState>) {
    let state = saving.map(|saving| {
        let (state, token) = *saving;
        token.saved();
        state
    });
    (e, state)
}

struct Driver {
    shared: Arc<Shared>,
    transport: Transport,
    events: mpsc::Sender<Item>,
    /// Attach the state to each `SessionChanged` ([`start_saving`]).
    states: bool,
    /// Events the channel had no room for, and the sync loop held back meanwhile.
    backlog: Backlog<Item>,
    /// The `webwxsync` held until the host has saved the states handed out
    /// ([`start_saving`]; never closed otherwise).
    barrier: Barrier,
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
            // The host saved every state handed out: the webwxsync held may go.
            for t in self.barrier.release() {
                self.spawn(t);
            }
            let sleep = async {
                match deadline {
                    // Timers run on the monotonic clock: a wall clock stepped back or
                    // forward neither stalls them nor fires them early.
                    Some(at) => {
                        tokio::time::sleep_until(tokio::time::Instant::from_std(instant_of(at)))
                            .await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let waiting = self.backlog.is_waiting();
            // A clone, so that the permit borrows nothing of `self`.
            let events = self.events.clone();
            tokio::select! {
                // Room in the channel again: move the waiting events in.
                permit = events.reserve(), if waiting => {
                    if let Ok(permit) = permit
                        && let Some(e) = self.backlog.pop()
                    {
                        permit.send(e);
                    }
                    self.flush();
                }
                Some(joined) = self.requests.join_next(), if !self.requests.is_empty() => {
                    match joined {
                        Ok((id, result)) => self.complete(id, result),
                        Err(e) => tracing::error!(error = %e, "request task failed"),
                    }
                }
                Some(read) = self.reads.join_next(), if !self.reads.is_empty() => {
                    if let Ok((upload, offset, bytes)) = read {
                        self.shared.session.lock().feed(upload, offset, bytes);
                    }
                }
                () = self.shared.wake.notified() => self.shared.session.stop_if_abandoned(),
                () = sleep => {
                    self.shared.session.lock().handle_timeout(now());
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
        // Streamed downloads still waiting end with the session.
        self.shared.streams().clear();
        let _ = self.shared.finished.send(true);
        tracing::debug!("session task ended");
        // The last events still waiting: hand them over, however long the host takes
        // (the stream ends after them).
        for e in self.backlog.take_waiting() {
            if self.events.send(e).await.is_err() {
                break;
            }
        }
    }

    /// Moves waiting events into the channel while it has room, and sends the sync-loop
    /// requests held back once none waits.
    fn flush(&mut self) {
        let events = &self.events;
        let released = self.backlog.flush(|e| offer(events, e));
        for t in released {
            self.send(t);
        }
    }

    fn complete(&mut self, id: RequestId, result: Result<http::Response<Vec<u8>>, TransportError>) {
        self.shared
            .session
            .lock()
            .complete(id, result, TransportError::kind);
    }

    /// Drains the client's outputs. Returns the next timer and whether the session is done.
    fn drain(&mut self) -> (Option<Monotonic>, bool) {
        let shared = self.shared.clone();
        shared.session.lock().drain(self)
    }

    /// Sends `t` unless the barrier holds it (a `webwxsync` while a state is unsaved).
    fn send(&mut self, t: Transmit) {
        if let Some(t) = self.barrier.hold(t.endpoint, t) {
            self.spawn(t);
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

/// Offers `e` to the bounded channel without waiting.
fn offer(events: &mpsc::Sender<Item>, e: Item) -> Offer<Item> {
    match events.try_send(e) {
        Ok(()) => Offer::Sent,
        Err(mpsc::error::TrySendError::Full(e)) => Offer::Full(e),
        // A dropped stream only means nobody listens.
        Err(mpsc::error::TrySendError::Closed(_)) => Offer::Gone,
    }
}

impl Outputs for Driver {
    fn transmit(&mut self, t: Transmit) {
        if let Some(t) = self.backlog.hold(t.endpoint, t) {
            self.send(t);
        }
    }

    fn transmit_download(&mut self, t: Transmit, download: DownloadId) {
        let t = match self.shared.streams().get(&download) {
            // The caller's task sends it and streams the answer.
            Some(to) => match to.send(StreamJob::Fetch(Box::new(t))) {
                Ok(()) => return,
                Err(mpsc::error::SendError(StreamJob::Fetch(t))) => *t,
                Err(_) => return,
            },
            None => t,
        };
        // The caller is gone: an ordinary download.
        self.shared.streams().remove(&download);
        self.spawn(t);
    }

    fn event(&mut self, e: Event) {
        // The end of a streamed download goes to its caller, not to the events.
        if let Some((download, result)) = webwx_transport::stream::ended(&e)
            && let Some(to) = self.shared.streams().remove(&download)
        {
            let _ = to.send(StreamJob::Done(result));
            return;
        }
        let events = &self.events;
        self.backlog.push(Box::new((e, None)), |e| offer(events, e));
    }

    fn event_at(&mut self, client: &Client, e: Event) {
        if !(self.states && matches!(e, Event::SessionChanged)) {
            return self.event(e);
        }
        let state = Some(Box::new((client.snapshot(), self.barrier.token())));
        let events = &self.events;
        self.backlog
            .push(Box::new((e, state)), |e| offer(events, e));
    }

    fn upload_read(&mut self, state: &mut State, job: UploadRead) {
        match &job.source {
            // In memory: answer at once.
            FileSource::Bytes(_) => state.feed(job.upload, job.offset, job.read()),
            // On disk: read on the blocking pool.
            _ => {
                self.reads
                    .spawn_blocking(move || (job.upload, job.offset, job.read()));
            }
        }
    }
}

/// A cloneable, `Send + Sync` handle on a running session: call any [`Client`] command
/// from any task or thread. The commands are the [`Session`] trait's
/// (`use webwx_hyper::prelude::*;`); the driver reads the files it uploads on tokio's
/// blocking pool.
pub struct Handle {
    shared: Arc<Shared>,
    finished: watch::Receiver<bool>,
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        self.shared.session.handle_cloned();
        Handle {
            shared: self.shared.clone(),
            finished: self.finished.clone(),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.shared.session.handle_dropped() {
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

impl Session for Handle {
    fn shared(&self) -> &webwx_transport::Shared {
        &self.shared.session
    }

    fn wake(&self) {
        self.shared.wake.notify_one();
    }

    fn is_finished(&self) -> bool {
        *self.finished.borrow()
    }
}

impl Handle {
    /// Runs a command of the JSON boundary and waits for its answer: its outcome (sent,
    /// done, downloaded — saved under `save_to` on tokio's blocking pool, or inline), or
    /// a typed error (a refusal, a timeout, the end of the session…). A command given
    /// before the session is `Ready` waits for it.
    ///
    /// ```no_run
    /// # async fn f(handle: webwx_hyper::Handle) {
    /// use webwx_core::boundary::Command;
    /// let answer = handle.command(Command::send_text("filehelper", "hi")).await;
    /// println!("{}", answer.to_json());
    /// # }
    /// ```
    pub async fn command(&self, request: impl Into<Request>) -> Answer {
        let completion = self.submit(request).await;
        let id = completion.id.clone();
        match tokio::task::spawn_blocking(move || webwx_transport::finish(completion)).await {
            Ok(answer) => answer,
            Err(e) => Answer::new(
                id,
                Err(ErrorInfo::new(ErrorKind::Io, format!("saving failed: {e}"))),
            ),
        }
    }

    /// Downloads `what` into `writer`: the core decides each attempt's request and the
    /// retries, this task sends them and streams the answer's body into `writer` (see
    /// [`webwx_transport::stream`]), so memory stays small whatever the size of the
    /// media, and [`Options::max_body`] does not apply. No `Downloaded` event is emitted
    /// for it. A transfer that breaks after bytes reached `writer` fails (it cannot be
    /// rewound).
    ///
    /// ```no_run
    /// # async fn f(handle: webwx_hyper::Handle, msg: webwx_core::message::Message) -> Result<(), Box<dyn std::error::Error>> {
    /// let what = webwx_core::Download::for_message(&msg).expect("a media message");
    /// let mut file = tokio::fs::File::create("video.mp4").await?;
    /// let done = handle.download_to(what, &mut file).await?;
    /// println!("{} bytes of {}", done.len, done.content_type);
    /// # Ok(()) }
    /// ```
    pub async fn download_to<W: tokio::io::AsyncWrite + Unpin + ?Sized>(
        &self,
        what: Download,
        writer: &mut W,
    ) -> Result<StreamedDownload, DownloadError> {
        let (to, mut jobs) = mpsc::unbounded_channel();
        {
            let mut state = self.shared.session.lock();
            let download = state
                .client
                .download(now(), what)
                .map_err(DownloadError::Rejected)?;
            // Registered before the loop can see the first attempt.
            self.shared.streams().insert(download, to);
        }
        self.wake();
        let mut write_error = None;
        let mut len = 0;
        loop {
            match jobs.recv().await {
                Some(StreamJob::Fetch(t)) => {
                    let (id, endpoint) = (t.id, t.endpoint);
                    let result = self
                        .shared
                        .transport
                        .stream(t.request, t.timeout, endpoint, writer, &mut write_error)
                        .await;
                    if let Ok(r) = &result
                        && let Some(s) = r.extensions().get::<webwx_core::media::Streamed>()
                    {
                        len = s.len;
                    }
                    self.shared
                        .session
                        .lock()
                        .complete(id, result, TransportError::kind);
                    self.wake();
                }
                Some(StreamJob::Done(done)) => {
                    return webwx_transport::stream::outcome(done, len, write_error);
                }
                Some(_) => {}
                None => {
                    return Err(DownloadError::Failed(
                        webwx_core::CommandFailure::SessionEnded,
                    ));
                }
            }
        }
    }

    /// Waits until the session task has ended (requests in flight are aborted).
    pub async fn finished(&self) {
        let mut rx = self.finished.clone();
        let _ = rx.wait_for(|done| *done).await;
    }
}

/// The session's events, in order: a [`Stream`](futures_core::Stream) that ends when the
/// session task does (after [`Event::LoggedOut`], or a shutdown).
///
/// A bounded channel of [`Options::event_capacity`] events: when it is full the session
/// stops fetching messages (the server keeps them) until events are taken again; no
/// event is ever dropped, and commands go on meanwhile (see
/// [`webwx_transport::backlog`]).
pub struct Events {
    rx: mpsc::Receiver<Item>,
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
        self.rx.recv().await.map(|i| released(*i))
    }

    /// The next event if one is waiting.
    pub fn try_next_event(&mut self) -> Option<Event> {
        self.rx.try_recv().ok().map(|i| released(*i))
    }

    /// The next event, blocking the thread (not for use inside the runtime).
    pub fn blocking_next_event(&mut self) -> Option<Event> {
        self.rx.blocking_recv().map(|i| released(*i))
    }

    /// The next event with, for a `SessionChanged` of a session started with
    /// [`start_saving`], the session state as it stood at that event. The state's
    /// [`SaveToken`] is released as it is handed out: the next `webwxsync` waits only
    /// until the state is taken. A host that saves it uses [`Events::next_to_save`].
    pub async fn next_with_state(&mut self) -> Option<(Event, Option<SessionState>)> {
        self.rx.recv().await.map(|i| with_state(*i))
    }

    /// Like [`Events::next_with_state`], if an event is waiting.
    pub fn try_next_with_state(&mut self) -> Option<(Event, Option<SessionState>)> {
        self.rx.try_recv().ok().map(|i| with_state(*i))
    }

    /// The next event with, for a `SessionChanged` of a session started with
    /// [`start_saving`], the session state as it stood at that event and the token the
    /// next `webwxsync` waits for: call [`SaveToken::saved`] once the state (and every
    /// event before it) is durable. See [`start_saving`].
    pub async fn next_to_save(&mut self) -> Option<(Event, Option<(SessionState, SaveToken)>)> {
        self.rx.recv().await.map(|i| unboxed(*i))
    }

    /// Like [`Events::next_to_save`], if an event is waiting.
    pub fn try_next_to_save(&mut self) -> Option<(Event, Option<(SessionState, SaveToken)>)> {
        self.rx.try_recv().ok().map(|i| unboxed(*i))
    }
}

impl futures_core::Stream for Events {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx).map(|o| o.map(|i| released(*i)))
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.shared.session.events_dropped();
        self.shared.wake.notify_one();
    }
}
