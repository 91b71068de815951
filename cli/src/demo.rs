//! `webwx demo`: a whole session against an embedded simulator, printed as a transcript.
//!
//! The simulator runs in-process ([`webwx_sim::spawn`], auto-scan, short long-poll holds);
//! the client is the real one — [`webwx_core::Client`] over the blocking `webwx-ureq`
//! driver — with its traffic sent to the simulator in the relay form
//! ([`Config::origin`]), so every host of the real service is exercised. The simulator's
//! control API plays the phone and the other people. Every line of the transcript is
//! printed from an event that really happened.

use std::io::Write;
use std::time::{Duration, Instant};

use webwx_core::client::CommandEvent;
use webwx_core::message::{Message, MessageKind};
use webwx_core::{Client, Config, Event};
use webwx_sim::{ContactInfo, InjectMessage, SimConfig};
use webwx_ureq::{Handle, RecvError};

use crate::args::DemoArgs;
use crate::print;
use crate::qr;

/// The whole demo must finish within this.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `webwx demo`; returns the exit code.
pub fn run(args: &DemoArgs) -> i32 {
    match Demo::new(args).run(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("webwx demo: {e}");
            1
        }
    }
}

/// Where the script is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Logging in.
    Login,
    /// Messages injected; waiting for them and for the replies to be sent.
    Chatting,
    /// Logout requested.
    LoggingOut,
    /// Logged out.
    Done,
}

/// The people the simulator plays.
struct Cast {
    friend: ContactInfo,
    group: ContactInfo,
    member: String,
}

struct Demo {
    started: Instant,
    stage: Stage,
    cast: Option<Cast>,
    /// Incoming messages the script waits for (friend text, group mention).
    awaited: usize,
    /// Replies sent and not yet confirmed.
    replies_pending: usize,
    replies_sent: usize,
    /// Where to save the session (`--session`).
    session: Option<std::path::PathBuf>,
}

impl Demo {
    fn new(args: &DemoArgs) -> Demo {
        Demo {
            started: Instant::now(),
            stage: Stage::Login,
            cast: None,
            awaited: 0,
            replies_pending: 0,
            replies_sent: 0,
            session: args.session.clone(),
        }
    }

