//! Scenario files (the format of DESIGN.md, "Scenario file format"): a cluster, a seed, an
//! optional background load and timed steps. The CLI runs them; the page opens them, and
//! saves what a user did as one. Both run them through one executor, `sim::session`.

pub mod lesson;
mod run;
pub mod step;

pub use run::{play, run, run_recorded, run_world, DEFAULT_SETTLE};
pub use step::{Action, Context, Op, Step};

use super::limits;
use super::network::Latency;
use super::session::{Moment, SessionSpec};
use super::workload::WorkloadSpec;
use super::world::{validate_nodes, NodeSpec, WorldSpec};
use crate::core::config::{Config, PRESETS};
use crate::core::partition::Strategy;
use crate::core::ring::parse_position;
use crate::core::version::Reconciliation;
use crate::core::{NodeId, Time, MS};
use serde::{Deserialize, Serialize};
use step::ms_to_time;

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Optional title and description, shown by the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub cluster: ClusterSpec,
    /// The background load of client operations, if the scenario has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadJson>,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Where the run ends: the moment the page was at when it saved the file. Without it,
    /// the run ends once every step was taken and the clients heard back (at most 10 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<End>,
    /// The scenario told as a lesson, in beats (see [`lesson`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<lesson::Lesson>,
}

/// The top-level `end`: a moment of the run, exactly (see [`Step`] for `after_events`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct End {
    pub at_ms: f64,
    #[serde(default)]
    pub after_events: u64,
    /// How many of the steps were taken by then.
    #[serde(default)]
    pub steps_taken: usize,
}

impl End {
    /// The moment it names.
    pub fn moment(&self) -> Moment {
        let at = (self.at_ms * MS as f64).round() as Time;
        Moment { at, steps: self.after_events, inputs: self.steps_taken }
    }

    /// The file's form of a moment.
    pub fn from_moment(m: Moment) -> End {
        End { at_ms: m.at as f64 / MS as f64, after_events: m.steps, steps_taken: m.inputs }
    }
}

fn default_seed() -> u64 {
    1
}

/// The `cluster` object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub nodes: Vec<NodeJson>,
    /// One of the paper's (N, R, W) presets (§6.1): "typical" (3, 2, 2), "read-engine"
    /// (N = the cluster size, 1, N) or "cache" (1, 1, 1). Explicit n, r, w override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w: Option<usize>,
    #[serde(default = "default_tokens")]
    pub tokens_per_node: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Features>,
    /// The §6.2 strategy: `{"strategy": 1}`, `{"strategy": 2, "q": 64}` or
    /// `{"strategy": 3, "q": 64}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
    /// `"siblings"` (default) or `"last_write_wins"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<ReconciliationJson>,
    /// Clock truncation threshold (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_truncation: Option<usize>,
    /// Seed nodes every node gossips with (§4.8.2); default: the first node; `[]`: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Vec<String>>,
    /// How often each node gossips, in ms (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gossip_interval_ms: Option<f64>,
    /// Merkle tree depth: 2^depth leaves per key range (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merkle_depth: Option<u8>,
    /// How long a coordinator waits for its quorum (default 100 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timeout_ms: Option<f64>,
    /// How long a coordinator waits for one replica before it treats it as down (§4.8.3);
    /// default: from the latency model, so that a healthy replica always answers in time
    /// (see `Latency::replica_timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_timeout_ms: Option<f64>,
}

fn default_tokens() -> u32 {
    8
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: None,
            description: None,
            seed: default_seed(),
            cluster: ClusterSpec::default(),
            load: None,
            steps: Vec::new(),
            end: None,
            lesson: None,
        }
    }
}

impl Default for ClusterSpec {
    /// No nodes yet, and every setting left to its default.
    fn default() -> Self {
        ClusterSpec {
            nodes: Vec::new(),
            preset: None,
            n: None,
            r: None,
            w: None,
            tokens_per_node: default_tokens(),
            network: None,
            features: None,
            partitioning: None,
            reconciliation: None,
            clock_truncation: None,
            seeds: None,
            gossip_interval_ms: None,
            merkle_depth: None,
            request_timeout_ms: None,
            replica_timeout_ms: None,
        }
    }
}

impl NodeJson {
    /// A node of the usual capacity, its tokens drawn from the seed.
    pub fn named(id: &str) -> NodeJson {
        NodeJson { id: id.to_string(), capacity: None, tokens: None }
    }
}

/// One entry of `cluster.nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeJson {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<String>>,
}

/// `cluster.network`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<Latency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_rate: Option<f64>,
}

