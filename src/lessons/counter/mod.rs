//! Lesson "Shared counter: race and lock" (curriculum row 5).
//!
//! N threads each add 1 to one shared counter, many times, three ways:
//! - unlocked: read the counter, then write the value plus one — two separate atomic operations, so
//!   another thread's write can land in between and be overwritten. Updates are really lost, and there is
//!   no undefined behaviour (each access is atomic; only the pair is not);
//! - with a lock around the read and write (`with lock: counter += 1`);
//! - with one atomic read-modify-write (`fetch_add`), which needs no lock.

use super::claims::{claim, finished, PythonCheck};
use super::question;
use super::question::{choice, Answer, Question};
use super::report::{self, Report, Tone};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::gil::{self, GilStats, Interpreter};
use crate::engine::sync::TracedMutex;
use crate::engine::thread;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct SharedCounter;

/// The most increments one run may do in all (threads × increments), so a run stays under a few seconds.
pub const MAX_TOTAL_INCREMENTS: i64 = 64_000_000;

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    Unlocked,
    Locked,
    Atomic,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Unlocked, Variant::Locked, Variant::Atomic];

    /// The variants parameter `variant` selects: 0 = all three, 1 = no lock, 2 = with Lock, 3 = atomic.
    pub fn selected(choice: i64) -> Vec<Variant> {
        match choice {
            1 => vec![Variant::Unlocked],
            2 => vec![Variant::Locked],
            3 => vec![Variant::Atomic],
            _ => Variant::ALL.to_vec(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Variant::Unlocked => "no lock",
            Variant::Locked => "with Lock",
            Variant::Atomic => "atomic add",
        }
    }

    /// The Python function name the threads run (shows up in the thread names, as in Python 3.10+), as
    /// the Python view names it.
    pub fn target(self) -> &'static str {
        match self {
            Variant::Unlocked => "add_unlocked",
            Variant::Locked => "add_locked",
            Variant::Atomic => "add_atomic",
        }
    }
}

/// One run of one variant.
#[derive(Serialize, Clone, Debug)]
pub struct Trial {
    pub actual: u64,
    pub lost: u64,
    pub ms: f64,
    /// Time threads spent blocked on the lock, summed over threads (locked variant only).
    pub lock_wait_ms: f64,
    pub contended_acquisitions: u64,
    /// What the emulated GIL did (all zero when free-threaded).
    pub gil: GilStats,
}

#[derive(Serialize, Clone, Debug)]
pub struct VariantResult {
    pub variant: Variant,
    pub label: &'static str,
    pub expected: u64,
    pub trials: Vec<Trial>,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// How many trials lost at least one update.
    pub trials_losing_updates: usize,
}

#[derive(Serialize, Clone, Debug)]
pub struct CounterResult {
    pub interpreter: Interpreter,
    pub interpreter_label: &'static str,
    pub threads: u64,
    pub increments: u64,
    pub expected: u64,
    pub variants: Vec<VariantResult>,
}

/// `counter += 1` without a lock: a read, then a write. Each is atomic (no undefined behaviour); the pair
/// is not, so another thread's write in between is overwritten and lost.
///
/// Under the emulated GIL, the switch point comes after the write, at the loop's backward jump, as in
/// CPython 3.10+: nothing can run between this thread's read and its write.
fn add_unlocked(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        let seen = counter.load(Relaxed);
        counter.store(seen + 1, Relaxed);
        gil::checkpoint();
    }
}

/// `with lock: counter += 1`.
fn add_locked(counter: &TracedMutex<u64>, n: u64) {
    for _ in 0..n {
        *counter.lock() += 1;
        gil::checkpoint();
    }
}

/// One atomic read-modify-write per increment: no lock needed.
fn add_atomic(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        counter.fetch_add(1, Relaxed);
        gil::checkpoint();
    }
}

/// Starts `threads` threads running `body(counter, increments)` and joins them all.
fn start_and_join<C: Send + Sync + 'static>(
    counter: &Arc<C>,
    threads: u64,
    increments: u64,
    group: &str,
    mut name: impl FnMut() -> String,
    body: fn(&C, u64),
) {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let c = counter.clone();
            thread::spawn(name(), group, move || body(&c, increments))
        })
        .collect();
    handles.into_iter().for_each(thread::JoinHandle::join);
}

