//! A saved session resumed for commands only: what `webwx send` and the one-shot commands
//! (`contacts`, `group`, `friend`, `revoke`) share.
//!
//! [`Saved::load`] reads the session file; [`Saved::start`] refuses a logged-out session, builds the
//! configuration from the flags, restores the client with its own random sequence,
//! resumes it for commands only (contacts loaded, the sync loop never touched) and starts
//! the blocking driver. Each prints its own error as `webwx NAME: ...` and returns the exit
//! code the command ends with.

use webwx_core::SessionState;
use webwx_ureq::{Events, Handle};

use crate::args::SavedSessionArgs;
use crate::config::{self, ClientFlags};
use crate::session_file;

/// Exit code: refused (by the server, or the session is no longer valid).
pub const FAILED: i32 = 1;
/// Exit code: bad usage.
pub const USAGE: i32 = 2;

/// A command on a saved session: its name (for messages) and its flags.
pub struct Saved<'a> {
    /// The command's name, for messages (`send`, `contacts`, ...).
    pub name: &'a str,
    /// The session file, `--origin`, `--insecure-origin`, `--timeout` and pacing.
    pub args: &'a SavedSessionArgs,
}

/// A running client on the saved session, and the file to save it back to.
pub struct Resumed {
    /// The driver's handle.
    pub handle: Handle,
    /// The driver's events.
    pub events: Events,
    /// The session file, saved under its lock and merged with what it holds then.
    pub shared: session_file::Shared,
}

impl Saved<'_> {
    /// Prints `message` as this command's error.
    pub fn err(&self, message: &str) {
        crate::terminal::err(&format!("webwx {}: {message}", self.name));
    }

    /// Reads the session file; a missing or unreadable one is bad usage.
    pub fn load(&self) -> Result<SessionState, i32> {
        match session_file::load(&self.args.session) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => {
                self.err(&format!(
                    "no session file at {}; log in first with `webwx login --session {}`",
                    self.args.session.display(),
                    self.args.session.display()
                ));
                Err(USAGE)
            }
            Err(e) => {
                self.err(&format!("cannot use the session file {e}"));
                Err(USAGE)
            }
        }
    }

    /// Resumes `state` for commands only and starts the blocking driver on it.
    pub fn start(&self, state: SessionState) -> Result<Resumed, i32> {
        if state.credentials.is_none() {
            self.err(&format!(
                "the saved session is logged out; log in again with `webwx login --session {}`",
                self.args.session.display()
            ));
            return Err(FAILED);
        }
        let flags = ClientFlags {
            origin: self.args.origin.as_deref(),
            insecure_origin: self.args.insecure_origin,
            desktop: state.desktop,
            pacing: Some(&self.args.pacing),
            ..ClientFlags::default()
        };
        let cfg = config::build(&flags).map_err(|e| {
            self.err(&e);
            USAGE
        })?;
        let shared = session_file::Shared::new(&self.args.session, Some(state.clone()));
        let mut state = state;
        // Its own random sequence: other processes restore the same saved state.
        state.rng.mix(config::clock_seed());
        let mut client = config::restore(cfg, state).map_err(|e| {
            self.err(&format!(
                "cannot use the session file {}: {e}",
                self.args.session.display()
            ));
            USAGE
        })?;
        // A restored client is idle: nothing to refuse.
        let _ = client.resume_for_commands(webwx_ureq::now());
        let (handle, events) =
            webwx_ureq::start(client, webwx_ureq::Options::default()).map_err(|e| {
                self.err(&format!("cannot start the client: {e}"));
                FAILED
            })?;
        Ok(Resumed {
            handle,
            events,
            shared,
        })
    }
}
