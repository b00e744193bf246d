//! Lesson "The GIL" (curriculum row 11).
//!
//! Two CPU-bound tasks run sequentially, on 2 threads and on 2 processes; two I/O-bound tasks (sleeps) run
//! sequentially and on 2 threads. The threads run twice: under the emulated global interpreter lock
//! ([`crate::engine::gil`], CPython's switch-interval hand-off) and free-threaded. Each process has its own
//! interpreter, so its own GIL, which nobody else wants.
//!
//! The CPU-bound task is a fixed amount of work (calibrated once, never timed against the clock), with a
//! switch point per unit of work, as CPython's eval breaker is polled at every loop iteration.

use super::claims::{claim, finished, number_after, PythonCheck};
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
#[derive(Serialize, Clone, Debug, Default)]
pub struct Timing {
    pub samples_ms: Vec<f64>,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

impl Timing {
    fn of(samples_ms: Vec<f64>) -> Option<Timing> {
        if samples_ms.is_empty() {
            return None;
        }
        let (median_ms, min_ms, max_ms) = spread(&samples_ms);
        Some(Timing {
            samples_ms,
            median_ms,
            min_ms,
            max_ms,
        })
    }
}

/// A CPU-bound task in "Python": `units` units of work with a switch point after each.
fn cpu_task(units: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..units {
        acc = acc.wrapping_add(common::work_unit(i));
        gil::checkpoint();
    }
    acc
}

/// Runs `task` twice on two threads (named as Python names them) and joins them; returns the milliseconds.
fn on_two_threads(
    group: &str,
    names: &mut u32,
    target: &str,
    task: impl Fn() + Send + Sync + Copy + 'static,
) -> f64 {
    let t0 = now_ms();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            *names += 1;
            thread::spawn(format!("Thread-{names} ({target})"), group, task)
        })
        .collect();
    handles.into_iter().for_each(thread::JoinHandle::join);
    now_ms() - t0
}

/// Runs `task` twice, one after the other, on one thread drawn in `group`.
fn sequentially(group: &str, label: &str, task: impl Fn() + Send + Copy + 'static) -> f64 {
    let t0 = now_ms();
    thread::spawn(label, group, move || {
        task();
        task();
    })
    .join();
    now_ms() - t0
}

/// Starts two processes that each run the CPU task under their own GIL, and joins them.
fn on_two_processes(
    group: &str,
    names: &mut u32,
    units: u64,
    switch_ms: i64,
) -> Result<f64, String> {
    let t0 = now_ms();
    let children: Vec<_> = (0..2)
        .map(|_| {
            *names += 1;
            bridge::start_process(
                &format!("Process-{names}"),
                group,
                "gil",
                "cpu",
                json!({ "units": units, "switch_interval_ms": switch_ms }),
            )
        })
        .collect();
    let finished: Vec<bool> = children
        .iter()
        .map(|c| c.recv(Some(60_000.0)).is_some())
        .collect();
    if let Some(problem) = bridge::join_all(&children, finished.iter().copied()) {
        return Err(problem);
    }
    Ok(now_ms() - t0)
}

/// What the threads measured under one interpreter.
#[derive(Default)]
struct BuildSamples {
    cpu_threads: Vec<f64>,
    io_threads: Vec<f64>,
    gil: Vec<GilStats>,
}

fn ratio(a: Option<&Timing>, b: Option<&Timing>) -> Option<f64> {
    Some(a?.median_ms / b?.median_ms.max(1e-9))
}

fn cell(t: Option<&Timing>, sequential: Option<&Timing>) -> String {
    match (t, ratio(t, sequential)) {
        (Some(t), Some(r)) => format!(
            "{} ({:.2}× sequential)",
            report::spread_text(&t.samples_ms),
            r
        ),
        (Some(t), None) => report::spread_text(&t.samples_ms),
        _ => "not run".into(),
    }
}

