//! The run an instance is running, from its request to its outcome: the one owner of a run's lifecycle.
//!
//! An instance runs one lesson at a time. [`prepare`] validates a request and keeps it as the run to
//! start; the caller then starts the thread workers it needs and calls [`start`], which starts the kept
//! run (so a validated run never leaves Rust to come back as untrusted input). While it runs, [`poll`]
//! hands out new lanes, events and output, and finally the outcome; [`stop`] asks it to end early, and the
//! children of a process lesson report through [`process_message`] and [`process_exit`].
//!
//! The browser's runtime worker calls these through `web/runtime.rs`; natively `cargo test` drives the
//! same functions on OS threads (the tests at the end of this file).

use std::sync::Mutex;

use crate::engine::pool::POOL;
use crate::engine::process::Delivery;
use crate::engine::{bridge, cancel, deadlock, fault, lock, trace};
use crate::lessons::{self, ProcessRun};
use crate::protocol::{EngineKind, PreparedRun, RunOutcome, RunProgress, RunRequest, SpawnCommand};

enum CurrentRun {
    /// The main thread's job is running; its outcome lands here.
    Threads {
        prepared: PreparedRun,
        started_at: f64,
        outcome: Option<RunOutcome>,
    },
    Processes(ProcessRun),
    /// Stopped before its program was done: the outcome to hand out at the next poll.
    Stopped(RunOutcome),
}

/// The run [`prepare`] validated, waiting for [`start`].
static PREPARED: Mutex<Option<PreparedRun>> = Mutex::new(None);
static CURRENT: Mutex<Option<CurrentRun>> = Mutex::new(None);
/// Why the current run was asked to stop (the Stop button, the time limit), if it was.
static STOP_REASON: Mutex<Option<String>> = Mutex::new(None);
/// The exception that ended the current run's main thread, if one did.
static MAIN_RAISED: Mutex<Option<String>> = Mutex::new(None);

const BUSY: &str = "another run is still in progress";

/// Validates a request (the lesson exists, its parameters clamped with notices) and keeps it as the run
/// [`start`] starts. Returns it, for the page to show and for the caller to start `threads_needed`
/// thread workers.
///
/// # Errors
/// An unknown lesson, a run that cannot fit in memory, or another run still in progress.
pub fn prepare(request: &RunRequest) -> Result<PreparedRun, String> {
    if lock(&CURRENT).is_some() {
        return Err(BUSY.into());
    }
    let prepared = lessons::prepare(request)?;
    *lock(&PREPARED) = Some(prepared.clone());
    Ok(prepared)
}

/// Starts the prepared run. A thread lesson's main thread becomes a job on the pool (which must have
/// `threads_needed` workers: in the browser the runtime starts them first, natively they are started
/// here). A process lesson's parent program starts here; the children it starts are returned for the
/// caller to run, each in its own instance.
///
/// # Errors
/// No run prepared, too few thread workers, or another run still in progress.
pub fn start() -> Result<Vec<SpawnCommand>, String> {
    if lock(&CURRENT).is_some() {
        return Err(BUSY.into());
    }
    let prepared = lock(&PREPARED)
        .take()
        .ok_or("no run was prepared to start")?;
    match prepared.engine {
        EngineKind::Threads => start_threads(prepared).map(|()| Vec::new()),
        EngineKind::Processes => start_processes(prepared),
    }
}

fn new_run() {
    cancel::reset();
    *lock(&STOP_REASON) = None;
    *lock(&MAIN_RAISED) = None;
}

fn begin(run: CurrentRun) -> Result<(), String> {
    let mut current = lock(&CURRENT);
    if current.is_some() {
        return Err(BUSY.into());
    }
    *current = Some(run);
    Ok(())
}

fn start_threads(prepared: PreparedRun) -> Result<(), String> {
    #[cfg(not(target_arch = "wasm32"))]
    crate::engine::pool::ensure_native_workers(prepared.threads_needed);
    if POOL.workers() < prepared.threads_needed {
        return Err(format!(
            "the run needs {} thread workers and {} have started",
            prepared.threads_needed,
            POOL.workers()
        ));
    }
    new_run();
    trace::reset();
    crate::engine::fault::reset();
    bridge::reset();
    deadlock::reset();
    let started_at = crate::clock::now_ms();
    begin(CurrentRun::Threads {
        prepared: prepared.clone(),
        started_at,
        outcome: None,
    })?;
    POOL.submit(Box::new(move || {
        // A panic on the main thread ends the run with its exception; the other threads are stopped.
        fault::arm(|message| {
            if let Ok(mut raised) = MAIN_RAISED.try_lock() {
                *raised = Some(message.to_string());
            }
            cancel::request("the main thread raised an exception");
            bridge::wake();
        });
        let outcome = lessons::run_thread_lesson(&prepared);
        fault::disarm();
        if let Some(CurrentRun::Threads { outcome: slot, .. }) = lock(&CURRENT).as_mut() {
            *slot = Some(outcome);
        }
        bridge::wake();
    }));
    Ok(())
}

