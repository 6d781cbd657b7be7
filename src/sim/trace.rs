//! The trace: every send, delivery, drop, timer, fault and client result, with its virtual
//! time. The UI animates from it, tests assert on it, and its hash identifies a run.

use super::network::DropReason;
use crate::core::message::{MsgKind, Note, OpId, Timer};
use crate::core::{Key, NodeId, Time};
use xxhash_rust::xxh3::Xxh3Default;

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
    /// A node sent a message; it will arrive (or be dropped) at `arrives`.
    Send { msg: u64, from: NodeId, to: NodeId, kind: MsgKind, key: Option<Key>, arrives: Time },
    /// A message reached its receiver.
    Deliver { msg: u64, from: NodeId, to: NodeId, kind: MsgKind },
    /// A message was lost.
    Drop { msg: u64, from: NodeId, to: NodeId, kind: MsgKind, reason: DropReason },
    /// A node's timer went off.
    Timer { node: NodeId, timer: Timer },
    /// A client called a node.
    Request { op: OpId, client: Key, node: NodeId, kind: OpKind, key: Key },
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

/// An event and when it happened.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    pub at: Time,
    pub event: Event,
}

/// The running record of a world: a hash over every event, and the events themselves when
/// recording is on (the UI and tests want them; large benchmarks only want the hash).
///
/// The hash is one running 128-bit XXH3 over a byte encoding of every event, in order:
/// events are encoded into a buffer, and the buffer is fed to the hasher a few kilobytes
/// at a time (the hash of the concatenation does not depend on how it is split). XXH3 is
/// not a cryptographic hash, and need not be: it only tells runs apart, and it is many
/// times faster than MD5, which the simulator would otherwise spend a tenth of its time on.
#[derive(Clone)]
pub struct Trace {
    record: bool,
    events: Vec<TraceEvent>,
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
            events: Vec::new(),
            hasher: Xxh3Default::new(),
            count: 0,
            buffer,
            last_at: 0,
        }
    }

    /// Adds an event.
    pub fn push(&mut self, at: Time, event: Event) {
        let step = self.step_to(at);
        encode(&mut self.buffer, step, at, &event);
        self.end_event();
        if self.record {
            self.events.push(TraceEvent { at, event });
        }
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
    ) {
        let step = self.step_to(at);
        encode_send(&mut self.buffer, step, msg, from, to, kind, key, arrives.wrapping_sub(at));
        self.end_event();
        if self.record {
            let event = Event::Send { msg, from, to, kind, key: key.cloned(), arrives };
            self.events.push(TraceEvent { at, event });
        }
    }

    /// Adds an [`Event::Deliver`] (see [`Trace::send`]).
    pub fn deliver(&mut self, at: Time, msg: u64, from: NodeId, to: NodeId, kind: MsgKind) {
        let step = self.step_to(at);
        encode_deliver(&mut self.buffer, step, msg, from, to, kind);
        self.end_event();
        if self.record {
            self.events.push(TraceEvent { at, event: Event::Deliver { msg, from, to, kind } });
        }
    }

    /// Adds an [`Event::Request`] (see [`Trace::send`]).
    pub fn request(
        &mut self,
        at: Time,
        op: OpId,
        client: &Key,
        node: NodeId,
        kind: OpKind,
        key: &Key,
    ) {
        let step = self.step_to(at);
        encode_request(&mut self.buffer, step, op, client, node, kind, key);
        self.end_event();
        if self.record {
            let event = Event::Request { op, client: client.clone(), node, kind, key: key.clone() };
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
    pub fn events(&self) -> &[TraceEvent] {
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

/// An integer as its eight (or four) little-endian bytes: fixed widths, so encoding is
/// a copy, not a loop. (A key's ring position is written as its 16 big-endian bytes.)
fn put_u64(buf: &mut Vec<u8>, x: u64) {
    buf.extend_from_slice(&x.to_le_bytes());
}

fn put_u32(buf: &mut Vec<u8>, x: u32) {
    buf.extend_from_slice(&x.to_le_bytes());
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_u32(buf, s.len() as u32);
    buf.extend_from_slice(s.as_bytes());
}

fn put_timer(buf: &mut Vec<u8>, timer: Timer) {
    match timer {
        Timer::RequestTimeout(r) => {
            buf.push(0);
            put_u64(buf, r.0);
        }
        Timer::ReadRepair(r) => {
            buf.push(1);
            put_u64(buf, r.0);
        }
        Timer::ReplicaTimeout(r) => {
            buf.push(2);
            put_u64(buf, r.0);
        }
        Timer::Probe => buf.push(3),
        Timer::HintScan => buf.push(4),
        Timer::AntiEntropy => buf.push(5),
        Timer::Gossip => buf.push(6),
        Timer::TransferRetry => buf.push(7),
    }
}

fn put_note(buf: &mut Vec<u8>, note: &Note) {
    match note {
        Note::PeerDown(p) => {
            buf.push(0);
            put_u32(buf, p.0);
        }
        Note::PeerUp(p) => {
            buf.push(1);
            put_u32(buf, p.0);
        }
        Note::HintStored { owner, key } => {
            buf.push(2);
            put_u32(buf, owner.0);
            put_str(buf, key);
        }
        Note::HintDelivered { owner, key } => {
            buf.push(3);
            put_u32(buf, owner.0);
            put_str(buf, key);
        }
        Note::InSync { peer, range_end, level } => {
            buf.push(4);
            put_u32(buf, peer.0);
            buf.extend_from_slice(&range_end.to_le_bytes());
            buf.push(*level);
        }
        Note::KeysReceived { peer, keys, changed } => {
            buf.push(5);
            put_u32(buf, peer.0);
            put_u32(buf, *keys);
            put_u32(buf, *changed);
        }
        Note::RingChanged { members } => {
            buf.push(6);
            put_u32(buf, *members);
        }
        Note::KeysHandedOver { to, keys } => {
            buf.push(7);
            put_u32(buf, to.0);
            put_u32(buf, *keys);
        }
        Note::KeysTakenOver { from, keys } => {
            buf.push(8);
            put_u32(buf, from.0);
            put_u32(buf, *keys);
        }
    }
}

/// Writes `field` into a record at a fixed offset. Records are filled this way and then
/// appended at once: one capacity check and one copy per record, not one per field.
fn field<const N: usize>(record: &mut [u8], offset: usize, field: [u8; N]) {
    record[offset..offset + N].copy_from_slice(&field);
}

// The three events of every message and operation, each encoded as `encode` would
// (time step, tag, fields), with their fixed parts written as records.

/// The first 26 bytes of a send or a delivery: time step, tag, message, route, kind.
fn message_head(
    r: &mut [u8],
    step: u64,
    tag: u8,
    msg: u64,
    from: NodeId,
    to: NodeId,
    kind: MsgKind,
) {
    field(r, 0, step.to_le_bytes());
    field(r, 8, [tag]);
    field(r, 9, msg.to_le_bytes());
    field(r, 17, from.0.to_le_bytes());
    field(r, 21, to.0.to_le_bytes());
    field(r, 25, [kind as u8]);
}

// A key is encoded as its ring position (MD5 of its text, so as telling as the text), which
// a key carries with it: hashing reads no text.
#[allow(clippy::too_many_arguments)]
fn encode_send(
    buf: &mut Vec<u8>,
    step: u64,
    msg: u64,
    from: NodeId,
    to: NodeId,
    kind: MsgKind,
    key: Option<&Key>,
    delay: Time,
) {
    let mut r = [0u8; 51];
    message_head(&mut r, step, 0, msg, from, to, kind);
    if let Some(key) = key {
        field(&mut r, 26, [1]);
        field(&mut r, 27, key.position().to_be_bytes());
    }
    field(&mut r, 43, delay.to_le_bytes());
    buf.extend_from_slice(&r);
}

fn encode_deliver(buf: &mut Vec<u8>, step: u64, msg: u64, from: NodeId, to: NodeId, kind: MsgKind) {
    let mut r = [0u8; 26];
    message_head(&mut r, step, 1, msg, from, to, kind);
    buf.extend_from_slice(&r);
}

fn encode_request(
    buf: &mut Vec<u8>,
    step: u64,
    op: OpId,
    client: &str,
    node: NodeId,
    kind: OpKind,
    key: &Key,
) {
    let mut r = [0u8; 21];
    field(&mut r, 0, step.to_le_bytes());
    field(&mut r, 8, [4]);
    field(&mut r, 9, op.0.to_le_bytes());
    field(&mut r, 17, (client.len() as u32).to_le_bytes());
    buf.extend_from_slice(&r);
    buf.extend_from_slice(client.as_bytes());
    let mut r = [0u8; 21];
    field(&mut r, 0, node.0.to_le_bytes());
    field(&mut r, 4, [kind as u8]);
    field(&mut r, 5, key.position().to_be_bytes());
    buf.extend_from_slice(&r);
}

/// The canonical byte encoding of an event at `at`, for the trace hash: the time step
/// since the previous event, a tag, then the fields (a message's arrival as its delay).
fn encode(buf: &mut Vec<u8>, step: u64, at: Time, event: &Event) {
    match event {
        Event::Send { msg, from, to, kind, key, arrives } => {
            encode_send(buf, step, *msg, *from, *to, *kind, key.as_ref(), arrives.wrapping_sub(at))
        }
        Event::Deliver { msg, from, to, kind } => {
            encode_deliver(buf, step, *msg, *from, *to, *kind)
        }
        Event::Request { op, client, node, kind, key } => {
            encode_request(buf, step, *op, client, *node, *kind, key)
        }
        _ => {
            put_u64(buf, step);
            encode_rest(buf, event);
        }
    }
}

/// The tag and fields of the events that have no encoder of their own.
fn encode_rest(buf: &mut Vec<u8>, event: &Event) {
    match event {
        Event::Send { .. } | Event::Deliver { .. } | Event::Request { .. } => {} // see `encode`
        Event::Drop { msg, from, to, kind, reason } => {
            buf.push(2);
            put_u64(buf, *msg);
            put_u32(buf, from.0);
            put_u32(buf, to.0);
            buf.push(*kind as u8);
            buf.push(*reason as u8);
        }
        Event::Timer { node, timer } => {
            buf.push(3);
            put_u32(buf, node.0);
            put_timer(buf, *timer);
        }
        Event::Reply { op, node, ok } => {
            buf.push(5);
            put_u64(buf, op.0);
            put_u32(buf, node.map_or(u32::MAX, |n| n.0));
            buf.push(u8::from(*ok));
        }
        Event::Crash { node } => {
            buf.push(6);
            put_u32(buf, node.0);
        }
        Event::Recover { node } => {
            buf.push(7);
            put_u32(buf, node.0);
        }
        Event::Partition { groups } => {
            buf.push(8);
            put_u32(buf, groups.len() as u32);
            for g in groups {
                put_u32(buf, g.len() as u32);
                for n in g {
                    put_u32(buf, n.0);
                }
            }
        }
        Event::Heal => buf.push(9),
        Event::Wipe { node, epoch } => {
            buf.push(10);
            put_u32(buf, node.0);
            put_u32(buf, *epoch);
        }
        Event::Node { node, note } => {
            buf.push(11);
            put_u32(buf, node.0);
            put_note(buf, note);
        }
        Event::Join { node } => {
            buf.push(12);
            put_u32(buf, node.0);
        }
        Event::Leave { node } => {
            buf.push(13);
            put_u32(buf, node.0);
        }
        Event::Link { a, b, drop_rate_permille, extra_delay } => {
            buf.push(14);
            put_u32(buf, a.0);
            put_u32(buf, b.0);
            put_u32(buf, *drop_rate_permille);
            put_u64(buf, *extra_delay);
        }
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
        };
        let request = Event::Request {
            op: OpId(3),
            client: Key::new("c1"),
            node: NodeId(4),
            kind: OpKind::Put,
            key: key.clone(),
        };
        let (mut pushed, mut streamed) = (Trace::new(true), Trace::new(false));
        pushed.push(10, send(Some(key.clone())));
        pushed.push(11, request);
        streamed.send(10, 7, NodeId(1), NodeId(2), MsgKind::Put, Some(&key), 12);
        streamed.request(11, OpId(3), &Key::new("c1"), NodeId(4), OpKind::Put, &key);
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
