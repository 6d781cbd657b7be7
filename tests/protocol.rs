//! The get/put state machines (§4.5, §5) driven through the simulated world.

use dynamo_playground::core::clock::VectorClock;
use dynamo_playground::core::config::Config;
use dynamo_playground::core::message::{ClientReply, MsgKind, Timer};
use dynamo_playground::core::partition::Strategy;
use dynamo_playground::core::version::Reconciliation;
use dynamo_playground::core::{NodeId, MS};
use dynamo_playground::sim::network::Latency;
use dynamo_playground::sim::trace::Event;
use dynamo_playground::sim::world::{NodeSpec, World, WorldSpec};

fn world(nodes: usize, config: Config) -> World {
    let names = ["A", "B", "C", "D", "E", "F", "G", "H"];
    World::new(WorldSpec {
        seed: 42,
        nodes: names[..nodes].iter().map(|n| NodeSpec::named(n)).collect(),
        tokens_per_node: 8,
        config,
        latency: Latency::Fixed { ms: 2.0 },
        drop_rate: 0.0,
        record_trace: true,
    })
    .unwrap()
}

fn outcome(w: &World, op: dynamo_playground::core::message::OpId) -> ClientReply {
    *w.op(op).unwrap().outcome.clone().expect("answered")
}

/// A node that is not among the key's top N.
fn outsider(w: &World, key: &str) -> NodeId {
    w.preference_list(key)[w.config().n]
}

#[test]
fn a_put_outside_the_top_n_is_forwarded_to_the_coordinator() {
    let mut w = world(5, Config::default());
    let via = outsider(&w, "k");
    let coordinator = w.preference_list("k")[0];
    let op = w.put("c", "k", "v", via, VectorClock::new());
    assert!(w.settle(1_000 * MS));
    let ClientReply::Put { version, .. } = outcome(&w, op) else { panic!("put failed") };
    assert_eq!(
        version.clock.counters(),
        vec![(coordinator.into(), 1)],
        "the coordinator stamps the clock"
    );
    assert!(w.node(via).store().get("k").is_empty(), "the forwarding node holds no replica");
    for &replica in &w.preference_list("k")[..3] {
        assert_eq!(w.node(replica).store().get("k").len(), 1);
    }
    let forwards = w
        .trace()
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                Event::Send { kind: dynamo_playground::core::message::MsgKind::Forward, .. }
            )
        })
        .count();
    assert_eq!(forwards, 1);
}

/// Two keys written, then read by `c` in turn: (world, context of k1, context of k2).
fn read_two_keys(keep_read_contexts: bool) -> (World, VectorClock, VectorClock) {
    let mut w = world(5, Config::default());
    w.keep_read_contexts(keep_read_contexts);
    for key in ["k1", "k2"] {
        w.put("writer", key, "v", NodeId(0), VectorClock::new());
        w.put("writer", key, "v", NodeId(1), VectorClock::new());
    }
    assert!(w.settle(1_000 * MS));
    let mut contexts = Vec::new();
    for key in ["k1", "k2"] {
        let op = w.get("c", key, NodeId(2));
        assert!(w.settle(1_000 * MS));
        let ClientReply::Got { context, .. } = outcome(&w, op) else { panic!("get failed") };
        assert!(!context.is_empty());
        contexts.push(context);
    }
    (w, contexts[0].clone(), contexts[1].clone())
}

#[test]
fn a_client_keeps_the_context_of_its_latest_get_of_every_key_or_of_its_latest_get_only() {
    let (w, k1, k2) = read_two_keys(true);
    assert_eq!(w.last_read_context("c", "k1"), k1);
    assert_eq!(w.last_read_context("c", "k2"), k2);
    assert!(w.last_read_context("other", "k1").is_empty(), "contexts are per client");
    let latest = w.client(&"c".into()).and_then(|c| c.latest_read()).expect("c has read");
    assert_eq!((latest.key.as_str(), &latest.context), ("k2", &k2));
    // A long load keeps each client's latest get only: bounded by the clients, not the keys.
    let (w, _, k2) = read_two_keys(false);
    assert!(w.last_read_context("c", "k1").is_empty(), "k1 was not c's latest get");
    assert_eq!(w.last_read_context("c", "k2"), k2);
    // Turned off mid-run, the contexts kept so far are forgotten, not left to go stale.
    let (mut w, _, k2) = read_two_keys(true);
    w.keep_read_contexts(false);
    assert!(w.last_read_context("c", "k1").is_empty());
    assert_eq!(w.last_read_context("c", "k2"), k2);
}

