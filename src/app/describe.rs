//! Words for what the simulator reports: one line per trace event for the log, the
//! contents of a message for the inspector, and the log's filters.

use crate::core::clock::{Actor, VectorClock};
use crate::core::message::{
    ClientReply, ForwardPut, Msg, MsgKind, Note, SyncHashes, SyncKeys, TransferAccept, TransferAck,
};
use crate::core::ring::format_position;
use crate::core::version::Version;
use crate::core::{NodeId, Time, MS};
use crate::sim::network::LinkFault;
use crate::sim::trace::{Event, TraceEvent};
use crate::sim::world::{HintHeld, InFlight};
use crate::sim::World;

/// Virtual time in milliseconds, as the page writes it.
pub fn ms(t: crate::core::Time) -> String {
    format!("{:.3} ms", t as f64 / MS as f64)
}

/// The waits of coordinators on replicas that cannot answer, as the ring draws them:
/// (coordinator, silent replica, label), e.g. "C waits for B: 12.0 ms left".
pub fn replica_waits(world: &World) -> Vec<(NodeId, NodeId, String)> {
    let now = world.now();
    let mut lines = Vec::new();
    for wait in world.replica_waits() {
        for &silent in &wait.silent {
            let left = wait.until.saturating_sub(now) as f64 / MS as f64;
            let label = format!(
                "{} waits for {}: {left:.1} ms left",
                world.name(wait.coordinator),
                world.name(silent)
            );
            lines.push((wait.coordinator, silent, label));
        }
    }
    lines
}

/// Hinted replicas waiting for their owners, as the ring draws them (§4.6): (holder,
/// owner, label), the label saying what the holder believes (its own view, which may lag
/// the truth: §4.8.3): "A believes B down", or "A will hand back to B" at its next scan.
pub fn hint_waits(world: &World) -> Vec<(NodeId, NodeId, String)> {
    let mut lines = Vec::new();
    for holder in world.node_ids() {
        let node = world.node(holder);
        for (&owner, _) in node.hints().iter().filter(|(_, keys)| !keys.is_empty()) {
            let label = if node.believed_down().contains_key(&owner) {
                format!("{} believes {} down", world.name(holder), world.name(owner))
            } else {
                format!("{} will hand back to {}", world.name(holder), world.name(owner))
            };
            lines.push((holder, owner, label));
        }
    }
    lines
}

/// The hinted replicas handed back to their owners (and deleted) in the last `within` of
/// virtual time (§4.6): (holder, owner, key, when), oldest first.
pub fn handed_back(world: &World, within: Time) -> Vec<(NodeId, NodeId, String, Time)> {
    let events = world.trace().events();
    let first = super::spacetime::first_at_or_after(world, world.now().saturating_sub(within));
    (first..events.len())
        .filter_map(|i| match &events[i].event {
            Event::Node { node, note: Note::HintDelivered { owner, key } } => {
                Some((*node, *owner, key.to_string(), events[i].at))
            }
            _ => None,
        })
        .collect()
}

/// A hinted replica as the holder's inspector lists it: "cart for B: milk [A:1] — kept
/// since 1.250 ms, handed back 2 times so far".
pub fn hint_text(
    world: &World,
    owner: NodeId,
    key: &str,
    held: HintHeld,
    versions: &str,
) -> String {
    let tries = match held.attempts {
        0 => "not handed back yet".to_string(),
        n => format!("sent back {} so far", count(n, "time")),
    };
    format!("{key} for {}: {versions} — kept since {}, {tries}", world.name(owner), ms(held.since))
}

/// A key range of `node`'s, as the inspector tells it: its Merkle root, and which of the
/// range's other replicas have the same root, which a different one (anti-entropy will
/// compare them) and which are down (§4.7). Returns the text and whether any differ.
pub fn range_state(
    world: &World,
    node: NodeId,
    range: crate::core::merkle::KeyRange,
    replicas: &[NodeId],
) -> (String, bool) {
    let root = world.node(node).merkle_tree(range).root();
    let differing = world.peers_differing(node, range, replicas);
    let names =
        |ids: &[NodeId]| ids.iter().map(|&id| world.name(id)).collect::<Vec<_>>().join(", ");
    let others: Vec<NodeId> = replicas.iter().copied().filter(|&r| r != node).collect();
    let down: Vec<NodeId> = others.iter().copied().filter(|&r| !world.is_up(r)).collect();
    let same: Vec<NodeId> =
        others.iter().copied().filter(|r| world.is_up(*r) && !differing.contains(r)).collect();
    let mut parts = vec![format!("root {}", short_hash(&root))];
    if !same.is_empty() {
        parts.push(format!("same as {} ✓", names(&same)));
    }
    if !differing.is_empty() {
        parts.push(format!("differs from {}: anti-entropy will repair it", names(&differing)));
    }
    if !down.is_empty() {
        parts.push(format!("{} down", names(&down)));
    }
    if others.is_empty() {
        parts.push("no other replica".into());
    }
    (parts.join(" · "), !differing.is_empty())
}

