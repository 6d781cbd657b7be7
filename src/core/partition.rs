//! The three partitioning strategies of §6.2, and the figures the paper compares them by:
//! load-balancing efficiency and the size of the membership information.
//!
//! 1. T random tokens per node; partitions are the ranges between tokens.
//! 2. T random tokens per node; Q equal-sized partitions. A partition is placed on the
//!    first N distinct nodes met walking clockwise from the partition's end.
//! 3. Q/S tokens per node; Q equal-sized partitions. Tokens sit on partition ends, so a
//!    token *is* a partition; nodes joining or leaving hand whole partitions over.

use super::ring::{Position, Ring};
use super::NodeId;

/// Which §6.2 strategy a cluster uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Strategy 1: T random tokens per node, partition by token value.
    #[default]
    RandomTokens,
    /// Strategy 2: T random tokens per node, Q equal-sized partitions.
    RandomTokensEqualPartitions { q: u32 },
    /// Strategy 3: Q/S tokens per node, Q equal-sized partitions.
    EqualPartitions { q: u32 },
}

impl Strategy {
    /// The paper's number for the strategy (1, 2 or 3).
    pub fn number(self) -> u8 {
        match self {
            Strategy::RandomTokens => 1,
            Strategy::RandomTokensEqualPartitions { .. } => 2,
            Strategy::EqualPartitions { .. } => 3,
        }
    }

    /// Q, for the strategies with equal-sized partitions.
    pub fn partitions(self) -> Option<u32> {
        match self {
            Strategy::RandomTokens => None,
            Strategy::RandomTokensEqualPartitions { q } | Strategy::EqualPartitions { q } => {
                Some(q)
            }
        }
    }

    /// Checks Q against the cluster size.
    pub fn validate(self, nodes: usize) -> Result<(), String> {
        match self {
            Strategy::RandomTokens => Ok(()),
            Strategy::RandomTokensEqualPartitions { q: 0 } => Err("q must be at least 1".into()),
            Strategy::RandomTokensEqualPartitions { .. } => Ok(()),
            Strategy::EqualPartitions { q } if (q as usize) < nodes => Err(format!(
                "strategy 3 needs at least one partition per node: q ({q}) < nodes ({nodes})"
            )),
            Strategy::EqualPartitions { .. } => Ok(()),
        }
    }

    /// Where the preference-list walk for a key at `position` starts: the key itself
    /// (strategy 1) or the end of the key's partition (strategies 2 and 3).
    pub fn walk_start(self, position: Position) -> Position {
        match self.partitions() {
            None => position,
            Some(q) => partition_end(q, partition_of(q, position)),
        }
    }
}

/// Width of one of Q equal partitions (the last one absorbs the rounding).
fn partition_width(q: u32) -> u128 {
    u128::MAX / u128::from(q.max(1))
}

/// Which of Q equal partitions holds `position` (0-based, clockwise from 0).
pub fn partition_of(q: u32, position: Position) -> u32 {
    let index = position / partition_width(q);
    index.min(u128::from(q - 1)) as u32
}

/// The last position of partition `index` of Q: the token that stands for it.
pub fn partition_end(q: u32, index: u32) -> Position {
    if index + 1 >= q {
        u128::MAX
    } else {
        partition_width(q) * u128::from(index + 1) - 1
    }
}

/// How evenly a key set's replicas spread over the nodes (§6.2).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadReport {
    /// Keys each node holds as one of their N replicas, by node id.
    pub per_node: Vec<(NodeId, u64)>,
    /// Mean load over the nodes.
    pub mean: f64,
    /// Load of the hottest node.
    pub max: u64,
    /// The paper's load-balancing efficiency: mean load / max load (1.0 is perfect).
    pub efficiency: f64,
}

/// Measures load balance over `keys` (ring positions): each key loads its N replicas.
pub fn load_balance(ring: &Ring, strategy: Strategy, n: usize, keys: &[Position]) -> LoadReport {
    let mut load = empty_load(ring);
    add_load(ring, strategy, n, keys, &mut load);
    load_report(ring, &load)
}

/// A load counter per node of `ring` (indexed by node id), all zero.
pub fn empty_load(ring: &Ring) -> Vec<u64> {
    vec![0u64; ring.nodes().iter().map(|n| n.index() + 1).max().unwrap_or(0)]
}

/// Adds the load of `keys` (part of a key set: [`load_balance`] a slice at a time).
pub fn add_load(ring: &Ring, strategy: Strategy, n: usize, keys: &[Position], load: &mut [u64]) {
    for &key in keys {
        for node in ring.preference_list(strategy.walk_start(key), n) {
            load[node.index()] += 1;
        }
    }
}

