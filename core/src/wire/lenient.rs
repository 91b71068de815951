//! Deserializers for fields the server sends sometimes as numbers, sometimes as strings
//! (`Uin`, `MsgId`, `FileSize`, `Ret` ...), or as `null`.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

struct AnyNumber<T>(std::marker::PhantomData<T>);

macro_rules! number_visitor {
    ($t:ty, $name:literal) => {
        impl<'de> Visitor<'de> for AnyNumber<$t> {
            type Value = $t;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($name)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<$t, E> {
                <$t>::try_from(v).map_err(|_| E::custom("number out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<$t, E> {
                <$t>::try_from(v).map_err(|_| E::custom("number out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<$t, E> {
                if v.fract() == 0.0 {
                    self.visit_i64(v as i64)
                } else {
                    Err(E::custom("not an integer"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<$t, E> {
                let v = v.trim();
                if v.is_empty() {
                    return Ok(0 as $t);
                }
                v.parse::<$t>()
                    .map_err(|_| E::custom(format!("{v:?} is not a number")))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<$t, E> {
                Ok(v as $t)
            }
            fn visit_unit<E: de::Error>(self) -> Result<$t, E> {
                Ok(0 as $t)
            }
            fn visit_none<E: de::Error>(self) -> Result<$t, E> {
                Ok(0 as $t)
            }
        }
    };
}

number_visitor!(u64, "an unsigned integer or a string holding one");
number_visitor!(i64, "an integer or a string holding one");
number_visitor!(u32, "an unsigned integer or a string holding one");

/// A `u64` given as a number or a string (empty string or null: 0).
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(AnyNumber::<u64>(std::marker::PhantomData))
}

/// An `i64` given as a number or a string (empty string or null: 0).
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(AnyNumber::<i64>(std::marker::PhantomData))
}

/// A `u32` given as a number or a string (empty string or null: 0).
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(AnyNumber::<u32>(std::marker::PhantomData))
}

struct AnyString;

impl<'de> Visitor<'de> for AnyString {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

/// A string given as a string or a number (null: empty).
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(AnyString)
}

/// A list that may be `null`.
pub fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(<Option<Vec<T>> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        #[serde(deserialize_with = "super::u64", default)]
        a: u64,
        #[serde(deserialize_with = "super::string", default)]
        b: String,
        #[serde(deserialize_with = "super::i64", default)]
        c: i64,
        #[serde(deserialize_with = "super::vec", default)]
        d: Vec<u8>,
    }

    #[test]
    fn both_forms() {
        let t: T = serde_json::from_str(r#"{"a":"12","b":34,"c":"-2","d":null}"#).unwrap();
        assert_eq!(
            t,
            T {
                a: 12,
                b: "34".into(),
                c: -2,
                d: vec![]
            }
        );
        let t: T = serde_json::from_str(r#"{"a":12,"b":"x","c":null,"d":[1]}"#).unwrap();
        assert_eq!(
            t,
            T {
                a: 12,
                b: "x".into(),
                c: 0,
                d: vec![1]
            }
        );
        assert!(serde_json::from_str::<T>(r#"{"a":"x1"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":-1}"#).is_err());
    }
}
