//! Saved sessions on disk: JSON written atomically (a temporary file created with mode
//! 0600 in the same directory, then renamed over the target), so a crash never leaves a
//! half-written session and no other user can ever read one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use webwx_core::SessionState;

/// Why a session file could not be used.
#[derive(Debug)]
pub enum SessionFileError {
    /// Reading or writing failed.
    Io(PathBuf, std::io::Error),
    /// The file is not a session this version can read.
    Invalid(PathBuf, String),
}

impl std::fmt::Display for SessionFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionFileError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            SessionFileError::Invalid(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

/// The largest session file read (a real one is a few hundred KiB at most: the seen ids,
/// the cookies and our own contact).
pub const MAX_SESSION_FILE: u64 = 16 * 1024 * 1024;

/// Loads the session at `path`; `Ok(None)` when there is no file. A file larger than
/// [`MAX_SESSION_FILE`] is refused before it is read.
pub fn load(path: &Path) -> Result<Option<SessionState>, SessionFileError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SessionFileError::Io(path.to_owned(), e)),
    };
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(file, MAX_SESSION_FILE + 1),
        &mut text,
    )
    .map_err(|e| SessionFileError::Io(path.to_owned(), e))?;
    if text.len() as u64 > MAX_SESSION_FILE {
        return Err(SessionFileError::Invalid(
            path.to_owned(),
            format!("larger than {MAX_SESSION_FILE} bytes: not a session file"),
        ));
    }
    SessionState::from_json(&text)
        .map(Some)
        .map_err(|e| SessionFileError::Invalid(path.to_owned(), e.to_string()))
}

/// Saves `state` to `path` atomically, mode 0600.
pub fn save(path: &Path, state: &SessionState) -> Result<(), SessionFileError> {
    write_private(path, state.to_json().as_bytes())
        .map_err(|e| SessionFileError::Io(path.to_owned(), e))
}

/// Writes `bytes` to `path` through a 0600 temporary file, synced, renamed over `path`;
/// then the directory is synced too, so that the rename itself survives a crash or a
/// power cut (on Unix; elsewhere a directory cannot be opened for that).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert!(load(&path).unwrap().is_none());
        let state = SessionState::new(7, webwx_core::Hosts::default());
        save(&path, &state).unwrap();
        save(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap().unwrap(), state);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::write(&path, "nope").unwrap();
        assert!(matches!(load(&path), Err(SessionFileError::Invalid(..))));
    }

    #[test]
    fn an_oversized_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(MAX_SESSION_FILE + 1).unwrap();
        let e = load(&path).unwrap_err();
        assert!(matches!(e, SessionFileError::Invalid(..)), "{e}");
        assert!(e.to_string().contains("not a session file"), "{e}");
    }
}
