//! A steady client load: seeded random gets and puts over a set of keys, issued at a fixed
//! virtual-time interval through random live nodes. The page runs one to have something to
//! watch; the benchmarks run one to measure.

use super::world::World;
use crate::core::clock::VectorClock;
use crate::core::message::OpId;
use crate::core::{Key, Time, MS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What the load looks like.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSpec {
    pub seed: u64,
    /// Number of distinct keys (`key-0` … `key-{n-1}`).
    pub keys: u32,
    /// Number of clients taking turns.
    pub clients: u32,
    /// Fraction of operations that are puts.
    pub put_ratio: f64,
    /// Virtual time between two operations.
    pub interval: Time,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec { seed: 7, keys: 12, clients: 2, put_ratio: 0.5, interval: 20 * MS }
    }
}

/// A running client load.
#[derive(Clone)]
pub struct Workload {
    spec: WorkloadSpec,
    rng: ChaCha8Rng,
    next_at: Time,
    issued: u64,
    /// The key and client names, written once.
    keys: Vec<Key>,
    clients: Vec<Key>,
    /// The key of the next operation, drawn one operation ahead (so that its data is
    /// fetched from memory while the world runs up to it).
    next_key: usize,
    /// Per client, the get it last wrote back (`OpId(0)`: none yet).
    written_back: Vec<OpId>,
    /// The value of the latest put (`v` and the operation's number), its buffer reused.
    value: String,
}

impl Workload {
    /// A load whose first operation is at `start`.
    pub fn new(spec: WorkloadSpec, start: Time) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        let keys: Vec<Key> = (0..spec.keys.max(1)).map(|k| Key::from(format!("key-{k}"))).collect();
        let next_key = draw_key(&mut rng, &keys);
        let clients: Vec<Key> =
            (1..=spec.clients.max(1)).map(|c| Key::from(format!("c{c}"))).collect();
        let written_back = vec![OpId(0); clients.len()];
        Workload {
            spec,
            rng,
            next_at: start,
            issued: 0,
            keys,
            next_key,
            clients,
            written_back,
            value: String::new(),
        }
    }

    /// When the next operation is due.
    pub fn next_at(&self) -> Time {
        self.next_at
    }

    /// Skips the operations that would have been due before `t` (the load was paused).
    pub fn skip_to(&mut self, t: Time) {
        self.next_at = self.next_at.max(t);
    }

    /// Operations issued so far.
    pub fn issued(&self) -> u64 {
        self.issued
    }

    /// Issues the due operation through a random live node (nothing if every node is
    /// down): a get of a random key, or a put. Clients read, then write back what they
    /// read, as Dynamo's clients do (§4.1, the shopping cart): a put writes the key of the
    /// client's latest answered get, with that get's context, once; a client with no such
    /// get writes the random key blind (the empty context).
    pub fn issue(&mut self, world: &mut World) {
        self.next_at += self.spec.interval.max(1);
        let live = world.live_count();
        if live == 0 {
            return;
        }
        let pick = self.rng.random_range(0..live);
        let via = world.live_node(pick).expect("fewer than `live`");
        let key = &self.keys[self.next_key];
        self.next_key = draw_key(&mut self.rng, &self.keys);
        super::prefetch(self.keys[self.next_key].data_address());
        let turn = (self.issued % self.clients.len() as u64) as usize;
        let client = &self.clients[turn];
        self.issued += 1;
        if self.rng.random::<f64>() < self.spec.put_ratio {
            let (key, context) = match world
                .client(client)
                .and_then(|c| c.latest_read())
                .filter(|read| read.op != self.written_back[turn])
            {
                Some(read) => {
                    self.written_back[turn] = read.op;
                    (read.key.clone(), read.context.clone())
                }
                None => (key.clone(), VectorClock::new()),
            };
            self.value.clear();
            self.value.push('v');
            push_decimal(&mut self.value, self.issued);
            world.put(client, key, &self.value, via, context);
        } else {
            world.get(client, key, via);
        }
    }
}

/// A random key, by its index.
fn draw_key(rng: &mut ChaCha8Rng, keys: &[Key]) -> usize {
    rng.random_range(0..keys.len() as u32) as usize
}

