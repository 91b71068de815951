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

use super::{
    Client, Cmd, CommandEvent, CommandFailure, Commands, Inflight, LocalId, Pending, UploadId,
    check_ready, emit, resolve_user_name,
};
use crate::client::ctx::{Ctx, Step};
use crate::client::{Event, Phase};
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
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.send_file_as(ctx, phase, to, file, kind)
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
        self.in_commands(now, |cmds, ctx, _| {
            cmds.upload_data(ctx, upload, offset, bytes)
        })
    }

    /// Cancels an upload: its send ends in `SendFailed` with
    /// [`CommandFailure::Cancelled`] (a chunk already in flight is not recalled).
    pub fn cancel_upload(&mut self, upload: UploadId) -> Result<(), CommandError> {
        // No `now`, so no context: the phase hands back the failure to report.
        if let Some(e) = self.cmds.cancel_upload(upload)? {
            self.emit(Event::Command(e));
        }
        Ok(())
    }
}

impl Commands {
    fn send_file_as(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        to: &str,
        file: FileSpec,
        kind: MediaKind,
    ) -> Result<UploadHandle, CommandError> {
        check_ready(phase, ctx.state)?;
        if file.size == 0 {
            return Err(CommandError::EmptyFile);
        }
        if file.name.trim().is_empty() {
            return Err(CommandError::empty(Argument::FileName));
        }
        let limit = match kind {
            MediaKind::Image | MediaKind::Emoticon => ctx.cfg.limits.image,
            MediaKind::Video => ctx.cfg.limits.video,
            _ => ctx.cfg.limits.file,
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
        let to = resolve_user_name(ctx.contacts, to)?;
        let local_id = Self::new_local_id(ctx);
        let now = ctx.now;
        let id = self.next();
        let wu_file = format!("WU_FILE_{}", self.wu_files);
        self.wu_files += 1;
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
        self.sends.insert(local_id.clone(), ());
        self.uploads.insert(id, upload);
        if file.md5.is_some() {
            self.after_checksum(ctx, id);
        } else {
            self.ask_data(ctx, id);
        }
        Ok(UploadHandle {
            local_id: LocalId(local_id),
            upload: UploadId(id),
        })
    }

    fn upload_data(
        &mut self,
        ctx: &mut Ctx<'_>,
        upload: UploadId,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), CommandError> {
        let id = upload.0;
        let Some(u) = self.uploads.get_mut(&id) else {
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
                    self.after_checksum(ctx, id);
                } else {
                    u.stage = Stage::Hashing { next };
                    self.ask_data(ctx, id);
                }
            }
            Stage::AwaitData { chunk } => {
                u.stage = Stage::Sending { chunk };
                self.send_chunk(ctx, id, chunk, bytes);
            }
            Stage::Checking | Stage::Sending { .. } => {}
        }
        Ok(())
    }

    /// Cancels an upload: the `SendFailed` of its send, for the caller to report.
    fn cancel_upload(&mut self, upload: UploadId) -> Result<Option<CommandEvent>, CommandError> {
        if !self.uploads.contains_key(&upload.0) {
            return Err(CommandError::UnknownUpload { upload });
        }
        Ok(self.end_upload(upload.0, CommandFailure::Cancelled))
    }

    /// The md5 is known: check big files, else start the chunks.
    fn after_checksum(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some(u) = self.uploads.get_mut(&id) else {
            return;
        };
        if u.plan.size() > NEED_CHECK_SIZE {
            u.stage = Stage::Checking;
            let Some(req) = ctx
                .session_ctx()
                .map(|s| checkupload::build(&s, &u.to, &u.name, u.plan.size(), &u.md5))
            else {
                return;
            };
            let t = ctx.cfg.request_timeout;
            ctx.dispatch(
                Pending::Cmd(Cmd::CheckUpload { upload: id }),
                checkupload::NAME,
                req,
                t,
            );
        } else {
            u.stage = Stage::AwaitData { chunk: 0 };
            self.ask_data(ctx, id);
        }
    }

    fn ask_data(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some((offset, len, purpose)) = self.uploads.get(&id).and_then(wanted) else {
            return;
        };
        emit(
            ctx,
            CommandEvent::UploadNeedsData {
                upload: UploadId(id),
                offset,
                len,
                purpose,
            },
        );
    }

    fn send_chunk(&mut self, ctx: &mut Ctx<'_>, id: u64, chunk: u64, bytes: &[u8]) {
        let boundary = ctx.state.rng.boundary();
        if ctx
            .state
            .cookies
            .get(ctx.now.wall, "webwx_data_ticket")
            .is_none()
        {
            tracing::warn!(
                upload = id,
                "no webwx_data_ticket cookie: the server will likely refuse the upload"
            );
        }
        let Some(u) = self.uploads.get(&id) else {
            return;
        };
        let Some(req) = ctx.session_ctx().map(|s| {
            uploadmedia::build(
                &s,
                &Chunk {
                    id: &u.wu_file,
                    name: &u.name,
                    mime: &u.mime,
                    last_modified: &u.last_modified,
                    size: u.plan.size(),
                    chunks: u.plan.chunks(),
                    chunk,
                    media_type: u.kind.media_type(),
                    client_media_id: u.client_media_id,
                    to: &u.to,
                    file_md5: &u.md5,
                    aes_key: &u.aes_key,
                    signature: &u.signature,
                    boundary: &boundary,
                    data: bytes,
                },
            )
        }) else {
            return;
        };
        let t = ctx.cfg.upload_timeout;
        ctx.dispatch(
            Pending::Cmd(Cmd::UploadChunk { upload: id, chunk }),
            uploadmedia::NAME,
            req,
            t,
        );
    }

    /// The answer to `webwxcheckupload`.
    pub(super) fn on_checkupload(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        id: u64,
        resp: Response<Vec<u8>>,
    ) -> Step {
        match checkupload::parse(&resp) {
            Ok(r) => {
                let Some(u) = self.uploads.get_mut(&id) else {
                    return Step::Stay;
                };
                u.aes_key = r.aes_key;
                u.signature = r.signature;
                if r.media_id.is_empty() {
                    u.stage = Stage::AwaitData { chunk: 0 };
                    self.ask_data(ctx, id);
                } else {
                    // The server has the file already.
                    self.uploaded(ctx, id, r.media_id);
                }
                Step::Stay
            }
            Err(e) => Self::refused(inflight, e),
        }
    }

    /// The answer to a chunk.
    pub(super) fn on_upload_chunk(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        id: u64,
        chunk: u64,
        resp: Response<Vec<u8>>,
    ) -> Step {
        let r = match uploadmedia::parse(&resp) {
            Ok(r) => r,
            Err(e) => return Self::refused(inflight, e),
        };
        let Some(u) = self.uploads.get_mut(&id) else {
            return Step::Stay; // cancelled
        };
        let len = u.plan.chunk(chunk).map_or(0, |r| r.end - r.start);
        u.sent += len;
        let (local_id, sent, total) = (u.local_id.clone(), u.sent, u.plan.size());
        let last = chunk + 1 >= u.plan.chunks();
        if !last {
            u.stage = Stage::AwaitData { chunk: chunk + 1 };
        }
        emit(
            ctx,
            CommandEvent::UploadProgress {
                upload: UploadId(id),
                local_id: LocalId(local_id),
                sent,
                total,
            },
        );
        if !last {
            self.ask_data(ctx, id);
        } else if r.media_id.is_empty() {
            let error = ParseError::new(
                uploadmedia::NAME,
                ParseErrorKind::Missing("MediaId in the last chunk's answer".into()),
                resp.body(),
            );
            self.fail_upload(ctx, id, CommandFailure::Protocol { error });
        } else {
            self.uploaded(ctx, id, r.media_id);
        }
        Step::Stay
    }

    /// The file is on the server: send it.
    fn uploaded(&mut self, ctx: &mut Ctx<'_>, id: u64, media_id: String) {
        let Some(u) = self.uploads.remove(&id) else {
            return;
        };
        emit(
            ctx,
            CommandEvent::Uploaded {
                upload: UploadId(id),
                local_id: LocalId(u.local_id.clone()),
                media_id: media_id.clone(),
            },
        );
        let desktop = ctx.state.desktop;
        let local_id = u.local_id.clone();
        let built = ctx.session_ctx().map(|s| match u.kind {
            MediaKind::Image => (
                sendmsgimg::NAME,
                sendmsgimg::build(&s, &u.to, &media_id, &local_id),
                sendmsgimg::parse as super::SendParser,
            ),
            MediaKind::Video => (
                sendvideomsg::NAME,
                sendvideomsg::build(&s, &u.to, &media_id, &local_id),
                sendvideomsg::parse as super::SendParser,
            ),
            MediaKind::Emoticon => (
                sendemoticon::NAME,
                sendemoticon::build(&s, &u.to, &Emoticon::MediaId(media_id.clone()), &local_id),
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
                    sendappmsg::build(&s, &u.to, &att, &local_id, desktop),
                    sendappmsg::parse as super::SendParser,
                )
            }
        });
        if let Some((endpoint, req, parse)) = built {
            let class = match u.kind {
                MediaKind::Emoticon => crate::pacing::PaceClass::Message,
                _ => crate::pacing::PaceClass::Media,
            };
            self.dispatch_send(ctx, &local_id, &u.to, class, endpoint, req, parse);
        }
    }

    /// Ends an upload (and its send) in failure, once.
    pub(super) fn fail_upload(&mut self, ctx: &mut Ctx<'_>, id: u64, error: CommandFailure) {
        if let Some(e) = self.end_upload(id, error) {
            emit(ctx, e);
        }
    }

    /// Ends an upload (and its send) in failure: its send's `SendFailed`, for the caller
    /// to report.
    fn end_upload(&mut self, id: u64, error: CommandFailure) -> Option<CommandEvent> {
        let u = self.uploads.remove(&id)?;
        self.fail_send(&u.local_id, error)
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
