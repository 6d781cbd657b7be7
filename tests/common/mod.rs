//! Helpers shared by the native test files.
#![allow(dead_code)]

use dynamo_playground::sim::scenario::{self, Scenario};
use serde_json::Value;

/// Runs a scenario file from `scenarios/` and returns the result document.
pub fn run_file(name: &str) -> Value {
    let path = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    run_text(&text)
}

/// Runs a scenario given as JSON text.
pub fn run_text(text: &str) -> Value {
    let scenario = Scenario::from_json(text).expect("a valid scenario");
    scenario::run(&scenario).expect("the run succeeds")
}

/// The values of the versions a get result returned, in order.
pub fn values(result: &Value) -> Vec<String> {
    result["versions"]
        .as_array()
        .expect("a get result")
        .iter()
        .map(|v| v["value"].as_str().unwrap().to_string())
        .collect()
}
