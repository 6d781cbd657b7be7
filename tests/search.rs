//! Counterexample search (`sim::search`) on every test run, and the counterexamples it found
//! kept as regression tests.
//!
//! `SEARCH_SCHEDULES=N cargo test --release --test search` searches N random fault schedules
//! (crashes, wiped disks, partitions, dropping links, joins and leaves, with three clients)
//! for a violation of anything Dynamo promises for the schedule (default 1,000, spread over
//! five configurations, which is what CI runs). The README ("The command-line simulator",
//! `check`) records the result
//! of a longer search.

use dynamo_playground::sim::check::{all_promised_held, check};
use dynamo_playground::sim::scenario::{self, Scenario};
use dynamo_playground::sim::search::{Faults, Search, SearchSpec};

#[test]
fn no_schedule_violates_what_dynamo_promises() {
    let schedules: u32 =
        std::env::var("SEARCH_SCHEDULES").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000);
    // (N, R, W, sloppy quorum, last write wins, hinted handoff and periodic anti-entropy)
    let configurations = [
        (3, 2, 2, false, false, true),
        (3, 2, 2, true, false, true),
        (3, 1, 1, true, false, true),
        (3, 1, 3, false, true, true),
        (3, 2, 2, false, false, false),
    ];
    for (i, (n, r, w, sloppy_quorum, last_write_wins, repairs)) in
        configurations.into_iter().enumerate()
    {
        let spec = SearchSpec {
            n,
            r,
            w,
            sloppy_quorum,
            last_write_wins,
            hinted_handoff: repairs,
            periodic_anti_entropy: repairs,
            faults: Faults::ALL,
            property: None,
            promised_only: true,
            schedules: schedules.div_ceil(configurations.len() as u32),
            seed: 100 + i as u64,
            ..SearchSpec::default()
        };
        if let Some(found) = Search::new(spec.clone()).unwrap().run() {
            panic!(
                "a promised property was violated ({spec:?}): {:#?}\n{}",
                found.verdict,
                found.shrunk.to_json()
            );
        }
    }
}

fn counterexample(file: &str) -> Scenario {
    let path = format!("{}/tests/counterexamples/{file}", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Found by the search: a checker that healed partitions but not links dropping every
/// message judged a run whose network never healed, and called convergence violated.
#[test]
fn regression_links_that_drop_everything_are_mended_before_the_checker_judges() {
    let world =
        scenario::run_world(&counterexample("dead-links-are-not-a-lost-write.json")).unwrap();
    let verdicts = check(&world);
    assert!(all_promised_held(&verdicts), "{verdicts:#?}");
    assert!(verdicts.iter().all(|v| v.held), "{verdicts:#?}");
}

/// Shrunk counterexamples of what Dynamo does not promise, kept as lessons: each still shows
/// its violation, and the checker still says why it is not promised.
#[test]
fn the_saved_counterexamples_still_show_what_they_show() {
    for (file, property, because) in [
        (
            "w1-crash-and-wipe-lose-a-write.json",
            "no acknowledged write lost",
            "a put waits for only W = 1",
        ),
        ("ring-change-breaks-read-your-writes.json", "read your writes", "the ring changed"),
    ] {
        let world = scenario::run_world(&counterexample(file)).unwrap();
        let verdicts = check(&world);
        let v = verdicts.iter().find(|v| v.property == property).unwrap();
        assert!(!v.held && !v.promised, "{file}: {v:#?}");
        assert!(v.not_promised_because.as_deref().unwrap().contains(because), "{file}: {v:#?}");
        assert!(all_promised_held(&verdicts), "{file}");
    }
}

/// What the anti-entropy lesson's "try" says the page's search finds (the page's defaults,
/// crashes and wiped disks only): a put acknowledged by one replica while the other two are
/// down, and that replica's disk wiped.
#[test]
fn the_lessons_search_finds_a_put_acknowledged_alone_then_wiped() {
    use dynamo_playground::sim::scenario::{Action, Op};
    let spec = SearchSpec { faults: Faults::parse("crash,wipe").unwrap(), ..SearchSpec::default() };
    let found = Search::new(spec).unwrap().run().unwrap();
    let actions: Vec<&Action> = found
        .shrunk
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::Act(a) => Some(a),
            Op::Settle { .. } => None,
        })
        .collect();
    let crashed: Vec<&str> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Crash { node } => Some(node.as_str()),
            _ => None,
        })
        .collect();
    let Some(Action::Put { via: Some(coordinator), .. }) =
        actions.iter().find(|a| matches!(a, Action::Put { .. }))
    else {
        panic!("a put: {actions:?}")
    };
    assert_eq!(crashed.len(), 2, "{actions:?}");
    assert!(!crashed.contains(&coordinator.as_str()));
    assert!(matches!(actions.last(), Some(Action::Wipe { node }) if node == coordinator));
    assert_eq!(found.verdict.property, "no acknowledged write lost");
}

/// Found by fuzzing scenario files: the on-demand anti-entropy round let the lower-id node
/// of each pair start and skipped peers it believed down, so a pair could go uncompared and
/// a replica stay without a key for good.
#[test]
fn regression_every_pair_of_replicas_is_compared_even_one_believed_down() {
    let world = scenario::run_world(&counterexample("fuzz-a-pair-never-compared.json")).unwrap();
    let verdicts = check(&world);
    assert!(verdicts.iter().all(|v| v.held), "{verdicts:#?}");
}
