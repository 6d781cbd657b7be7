//! The event queue: what happens next, in (time, scheduling) order.
//!
//! Two kinds of entries. Message arrivals come at arbitrary times and go in a binary heap;
//! each is just its arrival time and its message number (numbers are handed out in
//! sending order), packed into one 16-byte integer, so sifting moves little and compares
//! once. Timers come after a handful of fixed delays (the request timeout, the
//! read-repair window, ...); for each delay a plain FIFO stays sorted by itself, because
//! virtual time only moves forward. Which FIFO's front timer comes first is kept up to
//! date, worked out again (a scan of a short array) only when a timer goes off, so an
//! arrival (most events) scans nothing.
//!
//! Entries due at the same time come out in the order they were scheduled. Arrivals
//! among themselves: by message number. Timers among themselves: by their own count.
//! An arrival and a timer: each timer remembers how many messages had been scheduled
//! before it, which says which of the two came first.

use crate::core::Time;
use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// What the queue hands back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due<T> {
    /// Message number `n` arrives.
    Arrival(u64),
    /// A timer goes off.
    Timer(T),
}

#[derive(Clone)]
struct TimerEntry<T> {
    at: Time,
    /// Timers scheduled before this one, plus one.
    seq: u64,
    /// Messages scheduled before this timer.
    after_messages: u64,
    item: T,
}

/// Events ordered by time, then by the order they were scheduled.
#[derive(Clone)]
pub struct EventQueue<T> {
    /// Arrivals as `Reverse(time << 64 | message number)`: the max-heap pops the earliest.
    arrivals: BinaryHeap<Reverse<u128>>,
    /// The number of the last message scheduled (0: none yet).
    messages: u64,
    /// Timers scheduled so far.
    timers: u64,
    /// (delay, timers scheduled with that delay, in time order).
    fifos: Vec<(Time, VecDeque<TimerEntry<T>>)>,
    /// (time, scheduling number) of each FIFO's front timer, `EMPTY` if it has none: a
    /// short array to scan when a front changes.
    heads: Vec<(Time, u64)>,
    /// The front timer that comes first: its time, the messages scheduled before it, and
    /// its FIFO (None: no timer is queued).
    first_timer: Option<(Time, u64, u32)>,
    /// The earliest entry's time and place (see [`EventQueue::earliest`]); the place is
    /// [`UNKNOWN`] when not known since the last change.
    earliest_at: Cell<Time>,
    earliest_place: Cell<u32>,
}

/// Places of the earliest entry, besides a FIFO's index.
const ARRIVALS: u32 = u32::MAX - 2;
const NOTHING: u32 = u32::MAX - 1;
const UNKNOWN: u32 = u32::MAX;

/// The head of an empty FIFO.
const EMPTY: (Time, u64) = (Time::MAX, u64::MAX);

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue {
            arrivals: BinaryHeap::new(),
            messages: 0,
            timers: 0,
            fifos: Vec::new(),
            heads: Vec::new(),
            first_timer: None,
            earliest_at: Cell::new(Time::MAX),
            earliest_place: Cell::new(NOTHING),
        }
    }
}

/// An arrival's time and message number, packed so that integer order is queue order.
fn packed(at: Time, msg: u64) -> u128 {
    (u128::from(at) << 64) | u128::from(msg)
}

fn unpacked(key: u128) -> (Time, u64) {
    ((key >> 64) as Time, key as u64)
}

impl<T> EventQueue<T> {
    /// Schedules the arrival of message `msg` at time `at`. Messages are numbered in the
    /// order they are scheduled (each number higher than the last).
    pub fn push_arrival(&mut self, at: Time, msg: u64) {
        debug_assert!(msg > self.messages, "messages are numbered in the order they are scheduled");
        self.messages = msg;
        self.arrivals.push(Reverse(packed(at, msg)));
        self.note_pushed(at, ARRIVALS);
    }

    /// Schedules timer `item` at `now + delay`, where `now` never decreases between calls.
    pub fn push_after(&mut self, now: Time, delay: Time, item: T) {
        self.timers += 1;
        let entry =
            TimerEntry { at: now + delay, seq: self.timers, after_messages: self.messages, item };
        let i = match self.fifos.iter().position(|(d, _)| *d == delay) {
            Some(i) => i,
            None => {
                assert!(self.fifos.len() < ARRIVALS as usize, "a few timer delays, not billions");
                self.fifos.push((delay, VecDeque::new()));
                self.heads.push(EMPTY);
                self.fifos.len() - 1
            }
        };
        let fifo = &mut self.fifos[i].1;
        debug_assert!(fifo.back().is_none_or(|last| last.at <= entry.at), "time moves forward");
        let head = (entry.at, entry.seq, entry.after_messages);
        fifo.push_back(entry);
        if fifo.len() == 1 {
            self.heads[i] = (head.0, head.1);
            // The new timer was scheduled last: it comes first only if strictly earlier.
            if self.first_timer.is_none_or(|(at, _, _)| head.0 < at) {
                self.first_timer = Some((head.0, head.2, i as u32));
            }
        }
        self.note_pushed(head.0, i as u32);
    }

    /// Works out which FIFO's front timer comes first, after a pop changed a front.
    fn find_first_timer(&mut self) {
        let mut first: Option<(usize, (Time, u64))> = None;
        for (i, &head) in self.heads.iter().enumerate() {
            if head != EMPTY && first.is_none_or(|(_, best)| head < best) {
                first = Some((i, head));
            }
        }
        self.first_timer = first.map(|(i, (at, _))| {
            let after_messages = self.fifos[i].1.front().expect("a front timer").after_messages;
            (at, after_messages, i as u32)
        });
    }

