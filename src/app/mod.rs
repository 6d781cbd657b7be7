//! What the page holds and how it reacts, with no web dependencies (so it is tested
//! natively): a [`Session`] to drive, the play state, the forms and their error messages,
//! the selection and the log's filter. The Yew components in `ui` draw a [`Playground`]
//! and turn clicks and keystrokes into [`Cmd`]s; [`Playground::update`] does the rest.
//! There is no protocol logic here either: every action goes to the simulator.

pub mod chart;
pub mod describe;
pub mod examples;
pub mod export;
pub mod glossary;
pub mod labs;
pub mod lesson;
pub mod lessons;
pub mod link;
pub mod merkle;
pub mod palette;
mod scenarios;
pub mod spacetime;
pub mod steps;
pub mod versions;

use crate::core::config::{Config, ConfigError};
use crate::core::{NodeId, Time, MS};
use crate::sim::limits;
use crate::sim::network::Latency;
use crate::sim::scenario::{
    Action, ClusterSpec, Context, Features, LoadJson, NodeJson, ReconciliationJson, Scenario,
};
use crate::sim::session::{BranchInfo, Session, SessionSpec};
use crate::sim::strategies::Compared;
use describe::ms;
use std::collections::BTreeSet;
use std::rc::Rc;

/// Most events handled per animation frame, so the page never freezes.
pub const EVENTS_PER_FRAME: u64 = 20_000;

/// Most events one press of "Event" (→) handles while looking for one the log shows.
pub const STEP_LIMIT: u32 = 10_000;

/// Speeds offered, in virtual milliseconds per real second.
pub const SPEEDS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 200.0, 1000.0];

/// The default speed: a message of a few virtual milliseconds takes about a second.
pub const DEFAULT_SPEED: f64 = 5.0;

/// Most client cards the page shows at once.
pub const MAX_CLIENTS: usize = 8;

/// The names new clients get, in turn (the cast of security papers).
const CLIENT_NAMES: [&str; 8] =
    ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];

/// Most nodes the page offers (the frame budget is measured up to 128).
pub const MAX_NODES: usize = 256;

/// Error messages by field: each is shown next to its field (the id is the field's class
/// on the page, e.g. `"r"` or `"link-drop"`).
pub type FieldErrors = Vec<(&'static str, String)>;

/// The message for field `id`, if any.
pub fn error_for<'e>(errors: &'e FieldErrors, id: &str) -> Option<&'e str> {
    errors.iter().find(|(f, _)| *f == id).map(|(_, e)| e.as_str())
}

/// What the inspector shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Selected {
    Node(NodeId),
    /// A message, with its contents as they were when clicked (it may arrive meanwhile).
    Message {
        id: u64,
        rows: Vec<(String, String)>,
    },
    /// The version history of a key (§4.4, Figure 3): [`versions::history`].
    Versions(String),
    /// The space-time diagram of the latest `span` of virtual time: [`spacetime::recent`].
    SpaceTime {
        span: Time,
        filter: spacetime::Filter,
    },
    /// Two replicas' Merkle trees of one range, compared (§4.7): [`merkle::exchange`].
    Merkle(merkle::Pick),
    /// The three partitioning strategies on the cluster's nodes (§6.2), worked out once
    /// when shown: [`crate::sim::strategies::compare`].
    Strategies(Rc<Result<[Compared; 3], String>>),
}

/// The spans the space-time diagram offers, in virtual milliseconds.
pub const SPACETIME_SPANS: [u64; 4] = [20, 100, 500, 2_000];

/// A client of the clients panel: it sends gets and puts through a chosen node and
/// carries the context of its last read into its next put (§4.1).
#[derive(Clone, Debug, PartialEq)]
pub struct ClientForm {
    pub name: String,
    pub via: NodeId,
    pub key: String,
    pub value: String,
    pub error: Option<String>,
}

/// The fault-injection forms (texts as typed).
#[derive(Clone, Debug, PartialEq)]
pub struct FaultForm {
    /// Nodes picked to be cut off from the rest by a partition.
    pub cut: BTreeSet<NodeId>,
    pub link_a: String,
    pub link_b: String,
    pub link_drop_percent: String,
    pub link_delay_ms: String,
    /// "fixed", "uniform" or "exponential".
    pub latency_kind: String,
    /// Fixed: ms; uniform: min; exponential: mean.
    pub latency_a: String,
    /// Uniform: max.
    pub latency_b: String,
    pub drop_percent: String,
    pub partition_error: Option<String>,
    pub link_errors: FieldErrors,
    pub network_errors: FieldErrors,
    pub node_error: Option<String>,
}

/// The cluster settings form: applying it starts a new run.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsForm {
    pub nodes: String,
    pub n: String,
    pub r: String,
    pub w: String,
    pub seed: String,
    pub sloppy_quorum: bool,
    pub hinted_handoff: bool,
    pub read_repair: bool,
    pub last_write_wins: bool,
    /// Periodic anti-entropy interval in ms; empty: only on demand.
    pub anti_entropy_ms: String,
    /// How long a coordinator waits for a replica before suspecting it, in ms (§4.8.3);
    /// empty: derived from the network's latency.
    pub replica_timeout_ms: String,
    pub load: bool,
    pub errors: FieldErrors,
}

impl Default for SettingsForm {
    fn default() -> Self {
        SettingsForm {
            nodes: "5".into(),
            n: "3".into(),
            r: "2".into(),
            w: "2".into(),
            seed: "1".into(),
            sloppy_quorum: true,
            hinted_handoff: true,
            read_repair: true,
            last_write_wins: false,
            anti_entropy_ms: String::new(),
            replica_timeout_ms: String::new(),
            load: false,
            errors: Vec::new(),
        }
    }
}

/// Fields of a client form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientField {
    Via,
    Key,
    Value,
}

