//! Consistent hashing (§4.2) and preference lists (§4.3).
//!
//! Keys and nodes live on one ring: the 128-bit output space of MD5, read as a big-endian
//! number that wraps around. Each physical node owns several *tokens* (virtual nodes); a
//! token owns the range from the previous token (exclusive) up to itself (inclusive).

use super::accel::ring_index::RingIndex;
use super::{NodeId, NodeList};
use crate::core::accel::compact_sort;
use md5::{Digest, Md5};
use std::cell::OnceCell;

/// A position on the ring: a 128-bit number, the same space as MD5(key).
pub type Position = u128;

/// The ring position of a key: MD5(key) read as a 128-bit big-endian number (§4.2).
/// (A [`super::Key`] works it out once and carries it.)
pub fn key_position(key: &str) -> Position {
    let digest = Md5::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest);
    u128::from_be_bytes(bytes)
}

/// A position as 32 hex digits, the way scenario files write tokens.
pub fn format_position(position: Position) -> String {
    format!("{position:032x}")
}

/// Parses a token written as exactly 32 hex digits.
pub fn parse_position(text: &str) -> Result<Position, String> {
    if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "token {text:?} is not a ring position: expected exactly 32 hex digits"
        ));
    }
    u128::from_str_radix(text, 16).map_err(|e| format!("token {text:?}: {e}"))
}

/// A position as a fraction of the way round the ring, in [0, 1), for drawing.
pub fn ring_fraction(position: Position) -> f64 {
    (position >> 64) as f64 / 18_446_744_073_709_551_616.0
}

/// The token map every node holds: which physical node owns each token (§4.2, §4.8).
#[derive(Clone, Debug, Default)]
pub struct Ring {
    /// (token, owner), sorted by token; tokens are unique.
    tokens: Vec<(Position, NodeId)>,
    /// Preference lists looked up rather than walked, once [`Ring::list_replicas_ahead`]
    /// made them (a speed-up only: the answers are the walk's).
    ahead: OnceCell<RingIndex>,
}

/// Two rings are equal when their tokens and owners are: the lists made ahead are only
/// a copy of what the tokens say.
impl PartialEq for Ring {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens
    }
}

impl Eq for Ring {}

impl Ring {
    /// An empty ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// A ring from (token, owner) pairs; a token given twice keeps its first owner.
    pub fn from_tokens(mut tokens: Vec<(Position, NodeId)>) -> Self {
        compact_sort::sort_unstable(&mut tokens);
        tokens.dedup_by_key(|&mut (t, _)| t);
        Ring { tokens, ahead: OnceCell::new() }
    }

    /// Adds a node's tokens. Panics if a token is already taken: callers validate first.
    pub fn add_node(&mut self, node: NodeId, tokens: &[Position]) {
        self.ahead = OnceCell::new();
        for &token in tokens {
            match self.tokens.binary_search_by_key(&token, |&(t, _)| t) {
                Ok(_) => panic!("token {} is already on the ring", format_position(token)),
                Err(at) => self.tokens.insert(at, (token, node)),
            }
        }
    }

    /// Removes every token of a node (it left the ring, §4.9).
    pub fn remove_node(&mut self, node: NodeId) {
        self.ahead = OnceCell::new();
        self.tokens.retain(|&(_, owner)| owner != node);
    }

    /// Whether a token is already owned by some node.
    pub fn contains_token(&self, token: Position) -> bool {
        self.tokens.binary_search_by_key(&token, |&(t, _)| t).is_ok()
    }

    /// All (token, owner) pairs in clockwise order.
    pub fn tokens(&self) -> &[(Position, NodeId)] {
        &self.tokens
    }

    /// The tokens of one node, clockwise.
    pub fn tokens_of(&self, node: NodeId) -> Vec<Position> {
        self.tokens.iter().filter(|&&(_, n)| n == node).map(|&(t, _)| t).collect()
    }

    /// The distinct physical nodes on the ring, in id order.
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut nodes: Vec<NodeId> = self.tokens.iter().map(|&(_, n)| n).collect();
        compact_sort::sort_unstable(&mut nodes);
        nodes.dedup();
        nodes
    }

    /// Index of the first token at or clockwise after `position` (wrapping to 0).
    fn successor_index(&self, position: Position) -> usize {
        let at = match self.ahead.get() {
            Some(index) => index.first_at_or_after(&self.tokens, position),
            None => self.tokens.partition_point(|&(t, _)| t < position),
        };
        if at == self.tokens.len() {
            0
        } else {
            at
        }
    }

    /// The token that owns `position`: the first token at or clockwise after it (§4.2).
    pub fn owner_token(&self, position: Position) -> Option<(Position, NodeId)> {
        if self.tokens.is_empty() {
            return None;
        }
        Some(self.tokens[self.successor_index(position)])
    }

    /// The preference list from `position` (§4.3): walk clockwise and collect *distinct
    /// physical* nodes, skipping further tokens of a node already taken, until `limit`
    /// nodes are found or the ring is exhausted. The first N are the key's replicas, the
    /// first is its coordinator; the rest stand by for failures.
    pub fn preference_list(&self, position: Position, limit: usize) -> NodeList {
        let listed = self.ahead.get().and_then(|index| {
            index.listed(self.successor_index(position), limit).map(NodeList::from_slice)
        });
        let list = listed.unwrap_or_else(|| self.walk(position, limit));
        debug_assert!(
            list.iter().enumerate().all(|(i, node)| !list[..i].contains(node)),
            "a preference list names distinct physical nodes (§4.3)"
        );
        list
    }

    /// The walk itself.
    fn walk(&self, position: Position, limit: usize) -> NodeList {
        let mut list = NodeList::new();
        for node in self.clockwise_from(position) {
            if list.len() == limit {
                break;
            }
            if !list.contains(&node) {
                list.push(node);
            }
        }
        list
    }

    /// The owners of the tokens clockwise from `position`, once round the ring.
    fn clockwise_from(&self, position: Position) -> impl Iterator<Item = NodeId> + '_ {
        let start = self.successor_index(position);
        self.tokens[start..].iter().chain(&self.tokens[..start]).map(|&(_, node)| node)
    }

    /// Whether `node` is one of the key's N replicas: among the first `n` of the
    /// preference list from `position` (§4.3).
    pub fn is_replica(&self, position: Position, node: NodeId, n: usize) -> bool {
        self.preference_list(position, n).contains(&node)
    }

    /// A speed-up, the same answers: lists the first `n` distinct nodes clockwise from
    /// every token once, so that preference lists up to `n` long are looked up rather
    /// than walked ([`RingIndex`]). Each node asks for it with its N whenever its view of
    /// the ring changes; a ring shared by several nodes lists them once. Does nothing if
    /// already done.
    pub fn list_replicas_ahead(&self, n: usize) {
        self.ahead.get_or_init(|| {
            RingIndex::build(&self.tokens, self.nodes().len(), n, |t, w| self.walk(t, w))
        });
    }

    /// The range (previous token, token] that each token owns, as (start, end) pairs,
    /// clockwise. A single token owns the whole ring.
    pub fn ranges(&self) -> Vec<(Position, Position, NodeId)> {
        let count = self.tokens.len();
        (0..count)
            .map(|i| {
                let (end, node) = self.tokens[i];
                let (start, _) = self.tokens[(i + count - 1) % count];
                (start, end, node)
            })
            .collect()
    }
}

