//! The local persistence engine (§5): pluggable behind a trait. The browser and the
//! simulator use the in-memory engine; a real deployment would put BerkeleyDB here.

use super::version::{Version, Versions};
use super::Key;
use crate::core::accel::compact_sort;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What a node needs from its local store: the versions held per key.
pub trait StorageEngine {
    /// The versions held for `key` (empty when none).
    fn get(&self, key: &str) -> &[Version];
    /// The same, for a shared key (found without reading its text when the store holds
    /// the same shared key: the node's hot path).
    fn versions_of(&self, key: &Key) -> &[Version] {
        self.get(key)
    }
    /// Replaces the versions held for `key`.
    fn put(&mut self, key: &str, versions: Vec<Version>);
    /// The versions held for `key`, to change in place (an empty list if none yet).
    fn versions_mut(&mut self, key: &Key) -> &mut Versions;
    /// Forgets a key entirely.
    fn remove(&mut self, key: &Key);
    /// Every key held, in key order.
    fn keys(&self) -> Vec<&Key>;
    /// Every key held with its versions, in no particular order: for callers that pick
    /// some out and sort those (cheaper than sorting every key first).
    fn entries(&self) -> Box<dyn Iterator<Item = (&Key, &[Version])> + '_>;
    /// Number of keys held.
    fn len(&self) -> usize;
    /// Whether the store is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Erases everything: the disk was lost (a permanent failure, §4.7).
    fn wipe(&mut self);
    /// A copy of the whole store (the simulator copies a world to go back in time fast).
    fn boxed_clone(&self) -> Box<dyn StorageEngine>;
}

impl Clone for Box<dyn StorageEngine> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}

/// The in-memory engine: a hash map from key to versions. Lookups only: whenever keys
/// are listed they are sorted first, so nothing depends on the map's order.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    map: FastHashMap<Key, Versions>,
}

/// A hash map with the [`Fnv`] hash, for tables that are only looked up, never listed.
pub type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A hash set with the [`Fnv`] hash, for sets that are only looked up, never listed.
pub type FastHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fnv>>;

/// FNV-1a, a simple and fast hash for short keys (the standard one is built to resist
/// attacks, which a simulation does not need).
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// One round for a whole word (a key's hash is one word of its MD5 position, already
    /// as mixed as a hash gets): the same step as a byte, eight times fewer.
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StorageEngine for MemoryStore {
    fn get(&self, key: &str) -> &[Version] {
        self.versions_of(&Key::new(key))
    }

    fn versions_of(&self, key: &Key) -> &[Version] {
        self.map.get(key).map_or(&[], |v| v.as_slice())
    }

    fn put(&mut self, key: &str, versions: Vec<Version>) {
        self.map.insert(Key::new(key), Versions::from_vec(versions));
    }

    fn versions_mut(&mut self, key: &Key) -> &mut Versions {
        self.map.entry(key.clone()).or_default()
    }

    fn remove(&mut self, key: &Key) {
        self.map.remove(key);
    }

    fn keys(&self) -> Vec<&Key> {
        let mut keys: Vec<&Key> = self.map.keys().collect();
        compact_sort::sort_unstable(&mut keys);
        keys
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&Key, &[Version])> + '_> {
        Box::new(self.map.iter().map(|(key, versions)| (key, versions.as_slice())))
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn wipe(&mut self) {
        self.map.clear();
    }

    fn boxed_clone(&self) -> Box<dyn StorageEngine> {
        Box::new(self.clone())
    }
}
