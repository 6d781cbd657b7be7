//! The trace: every send, delivery, drop, timer, fault and client result, with its virtual
//! time. The UI animates from it, tests assert on it, and its hash identifies a run.

use super::network::DropReason;
use crate::core::message::{MsgKind, Note, OpId, Timer};
use crate::core::{Key, NodeId, Time, Value};
use xxhash_rust::xxh3::Xxh3Default;

mod encode;

use super::history::History;

/// The two client operations (§4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    Get,
    Put,
}

impl OpKind {
    pub fn label(self) -> &'static str {
        match self {
            OpKind::Get => "get",
            OpKind::Put => "put",
        }
    }
}

/// One thing that happened in the world.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A node sent a message; it will arrive (or be dropped) at `arrives`. `op` is the
    /// client operation it serves, if any: the one whose handling sent it (a client's
    /// call, a message or timer of that operation's). It follows from the rest of the
    /// trace, so it is not hashed, and it is known only when the events are kept.
    Send {
        msg: u64,
        from: NodeId,
        to: NodeId,
        kind: MsgKind,
        key: Option<Key>,
        arrives: Time,
        op: Option<OpId>,
    },
    /// A message reached its receiver.
    Deliver { msg: u64, from: NodeId, to: NodeId, kind: MsgKind },
    /// A message was lost.
    Drop { msg: u64, from: NodeId, to: NodeId, kind: MsgKind, reason: DropReason },
    /// A node's timer went off.
    Timer { node: NodeId, timer: Timer },
    /// A client called a node (with the value, for a put: runs that put other values
    /// have other hashes).
    Request { op: OpId, client: Key, node: NodeId, kind: OpKind, key: Key, value: Option<Value> },
    /// A client got its answer (`node` is None when the client gave up by itself).
    Reply { op: OpId, node: Option<NodeId>, ok: bool },
    /// A node crashed: in-flight state lost, store kept.
    Crash { node: NodeId },
    /// A crashed node came back.
    Recover { node: NodeId },
    /// A node's disk was wiped (a permanent failure, §4.7).
    /// `epoch` is the node's new identity in vector clocks (its old counters are lost).
    Wipe { node: NodeId, epoch: u32 },
    /// A node noticed something: a peer down or up, a hint stored or delivered.
    Node { node: NodeId, note: Note },
    /// The administrator joined a node to the ring (§4.8.1).
    Join { node: NodeId },
    /// The administrator removed a node from the ring.
    Leave { node: NodeId },
    /// A link's fault settings changed: extra drop rate and delay (both directions).
    Link { a: NodeId, b: NodeId, drop_rate_permille: u32, extra_delay: Time },
    /// The network split into groups.
    Partition { groups: Vec<Vec<NodeId>> },
    /// The partition ended.
    Heal,
}

/// A client's call of a node, as [`Trace::request`] records it (without copying its texts
/// unless the events are kept).
pub struct Call<'a> {
    pub op: OpId,
    pub client: &'a Key,
    pub node: NodeId,
    pub kind: OpKind,
    pub key: &'a Key,
    /// A put's value.
    pub value: Option<&'a Value>,
}

/// An event and when it happened.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    pub at: Time,
    pub event: Event,
}

/// The running record of a world: a hash over every event, and the events themselves when
/// recording is on (the UI and tests want them; large benchmarks only want the hash).
///
/// The hash is one running 128-bit XXH3 over a byte encoding of every event (`encode`):
/// events are encoded into a buffer, and the buffer is fed to the hasher a few kilobytes
/// at a time (the hash of the concatenation does not depend on how it is split). XXH3 is
/// not a cryptographic hash, and need not be: it only tells runs apart, and it is many
/// times faster than MD5, which the simulator would otherwise spend a tenth of its time on.
#[derive(Clone)]
pub struct Trace {
    record: bool,
    events: History<TraceEvent>,
    hasher: Xxh3Default,
    count: u64,
    /// Encoded events not yet fed to the hasher.
    buffer: Vec<u8>,
    /// The time of the previous event: times are encoded as the step from it.
    last_at: Time,
}

/// How many encoded bytes wait before they are hashed.
const HASH_CHUNK: usize = 8 * 1024;

impl Trace {
    /// A trace that keeps its events if `record` is true (the hash is always kept).
    pub fn new(record: bool) -> Self {
        let buffer = Vec::with_capacity(HASH_CHUNK + 256);
        Trace {
            record,
            events: History::default(),
            hasher: Xxh3Default::new(),
            count: 0,
            buffer,
            last_at: 0,
        }
    }

