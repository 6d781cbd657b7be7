//! Side by side: two runs with the same seed, the same nodes, the same client load and the
//! same failures, but different settings — (N, R, W), a sloppy quorum or not (§4.6), a
//! partitioning strategy (§6.2) — advanced in lockstep, with what each did compared:
//! availability, stale reads, siblings, latency percentiles, hints, Merkle bytes.
//!
//! A read is *stale* when it returned no version equal to or descending from the latest
//! write of its key acknowledged before the read began (judged from what the clients got
//! back, as the consistency lab does).

use super::percentile;
use crate::core::clock::VectorClock;
use crate::core::config::Config;
use crate::core::message::ClientReply;
use crate::core::partition::Strategy;
use crate::core::{NodeId, Time, MS};
use crate::sim::network::Latency;
use crate::sim::workload::{drive, Workload, WorkloadSpec};
use crate::sim::World;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Most virtual seconds a comparison runs.
pub const MAX_SECONDS: u32 = 60;

/// Virtual time each slice advances both runs.
pub const SLICE: Time = 100 * MS;

/// How often nodes go down or come back, each with the failure rate.
pub const FAILURE_PERIOD: Time = 500 * MS;

/// One side's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Side {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub sloppy_quorum: bool,
    /// §6.2's strategy: 1 (random tokens), 2 or 3 (Q = 8 × the nodes equal partitions).
    pub strategy: u8,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompareSpec {
    pub a: Side,
    pub b: Side,
    pub nodes: usize,
    /// Each node's chance of being down in each half second.
    pub failure_rate: f64,
    pub seconds: u32,
    pub seed: u64,
}

impl Default for CompareSpec {
    /// The paper's (3, 2, 2) with and without a sloppy quorum, nodes failing (§4.6).
    fn default() -> Self {
        let side = Side { n: 3, r: 2, w: 2, sloppy_quorum: true, strategy: 1 };
        CompareSpec {
            a: side,
            b: Side { sloppy_quorum: false, ..side },
            nodes: 8,
            failure_rate: 0.1,
            seconds: 5,
            seed: 1,
        }
    }
}

impl CompareSpec {
    pub fn validate(&self) -> Result<(), String> {
        for (name, s) in [("A", self.a), ("B", self.b)] {
            super::check_cluster(self.nodes, 64, (s.n, s.r, s.w))
                .map_err(|e| format!("run {name}: {e}"))?;
            if !(1..=3).contains(&s.strategy) {
                return Err(format!("run {name}: the strategy is 1, 2 or 3"));
            }
        }
        if !(0.0..=0.9).contains(&self.failure_rate) {
            return Err("the failure rate must be from 0 to 90%".into());
        }
        if !(1..=MAX_SECONDS).contains(&self.seconds) {
            return Err(format!("seconds must be 1 to {MAX_SECONDS}"));
        }
        Ok(())
    }

    fn world(&self, side: Side) -> Result<World, String> {
        let q = 8 * self.nodes as u32;
        let config = Config {
            n: side.n,
            r: side.r,
            w: side.w,
            sloppy_quorum: side.sloppy_quorum,
            strategy: match side.strategy {
                1 => Strategy::RandomTokens,
                2 => Strategy::RandomTokensEqualPartitions { q },
                _ => Strategy::EqualPartitions { q },
            },
            anti_entropy_interval: Some(1_000 * MS),
            ..Config::default()
        };
        super::cluster(self.seed, self.nodes, config, Latency::Exponential { mean: 2.0 })
    }
}

/// What one run did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideReport {
    pub gets: u64,
    pub puts: u64,
    /// Shares of gets and puts that succeeded.
    pub get_availability: f64,
    pub put_availability: f64,
    /// Reads that missed the latest write acknowledged before they began, of `judged`.
    pub stale_reads: u64,
    pub judged_reads: u64,
    pub gets_with_siblings: u64,
    /// Client latency percentiles, ms: [50th, 99th, 99.9th].
    pub get_ms: [f64; 3],
    pub put_ms: [f64; 3],
    pub hints_stored: u64,
    pub merkle_bytes: u64,
}

