//! Presenter mode's two windows. The projected one (the page, presenting) posts the
//! beat's speaker card on a `BroadcastChannel` whenever it changes; the speaker view (the
//! same page opened with `?speaker`, in a second window) shows the card — the words, the
//! notes, the question's answer and why, the next beat — and sends "next" and "previous"
//! back, so that either window drives the lesson.

use crate::app::lesson::SpeakerCard;
use crate::app::Cmd;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};
use yew::prelude::*;

/// The channel both windows share (same origin, same browser).
const CHANNEL: &str = "dynamo-playground-presenter";

/// What the speaker view sends.
const NEXT: &str = "next";
const PREVIOUS: &str = "previous";
const HELLO: &str = "hello";

/// Whether this page is a speaker view.
pub fn is_speaker_view(query: &str) -> bool {
    query.trim_start_matches('?').split('&').any(|part| part == "speaker")
}

/// Opens the speaker view in a second window.
pub fn open_speaker_view() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let address = format!(
        "{}{}?speaker",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    let _ = window.open_with_url_and_target_and_features(
        &address,
        "dynamo-speaker-view",
        "width=900,height=640",
    );
}

/// Asks the browser for full screen (it may refuse; the page then stays as it is).
pub fn request_full_screen() {
    let Some(root) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
    else {
        return;
    };
    let request = js_sys::Reflect::get(&root, &"requestFullscreen".into()).ok();
    let Some(request) = request.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) else { return };
    if let Ok(promise) = request.call0(&root) {
        if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
            // A refusal is not an error of the page's: it is caught and forgotten (the
            // closure lives as long as the page: one per press of Present).
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
            let _ = promise.catch(&ignore);
            ignore.forget();
        }
    }
}

/// The projected window's end of the channel: posts each new card, and turns the speaker
/// view's "next" and "previous" into the page's commands. Returns its teardown.
pub fn connect_presenter(dispatch: Callback<Cmd>, hello: Callback<()>) -> impl FnOnce() {
    let channel = BroadcastChannel::new(CHANNEL).ok();
    let listener = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        match e.data().as_string().as_deref() {
            Some(NEXT) => dispatch.emit(Cmd::NextBeat),
            Some(PREVIOUS) => dispatch.emit(Cmd::PreviousBeat),
            Some(HELLO) => hello.emit(()),
            _ => {}
        }
    });
    if let Some(channel) = &channel {
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    }
    move || {
        if let Some(channel) = channel {
            channel.set_onmessage(None);
            channel.close();
        }
        drop(listener);
    }
}

/// Posts a card to the speaker view, if one listens.
pub fn post_card(card: &SpeakerCard) {
    if let (Ok(channel), Ok(text)) = (BroadcastChannel::new(CHANNEL), serde_json::to_string(card)) {
        let _ = channel.post_message(&JsValue::from_str(&text));
        channel.close();
    }
}

/// Sends a word to the projected window.
fn send(word: &str) {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&JsValue::from_str(word));
        channel.close();
    }
}

/// The room's verdict, as the speaker view says it.
fn verdict(right: Option<bool>) -> &'static str {
    match right {
        Some(true) => " — right",
        Some(false) => " — not quite",
        None => "",
    }
}

/// The speaker view: the beat's card, and buttons (and keys) for the next and previous beat.
#[function_component(SpeakerView)]
pub fn speaker_view() -> Html {
    let card = use_state(|| None::<SpeakerCard>);
    {
        let card = card.clone();
        use_effect_with((), move |_| {
            let channel = BroadcastChannel::new(CHANNEL).ok();
            let listener = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                let text = e.data().as_string().unwrap_or_default();
                if let Ok(received) = serde_json::from_str::<SpeakerCard>(&text) {
                    card.set(Some(received));
                }
            });
            if let Some(channel) = &channel {
                channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
                let _ = channel.post_message(&JsValue::from_str(HELLO));
            }
            let keys =
                Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(|e: web_sys::KeyboardEvent| {
                    match e.key().as_str() {
                        "n" | "PageDown" | "ArrowRight" | " " => send(NEXT),
                        "p" | "PageUp" | "ArrowLeft" => send(PREVIOUS),
                        _ => return,
                    }
                    e.prevent_default();
                });
            let window = web_sys::window().expect("a browser window");
            let _ =
                window.add_event_listener_with_callback("keydown", keys.as_ref().unchecked_ref());
            move || {
                let _ = window
                    .remove_event_listener_with_callback("keydown", keys.as_ref().unchecked_ref());
                if let Some(channel) = channel {
                    channel.set_onmessage(None);
                    channel.close();
                }
                drop((listener, keys));
            }
        });
    }
    let previous = Callback::from(|_: MouseEvent| send(PREVIOUS));
    let next = Callback::from(|_: MouseEvent| send(NEXT));
    let Some(card) = (*card).clone() else {
        return html! {
            <main class="speaker-view waiting">
                <h1>{ "Speaker view" }</h1>
                <p>{ "Waiting for the presented page: open a lesson there and press Present." }</p>
            </main>
        };
    };
    html! {
        <main class="speaker-view">
            <header>
                <h1>{ &card.title }</h1>
                <span class="beat-count">{ format!("Beat {} of {}", card.beat, card.beats) }</span>
                <button class="previous" onclick={previous}>{ "◀ Beat" }</button>
                <button class="next" onclick={next}>{ "Beat ▶" }</button>
            </header>
            <p class="say">{ &card.say }</p>
            if let Some(notes) = &card.notes {
                <p class="notes"><b>{ "Notes: " }</b>{ notes }</p>
            }
            if let Some(question) = &card.question {
                <div class="answer">
                    <p><b>{ "Question: " }</b>{ question }</p>
                    <p><b>{ "Answer: " }</b>{ card.answer.clone().unwrap_or_default() }
                        { " — " }{ card.why.clone().unwrap_or_default() }</p>
                    if let Some(given) = &card.given {
                        <p><b>{ "The room said: " }</b>{ given }
                            { verdict(card.right) }
                        </p>
                    }
                </div>
            }
            if card.off_script {
                <p class="off-script">
                    { "The projected page has left the lesson's script: the beats wait for \
                       \"Back to the lesson\" there." }
                </p>
            }
            if let Some(next) = &card.next {
                <p class="next-beat"><b>{ "Next: " }</b>{ next }</p>
            }
            if !card.try_this.is_empty() {
                <div class="try-this"><b>{ "Try this" }</b>
                    <ul>{ for card.try_this.iter().map(|t| html! { <li>{ t }</li> }) }</ul>
                </div>
            }
        </main>
    }
}
