//! Membership and failure handling at the scale of the ring (§4.8–§4.9): administrator
//! commands, gossip with seeds, and handing keys over when the ring changes.

use super::Node;
use crate::core::accel::compact_sort;
use crate::core::clock::VectorClock;
use crate::core::membership::{MemberStatus, Membership};
use crate::core::message::{Effect, Msg, Note, Timer, TransferAccept, TransferAck};
use crate::core::ring::Position;
use crate::core::version::Version;
use crate::core::{Key, NodeId, Time};
use rand::Rng;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A transfer this node started: who gets which keys — those not yet confirmed stored,
/// with the clocks of the versions last offered or sent.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingTransfer {
    pub to: NodeId,
    pub keys: BTreeMap<Key, Vec<VectorClock>>,
}

/// Another node that offered a key already on its way: (node, transfer, its clocks).
pub type Waiting = (NodeId, u64, Vec<VectorClock>);

/// A key this node agreed to take over.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// On its way from `source` (the first node that offered it, since `since`); the
    /// others that offered it too are answered once it arrives.
    Awaiting { source: NodeId, since: Time, waiting: Vec<Waiting> },
    /// Stored here.
    Stored,
}

impl Node {
    /// The membership history this node knows.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// Whether transfers this node started are still under way.
    pub fn transfers_pending(&self) -> bool {
        !self.transfers.is_empty()
    }

    /// The seeds this node is configured with (§4.8.2), replacing the cluster's: the nodes
    /// it knows by address before it has heard of any other.
    pub fn configure_seeds(&mut self, seeds: &[NodeId]) {
        self.contacts = seeds.iter().copied().filter(|&s| s != self.id).collect();
    }

    /// The administrator joins this node to the ring with `tokens` (§4.8.1); it knows of
    /// `contact` (if any) besides the seeds, and learns the rest by gossip.
    pub fn join(&mut self, tokens: Vec<Position>, contact: Option<NodeId>, out: &mut Vec<Effect>) {
        self.contacts.extend(contact.filter(|&c| c != self.id));
        self.change_own_record(tokens, MemberStatus::Joined, out);
    }

    /// A join where the administrator also hands the node the membership it decided —
    /// with strategy 3 the newcomer takes whole partitions from other nodes (§6.2), so
    /// their records change too.
    pub fn join_with(
        &mut self,
        known: &Membership,
        tokens: Vec<Position>,
        contact: Option<NodeId>,
        out: &mut Vec<Effect>,
    ) {
        let mut next = (*self.membership).clone();
        next.merge(known);
        self.membership = Rc::new(next);
        self.join(tokens, contact, out);
    }

    /// The administrator removes this node from the ring (§4.8.1); it hands its keys to
    /// their new owners (§4.9).
    pub fn leave(&mut self, out: &mut Vec<Effect>) {
        let tokens = self.membership.record(self.id).map(|r| r.tokens.clone()).unwrap_or_default();
        self.change_own_record(tokens, MemberStatus::Left, out);
    }

    fn change_own_record(
        &mut self,
        tokens: Vec<Position>,
        status: MemberStatus,
        out: &mut Vec<Effect>,
    ) {
        let mut next = (*self.membership).clone();
        next.set(self.id, tokens, status);
        self.adopt(Rc::new(next), out);
    }

    /// Takes a new membership view: rebuild the token map and the Merkle trees of the
    /// ranges it now hosts, and hand over the keys whose replicas changed.
    fn adopt(&mut self, membership: Rc<Membership>, out: &mut Vec<Effect>) {
        let old_ring = std::mem::replace(&mut self.ring, Rc::new(membership.ring()));
        self.ring.list_replicas_ahead(self.config.n);
        self.membership = membership;
        self.rebuild_trees();
        self.stranded_scan_due = true;
        out.push(Effect::Note(Note::RingChanged {
            members: self.membership.members().count() as u32,
        }));
        self.offer_moved_keys(&old_ring, out);
    }

    /// One gossip round (§4.8.1): send this node's history to a random peer — a member,
    /// a seed or another known address.
    pub(super) fn gossip(&mut self, out: &mut Vec<Effect>) -> bool {
        out.push(Effect::SetTimer { after: self.config.gossip_interval, timer: Timer::Gossip });
        let mut peers: Vec<NodeId> = self
            .membership
            .records()
            .keys()
            .copied()
            .chain(self.contacts.iter().copied())
            .collect();
        compact_sort::sort_unstable(&mut peers);
        peers.dedup();
        peers.retain(|&p| p != self.id);
        if peers.is_empty() {
            return false;
        }
        let peer = peers[self.rng.random_range(0..peers.len())];
        out.push(Effect::Send {
            to: peer,
            msg: Msg::Gossip { membership: self.membership.clone() },
        });
        true
    }

