//! Emoji of the web protocol: `<span class="emoji emoji1f604"></span>` codes and the
//! SoftBank private-use characters of the official client's `EmojiCodeMap`
//! (constants.md §8; the table ships as [`code_map`]).
//!
//! A span code is the emoji's code points written in hex without separators; the
//! lengths decide the split, as ItChat (`utils.py emoji_formatter`) and wechat4u
//! (`convertEmoji`) do: up to 5 digits one code point, 6 digits `2 + 4` (keycaps such
//! as `3020e3`), 8 digits `4 + 4`, 10 digits `5 + 5` (flags such as `1f1e81f1f3`).
//! `-` / `_` separated codes are accepted too.
//!
//! The server writes some faces with the code of a cat face (its `EmojiCodeMap` pairs
//! `1f63c` with SoftBank U+E404, which is U+1F601 in Unicode's SoftBank mapping); those
//! codes are mapped to the face they display, following ItChat's table.

#[path = "emoji_table.rs"]
mod table;

/// The official client's `EmojiCodeMap`: `(span hex code, SoftBank private-use char)`,
/// 169 entries sorted by code value.
pub fn code_map() -> &'static [(&'static str, char)] {
    table::EMOJI_CODE_MAP
}

/// Codes the server uses for a face other than the one Unicode gives them
/// (ItChat `emoji_formatter`; wechat4u fixes `1f639` and `1f64d` alike).
const REMAP: &[(u32, u32)] = &[
    (0x1f4ab, 0x1f616),
    (0x1f639, 0x1f602),
    (0x1f63a, 0x1f603),
    (0x1f63b, 0x1f60d),
    (0x1f63c, 0x1f601),
    (0x1f63d, 0x1f618),
    (0x1f63f, 0x1f622),
    (0x1f64d, 0x1f614),
    (0x1f64e, 0x1f621),
];

fn remap(cp: u32) -> u32 {
    REMAP
        .iter()
        .find(|(from, _)| *from == cp)
        .map_or(cp, |(_, to)| *to)
}

/// Converts a span code (the part after `emoji` in `class="emoji emoji1f604"`) to the
/// Unicode emoji: `"1f604"` → `"😄"`, `"1f1e81f1f3"` → `"🇨🇳"`. `None` when the code is
/// empty, not hex, or names no Unicode scalar value.
pub fn span_code_to_unicode(code: &str) -> Option<String> {
    let code = code.trim();
    if code.is_empty() || code.len() > 40 {
        return None;
    }
    let mut out = String::new();
    if code.contains(['-', '_']) {
        for part in code.split(['-', '_']) {
            push_hex_run(part, &mut out)?;
        }
    } else {
        push_hex_run(code, &mut out)?;
    }
    (!out.is_empty()).then_some(out)
}

/// Appends the code points of one separator-free run of hex digits.
fn push_hex_run(run: &str, out: &mut String) -> Option<()> {
    if run.is_empty() || !run.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let len = run.len();
    let starts_supplementary = run.starts_with('1');
    let splits: &[usize] = match len {
        1..=5 => &[len],
        6 => &[2, 4],
        8 => &[4, 4],
        9 if starts_supplementary => &[5, 4],
        9 => &[4, 5],
        10 => &[5, 5],
        _ => &[],
    };
    if splits.is_empty() {
        // Unusual length: take 5 digits for a supplementary-plane code point, else 4.
        let mut rest = run;
        while !rest.is_empty() {
            let take = if rest.len() >= 5 && rest.starts_with('1') {
                5
            } else {
                rest.len().min(4)
            };
            let (head, tail) = rest.split_at(take);
            out.push(hex_char(head)?);
            rest = tail;
        }
        return Some(());
    }
    let mut at = 0;
    for &n in splits {
        out.push(hex_char(run.get(at..at + n)?)?);
        at += n;
    }
    Some(())
}

fn hex_char(hex: &str) -> Option<char> {
    let cp = u32::from_str_radix(hex, 16).ok()?;
    char::from_u32(remap(cp))
}

/// The Unicode emoji for a SoftBank private-use character of the official table
/// (`'\u{e415}'` → `"😄"`); `None` for any other character.
pub fn softbank_to_unicode(c: char) -> Option<String> {
    if !('\u{e001}'..='\u{e537}').contains(&c) {
        return None;
    }
    let (code, _) = code_map().iter().find(|(_, pua)| *pua == c)?;
    span_code_to_unicode(code)
}

/// Replaces every SoftBank private-use character of the table in `s` by its emoji,
/// giving `s` back as it is in the common case (no SoftBank character, nothing copied).
pub(crate) fn replace_softbank_owned(s: String) -> String {
    // Every SoftBank character (U+E001..U+E537) is encoded as EE 80 81 ..= EE 94 B7:
    // look for its lead byte before decoding anything.
    if !s.as_bytes().contains(&0xEE) || !s.chars().any(|c| ('\u{e001}'..='\u{e537}').contains(&c)) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match softbank_to_unicode(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multi_code_points() {
        assert_eq!(span_code_to_unicode("1f604").as_deref(), Some("😄"));
        assert_eq!(span_code_to_unicode("a9").as_deref(), Some("©"));
        assert_eq!(span_code_to_unicode("1f1e81f1f3").as_deref(), Some("🇨🇳"));
        assert_eq!(span_code_to_unicode("1f1e8-1f1f3").as_deref(), Some("🇨🇳"));
        assert_eq!(span_code_to_unicode("3020e3").as_deref(), Some("0\u{20e3}"));
        assert_eq!(
            span_code_to_unicode("2764fe0f").as_deref(),
            Some("❤\u{fe0f}")
        );
        assert_eq!(span_code_to_unicode("1f639").as_deref(), Some("😂"));
        assert_eq!(span_code_to_unicode(""), None);
        assert_eq!(span_code_to_unicode("zz"), None);
        assert_eq!(span_code_to_unicode("d800"), None);
    }

    #[test]
    fn softbank() {
        assert_eq!(softbank_to_unicode('\u{e415}').as_deref(), Some("😄"));
        assert_eq!(softbank_to_unicode('\u{e404}').as_deref(), Some("😁"));
        assert_eq!(softbank_to_unicode('a'), None);
        assert_eq!(replace_softbank_owned("a\u{e415}b".into()), "a😄b");
    }

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(code_map().len(), 169);
        let values: Vec<u32> = code_map()
            .iter()
            .map(|(c, _)| u32::from_str_radix(c, 16).unwrap_or(0))
            .collect();
        assert!(values.windows(2).all(|w| w[0] < w[1]));
    }
}
