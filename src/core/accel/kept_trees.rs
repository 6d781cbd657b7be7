//! Merkle trees kept up to date as keys change (§4.7). Replaces, with the same trees,
//! building a range's tree from the store's keys for every comparison
//! (`MerkleTree::build`, as `Node::merkle_tree_from_store` does); a debug assertion
//! checks at every comparison that the two agree.
//!
//! A write does not find its tree at once: it notes its key's position, and the leaves are
//! marked stale when a tree is next needed (past [`UNMARKED_MAX`] writes between two
//! reads, every leaf is marked stale at once); a comparison then rehashes only the stale
//! leaves and the paths above them.

use super::compact_sort;
use crate::core::merkle::{empty_hash, leaf_hash, Hash, KeyRange, MerkleTree};
use crate::core::ring::Position;
use crate::core::version::Version;
use crate::core::Key;
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// How many writes' positions are noted before every leaf is marked stale instead.
pub const UNMARKED_MAX: usize = 64;

/// The trees a node keeps, one per key range it hosts, in ring order.
#[derive(Clone, Debug, Default)]
pub struct KeptTrees {
    trees: Vec<KeptTree>,
    /// Where each tree's range ends (its upper 64 bits), in the same order: the short
    /// list a write's position is searched in.
    ends: Vec<u64>,
    /// Where keys changed since the trees were last read, not yet marked in them.
    unmarked: Vec<Position>,
    /// Whether every leaf of every tree is stale already: a write then has nothing to note.
    all_stale: bool,
}

impl KeptTrees {
    /// After a ring change: one tree per range in `ranges` (of `depth`). Trees of ranges
    /// still hosted stay as they are; new ones start with every leaf stale.
    pub fn rebuild(&mut self, ranges: impl IntoIterator<Item = KeyRange>, depth: u8) {
        self.mark_unmarked();
        // (Inserted, not collected: a collected B-tree is sorted first, a sort per type.)
        let mut old: BTreeMap<KeyRange, KeptTree> = BTreeMap::new();
        old.extend(self.trees.drain(..).map(|t| (t.range(), t)));
        for range in ranges {
            let tree = old.remove(&range).unwrap_or_else(|| KeptTree::new(range, depth));
            self.trees.push(tree);
        }
        compact_sort::sort_unstable_by_key(&mut self.trees, |t| t.range().end);
        self.ends = self.trees.iter().map(|t| (t.range().end >> 64) as u64).collect();
    }

    /// Every tree starts over, empty (the disk was wiped).
    pub fn clear(&mut self) {
        self.trees.clear();
        self.ends.clear();
        self.unmarked.clear();
        self.all_stale = false;
    }

    /// The ranges kept, in ring order.
    pub fn ranges(&self) -> impl Iterator<Item = KeyRange> + '_ {
        self.trees.iter().map(KeptTree::range)
    }

    /// A key at `position` changed (or is gone): its leaf is stale in the tree of its
    /// range, marked when a tree is next needed.
    pub fn key_changed(&mut self, position: Position) {
        if self.all_stale {
            return;
        }
        if self.unmarked.len() < UNMARKED_MAX {
            self.unmarked.push(position);
            return;
        }
        self.unmarked.clear();
        self.trees.iter_mut().for_each(KeptTree::mark_all_stale);
        self.all_stale = true;
    }

    /// Marks the leaves of the writes noted by `key_changed` stale in their trees.
    fn mark_unmarked(&mut self) {
        for position in std::mem::take(&mut self.unmarked) {
            if let Some(tree) = tree_of(&mut self.trees, &self.ends, position) {
                tree.key_changed(position);
            }
        }
    }

    fn index_of(&self, range: KeyRange) -> Option<usize> {
        let at = self.trees.binary_search_by_key(&range.end, |t| t.range().end).ok()?;
        (self.trees[at].range() == range).then_some(at)
    }

    /// The tree of `range` as the store's entries make it now, if it is kept (the kept
    /// tree itself is left as it is).
    pub fn current<'a>(
        &self,
        range: KeyRange,
        store: impl Iterator<Item = (&'a Key, &'a [Version])>,
    ) -> Option<MerkleTree> {
        let tree = &self.trees[self.index_of(range)?];
        let unmarked: Vec<Position> =
            self.unmarked.iter().copied().filter(|&p| range.contains(p)).collect();
        if unmarked.is_empty() {
            return Some(tree.current(store));
        }
        let mut marked = tree.clone();
        unmarked.into_iter().for_each(|p| marked.key_changed(p));
        Some(marked.current(store))
    }

    /// Brings the kept tree of `range` up to date from the store's entries (rehashing its
    /// stale leaves) and returns it, if it is kept.
    pub fn refresh<'a>(
        &mut self,
        range: KeyRange,
        store: impl Iterator<Item = (&'a Key, &'a [Version])>,
    ) -> Option<MerkleTree> {
        self.mark_unmarked();
        let at = self.index_of(range)?;
        self.all_stale = false;
        self.trees[at].refresh(store);
        Some(self.trees[at].current(std::iter::empty()))
    }
}

