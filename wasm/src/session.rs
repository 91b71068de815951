//! The driver: one [`Client`] and its boundary [`Tracker`], moved by JS's event loop.
//!
//! Everything runs on the one JS thread. The state lives in an `Rc<RefCell<..>>` that is
//! never borrowed across an `.await` nor while JS code runs: outputs are drained under
//! the borrow into a queue, and the queue is delivered (listeners called, promises
//! settled) after it is released, in order, so that a listener may call back into the
//! session (send a reply from `onEvent`) without re-entering a borrow.
//!
//! - A `Transmit` becomes one `fetch` ([`crate::fetch`]) on a task of its own; its
//!   answer or failure goes back to the client, then the session is pumped again.
//! - The earliest of the client's and the tracker's timers is one `setTimeout`.
//! - Files sent from JS (`Uint8Array`, `Blob`) are staged under a private key, passed to
//!   the tracker as a `send_file` with that `path`, and fed from JS chunk by chunk when
//!   the core asks (`UploadNeedsData`): the [`Files`] host.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::Function;
use wasm_bindgen::JsValue;
use webwx_core::boundary::{ErrorInfo, ErrorKind, Host, Request, Ticket, Tracker, event_json};
use webwx_core::client::Transmit;
use webwx_core::sorted_map::SortedMap;
use webwx_core::time::{Monotonic, Now};
use webwx_core::{Client, CommandEvent, Event, Output, RequestId, UploadHandle, UploadId};

use crate::clock;
use crate::fetch::{Exchange, InFlight};
use crate::source::Source;

/// The key prefix of staged JS files (never a real path: this host has none).
const STAGED: &str = "webwx-wasm-file:";

/// What the session hands JS, in order.
enum Deliver {
    /// An event's boundary JSON, for every listener.
    Event(String),
    /// A command's answer: its result's JSON, or its error.
    Answer(Ticket, Result<String, ErrorInfo>),
}

/// A promise waiting for a command's answer.
struct Waiting {
    resolve: Function,
    reject: Function,
}

/// The session's state.
pub(crate) struct Inner {
    client: Client,
    tracker: Tracker,
    listeners: Vec<Function>,
    waiting: SortedMap<Ticket, Waiting>,
    in_flight: SortedMap<RequestId, InFlight>,
    files: FileTable,
    timer: Option<(Monotonic, Timeout)>,
    queue: VecDeque<Deliver>,
    delivering: bool,
    /// The latest QR code's content (what the QR encodes), while logging in.
    qr_url: Option<String>,
    done: bool,
}

/// Files from JS: staged until their command starts, then fed to their upload.
#[derive(Default)]
struct FileTable {
    next: u64,
    staged: SortedMap<String, (String, Source)>,
    staged_by: SortedMap<Ticket, String>,
    /// Started uploads: their send's LocalID and bytes.
    uploads: SortedMap<UploadId, (String, Source)>,
}

/// The tracker's [`Host`] for files staged from JS.
struct Files<'a>(&'a mut FileTable);

impl Host for Files<'_> {
    fn file_info(&mut self, path: &str) -> Result<(String, u64), ErrorInfo> {
        match self.0.staged.get(path) {
            Some((name, source)) => Ok((name.clone(), source.len())),
            None => Err(ErrorInfo::new(
                ErrorKind::Unsupported,
                "this host has no local files: pass the bytes (sendFile, or send_file with data or data_b64)",
            )),
        }
    }

    fn upload_from_path(&mut self, upload: &UploadHandle, path: &str) {
        if let Some((_, source)) = self.0.staged.remove(path) {
            self.0
                .uploads
                .insert(upload.upload, (upload.local_id.0.clone(), source));
        }
    }
}

/// A handle on the session state.
pub(crate) type Shared = Rc<RefCell<Inner>>;

impl Inner {
    pub(crate) fn new(client: Client) -> Shared {
        Rc::new(RefCell::new(Inner {
            client,
            tracker: Tracker::default(),
            listeners: Vec::new(),
            waiting: SortedMap::new(),
            in_flight: SortedMap::new(),
            files: FileTable::default(),
            timer: None,
            queue: VecDeque::new(),
            delivering: false,
            qr_url: None,
            done: false,
        }))
    }

    /// The client, for reading.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The latest QR code's content while the login waits for a scan.
    pub(crate) fn qr_url(&self) -> Option<&str> {
        self.qr_url.as_deref()
    }

    /// Adds an event listener.
    pub(crate) fn listen(&mut self, f: Function) {
        self.listeners.push(f);
    }

