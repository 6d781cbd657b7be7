//! A record that only grows at its end — a run's events, its client operations — and that
//! is cheap to copy: it is kept in chunks, every full chunk shared between the copies
//! (`Rc`), so a copy costs a pointer per chunk and the one open chunk. The page copies its
//! world now and then to go back in time fast; the records of a long run are most of the
//! world's memory, and copies share them.
//!
//! An entry of a full chunk can still be changed (an operation gets its answer): the chunk
//! is copied first if another copy shares it (`Rc::make_mut`), so copies never see each
//! other's changes.

use std::rc::Rc;

/// Entries per chunk.
const CHUNK: usize = 1024;

/// An append-only sequence, cheap to copy (see the module's comment).
#[derive(Clone, Debug)]
pub struct History<T> {
    /// Full chunks forgotten from the front ([`History::forget_before`]).
    forgotten: usize,
    /// Full chunks, each of exactly `CHUNK` entries, oldest first.
    full: Vec<Rc<Vec<T>>>,
    /// The newest entries, fewer than `CHUNK`.
    open: Vec<T>,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        History { forgotten: 0, full: Vec::new(), open: Vec::new() }
    }
}

impl<T: Clone> History<T> {
    /// Adds an entry at the end.
    pub fn push(&mut self, entry: T) {
        self.open.push(entry);
        if self.open.len() == CHUNK {
            let full = std::mem::replace(&mut self.open, Vec::with_capacity(CHUNK));
            self.full.push(Rc::new(full));
        }
    }

    /// Entry `i`, to change in place (its chunk copied first if a copy shares it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let (chunk, at) = ((i / CHUNK).checked_sub(self.forgotten)?, i % CHUNK);
        let sealed = self.full.len();
        match self.full.get_mut(chunk) {
            Some(full) => Rc::make_mut(full).get_mut(at),
            None if chunk == sealed => self.open.get_mut(at),
            None => None,
        }
    }
}

impl<T> History<T> {
    /// Number of entries ever pushed (those forgotten included: indices never change).
    pub fn len(&self) -> usize {
        (self.forgotten + self.full.len()) * CHUNK + self.open.len()
    }

    /// The index of the oldest entry still held.
    pub fn first_index(&self) -> usize {
        self.forgotten * CHUNK
    }

    /// Lets go of the full chunks wholly before entry `i`, so that a long run that needs
    /// only its latest entries keeps its memory bounded.
    pub fn forget_before(&mut self, i: usize) {
        let chunks = (i / CHUNK).saturating_sub(self.forgotten).min(self.full.len());
        if chunks > 0 {
            self.full.drain(..chunks);
            self.forgotten += chunks;
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i` (0 is the first ever pushed; None if forgotten).
    pub fn get(&self, i: usize) -> Option<&T> {
        let (chunk, at) = ((i / CHUNK).checked_sub(self.forgotten)?, i % CHUNK);
        match self.full.get(chunk) {
            Some(full) => full.get(at),
            None if chunk == self.full.len() => self.open.get(at),
            None => None,
        }
    }

    /// The newest entry.
    pub fn last(&self) -> Option<&T> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Every entry held, oldest first (`.rev()` for newest first).
    pub fn iter(&self) -> Iter<'_, T> {
        let chunk: fn(&Rc<Vec<T>>) -> std::slice::Iter<'_, T> = |chunk| chunk.iter();
        self.full.iter().flat_map(chunk).chain(self.open.iter())
    }

    /// The entries from `start` on (those held), oldest first.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        let start = start.max(self.first_index()) - self.first_index();
        let first = (start / CHUNK).min(self.full.len());
        let skip = start - first * CHUNK;
        let chunks = self.full[first..].iter().map(|c| c.as_slice());
        chunks.chain(std::iter::once(self.open.as_slice())).flatten().skip(skip)
    }
}

/// Equal when they hold the same entries from the same index on.
impl<T: PartialEq> PartialEq for History<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self.first_index() == other.first_index()
            && self.iter().eq(other.iter())
    }
}

/// The entries of a [`History`], oldest first.
pub type Iter<'a, T> = std::iter::Chain<
    std::iter::FlatMap<
        std::slice::Iter<'a, Rc<Vec<T>>>,
        std::slice::Iter<'a, T>,
        fn(&'a Rc<Vec<T>>) -> std::slice::Iter<'a, T>,
    >,
    std::slice::Iter<'a, T>,
>;

impl<'a, T> IntoIterator for &'a History<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> std::ops::Index<usize> for History<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        self.get(i).expect("an entry of the history")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_reads_like_the_vec_it_replaces_and_copies_never_see_each_others_changes() {
        let mut history = History::default();
        let mut plain = Vec::new();
        for i in 0..3 * CHUNK + 17 {
            history.push(i);
            plain.push(i);
        }
        assert_eq!(history.len(), plain.len());
        assert!(history.iter().eq(plain.iter()));
        assert!(history.iter().rev().eq(plain.iter().rev()));
        for start in [0, 1, CHUNK - 1, CHUNK, 2 * CHUNK + 5, plain.len(), plain.len() + 3] {
            assert!(history.iter_from(start).eq(plain.iter().skip(start)), "{start}");
        }
        assert_eq!((history[CHUNK + 3], history.last()), (CHUNK + 3, Some(&(3 * CHUNK + 16))));
        assert_eq!(history.get(plain.len()), None);
        // A copy shares the full chunks; a change to either is its own.
        let mut copy = history.clone();
        *copy.get_mut(5).unwrap() = 1_000_000;
        *history.get_mut(3 * CHUNK + 1).unwrap() = 7;
        plain[3 * CHUNK + 1] = 7;
        copy.push(42);
        assert_eq!((history[5], copy[5]), (5, 1_000_000));
        assert_eq!((history[3 * CHUNK + 1], copy[3 * CHUNK + 1]), (7, 3 * CHUNK + 1));
        assert_eq!((history.len() + 1, copy.last()), (copy.len(), Some(&42)));
        assert!(history.get_mut(10 * CHUNK).is_none());
        // Forgetting the front keeps every index where it was.
        history.forget_before(2 * CHUNK + 10);
        assert_eq!((history.first_index(), history.len()), (2 * CHUNK, plain.len()));
        assert_eq!((history.get(CHUNK), history[2 * CHUNK + 3]), (None, 2 * CHUNK + 3));
        assert!(history.iter().eq(plain[2 * CHUNK..].iter()));
        assert!(history.iter_from(CHUNK).eq(plain[2 * CHUNK..].iter()));
        assert!(history.iter_from(2 * CHUNK + 4).eq(plain[2 * CHUNK + 4..].iter()));
        assert!(history.get_mut(5).is_none());
        assert_eq!(copy[5], 1_000_000, "the copy keeps what it shared");
    }
}
