//! Entry points of the Python runtime worker (`www/python/python-worker.js`), wasm32 only.
//!
//! This artifact links the engine crate, so its thread workers call the engine's `thread_worker_main`
//! and the runtime reads the engine's `pool_status`, `bridge_wake` and `take_bridge_requests`, exactly as
//! the lesson runtime does. What is new here is one kind of run: a learner's program.
//!
//! The program's main thread is one long-lived job on a thread worker ([`python_boot`]): it prepares a
//! fresh interpreter (the prelude run, the common modules imported), waits for a program, runs it, and
//! prepares the next one. So a program starts at once, and each still gets an interpreter of its own.
//! This (runtime) worker never runs Python and never blocks, except in solo mode (a page that is not
//! cross-origin isolated, `crate::solo`), where it runs the programs itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

use playground::challenges::Check;
use playground::engine::gil::Interpreter;
use playground::engine::pool::POOL;
use playground::engine::{bridge, cancel, fault, lock, trace};
use playground::web::codec::{from_js, js_error, to_js};
use wasm_bindgen::prelude::*;

use crate::protocol::{PythonLimits, PythonProgress};
use crate::run::PythonOutcome;

enum State {
    Running,
    Done(Box<PythonOutcome>),
    /// The main thread trapped (a panic): the message, for the outcome the runtime makes up.
    Trapped(String),
}

static CURRENT: Mutex<Option<State>> = Mutex::new(None);
/// The next program, handed to the main thread.
/// The next program and the Python build to run it as.
/// The next program: its source, its Python build, and the challenge check it is run for, if any.
static NEXT: Mutex<Option<(String, Interpreter, Option<Check>)>> = Mutex::new(None);
static NEXT_READY: Condvar = Condvar::new();
/// Whether the main thread has an interpreter prepared and is waiting for a program.
static PREPARED: AtomicBool = AtomicBool::new(false);
static BOOTED: AtomicBool = AtomicBool::new(false);

/// Starts the program's main thread on a thread worker (once): it prepares interpreters and runs
/// programs, one after another, for the life of this instance.
#[wasm_bindgen]
pub fn python_boot() -> Result<(), JsValue> {
    if POOL.workers() == 0 {
        return Err(js_error("no thread worker has started yet"));
    }
    if BOOTED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    POOL.submit(Box::new(main_thread));
    Ok(())
}

fn main_thread() {
    loop {
        let prepared = crate::run::prepare();
        PREPARED.store(true, Ordering::SeqCst);
        bridge::wake();
        let (source, build, check) = {
            let mut next = lock(&NEXT);
            loop {
                if let Some(next_program) = next.take() {
                    break next_program;
                }
                next = NEXT_READY.wait(next).unwrap_or_else(|p| p.into_inner());
            }
        };
        PREPARED.store(false, Ordering::SeqCst);
        fault::arm(|message| {
            if let Ok(mut current) = CURRENT.try_lock() {
                *current = Some(State::Trapped(message.to_string()));
            }
            cancel::request("the interpreter hit an internal error");
            bridge::wake();
        });
        let outcome = crate::run::run_prepared_checked(prepared, &source, build, check.as_ref());
        fault::disarm();
        *lock(&CURRENT) = Some(State::Done(Box::new(outcome)));
        bridge::wake();
    }
}

/// Whether an interpreter is prepared, so a program given now starts at once.
#[wasm_bindgen]
pub fn python_prepared() -> bool {
    PREPARED.load(Ordering::SeqCst)
}

/// Hands `source` to the main thread as the next program: with the GIL (`switch_interval_ms`, as
/// `sys.setswitchinterval()` sets it) or free-threaded; judged against a challenge's `check` (a
/// [`Check`], or `null`) when one is given.
/// The Python build a program runs as, and the challenge check it is run for (see [`python_start`]).
fn program_settings(
    gil: bool,
    switch_interval_ms: f64,
    check: JsValue,
) -> Result<(Interpreter, Option<Check>), JsValue> {
    let check: Option<Check> = if check.is_null() || check.is_undefined() {
        None
    } else {
        Some(from_js(check)?)
    };
    if !(switch_interval_ms.is_finite() && switch_interval_ms > 0.0) {
        return Err(js_error(
            "the switch interval must be a positive number of milliseconds",
        ));
    }
    let build = if gil {
        Interpreter::Gil { switch_interval_ms }
    } else {
        // Free-threaded CPython keeps a switch interval too (`sys.getswitchinterval()`), unused.
        playground::engine::gil::set_switch_interval_ms(switch_interval_ms);
        Interpreter::FreeThreaded
    };
    Ok((build, check))
}

#[wasm_bindgen]
pub fn python_start(
    source: String,
    gil: bool,
    switch_interval_ms: f64,
    check: JsValue,
) -> Result<(), JsValue> {
    let (build, check) = program_settings(gil, switch_interval_ms, check)?;
    let mut current = lock(&CURRENT);
    if matches!(*current, Some(State::Running)) {
        return Err(js_error("another program is still running"));
    }
    if !BOOTED.load(Ordering::SeqCst) {
        return Err(js_error("the Python runtime has not booted"));
    }
    // Before the program is handed over, so that a stop asked for right after this is kept.
    crate::run::reset();
    *current = Some(State::Running);
    drop(current);
    *lock(&NEXT) = Some((source, build, check));
    NEXT_READY.notify_all();
    Ok(())
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
    progress(outcome, trapped)
}

