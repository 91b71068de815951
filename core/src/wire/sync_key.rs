//! `SyncKey` / `SyncCheckKey`: `{Count, List: [{Key, Val}]}` on the wire, `k_v|k_v` in
//! synccheck's query.

use super::lenient;
use super::record::record;
use serde::Serialize;

/// One key/value pair of a sync key.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SyncKeyPair {
    /// The key (1, 2, 3, 11, 201, 1000, ...).
    pub key: u64,
    /// The value.
    pub val: u64,
}

record!(SyncKeyPair = SyncKeyPair { key: 0, val: 0 }; {
    Error "Key" => key: lenient::u64,
    Error "Val" => val: lenient::u64,
});

/// A sync key as sent in webwxsync's body and received in webwxinit/webwxsync answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SyncKey {
    /// Number of pairs (the server's `Count`; recomputed when we build).
    #[serde(deserialize_with = "lenient::u64", default)]
    pub count: u64,
    /// The pairs.
    #[serde(deserialize_with = "lenient::vec", default)]
    pub list: Vec<SyncKeyPair>,
}

record!(SyncKey = SyncKey::default(); {
    Default "Count" => count: lenient::u64,
    Default "List" => list: lenient::vec,
});

impl SyncKey {
    /// A key from pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (u64, u64)>) -> SyncKey {
        let list: Vec<SyncKeyPair> = pairs
            .into_iter()
            .map(|(key, val)| SyncKeyPair { key, val })
            .collect();
        SyncKey {
            count: list.len() as u64,
            list,
        }
    }

    /// Whether the key has no pairs.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The synccheck form `k_v|k_v` (in list order).
    pub fn to_query(&self) -> String {
        self.list
            .iter()
            .map(|p| format!("{}_{}", p.key, p.val))
            .collect::<Vec<_>>()
            .join("|")
    }

    /// Parses the synccheck form; `None` if any pair is malformed.
    pub fn from_query(s: &str) -> Option<SyncKey> {
        if s.is_empty() {
            return Some(SyncKey::default());
        }
        let pairs = s
            .split('|')
            .map(|p| {
                let (k, v) = p.split_once('_')?;
                Some((k.parse().ok()?, v.parse().ok()?))
            })
            .collect::<Option<Vec<(u64, u64)>>>()?;
        Some(SyncKey::from_pairs(pairs))
    }

    /// The value for `key` (the largest, should the server ever list a key twice).
    pub fn get(&self, key: u64) -> Option<u64> {
        self.list
            .iter()
            .filter(|p| p.key == key)
            .map(|p| p.val)
            .max()
    }

    /// Merges a key received from the server into this one. As in the official client a
    /// key with no pairs changes nothing; beyond it, no value ever moves backwards: a pair
    /// whose value is lower than the one we hold keeps ours (a late or replayed answer
    /// cannot rewind the session). Returns whether anything changed.
    pub fn advance(&mut self, incoming: &SyncKey) -> bool {
        if incoming.list.is_empty() {
            return false;
        }
        let mut merged: Vec<SyncKeyPair> = Vec::with_capacity(incoming.list.len());
        for p in &incoming.list {
            let val = match self.get(p.key) {
                Some(old) if old > p.val => old,
                _ => p.val,
            };
            if let Some(existing) = merged.iter_mut().find(|m| m.key == p.key) {
                existing.val = existing.val.max(val);
            } else {
                merged.push(SyncKeyPair { key: p.key, val });
            }
        }
        // Keys we had that the server no longer lists are kept (never lose progress).
        for old in &self.list {
            match merged.iter_mut().find(|m| m.key == old.key) {
                Some(m) => m.val = m.val.max(old.val),
                None => merged.push(*old),
            }
        }
        let next = SyncKey {
            count: merged.len() as u64,
            list: merged,
        };
        let changed = next != *self;
        *self = next;
        changed
    }

    /// Whether every pair of `self` is at least the value in `other` (for the same key).
    pub fn dominates(&self, other: &SyncKey) -> bool {
        other
            .list
            .iter()
            .all(|p| self.get(p.key).is_some_and(|v| v >= p.val))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_form() {
        let k = SyncKey::from_pairs([(1, 654), (2, 700), (1000, 1_500_000_000)]);
        assert_eq!(k.to_query(), "1_654|2_700|1000_1500000000");
        assert_eq!(SyncKey::from_query(&k.to_query()), Some(k));
        assert_eq!(SyncKey::from_query("1_x"), None);
        assert_eq!(SyncKey::from_query(""), Some(SyncKey::default()));
    }

    #[test]
    fn advance_never_rewinds() {
        let mut k = SyncKey::from_pairs([(1, 10), (2, 20)]);
        assert!(!k.advance(&SyncKey::default()));
        assert!(k.advance(&SyncKey::from_pairs([(1, 11), (2, 19), (3, 1)])));
        assert_eq!(k.to_query(), "1_11|2_20|3_1");
        assert!(!k.advance(&SyncKey::from_pairs([(1, 5)])));
        assert_eq!(k.get(1), Some(11));
    }

    #[test]
    fn wire_shape() {
        let k: SyncKey = serde_json::from_str(
            r#"{"Count":2,"List":[{"Key":1,"Val":"683651925"},{"Key":2,"Val":683652135}]}"#,
        )
        .unwrap();
        assert_eq!(k.to_query(), "1_683651925|2_683652135");
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            r#"{"Count":2,"List":[{"Key":1,"Val":683651925},{"Key":2,"Val":683652135}]}"#
        );
    }
}