/// Appends `n` in decimal, as `format!` would, without its machinery (one per put).
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[start..]).expect("ASCII digits"));
}

/// The reference load the benchmarks and the cross-platform tests run: `nodes` nodes
/// with 8 tokens each, (N, R, W) = (3, 2, 2), 1–5 ms links, and one get or put every 20 µs
/// by 64 clients over 10,000 keys (half puts, writing back what was read when they can),
/// for `virtual_time`. The trace is hashed, not kept; so are finished operations (their
/// counters and latencies are kept), and each client keeps the context of its latest get
/// only (what its puts use), so that memory stays bounded however long the load runs.
pub fn reference_load(nodes: usize, virtual_time: Time) -> (World, Workload) {
    let (mut world, mut load) = reference_setup(nodes);
    drive(&mut world, Some(&mut load), virtual_time, u64::MAX);
    (world, load)
}

/// The cluster and the load of [`reference_load`], before anything has run (benchmarks
/// time the run without the setup).
pub fn reference_setup(nodes: usize) -> (World, Workload) {
    reference_setup_over(nodes, 10_000)
}

/// [`reference_setup`] over another number of keys (the benchmark's `BENCH_KEYS`: how
/// much state the run touches, and so how often it waits on memory).
pub fn reference_setup_over(nodes: usize, keys: u32) -> (World, Workload) {
    use super::network::Latency;
    use super::world::{NodeSpec, WorldSpec};
    let mut world = World::new(WorldSpec {
        seed: 1,
        nodes: (0..nodes).map(|i| NodeSpec::named(&format!("n{i}"))).collect(),
        tokens_per_node: 8,
        latency: Latency::Uniform { min: 1.0, max: 5.0 },
        record_trace: false,
        ..WorldSpec::default()
    })
    .expect("a valid cluster");
    world.keep_finished_ops(false);
    world.keep_read_contexts(false);
    let spec = WorkloadSpec { seed: 1, keys, clients: 64, put_ratio: 0.5, interval: 20 };
    (world, Workload::new(spec, 0))
}

