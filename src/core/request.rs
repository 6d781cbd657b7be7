//! Request coordination (§4.5, §5): every client request becomes an explicit state machine
//! at its coordinator, which sends the requests, waits for replies and answers the client.
//!
//! - A put is sent to the key's N replicas ([`choose_targets`]) and succeeds once W of
//!   them, the coordinator included, hold the new version ([`PutRequest::on_ack`]).
//! - A get asks the N replicas and answers once R have replied, with every causally
//!   unrelated version among the replies ([`GetRequest::on_reply`]); replicas that sent
//!   something stale are repaired afterwards ([`GetRequest::stale_replicas`]).
//! - With R + W > N every read quorum meets every write quorum; with a sloppy quorum
//!   (§4.6) the N are the first N *healthy* nodes, and a stand-in keeps a hinted replica.

use super::config::Config;
use super::message::{ForwardPut, OpId, ReqId};
use super::version::{add_version, Reconciliation, Version, Versions};
use super::{Key, NodeId, NodeList, Time};
use smallvec::SmallVec;

/// The replies a get has gathered, kept in place (no allocation) up to three.
pub type Replies = SmallVec<[(NodeId, Versions); 3]>;

/// A request's replicas, kept in place (no allocation) up to four.
pub type Targets = SmallVec<[Target; 4]>;

/// A node a request was sent to, and whose replica it holds there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub node: NodeId,
    /// The top-N owner this node stands in for (§4.6); None when it is an owner itself.
    pub stands_in_for: Option<NodeId>,
}

/// The replicas of a request (§4.5, §4.6): the key's top N nodes; or, with a sloppy
/// quorum, the first N nodes of the preference list believed healthy, each stand-in
/// taking the place of a top-N owner believed down, in order.
pub fn choose_targets(
    list: &[NodeId],
    n: usize,
    sloppy: bool,
    is_down: impl Fn(NodeId) -> bool,
) -> Targets {
    let top_n = &list[..n.min(list.len())];
    if !sloppy {
        return top_n.iter().map(|&node| Target { node, stands_in_for: None }).collect();
    }
    let mut down_owners = top_n.iter().copied().filter(|&o| is_down(o));
    let targets: Targets = list
        .iter()
        .copied()
        .filter(|&node| !is_down(node))
        .take(n)
        .map(|node| Target {
            node,
            stands_in_for: if top_n.contains(&node) { None } else { down_owners.next() },
        })
        .collect();
    debug_assert!(targets.len() <= n, "a request goes to at most N nodes");
    debug_assert!(targets.iter().all(stands_in_for_another), "a stand-in is never its owner");
    targets
}

/// A target stands in for some other node, or for none (never for itself).
fn stands_in_for_another(target: &Target) -> bool {
    target.stands_in_for != Some(target.node)
}

/// With a sloppy quorum, who replaces a target that did not answer: the first node of
/// the preference list not yet used and not believed down, standing in for the same owner.
pub fn replacement(
    list: &[NodeId],
    n: usize,
    used: &[Target],
    failed: Target,
    is_down: impl Fn(NodeId) -> bool,
) -> Option<Target> {
    let top_n = &list[..n.min(list.len())];
    let node = list.iter().copied().find(|&c| !is_down(c) && used.iter().all(|t| t.node != c))?;
    let owner = failed.stands_in_for.unwrap_or(failed.node);
    // (After a ring change the owner itself may be found past the top N: no hint then.)
    let hinted = !top_n.contains(&node) && node != owner;
    let target = Target { node, stands_in_for: hinted.then_some(owner) };
    debug_assert!(stands_in_for_another(&target), "a stand-in is never its owner");
    Some(target)
}

/// After a replica timeout, with a sloppy quorum (§4.6): a replacement for each silent
/// target in turn ([`replacement`]), none used twice. Returns (the silent node, the target
/// that replaces it); a silent node with no healthy node left to replace it is not listed.
pub fn replacements(
    list: &[NodeId],
    n: usize,
    mut used: Vec<Target>,
    silent: &[Target],
    is_down: impl Fn(NodeId) -> bool,
) -> Vec<(NodeId, Target)> {
    let mut replaced = Vec::new();
    for &failed in silent {
        if let Some(next) = replacement(list, n, &used, failed, &is_down) {
            used.push(next);
            replaced.push((failed.node, next));
        }
    }
    replaced
}