/// Fields of the fault forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultField {
    LinkA,
    LinkB,
    LinkDrop,
    LinkDelay,
    LatencyKind,
    LatencyA,
    LatencyB,
    Drop,
}

/// Text fields of the settings form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsField {
    Nodes,
    N,
    R,
    W,
    Seed,
    AntiEntropy,
    ReplicaTimeout,
}

/// Switches of the settings form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    SloppyQuorum,
    HintedHandoff,
    ReadRepair,
    LastWriteWins,
    Load,
}

/// The keys of the page (see [`Playground::key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Space: play or pause; presenting a lesson, the next beat.
    Space,
    /// →: one event; presenting a lesson, the next beat.
    Right,
    /// ←: presenting a lesson, the previous beat.
    Left,
    /// n or PageDown: the next step (in a lesson, beat); p or PageUp: the previous one.
    Next,
    Previous,
}

/// Everything the user can do on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    /// An animation frame: this many real milliseconds passed.
    Tick(f64),
    TogglePlay,
    Step,
    Speed(f64),
    /// Go to this virtual time (the scrubber).
    Seek(Time),
    /// Go over to another branch of the run, at the same virtual time (as far as it went).
    SwitchBranch(usize),
    SelectNode(NodeId),
    SelectMessage(u64),
    /// Shows a key's version history in the inspector.
    ShowVersions(String),
    /// Shows the space-time diagram of the latest this many virtual milliseconds.
    ShowSpaceTime(u64),
    /// Filters the space-time diagram: a request's story, a kind of message, a node.
    FilterSpaceTime(spacetime::Filter),
    /// Presenter mode on or off.
    Present(bool),
    /// A key pressed anywhere but in a field: what it does depends on the mode.
    Key(Key),
    /// The lesson's next beat, its previous one; back to its script after leaving it;
    /// closing it (the run stays).
    NextBeat,
    PreviousBeat,
    BackToLesson,
    CloseLesson,
    /// The learner's prediction for the beat's question; ticking a node for it, typing a
    /// number, and answering with those.
    Answer(lesson::Answer),
    PickNode(String),
    TypeAnswer(String),
    CheckAnswer,
    /// Goes to the moment a version travelled (its put's message, or the client's answer)
    /// and selects the message: [`versions::carrier`].
    ShowCarrier(crate::core::message::OpId),
    /// Shows two replicas' Merkle trees compared (or follows anti-entropy).
    ShowMerkle(merkle::Pick),
    /// Shows the three partitioning strategies side by side (§6.2).
    ShowStrategies,
    /// Opens or closes the Labs area.
    OpenLabs,
    CloseLabs,
    ChooseLab(labs::LabKind),
    /// A lab form's field (by its id, e.g. `"lab-n"`) typed.
    LabField(&'static str, String),
    /// A lab form's box ticked or not, by its id.
    LabCheck(&'static str, bool),
    /// Opens the counterexample found as the run on screen, the checker's account above it.
    OpenCounterexample,
    CloseCheckerNote,
    RunLab,
    CancelLab,
    /// Downloads the lab on screen's results as CSV.
    ExportLabCsv,
    CloseInspector,
    Crash(NodeId),
    Recover(NodeId),
    Wipe(NodeId),
    Leave(NodeId),
    /// A node that left joins the ring again.
    Rejoin(NodeId),
    AddNode,
    AntiEntropy,
    ToggleLoad,
    Lookup(String),
    ClientField(usize, ClientField, String),
    ClientGet(usize),
    ClientPut(usize),
    ClientReconcile(usize),
    AddClient,
    /// Takes a client's card away (what it did stays in the run).
    RemoveClient(usize),
    ToggleCut(NodeId),
    Partition,
    Heal,
    /// Takes every link fault away (a link back to no drops and no extra delay).
    ClearLinks,
    FaultField(FaultField, String),
    ApplyLink,
    ApplyNetwork,
    SettingsField(SettingsField, String),
    Toggle(Switch),
    ApplySettings,
    LogFilter(describe::LogFilter),
    LogText(String),
    LargeText(bool),
    /// Shows or hides the help overlay (keys, words, messages); None: toggles it.
    Help(Option<bool>),
    /// Offers the run's trace up to now as a JSON Lines file ([`export::trace_jsonl`]).
    ExportTrace,
    /// Opens a scenario file's text: a new run from its seed.
    OpenScenario(String),
    /// Opens a file picked or dropped: its name (for messages) and its text.
    OpenFile(String, String),
    /// Offers the run as a scenario file: settings, seed, every step at its moment, and
    /// the moment on screen.
    SaveScenario,
    /// Makes a link to the moment on screen ([`Playground::share`]).
    ShareLink,
    /// Runs the next step, then until its messages settle (or [`steps::STEP_WINDOW`]).
    NextStep,
    /// Goes back to just before the latest step taken.
    PreviousStep,
    /// Goes to just before step `i` of the step list.
    GoToStep(usize),
    /// A file the page could not take (too large, unreadable): the message says why.
    FileRefused(String),
    /// Hides the share link.
    CloseShare,
    /// From the compact page: the run at this moment in the whole page (a new tab).
    OpenFullPage,
}

/// The page's state.
pub struct Playground {
    pub session: Session,
    pub playing: bool,
    /// Virtual milliseconds per real second.
    pub speed: f64,
    /// Virtual time owed from earlier frames that hit the event budget.
    behind: Time,
    /// Where the scrubber asked to go, while the replay is still on its way there.
    pub seeking: Option<Time>,
    /// The lesson being followed, if the opened file is one.
    pub lesson: Option<lesson::LessonState>,
    /// A message to select once the replay has reached the moment it was sent.
    select_on_arrival: Option<u64>,
    pub selected: Option<Selected>,
    /// The key typed in the lookup: its position and preference list are drawn.
    pub lookup: String,
    pub clients: Vec<ClientForm>,
    pub faults: FaultForm,
    pub settings: SettingsForm,
    /// The settings of the run on screen (the form may hold edits not applied yet).
    pub applied: SettingsForm,
    pub log_filter: describe::LogFilter,
    pub log_text: String,
    pub large_text: bool,
    /// Presenter mode: the ring and the view fill the screen, the beat's words a caption;
    /// → and Space go to the next beat, ← to the previous one.
    pub presenting: bool,
    /// Whether the help overlay is open.
    pub help: bool,
    /// A file for the page to offer the user: (name, contents). The page takes it.
    pub download: Option<(String, String)>,
    /// The Labs area, when open (it takes the place of the ring and the panels).
    pub labs: Option<labs::LabsState>,
    /// A message about the page as a whole (e.g. a bad URL was ignored).
    pub notice: Option<String>,
    /// The checker's account of the counterexample on screen (opened from the search).
    pub checker_note: Option<Vec<String>>,
    /// The run's settings as a scenario with no steps: what "Save as scenario" writes
    /// before the steps (an opened file keeps its name and description).
    pub header: Scenario,
    /// Where "next step", "previous step" or the step list is taking the run, while it is
    /// on its way (in slices, one per frame).
    pub goal: Option<steps::Goal>,
    /// The message next to the scenario controls (open, examples, save, link, steps).
    pub scenario_message: Option<String>,
    /// The link made by "Share link" (its fragment; the page adds its own address).
    pub share: Option<String>,
    /// The compact page, for an iframe (a link with `&embed`).
    pub embed: bool,
    /// A link (its fragment) for the page to open in a new tab, as the whole playground.
    pub open_full_page: Option<String>,
}

/// The administrator's join of a node with the usual capacity and tokens drawn.
fn join(node: String) -> Action {
    Action::Join { node, via: None, capacity: None, tokens: None, seeds: None }
}

/// Node names: A … Z, then A1 … Z1, A2 …
pub fn node_name(index: usize) -> String {
    let letter = char::from(b'A' + (index % 26) as u8);
    match index / 26 {
        0 => letter.to_string(),
        round => format!("{letter}{round}"),
    }
}

/// Parses a whole number in `lo..=hi`, or says what is wrong with `field`.
fn parse_count(field: &str, text: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{field} must be a whole number (got {:?})", text.trim()))?;
    if value < lo || value > hi {
        return Err(format!("{field} must be between {lo} and {hi} (got {value})"));
    }
    Ok(value)
}

/// `value` if it is at least `lo`, or what is wrong with `field`.
fn at_least(field: &str, value: f64, lo: f64) -> Result<f64, String> {
    if value < lo {
        return Err(format!("{field} must be at least {lo} ms (got {value})"));
    }
    Ok(value)
}

/// Parses a non-negative number of at most `hi`, or says what is wrong with `field`.
fn parse_number(field: &str, text: &str, hi: f64) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{field} must be a number (got {:?})", text.trim()))?;
    if !value.is_finite() || value < 0.0 || value > hi {
        return Err(format!("{field} must be between 0 and {hi} (got {value})"));
    }
    Ok(value)
}