    /// Removes an event listener.
    pub(crate) fn unlisten(&mut self, f: &Function) {
        self.listeners.retain(|l| !js_sys::Object::is(l, f));
    }

    /// Runs `f` on the client with the current time.
    pub(crate) fn with_client<R>(&mut self, f: impl FnOnce(&mut Client, Now) -> R) -> R {
        let now = clock::now();
        f(&mut self.client, now)
    }

    /// Stages a JS file for a `send_file` command: the `path` to put in it.
    pub(crate) fn stage(&mut self, name: &str, source: Source) -> String {
        let t = &mut self.files;
        t.next += 1;
        let key = format!("{STAGED}{}", t.next);
        t.staged.insert(key.clone(), (name.to_owned(), source));
        key
    }

    /// Submits a command; `staged` is the key of its staged file, if any.
    pub(crate) fn submit(
        &mut self,
        request: Request,
        staged: Option<String>,
        waiting: (Function, Function),
    ) {
        let now = clock::now();
        let Inner {
            client,
            tracker,
            files,
            ..
        } = self;
        let ticket = tracker.submit(client, now, request, &mut Files(files));
        if let Some(key) = staged {
            files.staged_by.insert(ticket, key);
        }
        self.waiting.insert(
            ticket,
            Waiting {
                resolve: waiting.0,
                reject: waiting.1,
            },
        );
    }

    /// Drains the client and the tracker into the delivery queue; starts requests and
    /// reads; re-arms the timer.
    fn drain(&mut self, me: &Weak<RefCell<Inner>>) {
        let now = clock::now();
        // Once over, the client has nothing more to say; commands still answer (the
        // tracker answers `session_ended` at once).
        while !self.done {
            match self.client.poll_output() {
                Output::Transmit(t) => self.transmit(me, t),
                Output::Event(e) => self.event(me, now, e),
                Output::Done => {
                    self.finish();
                    break;
                }
                // Timeout, Idle, and whatever a later core adds.
                _ => break,
            }
        }
        while let Some(c) = self.tracker.poll_completion() {
            let ticket = c.ticket;
            if let Some(key) = self.files.staged_by.remove(&ticket) {
                self.files.staged.remove(&key);
            }
            let result = c
                .answer_inline()
                .into_result()
                .map(|r| serde_json::to_string(&r).expect("results always serialize"));
            self.queue.push_back(Deliver::Answer(ticket, result));
        }
        self.arm_timer(me);
    }

    fn event(&mut self, me: &Weak<RefCell<Inner>>, now: Now, e: Event) {
        let Inner {
            client,
            tracker,
            files,
            ..
        } = self;
        if tracker.handle_event(client, now, &e, &mut Files(files)) {
            return; // the bytes of a data_b64 upload, fed by the tracker
        }
        match &e {
            Event::Command(CommandEvent::UploadNeedsData {
                upload,
                offset,
                len,
                ..
            }) => {
                if let Some((_, source)) = self.files.uploads.get(upload) {
                    self.read(me, *upload, *offset, *len, source.clone());
                }
            }
            Event::Command(CommandEvent::Uploaded { upload, .. }) => {
                self.files.uploads.remove(upload);
            }
            Event::Command(CommandEvent::SendFailed { local_id, .. }) => {
                self.files.uploads.retain(|_, (l, _)| *l != local_id.0);
            }
            Event::QrCode { url, .. } => self.qr_url = Some(url.clone()),
            Event::Scanned { .. } | Event::LoggedIn { .. } | Event::LoggedOut { .. } => {
                self.qr_url = None
            }
            _ => {}
        }
        if let Some(json) = event_json(&e) {
            self.queue.push_back(Deliver::Event(json));
        }
    }

    /// The session is over: requests aborted, timer cleared, commands answered.
    fn finish(&mut self) {
        self.done = true;
        for (_, f) in std::mem::take(&mut self.in_flight) {
            f.abort();
        }
        self.timer = None;
        self.tracker.end();
        self.files = FileTable::default();
    }

    /// Stops the session without telling the server (the saved session stays valid).
    pub(crate) fn shutdown(&mut self) {
        self.client.shutdown();
    }

