//! A small map kept as a list sorted by key. For the requests a node handles at once it
//! is cheaper than a `BTreeMap` (no tree nodes to allocate and free on every request),
//! and it lists its entries in the same order: by key.

use std::collections::VecDeque;
use std::ops::Index;

/// A map from `K` to `V`, listed in key order, for a few dozen entries at a time.
/// Requests are numbered in order and mostly finish in order, so new keys go at the back
/// and a removed entry leaves a gap (`None`) that is dropped once it reaches the front:
/// neither moves the other entries. The keys are kept apart from the values, so that a
/// lookup reads a few cache lines of keys, not the requests themselves.
#[derive(Clone, Debug)]
pub struct SortedMap<K, V> {
    keys: VecDeque<K>,
    values: VecDeque<Option<V>>,
    /// Entries that are not gaps.
    len: usize,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { keys: VecDeque::new(), values: VecDeque::new(), len: 0 }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is (Ok, possibly a gap) or would go (Err).
    fn place(&self, key: &K) -> Result<usize, usize> {
        match self.keys.back() {
            Some(last) if last < key => Err(self.keys.len()), // the usual case
            _ => self.keys.binary_search(key),
        }
    }

    /// Sets the value of `key`, returning the one it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.place(&key) {
            Ok(i) => {
                let old = self.values[i].replace(value);
                if old.is_none() {
                    self.len += 1;
                }
                old
            }
            Err(i) => {
                self.keys.insert(i, key);
                self.values.insert(i, Some(value));
                self.len += 1;
                None
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.place(key).ok().and_then(|i| self.values[i].as_ref())
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.place(key).ok().and_then(|i| self.values[i].as_mut())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.place(key).ok()?;
        let value = self.values[i].take()?;
        self.len -= 1;
        while self.values.front().is_some_and(Option::is_none) {
            self.values.pop_front();
            self.keys.pop_front();
        }
        while self.values.back().is_some_and(Option::is_none) {
            self.values.pop_back();
            self.keys.pop_back();
        }
        Some(value)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.keys.iter().zip(&self.values).filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
        self.len = 0;
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<K: Ord, V> Index<&K> for SortedMap<K, V> {
    type Output = V;

    fn index(&self, key: &K) -> &V {
        self.get(key).expect("no entry for this key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_btree_map() {
        let (mut map, mut reference) = (SortedMap::default(), BTreeMap::new());
        let mut x = 7u64;
        for _ in 0..2_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let key = (x >> 40) % 50;
            match (x >> 33) % 3 {
                0 => assert_eq!(map.insert(key, x), reference.insert(key, x)),
                1 => assert_eq!(map.remove(&key), reference.remove(&key)),
                _ => {
                    assert_eq!(map.get(&key), reference.get(&key));
                    if let Some(v) = map.get_mut(&key) {
                        *v += 1;
                        *reference.get_mut(&key).unwrap() += 1;
                    }
                }
            }
            assert!(map.iter().eq(reference.iter()));
            assert_eq!(map.len(), reference.len());
        }
    }

    #[test]
    fn requests_numbered_in_order_and_finished_out_of_order() {
        let (mut map, mut reference) = (SortedMap::default(), BTreeMap::new());
        let mut x = 11u64;
        for key in 0..3_000u64 {
            map.insert(key, key);
            reference.insert(key, key);
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let done = key.saturating_sub((x >> 40) % 40); // a recent request finishes
            assert_eq!(map.remove(&done), reference.remove(&done));
            if let Some(old) = key.checked_sub(40) {
                assert_eq!(map.remove(&old), reference.remove(&old)); // the rest time out
            }
            assert!(map.iter().eq(reference.iter()));
            assert_eq!(map.len(), reference.len());
        }
        assert!(map.keys.len() <= 41, "gaps do not pile up: {}", map.keys.len());
    }
}
