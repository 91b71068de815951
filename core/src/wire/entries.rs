//! A JSON answer whose one long list (webwxsync's `AddMsgList`, webwxgetcontact's
//! `MemberList`) is handed on entry by entry while the body is read ([`parse_entries`]):
//! the entries can be typed on other threads while the one pass over the body goes on.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::value::MapDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{parse_json_seed, parse_json_seed_text};
use crate::response_error::{ParseError, ParseErrorKind, ResponseError};

/// One entry [`parse_entries`] handed on, typed as the whole answer's parse types it:
/// serde's error becomes `endpoint`'s [`ParseError`] over the entry's text.
pub fn parse_entry<'a, T: Deserialize<'a>>(
    endpoint: &str,
    raw: &'a RawValue,
) -> Result<T, ParseError> {
    super::from_raw(raw.get()).map_err(|e| {
        ParseError::new(
            endpoint,
            ParseErrorKind::Json(e.to_string()),
            raw.get().as_bytes(),
        )
    })
}

/// Parses a JSON answer of `endpoint` as [`super::parse_json_borrowed`] parses it into
/// `H` (status, `BaseResponse.Ret` first, JSON), except the list under `key`: each of its
/// entries is handed to `entry` (its index and its raw JSON, borrowed from the body) as
/// soon as it is read, in order, and `H` is made of the other keys (its field for `key`
/// left at its default). Returns `H` and how many entries there were.
///
/// The list may be `null` (no entry); each entry must be a JSON object, else the answer
/// is refused with `KEY[i]: expected a JSON object`. The whole body is checked before
/// this returns: an error may come after entries were handed on (whatever was made of
/// them is then to be dropped).
pub fn parse_entries<'a, H: Deserialize<'a>>(
    endpoint: &str,
    key: &'static str,
    resp: &'a http::Response<impl AsRef<[u8]>>,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(H, usize), ResponseError> {
    entries_through(endpoint, key, resp.body().as_ref(), entry, |top| {
        parse_json_seed(endpoint, resp, top)
    })
}

/// [`parse_entries`] over a body already known to be UTF-8 text (`text`, the answer's
/// `status`): serde_json does not check each entry's text again (one check of the whole
/// body, as fast as the caller can make it, instead of one per entry).
pub fn parse_entries_text<'a, H: Deserialize<'a>>(
    endpoint: &str,
    key: &'static str,
    status: http::StatusCode,
    text: &'a str,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(H, usize), ResponseError> {
    entries_through(endpoint, key, text.as_bytes(), entry, |top| {
        parse_json_seed_text(endpoint, status, text, top)
    })
}

/// What [`parse_entries`] and [`parse_entries_text`] share: `parse` reads the body
/// (`body`, for the error) through the top object.
fn entries_through<'a, H: Deserialize<'a>, F: FnMut(usize, &'a RawValue)>(
    endpoint: &str,
    key: &'static str,
    body: &[u8],
    entry: F,
    parse: impl FnOnce(&mut Top<F, H>) -> Result<H, ResponseError>,
) -> Result<(H, usize), ResponseError> {
    let mut top = Top {
        key,
        entry,
        count: 0,
        not_object: None,
        head: std::marker::PhantomData::<H>,
    };
    let parsed = parse(&mut top);
    if let Some(i) = top.not_object {
        return Err(ParseError::new(
            endpoint,
            ParseErrorKind::Json(format!("{key}[{i}]: expected a JSON object")),
            body,
        )
        .into());
    }
    parsed.map(|head| (head, top.count))
}

/// The top object: `key`'s entries handed to `entry`, the other keys kept (raw) for `H`.
struct Top<F, H> {
    key: &'static str,
    entry: F,
    count: usize,
    /// The first entry that is not an object (the parse stops there).
    not_object: Option<usize>,
    head: std::marker::PhantomData<H>,
}

impl<'de, F: FnMut(usize, &'de RawValue), H: Deserialize<'de>> DeserializeSeed<'de>
    for &mut Top<F, H>
{
    type Value = H;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<H, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(usize, &'de RawValue), H: Deserialize<'de>> Visitor<'de> for &mut Top<F, H> {
    type Value = H;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<H, A::Error> {
        let mut rest: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
        let mut seen = false;
        while let Some(k) = map.next_key_seed(Key)? {
            if k == self.key {
                if seen {
                    return Err(de::Error::duplicate_field(self.key));
                }
                seen = true;
                map.next_value_seed(List(&mut *self))?;
            } else {
                rest.push((k, map.next_value()?));
            }
        }
        // The other keys, each value read from its raw JSON, as a derived `Deserialize`
        // reads a map (unknown keys ignored, a duplicate refused).
        H::deserialize(MapDeserializer::<_, serde_json::Error>::new(
            rest.into_iter(),
        ))
        .map_err(de::Error::custom)
    }
}

/// A key, borrowed from the body unless it has escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// The list: `null` or an array of objects, each handed on as it is read.
struct List<'t, F, H>(&'t mut Top<F, H>);

