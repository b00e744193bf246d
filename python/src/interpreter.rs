//! A fresh RustPython interpreter for each run, with our modules in place of the ones that cannot work
//! on wasm32-unknown-unknown.
//!
//! The interpreter builder is the public extension point: a later native module with the same name
//! replaces a built-in one, and we leave out the ones we replace (`_thread`) or that must not be reached
//! (`_queue`, whose `SimpleQueue` times its waits with `Instant`; `queue` then uses its pure-Python one,
//! built on our locks).

use rustpython_vm::{Interpreter, Settings};

/// RustPython modules we do not register: replaced by ours, or unusable on the web.
/// `_datetime` reads `SystemTime::now()` (a panic on the web): `datetime` then uses `_pydatetime`, on our
/// clock.
const LEFT_OUT: &[&str] = &["_thread", "_queue", "posix", "_datetime"];

/// The Python source the prelude runs (see `prelude.py`).
pub const PRELUDE: &str = include_str!("prelude.py");

/// The file name the learner's program has in tracebacks.
pub const MAIN_FILE: &str = "main.py";

/// Python frames one thread may nest (`sys.getrecursionlimit()`), CPython's default. Every thread's
/// stack is sized so that this depth cannot overflow it, and RustPython's own guard on the native stack
/// raises `RecursionError` before it could (see `crate::limits`).
pub const RECURSION_LIMIT: usize = 1000;

/// Builds an interpreter with the frozen standard library, our `_thread`, `_playground` and `posix`.
pub fn build() -> Interpreter {
    let mut settings = Settings::default();
    settings.import_site = false;
    settings.ignore_environment = true;
    settings.install_signal_handlers = false;
    settings.argv = vec![MAIN_FILE.to_string()];
    settings.path_list = Vec::new();
    let builder = Interpreter::builder(settings);
    let defs: Vec<_> = rustpython_stdlib::stdlib_module_defs(&builder.ctx)
        .into_iter()
        .filter(|def| !LEFT_OUT.contains(&def.name.as_str()))
        .collect();
    let ours = [
        crate::thread_module::module_def(&builder.ctx),
        crate::stdio::module_def(&builder.ctx),
        crate::os_module::module_def(&builder.ctx),
    ];
    builder
        .add_native_modules(&defs)
        .add_native_modules(&ours)
        .add_frozen_modules(rustpython_pylib::FROZEN_STDLIB)
        .init_hook(|vm| {
            // Every automatic collection stops the world and reads `Instant::now()`, which panics on
            // wasm32-unknown-unknown. Reference counting still frees everything but cycles, which live
            // until the run's interpreter is dropped: each run gets a fresh one.
            vm.state.gc.disable();
            vm.recursion_limit.set(RECURSION_LIMIT);
        })
        .build()
}

/// The stack of every thread worker of the Python runtime. RustPython guards its native stack by the
/// stack pointer against a bound it estimates, on wasm32-unknown-unknown, as 8 MiB below where the thread
/// entered the interpreter (it cannot ask the platform). A stack of 9 MiB makes that estimate true, with
/// 1 MiB to spare: deep recursion raises `RecursionError` before it could run off the stack and over the
/// shared memory below it. (Natively RustPython reads the real bounds; this is not used there.)
pub const THREAD_STACK_BYTES: usize = 9 << 20;
