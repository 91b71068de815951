//! Upload building blocks, all pure: the 524288-byte chunk plan, the media kind and
//! `mediatype` of a file name, the incremental md5, the browser's multipart body and its
//! `lastModifiedDate` text.
//!
//! The [`Client`](crate::Client) drives an upload with these (see
//! [`Client::send_file`](crate::Client::send_file)); they are public for transports and
//! tests.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// WebUploader's `chunkSize` in the official client.
pub const CHUNK_SIZE: u64 = 524_288;

/// Files larger than this (25 MB) call `webwxcheckupload` first (`NEED_CHECK_SIZE`).
pub const NEED_CHECK_SIZE: u64 = 25 * 1024 * 1024;

/// How a file is cut into chunks: `ceil(size / chunk_size)` consecutive ranges, every one
/// `chunk_size` long but the last.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ChunkPlan {
    size: u64,
    chunk_size: u64,
}

impl ChunkPlan {
    /// The plan of a `size`-byte file in [`CHUNK_SIZE`] chunks.
    pub fn new(size: u64) -> ChunkPlan {
        ChunkPlan::with_chunk_size(size, CHUNK_SIZE)
    }

    /// The plan with another chunk size (at least 1).
    pub fn with_chunk_size(size: u64, chunk_size: u64) -> ChunkPlan {
        ChunkPlan {
            size,
            chunk_size: chunk_size.max(1),
        }
    }

    /// The file's size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Number of chunks (0 for an empty file).
    pub fn chunks(&self) -> u64 {
        self.size.div_ceil(self.chunk_size)
    }

    /// Whether the upload is chunked (more than one chunk): only then do the `chunks` and
    /// `chunk` fields go out.
    pub fn is_chunked(&self) -> bool {
        self.chunks() > 1
    }

    /// The byte range of chunk `i`, if there is one.
    pub fn chunk(&self, i: u64) -> Option<Range<u64>> {
        if i >= self.chunks() {
            return None;
        }
        let start = i * self.chunk_size;
        Some(start..start.saturating_add(self.chunk_size).min(self.size))
    }

    /// Every chunk's range, in order.
    pub fn iter(&self) -> impl Iterator<Item = Range<u64>> + '_ {
        (0..self.chunks()).filter_map(|i| self.chunk(i))
    }
}

/// How a file is sent once uploaded.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MediaKind {
    /// `webwxsendmsgimg` Type 3 (bmp, png, jpeg, jpg).
    Image,
    /// `webwxsendvideomsg` Type 43 (mp4).
    Video,
    /// `webwxsendemoticon` with the MediaId (gif).
    Emoticon,
    /// `webwxsendappmsg` Type 6 (anything else).
    File,
}

impl MediaKind {
    /// The official client's choice by extension: `bmp png jpeg jpg` images, `mp4` video,
    /// `gif` emoticon, anything else a file.
    pub fn from_file_name(name: &str) -> MediaKind {
        match extension(name).to_ascii_lowercase().as_str() {
            "bmp" | "png" | "jpeg" | "jpg" => MediaKind::Image,
            "mp4" => MediaKind::Video,
            "gif" => MediaKind::Emoticon,
            _ => MediaKind::File,
        }
    }

    /// The multipart `mediatype` field: `pic`, `video` or `doc` (GIFs go as `doc`).
    pub fn media_type(self) -> &'static str {
        match self {
            MediaKind::Image => "pic",
            MediaKind::Video => "video",
            MediaKind::Emoticon | MediaKind::File => "doc",
        }
    }

    /// The limit kind named in [`crate::CommandError::TooLarge`].
    pub fn limit_name(self) -> &'static str {
        match self {
            MediaKind::Image | MediaKind::Emoticon => "image",
            MediaKind::Video => "video",
            MediaKind::File => "file",
        }
    }
}

/// The extension of `name` without the dot (empty when there is none).
pub fn extension(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => &base[i + 1..],
        _ => "",
    }
}

/// The MIME type a browser gives a file of this name (the `type` field).
pub fn mime_type(name: &str) -> &'static str {
    match extension(name).to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// The md5 of a file, fed in pieces.
#[derive(Clone, Default)]
pub struct FileHasher {
    md5: Md5,
    len: u64,
}

impl std::fmt::Debug for FileHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileHasher")
            .field("len", &self.len)
            .finish()
    }
}

impl FileHasher {
    /// A hasher that has seen nothing.
    pub fn new() -> FileHasher {
        FileHasher::default()
    }

    /// Feeds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.md5.update(bytes);
        self.len += bytes.len() as u64;
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The lowercase hex md5 of everything fed.
    pub fn finish(self) -> String {
        hex::encode(self.md5.finalize())
    }
}

/// The lowercase hex md5 of `bytes`.
pub fn md5_hex(bytes: &[u8]) -> String {
    let mut h = FileHasher::new();
    h.update(bytes);
    h.finish()
}

