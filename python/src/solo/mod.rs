//! Solo mode: the Python runtime on a page that is not cross-origin isolated (an embed on a tutorial
//! site, typically). The browser then still gives a worker a shared memory of its own, but lets no other
//! worker map it, so a program's main thread runs on the runtime worker itself and no thread can run
//! beside it: starting a thread raises `RuntimeError` saying why.
//!
//! Processes still work there, where the browser can suspend WebAssembly (JavaScript Promise
//! Integration, JSPI): each is a runtime worker of its own in solo mode, with an instance and a memory of
//! its own, as on an isolated page. What they cannot do without shared memory is block on it, and what
//! ends their waits (a kernel reply, a child's call or exit, Stop) is a message to that very worker. So
//! every wait of such a program suspends it instead ([`playground::engine::suspend`]): the worker's event
//! loop takes the messages, does what the kernel asked (start a child, post a reply), and the wait looks
//! again. `Value` and `Array` live in the root process then, and a child reads and writes them by message
//! (`crate::mp::shared`). Without JSPI, starting a process raises `RuntimeError` saying why.
//!
//! The program reports its progress itself, at most every [`REPORT_MS`]: from its prints, before each
//! sleep, and at its switch points (registered in solo mode with or without the GIL). Where it can
//! suspend, a report is a turn of the event loop (which posts what is new, and handles Stop); elsewhere
//! it is the reporter the worker installs ([`set_reporter`]), and a program that never ends is ended by
//! terminating the worker.
//!
//! - [`pump`]: a `Pool`'s results, handed over while the main thread waits (no thread can do it here).

pub mod pump;

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};

use playground::engine::{bridge, suspend};
use playground::platform::now_ms;

static SOLO: AtomicBool = AtomicBool::new(false);
/// Whether this runtime can suspend a program (JSPI), and so run processes in solo mode.
static PROCESSES: AtomicBool = AtomicBool::new(false);

/// At most this long between two progress reports (the isolated runtime polls as often).
pub const REPORT_MS: f64 = 40.0;

/// Why a thread cannot start, in the words `RuntimeError` gives the learner.
const WHY_NO_THREADS: &str = "this page is not cross-origin isolated, so the browser lets no other worker \
share its memory, and a Python thread here is a Web Worker beside this one (a page embedding the playground \
needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp; \
the playground's own page has them)";

/// Why a process cannot start where the browser cannot suspend a program.
const WHY_NO_PROCESSES: &str = "this page is not cross-origin isolated, and this browser cannot pause a \
program while it waits for another process's message (it lacks WebAssembly JavaScript Promise Integration; \
Chromium and Firefox have it); open the playground's own page, which is isolated, or embed it in a page \
that sends Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";

/// Puts this runtime in solo mode for the rest of its life (the runtime worker does, at boot, and so
/// does each of its child processes); `processes`: whether programs may start processes (the runtime
/// can suspend them).
pub fn enable(processes: bool) {
    PROCESSES.store(processes, Ordering::SeqCst);
    SOLO.store(true, Ordering::SeqCst);
}

pub fn is_solo() -> bool {
    SOLO.load(Ordering::SeqCst)
}

/// The error `Thread.start()` raises in solo mode (CPython's wording for a thread it cannot start).
pub fn thread_refusal() -> Option<String> {
    is_solo().then(|| format!("can't start new thread: {WHY_NO_THREADS}"))
}

/// The error `Process.start()` (and so `Pool()`) raises in solo mode where processes cannot run.
pub fn process_refusal() -> Option<String> {
    (is_solo() && !PROCESSES.load(Ordering::SeqCst))
        .then(|| format!("can't start a new process: {WHY_NO_PROCESSES}"))
}

thread_local! {
    static REPORTER: RefCell<Option<Box<dyn FnMut()>>> = const { RefCell::new(None) };
    static LAST_REPORT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static SWITCH_POINTS: Cell<u32> = const { Cell::new(0) };
    /// The runtime's wake counter when this thread last handed over to its event loop.
    static WAKE_SEEN: Cell<i32> = const { Cell::new(0) };
}

/// Called at every switch point (`_gil.switch_point`). A program that can suspend hands over to its
/// event loop at once when it left something for the runtime (a process to start, a message to post:
/// `bridge::wake` moved); every 1024th switch point (about a millisecond of a loop) sees whether a
/// report is due. Outside solo mode, one atomic load.
#[inline]
pub fn at_switch_point() {
    if !is_solo() {
        return;
    }
    if suspend::is_installed() && bridge::WAKE.load(Ordering::SeqCst) != WAKE_SEEN.with(Cell::get) {
        hand_over(now_ms());
        return;
    }
    let n = SWITCH_POINTS.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    if n % 1024 == 0 {
        report_progress(false);
    }
}

/// Installs (or, with `None`, removes) the calling thread's progress reporter.
pub fn set_reporter(reporter: Option<Box<dyn FnMut()>>) {
    // The first print reports at once.
    LAST_REPORT.with(|last| last.set(f64::NEG_INFINITY));
    WAKE_SEEN.with(|seen| seen.set(bridge::WAKE.load(Ordering::SeqCst)));
    REPORTER.with(|r| *r.borrow_mut() = reporter);
}

/// Reports progress if [`REPORT_MS`] have passed since the last report (or `now` is set: before a
/// sleep, so what was printed shows while the program sleeps): a turn of the event loop where the
/// program can suspend, the reporter otherwise. Outside solo mode (every print calls this) one atomic
/// load, no clock read.
pub fn report_progress(now: bool) {
    if !is_solo() {
        return;
    }
    let t = now_ms();
    if !now && t - LAST_REPORT.with(Cell::get) < REPORT_MS {
        return;
    }
    if suspend::is_installed() {
        hand_over(t);
        return;
    }
    LAST_REPORT.with(|last| last.set(t));
    REPORTER.with(|r| {
        // A report that prints (it does not) must not re-enter: try_borrow_mut skips it.
        if let Ok(mut reporter) = r.try_borrow_mut() {
            if let Some(report) = reporter.as_mut() {
                report();
            }
        }
    });
}

/// One turn of the event loop at `t` (epoch ms): it posts what is new, serves what the program left for the
/// runtime and takes Stop; it counts as a report.
fn hand_over(t: f64) {
    LAST_REPORT.with(|last| last.set(t));
    WAKE_SEEN.with(|seen| seen.set(bridge::WAKE.load(Ordering::SeqCst)));
    suspend::suspend(0.0);
}

/// The browser's suspender (wasm32 only): JSPI through `www/python/suspend.js`, whose `suspend` is a
/// `WebAssembly.Suspending` import. wasm-bindgen imports a `raw_module`'s functions as they are, so the
/// import the instance calls is that object itself (a JavaScript wrapper between them would make the
/// suspension fail). The path is relative to the bindings in `pkg-python/`, beside `www/` in `dist/`.
#[cfg(target_arch = "wasm32")]
pub mod browser {
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(raw_module = "../www/python/suspend.js")]
    extern "C" {
        /// Suspends the program's stack and lets the worker's event loop run for at most `ms`.
        fn suspend(ms: f64);
    }

    /// Makes this thread's waits suspend (the runtime worker calls it when the program starts under
    /// `WebAssembly.promising`, and removes it after).
    pub fn install() {
        playground::engine::suspend::install(Some(Rc::new(|ms| suspend(ms))));
    }

    pub fn remove() {
        playground::engine::suspend::install(None);
    }
}
