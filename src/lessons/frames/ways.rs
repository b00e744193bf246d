//! The four ways of filtering the clip: sequential, the thread pool, threads on bands, processes.

use super::*;
use crate::engine::names::thread_name;

/// A clip and its geometry, shared read-only by every worker.
#[derive(Clone)]
pub(super) struct Job {
    pub(super) clip: Arc<Vec<u8>>,
    pub(super) frames: usize,
    pub(super) width: usize,
    pub(super) height: usize,
    pub(super) filter: Filter,
}

impl Job {
    pub(super) fn frame_len(&self) -> usize {
        frame_bytes(self.width, self.height)
    }
    fn frame(&self, i: usize) -> &[u8] {
        &self.clip[i * self.frame_len()..(i + 1) * self.frame_len()]
    }
    fn bands(&self) -> usize {
        self.height.div_ceil(band_rows(self.height))
    }
    pub(super) fn chunks(&self) -> usize {
        self.frames * self.bands()
    }
    /// Frame and rows of chunk `c`.
    pub(super) fn chunk(&self, c: usize) -> (usize, std::ops::Range<usize>) {
        let band = band_rows(self.height);
        let (f, b) = (c / self.bands(), c % self.bands());
        (f, b * band..((b + 1) * band).min(self.height))
    }
}

/// Output written by threads band by band: one buffer per chunk, each behind its own (uncontended)
/// lock, so threads write in place without sharing a `&mut` and without `unsafe`.
pub(super) struct BandOutput(Vec<Mutex<Vec<u8>>>);

impl BandOutput {
    pub(super) fn new(job: &Job) -> BandOutput {
        let stride = job.width * 4;
        BandOutput(
            (0..job.chunks())
                .map(|c| Mutex::new(touched(job.chunk(c).1.len() * stride)))
                .collect(),
        )
    }

    /// Zeroes every band, so a band a run failed to write cannot pass for the previous run's.
    pub(super) fn clear(&self) {
        for band in &self.0 {
            lock(band).fill(0);
        }
    }

    /// Differing pixels against `reference` (whole frames in order), and the hash of the bands in order.
    pub(super) fn compare(&self, reference: &[u8]) -> (usize, u64) {
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
pub(super) struct Fnv(u64);

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

pub(super) fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// A zeroed buffer of `len` bytes whose memory has really been written. A fresh allocation's pages are
/// only committed when first touched; that cost (serialized in the OS) must not land inside a timing.
pub(super) fn touched(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    std::hint::black_box(&mut v[..]).fill(0xff);
    v.fill(0);
    v
}

pub(super) fn sequential(job: &Job) -> (Vec<u8>, f64) {
    let mut out = touched(job.frames * job.frame_len());
    let t0 = now_ms();
    for (i, dst) in out.chunks_mut(job.frame_len()).enumerate() {
        filter_frame(job.filter, job.frame(i), dst, job.width, job.height);
    }
    (out, now_ms() - t0)
}

/// rayon: frames in parallel, and each frame's row bands in parallel, all in the one shared memory.
pub(super) fn pool(job: &Job) -> (Vec<u8>, f64) {
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
pub(super) fn threads(
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
            thread::spawn(thread_name(first_name + k, "worker"), group, move || {
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
            })
        })
        .collect();
    for h in handles {
        h.join();
    }
    now_ms() - t0
}

/// What a frame-processing child reports at the end.
#[derive(Serialize, serde::Deserialize, Clone, Debug, Default)]
pub(super) struct ChildStats {
    started_at: f64,
    frames: usize,
    input_bytes: usize,
    input_copy_ms: f64,
    output_copy_ms: f64,
    compute_ms: f64,
    error: Option<String>,
}

/// The child program: filter the frames of the start message; send each back as `[index: u32 LE][RGBA]`.
pub(super) fn child_filter(args: &Value, ctx: &mut ChildContext) -> i32 {
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
pub(super) fn processes(
    job: &Job,
    n: usize,
    run: usize,
) -> Result<(Vec<u8>, f64, CopyCost), String> {
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
        answered.push(receive(
            child,
            job,
            &mut out,
            &mut received,
            &mut cost,
            &mut problem,
        ));
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

/// Takes `child`'s frames into `out` and its report of its copies into `cost`, noting the first
/// problem; returns whether it answered.
fn receive(
    child: &ChildProcess,
    job: &Job,
    out: &mut [u8],
    received: &mut [bool],
    cost: &mut CopyCost,
    problem: &mut Option<String>,
) -> bool {
    let len = job.frame_len();
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
    let answered = stats.is_some();
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
    answered
}

pub(super) fn filter_index(filter: Filter) -> usize {
    Filter::ALL.iter().position(|f| *f == filter).unwrap_or(0)
}
