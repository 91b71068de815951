//! [`Options`]' `Deserialize`: one reader for both forms serde's derive accepts.
//!
//! serde's derive gives a struct two readers — one for a JSON object, one for a JSON
//! array holding the fields in order — each with its own copy of every field's
//! deserializer, and a key visitor for strings, bytes and indices. Here both forms read a
//! field through the same `read` (one copy of each field's deserializer). What a page
//! sees is what the derive (`#[serde(default, rename_all = "camelCase",
//! deny_unknown_fields)]`) gave, message for message: an unknown key is `unknown field
//! `X`, expected one of ..`, a repeated one `duplicate field `X``, a missing one (or a
//! short array) its default, a value of the wrong type the field deserializer's own
//! error, anything but an object or an array `invalid type: .., expected struct
//! Options`. `tests` checks these against a derived twin, input for input.

use crate::options::Options;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The keys, in declaration order (the order of the array form).
const FIELDS: &[&str] = &[
    "origin",
    "relay",
    "desktop",
    "session",
    "seed",
    "longPollTimeoutMs",
    "requestTimeoutMs",
    "recentMessages",
    "recentBytes",
    "seenIds",
];

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Options, D::Error> {
        d.deserialize_struct("Options", FIELDS, OptionsVisitor)
    }
}

/// Reads field `index` (of [`FIELDS`]) from `d` into `o`.
fn read<'de, D: Deserializer<'de>>(o: &mut Options, index: usize, d: D) -> Result<(), D::Error> {
    match index {
        0 => o.origin = Deserialize::deserialize(d)?,
        1 => o.relay = Deserialize::deserialize(d)?,
        2 => o.desktop = Deserialize::deserialize(d)?,
        3 => o.session = Deserialize::deserialize(d)?,
        4 => o.seed = Deserialize::deserialize(d)?,
        5 => o.long_poll_timeout_ms = Deserialize::deserialize(d)?,
        6 => o.request_timeout_ms = Deserialize::deserialize(d)?,
        7 => o.recent_messages = Deserialize::deserialize(d)?,
        8 => o.recent_bytes = Deserialize::deserialize(d)?,
        _ => o.seen_ids = Deserialize::deserialize(d)?,
    }
    Ok(())
}

/// The visitor of both forms.
struct OptionsVisitor;

impl<'de> Visitor<'de> for OptionsVisitor {
    type Value = Options;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct Options")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Options, A::Error> {
        // The fields in order; a short array leaves the rest at their defaults (extra
        // elements are the deserializer's error, as with the derive).
        let mut o = Options::default();
        for index in 0..FIELDS.len() {
            if seq.next_element_seed(Field { o: &mut o, index })?.is_none() {
                break;
            }
        }
        Ok(o)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Options, A::Error> {
        let mut o = Options::default();
        let mut seen = 0u16;
        while let Some(Key(index)) = map.next_key()? {
            if seen & (1 << index) != 0 {
                return Err(de::Error::duplicate_field(FIELDS[index]));
            }
            seen |= 1 << index;
            map.next_value_seed(Field { o: &mut o, index })?;
        }
        Ok(o)
    }
}

/// Field `index` of `o`, read as a seed (the value of a key, or an element).
struct Field<'a> {
    o: &'a mut Options,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for Field<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        read(self.o, self.index, d)
    }
}

/// A key: its index in [`FIELDS`]; any other is `unknown field`.
struct Key(usize);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(KeyVisitor)
    }
}

