//! Fuzzing entry points. The cargo-fuzz targets in `fuzz/` call these with the fuzzer's
//! bytes; `tests/fuzz_corpus.rs` calls them over the seed corpus and random bytes on every
//! test run, so they cannot rot. Each must never panic, whatever the bytes.
//!
//! - [`scenario_file`]: the scenario and lesson parser (what a user opens or drops).
//! - [`share_link`]: the share-link decoder (what a user pastes).
//! - [`node_schedule`]: nodes fed arbitrary sequences of messages, client requests and
//!   timers — delivered late, twice or never, timers fired in any order, nodes crashed and
//!   wiped, stale replies invented — checking after each input what must always hold: a
//!   store's siblings are concurrent (§4.4) and no node holds a value no client wrote.

use crate::app::link;
use crate::core::clock::{Causality, VectorClock};
use crate::core::config::Config;
use crate::core::message::{ClientReply, ClientRequest, Effect, Msg, OpId, ReqId, Timer};
use crate::core::node::Node;
use crate::core::{Key, NodeId, Time, MS};
use crate::sim::check;
use crate::sim::network::Latency;
use crate::sim::scenario::{self, Scenario};
use crate::sim::world::{NodeSpec, World, WorldSpec};
use std::collections::BTreeSet;

/// Parses the bytes as a scenario file; one that parses must print and parse back to
/// itself, and a small one runs (no panic) and keeps every property Dynamo promises.
pub fn scenario_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(parsed) = Scenario::from_json(text) else { return };
    let again = Scenario::from_json(&parsed.to_json()).expect("a parsed file prints parseably");
    assert_eq!(again, parsed, "a scenario prints and parses back to itself");
    if small(&parsed) {
        if let Ok(world) = scenario::run_world(&parsed) {
            let verdicts = check::check(&world);
            let broken: Vec<_> = verdicts.iter().filter(|v| v.promised && !v.held).collect();
            assert!(broken.is_empty(), "a promised property was violated: {broken:#?}");
        }
    }
}

/// Small enough to run within a fuzzer's time per input.
fn small(s: &Scenario) -> bool {
    let c = &s.cluster;
    s.load.is_none()
        && s.end.is_none()
        && s.lesson.is_none()
        && c.nodes.len() <= 8
        && s.steps.len() <= 40
        && c.tokens_per_node <= 16
        && c.nodes.iter().all(|n| n.tokens.as_ref().is_none_or(|t| t.len() <= 16))
        && c.network
            .as_ref()
            .and_then(|n| n.latency_ms)
            .is_none_or(|l| l.check_at_most(50.0).is_ok())
}

/// Decodes the bytes as a link's fragment; a scenario it carries must parse or be refused.
pub fn share_link(data: &[u8]) {
    let Ok(fragment) = std::str::from_utf8(data) else { return };
    if let Ok(Some(found)) = link::decode(fragment) {
        let _ = Scenario::from_json(&found.scenario);
    }
}

/// Reads the fuzzer's bytes as small numbers.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// A number below `n` (0 once the bytes run out).
    fn below(&mut self, n: usize) -> usize {
        self.next().map_or(0, |b| b as usize % n.max(1))
    }
}

/// Four nodes, a network the bytes control, and what clients wrote.
struct Harness {
    nodes: Vec<Node>,
    up: Vec<bool>,
    now: Time,
    /// Messages sent and not yet delivered or dropped: (from, to, message).
    wire: Vec<(NodeId, NodeId, Msg)>,
    /// Timers set and not yet fired: (node, due, timer).
    timers: Vec<(NodeId, Time, Timer)>,
    /// Every value a client asked to put, and the clocks clients were given.
    written: BTreeSet<String>,
    contexts: Vec<VectorClock>,
    next_op: u64,
}

const NODES: u32 = 4;
const KEYS: [&str; 3] = ["cart", "apple", "kettle"];

impl Harness {
    fn new(bytes: &mut Bytes) -> Harness {
        let n = 3;
        let config = Config {
            n,
            r: 1 + bytes.below(n),
            w: 1 + bytes.below(n),
            sloppy_quorum: bytes.below(2) == 0,
            clock_truncation: 2 + bytes.below(9),
            anti_entropy_interval: Some(50 * MS),
            ..Config::default()
        };
        let world = World::new(WorldSpec {
            seed: bytes.below(256) as u64,
            nodes: ["A", "B", "C", "D"].iter().map(|n| NodeSpec::named(n)).collect(),
            tokens_per_node: 2,
            config,
            latency: Latency::Fixed { ms: 1.0 },
            drop_rate: 0.0,
            record_trace: false,
        })
        .expect("a valid world");
        let nodes = (0..NODES).map(|i| world.node(NodeId(i)).clone()).collect();
        let mut h = Harness {
            nodes,
            up: vec![true; NODES as usize],
            now: 0,
            wire: Vec::new(),
            timers: Vec::new(),
            written: BTreeSet::new(),
            contexts: vec![VectorClock::default()],
            next_op: 0,
        };
        for i in 0..NODES {
            h.start(NodeId(i));
        }
        h
    }

