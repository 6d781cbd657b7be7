//! A playground session: a world, an optional background load, and every step the user
//! took, each with the exact moment it was taken (how many events had been handled, and
//! the virtual time). Because the world is deterministic, replaying those steps from the
//! seed rebuilds any earlier moment exactly: that is the page's time travel.
//!
//! A session is also the one executor of scenario files: a file's steps wait in a *script*
//! and are taken, in order, when they fall due (see [`Step`] for when that is); a step
//! taken joins the recorded ones, at its exact moment. The CLI runs a file this way, and
//! the page records clicks the same way, so a page session saved as a file replays in the
//! CLI to the same trace hash.
//!
//! Acting in the past does not throw the old future away: it starts a new *branch* (as
//! RaftScope's "fork" does), and every branch can be gone back to.
//!
//! Going back does not replay from the start: while the run goes forward the session keeps
//! copies of it (checkpoints), and a jump restores the latest copy before the moment and
//! replays only from there.
//! Nothing here is protocol logic; the page and its tests drive the world through this.

use super::scenario::step::check_sides;
use super::scenario::{Action, Context, Op, Step, DEFAULT_SETTLE};
use super::workload::{Workload, WorkloadSpec};
use super::world::{World, WorldSpec};
use crate::core::clock::VectorClock;
use crate::core::message::{ClientReply, OpId};
use crate::core::ring::parse_position;
use crate::core::version::Version;
use crate::core::{Time, MS};
use crate::sim::trace::OpKind;
use std::rc::Rc;

/// Everything a session starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSpec {
    pub world: WorldSpec,
    pub load: WorkloadSpec,
    /// Whether the background load runs from the start.
    pub load_on: bool,
}

/// A step taken, and the exact moment it was taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Events and operations handled before it.
    pub steps: u64,
    pub at: Time,
    pub op: Op,
    /// Which of the script's steps it is, if it came from the script (a file) rather than
    /// a click.
    pub scripted: Option<usize>,
    /// Why it was refused, if it was (only a scripted step is kept when refused, so that
    /// the file's steps and the recorded ones stay in step), or why a settle failed.
    pub refused: Option<String>,
    /// The client operation it started, if any.
    pub op_id: Option<OpId>,
}

impl Input {
    /// The step as a file holds it: at its exact moment.
    pub fn to_step(&self) -> Step {
        Step {
            at_ms: Some(self.at as f64 / MS as f64),
            after_events: Some(self.steps),
            op: self.op.clone(),
        }
    }
}

/// A moment of a run, exactly: the virtual time, the events handled and the steps taken
/// (several things can happen at one virtual instant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moment {
    pub at: Time,
    pub steps: u64,
    pub inputs: usize,
}

/// At most this many branches are kept; a new one beyond it lets the oldest go (never the
/// one the user is on).
pub const MAX_BRANCHES: usize = 16;

/// At most this many checkpoints are kept (on the branch being run); when full, every other
/// one is let go and they are taken half as often.
pub const MAX_CHECKPOINTS: usize = 32;

/// Steps (events and operations) between checkpoints at first.
pub const CHECKPOINT_EVERY: u64 = 20_000;

/// A copy of the run at one moment, to go back to.
struct Checkpoint {
    steps: u64,
    next_input: usize,
    world: World,
    load: Workload,
    load_on: bool,
}

/// One line of the run's history: the actions taken on it and how far it went.
#[derive(Clone)]
struct Branch {
    /// 1 for the first; numbers are never reused.
    number: usize,
    inputs: Vec<Input>,
    /// The file's steps, and the first not taken yet (they are taken at the branch's end,
    /// once every recorded input has been replayed).
    script: Rc<[Step]>,
    script_next: usize,
    /// The furthest virtual time reached on it.
    horizon: Time,
    /// The branch it left and when (None for the first).
    forked_from: Option<(usize, Time)>,
    /// Copies of the run on this branch, oldest first (shared with the branch it left, up
    /// to the fork), and the steps between them.
    checkpoints: Vec<Rc<Checkpoint>>,
    every: u64,
}

/// What the page shows of a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchInfo {
    pub number: usize,
    /// The branch it left and when (None for the first).
    pub forked_from: Option<(usize, Time)>,
    /// How far it went.
    pub horizon: Time,
    /// How many actions were taken on it (those before the fork included).
    pub actions: usize,
}

/// What happens next.
enum Next {
    /// A recorded input, replayed.
    Input,
    /// The script's next step, taken now.
    Script,
    Event,
    Op(Time),
}

/// A running session.
pub struct Session {
    spec: SessionSpec,
    world: World,
    load: Workload,
    load_on: bool,
    /// Events and operations handled so far.
    steps: u64,
    /// Every branch kept, oldest first, and the one being run.
    branches: Vec<Branch>,
    current: usize,
    /// The first input of the current branch not applied yet (after a rewind, later
    /// inputs wait their turn).
    next_input: usize,
}

impl Session {
    /// A fresh session at time 0. Refuses impossible specs.
    pub fn new(spec: SessionSpec) -> Result<Session, String> {
        Session::with_script(spec, Vec::new())
    }

