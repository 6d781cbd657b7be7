//! A scenario's steps: what a user does to the cluster, and when. A step in a file and a
//! click on the page are the same [`Action`]; the page records its clicks as steps, and
//! a session runs a file's steps (see `sim::session`, the one executor).
//!
//! In a file a step is one JSON object: its `op`, its fields, and when it happens:
//!
//! ```json
//! {"at_ms": 40, "op": "crash", "node": "B"}
//! {"op": "put", "client": "alice", "key": "cart", "value": "milk", "context": "none"}
//! {"at_ms": 41.25, "after_events": 812, "op": "get", "client": "bob", "key": "cart"}
//! ```
//!
//! - `at_ms` — the virtual time, once everything due at or before it has been handled.
//!   Without it, a step happens as soon as the previous one is done.
//! - `after_events` — the number of events (deliveries, timers, background operations)
//!   handled before it. The page writes it so that a step lands at exactly the moment it
//!   was taken, even between two events due at the same instant; hand-written files leave
//!   it out.

use super::super::limits;
use super::super::network::Latency;
use crate::core::ring::parse_position;
use crate::core::{Time, MS};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Which context a put carries (§4.1, §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Context {
    /// A blind write: the empty context.
    None,
    /// The context of this client's latest get of the key (empty if it never read it).
    #[default]
    LastRead,
}

/// Something a user does to the cluster: a client's request, a fault, an administrator's
/// command. Nodes are named as in the cluster (`"A"`, `"Sx"`).
///
/// (Serde reads and writes it as `{"crash": {"node": "B"}}`; a [`Step`] spells it
/// `{"op": "crash", "node": "B"}`. The plain form keeps the page's code small: serde's
/// `tag = "op"` buffers every field and costs the bundle tens of kilobytes.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// A client writes a value (§4.1, §4.5).
    Put {
        #[serde(default = "default_client")]
        client: String,
        key: String,
        value: String,
        /// The node the client calls; by default the key's coordinator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
        #[serde(default)]
        context: Context,
    },
    /// A client reads a key (§4.1, §4.5).
    Get {
        #[serde(default = "default_client")]
        client: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    /// Semantic reconciliation by the client (§4.4): the union of the sibling carts of its
    /// latest get, written back with that get's context.
    Reconcile {
        #[serde(default = "default_client")]
        client: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    Crash {
        node: String,
    },
    Recover {
        node: String,
    },
    /// The node's disk is lost (a permanent failure, §4.7).
    Wipe {
        node: String,
    },
    /// The network splits: nodes in different groups cannot reach each other; the nodes
    /// in no group form one more.
    Partition {
        groups: Vec<Vec<String>>,
    },
    /// The partition ends.
    Heal {},
    /// Faults on the link between two nodes, both directions (zeros clear them).
    Link {
        a: String,
        b: String,
        #[serde(default)]
        drop_rate: f64,
        #[serde(default)]
        extra_delay_ms: f64,
    },
    /// The whole network's latency and drop rate from now on.
    Network {
        latency_ms: Latency,
        #[serde(default)]
        drop_rate: f64,
    },
    /// The administrator adds a node to the ring (§4.8.1, §4.9).
    Join {
        node: String,
        /// A node the newcomer is told about (besides the seeds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tokens: Option<Vec<String>>,
        /// The seeds this node is configured with (§4.8.2), instead of the cluster's: `[]`
        /// for a node set up with none, which may form a ring of its own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seeds: Option<Vec<String>>,
    },
    /// The administrator removes a node from the ring; it hands its keys over.
    Leave {
        node: String,
    },
    /// Every running node compares all its key ranges with their other replicas now (§4.7).
    AntiEntropy {},
    /// Starts or stops the background load (the scenario's `load`).
    Load {
        on: bool,
    },
}

fn default_client() -> String {
    "client".to_string()
}

/// What a step does: an action, or waiting for the cluster to settle.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Act(Action),
    /// Run until nothing is in flight and the nodes agree (at most `max_ms`, 10 s by
    /// default); the next step comes after.
    Settle {
        max_ms: Option<f64>,
    },
}

/// One timed step of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at_ms: Option<f64>,
    pub after_events: Option<u64>,
    pub op: Op,
}

