//! The consistency lab (§4.5; Bailis et al., "Probabilistically Bounded Staleness", VLDB
//! 2012): how often does a read started t ms after a write was acknowledged return that
//! write (or a descendant)? Measured on the simulator, trial by trial, judged from what
//! the clients saw; and predicted twice without it:
//!
//! - the closed form for t = 0 when only W replicas have the write: the read quorum misses
//!   every one of them with probability C(N−W, R) / C(N, R);
//! - the PBS "WARS" model: per replica a write delay W, an acknowledgement A, a read
//!   request R and a response S, all drawn from the latency model; the write commits at
//!   the W-th fastest W + A; a replica the read reaches after its W delay has the write;
//!   the read takes the R fastest responses.
//!
//! Where they differ, the simulator is the protocol and the model a simplification: the
//! coordinator of a put is a replica and writes its own copy at once (no W delay), a get
//! coordinated by a replica counts its own copy at once, and a put reaching a node outside
//! the key's top N is forwarded first. Both models ignore failures and sloppy quorums.

use super::{percentile, wilson95};
use crate::core::accel::compact_sort;
use crate::core::clock::VectorClock;
use crate::core::config::Config;
use crate::core::message::{ClientReply, OpId};
use crate::core::{NodeId, Time, MS};
use crate::sim::network::Latency;
use crate::sim::World;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Most trials a consistency lab runs.
pub const MAX_TRIALS: u32 = 100_000;
/// Most points on its time grid.
pub const MAX_POINTS: u32 = 200;
/// Most nodes in its cluster.
pub const MAX_NODES: usize = 16;
/// Latest read start after the acknowledgement, in ms.
pub const MAX_T_MS: f64 = 10_000.0;

/// What the lab measures, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsistencySpec {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    /// Nodes in the cluster (at least N; the others can stand in under a sloppy quorum).
    pub nodes: usize,
    pub latency: Latency,
    pub trials: u32,
    /// Points on the time grid, from t = 0 to `t_max_ms`.
    pub points: u32,
    /// The last point (default: four mean latencies).
    pub t_max_ms: Option<f64>,
    pub seed: u64,
    /// Sloppy quorum and hinted handoff on (§4.6); off, a quorum is strict.
    pub sloppy_quorum: bool,
    /// The chance that each node is down for a trial (0: no faults).
    pub failure_rate: f64,
}

impl Default for ConsistencySpec {
    fn default() -> Self {
        ConsistencySpec {
            n: 3,
            r: 1,
            w: 1,
            nodes: 5,
            latency: Latency::Exponential { mean: 5.0 },
            trials: 1_000,
            points: 20,
            t_max_ms: None,
            seed: 1,
            sloppy_quorum: false,
            failure_rate: 0.0,
        }
    }
}

impl ConsistencySpec {
    /// Checks every field against its limit before any work starts.
    pub fn validate(&self) -> Result<(), String> {
        super::check_cluster(self.nodes, MAX_NODES, (self.n, self.r, self.w))?;
        if !(1..=MAX_TRIALS).contains(&self.trials) {
            return Err(format!("trials must be 1 to {MAX_TRIALS} (got {})", self.trials));
        }
        if !(2..=MAX_POINTS).contains(&self.points) {
            return Err(format!("points must be 2 to {MAX_POINTS} (got {})", self.points));
        }
        self.latency.validate()?;
        self.latency.check_at_most(1_000.0)?;
        let t_max = self.t_max();
        if !(t_max.is_finite() && t_max > 0.0 && t_max <= MAX_T_MS) {
            return Err(format!("t_max must be more than 0 and at most {MAX_T_MS} ms"));
        }
        if !(0.0..1.0).contains(&self.failure_rate) {
            return Err(format!("failure_rate must be 0 to below 1 (got {})", self.failure_rate));
        }
        Ok(())
    }

    /// The last point of the grid, in ms.
    pub fn t_max(&self) -> f64 {
        self.t_max_ms.unwrap_or(4.0 * mean_ms(self.latency).max(0.25))
    }

    /// The grid: `points` read starts from 0 to `t_max`, in virtual time.
    pub fn grid(&self) -> Vec<Time> {
        let step = self.t_max() / f64::from(self.points - 1);
        (0..self.points).map(|k| (f64::from(k) * step * MS as f64).round() as Time).collect()
    }

    fn world(&self) -> Result<World, String> {
        let config = Config {
            n: self.n,
            r: self.r,
            w: self.w,
            sloppy_quorum: self.sloppy_quorum,
            hinted_handoff: self.sloppy_quorum,
            // A read must not change what the next read sees.
            read_repair: false,
            ..Config::default()
        };
        super::cluster(self.seed, self.nodes, config, self.latency)
    }
}

