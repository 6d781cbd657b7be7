//! Colours and shapes. Nodes take Paul Tol's colour-blind-safe "muted" palette. Messages
//! take the Okabe–Ito palette by *family* (writes, reads, failure detection, hinted
//! handoff, anti-entropy, gossip, transfers), none of them a node's colour, and their
//! *shape* tells the kinds of a family apart: a request is filled, its answer hollow, and
//! the special kinds (a hinted put, a repair, the keys of a Merkle exchange) have shapes of
//! their own. So no two kinds look alike, and colour is never the only clue.

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

/// A message's outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    Diamond,
    Triangle,
}

/// How a kind of message is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageStyle {
    /// Its family's colour.
    pub colour: &'static str,
    pub shape: Shape,
    /// Filled for a request, hollow (white inside, a thick edge) for an answer.
    pub filled: bool,
}

const WRITES: &str = "#0072B2"; // blue
const READS: &str = "#D55E00"; // vermillion
const FAILURES: &str = "#6B6B6B"; // grey
const HANDOFF: &str = "#E69F00"; // orange
const ANTI_ENTROPY: &str = "#000000"; // black
const GOSSIP: &str = "#009E73"; // bluish green
const TRANSFERS: &str = "#CC79A7"; // reddish purple

/// How a kind of message is drawn: its family's colour, its shape, filled or hollow.
pub fn message_style(kind: MsgKind) -> MessageStyle {
    use Shape::*;
    let (colour, shape, filled) = match kind {
        MsgKind::Forward => (WRITES, Triangle, true),
        MsgKind::ForwardReply => (WRITES, Triangle, false),
        MsgKind::Put => (WRITES, Circle, true),
        MsgKind::HintedPut => (WRITES, Diamond, true),
        MsgKind::PutAck => (WRITES, Circle, false),
        MsgKind::Repair => (WRITES, Square, true),
        MsgKind::Get => (READS, Circle, true),
        MsgKind::GetReply => (READS, Circle, false),
        MsgKind::Ping => (FAILURES, Circle, true),
        MsgKind::Pong => (FAILURES, Circle, false),
        MsgKind::Handoff => (HANDOFF, Diamond, true),
        MsgKind::HandoffAck => (HANDOFF, Diamond, false),
        MsgKind::MerkleHashes => (ANTI_ENTROPY, Square, true),
        MsgKind::MerkleKeys => (ANTI_ENTROPY, Diamond, true),
        MsgKind::Gossip => (GOSSIP, Circle, true),
        MsgKind::GossipReply => (GOSSIP, Circle, false),
        MsgKind::TransferOffer => (TRANSFERS, Triangle, true),
        MsgKind::TransferAccept => (TRANSFERS, Triangle, false),
        MsgKind::Transfer => (TRANSFERS, Square, true),
        MsgKind::TransferAck => (TRANSFERS, Square, false),
    };
    MessageStyle { colour, shape, filled }
}

/// The SVG path of a shape of radius `r` centred on the origin.
pub fn shape_path(shape: Shape, r: f64) -> String {
    match shape {
        Shape::Circle => {
            format!("M{},0 a{r},{r} 0 1,0 {},0 a{r},{r} 0 1,0 {},0 z", -r, 2.0 * r, -2.0 * r)
        }
        Shape::Square => {
            let s = r * 0.9;
            format!("M{},{} h{} v{} h{} z", -s, -s, 2.0 * s, 2.0 * s, -2.0 * s)
        }
        Shape::Diamond => {
            let s = r * 1.25;
            format!("M0,{} L{s},0 L0,{s} L{},0 z", -s, -s)
        }
        Shape::Triangle => {
            let s = r * 1.3;
            format!("M0,{} L{},{} L{},{} z", -s, s * 0.87, s * 0.5, -s * 0.87, s * 0.5)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_kinds_look_alike_and_none_takes_a_node_colour() {
        let styles: Vec<MessageStyle> = MsgKind::ALL.iter().map(|&k| message_style(k)).collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(!NODE_COLOURS.contains(&a.colour), "{a:?} is a node's colour");
            for b in &styles[i + 1..] {
                assert_ne!(a, b, "two kinds drawn alike");
            }
        }
    }
}
