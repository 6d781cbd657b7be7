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

use crate::core::accel::compact_sort;
use crate::core::config::Config;
use crate::core::partition::{
    add_load, empty_load, load_report, membership_entries, Strategy, TOKEN_ENTRY_BYTES,
};
use crate::core::ring::{Position, Ring};
use crate::sim::strategies::{placements, sample_keys};
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

/// Sample keys handled per slice: a slice stays a few milliseconds in the page.
pub const KEYS_PER_SLICE: usize = 4_000;

/// The sweep under way, a chunk of keys at a time: for each T, each strategy's load over
/// the keys; then, for each strategy, which keys one more node moves.
pub struct PartitioningLab {
    spec: PartitioningSpec,
    keys: Vec<Position>,
    /// Work done: T by T (three strategies each), then the three joins; a step is one chunk.
    step: usize,
    /// The rings being measured (for the T or the join under way) and the counts so far.
    rings: Option<Vec<(Strategy, Ring, Ring)>>,
    load: Vec<u64>,
    moved: usize,
    points: Vec<SweepPoint>,
    joins: Vec<JoinCost>,
}

impl PartitioningLab {
    pub fn new(spec: PartitioningSpec) -> Result<PartitioningLab, String> {
        spec.validate()?;
        Ok(PartitioningLab {
            keys: sample_keys(spec.keys),
            spec,
            step: 0,
            rings: None,
            load: Vec::new(),
            moved: 0,
            points: Vec::new(),
            joins: Vec::new(),
        })
    }

    fn chunks(&self) -> usize {
        self.keys.len().div_ceil(KEYS_PER_SLICE)
    }

    /// Slices done, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.step, (self.spec.tokens.len() * 3 + 3) * self.chunks())
    }

    pub fn is_done(&self) -> bool {
        let (done, all) = self.progress();
        done >= all
    }

    /// Runs up to `count` more slices.
    pub fn run(&mut self, count: usize) -> Result<(), String> {
        for _ in 0..count {
            if self.is_done() {
                break;
            }
            self.slice()?;
            self.step += 1;
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

    /// One chunk of keys for one strategy, at one T or after a join.
    fn slice(&mut self) -> Result<(), String> {
        let chunks = self.chunks();
        let (task, chunk) = (self.step / chunks, self.step % chunks);
        let sweeps = self.spec.tokens.len() * 3;
        let (t_index, strategy) =
            if task < sweeps { (task / 3, task % 3) } else { (0, task - sweeps) };
        if chunk == 0 && strategy == 0 {
            self.rings = Some(if task < sweeps {
                self.sweep_rings(self.spec.tokens[t_index])?
            } else {
                self.join_rings()?
            });
        }
        let (kind, before, after) =
            self.rings.as_ref().expect("set on the first chunk")[strategy].clone();
        let keys =
            &self.keys[chunk * KEYS_PER_SLICE..((chunk + 1) * KEYS_PER_SLICE).min(self.keys.len())];
        let n = self.spec.n;
        if chunk == 0 {
            self.load = empty_load(&before);
            self.moved = 0;
        }
        if task < sweeps {
            add_load(&before, kind, n, keys, &mut self.load);
        } else {
            self.moved +=
                keys.iter().filter(|&&k| replicas_change(&before, &after, kind, k, n)).count();
        }
        if chunk + 1 == chunks {
            self.finish_task(task < sweeps, t_index, kind, &before, &after);
        }
        Ok(())
    }

    fn finish_task(
        &mut self,
        sweep: bool,
        t_index: usize,
        kind: Strategy,
        before: &Ring,
        after: &Ring,
    ) {
        if sweep {
            let entries = membership_entries(before, kind);
            self.points.push(SweepPoint {
                strategy: kind.number(),
                t: self.spec.tokens[t_index],
                q: kind.partitions(),
                efficiency: load_report(before, &self.load).efficiency,
                membership_entries: entries,
                membership_bytes: entries * TOKEN_ENTRY_BYTES,
            });
        } else {
            let joined = after.nodes().into_iter().find(|n| !before.nodes().contains(n));
            self.joins.push(JoinCost {
                strategy: kind.number(),
                t: self.join_t(),
                keys_moved: self.moved as f64 / self.keys.len() as f64,
                tokens_taken: joined.map_or(0, |j| after.tokens_of(j).len()),
            });
        }
    }

    /// The three strategies' rings at `t` (before = after: nothing joins).
    fn sweep_rings(&self, t: u32) -> Result<Vec<(Strategy, Ring, Ring)>, String> {
        let placed = placements(&self.spec.world_spec(t, Strategy::RandomTokens), None)?;
        Ok(placed.into_iter().map(|(kind, ring)| (kind, ring.clone(), ring)).collect())
    }

    /// The joins are measured at the sweep's middle T.
    fn join_t(&self) -> u32 {
        self.spec.tokens[self.spec.tokens.len() / 2]
    }

    /// Each strategy's ring before and after one more node joins (`World::join`).
    fn join_rings(&self) -> Result<Vec<(Strategy, Ring, Ring)>, String> {
        let t = self.join_t();
        let q = t * self.spec.nodes as u32;
        let kinds = [
            Strategy::RandomTokens,
            Strategy::RandomTokensEqualPartitions { q },
            Strategy::EqualPartitions { q },
        ];
        kinds
            .into_iter()
            .map(|kind| {
                let mut world = World::new(self.spec.world_spec(t, kind))?;
                let before = world.ring().clone();
                world.join("new", None, 1.0, None)?;
                Ok((kind, before, world.ring().clone()))
            })
            .collect()
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
    compact_sort::sort_unstable(&mut a);
    compact_sort::sort_unstable(&mut b);
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
        assert_eq!(sliced.progress(), (9, 9), "(2 values of T × 3 strategies + 3 joins) × 1 chunk");
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
