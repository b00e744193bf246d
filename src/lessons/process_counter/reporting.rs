//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// The parent's own counter against the total that came by message, and one row per child.
pub(super) fn report_of(r: &ProcessCounterResult) -> Report {
    let dash = || "—".to_string();
    let rows = r
        .rounds
        .iter()
        .enumerate()
        .flat_map(|(i, round)| {
            round.children.iter().map(move |c| {
                vec![
                    (i + 1).to_string(),
                    format!("{} (pid {})", c.name, c.pid),
                    c.count.map_or_else(dash, report::int),
                    c.start_ms.map_or_else(dash, report::ms),
                    format!("{} B", c.message_bytes),
                    c.message_ms.map_or_else(dash, report::ms),
                    c.exit_code.map_or_else(dash, |code| code.to_string()),
                ]
            })
        })
        .collect();
    let total = r.rounds.last().map_or(0, |round| round.total_via_messages);
    Report::new(format!(
        "The parent's own counter after every process finished: {}. Each process counted to {} in its own \
         memory; the total {} (expected {}) exists only because each one sent its count in a message.",
        report::int(r.parent_counter),
        report::int(r.increments),
        report::int(total),
        report::int(r.expected_total)
    ))
    .table(
        "",
        &[
            "Run",
            "Process",
            "Its own counter",
            "Start cost",
            "Message size",
            "Message delay",
            "Exit code",
        ],
        rows,
    )
    .note(format!(
        "Run time: {} ({} – {}) over {} runs. Starting a process (a new worker, a new memory, a new instance) \
         took {} (median).",
        report::ms(r.median_ms),
        report::ms(r.min_ms),
        report::ms(r.max_ms),
        r.rounds.len(),
        report::ms(r.median_start_ms)
    ))
}

pub const QUESTION: Question = Question::choices(
    "Each child process adds to \"the\" counter. What is the parent's own counter after they all finish?",
    &[
        choice("zero", "Unchanged: 0"),
        choice("total", "The sum of every child's additions"),
        choice("between", "Something in between (lost updates)"),
    ],
);

/// From the parent's own counter after every child finished.
pub(super) fn answer(r: &ProcessCounterResult) -> Answer {
    let correct = if r.parent_counter == 0 {
        "zero"
    } else if r.parent_counter == r.expected_total {
        "total"
    } else {
        "between"
    };
    Answer::choice(
        correct,
        format!(
            "The parent's counter was {}; the children counted {} in all, each in its own memory.",
            report::int(r.parent_counter),
            report::int(r.expected_total)
        ),
    )
}
