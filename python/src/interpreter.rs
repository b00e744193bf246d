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

/// Python frames one thread may nest (`sys.getrecursionlimit()`). Natively CPython's default, 1000.
///
/// In the browser every Python call also nests several frames of the interpreter's Rust code on the
/// JavaScript engine's own stack of the worker, which the page cannot size, and the browser ends the
/// worker when it runs out ("Maximum call stack size exceeded"). Measured over eleven kinds of recursion
/// (plain calls, methods, `__getitem__`, `__repr__`, `**kwargs`, `__init__`, `functools.wraps`, a
/// `sorted` key, `map`, properties, `yield from`) in Chromium 156 and Firefox ESR 153, all raise
/// `RecursionError` cleanly at 250 frames and the first fails at 300 (`__repr__`, in Chromium): 200
/// keeps a margin. A program may raise it with `sys.setrecursionlimit()`; if the browser's stack then runs
/// out, the run ends with that message and the runtime restarts.
#[cfg(target_arch = "wasm32")]
pub const RECURSION_LIMIT: usize = 200;
#[cfg(not(target_arch = "wasm32"))]
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
        crate::gil_module::module_def(&builder.ctx),
        crate::mp::module::module_def(&builder.ctx),
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

include!("stack_bytes.rs");
