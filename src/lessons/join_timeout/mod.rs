//! Lesson "Join with a timeout; daemon threads" (curriculum row 4).
//!
//! A worker thread sleeps longer than the main thread is willing to wait: `join(timeout)` returns after
//! the timeout while `is_alive()` is still true. A daemon thread loops forever. When the main program
//! ends, Python's exit joins every non-daemon thread (so the program still waits for the worker) and
//! then simply abandons the daemon.
//!
//! CPython's daemon dies with the process. Ours runs on a pool worker that the next run reuses, so the
//! lesson plays the interpreter's exit itself: once the non-daemon threads are joined, it records that the
//! daemon was still alive, sets a stop flag the daemon's sleep watches, and waits for the daemon to end.
//! No worker is left busy after the run.

use super::claims::{claim, finished, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::common::{Scale, TIME_SCALE};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::cancel;
use crate::engine::sync::sleep_ms;
use crate::engine::{lock, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

pub struct JoinTimeout;

/// How long the interpreter's exit waits for the daemon to notice the stop flag before calling it a bug.
const DAEMON_STOP_GRACE_MS: u64 = 2000;

/// The interpreter's exit, as a flag the daemon's sleep watches: setting it wakes the daemon at once.
#[derive(Default)]
pub struct ExitFlag {
    exited: Mutex<bool>,
    changed: Condvar,
}

impl ExitFlag {
    /// The interpreter exits: every daemon thread stops.
    pub fn exit(&self) {
        *lock(&self.exited) = true;
        self.changed.notify_all();
    }

    /// `time.sleep(ms)` in a daemon thread, recorded as sleeping. Returns false when the interpreter
    /// exited during the sleep (the daemon is gone: it runs no further), or when the run was stopped.
    pub fn sleep(&self, ms: f64) -> bool {
        let t0 = now_ms();
        trace::enter_at(trace::current_lane(), LaneState::Sleeping, t0);
        let mut exited = lock(&self.exited);
        // In slices, so that a Stop (which does not notify this condition variable) is seen within one.
        while !*exited && !cancel::is_cancelled() && now_ms() - t0 < ms {
            exited = cancel::wait_slice(&self.changed, exited, Some(t0 + ms)).0;
        }
        let gone = *exited || cancel::is_cancelled();
        drop(exited);
        if !gone {
            trace::enter(LaneState::Running);
        }
        !gone
    }
}

#[derive(Serialize, Clone, Debug)]
pub struct JoinTimeoutResult {
    /// The three waits at this run's time scale.
    pub worker_sleep_ms: f64,
    pub join_timeout_ms: f64,
    pub tick_ms: f64,
    /// How long `worker.join(timeout)` blocked.
    pub join_returned_after_ms: f64,
    /// `worker.is_alive()` right after `join(timeout)` returned.
    pub alive_after_join: bool,
    /// `daemon.is_alive()` when the main program ended.
    pub daemon_alive_at_main_end: bool,
    /// Times after the program's start.
    pub main_ended_ms: f64,
    pub worker_finished_ms: f64,
    /// How long the exit waited for the non-daemon worker.
    pub exit_waited_for_worker_ms: f64,
    /// `daemon.is_alive()` when the exit had joined the non-daemon threads: it is abandoned.
    pub daemon_alive_at_exit: bool,
    pub daemon_abandoned_ms: f64,
    /// When the daemon's body really ended, after the stop flag was set.
    pub daemon_stopped_ms: f64,
    pub daemon_stop_latency_ms: f64,
    /// How many times the daemon printed before it was abandoned.
    pub daemon_ticks: u64,
    pub total_ms: f64,
}

const PYTHON: &str = r#"import threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time

def work():
    time.sleep({worker_ms} / 1000 * SCALE)
    print("done")

def heartbeat():
    while True:                   # never ends by itself
        print("tick")
        time.sleep({tick_ms} / 1000 * SCALE)

worker = threading.Thread(target=work)
daemon = threading.Thread(target=heartbeat, daemon=True)
worker.start()
daemon.start()

worker.join(timeout={timeout_ms} / 1000 * SCALE)
print("worker alive after join(timeout)?", worker.is_alive())   # True: it timed out
print("daemon alive?", daemon.is_alive())
print("main program ends")
# At exit Python still joins the worker (not a daemon), then drops the daemon.
"#;

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

impl Lesson for JoinTimeout {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("worker_ms", 600), ("timeout_ms", 200), ("tick_ms", 100)],
            gil: true,
            claim: |run| {
                finished(run)?;
                let at = |text: &str| run.stdout.iter().position(|l| l == text);
                claim(
                    at("worker alive after join(timeout)? True").is_some(),
                    || {
                        format!(
                            "join(timeout) did not return while the worker ran: {:?}",
                            run.stdout
                        )
                    },
                )?;
                claim(at("done") > at("main program ends"), || {
                    format!(
                        "the worker did not finish after the main program: {:?}",
                        run.stdout
                    )
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "join-timeout",
            title: "Join with a timeout; daemon threads",
            group: "Threads",
            curriculum_row: 4,
            engine: EngineKind::Threads,
            summary: "join(timeout) waits at most that long: if the thread is still running, join returns \
                anyway and is_alive() says True — join does not stop a thread. A daemon thread is one the \
                program does not wait for: when the main program ends, Python joins every non-daemon thread \
                (so it still waits for the worker) and abandons the daemon wherever it is. Here the daemon \
                loops forever; watch its lane end at exit.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "worker_ms",
                    "Worker sleeps (ms)",
                    10,
                    10_000,
                    3000,
                    "How long the non-daemon worker sleeps, at 100 % time scale.",
                ),
                ParamSpec::int(
                    "timeout_ms",
                    "join timeout (ms)",
                    10,
                    10_000,
                    1000,
                    "How long join(timeout) waits for the worker. Shorter than its sleep: join returns first.",
                ),
                ParamSpec::int(
                    "tick_ms",
                    "Daemon tick (ms)",
                    10,
                    5000,
                    500,
                    "How often the daemon prints, at 100 % time scale.",
                ),
                TIME_SCALE,
            ],
        }
    }

    /// The main thread, the worker and the daemon.
    fn threads_needed(&self, _params: &Params) -> usize {
        3
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let scale = Scale::of(params);
        let worker_sleep_ms = scale.ms(params.get("worker_ms") as f64);
        let join_timeout_ms = scale.ms(params.get("timeout_ms") as f64);
        let tick_ms = scale.ms(params.get("tick_ms") as f64);
        let exit_flag = std::sync::Arc::new(ExitFlag::default());

        let t0 = now_ms();
        let worker = thread::spawn("Thread-1 (work)", "", move || {
            sleep_ms(worker_sleep_ms);
            trace::print("done");
            now_ms()
        });
        let flag = exit_flag.clone();
        let daemon = thread::spawn("Thread-2 (heartbeat)", "", move || {
            let mut ticks = 0u64;
            loop {
                ticks += 1;
                trace::print("tick");
                if !flag.sleep(tick_ms) {
                    break;
                }
            }
            (ticks, now_ms())
        });

        let j0 = now_ms();
        worker.join_timeout(Duration::from_secs_f64(join_timeout_ms / 1000.0));
        let join_returned_after_ms = now_ms() - j0;
        let alive_after_join = worker.is_alive();
        trace::print(format!(
            "join(timeout) returned after {}; worker alive after join(timeout)? {}",
            report::ms(join_returned_after_ms),
            py_bool(alive_after_join)
        ));
        let daemon_alive_at_main_end = daemon.is_alive();
        trace::print(format!(
            "daemon alive? {}",
            py_bool(daemon_alive_at_main_end)
        ));
        trace::print("main program ends");
        let main_ended_ms = now_ms() - t0;

        // The interpreter's exit: join every non-daemon thread...
        if worker.is_alive() {
            trace::print("(exit) waiting for the non-daemon thread Thread-1 (work)");
        }
        let w0 = now_ms();
        let worker_finished_at = worker.join();
        let exit_waited_for_worker_ms = now_ms() - w0;
        // ...then abandon the daemons, wherever they are.
        let daemon_alive_at_exit = daemon.is_alive();
        let abandoned_at = now_ms();
        trace::print(format!(
            "(exit) daemon alive at exit? {}: abandoned",
            py_bool(daemon_alive_at_exit)
        ));
        exit_flag.exit();
        // The daemon's worker is reused by the next run: make sure the daemon really stopped.
        if !daemon.join_timeout(Duration::from_millis(DAEMON_STOP_GRACE_MS)) {
            return Err(format!(
                "the daemon thread did not stop within {DAEMON_STOP_GRACE_MS} ms of the exit"
            ));
        }
        let (daemon_ticks, daemon_stopped_at) = daemon.join();
        let total_ms = now_ms() - t0;

        let result = JoinTimeoutResult {
            worker_sleep_ms,
            join_timeout_ms,
            tick_ms,
            join_returned_after_ms,
            alive_after_join,
            daemon_alive_at_main_end,
            main_ended_ms,
            worker_finished_ms: worker_finished_at - t0,
            exit_waited_for_worker_ms,
            daemon_alive_at_exit,
            daemon_abandoned_ms: abandoned_at - t0,
            daemon_stopped_ms: daemon_stopped_at - t0,
            daemon_stop_latency_ms: (daemon_stopped_at - abandoned_at).max(0.0),
            daemon_ticks,
            total_ms,
        };
        let mut values = serde_json::to_value(&result).map_err(|e| e.to_string())?;
        values["report"] = serde_json::to_value(report_of(&result)).map_err(|e| e.to_string())?;
        question::attach(&mut values, &answer(&result));
        Ok(values)
    }
}

