//! `webwx login`: the real thing. Reuses a saved session when there is one (resume, then
//! push login, then a QR code), draws the QR code in the terminal and saves it as a PNG,
//! saves the session (0600, atomically) after every change, and prints every event on one
//! line — human form, or JSON with `--json`. `--echo` answers private texts.
//!
//! Stdout carries only the events (one per line); the QR drawing and notes go to stderr.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use webwx_core::client::CommandEvent;
use webwx_core::contacts::ContactKind;
use webwx_core::message::{Message, MessageKind};
use webwx_core::{Client, Event, LogoutReason, Ret};
use webwx_ureq::prelude::*;
use webwx_ureq::{Handle, RecvError};

use crate::args::LoginArgs;
use crate::config::{self, ClientFlags};
use crate::{print, qr, session_file};

/// Runs `webwx login`; returns the exit code (0 done, 1 failed, 2 bad usage).
pub fn run(args: &LoginArgs) -> i32 {
    let flags = ClientFlags {
        origin: args.origin.as_deref(),
        insecure_origin: args.insecure_origin,
        desktop: args.desktop,
        home: args.home.as_deref(),
        seed: args.seed,
        long_poll_ms: args.long_poll_ms,
        pacing: Some(&args.pacing),
        recent_messages: args.recent_messages,
        recent_bytes: args.recent_bytes,
    };
    let mut cfg = match config::build(&flags) {
        Ok(c) => c,
        Err(e) => {
            crate::terminal::err(&format!("webwx login: {e}"));
            return 2;
        }
    };
    let saved = match &args.session {
        Some(path) => match session_file::load(path) {
            Ok(s) => s,
            Err(e) => {
                crate::terminal::err(&format!("webwx login: cannot use the session file {e}"));
                return 2;
            }
        },
        None => None,
    };
    if let Some(dir) = &args.download
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        crate::terminal::err(&format!("webwx login: --download {}: {e}", dir.display()));
        return 2;
    }
    let mut shared = args
        .session
        .as_deref()
        .map(|p| session_file::Shared::new(p, saved.clone()));
    let client = match saved {
        Some(state) => {
            cfg.desktop |= state.desktop;
            let path = args.session.as_deref().unwrap_or_else(|| "".as_ref());
            let mut c = match config::restore(cfg, state) {
                Ok(c) => c,
                Err(e) => {
                    crate::terminal::err(&format!(
                        "webwx login: cannot use the session file {}: {e}",
                        path.display()
                    ));
                    return 2;
                }
            };
            note(&format!(
                "reusing the saved session {} (resume, else push login, else a QR code)",
                path.display()
            ));
            // A restored client is idle: nothing to refuse.
            let _ = c.connect(webwx_ureq::now());
            c
        }
        None => {
            let mut c = Client::new(cfg);
            let _ = c.login(webwx_ureq::now());
            c
        }
    };
    let (handle, events) = match webwx_ureq::start(client, webwx_ureq::Options::default()) {
        Ok(x) => x,
        Err(e) => {
            crate::terminal::err(&format!("webwx login: cannot start the client: {e}"));
            return 1;
        }
    };
    let commands = args
        .commands
        .then(|| crate::commands::Commands::start(handle.clone()));
    let stopped = stop_on_signal(&handle);
    let mut run = Run {
        args,
        messages: 0,
        finish_requested: false,
        finishing: false,
        exit: 0,
        logout_requested: commands.as_ref().map(|c| c.logout_requested.clone()),
        qr_png: args.qr_png.clone(),
        shared: shared.take(),
    };
    let mut deadline = args
        .timeout
        .map(|s| Instant::now() + Duration::from_secs(s));
    loop {
        let next = match deadline {
            Some(d) => events.recv_deadline(d),
            None => events.recv_timeout(Duration::from_secs(3600)),
        };
        match next {
            Ok(event) => run.on_event(&handle, &event),
            Err(RecvError::Ended) => break,
            Err(_) if deadline.is_none() => {}
            Err(_) if !run.finish_requested => {
                crate::terminal::err(&format!(
                    "webwx login: --timeout {}s reached",
                    args.timeout.unwrap_or_default()
                ));
                run.exit = 1;
                run.finish(&handle);
                // A logout gets a few seconds to complete.
                deadline = Some(Instant::now() + Duration::from_secs(5));
            }
            Err(_) => {
                handle.shutdown();
                break;
            }
        }
    }
    if let Some(c) = &commands {
        c.finish();
    }
    // Whatever the session looks like now (a shutdown keeps it valid for next time).
    if let Some(shared) = &mut run.shared
        && let Err(e) = shared.save(&handle.snapshot())
    {
        crate::terminal::err(&format!("webwx login: cannot save the session: {e}"));
        return 1;
    }
    if stopped.load(Ordering::SeqCst) {
        note("stopped by a signal; the session is saved");
        return EXIT_SIGNALLED;
    }
    run.exit
}

