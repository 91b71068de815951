//! Hex MD5, as the protocol writes it (`FileMd5`, `md5=` attributes, /_sim/sent).

use md5::{Digest, Md5};

/// Lowercase hex MD5 of `bytes`.
///
/// The simulator's own, as it shares no code with the client it tests; its tests use it
/// too (`webwx_sim::md5_hex`).
pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        assert_eq!(super::md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(super::md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
