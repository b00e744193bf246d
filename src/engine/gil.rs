//! An emulated global interpreter lock, built the way CPython's has been since 3.2 (`Python/ceval_gil.c`).
//!
//! - A thread must hold the GIL to run "Python code". Threads started with [`crate::engine::thread::spawn`]
//!   during a run under [`run_with`] take it before their body and drop it after, as CPython's threads do.
//! - A thread that wants the GIL waits on a condition variable for one *switch interval* (5 ms by default,
//!   `sys.getswitchinterval()`). If no hand-off happened in that time, it sets the *drop request*.
//! - The holder checks the drop request only at *switch points* ([`checkpoint`]): in CPython, the eval
//!   breaker, polled at backward jumps and calls — never between the load and the store of `counter += 1`.
//!   Asked to drop, it releases the GIL and waits until another thread has taken it (CPython's
//!   FORCE_SWITCHING), then queues for it again.
//! - A blocking call (sleep, join, a lock or queue wait, I/O) releases the GIL around the wait
//!   ([`allow_threads`], CPython's `Py_BEGIN_ALLOW_THREADS`), which is why I/O-bound threads still overlap.
//! - The GIL is per interpreter, so each process has its own: every process here is its own wasm instance
//!   with its own copy of this module's statics.
//!
//! With [`Interpreter::FreeThreaded`] (CPython 3.13t) everything here is a no-op and threads run in
//! parallel. Outside a [`run_with`] run the GIL is off, so lessons that are not in "Python mode" pay one
//! relaxed atomic load per checkpoint at most.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::{lock, trace};
use crate::clock::now_ms;
use crate::params::ParamSpec;
use crate::protocol::LaneState;

/// Which interpreter a "Python mode" run emulates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "build")]
pub enum Interpreter {
    /// CPython with its global interpreter lock; `switch_interval_ms` is `sys.setswitchinterval()`.
    Gil { switch_interval_ms: f64 },
    /// Free-threaded CPython (3.13t): no GIL, threads run Python code in parallel.
    FreeThreaded,
}

impl Interpreter {
    pub fn label(self) -> &'static str {
        match self {
            Interpreter::Gil { .. } => "CPython (with GIL)",
            Interpreter::FreeThreaded => "free-threaded (3.13t)",
        }
    }

    /// The interpreter chosen by parameters [`PYTHON_BUILD`] and [`SWITCH_INTERVAL`].
    pub fn from_params(build: i64, switch_interval_ms: i64) -> Interpreter {
        if build == FREE_THREADED {
            Interpreter::FreeThreaded
        } else {
            Interpreter::Gil {
                switch_interval_ms: switch_interval_ms as f64,
            }
        }
    }
}

/// Value of [`PYTHON_BUILD`] for CPython with the GIL.
pub const WITH_GIL: i64 = 0;
/// Value of [`PYTHON_BUILD`] for free-threaded CPython.
pub const FREE_THREADED: i64 = 1;

/// The "Python build" toggle of every lesson that runs in Python mode.
pub const PYTHON_BUILD: ParamSpec = ParamSpec::choice(
    "python",
    "Python build",
    &[
        (WITH_GIL, "CPython (with GIL)"),
        (FREE_THREADED, "free-threaded (3.13t)"),
    ],
    WITH_GIL,
    "CPython runs one thread's Python code at a time; the free-threaded build runs threads in parallel.",
);

/// `sys.setswitchinterval()`, in whole milliseconds.
pub const SWITCH_INTERVAL: ParamSpec = ParamSpec::int(
    "switch_interval_ms",
    "GIL switch interval (ms)",
    1,
    100,
    5,
    "How long a thread waits for the GIL before asking the holder to drop it (CPython's default: 5 ms).",
);

struct State {
    locked: bool,
    /// Counts hand-offs to a different thread: a forced dropper waits for it to change.
    switch_number: u64,
    /// The lane that took the GIL last (to count real switches, not re-takes by the same thread).
    last_holder: Option<u32>,
}

