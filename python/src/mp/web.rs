//! The browser's side of learner processes (wasm32 only): entry points for the Python runtime worker
//! (`www/python/python-worker.js`) in its two roles.
//!
//! - **Root** (the program's own runtime): it hosts the kernel. It takes the kernel's requests (children
//!   to start or end, replies to send), hands it the calls children post, reports their exits, and draws
//!   their lanes and output beside its own.
//! - **Child** (a process the program started): a fresh instance with a memory of its own. Its program's
//!   main thread runs on a thread worker of its own; the runtime worker posts its kernel calls to the
//!   root's and delivers the replies, and streams its lanes and output there.
//!
//! Bytes (pickles) cross as `Uint8Array`s beside the typed (JSON) part of each message.

use std::collections::HashMap;
use std::sync::Mutex;

use playground::engine::pool::POOL;
use playground::engine::{bridge, cancel, fault, lock, trace};
use playground::protocol::{LaneKind, OutputLine, TraceRecord};
use playground::web::codec::{from_js, js_error, to_js};
use wasm_bindgen::prelude::*;

use super::client::remote;
use super::kernel;
use super::protocol::{Call, ChildStart, Pid, Reply};
use crate::protocol::{ChildCall, ChildProgress};

fn bytes(data: Option<Vec<u8>>) -> JsValue {
    data.map_or(JsValue::UNDEFINED, |d| {
        js_sys::Uint8Array::from(&d[..]).into()
    })
}

fn message(typed: JsValue, data: Option<Vec<u8>>) -> Result<JsValue, JsValue> {
    let pair = js_sys::Object::new();
    js_sys::Reflect::set(&pair, &"message".into(), &typed)?;
    js_sys::Reflect::set(&pair, &"data".into(), &bytes(data))?;
    Ok(pair.into())
}

/// Maps the shared memory under `Value` and `Array` (a `SharedArrayBuffer` of
/// [`super::shared::SEGMENT_BYTES`], made by the root runtime worker) in the calling worker. Every worker
/// of every process of the program calls this once it has started.
#[wasm_bindgen]
pub fn mp_attach_segment(buffer: JsValue) {
    super::shared::attach(&buffer);
}

// --- root ------------------------------------------------------------------------------------------

/// The kernel's requests: `[{ message: KernelRequest, data?: Uint8Array }]`.
#[wasm_bindgen]
pub fn mp_take_requests() -> Result<js_sys::Array, JsValue> {
    let out = js_sys::Array::new();
    for (request, data) in kernel::take_requests() {
        out.push(&message(to_js(&request)?, data)?);
    }
    Ok(out)
}

/// Times out remote waits; milliseconds until the next deadline, if any.
#[wasm_bindgen]
pub fn mp_tick() -> Option<f64> {
    kernel::tick()
}

/// A call child `pid` posted from its thread on (child) lane `lane`.
#[wasm_bindgen]
pub fn mp_remote_call(
    pid: Pid,
    req: u32,
    lane: u32,
    call: JsValue,
    data: Option<js_sys::Uint8Array>,
) -> Result<(), JsValue> {
    let call: Call = from_js(call)?;
    let lane = lock(&LANES)
        .as_ref()
        .and_then(|map| map.get(&(pid, lane)).copied());
    kernel::call_remote(pid, req, lane, call, data.map(|d| d.to_vec()));
    Ok(())
}

/// Child `pid` exited with `code` (or was ended).
#[wasm_bindgen]
pub fn mp_exited(pid: Pid, code: i32) {
    kernel::exited(pid, code);
}

/// Child `pid`'s instance failed (a trap, a worker that would not start): said on its lane.
#[wasm_bindgen]
pub fn mp_child_crashed(pid: Pid, why: String) {
    if let Some((lane, name)) = kernel::process_lane(pid) {
        trace::ingest(TraceRecord::Output(OutputLine {
            t: playground::clock::now_ms(),
            lane,
            text: format!("{name} crashed: {why}"),
            stream: playground::protocol::Stream::Stderr,
        }));
    }
}

/// Children still running (the run is over or stopped: the runtime ends them).
#[wasm_bindgen]
pub fn mp_running() -> Vec<u32> {
    kernel::running()
}

/// Which of the root's lanes each child lane is drawn on, per child.
static LANES: Mutex<Option<HashMap<(Pid, u32), u32>>> = Mutex::new(None);

/// Forgets the previous run's children's lanes.
pub fn reset() {
    *lock(&LANES) = None;
}

/// What a child streamed: its new lanes, events and output, drawn on the root's timeline (its main
/// thread on the process's own lane, its other threads on lanes named after it).
#[wasm_bindgen]
pub fn mp_child_progress(pid: Pid, progress: JsValue) -> Result<(), JsValue> {
    let progress: ChildProgress = from_js(progress)?;
    let Some((process_lane, process_name)) = kernel::process_lane(pid) else {
        return Ok(());
    };
    let mut lanes = lock(&LANES);
    let map = lanes.get_or_insert_with(HashMap::new);
    for lane in &progress.lanes {
        let ours = if lane.kind == LaneKind::Main {
            process_lane
        } else {
            trace::new_lane(
                format!("{process_name} · {}", lane.name),
                lane.kind,
                "python",
            )
        };
        map.insert((pid, lane.id), ours);
    }
    let mapped = |lane: u32| map.get(&(pid, lane)).copied();
    for mut event in progress.events {
        if let Some(lane) = mapped(event.lane) {
            event.lane = lane;
            trace::ingest(TraceRecord::Event(event));
        }
    }
    for mut line in progress.output {
        if let Some(lane) = mapped(line.lane) {
            line.lane = lane;
            trace::ingest(TraceRecord::Output(line));
        }
    }
    Ok(())
}

