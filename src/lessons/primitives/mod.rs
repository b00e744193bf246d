//! Lesson "Synchronization primitives" (curriculum row 18).
//!
//! One program in six parts, each with a real primitive and a measured result:
//! - RLock re-entry works; a plain Lock taken again by its holder blocks (shown with `acquire(timeout)`,
//!   and without a timeout the deadlock detector finds the thread waiting for itself);
//! - Event: N waiting threads, one `set()` wakes each exactly once, no polling;
//! - Condition: a consumer waits until a producer makes its condition true and notifies;
//! - Semaphore(k): N threads, never more than k inside at once (and k are, when N ≥ k);
//! - BoundedSemaphore: one release too many raises ValueError (a plain Semaphore just grows);
//! - Timer: fires after its interval (how late is measured); a cancelled Timer never runs.

use super::claims::{claim, count_lines, finished, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::cancel;
use crate::engine::lock;
use crate::engine::primitives::{AcquireError, Condition, Event, Lock, Semaphore, Timer};
use crate::engine::sync::sleep_ms;
use crate::engine::thread;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct Primitives;

/// The shortest pause (after scaling) the main thread leaves for waiters to start waiting.
const MIN_SETTLE_MS: f64 = 20.0;

/// Blocks for `ms` without changing the lane's recorded state, so a thread holding a semaphore slot stays
/// "holding" on the timeline while it works (`sync::sleep_ms` would draw it as sleeping). A Stop ends it.
fn hold_for(ms: f64) {
    let end = now_ms() + ms;
    loop {
        let left = end - now_ms();
        if left <= 0.0 || cancel::block_for(left) {
            break;
        }
    }
}

/// Python's thread names: "Thread-N (target)".
struct Names(u32);

impl Names {
    fn next(&mut self, target: &str) -> String {
        self.0 += 1;
        format!("Thread-{} ({target})", self.0)
    }

    /// A Thread subclass with no target (a Timer) is just "Thread-N".
    fn plain(&mut self) -> String {
        self.0 += 1;
        format!("Thread-{}", self.0)
    }
}

#[derive(Serialize, Clone, Debug)]
pub struct Waiter {
    pub thread: String,
    pub woke: bool,
    /// How many times the thread returned from its blocking wait: 1 means it slept until `set()`.
    pub wakeups: u32,
    pub latency_ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct Holder {
    pub thread: String,
    pub waited_ms: f64,
    pub acquired_at: f64,
    pub released_at: f64,
}

fn locks_part(hold: f64) -> Result<Value, String> {
    // RLock: the holder takes it again.
    let r = Lock::reentrant("rlock");
    r.acquire().map_err(|e| format!("rlock: {e:?}"))?;
    let t = now_ms();
    let again = r.acquire_timeout(Some(hold));
    let reenter_ms = now_ms() - t;
    let reentered = again.is_ok();
    let depth = if reentered { 2 } else { 1 };
    for _ in 0..depth {
        r.release()?;
    }
    trace::print(format!(
        "RLock taken twice by the same thread: {} ({})",
        if reentered { "ok" } else { "FAILED" },
        report::ms(reenter_ms)
    ));

    // Lock: the holder blocks itself.
    let l = Lock::new("lock");
    l.acquire().map_err(|e| format!("lock: {e:?}"))?;
    let t = now_ms();
    let second = l.acquire_timeout(Some(hold));
    let waited_ms = now_ms() - t;
    let timed_out = second == Err(AcquireError::TimedOut);
    if second.is_ok() {
        l.release()?;
    }
    trace::print(format!(
        "Lock taken again by its holder: acquire(timeout) returned {} after {}",
        if timed_out { "False" } else { "True" },
        report::ms(waited_ms)
    ));
    // Without a timeout Python would hang here; the playground's detector sees the thread wait for itself.
    let t = now_ms();
    let detector = match l.acquire() {
        Err(AcquireError::Deadlock(d)) => {
            trace::print(format!("acquire() without a timeout: {}", d.describe()));
            json!({
                "cycle": d.cycle,
                "detect_ms": d.detected_at - d.formed_at,
                "blocked_ms": now_ms() - t,
            })
        }
        Ok(()) => {
            l.release()?;
            Value::Null
        }
        Err(AcquireError::TimedOut) => Value::Null,
    };
    l.release()?;
    Ok(json!({
        "rlock": {"reentered": reentered, "depth": depth, "reenter_ms": reenter_ms},
        "lock": {
            "second_acquire": !timed_out,
            "timeout_ms": hold,
            "waited_ms": waited_ms,
            "detector": detector,
        },
    }))
}

/// `n` threads wait for one signal: on an Event (`poll == 0`: each blocks until `set()`), or by polling a
/// flag every `poll` ms (`while not flag: sleep(poll)`), which wakes again and again and notices late.
fn event_part(
    names: &mut Names,
    n: usize,
    settle: f64,
    poll: f64,
) -> Result<(Value, Answer), String> {
    let ev = Arc::new(Event::new());
    let flag = Arc::new(AtomicBool::new(false));
    let ready = Arc::new((Mutex::new(0usize), Condvar::new()));
    let target = if poll > 0.0 { "poll_flag" } else { "waiter" };
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (ev, flag, ready) = (ev.clone(), flag.clone(), ready.clone());
            let name = names.next(target);
            let own = name.clone();
            thread::spawn(name, "Event", move || {
                *lock(&ready.0) += 1;
                ready.1.notify_all();
                let (set, wakeups) = if poll > 0.0 {
                    let mut wakeups = 0u32;
                    while !flag.load(Ordering::SeqCst) && !cancel::is_cancelled() {
                        sleep_ms(poll);
                        wakeups += 1;
                    }
                    (true, wakeups)
                } else {
                    ev.wait(None)
                };
                (own, set, wakeups, now_ms())
            })
        })
        .collect();
    {
        let mut started = lock(&ready.0);
        while *started < n {
            started = ready.1.wait(started).unwrap_or_else(|p| p.into_inner());
        }
    }
    // A started thread may not have reached `wait()` yet (a busy machine can pause it in between); set
    // the Event only once all are blocked in it, or a late one would find it set and never wait.
    let give_up = now_ms() + 5000.0;
    while poll == 0.0 && ev.waiting() < n && now_ms() < give_up && !cancel::is_cancelled() {
        sleep_ms(1.0);
    }
    sleep_ms(settle);
    let set_at = now_ms();
    if poll > 0.0 {
        trace::print(format!(
            "flag = True with {n} threads polling every {}",
            report::ms(poll)
        ));
        flag.store(true, Ordering::SeqCst);
    } else {
        trace::print(format!("event.set() with {n} threads waiting"));
        ev.set();
    }
    let waiters: Vec<Waiter> = handles
        .into_iter()
        .map(|h| {
            let (thread, woke, wakeups, at) = h.join();
            Waiter {
                thread,
                woke,
                wakeups,
                latency_ms: at - set_at,
            }
        })
        .collect();
    let all_once = waiters.iter().all(|w| w.woke && w.wakeups == 1);
    let max_latency = waiters.iter().map(|w| w.latency_ms).fold(0.0, f64::max);
    let total_wakeups: u32 = waiters.iter().map(|w| w.wakeups).sum();
    trace::print(format!(
        "all {n} woke{}; {total_wakeups} wake-ups in all; slowest {} after the signal",
        if all_once { ", each exactly once" } else { "" },
        report::ms(max_latency)
    ));
    let answer = answer(&waiters, poll, max_latency);
    let values = json!({
        "mode": if poll > 0.0 { "polling" } else { "event" },
        "poll_ms": poll,
        "waiters": waiters,
        "all_woke_once": all_once,
        "total_wakeups": total_wakeups,
        "max_latency_ms": max_latency,
    });
    Ok((values, answer))
}