impl SettingsForm {
    /// The run these settings describe, or why they are impossible, field by field.
    pub fn check(&self) -> Result<SessionSpec, FieldErrors> {
        let scenario = self.scenario()?;
        scenario.session_spec(true).map_err(|e| vec![("nodes", e)])
    }

    /// The run these settings describe as a scenario with no steps yet (what "Save as
    /// scenario" writes before the steps), or why they are impossible, field by field.
    pub fn scenario(&self) -> Result<Scenario, FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        let mut count = |id: &'static str, label: &str, text: &str, lo: u64, hi: u64| {
            parse_count(label, text, lo, hi).map_err(|e| errors.push((id, e))).ok()
        };
        let nodes = count("nodes", "nodes", &self.nodes, 1, MAX_NODES as u64);
        let n = count("n", "N", &self.n, 1, 16);
        let r = count("r", "R", &self.r, 1, 16);
        let w = count("w", "W", &self.w, 1, 16);
        let seed = count("seed", "seed", &self.seed, 0, u64::MAX);
        let anti_entropy_ms = match self.anti_entropy_ms.trim() {
            "" | "off" => None,
            text => parse_number("anti-entropy interval", text, 60_000.0)
                .and_then(|ms| at_least("anti-entropy interval", ms, limits::MIN_PERIOD_MS))
                .map_err(|e| errors.push(("anti-entropy-ms", e)))
                .ok(),
        };
        let replica_timeout_ms = match self.replica_timeout_ms.trim() {
            "" | "auto" => None,
            text => parse_number("replica timeout", text, limits::MAX_TIMEOUT_MS)
                .and_then(|ms| at_least("replica timeout", ms, limits::MIN_TIMEOUT_MS))
                .map_err(|e| errors.push(("replica-timeout-ms", e)))
                .ok(),
        };
        // The quorum rules are the core's (§4.5), each problem next to its field; a field
        // that did not parse stands in with a value that breaks no rule.
        let quorum = Config {
            n: n.unwrap_or(1) as usize,
            r: r.unwrap_or(1) as usize,
            w: w.unwrap_or(1) as usize,
            ..Config::default()
        };
        let problems = quorum.problems(nodes.map_or(usize::MAX, |n| n as usize));
        let against_n = |e: &ConfigError| n.is_some() || !matches!(e.field, "r" | "w");
        errors.extend(problems.into_iter().filter(against_n).map(|e| (e.field, e.message)));
        let (Some(nodes), Some(n), Some(r), Some(w), Some(seed)) = (nodes, n, r, w, seed) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let nodes = nodes as usize;
        let features = Features {
            sloppy_quorum: Some(self.sloppy_quorum),
            hinted_handoff: Some(self.hinted_handoff),
            read_repair: Some(self.read_repair),
            anti_entropy_interval_ms: anti_entropy_ms,
        };
        let cluster = ClusterSpec {
            nodes: (0..nodes).map(|i| NodeJson::named(&node_name(i))).collect(),
            n: Some(n as usize),
            r: Some(r as usize),
            w: Some(w as usize),
            tokens_per_node: if nodes <= 8 { 4 } else { 8 },
            features: Some(features),
            reconciliation: self.last_write_wins.then_some(ReconciliationJson::LastWriteWins),
            replica_timeout_ms,
            ..ClusterSpec::default()
        };
        // About one client operation every 10 ms per 5 nodes: busy, yet followable.
        let interval = (10 * MS * 5 / nodes.max(1) as Time).max(MS / 2);
        let load = LoadJson {
            on: self.load,
            interval_ms: Some(interval as f64 / MS as f64),
            ..LoadJson::default()
        };
        Ok(Scenario { seed, cluster, load: Some(load), ..Scenario::default() })
    }

    /// The run these settings describe, or every reason why not, in one message.
    pub fn spec(&self) -> Result<SessionSpec, String> {
        self.check()
            .map_err(|errors| errors.into_iter().map(|(_, e)| e).collect::<Vec<_>>().join("; "))
    }

    /// The settings as a URL query (`?seed=1&nodes=5&n=3&r=2&w=2`), to share a run.
    pub fn query(&self) -> String {
        let mut q = format!(
            "?seed={}&nodes={}&n={}&r={}&w={}",
            self.seed.trim(),
            self.nodes.trim(),
            self.n.trim(),
            self.r.trim(),
            self.w.trim()
        );
        for (name, on, default) in [
            ("sloppy", self.sloppy_quorum, true),
            ("handoff", self.hinted_handoff, true),
            ("repair", self.read_repair, true),
            ("lww", self.last_write_wins, false),
            ("load", self.load, false),
        ] {
            if on != default {
                q.push_str(&format!("&{name}={}", if on { "on" } else { "off" }));
            }
        }
        if !self.anti_entropy_ms.trim().is_empty() {
            q.push_str(&format!("&ae={}", self.anti_entropy_ms.trim()));
        }
        if !self.replica_timeout_ms.trim().is_empty() {
            q.push_str(&format!("&rt={}", self.replica_timeout_ms.trim()));
        }
        q
    }

    /// Settings from a URL query; unknown or malformed parameters are an error.
    pub fn from_query(query: &str) -> Result<SettingsForm, String> {
        let mut form = SettingsForm::default();
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let switch = |v: &str| match v {
                "on" | "1" | "true" => Ok(true),
                "off" | "0" | "false" => Ok(false),
                _ => Err(format!("{name} must be on or off (got {v:?})")),
            };
            match name {
                "seed" => form.seed = value.into(),
                "nodes" => form.nodes = value.into(),
                "n" => form.n = value.into(),
                "r" => form.r = value.into(),
                "w" => form.w = value.into(),
                "ae" => form.anti_entropy_ms = value.into(),
                "rt" => form.replica_timeout_ms = value.into(),
                "sloppy" => form.sloppy_quorum = switch(value)?,
                "handoff" => form.hinted_handoff = switch(value)?,
                "repair" => form.read_repair = switch(value)?,
                "lww" => form.last_write_wins = switch(value)?,
                "load" => form.load = switch(value)?,
                _ => return Err(format!("unknown URL parameter {name:?}")),
            }
        }
        form.spec()?;
        Ok(form)
    }
}

