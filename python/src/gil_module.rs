//! `_gil`: the emulated GIL for learner code — the engine's [`playground::engine::gil`] (built like
//! CPython's `Python/ceval_gil.c`) wired to RustPython, which has no GIL of its own.
//!
//! - Holding it: `gil::run_with` makes the program's main thread hold it, and every thread our `_thread`
//!   starts takes it before its first line (`engine::thread::spawn` does both).
//! - Letting go around waits: every blocking call of ours (sleep, lock and condition waits, join, queue
//!   waits built on them, `urlopen`) runs in `gil::allow_threads`, CPython's `Py_BEGIN_ALLOW_THREADS`.
//! - Switch points: CPython's eval breaker is polled at backward jumps and at calls (for a Python
//!   function, in the `RESUME` at its entry). RustPython has no hook there but `sys.monitoring` (PEP 669),
//!   whose JUMP and PY_START events fire at exactly those instructions. (CALL would also fire for calls of
//!   builtins, but it sends every call through RustPython's slower instrumented call path, which nests
//!   more native frames per Python call: deep recursion then ran out of the browser's stack.)
//!   The prelude registers [`switch_point`] for both (a native function: no Python frame per event), and
//!   only in runs with the GIL (and in solo mode, where they also report progress: `crate::solo`), so
//!   free-threaded runs on an isolated page pay nothing. `npm run bench` measures the cost.
//!
//! A switch point is also where a stop reaches code that never blocks (`while True: pass`).

pub(crate) use gil_module::module_def;

/// The `sys.monitoring` tool id the prelude claims (CPython reserves 0–2 and 5; 3 and 4 are free).
pub const TOOL_ID: u8 = 4;

#[rustpython_vm::pymodule(name = "_gil")]
mod gil_module {
    use playground::engine::{cancel, gil};
    use rustpython_vm::builtins::PyInt;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

    #[pyattr]
    const TOOL_ID: u8 = super::TOOL_ID;

    /// `sys._is_gil_enabled()`: whether this run emulates CPython with its GIL.
    #[pyfunction]
    fn enabled() -> bool {
        gil::enabled()
    }

    /// `sys.getswitchinterval()`, in seconds.
    #[pyfunction]
    fn getswitchinterval() -> f64 {
        gil::switch_interval_ms() / 1000.0
    }

    /// `sys.setswitchinterval(seconds)`: takes effect at once, for every thread, as in CPython.
    #[pyfunction]
    fn setswitchinterval(interval: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let interval = interval.try_float(vm)?.to_f64();
        if !interval.is_finite() || interval <= 0.0 {
            return Err(vm.new_value_error("switch interval must be strictly positive"));
        }
        gil::set_switch_interval_ms(interval * 1000.0);
        Ok(())
    }

    /// The callback of the JUMP and PY_START events: a switch point. JUMP passes `(code, offset, target)`
    /// and only a backward jump (a loop's) is one, as in CPython; PY_START passes `(code, offset)`.
    #[pyfunction]
    fn switch_point(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        crate::solo::at_switch_point();
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        if !gil::drop_requested() {
            return Ok(());
        }
        if let [_, offset, target] = args.args.as_slice() {
            if let (Some(offset), Some(target)) = (
                offset.downcast_ref::<PyInt>(),
                target.downcast_ref::<PyInt>(),
            ) {
                if target.as_bigint() > offset.as_bigint() {
                    return Ok(());
                }
            }
        }
        // While a thread holds the import lock, CPython's import code holds it without Python code in
        // between; here module-level code can reach a switch point inside it. Another thread holding
        // the GIL would then block on the import lock (which does not let the GIL go): never switch there.
        if import_lock_held(vm) {
            return Ok(());
        }
        gil::checkpoint();
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        Ok(())
    }

    fn import_lock_held(vm: &VirtualMachine) -> bool {
        vm.import("_imp", 0)
            .and_then(|imp| imp.get_attr("lock_held", vm))
            .and_then(|f| f.call((), vm))
            .map(|held| held.is(&vm.ctx.true_value))
            .unwrap_or(false)
    }
}
