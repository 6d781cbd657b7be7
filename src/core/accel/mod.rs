//! Same answers, faster. Each structure here speeds up a plain function of the lesson
//! files, names the function it replaces, and has a test that the two agree. Reading the
//! protocol, skip this folder: nothing in it changes what Dynamo does.
//!
//! - [`ring_index`]: the preference lists of every token listed once, and the ring cut
//!   into slices to find a position's successor — for `Ring::preference_list` (§4.3).
//! - [`kept_trees`]: Merkle trees kept up to date as keys change — for building a range's
//!   tree from the store for every comparison (`MerkleTree::build`, §4.7).
//! - [`numbered_map`]: a node's table of open requests — for a `BTreeMap` by number.
//! - [`compact_sort`]: not faster but smaller: one sort for every type in the page's
//!   download — for `slice::sort_by` and its kin.

pub mod compact_sort;
pub mod kept_trees;
pub mod numbered_map;
pub mod ring_index;
