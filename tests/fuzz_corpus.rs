//! The fuzzing entry points (`dynamo_playground::fuzz`, run for hours by the cargo-fuzz
//! targets in `fuzz/`) over their seed corpus and random bytes, on every test run: every
//! scenario and lesson file, share links made from them, and random node schedules.

use dynamo_playground::app::link;
use dynamo_playground::fuzz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn corpus() -> Vec<String> {
    let mut texts = Vec::new();
    for dir in ["scenarios", "lessons", "tests/counterexamples"] {
        let mut paths: Vec<_> = std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        texts.extend(paths.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    }
    texts
}

#[test]
fn every_scenario_and_lesson_file_and_mangled_copies_parse_or_are_refused() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for text in corpus() {
        fuzz::scenario_file(text.as_bytes());
        for _ in 0..20 {
            let mut bytes = text.clone().into_bytes();
            let i = rng.random_range(0..bytes.len());
            bytes[i] = rng.random();
            fuzz::scenario_file(&bytes);
            bytes.truncate(i);
            fuzz::scenario_file(&bytes);
        }
    }
}

#[test]
fn share_links_of_every_file_and_mangled_ones_decode_or_are_refused() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for text in corpus() {
        let Ok(fragment) = link::encode(&text, false) else { continue };
        fuzz::share_link(fragment.as_bytes());
        for _ in 0..20 {
            let mut bytes = fragment.clone().into_bytes();
            let i = rng.random_range(0..bytes.len());
            bytes[i] = rng.random_range(b'-'..=b'z');
            fuzz::share_link(&bytes);
        }
    }
}

#[test]
fn random_node_schedules_keep_siblings_concurrent_and_values_real() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..300 {
        let len = rng.random_range(0..3_000);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        fuzz::node_schedule(&bytes);
    }
}
