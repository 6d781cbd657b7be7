//! Scenario files (the format of DESIGN.md, "Scenario file format"): a cluster, a seed and
//! timed steps. The CLI runs them; the page imports and exports them.

use super::limits;
use super::network::Latency;
use super::report;
use super::world::{validate_nodes, NodeSpec, World, WorldSpec};
use crate::core::clock::VectorClock;
use crate::core::config::{Config, PRESETS};
use crate::core::message::OpId;
use crate::core::partition::Strategy;
use crate::core::ring::parse_position;
use crate::core::version::Reconciliation;
use crate::core::{NodeId, Time, MS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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
    #[serde(default)]
    pub steps: Vec<Step>,
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
    pub latency_ms: Option<LatencyJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_rate: Option<f64>,
}

/// A latency distribution in virtual milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum LatencyJson {
    Fixed { ms: f64 },
    Uniform { min: f64, max: f64 },
    Exponential { mean: f64 },
}

/// `cluster.features`: switches for the mechanisms of §4.6–§4.7 and §5.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// Which context a put carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ContextChoice {
    /// A blind write: the empty context.
    None,
    /// The context of this client's latest get of the key (empty if it never read it).
    #[default]
    LastRead,
}

/// One timed step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    Put {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        #[serde(default = "default_client")]
        client: String,
        key: String,
        value: String,
        /// The node the client calls; by default the key's coordinator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
        #[serde(default)]
        context: ContextChoice,
    },
    Get {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        #[serde(default = "default_client")]
        client: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    Crash {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        node: String,
    },
    Recover {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        node: String,
    },
    /// The node's disk is lost (a permanent failure, §4.7).
    Wipe {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        node: String,
    },
    Partition {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        groups: Vec<Vec<String>>,
    },
    Heal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
    },
    /// The administrator adds a node to the ring (§4.8.1, §4.9).
    Join {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        node: String,
        /// A node the newcomer is told about (besides the seeds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tokens: Option<Vec<String>>,
    },
    /// The administrator removes a node from the ring; it hands its keys over.
    Leave {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        node: String,
    },
    /// Faults on the link between two nodes, both directions (zeros clear them).
    Link {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        a: String,
        b: String,
        #[serde(default)]
        drop_rate: f64,
        #[serde(default)]
        extra_delay_ms: f64,
    },
    /// Every running node compares all its key ranges with their other replicas now (§4.7).
    AntiEntropy {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
    },
    /// Run until nothing is pending (bounded by `max_ms`, default 10 000).
    Settle {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_ms: Option<f64>,
    },
}

fn default_client() -> String {
    "client".to_string()
}

impl Step {
    /// When the step happens (None: as soon as the previous one is done).
    pub fn at_ms(&self) -> Option<f64> {
        match self {
            Step::Put { at_ms, .. }
            | Step::Get { at_ms, .. }
            | Step::Crash { at_ms, .. }
            | Step::Recover { at_ms, .. }
            | Step::Wipe { at_ms, .. }
            | Step::Partition { at_ms, .. }
            | Step::Heal { at_ms }
            | Step::AntiEntropy { at_ms }
            | Step::Join { at_ms, .. }
            | Step::Leave { at_ms, .. }
            | Step::Link { at_ms, .. }
            | Step::Settle { at_ms, .. } => *at_ms,
        }
    }

    /// The nodes the step names, that must be in the world when it runs (a join's own
    /// node is not one of them).
    fn nodes_named(&self) -> Vec<&str> {
        match self {
            Step::Put { via, .. } | Step::Get { via, .. } | Step::Join { via, .. } => {
                via.as_deref().into_iter().collect()
            }
            Step::Crash { node, .. }
            | Step::Recover { node, .. }
            | Step::Wipe { node, .. }
            | Step::Leave { node, .. } => vec![node],
            Step::Partition { groups, .. } => groups.iter().flatten().map(String::as_str).collect(),
            Step::Link { a, b, .. } => vec![a, b],
            Step::Heal { .. } | Step::AntiEntropy { .. } | Step::Settle { .. } => Vec::new(),
        }
    }

