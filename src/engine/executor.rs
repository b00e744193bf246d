//! `concurrent.futures.ThreadPoolExecutor`: `max_workers` threads take submitted tasks from one queue, in
//! order. A task's failure is kept in its future and surfaces when `result()` is asked for, as in Python.

use std::sync::{Arc, Condvar, Mutex};

use super::lock;
use super::primitives::Queue;
use super::thread::{self, JoinHandle};
use super::trace;

type Task = Box<dyn FnOnce() + Send + 'static>;

/// What a task did: its value or its exception (as text), and which worker thread ran it.
struct Outcome<T> {
    value: Result<T, String>,
    worker: String,
}

/// `Future`: a submitted task's eventual result.
pub struct Future<T> {
    slot: Arc<(Mutex<Option<Outcome<T>>>, Condvar)>,
}

impl<T> Future<T> {
    /// `future.result()`: blocks until the task is done; its exception is returned as the error.
    ///
    /// # Errors
    /// The task's exception.
    pub fn result(&self) -> Result<T, String>
    where
        T: Clone,
    {
        super::gil::allow_threads(|| self.result_without_gil())
    }

    fn result_without_gil(&self) -> Result<T, String>
    where
        T: Clone,
    {
        self.wait_done();
        let guard = lock(&self.slot.0);
        guard
            .as_ref()
            .map_or_else(|| Err("the task vanished".into()), |o| o.value.clone())
    }

    /// The name of the worker thread that ran the task (after it is done).
    pub fn worker(&self) -> String {
        self.wait_done();
        lock(&self.slot.0)
            .as_ref()
            .map(|o| o.worker.clone())
            .unwrap_or_default()
    }

    pub fn done(&self) -> bool {
        lock(&self.slot.0).is_some()
    }

    fn wait_done(&self) {
        let (m, cv) = &*self.slot;
        let mut guard = lock(m);
        if guard.is_none() {
            trace::enter(crate::protocol::LaneState::Waiting);
            // A stop request ends the wait; `result()` then reports the task as lost.
            while guard.is_none() && !super::cancel::is_cancelled() {
                guard = super::cancel::wait_slice(cv, m, guard, None).0;
            }
            trace::enter(crate::protocol::LaneState::Running);
        }
    }
}

/// A pool of `max_workers` named threads ("ThreadPoolExecutor-0_0", …) fed from one FIFO queue.
pub struct Executor {
    tasks: Arc<Queue<Option<Task>>>,
    workers: Vec<JoinHandle<()>>,
}

thread_local! {
    static WORKER_NAME: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl Executor {
    /// Starts the pool's threads, named `{prefix}_{i}` and drawn in timeline group `group`.
    pub fn new(max_workers: usize, prefix: &str, group: &str) -> Self {
        let tasks: Arc<Queue<Option<Task>>> = Arc::new(Queue::new(0));
        let workers = (0..max_workers.max(1))
            .map(|i| {
                let tasks = tasks.clone();
                let name = format!("{prefix}_{i}");
                let own = name.clone();
                thread::spawn(name, group, move || {
                    WORKER_NAME.with(|w| *w.borrow_mut() = own);
                    // `None` is the shutdown signal, one per worker.
                    while let (Some(Some(task)), _) = tasks.get(None) {
                        task();
                    }
                })
            })
            .collect();
        Executor { tasks, workers }
    }

    /// `executor.submit(f)`: queues `f`; returns its future at once.
    pub fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Future<T> {
        let slot = Arc::new((Mutex::new(None), Condvar::new()));
        let s = slot.clone();
        self.tasks.put(Some(Box::new(move || {
            let value = f();
            let worker = WORKER_NAME.with(|w| w.borrow().clone());
            *lock(&s.0) = Some(Outcome { value, worker });
            s.1.notify_all();
        })));
        Future { slot }
    }

    /// `executor.map(f, items)`: results in the order of `items`, whatever order the tasks finish in.
    ///
    /// # Errors
    /// The first exception, in input order (as iterating Python's `map` result raises it).
    pub fn map<I, T>(&self, f: fn(I) -> Result<T, String>, items: Vec<I>) -> Result<Vec<T>, String>
    where
        I: Send + 'static,
        T: Send + Clone + 'static,
    {
        let futures: Vec<Future<T>> = items
            .into_iter()
            .map(|item| self.submit(move || f(item)))
            .collect();
        futures.iter().map(Future::result).collect()
    }

    /// `executor.shutdown(wait=True)`: lets the workers finish the queue, then joins them.
    pub fn shutdown(self) {
        for _ in 0..self.workers.len() {
            self.tasks.put(None);
        }
        self.workers.into_iter().for_each(JoinHandle::join);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::TRACE_TEST_LOCK;

    #[test]
    fn map_keeps_input_order_and_a_failure_surfaces_at_result() {
        let _s = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        let pool = Executor::new(3, "ThreadPoolExecutor-0", "");
        let slow_first = |i: u64| -> Result<u64, String> {
            crate::engine::sync::sleep_ms(((5 - i) * 10) as f64);
            Ok(i * i)
        };
        assert_eq!(
            pool.map(slow_first, vec![0, 1, 2, 3, 4]).unwrap(),
            vec![0, 1, 4, 9, 16]
        );
        let failing =
            pool.submit(|| -> Result<u32, String> { Err("ValueError: bad input".into()) });
        assert_eq!(failing.result(), Err("ValueError: bad input".into()));
        assert!(failing.worker().starts_with("ThreadPoolExecutor-0_"));
        pool.shutdown();
    }
}
