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
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .text_content()
        .unwrap_or_default()
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
    click(&find(&root, "button.load")); // clients at work
    yew::scheduler::flush().await;
    let play: HtmlElement =
        root.query_selector("button.play").unwrap().unwrap().dyn_into().unwrap();
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
    click(&find(&root, "button.load")); // clients at work
    yew::scheduler::flush().await;
    let step: HtmlElement =
        root.query_selector("button.step").unwrap().unwrap().dyn_into().unwrap();
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
    // Timed the second time, as natively: the first run also pays for compiling the wasm's
    // hot code with the optimizing compiler (V8 starts every function in its baseline one).
    let load =
        || dynamo_playground::sim::workload::reference_load(64, 200 * dynamo_playground::core::MS);
    let (first, _) = load();
    let started = performance.now();
    let (world, load) = load();
    let seconds = (performance.now() - started) / 1000.0;
    assert_eq!(first.trace().hash(), world.trace().hash());
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

fn click(el: &Element) {
    el.dispatch_event(&web_sys::MouseEvent::new("click").unwrap()).unwrap();
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

/// Clicks the Step button `times` times (one event each), flushing the renderer.
async fn step(root: &Element, times: usize) {
    for _ in 0..times {
        click(&find(root, "button.step"));
        yew::scheduler::flush().await;
    }
}

/// Steps one event at a time until `done` holds (at most `limit` events).
async fn step_until(root: &Element, limit: usize, done: impl Fn(&Element) -> bool) {
    for _ in 0..limit {
        if done(root) {
            return;
        }
        step(root, 1).await;
    }
    assert!(done(root), "not reached in {limit} events");
}

/// A fresh page, quiet: no background load until asked for, so only what the test does
/// happens.
async fn quiet_app() -> Element {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert!(text(&root, "button.load").contains("Start"), "the load is off at first");
    root
}

/// Fault injection by direct manipulation: clicking a node opens it in the inspector;
/// its Crash button greys it, and the next put shows a hinted replica on a stand-in.
#[wasm_bindgen_test]
async fn crashing_a_node_greys_it_and_the_next_put_leaves_a_hinted_replica() {
    let root = quiet_app().await;
    // The lookup gives cart's preference list: alice writes through its coordinator,
    // and the second replica crashes.
    let lookup: web_sys::HtmlInputElement = find(&root, ".lookup input").dyn_into().unwrap();
    lookup.set_value("cart");
    lookup.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    let replicas: Vec<String> = {
        let list = root.query_selector_all(".lookup .pref.replica").unwrap();
        (0..list.length()).map(|i| list.item(i).unwrap().text_content().unwrap()).collect()
    };
    assert_eq!(replicas.len(), 3, "N = 3");
    let via: web_sys::HtmlSelectElement =
        find(&root, ".client[data-client='alice'] .via select").dyn_into().unwrap();
    via.set_value(&replicas[0]);
    via.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    let victim = replicas[1].clone();
    let node = || find(&root, &format!("g.node[data-node='{victim}']"));
    click(&node());
    yew::scheduler::flush().await;
    assert_eq!(find(&root, ".node-inspector").get_attribute("data-node").unwrap(), victim);
    assert!(node().class_list().contains("selected"));
    click(&find(&root, ".node-inspector button.crash"));
    yew::scheduler::flush().await;
    assert!(node().class_list().contains("down"), "crashed: greyed out");
    assert!(text(&root, ".node-inspector .status").contains("down"));
    click(&find(&root, ".client[data-client='alice'] button.put"));
    yew::scheduler::flush().await;
    step_until(&root, 1_000, |r| {
        text(r, ".client[data-client='alice'] .result").contains("stored milk")
    })
    .await;
    step_until(&root, 1_000, |r| text(r, ".hints-pending") == "1").await;
    assert_eq!(count(&root, ".node-load .hint-count"), 1, "drawn on its holder");
    // Recovering brings the hint home.
    click(&find(&root, ".node-inspector button.recover"));
    yew::scheduler::flush().await;
    assert!(!node().class_list().contains("down"));
    step_until(&root, 2_000, |r| text(r, ".hints-pending") == "0").await;
    assert!(text(&root, ".hints-total").starts_with("1 / 1"));
}

/// Where each message in flight is drawn.
fn message_places(root: &Element) -> Vec<String> {
    let list = root.query_selector_all("g.message").unwrap();
    (0..list.length())
        .map(|i| {
            list.item(i).unwrap().dyn_into::<Element>().unwrap().get_attribute("transform").unwrap()
        })
        .collect()
}

/// The time scrubber goes back to an earlier moment and shows exactly what was shown then.
#[wasm_bindgen_test]
async fn the_scrubber_restores_an_earlier_state_exactly() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    step(&root, 150).await;
    let then = text(&root, ".virtual-time");
    let (stats, log) = (text(&root, ".stats"), text(&root, "ol.log"));
    let in_flight = message_places(&root);
    step(&root, 200).await;
    assert_ne!(text(&root, ".stats"), stats, "the run moved on");
    let scrubber: web_sys::HtmlInputElement = find(&root, ".scrubber input").dyn_into().unwrap();
    let micros = (then.trim_end_matches(" ms").parse::<f64>().unwrap() * 1000.0).round();
    scrubber.set_value(&micros.to_string());
    scrubber.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".virtual-time"), then);
    assert_eq!(text(&root, ".stats"), stats, "the same counters");
    assert_eq!(text(&root, "ol.log"), log, "the same events");
    assert_eq!(message_places(&root), in_flight, "the same messages at the same places");
}

