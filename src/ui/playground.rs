//! What the page holds: a simulated world, a client load driving it, and the play state.
//! It only drives the simulator and reads from it; all protocol logic stays in `core`.

use crate::core::{Time, MS};
use crate::sim::workload::{drive, Workload, WorkloadSpec};
use crate::sim::world::{World, WorldSpec};

/// Most events handled per animation frame, so the page never freezes.
pub const EVENTS_PER_FRAME: u64 = 20_000;

/// Speeds offered, in virtual milliseconds per real second.
pub const SPEEDS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 200.0, 1000.0];

/// The default speed: a message of a few virtual milliseconds takes about a second.
pub const DEFAULT_SPEED: f64 = 5.0;

/// The page's simulation.
pub struct Playground {
    pub world: World,
    pub load: Workload,
    pub playing: bool,
    /// Virtual milliseconds per real second.
    pub speed: f64,
    /// Virtual time owed from earlier frames that hit the event budget.
    behind: Time,
}

impl Playground {
    /// The first page: five nodes, four tokens each, (N, R, W) = (3, 2, 2), a steady
    /// trickle of gets and puts.
    pub fn new(seed: u64) -> Playground {
        let spec = WorldSpec { seed, ..WorldSpec::default() };
        let world = World::new(spec).expect("the built-in cluster is valid");
        let load = Workload::new(WorkloadSpec { seed, interval: 10 * MS, ..WorkloadSpec::default() }, 0);
        Playground { world, load, playing: false, speed: DEFAULT_SPEED, behind: 0 }
    }

    /// Advances the world by `elapsed_ms` of real time at the current speed (when playing),
    /// within the per-frame event budget. Returns whether anything changed.
    pub fn tick(&mut self, elapsed_ms: f64) -> bool {
        if !self.playing {
            return false;
        }
        let owed = (elapsed_ms * self.speed).round() as Time + self.behind; // µs: ms × (ms/s) = µs
        let target = self.world.now() + owed;
        let reached = drive(&mut self.world, Some(&mut self.load), target, EVENTS_PER_FRAME);
        self.behind = if reached { 0 } else { target - self.world.now() };
        true
    }

    /// Handles exactly one event (or issues one client operation), whatever its time.
    pub fn step(&mut self) {
        self.behind = 0;
        let next = self.world.next_event_at().map_or(self.load.next_at(), |e| e.min(self.load.next_at()));
        drive(&mut self.world, Some(&mut self.load), next, 1);
    }
}
