//! The JSON result document of a run (DESIGN.md, "Scenario file format"): per-step
//! results, the final state of every node, metrics, and the trace hash.

use super::world::World;
use crate::core::clock::VectorClock;
use crate::core::merkle::KeyRange;
use crate::core::message::{ClientReply, OpId};
use crate::core::ring::format_position;
use crate::core::version::Version;
use crate::core::{NodeId, Time};
use serde_json::{json, Map, Value};

/// A clock as a JSON object of actor → counter, e.g. `{"Sx": 2, "Sy": 1}` (an actor is a
/// node's name, then `#epoch` after a wipe: `{"Sx": 2, "Sx#1": 1}`).
pub fn clock_json(world: &World, clock: &VectorClock) -> Value {
    let map: Map<String, Value> =
        clock.entries().map(|(a, e)| (world.actor_name(a), json!(e.counter))).collect();
    Value::Object(map)
}

/// Versions as `[{"value": ..., "clock": {...}}]`.
pub fn versions_json(world: &World, versions: &[Version]) -> Value {
    versions
        .iter()
        .map(|v| json!({"value": &*v.value, "clock": clock_json(world, &v.clock)}))
        .collect()
}

fn ms(t: Time) -> f64 {
    t as f64 / 1000.0
}

/// The result entry of a get or put step.
pub fn op_result(world: &World, op_name: &str, op: OpId) -> Value {
    let record = world.op(op).expect("the op was opened by this world");
    let mut result = json!({
        "op": op_name,
        "client": &*record.client,
        "key": &*record.key,
        "via": world.name(record.via),
        "at_ms": ms(record.started),
    });
    let fields = result.as_object_mut().expect("built as an object");
    match record.outcome.as_deref() {
        Some(ClientReply::Got { versions, context, .. }) => {
            fields.insert("ok".into(), json!(true));
            fields.insert("versions".into(), versions_json(world, versions));
            fields.insert("context".into(), clock_json(world, context));
        }
        Some(ClientReply::Put { version, .. }) => {
            fields.insert("ok".into(), json!(true));
            fields.insert("value".into(), json!(&*version.value));
            fields.insert("clock".into(), clock_json(world, &version.clock));
        }
        Some(ClientReply::Failed { error, .. }) => {
            fields.insert("ok".into(), json!(false));
            fields.insert("error".into(), json!(error));
        }
        None if record.finished.is_some() => {
            fields.insert("ok".into(), json!(false));
            fields.insert(
                "error".into(),
                json!("answered, but the answer was not kept (finished operations are not kept)"),
            );
        }
        None => {
            fields.insert("ok".into(), json!(false));
            fields.insert("error".into(), json!("no answer before the run ended"));
        }
    }
    if let Some(done) = record.finished {
        fields.insert("latency_ms".into(), json!(ms(done - record.started)));
    }
    result
}

/// Key ranges whose replicas differ, as `[{"start", "end", "replicas"}]` (§4.7).
pub fn ranges_json(world: &World, ranges: &[(KeyRange, Vec<NodeId>)]) -> Value {
    let range_json = |(range, replicas): &(KeyRange, Vec<NodeId>)| {
        let names: Vec<&str> = replicas.iter().map(|&r| world.name(r)).collect();
        let (start, end) = (format_position(range.start), format_position(range.end));
        json!({"start": start, "end": end, "replicas": names})
    };
    ranges.iter().map(range_json).collect()
}

/// Per node: whether it is up, its store (key → versions), its hinted replicas, its
/// views, and the ranges it replicates whose replicas still differ.
pub fn final_state(world: &World) -> Value {
    let mut nodes = Map::new();
    let differing = world.differing_ranges();
    for id in world.node_ids() {
        let store = world.node(id).store();
        let keys: Map<String, Value> = store
            .keys()
            .into_iter()
            .map(|k| (k.to_string(), versions_json(world, store.versions_of(k))))
            .collect();
        let hints: Map<String, Value> = world
            .node(id)
            .hints()
            .iter()
            .map(|(&owner, keys)| {
                let keys: Map<String, Value> =
                    keys.iter().map(|(k, vs)| (k.to_string(), versions_json(world, vs))).collect();
                (world.name(owner).to_string(), Value::Object(keys))
            })
            .collect();
        let down: Vec<&str> =
            world.node(id).believed_down().keys().map(|&p| world.name(p)).collect();
        let members: Vec<&str> =
            world.node(id).membership().members().map(|m| world.name(m)).collect();
        let mine: Vec<(KeyRange, Vec<NodeId>)> =
            differing.iter().filter(|(_, r)| r.contains(&id)).cloned().collect();
        nodes.insert(
            world.name(id).to_string(),
            json!({
                "up": world.is_up(id),
                "store": keys,
                "hints": hints,
                "believes_down": down,
                "ring_members": members,
                "differing_ranges": ranges_json(world, &mine),
            }),
        );
    }
    Value::Object(nodes)
}

/// The `p`-th percentile (0–100) of latencies in microseconds, as milliseconds.
pub fn percentile(latencies: &[Time], p: f64) -> Option<f64> {
    if latencies.is_empty() {
        return None;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(ms(sorted[rank.clamp(1, sorted.len()) - 1]))
}

fn latency_json(latencies: &[Time]) -> Value {
    json!({
        "count": latencies.len(),
        "p50": percentile(latencies, 50.0),
        "p99": percentile(latencies, 99.0),
        "p99_9": percentile(latencies, 99.9),
        "max": percentile(latencies, 100.0),
    })
}

/// The run's counters.
pub fn metrics(world: &World) -> Value {
    let m = world.metrics();
    json!({
        "virtual_time_ms": ms(world.now()),
        "events": world.trace().len(),
        "messages_sent": m.messages_sent,
        "messages_delivered": m.messages_delivered,
        "messages_dropped": m.messages_dropped,
        "puts_ok": m.puts_ok,
        "puts_failed": m.puts_failed,
        "gets_ok": m.gets_ok,
        "gets_failed": m.gets_failed,
        "gets_with_siblings": m.gets_with_siblings,
        "read_repairs": m.read_repairs,
        "hints_stored": m.hints_stored,
        "hints_delivered": m.hints_delivered,
        "hints_pending": world.pending_hints(),
        "peers_marked_down": m.peers_marked_down,
        "peers_marked_up": m.peers_marked_up,
        "anti_entropy_comparisons": m.anti_entropy_comparisons,
        "merkle_messages": m.merkle_messages,
        "merkle_hashes_sent": m.merkle_hashes_sent,
        "merkle_keys_sent": m.merkle_keys_sent,
        "merkle_bytes_sent": m.merkle_bytes_sent,
        "keys_repaired_by_anti_entropy": m.keys_repaired_by_anti_entropy,
        "anti_entropy_syncs": world.syncs().iter().map(|s| json!({
            "nodes": [world.name(s.initiator), world.name(s.peer)],
            "range_end": format_position(s.range.end),
            "at_ms": ms(s.started),
            "messages": s.messages,
            "hashes": s.hashes,
            "keys": s.keys,
            "bytes": s.bytes,
        })).collect::<Vec<_>>(),
        "ring_changes": m.ring_changes,
        "keys_moved_by_joins_and_leaves": m.keys_moved,
        "copies_dropped_after_handover": m.copies_dropped,
        "get_latency_ms": latency_json(&m.get_latencies.iter().copied().collect::<Vec<_>>()),
        "put_latency_ms": latency_json(&m.put_latencies.iter().copied().collect::<Vec<_>>()),
    })
}