/// The exit code after SIGINT/SIGTERM: 128 + SIGINT, as shells report an interrupt.
const EXIT_SIGNALLED: i32 = 130;

/// On SIGINT, SIGTERM or SIGHUP, stops the session cleanly (shutdown: no logout, the
/// session stays valid) so that the loop ends and the session is saved; a second signal
/// exits at once (the session file was already saved after the last change). The flag
/// tells that it happened.
fn stop_on_signal(handle: &Handle) -> Arc<AtomicBool> {
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stopped);
    let handle = handle.clone();
    let installed = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(EXIT_SIGNALLED);
        }
        note("stopping: saving the session");
        handle.shutdown();
    });
    if let Err(e) = installed {
        crate::terminal::err(&format!(
            "webwx login: cannot handle SIGINT/SIGTERM ({e}); a kill may lose the last change"
        ));
    }
    stopped
}

/// The state of one `login` run.
struct Run<'a> {
    args: &'a LoginArgs,
    /// Incoming messages so far.
    messages: u64,
    /// An exit condition was met; waiting for pending commands.
    finish_requested: bool,
    /// Logout or shutdown requested.
    finishing: bool,
    exit: i32,
    /// `--commands`: set once a `logout` command was given.
    logout_requested: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Where the QR PNG goes (`--qr-png`, else a fresh private directory made for the
    /// first QR code and reused for its renewals).
    qr_png: Option<PathBuf>,
    /// `--session`: saved under its lock, merged with what one-shot commands wrote there.
    shared: Option<session_file::Shared>,
}

