//! The page's behaviour, natively: forms, bad input, the lesson flow, time travel.

use super::*;
use crate::core::message::Note;
use crate::sim::network::LinkFault;
use crate::sim::trace::Event;

fn quiet() -> Playground {
    Playground::new()
}

/// The page with the background load running.
fn busy() -> Playground {
    Playground::from_query("?load=on")
}

/// Runs the page for `ms` of virtual time, as animation frames would.
fn run(p: &mut Playground, ms: u64) {
    let target = p.session.world().now() + ms * MS;
    while p.session.world().now() < target {
        p.session.advance(target, EVENTS_PER_FRAME);
    }
}

fn notes(p: &Playground) -> Vec<Note> {
    p.session
        .world()
        .trace()
        .events()
        .iter()
        .filter_map(
            |e| if let Event::Node { note, .. } = &e.event { Some(note.clone()) } else { None },
        )
        .collect()
}

#[test]
fn node_names_run_a_to_z_then_repeat_with_a_number() {
    assert_eq!(node_name(0), "A");
    assert_eq!(node_name(25), "Z");
    assert_eq!(node_name(26), "A1");
    assert_eq!(node_name(127), "X4");
}

#[test]
fn the_url_sets_the_run_and_a_bad_url_is_reported_and_ignored() {
    let p = Playground::from_query("?seed=9&nodes=16&n=3&r=1&w=3&load=off&ae=500");
    assert!(!Playground::new().session.load_on(), "a fresh page is quiet");
    assert!(busy().session.load_on());
    assert_eq!(busy().settings.query(), "?seed=1&nodes=5&n=3&r=2&w=2&load=on");
    assert_eq!(p.session.world().names().len(), 16);
    assert_eq!(p.session.world().seed(), 9);
    assert_eq!(p.session.world().config().r, 1);
    assert!(!p.session.load_on());
    assert_eq!(p.session.world().config().anti_entropy_interval, Some(500 * MS));
    assert_eq!(p.settings.query(), "?seed=9&nodes=16&n=3&r=1&w=3&ae=500");
    assert!(p.notice.is_none());
    let p = Playground::from_query("?seed=9&nodes=5&n=3&r=2&w=2&rt=45");
    assert_eq!(p.session.world().config().replica_timeout, 45 * MS);
    assert_eq!(p.settings.query(), "?seed=9&nodes=5&n=3&r=2&w=2&rt=45");
    let derived = Latency::default().replica_timeout();
    assert_eq!(Playground::from_query("?seed=9").session.world().config().replica_timeout, derived);
    for bad in [
        "?r=4",
        "?nodes=0",
        "?nodes=abc",
        "?colour=red",
        "?load=maybe",
        "?n=7&nodes=5",
        "?ae=0.001",
        "?rt=0.5",
        "?rt=1e9",
    ] {
        let p = Playground::from_query(bad);
        assert!(p.notice.as_deref().unwrap_or("").contains("ignored"), "{bad}: {:?}", p.notice);
        assert_eq!(p.session.world().names().len(), 5, "{bad}: defaults used");
    }
}

#[test]
fn impossible_settings_show_a_message_and_change_nothing() {
    let mut p = quiet();
    p.update(Cmd::ClientPut(0));
    run(&mut p, 50);
    let hash = p.session.world().trace().hash();
    p.update(Cmd::SettingsField(SettingsField::R, "4".into()));
    p.update(Cmd::ApplySettings);
    assert_eq!(
        error_for(&p.settings.errors, "r"),
        Some("R (4) cannot exceed N (3): a get asks only N replicas")
    );
    assert_eq!(p.session.world().trace().hash(), hash, "the run goes on untouched");
    p.update(Cmd::SettingsField(SettingsField::Seed, "-3".into()));
    p.update(Cmd::SettingsField(SettingsField::R, "2".into()));
    p.update(Cmd::ApplySettings);
    assert!(error_for(&p.settings.errors, "seed").unwrap().contains("whole number"));
    assert_eq!(error_for(&p.settings.errors, "r"), None, "R is fine now");
    assert_eq!(p.session.world().trace().hash(), hash);
    // Every bad field at once, each with its own message.
    p.update(Cmd::SettingsField(SettingsField::Nodes, "2".into()));
    p.update(Cmd::SettingsField(SettingsField::W, "x".into()));
    p.update(Cmd::ApplySettings);
    let fields: Vec<&str> = p.settings.errors.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ["w", "seed", "n"]);
    // Fixed: the messages go, and the new run starts.
    for (field, text) in
        [(SettingsField::Nodes, "5"), (SettingsField::W, "2"), (SettingsField::Seed, "3")]
    {
        p.update(Cmd::SettingsField(field, text.into()));
    }
    p.update(Cmd::ApplySettings);
    assert!(p.settings.errors.is_empty(), "{:?}", p.settings.errors);
    assert_eq!(p.session.world().seed(), 3);
}