    fn start(&mut self, node: NodeId) {
        let mut out = Vec::new();
        self.nodes[node.index()].on_start(self.now, &mut out);
        self.apply(node, out);
    }

    fn apply(&mut self, node: NodeId, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send { to, msg } => self.wire.push((node, to, msg)),
                Effect::SetTimer { after, timer } => {
                    self.timers.push((node, self.now + after, timer))
                }
                Effect::Reply(ClientReply::Got { context, .. }) => self.contexts.push(context),
                Effect::Reply(ClientReply::Put { version, .. }) => {
                    self.contexts.push(version.clock.clone())
                }
                Effect::Reply(ClientReply::Failed { .. }) | Effect::Note(_) => {}
            }
        }
    }

    /// One input, chosen by the bytes.
    fn input(&mut self, b: &mut Bytes) {
        let node = NodeId(b.below(NODES as usize) as u32);
        let key = Key::from(KEYS[b.below(KEYS.len())]);
        let mut out = Vec::new();
        match b.below(9) {
            0 | 1 => {
                let value = format!("v{}", self.next_op);
                self.written.insert(value.clone());
                let context = self.contexts[b.below(self.contexts.len())].clone();
                let op = self.op();
                let request = ClientRequest::Put { op, key, value: value.into(), context };
                self.client(node, request, &mut out);
            }
            2 => {
                let op = self.op();
                self.client(node, ClientRequest::Get { op, key }, &mut out);
            }
            3 | 4 if !self.wire.is_empty() => {
                // Delivered (or, with the high bit, delivered and kept to arrive again).
                let i = b.below(self.wire.len());
                let twice = b.below(2) == 1;
                let (from, to, msg) =
                    if twice { self.wire[i].clone() } else { self.wire.swap_remove(i) };
                self.now += MS;
                if self.up[to.index()] {
                    self.nodes[to.index()].on_message(self.now, from, msg, &mut out);
                    return self.apply(to, out);
                }
            }
            5 if !self.wire.is_empty() => {
                let i = b.below(self.wire.len());
                self.wire.swap_remove(i);
            }
            6 if !self.timers.is_empty() => {
                let i = b.below(self.timers.len());
                let (at, due, timer) = self.timers.swap_remove(i);
                self.now = self.now.max(due);
                if self.up[at.index()] {
                    self.nodes[at.index()].on_timer(self.now, timer, &mut out);
                    return self.apply(at, out);
                }
            }
            7 => match b.below(3) {
                0 if self.up[node.index()] => {
                    self.up[node.index()] = false;
                    self.nodes[node.index()].crash();
                    self.timers.retain(|(at, _, _)| *at != node);
                }
                1 if !self.up[node.index()] => {
                    self.up[node.index()] = true;
                    self.start(node);
                }
                2 => {
                    self.nodes[node.index()].wipe();
                    self.timers.retain(|(at, _, _)| *at != node);
                    if self.up[node.index()] {
                        self.start(node);
                    }
                }
                _ => {}
            },
            _ => {
                // A message no node sent in this state: a stale reply, a ping, another
                // node's versions of the key offered as a handoff or a repair.
                let from = NodeId(b.below(NODES as usize) as u32);
                let req = ReqId(b.below(8) as u64);
                let held = self.nodes[from.index()].store().versions_of(&key).to_vec();
                let msg = match b.below(6) {
                    0 => Msg::PutAck { req },
                    1 => Msg::GetReply { req, versions: held.into_iter().collect() },
                    2 => Msg::Ping,
                    3 => Msg::Handoff { key, versions: held },
                    4 => Msg::Repair { key, versions: held },
                    _ => Msg::Get { req, key },
                };
                if self.up[node.index()] && from != node {
                    self.nodes[node.index()].on_message(self.now, from, msg, &mut out);
                    return self.apply(node, out);
                }
            }
        }
        self.apply(node, out);
    }

    fn op(&mut self) -> OpId {
        self.next_op += 1;
        OpId(self.next_op)
    }

    fn client(&mut self, node: NodeId, request: ClientRequest, out: &mut Vec<Effect>) {
        if self.up[node.index()] {
            self.nodes[node.index()].on_client(self.now, request, out);
        }
    }

    /// What must hold after every input.
    fn check(&self) {
        for (i, node) in self.nodes.iter().enumerate() {
            let store = node.store();
            for key in store.keys() {
                let versions = store.versions_of(key);
                for (a, va) in versions.iter().enumerate() {
                    assert!(
                        self.written.contains(&*va.value),
                        "node {i} holds {:?} for {key:?}, which no client wrote",
                        va.value
                    );
                    for vb in &versions[a + 1..] {
                        assert_eq!(
                            va.clock.compare(&vb.clock),
                            Causality::Concurrent,
                            "node {i}: siblings of {key:?} must be concurrent"
                        );
                    }
                }
            }
        }
    }
}

/// Feeds four nodes the inputs the bytes choose (at most 2,000), checking after each.
pub fn node_schedule(data: &[u8]) {
    let mut bytes = Bytes(data);
    let mut h = Harness::new(&mut bytes);
    for _ in 0..2_000 {
        if bytes.0.is_empty() {
            break;
        }
        h.input(&mut bytes);
        h.check();
    }
}
