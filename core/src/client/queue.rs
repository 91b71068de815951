//! The send queue: paced requests wait for their slot ([`crate::pacing`]), a 1205 pauses
//! them all, and the keep-alive ([`Heartbeat`](super::Heartbeat)) is sent from here.
//!
//! The queue keeps nothing of its own: its pacing state is the session's
//! ([`SessionState::pacing`](crate::SessionState)) and its waiting requests are
//! [`Timer::Paced`] timers. It works on the [`Ctx`] alone: [`Ctx::set_timer`] arms a
//! slot, [`Ctx::waiting`] counts them and [`Ctx::take_timers`] takes them back after a
//! 1205.

use super::ctx::{Ctx, Step};
use super::{Client, Inflight, Phase, Timer};
use crate::pacing::SendQueue;
use crate::time::Now;
use std::time::Duration;

/// Whether a timer is a request waiting in the send queue.
fn is_paced(t: &Timer) -> bool {
    matches!(t, Timer::Paced(_))
}

/// Sends `inflight` when its slot comes: at once when the queue is empty and the slot is
/// now, else from a timer (in the order of the slots; requests with the same slot in the
/// order they came).
pub(crate) fn pace(ctx: &mut Ctx<'_>, inflight: Inflight) {
    let Some((chat, class)) = inflight.paced.clone() else {
        ctx.transmit(inflight);
        return;
    };
    let now = ctx.now;
    let at = ctx
        .state
        .pacing
        .reserve(&ctx.cfg.pacing, now.wall, &chat, class);
    let waiting = ctx.waiting(is_paced).0 > 0;
    if at <= now.wall && !waiting {
        ctx.transmit(inflight);
    } else {
        tracing::debug!(
            endpoint = inflight.endpoint,
            wait_ms = at.0.saturating_sub(now.wall.0),
            "paced: waiting for its slot"
        );
        ctx.set_timer(now.mono.plus(at.since(now.wall)), Timer::Paced(inflight));
    }
}

/// A paced request was answered 1205: the queue pauses (a cooldown that doubles with
/// every 1205 in a row), then sends it first and the others after it, in order, with
/// fresh slots.
pub(crate) fn too_frequent(ctx: &mut Ctx<'_>, inflight: Inflight) -> Step {
    let now = ctx.now;
    let until = ctx.state.pacing.too_frequent(&ctx.cfg.pacing, now.wall);
    tracing::warn!(
        endpoint = inflight.endpoint,
        pause_ms = until.0.saturating_sub(now.wall.0),
        "too frequent (1205): pausing the send queue"
    );
    let mut queued = vec![inflight];
    queued.extend(
        ctx.take_timers(is_paced)
            .into_iter()
            .filter_map(|t| match t {
                Timer::Paced(i) => Some(i),
                _ => None,
            }),
    );
    ctx.state.pacing.forget_reservations(&ctx.cfg.pacing);
    for i in queued {
        let (chat, class) = i
            .paced
            .clone()
            .unwrap_or((String::new(), crate::pacing::PaceClass::Message));
        let at = ctx
            .state
            .pacing
            .reserve(&ctx.cfg.pacing, now.wall, &chat, class);
        ctx.set_timer(now.mono.plus(at.since(now.wall)), Timer::Paced(i));
    }
    ctx.emit(super::Event::SessionChanged);
    Step::Stay
}

/// Sets the keep-alive's next time, when one is configured and the sync loop runs.
pub(crate) fn schedule_heartbeat(ctx: &mut Ctx<'_>, phase: &Phase) -> Step {
    let Some(h) = &ctx.cfg.heartbeat else {
        return Step::Stay;
    };
    if *phase != Phase::Running {
        return Step::Stay;
    }
    let (interval, jitter) = (h.interval.max(Duration::from_secs(1)), h.jitter);
    let jitter_ms = u64::try_from(jitter.min(interval / 2).as_millis()).unwrap_or(0);
    let base = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
    let d = if jitter_ms == 0 {
        base
    } else {
        base - jitter_ms + ctx.state.rng.below(2 * jitter_ms + 1)
    };
    ctx.set_timer(
        ctx.now.mono.plus(Duration::from_millis(d)),
        Timer::Heartbeat,
    );
    Step::Stay
}

impl Client {
    /// Takes in what another process sharing the saved session recorded (a one-shot `webwx
    /// send` beside a running login): its pacing (its sends count against this session's
    /// buckets), the ClientMsgIds of its sends (so they can be revoked from here) and its
    /// ClientMsgId generator (ids stay unique). Nothing else of `theirs` is taken.
    pub fn absorb_shared(&mut self, theirs: &crate::SessionState) {
        self.state.pacing.merge(&theirs.pacing);
        self.state.sent.merge(&theirs.sent);
        self.state.msg_ids.merge(&theirs.msg_ids);
    }

    /// What waits in the send queue: how many requests, when the next goes, and the
    /// pause after a 1205, if any (times on the wall clock of `now`).
    pub fn send_queue(&self, now: Now) -> SendQueue {
        let (queued, next) = self.waiting_timers(is_paced);
        SendQueue {
            queued,
            next_at_ms: next.map(|at| now.wall.plus(at.since(now.mono)).0),
            cooldown_until_ms: self.state.pacing.cooldown_until(now.wall).map(|t| t.0),
        }
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
        self.in_ctx(now, schedule_heartbeat);
    }
}
