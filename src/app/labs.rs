//! The Labs area: the paper's numbers measured on the simulator (`sim::lab`), from a form,
//! a slice of trials per animation frame so that the page never freezes, with progress and
//! a cancel button. The same specs and seeds give the same numbers as `dynamo-sim lab`.

use super::chart::{Chart, Series};
use super::FieldErrors;
use crate::sim::check::PROPERTIES;
use crate::sim::lab::compare::{CompareLab, CompareSpec, Side, SideReport};
use crate::sim::lab::consistency::{ConsistencyLab, ConsistencyReport, ConsistencySpec, Point};
use crate::sim::lab::coordination::{CoordinationLab, CoordinationReport, CoordinationSpec};
use crate::sim::lab::divergence::{DivergenceLab, DivergenceReport, DivergenceSpec};
use crate::sim::lab::partitioning::{PartitioningLab, PartitioningReport, PartitioningSpec};
use crate::sim::network::Latency;
use crate::sim::search::{Counterexample, Faults, Search, SearchSpec};

/// Consistency trials run per animation frame.
pub const TRIALS_PER_FRAME: u32 = 20;

/// Partitioning slices (a chunk of sample keys each) run per animation frame.
pub const PARTITIONING_SLICES_PER_FRAME: usize = 3;

/// Which lab is on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabKind {
    Consistency,
    Partitioning,
    Divergence,
    Coordination,
    /// Two runs side by side (`sim::lab::compare`).
    Compare,
    /// Counterexample search (`sim::search`): not one of the paper's numbers, but its
    /// promises put to the test.
    Counterexample,
}

/// Coordination-lab operations issued per animation frame.
pub const COORDINATION_OPS_PER_FRAME: u32 = 250;

/// Side-by-side slices (100 virtual ms of both runs each) per animation frame.
pub const COMPARE_SLICES_PER_FRAME: u32 = 1;

/// Runs (schedules, or shrinking's candidates) per animation frame.
pub const SEARCH_RUNS_PER_FRAME: u32 = 1;

/// Divergence slices (a quarter of a virtual second each) run per animation frame.
pub const DIVERGENCE_SLICES_PER_FRAME: u32 = 1;

/// The consistency lab's form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsistencyForm {
    pub n: String,
    pub r: String,
    pub w: String,
    pub nodes: String,
    /// "fixed", "uniform" or "exponential".
    pub latency: String,
    /// The fixed value, the minimum, or the mean (ms).
    pub latency_a: String,
    /// The maximum (uniform only).
    pub latency_b: String,
    pub trials: String,
    pub points: String,
    pub seed: String,
    pub sloppy: bool,
    pub failure_percent: String,
}

impl Default for ConsistencyForm {
    fn default() -> Self {
        let d = ConsistencySpec::default();
        ConsistencyForm {
            n: d.n.to_string(),
            r: d.r.to_string(),
            w: d.w.to_string(),
            nodes: d.nodes.to_string(),
            latency: "exponential".into(),
            latency_a: "5".into(),
            latency_b: "10".into(),
            trials: d.trials.to_string(),
            points: d.points.to_string(),
            seed: d.seed.to_string(),
            sloppy: d.sloppy_quorum,
            failure_percent: "0".into(),
        }
    }
}

/// The partitioning lab's form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitioningForm {
    pub nodes: String,
    pub n: String,
    pub keys: String,
    /// Values of T, comma-separated.
    pub tokens: String,
    pub seed: String,
}

impl Default for PartitioningForm {
    fn default() -> Self {
        let d = PartitioningSpec::default();
        let tokens: Vec<String> = d.tokens.iter().map(u32::to_string).collect();
        PartitioningForm {
            nodes: d.nodes.to_string(),
            n: d.n.to_string(),
            keys: d.keys.to_string(),
            tokens: tokens.join(", "),
            seed: d.seed.to_string(),
        }
    }
}

/// The divergence lab's form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct DivergenceForm {
    pub clients: String,
    pub carts: String,
    pub think_ms: String,
    pub failure_percent: String,
    pub seconds: String,
    pub seed: String,
}

impl Default for DivergenceForm {
    fn default() -> Self {
        let d = DivergenceSpec::default();
        DivergenceForm {
            clients: d.clients.to_string(),
            carts: d.carts.to_string(),
            think_ms: d.think_ms.to_string(),
            failure_percent: (d.failure_rate * 100.0).to_string(),
            seconds: d.seconds.to_string(),
            seed: d.seed.to_string(),
        }
    }
}

impl DivergenceForm {
    pub fn spec(&self) -> Result<DivergenceSpec, FieldErrors> {
        let mut e = Vec::new();
        let clients = parse(&mut e, "lab-clients", "clients", &self.clients);
        let carts = parse(&mut e, "lab-carts", "carts", &self.carts);
        let think = parse(&mut e, "lab-think", "pause", &self.think_ms);
        let failure = parse::<f64>(&mut e, "lab-dfailure", "failure rate", &self.failure_percent);
        let seconds = parse(&mut e, "lab-seconds", "seconds", &self.seconds);
        let seed = parse(&mut e, "lab-dseed", "seed", &self.seed);
        let (Some(clients), Some(carts), Some(think_ms), Some(failure), Some(seconds), Some(seed)) =
            (clients, carts, think, failure, seconds, seed)
        else {
            return Err(e);
        };
        let spec = DivergenceSpec {
            clients,
            carts,
            think_ms,
            failure_rate: failure / 100.0,
            seconds,
            seed,
            ..DivergenceSpec::default()
        };
        spec.validate().map_err(|m| vec![("lab-run", m)])?;
        Ok(spec)
    }
}

/// The coordination lab's form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct CoordinationForm {
    pub nodes: String,
    pub ops: String,
    pub latency_mean: String,
    pub poll_ms: String,
    pub seed: String,
}

impl Default for CoordinationForm {
    fn default() -> Self {
        let d = CoordinationSpec::default();
        let mean = match d.latency {
            Latency::Exponential { mean } => mean,
            _ => 1.0,
        };
        CoordinationForm {
            nodes: d.nodes.to_string(),
            ops: d.ops.to_string(),
            latency_mean: mean.to_string(),
            poll_ms: d.poll_ms.to_string(),
            seed: d.seed.to_string(),
        }
    }
}

impl CoordinationForm {
    pub fn spec(&self) -> Result<CoordinationSpec, FieldErrors> {
        let mut e = Vec::new();
        let nodes = parse(&mut e, "co-nodes", "nodes", &self.nodes);
        let ops = parse(&mut e, "co-ops", "operations", &self.ops);
        let mean = parse::<f64>(&mut e, "co-latency", "latency", &self.latency_mean);
        let poll = parse(&mut e, "co-poll", "poll", &self.poll_ms);
        let seed = parse(&mut e, "co-seed", "seed", &self.seed);
        let (Some(nodes), Some(ops), Some(mean), Some(poll_ms), Some(seed)) =
            (nodes, ops, mean, poll, seed)
        else {
            return Err(e);
        };
        let latency = Latency::Exponential { mean };
        latency.check_at_most(1_000.0).map_err(|m| vec![("co-latency", m)])?;
        let spec =
            CoordinationSpec { nodes, ops, latency, poll_ms, seed, ..CoordinationSpec::default() };
        spec.validate().map_err(|m| vec![("lab-run", m)])?;
        Ok(spec)
    }
}

