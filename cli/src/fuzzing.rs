//! Entry points for the fuzz targets in `fuzz/` that read the command line's own inputs.

/// The capture reader of `webwx decode` (`# comment` lines, a raw HTTP response or a bare
/// body) on arbitrary bytes: never a panic, and a response it accepts keeps a body that is
/// a suffix of the input.
pub fn capture(data: &[u8]) {
    if let Ok(resp) = crate::capture::to_response(data) {
        assert!(
            data.ends_with(resp.body()),
            "the body is the end of the capture"
        );
    }
}

/// A fuzz target's name and its body.
pub type Entry = (&'static str, fn(&[u8]));

/// Every entry point of this module with the name of its fuzz target.
pub fn entries() -> Vec<Entry> {
    vec![("capture", capture as fn(&[u8]))]
}

#[cfg(test)]
mod tests {
    #[test]
    fn capture_entry_point_accepts_anything() {
        for data in [
            &b""[..],
            b"#",
            b"# response: HTTP/1.1 200 OK\nA: b\n\nbody",
            b"HTTP/1.1 999\r\n\r\n",
            b"\xff\xfe# response:",
        ] {
            super::capture(data);
        }
    }
}
