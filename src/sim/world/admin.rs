//! What an administrator and the faults do to a world: joins and leaves (§4.8, §4.9),
//! crashes, recoveries, wiped disks, partitions, faulty links and the network's settings,
//! and anti-entropy on demand (§4.7).

use super::build::{check_name, node_seed};
use super::World;
use crate::core::membership::{MemberStatus, Membership};
use crate::core::node::Node;
use crate::core::partition::Strategy;
use crate::core::ring::{format_position, Position, Ring};
use crate::core::{NodeId, Time, MS};
use crate::sim::limits;
use crate::sim::network::{Latency, LinkFault};
use crate::sim::trace::Event;
use rand::Rng;
use std::collections::BTreeMap;
use std::rc::Rc;

impl World {
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
        self.join_seeded(name, contact, capacity, tokens, None)
    }

    /// [`World::join`] of a node configured with its own `seeds` instead of the cluster's
    /// (§4.8.2): with none, and no contact, it knows only itself.
    pub fn join_seeded(
        &mut self,
        name: &str,
        contact: Option<NodeId>,
        capacity: f64,
        tokens: Option<Vec<Position>>,
        seeds: Option<Vec<NodeId>>,
    ) -> Result<NodeId, String> {
        let equal_partitions = matches!(self.config.strategy, Strategy::EqualPartitions { .. });
        if equal_partitions && tokens.is_some() {
            return Err(format!(
                "join {name}: with strategy 3 a newcomer takes partitions from the others; \
                 tokens cannot be given"
            ));
        }
        limits::check_capacity(name, capacity).map_err(|e| format!("join: {e}"))?;
        check_name(name).map_err(|e| format!("join: {e}"))?;
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
        let ring_tokens = self.ring.tokens().len() + adding;
        limits::check_merkle(ring_tokens, self.config.n, self.config.merkle_depth)
            .map_err(|e| format!("join {name}: {e}"))?;
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
        if let Some(seeds) = &seeds {
            self.nodes[id.index()].configure_seeds(seeds);
        }
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
    pub(super) fn take_partitions(&mut self, capacity: f64) -> Vec<Position> {
        let members: Vec<NodeId> = self.membership.members().collect();
        let total = self.ring.tokens().len();
        let target =
            ((total as f64 * capacity / (members.len() as f64 + capacity)).round() as usize).max(1);
        // (Inserted, not collected: a collected B-tree is sorted first, a sort per type.)
        let mut owned: BTreeMap<NodeId, Vec<Position>> = BTreeMap::new();
        owned.extend(members.iter().map(|&m| (m, self.ring.tokens_of(m))));
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
    pub(super) fn record_command(&mut self, node: NodeId) {
        let record = self.nodes[node.index()]
            .membership()
            .record(node)
            .expect("the node recorded it")
            .clone();
        self.membership.put_record(node, record);
        self.ring = Rc::new(self.membership.ring());
    }

    /// A brand-new node, outside the ring until it joins.
    pub(super) fn add_node(&mut self, name: &str) -> NodeId {
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
        self.hints_held.retain(|&(holder, _, _), _| holder != node);
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
