//! Structs read key by key into a value that starts as its `Default`: the `Deserialize`
//! of the large wire structs (contacts, messages, webwxsync's and webwxinit's answers,
//! the saved session), written once here instead of derived for each.
//!
//! serde's derive gives every struct two readers — one for a JSON object, one for a JSON
//! array holding the fields in order — each with its own copy of every field's
//! deserializer, a `__Field` key visitor matching the names as strings and as bytes, and
//! an `Option` per field. For the browser package that was the largest part of the
//! `.wasm` after the protocol itself. Here both forms call the same `read_field` (one copy
//! of each field's deserializer), keys are found by one loop over [`Record::FIELDS`], and
//! the record is filled in place.
//!
//! What a reader sees is what the derive of `#[serde(default)]` on the struct gives,
//! message for message: unknown keys are skipped, a missing key (or a short array) leaves
//! the field's default, a repeated key is `duplicate field `X``, a value of the wrong type
//! is the field deserializer's own error, anything but an object or an array is `invalid
//! type: .., expected struct X` (serde_json accepts both forms for a struct, as it did).
//! `tests` checks these against a derived twin of the same struct.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A struct every field of which has a default, read field by field.
pub(crate) trait Record<'de>: Default {
    /// The struct's name in serde's messages (`expected struct NAME`).
    const NAME: &'static str;
    /// The JSON keys, in declaration order (the order of the array form). At most 64.
    const FIELDS: &'static [&'static str];
    /// Reads field `index` (of [`Record::FIELDS`]) from `d` into `self`.
    fn read_field<D: Deserializer<'de>>(&mut self, index: usize, d: D) -> Result<(), D::Error>;
}

/// `T` read from `d`, as serde's derive with `#[serde(default)]` reads it.
pub(crate) fn deserialize<'de, T: Record<'de>, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    const { assert!(T::FIELDS.len() <= 64) };
    d.deserialize_struct(T::NAME, T::FIELDS, RecordVisitor(PhantomData))
}

/// Implements [`Record`] and `Deserialize` for a struct from its keys, fields and each
/// field's reader (a `fn(D) -> Result<FieldType, D::Error>` such as `lenient::u64`, or
/// `Deserialize::deserialize`), in declaration order.
macro_rules! record {
    ($ty:ident { $($key:literal => $field:ident: $read:expr),+ $(,)? }) => {
        impl<'de> $crate::wire::record::Record<'de> for $ty {
            const NAME: &'static str = stringify!($ty);
            const FIELDS: &'static [&'static str] = &[$($key),+];
            fn read_field<D: ::serde::Deserializer<'de>>(
                &mut self,
                index: usize,
                d: D,
            ) -> Result<(), D::Error> {
                #[allow(non_camel_case_types)]
                enum Index {
                    $($field),+
                }
                $(
                    if index == Index::$field as usize {
                        self.$field = $read(d)?;
                        return Ok(());
                    }
                )+
                Ok(())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::wire::record::deserialize(d)
            }
        }
    };
}
pub(crate) use record;

/// `T` read from `d` as [`deserialize`] reads it, but only from a JSON object (the array
/// form is refused, as serde_json refuses anything but a map for `deserialize_map`).
pub(crate) fn deserialize_object<'de, T: Record<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    const { assert!(T::FIELDS.len() <= 64) };
    d.deserialize_map(RecordVisitor(PhantomData))
}

struct RecordVisitor<T>(PhantomData<T>);

/// `struct NAME`, as serde's derive says what it expects.
fn expecting_struct(name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("struct ")?;
    f.write_str(name)
}

