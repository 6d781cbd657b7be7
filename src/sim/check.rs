//! A history checker, judging a run from what its clients saw (as Jepsen does), not from
//! the nodes' own bookkeeping: the answers each get and put received, and — after the
//! network heals, every node recovers, anti-entropy runs and the cluster settles — what
//! the key's N replicas hold.
//!
//! - **no acknowledged write lost**: each acknowledged version is on all N replicas of its
//!   key, itself or a descendant. Promised when fewer disks were wiped than W (a wiped node
//!   forgets what it acknowledged; none while the ring changes), the nodes agree on the
//!   ring, and replicas keep siblings (last write wins discards concurrent writes).
//! - **no phantom**: every value a node holds or a get returned was put by a client. Always.
//! - **siblings are concurrent**: the versions one get returns are pairwise concurrent.
//!   Always.
//! - **convergence**: all N replicas of a key hold the same versions. Promised once
//!   anti-entropy has run, if the nodes agree on the ring.
//! - **read your writes**: a client's get, started after its own put of the key was
//!   acknowledged, returns that version or a descendant. **Monotonic reads**: a client's
//!   get returns, for every version its previous get of the key returned that had been
//!   acknowledged before this get began, that version or a descendant. Both promised when
//!   R + W > N with a strict quorum, siblings kept, no disk wiped and no node joining or
//!   leaving (§4.5); elsewhere reported, not failed.
//! - **a clock names one write**: no two different values came back to clients (acknowledged
//!   or read) under the same clock. Always. This is what makes the first property sound: it
//!   asks whether a survivor's clock descends the acknowledged one, and a clock reused for a
//!   different write (a wiped node stamping with its old counters) would hide a lost write —
//!   as it once did in this project's tests.
//!
//! A property not promised by the run's configuration and faults is still checked, and a
//! violation reported — "violated, not promised" — so that a lesson can show it breaking.

use crate::core::accel::compact_sort;
use crate::core::clock::VectorClock;
use crate::core::message::ClientReply;
use crate::core::version::Version;
use crate::core::{NodeId, Time, MS};
use crate::sim::World;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How long the checker lets the cluster settle after healing it.
pub const SETTLE: Time = 60_000 * MS;

/// The properties, in the order [`check_observed`] gives its verdicts.
pub const PROPERTIES: [&str; 7] = [
    "no acknowledged write lost",
    "no phantom",
    "siblings are concurrent",
    "convergence",
    "a clock names one write",
    "read your writes",
    "monotonic reads",
];

/// A property's name from its name or its slug (`no-acknowledged-write-lost`).
pub fn property(text: &str) -> Option<&'static str> {
    PROPERTIES.into_iter().find(|p| *p == text || p.replace(' ', "-") == text)
}

/// Most lines of evidence given per property.
pub const MAX_EVIDENCE: usize = 10;

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

/// A client operation as the checker sees it: what was asked, when, and the answer.
#[derive(Clone, Debug)]
pub struct Op {
    /// The operation's number (`#n` in the evidence).
    pub id: u64,
    pub client: String,
    pub key: String,
    pub started: Time,
    pub finished: Option<Time>,
    /// The value a put asked to store.
    pub value: Option<String>,
    pub reply: Option<ClientReply>,
}

/// What the checker judges: the clients' operations and answers, and what the nodes hold
/// after the cluster was healed and settled. Built from a run ([`Observed::of`]) or by hand.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// Node names, by node id (for clocks and replicas in the evidence).
    pub names: Vec<String>,
    pub ops: Vec<Op>,
    /// Every version each node holds: (node, key, versions).
    pub held: Vec<(NodeId, String, Vec<Version>)>,
    /// Each key's N replicas (on the ring as the administrator set it up).
    pub replicas: BTreeMap<String, Vec<NodeId>>,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub sloppy_quorum: bool,
    /// Whether replicas keep only the latest-timestamped version (§4.4's last write wins).
    pub last_write_wins: bool,
    /// Disks wiped during the run; whether the ring changed; whether the nodes agree on it.
    pub wipes: u32,
    pub ring_changed: bool,
    pub rings_agree: bool,
}

