//! Running a scenario from start to end, as the CLI does: a session takes its steps (the
//! one executor, `sim::session`), then the run waits for every client's answer, and the
//! result document of DESIGN.md is built: `results` (one per step), `final`, `metrics`,
//! `trace_hash`.

use super::super::report;
use super::super::session::{Input, Session};
use super::super::world::World;
use super::{Op, Scenario, Step};
use crate::core::message::OpId;
use crate::core::{Time, MS};
use serde_json::{json, Value};

/// How long `settle` waits by default, and how long a run waits at its end for clients'
/// answers, in virtual time.
pub const DEFAULT_SETTLE: Time = 10_000 * MS;

/// What one step produced: known when it was taken, or the client operation whose
/// answer it awaits.
enum Outcome {
    Done(Value),
    Op(&'static str, OpId),
}

/// Runs a scenario from start to end and returns the result document.
pub fn run(scenario: &Scenario) -> Result<Value, String> {
    run_recorded(scenario, false).map(|(doc, _)| doc)
}

/// [`run`], and the world as it ended, with every event recorded if `record` (for
/// `dynamo-sim run --trace`).
pub fn run_recorded(scenario: &Scenario, record: bool) -> Result<(Value, World), String> {
    let mut session = play(scenario, record)?;
    let mut outcomes = Vec::with_capacity(scenario.steps.len());
    drive(scenario, &mut session, |session| {
        while session.inputs().len() > outcomes.len() {
            outcomes.push(outcome(session.world(), &session.inputs()[outcomes.len()]));
        }
    });
    let world = session.world();
    let not_reached = |step: &Step| {
        let error = "not reached before the run's end";
        json!({"op": step.op_name(), "ok": false, "error": error})
    };
    let results: Vec<Value> = scenario
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| match outcomes.get(i) {
            Some(Outcome::Done(v)) => v.clone(),
            Some(Outcome::Op(name, op)) => report::op_result(world, name, *op),
            None => not_reached(step),
        })
        .collect();
    let doc = json!({
        "results": results,
        "final": report::final_state(world),
        "metrics": report::metrics(world),
        "trace_hash": world.trace().hash(),
    });
    Ok((doc, session.into_world()))
}

/// Runs a scenario as [`run`] does, and returns the world as it ended (without the result
/// document: what the history checker and the counterexample search need).
pub fn run_world(scenario: &Scenario) -> Result<World, String> {
    let mut session = play(scenario, false)?;
    drive(scenario, &mut session, |_| {});
    Ok(session.into_world())
}

/// Takes the steps, to the file's `end` if it has one (calling `taken` as steps are taken);
/// without one, until every step was taken and then until the clients heard back.
fn drive(scenario: &Scenario, session: &mut Session, mut taken: impl FnMut(&Session)) {
    let end = scenario.end.map(|end| end.moment());
    loop {
        let went_on = match end {
            Some(end) => !session.advance_to(end, 1),
            None if session.inputs().len() < scenario.steps.len() => session.step(),
            None => false,
        };
        taken(session);
        if !went_on {
            break;
        }
    }
    if end.is_none() {
        // Let every client hear back (each client gives up after a bounded wait).
        session.settle(DEFAULT_SETTLE);
    }
}

/// A session at time 0 that will take the scenario's steps (checked first).
pub fn play(scenario: &Scenario, record: bool) -> Result<Session, String> {
    scenario.check_steps()?;
    Session::with_script(scenario.session_spec(record)?, scenario.steps.clone())
}

/// The result of a step just taken (a client operation's comes when the run ends).
fn outcome(world: &World, input: &Input) -> Outcome {
    let at_ms = input.at as f64 / MS as f64;
    let name = match &input.op {
        Op::Act(action) => action.op_name(),
        Op::Settle { .. } => "settle",
    };
    if let Op::Settle { .. } = &input.op {
        let mut done = json!({"op": "settle", "ok": input.refused.is_none(), "at_ms": at_ms});
        if let Some(error) = &input.refused {
            done["error"] = error.as_str().into();
        }
        done["differing_ranges"] = report::ranges_json(world, &world.differing_ranges());
        return Outcome::Done(done);
    }
    if let Some(error) = &input.refused {
        return Outcome::Done(json!({"op": name, "ok": false, "at_ms": at_ms, "error": error}));
    }
    match input.op_id {
        Some(op) => Outcome::Op(name, op),
        None => Outcome::Done(json!({"op": name, "ok": true, "at_ms": at_ms})),
    }
}
