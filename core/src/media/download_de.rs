//! [`Download`]'s `Deserialize`: the internally tagged form (`{"what": "image", ..}`) read
//! without serde's private `Content` tree.
//!
//! serde's derive of an internally tagged enum buffers the whole object in `Content`
//! (the tag may come last) and reads each variant again from it, with a `Content`
//! deserializer and a key and map visitor per variant: a tenth of the browser package's
//! `.wasm` for a value of at most four strings. Here each value is kept as [`Scalar`]
//! (what it was, enough for serde's messages) until the tag says which variant it is,
//! then each field takes its value, message for message as the derive: `missing field
//! `what``, `duplicate field`, `unknown variant .., expected one of ..`, `invalid type:
//! .., expected a string`, `missing field` (first in declaration order), keys of other
//! variants ignored; the array form (the tag first, then the fields in order) as well.
//! `tests` compares it with the derived enum, input for input.

use super::Download;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The tag.
const TAG: &str = "what";

/// The variants' tags, in declaration order.
const VARIANTS: &[&str] = &["image", "voice", "video", "file", "avatar", "member_avatar"];

/// Each variant's name in serde's messages, and its fields (key, whether a bool rather
/// than a string), in declaration order.
const SPECS: [(&str, &[(&str, bool)]); 6] = [
    ("Image", &[("msg_id", false), ("thumbnail", true)]),
    ("Voice", &[("msg_id", false)]),
    ("Video", &[("msg_id", false)]),
    (
        "File",
        &[
            ("sender", false),
            ("media_id", false),
            ("file_name", false),
            ("encry_file_name", false),
        ],
    ),
    ("Avatar", &[("user_name", false)]),
    ("MemberAvatar", &[("user_name", false), ("group", false)]),
];

impl<'de> Deserialize<'de> for Download {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Download, D::Error> {
        // As the derive: the object is read whole, then the variant from what was kept
        // (so its errors carry no position, as the derive's do not).
        match d.deserialize_any(Tagged)? {
            (variant, Kept::Map(entries)) => from_map(variant, entries),
            (variant, Kept::Seq(values)) => from_seq(variant, values),
        }
    }
}

/// What [`Tagged`] keeps besides the tag: the object's other entries, or the array's
/// other elements.
enum Kept {
    Map(Vec<(String, Scalar)>),
    Seq(Vec<Scalar>),
}

/// A value read before its variant is known.
enum Scalar {
    Str(String),
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Unit,
    Seq,
    Map,
}

impl Scalar {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Scalar::Str(s) => de::Unexpected::Str(s),
            Scalar::Bool(b) => de::Unexpected::Bool(*b),
            Scalar::U64(n) => de::Unexpected::Unsigned(*n),
            Scalar::I64(n) => de::Unexpected::Signed(*n),
            Scalar::F64(f) => de::Unexpected::Float(*f),
            Scalar::Unit => de::Unexpected::Unit,
            Scalar::Seq => de::Unexpected::Seq,
            Scalar::Map => de::Unexpected::Map,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::U64(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::I64(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::F64(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Unit)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Seq)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Map)
            }
        }
        d.deserialize_any(V)
    }
}

/// The tag's value: the index of the variant it names.
struct Variant;

impl<'de> DeserializeSeed<'de> for Variant {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Variant {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variant identifier")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        usize::try_from(v)
            .ok()
            .filter(|&i| i < VARIANTS.len())
            .ok_or_else(|| {
                E::invalid_value(de::Unexpected::Unsigned(v), &"variant index 0 <= i < 6")
            })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        VARIANTS
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_variant(v, VARIANTS))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
        match VARIANTS.iter().position(|n| n.as_bytes() == v) {
            Some(i) => Ok(i),
            None => Err(E::unknown_variant(&String::from_utf8_lossy(v), VARIANTS)),
        }
    }
}

