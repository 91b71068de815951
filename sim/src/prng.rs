//! The simulator's only source of randomness: a seeded SplitMix64.
//!
//! Everything the simulator invents (uins, user names, tickets, message ids,
//! generated contacts) comes from here, so a fixed `--seed` gives the same
//! accounts and ids run after run.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for test data.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// A generator derived from a seed and a stream number (independent streams).
    pub(crate) fn derive(seed: u64, stream: u64) -> Self {
        let mut g = SplitMix64::new(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        g.next_u64();
        g
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.next_u64() % n
    }

    /// A value in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` lowercase hex digits.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        self.pick_chars(n, LOWER_HEX)
    }

    /// `n` characters of the URL-safe base64 alphabet.
    pub(crate) fn url_safe(&mut self, n: usize) -> String {
        self.pick_chars(n, URL_SAFE)
    }

    /// `n` ASCII letters and digits.
    pub(crate) fn alnum(&mut self, n: usize) -> String {
        self.pick_chars(n, ALNUM)
    }

    /// `n` decimal digits (the first one non-zero).
    pub(crate) fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        for i in 0..n {
            let d = if i == 0 {
                self.range(1, 9)
            } else {
                self.below(10)
            };
            s.push(char::from(b'0' + d as u8));
        }
        s
    }

    /// `n` random bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(n + 8);
        while v.len() < n {
            v.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        v.truncate(n);
        v
    }

    fn pick_chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut c = SplitMix64::derive(7, 1);
        let mut d = SplitMix64::derive(7, 2);
        assert_ne!(c.next_u64(), d.next_u64());
    }

    #[test]
    fn known_first_value() {
        // Reference value of SplitMix64 seeded with 0.
        let mut g = SplitMix64::new(0);
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn helpers_shapes() {
        let mut g = SplitMix64::new(3);
        assert_eq!(g.hex(32).len(), 32);
        assert!(
            g.hex(64)
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let d = g.digits(19);
        assert_eq!(d.len(), 19);
        assert_ne!(d.as_bytes()[0], b'0');
        for _ in 0..1000 {
            let u = g.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(g.range(3, 5) >= 3);
        }
    }
}
