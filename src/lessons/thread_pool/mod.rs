//! Lesson "Thread pool" (curriculum row 14).
//!
//! `ThreadPoolExecutor(max_workers=M)` with T tasks: the tasks queue onto M reused worker threads (the
//! timeline's lanes), each task's start, end and worker are recorded. Part 1 submits every task and asks
//! each future for its `result()`: one task raises, and its exception reaches the caller only there.
//! Part 2 uses `map`, whose results come back in input order although the tasks (of varying length)
//! finish out of order.

use super::claims::{claim, count_lines, finished, PythonCheck};
use super::question::{Answer, Question};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Chart, Report, Series};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::executor::Executor;
use crate::engine::lock;
use crate::engine::sync::sleep_ms;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct ThreadPool;

/// Task durations cycle through these factors of `task_ms`, so tasks in one wave finish in reverse order.
pub const FACTORS: [f64; 3] = [1.3, 1.0, 0.7];
/// The longest a run may take (both parts, estimated) at the chosen time scale.
pub const MAX_RUN_MS: f64 = 60_000.0;

const PYTHON: &str = r#"from concurrent.futures import ThreadPoolExecutor
import threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
TASK = {task_ms} / 1000 * SCALE
FAIL = {fail_task}             # this task raises; 0 = none

def task(i):
    time.sleep(TASK * (1.3, 1.0, 0.7)[(i - 1) % 3])   # lengths vary: tasks finish out of order
    print(f"task {i} done on {threading.current_thread().name}")
    if i == FAIL:
        raise ValueError(f"task {i} failed")
    return i * i

with ThreadPoolExecutor(max_workers={max_workers}) as pool:
    # 1. submit returns a future at once; the tasks queue onto the workers.
    futures = [pool.submit(task, i) for i in range(1, {tasks} + 1)]
    for i, future in enumerate(futures, 1):
        try:
            print(i, future.result())   # blocks until task i is done
        except ValueError as e:         # the task's exception is raised here, in the caller
            print(i, "raised", e)

    # 2. map: results in input order, whatever order the tasks finish in.
    FAIL = 0
    print(list(pool.map(task, range(1, {tasks} + 1))))
"#;

impl Lesson for ThreadPool {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("task_ms", 100)],
            gil: true,
            claim: |run| {
                finished(run)?;
                claim(count_lines(run, "3 raised task 3 failed") == 1, || {
                    format!(
                        "the failing task's exception did not reach its future: {:?}",
                        run.stdout
                    )
                })?;
                claim(
                    run.stdout.last().map(String::as_str) == Some("[1, 4, 9, 16, 25, 36, 49, 64]"),
                    || format!("map's results: {:?}", run.stdout.last()),
                )
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "thread-pool",
            title: "Thread pool",
            group: "Threads",
            curriculum_row: 14,
            engine: EngineKind::Threads,
            summary: "A ThreadPoolExecutor starts a few worker threads once and feeds them tasks from a \
                queue: with M workers, T tasks run in about ⌈T/M⌉ waves, never more than M at a time. The \
                timeline's lanes are the worker threads; each bar is a task. `submit` returns a future at \
                once; an exception raised inside a task is kept in its future and reaches your code only \
                when you call `result()`. `map` hands back results in the order of its input, even though \
                tasks of different lengths finish in another order.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("max_workers", "Workers (max_workers)", 1, 16, 3, "Threads in the pool."),
                ParamSpec::int("tasks", "Tasks", 1, 64, 8, "How many tasks each part submits."),
                ParamSpec::int(
                    "task_ms",
                    "Task length (ms)",
                    10,
                    5000,
                    500,
                    "A task sleeps 1.3×, 1.0× or 0.7× this long, in turn.",
                ),
                ParamSpec::int(
                    "fail_task",
                    "Failing task (0 = none)",
                    0,
                    64,
                    3,
                    "This task raises ValueError in part 1.",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let tasks = params.get("tasks");
        if params.get("fail_task") > tasks {
            notices.push(format!(
                "There are only {tasks} tasks; task {tasks} fails instead of task {}.",
                params.get("fail_task")
            ));
            params.set("fail_task", tasks);
        }
        let waves = (tasks + params.get("max_workers") - 1) / params.get("max_workers");
        let scale = Scale::of(params).0;
        let estimate = 2.0 * waves as f64 * 1.3 * params.get("task_ms") as f64 * scale;
        if estimate > MAX_RUN_MS {
            let capped = ((MAX_RUN_MS / (2.0 * waves as f64 * 1.3 * scale)) as i64).max(10);
            notices.push(format!(
                "{tasks} tasks on {} workers of {} ms each would take about {}; using {capped} ms tasks.",
                params.get("max_workers"),
                params.get("task_ms"),
                report::ms(estimate)
            ));
            params.set("task_ms", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        1 + params.get("max_workers") as usize
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }
}
