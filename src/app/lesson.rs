//! A lesson in the page: its beats one by one. A beat says its words, takes its steps of
//! the scenario and shows its view; a beat that asks waits for the learner's prediction,
//! then takes its steps, and says whether the prediction was right and why.
//!
//! The answers are worked out when the lesson opens, by playing the whole lesson on a copy
//! of the run (a second, hidden page, driven by the same code as the one on screen): the
//! run is deterministic, so the copy's outcome is what the learner will see.

use super::steps::Goal;
use super::{spacetime, Playground, Selected};
use crate::core::accel::compact_sort;
use crate::core::membership::MemberStatus;
use crate::core::message::{ClientReply, MsgKind, OpId};
use crate::core::ring::ring_fraction;
use crate::core::NodeId;
use crate::sim::scenario::lesson::{Ask, Beat, Lesson, Show};
use crate::sim::session::Moment;
use crate::sim::strategies::{best, compare};
use crate::sim::trace::OpKind;
use crate::sim::world::WorldSpec;
use crate::sim::World;
use serde::{Deserialize, Serialize};

/// An answer to a question: nodes (by name, in node order), yes or no, or a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Nodes(Vec<String>),
    YesNo(bool),
    Count(u64),
}

/// A question's worked-out answer, and why it is so, in words from the simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct Worked {
    pub answer: Answer,
    pub why: String,
}

/// Where the learner is in a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonState {
    /// The lesson file's text (reopened for "back to the lesson").
    pub text: String,
    pub lesson: Lesson,
    /// The beat on screen.
    pub beat: usize,
    /// Whether the beat's steps have been taken (a beat that asks waits for its answer).
    pub ran: bool,
    /// Each beat's worked-out answer (for the beats that ask).
    pub answers: Vec<Option<Worked>>,
    /// What the learner answered, per beat.
    pub given: Vec<Option<Answer>>,
    /// The moment each beat ended, once reached: where going back to it goes.
    pub ends: Vec<Option<Moment>>,
    /// The answer being given: nodes ticked, a number typed, and what is wrong with it.
    pub picked: Vec<String>,
    pub typed: String,
    pub error: Option<String>,
    /// The beat and step count its view was last shown for: a view is shown again once the
    /// beat's steps have run (a request followed in the time lanes is the latest one).
    shown: Option<(usize, usize)>,
}

impl LessonState {
    /// The beat on screen.
    pub fn current(&self) -> &Beat {
        &self.lesson.beats[self.beat]
    }

    /// Whether the learner's answer to the beat on screen was right (once answered).
    pub fn verdict(&self) -> Option<bool> {
        let given = self.given[self.beat].as_ref()?;
        let worked = self.answers[self.beat].as_ref()?;
        Some(*given == worked.answer)
    }
}

/// What the speaker view shows (a second window, in step with the projected one): the
/// beat's words and notes, its question with the worked answer and why, and the next beat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeakerCard {
    pub title: String,
    /// The beat on screen, from 1.
    pub beat: usize,
    pub beats: usize,
    pub say: String,
    pub notes: Option<String>,
    pub question: Option<String>,
    /// The worked-out answer and why (the room does not see it; the speaker does).
    pub answer: Option<String>,
    pub why: Option<String>,
    /// What the learner or the room answered, if they did, and whether it was right.
    pub given: Option<String>,
    pub right: Option<bool>,
    pub next: Option<String>,
    /// Whether the projected page has left the lesson's script (the beats wait).
    pub off_script: bool,
    /// The prompts to try, on the last beat.
    pub try_this: Vec<String>,
}

/// An answer as the page says it.
pub fn answer_text(answer: &Answer) -> String {
    match answer {
        Answer::Nodes(nodes) if nodes.is_empty() => "none".into(),
        Answer::Nodes(nodes) => nodes.join(", "),
        Answer::YesNo(true) => "yes".into(),
        Answer::YesNo(false) => "no".into(),
        Answer::Count(n) => n.to_string(),
    }
}

impl Playground {
    /// The speaker view's card for the beat on screen, if a lesson is open.
    pub fn speaker_card(&self) -> Option<SpeakerCard> {
        let state = self.lesson.as_ref()?;
        let beat = state.current();
        let worked = state.answers[state.beat].as_ref();
        Some(SpeakerCard {
            title: self.header.name.clone().unwrap_or_else(|| "Lesson".into()),
            beat: state.beat + 1,
            beats: state.lesson.beats.len(),
            say: beat.say.clone(),
            notes: beat.notes.clone(),
            question: beat.ask.as_ref().map(|a| a.question().to_string()),
            answer: worked.map(|w| answer_text(&w.answer)),
            why: worked.map(|w| w.why.clone()),
            given: state.given[state.beat].as_ref().map(answer_text),
            right: state.verdict(),
            next: state.lesson.beats.get(state.beat + 1).map(|b| b.say.clone()),
            off_script: self.off_script(),
            try_this: if state.beat + 1 == state.lesson.beats.len() {
                state.lesson.try_this.clone()
            } else {
                Vec::new()
            },
        })
    }
}

impl Playground {
    /// Starts the lesson of the scenario just opened (`text` is its file).
    pub(super) fn start_lesson(&mut self, text: &str, lesson: Lesson) {
        let answers = work_out(text, &lesson);
        let beats = lesson.beats.len();
        self.lesson = Some(LessonState {
            text: text.to_string(),
            lesson,
            beat: 0,
            ran: false,
            answers,
            given: vec![None; beats],
            ends: vec![None; beats],
            picked: Vec::new(),
            typed: String::new(),
            error: None,
            shown: None,
        });
        self.enter_beat();
    }

    /// Shows the beat's view once the run is where the beat has it (after each update):
    /// on entering the beat, and again once its steps have run.
    pub(super) fn show_beat(&mut self) {
        let Some(state) = &self.lesson else { return };
        let at = (state.beat, self.session.next_input());
        if self.goal.is_some() || state.shown == Some(at) {
            return;
        }
        let show = state.current().show.clone();
        self.lesson.as_mut().expect("a lesson").shown = Some(at);
        if let Some(show) = &show {
            self.show(show);
        }
    }

    /// Enters the beat on screen: unless it asks first, it takes its steps.
    fn enter_beat(&mut self) {
        let Some(state) = &self.lesson else { return };
        let beat = state.current().clone();
        let asks = beat.ask.is_some() && state.given[state.beat].is_none();
        if asks {
            self.lesson.as_mut().expect("a lesson").ran = false;
        } else {
            self.run_beat();
        }
    }

