//! The limits on what a user can ask of the simulator, from a scenario file, a command-line
//! flag, the page's settings or a link. Each is checked before any work starts, with a
//! message that names the field, so that no input can exhaust memory, abort, or run for
//! long: every entry point builds its world through [`check_world`] (via `World::new`),
//! and scenario steps go through [`check_run_time`].
//!
//! | what                                   | limit                          |
//! |----------------------------------------|--------------------------------|
//! | nodes in a cluster (joins included)    | [`MAX_NODES`] = 1,024          |
//! | tokens per node (times its capacity)   | [`MAX_TOKENS_PER_NODE`] = 1,024 |
//! | a node's capacity                      | [`MAX_CAPACITY`] = 64          |
//! | tokens on the ring in all              | [`MAX_RING_TOKENS`] = 65,536   |
//! | Q, the number of partitions (§6.2)     | [`MAX_PARTITIONS`] = 65,536    |
//! | Merkle trees: ranges × N × tree size   | [`MAX_MERKLE_BYTES`] = 512 MiB |
//! | gossip and anti-entropy intervals      | at least [`MIN_PERIOD_MS`] = 10 ms |
//! | timeouts (request, replica)            | [`MIN_TIMEOUT_MS`] 1 ms … [`MAX_TIMEOUT_MS`] 60 s |
//! | latencies (fixed, min/max, mean)       | at most [`MAX_LATENCY_MS`] = 60 s |
//! | virtual time a scenario asks for       | [`MAX_VIRTUAL_MS`] = 10 minutes |
//! | nodes × virtual seconds of a scenario  | [`MAX_NODE_SECONDS`] = 20,000  |
//! | a scenario file (or link), in bytes    | [`MAX_SCENARIO_BYTES`] = 1 MiB |
//! | steps in a scenario                    | [`MAX_STEPS`] = 5,000          |
//! | the background load's interval         | at least [`MIN_LOAD_INTERVAL_MS`] = 0.1 ms |
//! | the background load's keys and clients | at most [`MAX_LOAD_NAMES`] = 1,000 |
//! | keys of `dynamo-sim balance --keys`    | [`MAX_BALANCE_KEYS`] = 1,000,000 |
//! | a key or a client's name               | [`MAX_NAME_CHARS`] = 64 characters |
//! | a value a client puts                  | [`MAX_VALUE_CHARS`] = 1,024 characters |
//!
//! The virtual time a scenario asks for is its last step's `at_ms` plus every `settle`'s
//! bound (`max_ms`, 10 s by default), plus the 10 s the run waits at its end for clients'
//! answers. Measured: 1,024 nodes gossiping and comparing Merkle trees every 10 ms (the
//! costliest settings allowed) run about a virtual second per wall second natively, so no
//! run allowed costs more than about a minute of wall time (a few seconds per virtual
//! second in the browser).

use super::workload::WorkloadSpec;
use super::world::WorldSpec;
use crate::core::{Time, MS};

pub const MAX_NODES: usize = 1_024;
pub const MAX_TOKENS_PER_NODE: u32 = 1_024;
pub const MAX_CAPACITY: f64 = 64.0;
pub const MAX_RING_TOKENS: usize = 65_536;
pub const MAX_PARTITIONS: u32 = 65_536;
pub const MAX_MERKLE_BYTES: u64 = 512 << 20;
pub const MIN_PERIOD_MS: f64 = 10.0;
pub const MIN_TIMEOUT_MS: f64 = 1.0;
pub const MAX_TIMEOUT_MS: f64 = 60_000.0;
pub const MAX_LATENCY_MS: f64 = 60_000.0;
pub const MAX_VIRTUAL_MS: f64 = 600_000.0;
pub const MAX_NODE_SECONDS: f64 = 20_000.0;
pub const MAX_STEPS: usize = 5_000;
pub const MAX_SCENARIO_BYTES: usize = 1 << 20;
pub const MIN_LOAD_INTERVAL_MS: f64 = 0.1;
pub const MAX_LOAD_NAMES: u32 = 1_000;
pub const MAX_BALANCE_KEYS: u32 = 1_000_000;
pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_VALUE_CHARS: usize = 1_024;

/// Checks a client operation's texts: a key and a client name are not empty and at most
/// [`MAX_NAME_CHARS`] long; a value at most [`MAX_VALUE_CHARS`].
pub fn check_operation(client: &str, key: &str, value: Option<&str>) -> Result<(), String> {
    if client.trim().is_empty() {
        return Err("a client's name must not be empty".into());
    }
    if key.trim().is_empty() {
        return Err("a key must not be empty".into());
    }
    let long = |what: &str, text: &str, most: usize| {
        let chars = text.chars().count();
        (chars > most).then(|| format!("{what} has at most {most} characters (got {chars})"))
    };
    let problem = long("a client's name", client, MAX_NAME_CHARS)
        .or_else(|| long("a key", key, MAX_NAME_CHARS))
        .or_else(|| value.and_then(|v| long("a value", v, MAX_VALUE_CHARS)));
    problem.map_or(Ok(()), Err)
}