/// A count and its noun, singular or plural: "1 key", "3 keys", "2 hashes", "4 leaves".
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else if let Some(stem) = noun.strip_suffix("leaf") {
        format!("{n} {stem}leaves")
    } else if noun.ends_with("sh") || noun.ends_with("ch") || noun.ends_with('s') {
        format!("{n} {noun}es")
    } else {
        format!("{n} {noun}s")
    }
}

/// A number as a person writes it: at most two decimals, none that are zero (0.5, 2.5, 50).
pub fn amount(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A faulty link's label: what it loses and how much it delays ("50% lost, +2.5 ms").
pub fn link_label(fault: LinkFault) -> String {
    let delay = fault.extra_delay as f64 / MS as f64;
    match (fault.drop_rate > 0.0, fault.extra_delay > 0) {
        (true, true) => format!("{}% lost, +{} ms", amount(fault.drop_rate * 100.0), amount(delay)),
        (true, false) => format!("{}% lost", amount(fault.drop_rate * 100.0)),
        _ => format!("+{} ms", amount(delay)),
    }
}

/// Each node's side of the partition, numbered 1, 2, … in the order the nodes are named
/// (None while the network is whole).
pub fn partition_sides(world: &World) -> Option<Vec<usize>> {
    let groups = world.network().groups()?;
    let mut seen: Vec<u32> = Vec::new();
    let sides = world
        .node_ids()
        .map(|id| {
            let group = groups.get(id.index()).copied().unwrap_or(u32::MAX);
            match seen.iter().position(|&g| g == group) {
                Some(i) => i + 1,
                None => {
                    seen.push(group);
                    seen.len()
                }
            }
        })
        .collect();
    Some(sides)
}

/// The network now, in words: its sides while it is split, and every faulty link — so
/// that "whole" is said only when nothing is broken.
pub fn network_state(world: &World) -> String {
    let net = world.network();
    let mut parts = Vec::new();
    if let Some(sides) = partition_sides(world) {
        let count = sides.iter().copied().max().unwrap_or(0);
        let side = |s: usize| {
            let names: Vec<&str> = world
                .node_ids()
                .filter(|id| sides[id.index()] == s)
                .map(|id| world.name(id))
                .collect();
            names.join(" ")
        };
        let listed: Vec<String> = (1..=count).map(side).collect();
        parts.push(format!(
            "The network is split into {count} sides ({}): messages between sides are lost.",
            listed.join(" | ")
        ));
    }
    let links: Vec<String> = net
        .links()
        .map(|((a, b), fault)| {
            format!("{}–{} ({})", world.name(a), world.name(b), link_label(fault))
        })
        .collect();
    if !links.is_empty() {
        parts.push(format!("Faulty: {}.", links.join(", ")));
    }
    if net.drop_rate > 0.0 {
        parts.push(format!("Every link loses {}% of messages.", amount(net.drop_rate * 100.0)));
    }
    if parts.is_empty() {
        return "The network is whole: every node reaches every other.".into();
    }
    parts.join(" ")
}

/// One line of the event log, without its time.
pub fn describe(world: &World, event: &Event) -> String {
    let n = |id: NodeId| world.name(id).to_string();
    match event {
        Event::Send { from, to, kind, key, .. } => {
            format!(
                "{} → {}  {}{}",
                n(*from),
                n(*to),
                kind.label(),
                key.as_ref().map(|k| format!(" {k}")).unwrap_or_default()
            )
        }
        Event::Deliver { from, to, kind, .. } => {
            format!("{} got {} from {}", n(*to), kind.label(), n(*from))
        }
        Event::Drop { from, to, kind, reason, .. } => {
            format!("{} → {}  {} lost ({})", n(*from), n(*to), kind.label(), reason.label())
        }
        Event::Timer { node, timer } => format!("{}: {}", n(*node), timer.label()),
        Event::Request { client, node, kind, key, .. } => {
            format!("{client} asks {}: {} {key}", n(*node), kind.label())
        }
        Event::Reply { op, ok, .. } => {
            let record = world.op(*op);
            let who = record
                .map(|r| format!("{} ({} {})", r.client, r.kind.label(), r.key))
                .unwrap_or_default();
            let text = record
                .and_then(|r| r.outcome.as_deref())
                .map(|o| world.describe_reply(o))
                .unwrap_or_default();
            format!("{who} {}: {text}", if *ok { "answered" } else { "failed" })
        }
        Event::Crash { node } => format!("{} crashed", n(*node)),
        Event::Recover { node } => format!("{} recovered", n(*node)),
        Event::Wipe { node, epoch } => {
            let actor = Actor::new(*node, *epoch).label(&n(*node));
            format!(
                "{}'s disk wiped: it comes back as {actor} in vector clocks, so that it cannot \
                 reuse a counter it handed out before (§4.4)",
                n(*node)
            )
        }
        Event::Join { node } => format!("administrator: {} joins the ring", n(*node)),
        Event::Leave { node } => format!("administrator: {} leaves the ring", n(*node)),
        Event::Link { a, b, drop_rate_permille: 0, extra_delay: 0 } => {
            format!("link {}–{}: faults cleared", n(*a), n(*b))
        }
        Event::Link { a, b, drop_rate_permille, extra_delay } => {
            let drop_rate = *drop_rate_permille as f64 / 1000.0;
            let fault = LinkFault { drop_rate, extra_delay: *extra_delay };
            format!("link {}–{}: {}", n(*a), n(*b), link_label(fault))
        }
        Event::Node { node, note } => describe_note(world, *node, note),
        Event::Partition { groups } => {
            let sides: Vec<String> = groups
                .iter()
                .filter(|g| !g.is_empty())
                .map(|g| g.iter().map(|&id| n(id)).collect::<Vec<_>>().join(" "))
                .collect();
            let named: usize = groups.iter().map(Vec::len).sum();
            let rest = if named < world.names().len() { " | the rest" } else { "" };
            format!("network partitioned: {}{rest}", sides.join(" | "))
        }
        Event::Heal => "partition healed".to_string(),
    }
}

fn describe_note(world: &World, node: NodeId, note: &Note) -> String {
    let n = |id: NodeId| world.name(id).to_string();
    let me = n(node);
    match note {
        Note::PeerDown(p) => format!(
            "{me} got no answer from {} in time: it now believes it is down (§4.8.3)",
            n(*p)
        ),
        Note::PeerUp(p) => format!("{me} sees {} is up again", n(*p)),
        Note::HintStored { owner, key } => {
            format!("{me} keeps a hinted replica of {key} for {}", n(*owner))
        }
        Note::HintDelivered { owner, key } => {
            format!("{me} handed the hinted {key} back to {}", n(*owner))
        }
        Note::InSync { peer, level: 0, range_end } => format!(
            "{me} and {} hold the same data for the key range up to {}: their Merkle roots \
             match, so nothing is exchanged",
            n(*peer),
            short_position(*range_end)
        ),
        Note::InSync { peer, level, .. } => format!(
            "{me} and {} find the rest of a key range the same {} below the Merkle root: \
             nothing more to exchange",
            n(*peer),
            count(*level, "level")
        ),
        Note::KeysReceived { peer, keys, changed } => format!(
            "{me} got {} from {} by anti-entropy ({changed} of them news to it)",
            count(*keys, "key"),
            n(*peer)
        ),
        Note::RingChanged { members } => {
            format!("{me} now sees {} in the ring", count(*members, "node"))
        }
        Note::KeysHandedOver { to, keys, dropped } => {
            let (to, kept) = (n(*to), keys - dropped);
            let held = format!("{to} now holds {} {me} offered it", count(*keys, "key"));
            match (*dropped, kept) {
                (0, _) => format!("{held}; {me} still replicates them and keeps its copies"),
                (_, 0) => format!(
                    "{held}; {me} is no longer one of their N replicas and deleted its copies"
                ),
                _ => format!(
                    "{held}; {me} deleted its copies of {dropped} it no longer replicates and \
                     keeps {kept}"
                ),
            }
        }
        Note::KeysTakenOver { from, keys } => format!(
            "{me} got {} from {}: it is now one of their N replicas (§4.9)",
            count(*keys, "key"),
            n(*from)
        ),
    }
}

/// The log's filters: what a student may want to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogFilter {
    #[default]
    All,
    /// Client requests and answers.
    Clients,
    /// Messages sent, delivered and lost (not timers).
    Messages,
    /// Crashes, recoveries, wipes, partitions, link faults, peers believed down or up.
    Failures,
    /// Hinted replicas stored and handed back (§4.6).
    Hints,
    /// Merkle tree comparisons and repairs (§4.7).
    AntiEntropy,
    /// Gossip, joins, leaves and key transfers (§4.8, §4.9).
    Membership,
}

