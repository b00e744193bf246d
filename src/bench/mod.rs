//! Benchmark kernels, shared by the browser build (`src/web/bench.rs`) and the native reference
//! (`examples/bench_native.rs`), so both sides run the very same code.
//!
//! Every case returns raw samples (one number per sample, its unit named by the case); the driver
//! (`scripts/bench.mjs`) computes medians and spreads the same way for wasm, native Rust and CPython.
//! Each case runs one warm-up sample first and drops it. Nothing here panics on bad input: a wrong
//! argument is an `Err` naming it.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;
use serde_json::Value;

use crate::engine::{lock, sync, thread, trace};
use crate::frame_kernels::clip::generate_frame;
use crate::frame_kernels::filters::{filter_frame, filter_rows, Filter};
use crate::frame_kernels::frame_bytes;

/// A monotonic clock in milliseconds (natively `Instant`; in the browser the engine's clock, which is
/// `performance.now()` on a fixed origin).
pub fn now_ms() -> f64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
            * 1000.0
    }
    #[cfg(target_arch = "wasm32")]
    {
        crate::clock::now_ms()
    }
}

/// The cases, their arguments and the unit of their samples (for the driver and for error messages).
pub const CASES: &[(&str, &str, &str)] = &[
    ("pool_threads", "", "rayon pool threads (one sample)"),
    (
        "rayon_join",
        "samples, batch",
        "µs per rayon::join of two empty closures from outside the pool",
    ),
    (
        "rayon_par_iter",
        "samples, batch",
        "µs per par_iter over one empty item per pool thread",
    ),
    (
        "thread_spawn_join",
        "samples, batch",
        "µs per engine thread::spawn + join of an empty body",
    ),
    (
        "lock_uncontended",
        "samples, batch",
        "ns per Mutex lock + unlock, one thread",
    ),
    (
        "atomic_uncontended",
        "samples, batch",
        "ns per atomic fetch_add, one thread",
    ),
    (
        "counter",
        "kind (lock|atomic|sharded), threads, increments, samples",
        "ms for all increments",
    ),
    (
        "overlap",
        "threads, wait_ms, samples",
        "ms wall for `threads` threads each sleeping wait_ms",
    ),
];

fn arg(args: &Value, case: &str, name: &str) -> Result<f64, String> {
    args.get(name)
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("{case}: argument `{name}` missing or not a non-negative number"))
}

fn count(args: &Value, case: &str, name: &str, max: f64) -> Result<usize, String> {
    let v = arg(args, case, name)?;
    if v < 1.0 || v > max {
        return Err(format!(
            "{case}: `{name}` must be between 1 and {max}, got {v}"
        ));
    }
    Ok(v as usize)
}

/// Runs one case and returns its samples.
///
/// # Errors
/// An unknown case, a missing or out-of-range argument, or (in the browser) too few thread workers.
pub fn run(case: &str, args: &Value) -> Result<Vec<f64>, String> {
    let samples = || count(args, case, "samples", 100_000.0);
    let batch = || count(args, case, "batch", 100_000_000.0);
    match case {
        "pool_threads" => Ok(vec![rayon::current_num_threads() as f64]),
        "rayon_join" => Ok(per_op(samples()?, batch()?, 1e3, || {
            rayon::join(|| black_box(1), || black_box(2));
        })),
        "rayon_par_iter" => {
            let n = rayon::current_num_threads();
            Ok(per_op(samples()?, batch()?, 1e3, || {
                (0..n).into_par_iter().with_max_len(1).for_each(|i| {
                    black_box(i);
                });
            }))
        }
        "thread_spawn_join" => {
            need_pool_workers(1)?;
            let out = per_op(samples()?, batch()?, 1e3, || {
                thread::spawn("bench", "bench", || black_box(1)).join();
            });
            trace::reset();
            Ok(out)
        }
        "lock_uncontended" => {
            let m = Mutex::new(0u64);
            Ok(per_op(samples()?, batch()?, 1e6, || {
                *lock(black_box(&m)) += 1;
            }))
        }
        "atomic_uncontended" => {
            let a = AtomicU64::new(0);
            Ok(per_op(samples()?, batch()?, 1e6, || {
                black_box(&a).fetch_add(1, Ordering::Relaxed);
            }))
        }
        "counter" => counter_case(args, case, samples()?),
        "overlap" => overlap_case(args, case, samples()?),
        "filter_frame" | "filter_parallel" => filter_case(args, case, samples()?),
        _ => Err(format!("unknown benchmark case `{case}`")),
    }
}

