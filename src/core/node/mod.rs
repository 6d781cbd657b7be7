//! A Dynamo storage node as a sans-I/O state machine (§4.5–§4.9, §5).
//!
//! Inputs arrive through `on_start`, `on_client`, `on_message` and `on_timer`, each with
//! the virtual time; every output is pushed as an [`Effect`] for the driver to carry out.
//! The parts: `requests` (coordinating gets and puts, §4.5, §5), `failures` (failure
//! detection, hinted handoff, §4.6, §4.8.3), `anti_entropy` (Merkle comparisons, §4.7),
//! `membership` (gossip, joins, leaves and key transfers, §4.8, §4.9).

mod anti_entropy;
mod failures;
mod membership;
mod requests;

use super::accel::kept_trees::KeptTrees;
use super::accel::numbered_map::NumberedMap;
use super::clock::Actor;
use super::config::Config;
use super::membership::Membership;
use super::merkle::KeyRange;
use super::message::{
    ClientRequest, Effect, ForwardPut, Msg, Note, ReqId, SyncKeys, Timer, TransferAccept,
};
use super::request::{ForwardedPut, Request};
use super::ring::Ring;
use super::storage::{FastHashMap, MemoryStore, StorageEngine};
use super::version::{add_version, Version, Versions};
use super::{Key, NodeId, NodeList, Time};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Hinted replicas held for other nodes (§4.6): owner → key → versions.
pub type HintStore = BTreeMap<NodeId, BTreeMap<Key, Versions>>;

/// One storage node: its durable stores, its view of the ring and of its peers' health,
/// and the requests it is handling.
#[derive(Clone)]
pub struct Node {
    pub id: NodeId,
    config: Rc<Config>,
    /// The membership history this node knows (§4.8.1), and the token map from it.
    membership: Rc<Membership>,
    ring: Rc<Ring>,
    /// Nodes known by address only (seeds, the node an administrator named at a join).
    contacts: BTreeSet<NodeId>,
    /// The node's own seeded generator, for choosing gossip peers.
    rng: ChaCha8Rng,
    /// Key transfers this node started after a membership change (§4.9).
    transfers: BTreeMap<u64, membership::OutgoingTransfer>,
    next_transfer: u64,
    /// Whether the ring changed since the last look for keys held without being a replica.
    stranded_scan_due: bool,
    /// Keys arrived that this node does not replicate as it sees the ring: the sender,
    /// which chose this node by its own view, may know better. Look again at this time,
    /// when gossip has had time to bring the news (§4.8.1, §4.9).
    stranded_scan_at: Option<Time>,
    /// Keys this node agreed to take over, from whichever node offered them first.
    incoming: BTreeMap<Key, membership::Incoming>,
    store: Box<dyn StorageEngine>,
    /// Replicas kept for nodes believed down, apart from the node's own data (§4.6).
    hints: HintStore,
    /// Which life of its disk this node is in: 0, plus one per wipe. It stamps clocks as
    /// the actor (id, epoch), so that after losing its disk it never reuses a counter it
    /// handed out before (see `clock`). Kept with the node's identity, not on its disk: a
    /// real node would draw a fresh random actor id; counting keeps the names short.
    epoch: u32,
    /// The highest counter this node has put in a clock, per key (durable): a node that
    /// handed a key away and coordinates a write for it again must not reuse a counter,
    /// or two different versions would carry the same clock. (Only looked up, never
    /// listed: a hash map is safe here.)
    issued: FastHashMap<Key, u64>,
    /// Peers this node believes are down, and since when (§4.8.3: purely local).
    down: BTreeMap<NodeId, Time>,
    /// Owners sent a handoff that has not been acknowledged yet.
    handoffs_unanswered: BTreeSet<NodeId>,
    /// Requests this node handles, by number (lost in a crash).
    requests: NumberedMap<ReqId, Request>,
    next_req: u64,
    /// Which (range, peer) pair the next periodic anti-entropy round compares.
    next_sync: u64,
    /// The key ranges this node hosts on its ring, with every replica of each (§4.7).
    hosted: Vec<(KeyRange, Vec<NodeId>)>,
    /// The Merkle tree it keeps for each of them (§4.7), kept up to date as keys change.
    trees: KeptTrees,
}

