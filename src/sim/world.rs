//! The world: nodes, the network between them, clients, virtual time and the event queue.
//!
//! Everything nondeterministic lives here and is seeded: message latencies, drops, and
//! the tokens nodes draw. One seed and one sequence of inputs give one trace.

use super::limits;
use super::network::{DropReason, Latency, LinkFault, Network};
use super::queue::{Due, EventQueue};
use super::trace::{Event, OpKind, Trace};
use crate::core::clock::{Actor, VectorClock};
use crate::core::config::Config;
use crate::core::membership::{MemberStatus, Membership};
use crate::core::merkle::{key_ranges, KeyRange};
use crate::core::message::{
    ClientReply, ClientRequest, Effect, Msg, MsgKind, Note, OpId, SyncKeys, Timer,
};
use crate::core::node::Node;
use crate::core::partition::{partition_end, Strategy};
use crate::core::request::ForwardedPut;
use crate::core::ring::{format_position, Position, Ring};
use crate::core::storage::{FastHashMap, FastHashSet};
use crate::core::version::Version;
use crate::core::{Key, NodeId, Time, MS};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// A node as a scenario declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    /// Relative capacity: scales the number of tokens drawn (§4.2 heterogeneity).
    pub capacity: f64,
    /// Explicit tokens; when absent the node draws them from the seeded PRNG.
    pub tokens: Option<Vec<Position>>,
}

impl NodeSpec {
    /// A node of capacity 1 that draws its tokens.
    pub fn named(name: &str) -> Self {
        NodeSpec { name: name.to_string(), capacity: 1.0, tokens: None }
    }
}

/// Everything needed to build a world.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldSpec {
    pub seed: u64,
    pub nodes: Vec<NodeSpec>,
    /// Tokens per node of capacity 1 (strategies 1 and 2).
    pub tokens_per_node: u32,
    pub config: Config,
    pub latency: Latency,
    pub drop_rate: f64,
    /// Keep every trace event (the hash is kept either way).
    pub record_trace: bool,
}

impl Default for WorldSpec {
    fn default() -> Self {
        let latency = Latency::default();
        WorldSpec {
            seed: 1,
            nodes: ["A", "B", "C", "D", "E"].iter().map(|n| NodeSpec::named(n)).collect(),
            tokens_per_node: 4,
            config: Config { replica_timeout: latency.replica_timeout(), ..Config::default() },
            latency,
            drop_rate: 0.0,
            record_trace: true,
        }
    }
}

/// A message on the wire, for drawing: who sent it to whom, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub msg: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MsgKind,
    pub sent: Time,
    pub arrives: Time,
    /// Whether it looks lost: dropped at random (decided when sent), or heading for a node
    /// that is down or cut off (decided on arrival, so a recovery in time still saves it).
    pub doomed: bool,
}

/// A client operation and, once known, its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct OpRecord {
    pub client: Key,
    pub kind: OpKind,
    pub key: Key,
    pub via: NodeId,
    pub started: Time,
    /// When it finished (answered, or the client gave up); None while it is open.
    pub finished: Option<Time>,
    /// The answer: None while open, and always None when the world keeps no finished
    /// operations (see [`World::keep_finished_ops`]).
    pub outcome: Option<Box<ClientReply>>,
}

/// One anti-entropy comparison of a key range between two replicas (§4.7), and its cost:
/// messages, hashes and keys exchanged, and bytes. It grows with the differences.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub initiator: NodeId,
    pub peer: NodeId,
    pub range_end: Position,
    pub started: Time,
    pub messages: u64,
    pub hashes: u64,
    pub keys: u64,
    pub bytes: u64,
}

/// Counters over a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub puts_ok: u64,
    pub puts_failed: u64,
    pub gets_ok: u64,
    pub gets_failed: u64,
    /// Gets that returned more than one version.
    pub gets_with_siblings: u64,
    /// Read-repair messages sent (§5).
    pub read_repairs: u64,
    /// Hinted replicas stored on stand-ins, and handed back to their owners (§4.6).
    pub hints_stored: u64,
    pub hints_delivered: u64,
    /// Times a node came to believe a peer was down, or up again (§4.8.3).
    pub peers_marked_down: u64,
    pub peers_marked_up: u64,
    /// Anti-entropy (§4.7): range comparisons started, Merkle messages sent, hashes and
    /// keys they carried, and their approximate size in bytes.
    pub anti_entropy_comparisons: u64,
    pub merkle_messages: u64,
    pub merkle_hashes_sent: u64,
    pub merkle_keys_sent: u64,
    pub merkle_bytes_sent: u64,
    /// Keys anti-entropy brought to a replica that lacked something of them.
    pub keys_repaired_by_anti_entropy: u64,
    /// Times a node's view of the ring changed, and keys moved by joins and leaves (§4.9).
    pub ring_changes: u64,
    pub keys_moved: u64,
    /// Client-observed latencies of successful operations, in microseconds.
    pub get_latencies: Vec<Time>,
    pub put_latencies: Vec<Time>,
}

/// A node's timer in the queue, with the node's incarnation when it was set (a timer
/// set before a crash does not go off after the recovery).
struct Alarm {
    node: NodeId,
    incarnation: u32,
    timer: Timer,
}

/// A message on the wire: what it will hand over, to whom, and whether it was dropped
/// at random when sent (`lost`) — all its arrival reads, in one cache line — and, for
/// the page, when it arrives and whether it looks doomed.
#[repr(align(64))]
struct Wired {
    body: Msg,
    from: NodeId,
    to: NodeId,
    arrives: Time,
    lost: Option<DropReason>,
    doomed: bool,
}

impl Wired {
    /// What the page draws of message `msg`, sent at `sent`.
    fn flight(&self, msg: u64, sent: Time) -> InFlight {
        InFlight {
            msg,
            from: self.from,
            to: self.to,
            kind: self.body.kind(),
            sent,
            arrives: self.arrives,
            doomed: self.doomed,
        }
    }
}

