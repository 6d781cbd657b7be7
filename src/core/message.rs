//! What crosses the network between nodes, and what a node hands back to its driver: the
//! client interface of §4.1 (`get`, `put`), the coordinator's requests and replies of §4.5,
//! the hints of §4.6, the Merkle exchange of §4.7 and the gossip of §4.8. A node never does
//! I/O: it returns [`Effect`]s (send, set a timer, answer a client) and the simulator
//! carries them out.

use super::clock::VectorClock;
use super::membership::Membership;
use super::merkle::{Hash, KeyRange};
use super::version::{Version, Versions};
use super::{Key, NodeId, Time, Value};
use std::rc::Rc;

/// A client operation, numbered by whoever drives the nodes (the simulator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub u64);

/// A request's number at its coordinator; replies carry it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReqId(pub u64);

impl super::accel::numbered_map::Numbered for ReqId {
    fn number(self) -> u64 {
        self.0
    }
    fn from_number(n: u64) -> Self {
        ReqId(n)
    }
}

/// A client's call on a node (§4.1).
#[derive(Clone, Debug, PartialEq)]
pub enum ClientRequest {
    /// `get(key)`.
    Get { op: OpId, key: Key },
    /// `put(key, context, object)`.
    Put { op: OpId, key: Key, value: Value, context: VectorClock },
}

/// A node's answer to a client.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientReply {
    /// The causally unrelated versions found, and the context to pass to the next put.
    Got { op: OpId, versions: Vec<Version>, context: VectorClock },
    /// The put succeeded: W replicas hold the new version, which `coordinator` stamped.
    Put { op: OpId, version: Version, coordinator: NodeId },
    /// The request failed (no quorum before the timeout, ...).
    Failed { op: OpId, error: String },
}

impl ClientReply {
    /// The operation this reply answers.
    pub fn op(&self) -> OpId {
        match self {
            ClientReply::Got { op, .. }
            | ClientReply::Put { op, .. }
            | ClientReply::Failed { op, .. } => *op,
        }
    }
}

/// A message between two nodes. The common ones are small (at most 40 bytes), so a
/// message on the wire fits one cache line; the rare large ones are boxed.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// A put received by a node outside the key's top N, passed on to a top-N node (§4.5).
    ForwardPut(Box<ForwardPut>),
    /// The coordinator's answer to a forwarded put, for the node that forwarded it.
    ForwardReply { req: ReqId, reply: Box<ClientReply> },
    /// Coordinator → replica: store this version (§4.5). With a hint, the receiver is a
    /// stand-in for the node named, and keeps the version in its hint store (§4.6).
    Put { req: ReqId, key: Key, version: Version, hint: Option<NodeId> },
    /// Replica → coordinator: stored.
    PutAck { req: ReqId },
    /// Coordinator → replica: send me your versions of `key` (§4.5).
    Get { req: ReqId, key: Key },
    /// Replica → coordinator: the versions held.
    GetReply { req: ReqId, versions: Versions },
    /// Coordinator → stale replica: the reconciled versions, after a get (read repair, §5).
    Repair { key: Key, versions: Vec<Version> },
    /// Are you there? (to a peer believed down, §4.8.3)
    Ping,
    /// Yes.
    Pong,
    /// Stand-in → owner: a hinted replica, handed back (§4.6).
    Handoff { key: Key, versions: Vec<Version> },
    /// Owner → stand-in: stored; the hint may go.
    HandoffAck { key: Key, versions: Vec<Version> },
    /// Anti-entropy (§4.7): my hashes for these nodes of the range's Merkle tree (the
    /// root alone to start); compare them with yours.
    SyncHashes(Box<SyncHashes>),
    /// Anti-entropy: the keys I hold under these differing leaves.
    SyncKeys(Box<SyncKeys>),
    /// Gossip (§4.8.1): my membership history; reconcile it with yours and send me yours.
    Gossip { membership: Rc<Membership> },
    /// The reconciled history, back to the node that started the exchange.
    GossipReply { membership: Rc<Membership> },
    /// Bootstrapping (§4.9): after a membership change these keys of mine (with the clocks
    /// of the versions I hold) now belong on your node too; which do you still need? The
    /// sender's membership history rides along, so that the receiver judges the keys by
    /// the ring the sender saw (else a receiver that gossip has not reached yet would not
    /// count itself their replica, and the sender would keep a copy it no longer owns).
    TransferOffer { transfer: u64, keys: Vec<(Key, Vec<VectorClock>)>, membership: Rc<Membership> },
    /// The confirmation round: send me these keys.
    TransferAccept(Box<TransferAccept>),
    /// The keys themselves.
    Transfer { transfer: u64, entries: Vec<(Key, Vec<Version>)> },
    /// These keys of the transfer are stored here.
    TransferAck(Box<TransferAck>),
}

