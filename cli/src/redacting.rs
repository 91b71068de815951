//! Redaction while serializing: [`Redacted`] wraps any `Serialize` value and hands the
//! serializer (serde_json's, writing straight to the output) the same value with its
//! secrets replaced — no intermediate `serde_json::Value` and no second pass.
//!
//! The rule (that of `webwx decode`): the value of a field or map key named like a
//! secret ([`is_secret`], any case, at any depth) becomes [`REDACTED`] unless it says
//! nothing (`null`, `0`, `""`); in every string, the values of secret query parameters
//! (`…?skey=…&ticket=…`) become [`REDACTED`] (empty values stay).

use serde::ser::{
    self, Impossible, Serialize, SerializeMap, SerializeSeq, SerializeStruct,
    SerializeStructVariant, SerializeTuple, SerializeTupleStruct, SerializeTupleVariant,
    Serializer,
};
use std::fmt::Display;

/// What replaces a redacted value.
pub const REDACTED: &str = "<redacted>";

/// The keys (and query parameters) whose values are secrets.
const SECRET_KEYS: [&str; 5] = ["skey", "sid", "uin", "pass_ticket", "webwx_data_ticket"];

/// Query parameters that are secrets besides [`SECRET_KEYS`]: `ticket` is the one-time
/// login ticket of a confirmed login poll's redirect_uri (whoever has it within its
/// lifetime gets the session).
const SECRET_PARAMS: [&str; 1] = ["ticket"];

/// Whether a key's value is a secret.
pub fn is_secret(key: &str) -> bool {
    SECRET_KEYS.iter().any(|s| s.eq_ignore_ascii_case(key))
}

/// `s` with the values of its secret query parameters redacted; `None` when it has none
/// (the common case: no allocation).
pub fn redact_query(s: &str) -> Option<String> {
    let (head, query) = s.split_once('?')?;
    let secret = |param: &str| match param.split_once('=') {
        Some((name, value)) => {
            !value.is_empty() && (is_secret(name) || SECRET_PARAMS.contains(&name))
        }
        None => false,
    };
    if !query.split('&').any(secret) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    out.push_str(head);
    out.push('?');
    for (i, param) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match param.split_once('=') {
            Some((name, _)) if secret(param) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(param),
        }
    }
    Some(out)
}

/// The name serde_json's serializer gives a `RawValue` (`serde_json::value::RawValue`'s
/// `Serialize`): a struct of that name with one string field of that name is written
/// verbatim. Such a field is let through untouched: it is a `RawValue`, or output
/// rendered and redacted already (`rendered::Rendered`).
pub const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// `T` serialized with its secrets redacted (see the module docs).
pub struct Redacted<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for Redacted<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Redacting(s))
    }
}

/// The value of a secret key: [`REDACTED`] unless it says nothing.
struct SecretValue<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for SecretValue<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.serialize(Probe) {
            Ok(Shape { empty: true, .. }) => self.0.serialize(Redacting(s)),
            _ => s.serialize_str(REDACTED),
        }
    }
}

/// A serializer (or one of its compound states) whose output is redacted.
struct Redacting<S>(S);

/// A map state that remembers whether the key just written is a secret.
struct RedactingMap<S> {
    inner: S,
    secret: bool,
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.0.$method($($arg),*)
        })*
    };
}

impl<S: Serializer> Serializer for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Redacting<S::SerializeSeq>;
    type SerializeTuple = Redacting<S::SerializeTuple>;
    type SerializeTupleStruct = Redacting<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Redacting<S::SerializeTupleVariant>;
    type SerializeMap = RedactingMap<S::SerializeMap>;
    type SerializeStruct = Redacting<S::SerializeStruct>;
    type SerializeStructVariant = Redacting<S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        match redact_query(v) {
            Some(redacted) => self.0.serialize_str(&redacted),
            None => self.0.serialize_str(v),
        }
    }

    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        // Only ids come this way (`boundary::id64`): digits, never a query. Written
        // without a String in between.
        self.0.collect_str(v)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Redacted(v))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Redacted(v))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        if is_secret(variant) {
            self.0
                .serialize_newtype_variant(name, index, variant, &SecretValue(v))
        } else {
            self.0
                .serialize_newtype_variant(name, index, variant, &Redacted(v))
        }
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Redacting)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Redacting)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Redacting)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Redacting)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(|inner| RedactingMap {
            inner,
            secret: false,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Redacting)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Redacting)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

impl<S: SerializeSeq> SerializeSeq for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        self.0.serialize_element(&Redacted(v))
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