    /// A peer's history: reconcile (newer records win), and answer with ours if asked.
    pub(super) fn on_gossip(
        &mut self,
        from: NodeId,
        theirs: Rc<Membership>,
        reply: bool,
        out: &mut Vec<Effect>,
    ) {
        self.contacts.insert(from);
        if !Rc::ptr_eq(&theirs, &self.membership) && *theirs != *self.membership {
            let mut merged = (*self.membership).clone();
            if merged.merge(&theirs) {
                // Share the peer's copy when it is exactly what we now hold.
                let merged = if merged == *theirs { theirs.clone() } else { Rc::new(merged) };
                self.adopt(merged, out);
            }
        }
        if reply {
            out.push(Effect::Send {
                to: from,
                msg: Msg::GossipReply { membership: self.membership.clone() },
            });
        }
    }

    /// Keys this node holds without being one of their N replicas (its view of the ring
    /// changed before they arrived, or they were meant for someone else) are offered to
    /// their replicas, and dropped here once those confirm.
    pub(super) fn pass_on_foreign(&mut self, keys: &[Key], out: &mut Vec<Effect>) {
        let n = self.config.n;
        if keys.iter().all(|key| self.replicates(key)) {
            return; // the usual case: nothing to pass on
        }
        let mut moving: BTreeMap<NodeId, Vec<Key>> = BTreeMap::new();
        for key in keys {
            if self.replicates(key) || self.store.versions_of(key).is_empty() {
                continue;
            }
            for node in self.preference_list(key, n) {
                moving.entry(node).or_default().push(key.clone());
            }
        }
        self.start_transfers(moving, out);
    }

    fn start_transfers(&mut self, moving: BTreeMap<NodeId, Vec<Key>>, out: &mut Vec<Effect>) {
        for (to, keys) in moving {
            self.next_transfer += 1;
            let transfer = self.next_transfer;
            let offer = self.offer_of(&keys);
            self.transfers
                .insert(transfer, OutgoingTransfer { to, keys: offer.iter().cloned().collect() });
            let membership = self.membership.clone();
            out.push(Effect::Send {
                to,
                msg: Msg::TransferOffer { transfer, keys: offer, membership },
            });
        }
    }

    /// Keys with the clocks of the versions held, as an offer describes them.
    fn offer_of(&self, keys: &[Key]) -> Vec<(Key, Vec<VectorClock>)> {
        keys.iter()
            .map(|k| {
                (k.clone(), self.store.versions_of(k).iter().map(|v| v.clock.clone()).collect())
            })
            .collect()
    }

    /// Whether this node's versions of `key` cover every clock given: nothing new there.
    fn covers(&self, key: &Key, clocks: &[VectorClock]) -> bool {
        let held = self.store.versions_of(key);
        clocks.iter().all(|c| held.iter().any(|v| v.clock.descends(c)))
    }

    /// After the ring changed: offer every key this node holds to the nodes that have
    /// become one of its N replicas (§4.9).
    fn offer_moved_keys(&mut self, old_ring: &crate::core::ring::Ring, out: &mut Vec<Effect>) {
        let (n, strategy) = (self.config.n, self.config.strategy);
        let mut moving: BTreeMap<NodeId, Vec<Key>> = BTreeMap::new();
        for key in self.store.keys() {
            let start = strategy.walk_start(key.position());
            let before = old_ring.preference_list(start, n);
            for node in self.ring.preference_list(start, n) {
                if node != self.id && !before.contains(&node) {
                    moving.entry(node).or_default().push(key.clone());
                }
            }
        }
        self.start_transfers(moving, out);
    }

