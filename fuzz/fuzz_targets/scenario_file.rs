#![no_main]
//! See `dynamo_playground::fuzz::scenario_file`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dynamo_playground::fuzz::scenario_file(data));