/// Case `counter`: N threads adding to one counter the `kind` way; ms per sample.
fn counter_case(args: &Value, case: &str, samples: usize) -> Result<Vec<f64>, String> {
    let kind = match args.get("kind").and_then(Value::as_str) {
        Some("lock") => Counter::Lock,
        Some("atomic") => Counter::Atomic,
        Some("sharded") => Counter::Sharded,
        _ => return Err("counter: `kind` must be lock, atomic or sharded".into()),
    };
    let threads = count(args, case, "threads", 64.0)?;
    let increments = count(args, case, "increments", 1e9)? as u64;
    let mut out = Vec::new();
    for s in 0..=samples {
        let ms = counter(kind, threads, increments)?;
        if s > 0 {
            out.push(ms);
        }
    }
    Ok(out)
}

/// Case `overlap`: `threads` threads that each sleep `wait_ms`, started together and joined; ms per sample.
fn overlap_case(args: &Value, case: &str, samples: usize) -> Result<Vec<f64>, String> {
    let threads = count(args, case, "threads", 256.0)?;
    let wait_ms = arg(args, case, "wait_ms")?;
    need_pool_workers(threads)?;
    let mut out = Vec::new();
    for s in 0..=samples {
        trace::reset();
        let t0 = now_ms();
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                thread::spawn(format!("wait-{i}"), "bench", move || {
                    sync::sleep_ms(wait_ms)
                })
            })
            .collect();
        for h in handles {
            h.join();
        }
        if s > 0 {
            out.push(now_ms() - t0);
        }
    }
    trace::reset();
    Ok(out)
}

/// Cases `filter_frame` (one thread) and `filter_parallel` (row bands on the rayon pool): ms per frame.
fn filter_case(args: &Value, case: &str, samples: usize) -> Result<Vec<f64>, String> {
    let filter = match args.get("filter").and_then(Value::as_str) {
        Some("blur") => Filter::Blur,
        Some("sobel") => Filter::Sobel,
        _ => return Err(format!("{case}: `filter` must be blur or sobel")),
    };
    let width = count(args, case, "width", 4096.0)?;
    let height = count(args, case, "height", 4096.0)?;
    let frames = count(args, case, "frames", 1000.0)?;
    let tasks = if case == "filter_parallel" {
        count(args, case, "tasks", 256.0)?
    } else {
        0
    };
    let clip: Vec<Vec<u8>> = (0..frames)
        .map(|i| generate_frame(i, width, height))
        .collect();
    let mut out = vec![0u8; frames * frame_bytes(width, height)];
    let mut samples_out = Vec::new();
    for s in 0..=samples {
        let t0 = now_ms();
        if tasks == 0 {
            for (src, dst) in clip.iter().zip(out.chunks_mut(frame_bytes(width, height))) {
                filter_frame(filter, src, dst, width, height);
            }
        } else {
            filter_bands(filter, &clip, &mut out, width, height, tasks);
        }
        let ms = now_ms() - t0;
        if s > 0 {
            samples_out.push(ms / frames as f64);
        }
    }
    black_box(&out);
    Ok(samples_out)
}

/// Times `batch` calls of `op` per sample; returns the mean per call, scaled (1e3: µs, 1e6: ns).
fn per_op(samples: usize, batch: usize, scale: f64, mut op: impl FnMut()) -> Vec<f64> {
    let mut out = Vec::with_capacity(samples);
    for s in 0..=samples {
        let t0 = now_ms();
        for _ in 0..batch {
            op();
        }
        let ms = now_ms() - t0;
        if s > 0 {
            // ms per call, scaled to µs (1e3) or ns (1e6).
            out.push(ms / batch as f64 * scale);
        }
    }
    out
}

/// In the browser a thread needs a pool worker already started (JavaScript starts them); without one the
/// caller would wait forever. Natively the pool grows on demand.
fn need_pool_workers(n: usize) -> Result<(), String> {
    if cfg!(target_arch = "wasm32") && crate::engine::pool::POOL.workers() < n {
        return Err(format!(
            "needs {n} thread workers and {} have started",
            crate::engine::pool::POOL.workers()
        ));
    }
    Ok(())
}

/// Task `k` of `tasks` computes row band `k` of every frame (bands of ⌈height / tasks⌉ rows), so exactly
/// `tasks` rayon tasks share the work evenly whatever the frame count; one fork-join per call.
fn filter_bands(
    filter: Filter,
    clip: &[Vec<u8>],
    out: &mut [u8],
    width: usize,
    height: usize,
    tasks: usize,
) {
    let stride = width * crate::frame_kernels::BYTES_PER_PIXEL;
    let band = height.div_ceil(tasks).max(1);
    let mut per_task: Vec<Vec<(usize, usize, &mut [u8])>> =
        (0..tasks).map(|_| Vec::new()).collect();
    for (f, frame) in out.chunks_mut(frame_bytes(width, height)).enumerate() {
        for (k, rows) in frame.chunks_mut(band * stride).enumerate() {
            per_task[k].push((f, k * band, rows));
        }
    }
    per_task.into_par_iter().with_max_len(1).for_each(|bands| {
        for (f, first, dst) in bands {
            let rows = first..first + dst.len() / stride;
            filter_rows(filter, &clip[f], dst, width, height, rows);
        }
    });
}