/// A put passed on by a node outside the key's top N (§4.5): the client's call, and the
/// forwarding node's number for it (`req`), sent back with the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardPut {
    pub req: ReqId,
    pub op: OpId,
    pub key: Key,
    pub value: Value,
    pub context: VectorClock,
}

/// My hashes for these nodes of the range's Merkle tree (§4.7).
#[derive(Clone, Debug, PartialEq)]
pub struct SyncHashes {
    pub range: KeyRange,
    pub hashes: Vec<(u32, Hash)>,
}

/// The keys I hold under these differing leaves of the range's tree (§4.7). `reply`:
/// send me yours for the same leaves.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncKeys {
    pub range: KeyRange,
    pub leaves: Vec<u32>,
    pub entries: Vec<(Key, Vec<Version>)>,
    pub reply: bool,
}

/// Send me `keys`; `have` I already hold (keys another node is sending are confirmed
/// later, once they arrive). `mine`: those of `have` this node replicates, as it sees
/// the ring (§4.9).
#[derive(Clone, Debug, PartialEq)]
pub struct TransferAccept {
    pub transfer: u64,
    pub keys: Vec<Key>,
    pub have: Vec<Key>,
    pub mine: Vec<Key>,
}

/// These keys of the transfer are stored here: the sender may drop those it no longer
/// replicates. `mine`: those of `keys` this node replicates, as it sees the ring; only
/// for these may the sender drop its own copy (if it does not replicate them itself).
#[derive(Clone, Debug, PartialEq)]
pub struct TransferAck {
    pub transfer: u64,
    pub keys: Vec<Key>,
    pub mine: Vec<Key>,
}

/// The kinds of message, for the trace and for colouring them in the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MsgKind {
    Forward,
    ForwardReply,
    Put,
    HintedPut,
    PutAck,
    Get,
    GetReply,
    Repair,
    Ping,
    Pong,
    Handoff,
    HandoffAck,
    MerkleHashes,
    MerkleKeys,
    Gossip,
    GossipReply,
    TransferOffer,
    TransferAccept,
    Transfer,
    TransferAck,
}

impl MsgKind {
    /// The short lowercase name shown in the trace and the UI.
    pub fn label(self) -> &'static str {
        match self {
            MsgKind::Forward => "forward",
            MsgKind::ForwardReply => "forward-reply",
            MsgKind::Put => "put",
            MsgKind::HintedPut => "hinted put",
            MsgKind::PutAck => "put-ack",
            MsgKind::Get => "get",
            MsgKind::GetReply => "get-reply",
            MsgKind::Repair => "repair",
            MsgKind::Ping => "ping",
            MsgKind::Pong => "pong",
            MsgKind::Handoff => "hint handoff",
            MsgKind::HandoffAck => "handoff-ack",
            MsgKind::MerkleHashes => "merkle",
            MsgKind::MerkleKeys => "merkle keys",
            MsgKind::Gossip => "gossip",
            MsgKind::GossipReply => "gossip-reply",
            MsgKind::TransferOffer => "transfer offer",
            MsgKind::TransferAccept => "transfer accept",
            MsgKind::Transfer => "transfer",
            MsgKind::TransferAck => "transfer-ack",
        }
    }

    /// Every kind, in a fixed order (for legends and filters).
    pub const ALL: [MsgKind; 20] = [
        MsgKind::Forward,
        MsgKind::ForwardReply,
        MsgKind::Put,
        MsgKind::HintedPut,
        MsgKind::PutAck,
        MsgKind::Get,
        MsgKind::GetReply,
        MsgKind::Repair,
        MsgKind::Ping,
        MsgKind::Pong,
        MsgKind::Handoff,
        MsgKind::HandoffAck,
        MsgKind::MerkleHashes,
        MsgKind::MerkleKeys,
        MsgKind::Gossip,
        MsgKind::GossipReply,
        MsgKind::TransferOffer,
        MsgKind::TransferAccept,
        MsgKind::Transfer,
        MsgKind::TransferAck,
    ];
}

