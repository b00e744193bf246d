//! The report of a run and the judge of the predict-then-run question.

use super::*;

pub(super) fn ratio(a: Option<&Timing>, b: Option<&Timing>) -> Option<f64> {
    Some(a?.median_ms / b?.median_ms.max(1e-9))
}

pub(super) fn cell(t: Option<&Timing>, sequential: Option<&Timing>) -> String {
    match (t, ratio(t, sequential)) {
        (Some(t), Some(r)) => format!(
            "{} ({:.2}× sequential)",
            report::spread_text(&t.samples_ms),
            r
        ),
        (Some(t), None) => report::spread_text(&t.samples_ms),
        _ => "not run".into(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build_report(
    cpu_seq: &Option<Timing>,
    cpu_gil: &Option<Timing>,
    cpu_free: &Option<Timing>,
    cpu_proc: &Option<Timing>,
    io_seq: &Option<Timing>,
    io_gil: &Option<Timing>,
    io_free: &Option<Timing>,
    gil_stats: Option<GilStats>,
    cores: Option<usize>,
) -> Report {
    let r = |t: &Option<Timing>, s: &Option<Timing>| ratio(t.as_ref(), s.as_ref());
    let mut verdict = Vec::new();
    if let (Some(t), Some(s), Some(x)) = (cpu_gil, cpu_seq, r(cpu_gil, cpu_seq)) {
        let stats = gil_stats.unwrap_or_default();
        verdict.push(format!(
            "Under the GIL, 2 CPU-bound threads took {} — {x:.2}× the sequential {}: {}. The GIL changed \
             hands {} times ({} forced drops after a switch interval), and the threads waited {} for it.",
            report::ms(t.median_ms),
            report::ms(s.median_ms),
            if x >= 0.9 { "no faster" } else { "faster than expected for a GIL (a noisy run?)" },
            stats.switches,
            stats.forced_drops,
            report::ms(stats.wait_ms),
        ));
    }
    if let (Some(t), Some(x)) = (cpu_free, r(cpu_free, cpu_seq)) {
        verdict.push(format!(
            "Free-threaded, they took {} ({x:.2}×).",
            report::ms(t.median_ms)
        ));
    }
    if let (Some(t), Some(x)) = (cpu_proc, r(cpu_proc, cpu_seq)) {
        verdict.push(format!(
            "Two processes, each with its own GIL, took {} ({x:.2}×, start-up included).",
            report::ms(t.median_ms)
        ));
    }
    if let Some(s) = io_seq {
        let parts: Vec<String> = [("with the GIL", io_gil), ("free-threaded", io_free)]
            .iter()
            .filter_map(|(label, t)| {
                t.as_ref()
                    .map(|t| format!("{} {label}", report::ms(t.median_ms)))
            })
            .collect();
        verdict.push(format!(
            "I/O-bound, 2 threads took {} against {} sequentially: waits release the GIL, so they overlap \
             either way.",
            parts.join(" and "),
            report::ms(s.median_ms)
        ));
    }
    let mut report = Report::new(verdict.join(" "));
    report = report.table(
        "Two tasks, three ways (median, min – max over the repeats)",
        &[
            "Work",
            "Sequential",
            "2 threads, CPython (with GIL)",
            "2 threads, free-threaded (3.13t)",
            "2 processes",
        ],
        vec![
            vec![
                "CPU-bound".into(),
                cell(cpu_seq.as_ref(), None),
                cell(cpu_gil.as_ref(), cpu_seq.as_ref()),
                cell(cpu_free.as_ref(), cpu_seq.as_ref()),
                cell(cpu_proc.as_ref(), cpu_seq.as_ref()),
            ],
            vec![
                "I/O-bound (sleep)".into(),
                cell(io_seq.as_ref(), None),
                cell(io_gil.as_ref(), io_seq.as_ref()),
                cell(io_free.as_ref(), io_seq.as_ref()),
                "—".into(),
            ],
        ],
    );
    report = report.note(
        "CPython 3.11 on a 2-core machine of this kind took 0.56 s for 2 CPU-bound threads against 0.44 s \
         sequentially (1.27×) and 0.32 s with 2 forked processes (0.73×). The timeline shows who holds the \
         GIL (running) and who waits for it.",
    );
    match cores {
        Some(1) => report.note(
            "This device reports 1 core: nothing can run in parallel, so free-threaded threads and \
             processes cannot be faster than sequential here.",
        ),
        _ => report,
    }
}

pub const QUESTION: Question = Question::choices(
    "Under CPython's GIL, two threads each run a CPU-bound task. Compared with running the two tasks one after another, the threads take…",
    &[
        choice("faster", "Clearly less time (under 0.8×)"),
        choice("same", "About the same (0.8× to 1.2×)"),
        choice("slower", "Clearly more time (over 1.2×)"),
    ],
);

/// From the medians of the two CPU-bound threads under the GIL and of the same work one after another.
pub(super) fn answer(
    threads_gil_ms: Option<f64>,
    sequential_ms: Option<f64>,
    switches: u64,
) -> Answer {
    let Some(t) = threads_gil_ms else {
        return Answer::cannot(
            "This run did not include the build with the GIL (choose \"both\" or \"CPython (with GIL)\").",
        );
    };
    let seq = sequential_ms.unwrap_or(f64::NAN);
    let r = t / seq;
    Answer::choice(
        question::band(r, &[0.8, 1.2], &["faster", "same", "slower"]),
        format!(
            "Two threads under the GIL took {}, one after another {}: {r:.2}×; the GIL changed hands {switches} times.",
            question::ms(t),
            question::ms(seq)
        ),
    )
}
