//! Named threads, as `threading.Thread` gives them: start, `join`, `join(timeout)`, `is_alive`.
//!
//! A thread here is a job on a pool worker (a Web Worker on the shared memory in the browser, an OS thread
//! natively). `join` really blocks the caller on a condition variable until the thread has finished.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::fault;
use super::lock;
use super::pool::{current_worker, POOL};
use super::trace;
use crate::protocol::{LaneKind, LaneState};

struct Slot<T> {
    /// The body's value, or the message of the panic that ended the thread.
    result: Mutex<Option<Result<T, String>>>,
    finished: Condvar,
    alive: AtomicBool,
}

/// A started thread. Dropping it without joining leaves the thread running, as in Python.
pub struct JoinHandle<T> {
    slot: Arc<Slot<T>>,
}

/// Starts `body` on its own thread, named `name`, drawn in the timeline group `group`.
pub fn spawn<T, F>(name: impl Into<String>, group: impl Into<String>, body: F) -> JoinHandle<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let name = name.into();
    let lane = trace::new_lane(name.clone(), LaneKind::Thread, group);
    trace::enter_at(lane, LaneState::Starting, crate::clock::now_ms());
    let slot = Arc::new(Slot {
        result: Mutex::new(None),
        finished: Condvar::new(),
        alive: AtomicBool::new(true),
    });
    let job_slot = slot.clone();
    let job = move || {
        trace::set_current_lane(lane);
        trace::set_worker(lane, current_worker());
        fault::set_name(name);
        // If the body panics, its joiners learn it here (in the browser the worker is lost right after).
        let on_panic = job_slot.clone();
        fault::arm(move |message| {
            if let Ok(mut result) = on_panic.result.try_lock() {
                *result = Some(Err(message.to_string()));
            }
            on_panic.alive.store(false, Ordering::SeqCst);
            on_panic.finished.notify_all();
        });
        super::gil::start_python_thread();
        let value = body();
        fault::disarm();
        super::gil::finish_python_thread();
        *lock(&job_slot.result) = Some(Ok(value));
        POOL.job_done();
        job_slot.alive.store(false, Ordering::SeqCst);
        job_slot.finished.notify_all();
    };
    launch(Box::new(job));
    JoinHandle { slot }
}

/// In the browser a job waits for an idle worker. Lessons start the workers they need before a run; a
/// program that starts threads as it goes (learner Python) asks the runtime for more through the bridge.
#[cfg(target_arch = "wasm32")]
fn launch(job: super::pool::Job) {
    POOL.submit(job);
    if POOL.outstanding() > POOL.workers() {
        super::bridge::need_thread_workers(POOL.outstanding());
    }
}

/// Natively the pool grows on demand so that every outstanding thread has a worker of its own, as in the
/// browser, where the runtime starts enough workers before a run.
#[cfg(not(target_arch = "wasm32"))]
fn launch(job: super::pool::Job) {
    POOL.submit(job);
    super::pool::ensure_native_workers(POOL.outstanding());
}

impl<T> JoinHandle<T> {
    /// True until the thread's body has returned.
    pub fn is_alive(&self) -> bool {
        self.slot.alive.load(Ordering::SeqCst)
    }

    /// Blocks until the thread finishes and returns what its body returned. If the thread panicked there
    /// is no value: the panic is raised again in the caller (as Rust's `join().unwrap()` does); use
    /// [`try_join`](Self::try_join) to carry on instead, as Python's `join` does.
    pub fn join(self) -> T {
        match self.try_join() {
            Ok(value) => value,
            Err(message) => panic!("joined a thread that raised: {message}"),
        }
    }

    /// Blocks until the thread finishes: its value, or the message of the exception (panic) that ended it.
    ///
    /// # Errors
    /// The panic's message, when the thread panicked.
    pub fn try_join(self) -> Result<T, String> {
        super::gil::allow_threads(|| self.join_without_gil())
    }

