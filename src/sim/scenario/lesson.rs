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

/// A view a beat shows. (In the file a flat object, `{"view": "key", "key": "cart"}`: read
/// through [`Fields`], which is far smaller in the page than an internally tagged enum.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Fields", into = "Fields")]
pub enum Show {
    /// The ring alone.
    Ring,
    /// A key looked up: its position and preference list (§4.3).
    Key { key: String },
    /// A key's version history (§4.4).
    Versions { key: String },
    /// The time lanes, following a client's latest request if one is named (§4.5).
    Lanes { client: Option<String> },
    /// The Merkle exchange (§4.7): following anti-entropy, or `node`'s tree beside
    /// `peer`'s over the first range of `node`'s where they differ (else they share).
    Merkle { node: Option<String>, peer: Option<String> },
    /// A node's inspector.
    Node { node: String },
    /// The three partitioning strategies of §6.2 on the cluster's nodes, side by side.
    Strategies,
}

/// A question about what the beat's steps will do, in the lesson's words (`question`),
/// and what it is about, and so how its answer is found. The answer is worked out, never
/// written in the file. (In the file a flat object with `what`, read through [`Fields`].)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Fields", into = "Fields")]
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
    /// Which node will hold the most keys in its own store (§4.2: more tokens, more keys)?
    MostKeys { question: String },
    /// Which nodes will count this node a member of the ring, each by its own view (§4.8)?
    Members { question: String, node: String },
    /// Which strategy (1, 2 or 3) balances load best on these nodes (§6.2)?
    BestStrategy { question: String },
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
            | Ask::BelievedDown { question, .. }
            | Ask::MostKeys { question }
            | Ask::Members { question, .. }
            | Ask::BestStrategy { question } => question,
        }
    }
}

/// The fields a `show` or an `ask` object may have, as the file writes them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    view: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    what: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    peer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

impl Fields {
    /// Field `name`, which this kind of object needs.
    fn take(field: &mut Option<String>, name: &str, of: &str) -> Result<String, String> {
        field.take().ok_or_else(|| format!("{of} needs \"{name}\""))
    }

    /// Every field left over is one this kind of object does not have.
    fn done(self, of: &str) -> Result<(), String> {
        let names = [
            ("view", self.view.is_some()),
            ("what", self.what.is_some()),
            ("question", self.question.is_some()),
            ("key", self.key.is_some()),
            ("client", self.client.is_some()),
            ("node", self.node.is_some()),
            ("peer", self.peer.is_some()),
            ("value", self.value.is_some()),
        ];
        match names.iter().find(|(_, set)| *set) {
            Some((name, _)) => Err(format!("{of} has no field \"{name}\"")),
            None => Ok(()),
        }
    }
}

impl TryFrom<Fields> for Show {
    type Error = String;

    fn try_from(mut f: Fields) -> Result<Show, String> {
        let view = Fields::take(&mut f.view, "view", "a show")?;
        let of = format!("the view {view:?}");
        let show = match view.as_str() {
            "ring" => Show::Ring,
            "key" => Show::Key { key: Fields::take(&mut f.key, "key", &of)? },
            "versions" => Show::Versions { key: Fields::take(&mut f.key, "key", &of)? },
            "lanes" => Show::Lanes { client: f.client.take() },
            "merkle" => Show::Merkle { node: f.node.take(), peer: f.peer.take() },
            "node" => Show::Node { node: Fields::take(&mut f.node, "node", &of)? },
            "strategies" => Show::Strategies,
            _ => {
                return Err(format!(
                    "unknown view {view:?}: ring, key, versions, lanes, merkle, node or \
                     strategies"
                ))
            }
        };
        f.done(&of)?;
        Ok(show)
    }
}

impl From<Show> for Fields {
    fn from(show: Show) -> Fields {
        let view = |v: &str| Some(v.to_string());
        match show {
            Show::Ring => Fields { view: view("ring"), ..Fields::default() },
            Show::Key { key } => Fields { view: view("key"), key: Some(key), ..Fields::default() },
            Show::Versions { key } => {
                Fields { view: view("versions"), key: Some(key), ..Fields::default() }
            }
            Show::Lanes { client } => Fields { view: view("lanes"), client, ..Fields::default() },
            Show::Merkle { node, peer } => {
                Fields { view: view("merkle"), node, peer, ..Fields::default() }
            }
            Show::Node { node } => {
                Fields { view: view("node"), node: Some(node), ..Fields::default() }
            }
            Show::Strategies => Fields { view: view("strategies"), ..Fields::default() },
        }
    }
}

impl TryFrom<Fields> for Ask {
    type Error = String;

