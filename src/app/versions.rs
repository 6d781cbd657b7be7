//! The version history of a key (§4.4, Figure 3): every version of it written in the run
//! so far, each with the clock its coordinator stamped, and an arrow from each version to
//! the versions it descends from directly. Concurrent versions — siblings — have no arrow
//! between them; a reconciliation descends from several. Drawn from what the simulator
//! reports (the answers clients got, and what the replicas hold now); the causal order is
//! the core's `VectorClock::descends`.

use crate::core::clock::VectorClock;
use crate::core::message::ClientReply;
use crate::core::version::Version;
use crate::core::Time;
use crate::sim::trace::OpKind;
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
}

/// The history: versions in order of writing, and arrows from parent to child (indices).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VersionHistory {
    pub versions: Vec<VersionBox>,
    pub arrows: Vec<(usize, usize)>,
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
    for op in world.ops().iter().filter(|op| &*op.key == key) {
        match op.outcome.as_deref() {
            Some(ClientReply::Put { version, coordinator, .. }) if op.kind != OpKind::Get => {
                let i = add(&mut found, version);
                found[i].1.client = Some(op.client.to_string());
                found[i].1.coordinator = Some(world.name(*coordinator).to_string());
            }
            Some(ClientReply::Got { versions, .. }) => {
                for v in versions {
                    add(&mut found, v);
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
    found.sort_by_key(|(_, v)| v.written_at);
    let left_out = found.len().saturating_sub(MAX_VERSIONS);
    found.drain(..left_out);
    let clocks: Vec<&VectorClock> = found.iter().map(|(c, _)| c).collect();
    let arrows = direct_descents(&clocks);
    let mut versions: Vec<VersionBox> = found.iter().map(|(_, v)| v.clone()).collect();
    for &(parent, child) in &arrows {
        // Parents come first (written earlier), so their columns are final.
        versions[child].column = versions[child].column.max(versions[parent].column + 1);
    }
    VersionHistory { versions, arrows, left_out }
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
