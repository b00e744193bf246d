//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// Median (min – max) of a variant's runs.
pub(super) fn spread_of(v: &VariantResult) -> String {
    format!(
        "{} ({} – {})",
        report::ms(v.median_ms),
        report::ms(v.min_ms),
        report::ms(v.max_ms)
    )
}

/// The verdict, one row per variant, and how it was measured.
pub(super) fn report_of(r: &CounterResult) -> Report {
    let rows = variant_rows(r);
    let verdict = verdict(r);
    let under_gil = matches!(r.interpreter, Interpreter::Gil { .. });
    let shown = Report::new(verdict).table(
        "",
        &[
            "Variant",
            "Expected",
            "Actual (each run)",
            "Lost updates",
            "Time: median (min – max)",
            "Time blocked on the lock",
        ],
        rows,
    );
    // The lost-updates column in red where a run lost any, in green where none did.
    let shown = r
        .variants
        .iter()
        .enumerate()
        .fold(shown, |shown, (row, v)| {
            let tone = if v.trials_losing_updates > 0 {
                Tone::Bad
            } else {
                Tone::Good
            };
            shown.mark(row, 3, tone)
        });
    shown.note(format!(
            "{}, {} threads × {} increments. Times are measured by the clock from the first start() to the \
             last join().{}",
            r.interpreter_label,
            r.threads,
            report::int(r.increments),
            if under_gil {
                " Under the GIL only one thread runs Python code at a time, so the threads take about as long \
                 as one thread doing all the work."
            } else {
                ""
            }
        ))
}

/// A row per variant: expected, each run's count and lost updates, times, time blocked on the lock.
fn variant_rows(r: &CounterResult) -> Vec<Vec<String>> {
    let ints = |t: &[Trial], f: fn(&Trial) -> u64| {
        t.iter()
            .map(|t| report::int(f(t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    r.variants
        .iter()
        .map(|v| {
            vec![
                v.label.to_string(),
                report::int(v.expected),
                ints(&v.trials, |t| t.actual),
                ints(&v.trials, |t| t.lost),
                spread_of(v),
                if v.variant == Variant::Locked {
                    let waited: f64 = v.trials.iter().map(|t| t.lock_wait_ms).sum();
                    format!("{} / run", report::ms(waited / v.trials.len() as f64))
                } else {
                    "—".to_string()
                },
            ]
        })
        .collect()
}

/// What the unlocked variant lost, or why it lost nothing, and which variants were exact.
fn verdict(r: &CounterResult) -> String {
    let unlocked = r.variants.iter().find(|v| v.variant == Variant::Unlocked);
    let others: Vec<&VariantResult> = r
        .variants
        .iter()
        .filter(|v| v.variant != Variant::Unlocked)
        .collect();
    let exact = others
        .iter()
        .map(|v| {
            format!(
                "{}: {} of {} runs exact",
                v.label,
                v.trials.iter().filter(|t| t.lost == 0).count(),
                v.trials.len()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let under_gil = matches!(r.interpreter, Interpreter::Gil { .. });
    let switches: u64 = r
        .variants
        .iter()
        .flat_map(|v| &v.trials)
        .map(|t| t.gil.switches)
        .sum();
    match unlocked {
        None => format!(
            "{}: {exact} ({} expected).",
            r.interpreter_label,
            report::int(r.expected)
        ),
        Some(u) if u.trials_losing_updates > 0 => {
            let max_lost = u.trials.iter().map(|t| t.lost).max().unwrap_or(0);
            format!(
                "{}: without a lock, {} of {} runs lost updates (up to {} of {}).{}",
                r.interpreter_label,
                u.trials_losing_updates,
                u.trials.len(),
                report::int(max_lost),
                report::int(u.expected),
                if others.is_empty() {
                    String::new()
                } else {
                    format!(" {exact}.")
                }
            )
        }
        Some(_) if under_gil => format!(
            "Under CPython's GIL no run without a lock lost an update, although the GIL changed hands {} \
             times: a switch happens only at switch points (here the loop's backward jump), never between \
             the read and the write of counter += 1. The code is still wrong — choose the free-threaded build \
             and the same loop loses updates; under the GIL too, a longer read-modify-write with a call inside \
             can be interrupted.",
            report::int(switches)
        ),
        Some(_) => "This time no run without a lock lost an update — the threads did not overlap enough \
                    (try more threads or increments). The code is still wrong: nothing stops two threads from \
                    interleaving."
            .to_string(),
    }
}

pub const QUESTION: Question = Question::choices(
    "Without a lock, what total will the threads reach (threads × increments expected)?",
    &[
        choice("exact", "Exactly the expected total, in every run"),
        choice("less", "Less than expected, in at least one run"),
        choice("more", "More than expected"),
    ],
);

/// From the totals the unlocked variant reached.
pub(super) fn answer(r: &CounterResult) -> Answer {
    let Some(u) = r.variants.iter().find(|v| v.variant == Variant::Unlocked) else {
        return Answer::cannot(
            "This run did not include the no-lock variant (set Variant to 0 or 1).",
        );
    };
    let totals: Vec<u64> = u.trials.iter().map(|t| t.actual).collect();
    let correct = if totals.iter().any(|t| *t > u.expected) {
        "more"
    } else if totals.iter().any(|t| *t < u.expected) {
        "less"
    } else {
        "exact"
    };
    let shown: Vec<String> = totals.iter().map(|t| report::int(*t)).collect();
    Answer::choice(
        correct,
        format!(
            "Expected {}; without a lock the runs reached {}.",
            report::int(u.expected),
            shown.join(", ")
        ),
    )
}