/// A key of the object: the tag, or another key (kept).
enum Key {
    Tag,
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a type tag `what` or any other value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(if v == TAG {
                    Key::Tag
                } else {
                    Key::Other(v.to_owned())
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// The object (or array) as a whole.
struct Tagged;

impl<'de> Visitor<'de> for Tagged {
    type Value = (usize, Kept);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("internally tagged enum Download")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(usize, Kept), A::Error> {
        let mut tag = None;
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Tag => {
                    if tag.is_some() {
                        return Err(de::Error::duplicate_field(TAG));
                    }
                    tag = Some(map.next_value_seed(Variant)?);
                }
                Key::Other(k) => entries.push((k, map.next_value::<Scalar>()?)),
            }
        }
        let variant = tag.ok_or_else(|| de::Error::missing_field(TAG))?;
        Ok((variant, Kept::Map(entries)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(usize, Kept), A::Error> {
        let variant = seq
            .next_element_seed(Variant)?
            .ok_or_else(|| de::Error::missing_field(TAG))?;
        let mut rest = Vec::new();
        while let Some(v) = seq.next_element::<Scalar>()? {
            rest.push(v);
        }
        Ok((variant, Kept::Seq(rest)))
    }
}

/// The variant from an object's entries: keys of its fields (each once, of its type),
/// other keys ignored, every field given.
fn from_map<E: de::Error>(variant: usize, entries: Vec<(String, Scalar)>) -> Result<Download, E> {
    let fields = SPECS[variant].1;
    let mut values: [Option<Scalar>; 4] = Default::default();
    for (k, v) in entries {
        let Some(i) = fields.iter().position(|(f, _)| *f == k) else {
            continue;
        };
        if values[i].is_some() {
            return Err(E::duplicate_field(fields[i].0));
        }
        check(&v, fields[i].1)?;
        values[i] = Some(v);
    }
    if let Some(i) = (0..fields.len()).find(|&i| values[i].is_none()) {
        return Err(E::missing_field(fields[i].0));
    }
    Ok(build(variant, values))
}

/// The variant from an array's elements after the tag: its fields in order, no more.
fn from_seq<E: de::Error>(variant: usize, rest: Vec<Scalar>) -> Result<Download, E> {
    let (name, fields) = SPECS[variant];
    let count = rest.len();
    let mut values: [Option<Scalar>; 4] = Default::default();
    let mut rest = rest.into_iter();
    for (i, (_, is_bool)) in fields.iter().enumerate() {
        let Some(v) = rest.next() else {
            return Err(E::invalid_length(i, &Length(name, fields.len())));
        };
        check(&v, *is_bool)?;
        values[i] = Some(v);
    }
    if count > fields.len() {
        return Err(E::invalid_length(count, &InSeq(fields.len())));
    }
    Ok(build(variant, values))
}

/// Whether `v` is a value of the field's type (a string, or a bool): serde's `invalid
/// type` otherwise.
fn check<E: de::Error>(v: &Scalar, is_bool: bool) -> Result<(), E> {
    match (v, is_bool) {
        (Scalar::Str(_), false) | (Scalar::Bool(_), true) => Ok(()),
        (_, false) => Err(E::invalid_type(v.unexpected(), &"a string")),
        (_, true) => Err(E::invalid_type(v.unexpected(), &"a boolean")),
    }
}

/// The variant `index` of the values, checked ([`check`]) and all present.
fn build(index: usize, values: [Option<Scalar>; 4]) -> Download {
    let [a, b, c, d] = values.map(|v| match v {
        Some(Scalar::Str(s)) => (s, false),
        Some(Scalar::Bool(b)) => (String::new(), b),
        _ => (String::new(), false),
    });
    match index {
        0 => Download::Image {
            msg_id: a.0,
            thumbnail: b.1,
        },
        1 => Download::Voice { msg_id: a.0 },
        2 => Download::Video { msg_id: a.0 },
        3 => Download::File {
            sender: a.0,
            media_id: b.0,
            file_name: c.0,
            encry_file_name: d.0,
        },
        4 => Download::Avatar { user_name: a.0 },
        _ => Download::MemberAvatar {
            user_name: a.0,
            group: b.0,
        },
    }
}

/// `struct variant Download::NAME with N elements`, as serde's derive says it.
struct Length(&'static str, usize);

impl de::Expected for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.1 == 1 { "" } else { "s" };
        write!(
            f,
            "struct variant Download::{} with {} element{s}",
            self.0, self.1
        )
    }
}

/// `N elements in sequence`, as serde's sequence deserializer says it.
struct InSeq(usize);

impl de::Expected for InSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 1 {
            f.write_str("1 element in sequence")
        } else {
            write!(f, "{} elements in sequence", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::{Value, json};

    /// The derive this module replaces, as the reference (the same name, so the same
    /// messages).
    mod derived {
        use serde::Deserialize;
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(tag = "what", rename_all = "snake_case")]
        pub enum Download {
            Image {
                msg_id: String,
                thumbnail: bool,
            },
            Voice {
                msg_id: String,
            },
            Video {
                msg_id: String,
            },
            File {
                sender: String,
                media_id: String,
                file_name: String,
                encry_file_name: String,
            },
            Avatar {
                user_name: String,
            },
            MemberAvatar {
                user_name: String,
                group: String,
            },
        }
    }

    /// The reference's value as the real type's, through what they both write.
    fn same(d: &derived::Download, r: &super::Download) -> bool {
        format!("{d:?}") == format!("{r:?}")
    }

    fn inputs() -> Vec<Value> {
        let full = [
            json!({"what": "image", "msg_id": "1", "thumbnail": true}),
            json!({"what": "voice", "msg_id": "1"}),
            json!({"what": "video", "msg_id": "1"}),
            json!({"what": "file", "sender": "s", "media_id": "m", "file_name": "f", "encry_file_name": "e"}),
            json!({"what": "avatar", "user_name": "u"}),
            json!({"what": "member_avatar", "user_name": "u", "group": "g"}),
        ];
        let bad = [
            json!(null),
            json!(5),
            json!(-5),
            json!(1.5),
            json!("x"),
            json!(true),
            json!([]),
            json!([1]),
            json!({}),
            json!({"a": 1}),
        ];
        let mut out = Vec::new();
        for v in &full {
            out.push(v.clone());
            let obj = v.as_object().unwrap();
            // The array form: the tag, then the values; short, and long.
            let values: Vec<Value> = obj
                .iter()
                .filter(|(k, _)| *k != "what")
                .map(|(_, v)| v.clone())
                .collect();
            let mut array = vec![obj["what"].clone()];
            array.extend(values.iter().cloned());
            out.push(Value::Array(array.clone()));
            out.push(Value::Array(array[..array.len() - 1].to_vec()));
            let mut long = array.clone();
            long.push(json!("x"));
            out.push(Value::Array(long));
            for key in obj.keys() {
                let mut o = obj.clone();
                o.remove(key);
                out.push(Value::Object(o.clone()));
                for b in &bad {
                    let mut o = obj.clone();
                    o.insert(key.clone(), b.clone());
                    out.push(Value::Object(o));
                    let mut a = array.clone();
                    let i = obj
                        .keys()
                        .filter(|k| *k != "what")
                        .position(|k| k == key)
                        .map_or(0, |i| i + 1);
                    a[i] = b.clone();
                    out.push(Value::Array(a));
                }
            }
            // Keys of other variants, and unknown ones, whatever their values.
            let mut o = obj.clone();
            o.insert("thumbnail".into(), json!("no"));
            o.insert("group".into(), json!([1]));
            o.insert("zz".into(), json!({"a": 1}));
            out.push(Value::Object(o));
        }
        for b in &bad {
            out.push(b.clone());
        }
        out.push(json!({"what": "nope"}));
        out.push(json!(["nope"]));
        out
    }

    /// Input for input, from text (with repeated keys, which a `Value` cannot hold) and
    /// from a `Value`: the same download or the same error, message and position.
    #[test]
    fn reads_as_the_derive_does() {
        let mut texts: Vec<String> = inputs().iter().map(Value::to_string).collect();
        texts.push(r#"{"what": "voice", "msg_id": "1", "what": "video"}"#.into());
        texts.push(r#"{"msg_id": "1", "what": "voice", "msg_id": "2"}"#.into());
        texts.push(r#"{"msg_id": 5, "what": "voice", "msg_id": "2"}"#.into());
        texts.push(r#"{"what": 5, "msg_id": "1"}"#.into());
        texts.push(r#"{"what": "image", "thumbnail": 1, "msg_id": 2}"#.into());
        texts.push(r#"[0, "1"]"#.into());
        let (mut ok, mut err) = (0, 0);
        for text in &texts {
            let d = serde_json::from_str::<derived::Download>(text);
            let r = serde_json::from_str::<super::Download>(text);
            match (&d, &r) {
                (Ok(d), Ok(r)) => assert!(same(d, r), "{text}: {d:?} / {r:?}"),
                (Err(d), Err(r)) => assert_eq!(d.to_string(), r.to_string(), "{text}"),
                _ => panic!("{text}: {d:?} / {r:?}"),
            }
            if r.is_ok() {
                ok += 1;
            } else {
                err += 1;
            }
            let value: Value = serde_json::from_str(text).unwrap();
            let d = derived::Download::deserialize(&value);
            let r = super::Download::deserialize(&value);
            match (&d, &r) {
                (Ok(d), Ok(r)) => assert!(same(d, r), "{text}: {d:?} / {r:?}"),
                (Err(d), Err(r)) => assert_eq!(d.to_string(), r.to_string(), "Value {text}"),
                _ => panic!("Value {text}: {d:?} / {r:?}"),
            }
        }
        assert!(ok > 10 && err > 100, "{ok} {err}");
    }
}
