//! Browser tier: wasm-specific, single-threaded code, run by wasm-bindgen-test in headless Chromium.
//! (Pools cannot be hosted by wasm-bindgen-test; they are tested end to end in tests/e2e/.)
//! The tests run in a dedicated worker, where blocking waits are allowed, as they are on the runtime's
//! workers.
#![cfg(target_arch = "wasm32")]

use playground::clock::now_ms;
use playground::engine::process::ChildContext;
use playground::engine::sync::{sleep_ms, TracedMutex};
use playground::lessons::{self, process_counter};
use playground::protocol::{PreparedRun, RunRequest};
use playground::web::codec::{from_js, to_js};
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn the_clock_is_epoch_milliseconds_shared_with_javascript() {
    let ours = now_ms();
    let date = js_sys::Date::now();
    assert!(
        (ours - date).abs() < 50.0,
        "clock {ours} vs Date.now() {date}"
    );
    assert!(now_ms() >= ours);
}

#[wasm_bindgen_test]
fn a_timed_wait_really_blocks_the_worker() {
    // std::thread::sleep here is memory.atomic.wait32 with a timeout: the worker is blocked, not spinning.
    let t0 = js_sys::Date::now();
    let slept = sleep_ms(30.0);
    let elapsed = js_sys::Date::now() - t0;
    assert!(
        slept >= 30.0 && elapsed >= 29.0,
        "slept {slept} ms, Date saw {elapsed} ms"
    );
}

#[wasm_bindgen_test]
fn prepared_runs_cross_the_boundary_as_plain_objects() {
    let prepared = lessons::prepare(&RunRequest {
        lesson: "counter".into(),
        params: json!({"threads": "8"}),
    })
    .unwrap();
    let js = to_js(&prepared).unwrap();
    let params = js_sys::Reflect::get(&js, &JsValue::from_str("params")).unwrap();
    assert!(
        !params.is_instance_of::<js_sys::Map>(),
        "params must be a plain object for the UI"
    );
    let threads = js_sys::Reflect::get(&params, &JsValue::from_str("threads")).unwrap();
    assert_eq!(threads.as_f64(), Some(8.0));
    let back: PreparedRun = from_js(js).unwrap();
    assert_eq!(back.params, prepared.params);
    assert_eq!(back.threads_needed, 9);
}

#[wasm_bindgen_test]
fn malformed_requests_are_refused_with_a_reason() {
    let err = from_js::<RunRequest>(JsValue::from_f64(5.0)).unwrap_err();
    let message = js_sys::Error::from(err).message();
    assert!(String::from(message).contains("malformed"));
}

#[wasm_bindgen_test]
fn an_uncontended_lock_records_no_wait() {
    let lock = TracedMutex::new(0u32);
    for _ in 0..1000 {
        *lock.lock() += 1;
    }
    assert_eq!(lock.contended(), 0);
    assert_eq!(lock.into_inner(), 1000);
}

#[wasm_bindgen_test]
fn the_child_program_counts_in_this_instances_memory_and_reports_by_message() {
    let mut sent = Vec::new();
    let mut send = |s: String| sent.push(s);
    let before = process_counter::parent_counter();
    let mut ctx = ChildContext {
        pid: 1,
        name: "Process-1".into(),
        send: &mut send,
    };
    assert_eq!(process_counter::count_child(5000, &mut ctx), 0);
    let report: process_counter::ChildReport = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(report.count, before + 5000);
    assert_eq!(
        process_counter::parent_counter(),
        before + 5000,
        "this instance's own global moved"
    );
}
