//! A lock that records who waits for it, and timed waits that really block.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::trace;
use crate::clock::now_ms;
use crate::protocol::LaneState;

/// `threading.Lock`: a mutual-exclusion lock around a value. An uncontended `lock` costs one atomic
/// operation; a contended one blocks the thread in the kernel (a futex wait on the shared memory) and is
/// recorded on the timeline as "waiting for a lock".
pub struct TracedMutex<T> {
    inner: Mutex<T>,
    /// Total time all threads spent blocked on this lock, in nanoseconds.
    waited_ns: AtomicU64,
    contended: AtomicU64,
}

impl<T> TracedMutex<T> {
    pub const fn new(value: T) -> Self {
        TracedMutex {
            inner: Mutex::new(value),
            waited_ns: AtomicU64::new(0),
            contended: AtomicU64::new(0),
        }
    }

    /// Takes the lock, blocking while another thread holds it.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if let Ok(guard) = self.inner.try_lock() {
            return guard;
        }
        let t0 = now_ms();
        let guard =
            super::gil::allow_threads(|| self.inner.lock().unwrap_or_else(|p| p.into_inner()));
        let t1 = now_ms();
        self.contended.fetch_add(1, Ordering::Relaxed);
        self.waited_ns
            .fetch_add(((t1 - t0).max(0.0) * 1e6) as u64, Ordering::Relaxed);
        trace::lock_wait(t0, t1);
        guard
    }

    /// Milliseconds threads spent waiting for this lock, summed over threads.
    pub fn waited_ms(&self) -> f64 {
        self.waited_ns.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// How many acquisitions had to wait.
    pub fn contended(&self) -> u64 {
        self.contended.load(Ordering::Relaxed)
    }

    pub fn into_inner(self) -> T {
        self.inner.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

/// `time.sleep(ms / 1000)`: blocks the calling thread (in the browser, `memory.atomic.wait32` with a
/// timeout on a worker) and records it as sleeping. Returns the milliseconds actually slept. A stop
/// request ([`super::cancel`]) ends the sleep at once.
pub fn sleep_ms(ms: f64) -> f64 {
    super::gil::allow_threads(|| sleep_without_gil(ms))
}

fn sleep_without_gil(ms: f64) -> f64 {
    let t0 = now_ms();
    trace::enter_at(trace::current_lane(), LaneState::Sleeping, t0);
    let mut left = ms;
    // A wait may end early (a spurious wake-up); sleep again for what is left, by the clock.
    while left > 0.0 {
        if super::cancel::block_for(left) {
            break;
        }
        left = ms - (now_ms() - t0);
    }
    let t1 = now_ms();
    trace::enter_at(trace::current_lane(), LaneState::Running, t1);
    t1 - t0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_really_waits_at_least_the_time_asked() {
        // Serialized with the cancellation tests, whose stop request would cut this sleep short.
        let _serial = crate::engine::trace::TRACE_TEST_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let slept = sleep_ms(20.0);
        assert!(slept >= 20.0, "slept {slept} ms");
    }

    #[test]
    fn the_lock_excludes_and_counts_contention() {
        let m = std::sync::Arc::new(TracedMutex::new(0u64));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..100_000 {
                        *m.lock() += 1;
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(*m.lock(), 400_000);
    }
}
