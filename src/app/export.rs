//! A run's trace as JSON Lines, for students who analyse it in a notebook: one event per
//! line, in the order they happened, nodes by name, times in microseconds of virtual time.
//! The page's "Export trace" writes it; so does `dynamo-sim run FILE --trace OUT`.
//!
//! Every line has `at_us` (when), `event` (what kind) and `text` (the event log's sentence);
//! the other fields depend on the kind:
//!
//! | `event`     | fields |
//! |-------------|--------|
//! | `send`      | `msg` (number), `from`, `to`, `message` (kind), `key` (if any), `arrives_us` |
//! | `deliver`   | `msg`, `from`, `to`, `message` |
//! | `drop`      | `msg`, `from`, `to`, `message`, `reason` |
//! | `timer`     | `node`, `timer` |
//! | `request`   | `op` (its number), `client`, `node`, `kind`, `key`, `value` (a put's) |
//! | `reply`     | `op`, `node` (none when the client gave up), `ok` |
//! | `crash`, `recover`, `join`, `leave` | `node` |
//! | `wipe`      | `node`, `epoch` (its new identity in clocks) |
//! | `partition` | `groups` (lists of node names) |
//! | `heal`      | — |
//! | `link`      | `a`, `b`, `drop_rate` (0 to 1), `extra_delay_us` |
//! | `note`      | `node`, `note` (which: below), and its fields |
//!
//! A note is one of `peer-down`, `peer-up` (`peer`), `hint-stored`, `hint-delivered`
//! (`owner`, `key`), `in-sync` (`peer`, `level`), `keys-received` (`peer`, `keys`,
//! `changed`), `ring-changed` (`members`), `keys-handed-over` (`to`, `keys`, `dropped`),
//! `keys-taken-over` (`from`, `keys`).

use super::describe::describe;
use crate::core::message::Note;
use crate::sim::trace::{Event, TraceEvent};
use crate::sim::World;
use serde_json::{Map, Value};

/// One event as a JSON object (see the module's table).
pub fn event_json(world: &World, e: &TraceEvent) -> Value {
    let n = |id: crate::core::NodeId| Value::from(world.name(id));
    let (kind, fields) = match &e.event {
        Event::Send { msg, from, to, kind, key, arrives, op } => (
            "send",
            obj(&[
                ("msg", Value::from(*msg)),
                ("from", n(*from)),
                ("to", n(*to)),
                ("message", Value::from(kind.label())),
                ("key", Value::from(key.as_ref().map(|k| k.as_str()))),
                ("arrives_us", Value::from(*arrives)),
                ("op", Value::from(op.map(|op| op.0))),
            ]),
        ),
        Event::Deliver { msg, from, to, kind } => (
            "deliver",
            obj(&[
                ("msg", Value::from(*msg)),
                ("from", n(*from)),
                ("to", n(*to)),
                ("message", Value::from(kind.label())),
            ]),
        ),
        Event::Drop { msg, from, to, kind, reason } => (
            "drop",
            obj(&[
                ("msg", Value::from(*msg)),
                ("from", n(*from)),
                ("to", n(*to)),
                ("message", Value::from(kind.label())),
                ("reason", Value::from(reason.label())),
            ]),
        ),
        Event::Timer { node, timer } => {
            ("timer", obj(&[("node", n(*node)), ("timer", Value::from(timer.label()))]))
        }
        Event::Request { op, client, node, kind, key, value } => (
            "request",
            obj(&[
                ("op", Value::from(op.0)),
                ("client", Value::from(client.as_str())),
                ("node", n(*node)),
                ("kind", Value::from(kind.label())),
                ("key", Value::from(key.as_str())),
                ("value", Value::from(value.as_deref())),
            ]),
        ),
        Event::Reply { op, node, ok } => (
            "reply",
            obj(&[
                ("op", Value::from(op.0)),
                ("node", Value::from(node.map(n))),
                ("ok", Value::from(*ok)),
            ]),
        ),
        Event::Crash { node } => ("crash", obj(&[("node", n(*node))])),
        Event::Recover { node } => ("recover", obj(&[("node", n(*node))])),
        Event::Join { node } => ("join", obj(&[("node", n(*node))])),
        Event::Leave { node } => ("leave", obj(&[("node", n(*node))])),
        Event::Wipe { node, epoch } => {
            ("wipe", obj(&[("node", n(*node)), ("epoch", Value::from(*epoch))]))
        }
        Event::Partition { groups } => {
            let groups: Vec<Vec<Value>> =
                groups.iter().map(|g| g.iter().map(|&id| n(id)).collect()).collect();
            ("partition", obj(&[("groups", Value::from(groups))]))
        }
        Event::Heal => ("heal", obj(&[])),
        Event::Link { a, b, drop_rate_permille, extra_delay } => (
            "link",
            obj(&[
                ("a", n(*a)),
                ("b", n(*b)),
                ("drop_rate", Value::from(*drop_rate_permille as f64 / 1000.0)),
                ("extra_delay_us", Value::from(*extra_delay)),
            ]),
        ),
        Event::Node { node, note } => {
            let mut fields = note_json(world, note);
            fields["node"] = n(*node);
            ("note", fields)
        }
    };
    let mut line = Map::new();
    line.insert("at_us".into(), e.at.into());
    line.insert("event".into(), kind.into());
    if let Value::Object(fields) = fields {
        line.extend(fields.into_iter().filter(|(_, v)| !v.is_null()));
    }
    line.insert("text".into(), describe(world, &e.event).into());
    Value::Object(line)
}

