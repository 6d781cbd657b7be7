//! The divergence lab (§6.3): how many versions do reads see? The paper counted, over 24
//! hours of the shopping cart service, 99.94% of requests seeing one version, 0.00057% two,
//! 0.00047% three and 0.00009% four, and found the divergent ones caused mostly by
//! concurrent writers (busy robots), rarely by failures.
//!
//! Here clients update carts as the cart service does — read the cart, reconcile what came
//! back (the union of the siblings' items), write it back with the read's context (§4.4)
//! — at random carts, while nodes go down at random. Each read's versions are counted, and
//! each divergent read is given a cause, judged from what the clients saw (the operations'
//! times and the clocks they got back): **a stale read** if one of its versions was written
//! by a client whose own read began after another of its versions had been acknowledged
//! (that read missed an acknowledged write: failures, a sloppy quorum); else **an
//! unacknowledged write** if one of its versions was never acknowledged to its client (its
//! put failed, or was still under way); else **concurrent writers** (every pair of updates
//! overlapped).

use super::wilson95;
use crate::core::accel::compact_sort;
use crate::core::clock::VectorClock;
use crate::core::config::Config;
use crate::core::message::{ClientReply, OpId};
use crate::core::version::Version;
use crate::core::{NodeId, Time, MS};
use crate::sim::network::Latency;
use crate::sim::World;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The paper's §6.3 figures: the share of requests that saw 1, 2, 3 and 4 versions.
pub const PAPER_SHARES: [f64; 4] = [0.9994, 0.0000057, 0.0000047, 0.0000009];

/// Most clients, carts and nodes; the longest run, in virtual seconds.
pub const MAX_CLIENTS: u32 = 64;
pub const MAX_CARTS: u32 = 1_000;
pub const MAX_NODES: usize = 16;
pub const MAX_SECONDS: f64 = 600.0;

/// Time windows the run is reported in.
pub const WINDOWS: usize = 10;

/// What the lab runs.
#[derive(Clone, Debug, PartialEq)]
pub struct DivergenceSpec {
    pub nodes: usize,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    /// Clients updating carts at once (1: no concurrent writers).
    pub clients: u32,
    pub carts: u32,
    /// A client's pause between two updates, in ms.
    pub think_ms: f64,
    /// The chance that a node is down for each period of `period_ms` (0: no failures).
    pub failure_rate: f64,
    pub period_ms: f64,
    pub seconds: f64,
    pub latency: Latency,
    pub seed: u64,
}

impl Default for DivergenceSpec {
    fn default() -> Self {
        DivergenceSpec {
            nodes: 5,
            n: 3,
            r: 2,
            w: 2,
            clients: 8,
            carts: 20,
            think_ms: 20.0,
            failure_rate: 0.1,
            period_ms: 500.0,
            seconds: 20.0,
            latency: Latency::Exponential { mean: 5.0 },
            seed: 1,
        }
    }
}

impl DivergenceSpec {
    pub fn validate(&self) -> Result<(), String> {
        super::check_cluster(self.nodes, MAX_NODES, (self.n, self.r, self.w))?;
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            return Err(format!("clients must be 1 to {MAX_CLIENTS} (got {})", self.clients));
        }
        if !(1..=MAX_CARTS).contains(&self.carts) {
            return Err(format!("carts must be 1 to {MAX_CARTS} (got {})", self.carts));
        }
        let ms = |x: f64| x.is_finite() && (0.0..=60_000.0).contains(&x);
        if !ms(self.think_ms) || !ms(self.period_ms) || self.period_ms < 10.0 {
            return Err("think_ms must be 0 to 60,000 and period_ms 10 to 60,000".into());
        }
        if !(0.0..1.0).contains(&self.failure_rate) {
            return Err(format!("failure_rate must be 0 to below 1 (got {})", self.failure_rate));
        }
        if !(self.seconds.is_finite() && self.seconds > 0.0 && self.seconds <= MAX_SECONDS) {
            return Err(format!("seconds must be more than 0 and at most {MAX_SECONDS}"));
        }
        self.latency.validate()?;
        self.latency.check_at_most(1_000.0)
    }

    fn world(&self) -> Result<World, String> {
        let config = Config { n: self.n, r: self.r, w: self.w, ..Config::default() };
        super::cluster(self.seed, self.nodes, config, self.latency)
    }
}

