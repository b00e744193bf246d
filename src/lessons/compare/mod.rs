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

use super::aio::{self, EventLoop};
use super::common::{self, Scale};
use super::report::{self, Report};
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::bridge::{self, ChildProcess};
use crate::engine::process::ChildContext;
use crate::engine::{sync, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

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

/// What a child process sends back.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ChildReport {
    /// Its first instruction.
    pub started_at: f64,
    pub finished_at: f64,
    /// Its own WebAssembly memory, in bytes, measured in the child (none natively).
    pub memory_bytes: Option<f64>,
    pub checksum: u64,
}

/// This instance's own memory: in a child process, the child's, which it does not share.
fn own_memory_bytes() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(core::arch::wasm32::memory_size(0) as f64 * 65536.0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

#[derive(Default)]
struct Names {
    threads: u32,
    processes: u32,
}

impl Names {
    fn thread(&mut self, target: &str) -> String {
        self.threads += 1;
        format!("Thread-{} ({target})", self.threads)
    }

    fn process(&mut self) -> String {
        self.processes += 1;
        format!("Process-{}", self.processes)
    }
}

/// `procs = [Process(target=entry, args=...) ...]; start all; get one result from each; join all`.
/// Returns each child with its report.
fn run_processes(
    names: &mut Names,
    group: &str,
    entry: &str,
    args: &[Value],
    limit_ms: f64,
) -> Result<Vec<(ChildProcess, ChildReport)>, String> {
    let children: Vec<ChildProcess> = args
        .iter()
        .map(|a| bridge::start_process(&names.process(), group, "compare", entry, a.clone()))
        .collect();
    let mut reports = Vec::new();
    let mut error = None;
    for child in &children {
        match child.recv(Some(limit_ms)) {
            Some(d) => match serde_json::from_str::<ChildReport>(&d.payload) {
                Ok(r) => reports.push(Some(r)),
                Err(e) => {
                    error.get_or_insert(format!("{} sent an unreadable result: {e}", child.name));
                    reports.push(None);
                }
            },
            None => {
                error.get_or_insert(format!(
                    "{} ended or timed out without a result",
                    child.name
                ));
                reports.push(None);
            }
        }
    }
    if let Some(problem) = bridge::join_all(&children, reports.iter().map(Option::is_some)) {
        error.get_or_insert(problem);
    }
    if let Some(e) = error {
        return Err(e);
    }
    Ok(children
        .into_iter()
        .zip(reports)
        .filter_map(|(c, r)| r.map(|r| (c, r)))
        .collect())
}

/// Start costs: an empty thread (start + join), an empty process (to its first instruction, and to its
/// exit joined), an empty event-loop task (create + run).
#[derive(Serialize, Clone, Debug, Default)]
pub struct StartCosts {
    /// Per thread, one value per sample.
    pub thread_ms: Vec<f64>,
    pub process_first_instruction_ms: Vec<f64>,
    pub process_join_ms: Vec<f64>,
    pub process_memory_bytes: Vec<f64>,
    /// Per task, one value per batch.
    pub task_ms: Vec<f64>,
}

fn measure_start_costs(names: &mut Names) -> Result<StartCosts, String> {
    let mut costs = StartCosts::default();
    trace::print(format!(
        "starting and joining {} empty threads, one at a time",
        THREAD_SAMPLES * THREADS_PER_SAMPLE
    ));
    for _ in 0..THREAD_SAMPLES {
        let t0 = now_ms();
        for _ in 0..THREADS_PER_SAMPLE {
            thread::spawn(names.thread("empty"), "start cost: threads", || ()).join();
        }
        costs
            .thread_ms
            .push((now_ms() - t0) / THREADS_PER_SAMPLE as f64);
    }
    trace::print(format!(
        "starting {PROCESS_SAMPLES} empty processes, one at a time"
    ));
    for _ in 0..PROCESS_SAMPLES {
        let done = run_processes(
            names,
            "start cost: processes",
            "empty",
            &[json!({})],
            CHILD_GRACE_MS,
        )?;
        let joined = now_ms();
        for (child, r) in done {
            costs
                .process_first_instruction_ms
                .push(r.started_at - child.started_at);
            costs.process_join_ms.push(joined - child.started_at);
            costs.process_memory_bytes.extend(r.memory_bytes);
        }
    }
    trace::print(format!(
        "creating and running {TASK_BATCHES} × {TASKS_PER_BATCH} empty event-loop tasks"
    ));
    for _ in 0..TASK_BATCHES {
        let t0 = now_ms();
        let mut el = EventLoop::new();
        for _ in 0..TASKS_PER_BATCH {
            el.spawn(async {});
        }
        el.run()?;
        costs.task_ms.push((now_ms() - t0) / TASKS_PER_BATCH as f64);
    }
    Ok(costs)
}

/// Wall times of K tasks on each approach.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Speeds {
    pub threads_ms: f64,
    pub processes_ms: f64,
    /// Processes: from the first start() until the last child ran its first instruction.
    pub processes_start_ms: f64,
    pub event_loop_ms: f64,
}

