//! Counterexample search: seeded random fault schedules, each a scenario file, judged by the
//! history checker ([`super::check`]); the first that violates the chosen property is shrunk
//! — steps removed, moved sooner, nodes the steps never name taken out — to a small scenario
//! that still violates it, ready to replay on the timeline.
//!
//! This is how Jepsen and property-based testing (QuickCheck, proptest) find bugs: generate,
//! check, shrink. Here it also teaches: "find me a schedule where W = 1 loses a write"
//! (§4.6, §6: W = 1 leaves one copy) returns one, a few steps long, with the operations that show it. Where
//! Dynamo promises a property for the configuration, a violation found is a bug.
//!
//! The work is a state machine, [`Search`], advanced one run at a time, so the page can do
//! it a slice per frame (with progress and a cancel) and the CLI in one loop; both give the
//! same answer for a seed.

use super::check::{self, Verdict};
use super::network::Latency;
use super::scenario::{
    self, Action, ClusterSpec, Context, Features, NetworkJson, NodeJson, Op, Scenario, Step,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Most schedules one search tries, steps in one schedule, and runs spent shrinking.
pub const MAX_SCHEDULES: u32 = 100_000;
pub const MAX_STEPS: u32 = 200;
pub const MAX_SHRINK_RUNS: u32 = 2_000;

/// The cluster a schedule runs on: five nodes, A to E; joins add F, G, ….
const NODES: usize = 5;
/// Keys and clients the schedules use.
const KEYS: u32 = 4;
const CLIENTS: u32 = 3;

/// Which faults the schedules may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faults {
    pub crash: bool,
    pub wipe: bool,
    pub partition: bool,
    /// A link between two nodes dropping messages.
    pub link: bool,
    /// Nodes joining and leaving the ring.
    pub membership: bool,
}

impl Faults {
    pub const ALL: Faults =
        Faults { crash: true, wipe: true, partition: true, link: true, membership: true };
    pub const NAMES: [&'static str; 5] = ["crash", "wipe", "partition", "link", "membership"];

    /// `"crash,wipe"` (or `"none"`) to faults.
    pub fn parse(text: &str) -> Result<Faults, String> {
        let mut f =
            Faults { crash: false, wipe: false, partition: false, link: false, membership: false };
        for name in text.split(',').map(str::trim).filter(|s| !s.is_empty() && *s != "none") {
            match name {
                "crash" => f.crash = true,
                "wipe" => f.wipe = true,
                "partition" => f.partition = true,
                "link" => f.link = true,
                "membership" => f.membership = true,
                other => {
                    return Err(format!(
                        "unknown fault {other:?} (expected {} or none)",
                        Faults::NAMES.join(", ")
                    ))
                }
            }
        }
        Ok(f)
    }
}

/// What to search for, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchSpec {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub sloppy_quorum: bool,
    pub last_write_wins: bool,
    /// Clock truncation threshold (§4.4; 10 by default).
    pub clock_truncation: usize,
    /// Hinted handoff (§4.6) and anti-entropy every 50 ms (§4.7); without them, a replica
    /// is repaired only by read repair and by the checker's one round of anti-entropy.
    pub hinted_handoff: bool,
    pub periodic_anti_entropy: bool,
    pub faults: Faults,
    /// The property to violate (one of [`check::PROPERTIES`]), or any.
    pub property: Option<&'static str>,
    /// Only violations of what Dynamo promises for the schedule count: a search for bugs.
    pub promised_only: bool,
    pub schedules: u32,
    /// Steps per schedule.
    pub steps: u32,
    pub seed: u64,
}

impl Default for SearchSpec {
    fn default() -> Self {
        SearchSpec {
            n: 3,
            r: 1,
            w: 1,
            sloppy_quorum: false,
            last_write_wins: false,
            clock_truncation: 10,
            hinted_handoff: true,
            periodic_anti_entropy: true,
            faults: Faults::ALL,
            property: Some("no acknowledged write lost"),
            promised_only: false,
            schedules: 1_000,
            steps: 30,
            seed: 1,
        }
    }
}

