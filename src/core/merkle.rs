//! Merkle trees for anti-entropy (§4.7).
//!
//! A node keeps one tree per key range it hosts. The range's positions are split evenly
//! into 2^depth leaves; a leaf's hash covers the keys (and their versions) that fall in
//! it, in ring order; a parent's hash covers its two children. Two replicas of a range
//! compare roots, then descend only into children whose hashes differ, and exchange only
//! the keys under differing leaves — so the traffic grows with the differences, not with
//! the data. (A node keeps its trees up to date as keys change rather than building them
//! for each comparison: `accel::kept_trees`, the same trees faster.)

use super::clock::Actor;
use super::partition::{partition_end, Strategy};
use super::ring::{in_range, Position, Ring};
use super::version::Version;
use super::{Key, NodeId};
use crate::core::accel::compact_sort;
use md5::{Digest, Md5};

/// A hash of a tree node.
pub type Hash = [u8; 16];

/// A key range (start, end] on the ring: a token's range, or a partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    /// How far into the range `position` (which must be in it) lies: 0 for the first
    /// position after `start`.
    pub fn offset(&self, position: Position) -> u128 {
        position.wrapping_sub(self.start).wrapping_sub(1)
    }

    /// The number of offsets in each of `leaves` equal slices of the range.
    pub(crate) fn leaf_width(&self, leaves: u32) -> u128 {
        (self.span() / u128::from(leaves)).saturating_add(1)
    }

    /// Which of `leaves` equal slices of the range holds `position` (which must be in it).
    /// (The whole ring has 2^128 positions, one more than a `u128` counts: in one leaf,
    /// its last position would fall one leaf past the end, hence the `min`.)
    pub fn leaf_of(&self, position: Position, leaves: u32) -> u32 {
        debug_assert!(leaves > 0 && self.contains(position), "a position of the range");
        let leaf = self.offset(position) / self.leaf_width(leaves);
        leaf.min(u128::from(leaves) - 1) as u32
    }
}

/// The key ranges of the ring (§4.7): each token's range for strategy 1, each of the Q
/// partitions for strategies 2 and 3, with the N nodes that replicate it.
pub fn key_ranges(ring: &Ring, strategy: Strategy, n: usize) -> Vec<(KeyRange, Vec<NodeId>)> {
    let ranges: Vec<KeyRange> = match strategy.partitions() {
        None => ring.ranges().into_iter().map(|(start, end, _)| KeyRange { start, end }).collect(),
        Some(q) => (0..q)
            .map(|p| KeyRange {
                start: partition_end(q, (p + q - 1) % q),
                end: partition_end(q, p),
            })
            .collect(),
    };
    ranges
        .into_iter()
        .map(|r| (r, ring.preference_list(strategy.walk_start(r.end), n).into_vec()))
        .collect()
}

/// The ranges a node hosts: those it is one of the N replicas of, in ring order.
pub fn hosted_ranges(
    ring: &Ring,
    strategy: Strategy,
    n: usize,
    node: NodeId,
) -> Vec<(KeyRange, Vec<NodeId>)> {
    let candidates = match strategy.partitions() {
        None => token_ranges_near(ring, n, node),
        Some(_) => key_ranges(ring, strategy, n).into_iter().map(|(range, _)| range).collect(),
    };
    candidates
        .into_iter()
        .map(|range| (range, ring.preference_list(strategy.walk_start(range.end), n).into_vec()))
        .filter(|(_, replicas)| replicas.contains(&node))
        .collect()
}

/// The token ranges a node can replicate (§4.3: "the region of the ring between it and
/// its Nth predecessor"): walking counter-clockwise from each of its tokens, the ranges
/// passed until N other nodes were met or another of its own tokens was reached.
fn token_ranges_near(ring: &Ring, n: usize, node: NodeId) -> Vec<KeyRange> {
    let tokens = ring.tokens();
    let count = tokens.len();
    let mut ends: Vec<usize> = Vec::new();
    for own in (0..count).filter(|&i| tokens[i].1 == node) {
        let mut others: Vec<NodeId> = Vec::new();
        for back in 0..count {
            let at = (own + count - back) % count;
            let owner = tokens[at].1;
            if back > 0 && owner == node {
                break;
            }
            if owner != node && !others.contains(&owner) {
                others.push(owner);
            }
            if others.len() >= n {
                break;
            }
            ends.push(at);
        }
    }
    compact_sort::sort_unstable(&mut ends);
    ends.dedup();
    ends.into_iter()
        .map(|i| KeyRange { start: tokens[(i + count - 1) % count].0, end: tokens[i].0 })
        .collect()
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
        for (actor, counter) in v.clock.counters() {
            hash_actor(hasher, actor);
            hasher.update(counter.to_le_bytes());
        }
    }
}