    fn join_without_gil(self) -> Result<T, String> {
        trace::enter(LaneState::Joining);
        let mut result = lock(&self.slot.result);
        let value = loop {
            if let Some(v) = result.take() {
                break v;
            }
            if !self.is_alive() {
                // Ended without a result: its panic hook could not take the lock to leave the message.
                break Err("the thread ended with an exception".into());
            }
            // In slices: a panicking thread notifies without the lock, so a wake-up could be missed.
            result =
                super::cancel::wait_slice(&self.slot.finished, &self.slot.result, result, None).0;
        };
        drop(result);
        trace::enter(LaneState::Running);
        value
    }

    /// Blocks until the thread finishes or `timeout` passes, like `Thread.join(timeout)`; returns whether
    /// it finished. Either way the handle stays usable (check [`is_alive`](Self::is_alive)).
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        super::gil::allow_threads(|| self.join_timeout_without_gil(timeout))
    }

    /// Blocks until the thread finishes, `deadline` (epoch ms; `None`: no limit) passes, or a stop is
    /// requested; returns whether it finished. One "joining" state on the timeline however long it waits,
    /// and a stop request is seen within [`super::cancel::SLICE_MS`] (for learner code's `join()`).
    pub fn wait_until(&self, deadline: Option<f64>) -> bool {
        super::gil::allow_threads(|| {
            trace::enter(LaneState::Joining);
            let mut guard = lock(&self.slot.result);
            while self.is_alive() && !super::cancel::is_cancelled() {
                if deadline.is_some_and(|d| crate::clock::now_ms() >= d) {
                    break;
                }
                guard = super::cancel::wait_slice(
                    &self.slot.finished,
                    &self.slot.result,
                    guard,
                    deadline,
                )
                .0;
            }
            drop(guard);
            trace::enter(LaneState::Running);
            !self.is_alive()
        })
    }

    fn join_timeout_without_gil(&self, timeout: Duration) -> bool {
        trace::enter(LaneState::Joining);
        // std's `wait_timeout_while` reads `Instant`, which wasm32-unknown-unknown lacks; the engine's
        // clock works everywhere.
        let deadline = crate::clock::now_ms() + timeout.as_secs_f64() * 1000.0;
        let mut guard = lock(&self.slot.result);
        while self.is_alive() {
            let left = deadline - crate::clock::now_ms();
            if left <= 0.0 {
                break;
            }
            guard = super::suspend::wait(&self.slot.finished, &self.slot.result, guard, left).0;
        }
        drop(guard);
        trace::enter(LaneState::Running);
        !self.is_alive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::TRACE_TEST_LOCK;

    #[test]
    fn join_with_a_timeout_returns_while_the_thread_is_still_alive() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        let handle = spawn("Thread-1", "g", || crate::engine::sync::sleep_ms(150.0));
        let t0 = crate::clock::now_ms();
        assert!(
            !handle.join_timeout(Duration::from_millis(30)),
            "finished too early"
        );
        let waited = crate::clock::now_ms() - t0;
        assert!(
            (29.0..140.0).contains(&waited),
            "join(timeout) waited {waited} ms"
        );
        assert!(handle.is_alive());
        assert!(handle.join() >= 150.0);
    }

    #[test]
    fn wait_until_returns_at_the_deadline_or_at_a_stop() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        crate::engine::cancel::reset();
        let handle = spawn("Thread-1", "g", || crate::engine::sync::sleep_ms(400.0));
        let t0 = crate::clock::now_ms();
        assert!(!handle.wait_until(Some(t0 + 40.0)), "finished too early");
        assert!((39.0..300.0).contains(&(crate::clock::now_ms() - t0)));
        let stopper = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            crate::engine::cancel::request("test");
        });
        let t1 = crate::clock::now_ms();
        handle.wait_until(None);
        assert!(
            crate::clock::now_ms() - t1 < 300.0,
            "a stop did not end the wait"
        );
        stopper.join().unwrap();
        let _ = handle.try_join();
        crate::engine::cancel::reset();
    }
}
