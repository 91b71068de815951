//! Media the server holds: uploads in progress, uploaded files and the bytes
//! behind every media message, sent or injected.

use std::sync::Arc;
use std::time::Duration;

use super::World;

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

/// Largest file accepted (100 MB).
pub(crate) const MAX_FILE: u64 = 100 * 1024 * 1024;

/// Uploads of an account by the client's `ClientMediaId/id/name`.
pub(crate) type UploadKey = (u64, String);

/// A chunked upload as a chunk announces it (what the first one starts).
#[derive(Debug)]
pub(crate) struct UploadStart {
    /// `TotalLen` (0: unknown).
    pub total_len: u64,
    /// How many chunks.
    pub chunks: usize,
    pub file_name: String,
    /// `FileMd5`, lowercase, if sent.
    pub file_md5: Option<String>,
}

/// What a chunk did to its upload.
#[derive(Debug)]
pub(crate) enum Chunk {
    /// More bytes than the upload can hold, or another chunk count: the upload is dropped.
    Refused,
    /// Uploads would hold more than `--max-upload-memory`: the upload is dropped.
    OverMemory {
        /// Bytes held before this chunk.
        held: u64,
        /// The bound.
        cap: u64,
    },
    /// Stored; more chunks to come. Bytes received so far.
    Stored(u64),
    /// The last chunk: the whole upload, no longer held.
    Complete(Upload),
}

impl World {
    /// Bytes of uploads held: chunks of uploads in progress and the files stored.
    fn upload_memory(&self) -> u64 {
        let chunks: u64 = self.uploads.values().map(Upload::received).sum();
        let files: u64 = self.media.values().map(|b| b.bytes.len() as u64).sum();
        chunks + files
    }

    /// Chunk number `chunk` of upload `key` (started with `start` if new) arrives with
    /// `data`. Uploads abandoned for an hour are forgotten first.
    pub(crate) fn receive_chunk(
        &mut self,
        key: UploadKey,
        start: UploadStart,
        chunk: usize,
        data: &[u8],
    ) -> Chunk {
        let now = self.mono_now();
        self.uploads
            .retain(|_, u| now.saturating_sub(u.created) < Duration::from_secs(3600));
        let held = self.upload_memory();
        let cap = self.max_upload_memory;
        let chunks = start.chunks;
        let up = self.uploads.entry(key.clone()).or_insert_with(|| Upload {
            total_len: start.total_len,
            chunks: vec![None; start.chunks],
            file_name: start.file_name,
            file_md5: start.file_md5,
            created: now,
        });
        // More bytes than the upload can hold: refused now rather than kept until the
        // last chunk (a resent chunk replaces its earlier copy).
        let limit = if up.total_len > 0 {
            up.total_len
        } else {
            MAX_FILE
        };
        let replaced = up
            .chunks
            .get(chunk)
            .and_then(Option::as_ref)
            .map_or(0, Vec::len);
        let others = up.received() - replaced as u64;
        if up.chunks.len() != chunks || others + data.len() as u64 > limit {
            self.uploads.remove(&key);
            return Chunk::Refused;
        }
        // One global bound on what uploads may hold, whoever sends them (a simulator
        // listening beyond loopback takes requests from anyone who reaches it).
        if held - replaced as u64 + data.len() as u64 > cap {
            self.uploads.remove(&key);
            self.bump("uploads_refused_memory");
            return Chunk::OverMemory { held, cap };
        }
        up.chunks[chunk] = Some(data.to_vec());
        if !up.complete() {
            let got = up.received();
            self.bump("upload_chunks");
            return Chunk::Stored(got);
        }
        Chunk::Complete(self.uploads.remove(&key).expect("present"))
    }

