//! Files this program creates where others may also write (the system's temporary
//! directory, a download directory): fresh private directories and downloads that never
//! replace an existing file. Session files and the QR PNG are written atomically by
//! [`crate::session_file::write_private`].

use std::io::Write;
use std::path::{Path, PathBuf};

/// A new directory `BASE/STEM-PID[-N]` of our own (mode 0700 on Unix): never one that
/// already exists, which someone else could have planted in a shared temporary directory.
pub fn fresh_dir(base: &std::path::Path, stem: &str) -> std::io::Result<PathBuf> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let dir = match n {
            0 => base.join(format!("{stem}-{pid}")),
            _ => base.join(format!("{stem}-{pid}-{n}")),
        };
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Writes `bytes` as a new file named `name` (already made safe with
/// `webwx_core::safe_file_name`) in `dir`; when that name is taken, as `stem (1).ext`,
/// `stem (2).ext`... Never replaces or writes through an existing file or link (the file
/// is created with `create_new`). Returns the path written.
pub fn save_new(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    for n in 0..1000u32 {
        let path = match n {
            0 => dir.join(name),
            _ => dir.join(format!("{stem} ({n}){ext}")),
        };
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path);
        match file {
            Ok(mut f) => {
                let written = f.write_all(bytes).and_then(|()| f.sync_all());
                if let Err(e) = written {
                    let _ = std::fs::remove_file(&path);
                    return Err(e);
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{name} and 999 numbered variants already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_dir_never_reuses_an_existing_one() {
        let base = tempfile::tempdir().unwrap();
        let planted = base
            .path()
            .join(format!("webwx-demo-{}", std::process::id()));
        std::fs::create_dir(&planted).unwrap();
        let dir = fresh_dir(base.path(), "webwx-demo").unwrap();
        assert_ne!(dir, planted);
        assert!(dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn downloads_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("photo.jpg"), "mine").unwrap();
        let first = save_new(dir.path(), "photo.jpg", b"a").unwrap();
        let second = save_new(dir.path(), "photo.jpg", b"b").unwrap();
        assert_eq!(first, dir.path().join("photo (1).jpg"));
        assert_eq!(second, dir.path().join("photo (2).jpg"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("photo.jpg")).unwrap(),
            "mine"
        );
        assert_eq!(std::fs::read(&second).unwrap(), b"b");
        let bare = save_new(dir.path(), "README", b"x").unwrap();
        assert_eq!(bare, dir.path().join("README"));
        assert_eq!(
            save_new(dir.path(), "README", b"y").unwrap(),
            dir.path().join("README (1)")
        );
        #[cfg(unix)]
        {
            // A link planted at the name is not written through.
            let victim = dir.path().join("victim");
            std::fs::write(&victim, "keep").unwrap();
            std::os::unix::fs::symlink(&victim, dir.path().join("note.txt")).unwrap();
            let p = save_new(dir.path(), "note.txt", b"z").unwrap();
            assert_eq!(p, dir.path().join("note (1).txt"));
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        }
    }
}
