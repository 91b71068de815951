//! Pacing: how fast a session sends, so that the server does not answer Ret 1205
//! ("操作太频繁", too frequent) — and what it does when it does anyway.
//!
//! Every send (texts, stickers, files, forwards) and the operations the server limits
//! hardest (adding friends, creating groups, adding members) goes through a send queue
//! in the [`Client`](crate::Client): each gets a slot, the earliest time that keeps
//! within the [`PacingPolicy`], and waits for it (an [`Output::Timeout`](crate::Output)
//! like any timer). Nothing is dropped and a chat's messages keep their order.
//!
//! The limits are token buckets (kept as a GCRA "theoretical arrival time", one
//! timestamp per bucket): at most `burst` requests at once, then one every `every`.
//! Three buckets, all of which a request must pass — the session's (every paced
//! request), the media one (images, videos, files) and the social one (friends,
//! groups) — and a minimum gap between two sends to the same chat.
//!
//! After a 1205 the queue pauses for a cooldown (30 s, doubling with every 1205 in a
//! row up to 10 minutes, reset by a success), then resumes without a burst (one request,
//! then one per `every`); the refused request goes again first, with the same
//! ClientMsgId (the server records it once), within the retry policy's attempts.
//!
//! The state ([`PacingState`]) is part of the [`SessionState`](crate::SessionState) and
//! keeps wall-clock times, so that processes sharing a saved session (a running `webwx
//! login` and one-shot `webwx send`s) respect each other's sends: merge the state found
//! on disk into the client ([`PacingState::merge`]) before sending, and save after.
//!
//! ## The defaults, and why
//!
//! What users of the other clients report (none of them paces on its own):
//!
//! - about 60 texts sent back to back trigger "发送消息过于频繁" / 1205; one per second
//!   went on without trouble, one per 0.5 s failed after about 120, and after 60 a 15 s
//!   rest allowed about 40 more (Urinx/WeixinBot#149): a bucket of roughly 60 refilled
//!   at roughly one per second;
//! - bursts of images fail after about 20 while texts still go (littlecodersh/ItChat#787),
//!   or after 30–40 (dongweiming/wechat-admin#56);
//! - adding friends and creating groups are limited hardest (dongweiming/wechat-admin#56,
//!   littlecodersh/ItChat#182: `add_member` answered 1205);
//! - bot authors who kept their accounts waited seconds between sends
//!   (littlecodersh/ItChat#568).
//!
//! So the defaults stay well clear: the session sends at most 8 at once, then one every
//! 2 s (30 a minute: half the rate seen to be safe, a burst an eighth of the one seen to
//! fail); media at most 3 at once, then one every 10 s; friend and group operations 2,
//! then one a minute; one second at least between two sends to the same chat.
//! [`PacingPolicy::off`] turns pacing off (sends go at once; a 1205 is then retried like
//! any failure, with the [`RetryPolicy`](crate::client::RetryPolicy)'s delays).

