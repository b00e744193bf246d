//! Lesson "The GIL" (curriculum row 11).
//!
//! Two CPU-bound tasks run sequentially, on 2 threads and on 2 processes; two I/O-bound tasks (sleeps) run
//! sequentially and on 2 threads. The threads run twice: under the emulated global interpreter lock
//! ([`crate::engine::gil`], CPython's switch-interval hand-off) and free-threaded. Each process has its own
//! interpreter, so its own GIL, which nobody else wants.
//!
//! The CPU-bound task is a fixed amount of work (calibrated once, never timed against the clock), with a
//! switch point per unit of work, as CPython's eval breaker is polled at every loop iteration.

use super::claims::{claim, finished, median_ratio, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, units_per_ms};
use super::report::{self, Report};
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::gil::{self, GilStats, Interpreter};
use crate::engine::process::ChildContext;
use crate::engine::{bridge, sync, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct Gil;

/// Value of `python` that runs both builds side by side.
const BOTH: i64 = 2;

const PYTHON_CHOICE: ParamSpec = ParamSpec::choice(
    "python",
    "Python build",
    &[
        (BOTH, "both, side by side"),
        (gil::WITH_GIL, "CPython (with GIL)"),
        (gil::FREE_THREADED, "free-threaded (3.13t)"),
    ],
    BOTH,
    "Which interpreter the threads run under. Processes and the sequential run are the same in both.",
);

const PYTHON: &str = r#"import threading, multiprocessing, time
# Python build: {python}
import sys; sys.setswitchinterval({switch_interval_ms} / 1000)   # CPython's default: 0.005

N = {cpu_ms} * 8_000                 # about {cpu_ms} ms of work in CPython

def cpu_task():                      # pure-Python arithmetic: CPU-bound
    x = 0
    for i in range(N):               # each iteration passes a switch point
        x = (x * 31 + i) % 1_000_003

def io_task():
    time.sleep({io_ms} / 1000)       # releases the GIL while it waits

def timed(label, run):
    start = time.perf_counter(); run()
    print(f"{label}: {(time.perf_counter() - start) * 1000:.0f} ms")

def on_threads(task):
    ts = [threading.Thread(target=task) for _ in range(2)]
    for t in ts: t.start()
    for t in ts: t.join()

def on_processes(task):
    ps = [multiprocessing.Process(target=task) for _ in range(2)]
    for p in ps: p.start()
    for p in ps: p.join()

if __name__ == "__main__":           # each process runs this file again: only the parent times
    for _ in range({repeats}):
        timed("CPU, sequential", lambda: (cpu_task(), cpu_task()))
        timed("CPU, 2 threads", lambda: on_threads(cpu_task))
        timed("CPU, 2 processes", lambda: on_processes(cpu_task))
        timed("I/O, sequential", lambda: (io_task(), io_task()))
        timed("I/O, 2 threads", lambda: on_threads(io_task))
"#;

/// The most CPU work one task may ask for, so a whole run stays well under a minute.
const MAX_CPU_MS: i64 = 2000;

/// Medians (and every sample) of one way of running the two tasks.

impl Lesson for Gil {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            // Three repeats: each claim is the median of its three ratios, not one noisy pair.
            params: &[("cpu_ms", 20), ("io_ms", 100), ("repeats", 3)],
            gil: true,
            claim: |run| {
                finished(run)?;
                number_after(run, "CPU, 2 processes:")?;
                let cpu = median_ratio(run, "CPU, 2 threads:", "CPU, sequential:")?;
                let io = median_ratio(run, "I/O, 2 threads:", "I/O, sequential:")?;
                claim(cpu > 0.7, || {
                    format!("under the GIL 2 CPU-bound threads took {cpu:.2}× the sequential time (median of the repeats)")
                })?;
                claim(io < 0.75, || {
                    format!("2 sleeping threads took {io:.2}× the sequential time (median of the repeats)")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "gil",
            title: "The GIL: CPU-bound and I/O-bound threads",
            group: "Choosing an approach",
            curriculum_row: 11,
            engine: EngineKind::Threads,
            summary: "CPython's global interpreter lock lets one thread run Python code at a time. A thread \
                that wants it waits one switch interval (5 ms), then asks the holder to drop it at its next \
                switch point; waits such as sleep and I/O release it. So two CPU-bound threads take turns and \
                finish no sooner than one thread doing both tasks, while two processes — each with its own \
                interpreter and GIL — use two cores, and I/O-bound threads still overlap. Free-threaded \
                Python (3.13t) has no GIL: its threads run in parallel. Here the lock is an emulation built \
                like CPython's; the threads, cores and waits are real.",
            python: PYTHON,
            params: vec![
                PYTHON_CHOICE,
                gil::SWITCH_INTERVAL,
                ParamSpec::int(
                    "cpu_ms",
                    "CPU task (ms on one core)",
                    10,
                    MAX_CPU_MS,
                    240,
                    "How long one CPU-bound task runs alone (calibrated, then a fixed amount of work).",
                ),
                ParamSpec::int("io_ms", "I/O task (ms)", 1, 2000, 200, "How long one I/O-bound task waits."),
                ParamSpec::int("repeats", "Repeats", 1, 9, 3, "Repeat every measurement to see the spread."),
            ],
        }
    }

    fn threads_needed(&self, _params: &Params) -> usize {
        // The main thread and the two threads of one measurement.
        3
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        match (
            entry,
            args["units"].as_u64(),
            args["switch_interval_ms"].as_i64(),
        ) {
            ("cpu", Some(units), Some(switch_ms)) => {
                // A process is a new interpreter with a GIL of its own.
                let interpreter = Interpreter::from_params(gil::WITH_GIL, switch_ms);
                let (sum, _) = gil::run_with(interpreter, || cpu_task(units.min(1 << 40)));
                ctx.send(sum.to_string());
                0
            }
            _ => {
                trace::print(format!("no child program {entry:?} with arguments {args}"));
                2
            }
        }
    }
}
