//! Merkle trees for anti-entropy (§4.7).
//!
//! A node keeps one tree per key range it hosts. The range's positions are split evenly
//! into 2^depth leaves; a leaf's hash covers the keys (and their versions) that fall in
//! it, a parent's hash covers its two children. Two replicas of a range compare roots,
//! then descend only into children whose hashes differ, and exchange only the keys under
//! differing leaves — so the traffic grows with the differences, not with the data.

use super::partition::{partition_end, Strategy};
use super::ring::{in_range, key_position, Position, Ring};
use super::version::Version;
use super::NodeId;
use md5::{Digest, Md5};

/// A hash of a tree node.
pub type Hash = [u8; 16];

/// A key range (start, end] on the ring: a token's range, or a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyRange {
    pub start: Position,
    pub end: Position,
}

impl KeyRange {
    /// Whether a ring position falls in the range.
    pub fn contains(&self, position: Position) -> bool {
        in_range(position, self.start, self.end)
    }

    /// Number of positions in the range (the whole ring counts as u128::MAX).
    fn span(&self) -> u128 {
        match self.end.wrapping_sub(self.start) {
            0 => u128::MAX,
            s => s,
        }
    }

    /// Which of `leaves` equal slices of the range holds `position` (which must be in it).
    pub fn leaf_of(&self, position: Position, leaves: u32) -> u32 {
        let offset = position.wrapping_sub(self.start).wrapping_sub(1);
        let width = self.span() / u128::from(leaves) + 1;
        (offset / width) as u32
    }
}

/// The key ranges of the ring (§4.7): each token's range for strategy 1, each of the Q
/// partitions for strategies 2 and 3, with the N nodes that replicate it.
pub fn key_ranges(ring: &Ring, strategy: Strategy, n: usize) -> Vec<(KeyRange, Vec<NodeId>)> {
    let ranges: Vec<KeyRange> = match strategy.partitions() {
        None => ring.ranges().into_iter().map(|(start, end, _)| KeyRange { start, end }).collect(),
        Some(q) => (0..q)
            .map(|p| KeyRange { start: partition_end(q, (p + q - 1) % q), end: partition_end(q, p) })
            .collect(),
    };
    ranges.into_iter().map(|r| (r, ring.preference_list(strategy.walk_start(r.end), n))).collect()
}

/// The ranges a node hosts: those it is one of the N replicas of.
pub fn hosted_ranges(ring: &Ring, strategy: Strategy, n: usize, node: NodeId) -> Vec<(KeyRange, Vec<NodeId>)> {
    key_ranges(ring, strategy, n).into_iter().filter(|(_, replicas)| replicas.contains(&node)).collect()
}

/// A Merkle tree over one key range, stored heap-style: node 1 is the root, node i has
/// children 2i and 2i + 1, and the leaves are nodes 2^depth … 2^(depth+1) − 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    depth: u8,
    hashes: Vec<Hash>,
}

/// Hashes one key and its versions into a leaf.
fn hash_entry(hasher: &mut Md5, key: &str, versions: &[Version]) {
    hasher.update((key.len() as u32).to_le_bytes());
    hasher.update(key.as_bytes());
    for v in versions {
        hasher.update((v.value.len() as u32).to_le_bytes());
        hasher.update(v.value.as_bytes());
        for (node, counter) in v.clock.counters() {
            hasher.update(node.0.to_le_bytes());
            hasher.update(counter.to_le_bytes());
        }
    }
}

