//! Lesson "Processes start and join" (curriculum row 3).
//!
//! The threads program again with `multiprocessing.Process`: N processes each print, really sleep and
//! print again; the parent joins them all. Each process is a new worker with its own memory and its own
//! instance of the module, so starting one has a cost the learner can see: the parent measures, for each
//! child, the time from `start()` to the child's first instruction. The total is about one wait plus
//! those start costs — not N waits, because the processes run at the same time.
//!
//! The parent is event-driven (it reacts to its children's messages and exits), so the lesson runs on a
//! page without cross-origin isolation too.

use super::claims::{claim, count_lines, finished, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::common::{Scale, TIME_SCALE};
use super::report::{self, Report};
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::sync::sleep_ms;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct ProcessesJoin;

const PYTHON: &str = r#"from multiprocessing import Process, current_process
import time

N_PROCESSES = {processes}
SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
WAIT = {wait_ms} / 1000 * SCALE

def worker():
    name = current_process().name
    print(f"{name}: starting")
    time.sleep(WAIT)
    print(f"{name}: finishing")

if __name__ == "__main__":
    start = time.perf_counter()
    procs = [Process(target=worker) for _ in range(N_PROCESSES)]
    for p in procs: p.start()
    for p in procs: p.join()
    print(f"total: {time.perf_counter() - start:.2f} s")
"#;

impl Lesson for ProcessesJoin {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("processes", 3), ("wait_ms", 300)],
            gil: true,
            claim: |run| {
                finished(run)?;
                for n in 1..=3 {
                    claim(
                        count_lines(run, &format!("Process-{n}: finishing")) == 1,
                        || format!("Process-{n} did not finish: {:?}", run.stdout),
                    )?;
                }
                number_after(run, "total:").map(drop)
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "processes-join",
            title: "Processes start and join",
            group: "Processes",
            curriculum_row: 3,
            engine: EngineKind::Processes,
            summary: "The same program with multiprocessing.Process. Each process is a separate program with \
                its own memory, here a new worker running its own instance of the module. They sleep at the \
                same time, so the total is about one wait — plus the visible cost of starting each process, \
                measured from start() to its first instruction.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("processes", "Processes", 1, 16, 3, "How many processes to start (1–16)."),
                ParamSpec::int(
                    "wait_ms",
                    "Sleep per process (ms)",
                    10,
                    10_000,
                    2000,
                    "How long each process sleeps, at 100 % time scale.",
                ),
                TIME_SCALE,
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
        match (entry, args["wait_ms"].as_f64()) {
            ("work", Some(ms)) => work_child(ms.clamp(0.0, MAX_WAIT_MS), ctx),
            _ => {
                trace::print(format!("unknown child program {entry:?}"));
                2
            }
        }
    }
}
