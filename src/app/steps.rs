//! The step list and stepping through it: every step of the run (taken, or still to come
//! from an opened file), in words; "next step", "previous step" and a click on a step.
//! The session does the running ([`Session::advance_before`] and friends); this decides
//! where to go and says what each step is.

use super::describe::ms;
use super::{Playground, EVENTS_PER_FRAME};
use crate::core::{Time, MS};
use crate::sim::scenario::{Action, Context, Op, Step};
use crate::sim::session::{Moment, Session};

/// How long "next step" waits at most, in virtual time, for a step's messages to settle
/// (a put to a crashed replica leaves a hint that waits much longer).
pub const STEP_WINDOW: Time = 1_000 * MS;

/// Where stepping is taking the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// Just before step `i` is taken.
    Before(usize),
    /// Step `i` taken, then on until its messages settle or virtual time `until`.
    After { index: usize, until: Option<Time> },
    /// Exactly this moment (a link's, or a file's `end`).
    Moment(Moment),
}

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Taken,
    /// The next to be taken.
    Next,
    Later,
}

/// One row of the step list.
#[derive(Clone, Debug, PartialEq)]
pub struct StepRow {
    pub index: usize,
    /// Its virtual time: exact once taken; as the file says before.
    pub when: String,
    pub text: String,
    pub state: StepState,
    /// Why it was refused, if it was.
    pub refused: Option<String>,
}

/// Every step of the run on screen, in order: those taken (or to be replayed) at their
/// moments, then the opened file's steps not reached yet.
pub fn rows(session: &Session) -> Vec<StepRow> {
    let next = session.next_input();
    let state = |i: usize| match i.cmp(&next) {
        std::cmp::Ordering::Less => StepState::Taken,
        std::cmp::Ordering::Equal => StepState::Next,
        std::cmp::Ordering::Greater => StepState::Later,
    };
    let taken = session.inputs().iter().enumerate().map(|(i, input)| StepRow {
        index: i,
        when: ms(input.at),
        text: text(&input.op),
        state: state(i),
        refused: input.refused.clone(),
    });
    let first = session.inputs().len();
    let waiting = session.script_left().iter().enumerate().map(|(j, step)| StepRow {
        index: first + j,
        when: when_written(step),
        text: text(&step.op),
        state: state(first + j),
        refused: None,
    });
    taken.chain(waiting).collect()
}

/// A step's time as its file gives it.
fn when_written(step: &Step) -> String {
    match step.at() {
        Some(at) => ms(at),
        None => "then".into(),
    }
}

/// What a step does, in words.
pub fn text(op: &Op) -> String {
    let action = match op {
        Op::Act(action) => action,
        Op::Settle { max_ms } => {
            let most = max_ms.unwrap_or(10_000.0);
            return format!("wait until the cluster settles (at most {most} ms)");
        }
    };
    let via = |via: &Option<String>| match via {
        Some(node) => format!(" via {node}"),
        None => " via its coordinator".into(),
    };
    match action {
        Action::Put { client, key, value, via: v, context } => {
            let blind = if *context == Context::None { " (blind, no context)" } else { "" };
            format!("{client} puts {key} = {value:?}{}{blind}", via(v))
        }
        Action::Get { client, key, via: v } => format!("{client} gets {key}{}", via(v)),
        Action::Reconcile { client, key, via: v } => {
            format!("{client} reconciles {key}: writes back the union of its siblings{}", via(v))
        }
        Action::Crash { node } => format!("{node} crashes"),
        Action::Recover { node } => format!("{node} recovers"),
        Action::Wipe { node } => format!("{node}'s disk is wiped"),
        Action::Partition { groups } => {
            let sides: Vec<String> = groups.iter().map(|g| g.join(" ")).collect();
            format!("the network splits: {}", sides.join(" | "))
        }
        Action::Heal {} => "the partition heals".into(),
        Action::Link { a, b, drop_rate, extra_delay_ms } => {
            if *drop_rate == 0.0 && *extra_delay_ms == 0.0 {
                format!("link {a}–{b} mended")
            } else {
                let drop = drop_rate * 100.0;
                format!("link {a}–{b}: drops {drop}%, {extra_delay_ms} ms slower")
            }
        }
        Action::Network { drop_rate, .. } => {
            format!("the network changes (drop rate {}%)", drop_rate * 100.0)
        }
        Action::Join { node, .. } => format!("{node} joins the ring"),
        Action::Leave { node } => format!("{node} leaves the ring"),
        Action::AntiEntropy {} => "every node starts an anti-entropy round".into(),
        Action::Load { on: true } => "the background load starts".into(),
        Action::Load { on: false } => "the background load stops".into(),
    }
}

