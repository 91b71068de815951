//! A virtual-time driver of a `Client` against the simulator's own logic
//! (`webwx_sim::VirtualSim`: the server's endpoint handlers, faults and state, with no
//! socket and no clock). No real waiting: time moves only when nothing else can happen,
//! to the next client timer, held long-poll deadline or phone step of the simulator.
#![allow(dead_code)]

use std::time::Duration;
use webwx_core::client::commands::{CommandEvent, UploadId};
use webwx_core::{Client, Event, Monotonic, Now, Output, RequestId, TransportErrorKind};
use webwx_sim::{Answer, InjectMessage, SimConfig, SimTime, VirtualSim};

/// 2018-12-30 23:08:18.739 UTC, the time of the captures.
pub const START: Now = Now::from_millis(1_546_211_298_739);

/// The simulator's setup for these tests: small accounts (5 friends and official
/// accounts, 5 groups: webwxinit lists 3 of them with members), a 25 s hold (the client's long-poll timeout is 35 s) and the phone
/// scanning and confirming each QR code after 300 ms.
pub fn sim_config() -> SimConfig {
    SimConfig {
        seed: 7,
        contacts: 5,
        groups: 5,
        auto_scan: true,
        ..SimConfig::default()
    }
}

/// A request the client sent that has no answer yet.
struct Held {
    id: RequestId,
    request: http::Request<Vec<u8>>,
    /// The end of the simulator's hold (`None`: it never answers, a `hang` fault).
    server_until: Option<Duration>,
    /// The client's timeout of the request.
    client_deadline: Monotonic,
}

/// A `Client` and a `VirtualSim` in one virtual time.
pub struct Harness {
    pub client: Client,
    pub sim: VirtualSim,
    pub now: Now,
    pub events: Vec<Event>,
    /// Every request that reached the server: (host, last path segment).
    pub seen: Vec<(String, String)>,
    pub requests: Vec<http::Request<Vec<u8>>>,
    /// Every answer the client got: (last path segment, answer).
    pub responses: Vec<(String, http::Response<Vec<u8>>)>,
    held: Vec<Held>,
    /// The bytes of files being sent: each `UploadNeedsData` is answered from here.
    pub files: Vec<(UploadId, Vec<u8>)>,
    pub done: bool,
}

