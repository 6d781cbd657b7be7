//! The partitioning lab (§6.2, Figure 8): the three strategies on S nodes, swept over the
//! number of tokens (strategy 1 and 2: T random tokens per node; strategies 2 and 3: Q =
//! S × T equal partitions), each point its load-balancing efficiency (mean load / max
//! load over sample keys, each counted on its N replicas) against the membership
//! information a node keeps (§6.2: every token for strategies 1 and 2, one entry per
//! partition for strategy 3). Then what a join costs: the share of keys whose replicas
//! change when one more node joins, under each strategy.
//!
//! The paper's Figure 8 found strategy 3 best and strategy 2 worst; this lab measures the
//! same placements on the simulator's own token assignment (`World::new`, `World::join`).

use crate::core::config::Config;
use crate::core::partition::{Strategy, TOKEN_ENTRY_BYTES};
use crate::core::ring::{Position, Ring};
use crate::sim::strategies::{compare_with, sample_keys, Compared};
use crate::sim::world::{NodeSpec, World, WorldSpec};
use serde::Serialize;

/// Most nodes the lab places.
pub const MAX_NODES: usize = 256;
/// Most sample keys.
pub const MAX_KEYS: u32 = 200_000;
/// Most tokens per node in the sweep.
pub const MAX_T: u32 = 512;

/// What the lab sweeps.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitioningSpec {
    /// S, the nodes (the paper's Figure 8: 30).
    pub nodes: usize,
    pub n: usize,
    /// Sample keys counted for load.
    pub keys: u32,
    /// The values of T swept (Q = S × T).
    pub tokens: Vec<u32>,
    pub seed: u64,
}

impl Default for PartitioningSpec {
    fn default() -> Self {
        PartitioningSpec {
            nodes: 30,
            n: 3,
            keys: 30_000,
            tokens: vec![1, 2, 4, 8, 16, 32, 64, 128],
            seed: 1,
        }
    }
}

impl PartitioningSpec {
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_NODES).contains(&self.nodes) {
            return Err(format!("nodes must be 2 to {MAX_NODES} (got {})", self.nodes));
        }
        if self.n == 0 || self.n > self.nodes {
            return Err(format!("N must be 1 to the number of nodes (got {})", self.n));
        }
        if !(1..=MAX_KEYS).contains(&self.keys) {
            return Err(format!("keys must be 1 to {MAX_KEYS} (got {})", self.keys));
        }
        if self.tokens.is_empty() || self.tokens.len() > 16 {
            return Err("give 1 to 16 values of T".into());
        }
        if let Some(&t) = self.tokens.iter().find(|&&t| t == 0 || t > MAX_T) {
            return Err(format!("each T must be 1 to {MAX_T} (got {t})"));
        }
        Ok(())
    }

    fn world_spec(&self, t: u32, strategy: Strategy) -> WorldSpec {
        WorldSpec {
            seed: self.seed,
            nodes: (0..self.nodes).map(|i| NodeSpec::named(&format!("N{i}"))).collect(),
            tokens_per_node: t,
            // One leaf per tree: this lab never compares replicas.
            config: Config { n: self.n, strategy, merkle_depth: 1, ..Config::default() },
            record_trace: false,
            ..WorldSpec::default()
        }
    }
}

/// One strategy at one T.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    pub strategy: u8,
    pub t: u32,
    pub q: Option<u32>,
    pub efficiency: f64,
    pub membership_entries: u64,
    pub membership_bytes: u64,
}

/// What one more node joining moves, under one strategy (at the sweep's middle T).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JoinCost {
    pub strategy: u8,
    pub t: u32,
    /// Share of the sample keys whose N replicas change.
    pub keys_moved: f64,
    /// Tokens the newcomer took: ranges split (strategies 1, 2) or whole partitions (3).
    pub tokens_taken: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitioningReport {
    pub nodes: usize,
    pub n: usize,
    pub keys: u32,
    pub points: Vec<SweepPoint>,
    pub joins: Vec<JoinCost>,
}

/// The sweep under way: one value of T per slice.
pub struct PartitioningLab {
    spec: PartitioningSpec,
    keys: Vec<Position>,
    done: usize,
    points: Vec<SweepPoint>,
    joins: Vec<JoinCost>,
}

impl PartitioningLab {
    pub fn new(spec: PartitioningSpec) -> Result<PartitioningLab, String> {
        spec.validate()?;
        Ok(PartitioningLab {
            keys: sample_keys(spec.keys),
            spec,
            done: 0,
            points: Vec::new(),
            joins: Vec::new(),
        })
    }