    /// A signature (and an AES key) for a big upload of `uin` (webwxcheckupload): its
    /// chunks must carry the signature.
    pub(crate) fn sign_upload(&mut self, uin: u64) -> (String, String) {
        let signature = self.rng.hex(64);
        let aes_key = self.rng.hex(32);
        self.accounts
            .get_mut(&uin)
            .expect("session account")
            .signatures
            .push(signature.clone());
        (signature, aes_key)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::world::SimTime;

    fn start(total_len: u64, chunks: usize) -> UploadStart {
        UploadStart {
            total_len,
            chunks,
            file_name: "a.bin".into(),
            file_md5: None,
        }
    }

    fn key(id: &str) -> UploadKey {
        (1, id.to_string())
    }

    fn at(mono_s: u64) -> SimTime {
        SimTime {
            unix: 1_700_000_000 + mono_s,
            mono: Duration::from_secs(mono_s),
        }
    }

    #[test]
    fn chunks_are_held_until_the_last_and_then_handed_back_whole() {
        let mut w = World::new(&SimConfig::default());
        assert!(matches!(
            w.receive_chunk(key("a"), start(5, 2), 1, b"de"),
            Chunk::Stored(2)
        ));
        // A resent chunk replaces its copy.
        assert!(matches!(
            w.receive_chunk(key("a"), start(5, 2), 1, b"de"),
            Chunk::Stored(2)
        ));
        assert_eq!(w.upload_memory(), 2);
        let Chunk::Complete(up) = w.receive_chunk(key("a"), start(5, 2), 0, b"abc") else {
            panic!("the last chunk completes the upload");
        };
        let bytes: Vec<u8> = up.chunks.into_iter().flatten().flatten().collect();
        assert_eq!(bytes, b"abcde");
        assert_eq!(w.upload_memory(), 0, "a complete upload is no longer held");
        assert_eq!(w.counters["upload_chunks"], 2);
    }

    #[test]
    fn a_chunk_past_the_total_or_of_another_count_drops_the_upload() {
        let mut w = World::new(&SimConfig::default());
        w.receive_chunk(key("a"), start(4, 2), 0, b"ab");
        assert!(matches!(
            w.receive_chunk(key("a"), start(4, 2), 1, b"cde"),
            Chunk::Refused
        ));
        assert_eq!(w.upload_memory(), 0);
        w.receive_chunk(key("b"), start(4, 2), 0, b"ab");
        assert!(matches!(
            w.receive_chunk(key("b"), start(4, 3), 1, b"cd"),
            Chunk::Refused
        ));
        assert_eq!(w.upload_memory(), 0);
    }

    #[test]
    fn uploads_never_hold_more_than_the_memory_bound() {
        let cfg = SimConfig {
            max_upload_memory: 10,
            ..SimConfig::default()
        };
        let mut w = World::new(&cfg);
        w.receive_chunk(key("a"), start(0, 2), 0, b"123456");
        let over = w.receive_chunk(key("b"), start(0, 2), 0, b"12345");
        assert!(
            matches!(over, Chunk::OverMemory { held: 6, cap: 10 }),
            "{over:?}"
        );
        assert_eq!(w.counters["uploads_refused_memory"], 1);
        // Resending a held chunk counts only once.
        assert!(matches!(
            w.receive_chunk(key("a"), start(0, 2), 0, b"1234567890"),
            Chunk::Stored(10)
        ));
    }

    #[test]
    fn uploads_abandoned_for_an_hour_are_forgotten_on_the_worlds_time() {
        let mut w = World::new(&SimConfig::default());
        w.advance(at(0));
        w.receive_chunk(key("old"), start(0, 2), 0, b"abc");
        w.advance(at(3599));
        w.receive_chunk(key("new"), start(0, 2), 0, b"de");
        assert_eq!(w.upload_memory(), 5, "not an hour yet");
        w.advance(at(3600));
        w.receive_chunk(key("new"), start(0, 2), 0, b"de");
        assert_eq!(
            w.upload_memory(),
            2,
            "the old one is gone, the new one kept"
        );
    }

    #[test]
    fn a_signed_upload_is_the_accounts() {
        let mut w = World::new(&SimConfig::default());
        let uin = w
            .create_account(&crate::control_types::AccountSpec::default())
            .unwrap();
        let (sig, aes) = w.sign_upload(uin);
        assert_eq!((sig.len(), aes.len()), (64, 32));
        assert_eq!(w.account(uin).unwrap().signatures, [sig]);
    }
}