fn endpoint_of(req: &http::Request<Vec<u8>>) -> String {
    req.uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn sim_time(now: Now) -> SimTime {
    SimTime {
        unix: now.wall.as_secs(),
        mono: Duration::from_millis(now.mono.as_millis()),
    }
}

fn mono(d: Duration) -> Monotonic {
    Monotonic::from_millis(d.as_millis() as u64)
}

impl Harness {
    pub fn new(client: Client, sim: VirtualSim) -> Harness {
        let mut h = Harness {
            client,
            sim,
            now: START,
            events: Vec::new(),
            seen: Vec::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            held: Vec::new(),
            files: Vec::new(),
            done: false,
        };
        h.sim.advance(sim_time(h.now));
        h
    }

    /// A harness at `START` on a new simulator set up by `cfg`.
    pub fn with(client: Client, cfg: SimConfig) -> Harness {
        Harness::new(client, VirtualSim::new(cfg))
    }

    /// The same, at `now` (a harness that takes over a simulator from another).
    pub fn at(mut self, now: Now) -> Harness {
        self.now = now;
        self.sim.advance(sim_time(now));
        self
    }

    /// Runs until `stop` is true for the events so far, or until nothing can happen
    /// without moving virtual time past `max_virtual` from now.
    pub fn run_until(&mut self, max_virtual: Duration, mut stop: impl FnMut(&[Event]) -> bool) {
        let deadline = self.now.mono.plus(max_virtual);
        for _ in 0..200_000 {
            if stop(&self.events) || self.done {
                return;
            }
            match self.client.poll_output() {
                Output::Transmit(t) => {
                    let timeout_at = self.now.mono.plus(t.timeout);
                    self.seen.push((
                        t.request.uri().host().unwrap_or_default().to_owned(),
                        endpoint_of(&t.request),
                    ));
                    self.requests.push(t.request.clone());
                    let answer = self.sim.handle(&t.request);
                    self.deliver(t.id, t.request, timeout_at, answer);
                }
                Output::Event(e) => {
                    self.feed_upload(&e);
                    self.events.push(e);
                }
                Output::Timeout(_) | Output::Idle if self.offer_held() => {}
                Output::Timeout(at) => {
                    let next = self.next_wakeup().map_or(at, |w| w.min(at));
                    if next > deadline {
                        return;
                    }
                    self.move_to(next);
                    self.client.handle_timeout(self.now);
                }
                Output::Idle => match self.next_wakeup() {
                    Some(w) if w <= deadline => self.move_to(w),
                    _ => return,
                },
                Output::Done => {
                    self.done = true;
                    return;
                }
                _ => {}
            }
        }
        panic!("harness: no progress limit reached");
    }

    /// Runs until an event matching `pred` appears (or nothing more happens within an hour).
    pub fn run_until_event(&mut self, pred: impl Fn(&Event) -> bool) {
        let start = self.events.len();
        self.run_until(Duration::from_secs(3600), |ev| {
            ev[start..].iter().any(&pred)
        });
    }

    /// Runs until only held long-polls are left, without moving time.
    pub fn settle(&mut self) {
        self.run_until(Duration::ZERO, |_| false);
    }

    fn deliver(
        &mut self,
        id: RequestId,
        request: http::Request<Vec<u8>>,
        client_deadline: Monotonic,
        answer: Answer,
    ) {
        match answer {
            Answer::Response(resp) => {
                self.responses.push((endpoint_of(&request), resp.clone()));
                self.client.handle_response(self.now, id, resp);
            }
            Answer::Held { until } => self.held.push(Held {
                id,
                request,
                server_until: Some(until),
                client_deadline,
            }),
            Answer::Hang => self.held.push(Held {
                id,
                request,
                server_until: None,
                client_deadline,
            }),
            Answer::Reset | Answer::Truncated(_) => {
                self.client
                    .handle_transport_error(self.now, id, TransportErrorKind::Reset)
            }
            other => panic!("harness: unknown answer {other:?}"),
        }
    }

    /// Answers an `UploadNeedsData` from `files`.
    fn feed_upload(&mut self, e: &Event) {
        if let Event::Command(CommandEvent::UploadNeedsData {
            upload,
            offset,
            len,
            ..
        }) = e
        {
            let data = &self
                .files
                .iter()
                .find(|(u, _)| u == upload)
                .expect("the bytes of the upload")
                .1;
            let slice = &data[*offset as usize..(*offset + *len) as usize];
            let now = self.now;
            self.client
                .upload_data(now, *upload, *offset, slice)
                .expect("the data is taken");
        }
    }

    /// Offers the held long-polls to the simulator again; true if one was answered.
    fn offer_held(&mut self) -> bool {
        for i in 0..self.held.len() {
            let Some(until) = self.held[i].server_until else {
                continue;
            };
            let answer = self.sim.poll_held(&self.held[i].request, until);
            if let Answer::Held { .. } = answer {
                continue;
            }
            let h = self.held.remove(i);
            self.deliver(h.id, h.request, h.client_deadline, answer);
            return true;
        }
        false
    }

    /// The earliest time something happens without the client: a held request's timeout
    /// or end of hold, or a phone step of the simulator.
    fn next_wakeup(&self) -> Option<Monotonic> {
        let held = self.held.iter().flat_map(|h| {
            [Some(h.client_deadline), h.server_until.map(mono)]
                .into_iter()
                .flatten()
        });
        held.chain(self.sim.next_wakeup().map(mono)).min()
    }

    /// Moves virtual time to `at` (never back), hands it to the simulator, and times out
    /// the held requests whose client deadline has passed.
    fn move_to(&mut self, at: Monotonic) {
        self.now = self.now.at_mono(at.max(self.now.mono));
        self.sim.advance(sim_time(self.now));
        let now = self.now;
        let (expired, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| h.client_deadline <= now.mono);
        self.held = keep;
        for h in expired {
            self.client
                .handle_transport_error(now, h.id, TransportErrorKind::Timeout);
        }
    }

    /// Delivers a text from `from` (a UserName of a contact) to the logged-in account.
    pub fn push_text(&mut self, from: &str, text: &str) {
        self.sim.advance(sim_time(self.now));
        self.sim
            .inject_message(InjectMessage {
                from: from.to_owned(),
                content: text.to_owned(),
                ..InjectMessage::default()
            })
            .expect("the simulator delivers");
    }

    /// The answer the client got last from `endpoint`.
    pub fn last_response(&self, endpoint: &str) -> &http::Response<Vec<u8>> {
        &self
            .responses
            .iter()
            .rev()
            .find(|(e, _)| e == endpoint)
            .unwrap_or_else(|| panic!("no answer from {endpoint}"))
            .1
    }

    /// The value of the cookie `name` set by the last answer of `endpoint`.
    pub fn cookie_set_by(&self, endpoint: &str, name: &str) -> String {
        self.last_response(endpoint)
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                let (k, v) = c.split(';').next()?.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("{endpoint} set no {name} cookie"))
    }

    pub fn count(&self, pred: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|e| pred(e)).count()
    }

    /// The endpoints of the requests since the `from`-th, in order.
    pub fn calls_since(&self, from: usize) -> Vec<&str> {
        self.seen[from..].iter().map(|(_, e)| e.as_str()).collect()
    }

    /// The login-related events so far, by short name, in order.
    pub fn login_steps(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::QrCode { .. } => Some("qr"),
                Event::Scanned { .. } => Some("scanned"),
                Event::QrCancelled => Some("cancelled"),
                Event::ResumeFailed { .. } => Some("resume_failed"),
                Event::PushLoginSent => Some("push"),
                Event::LoggedIn { .. } => Some("in"),
                Event::LoggedOut { .. } => Some("logged_out"),
                _ => None,
            })
            .collect()
    }

    pub fn texts(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => match &m.kind {
                    webwx_core::message::MessageKind::Text { text } => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}
