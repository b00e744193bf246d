//! Entry points for the benchmark worker (`www/bench/bench-worker.js`, driven by `npm run bench`). The
//! kernels are platform-neutral (`crate::bench`) and the native reference runs the same ones.

use wasm_bindgen::prelude::*;

use super::codec::js_error;

/// Runs one benchmark case (`crate::bench::CASES`) with its arguments as JSON; returns its samples.
#[wasm_bindgen]
pub fn bench_run(case: &str, args_json: &str) -> Result<Vec<f64>, JsValue> {
    let args: serde_json::Value =
        serde_json::from_str(args_json).map_err(|e| js_error(&format!("bench arguments: {e}")))?;
    crate::bench::run(case, &args).map_err(|e| js_error(&e))
}

/// The first call a freshly started process worker makes into its own instance (start-cost benchmark).
#[wasm_bindgen]
pub fn bench_hello() -> f64 {
    crate::bench::now_ms()
}
