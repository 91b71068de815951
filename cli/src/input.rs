//! The file `webwx decode` reads, whole, in memory. A large one (a webwxsync answer of
//! 20,000 messages is ~27 MB) is read into an anonymous mapping advised for transparent
//! huge pages (`MADV_HUGEPAGE`, the machine's default being `madvise`): read into a
//! fresh heap buffer, each of its 4 KiB pages was faulted in one at a time by the
//! read, about a tenth of `webwx decode sync`'s CPU time. Best effort: where the advice
//! is not taken the mapping is ordinary memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use memmap2::MmapMut;

/// From this size on, a file is read into huge pages (one is 2 MiB).
const HUGE: u64 = 2 << 20;

/// The bytes of the file, from `start` (a capture's head can be skipped in place).
pub enum Input {
    /// A small file, standard input, or a file that grew while it was read.
    Heap(Vec<u8>),
    /// A large file: `map[start..len]`.
    Mapped {
        map: MmapMut,
        start: usize,
        len: usize,
    },
}

impl AsRef<[u8]> for Input {
    fn as_ref(&self) -> &[u8] {
        match self {
            Input::Heap(bytes) => bytes,
            Input::Mapped { map, start, len } => &map[*start..*len],
        }
    }
}

impl Input {
    /// The same bytes without their first `n` (for [`webwx_cli::capture::into_response_with`]).
    pub fn skip(self, n: usize) -> Input {
        match self {
            Input::Heap(mut bytes) => {
                bytes.drain(..n);
                Input::Heap(bytes)
            }
            Input::Mapped { map, start, len } => Input::Mapped {
                map,
                start: (start + n).min(len),
                len,
            },
        }
    }
}

/// Reads `path` (`-`: standard input) whole.
pub fn read(path: &Path) -> io::Result<Input> {
    if path.as_os_str() == "-" {
        return webwx_cli::capture::read_input(path).map(Input::Heap);
    }
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let size = meta.len();
    if !meta.is_file() || size < HUGE {
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        return Ok(Input::Heap(bytes));
    }
    let size = usize::try_from(size).map_err(io::Error::other)?;
    // One byte more than the file: a read that fills it means the file grew.
    let mut map = MmapMut::map_anon(size + 1)?;
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    let mut len = 0;
    while len < map.len() {
        match file.read(&mut map[len..]) {
            Ok(0) => return Ok(Input::Mapped { map, start: 0, len }),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut bytes = map[..len].to_vec();
    drop(map);
    file.read_to_end(&mut bytes)?;
    Ok(Input::Heap(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large file and a small one read back as they are, a head skipped in place.
    #[test]
    fn reads_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        for size in [
            0,
            10,
            HUGE as usize - 1,
            HUGE as usize,
            HUGE as usize + 4097,
        ] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let path = dir.path().join("f");
            std::fs::write(&path, &bytes).unwrap();
            let input = read(&path).unwrap();
            assert_eq!(
                matches!(input, Input::Mapped { .. }),
                size >= HUGE as usize,
                "{size}"
            );
            assert!(input.as_ref() == &bytes[..], "{size}");
            let skip = size.min(3);
            assert!(input.skip(skip).as_ref() == &bytes[skip..], "{size}");
        }
    }
}
