//! What a run counts: messages, operations, hints, anti-entropy costs (§4.7), latencies.

use super::history::History;
use crate::core::ring::Position;
use crate::core::{NodeId, Time};

/// One anti-entropy comparison of a key range between two replicas (§4.7), and its cost:
/// messages, hashes and keys exchanged, and bytes. It grows with the differences.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub initiator: NodeId,
    pub peer: NodeId,
    pub range_end: Position,
    pub started: Time,
    pub messages: u64,
    pub hashes: u64,
    pub keys: u64,
    pub bytes: u64,
}

/// Counters over a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub puts_ok: u64,
    pub puts_failed: u64,
    pub gets_ok: u64,
    pub gets_failed: u64,
    /// Gets that returned more than one version.
    pub gets_with_siblings: u64,
    /// Read-repair messages sent (§5).
    pub read_repairs: u64,
    /// Hinted replicas stored on stand-ins, and handed back to their owners (§4.6).
    pub hints_stored: u64,
    pub hints_delivered: u64,
    /// Times a node came to believe a peer was down, or up again (§4.8.3).
    pub peers_marked_down: u64,
    pub peers_marked_up: u64,
    /// Anti-entropy (§4.7): range comparisons started, Merkle messages sent, hashes and
    /// keys they carried, and their approximate size in bytes.
    pub anti_entropy_comparisons: u64,
    pub merkle_messages: u64,
    pub merkle_hashes_sent: u64,
    pub merkle_keys_sent: u64,
    pub merkle_bytes_sent: u64,
    /// Keys anti-entropy brought to a replica that lacked something of them.
    pub keys_repaired_by_anti_entropy: u64,
    /// Times a node's view of the ring changed, and keys moved by joins and leaves (§4.9).
    pub ring_changes: u64,
    pub keys_moved: u64,
    /// Copies deleted by nodes that handed keys over and no longer replicate them (§4.9).
    pub copies_dropped: u64,
    /// Client-observed latencies of successful operations, in microseconds.
    /// (Records shared between copies of a world: see `History`.)
    pub get_latencies: History<Time>,
    pub put_latencies: History<Time>,
}
