//! The version history of a key (§4.4, Figure 3): every version of it written in the run
//! so far, each with the clock its coordinator stamped, and an arrow from each version to
//! the versions it descends from directly. Concurrent versions — siblings — have no arrow
//! between them; a reconciliation descends from several. Drawn from what the simulator
//! reports (the answers clients got, and what the replicas hold now); the causal order is
//! the core's `VectorClock::descends`.

use crate::core::accel::compact_sort;
use crate::core::clock::VectorClock;
use crate::core::message::{ClientReply, MsgKind, OpId};
use crate::core::version::Version;
use crate::core::Time;
use crate::sim::trace::{Event, OpKind};
use crate::sim::World;

/// One version of the key.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionBox {
    pub value: String,
    /// As the page writes clocks: `[Sx:2, Sy:1]`.
    pub clock: String,
    /// The client whose put it was and the node that stamped it, when a client heard
    /// back (a version a put left on some replicas without a success has neither).
    pub client: Option<String>,
    pub coordinator: Option<String>,
    /// When it was stamped.
    pub written_at: Time,
    /// The nodes holding it now, each with whether it holds it as a hinted replica for
    /// another (§4.6).
    pub holders: Vec<(String, bool)>,
    /// Its column: the longest chain of versions it descends from.
    pub column: usize,
    /// Whether clock truncation (§4.4) hid that it descends from an earlier version.
    pub truncated: bool,
    /// The client operation that told of it first: the put that wrote it, or a get that
    /// returned it (see [`carrier`]).
    pub op: Option<OpId>,
}

/// The history: versions in order of writing, and arrows from parent to child (indices).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VersionHistory {
    pub versions: Vec<VersionBox>,
    pub arrows: Vec<(usize, usize)>,
    /// Descents that clock truncation made invisible: `(p, c)` when `c`'s clock would
    /// descend from `p`'s but for the pairs truncation dropped (drawn dashed).
    pub hidden: Vec<(usize, usize)>,
    /// How many earlier versions are left out (at most [`MAX_VERSIONS`] are drawn).
    pub left_out: usize,
}

/// The most versions drawn: the latest ones (a key under the background load gets hundreds,
/// and the arrows cost the cube of their number).
pub const MAX_VERSIONS: usize = 40;

/// Every version of `key` the run has written so far, and how they descend.
pub fn history(world: &World, key: &str) -> VersionHistory {
    let mut found: Vec<(VectorClock, VersionBox)> = Vec::new();
    let add = |found: &mut Vec<(VectorClock, VersionBox)>, v: &Version| -> usize {
        match found.iter().position(|(c, _)| *c == v.clock) {
            Some(i) => i,
            None => {
                let text = world.clock_text(&v.clock);
                found.push((v.clock.clone(), boxed(&v.value, text, v.written_at)));
                found.len() - 1
            }
        }
    };
    // The versions clients were told of: each put's, and each get's.
    let ops = world.ops();
    for (i, op) in (ops.first_index()..ops.len()).filter_map(|i| Some((i, ops.get(i)?))) {
        if &*op.key != key {
            continue;
        }
        let id = OpId(i as u64 + 1);
        match op.outcome.as_deref() {
            Some(ClientReply::Put { version, coordinator, .. }) if op.kind != OpKind::Get => {
                let i = add(&mut found, version);
                found[i].1.client = Some(op.client.to_string());
                found[i].1.coordinator = Some(world.name(*coordinator).to_string());
                found[i].1.op = Some(id);
            }
            Some(ClientReply::Got { versions, .. }) => {
                for v in versions {
                    let i = add(&mut found, v);
                    found[i].1.op.get_or_insert(id);
                }
            }
            _ => {}
        }
    }
    // The versions the replicas hold, hinted replicas included.
    for node in world.node_ids() {
        let name = world.name(node);
        for v in world.node(node).store().get(key) {
            let i = add(&mut found, v);
            found[i].1.holders.push((name.to_string(), false));
        }
        for keys in world.node(node).hints().values() {
            for v in keys.iter().filter(|(k, _)| &***k == key).flat_map(|(_, vs)| vs.iter()) {
                let i = add(&mut found, v);
                found[i].1.holders.push((name.to_string(), true));
            }
        }
    }
    compact_sort::sort_by_key(&mut found, |(_, v)| v.written_at);
    let left_out = found.len().saturating_sub(MAX_VERSIONS);
    found.drain(..left_out);
    let clocks: Vec<&VectorClock> = found.iter().map(|(c, _)| c).collect();
    let arrows = direct_descents(&clocks);
    let hidden = truncated_descents(&clocks, world.config().clock_truncation);
    let mut versions: Vec<VersionBox> = found.iter().map(|(_, v)| v.clone()).collect();
    for &(parent, child) in arrows.iter().chain(&hidden) {
        // Parents come first (written earlier), so their columns are final.
        versions[child].column = versions[child].column.max(versions[parent].column + 1);
        versions[child].truncated |= hidden.contains(&(parent, child));
    }
    VersionHistory { versions, arrows, hidden, left_out }
}

