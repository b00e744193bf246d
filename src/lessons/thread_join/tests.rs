//! Tests of the start-and-join and Thread-subclass lessons.

use super::*;
use crate::lessons::prepare;
use crate::protocol::{LaneKind, RunOutcome, RunRequest};
use serde_json::json;

fn run(lesson: &str, params: Value) -> RunOutcome {
    crate::lessons::run_for_test(lesson, params)
}

fn check_overlap(outcome: &RunOutcome, n: usize, wait: f64) {
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let threaded = v["threaded_ms"].as_f64().unwrap();
    let sequential = v["sequential_ms"].as_f64().unwrap();
    assert!(
        threaded >= wait,
        "threads took {threaded} ms, less than one wait"
    );
    assert!(
        threaded < wait * 1.9,
        "threads took {threaded} ms: the waits did not overlap"
    );
    assert!(sequential >= wait * n as f64, "sequential {sequential} ms");
    assert_eq!(v["threaded"].as_array().unwrap().len(), n);
    for t in v["sequential"].as_array().unwrap() {
        assert_eq!(t["thread"], "MainThread");
    }
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("threads each slept"));
}

#[test]
fn threads_overlap_their_sleeps_and_sequential_adds_them_up() {
    // 3 × 100 ms at 50 % = 3 × 50 ms.
    let outcome = run(
        "threads-join",
        json!({"threads": 3, "wait_ms": 100, "time_scale": 50}),
    );
    check_overlap(&outcome, 3, 50.0);
    let names: Vec<_> = outcome
        .lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Thread)
        .map(|l| l.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "Thread-1 (worker)",
            "Thread-2 (worker)",
            "Thread-3 (worker)"
        ]
    );
    // Every thread prints twice, the main thread twice per sequential task plus two summaries.
    assert_eq!(outcome.output.len(), 3 * 2 + 3 * 2 + 2);
}

#[test]
fn the_subclass_names_its_threads_and_gives_the_same_result() {
    let outcome = run(
        "thread-subclass",
        json!({"threads": 2, "wait_ms": 100, "time_scale": 50}),
    );
    check_overlap(&outcome, 2, 50.0);
    let threads: Vec<_> = outcome.values["threaded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["thread"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(threads, ["Worker-1", "Worker-2"]);
}

#[test]
fn one_worker_per_thread_plus_the_main_thread() {
    let prepared = prepare(&RunRequest {
        lesson: "thread-subclass".into(),
        params: json!({"threads": 16}),
    })
    .unwrap();
    assert_eq!(prepared.threads_needed, 17);
}

#[test]
fn one_thread_is_both_one_sleep_and_all_of_them() {
    let r = JoinResult {
        threads: 1,
        wait_ms: 100.0,
        threaded_ms: 101.0,
        sequential_ms: 100.0,
        speedup: 1.0,
        threaded: Vec::new(),
        sequential: Vec::new(),
    };
    assert_eq!(answer_total(&r).ids(), vec!["one", "all"]);
    let three = JoinResult {
        threads: 3,
        threaded_ms: 290.0,
        ..r
    };
    assert_eq!(answer_total(&three).ids(), vec!["all"]);
    for id in ["one", "between", "all"] {
        assert!(TOTAL_QUESTION.has_choice(id));
    }
}
