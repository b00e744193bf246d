//! `threading`'s synchronization primitives and `queue.Queue`, built on std's Mutex and Condvar (in the
//! browser: futex waits on the shared memory, so a waiting thread is really blocked, not polling).
//!
//! Each records on the timeline what the calling thread waits for. [`Lock`] also tells the deadlock
//! detector ([`super::deadlock`]) who holds it and who waits for it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::cancel;
use super::deadlock::{self, Deadlock};
use super::lock;
use super::thread::{self, JoinHandle};
use super::trace;
use crate::clock::now_ms;
use crate::protocol::LaneState;

/// Waits on `cv` (holding `guard`, a guard of `mutex`) until `deadline` (epoch ms; `None`: forever), in
/// slices of at most `slice_ms` (and at most [`cancel::SLICE_MS`], so a stop request is seen). Returns the
/// guard and whether the deadline has passed.
fn wait_until<'a, T>(
    cv: &Condvar,
    mutex: &'a Mutex<T>,
    guard: MutexGuard<'a, T>,
    deadline: Option<f64>,
    slice_ms: f64,
) -> (MutexGuard<'a, T>, bool) {
    let slice_ms = slice_ms.min(cancel::SLICE_MS);
    let left = deadline.map_or(slice_ms, |d| (d - now_ms()).min(slice_ms));
    if left <= 0.0 {
        return (guard, true);
    }
    let guard = super::suspend::wait(cv, mutex, guard, left).0;
    (guard, deadline.is_some_and(|d| now_ms() >= d))
}

fn deadline(timeout_ms: Option<f64>) -> Option<f64> {
    timeout_ms.map(|t| now_ms() + t.max(0.0))
}

/// Why an acquisition did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum AcquireError {
    /// The timeout passed (`acquire(timeout=…)` returned False).
    TimedOut,
    /// The thread was part of a wait-for cycle; the detector made it give up.
    Deadlock(Deadlock),
}

struct LockState {
    /// The lane holding the lock, and how many times (always 1 for a plain Lock).
    owner: Option<u32>,
    count: u32,
    /// Condition bookkeeping: threads waiting on a Condition of this lock, and wake-ups granted to them.
    cond_waiters: u32,
    cond_tokens: u32,
}

/// `threading.Lock` (and, with `reentrant`, `threading.RLock`).
pub struct Lock {
    id: u32,
    reentrant: bool,
    state: Mutex<LockState>,
    released: Condvar,
    /// Signals Conditions built on this lock.
    notified: Condvar,
}

impl Lock {
    pub fn new(name: &str) -> Self {
        Self::build(name, false)
    }

    /// `threading.RLock`: the thread that holds it may take it again; it is free once released as often.
    pub fn reentrant(name: &str) -> Self {
        Self::build(name, true)
    }

    /// `_thread.lock` as learner Python uses it: any thread may release it, so a thread that blocks on a
    /// lock it took itself is waiting for another thread to release it (that is how `Condition.wait`
    /// blocks). The detector does not report such a self-wait; cycles through two or more threads it does.
    pub fn python(name: &str) -> Self {
        let lock = Self::build(name, false);
        deadlock::allow_self_wait(lock.id);
        lock
    }

    fn build(name: &str, reentrant: bool) -> Self {
        Lock {
            id: deadlock::register(name),
            reentrant,
            state: Mutex::new(LockState {
                owner: None,
                count: 0,
                cond_waiters: 0,
                cond_tokens: 0,
            }),
            released: Condvar::new(),
            notified: Condvar::new(),
        }
    }

    /// `acquire()`: blocks until the lock is free; fails only in a detected deadlock.
    ///
    /// # Errors
    /// [`AcquireError::Deadlock`] when this thread is in a wait-for cycle.
    pub fn acquire(&self) -> Result<(), AcquireError> {
        self.acquire_timeout(None)
    }

    /// `acquire(timeout=…)`: `Err(TimedOut)` when the lock stayed taken for `timeout_ms`.
    ///
    /// # Errors
    /// When the timeout passes or a deadlock through this thread is detected.
    pub fn acquire_timeout(&self, timeout_ms: Option<f64>) -> Result<(), AcquireError> {
        super::gil::allow_threads(|| self.acquire_timeout_without_gil(timeout_ms))
    }

