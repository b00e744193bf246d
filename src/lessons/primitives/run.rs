//! Running the six parts, each with a real primitive, and the lesson's program that runs them in turn.

use super::*;

/// Blocks for `ms` without changing the lane's recorded state, so a thread holding a semaphore slot stays
/// "holding" on the timeline while it works (`sync::sleep_ms` would draw it as sleeping). A Stop ends it.
pub(super) fn hold_for(ms: f64) {
    let end = now_ms() + ms;
    loop {
        let left = end - now_ms();
        if left <= 0.0 || cancel::block_for(left) {
            break;
        }
    }
}

// Python's thread names: "Thread-N (target)"; a Thread subclass with no target (a Timer) is "Thread-N".
pub(super) use crate::engine::names::Names;

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

pub(super) fn locks_part(hold: f64) -> Result<Value, String> {
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
pub(super) fn event_part(
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
            let name = names.thread(target);
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

pub(super) fn condition_part(names: &mut Names, delay: f64) -> Result<Value, String> {
    let cond = Arc::new(Condition::new(Arc::new(Lock::new("condition's lock"))));
    let slot: Arc<Mutex<Option<u32>>> = Arc::new(Mutex::new(None));
    let (c, s) = (cond.clone(), slot.clone());
    let consumer = thread::spawn(names.thread("consume"), "Condition", move || {
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
    let producer = thread::spawn(names.thread("produce"), "Condition", move || {
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

pub(super) fn semaphore_part(names: &mut Names, n: usize, k: u32, hold: f64) -> Value {
    let sem = Arc::new(Semaphore::new(k));
    let inside = Arc::new(AtomicU32::new(0));
    let most = Arc::new(AtomicU32::new(0));
    let t0 = now_ms();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (sem, inside, most) = (sem.clone(), inside.clone(), most.clone());
            let name = names.thread("use_slot");
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

pub(super) fn bounded_part(k: u32) -> Value {
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

pub(super) fn timer_part(names: &mut Names, interval: f64) -> Value {
    let started = now_ms();
    let fired = Timer::start(&names.plain_thread(), "Timer", interval, || {
        trace::print("timer fired");
    });
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let cancelled_started = now_ms();
    let cancelled = Timer::start(&names.plain_thread(), "Timer", interval, move || {
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

/// The lesson's program: the six parts in turn, then the report.
pub(super) fn run(params: &Params) -> Result<Value, String> {
    let scale = Scale::of(params);
    let n = params.get("threads") as usize;
    let k = params.get("permits") as u32;
    let hold = scale.ms(params.get("hold_ms") as f64);
    let interval = scale.ms(params.get("timer_ms") as f64);
    let settle = hold.max(MIN_SETTLE_MS);
    let mut names = Names::new();

    let locks = locks_part(hold)?;
    let poll = scale.ms(params.get("poll_ms") as f64);
    let (event, answer) = event_part(&mut names, n, settle, poll)?;
    let condition = condition_part(&mut names, settle)?;
    let semaphore = semaphore_part(&mut names, n, k, hold);
    let bounded = bounded_part(k);
    let timer = timer_part(&mut names, interval);

    let rep = report_of(&Parts {
        n,
        k,
        hold,
        poll,
        locks: &locks,
        event: &event,
        condition: &condition,
        semaphore: &semaphore,
        bounded: &bounded,
        timer: &timer,
    });
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
