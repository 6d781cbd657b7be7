//! The event queue: what happens next, in (time, insertion) order.
//!
//! Message arrivals come at arbitrary times and go in a binary heap. Timers come after a
//! handful of fixed delays (the request timeout, the read-repair window, ...); for each
//! delay a plain FIFO stays sorted by itself, because virtual time only moves forward.
//! That keeps the heap small, which is most of the simulator's speed.

use crate::core::Time;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

struct Entry<T> {
    at: Time,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
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
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Events ordered by time, then by the order they were scheduled.
pub struct EventQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    /// (delay, entries scheduled with that delay, in time order).
    fifos: Vec<(Time, VecDeque<Entry<T>>)>,
    seq: u64,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), fifos: Vec::new(), seq: 0 }
    }
}

impl<T> EventQueue<T> {
    /// Schedules `item` at time `at`.
    pub fn push(&mut self, at: Time, item: T) {
        self.seq += 1;
        self.heap.push(Entry { at, seq: self.seq, item });
    }

    /// Schedules `item` at `now + delay`, where `now` never decreases between calls.
    pub fn push_after(&mut self, now: Time, delay: Time, item: T) {
        self.seq += 1;
        let entry = Entry { at: now + delay, seq: self.seq, item };
        match self.fifos.iter_mut().find(|(d, _)| *d == delay) {
            Some((_, fifo)) => {
                debug_assert!(fifo.back().is_none_or(|last| last.at <= entry.at), "time moves forward");
                fifo.push_back(entry);
            }
            None => self.fifos.push((delay, VecDeque::from([entry]))),
        }
    }

    /// Where the earliest entry is: None for the heap, Some(i) for FIFO i.
    fn earliest(&self) -> Option<(Option<usize>, Time, u64)> {
        let mut best = self.heap.peek().map(|e| (None, e.at, e.seq));
        for (i, (_, fifo)) in self.fifos.iter().enumerate() {
            if let Some(e) = fifo.front() {
                if best.is_none_or(|(_, at, seq)| (e.at, e.seq) < (at, seq)) {
                    best = Some((Some(i), e.at, e.seq));
                }
            }
        }
        best
    }

    /// The time of the earliest entry.
    pub fn peek_time(&self) -> Option<Time> {
        self.earliest().map(|(_, at, _)| at)
    }

    /// Removes and returns the earliest entry.
    pub fn pop(&mut self) -> Option<(Time, T)> {
        let (source, _, _) = self.earliest()?;
        let entry = match source {
            None => self.heap.pop(),
            Some(i) => self.fifos[i].1.pop_front(),
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
}
