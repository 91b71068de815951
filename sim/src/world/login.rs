//! QR logins in progress (one per jslogin uuid) and the tickets of confirmed ones.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// Where a QR login stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingState {
    /// Shown, not scanned.
    Waiting,
    /// Scanned on the phone, not confirmed.
    Scanned,
    /// Confirmed: the poll answers 200 with the redirect.
    Confirmed,
    /// Cancelled on the phone: the poll answers 202.
    Cancelled,
    /// Expired: the poll answers 400.
    Expired,
}

/// One uuid handed out by jslogin or webwxpushloginurl.
#[derive(Debug)]
pub(crate) struct Pending {
    pub created: Duration,
    pub state: PendingState,
    pub notify: Arc<Notify>,
    /// Whether a poll already answered 201.
    pub scan_reported: bool,
    /// The account of a push login (its uin), or the one chosen at confirm.
    pub account: Option<u64>,
    /// The ticket of the redirect, once confirmed.
    pub ticket: Option<String>,
    /// Unix time of the scan (the `scan=` of the redirect).
    pub scan_time: u64,
    /// Whether the client asked for the desktop (UOS) variant when it got the uuid:
    /// `mod=desktop` in jslogin's `redirect_uri` or in webwxpushloginurl's query.
    pub desktop: bool,
}

impl Pending {
    /// A new pending login, created at `now` (the world's monotonic time).
    pub(crate) fn new(now: Duration) -> Self {
        Pending {
            created: now,
            state: PendingState::Waiting,
            notify: Arc::new(Notify::new()),
            scan_reported: false,
            account: None,
            ticket: None,
            scan_time: 0,
            desktop: false,
        }
    }

    /// Whether it still waits for the phone.
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.state, PendingState::Waiting | PendingState::Scanned)
    }
}

/// A confirmed login's ticket, redeemed by webwxnewloginpage.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub uuid: String,
    pub uin: u64,
    pub created: Duration,
    /// The session it was redeemed for (redeeming again answers the same credentials).
    pub sid: Option<String>,
}
