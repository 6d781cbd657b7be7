//! The ring (§4.2): every token a tick on the circle in its node's colour, the nodes
//! around it with their load, a looked-up key with its preference list (§4.3), faulty
//! links, and every message in flight moving from sender to receiver.

use super::message_shape;
use crate::app::describe::count as counted;
use crate::app::palette::{message_style, node_colour};
use crate::core::accel::compact_sort;
use crate::core::message::MsgKind;
use std::f64::consts::TAU;
use yew::prelude::*;

/// A node as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub index: usize,
    pub name: String,
    pub up: bool,
    /// Its tokens, as fractions of the way round the ring.
    pub tokens: Vec<f64>,
    /// Keys in its store, and hinted replicas it keeps for others (§4.6).
    pub keys: usize,
    pub hints: usize,
    /// The owners of those hinted replicas.
    pub hint_owners: Vec<String>,
    /// A hinted replica it just handed back and deleted (§4.6): "✓ cart back to B", and
    /// the moment, so that each hand-back plays its animation once.
    pub handed_back: Option<(String, u64)>,
    /// For the looked-up key: the replica that is down and that this node stands in for.
    pub stand_in_for: Option<String>,
    pub selected: bool,
    /// Its side of the partition (1, 2, …), while the network is split.
    pub side: Option<usize>,
    /// Its place in the looked-up key's preference list (0 = coordinator), if any.
    pub rank: Option<usize>,
    /// Whether it is outside the ring (not joined, or left).
    pub outside: bool,
}

/// A message as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    pub id: u64,
    pub from: usize,
    pub to: usize,
    pub kind: MsgKind,
    /// How far along it is, 0 (just sent) to 1 (arriving).
    pub progress: f64,
    /// It will be lost (drawn falling away as it nears the receiver).
    pub doomed: bool,
    pub selected: bool,
}

/// A looked-up key: where it falls on the ring.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyMark {
    pub key: String,
    pub fraction: f64,
}

#[derive(Properties, PartialEq)]
pub struct RingProps {
    pub nodes: Vec<NodeView>,
    pub messages: Vec<MessageView>,
    pub lookup: Option<KeyMark>,
    /// The replication factor: the first `n` of a preference list are the replicas.
    pub n: usize,
    /// Faulty links, by node index, with a short label.
    pub links: Vec<(usize, usize, String)>,
    /// Coordinators waiting on replicas that cannot answer: (coordinator, replica, label).
    pub waits: Vec<(usize, usize, String)>,
    /// Hinted replicas waiting for their owners: (holder, owner, label) (§4.6).
    pub hint_waits: Vec<(usize, usize, String)>,
    /// The key ranges the selected node keeps, as (start, end] fractions of the ring, with
    /// its index (§4.3: the region between it and its Nth predecessor).
    pub kept: Option<(usize, Vec<(f64, f64)>)>,
    /// Keys held in the cluster, with their place on the ring; hovering one looks it up.
    pub keys: Vec<(String, f64)>,
    pub on_key_hover: Callback<String>,
    pub on_node_click: Callback<usize>,
    pub on_message_click: Callback<u64>,
}

/// Most messages in flight that are drawn with their names.
const MAX_LABELLED: usize = 12;

const VIEW_BOX: &str = "-20 -20 1040 1060";
const CENTRE: f64 = 500.0;
const RING_RADIUS: f64 = 300.0;
const NODE_RADIUS: f64 = 420.0;

/// A point at `fraction` of the way round a circle of `radius`, clockwise from the top.
fn point(fraction: f64, radius: f64) -> (f64, f64) {
    let angle = fraction * TAU;
    (CENTRE + radius * angle.sin(), CENTRE - radius * angle.cos())
}

/// Where node `index` of `count` sits: evenly spaced around the ring.
fn node_point(index: usize, count: usize) -> (f64, f64) {
    point(index as f64 / count.max(1) as f64, NODE_RADIUS)
}

