//! Running the sweeps: the thread counts, the I/O and CPU runs, Amdahl's law and its fit.

use super::*;

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
pub(super) fn io_run(n: usize, tasks: usize, wait_ms: f64, pool_name: &str, group: &str) -> f64 {
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
pub(super) fn cpu_run(n: usize, units: u64, pool_name: &str, group: &str) -> (f64, u64) {
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

/// The two sweeps and what the report says about them.
pub(super) struct Sweep {
    pub(super) max_threads: usize,
    pub(super) io_tasks: usize,
    pub(super) io_ms: f64,
    pub(super) cpu_ms: f64,
    pub(super) cores: usize,
    pub(super) cores_source: &'static str,
    pub(super) counts: Vec<usize>,
    /// The CPU job's units of calibrated work, and how many one thread does in a ms.
    pub(super) units: u64,
    pub(super) per_ms: f64,
    pub(super) repeats: usize,
    pub(super) io: Vec<Point>,
    pub(super) cpu: Vec<Point>,
    /// Amdahl's parallel fraction, fitted to the CPU sweep.
    pub(super) p: Option<f64>,
}

/// The lesson's program: the I/O sweep, then the CPU sweep, then the fit and the report.
pub(super) fn run(params: &Params) -> Result<Value, String> {
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
    let (io, pools) = io_sweep(&counts, io_tasks, io_ms);
    let cpu = cpu_sweep(&counts, units, repeats, pools);
    let p = fit_parallel_fraction(&cpu, cores);
    let sweep = Sweep {
        max_threads,
        io_tasks,
        io_ms,
        cpu_ms,
        cores,
        cores_source,
        counts,
        units,
        per_ms,
        repeats,
        io,
        cpu,
        p,
    };
    let report = report_of(&sweep);
    let Sweep {
        io_tasks,
        io_ms,
        cores,
        cores_source,
        counts,
        units,
        per_ms,
        io,
        cpu,
        p,
        ..
    } = sweep;

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

/// The I/O sweep: `io_tasks` waits on a pool of each size; returns the points and the pools started.
fn io_sweep(counts: &[usize], io_tasks: usize, io_ms: f64) -> (Vec<Point>, usize) {
    let mut io = Vec::new();
    let mut pools = 0;
    for &n in counts {
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
    (io, pools)
}

/// The CPU sweep: the calibrated job split over each count of threads, `repeats` times.
fn cpu_sweep(counts: &[usize], units: u64, repeats: usize, mut pools: usize) -> Vec<Point> {
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
    counts
        .iter()
        .zip(cpu_samples)
        .map(|(&n, samples)| Point {
            threads: n,
            ms: samples.iter().copied().fold(f64::INFINITY, f64::min),
            samples,
        })
        .collect()
}
