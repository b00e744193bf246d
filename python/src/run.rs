//! One run of a learner's program, start to end, on the calling thread (which becomes `MainThread`):
//! a fresh interpreter, the prelude, the program as `__main__`, then what CPython does at exit (wait for
//! the non-daemon threads). Platform-neutral: native tests call [`run`] on an OS thread; in the browser
//! the runtime calls it on a thread worker.

use playground::clock::now_ms;
use playground::engine::deadlock::Deadlock;
use playground::engine::gil::{self, GilStats, Interpreter};
use playground::engine::{cancel, pool, trace};
use playground::protocol::{Event, Lane, LaneKind, LaneState, Message, OutputLine};
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::compiler::Mode;
use rustpython_vm::{AsObject, PyResult, VirtualMachine};
use serde::{Deserialize, Serialize};

use crate::interpreter::{self, MAIN_FILE};
use crate::{check, stdio, stop};
use playground::challenges::judge::RunVerdict;
use playground::challenges::Check;

/// The longest program accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 200_000;

/// An exception that ended the program, as the page shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct PythonException {
    /// `ZeroDivisionError`.
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    /// The whole traceback, as CPython prints it.
    pub traceback: String,
    /// The line of the learner's file the traceback ends in (or the syntax error's line).
    pub line: Option<u32>,
}

/// Everything a run produced.
#[derive(Serialize, Clone, Debug, ts_rs::TS)]
pub struct PythonOutcome {
    /// 0, or 1 after an uncaught exception, or what `sys.exit()` was given.
    pub exit_code: i32,
    pub exception: Option<PythonException>,
    pub started_at: f64,
    pub finished_at: f64,
    /// From the program's first line to its end (threads joined at exit included).
    pub duration_ms: f64,
    /// What preparing its interpreter took, before the program started: building it, the prelude and
    /// the [`PRELOADED`] imports.
    pub prepare_ms: f64,
    /// Why the run was stopped (Stop, the time limit, a deadlock), if it was.
    pub stopped: Option<String>,
    pub deadlock: Option<Deadlock>,
    /// Lines printed after the output was full (they are counted, not kept).
    pub dropped_output_lines: u64,
    /// The Python build the run emulated: CPython with its GIL, or free-threaded.
    pub python_build: Interpreter,
    /// What the GIL did (all zero free-threaded).
    pub gil: GilStats,
    /// Threads still running when the program ended (daemon threads, or ones stuck in a loop).
    pub threads_left: usize,
    pub lanes: Vec<Lane>,
    pub events: Vec<Event>,
    pub output: Vec<OutputLine>,
    pub dropped_events: u64,
    /// What crossed between the program's processes (queue items, pipe messages), in the order received.
    pub messages: Vec<Message>,
    /// Messages beyond [`trace::MAX_MESSAGES`]: counted, not kept.
    pub dropped_messages: u64,
    /// A challenge's verdict on this run, when it was run to be checked ([`run_checked`]).
    pub check: Option<RunVerdict>,
}

/// Clears what a previous run left (the log, the stop flag, idents). Call before [`run`], on the thread
/// that will run it, before the run can be stopped.
///
/// The deadlock detector's graph is not cleared: a prepared interpreter's locks are already registered
/// in it (each lock leaves it when dropped), and their ids must stay unique.
pub fn reset() {
    cancel::reset();
    trace::reset();
    playground::engine::fault::reset();
    crate::threads::reset();
    stdio::reset();
    stop::reset();
}

/// Modules imported while an interpreter is prepared, before the program is known: what nearly every
/// threading tutorial imports. Importing them takes RustPython a few hundred milliseconds in the browser;
/// done ahead, a program's own time is its own (`PythonOutcome::prepare_ms` says what preparing cost).
pub const PRELOADED: &str = "import threading, time, queue, logging, random, concurrent.futures";

/// A fresh interpreter, its prelude run and [`PRELOADED`] imported, waiting for a program. It must be run
/// on the thread that prepared it.
pub struct Prepared {
    pub(crate) interp: rustpython_vm::Interpreter,
    pub(crate) prelude: Result<rustpython_vm::PyObjectRef, String>,
    pub(crate) prepare_ms: f64,
}

/// Builds a [`Prepared`] interpreter on the calling thread.
pub fn prepare() -> Prepared {
    let t0 = now_ms();
    let interp = interpreter::build();
    let prelude = interp.enter(|vm| {
        let loaded = load_prelude(vm).and_then(|prelude| {
            vm.run_string(
                vm.new_scope_with_builtins(),
                PRELOADED,
                "<playground preload>",
            )?;
            Ok(prelude)
        });
        loaded.map_err(|exc| {
            let mut text = String::new();
            let _ = vm.write_exception(&mut text, &exc);
            text
        })
    });
    Prepared {
        interp,
        prelude,
        prepare_ms: now_ms() - t0,
    }
}

