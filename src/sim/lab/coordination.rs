//! The coordination lab (§6.4, Table 2): who picks a request's coordinator?
//!
//! - **Server-driven**: the request goes to a random node (as a load balancer would send
//!   it); a put reaching a node outside the key's top N is forwarded to one inside, and a
//!   get is coordinated wherever it lands.
//! - **Client-driven**: the client keeps a copy of the membership, fetched from a random
//!   node every `poll_ms` (the paper: every 10 s), works out the key's preference list
//!   itself and sends the request straight to its first node — no forwarding hop, and the
//!   coordinator's own copy counts toward R or W at once.
//!
//! The same load (seed, keys, gets and puts, times) runs both ways; the lab reports the
//! average and 99.9th percentile latencies of each next to the paper's Table 2. In the
//! simulator a client reaches any node at once, so what differs is the forwarding hop and
//! where the coordinator sits; the paper's clients also saved a load balancer's hop, and
//! coordinated reads themselves. (Here a get is coordinated wherever it lands; only puts
//! are forwarded.)

use super::percentile;
use crate::core::clock::VectorClock;
use crate::core::config::Config;
use crate::core::message::OpId;
use crate::core::ring::Ring;
use crate::core::{NodeId, Time, MS};
use crate::sim::network::Latency;
use crate::sim::World;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The paper's Table 2, in ms: (99.9th read, 99.9th write, average read, average write).
pub const PAPER_SERVER_DRIVEN: [f64; 4] = [68.9, 68.5, 3.9, 4.02];
pub const PAPER_CLIENT_DRIVEN: [f64; 4] = [30.4, 30.4, 1.55, 1.9];

/// Most operations a run issues.
pub const MAX_OPS: u32 = 200_000;

#[derive(Clone, Debug, PartialEq)]
pub struct CoordinationSpec {
    pub nodes: usize,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub keys: u32,
    /// Operations issued (half gets, half puts), one every `interval_ms`.
    pub ops: u32,
    pub interval_ms: f64,
    /// How often a client-driven client fetches the membership.
    pub poll_ms: f64,
    pub latency: Latency,
    pub seed: u64,
}

impl Default for CoordinationSpec {
    fn default() -> Self {
        CoordinationSpec {
            nodes: 8,
            n: 3,
            r: 2,
            w: 2,
            keys: 1_000,
            ops: 5_000,
            interval_ms: 1.0,
            poll_ms: 10_000.0,
            latency: Latency::Exponential { mean: 1.0 },
            seed: 1,
        }
    }
}

impl CoordinationSpec {
    pub fn validate(&self) -> Result<(), String> {
        super::check_cluster(self.nodes, 64, (self.n, self.r, self.w))?;
        if !(1..=100_000).contains(&self.keys) {
            return Err(format!("keys must be 1 to 100,000 (got {})", self.keys));
        }
        if !(1..=MAX_OPS).contains(&self.ops) {
            return Err(format!("ops must be 1 to {MAX_OPS} (got {})", self.ops));
        }
        let ms = |x: f64, lo: f64| x.is_finite() && (lo..=600_000.0).contains(&x);
        if !ms(self.interval_ms, 0.01) || !ms(self.poll_ms, 1.0) {
            return Err("interval_ms must be 0.01 to 600,000 and poll_ms 1 to 600,000".into());
        }
        self.latency.validate()?;
        self.latency.check_at_most(1_000.0)
    }

    fn world(&self) -> Result<World, String> {
        let config = Config { n: self.n, r: self.r, w: self.w, ..Config::default() };
        super::cluster(self.seed, self.nodes, config, self.latency)
    }
}

/// Who picks the coordinator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordination {
    ServerDriven,
    ClientDriven,
}

/// One way's latencies, in ms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Latencies {
    pub read_p999: f64,
    pub write_p999: f64,
    pub read_mean: f64,
    pub write_mean: f64,
    /// Successful gets and puts the figures are over (the 99.9th percentile of a few
    /// thousand is one of the few slowest).
    pub reads: usize,
    pub writes: usize,
    /// Puts sent to a node outside the key's top N, which forwarded them.
    pub forwarded_puts: u64,
    pub failed: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoordinationReport {
    pub server_driven: Latencies,
    pub client_driven: Latencies,
    /// The paper's Table 2: 99.9th read, 99.9th write, average read, average write (ms).
    pub paper_server_driven: [f64; 4],
    pub paper_client_driven: [f64; 4],
}

