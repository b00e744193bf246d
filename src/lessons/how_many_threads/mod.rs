//! Lesson "How many threads?" (curriculum row 12).
//!
//! The same sweep of thread counts (1, 2, 4, … up to a maximum) for two kinds of task:
//! - I/O-bound: T tasks that each really sleep, run on a pool of N threads. Waiting needs no core, so
//!   the time keeps falling as N grows, until there is one thread per task.
//! - CPU-bound: a fixed total amount of calibrated work split into N equal parts on N threads. Past the
//!   number of cores, more threads only take turns: the time stops falling.
//!
//! Amdahl's law is drawn beside the CPU curve, with its parallel fraction fitted to the measured times.

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::common::{cores_of, CORES};
use super::report::{self, Chart, Marker, Report, Series};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::executor::Executor;
use crate::engine::sync::sleep_ms;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct HowManyThreads;

/// The most thread count the sweep may reach (the engine runs at most this many threads at once, plus the
/// main thread).
pub const MAX_THREADS: i64 = 64;
/// The longest the I/O sweep's one-thread run may take at full scale (tasks × wait), in milliseconds.
pub const MAX_IO_TOTAL_MS: i64 = 20_000;

const PYTHON: &str = r#"import concurrent.futures, os, time

SCALE = {time_scale} / 100   # the playground's time scale; 100 = real time
IO_TASKS, IO_WAIT = {io_tasks}, {io_ms} / 1000 * SCALE
CPU_TOTAL_MS = {cpu_ms}      # the CPU-bound job: this long on one thread
CORES = {cores} or os.cpu_count()

def io_task(_):
    time.sleep(IO_WAIT)      # waiting needs no core

def cpu_task(units):
    x = 1
    for _ in range(units):   # pure computation: needs a core all the time
        x = (x * 1103515245 + 12345) % 2**31
    return x

def calibrate(ms):           # how many loop steps take `ms` on one thread (measured once)
    start = time.perf_counter()
    cpu_task(100_000)
    return int(100_000 * ms / 1000 / (time.perf_counter() - start))

UNITS = calibrate(CPU_TOTAL_MS)

def timed(n, fn, items):
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(fn, items))
    return time.perf_counter() - start

n = 1
while n <= {max_threads}:
    io = timed(n, io_task, range(IO_TASKS))
    cpu = min(timed(n, cpu_task, [UNITS // n] * n)    # the same total work, split n ways;
              for _ in range({repeats}))            # best of a few runs, as timeit advises
    print(f"{n:3} threads: I/O {io:.2f} s, CPU {cpu:.2f} s")
    n *= 2
# Under CPython's GIL the CPU-bound time would not fall at all; the playground's threads run in
# parallel, as on free-threaded Python (3.13t), so it falls until the core count.
"#;

impl Lesson for HowManyThreads {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[
                ("max_threads", 4),
                ("io_tasks", 8),
                ("io_ms", 50),
                ("cpu_ms", 50),
                ("repeats", 1),
            ],
            gil: true,
            claim: |run| {
                let one = number_after(run, "1 threads: I/O")?;
                let four = number_after(run, "4 threads: I/O")?;
                claim(four < 0.5 * one, || {
                    format!("I/O on 4 threads took {four} s, on 1 thread {one} s")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "how-many-threads",
            title: "How many threads?",
            group: "Choosing an approach",
            curriculum_row: 12,
            engine: EngineKind::Threads,
            summary: "The same sweep of thread counts for two jobs. An I/O-bound job (tasks that wait) keeps \
                getting faster with more threads, because a waiting thread needs no core. A CPU-bound job \
                (a fixed amount of computation split over the threads) gets faster only up to the number \
                of cores; past it the threads just take turns. Amdahl's law, with its parallel fraction \
                fitted to your measurement, is drawn beside the CPU curve. The threads run in parallel, \
                as on free-threaded Python; under CPython's GIL the CPU curve would stay flat.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "max_threads",
                    "Most threads",
                    1,
                    MAX_THREADS,
                    16,
                    "The sweep runs 1, 2, 4, … threads up to this many (and the core count).",
                ),
                ParamSpec::int("io_tasks", "I/O tasks", 1, 256, 32, "How many waiting tasks the I/O-bound job has."),
                ParamSpec::int("io_ms", "Wait per I/O task (ms)", 1, 2000, 50, "How long each I/O task waits (a real sleep)."),
                ParamSpec::int(
                    "cpu_ms",
                    "CPU job (ms on one thread)",
                    10,
                    5000,
                    500,
                    "The CPU-bound job's size, as the time it takes on one thread (calibrated once per run).",
                ),
                ParamSpec::int(
                    "repeats",
                    "CPU runs per count",
                    1,
                    9,
                    3,
                    "The CPU sweep is repeated; the best run of each count is kept (as timeit advises).",
                ),
                CORES,
                common::TIME_SCALE,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let (tasks, wait) = (params.get("io_tasks"), params.get("io_ms"));
        if tasks * wait > MAX_IO_TOTAL_MS {
            let capped = (MAX_IO_TOTAL_MS / wait).max(1);
            notices.push(format!(
                "{tasks} tasks × {wait} ms is more than {} s of waiting on one thread; using {capped} tasks.",
                MAX_IO_TOTAL_MS / 1000
            ));
            params.set("io_tasks", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("max_threads") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }
}