/// The top-level `load`: clients taking turns at random keys, every `interval_ms`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadJson {
    /// Whether it runs from the start (a `load` step starts or stops it later).
    #[serde(default)]
    pub on: bool,
    /// The load's own seed (default: the scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_ms: Option<f64>,
}

/// `cluster.features`: switches for the mechanisms of §4.6–§4.7 and §5.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sloppy_quorum: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hinted_handoff: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_repair: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_entropy_interval_ms: Option<f64>,
}

/// `cluster.partitioning`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partitioning {
    pub strategy: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<u32>,
}

/// `cluster.reconciliation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconciliationJson {
    Siblings,
    LastWriteWins,
}

impl Scenario {
    /// Parses a scenario file, refusing unknown fields and malformed values.
    pub fn from_json(text: &str) -> Result<Scenario, String> {
        if text.len() > limits::MAX_SCENARIO_BYTES {
            return Err(format!(
                "a scenario file has at most {} bytes (this one has {})",
                limits::MAX_SCENARIO_BYTES,
                text.len()
            ));
        }
        if !text.trim_start().starts_with('{') {
            return Err("invalid scenario: a scenario file is one JSON object, \
                        {\"cluster\": …, \"steps\": […]}"
                .into());
        }
        let scenario: Scenario =
            serde_json::from_str(text).map_err(|e| format!("invalid scenario: {e}"))?;
        scenario.world_spec(true)?;
        scenario.check_steps()?;
        if let Some(lesson) = &scenario.lesson {
            lesson.check(&scenario)?;
        }
        Ok(scenario)
    }

    /// The scenario as pretty JSON (the export format).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// The configuration the cluster section describes.
    pub fn config(&self) -> Result<Config, String> {
        let c = &self.cluster;
        let (n, r, w) = match c.preset.as_deref() {
            None => (3, 2, 2),
            Some(name) => {
                let p = PRESETS.iter().find(|p| p.name == name).ok_or_else(|| {
                    let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                    format!("unknown preset {name:?} (expected one of {})", names.join(", "))
                })?;
                // The read engine replicates everything everywhere: N = W = the cluster size.
                let all = c.nodes.len();
                if p.name == "read-engine" {
                    (all, 1, all)
                } else {
                    (p.n, p.r, p.w)
                }
            }
        };
        let mut config = Config {
            n: c.n.unwrap_or(n),
            r: c.r.unwrap_or(r),
            w: c.w.unwrap_or(w),
            ..Config::default()
        };
        if let Some(p) = c.partitioning {
            config.strategy = match (p.strategy, p.q) {
                (1, None) => Strategy::RandomTokens,
                (1, Some(_)) => return Err("partitioning: strategy 1 takes no q".into()),
                (2, Some(q)) => Strategy::RandomTokensEqualPartitions { q },
                (3, Some(q)) => Strategy::EqualPartitions { q },
                (2 | 3, None) => {
                    return Err(format!("partitioning: strategy {} needs q", p.strategy))
                }
                (s, _) => {
                    return Err(format!("partitioning: unknown strategy {s} (expected 1, 2 or 3)"))
                }
            };
        }
        if let Some(ReconciliationJson::LastWriteWins) = c.reconciliation {
            config.reconciliation = Reconciliation::LastWriteWins;
        }
        if let Some(t) = c.clock_truncation {
            config.clock_truncation = t;
        }
        if let Some(ms) = c.request_timeout_ms {
            config.request_timeout = ms_to_time("request_timeout_ms", ms)?.max(1);
        }
        if let Some(f) = &c.features {
            config.read_repair = f.read_repair.unwrap_or(config.read_repair);
            config.sloppy_quorum = f.sloppy_quorum.unwrap_or(config.sloppy_quorum);
            config.hinted_handoff = f.hinted_handoff.unwrap_or(config.hinted_handoff);
        }
        if let Some(ms) = c.features.as_ref().and_then(|f| f.anti_entropy_interval_ms) {
            let interval = ms_to_time("anti_entropy_interval_ms", ms)?;
            config.anti_entropy_interval = (interval > 0).then_some(interval);
        }
        if let Some(ms) = c.gossip_interval_ms {
            config.gossip_interval = ms_to_time("gossip_interval_ms", ms)?.max(1);
        }
        let seeds: Vec<&str> = match &c.seeds {
            None => c.nodes.iter().take(1).map(|n| n.id.as_str()).collect(),
            Some(names) => names.iter().map(String::as_str).collect(),
        };
        for seed in seeds {
            let index = c
                .nodes
                .iter()
                .position(|n| n.id == seed)
                .ok_or_else(|| format!("seeds: unknown node {seed:?}"))?;
            config.seeds.push(NodeId(index as u32));
        }
        if let Some(depth) = c.merkle_depth {
            if !(1..=16).contains(&depth) {
                return Err(format!("merkle_depth must be between 1 and 16 (got {depth})"));
            }
            config.merkle_depth = depth;
        }
        Ok(config)
    }

