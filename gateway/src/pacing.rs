//! Where the pacing of sends plugs in. The bot authors' pacing (waiting between sends so
//! the server does not answer Ret 1205, "too frequent") is not written yet; every
//! command of the API goes through [`Pacer::wait`] before it reaches the session, so it
//! can be added here without touching the API. Today: [`NoPacing`] (the core's own
//! backoff on 1205 still applies).

use std::time::Duration;

use webwx_core::boundary::Command;

/// Decides how long a command waits before it runs.
pub trait Pacer: Send + Sync + 'static {
    /// How long `command` of `account` waits before it is submitted (zero: at once).
    fn wait(&self, account: &str, command: &Command) -> Duration;
}

/// No pacing: every command runs at once.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoPacing;

impl Pacer for NoPacing {
    fn wait(&self, _account: &str, _command: &Command) -> Duration {
        Duration::ZERO
    }
}