/// One side of the side-by-side form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct SideForm {
    pub n: String,
    pub r: String,
    pub w: String,
    pub sloppy: bool,
    /// "1", "2" or "3".
    pub strategy: String,
}

impl SideForm {
    fn of(side: Side) -> SideForm {
        SideForm {
            n: side.n.to_string(),
            r: side.r.to_string(),
            w: side.w.to_string(),
            sloppy: side.sloppy_quorum,
            strategy: side.strategy.to_string(),
        }
    }

    fn side(&self, e: &mut FieldErrors, ids: [&'static str; 3]) -> Option<Side> {
        let n = parse(e, ids[0], "N", &self.n);
        let r = parse(e, ids[1], "R", &self.r);
        let w = parse(e, ids[2], "W", &self.w);
        let strategy = self.strategy.parse().unwrap_or(1);
        Some(Side { n: n?, r: r?, w: w?, sloppy_quorum: self.sloppy, strategy })
    }
}

/// The side-by-side form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareForm {
    pub a: SideForm,
    pub b: SideForm,
    pub nodes: String,
    pub failure_percent: String,
    pub seconds: String,
    pub seed: String,
}

impl Default for CompareForm {
    fn default() -> Self {
        let d = CompareSpec::default();
        CompareForm {
            a: SideForm::of(d.a),
            b: SideForm::of(d.b),
            nodes: d.nodes.to_string(),
            failure_percent: (d.failure_rate * 100.0).to_string(),
            seconds: d.seconds.to_string(),
            seed: d.seed.to_string(),
        }
    }
}

impl CompareForm {
    pub fn spec(&self) -> Result<CompareSpec, FieldErrors> {
        let mut e = Vec::new();
        let a = self.a.side(&mut e, ["sa-n", "sa-r", "sa-w"]);
        let b = self.b.side(&mut e, ["sb-n", "sb-r", "sb-w"]);
        let nodes = parse(&mut e, "sc-nodes", "nodes", &self.nodes);
        let failure = parse::<f64>(&mut e, "sc-failure", "failure rate", &self.failure_percent);
        let seconds = parse(&mut e, "sc-seconds", "seconds", &self.seconds);
        let seed = parse(&mut e, "sc-seed", "seed", &self.seed);
        let (Some(a), Some(b), Some(nodes), Some(failure)) = (a, b, nodes, failure) else {
            return Err(e);
        };
        let (Some(seconds), Some(seed)) = (seconds, seed) else { return Err(e) };
        let spec = CompareSpec { a, b, nodes, failure_rate: failure / 100.0, seconds, seed };
        spec.validate().map_err(|m| vec![("lab-run", m)])?;
        Ok(spec)
    }
}

/// The counterexample search's form, as typed (faults in the order of `Faults::NAMES`).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchForm {
    pub n: String,
    pub r: String,
    pub w: String,
    pub sloppy: bool,
    pub lww: bool,
    pub truncation: String,
    pub faults: [bool; 5],
    /// A property's name, or "any".
    pub property: String,
    pub schedules: String,
    pub steps: String,
    pub seed: String,
}

impl Default for SearchForm {
    fn default() -> Self {
        let d = SearchSpec::default();
        SearchForm {
            n: d.n.to_string(),
            r: d.r.to_string(),
            w: d.w.to_string(),
            sloppy: d.sloppy_quorum,
            lww: d.last_write_wins,
            truncation: d.clock_truncation.to_string(),
            faults: [true; 5],
            property: d.property.unwrap_or("any").to_string(),
            schedules: d.schedules.to_string(),
            steps: d.steps.to_string(),
            seed: d.seed.to_string(),
        }
    }
}

impl SearchForm {
    pub fn spec(&self) -> Result<SearchSpec, FieldErrors> {
        let mut e = Vec::new();
        let n = parse(&mut e, "cx-n", "N", &self.n);
        let r = parse(&mut e, "cx-r", "R", &self.r);
        let w = parse(&mut e, "cx-w", "W", &self.w);
        let truncation = parse(&mut e, "cx-truncation", "truncation", &self.truncation);
        let schedules = parse(&mut e, "cx-schedules", "schedules", &self.schedules);
        let steps = parse(&mut e, "cx-steps", "steps", &self.steps);
        let seed = parse(&mut e, "cx-seed", "seed", &self.seed);
        let (Some(n), Some(r), Some(w), Some(truncation)) = (n, r, w, truncation) else {
            return Err(e);
        };
        let (Some(schedules), Some(steps), Some(seed)) = (schedules, steps, seed) else {
            return Err(e);
        };
        let [crash, wipe, partition, link, membership] = self.faults;
        let spec = SearchSpec {
            n,
            r,
            w,
            sloppy_quorum: self.sloppy,
            last_write_wins: self.lww,
            clock_truncation: truncation,
            faults: Faults { crash, wipe, partition, link, membership },
            property: PROPERTIES.into_iter().find(|p| *p == self.property),
            promised_only: false,
            hinted_handoff: true,
            periodic_anti_entropy: true,
            schedules,
            steps,
            seed,
        };
        spec.check().map_err(|m| vec![("lab-run", m)])?;
        Ok(spec)
    }
}

/// What a search came to: its spec, and the counterexample found (none in `tried`).
pub struct SearchOutcome {
    pub spec: SearchSpec,
    pub tried: u32,
    pub found: Option<Counterexample>,
}

/// A lab under way.
pub enum Running {
    Consistency(Box<ConsistencyLab>),
    Partitioning(Box<PartitioningLab>),
    Divergence(Box<DivergenceLab>),
    Coordination(Box<CoordinationLab>),
    Compare(Box<CompareLab>),
    Search(Box<Search>),
}

/// The Labs area's state.
pub struct LabsState {
    pub kind: LabKind,
    pub consistency_form: ConsistencyForm,
    pub partitioning_form: PartitioningForm,
    pub divergence_form: DivergenceForm,
    pub coordination_form: CoordinationForm,
    pub compare_form: CompareForm,
    pub search_form: SearchForm,
    pub errors: FieldErrors,
    pub running: Option<Running>,
    /// The latest results (while running: so far).
    pub consistency: Option<ConsistencyReport>,
    pub partitioning: Option<PartitioningReport>,
    pub divergence: Option<DivergenceReport>,
    pub coordination: Option<CoordinationReport>,
    /// Runs A and B side by side, and the spec they ran.
    pub compare: Option<([SideReport; 2], CompareSpec)>,
    pub search: Option<SearchOutcome>,
    /// Trials or slices done and in all, while running or after a cancel.
    pub progress: Option<(u64, u64)>,
    pub cancelled: bool,
    /// The consistency spec of the results on screen (their findings depend on it).
    pub consistency_spec: Option<ConsistencySpec>,
}