/// A latency model's mean, in ms.
pub fn mean_ms(latency: Latency) -> f64 {
    match latency {
        Latency::Fixed { ms } => ms,
        Latency::Uniform { min, max } => (min + max) / 2.0,
        Latency::Exponential { mean } => mean,
    }
}

/// C(N−W, R) / C(N, R): a read quorum of R replicas picked at random misses every one of
/// the W that acknowledged the write.
pub fn closed_form_stale(n: usize, r: usize, w: usize) -> f64 {
    if r + w > n {
        return 0.0;
    }
    // C(n−w, r)/C(n, r) = Π_{i<r} (n−w−i)/(n−i)
    (0..r).map(|i| (n - w - i) as f64 / (n - i) as f64).product()
}

/// One point of the curve.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub t_ms: f64,
    /// Reads that returned the write (or a descendant), over reads answered.
    pub p_consistent: f64,
    pub ci95: [f64; 2],
    pub wars_p_consistent: f64,
    pub reads: u64,
}

/// Client latency percentiles, in ms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
    pub p999: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencyReport {
    pub read: Percentiles,
    pub write: Percentiles,
}

/// What the lab found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsistencyReport {
    pub closed_form_stale: f64,
    pub points: Vec<Point>,
    pub latency_ms: LatencyReport,
    pub trials: u32,
    /// Writes not acknowledged (a strict quorum with too many nodes down): no reads follow.
    pub writes_failed: u64,
    pub reads_failed: u64,
}

/// A consistency lab under way: trials run a slice at a time.
pub struct ConsistencyLab {
    spec: ConsistencySpec,
    world: World,
    rng: ChaCha8Rng,
    grid: Vec<Time>,
    done: u32,
    fresh: Vec<u64>,
    answered: Vec<u64>,
    writes_failed: u64,
    reads_failed: u64,
    read_ms: Vec<f64>,
    write_ms: Vec<f64>,
    /// The WARS model's curve, worked out once.
    wars: Vec<f64>,
}

impl ConsistencyLab {
    pub fn new(spec: ConsistencySpec) -> Result<ConsistencyLab, String> {
        spec.validate()?;
        let world = spec.world()?;
        let grid = spec.grid();
        let points = grid.len();
        let wars = wars(&spec, &grid);
        Ok(ConsistencyLab {
            wars,
            rng: ChaCha8Rng::seed_from_u64(spec.seed ^ 0x1ab5),
            world,
            grid,
            done: 0,
            fresh: vec![0; points],
            answered: vec![0; points],
            writes_failed: 0,
            reads_failed: 0,
            read_ms: Vec::new(),
            write_ms: Vec::new(),
            spec,
        })
    }

    /// Trials run so far, and in all.
    pub fn progress(&self) -> (u32, u32) {
        (self.done, self.spec.trials)
    }

    pub fn is_done(&self) -> bool {
        self.done >= self.spec.trials
    }

    /// Runs up to `count` more trials.
    pub fn run(&mut self, count: u32) {
        for _ in 0..count {
            if self.is_done() {
                return;
            }
            self.trial();
            self.done += 1;
        }
    }

    /// Runs every trial left, and reports.
    pub fn finish(mut self) -> ConsistencyReport {
        self.run(u32::MAX);
        self.report()
    }

    /// One trial: a write of a fresh key, then a read at every point of the grid after the
    /// write's acknowledgement (reads change nothing: read repair is off).
    fn trial(&mut self) {
        let key = format!("lab-{}", self.done);
        let down = self.fail_some();
        let via = self.random_live();
        let put = self.world.put("writer", key.as_str(), "v", via, VectorClock::default());
        let written = match self.wait_for(put) {
            Some(ClientReply::Put { version, .. }) => version.clock.clone(),
            _ => {
                self.writes_failed += 1;
                self.recover(&down);
                return;
            }
        };
        self.write_ms.push(self.latency_of(put));
        let acked = self.world.now();
        let mut reads = Vec::with_capacity(self.grid.len());
        for k in 0..self.grid.len() {
            self.world.run_until(acked + self.grid[k]);
            let via = self.random_live();
            reads.push(self.world.get("reader", key.as_str(), via));
        }
        for (k, &read) in reads.iter().enumerate() {
            match self.wait_for(read) {
                Some(ClientReply::Got { versions, .. }) => {
                    self.answered[k] += 1;
                    if versions.iter().any(|v| v.clock.descends(&written)) {
                        self.fresh[k] += 1;
                    }
                    self.read_ms.push(self.latency_of(read));
                }
                _ => self.reads_failed += 1,
            }
        }
        self.recover(&down);
    }

