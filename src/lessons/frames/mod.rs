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
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::bridge::{self, ChildProcess, Received};
use crate::engine::gil::{self, Interpreter};
use crate::engine::process::ChildContext;
use crate::engine::{lock, thread, trace};
use crate::frames::filters::{filter_frame, filter_rows, filter_rows_with, Filter};
use crate::frames::{clip, fnv1a, frame_bytes, mismatched_pixels};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

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

/// What the lesson leaves for the page to play: the original clip and one mode's processed frames.
pub struct Playback {
    pub width: usize,
    pub height: usize,
    pub frames: usize,
    pub label: String,
    pub original: Arc<Vec<u8>>,
    pub processed: Vec<u8>,
}

static PLAYBACK: Mutex<Option<Playback>> = Mutex::new(None);

/// The frames of the last run, for the runtime to hand to the page (once).
pub fn take_playback() -> Option<Playback> {
    lock(&PLAYBACK).take()
}

/// One mode's result.
#[derive(Serialize, Clone, Debug)]
pub struct ModeResult {
    pub mode: &'static str,
    pub label: String,
    pub workers: usize,
    /// The median of the runs.
    pub ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub samples: Vec<f64>,
    pub per_frame_ms: f64,
    /// Sequential time / this time.
    pub speedup: f64,
    /// RGBA pixels that differ from the sequential output (0 expected).
    pub mismatched_pixels: usize,
    /// FNV-1a of all output frames, as hex.
    pub hash: String,
}

/// What crossing between process memories cost.
#[derive(Serialize, Clone, Debug, Default)]
pub struct CopyCost {
    pub bytes_to_children: usize,
    pub bytes_from_children: usize,
    /// Bytes that crossed between memories, both ways.
    pub bytes_copied: usize,
    pub messages: usize,
    /// Parent: packing each child's frames into one message buffer (like pickling).
    pub pack_ms: f64,
    /// Runtime: copying each start message out of the shared memory into an `ArrayBuffer`.
    pub out_of_shared_ms: f64,
    /// Children: copying their input into their own memory.
    pub into_child_ms: f64,
    /// Children: copying each result out of their memory into an `ArrayBuffer`.
    pub out_of_child_ms: f64,
    /// Runtime: copying each result into the shared memory.
    pub into_shared_ms: f64,
    /// Parent: copying each result frame into the output (like unpickling).
    pub unpack_ms: f64,
    pub total_ms: f64,
    /// Longest time from `start()` until a child's program began (a new worker, instance and memory).
    pub start_ms: f64,
    /// Sum of the children's compute time.
    pub compute_ms: f64,
}

/// A sweep point.
#[derive(Serialize, Clone, Debug)]
pub struct SweepPoint {
    pub workers: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub samples: Vec<f64>,
    /// Median time with 1 worker / this median.
    pub speedup: f64,
    pub mismatched_pixels: usize,
}

/// A clip and its geometry, shared read-only by every worker.
#[derive(Clone)]
struct Job {
    clip: Arc<Vec<u8>>,
    frames: usize,
    width: usize,
    height: usize,
    filter: Filter,
}

impl Job {
    fn frame_len(&self) -> usize {
        frame_bytes(self.width, self.height)
    }
    fn frame(&self, i: usize) -> &[u8] {
        &self.clip[i * self.frame_len()..(i + 1) * self.frame_len()]
    }
    fn bands(&self) -> usize {
        self.height.div_ceil(band_rows(self.height))
    }
    fn chunks(&self) -> usize {
        self.frames * self.bands()
    }
    /// Frame and rows of chunk `c`.
    fn chunk(&self, c: usize) -> (usize, std::ops::Range<usize>) {
        let band = band_rows(self.height);
        let (f, b) = (c / self.bands(), c % self.bands());
        (f, b * band..((b + 1) * band).min(self.height))
    }
}

/// Output written by threads band by band: one buffer per chunk, each behind its own (uncontended)
/// lock, so threads write in place without sharing a `&mut` and without `unsafe`.
struct BandOutput(Vec<Mutex<Vec<u8>>>);

impl BandOutput {
    fn new(job: &Job) -> BandOutput {
        let stride = job.width * 4;
        BandOutput(
            (0..job.chunks())
                .map(|c| Mutex::new(touched(job.chunk(c).1.len() * stride)))
                .collect(),
        )
    }

