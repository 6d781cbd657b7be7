//! The browser UI (Yew function components). It drives the simulator and draws what it
//! reports; it holds no protocol logic of its own.

mod frame_loop;
pub mod palette;
pub mod playground;
pub mod ring_view;

use crate::core::message::{MsgKind, Note};
use crate::core::ring::ring_fraction;
use crate::core::MS;
use crate::sim::trace::{Event as TraceKind, TraceEvent};
use crate::sim::World;
use frame_loop::FrameLoop;
use palette::message_colour;
use playground::{Playground, SPEEDS};
use ring_view::{MessageView, NodeView, RingView};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

/// How many recent trace events the log shows.
const LOG_LINES: usize = 14;

/// The nodes as the ring view draws them.
fn node_views(world: &World) -> Vec<NodeView> {
    world
        .node_ids()
        .map(|id| NodeView {
            index: id.index(),
            name: world.name(id).to_string(),
            up: world.is_up(id),
            tokens: world.ring().tokens_of(id).into_iter().map(ring_fraction).collect(),
        })
        .collect()
}

/// The messages on the wire, with how far each has travelled.
fn message_views(world: &World) -> Vec<MessageView> {
    let now = world.now();
    world
        .in_flight()
        .map(|m| MessageView {
            id: m.msg,
            from: m.from.index(),
            to: m.to.index(),
            kind: m.kind,
            doomed: m.doomed,
            progress: if m.arrives <= m.sent {
                1.0
            } else {
                (now.saturating_sub(m.sent)) as f64 / (m.arrives - m.sent) as f64
            },
        })
        .collect()
}

/// One line of the event log.
fn describe(world: &World, event: &TraceEvent) -> String {
    let n = |id| world.name(id).to_string();
    let text = match &event.event {
        TraceKind::Send { from, to, kind, key, .. } => {
            format!("{} → {}  {}{}", n(*from), n(*to), kind.label(), key.as_ref().map(|k| format!(" {k}")).unwrap_or_default())
        }
        TraceKind::Deliver { from, to, kind, .. } => format!("{} got {} from {}", n(*to), kind.label(), n(*from)),
        TraceKind::Drop { from, to, kind, reason, .. } => {
            format!("{} → {}  {} lost ({})", n(*from), n(*to), kind.label(), reason.label())
        }
        TraceKind::Timer { node, timer } => format!("{}: {}", n(*node), timer.label()),
        TraceKind::Request { client, node, kind, key, .. } => format!("{client} asks {}: {} {key}", n(*node), kind.label()),
        TraceKind::Reply { op, ok, .. } => {
            let outcome = world.op(*op).and_then(|r| r.outcome.as_ref());
            let text = outcome.map(|o| world.describe_reply(o)).unwrap_or_default();
            format!("{}: {text}", if *ok { "answer" } else { "failed" })
        }
        TraceKind::Crash { node } => format!("{} crashed", n(*node)),
        TraceKind::Recover { node } => format!("{} recovered", n(*node)),
        TraceKind::Wipe { node } => format!("{}'s disk wiped", n(*node)),
        TraceKind::Join { node } => format!("administrator: {} joins the ring", n(*node)),
        TraceKind::Leave { node } => format!("administrator: {} leaves the ring", n(*node)),
        TraceKind::Link { a, b, drop_rate_permille, extra_delay } => format!(
            "link {}–{}: {:.1}% drops, +{:.1} ms",
            n(*a),
            n(*b),
            *drop_rate_permille as f64 / 10.0,
            *extra_delay as f64 / MS as f64
        ),
        TraceKind::Node { node, note } => match note {
            Note::PeerDown(p) => format!("{} now believes {} is down", n(*node), n(*p)),
            Note::PeerUp(p) => format!("{} sees {} is up again", n(*node), n(*p)),
            Note::HintStored { owner, key } => format!("{} keeps a hinted replica of {key} for {}", n(*node), n(*owner)),
            Note::HintDelivered { owner, key } => format!("{} handed {key} back to {}", n(*node), n(*owner)),
            Note::InSync { peer, level, .. } => format!("{} and {} agree on a range (Merkle level {level})", n(*node), n(*peer)),
            Note::KeysReceived { peer, keys, changed } => {
                format!("{} got {keys} keys from {} by anti-entropy ({changed} new)", n(*node), n(*peer))
            }
            Note::RingChanged { members } => format!("{} now sees {members} nodes in the ring", n(*node)),
            Note::KeysHandedOver { to, keys } => format!("{} handed {keys} keys over to {}", n(*node), n(*to)),
            Note::KeysTakenOver { from, keys } => format!("{} took over {keys} keys from {}", n(*node), n(*from)),
        },
        TraceKind::Partition { .. } => "network partitioned".to_string(),
        TraceKind::Heal => "partition healed".to_string(),
    };
    format!("{:>9.3} ms  {text}", event.at as f64 / MS as f64)
}

