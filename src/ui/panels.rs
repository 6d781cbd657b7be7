//! The panels around the ring: clients, the inspector, fault injection, settings, the
//! event log and the numbers. Each draws part of a [`Playground`] and turns what the user
//! does into [`Cmd`]s.

use crate::app::describe::{
    hint_text, log_lines, ms, network_state, range_state, short_position, version_text, LogFilter,
};
use crate::app::glossary;
use crate::app::merkle::Pick;
use crate::app::{
    error_for, ClientField, Cmd, FaultField, FieldErrors, Playground, Selected, SettingsField,
    Switch, MAX_CLIENTS,
};
use crate::core::message::ClientReply;
use crate::core::NodeId;
use crate::sim::World;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// How many log lines are shown.
const LOG_LINES: usize = 100;
/// How many keys of a store the inspector lists.
const STORE_ROWS: usize = 60;

fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

pub(super) fn select_value(e: Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// A field's error message, right under it.
fn field_error(error: Option<&str>) -> Html {
    match error {
        Some(text) => html! { <span class="field-error" role="alert">{ text }</span> },
        None => html! {},
    }
}

/// A labelled text field whose every keystroke becomes a command; `errors` may hold a
/// message for it (by its class), shown next to it.
pub(super) fn field(
    label: &str,
    class: &'static str,
    value: &str,
    errors: &FieldErrors,
    d: &Callback<Cmd>,
    to_cmd: impl Fn(String) -> Cmd + 'static,
) -> Html {
    field_boxed(label, class, value, errors, d, Box::new(to_cmd))
}

/// [`field`]'s body, once for all fields (not a copy per closure type: the page is smaller).
fn field_boxed(
    label: &str,
    class: &'static str,
    value: &str,
    errors: &FieldErrors,
    d: &Callback<Cmd>,
    to_cmd: Box<dyn Fn(String) -> Cmd>,
) -> Html {
    let oninput = d.reform(move |e: InputEvent| to_cmd(input_value(e)));
    let error = error_for(errors, class);
    html! {
        <label class={classes!("field", class, error.is_some().then_some("invalid"))}>
            <span>{ label }</span>
            <input type="text" value={value.to_string()} {oninput} spellcheck="false"
                   autocomplete="off" aria-invalid={error.is_some().to_string()} />
            { field_error(error) }
        </label>
    }
}

/// A select over the node names.
fn node_select(
    world: &World,
    label: &str,
    class: &'static str,
    value: &str,
    errors: &FieldErrors,
    d: &Callback<Cmd>,
    to_cmd: impl Fn(String) -> Cmd + 'static,
) -> Html {
    node_select_boxed(world, label, class, value, errors, d, Box::new(to_cmd))
}

/// [`node_select`]'s body, once for all.
fn node_select_boxed(
    world: &World,
    label: &str,
    class: &'static str,
    value: &str,
    errors: &FieldErrors,
    d: &Callback<Cmd>,
    to_cmd: Box<dyn Fn(String) -> Cmd>,
) -> Html {
    let onchange = d.reform(move |e: Event| to_cmd(select_value(e)));
    let error = error_for(errors, class);
    html! {
        <label class={classes!("field", class, error.is_some().then_some("invalid"))}>
            <span>{ label }</span>
            <select {onchange} aria-invalid={error.is_some().to_string()}>
                { for world.names().iter().map(|name| html! {
                    <option value={name.clone()} selected={name == value}>{ name }</option>
                }) }
            </select>
            { field_error(error) }
        </label>
    }
}

fn error(message: &Option<String>) -> Html {
    match message {
        Some(text) => html! { <p class="error" role="alert">{ text }</p> },
        None => html! {},
    }
}

fn button(label: &str, class: &'static str, d: &Callback<Cmd>, cmd: Cmd) -> Html {
    let onclick = d.reform(move |_: MouseEvent| cmd.clone());
    html! { <button class={class} {onclick}>{ label }</button> }
}

/// Versions side by side, each with its vector clock (§4.4).
fn versions_view(world: &World, versions: &[crate::core::version::Version]) -> Html {
    html! {
        <div class="siblings">
            { for versions.iter().map(|v| html! {
                <div class="sibling">
                    <span class="value">{ v.value.to_string() }</span>
                    <span class="clock">{ world.clock_text(&v.clock) }</span>
                </div>
            }) }
        </div>
    }
}

/// Clients that call get and put on a node of their choice (§4.1).
pub fn clients_panel(p: &Playground, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let no_errors = FieldErrors::new();
    let clients = p.clients.iter().enumerate().map(|(i, c)| {
        let latest = world.ops().iter().rev().find(|op| *op.client == *c.name);
        let result = match latest {
            None => html! { <p class="result muted">{ "No request yet." }</p> },
            Some(op) => {
                let what = format!("{} {} via {}", op.kind.label(), op.key, world.name(op.via));
                match op.outcome.as_deref() {
                    None => html! {
                        <p class="result pending">
                            { format!("{what}: waiting for an answer…") }
                        </p>
                    },
                    Some(ClientReply::Got { versions, .. }) if versions.len() > 1 => html! {
                        <div class="result got">
                            <p>
                                <strong>{ format!("{what}: {} siblings", versions.len()) }</strong>
                                { " — concurrent versions; reconcile them." }
                            </p>
                            { versions_view(world, versions) }
                        </div>
                    },
                    Some(ClientReply::Got { versions, .. }) if versions.is_empty() => {
                        html! { <p class="result got">{ format!("{what}: not found") }</p> }
                    }
                    Some(ClientReply::Got { versions, .. }) => html! {
                        <div class="result got">
                            <p>{ format!("{what}:") }</p>{ versions_view(world, versions) }
                        </div>
                    },
                    Some(ClientReply::Put { version, coordinator, .. }) => {
                        let stored = format!("{what}: stored {}", version_text(world, version));
                        let by = format!(" — coordinated by {}", world.name(*coordinator));
                        html! {
                            <p class="result put">{ stored }<span class="muted">{ by }</span></p>
                        }
                    }
                    Some(ClientReply::Failed { error, .. }) => {
                        html! { <p class="result failed">{ format!("{what} failed: {error}") }</p> }
                    }
                }
            }
        };
        let context = world.last_read_context(&c.name, &c.key);
        let context_text = if context.is_empty() {
            "none (a blind write)".to_string()
        } else {
            world.clock_text(&context)
        };
        html! {
            <div class="client" data-client={c.name.clone()}>
                <h3>
                    { &c.name }
                    <button class="remove-client" title="Take this client's card away"
                            aria-label={format!("remove client {}", c.name)}
                            onclick={d.reform(move |_: MouseEvent| Cmd::RemoveClient(i))}>
                        { "×" }
                    </button>
                </h3>
                <div class="client-fields">
                    { node_select(world, "via", "via", world.name(c.via), &no_errors, d,
                                  move |v| Cmd::ClientField(i, ClientField::Via, v)) }
                    { field("key", "key", &c.key, &no_errors, d,
                            move |v| Cmd::ClientField(i, ClientField::Key, v)) }
                    { field("value", "value", &c.value, &no_errors, d,
                            move |v| Cmd::ClientField(i, ClientField::Value, v)) }
                </div>
                <div class="buttons">
                    { button("Get", "get", d, Cmd::ClientGet(i)) }
                    { button("Put", "put", d, Cmd::ClientPut(i)) }
                    <button class="reconcile" onclick={d.reform(move |_| Cmd::ClientReconcile(i))}
                            title="Semantic reconciliation (§4.4): put the union of the \
                                   siblings' carts, with the context of the get that \
                                   returned them">
                        { "Reconcile" }
                    </button>
                </div>
                { error(&c.error) }
                { result }
                if !c.key.trim().is_empty() {
                    <p class="context">
                        { "context for the next put of " }<code>{ &c.key }</code>{ ": " }
                        <span class="clock">{ context_text }</span>
                    </p>
                }
            </div>
        }
    });
    html! {
        <section class="panel clients">
            <h2>{ "Clients" }</h2>
            <details class="explain">
                <summary>{ "A put carries the context of the client's last get (§4.1)." }</summary>
                { "Two blind puts through different coordinators make siblings, which a get \
                   shows side by side; through the same coordinator the later one just \
                   overwrites (its counter grows: a limit of vector clocks with one entry per \
                   coordinator, §4.4)." }
            </details>
            <div class="cards">{ for clients }</div>
            if p.clients.len() < MAX_CLIENTS {
                { button("+ client", "add-client", d, Cmd::AddClient) }
            }
        </section>
    }
}

/// What is selected: a node's state, or a message's contents.
pub fn inspector(p: &Playground, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    match &p.selected {
        None => html! {
            <section class="panel inspector empty">
                <h2>{ "Inspector" }</h2>
                <p class="explain">
                    { "Click a node to see its store, hints and view of the ring, and to crash, \
                       wipe or remove it. Click a moving message to see what it carries." }
                </p>
            </section>
        },
        Some(Selected::Message { id, rows }) => {
            let arrived = world.message(*id).is_none();
            html! {
                <section class="panel inspector message-inspector" data-id={id.to_string()}>
                    <h2>
                        { format!("Message #{id}") }
                        { button("×", "close", d, Cmd::CloseInspector) }
                    </h2>
                    if arrived {
                        <p class="muted">{ "(no longer on the wire: as it was when clicked)" }</p>
                    }
                    <table class="rows">
                        { for rows.iter().map(|(k, v)| html! {
                            <tr><th>{ k }</th><td>{ v }</td></tr>
                        }) }
                    </table>
                </section>
            }
        }
        Some(Selected::Node(node)) if node.index() < world.names().len() => {
            node_inspector(p, *node, d)
        }
        Some(Selected::Node(_)) => html! {},
        Some(Selected::Versions(key)) => super::versions_view::versions_panel(p, key, d),
        Some(Selected::SpaceTime { span, filter }) => {
            super::spacetime_view::spacetime_panel(p, *span, *filter, d)
        }
        Some(Selected::Merkle(pick)) => super::merkle_view::merkle_panel(p, *pick, d),
        Some(Selected::Strategies(compared)) => {
            super::strategies_view::strategies_panel(p, compared, d)
        }
    }
}

fn node_inspector(p: &Playground, id: NodeId, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let node = world.node(id);
    let up = world.is_up(id);
    let member = world
        .membership()
        .record(id)
        .is_some_and(|r| r.status == crate::core::membership::MemberStatus::Joined);
    let name = world.name(id).to_string();
    let actor = world.actor_name(node.actor());
    let identity = if node.actor().epoch == 0 {
        format!("Stamps vector clocks as {actor} (§4.4).")
    } else {
        format!(
            "Stamps vector clocks as {actor}, a new identity: its disk, and the counters it \
             handed out as {name}, are gone; reusing one could lose a new write (§4.4)."
        )
    };
    let store = node.store();
    let keys = store.keys();
    let rows = keys.iter().take(STORE_ROWS).map(|&key| {
        let k = key.to_string();
        let onmouseenter = d.reform(move |_: MouseEvent| Cmd::Lookup(k.clone()));
        let versions = versions_view(world, store.versions_of(key));
        html! { <tr {onmouseenter}><th>{ key.as_str() }</th><td>{ versions }</td></tr> }
    });
    let hinted = world.hinted_replicas(id);
    let hints = hinted.iter().map(|(owner, key, held)| {
        let versions = node.hints().get(owner).and_then(|keys| keys.get(key));
        let text: Vec<String> =
            versions.iter().flat_map(|vs| vs.iter()).map(|v| version_text(world, v)).collect();
        let line = hint_text(world, *owner, key.as_str(), *held, &text.join(" | "));
        html! { <li data-owner={world.name(*owner).to_string()}>{ line }</li> }
    });
    let down: Vec<String> = node
        .believed_down()
        .iter()
        .map(|(peer, since)| format!("{} (since {})", world.name(*peer), ms(*since)))
        .collect();
    let members = node.membership().records().iter().map(|(m, r)| {
        let text = format!(
            "{}: {:?}, {} tokens, version {}",
            world.name(*m),
            r.status,
            r.tokens.len(),
            r.version
        );
        html! { <li>{ text }</li> }
    });
    let ranges = node.hosted_ranges();
    let trees = ranges.iter().map(|(range, replicas)| {
        let (text, differs) = range_state(world, id, *range, replicas);
        let range_text = format!("{}…{}", short_position(range.start), short_position(range.end));
        let peers = replicas.iter().copied().filter(|&r| r != id);
        let compare = peers.map(|b| {
            let pick = Pick::Pair { a: id, b, range: *range };
            let onclick = d.reform(move |_: MouseEvent| Cmd::ShowMerkle(pick));
            html! {
                <button class="compare" {onclick}
                        title={format!("{name}'s Merkle tree of this range beside {}'s (§4.7)",
                                       world.name(b))}>
                    { format!("vs {}", world.name(b)) }
                </button>
            }
        });
        html! {
            <tr class={classes!(differs.then_some("differs"))}>
                <th>{ range_text }</th>
                <td>{ text }{ " " }{ for compare }</td>
            </tr>
        }
    });
    let status = if up { "up" } else { "down" };
    html! {
        <section class="panel inspector node-inspector" data-node={name.clone()}>
            <h2>{ format!("Node {name}") }<span class={classes!("status", status)}>{ status }</span>
                if !member { <span class="status outside">{ "outside the ring" }</span> }
                { button("×", "close", d, Cmd::CloseInspector) }</h2>
            <div class="buttons">
                if up {
                    { button("Crash", "crash", d, Cmd::Crash(id)) }
                } else {
                    { button("Recover", "recover", d, Cmd::Recover(id)) }
                }
                { button("Wipe disk", "wipe", d, Cmd::Wipe(id)) }
                if member {
                    { button("Remove from ring", "leave", d, Cmd::Leave(id)) }
                } else {
                    { button("Join the ring again", "rejoin", d, Cmd::Rejoin(id)) }
                }
            </div>
            { error(&p.faults.node_error) }
            <p class="explain identity">{ identity }</p>
            <h3>
                { format!("Store: {}", crate::app::describe::count(keys.len() as u64, "key")) }
            </h3>
            if keys.is_empty() { <p class="muted">{ "empty" }</p> }
            <table class="rows store">{ for rows }</table>
            if keys.len() > STORE_ROWS {
                <p class="muted">{ format!("… and {} more", keys.len() - STORE_ROWS) }</p>
            }
            <h3>{ "Hinted replicas (kept for others, §4.6)" }</h3>
            if node.hints().is_empty() { <p class="muted">{ "none" }</p> }
            <ul class="hints">{ for hints }</ul>
            <h3>{ "Believes down (§4.8.3)" }</h3>
            <p class="believes-down">
                { if down.is_empty() { "nobody".to_string() } else { down.join(", ") } }
            </p>
            <h3>{ "Its view of the membership (§4.8)" }</h3>
            <ul class="members">{ for members }</ul>
            <h3>{ "The key ranges it keeps, and their Merkle roots (§4.3, §4.7)" }</h3>
            <p class="explain">
                { format!("{} ranges, drawn on the ring in {name}'s colour: those whose first \
                           N nodes include it.", ranges.len()) }
            </p>
            <table class="rows trees">{ for trees }</table>
        </section>
    }
}

/// Breaking things: partitions, link faults, the network, nodes joining and leaving.
pub fn faults_panel(p: &Playground, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let f = &p.faults;
    let chips = world.node_ids().map(|id| {
        let checked = f.cut.contains(&id);
        let onchange = d.reform(move |_: Event| Cmd::ToggleCut(id));
        html! {
            <label class="chip">
                <input type="checkbox" {checked} {onchange} />{ world.name(id) }
            </label>
        }
    });
    let latency_kind = {
        let onchange =
            d.reform(|e: Event| Cmd::FaultField(FaultField::LatencyKind, select_value(e)));
        html! {
            <label class="field latency-kind"><span>{ "latency" }</span>
                <select {onchange}>
                    { for ["fixed", "uniform", "exponential"].iter().map(|k| html! {
                        <option value={*k} selected={f.latency_kind == *k}>{ *k }</option>
                    }) }
                </select>
            </label>
        }
    };
    let (a_label, b_label) = match f.latency_kind.as_str() {
        "fixed" => ("ms", None),
        "exponential" => ("mean ms", None),
        _ => ("min ms", Some("max ms")),
    };
    let net = world.network();
    let network_state = network_state(world);
    let faulty_links = net.links().next().is_some();
    let network_now = format!(
        "now: {} latency, {:.1}% drops",
        latency_text(&net.latency()),
        net.drop_rate * 100.0
    );
    let load = if p.session.load_on() { "Stop background load" } else { "Start background load" };
    html! {
        <section class="panel faults">
            <h2>{ "Break things" }</h2>
            <h3>{ "Partition the network" }</h3>
            <div class="chips">{ for chips }</div>
            <div class="buttons">
                { button("Cut off the ticked nodes", "partition", d, Cmd::Partition) }
                { button("Heal", "heal", d, Cmd::Heal) }
                if faulty_links {
                    { button("Clear the faulty links", "clear-links", d, Cmd::ClearLinks) }
                }
            </div>
            { error(&f.partition_error) }
            <p class="network-state">{ network_state }</p>
            <h3>{ "Membership and repair" }</h3>
            <div class="buttons">
                { button("+ Add a node", "add-node", d, Cmd::AddNode) }
                { button("Run anti-entropy now", "anti-entropy", d, Cmd::AntiEntropy) }
                { button(load, "load", d, Cmd::ToggleLoad) }
            </div>
            <h3>{ "A faulty link" }</h3>
            <div class="row">
                { node_select(world, "between", "link-a", &f.link_a, &f.link_errors, d,
                              |v| Cmd::FaultField(FaultField::LinkA, v)) }
                { node_select(world, "and", "link-b", &f.link_b, &f.link_errors, d,
                              |v| Cmd::FaultField(FaultField::LinkB, v)) }
                { field("drop %", "link-drop", &f.link_drop_percent, &f.link_errors, d,
                        |v| Cmd::FaultField(FaultField::LinkDrop, v)) }
                { field("+ms", "link-delay", &f.link_delay_ms, &f.link_errors, d,
                        |v| Cmd::FaultField(FaultField::LinkDelay, v)) }
                { button("Set", "apply-link", d, Cmd::ApplyLink) }
            </div>
            <h3>{ "The whole network" }</h3>
            <div class="row">
                { latency_kind }
                { field(a_label, "latency-a", &f.latency_a, &f.network_errors, d,
                        |v| Cmd::FaultField(FaultField::LatencyA, v)) }
                if let Some(b) = b_label {
                    { field(b, "latency-b", &f.latency_b, &f.network_errors, d,
                            |v| Cmd::FaultField(FaultField::LatencyB, v)) }
                }
                { field("drop %", "drop", &f.drop_percent, &f.network_errors, d,
                        |v| Cmd::FaultField(FaultField::Drop, v)) }
                { button("Set", "apply-network", d, Cmd::ApplyNetwork) }
            </div>
            <p class="muted">{ network_now }</p>
            if p.selected.is_none() { { error(&f.node_error) } }
        </section>
    }
}

fn latency_text(latency: &crate::sim::network::Latency) -> String {
    use crate::sim::network::Latency;
    match latency {
        Latency::Fixed { ms } => format!("{ms} ms fixed"),
        Latency::Uniform { min, max } => format!("{min}–{max} ms uniform"),
        Latency::Exponential { mean } => format!("{mean} ms mean exponential"),
    }
}

/// N, R, W, the feature switches and the seed: applying them starts a new run.
pub fn settings_panel(p: &Playground, d: &Callback<Cmd>) -> Html {
    let s = &p.settings;
    let switch = |label: &str, class: &'static str, on: bool, which: Switch| {
        let onchange = d.reform(move |_: Event| Cmd::Toggle(which));
        html! {
            <label class={classes!("switch", class)} title={glossary::title(label)}>
                <input type="checkbox" checked={on} {onchange} />{ label }
            </label>
        }
    };
    html! {
        <section class="panel settings">
            <h2>{ "Cluster settings" }</h2>
            <div class="row">
                { field("nodes", "nodes", &s.nodes, &s.errors, d,
                        |v| Cmd::SettingsField(SettingsField::Nodes, v)) }
                { field("N", "n", &s.n, &s.errors, d, |v| Cmd::SettingsField(SettingsField::N, v)) }
                { field("R", "r", &s.r, &s.errors, d, |v| Cmd::SettingsField(SettingsField::R, v)) }
                { field("W", "w", &s.w, &s.errors, d, |v| Cmd::SettingsField(SettingsField::W, v)) }
                { field("seed", "seed", &s.seed, &s.errors, d,
                        |v| Cmd::SettingsField(SettingsField::Seed, v)) }
            </div>
            <p class="explain">
                { "N: how many nodes keep each key (§4.3). R: how many replicas a get waits \
                   for; W: how many a put waits for, the coordinator included (§4.5). With \
                   R + W > N a get's replicas and a put's share a node among the same N \
                   (a sloppy quorum's stand-ins can break that, §4.6)." }
            </p>
            <div class="switches">
                { switch("sloppy quorum", "sloppy", s.sloppy_quorum, Switch::SloppyQuorum) }
                { switch("hinted handoff", "handoff", s.hinted_handoff, Switch::HintedHandoff) }
                { switch("read repair", "repair", s.read_repair, Switch::ReadRepair) }
                { switch("last write wins", "lww", s.last_write_wins, Switch::LastWriteWins) }
                { switch("background load", "load", s.load, Switch::Load) }
            </div>
            { field("anti-entropy every (ms, empty = only on demand)", "anti-entropy-ms",
                    &s.anti_entropy_ms, &s.errors, d,
                    |v| Cmd::SettingsField(SettingsField::AntiEntropy, v)) }
            { field("replica timeout (ms, empty = from the network's latency)",
                    "replica-timeout-ms", &s.replica_timeout_ms, &s.errors, d,
                    |v| Cmd::SettingsField(SettingsField::ReplicaTimeout, v)) }
            <div class="buttons">
                { button("Start a new run with these settings", "apply-settings", d,
                         Cmd::ApplySettings) }
                <a class="share" href={p.applied.query()}
                   title="this run's settings and seed, as a link">{ "link to this run" }</a>
            </div>
        </section>
    }
}

