//! Versions and their reconciliation (§4.4).
//!
//! Every put creates a new, immutable version stamped with a vector clock. A replica keeps
//! all versions of a key that no other version descends from: usually one, several
//! (*siblings*) when writes were concurrent. Dropping ancestors is *syntactic*
//! reconciliation; merging siblings is the client's *semantic* reconciliation.

use super::clock::{Causality, VectorClock};
use super::{Time, Value};
use crate::core::accel::compact_sort;
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

/// The versions a replica holds for one key: usually one, kept in place (no separate
/// allocation to follow); siblings spill to the heap.
pub type Versions = SmallVec<[Version; 1]>;

/// One version of an object: a value, its vector clock, and the virtual time its
/// coordinator wrote it (used only by last-write-wins). A version never changes once
/// written, so replicas, messages and replies share one copy: passing it on copies a
/// pointer.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Version(Rc<VersionData>);

/// What a [`Version`] holds.
#[derive(PartialEq, Eq, Hash)]
pub struct VersionData {
    pub value: Value,
    pub clock: VectorClock,
    pub written_at: Time,
}

impl Version {
    /// A new version of an object.
    pub fn new(value: Value, clock: VectorClock, written_at: Time) -> Version {
        Version(Rc::new(VersionData { value, clock, written_at }))
    }
}

impl Deref for Version {
    type Target = VersionData;
    fn deref(&self) -> &VersionData {
        &self.0
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.0;
        f.debug_struct("Version")
            .field("value", &v.value)
            .field("clock", &v.clock)
            .field("written_at", &v.written_at)
            .finish()
    }
}

/// How a replica reconciles versions of one key (§4.4, §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reconciliation {
    /// Keep causally unrelated versions as siblings; the client merges them (the default).
    #[default]
    Siblings,
    /// Keep only the version with the latest timestamp ("last write wins").
    LastWriteWins,
}

impl Version {
    /// A total order used to pick one of two versions deterministically: by write time,
    /// then value, then the clocks' (node, counter) pairs.
    fn precedence(&self, other: &Version) -> Ordering {
        let (mine, theirs) = (self.clock.entries(), other.clock.entries());
        (self.written_at, &*self.value).cmp(&(other.written_at, &*other.value)).then_with(|| {
            mine.map(|(node, e)| (node, e.counter)).cmp(theirs.map(|(node, e)| (node, e.counter)))
        })
    }
}

/// Adds `incoming` to the versions a replica holds for one key, reconciling as `policy`
/// says. Returns whether anything changed (false when `incoming` was already known or is
/// an ancestor of a version held).
pub fn add_version(held: &mut Versions, incoming: Version, policy: Reconciliation) -> bool {
    match policy {
        Reconciliation::Siblings => add_sibling(held, incoming),
        Reconciliation::LastWriteWins => add_last_write(held, incoming),
    }
}

/// Syntactic reconciliation (§4.4): drop versions that `incoming` descends from; drop
/// `incoming` if a held version descends from it; keep concurrent ones as siblings.
fn add_sibling(held: &mut Versions, incoming: Version) -> bool {
    // The same version again (replicas share one copy): nothing to compare.
    if held.iter().any(|v| Rc::ptr_eq(&v.0, &incoming.0)) {
        return false;
    }
    for existing in held.iter() {
        match incoming.clock.compare(&existing.clock) {
            Causality::DescendedBy => return false,
            // Two versions with the same clock: keep one, the same one whatever the order.
            Causality::Equal if existing.precedence(&incoming).is_ge() => return false,
            Causality::Equal | Causality::Descends | Causality::Concurrent => {}
        }
    }
    held.retain(|v| !incoming.clock.descends(&v.clock));
    held.push(incoming);
    sort_siblings(held);
    true
}

/// Last write wins (§6.1): keep only the version with the latest timestamp.
fn add_last_write(held: &mut Versions, incoming: Version) -> bool {
    if held.iter().any(|v| v.precedence(&incoming).is_ge()) {
        return false;
    }
    held.clear();
    held.push(incoming);
    true
}

/// Reconciles any collection of versions (for instance the replies a get gathered) into
/// the versions no other version descends from, in a deterministic order.
pub fn reconcile(
    versions: impl IntoIterator<Item = Version>,
    policy: Reconciliation,
) -> Vec<Version> {
    let mut held = Versions::new();
    for version in versions {
        add_version(&mut held, version, policy);
    }
    held.into_vec()
}

/// The context a client gets back from a get: the merge of the clocks it read (§4.1).
pub fn context_of(versions: &[Version]) -> VectorClock {
    let Some((first, rest)) = versions.split_first() else { return VectorClock::new() };
    let mut context = first.clock.clone();
    for v in rest {
        context.merge_in(&v.clock);
    }
    context
}

/// Siblings are kept oldest write first, so every replica shows them in the same order.
fn sort_siblings(held: &mut [Version]) {
    compact_sort::sort_unstable_by(held, |a, b| a.precedence(b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::NodeId;

    fn v(value: &str, pairs: &[(u32, u64)], at: Time) -> Version {
        let pairs: Vec<(NodeId, u64)> = pairs.iter().map(|&(n, c)| (NodeId(n), c)).collect();
        Version::new(value.into(), VectorClock::from_counters(&pairs, at), at)
    }

    #[test]
    fn descendant_replaces_ancestor() {
        let mut held = Versions::from_vec(vec![v("D1", &[(0, 1)], 1)]);
        assert!(add_version(&mut held, v("D2", &[(0, 2)], 2), Reconciliation::Siblings));
        assert_eq!(held.to_vec(), vec![v("D2", &[(0, 2)], 2)]);
        assert!(!add_version(&mut held, v("D1", &[(0, 1)], 1), Reconciliation::Siblings));
    }

    #[test]
    fn concurrent_versions_become_siblings_and_a_merge_replaces_both() {
        let d3 = v("D3", &[(0, 2), (1, 1)], 3);
        let d4 = v("D4", &[(0, 2), (2, 1)], 4);
        let held = reconcile([d4.clone(), d3.clone()], Reconciliation::Siblings);
        assert_eq!(held, vec![d3.clone(), d4.clone()]);
        assert_eq!(
            context_of(&held).counters(),
            vec![(NodeId(0).into(), 2), (NodeId(1).into(), 1), (NodeId(2).into(), 1)]
        );
        let d5 = v("D5", &[(0, 3), (1, 1), (2, 1)], 5);
        assert_eq!(reconcile([d3, d4, d5.clone()], Reconciliation::Siblings), vec![d5]);
    }

    #[test]
    fn equal_clocks_keep_one_version_whatever_the_order() {
        let a = v("a", &[(0, 1)], 1);
        let b = v("b", &[(0, 1)], 1);
        let ab = reconcile([a.clone(), b.clone()], Reconciliation::Siblings);
        let ba = reconcile([b, a], Reconciliation::Siblings);
        assert_eq!(ab, ba);
        assert_eq!(ab.len(), 1);
    }

    #[test]
    fn last_write_wins_keeps_the_latest_timestamp_only() {
        let d3 = v("D3", &[(0, 2), (1, 1)], 3);
        let d4 = v("D4", &[(0, 2), (2, 1)], 4);
        assert_eq!(
            reconcile([d4.clone(), d3.clone()], Reconciliation::LastWriteWins),
            vec![d4.clone()]
        );
        assert_eq!(reconcile([d3, d4.clone()], Reconciliation::LastWriteWins), vec![d4]);
    }
}
