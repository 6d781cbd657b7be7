//! The Merkle exchange (§4.7): two replicas of one key range, their trees side by side as
//! they are now, compared as anti-entropy compares them — the roots first, then only the
//! children of nodes whose hashes differ, so equal subtrees are never descended — and the
//! keys under the differing leaves. Beside it, what the latest comparison of the two really
//! sent, message by message, and what sending the whole range would have cost instead.
//! The walk is the core's `merkle::compare`; the messages are the world's record of them.

use super::describe::{count as count_of, version_text};
use crate::core::accel::compact_sort;
use crate::core::merkle::{compare, KeyRange, LevelCompared, MerkleTree};
use crate::core::{Key, NodeId};
use crate::sim::world::{SyncCarried, SyncStats, SyncStep};
use crate::sim::World;

/// Which two replicas the view compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The pair of the latest comparison that found a difference (or, if none did, of the
    /// latest comparison): the view follows anti-entropy as it runs.
    Follow,
    /// Node `a` and node `b`, over `range`.
    Pair { a: NodeId, b: NodeId, range: KeyRange },
}

/// A tree node as drawn: both replicas' hashes of it, shortened.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeBox {
    /// Its index in the tree (1: the root; 2i and 2i + 1: the children of i).
    pub index: u32,
    /// The box it hangs from, among the previous level's boxes.
    pub parent: Option<usize>,
    /// Replica a's hash and replica b's, 4 hex digits each.
    pub hashes: [String; 2],
    pub differs: bool,
    /// Leaves under it: an equal subtree skips that many.
    pub leaves: u64,
}

/// One level of the comparison: the tree nodes compared there (the first [`MAX_BOXES`]
/// drawn), and how many were compared and differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    pub boxes: Vec<TreeBox>,
    pub compared: usize,
    pub differing: usize,
}

/// A key under a differing leaf: what each replica holds of it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRow {
    pub key: String,
    /// Each replica's versions as the page writes them; "—" if it has none.
    pub held: [String; 2],
    pub same: bool,
}

/// A differing leaf and the keys under it on either replica.
#[derive(Clone, Debug, PartialEq)]
pub struct LeafRows {
    pub leaf: u32,
    pub keys: Vec<KeyRow>,
}

/// The view: a pair of replicas of a range, their trees compared, the latest exchange.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    pub a: NodeId,
    pub b: NodeId,
    pub range: KeyRange,
    /// Every replica of the range, as node `a` sees the ring (to pick another `b`).
    pub replicas: Vec<NodeId>,
    pub depth: u8,
    pub levels: Vec<Level>,
    /// The differing leaves (the first [`MAX_LEAVES`]), when the walk reached the leaves.
    pub leaves: Vec<LeafRows>,
    pub leaves_left_out: usize,
    /// The latest comparison of these two replicas over this range, if any.
    pub last: Option<SyncStats>,
    /// Which of its messages is on the wire now.
    pub on_wire: Option<usize>,
}

/// Most tree nodes drawn per level (the paths to the first differing leaves).
pub const MAX_BOXES: usize = 8;

/// Most differing leaves whose keys are listed.
pub const MAX_LEAVES: usize = 6;

/// Most comparisons looked through, newest first, to find the one to show.
const SEARCH_BACK: usize = 5_000;

