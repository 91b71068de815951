//! The QR code drawn by the package itself, so that no page needs an `<img>` of the
//! server's QR image (which a browser could only load through the relay).

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG image (a standalone `<svg>` document) of a QR code encoding `content`, at
/// least `min_px` pixels wide with its quiet zone.
pub fn qr_svg(content: &str, min_px: u32) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::new(content.as_bytes())?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_the_login_url() {
        let svg = qr_svg("https://login.weixin.qq.com/l/oZ4yJ1bLsw==", 240).unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg"));
        assert!(svg.contains("width=\""));
        assert!(svg.contains("#000000"));
        // Larger content, more modules: the picture changes with what it encodes.
        let other = qr_svg("https://login.weixin.qq.com/l/another-uuid-entirely==", 240).unwrap();
        assert_ne!(svg, other);
    }

    #[test]
    fn too_long_content_is_an_error() {
        assert!(qr_svg(&"x".repeat(8000), 100).is_err());
    }
}