    /// A fresh session at time 0 that will take a scenario's steps as they fall due.
    pub fn with_script(spec: SessionSpec, script: Vec<Step>) -> Result<Session, String> {
        let world = World::new(spec.world.clone())?;
        let load = Workload::new(spec.load.clone(), 0);
        let load_on = spec.load_on;
        Ok(Session {
            spec,
            world,
            load,
            load_on,
            steps: 0,
            branches: vec![Branch {
                number: 1,
                inputs: Vec::new(),
                script: script.into(),
                script_next: 0,
                horizon: 0,
                forked_from: None,
                checkpoints: Vec::new(),
                every: CHECKPOINT_EVERY,
            }],
            current: 0,
            next_input: 0,
        })
    }

    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world as it is now, the session done with.
    pub fn into_world(self) -> World {
        self.world
    }

    pub fn load_on(&self) -> bool {
        self.load_on
    }

    /// The furthest virtual time reached on this branch: the scrubber's end.
    pub fn horizon(&self) -> Time {
        self.branch().horizon
    }

    fn branch(&self) -> &Branch {
        &self.branches[self.current]
    }

    fn branch_mut(&mut self) -> &mut Branch {
        &mut self.branches[self.current]
    }

    /// Notes how far the run went.
    fn reach(&mut self) {
        let now = self.world.now();
        let branch = self.branch_mut();
        branch.horizon = branch.horizon.max(now);
    }

    /// The branch being run.
    pub fn current_branch(&self) -> BranchInfo {
        self.info(self.branch())
    }

    /// Every branch kept, oldest first.
    pub fn branches(&self) -> Vec<BranchInfo> {
        self.branches.iter().map(|b| self.info(b)).collect()
    }

    fn info(&self, branch: &Branch) -> BranchInfo {
        BranchInfo {
            number: branch.number,
            forked_from: branch.forked_from,
            horizon: branch.horizon,
            actions: branch.inputs.len(),
        }
    }

    /// Events and client operations handled so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The moment the run is at.
    pub fn moment(&self) -> Moment {
        Moment { at: self.world.now(), steps: self.steps, inputs: self.next_input }
    }

    /// Runs on to moment `m` (handling at most `budget` things): until that many events
    /// were handled and steps taken, and everything due before its virtual time (at a
    /// moment the run really had, there is nothing left before it). Returns whether it got
    /// there. Going back first: [`Session::jump_back_to`].
    pub fn advance_to(&mut self, m: Moment, budget: u64) -> bool {
        for _ in 0..budget {
            let counted = self.steps >= m.steps && self.next_input >= m.inputs;
            if counted && self.upcoming().is_none_or(|due| due >= m.at) {
                self.world.advance_clock(m.at);
                self.reach();
                return true;
            }
            match self.next(m.at) {
                Some(next) => self.take(next),
                None => {
                    self.world.advance_clock(m.at);
                    self.reach();
                    return true;
                }
            }
        }
        self.reach();
        false
    }

    /// The steps taken on this branch (applied or waiting to be replayed).
    pub fn inputs(&self) -> &[Input] {
        &self.branch().inputs
    }

    /// How many of [`Session::inputs`] have been applied: the next one to happen.
    pub fn next_input(&self) -> usize {
        self.next_input
    }

    /// The script's steps not taken yet on this branch.
    pub fn script_left(&self) -> &[Step] {
        let branch = self.branch();
        &branch.script[branch.script_next..]
    }

    /// This branch as a scenario's steps: every step taken, at its exact moment, then the
    /// script's steps not taken yet, as they were written.
    pub fn to_steps(&self) -> Vec<Step> {
        let taken = self.inputs().iter().map(Input::to_step);
        taken.chain(self.script_left().iter().cloned()).collect()
    }

    /// Whether acting now would start a new branch: the run has been further than now.
    pub fn in_the_past(&self) -> bool {
        self.next_input < self.branch().inputs.len() || self.world.now() < self.horizon()
    }

    /// Takes an action now. A refused action changes nothing. In the past (after a
    /// rewind), taking an action starts a new branch: the old one, its future included, is
    /// kept (see [`Session::switch_branch`]). Returns whether a branch was started.
    pub fn act(&mut self, action: Action) -> Result<bool, String> {
        let op_id = self.apply(&action)?;
        let forked = self.in_the_past();
        if forked {
            self.fork();
        }
        let input = Input {
            steps: self.steps,
            at: self.world.now(),
            op: Op::Act(action),
            scripted: None,
            refused: None,
            op_id,
        };
        let branch = self.branch_mut();
        branch.horizon = input.at;
        branch.inputs.push(input);
        self.next_input = self.branch().inputs.len();
        Ok(forked)
    }

