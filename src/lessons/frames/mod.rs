//! Lesson "Video frame processing" (curriculum row 10).
//!
//! One generated clip, one CPU-bound filter on real pixels, several ways:
//! - sequential: one thread, frame by frame;
//! - a thread pool (rayon over frames and row bands): every worker reads the one clip in shared memory and
//!   writes its rows of the one output; nothing is copied;
//! - processes: N isolated instances, each sent its share of the frames in its start message and sending
//!   every processed frame back as a message: the bytes really cross between memories, and the copies
//!   are timed;
//! - threads under the emulated GIL: N threads pulling row bands from a shared counter, with a switch
//!   point per row, so only one computes at a time;
//! - a sweep of N = 1 … 2 × cores threads (free-threaded), with Amdahl's law fitted beside it.
//!
//! Every mode's frames are compared with the sequential frames byte for byte.

use super::claims::{claim, finished, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::common::{cores_of, CORES};
use super::how_many_threads::{amdahl_ms, fit_parallel_fraction, Point};
use super::report::{self, Chart, Marker, Report, Series};
use super::{spread, Lesson, Ran};
use crate::clock::now_ms;
use crate::engine::bridge::{self, ChildProcess, Received};
use crate::engine::gil::{self, Interpreter};
use crate::engine::process::ChildContext;
use crate::engine::{lock, thread, trace};
use crate::frame_kernels::filters::{filter_frame, filter_rows, filter_rows_with, Filter};
use crate::frame_kernels::{clip, fnv1a, frame_bytes, mismatched_pixels};
use crate::params::{ParamSpec, Params};
use crate::protocol::{Attachment, EngineKind, LessonInfo};
use serde_bytes::ByteBuf;

mod reporting;
mod run;
#[cfg(test)]
mod tests;
mod ways;

pub use reporting::*;
pub use run::*;
use ways::*;

pub struct FramesLab;

/// The largest clip a run may make. Several copies are alive at once (the clip, the sequential frames,
/// the pool's frames, one more mode's frames, messages in flight): about 5× this in the wasm memory,
/// whose maximum is 1 GiB (`--max-memory` in .cargo/config.toml).
pub const MAX_CLIP_BYTES: i64 = 48 * 1024 * 1024;
/// The most workers a mode may use (processes, GIL threads, the sweep's largest N).
pub const MAX_WORKERS: i64 = 16;
/// How long the parent waits for a process's next frame before giving up on it.
const FRAME_WAIT_MS: f64 = 60_000.0;

const FILTER_CHOICES: &[(i64, &str)] = &[(0, "Gaussian blur"), (1, "Sobel edges")];

/// The frame height for a width: 16:9, even, at least 2.
pub fn height_for(width: usize) -> usize {
    ((width * 9 / 16) & !1).max(2)
}

/// Rows per band when frames are split among workers: a quarter of the frame, so a blur's extra border
/// rows (its horizontal pass needs 6 rows above and below the band) stay a small part of the work.
pub fn band_rows(height: usize) -> usize {
    height.div_ceil(4).max(1)
}

const PYTHON: &str = r#"import concurrent.futures, multiprocessing, os, sys, threading, time

# The filters below are pure Python, hundreds of times slower than the lab's (Rust): start small,
# for example FRAMES, WIDTH = 4, 64, and grow from there.
FRAMES, WIDTH = {frames}, {width}
HEIGHT = WIDTH * 9 // 16
FILTER = ("blur", "sobel")[{filter}]
CORES = {cores} or os.cpu_count()
WORKERS = {workers} or CORES
sys.setswitchinterval({switch_interval_ms} / 1000)

def make_frame(i, w, h):
    """A generated frame, RGBA bytes: diagonal colour stripes that move with i."""
    return bytes(((x + y + 3 * i) * 7 + 60 * c) % 256 if c < 3 else 255
                 for y in range(h) for x in range(w) for c in range(4))

def apply_filter(name, frame, w, h):
    """A loop over every pixel, pure computation: a 3x3 box blur, or Sobel edges of the green channel."""
    out, row = bytearray(frame), w * 4
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            i = y * row + x * 4
            if name == "blur":
                for c in range(i, i + 3):
                    out[c] = (frame[c - row - 4] + frame[c - row] + frame[c - row + 4] + frame[c - 4] + frame[c]
                              + frame[c + 4] + frame[c + row - 4] + frame[c + row] + frame[c + row + 4]) // 9
            else:
                g = i + 1
                gx = (frame[g - row + 4] + 2 * frame[g + 4] + frame[g + row + 4]
                      - frame[g - row - 4] - 2 * frame[g - 4] - frame[g + row - 4])
                gy = (frame[g + row - 4] + 2 * frame[g + row] + frame[g + row + 4]
                      - frame[g - row - 4] - 2 * frame[g - row] - frame[g - row + 4])
                out[i] = out[i + 1] = out[i + 2] = min(255, abs(gx) + abs(gy))
    return bytes(out)

def process(frame):
    return apply_filter(FILTER, frame, WIDTH, HEIGHT)

def run_on_threads(n, clip):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(process, clip))

def timed(fn):
    start = time.perf_counter(); result = fn(); return result, time.perf_counter() - start

