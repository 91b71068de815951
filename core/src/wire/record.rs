//! Structs read key by key into a blank value: the `Deserialize` of the large wire structs
//! (contacts, messages, webwxsync's and webwxinit's answers, the saved session), written
//! once here instead of derived for each.
//!
//! serde's derive gives every struct two readers — one for a JSON object, one for a JSON
//! array holding the fields in order — each with its own copy of every field's
//! deserializer, a `__Field` key visitor matching the names as strings and as bytes, and
//! an `Option` per field. For the browser package that was the largest part of the
//! `.wasm` after the protocol itself. Here both forms call the same `read_field` (one copy
//! of each field's deserializer), keys are found by one loop over [`Record::FIELDS`], and
//! the record is filled in place.
//!
//! What a reader sees is what serde's derive gives, message for message: unknown keys are
//! skipped, a missing key (or a short array) leaves the field's default, or is `missing
//! field `X`` (`invalid length .., expected struct X with N elements` from an array) for a
//! field without one ([`Missing`]), a repeated key is `duplicate field `X``, a value of the
//! wrong type is the field deserializer's own error, anything but an object or an array is
//! `invalid type: .., expected struct X` (serde_json accepts both forms for a struct, as it
//! did). `tests` checks these against derived twins.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A struct read field by field.
pub(crate) trait Record<'de>: Sized {
    /// The struct's name in serde's messages (`expected struct NAME`).
    const NAME: &'static str;
    /// The JSON keys, in declaration order (the order of the array form). At most 64.
    const FIELDS: &'static [&'static str];
    /// What each field gives when it is not in the input, as serde's derive has it.
    const MISSING: &'static [Missing];
    /// The value the fields are read into: each [`Missing::Default`] field at its
    /// default, each [`Missing::None`] field `None` (the others are always read).
    fn blank() -> Self;
    /// Reads field `index` (of [`Record::FIELDS`]) from `d` into `self`.
    fn read_field<D: Deserializer<'de>>(&mut self, index: usize, d: D) -> Result<(), D::Error>;
}

/// What a field not in the input gives, as serde's derive treats it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// `missing field` from an object, `invalid length` from an array: a field without a
    /// default.
    Error,
    /// `None` from an object, `invalid length` from an array: an `Option` without a
    /// default.
    None,
    /// Its default: a field with `#[serde(default)]`, or any of a `#[serde(default)]`
    /// struct.
    Default,
}

/// `T` read from `d`, as serde's derive reads it.
pub(crate) fn deserialize<'de, T: Record<'de>, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    const {
        assert!(T::FIELDS.len() <= 64 && T::FIELDS.len() == T::MISSING.len());
    };
    d.deserialize_struct(T::NAME, T::FIELDS, RecordVisitor(PhantomData))
}

