//! JSON rendered ahead of the document it goes into: the typed `AddMsgList` entries of
//! `webwx decode sync`, rendered on two threads in chunks ([`in_order`]) and written
//! into the document, a chunk at a time and in their order, by the serializer that
//! writes the rest of it ([`Rendered`]).
//!
//! Every entry is rendered exactly as the serializer of the whole document would write
//! it in its place: compact, or pretty-printed at its depth ([`PrettyAt`], serde_json's
//! `PrettyFormatter` started deeper), redacted or not. `decode::tests` holds the output
//! of this path to the byte against the one-thread path.

use std::io;
use std::sync::mpsc;

use serde::Serialize;
use serde::ser::SerializeStruct;
use serde_json::ser::Formatter;

use crate::redacting::{RAW_VALUE_TOKEN, Redacted};

/// JSON text already rendered (and redacted): serde_json's serializer writes it as it
/// is, where a value goes, as it writes a `RawValue`. (Any other serializer sees a
/// struct with one string field.) Nothing checks it again: it must be one JSON value,
/// or, as an element of an array, several elements joined by [`Style::separator`].
pub struct Rendered<'a>(pub &'a str);

impl Serialize for Rendered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct(RAW_VALUE_TOKEN, 1)?;
        st.serialize_field(RAW_VALUE_TOKEN, self.0)?;
        st.end()
    }
}

/// serde_json's `PrettyFormatter` (two spaces a level) for a value that sits `depth`
/// levels deep in a pretty-printed document: its inner lines and its closing bracket
/// are indented as the whole document's formatter would indent them.
#[derive(Debug, Clone, Copy)]
pub struct PrettyAt {
    level: usize,
    has_value: bool,
}

impl PrettyAt {
    /// A formatter for a value `depth` levels deep (0: the document itself).
    pub fn new(depth: usize) -> PrettyAt {
        PrettyAt {
            level: depth,
            has_value: false,
        }
    }

    /// Opens an array or object (`bracket`) one level deeper.
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Closes an array or object (`bracket`), on a line of its own when it held anything.
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    /// Starts an element or a key on a new, indented line (after a comma unless `first`).
    fn next_line<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 32] = b"                                ";
        let mut left = self.level * 2;
        while left > 0 {
            let n = left.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }
}

impl Formatter for PrettyAt {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next_line(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next_line(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// How a value is rendered: what `webwx decode`'s flags ask for, and where it sits.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// One line (`--compact`).
    pub compact: bool,
    /// Secrets redacted (no `--show-secrets`).
    pub redact: bool,
    /// Levels deep in the document (for the pretty indentation).
    pub depth: usize,
}

impl Style {
    /// What the serializer writes between two elements of an array whose elements are
    /// rendered in this style (`depth` levels deep): `,`, or `,` and a new line indented
    /// to `depth`.
    pub fn separator(&self) -> Vec<u8> {
        let mut sep = Vec::new();
        let written = if self.compact {
            serde_json::ser::CompactFormatter.begin_array_value(&mut sep, false)
        } else {
            PrettyAt::new(self.depth).begin_array_value(&mut sep, false)
        };
        written.expect("writing to a Vec cannot fail");
        sep
    }
}

/// Appends `value` rendered in `style` to `buf`.
pub fn render<T: Serialize + ?Sized>(
    buf: &mut Vec<u8>,
    value: &T,
    style: Style,
) -> serde_json::Result<()> {
    if style.compact {
        let mut ser = serde_json::Serializer::new(buf);
        if style.redact {
            Redacted(value).serialize(&mut ser)
        } else {
            value.serialize(&mut ser)
        }
    } else {
        let mut ser = serde_json::Serializer::with_formatter(buf, PrettyAt::new(style.depth));
        if style.redact {
            Redacted(value).serialize(&mut ser)
        } else {
            value.serialize(&mut ser)
        }
    }
}

/// Renders items `0..n` on two threads, `chunk` items at a time (the threads take the
/// chunks in turn), and hands each chunk's text to `emit` in the order of the items: the
/// items' JSON joined by `sep` (what the serializer writes between two elements of the
/// array they go into, [`Style::separator`]), so that one chunk is written as one element
/// of that array. `render(i, buf)` appends item `i`'s JSON to `buf` (valid UTF-8), or
/// says why it cannot; the first failure, in the order of the items, stops everything:
/// the items before it have been emitted, none after it. At most six chunks are rendered
/// ahead of the one being emitted, so memory stays a few chunks whatever `n` is.
pub fn in_order<E: serde::ser::Error>(
    n: usize,
    chunk: usize,
    sep: &[u8],
    render: impl Fn(usize, &mut Vec<u8>) -> Result<(), String> + Sync,
    mut emit: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    const THREADS: usize = 2;
    let chunk = chunk.max(1);
    let chunks = n.div_ceil(chunk);
    let render = &render;
    std::thread::scope(|scope| {
        let mut inboxes = Vec::with_capacity(THREADS);
        for worker in 0..THREADS {
            // (the chunk's text, why it stopped short)
            let (tx, rx) = mpsc::sync_channel::<(String, Option<String>)>(2);
            inboxes.push(rx);
            scope.spawn(move || {
                for c in (worker..chunks).step_by(THREADS) {
                    let items = c * chunk..((c + 1) * chunk).min(n);
                    let mut buf = Vec::with_capacity(items.len() * 1024);
                    let mut good = 0;
                    let mut failure = None;
                    for i in items {
                        if good > 0 {
                            buf.extend_from_slice(sep);
                        }
                        if let Err(e) = render(i, &mut buf) {
                            failure = Some(e);
                            break;
                        }
                        good = buf.len();
                    }
                    buf.truncate(good);
                    let text = String::from_utf8(buf).unwrap_or_else(|e| {
                        failure = Some(format!("rendered JSON is not UTF-8: {e}"));
                        String::new()
                    });
                    let failed = failure.is_some();
                    // The receiver is gone when the writer stopped: stop too.
                    if tx.send((text, failure)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        for c in 0..chunks {
            let (text, failure) = inboxes[c % THREADS]
                .recv()
                .map_err(|_| E::custom("a rendering thread stopped"))?;
            if !text.is_empty() {
                emit(&text)?;
            }
            if let Some(e) = failure {
                return Err(E::custom(e));
            }
        }
        Ok(())
    })
}