/// Checks a background load: an operation at most every [`MIN_LOAD_INTERVAL_MS`], between
/// 1 and [`MAX_LOAD_NAMES`] keys and clients, a put ratio between 0 and 1.
pub fn check_load(load: &WorkloadSpec) -> Result<(), String> {
    if (load.interval as f64) < MIN_LOAD_INTERVAL_MS * MS as f64 {
        return Err(format!("load.interval_ms must be at least {MIN_LOAD_INTERVAL_MS}"));
    }
    for (what, count) in [("load.keys", load.keys), ("load.clients", load.clients)] {
        if !(1..=MAX_LOAD_NAMES).contains(&count) {
            return Err(format!("{what} must be between 1 and {MAX_LOAD_NAMES} (got {count})"));
        }
    }
    if !(0.0..=1.0).contains(&load.put_ratio) {
        return Err(format!("load.put_ratio must be between 0 and 1 (got {})", load.put_ratio));
    }
    Ok(())
}

/// Checks a world's sizes, periods and timeouts against the limits above.
pub fn check_world(spec: &WorldSpec) -> Result<(), String> {
    let nodes = spec.nodes.len();
    if nodes > MAX_NODES {
        return Err(format!("a cluster has at most {MAX_NODES} nodes (got {nodes})"));
    }
    if spec.tokens_per_node > MAX_TOKENS_PER_NODE {
        return Err(format!(
            "tokens_per_node must be at most {MAX_TOKENS_PER_NODE} (got {})",
            spec.tokens_per_node
        ));
    }
    let mut ring_tokens = 0usize;
    for node in &spec.nodes {
        check_capacity(&node.name, node.capacity)?;
        ring_tokens += match &node.tokens {
            Some(tokens) => tokens.len(),
            None => tokens_for(spec.tokens_per_node, node.capacity),
        };
    }
    let q = spec.config.strategy.partitions();
    if let Some(q) = q.filter(|&q| q > MAX_PARTITIONS) {
        return Err(format!("partitioning: q must be at most {MAX_PARTITIONS} (got {q})"));
    }
    let ring_tokens = ring_tokens.max(q.unwrap_or(0) as usize);
    if ring_tokens > MAX_RING_TOKENS {
        return Err(format!(
            "the ring would hold {ring_tokens} tokens; at most {MAX_RING_TOKENS} \
             (fewer nodes, tokens_per_node or capacity)"
        ));
    }
    let c = &spec.config;
    check_merkle(ring_tokens, c.n, c.merkle_depth)?;
    check_period("gossip_interval_ms", c.gossip_interval)?;
    if let Some(interval) = c.anti_entropy_interval {
        check_period("anti_entropy_interval_ms", interval)?;
    }
    check_timeout("request_timeout_ms", c.request_timeout)?;
    check_timeout("replica_timeout_ms", c.replica_timeout)?;
    spec.latency.check_at_most(MAX_LATENCY_MS)
}

/// The Merkle trees of a ring of `ring_tokens` key ranges: every one of the N replicas of
/// every range may come to keep a tree of 2^(depth+1) hashes (§4.7).
pub fn check_merkle(ring_tokens: usize, n: usize, depth: u8) -> Result<(), String> {
    let tree_bytes = (2u128 << depth.min(32)) * 16;
    let trees_bytes = (ring_tokens as u128).saturating_mul(n as u128).saturating_mul(tree_bytes);
    if trees_bytes > u128::from(MAX_MERKLE_BYTES) {
        return Err(format!(
            "the Merkle trees of {ring_tokens} key ranges × N = {n} at merkle_depth {depth} \
             would take {} MiB; at most {} MiB (a smaller merkle_depth, or fewer tokens)",
            trees_bytes >> 20,
            MAX_MERKLE_BYTES >> 20
        ));
    }
    Ok(())
}

/// A node's capacity: positive, at most [`MAX_CAPACITY`].
pub fn check_capacity(node: &str, capacity: f64) -> Result<(), String> {
    if !(capacity.is_finite() && capacity > 0.0 && capacity <= MAX_CAPACITY) {
        return Err(format!(
            "node {node:?}: capacity must be a number above 0 and at most {MAX_CAPACITY} \
             (got {capacity})"
        ));
    }
    Ok(())
}

/// How many tokens a node of this capacity draws: T times its capacity, at least one.
pub fn tokens_for(tokens_per_node: u32, capacity: f64) -> usize {
    ((f64::from(tokens_per_node) * capacity).round() as usize).max(1)
}

fn check_period(field: &str, period: Time) -> Result<(), String> {
    if (period as f64) < MIN_PERIOD_MS * MS as f64 || period as f64 > MAX_VIRTUAL_MS * MS as f64 {
        return Err(format!(
            "{field} must be between {MIN_PERIOD_MS} ms and {MAX_VIRTUAL_MS} ms (got {} ms)",
            period as f64 / MS as f64
        ));
    }
    Ok(())
}

