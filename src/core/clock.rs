//! Vector clocks (§4.4): a list of (node, counter) pairs that captures causality between
//! versions of one object.
//!
//! - A put's coordinator stamps the new version: the client's context with the
//!   coordinator's own counter bumped ([`VectorClock::increment`]; `Node::new_clock`).
//! - A clock *descends* another when each of the other's counters is `<=` its own: its
//!   version has seen the other and replaces it ([`VectorClock::descends`]).
//! - When neither descends the other the versions are concurrent: siblings, which a
//!   client reconciles ([`Causality::Concurrent`]).
//! - A get's context is the merge (pairwise maximum) of the clocks it returns.
//! - Truncation: past a threshold (about 10 in the paper) the oldest pair is dropped.
//!
//! Who stamps is an [`Actor`]: a node, in one life of its disk. The paper does not say
//! what a node's counters become when its disk is lost. A wiped node has forgotten the
//! counters it handed out; stamping under its old name it would hand them out again, and
//! a new write could get a clock that an older version's clock already descends: the new
//! write would be discarded as "seen". So a wiped node comes back as a new actor, written
//! `D#1` (Riak's nodes take a new actor id after losing their data, for this reason).
//!
//! Each pair also carries the virtual time its counter was last bumped: truncation drops
//! the pair bumped longest ago.

use super::{NodeId, Time};
use std::rc::Rc;

/// Who bumps a counter in a clock: a node in one life of its disk (its `epoch`, 0 until
/// its disk is first wiped). See the module's introduction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Actor {
    pub node: NodeId,
    pub epoch: u32,
}

impl Actor {
    /// `node` in its `epoch`th life (0: it never lost its disk).
    pub fn new(node: NodeId, epoch: u32) -> Self {
        Actor { node, epoch }
    }

    /// How the actor is written: the node's name, then `#epoch` after a wipe (`D`, `D#1`).
    pub fn label(self, node_name: &str) -> String {
        match self.epoch {
            0 => node_name.to_string(),
            epoch => format!("{node_name}#{epoch}"),
        }
    }
}

/// A node that never lost its disk stamps under its own id.
impl From<NodeId> for Actor {
    fn from(node: NodeId) -> Self {
        Actor::new(node, 0)
    }
}

/// One (node, counter) pair, with the time the node last updated it (§4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockEntry {
    pub counter: u64,
    pub timestamp: Time,
}

/// How two clocks relate causally (§4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Causality {
    /// The same counters for every node.
    Equal,
    /// `self` has seen everything `other` has, and more: `other` is an ancestor.
    Descends,
    /// `other` has seen everything `self` has, and more: `self` is an ancestor.
    DescendedBy,
    /// Each has seen something the other has not: a conflict, kept as siblings.
    Concurrent,
}

/// A vector clock: counters per node, ordered by node so that iteration is deterministic.
/// (A short sorted list: clocks hold a handful of pairs, at most the truncation threshold.
/// Copies share the list until one of them changes, so copying a version into a message
/// costs nothing; a change writes a new list, unless the clock is the list's only user.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VectorClock {
    entries: Rc<[(Actor, ClockEntry)]>,
}

thread_local! {
    /// The one empty list every empty clock shares (a client's first put has one).
    static EMPTY: Rc<[(Actor, ClockEntry)]> = Rc::new([]);
}

impl Default for VectorClock {
    fn default() -> Self {
        VectorClock { entries: EMPTY.with(Rc::clone) }
    }
}

impl VectorClock {
    /// The empty clock: the context of a put that read nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock from (actor, counter) pairs, all stamped at `timestamp` (handy in tests).
    pub fn from_counters<A: Into<Actor> + Copy>(pairs: &[(A, u64)], timestamp: Time) -> Self {
        let mut clock = Self::new();
        for &(actor, counter) in pairs {
            if counter > 0 {
                clock.set(actor, counter, timestamp);
            }
        }
        clock
    }

    /// The counter of `actor`, zero when absent.
    pub fn counter(&self, actor: impl Into<Actor>) -> u64 {
        self.find(actor.into()).map_or(0, |i| self.entries[i].1.counter)
    }

