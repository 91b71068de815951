//! [`SortedMap`]: a map kept as a vector of pairs sorted by key, for the client's, the
//! tracker's and the browser package's bookkeeping (timers, requests and commands in
//! progress, files being sent).
//!
//! These maps hold a handful of entries at a time, and their keys are mostly handed out
//! in increasing order (so an insert is a push). A `BTreeMap` does the same job, but its
//! node code is instantiated again for every key and value type: about 6 KB of the
//! browser package's `.wasm` per map type, where this is a few hundred bytes; a `HashMap`
//! brings its table code per type too (and a hash of the key), about 1.5 KB.

use std::borrow::Borrow;

/// A map from `K` to `V` iterated in key order, like a `BTreeMap`, stored as one sorted
/// vector (lookups by binary search).
#[derive(Clone, Debug)]
pub struct SortedMap<K, V> {
    pairs: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { pairs: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        // The common case first: a key past the last one (a push).
        match self.pairs.last() {
            Some((last, _)) if last.borrow() < key => Err(self.pairs.len()),
            None => Err(0),
            _ => self.pairs.binary_search_by(|(k, _)| k.borrow().cmp(key)),
        }
    }

    /// Inserts `value` under `key`; the value it replaces, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.pairs[i].1, value)),
            Err(i) => {
                self.pairs.insert(i, (key, value));
                None
            }
        }
    }

    /// The value under `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.pairs[i].1)
    }

    /// The value under `key`, to change.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.pairs[i].1)
    }

    /// Whether `key` is in the map.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Removes `key`; its value, if it was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.pairs.remove(i).1)
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.pairs.first().map(|(k, v)| (k, v))
    }

    /// Removes and returns the entry with the smallest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.pairs.is_empty() {
            None
        } else {
            Some(self.pairs.remove(0))
        }
    }
}

impl<K, V> SortedMap<K, V> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.pairs.iter().map(|(k, v)| (k, v))
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.pairs.iter().map(|(_, v)| v)
    }

    /// Whether the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.pairs.clear();
    }

    /// Keeps the entries for which `keep` is true (in key order).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.pairs.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.pairs.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;
    use std::collections::BTreeMap;

    /// The same operations on a `SortedMap` and a `BTreeMap` give the same answers and
    /// the same order, keys in and out of order.
    #[test]
    fn behaves_as_a_btree_map() {
        let mut m = SortedMap::new();
        let mut b = BTreeMap::new();
        let keys = [5u64, 1, 9, 5, 3, 12, 1, 7, 20, 0];
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.insert(*k, i), b.insert(*k, i), "insert {k}");
            assert_eq!(m.len(), b.len());
        }
        assert_eq!(m.first_key_value(), b.first_key_value());
        for k in 0..22u64 {
            assert_eq!(m.get(&k), b.get(&k), "get {k}");
            assert_eq!(m.contains_key(&k), b.contains_key(&k));
        }
        *m.get_mut(&9).unwrap() += 100;
        *b.get_mut(&9).unwrap() += 100;
        assert_eq!(m.remove(&3), b.remove(&3));
        assert_eq!(m.remove(&4), b.remove(&4));
        assert_eq!(m.remove(&0), b.remove(&0));
        assert_eq!(m.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
        assert_eq!(m.pop_first(), b.pop_first());
        assert_eq!(
            m.clone().into_iter().collect::<Vec<_>>(),
            b.clone().into_iter().collect::<Vec<_>>()
        );
        assert_eq!(
            m.values().collect::<Vec<_>>(),
            b.values().collect::<Vec<_>>()
        );
        m.retain(|k, v| {
            *v += 1;
            k % 2 == 1
        });
        b.retain(|k, v| {
            *v += 1;
            k % 2 == 1
        });
        assert_eq!(m.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
        assert!(!m.is_empty());
        m.clear();
        assert!(m.is_empty());
        assert_eq!(m.len(), 0);
        assert!(m.pop_first().is_none() && m.first_key_value().is_none());
    }

    #[test]
    fn string_keys_are_looked_up_by_str() {
        let mut m: SortedMap<String, ()> = SortedMap::new();
        m.insert("b".into(), ());
        m.insert("a".into(), ());
        assert!(m.contains_key("a") && m.contains_key("b") && !m.contains_key("c"));
        assert_eq!(m.remove("a"), Some(()));
        assert_eq!(m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["b"]);
    }
}
