//! Content normalization: what the server sends in `Content`, `NickName`,
//! `DisplayName`… turned into plain Unicode text.
//!
//! The server HTML-escapes the text (`&lt;`, `&amp;`, `&quot;`…), writes line breaks as
//! `<br/>`, emoji as `<span class="emoji emoji1f604"></span>`, and some clients send
//! SoftBank private-use characters (U+E001…U+E537) for emoji. QQ faces are plain text
//! (`[微笑]`, `[Smile]`) and stay as they are.

use super::emoji;

/// Normalizes server text: entities unescaped (`crate::entities`), `<br/>` → `\n`,
/// emoji spans → Unicode (multi-code-point codes too), SoftBank private-use emoji →
/// Unicode, QQ faces kept as `[微笑]`. Usable on nick names and display names too.
/// Total: any input gives an output, never a panic.
///
/// ```
/// use webwx_core::message::normalize_text;
/// assert_eq!(
///     normalize_text("a &amp; b<br/><span class=\"emoji emoji1f604\"></span>[微笑]"),
///     "a & b\n😄[微笑]"
/// );
/// ```
pub fn normalize_text(s: &str) -> String {
    emoji::replace_softbank_owned(markup_to_text(s, true))
}

/// Converts the markup the server mixes into text: `<br/>` (and `<br>`, `<br />`) to
/// `\n`, emoji spans to Unicode; with `decode_entities`, the text between them is
/// entity-decoded once. Anything else is copied as it is.
pub(crate) fn markup_to_text(s: &str, decode_entities: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_start = 0;
    let mut i = 0;
    // Only a `<` can start markup: jump from one to the next.
    while let Some(at) = s[i..].find('<') {
        i += at;
        let rest = &s[i..];
        if let Some(n) = match_break(rest) {
            flush(&s[pending_start..i], decode_entities, &mut out);
            out.push('\n');
            i += n;
            pending_start = i;
        } else if let Some((consumed, emoji)) = match_emoji_span(rest) {
            flush(&s[pending_start..i], decode_entities, &mut out);
            out.push_str(&emoji);
            i += consumed;
            pending_start = i;
        } else {
            i += 1;
        }
    }
    flush(&s[pending_start..], decode_entities, &mut out);
    out
}

fn flush(segment: &str, decode: bool, out: &mut String) {
    if segment.is_empty() {
        return;
    }
    if decode {
        decode_entities_into(segment, out);
    } else {
        out.push_str(segment);
    }
}

/// Decodes the entity references of `s` once (named HTML entities and numeric
/// references, `crate::entities`), except a numeric reference to a control character
/// other than tab, line feed and carriage return (C0, DEL, C1: `&#27;`, `&#x9b;`), which
/// stays as the text it is: XML forbids them and no real text carries one, while a
/// terminal would obey one.
pub(crate) fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    decode_entities_into(s, &mut out);
    std::borrow::Cow::Owned(out)
}

/// [`decode_entities`], appended to `out` (no string in between).
fn decode_entities_into(s: &str, out: &mut String) {
    if !s.contains('&') {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    let mut search = 0;
    // The next `&#`: one look at each byte (escaped XML has a `&` every few bytes, too
    // many for a search started at each).
    let next_numeric = |from: usize| {
        s.as_bytes()[from..]
            .windows(2)
            .position(|w| w == b"&#")
            .map(|at| from + at)
    };
    while let Some(at) = next_numeric(search) {
        match control_reference(&s[at..]) {
            Some(len) => {
                crate::entities::decode_into(&s[start..at], out);
                out.push_str(&s[at..at + len]);
                start = at + len;
                search = start;
            }
            None => search = at + 2,
        }
    }
    crate::entities::decode_into(&s[start..], out);
}

/// The length of a numeric reference at the start of `s` that names a control character
/// (other than `\t`, `\n`, `\r`).
fn control_reference(s: &str) -> Option<usize> {
    let body = s.strip_prefix("&#")?;
    let (digits, radix, skip) = match body.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 3),
        None => (body, 10, 2),
    };
    let end = digits.find(';')?;
    let value = u32::from_str_radix(&digits[..end], radix).ok()?;
    let c = char::from_u32(value)?;
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')).then_some(skip + end + 1)
}

