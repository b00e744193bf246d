//! Lesson "Threads vs processes vs asyncio" (curriculum row 20).
//!
//! One table of the three approaches, every number measured on this machine in this run: what it costs to
//! start one, what one costs in memory, how they share data, and how fast each does K waits (I/O-bound)
//! and K pieces of computation (CPU-bound).

use super::claims::{claim, finished, number_after, PythonCheck};
use super::question::{self, choice, Answer, Best, Question};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Report};
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::bridge::{self, ChildProcess};
use crate::engine::event_loop::{self, EventLoop};
use crate::engine::process::ChildContext;
use crate::engine::{sync, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod child;
mod reporting;
mod run;
#[cfg(test)]
mod tests;

use child::*;
pub use reporting::*;
pub use run::*;

pub struct Compare;

/// Samples of the start-and-join cost of an empty thread; each times this many threads started and joined
/// one after another, because one alone takes about as long as the clock's resolution (5 µs).
pub const THREAD_SAMPLES: usize = 7;
pub const THREADS_PER_SAMPLE: usize = 10;
/// Samples of an empty process.
pub const PROCESS_SAMPLES: usize = 3;
/// Batches of empty event-loop tasks, and tasks per batch (one task is too quick for the clock).
pub const TASK_BATCHES: usize = 5;
pub const TASKS_PER_BATCH: usize = 1000;
/// The stack each thread worker gets in the shared memory: wasm-bindgen's default (1 << 21 bytes).
pub const THREAD_STACK_BYTES: f64 = 2.0 * 1024.0 * 1024.0;
/// How long the parent waits for a child beyond its work before giving up on it.
const CHILD_GRACE_MS: f64 = 60_000.0;

const PYTHON: &str = r#"import asyncio, threading, time
from multiprocessing import Process

K = {tasks}
SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
WAIT = {wait_ms} / 1000 * SCALE      # one I/O-bound task: a wait
WORK_MS = {work_ms}                  # one CPU-bound task: this much computation

def spin(units):                     # pure computation: needs a core all the time
    return sum(i * i for i in range(units))

def calibrate(ms):                   # how many units of spin() take about `ms` on one core
    def seconds(units):
        start = time.perf_counter(); spin(units); return time.perf_counter() - start
    best = min(seconds(50_000) for _ in range(3))   # the best of three: the first runs colder
    return max(1, int(50_000 * ms / 1000 / best))

def empty(): pass
def io_task(): time.sleep(WAIT)
def cpu_task(units): spin(units)     # about WORK_MS of computation on one core

async def aio_empty(): pass
async def aio_io(): await asyncio.sleep(WAIT)
async def aio_cpu(units): spin(units)  # never awaits: the loop runs them one by one

def on_threads(task, n, *args):
    threads = [threading.Thread(target=task, args=args) for _ in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()

def on_processes(task, n, *args):
    procs = [Process(target=task, args=args) for _ in range(n)]
    for p in procs: p.start()
    for p in procs: p.join()

def on_event_loop(task, n, *args):   # n tasks on one event loop, on this thread
    async def main(): await asyncio.gather(*(task(*args) for _ in range(n)))
    asyncio.run(main())

def timed(label, run, task, n, *args):
    start = time.perf_counter()
    run(task, n, *args)
    print(f"{label}: {time.perf_counter() - start:.3f} s")

if __name__ == "__main__":      # each process imports this file again: only the parent runs what follows
    units = calibrate(WORK_MS)
    for name, run, (nothing, wait, compute) in [
            ("threads", on_threads, (empty, io_task, cpu_task)),
            ("processes", on_processes, (empty, io_task, cpu_task)),
            ("asyncio", on_event_loop, (aio_empty, aio_io, aio_cpu))]:
        timed(f"start one, {name}", run, nothing, 1)
        timed(f"{K} waits, {name}", run, wait, K)
        timed(f"{K} computations, {name}", run, compute, K, units)
"#;

impl Lesson for Compare {
    fn python_check(&self) -> PythonCheck {
        // Three waits of 0.2 s overlap on threads and on the event loop; the event loop runs
        // computations one by one, so it is no faster than threads (free-threaded here, as the lesson).
        PythonCheck::Runs {
            params: &[
                ("tasks", 3),
                ("wait_ms", 200),
                ("work_ms", 10),
                ("time_scale", 100),
            ],
            gil: false,
            claim: |run| {
                finished(run)?;
                for way in ["threads", "processes", "asyncio"] {
                    number_after(run, &format!("start one, {way}:"))?;
                    number_after(run, &format!("3 waits, {way}:"))?;
                }
                // Processes overlap their waits too, but each starts an interpreter first.
                for way in ["threads", "asyncio"] {
                    let waits = number_after(run, &format!("3 waits, {way}:"))?;
                    claim(waits < 0.5, || {
                        format!(
                            "three waits of 0.2 s on {way} took {waits} s: they did not overlap"
                        )
                    })?;
                }
                let threads = number_after(run, "3 computations, threads:")?;
                let event_loop = number_after(run, "3 computations, asyncio:")?;
                number_after(run, "3 computations, processes:")?;
                claim(event_loop > 0.75 * threads, || {
                    format!("3 computations took {event_loop} s on the event loop, {threads} s on threads")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "compare",
            title: "Threads vs processes vs asyncio",
            group: "Choosing an approach",
            curriculum_row: 20,
            engine: EngineKind::Threads,
            summary: "One table of the three approaches, filled from measurements taken in this run on your \
                machine: the cost of starting one, the memory one takes, how they share data, and how long \
                K waits (I/O-bound) and K pieces of computation (CPU-bound) take on each. Waits overlap on \
                all three; computation runs in parallel only on threads and processes — and threads here run \
                like free-threaded Python, without a GIL.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("tasks", "Tasks (K)", 1, 16, 4, "How many waits and how many CPU tasks each approach runs."),
                ParamSpec::int(
                    "wait_ms",
                    "Wait per I/O task (ms)",
                    10,
                    5000,
                    1000,
                    "How long one I/O-bound task waits, at 100 % time scale.",
                ),
                ParamSpec::int(
                    "work_ms",
                    "Work per CPU task (ms)",
                    10,
                    2000,
                    300,
                    "About how long one CPU-bound task computes on one core (calibrated at the start of the run; not scaled).",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("tasks") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        child_program(entry, args, ctx)
    }
}
