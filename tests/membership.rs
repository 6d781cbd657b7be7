//! Membership (§4.8) and adding/removing nodes (§4.9): gossip spreads explicit join and
//! leave commands, seeds prevent logical partitions, and keys move to their new owners
//! exactly once.

use dynamo_playground::core::clock::VectorClock;
use dynamo_playground::core::config::Config;
use dynamo_playground::core::{NodeId, MS};
use dynamo_playground::sim::network::Latency;
use dynamo_playground::sim::trace::Event;
use dynamo_playground::sim::world::{NodeSpec, World, WorldSpec};
use std::collections::BTreeMap;

mod common;

fn world(seeds: Vec<NodeId>) -> World {
    World::new(WorldSpec {
        seed: 8,
        nodes: ["A", "B", "C", "D"].iter().map(|n| NodeSpec::named(n)).collect(),
        tokens_per_node: 4,
        config: Config { seeds, ..Config::default() },
        latency: Latency::Uniform { min: 1.0, max: 4.0 },
        drop_rate: 0.0,
        record_trace: true,
    })
    .unwrap()
}

fn load(w: &mut World, keys: u32) -> Vec<String> {
    let keys: Vec<String> = (0..keys).map(|k| format!("key-{k}")).collect();
    for key in &keys {
        let via = w.preference_list(key)[0];
        w.put("loader", key, "v", via, VectorClock::new());
        w.run_until(w.now() + MS);
    }
    assert!(w.settle(10_000 * MS));
    keys
}

/// Keys whose top N include `node` on the administrator's ring.
fn replicated_by(w: &World, node: NodeId, keys: &[String]) -> Vec<String> {
    keys.iter().filter(|k| w.preference_list(k)[..3].contains(&node)).cloned().collect()
}

/// Every key stored exactly on its N replicas.
fn assert_placement(w: &World, keys: &[String]) {
    for key in keys {
        let replicas = &w.preference_list(key)[..3];
        for id in w.node_ids() {
            let held = !w.node(id).store().get(key).is_empty();
            assert_eq!(
                held,
                replicas.contains(&id),
                "{key} on {} (replicas {replicas:?})",
                w.name(id)
            );
        }
    }
}

#[test]
fn a_join_moves_only_the_keys_of_the_new_ranges_each_exactly_once() {
    let mut w = world(vec![NodeId(0)]);
    let keys = load(&mut w, 60);
    let e = w.join("E", None, 1.0, None).unwrap();
    assert!(w.settle(10_000 * MS), "gossip spreads the join; transfers finish");
    assert!(w.memberships_agree());
    let expected = replicated_by(&w, e, &keys);
    assert!(!expected.is_empty());
    let mut held: Vec<String> =
        w.node(e).store().keys().into_iter().map(|k| k.to_string()).collect();
    held.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(held, want, "E holds exactly the keys of its new ranges");
    // Each key was transferred once, even though up to three nodes held it.
    let mut moved: BTreeMap<String, u32> = BTreeMap::new();
    let transfers = w
        .trace()
        .events()
        .iter()
        .filter(|ev| {
            matches!(
                ev.event,
                Event::Send { kind: dynamo_playground::core::message::MsgKind::Transfer, .. }
            )
        })
        .count();
    assert!(transfers >= 1);
    assert_eq!(
        w.metrics().keys_moved,
        expected.len() as u64,
        "keys moved = keys of the new ranges"
    );
    for key in &expected {
        *moved.entry(key.clone()).or_default() += 1;
    }
    assert!(moved.values().all(|&c| c == 1));
    assert_placement(&w, &keys);
}

#[test]
fn a_leave_hands_the_nodes_keys_to_their_new_owners() {
    let mut w = world(vec![NodeId(0)]);
    let keys = load(&mut w, 60);
    let b = NodeId(1);
    let had = w.node(b).store().len();
    assert!(had > 0);
    w.leave(b).unwrap();
    assert!(w.settle(10_000 * MS));
    assert!(w.node(b).store().is_empty(), "B handed everything over and dropped it");
    assert_placement(&w, &keys);
    assert!(w.metrics().keys_moved > 0);
    // Reads still find every key.
    for key in keys.iter().take(10) {
        let op = w.get("c", key, NodeId(0));
        assert!(w.settle(1_000 * MS));
        assert!(
            matches!(w.op(op).unwrap().outcome.as_deref(), Some(dynamo_playground::core::message::ClientReply::Got { versions, .. }) if versions.len() == 1)
        );
    }
}