if __name__ == "__main__":      # each process imports this file again: only the parent runs what follows
    clip = [make_frame(i, WIDTH, HEIGHT) for i in range(FRAMES)]
    seq, t_seq = timed(lambda: [process(f) for f in clip])
    print(f"sequential: {t_seq:.3f} s")

    # Threads share `clip`: nothing is copied. Under the GIL only one runs Python code at a time.
    threaded, t_threads = timed(lambda: run_on_threads(WORKERS, clip))
    print(f"{WORKERS} threads: {t_threads:.3f} s")

    # Processes get their frames pickled through a pipe, and send the results back the same way.
    with multiprocessing.Pool(WORKERS) as pool:
        forked, t_procs = timed(lambda: pool.map(process, clip, chunksize=max(1, FRAMES // WORKERS)))
    print(f"{WORKERS} processes: {t_procs:.3f} s")

    assert threaded == seq and forked == seq      # the same pixels, every way
    print("the same pixels every way")

    for n in range(1, ({max_workers} or 2 * CORES) + 1):   # how far do more threads help?
        times = [timed(lambda: run_on_threads(n, clip))[1] for _ in range({repeats})]
        print(f"{n} threads in the sweep: {sorted(times)[len(times) // 2]:.3f} s")
"#;

impl Lesson for FramesLab {
    fn python_check(&self) -> PythonCheck {
        // Small frames: the view's filter is a pure-Python loop over every pixel. Under the GIL two
        // threads take about one thread's time; every way gives the same pixels. The claim compares the
        // sweep's medians (1 and 2 threads, three runs each, timed next to each other), not the single
        // timings above it, which a busy moment of the machine can make 2× slower.
        PythonCheck::Runs {
            params: &[
                ("frames", 4),
                ("width", 64),
                ("workers", 2),
                ("max_workers", 2),
                ("repeats", 3),
            ],
            gil: true,
            claim: |run| {
                finished(run)?;
                number_after(run, "sequential:")?;
                number_after(run, "2 threads:")?;
                number_after(run, "2 processes:")?;
                claim(
                    run.stdout.iter().any(|l| l == "the same pixels every way"),
                    || "the ways gave different pixels".to_string(),
                )?;
                let one = number_after(run, "1 threads in the sweep:")?;
                let two = number_after(run, "2 threads in the sweep:")?;
                claim(two > 0.7 * one, || {
                    format!("under the GIL 2 threads took {two} s, 1 thread {one} s (medians of 3)")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "frames",
            title: "Video frame processing",
            group: "Choosing an approach",
            curriculum_row: 10,
            engine: EngineKind::Threads,
            summary: "A real filter on real pixels: a clip generated in the page is blurred (or edge-detected) \
                sequentially, by a thread pool whose workers all read the one clip in shared memory, by \
                processes that must be sent copies of the frames and send the results back, and by threads \
                under an emulated GIL that lets one compute at a time. Every way must give the same pixels; \
                the original and processed clips play side by side. A sweep of worker counts, up to twice \
                the cores, shows where more workers stop helping, with Amdahl's law fitted beside it.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("frames", "Frames", 4, 240, 72, "Frames in the clip."),
                ParamSpec::int(
                    "width",
                    "Width (px)",
                    64,
                    1280,
                    480,
                    "Frame width; the height is 9/16 of it. The clip is capped at 48 MiB.",
                ),
                ParamSpec::choice("filter", "Filter", FILTER_CHOICES, 0, "The CPU-bound filter applied to every frame."),
                ParamSpec::int(
                    "workers",
                    "Workers (0 = cores)",
                    0,
                    MAX_WORKERS,
                    0,
                    "Processes, and threads under the GIL.",
                ),
                ParamSpec::int(
                    "max_workers",
                    "Sweep up to (0 = 2 × cores)",
                    0,
                    MAX_WORKERS,
                    0,
                    "The speedup sweep runs 1, 2, … threads up to this many.",
                ),
                ParamSpec::int("repeats", "Runs of each", 1, 7, 3, "Each way and each worker count is timed this often; medians are shown."),
                CORES,
                gil::SWITCH_INTERVAL,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let width = params.get("width");
        let height = height_for(width as usize) as i64;
        let frame = width * height * 4;
        let most = (MAX_CLIP_BYTES / frame).max(1);
        if params.get("frames") > most {
            notices.push(format!(
                "{} frames of {width}×{height} would be more than {} MiB; using {most} frames.",
                params.get("frames"),
                MAX_CLIP_BYTES / 1024 / 1024
            ));
            params.set("frames", most);
        }
    }

    /// The clip, its processed copy and the copies handed to the page, for the memory check up front
    /// (`engine::limits`).
    fn memory_bytes(&self, params: &Params) -> u64 {
        let width = params.get("width") as u64;
        let frame = width * height_for(width as usize) as u64 * 4;
        frame * params.get("frames") as u64 * 3
    }

    fn threads_needed(&self, params: &Params) -> usize {
        let (workers, sweep) = counts(params);
        1 + workers.max(sweep)
    }

    /// The run, with its clips for the page to play.
    fn run_main_thread_attached(&self, params: &Params) -> Result<Ran, String> {
        run::run(params)
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        match entry {
            "filter" => child_filter(args, ctx),
            _ => {
                trace::print(format!("no child program named {entry:?}"));
                2
            }
        }
    }
}

/// Workers for processes and GIL threads, and the sweep's largest N.
fn counts(params: &Params) -> (usize, usize) {
    let (cores, _) = cores_of(params);
    let cap = MAX_WORKERS as usize;
    let workers = match params.get("workers") {
        0 => cores.clamp(1, cap),
        n => n as usize,
    };
    let sweep = match params.get("max_workers") {
        0 => (2 * cores).clamp(2, cap),
        n => n as usize,
    };
    (workers, sweep)
}
