//! The world: nodes, the network between them, clients, virtual time and the event queue.
//!
//! Everything nondeterministic lives here and is seeded: message latencies, drops, and
//! the tokens nodes draw. One seed and one sequence of inputs give one trace.
//!
//! This file is the driver: [`World::step`] takes the next event (a message arriving or a
//! timer going off), hands it to its node, and carries out the effects the node returns
//! (`World::apply`: send, set a timer, answer a client). The rest is in parts:
//! - `build`: the nodes, their tokens and the cluster they start as;
//! - `operations`: the §4.1 clients' gets and puts, their answers and giving up;
//! - `admin`: joins, leaves, faults and network settings;
//! - `inspect`: what there is to see (for the page, the CLI's report and the tests).

mod admin;
mod build;
mod inspect;
mod operations;

use super::metrics::{entry_bytes, HASH_BYTES, MAX_KEYS_NAMED, MAX_SYNC_STEPS};
pub use super::metrics::{Metrics, SyncCarried, SyncStats, SyncStep};
pub use super::wire::InFlight;
pub use build::{assign_tokens, validate_nodes, NodeSpec, WorldSpec};
pub use inspect::{HintHeld, ReplicaWait};
pub use operations::OpRecord;

use super::wire::{Wire, Wired};
use crate::core::config::Config;
use crate::core::membership::Membership;
use crate::core::message::{ClientReply, Effect, Msg, MsgKind, Note, OpId, SyncKeys, Timer};
use crate::core::node::Node;
use crate::core::ring::{Position, Ring};

