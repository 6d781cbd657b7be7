#![no_main]
//! See `dynamo_playground::fuzz::share_link`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dynamo_playground::fuzz::share_link(data));
