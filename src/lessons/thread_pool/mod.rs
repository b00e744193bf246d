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

pub struct ThreadPool;

/// Task durations cycle through these factors of `task_ms`, so tasks in one wave finish in reverse order.
pub const FACTORS: [f64; 3] = [1.3, 1.0, 0.7];
/// The longest a run may take (both parts, estimated) at the chosen time scale.
pub const MAX_RUN_MS: f64 = 60_000.0;

/// When and where one task ran.
#[derive(Serialize, Clone, Debug)]
pub struct TaskRun {
    pub part: &'static str,
    pub task: u32,
    pub worker: String,
    pub start: f64,
    pub end: f64,
    pub failed: bool,
}

type Log = Arc<Mutex<Vec<TaskRun>>>;

/// How long task `i` (from 1) sleeps.
pub fn duration(i: u32, task_ms: f64) -> f64 {
    task_ms * FACTORS[((i - 1) % 3) as usize]
}

/// The task both parts run: sleep, then return i² — or raise for task `fail`.
fn task(part: &'static str, i: u32, ms: f64, fail: u32, log: &Log) -> Result<u64, String> {
    let start = now_ms();
    sleep_ms(ms);
    let failed = i == fail;
    let worker = trace::lane_name(trace::current_lane());
    trace::print(format!(
        "task {i} done{}",
        if failed { ": raises ValueError" } else { "" }
    ));
    lock(log).push(TaskRun {
        part,
        task: i,
        worker,
        start,
        end: now_ms(),
        failed,
    });
    if failed {
        Err(format!("ValueError: task {i} failed"))
    } else {
        Ok(u64::from(i) * u64::from(i))
    }
}

/// `map`'s function (a plain function, as `pool.map` takes one): its arguments come in the item.
fn map_task(item: (u32, f64, Log)) -> Result<u64, String> {
    let (i, ms, log) = item;
    task("map", i, ms, 0, &log)
}