impl Default for LabsState {
    fn default() -> Self {
        LabsState {
            kind: LabKind::Consistency,
            consistency_form: ConsistencyForm::default(),
            partitioning_form: PartitioningForm::default(),
            divergence_form: DivergenceForm::default(),
            coordination_form: CoordinationForm::default(),
            compare_form: CompareForm::default(),
            search_form: SearchForm::default(),
            errors: Vec::new(),
            running: None,
            consistency: None,
            partitioning: None,
            divergence: None,
            coordination: None,
            compare: None,
            search: None,
            progress: None,
            cancelled: false,
            consistency_spec: None,
        }
    }
}

/// A field's value as a number, or its error under the field's id.
fn parse<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    id: &'static str,
    label: &str,
    text: &str,
) -> Option<T> {
    let value = text.trim().parse().ok();
    if value.is_none() {
        errors.push((id, format!("{label}: {:?} is not a number of the right kind", text.trim())));
    }
    value
}

impl ConsistencyForm {
    /// The spec the form describes, or what is wrong with it (each by its field).
    pub fn spec(&self) -> Result<ConsistencySpec, FieldErrors> {
        let mut e = Vec::new();
        let n = parse(&mut e, "lab-n", "N", &self.n);
        let r = parse(&mut e, "lab-r", "R", &self.r);
        let w = parse(&mut e, "lab-w", "W", &self.w);
        let nodes = parse(&mut e, "lab-nodes", "nodes", &self.nodes);
        let a = parse::<f64>(&mut e, "lab-latency", "latency", &self.latency_a);
        let b = match self.latency.as_str() {
            "uniform" => parse::<f64>(&mut e, "lab-latency", "latency max", &self.latency_b),
            _ => Some(0.0),
        };
        let trials = parse(&mut e, "lab-trials", "trials", &self.trials);
        let points = parse(&mut e, "lab-points", "points", &self.points);
        let seed = parse(&mut e, "lab-seed", "seed", &self.seed);
        let failure = parse::<f64>(&mut e, "lab-failure", "failure rate", &self.failure_percent);
        let (Some(n), Some(r), Some(w), Some(nodes), Some(a), Some(b)) = (n, r, w, nodes, a, b)
        else {
            return Err(e);
        };
        let (Some(trials), Some(points), Some(seed), Some(failure)) =
            (trials, points, seed, failure)
        else {
            return Err(e);
        };
        let latency = match self.latency.as_str() {
            "fixed" => Latency::Fixed { ms: a },
            "uniform" => Latency::Uniform { min: a, max: b },
            _ => Latency::Exponential { mean: a },
        };
        let spec = ConsistencySpec {
            n,
            r,
            w,
            nodes,
            latency,
            trials,
            points,
            t_max_ms: None,
            seed,
            sloppy_quorum: self.sloppy,
            failure_rate: failure / 100.0,
        };
        spec.validate().map_err(|m| vec![("lab-run", m)])?;
        Ok(spec)
    }
}

impl PartitioningForm {
    pub fn spec(&self) -> Result<PartitioningSpec, FieldErrors> {
        let mut e = Vec::new();
        let nodes = parse(&mut e, "lab-s", "nodes", &self.nodes);
        let n = parse(&mut e, "lab-pn", "N", &self.n);
        let keys = parse(&mut e, "lab-keys", "keys", &self.keys);
        let seed = parse(&mut e, "lab-pseed", "seed", &self.seed);
        let tokens: Option<Vec<u32>> = self
            .tokens
            .split(',')
            .map(|t| parse(&mut e, "lab-tokens", "T", t))
            .collect::<Option<Vec<u32>>>();
        let (Some(nodes), Some(n), Some(keys), Some(seed), Some(tokens)) =
            (nodes, n, keys, seed, tokens)
        else {
            return Err(e);
        };
        let spec = PartitioningSpec { nodes, n, keys, tokens, seed };
        spec.validate().map_err(|m| vec![("lab-run", m)])?;
        Ok(spec)
    }
}

impl LabsState {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the lab on screen from its form; a bad form changes nothing but its errors.
    pub fn start(&mut self) {
        let started = match self.kind {
            LabKind::Consistency => self.consistency_form.spec().and_then(|spec| {
                self.consistency_spec = Some(spec.clone());
                ConsistencyLab::new(spec)
                    .map(|lab| Running::Consistency(Box::new(lab)))
                    .map_err(|m| vec![("lab-run", m)])
            }),
            LabKind::Partitioning => self.partitioning_form.spec().and_then(|spec| {
                PartitioningLab::new(spec)
                    .map(|lab| Running::Partitioning(Box::new(lab)))
                    .map_err(|m| vec![("lab-run", m)])
            }),
            LabKind::Divergence => self.divergence_form.spec().and_then(|spec| {
                DivergenceLab::new(spec)
                    .map(|lab| Running::Divergence(Box::new(lab)))
                    .map_err(|m| vec![("lab-run", m)])
            }),
            LabKind::Coordination => self.coordination_form.spec().and_then(|spec| {
                self.coordination = None;
                CoordinationLab::new(spec)
                    .map(|lab| Running::Coordination(Box::new(lab)))
                    .map_err(|m| vec![("lab-run", m)])
            }),
            LabKind::Compare => self.compare_form.spec().and_then(|spec| {
                self.compare = None;
                CompareLab::new(spec)
                    .map(|lab| Running::Compare(Box::new(lab)))
                    .map_err(|m| vec![("lab-run", m)])
            }),
            LabKind::Counterexample => self.search_form.spec().and_then(|spec| {
                self.search = None;
                Search::new(spec)
                    .map(|search| Running::Search(Box::new(search)))
                    .map_err(|m| vec![("lab-run", m)])
            }),
        };
        match started {
            Ok(running) => {
                self.errors.clear();
                self.cancelled = false;
                self.running = Some(running);
                self.slice(0);
            }
            Err(errors) => self.errors = errors,
        }
    }

