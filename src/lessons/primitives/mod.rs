//! Lesson "Synchronization primitives" (curriculum row 18).
//!
//! One program in six parts, each with a real primitive and a measured result:
//! - RLock re-entry works; a plain Lock taken again by its holder blocks (shown with `acquire(timeout)`,
//!   and without a timeout the deadlock detector finds the thread waiting for itself);
//! - Event: N waiting threads, one `set()` wakes each exactly once, no polling;
//! - Condition: a consumer waits until a producer makes its condition true and notifies;
//! - Semaphore(k): N threads, never more than k inside at once (and k are, when N ≥ k);
//! - BoundedSemaphore: one release too many raises ValueError (a plain Semaphore just grows);
//! - Timer: fires after its interval (how late is measured); a cancelled Timer never runs.

use super::claims::{claim, count_lines, finished, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::cancel;
use crate::engine::lock;
use crate::engine::primitives::{AcquireError, Condition, Event, Lock, Semaphore, Timer};
use crate::engine::sync::sleep_ms;
use crate::engine::thread;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct Primitives;

/// The shortest pause (after scaling) the main thread leaves for waiters to start waiting.
const MIN_SETTLE_MS: f64 = 20.0;

const PYTHON: &str = r#"import threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
N = {threads}
HOLD = {hold_ms} / 1000 * SCALE

# 1. RLock: its holder may take it again. Lock: its holder blocks itself.
rlock = threading.RLock()
with rlock:
    with rlock:
        print("re-entered the RLock")
lock = threading.Lock()
lock.acquire()
print(lock.acquire(timeout=HOLD))  # False after HOLD; lock.acquire() would hang forever
lock.release()

# 2. Event: N threads wait; one set() wakes them all, no polling.
ready = threading.Event()
POLL = {poll_ms} / 1000 * SCALE   # 0: wait on the Event; otherwise poll a flag this often
def waiter():
    if POLL:
        while not ready.is_set():  # polling: wakes again and again, and notices late
            time.sleep(POLL)
    else:
        ready.wait()               # sleeps until set(): one wake-up, at once
    print("woke")
waiters = [threading.Thread(target=waiter) for _ in range(N)]
for t in waiters: t.start()
time.sleep(HOLD)
ready.set()
for t in waiters: t.join()

# 3. Condition: the consumer waits until the producer makes its condition true.
cond = threading.Condition()
box = []
def consume():
    with cond:
        while not box:
            cond.wait()
        print("got", box[0])
def produce():
    time.sleep(HOLD)
    with cond:
        box.append(42)
        cond.notify()

# 4. Semaphore: at most {permits} threads inside at once.
slots = threading.Semaphore({permits})
def use_slot():
    with slots:
        time.sleep(HOLD)
users = [threading.Thread(target=use_slot) for _ in range(N)]

# 5. BoundedSemaphore: one release too many is an error.
bounded = threading.BoundedSemaphore({permits})
bounded.acquire(); bounded.release()
try:
    bounded.release()
except ValueError as e:
    print(e)                         # Semaphore released too many times

# 6. Timer: runs a function once, after an interval, on its own thread.
INTERVAL = {timer_ms} / 1000 * SCALE
fires = threading.Timer(INTERVAL, lambda: print("fired"))
never = threading.Timer(INTERVAL, lambda: print("never printed"))
fires.start(); never.start()
time.sleep(INTERVAL / 2)
never.cancel()
fires.join(); never.join()
"#;

impl Lesson for Primitives {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("hold_ms", 100), ("timer_ms", 100)],
            gil: true,
            claim: |run| {
                finished(run)?;
                for line in [
                    "re-entered the RLock",
                    "Semaphore released too many times",
                    "fired",
                ] {
                    claim(count_lines(run, line) == 1, || {
                        format!("{line:?} missing from {:?}", run.stdout)
                    })?;
                }
                claim(count_lines(run, "woke") == 5, || {
                    format!("not every waiter woke once: {:?}", run.stdout)
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "primitives",
            title: "Synchronization primitives",
            group: "Synchronization",
            curriculum_row: 18,
            engine: EngineKind::Threads,
            summary: "The threading module's tools, each in a small real example. An RLock can be taken \
                again by the thread that holds it; a plain Lock cannot — its holder blocks itself (here \
                acquire(timeout) shows the wait, and the playground's detector finds the thread waiting for \
                itself). An Event wakes every waiting thread at once, each exactly once: no polling. A \
                Condition lets a thread sleep until another makes something true. A Semaphore(k) lets at most \
                k threads in at a time — count the 'holding' bars on the timeline. A BoundedSemaphore refuses \
                one release too many. A Timer runs a function later on its own thread, unless cancelled.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "threads",
                    "Threads (N)",
                    1,
                    16,
                    5,
                    "How many threads wait on the Event and go through the Semaphore.",
                ),
                ParamSpec::int("permits", "Semaphore permits (k)", 1, 8, 2, "How many may hold the Semaphore at once."),
                ParamSpec::int(
                    "hold_ms",
                    "Hold / wait (ms)",
                    10,
                    3000,
                    500,
                    "How long a thread holds a Semaphore slot; also the Lock's timeout and the delay before \
                     set() and notify().",
                ),
                ParamSpec::int("timer_ms", "Timer interval (ms)", 10, 5000, 1000, "When the Timer fires."),
                ParamSpec::int(
                    "poll_ms",
                    "Poll instead of Event (ms, 0 = Event)",
                    0,
                    2000,
                    0,
                    "0: the waiters block on the Event. Otherwise they poll a flag this often instead.",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        1 + (params.get("threads") as usize).max(2)
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }
}
