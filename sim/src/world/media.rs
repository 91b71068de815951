//! Media the server holds: uploads in progress, uploaded files and the bytes
//! behind every media message, sent or injected.

use std::sync::Arc;

/// Bytes the server can serve back.
#[derive(Debug)]
pub(crate) struct Blob {
    /// The account that may download it.
    pub uin: u64,
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub md5: String,
    pub mime: &'static str,
}

/// A chunked upload being reassembled.
#[derive(Debug)]
pub(crate) struct Upload {
    pub total_len: u64,
    pub chunks: Vec<Option<Vec<u8>>>,
    pub file_name: String,
    pub file_md5: Option<String>,
    /// When the first chunk arrived (the world's monotonic time).
    pub created: std::time::Duration,
}

impl Upload {
    pub(crate) fn received(&self) -> u64 {
        self.chunks.iter().flatten().map(|c| c.len() as u64).sum()
    }

    pub(crate) fn complete(&self) -> bool {
        self.chunks.iter().all(Option::is_some)
    }
}

/// Guesses a content type from the first bytes and the file name.
pub(crate) fn sniff_mime(bytes: &[u8], file_name: &str) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        "image/jpeg"
    } else if bytes.len() > 8 && &bytes[4..8] == b"ftyp" {
        "video/mp4"
    } else if bytes.starts_with(b"ID3") || bytes.starts_with(&[0xFF, 0xFB]) {
        "audio/mp3"
    } else {
        let lower = file_name.to_ascii_lowercase();
        match lower.rsplit('.').next() {
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("png") => "image/png",
            Some("gif") => "image/gif",
            Some("mp4") => "video/mp4",
            Some("mp3") => "audio/mp3",
            _ => "application/octet-stream",
        }
    }
}

/// Width and height of a PNG, GIF or JPEG, if recognisable.
pub(crate) fn image_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.starts_with(b"\x89PNG") && b.len() >= 24 {
        let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
        let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
        return Some((w, h));
    }
    if b.starts_with(b"GIF8") && b.len() >= 10 {
        return Some((
            u16::from_le_bytes([b[6], b[7]]) as u32,
            u16::from_le_bytes([b[8], b[9]]) as u32,
        ));
    }
    if b.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xFF {
                return None;
            }
            let marker = b[i + 1];
            let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
            if (0xC0..=0xC3).contains(&marker) {
                let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u32;
                let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u32;
                return Some((w, h));
            }
            i += 2 + len;
        }
    }
    None
}

/// Shared handle to a blob.
pub(crate) type BlobRef = Arc<Blob>;