    /// Zeroes every band, so a band a run failed to write cannot pass for the previous run's.
    fn clear(&self) {
        for band in &self.0 {
            lock(band).fill(0);
        }
    }

    /// Differing pixels against `reference` (whole frames in order), and the hash of the bands in order.
    fn compare(&self, reference: &[u8]) -> (usize, u64) {
        let mut offset = 0;
        let mut mismatched = 0;
        let mut hash = Fnv::new();
        for band in &self.0 {
            let band = lock(band);
            let end = (offset + band.len()).min(reference.len());
            mismatched += mismatched_pixels(&band, &reference[offset..end]);
            hash.update(&band);
            offset += band.len();
        }
        mismatched += reference.len().saturating_sub(offset) / 4;
        (mismatched, hash.0)
    }
}

/// FNV-1a, fed in pieces (equal to [`fnv1a`] of the concatenation).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// A zeroed buffer of `len` bytes whose memory has really been written. A fresh allocation's pages are
/// only committed when first touched; that cost (serialized in the OS) must not land inside a timing.
fn touched(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    std::hint::black_box(&mut v[..]).fill(0xff);
    v.fill(0);
    v
}

fn sequential(job: &Job) -> (Vec<u8>, f64) {
    let mut out = touched(job.frames * job.frame_len());
    let t0 = now_ms();
    for (i, dst) in out.chunks_mut(job.frame_len()).enumerate() {
        filter_frame(job.filter, job.frame(i), dst, job.width, job.height);
    }
    (out, now_ms() - t0)
}

/// rayon: frames in parallel, and each frame's row bands in parallel, all in the one shared memory.
fn pool(job: &Job) -> (Vec<u8>, f64) {
    let mut out = touched(job.frames * job.frame_len());
    let band = band_rows(job.height);
    let stride = job.width * 4;
    let t0 = now_ms();
    out.par_chunks_mut(job.frame_len())
        .enumerate()
        .for_each(|(i, frame)| {
            let src = job.frame(i);
            frame
                .par_chunks_mut(band * stride)
                .enumerate()
                .for_each(|(b, rows)| {
                    let start = b * band;
                    filter_rows(
                        job.filter,
                        src,
                        rows,
                        job.width,
                        job.height,
                        start..start + band,
                    );
                });
        });
    (out, now_ms() - t0)
}

/// `n` engine threads taking chunks from one counter until none are left. With `switch_points`, each
/// computed row is a GIL switch point. Returns the time from the first start() to the last join().
fn threads(
    job: &Job,
    n: usize,
    out: &Arc<BandOutput>,
    group: &str,
    first_name: usize,
    switch_points: bool,
) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = now_ms();
    let handles: Vec<_> = (0..n)
        .map(|k| {
            let (job, out, next) = (job.clone(), out.clone(), next.clone());
            thread::spawn(
                format!("Thread-{} (worker)", first_name + k),
                group,
                move || {
                    let mut done = 0usize;
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= job.chunks() {
                            break done;
                        }
                        let (f, rows) = job.chunk(c);
                        let mut dst = lock(&out.0[c]);
                        let mut on_row = || {
                            if switch_points {
                                gil::checkpoint();
                            }
                        };
                        filter_rows_with(
                            job.filter,
                            job.frame(f),
                            &mut dst,
                            job.width,
                            job.height,
                            rows,
                            &mut on_row,
                        );
                        done += 1;
                    }
                },
            )
        })
        .collect();
    for h in handles {
        h.join();
    }
    now_ms() - t0
}

/// What a frame-processing child reports at the end.
#[derive(Serialize, serde::Deserialize, Clone, Debug, Default)]
struct ChildStats {
    started_at: f64,
    frames: usize,
    input_bytes: usize,
    input_copy_ms: f64,
    output_copy_ms: f64,
    compute_ms: f64,
    error: Option<String>,
}