impl Step {
    /// A step with no time of its own: as soon as the previous one is done.
    pub fn now(action: Action) -> Step {
        Step { at_ms: None, after_events: None, op: Op::Act(action) }
    }

    /// The step's op name, as in the file.
    pub fn op_name(&self) -> &'static str {
        match &self.op {
            Op::Act(action) => action.op_name(),
            Op::Settle { .. } => "settle",
        }
    }

    /// `at_ms` in virtual time (checked by [`Step::check`]).
    pub fn at(&self) -> Option<Time> {
        self.at_ms.map(|ms| (ms * MS as f64).round() as Time)
    }

    /// Checks what can be checked without the cluster: times, numbers and texts.
    pub fn check(&self) -> Result<(), String> {
        if let Some(ms) = self.at_ms {
            check_ms("at_ms", ms)?;
        }
        match &self.op {
            Op::Act(action) => action.check(),
            Op::Settle { max_ms } => max_ms.map_or(Ok(()), |ms| check_ms("max_ms", ms)),
        }
    }
}

/// Milliseconds (as written in files) to virtual microseconds, refusing nonsense.
pub fn ms_to_time(what: &str, ms: f64) -> Result<Time, String> {
    check_ms(what, ms)?;
    Ok((ms * MS as f64).round() as Time)
}

fn check_ms(what: &str, ms: f64) -> Result<(), String> {
    if !(ms.is_finite() && (0.0..=limits::MAX_VIRTUAL_MS).contains(&ms)) {
        return Err(format!(
            "{what} must be a number of milliseconds from 0 to {} (got {ms})",
            limits::MAX_VIRTUAL_MS
        ));
    }
    Ok(())
}

impl Action {
    /// The action's op name, as in the file.
    pub fn op_name(&self) -> &'static str {
        match self {
            Action::Put { .. } => "put",
            Action::Get { .. } => "get",
            Action::Reconcile { .. } => "reconcile",
            Action::Crash { .. } => "crash",
            Action::Recover { .. } => "recover",
            Action::Wipe { .. } => "wipe",
            Action::Partition { .. } => "partition",
            Action::Heal {} => "heal",
            Action::Link { .. } => "link",
            Action::Network { .. } => "network",
            Action::Join { .. } => "join",
            Action::Leave { .. } => "leave",
            Action::AntiEntropy {} => "anti_entropy",
            Action::Load { .. } => "load",
        }
    }

    /// The nodes the action names, that must be in the cluster when it happens (a join's
    /// own node is not one of them).
    pub fn nodes_named(&self) -> Vec<&str> {
        match self {
            Action::Put { via, .. } | Action::Get { via, .. } | Action::Reconcile { via, .. } => {
                via.as_deref().into_iter().collect()
            }
            Action::Join { via, seeds, .. } => via
                .as_deref()
                .into_iter()
                .chain(seeds.iter().flatten().map(String::as_str))
                .collect(),
            Action::Crash { node }
            | Action::Recover { node }
            | Action::Wipe { node }
            | Action::Leave { node } => vec![node],
            Action::Partition { groups } => groups.iter().flatten().map(String::as_str).collect(),
            Action::Link { a, b, .. } => vec![a, b],
            Action::Heal {}
            | Action::Network { .. }
            | Action::AntiEntropy {}
            | Action::Load { .. } => Vec::new(),
        }
    }

    /// Checks what can be checked without the cluster: texts, rates, delays, tokens.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Action::Put { client, key, value, .. } => {
                limits::check_operation(client, key, Some(value))
            }
            Action::Get { client, key, .. } | Action::Reconcile { client, key, .. } => {
                limits::check_operation(client, key, None)
            }
            Action::Partition { groups } => {
                let named: Vec<&String> = groups.iter().flatten().collect();
                match named.iter().enumerate().find(|(i, n)| named[..*i].contains(n)) {
                    Some((_, twice)) => Err(format!("node {twice:?} is in more than one group")),
                    None => Ok(()),
                }
            }
            Action::Link { a, b, drop_rate, extra_delay_ms } => {
                check_drop_rate("drop_rate", *drop_rate)?;
                if *extra_delay_ms > limits::MAX_LATENCY_MS {
                    return Err(format!(
                        "extra_delay_ms must be at most {} (got {extra_delay_ms})",
                        limits::MAX_LATENCY_MS
                    ));
                }
                check_ms("extra_delay_ms", *extra_delay_ms)?;
                if a == b {
                    return Err("a link joins two different nodes".into());
                }
                Ok(())
            }
            Action::Network { latency_ms, drop_rate } => {
                latency_ms.validate()?;
                latency_ms.check_at_most(limits::MAX_LATENCY_MS)?;
                check_drop_rate("drop_rate", *drop_rate)
            }
            Action::Join { node, capacity, tokens, .. } => {
                if node.trim().is_empty() {
                    return Err("the node id must not be empty".into());
                }
                if let Some(c) = capacity {
                    limits::check_capacity(node, *c)?;
                }
                for t in tokens.iter().flatten() {
                    parse_position(t)?;
                }
                Ok(())
            }
            Action::Crash { .. }
            | Action::Recover { .. }
            | Action::Wipe { .. }
            | Action::Leave { .. }
            | Action::Heal {}
            | Action::AntiEntropy {}
            | Action::Load { .. } => Ok(()),
        }
    }
}

