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
    /// The path holds something that is not a regular file: never replaced.
    NotARegularFile(PathBuf, &'static str),
}

impl std::fmt::Display for SessionFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionFileError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            SessionFileError::Invalid(p, e) => write!(f, "{}: {e}", p.display()),
            SessionFileError::NotARegularFile(p, what) => write!(
                f,
                "{}: {}",
                p.display(),
                WriteError::NotARegularFile(p.clone(), what)
            ),
        }
    }
}

/// Why [`write_private`] wrote nothing.
#[derive(Debug)]
pub enum WriteError {
    /// The path holds something that is not a regular file (a device such as
    /// `/dev/null`, a FIFO, a socket, a directory, a symbolic link): it is never replaced.
    /// The second field names what it is.
    NotARegularFile(PathBuf, &'static str),
    /// Writing failed.
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotARegularFile(_, what) => {
                write!(f, "is a {what}, not a regular file: refusing to replace it")
            }
            WriteError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io(e) => Some(e),
            WriteError::NotARegularFile(..) => None,
        }
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// What `t` is, for [`WriteError::NotARegularFile`]; `None` for a regular file.
fn not_regular(t: std::fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("directory");
    }
    if t.is_symlink() {
        return Some("symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() || t.is_block_device() {
            return Some("device");
        }
        if t.is_fifo() {
            return Some("FIFO");
        }
        if t.is_socket() {
            return Some("socket");
        }
    }
    Some("special file")
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

/// Holds the lock of the session file at `path`: an exclusive lock (`flock`, through
/// `fs4`) on a sidecar file
/// beside it (`.NAME.lock`, mode 0600; the session file itself is replaced by a rename at
/// every save, so it cannot carry the lock). Released when dropped.
pub struct SessionLock {
    _file: std::fs::File,
}

/// Takes the lock of the session file at `path`, waiting for another process holding it.
pub fn lock(path: &Path) -> Result<SessionLock, SessionFileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    let lock_path = dir.join(format!(".{name}.lock"));
    let io = |e| SessionFileError::Io(lock_path.clone(), e);
    let mut open = std::fs::OpenOptions::new();
    open.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let file = open.open(&lock_path).map_err(io)?;
    fs4::fs_std::FileExt::lock_exclusive(&file).map_err(io)?;
    Ok(SessionLock { _file: file })
}

/// Saves `mine` to the session file at `path` under its lock, merged field by field
/// ([`SessionState::merge_shared`]) with what the file holds now: `base` is this
/// process's state as it last read or saved it (so the next `base` is `mine`). Returns
/// what was written, which holds what the other processes added (their sends, pacing,
/// cookies). Nothing is written, and `Ok(None)` returned, when the file now holds another
/// account or a logged-out session (its uin differs from `base`'s) and this process did
/// not log in anew.
pub fn save_shared(
    path: &Path,
    base: &SessionState,
    mine: &SessionState,
) -> Result<Option<SessionState>, SessionFileError> {
    let _lock = lock(path)?;
    let merged = match load(path)? {
        Some(theirs) => {
            let same = |a: &SessionState, b: &SessionState| match (&a.credentials, &b.credentials) {
                (Some(a), Some(b)) => a.uin == b.uin,
                (None, None) => true,
                _ => false,
            };
            if !same(&theirs, base) && mine.credentials == base.credentials {
                tracing::info!("the session file holds another account now; not saved");
                return Ok(None);
            }
            SessionState::merge_shared(base, mine, &theirs)
        }
        None => mine.clone(),
    };
    save(path, &merged)?;
    Ok(Some(merged))
}

/// A session file shared with other processes: remembers this process's state as last
/// read or saved, the `base` of every [`save_shared`].
#[derive(Debug)]
pub struct Shared {
    path: PathBuf,
    base: Option<SessionState>,
}

impl Shared {
    /// The session file at `path`, as this process read it (`None`: it read nothing).
    pub fn new(path: &Path, read: Option<SessionState>) -> Shared {
        Shared {
            path: path.to_owned(),
            base: read,
        }
    }

    /// Saves `mine` merged with what the file holds now ([`save_shared`]); a process that
    /// read nothing writes `mine` as it is. Returns what was written.
    pub fn save(&mut self, mine: &SessionState) -> Result<Option<SessionState>, SessionFileError> {
        let written = match &self.base {
            Some(base) => save_shared(&self.path, base, mine)?,
            None => {
                let _lock = lock(&self.path)?;
                save(&self.path, mine)?;
                Some(mine.clone())
            }
        };
        self.base = Some(mine.clone());
        Ok(written)
    }
}

/// Saves `state` to `path` atomically, mode 0600.
pub fn save(path: &Path, state: &SessionState) -> Result<(), SessionFileError> {
    write_private(path, state.to_json().as_bytes()).map_err(|e| match e {
        WriteError::NotARegularFile(p, what) => SessionFileError::NotARegularFile(p, what),
        WriteError::Io(e) => SessionFileError::Io(path.to_owned(), e),
    })
}

/// Writes `bytes` to `path` through a 0600 temporary file, synced, renamed over `path`;
/// then the directory is synced too, so that the rename itself survives a crash or a
/// power cut (on Unix; elsewhere a directory cannot be opened for that).
///
/// Only a regular file (or nothing) at `path` is replaced: anything else — a device such
/// as `/dev/null` (which a rename as root would replace), a FIFO, a directory, a symbolic
/// link — is refused with [`WriteError::NotARegularFile`] and left as it is. (Checked
/// just before the rename: a path swapped in between by someone who can write the
/// directory is not caught.)
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    check_replaceable(path)?;
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
        check_replaceable(path)?;
        std::fs::rename(&tmp, path).map_err(WriteError::Io)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    Ok(sync_dir(&dir)?)
}

/// Fails unless `path` is missing or a regular file (not followed if it is a link).
fn check_replaceable(path: &Path) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) => match not_regular(m.file_type()) {
            Some(what) => Err(WriteError::NotARegularFile(path.to_owned(), what)),
            None => Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(WriteError::Io(e)),
    }
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

    /// A FIFO, a link to a device (made in a temporary directory: never the real
    /// `/dev/null`), a directory and a link to a regular file are refused and left as
    /// they were; nothing is left behind.
    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        assert!(made, "mkfifo (coreutils) makes the FIFO");
        let device = dir.path().join("null-link");
        std::os::unix::fs::symlink("/dev/null", &device).unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let state = SessionState::new(7, webwx_core::Hosts::default());
        let mut cases = vec![
            (device.clone(), "symbolic link"),
            (link.clone(), "symbolic link"),
            (sub.clone(), "directory"),
        ];
        cases.push((fifo.clone(), "FIFO"));
        for (path, what) in &cases {
            let e = write_private(path, b"x").unwrap_err();
            assert!(
                matches!(&e, WriteError::NotARegularFile(p, w) if p == path && w == what),
                "{}: {e:?}",
                path.display()
            );
            assert!(e.to_string().contains("refusing to replace"), "{e}");
            let e = save(path, &state).unwrap_err();
            assert!(matches!(e, SessionFileError::NotARegularFile(..)), "{e}");
        }
        // All as they were.
        assert_eq!(std::fs::read_link(&device).unwrap(), Path::new("/dev/null"));
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), victim);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(sub.is_dir());
        if made {
            assert!(
                std::fs::symlink_metadata(&fifo)
                    .unwrap()
                    .file_type()
                    .is_fifo()
            );
        }
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.contains(".tmp-")), "{names:?}");
        // A regular file is replaced as before.
        save(&victim, &state).unwrap();
        assert_eq!(load(&victim).unwrap().unwrap(), state);
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
