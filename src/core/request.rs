//! Request coordination (§5): every client request becomes an explicit state machine at
//! its coordinator, which sends the requests, waits for replies and answers the client.

use super::message::OpId;
use super::version::{reconcile, Reconciliation, Version};
use super::{Key, NodeId};

/// A put at its coordinator: the new version is written locally and sent to the other
/// replicas; the client is answered once W replicas (the coordinator included) hold it.
#[derive(Clone, Debug, PartialEq)]
pub struct PutRequest {
    pub op: OpId,
    pub key: Key,
    pub version: Version,
    /// Replicas that hold the version so far, the coordinator first.
    pub acked: Vec<NodeId>,
    /// The write quorum.
    pub w: usize,
}

impl PutRequest {
    /// Whether W replicas hold the version.
    pub fn has_quorum(&self) -> bool {
        self.acked.len() >= self.w
    }

    /// Records an acknowledgement. Returns true when this ack completes the quorum.
    pub fn on_ack(&mut self, from: NodeId) -> bool {
        if self.acked.contains(&from) {
            return false;
        }
        let had_quorum = self.has_quorum();
        self.acked.push(from);
        !had_quorum && self.has_quorum()
    }
}

/// Where a get is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetPhase {
    /// Waiting for R replies.
    Collecting,
    /// The client has its answer; late replies are still gathered for read repair (§5).
    Answered,
}

/// A get at its coordinator: asks the N replicas, answers after R replies with every
/// causally unrelated version, then repairs replicas that sent stale data.
#[derive(Clone, Debug, PartialEq)]
pub struct GetRequest {
    pub op: OpId,
    pub key: Key,
    /// The replicas asked.
    pub replicas: Vec<NodeId>,
    /// (replica, versions it holds), in arrival order.
    pub replies: Vec<(NodeId, Vec<Version>)>,
    /// The read quorum.
    pub r: usize,
    pub phase: GetPhase,
}

impl GetRequest {
    /// Records a reply. Returns true when this reply completes the read quorum.
    pub fn on_reply(&mut self, from: NodeId, versions: Vec<Version>) -> bool {
        if self.replies.iter().any(|(n, _)| *n == from) {
            return false;
        }
        self.replies.push((from, versions));
        self.phase == GetPhase::Collecting && self.replies.len() >= self.r
    }

    /// Every causally unrelated version among the replies so far.
    pub fn reconciled(&self, policy: Reconciliation) -> Vec<Version> {
        reconcile(self.replies.iter().flat_map(|(_, vs)| vs.iter().cloned()), policy)
    }

    /// Replicas whose reply lacks something of `reconciled`: they need a read repair.
    pub fn stale_replicas(&self, reconciled: &[Version]) -> Vec<NodeId> {
        self.replies.iter().filter(|(_, held)| held.as_slice() != reconciled).map(|(n, _)| *n).collect()
    }
}

/// A request in flight at its coordinator.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Put(PutRequest),
    Get(GetRequest),
}