use crate::time::Timestamp;
use crate::wire::record::record;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A token bucket: `burst` at once, then one every `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// How many may go at once (at least 1).
    pub burst: u32,
    /// Then one every this long.
    pub every: Duration,
}

impl Rate {
    /// `burst` at once, then one every `every`.
    pub const fn new(burst: u32, every: Duration) -> Rate {
        Rate { burst, every }
    }

    /// How far ahead of `now` the bucket's time may be while a request still goes now.
    fn tolerance(&self) -> u64 {
        u64::from(self.burst.max(1) - 1).saturating_mul(ms(self.every))
    }

    /// The earliest time a request may go at or after `now` by bucket time `tat`.
    fn earliest(&self, tat: Timestamp, now: Timestamp) -> Timestamp {
        Timestamp(now.0.max(tat.0.saturating_sub(self.tolerance())))
    }

    /// Takes the bucket for a request going at `at`.
    fn take(&self, tat: &mut Timestamp, at: Timestamp) {
        *tat = Timestamp(tat.0.max(at.0).saturating_add(ms(self.every)));
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// How a session paces what it sends. See the [module docs](self) for the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PacingPolicy {
    /// Whether requests are paced at all.
    pub enabled: bool,
    /// Every paced request (texts, stickers, files, forwards, friend and group
    /// operations).
    pub session: Rate,
    /// Also, for images, videos and files (sent or forwarded).
    pub media: Rate,
    /// Also, for adding friends, creating groups and adding members.
    pub social: Rate,
    /// The least time between two sends to the same chat.
    pub per_chat_gap: Duration,
    /// The pause after a 1205; it doubles with every 1205 in a row.
    pub cooldown: Duration,
    /// The longest pause.
    pub max_cooldown: Duration,
}

impl Default for PacingPolicy {
    fn default() -> Self {
        PacingPolicy {
            enabled: true,
            session: Rate::new(8, Duration::from_secs(2)),
            media: Rate::new(3, Duration::from_secs(10)),
            social: Rate::new(2, Duration::from_secs(60)),
            per_chat_gap: Duration::from_secs(1),
            cooldown: Duration::from_secs(30),
            max_cooldown: Duration::from_secs(600),
        }
    }
}

impl PacingPolicy {
    /// No pacing: everything goes at once, and a 1205 is retried like any failure.
    pub fn off() -> PacingPolicy {
        PacingPolicy {
            enabled: false,
            ..PacingPolicy::default()
        }
    }

    /// The defaults with the session's bucket set to `rate` (the other buckets unchanged).
    pub fn session(mut self, rate: Rate) -> Self {
        self.session = rate;
        self
    }

    /// The defaults with the media bucket set to `rate`.
    pub fn media(mut self, rate: Rate) -> Self {
        self.media = rate;
        self
    }

    /// The social bucket set to `rate`.
    pub fn social(mut self, rate: Rate) -> Self {
        self.social = rate;
        self
    }

    /// The gap between two sends to the same chat.
    pub fn per_chat_gap(mut self, gap: Duration) -> Self {
        self.per_chat_gap = gap;
        self
    }

    /// The first pause after a 1205 and the longest.
    pub fn cooldown(mut self, first: Duration, max: Duration) -> Self {
        self.cooldown = first;
        self.max_cooldown = max.max(first);
        self
    }
}

/// What a paced request is, for the buckets it must pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaceClass {
    /// A text, a sticker, a forwarded text.
    Message,
    /// An image, a video or a file (sent or forwarded).
    Media,
    /// Adding a friend, creating a group, adding members.
    Social,
}

/// How many chats' last sends are remembered for the per-chat gap.
const MAX_CHATS: usize = 256;

/// A wall-clock time more than this ahead of what was last written means the clock was
/// stepped back (or the state comes from a machine whose clock is ahead).
const CLOCK_SLACK_MS: u64 = 1000;

/// The pacing state of a session: part of the [`SessionState`](crate::SessionState), in
/// wall-clock times so that other processes sharing the saved session can read it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PacingState {
    /// The session bucket's time.
    #[serde(default)]
    session: Timestamp,
    /// The media bucket's time.
    #[serde(default)]
    media: Timestamp,
    /// The social bucket's time.
    #[serde(default)]
    social: Timestamp,
    /// Chats and the earliest time of their next send.
    #[serde(default)]
    chats: Vec<(String, Timestamp)>,
    /// No paced request before this time (after a 1205).
    #[serde(default)]
    cooldown_until: Timestamp,
    /// 1205 answers in a row.
    #[serde(default)]
    strikes: u32,
    /// When this state last changed (to notice a clock stepped back).
    #[serde(default)]
    at: Timestamp,
}

record!(PacingState = PacingState::default(); {
    Default "session" => session: Deserialize::deserialize,
    Default "media" => media: Deserialize::deserialize,
    Default "social" => social: Deserialize::deserialize,
    Default "chats" => chats: Deserialize::deserialize,
    Default "cooldown_until" => cooldown_until: Deserialize::deserialize,
    Default "strikes" => strikes: Deserialize::deserialize,
    Default "at" => at: Deserialize::deserialize,
});

impl PacingState {
    /// Reserves a slot for a request of `class` to `chat` (empty: none in particular)
    /// made at `now`: returns the earliest time it may go, and counts it as going then.
    pub fn reserve(
        &mut self,
        policy: &PacingPolicy,
        now: Timestamp,
        chat: &str,
        class: PaceClass,
    ) -> Timestamp {
        if !policy.enabled {
            return now;
        }
        self.settle(now);
        let mut at = policy.session.earliest(self.session, now);
        at = at.max(self.cooldown_until);
        match class {
            PaceClass::Message => {}
            PaceClass::Media => at = at.max(policy.media.earliest(self.media, now)),
            PaceClass::Social => at = at.max(policy.social.earliest(self.social, now)),
        }
        let chat_next = self
            .chats
            .iter()
            .find(|(c, _)| !chat.is_empty() && c == chat)
            .map(|(_, t)| *t);
        if let Some(t) = chat_next {
            at = at.max(t);
        }
        policy.session.take(&mut self.session, at);
        match class {
            PaceClass::Message => {}
            PaceClass::Media => policy.media.take(&mut self.media, at),
            PaceClass::Social => policy.social.take(&mut self.social, at),
        }
        if !chat.is_empty() {
            let next = at.plus(policy.per_chat_gap);
            self.chats.retain(|(c, t)| c != chat && *t > now);
            if self.chats.len() >= MAX_CHATS {
                self.chats.remove(0);
            }
            self.chats.push((chat.to_owned(), next));
        }
        at
    }

    /// The server answered 1205 at `now`: pauses until the returned time (30 s, doubling
    /// with every 1205 in a row). After the pause requests go one at a time (no burst),
    /// then one per `every`.
    pub fn too_frequent(&mut self, policy: &PacingPolicy, now: Timestamp) -> Timestamp {
        self.settle(now);
        self.strikes = self.strikes.saturating_add(1);
        let factor = 1u32 << (self.strikes - 1).min(16);
        let pause = policy
            .cooldown
            .saturating_mul(factor)
            .min(policy.max_cooldown.max(policy.cooldown));
        let until = now.plus(pause).max(self.cooldown_until);
        self.cooldown_until = until;
        // Empty buckets at the end of the pause: one request may go then, no more.
        for (tat, rate) in [
            (&mut self.session, policy.session),
            (&mut self.media, policy.media),
            (&mut self.social, policy.social),
        ] {
            *tat = (*tat).max(Timestamp(until.0.saturating_add(rate.tolerance())));
        }
        for (_, t) in &mut self.chats {
            *t = (*t).max(until);
        }
        until
    }

    /// A paced request succeeded: the next 1205 pauses for the first cooldown again.
    pub fn succeeded(&mut self) {
        self.strikes = 0;
    }

    /// Forgets every reservation (the queue was emptied to be reserved again in order
    /// after a 1205), keeping the pause and the strikes.
    pub(crate) fn forget_reservations(&mut self, policy: &PacingPolicy) {
        let until = self.cooldown_until;
        for (tat, rate) in [
            (&mut self.session, policy.session),
            (&mut self.media, policy.media),
            (&mut self.social, policy.social),
        ] {
            *tat = Timestamp(until.0.saturating_add(rate.tolerance()));
        }
        for (_, t) in &mut self.chats {
            *t = until;
        }
    }

    /// Until when requests are paused after a 1205, if that is after `now`.
    pub fn cooldown_until(&self, now: Timestamp) -> Option<Timestamp> {
        (self.cooldown_until > now).then_some(self.cooldown_until)
    }

    /// 1205 answers in a row so far.
    pub fn strikes(&self) -> u32 {
        self.strikes
    }

    /// Takes in what another process sharing the saved session reserved: each bucket
    /// and pause as late as either has it, every chat's gap from both.
    pub fn merge(&mut self, other: &PacingState) {
        self.session = self.session.max(other.session);
        self.media = self.media.max(other.media);
        self.social = self.social.max(other.social);
        self.cooldown_until = self.cooldown_until.max(other.cooldown_until);
        self.strikes = self.strikes.max(other.strikes);
        self.at = self.at.max(other.at);
        for (chat, t) in &other.chats {
            match self.chats.iter_mut().find(|(c, _)| c == chat) {
                Some((_, mine)) => *mine = (*mine).max(*t),
                None => self.chats.push((chat.clone(), *t)),
            }
        }
        if self.chats.len() > MAX_CHATS {
            self.chats.sort_by_key(|(_, t)| *t);
            let excess = self.chats.len() - MAX_CHATS;
            self.chats.drain(..excess);
        }
    }

    /// A clock stepped back (now is before the state's last change): every time moves
    /// back as much, so nothing waits for the step.
    fn settle(&mut self, now: Timestamp) {
        if now.0.saturating_add(CLOCK_SLACK_MS) < self.at.0 {
            let back = self.at.0 - now.0;
            let shift = |t: &mut Timestamp| *t = Timestamp(t.0.saturating_sub(back));
            shift(&mut self.session);
            shift(&mut self.media);
            shift(&mut self.social);
            shift(&mut self.cooldown_until);
            for (_, t) in &mut self.chats {
                shift(t);
            }
        }
        self.at = now;
    }
}

/// What is waiting in a session's send queue ([`Client::send_queue`](crate::Client::send_queue),
/// and the `me` query's `send_queue`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct SendQueue {
    /// Requests waiting for their slot.
    pub queued: usize,
    /// When the next of them goes (wall-clock ms since the epoch), if any waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub next_at_ms: Option<u64>,
    /// Paused after a 1205 until then (wall-clock ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub cooldown_until_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Timestamp {
        Timestamp(ms)
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let p = PacingPolicy::default().per_chat_gap(Duration::ZERO);
        let mut s = PacingState::default();
        let slots: Vec<u64> = (0..12)
            .map(|_| s.reserve(&p, t(1_000_000), "", PaceClass::Message).0 - 1_000_000)
            .collect();
        assert_eq!(
            slots,
            [0, 0, 0, 0, 0, 0, 0, 0, 2000, 4000, 6000, 8000],
            "8 at once, then one every 2 s"
        );
    }

    #[test]
    fn media_and_chats_have_their_own_limits() {
        let p = PacingPolicy::default();
        let mut s = PacingState::default();
        let base = 5_000_000;
        let media: Vec<u64> = (0..5)
            .map(|i| {
                s.reserve(&p, t(base), &format!("@c{i}"), PaceClass::Media)
                    .0
                    - base
            })
            .collect();
        assert_eq!(media, [0, 0, 0, 10_000, 20_000]);
        let mut s = PacingState::default();
        let same_chat: Vec<u64> = (0..3)
            .map(|_| s.reserve(&p, t(base), "@a", PaceClass::Message).0 - base)
            .collect();
        assert_eq!(
            same_chat,
            [0, 1000, 2000],
            "a second between sends to one chat"
        );
        assert_eq!(s.reserve(&p, t(base), "@b", PaceClass::Message).0, base);
    }

    #[test]
    fn too_frequent_pauses_doubles_and_resumes_without_a_burst() {
        let p = PacingPolicy::default().per_chat_gap(Duration::ZERO);
        let mut s = PacingState::default();
        let now = t(10_000_000);
        assert_eq!(s.too_frequent(&p, now), now.plus(Duration::from_secs(30)));
        assert_eq!(s.too_frequent(&p, now), now.plus(Duration::from_secs(60)));
        let after = s.reserve(&p, now, "", PaceClass::Message);
        assert_eq!(after, now.plus(Duration::from_secs(60)));
        let next = s.reserve(&p, now, "", PaceClass::Message);
        assert_eq!(
            next,
            after.plus(Duration::from_secs(2)),
            "no burst after a pause"
        );
        for _ in 0..10 {
            s.too_frequent(&p, now);
        }
        assert_eq!(
            s.cooldown_until(now),
            Some(now.plus(Duration::from_secs(600))),
            "at most 10 minutes"
        );
        s.succeeded();
        assert_eq!(s.strikes(), 0);
    }

    #[test]
    fn off_sends_at_once() {
        let mut s = PacingState::default();
        for _ in 0..100 {
            assert_eq!(
                s.reserve(&PacingPolicy::off(), t(7), "@a", PaceClass::Media),
                t(7)
            );
        }
    }

    #[test]
    fn merge_keeps_the_later_of_both() {
        let p = PacingPolicy::default();
        let (mut a, mut b) = (PacingState::default(), PacingState::default());
        let now = t(1_000_000);
        for _ in 0..8 {
            a.reserve(&p, now, "@x", PaceClass::Message);
        }
        b.reserve(&p, now, "@y", PaceClass::Message);
        b.merge(&a);
        // The other process's eight sends count: the next goes 2 s later.
        assert_eq!(
            b.reserve(&p, now, "@z", PaceClass::Message),
            now.plus(Duration::from_secs(2))
        );
        // And its chat's gap too.
        assert!(b.reserve(&p, now, "@x", PaceClass::Message) >= now.plus(Duration::from_secs(8)));
    }

    #[test]
    fn a_clock_stepped_back_does_not_stall() {
        let p = PacingPolicy::default().per_chat_gap(Duration::ZERO);
        let mut s = PacingState::default();
        let now = t(10_000_000);
        for _ in 0..9 {
            s.reserve(&p, now, "", PaceClass::Message);
        }
        // An hour back: the next slot is as far from the new now as it was from the old.
        let back = t(10_000_000 - 3_600_000);
        assert_eq!(
            s.reserve(&p, back, "", PaceClass::Message),
            back.plus(Duration::from_secs(4))
        );
    }
}