/// The messages on the wire, by id. Ids are consecutive and a message stays on the wire
/// only a few milliseconds, so the messages between the oldest still in flight and the
/// newest fit a ring of slots addressed by id (slot `id & mask`): a send or an arrival is
/// an index, and the ring doubles when the run outgrows it. When each message was sent
/// (only the page reads it) is kept in a ring of its own, which an arrival does not read.
struct Wire {
    /// The oldest id that may still be on the wire, and the next id to be sent: every
    /// message on the wire has an id in `first..next`.
    first: u64,
    next: u64,
    /// What each message carries; `None` once it has arrived or been dropped.
    slots: Vec<Option<Wired>>,
    /// When each message was sent, in the slot of the same index.
    sent: Vec<Time>,
    count: usize,
}

impl Default for Wire {
    fn default() -> Self {
        const SLOTS: usize = 64;
        Wire {
            first: 1,
            next: 1,
            slots: (0..SLOTS).map(|_| None).collect(),
            sent: vec![0; SLOTS],
            count: 0,
        }
    }
}

impl Wire {
    /// The slot of message `id`.
    fn slot(&self, id: u64) -> usize {
        (id as usize) & (self.slots.len() - 1)
    }

    fn insert(&mut self, id: u64, sent: Time, wired: Wired) {
        debug_assert_eq!(id, self.next, "message ids are consecutive");
        if (id - self.first) as usize >= self.slots.len() {
            self.grow();
        }
        let i = self.slot(id);
        self.slots[i] = Some(wired);
        self.sent[i] = sent;
        self.next = id + 1;
        self.count += 1;
    }

    /// Twice the slots, each message moved to its slot in the larger ring.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mut slots: Vec<Option<Wired>> = (0..size).map(|_| None).collect();
        let mut sent = vec![0; size];
        for id in self.first..self.next {
            let (old, new) = (self.slot(id), (id as usize) & (size - 1));
            slots[new] = self.slots[old].take();
            sent[new] = self.sent[old];
        }
        self.slots = slots;
        self.sent = sent;
    }

    fn remove(&mut self, id: u64) -> Wired {
        assert!(
            (self.first..self.next).contains(&id),
            "every delivery matches a message on the wire"
        );
        let i = self.slot(id);
        let wired = self.slots[i].take().expect("every delivery matches one message on the wire");
        self.count -= 1;
        while self.first < self.next && self.slots[self.slot(self.first)].is_none() {
            self.first += 1;
        }
        wired
    }

    /// Asks the processor to fetch message `id`'s slot ahead of its arrival (a hint only).
    fn prefetch(&self, id: u64) {
        super::prefetch(&self.slots[self.slot(id)]);
    }

    /// Message `id` if it is on the wire: its route and times for the page, and its body.
    fn get(&self, id: u64) -> Option<(InFlight, &Msg)> {
        if !(self.first..self.next).contains(&id) {
            return None;
        }
        let i = self.slot(id);
        let wired = self.slots[i].as_ref()?;
        Some((wired.flight(id, self.sent[i]), &wired.body))
    }

    /// The messages on the wire, oldest first.
    fn iter(&self) -> impl Iterator<Item = InFlight> + '_ {
        (self.first..self.next).filter_map(|id| {
            let i = self.slot(id);
            self.slots[i].as_ref().map(|w| w.flight(id, self.sent[i]))
        })
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Client → key → the context of its latest successful get.
type ClientContexts = FastHashMap<Key, FastHashMap<Key, VectorClock>>;

/// A client's latest successful get: the operation, the key it read and the context it got
/// back (what a client that reads, then writes back, puts with: §4.1).
#[derive(Clone, Debug)]
pub struct LatestRead {
    pub op: OpId,
    pub key: Key,
    pub context: VectorClock,
}

/// The simulated cluster.
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
    syncs: Vec<SyncStats>,
    open_syncs: BTreeMap<(NodeId, NodeId, Position), usize>,
    next_msg: u64,
    /// Client operations, oldest first; `OpId(i)` is at index i - 1 - `ops_dropped`.
    ops: VecDeque<OpRecord>,
    open_ops: usize,
    /// The oldest operation that may still be open: every one before it is finished. A
    /// client gives up a fixed time after it started, so this one gives up first: when,
    /// if it is open.
    first_open: OpId,
    gives_up: Option<Time>,
    /// Whether finished operations are kept (on by default; a long load turns it off).
    keep_finished_ops: bool,
    /// Finished operations dropped from the front of `ops`.
    ops_dropped: u64,
    /// Client → key → the context of its latest successful get, while
    /// `keep_read_contexts` (looked up only, never listed: hash maps are safe here).
    contexts: ClientContexts,
    keep_read_contexts: bool,
    /// Client → its latest successful get, whatever the key (looked up only).
    latest_reads: FastHashMap<Key, LatestRead>,
    /// One shared copy of every client and key name given by text, so that records and
    /// tables of the same name share it (looked up only, never listed).
    shared_names: FastHashSet<Key>,
    trace: Trace,
    metrics: Metrics,
    effects: Vec<Effect>,
}

