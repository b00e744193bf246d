//! What Rust needs from JavaScript.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function now_ms() { return performance.timeOrigin + performance.now(); }
export function post_to_parent(message) { self.postMessage(message); }
"#)]
extern "C" {
    /// `performance.timeOrigin + performance.now()`: one clock across workers (see `crate::clock`).
    pub fn now_ms() -> f64;
    /// `postMessage` from a worker to the one that started it.
    pub fn post_to_parent(message: JsValue);
}
