//! Tests of the queue-and-pipe lesson.

use super::*;
use crate::lessons::{prepare, ProcessRun, TRACE_TEST_LOCK};
use crate::protocol::{RunRequest, SpawnCommand};

/// Runs a child program natively, collecting what it sends.
fn run_child(spawn: &SpawnCommand) -> (i32, Vec<String>) {
    let mut sent = Vec::new();
    let mut send = |s: String| sent.push(s);
    let mut ctx = ChildContext {
        pid: spawn.pid,
        name: spawn.name.clone(),
        send: &mut send,
    };
    let code = QueuePipe.child(&spawn.entry, &spawn.args, &mut ctx);
    (code, sent)
}

/// Drives the parent the way the runtime does, with the children's real programs run in between
/// (natively in one memory; the browser test runs them isolated).
#[test]
fn items_arrive_in_order_then_the_pipe_messages_grow() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&RunRequest {
        lesson: "queue-pipe".into(),
        params: json!({"items": 4, "messages": 3}),
    })
    .unwrap();
    let (mut run, mut spawns) = ProcessRun::start(prepared).unwrap();
    let mut children = 0;
    while let Some(spawn) = spawns.pop() {
        children += 1;
        let (code, sent) = run_child(&spawn);
        for payload in sent {
            let t = now_ms();
            spawns.extend(run.deliver(Delivery {
                from: spawn.pid,
                payload,
                sent_at: t,
                received_at: t + 0.5,
            }));
        }
        spawns.extend(run.exited(spawn.pid, code, now_ms()));
    }
    assert_eq!(children, 2);
    let outcome = run.finish().expect("done");
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["queue"]["items"], json!([0, 1, 2, 3]));
    assert_eq!(v["in_order"], true);
    let pipe = v["pipe"]["messages"].as_array().unwrap();
    assert_eq!(pipe.len(), 3);
    let sizes: Vec<u64> = pipe.iter().map(|m| m["bytes"].as_u64().unwrap()).collect();
    assert!(
        sizes[0] > 0 && sizes[0] < sizes[1] && sizes[1] < sizes[2],
        "{sizes:?}"
    );
    assert_eq!(pipe[2]["value"]["squares"][19], 361);
    assert!((v["queue"]["messages"][0]["delay_ms"].as_f64().unwrap() - 0.5).abs() < 1e-6);
    assert!(outcome
        .output
        .iter()
        .any(|o| o.text.starts_with("q.get() -> 3 (1 B")));
}

#[test]
fn a_producer_that_dies_early_fails_the_run_clearly() {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&RunRequest {
        lesson: "queue-pipe".into(),
        params: json!({"items": 3}),
    })
    .unwrap();
    let (mut run, spawns) = ProcessRun::start(prepared).unwrap();
    run.deliver(Delivery {
        from: spawns[0].pid,
        payload: "0".into(),
        sent_at: now_ms(),
        received_at: now_ms(),
    });
    assert!(run.exited(spawns[0].pid, 1, now_ms()).is_empty());
    let outcome = run.finish().expect("done");
    assert_eq!(
        outcome.error.as_deref(),
        Some("the producer exited with code 1 after 1 of 3 items")
    );
}