#[test]
fn good_settings_start_a_new_run() {
    let mut p = quiet();
    p.update(Cmd::SettingsField(SettingsField::Nodes, "8".into()));
    p.update(Cmd::SettingsField(SettingsField::Seed, "42".into()));
    p.update(Cmd::Toggle(Switch::SloppyQuorum));
    p.update(Cmd::ApplySettings);
    assert!(p.settings.errors.is_empty());
    assert_eq!(p.session.world().names().len(), 8);
    assert_eq!(p.session.world().seed(), 42);
    assert!(!p.session.world().config().sloppy_quorum);
    assert_eq!(p.session.world().now(), 0);
}

#[test]
fn bad_fault_and_client_input_shows_a_message_and_changes_nothing() {
    let mut p = quiet();
    let before = p.session.world().trace().len();
    p.update(Cmd::FaultField(FaultField::LinkDrop, "150".into()));
    p.update(Cmd::ApplyLink);
    assert!(error_for(&p.faults.link_errors, "link-drop").unwrap().contains("between 0 and 100"));
    p.update(Cmd::FaultField(FaultField::LinkDrop, "10".into()));
    p.update(Cmd::FaultField(FaultField::LinkB, "Q".into()));
    p.update(Cmd::ApplyLink);
    assert!(error_for(&p.faults.link_errors, "link-b").unwrap().contains("no node \"Q\""));
    assert_eq!(error_for(&p.faults.link_errors, "link-drop"), None);
    p.update(Cmd::FaultField(FaultField::LatencyA, "9".into()));
    p.update(Cmd::ApplyNetwork);
    assert!(error_for(&p.faults.network_errors, "latency-b")
        .unwrap()
        .contains("below the minimum"));
    p.update(Cmd::Partition);
    assert!(p.faults.partition_error.is_some(), "no node picked");
    p.update(Cmd::ClientField(0, ClientField::Key, "".into()));
    p.update(Cmd::ClientGet(0));
    assert!(p.clients[0].error.as_deref().unwrap().contains("key"));
    p.update(Cmd::ClientField(0, ClientField::Via, "nobody".into()));
    assert!(p.clients[0].error.is_some());
    assert_eq!(p.clients[0].via, NodeId(0), "unchanged");
    p.update(Cmd::ClientReconcile(1));
    assert!(p.clients[1].error.as_deref().unwrap().contains("get it first"));
    assert_eq!(p.session.world().trace().len(), before, "nothing happened in the world");
    assert_eq!(p.session.inputs().len(), 0);
}

#[test]
fn the_hinted_handoff_lesson_put_crash_put_recover_get() {
    let mut p = quiet();
    let world = p.session.world();
    let owner = world.preference_list("cart")[1]; // a replica that is not the coordinator
    let coordinator = world.preference_list("cart")[0];
    p.update(Cmd::ClientField(0, ClientField::Via, world.name(coordinator).to_string()));
    p.update(Cmd::ClientPut(0));
    run(&mut p, 50);
    p.update(Cmd::Crash(owner));
    p.update(Cmd::ClientField(0, ClientField::Value, "milk,eggs".into()));
    p.update(Cmd::ClientPut(0));
    run(&mut p, 200);
    assert!(
        notes(&p).iter().any(|n| matches!(n, Note::HintStored { owner: o, .. } if *o == owner)),
        "a hinted replica for the crashed owner"
    );
    p.update(Cmd::Recover(owner));
    run(&mut p, 500);
    assert!(
        notes(&p).iter().any(|n| matches!(n, Note::HintDelivered { owner: o, .. } if *o == owner)),
        "handed back"
    );
    p.update(Cmd::ClientGet(0));
    run(&mut p, 100);
    let versions =
        crate::sim::session::last_read_versions(p.session.world(), "alice", "cart").unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(&*versions[0].value, "milk,eggs");
    assert_eq!(
        &*p.session.world().node(owner).store().get("cart")[0].value,
        "milk,eggs",
        "the owner holds the latest"
    );
}

