//! Share links: a whole run — its scenario file, the moment on screen included (`end`) —
//! in the URL fragment, so that opening the link restores exactly that moment. The file is
//! deflated (RFC 1951, by `miniz_oxide`) and written in base64url (by `base64`):
//!
//! ```text
//! https://…/#run=7VjbbtswDP0Vw8…            the run, at its moment
//! https://…/#run=7VjbbtswDP0Vw8…&embed      the same, in the compact page (for an iframe)
//! ```
//!
//! A link is a stranger's input: it is at most [`MAX_LINK_CHARS`] long, inflates to at
//! most `limits::MAX_SCENARIO_BYTES`, and then goes through the same checks as a file.

use crate::sim::limits::MAX_SCENARIO_BYTES;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// The longest link the page makes or opens, in characters of its fragment: links pass
/// through chat tools and mail, which cut longer ones (a run too long is saved as a file).
pub const MAX_LINK_CHARS: usize = 16_000;

/// What a link's fragment holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The scenario file's text.
    pub scenario: String,
    /// Whether to open the compact page.
    pub embed: bool,
}

/// The fragment (without `#`) for a scenario file's text, or why it cannot be one.
pub fn encode(scenario: &str, embed: bool) -> Result<String, String> {
    let packed = URL_SAFE_NO_PAD.encode(compress_to_vec(scenario.as_bytes(), 9));
    let fragment = format!("run={packed}{}", if embed { "&embed" } else { "" });
    if fragment.len() > MAX_LINK_CHARS {
        return Err(format!(
            "this run is too long for a link ({} characters; at most {MAX_LINK_CHARS}): \
             save it as a scenario file instead",
            fragment.len()
        ));
    }
    Ok(fragment)
}

/// Reads a URL fragment (with or without `#`): None if it holds no run.
pub fn decode(fragment: &str) -> Result<Option<Link>, String> {
    let fragment = fragment.trim_start_matches('#');
    if fragment.is_empty() {
        return Ok(None);
    }
    if fragment.len() > MAX_LINK_CHARS {
        return Err(format!("the link is too long ({} characters)", fragment.len()));
    }
    let (mut packed, mut embed) = (None, false);
    for part in fragment.split('&') {
        match part.split_once('=') {
            Some(("run", value)) => packed = Some(value),
            None if part == "embed" => embed = true,
            _ => return Err(format!("the link has a part the page does not know: {part:?}")),
        }
    }
    let Some(packed) = packed else { return Ok(None) };
    let bytes = URL_SAFE_NO_PAD
        .decode(packed)
        .map_err(|e| format!("the link is damaged or cut short: copy the whole link ({e})"))?;
    let text = decompress_to_vec_with_limit(&bytes, MAX_SCENARIO_BYTES).map_err(|e| {
        use miniz_oxide::inflate::TINFLStatus;
        match e.status {
            TINFLStatus::HasMoreOutput => "the link's run is too large (over 1 MiB)".to_string(),
            _ => "the link is damaged or cut short: copy the whole link".to_string(),
        }
    })?;
    let scenario = String::from_utf8(text)
        .map_err(|_| "the link is damaged: its run is not text".to_string())?;
    Ok(Some(Link { scenario, embed }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_carries_the_file_and_the_compact_page_option() {
        let text = r#"{"seed": 3, "cluster": {"nodes": [{"id": "A"}]}}"#;
        for embed in [false, true] {
            let fragment = encode(text, embed).unwrap();
            assert!(fragment.starts_with("run="));
            let link = decode(&format!("#{fragment}")).unwrap().unwrap();
            assert_eq!(link, Link { scenario: text.into(), embed });
        }
        assert_eq!(decode("").unwrap(), None);
        assert_eq!(decode("#").unwrap(), None);
    }

    #[test]
    fn damaged_links_are_refused_with_what_is_wrong() {
        let good = encode("{}", false).unwrap();
        let cases = [
            ("run=%%%".to_string(), "cut short"),
            ("run=AAAA".to_string(), "damaged"),
            (good[..good.len() - 2].to_string(), "damaged"),
            (format!("{good}&colour=red"), "does not know"),
            (format!("run={}", "A".repeat(MAX_LINK_CHARS)), "too long"),
        ];
        for (fragment, expected) in cases {
            let error = decode(&fragment).unwrap_err();
            assert!(error.contains(expected), "{fragment:.40}: {error}");
        }
    }

    #[test]
    fn a_link_never_inflates_past_the_file_limit() {
        // Zeros deflate a thousandfold: a short link that would inflate to 2 MiB.
        let bomb = URL_SAFE_NO_PAD.encode(compress_to_vec(&vec![b' '; 2 << 20], 9));
        assert!(bomb.len() < MAX_LINK_CHARS);
        let error = decode(&format!("run={bomb}")).unwrap_err();
        assert!(error.contains("too large"), "{error}");
        let long = "x".repeat(4 * MAX_LINK_CHARS);
        assert!(encode(&long, false).is_ok(), "repetitive text packs small");
    }
}
