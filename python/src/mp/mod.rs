//! Learner `multiprocessing` on real processes: each child is a fresh instance of the Python runtime
//! with a memory of its own, started with spawn semantics (the program run as `__mp_main__`, then the
//! pickled `Process`), and processes share nothing but what they send through the kernel and the
//! shared memory of their `Value`s and `Array`s.
//!
//! - [`protocol`]: every call, reply and request, typed in one place.
//! - [`kernel`]: channels, cells and the process table, in the root process.
//! - [`shared`]: the shared memory every process maps, under `Value` and `Array`.
//! - [`client`]: how a process calls the kernel (directly in the root, by message in a child).
//! - [`module`]: `_mp`, the native side of our `multiprocessing` package.
//! - [`child`]: running a child process's program.
//! - `web` (wasm32 only): the runtime worker's entry points, as root and as child.
//! - `SOURCES`: the Python of our `multiprocessing` and `concurrent.futures.process`.

pub mod child;
pub mod client;
pub mod kernel;
pub mod module;
pub mod protocol;
pub mod shared;
#[cfg(target_arch = "wasm32")]
pub mod web;

use std::sync::Mutex;

use playground::engine::lock;

/// The Python sources of our modules, by name, served by the prelude's finder ahead of the frozen
/// standard library (whose `multiprocessing` needs `_multiprocessing`, sockets and `fork`).
pub const SOURCES: &[(&str, &str, bool)] = &[
    ("multiprocessing", include_str!("multiprocessing.py"), true),
    ("multiprocessing.pool", include_str!("pool.py"), false),
    (
        "concurrent.futures.process",
        include_str!("process_pool_executor.py"),
        false,
    ),
];

/// The program of the current run: every child runs it as `__mp_main__`.
static PROGRAM: Mutex<String> = Mutex::new(String::new());

/// Notes the program a run's children will run, and forgets the previous run's processes.
pub fn start_run(source: &str) {
    *lock(&PROGRAM) = source.to_string();
    kernel::reset();
    #[cfg(target_arch = "wasm32")]
    web::reset();
}

pub fn program() -> String {
    lock(&PROGRAM).clone()
}
