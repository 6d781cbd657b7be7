//! Scenarios in the page, natively: a page session saved as a file runs in the CLI to the
//! same trace hash; every example opens and steps; bad files and links change nothing;
//! a link restores its moment exactly.

use super::steps::{Goal, StepState};
use super::*;
use crate::sim::scenario::{self, Scenario};

/// Runs the page's frames until what it is on its way to is reached.
fn settle_frames(p: &mut Playground) {
    for _ in 0..10_000 {
        if p.seeking.is_none() && p.goal.is_none() {
            return;
        }
        p.update(Cmd::Tick(16.0));
    }
    panic!("the page never got there");
}

fn run(p: &mut Playground, ms: u64) {
    let target = p.session.world().now() + ms * MS;
    while p.session.world().now() < target {
        p.session.advance(target, EVENTS_PER_FRAME);
    }
}

/// What the CLI says of the page's run saved as a file.
fn cli_hash(p: &Playground) -> String {
    let text = p.scenario_now().to_json();
    let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let doc = scenario::run(&scenario).unwrap();
    doc["trace_hash"].as_str().unwrap().to_string()
}

fn hash(p: &Playground) -> String {
    p.session.world().trace().hash()
}

fn log(p: &Playground) -> Vec<String> {
    describe::log_lines(p.session.world(), describe::LogFilter::All, "", 50)
        .into_iter()
        .map(|(_, _, line)| line)
        .collect()
}

#[test]
fn a_page_session_saved_as_a_scenario_runs_in_the_cli_to_the_same_hash() {
    // Clients, a crash, a reconcile: the shopping cart by hand.
    let mut p = Playground::new();
    p.update(Cmd::ClientPut(0));
    run(&mut p, 30);
    p.update(Cmd::Crash(NodeId(0)));
    p.update(Cmd::ClientPut(1));
    run(&mut p, 200);
    p.update(Cmd::ClientGet(0));
    run(&mut p, 100);
    p.update(Cmd::ClientReconcile(0));
    run(&mut p, 50);
    p.update(Cmd::Recover(NodeId(0)));
    run(&mut p, 300);
    assert_eq!(cli_hash(&p), hash(&p), "clients, crash, reconcile");

    // Joins, a leave, a partition, a faulty link, the network, the background load; one
    // action taken between two events (after Step), and one after a few frames of play.
    let mut p = Playground::from_query("?nodes=6&seed=9&ae=500");
    p.update(Cmd::ToggleLoad);
    run(&mut p, 40);
    p.update(Cmd::AddNode);
    for _ in 0..3 {
        p.update(Cmd::Step);
    }
    p.update(Cmd::ToggleCut(NodeId(1)));
    p.update(Cmd::Partition);
    p.update(Cmd::TogglePlay);
    for _ in 0..7 {
        p.update(Cmd::Tick(16.0));
    }
    p.update(Cmd::TogglePlay);
    p.update(Cmd::ApplyLink);
    p.update(Cmd::Leave(NodeId(2)));
    run(&mut p, 120);
    p.update(Cmd::Heal);
    p.update(Cmd::ApplyNetwork);
    p.update(Cmd::ToggleLoad);
    p.update(Cmd::AntiEntropy);
    run(&mut p, 700);
    assert!(p.session.inputs().len() >= 8, "{} steps", p.session.inputs().len());
    assert_eq!(cli_hash(&p), hash(&p), "admin, faults, load");

    // A branch: back in time, a different future.
    p.update(Cmd::Seek(100 * MS));
    settle_frames(&mut p);
    p.update(Cmd::Wipe(NodeId(3)));
    run(&mut p, 50);
    assert_eq!(p.session.branches().len(), 2);
    assert_eq!(cli_hash(&p), hash(&p), "a second branch");

    // Saved in the past: the file ends where the page is, its future steps not reached.
    p.update(Cmd::Seek(60 * MS));
    settle_frames(&mut p);
    assert_eq!(cli_hash(&p), hash(&p), "saved while looking at the past");
}

#[test]
fn every_example_opens_steps_through_and_agrees_with_the_cli() {
    for (i, (file, text)) in examples::EXAMPLES.iter().enumerate() {
        let mut p = Playground::new();
        crate::app::examples::open(&mut p, i);
        assert_eq!(p.scenario_message, None, "{file}");
        let scenario = Scenario::from_json(text).unwrap();
        assert_eq!(p.header.name, scenario.name);
        assert_eq!(p.step_count(), scenario.steps.len(), "{file}");
        assert_eq!(p.session.world().now(), 0);
        let rows = steps::rows(&p.session);
        assert_eq!(rows[0].state, StepState::Next, "{file}");
        for n in 1..=scenario.steps.len() {
            p.update(Cmd::NextStep);
            settle_frames(&mut p);
            assert_eq!(p.session.next_input(), n, "{file}: after step {n}");
        }
        let at_the_end = hash(&p);
        p.update(Cmd::NextStep);
        assert_eq!(hash(&p), at_the_end, "no next step: nothing happens");
        assert!(steps::caption(&p).unwrap().contains("That was the last step"), "{file}");
        assert_eq!(cli_hash(&p), hash(&p), "{file}");
        // The file as written, through the page's executor and the CLI's: the same run.
        let mut plain = scenario::play(&scenario, true).unwrap();
        while !plain.script_left().is_empty() && plain.step() {}
        plain.settle(scenario::DEFAULT_SETTLE);
        let doc = scenario::run(&scenario).unwrap();
        assert_eq!(doc["trace_hash"].as_str().unwrap(), plain.world().trace().hash(), "{file}");
    }
}

