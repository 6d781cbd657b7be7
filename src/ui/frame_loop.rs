//! A `requestAnimationFrame` loop: calls a tick with the real milliseconds since the last
//! frame, until dropped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type FrameClosure = Closure<dyn FnMut(f64)>;

/// A running animation-frame loop; dropping it stops the loop.
pub struct FrameLoop {
    running: Rc<Cell<bool>>,
    closure: Rc<RefCell<Option<FrameClosure>>>,
}

fn request(closure: &FrameClosure) {
    let window = web_sys::window().expect("a browser window");
    window
        .request_animation_frame(closure.as_ref().unchecked_ref())
        .expect("requestAnimationFrame");
}

impl FrameLoop {
    /// Starts calling `tick(elapsed_ms)` once per animation frame.
    pub fn start(mut tick: impl FnMut(f64) + 'static) -> FrameLoop {
        let running = Rc::new(Cell::new(true));
        let closure: Rc<RefCell<Option<FrameClosure>>> = Rc::new(RefCell::new(None));
        let (again, still_running) = (closure.clone(), running.clone());
        let mut last: Option<f64> = None;
        *closure.borrow_mut() = Some(Closure::new(move |now: f64| {
            if !still_running.get() {
                return;
            }
            // Cap the step so a backgrounded tab does not jump far ahead when it returns.
            let elapsed = last.map_or(0.0, |l| (now - l).clamp(0.0, 100.0));
            last = Some(now);
            tick(elapsed);
            if still_running.get() {
                if let Some(c) = again.borrow().as_ref() {
                    request(c);
                }
            }
        }));
        request(closure.borrow().as_ref().expect("just set"));
        FrameLoop { running, closure }
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        self.running.set(false);
        // Break the closure's reference to itself; it is freed once no frame is pending.
        let closure = self.closure.borrow_mut().take();
        if let Some(c) = closure {
            c.forget();
        }
    }
}