    /// Runs one frame's slice (`trials` consistency trials, or one partitioning slice).
    pub fn slice(&mut self, trials: u32) {
        let Some(running) = self.running.as_mut() else { return };
        let done = match running {
            Running::Consistency(lab) => {
                lab.run(trials);
                let (done, all) = lab.progress();
                self.progress = Some((u64::from(done), u64::from(all)));
                self.consistency = Some(lab.report());
                lab.is_done()
            }
            Running::Partitioning(lab) => {
                if trials > 0 {
                    if let Err(m) = lab.run(PARTITIONING_SLICES_PER_FRAME) {
                        self.errors = vec![("lab-run", m)];
                        self.running = None;
                        return;
                    }
                }
                let (done, all) = lab.progress();
                self.progress = Some((done as u64, all as u64));
                self.partitioning = Some(lab.report());
                lab.is_done()
            }
            Running::Divergence(lab) => {
                lab.run(if trials > 0 { DIVERGENCE_SLICES_PER_FRAME } else { 0 });
                let (done, all) = lab.progress();
                // In virtual milliseconds.
                self.progress = Some((done / crate::core::MS, all / crate::core::MS));
                self.divergence = Some(lab.report());
                lab.is_done()
            }
            Running::Coordination(lab) => {
                lab.run(if trials > 0 { COORDINATION_OPS_PER_FRAME } else { 0 });
                let (done, all) = lab.progress();
                self.progress = Some((u64::from(done), u64::from(all)));
                self.coordination = lab.report();
                lab.is_done()
            }
            Running::Compare(lab) => {
                lab.run(if trials > 0 { COMPARE_SLICES_PER_FRAME } else { 0 });
                self.progress = Some(lab.progress());
                self.compare = Some((lab.report(), lab.spec().clone()));
                lab.is_done()
            }
            Running::Search(search) => {
                for _ in 0..if trials > 0 { SEARCH_RUNS_PER_FRAME } else { 0 } {
                    search.work();
                }
                let all = search.spec().schedules;
                self.progress = Some((u64::from(search.tried()), u64::from(all)));
                self.search = Some(SearchOutcome {
                    spec: search.spec().clone(),
                    tried: search.tried(),
                    found: search.found().cloned(),
                });
                search.done()
            }
        };
        if done {
            self.running = None;
        }
    }

    /// Stops the lab: what it measured so far stays on screen, said to be partial.
    pub fn cancel(&mut self) {
        if self.running.take().is_some() {
            self.cancelled = true;
        }
    }
}

/// Sets a form field by its id (unknown ids change nothing).
pub fn set_field(labs: &mut LabsState, id: &str, value: String) {
    let c = &mut labs.consistency_form;
    let p = &mut labs.partitioning_form;
    let field = match id {
        "lab-n" => &mut c.n,
        "lab-r" => &mut c.r,
        "lab-w" => &mut c.w,
        "lab-nodes" => &mut c.nodes,
        "lab-latency-kind" => &mut c.latency,
        "lab-latency" => &mut c.latency_a,
        "lab-latency-max" => &mut c.latency_b,
        "lab-trials" => &mut c.trials,
        "lab-points" => &mut c.points,
        "lab-seed" => &mut c.seed,
        "lab-failure" => &mut c.failure_percent,
        "lab-s" => &mut p.nodes,
        "lab-pn" => &mut p.n,
        "lab-keys" => &mut p.keys,
        "lab-tokens" => &mut p.tokens,
        "lab-pseed" => &mut p.seed,
        "lab-clients" => &mut labs.divergence_form.clients,
        "lab-carts" => &mut labs.divergence_form.carts,
        "lab-think" => &mut labs.divergence_form.think_ms,
        "lab-dfailure" => &mut labs.divergence_form.failure_percent,
        "lab-seconds" => &mut labs.divergence_form.seconds,
        "lab-dseed" => &mut labs.divergence_form.seed,
        "co-nodes" => &mut labs.coordination_form.nodes,
        "co-ops" => &mut labs.coordination_form.ops,
        "co-latency" => &mut labs.coordination_form.latency_mean,
        "co-poll" => &mut labs.coordination_form.poll_ms,
        "co-seed" => &mut labs.coordination_form.seed,
        "sa-n" => &mut labs.compare_form.a.n,
        "sa-r" => &mut labs.compare_form.a.r,
        "sa-w" => &mut labs.compare_form.a.w,
        "sa-strategy" => &mut labs.compare_form.a.strategy,
        "sb-n" => &mut labs.compare_form.b.n,
        "sb-r" => &mut labs.compare_form.b.r,
        "sb-w" => &mut labs.compare_form.b.w,
        "sb-strategy" => &mut labs.compare_form.b.strategy,
        "sc-nodes" => &mut labs.compare_form.nodes,
        "sc-failure" => &mut labs.compare_form.failure_percent,
        "sc-seconds" => &mut labs.compare_form.seconds,
        "sc-seed" => &mut labs.compare_form.seed,
        "cx-n" => &mut labs.search_form.n,
        "cx-r" => &mut labs.search_form.r,
        "cx-w" => &mut labs.search_form.w,
        "cx-truncation" => &mut labs.search_form.truncation,
        "cx-property" => &mut labs.search_form.property,
        "cx-schedules" => &mut labs.search_form.schedules,
        "cx-steps" => &mut labs.search_form.steps,
        "cx-seed" => &mut labs.search_form.seed,
        _ => return,
    };
    *field = value;
}

/// Ticks or unticks a form's box by its id (unknown ids change nothing).
pub fn set_check(labs: &mut LabsState, id: &str, on: bool) {
    let f = &mut labs.search_form;
    let (faults, index) =
        (&mut f.faults, Faults::NAMES.iter().position(|n| id == format!("cx-{n}")));
    let flag = match (id, index) {
        ("lab-sloppy", _) => &mut labs.consistency_form.sloppy,
        ("cx-sloppy", _) => &mut f.sloppy,
        ("sa-sloppy", _) => &mut labs.compare_form.a.sloppy,
        ("sb-sloppy", _) => &mut labs.compare_form.b.sloppy,
        ("cx-lww", _) => &mut f.lww,
        (_, Some(i)) => &mut faults[i],
        _ => return,
    };
    *flag = on;
}

/// The counterexample found, as a scenario file (name, text).
pub fn counterexample_file(labs: &LabsState) -> Option<(String, String)> {
    let found = labs.search.as_ref()?.found.as_ref()?;
    let name = format!("counterexample-{}.json", found.verdict.property.replace(' ', "-"));
    Some((name, found.shrunk.to_json()))
}

/// What a search found, in sentences.
pub fn search_findings(outcome: &SearchOutcome) -> Vec<String> {
    let s = &outcome.spec;
    let what = s.property.map_or("any property".to_string(), |p| format!("\"{p}\""));
    let Some(found) = &outcome.found else {
        return vec![format!(
            "No schedule of {} violated {what} with (N, R, W) = ({}, {}, {}).",
            outcome.tried, s.n, s.r, s.w
        )];
    };
    let v = &found.verdict;
    let mut said = vec![format!(
        "Schedule {} of {} violated \"{}\"; shrunk from {} steps to {} in {} runs.",
        found.schedule + 1,
        s.schedules,
        v.property,
        found.original.steps.len(),
        found.shrunk.steps.len(),
        found.shrink_runs
    )];
    said.push(match &v.not_promised_because {
        Some(why) => format!("Dynamo does not promise it here: {why}."),
        None => "Dynamo promises it here: this is a bug in the simulator (please report it)."
            .to_string(),
    });
    said
}

/// What the page says above a counterexample opened on the timeline: the findings, then the
/// checker's evidence.
pub fn counterexample_note(outcome: &SearchOutcome) -> Vec<String> {
    let mut lines = search_findings(outcome);
    if let Some(found) = &outcome.found {
        lines.extend(found.verdict.evidence.iter().cloned());
    }
    lines
}

