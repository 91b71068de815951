//! The blocking driver: a thread that owns the session loop, a worker per request in
//! flight, an event iterator and a cloneable command handle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use webwx_core::boundary::{Answer, Request};
use webwx_core::client::Transmit;
use webwx_core::{Client, Download, DownloadId, Event, Monotonic, RequestId};
use webwx_transport::{
    Backlog, DownloadError, Offer, Outputs, Session, StartError, StreamJob, StreamedDownload,
    instant_of, now,
};

use crate::transport::{Transport, TransportError};
use webwx_transport::Options;

/// What wakes the session loop.
enum Input {
    /// A worker finished request `id`.
    Done(RequestId, Result<http::Response<Vec<u8>>, TransportError>),
    /// A command changed the client, or a handle or the event iterator went away.
    Wake,
}

struct Shared {
    /// The client, its uploads, the live handles and events.
    session: webwx_transport::Shared,
    /// The loop has exited.
    finished: AtomicBool,
    /// Events wait for room in the channel: the iterator wakes the loop when it takes one.
    backlogged: AtomicBool,
    /// The transport, for `download_to` (which streams on the caller's thread).
    transport: Transport,
    /// Downloads streamed by a `download_to` caller: where their attempts and end go.
    streams: Mutex<HashMap<DownloadId, Sender<StreamJob>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// Runs `client` on a new thread with a default [`Transport`] built from `options`.
///
/// Returns the command handle and the events. Start the session with a command —
/// [`Session::login`], [`Session::connect`], [`Session::resume`] … — or call one on the
/// client before passing it in. The loop runs until the session is over (after
/// [`Event::LoggedOut`], or [`Session::shutdown`]) and then the event iterator ends.
///
/// ```no_run
/// use webwx_core::{Client, Config, Event};
/// use webwx_ureq::prelude::*;
/// let client = Client::new(Config::new(7));
/// let (handle, events) = webwx_ureq::start(client, webwx_ureq::Options::default())?;
/// handle.login()?;
/// for event in events {
///     match event {
///         Event::QrCode { url, .. } => println!("scan {url}"),
///         Event::Message(m) => println!("{m:?}"),
///         _ => {}
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn start(client: Client, options: Options) -> Result<(Handle, Events), StartError> {
    start_with(client, Transport::new(&options)?)
}

/// Like [`start`], sharing `transport` (and its connection pool) with other sessions.
/// The event channel holds the transport's [`Options::event_capacity`] events.
pub fn start_with(client: Client, transport: Transport) -> Result<(Handle, Events), StartError> {
    let (input_tx, input_rx) = mpsc::channel();
    let (event_tx, event_rx) = mpsc::sync_channel(transport.options().event_capacity.max(1));
    let shared = Arc::new(Shared {
        session: webwx_transport::Shared::new(client),
        finished: AtomicBool::new(false),
        backlogged: AtomicBool::new(false),
        transport: transport.clone(),
        streams: Mutex::new(HashMap::new()),
        thread: Mutex::new(None),
    });
    let driver = Driver {
        shared: shared.clone(),
        transport,
        inputs: input_rx,
        input_tx: input_tx.clone(),
        events: event_tx,
        backlog: Backlog::default(),
        in_flight: 0,
    };
    let thread = std::thread::Builder::new()
        .name("webwx-ureq-session".into())
        .spawn(move || driver.run())
        .map_err(StartError::Spawn)?;
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
    events: SyncSender<Event>,
    /// Events the channel had no room for, and the sync loop held back meanwhile.
    backlog: Backlog<Event>,
    in_flight: usize,
}

impl Driver {
    fn run(mut self) {
        loop {
            let (deadline, done) = self.drain();
            self.flush();
            if done {
                break;
            }
            let input = match deadline {
                Some(at) => {
                    // Timers run on the monotonic clock: a wall clock stepped back or
                    // forward neither stalls them nor fires them early.
                    let wait = instant_of(at).saturating_duration_since(Instant::now());
                    if wait.is_zero() {
                        self.shared.session.lock().handle_timeout(now());
                        continue;
                    }
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
        // Streamed downloads still waiting end with the session.
        self.shared.streams().clear();
        tracing::debug!(in_flight = self.in_flight, "session loop ended");
        // The last events still waiting: hand them over, however long the host takes
        // (the iterator ends after them).
        for e in self.backlog.take_waiting() {
            if self.events.send(e).is_err() {
                break;
            }
        }
    }

    /// Moves waiting events into the channel while it has room, and sends the sync-loop
    /// requests held back once none waits.
    fn flush(&mut self) {
        if !self.backlog.is_waiting() {
            return;
        }
        // Set before trying, so that an event taken after a failed try wakes the loop.
        self.shared.backlogged.store(true, Ordering::SeqCst);
        let events = &self.events;
        let released = self.backlog.flush(|e| offer(events, e));
        if !self.backlog.is_waiting() {
            self.shared.backlogged.store(false, Ordering::SeqCst);
        }
        for t in released {
            self.spawn(t);
        }
    }

    fn handle(&mut self, input: Input) {
        match input {
            Input::Done(id, result) => {
                self.in_flight = self.in_flight.saturating_sub(1);
                self.shared
                    .session
                    .lock()
                    .complete(id, result, TransportError::kind);
            }
            Input::Wake => self.shared.session.stop_if_abandoned(),
        }
    }

    /// Drains the client's outputs. Returns the next timer and whether the session is done.
    fn drain(&mut self) -> (Option<Monotonic>, bool) {
        let shared = self.shared.clone();
        // The driver's own uploads are fed at once (the default `Outputs::upload_read`).
        shared.session.lock().drain(self)
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

/// Offers `e` to the bounded channel without blocking.
fn offer(events: &SyncSender<Event>, e: Event) -> Offer<Event> {
    match events.try_send(e) {
        Ok(()) => Offer::Sent,
        Err(TrySendError::Full(e)) => Offer::Full(e),
        // A dropped iterator only means nobody listens.
        Err(TrySendError::Disconnected(_)) => Offer::Gone,
    }
}

impl Shared {
    fn streams(&self) -> std::sync::MutexGuard<'_, HashMap<DownloadId, Sender<StreamJob>>> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Outputs for Driver {
    fn transmit(&mut self, t: Transmit) {
        if let Some(t) = self.backlog.hold(t.endpoint, t) {
            self.spawn(t);
        }
    }

    fn transmit_download(&mut self, t: Transmit, download: DownloadId) {
        let t = match self.shared.streams().get(&download) {
            // The caller's thread sends it and streams the answer.
            Some(to) => match to.send(StreamJob::Fetch(Box::new(t))) {
                Ok(()) => return,
                Err(mpsc::SendError(StreamJob::Fetch(t))) => *t,
                Err(_) => return,
            },
            None => t,
        };
        // The caller is gone: an ordinary download.
        self.shared.streams().remove(&download);
        self.spawn(t);
    }

    fn event(&mut self, e: Event) {
        if let Some(e) = finish_stream(&self.shared.streams, e) {
            let events = &self.events;
            self.backlog.push(e, |e| offer(events, e));
        }
    }
}

/// The end of a streamed download goes to its caller (not to the events).
fn finish_stream(
    streams: &Mutex<HashMap<DownloadId, Sender<StreamJob>>>,
    e: Event,
) -> Option<Event> {
    let Some((download, result)) = webwx_transport::stream::ended(&e) else {
        return Some(e);
    };
    let mut streams = streams.lock().unwrap_or_else(|e| e.into_inner());
    match streams.remove(&download) {
        Some(to) => {
            let _ = to.send(StreamJob::Done(result));
            None
        }
        None => Some(e),
    }
}

/// A cloneable, `Send + Sync` handle on a running session: call any [`Client`] command
/// from any thread. The commands are the [`Session`] trait's (`use webwx_ureq::prelude::*;`).
pub struct Handle {
    shared: Arc<Shared>,
    wake: Sender<Input>,
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        self.shared.session.handle_cloned();
        Handle {
            shared: self.shared.clone(),
            wake: self.wake.clone(),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.shared.session.handle_dropped() {
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

impl Session for Handle {
    fn shared(&self) -> &webwx_transport::Shared {
        &self.shared.session
    }

    fn wake(&self) {
        let _ = self.wake.send(Input::Wake);
    }

    fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }
}

impl Handle {
    /// Runs a command of the JSON boundary and blocks until its answer: its outcome
    /// (sent, done, downloaded — saved under `save_to` on this thread, or inline), or a
    /// typed error (a refusal, a timeout, the end of the session…). A command given
    /// before the session is `Ready` waits for it.
    ///
    /// ```no_run
    /// # fn f(handle: webwx_ureq::Handle) {
    /// use webwx_core::boundary::Command;
    /// let answer = handle.command(Command::send_text("filehelper", "hi"));
    /// println!("{}", answer.to_json());
    /// # }
    /// ```
    pub fn command(&self, request: impl Into<Request>) -> Answer {
        self.submit(request).wait()
    }

    /// Downloads `what` into `writer`, blocking: the core decides each attempt's request
    /// and the retries, this thread sends them and streams the answer's body into
    /// `writer` 64 KiB at a time (see [`webwx_transport::stream`]), so memory stays small
    /// whatever the size of the media, and [`Options::max_body`](crate::Options) does not
    /// apply. No [`CommandEvent::Downloaded`](webwx_core::CommandEvent::Downloaded) event is emitted for it. A transfer that
    /// breaks after bytes reached `writer` fails (it cannot be rewound).
    ///
    /// ```no_run
    /// # fn f(handle: webwx_ureq::Handle, msg: webwx_core::message::Message) -> Result<(), Box<dyn std::error::Error>> {
    /// let what = webwx_core::Download::for_message(&msg).expect("a media message");
    /// let mut file = std::fs::File::create("video.mp4")?;
    /// let done = handle.download_to(what, &mut file)?;
    /// println!("{} bytes of {}", done.len, done.content_type);
    /// # Ok(()) }
    /// ```
    pub fn download_to(
        &self,
        what: Download,
        writer: &mut (impl std::io::Write + ?Sized),
    ) -> Result<StreamedDownload, DownloadError> {
        let (to, jobs) = mpsc::channel();
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
            match jobs.recv() {
                Ok(StreamJob::Fetch(t)) => {
                    let (id, endpoint) = (t.id, t.endpoint);
                    let result = self.shared.transport.stream(
                        t.request,
                        t.timeout,
                        endpoint,
                        writer,
                        &mut write_error,
                    );
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
                Ok(StreamJob::Done(done)) => {
                    return webwx_transport::stream::outcome(done, len, write_error);
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(DownloadError::Failed(
                        webwx_core::CommandFailure::SessionEnded,
                    ));
                }
            }
        }
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
///
/// A bounded channel of [`Options::event_capacity`] events: when it is full the session
/// stops fetching messages (the server keeps them) until events are taken again; no
/// event is ever dropped, and commands go on meanwhile (see
/// [`webwx_transport::backlog`]).
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
        let e = self.rx.recv_timeout(timeout).map_err(|e| match e {
            RecvTimeoutError::Timeout => RecvError::Timeout,
            RecvTimeoutError::Disconnected => RecvError::Ended,
        })?;
        Ok(self.taken(e))
    }

    /// An event was taken: when others wait for room, the loop moves them in.
    fn taken(&self, e: Event) -> Event {
        if self.shared.backlogged.load(Ordering::SeqCst) {
            let _ = self.wake.send(Input::Wake);
        }
        e
    }

    /// The next event, waiting until `deadline`.
    pub fn recv_deadline(&self, deadline: Instant) -> Result<Event, RecvError> {
        self.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    }

    /// The next event if one is waiting.
    pub fn try_recv(&self) -> Option<Event> {
        self.rx.try_recv().ok().map(|e| self.taken(e))
    }

    /// Whether the session loop has ended (events may still be waiting).
    pub fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }
}

impl Iterator for Events {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.rx.recv().ok().map(|e| self.taken(e))
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.shared.session.events_dropped();
        let _ = self.wake.send(Input::Wake);
    }
}
