//! Lessons (`lessons/`): each runs in the CLI like any scenario file, to the trace hash
//! recorded in `golden/lessons.json` (the browser test `tests/web.rs` checks the same
//! hashes in Chromium).

use dynamo_playground::app::lessons::LESSONS;
use dynamo_playground::sim::scenario::{self, Scenario};

#[test]
fn every_lesson_runs_in_the_cli_to_its_golden_trace_hash() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/lessons.json")).unwrap();
    assert_eq!(golden.as_object().unwrap().len(), LESSONS.len(), "a hash for every lesson");
    for (file, text) in LESSONS {
        let lesson = Scenario::from_json(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(lesson.lesson.is_some(), "{file} is a lesson");
        let doc = scenario::run(&lesson).unwrap();
        assert_eq!(doc["trace_hash"], golden[file], "{file}");
    }
}

#[test]
fn a_lesson_with_a_question_about_nothing_is_refused_with_its_beat() {
    let (_, text) = LESSONS.iter().find(|(f, _)| *f == "versioning.json").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(text).unwrap();
    doc["lesson"]["beats"][1]["ask"] = serde_json::json!({
        "what": "versions", "client": "A", "question": "How many?"
    });
    doc["lesson"]["beats"][1]["run_to"] = serde_json::json!(1);
    let e = Scenario::from_json(&doc.to_string()).unwrap_err();
    assert!(e.contains("lesson beat 2: a question is about steps still to run"), "{e}");
    doc["lesson"]["beats"][1]["run_to"] = serde_json::json!(99);
    let e = Scenario::from_json(&doc.to_string()).unwrap_err();
    assert!(e.contains("lesson beat 2: run_to 99 is not a step"), "{e}");
    doc["lesson"]["beats"][1]["run_to"] = serde_json::json!(3);
    doc["lesson"]["beats"][1]["ask"]["client"] = serde_json::json!("zed");
    let e = Scenario::from_json(&doc.to_string()).unwrap_err();
    assert!(e.contains("unknown client \"zed\""), "{e}");
}
