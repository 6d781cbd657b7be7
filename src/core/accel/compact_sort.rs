//! One sorting routine for every element type, for the page's download: the standard
//! library's sorts are instantiated once per element type (about 4 kB of wasm each; some
//! thirty of them were a fifth of the page's code). Here the indices are sorted, by one
//! non-generic function, and the elements then moved into place. Replaces `slice::sort_by`
//! and its kin; the result is the standard stable sort's, which for a total order is every
//! sort's, so runs are the same natively and in the browser. Natively the standard sorts
//! run (no download to spare there); a test checks that the two agree.

use std::cmp::Ordering;

/// Sorts `v` stably by `compare` (what `v.sort_by(compare)` does).
pub fn sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if cfg!(target_arch = "wasm32") {
        compact_sort_by(v, &mut compare);
    } else {
        v.sort_by(compare);
    }
}

/// Sorts `v` stably (what `v.sort()` does).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` stably by a key (what `v.sort_by_key(key)` does).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` by `compare`, an order that is total (no two elements equal unless they are
/// the same), where every sort gives one result: natively the standard unstable sort (as
/// fast as before), in the page the compact one. (`v.sort_unstable_by(compare)`.)
pub fn sort_unstable_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if cfg!(target_arch = "wasm32") {
        compact_sort_by(v, &mut compare);
    } else {
        v.sort_unstable_by(compare);
    }
}

/// `v.sort_unstable()`, for a total order (see [`sort_unstable_by`]).
pub fn sort_unstable<T: Ord>(v: &mut [T]) {
    sort_unstable_by(v, T::cmp);
}

/// `v.sort_unstable_by_key(key)`, for a total order (see [`sort_unstable_by`]).
pub fn sort_unstable_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_unstable_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The compact sort: the sorted order of the indices, then the elements moved there.
fn compact_sort_by<T>(v: &mut [T], compare: &mut dyn FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = sorted_indices(v.len(), &mut |a, b| compare(&v[a], &v[b]));
    permute(v, order);
}

/// The indices 0..n in the order `compare` gives them, ties in index order (one
/// instantiation of the standard stable sort, for all element types).
fn sorted_indices(n: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`, following each cycle
/// of the permutation with swaps.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..v.len() {
        let mut i = start;
        while order[i] != DONE {
            let from = std::mem::replace(&mut order[i], DONE);
            if from == start {
                break;
            }
            v.swap(i, from);
            i = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_compact_sort_gives_the_standard_stable_sorts_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for len in (0..40).chain([100, 1_000, 5_000]) {
            // Pairs (key, place): many equal keys, so stability shows.
            let v: Vec<(u8, usize)> = (0..len).map(|i| (rng.random_range(0..8), i)).collect();
            let mut plain = v.clone();
            plain.sort_by_key(|p| p.0);
            let mut compact = v.clone();
            compact_sort_by(&mut compact, &mut |a, b| a.0.cmp(&b.0));
            assert_eq!(compact, plain, "length {len}");
        }
    }

    #[test]
    fn the_wrappers_sort_as_their_standard_namesakes() {
        let mut v = vec![3, 1, 2, 1];
        sort(&mut v);
        assert_eq!(v, [1, 1, 2, 3]);
        let mut words = vec!["pear", "fig", "apple", "kiwi"];
        sort_by_key(&mut words, |w| w.len());
        assert_eq!(words, ["fig", "pear", "kiwi", "apple"]);
    }
}
