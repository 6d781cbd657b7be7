//! A small map kept as a vector sorted by key. For the handful of requests a node
//! handles at once it is cheaper than a `BTreeMap` (no tree nodes to allocate and free on
//! every request), and it lists its entries in the same order: by key.

use std::ops::Index;

/// A map from `K` to `V`, listed in key order, for a few entries at a time (inserting
/// and removing move the entries after the place).
#[derive(Clone, Debug)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is (Ok) or would go (Err).
    fn place(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// Sets the value of `key`, returning the one it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.place(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.place(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.place(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.place(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
}
