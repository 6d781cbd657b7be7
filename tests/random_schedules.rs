//! The convergence property (§4.6–§4.9) over random fault schedules: crashes,
//! recoveries, partitions, heals, message drops, a wiped disk (in about seven schedules
//! of ten) and joins, with concurrent puts, blind or in the context of the writer's latest
//! read. After healing everything and settling (hinted handoff and anti-entropy on), all
//! replicas of every key hold the same versions, and no acknowledged write is lost.
//!
//! "Lost" is judged from the clients' history, as Jepsen does, not from the system's
//! clocks: every put has a unique value and records the values its writer had read; an
//! acknowledged write must survive, or be replaced by a write that legitimately replaces
//! it (see `Clients::lost_writes`). A check that trusted the clocks ("some survivor's clock
//! descends the write's") missed writes lost to a wiped node reusing its counters.
//!
//! Each schedule is also judged by the history checker (`sim::check`): every property Dynamo
//! promises for the schedule's configuration and faults must hold.
//!
//! `SCHEDULES=N cargo test --test random_schedules` runs N schedules of each kind — with a
//! wiped disk and joins, and with joins and leaves — with assertions on (default 1,000,
//! which is what CI runs; 20,000 take a few minutes). `DEBUG_SEED=S` prints schedule S's
//! trace.

