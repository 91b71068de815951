//! QR codes: drawn in the terminal (two modules per character cell with the half-block
//! characters of [`Dense1x2`]) and written as a PNG with the `png` crate.

use std::path::Path;

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// The code of `content`.
fn code(content: &str) -> std::io::Result<QrCode> {
    QrCode::new(content.as_bytes()).map_err(|e| std::io::Error::other(format!("QR code: {e}")))
}

/// `content` as text for a terminal. Light modules are drawn as blocks (the code reads
/// right on a dark terminal background, where most phones scan it).
pub fn terminal(content: &str) -> std::io::Result<String> {
    Ok(code(content)?
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

/// The PNG bytes of `content`: black on white, 8 pixels per module, 4-module quiet zone
/// (the gateway's renderer, shared).
pub fn png(content: &str) -> std::io::Result<Vec<u8>> {
    webwx_gateway::qr::png(content)
}

/// Writes the PNG of `content` to `path` as the session files are written: mode 0600
/// through a new file renamed over `path`; anything but a regular file at a `--qr-png`
/// path (a planted link, `/dev/null`, a FIFO) is refused, never written through nor
/// replaced (the default path is in a fresh private directory).
pub fn write_png(content: &str, path: &Path) -> Result<(), crate::session_file::WriteError> {
    crate::session_file::write_private(path, &png(content)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_png() {
        let url = "https://login.weixin.qq.com/l/gbyKnbsmqQ==";
        let t = terminal(url).unwrap();
        assert!(t.lines().count() > 10);
        assert!(t.contains('\u{2588}') || t.contains('\u{2580}') || t.contains('\u{2584}'));
        let p = png(url).unwrap();
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[cfg(unix)]
    #[test]
    fn png_file_is_private_and_never_written_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let path = dir.path().join("webwx-qr-1.png");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        // A planted link is refused: neither written through nor replaced.
        let e = write_png("https://login.weixin.qq.com/l/x==", &path).unwrap_err();
        assert!(
            matches!(e, crate::session_file::WriteError::NotARegularFile(..)),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(std::fs::read_link(&path).unwrap(), victim);
        // A fresh path gets a private PNG.
        let fresh = dir.path().join("webwx-qr-2.png");
        write_png("https://login.weixin.qq.com/l/x==", &fresh).unwrap();
        let meta = std::fs::symlink_metadata(&fresh).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(&std::fs::read(&fresh).unwrap()[..4], b"\x89PNG");
    }
}