/// A `multipart/form-data` body, written the way browsers write it.
#[derive(Clone)]
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("boundary", &self.boundary)
            .field("len", &self.body.len())
            .finish()
    }
}

/// Quotes a field or file name as browsers do (`"` → `%22`, CR → `%0D`, LF → `%0A`).
fn quote(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

impl Multipart {
    /// An empty body delimited by `boundary` (e.g. [`crate::rng::Rng::boundary`]).
    pub fn new(boundary: String) -> Multipart {
        Multipart {
            boundary,
            body: Vec::new(),
        }
    }

    /// The `Content-Type` header value.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// Appends a text field.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                self.boundary,
                quote(name)
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// Appends a file field.
    pub fn file(
        &mut self,
        name: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> &mut Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                self.boundary,
                quote(name),
                quote(file_name),
                content_type
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// Closes the body and returns it.
    pub fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        self.body
    }
}

/// JavaScript's `Date.prototype.toString()` of `ms` in UTC, as a browser in a UTC time
/// zone writes `lastModifiedDate`: `Sun Dec 30 2018 23:08:18 GMT+0000 (Coordinated Universal Time)`.
/// (The calendar is the `time` crate's, which the `cookie` crate brings.)
pub fn js_date_string(ms: u64) -> String {
    use cookie::time::OffsetDateTime;
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    // Beyond the calendar's range (year 9999): the epoch, as for any nonsense date.
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    // `Sunday`, `December`: JavaScript writes their first three letters.
    let short = |name: String| name.chars().take(3).collect::<String>();
    format!(
        "{} {} {:02} {} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        short(t.weekday().to_string()),
        short(t.month().to_string()),
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let p = ChunkPlan::new(1_300_000);
        assert_eq!(p.chunks(), 3);
        assert!(p.is_chunked());
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            [0..524_288, 524_288..1_048_576, 1_048_576..1_300_000]
        );
        assert_eq!(p.chunk(3), None);
        assert_eq!(ChunkPlan::new(0).chunks(), 0);
        assert!(!ChunkPlan::new(CHUNK_SIZE).is_chunked());
        assert_eq!(ChunkPlan::new(CHUNK_SIZE + 1).chunks(), 2);
        assert_eq!(ChunkPlan::new(u64::MAX).chunk(0), Some(0..CHUNK_SIZE));
        let last = ChunkPlan::new(u64::MAX).chunks() - 1;
        assert_eq!(ChunkPlan::new(u64::MAX).chunk(last).unwrap().end, u64::MAX);
    }

    #[test]
    fn kinds_by_extension() {
        for (name, kind, mt) in [
            ("a.JPG", MediaKind::Image, "pic"),
            ("a.jpeg", MediaKind::Image, "pic"),
            ("a.png", MediaKind::Image, "pic"),
            ("a.bmp", MediaKind::Image, "pic"),
            ("a.mp4", MediaKind::Video, "video"),
            ("a.gif", MediaKind::Emoticon, "doc"),
            ("a.pdf", MediaKind::File, "doc"),
            ("noext", MediaKind::File, "doc"),
            (".png", MediaKind::File, "doc"),
        ] {
            assert_eq!(MediaKind::from_file_name(name), kind, "{name}");
            assert_eq!(kind.media_type(), mt);
        }
        assert_eq!(extension("dir.x/file"), "");
        assert_eq!(mime_type("IMG_1002.JPG"), "image/jpeg");
        assert_eq!(mime_type("x.unknown"), "application/octet-stream");
    }

    #[test]
    fn md5_incremental_equals_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut h = FileHasher::new();
        for c in data.chunks(333) {
            h.update(c);
        }
        assert_eq!(h.len(), 10_000);
        assert_eq!(h.finish(), md5_hex(&data));
        assert_eq!(md5_hex(b"hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
    }

    #[test]
    fn js_dates() {
        assert_eq!(
            js_date_string(1_546_211_298_739),
            "Sun Dec 30 2018 23:08:18 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            js_date_string(0),
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            js_date_string(951_782_400_000),
            "Tue Feb 29 2000 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
        let _ = js_date_string(u64::MAX);
    }

    #[test]
    fn multipart_shape() {
        let mut m = Multipart::new("----WebKitFormBoundaryX".into());
        m.text("id", "WU_FILE_0")
            .file("filename", "a\"b.jpg", "image/jpeg", b"\x00\x01");
        assert_eq!(
            m.content_type(),
            "multipart/form-data; boundary=----WebKitFormBoundaryX"
        );
        let body = m.finish();
        assert_eq!(
            body,
            b"------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nWU_FILE_0\r\n------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"a%22b.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\x00\x01\r\n------WebKitFormBoundaryX--\r\n"
        );
    }
}