    /// Where `actor`'s pair is in the list, if it has one.
    fn find(&self, actor: Actor) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&actor, |&(a, _)| a)
    }

    /// The (actor, entry) pairs in actor order.
    pub fn entries(&self) -> impl Iterator<Item = (Actor, ClockEntry)> + '_ {
        self.entries.iter().copied()
    }

    /// The (actor, counter) pairs in actor order, without timestamps.
    pub fn counters(&self) -> Vec<(Actor, u64)> {
        self.entries.iter().map(|&(n, e)| (n, e.counter)).collect()
    }

    /// Number of (node, counter) pairs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the clock has no pairs.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets `actor`'s counter (at least 1) and stamps it with `now`.
    pub fn set(&mut self, actor: impl Into<Actor>, counter: u64, now: Time) {
        assert!(counter > 0, "a clock entry's counter starts at 1");
        let (actor, entry) = (actor.into(), ClockEntry { counter, timestamp: now });
        match self.find(actor) {
            Ok(i) => self.replace(i, entry),
            Err(i) => self.insert(i, (actor, entry)),
        }
    }

    /// Sets the entry at `i` (in place if no other clock shares the list).
    fn replace(&mut self, i: usize, entry: ClockEntry) {
        match Rc::get_mut(&mut self.entries) {
            Some(entries) => entries[i].1 = entry,
            None => {
                let pairs = self.entries.iter().enumerate();
                self.entries =
                    pairs.map(|(j, &(node, e))| (node, if j == i { entry } else { e })).collect();
            }
        }
    }

    /// Inserts a pair at `i`, keeping the list sorted (a new list: one allocation).
    fn insert(&mut self, i: usize, pair: (Actor, ClockEntry)) {
        let (before, after) = self.entries.split_at(i);
        self.entries = before
            .iter()
            .copied()
            .chain(std::iter::once(pair))
            .chain(after.iter().copied())
            .collect();
    }

    /// The coordinator's step for a new version: bump its own counter (§4.4).
    pub fn increment(&mut self, actor: impl Into<Actor>, now: Time) {
        let actor = actor.into();
        let next = self.counter(actor) + 1;
        self.set(actor, next, now);
    }

    /// Whether `self` has seen everything `other` has: every counter of `other` is `<=`
    /// the matching counter of `self` (§4.4).
    pub fn descends(&self, other: &VectorClock) -> bool {
        other.entries.iter().all(|&(actor, e)| self.counter(actor) >= e.counter)
    }

    /// Compares two clocks causally (§4.4).
    pub fn compare(&self, other: &VectorClock) -> Causality {
        match (self.descends(other), other.descends(self)) {
            (true, true) => Causality::Equal,
            (true, false) => Causality::Descends,
            (false, true) => Causality::DescendedBy,
            (false, false) => Causality::Concurrent,
        }
    }

    /// The least clock that descends both: the pairwise maximum (§4.4).
    pub fn merge(&self, other: &VectorClock) -> VectorClock {
        let mut merged = self.clone();
        merged.merge_in(other);
        merged
    }

    /// Merges `other` into `self` in place (pairwise maximum of counters and timestamps).
    /// (The list is copied only if something changes.)
    pub fn merge_in(&mut self, other: &VectorClock) {
        if Rc::ptr_eq(&self.entries, &other.entries) {
            return;
        }
        for &(actor, theirs) in other.entries.iter() {
            match self.find(actor) {
                Ok(i) => {
                    let mine = self.entries[i].1;
                    if mine.counter >= theirs.counter && mine.timestamp >= theirs.timestamp {
                        continue;
                    }
                    let merged = ClockEntry {
                        counter: mine.counter.max(theirs.counter),
                        timestamp: mine.timestamp.max(theirs.timestamp),
                    };
                    self.replace(i, merged);
                }
                Err(i) => self.insert(i, (actor, theirs)),
            }
        }
    }

    /// Clock truncation (§4.4): while there are more than `threshold` pairs, drop the one
    /// with the oldest timestamp (ties: the lowest actor). Returns how many were dropped.
    pub fn truncate(&mut self, threshold: usize) -> usize {
        let mut dropped = 0;
        while self.entries.len() > threshold {
            let oldest = (0..self.entries.len())
                .min_by_key(|&i| (self.entries[i].1.timestamp, self.entries[i].0))
                .expect("a clock longer than the threshold has entries");
            self.entries = self
                .entries
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != oldest)
                .map(|(_, &p)| p)
                .collect();
            dropped += 1;
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: NodeId = NodeId(0);
    const Y: NodeId = NodeId(1);
    const Z: NodeId = NodeId(2);

    fn vc(pairs: &[(NodeId, u64)]) -> VectorClock {
        VectorClock::from_counters(pairs, 0)
    }

    #[test]
    fn figure_3_clocks_compare_as_in_the_paper() {
        let d2 = vc(&[(X, 2)]);
        let d3 = vc(&[(X, 2), (Y, 1)]);
        let d4 = vc(&[(X, 2), (Z, 1)]);
        assert_eq!(d3.compare(&d2), Causality::Descends);
        assert_eq!(d2.compare(&d3), Causality::DescendedBy);
        assert_eq!(d3.compare(&d4), Causality::Concurrent);
        let mut d5 = d3.merge(&d4);
        d5.increment(X, 5);
        assert_eq!(d5.counters(), vec![(X.into(), 3), (Y.into(), 1), (Z.into(), 1)]);
        assert_eq!(d5.compare(&d3), Causality::Descends);
        assert_eq!(d5.compare(&d4), Causality::Descends);
    }

    #[test]
    fn a_wiped_nodes_new_identity_is_concurrent_with_its_old_counters() {
        let (x, x_after_wipe) = (Actor::from(X), Actor::new(X, 1));
        let before = vc(&[(X, 2)]);
        let after = VectorClock::from_counters(&[(x_after_wipe, 1)], 0);
        assert_eq!(after.compare(&before), Causality::Concurrent);
        assert_eq!(before.merge(&after).counters(), vec![(x, 2), (x_after_wipe, 1)]);
        assert_eq!((x.label("Sx"), x_after_wipe.label("Sx")), ("Sx".into(), "Sx#1".into()));
    }

    #[test]
    fn a_zero_counter_is_no_entry() {
        let clock = VectorClock::from_counters(&[(X, 0), (Y, 1)], 0);
        assert_eq!(clock.counters(), vec![(Y.into(), 1)]);
        assert_eq!(clock.len(), 1);
    }

    #[test]
    fn empty_clock_is_an_ancestor_of_everything() {
        assert_eq!(VectorClock::new().compare(&vc(&[(X, 1)])), Causality::DescendedBy);
        assert_eq!(VectorClock::new().compare(&VectorClock::new()), Causality::Equal);
    }

    #[test]
    fn truncation_drops_the_oldest_pairs() {
        let mut clock = VectorClock::new();
        for i in 0..12u32 {
            clock.set(NodeId(i), 1, 100 + u64::from(i));
        }
        assert_eq!(clock.truncate(10), 2);
        assert_eq!(clock.len(), 10);
        assert_eq!(clock.counter(NodeId(0)), 0);
        assert_eq!(clock.counter(NodeId(1)), 0);
        assert_eq!(clock.counter(NodeId(2)), 1);
    }
}