/// Runs `source` as `__main__` to the end in a fresh interpreter of kind `build`; the calling thread is
/// the program's main thread.
pub fn run(source: &str, build: Interpreter) -> PythonOutcome {
    run_prepared(prepare(), source, build)
}

/// Runs `source` as `__main__` in `prepared` (made on this thread) as `build` does; call [`reset`] first.
pub fn run_prepared(prepared: Prepared, source: &str, build: Interpreter) -> PythonOutcome {
    run_prepared_checked(prepared, source, build, None)
}

/// [`run`] judged against a challenge's `check`: its invariant runs after the program's last line, in
/// the program's namespace, and [`PythonOutcome::check`] holds the verdict.
pub fn run_checked(source: &str, build: Interpreter, check: &Check) -> PythonOutcome {
    run_prepared_checked(prepare(), source, build, Some(check))
}

/// [`run_prepared`], judged against `check` when one is given.
pub fn run_prepared_checked(
    prepared: Prepared,
    source: &str,
    build: Interpreter,
    check: Option<&Check>,
) -> PythonOutcome {
    crate::threads::become_main();
    crate::mp::start_run(source);
    let started_at = now_ms();
    let main_lane = trace::new_lane("MainThread", LaneKind::Main, "python");
    trace::set_current_lane(main_lane);
    trace::set_worker(main_lane, pool::current_worker());
    trace::enter_at(main_lane, LaneState::Running, started_at);
    let invariant = check.and_then(|c| c.invariant.as_deref());
    let mut invariant_result = None;
    let ((exit_code, exception), gil_stats) = if source.len() > MAX_SOURCE_BYTES {
        let message = format!(
            "the program is {} bytes long; the playground runs programs of up to {} bytes",
            source.len(),
            MAX_SOURCE_BYTES
        );
        stdio::write(2, &format!("ValueError: {message}\n"));
        let exception = PythonException {
            type_name: "ValueError".into(),
            message,
            traceback: String::new(),
            line: None,
        };
        ((1, Some(exception)), GilStats::default())
    } else {
        let Prepared {
            interp, prelude, ..
        } = &prepared;
        let invariant_result = &mut invariant_result;
        gil::run_with(build, || {
            interp.enter(|vm| run_in(vm, source, prelude, invariant, invariant_result))
        })
    };
    stdio::flush_thread();
    // The run's pools are gone with it (solo mode's result pumps hold them).
    crate::solo::pump::clear();
    let finished_at = now_ms();
    trace::enter_at(main_lane, LaneState::Finished, finished_at);
    let stopped = cancel::reason();
    let threads_left = crate::threads::alive();
    let (lanes, events, output, dropped_events) = trace::snapshot();
    let (messages, dropped_messages) = trace::messages();
    let mut outcome = PythonOutcome {
        exit_code: if stopped.is_some() && exit_code == 0 {
            1
        } else {
            exit_code
        },
        exception,
        started_at,
        finished_at,
        duration_ms: finished_at - started_at,
        prepare_ms: prepared.prepare_ms,
        deadlock: stop::take_deadlock(),
        stopped,
        dropped_output_lines: stdio::dropped_lines(),
        python_build: build,
        gil: gil_stats,
        threads_left,
        lanes,
        events,
        output,
        dropped_events,
        messages,
        dropped_messages,
        check: None,
    };
    if let Some(check) = check {
        outcome.check = Some(check::verdict(check, &outcome, invariant_result));
    }
    outcome
}

/// Runs the program, then `invariant` (a check's, in the program's namespace, after its last line and
/// before exit's joins), whose result and time go to `invariant_result`.
fn run_in(
    vm: &VirtualMachine,
    source: &str,
    prelude: &Result<rustpython_vm::PyObjectRef, String>,
    invariant: Option<&str>,
    invariant_result: &mut Option<check::InvariantResult>,
) -> (i32, Option<PythonException>) {
    let prelude = match prelude {
        Ok(module) => module,
        Err(text) => {
            stdio::write(
                2,
                &format!("the playground's Python failed to start:\n{text}\n"),
            );
            return (1, None);
        }
    };
    // In solo mode the switch points are also where a computing program reports its progress.
    let switch_points = || -> PyResult<()> {
        if gil::enabled() || crate::solo::is_solo() {
            prelude.get_attr("use_gil", vm)?.call((), vm)?;
        }
        Ok(())
    };
    let result = switch_points()
        .and_then(|()| run_main(vm, source, prelude))
        .and_then(|scope| {
            if let Some(code) = invariant.filter(|_| !cancel::is_cancelled()) {
                *invariant_result = Some(check::run_invariant(vm, &scope, code));
            }
            shutdown(vm)
        });
    match result {
        Ok(()) => (0, None),
        Err(exc) => exception_outcome(vm, &exc, &prelude),
    }
}

