//! Lesson "Processes do not share memory" (curriculum row 6).
//!
//! The counter program again, with processes. Each child increments the global `COUNTER` — its own copy,
//! in its own memory — and puts its result on a queue to the parent. The parent's `COUNTER` stays 0; the
//! total exists only because the children sent it.

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use super::report::{self, Report};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct ProcessCounter;

const PYTHON: &str = r#"from multiprocessing import Process, Queue, current_process

N_PROCESSES = {processes}
INCREMENTS = {increments}
counter = 0                      # every process gets its own copy of this

def work(n, q):
    global counter
    for _ in range(n):
        counter += 1             # changes this process's copy only
    q.put((current_process().name, counter))

if __name__ == "__main__":
    for run in range({repeats}):
        q = Queue()
        procs = [Process(target=work, args=(INCREMENTS, q)) for _ in range(N_PROCESSES)]
        for p in procs: p.start()
        results = [q.get() for _ in procs]   # the only way data comes back
        for p in procs: p.join()
        print("parent's counter:", counter)  # still 0
        print("total from messages:", sum(count for _, count in results))
"#;

impl Lesson for ProcessCounter {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("processes", 2), ("increments", 2000), ("repeats", 1)],
            gil: true,
            claim: |run| {
                claim(number_after(run, "parent's counter:")? == 0.0, || {
                    "the parent's counter changed".into()
                })?;
                let total = number_after(run, "total from messages:")?;
                claim(total == 4000.0, || {
                    format!("the children's counts add up to {total}, not 4000")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "process-counter",
            title: "Processes do not share memory",
            group: "Processes",
            curriculum_row: 6,
            engine: EngineKind::Processes,
            summary: "The counter program with processes instead of threads. Each process is a separate \
                WebAssembly instance in its own worker, with its own memory: it increments its own copy of \
                the global counter. The parent's counter stays 0. The only way the counts come back is a \
                message on a queue — and starting each process has a visible cost.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("processes", "Processes", 1, 16, 4, "How many child processes (1–16)."),
                ParamSpec::int(
                    "increments",
                    "Increments per process",
                    1,
                    10_000_000,
                    1_000_000,
                    "How many times each process adds 1 to its own counter.",
                ),
                ParamSpec::int("repeats", "Runs", 1, 10, 3, "Repeat to see the spread of start costs and times."),
            ],
        }
    }

    fn threads_needed(&self, _params: &Params) -> usize {
        0
    }

    fn parent(&self, params: &Params) -> Option<Box<dyn ParentProgram>> {
        Some(Box::new(Parent::new(params)))
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        match (entry, args["increments"].as_u64()) {
            ("count", Some(n)) => count_child(n.min(10_000_000), ctx),
            _ => {
                trace::print(format!("unknown child program {entry:?}"));
                2
            }
        }
    }
}
