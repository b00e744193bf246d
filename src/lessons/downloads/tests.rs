//! Tests of the downloads lesson.

use super::*;
use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
use crate::protocol::RunRequest;

fn serial() -> std::sync::MutexGuard<'static, ()> {
    let guard = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    trace::reset();
    bridge::reset();
    guard
}

#[test]
fn simulated_waits_overlap_on_threads_processes_and_the_event_loop() {
    let _serial = serial();
    let mut names = Names::default();
    let modes = run_all(&Work::Simulated { wait_ms: 60.0 }, 3, &mut names).unwrap();
    assert!(modes.sequential.ms >= 180.0, "{}", modes.sequential.ms);
    assert_eq!(modes.sequential.peak_in_flight, 1);
    for m in [&modes.threads, &modes.processes, &modes.event_loop] {
        assert!(
            m.ms_without_start < 0.7 * modes.sequential.ms,
            "{}: {} ms vs {}",
            m.mode,
            m.ms_without_start,
            modes.sequential.ms
        );
        assert_eq!(m.downloads.len(), 3, "{}", m.mode);
        assert!(m.peak_in_flight >= 2, "{}: {}", m.mode, m.peak_in_flight);
        assert_eq!(m.bytes, None);
    }
    assert_eq!(modes.processes.downloads[2].by, "Process-3");
    assert_eq!(modes.threads.downloads[0].by, "Thread-1 (download)");
}

#[test]
fn natively_real_requests_fail_with_a_clear_error_not_a_hang() {
    let _serial = serial();
    let prepared = prepare(&RunRequest {
        lesson: "downloads".into(),
        params: json!({"files": 2, "wait_ms": 10, "file_kib": 16, "time_scale": 100}),
    })
    .unwrap();
    let outcome = run_thread_lesson(&prepared);
    assert!(
        outcome
            .error
            .as_deref()
            .unwrap_or("")
            .contains("need the browser"),
        "{:?}",
        outcome.error
    );
}

#[test]
fn file_sizes_are_rounded_to_a_served_file() {
    let prepared = prepare(&RunRequest {
        lesson: "downloads".into(),
        params: json!({"files": 4, "file_kib": 100}),
    })
    .unwrap();
    assert_eq!(prepared.params.get("file_kib"), 256);
    assert_eq!(prepared.threads_needed, 5);
    assert_eq!(prepared.notices.len(), 1);
}

#[test]
fn peak_in_flight_counts_overlapping_intervals() {
    let d = |s: f64, f: f64| Download {
        index: 0,
        by: String::new(),
        started_at: s,
        finished_at: f,
        bytes: None,
    };
    assert_eq!(peak_in_flight(&[d(0.0, 1.0), d(1.0, 2.0)]), 1);
    assert_eq!(peak_in_flight(&[d(0.0, 3.0), d(1.0, 2.0), d(1.5, 4.0)]), 3);
    assert_eq!(peak_in_flight(&[]), 0);
}

#[test]
fn a_child_reports_its_download_and_refuses_bad_arguments() {
    let _serial = serial();
    let mut sent = Vec::new();
    let mut send = |s: String| sent.push(s);
    let mut ctx = ChildContext {
        pid: 1,
        name: "Process-1".into(),
        send: &mut send,
    };
    assert_eq!(
        download_child(&json!({"index": 2, "wait_ms": 5.0}), &mut ctx),
        0
    );
    assert_eq!(
        download_child(&json!({"index": 0, "path": "/etc/passwd"}), &mut ctx),
        1
    );
    let ok: ChildReport = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!((ok.index, ok.bytes, ok.error), (2, None, None));
    assert!(ok.finished_at - ok.started_at >= 5.0);
    let bad: ChildReport = serde_json::from_str(&sent[1]).unwrap();
    assert!(bad.error.unwrap().contains("bad arguments"));
}

#[test]
fn the_question_counts_ways_within_five_percent_of_the_fastest() {
    let mode = |mode, label, ms| mode_result(mode, label, ms, Vec::new(), None);
    let modes = Modes {
        sequential: mode("sequential", "sequential", 400.0),
        threads: mode("threads", "threads", 100.0),
        processes: mode("processes", "processes", 160.0),
        event_loop: mode("event_loop", "event loop", 104.0),
    };
    let a = answer(&modes);
    assert_eq!(a.ids(), vec!["threads", "event_loop"]);
    assert!(
        a.measured.starts_with("sequential 400 ms, threads 100 ms"),
        "{}",
        a.measured
    );
    for id in a.ids() {
        assert!(QUESTION.has_choice(id), "{id}");
    }
}