#[test]
fn next_and_previous_step_and_a_click_on_a_step_go_where_they_say() {
    let mut p = Playground::new();
    crate::app::examples::open(&mut p, 0); // Figure 3
    p.update(Cmd::NextStep);
    settle_frames(&mut p);
    assert_eq!(p.session.next_input(), 1);
    assert!(p.session.world().is_quiescent(), "the first put's messages have settled");
    let after_first = hash(&p);
    p.update(Cmd::NextStep);
    settle_frames(&mut p);
    p.update(Cmd::NextStep);
    settle_frames(&mut p);
    assert_eq!(p.session.next_input(), 3);
    let third = p.session.inputs()[2].clone();
    p.update(Cmd::PreviousStep);
    settle_frames(&mut p);
    assert_eq!(p.session.next_input(), 2, "just before the third step");
    assert_eq!(p.session.moment().steps, third.steps);
    assert!(p.session.world().now() <= third.at);
    p.update(Cmd::PreviousStep);
    p.update(Cmd::PreviousStep);
    settle_frames(&mut p);
    assert_eq!(p.session.next_input(), 0);
    assert!(steps::caption(&p).unwrap().starts_with("The paper's Figure 3"), "the description");
    p.update(Cmd::PreviousStep);
    assert_eq!(p.session.next_input(), 0, "before the first step already");
    p.update(Cmd::NextStep);
    settle_frames(&mut p);
    assert_eq!(hash(&p), after_first, "the same way forward again");
    // A click on a later step runs up to just before it.
    p.update(Cmd::GoToStep(6));
    settle_frames(&mut p);
    assert_eq!(p.session.next_input(), 6);
    let rows = steps::rows(&p.session);
    assert_eq!(rows[5].state, StepState::Taken);
    assert_eq!(rows[6].state, StepState::Next);
    assert_eq!(p.past_warning(), None, "at the run's end: acting here is no branch");
}

#[test]
fn a_link_restores_the_moment_exactly() {
    let mut p = Playground::new();
    crate::app::examples::open(&mut p, 1);
    for _ in 0..4 {
        p.update(Cmd::NextStep);
        settle_frames(&mut p);
    }
    p.update(Cmd::Step); // between two events
    p.update(Cmd::Crash(NodeId(2)));
    p.update(Cmd::Step);
    p.update(Cmd::ShareLink);
    let fragment = p.share.clone().expect("a link");
    let mut q = Playground::from_location("", &format!("#{fragment}"));
    assert_eq!(q.notice, None);
    settle_frames(&mut q);
    assert_eq!(q.session.moment(), p.session.moment());
    assert_eq!(hash(&q), hash(&p));
    assert_eq!(log(&q), log(&p));
    assert_eq!(q.header, p.header);
    assert_eq!(q.step_count(), p.step_count());
    // The compact page.
    let embedded = Playground::from_location("", &format!("#{fragment}&embed"));
    assert!(embedded.embed && !q.embed);
    // The old links still work.
    let old = Playground::from_location("?seed=4&nodes=7", "");
    assert_eq!(old.session.world().names().len(), 7);
}

