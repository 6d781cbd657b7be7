//! A Dynamo storage node as a sans-I/O state machine (§4.5–§4.9, §5).
//!
//! Inputs arrive through `on_start`, `on_client`, `on_message` and `on_timer`, each with
//! the virtual time; every output is pushed as an [`Effect`] for the driver to carry out.
//! Membership, gossip and key transfers live in [`membership`]; the Merkle trees a node
//! keeps and anti-entropy, in [`anti_entropy`].

mod anti_entropy;
mod membership;

use super::accel::kept_trees::KeptTrees;
use super::clock::{Actor, Causality, VectorClock};
use super::config::Config;
use super::membership::Membership;
use super::merkle::KeyRange;
use super::message::{
    ClientReply, ClientRequest, Effect, ForwardPut, Msg, Note, OpId, ReqId, SyncKeys, Timer,
    TransferAccept,
};
use super::numbered_map::NumberedMap;
use super::request::{
    choose_targets, replacement, ForwardedPut, GetPhase, GetRequest, PutRequest, Replies, Request,
    Target,
};
use super::ring::Ring;
use super::storage::{FastHashMap, MemoryStore, StorageEngine};
use super::version::{add_version, context_of, Version, Versions};
use super::{Key, NodeId, NodeList, Time, Value};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Hinted replicas held for other nodes (§4.6): owner → key → versions.
pub type HintStore = BTreeMap<NodeId, BTreeMap<Key, Versions>>;