/// The most tasks that ran at the same moment, from their start and end times.
pub fn max_overlap(runs: &[TaskRun]) -> usize {
    let mut edges: Vec<(f64, i32)> = runs
        .iter()
        .flat_map(|r| [(r.start, 1), (r.end, -1)])
        .collect();
    // At equal times an end comes before a start: a worker that finishes one task and starts the next
    // is not running two.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut max) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        max = max.max(now);
    }
    max as usize
}

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
        let workers = params.get("max_workers") as usize;
        let tasks = params.get("tasks") as u32;
        let task_ms = Scale::of(params).ms(params.get("task_ms") as f64);
        let fail = params.get("fail_task") as u32;
        let waves = tasks.div_ceil(workers as u32);
        let model_ms = f64::from(waves) * task_ms;
        let log: Log = Arc::new(Mutex::new(Vec::new()));

        let pool = Executor::new(workers, "ThreadPoolExecutor-0", "pool");

        // 1. submit, then result() in order.
        let t0 = now_ms();
        let futures: Vec<_> = (1..=tasks)
            .map(|i| {
                let log = log.clone();
                let ms = duration(i, task_ms);
                pool.submit(move || task("submit", i, ms, fail, &log))
            })
            .collect();
        let submit_ms = now_ms() - t0;
        trace::print(format!(
            "submitted {tasks} tasks in {}",
            report::ms(submit_ms)
        ));
        let mut results = Vec::new();
        let mut exception = Value::Null;
        for (i, future) in (1..).zip(&futures) {
            let asked_at = now_ms();
            let outcome = future.result();
            let got_at = now_ms();
            let worker = future.worker();
            match &outcome {
                Ok(v) => trace::print(format!("task {i}: result() = {v} (ran on {worker})")),
                Err(e) => {
                    trace::print(format!("task {i}: result() raised {e} (ran on {worker})"));
                    let raised_at = lock(&log)
                        .iter()
                        .find(|r| r.part == "submit" && r.task == i)
                        .map(|r| r.end);
                    exception = json!({
                        "task": i,
                        "message": e,
                        "worker": worker,
                        "raised_at": raised_at,
                        "surfaced_at": got_at,
                        "asked_at": asked_at,
                    });
                }
            }
            results.push(json!({
                "task": i,
                "value": outcome.as_ref().ok(),
                "error": outcome.as_ref().err(),
                "asked_at": asked_at,
                "got_at": got_at,
                "worker": worker,
            }));
        }
        let part1_ms = now_ms() - t0;

        // 2. map.
        let t1 = now_ms();
        let items: Vec<(u32, f64, Log)> = (1..=tasks)
            .map(|i| (i, duration(i, task_ms), log.clone()))
            .collect();
        let mapped = pool.map(map_task, items);
        let part2_ms = now_ms() - t1;
        pool.shutdown();
        let mapped = mapped.map_err(|e| format!("map raised unexpectedly: {e}"))?;
        trace::print(format!("map returned {mapped:?}"));

        let runs = lock(&log).clone();
        let part = |p: &str| {
            runs.iter()
                .filter(|r| r.part == p)
                .cloned()
                .collect::<Vec<_>>()
        };
        let (submit_runs, map_runs) = (part("submit"), part("map"));
        let mut by_end = map_runs.clone();
        by_end.sort_by(|a, b| a.end.total_cmp(&b.end));
        let completion_order: Vec<u32> = by_end.iter().map(|r| r.task).collect();
        let input_order: Vec<u32> = (1..=tasks).collect();
        let out_of_order = completion_order != input_order;
        let overlap = max_overlap(&runs);
        let mut used: Vec<String> = runs.iter().map(|r| r.worker.clone()).collect();
        used.sort();
        used.dedup();
        let expected: Vec<u64> = (1..=u64::from(tasks)).map(|i| i * i).collect();

        let exception_text = match exception.get("message").and_then(Value::as_str) {
            Some(m) => {
                let raised = exception["raised_at"].as_f64().unwrap_or(f64::NAN);
                format!(
                    "Task {fail} raised {m} on {}, {} into part 1, yet the program saw it only when it \
                     called result() on that future, {} into part 1; the other tasks still ran. ",
                    exception["worker"].as_str().unwrap_or("?"),
                    report::ms(raised - t0),
                    report::ms(exception["surfaced_at"].as_f64().unwrap_or(f64::NAN) - t0),
                )
            }
            None => "No task was set to fail. ".to_string(),
        };
        let verdict = format!(
            "{tasks} tasks ran on {} worker threads, at most {overlap} at a time; each part took {} and {} \
             (⌈{tasks}/{workers}⌉ = {waves} waves × {} = {}). {exception_text}map finished the tasks in \
             the order {:?} and returned the results in input order.",
            used.len(),
            report::ms(part1_ms),
            report::ms(part2_ms),
            report::ms(task_ms),
            report::ms(model_ms),
            completion_order,
        );
        let task_rows: Vec<Vec<String>> = runs
            .iter()
            .map(|r| {
                vec![
                    r.part.to_string(),
                    r.task.to_string(),
                    r.worker.clone(),
                    report::ms(r.start - t0),
                    report::ms(r.end - r.start),
                    if r.failed {
                        "raised ValueError".into()
                    } else {
                        "ok".into()
                    },
                ]
            })
            .collect();
        let rep = Report::new(verdict)
            .table(
                "Time per part",
                &["part", "measured", "⌈T/M⌉ × task length", "one thread would need"],
                vec![
                    vec![
                        "1: submit + result()".into(),
                        report::ms(part1_ms),
                        report::ms(model_ms),
                        report::ms(submit_runs.iter().map(|r| r.end - r.start).sum()),
                    ],
                    vec![
                        "2: map".into(),
                        report::ms(part2_ms),
                        report::ms(model_ms),
                        report::ms(map_runs.iter().map(|r| r.end - r.start).sum()),
                    ],
                ],
            )
            .table(
                "Tasks (start is from the beginning of part 1)",
                &["part", "task", "worker", "start", "length", "outcome"],
                task_rows,
            )
            .chart(Chart {
                title: "map: when each task finished".into(),
                x_label: "task (input order)".into(),
                y_label: "finished at (ms into part 2)".into(),
                series: vec![Series {
                    name: "finish time".into(),
                    style: "measured",
                    points: map_runs
                        .iter()
                        .map(|r| (f64::from(r.task), r.end - t1))
                        .collect(),
                }],
                markers: vec![],
            })
            .note(
                "\"One thread would need\" is the sum of the measured task lengths. submit() itself took \
                 only {} for all tasks: it queues them and returns."
                    .replace("{}", &report::ms(submit_ms)),
            );

        Ok(json!({
            "report": rep,
            "answer": answer(tasks, workers, overlap),
            "max_workers": workers,
            "tasks": tasks,
            "task_ms": task_ms,
            "waves": waves,
            "model_ms": model_ms,
            "max_overlap": overlap,
            "workers_used": used,
            "task_runs": runs,
            "submit": {
                "ms": part1_ms,
                "submit_ms": submit_ms,
                "results": results,
                "exception": exception,
            },
            "map": {
                "ms": part2_ms,
                "results": mapped,
                "expected": expected,
                "input_order": input_order,
                "completion_order": completion_order,
                "out_of_order": out_of_order,
            },
        }))
    }
}