/// A node's drawn size: smaller when many share the circle.
fn node_size(count: usize) -> f64 {
    (0.42 * TAU * NODE_RADIUS / count.max(1) as f64).min(46.0)
}

fn node_mark(
    node: &NodeView,
    count: usize,
    size: f64,
    on_click: &Callback<usize>,
    lookup: bool,
    n: usize,
) -> Html {
    let (x, y) = node_point(node.index, count);
    let replica = node.rank.is_some_and(|r| r < n);
    let stand_in = node.stand_in_for.is_some();
    let class = classes!(
        "node",
        (!node.up).then_some("down"),
        node.selected.then_some("selected"),
        node.side.map(|side| format!("side-{}", side.min(3))),
        node.outside.then_some("outside"),
        replica.then_some("replica"),
        stand_in.then_some("stand-in"),
        (lookup && !replica && !stand_in && node.hints == 0).then_some("dimmed"),
    );
    let index = node.index;
    let onclick = on_click.reform(move |_: MouseEvent| index);
    let state = if !node.up {
        "down"
    } else if node.outside {
        "outside the ring"
    } else {
        "up"
    };
    let title = format!(
        "{}: {state}, {}, {}. Click to inspect it.",
        node.name,
        counted(node.keys as u64, "key"),
        counted(node.hints as u64, "hinted replica")
    );
    let big = size >= 30.0;
    let font = format!("font-size:{:.0}px", (size * 0.8).clamp(9.0, 36.0));
    // Where the state label ("down", "cut off", "stands in for …") sits, above the node.
    let state_y = format!("{:.1}", -size - 14.0);
    let stands_in_for = node.stand_in_for.as_ref().filter(|_| node.up && node.side.is_none());
    html! {
        <g key={node.index} class={class} data-node={node.name.clone()}
           transform={format!("translate({x:.1},{y:.1})")} {onclick}
           role="button" tabindex="0" aria-label={title.clone()}>
            <title>{ title }</title>
            if replica || stand_in {
                <circle class="replica-ring" r={format!("{:.1}", size + 10.0)} />
            }
            <circle class="body" r={format!("{size:.1}")} fill={node_colour(node.index)} />
            <text class="node-name" dy="0.35em" style={font}>{ &node.name }</text>
            if big {
                <text class="node-load" y={format!("{:.1}", size + 30.0)}>
                    { counted(node.keys as u64, "key") }
                    if node.hints > 0 {
                        <tspan class="hint-count" x="0" dy="1.15em">{ hint_label(node) }</tspan>
                    }
                </text>
                if let Some((text, at)) = &node.handed_back {
                    <text key={format!("{text}@{at}")} class="handed-back"
                          y={format!("{:.1}", size + 30.0 + 2.4 * 24.0)}>{ text }</text>
                }
                if !node.up { <text class="node-state" y={state_y.clone()}>{ "down" }</text> }
                if let Some(side) = node.side.filter(|_| node.up) {
                    <text class="node-state side-label" y={state_y.clone()}>
                        { format!("side {side}") }
                    </text>
                }
                if let Some(owner) = stands_in_for {
                    <text class="node-state stand-in-label" y={state_y.clone()}>
                        { format!("stands in for {owner}") }
                    </text>
                }
            }
            if let Some(rank) = node.rank.filter(|_| big) {
                <g class="rank"
                   transform={format!("translate({:.1},{:.1})", size * 0.8, -size * 0.8)}>
                    <circle r="17" />
                    <text dy="0.35em">{ rank + 1 }</text>
                </g>
            }
        </g>
    }
}

/// A message's path: from the edge of its sender to the edge of its receiver, so that
/// messages leaving one node in different directions do not hide each other.
fn message_path(m: &MessageView, count: usize, size: f64) -> ((f64, f64), (f64, f64)) {
    let ((x1, y1), (x2, y2)) = (node_point(m.from, count), node_point(m.to, count));
    let length = (x2 - x1).hypot(y2 - y1);
    if length <= 2.0 * size {
        return ((x1, y1), (x2, y2));
    }
    let (ux, uy) = ((x2 - x1) / length, (y2 - y1) / length);
    ((x1 + ux * size, y1 + uy * size), (x2 - ux * size, y2 - uy * size))
}

