//! The space-time diagram (what `app::spacetime` reports): a lane per node, time running
//! left to right, each message an arrow in its kind's colour from its send to its
//! delivery; a lost one ends in a cross, one still on the wire is dashed. Clicking goes to
//! that moment (the time bar's replay).

use crate::app::describe::ms;
use crate::app::palette::message_style;
use crate::app::spacetime::{
    filtered, story, story_text, story_window, window, Arrow, Fate, Filter, Role, Story,
};
use crate::app::{Cmd, Playground, SPACETIME_SPANS};
use crate::core::message::{MsgKind, OpId};
use crate::core::NodeId;
use crate::core::{Time, MS};
use crate::sim::World;
use web_sys::{HtmlSelectElement, MouseEvent};
use yew::prelude::*;

const LABEL_W: f64 = 44.0;
/// Most requests offered to follow: the latest (under load a window holds hundreds).
const MAX_REQUESTS_LISTED: usize = 40;
const WIDTH: f64 = 900.0;
/// A lane's height: roomy for a few nodes, tight (and scrolled) for many.
fn lane_height(lanes: usize) -> f64 {
    (240.0 / lanes.max(1) as f64).clamp(18.0, 60.0)
}

/// The inspector's space-time diagram of the latest `span`, filtered.
pub fn spacetime_panel(p: &Playground, span: Time, filter: Filter, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    // The window's end moves in steps of a sixtieth of it, not every frame: between two
    // steps the drawing is the same, and Yew changes nothing in the page.
    let step = (span / 60).max(1);
    let end = world.now().div_ceil(step) * step;
    // Following a request, the window fits its story.
    let (start, end) = filter
        .story
        .and_then(|op| story_window(world, op))
        .unwrap_or((end.saturating_sub(span), end));
    let whole = window(world, start, end);
    let told = filter.story.and_then(|op| story(world, &whole, op));
    let told_text = told.as_ref().map(|s| story_text(world, s, &whole));
    // The requests to follow: those of the span on screen (also while one is followed).
    let mut requests = match filter.story {
        Some(_) => window(world, end.saturating_sub(span), end).requests,
        None => whole.requests.clone(),
    };
    if let Some(s) = told.as_ref().filter(|s| !requests.iter().any(|(op, _)| *op == s.op)) {
        requests.push((s.op, format!("#{} {}", s.op.0, s.label)));
    }
    let diagram = filtered(whole, filter);
    let (from, to) = (diagram.from, diagram.to.max(diagram.from + 1));
    let now = world.now();
    let x = move |t: Time| {
        LABEL_W + (t.clamp(from, to) - from) as f64 / (to - from) as f64 * (WIDTH - LABEL_W)
    };
    let lane_h = lane_height(diagram.lanes.len());
    // Lanes by node: a node whose lane is collapsed has none.
    let mut rows = vec![usize::MAX; world.names().len()];
    for (row, &node) in diagram.lane_nodes.iter().enumerate() {
        rows[node] = row;
    }
    let row_of = &rows;
    let y = move |node: usize| row_of[node] as f64 * lane_h + lane_h / 2.0;
    let row_y = move |row: usize| row as f64 * lane_h + lane_h / 2.0;
    let height = diagram.lanes.len() as f64 * lane_h;
    // The lanes: one path for all their lines, a name for each.
    let lane_lines: String = (0..diagram.lanes.len())
        .map(|i| format!("M {LABEL_W} {y} H {WIDTH} ", y = row_y(i)))
        .collect();
    let names = diagram.lanes.iter().enumerate().map(|(i, name)| {
        html! { <text class="lane" x="2" y={(row_y(i) + 5.0).to_string()}>{ name }</text> }
    });
    let key = p.lookup.trim();
    let focus = (!key.is_empty()).then_some(key);
    let arrows = diagram.arrows.iter().map(|a| arrow(a, focus, told.as_ref(), &x, &y));
    let clocks = told.iter().flat_map(|s| {
        let clock = s.clock.clone().unwrap_or_default();
        diagram
            .arrows
            .iter()
            .filter(move |a| a.op == Some(s.op) && is_put(a.kind) && !clock.is_empty())
            .map(move |a| {
                let (mx, my) = ((x(a.sent) + x(a.ends)) / 2.0, (y(a.from) + y(a.to)) / 2.0);
                let hinted = if a.kind == MsgKind::HintedPut { " hinted" } else { "" };
                html! {
                    <text class="arrow-clock" x={mx.to_string()} y={(my - 4.0).to_string()}>
                        { format!("{}{hinted}", s.clock.clone().unwrap_or_default()) }
                    </text>
                }
            })
    });
    let answered =
        told.as_ref().and_then(|s| s.answered).filter(|(_, lane, _)| row_of[*lane] != usize::MAX);
    let answer_mark = answered.map(|(at, lane, ok)| {
        let (cx, cy) = (x(at), y(lane));
        let title =
            format!("the client is answered ({}) at {}", if ok { "ok" } else { "failed" }, ms(at));
        html! {
            <path class={classes!("answer-mark", (!ok).then_some("failed"))}
                  d={format!("M {cx} {} l 8 8 l -8 8 l -8 -8 z", cy - 8.0)}>
                <title>{ title }</title>
            </path>
        }
    });
    let clients = diagram.clients.iter().map(|c| {
        html! {
            <circle class="client-mark" cx={x(c.at).to_string()} cy={y(c.lane).to_string()} r="5">
                <title>{ &c.text }</title>
            </circle>
        }
    });
    let onclick = d.reform(move |e: MouseEvent| {
        let svg = e
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
        let Some(svg) = svg else { return Cmd::Seek(to) };
        let rect = svg.get_bounding_client_rect();
        let fraction = (e.client_x() as f64 - rect.left()) / rect.width() * WIDTH;
        let along = ((fraction - LABEL_W) / (WIDTH - LABEL_W)).clamp(0.0, 1.0);
        Cmd::Seek(from + (along * (to - from) as f64).round() as Time)
    });
    let on_span = d.reform(|e: Event| Cmd::ShowSpaceTime(select_value(e).parse().unwrap_or(0)));
    let close = d.reform(|_: MouseEvent| Cmd::CloseInspector);
    html! {
        <section class="panel inspector spacetime-inspector">
            <h2>
                { "Messages in time" }
                <select class="span" onchange={on_span} aria-label="how much time to show">
                    { for SPACETIME_SPANS.iter().map(|&ms| html! {
                        <option value={ms.to_string()} selected={ms * MS == span}>
                            { format!("last {ms} ms") }
                        </option>
                    }) }
                </select>
                <button class="close" onclick={close}>{ "×" }</button>
            </h2>
            <p class="caption">
                { "Messages in time, a lane per node (§4.5): arrows in the ring's colours, × \
                   lost, dashed still on the way, ◆ the client answered. Click: go there." }
            </p>
            { filters(world, filter, &requests, d) }
            <div class="spacetime-scroll">
                <svg class="spacetime" viewBox={format!("0 -4 {} {}", WIDTH + 12.0, height + 10.0)}
                     {onclick} role="img" aria-label="messages between nodes over time">
                    <path class="lanes" d={lane_lines} />
                    { for names }
                    { for arrows }
                    { for clocks }
                    { for clients }
                    { for answer_mark }
                    <text class="axis" x={LABEL_W.to_string()} y={(height + 2.0).to_string()}>
                        { ms(from) }
                    </text>
                    if now < to {
                        <line class="now" x1={x(now).to_string()} y1="-4"
                              x2={x(now).to_string()} y2={height.to_string()} />
                    }
                    <text class="axis end" x={x(now.min(to)).to_string()}
                          y={(height + 2.0).to_string()}>
                        { if now <= to { format!("now {}", ms(now)) } else { ms(to) } }
                    </text>
                </svg>
            </div>
            if let Some(text) = told_text {
                <p class="story-text">{ text }</p>
            }
            if diagram.left_out > 0 {
                <p class="muted">
                    { format!("({} earlier messages not drawn.)", diagram.left_out) }
                </p>
            }
        </section>
    }
}

