//! Lesson "How many threads?" (curriculum row 12).
//!
//! The same sweep of thread counts (1, 2, 4, … up to a maximum) for two kinds of task:
//! - I/O-bound: T tasks that each really sleep, run on a pool of N threads. Waiting needs no core, so
//!   the time keeps falling as N grows, until there is one thread per task.
//! - CPU-bound: a fixed total amount of calibrated work split into N equal parts on N threads. Past the
//!   number of cores, more threads only take turns: the time stops falling.
//!
//! Amdahl's law is drawn beside the CPU curve, with its parallel fraction fitted to the measured times.

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::common::{cores_of, CORES};
use super::report::{self, Chart, Marker, Report, Series};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::executor::Executor;
use crate::engine::sync::sleep_ms;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct HowManyThreads;

/// The most thread count the sweep may reach (the engine runs at most this many threads at once, plus the
/// main thread).
pub const MAX_THREADS: i64 = 64;
/// The longest the I/O sweep's one-thread run may take at full scale (tasks × wait), in milliseconds.
pub const MAX_IO_TOTAL_MS: i64 = 20_000;

/// 1, 2, 4, … up to `max`, with `max` itself and each of `extra` (≤ `max`) added when missing; sorted.
pub fn doubling(max: usize, extra: &[usize]) -> Vec<usize> {
    let max = max.max(1);
    let mut counts: Vec<usize> = std::iter::successors(Some(1usize), |n| n.checked_mul(2))
        .take_while(|n| *n <= max)
        .collect();
    counts.push(max);
    counts.extend(extra.iter().copied().filter(|e| (1..=max).contains(e)));
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// One measured point of the sweep.
#[derive(Serialize, Clone, Debug)]
pub struct Point {
    pub threads: usize,
    /// The best (shortest) of the samples: other programs can only slow a run down.
    pub ms: f64,
    pub samples: Vec<f64>,
}

/// `T` sleeps of `wait_ms` on a pool of `n` threads; from creating the pool to its shutdown.
fn io_run(n: usize, tasks: usize, wait_ms: f64, pool_name: &str, group: &str) -> f64 {
    let t0 = now_ms();
    let pool = Executor::new(n, pool_name, group);
    let futures: Vec<_> = (0..tasks)
        .map(|_| pool.submit(move || Ok(sleep_ms(wait_ms))))
        .collect();
    for f in &futures {
        // A sleep cannot fail; the result only tells us it is done.
        let _ = f.result();
    }
    pool.shutdown();
    now_ms() - t0
}

/// `units` of work split into `n` equal parts on a pool of `n` threads. Returns the time and a checksum
/// of all the work (so none of it can be skipped).
fn cpu_run(n: usize, units: u64, pool_name: &str, group: &str) -> (f64, u64) {
    let t0 = now_ms();
    let pool = Executor::new(n, pool_name, group);
    let share = units / n as u64;
    let rest = units % n as u64;
    let futures: Vec<_> = (0..n as u64)
        .map(|i| {
            let mine = share + u64::from(i < rest);
            pool.submit(move || Ok(common::work(mine)))
        })
        .collect();
    let checksum = futures
        .iter()
        .filter_map(|f| f.result().ok())
        .fold(0u64, u64::wrapping_add);
    pool.shutdown();
    (now_ms() - t0, checksum)
}

/// Amdahl's law for a run on `threads` threads of a task with parallel fraction `p` that takes `t1` on
/// one thread, with at most `cores` threads really running at once.
pub fn amdahl_ms(t1: f64, p: f64, threads: usize, cores: usize) -> f64 {
    let running = threads.min(cores).max(1) as f64;
    t1 * ((1.0 - p) + p / running)
}

/// The parallel fraction `p` that best fits the measured times (least squares on
/// `1 − T(N)/T(1) = p · (1 − 1/min(N, cores))`), clamped to 0..1. `None` without a point that could
/// show any speedup (one core, or only one thread count).
pub fn fit_parallel_fraction(points: &[Point], cores: usize) -> Option<f64> {
    let t1 = points.iter().find(|p| p.threads == 1)?.ms;
    if t1 <= 0.0 {
        return None;
    }
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for p in points.iter().filter(|p| p.threads > 1) {
        let x = 1.0 - 1.0 / p.threads.min(cores).max(1) as f64;
        let y = 1.0 - p.ms / t1;
        sxy += x * y;
        sxx += x * x;
    }
    (sxx > 0.0).then(|| (sxy / sxx).clamp(0.0, 1.0))
}

const PYTHON: &str = r#"import concurrent.futures, os, time

SCALE = {time_scale} / 100   # the playground's time scale; 100 = real time
IO_TASKS, IO_WAIT = {io_tasks}, {io_ms} / 1000 * SCALE
CPU_TOTAL_MS = {cpu_ms}      # the CPU-bound job: this long on one thread
CORES = {cores} or os.cpu_count()

def io_task(_):
    time.sleep(IO_WAIT)      # waiting needs no core

def cpu_task(units):
    x = 1
    for _ in range(units):   # pure computation: needs a core all the time
        x = (x * 1103515245 + 12345) % 2**31
    return x

def calibrate(ms):           # how many loop steps take `ms` on one thread (measured once)
    start = time.perf_counter()
    cpu_task(100_000)
    return int(100_000 * ms / 1000 / (time.perf_counter() - start))

UNITS = calibrate(CPU_TOTAL_MS)

def timed(n, fn, items):
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(fn, items))
    return time.perf_counter() - start

