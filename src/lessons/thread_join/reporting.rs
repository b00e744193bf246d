//! The report's rows and the judges of both lessons' predict-then-run questions.

use super::*;

pub(super) fn task_rows(mode: &str, tasks: &[Task]) -> Vec<Vec<String>> {
    tasks
        .iter()
        .map(|t| {
            vec![
                mode.to_string(),
                t.thread.clone(),
                report::ms(t.started_ms),
                report::ms(t.slept_ms),
                report::ms(t.finished_ms),
            ]
        })
        .collect()
}

/// "Threads start and join"'s question.
pub const TOTAL_QUESTION: Question = Question::choices(
    "Each thread sleeps the same time. Started together and then joined, how long will the threads take in all?",
    &[
        choice("one", "About one sleep"),
        choice("between", "Somewhere between one sleep and all of them"),
        choice("all", "About all the sleeps added up"),
    ],
);

/// "A Thread subclass"'s question.
pub const NAMES_QUESTION: Question = Question::choices(
    "The threads are instances of a Thread subclass named Worker. What will their names be?",
    &[
        choice("default", "Thread-1, Thread-2, …"),
        choice("class", "Worker-1, Worker-2, … (from the class)"),
        choice("main", "MainThread, like the program"),
    ],
);

/// One thread is both "one sleep" and "all the sleeps"; otherwise the total over one sleep decides.
pub(super) fn answer_total(r: &JoinResult) -> Answer {
    let ratio = r.threaded_ms / r.wait_ms;
    let measured = format!(
        "{} threads of {} took {} ({} one sleep); one after another they took {}.",
        r.threads,
        question::ms(r.wait_ms),
        question::ms(r.threaded_ms),
        question::times(ratio),
        question::ms(r.sequential_ms)
    );
    if r.threads == 1 {
        Answer::any_of(vec!["one", "all"], measured)
    } else if ratio < 1.5 {
        Answer::choice("one", measured)
    } else if ratio > r.threads as f64 - 0.5 {
        Answer::choice("all", measured)
    } else {
        Answer::choice("between", measured)
    }
}

pub(super) fn answer_names(r: &JoinResult) -> Answer {
    let names: Vec<&str> = r.threaded.iter().map(|t| t.thread.as_str()).collect();
    let correct = if names.iter().all(|n| n.starts_with("Worker")) {
        "class"
    } else if names.iter().all(|n| n.starts_with("Thread-")) {
        "default"
    } else {
        "main"
    };
    Answer::choice(
        correct,
        format!("The threads were named {}.", names.join(", ")),
    )
}
