//! Our own versions of standard modules that RustPython does not build for WebAssembly, so that the
//! standard library above them (asyncio, selectors, signal) runs: learner asyncio code gets a real event
//! loop on one of the engine's threads, whose waits really block.
//!
//! - `_socket.py`: `socketpair()` in memory (the ends are in `_memsocket.py`), and no network: what
//!   asyncio's event loop wakes itself with, under the standard `socket`.
//! - `select.py`: `select.select()` over those pairs, what asyncio's loop waits on.
//! - `_signal.py`: handlers stored as CPython does; no signal ever arrives (Stop ends a run).
//! - `subprocess.py`: the names, and a clear error on running a program.
//!
//! Served on every platform, natively too, so the native tests run the code the browser runs.

/// The Python sources of our standard modules, by name, and whether each is a package.
pub const SOURCES: &[(&str, &str, bool)] = &[
    ("_memsocket", include_str!("_memsocket.py"), false),
    ("_socket", include_str!("_socket.py"), false),
    ("select", include_str!("select.py"), false),
    ("_signal", include_str!("_signal.py"), false),
    ("subprocess", include_str!("subprocess.py"), false),
];

/// The source of one of our modules (these, or `multiprocessing`'s) and whether it is a package.
pub fn source(name: &str) -> Option<(&'static str, bool)> {
    SOURCES
        .iter()
        .chain(crate::mp::SOURCES)
        .find(|(n, _, _)| *n == name)
        .map(|(_, source, package)| (*source, *package))
}