fn condition_part(names: &mut Names, delay: f64) -> Result<Value, String> {
    let cond = Arc::new(Condition::new(Arc::new(Lock::new("condition's lock"))));
    let slot: Arc<Mutex<Option<u32>>> = Arc::new(Mutex::new(None));
    let (c, s) = (cond.clone(), slot.clone());
    let consumer = thread::spawn(names.next("consume"), "Condition", move || {
        c.lock().acquire().map_err(|e| format!("{e:?}"))?;
        let mut waits = 0u32;
        let mut notified = false;
        let value = loop {
            if let Some(v) = *lock(&s) {
                break v;
            }
            waits += 1;
            notified |= c.wait(None)?;
        };
        let woke_at = now_ms();
        c.lock().release()?;
        trace::print(format!("got {value} after {waits} wait(s)"));
        Ok::<_, String>((value, waits, notified, woke_at))
    });
    let (c, s) = (cond.clone(), slot.clone());
    let producer = thread::spawn(names.next("produce"), "Condition", move || {
        sleep_ms(delay);
        c.lock().acquire().map_err(|e| format!("{e:?}"))?;
        *lock(&s) = Some(42);
        let at = now_ms();
        c.notify(1)?;
        c.lock().release()?;
        trace::print("made the condition true and notified");
        Ok::<_, String>(at)
    });
    let notify_at = producer.join()?;
    let (value, waits, notified, woke_at) = consumer.join()?;
    Ok(json!({
        "value": value,
        "wait_calls": waits,
        "notified": notified,
        "latency_ms": woke_at - notify_at,
    }))
}