/// K waits of `wait_ms`: K threads sleeping, K processes sleeping, K tasks awaiting on one loop.
fn measure_io(names: &mut Names, k: usize, wait_ms: f64) -> Result<(Speeds, usize), String> {
    trace::print(format!("I/O: {k} waits of {} on each", report::ms(wait_ms)));
    let t0 = now_ms();
    let handles: Vec<_> = (0..k)
        .map(|_| {
            thread::spawn(names.thread("io_task"), "I/O: threads", move || {
                sync::sleep_ms(wait_ms)
            })
        })
        .collect();
    handles.into_iter().for_each(|h| {
        h.join();
    });
    let threads_ms = now_ms() - t0;

    let t0 = now_ms();
    let done = run_processes(
        names,
        "I/O: processes",
        "sleep",
        &vec![json!({ "ms": wait_ms }); k],
        wait_ms + CHILD_GRACE_MS,
    )?;
    let processes_ms = now_ms() - t0;
    let processes_start_ms = done
        .iter()
        .map(|(c, r)| r.started_at - c.started_at)
        .fold(0.0, f64::max);

    let mut el = EventLoop::new();
    let mut task_bytes = 0;
    for _ in 0..k {
        task_bytes = el.spawn(async move { aio::sleep(wait_ms).await });
    }
    let t0 = now_ms();
    el.run()?;
    let event_loop_ms = now_ms() - t0;
    trace::print(format!(
        "I/O: threads {}, processes {}, event loop {}",
        report::ms(threads_ms),
        report::ms(processes_ms),
        report::ms(event_loop_ms)
    ));
    Ok((
        Speeds {
            threads_ms,
            processes_ms,
            processes_start_ms,
            event_loop_ms,
        },
        task_bytes,
    ))
}