impl<S: SerializeTuple> SerializeTuple for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        self.0.serialize_element(&Redacted(v))
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

impl<S: SerializeTupleStruct> SerializeTupleStruct for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        self.0.serialize_field(&Redacted(v))
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

impl<S: SerializeTupleVariant> SerializeTupleVariant for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        self.0.serialize_field(&Redacted(v))
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

impl<S: SerializeStruct> SerializeStruct for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), S::Error> {
        if key == RAW_VALUE_TOKEN {
            // Output rendered (and redacted) already (`crate::rendered::Rendered`), or
            // a `RawValue`: written as it is.
            self.0.serialize_field(key, v)
        } else if is_secret(key) {
            self.0.serialize_field(key, &SecretValue(v))
        } else {
            self.0.serialize_field(key, &Redacted(v))
        }
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
        self.0.skip_field(key)
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

impl<S: SerializeStructVariant> SerializeStructVariant for Redacting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), S::Error> {
        if is_secret(key) {
            self.0.serialize_field(key, &SecretValue(v))
        } else {
            self.0.serialize_field(key, &Redacted(v))
        }
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
        self.0.skip_field(key)
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

impl<S: SerializeMap> SerializeMap for RedactingMap<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        self.secret = matches!(
            key.serialize(Probe),
            Ok(Shape {
                secret_key: true,
                ..
            })
        );
        // Keys are written as they are: a key is a name, never a secret itself.
        self.inner.serialize_key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        if std::mem::take(&mut self.secret) {
            self.inner.serialize_value(&SecretValue(v))
        } else {
            self.inner.serialize_value(&Redacted(v))
        }
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

/// What [`Probe`] learns of a scalar.
struct Shape {
    /// `null`, `0` or `""`: says nothing, never redacted.
    empty: bool,
    /// A string naming a secret key.
    secret_key: bool,
}

/// Looks at a value without writing it: whether it is empty, whether it is a secret
/// key. Compound values are neither (an error ends the probe at once).
struct Probe;

#[derive(Debug)]
struct NotScalar;

impl Display for NotScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for NotScalar {}

impl ser::Error for NotScalar {
    fn custom<T: Display>(_: T) -> Self {
        NotScalar
    }
}

const FULL: Result<Shape, NotScalar> = Ok(Shape {
    empty: false,
    secret_key: false,
});
const EMPTY: Result<Shape, NotScalar> = Ok(Shape {
    empty: true,
    secret_key: false,
});

fn number(zero: bool) -> Result<Shape, NotScalar> {
    if zero { EMPTY } else { FULL }
}

impl Serializer for Probe {
    type Ok = Shape;
    type Error = NotScalar;
    type SerializeSeq = Impossible<Shape, NotScalar>;
    type SerializeTuple = Impossible<Shape, NotScalar>;
    type SerializeTupleStruct = Impossible<Shape, NotScalar>;
    type SerializeTupleVariant = Impossible<Shape, NotScalar>;
    type SerializeMap = Impossible<Shape, NotScalar>;
    type SerializeStruct = Impossible<Shape, NotScalar>;
    type SerializeStructVariant = Impossible<Shape, NotScalar>;

