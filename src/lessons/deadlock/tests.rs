//! Tests of the deadlock lesson.

use super::*;
use crate::lessons::prepare;
use crate::protocol::{RunOutcome, RunRequest};

fn run(params: Value) -> RunOutcome {
    crate::lessons::run_for_test("deadlock", params)
}

#[test]
fn the_cycle_is_detected_the_run_recovers_and_both_fixes_complete() {
    let outcome = run(json!({"hold_ms": 40, "time_scale": 100}));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let d = &v["deadlock"];
    assert_eq!(d["formed"], true, "{d}");
    let cycle = d["cycle"].as_array().unwrap();
    assert_eq!(cycle.len(), 2);
    let held: Vec<&str> = cycle.iter().map(|e| e["holds"].as_str().unwrap()).collect();
    let wanted: Vec<&str> = cycle
        .iter()
        .map(|e| e["waits_for"].as_str().unwrap())
        .collect();
    assert!(
        held.contains(&"lock_a") && held.contains(&"lock_b"),
        "{held:?}"
    );
    for (h, w) in held.iter().zip(&wanted) {
        assert_ne!(h, w, "each thread waits for the lock it does not hold");
    }
    let detect = d["detect_ms"].as_f64().unwrap();
    assert!((0.0..1000.0).contains(&detect), "{detect}");
    assert_eq!(d["survivor_completed"], true);
    let threads = d["threads"].as_array().unwrap();
    assert_eq!(threads.iter().filter(|t| t["gave_up"] == true).count(), 1);
    assert_eq!(threads.iter().filter(|t| t["completed"] == true).count(), 1);
    for fix in ["lock_order", "timeout_retry"] {
        assert_eq!(v["fixes"][fix]["completed"], true, "{fix}");
    }
    // With one lock order the two threads are serialized: at least two holds.
    assert!(v["fixes"]["lock_order"]["ms"].as_f64().unwrap() >= 80.0);
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("detector found the cycle"));
    // Both threads were really blocked on a lock.
    let waited: std::collections::HashSet<u32> = outcome
        .events
        .iter()
        .filter(|e| e.state == crate::protocol::LaneState::WaitingLock)
        .map(|e| e.lane)
        .collect();
    assert!(waited.len() >= 2, "{waited:?}");
}

#[test]
fn each_strategy_runs_only_its_part_and_rlocks_still_deadlock() {
    let outcome = run(json!({"hold_ms": 30, "time_scale": 100, "strategy": 2}));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["deadlock"], Value::Null);
    assert_eq!(v["fixes"]["timeout_retry"], Value::Null);
    assert_eq!(v["fixes"]["lock_order"]["completed"], true);
    assert_eq!(
        outcome
            .lanes
            .iter()
            .filter(|l| l.name.starts_with("Thread-"))
            .count(),
        2
    );

    let outcome = run(json!({"hold_ms": 30, "time_scale": 100, "strategy": 3}));
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.values["deadlock"], Value::Null);
    assert_eq!(outcome.values["fixes"]["timeout_retry"]["completed"], true);

    let outcome = run(json!({"hold_ms": 30, "time_scale": 100, "strategy": 4}));
    assert_eq!(outcome.error, None);
    let d = &outcome.values["deadlock"];
    assert_eq!(d["locks"], "RLocks");
    assert_eq!(d["formed"], true, "{d}");
    assert_eq!(outcome.values["fixes"]["lock_order"], Value::Null);
    assert!(outcome.values["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("RLocks"));
}

#[test]
fn a_hold_too_short_to_form_the_cycle_is_raised_with_a_notice() {
    let prepared = prepare(&RunRequest {
        lesson: "deadlock".into(),
        params: json!({"hold_ms": 100, "time_scale": 5}),
    })
    .unwrap();
    assert_eq!(prepared.params.get("hold_ms"), 400);
    assert_eq!(prepared.notices.len(), 1);
}
