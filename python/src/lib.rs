//! Learner Python on the playground's engine: RustPython (from crates.io) with our own `_thread`,
//! `posix` and clocks, so a learner's `threading` code runs on the engine's real threads, its locks are
//! the engine's locks (drawn on the timeline, checked for deadlock), and Stop reaches every wait.
//!
//! - [`interpreter`]: a fresh interpreter per run; which modules are ours.
//! - [`thread_module`]: our `_thread` (threads, locks, handles).
//! - [`threads`]: the program's Python threads: idents, how many are alive, the ones exit waits for.
//! - [`gil_module`]: `_gil`, the emulated GIL's switch points and `sys`'s view of it.
//! - [`stdio`]: `_playground`, the native side of stdout/stderr and `time`.
//! - [`os_module`]: the native part of our `posix` (the rest is in `prelude.py`).
//! - [`mp`]: `multiprocessing` on real processes (the kernel, `_mp`, child processes).
//! - [`stdlib`]: our `_socket`, `select`, `_signal` and `subprocess`, under asyncio.
//! - [`solo`]: the runtime on a page without cross-origin isolation (no threads or processes).
//! - [`stop`]: how Stop, the time limit and a deadlock end learner code.
//! - [`run`]: one run, start to end, and its outcome.
//! - [`check`]: a fix-it challenge's check on a run: its invariant and the verdict.
//! - [`platform`]: the browser or the OS underneath.
//! - [`protocol`]: the Python runtime worker's messages, with the TypeScript declarations of them.
//! - `web` (wasm32 only): the entry points of the Python runtime worker.

pub mod check;
pub mod gil_module;
pub mod interpreter;
pub mod mp;
pub mod os_module;
pub mod platform;
pub mod protocol;
pub mod run;
pub mod solo;
pub mod stdio;
pub mod stdlib;
pub mod stop;
pub mod thread_module;
pub mod threads;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use run::{
    prepare, reset, run, run_checked, run_prepared, run_prepared_checked, Prepared,
    PythonException, PythonOutcome,
};
