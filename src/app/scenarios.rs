//! Scenario files in the page: open one (picked, dropped, an example or a link), save the
//! run as one, and share a link to the moment on screen. A file is a stranger's input: it
//! goes through the same checks as in the CLI (`Scenario::from_json`), then the page's
//! own limit on nodes; a refused file changes nothing, and the message says why.

use super::steps::Goal;
use super::{link, ClientForm, Playground, SettingsForm, MAX_CLIENTS, MAX_NODES};
use crate::core::MS;
use crate::sim::scenario::lesson::Lesson;
use crate::sim::scenario::{self, Action, End, Op, Scenario};
use crate::sim::session::Session;

impl Playground {
    /// The page for a URL: the query's settings (`?seed=4&nodes=16`), or the run a link's
    /// fragment holds (`#run=…`), at the moment it was shared. A bad link or query is
    /// reported, and the page starts as usual.
    pub fn from_location(query: &str, fragment: &str) -> Playground {
        let link = match link::decode(fragment) {
            Ok(None) => return Playground::from_query(query),
            Ok(Some(link)) => link,
            Err(e) => {
                let notice = format!("The link could not be opened: {e}");
                return Playground { notice: Some(notice), ..Playground::from_query(query) };
            }
        };
        let mut page = Playground::new();
        page.embed = link.embed;
        match open(&link.scenario) {
            Ok(_) => page.open_scenario(&link.scenario, "The link"),
            Err(e) => page.notice = Some(format!("The link could not be opened: {e}")),
        }
        page
    }

    /// Opens a scenario file's text: a new run from its seed and cluster, its steps listed
    /// and taken as they fall due; a file that ends at a moment (saved by the page, or a
    /// link) goes there. A file that does not parse or breaks a limit changes nothing.
    pub(super) fn open_scenario(&mut self, text: &str, source: &str) {
        if let Some(lesson) = self.open_run(text, source) {
            self.start_lesson(text, lesson);
        }
    }

    /// Opens a scenario file's run (see [`Playground::open_scenario`]); returns its lesson,
    /// if it has one, for the caller to start.
    pub(super) fn open_run(&mut self, text: &str, source: &str) -> Option<Lesson> {
        match open(text) {
            Ok((scenario, session)) => {
                let settings = SettingsForm::from_scenario(&scenario, &session);
                let clients = clients_of(&scenario, &session);
                let end = scenario.end.map(|end| end.moment());
                let lesson = scenario.lesson.clone();
                let header = Scenario { steps: Vec::new(), end: None, ..scenario };
                // The key the steps are about, looked up: its replicas are marked on the ring.
                let lookup = clients.first().map(|c| c.key.clone()).unwrap_or_default();
                let fresh = Playground {
                    session,
                    clients,
                    lookup,
                    applied: settings.clone(),
                    settings,
                    header,
                    speed: self.speed,
                    large_text: self.large_text,
                    embed: self.embed,
                    ..Playground::new()
                };
                *self = fresh;
                if let Some(m) = end {
                    self.start(Goal::Moment(m));
                }
                lesson
            }
            Err(e) => {
                let unchanged = "was not opened; the run on screen is unchanged";
                self.scenario_message = Some(format!("{source} {unchanged}: {e}"));
                None
            }
        }
    }

    /// The run on this branch as a scenario: the header, every step at its exact moment,
    /// the steps of an opened file not reached yet, and the moment on screen as its end.
    pub fn scenario_now(&self) -> Scenario {
        Scenario {
            steps: self.session.to_steps(),
            end: Some(End::from_moment(self.session.moment())),
            ..self.header.clone()
        }
    }

    /// Offers [`Playground::scenario_now`] as a file.
    pub(super) fn save_scenario(&mut self) {
        let world = self.session.world();
        let title: String = (self.header.name.as_deref().unwrap_or("dynamo-run").chars())
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let title = title.split('-').filter(|w| !w.is_empty()).take(6).collect::<Vec<_>>();
        let name = format!("{}-seed{}-{}us.json", title.join("-"), world.seed(), world.now());
        self.download = Some((name, self.scenario_now().to_json()));
    }

    /// Makes a link to the moment on screen, or says why it cannot.
    pub(super) fn share_link(&mut self) {
        match link::encode(&self.scenario_now().to_json(), false) {
            Ok(fragment) => {
                self.share = Some(fragment);
                self.scenario_message = None;
            }
            Err(e) => {
                self.share = None;
                self.scenario_message = Some(e);
            }
        }
    }
}

/// A scenario and a session at its start, or why the file cannot be opened here.
fn open(text: &str) -> Result<(Scenario, Session), String> {
    let scenario = Scenario::from_json(text)?;
    let joined = scenario.steps.iter().filter(|s| matches!(&s.op, Op::Act(Action::Join { .. })));
    let nodes = scenario.cluster.nodes.len() + joined.count();
    if nodes > MAX_NODES {
        return Err(format!(
            "the page runs at most {MAX_NODES} nodes; this scenario has {nodes} \
             (its joins included): run it with dynamo-sim"
        ));
    }
    let session = scenario::play(&scenario, true)?;
    Ok((scenario, session))
}

/// A client card for every client the steps name (in order of first appearance, the
/// page's two if none), with the key and value of its first request.
fn clients_of(scenario: &Scenario, session: &Session) -> Vec<ClientForm> {
    let mut cards: Vec<ClientForm> = Vec::new();
    for step in &scenario.steps {
        let (client, key, value) = match &step.op {
            Op::Act(Action::Put { client, key, value, .. }) => (client, key, Some(value)),
            Op::Act(Action::Get { client, key, .. } | Action::Reconcile { client, key, .. }) => {
                (client, key, None)
            }
            _ => continue,
        };
        if cards.len() < MAX_CLIENTS && !cards.iter().any(|c| &c.name == client) {
            let mut card = ClientForm::new(client, session);
            card.key = key.clone();
            if let Some(value) = value {
                card.value = value.clone();
            }
            cards.push(card);
        }
    }
    if cards.is_empty() {
        cards = ["alice", "bob"].iter().map(|name| ClientForm::new(name, session)).collect();
    }
    cards
}

impl SettingsForm {
    /// The settings form showing an opened scenario's run, as far as the form can say
    /// it ("Apply" then starts a run of the form's own, with nodes A, B, …).
    fn from_scenario(scenario: &Scenario, session: &Session) -> SettingsForm {
        let spec = session.spec();
        let config = &spec.world.config;
        let ms = |t: u64| (t as f64 / MS as f64).to_string();
        SettingsForm {
            nodes: spec.world.nodes.len().to_string(),
            n: config.n.to_string(),
            r: config.r.to_string(),
            w: config.w.to_string(),
            seed: spec.world.seed.to_string(),
            sloppy_quorum: config.sloppy_quorum,
            hinted_handoff: config.hinted_handoff,
            read_repair: config.read_repair,
            last_write_wins: config.reconciliation
                == crate::core::version::Reconciliation::LastWriteWins,
            anti_entropy_ms: config.anti_entropy_interval.map(ms).unwrap_or_default(),
            replica_timeout_ms: scenario
                .cluster
                .replica_timeout_ms
                .map(|t| t.to_string())
                .unwrap_or_default(),
            load: spec.load_on,
            errors: Vec::new(),
        }
    }
}