#[test]
fn a_put_answers_after_w_acks_and_a_get_after_r_replies() {
    let mut w = world(5, Config { n: 3, r: 3, w: 3, ..Config::default() });
    let coordinator = w.preference_list("k")[0];
    let op = w.put("c", "k", "v", coordinator, VectorClock::new());
    assert!(w.settle(1_000 * MS));
    // Fixed 2 ms links: acks need a round trip, so W = 3 answers after 4 ms.
    assert_eq!(w.op(op).unwrap().finished, Some(4 * MS));
    let start = w.now();
    let get = w.get("c", "k", outsider(&w, "k"));
    assert!(w.settle(1_000 * MS));
    assert_eq!(w.op(get).unwrap().finished, Some(start + 4 * MS));
    let ClientReply::Got { versions, context, .. } = outcome(&w, get) else { panic!() };
    assert_eq!(versions.len(), 1);
    assert_eq!(context.counters(), vec![(coordinator.into(), 1)]);
}

#[test]
fn w_equal_one_answers_at_once_from_the_local_write() {
    let mut w = world(3, Config { n: 3, r: 1, w: 1, ..Config::default() });
    let coordinator = w.preference_list("k")[0];
    let op = w.put("c", "k", "v", coordinator, VectorClock::new());
    assert_eq!(w.op(op).unwrap().finished, Some(0));
}

#[test]
fn timeouts_give_the_client_an_error_not_a_hang() {
    let mut w = world(3, Config { request_timeout: 30 * MS, ..Config::default() });
    let [a, b, c] = [NodeId(0), NodeId(1), NodeId(2)];
    w.crash(b);
    w.crash(c);
    let put = w.put("c", "k", "v", a, VectorClock::new());
    let get = w.get("c", "k", a);
    assert!(w.settle(1_000 * MS));
    assert!(
        matches!(outcome(&w, put), ClientReply::Failed { ref error, .. } if error.contains("1 of W=2"))
    );
    assert!(
        matches!(outcome(&w, get), ClientReply::Failed { ref error, .. } if error.contains("1 of R=2"))
    );
    assert_eq!(w.op(put).unwrap().finished, Some(30 * MS));
}

#[test]
fn a_client_gives_up_a_fixed_time_after_it_asked_whatever_the_others_do() {
    let mut w = world(5, Config::default());
    let lost_at = w.preference_list("lost")[0];
    let before = w.put("c1", "k", "v1", NodeId(0), VectorClock::new());
    w.run_until(w.now() + 3 * MS); // the first put is under way
    let lost = w.put("c2", "lost", "v", lost_at, VectorClock::new());
    w.crash(lost_at);
    let started = w.now();
    let after = w.get("c3", "k", (0..5).map(NodeId).find(|&n| n != lost_at).unwrap());
    w.run_until(started + 1_000 * MS);
    let (timeout, lost_op) = (w.client_timeout(), w.op(lost).unwrap());
    assert!(
        matches!(outcome(&w, lost), ClientReply::Failed { ref error, .. } if error.contains("gave up"))
    );
    assert_eq!(lost_op.finished, Some(started + timeout), "given up exactly when due");
    for op in [before, after] {
        assert!(!matches!(outcome(&w, op), ClientReply::Failed { .. }), "the others were answered");
        assert!(w.op(op).unwrap().finished.unwrap() < started + timeout);
    }
}

#[test]
fn a_request_to_a_down_node_fails_at_once() {
    let mut w = world(3, Config::default());
    w.crash(NodeId(1));
    let op = w.get("c", "k", NodeId(1));
    assert!(
        matches!(outcome(&w, op), ClientReply::Failed { ref error, .. } if error == "node B is down")
    );
}

#[test]
fn a_crash_loses_the_coordinators_request_and_the_client_gives_up() {
    let mut w = world(3, Config::default());
    let coordinator = w.preference_list("k")[0];
    let op = w.put("c", "k", "v", coordinator, VectorClock::new());
    w.crash(coordinator);
    assert!(w.settle(10_000 * MS));
    assert!(
        matches!(outcome(&w, op), ClientReply::Failed { ref error, .. } if error.contains("gave up"))
    );
    // The durable store survived the crash.
    assert_eq!(w.node(coordinator).store().get("k").len(), 1);
    w.recover(coordinator);
    let get = w.get("c", "k", coordinator);
    assert!(w.settle(1_000 * MS));
    assert!(
        matches!(outcome(&w, get), ClientReply::Got { ref versions, .. } if versions.len() == 1)
    );
}