/// The lab on screen's results as a CSV file (name, text), if it has any.
pub fn csv(labs: &LabsState) -> Option<(String, String)> {
    match labs.kind {
        LabKind::Consistency => labs
            .consistency
            .as_ref()
            .map(|r| ("consistency-lab.csv".to_string(), consistency_csv(r))),
        LabKind::Partitioning => labs
            .partitioning
            .as_ref()
            .map(|r| ("partitioning-lab.csv".to_string(), partitioning_csv(r))),
        LabKind::Divergence => {
            labs.divergence.as_ref().map(|r| ("divergence-lab.csv".to_string(), divergence_csv(r)))
        }
        LabKind::Coordination => labs
            .coordination
            .as_ref()
            .map(|r| ("coordination-lab.csv".to_string(), coordination_csv(r))),
        LabKind::Compare => {
            labs.compare.as_ref().map(|(r, _)| ("side-by-side.csv".to_string(), compare_csv(r)))
        }
        LabKind::Counterexample => counterexample_file(labs),
    }
}

/// What the consistency curve shows, in sentences: the first point against the two
/// models and why they differ, when reads became reliably fresh, and what R + W > N did.
pub fn consistency_findings(spec: &ConsistencySpec, report: &ConsistencyReport) -> Vec<String> {
    let mut said = Vec::new();
    let Some(first) = report.points.first().filter(|p| p.reads > 0) else {
        return said;
    };
    let pct = |p: f64| format!("{:.0}%", p * 100.0);
    said.push(format!(
        "Right after the acknowledgement (t = 0): {} of reads were stale, measured ({}–{}); \
         the closed form C(N−W, R)/C(N, R) gives {} when only W replicas hold the write; the \
         WARS model gives {}.",
        pct(1.0 - first.p_consistent),
        pct(1.0 - first.ci95[1]),
        pct(1.0 - first.ci95[0]),
        pct(report.closed_form_stale),
        pct(1.0 - first.wars_p_consistent)
    ));
    let (lo, hi) = (first.ci95[0], first.ci95[1]);
    let model = first.wars_p_consistent;
    let faults = spec.sloppy_quorum || spec.failure_rate > 0.0;
    said.push(if faults {
        "Both models assume every node answers and a strict quorum; with nodes down or a \
         sloppy quorum the simulator answers for what they leave out (§4.6)."
            .to_string()
    } else if model > hi {
        "The simulator is staler than the model at first: a put's coordinator is a replica and \
         counts its own copy toward W at once, before the write has crossed the network, and a \
         replica coordinating a get counts its own copy toward R at once; the model sends every \
         write and read over the network (§4.5)."
            .to_string()
    } else if model < lo {
        "The simulator is fresher than the model at first: a request reaching a node outside \
         the key's top N is forwarded, which gives the write time to spread (§4.5)."
            .to_string()
    } else {
        "Here the simulator and the model agree within the confidence interval.".to_string()
    });
    // The first point from which every later point is fresh in at least 99% of reads.
    let fresh_from = (0..report.points.len())
        .find(|&k| report.points[k..].iter().all(|p| p.reads > 0 && p.ci95[0] >= 0.99));
    if let Some(k) = fresh_from {
        let t = report.points[k].t_ms;
        said.push(format!("From t = {t:.1} ms on, at least 99% of reads were fresh."));
    }
    let stale: u64 = report
        .points
        .iter()
        .map(|p| p.reads - (p.p_consistent * p.reads as f64).round() as u64)
        .sum();
    if spec.r + spec.w > spec.n {
        said.push(if stale == 0 {
            "R + W > N: no read was stale — every read quorum met every write quorum (§4.5)."
                .to_string()
        } else if spec.sloppy_quorum {
            format!(
                "R + W > N, yet {stale} reads were stale: with nodes down, a sloppy quorum let \
                 writes and reads use stand-ins outside the key's top N, so the quorums need not \
                 overlap (§4.6)."
            )
        } else {
            format!("R + W > N, yet {stale} reads were stale, with nodes down (§4.5).")
        });
    }
    if report.writes_failed > 0 {
        said.push(format!(
            "{} of {} writes failed (too few replicas answered in time); no reads followed \
             them.",
            report.writes_failed, report.trials
        ));
    }
    said
}

/// What the sweep shows, in sentences: which strategy balanced best and worst at equal
/// membership size (the paper's Figure 8 found 3 best, 2 worst), and what a join moved.
pub fn partitioning_findings(report: &PartitioningReport) -> Vec<String> {
    let mut said = Vec::new();
    let mut sizes: Vec<u32> = report.points.iter().map(|p| p.t).collect();
    sizes.dedup();
    let at = |t: u32, s: u8| report.points.iter().find(|p| p.t == t && p.strategy == s);
    let (mut best3, mut worst2, mut measured) = (0, 0, 0);
    for &t in &sizes {
        let effs: Vec<f64> = (1..=3).filter_map(|s| at(t, s)).map(|p| p.efficiency).collect();
        if effs.len() < 3 {
            continue;
        }
        measured += 1;
        best3 += usize::from(effs[2] >= effs[0] && effs[2] >= effs[1]);
        worst2 += usize::from(effs[1] <= effs[0] && effs[1] <= effs[2]);
    }
    if measured > 0 {
        said.push(format!(
            "At equal membership size, strategy 3 balanced load best at {best3} of {measured} \
             sizes, and strategy 2 worst at {worst2} of {measured}. The paper's Figure 8 found \
             strategy 3 best and strategy 2 worst (§6.2); its strategy 2 had many more \
             partitions than tokens, here Q = S × T, and strategies 1 and 2 differ by less than \
             the sampling noise of the busiest node.",
        ));
    }
    for j in &report.joins {
        said.push(format!(
            "One more node joining (T = {}), strategy {}: {:.1}% of the keys changed replicas; it \
             took {} {}.",
            j.t,
            j.strategy,
            j.keys_moved * 100.0,
            j.tokens_taken,
            match j.strategy {
                3 => "whole partitions",
                2 => "tokens (the partitions stay; their preference lists change)",
                _ => "tokens, splitting as many ranges",
            }
        ));
    }
    said
}

/// The consistency curve: measured (with its 95% band) beside the WARS model, and the
/// closed form's freshness at t = 0.
pub fn consistency_chart(report: &ConsistencyReport) -> Chart {
    let measured: Vec<&Point> = report.points.iter().filter(|p| p.reads > 0).collect();
    Chart {
        id: "consistency-chart",
        x_label: "t, ms after the write's acknowledgement".into(),
        y_label: "P(read returns the write)".into(),
        x_log: false,
        y_min: 0.0,
        y_max: 1.0,
        series: vec![
            Series {
                name: "simulator (95% band)".into(),
                class: "measured",
                points: measured.iter().map(|p| (p.t_ms, p.p_consistent)).collect(),
                band: Some(measured.iter().map(|p| (p.ci95[0], p.ci95[1])).collect()),
                markers_only: false,
            },
            Series {
                name: "WARS model".into(),
                class: "model",
                points: report.points.iter().map(|p| (p.t_ms, p.wars_p_consistent)).collect(),
                band: None,
                markers_only: false,
            },
            Series {
                name: "closed form, t = 0".into(),
                class: "closed-form",
                points: vec![(0.0, 1.0 - report.closed_form_stale)],
                band: None,
                markers_only: true,
            },
        ],
    }
}