/// New lanes, events, output and messages since the last report, with the outcome or trap if any.
fn progress(outcome: Option<PythonOutcome>, trapped: Option<String>) -> Result<JsValue, JsValue> {
    let (lanes, events, output) = trace::take_progress();
    to_js(&PythonProgress {
        lanes,
        events,
        output,
        messages: trace::take_new_messages(),
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

/// Python threads of the finished program still running (daemon threads): asks them to stop, and
/// returns how many there are.
#[wasm_bindgen]
pub fn python_stop_leftovers() -> usize {
    let alive = crate::threads::alive();
    if alive > 0 {
        cancel::request("the program has ended");
    }
    alive
}

/// Figures for the page and the benchmark: this build's limits.
#[wasm_bindgen]
pub fn python_limits() -> Result<JsValue, JsValue> {
    to_js(&PythonLimits {
        max_threads: crate::thread_module::MAX_THREADS,
        recursion_limit: crate::interpreter::RECURSION_LIMIT,
        max_source_bytes: crate::run::MAX_SOURCE_BYTES,
        max_output_lines: trace::MAX_OUTPUT,
        thread_stack_bytes: crate::interpreter::THREAD_STACK_BYTES,
        preloaded: crate::run::PRELOADED.to_string(),
        shared_segment_bytes: crate::mp::shared::SEGMENT_BYTES,
        max_live_events: playground::engine::trace::MAX_LIVE_EVENTS,
    })
}

// --- solo mode (a page that is not cross-origin isolated; see `crate::solo`) ---------------------------

thread_local! {
    /// The interpreter prepared for the next program, on this (the runtime) worker.
    static PREPARED_HERE: std::cell::RefCell<Option<crate::run::Prepared>> = const { std::cell::RefCell::new(None) };
    /// The program [`python_solo_begin`] was given, until [`python_solo_go`] runs it.
    static SOLO_RUN: std::cell::RefCell<Option<(String, Interpreter, Option<Check>)>> = const { std::cell::RefCell::new(None) };
}

/// Puts this runtime in solo mode and prepares the first interpreter on this worker: it will run the
/// programs itself, since no thread worker can share its memory. `processes`: whether the worker can
/// suspend a program (JSPI), so that programs may start processes.
#[wasm_bindgen]
pub fn python_solo_boot(processes: bool) {
    crate::solo::enable(processes);
    BOOTED.store(true, Ordering::SeqCst);
    python_solo_prepare();
}

/// Prepares an interpreter for the next program, unless one is waiting already (after each run, so the
/// next one starts at once).
#[wasm_bindgen]
pub fn python_solo_prepare() {
    if PREPARED_HERE.with(|p| p.borrow().is_none()) {
        let prepared = crate::run::prepare();
        PREPARED_HERE.with(|p| *p.borrow_mut() = Some(prepared));
    }
}

/// Takes `source` as the program [`python_solo_go`] will run on this worker (settings as
/// [`python_start`]). Where the program cannot suspend, `on_progress(PythonProgress)` gets what it
/// printed and drew while it runs, at most every [`crate::solo::REPORT_MS`]; where it can, the worker
/// polls ([`python_poll`]) whenever the program hands over to it.
#[wasm_bindgen]
pub fn python_solo_begin(
    source: String,
    gil: bool,
    switch_interval_ms: f64,
    check: JsValue,
    on_progress: js_sys::Function,
) -> Result<(), JsValue> {
    let (build, check) = program_settings(gil, switch_interval_ms, check)?;
    if !crate::solo::is_solo() {
        return Err(js_error("the Python runtime is not in solo mode"));
    }
    let mut current = lock(&CURRENT);
    if matches!(*current, Some(State::Running)) {
        return Err(js_error("another program is still running"));
    }
    crate::run::reset();
    *current = Some(State::Running);
    drop(current);
    crate::solo::set_reporter(Some(Box::new(move || {
        if let Ok(report) = progress(None, None) {
            let _ = on_progress.call1(&JsValue::NULL, &report);
        }
    })));
    SOLO_RUN.with(|r| *r.borrow_mut() = Some((source, build, check)));
    Ok(())
}

/// Runs the program [`python_solo_begin`] took to its end on this worker; its outcome is then
/// [`python_poll`]'s. With `suspending` (the worker calls this through `WebAssembly.promising`), every
/// wait of the program suspends it and lets the worker's event loop run (`crate::solo`): messages from
/// its processes and Stop reach it. Without, the program holds the worker until it ends, and one that
/// never ends is ended by terminating the worker. Numbers only in and out: JSPI wraps the raw export.
#[wasm_bindgen]
pub fn python_solo_go(suspending: bool) {
    let Some((source, build, check)) = SOLO_RUN.with(|r| r.borrow_mut().take()) else {
        return;
    };
    let prepared = PREPARED_HERE
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(crate::run::prepare);
    if suspending {
        crate::solo::browser::install();
    }
    let outcome = crate::run::run_prepared_checked(prepared, &source, build, check.as_ref());
    crate::solo::browser::remove();
    crate::solo::set_reporter(None);
    *lock(&CURRENT) = Some(State::Done(Box::new(outcome)));
}