fn check_timeout(field: &str, timeout: Time) -> Result<(), String> {
    let ms = timeout as f64 / MS as f64;
    if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&ms) {
        return Err(format!(
            "{field} must be between {MIN_TIMEOUT_MS} ms and {MAX_TIMEOUT_MS} ms (got {ms} ms)"
        ));
    }
    Ok(())
}

/// Checks the virtual time a scenario asks for (`asked_ms`) on `nodes` nodes, and its
/// number of steps.
pub fn check_run_time(asked_ms: f64, nodes: usize, steps: usize) -> Result<(), String> {
    if steps > MAX_STEPS {
        return Err(format!("a scenario has at most {MAX_STEPS} steps (got {steps})"));
    }
    if asked_ms > MAX_VIRTUAL_MS {
        return Err(format!(
            "the steps ask for {asked_ms} ms of virtual time (the last at_ms plus every \
             settle's max_ms, 10000 by default); at most {MAX_VIRTUAL_MS} ms"
        ));
    }
    let node_seconds = asked_ms / 1000.0 * nodes as f64;
    if node_seconds > MAX_NODE_SECONDS {
        return Err(format!(
            "{nodes} nodes for {} s of virtual time is {node_seconds} node-seconds; \
             at most {MAX_NODE_SECONDS} (fewer nodes or a shorter run)",
            asked_ms / 1000.0
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::NodeSpec;

    fn spec(change: impl FnOnce(&mut WorldSpec)) -> Result<(), String> {
        let mut spec = WorldSpec::default();
        change(&mut spec);
        check_world(&spec)
    }

    #[test]
    fn the_default_world_is_within_every_limit() {
        assert_eq!(spec(|_| {}), Ok(()));
    }

    #[test]
    fn every_size_and_period_past_its_limit_is_refused_with_its_field_named() {
        let too_many = |s: &mut WorldSpec| {
            s.nodes = (0..=MAX_NODES).map(|i| NodeSpec::named(&format!("n{i}"))).collect()
        };
        assert!(spec(too_many).unwrap_err().contains("at most 1024 nodes"));
        assert!(spec(|s| s.tokens_per_node = u32::MAX).unwrap_err().contains("tokens_per_node"));
        assert!(spec(|s| s.nodes[0].capacity = 1e300).unwrap_err().contains("capacity"));
        let many_tokens = |s: &mut WorldSpec| {
            s.tokens_per_node = 1_000;
            s.nodes.iter_mut().for_each(|n| n.capacity = 64.0);
        };
        assert!(spec(many_tokens).unwrap_err().contains("tokens; at most 65536"));
        use crate::core::partition::Strategy;
        let huge_q = |s: &mut WorldSpec| s.config.strategy = Strategy::EqualPartitions { q: !0 };
        assert!(spec(huge_q).unwrap_err().contains("q must be at most"));
        let deep = |s: &mut WorldSpec| {
            s.tokens_per_node = 1_000;
            s.config.merkle_depth = 16;
        };
        assert!(spec(deep).unwrap_err().contains("merkle_depth"));
        let fast = |s: &mut WorldSpec| s.config.gossip_interval = 1;
        assert!(spec(fast).unwrap_err().contains("gossip_interval_ms"));
        let fast = |s: &mut WorldSpec| s.config.anti_entropy_interval = Some(MS);
        assert!(spec(fast).unwrap_err().contains("anti_entropy_interval_ms"));
        let long = |s: &mut WorldSpec| s.config.request_timeout = 3_600_000 * MS;
        assert!(spec(long).unwrap_err().contains("request_timeout_ms"));
    }

    #[test]
    fn the_merkle_check_never_overflows_and_a_join_cannot_get_round_it() {
        assert!(check_merkle(usize::MAX, usize::MAX, 200).is_err());
        let mut world = crate::sim::World::new(WorldSpec {
            config: crate::core::config::Config { merkle_depth: 16, ..Default::default() },
            ..WorldSpec::default()
        })
        .unwrap();
        let tokens: Vec<u128> = (1..=40_000u128).map(|i| i << 100).collect();
        let refused = world.join("F", None, 1.0, Some(tokens)).unwrap_err();
        assert!(refused.contains("merkle_depth"), "{refused}");
    }

    #[test]
    fn a_scenario_may_not_ask_for_more_virtual_time_than_the_limit() {
        assert_eq!(check_run_time(MAX_VIRTUAL_MS, 5, 10), Ok(()));
        assert!(check_run_time(1e10, 5, 10).unwrap_err().contains("virtual time"));
        assert!(check_run_time(200_000.0, 1_000, 10).unwrap_err().contains("node-seconds"));
        assert!(check_run_time(10.0, 5, MAX_STEPS + 1).unwrap_err().contains("steps"));
    }
}
