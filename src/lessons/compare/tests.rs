//! Tests of the threads-vs-processes-vs-asyncio lesson.

use super::*;
use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
use crate::protocol::RunRequest;

#[test]
fn every_measured_cell_is_positive_and_waits_overlap() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    trace::reset();
    bridge::reset();
    let prepared = prepare(&RunRequest {
        lesson: "compare".into(),
        params: json!({"tasks": 3, "wait_ms": 50, "work_ms": 10, "time_scale": 100}),
    })
    .unwrap();
    assert_eq!(prepared.threads_needed, 4);
    let outcome = run_thread_lesson(&prepared);
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let measured = v["measured"].as_object().unwrap();
    assert!(measured.len() >= 11, "{measured:?}");
    for (name, value) in measured {
        assert!(value.as_f64().unwrap() > 0.0, "{name} = {value}");
    }
    // Three waits of 50 ms overlap on threads and on the loop: well under 150 ms.
    assert!(v["io"]["threads_ms"].as_f64().unwrap() < 120.0);
    assert!(v["io"]["event_loop_ms"].as_f64().unwrap() < 120.0);
    assert!(v["io"]["event_loop_ms"].as_f64().unwrap() >= 50.0);
    let rows = v["report"]["tables"][0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows[1][1]
        .as_str()
        .unwrap()
        .contains("configured, not measured"));
}

#[test]
fn children_report_their_start_and_refuse_unknown_programs() {
    let mut sent = Vec::new();
    let mut send = |s: String| sent.push(s);
    let mut ctx = ChildContext {
        pid: 1,
        name: "Process-1".into(),
        send: &mut send,
    };
    assert_eq!(child_program("work", &json!({"units": 3}), &mut ctx), 0);
    assert_eq!(child_program("nope", &json!({}), &mut ctx), 2);
    let r: ChildReport = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(r.checksum, common::work(3));
    assert_eq!(sent.len(), 1);
}