    /// Starts a new branch here, with the actions taken so far on this one.
    fn fork(&mut self) {
        let now = self.world.now();
        let (steps, next_input) = (self.steps, self.next_input);
        let left = self.branch();
        // The copies up to here are copies of the new branch too.
        let before = |c: &&Rc<Checkpoint>| c.steps <= steps && c.next_input <= next_input;
        let branch = Branch {
            number: self.branches.iter().map(|b| b.number).max().unwrap_or(0) + 1,
            inputs: left.inputs[..self.next_input].to_vec(),
            // The file's steps not taken by now are the new branch's to take too.
            script: left.script.clone(),
            script_next: left.inputs[self.next_input..]
                .iter()
                .find_map(|i| i.scripted)
                .unwrap_or(left.script_next),
            horizon: now,
            forked_from: Some((left.number, now)),
            checkpoints: left.checkpoints.iter().filter(before).cloned().collect(),
            every: left.every,
        };
        // Only the branch being run keeps copies: memory stays bounded by one branch's.
        self.branch_mut().checkpoints.clear();
        self.branches.push(branch);
        self.current = self.branches.len() - 1;
        if self.branches.len() > MAX_BRANCHES {
            self.branches.remove(0); // the oldest; the new one is last
            self.current -= 1;
        }
        debug_assert!(self.branches.len() <= MAX_BRANCHES);
    }

    /// Goes over to branch `number` and back to time 0 on it; the caller then runs to the
    /// moment it wants (the page: the time it was at, as far as that branch went).
    pub fn switch_branch(&mut self, number: usize) -> Result<(), String> {
        let index = self
            .branches
            .iter()
            .position(|b| b.number == number)
            .ok_or_else(|| format!("there is no branch {number} (any more)"))?;
        self.branch_mut().checkpoints.clear();
        self.current = index;
        self.rewind();
        Ok(())
    }

    /// Runs up to virtual time `until`, handling at most `budget` events, operations and
    /// replayed actions. Returns whether it got there (else the next call goes on).
    pub fn advance(&mut self, until: Time, budget: u64) -> bool {
        for _ in 0..budget {
            match self.next(until) {
                Some(next) => self.take(next),
                None => {
                    self.world.advance_clock(until);
                    self.reach();
                    return true;
                }
            }
        }
        self.reach();
        false
    }

    /// Handles exactly one thing: the next event, client operation or replayed action,
    /// whenever it is due. Returns false if nothing is left to happen.
    pub fn step(&mut self) -> bool {
        let Some(next) = self.next(Time::MAX) else { return false };
        self.take(next);
        self.reach();
        true
    }

    /// Goes to virtual time `t`: forward by running, backward by replaying every recorded
    /// action from the latest checkpoint before `t` (or the seed). The state reached is
    /// exactly the one the original run had at `t`.
    pub fn seek(&mut self, t: Time) {
        self.jump_towards(t);
        self.advance(t, u64::MAX);
    }

    /// Makes the way to virtual time `t` short: restores the latest checkpoint at or before
    /// `t` if that is behind now (going back) or ahead of here (skipping a replay); going
    /// back with none, goes back to time 0. The caller then runs to `t` ([`Session::advance`]).
    pub fn jump_towards(&mut self, t: Time) {
        let now = self.world.now();
        let latest = self.branch().checkpoints.iter().rev().find(|c| c.world.now() <= t).cloned();
        match latest {
            Some(c) if t < now || c.steps > self.steps => self.restore(&c),
            None if t < now => self.rewind(),
            _ => {}
        }
    }

    fn restore(&mut self, c: &Checkpoint) {
        self.world = c.world.clone();
        self.load = c.load.clone();
        self.load_on = c.load_on;
        self.steps = c.steps;
        self.next_input = c.next_input;
    }

    /// Keeps a copy of the run now, if the last is far enough behind.
    fn checkpoint(&mut self) {
        let (steps, next_input) = (self.steps, self.next_input);
        let branch = &self.branches[self.current];
        if steps < branch.checkpoints.last().map_or(0, |c| c.steps) + branch.every {
            return;
        }
        let copy = Checkpoint {
            steps,
            next_input,
            world: self.world.clone(),
            load: self.load.clone(),
            load_on: self.load_on,
        };
        let branch = &mut self.branches[self.current];
        branch.checkpoints.push(Rc::new(copy));
        if branch.checkpoints.len() > MAX_CHECKPOINTS {
            let kept = branch.checkpoints.iter().skip(1).step_by(2).cloned().collect();
            branch.checkpoints = kept;
            branch.every *= 2;
        }
        debug_assert!(branch.checkpoints.len() <= MAX_CHECKPOINTS);
    }

    /// How many checkpoints the branch being run holds (for tests and the benchmark).
    pub fn checkpoints(&self) -> usize {
        self.branch().checkpoints.len()
    }

    /// Takes checkpoints every `steps` steps from now on (tests use short runs).
    pub fn checkpoint_every(&mut self, steps: u64) {
        assert!(steps > 0, "a checkpoint every step at most");
        self.branch_mut().every = steps;
    }

