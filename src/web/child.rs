//! The entry point of a process worker (`www/runtime/process-worker.js`). That worker instantiated the
//! module with a memory of its own, so every global here is this process's private copy.

use wasm_bindgen::prelude::*;

use super::codec::{from_js, to_js};
use crate::clock::now_ms;
use crate::engine::process::{with_child_io, ChildIo};
use crate::engine::trace;
use crate::protocol::{ChildMessage, SpawnCommand, TraceRecord};

/// This process worker's own scope, whose `postMessage` reaches the runtime that started it.
fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &ChildMessage) {
    if let Ok(value) = to_js(message) {
        let _ = scope().post_message(&value);
    }
}

/// Posts `bytes` to the parent as a binary message, transferring (not copying) its `ArrayBuffer`.
fn post_bytes(bytes: js_sys::Uint8Array, sent_at: f64) {
    let message = js_sys::Object::new();
    let set =
        |key: &str, value: &JsValue| js_sys::Reflect::set(&message, &JsValue::from_str(key), value);
    let _ = set("type", &JsValue::from_str("bytes"));
    let _ = set("bytes", &bytes);
    let _ = set("sent_at", &JsValue::from_f64(sent_at));
    let _ = scope().post_message_with_transfer(&message, &js_sys::Array::of1(&bytes.buffer()));
}

fn forward(record: TraceRecord) {
    post(&ChildMessage::Trace { record });
}

/// Runs the child program described by `spawn` to completion; returns its exit code. `input` is the
/// binary part of the start message (a transferred `ArrayBuffer`), if the parent sent one.
#[wasm_bindgen]
pub fn child_process_main(
    spawn: JsValue,
    input: Option<js_sys::Uint8Array>,
) -> Result<i32, JsValue> {
    let spawn: SpawnCommand = from_js(spawn)?;
    trace::forward_to(forward);
    let mut send = |payload: String| {
        post(&ChildMessage::Message {
            payload,
            sent_at: now_ms(),
        })
    };
    // Into this instance's own memory: the one copy on the receiving side.
    let t0 = now_ms();
    let input = input.map(|a| a.to_vec()).unwrap_or_default();
    let input_copy_ms = now_ms() - t0;
    let send_bytes = Box::new(|bytes: &[u8]| {
        // Out of this memory into a fresh ArrayBuffer, which postMessage then transfers without a copy.
        let t0 = now_ms();
        let copy = js_sys::Uint8Array::from(bytes);
        let ms = now_ms() - t0;
        post_bytes(copy, now_ms());
        ms
    });
    let io = ChildIo {
        input,
        input_copy_ms,
        send_bytes,
    };
    Ok(with_child_io(io, || {
        crate::lessons::run_child(&spawn, &mut send)
    }))
}