/// Figure 8: efficiency against membership entries per node, a line per strategy.
pub fn partitioning_chart(report: &PartitioningReport) -> Chart {
    let line = |strategy: u8, class: &'static str| Series {
        name: format!("strategy {strategy}"),
        class,
        points: report
            .points
            .iter()
            .filter(|p| p.strategy == strategy)
            .map(|p| (p.membership_entries as f64, p.efficiency))
            .collect(),
        band: None,
        markers_only: false,
    };
    Chart {
        id: "partitioning-chart",
        x_label: "membership entries per node (log scale)".into(),
        y_label: "load-balancing efficiency".into(),
        x_log: true,
        y_min: 0.0,
        y_max: 1.0,
        series: vec![line(1, "strategy-1"), line(2, "strategy-2"), line(3, "strategy-3")],
    }
}

/// What the divergence run shows: its shares beside the paper's, and the causes.
pub fn divergence_findings(report: &DivergenceReport) -> Vec<String> {
    let reads: u64 = report.versions.iter().sum();
    if reads == 0 {
        return Vec::new();
    }
    // Enough decimals for the paper's smallest share (0.00009%).
    let pct = |p: f64| match p * 100.0 {
        x if x == 0.0 || x >= 1.0 => format!("{x:.2}%"),
        x if x >= 0.01 => format!("{x:.3}%"),
        x => format!("{x:.5}%"),
    };
    let divergent = reads - report.versions[0];
    let mut said = vec![format!(
        "{reads} reads: {} saw one version, {} two, {} three, {} four or more. Over 24 hours \
         of the shopping cart service the paper counted {}, {}, {} and {} (§6.3).",
        pct(report.shares[0]),
        pct(report.shares[1]),
        pct(report.shares[2]),
        pct(report.shares[3]),
        pct(report.paper_shares[0]),
        pct(report.paper_shares[1]),
        pct(report.paper_shares[2]),
        pct(report.paper_shares[3]),
    )];
    if divergent > 0 {
        said.push(format!(
            "Of the {divergent} divergent reads: {} had a version written by a client whose read \
             began after another of its versions was acknowledged (that read missed a write: \
             failures, a sloppy quorum); {} had a version whose put was never acknowledged \
             (failed, or still under way); in the other {}, every pair of updates overlapped \
             (concurrent writers). The paper found concurrent writers — busy robots — the \
             usual cause (§6.3).",
            report.stale_reads, report.unacknowledged, report.concurrent_writers
        ));
    } else {
        said.push("No read saw more than one version.".to_string());
    }
    if report.failed_requests > 0 {
        said.push(format!("{} requests failed (nodes down).", report.failed_requests));
    }
    said
}

/// Divergent reads (two or more versions) per window of the run.
pub fn divergence_chart(report: &DivergenceReport) -> Chart {
    let width = report.windows.get(1).map_or(1.0, |w| w.from_s);
    let line = |name: &str, class: &'static str, at_least: usize| Series {
        name: name.to_string(),
        class,
        points: report
            .windows
            .iter()
            .map(|w| {
                let reads: u64 = w.versions.iter().sum();
                let some: u64 = w.versions[at_least - 1..].iter().sum();
                (w.from_s + width / 2.0, if reads == 0 { 0.0 } else { some as f64 / reads as f64 })
            })
            .collect(),
        band: None,
        markers_only: false,
    };
    let most = report.shares[1..].iter().sum::<f64>();
    Chart {
        id: "divergence-chart",
        x_label: "virtual time, s".into(),
        y_label: "share of reads".into(),
        x_log: false,
        y_min: 0.0,
        y_max: (most * 2.0).clamp(0.01, 1.0),
        series: vec![
            line("2 or more versions", "measured", 2),
            line("3 or more versions", "model", 3),
        ],
    }
}