    /// Offers again every transfer not yet fully confirmed (messages may have been lost,
    /// or the destination restarted), keeping only keys the destination still replicates.
    pub(super) fn retry_transfers(&mut self, now: Time, out: &mut Vec<Effect>) -> bool {
        out.push(Effect::SetTimer {
            after: self.config.hint_scan_interval,
            timer: Timer::TransferRetry,
        });
        let n = self.config.n;
        let ids: Vec<u64> = self.transfers.keys().copied().collect();
        for id in &ids {
            let t = &self.transfers[id];
            let to = t.to;
            let keys: Vec<Key> = t
                .keys
                .keys()
                .filter(|k| {
                    !self.store.versions_of(k).is_empty()
                        && self.preference_list(k, n).contains(&to)
                })
                .cloned()
                .collect();
            if keys.is_empty() {
                self.transfers.remove(id);
                continue;
            }
            let offer = self.offer_of(&keys);
            self.transfers.get_mut(id).expect("listed above").keys =
                offer.iter().cloned().collect();
            if !self.is_down(to) {
                out.push(Effect::Send {
                    to,
                    msg: Msg::TransferOffer {
                        transfer: *id,
                        keys: offer,
                        membership: self.membership.clone(),
                    },
                });
            }
        }
        // Keys held here that this node does not replicate, and no transfer carries yet
        // (written while its view of the ring was stale): pass them on too. Without
        // hinted handoff a stand-in keeps what it was given, so leave those alone.
        if self.stranded_scan_at.is_some_and(|at| now >= at) {
            self.stranded_scan_at = None;
            self.stranded_scan_due = true;
        }
        if std::mem::take(&mut self.stranded_scan_due)
            && (self.config.hinted_handoff || !self.config.sloppy_quorum)
        {
            let in_transfer = |k: &Key| self.transfers.values().any(|t| t.keys.contains_key(k));
            let stranded: Vec<Key> = self
                .store
                .keys()
                .into_iter()
                .filter(|k| !in_transfer(k) && !self.replicates(k))
                .cloned()
                .collect();
            self.pass_on_foreign(&stranded, out);
        }
        !ids.is_empty() || !self.transfers.is_empty()
    }

    /// An offer: accept the keys not already taken over from another node — the
    /// confirmation round that prevents duplicate transfers (§4.9). Keys already here
    /// are confirmed at once; keys on their way from another node, once they arrive.
    pub(super) fn on_transfer_offer(
        &mut self,
        now: Time,
        from: NodeId,
        transfer: u64,
        keys: Vec<(Key, Vec<VectorClock>)>,
        out: &mut Vec<Effect>,
    ) {
        // A source that has not delivered for this long is given up on (it may have crashed).
        let patience = 4 * self.config.request_timeout;
        let (mut wanted, mut have) = (Vec::new(), Vec::new());
        for (key, clocks) in keys {
            if self.covers(&key, &clocks) && !clocks.is_empty() {
                have.push(key);
                continue;
            }
            match self.incoming.get_mut(&key) {
                Some(Incoming::Awaiting { source, since, waiting })
                    if *source != from && now - *since < patience =>
                {
                    waiting.retain(|(n, t, _)| (*n, *t) != (from, transfer));
                    waiting.push((from, transfer, clocks));
                }
                Some(Incoming::Awaiting { source, since, .. }) => {
                    // The chosen source offers again (its transfer was lost), or it is
                    // overdue and this one takes its place.
                    *source = from;
                    *since = now;
                    wanted.push(key);
                }
                // Not offered before, or stored but this offer has versions we lack.
                None | Some(Incoming::Stored) => {
                    self.incoming.insert(
                        key.clone(),
                        Incoming::Awaiting { source: from, since: now, waiting: Vec::new() },
                    );
                    wanted.push(key);
                }
            }
        }
        let mine = self.replicated_here(&have);
        out.push(Effect::Send {
            to: from,
            msg: Msg::TransferAccept(Box::new(TransferAccept {
                transfer,
                keys: wanted,
                have,
                mine,
            })),
        });
    }

    /// Those of `keys` this node replicates, as it sees the ring.
    fn replicated_here(&self, keys: &[Key]) -> Vec<Key> {
        keys.iter().filter(|k| self.replicates(k)).cloned().collect()
    }

    /// The destination confirmed which keys it wants: send them; those it has are done.
    pub(super) fn on_transfer_accept(
        &mut self,
        transfer: u64,
        keys: Vec<Key>,
        have: Vec<Key>,
        mine: Vec<Key>,
        out: &mut Vec<Effect>,
    ) {
        self.on_transfer_ack(transfer, have, mine, out);
        let Some(t) = self.transfers.get_mut(&transfer) else { return };
        if keys.is_empty() {
            return;
        }
        let entries: Vec<(Key, Vec<Version>)> =
            keys.iter().map(|k| (k.clone(), self.store.versions_of(k).to_vec())).collect();
        for (key, versions) in &entries {
            t.keys.insert(key.clone(), versions.iter().map(|v| v.clock.clone()).collect());
        }
        out.push(Effect::Send { to: t.to, msg: Msg::Transfer { transfer, entries } });
    }