/// Runs the world (and the load, if any) up to `until`, handling at most `budget` events
/// and operations. Returns false if the budget ran out first: the world then stands at
/// the last event handled, and the next call goes on from there.
pub fn drive(world: &mut World, mut load: Option<&mut Workload>, until: Time, budget: u64) -> bool {
    for _ in 0..budget {
        let event = world.next_event_at().filter(|&at| at <= until);
        let op = load.as_ref().map(|l| l.next_at()).filter(|&at| at <= until);
        match (event, op) {
            (None, None) => {
                world.run_until(until);
                return true;
            }
            // Events due no later than the next operation go first.
            (Some(e), Some(o)) if e <= o => {
                world.step();
            }
            (Some(_), None) => {
                world.step();
            }
            (_, Some(o)) => {
                world.run_until(o);
                load.as_mut().expect("an op time implies a load").issue(world);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::WorldSpec;

    #[test]
    fn a_copy_of_a_world_and_its_load_goes_on_exactly_as_the_original() {
        let (mut world, mut load) = reference_setup_over(16, 500);
        world.crash(crate::core::NodeId(3));
        assert!(drive(&mut world, Some(&mut load), 200 * crate::core::MS, u64::MAX));
        let (mut copy, mut copied_load) = (world.clone(), load.clone());
        world.recover(crate::core::NodeId(3));
        copy.recover(crate::core::NodeId(3));
        for (w, l) in [(&mut world, &mut load), (&mut copy, &mut copied_load)] {
            assert!(drive(w, Some(l), 500 * crate::core::MS, u64::MAX));
        }
        assert_eq!(world.trace().hash(), copy.trace().hash());
        assert_eq!(world.trace().len(), copy.trace().len());
        assert!(world.trace().len() > 10_000, "a real run: {}", world.trace().len());
    }

    #[test]
    fn decimals_are_written_as_format_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut text = String::from("v");
            push_decimal(&mut text, n);
            assert_eq!(text, format!("v{n}"));
        }
    }

    #[test]
    fn drive_reaches_the_target_time_and_issues_every_due_operation() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        let mut load = Workload::new(WorkloadSpec::default(), 0);
        assert!(drive(&mut world, Some(&mut load), 1_000 * MS, u64::MAX));
        assert_eq!(world.now(), 1_000 * MS);
        assert_eq!(load.issued(), 51, "one op every 20 ms from 0 to 1000 inclusive");
        assert!(world.metrics().messages_delivered > 100);
    }

    #[test]
    fn a_put_writes_back_the_clients_latest_answered_get_once_with_its_context() {
        use crate::core::message::ClientReply;
        use crate::sim::trace::OpKind;
        let mut world = World::new(WorldSpec::default()).unwrap();
        let mut load = Workload::new(WorkloadSpec::default(), 0);
        assert!(drive(&mut world, Some(&mut load), 5_000 * MS, u64::MAX));
        // Replay what each client knew when it put: its latest answered get, and whether
        // a put of its own had already written that get back.
        let ops: Vec<_> =
            world.ops().iter().enumerate().map(|(i, r)| (OpId(i as u64 + 1), r)).collect();
        let (mut written_back, mut blind) = (0, 0);
        let mut used: Vec<OpId> = Vec::new();
        for &(_, put) in ops.iter().filter(|(_, r)| r.kind == OpKind::Put) {
            let answered_get = ops
                .iter()
                .filter(|(_, r)| {
                    r.kind == OpKind::Get
                        && r.client == put.client
                        && r.finished.is_some_and(|f| f <= put.started)
                })
                .filter(|(_, r)| matches!(r.outcome.as_deref(), Some(ClientReply::Got { .. })))
                .max_by_key(|(id, r)| (r.finished, *id));
            let Some(&(get_id, get)) = answered_get.filter(|(id, _)| !used.contains(id)) else {
                blind += 1;
                continue;
            };
            used.push(get_id);
            written_back += 1;
            assert_eq!(put.key, get.key, "a put writes back the key its client read last");
            let Some(ClientReply::Got { context, .. }) = get.outcome.as_deref() else {
                unreachable!()
            };
            if let Some(ClientReply::Put { version, .. }) = put.outcome.as_deref() {
                assert!(version.clock.descends(context), "the put carries the read's context");
            }
        }
        assert!(written_back > 50 && blind > 0, "{written_back} writes back, {blind} blind");
    }

    #[test]
    fn a_client_writes_back_its_latest_read_once_then_writes_blind() {
        use crate::core::message::ClientReply;
        use crate::core::NodeId;
        let mut world = World::new(WorldSpec::default()).unwrap();
        world.put("writer", "cart", "v0", NodeId(0), VectorClock::new());
        assert!(world.settle(1_000 * MS));
        let get = world.get("c1", "cart", NodeId(1));
        assert!(world.settle(1_000 * MS));
        let Some(ClientReply::Got { context, .. }) =
            world.op(get).unwrap().outcome.as_deref().cloned()
        else {
            panic!()
        };
        // One client, one key of its own ("key-0"), only puts.
        let spec = WorkloadSpec { keys: 1, clients: 1, put_ratio: 1.0, ..WorkloadSpec::default() };
        let mut load = Workload::new(spec, world.now());
        let mut put = |world: &mut World| {
            load.issue(world);
            assert!(world.settle(1_000 * MS));
            let record = world.ops().last().unwrap();
            let Some(ClientReply::Put { version, .. }) = record.outcome.as_deref() else {
                panic!("put failed")
            };
            (record.key.as_str().to_string(), version.clock.clone())
        };
        let (key, clock) = put(&mut world);
        assert_eq!(key, "cart", "the first put writes back what c1 read");
        assert!(clock.descends(&context) && clock != context, "with the read's context");
        let (key, clock) = put(&mut world);
        assert_eq!(key, "key-0", "the read was written back already: a blind write of a drawn key");
        assert_eq!(clock.len(), 1, "with the empty context: the coordinator's entry only");
    }

    #[test]
    fn a_small_budget_stops_early_and_resumes_to_the_same_state() {
        let run = |budget: u64| {
            let mut world = World::new(WorldSpec::default()).unwrap();
            let mut load = Workload::new(WorkloadSpec::default(), 0);
            while !drive(&mut world, Some(&mut load), 500 * MS, budget) {}
            world.trace().hash()
        };
        assert_eq!(run(7), run(u64::MAX));
    }
}