    fn try_from(mut f: Fields) -> Result<Ask, String> {
        let what = Fields::take(&mut f.what, "what", "an ask")?;
        let of = format!("the question {what:?}");
        let question = Fields::take(&mut f.question, "question", &of)?;
        let need = |field: &mut Option<String>, name: &str| Fields::take(field, name, &of);
        let ask = match what.as_str() {
            "replicas" => Ask::Replicas { question, key: need(&mut f.key, "key")? },
            "outcome" => Ask::Outcome { question, client: need(&mut f.client, "client")? },
            "versions" => Ask::Versions { question, client: need(&mut f.client, "client")? },
            "hint_holders" => Ask::HintHolders { question, key: need(&mut f.key, "key")? },
            "keys_exchanged" => Ask::KeysExchanged { question },
            "returns" => Ask::Returns {
                question,
                client: need(&mut f.client, "client")?,
                value: need(&mut f.value, "value")?,
            },
            "stored" => Ask::Stored { question, node: need(&mut f.node, "node")? },
            "holds" => Ask::Holds {
                question,
                node: need(&mut f.node, "node")?,
                key: need(&mut f.key, "key")?,
                value: need(&mut f.value, "value")?,
            },
            "believed_down" => Ask::BelievedDown { question, node: need(&mut f.node, "node")? },
            "most_keys" => Ask::MostKeys { question },
            "members" => Ask::Members { question, node: need(&mut f.node, "node")? },
            "best_strategy" => Ask::BestStrategy { question },
            _ => {
                return Err(format!(
                    "unknown question {what:?}: replicas, hint_holders, outcome, versions, \
                     returns, holds, stored, keys_exchanged, believed_down, most_keys, \
                     members or best_strategy"
                ))
            }
        };
        f.done(&of)?;
        Ok(ask)
    }
}

impl From<Ask> for Fields {
    fn from(ask: Ask) -> Fields {
        let f = |what: &str, question: String| Fields {
            what: Some(what.to_string()),
            question: Some(question),
            ..Fields::default()
        };
        match ask {
            Ask::Replicas { question, key } => Fields { key: Some(key), ..f("replicas", question) },
            Ask::Outcome { question, client } => {
                Fields { client: Some(client), ..f("outcome", question) }
            }
            Ask::Versions { question, client } => {
                Fields { client: Some(client), ..f("versions", question) }
            }
            Ask::HintHolders { question, key } => {
                Fields { key: Some(key), ..f("hint_holders", question) }
            }
            Ask::KeysExchanged { question } => f("keys_exchanged", question),
            Ask::Returns { question, client, value } => {
                Fields { client: Some(client), value: Some(value), ..f("returns", question) }
            }
            Ask::Stored { question, node } => Fields { node: Some(node), ..f("stored", question) },
            Ask::Holds { question, node, key, value } => Fields {
                node: Some(node),
                key: Some(key),
                value: Some(value),
                ..f("holds", question)
            },
            Ask::BelievedDown { question, node } => {
                Fields { node: Some(node), ..f("believed_down", question) }
            }
            Ask::MostKeys { question } => f("most_keys", question),
            Ask::Members { question, node } => {
                Fields { node: Some(node), ..f("members", question) }
            }
            Ask::BestStrategy { question } => f("best_strategy", question),
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
            Show::Ring | Show::Strategies | Show::Lanes { client: None } => Ok(()),
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
            Ask::Stored { node, .. }
            | Ask::Holds { node, .. }
            | Ask::BelievedDown { node, .. }
            | Ask::Members { node, .. } => known(nodes, node, "node"),
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
    fn shows_and_questions_read_from_flat_objects_and_say_what_is_wrong() {
        let show: Show = serde_json::from_str(r#"{"view": "merkle", "node": "A"}"#).unwrap();
        assert_eq!(show, Show::Merkle { node: Some("A".into()), peer: None });
        let ask: Ask =
            serde_json::from_str(r#"{"what": "stored", "node": "A", "question": "How many?"}"#)
                .unwrap();
        assert_eq!(serde_json::to_value(&ask).unwrap()["what"], "stored");
        let bad = |text: &str| serde_json::from_str::<Ask>(text).unwrap_err().to_string();
        assert!(bad(r#"{"what": "stored", "question": "?"}"#).contains("needs \"node\""));
        assert!(bad(r#"{"what": "outcome", "client": "c", "question": "?", "key": "k"}"#)
            .contains("has no field \"key\""));
        assert!(bad(r#"{"what": "guess", "question": "?"}"#).contains("unknown question"));
        assert!(bad(r#"{"what": "stored", "question": "?", "nod": "A"}"#).contains("nod"));
        let bad = serde_json::from_str::<Show>(r#"{"view": "globe"}"#).unwrap_err().to_string();
        assert!(bad.contains("unknown view"));
    }

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