    fn transmit(&mut self, me: &Weak<RefCell<Inner>>, t: Transmit) {
        let Transmit {
            id,
            request,
            timeout,
            ..
        } = t;
        match Exchange::new(&request, timeout) {
            Ok(exchange) => {
                self.in_flight.insert(id, exchange.handle());
                let me = me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = exchange.run().await;
                    let Some(shared) = me.upgrade() else { return };
                    {
                        let mut inner = shared.borrow_mut();
                        if inner.in_flight.remove(&id).is_none() {
                            return; // aborted: the session ended
                        }
                        let now = clock::now();
                        match result {
                            Ok(resp) => inner.client.handle_response(now, id, resp),
                            Err(kind) => inner.client.handle_transport_error(now, id, kind),
                        }
                    }
                    pump(&shared);
                });
            }
            Err(kind) => {
                // Reported on the next turn: the client is being drained.
                let me = me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let Some(shared) = me.upgrade() else { return };
                    {
                        let mut inner = shared.borrow_mut();
                        let now = clock::now();
                        inner.client.handle_transport_error(now, id, kind);
                    }
                    pump(&shared);
                });
            }
        }
    }

    fn read(
        &mut self,
        me: &Weak<RefCell<Inner>>,
        upload: UploadId,
        offset: u64,
        len: u64,
        source: Source,
    ) {
        let me = me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let bytes = source.read(offset, len).await;
            let Some(shared) = me.upgrade() else { return };
            {
                let mut inner = shared.borrow_mut();
                if !inner.files.uploads.contains_key(&upload) {
                    return; // cancelled or over meanwhile
                }
                let now = clock::now();
                match bytes {
                    Ok(b) => {
                        if let Err(e) = inner.client.upload_data(now, upload, offset, &b) {
                            tracing::warn!(%upload, error = %e, "upload data refused");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(%upload, error = %e, "cannot read the file to upload");
                        inner.files.uploads.remove(&upload);
                        let _ = inner.client.cancel_upload(upload);
                    }
                }
            }
            pump(&shared);
        });
    }

    fn arm_timer(&mut self, me: &Weak<RefCell<Inner>>) {
        if self.done {
            self.timer = None;
            return;
        }
        let next = match (self.client.poll_timeout(), self.tracker.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let Some(at) = next else {
            self.timer = None;
            return;
        };
        if matches!(&self.timer, Some((armed, _)) if *armed == at) {
            return;
        }
        let me = me.clone();
        let timeout = Timeout::new(clock::delay_until(at), move || {
            let Some(shared) = me.upgrade() else { return };
            {
                let mut inner = shared.borrow_mut();
                inner.timer = None;
                let now = clock::now();
                let Inner {
                    client, tracker, ..
                } = &mut *inner;
                client.handle_timeout(now);
                tracker.handle_timeout(client, now);
            }
            pump(&shared);
        });
        self.timer = Some((at, timeout));
    }
}

/// Drains the session and delivers what it produced, in order. Safe to call from a
/// listener (a nested call only drains; the outer one delivers).
pub(crate) fn pump(shared: &Shared) {
    let me = Rc::downgrade(shared);
    {
        let mut inner = shared.borrow_mut();
        inner.drain(&me);
        if inner.delivering {
            return;
        }
        inner.delivering = true;
    }
    loop {
        // Taken under the borrow, delivered without it.
        let step = {
            let mut inner = shared.borrow_mut();
            match inner.queue.pop_front() {
                Some(Deliver::Event(json)) => Step::Event(inner.listeners.clone(), json),
                Some(Deliver::Answer(ticket, result)) => {
                    Step::Answer(inner.waiting.remove(&ticket), result)
                }
                None => {
                    inner.delivering = false;
                    break;
                }
            }
        };
        match step {
            Step::Event(listeners, json) => {
                let event = parse(&json);
                for l in listeners {
                    if let Err(e) = l.call1(&JsValue::UNDEFINED, &event) {
                        crate::console::error("webwx: an onEvent listener threw", &e);
                    }
                }
            }
            Step::Answer(Some(w), Ok(json)) => {
                let _ = w.resolve.call1(&JsValue::UNDEFINED, &parse(&json));
            }
            Step::Answer(Some(w), Err(info)) => {
                let _ = w
                    .reject
                    .call1(&JsValue::UNDEFINED, &crate::error::to_js(&info));
            }
            Step::Answer(None, _) => {}
        }
        // What a listener did (a command, say) is drained before the next delivery.
        shared.borrow_mut().drain(&me);
    }
}

/// One delivery.
enum Step {
    Event(Vec<Function>, String),
    Answer(Option<Waiting>, Result<String, ErrorInfo>),
}

/// `JSON.parse` of JSON the core wrote.
fn parse(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|_| JsValue::from_str(json))
}
