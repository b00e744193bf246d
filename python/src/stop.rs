//! How a stop reaches learner code: the Stop button, the time limit, or a detected deadlock.
//!
//! Every blocking call of ours (sleep, lock, join, queue waits built on them) returns at once when the run
//! is asked to stop, and then raises: `KeyboardInterrupt` in the main thread (what Ctrl+C gives in a
//! terminal) and `SystemExit` in other threads (which `threading` ends quietly). Code that never blocks
//! (`while True: pass`) cannot be reached this way: the runtime then restarts its workers.

use std::sync::Mutex;

use playground::engine::cancel;
use playground::engine::deadlock::Deadlock;
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{AsObject, VirtualMachine};

/// The deadlock that ended the current run, if one did.
static DEADLOCK: Mutex<Option<Deadlock>> = Mutex::new(None);

pub fn reset() {
    *playground::engine::lock(&DEADLOCK) = None;
}

pub fn take_deadlock() -> Option<Deadlock> {
    playground::engine::lock(&DEADLOCK).take()
}

fn on_main_thread() -> bool {
    crate::threads::current_is_main()
}

/// The exception a blocking call raises once the run was asked to stop.
pub fn exception(vm: &VirtualMachine) -> PyBaseExceptionRef {
    let reason = cancel::reason().unwrap_or_else(|| "stopped".into());
    if on_main_thread() {
        vm.new_exception_msg(
            vm.ctx.exceptions.keyboard_interrupt.to_owned(),
            reason.into(),
        )
    } else {
        vm.new_exception_empty(vm.ctx.exceptions.system_exit.to_owned())
    }
}

/// A thread of a wait-for cycle gives up: the run stops with the cycle as its reason.
pub fn deadlock(found: Deadlock, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let reason = format!(
        "Deadlock: {}. No thread of the cycle can ever go on (CPython would hang here).",
        found.describe().trim_start_matches("deadlock: ")
    );
    playground::engine::lock(&DEADLOCK).get_or_insert(found);
    cancel::request(&reason);
    exception(vm)
}

/// Whether `exc` is what [`exception`] raised (so it is not reported as the program's own error).
pub fn is_stop(exc: &PyBaseExceptionRef, vm: &VirtualMachine) -> bool {
    cancel::is_cancelled()
        && (exc.fast_isinstance(vm.ctx.exceptions.keyboard_interrupt)
            || exc.fast_isinstance(vm.ctx.exceptions.system_exit))
}
