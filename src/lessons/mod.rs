//! The lessons: one module each (a file, or a folder split into run and report for the larger ones),
//! behind the small [`Lesson`] trait, registered in [`CATALOGUE`].
//!
//! A thread lesson is a blocking program that runs as the Python program's main thread
//! ([`run_thread_lesson`]). A process lesson is a parent program driven by its children's messages
//! ([`ProcessRun`]) plus the child programs each process runs in its own memory.

pub mod claims;
pub mod common;
pub mod compare;
pub mod counter;
pub mod db_queries;
pub mod deadlock;
pub mod debug;
pub mod downloads;
pub mod frames;
pub mod gil;
pub mod how_many_threads;
pub mod join_timeout;
pub mod logging;
pub mod primitives;
pub mod process_counter;
pub mod process_join;
pub mod producer_consumer;
pub mod question;
pub mod queue_pipe;
pub mod report;
pub mod scraping;
pub mod thread_join;
pub mod thread_pool;
pub mod why_concurrency;

mod process_run;
pub use process_run::ProcessRun;

use serde_json::Value;

use crate::clock::now_ms;
use crate::engine::pool::current_worker;
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::trace;
use crate::params::{validate, Params};
use crate::protocol::{
    Attachment, EngineKind, LaneKind, LaneState, LessonInfo, PreparedRun, RunOutcome, RunRequest,
    SpawnCommand,
};

/// What a thread lesson's program returns: its values (the report, the question's answer, the
/// measurements) and its attachments for the page.
pub struct Ran {
    pub values: Value,
    pub attachments: Vec<Attachment>,
}

/// Values without attachments: what every lesson but the frames lab returns.
impl From<Value> for Ran {
    fn from(values: Value) -> Self {
        Ran {
            values,
            attachments: Vec::new(),
        }
    }
}

pub trait Lesson: Sync {
    fn info(&self) -> LessonInfo;

    /// Limits that involve several parameters (total work), applied after each is validated.
    fn limit(&self, _params: &mut Params, _notices: &mut Vec<String>) {}

    /// How many threads run at once, the main thread included.
    fn threads_needed(&self, _params: &Params) -> usize {
        1
    }

    /// Bytes of memory the run allocates beyond the engine's own (large buffers, frames), so a request
    /// that cannot fit is refused up front ([`crate::engine::limits`]).
    fn memory_bytes(&self, _params: &Params) -> u64 {
        0
    }

    /// How the lesson's Python view is run in the interpreter and what its output must show
    /// (`python/tests/lesson_programs.rs`).
    fn python_check(&self) -> claims::PythonCheck;

    /// A thread lesson's program, run as the main thread. Returns the lesson's values. (A lesson with
    /// attachments implements [`Lesson::run_main_thread_attached`] instead.)
    fn run_main_thread(&self, _params: &Params) -> Result<Value, String> {
        Err("this lesson runs processes, not threads".into())
    }

    /// The program with what it leaves for the page besides its values ([`Attachment`]s, binary data
    /// such as the frames lab's clips). Lessons with attachments override this; the others attach none.
    fn run_main_thread_attached(&self, params: &Params) -> Result<Ran, String> {
        self.run_main_thread(params).map(Ran::from)
    }

    /// A process lesson's parent program.
    fn parent(&self, _params: &Params) -> Option<Box<dyn ParentProgram>> {
        None
    }

    /// A process lesson's child program `entry`; returns the exit code.
    fn child(&self, entry: &str, _args: &Value, _ctx: &mut ChildContext) -> i32 {
        trace::print(format!("no child program named {entry:?}"));
        2
    }
}

/// Every lesson, in the curriculum's order (the UI groups them; the first one opens by default).
pub static CATALOGUE: &[&dyn Lesson] = &[
    &thread_join::ThreadsJoin,
    &thread_join::ThreadSubclass,
    &process_join::ProcessesJoin,
    &join_timeout::JoinTimeout,
    &counter::SharedCounter,
    &process_counter::ProcessCounter,
    &downloads::Downloads,
    &scraping::Scraping,
    &db_queries::DbQueries,
    &frames::FramesLab,
    &gil::Gil,
    &how_many_threads::HowManyThreads,
    &deadlock::DeadlockLesson,
    &thread_pool::ThreadPool,
    &logging::Logging,
    &queue_pipe::QueuePipe,
    &producer_consumer::ProducerConsumer,
    &primitives::Primitives,
    &why_concurrency::WhyConcurrency,
    &compare::Compare,
];