#[test]
fn the_scrubber_goes_back_to_an_earlier_moment_and_forward_again() {
    let mut p = busy();
    p.update(Cmd::TogglePlay);
    for _ in 0..40 {
        p.update(Cmd::Tick(16.0));
    }
    p.update(Cmd::Crash(NodeId(2)));
    for _ in 0..40 {
        p.update(Cmd::Tick(16.0));
    }
    let end = p.session.world().now();
    let (hash, delivered) =
        (p.session.world().trace().hash(), p.session.world().metrics().messages_delivered);
    p.update(Cmd::Seek(end / 4));
    assert!(!p.playing, "seeking pauses");
    assert_eq!(p.session.world().now(), end / 4);
    assert!(p.session.world().is_up(NodeId(2)), "before the crash");
    assert!(p.session.world().metrics().messages_delivered < delivered);
    p.update(Cmd::Seek(end));
    assert!(!p.session.world().is_up(NodeId(2)));
    assert_eq!(p.session.world().trace().hash(), hash, "the very same run");
    p.update(Cmd::Seek(end * 10));
    assert_eq!(p.session.world().now(), end, "no further than the run went");
}

#[test]
fn a_long_replay_runs_in_slices_and_arrives_at_the_same_state() {
    let mut p = busy();
    p.session.checkpoint_every(u64::MAX); // no checkpoint to shorten the way: the whole replay
    p.update(Cmd::Speed(1000.0));
    p.update(Cmd::TogglePlay);
    while p.session.world().trace().len() < 3 * EVENTS_PER_FRAME {
        p.update(Cmd::Tick(100.0));
    }
    p.update(Cmd::TogglePlay);
    let (end, hash) = (p.session.world().now(), p.session.world().trace().hash());
    p.update(Cmd::Seek(0));
    p.update(Cmd::Seek(end));
    assert!(p.seeking.is_some(), "not all in one frame");
    let mut frames = 0;
    while p.seeking.is_some() {
        assert!(p.session.world().now() < end);
        p.update(Cmd::Tick(16.0));
        frames += 1;
    }
    assert!(frames >= 2, "{frames}");
    assert_eq!(p.session.world().now(), end);
    assert_eq!(p.session.world().trace().hash(), hash);
}

#[test]
fn clicking_a_message_shows_its_contents_and_pauses() {
    let mut p = quiet();
    p.update(Cmd::ClientPut(0));
    p.update(Cmd::TogglePlay);
    let id = p.session.world().in_flight().next().expect("the put is on its way").msg;
    p.update(Cmd::SelectMessage(id));
    assert!(!p.playing);
    let Some(Selected::Message { rows, .. }) = &p.selected else { panic!("a message is selected") };
    assert!(rows.iter().any(|(k, v)| k == "key" && v == "cart"), "{rows:?}");
    p.update(Cmd::SelectMessage(999_999));
    assert!(
        matches!(p.selected, Some(Selected::Message { .. })),
        "an unknown message changes nothing"
    );
}

#[test]
fn nodes_can_be_added_and_removed() {
    let mut p = quiet();
    p.update(Cmd::AddNode);
    assert!(p.faults.node_error.is_none(), "{:?}", p.faults.node_error);
    assert_eq!(p.session.world().name(NodeId(5)), "F");
    run(&mut p, 2_000);
    assert!(p.session.world().memberships_agree(), "gossip spread the news");
    p.update(Cmd::Leave(NodeId(5)));
    assert!(p.faults.node_error.is_none());
    for node in 1..5 {
        p.update(Cmd::Leave(NodeId(node)));
    }
    assert!(
        p.faults.node_error.as_deref().unwrap().contains("at least n"),
        "{:?}",
        p.faults.node_error
    );
}