/// Reads in one window of the run, by versions seen.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Window {
    pub from_s: f64,
    /// Reads that saw 1, 2, 3 and 4 or more versions.
    pub versions: [u64; 4],
}

/// What the lab found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DivergenceReport {
    pub windows: Vec<Window>,
    /// All reads, by versions seen (1, 2, 3, 4+), and their shares with 95% intervals.
    pub versions: [u64; 4],
    pub shares: [f64; 4],
    pub ci95: [[f64; 2]; 4],
    pub paper_shares: [f64; 4],
    /// Divergent reads by cause: every pair of updates overlapped; one update's read missed
    /// a write acknowledged before it began; a version's put was never acknowledged.
    pub concurrent_writers: u64,
    pub stale_reads: u64,
    pub unacknowledged: u64,
    pub updates: u64,
    pub failed_requests: u64,
}

/// A client's place in its update cycle.
#[derive(Clone, Copy, Debug)]
enum Cycle {
    Idle { until: Time },
    Reading { get: OpId },
    Writing { put: OpId, read_began: Time },
}

/// A put that was acknowledged: when, and when its client's read began.
struct Written {
    clock: VectorClock,
    acked: Time,
    read_began: Time,
}

/// The divergence lab under way, a slice of virtual time at a time.
pub struct DivergenceLab {
    spec: DivergenceSpec,
    world: World,
    rng: ChaCha8Rng,
    clients: Vec<(String, Cycle, String)>,
    end: Time,
    next_period: Time,
    down: Vec<NodeId>,
    written: Vec<Written>,
    windows: Vec<Window>,
    concurrent: u64,
    stale: u64,
    unacknowledged: u64,
    updates: u64,
    failed: u64,
}

/// Virtual time run per slice.
pub const SLICE: Time = 250 * MS;

impl DivergenceLab {
    pub fn new(spec: DivergenceSpec) -> Result<DivergenceLab, String> {
        spec.validate()?;
        let world = spec.world()?;
        let end = (spec.seconds * 1_000.0 * MS as f64).round() as Time;
        let clients =
            (1..=spec.clients).map(|c| (format!("c{c}"), Cycle::Idle { until: 0 }, String::new()));
        let windows = (0..WINDOWS)
            .map(|i| Window { from_s: spec.seconds * i as f64 / WINDOWS as f64, versions: [0; 4] })
            .collect();
        Ok(DivergenceLab {
            rng: ChaCha8Rng::seed_from_u64(spec.seed ^ 0xd1e),
            clients: clients.collect(),
            world,
            end,
            next_period: 0,
            down: Vec::new(),
            written: Vec::new(),
            windows,
            concurrent: 0,
            stale: 0,
            unacknowledged: 0,
            updates: 0,
            failed: 0,
            spec,
        })
    }

    /// Virtual time run so far, and in all (µs).
    pub fn progress(&self) -> (Time, Time) {
        (self.world.now().min(self.end), self.end)
    }

    pub fn is_done(&self) -> bool {
        self.world.now() >= self.end
    }

    /// Runs up to `count` more slices of [`SLICE`] virtual time.
    pub fn run(&mut self, count: u32) {
        for _ in 0..count {
            if self.is_done() {
                return;
            }
            let until = (self.world.now() + SLICE).min(self.end);
            while self.world.now() < until {
                let tick = (self.world.now() + MS).min(until);
                self.world.run_until(tick);
                self.failures();
                for c in 0..self.clients.len() {
                    self.advance_client(c);
                }
            }
        }
    }

    pub fn finish(mut self) -> DivergenceReport {
        self.run(u32::MAX);
        self.report()
    }