    /// Takes the beat's steps (up to its `run_to`), as "Step ▶" takes a step.
    fn run_beat(&mut self) {
        let Some(state) = self.lesson.as_mut() else { return };
        state.ran = true;
        let run_to = state.current().run_to;
        if let Some(to) = run_to.filter(|&to| to > self.session.next_input()) {
            self.start(Goal::After { index: to - 1, until: None });
        }
    }

    /// The learner's answer to the beat's question: the steps run, and the verdict shows.
    pub(super) fn answer(&mut self, answer: Answer) {
        if self.off_script() {
            return;
        }
        let Some(state) = self.lesson.as_mut() else { return };
        if state.current().ask.is_none() || state.ran {
            return;
        }
        let beat = state.beat;
        state.given[beat] = Some(answer);
        state.error = None;
        self.run_beat();
    }

    /// Ticks or unticks a node in the answer being given.
    pub(super) fn pick_node(&mut self, name: String) {
        let Some(state) = self.lesson.as_mut() else { return };
        match state.picked.iter().position(|n| *n == name) {
            Some(i) => {
                state.picked.remove(i);
            }
            None => state.picked.push(name),
        }
    }

    /// Answers with what was ticked or typed (a number must be one).
    pub(super) fn check_answer(&mut self) {
        let Some(state) = self.lesson.as_mut() else { return };
        let answer = match state.current().ask {
            Some(
                Ask::Replicas { .. }
                | Ask::HintHolders { .. }
                | Ask::BelievedDown { .. }
                | Ask::MostKeys { .. }
                | Ask::Members { .. },
            ) => {
                let world = self.session.world();
                let mut nodes: Vec<NodeId> =
                    state.picked.iter().filter_map(|n| world.node_id(n)).collect();
                compact_sort::sort_unstable(&mut nodes);
                Answer::Nodes(nodes.into_iter().map(|n| world.name(n).to_string()).collect())
            }
            Some(Ask::Versions { .. } | Ask::KeysExchanged { .. } | Ask::Stored { .. }) => {
                match state.typed.trim().parse::<u64>() {
                    Ok(n) if n <= 1_000_000 => Answer::Count(n),
                    _ => {
                        state.error = Some("Type a whole number (0 or more).".into());
                        return;
                    }
                }
            }
            Some(
                Ask::Outcome { .. }
                | Ask::Returns { .. }
                | Ask::Holds { .. }
                | Ask::BestStrategy { .. },
            )
            | None => return,
        };
        self.answer(answer);
    }

    /// The next beat (the beat on screen's steps are taken first if they were not: "show
    /// me" for a question left unanswered).
    pub(super) fn next_beat(&mut self) {
        if self.off_script() {
            return; // the beats wait until "back to the lesson"
        }
        let Some(state) = self.lesson.as_mut() else { return };
        if !state.ran && (!state.picked.is_empty() || !state.typed.trim().is_empty()) {
            return self.check_answer(); // the clicker's "next" with an answer given: check it
        }
        if !state.ran {
            return self.run_beat();
        }
        if self.goal.is_some() || state.beat + 1 >= state.lesson.beats.len() {
            return;
        }
        state.ends[state.beat].get_or_insert(self.session.moment());
        state.beat += 1;
        state.picked.clear();
        state.typed.clear();
        state.error = None;
        self.enter_beat();
    }

    /// The previous beat, as it ended.
    pub(super) fn previous_beat(&mut self) {
        if self.off_script() {
            return;
        }
        let Some(state) = self.lesson.as_mut() else { return };
        let Some(back) = state.beat.checked_sub(1) else { return };
        let Some(end) = state.ends[back] else { return };
        state.beat = back;
        state.ran = true;
        self.start(Goal::Moment(end));
    }

    /// Whether the run on screen has left the lesson's script (a click of the learner's).
    pub fn off_script(&self) -> bool {
        self.lesson.is_some() && self.session.inputs().iter().any(|i| i.scripted.is_none())
    }

    /// Back to the lesson after leaving its script: its run, reopened, at the beat on screen.
    pub(super) fn back_to_lesson(&mut self) {
        let Some(state) = self.lesson.take() else { return };
        let at = state.ends[state.beat].or(state.beat.checked_sub(1).and_then(|b| state.ends[b]));
        self.open_run(&state.text.clone(), "The lesson");
        self.lesson =
            Some(LessonState { ran: at.is_some() && state.ends[state.beat].is_some(), ..state });
        match at {
            Some(m) => self.start(Goal::Moment(m)),
            None => self.enter_beat(),
        }
        if let Some(state) = self.lesson.as_mut() {
            state.shown = None;
        }
    }

    /// Shows a beat's view.
    fn show(&mut self, show: &Show) {
        match show {
            Show::Ring => {
                self.selected = None;
                self.lookup.clear();
            }
            Show::Key { key } => {
                self.selected = None;
                self.lookup = key.clone();
            }
            Show::Versions { key } => {
                self.lookup = key.clone();
                self.selected = Some(Selected::Versions(key.clone()));
            }
            Show::Lanes { client } => {
                let world = self.session.world();
                let story = client.as_deref().and_then(|c| latest_op(world, c, None));
                let filter = spacetime::Filter { story, ..spacetime::Filter::default() };
                self.selected = Some(Selected::SpaceTime { span: 100 * crate::core::MS, filter });
            }
            Show::Merkle { node, peer } => {
                let world = self.session.world();
                let pair = node
                    .as_deref()
                    .and_then(|n| world.node_id(n))
                    .zip(peer.as_deref().and_then(|p| world.node_id(p)));
                let pick = match pair {
                    Some((a, b)) => {
                        compared_range(world, a, b).map_or(super::merkle::Pick::Follow, |range| {
                            super::merkle::Pick::Pair { a, b, range }
                        })
                    }
                    None => super::merkle::Pick::Follow,
                };
                self.selected = Some(Selected::Merkle(pick));
            }
            Show::Node { node } => {
                if let Some(id) = self.session.world().node_id(node) {
                    self.selected = Some(Selected::Node(id));
                }
            }
            Show::Strategies => self.selected = Some(self.strategies()),
        }
    }
}

