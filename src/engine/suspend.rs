//! Waits that let the thread's own event loop run: how a program that runs on a worker's only thread can
//! still wait for a message.
//!
//! A wait of the engine normally blocks its thread in the kernel (a futex wait on the shared memory) until
//! another thread wakes it. On a page that is not cross-origin isolated the Python runtime runs a program
//! on the runtime worker itself (solo mode, `python/src/solo/mod.rs`), and what ends its waits — a child
//! process's message, a kernel reply, Stop — arrives as an event of that same worker, which a futex wait
//! would never let it handle. There the runtime installs a [`Suspender`]: each wait, instead of blocking,
//! lets go of the lock it waits under, hands the thread to its event loop for at most one slice (in the
//! browser by suspending the WebAssembly stack: JavaScript Promise Integration), takes the lock again and
//! looks again. Whatever the event loop did meanwhile (delivered a reply, set the stop flag) is what the
//! wait then finds.
//!
//! The suspender is per thread and absent everywhere else, so every other wait (threads on an isolated
//! page, the lessons, native tests) blocks exactly as before. The engine's waits go through [`wait`] and
//! [`crate::engine::cancel::block_for`]; no lock of the engine is held while the thread is suspended, so
//! what the event loop runs meanwhile may take any of them.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::lock;

/// Hands the calling thread to its event loop for at most `ms` milliseconds (0: one turn of the loop);
/// it may come back earlier, when the loop handled something a wait may be waiting for.
pub type Suspender = Rc<dyn Fn(f64)>;

thread_local! {
    static SUSPENDER: RefCell<Option<Suspender>> = const { RefCell::new(None) };
}

/// Makes the calling thread's waits suspend through `suspender` (or, with `None`, block again).
pub fn install(suspender: Option<Suspender>) {
    SUSPENDER.with(|s| *s.borrow_mut() = suspender);
}

/// Whether the calling thread's waits suspend rather than block.
pub fn is_installed() -> bool {
    SUSPENDER.with(|s| s.borrow().is_some())
}

/// Suspends the calling thread for at most `ms` if it has a suspender; returns whether it had one.
/// The caller holds no lock of the engine (what the event loop runs meanwhile may take any).
pub fn suspend(ms: f64) -> bool {
    // Cloned out first: the event loop may install or remove a suspender while this one runs.
    let Some(suspender) = SUSPENDER.with(|s| s.borrow().clone()) else {
        return false;
    };
    suspender(ms.max(0.0));
    true
}

/// Waits on `cv` for at most `ms`, holding `guard` (a guard of `mutex`) as a condition variable does.
/// Returns the guard and whether the wait may have been ended by a notification (a suspended wait
/// cannot tell, and says so: the caller looks at its condition again either way).
pub fn wait<'a, T>(
    cv: &Condvar,
    mutex: &'a Mutex<T>,
    guard: MutexGuard<'a, T>,
    ms: f64,
) -> (MutexGuard<'a, T>, bool) {
    if is_installed() {
        drop(guard);
        suspend(ms);
        return (lock(mutex), true);
    }
    let (guard, result) = cv
        .wait_timeout(guard, Duration::from_secs_f64(ms.max(0.0) / 1000.0))
        .unwrap_or_else(|p| p.into_inner());
    (guard, !result.timed_out())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel;
    use crate::engine::primitives::{Event, Lock};
    use crate::engine::trace::TRACE_TEST_LOCK;
    use std::cell::Cell;
    use std::sync::Arc;

    /// A stand-in for the browser's event loop: runs `handler` on each suspension (as a message handler
    /// runs while the program is suspended), counting them.
    fn event_loop(handler: impl Fn(u32) + 'static) -> Rc<Cell<u32>> {
        let turns = Rc::new(Cell::new(0));
        let counted = turns.clone();
        install(Some(Rc::new(move |ms: f64| {
            assert!(ms >= 0.0);
            counted.set(counted.get() + 1);
            handler(counted.get());
        })));
        turns
    }

    #[test]
    fn without_a_suspender_a_wait_blocks_as_a_condition_variable_does() {
        assert!(!is_installed());
        assert!(!suspend(10.0));
        let m = Mutex::new(0);
        let cv = Condvar::new();
        let t0 = std::time::Instant::now();
        let (guard, notified) = wait(&cv, &m, lock(&m), 30.0);
        assert_eq!(*guard, 0);
        assert!(!notified);
        assert!(t0.elapsed() >= Duration::from_millis(25));
    }

    #[test]
    fn a_suspended_wait_lets_go_of_its_lock_so_the_event_loop_can_end_it() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        cancel::reset();
        // The event the program waits on is set by what the event loop handles on its third turn, under
        // the very lock the wait holds: a wait that kept its lock would deadlock here.
        let event = Arc::new(Event::new());
        let setter = event.clone();
        let turns = event_loop(move |turn| {
            if turn == 3 {
                setter.set();
            }
        });
        let (set, _) = event.wait(Some(60_000.0));
        install(None);
        assert!(set);
        assert_eq!(turns.get(), 3);
    }

    #[test]
    fn a_lock_held_elsewhere_is_taken_once_the_event_loop_releases_it() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        cancel::reset();
        // Held by another thread, which only lets it go when told to by the event loop.
        let lock = Arc::new(Lock::new("held"));
        let (tell, told) = std::sync::mpsc::channel::<()>();
        let holder = {
            let lock = lock.clone();
            let (ready, is_ready) = std::sync::mpsc::channel();
            let h = std::thread::spawn(move || {
                lock.acquire().unwrap();
                ready.send(()).unwrap();
                told.recv().unwrap();
                lock.release().unwrap();
            });
            is_ready.recv().unwrap();
            h
        };
        let turns = event_loop(move |turn| {
            if turn == 2 {
                let _ = tell.send(());
            }
        });
        lock.acquire_timeout(Some(60_000.0)).unwrap();
        install(None);
        holder.join().unwrap();
        assert!(turns.get() >= 2);
        lock.release().unwrap();
    }

    #[test]
    fn a_stop_handled_by_the_event_loop_ends_a_sleep_at_once() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        cancel::reset();
        let turns = event_loop(|_| cancel::request("Stopped."));
        let t0 = std::time::Instant::now();
        crate::engine::sync::sleep_ms(60_000.0);
        install(None);
        cancel::reset();
        assert_eq!(turns.get(), 1);
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
}