/// The Merkle tree a node keeps for one key range it hosts (§4.7), kept up to date as its
/// keys change: a write only marks its leaf stale, and the next comparison rehashes the
/// stale leaves (from the keys the store holds under them) and their paths to the root —
/// never the whole tree. Between comparisons a write costs one bit.
#[derive(Clone, Debug)]
pub struct KeptTree {
    range: KeyRange,
    depth: u8,
    /// None until the tree is first hashed, which stands for the empty tree: a node hosts
    /// many ranges and may never compare most of them, so they take no memory till then.
    tree: Option<MerkleTree>,
    /// The width of one leaf's share of the range (worked out once).
    leaf_width: u128,
    /// One bit per leaf: set when a key under the leaf changed since it was last hashed.
    stale: SmallVec<[u64; 1]>,
}

impl KeptTree {
    /// The tree (of `depth`) of a range whose keys are still to be hashed: every leaf is
    /// stale.
    pub fn new(range: KeyRange, depth: u8) -> Self {
        let leaves = 1u32 << depth;
        let words = (leaves as usize).div_ceil(64);
        let mut stale: SmallVec<[u64; 1]> = smallvec::smallvec![u64::MAX; words];
        if leaves < 64 {
            stale[0] = (1 << leaves) - 1;
        }
        KeptTree { range, depth, tree: None, leaf_width: range.leaf_width(leaves), stale }
    }

    /// The range the tree covers.
    pub fn range(&self) -> KeyRange {
        self.range
    }

    /// The number of leaves.
    fn leaves(&self) -> u32 {
        1 << self.depth
    }

    /// The leaf under which an offset into the range falls.
    fn leaf_at(&self, offset: u128) -> u32 {
        (offset / self.leaf_width) as u32
    }

    /// A key of the range (at `position`) changed or is gone: its leaf is stale.
    pub fn key_changed(&mut self, position: Position) {
        debug_assert!(self.range.contains(position), "the key is in the tree's range");
        let leaf = self.leaf_at(self.range.offset(position)) as usize;
        self.stale[leaf / 64] |= 1 << (leaf % 64);
    }

    /// Every leaf is stale (too many writes went unmarked to tell which).
    pub fn mark_all_stale(&mut self) {
        let leaves = self.leaves();
        for (word, bits) in self.stale.iter_mut().enumerate() {
            let left = leaves.saturating_sub(64 * word as u32);
            *bits = if left >= 64 { u64::MAX } else { (1 << left) - 1 };
        }
    }

    fn is_stale(&self, leaf: u32) -> bool {
        self.stale[leaf as usize / 64] & (1 << (leaf % 64)) != 0
    }