pub fn catalogue() -> Vec<LessonInfo> {
    CATALOGUE.iter().map(|l| l.info()).collect()
}

/// Lessons that are not listed: fault injection for the robustness tests (an endless loop, panics,
/// memory exhaustion). They run through the programmatic entry point only.
pub static HIDDEN: &[&dyn Lesson] = &[&debug::DebugThreads, &debug::DebugProcesses];

pub fn find(id: &str) -> Option<&'static dyn Lesson> {
    CATALOGUE
        .iter()
        .chain(HIDDEN)
        .copied()
        .find(|l| l.info().id == id)
}

/// The id of learner code ("Your code"). The Python runtime runs it, not this catalogue, but its
/// parameters are checked here like every lesson's.
pub const CODE: &str = "code";

/// The parameters of learner code: which Python build runs it (the lessons' own toggle).
pub fn code_params() -> Vec<crate::params::ParamSpec> {
    vec![
        crate::engine::gil::PYTHON_BUILD,
        crate::engine::gil::SWITCH_INTERVAL,
    ]
}

/// Validates a request: the lesson must exist; parameters are clamped with notices.
///
/// # Errors
/// An unknown lesson id, with the list of known ones.
pub fn prepare(request: &RunRequest) -> Result<PreparedRun, String> {
    register_native_children();
    if request.lesson == CODE {
        let (params, notices) = validate(&code_params(), &request.params);
        return Ok(PreparedRun {
            lesson: CODE.into(),
            engine: EngineKind::Threads,
            params,
            notices,
            threads_needed: 1,
        });
    }
    let lesson = find(&request.lesson).ok_or_else(|| {
        let known: Vec<&str> = CATALOGUE.iter().map(|l| l.info().id).collect();
        let shown: String = request
            .lesson
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
        format!(
            "There is no lesson \"{shown}\". Lessons: {}.",
            known.join(", ")
        )
    })?;
    let info = lesson.info();
    let (mut params, mut notices) = validate(&info.params, &request.params);
    lesson.limit(&mut params, &mut notices);
    let threads_needed = lesson.threads_needed(&params);
    let threads_in_memory = if info.engine == EngineKind::Threads {
        threads_needed
    } else {
        0
    };
    crate::engine::limits::check(threads_in_memory, lesson.memory_bytes(&params))?;
    Ok(PreparedRun {
        lesson: info.id.to_string(),
        engine: info.engine,
        threads_needed,
        params,
        notices,
    })
}

/// A run's outcome: its values and attachments (or its error), with the log as it stands now.
pub fn outcome(prepared: &PreparedRun, result: Result<Ran, String>, started_at: f64) -> RunOutcome {
    let (lanes, events, output, dropped_events) = trace::snapshot();
    let (values, attachments, error) = match result {
        Ok(ran) => (ran.values, ran.attachments, None),
        Err(e) => (Value::Null, Vec::new(), Some(e)),
    };
    RunOutcome {
        lesson: prepared.lesson.clone(),
        params: prepared.params.clone(),
        notices: prepared.notices.clone(),
        error,
        values,
        lanes,
        events,
        output,
        dropped_events,
        started_at,
        finished_at: now_ms(),
        exceptions: crate::engine::fault::exceptions(),
        stopped: None,
        attachments,
    }
}

