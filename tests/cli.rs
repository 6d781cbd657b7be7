//! The `dynamo-sim` binary: output shapes, and clear errors (never a panic) on bad input.

use serde_json::Value;
use std::process::Command;

fn sim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dynamo-sim")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn scenario_file(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Writes `text` to a temporary scenario file and runs `dynamo-sim run` on it.
fn run_text(tag: &str, text: &str) -> (i32, String, String) {
    let path =
        std::env::temp_dir().join(format!("dynamo-sim-test-{}-{tag}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let result = sim(&["run", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    result
}

const BASE_NODES: &str = r#"[{"id": "A"}, {"id": "B"}, {"id": "C"}]"#;

fn with_cluster(cluster_extra: &str, steps: &str) -> String {
    format!(
        r#"{{"seed": 1, "cluster": {{"nodes": {BASE_NODES}, "n": 3, "r": 2, "w": 2{cluster_extra}}}, "steps": {steps}}}"#
    )
}

#[test]
fn run_prints_the_result_document() {
    let (code, out, err) = sim(&["run", &scenario_file("figure3.json")]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    for field in ["results", "final", "metrics", "trace_hash"] {
        assert!(doc.get(field).is_some(), "missing {field}");
    }
    assert_eq!(doc["final"]["Sx"]["up"], Value::Bool(true));
}

#[test]
fn run_with_trace_writes_every_event_as_a_line_of_json_and_the_same_document() {
    let out = std::env::temp_dir().join(format!("dynamo-sim-trace-{}.jsonl", std::process::id()));
    let out = out.to_str().unwrap();
    let (code, doc, err) = sim(&["run", &scenario_file("figure3.json"), "--trace", out]);
    assert_eq!(code, 0, "{err}");
    let (_, plain, _) = sim(&["run", &scenario_file("figure3.json")]);
    assert_eq!(doc, plain, "recording the trace changes nothing in the run");
    let text = std::fs::read_to_string(out).unwrap();
    let _ = std::fs::remove_file(out);
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.len() > 50, "{} lines", lines.len());
    assert!(lines.iter().all(|l| l["at_us"].is_u64() && l["event"].is_string()));
    assert!(lines.windows(2).all(|w| w[0]["at_us"].as_u64() <= w[1]["at_us"].as_u64()));
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let requests = lines.iter().filter(|l| l["event"] == "request").count();
    let results = doc["results"].as_array().unwrap();
    let operations = results.iter().filter(|r| r["op"] == "get" || r["op"] == "put").count();
    assert_eq!(requests, operations, "a request line per get and put of the scenario");
    // A path that cannot be written is refused before the run.
    let (code, _, err) =
        sim(&["run", &scenario_file("figure3.json"), "--trace", "/no/such/dir/t.jsonl"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot write the trace to /no/such/dir/t.jsonl"), "{err}");
}

#[test]
fn ring_prints_position_and_whole_preference_list() {
    let (code, out, err) = sim(&["ring", &scenario_file("figure3.json"), "--key", "cart"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["key"], "cart");
    // MD5("cart") as 32 hex digits.
    assert_eq!(doc["position"].as_str().unwrap().len(), 32);
    let mut list: Vec<&str> =
        doc["preference_list"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(list.len(), 3);
    list.sort();
    assert_eq!(list, vec!["Sx", "Sy", "Sz"]);
}

#[test]
fn explicit_tokens_decide_the_preference_list() {
    let text = r#"{"seed": 1, "cluster": {"nodes": [
        {"id": "A", "tokens": ["40000000000000000000000000000000"]},
        {"id": "B", "tokens": ["80000000000000000000000000000000"]},
        {"id": "C", "tokens": ["c0000000000000000000000000000000"]}], "n": 2, "r": 1, "w": 1}}"#;
    let path = std::env::temp_dir().join(format!("dynamo-sim-ring-{}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    // MD5("cart") = 54013ba6…, between A's token (0x40…) and B's (0x80…): B, then C, then A.
    let (code, out, err) = sim(&["ring", path.to_str().unwrap(), "--key", "cart"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["position"], "54013ba69c196820e56801f1ef5aad54");
    assert_eq!(doc["preference_list"], serde_json::json!(["B", "C", "A"]));
}

#[test]
fn balance_reports_all_three_strategies() {
    let (code, out, err) =
        sim(&["balance", &scenario_file("figure3.json"), "--keys", "500", "--q", "12"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rows = doc["strategies"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let e = row["efficiency"].as_f64().unwrap();
        assert!(e > 0.0 && e <= 1.0);
    }
    assert_eq!(rows[2]["membership_entries"], 12);
}

#[test]
fn bad_input_gets_a_clear_error_and_a_nonzero_exit() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("not-json", "{ this is not json".into(), "invalid scenario"),
        ("unknown-field", with_cluster(r#", "colour": "red""#, "[]"), "unknown field `colour`"),
        ("unknown-step-field", with_cluster("", r#"[{"op": "crash", "node": "A", "when": 3}]"#), "unknown field `when`"),
        ("unknown-op", with_cluster("", r#"[{"op": "explode"}]"#), "unknown variant `explode`"),
        ("unknown-node", with_cluster("", r#"[{"op": "crash", "node": "Z"}]"#), "unknown node \"Z\""),
        ("unknown-via", with_cluster("", r#"[{"op": "get", "key": "k", "via": "Q"}]"#), "unknown node \"Q\""),
        ("r-gt-n", with_cluster(r#", "tokens_per_node": 2"#, "[]").replace(r#""r": 2"#, r#""r": 4"#), "R (4) cannot exceed N (3)"),
        ("w-gt-n", with_cluster("", "[]").replace(r#""w": 2"#, r#""w": 9"#), "W (9) cannot exceed N (3)"),
        ("n-gt-nodes", with_cluster("", "[]").replace(r#""n": 3"#, r#""n": 4"#).replace(r#""r": 2"#, r#""r": 1"#), "exceeds the number of nodes"),
        ("bad-token", r#"{"cluster": {"nodes": [{"id": "A", "tokens": ["xyz"]}], "n": 1, "r": 1, "w": 1}}"#.into(), "expected exactly 32 hex digits"),
        ("dup-token", r#"{"cluster": {"nodes": [{"id": "A", "tokens": ["0000000000000000000000000000000a"]}, {"id": "B", "tokens": ["0000000000000000000000000000000a"]}], "n": 1, "r": 1, "w": 1}}"#.into(), "more than one node"),
        ("dup-node", r#"{"cluster": {"nodes": [{"id": "A"}, {"id": "A"}], "n": 1, "r": 1, "w": 1}}"#.into(), "appears twice"),
        ("negative-time", with_cluster("", r#"[{"op": "heal", "at_ms": -5}]"#), "at_ms must be a number of milliseconds from 0"),
        ("bad-latency", with_cluster(r#", "network": {"latency_ms": {"kind": "uniform", "min": 5, "max": 1}}"#, "[]"), "bad latency"),
        ("bad-drop-rate", with_cluster(r#", "network": {"drop_rate": 1.5}"#, "[]"), "drop_rate"),
        ("one-group", with_cluster("", r#"[{"op": "partition", "groups": [["A", "B", "C"]]}]"#), "at least two groups"),
        ("node-twice", with_cluster("", r#"[{"op": "partition", "groups": [["A"], ["A", "B"]]}]"#), "more than one group"),
        ("bad-strategy", with_cluster(r#", "partitioning": {"strategy": 4}"#, "[]"), "unknown strategy 4"),
        ("bad-preset", with_cluster(r#", "preset": "fastest""#, "[]"), "unknown preset \"fastest\""),
        ("empty-nodes", r#"{"cluster": {"nodes": [], "n": 1, "r": 1, "w": 1}}"#.into(), "at least one node"),
        // Sizes and durations past their limits (`sim::limits`): refused before any work,
        // where they used to abort on allocation or run for minutes.
        ("huge-q-3", with_cluster(r#", "partitioning": {"strategy": 3, "q": 4294967295}"#, "[]"), "q must be at most 65536"),
        ("huge-q-2", with_cluster(r#", "partitioning": {"strategy": 2, "q": 4294967295}"#, "[]"), "q must be at most 65536"),
        ("huge-tokens", with_cluster(r#", "tokens_per_node": 4294967295"#, "[]"), "tokens_per_node must be at most"),
        ("huge-capacity", r#"{"cluster": {"nodes": [{"id": "A", "capacity": 1e300}], "n": 1, "r": 1, "w": 1}}"#.into(), "capacity must be"),
        ("huge-at-ms", with_cluster("", r#"[{"op": "heal", "at_ms": 1e10}]"#), "from 0 to 600000"),
        ("huge-settle", with_cluster("", r#"[{"op": "settle", "max_ms": 1e11}]"#), "max_ms must be a number"),
        ("tiny-gossip", with_cluster(r#", "gossip_interval_ms": 0.001"#, "[]"), "gossip_interval_ms must be between"),
        ("tiny-anti-entropy", with_cluster(r#", "features": {"anti_entropy_interval_ms": 0.001}"#, "[]"), "anti_entropy_interval_ms must be between"),
        ("hash-in-name", r#"{"cluster": {"nodes": [{"id": "A#1"}], "n": 1, "r": 1, "w": 1}}"#.into(), "must not contain '#'"),
        ("huge-n", with_cluster("", "[]").replace(r#""n": 3"#, r#""n": 1000000000000000"#), "merkle_depth"),
        ("tiny-replica-timeout", with_cluster(r#", "replica_timeout_ms": 0"#, "[]"), "replica_timeout_ms must be between"),
        ("huge-join-capacity", with_cluster("", r#"[{"op": "join", "node": "D", "capacity": 1e300}]"#), "capacity must be"),
        ("too-large", format!("{{\"name\": \"{}\"}}", "x".repeat(2 << 20)), "at most 1048576 bytes"),
        ("too-many-steps", with_cluster("", &format!("[{}]", vec![r#"{"op": "heal"}"#; 5_001].join(","))), "at most 5000 steps"),
        ("end-past-steps", with_cluster("", "[]").replace(r#""steps": []"#, r#""steps": [], "end": {"at_ms": 5, "steps_taken": 1}"#), "end.steps_taken"),
        ("huge-link-delay", with_cluster("", r#"[{"op": "link", "a": "A", "b": "B", "extra_delay_ms": 1e9}]"#), "extra_delay_ms must be at most"),
    ];
    for (tag, text, expected) in cases {
        let (code, out, err) = run_text(tag, &text);
        assert_eq!(code, 1, "{tag}: exit code (stderr: {err})");
        assert!(out.is_empty(), "{tag}: nothing on stdout");
        assert!(err.contains(expected), "{tag}: expected {expected:?} in {err:?}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
    }
}

#[test]
fn a_step_naming_a_node_whose_join_was_refused_is_refused_too() {
    let text = with_cluster(
        "",
        r#"[{"op": "join", "node": "D#2"}, {"op": "crash", "node": "D#2"},
            {"op": "join", "node": "E", "capacity": 1}, {"op": "crash", "node": "E"}]"#,
    );
    let (code, out, err) = run_text("refused-join", &text);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r[0]["ok"], false, "{}", r[0]);
    assert_eq!(r[1]["ok"], false);
    assert_eq!(r[1]["error"], "unknown node \"D#2\"");
    assert_eq!((r[2]["ok"].clone(), r[3]["ok"].clone()), (Value::Bool(true), Value::Bool(true)));
}

#[test]
fn a_bad_command_line_exits_with_2_and_says_why() {
    let file = scenario_file("figure3.json");
    for (flags, expected) in [
        (vec!["--keys", "abc"], "not a whole number from 1 to 1000000"),
        (vec!["--keys", "0"], "not a whole number from 1 to 1000000"),
        (vec!["--keys", "4294967295"], "not a whole number from 1 to 1000000"),
        (vec!["--q", "4294967295"], "not a whole number from 1 to 65536"),
        (vec!["--q"], "--q needs a value"),
        (vec!["--colour", "red"], "unknown flag"),
    ] {
        let args: Vec<&str> = ["balance", file.as_str()].into_iter().chain(flags.clone()).collect();
        let (code, out, err) = sim(&args);
        assert_eq!(code, 2, "{flags:?}: exit code (stderr: {err})");
        assert!(out.is_empty() && err.contains(expected), "{flags:?}: {err:?}");
    }
    assert_eq!(sim(&["run"]).0, 2, "no file");
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dynamo-sim"))
        .args(["run", &scenario_file("figure3.json")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then close the pipe
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !err.contains("panicked"), "{:?} {err}", out.status);
}

#[test]
fn the_papers_presets_set_n_r_w() {
    let text = |preset: &str| {
        format!(
            r#"{{"cluster": {{"nodes": [{{"id": "A"}}, {{"id": "B"}}, {{"id": "C"}}, {{"id": "D"}}], "preset": "{preset}"}},
                  "steps": [{{"op": "put", "key": "k", "value": "v"}}, {{"op": "settle"}}]}}"#
        )
    };
    for (preset, copies) in [("typical", 3), ("read-engine", 4), ("cache", 1)] {
        let (code, out, err) = run_text(preset, &text(preset));
        assert_eq!(code, 0, "{err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        let holders = doc["final"]
            .as_object()
            .unwrap()
            .values()
            .filter(|n| n["store"].get("k").is_some())
            .count();
        assert_eq!(holders, copies, "{preset}: the key is on N nodes");
    }
}

#[test]
fn bad_command_lines_are_refused() {
    assert_eq!(sim(&[]).0, 2);
    assert_eq!(sim(&["ring", "x.json"]).0, 2);
    let (code, _, err) = sim(&["run", "/nonexistent/file.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"));
}

#[test]
fn a_run_with_an_end_stops_there_and_says_which_steps_it_did_not_reach() {
    let text = with_cluster(
        "",
        r#"[{"at_ms": 10, "op": "crash", "node": "B"}, {"at_ms": 500, "op": "recover", "node": "B"}]"#,
    )
    .replace(r#""steps": ["#, r#""end": {"at_ms": 100}, "steps": ["#);
    let (code, out, err) = run_text("with-end", &text);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let r = doc["results"].as_array().unwrap();
    assert_eq!((r[0]["op"].as_str(), r[0]["ok"].as_bool()), (Some("crash"), Some(true)));
    assert_eq!(r[1]["error"], "not reached before the run's end");
    assert_eq!(doc["metrics"]["virtual_time_ms"], 100.0, "the run ends at its end");
}

#[test]
fn check_reports_each_property_and_a_logically_partitioned_ring_losing_a_write() {
    let lesson = format!("{}/lessons/gossip.json", env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = sim(&["check", &lesson]);
    assert_eq!(code, 0, "violated, but not promised: {err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let lost = &doc["properties"][0];
    assert_eq!(lost["property"], "no acknowledged write lost");
    assert_eq!((lost["held"].as_bool(), lost["promised"].as_bool()), (Some(false), Some(false)));
    assert!(lost["evidence"][0].as_str().unwrap().starts_with("put #2 by bob of order [Y:1]"));
    let (code, out, _) = sim(&["check", &scenario_file("figure3.json")]);
    assert_eq!(code, 0);
    assert!(out.contains("\"promised_held\": true"));
}

#[test]
fn labs_print_json_and_refuse_bad_flags_with_exit_2() {
    let (code, out, err) = sim(&["lab", "consistency", "--trials", "50", "--points", "5"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["points"].as_array().unwrap().len(), 5);
    assert!((doc["closed_form_stale"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    let (code, out, _) = sim(&["lab", "partitioning", "--keys", "500", "--tokens", "1,4"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["points"].as_array().unwrap().len(), 6);
    for bad in [
        vec!["lab", "consistency", "--latency", "bogus:1"],
        vec!["lab", "consistency", "--r", "4"],
        vec!["lab", "divergence", "--clients", "0"],
        vec!["lab", "coordination", "--ops", "x"],
        vec!["lab", "nope"],
        vec!["lab", "consistency", "--trials", "5", "--trials", "6"],
    ] {
        let (code, _, err) = sim(&bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(err.contains("dynamo-sim: "), "{err}");
    }
}

#[test]
fn check_reports_a_write_lost_with_w1_and_a_wipe_as_violated_not_promised() {
    let file = format!(
        "{}/tests/counterexamples/w1-crash-and-wipe-lose-a-write.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let (code, out, err) = sim(&["check", &file]);
    assert_eq!(code, 0, "not promised, so not a failure: {err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let lost = &doc["properties"][0];
    assert_eq!((lost["held"].as_bool(), lost["promised"].as_bool()), (Some(false), Some(false)));
    assert!(lost["not_promised_because"].as_str().unwrap().contains("W = 1"));
    assert!(lost["evidence"][0].as_str().unwrap().contains("holds nothing"));
}

#[test]
fn search_finds_shrinks_and_writes_a_counterexample_and_refuses_bad_flags() {
    let out_file = std::env::temp_dir().join(format!("cx-{}.json", std::process::id()));
    let out_path = out_file.to_str().unwrap();
    let args = ["search", "--w", "1", "--faults", "crash,wipe", "--out", out_path];
    let (code, out, err) = sim(&args);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doc["found"].as_bool(), doc["steps_after_shrinking"].as_u64()),
        (Some(true), Some(4))
    );
    let saved = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&saved).unwrap(), doc["counterexample"]);
    let (code, out, _) = sim(&["check", out_path]);
    assert_eq!(code, 0);
    assert!(out.contains("\"held\": false"));
    let _ = std::fs::remove_file(&out_file);
    // Nothing found: no file left behind.
    let args = ["search", "--r", "2", "--w", "2", "--faults", "none", "--schedules", "5", "--out"];
    let (code, out, _) = sim(&[&args[..], &[out_path]].concat());
    assert_eq!(code, 0);
    assert!(out.contains("\"found\": false") && !out_file.exists());
    // A search for bugs only: none in a strict majority quorum without repairs running.
    let args = ["search", "--r", "2", "--w", "2", "--promised", "--no-handoff"];
    let (code, out, err) = sim(&[&args[..], &["--property", "any", "--schedules", "20"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"found\": false"), "{out}");
    for bad in [
        vec!["search", "--faults", "flood"],
        vec!["search", "--property", "fast"],
        vec!["search", "--w", "4"],
        vec!["search", "--schedules", "0"],
    ] {
        let (code, _, err) = sim(&bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
}

#[test]
fn lab_compare_prints_both_runs() {
    let args = ["lab", "compare", "--b", "3,1,1,strict,s3", "--seconds", "1"];
    let (code, out, err) = sim(&args);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["a"]["hints_stored"].as_u64().unwrap() > 0 && doc["b"]["hints_stored"] == 0);
    let (code, _, err) = sim(&["lab", "compare", "--a", "3,2"]);
    assert_eq!(code, 2, "{err}");
}