    fn acquire_timeout_without_gil(&self, timeout_ms: Option<f64>) -> Result<(), AcquireError> {
        let me = trace::current_lane();
        let mut st = lock(&self.state);
        if st.owner == Some(me) && self.reentrant {
            st.count += 1;
            return Ok(());
        }
        if st.owner.is_none() {
            st.owner = Some(me);
            st.count = 1;
            deadlock::acquired(self.id, me);
            return Ok(());
        }
        // Taken (by another thread, or by this one for a plain Lock: it blocks itself, as in Python).
        let t0 = now_ms();
        let end = deadline(timeout_ms);
        trace::enter_at(me, LaneState::WaitingLock, t0);
        deadlock::waits(me, self.id, timeout_ms.is_some());
        let result = loop {
            if st.owner.is_none() {
                st.owner = Some(me);
                st.count = 1;
                deadlock::acquired(self.id, me);
                break Ok(());
            }
            let timed_out;
            (st, timed_out) = wait_until(&self.released, &self.state, st, end, deadlock::CHECK_MS);
            // A stop request ends the wait as a timeout would.
            if (timed_out || cancel::is_cancelled()) && st.owner.is_some() {
                deadlock::stops_waiting(me);
                break Err(AcquireError::TimedOut);
            }
            if st.owner.is_some() {
                drop(st);
                if let Some(found) = deadlock::check(me) {
                    trace::enter(LaneState::Running);
                    return Err(AcquireError::Deadlock(found));
                }
                st = lock(&self.state);
            }
        };
        drop(st);
        trace::enter(LaneState::Running);
        result
    }

    /// `acquire(blocking=False)`: takes the lock if it is free, without waiting or drawing a wait.
    pub fn try_acquire(&self) -> bool {
        let me = trace::current_lane();
        let mut st = lock(&self.state);
        if st.owner == Some(me) && self.reentrant {
            st.count += 1;
            return true;
        }
        if st.owner.is_some() {
            return false;
        }
        st.owner = Some(me);
        st.count = 1;
        deadlock::acquired(self.id, me);
        true
    }

    /// `release()`.
    ///
    /// # Errors
    /// `RuntimeError` as Python words it, when the lock is not held (or, for an RLock, not by the caller).
    pub fn release(&self) -> Result<(), String> {
        let me = trace::current_lane();
        let mut st = lock(&self.state);
        match st.owner {
            None => return Err("RuntimeError: release unlocked lock".into()),
            Some(owner) if self.reentrant && owner != me => {
                return Err("RuntimeError: cannot release un-acquired lock".into())
            }
            _ => {}
        }
        st.count -= 1;
        if st.count == 0 {
            st.owner = None;
            deadlock::released(self.id);
            self.released.notify_all();
        }
        Ok(())
    }

    /// Runs `f` with the lock held (`with lock:`).
    ///
    /// # Errors
    /// As [`acquire`](Self::acquire).
    pub fn with<R>(&self, f: impl FnOnce() -> R) -> Result<R, AcquireError> {
        self.acquire()?;
        let r = f();
        let _ = self.release();
        Ok(r)
    }

    pub fn locked(&self) -> bool {
        lock(&self.state).owner.is_some()
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        deadlock::forget(self.id);
    }
}

/// `threading.Condition(lock)`: wait until notified, releasing the lock while waiting.
pub struct Condition {
    lock: Arc<Lock>,
}

impl Condition {
    pub fn new(lock: Arc<Lock>) -> Self {
        Condition { lock }
    }

    pub fn lock(&self) -> &Lock {
        &self.lock
    }

    /// `cond.wait(timeout)`: the caller must hold the lock. Releases it, blocks until notified (or the
    /// timeout), takes it back. Returns whether it was notified.
    ///
    /// # Errors
    /// When the caller does not hold the lock.
    pub fn wait(&self, timeout_ms: Option<f64>) -> Result<bool, String> {
        super::gil::allow_threads(|| self.wait_without_gil(timeout_ms))
    }