/// Bad form input shows a message next to the field and changes nothing.
#[wasm_bindgen_test]
async fn impossible_settings_show_a_message_and_change_nothing() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    step(&root, 30).await;
    let before = text(&root, ".stats");
    let r: web_sys::HtmlInputElement = find(&root, ".settings .r input").dyn_into().unwrap();
    r.set_value("7");
    r.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    click(&find(&root, "button.apply-settings"));
    yew::scheduler::flush().await;
    assert!(
        text(&root, ".settings .r .field-error").contains("cannot exceed N"),
        "{}",
        text(&root, ".settings")
    );
    assert_eq!(
        find(&root, ".settings .r input").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(text(&root, ".stats"), before);
}

/// A scenario in the page: an example opens from the list, the step buttons go forward
/// and back, and the run shared as a link reopens — and runs in the CLI's executor — to
/// the hash the page shows.
#[wasm_bindgen_test]
async fn an_example_steps_forward_and_back_and_its_link_reopens_to_the_same_hash() {
    use dynamo_playground::app::{Cmd, Playground};
    let root = quiet_app().await;
    open_example(&root, "0").await;
    assert!(text(&root, ".scenario-name").starts_with("Figure 3"));
    assert_eq!(count(&root, ".step-strip li.step"), 11, "Figure 3 has eleven steps");
    assert_eq!(text(&root, ".step-strip .next b"), "1");
    for _ in 0..3 {
        click(&find(&root, "button.next-step"));
        yew::scheduler::flush().await;
    }
    assert_eq!(text(&root, ".step-strip .next b"), "4");
    let after_three = text(&root, ".trace-hash");
    click(&find(&root, "button.previous-step"));
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".step-strip .next b"), "3", "back to just before step 3");
    click(&find(&root, "button.next-step"));
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".trace-hash"), after_three, "the same step, the same run");

    click(&find(&root, "button.share-link"));
    yew::scheduler::flush().await;
    let url: web_sys::HtmlInputElement = find(&root, ".share-url").dyn_into().unwrap();
    let url = url.value();
    let fragment = &url[url.find('#').expect("a fragment")..];
    let mut reopened = Playground::from_location("", fragment);
    assert_eq!(reopened.notice, None);
    while reopened.goal.is_some() {
        reopened.update(Cmd::Tick(16.0));
    }
    let hash = reopened.session.world().trace().hash();
    assert_eq!(format!("#{}", &hash[..8]), after_three);
    let saved = Scenario::from_json(&reopened.scenario_now().to_json()).unwrap();
    assert_eq!(scenario::run(&saved).unwrap()["trace_hash"], hash.as_str());
}

/// Figure 3 played in the page draws the paper's version history: D1 → D2 → {D3, D4} → D5.
#[wasm_bindgen_test]
async fn figure_3_played_in_the_page_draws_the_papers_version_history() {
    let root = quiet_app().await;
    open_example(&root, "0").await;
    for _ in 0..11 {
        click(&find(&root, "button.next-step"));
        yew::scheduler::flush().await;
    }
    let lookup: web_sys::HtmlInputElement = find(&root, ".lookup input").dyn_into().unwrap();
    lookup.set_value("D");
    lookup.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    click(&find(&root, "button.show-versions"));
    yew::scheduler::flush().await;
    let list = root.query_selector_all(".version-dag g.version").unwrap();
    let values: Vec<String> = (0..list.length())
        .map(|i| {
            let g: Element = list.item(i).unwrap().dyn_into().unwrap();
            g.get_attribute("data-value").unwrap()
        })
        .collect();
    assert_eq!(values, ["D1", "D2", "D3", "D4", "D5"]);
    assert_eq!(count(&root, ".version-dag line.descends"), 5, "D1→D2, D2→D3, D2→D4, D3→D5, D4→D5");
    assert!(text(&root, ".version-dag").contains("[Sx:3, Sy:1, Sz:1]"));
}