    /// Keys handed over: store them (reconciling with anything already here), confirm to
    /// the sender, and to every other node that offered the same keys meanwhile.
    pub(super) fn on_transfer(
        &mut self,
        now: Time,
        from: NodeId,
        transfer: u64,
        entries: Vec<(Key, Vec<Version>)>,
        out: &mut Vec<Effect>,
    ) {
        let count = entries.len() as u32;
        let keys: Vec<Key> = entries.iter().map(|(k, _)| k.clone()).collect();
        let mut confirm: BTreeMap<(NodeId, u64), Vec<Key>> = BTreeMap::new();
        let mut send_too: BTreeMap<(NodeId, u64), Vec<Key>> = BTreeMap::new();
        for (key, versions) in entries {
            for version in versions {
                self.store_version(&key, version);
            }
            if let Some(Incoming::Awaiting { waiting, .. }) =
                self.incoming.insert(key.clone(), Incoming::Stored)
            {
                // The others that offered the key: confirmed if what arrived covers what
                // they hold, else asked to send theirs too.
                for (node, their_transfer, clocks) in waiting {
                    let answer =
                        if self.covers(&key, &clocks) { &mut confirm } else { &mut send_too };
                    answer.entry((node, their_transfer)).or_default().push(key.clone());
                }
            }
            confirm.entry((from, transfer)).or_default().push(key);
        }
        out.push(Effect::Note(Note::KeysTakenOver { from, keys: count }));
        for ((to, transfer), keys) in confirm {
            let mine = self.replicated_here(&keys);
            out.push(Effect::Send {
                to,
                msg: Msg::TransferAck(Box::new(TransferAck { transfer, keys, mine })),
            });
        }
        for ((to, transfer), keys) in send_too {
            out.push(Effect::Send {
                to,
                msg: Msg::TransferAccept(Box::new(TransferAccept {
                    transfer,
                    keys,
                    have: Vec::new(),
                    mine: Vec::new(),
                })),
            });
        }
        // Keys sent here that this node does not replicate: the sender's view of the ring
        // may be newer than this node's. Keep them for now; pass them on only if, a few
        // gossip rounds later, this node still does not replicate them.
        if keys.iter().any(|k| !self.replicates(k)) {
            let later = now + 2 * self.config.gossip_interval;
            self.stranded_scan_at = Some(self.stranded_scan_at.map_or(later, |at| at.min(later)));
        }
    }

    /// The destination holds these keys: the transfer is over when every key offered is
    /// confirmed. This node drops its copy of a key only if it does not replicate it and
    /// the destination does — both as each sees the ring — so two nodes with stale views
    /// never drop a key because each believes the other keeps it.
    pub(super) fn on_transfer_ack(
        &mut self,
        transfer: u64,
        keys: Vec<Key>,
        mine: Vec<Key>,
        out: &mut Vec<Effect>,
    ) {
        if keys.is_empty() {
            return;
        }
        let Some(t) = self.transfers.get_mut(&transfer) else { return };
        let to = t.to;
        let mut confirmed = Vec::new();
        for key in keys {
            let Some(clocks) = t.keys.get(&key) else { continue };
            // Versions that arrived here after the offer are not confirmed yet: keep the
            // key in the transfer (the retry offers it again).
            let covered = self
                .store
                .versions_of(&key)
                .iter()
                .all(|v| clocks.iter().any(|c| c.descends(&v.clock)));
            if covered {
                t.keys.remove(&key);
                confirmed.push(key);
            }
        }
        if t.keys.is_empty() {
            self.transfers.remove(&transfer);
        }
        let mut dropped = 0;
        for key in confirmed.iter().filter(|k| mine.contains(k)) {
            if !self.replicates(key) {
                self.forget_key(key);
                dropped += 1;
            }
        }
        if !confirmed.is_empty() {
            let keys = confirmed.len() as u32;
            out.push(Effect::Note(Note::KeysHandedOver { to, keys, dropped }));
        }
    }
}