static STATE: Mutex<State> = Mutex::new(State {
    locked: false,
    switch_number: 0,
    last_holder: None,
});
/// Signalled when the GIL is released.
static RELEASED: Condvar = Condvar::new();
/// Signalled when a thread takes the GIL (a forced dropper waits for it).
static TAKEN: Condvar = Condvar::new();
static ENABLED: AtomicBool = AtomicBool::new(false);
static DROP_REQUEST: AtomicBool = AtomicBool::new(false);
static INTERVAL_US: AtomicU64 = AtomicU64::new(5000);
static SWITCHES: AtomicU64 = AtomicU64::new(0);
static FORCED_DROPS: AtomicU64 = AtomicU64::new(0);
static WAIT_NS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Whether the calling thread holds the GIL.
    static HOLDS: Cell<bool> = const { Cell::new(false) };
}

/// What the GIL did during a run.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, ts_rs::TS)]
pub struct GilStats {
    /// Times the GIL passed to a different thread.
    pub switches: u64,
    /// Times a holder was asked to drop it after a switch interval without a hand-off.
    pub forced_drops: u64,
    /// Milliseconds threads spent waiting for the GIL, summed over threads.
    pub wait_ms: f64,
}

/// Runs `body` as the main thread of an interpreter of kind `interpreter`: with the GIL, the caller holds
/// it while `body` runs, and every thread started meanwhile must take it to run. Returns what `body`
/// returned and what the GIL did.
pub fn run_with<R>(interpreter: Interpreter, body: impl FnOnce() -> R) -> (R, GilStats) {
    let Interpreter::Gil { switch_interval_ms } = interpreter else {
        return (body(), GilStats::default());
    };
    set_switch_interval_ms(switch_interval_ms);
    SWITCHES.store(0, Ordering::SeqCst);
    FORCED_DROPS.store(0, Ordering::SeqCst);
    WAIT_NS.store(0, Ordering::SeqCst);
    DROP_REQUEST.store(false, Ordering::SeqCst);
    ENABLED.store(true, Ordering::SeqCst);
    take();
    let value = body();
    drop_gil(false);
    ENABLED.store(false, Ordering::SeqCst);
    (value, stats())
}

/// The interpreter this instance runs now (what a child process started now must run as).
pub fn current_interpreter() -> Interpreter {
    if enabled() {
        Interpreter::Gil {
            switch_interval_ms: switch_interval_ms(),
        }
    } else {
        Interpreter::FreeThreaded
    }
}

/// Whether a run with the GIL is going on in this process.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Whether the calling thread holds the GIL.
pub fn holds() -> bool {
    HOLDS.with(Cell::get)
}

/// Whether a waiting thread has asked the holder to drop the GIL (the holder's next [`checkpoint`] will).
#[inline]
pub fn drop_requested() -> bool {
    DROP_REQUEST.load(Ordering::Relaxed)
}

/// `sys.getswitchinterval()`, in milliseconds: the interval of the current (or last) run with the GIL.
pub fn switch_interval_ms() -> f64 {
    INTERVAL_US.load(Ordering::Relaxed) as f64 / 1000.0
}

/// `sys.setswitchinterval()` during a run: waits for the GIL from now on last `ms`.
pub fn set_switch_interval_ms(ms: f64) {
    INTERVAL_US.store(
        (ms.clamp(0.001, 10_000.0) * 1000.0).round().max(1.0) as u64,
        Ordering::SeqCst,
    );
}

/// What the GIL has done so far in the current run.
pub fn stats() -> GilStats {
    GilStats {
        switches: SWITCHES.load(Ordering::SeqCst),
        forced_drops: FORCED_DROPS.load(Ordering::SeqCst),
        wait_ms: WAIT_NS.load(Ordering::SeqCst) as f64 / 1e6,
    }
}

/// A switch point (CPython's eval breaker): if a waiting thread asked for the GIL, drop it, let that thread
/// run, and queue for it again. Call it once per iteration of a "Python" loop. Costs one relaxed load when
/// nobody asked.
#[inline]
pub fn checkpoint() {
    if DROP_REQUEST.load(Ordering::Relaxed) && HOLDS.with(Cell::get) {
        // From here on this thread is not running Python code: draw it waiting until it has the GIL back.
        let t0 = now_ms();
        trace::enter_at(trace::current_lane(), LaneState::WaitingGil, t0);
        drop_gil(true);
        take_after(Some(t0));
    }
}

