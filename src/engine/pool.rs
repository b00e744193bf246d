//! Long-lived workers that run thread bodies, so starting a thread does not start a Web Worker.
//!
//! In the browser each worker is a Web Worker sharing the runtime's wasm memory: JavaScript starts it and
//! calls [`Pool::run_worker`], which never returns; the worker then waits here, really blocked (a futex
//! wait, `memory.atomic.wait32`), until a job arrives. The runtime starts as many workers as a run needs
//! *before* the run, because a Web Worker cannot start while the code that wants it is blocked.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use super::lock;

pub type Job = Box<dyn FnOnce() + Send + 'static>;

pub struct Pool {
    queue: Mutex<VecDeque<Job>>,
    ready: Condvar,
    workers: AtomicUsize,
    busy: AtomicUsize,
    /// Submitted and not yet finished.
    outstanding: AtomicUsize,
}

thread_local! {
    static WORKER_INDEX: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
    /// This worker's job called [`Pool::job_done`]: it no longer counts as outstanding.
    static DONE_EARLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The index of the pool worker running the caller, if it is one.
pub fn current_worker() -> Option<u32> {
    WORKER_INDEX.with(|w| w.get())
}

impl Pool {
    pub const fn new() -> Self {
        Pool {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            workers: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            outstanding: AtomicUsize::new(0),
        }
    }

    /// Queues a job; the next idle worker runs it.
    pub fn submit(&self, job: Job) {
        self.outstanding.fetch_add(1, Ordering::SeqCst);
        lock(&self.queue).push_back(job);
        self.ready.notify_one();
    }

    /// Workers that have started.
    pub fn workers(&self) -> usize {
        self.workers.load(Ordering::SeqCst)
    }

    /// Jobs submitted and not finished yet (queued or running).
    pub fn outstanding(&self) -> usize {
        self.outstanding.load(Ordering::SeqCst)
    }

    /// Workers running a job right now.
    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::SeqCst)
    }

    /// The body of a worker: take jobs forever.
    pub fn run_worker(&self, index: u32) -> ! {
        WORKER_INDEX.with(|w| w.set(Some(index)));
        self.workers.fetch_add(1, Ordering::SeqCst);
        loop {
            let job = {
                DONE_EARLY.with(|d| d.set(false));
                let mut queue = lock(&self.queue);
                loop {
                    if let Some(job) = queue.pop_front() {
                        break job;
                    }
                    queue = self.ready.wait(queue).unwrap_or_else(|p| p.into_inner());
                }
            };
            self.busy.fetch_add(1, Ordering::SeqCst);
            run_job(job);
            self.busy.fetch_sub(1, Ordering::SeqCst);
            self.no_longer_outstanding();
        }
    }

    /// The running job is finished as far as its joiners can tell (they are about to be woken): it stops
    /// counting as outstanding now. A joiner that starts the next threads at once would otherwise count
    /// it, find one worker too few and ask for another, though this one is about to be idle (Firefox once
    /// started 8 workers for a lesson of 7 threads).
    pub fn job_done(&self) {
        if current_worker().is_some() {
            self.no_longer_outstanding();
        }
    }

    fn no_longer_outstanding(&self) {
        if !DONE_EARLY.with(|d| d.replace(true)) {
            self.outstanding.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// The calling worker is about to trap (a panic in the browser, where nothing unwinds): it no longer
    /// counts as a worker, and its job as neither busy nor outstanding. The runtime starts a replacement.
    pub fn worker_lost(&self) {
        self.busy.fetch_sub(1, Ordering::SeqCst);
        self.no_longer_outstanding();
        self.workers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// In the browser a panicking job traps its worker (see [`super::fault`]); natively it unwinds, and the
/// worker survives to take the next job, like a browser worker that was replaced.
#[cfg(target_arch = "wasm32")]
fn run_job(job: Job) {
    job();
}

#[cfg(not(target_arch = "wasm32"))]
fn run_job(job: Job) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
}

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

/// The runtime's pool (the browser's thread workers, or OS threads natively).
pub static POOL: Pool = Pool::new();

/// The stack of each native pool thread. Larger than std's 2 MiB default because learner Python runs on
/// these threads in native tests, and an unoptimized RustPython frame takes tens of kilobytes of stack
/// (it guards its stack and raises `RecursionError`, but 2 MiB would hold only a shallow program).
#[cfg(not(target_arch = "wasm32"))]
pub const NATIVE_STACK_BYTES: usize = 32 << 20;

/// Natively, starts OS threads until the pool has `n` workers (in the browser JavaScript does this).
#[cfg(not(target_arch = "wasm32"))]
pub fn ensure_native_workers(n: usize) {
    static STARTING: Mutex<usize> = Mutex::new(0);
    let mut started = lock(&STARTING);
    while *started < n {
        let index = *started as u32;
        std::thread::Builder::new()
            .name(format!("pool-worker-{index}"))
            .stack_size(NATIVE_STACK_BYTES)
            .spawn(move || POOL.run_worker(index))
            .expect("cannot start an OS thread");
        *started += 1;
    }
    drop(started);
    while POOL.workers() < n {
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::sync::Arc;

    #[test]
    fn workers_are_reused_and_run_jobs_concurrently() {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new()));
        for i in 0..2 {
            std::thread::spawn(move || pool.run_worker(i));
        }
        // Two jobs that each wait for the other prove two workers run at once.
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let (tx, rx) = mpsc::channel();
        for _ in 0..2 {
            let (b, tx) = (barrier.clone(), tx.clone());
            pool.submit(Box::new(move || {
                b.wait();
                tx.send(current_worker()).unwrap();
            }));
        }
        let mut seen: Vec<_> = (0..2).map(|_| rx.recv().unwrap().unwrap()).collect();
        seen.sort();
        assert_eq!(seen, vec![0, 1]);
        // A third job reuses one of the same two workers.
        let tx2 = tx.clone();
        pool.submit(Box::new(move || tx2.send(current_worker()).unwrap()));
        assert!(rx.recv().unwrap().unwrap() < 2);
        assert_eq!(pool.workers(), 2);
    }
}
