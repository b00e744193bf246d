//! The report of a run and the judge of the predict-then-run question.

use super::*;

pub(super) fn edges_rows(cycle: &[CycleEdge]) -> Vec<Vec<String>> {
    cycle
        .iter()
        .map(|e| vec![e.thread.clone(), e.holds.clone(), e.waits_for.clone()])
        .collect()
}

/// The verdict, the wait-for cycle when one formed, and a row per run.
pub(super) fn report_of(
    strategy: i64,
    hold: f64,
    started: f64,
    parts: &Parts,
    summary: &Summary,
) -> Report {
    let verdict = verdict(strategy, parts, summary);
    let found = &summary.found;
    let mut rep = Report::new(verdict);
    if let Some(d) = &found {
        rep = rep
            .table(
                "The wait-for cycle",
                &["thread", "holds", "waits for"],
                edges_rows(&d.cycle),
            )
            .note(format!(
                "The cycle formed when the last of its threads began to wait ({} into the run) and was \
                 detected {} later: a blocked thread checks the wait-for graph every {} ms.",
                report::ms(d.formed_at - started),
                report::ms(d.detected_at - d.formed_at),
                crate::engine::deadlock::CHECK_MS
            ));
    }
    rep.table(
        "Runs",
        &["run", "time", "threads"],
        runs_rows(strategy, parts),
    )
    .note(format!(
        "Each thread holds its first lock for {} (hold_ms at this time scale). Python has no \
         deadlock detector: there, run 1 never ends.",
        report::ms(hold)
    ))
}

/// What happened in each run, and how long the fixes took.
fn verdict(strategy: i64, parts: &Parts, summary: &Summary) -> String {
    let Parts {
        opposite,
        order,
        retry,
    } = parts;
    let (found, victim) = (&summary.found, &summary.victim);
    let survivor_completed = summary.survivor_completed;
    let (order_completed, retry_completed) = (summary.order_completed, summary.retry_completed);
    let (retries, locks) = (summary.retries, summary.locks);
    let mut verdict = match (&opposite, &found, &victim) {
        (None, _, _) => String::new(),
        (Some(_), Some(d), Some(v)) => {
            let who: Vec<String> = d
                .cycle
                .iter()
                .map(|e| format!("{} held {} and waited for {}", e.thread, e.holds, e.waits_for))
                .collect();
            format!(
                "Deadlock{}: {}. The detector found the cycle {} after it formed; {v} gave up and \
                 released its lock, and the other thread {}. ",
                if strategy == 4 { " with RLocks too (re-entry only helps the thread that holds the lock)" } else { "" },
                who.join(", while "),
                report::ms(d.detected_at - d.formed_at),
                if survivor_completed { "then finished" } else { "did not finish" }
            )
        }
        (Some(_), _, _) => format!(
            "No deadlock formed in this run of the opposite order with {locks}: one thread took both \
             locks before the other took its first. "
        ),
    };
    let done = |c: bool| if c { "completed" } else { "did NOT complete" };
    if let (Some((_, ms)), Some(c)) = (&order, order_completed) {
        verdict.push_str(&format!(
            "One global lock order {} in {}. ",
            done(c),
            report::ms(*ms)
        ));
    }
    if let (Some((_, ms)), Some(c), Some(n)) = (&retry, retry_completed, retries) {
        verdict.push_str(&format!(
            "Timeout and retry {} in {} ({n} {}).",
            done(c),
            report::ms(*ms),
            if n == 1 { "retry" } else { "retries" },
        ));
    }
    verdict.trim_end().to_string()
}

/// A row per run: its time and what each thread did.
fn runs_rows(strategy: i64, parts: &Parts) -> Vec<Vec<String>> {
    let Parts {
        opposite,
        order,
        retry,
    } = parts;
    let row = |run: &str, ms: f64, runs: &[ThreadRun]| {
        let what: Vec<String> = runs
            .iter()
            .map(|r| {
                let state = if r.completed {
                    "finished"
                } else if r.gave_up {
                    "gave up (deadlock victim)"
                } else {
                    "did not finish"
                };
                if r.attempts > 1 {
                    format!("{}: {state} after {} attempts", r.thread, r.attempts)
                } else {
                    format!("{}: {state}", r.thread)
                }
            })
            .collect();
        vec![run.to_string(), report::ms(ms), what.join("; ")]
    };
    let mut rows = Vec::new();
    if let Some((runs, ms)) = &opposite {
        let label = if strategy == 4 {
            "opposite order with RLocks (deadlock)"
        } else {
            "opposite order (deadlock)"
        };
        rows.push(row(label, *ms, runs));
    }
    if let Some((runs, ms)) = &order {
        rows.push(row("fix 1: one lock order", *ms, runs));
    }
    if let Some((runs, ms)) = &retry {
        rows.push(row("fix 2: timeout, back off, retry", *ms, runs));
    }
    rows
}

pub const QUESTION: Question = Question::choices(
    "Thread 1 takes lock_a then lock_b; thread 2 takes lock_b then lock_a, each holding its first lock a while. What happens?",
    &[
        choice("both", "Both finish, one after the other"),
        choice("deadlock", "Each waits forever for the lock the other holds"),
        choice("error", "Python raises an error at once"),
    ],
);

/// From the opposite-order run (`None` when it did not run) and the deadlock the detector found in it.
pub(super) fn answer(opposite: Option<&[ThreadRun]>, found: Option<&Deadlock>) -> Answer {
    let Some(runs) = opposite else {
        return Answer::cannot(
            "This run did not include the opposite order (set \"Which runs\" to 0, 1 or 4).",
        );
    };
    let done = runs.iter().all(|t| t.completed);
    match found {
        Some(d) => {
            let edges: Vec<String> = d
                .cycle
                .iter()
                .map(|e| {
                    format!(
                        "{} held {} and waited for {}",
                        e.thread, e.holds, e.waits_for
                    )
                })
                .collect();
            Answer::choice(
                "deadlock",
                format!(
                    "They deadlocked: {}. The detector broke the cycle after {}; Python would hang.",
                    edges.join("; "),
                    question::ms(d.detected_at - d.formed_at)
                ),
            )
        }
        None => Answer::choice(
            if done { "both" } else { "error" },
            format!(
                "No deadlock formed this time; {}.",
                if done {
                    "both threads finished"
                } else {
                    "not every thread finished"
                }
            ),
        ),
    }
}