#[test]
fn a_partition_cuts_off_the_ticked_nodes_until_healed() {
    let mut p = quiet();
    p.update(Cmd::ToggleCut(NodeId(3)));
    p.update(Cmd::ToggleCut(NodeId(4)));
    p.update(Cmd::Partition);
    assert!(p.faults.partition_error.is_none());
    let net = p.session.world().network();
    assert!(!net.reachable(NodeId(0), NodeId(3)) && net.reachable(NodeId(3), NodeId(4)));
    p.update(Cmd::Heal);
    assert!(p.session.world().network().reachable(NodeId(0), NodeId(3)));
}

/// Not a timed test: prints what jumps on the time bar cost after a long, fast run of 64
/// nodes (`cargo test --release --lib scrub_cost -- --nocapture`; the page benchmark
/// measures the same in the browser).
#[test]
fn scrub_cost() {
    let mut p = Playground::from_query("?load=on&nodes=64");
    p.update(Cmd::Speed(1000.0));
    p.update(Cmd::TogglePlay);
    let virtual_seconds = if cfg!(debug_assertions) { 1 } else { 60 };
    while p.session.world().now() < virtual_seconds * 1_000 * MS {
        p.update(Cmd::Tick(100.0));
    }
    p.update(Cmd::TogglePlay);
    let (events, end) = (p.session.world().trace().len(), p.session.world().now());
    let mut costs = Vec::new();
    for eighth in [3, 7, 1, 5, 0, 6, 2, 4, 8] {
        let started = std::time::Instant::now();
        p.update(Cmd::Seek(end / 8 * eighth));
        while p.seeking.is_some() {
            p.update(Cmd::Tick(16.0));
        }
        costs.push(started.elapsed());
    }
    costs.sort();
    println!(
        "{virtual_seconds} virtual s, {events} events, {} checkpoints: jumps take {:?} \
         (median), {:?} (worst)",
        p.session.checkpoints(),
        costs[costs.len() / 2],
        costs[costs.len() - 1]
    );
    assert_eq!(p.session.world().trace().len(), events, "back at the end");
}

#[test]
fn a_node_that_left_can_join_again_and_the_log_names_partitions_plainly() {
    let mut p = quiet();
    p.update(Cmd::Leave(NodeId(4)));
    run(&mut p, 1_000);
    assert!(!p.session.world().membership().members().any(|m| m == NodeId(4)));
    p.update(Cmd::Rejoin(NodeId(4)));
    assert!(p.faults.node_error.is_none(), "{:?}", p.faults.node_error);
    assert!(p.session.world().membership().members().any(|m| m == NodeId(4)));
    p.update(Cmd::ToggleCut(NodeId(0)));
    p.update(Cmd::Partition);
    let lines =
        describe::log_lines(p.session.world(), describe::LogFilter::Failures, "partitioned", 1);
    assert_eq!(lines[0].2, "network partitioned: A | B C D E");
    p.update(Cmd::Heal);
    assert!(p.faults.cut.is_empty(), "the picks are cleared");
}

#[test]
fn a_down_replica_has_the_next_live_node_of_the_list_as_its_stand_in() {
    let mut p = quiet();
    let list = p.session.world().preference_list("cart");
    assert!(p.session.world().stand_ins("cart").is_empty());
    p.update(Cmd::Crash(list[1]));
    p.update(Cmd::Crash(list[3]));
    assert_eq!(
        p.session.world().stand_ins("cart"),
        vec![(list[4], list[1])],
        "the 4th is down too: the 5th stands in"
    );
}