    /// Everything needed to build the scenario's world (validated).
    pub fn world_spec(&self, record_trace: bool) -> Result<WorldSpec, String> {
        let mut nodes = Vec::new();
        for node in &self.cluster.nodes {
            let tokens = match &node.tokens {
                None => None,
                Some(list) => Some(
                    list.iter()
                        .map(|t| parse_position(t).map_err(|e| format!("node {:?}: {e}", node.id)))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            nodes.push(NodeSpec {
                name: node.id.clone(),
                capacity: node.capacity.unwrap_or(1.0),
                tokens,
            });
        }
        let network = self
            .cluster
            .network
            .clone()
            .unwrap_or(NetworkJson { latency_ms: None, drop_rate: None });
        let latency = network.latency_ms.unwrap_or_default();
        latency.validate()?;
        let mut config = self.config()?;
        config.replica_timeout = match self.cluster.replica_timeout_ms {
            Some(ms) => ms_to_time("replica_timeout_ms", ms)?,
            None => latency.replica_timeout(),
        };
        let spec = WorldSpec {
            seed: self.seed,
            nodes,
            tokens_per_node: self.cluster.tokens_per_node,
            config,
            latency,
            drop_rate: network.drop_rate.unwrap_or(0.0),
            record_trace,
        };
        limits::check_world(&spec)?;
        validate_nodes(&spec.nodes)?;
        spec.config.validate(spec.nodes.len())?;
        Ok(spec)
    }

    /// Everything a session running this scenario starts from (validated).
    pub fn session_spec(&self, record_trace: bool) -> Result<SessionSpec, String> {
        let world = self.world_spec(record_trace)?;
        let load = self.load.clone().unwrap_or_default();
        let mut spec = WorkloadSpec { seed: load.seed.unwrap_or(self.seed), ..Default::default() };
        spec.keys = load.keys.unwrap_or(spec.keys);
        spec.clients = load.clients.unwrap_or(spec.clients);
        spec.put_ratio = load.put_ratio.unwrap_or(spec.put_ratio);
        if let Some(ms) = load.interval_ms {
            spec.interval = ms_to_time("load.interval_ms", ms)?;
        }
        limits::check_load(&spec)?;
        Ok(SessionSpec { world, load: spec, load_on: load.on })
    }

    /// Checks every step against the cluster: known nodes, sane times, and the virtual
    /// time the steps ask for (the latest `at_ms`, every settle's bound, and the final wait
    /// for clients' answers).
    fn check_steps(&self) -> Result<(), String> {
        limits::check_run_time(0.0, self.cluster.nodes.len(), self.steps.len())?;
        let mut known: Vec<&str> = self.cluster.nodes.iter().map(|n| n.id.as_str()).collect();
        let default_settle = DEFAULT_SETTLE as f64 / MS as f64;
        let (mut latest_ms, mut settle_ms) = (0.0f64, default_settle);
        for (i, step) in self.steps.iter().enumerate() {
            let at = format!("step {} ({})", i + 1, step.op_name());
            step.check().map_err(|e| format!("{at}: {e}"))?;
            latest_ms = latest_ms.max(step.at_ms.unwrap_or(0.0));
            let action = match &step.op {
                Op::Settle { max_ms } => {
                    settle_ms += max_ms.unwrap_or(default_settle);
                    continue;
                }
                Op::Act(action) => action,
            };
            if let Some(unknown) = action.nodes_named().into_iter().find(|n| !known.contains(n)) {
                return Err(format!("{at}: unknown node {unknown:?}"));
            }
            if let Action::Partition { groups } = action {
                step::check_sides(groups, known.len()).map_err(|e| format!("{at}: {e}"))?;
            }
            if let Action::Join { node, .. } = action {
                if !known.contains(&node.as_str()) {
                    known.push(node);
                }
            }
        }
        if let Some(end) = &self.end {
            ms_to_time("end.at_ms", end.at_ms)?;
            if end.steps_taken > self.steps.len() {
                return Err(format!(
                    "end.steps_taken is {} but there are {} steps",
                    end.steps_taken,
                    self.steps.len()
                ));
            }
            latest_ms = latest_ms.max(end.at_ms);
        }
        limits::check_run_time(latest_ms + settle_ms, known.len(), self.steps.len())
    }
}