impl<'de, F: FnMut(usize, &'de RawValue), H> DeserializeSeed<'de> for List<'_, F, H> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, F: FnMut(usize, &'de RawValue), H> Visitor<'de> for List<'_, F, H> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let top = self.0;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            let i = top.count;
            if !raw.get().starts_with('{') {
                top.not_object = Some(i);
                return Err(de::Error::custom(format_args!(
                    "{}[{i}]: expected a JSON object",
                    top.key
                )));
            }
            (top.entry)(i, raw);
            top.count += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, Default, PartialEq)]
    #[serde(rename_all = "PascalCase", default)]
    struct Page {
        base_response: super::super::BaseResponse,
        count: u64,
        list: Vec<serde_json::Value>,
        seq: u64,
    }

    /// The entries of `body` read as bytes ([`parse_entries`]) and, checked to be the
    /// same answer or the same error, as text ([`parse_entries_text`]).
    fn run(body: &str) -> Result<(Page, Vec<(usize, String)>), ResponseError> {
        run_status(body, http::StatusCode::OK)
    }

    fn run_status(
        body: &str,
        status: http::StatusCode,
    ) -> Result<(Page, Vec<(usize, String)>), ResponseError> {
        let mut resp = http::Response::new(body.as_bytes().to_vec());
        *resp.status_mut() = status;
        let mut got = Vec::new();
        let bytes = parse_entries::<Page>("t", "List", &resp, |i, raw| {
            got.push((i, raw.get().to_owned()))
        })
        .map(|(page, n)| (page, n, std::mem::take(&mut got)));
        let text = parse_entries_text::<Page>("t", "List", status, body, |i, raw| {
            got.push((i, raw.get().to_owned()))
        })
        .map(|(page, n)| (page, n, got));
        assert_eq!(format!("{bytes:?}"), format!("{text:?}"), "{body}");
        let (page, n, got) = bytes?;
        assert_eq!(n, got.len());
        Ok((page, got))
    }

    #[test]
    fn entries_in_order_and_the_rest_in_the_head() {
        let (page, got) = run(
            r#"{"BaseResponse":{"Ret":0},"Count":2,"List":[{"a":1}, {"b":[{}]}],"Seq":7,"X":[1,{"List":2}]}"#,
        )
        .unwrap();
        assert_eq!(
            page,
            Page {
                count: 2,
                seq: 7,
                ..Page::default()
            }
        );
        assert_eq!(
            got,
            vec![(0, r#"{"a":1}"#.into()), (1, r#"{"b":[{}]}"#.into())]
        );
        // null, empty, absent: no entry; an escaped key is the key.
        for body in [
            r#"{"BaseResponse":{"Ret":0},"List":null,"Seq":1}"#,
            r#"{"BaseResponse":{"Ret":0},"List":[],"Seq":1}"#,
            r#"{"BaseResponse":{"Ret":0},"Seq":1}"#,
            r#"{"BaseResponse":{"Ret":0},"\u0053eq":1}"#,
        ] {
            let (page, got) = run(body).unwrap();
            assert_eq!((page.seq, got.len()), (1, 0), "{body}");
        }
    }

    #[test]
    fn refuses_what_the_derived_parse_refuses() {
        for (body, says) in [
            (
                r#"{"BaseResponse":{"Ret":0},"List":[{}, 3]}"#,
                "List[1]: expected a JSON object",
            ),
            (
                r#"{"BaseResponse":{"Ret":0},"List":[],"List":[]}"#,
                "duplicate field `List`",
            ),
            (
                r#"{"BaseResponse":{"Ret":0},"Seq":1,"Seq":2}"#,
                "duplicate field `Seq`",
            ),
            (r#"{"BaseResponse":{"Ret":0},"Seq":"x"}"#, "invalid type"),
            (r#"{"BaseResponse":{"Ret":0},"List":{}}"#, "invalid type"),
            (r#"{"BaseResponse":{"Ret":0},"List":[{}],"Seq":1"#, "EOF"),
            (r#"{"BaseResponse":{"Ret":0},"List":[{}]} x"#, "trailing"),
            (
                r#"{"BaseResponse":{"Ret":0},"List":[{]}"#,
                "key must be a string",
            ),
        ] {
            let e = run(body).unwrap_err();
            assert!(
                matches!(&e, ResponseError::Parse(p) if p.kind.to_string().contains(says)),
                "{body}: {e:?}"
            );
            // The derived parse refuses it too (a list entry that is not an object
            // aside: only this parse asks for objects).
            let resp = http::Response::new(body.as_bytes().to_vec());
            let derived = super::super::parse_json::<Page>("t", &resp);
            assert_eq!(derived.is_err(), !says.contains("JSON object"), "{body}");
        }
        // A failed status, either way.
        let e = run_status(
            r#"{"BaseResponse":{"Ret":0},"List":[{}]}"#,
            http::StatusCode::BAD_GATEWAY,
        )
        .unwrap_err();
        assert!(
            matches!(&e, ResponseError::Parse(p) if p.kind.to_string().contains("502")),
            "{e:?}"
        );
        // A refusal is a refusal before anything is read.
        let e = run(r#"{"BaseResponse":{"Ret":1101},"List":[{}, 3"#).unwrap_err();
        assert_eq!(e.ret(), Some(crate::response_error::Ret::SESSION_INVALID));
    }
}