impl Run<'_> {
    fn on_event(&mut self, handle: &Handle, event: &Event) {
        self.print(handle, event);
        if let Some(dir) = &self.args.download {
            self.download(handle, dir, event);
        }
        match event {
            Event::QrCode { url, .. } => self.show_qr(url),
            Event::SessionChanged => {
                if let Some(shared) = &mut self.shared {
                    match shared.save(&handle.snapshot()) {
                        // What one-shot commands recorded meanwhile (their sends and
                        // pacing) counts here too.
                        Ok(Some(written)) => {
                            handle.with(|c, _| c.absorb_shared(&written));
                            tracing::debug!("session saved");
                        }
                        Ok(None) => {}
                        Err(e) => crate::terminal::err(&format!(
                            "webwx login: cannot save the session: {e}"
                        )),
                    }
                }
            }
            Event::Ready if self.args.exit_after_login => self.finish(handle),
            Event::Message(m) => {
                if self.args.echo {
                    self.echo(handle, m);
                }
                if !m.outgoing {
                    self.messages += 1;
                }
                if self.args.max_messages.is_some_and(|n| self.messages >= n) {
                    self.finish(handle);
                }
            }
            Event::Command(_) if self.finish_requested => self.finish(handle),
            Event::LoggedOut { reason } => {
                let asked = self.finishing
                    || self
                        .logout_requested
                        .as_ref()
                        .is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst));
                if !(asked && *reason == LogoutReason::Requested) && self.exit == 0 {
                    self.exit = 1;
                }
                if let LogoutReason::LoginRefused { ret, .. } = reason
                    && *ret == Ret::LOGIN_REFUSED
                    && !self.args.desktop
                {
                    note(
                        "web login is refused for this account (1203); try the desktop (UOS) variant: webwx login --desktop",
                    );
                }
            }
            _ => {}
        }
    }

    /// One line on stdout, flushed.
    fn print(&self, handle: &Handle, event: &Event) {
        let line = if self.args.json {
            print::event_json(event)
        } else {
            handle.inspect(|c| print::event_line(c, event))
        };
        match line {
            // JSON lines share stdout with the command answers (one lock per line).
            Some(line) if self.args.json => crate::commands::print_line(&line),
            Some(line) => crate::terminal::out(&line),
            None => {}
        }
    }

    /// Draws the QR code on stderr and writes its PNG.
    fn show_qr(&mut self, url: &str) {
        match qr::terminal(url) {
            Ok(art) => crate::terminal::err_raw(&art),
            Err(e) => crate::terminal::err(&format!("webwx login: cannot draw the QR code: {e}")),
        }
        let path = match &self.qr_png {
            Some(p) => p.clone(),
            None => match default_png_path(&std::env::temp_dir()) {
                Ok(p) => self.qr_png.insert(p).clone(),
                Err(e) => {
                    crate::terminal::err(&format!(
                        "webwx login: cannot create a directory for the QR code: {e}"
                    ));
                    return;
                }
            },
        };
        match qr::write_png(url, &path) {
            Ok(()) => note(&format!(
                "scan the QR code with WeChat on your phone (also saved as {})",
                path.display()
            )),
            Err(e) => crate::terminal::err(&format!(
                "webwx login: cannot write the QR code to {}: {e}",
                path.display()
            )),
        }
    }

    /// Answers a private text with the same text.
    fn echo(&self, handle: &Handle, m: &Message) {
        if m.outgoing || m.is_group {
            return;
        }
        let MessageKind::Text { text } = &m.kind else {
            return;
        };
        let chat = m.chat.clone();
        let text = text.clone();
        let result = handle.with(|c, now| {
            if c.contacts().kind_of(&chat) != ContactKind::Friend {
                return None;
            }
            Some(c.send_text(now, &chat, &text))
        });
        if let Some(Err(e)) = result {
            crate::terminal::err(&format!("webwx login: cannot echo: {e}"));
        }
    }

    /// `--download DIR`: starts the download of an incoming message's media, saves what
    /// came (a new file, never an existing one) and prints where.
    fn download(&self, handle: &Handle, dir: &std::path::Path, event: &Event) {
        match event {
            Event::Message(m) if !m.outgoing => {
                if let Some(what) = webwx_core::Download::for_message(m)
                    && let Err(e) = handle.download(what)
                {
                    note(&format!(
                        "cannot download the media of message {}: {e}",
                        m.id
                    ));
                }
            }
            Event::Command(CommandEvent::Downloaded { download, media }) => {
                match crate::files::save_new(dir, &media.file_name, &media.bytes) {
                    Ok(path) if self.args.json => crate::terminal::out_raw(
                        &serde_json::json!({
                            "event": "saved",
                            "download": download.0,
                            "path": path.display().to_string(),
                            "bytes": media.bytes.len(),
                        })
                        .to_string(),
                    ),
                    Ok(path) => crate::terminal::out(&format!("saved {}", path.display())),
                    Err(e) => note(&format!(
                        "cannot save {} in {}: {e}",
                        media.file_name,
                        dir.display()
                    )),
                }
            }
            Event::Command(CommandEvent::DownloadFailed { error, .. }) => {
                note(&format!("a download failed: {error}"));
            }
            _ => {}
        }
    }

    /// Ends the run once no command (an echo) is pending: logs out with `--logout`, else
    /// stops and keeps the session valid.
    fn finish(&mut self, handle: &Handle) {
        if self.finishing {
            return;
        }
        self.finish_requested = true;
        if handle.inspect(|c| c.pending_commands()) > 0 {
            return;
        }
        self.finishing = true;
        if self.args.logout {
            handle.logout();
        } else {
            handle.shutdown();
        }
    }
}

/// `BASE/webwx-qr-PID[-N]/qr.png` in a directory of our own (0700, never one that
/// already exists): another local user could pre-create a predictable file in the shared
/// temporary directory and control the picture the user scans.
fn default_png_path(base: &std::path::Path) -> std::io::Result<PathBuf> {
    Ok(crate::files::fresh_dir(base, "webwx-qr")?.join("qr.png"))
}

/// A note for the person at the terminal, on stderr.
fn note(s: &str) {
    crate::terminal::err(&format!("webwx: {s}"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_qr_png_is_in_a_fresh_private_directory() {
        let base = tempfile::tempdir().unwrap();
        // Someone else prepared the predictable names.
        let pid = std::process::id();
        std::fs::write(base.path().join(format!("webwx-qr-{pid}.png")), "theirs").unwrap();
        std::fs::create_dir(base.path().join(format!("webwx-qr-{pid}"))).unwrap();
        let path = super::default_png_path(base.path()).unwrap();
        let dir = path.parent().unwrap();
        assert_ne!(dir, base.path().join(format!("webwx-qr-{pid}")));
        assert!(dir.starts_with(base.path()));
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            0,
            "a new directory"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        crate::qr::write_png("https://login.weixin.qq.com/l/x==", &path).unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[..4], b"\x89PNG");
    }
}
