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

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

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
