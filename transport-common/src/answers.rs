//! Answers to boundary commands on a driver: the [`PendingAnswer`] a caller waits on
//! (blocking or `.await`), and the [`FsHost`] that gives the core's tracker local files
//! (`send_file` by `path`, downloads saved under `save_to`).

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use webwx_core::boundary::{Answer, Completion, ErrorInfo, ErrorKind, Host};
use webwx_core::media::{DownloadedMedia, safe_file_name};
use webwx_core::{LocalId, UploadHandle, UploadId};

use crate::files::FileSource;

#[derive(Default)]
struct Slot {
    value: Option<Completion>,
    /// The session loop dropped the sender without answering (it ended).
    closed: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
struct Inner {
    slot: Mutex<Slot>,
    ready: Condvar,
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The sending half, kept by the session loop until the command's completion.
pub(crate) struct Reply(Arc<Inner>);

impl Reply {
    pub(crate) fn send(self, c: Completion) {
        let mut s = self.0.lock();
        s.value = Some(c);
        if let Some(w) = s.waker.take() {
            w.wake();
        }
        drop(s);
        self.0.ready.notify_all();
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.closed = true;
        if let Some(w) = s.waker.take() {
            w.wake();
        }
        drop(s);
        self.0.ready.notify_all();
    }
}

/// The answer to a command submitted with [`Session::submit`](crate::Session::submit),
/// once its outcome is known: wait for it ([`PendingAnswer::wait`], blocking) or
/// `.await` it (its output is the [`Completion`]; turn it into the [`Answer`] with
/// [`finish`], which saves a download: do that off the async runtime's threads).
///
/// A session that stops without answering answers `session_ended`.
pub struct PendingAnswer {
    inner: Arc<Inner>,
    id: Option<webwx_core::boundary::CommandId>,
}

impl std::fmt::Debug for PendingAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAnswer")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

pub(crate) fn pending(id: Option<webwx_core::boundary::CommandId>) -> (Reply, PendingAnswer) {
    let inner = Arc::new(Inner::default());
    (Reply(inner.clone()), PendingAnswer { inner, id })
}

impl PendingAnswer {
    fn take(&self, s: &mut Slot) -> Option<Completion> {
        if let Some(c) = s.value.take() {
            return Some(c);
        }
        s.closed.then(|| Completion {
            ticket: webwx_core::boundary::Ticket(0),
            id: self.id.clone(),
            result: Err(ErrorInfo::new(
                ErrorKind::SessionEnded,
                "the session stopped",
            )),
        })
    }