/// Plays the whole lesson on a hidden page and works out each question's answer from what
/// its steps did there.
fn work_out(text: &str, lesson: &Lesson) -> Vec<Option<Worked>> {
    let mut copy = Playground::new();
    copy.open_run(text, "The lesson");
    let mut answers = Vec::with_capacity(lesson.beats.len());
    for beat in &lesson.beats {
        let before = copy.session.world().metrics().merkle_keys_sent;
        if let Some(to) = beat.run_to.filter(|&to| to > copy.session.next_input()) {
            copy.start(Goal::After { index: to - 1, until: None });
            copy.finish_goal();
        }
        let (world, spec) = (copy.session.world(), &copy.session.spec().world);
        answers.push(beat.ask.as_ref().map(|ask| worked(world, spec, ask, before)));
    }
    answers
}

/// A question's answer as the world shows it after the beat's steps (`keys_before`: the
/// keys anti-entropy had sent before them).
fn worked(world: &World, spec: &WorldSpec, ask: &Ask, keys_before: u64) -> Worked {
    let names = |nodes: Vec<NodeId>| -> Vec<String> {
        nodes.into_iter().map(|n| world.name(n).to_string()).collect()
    };
    match ask {
        Ask::Replicas { key, .. } => {
            let held: Vec<NodeId> =
                world.node_ids().filter(|&n| !world.node(n).store().get(key).is_empty()).collect();
            // The list as the first holder sees the ring: the whole ring's, unless its view
            // is not the administrator's (a node that gossip has not reached, §4.8).
            let seer = held
                .first()
                .copied()
                .filter(|&h| world.node(h).membership().members().ne(world.membership().members()));
            let list = match seer {
                Some(h) => world.preference_list_seen_by(h, key),
                None => world.preference_list(key),
            };
            let n = world.config().n;
            let name = |&id: &NodeId| world.name(id).to_string();
            let top: Vec<String> = list.iter().take(n).map(name).collect();
            let next: Vec<String> = list.iter().skip(n).take(2).map(name).collect();
            let seen =
                seer.map(|h| format!(" as {} sees the ring", world.name(h))).unwrap_or_default();
            let next = if next.is_empty() {
                " — the whole list".to_string()
            } else {
                format!(", then {}", next.join(", "))
            };
            let holders = match held.len() {
                0 => "No node holds".to_string(),
                1 => format!("{} holds", join(&names(held.clone()))),
                _ => format!("{} hold", join(&names(held.clone()))),
            };
            let why = format!(
                "{holders} {key}; its preference list{seen}: the top N = {n}, {}{next} (§4.3).",
                top.join(", ")
            );
            Worked { answer: Answer::Nodes(names(held)), why }
        }
        Ask::HintHolders { key, .. } => {
            let holders: Vec<NodeId> = world
                .node_ids()
                .filter(|&n| world.hinted_replicas(n).iter().any(|(_, k, _)| k.as_str() == key))
                .collect();
            let why = if holders.is_empty() {
                format!("No node keeps a hinted replica of {key} (§4.6).")
            } else {
                let owners: Vec<String> = holders
                    .iter()
                    .flat_map(|&h| world.hinted_replicas(h))
                    .filter(|(_, k, _)| k.as_str() == key)
                    .map(|(owner, _, _)| world.name(owner).to_string())
                    .collect();
                format!(
                    "{} keeps {key} for {}, which it will hand back (§4.6).",
                    join(&names(holders.clone())),
                    join(&owners)
                )
            };
            Worked { answer: Answer::Nodes(names(holders)), why }
        }
        Ask::Outcome { client, .. } => {
            let op = latest_op(world, client, None);
            let record = op.and_then(|op| world.op(op));
            let reply = record.and_then(|r| r.outcome.as_deref());
            let ok = matches!(reply, Some(ClientReply::Put { .. } | ClientReply::Got { .. }));
            let why = match (reply, op.and_then(|op| quorum(world, op))) {
                (Some(reply), Some(quorum)) => {
                    let section =
                        if quorum.contains("standing in") { "§4.5, §4.6" } else { "§4.5" };
                    format!("{client}: {}; {quorum} ({section}).", world.describe_reply(reply))
                }
                (Some(reply), None) => format!("{client}: {} (§4.5).", world.describe_reply(reply)),
                (None, _) => format!("{client} has not heard back yet."),
            };
            Worked { answer: Answer::YesNo(ok), why }
        }
        Ask::Versions { client, .. } => {
            let record = latest_op(world, client, Some(OpKind::Get)).and_then(|op| world.op(op));
            let versions = match record.and_then(|r| r.outcome.as_deref()) {
                Some(ClientReply::Got { versions, .. }) => versions.clone(),
                _ => Vec::new(),
            };
            let texts: Vec<String> =
                versions.iter().map(|v| super::describe::version_text(world, v)).collect();
            let why = format!(
                "{client}'s get returned {}: {} (§4.4).",
                super::describe::count(versions.len() as u64, "version"),
                if texts.is_empty() { "none".to_string() } else { texts.join(" | ") }
            );
            Worked { answer: Answer::Count(versions.len() as u64), why }
        }
        Ask::Returns { client, value, .. } => {
            let record = latest_op(world, client, Some(OpKind::Get)).and_then(|op| world.op(op));
            let versions = match record.and_then(|r| r.outcome.as_deref()) {
                Some(ClientReply::Got { versions, .. }) => versions.clone(),
                _ => Vec::new(),
            };
            let seen = versions.iter().any(|v| *v.value == **value);
            let texts: Vec<String> =
                versions.iter().map(|v| super::describe::version_text(world, v)).collect();
            let quorum =
                latest_op(world, client, Some(OpKind::Get)).and_then(|op| quorum(world, op));
            let why = format!(
                "{client}'s get returned {}{} (§4.5).",
                if texts.is_empty() { "nothing".to_string() } else { texts.join(" | ") },
                quorum.map(|q| format!("; {q}")).unwrap_or_default()
            );
            Worked { answer: Answer::YesNo(seen), why }
        }
        Ask::Holds { node, key, value, .. } => {
            let versions = world.node_id(node).map(|n| world.node(n).store().get(key).to_vec());
            let versions = versions.unwrap_or_default();
            let holds = versions.iter().any(|v| *v.value == **value);
            let texts: Vec<String> =
                versions.iter().map(|v| super::describe::version_text(world, v)).collect();
            let why = format!(
                "{node} holds {} of {key} (§4.6, §4.7).",
                if texts.is_empty() { "nothing".to_string() } else { texts.join(" | ") }
            );
            Worked { answer: Answer::YesNo(holds), why }
        }
        Ask::BelievedDown { node, .. } => {
            let target = world.node_id(node);
            let believers: Vec<NodeId> = world
                .node_ids()
                .filter(|&n| target.is_some_and(|t| world.node(n).believed_down().contains_key(&t)))
                .collect();
            let why = format!(
                "{} believe{} {node} down: a node believes a peer down when it does not answer \
                 it, each by its own view (§4.8.3).",
                join(&names(believers.clone())),
                if believers.len() == 1 { "s" } else { "" }
            );
            Worked { answer: Answer::Nodes(names(believers)), why }
        }
        Ask::Stored { node, .. } => {
            let id = world.node_id(node);
            let keys = id.map_or(0, |n| world.node(n).store().len() as u64);
            let sent = world.metrics().merkle_keys_sent - keys_before;
            let why = format!(
                "{node} holds {}; anti-entropy sent {} in all to make it so (§4.7).",
                super::describe::count(keys, "key"),
                super::describe::count(sent, "key")
            );
            Worked { answer: Answer::Count(keys), why }
        }
        Ask::MostKeys { .. } => most_keys(world),
        Ask::Members { node, .. } => members(world, node),
        Ask::BestStrategy { .. } => best_strategy(spec),
        Ask::KeysExchanged { .. } => {
            let sent = world.metrics().merkle_keys_sent - keys_before;
            let why = format!(
                "Anti-entropy sent {} in all, only those under differing leaves (§4.7).",
                super::describe::count(sent, "key")
            );
            Worked { answer: Answer::Count(sent), why }
        }
    }
}

