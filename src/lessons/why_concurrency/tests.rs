//! Tests of the why-concurrency lesson.

use super::*;
use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
use crate::protocol::RunRequest;

#[test]
fn the_tutorials_job_is_eleven_thousand_seconds() {
    let (seq, over, par) = arithmetic(10_000, 100.0, 1000.0, 2);
    assert_eq!(seq, 11_000_000.0);
    assert_eq!(over, 100.0 + 9_999.0 * 1000.0 + 1000.0);
    assert_eq!(par, 5_000.0 * 1100.0);
    assert_eq!(seconds(11_000.0), "11,000 s (3.1 hours)");
}

#[test]
fn overlapping_and_parallel_runs_beat_sequential_and_do_every_item() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&RunRequest {
        lesson: "why-concurrency".into(),
        params: json!({"items": 6, "read_ms": 400, "compute_ms": 200, "cores": 2, "time_scale": 10}),
    })
    .unwrap();
    assert_eq!(prepared.threads_needed, 3);
    trace::reset();
    let outcome = run_thread_lesson(&prepared);
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let runs = v["runs"].as_array().unwrap();
    let ms: Vec<f64> = runs.iter().map(|r| r["ms"].as_f64().unwrap()).collect();
    for r in runs {
        assert_eq!(r["items_done"], 6);
    }
    // 6 × (40 + 20) = 360 ms sequentially, at least the 240 ms of reading.
    assert!(ms[0] >= 240.0, "{ms:?}");
    assert!(ms[1] < ms[0], "overlapped hides the reading: {ms:?}");
    assert_eq!(v["full_scale"]["sequential_s"], 10_000.0 * 0.6);
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("computed, not measured"));
    assert!(outcome.lanes.iter().any(|l| l.name == "Thread-1 (reader)"));
    assert!(outcome
        .lanes
        .iter()
        .any(|l| l.name == "ThreadPoolExecutor-0_1"));
}

#[test]
fn the_default_scale_is_ten_percent_and_long_runs_are_capped() {
    let p = prepare(&RunRequest {
        lesson: "why-concurrency".into(),
        params: json!({}),
    })
    .unwrap();
    assert_eq!(p.params.get("time_scale"), 10);
    assert!(p.notices.is_empty());
    let p = prepare(&RunRequest {
        lesson: "why-concurrency".into(),
        params: json!({"items": 64, "compute_ms": 10_000, "time_scale": 100}),
    })
    .unwrap();
    assert_eq!(p.params.get("items"), 2);
    assert_eq!(p.notices.len(), 1);
}
