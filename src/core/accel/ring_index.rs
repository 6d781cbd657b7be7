//! Preference lists looked up instead of walked. Replaces, with the same answers, the walk
//! of `Ring::preference_list` (§4.3) and the binary search of `Ring::successor_index`.
//!
//! A key's preference list depends only on the token that owns it, so the first N
//! distinct nodes clockwise from every token are listed once for the whole ring; a
//! position's owning token is found through a table of equal slices of the ring.

use crate::core::ring::Position;
use crate::core::{NodeId, NodeList};

/// The first `width` distinct nodes clockwise from each token, and the slice table.
#[derive(Clone, Debug)]
pub struct RingIndex {
    /// N, or the number of nodes on the ring if fewer (0: nothing listed, every list is
    /// walked).
    width: usize,
    /// Whether `width` is every node on the ring (a list can then never grow longer).
    every_node: bool,
    /// Token i's list is `lists[i * width..(i + 1) * width]`.
    lists: Vec<NodeId>,
    /// Where a search for a position's successor starts: the ring cut into 2^`slice_bits`
    /// equal slices, and for each the index of the first token at or after its start.
    /// Tokens are spread at random, so a slice holds one or two and the search is a
    /// lookup and a step or two, not a binary search of the whole ring (tokens given by
    /// hand may crowd one slice: it is then searched in halves).
    slice_bits: u32,
    first_in_slice: Vec<u32>,
}

impl RingIndex {
    /// Indexes `tokens` (sorted, unique) of a ring with `nodes` distinct nodes for
    /// preference lists up to `n` long; `walk(token, width)` is the plain walk.
    pub fn build(
        tokens: &[(Position, NodeId)],
        nodes: usize,
        n: usize,
        walk: impl Fn(Position, usize) -> NodeList,
    ) -> Self {
        // A walk can pass most of the ring when N is near the number of nodes: past a
        // million entries, lists are not made ahead (width 0: every list is walked).
        let width =
            if n.min(nodes).saturating_mul(tokens.len()) <= 1 << 20 { n.min(nodes) } else { 0 };
        let lists = tokens.iter().flat_map(|&(token, _)| walk(token, width)).collect();
        let slice_bits = (tokens.len().max(1).next_power_of_two().trailing_zeros() + 1).min(20);
        let mut first_in_slice = Vec::with_capacity(1 << slice_bits);
        let mut at = 0;
        for slice in 0..1u128 << slice_bits {
            while at < tokens.len() && tokens[at].0 < slice << (128 - slice_bits) {
                at += 1;
            }
            first_in_slice.push(at as u32);
        }
        RingIndex {
            width,
            every_node: width == nodes && width > 0,
            lists,
            slice_bits,
            first_in_slice,
        }
    }

    /// The index of the first token at or after `position` (`tokens.len()` if none:
    /// the caller wraps). Replaces a binary search of all the tokens.
    pub fn first_at_or_after(&self, tokens: &[(Position, NodeId)], position: Position) -> usize {
        // The successor is among the slice's own tokens, or is the next slice's first.
        let slice = (position >> (128 - self.slice_bits)) as usize;
        let from = self.first_in_slice[slice] as usize;
        let to = self.first_in_slice.get(slice + 1).map_or(tokens.len(), |&i| i as usize);
        let within = &tokens[from..to];
        from + match within.len() {
            0..=4 => within.iter().take_while(|&&(t, _)| t < position).count(),
            _ => within.partition_point(|&(t, _)| t < position),
        }
    }

    /// The preference list of the key owned by token number `token`, `limit` long, if the
    /// lists made ahead cover it.
    pub fn listed(&self, token: usize, limit: usize) -> Option<&[NodeId]> {
        if limit > self.width && !self.every_node {
            return None;
        }
        let start = token * self.width;
        Some(&self.lists[start..start + limit.min(self.width)])
    }
}

#[cfg(test)]
mod tests {
    use crate::core::ring::{Position, Ring};
    use crate::core::NodeId;

    fn ring(spec: &[(u32, &[Position])]) -> Ring {
        let mut ring = Ring::new();
        for &(node, tokens) in spec {
            ring.add_node(NodeId(node), tokens);
        }
        ring
    }

    #[test]
    fn lists_made_ahead_answer_as_the_walk_does() {
        let r = ring(&[(0, &[100, 700]), (1, &[200, 250]), (2, &[300]), (3, &[500, 900])]);
        let positions = [0, 99, 100, 101, 150, 260, 300, 650, 899, 950, Position::MAX];
        let walked: Vec<_> = positions
            .iter()
            .flat_map(|&p| (0..7).map(move |l| (p, l)))
            .map(|(p, l)| r.preference_list(p, l))
            .collect();
        for n in [1, 3, 4, 9] {
            let ahead = r.clone();
            ahead.list_replicas_ahead(n);
            let looked_up: Vec<_> = positions
                .iter()
                .flat_map(|&p| (0..7).map(move |l| (p, l)))
                .map(|(p, l)| ahead.preference_list(p, l))
                .collect();
            assert_eq!(looked_up, walked, "n = {n}");
            for &p in &positions {
                for node in 0..5 {
                    for m in 0..6 {
                        assert_eq!(
                            ahead.is_replica(p, NodeId(node), m),
                            r.is_replica(p, NodeId(node), m)
                        );
                    }
                }
            }
            assert_eq!(ahead, r, "equal rings, whatever was listed ahead");
        }
    }

    #[test]
    fn successors_found_through_the_slices_are_the_binary_searchs() {
        // Tokens spread round the whole ring, some sharing a slice, some slices empty.
        let tokens: Vec<Position> =
            (0..40u128).map(|i| (i * i * 7 + 3).wrapping_mul(u128::MAX / 1_700)).collect();
        let plain = Ring::from_tokens(
            tokens.iter().enumerate().map(|(i, &t)| (t, NodeId(i as u32 % 5))).collect(),
        );
        let ahead = plain.clone();
        ahead.list_replicas_ahead(3);
        let mut probes = vec![0, 1, Position::MAX, Position::MAX - 1];
        for &t in &tokens {
            probes.extend([t.wrapping_sub(1), t, t.wrapping_add(1)]);
        }
        probes.extend(
            (0..500u128).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)),
        );
        for p in probes {
            assert_eq!(ahead.owner_token(p), plain.owner_token(p), "position {p:x}");
        }
    }
}
