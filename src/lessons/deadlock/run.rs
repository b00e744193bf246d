//! Running the pairs of threads: the named locks, the two transfers, the runs the strategy selects and what they did.

use super::*;
use crate::engine::names::thread_name;

/// A lock with the name the program gives it.
#[derive(Clone)]
pub(super) struct Named {
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
pub(super) fn transfer(name: &str, first: &Named, second: &Named, hold: f64) -> ThreadRun {
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
pub(super) struct Jitter(u64);

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
pub(super) fn transfer_with_timeout(
    name: &str,
    first: &Named,
    second: &Named,
    hold: f64,
) -> ThreadRun {
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

pub(super) type Body = fn(&str, &Named, &Named, f64) -> ThreadRun;

/// Starts two threads running `body` with the given lock orders and joins them; returns their runs and
/// the time from the first start to the last join.
pub(super) fn pair(
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
            let name = thread_name(*next, &target);
            let (first, second) = ((*first).clone(), (*second).clone());
            let own = name.clone();
            thread::spawn(name, group, move || body(&own, &first, &second, hold))
        })
        .collect();
    let runs: Vec<ThreadRun> = handles.into_iter().map(thread::JoinHandle::join).collect();
    (runs, now_ms() - t0)
}

/// What a pair of threads did, and how long the pair took; `None` where the strategy did not select it.
pub(super) type Part = Option<(Vec<ThreadRun>, f64)>;

/// The three runs: the opposite orders, then the two fixes.
pub(super) struct Parts {
    pub(super) opposite: Part,
    pub(super) order: Part,
    pub(super) retry: Part,
}

/// What the report and the values say about the runs.
pub(super) struct Summary {
    pub(super) found: Option<Deadlock>,
    pub(super) victim: Option<String>,
    pub(super) survivor_completed: bool,
    pub(super) order_completed: Option<bool>,
    pub(super) retry_completed: Option<bool>,
    pub(super) retries: Option<u32>,
    pub(super) locks: &'static str,
}

/// The lesson's program: the runs `strategy` selects, the report and the values.
pub(super) fn run(params: &Params) -> Result<Value, String> {
    let hold = Scale::of(params).ms(params.get("hold_ms") as f64);
    let strategy = params.get("strategy");
    let started = now_ms();
    let Parts {
        opposite,
        order,
        retry,
    } = run_selected(strategy, hold);

    let errors: Vec<String> = [&opposite, &order, &retry]
        .into_iter()
        .flatten()
        .flat_map(|(runs, _)| runs.iter().filter_map(|r| r.error.clone()))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }

    let parts = Parts {
        opposite,
        order,
        retry,
    };
    let summary = summarise(strategy, &parts);
    let rep = report_of(strategy, hold, started, &parts, &summary);
    let Parts {
        opposite,
        order,
        retry,
    } = &parts;
    let Summary {
        found,
        victim,
        survivor_completed,
        order_completed,
        retry_completed,
        retries,
        locks,
    } = summary;

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

/// Runs the pairs of threads `strategy` selects, in turn.
fn run_selected(strategy: i64, hold: f64) -> Parts {
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
    Parts {
        opposite,
        order,
        retry,
    }
}

/// Whether a deadlock formed, who gave up, which runs completed.
fn summarise(strategy: i64, parts: &Parts) -> Summary {
    let Parts {
        opposite,
        order,
        retry,
    } = parts;
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
    Summary {
        found,
        victim,
        survivor_completed,
        order_completed,
        retry_completed,
        retries,
        locks,
    }
}
