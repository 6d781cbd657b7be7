//! The trace's byte encoding, which its hash is taken over. Every event is written the same
//! way: the time step since the previous event (u64), the event's [`Tag`], then its fields
//! in a fixed order. Integers are fixed-width little-endian (never `usize`), so the bytes
//! are the same on every platform; a key is written as its ring position (16 big-endian
//! bytes: MD5 of its text, as telling as the text and read without touching it).
//!
//! Changing anything here changes every trace hash: the golden hashes in `tests/golden/`
//! say whether a change did.

use crate::core::message::{MsgKind, Note, Timer};
use crate::core::ring::Position;
use crate::core::{Key, NodeId, Time};
use crate::sim::trace::{Call, Event};

/// What kind of event follows (the byte after the time step).
#[derive(Clone, Copy)]
#[repr(u8)]
enum Tag {
    Send = 0,
    Deliver = 1,
    Drop = 2,
    Timer = 3,
    Request = 4,
    Reply = 5,
    Crash = 6,
    Recover = 7,
    Partition = 8,
    Heal = 9,
    Wipe = 10,
    Node = 11,
    Join = 12,
    Leave = 13,
    Link = 14,
}

/// Writes fields onto the end of a buffer.
struct Encoder<'a>(&'a mut Vec<u8>);

