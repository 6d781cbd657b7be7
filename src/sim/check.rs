//! A history checker, judging a run from what its clients saw (as Jepsen does), not from
//! the nodes' own bookkeeping: the answers each get and put received, and — after the
//! network heals, every node recovers, anti-entropy runs and the cluster settles — what
//! the key's N replicas hold.
//!
//! - **no acknowledged write lost**: each acknowledged version is on all N replicas of its
//!   key, itself or a descendant. Promised when fewer disks were wiped than W (a wiped node
//!   forgets what it acknowledged) and the nodes agree on the ring.
//! - **no phantom**: every value a node holds or a get returned was put by a client. Always.
//! - **siblings are concurrent**: the versions one get returns are pairwise concurrent.
//!   Always.
//! - **convergence**: all N replicas of a key hold the same versions. Promised once
//!   anti-entropy has run, if the nodes agree on the ring.
//! - **read your writes**: a client's get, started after its own put of the key was
//!   acknowledged, returns that version or a descendant. **Monotonic reads**: a client's
//!   get returns, for every version its previous get of the key returned, that version or a
//!   descendant. Both promised when R + W > N with a strict quorum, no disk wiped and no
//!   node joining or leaving (§4.5); elsewhere reported, not failed.
//! - **a clock names one write**: no two different values came back to clients (acknowledged
//!   or read) under the same clock. Always. This is what makes the first property sound: it
//!   asks whether a survivor's clock descends the acknowledged one, and a clock reused for a
//!   different write (a wiped node stamping with its old counters) would hide a lost write —
//!   as it once did in this project's tests.
//!
//! A property not promised by the run's configuration and faults is still checked, and a
//! violation reported — "violated, not promised" — so that a lesson can show it breaking.

use crate::core::clock::VectorClock;
use crate::core::message::{ClientReply, OpId};
use crate::core::MS;
use crate::sim::World;
use serde::Serialize;
use std::collections::BTreeSet;

/// How long the checker lets the cluster settle after healing it.
pub const SETTLE: crate::core::Time = 60_000 * MS;

/// One property's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub property: &'static str,
    pub held: bool,
    /// Whether Dynamo promises it for this run's configuration and faults, and if not, why.
    pub promised: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_promised_because: Option<String>,
    /// When violated: what shows it (at most [`MAX_EVIDENCE`] lines).
    pub evidence: Vec<String>,
}

/// Most lines of evidence given per property.
pub const MAX_EVIDENCE: usize = 10;

/// Checks a finished run: the clients' answers as they are, then the replicas after the
/// cluster is healed, recovered, repaired by anti-entropy and settled (on a copy).
pub fn check(world: &World) -> Vec<Verdict> {
    let mut healed = world.clone();
    heal(&mut healed);
    vec![
        no_lost_write(&healed),
        no_phantom(&healed),
        siblings_concurrent(world),
        convergence(&healed),
        one_write_per_clock(world),
        read_your_writes(world),
        monotonic_reads(world),
    ]
}

/// Whether every property Dynamo promises here held.
pub fn all_promised_held(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| v.held || !v.promised)
}

fn heal(world: &mut World) {
    world.heal();
    let down: Vec<_> = world.node_ids().filter(|&n| !world.is_up(n)).collect();
    for n in down {
        world.recover(n);
    }
    world.settle(SETTLE);
    world.anti_entropy();
    world.settle(SETTLE);
}

fn verdict(property: &'static str, because: Option<String>, mut evidence: Vec<String>) -> Verdict {
    evidence.truncate(MAX_EVIDENCE);
    let held = evidence.is_empty();
    Verdict { property, held, promised: because.is_none(), not_promised_because: because, evidence }
}

/// Why the replicas' durability is not promised here, if it is not: the nodes still
/// disagree on the ring after settling (a ring split by missing seeds, §4.8.2), or more
/// disks were wiped than a put waits for.
fn durability_not_promised(world: &World) -> Option<String> {
    let wipes: u32 = world.node_ids().map(|n| world.node(n).actor().epoch).sum();
    if !world.memberships_agree() {
        Some("the nodes do not agree on the ring: it is logically partitioned (§4.8.2)".into())
    } else if wipes as usize >= world.config().w {
        Some(format!("{wipes} disk(s) wiped, and a put waits for only W = {}", world.config().w))
    } else {
        None
    }
}

