//! Entry points for the runtime worker (`www/runtime/runtime-worker.js`).
//!
//! The runtime worker owns this instance: it is the Python program's process. Thread lessons run their
//! main thread on a pool worker so that the runtime stays free to stream output; process lessons run their
//! parent program right here, reacting to the children's messages.

use std::sync::Mutex;

use wasm_bindgen::prelude::*;

use super::codec::{from_js, js_error, to_js};
use crate::engine::bridge;
use crate::engine::pool::POOL;
use crate::engine::process::Delivery;
use crate::engine::trace;
use crate::engine::{cancel, fault, lock};
use crate::lessons::{self, ProcessRun};
use crate::protocol::messages::PoolStatus;
use crate::protocol::{
    EngineKind, PreparedRun, RunOutcome, RunProgress, RunRequest, SpawnCommand, TraceRecord,
};

enum CurrentRun {
    /// The main thread's job is running; its outcome lands here.
    Threads {
        prepared: PreparedRun,
        started_at: f64,
        outcome: Option<RunOutcome>,
    },
    Processes(ProcessRun),
    /// Stopped before its program was done: the outcome to hand out at the next poll.
    Stopped(RunOutcome),
}

static CURRENT: Mutex<Option<CurrentRun>> = Mutex::new(None);
/// Why the current run was asked to stop (the Stop button, the time limit), if it was.
static STOP_REASON: Mutex<Option<String>> = Mutex::new(None);
/// The exception that ended the current run's main thread, if one did.
static MAIN_RAISED: Mutex<Option<String>> = Mutex::new(None);

fn new_run() {
    cancel::reset();
    *lock(&STOP_REASON) = None;
    *lock(&MAIN_RAISED) = None;
}

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

/// Validates a run request (`{ lesson, params }`) into a [`PreparedRun`].
#[wasm_bindgen]
pub fn prepare_run(request: JsValue) -> Result<JsValue, JsValue> {
    let request: RunRequest = from_js(request)?;
    let prepared = lessons::prepare(&request).map_err(|e| js_error(&e))?;
    to_js(&prepared)
}

fn begin(run: CurrentRun) -> Result<(), JsValue> {
    let mut current = lock(&CURRENT);
    if current.is_some() {
        return Err(js_error("another run is still in progress"));
    }
    *current = Some(run);
    Ok(())
}

/// Starts a thread lesson: its main thread becomes a job on the pool. The runtime must have started
/// `threads_needed` thread workers first.
#[wasm_bindgen]
pub fn start_thread_run(prepared: JsValue) -> Result<(), JsValue> {
    let prepared: PreparedRun = from_js(prepared)?;
    if prepared.engine != EngineKind::Threads {
        return Err(js_error("not a thread lesson"));
    }
    if POOL.workers() < prepared.threads_needed {
        return Err(js_error(&format!(
            "the run needs {} thread workers and {} have started",
            prepared.threads_needed,
            POOL.workers()
        )));
    }
    if lock(&CURRENT).is_some() {
        return Err(js_error("another run is still in progress"));
    }
    new_run();
    trace::reset();
    bridge::reset();
    crate::engine::deadlock::reset();
    let started_at = crate::clock::now_ms();
    begin(CurrentRun::Threads {
        prepared: prepared.clone(),
        started_at,
        outcome: None,
    })?;
    POOL.submit(Box::new(move || {
        // A panic on the main thread ends the run with its exception; the other threads are stopped.
        fault::arm(|message| {
            if let Ok(mut raised) = MAIN_RAISED.try_lock() {
                *raised = Some(message.to_string());
            }
            cancel::request("the main thread raised an exception");
            bridge::wake();
        });
        let outcome = lessons::run_thread_lesson(&prepared);
        fault::disarm();
        if let Some(CurrentRun::Threads { outcome: slot, .. }) = lock(&CURRENT).as_mut() {
            *slot = Some(outcome);
        }
        bridge::wake();
    }));
    Ok(())
}

/// Starts a process lesson's parent program; returns the children to start (`SpawnCommand`s).
#[wasm_bindgen]
pub fn start_process_run(prepared: JsValue) -> Result<JsValue, JsValue> {
    let prepared: PreparedRun = from_js(prepared)?;
    // Checked before `ProcessRun::start`, which resets the log a running lesson is still writing to.
    if lock(&CURRENT).is_some() {
        return Err(js_error("another run is still in progress"));
    }
    new_run();
    let (run, spawns) = ProcessRun::start(prepared).map_err(|e| js_error(&e))?;
    begin(CurrentRun::Processes(run))?;
    to_js(&spawns)
}

