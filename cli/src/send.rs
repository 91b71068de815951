//! `webwx send`: one message from a saved session.
//!
//! `--file` uploads in 512 KiB chunks with a progress bar on stderr (hidden when stderr is
//! not a terminal); images and videos go as such, anything else as a file.
//!
//! The session is resumed for commands only ([`Client::resume_for_commands`]): contacts
//! are loaded to resolve `--to`, synccheck and webwxsync are never called and the SyncKey
//! never moves — a `webwx login` running on the same session file owns the sync loop.
//! The send waits for its slot in the send queue (the pacing state comes with the saved
//! session, so the sends of other processes count). When done, the session is saved under
//! the session file's lock, merged field by field with the file as it is *then*
//! ([`crate::session_file::Shared`]): a running `login`'s newer keys are kept, and this send's
//! pacing, ClientMsgId (for `webwx revoke`) and cookies are added.
//!
//! Exit codes: 0 sent, 1 send failed, 2 bad usage.

use std::time::{Duration, Instant};

use webwx_core::Event;
use webwx_core::client::CommandEvent;
use webwx_ureq::prelude::*;
use webwx_ureq::{Handle, RecvError};

use crate::args::SendArgs;
use crate::progress::Progress;
use crate::resume::{FAILED, Resumed, Saved, USAGE};

/// Exit code: sent.
const SENT: i32 = 0;

/// Runs `webwx send`; returns the exit code.
pub fn run(args: &SendArgs) -> i32 {
    let saved = Saved {
        name: "send",
        args: &args.saved,
    };
    let state = match saved.load() {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(text) = &args.text
        && text.is_empty()
    {
        saved.err("--text is empty");
        return USAGE;
    }
    let file_size = match &args.file {
        Some(path) => match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Some(m.len()),
            Ok(_) => {
                saved.err(&format!("--file {}: not a regular file", path.display()));
                return USAGE;
            }
            Err(e) => {
                saved.err(&format!("--file {}: {e}", path.display()));
                return USAGE;
            }
        },
        None => None,
    };
    let Resumed {
        handle,
        events,
        mut shared,
    } = match saved.start(state) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut job = Job {
        args,
        file_size,
        local_id: None,
        bar: None,
        outcome: None,
    };
    let deadline = Instant::now() + Duration::from_secs(args.saved.timeout.max(1));
    loop {
        match events.recv_deadline(deadline) {
            Ok(event) => {
                job.on_event(&handle, &event);
                if job.outcome.is_some() {
                    handle.shutdown();
                }
            }
            Err(RecvError::Ended) => break,
            Err(_) => {
                crate::terminal::err(&format!(
                    "webwx send: no answer within --timeout {}s",
                    args.saved.timeout
                ));
                job.outcome.get_or_insert(FAILED);
                handle.shutdown();
                break;
            }
        }
    }
    if let Err(e) = shared.save(&handle.snapshot()) {
        crate::terminal::err(&format!("webwx send: cannot save the session: {e}"));
    }
    job.outcome.unwrap_or(FAILED)
}

/// One send.
struct Job<'a> {
    args: &'a SendArgs,
    /// The size of `--file`.
    file_size: Option<u64>,
    /// The upload's progress bar.
    bar: Option<Progress>,
    /// The LocalID of our send, once issued.
    local_id: Option<String>,
    /// The exit code, once known.
    outcome: Option<i32>,
}

impl Job<'_> {
    fn on_event(&mut self, handle: &Handle, event: &Event) {
        match event {
            Event::Ready => self.start(handle),
            Event::Command(CommandEvent::UploadProgress { local_id, sent, .. })
                if Some(local_id.as_str()) == self.local_id.as_deref() =>
            {
                if let Some(bar) = &self.bar {
                    bar.set(*sent);
                }
            }
            Event::Command(CommandEvent::Sent { local_id, msg_id })
                if Some(local_id.as_str()) == self.local_id.as_deref() =>
            {
                self.report(true, Some(msg_id), None);
                self.outcome = Some(SENT);
            }
            Event::Command(CommandEvent::SendFailed { local_id, error })
                if Some(local_id.as_str()) == self.local_id.as_deref() =>
            {
                self.report(false, None, Some(&error.to_string()));
                self.outcome = Some(FAILED);
            }
            // The saved session is dead. The core would go on to a push or QR login
            // (which a one-shot send must not do): stop here instead.
            Event::ResumeFailed { ret } => {
                self.report(
                    false,
                    None,
                    Some(&format!(
                        "the saved session is no longer valid ({ret}); log in again with `webwx login --session {}`",
                        self.args.saved.session.display()
                    )),
                );
                self.outcome = Some(FAILED);
            }
            Event::QrCode { .. } | Event::PushLoginSent if self.outcome.is_none() => {
                self.report(false, None, Some("the saved session is no longer valid"));
                self.outcome = Some(FAILED);
            }
            Event::LoggedOut { reason } if self.outcome.is_none() => {
                self.report(false, None, Some(&format!("the session ended: {reason}")));
                self.outcome = Some(FAILED);
            }
            _ => {}
        }
    }

    /// Contacts are loaded: resolve `--to` and send.
    fn start(&mut self, handle: &Handle) {
        let to = self.args.to.clone();
        let issued: Result<String, String> = match (&self.args.text, &self.args.file) {
            (Some(text), _) => handle
                .with(|c, now| c.send_text(now, &to, text))
                .map(|id| id.as_str().to_owned())
                .map_err(|e| e.to_string()),
            (None, Some(path)) => handle
                .send_path(&to, path)
                .map(|h| {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    self.bar = Some(Progress::new(
                        self.file_size.unwrap_or_default(),
                        &format!("uploading {name}"),
                    ));
                    h.local_id.as_str().to_owned()
                })
                .map_err(|e| e.to_string()),
            (None, None) => Err("nothing to send".into()),
        };
        match issued {
            Ok(id) => {
                tracing::debug!(local_id = %id, "send issued");
                self.local_id = Some(id);
            }
            Err(e) => {
                self.report(false, None, Some(&e));
                self.outcome = Some(FAILED);
            }
        }
    }

    /// The outcome on stdout (human or `--json`), errors also on stderr.
    fn report(&mut self, sent: bool, msg_id: Option<&str>, error: Option<&str>) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
        if self.args.json {
            let v = serde_json::json!({
                "sent": sent,
                "to": self.args.to,
                "local_id": self.local_id,
                "msg_id": msg_id,
                "error": error,
            });
            crate::terminal::out_raw(&v.to_string());
        } else if sent {
            crate::terminal::out(&format!(
                "sent to {} (MsgID {})",
                self.args.to,
                msg_id.unwrap_or_default()
            ));
        }
        if let Some(e) = error {
            crate::terminal::err(&format!("webwx send: to {}: {e}", self.args.to));
        }
    }
}
