//! Lesson "Join with a timeout; daemon threads" (curriculum row 4).
//!
//! A worker thread sleeps longer than the main thread is willing to wait: `join(timeout)` returns after
//! the timeout while `is_alive()` is still true. A daemon thread loops forever. When the main program
//! ends, Python's exit joins every non-daemon thread (so the program still waits for the worker) and
//! then simply abandons the daemon.
//!
//! CPython's daemon dies with the process. Ours runs on a pool worker that the next run reuses, so the
//! lesson plays the interpreter's exit itself: once the non-daemon threads are joined, it records that the
//! daemon was still alive, sets a stop flag the daemon's sleep watches, and waits for the daemon to end.
//! No worker is left busy after the run.

use super::claims::{claim, finished, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::common::{Scale, TIME_SCALE};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::cancel;
use crate::engine::sync::sleep_ms;
use crate::engine::{lock, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct JoinTimeout;

const PYTHON: &str = r#"import threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time

def work():
    time.sleep({worker_ms} / 1000 * SCALE)
    print("done")

def heartbeat():
    while True:                   # never ends by itself
        print("tick")
        time.sleep({tick_ms} / 1000 * SCALE)

worker = threading.Thread(target=work)
daemon = threading.Thread(target=heartbeat, daemon=True)
worker.start()
daemon.start()

worker.join(timeout={timeout_ms} / 1000 * SCALE)
print("worker alive after join(timeout)?", worker.is_alive())   # True: it timed out
print("daemon alive?", daemon.is_alive())
print("main program ends")
# At exit Python still joins the worker (not a daemon), then drops the daemon.
"#;

impl Lesson for JoinTimeout {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("worker_ms", 600), ("timeout_ms", 200), ("tick_ms", 100)],
            gil: true,
            claim: |run| {
                finished(run)?;
                let at = |text: &str| run.stdout.iter().position(|l| l == text);
                claim(
                    at("worker alive after join(timeout)? True").is_some(),
                    || {
                        format!(
                            "join(timeout) did not return while the worker ran: {:?}",
                            run.stdout
                        )
                    },
                )?;
                claim(at("done") > at("main program ends"), || {
                    format!(
                        "the worker did not finish after the main program: {:?}",
                        run.stdout
                    )
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "join-timeout",
            title: "Join with a timeout; daemon threads",
            group: "Threads",
            curriculum_row: 4,
            engine: EngineKind::Threads,
            summary: "join(timeout) waits at most that long: if the thread is still running, join returns \
                anyway and is_alive() says True — join does not stop a thread. A daemon thread is one the \
                program does not wait for: when the main program ends, Python joins every non-daemon thread \
                (so it still waits for the worker) and abandons the daemon wherever it is. Here the daemon \
                loops forever; watch its lane end at exit.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "worker_ms",
                    "Worker sleeps (ms)",
                    10,
                    10_000,
                    3000,
                    "How long the non-daemon worker sleeps, at 100 % time scale.",
                ),
                ParamSpec::int(
                    "timeout_ms",
                    "join timeout (ms)",
                    10,
                    10_000,
                    1000,
                    "How long join(timeout) waits for the worker. Shorter than its sleep: join returns first.",
                ),
                ParamSpec::int(
                    "tick_ms",
                    "Daemon tick (ms)",
                    10,
                    5000,
                    500,
                    "How often the daemon prints, at 100 % time scale.",
                ),
                TIME_SCALE,
            ],
        }
    }

    /// The main thread, the worker and the daemon.
    fn threads_needed(&self, _params: &Params) -> usize {
        3
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }
}
