//! The ring (§4.2): every token a tick on the circle in its node's colour, the nodes
//! around it, and every message in flight moving from sender to receiver.

use super::palette::{message_colour, node_colour};
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
}

#[derive(Properties, PartialEq)]
pub struct RingProps {
    pub nodes: Vec<NodeView>,
    pub messages: Vec<MessageView>,
    /// Clicking a node crashes it, or recovers it when it is down.
    pub on_node_click: Callback<usize>,
}

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

#[function_component(RingView)]
pub fn ring_view(props: &RingProps) -> Html {
    let count = props.nodes.len();
    let links = props.nodes.iter().flat_map(|node| {
        let (nx, ny) = node_point(node.index, count);
        node.tokens.iter().map(move |&t| {
            let (tx, ty) = point(t, RING_RADIUS);
            html! { <line class="token-link" x1={nx.to_string()} y1={ny.to_string()} x2={tx.to_string()} y2={ty.to_string()}
                          stroke={node_colour(node.index)} /> }
        })
    });
    let tokens = props.nodes.iter().flat_map(|node| {
        node.tokens.iter().map(move |&t| {
            let (x1, y1) = point(t, RING_RADIUS - 22.0);
            let (x2, y2) = point(t, RING_RADIUS + 22.0);
            html! { <line class="token" data-node={node.name.clone()} x1={x1.to_string()} y1={y1.to_string()}
                          x2={x2.to_string()} y2={y2.to_string()} stroke={node_colour(node.index)} /> }
        })
    });
    let nodes = props.nodes.iter().map(|node| {
        let (x, y) = node_point(node.index, count);
        let class = classes!("node", (!node.up).then_some("down"));
        let index = node.index;
        let onclick = props.on_node_click.reform(move |_: MouseEvent| index);
        let title = if node.up { format!("{}: click to crash it", node.name) } else { format!("{} is down: click to recover it", node.name) };
        html! {
            <g class={class} data-node={node.name.clone()} transform={format!("translate({x:.1},{y:.1})")} {onclick}
               role="button" aria-label={title.clone()}>
                <title>{ title }</title>
                <circle r="46" fill={node_colour(node.index)} />
                <text class="node-name" dy="0.35em">{ &node.name }</text>
                if !node.up { <text class="node-state" y="72">{ "down" }</text> }
            </g>
        }
    });
    let messages = props.messages.iter().map(|m| {
        let (x1, y1) = node_point(m.from, count);
        let (x2, y2) = node_point(m.to, count);
        let (mut x, mut y) = (x1 + (x2 - x1) * m.progress, y1 + (y2 - y1) * m.progress);
        // A message that will be lost falls away over the last part of its path.
        let fall = if m.doomed { ((m.progress - 0.6) / 0.4).max(0.0) } else { 0.0 };
        y += 140.0 * fall * fall;
        x += 30.0 * fall;
        let class = classes!("message", m.doomed.then_some("doomed"));
        let opacity = format!("{:.2}", 1.0 - 0.8 * fall);
        html! {
            <g class={class} data-kind={m.kind.label()} data-id={m.id.to_string()} opacity={opacity}
               transform={format!("translate({x:.1},{y:.1})")}>
                <circle r="13" fill={message_colour(m.kind)} />
                <text class="message-label" y="-20">{ m.kind.label() }</text>
            </g>
        }
    });
    html! {
        <svg class="ring" viewBox="0 0 1000 1000" role="img"
             aria-label="The consistent-hashing ring: tokens coloured by node, messages in flight">
            <circle class="ring-circle" cx={CENTRE.to_string()} cy={CENTRE.to_string()} r={RING_RADIUS.to_string()} />
            <text class="ring-caption" x={CENTRE.to_string()} y={(CENTRE - 12.0).to_string()}>{ "MD5 ring" }</text>
            <text class="ring-caption small" x={CENTRE.to_string()} y={(CENTRE + 22.0).to_string()}>{ "0 at the top, clockwise" }</text>
            { for links }
            { for tokens }
            { for nodes }
            { for messages }
        </svg>
    }
}
