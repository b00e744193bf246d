//! Tests of the shared-counter lesson.

use super::*;
use crate::lessons::{prepare, TRACE_TEST_LOCK};
use crate::protocol::{LaneState, RunRequest};
use serde_json::json;

fn run(params: Value) -> crate::protocol::RunOutcome {
    crate::lessons::run_for_test("counter", params)
}

#[test]
fn the_lock_and_the_atomic_are_exact_and_the_race_never_gains() {
    let outcome = run(json!({"threads": 4, "increments": 200_000, "repeats": 2}));
    assert_eq!(outcome.error, None);
    let result = &outcome.values;
    for v in result["variants"].as_array().unwrap() {
        for trial in v["trials"].as_array().unwrap() {
            let actual = trial["actual"].as_u64().unwrap();
            match v["variant"].as_str().unwrap() {
                // Lost updates can take the total below one thread's share (a stale write can undo
                // many), but never above the expected total and never to zero.
                "unlocked" => assert!(actual <= 800_000 && actual > 0, "{actual}"),
                _ => assert_eq!(actual, 800_000, "{}", v["variant"]),
            }
        }
    }
}

#[test]
fn every_thread_has_a_named_lane_that_starts_runs_and_finishes() {
    let outcome = run(json!({"threads": 3, "increments": 1000, "repeats": 1}));
    let threads: Vec<_> = outcome
        .lanes
        .iter()
        .filter(|l| l.name.starts_with("Thread-"))
        .collect();
    assert_eq!(threads.len(), 9, "3 threads × 3 variants");
    assert_eq!(threads[0].name, "Thread-1 (add_unlocked)");
    for lane in threads {
        let states: Vec<_> = outcome
            .events
            .iter()
            .filter(|e| e.lane == lane.id)
            .map(|e| e.state)
            .collect();
        assert_eq!(states.first(), Some(&LaneState::Starting), "{}", lane.name);
        assert!(states.contains(&LaneState::Running));
        assert_eq!(states.last(), Some(&LaneState::Finished), "{}", lane.name);
    }
    assert_eq!(outcome.output.len(), 3, "one line per run");
}

#[test]
fn total_work_is_capped_with_a_notice() {
    let prepared = prepare(&RunRequest {
        lesson: "counter".into(),
        params: json!({"threads": 64, "increments": 10_000_000}),
    })
    .unwrap();
    assert_eq!(prepared.params.get("increments"), MAX_TOTAL_INCREMENTS / 64);
    assert_eq!(prepared.threads_needed, 65);
    assert_eq!(prepared.notices.len(), 1);
}

#[test]
fn the_variant_parameter_runs_only_the_chosen_variant() {
    let outcome = run(json!({"threads": 2, "increments": 1000, "repeats": 2, "variant": 2}));
    assert_eq!(outcome.error, None);
    let variants = outcome.values["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 1);
    assert_eq!(variants[0]["variant"], "locked");
    assert_eq!(variants[0]["trials"].as_array().unwrap().len(), 2);
    let names: Vec<_> = outcome.lanes.iter().map(|l| l.name.as_str()).collect();
    assert!(
        names.iter().all(|n| !n.contains("add_unlocked")),
        "{names:?}"
    );
    assert_eq!(Variant::selected(0).len(), 3);
    assert_eq!(Variant::selected(1), vec![Variant::Unlocked]);
    assert_eq!(Variant::selected(3), vec![Variant::Atomic]);
}

/// The lock must really exclude: with the lock taken, the counter is exact under heavy contention.
#[test]
fn the_locked_variant_is_exact_under_contention() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    crate::engine::trace::reset();
    let mut n = 0;
    let trial = run_variant(
        Interpreter::FreeThreaded,
        Variant::Locked,
        8,
        50_000,
        "t",
        &mut n,
    );
    assert_eq!(trial.actual, 400_000);
    assert_eq!(trial.lost, 0);
}

