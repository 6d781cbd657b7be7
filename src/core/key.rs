//! A key (§4.1) and its place on the ring (§4.2).

use super::ring::{key_position, Position};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::rc::Rc;

/// A key: its text, and its ring position MD5(key) worked out once, when the key enters
/// the system — every node that handles it (coordinator, replicas, their Merkle trees)
/// reads the position instead of hashing the key again. Shared: passing a key in a
/// message copies a pointer.
#[derive(Clone)]
pub struct Key(Rc<KeyData>);

struct KeyData {
    position: Position,
    text: Box<str>,
}

impl Key {
    /// A key, with its ring position.
    pub fn new(text: &str) -> Key {
        Key(Rc::new(KeyData { position: key_position(text), text: text.into() }))
    }

    /// The key's position on the ring: MD5(key) as a 128-bit big-endian number (§4.2).
    pub fn position(&self) -> Position {
        self.0.position
    }

    /// Where the key's shared data (its position) is in memory: for a prefetch hint.
    pub fn data_address(&self) -> *const u8 {
        Rc::as_ptr(&self.0).cast()
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0.text
    }
}

impl Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0.text
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0.text
    }
}

/// Keys are equal when their texts are (the same shared key is found equal at once).
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || self.0.text == other.0.text
    }
}

impl Eq for Key {}

/// Hashed by its ring position (equal texts have equal positions), which is already an
/// MD5 hash: a table lookup reads no text. (So a table of keys is looked up with a
/// `Key`, not a `&str`.)
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let position = self.0.position;
        state.write_u64((position >> 64) as u64 ^ position as u64);
    }
}

/// Ordered by text.
impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Key {
        Key::new(text)
    }
}

impl From<&Key> for Key {
    fn from(key: &Key) -> Key {
        key.clone()
    }
}

impl From<String> for Key {
    fn from(text: String) -> Key {
        Key::new(&text)
    }
}

impl From<&String> for Key {
    fn from(text: &String) -> Key {
        Key::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_key_knows_its_ring_position_and_equal_texts_are_the_same_key() {
        let key = Key::new("cart");
        assert_eq!(key.position(), key_position("cart"));
        assert_eq!(key, Key::new("cart"));
        assert_ne!(key, Key::new("carts"));
        assert!(Key::new("a") < Key::new("b"));
        let mut map = HashMap::new();
        map.insert(key.clone(), 1);
        assert_eq!(map.get(&Key::new("cart")), Some(&1));
        assert_eq!(map.get(&Key::new("carts")), None);
        assert_eq!(format!("{key} {key:?}"), "cart \"cart\"");
    }
}