impl Default for FaultForm {
    fn default() -> Self {
        FaultForm {
            cut: BTreeSet::new(),
            link_a: "A".into(),
            link_b: "B".into(),
            link_drop_percent: "50".into(),
            link_delay_ms: "0".into(),
            latency_kind: "uniform".into(),
            latency_a: "1".into(),
            latency_b: "5".into(),
            drop_percent: "0".into(),
            partition_error: None,
            link_errors: Vec::new(),
            network_errors: Vec::new(),
            node_error: None,
        }
    }
}

impl Playground {
    /// The page as first opened: five nodes, (N, R, W) = (3, 2, 2), quiet until the user
    /// acts or starts the background load.
    pub fn new() -> Playground {
        Playground::with_settings(SettingsForm::default()).expect("the default settings are valid")
    }

    /// The page for a URL query such as `?seed=4&nodes=16`; a bad query is reported and
    /// the defaults are used.
    pub fn from_query(query: &str) -> Playground {
        match SettingsForm::from_query(query) {
            Ok(form) => Playground::with_settings(form).expect("checked by from_query"),
            Err(e) => Playground {
                notice: Some(format!("The link's settings were ignored: {e}")),
                ..Playground::new()
            },
        }
    }

    fn with_settings(settings: SettingsForm) -> Result<Playground, String> {
        let header = settings
            .scenario()
            .map_err(|errors| errors.into_iter().map(|(_, e)| e).collect::<Vec<_>>().join("; "))?;
        let session = Session::new(header.session_spec(true)?)?;
        let clients = ["alice", "bob"].iter().map(|name| ClientForm::new(name, &session)).collect();
        Ok(Playground {
            session,
            playing: false,
            speed: DEFAULT_SPEED,
            behind: 0,
            seeking: None,
            lesson: None,
            select_on_arrival: None,
            selected: None,
            lookup: String::new(),
            clients,
            faults: FaultForm::default(),
            applied: settings.clone(),
            settings,
            log_filter: describe::LogFilter::All,
            log_text: String::new(),
            large_text: false,
            presenting: false,
            help: false,
            download: None,
            labs: None,
            notice: None,
            checker_note: None,
            header,
            goal: None,
            scenario_message: None,
            share: None,
            embed: false,
            open_full_page: None,
        })
    }

