//! Ring membership (§4.8.1): every node keeps the history of explicit join and leave
//! commands — who is in the ring and with which tokens — and reconciles it with its peers
//! by gossip. The token map every node routes with is derived from it.

use super::ring::{Position, Ring};
use super::NodeId;
use std::collections::BTreeMap;

/// Whether a node is in the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberStatus {
    Joined,
    Left,
}

/// What the membership history says about one node: its tokens and status, and the
/// version of that record (bumped by every administrator command about the node).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemberRecord {
    pub tokens: Vec<Position>,
    pub status: MemberStatus,
    pub version: u64,
}

/// A node's view of the ring's membership.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Membership {
    records: BTreeMap<NodeId, MemberRecord>,
}

impl Membership {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record, by node.
    pub fn records(&self) -> &BTreeMap<NodeId, MemberRecord> {
        &self.records
    }

    /// The record of one node, if known.
    pub fn record(&self, node: NodeId) -> Option<&MemberRecord> {
        self.records.get(&node)
    }

    /// The nodes currently in the ring.
    pub fn members(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.records.iter().filter(|(_, r)| r.status == MemberStatus::Joined).map(|(&n, _)| n)
    }

    /// Records a command about `node` (a join with tokens, or a leave), one version
    /// newer than what this view knew.
    pub fn set(&mut self, node: NodeId, tokens: Vec<Position>, status: MemberStatus) {
        let version = self.records.get(&node).map_or(1, |r| r.version + 1);
        self.records.insert(node, MemberRecord { tokens, status, version });
    }

    /// Copies one node's record as another view has it.
    pub fn put_record(&mut self, node: NodeId, record: MemberRecord) {
        self.records.insert(node, record);
    }

    /// Reconciles with a peer's view (§4.8.1): for each node the newer record wins.
    /// Returns whether this view changed.
    pub fn merge(&mut self, other: &Membership) -> bool {
        let mut changed = false;
        for (&node, theirs) in &other.records {
            let newer = self.records.get(&node).is_none_or(|mine| theirs.version > mine.version);
            if newer {
                self.records.insert(node, theirs.clone());
                changed = true;
            }
        }
        changed
    }

    /// The token map of the members (§4.2).
    pub fn ring(&self) -> Ring {
        let joined = self.records.iter().filter(|(_, r)| r.status == MemberStatus::Joined);
        Ring::from_tokens(
            joined.flat_map(|(&node, r)| r.tokens.iter().map(move |&t| (t, node))).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newer_record_wins_and_merge_converges() {
        let mut a = Membership::new();
        a.set(NodeId(0), vec![10], MemberStatus::Joined);
        a.set(NodeId(1), vec![20], MemberStatus::Joined);
        let mut b = a.clone();
        b.set(NodeId(1), vec![20], MemberStatus::Left); // version 2
        a.set(NodeId(2), vec![30], MemberStatus::Joined);
        assert!(a.merge(&b));
        assert!(b.merge(&a));
        assert_eq!(a, b);
        assert_eq!(a.members().collect::<Vec<_>>(), vec![NodeId(0), NodeId(2)]);
        assert_eq!(a.ring().tokens(), &[(10, NodeId(0)), (30, NodeId(2))]);
        assert!(!a.merge(&b), "nothing new");
    }
}
