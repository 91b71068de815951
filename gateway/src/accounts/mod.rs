//! The accounts a gateway runs: each one a `webwx-hyper` session (one tokio task, no
//! thread) whose events its [`recorder`] writes to the store.

pub mod recorder;
pub mod state;

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, watch};
use webwx_core::{Client, Config, SessionState};
use webwx_hyper::Handle;
use webwx_hyper::prelude::*;

use crate::Gateway;
use crate::store::{AccountRecord, Fence};
pub use state::AccountState;

/// What the API tells the recorder about a command's outcome that the session's own
/// events do not carry (what was sent, what was revoked).
#[derive(Clone, Debug)]
pub enum Note {
    /// A send through the API answered `sent`.
    Sent {
        /// Its LocalID.
        local_id: String,
        /// The server's MsgId.
        msg_id: String,
        /// The chat (UserName).
        chat: String,
        /// `text` or `file`.
        kind: String,
        /// The text sent.
        text: Option<String>,
        /// The file name sent.
        file_name: Option<String>,
    },
    /// A `revoke` through the API answered `done`.
    Revoked {
        /// The MsgId.
        msg_id: String,
    },
}

/// What the API shows of an account, kept current by its recorder.
#[derive(Clone, Debug, Default)]
pub struct Live {
    /// The state.
    pub state: AccountState,
    /// Why it failed or logged out.
    pub reason: Option<String>,
    /// UserName.
    pub user_name: Option<String>,
    /// Nick name.
    pub nick_name: Option<String>,
    /// The QR code's content while one waits for a scan.
    pub qr_url: Option<String>,
}

/// A running session of an account.
#[derive(Clone, Debug)]
pub struct Running {
    /// Its handle.
    pub handle: Handle,
    /// Notes for its recorder.
    pub notes: mpsc::UnboundedSender<Note>,
}

/// One account of the gateway.
#[derive(Debug)]
pub struct Account {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Desktop (UOS) login.
    pub desktop: bool,
    /// Its own origin.
    pub origin: Option<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// The owner fence every write carries.
    pub fence: Fence,
    live: Mutex<Live>,
    running: Mutex<Option<Running>>,
    /// Set to `true` when the account is deleted: its workers stop.
    pub gone: watch::Sender<bool>,
    /// When this node started running it (a lease renewal older than this does not
    /// know it yet).
    pub since: std::time::Instant,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Account {
    /// The account of a stored record.
    pub fn from_record(r: &AccountRecord) -> Account {
        Account {
            id: r.id.clone(),
            name: r.name.clone(),
            desktop: r.desktop,
            origin: r.origin.clone(),
            created_ms: r.created_ms,
            fence: Fence {
                account: r.id.clone(),
                generation: r.generation,
            },
            live: Mutex::new(Live {
                state: AccountState::parse(&r.state),
                reason: r.reason.clone(),
                user_name: r.user_name.clone(),
                nick_name: r.nick_name.clone(),
                qr_url: None,
            }),
            running: Mutex::new(None),
            gone: watch::channel(false).0,
            since: std::time::Instant::now(),
        }
    }

    /// What the API shows.
    pub fn live(&self) -> Live {
        lock(&self.live).clone()
    }

    /// Changes what the API shows.
    pub fn update_live(&self, f: impl FnOnce(&mut Live)) {
        f(&mut lock(&self.live));
    }

    /// The running session, if any.
    pub fn running(&self) -> Option<Running> {
        lock(&self.running)
            .as_ref()
            .filter(|r| !r.handle.is_finished())
            .cloned()
    }

    fn set_running(&self, r: Option<Running>) {
        *lock(&self.running) = r;
    }

    /// Whether the account was deleted.
    pub fn is_gone(&self) -> bool {
        *self.gone.borrow()
    }
}

/// How a session starts.
#[derive(Debug)]
pub enum Start {
    /// A new QR login.
    Qr,
    /// Resume the saved session (after a restart): no QR.
    Resume(Box<SessionState>),
    /// Push login (confirm on the phone) for a known account, else resume, else QR.
    Connect(Box<SessionState>),
}

impl Gateway {
    /// The client configuration of `account`.
    fn config(&self, account: &Account) -> Result<Config, String> {
        let mut cfg = Config::new(webwx_hyper::random_seed()).desktop(account.desktop);
        if let Some(o) = account.origin.as_ref().or(self.options.origin.as_ref()) {
            cfg = cfg.origin(o).map_err(|e| format!("origin: {e}"))?;
        }
        if let Some(d) = self.options.long_poll {
            cfg = cfg.long_poll_timeout(d);
        }
        Ok(cfg)
    }

    /// Starts a session for `account` (stopping the one it had).
    pub fn start_session(
        self: &Arc<Self>,
        account: &Arc<Account>,
        start: Start,
    ) -> Result<(), String> {
        if let Some(old) = account.running() {
            old.handle.shutdown();
        }
        let mut cfg = self.config(account)?;
        let now = webwx_hyper::now();
        let (client, state) = match start {
            Start::Qr => {
                let mut c = Client::new(cfg);
                c.login(now).map_err(|e| e.to_string())?;
                (c, AccountState::WaitingScan)
            }
            Start::Resume(s) => {
                cfg.desktop |= s.desktop;
                let mut c = Client::restore(cfg, *s);
                c.resume(now).map_err(|e| e.to_string())?;
                (c, AccountState::Resuming)
            }
            Start::Connect(s) => {
                cfg.desktop |= s.desktop;
                let mut c = Client::restore(cfg, *s);
                c.connect(now).map_err(|e| e.to_string())?;
                let state = if c.session_phase() == webwx_core::SessionPhase::Starting {
                    AccountState::Resuming
                } else {
                    AccountState::WaitingScan
                };
                (c, state)
            }
        };
        account.update_live(|l| {
            l.state = state;
            l.reason = None;
            l.qr_url = None;
        });
        let (handle, events) = webwx_hyper::start_saving(client, self.transport.clone())
            .map_err(|e| format!("cannot start the session: {e}"))?;
        let (notes_tx, notes_rx) = mpsc::unbounded_channel();
        account.set_running(Some(Running {
            handle: handle.clone(),
            notes: notes_tx,
        }));
        tokio::spawn(recorder::run(
            self.clone(),
            account.clone(),
            handle,
            events,
            notes_rx,
            state,
        ));
        Ok(())
    }

    /// Stops `account`'s session without logging out (the saved session stays valid).
    pub fn stop_session(&self, account: &Account) {
        if let Some(r) = account.running() {
            r.handle.shutdown();
        }
        account.set_running(None);
    }
}