    /// Reacts to one thing the user (or the animation frame) did.
    pub fn update(&mut self, cmd: Cmd) {
        let taken = self.session.next_input();
        self.react(cmd);
        if self.session.next_input() != taken {
            self.follow_steps();
        }
        self.show_beat();
    }

    fn react(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Tick(elapsed_ms) => self.tick(elapsed_ms),
            Cmd::TogglePlay => self.playing = !self.playing,
            Cmd::Step => self.step(),
            Cmd::Speed(speed) if SPEEDS.contains(&speed) => self.speed = speed,
            Cmd::Speed(_) => {}
            Cmd::Seek(t) => self.seek(t),
            Cmd::SwitchBranch(number) => self.switch_branch(number),
            Cmd::SelectNode(node) => self.selected = Some(Selected::Node(node)),
            Cmd::ShowVersions(key) if !key.trim().is_empty() => {
                self.selected = Some(Selected::Versions(key.trim().to_string()))
            }
            Cmd::ShowVersions(_) => {}
            Cmd::ShowSpaceTime(ms) if SPACETIME_SPANS.contains(&ms) => {
                let filter = match self.selected {
                    Some(Selected::SpaceTime { filter, .. }) => filter,
                    _ => spacetime::Filter::default(),
                };
                self.selected = Some(Selected::SpaceTime { span: ms * MS, filter })
            }
            Cmd::FilterSpaceTime(filter) => {
                if let Some(Selected::SpaceTime { span, .. }) = self.selected {
                    self.selected = Some(Selected::SpaceTime { span, filter });
                }
            }
            Cmd::ShowSpaceTime(_) => {}
            Cmd::ShowMerkle(pick) => self.selected = Some(Selected::Merkle(pick)),
            Cmd::ShowStrategies => self.selected = Some(self.strategies()),
            Cmd::OpenLabs => {
                self.playing = false;
                self.labs.get_or_insert_with(labs::LabsState::default);
            }
            Cmd::CloseLabs => {
                if let Some(labs) = self.labs.as_mut() {
                    labs.cancel();
                }
                self.labs = None;
            }
            Cmd::ChooseLab(kind) => {
                if let Some(labs) = self.labs.as_mut().filter(|l| !l.is_running()) {
                    labs.kind = kind;
                    labs.errors.clear();
                }
            }
            Cmd::LabField(id, value) => {
                if let Some(labs) = self.labs.as_mut() {
                    labs::set_field(labs, id, value);
                }
            }
            Cmd::LabCheck(id, on) => {
                if let Some(labs) = self.labs.as_mut() {
                    labs::set_check(labs, id, on);
                }
            }
            Cmd::OpenCounterexample => {
                let Some(labs) = self.labs.as_ref() else { return };
                let Some((_, text)) = labs::counterexample_file(labs) else { return };
                let note = labs.search.as_ref().map(labs::counterexample_note);
                self.open_scenario(&text, "The counterexample");
                self.checker_note = note;
            }
            Cmd::CloseCheckerNote => self.checker_note = None,
            Cmd::RunLab => {
                if let Some(labs) = self.labs.as_mut().filter(|l| !l.is_running()) {
                    labs.start();
                }
            }
            Cmd::CancelLab => {
                if let Some(labs) = self.labs.as_mut() {
                    labs.cancel();
                }
            }
            Cmd::ExportLabCsv => self.download = self.labs.as_ref().and_then(labs::csv),
            Cmd::ShowCarrier(op) => {
                if let Some((at, msg)) = versions::carrier(self.session.world(), op) {
                    self.seek(at);
                    self.select_on_arrival = msg;
                    self.select_pending();
                }
            }
            Cmd::SelectMessage(id) => self.select_message(id),
            Cmd::CloseInspector => self.selected = None,
            Cmd::Crash(node) => self.node_action(Action::Crash { node: self.name_of(node) }),
            Cmd::Recover(node) => self.node_action(Action::Recover { node: self.name_of(node) }),
            Cmd::Wipe(node) => self.node_action(Action::Wipe { node: self.name_of(node) }),
            Cmd::Leave(node) => self.node_action(Action::Leave { node: self.name_of(node) }),
            Cmd::Rejoin(node) => self.node_action(join(self.name_of(node))),
            Cmd::AddNode => {
                let world = self.session.world();
                let name = (0..)
                    .map(node_name)
                    .find(|name| world.node_id(name).is_none())
                    .expect("names never run out");
                self.node_action(join(name));
            }
            Cmd::AntiEntropy => self.node_action(Action::AntiEntropy {}),
            Cmd::ToggleLoad => {
                let on = !self.session.load_on();
                self.node_action(Action::Load { on });
            }
            Cmd::Lookup(key) => self.lookup = key,
            Cmd::ClientField(i, field, text) => self.client_field(i, field, text),
            Cmd::ClientGet(i) => self.client_request(i, |c, via| Action::Get {
                client: c.name.clone(),
                key: c.key.clone(),
                via,
            }),
            Cmd::ClientPut(i) => self.client_request(i, |c, via| Action::Put {
                client: c.name.clone(),
                key: c.key.clone(),
                value: c.value.clone(),
                via,
                context: Context::LastRead,
            }),
            Cmd::ClientReconcile(i) => self.client_request(i, |c, via| Action::Reconcile {
                client: c.name.clone(),
                key: c.key.clone(),
                via,
            }),
            Cmd::AddClient => self.add_client(),
            Cmd::RemoveClient(i) => {
                if i < self.clients.len() {
                    self.clients.remove(i);
                }
            }
            Cmd::ToggleCut(node) => {
                if !self.faults.cut.remove(&node) {
                    self.faults.cut.insert(node);
                }
            }
            Cmd::Partition => self.partition(),
            Cmd::Heal => self.heal(),
            Cmd::ClearLinks => self.clear_links(),
            Cmd::FaultField(field, text) => self.fault_field(field, text),
            Cmd::ApplyLink => {
                self.faults.link_errors = self
                    .link_action()
                    .and_then(|a| self.act(a).map_err(|e| vec![("link-b", e)]))
                    .err()
                    .unwrap_or_default()
            }
            Cmd::ApplyNetwork => {
                self.faults.network_errors = self
                    .network_action()
                    .and_then(|a| self.act(a).map_err(|e| vec![("drop", e)]))
                    .err()
                    .unwrap_or_default()
            }
            Cmd::SettingsField(field, text) => self.settings_field(field, text),
            Cmd::Toggle(switch) => self.toggle(switch),
            Cmd::ApplySettings => self.apply_settings(),
            Cmd::LogFilter(filter) => self.log_filter = filter,
            Cmd::LogText(text) => self.log_text = text,
            Cmd::LargeText(on) => self.large_text = on,
            Cmd::Present(on) => self.presenting = on,
            Cmd::Key(key) => self.key(key),
            Cmd::Help(show) => self.help = show.unwrap_or(!self.help),
            Cmd::ExportTrace => {
                let world = self.session.world();
                let name = format!("dynamo-trace-seed{}-{}us.jsonl", world.seed(), world.now());
                self.download = Some((name, export::trace_jsonl(world)));
            }
            Cmd::OpenScenario(text) => self.open_scenario(&text, "The scenario"),
            Cmd::OpenFile(name, text) => self.open_scenario(&text, &name),
            Cmd::NextBeat => self.next_beat(),
            Cmd::PreviousBeat => self.previous_beat(),
            Cmd::BackToLesson => self.back_to_lesson(),
            Cmd::CloseLesson => self.lesson = None,
            Cmd::Answer(answer) => self.answer(answer),
            Cmd::PickNode(name) => self.pick_node(name),
            Cmd::TypeAnswer(text) => {
                if let Some(state) = self.lesson.as_mut() {
                    state.typed = text;
                }
            }
            Cmd::CheckAnswer => self.check_answer(),
            Cmd::SaveScenario => self.save_scenario(),
            Cmd::ShareLink => self.share_link(),
            // In a lesson, the step buttons (and n/p, PageDown/PageUp: a clicker) go by beats.
            Cmd::NextStep if self.lesson.is_some() => self.next_beat(),
            Cmd::PreviousStep if self.lesson.is_some() => self.previous_beat(),
            Cmd::GoToStep(_) if self.lesson.is_some() => {}
            Cmd::NextStep => self.next_step(),
            Cmd::PreviousStep => self.previous_step(),
            Cmd::GoToStep(i) => self.go_to_step(i),
            Cmd::FileRefused(message) => self.scenario_message = Some(message),
            Cmd::CloseShare => self.share = None,
            Cmd::OpenFullPage => {
                self.share_link();
                self.open_full_page = self.share.take();
            }
        }
    }

    /// Advances the world by `elapsed_ms` of real time at the current speed (when playing),
    /// within the per-frame event budget.
    fn tick(&mut self, elapsed_ms: f64) {
        if let Some(labs) = self.labs.as_mut().filter(|l| l.is_running()) {
            return labs.slice(labs::TRIALS_PER_FRAME);
        }
        if let Some(target) = self.seeking {
            return self.replay_towards(target);
        }
        if let Some(goal) = self.goal {
            return self.pursue(goal);
        }
        if !self.playing {
            return;
        }
        // µs: ms × (ms/s) = µs
        let owed = (elapsed_ms * self.speed).round() as Time + self.behind;
        let target = self.session.world().now() + owed;
        let reached = self.session.advance(target, EVENTS_PER_FRAME);
        self.behind = if reached { 0 } else { target - self.session.world().now() };
    }

    /// Handles the next event the trace records: timers that go off and find nothing to do
    /// (a probe with nobody believed down, …) are passed over, so that every step shows
    /// something (at most [`STEP_LIMIT`] are handled).
    fn step(&mut self) {
        self.playing = false;
        self.behind = 0;
        self.goal = None;
        let before = self.session.world().trace().len();
        for _ in 0..STEP_LIMIT {
            if !self.session.step() || self.session.world().trace().len() > before {
                break;
            }
        }
    }

    /// Goes to virtual time `t` (no further than the run went): from the latest
    /// checkpoint before it (or the seed), in slices of at most [`EVENTS_PER_FRAME`] per
    /// frame so that the page never freezes; short replays finish at once.
    fn seek(&mut self, t: Time) {
        self.playing = false;
        self.behind = 0;
        self.goal = None;
        let target = t.min(self.session.horizon());
        self.session.jump_towards(target);
        self.replay_towards(target);
    }

    /// Takes an action now; a replay still on its way stops here. In the past, this starts
    /// a new branch of the run: the one left is kept, and [`Playground::branches`] says so.
    fn act(&mut self, action: Action) -> Result<(), String> {
        self.seeking = None;
        self.goal = None;
        self.session.act(action).map(|_forked| ())
    }

    /// A key: clickers send PageDown/PageUp (and some →/← or Space), so a lesson being
    /// presented takes them all as "next beat" and "previous beat".
    fn key(&mut self, key: Key) {
        let beats = self.presenting && self.lesson.is_some();
        match key {
            Key::Space | Key::Right if beats => self.next_beat(),
            Key::Left if beats => self.previous_beat(),
            Key::Space => self.playing = !self.playing,
            Key::Right => self.step(),
            Key::Left => {}
            Key::Next => self.react(Cmd::NextStep),
            Key::Previous => self.react(Cmd::PreviousStep),
        }
    }

    /// Goes over to branch `number`, at the virtual time on screen (or as far as that
    /// branch went, if less), replaying it from the seed.
    fn switch_branch(&mut self, number: usize) {
        let now = self.session.world().now();
        if self.session.current_branch().number == number {
            return;
        }
        match self.session.switch_branch(number) {
            Ok(()) => {
                self.playing = false;
                self.behind = 0;
                self.goal = None;
                self.replay_towards(now.min(self.session.horizon()));
            }
            Err(e) => self.notice = Some(e),
        }
    }

    /// What the page says of the run's branches: nothing while there is one; else a line
    /// per branch (its number, where it came from, how far it went) and whether it is the
    /// one on screen.
    pub fn branches(&self) -> Vec<(usize, String, bool)> {
        let branches = self.session.branches();
        if branches.len() < 2 {
            return Vec::new();
        }
        let current = self.session.current_branch().number;
        let label = |b: &BranchInfo| match b.forked_from {
            None => format!("branch {} · to {}", b.number, ms(b.horizon)),
            Some((from, at)) => format!(
                "branch {} · left branch {from} at {}, to {}",
                b.number,
                ms(at),
                ms(b.horizon)
            ),
        };
        branches.iter().map(|b| (b.number, label(b), b.number == current)).collect()
    }

    /// What acting now would do to the run, when the page shows the past: a new branch.
    pub fn past_warning(&self) -> Option<String> {
        let still = self.seeking.is_none() && self.goal.is_none();
        let looking_back = still && self.session.in_the_past();
        looking_back.then(|| {
            let next = self.session.branches().iter().map(|b| b.number).max().unwrap_or(0) + 1;
            format!(
                "You are looking at the past: anything you do now starts branch {next} from \
                 here; branch {} and its future are kept.",
                self.session.current_branch().number
            )
        })
    }

    fn replay_towards(&mut self, target: Time) {
        let reached = self.session.advance(target, EVENTS_PER_FRAME);
        self.seeking = (!reached).then_some(target);
        self.select_pending();
    }

    /// Selects the message asked for once the replay is there.
    fn select_pending(&mut self) {
        if self.seeking.is_none() {
            if let Some(id) = self.select_on_arrival.take() {
                self.select_message(id);
            }
        }
    }

    fn select_message(&mut self, id: u64) {
        let world = self.session.world();
        if let Some((flight, msg)) = world.message(id) {
            let rows = describe::describe_message(world, &flight, msg);
            self.selected = Some(Selected::Message { id, rows });
            self.playing = false; // hold still while it is read
        }
    }

    fn node_action(&mut self, action: Action) {
        self.faults.node_error = self.act(action).err();
    }

    fn client_field(&mut self, i: usize, field: ClientField, text: String) {
        let world = self.session.world();
        let Some(client) = self.clients.get_mut(i) else { return };
        match field {
            ClientField::Via => match world.node_id(&text) {
                Some(node) => {
                    client.via = node;
                    client.error = None;
                }
                None => client.error = Some(format!("there is no node {text:?}")),
            },
            ClientField::Key => client.key = text,
            ClientField::Value => client.value = text,
        }
    }

    /// A node's name, as actions name it.
    /// The three strategies on the nodes the run started with (§6.2).
    pub(super) fn strategies(&self) -> Selected {
        let compared = crate::sim::strategies::compare(&self.session.spec().world);
        Selected::Strategies(Rc::new(compared))
    }

    fn name_of(&self, node: NodeId) -> String {
        self.session.world().name(node).to_string()
    }

    /// A client card's request, through the node the card names.
    fn client_request(&mut self, i: usize, action: impl Fn(&ClientForm, Option<String>) -> Action) {
        let Some(client) = self.clients.get(i) else { return };
        let via = Some(self.name_of(client.via));
        let result = self.act(action(client, via));
        self.clients[i].error = result.err();
    }

    /// A new client card, named after the next free name of the usual cast (alice, bob,
    /// carol, …), at most [`MAX_CLIENTS`].
    fn add_client(&mut self) {
        if self.clients.len() >= MAX_CLIENTS {
            self.notice = Some(format!("The page has room for {MAX_CLIENTS} clients at most."));
            return;
        }
        let taken = |name: &String| self.clients.iter().any(|c| &c.name == name);
        let cast = CLIENT_NAMES.iter().map(|n| n.to_string());
        let numbered = (1..).map(|i| format!("client{i}"));
        let name = cast.chain(numbered).find(|n| !taken(n)).expect("names never run out");
        self.clients.push(ClientForm::new(&name, &self.session));
    }

    /// Ends the partition; with none, says so (and that faulty links stay until cleared)
    /// rather than logging a heal that changed nothing.
    fn heal(&mut self) {
        let net = self.session.world().network();
        self.faults.partition_error = if net.is_partitioned() {
            self.act(Action::Heal {}).err()
        } else if net.links().next().is_some() {
            Some("there is no partition to heal; faulty links stay until cleared".into())
        } else {
            Some("there is no partition to heal".into())
        };
        self.faults.cut.clear();
    }

    fn partition(&mut self) {
        let world = self.session.world();
        let cut: Vec<NodeId> = self.faults.cut.iter().copied().collect();
        let rest: Vec<NodeId> = world.node_ids().filter(|n| !self.faults.cut.contains(n)).collect();
        self.faults.partition_error = if cut.is_empty() {
            Some("tick the nodes to cut off first".into())
        } else if rest.is_empty() {
            Some("leave at least one node on the other side".into())
        } else {
            let names = |nodes: Vec<NodeId>| nodes.into_iter().map(|n| self.name_of(n)).collect();
            let groups = vec![names(cut), names(rest)];
            self.act(Action::Partition { groups }).err()
        };
    }

    fn clear_links(&mut self) {
        let faulty: Vec<(NodeId, NodeId)> =
            self.session.world().network().links().map(|(link, _)| link).collect();
        for (a, b) in faulty {
            let (a, b) = (self.name_of(a), self.name_of(b));
            let clear = Action::Link { a, b, drop_rate: 0.0, extra_delay_ms: 0.0 };
            if let Err(e) = self.act(clear) {
                self.faults.link_errors = vec![("link-b", e)];
                return;
            }
        }
        self.faults.link_errors.clear();
    }

    fn fault_field(&mut self, field: FaultField, text: String) {
        let f = &mut self.faults;
        match field {
            FaultField::LinkA => f.link_a = text,
            FaultField::LinkB => f.link_b = text,
            FaultField::LinkDrop => f.link_drop_percent = text,
            FaultField::LinkDelay => f.link_delay_ms = text,
            FaultField::LatencyKind => f.latency_kind = text,
            FaultField::LatencyA => f.latency_a = text,
            FaultField::LatencyB => f.latency_b = text,
            FaultField::Drop => f.drop_percent = text,
        }
    }

    fn link_action(&self) -> Result<Action, FieldErrors> {
        let world = self.session.world();
        let f = &self.faults;
        let mut errors: FieldErrors = Vec::new();
        let mut node = |id: &'static str, name: &str| {
            world
                .node_id(name.trim())
                .ok_or_else(|| errors.push((id, format!("there is no node {:?}", name.trim()))))
                .ok()
        };
        let (a, b) = (node("link-a", &f.link_a), node("link-b", &f.link_b));
        if a.is_some() && a == b {
            errors.push(("link-b", "pick two different nodes".into()));
        }
        let drop = parse_number("drop rate (%)", &f.link_drop_percent, 100.0)
            .map_err(|e| errors.push(("link-drop", e)))
            .ok();
        let delay = parse_number("extra delay (ms)", &f.link_delay_ms, 10_000.0)
            .map_err(|e| errors.push(("link-delay", e)))
            .ok();
        match (a, b, drop, delay) {
            (Some(a), Some(b), Some(drop), Some(delay)) if errors.is_empty() => Ok(Action::Link {
                a: world.name(a).to_string(),
                b: world.name(b).to_string(),
                drop_rate: drop / 100.0,
                extra_delay_ms: delay,
            }),
            _ => Err(errors),
        }
    }

    fn network_action(&self) -> Result<Action, FieldErrors> {
        let f = &self.faults;
        let mut errors: FieldErrors = Vec::new();
        let mut number = |id: &'static str, label: &str, text: &str| {
            parse_number(label, text, 10_000.0).map_err(|e| errors.push((id, e))).ok()
        };
        let latency = match f.latency_kind.as_str() {
            "fixed" => {
                number("latency-a", "latency (ms)", &f.latency_a).map(|ms| Latency::Fixed { ms })
            }
            "exponential" => number("latency-a", "mean latency (ms)", &f.latency_a)
                .map(|mean| Latency::Exponential { mean }),
            _ => match (
                number("latency-a", "minimum latency (ms)", &f.latency_a),
                number("latency-b", "maximum latency (ms)", &f.latency_b),
            ) {
                (Some(min), Some(max)) if min > max => {
                    errors.push((
                        "latency-b",
                        format!("the maximum ({max} ms) is below the minimum ({min} ms)"),
                    ));
                    None
                }
                (Some(min), Some(max)) => Some(Latency::Uniform { min, max }),
                _ => None,
            },
        };
        let drop = parse_number("drop rate (%)", &f.drop_percent, 100.0)
            .map_err(|e| errors.push(("drop", e)))
            .ok();
        match (latency, drop) {
            (Some(latency), Some(drop)) if errors.is_empty() => {
                Ok(Action::Network { latency_ms: latency, drop_rate: drop / 100.0 })
            }
            _ => Err(errors),
        }
    }

    fn settings_field(&mut self, field: SettingsField, text: String) {
        let s = &mut self.settings;
        match field {
            SettingsField::Nodes => s.nodes = text,
            SettingsField::N => s.n = text,
            SettingsField::R => s.r = text,
            SettingsField::W => s.w = text,
            SettingsField::Seed => s.seed = text,
            SettingsField::AntiEntropy => s.anti_entropy_ms = text,
            SettingsField::ReplicaTimeout => s.replica_timeout_ms = text,
        }
    }

    fn toggle(&mut self, switch: Switch) {
        let s = &mut self.settings;
        let flag = match switch {
            Switch::SloppyQuorum => &mut s.sloppy_quorum,
            Switch::HintedHandoff => &mut s.hinted_handoff,
            Switch::ReadRepair => &mut s.read_repair,
            Switch::LastWriteWins => &mut s.last_write_wins,
            Switch::Load => &mut s.load,
        };
        *flag = !*flag;
    }

    /// Starts a new run with the settings form, or shows why it cannot.
    fn apply_settings(&mut self) {
        if let Err(errors) = self.settings.check() {
            self.settings.errors = errors;
            return;
        }
        self.settings.errors.clear();
        match Playground::with_settings(self.settings.clone()) {
            Ok(fresh) => {
                *self = Playground { speed: self.speed, large_text: self.large_text, ..fresh }
            }
            Err(e) => self.settings.errors = vec![("nodes", e)],
        }
    }
}

impl Default for Playground {
    fn default() -> Self {
        Playground::new()
    }
}

impl ClientForm {
    fn new(name: &str, session: &Session) -> ClientForm {
        let nodes = session.world().names().len() as u32;
        let via = NodeId(if name == "bob" { 1.min(nodes - 1) } else { 0 });
        ClientForm {
            name: name.into(),
            via,
            key: "cart".into(),
            value: if name == "bob" { "eggs" } else { "milk" }.into(),
            error: None,
        }
    }
}

#[cfg(test)]
mod scenario_tests;
#[cfg(test)]
mod tests;