/// "+2 hinted for B", or for several owners "+3 hinted (B, C)".
fn hint_label(node: &NodeView) -> String {
    match node.hint_owners.as_slice() {
        [owner] => format!("+{} hinted for {owner}", node.hints),
        owners => format!("+{} hinted ({})", node.hints, owners.join(", ")),
    }
}

fn message_mark(
    m: &MessageView,
    count: usize,
    size: f64,
    labels: bool,
    on_click: &Callback<u64>,
) -> Html {
    // Named only on the open part of its path, so that it covers no node's own labels.
    let labelled = labels && (0.15..=0.85).contains(&m.progress);
    let ((x1, y1), (x2, y2)) = message_path(m, count, size);
    let (mut x, mut y) = (x1 + (x2 - x1) * m.progress, y1 + (y2 - y1) * m.progress);
    // A message that will be lost falls away over the last part of its path.
    let fall = if m.doomed { ((m.progress - 0.6) / 0.4).max(0.0) } else { 0.0 };
    y += 140.0 * fall * fall;
    x += 30.0 * fall;
    let class = classes!("message", m.doomed.then_some("doomed"), m.selected.then_some("selected"));
    let opacity = format!("{:.2}", 1.0 - 0.8 * fall);
    let id = m.id;
    let onclick = on_click.reform(move |e: MouseEvent| {
        e.stop_propagation();
        id
    });
    html! {
        <g key={m.id} class={class} data-kind={m.kind.label()} data-id={m.id.to_string()}
           opacity={opacity} transform={format!("translate({x:.1},{y:.1})")} {onclick}>
            <title>{ format!("{}: click to see what it carries", m.kind.label()) }</title>
            { message_shape(message_style(m.kind), 15.0) }
            if labelled {
                <text class="message-label" y="-24">{ m.kind.label() }</text>
            }
        </g>
    }
}

/// Where to draw ticks at `positions` (sorted fractions of the ring) so that none hides
/// another: a tick closer than a tick's width to the one before moves clockwise just
/// enough, so the clockwise order stays exact (the lookup gives exact positions). With too
/// many tokens for the circle, they stay where they are.
fn spread(positions: &[f64]) -> Vec<f64> {
    const GAP: f64 = 0.005;
    if positions.len() as f64 * GAP > 0.5 {
        return positions.to_vec();
    }
    let mut drawn: Vec<f64> = Vec::with_capacity(positions.len());
    for &p in positions {
        let at = drawn.last().map_or(p, |&last| p.max(last + GAP));
        drawn.push(at);
    }
    drawn
}

/// The part of the ring that changes only with membership: the circle and the tokens.
/// A component of its own so that animation frames skip it when nothing changed.
#[derive(Properties, PartialEq)]
struct TokensProps {
    /// Per node: its index, name and tokens.
    nodes: Vec<(usize, String, Vec<f64>)>,
    /// The selected node: lines from it to its tokens show which are its own.
    selected: Option<usize>,
}

