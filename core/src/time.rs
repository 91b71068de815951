//! Time as the core takes it: two clocks, always passed in.
//!
//! - [`Timestamp`]: wall-clock milliseconds since the Unix epoch, for what the protocol
//!   puts on the wire (`_`, `r`, `rr`, `ClientMsgId`, `LocalID`) and for cookie expiry.
//! - [`Monotonic`]: milliseconds of a clock that never goes back, since an arbitrary
//!   origin the driver chooses, for every timer (retries, backoff, the sync loop's
//!   give-up windows, a boundary command's timeout). A wall clock stepped back an hour
//!   must not stall a retry, nor one stepped forward fire every timer at once.
//!
//! Every input of [`Client`](crate::Client) takes a [`Now`]: both clocks read at the same
//! moment. [`Output::Timeout`](crate::Output::Timeout) carries a [`Monotonic`] deadline.
//!
//! Drivers read the system clock (`SystemTime`, `Date.now()` in a browser) for the wall
//! clock and a monotonic one (std's or tokio's `Instant` since a fixed origin,
//! `performance.now()` in a browser) for the other; `webwx_transport::now` does both. Monotonic readings mean
//! nothing outside the process that took them, so nothing saves them: timers are not part
//! of [`SessionState`](crate::SessionState), and a restored session starts with none (its
//! first input's `Now` may come from a clock with another origin).
//!
//! ```
//! use std::time::Duration;
//! use webwx_core::time::{Monotonic, Now, Timestamp};
//! // A driver reads both clocks at once:
//! let now = Now::new(Timestamp::from_millis(1_700_000_000_000), Monotonic::from_millis(5_000));
//! // A timer 2 s from now is due at monotonic 7 000, whatever the wall clock does meanwhile.
//! assert_eq!(now.mono + Duration::from_secs(2), Monotonic::from_millis(7_000));
//! // In virtual time (tests), both clocks can start together:
//! let t = Now::from_millis(1_000).plus(Duration::from_millis(500));
//! assert_eq!((t.wall.as_millis(), t.mono.as_millis()), (1_500, 1_500));
//! ```

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A wall-clock instant in milliseconds since the Unix epoch.
///
/// The core never reads a clock: every method that needs the time takes it from the
/// caller. WeChat wants wall-clock milliseconds on the wire (`_`, `r`, `ClientMsgId`),
/// and cookies expire at wall-clock dates; timers use [`Monotonic`] instead.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The instant `ms` milliseconds after the epoch.
    pub const fn from_millis(ms: u64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// This instant plus `d` (saturating).
    pub fn plus(self, d: Duration) -> Self {
        Timestamp(self.0.saturating_add(millis(d)))
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// The official client's `~new Date()`: the bitwise NOT of the millisecond time taken as
    /// a 32-bit signed integer, as sent in `r` of webwxinit and the login poll and `rr` of webwxsync.
    pub fn js_not(self) -> i64 {
        // JS converts to int32 (ToInt32: modulo 2^32) before applying `~`.
        let as_i32 = self.0 as u32 as i32;
        i64::from(!as_i32)
    }
}

impl std::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        self.plus(d)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A reading of a monotonic clock: milliseconds since an origin the driver chose.
///
/// Only differences and order mean something, and only within one process (one driver):
/// it is neither serialized nor saved. Deadlines of the core's timers are `Monotonic`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Monotonic(pub u64);

impl Monotonic {
    /// The reading `ms` milliseconds after the clock's origin.
    pub const fn from_millis(ms: u64) -> Self {
        Monotonic(ms)
    }

    /// Milliseconds since the clock's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// This reading plus `d` (saturating).
    pub fn plus(self, d: Duration) -> Self {
        Monotonic(self.0.saturating_add(millis(d)))
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Monotonic) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// Time left from `self` until `deadline`, zero if it has passed.
    pub fn until(self, deadline: Monotonic) -> Duration {
        deadline.since(self)
    }
}

impl std::ops::Add<Duration> for Monotonic {
    type Output = Monotonic;
    fn add(self, d: Duration) -> Monotonic {
        self.plus(d)
    }
}

impl std::fmt::Display for Monotonic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// Both clocks, read at one moment: what every input of the core takes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Now {
    /// The wall clock, for the wire and cookie expiry.
    pub wall: Timestamp,
    /// The monotonic clock, for timers.
    pub mono: Monotonic,
}

