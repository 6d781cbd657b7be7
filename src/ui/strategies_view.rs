//! The three partitioning strategies of §6.2 (what `sim::strategies::compare` reports):
//! a small ring per strategy with its tokens in the nodes' colours and, for strategies 2
//! and 3, the Q equal partitions' boundaries; under each, the load-balancing efficiency,
//! the membership information a node keeps, and every node's load on one shared scale.

use crate::app::palette::node_colour;
use crate::app::{Cmd, Playground};
use crate::core::partition::Strategy;
use crate::core::ring::ring_fraction;
use crate::sim::strategies::{Compared, SAMPLE_KEYS};
use std::f64::consts::TAU;
use yew::prelude::*;

/// Most partition boundaries drawn (more would be a grey disc).
const MAX_BOUNDARIES: u32 = 256;

/// Most nodes given a load bar each.
const MAX_BARS: usize = 40;

/// The inspector's view of the three strategies.
pub fn strategies_panel(
    p: &Playground,
    compared: &Result<[Compared; 3], String>,
    d: &Callback<Cmd>,
) -> Html {
    let spec = &p.session.spec().world;
    let names: Vec<&str> = spec.nodes.iter().map(|n| n.name.as_str()).collect();
    let body = match compared {
        Ok(compared) => {
            let scale = compared.iter().map(|c| c.load.max).max().unwrap_or(1).max(1);
            let cards = compared.iter().map(|c| card(c, &names, scale));
            html! { <div class="strategy-cards">{ for cards }</div> }
        }
        Err(e) => html! { <p class="muted">{ format!("Cannot compare here: {e}") }</p> },
    };
    html! {
        <section class="panel inspector strategies-inspector">
            <h2>
                { "Partitioning strategies" }
                <button class="close" onclick={d.reform(|_| Cmd::CloseInspector)}>{ "×" }</button>
            </h2>
            <p class="caption">
                { format!(
                    "The run's {} nodes placed three ways (§6.2), N = {}, {} tokens per node. \
                     Load: {} sample keys (key-0 …), each counted on its N replicas. \
                     Efficiency = mean load ÷ the busiest node's load (100% is perfect).",
                    names.len(), spec.config.n, spec.tokens_per_node, SAMPLE_KEYS) }
            </p>
            { body }
        </section>
    }
}

fn title(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::RandomTokens => "T random tokens per node; a partition is a range between tokens",
        Strategy::RandomTokensEqualPartitions { .. } => {
            "The same random tokens; Q equal partitions, each placed from its end"
        }
        Strategy::EqualPartitions { .. } => "Q equal partitions dealt out, Q/S per node",
    }
}

fn card(c: &Compared, names: &[&str], scale: u64) -> Html {
    let number = c.strategy.number();
    let q = c.strategy.partitions();
    let q_text = q.map(|q| format!(", Q = {q}")).unwrap_or_default();
    let bars = c.load.per_node.iter().take(MAX_BARS).map(|&(node, load)| {
        let width = load as f64 / scale as f64 * 100.0;
        let name = names.get(node.index()).copied().unwrap_or("?");
        let style = format!("width: {width:.1}%; background: {}", node_colour(node.index()));
        html! {
            <div class="load-row" data-node={name.to_string()}>
                <span class="load-name">{ name }</span>
                <span class="load-track"><span class="load-bar" {style}></span></span>
                <span class="load-count">{ load }</span>
            </div>
        }
    });
    let hidden = c.load.per_node.len().saturating_sub(MAX_BARS);
    html! {
        <div class={format!("strategy-card strategy-{number}")}>
            <h3>{ format!("Strategy {number}") }<span class="muted">{ q_text }</span></h3>
            <p class="strategy-what">{ title(c.strategy) }</p>
            <p class="efficiency">
                <b>{ format!("{:.0}%", c.load.efficiency * 100.0) }</b>
                { format!(" efficient: mean {:.0}, busiest {}", c.load.mean, c.load.max) }
            </p>
            <p class="membership">
                <b>{ c.membership }</b>
                { if matches!(c.strategy, Strategy::EqualPartitions { .. }) {
                    " membership entries per node: one per partition"
                } else {
                    " membership entries per node: every token of every node"
                } }
            </p>
            { small_ring(c, q) }
            <div class="load-bars">{ for bars }</div>
            if hidden > 0 { <p class="muted">{ format!("… and {hidden} more nodes") }</p> }
        </div>
    }
}

fn small_ring(c: &Compared, q: Option<u32>) -> Html {
    const C: f64 = 100.0;
    const R: f64 = 80.0;
    let at = |f: f64, r: f64| {
        let a = f * TAU;
        (C + r * a.sin(), C - r * a.cos())
    };
    let boundaries = q.filter(|&q| q <= MAX_BOUNDARIES).into_iter().flat_map(|q| {
        (0..q).map(move |i| {
            let (x1, y1) = at(f64::from(i) / f64::from(q), R - 14.0);
            let (x2, y2) = at(f64::from(i) / f64::from(q), R + 14.0);
            html! {
                <line class="partition-boundary" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                      x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
            }
        })
    });
    let tokens = c.ring.tokens().iter().map(|&(t, node)| {
        let f = ring_fraction(t);
        let (x1, y1) = at(f, R - 8.0);
        let (x2, y2) = at(f, R + 8.0);
        let stroke = node_colour(node.index());
        html! {
            <line class="strategy-token" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                  x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} {stroke} />
        }
    });
    html! {
        <svg class="strategy-ring" viewBox="0 0 200 200" role="img"
             aria-label={format!("strategy {}'s tokens on the ring", c.strategy.number())}>
            <circle cx="100" cy="100" r={R.to_string()} class="ring-circle" />
            { for boundaries }
            { for tokens }
        </svg>
    }
}