/// A partition needs two sides at least: the groups given, and one more of the `nodes`
/// named in no group.
pub fn check_sides(groups: &[Vec<String>], nodes: usize) -> Result<(), String> {
    let named = groups.iter().map(Vec::len).sum::<usize>();
    let sides = groups.iter().filter(|g| !g.is_empty()).count() + usize::from(named < nodes);
    if sides < 2 {
        return Err("a partition needs at least two groups".into());
    }
    Ok(())
}

fn check_drop_rate(what: &str, rate: f64) -> Result<(), String> {
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{what} must be between 0 and 1 (got {rate})"));
    }
    Ok(())
}

/// A settle step's fields: `{"op": "settle", "max_ms": 5000}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettleJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_ms: Option<f64>,
}

impl<'de> Deserialize<'de> for Step {
    /// `{"at_ms": …, "after_events": …, "op": NAME, fields…}`: the times are taken out, and
    /// the rest is read as the op's fields.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Step, D::Error> {
        let mut fields = Map::deserialize(deserializer)?;
        let mut take = |name: &str| fields.remove(name).filter(|v| !v.is_null());
        let at_ms = match take("at_ms") {
            None => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| {
                D::Error::custom(format!("at_ms must be a number of milliseconds (got {v})"))
            })?),
        };
        let after_events = match take("after_events") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                D::Error::custom(format!("after_events must be a whole number (got {v})"))
            })?),
        };
        let op = match take("op") {
            None => return Err(D::Error::custom("missing field `op`")),
            Some(Value::String(op)) => op,
            Some(v) => return Err(D::Error::custom(format!("op must be a text (got {v})"))),
        };
        let rest = Value::Object(fields);
        let op = if op == "settle" {
            let SettleJson { max_ms } = serde_json::from_value(rest).map_err(D::Error::custom)?;
            Op::Settle { max_ms }
        } else {
            let tagged = Value::Object(Map::from_iter([(op, rest)]));
            Op::Act(serde_json::from_value(tagged).map_err(D::Error::custom)?)
        };
        Ok(Step { at_ms, after_events, op })
    }
}

