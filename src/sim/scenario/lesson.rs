//! Lessons: a scenario told in *beats*. A lesson file is a scenario file with a `lesson`
//! object: each beat says a few plain sentences (citing the paper), may take the
//! scenario's steps up to one of them, may show a view, and may ask what will happen
//! before its steps run — "predict, then run". The answer is never in the file: the page
//! works it out by running the steps on a copy of the (deterministic) run.
//!
//! ```json
//! "lesson": {
//!   "beats": [
//!     {"say": "A put goes to the key's coordinator (§4.5).", "run_to": 1,
//!      "show": {"view": "key", "key": "cart"}},
//!     {"say": "B is down. Will W = 3 still be reached?", "run_to": 3,
//!      "ask": {"what": "outcome", "client": "c1", "question": "Will c1's put succeed?"}}
//!   ],
//!   "try": ["Crash C too, and predict where the next put goes."]
//! }
//! ```

use super::{Action, Op, Scenario};
use serde::{Deserialize, Serialize};

/// Most beats a lesson has.
pub const MAX_BEATS: usize = 40;

/// Most characters a beat says (about three sentences).
pub const MAX_SAY_CHARS: usize = 420;

/// Most sentences a beat says.
pub const MAX_SENTENCES: usize = 3;

/// The lesson part of a lesson file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub beats: Vec<Beat>,
    /// Open prompts for the end: things to try off the script.
    #[serde(default, rename = "try", skip_serializing_if = "Vec::is_empty")]
    pub try_this: Vec<String>,
}

/// One beat: what is said, the steps it takes, what it shows, what it asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beat {
    /// At most three sentences, citing the paper's section (§…).
    pub say: String,
    /// Take the scenario's steps up to this one (numbered from 1, as on the step strip):
    /// at once, or — when the beat asks — once the question is answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_to: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show: Option<Show>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<Ask>,
    /// For the presenter's eyes only (the speaker view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A view a beat shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "view", rename_all = "snake_case", deny_unknown_fields)]
pub enum Show {
    /// The ring alone.
    Ring,
    /// A key looked up: its position and preference list (§4.3).
    Key { key: String },
    /// A key's version history (§4.4).
    Versions { key: String },
    /// The time lanes, following a client's latest request if one is named (§4.5).
    Lanes {
        #[serde(default)]
        client: Option<String>,
    },
    /// The Merkle exchange (§4.7): following anti-entropy, or `node`'s tree beside
    /// `peer`'s over the first range of `node`'s where they differ (else they share).
    Merkle {
        #[serde(default)]
        node: Option<String>,
        #[serde(default)]
        peer: Option<String>,
    },
    /// A node's inspector.
    Node { node: String },
}

/// A question about what the beat's steps will do, in the lesson's words (`question`),
/// and what it is about, and so how its answer is found. The answer is worked out, never
/// written in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case", deny_unknown_fields)]
pub enum Ask {
    /// Which nodes will hold the key in their own store (not as hints)?
    Replicas { question: String, key: String },
    /// Will the client's latest request succeed?
    Outcome { question: String, client: String },
    /// How many versions will the client's latest get return?
    Versions { question: String, client: String },
    /// Which nodes will keep a hinted replica of the key (§4.6)?
    HintHolders { question: String, key: String },
    /// How many keys will anti-entropy send (§4.7)?
    KeysExchanged { question: String },
    /// Will the client's latest get return this value (among its versions)?
    Returns { question: String, client: String, value: String },
    /// How many keys will the node hold in its own store?
    Stored { question: String, node: String },
    /// Will the node hold this value of the key in its own store (among its versions)?
    Holds { question: String, node: String, key: String, value: String },
    /// Which nodes will believe this node is down (§4.8.3: each by its own view)?
    BelievedDown { question: String, node: String },
}

impl Ask {
    /// The question in the lesson's words.
    pub fn question(&self) -> &str {
        match self {
            Ask::Replicas { question, .. }
            | Ask::Outcome { question, .. }
            | Ask::Versions { question, .. }
            | Ask::HintHolders { question, .. }
            | Ask::KeysExchanged { question }
            | Ask::Returns { question, .. }
            | Ask::Stored { question, .. }
            | Ask::Holds { question, .. }
            | Ask::BelievedDown { question, .. } => question,
        }
    }
}