#[derive(Clone, Copy)]
enum Counter {
    Lock,
    Atomic,
    Sharded,
}

/// One counter per cache line, so shards of different threads never share a line.
#[repr(align(128))]
struct Padded(AtomicU64);

/// `threads` tasks on the rayon pool each add 1 `increments` times to a shared counter; returns the wall
/// time in ms, after checking the total is exact.
fn counter(kind: Counter, threads: usize, increments: u64) -> Result<f64, String> {
    let locked = Mutex::new(0u64);
    let atomic = AtomicU64::new(0);
    let shards: Vec<Padded> = (0..threads).map(|_| Padded(AtomicU64::new(0))).collect();
    let t0 = now_ms();
    (0..threads)
        .into_par_iter()
        .with_max_len(1)
        .for_each(|t| match kind {
            Counter::Lock => {
                for _ in 0..increments {
                    *lock(&locked) += 1;
                }
            }
            Counter::Atomic => {
                for _ in 0..increments {
                    atomic.fetch_add(1, Ordering::Relaxed);
                }
            }
            Counter::Sharded => {
                let shard = &shards[t].0;
                for _ in 0..increments {
                    shard.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    let ms = now_ms() - t0;
    let total = match kind {
        Counter::Lock => *lock(&locked),
        Counter::Atomic => atomic.load(Ordering::SeqCst),
        Counter::Sharded => shards.iter().map(|s| s.0.load(Ordering::SeqCst)).sum(),
    };
    if total != threads as u64 * increments {
        return Err(format!(
            "counter: total {total}, expected {}",
            threads as u64 * increments
        ));
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_case_runs_with_small_arguments() {
        let _serial = crate::lessons::TRACE_TEST_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let small = json!({ "samples": 2, "batch": 3 });
        for case in [
            "rayon_join",
            "rayon_par_iter",
            "thread_spawn_join",
            "lock_uncontended",
            "atomic_uncontended",
        ] {
            let out = run(case, &small).unwrap();
            assert_eq!(out.len(), 2, "{case}");
            assert!(
                out.iter().all(|v| *v >= 0.0 && v.is_finite()),
                "{case}: {out:?}"
            );
        }
        for kind in ["lock", "atomic", "sharded"] {
            let out = run(
                "counter",
                &json!({ "kind": kind, "threads": 2, "increments": 1000, "samples": 2 }),
            );
            assert_eq!(out.unwrap().len(), 2);
        }
        let out = run(
            "overlap",
            &json!({ "threads": 4, "wait_ms": 20, "samples": 1 }),
        )
        .unwrap();
        assert!(out[0] >= 20.0, "four 20 ms waits took {} ms", out[0]);
        assert_eq!(
            run("pool_threads", &json!({})).unwrap()[0],
            rayon::current_num_threads() as f64
        );
    }

    #[test]
    fn bands_on_the_pool_give_the_same_bytes_as_whole_frames() {
        let (w, h) = (50, 29);
        let clip: Vec<Vec<u8>> = (0..3).map(|i| generate_frame(i, w, h)).collect();
        for filter in Filter::ALL {
            let mut whole = vec![0u8; 3 * frame_bytes(w, h)];
            for (src, dst) in clip.iter().zip(whole.chunks_mut(frame_bytes(w, h))) {
                filter_frame(filter, src, dst, w, h);
            }
            for tasks in [1, 2, 3, 7] {
                let mut banded = vec![1u8; 3 * frame_bytes(w, h)];
                filter_bands(filter, &clip, &mut banded, w, h, tasks);
                assert!(banded == whole, "{filter:?} in {tasks} bands differs");
            }
        }
    }

    #[test]
    fn bad_arguments_are_errors_not_panics() {
        assert!(run("nope", &json!({})).unwrap_err().contains("unknown"));
        assert!(run("rayon_join", &json!({ "samples": 2 }))
            .unwrap_err()
            .contains("batch"));
        assert!(run(
            "counter",
            &json!({ "kind": "x", "threads": 2, "increments": 1, "samples": 1 })
        )
        .is_err());
        assert!(run(
            "overlap",
            &json!({ "threads": 0, "wait_ms": 1, "samples": 1 })
        )
        .is_err());
    }
}
