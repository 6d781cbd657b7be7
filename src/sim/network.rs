//! The in-memory network: per-message latency, random drops and partitions.

use crate::core::{NodeId, Time, MS};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How long a message takes, in virtual milliseconds. In files:
/// `{"kind": "uniform", "min": 1, "max": 5}`, `{"kind": "fixed", "ms": 2}` or
/// `{"kind": "exponential", "mean": 3}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Latency {
    Fixed { ms: f64 },
    Uniform { min: f64, max: f64 },
    Exponential { mean: f64 },
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Uniform { min: 1.0, max: 5.0 }
    }
}

fn micros(ms: f64) -> Time {
    (ms * 1000.0).round().max(0.0) as Time
}

impl Latency {
    /// Checks the parameters (finite, non-negative, min <= max).
    pub fn validate(&self) -> Result<(), String> {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        match *self {
            Latency::Fixed { ms } if ok(ms) => Ok(()),
            Latency::Uniform { min, max } if ok(min) && ok(max) && min <= max => Ok(()),
            Latency::Exponential { mean } if ok(mean) => Ok(()),
            _ => Err(format!("bad latency {self:?}: values must be finite, >= 0, and min <= max")),
        }
    }

    /// A replica timeout (§4.8.3) that a healthy replica's answer always beats, so that a
    /// coordinator suspects a peer only when something is wrong: twice the longest one-way
    /// latency the model gives, plus 10 ms of slack, and at least 20 ms. For the
    /// exponential model "longest" is 7.5 means: a round trip takes longer about once in
    /// 200,000 requests. (At most the longest timeout allowed, 60 s.)
    pub fn replica_timeout(&self) -> Time {
        let longest_ms = match *self {
            Latency::Fixed { ms } => ms,
            Latency::Uniform { max, .. } => max,
            Latency::Exponential { mean } => 7.5 * mean,
        };
        micros(2.0 * longest_ms + 10.0).clamp(20 * MS, 60_000 * MS)
    }

    /// Checks the parameters, and that none is over `most_ms`.
    pub fn check_at_most(&self, most_ms: f64) -> Result<(), String> {
        self.validate()?;
        let largest = match *self {
            Latency::Fixed { ms } => ms,
            Latency::Uniform { max, .. } => max,
            Latency::Exponential { mean } => mean,
        };
        if largest > most_ms {
            return Err(format!("bad latency {self:?}: at most {most_ms} ms"));
        }
        Ok(())
    }

    /// Draws one message's latency in microseconds.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Time {
        Draw::of(*self).sample(rng)
    }
}

/// A latency model with its bounds in whole microseconds, worked out once rather than
/// for every message.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Draw {
    Fixed(Time),
    Uniform(Time, Time),
    Exponential { mean_ms: f64 },
}

impl Draw {
    fn of(latency: Latency) -> Draw {
        match latency {
            Latency::Fixed { ms } => Draw::Fixed(micros(ms)),
            Latency::Uniform { min, max } => Draw::Uniform(micros(min), micros(max)),
            Latency::Exponential { mean } => Draw::Exponential { mean_ms: mean },
        }
    }

    /// One latency in microseconds. Uses only integer and basic float arithmetic plus
    /// `libm`, so native and wasm draw the same numbers.
    fn sample(self, rng: &mut ChaCha8Rng) -> Time {
        match self {
            Draw::Fixed(us) => us,
            Draw::Uniform(min, max) => rng.random_range(min..=max),
            Draw::Exponential { mean_ms } => {
                let u: f64 = rng.random(); // in [0, 1)
                micros(-mean_ms * libm::log(1.0 - u))
            }
        }
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// Lost at random (the network's drop rate).
    Random,
    /// Sender and receiver are on different sides of a partition.
    Partition,
    /// The receiver is down.
    NodeDown,
}

impl DropReason {
    pub fn label(self) -> &'static str {
        match self {
            DropReason::Random => "random",
            DropReason::Partition => "partition",
            DropReason::NodeDown => "node down",
        }
    }
}

/// Faults on one link (both directions): an extra drop rate and extra delay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkFault {
    pub drop_rate: f64,
    pub extra_delay: Time,
}

/// The network's state: its latency model, drop rate, faulty links and current partition.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    latency: Latency,
    draw: Draw,
    pub drop_rate: f64,
    /// Faulty links, by (lower id, higher id).
    links: std::collections::BTreeMap<(NodeId, NodeId), LinkFault>,
    /// Group of each node while the network is partitioned.
    groups: Option<Vec<u32>>,
}

