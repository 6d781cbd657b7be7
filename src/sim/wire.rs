//! The messages on the wire: what each will hand over, to whom, and when; kept for the
//! simulator's speed in a ring of cache-line slots (the only place where memory layout
//! shapes a type).

use super::network::DropReason;
use crate::core::message::{Msg, MsgKind};
use crate::core::{NodeId, Time};

/// A message on the wire, for drawing: who sent it to whom, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub msg: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MsgKind,
    pub sent: Time,
    pub arrives: Time,
    /// Whether it looks lost: dropped at random (decided when sent), or heading for a node
    /// that is down or cut off (decided on arrival, so a recovery in time still saves it).
    pub doomed: bool,
}

/// A message on the wire: what it will hand over, to whom, and whether it was dropped
/// at random when sent (`lost`) — all its arrival reads, in one cache line — and, for
/// the page, when it arrives and whether it looks doomed.
#[repr(align(64))]
#[derive(Clone)]
pub(crate) struct Wired {
    pub(crate) body: Msg,
    pub(crate) from: NodeId,
    pub(crate) to: NodeId,
    pub(crate) arrives: Time,
    pub(crate) lost: Option<DropReason>,
    pub(crate) doomed: bool,
}

impl Wired {
    /// What the page draws of message `msg`, sent at `sent`.
    pub(crate) fn flight(&self, msg: u64, sent: Time) -> InFlight {
        InFlight {
            msg,
            from: self.from,
            to: self.to,
            kind: self.body.kind(),
            sent,
            arrives: self.arrives,
            doomed: self.doomed,
        }
    }
}

/// The messages on the wire, by id. Ids are consecutive and a message stays on the wire
/// only a few milliseconds, so the messages between the oldest still in flight and the
/// newest fit a ring of slots addressed by id (slot `id & mask`): a send or an arrival is
/// an index, and the ring doubles when the run outgrows it. When each message was sent
/// (only the page reads it) is kept in a ring of its own, which an arrival does not read.
#[derive(Clone)]
pub(crate) struct Wire {
    /// The oldest id that may still be on the wire, and the next id to be sent: every
    /// message on the wire has an id in `first..next`.
    first: u64,
    next: u64,
    /// What each message carries; `None` once it has arrived or been dropped.
    slots: Vec<Option<Wired>>,
    /// When each message was sent, in the slot of the same index.
    sent: Vec<Time>,
    count: usize,
}

impl Default for Wire {
    fn default() -> Self {
        const SLOTS: usize = 64;
        Wire {
            first: 1,
            next: 1,
            slots: (0..SLOTS).map(|_| None).collect(),
            sent: vec![0; SLOTS],
            count: 0,
        }
    }
}

impl Wire {
    /// The slot of message `id`.
    pub(crate) fn slot(&self, id: u64) -> usize {
        (id as usize) & (self.slots.len() - 1)
    }

    pub(crate) fn insert(&mut self, id: u64, sent: Time, wired: Wired) {
        debug_assert_eq!(id, self.next, "message ids are consecutive");
        if (id - self.first) as usize >= self.slots.len() {
            self.grow();
        }
        let i = self.slot(id);
        self.slots[i] = Some(wired);
        self.sent[i] = sent;
        self.next = id + 1;
        self.count += 1;
    }

    /// Twice the slots, each message moved to its slot in the larger ring.
    pub(crate) fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mut slots: Vec<Option<Wired>> = (0..size).map(|_| None).collect();
        let mut sent = vec![0; size];
        for id in self.first..self.next {
            let (old, new) = (self.slot(id), (id as usize) & (size - 1));
            slots[new] = self.slots[old].take();
            sent[new] = self.sent[old];
        }
        self.slots = slots;
        self.sent = sent;
    }

    pub(crate) fn remove(&mut self, id: u64) -> Wired {
        assert!(
            (self.first..self.next).contains(&id),
            "every delivery matches a message on the wire"
        );
        let i = self.slot(id);
        let wired = self.slots[i].take().expect("every delivery matches one message on the wire");
        self.count -= 1;
        while self.first < self.next && self.slots[self.slot(self.first)].is_none() {
            self.first += 1;
        }
        wired
    }

    /// Asks the processor to fetch message `id`'s slot ahead of its arrival (a hint only).
    pub(crate) fn prefetch(&self, id: u64) {
        super::prefetch(&self.slots[self.slot(id)]);
    }

    /// Message `id` if it is on the wire: its route and times for the page, and its body.
    pub(crate) fn get(&self, id: u64) -> Option<(InFlight, &Msg)> {
        if !(self.first..self.next).contains(&id) {
            return None;
        }
        let i = self.slot(id);
        let wired = self.slots[i].as_ref()?;
        Some((wired.flight(id, self.sent[i]), &wired.body))
    }

    /// The messages on the wire, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = InFlight> + '_ {
        (self.first..self.next).filter_map(|id| {
            let i = self.slot(id);
            self.slots[i].as_ref().map(|w| w.flight(id, self.sent[i]))
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn a_message_on_the_wire_is_one_cache_line() {
        // An arrival reads one line (a message waits 1–5 ms, long enough to leave the cache).
        assert_eq!(std::mem::size_of::<Option<Wired>>(), 64);
        assert_eq!(std::mem::align_of::<Option<Wired>>(), 64);
    }
}
