//! Uploads, sans-IO: the caller hands the file's bytes one chunk at a time when the core
//! asks for them ([`CommandEvent::UploadNeedsData`] → [`Client::upload_data`]), so a
//! 50 MB file never needs one big buffer.
//!
//! 1. Without a known md5, a first pass reads the file in 524288-byte pieces to compute
//!    `FileMd5` incrementally ([`DataPurpose::Checksum`]).
//! 2. Files over 25 MB call `webwxcheckupload` (AESKey, Signature; a MediaId in the
//!    answer skips the upload).
//! 3. Each chunk is asked for ([`DataPurpose::Upload`]), sent as its own multipart
//!    request with a seeded boundary, and acknowledged with [`CommandEvent::UploadProgress`];
//!    one chunk is in flight at a time (WebUploader's `threads: 1`), and a failed chunk
//!    is retried from the request already built.
//! 4. The last chunk's answer has the MediaId ([`CommandEvent::Uploaded`]); the send for
//!    the kind follows and ends in `Sent` / `SendFailed`.

use super::{Client, Cmd, CommandEvent, CommandFailure, Inflight, LocalId, Pending, UploadId};
use crate::endpoint::sendappmsg::Attachment;
use crate::endpoint::sendemoticon::Emoticon;
use crate::endpoint::uploadmedia::{self, Chunk};
use crate::endpoint::{checkupload, sendappmsg, sendemoticon, sendmsgimg, sendvideomsg};
use crate::error::{Argument, CommandError, ParseError, ParseErrorKind};
use crate::time::{Now, Timestamp};
use crate::upload::{ChunkPlan, FileHasher, MediaKind, NEED_CHECK_SIZE, js_date_string};
use http::Response;
use serde::{Deserialize, Serialize};

/// What the bytes asked for are used for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DataPurpose {
    /// A first pass computing the file's md5 (skipped when [`FileSpec::md5`] is given).
    Checksum,
    /// The upload itself.
    Upload,
}

/// A file to send: its name and size, and what the caller already knows about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileSpec {
    /// The file name (the extension picks the kind and the MIME type).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its lowercase hex md5, if known (skips the checksum pass).
    pub md5: Option<String>,
    /// Its MIME type (else from the extension).
    pub mime: Option<String>,
    /// Its modification time (else `now`).
    pub last_modified: Option<Timestamp>,
}

impl FileSpec {
    /// A file named `name` of `size` bytes.
    pub fn new(name: &str, size: u64) -> FileSpec {
        FileSpec {
            name: name.to_owned(),
            size,
            md5: None,
            mime: None,
            last_modified: None,
        }
    }

    /// With its md5 known (lowercase hex).
    pub fn md5(mut self, md5: &str) -> FileSpec {
        self.md5 = Some(md5.to_ascii_lowercase());
        self
    }

    /// With a MIME type.
    pub fn mime(mut self, mime: &str) -> FileSpec {
        self.mime = Some(mime.to_owned());
        self
    }

    /// With a modification time.
    pub fn last_modified(mut self, t: Timestamp) -> FileSpec {
        self.last_modified = Some(t);
        self
    }
}

/// The ids of a file send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadHandle {
    /// The send: it ends in `Sent` or `SendFailed`.
    pub local_id: LocalId,
    /// The upload: answer its `UploadNeedsData` with it.
    pub upload: UploadId,
}

/// Where an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Reading the file for its md5; `next` is the next offset wanted.
    Hashing { next: u64 },
    /// `webwxcheckupload` in flight.
    Checking,
    /// Waiting for chunk `chunk`'s bytes.
    AwaitData { chunk: u64 },
    /// Chunk `chunk` in flight.
    Sending { chunk: u64 },
}

/// An upload in progress. (`Debug` hides the AESKey and Signature.)
pub(crate) struct Upload {
    local_id: String,
    to: String,
    kind: MediaKind,
    name: String,
    mime: String,
    last_modified: String,
    plan: ChunkPlan,
    md5: String,
    hasher: Option<FileHasher>,
    stage: Stage,
    client_media_id: u64,
    aes_key: String,
    signature: String,
    wu_file: String,
    sent: u64,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("local_id", &self.local_id)
            .field("kind", &self.kind)
            .field("size", &self.plan.size())
            .field("stage", &self.stage)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Sends a file to `to`, as the official client would for its extension: `bmp png
    /// jpeg jpg` as an image, `mp4` as a video, `gif` as an emoticon, anything else as a
    /// file (an app message). See [`Client::send_file_as`].
    pub fn send_file(
        &mut self,
        now: Now,
        to: &str,
        file: FileSpec,
    ) -> Result<UploadHandle, CommandError> {
        let kind = MediaKind::from_file_name(&file.name);
        self.send_file_as(now, to, file, kind)
    }