    /// Blocks until the answer is known (a download saved under `save_to` on this
    /// thread).
    pub fn wait(self) -> Answer {
        let mut s = self.inner.lock();
        loop {
            if let Some(c) = self.take(&mut s) {
                drop(s);
                return finish(c);
            }
            s = self.inner.ready.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Like [`PendingAnswer::wait`], giving up (and returning `self`) after `timeout`.
    pub fn wait_timeout(self, timeout: Duration) -> Result<Answer, PendingAnswer> {
        let deadline = std::time::Instant::now() + timeout;
        let mut s = self.inner.lock();
        loop {
            if let Some(c) = self.take(&mut s) {
                drop(s);
                return Ok(finish(c));
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                drop(s);
                return Err(self);
            }
            s = self
                .inner
                .ready
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Future for PendingAnswer {
    type Output = Completion;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Completion> {
        let mut s = self.inner.lock();
        match self.take(&mut s) {
            Some(c) => Poll::Ready(c),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// The answer of `c`, a download saved under its `save_to` ([`save_download`]).
pub fn finish(c: Completion) -> Answer {
    c.answer(|media, to| {
        save_download(media, Path::new(to))
            .map(|p| p.display().to_string())
            .map_err(|e| ErrorInfo::new(ErrorKind::Io, format!("cannot save to {to}: {e}")))
    })
}

/// Saves a download without ever overwriting a file: into `to` when it is a directory
/// (under the media's safe file name, with ` (1)`, ` (2)`… before the extension when
/// taken), else as the new file `to`. Returns the path written.
pub fn save_download(media: &DownloadedMedia, to: &Path) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let create = |p: &Path| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
    };
    let (path, mut file) = if to.is_dir() {
        let name = safe_file_name(&media.file_name);
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 => (&name[..i], &name[i..]),
            _ => (name.as_str(), ""),
        };
        let mut n = 0u32;
        loop {
            let candidate = if n == 0 {
                to.join(&name)
            } else {
                to.join(format!("{stem} ({n}){ext}"))
            };
            match create(&candidate) {
                Ok(f) => break (candidate, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => n += 1,
                Err(e) => return Err(e),
            }
        }
    } else {
        (to.to_owned(), create(to)?)
    };
    file.write_all(&media.bytes)?;
    file.sync_all()?;
    Ok(path)
}

/// The [`Host`] of the drivers: local files through `std::fs`; uploads by path are
/// registered with the driver's own feeding.
pub(crate) struct FsHost<'a> {
    pub(crate) uploads: &'a mut HashMap<UploadId, (LocalId, FileSource)>,
}

impl Host for FsHost<'_> {
    fn file_info(&mut self, path: &str) -> Result<(String, u64), ErrorInfo> {
        let spec = FileSource::spec_for_path(Path::new(path))
            .map_err(|e| ErrorInfo::new(ErrorKind::Io, format!("{path}: {e}")))?;
        Ok((spec.name, spec.size))
    }

    fn upload_from_path(&mut self, upload: &UploadHandle, path: &str) {
        self.uploads.insert(
            upload.upload,
            (
                upload.local_id.clone(),
                FileSource::Path(PathBuf::from(path)),
            ),
        );
    }

    fn check_save_to(&mut self, save_to: &str) -> Result<(), ErrorInfo> {
        let p = Path::new(save_to);
        if p.is_dir() {
            return Ok(());
        }
        if p.exists() {
            return Err(ErrorInfo::new(
                ErrorKind::Io,
                format!("{save_to} exists and is not a directory (never overwritten)"),
            ));
        }
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        match parent {
            Some(d) if !d.is_dir() => Err(ErrorInfo::new(
                ErrorKind::Io,
                format!("no directory {}", d.display()),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webwx_core::media::{Download, MediaBody};

    fn media(name: &str) -> DownloadedMedia {
        let mut m = DownloadedMedia::new(
            &Download::Voice { msg_id: "1".into() },
            MediaBody {
                bytes: b"abc".to_vec(),
                content_type: "audio/mp3".into(),
            },
        );
        m.file_name = name.into();
        m
    }

    #[test]
    fn saving_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("webwx-save-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a = save_download(&media("a.mp3"), &dir).unwrap();
        let b = save_download(&media("a.mp3"), &dir).unwrap();
        let c = save_download(&media("../evil"), &dir).unwrap();
        assert_eq!(a, dir.join("a.mp3"));
        assert_eq!(b, dir.join("a (1).mp3"));
        assert_eq!(c, dir.join("_evil"));
        assert_eq!(std::fs::read(&b).unwrap(), b"abc");
        let named = dir.join("named.bin");
        save_download(&media("x"), &named).unwrap();
        let again = save_download(&media("x"), &named).unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        let mut host_uploads = HashMap::new();
        let mut host = FsHost {
            uploads: &mut host_uploads,
        };
        assert!(host.check_save_to(dir.to_str().unwrap()).is_ok());
        assert!(host.check_save_to(named.to_str().unwrap()).is_err());
        assert!(host.check_save_to("/nonexistent-dir-webwx/x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_dropped_reply_answers_session_ended() {
        let (reply, pending) = super::pending(Some(7u64.into()));
        drop(reply);
        let a = pending.wait();
        assert_eq!(a.answer, Some(7u64.into()));
        assert_eq!(a.into_result().unwrap_err().kind, ErrorKind::SessionEnded);
        let (reply, pending) = super::pending(None);
        let pending = pending.wait_timeout(Duration::from_millis(10)).unwrap_err();
        std::thread::spawn(move || {
            reply.send(Completion {
                ticket: webwx_core::boundary::Ticket(1),
                id: None,
                result: Ok(webwx_core::boundary::Done::Result(
                    webwx_core::boundary::CommandResult::LoggedOut {},
                )),
            })
        });
        assert!(pending.wait().into_result().is_ok());
    }
}