/// The nodes holding the most keys in their own store, and every node's keys and tokens.
fn most_keys(world: &World) -> Worked {
    let held = |n: NodeId| world.node(n).store().len();
    let most = world.node_ids().map(held).max().unwrap_or(0);
    let top: Vec<String> =
        world.node_ids().filter(|&n| held(n) == most).map(|n| world.name(n).to_string()).collect();
    let ring = world.ring();
    let share = |n: NodeId| -> f64 {
        let owned = ring.ranges().into_iter().filter(|&(_, _, owner)| owner == n);
        owned.map(|(start, end, _)| ring_fraction(end.wrapping_sub(start))).sum()
    };
    let each: Vec<String> = world
        .node_ids()
        .map(|n| {
            let (tokens, share) = (ring.tokens_of(n).len(), share(n) * 100.0);
            format!(
                "{} {} ({tokens} tokens, coordinating {share:.0}% of the ring)",
                world.name(n),
                held(n)
            )
        })
        .collect();
    let random = world.config().strategy == crate::core::partition::Strategy::RandomTokens;
    let why = format!(
        "Keys held: {}. A node coordinates the ranges that end at its tokens: more tokens, more \
         of the ring on average{} (§4.2).",
        each.join(", "),
        if random { " — but random tokens cut ranges of very different sizes" } else { "" }
    );
    Worked { answer: Answer::Nodes(top), why }
}

/// The nodes that count `node` a member of the ring, each by its own membership view.
fn members(world: &World, node: &str) -> Worked {
    let target = world.node_id(node);
    let counts = |n: NodeId| {
        let record = target.and_then(|t| world.node(n).membership().record(t));
        record.is_some_and(|r| r.status == MemberStatus::Joined)
    };
    let knowing: Vec<String> =
        world.node_ids().filter(|&n| counts(n)).map(|n| world.name(n).to_string()).collect();
    let unaware: Vec<String> = world
        .node_ids()
        .filter(|&n| !counts(n) && world.membership().record(n).is_some())
        .map(|n| world.name(n).to_string())
        .collect();
    let why = if unaware.is_empty() {
        format!(
            "{} count {node} a member: gossip carried the news to every node (§4.8.1).",
            join(&knowing)
        )
    } else {
        format!(
            "{} count {node} a member; {} do not count it (yet): news spreads round by round \
             through peers who know it, and never reaches a ring that knows no one here \
             (§4.8.1, §4.8.2).",
            join(&knowing),
            join(&unaware)
        )
    };
    Worked { answer: Answer::Nodes(knowing), why }
}

/// The strategy that balances the sample keys best on the run's nodes (§6.2).
fn best_strategy(spec: &WorldSpec) -> Worked {
    match compare(spec) {
        Ok(compared) => {
            let each: Vec<String> = compared
                .iter()
                .map(|c| {
                    format!(
                        "strategy {} {:.0}% ({} membership entries)",
                        c.strategy.number(),
                        c.load.efficiency * 100.0,
                        c.membership
                    )
                })
                .collect();
            let best = best(&compared).number();
            let tie = compared.iter().filter(|c| c.load.efficiency == compared[0].load.efficiency);
            let tied = if tie.count() > 1 { " (on a tie, the lowest number)" } else { "" };
            let why = format!(
                "Load-balancing efficiency (mean load / max load): {}. Strategy {best} spreads \
                 the load most evenly{tied}, over {} sample keys each counted on its N replicas \
                 (§6.2).",
                each.join(", "),
                crate::sim::strategies::SAMPLE_KEYS
            );
            Worked { answer: Answer::Count(u64::from(best)), why }
        }
        Err(e) => Worked { answer: Answer::Count(0), why: e },
    }
}

/// Who made a request's quorum, as its story in the time lanes tells it: "D and the
/// replies of C, A" (with the stand-ins, if any).
fn quorum(world: &World, op: OpId) -> Option<String> {
    let record = world.op(op)?;
    let diagram = spacetime::window(world, record.started, world.now());
    let story = spacetime::story(world, &diagram, op)?;
    let (_, answered_by, ok) = story.answered?;
    if !ok {
        return None;
    }
    let arrow = |m: u64| diagram.arrows.iter().find(|a| a.msg == m);
    let of_role = |role| {
        let msgs = story.roles.iter().filter(move |(_, r)| *r == role);
        msgs.filter_map(move |(m, _)| arrow(*m))
    };
    // The coordinator: the node whose puts or gets fanned out (a node outside the top N
    // forwarded the client's put to it, §4.5), else the node the client called.
    let fan_out = |k: MsgKind| matches!(k, MsgKind::Put | MsgKind::HintedPut | MsgKind::Get);
    let coordinator =
        of_role(spacetime::Role::Asks).find(|a| fan_out(a.kind)).map_or(answered_by, |a| a.from);
    let counted: Vec<String> = of_role(spacetime::Role::Counted)
        .filter(|a| a.to == coordinator && a.kind != MsgKind::ForwardReply)
        .map(|a| world.names()[a.from].clone())
        .collect();
    let stand_ins: Vec<String> = story
        .stand_ins
        .iter()
        .map(|&(h, o)| format!("{} standing in for {}", world.names()[h], world.names()[o]))
        .collect();
    let name = |lane: usize| world.names()[lane].clone();
    let n = world.config().n;
    let list = world.preference_list(&record.key);
    let replica = list.iter().take(n).any(|r| r.index() == coordinator);
    let own = if replica { " with its own copy" } else { "" };
    let mut text = if coordinator == answered_by {
        String::new()
    } else {
        format!("{} forwarded it to {}; ", name(answered_by), name(coordinator))
    };
    text.push_str(&if counted.is_empty() {
        format!("{} answered{own}, needing no reply", name(coordinator))
    } else {
        format!("{} answered{own} after the replies of {}", name(coordinator), join(&counted))
    });
    if !stand_ins.is_empty() {
        text.push_str(&format!(", {}", stand_ins.join(", ")));
    }
    Some(text)
}