impl LogFilter {
    pub const ALL: [LogFilter; 7] = [
        LogFilter::All,
        LogFilter::Clients,
        LogFilter::Messages,
        LogFilter::Failures,
        LogFilter::Hints,
        LogFilter::AntiEntropy,
        LogFilter::Membership,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LogFilter::All => "everything",
            LogFilter::Clients => "client requests",
            LogFilter::Messages => "messages",
            LogFilter::Failures => "failures",
            LogFilter::Hints => "hinted handoff",
            LogFilter::AntiEntropy => "anti-entropy",
            LogFilter::Membership => "membership",
        }
    }

    /// The filter with this label, if any.
    pub fn from_label(label: &str) -> Option<LogFilter> {
        LogFilter::ALL.into_iter().find(|f| f.label() == label)
    }

    /// Whether the event belongs under this filter.
    pub fn matches(self, event: &Event) -> bool {
        let kind = match event {
            Event::Send { kind, .. } | Event::Deliver { kind, .. } | Event::Drop { kind, .. } => {
                Some(*kind)
            }
            _ => None,
        };
        match self {
            LogFilter::All => true,
            LogFilter::Clients => matches!(event, Event::Request { .. } | Event::Reply { .. }),
            LogFilter::Messages => kind.is_some(),
            LogFilter::Failures => {
                matches!(
                    event,
                    Event::Crash { .. }
                        | Event::Recover { .. }
                        | Event::Wipe { .. }
                        | Event::Partition { .. }
                        | Event::Heal
                        | Event::Link { .. }
                        | Event::Node { note: Note::PeerDown(_) | Note::PeerUp(_), .. }
                ) || matches!(event, Event::Drop { .. })
            }
            LogFilter::Hints => {
                matches!(kind, Some(MsgKind::HintedPut | MsgKind::Handoff | MsgKind::HandoffAck))
                    || matches!(
                        event,
                        Event::Node {
                            note: Note::HintStored { .. } | Note::HintDelivered { .. },
                            ..
                        }
                    )
            }
            LogFilter::AntiEntropy => {
                matches!(kind, Some(MsgKind::MerkleHashes | MsgKind::MerkleKeys))
                    || matches!(
                        event,
                        Event::Node { note: Note::InSync { .. } | Note::KeysReceived { .. }, .. }
                    )
            }
            LogFilter::Membership => {
                matches!(
                    kind,
                    Some(
                        MsgKind::Gossip
                            | MsgKind::GossipReply
                            | MsgKind::TransferOffer
                            | MsgKind::TransferAccept
                            | MsgKind::Transfer
                            | MsgKind::TransferAck
                    )
                ) || matches!(
                    event,
                    Event::Join { .. }
                        | Event::Leave { .. }
                        | Event::Node {
                            note: Note::RingChanged { .. }
                                | Note::KeysHandedOver { .. }
                                | Note::KeysTakenOver { .. },
                            ..
                        }
                )
            }
        }
    }
}

