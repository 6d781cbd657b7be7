//! The browser app's entry point; trunk builds it to wasm (see index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<dynamo_playground::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The playground runs in the browser: `trunk serve` (see README.md).");
    std::process::exit(2);
}