/// Runs the load both ways.
pub fn run(spec: &CoordinationSpec) -> Result<CoordinationReport, String> {
    Ok(CoordinationLab::new(spec.clone())?.finish())
}

/// The lab under way, a slice of operations at a time (for the page): the load server-driven,
/// then the same load client-driven.
pub struct CoordinationLab {
    spec: CoordinationSpec,
    way: Way,
    server_driven: Option<Latencies>,
    client_driven: Option<Latencies>,
}

impl CoordinationLab {
    pub fn new(spec: CoordinationSpec) -> Result<CoordinationLab, String> {
        spec.validate()?;
        let way = Way::new(&spec, Coordination::ServerDriven)?;
        Ok(CoordinationLab { spec, way, server_driven: None, client_driven: None })
    }

    /// Issues up to `ops` more operations (finishing a way when its load is all issued).
    pub fn run(&mut self, ops: u32) {
        for _ in 0..ops {
            if self.is_done() {
                return;
            }
            if self.way.issued < self.spec.ops {
                self.way.issue(&self.spec);
                continue;
            }
            let latencies = self.way.finish();
            match self.way.how {
                Coordination::ServerDriven => {
                    self.server_driven = Some(latencies);
                    self.way = Way::new(&self.spec, Coordination::ClientDriven)
                        .expect("the spec built the first world");
                }
                Coordination::ClientDriven => self.client_driven = Some(latencies),
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.client_driven.is_some()
    }

    /// Operations issued, of both ways' in all.
    pub fn progress(&self) -> (u32, u32) {
        let before = if self.server_driven.is_some() { self.spec.ops } else { 0 };
        let done = if self.is_done() { 2 * self.spec.ops } else { before + self.way.issued };
        (done, 2 * self.spec.ops)
    }

    /// The report, once done.
    pub fn report(&self) -> Option<CoordinationReport> {
        Some(CoordinationReport {
            server_driven: self.server_driven.clone()?,
            client_driven: self.client_driven.clone()?,
            paper_server_driven: PAPER_SERVER_DRIVEN,
            paper_client_driven: PAPER_CLIENT_DRIVEN,
        })
    }

    /// Runs to the end.
    pub fn finish(mut self) -> CoordinationReport {
        while !self.is_done() {
            self.run(1_000);
        }
        self.report().expect("done")
    }
}

/// The load one way: the same keys, kinds and times for both (the load's own generator).
struct Way {
    how: Coordination,
    world: World,
    load: ChaCha8Rng,
    pick: ChaCha8Rng,
    /// A client-driven client's copy of the ring, and when it fetched it.
    view: Option<Ring>,
    polled: Time,
    ops: Vec<(OpId, bool)>,
    issued: u32,
    forwarded: u64,
}

impl Way {
    fn new(spec: &CoordinationSpec, how: Coordination) -> Result<Way, String> {
        Ok(Way {
            how,
            world: spec.world()?,
            load: ChaCha8Rng::seed_from_u64(spec.seed ^ 0xc00d),
            pick: ChaCha8Rng::seed_from_u64(spec.seed ^ 0x9c1),
            view: None,
            polled: 0,
            ops: Vec::with_capacity(spec.ops as usize),
            issued: 0,
            forwarded: 0,
        })
    }

    /// The next operation, at its time.
    fn issue(&mut self, spec: &CoordinationSpec) {
        let interval = ((spec.interval_ms * MS as f64) as Time).max(1);
        let poll = (spec.poll_ms * MS as f64) as Time;
        let world = &mut self.world;
        world.run_until(Time::from(self.issued) * interval);
        self.issued += 1;
        let key = format!("key-{}", self.load.random_range(0..spec.keys));
        let is_put = self.load.random_bool(0.5);
        let via = match self.how {
            Coordination::ServerDriven => random_node(world, &mut self.pick),
            Coordination::ClientDriven => {
                if self.view.is_none() || world.now() >= self.polled + poll {
                    let source = random_node(world, &mut self.pick);
                    self.view = Some(world.node(source).membership().ring());
                    self.polled = world.now();
                }
                let ring = self.view.as_ref().expect("just fetched");
                let start =
                    world.config().strategy.walk_start(crate::core::ring::key_position(&key));
                ring.preference_list(start, 1).first().copied().unwrap_or(NodeId(0))
            }
        };
        if is_put && !world.preference_list(&key).iter().take(spec.n).any(|&n| n == via) {
            self.forwarded += 1;
        }
        let op = if is_put {
            world.put("client", key.as_str(), "v", via, VectorClock::default())
        } else {
            world.get("client", key.as_str(), via)
        };
        self.ops.push((op, is_put));
    }

    /// Waits for every answer, and measures.
    fn finish(&mut self) -> Latencies {
        let world = &mut self.world;
        world.settle(60_000 * MS);
        let (mut reads, mut writes, mut failed) = (Vec::new(), Vec::new(), 0);
        for &(op, is_put) in &self.ops {
            let Some(record) = world.op(op) else { continue };
            let ok = matches!(
                record.outcome.as_deref(),
                Some(
                    crate::core::message::ClientReply::Put { .. }
                        | crate::core::message::ClientReply::Got { .. }
                )
            );
            match (ok, record.finished) {
                (true, Some(done)) => {
                    let ms = (done - record.started) as f64 / MS as f64;
                    if is_put {
                        writes.push(ms)
                    } else {
                        reads.push(ms)
                    }
                }
                _ => failed += 1,
            }
        }
        let mean =
            |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
        Latencies {
            reads: reads.len(),
            writes: writes.len(),
            read_mean: mean(&reads),
            write_mean: mean(&writes),
            read_p999: percentile(&mut reads, 0.999),
            write_p999: percentile(&mut writes, 0.999),
            forwarded_puts: self.forwarded,
            failed,
        }
    }
}

fn random_node(world: &World, rng: &mut ChaCha8Rng) -> NodeId {
    let i = rng.random_range(0..world.live_count());
    world.live_node(i).expect("a node is up")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_driven_coordination_forwards_nothing_and_is_faster() {
        let spec = CoordinationSpec { ops: 2_000, ..CoordinationSpec::default() };
        let report = run(&spec).unwrap();
        let (s, c) = (&report.server_driven, &report.client_driven);
        assert_eq!(s.failed + c.failed, 0, "{report:?}");
        assert_eq!(c.forwarded_puts, 0, "the client sends each put to its coordinator");
        assert!(s.forwarded_puts > 0, "a random node is often outside the top N");
        assert!(c.write_mean < s.write_mean, "no forwarding hop: {report:?}");
        assert!(c.read_mean < s.read_mean, "the coordinator's own copy counts: {report:?}");
        assert!(c.write_p999 <= s.write_p999, "{report:?}");
    }

    #[test]
    fn the_lab_in_slices_gives_the_same_numbers_as_in_one_go() {
        let spec = CoordinationSpec { ops: 500, ..CoordinationSpec::default() };
        let mut lab = CoordinationLab::new(spec.clone()).unwrap();
        let mut slices = 0;
        while !lab.is_done() {
            assert!(lab.report().is_none());
            lab.run(37);
            slices += 1;
        }
        assert_eq!(lab.progress(), (1_000, 1_000));
        assert!(slices > 2 * 500 / 37);
        assert_eq!(lab.report().unwrap(), run(&spec).unwrap());
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers_and_bad_specs_are_refused() {
        let spec = CoordinationSpec { ops: 300, ..CoordinationSpec::default() };
        assert_eq!(run(&spec).unwrap(), run(&spec).unwrap());
        let bad = CoordinationSpec { r: 4, ..CoordinationSpec::default() };
        assert!(run(&bad).unwrap_err().contains("R and W"));
        let bad = CoordinationSpec { ops: 0, ..CoordinationSpec::default() };
        assert!(run(&bad).unwrap_err().contains("ops"));
    }
}