    /// Adds an event.
    pub fn push(&mut self, at: Time, event: Event) {
        let step = self.step_to(at);
        encode::event(&mut self.buffer, step, at, &event);
        self.end_event();
        if self.record {
            self.events.push(TraceEvent { at, event });
        }
    }

    /// Whether the events themselves are kept (not only their hash).
    pub fn keeps_events(&self) -> bool {
        self.record
    }

    /// Adds an [`Event::Send`]. The three events of every message and operation (send,
    /// deliver, request) have their own entry points, which build the event only when
    /// it is kept: a long run only hashes them.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &mut self,
        at: Time,
        msg: u64,
        from: NodeId,
        to: NodeId,
        kind: MsgKind,
        key: Option<&Key>,
        arrives: Time,
        op: Option<OpId>,
    ) {
        let step = self.step_to(at);
        encode::send(&mut self.buffer, step, msg, from, to, kind, key, arrives.wrapping_sub(at));
        self.end_event();
        if self.record {
            let event = Event::Send { msg, from, to, kind, key: key.cloned(), arrives, op };
            self.events.push(TraceEvent { at, event });
        }
    }

    /// Adds an [`Event::Deliver`] (see [`Trace::send`]).
    pub fn deliver(&mut self, at: Time, msg: u64, from: NodeId, to: NodeId, kind: MsgKind) {
        let step = self.step_to(at);
        encode::deliver(&mut self.buffer, step, msg, from, to, kind);
        self.end_event();
        if self.record {
            self.events.push(TraceEvent { at, event: Event::Deliver { msg, from, to, kind } });
        }
    }

    /// Adds an [`Event::Request`] (see [`Trace::send`]).
    pub fn request(&mut self, at: Time, call: Call) {
        let step = self.step_to(at);
        encode::request(&mut self.buffer, step, &call);
        self.end_event();
        if self.record {
            let Call { op, client, node, kind, key, value } = call;
            let (client, key, value) = (client.clone(), key.clone(), value.cloned());
            let event = Event::Request { op, client, node, kind, key, value };
            self.events.push(TraceEvent { at, event });
        }
    }

    /// An event's time as it is encoded: the step from the previous event.
    fn step_to(&mut self, at: Time) -> u64 {
        let step = at.wrapping_sub(self.last_at);
        self.last_at = at;
        step
    }

    /// Counts the event just encoded, and hashes the buffer once it is long enough.
    fn end_event(&mut self) {
        if self.buffer.len() >= HASH_CHUNK {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
        self.count += 1;
    }

    /// Events recorded so far (empty when recording is off).
    pub fn events(&self) -> &History<TraceEvent> {
        &self.events
    }

    /// Number of events so far, recorded or not.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing has happened yet.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The hash of the whole event sequence so far, as 32 hex digits. The encoding uses
    /// only integers of fixed meaning (never `usize`), so it is the same on every platform.
    pub fn hash(&self) -> String {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.buffer);
        format!("{:032x}", hasher.digest128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_event_and_its_order() {
        let mut a = Trace::new(true);
        let mut b = Trace::new(false);
        for t in [&mut a, &mut b] {
            t.push(1, Event::Crash { node: NodeId(1) });
            t.push(2, Event::Heal);
        }
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.events().len(), 2);
        assert!(b.events().is_empty());
        let mut c = Trace::new(false);
        c.push(2, Event::Heal);
        c.push(1, Event::Crash { node: NodeId(1) });
        assert_ne!(a.hash(), c.hash());
        assert_eq!(a.hash().len(), 32);
    }

    #[test]
    fn sends_and_requests_hash_the_same_whether_pushed_as_events_or_streamed() {
        let key = Key::new("cart");
        let send = |key: Option<Key>| Event::Send {
            msg: 7,
            from: NodeId(1),
            to: NodeId(2),
            kind: MsgKind::Put,
            key,
            arrives: 12,
            op: None,
        };
        let request = Event::Request {
            op: OpId(3),
            client: Key::new("c1"),
            node: NodeId(4),
            kind: OpKind::Put,
            key: key.clone(),
            value: Some("milk".into()),
        };
        let (mut pushed, mut streamed) = (Trace::new(true), Trace::new(false));
        pushed.push(10, send(Some(key.clone())));
        pushed.push(11, request);
        streamed.send(10, 7, NodeId(1), NodeId(2), MsgKind::Put, Some(&key), 12, None);
        let (milk, c1): (Value, Key) = ("milk".into(), Key::new("c1"));
        let call = Call {
            op: OpId(3),
            client: &c1,
            node: NodeId(4),
            kind: OpKind::Put,
            key: &key,
            value: Some(&milk),
        };
        streamed.request(11, call);
        assert_eq!(pushed.hash(), streamed.hash());
        let hash_of = |event: Event| {
            let mut t = Trace::new(false);
            t.push(10, event);
            t.hash()
        };
        assert_ne!(
            hash_of(send(Some(key.clone()))),
            hash_of(send(None)),
            "whether a message names a key counts"
        );
        assert_ne!(
            hash_of(send(Some(key))),
            hash_of(send(Some(Key::new("tart")))),
            "which key counts"
        );
    }

    #[test]
    fn hash_covers_buffered_events_and_reading_it_changes_nothing() {
        let (mut a, mut b) = (Trace::new(false), Trace::new(false));
        for i in 0..5_000u64 {
            let event =
                Event::Deliver { msg: i, from: NodeId(1), to: NodeId(2), kind: MsgKind::Put };
            a.push(i * 3, event.clone());
            b.push(i * 3, event);
            if i % 997 == 0 {
                let _ = a.hash(); // mid-way, with part of the events still buffered
            }
        }
        assert_eq!(a.hash(), b.hash());
        b.push(20_000, Event::Heal);
        assert_ne!(a.hash(), b.hash(), "the last, still buffered, event counts");
    }
}

