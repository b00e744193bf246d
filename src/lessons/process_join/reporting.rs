//! The report of a run and the judge of the predict-then-run question.

use super::*;

pub(super) fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), report::ms)
}

pub(super) fn report_of(r: &ProcessesJoinResult) -> Report {
    let n = r.processes;
    let starts: Vec<f64> = r.children.iter().filter_map(|c| c.start_ms).collect();
    let verdict = format!(
        "{n} processes each slept {}; the parent's joins all returned after {} — one wait plus {}, not {n} \
         waits. Starting a process (a new worker, a new memory, a new instance of the program) took {} \
         before its first instruction ran.",
        report::ms(r.wait_ms),
        report::ms(r.total_ms),
        report::ms(r.overhead_ms),
        report::spread_text(&starts),
    );
    let rows = r
        .children
        .iter()
        .map(|c| {
            vec![
                format!("{} (pid {})", c.name, c.pid),
                opt_ms(c.start_ms),
                opt_ms(c.started_ms),
                opt_ms(c.slept_ms),
                opt_ms(c.finished_ms),
                opt_ms(c.exited_ms),
                c.exit_code.map_or_else(|| "—".into(), |x| x.to_string()),
            ]
        })
        .collect();
    Report::new(verdict)
        .table(
            "Where the time went",
            &["Part", "Time"],
            vec![
                vec!["one wait (every process sleeps this long)".into(), report::ms(r.wait_ms)],
                vec![
                    "start cost of a process: median (min – max)".into(),
                    report::spread_text(&starts),
                ],
                vec![
                    "start, exit and join, all processes together".into(),
                    report::ms(r.overhead_ms),
                ],
                vec!["total, first start() to last join()".into(), report::ms(r.total_ms)],
                vec![
                    format!("for comparison: {n} waits one after another (arithmetic, not run)"),
                    report::ms(r.wait_ms * n as f64),
                ],
            ],
        )
        .table(
            "Each process (times after the first start())",
            &["Process", "Start cost", "First instruction", "Slept", "Finished", "Exit seen by parent", "Exit code"],
            rows,
        )
        .note(
            "Start cost is measured from the parent's start() to the child's first instruction, on one clock \
             shared by all workers. In CPython, starting a process with spawn (the default on Windows and \
             macOS) costs tens of milliseconds; a thread costs a fraction of one.",
        )
}

pub const QUESTION: Question = Question::choices(
    "How long does starting one process take, before its first instruction runs?",
    &[
        choice("tiny", "Under 1 ms, like a thread"),
        choice("some", "Between 1 and 10 ms"),
        choice("lots", "More than 10 ms"),
    ],
);

pub(super) fn answer(r: &ProcessesJoinResult) -> Answer {
    Answer::choice(
        question::band(r.median_start_ms, &[1.0, 10.0], &["tiny", "some", "lots"]),
        format!(
            "Starting a process took {} (median; {} – {}).",
            question::ms(r.median_start_ms),
            question::ms(r.min_start_ms),
            question::ms(r.max_start_ms)
        ),
    )
}
