//! The Labs area (what `app::labs` holds): a lab's form, Run and Cancel with a progress
//! bar, the findings in words, the chart, and the results as CSV or the chart as SVG.

use super::chart::line_chart;
use super::panels::{field, select_value};
use crate::app::labs::{
    compare_findings, compare_rows, consistency_chart, consistency_findings, coordination_findings,
    coordination_rows, divergence_chart, divergence_findings, partitioning_chart,
    partitioning_findings, search_findings, LabKind, LabsState,
};
use crate::app::{error_for, Cmd, Playground};
use crate::sim::check::PROPERTIES;
use crate::sim::lab::consistency::ConsistencyReport;
use crate::sim::search::Faults;
use yew::prelude::*;

/// The whole Labs area, in place of the ring and the panels.
pub fn labs_area(p: &Playground, d: &Callback<Cmd>) -> Html {
    let Some(labs) = p.labs.as_ref() else { return html! {} };
    let tab = |kind: LabKind, text: &str| {
        let class = classes!("lab-tab", (labs.kind == kind).then_some("chosen"));
        html! {
            <button {class} disabled={labs.is_running()}
                    onclick={d.reform(move |_| Cmd::ChooseLab(kind))}>{ text }</button>
        }
    };
    let body = match labs.kind {
        LabKind::Consistency => consistency(labs, d),
        LabKind::Partitioning => partitioning(labs, d),
        LabKind::Divergence => divergence(labs, d),
        LabKind::Coordination => coordination(labs, d),
        LabKind::Compare => compare(labs, d),
        LabKind::Counterexample => counterexample(labs, d),
    };
    html! {
        <main class="labs-area">
            <section class="panel labs">
                <h2>
                    { "Labs: the paper's numbers, measured on this simulator" }
                    <button class="close-labs" onclick={d.reform(|_| Cmd::CloseLabs)}>
                        { "← Back to the playground" }
                    </button>
                </h2>
                <div class="lab-tabs">
                    { tab(LabKind::Consistency, "Consistency (§4.5, PBS)") }
                    { tab(LabKind::Partitioning, "Partitioning (§6.2, Figure 8)") }
                    { tab(LabKind::Divergence, "Divergence (§6.3)") }
                    { tab(LabKind::Coordination, "Coordination (§6.4, Table 2)") }
                    { tab(LabKind::Compare, "Side by side") }
                    { tab(LabKind::Counterexample, "Counterexamples") }
                </div>
                { body }
            </section>
        </main>
    }
}

/// A lab form's field: one function for all of them (a closure type per field would make
/// a copy of the generic `panels::field` per field in the page's download).
fn lab_field(
    label: &str,
    id: &'static str,
    value: &str,
    errors: &crate::app::FieldErrors,
    d: &Callback<Cmd>,
) -> Html {
    field(label, id, value, errors, d, move |v| Cmd::LabField(id, v))
}

fn run_row(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let progress = labs.progress.map(|(done, all)| {
        let state = if labs.is_running() {
            "running"
        } else if labs.cancelled {
            "cancelled: the results so far"
        } else {
            "done"
        };
        html! {
            <span class="lab-progress">
                <progress max={all.to_string()} value={done.to_string()} />
                { format!(" {done} of {all} — {state}") }
            </span>
        }
    });
    let error = error_for(&labs.errors, "lab-run").map(|e| {
        html! { <p class="field-error" role="alert">{ e }</p> }
    });
    html! {
        <div class="lab-run">
            if labs.is_running() {
                <button class="cancel-lab" onclick={d.reform(|_| Cmd::CancelLab)}>
                    { "Cancel" }
                </button>
            } else {
                <button class="run-lab primary" onclick={d.reform(|_| Cmd::RunLab)}>
                    { "Run" }
                </button>
            }
            { for progress }
            { for error }
        </div>
    }
}

fn exports(d: &Callback<Cmd>, chart_id: &'static str, name: &'static str) -> Html {
    let chart = move || {
        let document = web_sys::window().and_then(|w| w.document());
        document.and_then(|doc| doc.get_element_by_id(chart_id))
    };
    let save_svg = Callback::from(move |_: MouseEvent| {
        if let Some(svg) = chart() {
            super::download(&format!("{name}.svg"), &svg.outer_html());
        }
    });
    let save_png = Callback::from(move |_: MouseEvent| {
        if let Some(svg) = chart() {
            save_as_png(&svg.outer_html(), &format!("{name}.png"));
        }
    });
    html! {
        <div class="lab-exports">
            <button class="export-csv" onclick={d.reform(|_| Cmd::ExportLabCsv)}>
                { "Data as CSV" }
            </button>
            <button class="export-svg" onclick={save_svg}>{ "Chart as SVG" }</button>
            <button class="export-png" onclick={save_png}>{ "Chart as PNG" }</button>
        </div>
    }
}