fn semaphore_part(names: &mut Names, n: usize, k: u32, hold: f64) -> Value {
    let sem = Arc::new(Semaphore::new(k));
    let inside = Arc::new(AtomicU32::new(0));
    let most = Arc::new(AtomicU32::new(0));
    let t0 = now_ms();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (sem, inside, most) = (sem.clone(), inside.clone(), most.clone());
            let name = names.next("use_slot");
            let own = name.clone();
            thread::spawn(name, "Semaphore", move || {
                let asked = now_ms();
                sem.acquire();
                let acquired_at = now_ms();
                let now_inside = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now_inside, Ordering::SeqCst);
                hold_for(hold);
                inside.fetch_sub(1, Ordering::SeqCst);
                let released_at = now_ms();
                let _ = sem.release();
                Holder {
                    thread: own,
                    waited_ms: acquired_at - asked,
                    acquired_at,
                    released_at,
                }
            })
        })
        .collect();
    let holders: Vec<Holder> = handles.into_iter().map(thread::JoinHandle::join).collect();
    let ms = now_ms() - t0;
    let max_holders = most.load(Ordering::SeqCst);
    trace::print(format!(
        "{n} threads through Semaphore({k}): at most {max_holders} inside at once, {}",
        report::ms(ms)
    ));
    json!({
        "permits": k,
        "threads": n,
        "max_holders": max_holders,
        "ms": ms,
        "holders": holders,
        "value_after": sem.value(),
    })
}

fn bounded_part(k: u32) -> Value {
    let b = Semaphore::bounded(k);
    b.acquire();
    let first = b.release();
    let extra = b.release();
    let plain = Semaphore::new(k);
    plain.acquire();
    let _ = plain.release();
    let plain_extra = plain.release();
    let error = extra.err();
    trace::print(format!(
        "BoundedSemaphore({k}), one release too many: {}; a plain Semaphore({k}) now has value {}",
        error.as_deref().unwrap_or("no error"),
        plain.value()
    ));
    json!({
        "first_release_ok": first.is_ok(),
        "error": error,
        "plain_extra_release_ok": plain_extra.is_ok(),
        "plain_value_after": plain.value(),
    })
}

fn timer_part(names: &mut Names, interval: f64) -> Value {
    let started = now_ms();
    let fired = Timer::start(&names.plain(), "Timer", interval, || {
        trace::print("timer fired");
    });
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let cancelled_started = now_ms();
    let cancelled = Timer::start(&names.plain(), "Timer", interval, move || {
        r.store(true, Ordering::SeqCst);
        trace::print("the cancelled timer ran!");
    });
    sleep_ms(interval / 2.0);
    cancelled.cancel();
    let cancel_at = now_ms();
    trace::print(format!(
        "cancelled the second timer {} after starting it",
        report::ms(cancel_at - cancelled_started)
    ));
    let fired_at = fired.join();
    let cancelled_fired = cancelled.join();
    let late = fired_at.map(|t| t - started - interval);
    json!({
        "interval_ms": interval,
        "fired": fired_at.is_some(),
        "fired_after_ms": fired_at.map(|t| t - started),
        "late_ms": late,
        "cancelled": {
            "ran": ran.load(Ordering::SeqCst) || cancelled_fired.is_some(),
            "cancel_after_ms": cancel_at - cancelled_started,
        },
    })
}

const PYTHON: &str = r#"import threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
N = {threads}
HOLD = {hold_ms} / 1000 * SCALE

# 1. RLock: its holder may take it again. Lock: its holder blocks itself.
rlock = threading.RLock()
with rlock:
    with rlock:
        print("re-entered the RLock")
lock = threading.Lock()
lock.acquire()
print(lock.acquire(timeout=HOLD))  # False after HOLD; lock.acquire() would hang forever
lock.release()

# 2. Event: N threads wait; one set() wakes them all, no polling.
ready = threading.Event()
POLL = {poll_ms} / 1000 * SCALE   # 0: wait on the Event; otherwise poll a flag this often
def waiter():
    if POLL:
        while not ready.is_set():  # polling: wakes again and again, and notices late
            time.sleep(POLL)
    else:
        ready.wait()               # sleeps until set(): one wake-up, at once
    print("woke")
