//! Handling failures (§4.6, §4.8.3): sloppy quorum, hinted handoff and the purely local
//! failure detector, each switched on and off.

use dynamo_playground::core::clock::VectorClock;
use dynamo_playground::core::config::Config;
use dynamo_playground::core::message::{ClientReply, Note, OpId};
use dynamo_playground::core::{NodeId, MS};
use dynamo_playground::sim::network::Latency;
use dynamo_playground::sim::trace::Event;
use dynamo_playground::sim::world::{NodeSpec, World, WorldSpec};

mod common;

const KEY: &str = "cart";

fn world(config: Config) -> World {
    World::new(WorldSpec {
        seed: 5,
        nodes: ["A", "B", "C", "D", "E"].iter().map(|n| NodeSpec::named(n)).collect(),
        tokens_per_node: 4,
        config,
        latency: Latency::Fixed { ms: 2.0 },
        drop_rate: 0.0,
        record_trace: true,
    })
    .unwrap()
}

fn outcome(w: &World, op: OpId) -> ClientReply {
    *w.op(op).unwrap().outcome.clone().expect("answered")
}

fn notes(w: &World) -> Vec<(NodeId, Note)> {
    w.trace()
        .events()
        .iter()
        .filter_map(|e| match &e.event {
            Event::Node { node, note } => Some((*node, note.clone())),
            _ => None,
        })
        .collect()
}

/// The key's preference list: coordinator, the two other owners, then the fallbacks.
fn roles(w: &World) -> (NodeId, NodeId, NodeId, NodeId) {
    let list = w.preference_list(KEY);
    (list[0], list[1], list[2], list[3])
}

#[test]
fn a_write_during_a_crash_lands_as_a_hint_and_reaches_its_owner_after_recovery() {
    let mut w = world(Config { w: 3, ..Config::default() });
    let (coordinator, _, owner, stand_in) = roles(&w);
    w.crash(owner);
    let put = w.put("c", KEY, "mixer", coordinator, VectorClock::new());
    w.run_until(100 * MS);
    assert!(matches!(outcome(&w, put), ClientReply::Put { .. }), "W = 3 reached with a stand-in");
    let hints = w.node(stand_in).hints();
    assert_eq!(
        hints[&owner][&dynamo_playground::core::Key::new(KEY)][0].value,
        "mixer".into(),
        "the stand-in holds the hinted replica"
    );
    assert!(w.node(stand_in).store().get(KEY).is_empty(), "apart from its own data");
    assert!(w.node(coordinator).believed_down().contains_key(&owner));
    assert!(!w.settle(300 * MS), "settle waits for the hint, and the owner is still down");
    // Since when the stand-in keeps it, and how often it tried the owner: as the trace says.
    let stored_at = w.trace().events().iter().find_map(|e| match &e.event {
        Event::Node { note: Note::HintStored { .. }, .. } => Some(e.at),
        _ => None,
    });
    let handoffs = || {
        let sends = w.trace().events().iter().filter(|e| {
            let kind = dynamo_playground::core::message::MsgKind::Handoff;
            matches!(e.event, Event::Send { from, to, kind: k, .. }
                if from == stand_in && to == owner && k == kind)
        });
        sends.count() as u32
    };
    let held = w.hinted_replicas(stand_in);
    assert_eq!(held.len(), 1);
    let (held_for, held_key, record) = &held[0];
    assert_eq!((*held_for, held_key.as_str()), (owner, KEY));
    assert_eq!(Some(record.since), stored_at);
    assert_eq!(record.attempts, handoffs());
    w.recover(owner);
    assert!(w.settle(2_000 * MS));
    assert!(w.hinted_replicas(stand_in).is_empty());
    assert_eq!(w.node(owner).store().get(KEY)[0].value, "mixer".into(), "handed back");
    assert!(w.node(stand_in).hints().is_empty(), "and the hint deleted after the ack");
    let n = notes(&w);
    assert!(n.contains(&(coordinator, Note::PeerDown(owner))));
    assert!(n.contains(&(stand_in, Note::HintStored { owner, key: KEY.into() })));
    assert!(n.contains(&(stand_in, Note::HintDelivered { owner, key: KEY.into() })));
    assert_eq!(w.metrics().hints_stored, 1);
    assert_eq!(w.metrics().hints_delivered, 1);
}

#[test]
fn without_sloppy_quorum_the_same_write_is_rejected() {
    let mut w = world(Config { w: 3, sloppy_quorum: false, ..Config::default() });
    let (coordinator, _, owner, stand_in) = roles(&w);
    w.crash(owner);
    let put = w.put("c", KEY, "mixer", coordinator, VectorClock::new());
    assert!(w.settle(1_000 * MS));
    assert!(
        matches!(outcome(&w, put), ClientReply::Failed { ref error, .. } if error.contains("2 of W=3"))
    );
    assert!(w.node(stand_in).hints().is_empty());
    assert!(w.node(stand_in).store().get(KEY).is_empty());
}

#[test]
fn without_hinted_handoff_the_stand_in_keeps_the_replica_and_the_owner_never_gets_it() {
    let mut w =
        world(Config { w: 3, hinted_handoff: false, read_repair: false, ..Config::default() });
    let (coordinator, _, owner, stand_in) = roles(&w);
    w.crash(owner);
    let put = w.put("c", KEY, "mixer", coordinator, VectorClock::new());
    assert!(w.settle(1_000 * MS));
    assert!(matches!(outcome(&w, put), ClientReply::Put { .. }));
    assert_eq!(w.node(stand_in).store().get(KEY).len(), 1, "kept as the stand-in's own");
    w.recover(owner);
    assert!(w.settle(1_000 * MS));
    assert!(w.node(owner).store().get(KEY).is_empty(), "nothing hands it back");
}