/// One put in the time lanes: the coordinator's fan-out to the other two replicas and
/// their two acknowledgements, as arrows.
#[wasm_bindgen_test]
async fn one_put_in_the_time_lanes_is_a_fan_out_and_two_acknowledgements() {
    let root = quiet_app().await;
    click(&find(&root, ".client[data-client='alice'] button.put"));
    yew::scheduler::flush().await;
    step_until(&root, 1_000, |r| {
        text(r, ".client[data-client='alice'] .result").contains("stored milk")
    })
    .await;
    click(&find(&root, "button.show-spacetime"));
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "svg.spacetime text.lane"), 5, "a lane per node");
    assert_eq!(count(&root, "svg.spacetime line.message-arrow[data-kind='put']"), 2);
    assert_eq!(count(&root, "svg.spacetime line.message-arrow[data-kind='put-ack']"), 2);
    assert!(count(&root, "svg.spacetime circle.client-mark") >= 1, "alice's request");
    // Looking the key up brings out its messages; its replies keep their look.
    let lookup: web_sys::HtmlInputElement = find(&root, ".lookup input").dyn_into().unwrap();
    lookup.set_value("cart");
    lookup.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "svg.spacetime line.message-arrow.story[data-kind='put']"), 2);
    assert_eq!(count(&root, "svg.spacetime line.faded[data-kind='put-ack']"), 0);
}

/// Opens example `index` of the Examples menu, and waits until the page has it. (The page
/// fetches the file from `scenarios/` beside it; the test runner serves no such files, so
/// `fetch` answers here with the texts the page would get.)
async fn open_example(root: &Element, index: &str) {
    serve_built_in_files();
    let before = root.query_selector(".scenario-name").unwrap().and_then(|e| e.text_content());
    let examples: web_sys::HtmlSelectElement = find(root, "select.examples").dyn_into().unwrap();
    examples.set_value(index);
    examples.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    for _ in 0..100 {
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let window = web_sys::window().unwrap();
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
        yew::scheduler::flush().await;
        let now = root.query_selector(".scenario-name").unwrap().and_then(|e| e.text_content());
        if now.is_some() && now != before {
            return;
        }
    }
    panic!("example {index} did not open");
}

/// `window.fetch` answering `scenarios/…` and `lessons/…` with the built-in files' texts.
fn serve_built_in_files() {
    use dynamo_playground::app::{examples::EXAMPLES, lessons::LESSONS};
    use wasm_bindgen::closure::Closure;
    let fetch = Closure::<dyn Fn(String) -> js_sys::Promise>::new(|path: String| {
        let (dir, file) = path.rsplit_once('/').unwrap_or(("", &path));
        let files = if dir.ends_with("lessons") { &LESSONS } else { &EXAMPLES[..] };
        let text = files.iter().find(|(f, _)| *f == file).map(|(_, t)| *t);
        let response = web_sys::Response::new_with_opt_str(text).unwrap();
        js_sys::Promise::resolve(&wasm_bindgen::JsValue::from(response))
    });
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &"fetch".into(), fetch.as_ref()).unwrap();
    fetch.forget();
}

/// The Merkle view after a wipe: the wiped node's tree beside a peer's differs from the root
/// down to the leaves, and the keys under the differing leaves are the peer's alone.
#[wasm_bindgen_test]
async fn after_a_wipe_the_merkle_view_shows_the_differing_path_to_the_lost_keys() {
    let root = quiet_app().await;
    open_example(&root, "4").await;
    assert!(text(&root, ".scenario-name").starts_with("Merkle anti-entropy"));
    for _ in 0..10 {
        click(&find(&root, "button.next-step"));
        yew::scheduler::flush().await;
    }
    assert_eq!(text(&root, ".step-strip .next b"), "11", "A's disk is wiped; nothing repaired yet");
    click(&find(&root, "g.node[data-node='A']"));
    yew::scheduler::flush().await;
    click(&find(&root, ".node-inspector .trees tr.differs button.compare"));
    yew::scheduler::flush().await;
    assert_eq!(find(&root, ".merkle-pair").get_attribute("data-a").unwrap(), "A");
    assert_eq!(count(&root, ".merkle-trees g.tree-box.differs[data-index='1']"), 2, "roots");
    assert_eq!(count(&root, ".merkle-trees .level-label"), 4, "root and 3 levels (depth 3)");
    assert!(count(&root, ".merkle-trees g.tree-box.differs") >= 2 * 4, "a path in each tree");
    let rows = root.query_selector_all("table.merkle-leaves tr.differs").unwrap();
    assert!(rows.length() >= 1);
    for i in 0..rows.length() {
        let row: Element = rows.item(i).unwrap().dyn_into().unwrap();
        let cells = row.query_selector_all("td").unwrap();
        let a_holds = cells.item(1).unwrap().text_content().unwrap();
        assert_eq!(a_holds, "—", "A has lost every key under a differing leaf");
    }
    // The exchange repairs A: the roots are equal, and the view tells what it cost.
    click(&find(&root, "button.next-step"));
    yew::scheduler::flush().await;
    click(&find(&root, "button.next-step"));
    yew::scheduler::flush().await;
    assert!(text(&root, ".merkle-inspector .in-sync").starts_with("The roots are equal"));
    assert!(count(&root, ".merkle-steps li") >= 5, "root, three levels, the keys");
    assert!(text(&root, ".merkle-cost").contains("Sending the whole range both ways, as it was"));
}

