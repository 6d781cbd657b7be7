//! What a run counts: messages, operations, hints, anti-entropy costs (§4.7), latencies.

use super::history::History;
use crate::core::merkle::KeyRange;
use crate::core::version::Version;
use crate::core::{Key, NodeId, Time};

/// One anti-entropy comparison of a key range between two replicas (§4.7), and its cost:
/// messages, hashes and keys exchanged, and bytes. It grows with the differences.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub initiator: NodeId,
    pub peer: NodeId,
    pub range: KeyRange,
    pub started: Time,
    pub messages: u64,
    pub hashes: u64,
    pub keys: u64,
    pub bytes: u64,
    /// Its messages, in the order they were sent (the first [`MAX_SYNC_STEPS`]; recorded
    /// only when the trace keeps its events, as the page's does).
    pub steps: Vec<SyncStep>,
    /// What sending the whole range both ways would have cost when it started: keys and
    /// bytes (worked out only when the trace keeps its events).
    pub whole: (u64, u64),
}

/// The most messages of one comparison recorded one by one: the root, one per level of a
/// tree of depth 16, the keys both ways.
pub const MAX_SYNC_STEPS: usize = 20;

/// The most key names a step of a comparison records (it counts them all).
pub const MAX_KEYS_NAMED: usize = 12;

/// One message of a comparison: who sent it, when it left and arrives, what it carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStep {
    pub from: NodeId,
    pub sent: Time,
    pub arrives: Time,
    pub carried: SyncCarried,
    pub bytes: u64,
}

/// What a message of a comparison carried (§4.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncCarried {
    /// Hashes of tree nodes of one level (0: the root).
    Hashes { level: u8, count: u32 },
    /// The sender's keys under the differing leaves (the first [`MAX_KEYS_NAMED`] named).
    Keys { leaves: u32, count: u32, named: Vec<Key> },
}

/// The size anti-entropy counts for one key it sends: its name, and each version's value
/// and clock entries (12 bytes each).
pub fn entry_bytes(key: &Key, versions: &[Version]) -> u64 {
    let version_bytes = |v: &Version| v.value.len() as u64 + 12 * v.clock.len() as u64;
    key.len() as u64 + versions.iter().map(version_bytes).sum::<u64>()
}

/// The size counted for one hash sent: the tree node's index and its MD5.
pub const HASH_BYTES: u64 = 20;

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
