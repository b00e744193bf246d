//! Tests of the GIL lesson.

use super::*;
use crate::protocol::LaneState;

#[test]
fn under_the_gil_cpu_threads_take_turns_and_waits_overlap() {
    let outcome = crate::lessons::run_for_test(
        "gil",
        json!({"python": BOTH, "cpu_ms": 30, "io_ms": 40, "repeats": 1, "switch_interval_ms": 2}),
    );
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert!(
        v["gil"]["forced_drops"].as_u64().unwrap() >= 2,
        "{}",
        v["gil"]
    );
    // Sleeps overlap with and without the GIL: in each I/O group, both threads are asleep at once.
    for build in ["CPython (with GIL)", "free-threaded (3.13t)"] {
        let group = format!("I/O: 2 threads, {build}");
        let sleeps: Vec<(f64, f64)> = outcome
            .lanes
            .iter()
            .filter(|l| l.group == group)
            .map(|l| {
                let mine: Vec<_> = outcome.events.iter().filter(|e| e.lane == l.id).collect();
                let at = mine
                    .iter()
                    .position(|e| e.state == LaneState::Sleeping)
                    .unwrap();
                (mine[at].t, mine[at + 1].t)
            })
            .collect();
        assert_eq!(sleeps.len(), 2, "{group}");
        assert!(
            sleeps[0].0.max(sleeps[1].0) < sleeps[0].1.min(sleeps[1].1),
            "{group}: {sleeps:?}"
        );
    }
    assert!(outcome
        .events
        .iter()
        .any(|e| e.state == LaneState::WaitingGil));
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("Under the GIL"));
}

#[test]
fn a_single_build_leaves_the_other_column_unrun() {
    let outcome = crate::lessons::run_for_test(
        "gil",
        json!({"python": gil::FREE_THREADED, "cpu_ms": 10, "io_ms": 5, "repeats": 1}),
    );
    assert_eq!(outcome.error, None);
    assert!(outcome.values["cpu"]["threads_gil_ms"].is_null());
    assert!(outcome.values["cpu"]["threads_free_ms"].as_f64().unwrap() > 0.0);
    assert!(outcome.values["gil"].is_null());
}

#[test]
fn the_question_needs_the_build_with_the_gil() {
    assert_eq!(answer(None, Some(10.0), 0).correct, None);
    let a = answer(Some(21.0), Some(20.0), 7);
    assert_eq!(a.ids(), vec!["same"]);
    assert!(
        a.measured
            .ends_with("1.05×; the GIL changed hands 7 times."),
        "{}",
        a.measured
    );
    assert_eq!(answer(Some(10.0), Some(20.0), 0).ids(), vec!["faster"]);
    assert!(QUESTION.has_choice("slower"));
}