fn boxed(value: &str, clock: String, written_at: Time) -> VersionBox {
    VersionBox {
        value: value.to_string(),
        clock,
        client: None,
        coordinator: None,
        written_at,
        holders: Vec::new(),
        column: 0,
        truncated: false,
        op: None,
    }
}

/// The arrows of the causal order (its Hasse diagram): `(p, c)` when `c` descends from `p`
/// and from no version between them.
fn direct_descents(clocks: &[&VectorClock]) -> Vec<(usize, usize)> {
    let above = |c: usize, p: usize| c != p && clocks[c].descends(clocks[p]);
    let mut arrows = Vec::new();
    for c in 0..clocks.len() {
        for p in 0..clocks.len() {
            let between = (0..clocks.len()).any(|q| above(c, q) && above(q, p));
            if above(c, p) && !between {
                arrows.push((p, c));
            }
        }
    }
    arrows
}

/// Where a version travelled, to show it on the time bar: for a put, the moment its
/// coordinator sent the version to a replica and that message (or, if it sent none, the
/// client's answer); for a get, the moment the client was answered.
pub fn carrier(world: &World, op: OpId) -> Option<(Time, Option<u64>)> {
    let record = world.op(op)?;
    let answered = record.finished.map(|at| (at, None));
    if record.kind == OpKind::Get {
        return answered;
    }
    let events = world.trace().events();
    let first = super::spacetime::first_at_or_after(world, record.started);
    let put = (first..events.len()).take(SEARCH_EVENTS).find_map(|i| match events[i].event {
        Event::Send { msg, kind: MsgKind::Put | MsgKind::HintedPut, op: Some(o), .. }
            if o == op =>
        {
            Some((events[i].at, Some(msg)))
        }
        _ => None,
    });
    put.or(answered)
}

/// Most events looked through for the message that carried a version.
const SEARCH_EVENTS: usize = 20_000;

/// Most characters on a line of a value (a cart's items wrap at their commas).
pub const LINE_CHARS: usize = 19;

/// A value in lines: items (comma-separated) packed into lines of at most [`LINE_CHARS`]
/// characters where they fit; a longer item gets a line of its own.
pub fn value_lines(value: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in value.split(',') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + item.chars().count() <= LINE_CHARS => {
                line.push(',');
                line.push_str(item);
            }
            Some(line) => {
                line.push(',');
                lines.push(item.to_string());
            }
            None => lines.push(item.to_string()),
        }
    }
    lines
}

/// Whether truncation (§4.4) hid that `child` descends from `parent`: the child's clock is
/// full (at the threshold), it lacks some actor of the parent's (dropped, oldest first, to
/// stay under the threshold), and on every actor it kept it is at least as high.
fn hidden_by_truncation(parent: &VectorClock, child: &VectorClock, threshold: usize) -> bool {
    child.len() == threshold
        && !child.descends(parent)
        && parent.counters().into_iter().all(|(actor, n)| {
            let kept = child.counter(actor);
            kept == 0 || kept >= n
        })
}