fn report_of(r: &JoinTimeoutResult) -> Report {
    let join_part = if r.alive_after_join {
        format!(
            "join(timeout={}) returned after {} while the worker was still alive (is_alive() True).",
            report::ms(r.join_timeout_ms),
            report::ms(r.join_returned_after_ms)
        )
    } else {
        format!(
            "join(timeout={}) returned after {} because the worker had finished (is_alive() False) — make \
             the worker sleep longer than the timeout to see join return while it still runs.",
            report::ms(r.join_timeout_ms),
            report::ms(r.join_returned_after_ms)
        )
    };
    let daemon_part = if r.daemon_alive_at_exit {
        format!(
            "The main program ended at {}; the exit waited {} more for the non-daemon worker, then abandoned \
             the daemon, still alive after {} ticks, at {}.",
            report::ms(r.main_ended_ms),
            report::ms(r.exit_waited_for_worker_ms),
            r.daemon_ticks,
            report::ms(r.daemon_abandoned_ms)
        )
    } else {
        format!(
            "The main program ended at {}; the daemon was no longer alive at exit.",
            report::ms(r.main_ended_ms)
        )
    };
    let alive = |b: bool| py_bool(b).to_string();
    Report::new(format!("{join_part} {daemon_part}"))
        .table(
            "What happened when (times after the program's start)",
            &["Moment", "Time", "worker.is_alive()", "daemon.is_alive()"],
            vec![
                vec![
                    "join(timeout) returns".into(),
                    report::ms(r.join_returned_after_ms),
                    alive(r.alive_after_join),
                    "True".into(),
                ],
                vec![
                    "main program ends".into(),
                    report::ms(r.main_ended_ms),
                    alive(r.alive_after_join),
                    alive(r.daemon_alive_at_main_end),
                ],
                vec![
                    "exit: the non-daemon worker has been joined".into(),
                    report::ms(r.worker_finished_ms),
                    "False".into(),
                    alive(r.daemon_alive_at_exit),
                ],
                vec![
                    "exit: the daemon is abandoned".into(),
                    report::ms(r.daemon_abandoned_ms),
                    "False".into(),
                    alive(r.daemon_alive_at_exit),
                ],
            ],
        )
        .table(
            "Threads by kind",
            &["Thread", "daemon", "Does the program wait for it at exit?", "Measured"],
            vec![
                vec![
                    "Thread-1 (work)".into(),
                    "False".into(),
                    "yes".into(),
                    format!(
                        "slept {}; the exit waited {} for it",
                        report::ms(r.worker_sleep_ms),
                        report::ms(r.exit_waited_for_worker_ms)
                    ),
                ],
                vec![
                    "Thread-2 (heartbeat)".into(),
                    "True".into(),
                    "no".into(),
                    format!(
                        "{} ticks, every {}; abandoned at {}",
                        r.daemon_ticks,
                        report::ms(r.tick_ms),
                        report::ms(r.daemon_abandoned_ms)
                    ),
                ],
            ],
        )
        .note(format!(
            "CPython stops a daemon thread abruptly as the interpreter shuts down. Here the daemon runs on a \
             worker the next run reuses, so at exit the playground wakes its sleep with a stop flag; its lane \
             ended {} after it was abandoned, having run nothing further.",
            report::ms(r.daemon_stop_latency_ms)
        ))
}

pub const QUESTION: Question = Question::choices(
    "join(timeout) returns. Is the worker thread still alive at that moment (is_alive())?",
    &[
        choice("yes", "Yes, still alive"),
        choice("no", "No, it has finished"),
    ],
);

fn answer(r: &JoinTimeoutResult) -> Answer {
    Answer::choice(
        if r.alive_after_join { "yes" } else { "no" },
        format!(
            "join(timeout={}) returned after {}; the worker sleeps {}, and is_alive() was {}.",
            question::ms(r.join_timeout_ms),
            question::ms(r.join_returned_after_ms),
            question::ms(r.worker_sleep_ms),
            if r.alive_after_join { "True" } else { "False" }
        ),
    )
}

#[cfg(test)]
mod tests {
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
        let outcome =
            run(json!({"worker_ms": 40, "timeout_ms": 400, "tick_ms": 20, "time_scale": 50}));
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
}
