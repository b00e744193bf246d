//! The lifecycle driven as the runtime worker drives it, on OS threads: prepare, start, poll until the
//! outcome, stop, and a process lesson's children reporting back.

use serde_json::{json, Value};

use super::*;
use crate::engine::trace::TRACE_TEST_LOCK;
use crate::lessons::debug;
use crate::protocol::Attachment;

fn request(lesson: &str, params: Value) -> RunRequest {
    RunRequest {
        lesson: lesson.into(),
        params,
    }
}

/// Polls until the run's outcome, as the runtime does between output updates.
fn poll_until_outcome() -> RunOutcome {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(outcome) = poll().outcome {
            return outcome;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Waits until the pool's jobs of the last run are done, so the next test starts with none outstanding.
fn settle() {
    while stop_leftovers() > 0 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_thread_lesson_runs_from_request_to_outcome_and_only_one_at_a_time() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&request(
        "debug-threads",
        json!({ "mode": debug::WAIT, "ms": 150 }),
    ))
    .unwrap();
    assert_eq!(prepared.engine, EngineKind::Threads);
    assert!(
        start().unwrap().is_empty(),
        "a thread lesson starts no process"
    );
    assert_eq!(
        prepare(&request("threads-join", json!({}))).unwrap_err(),
        BUSY
    );
    assert_eq!(start().unwrap_err(), BUSY);
    let outcome = poll_until_outcome();
    assert_eq!(outcome.error, None);
    // The sleep and the work ran their course; the held lock, the unset event and the empty queue
    // timed out.
    assert_eq!(
        outcome.values["done"],
        json!([true, false, false, false, true])
    );
    assert!(outcome.lanes.iter().any(|l| l.name == "MainThread"));
    assert!(
        outcome.finished_at - outcome.started_at >= 150.0,
        "the waits really waited"
    );
    settle();
    assert_eq!(
        start().unwrap_err(),
        "no run was prepared to start",
        "a prepared run starts once"
    );
}

#[test]
fn a_stopped_run_ends_with_its_reason_and_without_values_or_attachments() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    prepare(&request(
        "frames",
        json!({ "frames": 24, "width": 160, "repeats": 5, "workers": 2, "max_workers": 2, "cores": 2 }),
    ))
    .unwrap();
    start().unwrap();
    assert!(stop("Stopped by the test."));
    let outcome = poll_until_outcome();
    assert_eq!(outcome.stopped.as_deref(), Some("Stopped by the test."));
    assert_eq!(outcome.error.as_deref(), Some("Stopped by the test."));
    assert_eq!(outcome.values, Value::Null);
    assert!(outcome.attachments.is_empty());
    assert!(outcome
        .output
        .iter()
        .any(|line| line.text.starts_with("■ Stopped by the test.")));
    settle();
    assert!(!stop("again"), "no run is going on");
}

#[test]
fn a_finished_frames_run_carries_its_clips_as_an_attachment() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    prepare(&request(
        "frames",
        json!({ "frames": 4, "width": 64, "repeats": 1, "workers": 1, "max_workers": 1, "cores": 1 }),
    ))
    .unwrap();
    start().unwrap();
    let outcome = poll_until_outcome();
    settle();
    assert_eq!(outcome.error, None);
    let frame = 64 * 36 * 4;
    match outcome.attachments.as_slice() {
        [Attachment::FramePlayback {
            width: 64,
            height: 36,
            frames: 4,
            original,
            processed,
            ..
        }] => {
            assert_eq!(original.len(), 4 * frame);
            assert_eq!(processed.len(), 4 * frame);
        }
        other => panic!(
            "one 64 × 36 clip of 4 frames, not {} attachments",
            other.len()
        ),
    }
}

#[test]
fn an_exception_on_the_main_thread_ends_the_run_with_it() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    prepare(&request(
        "debug-threads",
        json!({ "mode": debug::MAIN_PANIC, "threads": 2, "ms": 60000 }),
    ))
    .unwrap();
    start().unwrap();
    let outcome = poll_until_outcome();
    let error = outcome.error.unwrap_or_default();
    assert!(
        error.starts_with("Exception in thread MainThread: RuntimeError: the main thread gave up"),
        "{error}"
    );
    // The other threads' 60 s sleeps were cut short by the stop the exception requested.
    settle();
}

#[test]
fn a_process_lesson_hears_from_its_children_through_the_lifecycle() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&request("debug-processes", json!({ "processes": 2 }))).unwrap();
    assert_eq!(prepared.engine, EngineKind::Processes);
    let spawns = start().unwrap();
    let names: Vec<&str> = spawns.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Process-1", "Process-2"]);
    assert!(poll().outcome.is_none(), "the children have not exited");
    let now = crate::clock::now_ms();
    assert!(process_message(spawns[1].pid, "hello".into(), now).is_empty());
    process_exit(spawns[0].pid, 1, now);
    assert!(poll().outcome.is_none(), "one child is still running");
    process_exit(spawns[1].pid, 0, now);
    let outcome = poll_until_outcome();
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.values["messages"], json!(["hello"]));
    let codes: Vec<&Value> = outcome.values["exits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["exit_code"])
        .collect();
    assert_eq!(codes, [&json!(1), &json!(0)]);
}

#[test]
fn a_stopped_process_lesson_is_abandoned_at_once() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    prepare(&request("debug-processes", json!({ "processes": 3 }))).unwrap();
    let spawns = start().unwrap();
    assert_eq!(spawns.len(), 3);
    assert!(stop("Time limit reached."));
    let outcome = poll().outcome.expect("the outcome at the next poll");
    assert_eq!(outcome.stopped.as_deref(), Some("Time limit reached."));
    // A child's late exit (the runtime terminates each) finds no parent and is harmless.
    assert!(process_exit(spawns[0].pid, -15, crate::clock::now_ms()).is_empty());
}