#[test]
fn without_seeds_two_joins_leave_a_logically_partitioned_ring_and_seeds_prevent_it() {
    // Two nodes joined by the administrator, each told about nobody: each sees a ring of
    // its own (§4.8.2). The original members never hear of them either.
    let mut w = world(vec![]);
    let e = w.join("E", None, 1.0, None).unwrap();
    let f = w.join("F", None, 1.0, None).unwrap();
    assert!(!w.settle(3_000 * MS), "the views never converge");
    assert_eq!(w.node(e).membership().members().count(), 1);
    assert_eq!(w.node(f).membership().members().count(), 1);
    assert_eq!(w.node(NodeId(0)).membership().members().count(), 4);
    // With a seed every node eventually reconciles with it.
    let mut w = world(vec![NodeId(0)]);
    let e = w.join("E", None, 1.0, None).unwrap();
    let f = w.join("F", None, 1.0, None).unwrap();
    assert!(w.settle(10_000 * MS));
    for id in w.node_ids() {
        assert_eq!(w.node(id).membership().members().count(), 6, "{}", w.name(id));
    }
    assert!(w.node(e).membership().members().any(|m| m == f));
}

#[test]
fn bad_membership_commands_are_refused() {
    let mut w = world(vec![NodeId(0)]);
    assert!(w.join("A", None, 1.0, None).unwrap_err().contains("already a member"));
    w.leave(NodeId(3)).unwrap();
    assert!(w.leave(NodeId(3)).unwrap_err().contains("not a member"));
    assert!(w.leave(NodeId(2)).unwrap_err().contains("at least n = 3"));
    assert!(w.join("G", None, -1.0, None).is_err());
}

#[test]
fn the_join_and_leave_scenario_file_settles_with_every_key_in_place() {
    let doc = common::run_file("join-leave.json");
    for r in doc["results"].as_array().unwrap() {
        assert_eq!(r["ok"], true, "{r}");
    }
    assert!(doc["metrics"]["keys_moved_by_joins_and_leaves"].as_u64().unwrap() > 0);
    assert_eq!(doc["final"]["B"]["store"].as_object().unwrap().len(), 0, "B left");
    assert_eq!(doc["final"]["E"]["ring_members"].as_array().unwrap().len(), 4);
}

#[test]
fn with_strategy_3_a_join_takes_whole_partitions_from_the_others() {
    use dynamo_playground::core::partition::Strategy;
    let mut w = World::new(WorldSpec {
        seed: 8,
        nodes: ["A", "B", "C", "D"].iter().map(|n| NodeSpec::named(n)).collect(),
        config: Config {
            seeds: vec![NodeId(0)],
            strategy: Strategy::EqualPartitions { q: 16 },
            ..Config::default()
        },
        latency: Latency::Uniform { min: 1.0, max: 4.0 },
        ..WorldSpec::default()
    })
    .unwrap();
    let keys = load(&mut w, 60);
    let e = w.join("E", None, 1.0, None).unwrap();
    assert!(w.settle(10_000 * MS), "gossip tells the donors; they hand their partitions over");
    assert!(w.memberships_agree());
    // 16 partitions over 5 nodes: E takes 3, and every partition still has one token.
    assert_eq!(w.ring().tokens_of(e).len(), 3);
    assert_eq!(w.ring().tokens().len(), 16);
    for id in w.node_ids() {
        assert!((3..=4).contains(&w.ring().tokens_of(id).len()), "{}", w.name(id));
    }
    assert_placement(&w, &keys);
    assert!(w.join("F", None, 1.0, Some(vec![1])).unwrap_err().contains("tokens cannot be given"));
}