impl Serialize for Step {
    /// `at_ms` and `after_events` first, then the op and its fields.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut fields = Map::new();
        if let Some(ms) = self.at_ms {
            fields.insert("at_ms".into(), ms.into());
        }
        if let Some(n) = self.after_events {
            fields.insert("after_events".into(), n.into());
        }
        let (op, rest) = match &self.op {
            Op::Act(action) => match serde_json::to_value(action).map_err(S::Error::custom)? {
                Value::Object(tagged) => tagged.into_iter().next().expect("one op"),
                other => return Err(S::Error::custom(format!("an action, not {other}"))),
            },
            Op::Settle { max_ms } => {
                let rest = serde_json::to_value(SettleJson { max_ms: *max_ms });
                ("settle".to_string(), rest.map_err(S::Error::custom)?)
            }
        };
        fields.insert("op".into(), op.into());
        if let Value::Object(rest) = rest {
            fields.extend(rest);
        }
        fields.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Step, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_step_reads_and_writes_its_time_first_then_its_op() {
        let text = r#"{"at_ms":41.25,"after_events":812,"op":"get","client":"bob","key":"cart"}"#;
        let step = parse(text).unwrap();
        assert_eq!(step.at(), Some(41_250));
        assert_eq!(step.after_events, Some(812));
        let action = Action::Get { client: "bob".into(), key: "cart".into(), via: None };
        assert_eq!(step.op, Op::Act(action));
        assert_eq!(serde_json::to_string(&step).unwrap(), text);
        let settle = parse(r#"{"op":"settle","max_ms":500}"#).unwrap();
        assert_eq!(settle.op, Op::Settle { max_ms: Some(500.0) });
        assert_eq!(serde_json::to_string(&settle).unwrap(), r#"{"op":"settle","max_ms":500.0}"#);
        let heal = parse(r#"{"op":"heal"}"#).unwrap();
        assert_eq!(serde_json::to_string(&heal).unwrap(), r#"{"op":"heal"}"#);
    }

    #[test]
    fn unknown_ops_and_fields_and_wrong_types_are_refused_by_name() {
        let refused = [
            (r#"{"op":"explode"}"#, "unknown variant `explode`"),
            (r#"{"op":"heal","node":"A"}"#, "unknown field `node`"),
            (r#"{"op":"settle","node":"A"}"#, "unknown field `node`"),
            (r#"{"op":"crash"}"#, "missing field `node`"),
            (r#"{"op":"crash","node":7}"#, "invalid type"),
            (r#"{"at_ms":"soon","op":"heal"}"#, "at_ms must be a number"),
            (r#"{"after_events":-1,"op":"heal"}"#, "after_events must be a whole number"),
            (r#"[1,2]"#, "invalid type"),
        ];
        for (text, expected) in refused {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn checks_name_the_field_at_fault() {
        let link = |drop_rate, extra_delay_ms, b: &str| Action::Link {
            a: "A".into(),
            b: b.into(),
            drop_rate,
            extra_delay_ms,
        };
        assert!(link(0.5, 10.0, "B").check().is_ok());
        assert!(link(1.5, 0.0, "B").check().unwrap_err().contains("drop_rate"));
        assert!(link(0.0, -1.0, "B").check().unwrap_err().contains("extra_delay_ms"));
        assert!(link(0.0, 90_000.0, "B").check().unwrap_err().contains("at most"));
        assert!(link(0.0, 0.0, "A").check().unwrap_err().contains("two different"));
        let twice = Action::Partition { groups: vec![vec!["A".into()], vec!["A".into()]] };
        assert!(twice.check().unwrap_err().contains("more than one group"));
        let empty_key = Action::Get { client: "c".into(), key: "".into(), via: None };
        assert!(empty_key.check().unwrap_err().contains("key"));
        let step = Step { at_ms: Some(-3.0), after_events: None, op: Op::Act(Action::Heal {}) };
        assert!(step.check().unwrap_err().contains("at_ms"));
        let join =
            Action::Join { node: " ".into(), via: None, capacity: None, tokens: None, seeds: None };
        assert!(join.check().is_err());
    }
}