/// The acknowledged puts: (operation, its client and key, the version's clock, when).
fn acknowledged(world: &World) -> Vec<(OpId, String, String, VectorClock, f64)> {
    let ops = world.ops();
    (ops.first_index()..ops.len())
        .filter_map(|i| {
            let record = ops.get(i)?;
            match record.outcome.as_deref() {
                Some(ClientReply::Put { version, .. }) => Some((
                    OpId(i as u64 + 1),
                    record.client.to_string(),
                    record.key.to_string(),
                    version.clock.clone(),
                    record.finished.unwrap_or(record.started) as f64 / MS as f64,
                )),
                _ => None,
            }
        })
        .collect()
}

fn no_lost_write(world: &World) -> Verdict {
    let mut evidence = Vec::new();
    for (op, client, key, clock, at) in acknowledged(world) {
        for replica in world.preference_list(&key).into_iter().take(world.config().n) {
            let held = world.node(replica).store().versions_of(&key.as_str().into()).to_vec();
            if !held.iter().any(|v| v.clock.descends(&clock)) {
                evidence.push(format!(
                    "put #{} by {client} of {key} {} was acknowledged at {at:.3} ms; replica {} \
                     holds {}",
                    op.0,
                    world.clock_text(&clock),
                    world.name(replica),
                    clocks_text(world, held.iter().map(|v| &v.clock))
                ));
            }
        }
    }
    verdict("no acknowledged write lost", durability_not_promised(world), evidence)
}

fn no_phantom(world: &World) -> Verdict {
    let ops = world.ops();
    let put: BTreeSet<String> = (ops.first_index()..ops.len())
        .filter_map(|i| ops.get(i)?.value.as_ref().map(|v| v.to_string()))
        .collect();
    let mut evidence = Vec::new();
    for n in world.node_ids() {
        let store = world.node(n).store();
        for key in store.keys() {
            for v in store.versions_of(key) {
                if !put.contains(&*v.value) {
                    evidence.push(format!(
                        "{} holds {key} = {:?} {}, which no client put",
                        world.name(n),
                        &*v.value,
                        world.clock_text(&v.clock)
                    ));
                }
            }
        }
    }
    for i in ops.first_index()..ops.len() {
        let Some(record) = ops.get(i) else { continue };
        if let Some(ClientReply::Got { versions, .. }) = record.outcome.as_deref() {
            for v in versions.iter().filter(|v| !put.contains(&*v.value)) {
                evidence.push(format!(
                    "get #{} by {} of {} returned {:?}, which no client put",
                    i + 1,
                    record.client,
                    record.key,
                    &*v.value
                ));
            }
        }
    }
    verdict("no phantom", None, evidence)
}

fn siblings_concurrent(world: &World) -> Verdict {
    let ops = world.ops();
    let mut evidence = Vec::new();
    for i in ops.first_index()..ops.len() {
        let Some(record) = ops.get(i) else { continue };
        let Some(ClientReply::Got { versions, .. }) = record.outcome.as_deref() else { continue };
        for (a, va) in versions.iter().enumerate() {
            for vb in &versions[a + 1..] {
                if va.clock.descends(&vb.clock) || vb.clock.descends(&va.clock) {
                    evidence.push(format!(
                        "get #{} by {} of {} returned {} beside {}, one descending from the other",
                        i + 1,
                        record.client,
                        record.key,
                        world.clock_text(&va.clock),
                        world.clock_text(&vb.clock)
                    ));
                }
            }
        }
    }
    verdict("siblings are concurrent", None, evidence)
}

fn convergence(world: &World) -> Verdict {
    let n = world.config().n;
    let keys: BTreeSet<String> = world
        .node_ids()
        .flat_map(|node| world.node(node).store().keys().into_iter().map(|k| k.to_string()))
        .collect();
    let mut evidence = Vec::new();
    for key in keys {
        let replicas: Vec<_> = world.preference_list(&key).into_iter().take(n).collect();
        let held = |r| -> Vec<String> {
            let versions = world.node(r).store().versions_of(&key.as_str().into()).to_vec();
            let mut clocks: Vec<String> =
                versions.iter().map(|v| world.clock_text(&v.clock)).collect();
            clocks.sort_unstable();
            clocks
        };
        let first = held(replicas[0]);
        if let Some(&other) = replicas[1..].iter().find(|&&r| held(r) != first) {
            evidence.push(format!(
                "{key}: {} holds {}, {} holds {}",
                world.name(replicas[0]),
                list(&first),
                world.name(other),
                list(&held(other))
            ));
        }
    }
    let because = (!world.memberships_agree()).then(|| {
        "the nodes do not agree on the ring: it is logically partitioned (§4.8.2)".to_string()
    });
    verdict("convergence", because, evidence)
}