use dynamo_playground::core::clock::VectorClock;
use dynamo_playground::core::config::Config;
use dynamo_playground::core::message::{ClientReply, OpId};
use dynamo_playground::core::version::Version;
use dynamo_playground::core::{NodeId, MS};
use dynamo_playground::sim::check::{all_promised_held, check};
use dynamo_playground::sim::network::Latency;
use dynamo_playground::sim::world::{NodeSpec, World, WorldSpec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

const NODES: u32 = 5;
const KEYS: u32 = 6;

/// One random schedule, all of it drawn from `seed`. Returns a description of the
/// violation, if any.
fn run_schedule(seed: u64, with_leaves: bool) -> Result<(), String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 3;
    let w_quorum = rng.random_range(1..=n);
    let mut world = World::new(WorldSpec {
        seed,
        nodes: (0..NODES).map(|i| NodeSpec::named(&format!("n{i}"))).collect(),
        tokens_per_node: rng.random_range(1..=4),
        config: Config {
            n,
            r: rng.random_range(1..=n),
            w: w_quorum,
            anti_entropy_interval: Some(50 * MS),
            ..Config::default()
        },
        latency: Latency::Uniform { min: 1.0, max: 6.0 },
        drop_rate: [0.0, 0.0, 0.05, 0.2][rng.random_range(0..4)],
        record_trace: std::env::var("DEBUG_SEED").is_ok_and(|s| s == seed.to_string()),
    })
    .map_err(|e| format!("bad world: {e}"))?;

    let mut clients = Clients::default();
    let mut wiped_after_ack: Vec<NodeId> = Vec::new();
    let mut wiped_at = None;
    for step in 0..40 {
        world.run_until(world.now() + rng.random_range(0..15) * MS);
        let node = NodeId(rng.random_range(0..NODES));
        let key = format!("k{}", rng.random_range(0..KEYS));
        let client = format!("c{}", rng.random_range(0..3));
        match rng.random_range(0..100) {
            0..=54 => {
                let read_first = rng.random_bool(0.5);
                clients.put(&mut world, &client, &key, &format!("v{step}"), node, read_first);
            }
            55..=64 => clients.get(&mut world, &client, &key, node),
            65..=74 => world.crash(node),
            75..=84 => world.recover(node),
            85..=91 => {
                let cut: Vec<NodeId> =
                    (0..NODES).map(NodeId).filter(|_| rng.random_bool(0.4)).collect();
                if !cut.is_empty() && cut.len() < NODES as usize {
                    world.partition(vec![cut]);
                }
            }
            92..=94 => world.heal(),
            95..=96 => {
                let joined = world.names().len();
                if joined < NODES as usize + 2 {
                    let name = format!("n{joined}");
                    let seed = NodeId(0);
                    world.join(&name, Some(seed), 1.0, None).map_err(|e| format!("join: {e}"))?;
                }
            }
            97 if with_leaves => {
                // Leaves are refused when the ring would drop below N nodes; fine.
                let _ = world.leave(node);
            }
            // (No wipe with leaves: a leaving node may hand its copy to the very node that
            // is then wiped, which collapses W copies into one — a real loss, not a bug.)
            97..=99 if wiped_after_ack.is_empty() && !with_leaves => {
                // At most one wiped disk per schedule (in about seven schedules of ten):
                // with W >= 2 every acknowledged write then survives on another replica.
                world.wipe(node);
                wiped_after_ack.push(node);
                wiped_at = Some(world.now());
            }
            _ => world.crash(node),
        }
    }
    // Heal everything, let every node come back, and let the system converge.
    world.heal();
    for id in world.node_ids().collect::<Vec<_>>() {
        world.recover(id);
    }
    world.run_until(world.now() + 500 * MS);
    if std::env::var("DEBUG_SEED").is_ok_and(|s| s == seed.to_string()) {
        for e in world.trace().events() {
            eprintln!("{:>9} {:?}", e.at, e.event);
        }
    }
    if !world.settle(120_000 * MS) {
        return Err(format!("did not settle (hints pending: {})", world.pending_hints()));
    }

    for k in 0..KEYS {
        let key = format!("k{k}");
        let replicas: Vec<NodeId> = world.preference_list(&key)[..3].to_vec();
        let first = world.node(replicas[0]).store().get(&key).to_vec();
        for &r in &replicas[1..] {
            if world.node(r).store().get(&key) != first.as_slice() {
                return Err(format!("{key}: replicas {:?} and {r:?} differ", replicas[0]));
            }
        }
        let survivors: Vec<&str> = first.iter().map(|v| &*v.value).collect();
        for lost in clients.lost_writes(&world, &key, &survivors) {
            // With W = 1 a write acknowledged by one replica whose disk was then wiped
            // can be lost for good: that is the paper's durability trade-off, not a bug.
            // (Only a write acknowledged before the wipe: one after it has its copy.)
            let acked = world.op(lost.op).and_then(|r| r.finished);
            if w_quorum == 1 && wiped_at.is_some_and(|wipe| acked.is_some_and(|t| t <= wipe)) {
                continue;
            }
            let lost = &lost.value;
            let holders: Vec<String> = world
                .node_ids()
                .map(|n| {
                    let store = world.node(n).store();
                    let text = |v: &Version| format!("{} {}", v.value, world.clock_text(&v.clock));
                    let held = store.get(&key).iter().map(text);
                    format!("{}: {:?}", world.name(n), held.collect::<Vec<_>>())
                })
                .collect();
            return Err(format!(
                "{key}: acknowledged write {lost} lost (no survivor's writer had read it); \
                 W={w_quorum}; wiped {wiped_after_ack:?}; holders {holders:?}"
            ));
        }
    }
    if std::env::var("DEBUG_SEED").is_ok_and(|s| s == seed.to_string()) {
        for e in world.trace().events() {
            eprintln!("{:>9} {:?}", e.at, e.event);
        }
    }
    // The history checker (`sim::check`), judging the same run its own way: every property
    // Dynamo promises for this schedule's configuration and faults must hold.
    let verdicts = check(&world);
    if !all_promised_held(&verdicts) {
        let broken: Vec<_> = verdicts.iter().filter(|v| v.promised && !v.held).collect();
        return Err(format!("the checker found a promised property violated: {broken:#?}"));
    }
    if std::env::var("SCHEDULES_VERBOSE").is_ok() {
        let m = world.metrics();
        eprintln!(
            "seed {seed}: W={w_quorum} acked {}/{} puts, {} dropped msgs, {} hints, {} AE keys, wiped {:?}",
            clients.acknowledged(&world).len(),
            clients.puts.len(),
            m.messages_dropped,
            m.hints_stored,
            m.keys_repaired_by_anti_entropy,
            wiped_after_ack
        );
    }
    Ok(())
}

/// The clients' side of the run, as Jepsen would keep it: every put with the values its
/// writer had read (directly or through the puts those values came from), every get with
/// what it returned. Whether a write was lost is judged from this history alone, not from
/// the system's clocks (a reused clock once hid a lost write from a test that trusted them).
#[derive(Default)]
struct Clients {
    /// Every put: its operation, key, value (unique in the run), and the values of the
    /// key its writer had seen when it wrote: the writes it may legitimately replace.
    puts: Vec<PutByClient>,
    /// Every get: (client, key, operation).
    gets: Vec<(String, String, OpId)>,
}

struct PutByClient {
    op: OpId,
    key: String,
    value: String,
    seen: BTreeSet<String>,
}