/// Under the GIL a switch only happens at the loop's backward jump, after the write: the unlocked
/// loop loses nothing, even though the threads really take turns many times.
#[test]
fn under_the_gil_the_unlocked_loop_loses_nothing_but_the_threads_switch() {
    let outcome = run(json!({"threads": 3, "increments": 300_000, "repeats": 2,
        "python": gil::WITH_GIL, "switch_interval_ms": 1}));
    assert_eq!(outcome.error, None);
    let unlocked = &outcome.values["variants"][0];
    assert_eq!(unlocked["variant"], "unlocked");
    for trial in unlocked["trials"].as_array().unwrap() {
        assert_eq!(trial["lost"], 0, "{trial}");
    }
    let switches: u64 = outcome.values["variants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["trials"].as_array().unwrap())
        .map(|t| t["gil"]["switches"].as_u64().unwrap())
        .sum();
    assert!(switches >= 9, "the GIL changed hands only {switches} times");
    assert_eq!(outcome.values["interpreter"]["build"], "gil");
}

fn result_with(variants: Vec<(Variant, Vec<u64>)>) -> CounterResult {
    let trial = |actual: u64| Trial {
        actual,
        lost: 100u64.saturating_sub(actual),
        ms: 1.0,
        lock_wait_ms: 0.0,
        contended_acquisitions: 0,
        gil: GilStats::default(),
    };
    CounterResult {
        interpreter: Interpreter::FreeThreaded,
        interpreter_label: Interpreter::FreeThreaded.label(),
        threads: 2,
        increments: 50,
        expected: 100,
        variants: variants
            .into_iter()
            .map(|(variant, totals)| {
                let trials: Vec<Trial> = totals.into_iter().map(trial).collect();
                VariantResult {
                    variant,
                    label: variant.label(),
                    expected: 100,
                    trials_losing_updates: trials.iter().filter(|t| t.lost > 0).count(),
                    trials,
                    median_ms: 1.0,
                    min_ms: 1.0,
                    max_ms: 1.0,
                }
            })
            .collect(),
    }
}

#[test]
fn the_question_is_judged_from_the_unlocked_totals() {
    let lost = answer(&result_with(vec![(Variant::Unlocked, vec![100, 73])]));
    assert_eq!(
        lost,
        Answer::choice(
            "less",
            "Expected 100; without a lock the runs reached 100, 73."
        )
    );
    let exact = answer(&result_with(vec![
        (Variant::Unlocked, vec![100, 100]),
        (Variant::Locked, vec![100]),
    ]));
    assert_eq!(exact.ids(), vec!["exact"]);
    let none = answer(&result_with(vec![(Variant::Locked, vec![100])]));
    assert_eq!(none.correct, None);
    assert!(
        none.measured.contains("Variant to 0 or 1"),
        "{}",
        none.measured
    );
    for id in [lost.ids(), exact.ids()].concat() {
        assert!(QUESTION.has_choice(id), "{id}");
    }
}

#[test]
fn a_run_carries_its_answer() {
    let outcome = run(json!({"threads": 2, "increments": 1000, "repeats": 1}));
    let answer = &outcome.values["answer"];
    let id = answer["correct"].as_str().expect("a choice id");
    assert!(QUESTION.has_choice(id), "{answer}");
    assert!(
        answer["measured"]
            .as_str()
            .unwrap()
            .starts_with("Expected 2,000;"),
        "{answer}"
    );
}

#[test]
fn the_report_says_how_many_runs_lost_updates_and_which_were_exact() {
    let r = result_with(vec![
        (Variant::Unlocked, vec![100, 73]),
        (Variant::Atomic, vec![100, 100]),
    ]);
    let rep = report_of(&r);
    assert_eq!(
        rep.verdict,
        "free-threaded (3.13t): without a lock, 1 of 2 runs lost updates (up to 27 of 100). atomic add: 2 of 2 runs exact."
    );
    let first: Vec<&str> = rep.tables[0]
        .rows
        .iter()
        .map(|row| row[0].as_str())
        .collect();
    assert_eq!(first, ["no lock", "atomic add"]);
    assert_eq!(rep.tables[0].rows[0][2], "100, 73");
    let none_lost = report_of(&result_with(vec![(Variant::Unlocked, vec![100])]));
    assert!(none_lost
        .verdict
        .starts_with("This time no run without a lock lost an update"));
}
