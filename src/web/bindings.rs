//! What Rust needs from JavaScript.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function now_ms() { return performance.timeOrigin + performance.now(); }
export function post_to_parent(message) { self.postMessage(message); }
export function post_bytes_to_parent(bytes, sent_at) { self.postMessage({ type: 'bytes', bytes, sent_at }, [bytes.buffer]); }
export function hardware_concurrency() { return (self.navigator && self.navigator.hardwareConcurrency) || 0; }
let fetches = 0;
export function fetch_sync(path) {
  // Workers live in www/runtime/, so the site's root is two levels up. A fresh query string per request
  // keeps any cache out of the measurement.
  const url = new URL(`../../${path}`, self.location);
  url.searchParams.set('n', `${Date.now()}-${++fetches}`);
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  xhr.responseType = 'arraybuffer';
  try { xhr.send(); } catch (e) { throw `cannot fetch ${path}: ${e.message}`; }
  if (xhr.status !== 200) throw `cannot fetch ${path}: HTTP ${xhr.status}`;
  return xhr.response.byteLength;
}
"#)]
extern "C" {
    /// `performance.timeOrigin + performance.now()`: one clock across workers (see `crate::clock`).
    pub fn now_ms() -> f64;
    /// `postMessage` from a worker to the one that started it.
    pub fn post_to_parent(message: JsValue);
    /// Posts `bytes` to the parent as a binary message, transferring (not copying) its `ArrayBuffer`.
    pub fn post_bytes_to_parent(bytes: js_sys::Uint8Array, sent_at: f64);
    /// `navigator.hardwareConcurrency` (a worker's `WorkerNavigator` has it too), or 0 when unknown.
    pub fn hardware_concurrency() -> f64;
    /// A synchronous request (allowed in workers): blocks this worker until the body has arrived.
    #[wasm_bindgen(catch)]
    pub fn fetch_sync(path: &str) -> Result<f64, JsValue>;
}