impl Lesson {
    /// The lesson's checks against its scenario: every beat's words, steps, view and
    /// question make sense.
    pub fn check(&self, scenario: &Scenario) -> Result<(), String> {
        if self.beats.is_empty() || self.beats.len() > MAX_BEATS {
            return Err(format!("a lesson has 1 to {MAX_BEATS} beats ({})", self.beats.len()));
        }
        let steps = scenario.steps.len();
        let nodes = node_names(scenario);
        let clients = client_names(scenario);
        let mut taken = 0;
        for (i, beat) in self.beats.iter().enumerate() {
            let at = format!("lesson beat {}", i + 1);
            check_say(&beat.say).map_err(|e| format!("{at}: {e}"))?;
            if let Some(to) = beat.run_to {
                if to == 0 || to > steps {
                    return Err(format!("{at}: run_to {to} is not a step (the file has {steps})"));
                }
                if to < taken {
                    return Err(format!("{at}: run_to {to} goes back (step {taken} is taken)"));
                }
            }
            let runs = beat.run_to.is_some_and(|to| to > taken);
            if beat.ask.is_some() && !runs {
                return Err(format!("{at}: a question is about steps still to run: set run_to"));
            }
            taken = beat.run_to.unwrap_or(taken);
            if let Some(show) = &beat.show {
                show.check(&nodes, &clients).map_err(|e| format!("{at}: {e}"))?;
            }
            if let Some(ask) = &beat.ask {
                ask.check(&clients, &nodes).map_err(|e| format!("{at}: {e}"))?;
            }
        }
        Ok(())
    }
}

/// A beat's words: some, not too many, citing the paper.
fn check_say(say: &str) -> Result<(), String> {
    let chars = say.chars().count();
    if say.trim().is_empty() || chars > MAX_SAY_CHARS {
        return Err(format!("say has 1 to {MAX_SAY_CHARS} characters ({chars})"));
    }
    if sentences(say) > MAX_SENTENCES {
        return Err(format!("say at most {MAX_SENTENCES} sentences ({})", sentences(say)));
    }
    if !say.contains('§') {
        return Err("say which section of the paper this is (§…)".into());
    }
    Ok(())
}

/// Sentences: ends (. ? !) followed by a space or the end ("§4.4" is not an end).
fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    let end = |i: usize| matches!(chars[i], '.' | '?' | '!');
    (0..chars.len())
        .filter(|&i| end(i) && chars.get(i + 1).is_none_or(|c| c.is_whitespace()))
        .count()
}

impl Show {
    fn check(&self, nodes: &[String], clients: &[String]) -> Result<(), String> {
        let key =
            |k: &str| if k.trim().is_empty() { Err("name a key".to_string()) } else { Ok(()) };
        match self {
            Show::Ring | Show::Lanes { client: None } => Ok(()),
            Show::Merkle { node, peer } => {
                for n in node.iter().chain(peer) {
                    known(nodes, n, "node")?;
                }
                Ok(())
            }
            Show::Key { key: k } | Show::Versions { key: k } => key(k),
            Show::Lanes { client: Some(c) } => known(clients, c, "client"),
            Show::Node { node } => known(nodes, node, "node"),
        }
    }
}

impl Ask {
    fn check(&self, clients: &[String], nodes: &[String]) -> Result<(), String> {
        let question = self.question();
        if question.trim().is_empty() || question.chars().count() > MAX_SAY_CHARS {
            return Err(format!("a question has 1 to {MAX_SAY_CHARS} characters"));
        }
        match self {
            Ask::Outcome { client, .. }
            | Ask::Versions { client, .. }
            | Ask::Returns { client, .. } => known(clients, client, "client"),
            Ask::Stored { node, .. } | Ask::Holds { node, .. } | Ask::BelievedDown { node, .. } => {
                known(nodes, node, "node")
            }
            Ask::Replicas { key, .. } | Ask::HintHolders { key, .. } if key.trim().is_empty() => {
                Err("name a key".into())
            }
            _ => Ok(()),
        }
    }
}

fn known(names: &[String], name: &str, what: &str) -> Result<(), String> {
    if names.iter().any(|n| n == name) {
        Ok(())
    } else {
        Err(format!("unknown {what} {name:?}"))
    }
}

/// Every node the scenario names: the cluster's and those that join.
fn node_names(scenario: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = scenario.cluster.nodes.iter().map(|n| n.id.clone()).collect();
    for step in &scenario.steps {
        if let Op::Act(Action::Join { node, .. }) = &step.op {
            names.push(node.clone());
        }
    }
    names
}

/// Every client the scenario's steps name.
fn client_names(scenario: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for step in &scenario.steps {
        if let Op::Act(Action::Get { client, .. } | Action::Put { client, .. }) = &step.op {
            if !names.contains(client) {
                names.push(client.clone());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_end_with_a_stop_and_a_space_not_inside_a_section_number() {
        assert_eq!(sentences("The ring (§4.2). Each node has tokens."), 2);
        assert_eq!(sentences("Will it succeed? Yes!"), 2);
        assert_eq!(sentences("See §4.4 and §6.2"), 0);
        assert!(check_say("One. Two. Three. Four (§4.1).").unwrap_err().contains("3 sentences"));
        assert!(check_say("No citation here.").unwrap_err().contains("§"));
        assert!(check_say("Fine (§4.1).").is_ok());
    }
}
