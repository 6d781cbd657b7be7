//! The protocol core: everything Dynamo does, as pure state machines (paper §4, §5).
//!
//! Nothing here does I/O, reads a clock or draws a random number: the simulator hands every
//! input in with its virtual time and carries every output away.

pub mod clock;
pub mod config;
pub mod membership;
pub mod merkle;
pub mod message;
pub mod node;
pub mod numbered_map;
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