    /// The earliest entry: its time and where it is ([`ARRIVALS`] or a FIFO's index;
    /// [`NOTHING`] if the queue is empty). Worked out only when not remembered since the
    /// queue last changed.
    #[inline]
    fn earliest(&self) -> (Time, u32) {
        if self.earliest_place.get() != UNKNOWN {
            return (self.earliest_at.get(), self.earliest_place.get());
        }
        let (at, place) = self.find_earliest();
        self.earliest_at.set(at);
        self.earliest_place.set(place);
        (at, place)
    }

    fn find_earliest(&self) -> (Time, u32) {
        let arrival = self.arrivals.peek().map(|r| unpacked(r.0));
        match (arrival, self.first_timer) {
            (None, None) => (Time::MAX, NOTHING),
            (Some((at, _)), None) => (at, ARRIVALS),
            (None, Some((at, _, f))) => (at, f),
            (Some((at, msg)), Some((timer_at, after_messages, f))) => {
                if at < timer_at || (at == timer_at && msg <= after_messages) {
                    (at, ARRIVALS)
                } else {
                    (timer_at, f)
                }
            }
        }
    }

    /// Keeps the remembered earliest entry right after a push: the new entry was
    /// scheduled last, so it comes first only if it is strictly earlier.
    #[inline]
    fn note_pushed(&self, at: Time, place: u32) {
        let known = self.earliest_place.get();
        if known == NOTHING || (known != UNKNOWN && at < self.earliest_at.get()) {
            self.earliest_at.set(at);
            self.earliest_place.set(place);
        }
    }

    /// The time of the earliest entry.
    #[inline]
    pub fn peek_time(&self) -> Option<Time> {
        let (at, place) = self.earliest();
        (place != NOTHING).then_some(at)
    }

    /// Removes and returns the earliest entry.
    pub fn pop(&mut self) -> Option<(Time, Due<T>)> {
        let (_, place) = self.earliest();
        self.earliest_place.set(UNKNOWN);
        match place {
            NOTHING => {
                self.earliest_place.set(NOTHING);
                None
            }
            ARRIVALS => {
                let Reverse(key) = self.arrivals.pop().expect("earliest() saw it");
                let (at, msg) = unpacked(key);
                Some((at, Due::Arrival(msg)))
            }
            f => {
                let fifo = &mut self.fifos[f as usize].1;
                let entry = fifo.pop_front().expect("earliest() saw it");
                self.heads[f as usize] = fifo.front().map_or(EMPTY, |e| (e.at, e.seq));
                self.find_first_timer();
                Some((entry.at, Due::Timer(entry.item)))
            }
        }
    }

    /// The message whose arrival is the earliest scheduled, if any (whatever the timers).
    pub fn next_arrival(&self) -> Option<u64> {
        self.arrivals.peek().map(|Reverse(key)| unpacked(*key).1)
    }

    /// Every timer queued, with when it goes off (in no particular order: for looking at,
    /// not for running).
    pub fn timers(&self) -> impl Iterator<Item = (Time, &T)> {
        self.fifos.iter().flat_map(|(_, fifo)| fifo.iter().map(|e| (e.at, &e.item)))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.arrivals.len() + self.fifos.iter().map(|(_, f)| f.len()).sum::<usize>()
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
    fn pops_in_time_then_scheduling_order_across_arrivals_and_timers() {
        let mut q = EventQueue::default();
        q.push_arrival(5, 1);
        q.push_after(0, 5, "timer at 5");
        q.push_arrival(3, 2);
        q.push_after(1, 10, "timer at 11");
        q.push_after(2, 5, "timer at 7");
        q.push_arrival(7, 3);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (3, Due::Arrival(2)),
                (5, Due::Arrival(1)),
                (5, Due::Timer("timer at 5")),
                (7, Due::Timer("timer at 7")),
                (7, Due::Arrival(3)),
                (11, Due::Timer("timer at 11"))
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn interleaved_pushes_peeks_and_pops_keep_time_then_scheduling_order() {
        // A reference: every entry with (time, scheduling number, what), popped smallest first.
        let (mut q, mut reference) = (EventQueue::default(), Vec::new());
        let (mut now, mut seq, mut msg, mut x) = (0u64, 0u64, 0u64, 12345u64);
        for _ in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = x >> 33;
            match r % 4 {
                0 => {
                    seq += 1;
                    msg += 1;
                    q.push_arrival(now + r % 7, msg);
                    reference.push((now + r % 7, seq, Due::Arrival(msg)));
                }
                1 => {
                    seq += 1;
                    let delay = [0, 3, 5, 11][(r % 4) as usize];
                    q.push_after(now, delay, seq);
                    reference.push((now + delay, seq, Due::Timer(seq)));
                }
                2 => assert_eq!(q.peek_time(), reference.iter().map(|e| e.0).min()),
                _ => {
                    let first = reference
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, e)| (e.0, e.1))
                        .map(|(i, _)| i);
                    let expected = first.map(|i| reference.remove(i)).map(|(at, _, due)| (at, due));
                    assert_eq!(q.pop(), expected);
                    now = expected.map_or(now, |(at, _)| at);
                }
            }
        }
        assert_eq!(q.len(), reference.len());
    }
}
