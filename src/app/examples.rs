//! The example scenarios of `scenarios/`: the page's "Examples" list ([`MENU`]; the page
//! fetches the file chosen, served beside it), and their texts for the tests. A test checks
//! that every file there is listed, so a new one cannot be forgotten.

/// Each example: its file name and its text (not in the page's download: see [`MENU`]).
pub const EXAMPLES: [(&str, &str); 7] = [
    ("figure3.json", include_str!("../../scenarios/figure3.json")),
    ("shopping-cart.json", include_str!("../../scenarios/shopping-cart.json")),
    ("strict-quorum-crash.json", include_str!("../../scenarios/strict-quorum-crash.json")),
    ("hinted-handoff.json", include_str!("../../scenarios/hinted-handoff.json")),
    ("anti-entropy.json", include_str!("../../scenarios/anti-entropy.json")),
    ("wipe-new-identity.json", include_str!("../../scenarios/wipe-new-identity.json")),
    ("join-leave.json", include_str!("../../scenarios/join-leave.json")),
];

/// The menu: each example's file and title (its `name`), in the order of [`EXAMPLES`]. The
/// page lists these, and fetches the file from `scenarios/` (served beside it) when one is
/// chosen: the texts are not part of the page's download. A test checks they match.
pub const MENU: [(&str, &str); 7] = [
    ("figure3.json", "Figure 3: version evolution of an object over time"),
    ("shopping-cart.json", "Shopping cart: always writeable, reconciled by the client"),
    ("strict-quorum-crash.json", "Strict quorum: a put fails when W replicas are down"),
    ("hinted-handoff.json", "Sloppy quorum and hinted handoff"),
    ("anti-entropy.json", "Merkle anti-entropy repairs a wiped node"),
    ("wipe-new-identity.json", "A wiped node writes under a new identity"),
    ("join-leave.json", "Adding and removing nodes"),
];

/// Opens example `i` as the page does once it has fetched the file (for tests).
#[cfg(test)]
pub(crate) fn open(p: &mut super::Playground, i: usize) {
    let (file, text) = EXAMPLES[i];
    p.update(super::Cmd::OpenFile(format!("scenarios/{file}"), text.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_scenarios_is_an_example() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".json"))
            .collect();
        files.sort();
        let mut listed: Vec<String> = EXAMPLES.iter().map(|(f, _)| f.to_string()).collect();
        listed.sort();
        assert_eq!(files, listed);
        for (file, text) in EXAMPLES {
            assert_eq!(text, std::fs::read_to_string(format!("{dir}/{file}")).unwrap());
        }
        for ((file, title), (listed, text)) in MENU.iter().zip(EXAMPLES) {
            let doc: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!((*file, doc["name"].as_str()), (listed, Some(*title)));
        }
    }
}
