//! The browser UI (Yew function components). It draws an [`app::Playground`] and turns
//! what the user does into [`Cmd`]s; it holds no protocol logic of its own.

mod chart;
mod frame_loop;
mod labs_view;
mod lesson_bar;
mod merkle_view;
pub mod panels;
mod presenter;
pub mod ring_view;
mod scenario_bar;
mod spacetime_view;
mod strategies_view;
mod versions_view;

use crate::app::describe::ms;
use crate::app::palette::{message_style, shape_path, MessageStyle};
use crate::app::{glossary, Cmd, Key, Playground, Selected, SPEEDS};
use crate::core::membership::MemberStatus;
use crate::core::message::MsgKind;
use crate::core::ring::{format_position, key_position, ring_fraction};
use crate::core::{NodeId, Time};
use frame_loop::FrameLoop;
use ring_view::{KeyMark, MessageView, NodeView, RingView};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

/// How long after a hinted replica went home its holder says so (virtual time).
const HANDED_BACK_SHOWN: Time = 100 * crate::core::MS;

/// The nodes as the ring view draws them.
fn node_views(p: &Playground) -> Vec<NodeView> {
    let world = p.session.world();
    let preference = (!p.lookup.trim().is_empty()).then(|| world.preference_list(p.lookup.trim()));
    let stand_ins =
        preference.as_ref().map(|_| world.stand_ins(p.lookup.trim())).unwrap_or_default();
    let sides = crate::app::describe::partition_sides(world);
    let handed_back = crate::app::describe::handed_back(world, HANDED_BACK_SHOWN);
    world
        .node_ids()
        .map(|id| NodeView {
            hint_owners: world
                .node(id)
                .hints()
                .iter()
                .filter(|(_, keys)| !keys.is_empty())
                .map(|(o, _)| world.name(*o).to_string())
                .collect(),
            handed_back: handed_back.iter().rev().find(|(holder, ..)| *holder == id).map(
                |(_, owner, key, at)| (format!("✓ {key} back to {}", world.name(*owner)), *at),
            ),
            stand_in_for: stand_ins
                .iter()
                .find(|(s, _)| *s == id)
                .map(|(_, owner)| world.name(*owner).to_string()),
            index: id.index(),
            name: world.name(id).to_string(),
            up: world.is_up(id),
            tokens: world.ring().tokens_of(id).into_iter().map(ring_fraction).collect(),
            keys: world.node(id).store().len(),
            hints: world.node(id).hints().values().map(|keys| keys.len()).sum(),
            selected: p.selected == Some(Selected::Node(id)),
            side: sides.as_ref().map(|s| s[id.index()]),
            rank: preference.as_ref().and_then(|list| list.iter().position(|&n| n == id)),
            outside: world.membership().record(id).is_none_or(|r| r.status != MemberStatus::Joined),
        })
        .collect()
}

/// The keys held anywhere in the cluster (at most a few hundred), with their place on the ring.
fn key_marks(p: &Playground) -> Vec<(String, f64)> {
    let world = p.session.world();
    let mut keys = std::collections::BTreeSet::new();
    for id in world.node_ids() {
        keys.extend(world.node(id).store().keys().into_iter().cloned());
        if keys.len() > 300 {
            break;
        }
    }
    keys.into_iter().map(|k| (k.to_string(), ring_fraction(k.position()))).collect()
}

/// The messages on the wire, with how far each has travelled.
fn message_views(p: &Playground) -> Vec<MessageView> {
    let world = p.session.world();
    let now = world.now();
    let selected = match &p.selected {
        Some(Selected::Message { id, .. }) => Some(*id),
        _ => None,
    };
    world
        .in_flight()
        .map(|m| MessageView {
            id: m.msg,
            from: m.from.index(),
            to: m.to.index(),
            kind: m.kind,
            doomed: m.doomed,
            selected: selected == Some(m.msg),
            progress: if m.arrives <= m.sent {
                1.0
            } else {
                (now.saturating_sub(m.sent)) as f64 / (m.arrives - m.sent) as f64
            },
        })
        .collect()
}

/// Whether a key pressed in `element` is typing: a text field, a list or a text area.
/// (A button, a checkbox or the time bar is not: Space there still plays or pauses.)
fn typing_in(element: Option<web_sys::Element>) -> bool {
    let Some(element) = element else { return false };
    match element.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => !matches!(
            element.get_attribute("type").unwrap_or_default().as_str(),
            "checkbox" | "radio" | "range" | "button"
        ),
        _ => false,
    }
}

