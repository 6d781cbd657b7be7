//! Simulator throughput, printed (not asserted): `cargo bench --bench throughput`.
//!
//! 1. A 64-node cluster under a steady get/put load: simulated message deliveries per
//!    second of wall time, on one core.
//! 2. A 1,000-node cluster taking 100,000 puts (one per key), run until it settles:
//!    wall time and peak memory.

use dynamo_playground::core::clock::VectorClock;
use dynamo_playground::core::{NodeId, Time, MS};
use dynamo_playground::sim::network::Latency;
use dynamo_playground::sim::workload::{drive, reference_setup_over};
use dynamo_playground::sim::world::{NodeSpec, World, WorldSpec};
use std::time::Instant;

fn cluster(nodes: usize, seed: u64) -> World {
    World::new(WorldSpec {
        seed,
        nodes: (0..nodes).map(|i| NodeSpec::named(&format!("n{i}"))).collect(),
        tokens_per_node: 8,
        latency: Latency::Uniform { min: 1.0, max: 5.0 },
        record_trace: false,
        ..WorldSpec::default()
    })
    .expect("a valid cluster")
}

/// Peak resident memory of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Versions held per (node, key), on average and at most: siblings pile up slowly under
/// this load (a put with no read to write back is blind, so concurrent with what is held).
fn versions_per_key(world: &World) -> (f64, usize) {
    let (mut keys, mut versions, mut most) = (0usize, 0usize, 0usize);
    for id in world.node_ids() {
        let store = world.node(id).store();
        for key in store.keys() {
            keys += 1;
            versions += store.get(key).len();
            most = most.max(store.get(key).len());
        }
    }
    (versions as f64 / keys.max(1) as f64, most)
}

fn steady_load() {
    let env = |name: &str, default: u64| {
        std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
    };
    let seconds = env("BENCH_VIRTUAL_SECONDS", 1);
    let runs = env("BENCH_RUNS", 9).max(1);
    let progress = std::env::var("BENCH_PROGRESS").is_ok_and(|v| v == "1");
    // The budget's load has 10,000 keys; fewer keys touch less memory (see BENCHMARKS.md).
    let keys = env("BENCH_KEYS", 10_000).clamp(1, u64::from(u32::MAX)) as u32;
    let virtual_time: Time = seconds * 1_000 * MS;
    println!("steady load, 64 nodes, N/R/W 3/2/2, {keys} keys, 50% puts:");
    if progress {
        // Second by second, with the cost of each and the versions held per key.
        let (mut world, mut load) = reference_setup_over(64, keys);
        for s in 1..=seconds {
            let (t, before) = (Instant::now(), world.metrics().messages_delivered);
            drive(&mut world, Some(&mut load), s * 1_000 * MS, u64::MAX);
            let wall = t.elapsed().as_secs_f64();
            let delivered = world.metrics().messages_delivered - before;
            let (mean, most) = versions_per_key(&world);
            let rate = delivered as f64 / wall;
            let versions = format!("{mean:.2} versions per key (at most {most})");
            println!("  second {s:>3}: {rate:>8.0} deliveries/s, {versions}");
        }
        return;
    }
    // The same run several times: this machine's speed swings from run to run (other
    // tenants share its caches), so the figures are given for each run, with the best
    // (the least disturbed) and the median.
    let mut rates = Vec::new();
    let mut last = None;
    for run in 1..=runs {
        let (mut world, mut load) = reference_setup_over(64, keys);
        let started = Instant::now();
        drive(&mut world, Some(&mut load), virtual_time, u64::MAX);
        let wall = started.elapsed().as_secs_f64();
        let rate = world.metrics().messages_delivered as f64 / wall;
        println!("  run {run:>2}: {wall:>6.3} s wall, {rate:>9.0} deliveries/s");
        if let Some((hash, _, _)) = &last {
            assert_eq!(hash, &world.trace().hash(), "every run is the same run");
        }
        rates.push(rate);
        last = Some((world.trace().hash(), world, load));
    }
    let (hash, world, load) = last.expect("at least one run");
    rates.sort_by(f64::total_cmp);
    let m = world.metrics();
    println!("  virtual time          {:>12.1} s", virtual_time as f64 / 1e6);
    println!("  client operations     {:>12}", load.issued());
    println!("  message deliveries    {:>12}", m.messages_delivered);
    println!("  trace events          {:>12}", world.trace().len());
    println!("  trace hash            {hash}");
    println!("  deliveries / second   {:>12.0} best of {runs}", rates[rates.len() - 1]);
    println!("  deliveries / second   {:>12.0} median", rates[rates.len() / 2]);
    println!("  deliveries / second   {:>12.0} worst", rates[0]);
}

fn big_put_workload() {
    let started = Instant::now();
    let mut world = cluster(1_000, 2);
    let built = started.elapsed().as_secs_f64();
    let keys = 100_000u32;
    for k in 0..keys {
        let via = NodeId(k % 1_000);
        world.put("loader", format!("key-{k}"), "value", via, VectorClock::new());
        // One put every 10 µs of virtual time.
        world.run_until(world.now() + 10);
    }
    let settled = world.settle(60_000 * MS);
    let wall = started.elapsed().as_secs_f64();
    let m = world.metrics();
    println!("1,000 nodes × 8 tokens, 100,000 puts (one per key), until settled:");
    println!("  settled               {:>12}", settled);
    println!("  puts ok / failed      {:>12}", format!("{} / {}", m.puts_ok, m.puts_failed));
    println!("  message deliveries    {:>12}", m.messages_delivered);
    println!("  build cluster         {:>12.2} s", built);
    println!("  wall time (total)     {:>12.2} s", wall);
    match peak_rss_mib() {
        Some(mib) => println!("  peak memory (VmHWM)   {:>12.0} MiB", mib),
        None => println!("  peak memory           (not available on this OS)"),
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test` runs benches with no flag: stay quick then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("throughput: run with `cargo bench --bench throughput` to measure");
        return;
    }
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "steady" {
        steady_load();
        println!();
    }
    if only.is_empty() || only == "big" {
        big_put_workload();
    }
}
