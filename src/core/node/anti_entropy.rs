//! Anti-entropy (§4.7): the Merkle trees a node keeps, one per key range it hosts, and
//! the comparison of a range with another replica — roots first, then only the children
//! that differ, then only the keys under differing leaves.

use super::Node;
use crate::core::merkle::{hosted_ranges, Hash, KeptTree, KeyRange, MerkleTree};
use crate::core::message::{Effect, Msg, Note, SyncHashes, SyncKeys};
use crate::core::ring::Position;
use crate::core::version::Version;
use crate::core::{Key, NodeId};
use std::collections::BTreeMap;

impl Node {
    /// The key ranges this node hosts, with every replica of each (§4.7).
    pub fn hosted_ranges(&self) -> Vec<(KeyRange, Vec<NodeId>)> {
        self.hosted.clone()
    }

    /// After a ring change (or a wipe): keep one Merkle tree per hosted range (§4.7).
    /// Trees of ranges still hosted stay as they are; new ones start with every leaf
    /// stale, to be hashed from the store at their first comparison.
    pub(super) fn rebuild_trees(&mut self) {
        self.mark_unmarked();
        self.hosted = hosted_ranges(&self.ring, self.config.strategy, self.config.n, self.id);
        let mut old: BTreeMap<KeyRange, KeptTree> =
            self.trees.drain(..).map(|t| (t.range(), t)).collect();
        let depth = self.config.merkle_depth;
        for &(range, _) in &self.hosted {
            let tree = old.remove(&range).unwrap_or_else(|| KeptTree::new(range, depth));
            self.trees.push(tree);
        }
        self.trees.sort_by_key(|t| t.range().end);
        self.tree_ends = self.trees.iter().map(|t| (t.range().end >> 64) as u64).collect();
    }

    /// A key's versions changed here (or it is gone): its leaf is stale in the tree of its
    /// range. The mark is made when a tree is next needed (most writes come between two
    /// comparisons, and finding the leaf costs more than noting the key); past
    /// [`UNMARKED_MAX`] writes, every leaf is marked stale at once instead.
    pub(super) fn key_changed(&mut self, key: &Key) {
        if self.all_stale {
            return;
        }
        if self.unmarked.len() < UNMARKED_MAX {
            self.unmarked.push(key.position());
            return;
        }
        self.unmarked.clear();
        self.trees.iter_mut().for_each(KeptTree::mark_all_stale);
        self.all_stale = true;
    }

    /// Marks the leaves of the writes noted by `key_changed` stale in their trees.
    fn mark_unmarked(&mut self) {
        for position in std::mem::take(&mut self.unmarked) {
            if let Some(tree) = tree_of(&mut self.trees, &self.tree_ends, position) {
                tree.key_changed(position);
            }
        }
    }