/// Runs a blocking call without the GIL, as CPython's C code does around every wait, so other threads run
/// meanwhile. A no-op wrapper when the caller does not hold the GIL. As in CPython's `drop_gil`, a thread
/// that was asked to drop the GIL waits here until another has taken it: so even `time.sleep(0)` hands
/// the GIL over when someone has waited a whole switch interval.
pub fn allow_threads<R>(blocking: impl FnOnce() -> R) -> R {
    if !HOLDS.with(Cell::get) {
        return blocking();
    }
    drop_gil(DROP_REQUEST.load(Ordering::SeqCst));
    let value = blocking();
    take();
    value
}

/// The start of a thread's body: during a GIL run, wait for the GIL first. Draws the thread running only
/// once it may run (and the end, in [`finish_python_thread`], before it lets go), so the timeline never
/// shows two threads running Python code at once, even when the OS pauses a worker between two steps.
pub(crate) fn start_python_thread() {
    if enabled() {
        let t0 = now_ms();
        trace::enter_at(trace::current_lane(), LaneState::WaitingGil, t0);
        take_after(Some(t0));
    } else {
        trace::enter(LaneState::Running);
    }
}

/// The end of a thread's body: drawn finished, then the GIL (if it holds it) goes to the next thread.
pub(crate) fn finish_python_thread() {
    trace::enter(LaneState::Finished);
    if HOLDS.with(Cell::get) {
        drop_gil(false);
    }
}

/// The calling thread is dying with the GIL (a panic: in the browser its worker traps, natively it
/// unwinds past [`finish_python_thread`]): let the GIL go, without waiting for its lock, so the other
/// threads can run. Called by the panic hook ([`super::fault`]).
pub(crate) fn release_after_panic() {
    if HOLDS.with(Cell::get) {
        if let Ok(mut state) = STATE.try_lock() {
            state.locked = false;
            HOLDS.with(|h| h.set(false));
            RELEASED.notify_all();
        }
    }
}

/// Takes the GIL, waiting (drawn as "waiting for the GIL") while another thread holds it.
fn take() {
    take_after(None)
}

/// Takes the GIL; `waiting_since` is when the caller began waiting for it, if it already drew that.
fn take_after(waiting_since: Option<f64>) {
    let lane = trace::current_lane();
    let mut state = lock(&STATE);
    if state.locked || waiting_since.is_some() {
        let t0 = waiting_since.unwrap_or_else(|| {
            let t0 = now_ms();
            trace::enter_at(lane, LaneState::WaitingGil, t0);
            t0
        });
        let interval = Duration::from_micros(INTERVAL_US.load(Ordering::Relaxed).max(1));
        while state.locked {
            let switch_before = state.switch_number;
            let (guard, wait) = RELEASED
                .wait_timeout(state, interval)
                .unwrap_or_else(|p| p.into_inner());
            state = guard;
            // A whole interval passed and the holder did not change: ask it to drop the GIL.
            if wait.timed_out() && state.locked && state.switch_number == switch_before {
                DROP_REQUEST.store(true, Ordering::SeqCst);
            }
        }
        let t1 = now_ms();
        WAIT_NS.fetch_add(((t1 - t0).max(0.0) * 1e6) as u64, Ordering::Relaxed);
        trace::enter_at(lane, LaneState::Running, t1);
    }
    state.locked = true;
    if state.last_holder != Some(lane) {
        state.last_holder = Some(lane);
        state.switch_number += 1;
        SWITCHES.fetch_add(1, Ordering::Relaxed);
    }
    HOLDS.with(|h| h.set(true));
    // The request was for whoever held it before; a new holder starts with a full interval.
    DROP_REQUEST.store(false, Ordering::SeqCst);
    TAKEN.notify_all();
}

