//! The Merkle exchange (what `app::merkle` reports): two replicas' trees of one key range
//! side by side, level by level from the root; a box per tree node compared, with its
//! hash shortened, red where the two differ; an equal box is a subtree never descended.
//! The level whose hashes are on the wire now is banded. Under the trees, the keys under
//! the differing leaves; then the latest comparison's messages and what they cost.

use crate::app::describe::{ms, short_position};
use crate::app::merkle::{cost_text, exchange, receiver, step_text, Exchange, Level, Pick};
use crate::app::{Cmd, Playground};
use crate::core::NodeId;
use crate::sim::world::SyncCarried;
use crate::sim::World;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

const GUTTER: f64 = 74.0;
const BOX_W: f64 = 42.0;
const BOX_H: f64 = 22.0;
const GAP: f64 = 6.0;
const ROW_H: f64 = 40.0;
const TREE_W: f64 = crate::app::merkle::MAX_BOXES as f64 * (BOX_W + GAP);
const TREES_GAP: f64 = 24.0;
const HEAD: f64 = 22.0;

/// The inspector's view of a Merkle exchange.
pub fn merkle_panel(p: &Playground, pick: Pick, d: &Callback<Cmd>) -> Html {
    let world = p.session.world();
    let close = d.reform(|_: MouseEvent| Cmd::CloseInspector);
    let body = match exchange(world, pick) {
        Ok(view) => exchange_body(world, &view, pick, d),
        Err(message) => html! { <p class="muted">{ message }</p> },
    };
    html! {
        <section class="panel inspector merkle-inspector">
            <h2>
                { "Merkle exchange" }
                <button class="anti-entropy" onclick={d.reform(|_| Cmd::AntiEntropy)}
                        title="Every node compares each range it keeps with the other replicas">
                    { "Run anti-entropy now" }
                </button>
                if pick != Pick::Follow {
                    <button class="follow" onclick={d.reform(|_| Cmd::ShowMerkle(Pick::Follow))}
                            title="Show the latest comparison anti-entropy made">
                        { "Follow anti-entropy" }
                    </button>
                }
                <button class="close" onclick={close}>{ "×" }</button>
            </h2>
            <p class="caption">
                { "Two replicas of one key range and their Merkle trees now (§4.7): the roots \
                   are compared first, then only the children of nodes whose hashes differ \
                   (red); an equal subtree (grey) is never descended. Only the keys under \
                   differing leaves travel." }
            </p>
            { body }
        </section>
    }
}

fn exchange_body(world: &World, view: &Exchange, pick: Pick, d: &Callback<Cmd>) -> Html {
    let names = [world.name(view.a).to_string(), world.name(view.b).to_string()];
    let range =
        format!("({}…, {}…]", short_position(view.range.start), short_position(view.range.end));
    let (a, range_now) = (view.a, view.range);
    let others: Vec<NodeId> = view.replicas.iter().copied().filter(|&r| r != a).collect();
    let on_peer = d.reform(move |e: Event| {
        let select = e.target_unchecked_into::<HtmlSelectElement>();
        let _ = select.blur();
        let b = select.value().parse().map(NodeId).unwrap_or(a);
        Cmd::ShowMerkle(Pick::Pair { a, b, range: range_now })
    });
    let peer_select = html! {
        <select class="peer" onchange={on_peer} aria-label="the other replica">
            { for others.iter().map(|&r| html! {
                <option value={r.0.to_string()} selected={r == view.b}>{ world.name(r) }</option>
            }) }
        </select>
    };
    let following = (pick == Pick::Follow).then(|| {
        let text = " — following the latest comparison that found a difference";
        html! { <span class="muted">{ text }</span> }
    });
    let wire_level = view.last.as_ref().zip(view.on_wire).map(|(s, i)| &s.steps[i]);
    let banded = wire_level.and_then(|m| match m.carried {
        SyncCarried::Hashes { level, .. } => Some(level as usize),
        SyncCarried::Keys { .. } => None,
    });
    let keys_on_wire = wire_level.is_some_and(|m| matches!(m.carried, SyncCarried::Keys { .. }));
    let on_wire_text = view
        .last
        .as_ref()
        .zip(wire_level)
        .map(|(s, m)| format!("On the wire now: {}", step_text(world, m, receiver(s, m))));
    html! {
        <>
            <p class="merkle-pair" data-a={names[0].clone()} data-b={names[1].clone()}>
                <b>{ &names[0] }</b>{ " and " }{ peer_select }
                { format!(" over the range {range}: {} leaves", 1u64 << view.depth) }
                { for following }
            </p>
            if let Some(text) = on_wire_text {
                <p class="on-wire-now">{ text }</p>
            }
            { trees(&names, &view.levels, banded) }
            { leaves_table(&names, view, keys_on_wire) }
            { latest(world, view) }
        </>
    }
}

