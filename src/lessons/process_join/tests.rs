//! Tests of the processes-start-and-join lesson.

use super::*;
use crate::lessons::{prepare, ProcessRun, TRACE_TEST_LOCK};
use crate::protocol::RunRequest;

fn start(params: Value) -> (ProcessRun, Vec<crate::protocol::SpawnCommand>) {
    let prepared = prepare(&RunRequest {
        lesson: "processes-join".into(),
        params,
    })
    .unwrap();
    ProcessRun::start(prepared).unwrap()
}

/// The parent program, driven the way the runtime drives it; the children run as the runtime would
/// run them (natively in this memory, which is fine: they share nothing here).
#[test]
fn the_parent_joins_every_child_and_measures_each_start_cost() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let (mut run, spawns) = start(json!({"processes": 3, "wait_ms": 100, "time_scale": 30}));
    assert_eq!(spawns.len(), 3);
    assert_eq!(spawns[2].name, "Process-3");
    assert_eq!(spawns[0].args["wait_ms"], 30.0);
    // A visible start cost, then every child runs at once.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let children: Vec<_> = spawns
        .iter()
        .map(|s| {
            let s = s.clone();
            std::thread::spawn(move || {
                let mut sent = Vec::new();
                let mut send = |p: String| sent.push((p, now_ms()));
                let code = crate::lessons::run_child(&s, &mut send);
                (s.pid, code, sent, now_ms())
            })
        })
        .collect();
    for h in children {
        let (pid, code, sent, at) = h.join().unwrap();
        assert!(!run.is_done());
        for (payload, sent_at) in sent {
            run.deliver(Delivery {
                from: pid,
                payload,
                sent_at,
                received_at: now_ms(),
            });
        }
        run.exited(pid, code, at);
    }
    let outcome = run.finish().expect("done");
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let total = v["total_ms"].as_f64().unwrap();
    assert!(
        (30.0..85.0).contains(&total),
        "total {total} ms: about one wait, not three"
    );
    for c in v["children"].as_array().unwrap() {
        assert!(c["start_ms"].as_f64().unwrap() >= 5.0, "{c}");
        assert!(c["slept_ms"].as_f64().unwrap() >= 30.0);
        assert_eq!(c["exit_code"], 0);
    }
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("3 processes each slept"));
    // Each child printed twice into the one log, the parent once.
    assert_eq!(outcome.output.len(), 3 * 2 + 1);
}

#[test]
fn a_child_that_dies_fails_the_run_clearly() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let (mut run, spawns) = start(json!({"processes": 2, "wait_ms": 10}));
    run.exited(spawns[0].pid, 1, now_ms());
    assert!(!run.is_done(), "the parent still waits for the other child");
    run.exited(spawns[1].pid, 0, now_ms());
    let outcome = run.finish().expect("done");
    assert!(outcome
        .error
        .unwrap()
        .contains("Process-1 exited with code Some(1)"));
}