    /// Each node down for this trial with the failure rate's chance (one stays up).
    fn fail_some(&mut self) -> Vec<NodeId> {
        let rate = self.spec.failure_rate;
        if rate == 0.0 {
            return Vec::new();
        }
        let ids: Vec<NodeId> = self.world.node_ids().collect();
        let mut down: Vec<NodeId> =
            ids.iter().copied().filter(|_| self.rng.random::<f64>() < rate).collect();
        if down.len() == ids.len() {
            down.pop();
        }
        for &n in &down {
            self.world.crash(n);
        }
        down
    }

    fn recover(&mut self, down: &[NodeId]) {
        for &n in down {
            self.world.recover(n);
        }
    }

    fn random_live(&mut self) -> NodeId {
        let live = self.world.live_count();
        let i = self.rng.random_range(0..live);
        self.world.live_node(i).expect("a node is up")
    }

    /// Runs until the operation is answered (the client gives up in bounded time).
    fn wait_for(&mut self, op: OpId) -> Option<ClientReply> {
        loop {
            if let Some(reply) = self.world.op(op).and_then(|r| r.outcome.as_deref()) {
                return Some(reply.clone());
            }
            if !self.world.step() {
                return None;
            }
        }
    }

    fn latency_of(&self, op: OpId) -> f64 {
        let record = self.world.op(op).expect("answered");
        let finished = record.finished.unwrap_or(record.started);
        (finished - record.started) as f64 / MS as f64
    }

    /// The curve so far, beside the two models.
    pub fn report(&self) -> ConsistencyReport {
        let s = &self.spec;
        let points = (0..self.grid.len())
            .map(|k| {
                let (fresh, reads) = (self.fresh[k], self.answered[k]);
                let (lo, hi) = wilson95(fresh, reads);
                Point {
                    t_ms: self.grid[k] as f64 / MS as f64,
                    p_consistent: if reads == 0 { 0.0 } else { fresh as f64 / reads as f64 },
                    ci95: [lo, hi],
                    wars_p_consistent: self.wars[k],
                    reads,
                }
            })
            .collect();
        let percentiles = |values: &[f64]| {
            let mut v = values.to_vec();
            Percentiles {
                p50: percentile(&mut v, 0.5),
                p99: percentile(&mut v, 0.99),
                p999: percentile(&mut v, 0.999),
            }
        };
        ConsistencyReport {
            closed_form_stale: closed_form_stale(s.n, s.r, s.w),
            points,
            latency_ms: LatencyReport {
                read: percentiles(&self.read_ms),
                write: percentiles(&self.write_ms),
            },
            trials: self.done,
            writes_failed: self.writes_failed,
            reads_failed: self.reads_failed,
        }
    }
}

/// Draws of the WARS Monte Carlo: its standard error stays under 0.25% (the simulator's
/// intervals are far wider), whatever the number of trials.
pub const WARS_DRAWS: u32 = 40_000;