#[test]
fn acting_in_the_past_starts_a_branch_and_the_page_can_go_back_to_the_old_future() {
    let mut p = quiet();
    run(&mut p, 10);
    p.update(Cmd::ClientPut(0));
    run(&mut p, 65);
    let (old_hash, old_horizon) = (p.session.world().trace().hash(), p.session.horizon());
    assert!(p.branches().is_empty() && p.past_warning().is_none(), "one branch: nothing said");
    p.update(Cmd::Seek(7 * MS));
    let warning = p.past_warning().expect("the page warns before the past is changed");
    assert!(warning.contains("starts branch 2") && warning.contains("branch 1"), "{warning}");
    p.update(Cmd::ClientGet(1));
    assert_eq!(p.session.world().now(), 7 * MS, "the get is taken at 7 ms, on a new branch");
    let branches = p.branches();
    assert_eq!(branches.len(), 2);
    assert_eq!(branches[0], (1, format!("branch 1 · to {}", ms(old_horizon)), false));
    assert_eq!(branches[1].0, 2);
    assert!(branches[1].1.contains("left branch 1 at 7.000 ms"), "{}", branches[1].1);
    assert!(branches[1].2, "the new branch is on screen");
    run(&mut p, 20);
    // Back to branch 1 at the same moment (27 ms), then to its end: the very same run.
    p.update(Cmd::SwitchBranch(1));
    while p.seeking.is_some() {
        p.update(Cmd::Tick(16.0));
    }
    assert_eq!(p.session.world().now(), 27 * MS);
    assert_eq!(p.session.horizon(), old_horizon);
    p.update(Cmd::Seek(old_horizon));
    while p.seeking.is_some() {
        p.update(Cmd::Tick(16.0));
    }
    assert_eq!(p.session.world().trace().hash(), old_hash);
    assert!(p.branches()[0].2, "branch 1 is on screen");
    p.update(Cmd::SwitchBranch(7));
    assert!(p.notice.as_deref().is_some_and(|n| n.contains("no branch 7")));
}

#[test]
fn a_partition_is_told_as_its_sides_and_heal_says_what_is_still_broken() {
    let mut p = quiet();
    let state = |p: &Playground| describe::network_state(p.session.world());
    assert_eq!(state(&p), "The network is whole: every node reaches every other.");
    p.update(Cmd::ToggleCut(NodeId(0)));
    p.update(Cmd::ToggleCut(NodeId(1)));
    p.update(Cmd::Partition);
    assert_eq!(describe::partition_sides(p.session.world()), Some(vec![1, 1, 2, 2, 2]));
    assert_eq!(
        state(&p),
        "The network is split into 2 sides (A B | C D E): messages between sides are lost."
    );
    // Ticking the other side gives the same two sides, numbered from A's.
    p.update(Cmd::Heal);
    for id in 2..5 {
        p.update(Cmd::ToggleCut(NodeId(id)));
    }
    p.update(Cmd::Partition);
    assert_eq!(describe::partition_sides(p.session.world()), Some(vec![1, 1, 2, 2, 2]));
    // A faulty link outlives a heal, and the page says so.
    p.update(Cmd::FaultField(FaultField::LinkDrop, "0.5".into()));
    p.update(Cmd::FaultField(FaultField::LinkDelay, "2.5".into()));
    p.update(Cmd::ApplyLink);
    p.update(Cmd::Heal);
    assert_eq!(state(&p), "Faulty: A–B (0.5% lost, +2.5 ms).");
    assert!(p.faults.partition_error.is_none());
    // Heal again with no partition: it says so, and logs no heal.
    let events = p.session.world().trace().len();
    p.update(Cmd::Heal);
    let error = p.faults.partition_error.clone().unwrap_or_default();
    assert_eq!(error, "there is no partition to heal; faulty links stay until cleared");
    assert_eq!(p.session.world().trace().len(), events);
    p.update(Cmd::ClearLinks);
    assert!(p.session.world().network().links().next().is_none());
    assert!(state(&p).starts_with("The network is whole"));
    let fault = |drop_rate, extra_delay| LinkFault { drop_rate, extra_delay };
    assert_eq!(describe::link_label(fault(0.5, 0)), "50% lost");
    assert_eq!(describe::link_label(fault(0.0, 40 * MS)), "+40 ms");
    assert_eq!(describe::link_label(fault(0.125, 1_250)), "12.5% lost, +1.25 ms");
}

#[test]
fn new_clients_are_named_after_the_usual_cast_and_can_be_taken_away() {
    let mut p = quiet();
    p.update(Cmd::AddClient);
    p.update(Cmd::AddClient);
    let names: Vec<&str> = p.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave"]);
    p.update(Cmd::RemoveClient(1));
    p.update(Cmd::AddClient);
    let names: Vec<&str> = p.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["alice", "carol", "dave", "bob"], "bob's name is free again");
    for _ in 0..10 {
        p.update(Cmd::AddClient);
    }
    assert_eq!(p.clients.len(), MAX_CLIENTS);
    assert!(p.notice.as_deref().is_some_and(|n| n.contains("8 clients at most")));
    p.update(Cmd::RemoveClient(99)); // no such card: nothing happens
    assert_eq!(p.clients.len(), MAX_CLIENTS);
}

