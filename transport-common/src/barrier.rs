//! The commit barrier of a saving session: the next `webwxsync` waits until the host
//! has made durable every session state it was handed.
//!
//! A `webwxsync` carries the SyncKey of the step before it, and the server — the real
//! one and the simulator — takes that as the acknowledgement of every message up to it
//! and drops them. A host that saves the session beside its events (the gateway's store)
//! must therefore have committed the state of a step, and the events before it, before
//! the driver sends the `webwxsync` that acknowledges that step: otherwise a crash
//! (`kill -9`) between the two loses the messages of the step, since a resumed session
//! starts from the older saved SyncKey and the server no longer has them.
//!
//! So in saving mode each `SessionChanged` is handed out with a [`SaveToken`]. While any
//! token is not released, the driver holds its next `webwxsync` (and only that request:
//! `synccheck` does not acknowledge anything, commands, their answers and uploads go on).
//! The host calls [`SaveToken::saved`] once its commit is durable. A token dropped
//! without that keeps the barrier closed for the rest of the session: a state that
//! could not be saved must not be acknowledged (stop the session instead).
//!
//! A session that is not in saving mode makes no token and holds nothing.
//!
//! ```
//! use webwx_transport::barrier::Barrier;
//! let mut barrier = Barrier::<&str>::new(|| {});
//! let token = barrier.token();
//! // The state is being committed: the next webwxsync waits.
//! assert_eq!(barrier.hold("webwxsync", "sync"), None);
//! assert_eq!(barrier.hold("webwxsendmsg", "send"), Some("send"));
//! assert!(barrier.release().is_empty());
//! token.saved(); // durable now
//! assert_eq!(barrier.release(), ["sync"]);
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use webwx_core::client::Transmit;
use webwx_core::endpoint::sync;

/// What the tokens share with their barrier: how many are out, and how to wake the
/// session loop when the last one is released.
struct Inner {
    out: AtomicUsize,
    wake: Box<dyn Fn() + Send + Sync>,
}

/// The driver's side of the barrier: the tokens it handed out and the `webwxsync` it
/// holds meanwhile (`R`, a [`Transmit`] in the drivers). See the module docs.
pub struct Barrier<R = Transmit> {
    inner: Arc<Inner>,
    held: Vec<R>,
}

impl<R> std::fmt::Debug for Barrier<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Barrier")
            .field("out", &self.out())
            .field("held", &self.held.len())
            .finish()
    }
}

impl<R> Barrier<R> {
    /// A barrier with no token out. `wake` is called (from whatever thread releases it)
    /// when the last token out is released: the session loop then calls
    /// [`Barrier::release`].
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> Barrier<R> {
        Barrier {
            inner: Arc::new(Inner {
                out: AtomicUsize::new(0),
                wake: Box::new(wake),
            }),
            held: Vec::new(),
        }
    }

    /// A new token: the barrier is closed until it is released.
    pub fn token(&self) -> SaveToken {
        self.inner.out.fetch_add(1, Ordering::SeqCst);
        SaveToken {
            inner: Some(self.inner.clone()),
        }
    }

    /// How many tokens are out (not released yet, or dropped unsaved).
    pub fn out(&self) -> usize {
        self.inner.out.load(Ordering::SeqCst)
    }

    /// Whether every token handed out was released.
    pub fn is_open(&self) -> bool {
        self.out() == 0
    }

    /// Holds the request `r` to `endpoint` when it is a `webwxsync` and a token is out;
    /// gives it back to send otherwise.
    pub fn hold(&mut self, endpoint: &str, r: R) -> Option<R> {
        if endpoint == sync::NAME && !self.is_open() {
            tracing::debug!(
                out = self.out(),
                "the host has not saved the last state yet: holding webwxsync"
            );
            self.held.push(r);
            None
        } else {
            Some(r)
        }
    }

    /// The requests held, to send now, once every token was released (empty otherwise).
    pub fn release(&mut self) -> Vec<R> {
        if self.held.is_empty() || !self.is_open() {
            return Vec::new();
        }
        std::mem::take(&mut self.held)
    }
}

/// Handed out with each `SessionChanged` state of a saving session: the driver sends no
/// `webwxsync` (which would acknowledge that state's messages to the server) until it is
/// released with [`SaveToken::saved`]. See the [module docs](self).
///
/// Dropped without [`SaveToken::saved`], it never releases: the session fetches no more
/// messages (commands go on) until it is stopped. That is what a host whose commit
/// failed for good wants; a host that does not save states takes them with a method
/// that releases at once (`next_with_state`, `next_event`).
#[must_use = "the next webwxsync waits until the token is released with `saved()`"]
pub struct SaveToken {
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for SaveToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaveToken").finish_non_exhaustive()
    }
}

impl SaveToken {
    /// The state this token came with (and the events before it) is durable: once every
    /// token out is released, the driver sends its next `webwxsync`.
    pub fn saved(mut self) {
        if let Some(inner) = self.inner.take()
            && inner.out.fetch_sub(1, Ordering::SeqCst) == 1
        {
            (inner.wake)();
        }
    }
}

impl Drop for SaveToken {
    fn drop(&mut self) {
        if self.inner.is_some() {
            tracing::debug!("a session state was dropped unsaved: no more webwxsync");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn webwxsync_waits_for_every_token() {
        let woken = Arc::new(AtomicUsize::new(0));
        let w = woken.clone();
        let mut b = Barrier::<&str>::new(move || {
            w.fetch_add(1, Ordering::SeqCst);
        });
        assert!(b.is_open());
        assert_eq!(b.hold("webwxsync", "s0"), Some("s0"), "no token: not held");
        let t1 = b.token();
        let t2 = b.token();
        assert_eq!(b.out(), 2);
        assert_eq!(
            b.hold("synccheck", "c"),
            Some("c"),
            "synccheck acknowledges nothing"
        );
        assert_eq!(b.hold("webwxsendmsg", "m"), Some("m"));
        assert_eq!(b.hold("webwxsync", "s1"), None);
        // Released out of order: still held until the last one.
        t2.saved();
        assert_eq!(woken.load(Ordering::SeqCst), 0);
        assert!(b.release().is_empty());
        t1.saved();
        assert_eq!(woken.load(Ordering::SeqCst), 1, "the loop is woken once");
        assert_eq!(b.release(), ["s1"]);
        assert!(b.release().is_empty());
    }

    #[test]
    fn a_token_dropped_unsaved_keeps_the_barrier_closed() {
        let woken = Arc::new(AtomicBool::new(false));
        let w = woken.clone();
        let mut b = Barrier::<&str>::new(move || w.store(true, Ordering::SeqCst));
        drop(b.token());
        assert_eq!(b.hold("webwxsync", "s"), None);
        assert!(b.release().is_empty());
        assert!(!woken.load(Ordering::SeqCst));
        assert!(!b.is_open());
    }

    #[test]
    fn tokens_are_released_from_other_threads() {
        let b = Barrier::<()>::new(|| {});
        let tokens: Vec<_> = (0..8).map(|_| b.token()).collect();
        std::thread::scope(|s| {
            for t in tokens {
                s.spawn(move || t.saved());
            }
        });
        assert!(b.is_open());
    }
}
