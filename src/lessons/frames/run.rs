//! Running the lesson: the typed results and the measurement loop over the four ways and the sweep.

use super::*;

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

/// What the rounds of the four ways measured.
struct Rounds {
    /// The first sequential run's frames, which every other way is compared with.
    reference: Vec<u8>,
    /// The thread pool's frames of the last round, for the player.
    pooled: Vec<u8>,
    times: [Vec<f64>; 4],
    mismatched: [usize; 4],
    hashes: [u64; 4],
    costs: Vec<(f64, CopyCost)>,
    gil_stats: gil::GilStats,
    /// The number the next thread's name takes.
    names: usize,
}

/// The lesson's program: every way on one clip, the sweep, the report.
pub(super) fn run(params: &Params) -> Result<Ran, String> {
    let width = params.get("width") as usize;
    let height = height_for(width);
    let frames = params.get("frames") as usize;
    let filter = Filter::from_index(params.get("filter"));
    let (cores, cores_source) = cores_of(params);
    let (workers, sweep_max) = counts(params);
    let repeats = params.get("repeats") as usize;
    let interval = params.get("switch_interval_ms") as f64;
    let job = generate(frames, width, height, filter);
    let clip_bytes = job.clip.len();

    // The four ways take turns, `repeats` rounds, so a burst of load from other programs falls on one
    // sample of each way rather than on every sample of one.
    let rayon_threads = rayon::current_num_threads();
    let mut rounds = measure_ways(&job, workers, repeats, interval)?;
    // The copy costs of the processes' median run.
    let costs = &mut rounds.costs;
    costs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let cost = costs
        .get(costs.len() / 2)
        .map(|c| c.1.clone())
        .unwrap_or_default();
    let modes = mode_results(&rounds, rayon_threads, workers, interval, frames);
    let Rounds {
        reference,
        pooled,
        hashes,
        gil_stats,
        names,
        costs,
        ..
    } = rounds;

    let sweep = run_sweep(&job, sweep_max, repeats, &reference, names);
    let points: Vec<Point> = sweep
        .iter()
        .map(|p| Point {
            threads: p.workers,
            ms: p.median_ms,
            samples: p.samples.clone(),
        })
        .collect();
    let amdahl_p = fit_parallel_fraction(&points, cores);

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
    let frame_bytes = job.frame_len();
    // The pool's frames play on the page beside the original (the clip is not copied if no thread of
    // the run still holds it).
    let playback = Attachment::FramePlayback {
        width: width as u32,
        height: height as u32,
        frames: frames as u32,
        label: filter.label().into(),
        original: ByteBuf::from(Arc::try_unwrap(job.clip).unwrap_or_else(|clip| clip.to_vec())),
        processed: ByteBuf::from(pooled),
    };
    let values = json!({
        "report": report,
        "answer": answer,
        "width": width,
        "height": height,
        "frames": frames,
        "filter": filter.name(),
        "frame_bytes": frame_bytes,
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
    });
    Ok(Ran {
        values,
        attachments: vec![playback],
    })
}

/// The clip to filter.
fn generate(frames: usize, width: usize, height: usize, filter: Filter) -> Job {
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
    job
}

/// The four ways take turns, `repeats` rounds.
fn measure_ways(
    job: &Job,
    workers: usize,
    repeats: usize,
    interval: f64,
) -> Result<Rounds, String> {
    let mut rounds = Rounds {
        reference: Vec::new(),
        pooled: Vec::new(),
        times: Default::default(),
        mismatched: [0usize; 4],
        hashes: [0u64; 4],
        costs: Vec::new(),
        gil_stats: gil::GilStats::default(),
        names: 1,
    };
    let gil_out = Arc::new(BandOutput::new(job));
    for run in 1..=repeats {
        rounds.round(job, run, workers, interval, &gil_out)?;
    }
    drop(gil_out);
    Ok(rounds)
}

impl Rounds {
    /// Round `run`: each way once, in turn.
    fn round(
        &mut self,
        job: &Job,
        run: usize,
        workers: usize,
        interval: f64,
        gil_out: &Arc<BandOutput>,
    ) -> Result<(), String> {
        let frames = job.frames;
        // 1. Sequential: the first run's frames are the reference every other way is compared with.
        let (out, ms) = sequential(job);
        if self.reference.is_empty() {
            self.reference = out;
            self.hashes[0] = fnv1a(&self.reference);
        } else {
            self.mismatched[0] += mismatched_pixels(&out, &self.reference);
        }
        self.times[0].push(ms);
        trace::print(format!(
            "run {run}: sequential {} ({}/frame)",
            report::ms(ms),
            report::ms(ms / frames as f64)
        ));

        // 2. The thread pool, on shared memory.
        let (out, ms) = pool(job);
        self.mismatched[1] += mismatched_pixels(&out, &self.reference);
        self.hashes[1] = fnv1a(&out);
        self.pooled = out;
        self.times[1].push(ms);
        trace::print(format!("run {run}: thread pool {}", report::ms(ms)));

        // 3. Processes: frames copied there and back.
        let (out, ms, cost) = processes(job, workers, run)?;
        self.mismatched[2] += mismatched_pixels(&out, &self.reference);
        self.hashes[2] = fnv1a(&out);
        drop(out);
        self.times[2].push(ms);
        trace::print(format!(
            "run {run}: {workers} processes {}; {} copied between memories, copying took {}",
            report::ms(ms),
            report::bytes(cost.bytes_copied as f64),
            report::ms(cost.total_ms)
        ));
        self.costs.push((ms, cost));

        // 4. Threads under the emulated GIL.
        let group = format!("threads under the GIL, run {run}");
        gil_out.clear();
        let (ms, stats) = gil::run_with(
            Interpreter::Gil {
                switch_interval_ms: interval,
            },
            || threads(job, workers, &gil_out, &group, self.names, true),
        );
        self.names += workers;
        self.gil_stats = stats;
        let (m, h) = gil_out.compare(&self.reference);
        self.mismatched[3] += m;
        self.hashes[3] = h;
        self.times[3].push(ms);
        trace::print(format!(
            "run {run}: {workers} threads under the GIL {} ({} switches)",
            report::ms(ms),
            stats.switches
        ));
        Ok(())
    }
}

/// Each way's result, from the rounds' samples.
fn mode_results(
    rounds: &Rounds,
    rayon_threads: usize,
    workers: usize,
    interval: f64,
    frames: usize,
) -> Vec<ModeResult> {
    let Rounds {
        times,
        mismatched,
        hashes,
        ..
    } = rounds;
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
    labels
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
        .collect()
}

/// The sweep: N free-threaded threads, N = 1 … sweep_max, the counts taking turns.
fn run_sweep(
    job: &Job,
    sweep_max: usize,
    repeats: usize,
    reference: &[u8],
    mut names: usize,
) -> Vec<SweepPoint> {
    let sweep_out = Arc::new(BandOutput::new(job));
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); sweep_max];
    let mut sweep_mismatch = vec![0usize; sweep_max];
    for run in 1..=repeats {
        for n in 1..=sweep_max {
            let group = format!("sweep: {n} threads, run {run}");
            sweep_out.clear();
            let ms = threads(job, n, &sweep_out, &group, names, false);
            names += n;
            samples[n - 1].push(ms);
            let (m, _) = sweep_out.compare(reference);
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
    sweep
}