/// Whether a message kind carries a put's version (its clock is written on the arrow).
fn is_put(kind: MsgKind) -> bool {
    matches!(kind, MsgKind::Put | MsgKind::HintedPut)
}

/// The value of a changed select, which gives the keyboard back to the page.
fn select_value(e: Event) -> String {
    let select = e.target_unchecked_into::<HtmlSelectElement>();
    let _ = select.blur();
    select.value()
}

/// The filters: a request's story, a kind of message, a node.
fn filters(world: &World, filter: Filter, requests: &[(OpId, String)], d: &Callback<Cmd>) -> Html {
    let on_story = d.reform(move |e: Event| {
        let story = select_value(e).parse().ok().map(OpId);
        Cmd::FilterSpaceTime(Filter { story, ..filter })
    });
    let on_kind = d.reform(move |e: Event| {
        let kind = select_value(e).parse().ok().and_then(|i: usize| MsgKind::ALL.get(i).copied());
        Cmd::FilterSpaceTime(Filter { kind, ..filter })
    });
    let on_node = d.reform(move |e: Event| {
        let node = select_value(e).parse().ok().map(NodeId);
        Cmd::FilterSpaceTime(Filter { node, ..filter })
    });
    html! {
        <div class="row spacetime-filters">
            <label class="field story"><span>{ "follow a request" }</span>
                <select onchange={on_story}>
                    <option value="" selected={filter.story.is_none()}>{ "none" }</option>
                    { for requests.iter().rev().take(MAX_REQUESTS_LISTED).map(|(op, text)| html! {
                        <option value={op.0.to_string()} selected={filter.story == Some(*op)}>
                            { text }
                        </option>
                    }) }
                </select>
            </label>
            <label class="field kind"><span>{ "messages" }</span>
                <select onchange={on_kind}>
                    <option value="" selected={filter.kind.is_none()}>{ "all kinds" }</option>
                    { for MsgKind::ALL.iter().enumerate().map(|(i, k)| html! {
                        <option value={i.to_string()} selected={filter.kind == Some(*k)}>
                            { k.label() }
                        </option>
                    }) }
                </select>
            </label>
            <label class="field node"><span>{ "node" }</span>
                <select onchange={on_node}>
                    <option value="" selected={filter.node.is_none()}>{ "all nodes" }</option>
                    { for world.node_ids().map(|n| html! {
                        <option value={n.0.to_string()} selected={filter.node == Some(n)}>
                            { world.name(n) }
                        </option>
                    }) }
                </select>
            </label>
        </div>
    }
}

