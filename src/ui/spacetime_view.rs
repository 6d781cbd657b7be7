//! The space-time diagram (what `app::spacetime` reports): a lane per node, time running
//! left to right, each message an arrow in its kind's colour from its send to its
//! delivery; a lost one ends in a cross, one still on the wire is dashed. Clicking goes to
//! that moment (the time bar's replay).

use crate::app::describe::ms;
use crate::app::palette::message_style;
use crate::app::spacetime::{window, Arrow, Fate};
use crate::app::{Cmd, Playground, SPACETIME_SPANS};
use crate::core::message::MsgKind;
use crate::core::{Time, MS};
use web_sys::{HtmlSelectElement, MouseEvent};
use yew::prelude::*;

const LABEL_W: f64 = 44.0;
const WIDTH: f64 = 900.0;
/// A lane's height: roomy for a few nodes, tight (and scrolled) for many.
fn lane_height(lanes: usize) -> f64 {
    (200.0 / lanes.max(1) as f64).clamp(18.0, 36.0)
}

/// The inspector's space-time diagram of the latest `span`.
pub fn spacetime_panel(p: &Playground, span: Time, d: &Callback<Cmd>) -> Html {
    // The window's end moves in steps of a sixtieth of it, not every frame: between two
    // steps the drawing is the same, and Yew changes nothing in the page.
    let step = (span / 60).max(1);
    let end = p.session.world().now().div_ceil(step) * step;
    let diagram = window(p.session.world(), end.saturating_sub(span), end);
    let (from, to) = (diagram.from, diagram.to.max(diagram.from + 1));
    let x = move |t: Time| {
        LABEL_W + (t.clamp(from, to) - from) as f64 / (to - from) as f64 * (WIDTH - LABEL_W)
    };
    let lane_h = lane_height(diagram.lanes.len());
    let y = move |lane: usize| lane as f64 * lane_h + lane_h / 2.0;
    let height = diagram.lanes.len() as f64 * lane_h;
    // The lanes: one path for all their lines, a name for each.
    let lane_lines: String =
        (0..diagram.lanes.len()).map(|i| format!("M {LABEL_W} {y} H {WIDTH} ", y = y(i))).collect();
    let names = diagram.lanes.iter().enumerate().map(|(i, name)| {
        html! { <text class="lane" x="2" y={(y(i) + 5.0).to_string()}>{ name }</text> }
    });
    let key = p.lookup.trim();
    let focus = (!key.is_empty()).then_some(key);
    let arrows = diagram.arrows.iter().map(|a| arrow(a, focus, &x, &y));
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
    let on_span = d.reform(|e: Event| {
        let select = e.target_unchecked_into::<HtmlSelectElement>();
        let _ = select.blur();
        Cmd::ShowSpaceTime(select.value().parse().unwrap_or(0))
    });
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
                { "A lane per node, time left to right: each message an arrow from its send to \
                   its arrival (× lost, dashed: still on its way); dots: a client's request or \
                   answer. A put is a fan-out to N replicas and the acknowledgements that count \
                   toward W (§4.5). Look up a key to bring out its messages (replies carry \
                   no key: they stay as they are); click to go to that moment." }
            </p>
            if diagram.left_out > 0 {
                <p class="muted">
                    { format!("({} earlier messages not drawn.)", diagram.left_out) }
                </p>
            }
            <div class="spacetime-scroll">
                <svg class="spacetime" viewBox={format!("0 -4 {WIDTH} {}", height + 10.0)}
                     {onclick} role="img" aria-label="messages between nodes over time">
                    <path class="lanes" d={lane_lines} />
                    { for names }
                    { for arrows }
                    { for clients }
                    <text class="axis" x={LABEL_W.to_string()} y={(height + 2.0).to_string()}>
                        { ms(from) }
                    </text>
                    <text class="axis end" x={WIDTH.to_string()} y={(height + 2.0).to_string()}>
                        { ms(to) }
                    </text>
                </svg>
            </div>
        </section>
    }
}

/// One message: a line (and a cross where it was lost). No tooltip or group per arrow:
/// at 128 nodes the diagram holds hundreds, and every element costs the frame.
///
/// With a key looked up, its messages stand out and the others fade.
fn arrow(
    a: &Arrow,
    focus: Option<&str>,
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
    let emphasis = match (focus, a.key.as_deref()) {
        (None, _) => None,
        (Some(key), Some(carried)) if carried == key => Some("story"),
        (Some(_), None) if reply => None,
        (Some(_), _) => Some("faded"),
    };
    html! {
        <>
            <line class={classes!("message-arrow", fate, emphasis)} data-kind={a.kind.label()}
                  x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                  stroke={style.colour} />
            if a.fate == Fate::Dropped {
                <path class="lost" d={format!("M {} {} l 8 8 m 0 -8 l -8 8", x2 - 4.0, y2 - 4.0)}
                      stroke={style.colour} />
            }
        </>
    }
}
