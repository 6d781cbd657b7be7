//! A lesson's beat under the toolbar: what it says, its question and the learner's
//! answer, the verdict and why (from the simulator), "back to the lesson" after leaving
//! its script, and at the end the prompts to try. "◀ Beat" and "Beat ▶" (n, p, PageDown,
//! PageUp: a clicker) go from beat to beat.

use crate::app::lesson::{answer_text, Answer, LessonState};
use crate::app::lessons::MENU;
use crate::app::{Cmd, Playground};
use crate::sim::scenario::lesson::Ask;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The "Lessons…" menu.
pub fn lessons_menu(d: &Callback<Cmd>) -> Html {
    let on_lesson = super::open_from_menu("lessons", &MENU, d);
    html! {
        <select class="lessons" onchange={on_lesson} aria-label="open a lesson">
            <option value="" selected=true>{ "Lessons…" }</option>
            { for MENU.iter().enumerate().map(|(i, (_, title))| html! {
                <option value={i.to_string()}>{ *title }</option>
            }) }
        </select>
    }
}

/// The beat on screen.
pub fn lesson_bar(p: &Playground, d: &Callback<Cmd>) -> Html {
    let Some(state) = &p.lesson else { return html! {} };
    let beat = state.current();
    let count = state.lesson.beats.len();
    let last = state.beat + 1 == count;
    html! {
        <section class="lesson-bar" data-beat={(state.beat + 1).to_string()}>
            <div class="beat-head">
                <span class="beat-count">{ format!("Beat {} of {count}", state.beat + 1) }</span>
                { present_buttons(p, d) }
                <button class="close-lesson" onclick={d.reform(|_| Cmd::CloseLesson)}
                        title="Close the lesson (the run stays)">{ "×" }</button>
            </div>
            <p class="say" aria-live="polite">{ &beat.say }</p>
            if let Some(ask) = &beat.ask {
                { question(p, state, ask, d) }
            }
            if p.off_script() {
                <p class="off-script">
                    { "You have left the lesson's script: the beats wait. " }
                    <button class="back-to-lesson" onclick={d.reform(|_| Cmd::BackToLesson)}>
                        { "Back to the lesson" }
                    </button>
                </p>
            }
            if last && !state.lesson.try_this.is_empty() {
                <div class="try-this">
                    <b>{ "Try this" }</b>
                    <ul>{ for state.lesson.try_this.iter().map(|t| html! { <li>{ t }</li> }) }</ul>
                </div>
            }
        </section>
    }
}

/// "Present" (full screen, large type, the beat as a caption; → and Space go on), and
/// while presenting, the speaker view and the way out.
fn present_buttons(p: &Playground, d: &Callback<Cmd>) -> Html {
    if !p.presenting {
        let present = d.reform(|_: MouseEvent| {
            super::presenter::request_full_screen();
            Cmd::Present(true)
        });
        return html! {
            <button class="present" onclick={present}
                    title="Full screen for a projector: the ring and the view, the beat as a \
                           caption; → / Space / PageDown next beat, ← / PageUp previous">
                { "Present" }
            </button>
        };
    }
    let speaker = Callback::from(|_: MouseEvent| super::presenter::open_speaker_view());
    html! {
        <>
            <button class="speaker" onclick={speaker}
                    title="A second window for you: the notes, the answer, the next beat">
                { "Speaker view" }
            </button>
            <button class="stop-presenting" onclick={d.reform(|_| Cmd::Present(false))}>
                { "Stop presenting" }
            </button>
        </>
    }
}

/// The question: the ways to answer it until answered, then the verdict and why.
fn question(p: &Playground, state: &LessonState, ask: &Ask, d: &Callback<Cmd>) -> Html {
    let worked = state.answers[state.beat].as_ref();
    let given = state.given[state.beat].as_ref();
    let done = state.ran && p.goal.is_none();
    if state.ran {
        let Some(worked) = worked.filter(|_| done) else {
            return html! { <p class="question">{ ask.question() }</p> };
        };
        let verdict = match (given, state.verdict()) {
            (Some(_), Some(true)) => html! { <b class="right">{ "Right. " }</b> },
            (Some(g), _) => html! {
                <b class="wrong">
                    { format!("Not quite: you said {}; it is {}. ",
                              answer_text(g), answer_text(&worked.answer)) }
                </b>
            },
            (None, _) => {
                html! { <b>{ format!("The answer: {}. ", answer_text(&worked.answer)) }</b> }
            }
        };
        return html! {
            <div class="question answered">
                <p>{ ask.question() }</p>
                <p class="verdict">{ verdict }{ &worked.why }</p>
            </div>
        };
    }
    let check = html! {
        <button class="check-answer" onclick={d.reform(|_| Cmd::CheckAnswer)}>{ "Check" }</button>
    };
    let inputs = match ask {
        Ask::Replicas { .. }
        | Ask::HintHolders { .. }
        | Ask::BelievedDown { .. }
        | Ask::MostKeys { .. }
        | Ask::Members { .. } => {
            let world = p.session.world();
            let chips = world.node_ids().map(|id| {
                let name = world.name(id).to_string();
                let checked = state.picked.contains(&name);
                let onchange = d.reform({
                    let name = name.clone();
                    move |_: Event| Cmd::PickNode(name.clone())
                });
                html! {
                    <label class="chip">
                        <input type="checkbox" {checked} {onchange} />{ name }
                    </label>
                }
            });
            html! { <div class="chips">{ for chips }{ check }</div> }
        }
        Ask::Outcome { .. } | Ask::Returns { .. } | Ask::Holds { .. } => {
            let (yes, no) = match ask {
                Ask::Outcome { .. } => ("Yes, it succeeds", "No, it fails"),
                _ => ("Yes, it does", "No, it does not"),
            };
            html! {
                <div class="buttons">
                    <button class="answer-yes"
                            onclick={d.reform(|_| Cmd::Answer(Answer::YesNo(true)))}>
                        { yes }
                    </button>
                    <button class="answer-no"
                            onclick={d.reform(|_| Cmd::Answer(Answer::YesNo(false)))}>
                        { no }
                    </button>
                </div>
            }
        }
        Ask::BestStrategy { .. } => {
            let choices = (1..=3u64).map(|n| {
                html! {
                    <button class={format!("answer-strategy-{n}")}
                            onclick={d.reform(move |_| Cmd::Answer(Answer::Count(n)))}>
                        { format!("Strategy {n}") }
                    </button>
                }
            });
            html! { <div class="buttons">{ for choices }</div> }
        }
        Ask::Versions { .. } | Ask::KeysExchanged { .. } | Ask::Stored { .. } => {
            let oninput = d.reform(|e: InputEvent| {
                Cmd::TypeAnswer(e.target_unchecked_into::<HtmlInputElement>().value())
            });
            let enter = d.clone();
            let onkeydown = Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" {
                    enter.emit(Cmd::CheckAnswer);
                }
            });
            html! {
                <div class="row">
                    <input class="count-answer" type="number" min="0" value={state.typed.clone()}
                           {oninput} {onkeydown} aria-label="your answer" />
                    { check }
                </div>
            }
        }
    };
    html! {
        <div class="question asking">
            <p><b>{ "Predict: " }</b>{ ask.question() }</p>
            { inputs }
            if let Some(e) = &state.error { <p class="error">{ e }</p> }
            <p class="muted">
                { "Then the steps run and the page checks. (Show me ▶ runs them unanswered.)" }
            </p>
        </div>
    }
}