    /// Goes back to time 0, keeping every recorded action to replay (the page replays in
    /// slices, one per animation frame, with [`Session::advance`]).
    pub fn rewind(&mut self) {
        self.world =
            World::new(self.spec.world.clone()).expect("the spec was valid when the session began");
        self.load = Workload::new(self.spec.load.clone(), 0);
        self.load_on = self.spec.load_on;
        self.steps = 0;
        self.next_input = 0;
    }

    /// The next thing due no later than `until`: a recorded input comes first at its
    /// moment; at the branch's end, the script's next step when it falls due.
    fn next(&self, until: Time) -> Option<Next> {
        let branch = self.branch();
        match branch.inputs.get(self.next_input) {
            Some(input) if input.steps == self.steps => {
                return (input.at <= until).then_some(Next::Input);
            }
            Some(_) => {}
            None => {
                let step = branch.script.get(branch.script_next);
                if step.is_some_and(|step| self.due(step, until)) {
                    return Some(Next::Script);
                }
            }
        }
        let event = self.world.next_event_at().filter(|&at| at <= until);
        let op = self.load_on.then(|| self.load.next_at()).filter(|&at| at <= until);
        match (event, op) {
            (None, None) => None,
            (Some(e), Some(o)) if e <= o => Some(Next::Event),
            (Some(_), None) => Some(Next::Event),
            (_, Some(o)) => Some(Next::Op(o)),
        }
    }

    /// When the next event or background operation is due, if any.
    fn upcoming(&self) -> Option<Time> {
        let event = self.world.next_event_at();
        let op = self.load_on.then(|| self.load.next_at());
        event.into_iter().chain(op).min()
    }

    /// Whether a script step falls due now (no later than `until`):
    /// - with `after_events`, once that many events were handled and none is due before
    ///   its `at_ms` (events due at that very instant may still wait) — and at the latest
    ///   as a step with only `at_ms` would (a file's pin may be wrong, never unbounded);
    /// - a settle, once the world has settled, or — at its deadline — when nothing is due
    ///   before it;
    /// - with only `at_ms`, once everything due at or before it was handled;
    /// - otherwise at once, right after the step before it.
    fn due(&self, step: &Step, until: Time) -> bool {
        let at = step.at().unwrap_or(0);
        if at > until {
            return false;
        }
        let upcoming = self.upcoming();
        let pinned = step.after_events.is_some_and(|n| self.steps >= n);
        if pinned && upcoming.is_none_or(|e| e >= at) {
            return true;
        }
        if upcoming.is_some_and(|e| e <= at) {
            return false;
        }
        match step.op {
            Op::Act(_) => true,
            Op::Settle { .. } => {
                self.world.is_settled() || upcoming.is_none_or(|e| e > self.deadline(step))
            }
        }
    }

    /// When a settle step stops waiting: `max_ms` after its `at_ms` or the step before it,
    /// whichever is later.
    fn deadline(&self, step: &Step) -> Time {
        let Op::Settle { max_ms } = step.op else { return 0 };
        let began = step.at().unwrap_or(0).max(self.branch().inputs.last().map_or(0, |i| i.at));
        began + max_ms.map_or(DEFAULT_SETTLE, |ms| (ms * MS as f64).round() as Time)
    }

    fn take(&mut self, next: Next) {
        match next {
            Next::Input => {
                let input = self.branch().inputs[self.next_input].clone();
                self.world.advance_clock(input.at);
                if let (Op::Act(action), None) = (&input.op, &input.refused) {
                    self.apply(action).expect("a recorded step replays as it did the first time");
                }
                self.next_input += 1;
            }
            Next::Script => self.take_script_step(),
            Next::Event => {
                self.world.step();
                self.steps += 1;
            }
            Next::Op(at) => {
                self.world.advance_clock(at);
                self.load.issue(&mut self.world);
                self.steps += 1;
            }
        }
        self.checkpoint();
    }

    /// Takes the script's next step now and records it, refused or not.
    fn take_script_step(&mut self) {
        let branch = self.branch();
        let step = branch.script[branch.script_next].clone();
        if let Some(at) = step.at() {
            self.world.advance_clock(at);
        }
        let (refused, op_id) = match &step.op {
            Op::Act(action) => match self.apply(action) {
                Ok(op_id) => (None, op_id),
                Err(error) => (Some(error), None),
            },
            Op::Settle { .. } if self.world.is_settled() => (None, None),
            Op::Settle { max_ms } => {
                self.world.advance_clock(self.deadline(&step)); // it waited in vain, to the end
                let most = max_ms.unwrap_or(DEFAULT_SETTLE as f64 / MS as f64);
                (Some(format!("did not settle within {most} ms")), None)
            }
        };
        let input = Input {
            steps: self.steps,
            at: self.world.now(),
            op: step.op,
            scripted: Some(self.branch().script_next),
            refused,
            op_id,
        };
        let branch = self.branch_mut();
        branch.inputs.push(input);
        branch.script_next += 1;
        self.next_input += 1;
    }

    /// Runs until the world has settled (see [`World::is_settled`]), for at most `max_wait`
    /// of virtual time. Returns whether it settled.
    pub fn settle(&mut self, max_wait: Time) -> bool {
        let deadline = self.world.now() + max_wait;
        while !self.world.is_settled() {
            let Some(next) = self.next(deadline) else { return false };
            self.take(next);
        }
        self.reach();
        true
    }

