//! The send queue: paced requests wait for their slot ([`crate::pacing`]), a 1205 pauses
//! them all, and the keep-alive ([`Heartbeat`](super::Heartbeat)) is sent from here.

use super::{Client, Inflight, Phase, Timer};
use crate::pacing::SendQueue;
use crate::time::Now;
use std::time::Duration;

impl Client {
    /// Sends `inflight` when its slot comes: at once when the queue is empty and the
    /// slot is now, else from a timer (in the order of the slots; requests with the same
    /// slot in the order they came).
    pub(crate) fn pace(&mut self, now: Now, inflight: Inflight) {
        let Some((chat, class)) = inflight.paced.clone() else {
            self.transmit(now, inflight);
            return;
        };
        let at = self
            .state
            .pacing
            .reserve(&self.cfg.pacing, now.wall, &chat, class);
        let waiting = self.queued_requests() > 0;
        if at <= now.wall && !waiting {
            self.transmit(now, inflight);
        } else {
            tracing::debug!(
                endpoint = inflight.endpoint,
                wait_ms = at.0.saturating_sub(now.wall.0),
                "paced: waiting for its slot"
            );
            self.set_timer(now.mono.plus(at.since(now.wall)), Timer::Paced(inflight));
        }
    }

    /// A paced request was answered 1205: the queue pauses (a cooldown that doubles with
    /// every 1205 in a row), then sends it first and the others after it, in order, with
    /// fresh slots.
    pub(crate) fn too_frequent_send(&mut self, now: Now, inflight: Inflight) {
        let until = self.state.pacing.too_frequent(&self.cfg.pacing, now.wall);
        tracing::warn!(
            endpoint = inflight.endpoint,
            pause_ms = until.0.saturating_sub(now.wall.0),
            "too frequent (1205): pausing the send queue"
        );
        let keys: Vec<_> = self
            .timers()
            .iter()
            .filter(|(_, t)| matches!(t, Timer::Paced(_)))
            .map(|(k, _)| *k)
            .collect();
        let mut queued = Vec::with_capacity(keys.len() + 1);
        queued.push(inflight);
        for k in keys {
            if let Some(Timer::Paced(i)) = self.timers_mut().remove(&k) {
                queued.push(i);
            }
        }
        self.state.pacing.forget_reservations(&self.cfg.pacing);
        for i in queued {
            let (chat, class) = i
                .paced
                .clone()
                .unwrap_or((String::new(), crate::pacing::PaceClass::Message));
            let at = self
                .state
                .pacing
                .reserve(&self.cfg.pacing, now.wall, &chat, class);
            self.set_timer(now.mono.plus(at.since(now.wall)), Timer::Paced(i));
        }
        self.emit(super::Event::SessionChanged);
    }

    /// Takes in what another process sharing the saved session recorded (a one-shot `webwx
    /// send` beside a running login): its pacing (its sends count against this session's
    /// buckets), the ClientMsgIds of its sends (so they can be revoked from here) and its
    /// ClientMsgId generator (ids stay unique). Nothing else of `theirs` is taken.
    pub fn absorb_shared(&mut self, theirs: &crate::SessionState) {
        self.state.pacing.merge(&theirs.pacing);
        self.state.sent.merge(&theirs.sent);
        self.state.msg_ids.merge(&theirs.msg_ids);
    }

    /// Requests waiting in the send queue.
    fn queued_requests(&self) -> usize {
        self.timers()
            .values()
            .filter(|t| matches!(t, Timer::Paced(_)))
            .count()
    }

    /// What waits in the send queue: how many requests, when the next goes, and the
    /// pause after a 1205, if any (times on the wall clock of `now`).
    pub fn send_queue(&self, now: Now) -> SendQueue {
        let next = self
            .timers()
            .iter()
            .find(|(_, t)| matches!(t, Timer::Paced(_)))
            .map(|((at, _), _)| now.wall.plus(at.since(now.mono)).0);
        SendQueue {
            queued: self.queued_requests(),
            next_at_ms: next,
            cooldown_until_ms: self.state.pacing.cooldown_until(now.wall).map(|t| t.0),
        }
    }

    /// Sets the keep-alive's next time, when one is configured and the sync loop runs.
    pub(crate) fn schedule_heartbeat(&mut self, now: Now) {
        let Some(h) = &self.cfg.heartbeat else {
            return;
        };
        if self.phase != Phase::Running {
            return;
        }
        let (interval, jitter) = (h.interval.max(Duration::from_secs(1)), h.jitter);
        let jitter_ms = u64::try_from(jitter.min(interval / 2).as_millis()).unwrap_or(0);
        let base = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        let d = if jitter_ms == 0 {
            base
        } else {
            base - jitter_ms + self.state.rng.below(2 * jitter_ms + 1)
        };
        self.set_timer(now.mono.plus(Duration::from_millis(d)), Timer::Heartbeat);
    }

    /// Sends the keep-alive and sets the next.
    pub(crate) fn heartbeat(&mut self, now: Now) {
        let Some(h) = self.cfg.heartbeat.clone() else {
            return;
        };
        if self.phase != Phase::Running {
            return;
        }
        match self.send_text(now, &h.target, &h.text) {
            Ok(id) => tracing::debug!(local_id = %id, "keep-alive sent"),
            Err(e) => tracing::warn!(error = %e, "cannot send the keep-alive"),
        }
        self.schedule_heartbeat(now);
    }
}