/// Runs `threads` threads of `increments` additions each with one variant, timed from the first start to
/// the last join.
pub fn run_variant(
    interpreter: Interpreter,
    variant: Variant,
    threads: u64,
    increments: u64,
    group: &str,
    next_name: &mut u64,
) -> Trial {
    let name = || {
        *next_name += 1;
        format!("Thread-{} ({})", next_name, variant.target())
    };
    let t0 = now_ms();
    let ((actual, lock_wait_ms, contended_acquisitions), gil) =
        gil::run_with(interpreter, || match variant {
            Variant::Unlocked => {
                let counter = Arc::new(AtomicU64::new(0));
                start_and_join(&counter, threads, increments, group, name, add_unlocked);
                (counter.load(Relaxed), 0.0, 0)
            }
            Variant::Locked => {
                let counter = Arc::new(TracedMutex::new(0u64));
                start_and_join(&counter, threads, increments, group, name, add_locked);
                let value = *counter.lock();
                (value, counter.waited_ms(), counter.contended())
            }
            Variant::Atomic => {
                let counter = Arc::new(AtomicU64::new(0));
                start_and_join(&counter, threads, increments, group, name, add_atomic);
                (counter.load(Relaxed), 0.0, 0)
            }
        });
    let ms = now_ms() - t0;
    let expected = threads * increments;
    Trial {
        actual,
        lost: expected.saturating_sub(actual),
        ms,
        lock_wait_ms,
        contended_acquisitions,
        gil,
    }
}

const PYTHON: &str = r#"import itertools, threading, time

# Python build: {python}; sys.setswitchinterval({switch_interval_ms} / 1000)
N_THREADS = {threads}
INCREMENTS = {increments}
counter = 0
lock = threading.Lock()
ticks = itertools.count()

def add_unlocked(n):
    global counter
    for _ in range(n):
        counter += 1            # read, add, write: another thread can write in between

def add_locked(n):
    global counter
    for _ in range(n):
        with lock:              # only one thread at a time reads and writes
            counter += 1

def add_atomic(n):
    # Python has no atomic integer. The lock-free idiom is itertools.count(): its next()
    # is one C call, so no other thread gets in between. That is CPython's implementation
    # (with the GIL), not a promise of the language: on a free-threaded build, check that
    # yours makes it safe (this playground's does), or use the Lock. The playground's own
    # engine uses the processor's atomic add (C's atomic_fetch_add) here.
    for _ in range(n):
        next(ticks)

VARIANT = {variant}           # 0 = all three; 1 = only add_unlocked, 2 = only add_locked, 3 = only add_atomic
targets = {0: (add_unlocked, add_locked, add_atomic), 1: (add_unlocked,),
           2: (add_locked,), 3: (add_atomic,)}.get(VARIANT, ())
for target in targets:
    for run in range({repeats}):
        counter = 0
        ticks = itertools.count()
        threads = [threading.Thread(target=target, args=(INCREMENTS,))
                   for _ in range(N_THREADS)]
        start = time.perf_counter()
        for t in threads: t.start()
        for t in threads: t.join()
        ms = (time.perf_counter() - start) * 1000
        if target is add_atomic:
            counter = next(ticks)   # how many times the threads counted
        expected = N_THREADS * INCREMENTS
        print(f"{target.__name__}: expected {expected}, got {counter}, "
              f"lost {expected - counter} in {ms:.1f} ms")
"#;