impl Node {
    /// A node with an empty in-memory store, knowing `membership` (whose token map is
    /// `ring`), drawing its random choices from `seed`.
    pub fn new(
        id: NodeId,
        config: Rc<Config>,
        membership: Rc<Membership>,
        ring: Rc<Ring>,
        seed: u64,
    ) -> Self {
        Self::with_store(id, config, membership, ring, seed, Box::new(MemoryStore::new()))
    }

    /// A node over any storage engine (§5: the engine is pluggable).
    pub fn with_store(
        id: NodeId,
        config: Rc<Config>,
        membership: Rc<Membership>,
        ring: Rc<Ring>,
        seed: u64,
        store: Box<dyn StorageEngine>,
    ) -> Self {
        debug_assert_eq!(*ring, membership.ring(), "the ring is the membership's token map");
        ring.list_replicas_ahead(config.n);
        let contacts = config.seeds.iter().copied().filter(|&s| s != id).collect();
        let mut node = Node {
            id,
            config,
            membership,
            ring,
            contacts,
            rng: ChaCha8Rng::seed_from_u64(seed),
            transfers: BTreeMap::new(),
            next_transfer: 0,
            incoming: BTreeMap::new(),
            stranded_scan_due: false,
            stranded_scan_at: None,
            store,
            hints: HintStore::new(),
            epoch: 0,
            issued: FastHashMap::default(),
            down: BTreeMap::new(),
            handoffs_unanswered: BTreeSet::new(),
            requests: NumberedMap::default(),
            next_req: 0,
            next_sync: 0,
            hosted: Vec::new(),
            trees: KeptTrees::default(),
        };
        node.rebuild_trees();
        node
    }

    /// The node's durable store.
    pub fn store(&self) -> &dyn StorageEngine {
        self.store.as_ref()
    }

    /// The hinted replicas this node holds for others.
    pub fn hints(&self) -> &HintStore {
        &self.hints
    }

    /// The peers this node believes are down, with the time it decided so.
    pub fn believed_down(&self) -> &BTreeMap<NodeId, Time> {
        &self.down
    }

    /// The node's view of the ring.
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// The configuration the node runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Requests being handled here right now.
    pub fn requests(&self) -> impl Iterator<Item = (ReqId, &Request)> {
        self.requests.iter()
    }

    /// Request `req`, if this node is still handling it.
    pub fn request(&self, req: ReqId) -> Option<&Request> {
        self.requests.get(&req)
    }

    /// The key's preference list as this node sees it, `limit` nodes long (§4.3).
    pub fn preference_list(&self, key: &Key, limit: usize) -> NodeList {
        let start = self.config.strategy.walk_start(key.position());
        self.ring.preference_list(start, limit)
    }

    /// Whether this node is one of the key's N replicas as it sees the ring (§4.3).
    pub fn replicates(&self, key: &Key) -> bool {
        let start = self.config.strategy.walk_start(key.position());
        self.ring.is_replica(start, self.id, self.config.n)
    }

    /// The preference list far enough to find N healthy nodes past `used` others: the
    /// top N and the fallbacks after them (§4.3). (Walking the whole ring would cost
    /// O(tokens × nodes) on a thousand-node ring.)
    fn candidates(&self, key: &Key, used: usize) -> NodeList {
        self.preference_list(key, self.config.n + self.down.len() + used)
    }

    fn is_down(&self, peer: NodeId) -> bool {
        peer != self.id && self.down.contains_key(&peer)
    }