/// The trace as sentences, filtered, newest first; clicking a line goes back to it.
pub fn log_panel(p: &Playground, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let lines = log_lines(world, p.log_filter, &p.log_text, LOG_LINES);
    let hash = world.trace().hash();
    let onfilter = d.reform(|e: Event| {
        Cmd::LogFilter(LogFilter::from_label(&select_value(e)).unwrap_or_default())
    });
    let ontext = d.reform(|e: InputEvent| Cmd::LogText(input_value(e)));
    html! {
        <section class="panel log-panel">
            <h2>
                { "Event log" }
                <span class="trace-hash" title={format!("trace hash {hash}: the same run gives \
                                                         the same hash, here and in dynamo-sim")}>
                    { format!("#{}", &hash[..8]) }
                </span>
                <button class="export-trace" onclick={d.reform(|_| Cmd::ExportTrace)}
                        title="Export the trace: every event of the run up to now, one JSON \
                               object per line (fields: README, 'The trace as JSON Lines')">
                    { "Export" }
                </button>
            </h2>
            <div class="row">
                <label class="field log-filter"><span>{ "show" }</span>
                    <select onchange={onfilter}>
                        { for LogFilter::ALL.iter().map(|f| html! {
                            <option value={f.label()} selected={*f == p.log_filter}>
                                { f.label() }
                            </option>
                        }) }
                    </select>
                </label>
                <label class="field log-text"><span>{ "containing" }</span>
                    <input type="text" value={p.log_text.clone()} oninput={ontext}
                           placeholder="a node, a key…" />
                </label>
            </div>
            <ol class="log">
                { for lines.into_iter().map(|(index, event, line)| {
                    let at = event.at;
                    let onclick = d.reform(move |_: MouseEvent| Cmd::Seek(at));
                    html! {
                        <li key={index} {onclick} title="go back to this moment">
                            <span class="at">{ format!("{:>10}", ms(at)) }</span>
                            { format!("  {line}") }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// The numbers of the run.
pub fn stats(p: &Playground) -> Html {
    let world = p.session.world();
    let m = world.metrics();
    let config = world.config();
    let puts = format!("{} / {}", m.puts_ok, m.puts_failed);
    let gets = format!("{} / {}", m.gets_ok, m.gets_failed);
    let hints = format!("{} / {}", m.hints_stored, m.hints_delivered);
    html! {
        <dl class="stats">
            <dt>{ "N, R, W" }</dt><dd>{ format!("{}, {}, {}", config.n, config.r, config.w) }</dd>
            <dt>{ "in flight" }</dt><dd class="in-flight">{ world.in_flight().count() }</dd>
            <dt>{ "delivered" }</dt><dd class="delivered">{ m.messages_delivered }</dd>
            <dt>{ "lost" }</dt><dd class="dropped">{ m.messages_dropped }</dd>
            <dt>{ "puts ok / failed" }</dt><dd class="puts">{ puts }</dd>
            <dt>{ "gets ok / failed" }</dt><dd class="gets">{ gets }</dd>
            <dt>{ "gets with siblings" }</dt><dd>{ m.gets_with_siblings }</dd>
            <dt title="Each write a stand-in kept for a down owner counts; a second write to \
                       the same key updates the same hinted replica, which goes back once (§4.6)">
                { "hinted writes kept / replicas handed back" }
            </dt>
            <dd class="hints-total">{ hints }</dd>
            <dt>{ "hinted replicas pending" }</dt>
            <dd class="hints-pending">{ world.pending_hints() }</dd>
            <dt>{ "seed" }</dt><dd class="seed">{ world.seed() }</dd>
        </dl>
    }
}
