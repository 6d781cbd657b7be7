//! The words the page uses, each in one line with the paper's section, and the keys it
//! answers to: shown where a word appears (as its title) and all together in the help
//! overlay ("?"). Every line says what the simulator does, in the paper's terms.

use crate::core::message::MsgKind;

/// A word and what it means here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub word: &'static str,
    pub meaning: &'static str,
    /// The paper's section, e.g. "§4.5".
    pub section: &'static str,
}

const fn term(word: &'static str, meaning: &'static str, section: &'static str) -> Term {
    Term { word, meaning, section }
}

/// The keys the page answers to (unless the user is typing in a field).
pub const KEYS: [(&str, &str); 6] = [
    ("Space", "play or pause"),
    ("→", "handle the next event, one at a time"),
    ("n or PageDown", "take the next step of the run, then let its messages settle"),
    ("p or PageUp", "go back to just before the latest step taken"),
    ("?", "show or hide this help"),
    ("Esc", "close this help"),
];

/// The words of the page, in the order a lesson meets them.
pub const TERMS: [Term; 18] = [
    term(
        "token",
        "a position on the ring a node owns; each node owns several (virtual nodes)",
        "§4.2",
    ),
    term(
        "preference list",
        "the nodes that keep a key: from its MD5 position clockwise, skipping nodes already \
         listed; the first N are its replicas",
        "§4.3",
    ),
    term("N", "how many nodes keep each key", "§4.3"),
    term("R", "how many replicas must answer a get before the client gets its answer", "§4.5"),
    term(
        "W",
        "how many replicas, the coordinator included, must hold a put before it succeeds",
        "§4.5",
    ),
    term(
        "coordinator",
        "the node handling a client's request; a put that reaches a node outside the key's \
         top N is forwarded to one of them",
        "§4.5",
    ),
    term(
        "vector clock",
        "(node, counter) pairs on every version; one version supersedes another when its \
         clock has every counter at least as large",
        "§4.4",
    ),
    term(
        "context",
        "the clocks a get returns; the client passes them back with its next put, so the new \
         version supersedes what it read",
        "§4.1",
    ),
    term(
        "siblings",
        "versions whose clocks are concurrent: a get returns them all and the client \
         reconciles them",
        "§4.4",
    ),
    term(
        "sloppy quorum",
        "reads and writes go to the first N healthy nodes of the preference list, not always \
         the top N",
        "§4.6",
    ),
    term(
        "stand-in",
        "a node past the top N that takes a down replica's place for a request",
        "§4.6",
    ),
    term(
        "hinted handoff",
        "a stand-in keeps the replica apart, with a hint naming its owner, and hands it back \
         when the owner answers again",
        "§4.6",
    ),
    term(
        "failure detection",
        "a node believes a peer down when it does not answer in time (the replica timeout), \
         and probes it until it does; each node decides for itself",
        "§4.8.3",
    ),
    term(
        "last write wins",
        "a replica keeps only the version with the latest timestamp: concurrent writes are lost \
         instead of kept as siblings",
        "§6",
    ),
    term(
        "read repair",
        "after a get, the coordinator sends the reconciled versions to replicas that answered \
         with stale ones",
        "§5",
    ),
    term(
        "anti-entropy",
        "replicas compare Merkle trees of each key range, descend only where hashes differ, \
         and exchange only the keys under differing leaves",
        "§4.7",
    ),
    term(
        "gossip",
        "every node periodically swaps its view of the membership with a random peer",
        "§4.8.1",
    ),
    term(
        "transfer",
        "after a join or a leave, nodes offer the keys the ring now gives to another node; it \
         takes those it lacks, and a sender deletes its copy once it no longer replicates it",
        "§4.9",
    ),
];

/// The term for `word`, if the page explains it.
pub fn term_for(word: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.word == word)
}

/// A term's one line, as a title: "W: how many replicas … (§4.5)".
pub fn title(word: &str) -> String {
    term_for(word).map(|t| format!("{}: {} ({})", t.word, t.meaning, t.section)).unwrap_or_default()
}

/// What a kind of message is for, in one line with its section.
pub fn message_meaning(kind: MsgKind) -> &'static str {
    match kind {
        MsgKind::Forward => {
            "a put passed on by a node outside the key's top N to one of them (§4.5)"
        }
        MsgKind::ForwardReply => "the coordinator's answer to a forwarded put (§4.5)",
        MsgKind::Put => "coordinator → replica: store this version (§4.5)",
        MsgKind::HintedPut => "coordinator → stand-in: keep this version for a down owner (§4.6)",
        MsgKind::PutAck => "replica → coordinator: stored (§4.5)",
        MsgKind::Get => "coordinator → replica: send your versions of the key (§4.5)",
        MsgKind::GetReply => "replica → coordinator: the versions it holds (§4.5)",
        MsgKind::Repair => "coordinator → stale replica: the reconciled versions (read repair, §5)",
        MsgKind::Ping => "are you there? to a peer believed down (§4.8.3)",
        MsgKind::Pong => "yes: the peer is up again (§4.8.3)",
        MsgKind::Handoff => "stand-in → owner: the hinted replica, handed back (§4.6)",
        MsgKind::HandoffAck => "owner → stand-in: stored; the hint can go (§4.6)",
        MsgKind::MerkleHashes => "hashes of Merkle tree nodes of a key range, compared (§4.7)",
        MsgKind::MerkleKeys => "the keys under leaves whose hashes differ (§4.7)",
        MsgKind::Gossip => "a node's view of the membership, to a random peer (§4.8.1)",
        MsgKind::GossipReply => "the peer's view back (§4.8.1)",
        MsgKind::TransferOffer => "keys the ring now gives to the receiver, offered (§4.9)",
        MsgKind::TransferAccept => "the keys the receiver lacks: send them (§4.9)",
        MsgKind::Transfer => "the keys, with their versions (§4.9)",
        MsgKind::TransferAck => "stored: the sender may delete its copy (§4.9)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_and_message_kind_is_explained_with_its_section() {
        for t in TERMS {
            assert!(t.section.starts_with('§') && !t.meaning.is_empty(), "{}", t.word);
        }
        let words: Vec<&str> = TERMS.iter().map(|t| t.word).collect();
        for (i, word) in words.iter().enumerate() {
            assert!(!words[..i].contains(word), "{word} twice");
        }
        for kind in MsgKind::ALL {
            let meaning = message_meaning(kind);
            assert!(meaning.contains('§') && meaning.ends_with(')'), "{}", kind.label());
        }
        assert_eq!(title("W").split(':').next(), Some("W"));
        assert!(title("W").ends_with("(§4.5)"));
        assert_eq!(title("no such word"), "");
    }
}