impl Now {
    /// The two readings.
    pub const fn new(wall: Timestamp, mono: Monotonic) -> Self {
        Now { wall, mono }
    }

    /// Both clocks at `ms` (virtual time in tests and examples: the monotonic origin
    /// taken at the epoch).
    pub const fn from_millis(ms: u64) -> Self {
        Now {
            wall: Timestamp(ms),
            mono: Monotonic(ms),
        }
    }

    /// Both clocks advanced by `d`.
    pub fn plus(self, d: Duration) -> Self {
        Now {
            wall: self.wall.plus(d),
            mono: self.mono.plus(d),
        }
    }

    /// The moment when the monotonic clock reads `mono`, the wall clock having moved as
    /// much (virtual time: how a test jumps to a deadline).
    pub fn at_mono(self, mono: Monotonic) -> Self {
        if mono >= self.mono {
            self.plus(mono.since(self.mono))
        } else {
            Now {
                wall: Timestamp(
                    self.wall
                        .0
                        .saturating_sub(self.mono.since(mono).as_millis() as u64),
                ),
                mono,
            }
        }
    }
}

impl std::ops::Add<Duration> for Now {
    type Output = Now;
    fn add(self, d: Duration) -> Now {
        self.plus(d)
    }
}

fn millis(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_not_matches_javascript() {
        // Expected values as a JS engine computes `~t` (ToInt32, then NOT), checked in
        // node: `~1546214741416 === -26514857`, `~1700000000000 === 807049215`.
        // 1546214741416 = 360 * 2^32 + 26514856: ToInt32 gives 26514856 (below 2^31),
        // and ~26514856 = -26514857.
        assert_eq!(Timestamp(1_546_214_741_416).js_not(), -26_514_857);
        // 1700000000000 = 395 * 2^32 + 3487918080; that is at least 2^31, so ToInt32 gives
        // 3487918080 - 2^32 = -807049216, and ~(-807049216) = 807049215.
        assert_eq!(Timestamp(1_700_000_000_000).js_not(), 807_049_215);
        assert_eq!(Timestamp(0).js_not(), -1);
        assert_eq!(Timestamp(1).js_not(), -2);
        // 2^31 wraps to -2^31: ~(-2147483648) = 2147483647.
        assert_eq!(Timestamp(1 << 31).js_not(), 2_147_483_647);
        // 2^32 - 1 wraps to -1: ~(-1) = 0.
        assert_eq!(Timestamp(u64::from(u32::MAX)).js_not(), 0);
    }

    #[test]
    fn arithmetic() {
        let t = Timestamp::from_millis(1_000);
        assert_eq!(t.plus(Duration::from_millis(500)).as_millis(), 1_500);
        assert_eq!(t.since(Timestamp(400)), Duration::from_millis(600));
        assert_eq!(Timestamp(400).since(t), Duration::ZERO);
        assert_eq!(Timestamp(1_999).as_secs(), 1);
        assert_eq!(Timestamp(u64::MAX).plus(Duration::MAX), Timestamp(u64::MAX));
    }

    #[test]
    fn monotonic_arithmetic() {
        let m = Monotonic::from_millis(10);
        assert_eq!(m + Duration::from_millis(5), Monotonic(15));
        assert_eq!(Monotonic(15).since(m), Duration::from_millis(5));
        assert_eq!(m.since(Monotonic(15)), Duration::ZERO);
        assert_eq!(m.until(Monotonic(25)), Duration::from_millis(15));
        assert_eq!(Monotonic(25).until(m), Duration::ZERO);
    }

    #[test]
    fn now_moves_both_clocks() {
        let n = Now::new(Timestamp(1_000_000), Monotonic(50));
        let later = n + Duration::from_millis(20);
        assert_eq!(later, Now::new(Timestamp(1_000_020), Monotonic(70)));
        assert_eq!(
            n.at_mono(Monotonic(80)),
            Now::new(Timestamp(1_000_030), Monotonic(80))
        );
        assert_eq!(
            n.at_mono(Monotonic(40)),
            Now::new(Timestamp(999_990), Monotonic(40))
        );
    }
}