/// Both trees, the same boxes in the same places, each with its own hashes.
fn trees(names: &[String; 2], levels: &[Level], banded: Option<usize>) -> Html {
    let width = GUTTER + 2.0 * TREE_W + TREES_GAP;
    let height = HEAD + levels.len() as f64 * ROW_H + 6.0;
    let x_of = |count: usize, slot: usize, tree: usize| {
        let left = GUTTER + tree as f64 * (TREE_W + TREES_GAP);
        let row_w = count as f64 * (BOX_W + GAP) - GAP;
        left + (TREE_W - row_w) / 2.0 + slot as f64 * (BOX_W + GAP)
    };
    let y_of = |level: usize| HEAD + level as f64 * ROW_H;
    let band = banded.filter(|&l| l < levels.len()).map(|l| {
        html! {
            <rect class="on-wire" x="0" y={(y_of(l) - 8.0).to_string()}
                  width={width.to_string()} height={(BOX_H + 16.0).to_string()} rx="6" />
        }
    });
    let labels = levels.iter().enumerate().map(|(l, level)| {
        let name = if l == 0 { "root".to_string() } else { format!("level {l}") };
        let counts = format!("{}/{} differ", level.differing, level.compared);
        html! {
            <g class="level-label">
                <text x="0" y={(y_of(l) + 10.0).to_string()}>{ name }</text>
                <text class="counts" x="0" y={(y_of(l) + 24.0).to_string()}>{ counts }</text>
            </g>
        }
    });
    let mut drawn: Vec<Html> = Vec::new();
    for tree in 0..2 {
        let left = GUTTER + tree as f64 * (TREE_W + TREES_GAP);
        drawn.push(html! {
            <text class="tree-name" x={(left + TREE_W / 2.0).to_string()} y="12">
                { format!("{}'s tree", names[tree]) }
            </text>
        });
        for (l, level) in levels.iter().enumerate() {
            let count = level.boxes.len();
            for (slot, b) in level.boxes.iter().enumerate() {
                let (x, y) = (x_of(count, slot, tree), y_of(l));
                if let Some(parent) = b.parent {
                    let above = levels[l - 1].boxes.len();
                    let px = x_of(above, parent, tree) + BOX_W / 2.0;
                    drawn.push(html! {
                        <line class="edge"
                              x1={px.to_string()} y1={(y_of(l - 1) + BOX_H).to_string()}
                              x2={(x + BOX_W / 2.0).to_string()} y2={y.to_string()} />
                    });
                }
                let state = if b.differs { "differs" } else { "equal" };
                let title = format!(
                    "tree node {}: {} leaves under it; {} {}, {} {}{}",
                    b.index,
                    b.leaves,
                    names[0],
                    b.hashes[0],
                    names[1],
                    b.hashes[1],
                    if b.differs {
                        " — differ: compared further down"
                    } else {
                        " — equal: not descended"
                    }
                );
                drawn.push(html! {
                    <g class={classes!("tree-box", state)} data-index={b.index.to_string()}
                       transform={format!("translate({x} {y})")}>
                        <title>{ title }</title>
                        <rect width={BOX_W.to_string()} height={BOX_H.to_string()} rx="4" />
                        <text x={(BOX_W / 2.0).to_string()} y="15">{ &b.hashes[tree] }</text>
                        if b.leaves == 1 {
                            <text class="leaf-number" x={(BOX_W / 2.0).to_string()}
                                  y={(BOX_H + 11.0).to_string()}>
                                { format!("leaf {}", b.index - (1 << l)) }
                            </text>
                        }
                    </g>
                });
            }
            let left_out = level.compared.saturating_sub(count);
            if left_out > 0 {
                let x = left + TREE_W - 2.0;
                drawn.push(html! {
                    <text class="more" x={x.to_string()} y={(y_of(l) + BOX_H + 10.0).to_string()}>
                        { format!("+{left_out} more") }
                    </text>
                });
            }
        }
    }
    html! {
        <svg class="merkle-trees" viewBox={format!("0 0 {width} {height}")} role="img"
             aria-label="the two replicas' Merkle trees, compared level by level">
            { for band }
            { for labels }
            { for drawn }
        </svg>
    }
}

