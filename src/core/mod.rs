//! The protocol core: everything Dynamo does, as pure state machines (paper §4, §5).
//!
//! Nothing here does I/O, reads a clock or draws a random number: the simulator hands every
//! input in with its virtual time and carries every output away.
//!
//! # Reading order
//!
//! Follow the paper; each file opens with its idea and section.
//!
//! 1. §4.2 consistent hashing, §4.3 replication — `ring.rs`: [`ring::key_position`] and
//!    the walk of [`ring::Ring::preference_list`] (N distinct physical nodes).
//! 2. §6.2 partitioning strategies — `partition.rs`: [`partition::Strategy`],
//!    [`partition::load_balance`], [`partition::membership_entries`].
//! 3. §4.4 vector clocks — `clock.rs`: [`clock::VectorClock::descends`], `merge`,
//!    `truncate`, and who stamps: [`clock::Actor`].
//! 4. §4.4 versions — `version.rs`: [`version::add_version`] (syntactic reconciliation,
//!    siblings), [`version::context_of`].
//! 5. §4.1, §4.5 get and put — `node/mod.rs`: `Node::on_client`, `coordinate_put`,
//!    `new_clock`, `coordinate_get`, `read_repair`.
//! 6. §5 request state machines — `request.rs`: [`request::PutRequest::on_ack`],
//!    [`request::GetRequest::on_reply`], `GetRequest::stale_replicas`.
//! 7. §4.6 sloppy quorum and hinted handoff — `request.rs`: [`request::choose_targets`],
//!    [`request::replacement`]; `node/mod.rs`: `store_hint`, `scan_hints`.
//! 8. §4.8.3 failure detection — `node/mod.rs`: `suspect`, `on_replica_timeout`, `probe`.
//! 9. §4.7 Merkle anti-entropy — `merkle.rs`: [`merkle::MerkleTree::build`];
//!    `node/anti_entropy.rs`: `start_sync`, `on_sync_hashes`, `on_sync_keys`.
//! 10. §4.8 membership and gossip — `membership.rs`: [`membership::Membership::merge`];
//!     `node/membership.rs`: `gossip`, `on_gossip`.
//! 11. §4.9 joins and leaves — `node/membership.rs`: `join`, `leave`, `on_transfer_offer`.
//! 12. §5 the storage engine — `storage.rs`: [`storage::StorageEngine`].
//!
//! `message.rs` lists what crosses the network; `config.rs` the knobs (N, R, W, timeouts).

pub mod accel;
pub mod clock;
pub mod config;
pub mod membership;
pub mod merkle;
pub mod message;
pub mod node;
pub mod partition;
pub mod request;
pub mod ring;
pub mod storage;
pub mod version;

mod key;
pub use key::Key;

/// An object's value (opaque to Dynamo), shared the same way.
pub type Value = std::rc::Rc<str>;

/// Virtual time in microseconds since the start of a run.
pub type Time = u64;

/// Microseconds in one virtual millisecond.
pub const MS: Time = 1_000;

/// A short list of nodes — a preference list, a request's replicas — kept in place
/// (no allocation) up to eight nodes.
pub type NodeList = smallvec::SmallVec<[NodeId; 8]>;

/// A physical node, by its index in the cluster (names live in the simulator).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The node's index as a `usize`, for indexing per-node tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