/// The latest `limit` log lines that pass the filter and contain `text` (if not empty),
/// newest first, each with the index of its trace event.
pub fn log_lines<'w>(
    world: &'w World,
    filter: LogFilter,
    text: &str,
    limit: usize,
) -> Vec<(usize, &'w TraceEvent, String)> {
    // Case folded for ASCII only: full Unicode case tables would cost the page kilobytes.
    let needle = text.trim().to_ascii_lowercase();
    let events = world.trace().events();
    (0..events.len())
        .rev()
        .map(|i| (i, &events[i]))
        .filter(|(_, e)| filter.matches(&e.event))
        .filter_map(|(i, e)| {
            let line = describe(world, &e.event);
            (needle.is_empty() || line.to_ascii_lowercase().contains(&needle))
                .then_some((i, e, line))
        })
        .take(limit)
        .collect()
}

/// A version as the page writes it: `milk,eggs [A:2, B:1]`.
pub fn version_text(world: &World, v: &Version) -> String {
    format!("{} {}", v.value, world.clock_text(&v.clock))
}

fn versions_text(world: &World, versions: &[Version]) -> String {
    if versions.is_empty() {
        return "none".into();
    }
    versions.iter().map(|v| version_text(world, v)).collect::<Vec<_>>().join(" | ")
}