/// Space plays or pauses, → steps, "?" shows the help, wherever the focus is — unless the
/// user is typing in a field. (Space never presses the button last clicked: a teacher who
/// just clicked Put and presses Space wants time to run, not a second put.)
fn keyboard_shortcuts(dispatch: Callback<Cmd>) -> impl FnOnce() {
    let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        // A clicker's PageDown/PageUp go on even from a field (the room's answer typed in
        // a lesson's question is checked by the next PageDown).
        let clicker = matches!(e.key().as_str(), "PageDown" | "PageUp");
        if (typing_in(target.clone()) && !clicker) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let cmd = match e.key().as_str() {
            " " => {
                // Let go of the focused control, so that its own use of Space (pressing a
                // button, ticking a box) does not happen as well.
                if let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.blur();
                }
                Cmd::Key(Key::Space)
            }
            "ArrowRight" => Cmd::Key(Key::Right),
            "ArrowLeft" => Cmd::Key(Key::Left),
            "n" | "PageDown" => Cmd::Key(Key::Next),
            "p" | "PageUp" => Cmd::Key(Key::Previous),
            "?" => Cmd::Help(None),
            "Escape" => Cmd::Help(Some(false)),
            _ => return,
        };
        e.prevent_default();
        dispatch.emit(cmd);
    });
    let window = web_sys::window().expect("a browser window");
    window
        .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref())
        .expect("add listener");
    move || {
        let _ = window
            .remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        drop(listener);
    }
}

/// Offers `text` to the user as a file named `name`.
/// A built-in files menu's change: the file chosen (by its index in `menu`) fetched from
/// `dir` and opened; the menu back to its title.
pub(super) fn open_from_menu(
    dir: &'static str,
    menu: &'static [(&'static str, &'static str)],
    d: &Callback<Cmd>,
) -> Callback<Event> {
    let d = d.clone();
    Callback::from(move |e: Event| {
        let select = e.target_unchecked_into::<HtmlSelectElement>();
        let index: usize = select.value().parse().unwrap_or(usize::MAX);
        select.set_value("");
        let _ = select.blur();
        if let Some((file, _)) = menu.get(index) {
            open_served(format!("{dir}/{file}"), d.clone());
        }
    })
}

/// Fetches a file served beside the page (a built-in lesson or example, `lessons/…` or
/// `scenarios/…`) and opens it; if it cannot be had, says so and changes nothing.
pub(super) fn open_served(path: String, d: Callback<Cmd>) {
    wasm_bindgen_futures::spawn_local(async move {
        d.emit(match fetch_text(&path).await {
            Ok(text) => Cmd::OpenFile(path, text),
            Err(e) => Cmd::FileRefused(format!("{path} could not be loaded ({e}); try again")),
        });
    });
}

async fn fetch_text(path: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let failed = |_| "the network failed".to_string();
    // `window.fetch` looked up when called (not bound once), so a test can stand in for it.
    let fetch = js_sys::Reflect::get(&window, &"fetch".into()).map_err(|_| "no fetch")?;
    let fetch: js_sys::Function = fetch.dyn_into().map_err(|_| "no fetch")?;
    let promise = fetch.call1(&window, &path.into()).map_err(failed)?;
    let promise: js_sys::Promise = promise.dyn_into().map_err(|_| "no answer")?;
    let response = JsFuture::from(promise).await.map_err(failed)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "no response")?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?).await.map_err(failed)?;
    text.as_string().ok_or_else(|| "not text".to_string())
}

/// Offers what `url` (an object or data URL) holds as a file named `name`.
pub(super) fn download_url(name: &str, url: &str) {
    let document = web_sys::window().and_then(|w| w.document());
    let link = document.and_then(|d| d.create_element("a").ok());
    if let Some(link) = link.and_then(|l| l.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
        link.set_href(url);
        link.set_download(name);
        link.click();
    }
}

pub(super) fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/x-ndjson");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    download_url(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The page's URL query (`?seed=…&nodes=…`), if any.
fn url_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The page's URL fragment (`#run=…`), if any.
fn url_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Puts the run's settings in the address bar, so that reloading or sharing gives this run.
fn share_in_address_bar(query: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(query));
    }
}

