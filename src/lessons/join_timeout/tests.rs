//! Tests of the join-with-a-timeout lesson.

use super::*;
use crate::lessons::TRACE_TEST_LOCK;

use serde_json::json;

fn run(params: Value) -> crate::protocol::RunOutcome {
    crate::lessons::run_for_test("join-timeout", params)
}

#[test]
fn join_times_out_while_alive_and_the_daemon_is_abandoned_at_exit() {
    // At 50 %: worker 200 ms, timeout 50 ms, tick 20 ms.
    let outcome =
        run(json!({"worker_ms": 400, "timeout_ms": 100, "tick_ms": 40, "time_scale": 50}));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let joined = v["join_returned_after_ms"].as_f64().unwrap();
    assert!(
        (49.0..150.0).contains(&joined),
        "join(timeout) took {joined} ms"
    );
    assert_eq!(v["alive_after_join"], true);
    assert_eq!(v["daemon_alive_at_main_end"], true);
    assert_eq!(v["daemon_alive_at_exit"], true);
    // The exit waited for the worker: it finished about 200 ms in, well after the main program ended.
    let main_end = v["main_ended_ms"].as_f64().unwrap();
    let finished = v["worker_finished_ms"].as_f64().unwrap();
    assert!(
        main_end < 150.0 && finished >= 199.0,
        "{main_end} {finished}"
    );
    assert!(v["daemon_abandoned_ms"].as_f64().unwrap() >= finished);
    assert!(v["daemon_ticks"].as_u64().unwrap() >= 3);
    assert!(v["daemon_stop_latency_ms"].as_f64().unwrap() < 100.0);
    // The daemon's lane ends: its last state is finished, and it printed nothing after the exit.
    let daemon = outcome
        .lanes
        .iter()
        .find(|l| l.name.starts_with("Thread-2"))
        .unwrap();
    let last = outcome
        .events
        .iter()
        .rfind(|e| e.lane == daemon.id)
        .unwrap();
    assert_eq!(last.state, LaneState::Finished);
    let abandoned_at = outcome.started_at + v["daemon_abandoned_ms"].as_f64().unwrap();
    assert!(!outcome
        .output
        .iter()
        .any(|o| o.lane == daemon.id && o.t > abandoned_at));
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("while the worker was still alive"));
}

#[test]
fn a_timeout_longer_than_the_work_returns_when_the_thread_finishes() {
    let outcome = run(json!({"worker_ms": 40, "timeout_ms": 400, "tick_ms": 20, "time_scale": 50}));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["alive_after_join"], false);
    assert!(v["join_returned_after_ms"].as_f64().unwrap() < 150.0);
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("had finished"));
}

#[test]
fn a_stop_request_ends_the_daemons_sleep() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    cancel::reset();
    let flag = std::sync::Arc::new(ExitFlag::default());
    let f = flag.clone();
    let t0 = now_ms();
    let h = std::thread::spawn(move || f.sleep(5000.0));
    std::thread::sleep(Duration::from_millis(20));
    cancel::request("test");
    let slept = h.join().unwrap();
    let took = now_ms() - t0;
    cancel::reset();
    assert!(!slept, "the daemon stops");
    assert!(took < 1000.0, "{took} ms");
}

#[test]
fn the_exit_flag_wakes_a_sleeping_daemon_at_once() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let flag = std::sync::Arc::new(ExitFlag::default());
    let f = flag.clone();
    let t0 = now_ms();
    let h = std::thread::spawn(move || f.sleep(5000.0));
    std::thread::sleep(Duration::from_millis(20));
    flag.exit();
    assert!(!h.join().unwrap(), "the sleep reports the exit");
    assert!(now_ms() - t0 < 1000.0);
    assert!(
        !flag.sleep(1.0),
        "after the exit a daemon never sleeps again"
    );
}