/// Releases the GIL. When `forced` (the holder was asked to drop it), waits until another thread has
/// taken it, so the dropper cannot take it straight back (CPython's FORCE_SWITCHING).
fn drop_gil(forced: bool) {
    let mut state = lock(&STATE);
    state.locked = false;
    HOLDS.with(|h| h.set(false));
    RELEASED.notify_all();
    if forced {
        FORCED_DROPS.fetch_add(1, Ordering::Relaxed);
        let before = state.switch_number;
        // Bounded so a waiter that gave up cannot strand the dropper.
        let deadline = now_ms() + 100.0;
        while state.switch_number == before && !state.locked && now_ms() < deadline {
            state = TAKEN
                .wait_timeout(state, Duration::from_millis(1))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::thread;
    use crate::engine::trace::TRACE_TEST_LOCK;
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    /// Runs `body` on each of `n` threads under `interpreter` and returns the GIL's stats.
    fn on_threads(interpreter: Interpreter, n: usize, body: fn(&AtomicU64)) -> (u64, GilStats) {
        let shared = Arc::new(AtomicU64::new(0));
        let s = shared.clone();
        let ((), stats) = run_with(interpreter, move || {
            let handles: Vec<_> = (0..n)
                .map(|i| {
                    let s = s.clone();
                    thread::spawn(format!("Thread-{i}"), "gil", move || body(&s))
                })
                .collect();
            handles.into_iter().for_each(|h| h.join());
        });
        (shared.load(Ordering::SeqCst), stats)
    }

    /// Holds the GIL for a while, checking switch points, and records the most threads inside at once.
    fn busy_and_count(inside: &AtomicU64) {
        static NOW_INSIDE: AtomicU64 = AtomicU64::new(0);
        let t0 = now_ms();
        while now_ms() - t0 < 40.0 {
            let n = NOW_INSIDE.fetch_add(1, Ordering::SeqCst) + 1;
            inside.fetch_max(n, Ordering::SeqCst);
            std::hint::black_box(crate::engine::workload::work_unit(7));
            NOW_INSIDE.fetch_sub(1, Ordering::SeqCst);
            checkpoint();
        }
    }

    #[test]
    fn with_the_gil_one_thread_runs_at_a_time_and_it_changes_hands() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        let (most_inside, stats) = on_threads(
            Interpreter::Gil {
                switch_interval_ms: 2.0,
            },
            3,
            busy_and_count,
        );
        assert_eq!(most_inside, 1, "two threads ran Python code at once");
        assert!(stats.forced_drops >= 3, "{stats:?}");
        assert!(stats.switches >= 4, "{stats:?}");
        assert!(!enabled());
    }

    #[test]
    fn free_threaded_threads_run_together() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        let (most_inside, stats) = on_threads(Interpreter::FreeThreaded, 3, busy_and_count);
        assert!(
            most_inside >= 2,
            "free-threaded threads never overlapped (on one core?)"
        );
        assert_eq!(stats, GilStats::default());
    }

    #[test]
    fn blocking_calls_release_the_gil() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        // Two threads sleep while otherwise holding the GIL. If a sleep kept the GIL, the second sleep
        // could only start after the first ended; released, both sleeps are under way at once.
        static SLEEPS: Mutex<Vec<(f64, f64)>> = Mutex::new(Vec::new());
        lock(&SLEEPS).clear();
        on_threads(
            Interpreter::Gil {
                switch_interval_ms: 5.0,
            },
            2,
            |_| {
                let t0 = now_ms();
                crate::engine::sync::sleep_ms(60.0);
                lock(&SLEEPS).push((t0, now_ms()));
            },
        );
        let sleeps = lock(&SLEEPS).clone();
        let last_start = sleeps.iter().map(|s| s.0).fold(f64::MIN, f64::max);
        let first_end = sleeps.iter().map(|s| s.1).fold(f64::MAX, f64::min);
        assert_eq!(sleeps.len(), 2);
        assert!(
            last_start < first_end,
            "the sleeps did not overlap: {sleeps:?}"
        );
    }

    #[test]
    fn the_waiting_thread_is_drawn_waiting_for_the_gil() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        on_threads(
            Interpreter::Gil {
                switch_interval_ms: 2.0,
            },
            2,
            busy_and_count,
        );
        let (_, events, _, _) = trace::snapshot();
        assert!(events.iter().any(|e| e.state == LaneState::WaitingGil));
    }
}