n = 1
while n <= {max_threads}:
    io = timed(n, io_task, range(IO_TASKS))
    cpu = min(timed(n, cpu_task, [UNITS // n] * n)    # the same total work, split n ways;
              for _ in range({repeats}))            # best of a few runs, as timeit advises
    print(f"{n:3} threads: I/O {io:.2f} s, CPU {cpu:.2f} s")
    n *= 2
# Under CPython's GIL the CPU-bound time would not fall at all; the playground's threads run in
# parallel, as on free-threaded Python (3.13t), so it falls until the core count.
"#;

impl Lesson for HowManyThreads {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[
                ("max_threads", 4),
                ("io_tasks", 8),
                ("io_ms", 50),
                ("cpu_ms", 50),
                ("repeats", 1),
            ],
            gil: true,
            claim: |run| {
                let one = number_after(run, "1 threads: I/O")?;
                let four = number_after(run, "4 threads: I/O")?;
                claim(four < 0.5 * one, || {
                    format!("I/O on 4 threads took {four} s, on 1 thread {one} s")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "how-many-threads",
            title: "How many threads?",
            group: "Choosing an approach",
            curriculum_row: 12,
            engine: EngineKind::Threads,
            summary: "The same sweep of thread counts for two jobs. An I/O-bound job (tasks that wait) keeps \
                getting faster with more threads, because a waiting thread needs no core. A CPU-bound job \
                (a fixed amount of computation split over the threads) gets faster only up to the number \
                of cores; past it the threads just take turns. Amdahl's law, with its parallel fraction \
                fitted to your measurement, is drawn beside the CPU curve. The threads run in parallel, \
                as on free-threaded Python; under CPython's GIL the CPU curve would stay flat.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "max_threads",
                    "Most threads",
                    1,
                    MAX_THREADS,
                    16,
                    "The sweep runs 1, 2, 4, … threads up to this many (and the core count).",
                ),
                ParamSpec::int("io_tasks", "I/O tasks", 1, 256, 32, "How many waiting tasks the I/O-bound job has."),
                ParamSpec::int("io_ms", "Wait per I/O task (ms)", 1, 2000, 50, "How long each I/O task waits (a real sleep)."),
                ParamSpec::int(
                    "cpu_ms",
                    "CPU job (ms on one thread)",
                    10,
                    5000,
                    500,
                    "The CPU-bound job's size, as the time it takes on one thread (calibrated once per run).",
                ),
                ParamSpec::int(
                    "repeats",
                    "CPU runs per count",
                    1,
                    9,
                    3,
                    "The CPU sweep is repeated; the best run of each count is kept (as timeit advises).",
                ),
                CORES,
                common::TIME_SCALE,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let (tasks, wait) = (params.get("io_tasks"), params.get("io_ms"));
        if tasks * wait > MAX_IO_TOTAL_MS {
            let capped = (MAX_IO_TOTAL_MS / wait).max(1);
            notices.push(format!(
                "{tasks} tasks × {wait} ms is more than {} s of waiting on one thread; using {capped} tasks.",
                MAX_IO_TOTAL_MS / 1000
            ));
            params.set("io_tasks", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("max_threads") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let max_threads = params.get("max_threads") as usize;
        let io_tasks = params.get("io_tasks") as usize;
        let io_ms = Scale::of(params).ms(params.get("io_ms") as f64);
        let cpu_ms = params.get("cpu_ms") as f64;
        let (cores, cores_source) = cores_of(params);
        let counts = doubling(max_threads, &[cores]);

        let per_ms = common::units_per_ms();
        let units = (cpu_ms * per_ms).round().max(1.0) as u64;
        crate::engine::trace::print(format!(
            "calibrated: {per_ms:.1} units of work per ms; the CPU job is {units} units; {cores} cores ({cores_source})"
        ));

        let repeats = params.get("repeats") as usize;
        let mut io = Vec::new();
        let mut pools = 0;
        for &n in &counts {
            let io_time = io_run(
                n,
                io_tasks,
                io_ms,
                &format!("ThreadPoolExecutor-{pools}"),
                &format!("I/O, {n} threads"),
            );
            pools += 1;
            crate::engine::trace::print(format!("I/O, {n:>2} threads: {}", report::ms(io_time)));
            io.push(Point {
                threads: n,
                ms: io_time,
                samples: vec![io_time],
            });
        }
        // The CPU sweep runs `repeats` times over all counts, so a burst of load from other programs
        // falls on one sample of each count, not on every sample of one count.
        let mut cpu_samples: Vec<Vec<f64>> = vec![Vec::new(); counts.len()];
        for run in 1..=repeats {
            for (k, &n) in counts.iter().enumerate() {
                let group = if repeats > 1 {
                    format!("CPU, {n} threads, run {run}")
                } else {
                    format!("CPU, {n} threads")
                };
                let (cpu_time, checksum) =
                    cpu_run(n, units, &format!("ThreadPoolExecutor-{pools}"), &group);
                pools += 1;
                // The checksum depends on every unit, so no part of the work can be optimised away.
                std::hint::black_box(checksum);
                crate::engine::trace::print(format!(
                    "CPU, {n:>2} threads, run {run}: {}",
                    report::ms(cpu_time)
                ));
                cpu_samples[k].push(cpu_time);
            }
        }
        let cpu: Vec<Point> = counts
            .iter()
            .zip(cpu_samples)
            .map(|(&n, samples)| Point {
                threads: n,
                ms: samples.iter().copied().fold(f64::INFINITY, f64::min),
                samples,
            })
            .collect();
        let p = fit_parallel_fraction(&cpu, cores);
        let cpu1 = cpu.first().map_or(0.0, |p| p.ms);
        let io1 = io.first().map_or(0.0, |p| p.ms);
        let at = |points: &[Point], n: usize| points.iter().find(|p| p.threads == n).map(|p| p.ms);

        let amdahl: Vec<(f64, f64)> = match p {
            Some(p) => (1..=max_threads)
                .map(|n| (n as f64, amdahl_ms(cpu1, p, n, cores)))
                .collect(),
            None => Vec::new(),
        };
        let best_cpu = cpu
            .iter()
            .min_by(|a, b| a.ms.total_cmp(&b.ms))
            .map_or((1, cpu1), |p| (p.threads, p.ms));
        let last_io = io.last().map_or((1, io1), |p| (p.threads, p.ms));
        let last_cpu = cpu.last().map_or((1, cpu1), |p| (p.threads, p.ms));

        let mut verdict = format!(
            "I/O-bound: {io_tasks} waits of {} took {} on 1 thread and {} on {} threads ({:.1}× faster). \
             CPU-bound: {} of work took {} on 1 thread, {} at best (on {} threads), and {} on {} threads",
            report::ms(io_ms),
            report::ms(io1),
            report::ms(last_io.1),
            last_io.0,
            io1 / last_io.1.max(0.001),
            report::ms(cpu_ms),
            report::ms(cpu1),
            report::ms(best_cpu.1),
            best_cpu.0,
            report::ms(last_cpu.1),
            last_cpu.0,
        );
        match at(&cpu, cores) {
            Some(at_cores) if last_cpu.0 > cores => verdict.push_str(&format!(
                "; past the {cores} cores more threads did not help ({} at {cores} threads).",
                report::ms(at_cores)
            )),
            _ => verdict.push('.'),
        }

        let rows = counts
            .iter()
            .map(|&n| {
                let io_t = at(&io, n).unwrap_or(0.0);
                let cpu_t = at(&cpu, n).unwrap_or(0.0);
                vec![
                    n.to_string(),
                    report::ms(io_t),
                    format!("{:.1}×", io1 / io_t.max(0.001)),
                    report::ms(cpu_t),
                    format!("{:.2}×", cpu1 / cpu_t.max(0.001)),
                    cpu.iter()
                        .find(|p| p.threads == n)
                        .map_or_else(String::new, |p| report::spread_text(&p.samples)),
                    p.map_or("–".into(), |p| report::ms(amdahl_ms(cpu1, p, n, cores))),
                ]
            })
            .collect();

        let mut chart = Chart {
            title: "Time vs number of threads".into(),
            x_label: "threads".into(),
            y_label: "ms".into(),
            series: vec![
                Series {
                    name: format!("I/O-bound ({io_tasks} waits), measured"),
                    style: "measured",
                    points: io.iter().map(|p| (p.threads as f64, p.ms)).collect(),
                },
                Series {
                    name: "CPU-bound, measured".into(),
                    style: "measured",
                    points: cpu.iter().map(|p| (p.threads as f64, p.ms)).collect(),
                },
            ],
            markers: vec![Marker {
                x: cores as f64,
                label: format!("cores = {cores}"),
            }],
        };
        if let Some(p) = p {
            chart.series.push(Series {
                name: format!("Amdahl's law, p = {p:.3} (fitted)"),
                style: "model",
                points: amdahl,
            });
        }

        let mut report = Report::new(verdict)
            .table(
                "Measured time per thread count (each from creating the pool to its shutdown)",
                &[
                    "threads",
                    "I/O-bound",
                    "speedup",
                    "CPU-bound (best run)",
                    "speedup",
                    "CPU runs: median (range)",
                    "Amdahl (model)",
                ],
                rows,
            )
            .chart(chart)
            .note(format!(
                "Cores: {cores}, {cores_source}. In the browser the engine reads navigator.hardwareConcurrency; \
                 set the parameter to override it."
            ));
        report = match p {
            Some(p) => report.note(format!(
                "Amdahl's law: time(N) = T1 × ((1 − p) + p / min(N, cores)), with T1 = {} measured on one \
                 thread and the parallel fraction p = {p:.3} fitted to the measured CPU times (least squares). \
                 It is a model drawn from your numbers, not a measurement.",
                report::ms(cpu1)
            )),
            None => report.note(
                "Amdahl's law needs at least two thread counts on at least two cores to fit its parallel \
                 fraction; this run had none, so no curve is drawn.",
            ),
        };
        report = report.note(format!(
            "The CPU job is {units} units of calibrated work ({per_ms:.1} units/ms on one thread), split into \
             equal parts; it never watches the clock, so on fewer cores than threads it really takes longer. \
             Each count ran {repeats} time(s), the counts taking turns; the best run is plotted, because \
             other programs on the machine can only slow a run down."
        ));

        Ok(json!({
            "report": report,
            "answer": answer(&io, io_tasks),
            "cores": cores,
            "cores_source": cores_source,
            "counts": counts,
            "io": io,
            "cpu": cpu,
            "io_tasks": io_tasks,
            "io_wait_ms": io_ms,
            "cpu_units": units,
            "units_per_ms": per_ms,
            "amdahl_p": p,
        }))
    }
}

pub const QUESTION: Question = Question::choices(
    "The I/O-bound job: how much faster will it be on the most threads than on one?",
    &[
        choice("little", "Under 2×"),
        choice("some", "2× to 8×"),
        choice("lots", "More than 8×"),
    ],
);

/// From the I/O sweep: one thread against the most threads (the last count).
fn answer(io: &[Point], io_tasks: usize) -> Answer {
    let one = io.iter().position(|p| p.threads == 1);
    let most = io.len().checked_sub(1);
    let (Some(one), Some(most)) = (one, most) else {
        return Answer::cannot("This run tried only one thread count.");
    };
    if one == most {
        return Answer::cannot("This run tried only one thread count.");
    }
    let (one, most) = (&io[one], &io[most]);
    let r = one.ms / most.ms;
    Answer::choice(
        question::band(r, &[2.0, 8.0], &["little", "some", "lots"]),
        format!(
            "{io_tasks} waits took {} on 1 thread and {} on {}: {} faster.",
            question::ms(one.ms),
            question::ms(most.ms),
            most.threads,
            question::times(r)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::prepare;
    use crate::protocol::RunRequest;

    fn run(params: Value) -> crate::protocol::RunOutcome {
        crate::lessons::run_for_test("how-many-threads", params)
    }

    #[test]
    fn doubling_counts_include_the_maximum_and_the_cores() {
        assert_eq!(doubling(16, &[2]), vec![1, 2, 4, 8, 16]);
        assert_eq!(doubling(12, &[6]), vec![1, 2, 4, 6, 8, 12]);
        assert_eq!(doubling(4, &[8]), vec![1, 2, 4]);
        assert_eq!(doubling(1, &[1]), vec![1]);
    }

    #[test]
    fn amdahl_fit_recovers_a_known_fraction() {
        let cores = 4;
        let points: Vec<Point> = [1, 2, 4, 8]
            .iter()
            .map(|&n| Point {
                threads: n,
                ms: amdahl_ms(1000.0, 0.9, n, cores),
                samples: Vec::new(),
            })
            .collect();
        let p = fit_parallel_fraction(&points, cores).unwrap();
        assert!((p - 0.9).abs() < 1e-9, "{p}");
        assert_eq!(
            fit_parallel_fraction(&points, 1),
            None,
            "one core shows no speedup"
        );
        assert_eq!(fit_parallel_fraction(&points[..1], 4), None);
    }

    #[test]
    fn io_keeps_falling_and_cpu_does_all_its_work() {
        let outcome = run(json!({
            "max_threads": 8, "io_tasks": 16, "io_ms": 40, "cpu_ms": 60, "repeats": 1, "cores": 2, "time_scale": 100
        }));
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert_eq!(v["counts"], json!([1, 2, 4, 8]));
        let io: Vec<f64> = v["io"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["ms"].as_f64().unwrap())
            .collect();
        // 16 waits of 40 ms: 640 ms on one thread, 80 ms on eight.
        assert!(io[0] >= 640.0, "{io:?}");
        assert!(io[3] >= 80.0 && io[3] < 0.4 * io[0], "{io:?}");
        assert!(
            io.windows(2).all(|w| w[1] < w[0]),
            "I/O time falls with each doubling: {io:?}"
        );
        // Every split did the same total work: same unit count, all of it computed.
        let units = v["cpu_units"].as_u64().unwrap();
        assert!(units >= 1);
        assert_eq!(v["cpu"].as_array().unwrap().len(), 4);
        assert_eq!(v["cores"], 2);
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("I/O-bound: 16 waits"));
        // Pool threads are named as Python names them, one pool per measurement.
        assert!(outcome
            .lanes
            .iter()
            .any(|l| l.name == "ThreadPoolExecutor-0_0"));
        assert!(outcome
            .lanes
            .iter()
            .any(|l| l.name == "ThreadPoolExecutor-7_7"));
    }

    #[test]
    fn the_detected_core_count_is_used_when_the_parameter_is_zero() {
        let prepared = prepare(&RunRequest {
            lesson: "how-many-threads".into(),
            params: json!({"cores": 0, "max_threads": 64}),
        })
        .unwrap();
        let (cores, source) = cores_of(&prepared.params);
        assert_eq!(Some(cores), common::engine_cores());
        assert!(source.contains("available_parallelism"), "{source}");
        assert_eq!(prepared.threads_needed, 65);
    }

    #[test]
    fn io_waiting_is_capped_with_a_notice() {
        let prepared = prepare(&RunRequest {
            lesson: "how-many-threads".into(),
            params: json!({"io_tasks": 256, "io_ms": 2000}),
        })
        .unwrap();
        assert_eq!(prepared.params.get("io_tasks"), 10);
        assert_eq!(prepared.notices.len(), 1);
    }
}