/// A node cut off from the others takes a write (W = 1), leaves the ring while still cut
/// off, and crashes before it could hand the key over. Once it is back and reachable it
/// must still pass the key on: crash or not, nothing it acknowledged stays stranded.
#[test]
fn a_leaving_node_that_crashes_mid_handover_passes_its_keys_on_after_recovery() {
    let mut w = World::new(WorldSpec {
        seed: 8,
        nodes: ["A", "B", "C", "D", "E"].iter().map(|n| NodeSpec::named(n)).collect(),
        tokens_per_node: 4,
        // Anti-entropy mends replicas that learn of the leave at different times; it
        // cannot reach a copy held only outside the replicas: that one must be passed on.
        config: Config {
            w: 1,
            seeds: vec![NodeId(0)],
            anti_entropy_interval: Some(100 * MS),
            ..Config::default()
        },
        latency: Latency::Uniform { min: 1.0, max: 4.0 },
        drop_rate: 0.0,
        record_trace: true,
    })
    .unwrap();
    let owner = w.preference_list("cart")[0];
    w.partition(vec![vec![owner]]);
    w.put("alice", "cart", "milk", owner, VectorClock::new());
    w.run_until(w.now() + 10 * MS);
    assert!(
        w.ops()[0].outcome.as_deref().is_some_and(|o| matches!(
            o,
            dynamo_playground::core::message::ClientReply::Put { .. }
        )),
        "W = 1: acknowledged alone"
    );
    w.leave(owner).unwrap();
    w.run_until(w.now() + 250 * MS); // its offers are lost in the partition, and retried
    w.crash(owner); // ... and forgotten
    w.heal();
    w.run_until(w.now() + 50 * MS);
    w.recover(owner);
    assert!(w.settle(20_000 * MS), "transfers finish");
    let replicas = &w.preference_list("cart")[..3];
    assert!(!replicas.contains(&owner), "it left");
    for &r in replicas {
        assert_eq!(w.node(r).store().get("cart").len(), 1, "{} holds the write", w.name(r));
    }
}

/// The join-and-leave example, without anti-entropy: nodes learn of the leave at
/// different times, and a node handed a key it does not (yet) think it replicates keeps
/// it until gossip has caught up — so every replica ends up holding every key, and no
/// key range differs between replicas.
#[test]
fn the_join_leave_example_ends_with_every_range_equal_without_anti_entropy() {
    use dynamo_playground::sim::scenario::{self, Scenario};
    let scenario = Scenario::from_json(include_str!("../scenarios/join-leave.json")).unwrap();
    let doc = scenario::run(&scenario).unwrap();
    for (node, state) in doc["final"].as_object().unwrap() {
        assert_eq!(state["differing_ranges"], serde_json::json!([]), "{node}");
    }
}

/// §4.9: a node that leaves hands every key to the node that replicates it once it is gone,
/// and keeps no copy — even when its offer reaches a node that gossip has not told of the
/// leave yet (the offer carries the sender's view of the ring; without it, the receiver did
/// not count itself a replica, and the departed node kept papaya for good).
#[test]
fn a_node_that_left_keeps_no_copy_and_every_key_is_on_its_replicas() {
    use dynamo_playground::sim::scenario::{self, Scenario};
    let lesson = Scenario::from_json(include_str!("../lessons/joining.json")).unwrap();
    let doc = scenario::run(&lesson).unwrap();
    let last = doc["results"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["op"], "settle");
    assert_eq!(last["differing_ranges"], serde_json::json!([]), "replicas agree");
    let holders = |key: &str| -> Vec<String> {
        let stores = doc["final"].as_object().unwrap();
        let held = stores.iter().filter(|(_, n)| n["store"].get(key).is_some());
        held.map(|(name, _)| name.clone()).collect()
    };
    assert!(doc["final"]["X"]["store"].as_object().unwrap().is_empty(), "X left: it holds nothing");
    assert_eq!(holders("apple"), ["A", "B", "C"]);
    assert_eq!(holders("papaya"), ["B", "C", "D"]);
    assert_eq!(holders("lemon"), ["B", "C", "D"]);
}
