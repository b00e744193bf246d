//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// Seconds as text: "11,000 s (3.1 hours)".
pub(super) fn seconds(s: f64) -> String {
    let whole = s.round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if s >= 3600.0 {
        format!("{grouped} s ({:.1} hours)", s / 3600.0)
    } else if s >= 60.0 {
        format!("{grouped} s ({:.1} minutes)", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

/// The verdict, the measured runs beside the arithmetic, and how each was measured.
pub(super) fn report_of(s: &Setting, runs: &[Run], expected: [f64; 3], full: &Computed) -> Report {
    let Setting {
        items,
        read_ms,
        compute_ms,
        read_full,
        compute_full,
        scale,
        workers,
        cores,
        cores_source,
        units,
        per_ms,
    } = *s;
    let seq = runs[0].ms;
    let verdict = format!(
        "{items} items of {} reading + {} computing: sequential took {}, overlapped {} ({:.0} % of \
         sequential), parallel on {workers} threads {} ({:.0} %). At the tutorial's scale, 10,000 items \
         one after another would take 10,000 × ({} + {}) = {} — computed, not measured.",
        report::ms(read_ms),
        report::ms(compute_ms),
        report::ms(seq),
        report::ms(runs[1].ms),
        100.0 * runs[1].ms / seq.max(0.001),
        report::ms(runs[2].ms),
        100.0 * runs[2].ms / seq.max(0.001),
        seconds(read_full / 1000.0),
        seconds(compute_full / 1000.0),
        seconds(full.sequential_s),
    );
    Report::new(verdict)
        .table(
            format!(
                "Measured at {} % time scale with {items} items, beside the arithmetic",
                (scale * 100.0).round()
            ),
            &[
                "approach",
                "measured",
                "vs sequential",
                "expected (arithmetic, this run)",
                "10,000 items at full scale (computed)",
            ],
            run_rows(runs, expected, full),
        )
        .note(format!(
            "Computed, not measured: the last column is arithmetic for 10,000 items of {} + {}: \
             sequential N × (read + compute); overlapped read + (N − 1) × max(read, compute) + compute; \
             parallel ⌈N / cores⌉ × (read + compute) with {cores} cores.",
            seconds(read_full / 1000.0),
            seconds(compute_full / 1000.0)
        ))
        .note(format!(
            "Measured: each item really waits {} (a real sleep) and then does {units} units of \
             calibrated work ({per_ms:.1} units/ms on one thread). Cores: {cores}, {cores_source}.",
            report::ms(read_ms)
        ))
        .note(
            "Overlapping hides only the reading: with compute ≫ read it saves little. Parallel threads \
             divide the computing too; under CPython's GIL that takes processes, not threads.",
        )
}

/// A row per way: measured, against sequential, the arithmetic for this run and at full scale.
fn run_rows(runs: &[Run], expected: [f64; 3], full: &Computed) -> Vec<Vec<String>> {
    let seq = runs[0].ms;
    let label = |r: &Run| match r.mode {
        "sequential" => "sequential (1 thread)".to_string(),
        "overlapped" => "overlapped (reader + computer)".to_string(),
        _ => format!("parallel ({} threads, one per core)", r.threads),
    };
    let full_s = [full.sequential_s, full.overlapped_s, full.parallel_s];
    runs.iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                label(r),
                report::ms(r.ms),
                format!("{:.2}×", seq / r.ms.max(0.001)),
                report::ms(expected[i]),
                seconds(full_s[i]),
            ]
        })
        .collect()
}

pub const QUESTION: Question = Question::choices(
    "Each item is read (a wait) and then computed. Which finishes first?",
    &[
        choice("sequential", "One after another"),
        choice("overlapped", "Overlapped: read the next while computing"),
        choice("parallel", "In parallel on the cores"),
    ],
);

/// The fastest way (ties within 5 %) of the three measured runs.
pub(super) fn answer(runs: &[Run]) -> Answer {
    let entries: Vec<(&'static str, f64)> = runs.iter().map(|r| (r.mode, r.ms)).collect();
    let shown: Vec<String> = runs
        .iter()
        .map(|r| format!("{} {}", r.mode, question::ms(r.ms)))
        .collect();
    question::best_answer(
        &entries,
        Best::Min,
        format!(
            "{} (within 5 % of the fastest counts as a tie).",
            shown.join(", ")
        ),
    )
}
