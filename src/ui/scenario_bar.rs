//! The scenario row under the toolbar: open a file (or drop one on the page), the
//! examples, save, share a link; previous and next step; and the step list as a strip of
//! numbered steps, the next one highlighted, each a button that goes to just before it.

use crate::app::examples::MENU;
use crate::app::steps::{self, StepRow, StepState};
use crate::app::{Cmd, Playground};
use crate::sim::limits::MAX_SCENARIO_BYTES;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Reads a picked or dropped file and opens it; a file too large is refused unread.
pub fn read_scenario_file(file: web_sys::File, d: Callback<Cmd>) {
    let name = file.name();
    if file.size() > MAX_SCENARIO_BYTES as f64 {
        d.emit(Cmd::FileRefused(format!(
            "{name} is {} bytes; a scenario file has at most {MAX_SCENARIO_BYTES}",
            file.size()
        )));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => d.emit(Cmd::OpenFile(name, text.as_string().unwrap_or_default())),
            Err(_) => d.emit(Cmd::FileRefused(format!("{name} could not be read"))),
        }
    });
}

/// The first file a drop carries, if any.
pub fn dropped_file(e: &DragEvent) -> Option<web_sys::File> {
    e.data_transfer()?.files()?.get(0)
}

/// The page's address without query or fragment, for share links.
fn page_address() -> String {
    let location = web_sys::window().map(|w| w.location());
    let part = |f: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        location.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
    };
    format!("{}{}", part(web_sys::Location::origin), part(web_sys::Location::pathname))
}

/// Puts `text` on the clipboard, where the browser allows it.
fn copy_to_clipboard(text: &str) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(clipboard), Some(write)) = (clipboard, write) {
        let _ = write.call1(&clipboard, &text.into());
    }
}

/// From the compact page: "open in full" (the run at this moment, in a new tab).
pub fn full_page_button(d: &Callback<Cmd>) -> Html {
    html! {
        <button class="full-page" onclick={d.reform(|_| Cmd::OpenFullPage)}
                title="This run at this moment, in the whole playground (a new tab)">
            { "open in full ↗" }
        </button>
    }
}

/// Opens the whole playground on the run a link's fragment holds, in a new tab.
pub fn open_full_page(fragment: &str) {
    if let Some(window) = web_sys::window() {
        let _ =
            window.open_with_url_and_target(&format!("{}#{fragment}", page_address()), "_blank");
    }
}

/// Open, examples, save, share; the step strip.
pub fn scenario_bar(p: &Playground, d: &Callback<Cmd>) -> Html {
    let on_file = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                read_scenario_file(file, d.clone());
            }
            input.set_value(""); // the same file can be opened again
        })
    };
    let on_example = super::open_from_menu("scenarios", &MENU, d);
    let examples = MENU.iter().enumerate().map(|(i, (_, title))| {
        html! { <option value={i.to_string()}>{ *title }</option> }
    });
    let compact = p.embed;
    html! {
        <div class="scenario-bar">
            if !compact {
                <label class="button open-file"
                       title="Open a scenario file (or drop one anywhere on the page)">
                    { "Open…" }
                    <input type="file" accept=".json,application/json" onchange={on_file} />
                </label>
                { super::lesson_bar::lessons_menu(d) }
                <select class="examples" onchange={on_example} aria-label="open an example">
                    <option value="" selected=true>{ "Examples…" }</option>
                    { for examples }
                </select>
                <button class="save-scenario" onclick={d.reform(|_| Cmd::SaveScenario)}
                        title="Save this run as a scenario file: settings, seed, every step at \
                               its moment, and the moment on screen (dynamo-sim runs it)">
                    { "Save" }
                </button>
                <button class="share-link" onclick={d.reform(|_| Cmd::ShareLink)}
                        title="A link to exactly this moment of this run">
                    { "Share link" }
                </button>
                <button class="open-labs" onclick={d.reform(|_| Cmd::OpenLabs)}
                        title="The paper's numbers measured on the simulator: staleness (PBS), \
                               partitioning (Figure 8)">
                    { "Labs" }
                </button>
            }
            { step_strip(p, d) }
        </div>
    }
}

