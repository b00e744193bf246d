//! Running the three ways (sequential, overlapped, parallel), the arithmetic beside them, and the program.

use super::*;

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

pub(super) fn read_item(read_ms: f64) {
    if read_ms > 0.0 {
        sleep_ms(read_ms);
    }
}

pub(super) fn compute_item(units: u64) -> u64 {
    common::work(units)
}

pub(super) fn sequential(items: usize, read_ms: f64, units: u64) -> Run {
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
pub(super) fn overlapped(items: usize, read_ms: f64, units: u64) -> Run {
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
pub(super) fn parallel(items: usize, read_ms: f64, units: u64, threads: usize) -> Run {
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

/// What the report says about the runs, besides the runs themselves.
#[derive(Clone, Copy)]
pub(super) struct Setting {
    pub(super) items: usize,
    pub(super) read_ms: f64,
    pub(super) compute_ms: f64,
    pub(super) read_full: f64,
    pub(super) compute_full: f64,
    pub(super) scale: f64,
    pub(super) workers: usize,
    pub(super) cores: usize,
    pub(super) cores_source: &'static str,
    pub(super) units: u64,
    pub(super) per_ms: f64,
}

/// The lesson's program: the three ways, the arithmetic beside them, the report.
pub(super) fn run(params: &Params) -> Result<Value, String> {
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

    let (e_seq, e_over, e_par) = arithmetic(items as u64, read_ms, compute_ms, workers);
    let (f_seq, f_over, f_par) = arithmetic(FULL_ITEMS, read_full, compute_full, cores);
    let full = Computed {
        items: FULL_ITEMS,
        sequential_s: f_seq / 1000.0,
        overlapped_s: f_over / 1000.0,
        parallel_s: f_par / 1000.0,
    };
    let setting = Setting {
        items,
        read_ms,
        compute_ms,
        read_full,
        compute_full,
        scale: scale.0,
        workers,
        cores,
        cores_source,
        units,
        per_ms,
    };
    let report = report_of(&setting, &runs, [e_seq, e_over, e_par], &full);

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
