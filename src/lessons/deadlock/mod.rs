//! Lesson "Deadlock" (curriculum row 13).
//!
//! Two threads take `lock_a` and `lock_b` in opposite order, each holding its first lock for a while, so
//! each ends up waiting for the lock the other holds. The waits are real (both threads are blocked); the
//! engine's detector finds the wait-for cycle and makes one thread give up, so the run recovers where
//! Python would hang. Then the two usual fixes run to completion: one global lock order, and
//! `acquire(timeout=…)` with a back-off and a retry.

use super::claims::{claim, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::deadlock::{CycleEdge, Deadlock};
use crate::engine::primitives::{AcquireError, Lock};
use crate::engine::sync::sleep_ms;
use crate::engine::thread;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct DeadlockLesson;

/// The shortest hold (after scaling) that still lets both threads take their first lock before either
/// wants its second, so the cycle really forms.
pub const MIN_SCALED_HOLD_MS: f64 = 20.0;
/// The timeout-and-retry fix gives up after this many attempts (it never needs many: see the report).
pub const MAX_ATTEMPTS: u32 = 20;

/// A lock with the name the program gives it.
#[derive(Clone)]
struct Named {
    lock: Arc<Lock>,
    name: &'static str,
}

impl Named {
    fn new(name: &'static str, reentrant: bool) -> Self {
        let lock = if reentrant {
            Lock::reentrant(name)
        } else {
            Lock::new(name)
        };
        Named {
            lock: Arc::new(lock),
            name,
        }
    }
}

/// What one thread did.
#[derive(Serialize, Clone, Debug)]
pub struct ThreadRun {
    pub thread: String,
    /// It took both locks and did its work.
    pub completed: bool,
    /// The detector chose it to give up (deadlock run only).
    pub gave_up: bool,
    /// How many times it took its first lock (timeout fix: 1 + retries).
    pub attempts: u32,
    pub ms: f64,
    #[serde(skip)]
    pub deadlock: Option<Deadlock>,
    pub error: Option<String>,
}

impl ThreadRun {
    fn new(thread: &str) -> Self {
        ThreadRun {
            thread: thread.to_string(),
            completed: false,
            gave_up: false,
            attempts: 0,
            ms: 0.0,
            deadlock: None,
            error: None,
        }
    }
}

/// `with first: sleep(hold); with second: move()` — the program with no protection against a deadlock.
fn transfer(name: &str, first: &Named, second: &Named, hold: f64) -> ThreadRun {
    let t0 = now_ms();
    let mut run = ThreadRun::new(name);
    run.attempts = 1;
    if let Err(e) = first.lock.acquire() {
        run.error = Some(format!("could not take {}: {e:?}", first.name));
        return run;
    }
    trace::print(format!(
        "took {}, working for {}",
        first.name,
        report::ms(hold)
    ));
    sleep_ms(hold);
    trace::print(format!("holds {}, wants {}", first.name, second.name));
    match second.lock.acquire() {
        Ok(()) => {
            trace::print(format!("took {} too: moved", second.name));
            run.completed = true;
            let _ = second.lock.release();
        }
        Err(AcquireError::Deadlock(d)) => {
            trace::print(format!(
                "{} — this thread gives up and releases {}",
                d.describe(),
                first.name
            ));
            run.gave_up = true;
            run.deadlock = Some(d);
        }
        Err(AcquireError::TimedOut) => run.error = Some("timed out without a timeout".into()),
    }
    let _ = first.lock.release();
    run.ms = now_ms() - t0;
    run
}

/// A small random number generator for the back-off (seeded from the clock: every run differs).
struct Jitter(u64);

impl Jitter {
    fn new(salt: u64) -> Self {
        Jitter((now_ms().to_bits() ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The timeout fix: hold the first lock, wait for the second at most `hold`; on a timeout let go of the
/// first, back off a random while and try again.
fn transfer_with_timeout(name: &str, first: &Named, second: &Named, hold: f64) -> ThreadRun {
    let t0 = now_ms();
    let mut run = ThreadRun::new(name);
    let mut jitter = Jitter::new(u64::from(trace::current_lane()) + 1);
    while run.attempts < MAX_ATTEMPTS {
        run.attempts += 1;
        if let Err(e) = first.lock.acquire() {
            run.error = Some(format!("could not take {}: {e:?}", first.name));
            break;
        }
        sleep_ms(hold);
        let asked = now_ms();
        match second.lock.acquire_timeout(Some(hold)) {
            Ok(()) => {
                trace::print(format!(
                    "attempt {}: took {} and {}: moved",
                    run.attempts, first.name, second.name
                ));
                run.completed = true;
                let _ = second.lock.release();
                let _ = first.lock.release();
                break;
            }
            Err(_) => {
                let _ = first.lock.release();
                let backoff = jitter.next() * hold;
                trace::print(format!(
                    "attempt {}: no {} after {}; released {}, backing off {}",
                    run.attempts,
                    second.name,
                    report::ms(now_ms() - asked),
                    first.name,
                    report::ms(backoff)
                ));
                sleep_ms(backoff);
            }
        }
    }
    run.ms = now_ms() - t0;
    run
}

type Body = fn(&str, &Named, &Named, f64) -> ThreadRun;

/// Starts two threads running `body` with the given lock orders and joins them; returns their runs and
/// the time from the first start to the last join.
fn pair(
    next: &mut u32,
    group: &str,
    target: &str,
    body: Body,
    orders: [(&Named, &Named); 2],
    hold: f64,
) -> (Vec<ThreadRun>, f64) {
    let t0 = now_ms();
    let handles: Vec<_> = orders
        .iter()
        .map(|(first, second)| {
            *next += 1;
            let name = format!("Thread-{next} ({target})");
            let (first, second) = ((*first).clone(), (*second).clone());
            let own = name.clone();
            thread::spawn(name, group, move || body(&own, &first, &second, hold))
        })
        .collect();
    let runs: Vec<ThreadRun> = handles.into_iter().map(thread::JoinHandle::join).collect();
    (runs, now_ms() - t0)
}

/// The runs parameter `strategy` selects: 0 = all three, 1 = the opposite order only, 2 = one lock order
/// only, 3 = timeout and retry only, 4 = the opposite order with RLocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runs {
    /// The opposite orders; `Some(true)` with RLocks.
    pub opposite: Option<bool>,
    pub lock_order: bool,
    pub timeout_retry: bool,
}

impl Runs {
    pub fn selected(strategy: i64) -> Runs {
        Runs {
            opposite: matches!(strategy, 0 | 1 | 4).then_some(strategy == 4),
            lock_order: matches!(strategy, 0 | 2),
            timeout_retry: matches!(strategy, 0 | 3),
        }
    }
}

const PYTHON: &str = r#"import random, threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
HOLD = {hold_ms} / 1000 * SCALE
STRATEGY = {strategy}          # 0 = all three runs; 1, 2, 3 = only that one; 4 = run 1 with RLocks
Lock = threading.RLock if STRATEGY == 4 else threading.Lock
lock_a = Lock()
lock_b = Lock()

def transfer(first, second):
    with first:
        time.sleep(HOLD)        # hold the first lock while the other thread takes its own
        with second:            # each now waits for the lock the other holds
            print("moved")

def run_pair(target, args1, args2):
    t1 = threading.Thread(target=target, args=args1)
    t2 = threading.Thread(target=target, args=args2)
    t1.start(); t2.start()
    t1.join(); t2.join()

# 1. Opposite order: Python hangs here forever. (The playground's detector finds
#    the cycle and makes one thread give up, so the page can go on.)
if STRATEGY in (0, 1, 4):
    run_pair(transfer, (lock_a, lock_b), (lock_b, lock_a))

# 2. Fix: one global order. Every thread takes lock_a before lock_b.
if STRATEGY in (0, 2):
    run_pair(transfer, (lock_a, lock_b), (lock_a, lock_b))

# 3. Fix: wait for the second lock with a timeout; if it does not come, let go
#    of the first, back off a random while, and retry.
def transfer_with_timeout(first, second):
    while True:
        with first:
            time.sleep(HOLD)
            if second.acquire(timeout=HOLD):
                try:
                    print("moved")
                    return
                finally:
                    second.release()
        time.sleep(random.uniform(0, HOLD))

if STRATEGY in (0, 3):
    run_pair(transfer_with_timeout, (lock_a, lock_b), (lock_b, lock_a))
"#;

fn edges_rows(cycle: &[CycleEdge]) -> Vec<Vec<String>> {
    cycle
        .iter()
        .map(|e| vec![e.thread.clone(), e.holds.clone(), e.waits_for.clone()])
        .collect()
}

impl Lesson for DeadlockLesson {
    fn python_check(&self) -> PythonCheck {
        // The opposite lock orders (strategy 0): the cycle forms and is reported.
        PythonCheck::Runs {
            params: &[("hold_ms", 50), ("strategy", 0)],
            gil: true,
            claim: |run| {
                claim(run.deadlock, || {
                    format!("no deadlock was reported: {:?}", run.stdout)
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "deadlock",
            title: "Deadlock",
            group: "Synchronization",
            curriculum_row: 13,
            engine: EngineKind::Threads,
            summary: "Two threads need the same two locks but take them in opposite order. Each takes its \
                first lock and holds it for a moment; then each waits for the lock the other holds, and \
                neither can ever go on. The waits here are real: both threads are blocked. Python would hang \
                forever; the playground keeps a wait-for graph of its locks, finds the cycle, shows who holds \
                what and who waits for what, and makes one thread give up so the run can finish. Then the two \
                usual fixes run: one global lock order (every thread takes lock_a first), and a timeout with \
                a random back-off and a retry.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "hold_ms",
                    "Hold the first lock (ms)",
                    20,
                    2000,
                    100,
                    "How long each thread works with its first lock before it wants the second.",
                ),
                common::TIME_SCALE,
                ParamSpec::choice(
                    "strategy",
                    "Which runs",
                    &[
                        (0, "all three"),
                        (1, "opposite order only"),
                        (2, "one lock order only"),
                        (3, "timeout and retry only"),
                        (4, "opposite order with RLocks"),
                    ],
                    0,
                    "Run all three parts, or only one (4: the opposite order with RLocks).",
                ),
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let scale = Scale::of(params);
        let hold = params.get("hold_ms");
        if scale.ms(hold as f64) < MIN_SCALED_HOLD_MS {
            let needed = (MIN_SCALED_HOLD_MS / scale.0).ceil() as i64;
            notices.push(format!(
                "At a time scale of {} %, a hold of {hold} ms is too short for both threads to take their \
                 first lock; using {needed} ms.",
                params.get("time_scale")
            ));
            params.set("hold_ms", needed);
        }
    }

    fn threads_needed(&self, _params: &Params) -> usize {
        3
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let hold = Scale::of(params).ms(params.get("hold_ms") as f64);
        let strategy = params.get("strategy");
        let started = now_ms();
        let mut next = 0;

        // 1. Opposite order (with RLocks when strategy 4: re-entry does not help two threads).
        let selected = Runs::selected(strategy);
        let opposite = if let Some(rlocks) = selected.opposite {
            let (a, b) = (Named::new("lock_a", rlocks), Named::new("lock_b", rlocks));
            trace::print(format!(
                "opposite order{}: Thread-{} takes lock_a then lock_b, Thread-{} lock_b then lock_a",
                if rlocks { " with RLocks" } else { "" },
                next + 1,
                next + 2
            ));
            let group = if rlocks {
                "RLocks, opposite order"
            } else {
                "deadlock"
            };
            let (runs, ms) = pair(
                &mut next,
                group,
                "transfer",
                transfer,
                [(&a, &b), (&b, &a)],
                hold,
            );
            Some((runs, ms))
        } else {
            None
        };

        // 2. One global order.
        let order = if selected.lock_order {
            let (a, b) = (Named::new("lock_a", false), Named::new("lock_b", false));
            trace::print("fix 1: both threads take lock_a, then lock_b");
            Some(pair(
                &mut next,
                "fix: lock order",
                "transfer",
                transfer,
                [(&a, &b), (&a, &b)],
                hold,
            ))
        } else {
            None
        };

        // 3. Timeout, back off, retry.
        let retry = if selected.timeout_retry {
            let (a, b) = (Named::new("lock_a", false), Named::new("lock_b", false));
            trace::print("fix 2: opposite order again, with acquire(timeout), back-off and retry");
            Some(pair(
                &mut next,
                "fix: timeout and retry",
                "transfer_with_timeout",
                transfer_with_timeout,
                [(&a, &b), (&b, &a)],
                hold,
            ))
        } else {
            None
        };

        let errors: Vec<String> = [&opposite, &order, &retry]
            .into_iter()
            .flatten()
            .flat_map(|(runs, _)| runs.iter().filter_map(|r| r.error.clone()))
            .collect();
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }

        let no_runs: Vec<ThreadRun> = Vec::new();
        let runs = opposite.as_ref().map_or(&no_runs, |(r, _)| r);
        let found = runs.iter().find_map(|r| r.deadlock.clone());
        let victim = runs.iter().find(|r| r.gave_up).map(|r| r.thread.clone());
        let survivor_completed = runs.iter().any(|r| r.completed);
        let all_completed = |part: &Option<(Vec<ThreadRun>, f64)>| {
            part.as_ref()
                .map(|(runs, _)| runs.iter().all(|r| r.completed))
        };
        let order_completed = all_completed(&order);
        let retry_completed = all_completed(&retry);
        let retries: Option<u32> = retry
            .as_ref()
            .map(|(runs, _)| runs.iter().map(|r| r.attempts - 1).sum());
        let locks = if strategy == 4 { "RLocks" } else { "locks" };

        let mut verdict = match (&opposite, &found, &victim) {
            (None, _, _) => String::new(),
            (Some(_), Some(d), Some(v)) => {
                let who: Vec<String> = d
                    .cycle
                    .iter()
                    .map(|e| format!("{} held {} and waited for {}", e.thread, e.holds, e.waits_for))
                    .collect();
                format!(
                    "Deadlock{}: {}. The detector found the cycle {} after it formed; {v} gave up and \
                     released its lock, and the other thread {}. ",
                    if strategy == 4 { " with RLocks too (re-entry only helps the thread that holds the lock)" } else { "" },
                    who.join(", while "),
                    report::ms(d.detected_at - d.formed_at),
                    if survivor_completed { "then finished" } else { "did not finish" }
                )
            }
            (Some(_), _, _) => format!(
                "No deadlock formed in this run of the opposite order with {locks}: one thread took both \
                 locks before the other took its first. "
            ),
        };
        let done = |c: bool| if c { "completed" } else { "did NOT complete" };
        if let (Some((_, ms)), Some(c)) = (&order, order_completed) {
            verdict.push_str(&format!(
                "One global lock order {} in {}. ",
                done(c),
                report::ms(*ms)
            ));
        }
        if let (Some((_, ms)), Some(c), Some(n)) = (&retry, retry_completed, retries) {
            verdict.push_str(&format!(
                "Timeout and retry {} in {} ({n} {}).",
                done(c),
                report::ms(*ms),
                if n == 1 { "retry" } else { "retries" },
            ));
        }
        let verdict = verdict.trim_end().to_string();

        let row = |run: &str, ms: f64, runs: &[ThreadRun]| {
            let what: Vec<String> = runs
                .iter()
                .map(|r| {
                    let state = if r.completed {
                        "finished"
                    } else if r.gave_up {
                        "gave up (deadlock victim)"
                    } else {
                        "did not finish"
                    };
                    if r.attempts > 1 {
                        format!("{}: {state} after {} attempts", r.thread, r.attempts)
                    } else {
                        format!("{}: {state}", r.thread)
                    }
                })
                .collect();
            vec![run.to_string(), report::ms(ms), what.join("; ")]
        };
        let mut rep = Report::new(verdict);
        if let Some(d) = &found {
            rep = rep
                .table(
                    "The wait-for cycle",
                    &["thread", "holds", "waits for"],
                    edges_rows(&d.cycle),
                )
                .note(format!(
                    "The cycle formed when the last of its threads began to wait ({} into the run) and was \
                     detected {} later: a blocked thread checks the wait-for graph every {} ms.",
                    report::ms(d.formed_at - started),
                    report::ms(d.detected_at - d.formed_at),
                    crate::engine::deadlock::CHECK_MS
                ));
        }
        let mut rows = Vec::new();
        if let Some((runs, ms)) = &opposite {
            let label = if strategy == 4 {
                "opposite order with RLocks (deadlock)"
            } else {
                "opposite order (deadlock)"
            };
            rows.push(row(label, *ms, runs));
        }
        if let Some((runs, ms)) = &order {
            rows.push(row("fix 1: one lock order", *ms, runs));
        }
        if let Some((runs, ms)) = &retry {
            rows.push(row("fix 2: timeout, back off, retry", *ms, runs));
        }
        rep = rep
            .table("Runs", &["run", "time", "threads"], rows)
            .note(format!(
            "Each thread holds its first lock for {} (hold_ms at this time scale). Python has no \
             deadlock detector: there, run 1 never ends.",
            report::ms(hold)
        ));

        let deadlock = match (&opposite, &found) {
            (None, _) => Value::Null,
            (Some((runs, ms)), Some(d)) => json!({
                "formed": true,
                "locks": locks,
                "cycle": d.cycle,
                "formed_at": d.formed_at,
                "detected_at": d.detected_at,
                "detect_ms": d.detected_at - d.formed_at,
                "victim": victim,
                "survivor_completed": survivor_completed,
                "threads": runs,
                "ms": ms,
            }),
            (Some((runs, ms)), None) => json!({
                "formed": false,
                "locks": locks,
                "cycle": [],
                "detect_ms": null,
                "victim": null,
                "survivor_completed": survivor_completed,
                "threads": runs,
                "ms": ms,
            }),
        };
        let lock_order = order
            .as_ref()
            .map(|(runs, ms)| json!({"ms": ms, "completed": order_completed, "threads": runs}));
        let timeout_retry = retry.as_ref().map(|(runs, ms)| {
            json!({"ms": ms, "completed": retry_completed, "retries": retries, "threads": runs})
        });
        let answer = answer(
            opposite.as_ref().map(|(runs, _)| runs.as_slice()),
            found.as_ref(),
        );
        Ok(json!({
            "report": rep,
            "answer": answer,
            "hold_ms": hold,
            "strategy": strategy,
            "deadlock": deadlock,
            "fixes": {"lock_order": lock_order, "timeout_retry": timeout_retry},
        }))
    }
}

pub const QUESTION: Question = Question::choices(
    "Thread 1 takes lock_a then lock_b; thread 2 takes lock_b then lock_a, each holding its first lock a while. What happens?",
    &[
        choice("both", "Both finish, one after the other"),
        choice("deadlock", "Each waits forever for the lock the other holds"),
        choice("error", "Python raises an error at once"),
    ],
);

/// From the opposite-order run (`None` when it did not run) and the deadlock the detector found in it.
fn answer(opposite: Option<&[ThreadRun]>, found: Option<&Deadlock>) -> Answer {
    let Some(runs) = opposite else {
        return Answer::cannot(
            "This run did not include the opposite order (set \"Which runs\" to 0, 1 or 4).",
        );
    };
    let done = runs.iter().all(|t| t.completed);
    match found {
        Some(d) => {
            let edges: Vec<String> = d
                .cycle
                .iter()
                .map(|e| {
                    format!(
                        "{} held {} and waited for {}",
                        e.thread, e.holds, e.waits_for
                    )
                })
                .collect();
            Answer::choice(
                "deadlock",
                format!(
                    "They deadlocked: {}. The detector broke the cycle after {}; Python would hang.",
                    edges.join("; "),
                    question::ms(d.detected_at - d.formed_at)
                ),
            )
        }
        None => Answer::choice(
            if done { "both" } else { "error" },
            format!(
                "No deadlock formed this time; {}.",
                if done {
                    "both threads finished"
                } else {
                    "not every thread finished"
                }
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::prepare;
    use crate::protocol::{RunOutcome, RunRequest};

    fn run(params: Value) -> RunOutcome {
        crate::lessons::run_for_test("deadlock", params)
    }

    #[test]
    fn the_cycle_is_detected_the_run_recovers_and_both_fixes_complete() {
        let outcome = run(json!({"hold_ms": 40, "time_scale": 100}));
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let d = &v["deadlock"];
        assert_eq!(d["formed"], true, "{d}");
        let cycle = d["cycle"].as_array().unwrap();
        assert_eq!(cycle.len(), 2);
        let held: Vec<&str> = cycle.iter().map(|e| e["holds"].as_str().unwrap()).collect();
        let wanted: Vec<&str> = cycle
            .iter()
            .map(|e| e["waits_for"].as_str().unwrap())
            .collect();
        assert!(
            held.contains(&"lock_a") && held.contains(&"lock_b"),
            "{held:?}"
        );
        for (h, w) in held.iter().zip(&wanted) {
            assert_ne!(h, w, "each thread waits for the lock it does not hold");
        }
        let detect = d["detect_ms"].as_f64().unwrap();
        assert!((0.0..1000.0).contains(&detect), "{detect}");
        assert_eq!(d["survivor_completed"], true);
        let threads = d["threads"].as_array().unwrap();
        assert_eq!(threads.iter().filter(|t| t["gave_up"] == true).count(), 1);
        assert_eq!(threads.iter().filter(|t| t["completed"] == true).count(), 1);
        for fix in ["lock_order", "timeout_retry"] {
            assert_eq!(v["fixes"][fix]["completed"], true, "{fix}");
        }
        // With one lock order the two threads are serialized: at least two holds.
        assert!(v["fixes"]["lock_order"]["ms"].as_f64().unwrap() >= 80.0);
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("detector found the cycle"));
        // Both threads were really blocked on a lock.
        let waited: std::collections::HashSet<u32> = outcome
            .events
            .iter()
            .filter(|e| e.state == crate::protocol::LaneState::WaitingLock)
            .map(|e| e.lane)
            .collect();
        assert!(waited.len() >= 2, "{waited:?}");
    }

    #[test]
    fn each_strategy_runs_only_its_part_and_rlocks_still_deadlock() {
        let outcome = run(json!({"hold_ms": 30, "time_scale": 100, "strategy": 2}));
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert_eq!(v["deadlock"], Value::Null);
        assert_eq!(v["fixes"]["timeout_retry"], Value::Null);
        assert_eq!(v["fixes"]["lock_order"]["completed"], true);
        assert_eq!(
            outcome
                .lanes
                .iter()
                .filter(|l| l.name.starts_with("Thread-"))
                .count(),
            2
        );

        let outcome = run(json!({"hold_ms": 30, "time_scale": 100, "strategy": 3}));
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.values["deadlock"], Value::Null);
        assert_eq!(outcome.values["fixes"]["timeout_retry"]["completed"], true);

        let outcome = run(json!({"hold_ms": 30, "time_scale": 100, "strategy": 4}));
        assert_eq!(outcome.error, None);
        let d = &outcome.values["deadlock"];
        assert_eq!(d["locks"], "RLocks");
        assert_eq!(d["formed"], true, "{d}");
        assert_eq!(outcome.values["fixes"]["lock_order"], Value::Null);
        assert!(outcome.values["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("RLocks"));
    }

    #[test]
    fn a_hold_too_short_to_form_the_cycle_is_raised_with_a_notice() {
        let prepared = prepare(&RunRequest {
            lesson: "deadlock".into(),
            params: json!({"hold_ms": 100, "time_scale": 5}),
        })
        .unwrap();
        assert_eq!(prepared.params.get("hold_ms"), 400);
        assert_eq!(prepared.notices.len(), 1);
    }
}