/// Space plays or pauses, → steps, unless the user is typing in a field.
fn keyboard_shortcuts(on_toggle: Callback<()>, on_step: Callback<()>) -> impl FnOnce() {
    let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        let typing = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        match e.key().as_str() {
            " " => {
                e.prevent_default();
                on_toggle.emit(());
            }
            "ArrowRight" => {
                e.prevent_default();
                on_step.emit(());
            }
            _ => {}
        }
    });
    let window = web_sys::window().expect("a browser window");
    window.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref()).expect("add listener");
    move || {
        let _ = window.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        drop(listener);
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let playground = use_mut_ref(|| Playground::new(1));
    let redraw = use_force_update();

    {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        use_effect_with((), move |_| {
            let frames = FrameLoop::start(move |elapsed| {
                if playground.borrow_mut().tick(elapsed) {
                    redraw.force_update();
                }
            });
            move || drop(frames)
        });
    }

    let on_toggle = {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        Callback::from(move |()| {
            let mut p = playground.borrow_mut();
            p.playing = !p.playing;
            redraw.force_update();
        })
    };
    let on_step = {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        Callback::from(move |()| {
            let mut p = playground.borrow_mut();
            p.playing = false;
            p.step();
            redraw.force_update();
        })
    };
    {
        let (on_toggle, on_step) = (on_toggle.clone(), on_step.clone());
        use_effect_with((), move |_| keyboard_shortcuts(on_toggle, on_step));
    }
    let on_node_click = {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        Callback::from(move |index: usize| {
            let mut p = playground.borrow_mut();
            let node = crate::core::NodeId(index as u32);
            if p.world.is_up(node) {
                p.world.crash(node);
            } else {
                p.world.recover(node);
            }
            redraw.force_update();
        })
    };
    let on_speed = {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(speed) = select.value().parse::<f64>().ok().filter(|s| SPEEDS.contains(s)) {
                playground.borrow_mut().speed = speed;
                redraw.force_update();
            }
        })
    };

    let p = playground.borrow();
    let world = &p.world;
    let metrics = world.metrics();
    let in_flight = world.in_flight().count();
    let log: Vec<String> = world.trace().events().iter().rev().take(LOG_LINES).map(|e| describe(world, e)).collect();
    let config = world.config();
    let legend = MsgKind::ALL.iter().map(|&k| {
        html! { <li><span class="swatch" style={format!("background:{}", message_colour(k))}></span>{ k.label() }</li> }
    });

    html! {
        <div class="app">
            <header class="top">
                <h1>{ "Dynamo Playground" }</h1>
                <p class="tagline">
                    { format!("A live Dynamo cluster: {} nodes on a consistent-hashing ring, each owning {} tokens. \
                               Clients send gets and puts; every moving dot is a message between nodes.",
                              world.names().len(), world.ring().tokens_of(crate::core::NodeId(0)).len()) }
                </p>
            </header>
            <main class="layout">
                <section class="stage">
                    <RingView nodes={node_views(world)} messages={message_views(world)} {on_node_click} />
                </section>
                <aside class="side">
                    <div class="controls">
                        <button class="play" onclick={on_toggle.reform(|_| ())} aria-pressed={p.playing.to_string()}>
                            { if p.playing { "❚❚ Pause" } else { "▶ Play" } }
                        </button>
                        <button class="step" onclick={on_step.reform(|_| ())} title="Handle one event (→)">{ "Step →" }</button>
                        <label class="speed">
                            { "Speed " }
                            <select onchange={on_speed} aria-label="virtual milliseconds per second">
                                { for SPEEDS.iter().map(|&s| html! {
                                    <option value={s.to_string()} selected={s == p.speed}>{ format!("{s} ms/s") }</option>
                                }) }
                            </select>
                        </label>
                        <p class="hint">{ "Keys: space plays/pauses, → steps one event. Click a node to crash it; click again to recover it." }</p>
                    </div>
                    <dl class="stats">
                        <dt>{ "virtual time" }</dt><dd class="virtual-time">{ format!("{:.3} ms", world.now() as f64 / MS as f64) }</dd>
                        <dt>{ "N, R, W" }</dt><dd>{ format!("{}, {}, {}", config.n, config.r, config.w) }</dd>
                        <dt>{ "in flight" }</dt><dd class="in-flight">{ in_flight }</dd>
                        <dt>{ "delivered" }</dt><dd class="delivered">{ metrics.messages_delivered }</dd>
                        <dt>{ "puts ok / failed" }</dt><dd>{ format!("{} / {}", metrics.puts_ok, metrics.puts_failed) }</dd>
                        <dt>{ "gets ok / failed" }</dt><dd>{ format!("{} / {}", metrics.gets_ok, metrics.gets_failed) }</dd>
                        <dt>{ "seed" }</dt><dd>{ world.seed() }</dd>
                    </dl>
                    <h2>{ "Messages" }</h2>
                    <ul class="legend">{ for legend }</ul>
                    <h2>{ "Latest events" }</h2>
                    <ol class="log">{ for log.into_iter().map(|line| html! { <li>{ line }</li> }) }</ol>
                </aside>
            </main>
        </div>
    }
}
