//! The three partitioning strategies of §6.2 side by side on one cluster's nodes: each
//! strategy's tokens placed as the simulator places them when a cluster starts with it,
//! the load a sample of keys puts on each node, the paper's load-balancing efficiency
//! (mean load / max load), and the membership information every node keeps.
//!
//! - Strategy 1: T random tokens per node; the ranges between tokens are the partitions.
//! - Strategy 2: the same random tokens; Q equal partitions, each placed from its end.
//! - Strategy 3: Q equal partitions dealt out, Q/S per node; a token is a partition.
//!
//! Strategies 1 and 2 share their tokens, so what differs between them is only how keys
//! are grouped. Q is the cluster's own when it has one, else the number of tokens
//! strategy 1 places (so that strategies 1 and 3 keep membership maps of one size).

use super::world::{assign_tokens, WorldSpec};
use crate::core::partition::{load_balance, membership_entries, LoadReport, Strategy};
use crate::core::ring::{key_position, Position, Ring};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Keys sampled to measure load: `key-0` … `key-4095`, each loading its N replicas.
pub const SAMPLE_KEYS: u32 = 4_096;

/// One strategy on the cluster's nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    pub strategy: Strategy,
    /// Its tokens, by node (node ids are the spec's node order).
    pub ring: Ring,
    /// The sample keys' load per node, and the efficiency.
    pub load: LoadReport,
    /// Entries of membership information each node keeps (§6.2).
    pub membership: u64,
}

/// The three strategies on `spec`'s nodes, with its seed, N and tokens per node.
pub fn compare(spec: &WorldSpec) -> Result<[Compared; 3], String> {
    compare_with(spec, SAMPLE_KEYS, None)
}

/// [`compare`] over `keys` sample keys, with `q` partitions (default: the cluster's Q, else
/// as many as strategy 1 places tokens).
pub fn compare_with(spec: &WorldSpec, keys: u32, q: Option<u32>) -> Result<[Compared; 3], String> {
    let keys: Vec<Position> = sample_keys(keys);
    let placed = placements(spec, q)?;
    Ok(placed.map(|(strategy, ring)| {
        let load = load_balance(&ring, strategy, spec.config.n, &keys);
        let membership = membership_entries(&ring, strategy);
        Compared { strategy, ring, load, membership }
    }))
}

/// The three strategies' rings on `spec`'s nodes (strategies 1 and 2 share their tokens),
/// with `q` partitions (default: the cluster's Q, else as many as strategy 1's tokens).
pub fn placements(spec: &WorldSpec, q: Option<u32>) -> Result<[(Strategy, Ring); 3], String> {
    let random = Strategy::RandomTokens;
    let ring = place(spec, random)?;
    let q = q.or(spec.config.strategy.partitions()).unwrap_or(ring.tokens().len() as u32);
    let equal = Strategy::EqualPartitions { q };
    let dealt = place(spec, equal)?;
    Ok([
        (random, ring.clone()),
        (Strategy::RandomTokensEqualPartitions { q }, ring),
        (equal, dealt),
    ])
}

/// The ring positions of `count` sample keys, `key-0` … (their MD5 hashes).
pub fn sample_keys(count: u32) -> Vec<Position> {
    (0..count).map(|k| key_position(&format!("key-{k}"))).collect()
}

/// The strategy of the three that balances load best (the lowest number on a tie).
pub fn best(compared: &[Compared; 3]) -> Strategy {
    let mut best = &compared[0];
    for c in &compared[1..] {
        if c.load.efficiency > best.load.efficiency {
            best = c;
        }
    }
    best.strategy
}

/// Tokens as a cluster starting with `strategy` would have them (explicit tokens kept
/// where the strategy allows them).
fn place(spec: &WorldSpec, strategy: Strategy) -> Result<Ring, String> {
    let mut spec = spec.clone();
    if strategy != spec.config.strategy {
        let dealt = matches!(strategy, Strategy::EqualPartitions { .. });
        if dealt {
            for node in &mut spec.nodes {
                node.tokens = None;
            }
        }
        spec.config.strategy = strategy;
    }
    strategy.validate(spec.nodes.len())?;
    assign_tokens(&spec, &mut ChaCha8Rng::seed_from_u64(spec.seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::{NodeSpec, World};

    fn spec(nodes: usize, strategy: Strategy) -> WorldSpec {
        let mut spec = WorldSpec {
            nodes: (0..nodes).map(|i| NodeSpec::named(&format!("N{i}"))).collect(),
            tokens_per_node: 8,
            ..WorldSpec::default()
        };
        spec.config.strategy = strategy;
        spec
    }

    #[test]
    fn the_clusters_own_strategy_has_the_worlds_tokens() {
        for strategy in [
            Strategy::RandomTokens,
            Strategy::RandomTokensEqualPartitions { q: 64 },
            Strategy::EqualPartitions { q: 64 },
        ] {
            let spec = spec(6, strategy);
            let world = World::new(spec.clone()).unwrap();
            let compared = compare(&spec).unwrap();
            let own = &compared[usize::from(strategy.number()) - 1];
            assert_eq!(own.strategy, strategy);
            assert_eq!(own.ring.tokens(), world.ring().tokens(), "{strategy:?}");
        }
    }

    #[test]
    fn strategies_1_and_2_share_tokens_and_3_keeps_q_entries() {
        let compared = compare(&spec(10, Strategy::RandomTokens)).unwrap();
        assert_eq!(compared[0].ring, compared[1].ring);
        assert_eq!(compared[1].strategy, Strategy::RandomTokensEqualPartitions { q: 80 });
        assert_eq!(compared[0].membership, 80);
        assert_eq!(compared[2].membership, 80);
        assert_eq!(compared[2].ring.tokens().len(), 80, "a token per partition");
        for c in &compared {
            let total: u64 = c.load.per_node.iter().map(|&(_, l)| l).sum();
            assert_eq!(total, u64::from(SAMPLE_KEYS) * 3, "each key loads N = 3 nodes");
        }
    }

    #[test]
    fn equal_partitions_dealt_evenly_balance_best_as_the_paper_found() {
        // §6.2: strategy 3 has the best efficiency. 30 nodes, as in Figure 8.
        let compared = compare(&spec(30, Strategy::RandomTokens)).unwrap();
        let [one, _, three] = &compared;
        assert!(three.load.efficiency > one.load.efficiency, "{compared:?}");
        assert_eq!(best(&compared).number(), 3);
    }
}
