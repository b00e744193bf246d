//! Tests of the synchronization-primitives lesson.

use super::*;

use crate::protocol::{LaneState, RunOutcome};

fn run(params: Value) -> RunOutcome {
    crate::lessons::run_for_test("primitives", params)
}

/// The most lanes of `group` in state "holding" at once, from the recorded events.
fn most_holding(outcome: &RunOutcome, group: &str) -> usize {
    let lanes: Vec<u32> = outcome
        .lanes
        .iter()
        .filter(|l| l.group == group)
        .map(|l| l.id)
        .collect();
    let mut holding = std::collections::HashSet::new();
    let mut most = 0;
    for e in outcome.events.iter().filter(|e| lanes.contains(&e.lane)) {
        if e.state == LaneState::Holding {
            holding.insert(e.lane);
        } else {
            holding.remove(&e.lane);
        }
        most = most.max(holding.len());
    }
    most
}

#[test]
fn each_primitive_does_what_the_lesson_claims() {
    let outcome = run(json!({
        "threads": 5, "permits": 2, "hold_ms": 40, "timer_ms": 60, "time_scale": 100
    }));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["rlock"]["reentered"], true);
    assert_eq!(v["lock"]["second_acquire"], false);
    assert!(v["lock"]["waited_ms"].as_f64().unwrap() >= 39.0);
    assert_eq!(v["lock"]["detector"]["cycle"].as_array().unwrap().len(), 1);
    assert_eq!(v["event"]["all_woke_once"], true, "{}", v["event"]);
    assert_eq!(v["event"]["waiters"].as_array().unwrap().len(), 5);
    assert_eq!(v["condition"]["value"], 42);
    assert_eq!(v["condition"]["notified"], true);
    assert_eq!(v["semaphore"]["max_holders"], 2);
    assert_eq!(most_holding(&outcome, "Semaphore"), 2);
    assert_eq!(
        v["bounded"]["error"],
        "ValueError: Semaphore released too many times"
    );
    assert_eq!(v["bounded"]["plain_value_after"], 3);
    assert_eq!(v["timer"]["fired"], true);
    let late = v["timer"]["late_ms"].as_f64().unwrap();
    assert!((0.0..200.0).contains(&late), "{late}");
    assert_eq!(v["timer"]["cancelled"]["ran"], false);
    assert_eq!(v["event"]["mode"], "event");
    assert_eq!(v["event"]["total_wakeups"], 5);
}

#[test]
fn polling_wakes_many_times_and_notices_late() {
    let outcome = run(json!({
        "threads": 3, "permits": 1, "hold_ms": 60, "timer_ms": 10, "poll_ms": 5, "time_scale": 100
    }));
    assert_eq!(outcome.error, None);
    let e = &outcome.values["event"];
    assert_eq!(e["mode"], "polling");
    assert_eq!(e["all_woke_once"], false);
    // Each waiter slept about 60 ms in 5 ms naps before the flag was set.
    assert!(e["total_wakeups"].as_u64().unwrap() >= 3 * 5, "{e}");
    let outcome = run(json!({
        "threads": 2, "permits": 1, "hold_ms": 20, "timer_ms": 10, "poll_ms": 200, "time_scale": 100
    }));
    let e = &outcome.values["event"];
    // The flag was set about 20 ms in; the pollers only looked again at 200 ms.
    assert!(e["max_latency_ms"].as_f64().unwrap() >= 100.0, "{e}");
    assert!(outcome.values["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("polling"));
}