/// The child program: filter the frames of the start message; send each back as `[index: u32 LE][RGBA]`.
fn child_filter(args: &Value, ctx: &mut ChildContext) -> i32 {
    let started_at = now_ms();
    let get = |k: &str| args.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
    let (width, height, first) = (get("width"), get("height"), get("first"));
    let filter = Filter::from_index(get("filter") as i64);
    let (input, input_copy_ms) = ctx.take_input();
    let len = frame_bytes(width, height);
    let mut stats = ChildStats {
        started_at,
        input_bytes: input.len(),
        input_copy_ms,
        ..Default::default()
    };
    if len == 0 || input.len() % len != 0 {
        stats.error = Some(format!(
            "{} bytes is not a whole number of {width}×{height} frames",
            input.len()
        ));
    } else {
        let mut message = vec![0u8; 4 + len];
        for (k, src) in input.chunks(len).enumerate() {
            let t0 = now_ms();
            message[..4].copy_from_slice(&((first + k) as u32).to_le_bytes());
            filter_frame(filter, src, &mut message[4..], width, height);
            stats.compute_ms += now_ms() - t0;
            match ctx.send_bytes(&message) {
                Some(ms) => stats.output_copy_ms += ms,
                None => {
                    stats.error = Some("this process has no binary channel".into());
                    break;
                }
            }
            stats.frames += 1;
        }
    }
    trace::print(format!(
        "filtered {} frames in {}; copying in {} and out {}",
        stats.frames,
        report::ms(stats.compute_ms),
        report::ms(stats.input_copy_ms),
        report::ms(stats.output_copy_ms)
    ));
    let failed = stats.error.is_some();
    ctx.send(serde_json::to_string(&stats).unwrap_or_default());
    i32::from(failed)
}

/// `n` processes, each sent a contiguous share of the frames; the frames come back one message each.
fn processes(job: &Job, n: usize, run: usize) -> Result<(Vec<u8>, f64, CopyCost), String> {
    let len = job.frame_len();
    let mut cost = CopyCost::default();
    let mut out = touched(job.frames * len);
    let t0 = now_ms();
    let mut children: Vec<ChildProcess> = Vec::new();
    let share = job.frames / n;
    let extra = job.frames % n;
    let mut first = 0;
    for k in 0..n {
        let count = share + usize::from(k < extra);
        if count == 0 {
            continue;
        }
        let p0 = now_ms();
        let input = job.clip[first * len..(first + count) * len].to_vec();
        cost.pack_ms += now_ms() - p0;
        cost.bytes_to_children += input.len();
        children.push(bridge::start_process_with_input(
            &format!("SpawnPoolWorker-{}", k + 1),
            &format!("processes, run {run}"),
            "frames",
            "filter",
            json!({ "width": job.width, "height": job.height, "first": first, "filter": filter_index(job.filter) }),
            input,
        ));
        first += count;
    }
    let mut received = vec![false; job.frames];
    let mut problem = None;
    let mut answered = Vec::new();
    for child in &children {
        let mut stats = None;
        while let Some(message) = child.recv_any(Some(FRAME_WAIT_MS)) {
            match message {
                Received::Bytes(b) => {
                    cost.messages += 1;
                    cost.bytes_from_children += b.bytes.len().saturating_sub(4);
                    cost.into_shared_ms += b.copy_ms;
                    let index = b.bytes.get(..4).map_or(usize::MAX, |h| {
                        u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize
                    });
                    if index >= job.frames || b.bytes.len() != 4 + len {
                        problem.get_or_insert(format!("{} sent a malformed frame", child.name));
                        continue;
                    }
                    let u0 = now_ms();
                    out[index * len..(index + 1) * len].copy_from_slice(&b.bytes[4..]);
                    cost.unpack_ms += now_ms() - u0;
                    received[index] = true;
                }
                Received::Text(d) => match serde_json::from_str::<ChildStats>(&d.payload) {
                    Ok(s) => {
                        stats = Some(s);
                        break;
                    }
                    Err(e) => {
                        problem.get_or_insert(format!(
                            "{} sent a report the parent cannot read: {e}",
                            child.name
                        ));
                    }
                },
            }
        }
        answered.push(stats.is_some());
        match stats {
            Some(s) => {
                if let Some(e) = &s.error {
                    problem.get_or_insert(format!("{}: {e}", child.name));
                }
                cost.into_child_ms += s.input_copy_ms;
                cost.out_of_child_ms += s.output_copy_ms;
                cost.compute_ms += s.compute_ms;
                cost.start_ms = cost.start_ms.max(s.started_at - child.started_at);
            }
            None => {
                problem.get_or_insert(format!(
                    "{} ended or timed out before sending all its frames",
                    child.name
                ));
            }
        }
        cost.out_of_shared_ms += child.input_copy_ms().unwrap_or(0.0);
    }
    if let Some(p) = bridge::join_all(&children, answered) {
        problem.get_or_insert(p);
    }
    let ms = now_ms() - t0;
    if let Some(p) = problem {
        return Err(p);
    }
    let missing = received.iter().filter(|r| !**r).count();
    if missing > 0 {
        return Err(format!(
            "{missing} frames never came back from the processes"
        ));
    }
    cost.bytes_copied = cost.bytes_to_children + cost.bytes_from_children;
    cost.total_ms = cost.pack_ms
        + cost.out_of_shared_ms
        + cost.into_child_ms
        + cost.out_of_child_ms
        + cost.into_shared_ms
        + cost.unpack_ms;
    Ok((out, ms, cost))
}

