//! Building a world: the nodes a scenario declares, their tokens (§4.2, §6.2), and the
//! cluster they start as.

use super::{Metrics, World};
use crate::core::config::Config;
use crate::core::membership::{MemberStatus, Membership};
use crate::core::message::OpId;
use crate::core::node::Node;
use crate::core::partition::{partition_end, Strategy};
use crate::core::ring::{format_position, Position, Ring};
use crate::core::NodeId;
use crate::sim::limits;
use crate::sim::network::{Latency, Network};
use crate::sim::queue::EventQueue;
use crate::sim::trace::Trace;
use crate::sim::wire::Wire;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
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

impl World {
    /// Builds a world, drawing tokens from the seeded PRNG. Refuses impossible specs.
    pub fn new(spec: WorldSpec) -> Result<World, String> {
        limits::check_world(&spec)?;
        validate_nodes(&spec.nodes)?;
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
            syncs: Default::default(),
            open_syncs: BTreeMap::new(),
            hints_held: BTreeMap::new(),
            handling: None,
            wire_ops: BTreeMap::new(),
            next_msg: 0,
            ops: Default::default(),
            open_ops: 0,
            first_open: OpId(1),
            gives_up: None,
            keep_finished_ops: true,
            clients: Default::default(),
            trace: Trace::new(spec.record_trace),
            metrics: Metrics::default(),
            effects: Vec::new(),
        };
        for id in world.node_ids().collect::<Vec<_>>() {
            world.start(id);
        }
        Ok(world)
    }
}

/// Each node's own seed, derived from the world's (for its gossip choices).
pub(super) fn node_seed(seed: u64, node: NodeId) -> u64 {
    seed ^ (u64::from(node.0) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A node's name may not contain `#`: clocks write a wiped node's new identity as `D#1`.
pub(super) fn check_name(name: &str) -> Result<(), String> {
    if name.contains('#') {
        return Err(format!(
            "node id {name:?} must not contain '#': clocks write a wiped node's new identity \
             as its name, '#' and a number"
        ));
    }
    Ok(())
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
        check_name(&node.name)?;
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
pub fn assign_tokens(spec: &WorldSpec, rng: &mut ChaCha8Rng) -> Result<Ring, String> {
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
pub(super) fn deal_partitions(
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
