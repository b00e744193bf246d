//! Lesson "Deadlock" (curriculum row 13).
//!
//! Two threads take `lock_a` and `lock_b` in opposite order, each holding its first lock for a while, so
//! each ends up waiting for the lock the other holds. The waits are real (both threads are blocked); the
//! engine's detector finds the wait-for cycle and makes one thread give up, so the run recovers where
//! Python would hang. Then the two usual fixes run to completion: one global lock order, and
//! `acquire(timeout=…)` with a back-off and a retry.

use super::claims::{claim, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::deadlock::{CycleEdge, Deadlock};
use crate::engine::primitives::{AcquireError, Lock};
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

pub struct DeadlockLesson;

/// The shortest hold (after scaling) that still lets both threads take their first lock before either
/// wants its second, so the cycle really forms.
pub const MIN_SCALED_HOLD_MS: f64 = 20.0;
/// The timeout-and-retry fix gives up after this many attempts (it never needs many: see the report).
pub const MAX_ATTEMPTS: u32 = 20;

/// The runs parameter `strategy` selects: 0 = all three, 1 = the opposite order only, 2 = one lock order
/// only, 3 = timeout and retry only, 4 = the opposite order with RLocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runs {
    /// The opposite orders; `Some(true)` with RLocks.
    pub opposite: Option<bool>,
    pub lock_order: bool,
    pub timeout_retry: bool,
}

impl Runs {
    pub fn selected(strategy: i64) -> Runs {
        Runs {
            opposite: matches!(strategy, 0 | 1 | 4).then_some(strategy == 4),
            lock_order: matches!(strategy, 0 | 2),
            timeout_retry: matches!(strategy, 0 | 3),
        }
    }
}

const PYTHON: &str = r#"import random, threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
HOLD = {hold_ms} / 1000 * SCALE
STRATEGY = {strategy}          # 0 = all three runs; 1, 2, 3 = only that one; 4 = run 1 with RLocks
Lock = threading.RLock if STRATEGY == 4 else threading.Lock
lock_a = Lock()
lock_b = Lock()

def transfer(first, second):
    with first:
        time.sleep(HOLD)        # hold the first lock while the other thread takes its own
        with second:            # each now waits for the lock the other holds
            print("moved")

def run_pair(target, args1, args2):
    t1 = threading.Thread(target=target, args=args1)
    t2 = threading.Thread(target=target, args=args2)
    t1.start(); t2.start()
    t1.join(); t2.join()

# 1. Opposite order: Python hangs here forever. (The playground's detector finds
#    the cycle and makes one thread give up, so the page can go on.)
if STRATEGY in (0, 1, 4):
    run_pair(transfer, (lock_a, lock_b), (lock_b, lock_a))

# 2. Fix: one global order. Every thread takes lock_a before lock_b.
if STRATEGY in (0, 2):
    run_pair(transfer, (lock_a, lock_b), (lock_a, lock_b))

# 3. Fix: wait for the second lock with a timeout; if it does not come, let go
#    of the first, back off a random while, and retry.
def transfer_with_timeout(first, second):
    while True:
        with first:
            time.sleep(HOLD)
            if second.acquire(timeout=HOLD):
                try:
                    print("moved")
                    return
                finally:
                    second.release()
        time.sleep(random.uniform(0, HOLD))

if STRATEGY in (0, 3):
    run_pair(transfer_with_timeout, (lock_a, lock_b), (lock_b, lock_a))
"#;

impl Lesson for DeadlockLesson {
    fn python_check(&self) -> PythonCheck {
        // The opposite lock orders (strategy 0): the cycle forms and is reported.
        PythonCheck::Runs {
            params: &[("hold_ms", 50), ("strategy", 0)],
            gil: true,
            claim: |run| {
                claim(run.deadlock, || {
                    format!("no deadlock was reported: {:?}", run.stdout)
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "deadlock",
            title: "Deadlock",
            group: "Synchronization",
            curriculum_row: 13,
            engine: EngineKind::Threads,
            summary: "Two threads need the same two locks but take them in opposite order. Each takes its \
                first lock and holds it for a moment; then each waits for the lock the other holds, and \
                neither can ever go on. The waits here are real: both threads are blocked. Python would hang \
                forever; the playground keeps a wait-for graph of its locks, finds the cycle, shows who holds \
                what and who waits for what, and makes one thread give up so the run can finish. Then the two \
                usual fixes run: one global lock order (every thread takes lock_a first), and a timeout with \
                a random back-off and a retry.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "hold_ms",
                    "Hold the first lock (ms)",
                    20,
                    2000,
                    100,
                    "How long each thread works with its first lock before it wants the second.",
                ),
                common::TIME_SCALE,
                ParamSpec::choice(
                    "strategy",
                    "Which runs",
                    &[
                        (0, "all three"),
                        (1, "opposite order only"),
                        (2, "one lock order only"),
                        (3, "timeout and retry only"),
                        (4, "opposite order with RLocks"),
                    ],
                    0,
                    "Run all three parts, or only one (4: the opposite order with RLocks).",
                ),
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let scale = Scale::of(params);
        let hold = params.get("hold_ms");
        if scale.ms(hold as f64) < MIN_SCALED_HOLD_MS {
            let needed = (MIN_SCALED_HOLD_MS / scale.0).ceil() as i64;
            notices.push(format!(
                "At a time scale of {} %, a hold of {hold} ms is too short for both threads to take their \
                 first lock; using {needed} ms.",
                params.get("time_scale")
            ));
            params.set("hold_ms", needed);
        }
    }

    fn threads_needed(&self, _params: &Params) -> usize {
        3
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }
}