    fn wait_without_gil(&self, timeout_ms: Option<f64>) -> Result<bool, String> {
        let me = trace::current_lane();
        let l = &self.lock;
        let mut st = lock(&l.state);
        if st.owner != Some(me) {
            return Err("RuntimeError: cannot wait on un-acquired lock".into());
        }
        let saved = st.count;
        st.owner = None;
        st.count = 0;
        deadlock::released(l.id);
        l.released.notify_all();
        st.cond_waiters += 1;
        trace::enter(LaneState::Waiting);
        let end = deadline(timeout_ms);
        let notified = loop {
            if st.cond_tokens > 0 {
                st.cond_tokens -= 1;
                break true;
            }
            let timed_out;
            (st, timed_out) = wait_until(&l.notified, &l.state, st, end, 1000.0);
            if (timed_out || cancel::is_cancelled()) && st.cond_tokens == 0 {
                break false;
            }
        };
        st.cond_waiters -= 1;
        // Take the lock back before returning, as Python does.
        while st.owner.is_some() {
            st = super::suspend::wait(&l.released, &l.state, st, cancel::SLICE_MS).0;
        }
        st.owner = Some(me);
        st.count = saved;
        deadlock::acquired(l.id, me);
        drop(st);
        trace::enter(LaneState::Running);
        Ok(notified)
    }

    /// `cond.notify(n)`: wakes up to `n` waiting threads. The caller must hold the lock.
    ///
    /// # Errors
    /// When the caller does not hold the lock.
    pub fn notify(&self, n: u32) -> Result<(), String> {
        let mut st = lock(&self.lock.state);
        if st.owner != Some(trace::current_lane()) {
            return Err("RuntimeError: cannot notify on un-acquired lock".into());
        }
        let sleeping = st.cond_waiters.saturating_sub(st.cond_tokens);
        st.cond_tokens += n.min(sleeping);
        self.lock.notified.notify_all();
        Ok(())
    }

    /// `cond.notify_all()`.
    ///
    /// # Errors
    /// When the caller does not hold the lock.
    pub fn notify_all(&self) -> Result<(), String> {
        self.notify(u32::MAX)
    }
}

/// `threading.Event`: a flag threads can wait for.
#[derive(Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
    /// Threads blocked in `wait` right now.
    waiting: AtomicUsize,
}

impl Event {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many threads are blocked in [`wait`](Self::wait) right now (a lesson waits for all of them
    /// before it sets the Event, so none arrives after the signal and skips the wait).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    pub fn set(&self) {
        *lock(&self.flag) = true;
        self.changed.notify_all();
    }

    pub fn clear(&self) {
        *lock(&self.flag) = false;
    }

    pub fn is_set(&self) -> bool {
        *lock(&self.flag)
    }

    /// `event.wait(timeout)`: blocks until set. Returns whether it is set, and how many times the thread
    /// was woken by a notification (1 when woken by `set`: nothing polls the flag). The wait is cut into
    /// slices of [`cancel::SLICE_MS`] only to see a stop request; the end of a slice is not a wake-up.
    pub fn wait(&self, timeout_ms: Option<f64>) -> (bool, u32) {
        super::gil::allow_threads(|| self.wait_without_gil(timeout_ms))
    }

    fn wait_without_gil(&self, timeout_ms: Option<f64>) -> (bool, u32) {
        let mut flag = lock(&self.flag);
        if *flag {
            return (true, 0);
        }
        trace::enter(LaneState::Waiting);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let end = deadline(timeout_ms);
        let mut wakeups = 0;
        while !*flag {
            if cancel::is_cancelled() || end.is_some_and(|d| now_ms() >= d) {
                break;
            }
            let notified;
            (flag, notified) = cancel::wait_slice(&self.changed, &self.flag, flag, end);
            // A `set()` that lands just as a slice times out reports no notification, yet it is what
            // woke the thread: finding the flag set after a wait is the one wake-up by the signal.
            if notified || *flag {
                wakeups += 1;
            }
        }
        let set = *flag;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        drop(flag);
        trace::enter(LaneState::Running);
        (set, wakeups)
    }
}

/// `threading.Semaphore(n)`, and with `bounded`, `threading.BoundedSemaphore(n)`.
pub struct Semaphore {
    value: Mutex<u32>,
    initial: u32,
    bounded: bool,
    freed: Condvar,
}

