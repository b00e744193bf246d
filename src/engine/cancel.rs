//! Cooperative cancellation: the Stop button and the time limit.
//!
//! One flag in the shared memory, set by the runtime ([`request`]) and read by every wait the engine
//! offers. A wait that sees it returns at once, as if it had timed out (a sleep ends early, a queue `get`
//! returns nothing, a lock acquisition fails with `TimedOut`, `common::work` stops counting), so every
//! thread of the run falls through to its end within a few tens of milliseconds and the run finishes
//! with a "stopped" outcome (its values, computed from cut-short waits, are discarded).
//!
//! Sleeps wake at once: they wait on [`WORD`] itself (a futex wait in the browser), which `request`
//! notifies. Waits on a condition variable cannot be woken from outside, so they wait in slices of at most
//! [`SLICE_MS`] and check the flag between slices. Code that never waits and never calls `work` (an endless
//! loop) does not cooperate: the page's watchdog then terminates the workers and starts fresh ones.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

use super::lock;
use crate::clock::now_ms;

/// Longest a condition-variable wait blocks before looking at the flag again.
pub const SLICE_MS: f64 = 25.0;

/// 0 while the run may go on, 1 once it was asked to stop. A futex word: sleepers wait on it.
static WORD: AtomicI32 = AtomicI32::new(0);
static REASON: Mutex<Option<String>> = Mutex::new(None);
#[cfg(not(target_arch = "wasm32"))]
static SLEEPERS: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());

/// Asks the running lesson to stop; the first reason given is kept. Wakes every sleeping thread.
pub fn request(reason: &str) {
    lock(&REASON).get_or_insert_with(|| reason.to_string());
    WORD.store(1, Ordering::SeqCst);
    #[cfg(target_arch = "wasm32")]
    // SAFETY: WORD is a live, aligned i32 in the shared memory; notify only wakes waiters on it.
    unsafe {
        core::arch::wasm32::memory_atomic_notify(WORD.as_ptr().cast(), u32::MAX);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _g = lock(&SLEEPERS.0);
        SLEEPERS.1.notify_all();
    }
}

/// Clears the flag before a new run.
pub fn reset() {
    *lock(&REASON) = None;
    WORD.store(0, Ordering::SeqCst);
}

/// Whether the run was asked to stop (one atomic load: cheap enough for inner loops).
#[inline]
pub fn is_cancelled() -> bool {
    WORD.load(Ordering::Relaxed) != 0
}

/// Why the run was asked to stop, if it was.
pub fn reason() -> Option<String> {
    if is_cancelled() {
        lock(&REASON).clone()
    } else {
        None
    }
}

/// Blocks the calling thread for up to `ms`, or until a stop is requested. Returns whether it was.
pub fn block_for(ms: f64) -> bool {
    if ms <= 0.0 || is_cancelled() {
        return is_cancelled();
    }
    // A thread whose waits suspend (solo mode: see `suspend`) gives its event loop the time instead; a
    // stop it handles meanwhile is seen below.
    if super::suspend::suspend(ms) {
        return is_cancelled();
    }
    #[cfg(target_arch = "wasm32")]
    {
        // SAFETY: WORD is a live, aligned i32 in the shared memory. The wait returns at once when WORD is
        // no longer 0, when `request` notifies it, or after the timeout (ns).
        unsafe {
            core::arch::wasm32::memory_atomic_wait32(WORD.as_ptr().cast(), 0, (ms * 1e6) as i64);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let g = lock(&SLEEPERS.0);
        if !is_cancelled() {
            drop(
                SLEEPERS
                    .1
                    .wait_timeout(g, Duration::from_secs_f64(ms / 1000.0))
                    .unwrap_or_else(|p| p.into_inner()),
            );
        }
    }
    is_cancelled()
}

/// One slice of a condition-variable wait on `cv`, holding `guard` (a guard of `mutex`): at most
/// [`SLICE_MS`], and no later than `deadline` (epoch ms). Returns the guard and whether the condition
/// variable was (or, for a suspended wait, may have been) notified rather than the slice ending. A
/// thread whose waits suspend (see [`super::suspend`]) lets go of `mutex` while its event loop runs.
pub fn wait_slice<'a, T>(
    cv: &Condvar,
    mutex: &'a Mutex<T>,
    guard: MutexGuard<'a, T>,
    deadline: Option<f64>,
) -> (MutexGuard<'a, T>, bool) {
    let left = deadline.map_or(SLICE_MS, |d| (d - now_ms()).min(SLICE_MS));
    if left <= 0.0 {
        return (guard, false);
    }
    super::suspend::wait(cv, mutex, guard, left)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::primitives::{Event, Lock, Queue};
    use crate::engine::trace::TRACE_TEST_LOCK;
    use crate::engine::{sync, thread, trace};
    use std::sync::Arc;

    /// Starts `n` threads that each block in a different kind of wait for a minute, asks for a stop after
    /// 50 ms, and returns how long after the request every thread had finished.
    #[test]
    fn every_kind_of_wait_ends_soon_after_a_stop_request() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        reset();
        let held = Arc::new(Lock::new("held"));
        held.acquire().unwrap();
        let event = Arc::new(Event::new());
        let queue: Arc<Queue<u32>> = Arc::new(Queue::new(1));
        let full: Arc<Queue<u32>> = Arc::new(Queue::new(1));
        full.put(0);
        let (h, e, q, f) = (held.clone(), event.clone(), queue.clone(), full.clone());
        let handles = vec![
            thread::spawn("sleeper", "", || {
                sync::sleep_ms(60_000.0);
            }),
            thread::spawn("locker", "", move || {
                let _ = h.acquire();
            }),
            thread::spawn("event", "", move || {
                e.wait(None);
            }),
            thread::spawn("getter", "", move || {
                q.get(None);
            }),
            thread::spawn("putter", "", move || {
                f.put(1);
            }),
            thread::spawn("worker", "", || {
                crate::engine::workload::work(u64::MAX);
            }),
        ];
        sync::sleep_ms(50.0);
        let asked = now_ms();
        request("test");
        for handle in handles {
            handle.join();
        }
        let took = now_ms() - asked;
        reset();
        assert!(took < 100.0, "the threads took {took} ms to stop");
        held.release().unwrap();
    }

    #[test]
    fn the_first_reason_is_kept_and_reset_clears_it() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        reset();
        assert_eq!(reason(), None);
        request("Stopped by you");
        request("time limit");
        assert_eq!(reason().as_deref(), Some("Stopped by you"));
        assert!(
            block_for(10_000.0),
            "a sleep after the request returns at once"
        );
        reset();
        assert!(!is_cancelled());
        let t0 = now_ms();
        assert!(!block_for(20.0));
        assert!(now_ms() - t0 >= 19.0);
    }
}