/// A share link pasted into this tab changes only the URL's fragment, and the browser does
/// not load the page again: do it, so that the link's run opens.
fn reload_on_new_link() -> impl FnOnce() {
    let listener = Closure::<dyn Fn()>::new(|| {
        if url_fragment().starts_with("#run=") {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    let window = web_sys::window().expect("a browser window");
    let _ =
        window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
    move || {
        let _ = window
            .remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        drop(listener);
    }
}

/// Play, step, speed and the time scrubber.
fn toolbar(p: &Playground, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let on_speed = d.reform(|e: Event| {
        let select = e.target_unchecked_into::<HtmlSelectElement>();
        let _ = select.blur(); // so that space and → work again at once
        Cmd::Speed(select.value().parse().unwrap_or(f64::NAN))
    });
    let on_scrub = d.reform(|e: InputEvent| {
        let value = e.target_unchecked_into::<HtmlInputElement>().value();
        Cmd::Seek(value.parse::<f64>().map_or(Time::MAX, |micros| micros.round() as Time))
    });
    let on_large = d.reform(|e: Event| {
        let checkbox = e.target_unchecked_into::<HtmlInputElement>();
        let _ = checkbox.blur();
        Cmd::LargeText(checkbox.checked())
    });
    html! {
        <div class="toolbar">
            <button class="play" onclick={d.reform(|_| Cmd::TogglePlay)}
                    aria-pressed={p.playing.to_string()} title="Play or pause (space)">
                { if p.playing { "❚❚ Pause" } else { "▶ Play" } }
                <kbd>{ "space" }</kbd>
            </button>
            <button class="step" onclick={d.reform(|_| Cmd::Step)} title="Handle one event (→)">
                { "Event" }<kbd>{ "→" }</kbd>
            </button>
            { scenario_bar::step_buttons(p, d) }
            <label class="speed"
                   title="How many milliseconds of simulated time pass per real second">
                <span class="label">{ "Speed" }</span>
                <select onchange={on_speed} aria-label="virtual milliseconds per real second">
                    { for SPEEDS.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == p.speed}>
                            { format!("{s} ms/s") }
                        </option>
                    }) }
                </select>
            </label>
            <label class="scrubber"
                   title="Drag to go back in time; the run replays exactly from its seed">
                <span class="label">{ "time" }</span>
                <input type="range" min="0" max={p.session.horizon().to_string()} step="any"
                       value={p.seeking.unwrap_or(world.now()).to_string()}
                       oninput={on_scrub} aria-label="virtual time" list="step-marks" />
                <datalist id="step-marks">
                    { for p.session.inputs().iter().map(|i| html! {
                        <option value={i.at.to_string()} />
                    }) }
                </datalist>
            </label>
            <span class="virtual-time">{ ms(world.now()) }</span>
            if let Some(target) = p.seeking {
                <span class="seeking">{ format!("replaying to {}…", ms(target)) }</span>
            }
            <span class="horizon">{ format!("of {}", ms(p.session.horizon())) }</span>
            <label class="switch large-text">
                <input type="checkbox" checked={p.large_text} onchange={on_large} />{ "projector" }
            </label>
            <button class="help" onclick={d.reform(|_| Cmd::Help(None))}
                    title="Keys, words and messages explained (?)" aria-label="help">
                { "?" }
            </button>
        </div>
    }
}

/// The run's branches, once acting in the past made more than one, and the warning shown
/// while the page is in the past (acting there starts a branch).
fn branches_bar(p: &Playground, d: &Callback<Cmd>) -> Html {
    let branches = p.branches();
    let warning = p.past_warning();
    if branches.is_empty() && warning.is_none() {
        return html! {};
    }
    let buttons = branches.into_iter().map(|(number, label, current)| {
        html! {
            <button class={classes!("branch", current.then_some("current"))}
                    aria-pressed={current.to_string()}
                    onclick={d.reform(move |_| Cmd::SwitchBranch(number))}
                    title="Go over to this branch, at the same moment">
                { label }
            </button>
        }
    });
    html! {
        <div class="branches" role="status">
            if let Some(warning) = warning {
                <span class="past-warning">{ warning }</span>
            }
            { for buttons }
        </div>
    }
}

/// A message kind's shape and colour, small, as the legend shows it.
pub fn swatch(style: MessageStyle) -> Html {
    html! {
        <svg class="swatch" viewBox="-20 -20 40 40" aria-hidden="true">
            { message_shape(style, 13.0) }
        </svg>
    }
}

/// A message kind's shape in its colour: filled for a request, hollow for an answer.
pub fn message_shape(style: MessageStyle, r: f64) -> Html {
    let (fill, stroke, width) =
        if style.filled { (style.colour, "#111", "2") } else { ("#fff", style.colour, "6") };
    html! {
        <path class="shape" d={shape_path(style.shape, r)} fill={fill} stroke={stroke}
              stroke-width={width} />
    }
}

