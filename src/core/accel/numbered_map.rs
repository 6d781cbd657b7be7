//! The requests a node handles at once, by request number. Replaces, with the same
//! answers, a `BTreeMap<ReqId, Request>` (tested against one below). Numbers are handed
//! out in order, so the table is a run of slots from the oldest open request to the
//! newest: a lookup is an index, not a search, and it lists its entries in number order.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::Index;

/// A key that is a number (a request's number at its coordinator).
pub trait Numbered: Copy {
    fn number(self) -> u64;
    fn from_number(n: u64) -> Self;
}

impl Numbered for u64 {
    fn number(self) -> u64 {
        self
    }
    fn from_number(n: u64) -> Self {
        n
    }
}

/// A map from numbered keys to `V`, listed in number order, for entries numbered close
/// together: slot `i` holds key `first + i`. Requests are numbered in order and mostly
/// finish in order, so a new key goes at the back and a removed entry leaves a gap
/// (`None`) that is dropped once it reaches either end: neither moves other entries.
/// Values are kept in their slots (a gap takes a value's size): box large ones.
#[derive(Clone, Debug)]
pub struct NumberedMap<K, V> {
    first: u64,
    slots: VecDeque<Option<V>>,
    /// Entries that are not gaps.
    len: usize,
    key: PhantomData<K>,
}

impl<K, V> Default for NumberedMap<K, V> {
    fn default() -> Self {
        NumberedMap { first: 0, slots: VecDeque::new(), len: 0, key: PhantomData }
    }
}

impl<K: Numbered, V> NumberedMap<K, V> {
    /// The slot of `key`, if it is within the run.
    fn slot(&self, key: K) -> Option<usize> {
        let i = key.number().checked_sub(self.first)?;
        usize::try_from(i).ok().filter(|&i| i < self.slots.len())
    }

    /// Sets the value of `key`, returning the one it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let n = key.number();
        if self.slots.is_empty() {
            self.first = n;
        }
        while n < self.first {
            self.slots.push_front(None);
            self.first -= 1;
        }
        let i = usize::try_from(n - self.first).expect("request numbers stay close together");
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        let old = self.slots[i].replace(value);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.slot(*key).and_then(|i| self.slots[i].as_ref())
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.slot(*key).and_then(|i| self.slots[i].as_mut())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.slot(*key)?;
        let value = self.slots[i].take()?;
        self.len -= 1;
        while self.slots.front().is_some_and(Option::is_none) {
            self.slots.pop_front();
            self.first += 1;
        }
        while self.slots.back().is_some_and(Option::is_none) {
            self.slots.pop_back();
        }
        Some(value)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        let first = self.first;
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(i, v)| v.as_ref().map(|v| (K::from_number(first + i as u64), v)))
    }

    /// Removes every entry. (`first` may stay as it is: the next insert into an empty
    /// run sets it.)
    pub fn clear(&mut self) {
        self.slots.clear();
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

impl<K: Numbered, V> Index<&K> for NumberedMap<K, V> {
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
    fn behaves_like_a_btree_map_for_keys_close_together() {
        let (mut map, mut reference) = (NumberedMap::default(), BTreeMap::new());
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
            assert!(map.iter().eq(reference.iter().map(|(&k, v)| (k, v))));
            assert_eq!(map.len(), reference.len());
        }
    }

    #[test]
    fn requests_numbered_in_order_and_finished_out_of_order() {
        let (mut map, mut reference) = (NumberedMap::default(), BTreeMap::new());
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
            assert!(map.iter().eq(reference.iter().map(|(&k, v)| (k, v))));
            assert_eq!(map.len(), reference.len());
        }
        assert!(map.slots.len() <= 41, "gaps do not pile up: {}", map.slots.len());
    }
}
