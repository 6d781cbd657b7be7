//! Labs: the paper's numbers measured on the simulator, many runs at a time, next to the
//! analytic models they can be checked against. Each lab is run in slices (a number of
//! trials at a time), so that the page can show progress and cancel, and the CLI and the
//! page get the same numbers for a seed.
//!
//! - [`consistency`]: how often a read started t ms after a write was acknowledged sees
//!   it (§4.5; Bailis et al., "Probabilistically Bounded Staleness", VLDB 2012).
//! - [`partitioning`]: load balance against membership size for the three strategies
//!   (§6.2, Figure 8).

pub mod compare;
pub mod consistency;
pub mod coordination;
pub mod divergence;
pub mod partitioning;

/// Checks a lab's cluster: 1 to `most` nodes, 1 ≤ N ≤ nodes, 1 ≤ R, W ≤ N.
pub(crate) fn check_cluster(
    nodes: usize,
    most: usize,
    (n, r, w): (usize, usize, usize),
) -> Result<(), String> {
    if !(1..=most).contains(&nodes) {
        Err(format!("nodes must be 1 to {most} (got {nodes})"))
    } else if n == 0 || n > nodes {
        Err(format!("N must be 1 to the number of nodes, {nodes} (got {n})"))
    } else if r == 0 || r > n || w == 0 || w > n {
        Err(format!("R and W must be 1 to N = {n} (got R = {r}, W = {w})"))
    } else {
        Ok(())
    }
}

/// A lab's cluster: `nodes` nodes named A, B, … (N0, N1, … past 26), eight tokens each,
/// `config` with the replica timeout the latency model calls for, no trace kept.
pub(crate) fn cluster(
    seed: u64,
    nodes: usize,
    config: crate::core::config::Config,
    latency: crate::sim::network::Latency,
) -> Result<crate::sim::World, String> {
    use crate::sim::world::{NodeSpec, WorldSpec};
    let name = |i: usize| match u8::try_from(i).ok().filter(|&i| i < 26) {
        Some(i) => ((b'A' + i) as char).to_string(),
        None => format!("N{i}"),
    };
    crate::sim::World::new(WorldSpec {
        seed,
        nodes: (0..nodes).map(|i| NodeSpec::named(&name(i))).collect(),
        tokens_per_node: 8,
        config: crate::core::config::Config {
            replica_timeout: latency.replica_timeout(),
            ..config
        },
        latency,
        drop_rate: 0.0,
        record_trace: false,
    })
}

/// A report's fingerprint: the MD5 of its JSON, to check that two runs (native and in the
/// browser) found exactly the same numbers.
pub fn fingerprint<T: serde::Serialize>(report: &T) -> String {
    use md5::{Digest, Md5};
    let json = serde_json::to_string(report).expect("reports serialize");
    Md5::digest(json.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The labs the golden fingerprints (`tests/golden/labs.json`) are of: small, so that the
/// browser runs them quickly.
pub fn golden_specs(
) -> (consistency::ConsistencySpec, partitioning::PartitioningSpec, divergence::DivergenceSpec) {
    let c = consistency::ConsistencySpec { trials: 300, ..Default::default() };
    let p =
        partitioning::PartitioningSpec { keys: 3_000, tokens: vec![1, 8], ..Default::default() };
    let d = divergence::DivergenceSpec { seconds: 3.0, ..Default::default() };
    (c, p, d)
}

/// The fingerprints of the other labs' golden runs — coordination, side by side, and a
/// counterexample search (its schedule, shrunk scenario and verdict) — by name.
pub fn more_golden_fingerprints() -> [(&'static str, String); 3] {
    use crate::sim::search::{Faults, Search, SearchSpec};
    let coordination = coordination::CoordinationSpec { ops: 500, ..Default::default() };
    let coordination = coordination::run(&coordination).expect("a valid spec");
    let mut compare =
        compare::CompareLab::new(compare::CompareSpec { seconds: 1, ..Default::default() })
            .expect("a valid spec");
    compare.run(u32::MAX);
    let faults = Faults::parse("crash,wipe").expect("known faults");
    let search = SearchSpec { faults, schedules: 100, ..SearchSpec::default() };
    let found = Search::new(search).expect("a valid spec").run();
    let found = found.map(|c| (c.schedule, c.shrunk.to_json(), c.verdict));
    [
        ("coordination", fingerprint(&coordination)),
        ("compare", fingerprint(&compare.report())),
        ("search", fingerprint(&found)),
    ]
}

/// A proportion's 95% confidence interval (Wilson's score interval, which stays inside
/// [0, 1] and is sound near 0 and 1, where the labs' proportions often are).
pub fn wilson95(successes: u64, trials: u64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_964;
    let n = trials as f64;
    let p = successes as f64 / n;
    let centre = p + z * z / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let scale = 1.0 + z * z / n;
    let lo = if successes == 0 { 0.0 } else { ((centre - spread) / scale).max(0.0) };
    let hi = if successes == trials { 1.0 } else { ((centre + spread) / scale).min(1.0) };
    (lo, hi)
}

/// The `q`-quantile (0..=1) of `values`, sorted in place: the nearest rank.
pub fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    crate::core::accel::compact_sort::sort_unstable_by(values, f64::total_cmp);
    let rank = (q * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_hold_the_proportion_and_stay_in_bounds() {
        let (lo, hi) = wilson95(50, 100);
        assert!(lo < 0.5 && 0.5 < hi && (hi - lo - 0.19).abs() < 0.01, "{lo} {hi}");
        let (lo, hi) = wilson95(100, 100);
        assert!(lo > 0.96 && hi == 1.0);
        let (lo, hi) = wilson95(0, 100);
        assert!(lo == 0.0 && hi < 0.04);
    }

    #[test]
    fn percentiles_are_nearest_ranks() {
        let mut v: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 0.5), 500.0);
        assert_eq!(percentile(&mut v, 0.99), 990.0);
        assert_eq!(percentile(&mut v, 0.999), 999.0);
        assert_eq!(percentile(&mut [], 0.5), 0.0);
    }
}
