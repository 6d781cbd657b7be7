//! The space-time diagram: one lane per node, virtual time along the other axis, each
//! message an arrow from its send to its delivery (or to the mark where it was lost), as
//! Lamport drew them. A quorum is a story of messages in time: a put's fan-out to its N
//! replicas, the acknowledgements that count toward W, the answer to the client (§4.5).
//! Drawn from the trace (the events the world recorded), over a window of time.

use crate::core::message::MsgKind;
use crate::core::Time;
use crate::sim::trace::Event;
use crate::sim::World;

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    Dropped,
    /// Still on the wire at the window's end.
    InFlight,
}

/// One message: from lane to lane, sent and (to be) delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub msg: u64,
    pub from: usize,
    pub to: usize,
    pub kind: MsgKind,
    pub key: Option<String>,
    pub sent: Time,
    /// When it arrives, or was lost, or is due (in flight).
    pub ends: Time,
    pub fate: Fate,
}

/// A client's request reaching a node, or its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientMark {
    pub lane: usize,
    pub at: Time,
    pub text: String,
}

/// The diagram of the window `[from, to]` of virtual time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    pub lanes: Vec<String>,
    pub from: Time,
    pub to: Time,
    pub arrows: Vec<Arrow>,
    pub clients: Vec<ClientMark>,
    /// Messages in the window beyond [`MAX_ARROWS`], not drawn.
    pub left_out: usize,
}

/// The most arrows drawn (the latest ones): a frame must stay smooth at 64 nodes.
pub const MAX_ARROWS: usize = 300;

/// The messages sent in the last `span` of virtual time up to now.
pub fn recent(world: &World, span: Time) -> Diagram {
    let to = world.now();
    window(world, to.saturating_sub(span), to)
}

/// The messages sent in `[from, to]`, and how each ended (by `to`).
pub fn window(world: &World, from: Time, to: Time) -> Diagram {
    let events = world.trace().events();
    let first = first_at_or_after(world, from);
    let mut diagram = Diagram { lanes: world.names().to_vec(), from, to, ..Diagram::default() };
    for i in first..events.len() {
        let e = &events[i];
        if e.at > to {
            break;
        }
        match &e.event {
            Event::Send { msg, from, to: receiver, kind, key, arrives } => {
                diagram.arrows.push(Arrow {
                    msg: *msg,
                    from: from.index(),
                    to: receiver.index(),
                    kind: *kind,
                    key: key.as_ref().map(|k| k.to_string()),
                    sent: e.at,
                    ends: *arrives,
                    fate: Fate::InFlight,
                });
            }
            Event::Deliver { msg, .. } => end(&mut diagram.arrows, *msg, e.at, Fate::Delivered),
            Event::Drop { msg, .. } => end(&mut diagram.arrows, *msg, e.at, Fate::Dropped),
            Event::Request { client, node, kind, key, .. } => diagram.clients.push(ClientMark {
                lane: node.index(),
                at: e.at,
                text: format!("{client}: {} {key}", kind.label()),
            }),
            Event::Reply { op, node: Some(node), ok } => diagram.clients.push(ClientMark {
                lane: node.index(),
                at: e.at,
                text: format!("answer to #{}: {}", op.0, if *ok { "ok" } else { "failed" }),
            }),
            _ => {}
        }
    }
    diagram.left_out = diagram.arrows.len().saturating_sub(MAX_ARROWS);
    diagram.arrows.drain(..diagram.left_out);
    diagram
}

/// Marks how message `msg` ended, if it is in the window (messages end in send order
/// mostly, so the search from the back is short).
fn end(arrows: &mut [Arrow], msg: u64, at: Time, fate: Fate) {
    if let Some(arrow) = arrows.iter_mut().rev().find(|a| a.msg == msg) {
        arrow.ends = at;
        arrow.fate = fate;
    }
}

/// The index of the first recorded event at or after `t` (events are in time order).
pub(crate) fn first_at_or_after(world: &World, t: Time) -> usize {
    let events = world.trace().events();
    let (mut lo, mut hi) = (events.first_index(), events.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if events[mid].at < t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::MS;
    use crate::sim::world::WorldSpec;

    #[test]
    fn one_put_is_a_fan_out_and_its_acknowledgements_counted_against_the_trace() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        let list = world.preference_list("cart");
        let context = world.last_read_context("alice", "cart");
        world.put("alice", "cart", "milk", list[0], context);
        world.run_until(50 * MS);
        let diagram = window(&world, 0, 50 * MS);
        let puts: Vec<&Arrow> = diagram.arrows.iter().filter(|a| a.kind == MsgKind::Put).collect();
        let acks = diagram.arrows.iter().filter(|a| a.kind == MsgKind::PutAck).count();
        assert_eq!(puts.len(), 2, "the coordinator sends the put to the other N - 1 = 2");
        assert_eq!(acks, 2);
        assert!(puts.iter().all(|a| a.from == list[0].index() && a.fate == Fate::Delivered));
        assert!(puts.iter().all(|a| a.sent < a.ends && a.key.as_deref() == Some("cart")));
        let sends =
            world.trace().events().iter().filter(|e| matches!(e.event, Event::Send { .. })).count();
        assert_eq!(diagram.arrows.len(), sends, "every message sent is an arrow");
        assert!(diagram.clients.iter().any(|c| c.text.starts_with("alice: put cart")));
        // A window that starts later leaves the put out, and a lost message ends in a drop.
        assert!(window(&world, 40 * MS, 50 * MS).arrows.iter().all(|a| a.sent >= 40 * MS));
    }

    #[test]
    fn a_message_to_a_crashed_node_is_drawn_lost() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        let list = world.preference_list("cart");
        world.crash(list[1]);
        let context = world.last_read_context("alice", "cart");
        world.put("alice", "cart", "milk", list[0], context);
        world.run_until(20 * MS);
        let diagram = recent(&world, 20 * MS);
        let to_crashed: Vec<&Arrow> =
            diagram.arrows.iter().filter(|a| a.to == list[1].index()).collect();
        assert!(!to_crashed.is_empty());
        assert!(to_crashed.iter().all(|a| a.fate == Fate::Dropped), "{to_crashed:?}");
    }
}
