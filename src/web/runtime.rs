//! Entry points for the runtime worker (`www/runtime/runtime-worker.js`).
//!
//! The runtime worker owns this instance: it is the Python program's process. Thread lessons run their
//! main thread on a pool worker so that the runtime stays free to stream output; process lessons run their
//! parent program right here, reacting to the children's messages.

use wasm_bindgen::prelude::*;

use super::codec::{from_js, js_error, to_js};
use crate::engine::bridge;
use crate::engine::pool::POOL;
use crate::engine::trace;
use crate::lessons;
use crate::lifecycle;
use crate::protocol::messages::PoolStatus;
use crate::protocol::{RunRequest, TraceRecord};

/// The lessons, for the UI.
#[wasm_bindgen]
pub fn lesson_catalogue() -> Result<JsValue, JsValue> {
    to_js(&lessons::catalogue())
}

/// The trace's limits the page follows: `{ maxLiveEvents, maxOutputLines }` (part of the ready message).
#[wasm_bindgen]
pub fn trace_limits() -> Result<JsValue, JsValue> {
    to_js(&serde_json::json!({
        "maxLiveEvents": crate::engine::trace::MAX_LIVE_EVENTS,
        "maxOutputLines": crate::engine::trace::MAX_OUTPUT,
    }))
}

/// The parameters of learner code ("Your code"): the Python build and its switch interval.
#[wasm_bindgen]
pub fn code_params() -> Result<JsValue, JsValue> {
    to_js(&lessons::code_params())
}

/// Validates a run request (`{ lesson, params }`) without running it: the parameters as a run would use
/// them, and the notices of what was changed (`validate`).
#[wasm_bindgen]
pub fn validate_run(request: JsValue) -> Result<JsValue, JsValue> {
    let request: RunRequest = from_js(request)?;
    to_js(&lessons::prepare(&request).map_err(|e| js_error(&e))?)
}

/// Validates a run request and keeps it as the run to start ([`lifecycle::prepare`]); returns the
/// [`crate::protocol::PreparedRun`] for the page, and for the runtime to start its thread workers.
#[wasm_bindgen]
pub fn prepare_run(request: JsValue) -> Result<JsValue, JsValue> {
    let request: RunRequest = from_js(request)?;
    to_js(&lifecycle::prepare(&request).map_err(|e| js_error(&e))?)
}

/// Starts the prepared run ([`lifecycle::start`]); returns the children to start (`SpawnCommand`s).
#[wasm_bindgen]
pub fn start_run() -> Result<JsValue, JsValue> {
    to_js(&lifecycle::start().map_err(|e| js_error(&e))?)
}

/// Asks the current run to stop ([`lifecycle::stop`]); returns whether a run was going on.
#[wasm_bindgen]
pub fn stop_run(reason: String) -> bool {
    lifecycle::stop(&reason)
}

/// Asks threads left over from a finished run to stop; returns how many pool jobs are still outstanding.
#[wasm_bindgen]
pub fn stop_leftovers() -> usize {
    lifecycle::stop_leftovers()
}

/// A child put a message on the queue. Returns children the parent starts in response.
#[wasm_bindgen]
pub fn process_message(pid: u32, payload: String, sent_at: f64) -> Result<JsValue, JsValue> {
    to_js(&lifecycle::process_message(pid, payload, sent_at))
}

/// A child's binary message (a transferred `ArrayBuffer`): copied into the shared memory, timed, and
/// handed to the thread lesson waiting for it.
#[wasm_bindgen]
pub fn process_bytes(pid: u32, bytes: js_sys::Uint8Array, sent_at: f64) {
    let t0 = crate::clock::now_ms();
    let copy = bytes.to_vec();
    let copy_ms = crate::clock::now_ms() - t0;
    bridge::deliver_bytes(pid, copy, sent_at, copy_ms);
}

/// The bytes child `pid`'s start message carries, copied out of the shared memory into a fresh
/// `ArrayBuffer` the runtime can transfer (a `SharedArrayBuffer` cannot be); `undefined` when none.
#[wasm_bindgen]
pub fn bridge_take_input(pid: u32) -> Option<js_sys::Uint8Array> {
    let input = bridge::take_input(pid)?;
    let t0 = crate::clock::now_ms();
    let copy = js_sys::Uint8Array::from(input.as_slice());
    bridge::record_input_copy(pid, crate::clock::now_ms() - t0);
    Some(copy)
}

/// A child exited. Returns children the parent starts in response.
#[wasm_bindgen]
pub fn process_exit(pid: u32, code: i32, at: f64) -> Result<JsValue, JsValue> {
    to_js(&lifecycle::process_exit(pid, code, at))
}

/// Requests a running thread lesson left for the runtime (children to start, event-loop fetches).
#[wasm_bindgen]
pub fn take_bridge_requests() -> Result<JsValue, JsValue> {
    to_js(&bridge::take_requests())
}

/// The results of an event-loop fetch the runtime ran for a thread lesson.
#[wasm_bindgen]
pub fn bridge_fetched(id: u32, results: JsValue) -> Result<(), JsValue> {
    bridge::fetched(id, from_js(results)?);
    Ok(())
}

/// Where the runtime waits (`Atomics.waitAsync`) for a thread lesson's requests: a byte address in the
/// shared memory, and its current value.
#[wasm_bindgen]
pub fn bridge_wake() -> Vec<i32> {
    vec![
        bridge::WAKE.as_ptr() as i32,
        bridge::WAKE.load(std::sync::atomic::Ordering::SeqCst),
    ]
}

/// A child's trace record, for the one log of the run.
#[wasm_bindgen]
pub fn process_trace(record: JsValue) -> Result<(), JsValue> {
    let record: TraceRecord = from_js(record)?;
    trace::ingest(record);
    Ok(())
}

/// New lanes and output since the last poll, and the outcome (with its attachments, whose bytes arrive as
/// `Uint8Array`s) when the run has finished.
#[wasm_bindgen]
pub fn poll_run() -> Result<JsValue, JsValue> {
    to_js(&lifecycle::poll())
}

/// This instance's compiled module and memory, which thread workers need to join it.
#[wasm_bindgen]
pub fn runtime_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Live counts for diagnostics and tests: pool workers started, busy, and jobs outstanding.
#[wasm_bindgen]
pub fn pool_status() -> Result<JsValue, JsValue> {
    to_js(&PoolStatus {
        workers: POOL.workers(),
        busy: POOL.busy(),
        outstanding: POOL.outstanding(),
        memory_bytes: memory_bytes(),
    })
}

fn memory_bytes() -> f64 {
    core::arch::wasm32::memory_size(0) as f64 * 65536.0
}