/// The report of loads counted by [`add_load`].
pub fn load_report(ring: &Ring, load: &[u64]) -> LoadReport {
    let nodes = ring.nodes();
    let per_node: Vec<(NodeId, u64)> = nodes.iter().map(|&n| (n, load[n.index()])).collect();
    let total: u64 = per_node.iter().map(|&(_, l)| l).sum();
    let max = per_node.iter().map(|&(_, l)| l).max().unwrap_or(0);
    let mean = if per_node.is_empty() { 0.0 } else { total as f64 / per_node.len() as f64 };
    let efficiency = if max == 0 { 1.0 } else { mean / max as f64 };
    LoadReport { per_node, mean, max, efficiency }
}

/// Bytes a token entry costs in the membership map: a 16-byte position and a 4-byte node.
pub const TOKEN_ENTRY_BYTES: u64 = 20;

/// Entries of membership information every node holds (§6.2): every token of every node
/// for strategies 1 and 2; one entry per partition for strategy 3.
pub fn membership_entries(ring: &Ring, strategy: Strategy) -> u64 {
    match strategy {
        Strategy::EqualPartitions { q } => u64::from(q),
        _ => ring.tokens().len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efficiency_is_mean_load_over_max_load() {
        let mut ring = Ring::new();
        ring.add_node(NodeId(0), &[100]);
        ring.add_node(NodeId(1), &[1 << 127]);
        // Three keys, all owned by node 0's token: loads 3 and 0.
        let report = load_balance(&ring, Strategy::RandomTokens, 1, &[50, 60, 70]);
        assert_eq!((report.mean, report.max, report.efficiency), (1.5, 3, 0.5));
        let idle = load_balance(&ring, Strategy::RandomTokens, 1, &[]);
        assert_eq!(idle.efficiency, 1.0, "no load is perfectly balanced");
    }

    #[test]
    fn strategies_carry_the_papers_numbers() {
        let numbers = [
            Strategy::RandomTokens,
            Strategy::RandomTokensEqualPartitions { q: 8 },
            Strategy::EqualPartitions { q: 8 },
        ]
        .map(Strategy::number);
        assert_eq!(numbers, [1, 2, 3]);
    }

    #[test]
    fn q_must_give_strategy_3_a_partition_per_node() {
        assert!(Strategy::RandomTokensEqualPartitions { q: 0 }.validate(5).is_err());
        assert!(Strategy::RandomTokensEqualPartitions { q: 1 }.validate(5).is_ok());
        assert!(Strategy::EqualPartitions { q: 4 }.validate(5).is_err());
        assert!(Strategy::EqualPartitions { q: 5 }.validate(5).is_ok());
        assert!(Strategy::EqualPartitions { q: 6 }.validate(5).is_ok());
    }

    #[test]
    fn partitions_tile_the_ring() {
        let q = 4;
        assert_eq!(partition_of(q, 0), 0);
        assert_eq!(partition_of(q, partition_end(q, 0)), 0);
        assert_eq!(partition_of(q, partition_end(q, 0) + 1), 1);
        assert_eq!(partition_of(q, u128::MAX), 3);
        assert_eq!(partition_end(q, 3), u128::MAX);
        for i in 0..q {
            assert_eq!(partition_of(q, partition_end(q, i)), i);
        }
    }

    #[test]
    fn strategy_2_places_every_key_of_a_partition_on_the_same_nodes() {
        let mut ring = Ring::new();
        ring.add_node(NodeId(0), &[u128::MAX / 3]);
        ring.add_node(NodeId(1), &[u128::MAX / 3 * 2]);
        ring.add_node(NodeId(2), &[u128::MAX / 10 * 9]);
        let s = Strategy::RandomTokensEqualPartitions { q: 2 };
        // Partition 0 ends at the middle of the ring: its walk starts there, at node 1.
        assert_eq!(ring.preference_list(s.walk_start(1), 2).to_vec(), vec![NodeId(1), NodeId(2)]);
        assert_eq!(
            ring.preference_list(s.walk_start(u128::MAX / 4), 2).to_vec(),
            vec![NodeId(1), NodeId(2)]
        );
        // Strategy 1 would have sent a key at 1 to node 0 instead.
        assert_eq!(
            ring.preference_list(Strategy::RandomTokens.walk_start(1), 1).to_vec(),
            vec![NodeId(0)]
        );
    }

    #[test]
    fn perfectly_even_tokens_give_efficiency_one() {
        let q = 4;
        let mut ring = Ring::new();
        for i in 0..q {
            ring.add_node(NodeId(i), &[partition_end(q, i)]);
        }
        let s = Strategy::EqualPartitions { q };
        let keys: Vec<Position> = (0..q).map(|i| partition_end(q, i) - 5).collect();
        let report = load_balance(&ring, s, 2, &keys);
        assert_eq!(report.max, 2);
        assert!((report.efficiency - 1.0).abs() < 1e-9);
        assert_eq!(membership_entries(&ring, s), 4);
    }
}