impl MerkleTree {
    /// Builds the tree of a range from its entries (key, versions), in key order.
    pub fn build<'a>(range: KeyRange, depth: u8, entries: impl IntoIterator<Item = (&'a str, &'a [Version])>) -> Self {
        let leaves = 1u32 << depth;
        let mut leaf_hashers: Vec<Md5> = (0..leaves).map(|_| Md5::new()).collect();
        for (key, versions) in entries {
            let leaf = range.leaf_of(key_position(key), leaves);
            hash_entry(&mut leaf_hashers[leaf as usize], key, versions);
        }
        let mut hashes = vec![[0u8; 16]; 2 * leaves as usize];
        for (i, h) in leaf_hashers.into_iter().enumerate() {
            hashes[leaves as usize + i] = h.finalize().into();
        }
        for i in (1..leaves as usize).rev() {
            let mut parent = Md5::new();
            parent.update(hashes[2 * i]);
            parent.update(hashes[2 * i + 1]);
            hashes[i] = parent.finalize().into();
        }
        MerkleTree { depth, hashes }
    }

    /// The root hash: equal roots mean equal ranges.
    pub fn root(&self) -> Hash {
        self.hashes[1]
    }

    /// The hash of tree node `index` (1 is the root).
    pub fn hash(&self, index: u32) -> Hash {
        self.hashes[index as usize]
    }

    /// The tree's depth: leaves are at this level (the root is level 0).
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// Whether tree node `index` is a leaf.
    pub fn is_leaf(&self, index: u32) -> bool {
        index >= 1 << self.depth
    }

    /// The leaf number (0-based) of a leaf node index.
    pub fn leaf_number(&self, index: u32) -> u32 {
        index - (1 << self.depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VectorClock;

    fn v(value: &str) -> Vec<Version> {
        vec![Version { value: value.into(), clock: VectorClock::from_counters(&[(NodeId(0), 1)], 0), written_at: 0 }]
    }

    const WHOLE: KeyRange = KeyRange { start: 7, end: 7 };

    #[test]
    fn equal_data_equal_roots_and_one_difference_is_one_path() {
        let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let values: Vec<Vec<Version>> = (0..40).map(|i| v(&format!("v{i}"))).collect();
        let entries = || keys.iter().map(String::as_str).zip(values.iter().map(Vec::as_slice));
        let a = MerkleTree::build(WHOLE, 3, entries());
        let b = MerkleTree::build(WHOLE, 3, entries());
        assert_eq!(a.root(), b.root());
        let changed = v("other");
        let c = MerkleTree::build(WHOLE, 3, entries().map(|(k, vs)| if k == "k5" { (k, changed.as_slice()) } else { (k, vs) }));
        assert_ne!(a.root(), c.root());
        // Exactly one node differs per level: the path from the root to k5's leaf.
        for level in 0..=3u32 {
            let differing = ((1 << level)..(2 << level)).filter(|&i| a.hash(i) != c.hash(i)).count();
            assert_eq!(differing, 1, "level {level}");
        }
        let leaf = (8..16).find(|&i| a.hash(i) != c.hash(i)).unwrap();
        assert_eq!(a.leaf_number(leaf), WHOLE.leaf_of(key_position("k5"), 8));
    }

    #[test]
    fn leaves_split_a_wrapping_range_evenly() {
        let r = KeyRange { start: u128::MAX - 99, end: 100 }; // 200 positions, wrapping
        assert_eq!(r.leaf_of(u128::MAX - 98, 4), 0);
        assert_eq!(r.leaf_of(100, 4), 3);
        assert!(r.contains(0) && r.contains(100) && !r.contains(101));
    }

    #[test]
    fn ranges_cover_the_ring_once_with_n_replicas_each() {
        let mut ring = Ring::new();
        ring.add_node(NodeId(0), &[100, 400]);
        ring.add_node(NodeId(1), &[200]);
        ring.add_node(NodeId(2), &[300]);
        let ranges = key_ranges(&ring, Strategy::RandomTokens, 2);
        assert_eq!(ranges.len(), 4);
        for p in [0u128, 150, 250, 350, 450, u128::MAX] {
            assert_eq!(ranges.iter().filter(|(r, _)| r.contains(p)).count(), 1, "{p}");
        }
        assert_eq!(ranges[1], (KeyRange { start: 100, end: 200 }, vec![NodeId(1), NodeId(2)]));
        assert_eq!(hosted_ranges(&ring, Strategy::RandomTokens, 2, NodeId(2)).len(), 2);
        let q = key_ranges(&ring, Strategy::EqualPartitions { q: 4 }, 2);
        assert_eq!(q.len(), 4);
        for p in [0u128, u128::MAX / 3, u128::MAX] {
            assert_eq!(q.iter().filter(|(r, _)| r.contains(p)).count(), 1);
        }
    }
}