impl Semaphore {
    pub fn new(n: u32) -> Self {
        Semaphore {
            value: Mutex::new(n),
            initial: n,
            bounded: false,
            freed: Condvar::new(),
        }
    }

    pub fn bounded(n: u32) -> Self {
        Semaphore {
            bounded: true,
            ..Self::new(n)
        }
    }

    /// `acquire()`: blocks while the count is 0. Records the caller as holding a slot.
    pub fn acquire(&self) {
        super::gil::allow_threads(|| self.acquire_without_gil())
    }

    fn acquire_without_gil(&self) {
        let mut v = lock(&self.value);
        if *v == 0 {
            trace::enter(LaneState::Waiting);
            while *v == 0 {
                if cancel::is_cancelled() {
                    // Stopped: give up without a permit.
                    drop(v);
                    trace::enter(LaneState::Running);
                    return;
                }
                v = cancel::wait_slice(&self.freed, &self.value, v, None).0;
            }
        }
        *v -= 1;
        // Recorded while the count is still locked, so a slot's release and its next holder's start are
        // logged in the order they happened (the timeline never shows more holders than permits).
        trace::enter(LaneState::Holding);
        drop(v);
    }

    /// `release()`.
    ///
    /// # Errors
    /// For a bounded semaphore, a release beyond the initial count: Python's `ValueError`.
    pub fn release(&self) -> Result<(), String> {
        let mut v = lock(&self.value);
        if self.bounded && *v >= self.initial {
            return Err("ValueError: Semaphore released too many times".into());
        }
        trace::enter(LaneState::Running);
        *v += 1;
        drop(v);
        self.freed.notify_one();
        Ok(())
    }

    pub fn value(&self) -> u32 {
        *lock(&self.value)
    }
}

/// `queue.Queue(maxsize)`: a FIFO that blocks `put` when full and `get` when empty (maxsize 0: unbounded).
pub struct Queue<T> {
    items: Mutex<VecDeque<T>>,
    maxsize: usize,
    /// The most items the queue ever held at once.
    high_water: AtomicUsize,
    not_empty: Condvar,
    not_full: Condvar,
}

