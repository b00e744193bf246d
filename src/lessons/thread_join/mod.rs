//! Lessons "Threads start and join" (curriculum row 1) and "A Thread subclass" (row 2).
//!
//! N threads each print, really sleep (a blocking timed wait on their own worker) and print again; the
//! main thread joins them all. Then the main thread does the same work itself, one task after another.
//! The two lessons run the same engine; they differ in how the Python program makes its threads (a
//! `target` function, or a `Thread` subclass overriding `run()`), and so in the threads' names.

use super::claims::{claim, count_lines, number_after, ProgramRun, PythonCheck};
use crate::engine::names::thread_name;
use serde::Serialize;
use serde_json::Value;

use super::common::{Scale, TIME_SCALE};
use super::question::{self, choice, Answer, Question};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
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

/// `threading.Thread(target=worker)`, started and joined.
pub struct ThreadsJoin;

/// `class Worker(threading.Thread)` overriding `run()`.
pub struct ThreadSubclass;

/// How the Python program makes its threads, which decides their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `Thread(target=worker)`: Python 3.10+ names it "Thread-N (worker)".
    Target,
    /// `Worker(n)`, whose `__init__` passes `name=f"Worker-{n}"`.
    Subclass,
}

impl Style {
    pub fn thread_name(self, n: u64) -> String {
        match self {
            Style::Target => thread_name(n, "worker"),
            Style::Subclass => format!("Worker-{n}"),
        }
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "threads",
            "Threads",
            1,
            16,
            3,
            "How many threads to start (1–16).",
        ),
        ParamSpec::int(
            "wait_ms",
            "Sleep per thread (ms)",
            10,
            10_000,
            2000,
            "How long each thread sleeps, at 100 % time scale.",
        ),
        TIME_SCALE,
    ]
}

const PYTHON_TARGET: &str = r#"import threading, time

N_THREADS = {threads}
SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
WAIT = {wait_ms} / 1000 * SCALE

def worker():
    name = threading.current_thread().name
    print(f"{name}: starting")
    time.sleep(WAIT)
    print(f"{name}: finishing")

start = time.perf_counter()
threads = [threading.Thread(target=worker) for _ in range(N_THREADS)]
for t in threads: t.start()
for t in threads: t.join()
print(f"threads: {time.perf_counter() - start:.2f} s")

start = time.perf_counter()
for _ in range(N_THREADS):
    worker()                     # the same work, one after another
print(f"sequential: {time.perf_counter() - start:.2f} s")
"#;

const PYTHON_SUBCLASS: &str = r#"import threading, time

N_THREADS = {threads}
SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
WAIT = {wait_ms} / 1000 * SCALE

class Worker(threading.Thread):
    def __init__(self, number):
        super().__init__(name=f"Worker-{number}")

    def run(self):                # what start() runs on the new thread
        name = threading.current_thread().name
        print(f"{name}: starting")
        time.sleep(WAIT)
        print(f"{name}: finishing")

workers = [Worker(n) for n in range(1, N_THREADS + 1)]
start = time.perf_counter()
for w in workers: w.start()
for w in workers: w.join()
print(f"threads: {time.perf_counter() - start:.2f} s")

start = time.perf_counter()
for w in workers:
    w.run()                       # run() without start(): runs on the main thread
print(f"sequential: {time.perf_counter() - start:.2f} s")
"#;

/// Both lessons' claim: 3 threads of 0.3 s sleeps take about one sleep; one after another, all three.
fn sleeps_overlap(run: &ProgramRun) -> Result<(), String> {
    let threads = number_after(run, "threads:")?;
    let sequential = number_after(run, "sequential:")?;
    claim(threads < 0.45 && sequential >= 0.85, || {
        format!("3 threads of 0.3 s took {threads} s, one after another {sequential} s")
    })
}

impl Lesson for ThreadsJoin {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("threads", 3), ("wait_ms", 300)],
            gil: true,
            claim: sleeps_overlap,
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(TOTAL_QUESTION),
            id: "threads-join",
            title: "Threads start and join",
            group: "Threads",
            curriculum_row: 1,
            engine: EngineKind::Threads,
            summary: "Three threads each print, sleep and print again; the main thread waits for all of them \
                with join(). Each sleep really blocks its thread, and while one thread waits the others run: \
                the waits overlap, so three 2-second sleeps take about 2 seconds, not 6. The output of the \
                threads interleaves. Beside it, the main thread does the same work alone, one task after \
                another.",
            python: PYTHON_TARGET,
            params: params(),
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("threads") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run_lesson(Style::Target, params)
    }
}

impl Lesson for ThreadSubclass {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("threads", 3), ("wait_ms", 300)],
            gil: true,
            claim: |run| {
                sleeps_overlap(run)?;
                claim(count_lines(run, "Worker-3: finishing") == 1, || {
                    format!(
                        "the threads are not named after their class: {:?}",
                        run.stdout
                    )
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(NAMES_QUESTION),
            id: "thread-subclass",
            title: "A Thread subclass",
            group: "Threads",
            curriculum_row: 2,
            engine: EngineKind::Threads,
            summary: "The same program written as a class: Worker extends threading.Thread and overrides \
                run(), which start() runs on the new thread. The threads are named by the class (Worker-1, \
                Worker-2, …) and the result is the same: the sleeps overlap. Calling run() directly, \
                without start(), runs it on the main thread — that is the sequential run beside it.",
            python: PYTHON_SUBCLASS,
            params: params(),
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("threads") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run_lesson(Style::Subclass, params)
    }
}
