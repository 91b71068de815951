//! 64-bit ids on the JSON boundary: written as strings (a JavaScript number holds
//! integers exactly only up to 2^53, and `MsgId`, `NewMsgId` and `ClientMsgId` go past
//! it), read from a string or a number alike.
//!
//! Use with `#[serde(with = "crate::id64")]` on a `u64` field, or [`option`] on an
//! `Option<u64>`. A leaf: it imports nothing of the crate, so the message types can use
//! it without depending on the boundary. Also at `webwx_core::boundary::id64`.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use std::fmt;

/// Writes `v` as a decimal string.
pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// Reads a `u64` from a decimal string or a non-negative integer.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(Id64Visitor)
}

struct Id64Visitor;

impl Visitor<'_> for Id64Visitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 64-bit id as a decimal string or a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(format!("negative id {v}")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        v.parse()
            .map_err(|_| E::custom(format!("id {v:?} is not a decimal 64-bit number")))
    }
}

/// The JSON Schema of a 64-bit id on the boundary: a decimal string (use with
/// `#[schemars(with = "Id64")]` beside `#[serde(with = "id64")]`).
#[cfg(feature = "schema")]
pub struct Id64;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Id64 {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id64".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]{1,20}$",
            "description": "A 64-bit id as a decimal string (JavaScript numbers cannot hold it)."
        })
    }
}

/// The same for an `Option<u64>`: `null` or absent (with `#[serde(default)]`) is `None`.
pub mod option {
    use super::*;

    /// Writes `Some(v)` as a decimal string, `None` as `null`.
    pub fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    /// Reads `null`, a decimal string or a non-negative integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "super")] u64);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        #[serde(with = "super")]
        id: u64,
        #[serde(with = "super::option", default)]
        opt: Option<u64>,
    }

    #[test]
    fn strings_out_strings_or_numbers_in() {
        let t = T {
            id: u64::MAX,
            opt: Some(9_007_199_254_740_993),
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"id":"18446744073709551615","opt":"9007199254740993"}"#
        );
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
        let lenient: T = serde_json::from_str(r#"{"id": 42, "opt": 7}"#).unwrap();
        assert_eq!(
            lenient,
            T {
                id: 42,
                opt: Some(7)
            }
        );
        let none: T = serde_json::from_str(r#"{"id": "1", "opt": null}"#).unwrap();
        assert_eq!(none.opt, None);
        let absent: T = serde_json::from_str(r#"{"id": "1"}"#).unwrap();
        assert_eq!(absent.opt, None);
        for bad in [r#"{"id": -1}"#, r#"{"id": "x1"}"#, r#"{"id": 1.5}"#] {
            assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
        }
    }
}