#[test]
fn a_key_too_long_for_the_page_is_refused_with_its_limit() {
    let mut p = quiet();
    p.update(Cmd::ClientField(0, ClientField::Key, "k".repeat(5_000)));
    p.update(Cmd::ClientPut(0));
    let error = p.clients[0].error.clone().unwrap_or_default();
    assert_eq!(error, "a key has at most 64 characters (got 5000)");
    assert_eq!(p.session.inputs().len(), 0, "nothing happened");
    for bad in ["?ae=-5", "?ae=abc", "?ae=0"] {
        let p = Playground::from_query(bad);
        assert!(p.notice.as_deref().unwrap_or("").contains("ignored"), "{bad}: {:?}", p.notice);
    }
}

#[test]
fn a_join_is_told_truthfully_every_copy_deleted_and_every_key_taken_over_is_in_the_log() {
    let mut p = quiet();
    for i in 0..20 {
        let put = Action::Put {
            client: "loader".into(),
            key: format!("key{i}"),
            value: "v".into(),
            via: Some(node_name(i as usize % 5)),
            context: Context::None,
        };
        p.session.act(put).unwrap();
    }
    run(&mut p, 1_000);
    let held = |p: &Playground, id: u32| p.session.world().node(NodeId(id)).store().len();
    let before: Vec<usize> = (0..5).map(|id| held(&p, id)).collect();
    let from = p.session.world().trace().events().len();
    p.update(Cmd::AddNode);
    run(&mut p, 5_000);
    let world = p.session.world();
    let mut dropped = [0usize; 6];
    let mut taken = 0;
    for e in world.trace().events().iter_from(from) {
        match &e.event {
            Event::Node { node, note: Note::KeysHandedOver { dropped: d, .. } } => {
                dropped[node.index()] += *d as usize
            }
            Event::Node { note: Note::KeysTakenOver { keys, .. }, .. } => taken += *keys as usize,
            _ => {}
        }
    }
    for id in 0..5 {
        assert_eq!(
            before[id] - held(&p, id as u32),
            dropped[id],
            "{}",
            world.name(NodeId(id as u32))
        );
    }
    assert_eq!(held(&p, 5), taken, "F holds exactly what it was told to have taken over");
    assert_eq!(dropped.iter().sum::<usize>(), taken, "every copy F took, someone deleted");
    assert!(taken > 0, "F took over some keys");
    let lines = describe::log_lines(world, describe::LogFilter::All, "deleted its copies", 50);
    assert!(!lines.is_empty(), "the log tells who deleted copies");
}

#[test]
fn a_coordinator_waiting_on_a_crashed_replica_is_shown_until_its_timeout_then_a_stand_in() {
    let mut p = quiet();
    let world = p.session.world();
    let (coordinator, owner) = (world.preference_list("cart")[0], world.preference_list("cart")[1]);
    p.update(Cmd::ClientField(0, ClientField::Via, world.name(coordinator).to_string()));
    p.update(Cmd::Crash(owner));
    p.update(Cmd::ClientPut(0));
    run(&mut p, 1);
    let world = p.session.world();
    let waits = world.replica_waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert_eq!((waits[0].coordinator, &waits[0].silent), (coordinator, &vec![owner]));
    let timeout = world.config().replica_timeout;
    assert!(waits[0].until > world.now() && waits[0].until <= timeout + MS, "{waits:?}");
    let lines = describe::replica_waits(world);
    let expected = format!("{} waits for {}: ", world.name(coordinator), world.name(owner));
    assert!(lines[0].2.starts_with(&expected), "{}", lines[0].2);
    // Past the timeout: no more waiting; the coordinator believes the owner down and a
    // stand-in keeps a hinted replica.
    run(&mut p, timeout / MS + 20);
    let world = p.session.world();
    assert!(world.replica_waits().is_empty());
    assert!(world.node(coordinator).believed_down().contains_key(&owner));
    assert_eq!(world.pending_hints(), 1);
    let said = describe::log_lines(world, describe::LogFilter::All, "no answer from", 5);
    assert!(!said.is_empty(), "the log says why the coordinator gave up");
}

