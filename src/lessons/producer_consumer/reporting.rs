//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// The verdict, a row per run, and the throughput against the slower side's limit. `runs` is not empty.
pub(super) fn report_of(
    runs: &[SweepRun],
    maxsize: usize,
    produce_ms: f64,
    consume_ms: f64,
) -> Report {
    let rows = sweep_rows(runs, maxsize, produce_ms, consume_ms);
    Report::new(verdict(runs, maxsize))
        .table(
            "One run per number of consumers",
            &[
                "consumers",
                "time",
                "items/s",
                "slower side allows",
                "producer blocked (full)",
                "consumers blocked (empty)",
                "most in queue",
                "items per consumer",
            ],
            rows,
        )
        .chart(Chart {
            title: "Throughput".into(),
            x_label: "consumers".into(),
            y_label: "items/s".into(),
            series: vec![
                Series {
                    name: "measured".into(),
                    style: "measured",
                    points: runs
                        .iter()
                        .map(|r| (r.consumers as f64, r.items_per_s))
                        .collect(),
                },
                Series {
                    name: "the slower side allows".into(),
                    style: "model",
                    points: runs
                        .iter()
                        .map(|r| {
                            (
                                r.consumers as f64,
                                model_items_per_s(r.consumers, produce_ms, consume_ms),
                            )
                        })
                        .collect(),
                },
            ],
            markers: vec![],
        })
        .note(format!(
            "Making an item takes {}, using one {}. Consumers' blocked time includes the wait for \
             their sentinel at the end.",
            report::ms(produce_ms),
            report::ms(consume_ms)
        ))
}

/// Throughput with 1 and 2 consumers and at best, how full the queue got, whether every item arrived once.
fn verdict(runs: &[SweepRun], maxsize: usize) -> String {
    let all_once = runs.iter().all(|r| r.duplicates == 0 && r.missing == 0);
    let high = runs.iter().map(|r| r.max_queue_len).max().unwrap_or(0);
    let first = &runs[0];
    let best = runs
        .iter()
        .max_by(|a, b| a.items_per_s.total_cmp(&b.items_per_s))
        .unwrap_or(first);
    let mut verdict = format!(
        "With 1 consumer: {:.1} items/s, and the producer spent {} blocked on a full queue ({} puts \
         waited). ",
        first.items_per_s,
        report::ms(first.producer_blocked_ms),
        first.producer_full_blocks
    );
    if let Some(second) = runs.get(1) {
        verdict.push_str(&format!(
            "With 2: {:.1} items/s ({:.2}×). Best: {:.1} items/s with {} consumers, whose threads spent {} \
             in all waiting on an empty queue. ",
            second.items_per_s,
            second.items_per_s / first.items_per_s.max(1e-9),
            best.items_per_s,
            best.consumers,
            report::ms(best.consumer_blocked_ms)
        ));
    }
    verdict.push_str(&format!(
        "The queue never held more than {high} of its maxsize {maxsize}; {}.",
        if all_once {
            "every item was consumed exactly once in every run"
        } else {
            "SOME ITEMS WERE LOST OR CONSUMED TWICE"
        }
    ));
    verdict
}

/// A row per run: time, throughput against the model, blocked times, queue length, items per consumer.
fn sweep_rows(
    runs: &[SweepRun],
    maxsize: usize,
    produce_ms: f64,
    consume_ms: f64,
) -> Vec<Vec<String>> {
    runs.iter()
        .map(|r| {
            vec![
                r.consumers.to_string(),
                report::ms(r.ms),
                format!("{:.1}", r.items_per_s),
                format!(
                    "{:.1}",
                    model_items_per_s(r.consumers, produce_ms, consume_ms)
                ),
                format!(
                    "{} ({}×)",
                    report::ms(r.producer_blocked_ms),
                    r.producer_full_blocks
                ),
                report::ms(r.consumer_blocked_ms),
                format!("{} / {maxsize}", r.max_queue_len),
                r.per_consumer
                    .iter()
                    .map(|c| c.items.len().to_string())
                    .collect::<Vec<_>>()
                    .join(" + "),
            ]
        })
        .collect()
}

pub const QUESTION: Question = Question::choices(
    "With 2 consumers instead of 1, how many items per second will get through?",
    &[
        choice("same", "About the same (under 1.3×)"),
        choice("double", "Up to about double (1.3× to 2.2×)"),
        choice("more", "More than 2.2×"),
    ],
);

/// From the sweep's runs with 1 and with 2 consumers.
pub(super) fn answer(runs: &[SweepRun]) -> Answer {
    let one = runs.iter().find(|r| r.consumers == 1);
    let two = runs.iter().find(|r| r.consumers == 2);
    let (Some(one), Some(two)) = (one, two) else {
        return Answer::cannot(
            "This run did not try both 1 and 2 consumers (set Consumers to 2 or more).",
        );
    };
    let r = two.items_per_s / one.items_per_s;
    Answer::choice(
        question::band(r, &[1.3, 2.2], &["same", "double", "more"]),
        format!(
            "1 consumer: {:.1} items/s; 2 consumers: {:.1} items/s ({}).",
            one.items_per_s,
            two.items_per_s,
            question::times(r)
        ),
    )
}
