//! Lessons "Threads start and join" (curriculum row 1) and "A Thread subclass" (row 2).
//!
//! N threads each print, really sleep (a blocking timed wait on their own worker) and print again; the
//! main thread joins them all. Then the main thread does the same work itself, one task after another.
//! The two lessons run the same engine; they differ in how the Python program makes its threads (a
//! `target` function, or a `Thread` subclass overriding `run()`), and so in the threads' names.

use super::claims::{claim, count_lines, number_after, ProgramRun, PythonCheck};
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
            Style::Target => format!("Thread-{n} (worker)"),
            Style::Subclass => format!("Worker-{n}"),
        }
    }
}

/// One task (print, sleep, print) as it really ran.
#[derive(Serialize, Clone, Debug)]
pub struct Task {
    /// The thread that ran it ("MainThread" in the sequential run).
    pub thread: String,
    /// Milliseconds after the mode's start.
    pub started_ms: f64,
    pub slept_ms: f64,
    pub finished_ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct JoinResult {
    pub threads: u64,
    /// Each task's wait at this run's time scale.
    pub wait_ms: f64,
    /// From the first `start()` to the last `join()` returning.
    pub threaded_ms: f64,
    /// The same tasks one after another on the main thread.
    pub sequential_ms: f64,
    pub speedup: f64,
    pub threaded: Vec<Task>,
    pub sequential: Vec<Task>,
}

/// The body each thread runs (and the main thread, in the sequential run): print, sleep, print.
fn worker(wait_ms: f64, t0: f64) -> Task {
    let started = now_ms();
    trace::print("starting");
    let slept = sleep_ms(wait_ms);
    trace::print(format!("finishing after {}", report::ms(slept)));
    Task {
        thread: trace::lane_name(trace::current_lane()),
        started_ms: started - t0,
        slept_ms: slept,
        finished_ms: now_ms() - t0,
    }
}

/// Starts `n` threads running [`worker`], joins them all; returns the tasks and the time it all took.
pub fn run_threaded(style: Style, n: u64, wait_ms: f64) -> (Vec<Task>, f64) {
    let t0 = now_ms();
    let handles: Vec<_> = (1..=n)
        .map(|i| thread::spawn(style.thread_name(i), "threads", move || worker(wait_ms, t0)))
        .collect();
    let tasks: Vec<Task> = handles.into_iter().map(thread::JoinHandle::join).collect();
    (tasks, now_ms() - t0)
}

/// The same `n` tasks, one after another on the calling (main) thread.
pub fn run_sequential(n: u64, wait_ms: f64) -> (Vec<Task>, f64) {
    let t0 = now_ms();
    let tasks: Vec<Task> = (0..n).map(|_| worker(wait_ms, t0)).collect();
    (tasks, now_ms() - t0)
}

fn task_rows(mode: &str, tasks: &[Task]) -> Vec<Vec<String>> {
    tasks
        .iter()
        .map(|t| {
            vec![
                mode.to_string(),
                t.thread.clone(),
                report::ms(t.started_ms),
                report::ms(t.slept_ms),
                report::ms(t.finished_ms),
            ]
        })
        .collect()
}

/// The program of both lessons: threads, then the same work sequentially beside it.
fn run_lesson(style: Style, params: &Params) -> Result<Value, String> {
    let n = params.get("threads") as u64;
    let wait_ms = Scale::of(params).ms(params.get("wait_ms") as f64);
    let (threaded, threaded_ms) = run_threaded(style, n, wait_ms);
    trace::print(format!(
        "all {n} threads joined after {}",
        report::ms(threaded_ms)
    ));
    let (sequential, sequential_ms) = run_sequential(n, wait_ms);
    trace::print(format!(
        "the same {n} tasks one after another took {}",
        report::ms(sequential_ms)
    ));
    let speedup = sequential_ms / threaded_ms.max(0.001);
    let names: Vec<&str> = threaded.iter().map(|t| t.thread.as_str()).collect();
    let verdict = format!(
        "{n} threads each slept {}: started together and joined, they all finished in {} — about one wait, \
         not {n}. The same {n} tasks one after another on the main thread took {} ({speedup:.1}× longer).",
        report::ms(wait_ms),
        report::ms(threaded_ms),
        report::ms(sequential_ms),
    );
    let how = match style {
        Style::Target => "Thread(target=worker)",
        Style::Subclass => "Worker(n), a Thread subclass",
    };
    let rep = Report::new(verdict)
        .table(
            "Both ways, measured",
            &["Mode", "Total", "Waits", "Total ÷ one wait"],
            vec![
                vec![
                    format!("{n} threads, start() then join()"),
                    report::ms(threaded_ms),
                    format!("{n} × {}", report::ms(wait_ms)),
                    format!("{:.2}", threaded_ms / wait_ms.max(0.001)),
                ],
                vec![
                    "one after another on MainThread".to_string(),
                    report::ms(sequential_ms),
                    format!("{n} × {}", report::ms(wait_ms)),
                    format!("{:.2}", sequential_ms / wait_ms.max(0.001)),
                ],
            ],
        )
        .table(
            "Each task (times after the mode's start)",
            &["Mode", "Thread", "Started", "Slept", "Finished"],
            [task_rows("threads", &threaded), task_rows("sequential", &sequential)].concat(),
        )
        .note(format!(
            "Threads made with {how}; their names: {}. While a thread sleeps it blocks its own worker, so \
             the others run on: the sleeps overlap. Times are from the clock, from the first start() to the \
             last join().",
            names.join(", ")
        ));
    let result = JoinResult {
        threads: n,
        wait_ms,
        threaded_ms,
        sequential_ms,
        speedup,
        threaded,
        sequential,
    };
    let answer = match style {
        Style::Target => answer_total(&result),
        Style::Subclass => answer_names(&result),
    };
    let mut values = serde_json::to_value(result).map_err(|e| e.to_string())?;
    values["report"] = serde_json::to_value(rep).map_err(|e| e.to_string())?;
    question::attach(&mut values, &answer);
    Ok(values)
}

/// "Threads start and join"'s question.
pub const TOTAL_QUESTION: Question = Question::choices(
    "Each thread sleeps the same time. Started together and then joined, how long will the threads take in all?",
    &[
        choice("one", "About one sleep"),
        choice("between", "Somewhere between one sleep and all of them"),
        choice("all", "About all the sleeps added up"),
    ],
);

/// "A Thread subclass"'s question.
pub const NAMES_QUESTION: Question = Question::choices(
    "The threads are instances of a Thread subclass named Worker. What will their names be?",
    &[
        choice("default", "Thread-1, Thread-2, …"),
        choice("class", "Worker-1, Worker-2, … (from the class)"),
        choice("main", "MainThread, like the program"),
    ],
);

/// One thread is both "one sleep" and "all the sleeps"; otherwise the total over one sleep decides.
fn answer_total(r: &JoinResult) -> Answer {
    let ratio = r.threaded_ms / r.wait_ms;
    let measured = format!(
        "{} threads of {} took {} ({} one sleep); one after another they took {}.",
        r.threads,
        question::ms(r.wait_ms),
        question::ms(r.threaded_ms),
        question::times(ratio),
        question::ms(r.sequential_ms)
    );
    if r.threads == 1 {
        Answer::any_of(vec!["one", "all"], measured)
    } else if ratio < 1.5 {
        Answer::choice("one", measured)
    } else if ratio > r.threads as f64 - 0.5 {
        Answer::choice("all", measured)
    } else {
        Answer::choice("between", measured)
    }
}

fn answer_names(r: &JoinResult) -> Answer {
    let names: Vec<&str> = r.threaded.iter().map(|t| t.thread.as_str()).collect();
    let correct = if names.iter().all(|n| n.starts_with("Worker")) {
        "class"
    } else if names.iter().all(|n| n.starts_with("Thread-")) {
        "default"
    } else {
        "main"
    };
    Answer::choice(
        correct,
        format!("The threads were named {}.", names.join(", ")),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::prepare;
    use crate::protocol::{LaneKind, RunOutcome, RunRequest};
    use serde_json::json;

    fn run(lesson: &str, params: Value) -> RunOutcome {
        crate::lessons::run_for_test(lesson, params)
    }

    fn check_overlap(outcome: &RunOutcome, n: usize, wait: f64) {
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let threaded = v["threaded_ms"].as_f64().unwrap();
        let sequential = v["sequential_ms"].as_f64().unwrap();
        assert!(
            threaded >= wait,
            "threads took {threaded} ms, less than one wait"
        );
        assert!(
            threaded < wait * 1.9,
            "threads took {threaded} ms: the waits did not overlap"
        );
        assert!(sequential >= wait * n as f64, "sequential {sequential} ms");
        assert_eq!(v["threaded"].as_array().unwrap().len(), n);
        for t in v["sequential"].as_array().unwrap() {
            assert_eq!(t["thread"], "MainThread");
        }
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("threads each slept"));
    }

    #[test]
    fn threads_overlap_their_sleeps_and_sequential_adds_them_up() {
        // 3 × 100 ms at 50 % = 3 × 50 ms.
        let outcome = run(
            "threads-join",
            json!({"threads": 3, "wait_ms": 100, "time_scale": 50}),
        );
        check_overlap(&outcome, 3, 50.0);
        let names: Vec<_> = outcome
            .lanes
            .iter()
            .filter(|l| l.kind == LaneKind::Thread)
            .map(|l| l.name.clone())
            .collect();
        assert_eq!(
            names,
            [
                "Thread-1 (worker)",
                "Thread-2 (worker)",
                "Thread-3 (worker)"
            ]
        );
        // Every thread prints twice, the main thread twice per sequential task plus two summaries.
        assert_eq!(outcome.output.len(), 3 * 2 + 3 * 2 + 2);
    }

    #[test]
    fn the_subclass_names_its_threads_and_gives_the_same_result() {
        let outcome = run(
            "thread-subclass",
            json!({"threads": 2, "wait_ms": 100, "time_scale": 50}),
        );
        check_overlap(&outcome, 2, 50.0);
        let threads: Vec<_> = outcome.values["threaded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["thread"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(threads, ["Worker-1", "Worker-2"]);
    }

    #[test]
    fn one_worker_per_thread_plus_the_main_thread() {
        let prepared = prepare(&RunRequest {
            lesson: "thread-subclass".into(),
            params: json!({"threads": 16}),
        })
        .unwrap();
        assert_eq!(prepared.threads_needed, 17);
    }

    #[test]
    fn one_thread_is_both_one_sleep_and_all_of_them() {
        let r = JoinResult {
            threads: 1,
            wait_ms: 100.0,
            threaded_ms: 101.0,
            sequential_ms: 100.0,
            speedup: 1.0,
            threaded: Vec::new(),
            sequential: Vec::new(),
        };
        assert_eq!(answer_total(&r).ids(), vec!["one", "all"]);
        let three = JoinResult {
            threads: 3,
            threaded_ms: 290.0,
            ..r
        };
        assert_eq!(answer_total(&three).ids(), vec!["all"]);
        for id in ["one", "between", "all"] {
            assert!(TOTAL_QUESTION.has_choice(id));
        }
    }
}
