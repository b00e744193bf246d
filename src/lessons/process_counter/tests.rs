//! Tests of the process-counter lesson.

use super::*;
use crate::lessons::{prepare, ProcessRun, TRACE_TEST_LOCK};
use crate::protocol::RunRequest;

/// The parent program, driven the way the runtime drives it. The children's counting is checked
/// separately: natively there is no second memory to run them in (the browser tests do that).
#[test]
fn the_parent_collects_by_message_and_keeps_its_own_counter() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&RunRequest {
        lesson: "process-counter".into(),
        params: json!({"processes": 3, "increments": 10, "repeats": 2}),
    })
    .unwrap();
    let (mut run, spawns) = ProcessRun::start(prepared).unwrap();
    let mut spawns = spawns;
    let mut rounds = 0;
    while !spawns.is_empty() {
        rounds += 1;
        assert_eq!(spawns.len(), 3);
        let mut next = Vec::new();
        for s in &spawns {
            let report = ChildReport {
                name: s.name.clone(),
                count: 10,
                started_at: now_ms(),
            };
            let payload = serde_json::to_string(&report).unwrap();
            next.extend(run.deliver(Delivery {
                from: s.pid,
                payload,
                sent_at: now_ms(),
                received_at: now_ms(),
            }));
        }
        for s in &spawns {
            next.extend(run.exited(s.pid, 0, now_ms()));
        }
        spawns = next;
    }
    assert_eq!(rounds, 2);
    let outcome = run.finish().expect("done");
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.values["parent_counter"], 0);
    assert_eq!(outcome.values["rounds"][0]["total_via_messages"], 30);
    assert_eq!(
        outcome.values["rounds"][1]["children"][2]["name"],
        "Process-6"
    );
}

#[test]
fn a_child_that_dies_without_reporting_fails_the_run_clearly() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&RunRequest {
        lesson: "process-counter".into(),
        params: json!({"processes": 1, "repeats": 1}),
    })
    .unwrap();
    let (mut run, spawns) = ProcessRun::start(prepared).unwrap();
    run.exited(spawns[0].pid, 1, now_ms());
    let done_at = now_ms();
    // The runtime polls later; the run still ends when the parent program became done.
    std::thread::sleep(std::time::Duration::from_millis(30));
    let outcome = run.finish().expect("done");
    assert!(
        outcome.finished_at <= done_at,
        "the end must not include the wait for the poll"
    );
    assert!(outcome.error.unwrap().contains("exited with code Some(1)"));
}

#[test]
fn the_child_counts_in_its_own_global_and_reports_by_message() {
    // Natively there is one memory for both, so serialize with the parent test and restore the global.
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let mut sent = Vec::new();
    let before = parent_counter();
    let mut send = |s: String| sent.push(s);
    let mut ctx = ChildContext {
        pid: 1,
        name: "Process-1".into(),
        send: &mut send,
    };
    assert_eq!(count_child(1000, &mut ctx), 0);
    let report: ChildReport = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(report.count - before, 1000);
    COUNTER.store(before, Relaxed);
}