use crate::core::{Key, NodeId, Time};
use crate::sim::clients::Clients;
use crate::sim::history::History;
use crate::sim::network::{DropReason, Network};
use crate::sim::queue::{Due, EventQueue};
use crate::sim::trace::{Event, Trace};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A node's timer in the queue, with the node's incarnation when it was set (a timer
/// set before a crash does not go off after the recovery).
#[derive(Clone)]
struct Alarm {
    node: NodeId,
    incarnation: u32,
    timer: Timer,
}

/// The simulated cluster. A copy goes on exactly as the original would (the page keeps
/// copies to go back in time without replaying from the start).
#[derive(Clone)]
pub struct World {
    now: Time,
    seed: u64,
    config: Rc<Config>,
    tokens_per_node: u32,
    /// The administrator's record of join and leave commands: the ring as it should be.
    membership: Membership,
    ring: Rc<Ring>,
    names: Vec<String>,
    nodes: Vec<Node>,
    up: Vec<bool>,
    /// How many of `up` are true.
    up_count: usize,
    incarnation: Vec<u32>,
    network: Network,
    rng: ChaCha8Rng,
    /// Message arrivals (their bodies wait on the wire) and timers.
    queue: EventQueue<Alarm>,
    wire: Wire,
    /// Anti-entropy comparisons, and the latest one per (pair of nodes, range).
    syncs: History<SyncStats>,
    open_syncs: BTreeMap<(NodeId, NodeId, Position), usize>,
    /// Since when each hinted replica has been kept, and how often it was handed back
    /// (§4.6), by (holder, owner, key).
    hints_held: BTreeMap<(NodeId, NodeId, Key), HintHeld>,
    /// The client operation being handled now, if any, and the one each message on the
    /// wire serves (kept only while the trace keeps its events): see [`Event::Send`].
    handling: Option<OpId>,
    wire_ops: BTreeMap<u64, OpId>,
    next_msg: u64,
    /// Client operations, oldest first; `OpId(i)` is entry i - 1.
    ops: History<OpRecord>,
    open_ops: usize,
    /// The oldest operation that may still be open: every one before it is finished. A
    /// client gives up a fixed time after it started, so this one gives up first: when,
    /// if it is open.
    first_open: OpId,
    gives_up: Option<Time>,
    /// Whether finished operations are kept (on by default; a long load turns it off).
    keep_finished_ops: bool,
    /// What each client remembers: the contexts of its gets (§4.1).
    clients: Clients,
    trace: Trace,
    metrics: Metrics,
    effects: Vec<Effect>,
}

impl World {
    /// Lets a node arm its periodic timers (at creation and after a recovery).
    fn start(&mut self, node: NodeId) {
        let mut out = std::mem::take(&mut self.effects);
        self.nodes[node.index()].on_start(self.now, &mut out);
        self.apply(node, out);
    }

    /// When the next event will happen, if any: the next one queued, or a client giving
    /// up waiting.
    pub fn next_event_at(&self) -> Option<Time> {
        let queued = self.queue.peek_time();
        match self.gives_up {
            Some(deadline) => Some(queued.map_or(deadline, |at| at.min(deadline))),
            None => queued,
        }
    }

    /// Processes the next event. Returns false when nothing is left to happen. A client
    /// that gives up at the same moment as a queued event does so after it.
    pub fn step(&mut self) -> bool {
        if let Some(deadline) = self.gives_up {
            if self.queue.peek_time().is_none_or(|at| deadline < at) {
                debug_assert!(deadline >= self.now, "time never runs backwards");
                self.now = deadline;
                let error = "no answer: the client gave up waiting".to_string();
                self.finish_op(None, ClientReply::Failed { op: self.first_open, error });
                return true;
            }
        }
        let Some((at, what)) = self.queue.pop() else { return false };
        debug_assert!(at >= self.now, "time never runs backwards");
        self.now = at;
        match what {
            Due::Arrival(msg) => {
                if let Some(next) = self.queue.next_arrival() {
                    self.wire.prefetch(next);
                }
                self.arrive(msg)
            }
            Due::Timer(Alarm { node, incarnation, timer }) => {
                if self.up[node.index()] && self.incarnation[node.index()] == incarnation {
                    let mut out = std::mem::take(&mut self.effects);
                    if self.trace.keeps_events() {
                        self.handling = self.timer_op(node, timer);
                    }
                    // A timer whose request is already done does nothing and leaves no trace.
                    if self.nodes[node.index()].on_timer(self.now, timer, &mut out) {
                        self.trace.push(self.now, Event::Timer { node, timer });
                    }
                    self.apply(node, out);
                }
            }
        }
        true
    }

    /// Runs every event up to and including time `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: Time) {
        while self.next_event_at().is_some_and(|at| at <= until) {
            self.step();
        }
        self.now = self.now.max(until);
    }

    /// Whether nothing is in progress: no message on the wire, no request being
    /// handled, no client waiting, no hinted replica waiting to be handed back.
    pub fn is_quiescent(&self) -> bool {
        self.wire.is_empty()
            && self.open_ops == 0
            && self.nodes.iter().all(|n| {
                n.requests().next().is_none() && n.hints().is_empty() && !n.transfers_pending()
            })
    }

    /// Whether nothing is going on but the background chatter (gossip, pings): no client
    /// waiting, no request being handled, and no write, read, repair, hint handoff, Merkle
    /// exchange or key transfer on the wire. Hinted replicas may still wait for their owner.
    pub fn is_quiet(&self) -> bool {
        let chatter = |k: MsgKind| {
            matches!(k, MsgKind::Gossip | MsgKind::GossipReply | MsgKind::Ping | MsgKind::Pong)
        };
        self.open_ops == 0
            && self.nodes.iter().all(|n| n.requests().next().is_none())
            && self.wire.iter().all(|m| chatter(m.kind))
    }

    /// Hinted replicas held anywhere, counted per (holder, owner, key).
    pub fn pending_hints(&self) -> usize {
        self.nodes.iter().map(|n| n.hints().values().map(|keys| keys.len()).sum::<usize>()).sum()
    }

    /// Whether the world has settled: quiescent, every node's view of the membership the
    /// same, and — when anti-entropy runs periodically — all replicas of every range alike.
    pub fn is_settled(&self) -> bool {
        let check_merkle = self.config.anti_entropy_interval.is_some();
        self.is_quiescent() && self.memberships_agree() && (!check_merkle || self.replicas_agree())
    }

    /// Runs until the world is quiescent — and, when anti-entropy runs periodically,
    /// until all replicas of every range agree — for at most `max_wait` of virtual time.
    /// Returns whether it settled. (Without periodic anti-entropy replicas may still
    /// differ after settling: `differing_ranges` lists where.)
    pub fn settle(&mut self, max_wait: Time) -> bool {
        let deadline = self.now + max_wait;
        while !self.is_settled() {
            match self.next_event_at() {
                Some(at) if at <= deadline => {
                    self.step();
                }
                _ => return false,
            }
        }
        true
    }

    /// The client operation a node's timer belongs to: its request's, if it is still open.
    fn timer_op(&self, node: NodeId, timer: Timer) -> Option<OpId> {
        match timer {
            Timer::RequestTimeout(req) | Timer::ReplicaTimeout(req) | Timer::ReadRepair(req) => {
                self.nodes[node.index()].request(req).map(|r| r.op())
            }
            _ => None,
        }
    }

    fn apply(&mut self, node: NodeId, mut out: Vec<Effect>) {
        for effect in out.drain(..) {
            match effect {
                Effect::Send { to, msg } => self.send(node, to, msg),
                Effect::SetTimer { after, timer } => {
                    let incarnation = self.incarnation[node.index()];
                    self.queue.push_after(self.now, after, Alarm { node, incarnation, timer });
                }
                Effect::Reply(reply) => self.finish_op(Some(node), reply),
                Effect::Note(note) => {
                    let m = &mut self.metrics;
                    match note {
                        Note::PeerDown(_) => m.peers_marked_down += 1,
                        Note::PeerUp(_) => m.peers_marked_up += 1,
                        Note::HintStored { owner, ref key } => {
                            m.hints_stored += 1;
                            let held = HintHeld { since: self.now, attempts: 0 };
                            self.hints_held.entry((node, owner, key.clone())).or_insert(held);
                        }
                        Note::HintDelivered { owner, ref key } => {
                            m.hints_delivered += 1;
                            self.hints_held.remove(&(node, owner, key.clone()));
                        }
                        Note::InSync { .. } => {}
                        Note::KeysReceived { changed, .. } => {
                            m.keys_repaired_by_anti_entropy += u64::from(changed)
                        }
                        Note::RingChanged { .. } => m.ring_changes += 1,
                        Note::KeysTakenOver { keys, .. } => m.keys_moved += u64::from(keys),
                        Note::KeysHandedOver { dropped, .. } => {
                            m.copies_dropped += u64::from(dropped)
                        }
                    }
                    self.trace.push(self.now, Event::Node { node, note });
                }
            }
        }
        self.effects = out;
        self.handling = None;
    }

    fn send(&mut self, from: NodeId, to: NodeId, body: Msg) {
        self.next_msg += 1;
        let msg = self.next_msg;
        let kind = body.kind();
        let link = self.network.link(from, to);
        let latency =
            self.network.sample_latency(&mut self.rng) + link.map_or(0, |l| l.extra_delay);
        let drop_rate =
            link.map_or(self.network.drop_rate, |l| l.drop_rate.max(self.network.drop_rate));
        let lost =
            (drop_rate > 0.0 && self.rng.random::<f64>() < drop_rate).then_some(DropReason::Random);
        let arrives = self.now + latency;
        self.metrics.messages_sent += 1;
        if kind == MsgKind::Repair {
            self.metrics.read_repairs += 1;
        }
        self.count_merkle(from, to, &body, arrives);
        if let Msg::Handoff { key, .. } = &body {
            if let Some(held) = self.hints_held.get_mut(&(from, to, key.clone())) {
                held.attempts += 1;
            }
        }
        let op = self.handling.filter(|_| self.trace.keeps_events());
        if let Some(op) = op {
            self.wire_ops.insert(msg, op);
        }
        self.trace.send(self.now, msg, from, to, kind, body.key(), arrives, op);
        // Drawn as lost if it will be: a random drop, or (unless that changes while it
        // flies) a receiver that is down or on the other side of a partition.
        let doomed = lost.is_some() || !self.up[to.index()] || !self.network.reachable(from, to);
        self.wire.insert(msg, self.now, Wired { body, from, to, arrives, lost, doomed });
        self.queue.push_arrival(arrives, msg);
    }

    /// Anti-entropy traffic, in total and per comparison, each message recorded as a
    /// step of its comparison: hashes at [`HASH_BYTES`], keys at [`entry_bytes`].
    fn count_merkle(&mut self, from: NodeId, to: NodeId, body: &Msg, arrives: Time) {
        let (range, carried, bytes) = match body {
            Msg::SyncHashes(sync) => {
                let count = sync.hashes.len() as u32;
                let level = sync.hashes.first().map_or(0, |&(i, _)| (31 - i.leading_zeros()) as u8);
                (sync.range, SyncCarried::Hashes { level, count }, HASH_BYTES * u64::from(count))
            }
            Msg::SyncKeys(sync) => {
                let SyncKeys { range, entries, leaves, .. } = &**sync;
                let bytes: u64 = entries.iter().map(|(k, vs)| entry_bytes(k, vs)).sum();
                // Names are for the page, which keeps the trace's events.
                let named = if self.trace.keeps_events() {
                    entries.iter().take(MAX_KEYS_NAMED).map(|(k, _)| k.clone()).collect()
                } else {
                    Vec::new()
                };
                let count = entries.len() as u32;
                let carried = SyncCarried::Keys { leaves: leaves.len() as u32, count, named };
                (*range, carried, bytes + 4 * leaves.len() as u64)
            }
            _ => return,
        };
        let pair = (from.min(to), from.max(to), range.end);
        if matches!(body, Msg::SyncHashes(sync) if sync.hashes.len() == 1 && sync.hashes[0].0 == 1)
        {
            self.metrics.anti_entropy_comparisons += 1;
            let whole = if self.trace.keeps_events() {
                let held = [from, to].map(|n| self.nodes[n.index()].entries_in(range, None));
                let entries = held.iter().flatten();
                (entries.clone().count() as u64, entries.map(|(k, vs)| entry_bytes(k, vs)).sum())
            } else {
                (0, 0)
            };
            let stats = SyncStats {
                initiator: from,
                peer: to,
                range,
                started: self.now,
                whole,
                ..SyncStats::default()
            };
            self.open_syncs.insert(pair, self.syncs.len());
            self.syncs.push(stats);
        }
        let (hashes, keys) = match &carried {
            SyncCarried::Hashes { count, .. } => (u64::from(*count), 0),
            SyncCarried::Keys { count, .. } => (0, u64::from(*count)),
        };
        let m = &mut self.metrics;
        m.merkle_messages += 1;
        m.merkle_hashes_sent += hashes;
        m.merkle_keys_sent += keys;
        m.merkle_bytes_sent += bytes;
        if let Some(&i) = self.open_syncs.get(&pair) {
            let s = self.syncs.get_mut(i).expect("an open comparison is recorded");
            s.messages += 1;
            s.hashes += hashes;
            s.keys += keys;
            s.bytes += bytes;
            if s.steps.len() < MAX_SYNC_STEPS && self.trace.keeps_events() {
                s.steps.push(SyncStep { from, sent: self.now, arrives, carried, bytes });
            }
        }
    }

    fn arrive(&mut self, msg: u64) {
        let Wired { body, from, to, lost, .. } = self.wire.remove(msg);
        let op = if self.wire_ops.is_empty() { None } else { self.wire_ops.remove(&msg) };
        let kind = body.kind();
        let lost = lost
            .or_else(|| (!self.network.reachable(from, to)).then_some(DropReason::Partition))
            .or_else(|| (!self.up[to.index()]).then_some(DropReason::NodeDown));
        if let Some(reason) = lost {
            self.metrics.messages_dropped += 1;
            self.trace.push(self.now, Event::Drop { msg, from, to, kind, reason });
            return;
        }
        self.metrics.messages_delivered += 1;
        self.trace.deliver(self.now, msg, from, to, kind);
        let mut out = std::mem::take(&mut self.effects);
        self.handling = op;
        self.nodes[to.index()].on_message(self.now, from, body, &mut out);
        self.apply(to, out);
    }

    /// Moves the clock to `t` without handling any event; nothing may be due before `t`.
    pub fn advance_clock(&mut self, t: Time) {
        debug_assert!(self.next_event_at().is_none_or(|at| at >= t), "no event is skipped");
        self.now = self.now.max(t);
    }
}