fn clocks_text(world: &World, clocks: &[VectorClock]) -> String {
    clocks.iter().map(|c| world.clock_text(c)).collect::<Vec<_>>().join(" ")
}

fn keys_text<K: AsRef<str>>(keys: &[K]) -> String {
    if keys.is_empty() {
        return "none".into();
    }
    keys.iter().map(|k| k.as_ref()).collect::<Vec<_>>().join(", ")
}

/// A message's route and contents, as (field, value) rows for the inspector.
pub fn describe_message(world: &World, flight: &InFlight, msg: &Msg) -> Vec<(String, String)> {
    let n = |id: NodeId| world.name(id).to_string();
    let mut rows = vec![
        ("kind".to_string(), flight.kind.label().to_string()),
        ("from → to".to_string(), format!("{} → {}", n(flight.from), n(flight.to))),
        ("sent".to_string(), ms(flight.sent)),
        (
            "arrives".to_string(),
            if flight.doomed {
                format!("{} — will be lost", ms(flight.arrives))
            } else {
                ms(flight.arrives)
            },
        ),
    ];
    let mut row = |k: &str, v: String| rows.push((k.to_string(), v));
    match msg {
        Msg::ForwardPut(put) => {
            let ForwardPut { req, op, key, value, context } = &**put;
            row("request", format!("#{} at the sender", req.0));
            row("client op", format!("#{}", op.0));
            row("key", key.to_string());
            row("value", value.to_string());
            row("context", world.clock_text(context));
        }
        Msg::ForwardReply { req, reply } => {
            row("request", format!("#{} at the receiver", req.0));
            row("answer", reply_text(world, reply));
        }
        Msg::Put { req, key, version, hint } => {
            row("request", format!("#{}", req.0));
            row("key", key.to_string());
            row("version", version_text(world, version));
            row(
                "hint",
                hint.map_or("none: the receiver is a replica".into(), |h| {
                    format!("hinted replica: meant for {}", n(h))
                }),
            );
        }
        Msg::PutAck { req } => row("request", format!("#{}", req.0)),
        Msg::Get { req, key } => {
            row("request", format!("#{}", req.0));
            row("key", key.to_string());
        }
        Msg::GetReply { req, versions } => {
            row("request", format!("#{}", req.0));
            row("versions", versions_text(world, versions));
        }
        Msg::Repair { key, versions }
        | Msg::Handoff { key, versions }
        | Msg::HandoffAck { key, versions } => {
            row("key", key.to_string());
            row("versions", versions_text(world, versions));
        }
        Msg::Ping | Msg::Pong => {}
        Msg::SyncHashes(sync) => {
            let SyncHashes { range, hashes } = &**sync;
            row(
                "key range",
                format!("{}…{}", short_position(range.start), short_position(range.end)),
            );
            let list: Vec<String> =
                hashes.iter().map(|(i, h)| format!("node {i}: {}", short_hash(h))).collect();
            row("tree hashes", list.join(", "));
        }
        Msg::SyncKeys(sync) => {
            let SyncKeys { range, leaves, entries, reply } = &**sync;
            row(
                "key range",
                format!("{}…{}", short_position(range.start), short_position(range.end)),
            );
            row("differing leaves", format!("{leaves:?}"));
            let keys: Vec<String> = entries
                .iter()
                .map(|(k, vs)| format!("{k}: {}", versions_text(world, vs)))
                .collect();
            row("keys", keys_text(&keys));
            row("wants the other side's keys", if *reply { "yes" } else { "no" }.into());
        }
        Msg::Gossip { membership } | Msg::GossipReply { membership } => {
            let members: Vec<String> = membership
                .records()
                .iter()
                .map(|(id, r)| {
                    format!("{} v{} ({:?}, {} tokens)", n(*id), r.version, r.status, r.tokens.len())
                })
                .collect();
            row("membership", members.join(", "));
        }
        Msg::TransferOffer { transfer, keys, .. } => {
            row("transfer", format!("#{transfer}"));
            let list: Vec<String> = keys
                .iter()
                .map(|(k, clocks)| format!("{k} {}", clocks_text(world, clocks)))
                .collect();
            row("keys offered", keys_text(&list));
        }
        Msg::TransferAccept(accept) => {
            let TransferAccept { transfer, keys, have, .. } = &**accept;
            row("transfer", format!("#{transfer}"));
            row("send me", keys_text(keys));
            row("already have", keys_text(have));
        }
        Msg::Transfer { transfer, entries } => {
            row("transfer", format!("#{transfer}"));
            let keys: Vec<String> = entries
                .iter()
                .map(|(k, vs)| format!("{k}: {}", versions_text(world, vs)))
                .collect();
            row("keys", keys_text(&keys));
        }
        Msg::TransferAck(ack) => {
            let TransferAck { transfer, keys, .. } = &**ack;
            row("transfer", format!("#{transfer}"));
            row("stored", keys_text(keys));
        }
    }
    rows
}