/// Draws a chart's SVG (its styles inside it) on a canvas, at twice the chart's own size, on
/// white, and offers the canvas as a PNG file.
fn save_as_png(svg: &str, name: &str) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options);
    let url = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b));
    let (Ok(url), Ok(image)) = (url, web_sys::HtmlImageElement::new()) else { return };
    let name = name.to_string();
    let drawn = image.clone();
    let source = url.clone();
    let on_load = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&source);
        let document = web_sys::window().and_then(|w| w.document());
        let canvas = document.and_then(|d| d.create_element("canvas").ok());
        let Some(canvas) = canvas.and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        let (w, h) = (2 * crate::app::chart::W as u32, 2 * crate::app::chart::H as u32);
        canvas.set_width(w);
        canvas.set_height(h);
        let context = canvas.get_context("2d").ok().flatten();
        let Some(context) =
            context.and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, w as f64, h as f64);
        let _ = context
            .draw_image_with_html_image_element_and_dw_and_dh(&drawn, 0.0, 0.0, w as f64, h as f64);
        if let Ok(data) = canvas.to_data_url() {
            super::download_url(&name, &data);
        }
    });
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_src(&url);
}

fn consistency(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let f = &labs.consistency_form;
    let e = &labs.errors;
    let text = |label: &str, id: &'static str, value: &str| lab_field(label, id, value, e, d);
    let kinds = ["exponential", "uniform", "fixed"].map(|k| {
        html! { <option value={k} selected={f.latency == k}>{ k }</option> }
    });
    let on_kind = d.reform(|e: Event| Cmd::LabField("lab-latency-kind", select_value(e)));
    let (a_label, b) = match f.latency.as_str() {
        "uniform" => ("latency min (ms)", true),
        "fixed" => ("latency (ms)", false),
        _ => ("latency mean (ms)", false),
    };
    let sloppy = f.sloppy;
    let on_sloppy = d.reform(move |_| Cmd::LabCheck("lab-sloppy", !sloppy));
    let results = labs.consistency.as_ref().map(|report| {
        let findings = labs
            .consistency_spec
            .as_ref()
            .map(|spec| consistency_findings(spec, report))
            .unwrap_or_default();
        html! {
            <div class="lab-results">
                <ul class="findings">{ for findings.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                { line_chart(&consistency_chart(report)) }
                { latency_table(report) }
                { exports(d, "consistency-chart", "consistency-lab") }
            </div>
        }
    });
    html! {
        <div class="lab consistency-lab">
            <p class="caption">
                { "How often does a read started t ms after a write was acknowledged return that \
                   write? Each trial writes a fresh key and reads it at every t, through random \
                   nodes; read repair is off so that reads change nothing. Beside it, the closed \
                   form for a read quorum missing the W replicas that acknowledged, and the PBS \
                   paper's WARS model (Bailis et al., VLDB 2012), both without the simulator." }
            </p>
            <div class="lab-form">
                { text("N", "lab-n", &f.n) }
                { text("R", "lab-r", &f.r) }
                { text("W", "lab-w", &f.w) }
                { text("nodes", "lab-nodes", &f.nodes) }
                <label class="field">
                    <span>{ "latency model" }</span>
                    <select onchange={on_kind}>{ for kinds }</select>
                </label>
                { text(a_label, "lab-latency", &f.latency_a) }
                if b { { text("latency max (ms)", "lab-latency-max", &f.latency_b) } }
                { text("trials", "lab-trials", &f.trials) }
                { text("points", "lab-points", &f.points) }
                { text("seed", "lab-seed", &f.seed) }
                { text("nodes down per trial (%)", "lab-failure", &f.failure_percent) }
                <label class="field check">
                    <input type="checkbox" checked={sloppy} onchange={on_sloppy} />
                    <span>{ "sloppy quorum (§4.6)" }</span>
                </label>
            </div>
            { run_row(labs, d) }
            { for results }
        </div>
    }
}

fn latency_table(report: &ConsistencyReport) -> Html {
    let l = &report.latency_ms;
    let row = |name: &str, p: &crate::sim::lab::consistency::Percentiles| {
        html! {
            <tr>
                <th>{ name }</th>
                <td>{ format!("{:.2}", p.p50) }</td>
                <td>{ format!("{:.2}", p.p99) }</td>
                <td>{ format!("{:.2}", p.p999) }</td>
            </tr>
        }
    };
    html! {
        <table class="rows lab-latency">
            <caption>
                { "Client latency, ms (§4.5: the slowest of the R or W replicas sets it)" }
            </caption>
            <tr><th></th><th>{ "50th" }</th><th>{ "99th" }</th><th>{ "99.9th" }</th></tr>
            { row("get", &l.read) }
            { row("put", &l.write) }
        </table>
    }
}

fn partitioning(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let f = &labs.partitioning_form;
    let e = &labs.errors;
    let text = |label: &str, id: &'static str, value: &str| lab_field(label, id, value, e, d);
    let results = labs.partitioning.as_ref().map(|report| {
        let findings = partitioning_findings(report);
        html! {
            <div class="lab-results">
                <ul class="findings">{ for findings.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                { line_chart(&partitioning_chart(report)) }
                { exports(d, "partitioning-chart", "partitioning-lab") }
            </div>
        }
    });
    html! {
        <div class="lab partitioning-lab">
            <p class="caption">
                { "The three strategies of §6.2 on the same S nodes, for each T: strategies 1 and \
                   2 with T random tokens per node, strategies 2 and 3 with Q = S × T equal \
                   partitions. Load: sample keys, each counted on its N replicas; efficiency = \
                   mean load ÷ the busiest node's. Membership: every token (strategies 1, 2), \
                   one entry per partition (3)." }
            </p>
            <div class="lab-form">
                { text("nodes S", "lab-s", &f.nodes) }
                { text("N", "lab-pn", &f.n) }
                { text("sample keys", "lab-keys", &f.keys) }
                { text("T values", "lab-tokens", &f.tokens) }
                { text("seed", "lab-pseed", &f.seed) }
            </div>
            { run_row(labs, d) }
            { for results }
        </div>
    }
}

fn divergence(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let f = &labs.divergence_form;
    let e = &labs.errors;
    let text = |label: &str, id: &'static str, value: &str| lab_field(label, id, value, e, d);
    let results = labs.divergence.as_ref().map(|report| {
        let findings = divergence_findings(report);
        html! {
            <div class="lab-results">
                <ul class="findings">{ for findings.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                { line_chart(&divergence_chart(report)) }
                { exports(d, "divergence-chart", "divergence-lab") }
            </div>
        }
    });
    html! {
        <div class="lab divergence-lab">
            <p class="caption">
                { "Clients update shopping carts as the cart service does: read the cart, merge \
                   the versions that came back (the union of their items), write it back with \
                   the read's context (§4.4), at random carts, while nodes go down at random \
                   for half a second at a time. How many versions does each read see, and why? \
                   Five nodes, (N, R, W) = (3, 2, 2), sloppy quorum." }
            </p>
            <div class="lab-form">
                { text("clients", "lab-clients", &f.clients) }
                { text("carts", "lab-carts", &f.carts) }
                { text("pause between updates (ms)", "lab-think", &f.think_ms) }
                { text("nodes down per half second (%)", "lab-dfailure", &f.failure_percent) }
                { text("virtual seconds", "lab-seconds", &f.seconds) }
                { text("seed", "lab-dseed", &f.seed) }
            </div>
            { run_row(labs, d) }
            { for results }
        </div>
    }
}

/// A box of a lab's form, by its id.
fn check_box(label: &str, id: &'static str, on: bool, d: &Callback<Cmd>) -> Html {
    html! {
        <label class="field check">
            <input type="checkbox" {id} checked={on}
                   onchange={d.reform(move |_| Cmd::LabCheck(id, !on))} />
            <span>{ label }</span>
        </label>
    }
}

fn counterexample(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let f = &labs.search_form;
    let e = &labs.errors;
    let text = |label: &str, id: &'static str, value: &str| lab_field(label, id, value, e, d);
    let properties = std::iter::once("any").chain(PROPERTIES).map(|p| {
        html! { <option value={p} selected={f.property == p}>{ p }</option> }
    });
    let on_property = d.reform(|e: Event| Cmd::LabField("cx-property", select_value(e)));
    const FAULT_IDS: [&str; 5] =
        ["cx-crash", "cx-wipe", "cx-partition", "cx-link", "cx-membership"];
    let faults =
        (0..Faults::NAMES.len()).map(|i| check_box(Faults::NAMES[i], FAULT_IDS[i], f.faults[i], d));
    let shrinking = labs
        .running
        .as_ref()
        .is_some_and(|r| matches!(r, crate::app::labs::Running::Search(s) if s.shrinking()));
    let results = labs.search.as_ref().map(|outcome| {
        let findings = search_findings(outcome);
        let found = outcome.found.as_ref().map(|cx| {
            let evidence = cx.verdict.evidence.iter().map(|line| html! { <li>{ line }</li> });
            let steps = cx.shrunk.steps.len();
            html! {
                <div class="counterexample">
                    <h3>{ format!("What the checker saw ({steps} steps)") }</h3>
                    <ul class="evidence">{ for evidence }</ul>
                    <div class="lab-exports">
                        <button class="open-counterexample primary"
                                onclick={d.reform(|_| Cmd::OpenCounterexample)}>
                            { "Open it on the timeline" }
                        </button>
                        <button class="export-csv" onclick={d.reform(|_| Cmd::ExportLabCsv)}>
                            { "Save as a scenario file" }
                        </button>
                    </div>
                </div>
            }
        });
        html! {
            <div class="lab-results">
                <ul class="findings">{ for findings.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                { for found }
            </div>
        }
    });
    html! {
        <div class="lab counterexample-lab">
            <p class="caption">
                { "Random fault schedules on five nodes (puts and gets by three clients on four \
                   keys, and the faults you allow), each judged by the history checker from \
                   what the clients saw. The first that violates the property is shrunk — steps \
                   removed, moved sooner, nodes no step names dropped — to a short scenario that still does, which you can \
                   replay step by step. Where Dynamo promises the property, none should be \
                   found." }
            </p>
            <div class="lab-form">
                { text("N", "cx-n", &f.n) }
                { text("R", "cx-r", &f.r) }
                { text("W", "cx-w", &f.w) }
                { check_box("sloppy quorum (§4.6)", "cx-sloppy", f.sloppy, d) }
                { check_box("last write wins (§4.4)", "cx-lww", f.lww, d) }
                { text("clock truncation (§4.4)", "cx-truncation", &f.truncation) }
                <div class="field faults">
                    <span>{ "faults the schedules may contain" }</span>
                    <div>{ for faults }</div>
                </div>
                <label class="field">
                    <span>{ "property" }</span>
                    <select id="cx-property" onchange={on_property}>{ for properties }</select>
                </label>
                { text("schedules", "cx-schedules", &f.schedules) }
                { text("steps per schedule", "cx-steps", &f.steps) }
                { text("seed", "cx-seed", &f.seed) }
            </div>
            { run_row(labs, d) }
            if shrinking { <p class="lab-shrinking">{ "Found one; shrinking it…" }</p> }
            { for results }
        </div>
    }
}

fn coordination(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let f = &labs.coordination_form;
    let e = &labs.errors;
    let text = |label: &str, id: &'static str, value: &str| lab_field(label, id, value, e, d);
    let results = labs.coordination.as_ref().map(|report| {
        let findings = coordination_findings(report);
        let rows = coordination_rows(report).map(|(name, values)| {
            html! {
                <tr>
                    <th>{ name }</th>
                    { for values.iter().map(|v| html! { <td>{ format!("{v:.2}") }</td> }) }
                </tr>
            }
        });
        html! {
            <div class="lab-results">
                <ul class="findings">{ for findings.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                <table class="rows coordination-table">
                    <caption>
                        { "Table 2: latencies in ms, measured here and in the paper" }
                    </caption>
                    <tr>
                        <th></th><th>{ "99.9th read" }</th><th>{ "99.9th write" }</th>
                        <th>{ "average read" }</th><th>{ "average write" }</th>
                    </tr>
                    { for rows }
                </table>
                { csv_button(d) }
            </div>
        }
    });
    html! {
        <div class="lab coordination-lab">
            <p class="caption">
                { "Who picks a request's coordinator (§6.4)? Server-driven: the request goes \
                   to a random node, and a put reaching a node outside the key's top N is \
                   forwarded. Client-driven: the client keeps a copy of the membership, fetched \
                   from a random node every poll interval (the paper: 10 s), and sends each \
                   request to the key's first node. The same load (half gets, half puts, one \
                   per ms, (N, R, W) = (3, 2, 2)) runs both ways." }
            </p>
            <div class="lab-form">
                { text("nodes", "co-nodes", &f.nodes) }
                { text("operations", "co-ops", &f.ops) }
                { text("latency mean (ms, exponential)", "co-latency", &f.latency_mean) }
                { text("membership poll (ms)", "co-poll", &f.poll_ms) }
                { text("seed", "co-seed", &f.seed) }
            </div>
            { run_row(labs, d) }
            { for results }
        </div>
    }
}

/// One run's settings in the side-by-side form, its fields' ids in `ids`.
fn side_fields(
    title: &str,
    f: &crate::app::labs::SideForm,
    ids: [&'static str; 5],
    labs: &LabsState,
    d: &Callback<Cmd>,
) -> Html {
    let e = &labs.errors;
    let strategy_id = ids[4];
    let strategies = ["1", "2", "3"].map(|k| {
        html! { <option value={k} selected={f.strategy == k}>{ format!("strategy {k}") }</option> }
    });
    let on_strategy = d.reform(move |e: Event| Cmd::LabField(strategy_id, select_value(e)));
    html! {
        <fieldset class="lab-side">
            <legend>{ title }</legend>
            { lab_field("N", ids[0], &f.n, e, d) }
            { lab_field("R", ids[1], &f.r, e, d) }
            { lab_field("W", ids[2], &f.w, e, d) }
            { check_box("sloppy quorum (§4.6)", ids[3], f.sloppy, d) }
            <label class="field">
                <span>{ "partitioning (§6.2)" }</span>
                <select id={strategy_id} onchange={on_strategy}>{ for strategies }</select>
            </label>
        </fieldset>
    }
}

fn compare(labs: &LabsState, d: &Callback<Cmd>) -> Html {
    let f = &labs.compare_form;
    let e = &labs.errors;
    let text = |label: &str, id: &'static str, value: &str| lab_field(label, id, value, e, d);
    let results = labs.compare.as_ref().map(|(report, spec)| {
        let findings = compare_findings(report, spec);
        let rows = compare_rows(report).into_iter().map(|(what, [a, b])| {
            let class = (a != b).then_some("differs");
            html! { <tr class={classes!(class)}><th>{ what }</th><td>{ a }</td><td>{ b }</td></tr> }
        });
        html! {
            <div class="lab-results">
                <ul class="findings">{ for findings.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                <table class="rows compare-table">
                    <tr><th></th><th>{ "run A" }</th><th>{ "run B" }</th></tr>
                    { for rows }
                </table>
                { csv_button(d) }
            </div>
        }
    });
    html! {
        <div class="lab compare-lab">
            <p class="caption">
                { "Two runs with the same seed, the same nodes, the same schedule of requests \
                   (one get or put per ms on 200 keys, the same entry nodes) and the same \
                   failures, advanced in lockstep; only their settings differ. (A put writes \
                   back what that run's client last read, so the keys written can differ.) \
                   A read is stale when it returned neither the latest write of its key \
                   acknowledged before it began nor a version descending from it (by vector \
                   clock)." }
            </p>
            <div class="lab-form">
                { side_fields("run A", &f.a, ["sa-n", "sa-r", "sa-w", "sa-sloppy", "sa-strategy"],
                              labs, d) }
                { side_fields("run B", &f.b, ["sb-n", "sb-r", "sb-w", "sb-sloppy", "sb-strategy"],
                              labs, d) }
                { text("nodes", "sc-nodes", &f.nodes) }
                { text("nodes down per half second (%)", "sc-failure", &f.failure_percent) }
                { text("virtual seconds", "sc-seconds", &f.seconds) }
                { text("seed", "sc-seed", &f.seed) }
            </div>
            { run_row(labs, d) }
            { for results }
        </div>
    }
}

/// "Data as CSV" alone, for a lab whose result is a table.
fn csv_button(d: &Callback<Cmd>) -> Html {
    html! {
        <div class="lab-exports">
            <button class="export-csv" onclick={d.reform(|_| Cmd::ExportLabCsv)}>
                { "Data as CSV" }
            </button>
        </div>
    }
}
