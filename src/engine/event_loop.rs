//! A small, real, single-threaded event loop: what `asyncio` does, in Rust.
//!
//! Tasks are futures (Rust's `async` blocks, Python's coroutines) polled one at a time on the calling
//! thread. `sleep(ms).await` puts a timer on a heap and gives the thread back to the loop. When no task is
//! ready, the loop really sleeps (blocks its thread) until the earliest deadline, then wakes the tasks whose
//! timers are due. Nothing runs in parallel: waits overlap, computation does not.

use std::cell::RefCell;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::clock::now_ms;
use crate::engine::{lock, sync};

struct Timer {
    deadline: f64,
    seq: u64,
    waker: Waker,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.deadline
            .total_cmp(&other.deadline)
            .then(self.seq.cmp(&other.seq))
    }
}

#[derive(Default)]
struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
}

thread_local! {
    /// The timers of the loop running on this thread (one loop per thread at a time, as in asyncio).
    static TIMERS: RefCell<Timers> = RefCell::new(Timers::default());
}

/// `asyncio.sleep(ms / 1000)`: completes once `ms` have passed, without blocking the loop meanwhile.
pub fn sleep(ms: f64) -> Sleep {
    Sleep {
        deadline: now_ms() + ms.max(0.0),
        registered: false,
    }
}

pub struct Sleep {
    deadline: f64,
    registered: bool,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if now_ms() >= self.deadline {
            return Poll::Ready(());
        }
        if !self.registered {
            let deadline = self.deadline;
            TIMERS.with(|t| {
                let mut t = t.borrow_mut();
                t.seq += 1;
                let seq = t.seq;
                t.heap.push(Reverse(Timer {
                    deadline,
                    seq,
                    waker: cx.waker().clone(),
                }));
            });
            self.registered = true;
        }
        Poll::Pending
    }
}

/// Wakes a task by putting its index on the loop's ready queue.
struct TaskWaker {
    id: usize,
    ready: Arc<Mutex<VecDeque<usize>>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        lock(&self.ready).push_back(self.id);
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// What one run of the loop did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoopStats {
    /// Times a task was resumed.
    pub polls: u64,
    /// Milliseconds the loop's thread slept waiting for the next timer.
    pub idle_ms: f64,
}

/// `asyncio.new_event_loop()`: tasks created with [`spawn`](Self::spawn) run when [`run`](Self::run) is
/// called, until all are done.
#[derive(Default)]
pub struct EventLoop {
    tasks: Vec<Option<Task>>,
    ready: Arc<Mutex<VecDeque<usize>>>,
}

impl EventLoop {
    pub fn new() -> Self {
        Self::default()
    }

    /// `loop.create_task(coro)`: schedules the task to start at the loop's next turn. Returns the bytes its
    /// state takes on the heap (the future's size: everything it keeps across an `await`).
    pub fn spawn(&mut self, task: impl Future<Output = ()> + 'static) -> usize {
        let boxed: Task = Box::pin(task);
        let bytes = std::mem::size_of_val(&*boxed);
        lock(&self.ready).push_back(self.tasks.len());
        self.tasks.push(Some(boxed));
        bytes
    }

    /// Runs until every task has finished.
    ///
    /// # Errors
    /// When tasks are still pending but no timer could ever wake them (a task awaited something this loop
    /// does not drive).
    pub fn run(&mut self) -> Result<LoopStats, String> {
        // Timers left by an earlier loop on this thread that ended with an error wake nothing here.
        TIMERS.with(|t| t.borrow_mut().heap.clear());
        let mut stats = LoopStats::default();
        let mut left = self.tasks.iter().filter(|t| t.is_some()).count();
        loop {
            loop {
                let next = lock(&self.ready).pop_front();
                let Some(id) = next else { break };
                let Some(task) = self.tasks.get_mut(id).and_then(Option::as_mut) else {
                    continue;
                };
                let waker = Waker::from(Arc::new(TaskWaker {
                    id,
                    ready: self.ready.clone(),
                }));
                stats.polls += 1;
                if task
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_ready()
                {
                    self.tasks[id] = None;
                    left -= 1;
                }
            }
            if left == 0 {
                self.tasks.clear();
                return Ok(stats);
            }
            let next = TIMERS.with(|t| t.borrow().heap.peek().map(|Reverse(t)| t.deadline));
            let Some(deadline) = next else {
                return Err(format!(
                    "{left} task(s) wait for something no timer will wake"
                ));
            };
            let wait = deadline - now_ms();
            if wait > 0.0 {
                stats.idle_ms += sync::sleep_ms(wait);
            }
            let now = now_ms();
            TIMERS.with(|t| {
                let mut t = t.borrow_mut();
                while t.heap.peek().is_some_and(|Reverse(x)| x.deadline <= now) {
                    if let Some(Reverse(timer)) = t.heap.pop() {
                        timer.waker.wake();
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn sleeps_overlap_on_one_thread_and_finish_in_deadline_order() {
        let done = Rc::new(RefCell::new(Vec::new()));
        let mut el = EventLoop::new();
        for (i, ms) in [60.0, 20.0, 40.0].into_iter().enumerate() {
            let done = done.clone();
            el.spawn(async move {
                sleep(ms).await;
                done.borrow_mut().push(i);
            });
        }
        let t0 = now_ms();
        let stats = el.run().unwrap();
        let took = now_ms() - t0;
        assert_eq!(*done.borrow(), vec![1, 2, 0]);
        // At least the longest wait; less than the three one after another (120 ms).
        assert!((60.0..115.0).contains(&took), "took {took} ms");
        assert!(stats.idle_ms >= 50.0, "{stats:?}");
        assert_eq!(stats.polls, 6, "each task: started, then woken once");
    }

    #[test]
    fn a_task_can_await_several_sleeps_in_a_row() {
        let mut el = EventLoop::new();
        let steps = Rc::new(RefCell::new(0));
        let s = steps.clone();
        el.spawn(async move {
            for _ in 0..3 {
                sleep(5.0).await;
                *s.borrow_mut() += 1;
            }
        });
        el.run().unwrap();
        assert_eq!(*steps.borrow(), 3);
    }

    #[test]
    fn a_task_waiting_for_nothing_is_an_error_not_a_hang() {
        let mut el = EventLoop::new();
        el.spawn(std::future::pending::<()>());
        assert!(el.run().unwrap_err().contains("1 task"));
    }
}