#[test]
fn a_range_is_told_as_which_replicas_agree_and_which_differ_never_both_at_once() {
    let mut p = quiet();
    p.update(Cmd::ClientPut(0));
    run(&mut p, 200);
    let world = p.session.world();
    let owner = world.preference_list("cart")[2];
    p.update(Cmd::Wipe(owner));
    let world = p.session.world();
    let mut differing = 0;
    for (range, replicas) in world.node(owner).hosted_ranges() {
        let (text, differs) = describe::range_state(world, owner, range, &replicas);
        assert!(text.starts_with("root "), "{text}");
        let peers = world.peers_differing(owner, range, &replicas);
        for peer in replicas.iter().filter(|&&r| r != owner) {
            let name = world.name(*peer);
            let said_same = text.contains("same as")
                && text.split(" · ").any(|part| part.starts_with("same as") && part.contains(name));
            let said_differs = text
                .split(" · ")
                .any(|part| part.starts_with("differs from") && part.contains(name));
            assert!(!(said_same && said_differs), "{name} both same and different: {text}");
            assert_eq!(said_differs, peers.contains(peer), "{text}");
        }
        differing += usize::from(differs);
    }
    assert!(differing >= 1, "the wiped node's range with cart differs from its peers");
}

/// Not a timed test: prints what a copy of a long page run costs (for checkpoints).
#[test]
fn copy_cost() {
    let mut p = Playground::from_query("?load=on&nodes=64");
    p.update(Cmd::Speed(1000.0));
    p.update(Cmd::TogglePlay);
    let virtual_seconds = if cfg!(debug_assertions) { 1 } else { 60 };
    while p.session.world().now() < virtual_seconds * 1_000 * MS {
        p.update(Cmd::Tick(100.0));
    }
    let world = p.session.world();
    let rss = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
        line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).unwrap_or(0)
    };
    let started = std::time::Instant::now();
    let copy = world.clone();
    let took = started.elapsed();
    let before = rss();
    let copies: Vec<_> = (0..20).map(|_| world.clone()).collect();
    let each = (rss() - before) / copies.len() as u64;
    println!(
        "{virtual_seconds} s: {} events, {} ops; a copy took {took:?} and about {each} kB",
        copy.trace().events().len(),
        copy.ops().len(),
    );
}

#[test]
fn a_step_always_shows_something_the_timers_that_did_nothing_are_passed_over() {
    let mut p = quiet();
    for _ in 0..3 {
        let before = p.session.world().trace().len();
        p.update(Cmd::Step);
        assert!(p.session.world().trace().len() > before, "something the log can show");
    }
    assert!(!describe::log_lines(p.session.world(), describe::LogFilter::All, "", 5).is_empty());
}

#[test]
fn a_node_that_forwarded_a_put_to_a_cut_off_coordinator_is_shown_waiting() {
    let mut p = quiet();
    let list = p.session.world().preference_list("cart");
    let outsider = p.session.world().node_ids().find(|n| !list[..3].contains(n)).unwrap();
    p.update(Cmd::ClientField(0, ClientField::Via, p.session.world().name(outsider).into()));
    p.update(Cmd::ToggleCut(list[0]));
    p.update(Cmd::Partition);
    p.update(Cmd::ClientPut(0));
    run(&mut p, 1);
    let waits = p.session.world().replica_waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert_eq!((waits[0].coordinator, &waits[0].silent), (outsider, &vec![list[0]]));
}

#[test]
fn export_offers_the_trace_up_to_now_as_a_file() {
    let mut p = quiet();
    p.update(Cmd::ClientPut(0));
    run(&mut p, 30);
    p.update(Cmd::ExportTrace);
    let (name, text) = p.download.take().expect("a file to offer");
    assert_eq!(name, "dynamo-trace-seed1-30000us.jsonl");
    assert_eq!(text.lines().count(), p.session.world().trace().events().len());
    assert!(text.lines().next().unwrap().contains(r#""event":"request""#), "{text}");
}
