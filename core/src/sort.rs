//! Sorting through one copy of the standard library's sort.
//!
//! `slice::sort_unstable_by` is generic over the element type and the comparison: every
//! list sorted with it brings its own copy of the quicksort (about 3 KB of the browser
//! package's `.wasm` each; the contacts, the groups to fetch, a request's cookies, a
//! query's answer and the package's contact list were five). Here only the positions are
//! sorted, by one non-generic function taking the comparison as `&dyn Fn`, and the elements
//! are then moved into that order.
//!
//! [`sort_by`] gives what `sort_unstable_by` gives when the order is total (no two
//! elements compare equal, as for each caller); [`sort_by_cached_key`] gives what
//! `slice::sort_by_cached_key` gives (stable: equal keys keep their order).

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, which must be a total order (as `sort_unstable_by` would: elements
/// comparing equal may end in any order).
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = positions(v.len(), &|a, b| cmp(&v[a], &v[b]));
    reorder(v, order);
}

/// Sorts `v` by the key `key` gives for each element, each computed once; equal keys keep
/// their order (as `slice::sort_by_cached_key`).
pub fn sort_by_cached_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let keys: Vec<K> = v.iter().map(key).collect();
    let order = positions(v.len(), &|a, b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
    reorder(v, order);
}

/// The positions `0..len` sorted by `cmp` (of two positions): the one instantiation of
/// the standard library's sort (not inlined, so not copied into each caller).
#[inline(never)]
fn positions(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b));
    order
}

/// `v` rearranged so that its `i`-th element is the one that was at `order[i]` (`order` a
/// permutation of `0..v.len()`).
fn reorder<T>(v: &mut Vec<T>, order: Vec<usize>) {
    let mut old: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| old[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no `rand` in the core's tests).
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sort_by_gives_what_sort_unstable_by_gives_for_a_total_order() {
        let mut seed = 7;
        for len in 0..40 {
            // Distinct values (a total order), shuffled.
            let mut v: Vec<(u64, String)> = (0..len as u64)
                .map(|i| (i / 3, format!("{i:03}")))
                .collect();
            for i in (1..v.len()).rev() {
                let j = (lcg(&mut seed) as usize) % (i + 1);
                v.swap(i, j);
            }
            let mut want = v.clone();
            want.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            sort_by(&mut v, |a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            assert_eq!(v, want, "len {len}");
        }
    }

    #[test]
    fn sort_by_cached_key_is_stable_as_the_standard_one() {
        let mut seed = 11;
        for len in 0..40 {
            // Many equal keys: the order among them is the input's.
            let v: Vec<(u64, usize)> = (0..len).map(|i| (lcg(&mut seed) % 4, i)).collect();
            let mut want = v.clone();
            want.sort_by_cached_key(|e| e.0);
            let mut got = v.clone();
            sort_by_cached_key(&mut got, |e| e.0);
            assert_eq!(got, want, "len {len}");
            assert!(
                got.windows(2)
                    .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1))
            );
        }
    }

    #[test]
    fn reorder_moves_each_element_once() {
        let mut v = vec![
            "a".to_owned(),
            "b".to_owned(),
            "c".to_owned(),
            "d".to_owned(),
        ];
        reorder(&mut v, vec![2, 0, 3, 1]);
        assert_eq!(v, ["c", "a", "d", "b"]);
    }
}
