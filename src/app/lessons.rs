//! The lessons of `lessons/`: the page's "Lessons" list ([`MENU`]; the page fetches the file
//! chosen, served beside it), and their texts for the tests and the CLI. A test checks that
//! every file there is listed, and another plays every lesson beat by beat.

/// Each lesson: its file name and its text (not in the page's download: see [`MENU`]).
pub const LESSONS: [(&str, &str); 15] = [
    ("ring.json", include_str!("../../lessons/ring.json")),
    ("strategies.json", include_str!("../../lessons/strategies.json")),
    ("replication.json", include_str!("../../lessons/replication.json")),
    ("versioning.json", include_str!("../../lessons/versioning.json")),
    ("shopping-cart.json", include_str!("../../lessons/shopping-cart.json")),
    ("truncation.json", include_str!("../../lessons/truncation.json")),
    ("quorums.json", include_str!("../../lessons/quorums.json")),
    ("hinted-handoff.json", include_str!("../../lessons/hinted-handoff.json")),
    ("weak-quorum.json", include_str!("../../lessons/weak-quorum.json")),
    ("stale-reads.json", include_str!("../../lessons/stale-reads.json")),
    ("gossip.json", include_str!("../../lessons/gossip.json")),
    ("local-failure-detection.json", include_str!("../../lessons/local-failure-detection.json")),
    ("anti-entropy.json", include_str!("../../lessons/anti-entropy.json")),
    ("lost-hint.json", include_str!("../../lessons/lost-hint.json")),
    ("joining.json", include_str!("../../lessons/joining.json")),
];

/// The menu: each lesson's file and title (its `name`), in the order of [`LESSONS`]. The
/// page lists these, and fetches the file from `lessons/` (served beside it) when one is
/// chosen: the texts are not part of the page's download. A test checks they match.
pub const MENU: [(&str, &str); 15] = [
    ("ring.json", "Lesson: the ring — MD5, tokens and capacity"),
    ("strategies.json", "Lesson: three partitioning strategies"),
    ("replication.json", "Lesson: replication and the preference list"),
    ("versioning.json", "Lesson: versioning with vector clocks (Figure 3)"),
    ("shopping-cart.json", "Lesson: the shopping cart, always writeable (PQ1)"),
    ("truncation.json", "Lesson: clock truncation and a false conflict"),
    ("quorums.json", "Lesson: quorums, and a put that cannot reach W"),
    ("hinted-handoff.json", "Lesson: sloppy quorum and hinted handoff"),
    ("weak-quorum.json", "Lesson: R + W ≤ N, a stale read with nothing broken"),
    ("stale-reads.json", "Lesson: stale reads, and why a sloppy quorum weakens R + W > N"),
    ("gossip.json", "Lesson: gossip, seeds and a logically partitioned ring"),
    ("local-failure-detection.json", "Lesson: failure detection is local"),
    ("anti-entropy.json", "Lesson: a permanent failure repaired by Merkle anti-entropy"),
    ("lost-hint.json", "Lesson: an outage is not a departure, and a hinted replica lost"),
    ("joining.json", "Lesson: a node joins between A and B"),
];

/// Opens lesson `i` as the page does once it has fetched the file (for tests).
#[cfg(test)]
pub(crate) fn open(p: &mut super::Playground, i: usize) {
    let (file, text) = LESSONS[i];
    p.update(super::Cmd::OpenFile(format!("lessons/{file}"), text.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_lessons_is_listed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".json"))
            .collect();
        files.sort();
        let mut listed: Vec<String> = LESSONS.iter().map(|(f, _)| f.to_string()).collect();
        listed.sort();
        assert_eq!(files, listed);
        for (file, text) in LESSONS {
            assert_eq!(text, std::fs::read_to_string(format!("{dir}/{file}")).unwrap());
        }
        for ((file, title), (listed, text)) in MENU.iter().zip(LESSONS) {
            let doc: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!((*file, doc["name"].as_str()), (listed, Some(*title)));
        }
    }
}