/// The divergence run as CSV: one row per window.
/// Table 2 as measured, beside the paper's: (row, [99.9th read, 99.9th write, mean read,
/// mean write]) in ms.
pub fn coordination_rows(report: &CoordinationReport) -> [(&'static str, [f64; 4]); 4] {
    let row = |l: &crate::sim::lab::coordination::Latencies| {
        [l.read_p999, l.write_p999, l.read_mean, l.write_mean]
    };
    [
        ("server-driven, measured", row(&report.server_driven)),
        ("client-driven, measured", row(&report.client_driven)),
        ("server-driven, the paper", report.paper_server_driven),
        ("client-driven, the paper", report.paper_client_driven),
    ]
}

/// The side-by-side table: (what, run A's, run B's), as shown.
pub fn compare_rows(r: &[SideReport; 2]) -> Vec<(&'static str, [String; 2])> {
    let each = |f: &dyn Fn(&SideReport) -> String| [f(&r[0]), f(&r[1])];
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let ms = |v: [f64; 3]| format!("{:.1} / {:.1} / {:.1}", v[0], v[1], v[2]);
    vec![
        ("gets that succeeded", each(&|s| pct(s.get_availability))),
        ("puts that succeeded", each(&|s| pct(s.put_availability))),
        (
            "stale reads (of reads after a write)",
            each(&|s| format!("{} of {}", s.stale_reads, s.judged_reads)),
        ),
        ("gets that saw siblings", each(&|s| format!("{} of {}", s.gets_with_siblings, s.gets))),
        ("get latency, ms (50th / 99th / 99.9th)", each(&|s| ms(s.get_ms))),
        ("put latency, ms (50th / 99th / 99.9th)", each(&|s| ms(s.put_ms))),
        ("hinted replicas stored (§4.6)", each(&|s| s.hints_stored.to_string())),
        ("Merkle bytes sent (§4.7)", each(&|s| s.merkle_bytes.to_string())),
    ]
}

pub fn compare_csv(r: &[SideReport; 2]) -> String {
    let mut csv = String::from("what,run_a,run_b\n");
    for (what, [a, b]) in compare_rows(r) {
        csv.push_str(&format!("\"{what}\",\"{a}\",\"{b}\"\n"));
    }
    csv
}

/// A side's settings in words.
pub fn side_words(s: &Side) -> String {
    let quorum = if s.sloppy_quorum { "sloppy" } else { "strict" };
    format!("(N, R, W) = ({}, {}, {}), {quorum} quorum, strategy {}", s.n, s.r, s.w, s.strategy)
}

/// What the two runs show, in sentences.
pub fn compare_findings(r: &[SideReport; 2], spec: &CompareSpec) -> Vec<String> {
    let mut said = Vec::new();
    for (name, s, side) in [("A", &r[0], &spec.a), ("B", &r[1], &spec.b)] {
        let promise = if side.r + side.w > side.n && !side.sloppy_quorum {
            "R + W > N with a strict quorum: no read should be stale (§4.5)"
        } else if side.r + side.w > side.n {
            "R + W > N, but a sloppy quorum may read and write on different stand-ins (§4.6)"
        } else {
            "R + W ≤ N: a read quorum can miss a write quorum (§4.5)"
        };
        said.push(format!(
            "Run {name}, {}: {} of {} puts and {} of {} gets succeeded; {} of {} reads after a \
             write were stale. {promise}.",
            side_words(side),
            (s.put_availability * s.puts as f64).round(),
            s.puts,
            (s.get_availability * s.gets as f64).round(),
            s.gets,
            s.stale_reads,
            s.judged_reads
        ));
    }
    said.push(format!(
        "Both ran the same schedule of requests (one get or put per ms) and the same failures \
         ({}% of nodes down in each half second), from seed {}. The siblings come mostly from \
         sixteen clients writing 200 keys blind and at once, not from failures: the \
         Divergence lab counts them as §6.3 does.",
        spec.failure_rate * 100.0,
        spec.seed
    ));
    said
}

pub fn coordination_csv(report: &CoordinationReport) -> String {
    let mut csv = String::from("row,read_p999_ms,write_p999_ms,read_mean_ms,write_mean_ms\n");
    for (row, [a, b, c, d]) in coordination_rows(report) {
        csv.push_str(&format!("{row},{a},{b},{c},{d}\n"));
    }
    csv
}

/// What Table 2 shows here, in sentences.
pub fn coordination_findings(report: &CoordinationReport) -> Vec<String> {
    let (s, c) = (&report.server_driven, &report.client_driven);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let mut said = vec![format!(
        "Client-driven coordination took the average write latency from {:.2} to {:.2} ms ({:.0}% \
         less) and the average read from {:.2} to {:.2} ms; the paper measured 4.02 → 1.9 ms \
         and 3.9 → 1.55 ms, and at the 99.9th percentile 68.5 → 30.4 ms (§6.4, Table 2).",
        s.write_mean,
        c.write_mean,
        100.0 * (1.0 - ratio(c.write_mean, s.write_mean)),
        s.read_mean,
        c.read_mean
    )];
    said.push(if s.forwarded_puts == 0 {
        "No put was forwarded server-driven (every node is among each key's top N), so the \
         two ways differ only in which replica coordinates."
            .to_string()
    } else {
        format!(
            "Here: server-driven, {} of {} puts reached a node outside the key's top N and \
             were forwarded (one more hop); client-driven, the client's copy of the membership \
             sent every request to the key's first node, a replica whose own copy counts \
             toward R or W at once. The paper's clients also skipped the load balancer and \
             coordinated reads themselves (§6.4); the simulator has neither a load balancer \
             nor disks, so its numbers are smaller than the paper's.",
            s.forwarded_puts, s.writes
        )
    });
    if s.failed + c.failed > 0 {
        said.push(format!("{} requests failed and are left out.", s.failed + c.failed));
    }
    said
}

pub fn divergence_csv(report: &DivergenceReport) -> String {
    let mut csv = String::from("from_s,one,two,three,four_or_more\n");
    for w in &report.windows {
        let [a, b, c, d] = w.versions;
        csv.push_str(&format!("{},{a},{b},{c},{d}\n", w.from_s));
    }
    csv
}

/// The consistency curve as CSV: one row per point.
pub fn consistency_csv(report: &ConsistencyReport) -> String {
    let mut csv = String::from("t_ms,p_consistent,ci95_low,ci95_high,wars_p_consistent,reads\n");
    for p in &report.points {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            p.t_ms, p.p_consistent, p.ci95[0], p.ci95[1], p.wars_p_consistent, p.reads
        ));
    }
    csv
}