impl Clients {
    /// A put of `value`; with `read_first`, in the context of the client's latest answered
    /// get of the key (§4.1), else blind (an empty context: it has seen nothing).
    fn put(
        &mut self,
        world: &mut World,
        client: &str,
        key: &str,
        value: &str,
        via: NodeId,
        read_first: bool,
    ) {
        let latest = if read_first { self.latest_answer(world, client, key) } else { None };
        let (context, seen) = match latest {
            Some((context, values)) => (context, self.seen_through(&values)),
            None => (VectorClock::new(), BTreeSet::new()),
        };
        let op = world.put(client, key, value, via, context);
        self.puts.push(PutByClient { op, key: key.into(), value: value.into(), seen });
    }

    fn get(&mut self, world: &mut World, client: &str, key: &str, via: NodeId) {
        let op = world.get(client, key, via);
        self.gets.push((client.into(), key.into(), op));
    }

    /// The context and values of `client`'s get of `key` answered last, if any.
    fn latest_answer(
        &self,
        world: &World,
        client: &str,
        key: &str,
    ) -> Option<(VectorClock, Vec<String>)> {
        let answered = self.gets.iter().filter(|(c, k, _)| c == client && k == key).filter_map(
            |&(_, _, op)| {
                let record = world.op(op)?;
                match record.outcome.as_deref()? {
                    ClientReply::Got { versions, context, .. } => {
                        let values = versions.iter().map(|v| v.value.to_string()).collect();
                        Some((record.finished?, op, context.clone(), values))
                    }
                    _ => None,
                }
            },
        );
        answered.max_by_key(|(finished, op, ..)| (*finished, *op)).map(|(_, _, c, v)| (c, v))
    }

    /// `values` and every value their writers had seen, transitively.
    fn seen_through(&self, values: &[String]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        for value in values {
            seen.insert(value.clone());
            if let Some(put) = self.puts.iter().find(|p| &p.value == value) {
                seen.extend(put.seen.iter().cloned());
            }
        }
        seen
    }

    /// The puts the system acknowledged (told their client "stored").
    fn acknowledged(&self, world: &World) -> Vec<&PutByClient> {
        let acked = |p: &&PutByClient| {
            matches!(
                world.op(p.op).and_then(|r| r.outcome.as_deref()),
                Some(ClientReply::Put { .. })
            )
        };
        self.puts.iter().filter(acked).collect()
    }

    /// The acknowledged writes of `key` that nothing replaced legitimately: lost, as far as
    /// any client can tell. A surviving version `s` replaces an acknowledged write `x` if
    /// it is `x`, or its writer had read `x` (§4.1: the context says what a put replaces),
    /// or its put was not over before `x`'s began. The last is how the paper's clocks
    /// treat a write whose writer had not read `x`: its coordinator stamps it past every
    /// version it holds (§4.4), so a blind write replaces what its coordinator holds (a
    /// known limit of clocks kept by coordinators, which Riak later met with dotted version
    /// vectors). What is never legitimate is an older write, answered before `x` was even
    /// asked, replacing `x`: the signature of a reused clock.
    fn lost_writes(&self, world: &World, key: &str, survivors: &[&str]) -> Vec<&PutByClient> {
        let put_of = |value: &str| self.puts.iter().find(|p| p.value == value);
        let over_before = |s: &PutByClient, x: &PutByClient| {
            let (s, x) = (world.op(s.op).unwrap(), world.op(x.op).unwrap());
            s.finished.is_some_and(|done| done < x.started)
        };
        let replaces = |s: &str, x: &PutByClient| {
            s == x.value
                || put_of(s).is_some_and(|s| s.seen.contains(&x.value) || !over_before(s, x))
        };
        self.acknowledged(world)
            .into_iter()
            .filter(|x| x.key == key)
            .filter(|x| !survivors.iter().any(|&s| replaces(s, x)))
            .collect()
    }
}

fn run_schedules(with_leaves: bool) {
    let schedules: u64 =
        std::env::var("SCHEDULES").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let mut failures = Vec::new();
    for seed in 0..schedules {
        if let Err(e) = run_schedule(seed, with_leaves) {
            failures.push(format!("seed {seed}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {schedules} schedules failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_acknowledged_write_survives_crashes_partitions_drops_a_wipe_and_joins() {
    run_schedules(false);
}

#[test]
fn every_acknowledged_write_survives_crashes_partitions_drops_joins_and_leaves() {
    run_schedules(true);
}