/// K pieces of `units` of work: K threads, K processes, K tasks on one loop (which run one after another).
fn measure_cpu(names: &mut Names, k: usize, units: u64, work_ms: f64) -> Result<Speeds, String> {
    trace::print(format!(
        "CPU: {k} tasks of about {} of work on each",
        report::ms(work_ms)
    ));
    let t0 = now_ms();
    let handles: Vec<_> = (0..k)
        .map(|_| {
            thread::spawn(names.thread("cpu_task"), "CPU: threads", move || {
                common::work(units)
            })
        })
        .collect();
    let mut checksum = 0u64;
    for h in handles {
        checksum = checksum.wrapping_add(h.join());
    }
    let threads_ms = now_ms() - t0;

    let t0 = now_ms();
    let done = run_processes(
        names,
        "CPU: processes",
        "work",
        &vec![json!({ "units": units }); k],
        work_ms * 20.0 + CHILD_GRACE_MS,
    )?;
    let processes_ms = now_ms() - t0;
    let processes_start_ms = done
        .iter()
        .map(|(c, r)| r.started_at - c.started_at)
        .fold(0.0, f64::max);
    let process_sum = done
        .iter()
        .fold(0u64, |acc, (_, r)| acc.wrapping_add(r.checksum));
    if process_sum != checksum {
        return Err("the processes computed a different result than the threads".into());
    }

    let sum = Rc::new(RefCell::new(0u64));
    let mut el = EventLoop::new();
    for _ in 0..k {
        let sum = sum.clone();
        el.spawn(async move {
            let v = common::work(units);
            let mut s = sum.borrow_mut();
            *s = s.wrapping_add(v);
        });
    }
    let t0 = now_ms();
    el.run()?;
    let event_loop_ms = now_ms() - t0;
    if *sum.borrow() != checksum {
        return Err("the event loop computed a different result than the threads".into());
    }
    trace::print(format!(
        "CPU: threads {}, processes {}, event loop {}",
        report::ms(threads_ms),
        report::ms(processes_ms),
        report::ms(event_loop_ms)
    ));
    Ok(Speeds {
        threads_ms,
        processes_ms,
        processes_start_ms,
        event_loop_ms,
    })
}

/// Milliseconds, or microseconds when below 0.1 ms.
fn fine_ms(v: f64) -> String {
    if v < 0.1 {
        format!("{:.2} µs", v * 1000.0)
    } else {
        report::ms(v)
    }
}

