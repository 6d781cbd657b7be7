//! The space-time diagram: one lane per node, virtual time along the other axis, each
//! message an arrow from its send to its delivery (or to the mark where it was lost), as
//! Lamport drew them. A quorum is a story of messages in time: a put's fan-out to its N
//! replicas, the acknowledgements that count toward W, the answer to the client (§4.5).
//! Drawn from the trace (the events the world recorded), over a window of time.
//!
//! A client request's *story* is every message sent in its name (the trace says which
//! operation each message serves): the coordinator's fan-out to the N targets (stand-ins
//! sent hinted puts), the replies — those that arrived before the client was answered
//! counted toward R or W, later ones did not — and the read repair after (§4.5, §4.6, §5).

use crate::core::accel::compact_sort;
use crate::core::message::{ClientReply, MsgKind, Note, OpId};
use crate::core::{NodeId, Time};
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
    /// The client operation it serves, if any.
    pub op: Option<OpId>,
}

/// What a message does in its request's story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The coordinator (or the node the client called) asking: a put, a get, a forward.
    Asks,
    /// A put to a stand-in, with a hint naming the replica it stands in for (§4.6).
    StandIn,
    /// A reply that arrived before the client's answer: it counted toward R or W.
    Counted,
    /// A reply that came after the answer: too late to count.
    Late,
    /// Read repair, after the answer (§5).
    Repair,
}

/// The filters of the diagram: a request's story, a kind of message, a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Bring out this operation's messages (the others fade) and keep only its lanes.
    pub story: Option<OpId>,
    /// Only messages of this kind.
    pub kind: Option<MsgKind>,
    /// Only messages from or to this node, and only the lanes they touch.
    pub node: Option<NodeId>,
}

