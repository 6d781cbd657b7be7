//! The simulated world: virtual time, a seeded PRNG, an in-memory network, faults,
//! scenario files and the trace. It drives the nodes of [`crate::core`] and is the only
//! place that decides *when* things happen.

pub mod check;
pub mod clients;
pub mod history;
pub mod lab;
pub mod limits;
pub mod metrics;
pub mod network;
pub mod queue;
pub mod report;
pub mod scenario;
pub mod search;
pub mod session;
pub mod strategies;
pub mod trace;
pub mod wire;
pub mod workload;
pub mod world;

pub use scenario::Scenario;
pub use world::World;

/// Asks the processor to start fetching what `place` points at, ahead of its use: a hint
/// only (it never faults and changes nothing), for memory the run will touch next.
fn prefetch<T>(place: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program sees and never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(place.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = place;
}