fn start_processes(prepared: PreparedRun) -> Result<Vec<SpawnCommand>, String> {
    new_run();
    // `ProcessRun::start` resets the log: no run is writing to it (checked by `start`).
    let (run, spawns) = ProcessRun::start(prepared)?;
    begin(CurrentRun::Processes(run))?;
    Ok(spawns)
}

/// Asks the current run to stop (`reason` becomes its error). Thread lessons stop cooperatively: every
/// wait returns, the threads fall through to their end, and the outcome arrives at a later poll. A process
/// lesson's parent program is abandoned at once (the caller terminates its children). Returns whether a
/// run was going on.
pub fn stop(reason: &str) -> bool {
    let mut current = lock(&CURRENT);
    let Some(run) = current.as_mut() else {
        return false;
    };
    lock(&STOP_REASON).get_or_insert_with(|| reason.to_string());
    // In the output, where the stop came (printed first, so it precedes what the stop sets off): the lines
    // after it are the threads falling through to their end.
    trace::print(format!(
        "■ {reason} From here on every wait returns at once and each thread runs to its end."
    ));
    cancel::request(reason);
    if let CurrentRun::Processes(process_run) = run {
        if let Some(outcome) = process_run.abandon(reason) {
            *run = CurrentRun::Stopped(outcome);
        }
    }
    true
}

/// Asks threads still running after a run's outcome (never joined, or stuck) to stop; returns how many
/// pool jobs are still outstanding.
pub fn stop_leftovers() -> usize {
    if POOL.outstanding() > 0 {
        cancel::request("the program has ended");
    }
    POOL.outstanding()
}

/// The process lesson's run, when one is running. A child's message or exit goes to its parent program;
/// otherwise the child was started by a thread lesson and goes through the bridge to the blocked thread.
fn with_parent(f: impl FnOnce(&mut ProcessRun) -> Vec<SpawnCommand>) -> Option<Vec<SpawnCommand>> {
    match lock(&CURRENT).as_mut() {
        Some(CurrentRun::Processes(run)) => Some(f(run)),
        _ => None,
    }
}

/// Child `pid` put `payload` on the queue at `sent_at`. Returns children the parent starts in response.
pub fn process_message(pid: u32, payload: String, sent_at: f64) -> Vec<SpawnCommand> {
    let received_at = crate::clock::now_ms();
    let mut payload = Some(payload);
    let spawns = with_parent(|run| {
        run.deliver(Delivery {
            from: pid,
            payload: payload.take().unwrap_or_default(),
            sent_at,
            received_at,
        })
    });
    if let Some(payload) = payload {
        bridge::deliver(pid, payload, sent_at);
    }
    spawns.unwrap_or_default()
}

/// Child `pid` exited with `code` at `at`. Returns children the parent starts in response.
pub fn process_exit(pid: u32, code: i32, at: f64) -> Vec<SpawnCommand> {
    let spawns = with_parent(|run| run.exited(pid, code, at));
    if spawns.is_none() {
        bridge::exited(pid, code, at);
    }
    spawns.unwrap_or_default()
}

/// New lanes and output since the last poll, and the outcome when the run has finished (after which
/// there is no current run).
pub fn poll() -> RunProgress {
    let mut current = lock(&CURRENT);
    let mut outcome = match current.as_mut() {
        Some(CurrentRun::Threads {
            prepared,
            started_at,
            outcome,
        }) => outcome.take().or_else(|| {
            let raised = lock(&MAIN_RAISED).take()?;
            Some(lessons::outcome(
                prepared,
                Err(format!("Exception in thread MainThread: {raised}")),
                *started_at,
            ))
        }),
        Some(CurrentRun::Processes(run)) => run.finish(),
        Some(CurrentRun::Stopped(outcome)) => Some(outcome.clone()),
        None => None,
    };
    if outcome.is_some() {
        *current = None;
    }
    drop(current);
    if let (Some(outcome), Some(reason)) = (outcome.as_mut(), lock(&STOP_REASON).clone()) {
        // Values computed from waits the stop cut short would mislead: only the reason is kept.
        if outcome.stopped.is_none() {
            outcome.values = serde_json::Value::Null;
            outcome.attachments.clear();
            outcome.error = Some(reason.clone());
            outcome.stopped = Some(reason);
        }
    }
    let (lanes, events, output) = trace::take_progress();
    RunProgress {
        lanes,
        events,
        output,
        outcome,
    }
}

#[cfg(test)]
mod tests;