/// A request's story in the window: who was asked and what answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub op: OpId,
    /// "alice: put cart = milk".
    pub label: String,
    /// The role of each of its messages in the window, by message id.
    pub roles: Vec<(u64, Role)>,
    /// When and where the client was answered, and whether it succeeded.
    pub answered: Option<(Time, usize, bool)>,
    /// The clock the coordinator gave a put's version, as the page writes clocks.
    pub clock: Option<String>,
    /// Each stand-in that kept a hinted replica, and the node it stands in for (lanes).
    pub stand_ins: Vec<(usize, usize)>,
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
    /// The client requests made in the window: (operation, "alice: put cart").
    pub requests: Vec<(OpId, String)>,
    /// The node each lane shows (all nodes, unless a filter collapsed the lanes).
    pub lane_nodes: Vec<usize>,
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
    let mut diagram = Diagram {
        lanes: world.names().to_vec(),
        lane_nodes: (0..world.names().len()).collect(),
        from,
        to,
        ..Diagram::default()
    };
    for i in first..events.len() {
        let e = &events[i];
        if e.at > to {
            break;
        }
        match &e.event {
            Event::Send { msg, from, to: receiver, kind, key, arrives, op } => {
                diagram.arrows.push(Arrow {
                    msg: *msg,
                    from: from.index(),
                    to: receiver.index(),
                    kind: *kind,
                    key: key.as_ref().map(|k| k.to_string()),
                    sent: e.at,
                    ends: *arrives,
                    fate: Fate::InFlight,
                    op: *op,
                });
            }
            Event::Deliver { msg, .. } => end(&mut diagram.arrows, *msg, e.at, Fate::Delivered),
            Event::Drop { msg, .. } => end(&mut diagram.arrows, *msg, e.at, Fate::Dropped),
            Event::Request { op, client, node, kind, key, .. } => {
                let text = format!("{client}: {} {key}", kind.label());
                diagram.requests.push((*op, format!("#{} {text}", op.0)));
                diagram.clients.push(ClientMark { lane: node.index(), at: e.at, text });
            }
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

/// The story of operation `op` among the diagram's arrows. A reply counted toward R or W
/// if it was handled before the client was answered (the trace's order says so even when
/// both happen at the same virtual instant).
pub fn story(world: &World, diagram: &Diagram, op: OpId) -> Option<Story> {
    let record = world.op(op)?;
    let events = world.trace().events();
    let first = first_at_or_after(world, record.started);
    // The events of the request up to its answer: which replies were handled before it,
    // and for whom each stand-in kept its hinted replica.
    let mut before_answer: Vec<u64> = Vec::new();
    let mut stand_ins: Vec<(usize, usize)> = Vec::new();
    let mut answered = None;
    let until = record.finished.unwrap_or(world.now());
    for e in (first..events.len()).map(|i| &events[i]).take_while(|e| e.at <= until) {
        match &e.event {
            Event::Deliver { msg, .. } => before_answer.push(*msg),
            Event::Node { node, note: Note::HintStored { owner, key } } if *key == record.key => {
                stand_ins.push((node.index(), owner.index()))
            }
            Event::Reply { op: o, node: Some(node), ok } if *o == op => {
                answered = Some((e.at, node.index(), *ok));
                break;
            }
            _ => {}
        }
    }
    let roles = diagram
        .arrows
        .iter()
        .filter(|a| a.op == Some(op))
        .map(|a| {
            let reply =
                matches!(a.kind, MsgKind::PutAck | MsgKind::GetReply | MsgKind::ForwardReply);
            let counted = answered.is_none() || before_answer.contains(&a.msg);
            let role = match a.kind {
                MsgKind::HintedPut => Role::StandIn,
                MsgKind::Repair => Role::Repair,
                _ if reply && counted => Role::Counted,
                _ if reply => Role::Late,
                _ => Role::Asks,
            };
            (a.msg, role)
        })
        .collect();
    let clock = match record.outcome.as_deref() {
        Some(ClientReply::Put { version, .. }) => Some(world.clock_text(&version.clock)),
        _ => None,
    };
    let label = format!("{}: {} {}", record.client, record.kind.label(), record.key);
    Some(Story { op, label, roles, answered, clock, stand_ins })
}

/// The window that fits operation `op`'s story: from its request to its last message (or
/// its answer, or now), with a tenth more on each side, so that following a request zooms
/// to it.
pub fn story_window(world: &World, op: OpId) -> Option<(Time, Time)> {
    let record = world.op(op)?;
    let now = world.now();
    let probe = window(world, record.started, now);
    let last = probe.arrows.iter().filter(|a| a.op == Some(op)).map(|a| a.ends).max();
    let end = last.unwrap_or(now).max(record.finished.unwrap_or(record.started));
    let pad = (end - record.started) / 10 + 1;
    Some((record.started.saturating_sub(pad), (end + pad).min(now.max(record.started + 1))))
}

/// A story in one line: who was asked, who stood in, when the client was answered, what
/// came late and what was repaired after.
pub fn story_text(world: &World, story: &Story, diagram: &Diagram) -> String {
    let arrow = |msg: u64| diagram.arrows.iter().find(|a| a.msg == msg);
    let names = |role: Role, to: bool| {
        let arrows = story.roles.iter().filter(|(_, r)| *r == role).filter_map(|(m, _)| arrow(*m));
        let mut names: Vec<&str> =
            arrows.map(|a| world.names()[if to { a.to } else { a.from }].as_str()).collect();
        names.dedup();
        names.join(", ")
    };
    let mut parts = vec![story.label.clone()];
    // A put sent to a node outside the top N is forwarded to a coordinator (§4.5), which
    // fans it out: the forward first, then whom the coordinator asked.
    let asks =
        || story.roles.iter().filter(|(_, r)| *r == Role::Asks).filter_map(|(m, _)| arrow(*m));
    let name = |lane: usize| world.names()[lane].as_str();
    if let Some(f) = asks().find(|a| a.kind == MsgKind::Forward) {
        parts.push(format!("{} forwarded it to {}", name(f.from), name(f.to)));
    }
    let fan_out: Vec<&Arrow> = asks().filter(|a| a.kind != MsgKind::Forward).collect();
    if let Some(first) = fan_out.first() {
        let mut asked: Vec<&str> = fan_out.iter().map(|a| name(a.to)).collect();
        asked.dedup();
        parts.push(format!("{} asked {}", name(first.from), asked.join(", ")));
    }
    let stand_ins: Vec<String> = story
        .stand_ins
        .iter()
        .map(|&(holder, owner)| format!("{} for {}", world.names()[holder], world.names()[owner]))
        .collect();
    if !stand_ins.is_empty() {
        parts.push(format!("stand-ins {} (hinted puts, §4.6)", stand_ins.join(", ")));
    }
    let counted = names(Role::Counted, false);
    if !counted.is_empty() {
        parts.push(format!("replies counted toward the quorum: {counted}"));
    }
    match story.answered {
        Some((at, _, ok)) => parts.push(format!(
            "answered at {}: {}",
            super::describe::ms(at),
            if ok { "ok" } else { "failed" }
        )),
        None => parts.push("not answered yet".into()),
    }
    let late = names(Role::Late, false);
    if !late.is_empty() {
        parts.push(format!("too late to count: {late}"));
    }
    let repaired = names(Role::Repair, true);
    if !repaired.is_empty() {
        parts.push(format!("read repair after: {repaired}"));
    }
    if let Some(clock) = &story.clock {
        parts.push(format!("the version's clock {clock}"));
    }
    parts.join(" · ")
}

/// The diagram with a filter applied: only the messages of the kind and node asked for;
/// with a story or a node, only the lanes those messages touch (so a request among 64
/// nodes takes a few lanes, not 64).
pub fn filtered(mut diagram: Diagram, filter: Filter) -> Diagram {
    diagram.arrows.retain(|a| {
        filter.kind.is_none_or(|k| a.kind == k)
            && filter.node.is_none_or(|n| a.from == n.index() || a.to == n.index())
    });
    let mut lanes: Vec<usize> = match (filter.story, filter.node) {
        (None, None) => return diagram,
        (Some(op), _) => diagram
            .arrows
            .iter()
            .filter(|a| a.op == Some(op))
            .flat_map(|a| [a.from, a.to])
            .collect(),
        (None, Some(node)) => {
            let touched = diagram.arrows.iter().flat_map(|a| [a.from, a.to]);
            touched.chain([node.index()]).collect()
        }
    };
    compact_sort::sort_unstable(&mut lanes);
    lanes.dedup();
    if lanes.is_empty() {
        return diagram;
    }
    diagram.arrows.retain(|a| lanes.contains(&a.from) && lanes.contains(&a.to));
    diagram.clients.retain(|c| lanes.contains(&c.lane));
    diagram.lanes = lanes.iter().map(|&i| diagram.lanes[i].clone()).collect();
    diagram.lane_nodes = lanes;
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
    fn a_puts_story_is_its_fan_out_the_acks_that_counted_and_its_lanes_alone() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        let list = world.preference_list("cart");
        let context = world.last_read_context("alice", "cart");
        let put = world.put("alice", "cart", "milk", list[0], context);
        let other = world.preference_list("other");
        let context = world.last_read_context("bob", "other");
        world.put("bob", "other", "tea", other[0], context);
        world.run_until(50 * MS);
        let diagram = window(&world, 0, 50 * MS);
        let story = story(&world, &diagram, put).unwrap();
        let role = |r: Role| story.roles.iter().filter(|(_, x)| *x == r).count();
        assert_eq!(role(Role::Asks), 2, "the coordinator's put to the two other replicas");
        assert_eq!(role(Role::Counted) + role(Role::Late), 2, "their acknowledgements");
        assert_eq!(role(Role::Counted), 1, "W = 2: the coordinator and the first ack");
        let (_, lane, ok) = story.answered.unwrap();
        assert!(ok && lane == list[0].index(), "answered by the coordinator");
        assert!(story.clock.as_deref().is_some_and(|c| c.starts_with('[')), "{story:?}");
        // Every message the trace attributes to the put is in its story, and no other.
        let of_put = diagram.arrows.iter().filter(|a| a.op == Some(put)).count();
        assert_eq!(story.roles.len(), of_put);
        // Filtered to the story: only the replicas' lanes.
        let only = filtered(diagram.clone(), Filter { story: Some(put), ..Filter::default() });
        let mut lanes: Vec<usize> = list[..3].iter().map(|n| n.index()).collect();
        compact_sort::sort_unstable(&mut lanes);
        assert_eq!(only.lane_nodes, lanes);
        // Filtered by kind and node: only put-acks, only those to the coordinator.
        let acks = Filter { kind: Some(MsgKind::PutAck), node: Some(list[0]), story: None };
        let acks = filtered(diagram, acks);
        assert!(acks.arrows.iter().all(|a| a.kind == MsgKind::PutAck));
        assert!(acks.arrows.iter().all(|a| a.to == list[0].index() || a.from == list[0].index()));
        assert!(acks.arrows.len() >= 2);
        let (from, to) = story_window(&world, put).unwrap();
        let fitted = window(&world, from, to);
        assert!(story.roles.iter().all(|(m, _)| fitted.arrows.iter().any(|a| a.msg == *m)));
        assert!(to < 50 * MS, "the window ends soon after the story's last message");
        let text = story_text(&world, &story, &window(&world, 0, 50 * MS));
        assert!(text.starts_with("alice: put cart · C asked B, E · "), "{text}");
        assert!(text.contains("replies counted toward the quorum: B ·"), "{text}");
        assert!(text.contains("answered at") && text.contains(": ok"), "{text}");
        assert!(text.contains("too late to count: "), "{text}");
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
