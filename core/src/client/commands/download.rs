//! Media downloads.

use super::{Client, CommandFailure, Inflight};
use crate::time::Timestamp;
use http::Response;
use serde::Serialize;

/// What to download.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Download {}

/// A downloaded media.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct DownloadedMedia {}

impl std::fmt::Debug for DownloadedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DownloadedMedia")
    }
}

#[derive(Debug)]
pub(crate) struct PendingDownload {}

impl Client {
    pub(crate) fn on_download(
        &mut self,
        _now: Timestamp,
        _inflight: Inflight,
        _download: u64,
        _resp: Response<Vec<u8>>,
    ) {
    }

    pub(crate) fn finish_download(
        &mut self,
        _download: u64,
        _result: Result<DownloadedMedia, CommandFailure>,
    ) {
    }
}
