//! The paper's examples, replayed from the scenario files in `scenarios/`.

mod common;
use common::{run_file, values};
use serde_json::json;

#[test]
fn figure_3_versions_evolve_as_in_the_paper() {
    let doc = run_file("figure3.json");
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r[0]["clock"], json!({"Sx": 1}), "D1");
    assert_eq!(r[2]["clock"], json!({"Sx": 2}), "D2");
    assert_eq!(r[5]["clock"], json!({"Sx": 2, "Sy": 1}), "D3");
    assert_eq!(r[6]["clock"], json!({"Sx": 2, "Sz": 1}), "D4");
    // Client C reads D3 and D4 as siblings...
    assert_eq!(
        r[7]["versions"],
        json!([{"value": "D3", "clock": {"Sx": 2, "Sy": 1}}, {"value": "D4", "clock": {"Sx": 2, "Sz": 1}}])
    );
    // ...and writes the reconciled D5 through Sx.
    assert_eq!(r[8]["clock"], json!({"Sx": 3, "Sy": 1, "Sz": 1}), "D5");
    assert_eq!(values(&r[10]), vec!["D5"]);
    for node in ["Sx", "Sy", "Sz"] {
        assert_eq!(
            doc["final"][node]["store"]["D"],
            json!([{"value": "D5", "clock": {"Sx": 3, "Sy": 1, "Sz": 1}}])
        );
    }
    assert_eq!(doc["metrics"]["gets_with_siblings"], json!(1));
}

#[test]
fn shopping_cart_keeps_both_sides_of_a_partition_and_the_union_wins() {
    let doc = run_file("shopping-cart.json");
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r[4]["ok"], json!(true), "the isolated side accepts the add (W = 1)");
    assert_eq!(r[5]["ok"], json!(true), "so does the other side");
    assert_eq!(values(&r[7]), vec!["mixer,tea", "mixer,teapot"], "siblings after the heal");
    assert_eq!(r[8]["clock"], json!({"A": 3, "B": 1}), "the union descends both");
    assert_eq!(values(&r[10]), vec!["mixer,tea,teapot"]);
    for node in ["A", "B", "C"] {
        let held = &doc["final"][node]["store"]["cart"];
        assert_eq!(held.as_array().unwrap().len(), 1, "{node} holds one version");
        assert_eq!(held[0]["value"], json!("mixer,tea,teapot"));
    }
}

#[test]
fn strict_quorum_rejects_a_put_with_two_replicas_down_then_recovers() {
    let doc = run_file("strict-quorum-crash.json");
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r[0]["ok"], json!(true));
    assert_eq!(r[4]["ok"], json!(false));
    assert_eq!(r[4]["error"], json!("put timed out: 1 of W=2 replicas acknowledged"));
    assert_eq!(r[7]["ok"], json!(true));
    assert_eq!(doc["metrics"]["puts_failed"], json!(1));
}

/// A wiped node must not reuse its clock counters, or an acknowledged write is lost: v3,
/// written after D lost its disk, would be stamped [D:1] and discarded as an ancestor of
/// v2 [D:2]. D comes back as a new actor, D#1, and v3 survives as v2's sibling.
#[test]
fn a_wiped_node_writes_under_a_new_identity_and_no_acknowledged_write_is_lost() {
    let doc = run_file("wipe-new-identity.json");
    let r = doc["results"].as_array().unwrap();
    assert_eq!(r[0]["clock"], json!({"D": 1}), "v1");
    assert_eq!(r[1]["clock"], json!({"D": 2}), "v2 (blind: it replaces what D holds)");
    assert_eq!(r[4]["ok"], json!(true), "v3 is acknowledged");
    assert_eq!(r[4]["clock"], json!({"D#1": 1}), "stamped by D's new identity");
    assert_eq!(values(&r[6]), vec!["v2", "v3"], "v3 survives, concurrent with v2");
    assert_eq!(r[6]["context"], json!({"D": 2, "D#1": 1}));
    for node in ["C", "D", "B"] {
        let held: Vec<&str> = doc["final"][node]["store"]["cart"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_str().unwrap())
            .collect();
        assert!(held.contains(&"v3"), "{node} holds v3: {held:?}");
    }
}

#[test]
fn every_shipped_scenario_runs_and_is_deterministic() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 3);
    for name in names {
        let (a, b) = (run_file(&name), run_file(&name));
        assert_eq!(a, b, "{name}: same seed, same run");
        assert_eq!(a["trace_hash"].as_str().unwrap().len(), 32);
    }
}

/// The same hash is asserted by the wasm test in `tests/web.rs`: native and browser runs
/// of one scenario must be identical event for event.
#[test]
fn figure_3_trace_hash_matches_the_golden_value() {
    let golden = include_str!("golden/figure3.trace-hash").trim();
    assert_eq!(run_file("figure3.json")["trace_hash"], json!(golden));
}

/// The reference load (64 nodes, 200 ms of virtual time) hashes the same natively and in
/// the browser (`tests/web.rs` checks the same golden value and prints its speed there).
#[test]
fn the_reference_load_trace_hash_matches_the_golden_value() {
    // Timed the second time, as in the browser (`tests/web.rs`).
    let load =
        || dynamo_playground::sim::workload::reference_load(64, 200 * dynamo_playground::core::MS);
    let (first, _) = load();
    let started = std::time::Instant::now();
    let (world, _) = load();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(first.trace().hash(), world.trace().hash());
    // A figure, not an assertion: `scripts/wasm-speed.sh` compares it with the browser's.
    let delivered = world.metrics().messages_delivered;
    println!("native reference load: {:.0} deliveries/s", delivered as f64 / seconds);
    let golden = include_str!("golden/load64.trace-hash").trim();
    assert_eq!(world.trace().hash(), golden);
}

/// Every file of `scenarios/` runs to the trace hash in `golden/scenarios.json`
/// (`tests/web.rs` checks the same hashes in Chromium: native = wasm for every scenario).
#[test]
fn every_scenario_file_runs_to_its_golden_trace_hash() {
    use dynamo_playground::app::examples::EXAMPLES;
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/scenarios.json")).unwrap();
    assert_eq!(golden.as_object().unwrap().len(), EXAMPLES.len(), "a hash for every file");
    for (file, _) in EXAMPLES {
        assert_eq!(run_file(file)["trace_hash"], golden[file], "{file}");
    }
}
