//! Running the threads and the same work sequentially: the typed results and the program of both lessons.

use super::*;

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
pub(super) fn worker(wait_ms: f64, t0: f64) -> Task {
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

/// The program of both lessons: threads, then the same work sequentially beside it.
pub(super) fn run_lesson(style: Style, params: &Params) -> Result<Value, String> {
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