/// A put at its coordinator: the new version is written locally and sent to the other
/// replicas; the client is answered once W replicas (the coordinator included) hold it.
/// The request lives on until all N replicas hold it, so that a replica that does not
/// answer is noticed and, with a sloppy quorum, replaced by a stand-in (§4.6).
#[derive(Clone, Debug, PartialEq)]
pub struct PutRequest {
    pub op: OpId,
    pub key: Key,
    pub version: Version,
    /// The nodes it waits on: those sent the version (stand-ins included), less those a
    /// stand-in replaced. A late ack from a replaced node still counts: it holds the
    /// version.
    pub targets: Targets,
    /// Nodes that hold the version so far.
    pub acked: NodeList,
    /// The write quorum.
    pub w: usize,
    /// The node that forwarded the put and waits for the answer, with its number for the
    /// request (None: the client itself).
    pub reply_to: Option<(NodeId, ReqId)>,
}

impl PutRequest {
    /// Whether W replicas hold the version.
    pub fn has_quorum(&self) -> bool {
        self.acked.len() >= self.w
    }

    /// Records an acknowledgement. Returns true when this ack completes the quorum.
    pub fn on_ack(&mut self, from: NodeId) -> bool {
        if self.acked.contains(&from) {
            return false; // an ack is counted once
        }
        let had_quorum = self.has_quorum();
        self.acked.push(from);
        !had_quorum && self.has_quorum()
    }

    /// Targets that have not acknowledged yet.
    pub fn silent(&self) -> Targets {
        self.targets.iter().copied().filter(|t| !self.acked.contains(&t.node)).collect()
    }

