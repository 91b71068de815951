//! State shared by the server's tasks and every [`crate::Control`] handle.

use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use crate::config::SimConfig;
use crate::world::{SimTime, World};

/// The system's clocks as the world takes them: `SystemTime` seconds for the wire and
/// `Instant` since this process's first call for lifetimes.
pub(crate) fn system_time() -> SimTime {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    SimTime {
        unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        mono: origin.elapsed(),
    }
}

/// Everything a request handler needs.
pub(crate) struct Shared {
    world: Mutex<World>,
    pub cfg: SimConfig,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Flips to `true` when the simulator stops.
    pub shutdown: watch::Receiver<bool>,
    /// Runtime that runs the server (for tasks started from blocking callers).
    pub runtime: tokio::runtime::Handle,
}

impl Shared {
    pub(crate) fn new(
        cfg: SimConfig,
        base_url: String,
        shutdown: watch::Receiver<bool>,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Shared {
            world: Mutex::new(World::new(&cfg)),
            cfg,
            base_url,
            shutdown,
            runtime,
        }
    }

    /// Locks the state, handing it the system's time first (the world reads no clock of
    /// its own). Never held across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        let mut w = self.world.lock().unwrap_or_else(|p| p.into_inner());
        w.advance(system_time());
        w
    }
}
