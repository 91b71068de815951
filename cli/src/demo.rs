//! `webwx demo`: a whole session against an embedded simulator, printed as a transcript.
//!
//! The simulator runs in-process ([`webwx_sim::spawn`], auto-scan, short long-poll holds);
//! the client is the real one — [`webwx_core::Client`] over the blocking `webwx-ureq`
//! driver — with its traffic sent to the simulator in the relay form
//! ([`Config::origin`]), so every host of the real service is exercised. The simulator's
//! control API plays the phone and the other people. Every line of the transcript is
//! printed from an event that really happened.
//!
//! The script: QR login → contacts → a friend writes and a group member mentions me →
//! both get a reply → an image and a file are sent (chunked upload, progress bar) → the
//! friend sends a photo, which is downloaded and written to disk → logout.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use webwx_core::client::CommandEvent;
use webwx_core::media::Download;
use webwx_core::message::{Message, MessageKind};
use webwx_core::{Client, Config, Event};
use webwx_sim::{ContactInfo, InjectMessage, SimConfig};
use webwx_ureq::prelude::*;
use webwx_ureq::{Handle, RecvError};

use crate::args::DemoArgs;
use crate::progress::Progress;
use crate::{print, qr};

/// The whole demo must finish within this.
const DEADLINE: Duration = Duration::from_secs(60);

/// Size of the file the demo sends: three 512 KiB upload chunks.
const FILE_SIZE: usize = 1_200_000;

/// Runs `webwx demo`; returns the exit code.
pub fn run(args: &DemoArgs) -> i32 {
    match Demo::new(args).run(args) {
        Ok(()) => 0,
        Err(e) => {
            crate::terminal::err(&format!("webwx demo: {e}"));
            1
        }
    }
}

/// Where the script is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Logging in.
    Login,
    /// Messages injected; waiting for them and for the replies to be delivered.
    Chatting,
    /// Sending an image, then a file.
    Media,
    /// The friend sent a photo; downloading it.
    Download,
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

/// A send in flight.
struct Pending {
    /// What it is, for the transcript.
    what: String,
    /// Its progress bar, for uploads.
    bar: Option<Progress>,
    /// Upload chunks acknowledged.
    chunks: u32,
}

struct Demo {
    started: Instant,
    stage: Stage,
    cast: Option<Cast>,
    /// Incoming messages the chat stage waits for (friend text, group mention).
    awaited: usize,
    /// Sends in flight, by LocalID.
    sends: HashMap<String, Pending>,
    /// Messages delivered by the client.
    delivered: usize,
    /// Media sends to do, in order.
    media_queue: Vec<(String, Vec<u8>)>,
    /// The photo the friend sends (to compare with the download).
    photo: Vec<u8>,
    /// md5 (hex) of each media file sent, by file name.
    sent_md5: HashMap<String, String>,
    /// Where downloads go.
    out_dir: Option<PathBuf>,
    /// Where to save the session (`--session`).
    session: Option<PathBuf>,
}

impl Demo {
    fn new(args: &DemoArgs) -> Demo {
        Demo {
            started: Instant::now(),
            stage: Stage::Login,
            cast: None,
            awaited: 0,
            sends: HashMap::new(),
            delivered: 0,
            media_queue: Vec::new(),
            photo: Vec::new(),
            sent_md5: HashMap::new(),
            out_dir: args.out.clone(),
            session: args.session.clone(),
        }
    }

