//! The entry point of a process worker (`www/runtime/process-worker.js`). That worker instantiated the
//! module with a memory of its own, so every global here is this process's private copy.

use wasm_bindgen::prelude::*;

use super::bindings::{now_ms, post_to_parent};
use super::codec::{from_js, to_js};
use crate::engine::trace;
use crate::protocol::{ChildMessage, SpawnCommand, TraceRecord};

fn post(message: &ChildMessage) {
    if let Ok(value) = to_js(message) {
        post_to_parent(value);
    }
}

fn forward(record: TraceRecord) {
    post(&ChildMessage::Trace { record });
}

/// Runs the child program described by `spawn` to completion; returns its exit code.
#[wasm_bindgen]
pub fn child_process_main(spawn: JsValue) -> Result<i32, JsValue> {
    let spawn: SpawnCommand = from_js(spawn)?;
    trace::forward_to(forward);
    let mut send = |payload: String| {
        post(&ChildMessage::Message {
            payload,
            sent_at: now_ms(),
        })
    };
    Ok(crate::lessons::run_child(&spawn, &mut send))
}
