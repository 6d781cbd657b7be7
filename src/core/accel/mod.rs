//! Same answers, faster. Each structure here speeds up a plain function of the lesson
//! files, names the function it replaces, and has a test that the two agree. Reading the
//! protocol, skip this folder: nothing in it changes what Dynamo does.
//!
//! - [`ring_index`]: the preference lists of every token listed once, and the ring cut
//!   into slices to find a position's successor — for `Ring::preference_list` (§4.3).

pub mod ring_index;
