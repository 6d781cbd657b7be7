//! The knobs of a Dynamo instance (§4.3, §4.5, §6.1).

use super::partition::Strategy;
use super::version::Reconciliation;
use super::{Time, MS};

/// Per-instance configuration: replication, quorums, reconciliation and timeouts.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Replicas per key (§4.3).
    pub n: usize,
    /// Replies a get waits for (§4.5).
    pub r: usize,
    /// Acknowledgements a put waits for, the coordinator's own write included (§4.5).
    pub w: usize,
    /// Siblings (the default) or last-write-wins (§4.4, §6.1).
    pub reconciliation: Reconciliation,
    /// Clock truncation threshold: most (node, counter) pairs a clock keeps (§4.4).
    pub clock_truncation: usize,
    /// How long a coordinator waits for its quorum before failing the request.
    pub request_timeout: Time,
    /// Whether a get's coordinator repairs replicas that returned stale versions (§5).
    pub read_repair: bool,
    /// How long the coordinator waits for late replies after answering a get (§5); it
    /// repairs at once when every replica asked has already replied.
    pub read_repair_window: Time,
    /// How the ring is cut into partitions (§6.2).
    pub strategy: Strategy,
    /// Sloppy quorum (§4.6): use the first N *healthy* nodes of the preference list.
    /// Off: always the top N, so writes fail when too many of them are down.
    pub sloppy_quorum: bool,
    /// Hinted handoff (§4.6): a replica stored on a stand-in carries a hint naming its
    /// owner and is handed back when the owner returns. Off: the stand-in keeps it as its own.
    pub hinted_handoff: bool,
    /// How long a coordinator waits for one replica before treating it as down (§4.8.3).
    /// Too short for the network, and healthy peers are suspected; the simulator derives
    /// it from the latency model unless a scenario or the page sets it.
    pub replica_timeout: Time,
    /// How often a node pings the peers it believes are down (§4.8.3).
    pub probe_interval: Time,
    /// How often a node scans its hinted replicas to hand them back (§4.6).
    pub hint_scan_interval: Time,
    /// How often a node compares one of its key ranges with another replica (§4.7);
    /// None: only when asked (the scenario op `anti_entropy`).
    pub anti_entropy_interval: Option<Time>,
    /// Depth of the Merkle trees: 2^depth leaves per key range (§4.7).
    pub merkle_depth: u8,
    /// How often each node gossips its membership view with a random peer (§4.8.1).
    pub gossip_interval: Time,
    /// Seed nodes: known to every node, so the ring cannot stay logically partitioned
    /// (§4.8.2).
    pub seeds: Vec<super::NodeId>,
}

impl Default for Config {
    /// The paper's typical configuration: (N, R, W) = (3, 2, 2) (§6.1).
    fn default() -> Self {
        Config {
            n: 3,
            r: 2,
            w: 2,
            reconciliation: Reconciliation::Siblings,
            clock_truncation: 10,
            request_timeout: 100 * MS,
            read_repair: true,
            read_repair_window: 20 * MS,
            strategy: Strategy::RandomTokens,
            sloppy_quorum: true,
            hinted_handoff: true,
            replica_timeout: 20 * MS,
            probe_interval: 50 * MS,
            hint_scan_interval: 100 * MS,
            anti_entropy_interval: None,
            merkle_depth: 8,
            gossip_interval: 200 * MS,
            seeds: Vec::new(),
        }
    }
}

/// A named (N, R, W) choice from §6.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub purpose: &'static str,
}

/// The paper's presets (§6.1). The read engine uses N = the cluster size, here 3.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "typical",
        n: 3,
        r: 2,
        w: 2,
        purpose: "consistent, durable, interactive user state",
    },
    Preset { name: "read-engine", n: 3, r: 1, w: 3, purpose: "high-performance read engine" },
    Preset { name: "cache", n: 1, r: 1, w: 1, purpose: "distributed web cache" },
];

/// Why a configuration is impossible, and which field is at fault (`n`, `r`, `w`,
/// `clock_truncation` or `partitioning`), so that a form can show it next to the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub field: &'static str,
    pub message: String,
}

impl From<ConfigError> for String {
    fn from(e: ConfigError) -> String {
        e.message
    }
}

impl Config {
    /// Checks that the quorum settings make sense for a cluster of `nodes` physical nodes:
    /// the first problem found.
    pub fn validate(&self, nodes: usize) -> Result<(), ConfigError> {
        self.problems(nodes).into_iter().next().map_or(Ok(()), Err)
    }

    /// Every problem with the settings for a cluster of `nodes` physical nodes.
    pub fn problems(&self, nodes: usize) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        let mut refuse = |field, message| problems.push(ConfigError { field, message });
        let (n, r, w) = (self.n, self.r, self.w);
        if n == 0 {
            refuse("n", "N must be at least 1".into());
        }
        if r == 0 {
            refuse("r", "R must be at least 1".into());
        }
        if w == 0 {
            refuse("w", "W must be at least 1".into());
        }
        if r > n {
            refuse("r", format!("R ({r}) cannot exceed N ({n}): a get asks only N replicas"));
        }
        if w > n {
            refuse("w", format!("W ({w}) cannot exceed N ({n}): a put reaches only N replicas"));
        }
        if n > nodes {
            let why = "every key needs N distinct nodes";
            refuse("n", format!("N ({n}) exceeds the number of nodes ({nodes}): {why}"));
        }
        if self.clock_truncation == 0 {
            refuse("clock_truncation", "clock truncation threshold must be at least 1".into());
        }
        if let Err(message) = self.strategy.validate(nodes) {
            refuse("partitioning", message);
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_quorums_are_refused() {
        let c = Config { r: 4, ..Config::default() };
        let e = c.validate(5).unwrap_err();
        assert_eq!(e.field, "r");
        assert!(e.message.contains("R (4) cannot exceed N (3)"));
        let c = Config { w: 4, ..Config::default() };
        assert!(c.validate(5).is_err());
        let e = Config::default().validate(2).unwrap_err();
        assert!(e.field == "n" && e.message.contains("exceeds the number of nodes"));
        let both = Config { r: 4, w: 5, ..Config::default() }.problems(5);
        assert_eq!(both.iter().map(|e| e.field).collect::<Vec<_>>(), ["r", "w"]);
        assert!(Config::default().validate(3).is_ok());
        for p in PRESETS {
            assert!(Config { n: p.n, r: p.r, w: p.w, ..Config::default() }.validate(3).is_ok());
        }
    }
}
