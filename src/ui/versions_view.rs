//! The version history of a key (§4.4, Figure 3), drawn as the paper draws it: versions left
//! to right in the order they descend, siblings one above the other, an arrow from each
//! version to those that descend from it directly. What it draws is `app::versions`.

use crate::app::versions::{history, value_lines, VersionBox};
use crate::app::{Cmd, Playground};
use yew::prelude::*;

const BOX_W: f64 = 190.0;
/// A box's height with one line of value; each more line adds [`LINE_H`].
const BOX_H: f64 = 74.0;
const LINE_H: f64 = 18.0;
/// The height of every box: room for the value with the most lines.
fn box_height(versions: &[VersionBox]) -> f64 {
    let lines = versions.iter().map(|v| value_lines(&v.value).len()).max().unwrap_or(1);
    BOX_H + (lines.max(1) - 1) as f64 * LINE_H
}
const GAP_X: f64 = 40.0;
const GAP_Y: f64 = 18.0;

/// The inspector's view of `key`'s versions.
pub fn versions_panel(p: &Playground, key: &str, d: &Callback<Cmd>) -> Html {
    let history = history(p.session.world(), key);
    let close = d.reform(|_: MouseEvent| Cmd::CloseInspector);
    let caption = "Each version written so far (§4.4, Figure 3): an arrow points to what \
                   descends from it; stacked with no arrow between: siblings; dashed: held by \
                   no node now; (X): held as a hinted replica. Click one: when it travelled.";
    let body = if history.versions.is_empty() {
        html! { <p class="muted">{ format!("No version of {key} has been written yet.") }</p> }
    } else {
        diagram(&history.versions, &history.arrows, &history.hidden, d)
    };
    html! {
        <section class="panel inspector versions-inspector" data-key={key.to_string()}>
            <h2>
                { format!("Versions of {key}") }
                <button class="close" onclick={close}>{ "×" }</button>
            </h2>
            <p class="caption">{ caption }</p>
            if history.left_out > 0 {
                <p class="muted">{ format!("({} earlier versions not drawn: the latest {} are.)",
                    history.left_out, crate::app::versions::MAX_VERSIONS) }</p>
            }
            { body }
        </section>
    }
}

/// Where each box goes: its column, and its row among those of the same column.
fn places(versions: &[VersionBox], box_h: f64) -> Vec<(f64, f64)> {
    let mut rows_used = Vec::new();
    versions
        .iter()
        .map(|v| {
            if rows_used.len() <= v.column {
                rows_used.resize(v.column + 1, 0usize);
            }
            let row = rows_used[v.column];
            rows_used[v.column] += 1;
            (v.column as f64 * (BOX_W + GAP_X), row as f64 * (box_h + GAP_Y))
        })
        .collect()
}

fn diagram(
    versions: &[VersionBox],
    arrows: &[(usize, usize)],
    hidden: &[(usize, usize)],
    d: &Callback<Cmd>,
) -> Html {
    let box_h = box_height(versions);
    let at = places(versions, box_h);
    let width = at.iter().map(|(x, _)| x + BOX_W).fold(0.0, f64::max);
    let height = at.iter().map(|(_, y)| y + box_h).fold(0.0, f64::max);
    let lines = arrows.iter().map(|&(parent, child)| {
        let (x1, y1) = (at[parent].0 + BOX_W, at[parent].1 + box_h / 2.0);
        let (x2, y2) = (at[child].0 - 6.0, at[child].1 + box_h / 2.0);
        html! {
            <line class="descends" x1={x1.to_string()} y1={y1.to_string()}
                  x2={x2.to_string()} y2={y2.to_string()} marker-end="url(#version-arrow)" />
        }
    });
    // Descents truncation hid: dashed, and said so on the line.
    let hidden_lines = hidden.iter().map(|&(parent, child)| {
        let (x1, y1) = (at[parent].0 + BOX_W, at[parent].1 + box_h / 2.0);
        let (x2, y2) = (at[child].0 - 6.0, at[child].1 + box_h / 2.0);
        html! {
            <g class="hidden-descent">
                <title>{ "descends, but truncation dropped the pair that showed it (§4.4)" }</title>
                <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()}
                      y2={y2.to_string()} marker-end="url(#version-arrow)" />
                <text x={((x1 + x2) / 2.0).to_string()} y={((y1 + y2) / 2.0 - 5.0).to_string()}>
                    { "✂ hidden" }
                </text>
            </g>
        }
    });
    let boxes = versions.iter().zip(&at).map(|(v, &(x, y))| version_box(v, x, y, box_h, d));
    html! {
        <svg class="version-dag" viewBox={format!("-2 -2 {} {}", width + 4.0, height + 4.0)}
             style={format!("max-width: {}px", width + 4.0)} role="img"
             aria-label="the versions of the key and how they descend">
            <defs>
                <marker id="version-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                        markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" />
                </marker>
            </defs>
            { for lines }
            { for hidden_lines }
            { for boxes }
        </svg>
    }
}

fn version_box(v: &VersionBox, x: f64, y: f64, box_h: f64, d: &Callback<Cmd>) -> Html {
    let who = match (&v.client, &v.coordinator) {
        (Some(client), Some(coordinator)) => format!("{client}'s put, stamped by {coordinator}"),
        _ => "not yet acknowledged".to_string(),
    };
    let holders: Vec<String> = v
        .holders
        .iter()
        .map(|(node, hinted)| if *hinted { format!("({node})") } else { node.clone() })
        .collect();
    let held = if holders.is_empty() {
        "held by none now".into()
    } else {
        format!("held by {}", holders.join(" "))
    };
    let lines = value_lines(&v.value);
    let below = (lines.len().max(1) - 1) as f64 * LINE_H;
    let op = v.op;
    let onclick = op.map(|op| d.reform(move |_: MouseEvent| Cmd::ShowCarrier(op)));
    let go = if op.is_some() { " Click: go to the moment it travelled." } else { "" };
    let truncated = if v.truncated { " Its clock was truncated (§4.4)." } else { "" };
    html! {
        <g class={classes!(
               "version",
               v.holders.is_empty().then_some("gone"),
               v.truncated.then_some("truncated"),
               op.is_some().then_some("clickable")
           )}
           transform={format!("translate({x} {y})")} data-value={v.value.clone()} {onclick}>
            <title>{ format!("{} {} — {who}; {held}.{truncated}{go}", v.value, v.clock) }</title>
            <rect width={BOX_W.to_string()} height={box_h.to_string()} rx="8" />
            <text class="value" x="10" y="20">
                { for lines.iter().enumerate().map(|(i, line)| html! {
                    <tspan x="10" dy={if i == 0 { "0" } else { "1.15em" }}>{ line }</tspan>
                }) }
            </text>
            if v.truncated {
                <text class="cut" x={(BOX_W - 8.0).to_string()} y="20">{ "✂ truncated" }</text>
            }
            <text class="clock" x="10" y={(below + 38.0).to_string()}>{ &v.clock }</text>
            <text class="who" x="10" y={(below + 53.0).to_string()}>{ who }</text>
            <text class="held" x="10" y={(below + 67.0).to_string()}>{ held }</text>
        </g>
    }
}
