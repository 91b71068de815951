//! The shipped emoji table: identical to the official client's `EmojiCodeMap`, and every
//! code in it converts (as a span and as its SoftBank character) to non-empty Unicode
//! with no span left over.

use std::collections::BTreeMap;

use webwx_core::message::{emoji, normalize_text};

fn official_map() -> BTreeMap<String, char> {
    let path = format!(
        "{}/tests/fixtures/messages/emoji_code_map.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let map: BTreeMap<String, String> =
        serde_json::from_value(v["EmojiCodeMap"].clone()).expect("map");
    map.into_iter()
        .map(|(k, v)| {
            let mut chars = v.chars();
            let c = chars.next().expect("one char");
            assert!(chars.next().is_none(), "{k}: one SoftBank char");
            (k, c)
        })
        .collect()
}

#[test]
fn shipped_table_is_the_official_one() {
    let shipped: BTreeMap<String, char> = emoji::code_map()
        .iter()
        .map(|(k, c)| ((*k).to_owned(), *c))
        .collect();
    assert_eq!(shipped, official_map());
    assert_eq!(emoji::code_map().len(), 169);
}

#[test]
fn every_code_converts_as_a_span() {
    for (code, _) in emoji::code_map() {
        let unicode = emoji::span_code_to_unicode(code).unwrap_or_else(|| panic!("{code}"));
        assert!(!unicode.is_empty(), "{code}");
        let span = format!("x<span class=\"emoji emoji{code}\"></span>y");
        let text = normalize_text(&span);
        assert_eq!(text, format!("x{unicode}y"), "{code}");
        assert!(
            !text.contains("span") && !text.contains('<'),
            "{code}: {text}"
        );
        assert!(
            !text.chars().any(|c| ('\u{e000}'..='\u{f8ff}').contains(&c)),
            "{code}: private use left"
        );
    }
}

#[test]
fn every_softbank_char_converts() {
    for (code, pua) in emoji::code_map() {
        let unicode = emoji::softbank_to_unicode(*pua).unwrap_or_else(|| panic!("{code}"));
        assert!(!unicode.is_empty(), "{code}");
        assert!(
            !unicode
                .chars()
                .any(|c| ('\u{e000}'..='\u{f8ff}').contains(&c)),
            "{code}"
        );
        // The SoftBank char and the span of its code give the same emoji.
        assert_eq!(
            Some(unicode.clone()),
            emoji::span_code_to_unicode(code),
            "{code}"
        );
        assert_eq!(normalize_text(&pua.to_string()), unicode, "{code}");
    }
}

#[test]
fn samples_of_constants_md() {
    // constants.md §8: <笑脸> → 1f604 → U+E415; 1f64f → U+E41D; 263a → U+E414.
    assert_eq!(
        emoji::softbank_to_unicode('\u{e415}').as_deref(),
        Some("\u{1f604}")
    );
    assert_eq!(
        emoji::softbank_to_unicode('\u{e41d}').as_deref(),
        Some("\u{1f64f}")
    );
    assert_eq!(
        emoji::softbank_to_unicode('\u{e414}').as_deref(),
        Some("\u{263a}")
    );
    // Multi-code-point spans (not in the table, seen in the wild).
    assert_eq!(
        normalize_text("<span class=\"emoji emoji1f1e81f1f3\"></span>"),
        "\u{1f1e8}\u{1f1f3}"
    );
    assert_eq!(
        normalize_text("<span class=\"emoji emoji1f1fa-1f1f8\"></span>"),
        "\u{1f1fa}\u{1f1f8}"
    );
    assert_eq!(
        normalize_text("<span class=\"emoji emoji3120e3\"></span>"),
        "1\u{20e3}"
    );
}