/// The keys under the differing leaves, what each replica holds of them.
fn leaves_table(names: &[String; 2], view: &Exchange, on_wire: bool) -> Html {
    if view.leaves.is_empty() {
        let text = if view.levels.first().is_some_and(|l| l.differing == 0) {
            "The roots are equal: the two replicas hold the same keys of this range, and a \
             comparison costs one hash."
        } else {
            ""
        };
        return html! { <p class="in-sync">{ text }</p> };
    }
    let rows = view.leaves.iter().flat_map(|leaf| {
        leaf.keys.iter().enumerate().map(move |(i, row)| {
            html! {
                <tr class={classes!((!row.same).then_some("differs"))}>
                    if i == 0 {
                        <th rowspan={leaf.keys.len().to_string()}>
                            { format!("leaf {}", leaf.leaf) }
                        </th>
                    }
                    <td class="key">{ &row.key }</td>
                    <td>{ &row.held[0] }</td>
                    <td>{ &row.held[1] }</td>
                </tr>
            }
        })
    });
    html! {
        <>
            <h3>{ "Under the differing leaves: what the exchange sends" }</h3>
            <table class={classes!("rows", "merkle-leaves", on_wire.then_some("on-wire"))}>
                <tr><th></th><th>{ "key" }</th><th>{ &names[0] }</th><th>{ &names[1] }</th></tr>
                { for rows }
            </table>
            if view.leaves_left_out > 0 {
                <p class="muted">
                    { format!("… and {} more differing leaves", view.leaves_left_out) }
                </p>
            }
        </>
    }
}

/// The latest comparison of the two over this range: its messages, and their cost.
fn latest(world: &World, view: &Exchange) -> Html {
    let Some(sync) = &view.last else {
        return html! {
            <p class="muted">{ "These two have not compared this range yet: anti-entropy will \
                               (or press \"Run anti-entropy now\")." }</p>
        };
    };
    let now = world.now();
    let steps = sync.steps.iter().enumerate().map(|(i, m)| {
        let state = if Some(i) == view.on_wire {
            "on-wire"
        } else if m.arrives <= now {
            "arrived"
        } else {
            "waiting"
        };
        let text = format!("{} — {}", ms(m.sent), step_text(world, m, receiver(sync, m)));
        html! { <li class={state}>{ text }</li> }
    });
    html! {
        <>
            <h3>
                { format!("Their latest comparison here, started at {} by {}",
                          ms(sync.started), world.name(sync.initiator)) }
            </h3>
            <ol class="merkle-steps">{ for steps }</ol>
            <p class="merkle-cost">{ cost_text(sync) }</p>
        </>
    }
}