    /// The step's op name, as in the file.
    pub fn op_name(&self) -> &'static str {
        match self {
            Step::Put { .. } => "put",
            Step::Get { .. } => "get",
            Step::Crash { .. } => "crash",
            Step::Recover { .. } => "recover",
            Step::Wipe { .. } => "wipe",
            Step::Partition { .. } => "partition",
            Step::Heal { .. } => "heal",
            Step::AntiEntropy { .. } => "anti_entropy",
            Step::Join { .. } => "join",
            Step::Leave { .. } => "leave",
            Step::Link { .. } => "link",
            Step::Settle { .. } => "settle",
        }
    }
}

/// Milliseconds (as written in files) to virtual microseconds, refusing nonsense.
fn ms_to_time(what: &str, ms: f64) -> Result<Time, String> {
    if !(ms.is_finite() && (0.0..1e12).contains(&ms)) {
        return Err(format!("{what} must be a non-negative number of milliseconds (got {ms})"));
    }
    Ok((ms * 1000.0).round() as Time)
}

impl Scenario {
    /// Parses a scenario file, refusing unknown fields and malformed values.
    pub fn from_json(text: &str) -> Result<Scenario, String> {
        let scenario: Scenario =
            serde_json::from_str(text).map_err(|e| format!("invalid scenario: {e}"))?;
        scenario.world_spec(true)?;
        scenario.check_steps()?;
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
        let latency = match network.latency_ms {
            None => Latency::default(),
            Some(LatencyJson::Fixed { ms }) => Latency::Fixed { ms },
            Some(LatencyJson::Uniform { min, max }) => Latency::Uniform { min, max },
            Some(LatencyJson::Exponential { mean }) => Latency::Exponential { mean },
        };
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

    /// Checks every step against the cluster: known nodes, sane times.
    fn check_steps(&self) -> Result<(), String> {
        limits::check_run_time(0.0, self.cluster.nodes.len(), self.steps.len())?;
        let mut known_nodes: Vec<String> =
            self.cluster.nodes.iter().map(|n| n.id.clone()).collect();
        // The virtual time the steps ask for: the latest at_ms, every settle's bound, and
        // the final wait for clients' answers.
        let (mut latest_ms, mut settle_ms) = (0.0f64, DEFAULT_SETTLE as f64 / MS as f64);
        for (i, step) in self.steps.iter().enumerate() {
            let known = |name: &str| known_nodes.iter().any(|n| n == name);
            let at = format!("step {} ({})", i + 1, step.op_name());
            if let Some(ms) = step.at_ms() {
                ms_to_time(&format!("{at}: at_ms"), ms)?;
                latest_ms = latest_ms.max(ms);
            }
            let mut names: Vec<&str> = Vec::new();
            match step {
                Step::Put { client, via, key, value, .. } => {
                    limits::check_operation(client, key, Some(value))
                        .map_err(|e| format!("{at}: {e}"))?;
                    names.extend(via.as_deref());
                }
                Step::Get { client, via, key, .. } => {
                    limits::check_operation(client, key, None).map_err(|e| format!("{at}: {e}"))?;
                    names.extend(via.as_deref());
                }
                Step::Crash { node, .. } | Step::Recover { node, .. } | Step::Wipe { node, .. } => {
                    names.push(node)
                }
                Step::Partition { groups, .. } => {
                    let named: Vec<&str> = groups.iter().flatten().map(String::as_str).collect();
                    if let Some(twice) =
                        named.iter().enumerate().find(|(i, n)| named[..*i].contains(n))
                    {
                        return Err(format!("{at}: node {:?} is in more than one group", twice.1));
                    }
                    let sides = groups.iter().filter(|g| !g.is_empty()).count()
                        + usize::from(named.len() < self.cluster.nodes.len());
                    if sides < 2 {
                        return Err(format!("{at}: a partition needs at least two groups"));
                    }
                    names.extend(named);
                }
                Step::Heal { .. } | Step::AntiEntropy { .. } => {}
                Step::Join { node, via, capacity, tokens, .. } => {
                    if node.trim().is_empty() {
                        return Err(format!("{at}: the node id must not be empty"));
                    }
                    if let Some(c) = capacity {
                        limits::check_capacity(node, *c).map_err(|e| format!("{at}: {e}"))?;
                    }
                    for t in tokens.iter().flatten() {
                        parse_position(t).map_err(|e| format!("{at}: {e}"))?;
                    }
                    names.extend(via.as_deref());
                    if !known(node) {
                        known_nodes.push(node.clone());
                    }
                }
                Step::Leave { node, .. } => names.push(node),
                Step::Link { a, b, drop_rate, extra_delay_ms, .. } => {
                    if !(0.0..=1.0).contains(drop_rate) {
                        return Err(format!(
                            "{at}: drop_rate must be between 0 and 1 (got {drop_rate})"
                        ));
                    }
                    ms_to_time(&format!("{at}: extra_delay_ms"), *extra_delay_ms)?;
                    if *extra_delay_ms > limits::MAX_LATENCY_MS {
                        return Err(format!(
                            "{at}: extra_delay_ms must be at most {}",
                            limits::MAX_LATENCY_MS
                        ));
                    }
                    if a == b {
                        return Err(format!("{at}: a link needs two different nodes"));
                    }
                    names.push(a);
                    names.push(b);
                }
                Step::Settle { max_ms, .. } => {
                    if let Some(ms) = max_ms {
                        ms_to_time(&format!("{at}: max_ms"), *ms)?;
                    }
                    settle_ms += max_ms.unwrap_or(DEFAULT_SETTLE as f64 / MS as f64);
                }
            }
            let known = |name: &str| known_nodes.iter().any(|n| n == name);
            if let Some(unknown) = names.into_iter().find(|n| !known(n)) {
                return Err(format!("{at}: unknown node {unknown:?}"));
            }
        }
        limits::check_run_time(latest_ms + settle_ms, known_nodes.len(), self.steps.len())
    }
}

/// How long `settle` waits by default, in virtual time.
const DEFAULT_SETTLE: Time = 10_000 * MS;

/// What one step produced: known at once, or the client op whose outcome it awaits.
enum Outcome {
    Done(Value),
    Op(OpId),
}

/// Runs a scenario from start to end and returns the result document of DESIGN.md
/// (`results`, `final`, `metrics`, `trace_hash`).
pub fn run(scenario: &Scenario) -> Result<Value, String> {
    run_recorded(scenario, false).map(|(doc, _)| doc)
}

/// [`run`], and the world as it ended, with every event recorded if `record` (for
/// `dynamo-sim run --trace`).
pub fn run_recorded(scenario: &Scenario, record: bool) -> Result<(Value, World), String> {
    let mut world = World::new(scenario.world_spec(record)?)?;
    scenario.check_steps()?;
    let mut outcomes = Vec::with_capacity(scenario.steps.len());
    for step in &scenario.steps {
        if let Some(ms) = step.at_ms() {
            world.run_until(ms_to_time("at_ms", ms)?);
        }
        outcomes.push(apply_step(&mut world, step));
    }
    // Let every client hear back (each client gives up after a bounded wait).
    world.settle(DEFAULT_SETTLE);
    let results: Vec<Value> = scenario
        .steps
        .iter()
        .zip(outcomes)
        .map(|(step, outcome)| match outcome {
            Outcome::Done(v) => v,
            Outcome::Op(op) => report::op_result(&world, step.op_name(), op),
        })
        .collect();
    let doc = json!({
        "results": results,
        "final": report::final_state(&world),
        "metrics": report::metrics(&world),
        "trace_hash": world.trace().hash(),
    });
    Ok((doc, world))
}

fn node(world: &World, name: &str) -> NodeId {
    world.node_id(name).expect("step nodes are checked before the run")
}

/// The result of a command that may be refused (join, leave, link).
fn outcome(op: &str, at_ms: f64, result: Result<(), String>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done(json!({"op": op, "ok": true, "at_ms": at_ms})),
        Err(error) => Outcome::Done(json!({"op": op, "ok": false, "at_ms": at_ms, "error": error})),
    }
}