pub const QUESTION: Question = Question::number(
    "At most how many tasks will run at the same moment?",
    0,
    64,
    "Tasks at once, at most",
);

/// From the most tasks that overlapped (each task's measured start and end).
fn answer(tasks: u32, workers: usize, overlap: usize) -> Answer {
    Answer::number(
        overlap as i64,
        format!(
            "{tasks} tasks on {workers} workers: at most {overlap} ran at once (from each task's measured start and end)."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::prepare;
    use crate::protocol::{RunOutcome, RunRequest};

    fn run(params: Value) -> RunOutcome {
        crate::lessons::run_for_test("thread-pool", params)
    }

    #[test]
    fn tasks_queue_onto_m_workers_map_keeps_order_and_the_failure_surfaces_at_result() {
        let outcome = run(json!({"max_workers": 3, "tasks": 7, "task_ms": 40, "fail_task": 2}));
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert_eq!(v["max_overlap"], 3);
        assert_eq!(v["workers_used"].as_array().unwrap().len(), 3);
        assert_eq!(v["task_runs"].as_array().unwrap().len(), 14);
        assert_eq!(v["map"]["results"], json!([1, 4, 9, 16, 25, 36, 49]));
        assert_eq!(v["map"]["out_of_order"], true, "{}", v["map"]);
        let e = &v["submit"]["exception"];
        assert_eq!(e["task"], 2);
        assert_eq!(e["message"], "ValueError: task 2 failed");
        assert!(e["surfaced_at"].as_f64().unwrap() >= e["raised_at"].as_f64().unwrap());
        let results = v["submit"]["results"].as_array().unwrap();
        assert_eq!(results[1]["error"], "ValueError: task 2 failed");
        assert_eq!(results[2]["value"], 9, "the tasks after it still ran");
        for part in ["submit", "map"] {
            let ms = v[part]["ms"].as_f64().unwrap();
            assert!((0.8 * 120.0..3.0 * 120.0).contains(&ms), "{part}: {ms}");
        }
    }

    #[test]
    fn overlap_counts_ends_before_starts() {
        let r = |start: f64, end: f64| TaskRun {
            part: "x",
            task: 1,
            worker: String::new(),
            start,
            end,
            failed: false,
        };
        assert_eq!(max_overlap(&[r(0.0, 1.0), r(1.0, 2.0)]), 1);
        assert_eq!(max_overlap(&[r(0.0, 2.0), r(1.0, 3.0), r(1.5, 1.8)]), 3);
    }

    #[test]
    fn a_failing_task_beyond_the_count_is_clamped() {
        let prepared = prepare(&RunRequest {
            lesson: "thread-pool".into(),
            params: json!({"tasks": 4, "fail_task": 9}),
        })
        .unwrap();
        assert_eq!(prepared.params.get("fail_task"), 4);
        assert_eq!(prepared.threads_needed, 4);
    }
}