    /// At each period's start, every node is down for the period with the failure rate's
    /// chance (at least one stays up).
    fn failures(&mut self) {
        if self.spec.failure_rate == 0.0 || self.world.now() < self.next_period {
            return;
        }
        for n in std::mem::take(&mut self.down) {
            self.world.recover(n);
        }
        let ids: Vec<NodeId> = self.world.node_ids().collect();
        let rate = self.spec.failure_rate;
        let mut down: Vec<NodeId> =
            ids.iter().copied().filter(|_| self.rng.random::<f64>() < rate).collect();
        if down.len() == ids.len() {
            down.pop();
        }
        for &n in &down {
            self.world.crash(n);
        }
        self.down = down;
        self.next_period = self.world.now() + (self.spec.period_ms * MS as f64) as Time;
    }

    fn random_live(&mut self) -> NodeId {
        let i = self.rng.random_range(0..self.world.live_count());
        self.world.live_node(i).expect("a node is up")
    }

    fn reply(&self, op: OpId) -> Option<ClientReply> {
        self.world.op(op).and_then(|r| r.outcome.as_deref()).cloned()
    }

    /// One client's update cycle: pause, read a cart, write back its reconciled items.
    fn advance_client(&mut self, c: usize) {
        let now = self.world.now();
        let (name, cycle, cart) = self.clients[c].clone();
        match cycle {
            Cycle::Idle { until } if now >= until => {
                let cart = format!("cart-{}", self.rng.random_range(0..self.spec.carts));
                let via = self.random_live();
                let get = self.world.get(name.as_str(), cart.as_str(), via);
                self.clients[c] = (name, Cycle::Reading { get }, cart);
            }
            Cycle::Idle { .. } => {}
            Cycle::Reading { get } => match self.reply(get) {
                None => {}
                Some(ClientReply::Got { versions, context, .. }) => {
                    let read_began = self.world.op(get).map_or(now, |r| r.started);
                    self.count_read(read_began, &versions);
                    let value = reconcile(&versions, &name, self.updates);
                    let via = self.random_live();
                    let put = self.world.put(name.as_str(), cart.as_str(), &value, via, context);
                    self.clients[c] = (name, Cycle::Writing { put, read_began }, cart);
                }
                Some(_) => self.failed_and_rest(c),
            },
            Cycle::Writing { put, read_began } => match self.reply(put) {
                None => {}
                Some(ClientReply::Put { version, .. }) => {
                    let acked = self.world.op(put).and_then(|r| r.finished).unwrap_or(now);
                    self.written.push(Written { clock: version.clock.clone(), acked, read_began });
                    self.updates += 1;
                    self.rest(c);
                }
                Some(_) => self.failed_and_rest(c),
            },
        }
    }

    fn rest(&mut self, c: usize) {
        let pause = (self.spec.think_ms * MS as f64 * self.rng.random_range(0.5..1.5)) as Time;
        self.clients[c].1 = Cycle::Idle { until: self.world.now() + pause };
    }

    fn failed_and_rest(&mut self, c: usize) {
        self.failed += 1;
        self.rest(c);
    }

    /// Counts a read's versions in its window and, when divergent, gives it a cause.
    fn count_read(&mut self, began: Time, versions: &[Version]) {
        let seen = versions.len().clamp(1, 4);
        let window = ((began as f64 / self.end.max(1) as f64) * WINDOWS as f64) as usize;
        self.windows[window.min(WINDOWS - 1)].versions[seen - 1] += 1;
        if versions.len() < 2 {
            return;
        }
        let written: Vec<Option<&Written>> =
            versions.iter().map(|v| self.written.iter().find(|w| w.clock == v.clock)).collect();
        let missed = written
            .iter()
            .flatten()
            .any(|later| written.iter().flatten().any(|earlier| earlier.acked < later.read_began));
        if missed {
            self.stale += 1;
        } else if written.iter().any(Option::is_none) {
            // A version whose put was never acknowledged (it failed, or is still under way).
            self.unacknowledged += 1;
        } else {
            self.concurrent += 1;
        }
    }