impl Lesson for SharedCounter {
    fn python_check(&self) -> PythonCheck {
        // Free-threaded (the lesson's default build): the unlocked counter really loses updates; the Lock
        // and itertools.count() (whose next() the interpreter does under its own lock) are exact.
        PythonCheck::Runs {
            params: &[("increments", 100_000), ("repeats", 1), ("variant", 0)],
            gil: false,
            claim: |run| {
                finished(run)?;
                let line = |name: &str| {
                    run.stdout
                        .iter()
                        .find(|l| l.starts_with(name))
                        .cloned()
                        .unwrap_or_default()
                };
                let (unlocked, locked) = (line("add_unlocked:"), line("add_locked:"));
                let atomic = line("add_atomic:");
                claim(
                    !unlocked.is_empty() && !unlocked.contains(", lost 0 "),
                    || format!("the unlocked counter lost nothing: {unlocked:?}"),
                )?;
                claim(locked.contains(", lost 0 "), || {
                    format!("the locked counter was not exact: {locked:?}")
                })?;
                claim(atomic.contains(", lost 0 "), || {
                    format!("the itertools.count() counter was not exact: {atomic:?}")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "counter",
            title: "Shared counter: race and lock",
            group: "Threads",
            curriculum_row: 5,
            engine: EngineKind::Threads,
            summary: "Several threads add 1 to one shared counter. Without a lock, `counter += 1` is a read \
                followed by a write, and a thread's write can overwrite another's: updates are lost. A lock \
                makes the read and write one step; an atomic add does it in hardware. Free-threaded (3.13t), \
                threads really run in parallel on your cores. Switch the build to CPython with its GIL: this \
                exact loop then usually loses nothing, because since 3.10 a thread switch happens only at \
                certain points (a loop's backward jump, a call), never between the read and the write — but \
                the unlocked code is still wrong there, and loses updates on any truly parallel runtime.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("threads", "Threads", 1, 64, 4, "How many threads add to the counter (1–64)."),
                ParamSpec::int(
                    "increments",
                    "Increments per thread",
                    1,
                    10_000_000,
                    1_000_000,
                    "How many times each thread adds 1.",
                ),
                ParamSpec::int("repeats", "Runs per variant", 1, 10, 3, "Repeat each variant to see the spread."),
                ParamSpec {
                    default: gil::FREE_THREADED,
                    ..gil::PYTHON_BUILD
                },
                gil::SWITCH_INTERVAL,
                ParamSpec::choice(
                    "variant",
                    "Variant",
                    &[(0, "all three"), (1, "no lock"), (2, "with Lock"), (3, "atomic add")],
                    0,
                    "Run all three, or only one of them.",
                ),
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let threads = params.get("threads");
        if threads * params.get("increments") > MAX_TOTAL_INCREMENTS {
            let capped = MAX_TOTAL_INCREMENTS / threads;
            notices.push(format!(
                "{threads} threads × {} increments is more than {} in all; using {capped} increments per thread.",
                params.get("increments"),
                MAX_TOTAL_INCREMENTS
            ));
            params.set("increments", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("threads") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let threads = params.get("threads") as u64;
        let increments = params.get("increments") as u64;
        let repeats = params.get("repeats") as usize;
        let interpreter =
            Interpreter::from_params(params.get("python"), params.get("switch_interval_ms"));
        let expected = threads * increments;
        let mut next_name = 0;
        let mut variants = Vec::new();
        for variant in Variant::selected(params.get("variant")) {
            let mut trials = Vec::new();
            for run in 1..=repeats {
                let group = format!("{}, run {run}", variant.label());
                let trial = run_variant(
                    interpreter,
                    variant,
                    threads,
                    increments,
                    &group,
                    &mut next_name,
                );
                trace::print(format!(
                    "{}, run {run}: expected {expected}, got {} — lost {} in {:.1} ms",
                    variant.label(),
                    trial.actual,
                    trial.lost,
                    trial.ms
                ));
                trials.push(trial);
            }
            let (median_ms, min_ms, max_ms) =
                spread(&trials.iter().map(|t| t.ms).collect::<Vec<_>>());
            variants.push(VariantResult {
                variant,
                label: variant.label(),
                expected,
                trials_losing_updates: trials.iter().filter(|t| t.lost > 0).count(),
                trials,
                median_ms,
                min_ms,
                max_ms,
            });
        }
        let result = CounterResult {
            interpreter,
            interpreter_label: interpreter.label(),
            threads,
            increments,
            expected,
            variants,
        };
        let answer = answer(&result);
        let report = report_of(&result);
        let mut values = serde_json::to_value(result).map_err(|e| e.to_string())?;
        values["report"] = serde_json::to_value(report).map_err(|e| e.to_string())?;
        question::attach(&mut values, &answer);
        Ok(values)
    }
}

/// Median (min – max) of a variant's runs.
fn spread_of(v: &VariantResult) -> String {
    format!(
        "{} ({} – {})",
        report::ms(v.median_ms),
        report::ms(v.min_ms),
        report::ms(v.max_ms)
    )
}

/// The verdict, one row per variant, and how it was measured.
fn report_of(r: &CounterResult) -> Report {
    let ints = |t: &[Trial], f: fn(&Trial) -> u64| {
        t.iter()
            .map(|t| report::int(f(t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = r
        .variants
        .iter()
        .map(|v| {
            vec![
                v.label.to_string(),
                report::int(v.expected),
                ints(&v.trials, |t| t.actual),
                ints(&v.trials, |t| t.lost),
                spread_of(v),
                if v.variant == Variant::Locked {
                    let waited: f64 = v.trials.iter().map(|t| t.lock_wait_ms).sum();
                    format!("{} / run", report::ms(waited / v.trials.len() as f64))
                } else {
                    "—".to_string()
                },
            ]
        })
        .collect();
    let unlocked = r.variants.iter().find(|v| v.variant == Variant::Unlocked);
    let others: Vec<&VariantResult> = r
        .variants
        .iter()
        .filter(|v| v.variant != Variant::Unlocked)
        .collect();
    let exact = others
        .iter()
        .map(|v| {
            format!(
                "{}: {} of {} runs exact",
                v.label,
                v.trials.iter().filter(|t| t.lost == 0).count(),
                v.trials.len()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let under_gil = matches!(r.interpreter, Interpreter::Gil { .. });
    let switches: u64 = r
        .variants
        .iter()
        .flat_map(|v| &v.trials)
        .map(|t| t.gil.switches)
        .sum();
    let verdict = match unlocked {
        None => format!(
            "{}: {exact} ({} expected).",
            r.interpreter_label,
            report::int(r.expected)
        ),
        Some(u) if u.trials_losing_updates > 0 => {
            let max_lost = u.trials.iter().map(|t| t.lost).max().unwrap_or(0);
            format!(
                "{}: without a lock, {} of {} runs lost updates (up to {} of {}).{}",
                r.interpreter_label,
                u.trials_losing_updates,
                u.trials.len(),
                report::int(max_lost),
                report::int(u.expected),
                if others.is_empty() {
                    String::new()
                } else {
                    format!(" {exact}.")
                }
            )
        }
        Some(_) if under_gil => format!(
            "Under CPython's GIL no run without a lock lost an update, although the GIL changed hands {} \
             times: a switch happens only at switch points (here the loop's backward jump), never between \
             the read and the write of counter += 1. The code is still wrong — choose the free-threaded build \
             and the same loop loses updates; under the GIL too, a longer read-modify-write with a call inside \
             can be interrupted.",
            report::int(switches)
        ),
        Some(_) => "This time no run without a lock lost an update — the threads did not overlap enough \
                    (try more threads or increments). The code is still wrong: nothing stops two threads from \
                    interleaving."
            .to_string(),
    };
    let shown = Report::new(verdict).table(
        "",
        &[
            "Variant",
            "Expected",
            "Actual (each run)",
            "Lost updates",
            "Time: median (min – max)",
            "Time blocked on the lock",
        ],
        rows,
    );
    // The lost-updates column in red where a run lost any, in green where none did.
    let shown = r
        .variants
        .iter()
        .enumerate()
        .fold(shown, |shown, (row, v)| {
            let tone = if v.trials_losing_updates > 0 {
                Tone::Bad
            } else {
                Tone::Good
            };
            shown.mark(row, 3, tone)
        });
    shown.note(format!(
            "{}, {} threads × {} increments. Times are measured by the clock from the first start() to the \
             last join().{}",
            r.interpreter_label,
            r.threads,
            report::int(r.increments),
            if under_gil {
                " Under the GIL only one thread runs Python code at a time, so the threads take about as long \
                 as one thread doing all the work."
            } else {
                ""
            }
        ))
}

pub const QUESTION: Question = Question::choices(
    "Without a lock, what total will the threads reach (threads × increments expected)?",
    &[
        choice("exact", "Exactly the expected total, in every run"),
        choice("less", "Less than expected, in at least one run"),
        choice("more", "More than expected"),
    ],
);

/// From the totals the unlocked variant reached.
fn answer(r: &CounterResult) -> Answer {
    let Some(u) = r.variants.iter().find(|v| v.variant == Variant::Unlocked) else {
        return Answer::cannot(
            "This run did not include the no-lock variant (set Variant to 0 or 1).",
        );
    };
    let totals: Vec<u64> = u.trials.iter().map(|t| t.actual).collect();
    let correct = if totals.iter().any(|t| *t > u.expected) {
        "more"
    } else if totals.iter().any(|t| *t < u.expected) {
        "less"
    } else {
        "exact"
    };
    let shown: Vec<String> = totals.iter().map(|t| report::int(*t)).collect();
    Answer::choice(
        correct,
        format!(
            "Expected {}; without a lock the runs reached {}.",
            report::int(u.expected),
            shown.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, TRACE_TEST_LOCK};
    use crate::protocol::{LaneState, RunRequest};
    use serde_json::json;

    fn run(params: Value) -> crate::protocol::RunOutcome {
        crate::lessons::run_for_test("counter", params)
    }

    #[test]
    fn the_lock_and_the_atomic_are_exact_and_the_race_never_gains() {
        let outcome = run(json!({"threads": 4, "increments": 200_000, "repeats": 2}));
        assert_eq!(outcome.error, None);
        let result = &outcome.values;
        for v in result["variants"].as_array().unwrap() {
            for trial in v["trials"].as_array().unwrap() {
                let actual = trial["actual"].as_u64().unwrap();
                match v["variant"].as_str().unwrap() {
                    // Lost updates can take the total below one thread's share (a stale write can undo
                    // many), but never above the expected total and never to zero.
                    "unlocked" => assert!(actual <= 800_000 && actual > 0, "{actual}"),
                    _ => assert_eq!(actual, 800_000, "{}", v["variant"]),
                }
            }
        }
    }

    #[test]
    fn every_thread_has_a_named_lane_that_starts_runs_and_finishes() {
        let outcome = run(json!({"threads": 3, "increments": 1000, "repeats": 1}));
        let threads: Vec<_> = outcome
            .lanes
            .iter()
            .filter(|l| l.name.starts_with("Thread-"))
            .collect();
        assert_eq!(threads.len(), 9, "3 threads × 3 variants");
        assert_eq!(threads[0].name, "Thread-1 (add_unlocked)");
        for lane in threads {
            let states: Vec<_> = outcome
                .events
                .iter()
                .filter(|e| e.lane == lane.id)
                .map(|e| e.state)
                .collect();
            assert_eq!(states.first(), Some(&LaneState::Starting), "{}", lane.name);
            assert!(states.contains(&LaneState::Running));
            assert_eq!(states.last(), Some(&LaneState::Finished), "{}", lane.name);
        }
        assert_eq!(outcome.output.len(), 3, "one line per run");
    }

    #[test]
    fn total_work_is_capped_with_a_notice() {
        let prepared = prepare(&RunRequest {
            lesson: "counter".into(),
            params: json!({"threads": 64, "increments": 10_000_000}),
        })
        .unwrap();
        assert_eq!(prepared.params.get("increments"), MAX_TOTAL_INCREMENTS / 64);
        assert_eq!(prepared.threads_needed, 65);
        assert_eq!(prepared.notices.len(), 1);
    }

    #[test]
    fn the_variant_parameter_runs_only_the_chosen_variant() {
        let outcome = run(json!({"threads": 2, "increments": 1000, "repeats": 2, "variant": 2}));
        assert_eq!(outcome.error, None);
        let variants = outcome.values["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 1);
        assert_eq!(variants[0]["variant"], "locked");
        assert_eq!(variants[0]["trials"].as_array().unwrap().len(), 2);
        let names: Vec<_> = outcome.lanes.iter().map(|l| l.name.as_str()).collect();
        assert!(
            names.iter().all(|n| !n.contains("add_unlocked")),
            "{names:?}"
        );
        assert_eq!(Variant::selected(0).len(), 3);
        assert_eq!(Variant::selected(1), vec![Variant::Unlocked]);
        assert_eq!(Variant::selected(3), vec![Variant::Atomic]);
    }

    /// The lock must really exclude: with the lock taken, the counter is exact under heavy contention.
    #[test]
    fn the_locked_variant_is_exact_under_contention() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        crate::engine::trace::reset();
        let mut n = 0;
        let trial = run_variant(
            Interpreter::FreeThreaded,
            Variant::Locked,
            8,
            50_000,
            "t",
            &mut n,
        );
        assert_eq!(trial.actual, 400_000);
        assert_eq!(trial.lost, 0);
    }

    /// Under the GIL a switch only happens at the loop's backward jump, after the write: the unlocked
    /// loop loses nothing, even though the threads really take turns many times.
    #[test]
    fn under_the_gil_the_unlocked_loop_loses_nothing_but_the_threads_switch() {
        let outcome = run(json!({"threads": 3, "increments": 300_000, "repeats": 2,
            "python": gil::WITH_GIL, "switch_interval_ms": 1}));
        assert_eq!(outcome.error, None);
        let unlocked = &outcome.values["variants"][0];
        assert_eq!(unlocked["variant"], "unlocked");
        for trial in unlocked["trials"].as_array().unwrap() {
            assert_eq!(trial["lost"], 0, "{trial}");
        }
        let switches: u64 = outcome.values["variants"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|v| v["trials"].as_array().unwrap())
            .map(|t| t["gil"]["switches"].as_u64().unwrap())
            .sum();
        assert!(switches >= 9, "the GIL changed hands only {switches} times");
        assert_eq!(outcome.values["interpreter"]["build"], "gil");
    }

    fn result_with(variants: Vec<(Variant, Vec<u64>)>) -> CounterResult {
        let trial = |actual: u64| Trial {
            actual,
            lost: 100u64.saturating_sub(actual),
            ms: 1.0,
            lock_wait_ms: 0.0,
            contended_acquisitions: 0,
            gil: GilStats::default(),
        };
        CounterResult {
            interpreter: Interpreter::FreeThreaded,
            interpreter_label: Interpreter::FreeThreaded.label(),
            threads: 2,
            increments: 50,
            expected: 100,
            variants: variants
                .into_iter()
                .map(|(variant, totals)| {
                    let trials: Vec<Trial> = totals.into_iter().map(trial).collect();
                    VariantResult {
                        variant,
                        label: variant.label(),
                        expected: 100,
                        trials_losing_updates: trials.iter().filter(|t| t.lost > 0).count(),
                        trials,
                        median_ms: 1.0,
                        min_ms: 1.0,
                        max_ms: 1.0,
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn the_question_is_judged_from_the_unlocked_totals() {
        let lost = answer(&result_with(vec![(Variant::Unlocked, vec![100, 73])]));
        assert_eq!(
            lost,
            Answer::choice(
                "less",
                "Expected 100; without a lock the runs reached 100, 73."
            )
        );
        let exact = answer(&result_with(vec![
            (Variant::Unlocked, vec![100, 100]),
            (Variant::Locked, vec![100]),
        ]));
        assert_eq!(exact.ids(), vec!["exact"]);
        let none = answer(&result_with(vec![(Variant::Locked, vec![100])]));
        assert_eq!(none.correct, None);
        assert!(
            none.measured.contains("Variant to 0 or 1"),
            "{}",
            none.measured
        );
        for id in [lost.ids(), exact.ids()].concat() {
            assert!(QUESTION.has_choice(id), "{id}");
        }
    }

    #[test]
    fn a_run_carries_its_answer() {
        let outcome = run(json!({"threads": 2, "increments": 1000, "repeats": 1}));
        let answer = &outcome.values["answer"];
        let id = answer["correct"].as_str().expect("a choice id");
        assert!(QUESTION.has_choice(id), "{answer}");
        assert!(
            answer["measured"]
                .as_str()
                .unwrap()
                .starts_with("Expected 2,000;"),
            "{answer}"
        );
    }

    #[test]
    fn the_report_says_how_many_runs_lost_updates_and_which_were_exact() {
        let r = result_with(vec![
            (Variant::Unlocked, vec![100, 73]),
            (Variant::Atomic, vec![100, 100]),
        ]);
        let rep = report_of(&r);
        assert_eq!(
            rep.verdict,
            "free-threaded (3.13t): without a lock, 1 of 2 runs lost updates (up to 27 of 100). atomic add: 2 of 2 runs exact."
        );
        let first: Vec<&str> = rep.tables[0]
            .rows
            .iter()
            .map(|row| row[0].as_str())
            .collect();
        assert_eq!(first, ["no lock", "atomic add"]);
        assert_eq!(rep.tables[0].rows[0][2], "100, 73");
        let none_lost = report_of(&result_with(vec![(Variant::Unlocked, vec![100])]));
        assert!(none_lost
            .verdict
            .starts_with("This time no run without a lock lost an update"));
    }
}
