//! Uploads (sans-IO): the caller hands the file's bytes in chunks.

use super::{Client, CommandFailure, Inflight};
use crate::time::Timestamp;
use http::Response;
use serde::{Deserialize, Serialize};

/// What the bytes asked for are used for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DataPurpose {
    /// A first pass computing the file's md5.
    Checksum,
    /// The upload itself.
    Upload,
}

/// A file to upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSpec {
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// The ids of a file send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadHandle {
    /// The send.
    pub local_id: super::LocalId,
    /// The upload.
    pub upload: super::UploadId,
}

#[derive(Debug)]
pub(crate) struct Upload {}

impl Client {
    pub(crate) fn on_checkupload(
        &mut self,
        _now: Timestamp,
        _inflight: Inflight,
        _upload: u64,
        _resp: Response<Vec<u8>>,
    ) {
    }

    pub(crate) fn on_upload_chunk(
        &mut self,
        _now: Timestamp,
        _inflight: Inflight,
        _upload: u64,
        _chunk: u32,
        _resp: Response<Vec<u8>>,
    ) {
    }

    pub(crate) fn fail_upload(&mut self, _upload: u64, _error: CommandFailure) {}
}
