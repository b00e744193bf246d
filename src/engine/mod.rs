//! The primitives lessons are written with.
//!
//! - [`thread`]: named threads with `join`, `join_timeout` and `is_alive`, like `threading.Thread`.
//! - [`pool`]: the long-lived workers those threads run on (reused between runs).
//! - [`sync`]: a lock that records how long threads wait for it, and timed waits that really block.
//! - [`process`]: isolated programs that only exchange messages, like `multiprocessing.Process`.
//! - [`trace`]: the one log of a run: lanes, state changes and printed lines, on one clock.

pub mod pool;
pub mod process;
pub mod sync;
pub mod thread;
pub mod trace;

/// Locks a std mutex, recovering the data if a panicking thread poisoned it: a lesson that panics must not
/// take the runtime's own bookkeeping down with it.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
