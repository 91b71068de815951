//! Entity references in the server's text (`&lt;`, `&#20320;`, `&nbsp;`): decoded once.
//!
//! With the `html-entities` feature (on by default) every HTML5 named reference is
//! known, through `html-escape`. Without it (the browser package, where that table is
//! about 50 KB of the `.wasm`) only the names WeChat's servers send are: the five of XML
//! and `nbsp` (the only ones in the captured traffic); numeric references are decoded
//! either way. Both read a reference by the same rules (`html-escape`'s): exact,
//! case-sensitive, ending with `;`; a numeric one names a Unicode scalar value and no C0
//! control but tab, line feed, form feed and carriage return; anything else is left as
//! it is.

use std::borrow::Cow;

/// `s` with its entity references decoded once.
pub(crate) fn decode(s: &str) -> Cow<'_, str> {
    #[cfg(feature = "html-entities")]
    {
        html_escape::decode_html_entities(s)
    }
    #[cfg(not(feature = "html-entities"))]
    {
        common::decode(s)
    }
}

/// [`decode`], appended to `out` (no string in between).
pub(crate) fn decode_into(s: &str, out: &mut String) {
    #[cfg(feature = "html-entities")]
    {
        html_escape::decode_html_entities_to_string(s, out);
    }
    #[cfg(not(feature = "html-entities"))]
    {
        out.push_str(&common::decode(s));
    }
}

/// The decoder without the HTML5 table.
#[cfg(any(test, not(feature = "html-entities")))]
mod common {
    use std::borrow::Cow;

    /// `s` with the references this module knows decoded.
    pub(super) fn decode(s: &str) -> Cow<'_, str> {
        let mut out = String::new();
        let mut copied = 0;
        let mut from = 0;
        while let Some((start, end, value)) = next(s, from) {
            out.push_str(&s[copied..start]);
            match value {
                Value::Str(v) => out.push_str(v),
                Value::Char(c) => out.push(c),
            }
            copied = end;
            from = end;
        }
        if copied == 0 {
            return Cow::Borrowed(s);
        }
        out.push_str(&s[copied..]);
        Cow::Owned(out)
    }

    enum Value {
        Str(&'static str),
        Char(char),
    }

    /// The next known reference at or after `from`: its start, its end (after the `;`)
    /// and its value. A reference runs from `&` to the next `;`, unless another `&`
    /// comes first (the search goes on from there).
    fn next(s: &str, mut from: usize) -> Option<(usize, usize, Value)> {
        let b = s.as_bytes();
        loop {
            let amp = from + b[from..].iter().position(|&c| c == b'&')?;
            let stop = amp + 1 + b[amp + 1..].iter().position(|&c| c == b';' || c == b'&')?;
            if b[stop] == b'&' {
                from = stop;
                continue;
            }
            if let Some(value) = value(&s[amp + 1..stop]) {
                return Some((amp, stop + 1, value));
            }
            from = stop + 1;
        }
    }

    /// What the reference `body` (between `&` and `;`) stands for.
    fn value(body: &str) -> Option<Value> {
        if let Some(number) = body.strip_prefix('#') {
            let (digits, radix) = match number.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            // `from_str_radix` takes a sign; a reference is digits only.
            if !digits.bytes().next()?.is_ascii_hexdigit()
                || (radix == 10 && !digits.as_bytes()[0].is_ascii_digit())
            {
                return None;
            }
            let c = char::from_u32(u32::from_str_radix(digits, radix).ok()?)?;
            return match c {
                '\t' | '\n' | '\u{c}' | '\r' => Some(Value::Char(c)),
                '\0'..='\u{1f}' => None,
                _ => Some(Value::Char(c)),
            };
        }
        Some(Value::Str(match body {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            "nbsp" => "\u{a0}",
            _ => return None,
        }))
    }

    #[cfg(all(test, not(target_arch = "wasm32")))]
    mod tests {
        use proptest::prelude::*;

        #[test]
        fn decodes_as_html_escape_does() {
            for s in [
                "",
                "plain",
                "a &lt;b&gt; &amp;amp; &quot;q&quot; &apos;s&apos; x&nbsp;y",
                "&#20320;&#x597D;&#X41;&#65;",
                "&#9;&#10;&#12;&#13;|&#0;&#27;&#x1f;|&#127;&#x9b;",
                "&#xd800;&#1114112;&#-65;&#+65;&#x+41;&#;&#x;&;&",
                "&&lt;&#&lt;&#x&lt;&l&lt;",
                "&lt",
                "AT&T; &lt;&unknown;&lt",
                "&#00065;&#x0000041;&#99999999999;",
                "中文&lt;混&#x6DF7;合",
            ] {
                assert_eq!(
                    super::decode(s),
                    html_escape::decode_html_entities(s),
                    "{s:?}"
                );
            }
            // A name only the HTML5 table knows stays as it is.
            assert_eq!(super::decode("a&hellip;&LT;b"), "a&hellip;&LT;b");
            assert_eq!(html_escape::decode_html_entities("a&hellip;&LT;b"), "a…<b");
        }

        proptest! {
            #[test]
            /// Text whose every would-be name is one of the six or no HTML5 name (no
            /// `D`: `&DD;` is one) decodes alike.
            fn agrees_on_arbitrary_text(s in "([&;#xX0-9ABCEF]|lt|gt|amp|quot|apos|nbsp|中){0,24}") {
                prop_assert_eq!(super::decode(&s), html_escape::decode_html_entities(&s));
            }
        }
    }
}