impl Observed {
    /// A finished run, healed on a copy: the network healed (partitions, faulty links,
    /// random drops), every node recovered, anti-entropy run, the cluster settled.
    pub fn of(world: &World) -> Observed {
        let mut healed = world.clone();
        heal(&mut healed);
        let w = &healed;
        let ops = w.ops();
        let ops: Vec<Op> = (ops.first_index()..ops.len())
            .filter_map(|i| {
                let r = ops.get(i)?;
                Some(Op {
                    id: i as u64 + 1,
                    client: r.client.to_string(),
                    key: r.key.to_string(),
                    started: r.started,
                    finished: r.finished,
                    value: r.value.as_ref().map(|v| v.to_string()),
                    reply: r.outcome.as_deref().cloned(),
                })
            })
            .collect();
        let mut held = Vec::new();
        let mut replicas = BTreeMap::new();
        for node in w.node_ids() {
            let store = w.node(node).store();
            for key in store.keys() {
                held.push((node, key.to_string(), store.versions_of(key).to_vec()));
                replicas.entry(key.to_string()).or_insert_with(|| {
                    w.preference_list(key.as_str()).into_iter().take(w.config().n).collect()
                });
            }
        }
        // Keys the clients used, though no node may hold them any more.
        for op in &ops {
            replicas.entry(op.key.clone()).or_insert_with(|| {
                w.preference_list(&op.key).into_iter().take(w.config().n).collect()
            });
        }
        let c = w.config();
        Observed {
            names: w.names().to_vec(),
            ops,
            held,
            replicas,
            n: c.n,
            r: c.r,
            w: c.w,
            sloppy_quorum: c.sloppy_quorum,
            last_write_wins: c.reconciliation
                == crate::core::version::Reconciliation::LastWriteWins,
            wipes: w.node_ids().map(|n| w.node(n).actor().epoch).sum(),
            ring_changed: w.metrics().ring_changes > 0,
            rings_agree: w.memberships_agree(),
        }
    }

    fn name(&self, node: NodeId) -> &str {
        self.names.get(node.index()).map_or("?", String::as_str)
    }

    fn clock(&self, clock: &VectorClock) -> String {
        let pairs: Vec<String> = clock
            .entries()
            .map(|(actor, e)| format!("{}:{}", actor.label(self.name(actor.node)), e.counter))
            .collect();
        format!("[{}]", pairs.join(", "))
    }

    fn clocks<'a>(&self, clocks: impl Iterator<Item = &'a VectorClock>) -> String {
        let texts: Vec<String> = clocks.map(|c| self.clock(c)).collect();
        list(&texts)
    }

    /// What `node` holds of `key`.
    fn holds(&self, node: NodeId, key: &str) -> &[Version] {
        let found = self.held.iter().find(|(n, k, _)| *n == node && k == key);
        found.map_or(&[], |(_, _, versions)| versions.as_slice())
    }

    /// The acknowledged puts: (the operation, the version's clock).
    fn acknowledged(&self) -> impl Iterator<Item = (&Op, &VectorClock)> {
        self.ops.iter().filter_map(|op| match &op.reply {
            Some(ClientReply::Put { version, .. }) => Some((op, &version.clock)),
            _ => None,
        })
    }

    /// Why the replicas' durability is not promised here, if it is not.
    fn durability_not_promised(&self) -> Option<String> {
        if !self.rings_agree {
            Some("the nodes do not agree on the ring: it is logically partitioned (§4.8.2)".into())
        } else if self.last_write_wins {
            Some("last write wins: a concurrent write is discarded by design (§4.4)".into())
        } else if self.wipes > 0 && self.ring_changed {
            Some("a disk was wiped while the ring changed: a move can leave fewer copies".into())
        } else if self.wipes as usize >= self.w {
            Some(format!("{} disk(s) wiped, and a put waits for only W = {}", self.wipes, self.w))
        } else {
            None
        }
    }

    /// Why a client's reads are not promised to follow its writes or earlier reads here.
    fn sessions_not_promised(&self) -> Option<String> {
        if self.r + self.w <= self.n {
            Some(format!("R + W = {} is not more than N = {} (§4.5)", self.r + self.w, self.n))
        } else if self.sloppy_quorum {
            Some("a sloppy quorum may read and write on different stand-ins (§4.6)".into())
        } else if self.last_write_wins {
            Some("last write wins: a concurrent write is discarded by design (§4.4)".into())
        } else if self.wipes > 0 {
            Some(format!("{} disk(s) wiped", self.wipes))
        } else if self.ring_changed {
            Some("the ring changed (a node joined or left)".into())
        } else {
            None
        }
    }
}