impl SearchSpec {
    /// Checks the numbers against the cluster and the limits, before any work.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=NODES).contains(&self.n) {
            return Err(format!("N must be from 1 to {NODES} (the cluster's size)"));
        }
        for (name, q) in [("R", self.r), ("W", self.w)] {
            if !(1..=self.n).contains(&q) {
                return Err(format!("{name} must be from 1 to N = {}", self.n));
            }
        }
        if !(1..=64).contains(&self.clock_truncation) {
            return Err("the clock truncation threshold must be from 1 to 64".into());
        }
        if !(1..=MAX_SCHEDULES).contains(&self.schedules) {
            return Err(format!("schedules must be from 1 to {MAX_SCHEDULES}"));
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(format!("steps must be from 1 to {MAX_STEPS}"));
        }
        Ok(())
    }
}

/// A schedule that violated the property, before and after shrinking.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// Which schedule it was (0-based) and its seed.
    pub schedule: u32,
    pub schedule_seed: u64,
    pub original: Scenario,
    /// The smallest scenario found that still violates it, with a name and a description
    /// saying what it shows.
    pub shrunk: Scenario,
    /// The checker's verdict on the shrunk scenario.
    pub verdict: Verdict,
    pub shrink_runs: u32,
}

/// Where a search is.
#[derive(Clone, Debug)]
enum Phase {
    Searching { next: u32 },
    Shrinking(Box<Shrinking>),
    Done,
}

/// A violation found (in schedule `schedule`), being shrunk.
#[derive(Clone, Debug)]
struct Shrinking {
    schedule: u32,
    original: Scenario,
    shrinker: Shrinker,
}

/// A search in progress: [`Search::work`] advances it one run at a time.
#[derive(Clone, Debug)]
pub struct Search {
    spec: SearchSpec,
    phase: Phase,
    found: Option<Counterexample>,
    runs: u32,
}

impl Search {
    pub fn new(spec: SearchSpec) -> Result<Search, String> {
        spec.check()?;
        Ok(Search { spec, phase: Phase::Searching { next: 0 }, found: None, runs: 0 })
    }

    pub fn spec(&self) -> &SearchSpec {
        &self.spec
    }

    pub fn done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    /// Schedules tried so far.
    pub fn tried(&self) -> u32 {
        match &self.phase {
            Phase::Searching { next } => *next,
            Phase::Shrinking(s) => s.schedule + 1,
            Phase::Done => self.found.as_ref().map_or(self.spec.schedules, |c| c.schedule + 1),
        }
    }

    /// Runs so far (schedules tried and shrinking's candidates).
    pub fn runs(&self) -> u32 {
        self.runs
    }

    /// Whether it is shrinking a violation found.
    pub fn shrinking(&self) -> bool {
        matches!(self.phase, Phase::Shrinking(_))
    }

    /// The counterexample, once found and shrunk.
    pub fn found(&self) -> Option<&Counterexample> {
        self.found.as_ref()
    }

    /// Does one run (a schedule, or a shrinking candidate); false once done.
    pub fn work(&mut self) -> bool {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        self.phase = match phase {
            Phase::Done => Phase::Done,
            Phase::Searching { next } if next >= self.spec.schedules => Phase::Done,
            Phase::Searching { next } => {
                let original = generate(&self.spec, schedule_seed(self.spec.seed, next));
                self.runs += 1;
                match violation(&original, self.spec.property, self.spec.promised_only) {
                    Some(verdict) => Phase::Shrinking(Box::new(Shrinking {
                        schedule: next,
                        shrinker: Shrinker::new(original.clone(), verdict),
                        original,
                    })),
                    None => Phase::Searching { next: next + 1 },
                }
            }
            Phase::Shrinking(mut s) => {
                self.runs += 1;
                if s.shrinker.try_next(self.spec.property, self.spec.promised_only) {
                    Phase::Shrinking(s)
                } else {
                    let Shrinking { schedule, original, shrinker } = *s;
                    self.found = Some(self.counterexample(schedule, original, shrinker));
                    Phase::Done
                }
            }
        };
        !self.done()
    }

    /// Runs the whole search.
    pub fn run(mut self) -> Option<Counterexample> {
        while self.work() {}
        self.found
    }