    /// A crash: in-flight state (requests, the failure detector's beliefs) is lost; the
    /// durable store and the hint store survive.
    pub fn crash(&mut self) {
        self.requests.clear();
        self.down.clear();
        self.handoffs_unanswered.clear();
        self.transfers.clear();
        self.incoming.clear();
        // Transfers in progress are forgotten: once back, look again for keys held here
        // that belong elsewhere (§4.9), or a key a leaving node was handing over stays put.
        self.stranded_scan_due = true;
    }

    /// The disk is gone too (a permanent failure, §4.7). With it went the record of the
    /// counters this node put in clocks, so it comes back as a new actor (a new epoch).
    pub fn wipe(&mut self) {
        self.crash();
        self.store.wipe();
        self.hints.clear();
        self.issued.clear();
        self.epoch += 1;
        self.trees.clear(); // every tree starts over, empty
        self.rebuild_trees();
    }

    /// The node starts (or restarts after a crash): arm its periodic timers.
    pub fn on_start(&mut self, _now: Time, out: &mut Vec<Effect>) {
        out.push(Effect::SetTimer { after: self.config.probe_interval, timer: Timer::Probe });
        out.push(Effect::SetTimer {
            after: self.config.hint_scan_interval,
            timer: Timer::HintScan,
        });
        if let Some(interval) = self.config.anti_entropy_interval {
            out.push(Effect::SetTimer { after: interval, timer: Timer::AntiEntropy });
        }
        out.push(Effect::SetTimer { after: self.config.gossip_interval, timer: Timer::Gossip });
        out.push(Effect::SetTimer {
            after: self.config.hint_scan_interval,
            timer: Timer::TransferRetry,
        });
    }

    /// A client request arrives at this node (§4.5: any node accepts any request).
    pub fn on_client(&mut self, now: Time, request: ClientRequest, out: &mut Vec<Effect>) {
        match request {
            ClientRequest::Get { op, key } => self.coordinate_get(op, key, out),
            ClientRequest::Put { op, key, value, context } => {
                if self.replicates(&key) {
                    return self.coordinate_put(now, op, key, value, context, None, out);
                }
                let req = self.new_req();
                let put = Box::new(ForwardPut { req, op, key, value, context });
                self.route_put(now, put, false, out);
            }
        }
    }

