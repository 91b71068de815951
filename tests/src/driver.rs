//! The small driver trait the scenarios are written against, and its implementations.

use std::time::Duration;

use std::path::Path;

use webwx_core::{Client, CommandError, CommandView, Event, Now, SessionState, UploadHandle};
use webwx_transport::Session as _;

/// Why [`Session::next_event`] returned nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoEvent {
    /// Nothing arrived in time.
    Timeout,
    /// The session loop has ended and every event was taken.
    Ended,
}

/// A transport under test: starts sessions.
pub trait Driver {
    /// Name for messages.
    const NAME: &'static str;
    /// A running session.
    type Session: Session;
    /// Runs `client` (no command issued yet).
    fn start(&self, client: Client) -> Self::Session;
    /// The same kind of driver with a transport built from `options`.
    fn with_options(&self, options: webwx_transport::Options) -> Self
    where
        Self: Sized;
    /// The same driver with an event channel of `capacity` events.
    fn with_event_capacity(&self, capacity: usize) -> Self
    where
        Self: Sized,
    {
        self.with_options(options().event_capacity(capacity))
    }
}

/// A running session, driven from blocking test code.
pub trait Session {
    /// The driver's command handle.
    type Handle: webwx_transport::Session;
    /// The handle of this session.
    fn handle(&self) -> &Self::Handle;
    /// The next event, waiting at most `timeout`.
    fn next_event(&mut self, timeout: Duration) -> Result<Event, NoEvent>;
    /// Runs a command on the client from this (non-driver) thread.
    fn with<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut CommandView<'_>, Now) -> R + Send + 'static,
    ) -> R {
        self.handle().with(f)
    }
    /// The state to save.
    fn snapshot(&self) -> SessionState {
        self.handle().snapshot()
    }
    /// Whether the session loop has ended.
    fn is_finished(&self) -> bool {
        self.handle().is_finished()
    }
    /// Sends `bytes` as a file named `name` through the driver's own upload feeding.
    fn send_bytes(
        &self,
        to: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadHandle, CommandError> {
        self.handle().send_bytes(to, name, bytes)
    }
    /// Downloads `what` into `writer`, streamed (the driver's `download_to`).
    fn download_to(
        &self,
        what: webwx_core::Download,
        writer: &mut Sink,
    ) -> Result<webwx_transport::StreamedDownload, webwx_transport::DownloadError>;
    /// Sends the file at `path` through the driver's own upload feeding.
    fn send_path(&self, to: &str, path: &Path) -> Result<UploadHandle, String> {
        self.handle().send_path(to, path).map_err(|e| e.to_string())
    }
}

/// webwx-ureq: a thread per session and per request in flight.
pub struct Ureq {
    transport: webwx_ureq::Transport,
}

impl Default for Ureq {
    fn default() -> Self {
        Ureq::new()
    }
}

/// The suite's options: proxies from the environment ignored (tests talk to 127.0.0.1).
pub fn options() -> webwx_transport::Options {
    webwx_transport::Options::default().proxy_from_env(false)
}

impl Ureq {
    /// A driver with a transport that ignores proxies from the environment.
    pub fn new() -> Ureq {
        Ureq::with_options(options())
    }

    /// A driver with a transport built from `options`.
    pub fn with_options(options: webwx_transport::Options) -> Ureq {
        Ureq {
            transport: webwx_ureq::Transport::new(&options).expect("a ureq transport"),
        }
    }
}

/// A webwx-ureq session.
pub struct UreqSession {
    /// The handle.
    pub handle: webwx_ureq::Handle,
    /// The events.
    pub events: webwx_ureq::Events,
}

impl Driver for Ureq {
    const NAME: &'static str = "ureq";
    type Session = UreqSession;

    fn start(&self, client: Client) -> UreqSession {
        let (handle, events) =
            webwx_ureq::start_with(client, self.transport.clone()).expect("start a session");
        UreqSession { handle, events }
    }

    fn with_options(&self, options: webwx_transport::Options) -> Ureq {
        Ureq::with_options(options)
    }
}