/// Why a client's reads are not promised to follow its writes or its earlier reads here.
fn sessions_not_promised(world: &World) -> Option<String> {
    let c = world.config();
    let wipes: u32 = world.node_ids().map(|n| world.node(n).actor().epoch).sum();
    if c.r + c.w <= c.n {
        Some(format!("R + W = {} is not more than N = {} (§4.5)", c.r + c.w, c.n))
    } else if c.sloppy_quorum {
        Some("a sloppy quorum may read and write on different stand-ins (§4.6)".into())
    } else if wipes > 0 {
        Some(format!("{wipes} disk(s) wiped"))
    } else if world.metrics().ring_changes > 0 {
        Some("the ring changed (a node joined or left)".into())
    } else {
        None
    }
}

/// Each client's successful gets and acknowledged puts, by key, in order:
/// (operation, started, finished, is a put, clocks returned or stored).
type Session = Vec<(usize, f64, f64, bool, Vec<VectorClock>)>;

fn sessions(world: &World) -> std::collections::BTreeMap<(String, String), Session> {
    let ops = world.ops();
    let mut by: std::collections::BTreeMap<(String, String), Session> = Default::default();
    for i in ops.first_index()..ops.len() {
        let Some(record) = ops.get(i) else { continue };
        let (is_put, clocks) = match record.outcome.as_deref() {
            Some(ClientReply::Put { version, .. }) => (true, vec![version.clock.clone()]),
            Some(ClientReply::Got { versions, .. }) => {
                (false, versions.iter().map(|v| v.clock.clone()).collect())
            }
            _ => continue,
        };
        let ms = |t: crate::core::Time| t as f64 / MS as f64;
        let done = ms(record.finished.unwrap_or(record.started));
        let entry = (i + 1, ms(record.started), done, is_put, clocks);
        by.entry((record.client.to_string(), record.key.to_string())).or_default().push(entry);
    }
    by
}

/// Whether `returned` holds each of `clocks` or a descendant.
fn covers(returned: &[VectorClock], clocks: &[VectorClock]) -> bool {
    clocks.iter().all(|c| returned.iter().any(|r| r.descends(c)))
}

fn read_your_writes(world: &World) -> Verdict {
    let mut evidence = Vec::new();
    for ((client, key), session) in sessions(world) {
        for (put, _, acked, _, written) in session.iter().filter(|s| s.3) {
            for (get, started, _, _, read) in session.iter().filter(|s| !s.3 && s.1 > *acked) {
                if !covers(read, written) {
                    evidence.push(format!(
                        "{client}'s get #{get} of {key} (at {started:.3} ms) missed its own put \
                         #{put} {}, acknowledged at {acked:.3} ms",
                        world.clock_text(&written[0])
                    ));
                }
            }
        }
    }
    verdict("read your writes", sessions_not_promised(world), evidence)
}

fn monotonic_reads(world: &World) -> Verdict {
    let mut evidence = Vec::new();
    for ((client, key), session) in sessions(world) {
        let gets: Vec<_> = session.iter().filter(|s| !s.3).collect();
        for pair in gets.windows(2) {
            let (earlier, later) = (pair[0], pair[1]);
            if later.1 > earlier.2 && !covers(&later.4, &earlier.4) {
                evidence.push(format!(
                    "{client}'s get #{} of {key} returned {}, older than its get #{} before: {}",
                    later.0,
                    clocks_text(world, later.4.iter()),
                    earlier.0,
                    clocks_text(world, earlier.4.iter())
                ));
            }
        }
    }
    verdict("monotonic reads", sessions_not_promised(world), evidence)
}

fn one_write_per_clock(world: &World) -> Verdict {
    use std::collections::BTreeMap;
    let ops = world.ops();
    let mut named: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for i in ops.first_index()..ops.len() {
        let Some(record) = ops.get(i) else { continue };
        let versions: Vec<_> = match record.outcome.as_deref() {
            Some(ClientReply::Put { version, .. }) => vec![version.clone()],
            Some(ClientReply::Got { versions, .. }) => versions.clone(),
            _ => continue,
        };
        for v in versions {
            let at = (record.key.to_string(), world.clock_text(&v.clock));
            named.entry(at).or_default().insert(v.value.to_string());
        }
    }
    let evidence = named
        .into_iter()
        .filter(|(_, values)| values.len() > 1)
        .map(|((key, clock), values)| {
            let values: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
            format!("{key} {clock} came back to clients as {}", values.join(" and "))
        })
        .collect();
    verdict("a clock names one write", None, evidence)
}