fn load_prelude(vm: &VirtualMachine) -> PyResult<rustpython_vm::PyObjectRef> {
    let scope = vm.new_scope_with_builtins();
    let code = vm
        .compile(interpreter::PRELUDE, Mode::Exec, "<playground prelude>")
        .map_err(|e| e.into_pyexception(vm, Some(interpreter::PRELUDE)))?;
    vm.run_code_obj(code, scope.clone())?;
    let module = vm.new_module("_playground_prelude", scope.globals.clone(), None);
    Ok(module.into())
}

/// Runs `source` as `__main__`; the module's namespace, for a check's invariant.
fn run_main(
    vm: &VirtualMachine,
    source: &str,
    prelude: &rustpython_vm::PyObjectRef,
) -> PyResult<rustpython_vm::scope::Scope> {
    let scope = vm.new_scope_with_main()?;
    let loader = prelude
        .get_attr("SourceLoader", vm)?
        .call((vm.ctx.new_str(source),), vm)?;
    scope
        .globals
        .set_item("__file__", vm.ctx.new_str(MAIN_FILE).into(), vm)?;
    scope.globals.set_item("__loader__", loader, vm)?;
    let code = vm
        .compile(source, Mode::Exec, MAIN_FILE)
        .map_err(|e| e.into_pyexception(vm, Some(source)))?;
    vm.run_code_obj(code, scope.clone())?;
    Ok(scope)
}

/// What CPython does when the main module is done: `threading._shutdown()` waits for non-daemon threads.
fn shutdown(vm: &VirtualMachine) -> PyResult<()> {
    let modules = vm.sys_module.get_attr("modules", vm)?;
    if let Ok(threading) = modules.get_item("threading", vm) {
        threading.get_attr("_shutdown", vm)?.call((), vm)?;
    }
    // Then multiprocessing's exit function: daemonic children are terminated, the others joined.
    if let Ok(mp) = modules.get_item("multiprocessing", vm) {
        if let Ok(exit) = mp.get_attr("_exit_function", vm) {
            exit.call((), vm)?;
        }
    }
    Ok(())
}

fn exception_outcome(
    vm: &VirtualMachine,
    exc: &PyBaseExceptionRef,
    prelude: &rustpython_vm::PyObjectRef,
) -> (i32, Option<PythonException>) {
    if exc.fast_isinstance(vm.ctx.exceptions.system_exit) {
        return (system_exit_code(vm, exc), None);
    }
    if stop::is_stop(exc, vm) {
        return (1, None);
    }
    let reported = prelude
        .get_attr("report", vm)
        .and_then(|f| f.call((exc.clone(), vm.ctx.new_str(MAIN_FILE)), vm))
        .and_then(|r| {
            let item = |i: usize| r.get_item(&i, vm);
            let text = |i: usize| -> PyResult<String> { Ok(item(i)?.str(vm)?.to_string()) };
            let line = item(3)?;
            Ok(PythonException {
                type_name: text(0)?,
                message: text(1)?,
                traceback: text(2)?,
                line: if vm.is_none(&line) {
                    None
                } else {
                    line.try_to_value::<u32>(vm).ok()
                },
            })
        });
    let exception = reported.unwrap_or_else(|_| {
        let mut text = String::new();
        let _ = vm.write_exception(&mut text, exc);
        PythonException {
            type_name: exc.class().name().to_string(),
            message: String::new(),
            traceback: text,
            line: None,
        }
    });
    stdio::write(2, &exception.traceback);
    stdio::flush(2);
    (1, Some(exception))
}

fn system_exit_code(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> i32 {
    let Some(code) = exc.args().as_slice().first().cloned() else {
        return 0;
    };
    if vm.is_none(&code) {
        return 0;
    }
    match code.try_to_value::<i32>(vm) {
        Ok(n) => n,
        Err(_) => {
            // `sys.exit("message")` prints the message and exits with 1.
            if let Ok(s) = code.str(vm) {
                stdio::write(2, &format!("{}\n", s.as_wtf8()));
            }
            1
        }
    }
}