impl World {
    /// Builds a world, drawing tokens from the seeded PRNG. Refuses impossible specs.
    pub fn new(spec: WorldSpec) -> Result<World, String> {
        validate_nodes(&spec.nodes)?;
        limits::check_world(&spec)?;
        spec.config.validate(spec.nodes.len())?;
        spec.latency.validate()?;
        if !(0.0..=1.0).contains(&spec.drop_rate) {
            return Err(format!("drop_rate must be between 0 and 1 (got {})", spec.drop_rate));
        }
        if spec.tokens_per_node == 0 {
            return Err("tokens_per_node must be at least 1".into());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        let ring = Rc::new(assign_tokens(&spec, &mut rng)?);
        let mut membership = Membership::new();
        for id in ring.nodes() {
            membership.set(id, ring.tokens_of(id), MemberStatus::Joined);
        }
        let membership = Rc::new(membership);
        let config = Rc::new(spec.config.clone());
        let names: Vec<String> = spec.nodes.iter().map(|n| n.name.clone()).collect();
        let nodes = (0..names.len() as u32)
            .map(|i| {
                Node::new(
                    NodeId(i),
                    config.clone(),
                    membership.clone(),
                    ring.clone(),
                    node_seed(spec.seed, NodeId(i)),
                )
            })
            .collect();
        let mut world = World {
            now: 0,
            seed: spec.seed,
            config,
            tokens_per_node: spec.tokens_per_node,
            membership: (*membership).clone(),
            ring,
            up: vec![true; names.len()],
            up_count: names.len(),
            incarnation: vec![0; names.len()],
            names,
            nodes,
            network: Network::new(spec.latency, spec.drop_rate),
            rng,
            queue: EventQueue::default(),
            wire: Wire::default(),
            syncs: Vec::new(),
            open_syncs: BTreeMap::new(),
            next_msg: 0,
            ops: VecDeque::new(),
            open_ops: 0,
            first_open: OpId(1),
            gives_up: None,
            keep_finished_ops: true,
            ops_dropped: 0,
            contexts: FastHashMap::default(),
            keep_read_contexts: true,
            latest_reads: FastHashMap::default(),
            shared_names: Default::default(),
            trace: Trace::new(spec.record_trace),
            metrics: Metrics::default(),
            effects: Vec::new(),
        };
        for id in world.node_ids().collect::<Vec<_>>() {
            world.start(id);
        }
        Ok(world)
    }

    /// Lets a node arm its periodic timers (at creation and after a recovery).
    fn start(&mut self, node: NodeId) {
        let mut out = std::mem::take(&mut self.effects);
        self.nodes[node.index()].on_start(self.now, &mut out);
        self.apply(node, out);
    }

    // ----- what there is to see -----

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// The seed the world was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The configuration every node runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The ring (token map) of the cluster.
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// Node names, by node id.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The name of a node.
    pub fn name(&self, node: NodeId) -> &str {
        &self.names[node.index()]
    }

    /// Looks a node up by name.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.names.iter().position(|n| n == name).map(|i| NodeId(i as u32))
    }

