//! The primitives lessons are written with.
//!
//! - [`thread`]: named threads with `join`, `join_timeout` and `is_alive`, like `threading.Thread`.
//! - [`pool`]: the long-lived workers those threads run on (reused between runs).
//! - [`sync`]: a lock that records how long threads wait for it, and timed waits that really block.
//! - [`primitives`]: Lock, RLock, Condition, Event, Semaphore, BoundedSemaphore, Timer and queue.Queue.
//! - [`event_loop`]: a small, real, single-threaded event loop: what `asyncio` does.
//! - [`executor`]: `ThreadPoolExecutor`: a few threads, a task queue, futures.
//! - [`gil`]: an emulated global interpreter lock for lessons in "Python mode", and its free-threaded twin.
//! - [`deadlock`]: the wait-for graph of locks and the detector that finds a cycle in it.
//! - [`process`]: isolated programs that only exchange messages, like `multiprocessing.Process`.
//! - [`bridge`]: what a thread lesson asks of the runtime's event loop: child processes, event-loop I/O.
//! - [`trace`]: the one log of a run: lanes, state changes and printed lines, on one clock.
//! - [`cancel`]: the stop flag every wait checks (the Stop button, the time limit).
//! - [`suspend`]: waits that hand the thread to its own event loop (a program on a worker's only thread).
//! - [`fault`]: a panicking thread or process reported like Python's `threading.excepthook`.
//! - [`alloc`]: the wasm build's allocator: a cache of small blocks per stack in front of dlmalloc's one lock.
//! - [`names`]: Python's default thread and process names ("Thread-1 (worker)", "Process-1").
//! - [`limits`]: what a run may ask for (threads, memory), refused up front when it cannot fit.
//! - [`workload`]: CPU-bound work of a fixed size (lessons and tests).

pub mod alloc;
pub mod bridge;
pub mod cancel;
pub mod deadlock;
pub mod event_loop;
pub mod executor;
pub mod fault;
pub mod gil;
pub mod limits;
pub mod names;
pub mod pool;
pub mod primitives;
pub mod process;
pub mod suspend;
pub mod sync;
pub mod thread;
pub mod trace;
pub mod workload;

/// Locks a std mutex, recovering the data if a panicking thread poisoned it: a lesson that panics must not
/// take the runtime's own bookkeeping down with it.
pub fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