/// The exchange `pick` names, as it stands now; or why there is none to show.
pub fn exchange(world: &World, pick: Pick) -> Result<Exchange, String> {
    let (a, b, range) = match pick {
        Pick::Pair { a, b, range } => (a, b, range),
        Pick::Follow => {
            let Some(sync) = followed(world) else {
                return Err("No anti-entropy comparison yet: press \"Run anti-entropy now\" \
                            above, or set a period in the cluster settings. To compare two \
                            replicas now, open a node and press \"vs …\" by one of its ranges."
                    .into());
            };
            (sync.initiator, sync.peer, sync.range)
        }
    };
    let count = world.names().len();
    if a == b || a.index() >= count || b.index() >= count {
        return Err("Pick two different nodes.".into());
    }
    let trees = [world.node(a).merkle_tree(range), world.node(b).merkle_tree(range)];
    let depth = world.config().merkle_depth;
    let walk = compare(&trees[0], &trees[1]);
    let levels = drawn_levels(&trees, &walk, depth);
    let (leaves, leaves_left_out) = differing_leaves(world, [a, b], range, &trees, &walk);
    let last = latest_between(world, a, b, range).cloned();
    let now = world.now();
    let on_wire =
        last.as_ref().and_then(|s| s.steps.iter().position(|m| m.sent <= now && now < m.arrives));
    let replicas = world
        .node(a)
        .hosted_ranges()
        .into_iter()
        .find(|(r, _)| *r == range)
        .map_or_else(|| vec![a, b], |(_, replicas)| replicas);
    Ok(Exchange { a, b, range, replicas, depth, levels, leaves, leaves_left_out, last, on_wire })
}

/// The comparison followed: the latest that found a difference (more than the root was
/// sent), else the latest.
fn followed(world: &World) -> Option<&SyncStats> {
    let syncs = world.syncs();
    let newest = (syncs.first_index()..syncs.len()).rev().take(SEARCH_BACK);
    let mut newest_first = newest.filter_map(|i| syncs.get(i));
    newest_first.clone().find(|s| s.messages > 1).or_else(|| newest_first.next())
}

/// The latest comparison of `a` and `b` (either starting) over `range`.
fn latest_between(world: &World, a: NodeId, b: NodeId, range: KeyRange) -> Option<&SyncStats> {
    let syncs = world.syncs();
    let newest = (syncs.first_index()..syncs.len()).rev().take(SEARCH_BACK);
    newest.filter_map(|i| syncs.get(i)).find(|s| {
        let pair = [s.initiator, s.peer];
        s.range == range && (pair == [a, b] || pair == [b, a])
    })
}

/// The levels of the walk, with the boxes drawn: at each level the children of the boxes
/// drawn above that differ, at most [`MAX_BOXES`].
fn drawn_levels(trees: &[MerkleTree; 2], walk: &[LevelCompared], depth: u8) -> Vec<Level> {
    let mut levels: Vec<Level> = Vec::with_capacity(walk.len());
    for (height, step) in walk.iter().enumerate() {
        let candidates: Vec<(u32, Option<usize>)> = match levels.last() {
            None => vec![(1, None)],
            Some(above) => above
                .boxes
                .iter()
                .enumerate()
                .filter(|(_, b)| b.differs)
                .flat_map(|(slot, b)| [(2 * b.index, Some(slot)), (2 * b.index + 1, Some(slot))])
                .collect(),
        };
        let leaves = 1u64 << (depth as usize - height);
        let boxes = candidates
            .into_iter()
            .take(MAX_BOXES)
            .map(|(index, parent)| TreeBox {
                index,
                parent,
                hashes: [short(&trees[0], index), short(&trees[1], index)],
                differs: step.differing.contains(&index),
                leaves,
            })
            .collect();
        levels.push(Level {
            boxes,
            compared: step.compared.len(),
            differing: step.differing.len(),
        });
    }
    levels
}

/// A tree node's hash in 4 hex digits.
fn short(tree: &MerkleTree, index: u32) -> String {
    tree.hash(index).iter().take(2).map(|b| format!("{b:02x}")).collect()
}