#[test]
fn read_repair_brings_a_stale_replica_up_to_date() {
    let mut w = world(3, Config { n: 3, r: 3, w: 1, ..Config::default() });
    let list = w.preference_list("k");
    let stale = list[2];
    w.partition(vec![vec![stale]]);
    let op = w.put("c", "k", "v1", list[0], VectorClock::new());
    assert!(w.settle(1_000 * MS));
    assert!(matches!(outcome(&w, op), ClientReply::Put { .. }));
    assert!(w.node(stale).store().get("k").is_empty(), "the partition kept the write away");
    w.heal();
    // The coordinator believes the isolated replica is down until a probe gets through.
    w.run_until(w.now() + 100 * MS);
    let get = w.get("c", "k", list[0]);
    assert!(w.settle(1_000 * MS));
    assert!(
        matches!(outcome(&w, get), ClientReply::Got { ref versions, .. } if versions.len() == 1)
    );
    assert_eq!(w.node(stale).store().get("k")[0].value, "v1".into(), "repaired after the reply");
    assert_eq!(w.metrics().read_repairs, 1);
}

/// A world with "k" written to its first two replicas only: the third, cut off during
/// the put, is stale, and (after the partition healed and a probe got through) reachable.
fn world_with_a_stale_replica(config: Config) -> (World, Vec<NodeId>) {
    let mut w = world(3, config); // no fourth node to hold a hint for it
    let list = w.preference_list("k");
    w.partition(vec![vec![list[2]]]);
    w.put("c", "k", "v1", list[0], VectorClock::new());
    assert!(w.settle(1_000 * MS));
    w.heal();
    w.run_until(w.now() + 100 * MS);
    assert!(w.node(list[2]).store().get("k").is_empty());
    (w, list)
}

/// When each read-repair event happened: (the repair's send time, whether a read-repair
/// timer went off before it).
fn repairs(w: &World, since: u64) -> Vec<(u64, bool)> {
    let mut timer_went_off = false;
    let mut found = Vec::new();
    for e in w.trace().events().iter().filter(|e| e.at >= since) {
        match &e.event {
            Event::Timer { timer: Timer::ReadRepair(_), .. } => timer_went_off = true,
            Event::Send { kind: MsgKind::Repair, .. } => found.push((e.at, timer_went_off)),
            _ => {}
        }
    }
    found
}

#[test]
fn read_repair_is_made_at_once_when_every_replica_asked_has_replied() {
    // §5: the coordinator waits after answering only for replies still outstanding.
    let (mut w, list) =
        world_with_a_stale_replica(Config { n: 3, r: 2, w: 2, ..Config::default() });
    let start = w.now();
    w.get("c", "k", list[0]);
    assert!(w.settle(1_000 * MS));
    let last_reply = w
        .trace()
        .events()
        .iter()
        .filter(|e| matches!(e.event, Event::Deliver { kind: MsgKind::GetReply, .. }))
        .map(|e| e.at)
        .max();
    assert_eq!(
        repairs(&w, start),
        vec![(last_reply.unwrap(), false)],
        "repaired as the last reply came, no timer"
    );
    assert_eq!(w.node(list[2]).store().get("k")[0].value, "v1".into());
}

#[test]
fn read_repair_waits_its_window_for_a_reply_still_outstanding() {
    let config = Config { n: 3, r: 2, w: 2, read_repair_window: 5 * MS, ..Config::default() };
    let (mut w, list) = world_with_a_stale_replica(config);
    w.crash(list[1]); // it will never reply
    let start = w.now();
    let get = w.get("c", "k", list[0]);
    assert!(w.settle(1_000 * MS));
    let answered = w.op(get).unwrap().finished.unwrap();
    assert_eq!(
        repairs(&w, start),
        vec![(answered + 5 * MS, true)],
        "repaired when the window closed"
    );
    assert_eq!(w.node(list[2]).store().get("k")[0].value, "v1".into());
}

#[test]
fn read_repair_also_waits_for_a_slow_replica_a_stand_in_replaced() {
    // B is slow (30 ms more each way): at the replica timeout a stand-in is asked in its
    // place and completes the quorum, but B's reply is still coming, so the coordinator
    // keeps the request open for it and repairs once it is in (§5).
    let config = Config { n: 3, r: 3, w: 1, read_repair_window: 100 * MS, ..Config::default() };
    let mut w = world(4, config);
    let list = w.preference_list("k");
    w.set_link(list[0], list[1], 0.0, 30 * MS).unwrap();
    let start = w.now();
    let get = w.get("c", "k", list[0]);
    w.run_until(start + 50 * MS);
    assert!(w.op(get).unwrap().finished.is_some(), "answered with the stand-in's reply");
    assert_eq!(w.node(list[0]).requests().count(), 1, "still waiting for the slow replica");
    assert!(w.settle(1_000 * MS));
    assert_eq!(w.node(list[0]).requests().count(), 0);
    assert!(repairs(&w, start).iter().all(|&(_, timer)| !timer), "no read-repair timer needed");
    let timer_went_off = w
        .trace()
        .events()
        .iter()
        .any(|e| matches!(e.event, Event::Timer { timer: Timer::ReadRepair(_), .. }));
    assert!(!timer_went_off, "repaired as the slow reply came, before the window closed");
}

