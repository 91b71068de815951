//! The QR code of a login as a PNG (`GET /v1/accounts/{id}/qr.png`): black on white,
//! 8 pixels per module, a 4-module quiet zone; rendered from the QR's URL with `qrcode`
//! and written with `png`.

use qrcode::{Color, QrCode};

/// Pixels per module.
const SCALE: usize = 8;
/// Quiet zone around the code, in modules (the standard asks for 4).
const QUIET: usize = 4;

/// The PNG bytes of `content`.
///
/// ```
/// let png = webwx_gateway::qr::png("https://login.weixin.qq.com/l/abc").unwrap();
/// assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
/// ```
pub fn png(content: &str) -> std::io::Result<Vec<u8>> {
    let code = QrCode::new(content.as_bytes())
        .map_err(|e| std::io::Error::other(format!("QR code: {e}")))?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![0xffu8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for dy in 0..SCALE {
            let start = (my * SCALE + dy) * side + mx * SCALE;
            pixels[start..start + SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    {
        let side = u32::try_from(side).map_err(std::io::Error::other)?;
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(&pixels)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)?;
    }
    Ok(out)
}