#[function_component(Tokens)]
fn tokens(props: &TokensProps) -> Html {
    let count = props.nodes.len();
    let selected = props.nodes.iter().filter(|(index, _, _)| props.selected == Some(*index));
    let token_links = selected.flat_map(|(index, _, tokens)| {
        let (nx, ny) = node_point(*index, count);
        tokens.iter().map(move |&t| {
            let (tx, ty) = point(t, RING_RADIUS);
            html! {
                <line class="token-link" x1={format!("{nx:.1}")} y1={format!("{ny:.1}")}
                      x2={format!("{tx:.1}")} y2={format!("{ty:.1}")}
                      stroke={node_colour(*index)} />
            }
        })
    });
    let mut all: Vec<(f64, usize, &String)> = props
        .nodes
        .iter()
        .flat_map(|(index, name, tokens)| tokens.iter().map(move |&t| (t, *index, name)))
        .collect();
    compact_sort::sort_unstable_by(&mut all, |a, b| a.0.total_cmp(&b.0));
    let drawn_at = spread(&all.iter().map(|t| t.0).collect::<Vec<_>>());
    let tokens = all.iter().zip(drawn_at).map(|(&(t, index, name), at)| {
        let (x1, y1) = point(at, RING_RADIUS - 22.0);
        let (x2, y2) = point(at, RING_RADIUS + 22.0);
        html! {
            <line class="token" data-node={name.clone()}
                  x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                  x2={format!("{x2:.1}")} y2={format!("{y2:.1}")}
                  stroke={node_colour(index)}>
                <title>{ format!("a token of {name}, {:.2}% round the ring", t * 100.0) }</title>
            </line>
        }
    });
    html! {
        <g class="tokens">
            <circle class="ring-circle" cx={CENTRE.to_string()} cy={CENTRE.to_string()}
                    r={RING_RADIUS.to_string()} />
            <text class="ring-caption" x={CENTRE.to_string()} y={(CENTRE - 12.0).to_string()}>
                { "MD5 ring" }
            </text>
            <text class="ring-caption small" x={CENTRE.to_string()}
                  y={(CENTRE + 22.0).to_string()}>{ "0 at the top, clockwise" }</text>
            { for token_links }
            { for tokens }
        </g>
    }
}