impl Default for Network {
    fn default() -> Self {
        Network::new(Latency::default(), 0.0)
    }
}

impl Network {
    pub fn new(latency: Latency, drop_rate: f64) -> Self {
        Network {
            latency,
            draw: Draw::of(latency),
            drop_rate,
            links: Default::default(),
            groups: None,
        }
    }

    /// The latency model.
    pub fn latency(&self) -> Latency {
        self.latency
    }

    /// Changes the latency model.
    pub fn set_latency(&mut self, latency: Latency) {
        self.latency = latency;
        self.draw = Draw::of(latency);
    }

    /// Draws one message's latency in microseconds (without the link's extra delay).
    pub fn sample_latency(&self, rng: &mut ChaCha8Rng) -> Time {
        self.draw.sample(rng)
    }

    fn link_key(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
        (a.min(b), a.max(b))
    }

    /// Sets (or, with no drops and no delay, clears) the faults of the link a–b.
    pub fn set_link(&mut self, a: NodeId, b: NodeId, fault: LinkFault) {
        if fault.drop_rate == 0.0 && fault.extra_delay == 0 {
            self.links.remove(&Self::link_key(a, b));
        } else {
            self.links.insert(Self::link_key(a, b), fault);
        }
    }

    /// The faults of the link a–b, if any.
    pub fn link(&self, a: NodeId, b: NodeId) -> Option<LinkFault> {
        self.links.get(&Self::link_key(a, b)).copied()
    }

    /// Every faulty link.
    pub fn links(&self) -> impl Iterator<Item = ((NodeId, NodeId), LinkFault)> + '_ {
        self.links.iter().map(|(&k, &f)| (k, f))
    }

    /// Splits the nodes into groups that cannot reach each other. Nodes not named form
    /// one more group of their own.
    pub fn partition(&mut self, node_count: usize, groups: &[Vec<NodeId>]) {
        let rest = groups.len() as u32;
        let mut of = vec![rest; node_count];
        for (g, members) in groups.iter().enumerate() {
            for m in members {
                of[m.index()] = g as u32;
            }
        }
        self.groups = Some(of);
    }

    /// Ends the partition.
    pub fn heal(&mut self) {
        self.groups = None;
    }

    /// Whether the network is partitioned now.
    pub fn is_partitioned(&self) -> bool {
        self.groups.is_some()
    }

    /// The partition group of each node, if partitioned.
    pub fn groups(&self) -> Option<&[u32]> {
        self.groups.as_deref()
    }

    /// Whether `a` can reach `b` across the current partition.
    pub fn reachable(&self, a: NodeId, b: NodeId) -> bool {
        match &self.groups {
            None => true,
            Some(of) => of.get(a.index()) == of.get(b.index()),
        }
    }

    /// Grows the partition table when a node is added.
    pub fn add_node(&mut self) {
        if let Some(of) = &mut self.groups {
            of.push(u32::MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn latency_samples_stay_in_range_and_are_seeded() {
        let mut a = ChaCha8Rng::seed_from_u64(1);
        let mut b = ChaCha8Rng::seed_from_u64(1);
        let l = Latency::Uniform { min: 1.0, max: 5.0 };
        for _ in 0..100 {
            let x = l.sample(&mut a);
            assert!((1000..=5000).contains(&x));
            assert_eq!(x, l.sample(&mut b));
        }
        assert_eq!(Latency::Fixed { ms: 2.5 }.sample(&mut a), 2500);
        let e = Latency::Exponential { mean: 5.0 };
        let mean = (0..2000).map(|_| e.sample(&mut a) as f64).sum::<f64>() / 2000.0;
        assert!((4000.0..6000.0).contains(&mean), "{mean}");
    }

    #[test]
    fn partitions_separate_groups() {
        let mut n = Network::default();
        n.partition(4, &[vec![NodeId(0), NodeId(1)], vec![NodeId(2)]]);
        assert!(n.reachable(NodeId(0), NodeId(1)));
        assert!(!n.reachable(NodeId(0), NodeId(2)));
        assert!(!n.reachable(NodeId(3), NodeId(2)), "unnamed nodes form their own group");
        n.heal();
        assert!(n.reachable(NodeId(0), NodeId(2)));
    }
}
