//! Pictures the simulator draws itself: the login QR code, avatars and the
//! placeholder images of injected media messages. All PNG.

use qrcode::{Color, QrCode};

/// Encodes an RGB image as PNG.
pub(crate) fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png header to a Vec");
        w.write_image_data(rgb).expect("png data to a Vec");
    }
    out
}

/// A PNG of the QR code of `text`: 10 pixels per module, 4 modules of quiet zone.
pub(crate) fn qr_png(text: &str) -> Vec<u8> {
    let code = match QrCode::new(text.as_bytes()) {
        Ok(c) => c,
        Err(_) => return placeholder(64, 64, 0),
    };
    let modules = code.width();
    let colors = code.to_colors();
    let scale = 10usize;
    let quiet = 4usize;
    let side = (modules + 2 * quiet) * scale;
    let mut rgb = vec![255u8; side * side * 3];
    for y in 0..modules {
        for x in 0..modules {
            if colors[y * modules + x] == Color::Dark {
                for dy in 0..scale {
                    let py = (y + quiet) * scale + dy;
                    let row = py * side * 3;
                    for dx in 0..scale {
                        let px = (x + quiet) * scale + dx;
                        let i = row + px * 3;
                        rgb[i] = 0;
                        rgb[i + 1] = 0;
                        rgb[i + 2] = 0;
                    }
                }
            }
        }
    }
    encode_png(side as u32, side as u32, &rgb)
}

fn hash(s: &str) -> u64 {
    // FNV-1a, enough to give each name its own colours.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A 64x64 identicon-like avatar for a user name.
pub(crate) fn avatar(user_name: &str) -> Vec<u8> {
    let h = hash(user_name);
    let fg = [
        (h >> 8) as u8 | 0x40,
        (h >> 16) as u8 | 0x20,
        (h >> 24) as u8 | 0x30,
    ];
    let side = 64usize;
    let cell = 8usize;
    let mut rgb = vec![240u8; side * side * 3];
    for cy in 0..8 {
        for cx in 0..4 {
            let bit = (h >> ((cy * 4 + cx) % 64)) & 1 == 1;
            if !bit {
                continue;
            }
            for x in [cx, 7 - cx] {
                for dy in 0..cell {
                    for dx in 0..cell {
                        let i = ((cy * cell + dy) * side + x * cell + dx) * 3;
                        rgb[i..i + 3].copy_from_slice(&fg);
                    }
                }
            }
        }
    }
    encode_png(side as u32, side as u32, &rgb)
}

/// A plain picture of `w` x `h` with a gradient picked by `seed`.
pub(crate) fn placeholder(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            rgb.push((x * 255 / w.max(1)) as u8 ^ seed as u8);
            rgb.push((y * 255 / h.max(1)) as u8 ^ (seed >> 8) as u8);
            rgb.push(128 ^ (seed >> 16) as u8);
        }
    }
    encode_png(w, h, &rgb)
}

/// The classic 1x1 transparent GIF.
pub(crate) const TINY_GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
    0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pngs_decode() {
        for bytes in [
            qr_png("https://login.weixin.qq.com/l/abc=="),
            avatar("@x"),
            placeholder(30, 20, 7),
        ] {
            let dec = png::Decoder::new(std::io::Cursor::new(bytes));
            let reader = dec.read_info().expect("valid png");
            assert!(reader.info().width > 0);
        }
    }
}