    /// A message from another node arrives.
    pub fn on_message(&mut self, now: Time, from: NodeId, msg: Msg, out: &mut Vec<Effect>) {
        // Any message proves the sender is up (§4.8.3).
        if self.down.remove(&from).is_some() {
            out.push(Effect::Note(Note::PeerUp(from)));
        }
        match msg {
            Msg::ForwardPut(put) => {
                let ForwardPut { req, op, key, value, context } = *put;
                self.coordinate_put(now, op, key, value, context, Some((from, req)), out)
            }
            Msg::ForwardReply { req, reply } => {
                let ours = |f: &ForwardedPut| f.put.op == reply.op();
                if matches!(self.requests.get(&req), Some(Request::Forwarded(f)) if ours(f)) {
                    self.requests.remove(&req);
                    out.push(Effect::Reply(*reply));
                }
            }
            Msg::Put { req, key, version, hint } => {
                match hint.filter(|_| self.config.hinted_handoff) {
                    Some(owner) => self.store_hint(owner, key, version, out),
                    None => {
                        self.store_version(&key, version);
                        // A stand-in without hinted handoff keeps it as its own; otherwise
                        // a write meant for others (a stale view of the ring) is passed on.
                        if self.config.hinted_handoff || !self.config.sloppy_quorum {
                            self.pass_on_foreign(std::slice::from_ref(&key), out);
                        }
                    }
                }
                out.push(Effect::Send { to: from, msg: Msg::PutAck { req } });
            }
            Msg::PutAck { req } => self.on_put_ack(req, from, out),
            Msg::Get { req, key } => {
                let versions = self.local_versions(&key);
                out.push(Effect::Send { to: from, msg: Msg::GetReply { req, versions } });
            }
            Msg::GetReply { req, versions } => self.on_get_reply(req, from, versions, out),
            Msg::Repair { key, versions } => {
                for version in versions {
                    self.store_version(&key, version);
                }
                self.pass_on_foreign(std::slice::from_ref(&key), out);
            }
            Msg::Ping => out.push(Effect::Send { to: from, msg: Msg::Pong }),
            Msg::Pong => {}
            Msg::Handoff { key, versions } => {
                for version in versions.iter().cloned() {
                    self.store_version(&key, version);
                }
                self.pass_on_foreign(std::slice::from_ref(&key), out);
                out.push(Effect::Send { to: from, msg: Msg::HandoffAck { key, versions } });
            }
            Msg::HandoffAck { key, versions } => self.on_handoff_ack(from, key, versions, out),
            Msg::SyncHashes(sync) => self.on_sync_hashes(from, sync.range, sync.hashes, out),
            Msg::SyncKeys(sync) => {
                let SyncKeys { range, leaves, entries, reply } = *sync;
                self.on_sync_keys(from, range, leaves, entries, reply, out)
            }
            Msg::Gossip { membership } => self.on_gossip(from, membership, true, out),
            Msg::GossipReply { membership } => self.on_gossip(from, membership, false, out),
            Msg::TransferOffer { transfer, keys, membership } => {
                self.on_gossip(from, membership, false, out);
                self.on_transfer_offer(now, from, transfer, keys, out)
            }
            Msg::TransferAccept(accept) => {
                let TransferAccept { transfer, keys, have, mine } = *accept;
                self.on_transfer_accept(transfer, keys, have, mine, out)
            }
            Msg::Transfer { transfer, entries } => {
                self.on_transfer(now, from, transfer, entries, out)
            }
            Msg::TransferAck(ack) => self.on_transfer_ack(ack.transfer, ack.keys, ack.mine, out),
        }
    }

    /// A timer this node set goes off. Returns false if it no longer mattered (its
    /// request had already finished, nothing to probe or hand off), so the driver need
    /// not record it.
    pub fn on_timer(&mut self, now: Time, timer: Timer, out: &mut Vec<Effect>) -> bool {
        match timer {
            Timer::RequestTimeout(req) => self.on_request_timeout(now, req, out),
            Timer::ReplicaTimeout(req) => self.on_replica_timeout(now, req, out),
            Timer::ReadRepair(req) => self.read_repair(req, out),
            Timer::Probe => self.probe(out),
            Timer::HintScan => self.scan_hints(now, out),
            Timer::AntiEntropy => {
                if let Some(interval) = self.config.anti_entropy_interval {
                    out.push(Effect::SetTimer { after: interval, timer: Timer::AntiEntropy });
                }
                self.sync_next_range(out)
            }
            Timer::Gossip => self.gossip(out),
            Timer::TransferRetry => self.retry_transfers(now, out),
        }
    }

    fn new_req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    /// Adds a version to the local store, reconciling syntactically (§4.4).
    fn store_version(&mut self, key: &Key, version: Version) -> bool {
        let changed =
            add_version(self.store.versions_mut(key), version, self.config.reconciliation);
        if changed {
            self.key_changed(key);
        }
        changed
    }

    /// Drops a key from the local store.
    fn forget_key(&mut self, key: &Key) {
        self.store.remove(key);
        self.key_changed(key);
    }

    /// What this node can say about a key: its own versions and any it holds as hints.
    fn local_versions(&self, key: &Key) -> Versions {
        let mut versions = Versions::from(self.store.versions_of(key));
        for held in self.hints.values().filter_map(|keys| keys.get(key)) {
            for v in held {
                add_version(&mut versions, v.clone(), self.config.reconciliation);
            }
        }
        versions
    }

    /// Who this node is in the clocks it stamps: its id in its current life (see `clock`).
    pub fn actor(&self) -> Actor {
        Actor::new(self.id, self.epoch)
    }
}
