//! The report of a run and the judge of the predict-then-run question.

use super::*;

pub(super) fn report_of(r: &JoinTimeoutResult) -> Report {
    let join_part = if r.alive_after_join {
        format!(
            "join(timeout={}) returned after {} while the worker was still alive (is_alive() True).",
            report::ms(r.join_timeout_ms),
            report::ms(r.join_returned_after_ms)
        )
    } else {
        format!(
            "join(timeout={}) returned after {} because the worker had finished (is_alive() False) — make \
             the worker sleep longer than the timeout to see join return while it still runs.",
            report::ms(r.join_timeout_ms),
            report::ms(r.join_returned_after_ms)
        )
    };
    let daemon_part = if r.daemon_alive_at_exit {
        format!(
            "The main program ended at {}; the exit waited {} more for the non-daemon worker, then abandoned \
             the daemon, still alive after {} ticks, at {}.",
            report::ms(r.main_ended_ms),
            report::ms(r.exit_waited_for_worker_ms),
            r.daemon_ticks,
            report::ms(r.daemon_abandoned_ms)
        )
    } else {
        format!(
            "The main program ended at {}; the daemon was no longer alive at exit.",
            report::ms(r.main_ended_ms)
        )
    };
    let alive = |b: bool| py_bool(b).to_string();
    Report::new(format!("{join_part} {daemon_part}"))
        .table(
            "What happened when (times after the program's start)",
            &["Moment", "Time", "worker.is_alive()", "daemon.is_alive()"],
            vec![
                vec![
                    "join(timeout) returns".into(),
                    report::ms(r.join_returned_after_ms),
                    alive(r.alive_after_join),
                    "True".into(),
                ],
                vec![
                    "main program ends".into(),
                    report::ms(r.main_ended_ms),
                    alive(r.alive_after_join),
                    alive(r.daemon_alive_at_main_end),
                ],
                vec![
                    "exit: the non-daemon worker has been joined".into(),
                    report::ms(r.worker_finished_ms),
                    "False".into(),
                    alive(r.daemon_alive_at_exit),
                ],
                vec![
                    "exit: the daemon is abandoned".into(),
                    report::ms(r.daemon_abandoned_ms),
                    "False".into(),
                    alive(r.daemon_alive_at_exit),
                ],
            ],
        )
        .table(
            "Threads by kind",
            &["Thread", "daemon", "Does the program wait for it at exit?", "Measured"],
            vec![
                vec![
                    "Thread-1 (work)".into(),
                    "False".into(),
                    "yes".into(),
                    format!(
                        "slept {}; the exit waited {} for it",
                        report::ms(r.worker_sleep_ms),
                        report::ms(r.exit_waited_for_worker_ms)
                    ),
                ],
                vec![
                    "Thread-2 (heartbeat)".into(),
                    "True".into(),
                    "no".into(),
                    format!(
                        "{} ticks, every {}; abandoned at {}",
                        r.daemon_ticks,
                        report::ms(r.tick_ms),
                        report::ms(r.daemon_abandoned_ms)
                    ),
                ],
            ],
        )
        .note(format!(
            "CPython stops a daemon thread abruptly as the interpreter shuts down. Here the daemon runs on a \
             worker the next run reuses, so at exit the playground wakes its sleep with a stop flag; its lane \
             ended {} after it was abandoned, having run nothing further.",
            report::ms(r.daemon_stop_latency_ms)
        ))
}

pub const QUESTION: Question = Question::choices(
    "join(timeout) returns. Is the worker thread still alive at that moment (is_alive())?",
    &[
        choice("yes", "Yes, still alive"),
        choice("no", "No, it has finished"),
    ],
);

pub(super) fn answer(r: &JoinTimeoutResult) -> Answer {
    Answer::choice(
        if r.alive_after_join { "yes" } else { "no" },
        format!(
            "join(timeout={}) returned after {}; the worker sleeps {}, and is_alive() was {}.",
            question::ms(r.join_timeout_ms),
            question::ms(r.join_returned_after_ms),
            question::ms(r.worker_sleep_ms),
            if r.alive_after_join { "True" } else { "False" }
        ),
    )
}
