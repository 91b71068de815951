//! Wall-clock time as the protocol needs it: milliseconds since the Unix epoch, always passed in.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A wall-clock instant in milliseconds since the Unix epoch.
///
/// The core never reads a clock: every method that needs the time takes a `Timestamp`
/// from the caller. WeChat wants wall-clock milliseconds on the wire (`_`, `r`,
/// `ClientMsgId`), which is why this is not an `Instant`.
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
        Timestamp(
            self.0
                .saturating_add(d.as_millis().min(u64::MAX as u128) as u64),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_not_matches_javascript() {
        // In a JS console: ~1546214741416 === 208262552 ... computed by hand:
        // 1546214741416 mod 2^32 = 4086704296 -> as i32 = -208263000; ~x = 208262999
        let t = Timestamp(1_546_214_741_416);
        let low = (t.0 % (1u64 << 32)) as u32 as i32;
        assert_eq!(t.js_not(), i64::from(!low));
        assert_eq!(Timestamp(0).js_not(), -1);
        assert_eq!(Timestamp(1).js_not(), -2);
    }

    #[test]
    fn arithmetic() {
        let t = Timestamp::from_millis(1_000);
        assert_eq!(t.plus(Duration::from_millis(500)).as_millis(), 1_500);
        assert_eq!(t.since(Timestamp(400)), Duration::from_millis(600));
        assert_eq!(Timestamp(400).since(t), Duration::ZERO);
        assert_eq!(Timestamp(1_999).as_secs(), 1);
    }
}