    fn serialize_bool(self, _: bool) -> Result<Shape, NotScalar> {
        FULL
    }
    fn serialize_i8(self, v: i8) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_i16(self, v: i16) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_i32(self, v: i32) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_i64(self, v: i64) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_u8(self, v: u8) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_u16(self, v: u16) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_u32(self, v: u32) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_u64(self, v: u64) -> Result<Shape, NotScalar> {
        number(v == 0)
    }
    fn serialize_f32(self, _: f32) -> Result<Shape, NotScalar> {
        FULL
    }
    fn serialize_f64(self, _: f64) -> Result<Shape, NotScalar> {
        FULL
    }
    fn serialize_char(self, _: char) -> Result<Shape, NotScalar> {
        FULL
    }
    fn serialize_str(self, v: &str) -> Result<Shape, NotScalar> {
        Ok(Shape {
            empty: v.is_empty(),
            secret_key: is_secret(v),
        })
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<Shape, NotScalar> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Shape, NotScalar> {
        FULL
    }
    fn serialize_none(self) -> Result<Shape, NotScalar> {
        EMPTY
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Shape, NotScalar> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Shape, NotScalar> {
        EMPTY
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Shape, NotScalar> {
        EMPTY
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Shape, NotScalar> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Shape, NotScalar> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Shape, NotScalar> {
        FULL
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotScalar> {
        Err(NotScalar)
    }
}

/// The same rule as a walk over a `Value`: what `webwx decode` did before it wrote typed
/// output, kept as the tests' oracle.
#[cfg(test)]
pub fn redact_value(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if !is_secret(k) {
                    redact_value(val);
                } else if !matches!(val, Value::Null) && *val != 0 && *val != "" {
                    *val = Value::String(REDACTED.into());
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::String(s) => {
            if let Some(r) = redact_query(s) {
                *s = r;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn through(v: &Value) -> Value {
        serde_json::to_value(Redacted(v)).unwrap()
    }

    #[test]
    fn nested_keys() {
        let v = json!({"kind": "credentials", "uin": 1, "sid": "s",
            "skey": "k", "pass_ticket": "p", "is_grayscale": true, "x": [{"Uin": 2}],
            "deep": {"SKey": {"a": 1}}, "list": {"Sid": [1]}});
        let r = through(&v);
        assert_eq!(r["uin"], REDACTED);
        assert_eq!(r["sid"], REDACTED);
        assert_eq!(r["skey"], REDACTED);
        assert_eq!(r["pass_ticket"], REDACTED);
        assert_eq!(r["x"][0]["Uin"], REDACTED);
        assert_eq!(r["deep"]["SKey"], REDACTED);
        assert_eq!(r["list"]["Sid"], REDACTED);
        assert_eq!(r["is_grayscale"], true);
        assert_eq!(r["kind"], "credentials");
    }

    #[test]
    fn query_parameters_and_empty_values() {
        let v = json!({"Uin": 0, "SKey": "", "sid": null,
            "url": "/icon?seq=1&skey=@crypt_1&username=@a&pass_ticket=",
            "login": "https://x/cgi?ticket=T&uuid=u&lang=zh_CN",
            "text": "no query here", "plain": "?a=1&b=2"});
        let r = through(&v);
        assert_eq!(r["Uin"], 0);
        assert_eq!(r["SKey"], "");
        assert_eq!(r["sid"], Value::Null);
        assert_eq!(
            r["url"],
            "/icon?seq=1&skey=<redacted>&username=@a&pass_ticket="
        );
        assert_eq!(
            r["login"],
            "https://x/cgi?ticket=<redacted>&uuid=u&lang=zh_CN"
        );
        assert_eq!(r["text"], "no query here");
        assert_eq!(r["plain"], "?a=1&b=2");
    }

    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Typed<'a> {
        uin: u64,
        sid: Option<&'a str>,
        head_img_url: &'a str,
        #[serde(rename = "SKey")]
        skey: &'a str,
        inner: Vec<Inner>,
    }

    #[derive(serde::Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Inner {
        Credentials { uin: u64, skey: String },
        Nothing,
    }

    #[test]
    fn typed_structs_and_tagged_enums() {
        let t = Typed {
            uin: 7,
            sid: None,
            head_img_url: "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey=@crypt_x",
            skey: "@crypt_x",
            inner: vec![
                Inner::Credentials {
                    uin: 0,
                    skey: "k".into(),
                },
                Inner::Nothing,
            ],
        };
        let want = {
            let mut v = serde_json::to_value(&t).unwrap();
            redact_value(&mut v);
            v
        };
        let got: Value =
            serde_json::from_str(&serde_json::to_string(&Redacted(&t)).unwrap()).unwrap();
        assert_eq!(got, want);
        assert_eq!(got["Uin"], REDACTED);
        assert_eq!(got["Sid"], Value::Null);
        assert_eq!(got["SKey"], REDACTED);
        assert_eq!(got["Inner"][0]["uin"], 0);
        assert_eq!(got["Inner"][0]["skey"], REDACTED);
        assert_eq!(
            got["HeadImgUrl"],
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey=<redacted>"
        );
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let key = prop_oneof![
            Just("uin".to_owned()),
            Just("SKey".to_owned()),
            Just("Sid".to_owned()),
            Just("pass_ticket".to_owned()),
            Just("webwx_data_ticket".to_owned()),
            "[a-zA-Z]{1,6}",
        ];
        let string = prop_oneof![
            Just(String::new()),
            "[a-z0-9]{0,5}",
            "[a-z/]{0,4}\\?((skey|sid|ticket|uin|a|Sid)=[a-z@]{0,3}&?){0,3}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (0u64..3).prop_map(Value::from),
            (-2i64..0).prop_map(Value::from),
            string.prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key.clone(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Streaming redaction agrees with the old walk over a `Value`, on any JSON.
        #[test]
        fn agrees_with_the_value_walk(v in json_value()) {
            let mut want = v.clone();
            redact_value(&mut want);
            proptest::prop_assert_eq!(through(&v), want);
        }
    }
}