/// Keys, words and messages, each in one line with its section (the "?" overlay).
fn help_overlay(d: &Callback<Cmd>) -> Html {
    let close = d.reform(|_: MouseEvent| Cmd::Help(Some(false)));
    let keys = glossary::KEYS.iter().map(|(key, what)| {
        html! { <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></> }
    });
    let terms = glossary::TERMS.iter().map(|t| {
        html! { <><dt>{ t.word }</dt><dd>{ format!("{} ({})", t.meaning, t.section) }</dd></> }
    });
    let messages = MsgKind::ALL.iter().map(|&k| {
        html! {
            <>
                <dt>{ swatch(message_style(k)) }{ k.label() }</dt>
                <dd>{ glossary::message_meaning(k) }</dd>
            </>
        }
    });
    html! {
        <div class="help-overlay" role="dialog" aria-label="help: keys, words and messages">
            <div class="help-box">
                <button class="close" onclick={close}>{ "Close (Esc)" }</button>
                <h2>{ "Keys" }</h2>
                <dl class="keys">{ for keys }</dl>
                <h2>{ "Words" }</h2>
                <dl class="terms">{ for terms }</dl>
                <h2>{ "Messages" }</h2>
                <dl class="messages">{ for messages }</dl>
            </div>
        </div>
    }
}

/// The key lookup above the ring: MD5 position and preference list (§4.2, §4.3).
fn lookup(p: &Playground, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let key = p.lookup.trim();
    let oninput = d
        .reform(|e: InputEvent| Cmd::Lookup(e.target_unchecked_into::<HtmlInputElement>().value()));
    let detail = if key.is_empty() {
        html! {
            <span class="muted">
                { "Type a key to see where it lands and which nodes keep it. Click a node or \
                   a moving message to inspect it." }
            </span>
        }
    } else {
        let position = key_position(key);
        let list = world.preference_list(key);
        let n = world.config().n;
        let stand_ins = world.stand_ins(key);
        let place = format!(
            "MD5 = {} ({:.1}% round the ring). Preference list: ",
            &format_position(position)[..12],
            ring_fraction(position) * 100.0
        );
        let names = list.iter().take(n + 3).enumerate().map(|(i, &id)| {
            let class = classes!(
                "pref",
                if i < n { "replica" } else { "fallback" },
                (!world.is_up(id)).then_some("down"),
                stand_ins.iter().any(|(s, _)| *s == id).then_some("stand-in")
            );
            html! { <span class={class}>{ world.name(id) }</span> }
        });
        html! {
            <span class="lookup-result">
                { place }
                { for names }
                if list.len() > n + 3 { { format!(" … and {} more", list.len() - n - 3) } }
                { format!(" — the first {n} keep it; the next stand in when they fail.") }
            </span>
        }
    };
    html! {
        <div class="lookup">
            <label class="field">
                <span>{ "Look up a key" }</span>
                <input type="text" value={p.lookup.clone()} {oninput} placeholder="cart"
                       spellcheck="false" />
            </label>
            <button class="show-spacetime" onclick={d.reform(|_| Cmd::ShowSpaceTime(100))}
                    title="Messages in time: a lane per node (§4.5)">
                { "Time lanes" }
            </button>
            <button class="show-merkle"
                    onclick={d.reform(|_| Cmd::ShowMerkle(crate::app::merkle::Pick::Follow))}
                    title="Two replicas' Merkle trees compared, as anti-entropy does (§4.7)">
                { "Merkle" }
            </button>
            <button class="show-strategies" onclick={d.reform(|_| Cmd::ShowStrategies)}
                    title="The three partitioning strategies on these nodes, side by side (§6.2)">
                { "Strategies" }
            </button>
            if !key.is_empty() {
                <button class="show-versions" onclick={d.reform({
                            let key = key.to_string();
                            move |_| Cmd::ShowVersions(key.clone())
                        })}
                        title="Every version of this key so far, and how they descend (§4.4)">
                    { "Versions" }
                </button>
            }
            { detail }
        </div>
    }
}

/// Whether the inspector takes the whole right side: the Merkle view (two trees side by
/// side), or any view while a lesson tells it (the lesson's words take the top).
fn wide_view(p: &Playground) -> bool {
    match p.selected {
        Some(Selected::Merkle(_) | Selected::Strategies(_)) => true,
        Some(Selected::Versions(_) | Selected::SpaceTime { .. }) => p.lesson.is_some(),
        _ => false,
    }
}

