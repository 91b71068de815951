//! State shared by the server's tasks and every [`crate::Control`] handle.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

use crate::config::SimConfig;
use crate::world::World;

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

    /// Locks the state. Never held across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}