/// One line on what the steps have done and what comes next (the strip's chips are short):
/// at the start, the scenario's description; None when the run has no steps.
pub fn caption(p: &Playground) -> Option<String> {
    let rows = rows(&p.session);
    let next = p.session.next_input();
    let count = rows.len();
    if count == 0 {
        return None;
    }
    let upcoming =
        rows.get(next).map(|r| format!("Next: step {} at {} — {}.", next + 1, r.when, r.text));
    let done = next.checked_sub(1).map(|i| {
        let r = &rows[i];
        let outcome = r.refused.as_ref().map(|e| format!(" — {e}")).unwrap_or_default();
        format!("Step {} of {count} done: {}{outcome}.", i + 1, r.text)
    });
    match (done, upcoming) {
        (None, Some(upcoming)) => Some(match &p.header.description {
            Some(about) => format!("{about} {upcoming}"),
            None => format!("{count} steps. {upcoming}"),
        }),
        (Some(done), Some(upcoming)) => Some(format!("{done} {upcoming}")),
        (Some(done), None) => Some(format!("{done} That was the last step: Play runs on.")),
        (None, None) => None,
    }
}

impl Playground {
    /// Each client card shows the key, value and node of its client's latest request taken
    /// so far (a file's steps move them as the run goes; a student's next Put then sends
    /// what the scenario did, not what the card held at the start).
    pub(super) fn follow_steps(&mut self) {
        let taken = &self.session.inputs()[..self.session.next_input()];
        let world = self.session.world();
        for card in &mut self.clients {
            let latest = taken.iter().rev().find_map(|input| match &input.op {
                Op::Act(
                    Action::Put { client, key, via, .. }
                    | Action::Get { client, key, via }
                    | Action::Reconcile { client, key, via },
                ) if *client == card.name => Some((&input.op, key, via)),
                _ => None,
            });
            let Some((op, key, via)) = latest else { continue };
            card.key = key.clone();
            if let Op::Act(Action::Put { value, .. }) = op {
                card.value = value.clone();
            }
            if let Some(node) = via.as_deref().and_then(|name| world.node_id(name)) {
                card.via = node;
            }
        }
    }

    /// How many steps the run has: taken, and still to come from an opened file.
    pub fn step_count(&self) -> usize {
        self.session.inputs().len() + self.session.script_left().len()
    }

    /// Runs the next step, then until its messages settle.
    pub(super) fn next_step(&mut self) {
        let index = self.session.next_input();
        if index >= self.step_count() {
            return; // the strip says "end", and the button is off
        }
        self.start(Goal::After { index, until: None });
    }

    /// Goes back to just before the latest step taken.
    pub(super) fn previous_step(&mut self) {
        // Before the first step already, nothing to do (the button is off).
        if let Some(index) = self.session.next_input().checked_sub(1) {
            self.go_to_step(index);
        }
    }

    /// Goes to just before step `index`.
    pub(super) fn go_to_step(&mut self, index: usize) {
        if index >= self.step_count() {
            return;
        }
        self.session.jump_before(index);
        self.start(Goal::Before(index));
    }

    /// Sets off towards `goal`: short ways are done at once, long ones frame by frame.
    pub(super) fn start(&mut self, goal: Goal) {
        self.playing = false;
        self.seeking = None;
        self.scenario_message = None;
        if let Goal::Moment(m) = goal {
            self.session.jump_back_to(m.steps, m.inputs);
        }
        self.pursue(goal);
    }

    /// All the way to the goal set off towards, at once (for a hidden page: the lesson's
    /// copy, or tests). Every goal ends: a step's window is bounded, and so is a file.
    pub(super) fn finish_goal(&mut self) {
        while let Some(goal) = self.goal {
            self.pursue(goal);
        }
    }

    /// One frame's worth of the way to `goal`.
    pub(super) fn pursue(&mut self, goal: Goal) {
        let session = &mut self.session;
        self.goal = match goal {
            Goal::Before(index) => {
                (!session.advance_before(index, EVENTS_PER_FRAME)).then_some(goal)
            }
            Goal::After { index, until: None } => {
                if !session.advance_before(index, EVENTS_PER_FRAME) {
                    Some(goal)
                } else if session.next_input() == index && session.step() {
                    let until = session.world().now() + STEP_WINDOW;
                    let settled = session.advance_while_busy(until, EVENTS_PER_FRAME);
                    (!settled).then_some(Goal::After { index, until: Some(until) })
                } else {
                    None
                }
            }
            Goal::After { until: Some(until), .. } => {
                (!session.advance_while_busy(until, EVENTS_PER_FRAME)).then_some(goal)
            }
            Goal::Moment(m) => (!session.advance_to(m, EVENTS_PER_FRAME)).then_some(goal),
        };
    }
}