fn child_program(entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
    let started_at = now_ms();
    let checksum = match (entry, args["ms"].as_f64(), args["units"].as_u64()) {
        ("empty", _, _) => 0,
        ("sleep", Some(ms), _) if (0.0..=600_000.0).contains(&ms) => {
            sync::sleep_ms(ms);
            0
        }
        ("work", _, Some(units)) => common::work(units.min(1 << 40)),
        _ => {
            trace::print(format!("no child program {entry:?} with arguments {args}"));
            return 2;
        }
    };
    let report = ChildReport {
        started_at,
        finished_at: now_ms(),
        memory_bytes: own_memory_bytes(),
        checksum,
    };
    match serde_json::to_string(&report) {
        Ok(text) => {
            ctx.send(text);
            0
        }
        Err(_) => 1,
    }
}

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
            params: &[("tasks", 3), ("wait_ms", 200), ("work_ms", 10), ("time_scale", 100)],
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
                        format!("three waits of 0.2 s on {way} took {waits} s: they did not overlap")
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
        let k = params.get("tasks") as usize;
        let wait_ms = Scale::of(params).ms(params.get("wait_ms") as f64);
        let work_ms = params.get("work_ms") as f64;
        let mut names = Names::default();

        // The workloads first (their lanes are the timeline's first groups), then the many tiny starts.
        let (io, task_bytes) = measure_io(&mut names, k, wait_ms)?;
        let per_ms = common::units_per_ms();
        let units = (per_ms * work_ms).max(1.0) as u64;
        let cpu = measure_cpu(&mut names, k, units, work_ms)?;
        let starts = measure_start_costs(&mut names)?;

        let median = |v: &[f64]| spread(v).0;
        let thread_start = median(&starts.thread_ms);
        let process_start = median(&starts.process_first_instruction_ms);
        let process_join = median(&starts.process_join_ms);
        let task_start = median(&starts.task_ms);
        let process_memory =
            (!starts.process_memory_bytes.is_empty()).then(|| median(&starts.process_memory_bytes));

        // Every cell of the table that says "measured", by name.
        let mut measured = BTreeMap::new();
        measured.insert("thread_start_ms", thread_start);
        measured.insert("process_start_ms", process_start);
        measured.insert("process_start_join_ms", process_join);
        measured.insert("task_start_ms", task_start);
        if let Some(m) = process_memory {
            measured.insert("process_memory_bytes", m);
        }
        measured.insert("task_memory_bytes", task_bytes as f64);
        measured.insert("io_threads_ms", io.threads_ms);
        measured.insert("io_processes_ms", io.processes_ms);
        measured.insert("io_event_loop_ms", io.event_loop_ms);
        measured.insert("cpu_threads_ms", cpu.threads_ms);
        measured.insert("cpu_processes_ms", cpu.processes_ms);
        measured.insert("cpu_event_loop_ms", cpu.event_loop_ms);

        let row = |aspect: String, cells: [String; 3]| {
            let mut r = vec![aspect];
            r.extend(cells);
            r
        };
        let rows = vec![
            row(
                "Start cost (median)".into(),
                [
                    format!(
                        "{} — start + join an empty thread ({THREAD_SAMPLES} samples of {THREADS_PER_SAMPLE} in a row)",
                        fine_ms(thread_start)
                    ),
                    format!(
                        "{} to its first instruction, {} start → join ({PROCESS_SAMPLES} samples)",
                        report::ms(process_start),
                        report::ms(process_join)
                    ),
                    format!(
                        "{} — create + run an empty task ({TASK_BATCHES} batches of {TASKS_PER_BATCH})",
                        fine_ms(task_start)
                    ),
                ],
            ),
            row(
                "Memory per worker".into(),
                [
                    format!(
                        "{} stack in the shared memory (configured, not measured)",
                        report::bytes(THREAD_STACK_BYTES)
                    ),
                    process_memory.map_or("not measurable outside the browser".into(), |m| {
                        format!("{}: its own memory, measured in the child", report::bytes(m))
                    }),
                    format!("{task_bytes} B: the task's state on the heap (measured)"),
                ],
            ),
            row(
                "Data sharing".into(),
                [
                    "One memory: every thread sees the same objects; changes need locks".into(),
                    "Nothing shared: data goes through messages, serialized and copied (Queue, Pipe)".into(),
                    "One thread, one memory: tasks share objects and switch only at await".into(),
                ],
            ),
            row(
                format!("I/O: {k} waits of {}", report::ms(wait_ms)),
                [
                    report::ms(io.threads_ms),
                    format!("{} ({} of it starting)", report::ms(io.processes_ms), report::ms(io.processes_start_ms)),
                    report::ms(io.event_loop_ms),
                ],
            ),
            row(
                format!("CPU: {k} tasks of ~{}", report::ms(work_ms)),
                [
                    report::ms(cpu.threads_ms),
                    format!("{} ({} of it starting)", report::ms(cpu.processes_ms), report::ms(cpu.processes_start_ms)),
                    format!("{} (one after another)", report::ms(cpu.event_loop_ms)),
                ],
            ),
        ];
        let verdict = format!(
            "On this machine, starting a thread cost {}, a process {} ({:.0}× more), an event-loop task {}. \
             {k} waits of {}: threads {}, processes {}, one event loop {} — the waits overlap on all three. \
             {k} CPU tasks of ~{}: threads {}, processes {}, the event loop {} (it runs them one after another).",
            fine_ms(thread_start),
            report::ms(process_start),
            if thread_start > 0.0 { process_start / thread_start } else { 0.0 },
            fine_ms(task_start),
            report::ms(wait_ms),
            report::ms(io.threads_ms),
            report::ms(io.processes_ms),
            report::ms(io.event_loop_ms),
            report::ms(work_ms),
            report::ms(cpu.threads_ms),
            report::ms(cpu.processes_ms),
            report::ms(cpu.event_loop_ms),
        );
        let report = Report::new(verdict)
            .table(
                "Threads vs processes vs asyncio, measured in this run",
                &["", "Threads", "Processes", "asyncio (one event loop)"],
                rows,
            )
            .note(
                "A thread here is a job handed to a Web Worker that was started before the run and shares the \
                 program's memory, much as an OS thread is cheap to create. A process is a new Web Worker with a \
                 new WebAssembly instance and a memory of its own, so it is started from nothing each time. The \
                 event loop is a small asyncio-style loop in Rust on the main thread.",
            )
            .note(
                "The thread's memory is the stack wasm-bindgen gives every thread worker (2 MiB by default), \
                 not a measurement. The process's memory is read in the child (memory.size). The task's size is \
                 the bytes of its state machine, boxed on the heap.",
            )
            .note(
                "Threads here run in parallel like free-threaded Python (3.13t). Under CPython's GIL only one \
                 thread runs Python code at a time, so CPU-bound threads would take about as long as the event \
                 loop; processes would still run in parallel.",
            )
            .note(format!(
                "CPU work is a fixed number of steps, calibrated once on the main thread ({:.0} units per ms); \
                 all three approaches compute the same result, and the run checks that they do.",
                per_ms
            ));
        Ok(json!({
            "answer": answer(&cpu),
            "tasks": k,
            "wait_ms": wait_ms,
            "work_ms": work_ms,
            "units_per_task": units,
            "thread_stack_bytes_configured": THREAD_STACK_BYTES,
            "measured": measured,
            "start_costs": starts,
            "io": io,
            "cpu": cpu,
            "report": report,
        }))
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        child_program(entry, args, ctx)
    }
}