/// The keys under the differing leaves, replica by replica (when the walk got there).
fn differing_leaves(
    world: &World,
    nodes: [NodeId; 2],
    range: KeyRange,
    trees: &[MerkleTree; 2],
    walk: &[LevelCompared],
) -> (Vec<LeafRows>, usize) {
    let at_leaves = |l: &&LevelCompared| l.differing.first().is_some_and(|&i| trees[0].is_leaf(i));
    let Some(last) = walk.last().filter(at_leaves) else {
        return (Vec::new(), 0);
    };
    let rows = last.differing.iter().take(MAX_LEAVES).map(|&index| {
        let leaf = trees[0].leaf_number(index);
        let held = nodes.map(|n| world.node(n).entries_in(range, Some(&[leaf])));
        let mut keys: Vec<&Key> = held.iter().flatten().map(|(k, _)| k).collect();
        compact_sort::sort_unstable(&mut keys);
        keys.dedup();
        let keys = keys
            .into_iter()
            .map(|key| {
                let of = |i: usize| held[i].iter().find(|(k, _)| k == key).map(|(_, vs)| vs);
                let text = |i: usize| {
                    of(i).map_or("—".to_string(), |vs| {
                        vs.iter().map(|v| version_text(world, v)).collect::<Vec<_>>().join(" | ")
                    })
                };
                let same = of(0) == of(1);
                KeyRow { key: key.to_string(), held: [text(0), text(1)], same }
            })
            .collect();
        LeafRows { leaf, keys }
    });
    (rows.collect(), last.differing.len().saturating_sub(MAX_LEAVES))
}

/// A message of a comparison in words: "A → C: the root's hash", "C → A: 4 hashes of
/// level 2", "A → C: 3 keys under 1 leaf (cart, …), 96 bytes".
pub fn step_text(world: &World, step: &SyncStep, to: NodeId) -> String {
    let who = format!("{} → {}", world.name(step.from), world.name(to));
    match &step.carried {
        SyncCarried::Hashes { level: 0, .. } => format!("{who}: its root hash"),
        SyncCarried::Hashes { level, count } => {
            format!("{who}: {} of level {level}", count_of(u64::from(*count), "hash"))
        }
        SyncCarried::Keys { leaves, count, named } => {
            let mut names: Vec<String> = named.iter().map(|k| k.to_string()).collect();
            if *count as usize > named.len() {
                names.push("…".into());
            }
            let list =
                if names.is_empty() { String::new() } else { format!(" ({})", names.join(", ")) };
            format!(
                "{who}: {} under {}{list}, {} bytes",
                count_of(u64::from(*count), "key"),
                count_of(u64::from(*leaves), "differing leaf"),
                step.bytes
            )
        }
    }
}

/// The receiver of a comparison's message: the one of the pair that did not send it.
pub fn receiver(sync: &SyncStats, step: &SyncStep) -> NodeId {
    if step.from == sync.initiator {
        sync.peer
    } else {
        sync.initiator
    }
}