/// "◀ Step" and "Step ▶": back to before the latest step, on through the next one.
pub fn step_buttons(p: &Playground, d: &Callback<Cmd>) -> Html {
    if let Some(state) = &p.lesson {
        // In a lesson the same buttons (and keys) go by beats.
        let first = state.beat == 0;
        let last = state.ran && state.beat + 1 == state.lesson.beats.len();
        let off = p.off_script();
        return html! {
            <>
                <button class="previous-step previous-beat"
                        onclick={d.reform(|_| Cmd::PreviousStep)}
                        disabled={first || off} title="Back to the previous beat (p or PageUp)">
                    { "◀ Beat" }<kbd>{ "p" }</kbd>
                </button>
                <button class="next-step next-beat" onclick={d.reform(|_| Cmd::NextStep)}
                        disabled={last || off} title="On to the next beat (n or PageDown)">
                    { if state.ran { "Beat ▶" } else { "Show me ▶" } }<kbd>{ "n" }</kbd>
                </button>
            </>
        };
    }
    let next = p.session.next_input();
    let (first, last) = (next == 0, next >= p.step_count());
    html! {
        <>
            <button class="previous-step" onclick={d.reform(|_| Cmd::PreviousStep)}
                    disabled={first}
                    title="Back to just before the latest step (p or PageUp)">
                { "◀ Step" }<kbd>{ "p" }</kbd>
            </button>
            <button class="next-step" onclick={d.reform(|_| Cmd::NextStep)} disabled={last}
                    title="Take the next step, then let its messages settle (n or PageDown)">
                { "Step ▶" }<kbd>{ "n" }</kbd>
            </button>
        </>
    }
}

/// Scrolls the step strip so that the next step is in view, when it changed since `last`.
pub fn keep_next_step_in_view(last: &mut Option<usize>, next: usize) {
    if *last == Some(next) {
        return;
    }
    *last = Some(next);
    let document = web_sys::window().and_then(|w| w.document());
    let chip = document.and_then(|d| d.query_selector(".step-strip .next").ok().flatten());
    let Some(chip) = chip.and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) else { return };
    if let Some(strip) = chip.parent_element() {
        let left = chip.offset_left() - strip.client_width() / 3;
        strip.set_scroll_left(left.max(0));
    }
}

/// The share link, once made: the address to copy, and the compact page's.
pub fn share_box(p: &Playground, d: &Callback<Cmd>) -> Html {
    let Some(fragment) = &p.share else { return html! {} };
    let url = format!("{}#{fragment}", page_address());
    let at = crate::app::describe::ms(p.session.world().now());
    let embed = format!("{url}&embed");
    let copy = {
        let url = url.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&url))
    };
    let select_all =
        Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select());
    html! {
        <div class="share-box" role="status">
            <span>{ format!("Link to this run at {at}:") }</span>
            <input class="share-url" type="text" readonly=true value={url.clone()}
                   onfocus={select_all} aria-label="share link" />
            <button class="copy-link" onclick={copy}>{ "Copy" }</button>
            <a href={embed} target="_blank" rel="noopener"
               title="The same moment in a compact page (ring and steps), for an iframe">
                { "compact page" }
            </a>
            <button class="close-share" onclick={d.reform(|_| Cmd::CloseShare)}
                    aria-label="hide the link">{ "×" }</button>
        </div>
    }
}

/// The steps as a strip: each numbered, its time and what it does; the next highlighted.
fn step_strip(p: &Playground, d: &Callback<Cmd>) -> Html {
    let rows = steps::rows(&p.session);
    if rows.is_empty() {
        return html! {
            <span class="step-strip empty muted">
                { "No steps yet: what you do is recorded here, or open a scenario." }
            </span>
        };
    }
    // At most this many around the next step: a long run stays quick to draw.
    const SHOWN: usize = 60;
    let next = p.session.next_input().min(rows.len());
    let first = next.saturating_sub(SHOWN / 3);
    let chips = rows.iter().skip(first).take(SHOWN).map(|row| step_chip(row, d));
    html! {
        <ol class="step-strip" aria-label="steps of the run">
            if first > 0 { <li class="more muted">{ format!("{first} before") }</li> }
            { for chips }
            if first + SHOWN < rows.len() {
                <li class="more muted">{ format!("{} more", rows.len() - first - SHOWN) }</li>
            }
            if p.session.next_input() >= rows.len() {
                <li class="step end next" title="Every step was taken: Play runs on">
                    <span>{ "end" }</span>
                </li>
            }
        </ol>
    }
}

/// "20.000 ms" as "20 ms", "41.250 ms" as "41.25 ms": the strip is short of room.
fn short_time(when: &str) -> String {
    match when.strip_suffix(" ms") {
        Some(number) if number.contains('.') => {
            format!("{} ms", number.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => when.to_string(),
    }
}

fn step_chip(row: &StepRow, d: &Callback<Cmd>) -> Html {
    let index = row.index;
    let state = match row.state {
        StepState::Taken => "taken",
        StepState::Next => "next",
        StepState::Later => "later",
    };
    let refused = row.refused.as_ref().map(|e| format!(" — refused: {e}")).unwrap_or_default();
    let title = format!(
        "step {} at {}: {}{refused}. Click: go to just before it.",
        index + 1,
        row.when,
        row.text
    );
    html! {
        <li class={classes!("step", state, row.refused.is_some().then_some("refused"))}>
            <button onclick={d.reform(move |_| Cmd::GoToStep(index))} title={title}
                    aria-current={(row.state == StepState::Next).then_some("step")}>
                <b>{ index + 1 }</b>
                <span class="when">{ short_time(&row.when) }</span>
                <span class="what">{ &row.text }</span>
            </button>
        </li>
    }
}