/// The whole page.
/// The page: the playground, or — opened with `?speaker` — a presenter's speaker view.
#[function_component(App)]
pub fn app() -> Html {
    if presenter::is_speaker_view(&url_query()) {
        html! { <presenter::SpeakerView /> }
    } else {
        html! { <PlaygroundPage /> }
    }
}

#[function_component(PlaygroundPage)]
fn playground_page() -> Html {
    let playground = use_mut_ref(|| Playground::from_location(&url_query(), &url_fragment()));
    let redraw = use_force_update();
    let dispatch = {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        Callback::from(move |cmd: Cmd| {
            let applying = cmd == Cmd::ApplySettings;
            playground.borrow_mut().update(cmd);
            let file = playground.borrow_mut().download.take();
            if let Some((name, text)) = file {
                download(&name, &text);
            }
            if let Some(fragment) = playground.borrow_mut().open_full_page.take() {
                scenario_bar::open_full_page(&fragment);
            }
            if applying {
                share_in_address_bar(&playground.borrow().applied.query());
            }
            redraw.force_update();
        })
    };
    {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        use_effect_with((), move |_| {
            let frames = FrameLoop::start(move |elapsed| {
                let mut p = playground.borrow_mut();
                let lab = p.labs.as_ref().is_some_and(|l| l.is_running());
                if p.playing || p.seeking.is_some() || p.goal.is_some() || lab {
                    p.update(Cmd::Tick(elapsed));
                    drop(p);
                    redraw.force_update();
                }
            });
            move || drop(frames)
        });
    }
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| keyboard_shortcuts(dispatch));
    }
    use_effect_with((), |_| reload_on_new_link());
    // Presenter mode: the speaker view's "next" and "previous", and its card on each change.
    {
        let (dispatch, pg) = (dispatch.clone(), playground.clone());
        let hello = Callback::from(move |_| {
            if let Some(card) = pg.borrow().speaker_card() {
                presenter::post_card(&card);
            }
        });
        use_effect_with((), move |_| presenter::connect_presenter(dispatch, hello));
    }
    {
        let (playground, posted) = (playground.clone(), use_mut_ref(|| None));
        use_effect(move || {
            let card = playground.borrow().speaker_card();
            if let Some(new) = card.as_ref().filter(|_| *posted.borrow() != card) {
                presenter::post_card(new);
                *posted.borrow_mut() = card;
            }
        });
    }
    {
        let (playground, shown) = (playground.clone(), use_mut_ref(|| None));
        use_effect(move || {
            let next = playground.borrow().session.next_input();
            scenario_bar::keep_next_step_in_view(&mut shown.borrow_mut(), next);
        });
    }

    let p = playground.borrow();
    let world = p.session.world();
    let d = &dispatch;
    let on_node_click = d.reform(|index: usize| Cmd::SelectNode(NodeId(index as u32)));
    let on_message_click = d.reform(Cmd::SelectMessage);
    let on_key_hover = d.reform(Cmd::Lookup);
    let key = (!p.lookup.trim().is_empty()).then(|| KeyMark {
        key: p.lookup.trim().to_string(),
        fraction: ring_fraction(key_position(p.lookup.trim())),
    });
    let links: Vec<(usize, usize, String)> = world
        .network()
        .links()
        .map(|((a, b), fault)| (a.index(), b.index(), crate::app::describe::link_label(fault)))
        .collect();
    let hint_waits: Vec<(usize, usize, String)> = crate::app::describe::hint_waits(world)
        .into_iter()
        .map(|(holder, owner, label)| (holder.index(), owner.index(), label))
        .collect();
    let waits: Vec<(usize, usize, String)> = crate::app::describe::replica_waits(world)
        .into_iter()
        .map(|(coordinator, silent, label)| (coordinator.index(), silent.index(), label))
        .collect();
    let kept = match p.selected {
        Some(Selected::Node(id)) if world.is_up(id) => {
            let ranges = world.node(id).hosted_ranges();
            let arcs = ranges.iter().map(|(r, _)| (ring_fraction(r.start), ring_fraction(r.end)));
            Some((id.index(), arcs.collect()))
        }
        _ => None,
    };
    let legend = MsgKind::ALL.iter().map(|&k| {
        html! {
            <li title={glossary::message_meaning(k)}>{ swatch(message_style(k)) }{ k.label() }</li>
        }
    });
    let tokens = world.ring().tokens_of(NodeId(0)).len();
    let tagline = format!(
        "A live Dynamo cluster: {} on a consistent-hashing ring, {} tokens each, \
         every key kept by N = {} of them. Have a client put or get, then press Play (space): \
         every moving dot is a message between nodes. Click a node to inspect or crash it, \
         use “Break things” to cut the network, and drag the time bar to go back.",
        crate::app::describe::count(world.membership().members().count() as u64, "node"),
        tokens,
        world.config().n
    );

    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = {
        let d = d.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = scenario_bar::dropped_file(&e) {
                scenario_bar::read_scenario_file(file, d.clone());
            }
        })
    };
    // With a scenario open, its name is the page's title (the app's name is the tab's).
    let title = match &p.header.name {
        Some(name) => html! { <h1 class="scenario-name" title={name.clone()}>{ name }</h1> },
        None => html! { <h1>{ "Dynamo Playground" }</h1> },
    };
    let tagline = p.header.description.clone().unwrap_or(tagline);
    let ring = html! {
        <RingView nodes={node_views(&p)} messages={message_views(&p)} lookup={key}
                  n={world.config().n} {links} {waits} {hint_waits} {kept} keys={key_marks(&p)}
                  {on_key_hover} {on_node_click} {on_message_click} />
    };
    let scenario_message = p.scenario_message.as_ref().map(|m| {
        html! {
            <p class="scenario-message error" role="alert">{ m }</p>
        }
    });
    let header = html! {
        <header class="top">
            <div class="title-row">{ title }{ scenario_bar::scenario_bar(&p, d) }</div>
            if let Some(caption) = crate::app::steps::caption(&p) {
                <p class="step-caption" title={caption.clone()} aria-live="polite">{ caption }</p>
            } else {
                <p class="tagline">{ tagline }</p>
            }
            if let Some(notice) = &p.notice {
                <p class="notice error" role="alert">{ notice }</p>
            }
            if let Some(lines) = &p.checker_note {
                <section class="checker-note" role="note">
                    <button class="close-note" aria-label="close"
                            onclick={d.reform(|_| Cmd::CloseCheckerNote)}>{ "✕" }</button>
                    <strong>{ "The history checker on this run: " }</strong>
                    <ul>{ for lines.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                </section>
            }
            { for scenario_message }
            { toolbar(&p, d) }
            { lesson_bar::lesson_bar(&p, d) }
            { scenario_bar::share_box(&p, d) }
            { branches_bar(&p, d) }
        </header>
    };
    let classes = classes!(
        "app",
        p.embed.then_some("embed"),
        (p.large_text || p.presenting).then_some("large"),
        p.presenting.then_some("presenting")
    );
    if p.embed {
        // The compact page (a link with `&embed`), for an iframe: the ring and the steps.
        return html! {
            <div class={classes} ondragover={on_drag_over} ondrop={on_drop}>
                { header }
                <main class="embed-stage">{ ring }</main>
                { scenario_bar::full_page_button(d) }
            </div>
        };
    }

    if p.labs.is_some() {
        return html! {
            <div class={classes}>
                { header }
                { labs_view::labs_area(&p, d) }
            </div>
        };
    }
    html! {
        <div class={classes} ondragover={on_drag_over} ondrop={on_drop}>
            { header }
            if p.help { { help_overlay(d) } }
            <main class={classes!(
                "layout",
                p.selected.is_none().then_some("nothing-selected"),
                matches!(p.selected, Some(Selected::Versions(_) | Selected::SpaceTime { .. }))
                    .then_some("versions-open"),
                wide_view(&p).then_some("view-wide")
            )}>
                <section class="stage">
                    { lookup(&p, d) }
                    { ring }
                    <div class="under-ring">
                        { panels::stats(&p) }
                        <div>
                            <h2>{ "Messages" }</h2>
                            <ul class="legend">{ for legend }</ul>
                        </div>
                    </div>
                </section>
                <section class="column">
                    { panels::clients_panel(&p, d) }
                    { panels::inspector(&p, d) }
                </section>
                <section class="column">
                    { panels::faults_panel(&p, d) }
                    { panels::log_panel(&p, d) }
                    <details class="settings-box">
                        <summary>{ "Cluster settings: N, R, W, features, seed" }</summary>
                        { panels::settings_panel(&p, d) }
                    </details>
                </section>
            </main>
        </div>
    }
}
