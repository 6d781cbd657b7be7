//! Dynamo Playground: Amazon's Dynamo (SOSP 2007), the whole protocol, as a deterministic
//! simulation.
//!
//! The layers are visible from the tree:
//! - [`core`]: the protocol itself, sans-I/O. A node is a state machine: a message, a timer
//!   or a client request goes in at a virtual time; messages, timers and replies come out.
//!   No web dependencies, no clock, no randomness of its own.
//! - [`sim`]: the simulated world that drives the nodes: virtual time, a seeded PRNG, an
//!   in-memory network with latency, drops and partitions, crashes, scenario files, and a
//!   trace of every event with its hash.
//! - [`app`]: the page's state and what each click does, with no web dependencies
//!   (tested natively): it drives a simulator session and keeps the forms.
//! - `ui` (wasm32 only): Yew components that draw what the simulator reports.
//!
//! Beside them, [`fuzz`]: the fuzzing entry points (`fuzz/` runs them under cargo-fuzz).

pub mod app;
pub mod core;
pub mod fuzz;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;
