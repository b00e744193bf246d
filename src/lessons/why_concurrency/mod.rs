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

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct WhyConcurrency;

/// The tutorial's job: this many items.
pub const FULL_ITEMS: u64 = 10_000;
/// The longest the sequential run may take at this run's scale (ms).
pub const MAX_SEQUENTIAL_MS: f64 = 30_000.0;

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
            params: &[
                ("items", 4),
                ("read_ms", 200),
                ("compute_ms", 200),
                ("time_scale", 100),
            ],
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
        run::run(params)
    }
}
