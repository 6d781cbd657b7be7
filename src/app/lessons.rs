//! The lessons of `lessons/`, built into the page (the "Lessons" list). A test checks that
//! every file there is listed, and another plays every lesson beat by beat.

/// Each lesson: its file name and its text.
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

/// A lesson's title: its `name`, else its file name.
pub fn title(index: usize) -> String {
    let (file, text) = LESSONS[index];
    let name = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|doc| doc["name"].as_str().map(str::to_string));
    name.unwrap_or_else(|| file.to_string())
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
    }
}