/// The descents truncation hid, from the latest parents only: `(p, c)` when `c` hides its
/// descent from `p` and from no later version that itself descends from `p`.
fn truncated_descents(clocks: &[&VectorClock], threshold: usize) -> Vec<(usize, usize)> {
    let hides = |c: usize, p: usize| p < c && hidden_by_truncation(clocks[p], clocks[c], threshold);
    let mut hidden = Vec::new();
    for c in 0..clocks.len() {
        for p in 0..c {
            let later = (p + 1..c).any(|q| hides(c, q) && clocks[q].descends(clocks[p]));
            if hides(c, p) && !later {
                hidden.push((p, c));
            }
        }
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::{self, Scenario};

    fn figure3() -> World {
        let text = include_str!("../../scenarios/figure3.json");
        let (_, world) = scenario::run_recorded(&Scenario::from_json(text).unwrap(), true).unwrap();
        world
    }

    #[test]
    fn figure_3_reads_as_in_the_paper() {
        let history = history(&figure3(), "D");
        let boxes: Vec<(&str, &str, usize)> = history
            .versions
            .iter()
            .map(|v| (v.value.as_str(), v.clock.as_str(), v.column))
            .collect();
        assert_eq!(
            boxes,
            [
                ("D1", "[Sx:1]", 0),
                ("D2", "[Sx:2]", 1),
                ("D3", "[Sx:2, Sy:1]", 2),
                ("D4", "[Sx:2, Sz:1]", 2),
                ("D5", "[Sx:3, Sy:1, Sz:1]", 3),
            ]
        );
        assert_eq!(history.arrows, [(0, 1), (1, 2), (1, 3), (2, 4), (3, 4)]);
        let d5 = &history.versions[4];
        assert_eq!(d5.coordinator.as_deref(), Some("Sx"), "Sx stamped the reconciliation");
        assert_eq!(history.versions[2].coordinator.as_deref(), Some("Sy"));
        assert!(!d5.holders.is_empty(), "the replicas hold D5 at the end");
        assert!(history.versions[0].holders.is_empty(), "D1 was overwritten everywhere");
        assert_eq!(history.left_out, 0);
    }

    #[test]
    fn a_descent_hidden_by_clock_truncation_is_drawn_as_such() {
        use crate::core::config::Config;
        use crate::sim::world::{NodeSpec, WorldSpec};
        let spec = WorldSpec {
            nodes: ["A", "B", "C", "D"].iter().map(|n| NodeSpec::named(n)).collect(),
            config: Config { clock_truncation: 2, ..Config::default() },
            ..WorldSpec::default()
        };
        let mut world = World::new(spec).unwrap();
        // Three writes in turn through three coordinators, each read before it is written.
        let list = world.preference_list("k");
        for (i, &via) in list[..3].iter().enumerate() {
            world.get("c", "k", via);
            world.run_until(world.now() + 50 * crate::core::MS);
            let context = world.last_read_context("c", "k");
            world.put("c", "k", &format!("v{i}"), via, context);
            world.run_until(world.now() + 50 * crate::core::MS);
        }
        let history = history(&world, "k");
        let values: Vec<&str> = history.versions.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, ["v0", "v1", "v2"]);
        // v2's clock lost v0's coordinator: it seems not to descend from v0 or v1.
        assert_eq!(history.arrows, [(0, 1)], "only v0 → v1 is seen in the clocks");
        assert_eq!(history.hidden, [(1, 2)], "v1 ⇢ v2, hidden by truncation");
        assert!(history.versions[2].truncated && !history.versions[1].truncated);
        assert_eq!(history.versions[2].column, 2, "drawn after v1 all the same");
    }

    #[test]
    fn a_cart_wraps_at_its_commas_and_a_short_value_stays_one_line() {
        assert_eq!(value_lines("D1"), ["D1"]);
        assert_eq!(
            value_lines("Mixer 1,Tea 3,Teapot 1,Spatula 4,Strainer 1"),
            ["Mixer 1,Tea 3,", "Teapot 1,Spatula 4,", "Strainer 1"]
        );
        assert_eq!(value_lines("a-very-long-single-item-value"), ["a-very-long-single-item-value"]);
    }

    #[test]
    fn a_key_under_load_shows_its_latest_versions_only() {
        let mut world = World::new(crate::sim::world::WorldSpec::default()).unwrap();
        let via = world.preference_list("k")[0];
        for i in 0..60 {
            let context = world.last_read_context("c", "k");
            world.put("c", "k", &format!("v{i}"), via, context);
            world.run_until(world.now() + 50 * crate::core::MS);
            world.get("c", "k", via);
            world.run_until(world.now() + 50 * crate::core::MS);
        }
        let history = history(&world, "k");
        assert_eq!(history.versions.len(), MAX_VERSIONS);
        assert_eq!(history.left_out, 60 - MAX_VERSIONS);
        assert_eq!(history.versions.last().unwrap().value, "v59");
        assert_eq!(history.arrows.len(), MAX_VERSIONS - 1, "one chain");
    }
}