/// Asks the current run to stop (`reason` becomes its error). Thread lessons stop cooperatively: every
/// wait returns, the threads fall through to their end, and the outcome arrives at a later poll. A process
/// lesson's parent program is abandoned at once (the runtime has terminated its children). Returns
/// whether a run was going on.
#[wasm_bindgen]
pub fn stop_run(reason: String) -> bool {
    let mut current = lock(&CURRENT);
    let Some(run) = current.as_mut() else {
        return false;
    };
    lock(&STOP_REASON).get_or_insert_with(|| reason.clone());
    // In the output, where the stop came (printed first, so it precedes what the stop sets off): the lines
    // after it are the threads falling through to their end.
    trace::print(format!(
        "■ {reason} From here on every wait returns at once and each thread runs to its end."
    ));
    cancel::request(&reason);
    if let CurrentRun::Processes(process_run) = run {
        if let Some(outcome) = process_run.abandon(&reason) {
            *run = CurrentRun::Stopped(outcome);
        }
    }
    true
}

/// Asks threads still running after a run's outcome (never joined, or stuck) to stop; returns how many
/// pool jobs are still outstanding.
#[wasm_bindgen]
pub fn stop_leftovers() -> usize {
    if POOL.outstanding() > 0 {
        cancel::request("the program has ended");
    }
    POOL.outstanding()
}

/// The process lesson's run, when one is running. A child's message or exit goes to its parent program;
/// otherwise the child was started by a thread lesson and goes through the bridge to the blocked thread.
fn with_parent(f: impl FnOnce(&mut ProcessRun) -> Vec<SpawnCommand>) -> Option<Vec<SpawnCommand>> {
    match lock(&CURRENT).as_mut() {
        Some(CurrentRun::Processes(run)) => Some(f(run)),
        _ => None,
    }
}

/// A child put a message on the queue. Returns children the parent starts in response.
#[wasm_bindgen]
pub fn process_message(pid: u32, payload: String, sent_at: f64) -> Result<JsValue, JsValue> {
    let received_at = crate::clock::now_ms();
    let mut payload = Some(payload);
    let spawns = with_parent(|run| {
        let payload = payload.take().unwrap_or_default();
        run.deliver(Delivery {
            from: pid,
            payload,
            sent_at,
            received_at,
        })
    });
    if let Some(payload) = payload {
        bridge::deliver(pid, payload, sent_at);
    }
    to_js(&spawns.unwrap_or_default())
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

/// What the last run left for the page besides its outcome (the frames lab's clips), or `undefined`.
/// The buffers are fresh copies the runtime transfers to the page.
#[wasm_bindgen]
pub fn take_playback() -> JsValue {
    crate::lessons::frames::take_playback().map_or(JsValue::UNDEFINED, |p| {
        let obj = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &v);
        };
        set("width", JsValue::from(p.width as u32));
        set("height", JsValue::from(p.height as u32));
        set("frames", JsValue::from(p.frames as u32));
        set("label", JsValue::from_str(&p.label));
        set(
            "original",
            js_sys::Uint8Array::from(p.original.as_slice()).into(),
        );
        set(
            "processed",
            js_sys::Uint8Array::from(p.processed.as_slice()).into(),
        );
        obj.into()
    })
}

/// A child exited. Returns children the parent starts in response.
#[wasm_bindgen]
pub fn process_exit(pid: u32, code: i32, at: f64) -> Result<JsValue, JsValue> {
    let spawns = with_parent(|run| run.exited(pid, code, at));
    if spawns.is_none() {
        bridge::exited(pid, code, at);
    }
    to_js(&spawns.unwrap_or_default())
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

/// New lanes and output since the last poll, and the outcome when the run has finished.
#[wasm_bindgen]
pub fn poll_run() -> Result<JsValue, JsValue> {
    let mut current = lock(&CURRENT);
    let mut outcome = match current.as_mut() {
        Some(CurrentRun::Threads {
            prepared,
            started_at,
            outcome,
        }) => outcome.take().or_else(|| {
            let raised = lock(&MAIN_RAISED).take()?;
            Some(lessons::outcome(
                prepared,
                Err(format!("Exception in thread MainThread: {raised}")),
                *started_at,
            ))
        }),
        Some(CurrentRun::Processes(run)) => run.finish(),
        Some(CurrentRun::Stopped(outcome)) => Some(outcome.clone()),
        None => None,
    };
    if outcome.is_some() {
        *current = None;
    }
    drop(current);
    if let (Some(outcome), Some(reason)) = (outcome.as_mut(), lock(&STOP_REASON).clone()) {
        // Values computed from waits the stop cut short would mislead: only the reason is kept.
        if outcome.stopped.is_none() {
            outcome.values = serde_json::Value::Null;
            outcome.error = Some(reason.clone());
            outcome.stopped = Some(reason);
        }
    }
    let (lanes, events, output) = trace::take_progress();
    to_js(&RunProgress {
        lanes,
        events,
        output,
        outcome,
    })
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