/// What a comparison cost, beside what sending the whole range both ways would have.
pub fn cost_text(sync: &SyncStats) -> String {
    let (keys, bytes) = sync.whole;
    let verdict = if sync.bytes < bytes {
        "the trees saved the difference"
    } else {
        "for a range this small the trees cost more; they pay off when a range holds many \
         keys and few differ"
    };
    format!(
        "It sent {}, {}, {}: {} bytes. Sending the whole range both ways, as it was then: {}, \
         {bytes} bytes — {verdict} (§4.7).",
        count_of(sync.messages, "message"),
        count_of(sync.hashes, "hash"),
        count_of(sync.keys, "key"),
        sync.bytes,
        count_of(keys, "key"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VectorClock;
    use crate::core::MS;
    use crate::sim::world::WorldSpec;

    /// A world with 30 keys written and settled, then `wiped`'s disk lost.
    fn wiped_world(wiped: NodeId) -> World {
        let mut world = World::new(WorldSpec::default()).unwrap();
        for k in 0..30 {
            let key = format!("key-{k}");
            let via = world.preference_list(&key)[0];
            world.put("loader", &key, &format!("v{k}"), via, VectorClock::new());
            world.run_until(world.now() + MS);
        }
        assert!(world.settle(10_000 * MS));
        world.wipe(wiped);
        world
    }

    #[test]
    fn after_a_wipe_the_path_to_each_lost_key_differs_and_the_exchange_repairs_it() {
        let wiped = NodeId(1);
        let mut world = wiped_world(wiped);
        let holds = |n: NodeId, r: KeyRange| !world.node(n).entries_in(r, None).is_empty();
        let (range, peer) = world
            .node(wiped)
            .hosted_ranges()
            .into_iter()
            .find_map(|(r, replicas)| {
                replicas.into_iter().find(|&p| p != wiped && holds(p, r)).map(|p| (r, p))
            })
            .expect("a range of the wiped node's with keys on a peer");
        let pick = Pick::Pair { a: wiped, b: peer, range };
        let view = exchange(&world, pick).unwrap();
        let held_by_peer = world.node(peer).entries_in(range, None).len();
        assert!(held_by_peer > 0, "the peer holds keys of the range");
        assert!(view.levels[0].boxes[0].differs, "the roots differ");
        assert_eq!(view.levels.len(), usize::from(view.depth) + 1, "the walk reaches the leaves");
        for (height, level) in view.levels.iter().enumerate().skip(1) {
            assert!(level.boxes.len() <= MAX_BOXES);
            assert!(
                level.differing >= 1 && level.compared == 2 * view.levels[height - 1].differing
            );
            for b in &level.boxes {
                let parent = &view.levels[height - 1].boxes[b.parent.unwrap()];
                assert!(
                    parent.differs && b.index / 2 == parent.index,
                    "a child of a differing box"
                );
            }
        }
        let listed: usize = view.leaves.iter().map(|l| l.keys.len()).sum();
        assert_eq!(view.leaves.len() + view.leaves_left_out, view.levels.last().unwrap().differing);
        assert!(listed > 0 && listed <= held_by_peer);
        for row in view.leaves.iter().flat_map(|l| &l.keys) {
            assert_eq!(row.held[0], "—", "the wiped node has lost {}", row.key);
            assert!(!row.same && row.held[1].starts_with('v'), "{row:?}");
        }
        // Anti-entropy: the trees are equal now, and the view tells what it sent.
        world.anti_entropy();
        assert!(world.settle(10_000 * MS));
        let view = exchange(&world, pick).unwrap();
        assert_eq!(view.levels.len(), 1);
        assert!(!view.levels[0].boxes[0].differs && view.leaves.is_empty());
        let last = view.last.expect("the two were compared");
        assert!(
            last.keys as usize >= held_by_peer && last.messages as usize >= view.depth as usize
        );
        assert_eq!(view.on_wire, None, "settled: nothing on the wire");
        let texts: Vec<String> =
            last.steps.iter().map(|m| step_text(&world, m, receiver(&last, m))).collect();
        assert!(texts[0].ends_with(": its root hash"), "{texts:?}");
        assert!(texts[1].contains("2 hashes of level 1"), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("differing leaves (key-")), "{texts:?}");
        let cost = cost_text(&last);
        assert!(cost.contains(&format!("{} keys", last.keys)), "{cost}");
        assert_eq!(last.whole.0, held_by_peer as u64, "the whole range when it started");
        // Following: the latest comparison that found a difference.
        let followed = exchange(&world, Pick::Follow).unwrap();
        assert!(followed.a == wiped || followed.b == wiped);
        assert!(followed.last.is_some_and(|s| s.messages > 1));
    }

    #[test]
    fn without_a_comparison_or_with_one_node_twice_there_is_nothing_to_show() {
        let world = World::new(WorldSpec::default()).unwrap();
        assert!(exchange(&world, Pick::Follow).unwrap_err().contains("anti-entropy"));
        let range = KeyRange::default();
        let same = Pick::Pair { a: NodeId(0), b: NodeId(0), range };
        assert!(exchange(&world, same).is_err());
        let gone = Pick::Pair { a: NodeId(0), b: NodeId(99), range };
        assert!(exchange(&world, gone).is_err());
    }
}