impl Msg {
    /// This message's kind.
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::ForwardPut(_) => MsgKind::Forward,
            Msg::ForwardReply { .. } => MsgKind::ForwardReply,
            Msg::Put { hint: None, .. } => MsgKind::Put,
            Msg::Put { hint: Some(_), .. } => MsgKind::HintedPut,
            Msg::PutAck { .. } => MsgKind::PutAck,
            Msg::Get { .. } => MsgKind::Get,
            Msg::GetReply { .. } => MsgKind::GetReply,
            Msg::Repair { .. } => MsgKind::Repair,
            Msg::Ping => MsgKind::Ping,
            Msg::Pong => MsgKind::Pong,
            Msg::Handoff { .. } => MsgKind::Handoff,
            Msg::HandoffAck { .. } => MsgKind::HandoffAck,
            Msg::SyncHashes(_) => MsgKind::MerkleHashes,
            Msg::SyncKeys(_) => MsgKind::MerkleKeys,
            Msg::Gossip { .. } => MsgKind::Gossip,
            Msg::GossipReply { .. } => MsgKind::GossipReply,
            Msg::TransferOffer { .. } => MsgKind::TransferOffer,
            Msg::TransferAccept(_) => MsgKind::TransferAccept,
            Msg::Transfer { .. } => MsgKind::Transfer,
            Msg::TransferAck(_) => MsgKind::TransferAck,
        }
    }

    /// The key the message is about, when it names one.
    pub fn key(&self) -> Option<&Key> {
        match self {
            Msg::ForwardPut(f) => Some(&f.key),
            Msg::Put { key, .. }
            | Msg::Get { key, .. }
            | Msg::Repair { key, .. }
            | Msg::Handoff { key, .. }
            | Msg::HandoffAck { key, .. } => Some(key),
            Msg::ForwardReply { .. }
            | Msg::PutAck { .. }
            | Msg::GetReply { .. }
            | Msg::Ping
            | Msg::Pong
            | Msg::SyncHashes(_)
            | Msg::SyncKeys(_)
            | Msg::Gossip { .. }
            | Msg::GossipReply { .. }
            | Msg::TransferOffer { .. }
            | Msg::TransferAccept(_)
            | Msg::Transfer { .. }
            | Msg::TransferAck(_) => None,
        }
    }
}

/// A timer a node asks for; it comes back through `Node::on_timer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// The request has waited long enough for its quorum.
    RequestTimeout(ReqId),
    /// Replicas that have not answered by now are treated as down; with a sloppy quorum
    /// the next healthy nodes are tried instead (§4.6, §4.8.3).
    ReplicaTimeout(ReqId),
    /// A get's window for late replies is over: repair stale replicas (§5).
    ReadRepair(ReqId),
    /// Time to ping the peers believed down (§4.8.3).
    Probe,
    /// Time to hand hinted replicas back to their owners (§4.6).
    HintScan,
    /// Time to compare a key range with another replica (§4.7).
    AntiEntropy,
    /// Time to gossip membership with a random peer (§4.8.1).
    Gossip,
    /// Time to offer again the keys of transfers not yet confirmed (§4.9).
    TransferRetry,
}

impl Timer {
    /// A short description, for the trace and the UI.
    pub fn label(self) -> &'static str {
        match self {
            Timer::RequestTimeout(_) => "request timeout",
            Timer::ReplicaTimeout(_) => "replica timeout",
            Timer::ReadRepair(_) => "read-repair window over",
            Timer::Probe => "probe peers believed down",
            Timer::HintScan => "scan hinted replicas",
            Timer::AntiEntropy => "anti-entropy: compare a key range",
            Timer::Gossip => "gossip with a random peer",
            Timer::TransferRetry => "offer unconfirmed transfers again",
        }
    }
}

/// Something a node noticed that changes what it shows, recorded in the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The node now believes `peer` is down (it did not answer, §4.8.3).
    PeerDown(NodeId),
    /// `peer` answered again.
    PeerUp(NodeId),
    /// A hinted replica for `owner` was stored here (§4.6).
    HintStored { owner: NodeId, key: Key },
    /// A hinted replica was handed back to `owner` and deleted here.
    HintDelivered { owner: NodeId, key: Key },
    /// Anti-entropy found the range ending at `range_end` equal on this node and `peer`
    /// at tree level `level` (0: the roots already matched).
    InSync { peer: NodeId, range_end: super::ring::Position, level: u8 },
    /// Anti-entropy brought `keys` keys from `peer`, of which `changed` were news here.
    KeysReceived { peer: NodeId, keys: u32, changed: u32 },
    /// This node's view of the ring changed (gossip or a command): `members` nodes now.
    RingChanged { members: u32 },
    /// `to` confirmed it holds `keys` keys this node offered it after a membership change
    /// (§4.9); `dropped` of them this node no longer replicates, and it deleted its copies.
    KeysHandedOver { to: NodeId, keys: u32, dropped: u32 },
    /// `keys` keys were taken over from `from`.
    KeysTakenOver { from: NodeId, keys: u32 },
}

/// What a node wants done after handling an input.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Send `msg` to `to` over the network.
    Send { to: NodeId, msg: Msg },
    /// Call `on_timer(timer)` after `after` of virtual time.
    SetTimer { after: Time, timer: Timer },
    /// Answer a client.
    Reply(ClientReply),
    /// Record something the node noticed.
    Note(Note),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_fits_in_40_bytes() {
        // With its sender, receiver, arrival time and fate (18 bytes more), a message
        // waiting on the simulated wire fits one 64-byte cache line: the large rare
        // ones are boxed.
        assert!(std::mem::size_of::<Msg>() <= 40, "Msg is {} bytes", std::mem::size_of::<Msg>());
    }
}
