//! Backpressure between a session loop and a slow host: the events that wait for room in
//! the bounded event channel, and the sync-loop requests held back meanwhile.
//!
//! The loop never blocks on the channel (a host that waits for a command's answer before
//! it reads events would deadlock it, and commands must go on). Instead, once the channel
//! is full, every later event waits here in order, and the requests that would fetch
//! more messages — `synccheck` and `webwxsync` — are held back until the host has taken
//! events and everything waiting fit in the channel again. The server keeps the messages
//! meanwhile. So memory stays bounded by the channel's capacity plus what was already on
//! its way (one webwxsync answer, the events of commands and of the startup), and no
//! event is ever dropped while the host holds the receiver.

use std::collections::VecDeque;

use webwx_core::client::Transmit;
use webwx_core::endpoint::{sync, synccheck};

/// What offering an item to the channel did.
#[derive(Debug)]
pub enum Offer<T> {
    /// It is in the channel.
    Sent,
    /// The channel is full: here it is back.
    Full(T),
    /// The receiver is gone: nobody listens any more.
    Gone,
}

/// Whether a request re-arms the sync loop (and so fetches more messages).
pub fn re_arms_sync(endpoint: &str) -> bool {
    endpoint == synccheck::NAME || endpoint == sync::NAME
}

/// Events (`T`) waiting for room in a bounded channel, and the requests (`R`, a
/// [`Transmit`] in the drivers) held back meanwhile. See the module docs.
#[derive(Debug)]
pub struct Backlog<T, R = Transmit> {
    waiting: VecDeque<T>,
    held: Vec<R>,
    gone: bool,
}

impl<T, R> Default for Backlog<T, R> {
    fn default() -> Self {
        Backlog {
            waiting: VecDeque::new(),
            held: Vec::new(),
            gone: false,
        }
    }
}

impl<T, R> Backlog<T, R> {
    /// Whether events wait for room (the sync loop is held back then).
    pub fn is_waiting(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// How many events wait.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Offers `item` to the channel through `offer`, after the ones already waiting.
    pub fn push(&mut self, item: T, offer: impl FnOnce(T) -> Offer<T>) {
        if self.gone {
            return;
        }
        if !self.waiting.is_empty() {
            self.waiting.push_back(item);
            return;
        }
        match offer(item) {
            Offer::Sent => {}
            Offer::Full(item) => self.waiting.push_back(item),
            Offer::Gone => self.gone = true,
        }
    }

    /// Moves waiting events into the channel while it has room. Returns the requests
    /// held back, to send now, once nothing waits any more (empty otherwise).
    pub fn flush(&mut self, mut offer: impl FnMut(T) -> Offer<T>) -> Vec<R> {
        while let Some(item) = self.waiting.pop_front() {
            match offer(item) {
                Offer::Sent => {}
                Offer::Full(item) => {
                    self.waiting.push_front(item);
                    return Vec::new();
                }
                Offer::Gone => {
                    self.gone = true;
                    self.waiting.clear();
                }
            }
        }
        std::mem::take(&mut self.held)
    }

    /// Holds the request `r` to `endpoint` back when it re-arms the sync loop while
    /// events wait; gives it back to send otherwise.
    pub fn hold(&mut self, endpoint: &str, r: R) -> Option<R> {
        if self.is_waiting() && re_arms_sync(endpoint) {
            tracing::debug!(
                endpoint,
                waiting = self.waiting.len(),
                "the host is behind: holding the sync loop"
            );
            self.held.push(r);
            None
        } else {
            Some(r)
        }
    }

    /// The first waiting event (for room the loop already holds in the channel).
    pub fn pop(&mut self) -> Option<T> {
        self.waiting.pop_front()
    }

    /// Takes the waiting events (the loop hands them over, blocking, when it ends).
    pub fn take_waiting(&mut self) -> VecDeque<T> {
        std::mem::take(&mut self.waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A held request: its endpoint.
    type B = Backlog<u32, &'static str>;

    fn hold(b: &mut B, endpoint: &'static str) -> Option<&'static str> {
        b.hold(endpoint, endpoint)
    }

    /// A channel of `cap` items.
    struct Chan {
        cap: usize,
        items: Vec<u32>,
        closed: bool,
    }

    impl Chan {
        fn offer(&mut self, x: u32) -> Offer<u32> {
            if self.closed {
                Offer::Gone
            } else if self.items.len() < self.cap {
                self.items.push(x);
                Offer::Sent
            } else {
                Offer::Full(x)
            }
        }
    }

    #[test]
    fn order_is_kept_and_the_sync_loop_waits_for_room() {
        let mut chan = Chan {
            cap: 2,
            items: Vec::new(),
            closed: false,
        };
        let mut b = B::default();
        for x in 0..5 {
            b.push(x, |x| chan.offer(x));
        }
        assert_eq!(chan.items, [0, 1]);
        assert_eq!(b.waiting(), 3);
        // The sync loop is held, a command's request is not.
        assert!(hold(&mut b, "synccheck").is_none());
        assert!(hold(&mut b, "webwxsync").is_none());
        assert!(hold(&mut b, "webwxsendmsg").is_some());
        // The host takes one: one more fits, the rest still waits.
        chan.items.remove(0);
        assert!(b.flush(|x| chan.offer(x)).is_empty());
        assert_eq!(chan.items, [1, 2]);
        // A new event goes behind the waiting ones, never before them.
        b.push(5, |x| chan.offer(x));
        chan.items.clear();
        assert!(b.flush(|x| chan.offer(x)).is_empty());
        assert_eq!(chan.items, [3, 4]);
        chan.items.clear();
        let released = b.flush(|x| chan.offer(x));
        assert_eq!(chan.items, [5]);
        assert_eq!(released, ["synccheck", "webwxsync"]);
        assert!(!b.is_waiting());
        assert!(hold(&mut b, "synccheck").is_some(), "room again: not held");
    }

    #[test]
    fn a_gone_receiver_drops_events_and_holds_nothing() {
        let mut chan = Chan {
            cap: 1,
            items: Vec::new(),
            closed: false,
        };
        let mut b = B::default();
        b.push(1, |x| chan.offer(x));
        b.push(2, |x| chan.offer(x));
        assert!(hold(&mut b, "synccheck").is_none());
        chan.closed = true;
        let released = b.flush(|x| chan.offer(x));
        assert_eq!(released.len(), 1, "the held request goes out");
        assert!(!b.is_waiting());
        b.push(3, |x| chan.offer(x));
        assert!(!b.is_waiting());
        assert!(hold(&mut b, "synccheck").is_some());
    }
}