impl<'de, T: Record<'de>> Visitor<'de> for RecordVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        expecting_struct(T::NAME, f)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut seen = 0u64;
        let mut next = 0;
        while let Some(key) = map.next_key_seed(Key(T::FIELDS, next))? {
            match key {
                Some(index) => {
                    next = index + 1;
                    let bit = 1u64 << index;
                    if seen & bit != 0 {
                        return Err(de::Error::duplicate_field(T::FIELDS[index]));
                    }
                    seen |= bit;
                    map.next_value_seed(Field {
                        record: &mut out,
                        index,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut out = T::default();
        for index in 0..T::FIELDS.len() {
            let field = Field {
                record: &mut out,
                index,
            };
            if seq.next_element_seed(field)?.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

/// A key: the index of the field it names (`None`: not a field, skipped). The second
/// field is where to look first: the field after the last key's (the server writes the
/// keys in the order of [`Record::FIELDS`]); the keys being distinct, the answer is the
/// same wherever the search starts.
struct Key(&'static [&'static str], usize);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<usize>, E> {
        Ok(usize::try_from(v).ok().filter(|&i| i < self.0.len()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(index_of(self.0, self.1, v.as_bytes()))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Option<usize>, E> {
        Ok(index_of(self.0, self.1, v))
    }
}

/// The index of `key` in `fields`, looked for at `first` before anywhere else.
fn index_of(fields: &[&str], first: usize, key: &[u8]) -> Option<usize> {
    if fields.get(first).is_some_and(|f| f.as_bytes() == key) {
        return Some(first);
    }
    fields.iter().position(|f| f.as_bytes() == key)
}

/// The value of field `index`, read into `record`.
struct Field<'r, T> {
    record: &'r mut T,
    index: usize,
}

impl<'de, T: Record<'de>> DeserializeSeed<'de> for Field<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.record.read_field(self.index, d)
    }
}

#[cfg(test)]
mod tests {
    use super::Record;
    use crate::wire::lenient;
    use serde::de::{DeserializeOwned, IntoDeserializer, value};
    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};
    use std::fmt::Debug;

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    struct Inner {
        #[serde(deserialize_with = "lenient::u64")]
        x: u64,
    }

    /// The same struct, its `Deserialize` derived (the reference) and by [`record!`].
    mod derived {
        use super::*;
        #[derive(Debug, Default, PartialEq, Deserialize)]
        #[serde(rename_all = "PascalCase", default)]
        pub struct Sample {
            #[serde(deserialize_with = "lenient::u64")]
            pub a_num: u64,
            #[serde(rename = "NAME", deserialize_with = "lenient::string")]
            pub name: String,
            #[serde(deserialize_with = "lenient::vec")]
            pub list: Vec<Inner>,
            pub inner: Inner,
            pub flag: bool,
        }
    }
    mod recorded {
        use super::*;
        #[derive(Debug, Default, PartialEq)]
        pub struct Sample {
            pub a_num: u64,
            pub name: String,
            pub list: Vec<Inner>,
            pub inner: Inner,
            pub flag: bool,
        }
        record!(Sample {
            "ANum" => a_num: lenient::u64,
            "NAME" => name: lenient::string,
            "List" => list: lenient::vec,
            "Inner" => inner: Deserialize::deserialize,
            "Flag" => flag: Deserialize::deserialize,
        });
    }

    fn same(d: &derived::Sample, r: &recorded::Sample) -> bool {
        d.a_num == r.a_num
            && d.name == r.name
            && d.list == r.list
            && d.inner == r.inner
            && d.flag == r.flag
    }

    /// Every form of input reads the same, errors included (message and position).
    #[test]
    fn reads_as_the_derive_does() {
        let inputs = [
            r#"{}"#,
            r#"{"ANum":"12","NAME":34,"List":null,"Inner":{"X":"1"},"Flag":true}"#,
            r#"{"ANum":12,"NAME":"x","List":[{"X":1},{}],"Inner":{}}"#,
            r#" { "Zzz" : [1, {"a": 2}], "NAME": "n", "aNum": 5, "" : null } "#,
            r#"{"NAME":"a","NAME":"b"}"#,
            r#"{"Flag":false,"ANum":1,"Flag":true}"#,
            r#"{"ANum":"x1"}"#,
            r#"{"ANum":-1}"#,
            r#"{"List":5}"#,
            r#"{"Inner":[1]}"#,
            r#"{"Inner":"s"}"#,
            r#"{"Flag":"yes"}"#,
            r#"{"ANum":1,}"#,
            r#"{"ANum":1"#,
            r#"{"ANum" 1}"#,
            r#"[]"#,
            r#"["1"]"#,
            r#"["1","n",[{"X":2}],{"X":3},true]"#,
            r#"["1","n",[],{},false,5]"#,
            r#"["1",{}]"#,
            r#""s""#,
            r#"5"#,
            r#"-5.5"#,
            r#"null"#,
            r#"true"#,
            r#""#,
        ];
        for input in inputs {
            let d = serde_json::from_str::<derived::Sample>(input);
            let r = serde_json::from_str::<recorded::Sample>(input);
            match (&d, &r) {
                (Ok(d), Ok(r)) => assert!(same(d, r), "{input}: {d:?} / {r:?}"),
                (Err(d), Err(r)) => assert_eq!(d.to_string(), r.to_string(), "{input}"),
                _ => panic!("{input}: {d:?} / {r:?}"),
            }
        }
    }

    /// Keys given as indexes or bytes (other deserializers than serde_json's) find their
    /// fields as the derive's key visitor does.
    #[test]
    fn keys_by_index_and_bytes() {
        type E = value::Error;
        let by_index = || {
            value::MapDeserializer::<_, E>::new(
                vec![(0u64, "7"), (1, "n"), (9, "skipped")].into_iter(),
            )
        };
        let d = derived::Sample::deserialize(by_index()).unwrap();
        let r = recorded::Sample::deserialize(by_index()).unwrap();
        assert!(same(&d, &r) && r.a_num == 7 && r.name == "n", "{r:?}");
        let by_bytes = || {
            value::MapDeserializer::<_, E>::new(
                vec![(&b"ANum"[..], "8"), (&b"NAME"[..], "m")]
                    .into_iter()
                    .map(|(k, v)| (value::BytesDeserializer::<E>::new(k), v)),
            )
        };
        let d = derived::Sample::deserialize(by_bytes()).unwrap();
        let r = recorded::Sample::deserialize(by_bytes()).unwrap();
        assert!(same(&d, &r) && r.a_num == 8 && r.name == "m", "{r:?}");
        let e = |s: &str| recorded::Sample::deserialize(s.into_deserializer()).map(|_| ());
        let d = |s: &str| derived::Sample::deserialize(s.into_deserializer()).map(|_| ());
        assert_eq!(
            e("x").map_err(|e: E| e.to_string()),
            d("x").map_err(|e: E| e.to_string())
        );
    }

    /// The top-level keys of `json`, in order.
    fn keys(json: &str) -> Vec<String> {
        struct Keys(Vec<String>);
        impl<'de> Deserialize<'de> for Keys {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Keys;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Keys, A::Error> {
                        let mut keys = Vec::new();
                        while let Some(k) = map.next_key::<String>()? {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            keys.push(k);
                        }
                        Ok(Keys(keys))
                    }
                }
                d.deserialize_map(V)
            }
        }
        serde_json::from_str::<Keys>(json).unwrap().0
    }

    /// Values to try for a field whose default is written as `v`: one of them is read
    /// into something else than the default.
    fn changes(v: &Value) -> Vec<Value> {
        let mut out = match v {
            Value::String(_) => vec![json!("7")],
            Value::Number(_) => vec![json!(7)],
            Value::Bool(b) => vec![json!(!b)],
            Value::Object(m) => match m.iter().next() {
                Some((k, first)) => changes(first)
                    .into_iter()
                    .map(|c| {
                        let mut m = m.clone();
                        m.insert(k.clone(), c);
                        Value::Object(m)
                    })
                    .collect(),
                None => vec![],
            },
            Value::Array(_) | Value::Null => vec![],
        };
        out.extend([json!([{}]), json!([7]), json!(["7"]), json!(7), json!("7")]);
        out
    }

    /// [`Record::FIELDS`] of `T` are the keys its `Serialize` writes, in the same order,
    /// and each key is read into its own field: a changed value under key `k` (an object
    /// `{k: value}`, or the array form with the value at `k`'s place) comes back written
    /// under `k` and nowhere else.
    fn check<T>()
    where
        T: for<'de> Record<'de> + DeserializeOwned + Serialize + Debug,
    {
        let name = <T as Record<'_>>::NAME;
        let fields = <T as Record<'_>>::FIELDS;
        let default = serde_json::to_string(&T::default()).unwrap();
        assert_eq!(
            keys(&default),
            fields,
            "{name}: FIELDS and Serialize disagree"
        );
        // Distinct (a key's index does not depend on where `index_of` starts).
        for (i, key) in fields.iter().enumerate() {
            assert!(!fields[..i].contains(key), "{name}: {key} twice in FIELDS");
        }
        let base: Value = serde_json::from_str(&default).unwrap();
        for (i, key) in fields.iter().enumerate() {
            let found = changes(&base[key]).into_iter().find_map(|c| {
                let t = serde_json::from_value::<T>(json!({ *key: c })).ok()?;
                let after = serde_json::to_value(&t).unwrap();
                let changed: Vec<&String> = base
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, v)| after[k.as_str()] != **v)
                    .map(|(k, _)| k)
                    .collect();
                (changed == [key]).then_some((c, after))
            });
            let (c, after) = found.unwrap_or_else(|| panic!("{name}.{key} is not read"));
            let mut array = vec![Value::Null; i + 1];
            array[..i].clone_from_slice(
                &fields[..i]
                    .iter()
                    .map(|k| base[*k].clone())
                    .collect::<Vec<_>>(),
            );
            array[i] = c;
            let t: T = serde_json::from_value(Value::Array(array)).unwrap();
            assert_eq!(
                serde_json::to_value(&t).unwrap(),
                after,
                "{name}.{key} as an array"
            );
        }
    }

    #[test]
    fn every_record_reads_every_field() {
        use crate::endpoint::{
            batchgetcontact, checkupload, createchatroom, getcontact, init, oplog, revokemsg,
            sendmsg, statusnotify, sync, updatechatroom, uploadmedia, verifyuser,
        };
        use crate::message::{RawAppInfo, RawMessage, RawRecommendInfo};
        check::<crate::wire::RawContact>();
        check::<crate::wire::RawMember>();
        check::<crate::wire::BaseResponse>();
        check::<RawMessage>();
        check::<RawRecommendInfo>();
        check::<RawAppInfo>();
        check::<sync::SyncResponse>();
        check::<sync::DelContact>();
        check::<sync::Profile>();
        check::<init::InitResponse>();
        check::<batchgetcontact::BatchContacts>();
        check::<checkupload::CheckUploadResponse>();
        check::<createchatroom::CreateChatRoomResponse>();
        check::<getcontact::ContactPage>();
        check::<oplog::OplogResponse>();
        check::<revokemsg::RevokeResponse>();
        check::<sendmsg::SendResponse>();
        check::<statusnotify::StatusNotifyResponse>();
        check::<updatechatroom::UpdateChatRoomResponse>();
        check::<uploadmedia::UploadMediaResponse>();
        check::<verifyuser::VerifyUserResponse>();
    }
}