#[test]
fn bad_files_and_links_say_what_is_wrong_and_change_nothing() {
    let cluster = r#""cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}]}"#;
    let with_steps = |steps: &str| format!("{{{cluster}, \"steps\": [{steps}]}}");
    let many_nodes: Vec<String> = (0..300).map(|i| format!("{{\"id\": \"N{i}\"}}")).collect();
    let heal = r#"{"op": "heal"}"#;
    let cases: Vec<(&str, String, &str)> = vec![
        ("not JSON", "this is not json".into(), "invalid scenario"),
        ("truncated", with_steps(r#"{"op": "crash", "node": "A"}"#)[..40].into(), "EOF"),
        ("a wrong type", with_steps(r#"{"op": "crash", "node": 3}"#), "invalid type"),
        ("an unknown node", with_steps(r#"{"op": "crash", "node": "Z"}"#), "unknown node \"Z\""),
        ("an unknown op", with_steps(r#"{"op": "explode"}"#), "unknown variant"),
        ("too late", with_steps(r#"{"at_ms": 1e9, "op": "heal"}"#), "at_ms"),
        ("too many steps", with_steps(&vec![heal; 5_001].join(",")), "at most 5000 steps"),
        (
            "too many nodes",
            format!(r#"{{"cluster": {{"nodes": [{}]}}}}"#, many_nodes.join(",")),
            "at most 256 nodes",
        ),
        ("too large", format!("{{\"name\": \"{}\"}}", "x".repeat(1 << 20)), "at most 1048576"),
        (
            "an end past its steps",
            format!(r#"{{{cluster}, "end": {{"at_ms": 5, "steps_taken": 2}}}}"#),
            "steps_taken",
        ),
    ];
    let mut p = Playground::new();
    p.update(Cmd::ClientPut(0));
    run(&mut p, 50);
    let (before, moment, header) = (hash(&p), p.session.moment(), p.header.clone());
    for (what, text, expected) in cases {
        p.update(Cmd::OpenScenario(text));
        let message = p.scenario_message.clone().unwrap_or_default();
        assert!(message.contains(expected), "{what}: {message}");
        assert_eq!((hash(&p), p.session.moment()), (before.clone(), moment), "{what}");
        assert_eq!(p.header, header, "{what}");
    }
    for (what, fragment, expected) in [
        ("bad compression", "#run=AAAA", "damaged"),
        ("not base64", "#run=!!", "damaged"),
        ("an unknown part", "#run=AAAA&x=1", "does not know"),
    ] {
        let page = Playground::from_location("", fragment);
        let notice = page.notice.clone().unwrap_or_default();
        assert!(notice.contains(expected), "{what}: {notice}");
        assert_eq!(page.session.world().now(), 0);
    }
    let bad_file_in_a_link = link::encode("{\"cluster\": 7}", false).unwrap();
    let page = Playground::from_location("", &bad_file_in_a_link);
    assert!(page.notice.unwrap().contains("invalid scenario"));
}

#[test]
fn a_step_goal_in_frames_never_freezes_a_frame() {
    let mut p = Playground::new();
    let text = r#"{"cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}]},
        "steps": [{"at_ms": 500000, "op": "crash", "node": "A"}]}"#;
    p.update(Cmd::OpenScenario(text.into()));
    p.update(Cmd::NextStep);
    assert!(matches!(p.goal, Some(Goal::After { .. })), "minutes of gossip take frames");
    settle_frames(&mut p);
    assert_eq!(p.session.next_input(), 1);
    assert!(!p.session.world().is_up(NodeId(0)));
}

#[test]
fn acting_in_the_past_of_a_scenario_keeps_the_files_steps_still_to_come() {
    let mut p = Playground::new();
    crate::app::examples::open(&mut p, 0); // Figure 3: eleven steps
    for _ in 0..11 {
        p.update(Cmd::NextStep);
        settle_frames(&mut p);
    }
    p.update(Cmd::GoToStep(5));
    settle_frames(&mut p);
    p.update(Cmd::Crash(NodeId(2))); // "what if Sz crashes here?"
    assert_eq!(p.session.branches().len(), 2);
    assert_eq!(p.step_count(), 12, "steps 6 to 11 of the file are still to come");
    assert_eq!(p.session.next_input(), 6);
    for _ in 0..6 {
        p.update(Cmd::NextStep);
        settle_frames(&mut p);
    }
    assert_eq!(p.session.next_input(), 12);
    assert_eq!(cli_hash(&p), hash(&p), "the new branch saved as a file runs the same");
}

#[test]
fn the_client_cards_follow_the_scenario_and_its_key_is_looked_up() {
    let mut p = Playground::new();
    crate::app::examples::open(&mut p, 0); // Figure 3: client A puts D1, then D2
    assert_eq!(p.lookup, "D");
    let card = |p: &Playground| p.clients.iter().find(|c| c.name == "A").unwrap().value.clone();
    assert_eq!(card(&p), "D1");
    p.update(Cmd::GoToStep(3));
    settle_frames(&mut p);
    assert_eq!(card(&p), "D2", "A's latest put so far");
    p.update(Cmd::GoToStep(1));
    settle_frames(&mut p);
    assert_eq!(card(&p), "D1", "and back");
}

#[test]
fn clicking_a_version_goes_to_the_message_that_carried_it() {
    let mut p = Playground::new();
    crate::app::examples::open(&mut p, 0); // Figure 3
    for _ in 0..11 {
        p.update(Cmd::NextStep);
        settle_frames(&mut p);
    }
    let history = versions::history(p.session.world(), "D");
    let d3 = history.versions.iter().find(|v| v.value == "D3").unwrap();
    let written = d3.written_at;
    p.update(Cmd::ShowCarrier(d3.op.expect("a put wrote D3")));
    settle_frames(&mut p);
    assert_eq!(p.session.world().now(), written, "the moment Sy stamped D3 and sent it");
    let Some(Selected::Message { rows, .. }) = &p.selected else {
        panic!("a message selected: {:?}", p.selected)
    };
    let text: Vec<String> = rows.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    assert!(text.iter().any(|r| r.contains("D3 [Sx:2, Sy:1]")), "{text:?}");
}