fn filter_index(filter: Filter) -> usize {
    Filter::ALL.iter().position(|f| *f == filter).unwrap_or(0)
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
        // Small frames: the view's filter is a pure-Python loop over every pixel. Under the GIL the
        // threads take about the sequential time; every way gives the same pixels.
        PythonCheck::Runs {
            params: &[
                ("frames", 4),
                ("width", 64),
                ("workers", 2),
                ("max_workers", 2),
                ("repeats", 1),
            ],
            gil: true,
            claim: |run| {
                finished(run)?;
                let sequential = number_after(run, "sequential:")?;
                let threads = number_after(run, "2 threads:")?;
                number_after(run, "2 processes:")?;
                number_after(run, "2 threads in the sweep:")?;
                claim(
                    run.stdout.iter().any(|l| l == "the same pixels every way"),
                    || "the ways gave different pixels".to_string(),
                )?;
                claim(threads > 0.7 * sequential, || {
                    format!("under the GIL 2 threads took {threads} s, sequential {sequential} s")
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

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        *lock(&PLAYBACK) = None;
        let width = params.get("width") as usize;
        let height = height_for(width);
        let frames = params.get("frames") as usize;
        let filter = Filter::from_index(params.get("filter"));
        let (cores, cores_source) = cores_of(params);
        let (workers, sweep_max) = counts(params);
        let repeats = params.get("repeats") as usize;
        let interval = params.get("switch_interval_ms") as f64;

        let g0 = now_ms();
        let job = Job {
            clip: Arc::new(clip::generate_clip(frames, width, height)),
            frames,
            width,
            height,
            filter,
        };
        let clip_bytes = job.clip.len();
        trace::print(format!(
            "generated {frames} frames of {width}×{height} ({}) in {}; filter: {}",
            report::bytes(clip_bytes as f64),
            report::ms(now_ms() - g0),
            filter.label()
        ));

        // The four ways take turns, `repeats` rounds, so a burst of load from other programs falls on one
        // sample of each way rather than on every sample of one.
        let rayon_threads = rayon::current_num_threads();
        let mut reference: Vec<u8> = Vec::new();
        let mut pooled: Vec<u8> = Vec::new();
        let mut times: [Vec<f64>; 4] = Default::default();
        let mut mismatched = [0usize; 4];
        let mut hashes = [0u64; 4];
        let mut costs: Vec<(f64, CopyCost)> = Vec::new();
        let mut gil_stats = gil::GilStats::default();
        let mut names = 1;
        let gil_out = Arc::new(BandOutput::new(&job));
        for run in 1..=repeats {
            // 1. Sequential: the first run's frames are the reference every other way is compared with.
            let (out, ms) = sequential(&job);
            if reference.is_empty() {
                reference = out;
                hashes[0] = fnv1a(&reference);
            } else {
                mismatched[0] += mismatched_pixels(&out, &reference);
            }
            times[0].push(ms);
            trace::print(format!(
                "run {run}: sequential {} ({}/frame)",
                report::ms(ms),
                report::ms(ms / frames as f64)
            ));

            // 2. The thread pool, on shared memory.
            let (out, ms) = pool(&job);
            mismatched[1] += mismatched_pixels(&out, &reference);
            hashes[1] = fnv1a(&out);
            pooled = out;
            times[1].push(ms);
            trace::print(format!("run {run}: thread pool {}", report::ms(ms)));

            // 3. Processes: frames copied there and back.
            let (out, ms, cost) = processes(&job, workers, run)?;
            mismatched[2] += mismatched_pixels(&out, &reference);
            hashes[2] = fnv1a(&out);
            drop(out);
            times[2].push(ms);
            trace::print(format!(
                "run {run}: {workers} processes {}; {} copied between memories, copying took {}",
                report::ms(ms),
                report::bytes(cost.bytes_copied as f64),
                report::ms(cost.total_ms)
            ));
            costs.push((ms, cost));

            // 4. Threads under the emulated GIL.
            let group = format!("threads under the GIL, run {run}");
            gil_out.clear();
            let (ms, stats) = gil::run_with(
                Interpreter::Gil {
                    switch_interval_ms: interval,
                },
                || threads(&job, workers, &gil_out, &group, names, true),
            );
            names += workers;
            gil_stats = stats;
            let (m, h) = gil_out.compare(&reference);
            mismatched[3] += m;
            hashes[3] = h;
            times[3].push(ms);
            trace::print(format!(
                "run {run}: {workers} threads under the GIL {} ({} switches)",
                report::ms(ms),
                stats.switches
            ));
        }
        drop(gil_out);
        // The copy costs of the processes' median run.
        costs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let cost = costs
            .get(costs.len() / 2)
            .map(|c| c.1.clone())
            .unwrap_or_default();
        let seq_ms = spread(&times[0]).0;
        let labels = [
            ("sequential", "Sequential (one thread)".to_string(), 1),
            (
                "pool",
                format!("Thread pool (rayon, {rayon_threads} threads, shared memory)"),
                rayon_threads,
            ),
            (
                "processes",
                format!("{workers} processes (frames sent by message)"),
                workers,
            ),
            (
                "gil_threads",
                format!("{workers} threads under the GIL (switch interval {interval} ms)"),
                workers,
            ),
        ];
        let modes: Vec<ModeResult> = labels
            .into_iter()
            .enumerate()
            .map(|(i, (mode, label, workers))| {
                let (median, min, max) = spread(&times[i]);
                ModeResult {
                    mode,
                    label,
                    workers,
                    ms: median,
                    min_ms: min,
                    max_ms: max,
                    samples: times[i].clone(),
                    per_frame_ms: median / frames.max(1) as f64,
                    speedup: seq_ms / median.max(0.001),
                    mismatched_pixels: mismatched[i],
                    hash: hex(hashes[i]),
                }
            })
            .collect();

        // 5. The sweep: N free-threaded threads, N = 1 … sweep_max, the counts taking turns.
        let sweep_out = Arc::new(BandOutput::new(&job));
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); sweep_max];
        let mut sweep_mismatch = vec![0usize; sweep_max];
        for run in 1..=repeats {
            for n in 1..=sweep_max {
                let group = format!("sweep: {n} threads, run {run}");
                sweep_out.clear();
                let ms = threads(&job, n, &sweep_out, &group, names, false);
                names += n;
                samples[n - 1].push(ms);
                let (m, _) = sweep_out.compare(&reference);
                sweep_mismatch[n - 1] += m;
            }
        }
        drop(sweep_out);
        let medians: Vec<f64> = samples.iter().map(|s| spread(s).0).collect();
        let t1 = medians.first().copied().unwrap_or(0.0);
        let sweep: Vec<SweepPoint> = samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (median, min, max) = spread(s);
                SweepPoint {
                    workers: i + 1,
                    median_ms: median,
                    min_ms: min,
                    max_ms: max,
                    samples: s.clone(),
                    speedup: t1 / median.max(0.001),
                    mismatched_pixels: sweep_mismatch[i],
                }
            })
            .collect();
        for p in &sweep {
            trace::print(format!(
                "sweep, {:>2} threads: {} (×{:.2})",
                p.workers,
                report::spread_text(&p.samples),
                p.speedup
            ));
        }
        let points: Vec<Point> = sweep
            .iter()
            .map(|p| Point {
                threads: p.workers,
                ms: p.median_ms,
                samples: p.samples.clone(),
            })
            .collect();
        let amdahl_p = fit_parallel_fraction(&points, cores);

        // The pool's frames play on the page beside the original.
        *lock(&PLAYBACK) = Some(Playback {
            width,
            height,
            frames,
            label: filter.label().into(),
            original: job.clip.clone(),
            processed: pooled,
        });

        let report = build_report(
            &job,
            &modes,
            &cost,
            &sweep,
            amdahl_p,
            cores,
            cores_source,
            gil_stats,
            repeats,
        );
        let answer = answer((!costs.is_empty()).then_some(&cost), clip_bytes);
        Ok(json!({
            "report": report,
            "answer": answer,
            "width": width,
            "height": height,
            "frames": frames,
            "filter": filter.name(),
            "frame_bytes": job.frame_len(),
            "clip_bytes": clip_bytes,
            "cores": cores,
            "workers": workers,
            "rayon_threads": rayon_threads,
            "band_rows": band_rows(height),
            "modes": modes,
            "processes": cost,
            "sweep": sweep,
            "amdahl_p": amdahl_p,
            "gil": gil_stats,
            "sequential_hash": hex(hashes[0]),
        }))
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

#[allow(clippy::too_many_arguments)]
fn build_report(
    job: &Job,
    modes: &[ModeResult],
    cost: &CopyCost,
    sweep: &[SweepPoint],
    amdahl_p: Option<f64>,
    cores: usize,
    cores_source: &str,
    gil_stats: gil::GilStats,
    repeats: usize,
) -> Report {
    let by = |m: &str| modes.iter().find(|r| r.mode == m);
    let seq = by("sequential").map_or(0.0, |m| m.ms);
    let all_equal = modes.iter().all(|m| m.mismatched_pixels == 0)
        && sweep.iter().all(|p| p.mismatched_pixels == 0);
    let mut verdict = format!(
        "{} frames of {}×{} ({}): sequential {} ({}/frame)",
        job.frames,
        job.width,
        job.height,
        job.filter.label(),
        report::ms(seq),
        report::ms(seq / job.frames.max(1) as f64)
    );
    if let Some(p) = by("pool") {
        verdict.push_str(&format!(
            "; the thread pool on shared memory {} ({:.2}× faster, nothing copied)",
            report::ms(p.ms),
            p.speedup
        ));
    }
    if let Some(p) = by("processes") {
        verdict.push_str(&format!(
            "; {} {} ({:.2}×), of which copying {} of frames between memories took {} and starting them up to {}",
            p.label.split(" (").next().unwrap_or("processes"),
            report::ms(p.ms),
            p.speedup,
            report::bytes(cost.bytes_copied as f64),
            report::ms(cost.total_ms),
            report::ms(cost.start_ms)
        ));
    }
    if let Some(g) = by("gil_threads") {
        verdict.push_str(&format!(
            "; {} threads under the GIL {} ({:.2}×: one computes at a time)",
            g.workers,
            report::ms(g.ms),
            g.speedup
        ));
    }
    if let Some(best) = sweep.iter().max_by(|a, b| a.speedup.total_cmp(&b.speedup)) {
        verdict.push_str(&format!(
            ". Free-threaded, the sweep peaked at {:.2}× with {} threads on {cores} cores",
            best.speedup, best.workers
        ));
        if let Some(last) = sweep.last().filter(|l| l.workers > cores) {
            verdict.push_str(&format!(" ({:.2}× with {})", last.speedup, last.workers));
        }
    }
    verdict.push_str(if all_equal {
        ". Every way produced the same pixels as the sequential run."
    } else {
        ". Some outputs DIFFER from the sequential frames (see the table): that is a bug."
    });

    let rows = modes
        .iter()
        .map(|m| {
            vec![
                m.label.clone(),
                report::spread_text(&m.samples),
                report::ms(m.per_frame_ms),
                format!("{:.2}×", m.speedup),
                if m.mode == "processes" {
                    format!(
                        "{} in {}",
                        report::bytes(cost.bytes_copied as f64),
                        report::ms(cost.total_ms)
                    )
                } else {
                    "0 (shared memory)".into()
                },
                m.mismatched_pixels.to_string(),
                m.hash.clone(),
            ]
        })
        .collect();
    let sweep_rows = sweep
        .iter()
        .map(|p| {
            vec![
                p.workers.to_string(),
                report::spread_text(&p.samples),
                format!("{:.2}×", p.speedup),
                amdahl_p.map_or("–".into(), |a| {
                    format!("{:.2}×", 1.0 / amdahl_ms(1.0, a, p.workers, cores))
                }),
                p.mismatched_pixels.to_string(),
            ]
        })
        .collect();
    let copy_rows = vec![
        vec![
            "parent: pack each process's frames into its message".into(),
            report::ms(cost.pack_ms),
        ],
        vec![
            "runtime: copy out of shared memory into an ArrayBuffer (transferred, not copied)"
                .into(),
            report::ms(cost.out_of_shared_ms),
        ],
        vec![
            "processes: copy the message into their own memory".into(),
            report::ms(cost.into_child_ms),
        ],
        vec![
            "processes: copy each result out into an ArrayBuffer (transferred)".into(),
            report::ms(cost.out_of_child_ms),
        ],
        vec![
            "runtime: copy each result into shared memory".into(),
            report::ms(cost.into_shared_ms),
        ],
        vec![
            "parent: copy each result frame into place".into(),
            report::ms(cost.unpack_ms),
        ],
        vec!["total copying".into(), report::ms(cost.total_ms)],
    ];

    let t1 = sweep.first().map_or(0.0, |p| p.median_ms);
    let max_n = sweep.last().map_or(1, |p| p.workers);
    let mut series = vec![Series {
        name: "threads (free-threaded), measured".into(),
        style: "measured",
        points: sweep
            .iter()
            .map(|p| (p.workers as f64, p.speedup))
            .collect(),
    }];
    if let Some(p) = amdahl_p {
        series.push(Series {
            name: format!("Amdahl's law, p = {p:.3} (fitted)"),
            style: "model",
            points: (1..=max_n)
                .map(|n| (n as f64, t1 / amdahl_ms(t1, p, n, cores).max(0.001)))
                .collect(),
        });
    }
    for (m, name) in [
        ("processes", "processes (vs sequential)"),
        ("gil_threads", "threads under the GIL (vs sequential)"),
    ] {
        if let Some(r) = by(m) {
            series.push(Series {
                name: name.into(),
                style: "measured",
                points: vec![(r.workers as f64, r.speedup)],
            });
        }
    }
    let chart = Chart {
        title: "Speedup against the number of workers".into(),
        x_label: "workers".into(),
        y_label: "speedup (×)".into(),
        series,
        markers: vec![Marker {
            x: cores as f64,
            label: format!("cores = {cores}"),
        }],
    };

    let mut report = Report::new(verdict)
        .chart(chart)
        .table(
            "Each way, on the same clip (pixels compared with the sequential frames byte for byte)",
            &["Way", "Time: median (range)", "Per frame", "Speedup", "Copied between memories", "Mismatched pixels", "Hash (FNV-1a)"],
            rows,
        )
        .table(
            format!("The sweep: N threads taking row bands from a shared counter ({repeats} runs each; median, range)"),
            &["Threads", "Time", "Speedup vs 1 thread", "Amdahl (model)", "Mismatched pixels"],
            sweep_rows,
        )
        .table(
            format!(
                "What the processes' copies cost ({} to the processes and {} back, in {} messages)",
                report::bytes(cost.bytes_to_children as f64),
                report::bytes(cost.bytes_from_children as f64),
                cost.messages + modes.iter().find(|m| m.mode == "processes").map_or(0, |m| m.workers)
            ),
            &["Copy", "Time"],
            copy_rows,
        )
        .note(format!(
            "Cores: {cores} ({cores_source}). The thread pool is rayon's global pool ({} threads, one per core); \
             the sweep uses engine threads (one Web Worker each) so that it can go past the core count.",
            by("pool").map_or(0, |p| p.workers)
        ))
        .note(format!(
            "Threads split each frame into bands of {} rows; a band's blur also reads 6 rows above and below it, \
             so split work does a little more than the sequential run. Under the GIL each computed row is a \
             switch point; the GIL changed hands {} times ({} forced drops, {} spent waiting for it).",
            band_rows(job.height),
            gil_stats.switches,
            gil_stats.forced_drops,
            report::ms(gil_stats.wait_ms)
        ));
    report = match amdahl_p {
        Some(p) => report.note(format!(
            "Amdahl's law: speedup(N) = 1 / ((1 − p) + p / min(N, cores)), with p = {p:.3} fitted to the sweep's \
             median times (least squares). A model drawn from your numbers, not a measurement."
        )),
        None => report.note("Amdahl's law needs a sweep over at least two workers on at least two cores; none is drawn."),
    };
    report.note(
        "The player shows the thread pool's frames (byte for byte the same as the sequential ones) beside the \
         original clip, at full size.",
    )
}

pub const QUESTION: Question = Question::choices(
    "Processes have their own memory. How many bytes of frames will be copied between memories, compared with the size of the clip?",
    &[
        choice("none", "None: they read the same frames"),
        choice("once", "About the clip once (the frames go to the processes)"),
        choice("twice", "About twice the clip (the frames go there and come back)"),
    ],
);

/// From the copy costs of the processes' median run (`None` when no process ran).
fn answer(cost: Option<&CopyCost>, clip_bytes: usize) -> Answer {
    let Some(p) = cost else {
        return Answer::cannot("This run did not use processes.");
    };
    let r = p.bytes_copied as f64 / clip_bytes as f64;
    let mib = |b: usize| format!("{:.1} MiB", b as f64 / 1_048_576.0);
    Answer::choice(
        question::band(r, &[0.1, 1.5], &["none", "once", "twice"]),
        format!(
            "The clip is {}; {} went to the processes and {} came back ({r:.2}× the clip), taking {} of copying.",
            mib(clip_bytes),
            mib(p.bytes_to_children),
            mib(p.bytes_from_children),
            question::ms(p.total_ms)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::prepare;
    use crate::protocol::RunRequest;

    /// The frames tests share the playback slot: one at a time.
    static FRAMES_TESTS: Mutex<()> = Mutex::new(());

    #[test]
    fn a_small_run_gives_the_same_pixels_every_way() {
        let _one = FRAMES_TESTS.lock().unwrap_or_else(|p| p.into_inner());
        let outcome = crate::lessons::run_for_test(
            "frames",
            json!({ "frames": 6, "width": 64, "filter": 0, "workers": 2, "max_workers": 3, "repeats": 2, "cores": 2 }),
        );
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert_eq!(v["height"], 36);
        let modes = v["modes"].as_array().unwrap();
        let names: Vec<&str> = modes.iter().map(|m| m["mode"].as_str().unwrap()).collect();
        assert_eq!(names, ["sequential", "pool", "processes", "gil_threads"]);
        let seq_hash = v["sequential_hash"].as_str().unwrap();
        for m in modes {
            assert_eq!(m["mismatched_pixels"], 0, "{m}");
            assert_eq!(m["hash"], seq_hash, "{m}");
        }
        let frame = 64 * 36 * 4;
        assert_eq!(v["processes"]["bytes_copied"], 6 * frame * 2);
        assert_eq!(v["processes"]["messages"], 6);
        assert_eq!(v["modes"][1]["samples"].as_array().unwrap().len(), 2);
        let sweep = v["sweep"].as_array().unwrap();
        assert_eq!(sweep.len(), 3);
        assert!(sweep.iter().all(|p| p["mismatched_pixels"] == 0));
        assert!(outcome.lanes.iter().any(|l| l.name == "SpawnPoolWorker-2"));
        assert!(outcome.lanes.iter().any(|l| l.name == "Thread-1 (worker)"));
        let playback = take_playback().expect("frames to play");
        assert_eq!(playback.processed.len(), 6 * frame);
        assert_eq!(playback.original.len(), 6 * frame);
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("same pixels"));
    }

    #[test]
    fn sobel_runs_too_and_big_clips_are_capped() {
        let _one = FRAMES_TESTS.lock().unwrap_or_else(|p| p.into_inner());
        let outcome = crate::lessons::run_for_test(
            "frames",
            json!({ "frames": 4, "width": 80, "filter": 1, "workers": 1, "max_workers": 1, "repeats": 1, "cores": 1 }),
        );
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.values["filter"], "sobel");
        assert!(outcome.values["modes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["mismatched_pixels"] == 0));
        let prepared = prepare(&RunRequest {
            lesson: "frames".into(),
            params: json!({ "frames": 240, "width": 1280, "workers": 3, "max_workers": 5, "cores": 2 }),
        })
        .unwrap();
        // 1280×720×4 = 3.5 MiB a frame: 13 fit in 48 MiB.
        assert_eq!(prepared.params.get("frames"), 13);
        assert_eq!(prepared.notices.len(), 1);
        assert_eq!(prepared.threads_needed, 6);
    }

    #[test]
    fn band_geometry_covers_every_row_once() {
        let job = Job {
            clip: Arc::new(Vec::new()),
            frames: 2,
            width: 8,
            height: 270,
            filter: Filter::Blur,
        };
        let rows: usize = (0..job.chunks()).map(|c| job.chunk(c).1.len()).sum();
        assert_eq!(rows, 2 * 270);
        assert_eq!(height_for(480), 270);
        assert_eq!(height_for(100), 56);
    }
}
