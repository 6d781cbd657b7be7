//! The local persistence engine (§5): pluggable behind a trait. The browser and the
//! simulator use the in-memory engine; a real deployment would put BerkeleyDB here.

use super::version::Version;
use std::collections::BTreeMap;

/// What a node needs from its local store: the versions held per key.
pub trait StorageEngine {
    /// The versions held for `key` (empty when none).
    fn get(&self, key: &str) -> &[Version];
    /// Replaces the versions held for `key`.
    fn put(&mut self, key: &str, versions: Vec<Version>);
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

/// The in-memory engine: a sorted map from key to versions.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    map: BTreeMap<String, Vec<Version>>,
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

    fn remove(&mut self, key: &str) {
        self.map.remove(key);
    }

    fn keys(&self) -> Vec<&str> {
        self.map.keys().map(String::as_str).collect()
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn wipe(&mut self) {
        self.map.clear();
    }
}
