//! What crosses the network between nodes, and what a node hands back to its driver.

use super::clock::VectorClock;
use super::version::Version;
use super::{Key, NodeId, Time, Value};

/// A client operation, numbered by whoever drives the nodes (the simulator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub u64);

/// A request's number at its coordinator; replies carry it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReqId(pub u64);

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
    /// The put succeeded: W replicas hold the new version.
    Put { op: OpId, version: Version },
    /// The request failed (no quorum before the timeout, ...).
    Failed { op: OpId, error: String },
}

impl ClientReply {
    /// The operation this reply answers.
    pub fn op(&self) -> OpId {
        match self {
            ClientReply::Got { op, .. } | ClientReply::Put { op, .. } | ClientReply::Failed { op, .. } => *op,
        }
    }
}

/// A message between two nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// A put received by a node outside the key's top N, passed on to a top-N node (§4.5).
    ForwardPut { op: OpId, key: Key, value: Value, context: VectorClock },
    /// Coordinator → replica: store this version (§4.5).
    Put { req: ReqId, key: Key, version: Version },
    /// Replica → coordinator: stored.
    PutAck { req: ReqId },
    /// Coordinator → replica: send me your versions of `key` (§4.5).
    Get { req: ReqId, key: Key },
    /// Replica → coordinator: the versions held.
    GetReply { req: ReqId, versions: Vec<Version> },
    /// Coordinator → stale replica: the reconciled versions, after a get (read repair, §5).
    Repair { key: Key, versions: Vec<Version> },
}

/// The kinds of message, for the trace and for colouring them in the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MsgKind {
    Forward,
    Put,
    PutAck,
    Get,
    GetReply,
    Repair,
}

impl MsgKind {
    /// The short lowercase name shown in the trace and the UI.
    pub fn label(self) -> &'static str {
        match self {
            MsgKind::Forward => "forward",
            MsgKind::Put => "put",
            MsgKind::PutAck => "put-ack",
            MsgKind::Get => "get",
            MsgKind::GetReply => "get-reply",
            MsgKind::Repair => "repair",
        }
    }

    /// Every kind, in a fixed order (for legends and filters).
    pub const ALL: [MsgKind; 6] =
        [MsgKind::Forward, MsgKind::Put, MsgKind::PutAck, MsgKind::Get, MsgKind::GetReply, MsgKind::Repair];
}

impl Msg {
    /// This message's kind.
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::ForwardPut { .. } => MsgKind::Forward,
            Msg::Put { .. } => MsgKind::Put,
            Msg::PutAck { .. } => MsgKind::PutAck,
            Msg::Get { .. } => MsgKind::Get,
            Msg::GetReply { .. } => MsgKind::GetReply,
            Msg::Repair { .. } => MsgKind::Repair,
        }
    }

    /// The key the message is about, when it names one.
    pub fn key(&self) -> Option<&Key> {
        match self {
            Msg::ForwardPut { key, .. } | Msg::Put { key, .. } | Msg::Get { key, .. } | Msg::Repair { key, .. } => {
                Some(key)
            }
            Msg::PutAck { .. } | Msg::GetReply { .. } => None,
        }
    }
}

/// A timer a node asks for; it comes back through `Node::on_timer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// The request has waited long enough for its quorum.
    RequestTimeout(ReqId),
    /// A get's window for late replies is over: repair stale replicas (§5).
    ReadRepair(ReqId),
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
}