impl Lesson for Gil {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("cpu_ms", 20), ("io_ms", 100), ("repeats", 1)],
            gil: true,
            claim: |run| {
                finished(run)?;
                let cpu = number_after(run, "CPU, sequential:")?;
                let cpu_threads = number_after(run, "CPU, 2 threads:")?;
                let io = number_after(run, "I/O, sequential:")?;
                let io_threads = number_after(run, "I/O, 2 threads:")?;
                number_after(run, "CPU, 2 processes:")?;
                claim(cpu_threads > 0.8 * cpu, || {
                    format!("under the GIL 2 CPU-bound threads took {cpu_threads} ms, sequential {cpu} ms")
                })?;
                claim(io_threads < 0.75 * io, || {
                    format!("2 sleeping threads took {io_threads} ms, sequential {io} ms")
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
        let switch_ms = params.get("switch_interval_ms");
        let builds: Vec<Interpreter> = match params.get("python") {
            BOTH => vec![
                Interpreter::from_params(gil::WITH_GIL, switch_ms),
                Interpreter::FreeThreaded,
            ],
            one => vec![Interpreter::from_params(one, switch_ms)],
        };
        let repeats = params.get("repeats") as usize;
        let io_ms = params.get("io_ms") as f64;
        let per_ms = units_per_ms();
        let units = ((params.get("cpu_ms") as f64 * per_ms) as u64).max(1);
        trace::print(format!(
            "calibrated: {per_ms:.0} units of work per ms; one CPU task = {units} units"
        ));

        let mut names = 0u32;
        let mut cpu_seq = Vec::new();
        let mut io_seq = Vec::new();
        let mut cpu_proc = Vec::new();
        let mut by_build: Vec<BuildSamples> =
            builds.iter().map(|_| BuildSamples::default()).collect();
        for r in 1..=repeats {
            let run = |what: &str| {
                if repeats == 1 {
                    what.to_string()
                } else {
                    format!("{what}, run {r}")
                }
            };
            for (b, build) in builds.iter().enumerate() {
                let group = run(&format!("CPU: 2 threads, {}", build.label()));
                let (ms, stats) = gil::run_with(*build, || {
                    on_two_threads(&group, &mut names, "cpu_task", move || {
                        std::hint::black_box(cpu_task(units));
                    })
                });
                trace::print(format!(
                    "CPU, 2 threads, {}: {ms:.0} ms (GIL switches {}, forced drops {})",
                    build.label(),
                    stats.switches,
                    stats.forced_drops
                ));
                by_build[b].cpu_threads.push(ms);
                by_build[b].gil.push(stats);
            }
            // Sequential and processes do not depend on the build: one thread never waits for the GIL. (Threads
            // first, so the timeline opens on the GIL's hand-offs.)
            let (ms, _) = gil::run_with(builds[0], || {
                sequentially(
                    &run("CPU: sequential"),
                    "MainThread's work (sequential)",
                    move || {
                        std::hint::black_box(cpu_task(units));
                    },
                )
            });
            trace::print(format!("CPU, sequential: {ms:.0} ms"));
            cpu_seq.push(ms);
            let ms = on_two_processes(&run("CPU: 2 processes"), &mut names, units, switch_ms)?;
            trace::print(format!("CPU, 2 processes: {ms:.0} ms"));
            cpu_proc.push(ms);

            let (ms, _) = gil::run_with(builds[0], || {
                sequentially(
                    &run("I/O: sequential"),
                    "MainThread's waits (sequential)",
                    move || {
                        sync::sleep_ms(io_ms);
                    },
                )
            });
            trace::print(format!("I/O, sequential: {ms:.0} ms"));
            io_seq.push(ms);
            for (b, build) in builds.iter().enumerate() {
                let group = run(&format!("I/O: 2 threads, {}", build.label()));
                let (ms, _) = gil::run_with(*build, || {
                    on_two_threads(&group, &mut names, "io_task", move || {
                        sync::sleep_ms(io_ms);
                    })
                });
                trace::print(format!("I/O, 2 threads, {}: {ms:.0} ms", build.label()));
                by_build[b].io_threads.push(ms);
            }
        }

        let cpu_seq = Timing::of(cpu_seq);
        let io_seq = Timing::of(io_seq);
        let cpu_proc = Timing::of(cpu_proc);
        let find =
            |want: fn(&Interpreter) -> bool| builds.iter().position(want).map(|b| &by_build[b]);
        let with_gil = find(|b| matches!(b, Interpreter::Gil { .. }));
        let free = find(|b| *b == Interpreter::FreeThreaded);
        let timing = |s: Option<&BuildSamples>, cpu: bool| {
            s.and_then(|s| {
                Timing::of(if cpu {
                    s.cpu_threads.clone()
                } else {
                    s.io_threads.clone()
                })
            })
        };
        let cpu_gil = timing(with_gil, true);
        let cpu_free = timing(free, true);
        let io_gil = timing(with_gil, false);
        let io_free = timing(free, false);
        let gil_stats = with_gil.and_then(|s| s.gil.first().copied());
        let cores = common::engine_cores();

        let report = build_report(
            &cpu_seq, &cpu_gil, &cpu_free, &cpu_proc, &io_seq, &io_gil, &io_free, gil_stats, cores,
        );
        let median = |t: &Option<Timing>| t.as_ref().map(|t| t.median_ms);
        let answer = answer(
            median(&cpu_gil),
            median(&cpu_seq),
            gil_stats.map_or(0, |s| s.switches),
        );
        Ok(json!({
            "answer": answer,
            "cores": cores,
            "units_per_task": units,
            "cpu": {
                "sequential_ms": median(&cpu_seq), "threads_gil_ms": median(&cpu_gil),
                "threads_free_ms": median(&cpu_free), "processes_ms": median(&cpu_proc),
                "sequential": cpu_seq, "threads_gil": cpu_gil, "threads_free": cpu_free, "processes": cpu_proc,
            },
            "io": {
                "sequential_ms": median(&io_seq), "threads_gil_ms": median(&io_gil),
                "threads_free_ms": median(&io_free),
                "sequential": io_seq, "threads_gil": io_gil, "threads_free": io_free,
            },
            "ratios": {
                "cpu_threads_gil": ratio(cpu_gil.as_ref(), cpu_seq.as_ref()),
                "cpu_threads_free": ratio(cpu_free.as_ref(), cpu_seq.as_ref()),
                "cpu_processes": ratio(cpu_proc.as_ref(), cpu_seq.as_ref()),
                "io_threads_gil": ratio(io_gil.as_ref(), io_seq.as_ref()),
                "io_threads_free": ratio(io_free.as_ref(), io_seq.as_ref()),
            },
            "gil": gil_stats,
            "report": report,
        }))
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

#[allow(clippy::too_many_arguments)]
fn build_report(
    cpu_seq: &Option<Timing>,
    cpu_gil: &Option<Timing>,
    cpu_free: &Option<Timing>,
    cpu_proc: &Option<Timing>,
    io_seq: &Option<Timing>,
    io_gil: &Option<Timing>,
    io_free: &Option<Timing>,
    gil_stats: Option<GilStats>,
    cores: Option<usize>,
) -> Report {
    let r = |t: &Option<Timing>, s: &Option<Timing>| ratio(t.as_ref(), s.as_ref());
    let mut verdict = Vec::new();
    if let (Some(t), Some(s), Some(x)) = (cpu_gil, cpu_seq, r(cpu_gil, cpu_seq)) {
        let stats = gil_stats.unwrap_or_default();
        verdict.push(format!(
            "Under the GIL, 2 CPU-bound threads took {} — {x:.2}× the sequential {}: {}. The GIL changed \
             hands {} times ({} forced drops after a switch interval), and the threads waited {} for it.",
            report::ms(t.median_ms),
            report::ms(s.median_ms),
            if x >= 0.9 { "no faster" } else { "faster than expected for a GIL (a noisy run?)" },
            stats.switches,
            stats.forced_drops,
            report::ms(stats.wait_ms),
        ));
    }
    if let (Some(t), Some(x)) = (cpu_free, r(cpu_free, cpu_seq)) {
        verdict.push(format!(
            "Free-threaded, they took {} ({x:.2}×).",
            report::ms(t.median_ms)
        ));
    }
    if let (Some(t), Some(x)) = (cpu_proc, r(cpu_proc, cpu_seq)) {
        verdict.push(format!(
            "Two processes, each with its own GIL, took {} ({x:.2}×, start-up included).",
            report::ms(t.median_ms)
        ));
    }
    if let Some(s) = io_seq {
        let parts: Vec<String> = [("with the GIL", io_gil), ("free-threaded", io_free)]
            .iter()
            .filter_map(|(label, t)| {
                t.as_ref()
                    .map(|t| format!("{} {label}", report::ms(t.median_ms)))
            })
            .collect();
        verdict.push(format!(
            "I/O-bound, 2 threads took {} against {} sequentially: waits release the GIL, so they overlap \
             either way.",
            parts.join(" and "),
            report::ms(s.median_ms)
        ));
    }
    let mut report = Report::new(verdict.join(" "));
    report = report.table(
        "Two tasks, three ways (median, min – max over the repeats)",
        &[
            "Work",
            "Sequential",
            "2 threads, CPython (with GIL)",
            "2 threads, free-threaded (3.13t)",
            "2 processes",
        ],
        vec![
            vec![
                "CPU-bound".into(),
                cell(cpu_seq.as_ref(), None),
                cell(cpu_gil.as_ref(), cpu_seq.as_ref()),
                cell(cpu_free.as_ref(), cpu_seq.as_ref()),
                cell(cpu_proc.as_ref(), cpu_seq.as_ref()),
            ],
            vec![
                "I/O-bound (sleep)".into(),
                cell(io_seq.as_ref(), None),
                cell(io_gil.as_ref(), io_seq.as_ref()),
                cell(io_free.as_ref(), io_seq.as_ref()),
                "—".into(),
            ],
        ],
    );
    report = report.note(
        "CPython 3.11 on a 2-core machine of this kind took 0.56 s for 2 CPU-bound threads against 0.44 s \
         sequentially (1.27×) and 0.32 s with 2 forked processes (0.73×). The timeline shows who holds the \
         GIL (running) and who waits for it.",
    );
    match cores {
        Some(1) => report.note(
            "This device reports 1 core: nothing can run in parallel, so free-threaded threads and \
             processes cannot be faster than sequential here.",
        ),
        _ => report,
    }
}

pub const QUESTION: Question = Question::choices(
    "Under CPython's GIL, two threads each run a CPU-bound task. Compared with running the two tasks one after another, the threads take…",
    &[
        choice("faster", "Clearly less time (under 0.8×)"),
        choice("same", "About the same (0.8× to 1.2×)"),
        choice("slower", "Clearly more time (over 1.2×)"),
    ],
);

/// From the medians of the two CPU-bound threads under the GIL and of the same work one after another.
fn answer(threads_gil_ms: Option<f64>, sequential_ms: Option<f64>, switches: u64) -> Answer {
    let Some(t) = threads_gil_ms else {
        return Answer::cannot(
            "This run did not include the build with the GIL (choose \"both\" or \"CPython (with GIL)\").",
        );
    };
    let seq = sequential_ms.unwrap_or(f64::NAN);
    let r = t / seq;
    Answer::choice(
        question::band(r, &[0.8, 1.2], &["faster", "same", "slower"]),
        format!(
            "Two threads under the GIL took {}, one after another {}: {r:.2}×; the GIL changed hands {switches} times.",
            question::ms(t),
            question::ms(seq)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::LaneState;

    #[test]
    fn under_the_gil_cpu_threads_take_turns_and_waits_overlap() {
        let outcome = crate::lessons::run_for_test(
            "gil",
            json!({"python": BOTH, "cpu_ms": 30, "io_ms": 40, "repeats": 1, "switch_interval_ms": 2}),
        );
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert!(
            v["gil"]["forced_drops"].as_u64().unwrap() >= 2,
            "{}",
            v["gil"]
        );
        // Sleeps overlap with and without the GIL: in each I/O group, both threads are asleep at once.
        for build in ["CPython (with GIL)", "free-threaded (3.13t)"] {
            let group = format!("I/O: 2 threads, {build}");
            let sleeps: Vec<(f64, f64)> = outcome
                .lanes
                .iter()
                .filter(|l| l.group == group)
                .map(|l| {
                    let mine: Vec<_> = outcome.events.iter().filter(|e| e.lane == l.id).collect();
                    let at = mine
                        .iter()
                        .position(|e| e.state == LaneState::Sleeping)
                        .unwrap();
                    (mine[at].t, mine[at + 1].t)
                })
                .collect();
            assert_eq!(sleeps.len(), 2, "{group}");
            assert!(
                sleeps[0].0.max(sleeps[1].0) < sleeps[0].1.min(sleeps[1].1),
                "{group}: {sleeps:?}"
            );
        }
        assert!(outcome
            .events
            .iter()
            .any(|e| e.state == LaneState::WaitingGil));
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("Under the GIL"));
    }

    #[test]
    fn a_single_build_leaves_the_other_column_unrun() {
        let outcome = crate::lessons::run_for_test(
            "gil",
            json!({"python": gil::FREE_THREADED, "cpu_ms": 10, "io_ms": 5, "repeats": 1}),
        );
        assert_eq!(outcome.error, None);
        assert!(outcome.values["cpu"]["threads_gil_ms"].is_null());
        assert!(outcome.values["cpu"]["threads_free_ms"].as_f64().unwrap() > 0.0);
        assert!(outcome.values["gil"].is_null());
    }

    #[test]
    fn the_question_needs_the_build_with_the_gil() {
        assert_eq!(answer(None, Some(10.0), 0).correct, None);
        let a = answer(Some(21.0), Some(20.0), 7);
        assert_eq!(a.ids(), vec!["same"]);
        assert!(
            a.measured
                .ends_with("1.05×; the GIL changed hands 7 times."),
            "{}",
            a.measured
        );
        assert_eq!(answer(Some(10.0), Some(20.0), 0).ids(), vec!["faster"]);
        assert!(QUESTION.has_choice("slower"));
    }
}