    /// One transcript line: elapsed time, who, what (with any progress bar out of the way).
    fn say(&self, who: &str, what: &str) {
        let t = self.started.elapsed().as_secs_f64();
        let print = || crate::terminal::out(&format!("[{t:5.2}s] {who:<9} {what}"));
        match self.sends.values().find_map(|p| p.bar.as_ref()) {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    fn run(mut self, args: &DemoArgs) -> Result<(), String> {
        crate::terminal::out_multiline(
            "webwx demo — a whole WeChat Web session against the embedded simulator\n",
        );
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
        handle.login().map_err(|e| format!("cannot log in: {e}"))?;

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
            if let Err(e) = self.on_event(&handle, &control, event) {
                handle.shutdown();
                return Err(e);
            }
        }
        if self.stage != Stage::Done {
            return Err(format!("the session ended early (stage {:?})", self.stage));
        }
        let sent = control.sent();
        self.say(
            "simulator",
            &format!("recorded {} message(s) sent by the client:", sent.len()),
        );
        let mut mismatch = false;
        for s in &sent {
            let media = match (&s.file_name, &s.media_md5) {
                (Some(name), Some(md5)) => {
                    let check = match self.sent_md5.get(name) {
                        Some(ours) if ours == md5 => "the bytes sent",
                        _ => {
                            mismatch = true;
                            "NOT the bytes sent"
                        }
                    };
                    format!(" [{name}, md5 {md5} = {check}]")
                }
                _ => String::new(),
            };
            self.say(
                "",
                &format!(
                    "  type {} via {}{}{media}",
                    s.msg_type,
                    s.endpoint,
                    if s.content.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", one_line(&s.content))
                    }
                ),
            );
        }
        sim.shutdown();
        if mismatch {
            return Err("the simulator received other bytes than the client sent".into());
        }
        crate::terminal::out_multiline(&format!(
            "\ndemo finished in {:.1}s: QR login, contacts, messages in, replies out, an image and a file uploaded, a photo downloaded, logout.",
            self.started.elapsed().as_secs_f64()
        ));
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
                    Ok(art) => crate::terminal::out_raw(&art),
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
            Event::Command(c) => self.on_command(handle, control, c)?,
            Event::SessionChanged => {
                if let (Some(path), Stage::Login | Stage::Chatting | Stage::Media) =
                    (&self.session, self.stage)
                {
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
        match (&m.kind, self.stage) {
            (MessageKind::Text { text }, Stage::Chatting) if m.chat == cast.friend.user_name => {
                let reply = format!("Yes! See you at noon. (you said: {text})");
                self.say("client", &format!("replies to {}", cast.friend.nick_name));
                let id = handle
                    .with(|c, now| c.send_text(now, &m.chat, &reply))
                    .map_err(|e| format!("send_text: {e}"))?;
                self.track(id.as_str(), "reply", None);
                self.awaited = self.awaited.saturating_sub(1);
            }
            (MessageKind::Text { .. }, Stage::Chatting)
                if m.chat == cast.group.user_name && m.mentioned_me =>
            {
                let sender = m.sender.clone();
                let member = cast.member.clone();
                let reply = format!("@{member}\u{2005}sure, on it");
                self.say(
                    "client",
                    &format!("replies in the group, mentioning {member}"),
                );
                let id = handle
                    .with(|c, now| c.send_text_mentioning(now, &m.chat, &reply, &[sender.as_str()]))
                    .map_err(|e| format!("send_text_mentioning: {e}"))?;
                self.track(id.as_str(), "group reply", None);
                self.awaited = self.awaited.saturating_sub(1);
            }
            (MessageKind::Image { .. }, Stage::Download) if m.chat == cast.friend.user_name => {
                let what = Download::for_message(m).ok_or("no download for the photo")?;
                handle
                    .download(what)
                    .map_err(|e| format!("download: {e}"))?;
                self.say("client", "downloads the photo (webwxgetmsgimg)");
            }
            _ => {}
        }
        Ok(())
    }

    fn on_command(
        &mut self,
        handle: &Handle,
        control: &webwx_sim::Control,
        c: &CommandEvent,
    ) -> Result<(), String> {
        match c {
            CommandEvent::UploadProgress {
                local_id,
                sent,
                total,
                ..
            } => {
                if let Some(p) = self.sends.get_mut(local_id.as_str()) {
                    p.chunks += 1;
                    if let Some(bar) = &p.bar {
                        bar.set(*sent);
                    }
                    let line = format!(
                        "upload chunk {}: {} of {}",
                        p.chunks,
                        print::bytes(*sent),
                        print::bytes(*total)
                    );
                    self.say("client", &line);
                }
            }
            CommandEvent::Uploaded { local_id, .. } => {
                if let Some(p) = self.sends.get_mut(local_id.as_str())
                    && let Some(bar) = p.bar.take()
                {
                    bar.finish();
                }
                self.say("client", "upload complete; the send follows");
            }
            CommandEvent::Sent { local_id, msg_id } => {
                let what = self
                    .sends
                    .remove(local_id.as_str())
                    .map(|p| {
                        if let Some(bar) = p.bar {
                            bar.finish();
                        }
                        p.what
                    })
                    .unwrap_or_else(|| "message".into());
                self.delivered += 1;
                self.say(
                    "client",
                    &format!("{what} delivered (server MsgID {msg_id})"),
                );
                self.next_step(handle, control)?;
            }
            CommandEvent::SendFailed { local_id, error } => {
                let what = self
                    .sends
                    .remove(local_id.as_str())
                    .map(|p| p.what)
                    .unwrap_or_default();
                return Err(format!("the {what} could not be sent: {error}"));
            }
            CommandEvent::Downloaded { media, .. } => {
                let dir = self.out_dir()?;
                let path = crate::files::save_new(&dir, &media.file_name, &media.bytes)
                    .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
                let same = if media.bytes == self.photo {
                    "identical to what the friend sent"
                } else {
                    "DIFFERENT from what the friend sent"
                };
                self.say(
                    "client",
                    &format!(
                        "downloaded {} ({}, {same}) → {}",
                        print::bytes(media.bytes.len() as u64),
                        media.content_type,
                        path.display()
                    ),
                );
                if media.bytes != self.photo {
                    return Err("the downloaded photo differs from the one sent".into());
                }
                self.logout(handle);
            }
            CommandEvent::DownloadFailed { error, .. } => {
                return Err(format!("the photo could not be downloaded: {error}"));
            }
            _ => {}
        }
        Ok(())
    }

    /// After a delivery: the next media send, or the photo from the friend, or logout.
    fn next_step(&mut self, handle: &Handle, control: &webwx_sim::Control) -> Result<(), String> {
        if !self.sends.is_empty() {
            return Ok(());
        }
        if self.stage == Stage::Chatting && self.awaited == 0 {
            self.stage = Stage::Media;
            // The image: a PNG (this demo's own QR code); the file: three upload chunks.
            let image = qr::png("webwx demo: an image sent through the simulator")
                .map_err(|e| e.to_string())?;
            self.media_queue = vec![
                ("webwx-demo.png".to_owned(), image),
                ("webwx-demo-notes.txt".to_owned(), demo_file()),
            ];
            self.media_queue.reverse();
        }
        if self.stage == Stage::Media {
            if let Some((name, bytes)) = self.media_queue.pop() {
                return self.send_media(handle, &name, bytes);
            }
            return self.friend_sends_photo(control);
        }
        Ok(())
    }

    /// Sends `bytes` as `name` to the friend (an image or a file by its extension).
    fn send_media(&mut self, handle: &Handle, name: &str, bytes: Vec<u8>) -> Result<(), String> {
        let friend = self.cast.as_ref().ok_or("no cast")?.friend.clone();
        let kind = if name.ends_with(".png") {
            "image"
        } else {
            "file"
        };
        let size = bytes.len() as u64;
        self.sent_md5
            .insert(name.to_owned(), webwx_core::upload::md5_hex(&bytes));
        self.say(
            "client",
            &format!(
                "sends the {kind} {name} ({}) to {}",
                print::bytes(size),
                friend.nick_name
            ),
        );
        let h = handle
            .send_bytes(&friend.user_name, name, bytes)
            .map_err(|e| format!("send {name}: {e}"))?;
        self.track(
            h.local_id.as_str(),
            &format!("{kind} {name}"),
            Some(Progress::new(size, &format!("uploading {name}"))),
        );
        Ok(())
    }

    /// The friend sends a photo (the simulator's control API): the client downloads it.
    fn friend_sends_photo(&mut self, control: &webwx_sim::Control) -> Result<(), String> {
        let friend = self.cast.as_ref().ok_or("no cast")?.friend.clone();
        self.photo = qr::png("a photo from the simulator").map_err(|e| e.to_string())?;
        self.say(
            "simulator",
            &format!(
                "{} sends you a photo ({})",
                friend.nick_name,
                print::bytes(self.photo.len() as u64)
            ),
        );
        control
            .inject_message(InjectMessage {
                from: friend.user_name.clone(),
                msg_type: Some(3),
                media_b64: Some(base64::engine::general_purpose::STANDARD.encode(&self.photo)),
                file_name: Some("photo.png".into()),
                ..InjectMessage::default()
            })
            .map_err(|e| format!("inject: {e}"))?;
        self.stage = Stage::Download;
        Ok(())
    }

    fn logout(&mut self, handle: &Handle) {
        self.say(
            "client",
            &format!(
                "{} messages delivered, 1 photo downloaded; logging out",
                self.delivered
            ),
        );
        self.stage = Stage::LoggingOut;
        handle.logout();
    }

    fn track(&mut self, local_id: &str, what: &str, bar: Option<Progress>) {
        self.sends.insert(
            local_id.to_owned(),
            Pending {
                what: what.to_owned(),
                bar,
                chunks: 0,
            },
        );
    }

    /// `--out`, else a fresh directory under the system's temporary directory.
    fn out_dir(&mut self) -> Result<PathBuf, String> {
        let dir = match &self.out_dir {
            Some(d) => {
                std::fs::create_dir_all(d)
                    .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
                d.clone()
            }
            None => crate::files::fresh_dir(&std::env::temp_dir(), "webwx-demo")
                .map_err(|e| format!("cannot create a directory for the download: {e}"))?,
        };
        self.out_dir = Some(dir.clone());
        Ok(dir)
    }
}

/// The text file the demo sends: numbered lines, [`FILE_SIZE`] bytes.
fn demo_file() -> Vec<u8> {
    let mut out = Vec::with_capacity(FILE_SIZE + 64);
    let mut n = 0u32;
    while out.len() < FILE_SIZE {
        n += 1;
        out.extend_from_slice(
            format!("{n:06} webwx demo notes: uploaded in 512 KiB chunks, md5-checked by the simulator\n")
                .as_bytes(),
        );
    }
    out.truncate(FILE_SIZE);
    out
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