impl Encoder<'_> {
    /// Starts an event: its time step and tag. `size` is room for the fixed fields, made
    /// at once so that the writes that follow copy without growing the buffer.
    fn event<'b>(buf: &'b mut Vec<u8>, step: u64, tag: Tag, size: usize) -> Encoder<'b> {
        buf.reserve(size);
        let mut e = Encoder(buf);
        e.u64(step).u8(tag as u8);
        e
    }

    fn u8(&mut self, x: u8) -> &mut Self {
        self.0.push(x);
        self
    }

    fn u32(&mut self, x: u32) -> &mut Self {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }

    fn u64(&mut self, x: u64) -> &mut Self {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }

    fn node(&mut self, node: NodeId) -> &mut Self {
        self.u32(node.0)
    }

    fn u128(&mut self, x: u128) -> &mut Self {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }

    fn position(&mut self, position: Position) -> &mut Self {
        self.0.extend_from_slice(&position.to_be_bytes());
        self
    }

    /// A text: its length (u32), then its bytes.
    fn str(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// A send: message number, route, kind, whether it names a key and the key's position
/// (zeros if not), and the delay until it arrives (or is dropped).
#[allow(clippy::too_many_arguments)]
pub(super) fn send(
    buf: &mut Vec<u8>,
    step: u64,
    msg: u64,
    from: NodeId,
    to: NodeId,
    kind: MsgKind,
    key: Option<&Key>,
    delay: Time,
) {
    let mut e = Encoder::event(buf, step, Tag::Send, 51);
    e.u64(msg).node(from).node(to).u8(kind as u8);
    match key {
        Some(key) => e.u8(1).position(key.position()),
        None => e.u8(0).position(0),
    };
    e.u64(delay);
}

/// A delivery: message number, route, kind.
pub(super) fn deliver(
    buf: &mut Vec<u8>,
    step: u64,
    msg: u64,
    from: NodeId,
    to: NodeId,
    kind: MsgKind,
) {
    Encoder::event(buf, step, Tag::Deliver, 26).u64(msg).node(from).node(to).u8(kind as u8);
}

/// A client's request: operation, client name, the node called, get or put, the key.
pub(super) fn request(buf: &mut Vec<u8>, step: u64, call: &Call) {
    let value = call.value.map_or("", |v| v);
    let mut e = Encoder::event(buf, step, Tag::Request, 46 + call.client.len() + value.len());
    e.u64(call.op.0).str(call.client).node(call.node).u8(call.kind as u8);
    e.position(call.key.position()).str(value);
}

/// Any event, `at` being its time (a send's arrival is written as its delay from `at`).
pub(super) fn event(buf: &mut Vec<u8>, step: u64, at: Time, event: &Event) {
    match event {
        Event::Send { msg, from, to, kind, key, arrives, op: _ } => {
            send(buf, step, *msg, *from, *to, *kind, key.as_ref(), arrives.wrapping_sub(at))
        }
        Event::Deliver { msg, from, to, kind } => deliver(buf, step, *msg, *from, *to, *kind),
        Event::Request { op, client, node, kind, key, value } => {
            let value = value.as_ref();
            request(buf, step, &Call { op: *op, client, node: *node, kind: *kind, key, value })
        }
        Event::Drop { msg, from, to, kind, reason } => {
            let mut e = Encoder::event(buf, step, Tag::Drop, 27);
            e.u64(*msg).node(*from).node(*to).u8(*kind as u8).u8(*reason as u8);
        }
        Event::Timer { node, timer } => {
            let mut e = Encoder::event(buf, step, Tag::Timer, 22);
            e.node(*node);
            timer_fields(&mut e, *timer);
        }
        Event::Reply { op, node, ok } => {
            let mut e = Encoder::event(buf, step, Tag::Reply, 22);
            e.u64(op.0).u32(node.map_or(u32::MAX, |n| n.0)).u8(u8::from(*ok));
        }
        Event::Crash { node } => {
            Encoder::event(buf, step, Tag::Crash, 13).node(*node);
        }
        Event::Recover { node } => {
            Encoder::event(buf, step, Tag::Recover, 13).node(*node);
        }
        Event::Partition { groups } => {
            let mut e = Encoder::event(buf, step, Tag::Partition, 13);
            e.u32(groups.len() as u32);
            for group in groups {
                e.u32(group.len() as u32);
                for &node in group {
                    e.node(node);
                }
            }
        }
        Event::Heal => {
            Encoder::event(buf, step, Tag::Heal, 9);
        }
        Event::Wipe { node, epoch } => {
            Encoder::event(buf, step, Tag::Wipe, 17).node(*node).u32(*epoch);
        }
        Event::Node { node, note } => {
            let mut e = Encoder::event(buf, step, Tag::Node, 13);
            e.node(*node);
            note_fields(&mut e, note);
        }
        Event::Join { node } => {
            Encoder::event(buf, step, Tag::Join, 13).node(*node);
        }
        Event::Leave { node } => {
            Encoder::event(buf, step, Tag::Leave, 13).node(*node);
        }
        Event::Link { a, b, drop_rate_permille, extra_delay } => {
            let mut e = Encoder::event(buf, step, Tag::Link, 29);
            e.node(*a).node(*b).u32(*drop_rate_permille).u64(*extra_delay);
        }
    }
}

/// A timer: which one (its place in [`Timer`]'s declaration), then the request it is for.
fn timer_fields(e: &mut Encoder, timer: Timer) {
    match timer {
        Timer::RequestTimeout(req) => e.u8(0).u64(req.0),
        Timer::ReadRepair(req) => e.u8(1).u64(req.0),
        Timer::ReplicaTimeout(req) => e.u8(2).u64(req.0),
        Timer::Probe => e.u8(3),
        Timer::HintScan => e.u8(4),
        Timer::AntiEntropy => e.u8(5),
        Timer::Gossip => e.u8(6),
        Timer::TransferRetry => e.u8(7),
    };
}

/// A node's note: which one (its place in [`Note`]'s declaration), then its fields.
fn note_fields(e: &mut Encoder, note: &Note) {
    match note {
        Note::PeerDown(peer) => e.u8(0).node(*peer),
        Note::PeerUp(peer) => e.u8(1).node(*peer),
        Note::HintStored { owner, key } => e.u8(2).node(*owner).str(key),
        Note::HintDelivered { owner, key } => e.u8(3).node(*owner).str(key),
        Note::InSync { peer, range_end, level } => e.u8(4).node(*peer).u128(*range_end).u8(*level),
        Note::KeysReceived { peer, keys, changed } => e.u8(5).node(*peer).u32(*keys).u32(*changed),
        Note::RingChanged { members } => e.u8(6).u32(*members),
        Note::KeysHandedOver { to, keys, dropped } => e.u8(7).node(*to).u32(*keys).u32(*dropped),
        Note::KeysTakenOver { from, keys } => e.u8(8).node(*from).u32(*keys),
    };
}