/// An actor: its node's id, then its epoch if it has one (node ids stay below 2^31).
fn hash_actor(hasher: &mut Md5, actor: Actor) {
    if actor.epoch == 0 {
        hasher.update(actor.node.0.to_le_bytes());
    } else {
        hasher.update((actor.node.0 | 1 << 31).to_le_bytes());
        hasher.update(actor.epoch.to_le_bytes());
    }
}

/// A leaf's hash: its keys and their versions, in ring order (§4.7).
pub(crate) fn leaf_hash<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [Version])>) -> Hash {
    let mut hasher = Md5::new();
    for (key, versions) in entries {
        hash_entry(&mut hasher, key, versions);
    }
    hasher.finalize().into()
}

/// A parent's hash: the hash of its two children's (§4.7).
fn parent_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Md5::new();
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The hash of a subtree holding no keys depends only on its height (0: a leaf), so it
/// is worked out once: most leaves of a deep tree are empty, and their paths cost nothing.
pub(crate) fn empty_hash(height: u8) -> Hash {
    static EMPTY: std::sync::OnceLock<[Hash; 33]> = std::sync::OnceLock::new();
    let table = EMPTY.get_or_init(|| {
        let mut table = [leaf_hash([]); 33];
        for h in 1..table.len() {
            table[h] = parent_hash(&table[h - 1], &table[h - 1]);
        }
        table
    });
    table[height as usize]
}

impl MerkleTree {
    /// The tree of a range holding no keys.
    pub fn empty(depth: u8) -> Self {
        let leaves = 1usize << depth;
        let mut hashes = vec![[0u8; 16]; 2 * leaves];
        let mut level = leaves..2 * leaves;
        for height in 0..=depth {
            hashes[level.clone()].fill(empty_hash(height));
            level = level.start / 2..level.start;
        }
        MerkleTree { depth, hashes }
    }

