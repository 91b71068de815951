//! Everything `webwx` writes for a person goes through here, so that no contact can
//! write to the terminal: nick names, file names, app titles, URLs, system texts and
//! server messages are remote text, and a control character in them (ESC, CSI, OSC 52,
//! a bare CR) could clear the screen, fake event lines or write the clipboard; a bidi
//! control could make a line read differently from what it holds.
//!
//! [`clean`] strips C0 and C1 controls and DEL (a line break is kept only where the
//! format allows it, else shown as `⏎`; a tab becomes a space) and the bidi controls
//! (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069). [`out`] and [`err`] write one
//! cleaned line. JSON output (`--json`, `webwx decode`) is not human output: serde_json
//! escapes C0 controls there, and the text stays exactly what the server sent; it goes
//! through [`out_raw`], as does our own QR drawing.
//!
//! The crate denies `println!`/`eprintln!` elsewhere (clippy `print_stdout`,
//! `print_stderr`), so a new print cannot bypass this module.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::borrow::Cow;
use std::io::Write;

/// What a line break in remote text becomes in a one-line format.
pub const NEWLINE_MARK: &str = " ⏎ ";

/// Whether `c` is never written to a terminal: C0 controls, DEL, C1 controls, bidi
/// controls. `\n` is handled by the caller.
fn is_stripped(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The Unicode bidi controls: ALM, LRM, RLM, LRE..RLO, LRI..PDI.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `s` safe for a terminal: controls and bidi controls stripped, a tab as a space, a line
/// break (`\n`, `\r\n`, U+2028, U+2029) kept when `multiline`, else shown as
/// [`NEWLINE_MARK`]. Borrowed when nothing had to change.
pub fn clean(s: &str, multiline: bool) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_stripped(c) || c == '\u{2028}' || c == '\u{2029}')
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\u{2028}' | '\u{2029}' => {
                if multiline {
                    out.push('\n');
                } else {
                    out.push_str(NEWLINE_MARK);
                }
            }
            '\t' => out.push(' '),
            c if is_stripped(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One line of remote-derived text on stdout, cleaned (a line break inside shown as `⏎`),
/// flushed at once (a pipe reader sees each event as it happens).
pub fn out(line: &str) {
    write_line(&mut std::io::stdout().lock(), &clean(line, false));
}

/// One line on stderr, cleaned (a line break inside shown as `⏎`).
pub fn err(line: &str) {
    write_line(&mut std::io::stderr().lock(), &clean(line, false));
}

/// Several lines on stdout, cleaned, line breaks kept (the demo's paragraphs).
pub fn out_multiline(text: &str) {
    write_line(&mut std::io::stdout().lock(), &clean(text, true));
}

/// Text that is not remote human text: JSON documents and lines (C0 escaped by
/// serde_json), and the QR drawing this program made itself.
pub fn out_raw(text: &str) {
    write_line(&mut std::io::stdout().lock(), text);
}

/// Our own QR drawing on stderr.
pub fn err_raw(text: &str) {
    write_line(&mut std::io::stderr().lock(), text);
}

fn write_line(w: &mut impl Write, s: &str) {
    let _ = writeln!(w, "{s}");
    let _ = w.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_stripped() {
        // ESC [2J (clear screen), OSC 52 (clipboard), 8-bit CSI, DEL, BEL, a bare CR that
        // would overwrite the line, and an RLO that reverses what follows.
        let hostile =
            "a\u{1b}[2Jb\u{1b}]52;c;aGk=\u{7}c\u{9b}31md\u{7f}e\rf\u{202e}gpj.exe\u{2066}x\u{2069}";
        let cleaned = clean(hostile, false);
        assert_eq!(cleaned, "a[2Jb]52;c;aGk=c31mdefgpj.exex");
        for c in cleaned.chars() {
            assert!(!c.is_control() && !is_bidi_control(c), "{c:?}");
        }
        for bidi in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(clean(&format!("x{bidi}y"), true), "xy");
        }
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let s = format!("x{c}y");
            let one = clean(&s, false);
            assert!(!one.chars().any(char::is_control), "{c:?} -> {one:?}");
        }
    }

    #[test]
    fn line_breaks_kept_or_shown() {
        assert_eq!(clean("a\nb\r\nc\u{2028}d", true), "a\nb\nc\nd");
        assert_eq!(clean("a\nb", false), "a ⏎ b");
        assert_eq!(clean("tab\there", false), "tab here");
        // Ordinary text, emoji and CJK are left alone (and not copied).
        let plain = "你好 🎈 [微笑] café";
        assert!(matches!(clean(plain, false), Cow::Borrowed(_)));
    }
}
