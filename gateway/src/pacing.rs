//! Where extra pacing of commands plugs in. The pacing against Ret 1205 ("too
//! frequent") itself is the core's send queue ([`webwx_core::pacing`]): every account's
//! client paces its sends and its friend and group operations with the default
//! [`PacingPolicy`](webwx_core::pacing::PacingPolicy) (on by default), backs off after a
//! 1205 and keeps its pacing state in the saved session, so a restart does not forget
//! what was just sent. The `me` command reports the queue's depth (`send_queue`).
//!
//! Every command of the API also goes through [`Pacer::wait`] before it reaches the
//! session, for a policy across accounts (say, one machine's outbound rate); the default,
//! [`NoPacing`], adds nothing to the core's pacing.

use std::time::Duration;

use webwx_core::boundary::Command;

/// Decides how long a command waits before it runs.
pub trait Pacer: Send + Sync + 'static {
    /// How long `command` of `account` waits before it is submitted (zero: at once).
    fn wait(&self, account: &str, command: &Command) -> Duration;
}

/// Nothing beyond the core's own pacing: every command reaches its session at once.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoPacing;

impl Pacer for NoPacing {
    fn wait(&self, _account: &str, _command: &Command) -> Duration {
        Duration::ZERO
    }
}