fn list(clocks: &[String]) -> String {
    if clocks.is_empty() {
        "nothing".into()
    } else {
        clocks.join(" | ")
    }
}

fn clocks_text<'a>(world: &World, clocks: impl Iterator<Item = &'a VectorClock>) -> String {
    let texts: Vec<String> = clocks.map(|c| world.clock_text(c)).collect();
    list(&texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::{self, Scenario};

    fn verdicts(file: &str) -> Vec<Verdict> {
        let scenario = Scenario::from_json(file).unwrap();
        let (_, world) = scenario::run_recorded(&scenario, false).unwrap();
        check(&world)
    }

    fn of<'a>(verdicts: &'a [Verdict], property: &str) -> &'a Verdict {
        verdicts.iter().find(|v| v.property == property).unwrap()
    }

    #[test]
    fn every_example_and_lesson_holds_what_dynamo_promises() {
        let files =
            crate::app::examples::EXAMPLES.iter().chain(crate::app::lessons::LESSONS.iter());
        for (name, text) in files {
            let v = verdicts(text);
            assert!(all_promised_held(&v), "{name}: {v:#?}");
        }
    }

    #[test]
    fn r1_w1_misses_the_clients_own_write_reported_not_promised() {
        let file = r#"{
          "seed": 7,
          "cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}, {"id": "D"}, {"id": "E"}],
                      "n": 3, "r": 1, "w": 1, "tokens_per_node": 4,
                      "network": {"latency_ms": {"kind": "fixed", "ms": 5}}},
          "steps": [
            {"at_ms": 0, "op": "put", "client": "alice", "key": "cart", "value": "mixer",
             "via": "E", "context": "none"},
            {"at_ms": 1, "op": "get", "client": "alice", "key": "cart", "via": "A"}
          ]
        }"#;
        let v = verdicts(file);
        let ryw = of(&v, "read your writes");
        assert!(!ryw.held && !ryw.promised, "{ryw:#?}");
        assert!(ryw.evidence[0].starts_with("alice's get #2 of cart (at 1.000 ms) missed its own"));
        assert!(ryw.not_promised_because.as_ref().unwrap().contains("R + W = 2"));
        // R + W > N, strict, the get after the put's acknowledgement (W = 2 takes 10 ms).
        let strict = file
            .replace(r#""r": 1, "w": 1"#, r#""r": 2, "w": 2, "features": {"sloppy_quorum": false}"#)
            .replace(r#""at_ms": 1, "op": "get""#, r#""at_ms": 30, "op": "get""#);
        let v = verdicts(&strict);
        let ryw = of(&v, "read your writes");
        assert!(ryw.held && ryw.promised, "R + W > N, strict: {ryw:#?}");
        let scenario = Scenario::from_json(&strict).unwrap();
        let world = scenario::run_recorded(&scenario, false).unwrap().1;
        let (put, get) = (world.op(OpId(1)).unwrap(), world.op(OpId(2)).unwrap());
        assert!(get.started > put.finished.unwrap(), "the get follows the acknowledgement");
        assert!(of(&v, "monotonic reads").held);
    }

    #[test]
    fn w1_and_a_wipe_lose_an_acknowledged_write_and_the_checker_says_which() {
        let file = r#"{
          "seed": 3,
          "cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}, {"id": "D"}],
                      "n": 3, "r": 1, "w": 1,
                      "features": {"sloppy_quorum": false, "hinted_handoff": false}},
          "steps": [
            {"at_ms": 0, "op": "partition", "groups": [["A", "B", "C"], ["D"]]},
            {"at_ms": 1, "op": "put", "client": "alice", "key": "cart", "value": "mixer",
             "via": "D", "context": "none"},
            {"at_ms": 50, "op": "wipe", "node": "D"},
            {"at_ms": 60, "op": "heal"}
          ]
        }"#;
        let v = verdicts(file);
        let lost = of(&v, "no acknowledged write lost");
        assert!(!lost.held && !lost.promised, "{lost:#?}");
        assert!(lost.evidence[0].starts_with("put #1 by alice of cart [D:1] was acknowledged"));
        assert!(all_promised_held(&v), "not promised with one wipe and W = 1: {v:#?}");
    }
}
