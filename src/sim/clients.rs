//! The clients of §4.1. A client calls `get(key)` and gets back every causally unrelated
//! version with an opaque *context*; it calls `put(key, context, value)` with the context of
//! what it read, so that the new version supersedes exactly what the client saw. The
//! context is all a client keeps: this file is that memory.
//!
//! The world runs the operations ([`crate::sim::World::get`], [`crate::sim::World::put`]);
//! here is what each client remembers of their answers.

use crate::core::clock::VectorClock;
use crate::core::message::OpId;
use crate::core::storage::FastHashMap;
use crate::core::Key;

/// A client's latest successful get: the operation, the key it read and the context it got
/// back (what a client that reads, then writes back, puts with: §4.1).
#[derive(Clone, Debug)]
pub struct LatestRead {
    pub op: OpId,
    pub key: Key,
    pub context: VectorClock,
}

/// One client of §4.1: the contexts its gets returned.
#[derive(Clone, Debug, Default)]
pub struct Client {
    /// Its latest successful get, whatever the key.
    latest_read: Option<LatestRead>,
    /// The context of its latest get of each key, when the world keeps them (looked up
    /// only, never listed: a hash map is safe here).
    contexts: FastHashMap<Key, VectorClock>,
}

impl Client {
    /// The client's latest successful get, if it has had one.
    pub fn latest_read(&self) -> Option<&LatestRead> {
        self.latest_read.as_ref()
    }

    /// The context to put `key` with: that of the client's latest get of it (empty if it
    /// never read the key, or its contexts are not kept and its latest get was of another).
    pub fn context_for(&self, key: &Key) -> VectorClock {
        // The latest get is the newest context there is for its key.
        let latest = self.latest_read.as_ref().filter(|read| &read.key == key);
        let kept = || self.contexts.get(key);
        latest.map(|read| &read.context).or_else(kept).cloned().unwrap_or_default()
    }

    /// Remembers a successful get (`keep_every_key`: its context is also kept by key).
    fn remember(&mut self, op: OpId, key: &Key, context: &VectorClock, keep_every_key: bool) {
        if keep_every_key {
            match self.contexts.get_mut(key) {
                Some(held) => held.clone_from(context),
                None => {
                    self.contexts.insert(key.clone(), context.clone());
                }
            }
        }
        match &mut self.latest_read {
            // Reused in place: a long load reads millions of times.
            Some(read) => {
                read.op = op;
                read.key.clone_from(key);
                read.context.clone_from(context);
            }
            None => {
                self.latest_read =
                    Some(LatestRead { op, key: key.clone(), context: context.clone() })
            }
        }
    }
}

/// Every client that has had an answer, by name.
#[derive(Clone, Debug)]
pub struct Clients {
    by_name: FastHashMap<Key, Client>,
    /// Whether each client keeps the context of its latest get of every key (the default),
    /// or of its latest get only.
    keep_every_key: bool,
}

impl Default for Clients {
    fn default() -> Self {
        Clients { by_name: FastHashMap::default(), keep_every_key: true }
    }
}

impl Clients {
    /// A client, if it has ever had a successful get.
    pub fn get(&self, name: &Key) -> Option<&Client> {
        self.by_name.get(name)
    }

    /// Remembers `client`'s successful get of `key`.
    pub fn remember_read(&mut self, client: &Key, op: OpId, key: &Key, context: &VectorClock) {
        let keep = self.keep_every_key;
        match self.by_name.get_mut(client) {
            Some(known) => known.remember(op, key, context, keep),
            None => {
                self.by_name.entry(client.clone()).or_default().remember(op, key, context, keep)
            }
        }
    }

    /// Whether every client keeps the context of its latest get of every key (see
    /// [`crate::sim::World::keep_read_contexts`]). Turning it off forgets those kept so far.
    pub fn keep_every_key(&mut self, keep: bool) {
        self.keep_every_key = keep;
        if !keep {
            for client in self.by_name.values_mut() {
                client.contexts = FastHashMap::default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::NodeId;

    fn clock(counter: u64) -> VectorClock {
        VectorClock::from_counters(&[(NodeId(0), counter)], 0)
    }

    #[test]
    fn a_client_puts_with_the_context_of_its_latest_get_of_that_key() {
        let (c, k1, k2) = (Key::new("c"), Key::new("k1"), Key::new("k2"));
        let mut clients = Clients::default();
        assert!(clients.get(&c).is_none());
        clients.remember_read(&c, OpId(1), &k1, &clock(1));
        clients.remember_read(&c, OpId(2), &k2, &clock(2));
        clients.remember_read(&c, OpId(3), &k1, &clock(3));
        let client = clients.get(&c).unwrap();
        assert_eq!(client.context_for(&k1), clock(3), "the latest get of k1");
        assert_eq!(client.context_for(&k2), clock(2));
        assert!(client.context_for(&Key::new("never read")).is_empty());
        assert_eq!(client.latest_read().unwrap().op, OpId(3));
        // Keeping only the latest get forgets the other keys' contexts.
        clients.keep_every_key(false);
        let client = clients.get(&c).unwrap();
        assert_eq!(client.context_for(&k1), clock(3));
        assert!(client.context_for(&k2).is_empty());
        clients.remember_read(&c, OpId(4), &k2, &clock(4));
        assert!(clients.get(&c).unwrap().context_for(&k1).is_empty());
    }
}
