//! The example scenarios of `scenarios/`, built into the page (the "Examples" list). A test
//! checks that every file there is listed, so a new one cannot be forgotten.

/// Each example: its file name and its text.
pub const EXAMPLES: [(&str, &str); 7] = [
    ("figure3.json", include_str!("../../scenarios/figure3.json")),
    ("shopping-cart.json", include_str!("../../scenarios/shopping-cart.json")),
    ("strict-quorum-crash.json", include_str!("../../scenarios/strict-quorum-crash.json")),
    ("hinted-handoff.json", include_str!("../../scenarios/hinted-handoff.json")),
    ("anti-entropy.json", include_str!("../../scenarios/anti-entropy.json")),
    ("wipe-new-identity.json", include_str!("../../scenarios/wipe-new-identity.json")),
    ("join-leave.json", include_str!("../../scenarios/join-leave.json")),
];

/// An example's title: its `name`, else its file name.
pub fn title(index: usize) -> String {
    let (file, text) = EXAMPLES[index];
    let name = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|doc| doc["name"].as_str().map(str::to_string));
    name.unwrap_or_else(|| file.to_string())
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
        assert!(title(0).starts_with("Figure 3"));
    }
}