// --- child -----------------------------------------------------------------------------------------

enum ChildState {
    Running,
    Exited(i32),
    Trapped(String),
}

static CHILD: Mutex<Option<ChildState>> = Mutex::new(None);

/// Starts this instance's one program, child process `start`, on a thread worker: prepare an
/// interpreter, run the program as `__mp_main__`, then the pickled `Process` in `payload`.
#[wasm_bindgen]
pub fn python_child_start(start: JsValue, payload: js_sys::Uint8Array) -> Result<(), JsValue> {
    let start: ChildStart = from_js(start)?;
    if POOL.workers() == 0 {
        return Err(js_error("no thread worker has started yet"));
    }
    let payload = payload.to_vec();
    *lock(&CHILD) = Some(ChildState::Running);
    POOL.submit(Box::new(move || {
        fault::arm(|message| {
            if let Ok(mut state) = CHILD.try_lock() {
                *state = Some(ChildState::Trapped(message.to_string()));
            }
            cancel::request("the interpreter hit an internal error");
            bridge::wake();
        });
        become_child_main_thread();
        let prepared = crate::run::prepare();
        run_child(&prepared, &start, &payload);
        fault::disarm();
    }));
    Ok(())
}

/// Makes the calling thread the child's main thread, on a lane of its own (drawn on the process's lane
/// at the root), before its interpreter is prepared.
fn become_child_main_thread() {
    crate::threads::become_main();
    let main_lane = trace::new_lane("MainThread", LaneKind::Main, "python");
    trace::set_current_lane(main_lane);
    trace::set_worker(main_lane, playground::engine::pool::current_worker());
}

/// Runs the child's program in `prepared` on its main thread (the calling one), and notes its exit.
fn run_child(prepared: &crate::run::Prepared, start: &ChildStart, payload: &[u8]) {
    trace::enter(playground::protocol::LaneState::Running);
    let code = super::child::run(prepared, start, payload);
    *lock(&CHILD) = Some(ChildState::Exited(code));
    bridge::wake();
}

thread_local! {
    /// A solo child's program, prepared by [`python_child_solo_begin`] for [`python_child_solo_go`].
    static SOLO_CHILD: std::cell::RefCell<Option<(crate::run::Prepared, ChildStart, Vec<u8>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Child process `start` on a page that is not cross-origin isolated (solo mode, `crate::solo`): its
/// program will run on this worker, which no thread worker can share, and it reads and writes `Value`s
/// by message. Prepares its interpreter here; [`python_child_solo_go`] runs it.
#[wasm_bindgen]
pub fn python_child_solo_begin(start: JsValue, payload: js_sys::Uint8Array) -> Result<(), JsValue> {
    let start: ChildStart = from_js(start)?;
    crate::solo::enable(true);
    super::shared::set_remote();
    *lock(&CHILD) = Some(ChildState::Running);
    become_child_main_thread();
    let prepared = crate::run::prepare();
    SOLO_CHILD.with(|c| *c.borrow_mut() = Some((prepared, start, payload.to_vec())));
    Ok(())
}

/// Runs the solo child's program to its end; the worker calls it through `WebAssembly.promising`, so
/// each of its waits suspends it and lets the worker post its calls and take the root's replies.
#[wasm_bindgen]
pub fn python_child_solo_go() {
    let Some((prepared, start, payload)) = SOLO_CHILD.with(|c| c.borrow_mut().take()) else {
        return;
    };
    crate::solo::browser::install();
    run_child(&prepared, &start, &payload);
    crate::solo::browser::remove();
}

/// New lanes, events and output of this child since the last poll; its exit code once it has ended.
#[wasm_bindgen]
pub fn python_child_poll() -> Result<JsValue, JsValue> {
    let (exit_code, trapped) = match &*lock(&CHILD) {
        Some(ChildState::Exited(code)) => (Some(*code), None),
        Some(ChildState::Trapped(message)) => (None, Some(message.clone())),
        _ => (None, None),
    };
    let (lanes, events, output) = trace::take_progress();
    to_js(&ChildProgress {
        lanes,
        events,
        output,
        exit_code,
        trapped,
    })
}

/// This child's kernel calls: `[{ message: { req, lane, call }, data?: Uint8Array }]`.
#[wasm_bindgen]
pub fn mp_child_take_calls() -> Result<js_sys::Array, JsValue> {
    let out = js_sys::Array::new();
    for (req, lane, call, data) in remote::take_calls() {
        out.push(&message(to_js(&ChildCall { req, lane, call })?, data)?);
    }
    Ok(out)
}

/// The root's reply to this child's call `req`.
#[wasm_bindgen]
pub fn mp_child_reply(
    req: u32,
    reply: JsValue,
    data: Option<js_sys::Uint8Array>,
) -> Result<(), JsValue> {
    let reply: Reply = from_js(reply)?;
    remote::deliver(req, (reply, data.map(|d| d.to_vec())));
    Ok(())
}
