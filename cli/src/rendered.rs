//! JSON rendered ahead of the document it goes into: the typed `AddMsgList` entries of
//! `webwx decode sync`, rendered on two threads in chunks while the body is still being
//! read ([`pipelined`]), and written into the document, a chunk at a time and in their
//! order, by the serializer that writes the rest of it ([`Rendered`]).
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

/// Threads that render the chunks of [`pipelined`].
const THREADS: usize = 2;

/// What a rendering thread hands back for a chunk: its text (UTF-8, checked when it is
/// written), and why it stopped short.
type Done = (Vec<u8>, Option<String>);

/// Renders items on two threads while they are being produced, `chunk` items at a time,
/// and hands the chunks' text back in order.
///
/// `produce` runs on this thread and feeds the items, in order, to the function it is
/// given; each time `chunk` of them are there they go to a rendering thread (the two
/// threads take the chunks in turn; they are started with the first full chunk), so the
/// rendering goes on while `produce` does. `render(i, item, buf)` appends item `i`'s
/// JSON to `buf` (valid UTF-8) or says why it cannot. Then `consume` gets what `produce`
/// returned and the [`Chunks`]: [`Chunks::Few`], the items themselves, when there were
/// fewer than `chunk` (nothing rendered), else [`Chunks::Rendered`], to be written in
/// order ([`Chunks::emit`]). The items before the first failure, in their order, are
/// rendered, none after it. While `produce` runs nothing is written, so the threads
/// render up to `ahead` chunks each ahead of the one being written; memory stays that
/// many chunks whatever the number of items. If `consume` does not take the chunks,
/// the threads stop.
pub fn pipelined<T: Send, P, R>(
    chunk: usize,
    ahead: usize,
    sep: &[u8],
    render: impl Fn(usize, T, &mut Vec<u8>) -> Result<(), String> + Sync,
    produce: impl FnOnce(&mut dyn FnMut(T)) -> P,
    consume: impl FnOnce(P, Chunks<T>) -> R,
) -> R {
    let render = &render;
    std::thread::scope(|scope| {
        let mut pending = Vec::new();
        let mut sent = 0;
        let mut inputs: Vec<mpsc::Sender<(usize, Vec<T>)>> = Vec::new();
        let mut outputs = Vec::new();
        let chunk = chunk.max(1);
        let produced = produce(&mut |item| {
            pending.push(item);
            if pending.len() < chunk {
                return;
            }
            if inputs.is_empty() {
                for _ in 0..THREADS {
                    let (tx, rx) = mpsc::sync_channel::<Done>(ahead.max(1));
                    let (feed, fed) = mpsc::channel::<(usize, Vec<T>)>();
                    inputs.push(feed);
                    outputs.push(rx);
                    scope.spawn(move || render_chunks(fed, tx, sep, render));
                }
            }
            // A thread that stopped (its chunk failed) takes no more: the writer stops
            // at that chunk.
            let _ = inputs[sent % THREADS].send((sent * chunk, std::mem::take(&mut pending)));
            sent += 1;
        });
        let chunks = if inputs.is_empty() {
            Chunks::Few(pending)
        } else {
            if !pending.is_empty() {
                let _ = inputs[sent % THREADS].send((sent * chunk, pending));
                sent += 1;
            }
            // No more input: each thread ends after its last chunk.
            drop(inputs);
            Chunks::Rendered {
                count: sent,
                inboxes: outputs,
            }
        };
        consume(produced, chunks)
    })
}

/// A rendering thread of [`pipelined`]: renders the chunks it is fed, in turn, until
/// there is no more or one fails (or the writer is gone).
fn render_chunks<T>(
    fed: mpsc::Receiver<(usize, Vec<T>)>,
    done: mpsc::SyncSender<Done>,
    sep: &[u8],
    render: &(impl Fn(usize, T, &mut Vec<u8>) -> Result<(), String> + Sync),
) {
    for (first, items) in fed {
        let mut buf = Vec::with_capacity(items.len() * 1024);
        let mut good = 0;
        let mut failure = None;
        for (i, item) in (first..).zip(items) {
            if good > 0 {
                buf.extend_from_slice(sep);
            }
            if let Err(e) = render(i, item, &mut buf) {
                failure = Some(e);
                break;
            }
            good = buf.len();
        }
        buf.truncate(good);
        let failed = failure.is_some();
        // The receiver is gone when the writer stopped: stop too.
        if done.send((buf, failure)).is_err() || failed {
            return;
        }
    }
}

/// The items of [`pipelined`] once all are produced.
pub enum Chunks<T> {
    /// Fewer than a chunk: the items, not rendered.
    Few(Vec<T>),
    /// Rendered on the threads, `count` chunks (chunk `c` from `inboxes[c % 2]`).
    Rendered {
        /// How many chunks.
        count: usize,
        /// Where each thread's chunks come back, in order.
        inboxes: Vec<mpsc::Receiver<Done>>,
    },
}

impl<T> Chunks<T> {
    /// Hands the rendered chunks' text to `emit` in order (the items' JSON joined by the
    /// separator: one chunk is written as one element of the array they go into), and
    /// stops at the first failure, after the text before it. Nothing for [`Chunks::Few`].
    pub fn emit<E: serde::ser::Error>(
        &self,
        mut emit: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let Chunks::Rendered { count, inboxes } = self else {
            return Ok(());
        };
        for c in 0..*count {
            let (text, failure) = inboxes[c % THREADS]
                .recv()
                .map_err(|_| E::custom("a rendering thread stopped"))?;
            if !text.is_empty() {
                // serde_json wrote it from `&str`s, so this holds; checked by simdutf8
                // (the standard library's check of the 14 MB of a large sync answer's
                // chunks was ~2.5 % of `decode sync`).
                let text = simdutf8::basic::from_utf8(&text)
                    .map_err(|_| E::custom("rendered JSON is not UTF-8"))?;
                emit(text)?;
            }
            if let Some(e) = failure {
                return Err(E::custom(e));
            }
        }
        Ok(())
    }
}