/// The two runs under way, a slice of virtual time at a time.
pub struct CompareLab {
    spec: CompareSpec,
    worlds: [World; 2],
    loads: [Workload; 2],
    failures: ChaCha8Rng,
    now: Time,
}

impl CompareLab {
    pub fn new(spec: CompareSpec) -> Result<CompareLab, String> {
        spec.validate()?;
        let worlds = [spec.world(spec.a)?, spec.world(spec.b)?];
        let load =
            WorkloadSpec { seed: spec.seed, keys: 200, clients: 16, put_ratio: 0.5, interval: MS };
        Ok(CompareLab {
            loads: [Workload::new(load.clone(), 0), Workload::new(load, 0)],
            worlds,
            failures: ChaCha8Rng::seed_from_u64(spec.seed ^ 0xfa11),
            now: 0,
            spec,
        })
    }

    fn end(&self) -> Time {
        Time::from(self.spec.seconds) * 1_000 * MS
    }

    /// Advances both runs by up to `slices` slices (the same failures in both).
    pub fn run(&mut self, slices: u32) {
        for _ in 0..slices {
            if self.is_done() {
                return;
            }
            if self.now.is_multiple_of(FAILURE_PERIOD) {
                let down: Vec<bool> = (0..self.spec.nodes)
                    .map(|_| self.failures.random_bool(self.spec.failure_rate))
                    .collect();
                for world in &mut self.worlds {
                    for (i, &down) in down.iter().enumerate() {
                        let node = NodeId(i as u32);
                        if down {
                            world.crash(node)
                        } else {
                            world.recover(node)
                        }
                    }
                }
            }
            self.now = (self.now + SLICE).min(self.end());
            for (world, load) in self.worlds.iter_mut().zip(&mut self.loads) {
                while !drive(world, Some(load), self.now, 100_000) {}
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.now >= self.end()
    }

    pub fn spec(&self) -> &CompareSpec {
        &self.spec
    }

    /// Virtual ms run, of all.
    pub fn progress(&self) -> (u64, u64) {
        (self.now / MS, self.end() / MS)
    }

    /// What each run did so far: [A, B].
    pub fn report(&self) -> [SideReport; 2] {
        [side_report(&self.worlds[0]), side_report(&self.worlds[1])]
    }
}

fn side_report(world: &World) -> SideReport {
    let m = world.metrics();
    let ms = |h: &crate::sim::history::History<Time>| {
        let mut v: Vec<f64> = (h.first_index()..h.len())
            .filter_map(|i| h.get(i))
            .map(|&t| t as f64 / MS as f64)
            .collect();
        [percentile(&mut v, 0.5), percentile(&mut v, 0.99), percentile(&mut v, 0.999)]
    };
    let share = |ok: u64, failed: u64| {
        if ok + failed == 0 {
            1.0
        } else {
            ok as f64 / (ok + failed) as f64
        }
    };
    let (stale_reads, judged_reads) = stale_reads(world);
    SideReport {
        gets: m.gets_ok + m.gets_failed,
        puts: m.puts_ok + m.puts_failed,
        get_availability: share(m.gets_ok, m.gets_failed),
        put_availability: share(m.puts_ok, m.puts_failed),
        stale_reads,
        judged_reads,
        gets_with_siblings: m.gets_with_siblings,
        get_ms: ms(&m.get_latencies),
        put_ms: ms(&m.put_latencies),
        hints_stored: m.hints_stored,
        merkle_bytes: m.merkle_bytes_sent,
    }
}

/// (stale, judged): each answered get with an acknowledged write of its key before it began,
/// and whether it missed the latest such write.
fn stale_reads(world: &World) -> (u64, u64) {
    let ops = world.ops();
    // Per key, the latest acknowledged write so far: (acknowledged at, its clock). Writes
    // and reads in order of their events: a write counts for reads that began after it.
    let mut events: Vec<(Time, bool, usize)> = Vec::new();
    for i in ops.first_index()..ops.len() {
        let Some(op) = ops.get(i) else { continue };
        match (op.outcome.as_deref(), op.finished) {
            (Some(ClientReply::Put { .. }), Some(done)) => events.push((done, true, i)),
            (Some(ClientReply::Got { .. }), _) => events.push((op.started, false, i)),
            _ => {}
        }
    }
    // A write acknowledged at the very moment a read begins counts as before it.
    crate::core::accel::compact_sort::sort_by(&mut events, |a, b| (a.0, !a.1).cmp(&(b.0, !b.1)));
    // (A sorted list, not a map: one more map type costs the page's download kilobytes.)
    let mut latest: Vec<(&str, &VectorClock)> = Vec::new();
    let (mut stale, mut judged) = (0, 0);
    for (_, is_write, i) in events {
        let op = ops.get(i).expect("listed above");
        match op.outcome.as_deref() {
            Some(ClientReply::Put { version, .. }) if is_write => {
                let key = op.key.as_str();
                match latest.binary_search_by(|(k, _)| k.cmp(&key)) {
                    Ok(at) => latest[at].1 = &version.clock,
                    Err(at) => latest.insert(at, (key, &version.clock)),
                }
            }
            Some(ClientReply::Got { versions, .. }) => {
                let key = op.key.as_str();
                let found = latest.binary_search_by(|(k, _)| k.cmp(&key)).ok();
                if let Some((_, written)) = found.map(|at| latest[at]) {
                    judged += 1;
                    stale += u64::from(!versions.iter().any(|v| v.clock.descends(written)));
                }
            }
            _ => {}
        }
    }
    (stale, judged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_settings_side_by_side_do_the_same() {
        let side = Side { n: 3, r: 2, w: 2, sloppy_quorum: true, strategy: 1 };
        let spec = CompareSpec { a: side, b: side, seconds: 2, ..CompareSpec::default() };
        let mut lab = CompareLab::new(spec).unwrap();
        while !lab.is_done() {
            lab.run(3);
        }
        let [a, b] = lab.report();
        assert_eq!(a, b);
        assert!(a.gets > 500 && a.judged_reads > 100, "{a:?}");
    }

    #[test]
    fn a_sloppy_quorum_is_more_available_and_a_strict_one_never_stale() {
        let mut lab = CompareLab::new(CompareSpec::default()).unwrap();
        while !lab.is_done() {
            lab.run(10);
        }
        assert_eq!(lab.progress(), (5_000, 5_000));
        let [sloppy, strict] = lab.report();
        assert!(sloppy.put_availability > strict.put_availability, "{sloppy:?} {strict:?}");
        assert!(sloppy.hints_stored > 0 && strict.hints_stored == 0);
        // R + W > N with a strict quorum: every read meets every acknowledged write (§4.5).
        assert_eq!(strict.stale_reads, 0, "{strict:?}");
    }

    #[test]
    fn r1_w1_reads_stale_and_bad_specs_are_refused() {
        let one = Side { n: 3, r: 1, w: 1, sloppy_quorum: false, strategy: 3 };
        let spec = CompareSpec { b: one, failure_rate: 0.0, seconds: 2, ..CompareSpec::default() };
        let mut lab = CompareLab::new(spec).unwrap();
        lab.run(100);
        let [strong, weak] = lab.report();
        assert_eq!(strong.stale_reads, 0);
        assert!(weak.stale_reads > 0, "{weak:?}");
        let bad = CompareSpec { seconds: 0, ..CompareSpec::default() };
        assert!(CompareLab::new(bad).is_err());
        let bad = CompareSpec { a: Side { r: 4, ..one }, ..CompareSpec::default() };
        assert!(CompareLab::new(bad).err().unwrap().starts_with("run A"));
    }
}
