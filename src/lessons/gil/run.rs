//! Running the tasks: the CPU and I/O tasks sequentially, on 2 threads under each build and on 2 processes.

use super::*;
use crate::engine::names::thread_name;

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
pub(super) fn cpu_task(units: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..units {
        acc = acc.wrapping_add(common::work_unit(i));
        gil::checkpoint();
    }
    acc
}

/// Runs `task` twice on two threads (named as Python names them) and joins them; returns the milliseconds.
pub(super) fn on_two_threads(
    group: &str,
    names: &mut u32,
    target: &str,
    task: impl Fn() + Send + Sync + Copy + 'static,
) -> f64 {
    let t0 = now_ms();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            *names += 1;
            thread::spawn(thread_name(*names, &target), group, task)
        })
        .collect();
    handles.into_iter().for_each(thread::JoinHandle::join);
    now_ms() - t0
}

/// Runs `task` twice, one after the other, on one thread drawn in `group`.
pub(super) fn sequentially(
    group: &str,
    label: &str,
    task: impl Fn() + Send + Copy + 'static,
) -> f64 {
    let t0 = now_ms();
    thread::spawn(label, group, move || {
        task();
        task();
    })
    .join();
    now_ms() - t0
}

/// Starts two processes that each run the CPU task under their own GIL, and joins them.
pub(super) fn on_two_processes(
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
pub(super) struct BuildSamples {
    cpu_threads: Vec<f64>,
    io_threads: Vec<f64>,
    gil: Vec<GilStats>,
}

/// Every sample the rounds took, before their medians.
struct Samples {
    names: u32,
    cpu_seq: Vec<f64>,
    io_seq: Vec<f64>,
    cpu_proc: Vec<f64>,
    by_build: Vec<BuildSamples>,
}

impl Samples {
    /// Round `r` of `repeats`: the CPU tasks on threads under each build, sequentially and on processes,
    /// then the I/O tasks sequentially and on threads under each build.
    fn round(
        &mut self,
        r: usize,
        repeats: usize,
        builds: &[Interpreter],
        units: u64,
        io_ms: f64,
        switch_ms: i64,
    ) -> Result<(), String> {
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
                on_two_threads(&group, &mut self.names, "cpu_task", move || {
                    std::hint::black_box(cpu_task(units));
                })
            });
            trace::print(format!(
                "CPU, 2 threads, {}: {ms:.0} ms (GIL switches {}, forced drops {})",
                build.label(),
                stats.switches,
                stats.forced_drops
            ));
            self.by_build[b].cpu_threads.push(ms);
            self.by_build[b].gil.push(stats);
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
        self.cpu_seq.push(ms);
        let ms = on_two_processes(&run("CPU: 2 processes"), &mut self.names, units, switch_ms)?;
        trace::print(format!("CPU, 2 processes: {ms:.0} ms"));
        self.cpu_proc.push(ms);

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
        self.io_seq.push(ms);
        for (b, build) in builds.iter().enumerate() {
            let group = run(&format!("I/O: 2 threads, {}", build.label()));
            let (ms, _) = gil::run_with(*build, || {
                on_two_threads(&group, &mut self.names, "io_task", move || {
                    sync::sleep_ms(io_ms);
                })
            });
            trace::print(format!("I/O, 2 threads, {}: {ms:.0} ms", build.label()));
            self.by_build[b].io_threads.push(ms);
        }
        Ok(())
    }
}

/// The lesson's program: `repeats` rounds of every way, then the medians and the report.
pub(super) fn run(params: &Params) -> Result<Value, String> {
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

    let mut samples = Samples {
        names: 0u32,
        cpu_seq: Vec::new(),
        io_seq: Vec::new(),
        cpu_proc: Vec::new(),
        by_build: builds.iter().map(|_| BuildSamples::default()).collect(),
    };
    for r in 1..=repeats {
        samples.round(r, repeats, &builds, units, io_ms, switch_ms)?;
    }
    let Samples {
        cpu_seq,
        io_seq,
        cpu_proc,
        by_build,
        ..
    } = samples;

    let cpu_seq = Timing::of(cpu_seq);
    let io_seq = Timing::of(io_seq);
    let cpu_proc = Timing::of(cpu_proc);
    let find = |want: fn(&Interpreter) -> bool| builds.iter().position(want).map(|b| &by_build[b]);
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
    let cores = crate::platform::cores();

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
