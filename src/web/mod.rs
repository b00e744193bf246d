//! The thin layer that binds the core to the browser (wasm32 only).
//!
//! - `codec`: the one place values cross the boundary (serde-wasm-bindgen).
//! - `runtime`: entry points for the runtime worker, which owns this instance and the thread pools.
//! - `child`: the entry point a process worker calls in its own, separate instance.
//! - `threads`: the entry point of thread workers, and the rayon pool.
//! - `bench`: the benchmark cases, for `npm run bench`.
//! - `challenges`: the fix-it challenges on code, and the verdict over a check's runs.

mod bench;
mod challenges;
mod child;
pub mod codec;
mod runtime;
pub mod threads;

/// Readable panics in the console instead of "unreachable executed", after the engine's own hook has
/// recorded the panic for the run (see `engine::fault`).
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn on_instance_start() {
    console_error_panic_hook::set_once();
    crate::engine::fault::install();
}
