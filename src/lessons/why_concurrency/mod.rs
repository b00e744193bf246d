//! Lesson "Why concurrency at all" (curriculum row 19).
//!
//! N items, each a wait (reading it) followed by CPU work (computing on it), scaled down by the time scale,
//! run three ways:
//! - sequential: read, compute, read, compute, … on one thread;
//! - overlapped: a reader thread reads the next item while the main thread computes this one (2 threads);
//! - parallel: one thread per core, each reading and computing its share of the items.
//!
//! Beside the measured runs, the tutorial's full-scale job (10,000 items of 0.1 s + 1 s) is computed,
//! labelled as arithmetic, not measured.

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Best, Question};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::common::{cores_of, CORES};
use super::how_many_threads::MAX_THREADS;
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::executor::Executor;
use crate::engine::primitives::Queue;
use crate::engine::sync::sleep_ms;
use crate::engine::{thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct WhyConcurrency;

/// The tutorial's job: this many items.
pub const FULL_ITEMS: u64 = 10_000;
/// The longest the sequential run may take at this run's scale (ms).
pub const MAX_SEQUENTIAL_MS: f64 = 30_000.0;

/// One measured way of doing the job.
#[derive(Serialize, Clone, Debug)]
pub struct Run {
    pub mode: &'static str,
    pub threads: usize,
    pub ms: f64,
    /// Items computed (all of them, or the run is wrong).
    pub items_done: usize,
}

/// The job at the tutorial's full scale, in seconds: arithmetic, not a measurement.
#[derive(Serialize, Clone, Debug)]
pub struct Computed {
    pub items: u64,
    pub sequential_s: f64,
    pub overlapped_s: f64,
    pub parallel_s: f64,
}

/// Time for `n` items of `read` + `compute` ms: sequentially, overlapped (read the next while computing
/// this), and parallel on `cores` threads (each doing whole items).
pub fn arithmetic(n: u64, read: f64, compute: f64, cores: usize) -> (f64, f64, f64) {
    let n_f = n as f64;
    let sequential = n_f * (read + compute);
    let overlapped = if n == 0 {
        0.0
    } else {
        read + (n_f - 1.0) * read.max(compute) + compute
    };
    let parallel = n.div_ceil(cores.max(1) as u64) as f64 * (read + compute);
    (sequential, overlapped, parallel)
}

fn read_item(read_ms: f64) {
    if read_ms > 0.0 {
        sleep_ms(read_ms);
    }
}

fn compute_item(units: u64) -> u64 {
    common::work(units)
}

fn sequential(items: usize, read_ms: f64, units: u64) -> Run {
    let t0 = now_ms();
    let mut sum = 0u64;
    for _ in 0..items {
        read_item(read_ms);
        sum = sum.wrapping_add(compute_item(units));
    }
    std::hint::black_box(sum);
    Run {
        mode: "sequential",
        threads: 1,
        ms: now_ms() - t0,
        items_done: items,
    }
}

/// A reader thread reads items into a queue of one; the main thread computes each as it arrives.
fn overlapped(items: usize, read_ms: f64, units: u64) -> Run {
    let t0 = now_ms();
    let queue: Arc<Queue<Option<usize>>> = Arc::new(Queue::new(1));
    let q = queue.clone();
    let reader = thread::spawn("Thread-1 (reader)", "overlapped", move || {
        for i in 0..items {
            read_item(read_ms);
            q.put(Some(i));
        }
        q.put(None);
    });
    let mut done = 0;
    let mut sum = 0u64;
    while let (Some(Some(_)), _) = queue.get(None) {
        sum = sum.wrapping_add(compute_item(units));
        done += 1;
    }
    reader.join();
    std::hint::black_box(sum);
    Run {
        mode: "overlapped",
        threads: 2,
        ms: now_ms() - t0,
        items_done: done,
    }
}

/// `ThreadPoolExecutor(max_workers=cores)`: each thread reads and computes whole items.
fn parallel(items: usize, read_ms: f64, units: u64, threads: usize) -> Run {
    let t0 = now_ms();
    let pool = Executor::new(threads, "ThreadPoolExecutor-0", "parallel");
    let futures: Vec<_> = (0..items)
        .map(|_| {
            pool.submit(move || {
                read_item(read_ms);
                Ok(compute_item(units))
            })
        })
        .collect();
    let done = futures.iter().filter(|f| f.result().is_ok()).count();
    pool.shutdown();
    Run {
        mode: "parallel",
        threads,
        ms: now_ms() - t0,
        items_done: done,
    }
}

/// Seconds as text: "11,000 s (3.1 hours)".
fn seconds(s: f64) -> String {
    let whole = s.round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if s >= 3600.0 {
        format!("{grouped} s ({:.1} hours)", s / 3600.0)
    } else if s >= 60.0 {
        format!("{grouped} s ({:.1} minutes)", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

const PYTHON: &str = r#"import concurrent.futures, os, queue, threading, time

SCALE = {time_scale} / 100   # the playground's time scale; 100 = the tutorial's own timing
ITEMS = {items}              # the tutorial has 10,000
READ = {read_ms} / 1000 * SCALE      # waiting for each item (disk, network)
COMPUTE = {compute_ms} / 1000 * SCALE   # then CPU work on it
CORES = {cores} or os.cpu_count()

def spin(units):                 # pure computation: needs a core all the time
    x = 1
    for _ in range(units):
        x = (x * 1103515245 + 12345) % 2**31
    return x

start = time.perf_counter(); spin(100_000)   # calibrate once: a fixed amount of work
UNITS = int(100_000 * COMPUTE / (time.perf_counter() - start))

def read(i):
    time.sleep(READ)

def compute(i):
    spin(UNITS)

# 1. sequential: ITEMS × (READ + COMPUTE)
start = time.perf_counter()
for i in range(ITEMS):
    read(i)
    compute(i)
print(f"1. sequential: {time.perf_counter() - start:.2f} s")

# 2. overlapped: read the next item while computing this one
start = time.perf_counter()
q = queue.Queue(maxsize=1)
def reader():
    for i in range(ITEMS):
        read(i)
        q.put(i)
    q.put(None)
threading.Thread(target=reader).start()
while (i := q.get()) is not None:
    compute(i)
print(f"2. overlapped: {time.perf_counter() - start:.2f} s")

# 3. parallel: one thread per core, each reads and computes whole items
def both(i):
    read(i)
    compute(i)
start = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(max_workers=CORES) as pool:
    list(pool.map(both, range(ITEMS)))
print(f"3. parallel: {time.perf_counter() - start:.2f} s")
# Under CPython's GIL, run 3 needs processes (ProcessPoolExecutor) to compute in parallel.
"#;

impl Lesson for WhyConcurrency {
    fn python_check(&self) -> PythonCheck {
        // Reads and computations of 0.2 s each (at the default 10 % scale, 10 and 20 ms once made the
        // overlap lose to noise): one after another about 1.6 s, overlapped about 1.0 s.
        PythonCheck::Runs {
            params: &[("items", 4), ("read_ms", 200), ("compute_ms", 200), ("time_scale", 100)],
            gil: true,
            claim: |run| {
                let sequential = number_after(run, "1. sequential:")?;
                let overlapped = number_after(run, "2. overlapped:")?;
                number_after(run, "3. parallel:")?;
                claim(overlapped < 0.95 * sequential, || {
                    format!(
                        "reading while computing took {overlapped} s, sequential {sequential} s"
                    )
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "why-concurrency",
            title: "Why concurrency at all",
            group: "Choosing an approach",
            curriculum_row: 19,
            engine: EngineKind::Threads,
            summary: "A job of many items, each a short wait (reading it) and then a long computation. One \
                after another, the tutorial's 10,000 items take over three hours. Reading the next item \
                while computing this one hides the waits; computing on every core divides the whole. The \
                run is scaled down (10 % by default, and a few items); the full-scale totals are computed \
                beside it, and labelled as such.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("items", "Items", 1, 64, 8, "How many items this run processes (the tutorial: 10,000)."),
                ParamSpec::int("read_ms", "Read per item (ms)", 0, 5000, 100, "Waiting for each item, at full scale."),
                ParamSpec::int(
                    "compute_ms",
                    "Compute per item (ms)",
                    0,
                    10_000,
                    1000,
                    "CPU work per item, at full scale (calibrated, then a fixed amount of work).",
                ),
                CORES,
                ParamSpec {
                    default: 10,
                    ..common::TIME_SCALE
                },
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let scale = Scale::of(params);
        let per_item = scale.ms((params.get("read_ms") + params.get("compute_ms")) as f64);
        let items = params.get("items");
        if per_item * items as f64 > MAX_SEQUENTIAL_MS {
            let capped = ((MAX_SEQUENTIAL_MS / per_item) as i64).max(1);
            notices.push(format!(
                "{items} items of {} each is more than {} s sequentially; using {capped} items.",
                report::ms(per_item),
                MAX_SEQUENTIAL_MS / 1000.0
            ));
            params.set("items", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        let (cores, _) = cores_of(params);
        cores
            .min(params.get("items") as usize)
            .clamp(2, MAX_THREADS as usize)
            + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let items = params.get("items") as usize;
        let scale = Scale::of(params);
        let read_full = params.get("read_ms") as f64;
        let compute_full = params.get("compute_ms") as f64;
        let read_ms = scale.ms(read_full);
        let compute_ms = scale.ms(compute_full);
        let (cores, cores_source) = cores_of(params);
        let workers = cores.min(items).clamp(1, MAX_THREADS as usize);

        let per_ms = common::units_per_ms();
        let units = (compute_ms * per_ms).round() as u64;
        trace::print(format!(
            "calibrated: {per_ms:.1} units of work per ms; each item is {} of reading and {units} units \
             ({}) of computing; {cores} cores ({cores_source})",
            report::ms(read_ms),
            report::ms(compute_ms)
        ));

        let runs = vec![
            sequential(items, read_ms, units),
            overlapped(items, read_ms, units),
            parallel(items, read_ms, units, workers),
        ];
        for r in &runs {
            trace::print(format!("{}: {items} items in {}", r.mode, report::ms(r.ms)));
        }
        let seq = runs[0].ms;

        let (e_seq, e_over, e_par) = arithmetic(items as u64, read_ms, compute_ms, workers);
        let (f_seq, f_over, f_par) = arithmetic(FULL_ITEMS, read_full, compute_full, cores);
        let full = Computed {
            items: FULL_ITEMS,
            sequential_s: f_seq / 1000.0,
            overlapped_s: f_over / 1000.0,
            parallel_s: f_par / 1000.0,
        };

        let label = |r: &Run| match r.mode {
            "sequential" => "sequential (1 thread)".to_string(),
            "overlapped" => "overlapped (reader + computer)".to_string(),
            _ => format!("parallel ({} threads, one per core)", r.threads),
        };
        let expected = [e_seq, e_over, e_par];
        let full_s = [full.sequential_s, full.overlapped_s, full.parallel_s];
        let rows = runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    label(r),
                    report::ms(r.ms),
                    format!("{:.2}×", seq / r.ms.max(0.001)),
                    report::ms(expected[i]),
                    seconds(full_s[i]),
                ]
            })
            .collect();

        let verdict = format!(
            "{items} items of {} reading + {} computing: sequential took {}, overlapped {} ({:.0} % of \
             sequential), parallel on {workers} threads {} ({:.0} %). At the tutorial's scale, 10,000 items \
             one after another would take 10,000 × ({} + {}) = {} — computed, not measured.",
            report::ms(read_ms),
            report::ms(compute_ms),
            report::ms(seq),
            report::ms(runs[1].ms),
            100.0 * runs[1].ms / seq.max(0.001),
            report::ms(runs[2].ms),
            100.0 * runs[2].ms / seq.max(0.001),
            seconds(read_full / 1000.0),
            seconds(compute_full / 1000.0),
            seconds(full.sequential_s),
        );
        let report = Report::new(verdict)
            .table(
                format!(
                    "Measured at {} % time scale with {items} items, beside the arithmetic",
                    (scale.0 * 100.0).round()
                ),
                &[
                    "approach",
                    "measured",
                    "vs sequential",
                    "expected (arithmetic, this run)",
                    "10,000 items at full scale (computed)",
                ],
                rows,
            )
            .note(format!(
                "Computed, not measured: the last column is arithmetic for 10,000 items of {} + {}: \
                 sequential N × (read + compute); overlapped read + (N − 1) × max(read, compute) + compute; \
                 parallel ⌈N / cores⌉ × (read + compute) with {cores} cores.",
                seconds(read_full / 1000.0),
                seconds(compute_full / 1000.0)
            ))
            .note(format!(
                "Measured: each item really waits {} (a real sleep) and then does {units} units of \
                 calibrated work ({per_ms:.1} units/ms on one thread). Cores: {cores}, {cores_source}.",
                report::ms(read_ms)
            ))
            .note(
                "Overlapping hides only the reading: with compute ≫ read it saves little. Parallel threads \
                 divide the computing too; under CPython's GIL that takes processes, not threads.",
            );

        Ok(json!({
            "report": report,
            "answer": answer(&runs),
            "items": items,
            "read_ms": read_ms,
            "compute_ms": compute_ms,
            "cores": cores,
            "cores_source": cores_source,
            "units_per_item": units,
            "runs": runs,
            "expected_ms": {"sequential": e_seq, "overlapped": e_over, "parallel": e_par},
            "full_scale": full,
        }))
    }
}

pub const QUESTION: Question = Question::choices(
    "Each item is read (a wait) and then computed. Which finishes first?",
    &[
        choice("sequential", "One after another"),
        choice("overlapped", "Overlapped: read the next while computing"),
        choice("parallel", "In parallel on the cores"),
    ],
);

/// The fastest way (ties within 5 %) of the three measured runs.
fn answer(runs: &[Run]) -> Answer {
    let entries: Vec<(&'static str, f64)> = runs.iter().map(|r| (r.mode, r.ms)).collect();
    let shown: Vec<String> = runs
        .iter()
        .map(|r| format!("{} {}", r.mode, question::ms(r.ms)))
        .collect();
    question::best_answer(
        &entries,
        Best::Min,
        format!(
            "{} (within 5 % of the fastest counts as a tie).",
            shown.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;

    #[test]
    fn the_tutorials_job_is_eleven_thousand_seconds() {
        let (seq, over, par) = arithmetic(10_000, 100.0, 1000.0, 2);
        assert_eq!(seq, 11_000_000.0);
        assert_eq!(over, 100.0 + 9_999.0 * 1000.0 + 1000.0);
        assert_eq!(par, 5_000.0 * 1100.0);
        assert_eq!(seconds(11_000.0), "11,000 s (3.1 hours)");
    }

    #[test]
    fn overlapping_and_parallel_runs_beat_sequential_and_do_every_item() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "why-concurrency".into(),
            params: json!({"items": 6, "read_ms": 400, "compute_ms": 200, "cores": 2, "time_scale": 10}),
        })
        .unwrap();
        assert_eq!(prepared.threads_needed, 3);
        trace::reset();
        let outcome = run_thread_lesson(&prepared);
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let runs = v["runs"].as_array().unwrap();
        let ms: Vec<f64> = runs.iter().map(|r| r["ms"].as_f64().unwrap()).collect();
        for r in runs {
            assert_eq!(r["items_done"], 6);
        }
        // 6 × (40 + 20) = 360 ms sequentially, at least the 240 ms of reading.
        assert!(ms[0] >= 240.0, "{ms:?}");
        assert!(ms[1] < ms[0], "overlapped hides the reading: {ms:?}");
        assert_eq!(v["full_scale"]["sequential_s"], 10_000.0 * 0.6);
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("computed, not measured"));
        assert!(outcome.lanes.iter().any(|l| l.name == "Thread-1 (reader)"));
        assert!(outcome
            .lanes
            .iter()
            .any(|l| l.name == "ThreadPoolExecutor-0_1"));
    }

    #[test]
    fn the_default_scale_is_ten_percent_and_long_runs_are_capped() {
        let p = prepare(&RunRequest {
            lesson: "why-concurrency".into(),
            params: json!({}),
        })
        .unwrap();
        assert_eq!(p.params.get("time_scale"), 10);
        assert!(p.notices.is_empty());
        let p = prepare(&RunRequest {
            lesson: "why-concurrency".into(),
            params: json!({"items": 64, "compute_ms": 10_000, "time_scale": 100}),
        })
        .unwrap();
        assert_eq!(p.params.get("items"), 2);
        assert_eq!(p.notices.len(), 1);
    }
}