/// Checks a finished run (see [`Observed::of`]).
pub fn check(world: &World) -> Vec<Verdict> {
    check_observed(&Observed::of(world))
}

/// Checks an observed history, every property.
pub fn check_observed(o: &Observed) -> Vec<Verdict> {
    vec![
        no_lost_write(o),
        no_phantom(o),
        siblings_concurrent(o),
        convergence(o),
        one_write_per_clock(o),
        read_your_writes(o),
        monotonic_reads(o),
    ]
}

/// Whether every property Dynamo promises here held.
pub fn all_promised_held(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| v.held || !v.promised)
}

fn heal(world: &mut World) {
    world.heal();
    // Every faulty link mended, and no message lost at random any more.
    let links: Vec<_> = world.network().links().map(|(link, _)| link).collect();
    for (a, b) in links {
        world.set_link(a, b, 0.0, 0).expect("a link without faults is valid");
    }
    let latency = world.network().latency();
    world.set_network(latency, 0.0).expect("the network's own latency is valid");
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

fn ms(t: Time) -> f64 {
    t as f64 / MS as f64
}

fn no_lost_write(o: &Observed) -> Verdict {
    let mut evidence = Vec::new();
    for (op, clock) in o.acknowledged() {
        for &replica in o.replicas.get(&op.key).into_iter().flatten() {
            let held = o.holds(replica, &op.key);
            if !held.iter().any(|v| v.clock.descends(clock)) {
                evidence.push(format!(
                    "put #{} by {} of {} {} was acknowledged at {:.3} ms; replica {} holds {}",
                    op.id,
                    op.client,
                    op.key,
                    o.clock(clock),
                    ms(op.finished.unwrap_or(op.started)),
                    o.name(replica),
                    o.clocks(held.iter().map(|v| &v.clock))
                ));
            }
        }
    }
    verdict("no acknowledged write lost", o.durability_not_promised(), evidence)
}

fn no_phantom(o: &Observed) -> Verdict {
    // (Built by inserting, not collected: collecting into a B-tree sorts first, and each
    // sort costs the page's download a few kilobytes.)
    let mut put = BTreeSet::new();
    put.extend(o.ops.iter().filter_map(|op| op.value.as_deref()));
    let mut evidence = Vec::new();
    for (node, key, versions) in &o.held {
        for v in versions.iter().filter(|v| !put.contains(&*v.value)) {
            evidence.push(format!(
                "{} holds {key} = {:?} {}, which no client put",
                o.name(*node),
                &*v.value,
                o.clock(&v.clock)
            ));
        }
    }
    for op in &o.ops {
        if let Some(ClientReply::Got { versions, .. }) = &op.reply {
            for v in versions.iter().filter(|v| !put.contains(&*v.value)) {
                evidence.push(format!(
                    "get #{} by {} of {} returned {:?}, which no client put",
                    op.id, op.client, op.key, &*v.value
                ));
            }
        }
    }
    verdict("no phantom", None, evidence)
}

fn siblings_concurrent(o: &Observed) -> Verdict {
    let mut evidence = Vec::new();
    for op in &o.ops {
        let Some(ClientReply::Got { versions, .. }) = &op.reply else { continue };
        for (a, va) in versions.iter().enumerate() {
            for vb in &versions[a + 1..] {
                if va.clock.descends(&vb.clock) || vb.clock.descends(&va.clock) {
                    evidence.push(format!(
                        "get #{} by {} of {} returned {} beside {}, one descending from the other",
                        op.id,
                        op.client,
                        op.key,
                        o.clock(&va.clock),
                        o.clock(&vb.clock)
                    ));
                }
            }
        }
    }
    verdict("siblings are concurrent", None, evidence)
}

fn convergence(o: &Observed) -> Verdict {
    let mut evidence = Vec::new();
    for (key, replicas) in &o.replicas {
        let held = |r: NodeId| -> Vec<String> {
            let mut clocks: Vec<String> =
                o.holds(r, key).iter().map(|v| o.clock(&v.clock)).collect();
            compact_sort::sort_unstable(&mut clocks);
            clocks
        };
        let Some(&first) = replicas.first() else { continue };
        if let Some(&other) = replicas[1..].iter().find(|&&r| held(r) != held(first)) {
            evidence.push(format!(
                "{key}: {} holds {}, {} holds {}",
                o.name(first),
                list(&held(first)),
                o.name(other),
                list(&held(other))
            ));
        }
    }
    let because = (!o.rings_agree).then(|| {
        "the nodes do not agree on the ring: it is logically partitioned (§4.8.2)".to_string()
    });
    verdict("convergence", because, evidence)
}

fn one_write_per_clock(o: &Observed) -> Verdict {
    let mut named: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for op in &o.ops {
        let versions: Vec<Version> = match &op.reply {
            Some(ClientReply::Put { version, .. }) => vec![version.clone()],
            Some(ClientReply::Got { versions, .. }) => versions.clone(),
            _ => continue,
        };
        for v in versions {
            let at = (op.key.clone(), o.clock(&v.clock));
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

/// A client's answered operation on a key: (op, is a put, the clocks it stored or read).
type Answered<'o> = (&'o Op, bool, Vec<&'o VectorClock>);

/// Each client's answered operations on each key, in order.
fn sessions(o: &Observed) -> BTreeMap<(&str, &str), Vec<Answered<'_>>> {
    let mut by: BTreeMap<(&str, &str), Vec<_>> = BTreeMap::new();
    for op in &o.ops {
        let (is_put, clocks) = match &op.reply {
            Some(ClientReply::Put { version, .. }) => (true, vec![&version.clock]),
            Some(ClientReply::Got { versions, .. }) => {
                (false, versions.iter().map(|v| &v.clock).collect())
            }
            _ => continue,
        };
        by.entry((op.client.as_str(), op.key.as_str())).or_default().push((op, is_put, clocks));
    }
    by
}

/// Whether `returned` holds each of `clocks` or a descendant.
fn covers(returned: &[&VectorClock], clocks: &[&VectorClock]) -> bool {
    clocks.iter().all(|c| returned.iter().any(|r| r.descends(c)))
}

fn read_your_writes(o: &Observed) -> Verdict {
    let mut evidence = Vec::new();
    for ((client, key), session) in sessions(o) {
        for (put, _, written) in session.iter().filter(|s| s.1) {
            let acked = put.finished.unwrap_or(put.started);
            for (get, _, read) in session.iter().filter(|s| !s.1 && s.0.started > acked) {
                if !covers(read, written) {
                    evidence.push(format!(
                        "{client}'s get #{} of {key} (at {:.3} ms) missed its own put #{} {}, \
                         acknowledged at {:.3} ms",
                        get.id,
                        ms(get.started),
                        put.id,
                        o.clock(written[0]),
                        ms(acked)
                    ));
                }
            }
        }
    }
    verdict("read your writes", o.sessions_not_promised(), evidence)
}

fn monotonic_reads(o: &Observed) -> Verdict {
    // When each version was acknowledged: a read overlapping a write still under way may
    // see it before the write quorum has it, and a later read may then miss it; only what
    // was acknowledged before the later read began must be kept.
    let mut acked: BTreeMap<String, Time> = BTreeMap::new();
    acked.extend(o.acknowledged().map(|(op, clock)| {
        (format!("{}{}", op.key, o.clock(clock)), op.finished.unwrap_or(op.started))
    }));
    let mut evidence = Vec::new();
    for ((client, key), session) in sessions(o) {
        let gets: Vec<_> = session.iter().filter(|s| !s.1).collect();
        for pair in gets.windows(2) {
            let (earlier, later) = (pair[0], pair[1]);
            let after = later.0.started > earlier.0.finished.unwrap_or(earlier.0.started);
            let must: Vec<&VectorClock> = earlier
                .2
                .iter()
                .copied()
                .filter(|c| {
                    acked.get(&format!("{key}{}", o.clock(c))).is_some_and(|&t| t < later.0.started)
                })
                .collect();
            if after && !covers(&later.2, &must) {
                evidence.push(format!(
                    "{client}'s get #{} of {key} returned {}, older than its get #{} before: {}",
                    later.0.id,
                    o.clocks(later.2.iter().copied()),
                    earlier.0.id,
                    o.clocks(earlier.2.iter().copied())
                ));
            }
        }
    }
    verdict("monotonic reads", o.sessions_not_promised(), evidence)
}

fn list(clocks: &[String]) -> String {
    if clocks.is_empty() {
        "nothing".into()
    } else {
        clocks.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::message::OpId;
    use crate::sim::scenario::{self, Scenario};

    /// A clock of (node index, counter) pairs.
    fn clock(pairs: &[(u32, u64)]) -> VectorClock {
        let pairs: Vec<(NodeId, u64)> = pairs.iter().map(|&(n, c)| (NodeId(n), c)).collect();
        VectorClock::from_counters(&pairs, 0)
    }

    fn version(value: &str, pairs: &[(u32, u64)]) -> Version {
        Version::new(value.into(), clock(pairs), 0)
    }

    fn put(id: u64, client: &str, value: &str, at: Time, acked: &[(u32, u64)]) -> Op {
        let version = version(value, acked);
        let reply = ClientReply::Put { op: OpId(id), version, coordinator: NodeId(0) };
        Op {
            id,
            client: client.into(),
            key: "cart".into(),
            started: at * MS,
            finished: Some((at + 1) * MS),
            value: Some(value.into()),
            reply: Some(reply),
        }
    }

    fn get(id: u64, client: &str, at: Time, versions: Vec<Version>) -> Op {
        let reply = ClientReply::Got { op: OpId(id), versions, context: VectorClock::new() };
        Op {
            id,
            client: client.into(),
            key: "cart".into(),
            started: at * MS,
            finished: Some((at + 1) * MS),
            value: None,
            reply: Some(reply),
        }
    }

    /// Three nodes A, B, C, all replicas of cart, (N, R, W) = (3, 2, 2), strict quorum,
    /// holding `held` each.
    fn history(ops: Vec<Op>, held: [Vec<Version>; 3]) -> Observed {
        let nodes = [NodeId(0), NodeId(1), NodeId(2)];
        Observed {
            names: vec!["A".into(), "B".into(), "C".into()],
            ops,
            held: nodes.iter().zip(held).map(|(&n, v)| (n, "cart".to_string(), v)).collect(),
            replicas: [("cart".to_string(), nodes.to_vec())].into_iter().collect(),
            n: 3,
            r: 2,
            w: 2,
            sloppy_quorum: false,
            last_write_wins: false,
            wipes: 0,
            ring_changed: false,
            rings_agree: true,
        }
    }

    fn verdict_of(o: &Observed, property: &str) -> Verdict {
        check_observed(o).into_iter().find(|v| v.property == property).unwrap()
    }

    #[test]
    fn the_verdicts_come_in_the_order_of_the_property_list_and_slugs_name_them() {
        let names: Vec<&str> =
            check_observed(&Observed::default()).iter().map(|v| v.property).collect();
        assert_eq!(names, PROPERTIES);
        assert_eq!(property("read-your-writes"), Some("read your writes"));
        assert_eq!(property("convergence"), Some("convergence"));
        assert_eq!(property("fast"), None);
    }

    #[test]
    fn handmade_histories_hold_and_break_each_property_naming_the_operations() {
        let mixer = || version("mixer", &[(0, 1)]);
        let tea = || version("mixer,tea", &[(0, 2)]);
        let good = history(
            vec![put(1, "alice", "mixer", 0, &[(0, 1)]), get(2, "alice", 5, vec![mixer()])],
            [vec![mixer()], vec![mixer()], vec![mixer()]],
        );
        assert!(check_observed(&good).iter().all(|v| v.held), "{:#?}", check_observed(&good));

        // Lost: C and B never got the acknowledged write, and A forgot it.
        let lost = history(good.ops.clone(), [vec![], vec![], vec![]]);
        let v = verdict_of(&lost, "no acknowledged write lost");
        assert!(!v.held && v.promised);
        assert_eq!(
            v.evidence[0],
            "put #1 by alice of cart [A:1] was acknowledged at 1.000 ms; \
                                   replica A holds nothing"
        );
        // Not converged: C lags.
        let lag = history(good.ops.clone(), [vec![tea()], vec![tea()], vec![mixer()]]);
        let v = verdict_of(&lag, "convergence");
        assert_eq!(v.evidence, ["cart: A holds [A:2], C holds [A:1]"]);
        // A phantom: a value nobody put.
        let phantom = history(
            good.ops.clone(),
            [vec![mixer()], vec![mixer()], vec![version("kettle", &[(0, 1)])]],
        );
        assert!(
            verdict_of(&phantom, "no phantom").evidence[0].starts_with("C holds cart = \"kettle\"")
        );
        assert!(
            verdict_of(&phantom, "a clock names one write").held,
            "kettle came back to no client"
        );
        // Siblings where one descends from the other.
        let bad_siblings = history(
            vec![get(1, "bob", 0, vec![mixer(), tea()])],
            [vec![tea()], vec![tea()], vec![tea()]],
        );
        let v = verdict_of(&bad_siblings, "siblings are concurrent");
        assert!(v.evidence[0].starts_with("get #1 by bob of cart returned [A:1] beside [A:2]"));
        // One clock, two values: a reused clock.
        let reused = history(
            vec![
                put(1, "alice", "mixer", 0, &[(0, 1)]),
                get(2, "bob", 5, vec![version("kettle", &[(0, 1)])]),
            ],
            [vec![mixer()], vec![mixer()], vec![mixer()]],
        );
        let v = verdict_of(&reused, "a clock names one write");
        assert_eq!(v.evidence, [r#"cart [A:1] came back to clients as "kettle" and "mixer""#]);
        // alice misses her own write; then reads something older than before.
        let session = history(
            vec![
                put(1, "alice", "mixer,tea", 0, &[(0, 2)]),
                get(2, "alice", 5, vec![mixer()]),
                get(3, "bob", 5, vec![tea()]),
                get(4, "bob", 9, vec![mixer()]),
            ],
            [vec![tea()], vec![tea()], vec![tea()]],
        );
        let v = verdict_of(&session, "read your writes");
        assert!(!v.held && v.promised, "R + W > N, strict");
        assert!(
            v.evidence[0].starts_with("alice's get #2 of cart (at 5.000 ms) missed its own put #1")
        );
        let v = verdict_of(&session, "monotonic reads");
        assert!(
            v.evidence[0].starts_with("bob's get #4 of cart returned [A:1], older than its get #3")
        );
        let weak = Observed { r: 1, w: 1, ..session };
        assert!(!verdict_of(&weak, "read your writes").promised, "R + W ≤ N: reported only");
    }

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
    fn what_dynamo_does_by_design_is_not_a_promised_violation() {
        // Last write wins discards one of two concurrent puts (§4.4).
        let lww = r#"{
          "seed": 1,
          "cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
                      "n": 3, "r": 2, "w": 2, "tokens_per_node": 4,
                      "reconciliation": "last_write_wins", "features": {"sloppy_quorum": false}},
          "steps": [
            {"at_ms": 0, "op": "put", "client": "alice", "key": "cart", "value": "mixer",
             "via": "A", "context": "none"},
            {"at_ms": 0, "op": "put", "client": "bob", "key": "cart", "value": "tea",
             "via": "B", "context": "none"},
            {"at_ms": 50, "op": "get", "client": "alice", "key": "cart", "via": "C"}
          ]
        }"#;
        let v = verdicts(lww);
        assert!(all_promised_held(&v), "{v:#?}");
        assert!(!of(&v, "no acknowledged write lost").promised);
        // A read overlapping a put still under way saw it; the next one did not: the put
        // was not acknowledged yet, so monotonic reads do not require it.
        let overlap = r#"{
          "seed": 1,
          "cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
                      "n": 3, "r": 1, "w": 3, "tokens_per_node": 4,
                      "features": {"sloppy_quorum": false},
                      "network": {"latency_ms": {"kind": "fixed", "ms": 5}}},
          "steps": [
            {"at_ms": 0, "op": "put", "client": "bob", "key": "cart", "value": "mixer",
             "via": "A", "context": "none"},
            {"at_ms": 1, "op": "get", "client": "alice", "key": "cart", "via": "A"},
            {"at_ms": 2, "op": "get", "client": "alice", "key": "cart", "via": "B"}
          ]
        }"#;
        let v = verdicts(overlap);
        let mono = of(&v, "monotonic reads");
        assert!(mono.held && mono.promised, "{mono:#?}");
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
