//! The event queue: what happens next, in (time, insertion) order.
//!
//! Message arrivals come at arbitrary times and go in a binary heap. Timers come after a
//! handful of fixed delays (the request timeout, the read-repair window, ...); for each
//! delay a plain FIFO stays sorted by itself, because virtual time only moves forward.
//! That keeps the heap small, which is most of the simulator's speed.
//!
//! The front of each FIFO is also written in a short array of its own, so finding the
//! earliest entry reads one small array instead of every FIFO; and the earliest entry,
//! once found, is remembered until the queue changes (the loop asks when the next event
//! is, then pops it).

use crate::core::Time;
use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

struct Entry<T> {
    at: Time,
    seq: u64,
    item: T,
}

impl<T> Entry<T> {
    /// (time, insertion number) as one number: one comparison instead of two.
    fn order(&self) -> u128 {
        (u128::from(self.at) << 64) | u128::from(self.seq)
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.order() == other.order()
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    /// Reversed, so that the max-heap pops the earliest entry (ties: first inserted).
    fn cmp(&self, other: &Self) -> Ordering {
        other.order().cmp(&self.order())
    }
}

/// Where the earliest entry is (None: the heap; Some(i): FIFO i), with its time and
/// insertion number.
type Place = (Option<usize>, Time, u64);

/// The front of an empty FIFO: later than anything.
const EMPTY: (Time, u64) = (Time::MAX, u64::MAX);

/// Events ordered by time, then by the order they were scheduled.
pub struct EventQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    /// (delay, entries scheduled with that delay, in time order).
    fifos: Vec<(Time, VecDeque<Entry<T>>)>,
    /// (time, insertion number) of each FIFO's front entry, `EMPTY` if it has none.
    heads: Vec<(Time, u64)>,
    /// The earliest entry (None inside: the queue is empty), if known since the last change.
    earliest: Cell<Option<Option<Place>>>,
    seq: u64,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), fifos: Vec::new(), heads: Vec::new(), earliest: Cell::new(None), seq: 0 }
    }
}

impl<T> EventQueue<T> {
    /// Schedules `item` at time `at`.
    pub fn push(&mut self, at: Time, item: T) {
        self.seq += 1;
        self.heap.push(Entry { at, seq: self.seq, item });
        self.note_pushed((None, at, self.seq));
    }

    /// Schedules `item` at `now + delay`, where `now` never decreases between calls.
    pub fn push_after(&mut self, now: Time, delay: Time, item: T) {
        self.seq += 1;
        let entry = Entry { at: now + delay, seq: self.seq, item };
        let pushed = (entry.at, entry.seq);
        let i = match self.fifos.iter().position(|(d, _)| *d == delay) {
            Some(i) => i,
            None => {
                self.fifos.push((delay, VecDeque::new()));
                self.heads.push(EMPTY);
                self.fifos.len() - 1
            }
        };
        let fifo = &mut self.fifos[i].1;
        debug_assert!(fifo.back().is_none_or(|last| last.at <= entry.at), "time moves forward");
        fifo.push_back(entry);
        if fifo.len() == 1 {
            self.heads[i] = pushed;
        }
        self.note_pushed((Some(i), pushed.0, pushed.1));
    }

    /// Keeps the remembered earliest entry right after a push: the new entry has the
    /// highest insertion number, so it comes first only if it is strictly earlier.
    fn note_pushed(&mut self, pushed: Place) {
        match self.earliest.get() {
            Some(Some((_, at, _))) if at <= pushed.1 => {}
            Some(_) => self.earliest.set(Some(Some(pushed))),
            None => {}
        }
    }

    /// Where the earliest entry is, if any.
    fn earliest(&self) -> Option<Place> {
        if let Some(known) = self.earliest.get() {
            return known;
        }
        let mut best = self.heap.peek().map(|e| (None, e.at, e.seq));
        for (i, &(at, seq)) in self.heads.iter().enumerate() {
            if best.is_none_or(|(_, b_at, b_seq)| (at, seq) < (b_at, b_seq)) && (at, seq) != EMPTY {
                best = Some((Some(i), at, seq));
            }
        }
        self.earliest.set(Some(best));
        best
    }

    /// The time of the earliest entry.
    pub fn peek_time(&self) -> Option<Time> {
        self.earliest().map(|(_, at, _)| at)
    }

    /// Removes and returns the earliest entry.
    pub fn pop(&mut self) -> Option<(Time, T)> {
        let (source, _, _) = self.earliest()?;
        self.earliest.set(None);
        let entry = match source {
            None => self.heap.pop(),
            Some(i) => {
                let fifo = &mut self.fifos[i].1;
                let entry = fifo.pop_front();
                self.heads[i] = fifo.front().map_or(EMPTY, |e| (e.at, e.seq));
                entry
            }
        }
        .expect("earliest() saw it");
        Some((entry.at, entry.item))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.heap.len() + self.fifos.iter().map(|(_, f)| f.len()).sum::<usize>()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order_across_heap_and_fifos() {
        let mut q = EventQueue::default();
        q.push(5, "msg at 5");
        q.push_after(0, 5, "timer at 5");
        q.push(3, "msg at 3");
        q.push_after(1, 10, "timer at 11");
        q.push_after(2, 5, "timer at 7");
        q.push(7, "msg at 7");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![(3, "msg at 3"), (5, "msg at 5"), (5, "timer at 5"), (7, "timer at 7"), (7, "msg at 7"), (11, "timer at 11")]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn interleaved_pushes_peeks_and_pops_keep_time_then_insertion_order() {
        // A reference: every entry with its (time, insertion number), popped smallest first.
        let (mut q, mut reference) = (EventQueue::default(), Vec::new());
        let (mut now, mut seq, mut x) = (0u64, 0u64, 12345u64);
        for _ in 0..5_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = x >> 33;
            match r % 4 {
                0 => {
                    seq += 1;
                    q.push(now + r % 7, seq);
                    reference.push((now + r % 7, seq));
                }
                1 => {
                    seq += 1;
                    let delay = [3, 5, 11][(r % 3) as usize];
                    q.push_after(now, delay, seq);
                    reference.push((now + delay, seq));
                }
                2 => assert_eq!(q.peek_time(), reference.iter().min().map(|&(at, _)| at)),
                _ => {
                    let expected = reference.iter().copied().min();
                    reference.retain(|e| Some(*e) != expected);
                    assert_eq!(q.pop(), expected);
                    now = expected.map_or(now, |(at, _)| at);
                }
            }
        }
        assert_eq!(q.len(), reference.len());
    }
}