    /// All node ids.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.names.len() as u32).map(NodeId)
    }

    /// How many nodes are running.
    pub fn live_count(&self) -> usize {
        self.up_count
    }

    /// The `i`-th running node, in id order.
    pub fn live_node(&self, i: usize) -> Option<NodeId> {
        if self.up_count == self.up.len() {
            return (i < self.up.len()).then_some(NodeId(i as u32)); // all up: no need to look
        }
        self.node_ids().filter(|&n| self.is_up(n)).nth(i)
    }

    /// A node's state machine, to inspect.
    pub fn node(&self, node: NodeId) -> &Node {
        &self.nodes[node.index()]
    }

    /// Whether a node is running.
    pub fn is_up(&self, node: NodeId) -> bool {
        self.up[node.index()]
    }

    /// The network's current state.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Messages on the wire right now, oldest first.
    pub fn in_flight(&self) -> impl Iterator<Item = InFlight> + '_ {
        self.wire.iter()
    }

    /// Every client operation so far, oldest first (if finished ones are not kept: those
    /// from the oldest still open on).
    pub fn ops(&self) -> &VecDeque<OpRecord> {
        &self.ops
    }

    /// One client operation (None if unknown, or finished and no longer kept).
    pub fn op(&self, op: OpId) -> Option<&OpRecord> {
        self.ops.get(self.op_index(op)?)
    }

    fn op_index(&self, op: OpId) -> Option<usize> {
        usize::try_from(op.0.checked_sub(1 + self.ops_dropped)?).ok()
    }

    /// Whether to keep the record of every finished operation (the default). A load that
    /// runs for long turns it off, so that memory stays bounded: a finished operation's
    /// record then notes when it finished but not its answer, and is dropped soon after.
    /// Counters, latencies and the clients' contexts are kept either way.
    pub fn keep_finished_ops(&mut self, keep: bool) {
        self.keep_finished_ops = keep;
    }

    /// Whether to keep the context of every client's latest get of every key (the
    /// default: a scenario's `"context": "last-read"` may name any key read before). A
    /// load of many clients over many keys turns it off, so that memory stays bounded by
    /// the number of clients: each client then keeps the context of its latest get only
    /// ([`World::latest_read_of`]), and a put with the last-read context of another key
    /// gets the empty context. (Turning it off forgets the contexts kept so far.)
    pub fn keep_read_contexts(&mut self, keep: bool) {
        self.keep_read_contexts = keep;
        if !keep {
            self.contexts.clear();
        }
    }

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Counters so far.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The context of `client`'s latest successful get of `key` (empty if none).
    pub fn last_read_context(&self, client: &str, key: &str) -> VectorClock {
        self.last_read_context_of(&Key::new(client), &Key::new(key))
    }

    /// The same, for names already shared (no name is hashed again).
    pub fn last_read_context_of(&self, client: &Key, key: &Key) -> VectorClock {
        // The client's latest get is the newest context there is for its key.
        let latest =
            self.latest_reads.get(client).filter(|read| &read.key == key).map(|read| &read.context);
        let kept = || self.contexts.get(client).and_then(|keys| keys.get(key));
        latest.or_else(kept).cloned().unwrap_or_default()
    }

    /// `client`'s latest successful get (of any key), if it has had one.
    pub fn latest_read_of(&self, client: &Key) -> Option<&LatestRead> {
        self.latest_reads.get(client)
    }

    /// A clock written with node names, e.g. `[Sx:2, Sy:1]` (`Sx#1` after a wipe of Sx).
    pub fn clock_text(&self, clock: &VectorClock) -> String {
        let pairs: Vec<String> = clock
            .entries()
            .map(|(actor, e)| format!("{}:{}", self.actor_name(actor), e.counter))
            .collect();
        format!("[{}]", pairs.join(", "))
    }

    /// How an actor is written in clocks: its node's name, then `#epoch` after a wipe.
    pub fn actor_name(&self, actor: Actor) -> String {
        actor.label(self.name(actor.node))
    }

    /// The key's preference list (the whole of it), on the ring as the administrator
    /// set it up (nodes may still be learning of recent joins and leaves).
    pub fn preference_list(&self, key: &str) -> Vec<NodeId> {
        self.ring
            .preference_list(
                self.config.strategy.walk_start(crate::core::ring::key_position(key)),
                usize::MAX,
            )
            .into_vec()
    }

    /// The administrator's membership record.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    // ----- membership -----

    /// The administrator joins a node to the ring (§4.8.1): a new node named `name`, or
    /// one that left earlier. It draws its tokens (`capacity` × tokens per node) unless
    /// given, knows the seeds and `contact`, and learns the rest by gossip.
    pub fn join(
        &mut self,
        name: &str,
        contact: Option<NodeId>,
        capacity: f64,
        tokens: Option<Vec<Position>>,
    ) -> Result<NodeId, String> {
        let equal_partitions = matches!(self.config.strategy, Strategy::EqualPartitions { .. });
        if equal_partitions && tokens.is_some() {
            return Err(format!(
                "join {name}: with strategy 3 a newcomer takes partitions from the others; \
                 tokens cannot be given"
            ));
        }
        limits::check_capacity(name, capacity).map_err(|e| format!("join: {e}"))?;
        let existing = self.node_id(name);
        if existing.is_none() && self.names.len() >= limits::MAX_NODES {
            return Err(format!("join {name}: a cluster has at most {} nodes", limits::MAX_NODES));
        }
        let adding = tokens.as_ref().map_or_else(
            || limits::tokens_for(self.tokens_per_node, capacity),
            |tokens| tokens.len(),
        );
        if self.ring.tokens().len() + adding > limits::MAX_RING_TOKENS {
            return Err(format!(
                "join {name}: the ring would hold more than {} tokens",
                limits::MAX_RING_TOKENS
            ));
        }
        if let Some(id) = existing {
            if self.membership.record(id).is_some_and(|r| r.status == MemberStatus::Joined) {
                return Err(format!("join: node {name:?} is already a member of the ring"));
            }
        }
        let tokens = match tokens {
            None if equal_partitions => self.take_partitions(capacity),
            Some(tokens) => {
                if let Some(&t) = tokens.iter().find(|&&t| self.ring.contains_token(t)) {
                    return Err(format!(
                        "join {name}: token {} is already taken",
                        format_position(t)
                    ));
                }
                tokens
            }
            None => (0..limits::tokens_for(self.tokens_per_node, capacity))
                .map(|_| {
                    let mut t: Position = self.rng.random();
                    while self.ring.contains_token(t) {
                        t = self.rng.random();
                    }
                    t
                })
                .collect(),
        };
        let id = match existing {
            Some(id) => id,
            None => self.add_node(name),
        };
        let mut out = std::mem::take(&mut self.effects);
        if equal_partitions {
            let known = self.membership.clone();
            self.nodes[id.index()].join_with(&known, tokens, contact, &mut out);
        } else {
            self.nodes[id.index()].join(tokens, contact, &mut out);
        }
        self.record_command(id);
        self.trace.push(self.now, Event::Join { node: id });
        self.apply(id, out);
        Ok(id)
    }

    /// Strategy 3 (§6.2): a newcomer takes about Q/(S+1) (× capacity) partitions, one at a
    /// time from whichever member holds the most, picked at random among its own. The
    /// donors' records change in the administrator's history; gossip tells them.
    fn take_partitions(&mut self, capacity: f64) -> Vec<Position> {
        let members: Vec<NodeId> = self.membership.members().collect();
        let total = self.ring.tokens().len();
        let target =
            ((total as f64 * capacity / (members.len() as f64 + capacity)).round() as usize).max(1);
        let mut owned: BTreeMap<NodeId, Vec<Position>> =
            members.iter().map(|&m| (m, self.ring.tokens_of(m))).collect();
        let mut taken = Vec::new();
        while taken.len() < target {
            let Some((&donor, tokens)) =
                owned.iter_mut().max_by_key(|(&m, t)| (t.len(), std::cmp::Reverse(m)))
            else {
                break;
            };
            if tokens.len() <= 1 {
                break;
            }
            let token = tokens.remove(self.rng.random_range(0..tokens.len()));
            taken.push(token);
            let remaining = tokens.clone();
            self.membership.set(donor, remaining, MemberStatus::Joined);
        }
        taken
    }

    /// The administrator removes a node from the ring; it hands its keys over (§4.9).
    pub fn leave(&mut self, node: NodeId) -> Result<(), String> {
        if self.membership.record(node).is_none_or(|r| r.status != MemberStatus::Joined) {
            return Err(format!("leave: node {:?} is not a member of the ring", self.name(node)));
        }
        if !self.is_up(node) {
            return Err(format!(
                "leave: node {:?} is down and cannot hand its keys over",
                self.name(node)
            ));
        }
        if self.membership.members().count() <= self.config.n {
            return Err(format!("leave: the ring needs at least n = {} nodes", self.config.n));
        }
        let mut out = std::mem::take(&mut self.effects);
        self.nodes[node.index()].leave(&mut out);
        self.record_command(node);
        self.trace.push(self.now, Event::Leave { node });
        self.apply(node, out);
        Ok(())
    }

    /// Copies the node's own record of a command into the administrator's history.
    fn record_command(&mut self, node: NodeId) {
        let record = self.nodes[node.index()]
            .membership()
            .record(node)
            .expect("the node recorded it")
            .clone();
        self.membership.put_record(node, record);
        self.ring = Rc::new(self.membership.ring());
    }

    /// A brand-new node, outside the ring until it joins.
    fn add_node(&mut self, name: &str) -> NodeId {
        let id = NodeId(self.names.len() as u32);
        self.names.push(name.to_string());
        self.up.push(true);
        self.up_count += 1;
        self.incarnation.push(0);
        self.network.add_node();
        let empty = Rc::new(Membership::new());
        let node = Node::new(
            id,
            self.config.clone(),
            empty,
            Rc::new(Ring::new()),
            node_seed(self.seed, id),
        );
        self.nodes.push(node);
        self.start(id);
        id
    }

    /// Whether every running node's membership view matches the administrator's.
    pub fn memberships_agree(&self) -> bool {
        self.node_ids()
            .filter(|&n| self.is_up(n))
            .all(|n| *self.nodes[n.index()].membership() == self.membership)
    }

    /// Sets the faults of the link a–b (both directions); zero clears them.
    pub fn set_link(
        &mut self,
        a: NodeId,
        b: NodeId,
        drop_rate: f64,
        extra_delay: Time,
    ) -> Result<(), String> {
        if !(0.0..=1.0).contains(&drop_rate) {
            return Err(format!("link drop_rate must be between 0 and 1 (got {drop_rate})"));
        }
        if extra_delay as f64 > limits::MAX_LATENCY_MS * MS as f64 {
            return Err(format!("link extra delay: at most {} ms", limits::MAX_LATENCY_MS));
        }
        self.network.set_link(a, b, LinkFault { drop_rate, extra_delay });
        let drop_rate_permille = (drop_rate * 1000.0).round() as u32;
        self.trace.push(self.now, Event::Link { a, b, drop_rate_permille, extra_delay });
        Ok(())
    }

    // ----- clients -----

    /// A client calls `get(key)` on node `via` (§4.1).
    pub fn get(&mut self, client: &str, key: &str, via: NodeId) -> OpId {
        let (client, key) = (self.shared_name(client), self.shared_name(key));
        self.get_shared(client, key, via)
    }

    /// [`World::get`] with the names already shared: a load issuing many operations keeps
    /// its own, which spares a lookup per operation.
    pub fn get_shared(&mut self, client: Key, key: Key, via: NodeId) -> OpId {
        let op = self.open_op(client, OpKind::Get, key.clone(), via);
        self.deliver_request(via, ClientRequest::Get { op, key });
        op
    }

    /// A client calls `put(key, context, value)` on node `via` (§4.1).
    pub fn put(
        &mut self,
        client: &str,
        key: &str,
        value: &str,
        via: NodeId,
        context: VectorClock,
    ) -> OpId {
        let (client, key) = (self.shared_name(client), self.shared_name(key));
        self.put_shared(client, key, value, via, context)
    }

    /// [`World::put`] with the names already shared (see [`World::get_shared`]).
    pub fn put_shared(
        &mut self,
        client: Key,
        key: Key,
        value: &str,
        via: NodeId,
        context: VectorClock,
    ) -> OpId {
        let op = self.open_op(client, OpKind::Put, key.clone(), via);
        let request = ClientRequest::Put { op, key, value: value.into(), context };
        self.deliver_request(via, request);
        op
    }

    /// How long a client waits for an answer before giving up by itself: long enough for
    /// a put forwarded to a silent coordinator to be passed to a second one (§4.5).
    pub fn client_timeout(&self) -> Time {
        2 * ForwardedPut::patience(&self.config) + 100 * MS
    }

    fn open_op(&mut self, client: Key, kind: OpKind, key: Key, via: NodeId) -> OpId {
        let op = OpId(self.ops_dropped + self.ops.len() as u64 + 1);
        self.trace.request(self.now, op, &client, via, kind, &key);
        let record =
            OpRecord { client, kind, key, via, started: self.now, finished: None, outcome: None };
        self.ops.push_back(record);
        self.open_ops += 1;
        if self.gives_up.is_none() {
            self.gives_up = self.oldest_gives_up();
        }
        op
    }

    /// The shared copy of a client or key name.
    fn shared_name(&mut self, name: &str) -> Key {
        let name = Key::new(name);
        if let Some(shared) = self.shared_names.get(&name) {
            return shared.clone();
        }
        self.shared_names.insert(name.clone());
        name
    }

    fn deliver_request(&mut self, via: NodeId, request: ClientRequest) {
        let op = match &request {
            ClientRequest::Get { op, .. } | ClientRequest::Put { op, .. } => *op,
        };
        if !self.is_up(via) {
            let error = format!("node {} is down", self.name(via));
            self.finish_op(None, ClientReply::Failed { op, error });
            return;
        }
        let mut out = std::mem::take(&mut self.effects);
        self.nodes[via.index()].on_client(self.now, request, &mut out);
        self.apply(via, out);
    }

    fn finish_op(&mut self, node: Option<NodeId>, reply: ClientReply) {
        let op = reply.op();
        let Some(index) = self.op_index(op).filter(|&i| i < self.ops.len()) else { return };
        let record = &self.ops[index];
        if record.finished.is_some() {
            return; // a late answer after the client gave up
        }
        let ok = !matches!(reply, ClientReply::Failed { .. });
        let latency = self.now - record.started;
        match (&reply, record.kind) {
            (ClientReply::Got { versions, context, .. }, _) => {
                self.metrics.gets_ok += 1;
                self.metrics.get_latencies.push(latency);
                if versions.len() > 1 {
                    self.metrics.gets_with_siblings += 1;
                }
                if self.keep_read_contexts {
                    remember_context(&mut self.contexts, &record.client, &record.key, context);
                }
                remember_latest_read(
                    &mut self.latest_reads,
                    op,
                    &record.client,
                    &record.key,
                    context,
                );
            }
            (ClientReply::Put { .. }, _) => {
                self.metrics.puts_ok += 1;
                self.metrics.put_latencies.push(latency);
            }
            (ClientReply::Failed { .. }, OpKind::Get) => self.metrics.gets_failed += 1,
            (ClientReply::Failed { .. }, OpKind::Put) => self.metrics.puts_failed += 1,
        }
        self.trace.push(self.now, Event::Reply { op, node, ok });
        let record = &mut self.ops[index];
        record.finished = Some(self.now);
        if self.keep_finished_ops {
            record.outcome = Some(Box::new(reply));
        }
        self.open_ops -= 1;
        while self.op(self.first_open).is_some_and(|r| r.finished.is_some()) {
            self.first_open.0 += 1;
        }
        self.gives_up = self.oldest_gives_up();
        if !self.keep_finished_ops {
            self.drop_finished_ops();
        }
    }

    /// When the client of the oldest open operation gives up waiting, if any is open.
    fn oldest_gives_up(&self) -> Option<Time> {
        let oldest = self.op(self.first_open).filter(|r| r.finished.is_none())?;
        Some(oldest.started + self.client_timeout())
    }

    /// Drops the finished operations at the front of the record (when they are not
    /// kept): those before the oldest open one.
    fn drop_finished_ops(&mut self) {
        while self.ops.front().is_some_and(|r| r.finished.is_some()) {
            self.ops.pop_front();
            self.ops_dropped += 1;
        }
    }

    /// A one-line account of a reply, with clocks written with node names.
    pub fn describe_reply(&self, reply: &ClientReply) -> String {
        let version_text = |v: &Version| format!("{} {}", v.value, self.clock_text(&v.clock));
        match reply {
            ClientReply::Got { versions, .. } if versions.is_empty() => "not found".into(),
            ClientReply::Got { versions, .. } => {
                versions.iter().map(version_text).collect::<Vec<_>>().join(" | ")
            }
            ClientReply::Put { version, .. } => format!("stored {}", version_text(version)),
            ClientReply::Failed { error, .. } => error.clone(),
        }
    }

    // ----- faults -----

    /// Crashes a node: its in-flight requests and timers are lost, its store survives.
    pub fn crash(&mut self, node: NodeId) {
        if !self.up[node.index()] {
            return;
        }
        self.up[node.index()] = false;
        self.up_count -= 1;
        self.incarnation[node.index()] += 1;
        self.nodes[node.index()].crash();
        self.trace.push(self.now, Event::Crash { node });
    }

    /// Brings a crashed node back.
    pub fn recover(&mut self, node: NodeId) {
        if self.up[node.index()] {
            return;
        }
        self.up[node.index()] = true;
        self.up_count += 1;
        self.trace.push(self.now, Event::Recover { node });
        self.start(node);
    }

    /// Wipes a node's disk (a permanent failure, §4.7): its store and hints are gone, and
    /// it stamps clocks under a new identity from now on (see `core::clock`).
    /// The node stays up (it was replaced by an empty one) unless it was down.
    pub fn wipe(&mut self, node: NodeId) {
        self.incarnation[node.index()] += 1;
        self.nodes[node.index()].wipe();
        let epoch = self.nodes[node.index()].actor().epoch;
        self.trace.push(self.now, Event::Wipe { node, epoch });
        if self.up[node.index()] {
            self.start(node);
        }
    }

    /// Splits the network into groups that cannot reach each other.
    pub fn partition(&mut self, groups: Vec<Vec<NodeId>>) {
        self.network.partition(self.names.len(), &groups);
        self.trace.push(self.now, Event::Partition { groups });
    }

    /// Ends a partition.
    pub fn heal(&mut self) {
        self.network.heal();
        self.trace.push(self.now, Event::Heal);
    }

    // ----- time -----

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

    /// Hinted replicas held anywhere, counted per (holder, owner, key).
    pub fn pending_hints(&self) -> usize {
        self.nodes.iter().map(|n| n.hints().values().map(|keys| keys.len()).sum::<usize>()).sum()
    }

    /// Runs until the world is quiescent — and, when anti-entropy runs periodically,
    /// until all replicas of every range agree — for at most `max_wait` of virtual time.
    /// Returns whether it settled. (Without periodic anti-entropy replicas may still
    /// differ after settling: `differing_ranges` lists where.)
    pub fn settle(&mut self, max_wait: Time) -> bool {
        let deadline = self.now + max_wait;
        let check_merkle = self.config.anti_entropy_interval.is_some();
        while !(self.is_quiescent()
            && self.memberships_agree()
            && (!check_merkle || self.replicas_agree()))
        {
            match self.next_event_at() {
                Some(at) if at <= deadline => {
                    self.step();
                }
                _ => return false,
            }
        }
        true
    }

    // ----- the network -----

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
                        Note::HintStored { .. } => m.hints_stored += 1,
                        Note::HintDelivered { .. } => m.hints_delivered += 1,
                        Note::InSync { .. } => {}
                        Note::KeysReceived { changed, .. } => {
                            m.keys_repaired_by_anti_entropy += u64::from(changed)
                        }
                        Note::RingChanged { .. } => m.ring_changes += 1,
                        Note::KeysTakenOver { keys, .. } => m.keys_moved += u64::from(keys),
                        Note::KeysHandedOver { .. } => {}
                    }
                    self.trace.push(self.now, Event::Node { node, note });
                }
            }
        }
        self.effects = out;
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
        self.count_merkle(from, to, &body);
        self.trace.send(self.now, msg, from, to, kind, body.key(), arrives);
        // Drawn as lost if it will be: a random drop, or (unless that changes while it
        // flies) a receiver that is down or on the other side of a partition.
        let doomed = lost.is_some() || !self.up[to.index()] || !self.network.reachable(from, to);
        self.wire.insert(msg, self.now, Wired { body, from, to, arrives, lost, doomed });
        self.queue.push_arrival(arrives, msg);
    }

    /// Anti-entropy traffic, in total and per comparison: hashes at 20 bytes (index +
    /// MD5), keys with their versions.
    fn count_merkle(&mut self, from: NodeId, to: NodeId, body: &Msg) {
        let (range, hashes, keys, bytes) = match body {
            Msg::SyncHashes(sync) => {
                (sync.range, sync.hashes.len() as u64, 0, 20 * sync.hashes.len() as u64)
            }
            Msg::SyncKeys(sync) => {
                let SyncKeys { range, entries, leaves, .. } = &**sync;
                let version_bytes = |v: &Version| v.value.len() as u64 + 12 * v.clock.len() as u64;
                let bytes: u64 = entries
                    .iter()
                    .map(|(k, vs)| k.len() as u64 + vs.iter().map(version_bytes).sum::<u64>())
                    .sum();
                (*range, 0, entries.len() as u64, bytes + 4 * leaves.len() as u64)
            }
            _ => return,
        };
        let pair = (from.min(to), from.max(to), range.end);
        if matches!(body, Msg::SyncHashes(sync) if sync.hashes.len() == 1 && sync.hashes[0].0 == 1)
        {
            self.metrics.anti_entropy_comparisons += 1;
            let stats = SyncStats {
                initiator: from,
                peer: to,
                range_end: range.end,
                started: self.now,
                ..SyncStats::default()
            };
            self.open_syncs.insert(pair, self.syncs.len());
            self.syncs.push(stats);
        }
        let m = &mut self.metrics;
        m.merkle_messages += 1;
        m.merkle_hashes_sent += hashes;
        m.merkle_keys_sent += keys;
        m.merkle_bytes_sent += bytes;
        if let Some(&i) = self.open_syncs.get(&pair) {
            let s = &mut self.syncs[i];
            s.messages += 1;
            s.hashes += hashes;
            s.keys += keys;
            s.bytes += bytes;
        }
    }

    /// Every anti-entropy comparison so far, with what it cost (§4.7).
    pub fn syncs(&self) -> &[SyncStats] {
        &self.syncs
    }

    /// Starts an anti-entropy round on every running node now (§4.7).
    pub fn anti_entropy(&mut self) {
        for node in self.node_ids().collect::<Vec<_>>() {
            if self.is_up(node) {
                let mut out = std::mem::take(&mut self.effects);
                self.nodes[node.index()].start_anti_entropy(&mut out);
                self.apply(node, out);
            }
        }
    }

    /// Whether every pair of running replicas of every key range has equal Merkle roots.
    pub fn replicas_agree(&self) -> bool {
        let ranges = key_ranges(&self.ring, self.config.strategy, self.config.n);
        ranges.iter().all(|(range, replicas)| self.roots_agree(*range, replicas))
    }

    /// The key ranges whose running replicas do not all have the same Merkle root (§4.7),
    /// each with those replicas. Without anti-entropy they may stay so after settling.
    pub fn differing_ranges(&self) -> Vec<(KeyRange, Vec<NodeId>)> {
        let ranges = key_ranges(&self.ring, self.config.strategy, self.config.n);
        ranges
            .into_iter()
            .filter(|(range, replicas)| !self.roots_agree(*range, replicas))
            .map(|(range, replicas)| {
                (range, replicas.into_iter().filter(|&r| self.is_up(r)).collect())
            })
            .collect()
    }

    /// Whether the running ones of `replicas` have equal Merkle roots for `range`.
    fn roots_agree(&self, range: KeyRange, replicas: &[NodeId]) -> bool {
        let mut roots = replicas
            .iter()
            .filter(|&&r| self.is_up(r))
            .map(|&r| self.nodes[r.index()].merkle_tree(range).root());
        let first = roots.next();
        roots.all(|root| Some(root) == first)
    }

    fn arrive(&mut self, msg: u64) {
        let Wired { body, from, to, lost, .. } = self.wire.remove(msg);
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
        self.nodes[to.index()].on_message(self.now, from, body, &mut out);
        self.apply(to, out);
    }
}