/// The first range of `a`'s that `b` also replicates and where their roots differ (else
/// the first they share): what a lesson's Merkle view compares.
fn compared_range(world: &World, a: NodeId, b: NodeId) -> Option<crate::core::merkle::KeyRange> {
    let shared: Vec<_> = world
        .node(a)
        .hosted_ranges()
        .into_iter()
        .filter(|(_, replicas)| replicas.contains(&b))
        .map(|(range, _)| range)
        .collect();
    let root = |n: NodeId, r| world.node(n).merkle_tree(r).root();
    let differing = shared.iter().copied().find(|&r| root(a, r) != root(b, r));
    differing.or(shared.first().copied())
}

/// The latest operation of a client (of a kind, if given).
fn latest_op(world: &World, client: &str, kind: Option<OpKind>) -> Option<OpId> {
    let ops = world.ops();
    (ops.first_index()..ops.len()).rev().find_map(|i| {
        let op = ops.get(i)?;
        let fits = &*op.client == client && kind.is_none_or(|k| op.kind == k);
        fits.then_some(OpId(i as u64 + 1))
    })
}

/// Names as a list: "A", "A and B", "A, B and C"; "no node" for none.
fn join(names: &[String]) -> String {
    match names {
        [] => "no node".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::lessons::LESSONS;
    use crate::app::Cmd;

    /// Plays lesson `i` as a learner would, answering every question with `choose` (given
    /// the worked answer), and checks at every question that the worked-out answer is what
    /// the page then shows. Returns the page at the end, and the verdicts.
    fn play(i: usize, choose: impl Fn(&Answer) -> Answer) -> (Playground, Vec<bool>) {
        let mut p = Playground::new();
        crate::app::lessons::open(&mut p, i);
        let file = LESSONS[i].0;
        assert_eq!(p.scenario_message, None, "{file}");
        let mut verdicts = Vec::new();
        loop {
            p.finish_goal();
            let state = p.lesson.clone().expect("a lesson");
            let beat = state.current().clone();
            if let Some(ask) = &beat.ask {
                assert!(!state.ran, "{file} beat {}: it asks before it runs", state.beat + 1);
                let worked = state.answers[state.beat].clone().expect("an answer worked out");
                let keys_before = p.session.world().metrics().merkle_keys_sent;
                p.update(Cmd::Answer(choose(&worked.answer)));
                p.finish_goal();
                let seen =
                    super::worked(p.session.world(), &p.session.spec().world, ask, keys_before);
                assert_eq!(seen, worked, "{file} beat {}: what happened", state.beat + 1);
                verdicts.push(p.lesson.as_ref().unwrap().verdict().unwrap());
            }
            if state.beat + 1 == state.lesson.beats.len() {
                return (p, verdicts);
            }
            p.update(Cmd::NextBeat);
        }
    }

    #[test]
    fn every_lesson_plays_and_its_answers_are_what_then_happens() {
        for (i, (file, _)) in LESSONS.iter().enumerate() {
            let (_, right) = play(i, |a| a.clone());
            assert!(right.iter().all(|&r| r), "{file}: the worked answer is right");
            let wrong = |a: &Answer| match a {
                Answer::Nodes(n) if n.is_empty() => Answer::Nodes(vec!["A".into()]),
                Answer::Nodes(n) => Answer::Nodes(n[1..].to_vec()),
                Answer::YesNo(b) => Answer::YesNo(!b),
                Answer::Count(c) => Answer::Count(c + 1),
            };
            let (_, right) = play(i, wrong);
            assert!(right.iter().all(|&r| !r), "{file}: another answer is wrong");
        }
    }

    /// The index of a lesson by its file name.
    fn lesson(file: &str) -> usize {
        LESSONS.iter().position(|(f, _)| *f == file).expect("a lesson of lessons/")
    }

    /// The worked answers of lesson `i` and why, for reading the lesson against them.
    fn answers(i: usize) -> Vec<(Answer, String)> {
        let (p, _) = play(i, |a| a.clone());
        let state = p.lesson.unwrap();
        state.answers.into_iter().flatten().map(|w| (w.answer, w.why)).collect()
    }

    /// The page at the end of beat `beat` (from 0) of lesson `i`, its questions answered.
    fn at_beat(i: usize, beat: usize) -> Playground {
        let mut p = Playground::new();
        crate::app::lessons::open(&mut p, i);
        loop {
            p.finish_goal();
            let state = p.lesson.as_ref().unwrap();
            if !state.ran {
                let answer = state.answers[state.beat].clone().unwrap().answer;
                p.update(Cmd::Answer(answer));
                p.finish_goal();
            }
            if p.lesson.as_ref().unwrap().beat == beat {
                return p;
            }
            p.update(Cmd::NextBeat);
        }
    }

    #[test]
    fn each_beat_of_the_hinted_handoff_lesson_says_what_the_run_shows() {
        let id = |p: &Playground, n: &str| p.session.world().node_id(n).unwrap();
        let p = at_beat(lesson("hinted-handoff.json"), 1);
        let (d, b) = (id(&p, "D"), id(&p, "B"));
        assert!(p.session.world().node(d).believed_down().contains_key(&b), "D believes B down");
        let p = at_beat(lesson("hinted-handoff.json"), 3);
        let held = p.session.world().hinted_replicas(id(&p, "A"));
        assert_eq!(held.len(), 1);
        assert_eq!((held[0].0, held[0].1.as_str()), (id(&p, "B"), "cart"), "A keeps B's cart");
        assert!(p.session.world().node(id(&p, "A")).store().get("cart").is_empty(), "apart");
        let p = at_beat(lesson("hinted-handoff.json"), 4);
        assert!(p.session.world().hinted_replicas(id(&p, "A")).is_empty(), "handed back");
        // The time lanes follow c1's latest request once the beat's steps have run: the put.
        let mut p = at_beat(lesson("hinted-handoff.json"), 2);
        p.update(Cmd::Tick(16.0));
        let Some(Selected::SpaceTime { filter, .. }) = p.selected else { panic!("lanes") };
        let op = p.session.world().op(filter.story.expect("a story")).unwrap();
        assert_eq!(op.kind, OpKind::Put, "the put at 60 ms, not the get before it");
    }

    #[test]
    fn each_beat_of_the_anti_entropy_lesson_says_what_the_run_shows() {
        let p = at_beat(lesson("anti-entropy.json"), 1);
        let world = p.session.world();
        let a = world.node_id("A").unwrap();
        assert!(world.node(a).store().is_empty(), "A's disk is wiped");
        assert!(!world.differing_ranges().is_empty(), "roots differ where A kept keys");
        let p = at_beat(lesson("anti-entropy.json"), 3);
        let world = p.session.world();
        assert!(!world.node(a).store().is_empty() && world.replicas_agree(), "A is rebuilt");
    }

    #[test]
    fn the_hinted_handoff_lesson_tells_the_papers_story() {
        let nodes = |n: &[&str]| Answer::Nodes(n.iter().map(|s| s.to_string()).collect());
        let got = answers(lesson("hinted-handoff.json"));
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(
            just,
            [
                nodes(&["B", "C", "D"]),
                Answer::YesNo(true),
                nodes(&["B", "C", "D"]),
                Answer::Count(1)
            ],
            "{got:#?}"
        );
        assert!(got[0].1.contains("the top N = 3, D, C, B, then A"), "{}", got[0].1);
        let quorum =
            "D answered with its own copy after the replies of C and A, A standing in for B";
        assert!(got[1].1.contains(quorum), "{got:?}");
    }

    #[test]
    fn the_anti_entropy_lesson_sends_only_the_wiped_nodes_keys() {
        let i = lesson("anti-entropy.json");
        let got = answers(i);
        assert_eq!(got[0].0, Answer::Count(8), "A gets its 8 keys back: {got:?}");
        assert!(got[0].1.starts_with("A holds 8 keys; anti-entropy sent"), "{got:?}");
        let before = at_beat(i, 0);
        let a = before.session.world().node_id("A").unwrap();
        assert_eq!(before.session.world().node(a).store().len(), 8, "A held 8 keys");
        // Beat 2 shows A's tree beside C's over a range where they differ.
        let mut p = at_beat(i, 1);
        p.update(Cmd::Tick(16.0));
        let Some(Selected::Merkle(pick)) = p.selected else { panic!("{:?}", p.selected) };
        let view = crate::app::merkle::exchange(p.session.world(), pick).unwrap();
        assert!(view.levels[0].differing == 1 && view.levels.len() > 1, "the roots differ");
    }

    #[test]
    fn the_shopping_cart_lesson_brings_the_deleted_kettle_back() {
        let got = answers(lesson("shopping-cart.json"));
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(just, [Answer::YesNo(true), Answer::Count(2), Answer::Count(1)], "{got:#?}");
        assert!(got[0].1.contains("A answered with its own copy, needing no reply"), "{got:?}");
        let siblings = "Mixer 1,Tea 2,Spatula 4,Strainer 2,Kettle 1 [A:1, B:1] | \
                        Mixer 1,Tea 3,Teapot 1,Spatula 4,Strainer 1 [A:2]";
        assert!(got[1].1.contains(siblings), "Alice's cart [A:2], Bob's [A:1, B:1]: {got:#?}");
        let final_cart = &got[2].1;
        for item in ["Kettle 1", "Tea 3", "Tea 2", "Teapot 1", "Strainer 2"] {
            assert!(final_cart.contains(item), "{item} in the union: {final_cart}");
        }
    }

    #[test]
    fn the_quorum_lesson_fails_without_w_replicas_and_succeeds_after_recovery() {
        let i = lesson("quorums.json");
        let got = answers(i);
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(just, [Answer::YesNo(false), Answer::YesNo(true)], "{got:#?}");
        let forwarded = "A forwarded it to D; D answered with its own copy after the replies of B";
        assert!(got[1].1.contains(forwarded), "{got:?}");
        assert!(got[0].1.starts_with("c1: put timed out: 1 of W=2 replicas acknowledged"));
        let p = at_beat(i, 1);
        let world = p.session.world();
        let replicas: Vec<&str> =
            world.preference_list("cart")[..3].iter().map(|&n| world.name(n)).collect();
        assert_eq!(replicas, ["D", "C", "B"], "A is not a replica: it forwards to D");
        assert!(!world.is_up(world.node_id("B").unwrap()) && !world.config().sloppy_quorum);
    }

    #[test]
    fn the_replication_lesson_walks_to_distinct_nodes_and_a_stand_in() {
        let i = lesson("replication.json");
        let nodes = |n: &[&str]| Answer::Nodes(n.iter().map(|s| s.to_string()).collect());
        let got = answers(i);
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(just, [nodes(&["A", "C", "D"]), nodes(&["B"])], "{got:#?}");
        // What the beats say of the ring: basket's walk, and its preference list.
        let p = at_beat(i, 0);
        let world = p.session.world();
        let tokens = world.ring().tokens();
        let at = crate::core::ring::key_position("basket");
        let first = tokens.iter().position(|(t, _)| *t >= at).unwrap_or(0);
        let walk: Vec<&str> =
            (0..5).map(|k| world.name(tokens[(first + k) % tokens.len()].1)).collect();
        assert_eq!(walk, ["C", "C", "D", "A", "C"]);
        let list: Vec<&str> =
            world.preference_list("basket").iter().map(|&n| world.name(n)).collect();
        assert_eq!(list, ["C", "D", "A", "B", "E"]);
        let wishlist: Vec<&str> =
            world.preference_list("wishlist")[..3].iter().map(|&n| world.name(n)).collect();
        assert_eq!(wishlist, ["D", "E", "B"], "alice writes wishlist through its coordinator");
    }

    #[test]
    fn the_truncation_lesson_makes_a_false_conflict() {
        let i = lesson("truncation.json");
        let got = answers(i);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, Answer::Count(2), "{got:?}");
        assert!(got[0].1.contains("v2 [C:1, D:1] | v3 [B:1, C:1]"), "{got:?}");
        let p = at_beat(i, 3);
        let history = crate::app::versions::history(p.session.world(), "profile");
        let values: Vec<&str> = history.versions.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, ["v1", "v2", "v3"]);
        assert_eq!(history.hidden, [(1, 2)], "v2 ⇢ v3, hidden by truncation");
        assert!(history.versions[2].truncated);
    }

    #[test]
    fn the_joining_lesson_moves_three_ranges_as_the_paper_says() {
        let i = lesson("joining.json");
        let holders = |p: &Playground, key: &str| -> Vec<String> {
            let world = p.session.world();
            let held = world.node_ids().filter(|&n| !world.node(n).store().get(key).is_empty());
            let mut names: Vec<String> = held.map(|n| world.name(n).to_string()).collect();
            names.sort();
            names
        };
        let before = at_beat(i, 0);
        assert_eq!(holders(&before, "apple"), ["A", "B", "C"], "(G, A]");
        assert_eq!(holders(&before, "kiwi"), ["A", "B", "G"], "(F, G]");
        assert_eq!(holders(&before, "papaya"), ["B", "C", "D"], "(A, X]");
        assert_eq!(holders(&before, "lemon"), ["B", "C", "D"], "(X, B]");
        let after = at_beat(i, 3);
        assert_eq!(holders(&after, "apple"), ["A", "B", "X"], "C gave up (G, A]");
        assert_eq!(holders(&after, "kiwi"), ["A", "G", "X"], "B gave up (F, G]");
        assert_eq!(holders(&after, "papaya"), ["B", "C", "X"], "D gave up (A, X]");
        assert_eq!(holders(&after, "lemon"), ["B", "C", "D"], "(X, B] did not move");
        let got = answers(i);
        let nodes = |n: &[&str]| Answer::Nodes(n.iter().map(|s| s.to_string()).collect());
        assert_eq!(got[0].0, nodes(&["A", "B", "X"]), "{got:?}");
        assert_eq!(got[1].0, nodes(&["A", "B", "C"]), "X left and handed apple back to C");
        let left = at_beat(i, 4);
        let world = left.session.world();
        assert!(world.node(world.node_id("X").unwrap()).store().is_empty(), "X keeps nothing");
    }

    #[test]
    fn the_stale_read_lesson_misses_a_write_its_quorum_did_not_overlap() {
        let i = lesson("stale-reads.json");
        let got = answers(i);
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(
            just,
            [Answer::YesNo(true), Answer::YesNo(false), Answer::YesNo(true)],
            "{got:#?}"
        );
        assert!(got[0].1.contains("E standing in for"), "a stand-in made the quorum: {got:?}");
        let p = at_beat(i, 0);
        let world = p.session.world();
        let list: Vec<&str> =
            world.preference_list("cart")[..3].iter().map(|&n| world.name(n)).collect();
        assert_eq!(list, ["D", "A", "C"]);
        let p = at_beat(i, 2);
        let e = p.session.world().node_id("E").unwrap();
        assert_eq!(p.session.world().hinted_replicas(e).len(), 1, "E holds a hinted replica");
    }

    #[test]
    fn a_clickers_next_with_an_answer_typed_checks_it() {
        let mut p = Playground::new();
        crate::app::lessons::open(&mut p, lesson("versioning.json"));
        for _ in 0..2 {
            p.finish_goal();
            p.update(Cmd::Key(crate::app::Key::Next));
        }
        p.finish_goal();
        assert!(!p.lesson.as_ref().unwrap().ran, "beat 3 asks");
        p.update(Cmd::TypeAnswer("2".into()));
        p.update(Cmd::Key(crate::app::Key::Next));
        p.finish_goal();
        let state = p.lesson.as_ref().unwrap();
        assert_eq!(state.beat, 2, "still beat 3, now answered");
        assert_eq!(state.verdict(), Some(true));
    }

    #[test]
    fn the_lost_hint_lesson_needs_anti_entropy_to_repair_the_owner() {
        let i = lesson("lost-hint.json");
        let got = answers(i);
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(just, [Answer::YesNo(false), Answer::YesNo(true)], "{got:#?}");
        let p = at_beat(i, 0);
        let world = p.session.world();
        let (a, b) = (world.node_id("A").unwrap(), world.node_id("B").unwrap());
        assert_eq!(world.hinted_replicas(a).len(), 1, "A keeps B's replica");
        assert!(world.membership().record(b).is_some(), "B keeps its place on the ring");
        let p = at_beat(i, 1);
        assert!(p.session.world().hinted_replicas(a).is_empty(), "the hint went with A's disk");
    }

    #[test]
    fn the_local_failure_detection_lesson_has_nodes_disagree() {
        let i = lesson("local-failure-detection.json");
        let got = answers(i);
        let just: Vec<Answer> = got.iter().map(|(a, _)| a.clone()).collect();
        let nodes = |n: &[&str]| Answer::Nodes(n.iter().map(|s| s.to_string()).collect());
        assert_eq!(just, [nodes(&["D"]), Answer::YesNo(true)], "{got:#?}");
        let p = at_beat(i, 0);
        let world = p.session.world();
        let list: Vec<&str> =
            world.preference_list("cart")[..3].iter().map(|&n| world.name(n)).collect();
        assert_eq!(list, ["D", "C", "B"]);
        let p = at_beat(i, 3);
        let world = p.session.world();
        let b = world.node_id("B").unwrap();
        assert!(world.is_up(b), "B was up all along");
        let c = world.node_id("C").unwrap();
        assert!(!world.node(c).believed_down().contains_key(&b), "C does not believe B down");
        // C's get heard from D and from B.
        let op = latest_op(world, "c2", Some(OpKind::Get)).unwrap();
        let diagram = spacetime::window(world, 0, world.now());
        let story = spacetime::story(world, &diagram, op).unwrap();
        let mut replied: Vec<&str> = story
            .roles
            .iter()
            .filter(|(_, r)| matches!(r, spacetime::Role::Counted | spacetime::Role::Late))
            .filter_map(|(m, _)| diagram.arrows.iter().find(|a| a.msg == *m))
            .map(|a| world.name(NodeId(a.from as u32)))
            .collect();
        replied.sort();
        assert_eq!(replied, ["B", "D"]);
    }

    #[test]
    fn the_versioning_lesson_is_figure_3() {
        let (p, _) = play(lesson("versioning.json"), |a| a.clone());
        let state = p.lesson.as_ref().unwrap();
        let answers: Vec<Answer> =
            state.answers.iter().flatten().map(|w| w.answer.clone()).collect();
        assert_eq!(answers, [Answer::Count(2), Answer::Count(1)], "siblings, then D5 alone");
        assert!(state.answers[2]
            .as_ref()
            .unwrap()
            .why
            .contains("D3 [Sx:2, Sy:1] | D4 [Sx:2, Sz:1]"));
        let history = crate::app::versions::history(p.session.world(), "D");
        let values: Vec<&str> = history.versions.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, ["D1", "D2", "D3", "D4", "D5"]);
        assert_eq!(p.selected, Some(Selected::Versions("D".into())));
    }

    #[test]
    fn going_back_a_beat_returns_to_where_it_ended_and_leaving_the_script_can_be_undone() {
        let mut p = Playground::new();
        crate::app::lessons::open(&mut p, lesson("versioning.json"));
        p.finish_goal();
        p.update(Cmd::NextBeat);
        p.finish_goal();
        let second = p.session.world().trace().hash();
        p.update(Cmd::NextBeat); // beat 3 asks: nothing runs yet
        p.finish_goal();
        assert_eq!(p.session.world().trace().hash(), second, "a question waits for its answer");
        p.update(Cmd::PreviousBeat);
        p.finish_goal();
        assert_eq!(p.lesson.as_ref().unwrap().beat, 1);
        assert_eq!(p.session.world().trace().hash(), second);
        // A click of the learner's leaves the script; back to the lesson undoes it.
        p.update(Cmd::Crash(NodeId(1)));
        assert!(p.off_script());
        let off = p.session.world().trace().hash();
        p.update(Cmd::NextBeat);
        p.update(Cmd::Key(crate::app::Key::Next));
        p.finish_goal();
        assert_eq!(p.lesson.as_ref().unwrap().beat, 1, "off the script, the beats wait");
        assert_eq!(p.session.world().trace().hash(), off, "and the script's steps are not taken");
        p.update(Cmd::BackToLesson);
        p.finish_goal();
        assert!(!p.off_script());
        assert_eq!(p.lesson.as_ref().unwrap().beat, 1);
        assert_eq!(p.session.world().trace().hash(), second);
    }

    #[test]
    fn the_ring_lesson_says_where_cart_lands_and_gives_d_twice_the_tokens() {
        let i = lesson("ring.json");
        // "about a third of the way round, just before 4 o'clock" (12 o'clock is 0).
        let at = ring_fraction(crate::core::ring::key_position("cart"));
        assert!((0.3..1.0 / 3.0).contains(&at), "{at}");
        let p = at_beat(i, 2);
        let world = p.session.world();
        let tokens = |n: &str| world.ring().tokens_of(world.node_id(n).unwrap()).len();
        assert_eq!([tokens("A"), tokens("B"), tokens("C"), tokens("D")], [4, 4, 4, 8]);
        assert_eq!(world.config().n, 1, "each key on one node");
        let keys: usize = world.node_ids().map(|n| world.node(n).store().len()).sum();
        assert_eq!(keys, 121, "the load wrote all 120 keys, and cart");
        let got = answers(i);
        let nodes = |n: &[&str]| Answer::Nodes(n.iter().map(|s| s.to_string()).collect());
        assert_eq!(got[0].0, nodes(&["D"]), "{got:?}");
        assert_eq!(got[1].0, nodes(&["D"]), "{got:?}");
        // C is next after D's token, and keeps the write for D though A coordinated it.
        assert_eq!(got[2].0, nodes(&["C"]), "{got:?}");
        assert!(got[0].1.contains("the top N = 1, D, then C"), "{got:?}");
    }

    #[test]
    fn the_gossip_lesson_splits_the_ring_when_nodes_have_no_seed() {
        let i = lesson("gossip.json");
        let p = at_beat(i, 4);
        let world = p.session.world();
        let id = |n: &str| world.node_id(n).unwrap();
        let members = |n: &str| -> Vec<String> {
            world.node(id(n)).membership().members().map(|m| world.name(m).to_string()).collect()
        };
        assert_eq!(members("A"), ["A", "B", "C", "D", "X"]);
        assert_eq!(members("Y"), ["Y", "Z"]);
        assert_eq!(members("Z"), ["Y", "Z"]);
        let got = answers(i);
        let nodes = |n: &[&str]| Answer::Nodes(n.iter().map(|s| s.to_string()).collect());
        assert_eq!(got[0].0, nodes(&["A", "B", "C", "D", "X"]), "X is known to all by gossip");
        assert_eq!(got[1].0, nodes(&["Y", "Z"]), "{got:?}");
        assert!(
            got[1].1.contains("as Y sees the ring: the top N = 3, Z, Y — the whole"),
            "{got:?}"
        );
        assert_eq!(got[2].0, Answer::YesNo(false), "carol reads nothing through A");
    }

    #[test]
    fn the_strategies_lesson_finds_strategy_3_best_and_x_takes_whole_partitions() {
        let i = lesson("strategies.json");
        let got = answers(i);
        assert_eq!(got[0].0, Answer::Count(3), "{got:?}");
        assert!(got[0].1.contains("strategy 2 74%"), "the paper's worst is worst here too");
        let p = at_beat(i, 3);
        let world = p.session.world();
        let x = world.node_id("X").unwrap();
        let q = 64;
        let ends: Vec<_> = (0..q).map(|k| crate::core::partition::partition_end(q, k)).collect();
        let taken = world.ring().tokens_of(x);
        assert!(taken.len() >= 2 && taken.iter().all(|t| ends.contains(t)), "{taken:?}");
        assert_eq!(world.ring().tokens().len(), 64, "still Q partitions, a token each");
        assert!(!world.node(x).store().is_empty(), "X took keys over with its partitions");
    }

    #[test]
    fn the_weak_quorum_lesson_reads_stale_after_an_acknowledged_write() {
        let i = lesson("weak-quorum.json");
        let p = at_beat(i, 2);
        let world = p.session.world();
        let list: Vec<&str> =
            world.preference_list("cart").into_iter().take(3).map(|n| world.name(n)).collect();
        assert_eq!(list, ["E", "A", "B"], "cart's replicas, as the notes say");
        let ops: Vec<_> = (1..=3).map(|k| world.op(OpId(k)).unwrap().clone()).collect();
        let answered = |k: usize| ops[k].finished.expect("answered");
        assert!(answered(0) < ops[1].started, "the put was acknowledged before the get began");
        let got = answers(i);
        assert_eq!(got[0].0, Answer::YesNo(false), "{got:?}");
        assert_eq!(got[1].0, Answer::YesNo(true), "{got:?}");
        assert!(got[0].1.contains("returned nothing"), "{got:?}");
    }
}
