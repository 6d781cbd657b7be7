//! Browser tests (wasm-bindgen-test in headless Chromium): the page mounts and draws the
//! ring, playing moves messages, and the core gives the same trace as natively.
#![cfg(target_arch = "wasm32")]

use dynamo_playground::sim::scenario::{self, Scenario};
use dynamo_playground::ui::App;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element to mount an app into.
fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_ring_shows_one_mark_per_node_and_per_token() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "g.node"), 5, "five nodes");
    assert_eq!(count(&root, "line.token"), 20, "four tokens each");
    for name in ["A", "B", "C", "D", "E"] {
        assert_eq!(count(&root, &format!("line.token[data-node='{name}']")), 4, "{name}'s tokens");
    }
    assert_eq!(count(&root, "g.message"), 0, "paused at start: nothing in flight");
    assert_eq!(text(&root, ".virtual-time"), "0.000 ms");
}

#[wasm_bindgen_test]
async fn play_sends_messages_around_the_ring() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let play: HtmlElement = root.query_selector("button.play").unwrap().unwrap().dyn_into().unwrap();
    assert!(play.text_content().unwrap().contains("Play"));
    play.click();
    yew::scheduler::flush().await;
    assert!(play.text_content().unwrap().contains("Pause"));
    let mut seen_in_flight = 0;
    for _ in 0..40 {
        yew::platform::time::sleep(Duration::from_millis(100)).await;
        seen_in_flight = seen_in_flight.max(count(&root, "g.message"));
        if seen_in_flight > 0 && text(&root, ".delivered") != "0" {
            break;
        }
    }
    assert!(seen_in_flight > 0, "messages were drawn in flight");
    assert_ne!(text(&root, ".delivered"), "0", "and delivered");
    assert_ne!(text(&root, ".virtual-time"), "0.000 ms", "virtual time moved");
}

#[wasm_bindgen_test]
async fn step_handles_one_event_at_a_time() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let step: HtmlElement = root.query_selector("button.step").unwrap().unwrap().dyn_into().unwrap();
    step.click(); // the first client request: a put or get through some node
    yew::scheduler::flush().await;
    let after_first = count(&root, "ol.log li");
    assert!(after_first >= 1, "the first step is logged");
    step.click();
    yew::scheduler::flush().await;
    assert!(count(&root, "ol.log li") > after_first || count(&root, "g.message") > 0);
}

/// The same scenario gives the same trace hash in the browser as natively (the native
/// test `figure_3_trace_hash_matches_the_golden_value` checks the same golden value).
#[wasm_bindgen_test]
fn figure_3_runs_in_the_browser_with_the_native_trace_hash() {
    let scenario = Scenario::from_json(include_str!("../scenarios/figure3.json")).unwrap();
    let doc = scenario::run(&scenario).unwrap();
    assert_eq!(doc["trace_hash"], include_str!("golden/figure3.trace-hash").trim());
    assert_eq!(doc["results"][8]["clock"], serde_json::json!({"Sx": 3, "Sy": 1, "Sz": 1}));
}

/// The 64-node reference load gives the native trace hash in the browser too; its speed
/// here is printed (native figures: `cargo bench --bench throughput`, see BENCHMARKS.md).
#[wasm_bindgen_test]
fn the_reference_load_runs_in_the_browser_with_the_native_trace_hash() {
    let performance = web_sys::window().unwrap().performance().unwrap();
    let started = performance.now();
    let (world, load) = dynamo_playground::sim::workload::reference_load(64, 200 * dynamo_playground::core::MS);
    let seconds = (performance.now() - started) / 1000.0;
    let m = world.metrics();
    wasm_bindgen_test::console_log!(
        "wasm reference load: {} ops, {} deliveries, {} events in {:.2} s: {:.0} deliveries/s, {:.0} events/s",
        load.issued(),
        m.messages_delivered,
        world.trace().len(),
        seconds,
        m.messages_delivered as f64 / seconds,
        world.trace().len() as f64 / seconds
    );
    assert_eq!(world.trace().hash(), include_str!("golden/load64.trace-hash").trim());
}

/// Fault injection by direct manipulation: clicking a node crashes it (greyed, "down"),
/// clicking again recovers it.
#[wasm_bindgen_test]
async fn clicking_a_node_crashes_it_and_clicking_again_recovers_it() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let node_b = || root.query_selector("g.node[data-node='B']").unwrap().unwrap();
    let click = |el: Element| {
        let event = web_sys::MouseEvent::new("click").unwrap();
        el.dispatch_event(&event).unwrap();
    };
    assert!(!node_b().class_list().contains("down"));
    click(node_b());
    yew::scheduler::flush().await;
    assert!(node_b().class_list().contains("down"), "crashed: greyed out");
    assert_eq!(count(&root, "g.node.down"), 1);
    assert!(text(&root, "ol.log").contains("B crashed"));
    click(node_b());
    yew::scheduler::flush().await;
    assert!(!node_b().class_list().contains("down"), "recovered");
    assert!(text(&root, "ol.log").contains("B recovered"));
}
