//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// The six parts' results, for the report.
pub(super) struct Parts<'a> {
    /// Threads.
    pub(super) n: usize,
    /// The semaphore's permits.
    pub(super) k: u32,
    pub(super) hold: f64,
    pub(super) poll: f64,
    pub(super) locks: &'a Value,
    pub(super) event: &'a Value,
    pub(super) condition: &'a Value,
    pub(super) semaphore: &'a Value,
    pub(super) bounded: &'a Value,
    pub(super) timer: &'a Value,
}

/// The verdict and what each primitive did.
pub(super) fn report_of(p: &Parts) -> Report {
    let Parts {
        n,
        k,
        hold,
        poll,
        locks,
        event,
        semaphore,
        bounded,
        timer,
        ..
    } = *p;
    let rows = primitive_rows(p);
    let max_holders = semaphore["max_holders"].as_u64().unwrap_or(0);
    let expected_holders = (n as u64).min(u64::from(k));
    let verdict = format!(
        "RLock re-entry {}; the plain Lock blocked its own holder for {} until the timeout. {}. Semaphore({k}) let at most {max_holders} of {n} threads in at once \
         (expected {expected_holders}). BoundedSemaphore: \"{}\". The Timer fired {} late; the \
         cancelled one {}.",
        if locks["rlock"]["reentered"] == true { "worked" } else { "FAILED" },
        report::ms(locks["lock"]["waited_ms"].as_f64().unwrap_or(0.0)),
        if poll > 0.0 {
            format!(
                "{n} threads polling a flag every {} woke {} times in all and noticed it up to {} late",
                report::ms(poll),
                event["total_wakeups"],
                report::ms(event["max_latency_ms"].as_f64().unwrap_or(0.0))
            )
        } else {
            format!(
                "One set() woke {n} Event waiters{}",
                if event["all_woke_once"] == true { ", each exactly once" } else { "" }
            )
        },
        bounded["error"].as_str().unwrap_or("no error"),
        report::ms(timer["late_ms"].as_f64().unwrap_or(f64::NAN)),
        if timer["cancelled"]["ran"] == true { "ran anyway" } else { "never ran" },
    );
    Report::new(verdict)
        .table("What each primitive did", &["primitive", "measured"], rows)
        .note(format!(
            "Semaphore holders are counted as they enter and leave; the timeline shows the same as \
             'holding' bars ({} each).",
            report::ms(hold)
        ))
}

/// A row per primitive: what it did.
fn primitive_rows(p: &Parts) -> Vec<Vec<String>> {
    let Parts {
        n,
        k,
        poll,
        locks,
        event,
        condition,
        semaphore,
        bounded,
        timer,
        ..
    } = *p;
    let max_holders = semaphore["max_holders"].as_u64().unwrap_or(0);
    vec![
        vec![
            "RLock".into(),
            format!(
                "taken again by its holder: {}",
                if locks["rlock"]["reentered"] == true { "ok, depth 2" } else { "FAILED" }
            ),
        ],
        vec![
            "Lock".into(),
            format!(
                "taken again by its holder: acquire(timeout) returned {} after {}{}",
                if locks["lock"]["second_acquire"] == true { "True" } else { "False" },
                report::ms(locks["lock"]["waited_ms"].as_f64().unwrap_or(0.0)),
                match locks["lock"]["detector"]["detect_ms"].as_f64() {
                    Some(d) => format!(
                        "; without a timeout the detector saw the thread waiting for itself after {}",
                        report::ms(d)
                    ),
                    None => String::new(),
                }
            ),
        ],
        vec![
            if poll > 0.0 { format!("polling every {}", report::ms(poll)) } else { "Event".into() },
            format!(
                "{n} waiters, {} ({} wake-ups in all); slowest woke {} after set()",
                if event["all_woke_once"] == true {
                    "each woke exactly once"
                } else {
                    "NOT each woken exactly once"
                },
                event["total_wakeups"],
                report::ms(event["max_latency_ms"].as_f64().unwrap_or(0.0))
            ),
        ],
        vec![
            "Condition".into(),
            format!(
                "the consumer waited {} time(s) and got {}, {} after notify()",
                condition["wait_calls"],
                condition["value"],
                report::ms(condition["latency_ms"].as_f64().unwrap_or(0.0))
            ),
        ],
        vec![
            "Semaphore".into(),
            format!(
                "{n} threads through Semaphore({k}): at most {max_holders} held it at once; {}",
                report::ms(semaphore["ms"].as_f64().unwrap_or(0.0))
            ),
        ],
        vec![
            "BoundedSemaphore".into(),
            format!(
                "extra release: {}; a plain Semaphore({k}) just grows to {}",
                bounded["error"].as_str().unwrap_or("no error"),
                bounded["plain_value_after"]
            ),
        ],
        vec![
            "Timer".into(),
            format!(
                "fired {} after start ({} late); the cancelled one {}",
                report::ms(timer["fired_after_ms"].as_f64().unwrap_or(f64::NAN)),
                report::ms(timer["late_ms"].as_f64().unwrap_or(f64::NAN)),
                if timer["cancelled"]["ran"] == true { "RAN" } else { "never ran" }
            ),
        ],
    ]
}

pub const QUESTION: Question = Question::choices(
    "N threads wait for one signal, then it is given once. How many times does each waiting thread wake up?",
    &[
        choice("once", "Exactly once"),
        choice("many", "Several times"),
        choice("some", "Only one of them wakes"),
    ],
);

/// From the Event part's waiters (`poll` > 0: they polled a flag instead of waiting on the Event).
pub(super) fn answer(waiters: &[Waiter], poll: f64, max_latency_ms: f64) -> Answer {
    let correct = if waiters.iter().any(|w| !w.woke) {
        "some"
    } else if waiters.iter().all(|w| w.wakeups == 1) {
        "once"
    } else {
        "many"
    };
    let how = if poll > 0.0 {
        format!("Polling every {}", question::ms(poll))
    } else {
        "On the Event".to_string()
    };
    let wakeups: Vec<String> = waiters.iter().map(|w| w.wakeups.to_string()).collect();
    Answer::choice(
        correct,
        format!(
            "{how}, the {} threads woke {} times; the slowest {} after the signal.",
            waiters.len(),
            wakeups.join(", "),
            question::ms(max_latency_ms)
        ),
    )
}