impl<T> Queue<T> {
    pub fn new(maxsize: usize) -> Self {
        Queue {
            items: Mutex::new(VecDeque::new()),
            maxsize,
            high_water: AtomicUsize::new(0),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }

    /// `put(item)`: blocks while the queue is full. Returns the milliseconds spent blocked.
    pub fn put(&self, item: T) -> f64 {
        super::gil::allow_threads(|| self.put_without_gil(item))
    }

    fn put_without_gil(&self, item: T) -> f64 {
        let mut q = lock(&self.items);
        let mut blocked = 0.0;
        if self.maxsize > 0 && q.len() >= self.maxsize {
            let t0 = now_ms();
            trace::enter_at(trace::current_lane(), LaneState::Waiting, t0);
            // A stop request lets the item in over the limit: the run is ending.
            while q.len() >= self.maxsize && !cancel::is_cancelled() {
                q = cancel::wait_slice(&self.not_full, &self.items, q, None).0;
            }
            blocked = now_ms() - t0;
            trace::enter(LaneState::Running);
        }
        q.push_back(item);
        self.high_water.fetch_max(q.len(), Ordering::Relaxed);
        drop(q);
        self.not_empty.notify_one();
        blocked
    }

    /// `get(timeout=…)`: blocks while empty; `None` when the timeout passed. Also returns the
    /// milliseconds spent blocked.
    pub fn get(&self, timeout_ms: Option<f64>) -> (Option<T>, f64) {
        super::gil::allow_threads(|| self.get_without_gil(timeout_ms))
    }

    fn get_without_gil(&self, timeout_ms: Option<f64>) -> (Option<T>, f64) {
        let mut q = lock(&self.items);
        let t0 = now_ms();
        let end = deadline(timeout_ms);
        let waited = q.is_empty();
        if waited {
            trace::enter_at(trace::current_lane(), LaneState::Waiting, t0);
        }
        let item = loop {
            if let Some(item) = q.pop_front() {
                break Some(item);
            }
            if cancel::is_cancelled() {
                break None;
            }
            let timed_out;
            (q, timed_out) = wait_until(&self.not_empty, &self.items, q, end, 1000.0);
            if timed_out && q.is_empty() {
                break None;
            }
        };
        drop(q);
        self.not_full.notify_one();
        if waited {
            trace::enter(LaneState::Running);
        }
        (item, if waited { now_ms() - t0 } else { 0.0 })
    }

    pub fn len(&self) -> usize {
        lock(&self.items).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items the queue held at any moment (measured at each `put`, under the queue's lock).
    pub fn high_water(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
    }
}

/// `threading.Timer(interval, f)`: a thread that waits `interval`, then runs `f` unless cancelled.
pub struct Timer {
    cancelled: Arc<Event>,
    handle: JoinHandle<Option<f64>>,
}

impl Timer {
    /// Starts the timer (`Timer(...).start()`). The thread records when `f` ran.
    pub fn start(
        name: &str,
        group: &str,
        interval_ms: f64,
        f: impl FnOnce() + Send + 'static,
    ) -> Timer {
        let cancelled = Arc::new(Event::new());
        let c = cancelled.clone();
        let handle = thread::spawn(name, group, move || {
            let (was_cancelled, _) = c.wait(Some(interval_ms));
            if was_cancelled {
                return None;
            }
            let fired_at = now_ms();
            f();
            Some(fired_at)
        });
        Timer { cancelled, handle }
    }

    /// `timer.cancel()`: the function will not run if it has not started yet.
    pub fn cancel(&self) {
        self.cancelled.set();
    }

    /// Waits for the timer's thread; returns when `f` started, or `None` if it was cancelled.
    pub fn join(self) -> Option<f64> {
        super::gil::allow_threads(|| self.join_without_gil())
    }

    fn join_without_gil(self) -> Option<f64> {
        self.handle.join()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::TRACE_TEST_LOCK;

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        let g = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        deadlock::reset();
        g
    }

    #[test]
    fn a_plain_lock_times_out_on_itself_and_an_rlock_reenters() {
        let _s = serial();
        let plain = Lock::new("lock");
        plain.acquire().unwrap();
        assert_eq!(
            plain.acquire_timeout(Some(30.0)),
            Err(AcquireError::TimedOut)
        );
        plain.release().unwrap();
        assert!(
            plain.release().is_err(),
            "releasing an unlocked lock is an error"
        );
        let r = Lock::reentrant("rlock");
        r.acquire().unwrap();
        r.acquire_timeout(Some(30.0)).unwrap();
        r.release().unwrap();
        assert!(r.locked());
        r.release().unwrap();
        assert!(!r.locked());
    }

    #[test]
    fn a_python_lock_waiting_on_itself_waits_for_another_thread_to_release_it() {
        // Condition.wait's pattern: take the waiter lock, then block taking it again until another
        // thread releases it. A plain Lock would be reported as a deadlock after CHECK_MS; this one not.
        let _s = serial();
        let waiter = Arc::new(Lock::python("waiter"));
        assert!(waiter.try_acquire());
        assert!(
            !waiter.try_acquire(),
            "try_acquire must not take a held lock"
        );
        let releaser = {
            let waiter = waiter.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(150));
                waiter.release().unwrap();
            })
        };
        let t0 = now_ms();
        assert_eq!(waiter.acquire(), Ok(()), "reported as a deadlock");
        assert!(now_ms() - t0 >= 140.0);
        releaser.join().unwrap();
    }

    #[test]
    fn two_threads_taking_two_locks_in_opposite_order_are_detected() {
        let _s = serial();
        let a = Arc::new(Lock::new("lock_a"));
        let b = Arc::new(Lock::new("lock_b"));
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let worker =
            |first: Arc<Lock>, second: Arc<Lock>, barrier: Arc<std::sync::Barrier>, lane: u32| {
                std::thread::spawn(move || {
                    trace::set_current_lane(lane);
                    first.acquire().unwrap();
                    barrier.wait();
                    let r = second.acquire();
                    first.release().unwrap();
                    r
                })
            };
        let l1 = trace::new_lane("Thread-1", crate::protocol::LaneKind::Thread, "");
        let l2 = trace::new_lane("Thread-2", crate::protocol::LaneKind::Thread, "");
        let h1 = worker(a.clone(), b.clone(), barrier.clone(), l1);
        let h2 = worker(b, a, barrier, l2);
        let results = [h1.join().unwrap(), h2.join().unwrap()];
        // At least one thread is made the victim; once it lets go, the other may finish.
        let d = results
            .iter()
            .find_map(|r| {
                if let Err(AcquireError::Deadlock(d)) = r {
                    Some(d.clone())
                } else {
                    None
                }
            })
            .expect("a deadlock must be detected");
        assert_eq!(d.cycle.len(), 2);
        assert!(d.detected_at - d.formed_at < 1000.0);
        assert!(
            d.describe().contains("holds lock_a and waits for lock_b")
                || d.describe().contains("holds lock_b and waits for lock_a")
        );
    }