fn reply_text(world: &World, reply: &ClientReply) -> String {
    match reply {
        ClientReply::Failed { .. } => format!("failed: {}", world.describe_reply(reply)),
        _ => world.describe_reply(reply),
    }
}

/// The first 8 hex digits of a ring position.
pub fn short_position(p: crate::core::ring::Position) -> String {
    format_position(p)[..8].to_string()
}

/// The first 8 hex digits of a Merkle hash.
pub fn short_hash(h: &crate::core::merkle::Hash) -> String {
    h.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::WorldSpec;

    #[test]
    fn counts_say_their_plurals() {
        assert_eq!(count(1u64, "hash"), "1 hash");
        assert_eq!(count(3u64, "hash"), "3 hashes");
        assert_eq!(count(2u64, "differing leaf"), "2 differing leaves");
        assert_eq!(count(0u64, "key"), "0 keys");
    }

    #[test]
    fn the_log_filters_by_topic_and_text_newest_first() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        world.crash(NodeId(1));
        world.put("alice", "cart", "milk", NodeId(0), VectorClock::default());
        world.run_until(300 * MS);
        let failures = log_lines(&world, LogFilter::Failures, "", 50);
        assert_eq!(failures.last().unwrap().2, "B crashed");
        let clients = log_lines(&world, LogFilter::Clients, "", 50);
        assert!(
            clients[0].2.starts_with("alice (put cart) answered: stored milk"),
            "{:?}",
            clients[0].2
        );
        assert!(clients[1].2.contains("alice asks A: put cart"));
        let by_text = log_lines(&world, LogFilter::All, "ALICE", 50);
        assert_eq!(by_text.len(), 2);
        assert!(log_lines(&world, LogFilter::Messages, "", 3)
            .iter()
            .all(|(_, e, _)| LogFilter::Messages.matches(&e.event)));
        assert!(by_text[0].0 > by_text[1].0, "newest first");
    }

    #[test]
    fn a_message_on_the_wire_shows_its_key_and_clock() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        world.put(
            "alice",
            "cart",
            "milk",
            world.preference_list("cart")[0],
            VectorClock::default(),
        );
        let flight =
            world.in_flight().find(|m| m.kind == MsgKind::Put).expect("a replica put on the wire");
        let (_, msg) = world.message(flight.msg).unwrap();
        let rows = describe_message(&world, &flight, msg);
        let get = |k: &str| rows.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("key"), "cart");
        assert!(get("version").starts_with("milk ["), "{}", get("version"));
        assert!(get("hint").starts_with("none"));
    }

    #[test]
    fn a_forwarded_put_and_its_answer_show_the_forwarders_request_number() {
        let mut world = World::new(WorldSpec::default()).unwrap();
        let outsider = world.preference_list("cart")[world.config().n];
        world.put("alice", "cart", "milk", outsider, VectorClock::default());
        let forward =
            world.in_flight().find(|m| m.kind == MsgKind::Forward).expect("the put is forwarded");
        let rows = describe_message(&world, &forward, world.message(forward.msg).unwrap().1);
        let request = rows.iter().find(|(f, _)| f == "request").map(|(_, v)| v.clone()).unwrap();
        assert!(request.ends_with("at the sender"), "{request}");
        while !world.in_flight().any(|m| m.kind == MsgKind::ForwardReply) {
            assert!(world.step(), "the coordinator answers");
        }
        let answer = world.in_flight().find(|m| m.kind == MsgKind::ForwardReply).unwrap();
        let rows = describe_message(&world, &answer, world.message(answer.msg).unwrap().1);
        let get = |k: &str| rows.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("request"), request.replace("at the sender", "at the receiver"));
        assert!(get("answer").starts_with("stored milk"), "{}", get("answer"));
    }
}
