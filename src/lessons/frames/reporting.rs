//! The report of a run and the judge of the predict-then-run question.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn build_report(
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
    let verdict = verdict(job, modes, cost, sweep, cores);
    let rows = way_rows(modes, cost);
    let sweep_rows = sweep_rows(sweep, amdahl_p, cores);
    let copy_rows = copy_rows(cost);
    let chart = speedup_chart(modes, sweep, amdahl_p, cores);

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

/// The verdict: each way's time and speedup, the sweep's peak, whether the pixels agree.
fn verdict(
    job: &Job,
    modes: &[ModeResult],
    cost: &CopyCost,
    sweep: &[SweepPoint],
    cores: usize,
) -> String {
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

    verdict
}

/// The table of the ways, a row each.
fn way_rows(modes: &[ModeResult], cost: &CopyCost) -> Vec<Vec<String>> {
    modes
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
        .collect()
}

/// The sweep's table, a row per thread count.
fn sweep_rows(sweep: &[SweepPoint], amdahl_p: Option<f64>, cores: usize) -> Vec<Vec<String>> {
    sweep
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
        .collect()
}

/// What each copy between memories cost the processes.
fn copy_rows(cost: &CopyCost) -> Vec<Vec<String>> {
    vec![
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
    ]
}

/// Speedup against workers: the sweep, Amdahl's law fitted, and the processes and GIL threads.
fn speedup_chart(
    modes: &[ModeResult],
    sweep: &[SweepPoint],
    amdahl_p: Option<f64>,
    cores: usize,
) -> Chart {
    let by = |m: &str| modes.iter().find(|r| r.mode == m);
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
    Chart {
        title: "Speedup against the number of workers".into(),
        x_label: "workers".into(),
        y_label: "speedup (×)".into(),
        series,
        markers: vec![Marker {
            x: cores as f64,
            label: format!("cores = {cores}"),
        }],
    }
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
pub(super) fn answer(cost: Option<&CopyCost>, clip_bytes: usize) -> Answer {
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