    /// Builds the tree of a range from its entries (key, versions).
    pub fn build<'a>(
        range: KeyRange,
        depth: u8,
        entries: impl IntoIterator<Item = (&'a Key, &'a [Version])>,
    ) -> Self {
        let leaves = 1u32 << depth;
        let mut by_leaf: Vec<Vec<(u128, &str, &[Version])>> = vec![Vec::new(); leaves as usize];
        for (key, versions) in entries {
            let position = key.position();
            by_leaf[range.leaf_of(position, leaves) as usize].push((
                range.offset(position),
                key.as_str(),
                versions,
            ));
        }
        // The empty tree, then the leaves that hold keys and the paths above them.
        let mut tree = MerkleTree::empty(depth);
        let held = by_leaf.into_iter().enumerate().filter(|(_, entries)| !entries.is_empty());
        tree.set_leaves(held.map(|(leaf, mut entries)| {
            compact_sort::sort_unstable_by(&mut entries, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            (leaf as u32, leaf_hash(entries.into_iter().map(|(_, k, vs)| (k, vs))))
        }));
        tree
    }

    /// Sets some leaves' hashes (in leaf order) and recomputes every node above them, each
    /// once, level by level. (A node over two empty subtrees takes the empty hash of its
    /// height without hashing.)
    pub fn set_leaves(&mut self, leaves: impl IntoIterator<Item = (u32, Hash)>) {
        let first = 1usize << self.depth;
        let mut changed: Vec<usize> = leaves
            .into_iter()
            .map(|(leaf, hash)| {
                self.hashes[first + leaf as usize] = hash;
                first + leaf as usize
            })
            .collect();
        debug_assert!(changed.windows(2).all(|w| w[0] < w[1]), "leaves in order");
        for height in 1..=self.depth {
            changed.iter_mut().for_each(|i| *i /= 2);
            changed.dedup();
            let below = empty_hash(height - 1);
            for &i in &changed {
                let (left, right) = (self.hashes[2 * i], self.hashes[2 * i + 1]);
                self.hashes[i] = if left == below && right == below {
                    empty_hash(height)
                } else {
                    parent_hash(&left, &right)
                };
            }
        }
    }

    /// The root hash: equal roots mean equal ranges.
    pub fn root(&self) -> Hash {
        self.hashes[1]
    }

    /// The hash of tree node `index` (1 is the root).
    pub fn hash(&self, index: u32) -> Hash {
        self.hashes[index as usize]
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

/// One level of a comparison of two replicas' trees (§4.7): the tree nodes whose hashes
/// were compared there, and those that differ.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LevelCompared {
    pub compared: Vec<u32>,
    pub differing: Vec<u32>,
}

/// The comparison of two trees of one range as the exchange walks it (§4.7): the root
/// first, then, level by level, only the children of the nodes that differ. It stops at
/// the first level where nothing differs, or at the leaves, whose keys are then sent.
/// (The exchange itself is distributed: each `SyncHashes` message carries one level, and
/// `Node::on_sync_hashes` keeps the differing ones; this is the same walk in one place,
/// for drawing it.)
pub fn compare(a: &MerkleTree, b: &MerkleTree) -> Vec<LevelCompared> {
    debug_assert_eq!(a.depth, b.depth, "trees of one range have one depth");
    let mut levels: Vec<LevelCompared> = Vec::new();
    let mut compared = vec![1u32];
    loop {
        let differing: Vec<u32> =
            compared.iter().copied().filter(|&i| a.hash(i) != b.hash(i)).collect();
        let descend = !differing.is_empty() && !a.is_leaf(differing[0]);
        let next = differing.iter().flat_map(|&i| [2 * i, 2 * i + 1]).collect();
        levels.push(LevelCompared { compared, differing });
        if !descend {
            return levels;
        }
        compared = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_tree_is_the_tree_built_from_no_keys() {
        for depth in 0..6 {
            let range = KeyRange { start: 5, end: 1 << 100 };
            assert!(
                MerkleTree::empty(depth) == MerkleTree::build(range, depth, []),
                "depth {depth}"
            );
        }
    }
    use crate::core::clock::VectorClock;

    fn v(value: &str) -> Vec<Version> {
        vec![Version::new(value.into(), VectorClock::from_counters(&[(NodeId(0), 1)], 0), 0)]
    }

    const WHOLE: KeyRange = KeyRange { start: 7, end: 7 };

    #[test]
    fn equal_data_equal_roots_and_one_difference_is_one_path() {
        let keys: Vec<Key> = (0..40).map(|i| Key::from(format!("k{i}"))).collect();
        let values: Vec<Vec<Version>> = (0..40).map(|i| v(&format!("v{i}"))).collect();
        let entries = || keys.iter().zip(values.iter().map(Vec::as_slice));
        let a = MerkleTree::build(WHOLE, 3, entries());
        let b = MerkleTree::build(WHOLE, 3, entries());
        assert_eq!(a.root(), b.root());
        let changed = v("other");
        let c = MerkleTree::build(
            WHOLE,
            3,
            entries()
                .map(|(k, vs)| if k.as_str() == "k5" { (k, changed.as_slice()) } else { (k, vs) }),
        );
        assert_ne!(a.root(), c.root());
        // Exactly one node differs per level: the path from the root to k5's leaf.
        for level in 0..=3u32 {
            let differing =
                ((1 << level)..(2 << level)).filter(|&i| a.hash(i) != c.hash(i)).count();
            assert_eq!(differing, 1, "level {level}");
        }
        let leaf = (8..16).find(|&i| a.hash(i) != c.hash(i)).unwrap();
        assert_eq!(a.leaf_number(leaf), WHOLE.leaf_of(crate::core::ring::key_position("k5"), 8));
    }

    #[test]
    fn a_comparison_descends_only_where_hashes_differ() {
        let keys: Vec<Key> = (0..40).map(|i| Key::from(format!("k{i}"))).collect();
        let values: Vec<Vec<Version>> = (0..40).map(|i| v(&format!("v{i}"))).collect();
        let entries = || keys.iter().zip(values.iter().map(Vec::as_slice));
        let a = MerkleTree::build(WHOLE, 3, entries());
        assert_eq!(compare(&a, &a), [LevelCompared { compared: vec![1], differing: vec![] }]);
        let b = MerkleTree::build(WHOLE, 3, entries().filter(|(k, _)| k.as_str() != "k5"));
        let levels = compare(&a, &b);
        assert_eq!(levels.len(), 4, "root, two inner levels, the leaves");
        for (depth, level) in levels.iter().enumerate() {
            assert_eq!(level.differing.len(), 1, "one path differs");
            assert_eq!(
                level.compared.len(),
                if depth == 0 { 1 } else { 2 },
                "a node and its sibling"
            );
        }
        let leaf = levels[3].differing[0];
        assert_eq!(a.leaf_number(leaf), WHOLE.leaf_of(crate::core::ring::key_position("k5"), 8));
    }

    /// The plain tree: every leaf hashed from its keys, every parent from its children,
    /// no shortcut for empty subtrees.
    fn hashed_node_by_node(range: KeyRange, depth: u8, entries: &[(Key, Vec<Version>)]) -> Hash {
        let leaves = 1u32 << depth;
        let mut hashes = vec![[0u8; 16]; 2 * leaves as usize];
        for leaf in 0..leaves {
            let mut under: Vec<&(Key, Vec<Version>)> = entries
                .iter()
                .filter(|(k, _)| range.leaf_of(k.position(), leaves) == leaf)
                .collect();
            under.sort_unstable_by_key(|(k, _)| {
                (range.offset(k.position()), k.as_str().to_string())
            });
            hashes[(leaves + leaf) as usize] =
                leaf_hash(under.into_iter().map(|(k, vs)| (k.as_str(), vs.as_slice())));
        }
        for i in (1..leaves as usize).rev() {
            hashes[i] = parent_hash(&hashes[2 * i], &hashes[2 * i + 1]);
        }
        hashes[1]
    }

    #[test]
    fn skipping_empty_subtrees_gives_the_hashes_of_hashing_every_node() {
        for (depth, keys) in [(1u8, 3), (3, 0), (3, 5), (8, 6), (8, 700), (10, 40)] {
            let entries: Vec<(Key, Vec<Version>)> =
                (0..keys).map(|i| (Key::from(format!("k{i}")), v(&format!("v{i}")))).collect();
            let tree =
                MerkleTree::build(WHOLE, depth, entries.iter().map(|(k, vs)| (k, vs.as_slice())));
            assert_eq!(tree.root(), hashed_node_by_node(WHOLE, depth, &entries), "{depth} {keys}");
        }
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

    #[test]
    fn every_position_of_a_range_falls_in_one_of_its_leaves() {
        // Ten positions in four leaves: widths of three, the last leaf what is left.
        let ten = KeyRange { start: 0, end: 10 };
        let leaves: Vec<u32> = (1..=10).map(|p| ten.leaf_of(p, 4)).collect();
        assert_eq!(leaves, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
        let ranges = [(0, 10), (u128::MAX - 5, 4), (7, 7), (100, 1 << 100)];
        for (start, end) in ranges {
            let range = KeyRange { start, end };
            for leaves in [1, 4, 256] {
                let first = start.wrapping_add(1);
                assert_eq!(range.leaf_of(first, leaves), 0, "{range:?} {leaves}");
                let last = range.leaf_of(end, leaves);
                assert!(last < leaves, "{range:?}: the last position is in a leaf ({last})");
                if range.span() >= u128::from(leaves) {
                    assert_eq!(last, leaves - 1, "{range:?}: the last leaf is used");
                }
            }
        }
    }

    /// The plain answer: the ranges whose preference list has `node` among its first N.
    fn replicated_by(ring: &Ring, n: usize, node: NodeId) -> Vec<KeyRange> {
        let ranges = key_ranges(ring, Strategy::RandomTokens, n);
        ranges.into_iter().filter(|(_, list)| list.contains(&node)).map(|(r, _)| r).collect()
    }

    #[test]
    fn the_ranges_near_a_node_are_exactly_those_it_replicates() {
        let tokens: Vec<(Position, NodeId)> = (0..40u32)
            .map(|i| (crate::core::ring::key_position(&format!("t{i}")), NodeId(i * 7 % 6)))
            .collect();
        let ring = Ring::from_tokens(tokens);
        for n in 1..=4 {
            for node in (0..6).map(NodeId) {
                let mut near = token_ranges_near(&ring, n, node);
                near.sort();
                let mut plain = replicated_by(&ring, n, node);
                plain.sort();
                assert_eq!(near, plain, "N = {n}, node {node:?}");
            }
        }
    }

    #[test]
    fn a_leaf_hash_tells_every_actor_apart_epochs_included() {
        let clock = |node, epoch| {
            let actor = Actor::new(NodeId(node), epoch);
            VectorClock::from_counters(&[(actor, 1)], 0)
        };
        let hash = |c: VectorClock| {
            let versions = [Version::new("v".into(), c, 0)];
            leaf_hash([("k", &versions[..])])
        };
        let actors = [(3, 0), (3, 1), (3, 2), (5, 0), (5, 1), (5, 2)];
        for (i, &(a, ae)) in actors.iter().enumerate() {
            for &(b, be) in &actors[i + 1..] {
                assert_ne!(hash(clock(a, ae)), hash(clock(b, be)), "{a}#{ae} and {b}#{be}");
            }
        }
    }
}