/// `<br/>`, `<br>`, `<br />` (any case) at the start of `s`: the length matched.
pub(crate) fn match_break(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 4 || !b[1..3].eq_ignore_ascii_case(b"br") {
        return None;
    }
    let mut i = 3;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    (b.get(i) == Some(&b'>')).then_some(i + 1)
}

/// An emoji span at the start of `s`: `<span class="emoji emoji1f604"></span>` (also the
/// truncated `…"></span` ItChat saw). Returns the length matched and the emoji. A span
/// whose code is not a valid emoji is left alone (`None`).
fn match_emoji_span(s: &str) -> Option<(usize, String)> {
    const OPEN: &str = "<span ";
    if s.len() < OPEN.len() || !s.as_bytes()[..OPEN.len()].eq_ignore_ascii_case(OPEN.as_bytes()) {
        return None;
    }
    // The opening tag is short; do not scan far for its end.
    let tag_end = s.bytes().take(256).position(|b| b == b'>')?;
    let tag = &s[..tag_end];
    if tag[1..].contains('<') {
        return None;
    }
    let class_at = tag.find("class=")?;
    let after = &tag[class_at + "class=".len()..];
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    let value = &value[..value.find(quote).unwrap_or(value.len())];
    let mut tokens = value.split_ascii_whitespace();
    if !tokens.clone().any(|t| t == "emoji") {
        return None;
    }
    let code = tokens.find_map(|t| t.strip_prefix("emoji").filter(|c| !c.is_empty()))?;
    let emoji = emoji::span_code_to_unicode(code)?;
    let mut consumed = tag_end + 1;
    let rest = &s[consumed..];
    if rest.starts_with("</span>") {
        consumed += "</span>".len();
    } else if rest.starts_with("</span") {
        consumed += "</span".len();
    }
    Some((consumed, emoji))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_breaks_spans() {
        assert_eq!(normalize_text("a&lt;b&gt;&amp;&quot;c&quot;"), "a<b>&\"c\"");
        assert_eq!(normalize_text("x<br/>y<BR>z<br />"), "x\ny\nz\n");
        assert_eq!(
            normalize_text("普通群聊消息<span class=\"emoji emoji1f639\"></span>"),
            "普通群聊消息😂"
        );
        assert_eq!(
            normalize_text("<span class=\"emoji emoji1f1e81f1f3\"></span>"),
            "🇨🇳"
        );
        assert_eq!(
            normalize_text("<span class=\"emoji emoji1f450\"></span"),
            "👐"
        );
        assert_eq!(normalize_text("[微笑][Smile]"), "[微笑][Smile]");
        assert_eq!(normalize_text("\u{e415}"), "😄");
        assert_eq!(normalize_text("&lt;br/&gt;"), "<br/>");
        assert_eq!(
            normalize_text("<span class=\"emoji emojizz\"></span>"),
            "<span class=\"emoji emojizz\"></span>"
        );
        assert_eq!(normalize_text("a < b <span"), "a < b <span");
        assert_eq!(normalize_text("&amp;lt;"), "&lt;");
        // Decoded once, and never into a control character.
        assert_eq!(normalize_text("&amp;#27;"), "&#27;");
        assert_eq!(
            normalize_text("a&#27;b&#x9B;c&#127;d&#10;e"),
            "a&#27;b&#x9B;c&#127;d\ne"
        );
        assert_eq!(normalize_text("&#x1F600;&#8238;"), "😀\u{202e}");
        // A `&` that does not start a numeric reference before one that does.
        assert_eq!(normalize_text("a&b&#27;c&amp;&#x41;"), "a&b&#27;c&A");
        assert_eq!(normalize_text("&&#9;&"), "&\t&");
    }
}
