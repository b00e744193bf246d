//! Entry points of the Python runtime worker (`www/python/python-worker.js`), wasm32 only.
//!
//! This artifact links the engine crate, so its thread workers call the engine's `thread_worker_main`
//! and the runtime reads the engine's `pool_status`, `bridge_wake` and `take_bridge_requests`, exactly as
//! the lesson runtime does. What is new here is one kind of run: a learner's program. Its main thread is
//! a job on a thread worker; this (runtime) worker never runs Python and never blocks.

use std::sync::Mutex;

use playground::engine::pool::POOL;
use playground::engine::{bridge, cancel, fault, lock, trace};
use playground::web::codec::{js_error, to_js};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::run::PythonOutcome;

enum State {
    Running,
    Done(Box<PythonOutcome>),
    /// The main thread trapped (a panic): the message, for the outcome the runtime makes up.
    Trapped(String),
}

static CURRENT: Mutex<Option<State>> = Mutex::new(None);

/// Starts `source` as a new program; its main thread runs on a thread worker (one must have started).
#[wasm_bindgen]
pub fn python_start(source: String) -> Result<(), JsValue> {
    let mut current = lock(&CURRENT);
    if matches!(*current, Some(State::Running)) {
        return Err(js_error("another program is still running"));
    }
    if POOL.workers() == 0 {
        return Err(js_error("no thread worker has started yet"));
    }
    crate::run::reset();
    *current = Some(State::Running);
    drop(current);
    POOL.submit(Box::new(move || {
        fault::arm(|message| {
            if let Ok(mut current) = CURRENT.try_lock() {
                *current = Some(State::Trapped(message.to_string()));
            }
            cancel::request("the interpreter hit an internal error");
            bridge::wake();
        });
        let outcome = crate::run::run(&source);
        fault::disarm();
        *lock(&CURRENT) = Some(State::Done(Box::new(outcome)));
        bridge::wake();
    }));
    Ok(())
}

#[derive(Serialize)]
struct Progress {
    lanes: Vec<playground::protocol::Lane>,
    events: Vec<playground::protocol::Event>,
    output: Vec<playground::protocol::OutputLine>,
    outcome: Option<PythonOutcome>,
    /// Set when the main thread trapped: the instance must be replaced.
    trapped: Option<String>,
}

/// New lanes, events and output since the last poll; the outcome once the program has ended.
#[wasm_bindgen]
pub fn python_poll() -> Result<JsValue, JsValue> {
    let mut current = lock(&CURRENT);
    let (outcome, trapped) = match current.take() {
        Some(State::Done(outcome)) => (Some(*outcome), None),
        Some(State::Trapped(message)) => (None, Some(message)),
        other => {
            *current = other;
            (None, None)
        }
    };
    drop(current);
    let (lanes, events, output) = trace::take_progress();
    to_js(&Progress {
        lanes,
        events,
        output,
        outcome,
        trapped,
    })
}

/// Asks the running program to stop: every wait of ours returns and raises (see `crate::stop`).
#[wasm_bindgen]
pub fn python_stop(reason: String) -> bool {
    if !matches!(*lock(&CURRENT), Some(State::Running)) {
        return false;
    }
    trace::print_to(playground::protocol::Stream::Stderr, format!("■ {reason}"));
    cancel::request(&reason);
    true
}

/// Figures for the page and the benchmark: this build's limits.
#[wasm_bindgen]
pub fn python_limits() -> Result<JsValue, JsValue> {
    to_js(&serde_json::json!({
        "max_threads": crate::thread_module::MAX_THREADS,
        "recursion_limit": crate::interpreter::RECURSION_LIMIT,
        "max_source_bytes": crate::run::MAX_SOURCE_BYTES,
        "max_output_lines": trace::MAX_OUTPUT,
        "thread_stack_bytes": crate::interpreter::THREAD_STACK_BYTES,
    }))
}

#[wasm_bindgen(inline_js = r#"
export function fetch_bytes_sync(path) {
  // Python workers live in www/python/, so the site's root is two levels up; a full URL must be on it.
  const root = new URL('../../', self.location);
  const url = new URL(String(path).replace(/^\/+/, ''), root);
  if (url.origin !== self.location.origin) throw `cannot fetch ${path}: only the page's own files`;
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  xhr.responseType = 'arraybuffer';
  try { xhr.send(); } catch (e) { throw `cannot fetch ${path}: ${e.message}`; }
  if (xhr.status !== 200) throw `HTTP Error ${xhr.status}: cannot fetch ${path}`;
  return new Uint8Array(xhr.response);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn fetch_bytes_sync(path: &str) -> Result<js_sys::Uint8Array, JsValue>;
}

/// A synchronous request for one of the page's own files (allowed in workers).
pub fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    fetch_bytes_sync(path)
        .map(|bytes| bytes.to_vec())
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("cannot fetch {path}")))
}