/// Keeps the context of a client's latest get of a key (allocating only the first time).
fn remember_context(contexts: &mut ClientContexts, client: &Key, key: &Key, context: &VectorClock) {
    let keys = match contexts.get_mut(client) {
        Some(keys) => keys,
        None => contexts.entry(client.clone()).or_default(),
    };
    match keys.get_mut(key) {
        Some(held) => held.clone_from(context),
        None => {
            keys.insert(key.clone(), context.clone());
        }
    }
}

/// Keeps a client's latest get (allocating only the client's first time).
fn remember_latest_read(
    reads: &mut FastHashMap<Key, LatestRead>,
    op: OpId,
    client: &Key,
    key: &Key,
    context: &VectorClock,
) {
    match reads.get_mut(client) {
        Some(read) => {
            read.op = op;
            read.key.clone_from(key);
            read.context.clone_from(context);
        }
        None => {
            reads.insert(
                client.clone(),
                LatestRead { op, key: key.clone(), context: context.clone() },
            );
        }
    }
}

/// What the page needs beyond a scenario run: a message's contents, a clock that moves
/// without events (so time travel can replay a click at the moment it was made), and
/// network settings changed while running.
impl World {
    /// The message `id`, if it is still on the wire: its route and what it carries.
    pub fn message(&self, id: u64) -> Option<(InFlight, &Msg)> {
        self.wire.get(id)
    }