waiters = [threading.Thread(target=waiter) for _ in range(N)]
for t in waiters: t.start()
time.sleep(HOLD)
ready.set()
for t in waiters: t.join()

# 3. Condition: the consumer waits until the producer makes its condition true.
cond = threading.Condition()
box = []
def consume():
    with cond:
        while not box:
            cond.wait()
        print("got", box[0])
def produce():
    time.sleep(HOLD)
    with cond:
        box.append(42)
        cond.notify()

# 4. Semaphore: at most {permits} threads inside at once.
slots = threading.Semaphore({permits})
def use_slot():
    with slots:
        time.sleep(HOLD)
users = [threading.Thread(target=use_slot) for _ in range(N)]

# 5. BoundedSemaphore: one release too many is an error.
bounded = threading.BoundedSemaphore({permits})
bounded.acquire(); bounded.release()
try:
    bounded.release()
except ValueError as e:
    print(e)                         # Semaphore released too many times

# 6. Timer: runs a function once, after an interval, on its own thread.
INTERVAL = {timer_ms} / 1000 * SCALE
fires = threading.Timer(INTERVAL, lambda: print("fired"))
never = threading.Timer(INTERVAL, lambda: print("never printed"))
fires.start(); never.start()
time.sleep(INTERVAL / 2)
never.cancel()
fires.join(); never.join()
"#;

