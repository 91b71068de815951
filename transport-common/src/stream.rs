//! Downloads streamed to a host's writer instead of a whole `Vec<u8>`: what the drivers'
//! `download_to` share.
//!
//! The core still owns the protocol: it builds each attempt's request and decides on
//! retries. The driver hands each attempt (a [`StreamJob::Fetch`]) to the caller's thread
//! or task, which sends it and reads the answer's head and first [`PREFIX`] bytes. An
//! answer the core's own [`check_media`] accepts is streamed into the writer, 64 KiB at
//! a time, and the core gets a head-only response marked [`Streamed`]; anything else (an
//! error status, a JSON refusal, a failure before the first byte reached the writer)
//! goes to the core whole, as for any download, to judge and retry. A transfer that
//! breaks after bytes reached the writer cannot be retried into it: the download fails.
//! Memory stays at the prefix and one buffer, whatever the size of the media.

use std::io::Write;

use http::Response;
use webwx_core::client::Transmit;
use webwx_core::media::{Streamed, check_media};
use webwx_core::{
    CommandError, CommandEvent, CommandFailure, DownloadId, Event, TransportErrorKind,
};

/// How many bytes of a download's answer are read before deciding to stream it.
pub const PREFIX: usize = 64 * 1024;

/// The size of the buffer bytes are copied through.
pub const CHUNK: usize = 64 * 1024;

/// What the session loop hands the caller of `download_to`.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamJob {
    /// Send this attempt and stream its answer.
    Fetch(Box<Transmit>),
    /// The download is over.
    Done(Result<StreamedDownload, CommandFailure>),
}

/// A download streamed to a writer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamedDownload {
    /// Bytes written.
    pub len: u64,
    /// The server's `Content-Type`, or empty.
    pub content_type: String,
    /// A file name safe to write (see [`webwx_core::safe_file_name`]).
    pub file_name: String,
}

impl StreamedDownload {
    /// `len` bytes of `content_type`, to save as `file_name`.
    pub fn new(len: u64, content_type: String, file_name: String) -> StreamedDownload {
        StreamedDownload {
            len,
            content_type,
            file_name,
        }
    }
}

/// When `e` ends a download (`Downloaded` or `DownloadFailed`), which one and how, for
/// its `download_to` caller (the length is the caller's own count).
pub fn ended(e: &Event) -> Option<(DownloadId, Result<StreamedDownload, CommandFailure>)> {
    match e {
        Event::Command(CommandEvent::Downloaded { download, media }) => Some((
            *download,
            Ok(StreamedDownload::new(
                0,
                media.content_type.clone(),
                media.file_name.clone(),
            )),
        )),
        Event::Command(CommandEvent::DownloadFailed { download, error }) => {
            Some((*download, Err(error.clone())))
        }
        _ => None,
    }
}

/// Why `download_to` wrote no whole media.
#[derive(Debug)]
#[non_exhaustive]
pub enum DownloadError {
    /// Refused before anything was sent (not logged in, an empty id…).
    Rejected(CommandError),
    /// The download failed (refused, transport, the session ended…). Bytes may have
    /// reached the writer already when the transfer broke mid-way.
    Failed(CommandFailure),
    /// The writer failed; the download was abandoned.
    Write(std::io::Error),
}

impl std::fmt::Display for DownloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DownloadError::Rejected(e) => write!(f, "download rejected: {e}"),
            DownloadError::Failed(e) => write!(f, "download failed: {e}"),
            DownloadError::Write(e) => write!(f, "writing the download failed: {e}"),
        }
    }
}

impl std::error::Error for DownloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DownloadError::Rejected(e) => Some(e),
            DownloadError::Failed(e) => Some(e),
            DownloadError::Write(e) => Some(e),
        }
    }
}

/// Whether the answer whose head is `head` and whose first bytes are `prefix` is to be
/// streamed: the core's own checks of a media answer pass on it.
pub fn accepts(endpoint: &str, head: &http::response::Parts, prefix: &[u8]) -> bool {
    let mut probe = Response::new(prefix.to_vec());
    *probe.status_mut() = head.status;
    *probe.headers_mut() = head.headers.clone();
    check_media(endpoint, &probe).is_ok()
}

/// The head-only response the core gets for a streamed answer.
pub fn streamed_response(head: &http::response::Parts, streamed: Streamed) -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = head.status;
    *r.headers_mut() = head.headers.clone();
    r.extensions_mut().insert(streamed);
    r
}

/// Writes `prefix` then whatever `next_chunk` reads into `writer` (blocking), counting
/// the bytes. Returns the marker for the core; a writer failure is kept in `write_error`.
pub fn copy_blocking(
    prefix: &[u8],
    mut read: impl FnMut(&mut [u8]) -> std::io::Result<usize>,
    writer: &mut (impl Write + ?Sized),
    classify: impl Fn(&std::io::Error) -> TransportErrorKind,
    write_error: &mut Option<std::io::Error>,
) -> Streamed {
    let mut len = 0u64;
    if let Err(e) = writer.write_all(prefix) {
        *write_error = Some(e);
        return Streamed::broken(len, TransportErrorKind::Other);
    }
    len += prefix.len() as u64;
    let mut buf = vec![0u8; CHUNK];
    loop {
        match read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Err(e) = writer.write_all(&buf[..n]) {
                    *write_error = Some(e);
                    return Streamed::broken(len, TransportErrorKind::Other);
                }
                len += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Streamed::broken(len, classify(&e)),
        }
    }
    if let Err(e) = writer.flush() {
        *write_error = Some(e);
        return Streamed::broken(len, TransportErrorKind::Other);
    }
    Streamed::complete(len)
}

/// The result the caller of `download_to` gets from the loop's `Done`, the bytes it
/// wrote in the last attempt and its own writer error.
pub fn outcome(
    done: Result<StreamedDownload, CommandFailure>,
    len: u64,
    write_error: Option<std::io::Error>,
) -> Result<StreamedDownload, DownloadError> {
    match (done, write_error) {
        (Ok(d), _) => Ok(StreamedDownload { len, ..d }),
        (Err(_), Some(e)) => Err(DownloadError::Write(e)),
        (Err(f), None) => Err(DownloadError::Failed(f)),
    }
}
