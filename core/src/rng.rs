//! The core's seeded random number generator and the random ids of the protocol.
//!
//! The core never asks the OS for randomness. The caller passes a seed; the generator's
//! state is part of [`crate::SessionState`], so a restored session continues the same
//! sequence and a fixed seed gives byte-stable requests in tests.

use crate::time::Timestamp;
use crate::wire::record::record;
use serde::{Deserialize, Serialize};

/// SplitMix64: small, fast, statistically fine for ids (not for cryptography; nothing here
/// needs it: the web client itself uses `Math.random()`).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Rng {
    state: u64,
}

record!(Rng = Rng::new(0); {
    Error "state" => state: Deserialize::deserialize,
});

impl std::fmt::Debug for Rng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rng { .. }")
    }
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// Mixes `seed` into the state: a process that restores a saved session beside
    /// another one (a one-shot command beside a running login) draws its own sequence, so
    /// two of them never make the same ClientMsgId in the same millisecond.
    pub fn mix(&mut self, seed: u64) {
        self.state ^= seed.rotate_left(17);
        self.next_u64();
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), without modulo bias worth mentioning for small `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// `n` random decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// A fresh `DeviceID`: `e` followed by 15 digits, as the official client's
    /// `'e' + ("" + Math.random().toFixed(15)).substring(2, 17)`. The official client draws a
    /// new one for every request, and so does the core.
    pub fn device_id(&mut self) -> String {
        format!("e{}", self.digits(15))
    }

    /// A multipart boundary in the style of the browser's (`----WebKitFormBoundary` + 16 chars).
    pub fn boundary(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let tail: String = (0..16)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len() as u64) as usize]))
            .collect();
        format!("----WebKitFormBoundary{tail}")
    }
}

/// Builds `ClientMsgId`/`LocalID` values: 17 digits, the 13-digit millisecond time followed by
/// 4 random digits (the official client appends `Math.random().toFixed(3)` without its dot,
/// so the first of the four is `0`; so is ours).
///
/// Ids are strictly increasing within a session even when two are made in the same
/// millisecond, so that two sends never share an id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MsgIdGen {
    last: u64,
}

record!(MsgIdGen = MsgIdGen::default(); {
    Error "last" => last: Deserialize::deserialize,
});

impl MsgIdGen {
    /// Takes the later of both generators (another process sharing the saved session
    /// made ids too): the next id is above every id either made.
    pub fn merge(&mut self, other: &MsgIdGen) {
        self.last = self.last.max(other.last);
    }

    /// The next id for a message created at `now`.
    pub fn next(&mut self, now: Timestamp, rng: &mut Rng) -> String {
        let candidate = now
            .as_millis()
            .saturating_mul(10_000)
            .saturating_add(rng.below(1_000));
        let id = if candidate > self.last {
            candidate
        } else {
            self.last.saturating_add(1)
        };
        self.last = id;
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_id_shape() {
        let mut r = Rng::new(7);
        for _ in 0..100 {
            let d = r.device_id();
            assert_eq!(d.len(), 16);
            assert!(d.starts_with('e'));
            assert!(d[1..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        assert_eq!(a.device_id(), b.device_id());
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn msg_ids_are_17_digits_and_increasing() {
        let mut rng = Rng::new(3);
        let mut g = MsgIdGen::default();
        let now = Timestamp(1_546_214_741_416);
        let mut prev = 0u64;
        for _ in 0..50 {
            let id = g.next(now, &mut rng);
            assert_eq!(id.len(), 17, "{id}");
            assert!(id.starts_with("15462147414160"));
            let v: u64 = id.parse().unwrap();
            assert!(v > prev);
            prev = v;
        }
    }

    #[test]
    fn msg_ids_never_overflow() {
        // At the end of time every step saturates at u64::MAX instead of wrapping to a
        // small id (or panicking in a debug build).
        let mut rng = Rng::new(3);
        let mut g = MsgIdGen::default();
        let ids: Vec<String> = (0..3)
            .map(|_| g.next(Timestamp(u64::MAX), &mut rng))
            .collect();
        assert_eq!(ids, ["18446744073709551615"; 3]);
        // Just below: ms * 10000 saturates, and later ids never go back.
        let mut g = MsgIdGen::default();
        let t = Timestamp(u64::MAX / 10_000);
        let first: u64 = g.next(t, &mut rng).parse().unwrap();
        assert_eq!(first / 10_000, 1_844_674_407_370_955);
        let second: u64 = g.next(t, &mut rng).parse().unwrap();
        assert!(second > first, "{second} > {first}");
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(9);
        for n in 1..200 {
            assert!(r.below(n) < n);
        }
    }
}