impl Lesson for Primitives {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("hold_ms", 100), ("timer_ms", 100)],
            gil: true,
            claim: |run| {
                finished(run)?;
                for line in [
                    "re-entered the RLock",
                    "Semaphore released too many times",
                    "fired",
                ] {
                    claim(count_lines(run, line) == 1, || {
                        format!("{line:?} missing from {:?}", run.stdout)
                    })?;
                }
                claim(count_lines(run, "woke") == 5, || {
                    format!("not every waiter woke once: {:?}", run.stdout)
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "primitives",
            title: "Synchronization primitives",
            group: "Synchronization",
            curriculum_row: 18,
            engine: EngineKind::Threads,
            summary: "The threading module's tools, each in a small real example. An RLock can be taken \
                again by the thread that holds it; a plain Lock cannot — its holder blocks itself (here \
                acquire(timeout) shows the wait, and the playground's detector finds the thread waiting for \
                itself). An Event wakes every waiting thread at once, each exactly once: no polling. A \
                Condition lets a thread sleep until another makes something true. A Semaphore(k) lets at most \
                k threads in at a time — count the 'holding' bars on the timeline. A BoundedSemaphore refuses \
                one release too many. A Timer runs a function later on its own thread, unless cancelled.",
            python: PYTHON,
            params: vec![
                ParamSpec::int(
                    "threads",
                    "Threads (N)",
                    1,
                    16,
                    5,
                    "How many threads wait on the Event and go through the Semaphore.",
                ),
                ParamSpec::int("permits", "Semaphore permits (k)", 1, 8, 2, "How many may hold the Semaphore at once."),
                ParamSpec::int(
                    "hold_ms",
                    "Hold / wait (ms)",
                    10,
                    3000,
                    500,
                    "How long a thread holds a Semaphore slot; also the Lock's timeout and the delay before \
                     set() and notify().",
                ),
                ParamSpec::int("timer_ms", "Timer interval (ms)", 10, 5000, 1000, "When the Timer fires."),
                ParamSpec::int(
                    "poll_ms",
                    "Poll instead of Event (ms, 0 = Event)",
                    0,
                    2000,
                    0,
                    "0: the waiters block on the Event. Otherwise they poll a flag this often instead.",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        1 + (params.get("threads") as usize).max(2)
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let scale = Scale::of(params);
        let n = params.get("threads") as usize;
        let k = params.get("permits") as u32;
        let hold = scale.ms(params.get("hold_ms") as f64);
        let interval = scale.ms(params.get("timer_ms") as f64);
        let settle = hold.max(MIN_SETTLE_MS);
        let mut names = Names(0);

        let locks = locks_part(hold)?;
        let poll = scale.ms(params.get("poll_ms") as f64);
        let (event, answer) = event_part(&mut names, n, settle, poll)?;
        let condition = condition_part(&mut names, settle)?;
        let semaphore = semaphore_part(&mut names, n, k, hold);
        let bounded = bounded_part(k);
        let timer = timer_part(&mut names, interval);

        let max_holders = semaphore["max_holders"].as_u64().unwrap_or(0);
        let expected_holders = (n as u64).min(u64::from(k));
        let rows = vec![
            vec![
                "RLock".into(),
                format!(
                    "taken again by its holder: {}",
                    if locks["rlock"]["reentered"] == true { "ok, depth 2" } else { "FAILED" }
                ),
            ],
            vec![
                "Lock".into(),
                format!(
                    "taken again by its holder: acquire(timeout) returned {} after {}{}",
                    if locks["lock"]["second_acquire"] == true { "True" } else { "False" },
                    report::ms(locks["lock"]["waited_ms"].as_f64().unwrap_or(0.0)),
                    match locks["lock"]["detector"]["detect_ms"].as_f64() {
                        Some(d) => format!(
                            "; without a timeout the detector saw the thread waiting for itself after {}",
                            report::ms(d)
                        ),
                        None => String::new(),
                    }
                ),
            ],
            vec![
                if poll > 0.0 { format!("polling every {}", report::ms(poll)) } else { "Event".into() },
                format!(
                    "{n} waiters, {} ({} wake-ups in all); slowest woke {} after set()",
                    if event["all_woke_once"] == true {
                        "each woke exactly once"
                    } else {
                        "NOT each woken exactly once"
                    },
                    event["total_wakeups"],
                    report::ms(event["max_latency_ms"].as_f64().unwrap_or(0.0))
                ),
            ],
            vec![
                "Condition".into(),
                format!(
                    "the consumer waited {} time(s) and got {}, {} after notify()",
                    condition["wait_calls"],
                    condition["value"],
                    report::ms(condition["latency_ms"].as_f64().unwrap_or(0.0))
                ),
            ],
            vec![
                "Semaphore".into(),
                format!(
                    "{n} threads through Semaphore({k}): at most {max_holders} held it at once; {}",
                    report::ms(semaphore["ms"].as_f64().unwrap_or(0.0))
                ),
            ],
            vec![
                "BoundedSemaphore".into(),
                format!(
                    "extra release: {}; a plain Semaphore({k}) just grows to {}",
                    bounded["error"].as_str().unwrap_or("no error"),
                    bounded["plain_value_after"]
                ),
            ],
            vec![
                "Timer".into(),
                format!(
                    "fired {} after start ({} late); the cancelled one {}",
                    report::ms(timer["fired_after_ms"].as_f64().unwrap_or(f64::NAN)),
                    report::ms(timer["late_ms"].as_f64().unwrap_or(f64::NAN)),
                    if timer["cancelled"]["ran"] == true { "RAN" } else { "never ran" }
                ),
            ],
        ];
        let verdict = format!(
            "RLock re-entry {}; the plain Lock blocked its own holder for {} until the timeout. {}. Semaphore({k}) let at most {max_holders} of {n} threads in at once \
             (expected {expected_holders}). BoundedSemaphore: \"{}\". The Timer fired {} late; the \
             cancelled one {}.",
            if locks["rlock"]["reentered"] == true { "worked" } else { "FAILED" },
            report::ms(locks["lock"]["waited_ms"].as_f64().unwrap_or(0.0)),
            if poll > 0.0 {
                format!(
                    "{n} threads polling a flag every {} woke {} times in all and noticed it up to {} late",
                    report::ms(poll),
                    event["total_wakeups"],
                    report::ms(event["max_latency_ms"].as_f64().unwrap_or(0.0))
                )
            } else {
                format!(
                    "One set() woke {n} Event waiters{}",
                    if event["all_woke_once"] == true { ", each exactly once" } else { "" }
                )
            },
            bounded["error"].as_str().unwrap_or("no error"),
            report::ms(timer["late_ms"].as_f64().unwrap_or(f64::NAN)),
            if timer["cancelled"]["ran"] == true { "ran anyway" } else { "never ran" },
        );
        let rep = Report::new(verdict)
            .table("What each primitive did", &["primitive", "measured"], rows)
            .note(format!(
                "Semaphore holders are counted as they enter and leave; the timeline shows the same as \
                 'holding' bars ({} each).",
                report::ms(hold)
            ));
        Ok(json!({
            "report": rep,
            "answer": answer,
            "hold_ms": hold,
            "rlock": locks["rlock"],
            "lock": locks["lock"],
            "event": event,
            "condition": condition,
            "semaphore": semaphore,
            "bounded": bounded,
            "timer": timer,
        }))
    }
}

pub const QUESTION: Question = Question::choices(
    "N threads wait for one signal, then it is given once. How many times does each waiting thread wake up?",
    &[
        choice("once", "Exactly once"),
        choice("many", "Several times"),
        choice("some", "Only one of them wakes"),
    ],
);

/// From the Event part's waiters (`poll` > 0: they polled a flag instead of waiting on the Event).
fn answer(waiters: &[Waiter], poll: f64, max_latency_ms: f64) -> Answer {
    let correct = if waiters.iter().any(|w| !w.woke) {
        "some"
    } else if waiters.iter().all(|w| w.wakeups == 1) {
        "once"
    } else {
        "many"
    };
    let how = if poll > 0.0 {
        format!("Polling every {}", question::ms(poll))
    } else {
        "On the Event".to_string()
    };
    let wakeups: Vec<String> = waiters.iter().map(|w| w.wakeups.to_string()).collect();
    Answer::choice(
        correct,
        format!(
            "{how}, the {} threads woke {} times; the slowest {} after the signal.",
            waiters.len(),
            wakeups.join(", "),
            question::ms(max_latency_ms)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::protocol::{LaneState, RunOutcome};

    fn run(params: Value) -> RunOutcome {
        crate::lessons::run_for_test("primitives", params)
    }

    /// The most lanes of `group` in state "holding" at once, from the recorded events.
    fn most_holding(outcome: &RunOutcome, group: &str) -> usize {
        let lanes: Vec<u32> = outcome
            .lanes
            .iter()
            .filter(|l| l.group == group)
            .map(|l| l.id)
            .collect();
        let mut holding = std::collections::HashSet::new();
        let mut most = 0;
        for e in outcome.events.iter().filter(|e| lanes.contains(&e.lane)) {
            if e.state == LaneState::Holding {
                holding.insert(e.lane);
            } else {
                holding.remove(&e.lane);
            }
            most = most.max(holding.len());
        }
        most
    }

    #[test]
    fn each_primitive_does_what_the_lesson_claims() {
        let outcome = run(json!({
            "threads": 5, "permits": 2, "hold_ms": 40, "timer_ms": 60, "time_scale": 100
        }));
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert_eq!(v["rlock"]["reentered"], true);
        assert_eq!(v["lock"]["second_acquire"], false);
        assert!(v["lock"]["waited_ms"].as_f64().unwrap() >= 39.0);
        assert_eq!(v["lock"]["detector"]["cycle"].as_array().unwrap().len(), 1);
        assert_eq!(v["event"]["all_woke_once"], true, "{}", v["event"]);
        assert_eq!(v["event"]["waiters"].as_array().unwrap().len(), 5);
        assert_eq!(v["condition"]["value"], 42);
        assert_eq!(v["condition"]["notified"], true);
        assert_eq!(v["semaphore"]["max_holders"], 2);
        assert_eq!(most_holding(&outcome, "Semaphore"), 2);
        assert_eq!(
            v["bounded"]["error"],
            "ValueError: Semaphore released too many times"
        );
        assert_eq!(v["bounded"]["plain_value_after"], 3);
        assert_eq!(v["timer"]["fired"], true);
        let late = v["timer"]["late_ms"].as_f64().unwrap();
        assert!((0.0..200.0).contains(&late), "{late}");
        assert_eq!(v["timer"]["cancelled"]["ran"], false);
        assert_eq!(v["event"]["mode"], "event");
        assert_eq!(v["event"]["total_wakeups"], 5);
    }

    #[test]
    fn polling_wakes_many_times_and_notices_late() {
        let outcome = run(json!({
            "threads": 3, "permits": 1, "hold_ms": 60, "timer_ms": 10, "poll_ms": 5, "time_scale": 100
        }));
        assert_eq!(outcome.error, None);
        let e = &outcome.values["event"];
        assert_eq!(e["mode"], "polling");
        assert_eq!(e["all_woke_once"], false);
        // Each waiter slept about 60 ms in 5 ms naps before the flag was set.
        assert!(e["total_wakeups"].as_u64().unwrap() >= 3 * 5, "{e}");
        let outcome = run(json!({
            "threads": 2, "permits": 1, "hold_ms": 20, "timer_ms": 10, "poll_ms": 200, "time_scale": 100
        }));
        let e = &outcome.values["event"];
        // The flag was set about 20 ms in; the pollers only looked again at 200 ms.
        assert!(e["max_latency_ms"].as_f64().unwrap() >= 100.0, "{e}");
        assert!(outcome.values["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("polling"));
    }
}