#[test]
fn failure_detection_is_local_and_probing_takes_a_peer_back() {
    let mut w = world(Config::default());
    let (coordinator, _, owner, _) = roles(&w);
    let bystander = w.node_ids().find(|&n| !w.preference_list(KEY)[..4].contains(&n)).unwrap();
    w.crash(owner);
    w.put("c", KEY, "v", coordinator, VectorClock::new());
    w.run_until(50 * MS);
    assert!(w.node(coordinator).believed_down().contains_key(&owner));
    assert!(w.node(bystander).believed_down().is_empty(), "nobody told the bystander");
    w.recover(owner);
    w.run_until(w.now() + 200 * MS);
    assert!(w.node(coordinator).believed_down().is_empty(), "a probe got an answer");
    assert!(notes(&w).contains(&(coordinator, Note::PeerUp(owner))));
}

#[test]
fn a_get_with_a_replica_down_reads_from_the_next_healthy_node() {
    let mut w = world(Config { r: 3, ..Config::default() });
    let (coordinator, _, owner, _) = roles(&w);
    w.put("c", KEY, "v", coordinator, VectorClock::new());
    assert!(w.settle(1_000 * MS));
    w.crash(owner);
    let get = w.get("c", KEY, coordinator);
    assert!(w.settle(1_000 * MS));
    // Two owners and a stand-in (which has nothing for the key) make R = 3.
    assert!(
        matches!(outcome(&w, get), ClientReply::Got { ref versions, .. } if versions.len() == 1)
    );
}

/// §4.5, §4.8.3: a put forwarded to a coordinator that just crashed is passed to the next
/// top-N node when the first stays silent, in time for the client; only when that one is
/// silent too does the put fail.
#[test]
fn a_put_forwarded_to_a_crashed_coordinator_goes_to_the_next_one_in_time() {
    let mut w = world(Config::default());
    let (coordinator, second, _, _) = roles(&w);
    let outsider = w.preference_list(KEY)[4];
    w.crash(coordinator);
    let put = w.put("c", KEY, "v1", outsider, VectorClock::new());
    w.run_until(w.now() + w.client_timeout());
    let ClientReply::Put { version, .. } = outcome(&w, put) else { panic!("the put succeeds") };
    assert_eq!(version.clock.counters(), vec![(second.into(), 1)], "coordinated by the next owner");
    assert!(w.node(outsider).believed_down().contains_key(&coordinator));
    let answered = w.op(put).unwrap().finished.unwrap() - w.op(put).unwrap().started;
    assert!(answered < w.client_timeout(), "answered before the client gave up");

    // Both the first and the second owner crash: the put fails, with a reason.
    let mut w = world(Config::default());
    w.crash(coordinator);
    w.crash(second);
    let put = w.put("c", KEY, "v1", outsider, VectorClock::new());
    w.run_until(w.now() + w.client_timeout());
    assert!(
        matches!(outcome(&w, put), ClientReply::Failed { ref error, .. } if error.contains("two coordinators"))
    );
}

#[test]
fn the_hinted_handoff_scenario_file_ends_with_every_owner_up_to_date() {
    let doc = common::run_file("hinted-handoff.json");
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r[4]["ok"], true, "the put during the outage succeeds");
    assert_eq!(r[7]["ok"], true, "settle: the hint was handed back");
    assert_eq!(common::values(&r[8]), vec!["mixer,tea"]);
    assert_eq!(doc["metrics"]["hints_stored"], 1);
    assert_eq!(doc["metrics"]["hints_delivered"], 1);
    assert_eq!(doc["metrics"]["hints_pending"], 0);
    for node in ["B", "C", "D"] {
        assert_eq!(doc["final"][node]["store"]["cart"][0]["value"], "mixer,tea", "{node}");
    }
}

/// §4.8.3: suspicion must mean a real failure. With the replica timeout the simulator
/// derives from the latency model, a busy cluster with nothing broken suspects nobody,
/// whatever the model; with the old fixed 20 ms and latencies of 1–20 ms, healthy peers
/// were suspected all the time.
#[test]
fn with_the_derived_replica_timeout_a_healthy_cluster_suspects_nobody() {
    use dynamo_playground::sim::workload::{drive, Workload, WorkloadSpec};
    let busy_run = |latency: Latency, replica_timeout| {
        let config = Config { replica_timeout, ..Config::default() };
        let nodes = (0..8).map(|i| NodeSpec::named(&format!("n{i}"))).collect();
        let spec =
            WorldSpec { nodes, config, latency, record_trace: false, ..WorldSpec::default() };
        let mut world = World::new(spec).unwrap();
        let mut load = Workload::new(WorkloadSpec { interval: MS, ..WorkloadSpec::default() }, 0);
        drive(&mut world, Some(&mut load), 2_000 * MS, u64::MAX);
        assert!(world.metrics().puts_ok > 500, "a busy run");
        world.metrics().peers_marked_down
    };
    for latency in [
        Latency::default(),
        Latency::Uniform { min: 1.0, max: 20.0 },
        Latency::Fixed { ms: 30.0 },
        Latency::Exponential { mean: 4.0 },
    ] {
        let derived = latency.replica_timeout();
        assert_eq!(busy_run(latency, derived), 0, "{latency:?}: timeout {derived} µs");
    }
    let too_short = busy_run(Latency::Uniform { min: 1.0, max: 20.0 }, 20 * MS);
    assert!(too_short > 0, "a timeout below the round trip suspects healthy peers");
}
