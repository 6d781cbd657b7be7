//! A line chart in SVG, written by hand: axes with units, ticks, a legend, lines with
//! optional confidence bands, and each point's values on hover (its `<title>`). A charting
//! crate (plotters, charming) would cost tens of kilobytes of the page's 500 KB budget
//! for what fits in one small file; the SVG it draws can be saved as it is.

use crate::app::chart::{f, label, label3, ticks, Chart, Series, BOTTOM, H, LEFT, RIGHT, TOP, W};
use yew::prelude::*;

/// The charts' colours and strokes (Okabe–Ito), inside each SVG so that a chart saved as SVG
/// or PNG looks as it does on the page.
const STYLE: &str = "\
    .chart .chart-bg { fill: #fff;}\
    .chart .grid { stroke: #e3e3de; stroke-width: 1;}\
    .chart .axis { stroke: #333; stroke-width: 1.2;}\
    .chart text { font-size: 12px; fill: #333; font-family: system-ui, sans-serif;}\
    .chart .axis-label { font-size: 13px; font-weight: 600;}\
    .chart .line { fill: none; stroke-width: 2.2;}\
    .chart .band { stroke: none; opacity: 0.18;}\
    .chart .measured .line, .chart .measured .dot { stroke: #0072B2;}\
    .chart .measured .dot, .chart .measured .band { fill: #0072B2;}\
    .chart .model .line { stroke: #D55E00; stroke-dasharray: 6 4;}\
    .chart .model .dot { fill: #D55E00;}\
    .chart .closed-form .dot { fill: #009E73; r: 6;}\
    .chart .closed-form .line { stroke: #009E73;}\
    .chart .strategy-1 .line { stroke: #0072B2;}\
    .chart .strategy-1 .dot { fill: #0072B2;}\
    .chart .strategy-2 .line { stroke: #D55E00; stroke-dasharray: 6 4;}\
    .chart .strategy-2 .dot { fill: #D55E00;}\
    .chart .strategy-3 .line { stroke: #009E73;}\
    .chart .strategy-3 .dot { fill: #009E73;}\
    .chart .legend-item text { paint-order: stroke; stroke: #fff; stroke-width: 3px;}";

/// The chart as SVG.
pub fn line_chart(chart: &Chart) -> Html {
    let (x_lo, x_hi) = chart.x_range();
    let x_ticks: Vec<(f64, String)> = if chart.x_log {
        ((x_lo - 1e-9).ceil() as i64..=(x_hi + 1e-9).floor() as i64)
            .map(|e| {
                let v = 2f64.powi(e as i32);
                (v, label(v))
            })
            .collect()
    } else {
        ticks(x_lo, x_hi, 8).into_iter().map(|v| (v, label(v))).collect()
    };
    let y_ticks = ticks(chart.y_min, chart.y_max, 5);
    let grid_x = x_ticks.iter().map(|(v, text)| {
        let x = chart.sx(*v);
        html! {
            <g class="tick">
                <line x1={f(x)} x2={f(x)} y1={f(TOP)} y2={f(H - BOTTOM)} class="grid" />
                <text x={f(x)} y={f(H - BOTTOM + 16.0)} text-anchor="middle">{ text }</text>
            </g>
        }
    });
    let grid_y = y_ticks.iter().map(|&v| {
        let y = chart.sy(v);
        html! {
            <g class="tick">
                <line x1={f(LEFT)} x2={f(W - RIGHT)} y1={f(y)} y2={f(y)} class="grid" />
                <text x={f(LEFT - 6.0)} y={f(y + 4.0)} text-anchor="end">{ label(v) }</text>
            </g>
        }
    });
    let lines = chart.series.iter().map(|s| series(chart, s));
    let legend = chart.series.iter().enumerate().map(|(i, s)| {
        // Bottom right, where the labs' rising curves leave room.
        let y = H - BOTTOM - 12.0 - (chart.series.len() - 1 - i) as f64 * 18.0;
        let x = W - RIGHT - 190.0;
        html! {
            <g class={classes!("legend-item", s.class)}>
                <line x1={f(x)} x2={f(x + 22.0)} y1={f(y)} y2={f(y)} class="line" />
                <text x={f(x + 28.0)} y={f(y + 4.0)}>{ &s.name }</text>
            </g>
        }
    });
    html! {
        <svg id={chart.id} class="chart" viewBox={format!("0 0 {W} {H}")} role="img"
             xmlns="http://www.w3.org/2000/svg"
             aria-label={format!("{} against {}", chart.y_label, chart.x_label)}>
            <style>{ STYLE }</style>
            <rect x="0" y="0" width={W.to_string()} height={H.to_string()} class="chart-bg" />
            { for grid_x }
            { for grid_y }
            <line class="axis" x1={f(LEFT)} x2={f(W - RIGHT)}
                  y1={f(H - BOTTOM)} y2={f(H - BOTTOM)} />
            <line class="axis" x1={f(LEFT)} x2={f(LEFT)} y1={f(TOP)} y2={f(H - BOTTOM)} />
            <text class="axis-label" x={f((LEFT + W - RIGHT) / 2.0)} y={f(H - 10.0)}
                  text-anchor="middle">{ &chart.x_label }</text>
            <text class="axis-label" x="14" y={f((TOP + H - BOTTOM) / 2.0)} text-anchor="middle"
                  transform={format!("rotate(-90 14 {})", f((TOP + H - BOTTOM) / 2.0))}>
                { &chart.y_label }
            </text>
            { for lines }
            <g class="legend">{ for legend }</g>
        </svg>
    }
}

fn series(chart: &Chart, s: &Series) -> Html {
    let path: Vec<String> =
        s.points.iter().map(|&(x, y)| format!("{},{}", f(chart.sx(x)), f(chart.sy(y)))).collect();
    let band = s.band.as_ref().map(|band| {
        let upper = s.points.iter().zip(band).map(|(&(x, _), &(_, hi))| (x, hi));
        let lower = s.points.iter().zip(band).rev().map(|(&(x, _), &(lo, _))| (x, lo));
        let outline: Vec<String> = upper
            .chain(lower)
            .map(|(x, y)| format!("{},{}", f(chart.sx(x)), f(chart.sy(y))))
            .collect();
        html! { <polygon class="band" points={outline.join(" ")} /> }
    });
    let dots = s.points.iter().enumerate().map(|(i, &(x, y))| {
        let range = s
            .band
            .as_ref()
            .and_then(|b| b.get(i))
            .map(|(lo, hi)| format!(" (95%: {} – {})", label3(*lo), label3(*hi)));
        let tip = format!(
            "{}: {} = {}, {} = {}{}",
            s.name,
            chart.x_label,
            label3(x),
            chart.y_label,
            label3(y),
            range.unwrap_or_default()
        );
        html! {
            <circle class="dot" cx={f(chart.sx(x))} cy={f(chart.sy(y))} r="3.5">
                <title>{ tip }</title>
            </circle>
        }
    });
    html! {
        <g class={classes!("series", s.class)} data-series={s.name.clone()}>
            { for band }
            if !s.markers_only {
                <polyline class="line" points={path.join(" ")} />
            }
            { for dots }
        </g>
    }
}
