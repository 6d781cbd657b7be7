//! Coordinating gets and puts (§4.5, §5): a put is routed to one of the key's top N
//! nodes, which stamps the new version's clock (§4.4), writes it and waits for W acks; a
//! get waits for R replies, answers with every causally unrelated version, then repairs
//! stale replicas. The state machines themselves are in `request.rs`.

use crate::core::clock::{Causality, VectorClock};
use crate::core::message::{ClientReply, Effect, ForwardPut, Msg, OpId, ReqId, Timer};
use crate::core::request::{
    choose_targets, ForwardedPut, GetPhase, GetRequest, PutRequest, Replies, Request, Target,
};
use crate::core::version::{context_of, Version, Versions};
use crate::core::{Key, NodeId, NodeList, Time, Value};

use super::Node;

impl Node {
    /// §4.5: a put is coordinated by one of the key's top N nodes: pass it to the first
    /// this node believes healthy. If every owner seems down, with a sloppy quorum this
    /// node coordinates it; without, the first owner gets it anyway.
    pub(super) fn route_put(
        &mut self,
        now: Time,
        put: Box<ForwardPut>,
        retried: bool,
        out: &mut Vec<Effect>,
    ) {
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

    /// The clock of a new version written here (§4.4): the client's context with this
    /// node's counter bumped past any it has used for the key, then truncated.
    pub(super) fn new_clock(&mut self, key: &Key, context: &VectorClock, now: Time) -> VectorClock {
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
    pub(super) fn arm_request_timers(&self, req: ReqId, out: &mut Vec<Effect>) {
        let replica = Timer::ReplicaTimeout(req);
        out.push(Effect::SetTimer { after: self.config.replica_timeout, timer: replica });
        let request = Timer::RequestTimeout(req);
        out.push(Effect::SetTimer { after: self.config.request_timeout, timer: request });
    }

    /// Passes a put to a top-N node and waits for its answer (§4.5).
    pub(super) fn forward_put(
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
    pub(super) fn send_put(
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
    pub(super) fn coordinate_put(
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
    pub(super) fn answer(
        &self,
        reply_to: Option<(NodeId, ReqId)>,
        reply: ClientReply,
        out: &mut Vec<Effect>,
    ) {
        match reply_to {
            None => out.push(Effect::Reply(reply)),
            Some((node, req)) => out.push(Effect::Send {
                to: node,
                msg: Msg::ForwardReply { req, reply: Box::new(reply) },
            }),
        }
    }

    pub(super) fn on_put_ack(&mut self, req: ReqId, from: NodeId, out: &mut Vec<Effect>) {
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
    pub(super) fn coordinate_get(&mut self, op: OpId, key: Key, out: &mut Vec<Effect>) {
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
    pub(super) fn on_get_reply(
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

    /// Read repair (§5), when a get's reply window closes or as soon as every node asked
    /// has replied: send the reconciled versions to every owner that returned stale
    /// data, then forget the request.
    pub(super) fn read_repair(&mut self, req: ReqId, out: &mut Vec<Effect>) -> bool {
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
    pub(super) fn on_request_timeout(
        &mut self,
        now: Time,
        req: ReqId,
        out: &mut Vec<Effect>,
    ) -> bool {
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
}