    /// For `key`: each of its top N replicas that is down, and the next node of its
    /// preference list that is up and stands in for it (§4.6), as (stand-in, owner) pairs.
    /// The administrator's view; each coordinator decides by its own view of who is down.
    pub fn stand_ins(&self, key: &str) -> Vec<(NodeId, NodeId)> {
        let list = self.preference_list(key);
        let n = self.config.n.min(list.len());
        let mut spare = list[n..].iter().copied().filter(|&node| self.is_up(node));
        list[..n]
            .iter()
            .filter(|&&owner| !self.is_up(owner))
            .filter_map(|&owner| spare.next().map(|s| (s, owner)))
            .collect()
    }

    /// Moves the clock to `t` without handling any event; nothing may be due before `t`.
    pub fn advance_clock(&mut self, t: Time) {
        debug_assert!(self.next_event_at().is_none_or(|at| at >= t), "no event is skipped");
        self.now = self.now.max(t);
    }

    /// Changes the whole network's latency model and drop rate from now on.
    pub fn set_network(&mut self, latency: Latency, drop_rate: f64) -> Result<(), String> {
        latency.check_at_most(limits::MAX_LATENCY_MS)?;
        if !(0.0..=1.0).contains(&drop_rate) {
            return Err(format!("the drop rate must be between 0 and 1 (got {drop_rate})"));
        }
        self.network.set_latency(latency);
        self.network.drop_rate = drop_rate;
        Ok(())
    }
}