    /// Whether every target holds the version: nothing left to wait for.
    pub fn is_complete(&self) -> bool {
        self.targets.iter().all(|t| self.acked.contains(&t.node))
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

/// A get at its coordinator: asks N replicas, answers after R replies with every
/// causally unrelated version, then repairs replicas that sent stale data.
#[derive(Clone, Debug, PartialEq)]
pub struct GetRequest {
    pub op: OpId,
    pub key: Key,
    /// The key's top N nodes: its owners, the only ones read repair writes to.
    pub owners: NodeList,
    /// The nodes it waits on: those asked, stand-ins included, less those a stand-in
    /// replaced.
    pub targets: Targets,
    /// How many nodes were asked in all: the targets and the nodes stand-ins replaced
    /// for being slow (a reply from one may still come, and counts if it does).
    pub asked: u32,
    /// (replica, versions it holds), in arrival order (up to three kept in place).
    pub replies: Replies,
    /// The read quorum.
    pub r: usize,
    pub phase: GetPhase,
    /// How versions are reconciled, and every causally unrelated version among the
    /// replies so far (reconciled as each reply arrives).
    pub policy: Reconciliation,
    pub merged: Versions,
}

impl GetRequest {
    /// Records a reply. Returns true when this reply completes the read quorum.
    pub fn on_reply(&mut self, from: NodeId, versions: Versions) -> bool {
        if self.replies.iter().any(|(n, _)| *n == from) {
            return false; // a reply is counted once
        }
        for version in &versions {
            add_version(&mut self.merged, version.clone(), self.policy);
        }
        self.replies.push((from, versions));
        self.phase == GetPhase::Collecting && self.replies.len() >= self.r
    }

    /// Targets that have not replied yet.
    pub fn silent(&self) -> Targets {
        self.targets
            .iter()
            .copied()
            .filter(|t| self.replies.iter().all(|(n, _)| *n != t.node))
            .collect()
    }

    /// Whether every node asked (replaced ones too) has replied: no reply is outstanding.
    /// (Only nodes asked reply, once each.)
    pub fn all_replied(&self) -> bool {
        self.replies.len() >= self.asked as usize
    }

    /// Every causally unrelated version among the replies so far.
    pub fn reconciled(&self) -> Vec<Version> {
        self.merged.to_vec()
    }

    /// Owners whose reply lacks something of `reconciled`: they need a read repair.
    pub fn stale_replicas(&self, reconciled: &[Version]) -> Vec<NodeId> {
        self.replies
            .iter()
            .filter(|(n, held)| self.owners.contains(n) && held.as_slice() != reconciled)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// A put this node passed on to a coordinator, waiting for its answer (§4.5). It keeps
/// the put: if the coordinator stays silent, the put goes to the next healthy top-N node
/// once (§4.5, §4.8.3), within the client's patience.
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardedPut {
    pub to: NodeId,
    pub put: Box<ForwardPut>,
    /// Whether this is already the second coordinator tried.
    pub retried: bool,
}

impl ForwardedPut {
    /// How long to wait for a coordinator's answer: a live one answers within its own
    /// request timeout (success or failure), plus the round trip, which the replica
    /// timeout covers.
    pub fn patience(config: &Config) -> Time {
        config.request_timeout + config.replica_timeout
    }
}

/// A request in flight at the node handling it. Puts and gets are boxed, so that the
/// table of requests holds a pointer for them and a forwarded put in place.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Put(Box<PutRequest>),
    Get(Box<GetRequest>),
    Forwarded(ForwardedPut),
}

impl Request {
    /// The client operation this request serves.
    pub fn op(&self) -> OpId {
        match self {
            Request::Put(put) => put.op,
            Request::Get(get) => get.op,
            Request::Forwarded(forwarded) => forwarded.put.op,
        }
    }

    /// The key of a put or a get (None for a forwarded put, which has no replicas).
    pub fn key(&self) -> Option<&Key> {
        match self {
            Request::Put(put) => Some(&put.key),
            Request::Get(get) => Some(&get.key),
            Request::Forwarded(_) => None,
        }
    }

    /// The targets that have not answered yet (none for a forwarded put).
    pub fn silent(&self) -> Targets {
        match self {
            Request::Put(put) => put.silent(),
            Request::Get(get) => get.silent(),
            Request::Forwarded(_) => Targets::new(),
        }
    }

    /// Whether a silent target is replaced by a stand-in (§4.6): always for a put, which
    /// wants every replica written; for a get only while it waits for R replies.
    pub fn wants_stand_ins(&self) -> bool {
        match self {
            Request::Put(_) => true,
            Request::Get(get) => get.phase == GetPhase::Collecting,
            Request::Forwarded(_) => false,
        }
    }

    /// Every node the request has used, answered or not, including those it gave up on:
    /// a replacement is never one of them.
    pub fn used(&self) -> Vec<Target> {
        let (targets, answered): (&[Target], Vec<NodeId>) = match self {
            Request::Put(put) => (&put.targets, put.acked.to_vec()),
            Request::Get(get) => (&get.targets, get.replies.iter().map(|(n, _)| *n).collect()),
            Request::Forwarded(_) => return Vec::new(),
        };
        let mut used = targets.to_vec();
        used.extend(answered.into_iter().map(|node| Target { node, stands_in_for: None }));
        used
    }

    /// Waits on `target` instead of the silent `failed` (a get counts one more node asked:
    /// the silent one may still reply).
    pub fn retarget(&mut self, failed: NodeId, target: Target) {
        let targets = match self {
            Request::Put(put) => &mut put.targets,
            Request::Get(get) => {
                get.asked += 1;
                &mut get.targets
            }
            Request::Forwarded(_) => return,
        };
        debug_assert!(targets.iter().all(|t| t.node != target.node), "a replacement is new");
        targets.retain(|t| t.node != failed);
        targets.push(target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn n(i: u32) -> NodeId {
        NodeId(i)
    }

    #[test]
    fn a_replacement_from_the_top_n_is_an_owner_and_carries_no_hint() {
        // B was down: D stood in for it and E for C. E is silent; B is back.
        let list = [n(0), n(1), n(2), n(3), n(4), n(5)];
        let target = |node, owner| Target { node: n(node), stands_in_for: owner };
        let used = [target(0, None), target(3, Some(n(1))), target(4, Some(n(2)))];
        let next = replacement(&list, 3, &used, used[2], |x| x == n(2)).unwrap();
        assert_eq!(next, target(1, None), "B replicates the key itself");
        // Nobody of the top N is free: the next spare stands in for C.
        let next = replacement(&list, 3, &used, used[2], |x| x == n(1) || x == n(2)).unwrap();
        assert_eq!(next, target(5, Some(n(2))));
    }

    #[test]
    fn a_target_standing_in_for_itself_is_caught() {
        let target = |owner| Target { node: n(3), stands_in_for: owner };
        assert!(stands_in_for_another(&target(None)));
        assert!(stands_in_for_another(&target(Some(n(1)))));
        assert!(!stands_in_for_another(&target(Some(n(3)))));
    }

    #[test]
    fn strict_quorum_takes_the_top_n_whatever_their_health() {
        let list = [n(0), n(1), n(2), n(3), n(4)];
        let t = choose_targets(&list, 3, false, |x| x == n(1));
        assert_eq!(t.iter().map(|t| t.node).collect::<Vec<_>>(), vec![n(0), n(1), n(2)]);
        assert!(t.iter().all(|t| t.stands_in_for.is_none()));
    }

    #[test]
    fn sloppy_quorum_takes_the_first_n_healthy_with_hints_for_the_owners_skipped() {
        let list = [n(0), n(1), n(2), n(3), n(4)];
        let t = choose_targets(&list, 3, true, |x| x == n(1) || x == n(2));
        assert_eq!(
            t.to_vec(),
            vec![
                Target { node: n(0), stands_in_for: None },
                Target { node: n(3), stands_in_for: Some(n(1)) },
                Target { node: n(4), stands_in_for: Some(n(2)) },
            ]
        );
    }

    #[test]
    fn a_replacement_stands_in_for_the_same_owner() {
        let list = [n(0), n(1), n(2), n(3), n(4)];
        let used = choose_targets(&list, 3, true, |x| x == n(1));
        let failed = used[1]; // n(2), an owner
        let r = replacement(&list, 3, &used, failed, |x| x == n(1) || x == n(2)).unwrap();
        assert_eq!(r, Target { node: n(4), stands_in_for: Some(n(2)) });
        let failed_stand_in = used[2]; // n(3) standing in for n(1)
        let r = replacement(&list, 3, &used, failed_stand_in, |x| x == n(1) || x == n(3)).unwrap();
        assert_eq!(r, Target { node: n(4), stands_in_for: Some(n(1)) });
    }

    #[test]
    fn silent_targets_are_replaced_in_turn_by_nodes_not_used_before() {
        // A and D (standing in for B) are silent; C has answered; B and D are down.
        let list = [n(0), n(1), n(2), n(3), n(4), n(5)];
        let target = |node, owner| Target { node: n(node), stands_in_for: owner };
        let used = vec![target(0, None), target(3, Some(n(1))), target(2, None)];
        let silent = [used[0], used[1]];
        let down = |x| x == n(1) || x == n(3);
        let replaced = replacements(&list, 3, used.clone(), &silent, down);
        assert_eq!(replaced, vec![(n(0), target(4, Some(n(0)))), (n(3), target(5, Some(n(1))))]);
        // No healthy node left for the second: only the first is replaced.
        let replaced = replacements(&list, 3, used, &silent, |x| down(x) || x == n(5));
        assert_eq!(replaced, vec![(n(0), target(4, Some(n(0))))]);
    }

    #[test]
    fn a_retargeted_request_waits_on_the_replacement_and_a_get_counts_it_asked() {
        let list = [n(0), n(1), n(2), n(3)];
        let targets = choose_targets(&list, 3, true, |_| false);
        let mut get = Request::Get(Box::new(GetRequest {
            op: OpId(1),
            key: Key::new("k"),
            owners: list[..3].iter().copied().collect(),
            targets: targets.clone(),
            asked: 3,
            replies: Replies::new(),
            r: 2,
            phase: GetPhase::Collecting,
            policy: Reconciliation::Siblings,
            merged: Versions::new(),
        }));
        let Request::Get(g) = &mut get else { unreachable!() };
        g.on_reply(n(0), Versions::new());
        assert_eq!(get.silent().len(), 2);
        assert!(get.wants_stand_ins());
        let stand_in = Target { node: n(3), stands_in_for: Some(n(1)) };
        get.retarget(n(1), stand_in);
        let Request::Get(g) = &get else { unreachable!() };
        assert_eq!(g.asked, 4, "the silent node may still reply");
        assert_eq!(g.targets.iter().map(|t| t.node).collect::<Vec<_>>(), [n(0), n(2), n(3)]);
        let used: Vec<NodeId> = get.used().iter().map(|t| t.node).collect();
        assert_eq!(used, [n(0), n(2), n(3), n(0)], "targets, then those that answered");
        assert_eq!(get.key().map(|k| k.as_str()), Some("k"));
        let Request::Get(g) = &mut get else { unreachable!() };
        g.phase = GetPhase::Answered;
        assert!(!get.wants_stand_ins(), "an answered get needs no stand-ins");
    }
}