/// One message: a line (and a cross where it was lost). No tooltip or group per arrow:
/// at 128 nodes the diagram holds hundreds, and every element costs the frame.
///
/// With a key looked up, its messages stand out and the others fade.
fn arrow(
    a: &Arrow,
    focus: Option<&str>,
    told: Option<&Story>,
    x: &impl Fn(Time) -> f64,
    y: &impl Fn(usize) -> f64,
) -> Html {
    let style = message_style(a.kind);
    let (x1, y1, x2, y2) = (x(a.sent), y(a.from), x(a.ends), y(a.to));
    let fate = match a.fate {
        Fate::Delivered => "delivered",
        Fate::Dropped => "dropped",
        Fate::InFlight => "in-flight",
    };
    // Replies name no key (they answer a request by its number): they keep their look.
    let reply = matches!(a.kind, MsgKind::PutAck | MsgKind::GetReply | MsgKind::ForwardReply);
    let role = told.and_then(|s| s.roles.iter().find(|(m, _)| *m == a.msg)).map(|(_, r)| *r);
    let emphasis = match (told, role, focus, a.key.as_deref()) {
        (Some(_), Some(_), _, _) => Some("story"),
        (Some(_), None, _, _) => Some("faded"),
        (None, _, None, _) => None,
        (None, _, Some(key), Some(carried)) if carried == key => Some("story"),
        (None, _, Some(_), None) if reply => None,
        (None, _, Some(_), _) => Some("faded"),
    };
    let role = role.map(|r| match r {
        Role::Asks => "asks",
        Role::StandIn => "stand-in",
        Role::Counted => "counted",
        Role::Late => "late",
        Role::Repair => "repair",
    });
    html! {
        <>
            <line class={classes!("message-arrow", fate, emphasis, role)} data-kind={a.kind.label()}
                  x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                  stroke={style.colour} />
            if a.fate == Fate::Dropped {
                <path class="lost" d={format!("M {} {} l 8 8 m 0 -8 l -8 8", x2 - 4.0, y2 - 4.0)}
                      stroke={style.colour} />
            }
        </>
    }
}