/// Implements [`Record`] and `Deserialize` for a struct from its keys, fields and each
/// field's reader (a `fn(D) -> Result<FieldType, D::Error>` such as `lenient::u64`, or
/// `Deserialize::deserialize`), in declaration order. Two forms:
/// - `record!(Type { "Key" => field: reader, .. })`: a `#[serde(default)]` struct (every
///   field [`Missing::Default`], `Default::default()` the blank);
/// - `record!(Type = blank; { Error "key" => field: reader, None .., Default .. })`: each
///   field's [`Missing`], and the [`Record::blank`] value.
macro_rules! record {
    ($ty:ident { $($key:literal => $field:ident: $read:expr),+ $(,)? }) => {
        $crate::wire::record::record!(
            $ty = ::core::default::Default::default(); { $(Default $key => $field: $read),+ }
        );
    };
    ($ty:ident = $blank:expr; {
        $($missing:ident $key:literal => $field:ident: $read:expr),+ $(,)?
    }) => {
        impl<'de> $crate::wire::record::Record<'de> for $ty {
            const NAME: &'static str = stringify!($ty);
            const FIELDS: &'static [&'static str] = &[$($key),+];
            const MISSING: &'static [$crate::wire::record::Missing] =
                &[$($crate::wire::record::Missing::$missing),+];
            fn blank() -> Self {
                $blank
            }
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
        let mut out = T::blank();
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
        let unread = T::MISSING
            .iter()
            .enumerate()
            .find(|&(i, m)| *m == Missing::Error && seen & (1u64 << i) == 0);
        if let Some((i, _)) = unread {
            return Err(de::Error::missing_field(T::FIELDS[i]));
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut out = T::blank();
        for index in 0..T::FIELDS.len() {
            let field = Field {
                record: &mut out,
                index,
            };
            if seq.next_element_seed(field)?.is_none() {
                // The derive reads on: the first later field without a default fails.
                let short = (index..T::FIELDS.len()).find(|&i| T::MISSING[i] != Missing::Default);
                if let Some(i) = short {
                    return Err(de::Error::invalid_length(
                        i,
                        &Length(T::NAME, T::FIELDS.len()),
                    ));
                }
                break;
            }
        }
        Ok(out)
    }
}

/// What an array too short for a struct was expected to be: `struct NAME with N
/// elements`, as serde's derive says it.
struct Length(&'static str, usize);

impl de::Expected for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.1 == 1 { "" } else { "s" };
        write!(f, "struct {} with {} element{s}", self.0, self.1)
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

    /// A struct without `#[serde(default)]`: fields without a default, an `Option`
    /// without one, a field with one; derived and by [`record!`].
    mod strict_derived {
        use super::*;
        #[derive(Debug, PartialEq, Deserialize)]
        pub struct Strict {
            pub a: u64,
            #[serde(deserialize_with = "lenient::string")]
            pub b: String,
            pub c: Option<Inner>,
            #[serde(default)]
            pub d: Vec<u32>,
            pub e: bool,
        }
    }
    mod strict_recorded {
        use super::*;
        #[derive(Debug, PartialEq)]
        pub struct Strict {
            pub a: u64,
            pub b: String,
            pub c: Option<Inner>,
            pub d: Vec<u32>,
            pub e: bool,
        }
        record!(Strict = Strict { a: 0, b: String::new(), c: None, d: Vec::new(), e: false }; {
            Error "a" => a: Deserialize::deserialize,
            Error "b" => b: lenient::string,
            None "c" => c: Deserialize::deserialize,
            Default "d" => d: Deserialize::deserialize,
            Error "e" => e: Deserialize::deserialize,
        });
    }

    /// The strict struct reads as the derive reads it too: missing fields (`missing
    /// field` from an object, `invalid length` from a short array), `None` for the
    /// `Option`, the default for the field with one.
    #[test]
    fn strict_reads_as_the_derive_does() {
        let inputs = [
            r#"{}"#,
            r#"{"a":1,"b":2,"e":true}"#,
            r#"{"a":1,"b":"x","c":{"X":3},"d":[4],"e":false}"#,
            r#"{"b":"x","e":true}"#,
            r#"{"a":1,"e":true}"#,
            r#"{"a":1,"b":"x"}"#,
            r#"{"a":1,"b":"x","e":true,"a":2}"#,
            r#"{"a":1,"b":"x","e":true,"c":null,"zz":[]}"#,
            r#"{"a":"1","b":"x","e":true}"#,
            r#"{"a":1,"b":"x","e":true,"c":5}"#,
            r#"[]"#,
            r#"[1]"#,
            r#"[1,"x"]"#,
            r#"[1,"x",null]"#,
            r#"[1,"x",null,[2]]"#,
            r#"[1,"x",{"X":1},[2],true]"#,
            r#"[1,"x",null,[2],true,6]"#,
            r#""s""#,
            r#"null"#,
        ];
        for input in inputs {
            let d = serde_json::from_str::<strict_derived::Strict>(input);
            let r = serde_json::from_str::<strict_recorded::Strict>(input);
            match (&d, &r) {
                (Ok(d), Ok(r)) => assert_eq!(
                    (d.a, &d.b, &d.c, &d.d, d.e),
                    (r.a, &r.b, &r.c, &r.d, r.e),
                    "{input}"
                ),
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
        if matches!(v, Value::Array(a) if !a.is_empty()) {
            out.push(json!([]));
        }
        out.extend([
            json!([{}]),
            json!([7]),
            json!(["7"]),
            json!([["7", 7]]),
            json!(7),
            json!("7"),
        ]);
        out
    }

    /// [`Record::FIELDS`] of `T` are the keys its `Serialize` writes, in the same order,
    /// and each key is read into its own field: `value` written out with a changed value
    /// under key `k` (as an object, and as the array of its values) comes back changed
    /// under `k` and nowhere else.
    fn check<T>(value: T)
    where
        T: for<'de> Record<'de> + DeserializeOwned + Serialize + Debug,
    {
        let name = <T as Record<'_>>::NAME;
        let fields = <T as Record<'_>>::FIELDS;
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(keys(&text), fields, "{name}: FIELDS and Serialize disagree");
        // Distinct (a key's index does not depend on where `index_of` starts).
        for (i, key) in fields.iter().enumerate() {
            assert!(!fields[..i].contains(key), "{name}: {key} twice in FIELDS");
        }
        let base: Value = serde_json::from_str(&text).unwrap();
        let Value::Object(object) = &base else {
            unreachable!()
        };
        for (i, key) in fields.iter().enumerate() {
            let found = changes(&base[key]).into_iter().find_map(|c| {
                let mut changed = object.clone();
                changed.insert(key.to_string(), c.clone());
                let t = serde_json::from_value::<T>(Value::Object(changed)).ok()?;
                let after = serde_json::to_value(&t).unwrap();
                let differ: Vec<&String> = object
                    .iter()
                    .filter(|(k, v)| after[k.as_str()] != **v)
                    .map(|(k, _)| k)
                    .collect();
                (differ == [key]).then_some((c, after))
            });
            let (c, after) = found.unwrap_or_else(|| panic!("{name}.{key} is not read"));
            let mut array: Vec<Value> = fields.iter().map(|k| base[*k].clone()).collect();
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
        check(crate::wire::RawContact::default());
        check(crate::wire::RawMember::default());
        check(crate::wire::BaseResponse::default());
        check(RawMessage::default());
        check(RawRecommendInfo::default());
        check(RawAppInfo::default());
        check(sync::SyncResponse::default());
        check(sync::DelContact::default());
        check(sync::Profile::default());
        check(init::InitResponse::default());
        check(batchgetcontact::BatchContacts::default());
        check(checkupload::CheckUploadResponse::default());
        check(createchatroom::CreateChatRoomResponse::default());
        check(getcontact::ContactPage::default());
        check(oplog::OplogResponse::default());
        check(revokemsg::RevokeResponse::default());
        check(sendmsg::SendResponse::default());
        check(statusnotify::StatusNotifyResponse::default());
        check(updatechatroom::UpdateChatRoomResponse::default());
        check(uploadmedia::UploadMediaResponse::default());
        check(verifyuser::VerifyUserResponse::default());
    }

    /// The saved session's records (fields without defaults, `Option`s), each given a
    /// value in every field.
    #[test]
    fn every_session_record_reads_every_field() {
        use crate::cookies::{CookieJar, StoredCookie};
        use crate::hosts::Hosts;
        use crate::session::{Credentials, SessionState};
        use crate::time::Timestamp;
        use crate::wire::{RawContact, SyncKey, SyncKeyPair};
        let cookie = StoredCookie {
            name: "n".into(),
            value: "v".into(),
            domain: "wx.qq.com".into(),
            host_only: true,
            path: "/".into(),
            secure: true,
            expires: Some(Timestamp(5)),
        };
        let mut jar = CookieJar::new();
        jar.insert(cookie.clone());
        let credentials = Credentials::new(1, "s", "k", "p", true);
        let key = SyncKey::from_pairs([(1, 2)]);
        let mut state = SessionState::new(3, Hosts::for_content_host("wx.qq.com"));
        state.credentials = Some(credentials.clone());
        state.sync_key = key.clone();
        state.sync_check_key = key.clone();
        state.cookies = jar.clone();
        state.me = Some(RawContact::default());
        state.seen.insert("11");
        state.sent.insert("12", "13");
        state.last_uin = Some(4);
        check(cookie);
        check(jar);
        check(credentials);
        check(key);
        check(SyncKeyPair { key: 1, val: 2 });
        check(Hosts::for_content_host("wx.qq.com"));
        check(state.seen.clone());
        check(state.sent.clone());
        check(state.rng.clone());
        check(state.msg_ids.clone());
        check(state.pacing.clone());
        check(state);
    }
}
