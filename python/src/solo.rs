//! Solo mode: the Python runtime on a page that is not cross-origin isolated (an embed on a tutorial
//! site, typically). The browser then still gives a worker a shared memory of its own, but lets no other
//! worker map it, so the program's main thread runs on the runtime worker itself and nothing else can
//! run beside it: starting a thread or a process raises `RuntimeError` saying why, and everything a
//! single thread does (prints, sleeps, locks, queues, `Value`s, asyncio) runs as on an isolated page.
//!
//! The runtime worker is busy running the program, so it cannot poll for output as it does otherwise:
//! the program reports its progress itself, at most every [`REPORT_MS`], through the reporter the worker
//! installs ([`set_reporter`]): from its prints, before each sleep, and at its switch points (registered
//! in solo mode with or without the GIL), so what a loop printed last shows while it computes, and is
//! not lost when a program that never ends is ended by terminating the worker.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};

use playground::platform::now_ms;

static SOLO: AtomicBool = AtomicBool::new(false);

/// At most this long between two progress reports (the isolated runtime polls as often).
pub const REPORT_MS: f64 = 40.0;

/// Why nothing can run beside the main thread, in the words `RuntimeError` gives the learner.
const WHY: &str = "this page is not cross-origin isolated, so the browser lets no other worker share its \
memory, and a Python thread or process here is a Web Worker beside this one (a page embedding the playground \
needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp; \
the playground's own page has them)";

/// Puts this runtime in solo mode for the rest of its life (the runtime worker does, at boot).
pub fn enable() {
    SOLO.store(true, Ordering::SeqCst);
}

pub fn is_solo() -> bool {
    SOLO.load(Ordering::SeqCst)
}

/// The error `Thread.start()` raises in solo mode (CPython's wording for a thread it cannot start).
pub fn thread_refusal() -> Option<String> {
    is_solo().then(|| format!("can't start new thread: {WHY}"))
}

/// The error `Process.start()` (and so `Pool()`) raises in solo mode.
pub fn process_refusal() -> Option<String> {
    is_solo().then(|| format!("can't start a new process: {WHY}"))
}

thread_local! {
    static REPORTER: RefCell<Option<Box<dyn FnMut()>>> = const { RefCell::new(None) };
    static LAST_REPORT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static SWITCH_POINTS: Cell<u32> = const { Cell::new(0) };
}

/// Called at every switch point (`_gil.switch_point`): every 1024th (about a millisecond of a loop)
/// sees whether a report is due. Outside solo mode, one atomic load.
#[inline]
pub fn at_switch_point() {
    if !is_solo() {
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
    REPORTER.with(|r| *r.borrow_mut() = reporter);
}

/// Calls the reporter if there is one and [`REPORT_MS`] have passed since it last ran (or `now` is
/// set: before a sleep, so what was printed shows while the program sleeps).
pub fn report_progress(now: bool) {
    let t = now_ms();
    if !now && t - LAST_REPORT.with(Cell::get) < REPORT_MS {
        return;
    }
    REPORTER.with(|r| {
        // A report that prints (it does not) must not re-enter: try_borrow_mut skips it.
        if let Ok(mut reporter) = r.try_borrow_mut() {
            if let Some(report) = reporter.as_mut() {
                LAST_REPORT.with(|last| last.set(t));
                report();
            }
        }
    });
}