/// A JSON object of these fields (one function for every event's fields: the `json!` macro
/// writes out each object's construction where it stands, a few kilobytes of the page).
fn obj(fields: &[(&str, Value)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

fn note_json(world: &World, note: &Note) -> Value {
    let n = |id: crate::core::NodeId| Value::from(world.name(id));
    match note {
        Note::PeerDown(p) => obj(&[("note", Value::from("peer-down")), ("peer", n(*p))]),
        Note::PeerUp(p) => obj(&[("note", Value::from("peer-up")), ("peer", n(*p))]),
        Note::HintStored { owner, key } => obj(&[
            ("note", Value::from("hint-stored")),
            ("owner", n(*owner)),
            ("key", Value::from(key.as_str())),
        ]),
        Note::HintDelivered { owner, key } => obj(&[
            ("note", Value::from("hint-delivered")),
            ("owner", n(*owner)),
            ("key", Value::from(key.as_str())),
        ]),
        Note::InSync { peer, level, .. } => obj(&[
            ("note", Value::from("in-sync")),
            ("peer", n(*peer)),
            ("level", Value::from(*level)),
        ]),
        Note::KeysReceived { peer, keys, changed } => obj(&[
            ("note", Value::from("keys-received")),
            ("peer", n(*peer)),
            ("keys", Value::from(*keys)),
            ("changed", Value::from(*changed)),
        ]),
        Note::RingChanged { members } => {
            obj(&[("note", Value::from("ring-changed")), ("members", Value::from(*members))])
        }
        Note::KeysHandedOver { to, keys, dropped } => obj(&[
            ("note", Value::from("keys-handed-over")),
            ("to", n(*to)),
            ("keys", Value::from(*keys)),
            ("dropped", Value::from(*dropped)),
        ]),
        Note::KeysTakenOver { from, keys } => obj(&[
            ("note", Value::from("keys-taken-over")),
            ("from", n(*from)),
            ("keys", Value::from(*keys)),
        ]),
    }
}

/// The whole recorded trace as JSON Lines (empty if the world records no events).
pub fn trace_jsonl(world: &World) -> String {
    let mut out = String::new();
    for e in world.trace().events() {
        out.push_str(&event_json(world, e).to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Cmd, Playground};
    use crate::core::{NodeId, MS};
    use serde_json::json;

    #[test]
    fn every_event_is_one_line_of_json_with_its_time_kind_and_sentence() {
        let mut p = Playground::new();
        p.update(Cmd::Crash(NodeId(2)));
        p.update(Cmd::ClientPut(0));
        p.session.advance(300 * MS, u64::MAX);
        let world = p.session.world();
        let text = trace_jsonl(world);
        let lines: Vec<Value> =
            text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
        assert_eq!(lines.len(), world.trace().events().len());
        for (line, e) in lines.iter().zip(world.trace().events()) {
            assert_eq!(line["at_us"], json!(e.at));
            assert_eq!(line["text"], json!(describe(world, &e.event)));
        }
        let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
        for kind in ["crash", "request", "send", "deliver", "reply", "timer", "note"] {
            assert!(kinds.contains(&kind), "a {kind} line");
        }
        let request = lines.iter().find(|l| l["event"] == "request").unwrap();
        assert_eq!(
            (&request["client"], &request["node"], &request["kind"], &request["key"]),
            (&json!("alice"), &json!("A"), &json!("put"), &json!("cart"))
        );
        let crash = lines.iter().find(|l| l["event"] == "crash").unwrap();
        assert_eq!(crash["node"], json!("C"));
    }
}