/// The WARS model's chance of a consistent read at each point of `grid`, by Monte Carlo
/// over [`WARS_DRAWS`] draws (its own seeded generator; no simulator).
pub fn wars(spec: &ConsistencySpec, grid: &[Time]) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x3a25);
    let (n, r, w) = (spec.n, spec.r, spec.w);
    let mut fresh = vec![0u64; grid.len()];
    let mut draw = || spec.latency.sample(&mut rng);
    for _ in 0..WARS_DRAWS {
        let writes: Vec<Time> = (0..n).map(|_| draw()).collect();
        let mut acks: Vec<Time> = writes.iter().map(|&d| d + draw()).collect();
        compact_sort::sort_unstable(&mut acks);
        let commit = acks[w - 1];
        let requests: Vec<Time> = (0..n).map(|_| draw()).collect();
        let responses: Vec<Time> = (0..n).map(|_| draw()).collect();
        // The R replicas whose answers come back first.
        let mut order: Vec<usize> = (0..n).collect();
        compact_sort::sort_unstable_by_key(&mut order, |&i| (requests[i] + responses[i], i));
        for (k, &t) in grid.iter().enumerate() {
            let has = |i: usize| writes[i] <= commit + t + requests[i];
            if order[..r].iter().any(|&i| has(i)) {
                fresh[k] += 1;
            }
        }
    }
    fresh.iter().map(|&f| f as f64 / f64::from(WARS_DRAWS)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(n: usize, r: usize, w: usize, latency: Latency, trials: u32) -> ConsistencyReport {
        let spec = ConsistencySpec { n, r, w, latency, trials, ..ConsistencySpec::default() };
        ConsistencyLab::new(spec).unwrap().finish()
    }

    #[test]
    fn the_closed_form_is_the_chance_a_read_quorum_misses_the_write_quorum() {
        assert!((closed_form_stale(3, 1, 1) - 2.0 / 3.0).abs() < 1e-12);
        assert!((closed_form_stale(5, 2, 1) - 0.6).abs() < 1e-12, "C(4,2)/C(5,2) = 6/10");
        assert_eq!(closed_form_stale(3, 2, 2), 0.0);
        assert_eq!(closed_form_stale(1, 1, 1), 0.0);
    }

    #[test]
    fn overlapping_quorums_without_faults_are_never_stale() {
        let exponential = Latency::Exponential { mean: 5.0 };
        for (n, r, w) in [(3, 2, 2), (3, 1, 3), (3, 3, 1), (1, 1, 1)] {
            let report = lab(n, r, w, exponential, 200);
            assert_eq!(report.writes_failed + report.reads_failed, 0);
            for p in &report.points {
                assert_eq!(p.p_consistent, 1.0, "({n},{r},{w}) at {} ms", p.t_ms);
                assert_eq!(p.wars_p_consistent, 1.0, "the model agrees: ({n},{r},{w})");
            }
        }
    }

    #[test]
    fn r1_w1_is_sometimes_stale_at_first_below_the_closed_form_and_then_fresh() {
        let report = lab(3, 1, 1, Latency::Exponential { mean: 5.0 }, 1_000);
        let first = &report.points[0];
        let stale = 1.0 - first.p_consistent;
        assert!(stale > 0.05, "some reads right after the ack miss the write: {stale}");
        assert!(stale <= report.closed_form_stale + 1e-9, "{stale} > the closed form");
        let last = report.points.last().unwrap();
        assert!(last.p_consistent > first.p_consistent);
        assert!(last.p_consistent > 0.97, "{last:?}");
        assert!(report.points.iter().all(|p| p.reads == 1_000));
    }

    #[test]
    fn with_fixed_latency_the_simulator_and_the_model_agree_once_a_message_can_arrive() {
        // Fixed 2 ms: a read started 2 ms or more after the acknowledgement finds every
        // replica written, in both. Before that the simulator can be staler than the model:
        // a replica coordinating a read answers from its own copy at once, before the
        // write's message reaches it (the model's read request always takes its 2 ms).
        let report = lab(3, 1, 1, Latency::Fixed { ms: 2.0 }, 300);
        for p in report.points.iter().filter(|p| p.t_ms >= 2.0) {
            assert!(p.ci95[0] <= p.wars_p_consistent && p.wars_p_consistent <= p.ci95[1]);
            assert_eq!((p.p_consistent, p.wars_p_consistent), (1.0, 1.0), "{p:?}");
        }
        let first = &report.points[0];
        assert_eq!(first.wars_p_consistent, 1.0);
        assert!(first.p_consistent < 1.0, "a replica's local read at t = 0: {first:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers_in_slices_or_at_once() {
        let spec = ConsistencySpec { trials: 120, ..ConsistencySpec::default() };
        let whole = ConsistencyLab::new(spec.clone()).unwrap().finish();
        let mut sliced = ConsistencyLab::new(spec).unwrap();
        while !sliced.is_done() {
            sliced.run(7);
        }
        assert_eq!(sliced.report(), whole);
    }

    #[test]
    fn a_sloppy_quorum_with_failures_can_read_stale_even_when_r_plus_w_exceeds_n() {
        let spec = ConsistencySpec {
            n: 3,
            r: 2,
            w: 2,
            sloppy_quorum: true,
            failure_rate: 0.3,
            trials: 400,
            ..ConsistencySpec::default()
        };
        let report = ConsistencyLab::new(spec).unwrap().finish();
        let stale = report.points.iter().map(|p| 1.0 - p.p_consistent).fold(0.0, f64::max);
        assert!(stale > 0.0, "{report:?}");
    }

    #[test]
    fn bad_specs_are_refused_before_any_work() {
        let bad = |f: fn(&mut ConsistencySpec)| {
            let mut s = ConsistencySpec::default();
            f(&mut s);
            ConsistencyLab::new(s).err().expect("refused")
        };
        assert!(bad(|s| s.r = 4).contains("R and W"));
        assert!(bad(|s| s.n = 6).contains("N must be"));
        assert!(bad(|s| s.trials = 0).contains("trials"));
        assert!(bad(|s| s.points = 1).contains("points"));
        assert!(bad(|s| s.failure_rate = 1.0).contains("failure_rate"));
        assert!(bad(|s| s.t_max_ms = Some(-1.0)).contains("t_max"));
    }
}
