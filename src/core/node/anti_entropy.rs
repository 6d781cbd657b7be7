//! Anti-entropy (§4.7): the Merkle trees a node keeps, one per key range it hosts, and
//! the comparison of a range with another replica — roots first, then only the children
//! that differ, then only the keys under differing leaves.

use super::Node;
use crate::core::accel::compact_sort;
use crate::core::merkle::{hosted_ranges, Hash, KeyRange, MerkleTree};
use crate::core::message::{Effect, Msg, Note, SyncHashes, SyncKeys};
use crate::core::version::Version;
use crate::core::{Key, NodeId};

impl Node {
    /// The key ranges this node hosts, with every replica of each (§4.7).
    pub fn hosted_ranges(&self) -> Vec<(KeyRange, Vec<NodeId>)> {
        self.hosted.clone()
    }

    /// After a ring change (or a wipe): keep one Merkle tree per hosted range (§4.7).
    pub(super) fn rebuild_trees(&mut self) {
        self.hosted = hosted_ranges(&self.ring, self.config.strategy, self.config.n, self.id);
        let ranges = self.hosted.iter().map(|&(range, _)| range);
        self.trees.rebuild(ranges, self.config.merkle_depth);
    }

    /// A key's versions changed here (or it is gone): its leaf is stale in the tree of its
    /// range.
    pub(super) fn key_changed(&mut self, key: &Key) {
        self.trees.key_changed(key.position());
    }