/// A hinted replica appearing and leaving (§4.6): while its owner is down, the stand-in
/// keeps it (a dashed line to the owner on the ring, since when in the inspector); once the
/// owner is back, it is handed back and deleted, and the ring says so.
#[wasm_bindgen_test]
async fn a_hinted_replica_waits_on_the_ring_and_goes_home_when_its_owner_recovers() {
    let root = quiet_app().await;
    open_example(&root, "3").await;
    assert!(text(&root, ".scenario-name").to_lowercase().contains("hint"));
    let next_step = || async {
        click(&find(&root, "button.next-step"));
        yew::scheduler::flush().await;
    };
    for _ in 0..5 {
        next_step().await; // the put, the settle, the crash, the get, the put with a hint
    }
    assert_eq!(count(&root, ".hint-waits .hint-wait"), 1, "A keeps B's replica");
    // A tries B at each scan of its hints until B fails to answer, then waits for it.
    let label = text(&root, ".hint-waits");
    assert!(label == "A will hand back to B" || label == "A believes B down", "{label}");
    let holder = find(&root, "g.node .hint-count").closest("g.node").unwrap().unwrap();
    click(&holder);
    yew::scheduler::flush().await;
    let row = text(&root, ".node-inspector ul.hints li");
    assert!(row.contains("kept since") && row.contains("ms"), "{row}");
    next_step().await; // a get
    next_step().await; // B recovers
    step_until(&root, 5_000, |r| count(r, "g.node .handed-back") == 1).await;
    assert_eq!(count(&root, ".hint-waits .hint-wait"), 0, "nothing waits any more");
    assert!(text(&root, "g.node .handed-back").contains("back to"));
    assert_eq!(text(&root, ".hints-pending"), "0");
    assert!(text(&root, ".node-inspector ul.hints").is_empty(), "deleted after the ack");
}

/// Every lesson runs in the browser to the trace hash it has natively.
#[wasm_bindgen_test]
fn every_lesson_runs_in_the_browser_with_the_native_trace_hash() {
    use dynamo_playground::app::lessons::LESSONS;
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/lessons.json")).unwrap();
    for (file, text) in LESSONS {
        let doc = scenario::run(&Scenario::from_json(text).unwrap()).unwrap();
        assert_eq!(doc["trace_hash"], golden[file], "{file}");
    }
}

/// The labs find in the browser exactly the numbers they find natively.
#[wasm_bindgen_test]
fn the_labs_find_the_native_numbers_in_the_browser() {
    use dynamo_playground::sim::lab::consistency::ConsistencyLab;
    use dynamo_playground::sim::lab::divergence::DivergenceLab;
    use dynamo_playground::sim::lab::partitioning::PartitioningLab;
    use dynamo_playground::sim::lab::{fingerprint, golden_specs};
    let golden: serde_json::Value = serde_json::from_str(include_str!("golden/labs.json")).unwrap();
    let (c, p, d) = golden_specs();
    let consistency = ConsistencyLab::new(c).unwrap().finish();
    let partitioning = PartitioningLab::new(p).unwrap().finish().unwrap();
    let divergence = DivergenceLab::new(d).unwrap().finish();
    assert_eq!(golden["consistency"], fingerprint(&consistency));
    assert_eq!(golden["partitioning"], fingerprint(&partitioning));
    assert_eq!(golden["divergence"], fingerprint(&divergence));
    for (name, print) in dynamo_playground::sim::lab::more_golden_fingerprints() {
        assert_eq!(golden[name], print, "{name}");
    }
}

/// Every scenario file runs in the browser to the trace hash it has natively.
#[wasm_bindgen_test]
fn every_scenario_file_runs_in_the_browser_with_the_native_trace_hash() {
    use dynamo_playground::app::examples::EXAMPLES;
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/scenarios.json")).unwrap();
    for (file, text) in EXAMPLES {
        let doc = scenario::run(&Scenario::from_json(text).unwrap()).unwrap();
        assert_eq!(doc["trace_hash"], golden[file], "{file}");
    }
}
