//! A Dynamo storage node as a sans-I/O state machine (§4.5, §5).
//!
//! Inputs arrive through `on_client`, `on_message` and `on_timer`, each with the virtual
//! time; every output is pushed as an [`Effect`] for the driver to carry out.

use super::clock::VectorClock;
use super::config::Config;
use super::message::{ClientReply, ClientRequest, Effect, Msg, OpId, ReqId, Timer};
use super::request::{GetPhase, GetRequest, PutRequest, Request};
use super::ring::{key_position, Ring};
use super::storage::{MemoryStore, StorageEngine};
use super::version::{add_version, context_of, Version};
use super::{Key, NodeId, Time, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

/// One storage node: its durable store, its view of the ring, and the requests it is
/// coordinating.
pub struct Node {
    pub id: NodeId,
    config: Rc<Config>,
    ring: Rc<Ring>,
    store: Box<dyn StorageEngine>,
    /// Requests this node coordinates, by number (lost in a crash).
    requests: BTreeMap<ReqId, Request>,
    next_req: u64,
}

impl Node {
    /// A node with an empty in-memory store.
    pub fn new(id: NodeId, config: Rc<Config>, ring: Rc<Ring>) -> Self {
        Self::with_store(id, config, ring, Box::new(MemoryStore::new()))
    }

    /// A node over any storage engine (§5: the engine is pluggable).
    pub fn with_store(id: NodeId, config: Rc<Config>, ring: Rc<Ring>, store: Box<dyn StorageEngine>) -> Self {
        Node { id, config, ring, store, requests: BTreeMap::new(), next_req: 0 }
    }

    /// The node's durable store.
    pub fn store(&self) -> &dyn StorageEngine {
        self.store.as_ref()
    }

    /// The node's view of the ring.
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// The configuration the node runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Requests being coordinated here right now.
    pub fn requests(&self) -> impl Iterator<Item = (&ReqId, &Request)> {
        self.requests.iter()
    }

    /// The key's preference list as this node sees it, `limit` nodes long (§4.3).
    pub fn preference_list(&self, key: &str, limit: usize) -> Vec<NodeId> {
        let start = self.config.strategy.walk_start(key_position(key));
        self.ring.preference_list(start, limit)
    }

    /// A crash: in-flight request state is lost; the durable store survives.
    pub fn crash(&mut self) {
        self.requests.clear();
    }

    /// The disk is gone too (a permanent failure, §4.7).
    pub fn wipe(&mut self) {
        self.requests.clear();
        self.store.wipe();
    }

    /// A client request arrives at this node (§4.5: any node accepts any request).
    pub fn on_client(&mut self, now: Time, request: ClientRequest, out: &mut Vec<Effect>) {
        match request {
            ClientRequest::Get { op, key } => self.coordinate_get(op, key, out),
            ClientRequest::Put { op, key, value, context } => {
                let top_n = self.preference_list(&key, self.config.n);
                if top_n.contains(&self.id) {
                    self.coordinate_put(now, op, key, value, context, &top_n, out);
                } else {
                    // §4.5: a put is coordinated by one of the key's top N nodes.
                    out.push(Effect::Send { to: top_n[0], msg: Msg::ForwardPut { op, key, value, context } });
                }
            }
        }
    }

    /// A message from another node arrives.
    pub fn on_message(&mut self, now: Time, from: NodeId, msg: Msg, out: &mut Vec<Effect>) {
        match msg {
            Msg::ForwardPut { op, key, value, context } => {
                let top_n = self.preference_list(&key, self.config.n);
                self.coordinate_put(now, op, key, value, context, &top_n, out);
            }
            Msg::Put { req, key, version } => {
                self.store_version(&key, version);
                out.push(Effect::Send { to: from, msg: Msg::PutAck { req } });
            }
            Msg::PutAck { req } => self.on_put_ack(req, from, out),
            Msg::Get { req, key } => {
                let versions = self.store.get(&key).to_vec();
                out.push(Effect::Send { to: from, msg: Msg::GetReply { req, versions } });
            }
            Msg::GetReply { req, versions } => self.on_get_reply(req, from, versions, out),
            Msg::Repair { key, versions } => {
                for version in versions {
                    self.store_version(&key, version);
                }
            }
        }
    }

    /// A timer this node set goes off. Returns false if it no longer mattered (its
    /// request had already finished), so the driver need not record it.
    pub fn on_timer(&mut self, _now: Time, timer: Timer, out: &mut Vec<Effect>) -> bool {
        match timer {
            Timer::RequestTimeout(req) => self.on_request_timeout(req, out),
            Timer::ReadRepair(req) => self.read_repair(req, out),
        }
    }

    fn new_req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    /// Adds a version to the local store, reconciling syntactically (§4.4).
    fn store_version(&mut self, key: &str, version: Version) -> bool {
        add_version(self.store.versions_mut(key), version, self.config.reconciliation)
    }

    /// The clock of a new version written here (§4.4): the client's context with this
    /// node's counter bumped past any it has used for the key, then truncated.
    fn new_clock(&self, key: &str, context: &VectorClock, now: Time) -> VectorClock {
        let used = self.store.get(key).iter().map(|v| v.clock.counter(self.id)).max().unwrap_or(0);
        let mut clock = context.clone();
        clock.set(self.id, used.max(context.counter(self.id)) + 1, now);
        clock.truncate(self.config.clock_truncation);
        clock
    }

    /// Coordinates a put (§4.5): write locally, send to the other top-N replicas, answer
    /// after W acknowledgements (this node's own write is the first).
    #[allow(clippy::too_many_arguments)]
    fn coordinate_put(
        &mut self,
        now: Time,
        op: OpId,
        key: Key,
        value: Value,
        context: VectorClock,
        top_n: &[NodeId],
        out: &mut Vec<Effect>,
    ) {
        let version = Version { value, clock: self.new_clock(&key, &context, now), written_at: now };
        self.store_version(&key, version.clone());
        let req = self.new_req();
        for &replica in top_n.iter().filter(|&&n| n != self.id) {
            out.push(Effect::Send { to: replica, msg: Msg::Put { req, key: key.clone(), version: version.clone() } });
        }
        let put = PutRequest { op, key, version, acked: vec![self.id], w: self.config.w };
        if put.has_quorum() {
            out.push(Effect::Reply(ClientReply::Put { op, version: put.version }));
            return;
        }
        self.requests.insert(req, Request::Put(put));
        out.push(Effect::SetTimer { after: self.config.request_timeout, timer: Timer::RequestTimeout(req) });
    }

    fn on_put_ack(&mut self, req: ReqId, from: NodeId, out: &mut Vec<Effect>) {
        let Some(Request::Put(put)) = self.requests.get_mut(&req) else { return };
        if put.on_ack(from) {
            out.push(Effect::Reply(ClientReply::Put { op: put.op, version: put.version.clone() }));
            self.requests.remove(&req);
        }
    }

    /// Coordinates a get (§4.5): ask the key's N replicas, answer after R replies.
    fn coordinate_get(&mut self, op: OpId, key: Key, out: &mut Vec<Effect>) {
        let replicas = self.preference_list(&key, self.config.n);
        let req = self.new_req();
        for &replica in replicas.iter().filter(|&&n| n != self.id) {
            out.push(Effect::Send { to: replica, msg: Msg::Get { req, key: key.clone() } });
        }
        let local = replicas.contains(&self.id).then(|| self.store.get(&key).to_vec());
        let get = GetRequest { op, key, replicas, replies: Vec::new(), r: self.config.r, phase: GetPhase::Collecting };
        self.requests.insert(req, Request::Get(get));
        out.push(Effect::SetTimer { after: self.config.request_timeout, timer: Timer::RequestTimeout(req) });
        if let Some(versions) = local {
            let id = self.id;
            self.on_get_reply(req, id, versions, out);
        }
    }

    fn on_get_reply(&mut self, req: ReqId, from: NodeId, versions: Vec<Version>, out: &mut Vec<Effect>) {
        let Some(Request::Get(get)) = self.requests.get_mut(&req) else { return };
        if !get.on_reply(from, versions) {
            return;
        }
        let found = get.reconciled(self.config.reconciliation);
        let context = context_of(&found);
        out.push(Effect::Reply(ClientReply::Got { op: get.op, versions: found, context }));
        get.phase = GetPhase::Answered;
        if self.config.read_repair {
            out.push(Effect::SetTimer { after: self.config.read_repair_window, timer: Timer::ReadRepair(req) });
        } else {
            self.requests.remove(&req);
        }
    }

    /// After a get's reply window (§5): send the reconciled versions to every replica
    /// that returned stale data, then forget the request.
    fn read_repair(&mut self, req: ReqId, out: &mut Vec<Effect>) -> bool {
        let Some(Request::Get(get)) = self.requests.remove(&req) else { return false };
        let reconciled = get.reconciled(self.config.reconciliation);
        for stale in get.stale_replicas(&reconciled) {
            if stale == self.id {
                for version in reconciled.iter().cloned() {
                    self.store_version(&get.key, version);
                }
            } else {
                out.push(Effect::Send { to: stale, msg: Msg::Repair { key: get.key.clone(), versions: reconciled.clone() } });
            }
        }
        true
    }

    /// The quorum did not come in time: fail the request (a get already answered is left
    /// to its read-repair timer).
    fn on_request_timeout(&mut self, req: ReqId, out: &mut Vec<Effect>) -> bool {
        let error = match self.requests.get(&req) {
            Some(Request::Put(put)) => format!(
                "put timed out: {} of W={} replicas acknowledged",
                put.acked.len(),
                put.w
            ),
            Some(Request::Get(get)) if get.phase == GetPhase::Collecting => format!(
                "get timed out: {} of R={} replicas replied",
                get.replies.len(),
                get.r
            ),
            _ => return false,
        };
        let Some(request) = self.requests.remove(&req) else { return false };
        let op = match request {
            Request::Put(put) => put.op,
            Request::Get(get) => get.op,
        };
        out.push(Effect::Reply(ClientReply::Failed { op, error }));
        true
    }
}