/// One storage node: its durable stores, its view of the ring and of its peers' health,
/// and the requests it is handling.
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

    /// §4.5: a put is coordinated by one of the key's top N nodes: pass it to the first
    /// this node believes healthy. If every owner seems down, with a sloppy quorum this
    /// node coordinates it; without, the first owner gets it anyway.
    fn route_put(&mut self, now: Time, put: Box<ForwardPut>, retried: bool, out: &mut Vec<Effect>) {
        let top_n = self.preference_list(&put.key, self.config.n);
        let healthy = top_n.iter().copied().find(|&c| !self.is_down(c));
        match healthy.or((!self.config.sloppy_quorum).then_some(top_n[0])) {
            Some(to) => self.forward_put(put, to, retried, out),
            None => {
                let ForwardPut { op, key, value, context, .. } = *put;
                self.coordinate_put(now, op, key, value, context, None, out)
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
            Msg::TransferOffer { transfer, keys } => {
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

    /// Keeps a replica meant for `owner` in the hint store (§4.6).
    fn store_hint(&mut self, owner: NodeId, key: Key, version: Version, out: &mut Vec<Effect>) {
        debug_assert_ne!(owner, self.id, "a node never holds a hinted replica for itself");
        let held = self.hints.entry(owner).or_default().entry(key.clone()).or_default();
        if add_version(held, version, self.config.reconciliation) {
            out.push(Effect::Note(Note::HintStored { owner, key }));
        }
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

    /// Marks a peer down in this node's own view (§4.8.3).
    fn suspect(&mut self, now: Time, peer: NodeId, out: &mut Vec<Effect>) {
        if peer != self.id && !self.down.contains_key(&peer) {
            self.down.insert(peer, now);
            out.push(Effect::Note(Note::PeerDown(peer)));
        }
    }

    /// Who this node is in the clocks it stamps: its id in its current life (see `clock`).
    pub fn actor(&self) -> Actor {
        Actor::new(self.id, self.epoch)
    }

    /// The clock of a new version written here (§4.4): the client's context with this
    /// node's counter bumped past any it has used for the key, then truncated.
    fn new_clock(&mut self, key: &Key, context: &VectorClock, now: Time) -> VectorClock {
        let me = self.actor();
        let hinted = self.hints.values().filter_map(|keys| keys.get(key)).flatten();
        let held = self
            .store
            .versions_of(key)
            .iter()
            .chain(hinted)
            .map(|v| v.clock.counter(me))
            .max()
            .unwrap_or(0);
        let issued = self.issued.entry(key.clone()).or_insert(0);
        let counter = held.max(*issued).max(context.counter(me)) + 1;
        *issued = counter;
        let mut clock = context.clone();
        clock.set(me, counter, now);
        let truncated = clock.truncate(self.config.clock_truncation) > 0;
        debug_assert!(clock.len() <= self.config.clock_truncation, "a clock is truncated");
        debug_assert!(
            truncated || clock.compare(context) == Causality::Descends,
            "a new version descends its context (unless truncation dropped part of it)"
        );
        clock
    }

    /// A coordinated request's two timers: one to notice silent replicas (§4.8.3), one to
    /// give up on the quorum.
    fn arm_request_timers(&self, req: ReqId, out: &mut Vec<Effect>) {
        let replica = Timer::ReplicaTimeout(req);
        out.push(Effect::SetTimer { after: self.config.replica_timeout, timer: replica });
        let request = Timer::RequestTimeout(req);
        out.push(Effect::SetTimer { after: self.config.request_timeout, timer: request });
    }

    /// Passes a put to a top-N node and waits for its answer (§4.5).
    fn forward_put(
        &mut self,
        put: Box<ForwardPut>,
        to: NodeId,
        retried: bool,
        out: &mut Vec<Effect>,
    ) {
        let req = put.req;
        out.push(Effect::Send { to, msg: Msg::ForwardPut(put.clone()) });
        out.push(Effect::SetTimer {
            after: ForwardedPut::patience(&self.config),
            timer: Timer::RequestTimeout(req),
        });
        self.requests.insert(req, Request::Forwarded(ForwardedPut { to, put, retried }));
    }

    /// Sends a version to one replica (with a hint if it stands in for an owner).
    fn send_put(
        &self,
        req: ReqId,
        key: &Key,
        version: &Version,
        target: Target,
        out: &mut Vec<Effect>,
    ) {
        let hint = target.stands_in_for.filter(|_| self.config.hinted_handoff);
        let msg = Msg::Put { req, key: key.clone(), version: version.clone(), hint };
        out.push(Effect::Send { to: target.node, msg });
    }

    /// Coordinates a put (§4.5, §4.6): write locally, send to the other replicas (the
    /// first N healthy nodes with a sloppy quorum), answer after W acknowledgements.
    #[allow(clippy::too_many_arguments)]
    fn coordinate_put(
        &mut self,
        now: Time,
        op: OpId,
        key: Key,
        value: Value,
        context: VectorClock,
        reply_to: Option<(NodeId, ReqId)>,
        out: &mut Vec<Effect>,
    ) {
        let version = Version::new(value, self.new_clock(&key, &context, now), now);
        let list = self.candidates(&key, 0);
        let targets =
            choose_targets(&list, self.config.n, self.config.sloppy_quorum, |p| self.is_down(p));
        let req = self.new_req();
        let mut acked = NodeList::new();
        for &target in &targets {
            if target.node == self.id {
                match target.stands_in_for.filter(|_| self.config.hinted_handoff) {
                    Some(owner) => self.store_hint(owner, key.clone(), version.clone(), out),
                    None => {
                        self.store_version(&key, version.clone());
                    }
                }
                acked.push(self.id);
            } else {
                self.send_put(req, &key, &version, target, out);
            }
        }
        let put = PutRequest { op, key, version, targets, acked, w: self.config.w, reply_to };
        if put.has_quorum() {
            let version = put.version.clone();
            self.answer(reply_to, ClientReply::Put { op, version, coordinator: self.id }, out);
        }
        if put.is_complete() {
            return;
        }
        self.requests.insert(req, Request::Put(Box::new(put)));
        self.arm_request_timers(req, out);
    }

    /// Answers the client: directly, or through the node that forwarded the request.
    fn answer(&self, reply_to: Option<(NodeId, ReqId)>, reply: ClientReply, out: &mut Vec<Effect>) {
        match reply_to {
            None => out.push(Effect::Reply(reply)),
            Some((node, req)) => out.push(Effect::Send {
                to: node,
                msg: Msg::ForwardReply { req, reply: Box::new(reply) },
            }),
        }
    }

    fn on_put_ack(&mut self, req: ReqId, from: NodeId, out: &mut Vec<Effect>) {
        let Some(Request::Put(put)) = self.requests.get_mut(&req) else { return };
        if put.on_ack(from) {
            let (reply_to, reply) = (
                put.reply_to,
                ClientReply::Put { op: put.op, version: put.version.clone(), coordinator: self.id },
            );
            self.answer(reply_to, reply, out);
        }
        if matches!(self.requests.get(&req), Some(Request::Put(put)) if put.is_complete()) {
            self.requests.remove(&req);
        }
    }

    /// Coordinates a get (§4.5, §4.6): ask N replicas (the first N healthy with a sloppy
    /// quorum), answer after R replies.
    fn coordinate_get(&mut self, op: OpId, key: Key, out: &mut Vec<Effect>) {
        let list = self.candidates(&key, 0);
        let targets =
            choose_targets(&list, self.config.n, self.config.sloppy_quorum, |p| self.is_down(p));
        let owners: NodeList = list[..self.config.n.min(list.len())].into();
        let req = self.new_req();
        for t in targets.iter().filter(|t| t.node != self.id) {
            out.push(Effect::Send { to: t.node, msg: Msg::Get { req, key: key.clone() } });
        }
        let local = targets.iter().any(|t| t.node == self.id).then(|| self.local_versions(&key));
        let replies = Replies::new();
        let (r, policy, phase) = (self.config.r, self.config.reconciliation, GetPhase::Collecting);
        let asked = targets.len() as u32;
        let get = GetRequest {
            op,
            key,
            owners,
            targets,
            asked,
            replies,
            r,
            phase,
            policy,
            merged: Versions::new(),
        };
        self.requests.insert(req, Request::Get(Box::new(get)));
        self.arm_request_timers(req, out);
        if let Some(versions) = local {
            let id = self.id;
            self.on_get_reply(req, id, versions, out);
        }
    }

    /// A replica's versions (§4.5): the R-th reply answers the client; then read repair
    /// (§5) waits a short while for the replies still outstanding, and none is once
    /// every node asked has replied: the repair is then made at once.
    fn on_get_reply(
        &mut self,
        req: ReqId,
        from: NodeId,
        versions: Versions,
        out: &mut Vec<Effect>,
    ) {
        let Some(Request::Get(get)) = self.requests.get_mut(&req) else { return };
        if get.on_reply(from, versions) {
            let found = get.reconciled();
            let context = context_of(&found);
            out.push(Effect::Reply(ClientReply::Got { op: get.op, versions: found, context }));
            get.phase = GetPhase::Answered;
            if !self.config.read_repair {
                self.requests.remove(&req);
                return;
            }
            if !get.all_replied() {
                out.push(Effect::SetTimer {
                    after: self.config.read_repair_window,
                    timer: Timer::ReadRepair(req),
                });
            }
        }
        if get.phase == GetPhase::Answered && get.all_replied() {
            self.read_repair(req, out);
        }
    }

    /// Replicas that have not answered in time are believed down (§4.8.3); with a sloppy
    /// quorum the request goes to the next healthy nodes of the preference list (§4.6).
    fn on_replica_timeout(&mut self, now: Time, req: ReqId, out: &mut Vec<Effect>) -> bool {
        let (silent, replace) = match self.requests.get(&req) {
            Some(Request::Put(put)) => (put.silent(), true),
            // A get already answered needs no stand-ins, but silence still counts.
            Some(Request::Get(get)) => (get.silent(), get.phase == GetPhase::Collecting),
            _ => return false,
        };
        if silent.is_empty() {
            return false;
        }
        for t in &silent {
            self.suspect(now, t.node, out);
        }
        if !self.config.sloppy_quorum || !replace {
            return true;
        }
        let key = match &self.requests[&req] {
            Request::Put(put) => put.key.clone(),
            Request::Get(get) => get.key.clone(),
            Request::Forwarded(_) => unreachable!("matched above"),
        };
        let mut used = self.targets_of(req);
        let list = self.candidates(&key, used.len() + silent.len());
        let mut added = Vec::new();
        for failed in silent {
            if let Some(next) =
                replacement(&list, self.config.n, &used, failed, |p| self.is_down(p))
            {
                used.push(next);
                added.push((failed.node, next));
            }
        }
        for &(failed, target) in &added {
            match self.requests.get_mut(&req) {
                Some(Request::Put(put)) => {
                    put.targets.retain(|t| t.node != failed);
                    put.targets.push(target);
                    let (key, version) = (put.key.clone(), put.version.clone());
                    self.send_put(req, &key, &version, target, out);
                }
                Some(Request::Get(get)) => {
                    get.targets.retain(|t| t.node != failed);
                    get.targets.push(target);
                    get.asked += 1;
                    out.push(Effect::Send {
                        to: target.node,
                        msg: Msg::Get { req, key: get.key.clone() },
                    });
                }
                _ => {}
            }
        }
        if !added.is_empty() {
            out.push(Effect::SetTimer {
                after: self.config.replica_timeout,
                timer: Timer::ReplicaTimeout(req),
            });
        }
        true
    }

    /// Every node a request has used, including those given up on (never reused).
    fn targets_of(&self, req: ReqId) -> Vec<Target> {
        let (targets, answered): (&[Target], NodeList) = match self.requests.get(&req) {
            Some(Request::Put(put)) => (&put.targets, put.acked.clone()),
            Some(Request::Get(get)) => {
                (&get.targets, get.replies.iter().map(|(n, _)| *n).collect())
            }
            _ => return Vec::new(),
        };
        let mut used = targets.to_vec();
        used.extend(answered.into_iter().map(|node| Target { node, stands_in_for: None }));
        used
    }

    /// Read repair (§5), when a get's reply window closes or as soon as every node asked
    /// has replied: send the reconciled versions to every owner that returned stale
    /// data, then forget the request.
    fn read_repair(&mut self, req: ReqId, out: &mut Vec<Effect>) -> bool {
        let Some(request) = self.requests.remove(&req) else { return false };
        let Request::Get(get) = &request else { return false };
        let reconciled = get.merged.as_slice();
        for stale in get.stale_replicas(reconciled) {
            if stale == self.id {
                for version in reconciled.iter().cloned() {
                    self.store_version(&get.key, version);
                }
            } else {
                out.push(Effect::Send {
                    to: stale,
                    msg: Msg::Repair { key: get.key.clone(), versions: reconciled.to_vec() },
                });
            }
        }
        true
    }

    /// The request did not complete in time: fail it (a get already answered is left to
    /// its read-repair timer). A forwarded put whose coordinator never answered makes
    /// this node believe the coordinator is down.
    fn on_request_timeout(&mut self, now: Time, req: ReqId, out: &mut Vec<Effect>) -> bool {
        let error = match self.requests.get(&req) {
            Some(Request::Put(put)) if put.has_quorum() => {
                // Answered long ago; stop waiting for the stragglers.
                self.requests.remove(&req);
                return false;
            }
            Some(Request::Put(put)) => {
                format!("put timed out: {} of W={} replicas acknowledged", put.acked.len(), put.w)
            }
            Some(Request::Get(get)) if get.phase == GetPhase::Collecting => {
                format!("get timed out: {} of R={} replicas replied", get.replies.len(), get.r)
            }
            Some(Request::Forwarded(f)) if !f.retried => {
                // The coordinator stayed silent: believe it down, and try the next one.
                let Some(Request::Forwarded(f)) = self.requests.remove(&req) else {
                    unreachable!("matched above")
                };
                self.suspect(now, f.to, out);
                self.route_put(now, f.put, true, out);
                return true;
            }
            Some(Request::Forwarded(_)) => {
                "put timed out: the two coordinators it was forwarded to did not answer".to_string()
            }
            _ => return false,
        };
        let Some(request) = self.requests.remove(&req) else { return false };
        match request {
            Request::Put(put) => {
                self.answer(put.reply_to, ClientReply::Failed { op: put.op, error }, out)
            }
            Request::Get(get) => out.push(Effect::Reply(ClientReply::Failed { op: get.op, error })),
            Request::Forwarded(f) => {
                self.suspect(now, f.to, out);
                out.push(Effect::Reply(ClientReply::Failed { op: f.put.op, error }));
            }
        }
        true
    }

    /// Pings every peer believed down, so that it is taken back once it answers (§4.8.3).
    fn probe(&mut self, out: &mut Vec<Effect>) -> bool {
        out.push(Effect::SetTimer { after: self.config.probe_interval, timer: Timer::Probe });
        for &peer in self.down.keys() {
            out.push(Effect::Send { to: peer, msg: Msg::Ping });
        }
        !self.down.is_empty()
    }

    /// Scans the hint store (§4.6): owners that ignored the last handoff are believed
    /// down; every hinted replica for an owner believed up is handed back.
    fn scan_hints(&mut self, now: Time, out: &mut Vec<Effect>) -> bool {
        out.push(Effect::SetTimer {
            after: self.config.hint_scan_interval,
            timer: Timer::HintScan,
        });
        for owner in std::mem::take(&mut self.handoffs_unanswered) {
            self.suspect(now, owner, out);
        }
        let mut sent = false;
        for (&owner, keys) in &self.hints {
            if self.down.contains_key(&owner) {
                continue;
            }
            for (key, versions) in keys {
                let msg = Msg::Handoff { key: key.clone(), versions: versions.to_vec() };
                out.push(Effect::Send { to: owner, msg });
                sent = true;
            }
            self.handoffs_unanswered.insert(owner);
        }
        sent
    }

    /// The owner stored a handed-back replica: delete the hint, unless it changed since.
    fn on_handoff_ack(
        &mut self,
        owner: NodeId,
        key: Key,
        versions: Vec<Version>,
        out: &mut Vec<Effect>,
    ) {
        self.handoffs_unanswered.remove(&owner);
        let Some(keys) = self.hints.get_mut(&owner) else { return };
        if keys.get(&key).is_some_and(|held| held.as_slice() == versions.as_slice()) {
            keys.remove(&key);
            out.push(Effect::Note(Note::HintDelivered { owner, key }));
        }
        if keys.is_empty() {
            self.hints.remove(&owner);
        }
    }
}
