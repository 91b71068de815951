//! The commands phase's own state: every command accepted and not finished yet, and
//! which request serves which.

use super::{CommandEvent, CommandFailure, DownloadId, LocalId, OpId, OpKind};
use crate::endpoint::sendmsg::SendResponse;
use crate::error::ResponseError;
use crate::sorted_map::SortedMap;
use http::Response;

/// Parses the answer of one of the send endpoints.
pub(crate) type SendParser = fn(&Response<Vec<u8>>) -> Result<SendResponse, ResponseError>;

/// An in-flight command request.
#[derive(Debug, Clone)]
pub(crate) enum Cmd {
    /// A send endpoint.
    Send { local_id: String, parse: SendParser },
    /// `webwxcheckupload` of an upload.
    CheckUpload { upload: u64 },
    /// One chunk of an upload.
    UploadChunk { upload: u64, chunk: u64 },
    /// A media download.
    Download { download: u64 },
    /// An operation.
    Op { op: u64, what: OpKind },
}

/// The commands phase: what it alone reads and writes (everything accepted and not
/// finished yet). The client hands it a [`Ctx`](crate::client::ctx::Ctx) and the phase the
/// session is in (to read), and what another phase owns as arguments (the group size
/// from which `invitemember` is used, from startup); an answer or a final failure
/// returns a [`Step`](crate::client::ctx::Step) for what only the client may do (retry,
/// end the session).
#[derive(Debug, Default)]
pub(crate) struct Commands {
    pub(super) next_id: u64,
    /// Sends not finished (by LocalID), including those still uploading.
    pub(super) sends: SortedMap<String, ()>,
    /// Uploads in progress.
    pub(super) uploads: SortedMap<u64, super::upload::Upload>,
    /// Downloads in progress.
    pub(super) downloads: SortedMap<u64, super::download::PendingDownload>,
    /// Operations in progress.
    pub(super) ops: SortedMap<u64, OpKind>,
    /// WebUploader's file counter (`WU_FILE_n`).
    pub(super) wu_files: u64,
}

impl Commands {
    /// Whether `cmd` still belongs to an unfinished command (a cancelled upload's chunk,
    /// or a request of a command that already ended, is not sent again).
    pub(crate) fn is_live(&self, cmd: &Cmd) -> bool {
        match cmd {
            Cmd::Send { local_id, .. } => self.sends.contains_key(local_id),
            Cmd::CheckUpload { upload } | Cmd::UploadChunk { upload, .. } => {
                self.uploads.contains_key(upload)
            }
            Cmd::Download { download } => self.downloads.contains_key(download),
            Cmd::Op { op, .. } => self.ops.contains_key(op),
        }
    }

    pub(super) fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Number of commands not finished yet.
    pub(crate) fn pending(&self) -> usize {
        self.sends.len() + self.downloads.len() + self.ops.len()
    }

    /// Fails every pending command when the session ends: their failures, for the
    /// client to report (it has no [`Ctx`](crate::client::ctx::Ctx) then).
    pub(crate) fn fail_all_pending(&mut self) -> Vec<CommandEvent> {
        let mut failed = Vec::new();
        for (local_id, ()) in std::mem::take(&mut self.sends) {
            failed.push(CommandEvent::SendFailed {
                local_id: LocalId(local_id),
                error: CommandFailure::SessionEnded,
            });
        }
        self.uploads.clear();
        for (id, _) in std::mem::take(&mut self.downloads) {
            failed.push(CommandEvent::DownloadFailed {
                download: DownloadId(id),
                error: CommandFailure::SessionEnded,
            });
        }
        for (id, what) in std::mem::take(&mut self.ops) {
            failed.push(CommandEvent::OpFailed {
                op: OpId(id),
                what,
                error: CommandFailure::SessionEnded,
            });
        }
        failed
    }
}