    /// Slices done, and in all (a slice per T, then one for the joins).
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.spec.tokens.len() + 1)
    }

    pub fn is_done(&self) -> bool {
        self.done > self.spec.tokens.len()
    }

    /// Runs up to `count` more slices.
    pub fn run(&mut self, count: usize) -> Result<(), String> {
        for _ in 0..count {
            if self.is_done() {
                break;
            }
            match self.spec.tokens.get(self.done) {
                Some(&t) => self.sweep(t)?,
                None => self.join_costs()?,
            }
            self.done += 1;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<PartitioningReport, String> {
        self.run(usize::MAX)?;
        Ok(self.report())
    }

    pub fn report(&self) -> PartitioningReport {
        PartitioningReport {
            nodes: self.spec.nodes,
            n: self.spec.n,
            keys: self.spec.keys,
            points: self.points.clone(),
            joins: self.joins.clone(),
        }
    }

    fn sweep(&mut self, t: u32) -> Result<(), String> {
        let spec = self.spec.world_spec(t, Strategy::RandomTokens);
        let compared: [Compared; 3] = compare_with(&spec, self.spec.keys, None)?;
        for c in compared {
            self.points.push(SweepPoint {
                strategy: c.strategy.number(),
                t,
                q: c.strategy.partitions(),
                efficiency: c.load.efficiency,
                membership_entries: c.membership,
                membership_bytes: c.membership * TOKEN_ENTRY_BYTES,
            });
        }
        Ok(())
    }

    /// One node joins each strategy's cluster (at the middle T of the sweep): which keys'
    /// replica sets change.
    fn join_costs(&mut self) -> Result<(), String> {
        let t = self.spec.tokens[self.spec.tokens.len() / 2];
        let q = t * self.spec.nodes as u32;
        for strategy in [
            Strategy::RandomTokens,
            Strategy::RandomTokensEqualPartitions { q },
            Strategy::EqualPartitions { q },
        ] {
            let mut world = World::new(self.spec.world_spec(t, strategy))?;
            let before = world.ring().clone();
            let joined = world.join("new", None, 1.0, None)?;
            let after = world.ring().clone();
            let moved = self
                .keys
                .iter()
                .filter(|&&k| replicas_change(&before, &after, strategy, k, self.spec.n))
                .count();
            self.joins.push(JoinCost {
                strategy: strategy.number(),
                t,
                keys_moved: moved as f64 / self.keys.len() as f64,
                tokens_taken: after.tokens_of(joined).len(),
            });
        }
        Ok(())
    }
}

fn replicas_change(
    before: &Ring,
    after: &Ring,
    strategy: Strategy,
    key: Position,
    n: usize,
) -> bool {
    let start = strategy.walk_start(key);
    let mut a = before.preference_list(start, n).to_vec();
    let mut b = after.preference_list(start, n).to_vec();
    a.sort_unstable();
    b.sort_unstable();
    a != b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategy_3_beats_strategy_1_at_equal_membership_size_as_in_figure_8() {
        let spec = PartitioningSpec { keys: 20_000, tokens: vec![2, 8, 32], ..Default::default() };
        let report = PartitioningLab::new(spec).unwrap().finish().unwrap();
        for t in [2, 8, 32] {
            let at = |s: u8| report.points.iter().find(|p| p.t == t && p.strategy == s).unwrap();
            assert_eq!(at(1).membership_entries, at(3).membership_entries, "equal sizes");
            assert!(at(3).efficiency > at(1).efficiency, "T = {t}: {:?}", report.points);
        }
        // More tokens balance strategy 1 better, at the cost of a bigger membership map.
        let one = |t: u32| report.points.iter().find(|p| p.t == t && p.strategy == 1).unwrap();
        assert!(one(32).efficiency > one(2).efficiency);
        assert_eq!(one(32).membership_entries, 30 * 32);
    }

    #[test]
    fn a_join_moves_about_n_over_s_plus_one_of_the_keys_and_strategy_3_takes_partitions() {
        let spec = PartitioningSpec { keys: 20_000, tokens: vec![8], ..Default::default() };
        let report = PartitioningLab::new(spec).unwrap().finish().unwrap();
        assert_eq!(report.joins.len(), 3);
        for j in &report.joins {
            // Each key has N of S + 1 replicas; the newcomer takes about N/(S+1) of them.
            let expected = 3.0 / 31.0;
            assert!(j.keys_moved > expected / 3.0 && j.keys_moved < expected * 3.0, "{j:?}");
            assert!(j.tokens_taken >= 1);
        }
        let three = report.joins.iter().find(|j| j.strategy == 3).unwrap();
        assert_eq!(three.tokens_taken, ((30.0f64 * 8.0) / 31.0).round() as usize);
    }

    #[test]
    fn the_sweep_runs_in_slices_to_the_same_numbers() {
        let spec = PartitioningSpec { keys: 2_000, tokens: vec![1, 4], ..Default::default() };
        let whole = PartitioningLab::new(spec.clone()).unwrap().finish().unwrap();
        let mut sliced = PartitioningLab::new(spec).unwrap();
        while !sliced.is_done() {
            sliced.run(1).unwrap();
        }
        assert_eq!(sliced.report(), whole);
        assert_eq!(sliced.progress(), (3, 3));
    }

    #[test]
    fn bad_sweeps_are_refused() {
        let bad = |s: PartitioningSpec| PartitioningLab::new(s).err().unwrap();
        assert!(bad(PartitioningSpec { nodes: 1, ..Default::default() }).contains("nodes"));
        assert!(bad(PartitioningSpec { tokens: vec![], ..Default::default() }).contains("T"));
        assert!(bad(PartitioningSpec { tokens: vec![0], ..Default::default() }).contains("T"));
        assert!(bad(PartitioningSpec { keys: 0, ..Default::default() }).contains("keys"));
    }
}
