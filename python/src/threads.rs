//! The program's Python threads as the rest of the runtime sees them: idents (the main thread's is 1),
//! how many are alive, and the non-daemon ones the interpreter waits for at exit. Our `_thread`
//! (`thread_module`) starts and ends them; `stop` asks which thread is the main one, the run and the
//! kernel how many are left.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use playground::engine::{lock, thread::JoinHandle};

/// The main thread's ident.
pub const MAIN_IDENT: u64 = 1;

/// Idents of this run's threads: small, distinct, never reused within a run.
static NEXT_IDENT: AtomicU64 = AtomicU64::new(2);
/// Python threads started and not yet finished (the main thread not counted).
static ALIVE: AtomicUsize = AtomicUsize::new(0);
/// Non-daemon threads, which the interpreter waits for at exit (`_shutdown`).
static NON_DAEMON: Mutex<Vec<Arc<JoinHandle<()>>>> = Mutex::new(Vec::new());

thread_local! {
    static IDENT: Cell<u64> = const { Cell::new(MAIN_IDENT) };
}

/// A new run: idents start again, and no thread is alive.
pub fn reset() {
    NEXT_IDENT.store(2, Ordering::SeqCst);
    ALIVE.store(0, Ordering::SeqCst);
    lock(&NON_DAEMON).clear();
}

/// The calling thread is the program's main thread (its worker may have run other threads before).
pub fn become_main() {
    IDENT.with(|i| i.set(MAIN_IDENT));
}

/// The calling thread is the Python thread `ident`.
pub fn set_current(ident: u64) {
    IDENT.with(|i| i.set(ident));
}

/// The calling thread's ident.
pub fn current_ident() -> u64 {
    IDENT.with(Cell::get)
}

pub fn current_is_main() -> bool {
    current_ident() == MAIN_IDENT
}

/// Threads started by the program and still running.
pub fn alive() -> usize {
    ALIVE.load(Ordering::SeqCst)
}

/// Counts a thread about to start, unless `max` are alive already; its ident when it may start.
pub fn reserve(max: usize) -> Option<u64> {
    if ALIVE.fetch_add(1, Ordering::SeqCst) >= max {
        ALIVE.fetch_sub(1, Ordering::SeqCst);
        return None;
    }
    Some(NEXT_IDENT.fetch_add(1, Ordering::SeqCst))
}

/// A thread has finished.
pub fn finished() {
    ALIVE.fetch_sub(1, Ordering::SeqCst);
}

/// The ident the last thread got (for CPython's default name `Thread-N`).
pub fn last_ident() -> u64 {
    NEXT_IDENT.load(Ordering::SeqCst) - 1
}

/// Remembers a non-daemon thread, which exit waits for.
pub fn add_non_daemon(thread: Arc<JoinHandle<()>>) {
    lock(&NON_DAEMON).push(thread);
}

/// A non-daemon thread still running, if any.
pub fn running_non_daemon() -> Option<Arc<JoinHandle<()>>> {
    lock(&NON_DAEMON).iter().find(|t| t.is_alive()).cloned()
}