/// The partitioning sweep as CSV: one row per strategy and T.
pub fn partitioning_csv(report: &PartitioningReport) -> String {
    let mut csv = String::from("strategy,t,q,efficiency,membership_entries,membership_bytes\n");
    for p in &report.points {
        let q = p.q.map(|q| q.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            p.strategy, p.t, q, p.efficiency, p.membership_entries, p.membership_bytes
        ));
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_forms_are_the_clis_defaults() {
        assert_eq!(ConsistencyForm::default().spec().unwrap(), ConsistencySpec::default());
        assert_eq!(PartitioningForm::default().spec().unwrap(), PartitioningSpec::default());
        assert_eq!(DivergenceForm::default().spec().unwrap(), DivergenceSpec::default());
    }

    #[test]
    fn a_lab_runs_in_slices_to_the_clis_numbers_and_can_be_cancelled() {
        let mut labs = LabsState::default();
        labs.consistency_form.trials = "100".into();
        labs.start();
        while labs.is_running() {
            labs.slice(TRIALS_PER_FRAME);
        }
        let spec = ConsistencySpec { trials: 100, ..ConsistencySpec::default() };
        let cli = ConsistencyLab::new(spec).unwrap().finish();
        assert_eq!(labs.consistency.as_ref(), Some(&cli));
        assert_eq!(labs.progress, Some((100, 100)));
        assert!(consistency_csv(&cli).lines().count() == 21);

        labs.start();
        labs.slice(TRIALS_PER_FRAME);
        labs.cancel();
        assert!(labs.cancelled && !labs.is_running());
        assert_eq!(labs.progress, Some((20, 100)), "what it measured stays, said partial");
    }

    #[test]
    fn the_findings_say_what_the_numbers_show() {
        let spec = ConsistencySpec { trials: 300, ..ConsistencySpec::default() };
        let report = ConsistencyLab::new(spec.clone()).unwrap().finish();
        let said = consistency_findings(&spec, &report);
        assert!(said[0].starts_with("Right after the acknowledgement (t = 0): "), "{said:?}");
        assert!(said[0].contains("the closed form C(N−W, R)/C(N, R) gives 67%"), "{said:?}");
        assert!(said[1].starts_with("The simulator is staler than the model"), "{said:?}");
        let strict = ConsistencySpec { r: 2, w: 2, trials: 100, ..ConsistencySpec::default() };
        let report = ConsistencyLab::new(strict.clone()).unwrap().finish();
        let said = consistency_findings(&strict, &report);
        assert!(said.iter().any(|s| s.starts_with("R + W > N: no read was stale")), "{said:?}");

        let sweep = PartitioningSpec { keys: 5_000, tokens: vec![2, 8], ..Default::default() };
        let report = PartitioningLab::new(sweep).unwrap().finish().unwrap();
        let said = partitioning_findings(&report);
        assert!(said[0].contains("strategy 3 balanced load best at 2 of 2 sizes"), "{said:?}");
        assert_eq!(said.len(), 4, "a line per strategy's join: {said:?}");
    }

    #[test]
    fn the_divergence_lab_runs_in_the_page_to_the_clis_numbers() {
        let mut labs = LabsState { kind: LabKind::Divergence, ..LabsState::default() };
        labs.divergence_form.seconds = "2".into();
        labs.start();
        while labs.is_running() {
            labs.slice(TRIALS_PER_FRAME);
        }
        let spec = DivergenceSpec { seconds: 2.0, ..DivergenceSpec::default() };
        let cli = DivergenceLab::new(spec).unwrap().finish();
        assert_eq!(labs.divergence.as_ref(), Some(&cli));
        assert_eq!(labs.progress, Some((2_000, 2_000)));
        let said = divergence_findings(&cli);
        assert!(
            said[0].contains("the paper counted 99.94%, 0.00057%, 0.00047% and 0.00009%"),
            "{said:?}"
        );
        assert_eq!(divergence_csv(&cli).lines().count(), 11);
    }

    #[test]
    fn the_counterexample_search_runs_in_slices_to_the_clis_answer_and_opens_as_a_scenario() {
        let mut labs = LabsState { kind: LabKind::Counterexample, ..LabsState::default() };
        for id in ["cx-crash", "cx-partition", "cx-link", "cx-membership"] {
            set_check(&mut labs, id, false);
        }
        labs.start();
        let mut frames = 0;
        while labs.is_running() {
            labs.slice(TRIALS_PER_FRAME);
            frames += 1;
        }
        let spec = SearchSpec { faults: Faults::parse("wipe").unwrap(), ..SearchSpec::default() };
        let cli = Search::new(spec).unwrap().run().unwrap();
        let outcome = labs.search.as_ref().unwrap();
        let found = outcome.found.as_ref().unwrap();
        assert_eq!((found.schedule, &found.shrunk), (cli.schedule, &cli.shrunk));
        assert!(frames as u32 >= found.schedule + found.shrink_runs, "a run per frame");
        let said = search_findings(outcome).join(" ");
        assert!(said.contains("violated \"no acknowledged write lost\""), "{said}");
        assert!(said.contains("does not promise it here"), "{said}");
        let (name, text) = csv(&labs).unwrap();
        assert_eq!(name, "counterexample-no-acknowledged-write-lost.json");
        assert_eq!(crate::sim::Scenario::from_json(&text).unwrap(), cli.shrunk);
    }

    #[test]
    fn a_search_that_finds_nothing_says_so_and_bad_search_forms_are_refused() {
        let mut labs = LabsState { kind: LabKind::Counterexample, ..LabsState::default() };
        let f = &mut labs.search_form;
        (f.r, f.w, f.schedules, f.faults) = ("2".into(), "2".into(), "5".into(), [false; 5]);
        labs.start();
        while labs.is_running() {
            labs.slice(TRIALS_PER_FRAME);
        }
        let said = search_findings(labs.search.as_ref().unwrap()).join(" ");
        assert!(said.starts_with("No schedule of 5 violated"), "{said}");
        assert!(csv(&labs).is_none());
        labs.search_form.w = "9".into();
        labs.start();
        assert!(!labs.is_running());
        assert!(labs.errors.iter().any(|(f, m)| *f == "lab-run" && m.contains("W must be")));
        labs.search_form.seed = "-1".into();
        labs.start();
        assert!(labs.errors.iter().any(|(f, _)| *f == "cx-seed"));
    }

    #[test]
    fn the_coordination_lab_runs_in_slices_to_the_clis_table() {
        let mut labs = LabsState { kind: LabKind::Coordination, ..LabsState::default() };
        labs.coordination_form.ops = "600".into();
        labs.start();
        let mut frames = 0;
        while labs.is_running() {
            labs.slice(TRIALS_PER_FRAME);
            frames += 1;
        }
        assert!(frames >= 2 * 600 / COORDINATION_OPS_PER_FRAME);
        let spec = CoordinationSpec { ops: 600, ..CoordinationSpec::default() };
        let cli = crate::sim::lab::coordination::run(&spec).unwrap();
        assert_eq!(labs.coordination.as_ref(), Some(&cli));
        let said = coordination_findings(&cli).join(" ");
        assert!(said.contains("Client-driven coordination took the average write latency"));
        let (name, text) = csv(&labs).unwrap();
        assert_eq!(name, "coordination-lab.csv");
        assert_eq!(text.lines().count(), 5);
        labs.coordination_form.latency_mean = "-1".into();
        labs.start();
        assert!(labs.errors.iter().any(|(f, _)| *f == "co-latency"));
    }

    #[test]
    fn two_runs_side_by_side_in_slices_as_the_cli_gives_them() {
        let mut labs = LabsState { kind: LabKind::Compare, ..LabsState::default() };
        labs.compare_form.seconds = "2".into();
        set_field(&mut labs, "sb-w", "1".into());
        set_field(&mut labs, "sb-strategy", "3".into());
        set_check(&mut labs, "sb-sloppy", true);
        labs.start();
        let mut frames = 0;
        while labs.is_running() {
            labs.slice(TRIALS_PER_FRAME);
            frames += 1;
        }
        assert_eq!(frames, 20, "100 virtual ms a frame");
        let b = Side { w: 1, sloppy_quorum: true, strategy: 3, ..CompareSpec::default().b };
        let spec = CompareSpec { b, seconds: 2, ..CompareSpec::default() };
        let mut cli = CompareLab::new(spec.clone()).unwrap();
        cli.run(1_000);
        let (report, shown) = labs.compare.as_ref().unwrap();
        assert_eq!((report, shown), (&cli.report(), &spec));
        let said = compare_findings(report, shown).join(" ");
        assert!(said.contains("Run B, (N, R, W) = (3, 2, 1), sloppy quorum, strategy 3"), "{said}");
        assert!(said.contains("R + W > N, but a sloppy quorum"), "{said}");
        let (name, text) = csv(&labs).unwrap();
        assert_eq!((name.as_str(), text.lines().count()), ("side-by-side.csv", 9));
        set_field(&mut labs, "sa-r", "x".into());
        labs.start();
        assert!(labs.errors.iter().any(|(f, _)| *f == "sa-r"));
        set_field(&mut labs, "sa-r", "9".into());
        labs.start();
        assert!(labs.errors.iter().any(|(f, m)| *f == "lab-run" && m.starts_with("run A")));
    }

    #[test]
    fn a_bad_form_says_which_field_and_starts_nothing() {
        let mut labs = LabsState::default();
        labs.consistency_form.r = "two".into();
        labs.start();
        assert!(!labs.is_running());
        assert!(labs.errors.iter().any(|(f, m)| *f == "lab-r" && m.contains("\"two\"")));
        labs.consistency_form.r = "4".into();
        labs.start();
        assert!(labs.errors.iter().any(|(f, m)| *f == "lab-run" && m.contains("R and W")));
        labs.kind = LabKind::Partitioning;
        labs.partitioning_form.tokens = "1, x".into();
        labs.start();
        assert!(labs.errors.iter().any(|(f, _)| *f == "lab-tokens"));
        assert!(labs.partitioning.is_none());
    }
}