    #[test]
    fn a_cycle_through_a_timed_wait_times_out_instead_of_being_called_a_deadlock() {
        let _s = serial();
        let a = Arc::new(Lock::new("lock_a"));
        let b = Arc::new(Lock::new("lock_b"));
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let worker = |first: Arc<Lock>,
                      second: Arc<Lock>,
                      barrier: Arc<std::sync::Barrier>,
                      lane: u32,
                      timeout: Option<f64>| {
            std::thread::spawn(move || {
                trace::set_current_lane(lane);
                first.acquire().unwrap();
                barrier.wait();
                let r = second.acquire_timeout(timeout);
                if r.is_ok() {
                    second.release().unwrap();
                }
                first.release().unwrap();
                r
            })
        };
        let l1 = trace::new_lane("Thread-1", crate::protocol::LaneKind::Thread, "");
        let l2 = trace::new_lane("Thread-2", crate::protocol::LaneKind::Thread, "");
        // Thread-1 waits with a 200 ms timeout (several detector checks long), Thread-2 without one.
        let h1 = worker(a.clone(), b.clone(), barrier.clone(), l1, Some(200.0));
        let h2 = worker(b, a, barrier, l2, None);
        assert_eq!(h1.join().unwrap(), Err(AcquireError::TimedOut));
        assert_eq!(h2.join().unwrap(), Ok(()), "the timeout broke the cycle");
    }

    #[test]
    fn a_bounded_semaphore_refuses_an_extra_release() {
        let s = Semaphore::bounded(2);
        s.acquire();
        s.release().unwrap();
        assert!(s.release().unwrap_err().contains("released too many times"));
        let plain = Semaphore::new(1);
        plain.release().unwrap();
        assert_eq!(plain.value(), 2);
    }

    #[test]
    fn a_condition_wakes_a_waiter_and_an_event_needs_one_wakeup() {
        let _s = serial();
        let cond = Arc::new(Condition::new(Arc::new(Lock::new("c"))));
        let c2 = cond.clone();
        let waiter = std::thread::spawn(move || {
            c2.lock().acquire().unwrap();
            let r = c2.wait(Some(2000.0)).unwrap();
            c2.lock().release().unwrap();
            r
        });
        while lock(&cond.lock.state).cond_waiters == 0 {
            std::thread::yield_now();
        }
        cond.lock().acquire().unwrap();
        cond.notify(1).unwrap();
        cond.lock().release().unwrap();
        assert!(waiter.join().unwrap(), "notified before the timeout");

        let ev = Arc::new(Event::new());
        let e2 = ev.clone();
        let h = std::thread::spawn(move || e2.wait(None));
        std::thread::sleep(std::time::Duration::from_millis(30));
        ev.set();
        let (set, wakeups) = h.join().unwrap();
        assert!(set);
        assert_eq!(wakeups, 1, "the waiter slept until set() woke it");
    }

    #[test]
    fn a_bounded_queue_keeps_order_and_blocks_when_full() {
        let _s = serial();
        let q = Arc::new(Queue::new(2));
        let q2 = q.clone();
        let producer = std::thread::spawn(move || (0..6).map(|i| q2.put(i)).sum::<f64>());
        std::thread::sleep(std::time::Duration::from_millis(40));
        let got: Vec<i32> = (0..6).map(|_| q.get(None).0.unwrap()).collect();
        assert_eq!(got, (0..6).collect::<Vec<_>>());
        assert!(
            producer.join().unwrap() >= 30.0,
            "the producer blocked on the full queue"
        );
        assert_eq!(q.get(Some(20.0)).0, None);
    }
}