    /// One transcript line: elapsed time, who, what.
    fn say(&self, who: &str, what: &str) {
        let t = self.started.elapsed().as_secs_f64();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "[{t:5.2}s] {who:<9} {what}");
        let _ = out.flush();
    }

    fn run(mut self, args: &DemoArgs) -> Result<(), String> {
        println!("webwx demo — a whole WeChat Web session against the embedded simulator");
        println!();
        let sim = webwx_sim::spawn(SimConfig {
            auto_scan: true,
            hold_ms: 500,
            scan_delay_ms: 150,
            seed: args.seed,
            contacts: 12,
            groups: 3,
            ..SimConfig::default()
        })
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
        let control = sim.control();
        self.say(
            "simulator",
            &format!(
                "listening on {} (it plays the server and the phone)",
                sim.base_url()
            ),
        );

        let cfg = Config::new(args.seed)
            .origin(&sim.base_url())
            .map_err(|e| format!("origin: {e}"))?
            .long_poll_timeout(Duration::from_secs(5))
            .request_timeout(Duration::from_secs(10));
        let (handle, events) = webwx_ureq::start(Client::new(cfg), webwx_ureq::Options::default())
            .map_err(|e| format!("cannot start the client: {e}"))?;
        self.say(
            "client",
            "webwx-core over webwx-ureq, every request sent to the simulator in the relay form",
        );
        handle.login();

        let deadline = self.started + DEADLINE;
        loop {
            let event = match events.recv_deadline(deadline) {
                Ok(e) => e,
                Err(RecvError::Ended) => break,
                Err(_) => {
                    handle.shutdown();
                    return Err(format!(
                        "no progress within {}s (stage {:?})",
                        DEADLINE.as_secs(),
                        self.stage
                    ));
                }
            };
            self.on_event(&handle, &control, event)?;
        }
        if self.stage != Stage::Done {
            return Err(format!("the session ended early (stage {:?})", self.stage));
        }
        let sent = control.sent();
        self.say(
            "simulator",
            &format!("recorded {} message(s) sent by the client:", sent.len()),
        );
        for s in &sent {
            self.say(
                "",
                &format!(
                    "  type {} via {} — {}",
                    s.msg_type,
                    s.endpoint,
                    one_line(&s.content)
                ),
            );
        }
        sim.shutdown();
        println!();
        println!(
            "demo finished in {:.1}s: QR login, contacts, messages in, replies out, logout.",
            self.started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    fn on_event(
        &mut self,
        handle: &Handle,
        control: &webwx_sim::Control,
        event: Event,
    ) -> Result<(), String> {
        match &event {
            Event::QrCode { url, .. } => {
                self.say("client", &format!("QR code to scan: {url}"));
                match qr::terminal(url) {
                    Ok(art) => println!("{art}"),
                    Err(e) => self.say("client", &format!("(cannot draw the QR code: {e})")),
                }
                self.say("phone", "scans the code (the simulator's auto-scan)");
            }
            Event::Scanned { .. } => self.say("client", "scanned; waiting for the confirmation"),
            Event::LoggedIn { .. } | Event::ContactsLoaded(_) => {
                let line = handle.inspect(|c| print::event_line(c, &event));
                self.say("client", &line.unwrap_or_default());
            }
            Event::Ready => {
                self.say("client", "ready: the synccheck/webwxsync loop runs");
                self.start_chat(handle, control)?;
            }
            Event::Message(m) => self.on_message(handle, m)?,
            Event::Command(CommandEvent::Sent { msg_id, .. }) => {
                self.replies_pending = self.replies_pending.saturating_sub(1);
                self.replies_sent += 1;
                self.say(
                    "client",
                    &format!("reply delivered (server MsgID {msg_id})"),
                );
                self.maybe_finish(handle);
            }
            Event::Command(CommandEvent::SendFailed { error, .. }) => {
                return Err(format!("a reply could not be sent: {error}"));
            }
            Event::SessionChanged => {
                if let (Some(path), Stage::Login | Stage::Chatting) = (&self.session, self.stage) {
                    crate::session_file::save(path, &handle.snapshot())
                        .map_err(|e| format!("cannot save the session: {e}"))?;
                }
            }
            Event::LoggedOut { reason } => {
                self.say("client", &format!("logged out: {reason}"));
                if self.stage != Stage::LoggingOut {
                    return Err(format!("the session ended unexpectedly: {reason}"));
                }
                self.stage = Stage::Done;
            }
            _ => {}
        }
        Ok(())
    }

    /// Picks a friend and a group and has them write.
    fn start_chat(&mut self, handle: &Handle, control: &webwx_sim::Control) -> Result<(), String> {
        let contacts = control
            .contacts(None)
            .map_err(|e| format!("simulator contacts: {e}"))?;
        let friend = contacts
            .iter()
            .find(|c| c.kind == "friend")
            .cloned()
            .ok_or("the simulated account has no friend")?;
        let group = contacts
            .iter()
            .find(|c| c.kind == "group" && c.members.as_ref().is_some_and(|m| m.len() > 1))
            .cloned()
            .ok_or("the simulated account has no group")?;
        let me = handle.inspect(|c| c.contacts().me().to_owned());
        let member = group
            .members
            .iter()
            .flatten()
            .find(|m| m.user_name != me)
            .map(|m| m.nick_name.clone())
            .ok_or("the group has no other member")?;
        self.say("simulator", &format!("{} writes to you", friend.nick_name));
        control
            .inject_message(InjectMessage {
                from: friend.user_name.clone(),
                content: "Hi! Are we still on for lunch? 🍜".into(),
                ..InjectMessage::default()
            })
            .map_err(|e| format!("inject: {e}"))?;
        self.say(
            "simulator",
            &format!("{member} mentions you in the group {}", group.nick_name),
        );
        control
            .inject_message(InjectMessage {
                from: member.clone(),
                group: Some(group.user_name.clone()),
                mentions: vec!["me".into()],
                content: "can you review the slides & send them back?".into(),
                ..InjectMessage::default()
            })
            .map_err(|e| format!("inject: {e}"))?;
        self.awaited = 2;
        self.cast = Some(Cast {
            friend,
            group,
            member,
        });
        self.stage = Stage::Chatting;
        Ok(())
    }

    fn on_message(&mut self, handle: &Handle, m: &Message) -> Result<(), String> {
        if m.outgoing {
            // Our own sends, as the server hands them back: nothing new to show.
            return Ok(());
        }
        let line = handle.inspect(|c| print::message_line(c, m));
        self.say("client", &line);
        let Some(cast) = &self.cast else {
            return Ok(());
        };
        let MessageKind::Text { text } = &m.kind else {
            return Ok(());
        };
        if m.chat == cast.friend.user_name {
            let reply = format!("Yes! See you at noon. (you said: {text})");
            self.say("client", &format!("replies to {}", cast.friend.nick_name));
            handle
                .with(|c, now| c.send_text(now, &m.chat, &reply))
                .map_err(|e| format!("send_text: {e}"))?;
        } else if m.chat == cast.group.user_name && m.mentioned_me {
            let sender = m.sender.clone();
            let member = cast.member.clone();
            let reply = format!("@{member}\u{2005}sure, on it");
            self.say(
                "client",
                &format!("replies in the group, mentioning {member}"),
            );
            handle
                .with(|c, now| c.send_text_mentioning(now, &m.chat, &reply, &[sender.as_str()]))
                .map_err(|e| format!("send_text_mentioning: {e}"))?;
        } else {
            return Ok(());
        }
        self.awaited = self.awaited.saturating_sub(1);
        self.replies_pending += 1;
        Ok(())
    }

    /// Logs out once both messages arrived and both replies were delivered.
    fn maybe_finish(&mut self, handle: &Handle) {
        if self.stage == Stage::Chatting && self.awaited == 0 && self.replies_pending == 0 {
            self.say(
                "client",
                &format!("{} replies delivered; logging out", self.replies_sent),
            );
            self.stage = Stage::LoggingOut;
            handle.logout();
        }
    }
}

/// The first line of `s`, at most 100 characters.
fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    let mut out: String = line.chars().take(100).collect();
    if line.chars().count() > 100 || s.lines().count() > 1 {
        out.push('…');
    }
    out
}