    /// Runs until input `index` is the next thing to happen (a recorded input at its
    /// moment, or the script's step when it falls due), without taking it; handles at
    /// most `budget` things. Returns whether it got there. Going back first: see
    /// [`Session::jump_before`].
    pub fn advance_before(&mut self, index: usize, budget: u64) -> bool {
        if index < self.next_input {
            return true; // it was taken already: go back first
        }
        for _ in 0..budget {
            match self.next(Time::MAX) {
                Some(Next::Input | Next::Script) if self.next_input == index => {
                    self.reach();
                    return true;
                }
                Some(next) => self.take(next),
                None => {
                    self.reach();
                    return true;
                }
            }
        }
        self.reach();
        false
    }

    /// Runs on after a step until it is quiet (nothing but gossip and pings in flight:
    /// `World::is_quiet`), virtual time `until`, or the next input is due, handling at
    /// most `budget` things. Returns whether it stopped there.
    pub fn advance_while_busy(&mut self, until: Time, budget: u64) -> bool {
        for _ in 0..budget {
            if self.world.is_quiet() {
                break;
            }
            match self.next(until) {
                Some(Next::Input | Next::Script) | None => break,
                Some(next) => self.take(next),
            }
        }
        self.reach();
        self.world.is_quiet() || matches!(self.next(until), Some(Next::Input | Next::Script) | None)
    }

    /// Makes the way back to just before input `index` short (as [`Session::jump_towards`]
    /// does for a time); the caller then runs there with [`Session::advance_before`].
    pub fn jump_before(&mut self, index: usize) {
        if let Some(input) = self.branch().inputs.get(index) {
            self.jump_back_to(input.steps, index);
        }
    }

    /// Makes the way to the moment after `steps` events and `inputs` steps short: restores
    /// the latest checkpoint not past it if the run is past it (going back) or the copy is
    /// ahead of here; going back with none, goes back to time 0.
    pub fn jump_back_to(&mut self, steps: u64, inputs: usize) {
        let past = self.steps > steps || self.next_input > inputs;
        let fits = |c: &&Rc<Checkpoint>| c.steps <= steps && c.next_input <= inputs;
        match self.branch().checkpoints.iter().rev().find(fits).cloned() {
            Some(c) if past || c.steps > self.steps => self.restore(&c),
            None if past => self.rewind(),
            _ => {}
        }
    }

    /// Applies an action to the world, or says why it cannot be done (and changes
    /// nothing). Returns the client operation it started, if any.
    fn apply(&mut self, action: &Action) -> Result<Option<OpId>, String> {
        action.check()?;
        let world = &mut self.world;
        let node = |name: &str| world.node_id(name).ok_or_else(|| format!("unknown node {name:?}"));
        for name in action.nodes_named() {
            node(name)?;
        }
        let node = |world: &World, name: &str| world.node_id(name).expect("checked above");
        let via = |world: &World, via: &Option<String>, key: &str| match via {
            Some(name) => node(world, name),
            None => world.preference_list(key)[0],
        };
        match action {
            Action::Put { client, key, value, via: through, context } => {
                let context = match context {
                    Context::None => VectorClock::default(),
                    Context::LastRead => world.last_read_context(client, key),
                };
                let through = via(world, through, key);
                return Ok(Some(world.put(client, key, value, through, context)));
            }
            Action::Get { client, key, via: through } => {
                let through = via(world, through, key);
                return Ok(Some(world.get(client, key, through)));
            }
            Action::Reconcile { client, key, via: through } => {
                let siblings = last_read_versions(world, client, key).ok_or_else(|| {
                    format!("{client} has no successful get of {key:?} to reconcile: get it first")
                })?;
                let values: Vec<&str> = siblings.iter().map(|v| &*v.value).collect();
                let merged = cart_union(&values);
                let context = world.last_read_context(client, key);
                let through = via(world, through, key);
                return Ok(Some(world.put(client, key, &merged, through, context)));
            }
            Action::Crash { node: name } => world.crash(node(world, name)),
            Action::Recover { node: name } => world.recover(node(world, name)),
            Action::Wipe { node: name } => world.wipe(node(world, name)),
            Action::Partition { groups } => {
                check_sides(groups, world.names().len())?;
                let ids = groups.iter().map(|g| g.iter().map(|n| node(world, n)).collect());
                world.partition(ids.collect());
            }
            Action::Heal {} => world.heal(),
            Action::Link { a, b, drop_rate, extra_delay_ms } => {
                let delay = (extra_delay_ms * MS as f64).round() as Time;
                world.set_link(node(world, a), node(world, b), *drop_rate, delay)?;
            }
            Action::Network { latency_ms, drop_rate } => {
                world.set_network(*latency_ms, *drop_rate)?
            }
            Action::Join { node: name, via: contact, capacity, tokens, seeds } => {
                let contact = contact.as_deref().map(|c| node(world, c));
                let seeds = seeds.as_ref().map(|s| s.iter().map(|n| node(world, n)).collect());
                let tokens = match tokens {
                    None => None,
                    Some(ts) => {
                        Some(ts.iter().map(|t| parse_position(t)).collect::<Result<_, _>>()?)
                    }
                };
                world.join_seeded(name, contact, capacity.unwrap_or(1.0), tokens, seeds)?;
            }
            Action::Leave { node: name } => world.leave(node(world, name))?,
            Action::AntiEntropy {} => world.anti_entropy(),
            Action::Load { on } => {
                if *on && !self.load_on {
                    self.load.skip_to(self.world.now());
                }
                self.load_on = *on;
            }
        }
        Ok(None)
    }
}