/// Each node's own seed, derived from the world's (for its gossip choices).
fn node_seed(seed: u64, node: NodeId) -> u64 {
    seed ^ (u64::from(node.0) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Checks node ids (present, unique), capacities and explicit token lists.
pub fn validate_nodes(nodes: &[NodeSpec]) -> Result<(), String> {
    if nodes.is_empty() {
        return Err("the cluster needs at least one node".into());
    }
    for (i, node) in nodes.iter().enumerate() {
        if node.name.trim().is_empty() {
            return Err(format!("node #{} has an empty id", i + 1));
        }
        if nodes[..i].iter().any(|other| other.name == node.name) {
            return Err(format!("node id {:?} appears twice", node.name));
        }
        if !(node.capacity.is_finite() && node.capacity > 0.0) {
            return Err(format!(
                "node {:?}: capacity must be a positive number (got {})",
                node.name, node.capacity
            ));
        }
        if node.tokens.as_ref().is_some_and(|t| t.is_empty()) {
            return Err(format!("node {:?}: an explicit token list must not be empty", node.name));
        }
    }
    Ok(())
}

/// Places every node's tokens on the ring (§4.2, §6.2).
fn assign_tokens(spec: &WorldSpec, rng: &mut ChaCha8Rng) -> Result<Ring, String> {
    let mut ring = Ring::new();
    let strategy = spec.config.strategy;
    // Explicit tokens first, so drawn ones can avoid them.
    for (i, node) in spec.nodes.iter().enumerate() {
        let Some(tokens) = &node.tokens else { continue };
        for &t in tokens {
            if ring.contains_token(t) {
                return Err(format!("token {} is given to more than one node", format_position(t)));
            }
            if let Strategy::EqualPartitions { q } = strategy {
                if !(0..q).any(|p| partition_end(q, p) == t) {
                    return Err(format!(
                        "node {:?}: with strategy 3, tokens must be partition ends; {} is not",
                        node.name,
                        format_position(t)
                    ));
                }
            }
            ring.add_node(NodeId(i as u32), &[t]);
        }
    }
    match strategy {
        Strategy::EqualPartitions { q } => deal_partitions(spec, q, &mut ring, rng)?,
        _ => {
            for (i, node) in spec.nodes.iter().enumerate() {
                if node.tokens.is_some() {
                    continue;
                }
                for _ in 0..limits::tokens_for(spec.tokens_per_node, node.capacity) {
                    let mut t: Position = rng.random();
                    while ring.contains_token(t) {
                        t = rng.random();
                    }
                    ring.add_node(NodeId(i as u32), &[t]);
                }
            }
        }
    }
    Ok(ring)
}

/// Strategy 3 (§6.2): the Q partitions not already taken are shuffled and dealt to the
/// nodes without explicit tokens, in proportion to their capacity.
fn deal_partitions(
    spec: &WorldSpec,
    q: u32,
    ring: &mut Ring,
    rng: &mut ChaCha8Rng,
) -> Result<(), String> {
    let mut free: Vec<Position> =
        (0..q).map(|p| partition_end(q, p)).filter(|&t| !ring.contains_token(t)).collect();
    free.shuffle(rng);
    let takers: Vec<usize> =
        (0..spec.nodes.len()).filter(|&i| spec.nodes[i].tokens.is_none()).collect();
    if takers.is_empty() {
        return Ok(());
    }
    if free.len() < takers.len() {
        return Err(format!(
            "strategy 3: only {} free partitions for {} nodes",
            free.len(),
            takers.len()
        ));
    }
    let total: f64 = takers.iter().map(|&i| spec.nodes[i].capacity).sum();
    let mut quota: Vec<usize> = takers
        .iter()
        .map(|&i| ((free.len() as f64 * spec.nodes[i].capacity / total).floor() as usize).max(1))
        .collect();
    // Hand out what rounding left over, one each, in node order.
    let (mut k, takers_count) = (0, quota.len());
    while quota.iter().sum::<usize>() < free.len() {
        quota[k % takers_count] += 1;
        k += 1;
    }
    while quota.iter().sum::<usize>() > free.len() {
        let biggest = (0..quota.len()).max_by_key(|&j| quota[j]).expect("non-empty");
        quota[biggest] -= 1;
    }
    let mut next = free.into_iter();
    for (j, &i) in takers.iter().enumerate() {
        let tokens: Vec<Position> = next.by_ref().take(quota[j]).collect();
        ring.add_node(NodeId(i as u32), &tokens);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_on_the_wire_is_one_cache_line() {
        // An arrival reads one line (a message waits 1–5 ms, long enough to leave the cache).
        assert_eq!(std::mem::size_of::<Option<Wired>>(), 64);
        assert_eq!(std::mem::align_of::<Option<Wired>>(), 64);
    }
}
