//! `webwx login --json --commands`: JSON commands on stdin, one per line, each answered
//! on stdout by one line beside the events (the JSON boundary of `webwx_core::boundary`).
//!
//! A line that is not a command gets a `bad_command` error answer and the session goes
//! on; end of stdin changes nothing; commands given before `ready` wait for it (the
//! core's tracker holds them); `{"cmd": "logout"}` logs out through the server and the
//! run then exits 0.

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use webwx_core::boundary::{Answer, Command, Request};
use webwx_ureq::Handle;
use webwx_ureq::prelude::*;

/// Writes one line on stdout, flushed (events and answers never interleave mid-line).
pub fn print_line(line: &str) {
    crate::terminal::out_raw(line);
}

/// The stdin reader and the threads waiting for answers.
pub struct Commands {
    /// A `logout` command was given: the session's end is the one asked for.
    pub logout_requested: Arc<AtomicBool>,
    waiting: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Commands {
    /// Starts reading stdin; every command goes to `handle`.
    pub fn start(handle: Handle) -> Commands {
        let logout_requested = Arc::new(AtomicBool::new(false));
        let waiting = Arc::new(Mutex::new(Vec::new()));
        let (flag, threads) = (logout_requested.clone(), waiting.clone());
        let spawned = std::thread::Builder::new()
            .name("webwx-commands".into())
            .spawn(move || read(handle, &flag, &threads));
        if let Err(e) = spawned {
            crate::terminal::err(&format!("webwx login: cannot read commands: {e}"));
        }
        Commands {
            logout_requested,
            waiting,
        }
    }

    /// Waits until every command given so far has printed its answer (the session is
    /// over by then, so each has one).
    pub fn finish(&self) {
        let threads = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|e| e.into_inner()));
        for t in threads {
            let _ = t.join();
        }
    }
}

fn read(handle: Handle, logout: &AtomicBool, waiting: &Mutex<Vec<JoinHandle<()>>>) {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let request = match Request::parse(line) {
            Ok(r) => r,
            Err((id, error)) => {
                print_line(&Answer::new(id, Err(error)).to_json());
                continue;
            }
        };
        if matches!(request.command, Command::Logout {}) {
            logout.store(true, Ordering::SeqCst);
        }
        let pending = handle.submit(request);
        let t = std::thread::Builder::new()
            .name("webwx-answer".into())
            .spawn(move || print_line(&pending.wait().to_json()));
        match t {
            Ok(t) => waiting.lock().unwrap_or_else(|e| e.into_inner()).push(t),
            Err(e) => crate::terminal::err(&format!("webwx login: cannot wait for an answer: {e}")),
        }
    }
    tracing::debug!("end of the commands on stdin");
}
