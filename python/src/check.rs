//! A challenge's check on one run of the learner's code: its invariant, run in the program's namespace
//! after the program's last line, and the verdict, from how the run ended and its trace
//! (`playground::challenges::judge`).

use playground::challenges::judge::{self, Ending, RunFacts, RunVerdict};
use playground::challenges::Check;
use playground::clock::now_ms;
use rustpython_vm::compiler::Mode;
use rustpython_vm::scope::Scope;
use rustpython_vm::{AsObject, VirtualMachine};

use crate::run::PythonOutcome;

/// What the invariant said, and how long it took (taken off the program's own time).
pub struct InvariantResult {
    pub result: Result<(), String>,
    pub ms: f64,
}

/// Runs a check's `code` in `scope`: `Ok` when it raised nothing; else what a failed `assert` said (or
/// which exception the check raised, when it is not an `AssertionError`).
pub fn run_invariant(vm: &VirtualMachine, scope: &Scope, code: &str) -> InvariantResult {
    let t0 = now_ms();
    let ran = vm
        .compile(code, Mode::Exec, "<check>")
        .map_err(|e| e.into_pyexception(vm, Some(code)))
        .and_then(|compiled| vm.run_code_obj(compiled, scope.clone()));
    let result = ran.map(drop).map_err(|exc| {
        let message = exc
            .as_object()
            .str(vm)
            .map(|s| s.to_string())
            .unwrap_or_default();
        if exc.fast_isinstance(vm.ctx.exceptions.assertion_error) {
            if message.is_empty() {
                "the check's assertion failed".to_string()
            } else {
                message
            }
        } else {
            let kind = exc.class().name().to_string();
            format!("the check could not run on this program: {kind}: {message}")
        }
    });
    InvariantResult {
        result,
        ms: now_ms() - t0,
    }
}

/// The verdict on one run, from its outcome and its invariant's result.
pub fn verdict(
    check: &Check,
    outcome: &PythonOutcome,
    invariant: Option<InvariantResult>,
) -> RunVerdict {
    let ending = if let Some(deadlock) = &outcome.deadlock {
        Ending::Deadlock(deadlock.describe())
    } else if let Some(why) = &outcome.stopped {
        Ending::Stopped(why.clone())
    } else if let Some(x) = &outcome.exception {
        let line = x.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        Ending::Raised(format!("{}: {}{line}", x.type_name, x.message))
    } else if outcome.exit_code != 0 {
        Ending::Raised(format!("exit code {}", outcome.exit_code))
    } else {
        Ending::Finished
    };
    let invariant_ms = invariant.as_ref().map_or(0.0, |i| i.ms);
    judge::judge(
        check,
        &RunFacts {
            ending,
            invariant: invariant.map(|i| i.result),
            duration_ms: outcome.duration_ms - invariant_ms,
            lanes: &outcome.lanes,
            events: &outcome.events,
        },
    )
}
