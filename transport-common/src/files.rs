//! Files to upload: where their bytes come from, read one chunk at a time when the core
//! asks ([`CommandEvent::UploadNeedsData`](webwx_core::CommandEvent::UploadNeedsData)).

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use webwx_core::{CommandError, FileSpec};

/// Where the bytes of a file to send come from.
#[derive(Clone)]
#[non_exhaustive]
pub enum FileSource {
    /// Bytes in memory.
    Bytes(Arc<[u8]>),
    /// A file on disk, read one chunk (at most 512 KiB) at a time.
    Path(PathBuf),
}

impl fmt::Debug for FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            FileSource::Path(p) => write!(f, "Path({})", p.display()),
        }
    }
}

impl From<Vec<u8>> for FileSource {
    fn from(v: Vec<u8>) -> Self {
        FileSource::Bytes(v.into())
    }
}

impl From<Arc<[u8]>> for FileSource {
    fn from(v: Arc<[u8]>) -> Self {
        FileSource::Bytes(v)
    }
}

impl From<&[u8]> for FileSource {
    fn from(v: &[u8]) -> Self {
        FileSource::Bytes(v.into())
    }
}

impl From<PathBuf> for FileSource {
    fn from(p: PathBuf) -> Self {
        FileSource::Path(p)
    }
}

impl From<&Path> for FileSource {
    fn from(p: &Path) -> Self {
        FileSource::Path(p.to_owned())
    }
}

impl FileSource {
    /// Bytes `offset..offset + len`.
    pub fn read(&self, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        match self {
            FileSource::Bytes(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let end = usize::try_from(offset.saturating_add(len)).unwrap_or(usize::MAX);
                b.get(start..end).map(<[u8]>::to_vec).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "range beyond the data")
                })
            }
            FileSource::Path(p) => {
                let mut f = std::fs::File::open(p)?;
                f.seek(SeekFrom::Start(offset))?;
                let mut buf = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
                f.read_exact(&mut buf)?;
                Ok(buf)
            }
        }
    }

    /// The [`FileSpec`] of a file on disk: its name and size (the md5 is computed by the
    /// core from a first reading pass).
    pub fn spec_for_path(path: &Path) -> Result<FileSpec, SendFileError> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(SendFileError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                SendFileError::Command(CommandError::empty(webwx_core::Argument::FileName))
            })?;
        Ok(FileSpec::new(&name, meta.len()))
    }
}

/// Why a file could not be sent.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendFileError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The core refused the command.
    Command(CommandError),
}

impl fmt::Display for SendFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendFileError::Io(e) => write!(f, "cannot read the file: {e}"),
            SendFileError::Command(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SendFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SendFileError::Io(e) => Some(e),
            SendFileError::Command(e) => Some(e),
        }
    }
}

impl From<std::io::Error> for SendFileError {
    fn from(e: std::io::Error) -> Self {
        SendFileError::Io(e)
    }
}

impl From<CommandError> for SendFileError {
    fn from(e: CommandError) -> Self {
        SendFileError::Command(e)
    }
}
