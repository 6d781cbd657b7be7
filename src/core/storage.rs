//! The local persistence engine (§5): pluggable behind a trait. The browser and the
//! simulator use the in-memory engine; a real deployment would put BerkeleyDB here.

use super::version::Version;
use std::collections::HashMap;

/// What a node needs from its local store: the versions held per key.
pub trait StorageEngine {
    /// The versions held for `key` (empty when none).
    fn get(&self, key: &str) -> &[Version];
    /// Replaces the versions held for `key`.
    fn put(&mut self, key: &str, versions: Vec<Version>);
    /// The versions held for `key`, to change in place (an empty list if none yet).
    fn versions_mut(&mut self, key: &str) -> &mut Vec<Version>;
    /// Forgets a key entirely.
    fn remove(&mut self, key: &str);
    /// Every key held, in key order.
    fn keys(&self) -> Vec<&str>;
    /// Number of keys held.
    fn len(&self) -> usize;
    /// Whether the store is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Erases everything: the disk was lost (a permanent failure, §4.7).
    fn wipe(&mut self);
}

/// The in-memory engine: a hash map from key to versions. Lookups only: whenever keys
/// are listed they are sorted first, so nothing depends on the map's order.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    map: HashMap<String, Vec<Version>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StorageEngine for MemoryStore {
    fn get(&self, key: &str) -> &[Version] {
        self.map.get(key).map_or(&[], |v| v.as_slice())
    }

    fn put(&mut self, key: &str, versions: Vec<Version>) {
        if let Some(held) = self.map.get_mut(key) {
            *held = versions;
        } else {
            self.map.insert(key.to_string(), versions);
        }
    }

    fn versions_mut(&mut self, key: &str) -> &mut Vec<Version> {
        if !self.map.contains_key(key) {
            self.map.insert(key.to_string(), Vec::new());
        }
        self.map.get_mut(key).expect("just ensured")
    }

    fn remove(&mut self, key: &str) {
        self.map.remove(key);
    }

    fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn wipe(&mut self) {
        self.map.clear();
    }
}
