//! What there is to see in a world: for the page, the CLI's report and the tests. Nothing
//! here changes the run.

use super::World;
use super::{Metrics, SyncStats};
use crate::core::accel::compact_sort;
use crate::core::clock::{Actor, VectorClock};
use crate::core::config::Config;
use crate::core::membership::Membership;
use crate::core::merkle::{key_ranges, KeyRange};
use crate::core::message::{ClientReply, Msg, Timer};
use crate::core::node::Node;
use crate::core::request::{choose_targets, Request};
use crate::core::ring::Ring;
use crate::core::version::Version;
use crate::core::{Key, NodeId, Time};
use crate::sim::history::History;
use crate::sim::network::Network;
use crate::sim::trace::Trace;
use crate::sim::wire::InFlight;

/// Since when a hinted replica has been kept, and how many times its holder has sent it
/// to its owner (§4.6: kept in a separate local database that is scanned periodically,
/// and delivered to the owner once it has recovered).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HintHeld {
    pub since: Time,
    pub attempts: u32,
}

/// A coordinator waiting on replicas that cannot answer (see [`World::replica_waits`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaWait {
    pub coordinator: NodeId,
    pub key: Key,
    /// The targets it waits on that are down or cut off.
    pub silent: Vec<NodeId>,
    /// When its replica timeout goes off.
    pub until: Time,
}

impl World {
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

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Counters so far.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
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

    /// A key's preference list as `node` sees the ring, by its own membership view — which
    /// differs from [`World::preference_list`] while gossip has not reached it (§4.8).
    pub fn preference_list_seen_by(&self, node: NodeId, key: &str) -> Vec<NodeId> {
        let start = self.config.strategy.walk_start(crate::core::ring::key_position(key));
        let ring = self.nodes[node.index()].membership().ring();
        ring.preference_list(start, usize::MAX).into_vec()
    }

    /// The administrator's membership record.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// Whether every running node's membership view matches the administrator's.
    pub fn memberships_agree(&self) -> bool {
        self.node_ids()
            .filter(|&n| self.is_up(n))
            .all(|n| *self.nodes[n.index()].membership() == self.membership)
    }

    /// The hinted replicas `holder` keeps for others (§4.6), in (owner, key) order: since
    /// when, and how many times it has tried to hand each back.
    pub fn hinted_replicas(&self, holder: NodeId) -> Vec<(NodeId, Key, HintHeld)> {
        let hints = self.nodes[holder.index()].hints();
        let held = hints.iter().flat_map(|(&owner, keys)| keys.keys().map(move |k| (owner, k)));
        held.map(|(owner, key)| {
            let record = self.hints_held.get(&(holder, owner, key.clone()));
            debug_assert!(record.is_some(), "every hinted replica kept was noted when stored");
            (owner, key.clone(), record.copied().unwrap_or_default())
        })
        .collect()
    }

    /// Every anti-entropy comparison so far, with what it cost (§4.7).
    pub fn syncs(&self) -> &History<SyncStats> {
        &self.syncs
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

    /// The running peers among `replicas` whose Merkle root for `range` differs from
    /// `node`'s: the ones anti-entropy will repair, or be repaired by (§4.7).
    pub fn peers_differing(
        &self,
        node: NodeId,
        range: KeyRange,
        replicas: &[NodeId],
    ) -> Vec<NodeId> {
        let root = self.nodes[node.index()].merkle_tree(range).root();
        let differs = |&&peer: &&NodeId| {
            peer != node
                && self.is_up(peer)
                && self.nodes[peer.index()].merkle_tree(range).root() != root
        };
        replicas.iter().filter(differs).copied().collect()
    }

    /// Whether the running ones of `replicas` have equal Merkle roots for `range`.
    pub(super) fn roots_agree(&self, range: KeyRange, replicas: &[NodeId]) -> bool {
        let mut roots = replicas
            .iter()
            .filter(|&&r| self.is_up(r))
            .map(|&r| self.nodes[r.index()].merkle_tree(range).root());
        let first = roots.next();
        roots.all(|root| Some(root) == first)
    }

    /// The message `id`, if it is still on the wire: its route and what it carries.
    pub fn message(&self, id: u64) -> Option<(InFlight, &Msg)> {
        self.wire.get(id)
    }

    /// For `key`: each of its top N replicas that is down, and the node that stands in for
    /// it (§4.6), as (stand-in, owner) pairs: what `request::choose_targets` decides with
    /// the administrator's view of who is down (each coordinator decides by its own view).
    pub fn stand_ins(&self, key: &str) -> Vec<(NodeId, NodeId)> {
        if !self.config.sloppy_quorum {
            return Vec::new(); // a strict quorum has no stand-ins (§4.5)
        }
        let list = self.preference_list(key);
        let targets = choose_targets(&list, self.config.n, true, |node| !self.is_up(node));
        targets.iter().filter_map(|t| t.stands_in_for.map(|owner| (t.node, owner))).collect()
    }

    /// Nodes waiting on others that cannot answer — down, or cut off by a partition — and
    /// when each will give up on them: a coordinator waiting on replicas, or a node that
    /// forwarded a put waiting on the coordinator; a node learns of a failure only by a
    /// timeout (§4.8.3). (Nodes merely slow are left out: every request waits on those for
    /// a moment.) Ordered by when the waits end.
    pub fn replica_waits(&self) -> Vec<ReplicaWait> {
        let mut waits = Vec::new();
        for (until, alarm) in self.queue.timers() {
            let (Timer::ReplicaTimeout(req) | Timer::RequestTimeout(req)) = alarm.timer else {
                continue;
            };
            let coordinator = alarm.node;
            let i = coordinator.index();
            if !self.up[i] || self.incarnation[i] != alarm.incarnation {
                continue; // a timer of a crashed node's past life never goes off
            }
            let Some((_, request)) = self.nodes[i].requests().find(|(id, _)| *id == req) else {
                continue;
            };
            let cannot_answer =
                |n: NodeId| !self.up[n.index()] || !self.network.reachable(coordinator, n);
            let (key, silent): (&Key, Vec<NodeId>) = match (alarm.timer, request) {
                (Timer::RequestTimeout(_), Request::Forwarded(f)) => {
                    (&f.put.key, [f.to].into_iter().filter(|&n| cannot_answer(n)).collect())
                }
                (Timer::ReplicaTimeout(_), _) => {
                    let Some(key) = request.key() else { continue };
                    let silent = request.silent();
                    (key, silent.iter().map(|t| t.node).filter(|&n| cannot_answer(n)).collect())
                }
                _ => continue,
            };
            if !silent.is_empty() {
                waits.push(ReplicaWait { coordinator, key: key.clone(), silent, until });
            }
        }
        compact_sort::sort_unstable_by(&mut waits, |a, b| {
            (a.until, a.coordinator, &a.key).cmp(&(b.until, b.coordinator, &b.key))
        });
        waits
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
}
