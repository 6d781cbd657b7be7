//! Colours: Paul Tol's colour-blind-safe palettes, one for nodes and one for message kinds,
//! chosen so that neither is confused with the other on a projector.

use crate::core::message::MsgKind;

/// Node colours (Tol "muted"), by node index.
const NODE_COLOURS: [&str; 9] = [
    "#332288", "#117733", "#CC6677", "#88CCEE", "#999933", "#882255", "#44AA99", "#DDCC77",
    "#AA4499",
];

/// The colour of node number `index`.
pub fn node_colour(index: usize) -> &'static str {
    NODE_COLOURS[index % NODE_COLOURS.len()]
}

/// The colour of a message kind (Okabe–Ito).
pub fn message_colour(kind: MsgKind) -> &'static str {
    match kind {
        MsgKind::Put => "#0072B2",
        MsgKind::HintedPut => "#F0E442",
        MsgKind::PutAck => "#56B4E9",
        MsgKind::Get => "#D55E00",
        MsgKind::GetReply => "#E69F00",
        MsgKind::Forward | MsgKind::ForwardReply => "#CC79A7",
        MsgKind::Repair => "#009E73",
        MsgKind::Handoff | MsgKind::HandoffAck => "#F0E442",
        MsgKind::Ping | MsgKind::Pong => "#FFFFFF",
        MsgKind::MerkleHashes | MsgKind::MerkleKeys => "#000000",
        MsgKind::Gossip | MsgKind::GossipReply => "#999999",
        MsgKind::TransferOffer
        | MsgKind::TransferAccept
        | MsgKind::Transfer
        | MsgKind::TransferAck => "#882255",
    }
}
