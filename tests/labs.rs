//! Labs (`sim::lab`): the same spec and seed give the same numbers — here, natively, to the
//! fingerprints in `golden/labs.json`; `tests/web.rs` checks the same in Chromium.

use dynamo_playground::sim::lab::consistency::ConsistencyLab;
use dynamo_playground::sim::lab::divergence::DivergenceLab;
use dynamo_playground::sim::lab::partitioning::PartitioningLab;
use dynamo_playground::sim::lab::{fingerprint, golden_specs};

#[test]
fn the_labs_find_their_golden_numbers() {
    let golden: serde_json::Value = serde_json::from_str(include_str!("golden/labs.json")).unwrap();
    let (c, p, d) = golden_specs();
    let consistency = ConsistencyLab::new(c).unwrap().finish();
    let partitioning = PartitioningLab::new(p).unwrap().finish().unwrap();
    let divergence = DivergenceLab::new(d).unwrap().finish();
    assert_eq!(golden["consistency"], fingerprint(&consistency), "{consistency:?}");
    assert_eq!(golden["partitioning"], fingerprint(&partitioning), "{partitioning:?}");
    assert_eq!(golden["divergence"], fingerprint(&divergence), "{divergence:?}");
    for (name, print) in dynamo_playground::sim::lab::more_golden_fingerprints() {
        assert_eq!(golden[name], print, "{name}");
    }
}

/// Prints the fingerprints, to write into `golden/labs.json` after a deliberate change:
/// `cargo test --test labs print_fingerprints -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_fingerprints() {
    for (name, print) in dynamo_playground::sim::lab::more_golden_fingerprints() {
        println!("{name} {print}");
    }
}