    fn counterexample(&self, schedule: u32, original: Scenario, s: Shrinker) -> Counterexample {
        let mut shrunk = s.best;
        let v = &s.verdict;
        shrunk.name = Some(format!("Counterexample: {} violated", v.property));
        let promise = match &v.not_promised_because {
            Some(why) => format!("Not promised here: {why}."),
            None => "Dynamo promises it here: this is a bug.".to_string(),
        };
        shrunk.description = Some(format!(
            "Schedule {} of a search (seed {}), shrunk from {} steps to {}. {promise} {}.",
            schedule + 1,
            self.spec.seed,
            original.steps.len(),
            shrunk.steps.len(),
            v.evidence.join("; ")
        ));
        Counterexample {
            schedule,
            schedule_seed: schedule_seed(self.spec.seed, schedule),
            original,
            shrunk,
            verdict: s.verdict,
            shrink_runs: s.runs,
        }
    }
}

/// The seed of the search's `i`-th schedule.
pub fn schedule_seed(seed: u64, i: u32) -> u64 {
    seed.wrapping_mul(1_000_003).wrapping_add(i as u64)
}

/// Runs a scenario and returns the checker's verdict on `property` (any property if `None`)
/// when it was violated — and, if `promised_only`, promised. A scenario that cannot run
/// violates nothing.
pub fn violation(
    scenario: &Scenario,
    property: Option<&str>,
    promised_only: bool,
) -> Option<Verdict> {
    let world = scenario::run_world(scenario).ok()?;
    let verdicts = check::check(&world);
    let counts = |v: &Verdict| !v.held && (v.promised || !promised_only);
    verdicts.into_iter().find(|v| counts(v) && property.is_none_or(|p| v.property == p))
}

/// One random schedule: puts (each of a value of its own, blind or in the context of the
/// client's last read) and gets by three clients on four keys, with the faults allowed,
/// every few milliseconds.
pub fn generate(spec: &SearchSpec, seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut members: Vec<String> = (0..NODES).map(node_name).collect();
    let mut next_node = NODES;
    let mut steps = Vec::new();
    let mut t = 0.0;
    for i in 0..spec.steps {
        t += rng.random_range(0..=15) as f64;
        let node = members[rng.random_range(0..members.len())].clone();
        if let Some(action) = draw(spec, &mut rng, i, &node, &mut members, &mut next_node) {
            steps.push(Step { at_ms: Some(t), after_events: None, op: Op::Act(action) });
        }
    }
    Scenario {
        seed,
        cluster: ClusterSpec {
            nodes: (0..NODES)
                .map(|i| NodeJson { id: node_name(i), capacity: None, tokens: None })
                .collect(),
            n: Some(spec.n),
            r: Some(spec.r),
            w: Some(spec.w),
            tokens_per_node: 2,
            network: Some(NetworkJson {
                latency_ms: Some(Latency::Uniform { min: 1.0, max: 6.0 }),
                drop_rate: None,
            }),
            features: Some(Features {
                sloppy_quorum: Some(spec.sloppy_quorum),
                hinted_handoff: (!spec.hinted_handoff).then_some(false),
                anti_entropy_interval_ms: spec.periodic_anti_entropy.then_some(50.0),
                ..Features::default()
            }),
            reconciliation: spec
                .last_write_wins
                .then_some(scenario::ReconciliationJson::LastWriteWins),
            clock_truncation: Some(spec.clock_truncation),
            ..ClusterSpec::default()
        },
        steps,
        ..Scenario::default()
    }
}

/// Node `i`'s name: A, B, …, Z, then N26, ….
fn node_name(i: usize) -> String {
    match u8::try_from(i) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => format!("N{i}"),
    }
}