#[test]
fn read_repair_can_be_switched_off() {
    let mut w = world(3, Config { n: 3, r: 3, w: 1, read_repair: false, ..Config::default() });
    let list = w.preference_list("k");
    w.partition(vec![vec![list[2]]]);
    w.put("c", "k", "v1", list[0], VectorClock::new());
    assert!(w.settle(1_000 * MS));
    w.heal();
    w.get("c", "k", list[0]);
    assert!(w.settle(1_000 * MS));
    assert!(w.node(list[2]).store().get("k").is_empty());
    assert_eq!(w.metrics().read_repairs, 0);
}

#[test]
fn last_write_wins_returns_one_version_where_siblings_would_be_two() {
    for (policy, expected) in [(Reconciliation::Siblings, 2), (Reconciliation::LastWriteWins, 1)] {
        let mut w =
            world(3, Config { n: 3, r: 3, w: 1, reconciliation: policy, ..Config::default() });
        let [a, b, c] = [NodeId(0), NodeId(1), NodeId(2)];
        w.partition(vec![vec![a], vec![b, c]]);
        w.put("x", "k", "left", a, VectorClock::new());
        w.run_until(w.now() + MS);
        w.put("y", "k", "right", b, VectorClock::new());
        assert!(w.settle(1_000 * MS));
        w.heal();
        w.run_until(w.now() + 100 * MS);
        let get = w.get("z", "k", a);
        assert!(w.settle(1_000 * MS));
        let ClientReply::Got { versions, .. } = outcome(&w, get) else { panic!() };
        assert_eq!(versions.len(), expected, "{policy:?}");
        if policy == Reconciliation::LastWriteWins {
            assert_eq!(versions[0].value, "right".into(), "the later write wins");
        }
    }
}

#[test]
fn clocks_are_truncated_at_the_threshold_dropping_the_oldest_entry() {
    let mut w = world(5, Config { n: 5, r: 1, w: 5, clock_truncation: 3, ..Config::default() });
    // Each write goes through a different coordinator, reading first, so clocks grow.
    let mut last = None;
    for (i, via) in [0u32, 1, 2, 3, 4].into_iter().enumerate() {
        let get = w.get("c", "k", NodeId(via));
        assert!(w.settle(1_000 * MS));
        let ClientReply::Got { context, .. } = outcome(&w, get) else { panic!() };
        let put = w.put("c", "k", &format!("v{i}"), NodeId(via), context);
        assert!(w.settle(1_000 * MS));
        w.run_until(w.now() + 10 * MS);
        last = Some(put);
    }
    let ClientReply::Put { version, .. } = outcome(&w, last.unwrap()) else { panic!() };
    assert_eq!(version.clock.len(), 3);
    let nodes: Vec<NodeId> = version.clock.counters().into_iter().map(|(a, _)| a.node).collect();
    assert_eq!(nodes, vec![NodeId(2), NodeId(3), NodeId(4)], "the two oldest writers were dropped");
}

#[test]
fn tokens_scale_with_capacity() {
    let w = World::new(WorldSpec {
        nodes: vec![
            NodeSpec::named("A"),
            NodeSpec { name: "B".into(), capacity: 2.0, tokens: None },
        ],
        tokens_per_node: 5,
        config: Config { n: 2, r: 1, w: 1, ..Config::default() },
        ..WorldSpec::default()
    })
    .unwrap();
    assert_eq!(w.ring().tokens_of(NodeId(0)).len(), 5);
    assert_eq!(w.ring().tokens_of(NodeId(1)).len(), 10);
}

#[test]
fn strategy_3_gives_each_node_q_over_s_partitions() {
    let w = World::new(WorldSpec {
        nodes: ["A", "B", "C", "D"].iter().map(|n| NodeSpec::named(n)).collect(),
        config: Config { strategy: Strategy::EqualPartitions { q: 16 }, ..Config::default() },
        ..WorldSpec::default()
    })
    .unwrap();
    for id in w.node_ids() {
        assert_eq!(w.ring().tokens_of(id).len(), 4);
    }
}

#[test]
fn same_seed_same_trace_different_seed_different_trace() {
    let run = |seed| {
        let mut w = World::new(WorldSpec { seed, ..WorldSpec::default() }).unwrap();
        let mut load = dynamo_playground::sim::workload::Workload::new(Default::default(), 0);
        dynamo_playground::sim::workload::drive(&mut w, Some(&mut load), 2_000 * MS, u64::MAX);
        w.trace().hash()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}