    /// The ranges this node keeps a Merkle tree for.
    pub fn kept_ranges(&self) -> impl Iterator<Item = KeyRange> + '_ {
        self.trees.ranges()
    }

    /// The node's own keys (not hints) under some leaves of a range's tree (or all of
    /// them), in key order, with their versions: what an exchange sends (§4.7).
    pub fn entries_in(&self, range: KeyRange, leaves: Option<&[u32]>) -> Vec<(Key, Vec<Version>)> {
        let keys = self.keys_scanned(range, leaves);
        keys.into_iter()
            .map(|k| {
                let versions = self.store.versions_of(&k).to_vec();
                (k, versions)
            })
            .collect()
    }

    /// The keys of a range (under `leaves`, or all), in key order, found by scanning the
    /// whole store.
    fn keys_scanned(&self, range: KeyRange, leaves: Option<&[u32]>) -> Vec<Key> {
        let count = 1u32 << self.config.merkle_depth;
        let under =
            |p| range.contains(p) && leaves.is_none_or(|ls| ls.contains(&range.leaf_of(p, count)));
        let mut keys: Vec<Key> =
            self.store.entries().map(|(k, _)| k).filter(|k| under(k.position())).cloned().collect();
        compact_sort::sort_unstable(&mut keys);
        keys
    }

    /// This node's Merkle tree for a range (§4.7): the one it keeps, up to date; for a
    /// range it does not host (its view of the ring differs), one built from the store.
    pub fn merkle_tree(&self, range: KeyRange) -> MerkleTree {
        let kept = self.trees.current(range, self.store.entries());
        kept.unwrap_or_else(|| self.merkle_tree_from_store(range))
    }

    /// The tree of a range built from scratch by scanning the store: what the kept trees
    /// must always equal.
    pub fn merkle_tree_from_store(&self, range: KeyRange) -> MerkleTree {
        let keys = self.keys_scanned(range, None);
        MerkleTree::build(
            range,
            self.config.merkle_depth,
            keys.iter().map(|k| (k, self.store.versions_of(k))),
        )
    }

    /// Brings the kept tree of a range up to date (rehashing its stale leaves) and
    /// returns it (§4.7).
    fn fresh_tree(&mut self, range: KeyRange) -> MerkleTree {
        let kept = self.trees.refresh(range, self.store.entries());
        let tree = kept.unwrap_or_else(|| self.merkle_tree_from_store(range));
        debug_assert!(
            tree == self.merkle_tree_from_store(range),
            "a kept Merkle tree equals the tree built from the store"
        );
        tree
    }

    /// Anti-entropy on demand: compare every hosted range with every other replica of it
    /// (each pair once: the node with the lower id starts). Returns whether it started any.
    /// A peer this node believes down is asked too: the other node of the pair would not
    /// start, so the pair would go uncompared (a fuzzer found a replica left without a key
    /// for good that way: a peer back up is still believed down until a probe answers, and
    /// a round asked for at once comes first). If the peer is down, the root's message is
    /// lost on the wire (counted as sent and dropped) and nothing else happens.
    pub fn start_anti_entropy(&mut self, out: &mut Vec<Effect>) -> bool {
        let pairs: Vec<(KeyRange, NodeId)> = self
            .hosted
            .iter()
            .flat_map(|(range, replicas)| replicas.iter().map(move |&p| (*range, p)))
            .filter(|&(_, p)| p > self.id)
            .collect();
        for &(range, peer) in &pairs {
            self.start_sync(range, peer, out);
        }
        !pairs.is_empty()
    }

    /// The periodic round (§4.7): compare the next (range, peer) pair, round-robin.
    pub(super) fn sync_next_range(&mut self, out: &mut Vec<Effect>) -> bool {
        let pairs: Vec<(KeyRange, NodeId)> = self
            .hosted
            .iter()
            .flat_map(|(range, replicas)| replicas.iter().map(move |&p| (*range, p)))
            .filter(|&(_, p)| p != self.id && !self.is_down(p))
            .collect();
        if pairs.is_empty() {
            return false;
        }
        let (range, peer) = pairs[(self.next_sync % pairs.len() as u64) as usize];
        self.next_sync += 1;
        self.start_sync(range, peer, out);
        true
    }

    /// Opens a comparison: send the range's root hash.
    fn start_sync(&mut self, range: KeyRange, peer: NodeId, out: &mut Vec<Effect>) {
        let root = self.fresh_tree(range).root();
        out.push(Effect::Send {
            to: peer,
            msg: Msg::SyncHashes(Box::new(SyncHashes { range, hashes: vec![(1, root)] })),
        });
    }

    /// The peer's hashes for some tree nodes: keep only those that differ here, and
    /// either descend into their children or, at the leaves, send the keys under them.
    pub(super) fn on_sync_hashes(
        &mut self,
        peer: NodeId,
        range: KeyRange,
        hashes: Vec<(u32, Hash)>,
        out: &mut Vec<Effect>,
    ) {
        let tree = self.fresh_tree(range);
        let differing: Vec<u32> =
            hashes.iter().filter(|&&(i, h)| tree.hash(i) != h).map(|&(i, _)| i).collect();
        let Some(&first) = differing.first() else {
            let level = hashes.first().map_or(0, |&(i, _)| (31 - i.leading_zeros()) as u8);
            out.push(Effect::Note(Note::InSync { peer, range_end: range.end, level }));
            return;
        };
        let msg = if tree.is_leaf(first) {
            let leaves: Vec<u32> = differing.iter().map(|&i| tree.leaf_number(i)).collect();
            let entries = self.entries_in(range, Some(&leaves));
            Msg::SyncKeys(Box::new(SyncKeys { range, leaves, entries, reply: true }))
        } else {
            let children = differing.iter().flat_map(|&i| [2 * i, 2 * i + 1]);
            Msg::SyncHashes(Box::new(SyncHashes {
                range,
                hashes: children.map(|c| (c, tree.hash(c))).collect(),
            }))
        };
        out.push(Effect::Send { to: peer, msg });
    }

    /// The peer's keys under differing leaves: reconcile them in (never losing a
    /// concurrent sibling), and answer with ours for the same leaves if asked.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_sync_keys(
        &mut self,
        peer: NodeId,
        range: KeyRange,
        leaves: Vec<u32>,
        entries: Vec<(Key, Vec<Version>)>,
        reply: bool,
        out: &mut Vec<Effect>,
    ) {
        if reply {
            let mine = self.entries_in(range, Some(&leaves));
            out.push(Effect::Send {
                to: peer,
                msg: Msg::SyncKeys(Box::new(SyncKeys {
                    range,
                    leaves,
                    entries: mine,
                    reply: false,
                })),
            });
        }
        let keys = entries.len() as u32;
        let mut changed = 0;
        for (key, versions) in entries {
            let mut news = false;
            for version in versions {
                news |= self.store_version(&key, version);
            }
            changed += u32::from(news);
        }
        out.push(Effect::Note(Note::KeysReceived { peer, keys, changed }));
    }
}