/// The versions returned by `client`'s latest successful get of `key`, if any.
pub fn last_read_versions<'w>(world: &'w World, client: &str, key: &str) -> Option<&'w [Version]> {
    world
        .ops()
        .iter()
        .rev()
        .filter(|op| op.kind == OpKind::Get && &*op.client == client && &*op.key == key)
        .find_map(|op| match op.outcome.as_deref() {
            Some(ClientReply::Got { versions, .. }) => Some(versions.as_slice()),
            _ => None,
        })
}

/// The shopping cart's reconciliation (§4.4): the union of the items of every sibling
/// cart (comma-separated), in order of first appearance. Deleted items may resurface,
/// just as the paper says.
pub fn cart_union(carts: &[&str]) -> String {
    let mut items: Vec<&str> = Vec::new();
    for item in carts.iter().flat_map(|c| c.split(',')).map(str::trim).filter(|i| !i.is_empty()) {
        if !items.contains(&item) {
            items.push(item);
        }
    }
    items.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::NodeId;

    /// The name of the default world's node `i` (A … E).
    fn name(i: u32) -> String {
        crate::app::node_name(i as usize)
    }

    fn quiet() -> Session {
        let spec = SessionSpec {
            world: WorldSpec::default(),
            load: WorkloadSpec::default(),
            load_on: false,
        };
        Session::new(spec).unwrap()
    }

    fn busy() -> Session {
        let spec = SessionSpec {
            world: WorldSpec::default(),
            load: WorkloadSpec::default(),
            load_on: true,
        };
        Session::new(spec).unwrap()
    }

    #[test]
    fn cart_union_keeps_every_item_once_in_order_of_appearance() {
        assert_eq!(cart_union(&["milk,eggs", "eggs,tea", " bread "]), "milk,eggs,tea,bread");
        assert_eq!(cart_union(&[]), "");
    }

    #[test]
    fn a_refused_action_changes_nothing() {
        let mut s = quiet();
        let err = s.act(Action::Crash { node: "Z".into() }).unwrap_err();
        assert_eq!(err, "unknown node \"Z\"");
        assert!(s
            .act(Action::Reconcile { client: "alice".into(), key: "cart".into(), via: None })
            .is_err());
        assert!(s.act(Action::Get { client: "alice".into(), key: " ".into(), via: None }).is_err());
        assert_eq!(s.inputs().len(), 0);
        assert_eq!(s.world().trace().len(), 0);
    }

    #[test]
    fn seeking_back_restores_the_earlier_state_exactly() {
        let mut s = busy();
        s.advance(40 * MS, 500); // stops mid-way: the budget runs out
        s.act(Action::Crash { node: name(2) }).unwrap();
        s.advance(120 * MS, u64::MAX);
        s.act(Action::Put {
            client: "alice".into(),
            key: "cart".into(),
            value: "milk".into(),
            via: Some(name(0)),
            context: Context::None,
        })
        .unwrap();
        s.advance(200 * MS, 3);
        s.act(Action::Recover { node: name(2) }).unwrap();
        s.advance(400 * MS, u64::MAX);
        let (hash_at_400, horizon) = (s.world().trace().hash(), s.horizon());
        assert_eq!(horizon, 400 * MS);

        s.seek(100 * MS);
        assert_eq!(s.world().now(), 100 * MS);
        assert!(!s.world().is_up(NodeId(2)), "the crash at about 40 ms was replayed");
        assert_eq!(s.horizon(), horizon, "the future is still there to scrub to");
        s.seek(400 * MS);
        assert_eq!(
            s.world().trace().hash(),
            hash_at_400,
            "replaying forward gives the very same run"
        );
        assert!(s.world().is_up(NodeId(2)));
    }

    #[test]
    fn an_action_in_the_past_starts_a_branch_and_the_old_future_is_kept() {
        let mut s = busy();
        s.advance(50 * MS, u64::MAX);
        assert!(
            !s.act(Action::Crash { node: name(1) }).unwrap(),
            "acting at the horizon: no branch"
        );
        s.advance(150 * MS, u64::MAX);
        s.act(Action::Recover { node: name(1) }).unwrap();
        s.advance(300 * MS, u64::MAX);
        let old_hash = s.world().trace().hash();
        s.seek(100 * MS);
        assert!(s.in_the_past());
        assert!(s.act(Action::Wipe { node: name(3) }).unwrap(), "acting in the past: a new branch");
        assert_eq!(s.inputs().len(), 2, "the new branch: the crash, then the wipe");
        assert_eq!(s.horizon(), 100 * MS);
        let info = s.current_branch();
        assert_eq!((info.number, info.forked_from), (2, Some((1, 100 * MS))));
        s.advance(200 * MS, u64::MAX);
        assert!(!s.world().is_up(NodeId(1)), "no recovery on this branch");
        // The branch left is whole: back on it, the run is the very same.
        s.switch_branch(1).unwrap();
        assert_eq!(s.horizon(), 300 * MS);
        s.seek(300 * MS);
        assert_eq!(s.world().trace().hash(), old_hash);
        assert!(s.world().is_up(NodeId(1)));
        assert_eq!(s.branches().len(), 2);
        assert!(s.switch_branch(9).is_err());
    }

    #[test]
    fn at_most_max_branches_are_kept_and_never_the_current_one_is_let_go() {
        let mut s = quiet();
        s.advance(10 * MS, u64::MAX);
        for i in 0..MAX_BRANCHES + 3 {
            s.seek(MS);
            assert!(s.act(Action::Crash { node: name(i as u32 % 5) }).unwrap());
            s.advance(10 * MS, u64::MAX);
        }
        let numbers: Vec<usize> = s.branches().iter().map(|b| b.number).collect();
        assert_eq!(numbers.len(), MAX_BRANCHES);
        assert_eq!(numbers.last(), Some(&(MAX_BRANCHES + 4)), "the newest is kept");
        assert_eq!(s.current_branch().number, MAX_BRANCHES + 4);
        assert!(s.switch_branch(1).is_err(), "the oldest was let go");
    }

    #[test]
    fn stepping_handles_one_thing_at_a_time_and_replays_like_running() {
        let mut stepped = busy();
        for _ in 0..300 {
            assert!(stepped.step());
        }
        let t = stepped.world().now();
        let mut run = busy();
        run.advance(t, u64::MAX);
        // Running to t also handles events due at exactly t that stepping had not reached.
        assert!(run.steps() >= stepped.steps());
        stepped.advance(t, u64::MAX);
        assert_eq!(stepped.world().trace().hash(), run.world().trace().hash());
    }

    #[test]
    fn reconcile_writes_the_union_of_the_siblings_back_with_their_context() {
        let mut s = quiet();
        let put = |s: &mut Session, value: &str, via: u32| {
            s.act(Action::Put {
                client: "alice".into(),
                key: "cart".into(),
                value: value.into(),
                via: Some(name(via)),
                context: Context::None,
            })
            .unwrap();
        };
        // Two blind writes through different coordinators: concurrent versions.
        let list = s.world().preference_list("cart");
        let first = s.world().name(list[0]).to_string();
        put(&mut s, "milk", list[0].0);
        put(&mut s, "eggs", list[1].0);
        s.advance(200 * MS, u64::MAX);
        s.act(Action::Get { client: "alice".into(), key: "cart".into(), via: Some(first.clone()) })
            .unwrap();
        s.advance(400 * MS, u64::MAX);
        assert_eq!(last_read_versions(s.world(), "alice", "cart").unwrap().len(), 2, "siblings");
        s.act(Action::Reconcile {
            client: "alice".into(),
            key: "cart".into(),
            via: Some(first.clone()),
        })
        .unwrap();
        s.advance(600 * MS, u64::MAX);
        s.act(Action::Get { client: "alice".into(), key: "cart".into(), via: Some(first.clone()) })
            .unwrap();
        s.advance(800 * MS, u64::MAX);
        let versions = last_read_versions(s.world(), "alice", "cart").unwrap();
        assert_eq!(versions.len(), 1, "the merged cart supersedes both");
        let mut items: Vec<&str> = versions[0].value.split(',').collect();
        items.sort();
        assert_eq!(items, ["eggs", "milk"]);
    }

    #[test]
    fn the_load_can_be_paused_and_resumed_without_a_burst() {
        let mut s = busy();
        s.advance(100 * MS, u64::MAX);
        s.act(Action::Load { on: false }).unwrap();
        s.advance(1_000 * MS, u64::MAX);
        let ops = s.world().ops().len();
        s.act(Action::Load { on: true }).unwrap();
        s.advance(1_001 * MS, u64::MAX);
        assert!(s.world().ops().len() <= ops + 1, "no backlog of missed operations");
    }

    #[test]
    fn checkpoints_make_a_jump_short_and_land_exactly_where_a_replay_from_the_start_does() {
        let mut s = busy();
        s.checkpoint_every(300);
        s.advance(300 * MS, u64::MAX);
        s.act(Action::Crash { node: name(2) }).unwrap();
        s.advance(900 * MS, u64::MAX);
        s.act(Action::Recover { node: name(2) }).unwrap();
        s.advance(2_000 * MS, u64::MAX);
        assert!(s.checkpoints() >= 4, "{} checkpoints", s.checkpoints());
        assert!(s.checkpoints() <= MAX_CHECKPOINTS);
        let mut plain = busy();
        plain.checkpoint_every(u64::MAX);
        for input in s.inputs().to_vec() {
            plain.advance(input.at, u64::MAX);
            let Op::Act(action) = input.op else { panic!("only actions were taken") };
            plain.act(action).unwrap();
        }
        for t in [1_500, 350, 1_999, 10, 1_200, 2_000] {
            s.seek(t * MS);
            plain.rewind();
            plain.advance(t * MS, u64::MAX);
            assert_eq!(s.world().trace().hash(), plain.world().trace().hash(), "at {t} ms");
            assert_eq!(s.world().trace().events().len(), plain.world().trace().events().len());
            assert_eq!(s.steps(), plain.steps(), "at {t} ms");
        }
        // A jump back replays at most the steps between two checkpoints.
        s.seek(1_000 * MS);
        let before = s.steps();
        s.jump_towards(999 * MS);
        assert!(before - s.steps() <= 600, "{} steps back", before - s.steps());
    }

    #[test]
    fn at_most_max_checkpoints_are_kept_and_taken_less_often_as_the_run_grows() {
        let mut s = busy();
        s.checkpoint_every(50);
        s.advance(3_000 * MS, u64::MAX);
        assert!(s.checkpoints() <= MAX_CHECKPOINTS && s.checkpoints() >= MAX_CHECKPOINTS / 2);
        let hash = s.world().trace().hash();
        s.seek(0);
        s.seek(3_000 * MS);
        assert_eq!(s.world().trace().hash(), hash);
    }

    fn crash_at(at_ms: Option<f64>, after_events: Option<u64>, node: u32) -> Step {
        Step { at_ms, after_events, op: Op::Act(Action::Crash { node: name(node) }) }
    }

    fn scripted(steps: Vec<Step>) -> Session {
        let spec = SessionSpec {
            world: WorldSpec::default(),
            load: WorkloadSpec::default(),
            load_on: true,
        };
        Session::with_script(spec, steps).unwrap()
    }

    #[test]
    fn a_script_step_falls_due_after_everything_due_by_its_time_or_at_its_pin() {
        let mut s = scripted(vec![crash_at(Some(50.0), None, 1), crash_at(None, None, 2)]);
        s.advance(200 * MS, u64::MAX);
        let (first, second) = (&s.inputs()[0], &s.inputs()[1]);
        assert_eq!((first.at, second.at), (50 * MS, 50 * MS), "the second right after");
        assert_eq!(first.steps, second.steps);
        assert!(s.script_left().is_empty());
        // Pinned between two events: replayed from the file, the very same run.
        let mut plain = busy();
        for _ in 0..37 {
            plain.step();
        }
        plain.act(Action::Wipe { node: name(3) }).unwrap();
        plain.advance(300 * MS, u64::MAX);
        let file = plain.to_steps();
        assert_eq!(file[0].after_events, Some(37));
        let mut again = scripted(file);
        again.advance(300 * MS, u64::MAX);
        assert_eq!(again.world().trace().hash(), plain.world().trace().hash());
        // A wrong pin never holds a step back past its time.
        let mut wrong = scripted(vec![crash_at(Some(20.0), Some(u64::MAX), 1)]);
        wrong.advance(100 * MS, u64::MAX);
        assert_eq!(wrong.inputs()[0].at, 20 * MS);
    }

    #[test]
    fn a_settle_step_waits_for_the_cluster_to_settle_or_its_deadline() {
        let put = Step::now(Action::Put {
            client: "alice".into(),
            key: "cart".into(),
            value: "milk".into(),
            via: None,
            context: Context::None,
        });
        let settle = |max_ms| Step { at_ms: None, after_events: None, op: Op::Settle { max_ms } };
        let mut s = Session::with_script(
            SessionSpec {
                world: WorldSpec::default(),
                load: WorkloadSpec::default(),
                load_on: false,
            },
            vec![put, settle(None), crash_at(None, None, 1)],
        )
        .unwrap();
        s.advance(1_000 * MS, u64::MAX);
        let settled_at = s.inputs()[1].at;
        assert!(settled_at > 0 && settled_at < 100 * MS, "the put settles: {settled_at} µs");
        assert_eq!(s.inputs()[2].at, settled_at, "the next step right after");
        // A second's latency: the put cannot settle in 30 ms; the wait ends at its deadline.
        let slow = Step::now(Action::Network {
            latency_ms: crate::sim::network::Latency::Fixed { ms: 1_000.0 },
            drop_rate: 0.0,
        });
        let put = s.inputs()[0].op.clone();
        let Op::Act(put) = put else { panic!("the put") };
        let mut busy =
            scripted(vec![slow, Step::now(put), settle(Some(30.0)), crash_at(None, None, 1)]);
        busy.act(Action::Load { on: false }).unwrap();
        busy.advance(100 * MS, u64::MAX);
        assert_eq!(busy.inputs()[3].at, 30 * MS, "the settle waited its 30 ms in vain");
    }
}