pub const QUESTION: Question = Question::choices(
    "On the CPU-bound tasks, which approach is slowest?",
    &[
        choice("threads", "Threads"),
        choice("processes", "Processes"),
        choice("event_loop", "One event loop (asyncio)"),
    ],
);

/// The slowest approach (ties within 5 %) on the CPU-bound tasks.
fn answer(cpu: &Speeds) -> Answer {
    question::best_answer(
        &[
            ("threads", cpu.threads_ms),
            ("processes", cpu.processes_ms),
            ("event_loop", cpu.event_loop_ms),
        ],
        Best::Max,
        format!(
            "CPU tasks: threads {}, processes {}, event loop {} (within 5 % of the slowest counts as a tie).",
            question::ms(cpu.threads_ms),
            question::ms(cpu.processes_ms),
            question::ms(cpu.event_loop_ms)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;

    #[test]
    fn every_measured_cell_is_positive_and_waits_overlap() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        bridge::reset();
        let prepared = prepare(&RunRequest {
            lesson: "compare".into(),
            params: json!({"tasks": 3, "wait_ms": 50, "work_ms": 10, "time_scale": 100}),
        })
        .unwrap();
        assert_eq!(prepared.threads_needed, 4);
        let outcome = run_thread_lesson(&prepared);
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let measured = v["measured"].as_object().unwrap();
        assert!(measured.len() >= 11, "{measured:?}");
        for (name, value) in measured {
            assert!(value.as_f64().unwrap() > 0.0, "{name} = {value}");
        }
        // Three waits of 50 ms overlap on threads and on the loop: well under 150 ms.
        assert!(v["io"]["threads_ms"].as_f64().unwrap() < 120.0);
        assert!(v["io"]["event_loop_ms"].as_f64().unwrap() < 120.0);
        assert!(v["io"]["event_loop_ms"].as_f64().unwrap() >= 50.0);
        let rows = v["report"]["tables"][0]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 5);
        assert!(rows[1][1]
            .as_str()
            .unwrap()
            .contains("configured, not measured"));
    }

    #[test]
    fn children_report_their_start_and_refuse_unknown_programs() {
        let mut sent = Vec::new();
        let mut send = |s: String| sent.push(s);
        let mut ctx = ChildContext {
            pid: 1,
            name: "Process-1".into(),
            send: &mut send,
        };
        assert_eq!(child_program("work", &json!({"units": 3}), &mut ctx), 0);
        assert_eq!(child_program("nope", &json!({}), &mut ctx), 2);
        let r: ChildReport = serde_json::from_str(&sent[0]).unwrap();
        assert_eq!(r.checksum, common::work(3));
        assert_eq!(sent.len(), 1);
    }
}