    /// The ranges this node keeps a Merkle tree for.
    pub fn kept_ranges(&self) -> impl Iterator<Item = KeyRange> + '_ {
        self.trees.iter().map(KeptTree::range)
    }

    /// The node's own keys (not hints) under some leaves of a range's tree, in key
    /// order, with their versions.
    fn entries_in(&self, range: KeyRange, leaves: &[u32]) -> Vec<(Key, Vec<Version>)> {
        let keys = self.keys_scanned(range, Some(leaves));
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
        keys.sort_unstable();
        keys
    }

    /// This node's Merkle tree for a range (§4.7): the one it keeps, up to date; for a
    /// range it does not host (its view of the ring differs), one built from the store.
    pub fn merkle_tree(&self, range: KeyRange) -> MerkleTree {
        let Some(tree) = self.kept_tree(range) else { return self.merkle_tree_from_store(range) };
        let unmarked: Vec<Position> =
            self.unmarked.iter().copied().filter(|&p| range.contains(p)).collect();
        if unmarked.is_empty() {
            return tree.current(self.store.entries());
        }
        let mut marked = tree.clone();
        unmarked.into_iter().for_each(|p| marked.key_changed(p));
        marked.current(self.store.entries())
    }

    /// The tree of a range built from scratch by scanning the store (what the kept trees
    /// must always equal).
    pub fn merkle_tree_from_store(&self, range: KeyRange) -> MerkleTree {
        let keys = self.keys_scanned(range, None);
        MerkleTree::build(
            range,
            self.config.merkle_depth,
            keys.iter().map(|k| (k, self.store.versions_of(k))),
        )
    }

    /// The tree kept for exactly this range, if any.
    fn kept_tree(&self, range: KeyRange) -> Option<&KeptTree> {
        self.kept_index(range).map(|at| &self.trees[at])
    }

    fn kept_index(&self, range: KeyRange) -> Option<usize> {
        let at = self.trees.binary_search_by_key(&range.end, |t| t.range().end).ok()?;
        (self.trees[at].range() == range).then_some(at)
    }

    /// Brings the kept tree of a range up to date (rehashing its stale leaves) and
    /// returns it (§4.7).
    fn fresh_tree(&mut self, range: KeyRange) -> MerkleTree {
        self.mark_unmarked();
        if let Some(at) = self.kept_index(range) {
            self.all_stale = false;
            let store = &self.store;
            self.trees[at].refresh(store.entries());
        }
        let tree = self.merkle_tree(range);
        debug_assert!(
            tree == self.merkle_tree_from_store(range),
            "a kept Merkle tree equals the tree built from the store"
        );
        tree
    }

    /// Anti-entropy on demand: compare every hosted range with every other replica of it
    /// (each pair once: the node with the lower id starts). Returns whether it started any.
    pub fn start_anti_entropy(&mut self, out: &mut Vec<Effect>) -> bool {
        let pairs: Vec<(KeyRange, NodeId)> = self
            .hosted
            .iter()
            .flat_map(|(range, replicas)| replicas.iter().map(move |&p| (*range, p)))
            .filter(|&(_, p)| p > self.id && !self.is_down(p))
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
            let entries = self.entries_in(range, &leaves);
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
            let mine = self.entries_in(range, &leaves);
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

/// How many writes' positions a node notes before it marks every leaf stale instead.
const UNMARKED_MAX: usize = 64;

/// The kept tree whose range holds `position`, if this node hosts it. Ranges do not
/// overlap, so it is the first range ending at or after the position, or the one that
/// wraps past zero.
/// (`ends`: the upper 64 bits of where each tree's range ends, a list half as long in
/// bytes to search; the exact ends, in the trees, settle ties.)
fn tree_of<'a>(
    trees: &'a mut [KeptTree],
    ends: &[u64],
    position: Position,
) -> Option<&'a mut KeptTree> {
    debug_assert_eq!(trees.len(), ends.len());
    let mut at = ends.partition_point(|&end| end < (position >> 64) as u64);
    while at < trees.len() && trees[at].range().end < position {
        at += 1;
    }
    let at = if at == trees.len() { 0 } else { at };
    trees.get_mut(at).filter(|t| t.range().contains(position))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_positions_tree_is_found_even_when_range_ends_share_their_upper_bits() {
        // Small tokens (as a scenario file may give): every end's upper 64 bits are 0.
        let high = 7u128 << 64;
        let ends = [5u128, 9, 1_000, high, high + 3];
        let ranges: Vec<KeyRange> = (0..ends.len())
            .map(|i| KeyRange { start: ends[(i + ends.len() - 1) % ends.len()], end: ends[i] })
            .collect();
        let mut trees: Vec<KeptTree> = ranges.iter().map(|&r| KeptTree::new(r, 3)).collect();
        let highs: Vec<u64> = ends.iter().map(|&e| (e >> 64) as u64).collect();
        for position in [
            0,
            5,
            6,
            9,
            10,
            999,
            1_000,
            1_001,
            high - 1,
            high,
            high + 1,
            high + 3,
            high + 4,
            u128::MAX,
        ] {
            let expected = ranges
                .iter()
                .position(|r| r.contains(position))
                .expect("the ranges cover the ring");
            let found = tree_of(&mut trees, &highs, position).map(|t| t.range());
            assert_eq!(found, Some(ranges[expected]), "position {position:#x}");
        }
        // A node hosting only some ranges finds none for the others.
        let mut some = vec![KeptTree::new(ranges[1], 3), KeptTree::new(ranges[3], 3)];
        let some_highs = [(ends[1] >> 64) as u64, (ends[3] >> 64) as u64];
        assert!(tree_of(&mut some, &some_highs, 7).is_some());
        assert!(tree_of(&mut some, &some_highs, 500).is_none());
        assert!(tree_of(&mut some, &some_highs, high + 2).is_none());
    }
}