impl Session for UreqSession {
    type Handle = webwx_ureq::Handle;

    fn download_to(
        &self,
        what: webwx_core::Download,
        writer: &mut Sink,
    ) -> Result<webwx_transport::StreamedDownload, webwx_transport::DownloadError> {
        self.handle.download_to(what, writer)
    }

    fn handle(&self) -> &webwx_ureq::Handle {
        &self.handle
    }

    fn next_event(&mut self, timeout: Duration) -> Result<Event, NoEvent> {
        self.events.recv_timeout(timeout).map_err(|e| match e {
            webwx_ureq::RecvError::Timeout => NoEvent::Timeout,
            _ => NoEvent::Ended,
        })
    }
}

/// webwx-hyper: one task per session and per request in flight, on a shared runtime.
pub struct Hyper {
    rt: std::sync::Arc<tokio::runtime::Runtime>,
    transport: webwx_hyper::Transport,
}

impl Default for Hyper {
    fn default() -> Self {
        Hyper::new()
    }
}

impl Hyper {
    /// A driver with its own two-thread runtime.
    pub fn new() -> Hyper {
        Hyper::with_options(options())
    }

    /// A driver with its own two-thread runtime and a transport built from `options`.
    pub fn with_options(options: webwx_transport::Options) -> Hyper {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        Hyper {
            rt: std::sync::Arc::new(rt),
            transport: webwx_hyper::Transport::new(&options).expect("a hyper transport"),
        }
    }

    /// The runtime the sessions run on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }
}

/// A webwx-hyper session.
pub struct HyperSession {
    rt: std::sync::Arc<tokio::runtime::Runtime>,
    /// The handle.
    pub handle: webwx_hyper::Handle,
    /// The events.
    pub events: webwx_hyper::Events,
}

impl Driver for Hyper {
    const NAME: &'static str = "hyper";
    type Session = HyperSession;

    fn start(&self, client: Client) -> HyperSession {
        let _guard = self.rt.enter();
        let (handle, events) =
            webwx_hyper::start_with(client, self.transport.clone()).expect("start a session");
        HyperSession {
            rt: self.rt.clone(),
            handle,
            events,
        }
    }

    fn with_options(&self, options: webwx_transport::Options) -> Hyper {
        Hyper::with_options(options)
    }
}

impl Session for HyperSession {
    type Handle = webwx_hyper::Handle;

    fn download_to(
        &self,
        what: webwx_core::Download,
        writer: &mut Sink,
    ) -> Result<webwx_transport::StreamedDownload, webwx_transport::DownloadError> {
        self.rt.block_on(self.handle.download_to(what, writer))
    }

    fn handle(&self) -> &webwx_hyper::Handle {
        &self.handle
    }

    fn next_event(&mut self, timeout: Duration) -> Result<Event, NoEvent> {
        let events = &mut self.events;
        match self
            .rt
            .block_on(async { tokio::time::timeout(timeout, events.next_event()).await })
        {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(NoEvent::Ended),
            Err(_) => Err(NoEvent::Timeout),
        }
    }
}

/// A writer that keeps what it gets, its length and the largest single write (blocking
/// and async alike), and can be made to fail.
#[derive(Default)]
pub struct Sink {
    bytes: Vec<u8>,
    /// Bytes written.
    pub len: u64,
    /// The largest single write.
    pub max_write: usize,
    /// Fail every write after this many bytes.
    pub fail_after: Option<u64>,
}

impl Sink {
    /// The md5 of the bytes, in hex.
    pub fn md5_hex(&self) -> String {
        webwx_core::upload::md5_hex(&self.bytes)
    }

    fn take(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.fail_after.is_some_and(|n| self.len >= n) {
            return Err(std::io::Error::other("the disk is full"));
        }
        self.bytes.extend_from_slice(buf);
        self.len += buf.len() as u64;
        self.max_write = self.max_write.max(buf.len());
        Ok(buf.len())
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.take(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl tokio::io::AsyncWrite for Sink {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(self.take(buf))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
