//! Tests of the thread-pool lesson.

use super::*;
use crate::lessons::prepare;
use crate::protocol::{RunOutcome, RunRequest};

fn run(params: Value) -> RunOutcome {
    crate::lessons::run_for_test("thread-pool", params)
}

#[test]
fn tasks_queue_onto_m_workers_map_keeps_order_and_the_failure_surfaces_at_result() {
    let outcome = run(json!({"max_workers": 3, "tasks": 7, "task_ms": 40, "fail_task": 2}));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["max_overlap"], 3);
    assert_eq!(v["workers_used"].as_array().unwrap().len(), 3);
    assert_eq!(v["task_runs"].as_array().unwrap().len(), 14);
    assert_eq!(v["map"]["results"], json!([1, 4, 9, 16, 25, 36, 49]));
    assert_eq!(v["map"]["out_of_order"], true, "{}", v["map"]);
    let e = &v["submit"]["exception"];
    assert_eq!(e["task"], 2);
    assert_eq!(e["message"], "ValueError: task 2 failed");
    assert!(e["surfaced_at"].as_f64().unwrap() >= e["raised_at"].as_f64().unwrap());
    let results = v["submit"]["results"].as_array().unwrap();
    assert_eq!(results[1]["error"], "ValueError: task 2 failed");
    assert_eq!(results[2]["value"], 9, "the tasks after it still ran");
    for part in ["submit", "map"] {
        let ms = v[part]["ms"].as_f64().unwrap();
        assert!((0.8 * 120.0..3.0 * 120.0).contains(&ms), "{part}: {ms}");
    }
}

#[test]
fn overlap_counts_ends_before_starts() {
    let r = |start: f64, end: f64| TaskRun {
        part: "x",
        task: 1,
        worker: String::new(),
        start,
        end,
        failed: false,
    };
    assert_eq!(max_overlap(&[r(0.0, 1.0), r(1.0, 2.0)]), 1);
    assert_eq!(max_overlap(&[r(0.0, 2.0), r(1.0, 3.0), r(1.5, 1.8)]), 3);
}

#[test]
fn a_failing_task_beyond_the_count_is_clamped() {
    let prepared = prepare(&RunRequest {
        lesson: "thread-pool".into(),
        params: json!({"tasks": 4, "fail_task": 9}),
    })
    .unwrap();
    assert_eq!(prepared.params.get("fail_task"), 4);
    assert_eq!(prepared.threads_needed, 4);
}