/// One step's action (none when the fault drawn is not allowed or not possible).
fn draw(
    spec: &SearchSpec,
    rng: &mut ChaCha8Rng,
    i: u32,
    node: &str,
    members: &mut Vec<String>,
    next_node: &mut usize,
) -> Option<Action> {
    let f = spec.faults;
    let client = format!("c{}", rng.random_range(0..CLIENTS));
    let key = format!("k{}", rng.random_range(0..KEYS));
    let via = Some(node.to_string());
    Some(match rng.random_range(0..100) {
        0..=49 => {
            let context = if rng.random_bool(0.5) { Context::LastRead } else { Context::None };
            Action::Put { client, key, value: format!("v{i}"), via, context }
        }
        50..=64 => Action::Get { client, key, via },
        65..=74 if f.crash => Action::Crash { node: node.into() },
        75..=82 if f.crash => Action::Recover { node: node.into() },
        83..=86 if f.wipe => Action::Wipe { node: node.into() },
        87..=90 if f.partition => {
            let cut: Vec<String> =
                members.iter().filter(|_| rng.random_bool(0.4)).cloned().collect();
            if cut.is_empty() || cut.len() == members.len() {
                return None;
            }
            Action::Partition { groups: vec![cut] }
        }
        91..=93 if f.partition => Action::Heal {},
        94..=95 if f.link => {
            let other = members[rng.random_range(0..members.len())].clone();
            let drop_rate = [0.5, 1.0, 0.0][rng.random_range(0..3)];
            Action::Link { a: node.into(), b: other, drop_rate, extra_delay_ms: 0.0 }
        }
        96..=97 if f.membership && members.len() < NODES + 2 => {
            let name = node_name(*next_node);
            *next_node += 1;
            members.push(name.clone());
            Action::Join { node: name, via: None, capacity: None, tokens: None, seeds: None }
        }
        98..=99 if f.membership && members.len() > spec.n.max(2) => {
            members.retain(|m| m != node);
            Action::Leave { node: node.into() }
        }
        _ => return None,
    })
}

/// Greedy shrinking: try the candidates of [`candidate`] in turn; keep any that still
/// violates the property and go on from the same place; stop after a whole pass keeps
/// none (or at [`MAX_SHRINK_RUNS`]).
#[derive(Clone, Debug)]
struct Shrinker {
    best: Scenario,
    verdict: Verdict,
    /// The next candidate's index, and whether this pass kept one.
    next: usize,
    kept_this_pass: bool,
    runs: u32,
}

impl Shrinker {
    fn new(best: Scenario, verdict: Verdict) -> Shrinker {
        Shrinker { best, verdict, next: 0, kept_this_pass: false, runs: 0 }
    }

    /// Tries the next candidate (one run); false once nothing smaller can be found.
    fn try_next(&mut self, property: Option<&str>, promised_only: bool) -> bool {
        if self.runs >= MAX_SHRINK_RUNS {
            return false;
        }
        loop {
            match candidate(&self.best, self.next) {
                Candidate::End if self.kept_this_pass => {
                    (self.next, self.kept_this_pass) = (0, false);
                }
                Candidate::End => return false,
                Candidate::Skip => self.next += 1,
                Candidate::Try(smaller) => {
                    self.runs += 1;
                    // The same property (not just any) must still be violated.
                    let property = property.or(Some(self.verdict.property));
                    match violation(&smaller, property, promised_only) {
                        Some(verdict) => {
                            (self.best, self.verdict, self.kept_this_pass) =
                                (*smaller, verdict, true);
                        }
                        None => self.next += 1,
                    }
                    return true;
                }
            }
        }
    }
}

/// A shrinking candidate.
enum Candidate {
    Try(Box<Scenario>),
    /// This index changes nothing here (go on to the next).
    Skip,
    /// No more candidates.
    End,
}

/// The `i`-th smaller variant of `s`: first without a run of steps (halves, quarters, …,
/// single steps), then each step moved to the time of the one before it, then without
/// each node that no step names (while more than N remain).
fn candidate(s: &Scenario, mut i: usize) -> Candidate {
    let len = s.steps.len();
    let halving = std::iter::successors(Some((len / 2).max(1)), |&c| (c > 1).then_some(c / 2));
    for chunk in halving.filter(|_| len > 0) {
        let count = len.div_ceil(chunk);
        if i < count {
            let mut smaller = s.clone();
            smaller.steps.drain(i * chunk..((i + 1) * chunk).min(len));
            return Candidate::Try(Box::new(smaller));
        }
        i -= count;
    }
    if i < len {
        let before = if i == 0 { Some(0.0) } else { s.steps[i - 1].at_ms };
        return match (before, s.steps[i].at_ms) {
            (Some(b), Some(at)) if b < at => {
                let mut sooner = s.clone();
                sooner.steps[i].at_ms = Some(b);
                Candidate::Try(Box::new(sooner))
            }
            _ => Candidate::Skip,
        };
    }
    i -= len;
    let nodes = &s.cluster.nodes;
    if i < nodes.len() {
        let name = &nodes[i].id;
        let named = s.steps.iter().any(|step| step_names(step, name));
        if named || nodes.len() <= s.cluster.n.unwrap_or(3).max(2) {
            return Candidate::Skip;
        }
        let mut fewer = s.clone();
        fewer.cluster.nodes.remove(i);
        return Candidate::Try(Box::new(fewer));
    }
    Candidate::End
}