#[function_component(RingView)]
pub fn ring_view(props: &RingProps) -> Html {
    let count = props.nodes.len();
    let size = node_size(count);
    let tokens: Vec<(usize, String, Vec<f64>)> =
        props.nodes.iter().map(|n| (n.index, n.name.clone(), n.tokens.clone())).collect();
    let lookup = props.lookup.is_some();
    let selected = props.nodes.iter().find(|n| n.selected).map(|n| n.index);
    let keys = props.keys.iter().map(|(key, fraction)| {
        let (x, y) = point(*fraction, RING_RADIUS - 34.0);
        let k = key.clone();
        let onmouseenter = props.on_key_hover.reform(move |_: MouseEvent| k.clone());
        html! {
            <circle key={key.clone()} class="key-dot"
                    cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="6" {onmouseenter}>
                <title>{ format!("key {key}: hover to see its preference list") }</title>
            </circle>
        }
    });
    let nodes = props
        .nodes
        .iter()
        .map(|node| node_mark(node, count, size, &props.on_node_click, lookup, props.n));
    let faulty = props.links.iter().map(|(a, b, label)| {
        let ((x1, y1), (x2, y2)) = (node_point(*a, count), node_point(*b, count));
        html! {
            <g class="faulty-link">
                <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                      x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
                <text x={format!("{:.1}", (x1 + x2) / 2.0)}
                      y={format!("{:.1}", (y1 + y2) / 2.0 - 10.0)}>{ label }</text>
            </g>
        }
    });
    // The ranges the selected node keeps: arcs just inside the ring, in its colour.
    let kept = props.kept.iter().flat_map(|(index, ranges)| {
        ranges.iter().map(move |&(start, end)| {
            let length = (end - start).rem_euclid(1.0);
            let length = if length == 0.0 { 1.0 - 1e-9 } else { length };
            let radius = RING_RADIUS - 14.0;
            let ((x1, y1), (x2, y2)) = (point(start, radius), point(start + length, radius));
            let large = u8::from(length > 0.5);
            let d = format!("M{x1:.1},{y1:.1} A{radius},{radius} 0 {large},1 {x2:.1},{y2:.1}");
            html! { <path class="kept-range" {d} stroke={node_colour(*index)} /> }
        })
    });
    // A coordinator waiting on a replica that cannot answer: a dotted line and the time
    // left before its replica timeout (§4.8.3).
    let waits = props.waits.iter().enumerate().map(|(i, (from, to, label))| {
        let ((x1, y1), (x2, y2)) = (node_point(*from, count), node_point(*to, count));
        // Nearer the coordinator than the middle, and inside the picture.
        let lx = (x1 + 0.35 * (x2 - x1)).clamp(180.0, 820.0);
        let ly = y1 + 0.35 * (y2 - y1) + 26.0 * i as f64;
        html! {
            <g class="replica-wait">
                <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                      x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
                <text x={format!("{lx:.1}")} y={format!("{ly:.1}")}>{ label }</text>
            </g>
        }
    });
    // Hinted replicas waiting for their owner: a dashed line from holder to owner (§4.6).
    let hint_waits = props.hint_waits.iter().map(|(holder, owner, label)| {
        let ((x1, y1), (x2, y2)) = (node_point(*holder, count), node_point(*owner, count));
        let (lx, ly) = ((x1 + 0.5 * (x2 - x1)).clamp(180.0, 820.0), y1 + 0.5 * (y2 - y1) - 12.0);
        html! {
            <g class="hint-wait">
                <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                      x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
                <text x={format!("{lx:.1}")} y={format!("{ly:.1}")}>{ label }</text>
            </g>
        }
    });
    // The cut of a partition: a wall between neighbours on different sides.
    let side_of = |i: usize| props.nodes.get(i).and_then(|n| n.side);
    let walls =
        (0..count).filter(|&i| count > 1 && side_of(i) != side_of((i + 1) % count)).map(|i| {
            let between = (i as f64 + 0.5) / count as f64;
            let ((x1, y1), (x2, y2)) = (point(between, RING_RADIUS + 40.0), point(between, 500.0));
            html! {
                <line class="partition-wall" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                      x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
            }
        });
    let key = props.lookup.as_ref().map(|k| {
        let (x, y) = point(k.fraction, RING_RADIUS);
        let (lx, ly) = point(k.fraction, RING_RADIUS - 62.0);
        html! {
            <g class="key-mark">
                <path d={format!("M{x:.1},{:.1} l14,14 l-14,14 l-14,-14 z", y - 14.0)} />
                <text x={format!("{lx:.1}")} y={format!("{ly:.1}")} dy="0.35em">{ &k.key }</text>
            </g>
        }
    });
    // A crowd of messages (an anti-entropy round, a burst of load) goes unlabelled: the
    // legend and a click say what each is.
    let labels = props.messages.len() <= MAX_LABELLED;
    let messages = props
        .messages
        .iter()
        .map(|m| message_mark(m, count, size, labels, &props.on_message_click));
    // Three layers, so that the browser repaints only what changed: the ring and its
    // tokens (changing only with membership), the nodes and keys (now and then), and the
    // moving messages (every frame).
    let crowded = (count > 32).then_some("crowded");
    html! {
        <div class="ring-box">
            <svg class={classes!("ring-tokens", crowded)} viewBox={VIEW_BOX} aria-hidden="true">
                <Tokens nodes={tokens} {selected} />
            </svg>
            <svg class={classes!("ring", crowded)} viewBox={VIEW_BOX} role="img"
                 aria-label="The consistent-hashing ring: tokens coloured by node, nodes around it">
                <g class="kept-ranges">{ for kept }</g>
                <g class="keys">{ for keys }</g>
                <g class="faulty-links">{ for faulty }</g>
                <g class="partition-walls">{ for walls }</g>
                <g class="replica-waits">{ for waits }</g>
                <g class="hint-waits">{ for hint_waits }</g>
                <g class="lookup-mark">{ for key }</g>
                <g class="nodes">{ for nodes }</g>
            </svg>
            <svg class={classes!("ring-messages", crowded)} viewBox={VIEW_BOX}
                 aria-label="messages in flight">
                <g class="messages">{ for messages }</g>
            </svg>
        </div>
    }
}