/// Carries out one step at the world's current time. A step naming a node that is not in
/// the world (its join was refused) is refused too.
fn apply_step(world: &mut World, step: &Step) -> Outcome {
    let at_ms = world.now() as f64 / 1000.0;
    if let Some(missing) = step.nodes_named().into_iter().find(|n| world.node_id(n).is_none()) {
        let error = format!("unknown node {missing:?} (its join was refused)");
        return Outcome::Done(
            json!({"op": step.op_name(), "ok": false, "at_ms": at_ms, "error": error}),
        );
    }
    let done = |op: &str| Outcome::Done(json!({"op": op, "ok": true, "at_ms": at_ms}));
    match step {
        Step::Put { client, key, value, via, context, .. } => {
            let via =
                via.as_deref().map_or_else(|| world.preference_list(key)[0], |v| node(world, v));
            let context = match context {
                ContextChoice::None => VectorClock::new(),
                ContextChoice::LastRead => world.last_read_context(client, key),
            };
            Outcome::Op(world.put(client, key, value, via, context))
        }
        Step::Get { client, key, via, .. } => {
            let via =
                via.as_deref().map_or_else(|| world.preference_list(key)[0], |v| node(world, v));
            Outcome::Op(world.get(client, key, via))
        }
        Step::Crash { node: n, .. } => {
            let id = node(world, n);
            world.crash(id);
            done("crash")
        }
        Step::Recover { node: n, .. } => {
            let id = node(world, n);
            world.recover(id);
            done("recover")
        }
        Step::Wipe { node: n, .. } => {
            let id = node(world, n);
            world.wipe(id);
            done("wipe")
        }
        Step::Partition { groups, .. } => {
            let groups =
                groups.iter().map(|g| g.iter().map(|n| node(world, n)).collect()).collect();
            world.partition(groups);
            done("partition")
        }
        Step::Heal { .. } => {
            world.heal();
            done("heal")
        }
        Step::AntiEntropy { .. } => {
            world.anti_entropy();
            done("anti_entropy")
        }
        Step::Join { node: name, via, capacity, tokens, .. } => {
            let via = via.as_deref().map(|v| node(world, v));
            let tokens = tokens
                .as_ref()
                .map(|ts| ts.iter().filter_map(|t| parse_position(t).ok()).collect());
            outcome(
                "join",
                at_ms,
                world.join(name, via, capacity.unwrap_or(1.0), tokens).map(|_| ()),
            )
        }
        Step::Leave { node: n, .. } => {
            let id = node(world, n);
            outcome("leave", at_ms, world.leave(id))
        }
        Step::Link { a, b, drop_rate, extra_delay_ms, .. } => {
            let (a, b) = (node(world, a), node(world, b));
            let delay = (extra_delay_ms * 1000.0).round() as Time;
            outcome("link", at_ms, world.set_link(a, b, *drop_rate, delay))
        }
        Step::Settle { max_ms, .. } => {
            let max = max_ms.map_or(DEFAULT_SETTLE, |ms| (ms * 1000.0).round() as Time);
            let settled = world.settle(max);
            let at_ms = world.now() as f64 / 1000.0;
            let differing = report::ranges_json(world, &world.differing_ranges());
            let mut done = json!({"op": "settle", "ok": settled, "at_ms": at_ms});
            if !settled {
                done["error"] = format!("did not settle within {} ms", max as f64 / 1000.0).into();
            }
            done["differing_ranges"] = differing;
            Outcome::Done(done)
        }
    }
}