/// Whether a step names a node.
fn step_names(step: &Step, name: &str) -> bool {
    let Op::Act(action) = &step.op else { return false };
    match action {
        Action::Put { via, .. } | Action::Get { via, .. } | Action::Reconcile { via, .. } => {
            via.as_deref() == Some(name)
        }
        Action::Crash { node } | Action::Recover { node } | Action::Wipe { node } => node == name,
        Action::Leave { node } => node == name,
        Action::Join { node, via, .. } => node == name || via.as_deref() == Some(name),
        Action::Partition { groups } => groups.iter().flatten().any(|n| n == name),
        Action::Link { a, b, .. } => a == name || b == name,
        Action::Heal {} | Action::Network { .. } | Action::AntiEntropy {} | Action::Load { .. } => {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(faults: &str, w: usize) -> SearchSpec {
        SearchSpec {
            faults: Faults::parse(faults).unwrap(),
            w,
            r: 1,
            schedules: 300,
            ..SearchSpec::default()
        }
    }

    #[test]
    fn w1_with_wipes_loses_a_write_and_the_shrunk_schedule_is_short_and_still_loses_it() {
        let found = Search::new(spec("wipe", 1)).unwrap().run().expect("a lost write");
        assert_eq!(found.verdict.property, "no acknowledged write lost");
        assert!(!found.verdict.held && !found.verdict.promised);
        assert!(found.shrunk.steps.len() < found.original.steps.len());
        assert!(found.shrunk.steps.len() <= 6, "{:#?}", found.shrunk.steps);
        // The saved file says the same when run again, from its JSON.
        let again = Scenario::from_json(&found.shrunk.to_json()).unwrap();
        let verdict = violation(&again, Some("no acknowledged write lost"), false).unwrap();
        assert_eq!(verdict, found.verdict);
    }

    #[test]
    fn without_faults_a_strict_majority_quorum_violates_nothing() {
        let spec = SearchSpec {
            r: 2,
            w: 2,
            sloppy_quorum: false,
            faults: Faults::parse("none").unwrap(),
            property: None,
            schedules: 40,
            ..SearchSpec::default()
        };
        let mut search = Search::new(spec).unwrap();
        while search.work() {}
        assert!(search.found().is_none());
        assert_eq!((search.tried(), search.runs()), (40, 40));
    }

    #[test]
    fn the_same_seed_finds_the_same_counterexample() {
        let a = Search::new(spec("wipe", 1)).unwrap().run().unwrap();
        let b = Search::new(spec("wipe", 1)).unwrap().run().unwrap();
        assert_eq!((a.schedule, a.shrunk), (b.schedule, b.shrunk));
    }

    #[test]
    fn bad_specs_are_refused_before_any_work() {
        for bad in [
            SearchSpec { w: 4, ..SearchSpec::default() },
            SearchSpec { n: 6, ..SearchSpec::default() },
            SearchSpec { schedules: 0, ..SearchSpec::default() },
            SearchSpec { steps: MAX_STEPS + 1, ..SearchSpec::default() },
        ] {
            assert!(Search::new(bad).is_err());
        }
        assert!(Faults::parse("crash,flood").unwrap_err().contains("flood"));
    }

    #[test]
    fn candidates_remove_halves_then_single_steps_then_move_steps_sooner() {
        let s = generate(&SearchSpec { steps: 8, ..SearchSpec::default() }, 3);
        let len = s.steps.len();
        let Candidate::Try(first) = candidate(&s, 0) else { panic!("a first candidate") };
        assert_eq!(first.steps.len(), len - len / 2);
        let mut tries = 0;
        let mut i = 0;
        loop {
            match candidate(&s, i) {
                Candidate::End => break,
                Candidate::Try(c) => {
                    tries += 1;
                    assert!(*c != s && c.steps.len() <= len);
                }
                Candidate::Skip => {}
            }
            i += 1;
        }
        assert!(tries >= len, "at least one removal per step");
    }
}