    pub fn report(&self) -> DivergenceReport {
        let mut versions = [0u64; 4];
        for w in &self.windows {
            for (i, n) in w.versions.iter().enumerate() {
                versions[i] += n;
            }
        }
        let reads: u64 = versions.iter().sum();
        let share = |n: u64| if reads == 0 { 0.0 } else { n as f64 / reads as f64 };
        DivergenceReport {
            windows: self.windows.clone(),
            versions,
            shares: versions.map(share),
            ci95: versions.map(|n| {
                let (lo, hi) = wilson95(n, reads);
                [lo, hi]
            }),
            paper_shares: PAPER_SHARES,
            concurrent_writers: self.concurrent,
            stale_reads: self.stale,
            unacknowledged: self.unacknowledged,
            updates: self.updates,
            failed_requests: self.failed,
        }
    }
}

/// The cart the client writes back: the union of the items of the versions it read (the
/// cart service's semantic reconciliation, §4.4), plus one item of its own.
fn reconcile(versions: &[Version], client: &str, update: u64) -> String {
    let mut items: Vec<&str> =
        versions.iter().flat_map(|v| v.value.split(',')).filter(|i| !i.is_empty()).collect();
    compact_sort::sort_unstable(&mut items);
    items.dedup();
    // Keep the value short: the last few items, and the new one.
    let keep = items.len().saturating_sub(7);
    let mut cart: Vec<String> = items[keep..].iter().map(|s| s.to_string()).collect();
    cart.push(format!("{client}-{update}"));
    cart.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(f: impl FnOnce(&mut DivergenceSpec)) -> DivergenceReport {
        let mut spec = DivergenceSpec { seconds: 10.0, ..DivergenceSpec::default() };
        f(&mut spec);
        DivergenceLab::new(spec).unwrap().finish()
    }

    #[test]
    fn one_writer_and_no_failures_see_one_version_every_time() {
        let report = lab(|s| {
            s.clients = 1;
            s.failure_rate = 0.0;
        });
        assert!(report.updates > 100, "{report:?}");
        assert_eq!(report.versions[1..], [0, 0, 0], "{report:?}");
        assert_eq!(report.shares[0], 1.0);
    }

    #[test]
    fn concurrent_writers_without_failures_diverge_by_concurrency_alone() {
        let report = lab(|s| {
            s.clients = 16;
            s.carts = 4;
            s.failure_rate = 0.0;
        });
        let divergent: u64 = report.versions[1..].iter().sum();
        assert!(divergent > 0, "{report:?}");
        assert_eq!(report.stale_reads, 0, "R + W > N, no failures: no read misses a write");
        assert_eq!(report.concurrent_writers + report.unacknowledged, divergent);
        assert!(report.concurrent_writers > 0);
    }

    #[test]
    fn failures_add_divergence_from_reads_that_missed_a_write() {
        let report = lab(|s| {
            s.clients = 4;
            s.failure_rate = 0.3;
        });
        assert!(report.stale_reads > 0, "{report:?}");
        assert!(report.failed_requests + report.updates > 0);
    }

    #[test]
    fn slices_give_the_same_numbers_and_bad_specs_are_refused() {
        let spec = DivergenceSpec { seconds: 3.0, ..DivergenceSpec::default() };
        let whole = DivergenceLab::new(spec.clone()).unwrap().finish();
        let mut sliced = DivergenceLab::new(spec).unwrap();
        while !sliced.is_done() {
            sliced.run(1);
        }
        assert_eq!(sliced.report(), whole);
        let bad = |f: fn(&mut DivergenceSpec)| {
            let mut s = DivergenceSpec::default();
            f(&mut s);
            DivergenceLab::new(s).err().unwrap()
        };
        assert!(bad(|s| s.clients = 0).contains("clients"));
        assert!(bad(|s| s.r = 9).contains("R and W"));
        assert!(bad(|s| s.seconds = 0.0).contains("seconds"));
        assert!(bad(|s| s.failure_rate = 1.0).contains("failure_rate"));
    }
}