/// Whether `position` lies in the ring range (start, end], which wraps past zero when
/// start >= end (a range with start == end is the whole ring).
pub fn in_range(position: Position, start: Position, end: Position) -> bool {
    if start < end {
        start < position && position <= end
    } else {
        position > start || position <= end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(spec: &[(u32, &[Position])]) -> Ring {
        let mut ring = Ring::new();
        for &(node, tokens) in spec {
            ring.add_node(NodeId(node), tokens);
        }
        ring
    }

    #[test]
    fn key_position_is_md5_big_endian() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(format_position(key_position("")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(format_position(key_position("a")), "0cc175b9c0f1b6a831c399e269772661");
        assert!(ring_fraction(key_position("a")) < 0.05);
    }

    #[test]
    fn parse_position_accepts_32_hex_digits_only() {
        assert_eq!(parse_position("0000000000000000000000000000000a"), Ok(10));
        assert!(parse_position("0a").is_err());
        assert!(parse_position("zz000000000000000000000000000000").is_err());
        assert!(parse_position("+0000000000000000000000000000000").is_err());
    }

    #[test]
    fn owner_is_first_token_at_or_after_position_and_wraps() {
        let r = ring(&[(0, &[100]), (1, &[200]), (2, &[300])]);
        assert_eq!(r.owner_token(50), Some((100, NodeId(0))));
        assert_eq!(r.owner_token(100), Some((100, NodeId(0))));
        assert_eq!(r.owner_token(101), Some((200, NodeId(1))));
        assert_eq!(r.owner_token(301), Some((100, NodeId(0))));
    }

    #[test]
    fn preference_list_skips_tokens_of_nodes_already_taken() {
        // Clockwise from 150: 200(B) 250(B) 300(C) 100(A)
        let r = ring(&[(0, &[100]), (1, &[200, 250]), (2, &[300])]);
        assert_eq!(r.preference_list(150, 3).to_vec(), vec![NodeId(1), NodeId(2), NodeId(0)]);
        assert_eq!(r.preference_list(150, 2).to_vec(), vec![NodeId(1), NodeId(2)]);
        assert_eq!(r.preference_list(150, 10).len(), 3);
        for n in 0..5 {
            for node in 0..4 {
                let listed = r.preference_list(150, n).contains(&NodeId(node));
                assert_eq!(r.is_replica(150, NodeId(node), n), listed, "n={n}, node={node}");
            }
        }
    }

    #[test]
    fn a_position_is_drawn_at_its_fraction_of_the_ring() {
        assert_eq!(ring_fraction(0), 0.0);
        assert_eq!(ring_fraction(1 << 127), 0.5);
        assert_eq!(ring_fraction(3 << 126), 0.75);
    }

    #[test]
    fn rings_are_equal_when_their_tokens_and_owners_are() {
        let (a, b) = (ring(&[(0, &[100]), (1, &[200])]), ring(&[(0, &[100]), (1, &[300])]));
        assert_ne!(a, b);
        assert_ne!(a, ring(&[(0, &[100]), (2, &[200])]));
        assert_eq!(a, ring(&[(1, &[200]), (0, &[100])]));
    }

    #[test]
    fn remove_node_drops_all_its_tokens() {
        let mut r = ring(&[(0, &[100, 400]), (1, &[200])]);
        r.remove_node(NodeId(0));
        assert_eq!(r.tokens(), &[(200, NodeId(1))]);
        assert_eq!(r.nodes(), vec![NodeId(1)]);
    }

    #[test]
    fn ranges_cover_the_ring() {
        let r = ring(&[(0, &[100]), (1, &[200])]);
        assert_eq!(r.ranges(), vec![(200, 100, NodeId(0)), (100, 200, NodeId(1))]);
        assert!(in_range(150, 100, 200));
        assert!(!in_range(100, 100, 200));
        assert!(in_range(250, 200, 100));
        assert!(in_range(50, 200, 100));
        assert!(in_range(5, 7, 7), "a single token owns the whole ring");
    }
}
