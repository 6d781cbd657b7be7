//! The simulated world: virtual time, a seeded PRNG, an in-memory network, faults,
//! scenario files and the trace. It drives the nodes of [`crate::core`] and is the only
//! place that decides *when* things happen.

pub mod network;
pub mod queue;
pub mod report;
pub mod scenario;
pub mod session;
pub mod trace;
pub mod workload;
pub mod world;

pub use scenario::Scenario;
pub use world::World;