/// Runs a thread lesson with the calling thread as its main thread. Needs `prepared.threads_needed - 1`
/// idle pool workers (natively the pool grows by itself). The caller starts a fresh log first
/// ([`trace::reset`]), before anyone may poll it.
pub fn run_thread_lesson(prepared: &PreparedRun) -> RunOutcome {
    crate::engine::fault::install();
    crate::engine::fault::set_name("MainThread");
    let main = trace::new_lane("MainThread", LaneKind::Main, "");
    trace::set_current_lane(main);
    trace::set_worker(main, current_worker());
    let started_at = now_ms();
    trace::enter(LaneState::Running);
    let result = match find(&prepared.lesson) {
        Some(lesson) if prepared.engine == EngineKind::Threads => {
            lesson.run_main_thread_attached(&prepared.params)
        }
        _ => Err(format!("{} is not a thread lesson", prepared.lesson)),
    };
    trace::enter(LaneState::Finished);
    outcome(prepared, result, started_at)
}

/// Runs child program `entry` of `lesson` in this process (the calling instance is the child).
/// Natively, tells the engine which program its child processes run (see `engine::bridge::ChildMain`).
/// Called by [`prepare`], which every run goes through.
pub fn register_native_children() {
    #[cfg(not(target_arch = "wasm32"))]
    crate::engine::bridge::set_child_main(run_child);
}

pub fn run_child(spawn: &SpawnCommand, send: &mut dyn FnMut(String)) -> i32 {
    crate::engine::fault::set_name(spawn.name.clone());
    trace::set_current_lane(spawn.lane);
    trace::enter(LaneState::Running);
    let code = match find(&spawn.lesson) {
        Some(lesson) => {
            let mut ctx = ChildContext {
                pid: spawn.pid,
                name: spawn.name.clone(),
                send,
            };
            lesson.child(&spawn.entry, &spawn.args, &mut ctx)
        }
        None => 2,
    };
    trace::enter(LaneState::Finished);
    code
}

/// Tests that read the global trace log take this first (its home is the trace; lesson tests name it here).
#[cfg(test)]
pub(crate) use crate::engine::trace::TRACE_TEST_LOCK;

/// Runs thread lesson `lesson` with `params` as the runtime would, serialized with other tests that read
/// the global log.
#[cfg(test)]
pub(crate) fn run_for_test(lesson: &str, params: Value) -> RunOutcome {
    let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let prepared = prepare(&RunRequest {
        lesson: lesson.into(),
        params,
    })
    .expect("the lesson exists");
    trace::reset();
    crate::engine::fault::reset();
    crate::engine::cancel::reset();
    crate::engine::deadlock::reset();
    crate::engine::bridge::reset();
    run_thread_lesson(&prepared)
}

/// Median, min and max of a set of timings.
pub fn spread(samples: &[f64]) -> (f64, f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    (median, s[0], s[n - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_lessons_are_refused_with_the_list() {
        let err = prepare(&RunRequest {
            lesson: "nope".into(),
            params: json!({}),
        })
        .unwrap_err();
        assert!(err.contains("counter"), "{err}");
    }

    #[test]
    fn spread_gives_median_min_max() {
        assert_eq!(spread(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(spread(&[4.0, 1.0, 2.0, 3.0]), (2.5, 1.0, 4.0));
    }

    #[test]
    fn every_lesson_has_a_python_view_naming_each_parameter() {
        for info in catalogue() {
            assert!(!info.python.is_empty(), "{}", info.id);
            for p in &info.params {
                assert!(
                    info.python.contains(&format!("{{{}}}", p.name)),
                    "{}: python view lacks {{{}}}",
                    info.id,
                    p.name
                );
            }
        }
    }

    #[test]
    fn every_listed_lesson_asks_a_question_with_distinct_choices_or_a_number() {
        for info in catalogue() {
            let q = info
                .question
                .unwrap_or_else(|| panic!("{} has no question", info.id));
            assert!(q.prompt.len() > 10, "{}", info.id);
            match (q.choices, q.number) {
                (Some(choices), None) => {
                    assert!(choices.len() >= 2, "{}", info.id);
                    let mut ids: Vec<&str> = choices.iter().map(|c| c.id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    assert_eq!(
                        ids.len(),
                        choices.len(),
                        "{}: duplicate choice ids",
                        info.id
                    );
                }
                (None, Some(n)) => assert!(n.min < n.max, "{}", info.id),
                _ => panic!("{}: a question has choices or a number input", info.id),
            }
        }
    }
}
