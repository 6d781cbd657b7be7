//! Handling failures (§4.6, §4.8.3): a peer that does not answer is believed down by this
//! node only, probed until it answers; a replica meant for it goes to a stand-in with a
//! hint, kept apart and handed back when the owner is up again.

use crate::core::message::{Effect, Msg, Note, ReqId, Timer};
use crate::core::request::{replacements, Request};
use crate::core::version::{add_version, Version};
use crate::core::{Key, NodeId, Time};

use super::Node;

impl Node {
    /// Marks a peer down in this node's own view (§4.8.3).
    pub(super) fn suspect(&mut self, now: Time, peer: NodeId, out: &mut Vec<Effect>) {
        if peer != self.id && !self.down.contains_key(&peer) {
            self.down.insert(peer, now);
            out.push(Effect::Note(Note::PeerDown(peer)));
        }
    }

    /// Keeps a replica meant for `owner` in the hint store (§4.6).
    pub(super) fn store_hint(
        &mut self,
        owner: NodeId,
        key: Key,
        version: Version,
        out: &mut Vec<Effect>,
    ) {
        debug_assert_ne!(owner, self.id, "a node never holds a hinted replica for itself");
        let held = self.hints.entry(owner).or_default().entry(key.clone()).or_default();
        if add_version(held, version, self.config.reconciliation) {
            out.push(Effect::Note(Note::HintStored { owner, key }));
        }
    }

    /// Replicas that have not answered in time are believed down (§4.8.3); with a sloppy
    /// quorum the request goes to the next healthy nodes of the preference list (§4.6).
    pub(super) fn on_replica_timeout(
        &mut self,
        now: Time,
        req: ReqId,
        out: &mut Vec<Effect>,
    ) -> bool {
        let Some(request) = self.requests.get(&req) else { return false };
        let (silent, key) = (request.silent(), request.key().cloned());
        let Some(key) = key.filter(|_| !silent.is_empty()) else { return false };
        let wants_stand_ins = request.wants_stand_ins();
        let used = request.used();
        for t in &silent {
            self.suspect(now, t.node, out);
        }
        if !self.config.sloppy_quorum || !wants_stand_ins {
            return true;
        }
        let list = self.candidates(&key, used.len() + silent.len());
        let replaced = replacements(&list, self.config.n, used, &silent, |p| self.is_down(p));
        for &(failed, target) in &replaced {
            let Some(request) = self.requests.get_mut(&req) else { break };
            request.retarget(failed, target);
            match request {
                Request::Put(put) => {
                    let version = put.version.clone();
                    self.send_put(req, &key, &version, target, out);
                }
                _ => out.push(Effect::Send {
                    to: target.node,
                    msg: Msg::Get { req, key: key.clone() },
                }),
            }
        }
        if !replaced.is_empty() {
            out.push(Effect::SetTimer {
                after: self.config.replica_timeout,
                timer: Timer::ReplicaTimeout(req),
            });
        }
        true
    }

    /// Pings every peer believed down, so that it is taken back once it answers (§4.8.3).
    pub(super) fn probe(&mut self, out: &mut Vec<Effect>) -> bool {
        out.push(Effect::SetTimer { after: self.config.probe_interval, timer: Timer::Probe });
        for &peer in self.down.keys() {
            out.push(Effect::Send { to: peer, msg: Msg::Ping });
        }
        !self.down.is_empty()
    }

    /// Scans the hint store (§4.6): owners that ignored the last handoff are believed
    /// down; every hinted replica for an owner believed up is handed back.
    pub(super) fn scan_hints(&mut self, now: Time, out: &mut Vec<Effect>) -> bool {
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
    pub(super) fn on_handoff_ack(
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