/// The visitor of [`Key`] (JSON keys are strings; bytes and indices as the derive has
/// them).
struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        match usize::try_from(v) {
            Ok(i) if i < FIELDS.len() => Ok(Key(i)),
            _ => Err(E::invalid_value(
                de::Unexpected::Unsigned(v),
                &"field index 0 <= i < 10",
            )),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        match FIELDS.iter().position(|f| *f == v) {
            Some(i) => Ok(Key(i)),
            None => Err(E::unknown_field(v, FIELDS)),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
        match FIELDS.iter().position(|f| f.as_bytes() == v) {
            Some(i) => Ok(Key(i)),
            None => Err(E::unknown_field(&String::from_utf8_lossy(v), FIELDS)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{
        BytesDeserializer, Error as ValueError, MapDeserializer, SeqDeserializer,
    };

    /// The derive this module replaced, kept as the oracle (named `Options` as the struct
    /// it was derived on: the name is in serde's messages).
    mod derived {
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(default, rename_all = "camelCase", deny_unknown_fields)]
        pub(super) struct Options {
            pub origin: Option<String>,
            pub relay: bool,
            pub desktop: bool,
            pub session: Option<Box<serde_json::value::RawValue>>,
            pub seed: Option<u64>,
            pub long_poll_timeout_ms: Option<u64>,
            pub request_timeout_ms: Option<u64>,
            pub recent_messages: Option<usize>,
            pub recent_bytes: Option<usize>,
            pub seen_ids: Option<usize>,
        }
    }
    use derived::Options as Derived;

    /// Each field of an `Options` or its derived twin as text, to compare the two types.
    macro_rules! fields_text {
        ($o:expr) => {{
            let o = $o;
            format!(
                "{:?} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                o.origin,
                o.relay,
                o.desktop,
                o.session.as_ref().map(|r| r.get()),
                o.seed,
                o.long_poll_timeout_ms,
                o.request_timeout_ms,
                o.recent_messages,
                o.recent_bytes,
                o.seen_ids
            )
        }};
    }

    fn fields_of(o: &Options) -> String {
        fields_text!(o)
    }

    fn fields_of_derived(o: &Derived) -> String {
        fields_text!(o)
    }

    /// Both readers on `json`, from bytes and from text: the same fields or the same error
    /// (message, line and column).
    fn same(json: &str) -> Result<String, String> {
        let mine = serde_json::from_slice::<Options>(json.as_bytes())
            .map(|o| fields_of(&o))
            .map_err(|e| e.to_string());
        let derived = serde_json::from_slice::<Derived>(json.as_bytes())
            .map(|o| fields_of_derived(&o))
            .map_err(|e| e.to_string());
        assert_eq!(mine, derived, "from bytes: {json}");
        let mine_str = serde_json::from_str::<Options>(json)
            .map(|o| fields_of(&o))
            .map_err(|e| e.to_string());
        let derived_str = serde_json::from_str::<Derived>(json)
            .map(|o| fields_of_derived(&o))
            .map_err(|e| e.to_string());
        assert_eq!(mine_str, derived_str, "from text: {json}");
        mine
    }

    const INPUTS: &[&str] = &[
        "{}",
        "[]",
        "null",
        "true",
        "3",
        "\"x\"",
        r#"{"origin":"http://127.0.0.1:8787","relay":true}"#,
        r#"{"origin":null,"relay":false,"desktop":true}"#,
        r#"{"origin":"http://a","relay":true,"desktop":true,"session":{"v":1},"seed":9,"longPollTimeoutMs":2000,"requestTimeoutMs":3000,"recentMessages":0,"recentBytes":1048576,"seenIds":2048}"#,
        r#"{"session":"{\"v\":1}"}"#,
        r#"{"session":null}"#,
        r#"{"session":[1, 2 ,{"a":"b"}]}"#,
        r#"{"realy":true}"#,
        r#"{"relay":true,"realy":true}"#,
        r#"{"relay":true,"relay":false}"#,
        r#"{"seenIds":1,"seenIds":1}"#,
        r#"{"seen_ids":1}"#,
        r#"{"Relay":true}"#,
        r#"{"rel\u0061y":true}"#,
        r#"{"rel\u0061yx":true}"#,
        r#"{"relay":1}"#,
        r#"{"relay":"yes"}"#,
        r#"{"relay":null}"#,
        r#"{"desktop":[]}"#,
        r#"{"origin":5}"#,
        r#"{"origin":{}}"#,
        r#"{"seed":-1}"#,
        r#"{"seed":1.5}"#,
        r#"{"seed":18446744073709551615}"#,
        r#"{"seed":18446744073709551616}"#,
        r#"{"seed":"9"}"#,
        r#"{"longPollTimeoutMs":1e3}"#,
        r#"{"recentMessages":4294967296}"#,
        r#"{"recentBytes":-5}"#,
        r#"{"seenIds":true}"#,
        r#"{"relay":true,}"#,
        r#"{"relay" true}"#,
        r#"{"relay":true"#,
        r#"{"relay":"#,
        r#"{"#,
        r#"{1:2}"#,
        r#"["http://a", true]"#,
        r#"["http://a", true, false, null, 7, 1, 2, 3, 4, 5]"#,
        r#"["http://a", true, false, null, 7, 1, 2, 3, 4, 5, 6]"#,
        r#"[null, "yes"]"#,
        r#"[1]"#,
        r#"[null,]"#,
        r#"[null"#,
        "{} x",
        " { \"relay\" : true } ",
    ];

    #[test]
    fn reads_as_the_derive_did() {
        let mut ok = 0;
        for json in INPUTS {
            if same(json).is_ok() {
                ok += 1;
            }
        }
        // Both kinds were compared.
        assert!(
            ok >= 8 && ok < INPUTS.len(),
            "{ok} of {} read",
            INPUTS.len()
        );
        assert!(
            same(r#"{"realy":true}"#)
                .unwrap_err()
                .starts_with("unknown field `realy`, expected one of `origin`, `relay`")
        );
        assert_eq!(
            same(r#"{"relay":true,"relay":false}"#).unwrap_err(),
            "duplicate field `relay` at line 1 column 21"
        );
    }

    #[test]
    fn every_key_reaches_its_own_field() {
        // A value that each field's type reads, in turn for each key: the two types agree
        // field by field, object and array form.
        let values = ["\"o\"", "true", "true", "{}", "1", "2", "3", "4", "5", "6"];
        for (i, key) in FIELDS.iter().enumerate() {
            let json = format!("{{\"{key}\":{}}}", values[i]);
            same(&json).unwrap();
            let mut array = [
                "null", "false", "false", "null", "null", "null", "null", "null", "null", "null",
            ];
            array[i] = values[i];
            let json = format!("[{}]", array[..=i].join(","));
            same(&json).unwrap();
        }
    }

    #[test]
    fn keys_as_bytes_and_indices_as_the_derive() {
        // Not what serde_json hands over, but what another deserializer may.
        type Pairs = Vec<(serde_json::Value, bool)>;
        let cases: [Pairs; 3] = [
            vec![(serde_json::json!("relay"), true)],
            vec![(serde_json::json!("nope"), true)],
            vec![
                (serde_json::json!("desktop"), true),
                (serde_json::json!("desktop"), true),
            ],
        ];
        for pairs in cases {
            let m = || {
                MapDeserializer::<_, ValueError>::new(
                    pairs
                        .iter()
                        .map(|(k, v)| (BytesDeserializer::new(k.as_str().unwrap().as_bytes()), *v)),
                )
            };
            let mine = Options::deserialize(m())
                .map(|o| fields_of(&o))
                .map_err(|e| e.to_string());
            let theirs = Derived::deserialize(m())
                .map(|o| fields_of_derived(&o))
                .map_err(|e| e.to_string());
            assert_eq!(mine, theirs);
        }
        for index in [0u64, 1, 2, 9, 10, 99] {
            let m = || MapDeserializer::<_, ValueError>::new([(index, ())].into_iter());
            let mine = Options::deserialize(m())
                .map(|o| fields_of(&o))
                .map_err(|e| e.to_string());
            let theirs = Derived::deserialize(m())
                .map(|o| fields_of_derived(&o))
                .map_err(|e| e.to_string());
            assert_eq!(mine, theirs, "index {index}");
        }
        let s = || SeqDeserializer::<_, ValueError>::new(["a"].into_iter());
        let mine = Options::deserialize(s())
            .map(|o| fields_of(&o))
            .map_err(|e| e.to_string());
        let theirs = Derived::deserialize(s())
            .map(|o| fields_of_derived(&o))
            .map_err(|e| e.to_string());
        assert_eq!(mine, theirs);
    }

    /// JSON made of the options' own vocabulary (their keys and unknown ones, values of
    /// every kind, objects and arrays nested, repeated keys): the reader and the derive
    /// give the same fields or the same error on every input, and never panic.
    mod generated {
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                Just("null".to_owned()),
                Just("true".to_owned()),
                Just("false".to_owned()),
                any::<i64>().prop_map(|n| n.to_string()),
                any::<u64>().prop_map(|n| n.to_string()),
                Just("1.5".to_owned()),
                Just("-0".to_owned()),
                "[a-z\\\"{}]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
                Just(r#""{\"v\":1}""#.to_owned()),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4)
                        .prop_map(|v| format!("[{}]", v.join(","))),
                    prop::collection::vec((key(), inner), 0..4).prop_map(|v| {
                        let fields: Vec<String> =
                            v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                        format!("{{{}}}", fields.join(","))
                    }),
                ]
            })
        }

        fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => prop::sample::select(
                    super::super::FIELDS
                        .iter()
                        .copied()
                        .chain(["realy", "long_poll_timeout_ms", ""])
                        .collect::<Vec<_>>()
                )
                .prop_map(|k| serde_json::to_string(k).unwrap()),
                1 => "[a-zA-Z]{0,4}".prop_map(|k| serde_json::to_string(&k).unwrap()),
            ]
        }

        /// An options object: mostly the options' keys, repeated sometimes.
        fn options() -> impl Strategy<Value = String> {
            prop::collection::vec((key(), value()), 0..8).prop_map(|v| {
                let fields: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", fields.join(","))
            })
        }

        proptest! {
            #[test]
            fn options_objects_read_as_the_derive_reads_them(json in options()) {
                let _ = super::same(&json);
            }

            #[test]
            fn the_reader_is_the_derive(json in value()) {
                let _ = super::same(&json);
            }

            #[test]
            fn any_text_is_read_or_refused(json in "\\PC{0,40}") {
                let _ = super::same(&json);
            }
        }
    }
}