    /// Sends a file to `to` as `kind`. Checks the size against
    /// [`Config::limits`](crate::Config) first ([`CommandError::TooLarge`],
    /// [`CommandError::EmptyFile`]: nothing is sent), then asks for the bytes with
    /// [`CommandEvent::UploadNeedsData`].
    pub fn send_file_as(
        &mut self,
        now: Now,
        to: &str,
        file: FileSpec,
        kind: MediaKind,
    ) -> Result<UploadHandle, CommandError> {
        self.check_ready()?;
        if file.size == 0 {
            return Err(CommandError::EmptyFile);
        }
        if file.name.trim().is_empty() {
            return Err(CommandError::empty(Argument::FileName));
        }
        let limit = match kind {
            MediaKind::Image | MediaKind::Emoticon => self.cfg.limits.image,
            MediaKind::Video => self.cfg.limits.video,
            _ => self.cfg.limits.file,
        };
        if file.size > limit {
            return Err(CommandError::TooLarge {
                kind,
                size: file.size,
                limit,
            });
        }
        if let Some(md5) = &file.md5
            && (md5.len() != 32 || !md5.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(CommandError::InvalidMd5 { md5: md5.clone() });
        }
        if let Some(mime) = &file.mime
            && (mime.is_empty() || !mime.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        {
            // It becomes a multipart header line: no CR/LF or other control characters.
            return Err(CommandError::InvalidMime { mime: mime.clone() });
        }
        let to = self.resolve_user_name(to)?;
        let local_id = self.new_local_id(now);
        let id = self.cmds.next();
        let wu_file = format!("WU_FILE_{}", self.cmds.wu_files);
        self.cmds.wu_files += 1;
        let mime = file
            .mime
            .clone()
            .unwrap_or_else(|| crate::upload::mime_type(&file.name).to_owned());
        let (stage, hasher, md5) = match &file.md5 {
            Some(m) => (Stage::Checking, None, m.clone()),
            None => (
                Stage::Hashing { next: 0 },
                Some(FileHasher::new()),
                String::new(),
            ),
        };
        let upload = Upload {
            local_id: local_id.clone(),
            to,
            kind,
            name: file.name.clone(),
            mime,
            last_modified: js_date_string(file.last_modified.unwrap_or(now.wall).as_millis()),
            plan: ChunkPlan::new(file.size),
            md5,
            hasher,
            stage,
            client_media_id: now.wall.as_millis(),
            aes_key: String::new(),
            signature: String::new(),
            wu_file,
            sent: 0,
        };
        self.cmds.sends.insert(local_id.clone(), ());
        self.cmds.uploads.insert(id, upload);
        if file.md5.is_some() {
            self.after_checksum(now, id);
        } else {
            self.ask_data(id);
        }
        Ok(UploadHandle {
            local_id: LocalId(local_id),
            upload: UploadId(id),
        })
    }

    /// Hands the core the bytes `offset..offset + bytes.len()` of an upload's file,
    /// exactly as asked by the last [`CommandEvent::UploadNeedsData`] of `upload`.
    pub fn upload_data(
        &mut self,
        now: Now,
        upload: UploadId,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), CommandError> {
        let id = upload.0;
        let Some(u) = self.cmds.uploads.get_mut(&id) else {
            return Err(CommandError::UnknownUpload { upload });
        };
        let Some((want_offset, want_len, _)) = wanted(u) else {
            return Err(CommandError::UploadNotWaiting { upload });
        };
        if offset != want_offset || bytes.len() as u64 != want_len {
            return Err(CommandError::WrongUploadRange {
                upload,
                offset: want_offset,
                len: want_len,
                got_offset: offset,
                got_len: bytes.len() as u64,
            });
        }
        match u.stage {
            Stage::Hashing { next } => {
                let next = next + want_len;
                if let Some(h) = u.hasher.as_mut() {
                    h.update(bytes);
                }
                if next >= u.plan.size() {
                    u.md5 = u.hasher.take().map(FileHasher::finish).unwrap_or_default();
                    u.stage = Stage::Checking;
                    self.after_checksum(now, id);
                } else {
                    u.stage = Stage::Hashing { next };
                    self.ask_data(id);
                }
            }
            Stage::AwaitData { chunk } => {
                u.stage = Stage::Sending { chunk };
                self.send_chunk(now, id, chunk, bytes);
            }
            Stage::Checking | Stage::Sending { .. } => {}
        }
        Ok(())
    }

    /// Cancels an upload: its send ends in `SendFailed` with
    /// [`CommandFailure::Cancelled`] (a chunk already in flight is not recalled).
    pub fn cancel_upload(&mut self, upload: UploadId) -> Result<(), CommandError> {
        if !self.cmds.uploads.contains_key(&upload.0) {
            return Err(CommandError::UnknownUpload { upload });
        }
        self.fail_upload(upload.0, CommandFailure::Cancelled);
        Ok(())
    }

    /// The md5 is known: check big files, else start the chunks.
    fn after_checksum(&mut self, now: Now, id: u64) {
        let Some(u) = self.cmds.uploads.get_mut(&id) else {
            return;
        };
        if u.plan.size() > NEED_CHECK_SIZE {
            u.stage = Stage::Checking;
            let (to, name, size, md5) =
                (u.to.clone(), u.name.clone(), u.plan.size(), u.md5.clone());
            let Some(req) = self
                .session_ctx(now)
                .map(|ctx| checkupload::build(&ctx, &to, &name, size, &md5))
            else {
                return;
            };
            let t = self.cfg.request_timeout;
            self.dispatch(
                now,
                Pending::Cmd(Cmd::CheckUpload { upload: id }),
                checkupload::NAME,
                req,
                t,
            );
        } else {
            u.stage = Stage::AwaitData { chunk: 0 };
            self.ask_data(id);
        }
    }

    fn ask_data(&mut self, id: u64) {
        let Some((offset, len, purpose)) = self.cmds.uploads.get(&id).and_then(wanted) else {
            return;
        };
        self.emit_cmd(CommandEvent::UploadNeedsData {
            upload: UploadId(id),
            offset,
            len,
            purpose,
        });
    }

    fn send_chunk(&mut self, now: Now, id: u64, chunk: u64, bytes: &[u8]) {
        let boundary = self.state.rng.boundary();
        if self
            .state
            .cookies
            .get(now.wall, "webwx_data_ticket")
            .is_none()
        {
            tracing::warn!(
                upload = id,
                "no webwx_data_ticket cookie: the server will likely refuse the upload"
            );
        }
        let Some(u) = self.cmds.uploads.get(&id) else {
            return;
        };
        // Owned copies of the upload's fields: the context borrows the whole client.
        let (wu_file, name, mime, last_modified, to, md5, aes_key, signature) = (
            u.wu_file.clone(),
            u.name.clone(),
            u.mime.clone(),
            u.last_modified.clone(),
            u.to.clone(),
            u.md5.clone(),
            u.aes_key.clone(),
            u.signature.clone(),
        );
        let (size, chunks, media_type, client_media_id) = (
            u.plan.size(),
            u.plan.chunks(),
            u.kind.media_type(),
            u.client_media_id,
        );
        let Some(req) = self.session_ctx(now).map(|ctx| {
            uploadmedia::build(
                &ctx,
                &Chunk {
                    id: &wu_file,
                    name: &name,
                    mime: &mime,
                    last_modified: &last_modified,
                    size,
                    chunks,
                    chunk,
                    media_type,
                    client_media_id,
                    to: &to,
                    file_md5: &md5,
                    aes_key: &aes_key,
                    signature: &signature,
                    boundary: &boundary,
                    data: bytes,
                },
            )
        }) else {
            return;
        };
        let t = self.cfg.upload_timeout;
        self.dispatch(
            now,
            Pending::Cmd(Cmd::UploadChunk { upload: id, chunk }),
            uploadmedia::NAME,
            req,
            t,
        );
    }

    pub(crate) fn on_checkupload(
        &mut self,
        now: Now,
        inflight: Inflight,
        id: u64,
        resp: Response<Vec<u8>>,
    ) {
        match checkupload::parse(&resp) {
            Ok(r) => {
                let Some(u) = self.cmds.uploads.get_mut(&id) else {
                    return;
                };
                u.aes_key = r.aes_key;
                u.signature = r.signature;
                if r.media_id.is_empty() {
                    u.stage = Stage::AwaitData { chunk: 0 };
                    self.ask_data(id);
                } else {
                    // The server has the file already.
                    self.uploaded(now, id, r.media_id);
                }
            }
            Err(e) => self.cmd_error(now, inflight, e),
        }
    }

    pub(crate) fn on_upload_chunk(
        &mut self,
        now: Now,
        inflight: Inflight,
        id: u64,
        chunk: u64,
        resp: Response<Vec<u8>>,
    ) {
        let r = match uploadmedia::parse(&resp) {
            Ok(r) => r,
            Err(e) => return self.cmd_error(now, inflight, e),
        };
        let Some(u) = self.cmds.uploads.get_mut(&id) else {
            return; // cancelled
        };
        let len = u.plan.chunk(chunk).map_or(0, |r| r.end - r.start);
        u.sent += len;
        let (local_id, sent, total) = (u.local_id.clone(), u.sent, u.plan.size());
        let last = chunk + 1 >= u.plan.chunks();
        if !last {
            u.stage = Stage::AwaitData { chunk: chunk + 1 };
        }
        self.emit_cmd(CommandEvent::UploadProgress {
            upload: UploadId(id),
            local_id: LocalId(local_id),
            sent,
            total,
        });
        if !last {
            self.ask_data(id);
        } else if r.media_id.is_empty() {
            let error = ParseError::new(
                uploadmedia::NAME,
                ParseErrorKind::Missing("MediaId in the last chunk's answer".into()),
                resp.body(),
            );
            self.fail_upload(id, CommandFailure::Protocol { error });
        } else {
            self.uploaded(now, id, r.media_id);
        }
    }

    /// The file is on the server: send it.
    fn uploaded(&mut self, now: Now, id: u64, media_id: String) {
        let Some(u) = self.cmds.uploads.remove(&id) else {
            return;
        };
        self.emit_cmd(CommandEvent::Uploaded {
            upload: UploadId(id),
            local_id: LocalId(u.local_id.clone()),
            media_id: media_id.clone(),
        });
        let desktop = self.state.desktop;
        let local_id = u.local_id.clone();
        let built = self.session_ctx(now).map(|ctx| match u.kind {
            MediaKind::Image => (
                sendmsgimg::NAME,
                sendmsgimg::build(&ctx, &u.to, &media_id, &local_id),
                sendmsgimg::parse as super::SendParser,
            ),
            MediaKind::Video => (
                sendvideomsg::NAME,
                sendvideomsg::build(&ctx, &u.to, &media_id, &local_id),
                sendvideomsg::parse as super::SendParser,
            ),
            MediaKind::Emoticon => (
                sendemoticon::NAME,
                sendemoticon::build(&ctx, &u.to, &Emoticon::MediaId(media_id.clone()), &local_id),
                sendemoticon::parse as super::SendParser,
            ),
            _ => {
                let ext = crate::upload::extension(&u.name);
                let att = Attachment {
                    title: &u.name,
                    size: u.plan.size(),
                    media_id: &media_id,
                    ext,
                    signature: &u.signature,
                };
                (
                    sendappmsg::NAME,
                    sendappmsg::build(&ctx, &u.to, &att, &local_id, desktop),
                    sendappmsg::parse as super::SendParser,
                )
            }
        });
        if let Some((endpoint, req, parse)) = built {
            let class = match u.kind {
                MediaKind::Emoticon => crate::pacing::PaceClass::Message,
                _ => crate::pacing::PaceClass::Media,
            };
            self.in_commands(now, |cmds, ctx, _| {
                cmds.dispatch_send(ctx, &local_id, &u.to, class, endpoint, req, parse)
            });
        }
    }

    pub(crate) fn fail_upload(&mut self, id: u64, error: CommandFailure) {
        if let Some(u) = self.cmds.uploads.remove(&id)
            && let Some(e) = self.cmds.fail_send(&u.local_id, error)
        {
            self.emit_cmd(e);
        }
    }
}

/// The bytes an upload waits for: (offset, len, purpose).
fn wanted(u: &Upload) -> Option<(u64, u64, DataPurpose)> {
    match u.stage {
        Stage::Hashing { next } => {
            let len = (u.plan.size() - next).min(crate::upload::CHUNK_SIZE);
            Some((next, len, DataPurpose::Checksum))
        }
        Stage::AwaitData { chunk } => u
            .plan
            .chunk(chunk)
            .map(|r| (r.start, r.end - r.start, DataPurpose::Upload)),
        Stage::Checking | Stage::Sending { .. } => None,
    }
}
