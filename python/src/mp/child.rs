//! A child process's program, with spawn semantics as CPython runs it: a fresh interpreter runs the
//! learner's file as `__mp_main__` (so code under `if __name__ == "__main__":` does not run again), then
//! unpickles its `Process` and calls `run()` (see `_child_main` in `multiprocessing.py`). Its exit code
//! is what CPython's would be: 0, 1 after an uncaught exception, or what `sys.exit()` was given.

use playground::engine::gil;
use rustpython_vm::AsObject;

use super::protocol::ChildStart;
use crate::run::Prepared;
use crate::stdio;

#[cfg(target_arch = "wasm32")]
static CHILD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    static CHILD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this is a child process (in the browser: this instance; natively: this OS thread).
pub fn is_child() -> bool {
    #[cfg(target_arch = "wasm32")]
    return CHILD.load(std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(target_arch = "wasm32"))]
    return CHILD.with(std::cell::Cell::get);
}

fn mark_child() {
    #[cfg(target_arch = "wasm32")]
    CHILD.store(true, std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(target_arch = "wasm32"))]
    CHILD.with(|c| c.set(true));
}

/// Runs the child's program in `prepared` (made on this thread); its exit code. In the browser this
/// instance is the child, so it holds a GIL of its own (`gil::run_with`); natively the child shares the
/// root's statics and runs without one.
pub fn run(prepared: &Prepared, start: &ChildStart, payload: &[u8]) -> i32 {
    mark_child();
    let body = || {
        prepared.interp.enter(|vm| {
            let prelude = match &prepared.prelude {
                Ok(module) => module,
                Err(text) => {
                    stdio::write(
                        2,
                        &format!("the playground's Python failed to start:\n{text}\n"),
                    );
                    return 1;
                }
            };
            let result = (|| {
                if gil::enabled() {
                    prelude.get_attr("use_gil", vm)?.call((), vm)?;
                }
                let mp = vm.import("multiprocessing", 0)?;
                let args = (
                    vm.ctx.new_str(start.source.as_str()),
                    vm.ctx.new_str(start.name.as_str()),
                    start.pid,
                    vm.ctx.new_bytes(payload.to_vec()),
                );
                mp.get_attr("_child_main", vm)?.call(args, vm)
            })();
            match result {
                Ok(code) => code.try_to_value::<i32>(vm).unwrap_or(1),
                Err(exc) => {
                    if exc.fast_isinstance(vm.ctx.exceptions.system_exit) {
                        return 1;
                    }
                    let mut text = String::new();
                    let _ = vm.write_exception(&mut text, &exc);
                    stdio::write(2, &format!("Process {}:\n{text}", start.name));
                    1
                }
            }
        })
    };
    let code = if cfg!(target_arch = "wasm32") {
        gil::run_with(start.build, body).0
    } else {
        body()
    };
    stdio::flush_thread();
    code
}

/// Natively: the child on an OS thread of its own, drawn on the lane the kernel gave it.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native(start: &ChildStart, payload: &[u8]) -> i32 {
    use playground::clock::now_ms;
    use playground::engine::trace;
    use playground::protocol::LaneState;
    trace::set_current_lane(start.lane);
    trace::enter_at(start.lane, LaneState::Running, now_ms());
    let prepared = crate::run::prepare();
    run(&prepared, start, payload)
}