    /// The new hashes of the stale leaves, from every entry (key, versions) of the store,
    /// in any order: those under stale leaves are picked out and hashed in ring order.
    fn stale_leaf_hashes<'a>(
        &self,
        store: impl Iterator<Item = (&'a Key, &'a [Version])>,
    ) -> Vec<(u32, Hash)> {
        if self.stale.iter().all(|&bits| bits == 0) {
            return Vec::new();
        }
        let mut under: Vec<(u128, &Key, &[Version])> = store
            .filter(|(key, _)| self.range.contains(key.position()))
            .map(|(key, versions)| (self.range.offset(key.position()), key, versions))
            .filter(|&(offset, _, _)| self.is_stale(self.leaf_at(offset)))
            .collect();
        compact_sort::sort_unstable_by(&mut under, |a, b| {
            (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str()))
        });
        let mut next = 0;
        let stale_leaves = (0..self.leaves()).filter(|&leaf| self.is_stale(leaf));
        stale_leaves
            .map(|leaf| {
                let first = next;
                while next < under.len() && self.leaf_at(under[next].0) == leaf {
                    next += 1;
                }
                if first == next {
                    return (leaf, empty_hash(0));
                }
                (
                    leaf,
                    leaf_hash(
                        under[first..next]
                            .iter()
                            .map(|&(_, key, versions)| (key.as_str(), versions)),
                    ),
                )
            })
            .collect()
    }

    /// Rehashes the stale leaves and their paths to the root, from the store's entries.
    pub fn refresh<'a>(&mut self, store: impl Iterator<Item = (&'a Key, &'a [Version])>) {
        let hashes = self.stale_leaf_hashes(store);
        let depth = self.depth;
        self.tree.get_or_insert_with(|| MerkleTree::empty(depth)).set_leaves(hashes);
        self.stale.iter_mut().for_each(|bits| *bits = 0);
    }

    /// The tree as `refresh` would leave it, without changing this one.
    pub fn current<'a>(&self, store: impl Iterator<Item = (&'a Key, &'a [Version])>) -> MerkleTree {
        let mut tree = self.tree.clone().unwrap_or_else(|| MerkleTree::empty(self.depth));
        tree.set_leaves(self.stale_leaf_hashes(store));
        tree
    }
}

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
    use crate::core::clock::VectorClock;
    use crate::core::NodeId;

    fn v(value: &str) -> Vec<Version> {
        vec![Version::new(value.into(), VectorClock::from_counters(&[(NodeId(0), 1)], 0), 0)]
    }

    #[test]
    fn a_kept_tree_follows_writes_and_removals_and_equals_a_rebuilt_one() {
        let range = KeyRange { start: u128::MAX / 3, end: u128::MAX / 7 }; // wraps past zero
        let mut held: std::collections::BTreeMap<Key, Vec<Version>> = Default::default();
        let mut kept = KeptTree::new(range, 3);
        for step in 0..200u32 {
            let key: Key = format!("k{}", step * 7 % 23).into();
            let position = key.position();
            if !range.contains(position) {
                continue;
            }
            if step % 5 == 4 {
                held.remove(&key);
            } else {
                held.insert(key.clone(), v(&format!("v{step}")));
            }
            kept.key_changed(position);
            let store = || held.iter().map(|(k, vs)| (k, vs.as_slice()));
            let expected = MerkleTree::build(range, 3, store());
            assert_eq!(kept.current(store()), expected, "step {step}");
            if step % 3 == 0 {
                kept.refresh(store());
                assert!(kept.stale.iter().all(|&bits| bits == 0));
                assert_eq!(kept.tree.as_ref(), Some(&expected), "step {step}");
            }
            if step % 11 == 0 {
                kept.mark_all_stale();
                assert_eq!(kept.current(store()), expected, "all stale, step {step}");
            }
        }
    }

    #[test]
    fn marking_every_leaf_stale_sets_exactly_the_leaves_bits() {
        for depth in [1u8, 3, 6, 7, 8] {
            let mut kept = KeptTree::new(KeyRange { start: 0, end: 1 << 100 }, depth);
            kept.stale.iter_mut().for_each(|bits| *bits = 0);
            kept.mark_all_stale();
            let fresh = KeptTree::new(kept.range, depth);
            assert_eq!(kept.stale, fresh.stale, "depth {depth}");
        }
    }

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
