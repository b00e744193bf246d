//! Running the counter: the typed results, the three ways of adding one, and a variant's timed runs.

use super::*;
use crate::engine::names::thread_name;

/// One run of one variant.
#[derive(Serialize, Clone, Debug)]
pub struct Trial {
    pub actual: u64,
    pub lost: u64,
    pub ms: f64,
    /// Time threads spent blocked on the lock, summed over threads (locked variant only).
    pub lock_wait_ms: f64,
    pub contended_acquisitions: u64,
    /// What the emulated GIL did (all zero when free-threaded).
    pub gil: GilStats,
}

#[derive(Serialize, Clone, Debug)]
pub struct VariantResult {
    pub variant: Variant,
    pub label: &'static str,
    pub expected: u64,
    pub trials: Vec<Trial>,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// How many trials lost at least one update.
    pub trials_losing_updates: usize,
}

#[derive(Serialize, Clone, Debug)]
pub struct CounterResult {
    pub interpreter: Interpreter,
    pub interpreter_label: &'static str,
    pub threads: u64,
    pub increments: u64,
    pub expected: u64,
    pub variants: Vec<VariantResult>,
}

/// `counter += 1` without a lock: a read, then a write. Each is atomic (no undefined behaviour); the pair
/// is not, so another thread's write in between is overwritten and lost.
///
/// Under the emulated GIL, the switch point comes after the write, at the loop's backward jump, as in
/// CPython 3.10+: nothing can run between this thread's read and its write.
pub(super) fn add_unlocked(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        let seen = counter.load(Relaxed);
        counter.store(seen + 1, Relaxed);
        gil::checkpoint();
    }
}

/// `with lock: counter += 1`.
pub(super) fn add_locked(counter: &TracedMutex<u64>, n: u64) {
    for _ in 0..n {
        *counter.lock() += 1;
        gil::checkpoint();
    }
}

/// One atomic read-modify-write per increment: no lock needed.
pub(super) fn add_atomic(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        counter.fetch_add(1, Relaxed);
        gil::checkpoint();
    }
}

/// Starts `threads` threads running `body(counter, increments)` and joins them all.
pub(super) fn start_and_join<C: Send + Sync + 'static>(
    counter: &Arc<C>,
    threads: u64,
    increments: u64,
    group: &str,
    mut name: impl FnMut() -> String,
    body: fn(&C, u64),
) {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let c = counter.clone();
            thread::spawn(name(), group, move || body(&c, increments))
        })
        .collect();
    handles.into_iter().for_each(thread::JoinHandle::join);
}

/// Runs `threads` threads of `increments` additions each with one variant, timed from the first start to
/// the last join.
pub fn run_variant(
    interpreter: Interpreter,
    variant: Variant,
    threads: u64,
    increments: u64,
    group: &str,
    next_name: &mut u64,
) -> Trial {
    let name = || {
        *next_name += 1;
        thread_name(*next_name, variant.target())
    };
    let t0 = now_ms();
    let ((actual, lock_wait_ms, contended_acquisitions), gil) =
        gil::run_with(interpreter, || match variant {
            Variant::Unlocked => {
                let counter = Arc::new(AtomicU64::new(0));
                start_and_join(&counter, threads, increments, group, name, add_unlocked);
                (counter.load(Relaxed), 0.0, 0)
            }
            Variant::Locked => {
                let counter = Arc::new(TracedMutex::new(0u64));
                start_and_join(&counter, threads, increments, group, name, add_locked);
                let value = *counter.lock();
                (value, counter.waited_ms(), counter.contended())
            }
            Variant::Atomic => {
                let counter = Arc::new(AtomicU64::new(0));
                start_and_join(&counter, threads, increments, group, name, add_atomic);
                (counter.load(Relaxed), 0.0, 0)
            }
        });
    let ms = now_ms() - t0;
    let expected = threads * increments;
    Trial {
        actual,
        lost: expected.saturating_sub(actual),
        ms,
        lock_wait_ms,
        contended_acquisitions,
        gil,
    }
}