#[cfg(test)]
mod every_event {
    use super::*;
    use crate::core::message::ReqId;

    /// One event of every kind (and every timer and note), as a trace hashes them.
    fn hash_of_one_of_each() -> String {
        let (a, b, key) = (NodeId(1), NodeId(2), Key::new("cart"));
        let notes = [
            Note::PeerDown(a),
            Note::PeerUp(b),
            Note::HintStored { owner: a, key: key.clone() },
            Note::HintDelivered { owner: b, key: key.clone() },
            Note::InSync { peer: a, range_end: 1 << 100, level: 3 },
            Note::KeysReceived { peer: b, keys: 4, changed: 2 },
            Note::RingChanged { members: 5 },
            Note::KeysHandedOver { to: a, keys: 6, dropped: 2 },
            Note::KeysTakenOver { from: b, keys: 7 },
        ];
        let timers = [
            Timer::RequestTimeout(ReqId(1)),
            Timer::ReadRepair(ReqId(2)),
            Timer::ReplicaTimeout(ReqId(3)),
            Timer::Probe,
            Timer::HintScan,
            Timer::AntiEntropy,
            Timer::Gossip,
            Timer::TransferRetry,
        ];
        let mut events = vec![
            Event::Send {
                msg: 1,
                from: a,
                to: b,
                kind: MsgKind::Put,
                key: None,
                arrives: 9,
                op: None,
            },
            Event::Deliver { msg: 1, from: a, to: b, kind: MsgKind::Get },
            Event::Drop { msg: 2, from: b, to: a, kind: MsgKind::Put, reason: DropReason::Random },
            Event::Request {
                op: OpId(1),
                client: Key::new("c"),
                node: a,
                kind: OpKind::Put,
                key,
                value: Some("v1".into()),
            },
            Event::Reply { op: OpId(1), node: None, ok: false },
            Event::Crash { node: a },
            Event::Recover { node: a },
            Event::Partition { groups: vec![vec![a], vec![b, NodeId(3)]] },
            Event::Heal,
            Event::Wipe { node: b, epoch: 2 },
            Event::Join { node: NodeId(4) },
            Event::Leave { node: NodeId(4) },
            Event::Link { a, b, drop_rate_permille: 250, extra_delay: 40 },
        ];
        events.extend(notes.into_iter().map(|note| Event::Node { node: a, note }));
        events.extend(timers.into_iter().map(|timer| Event::Timer { node: b, timer }));
        let mut trace = Trace::new(false);
        for (i, event) in events.into_iter().enumerate() {
            trace.push(i as Time * 3, event);
        }
        trace.hash()
    }

    /// The encoding of every event is pinned (the golden scenario hashes cover only the
    /// events their runs have). The old encoder gave the same value as the one that
    /// replaced it, until `KeysHandedOver` gained its `dropped` count, and a put's request
    /// its value.
    #[test]
    fn every_kind_of_event_is_encoded_as_pinned() {
        assert_eq!(hash_of_one_of_each(), "6df74fb2535a8290b0df2dfe39538ebc");
    }

    /// Two runs that differ only in a value put have different hashes.
    #[test]
    fn a_puts_value_is_in_the_hash() {
        let put = |value: &str| {
            let mut t = Trace::new(false);
            let (client, key, value) = (Key::new("alice"), Key::new("cart"), value.into());
            let (op, node, kind) = (OpId(1), NodeId(0), OpKind::Put);
            t.request(5, Call { op, client: &client, node, kind, key: &key, value: Some(&value) });
            t.hash()
        };
        assert_ne!(put("milk"), put("eggs"));
    }
}
