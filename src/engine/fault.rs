//! A panic in lesson code, reported the way Python's `threading.excepthook` reports an exception that
//! ends a thread: "Exception in thread Thread-2 (worker): …", while the other threads carry on.
//!
//! The browser build aborts on panic (`panic = "abort"`): the panicking Web Worker traps and is gone, and
//! nothing unwinds. So everything that must happen for the run to go on happens in the panic hook, on the
//! panicking thread, before the trap: the exception is recorded for the outcome and printed to the run's
//! output, and the handlers the thread registered run (a thread's handle is marked finished and its
//! joiners are woken; a run's main thread hands its failure to the runtime). In the browser the hook also
//! takes the worker out of the pool's counts; the runtime then replaces the lost worker.
//!
//! The hook only ever *tries* the run's locks: the panicking thread may hold one, and waiting for it would
//! hang the worker instead of ending it. Memory exhaustion is turned into a panic too (see
//! [`install`]), so it is reported the same way.

use std::cell::RefCell;
use std::sync::{Mutex, Once};

use crate::clock::now_ms;
use crate::engine::trace;

// What it records is a payload of the outcome, so the type is the protocol's.
pub use crate::protocol::ThreadException;

static EXCEPTIONS: Mutex<Vec<ThreadException>> = Mutex::new(Vec::new());

type Handler = Box<dyn FnOnce(&str)>;

thread_local! {
    static HANDLERS: RefCell<Vec<Handler>> = const { RefCell::new(Vec::new()) };
    static NAME: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Starts an empty list of exceptions for a new run.
pub fn reset() {
    crate::engine::lock(&EXCEPTIONS).clear();
}

/// The exceptions recorded in this run, in the order they happened.
pub fn exceptions() -> Vec<ThreadException> {
    crate::engine::lock(&EXCEPTIONS).clone()
}

/// Names the calling thread (or process) for the report of a panic on it.
pub fn set_name(name: impl Into<String>) {
    NAME.with(|n| *n.borrow_mut() = Some(name.into()));
}

/// Runs `handler` with the panic's message if the calling thread panics before [`disarm`] is called.
pub fn arm(handler: impl FnOnce(&str) + 'static) {
    HANDLERS.with(|h| h.borrow_mut().push(Box::new(handler)));
}

/// Removes the handler most recently [`arm`]ed on this thread (its work ended without a panic).
pub fn disarm() {
    HANDLERS.with(|h| {
        h.borrow_mut().pop();
    });
}

/// Installs the panic hook (once per memory; later calls do nothing). It records the panic, then calls
/// the hook that was set before (in the browser: `console_error_panic_hook`, for a readable message in the
/// console).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = match (
                info.payload().downcast_ref::<&str>(),
                info.payload().downcast_ref::<String>(),
            ) {
                (Some(s), _) => (*s).to_string(),
                (_, Some(s)) => s.clone(),
                _ => "panic".to_string(),
            };
            let message = match info.location() {
                Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
                None => message,
            };
            report(&message);
            previous(info);
        }));
        #[cfg(target_arch = "wasm32")]
        std::alloc::set_alloc_error_hook(|layout| {
            panic!(
                "out of memory: could not allocate {} bytes (the shared memory is limited to {} MiB)",
                layout.size(),
                crate::engine::limits::MAX_MEMORY_BYTES >> 20
            )
        });
    });
}

/// Records a panic on the calling thread and runs its handlers. Public for the hook and for tests.
pub fn report(message: &str) {
    let in_child = trace::is_forwarding();
    let name = NAME.with(|n| n.borrow().clone()).unwrap_or_else(|| {
        trace::try_lane_name(trace::current_lane()).unwrap_or_else(|| "a thread".into())
    });
    let what = if in_child { "process" } else { "thread" };
    trace::try_print(format!("Exception in {what} {name}: {message}"));
    trace::try_enter(crate::protocol::LaneState::Finished);
    if let Ok(mut list) = EXCEPTIONS.try_lock() {
        if list.len() < 100 {
            list.push(ThreadException {
                thread: name,
                message: message.chars().take(500).collect(),
                at: now_ms(),
            });
        }
    }
    crate::engine::gil::release_after_panic();
    let handlers = HANDLERS.with(|h| std::mem::take(&mut *h.borrow_mut()));
    for handler in handlers.into_iter().rev() {
        handler(message);
    }
    // The worker traps after this hook: it is no longer one of the pool's workers.
    #[cfg(target_arch = "wasm32")]
    if crate::engine::pool::current_worker().is_some() {
        crate::engine::pool::POOL.worker_lost();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::TRACE_TEST_LOCK;
    use crate::engine::{sync, thread};

    #[test]
    fn a_panicking_thread_is_reported_and_the_others_carry_on() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        install();
        trace::reset();
        reset();
        let ok = thread::spawn("Thread-1 (worker)", "", || {
            sync::sleep_ms(60.0);
            7
        });
        let bad = thread::spawn("Thread-2 (worker)", "", || -> u32 {
            sync::sleep_ms(10.0);
            panic!("ValueError: bad input")
        });
        let err = bad.try_join().unwrap_err();
        assert!(err.contains("ValueError: bad input"), "{err}");
        assert_eq!(ok.join(), 7, "the other thread carried on");
        let list = exceptions();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0].thread, "Thread-2 (worker)");
        let (_, _, output, _) = trace::snapshot();
        assert!(
            output.iter().any(|l| l
                .text
                .starts_with("Exception in thread Thread-2 (worker): ValueError: bad input")),
            "{output:?}"
        );
        // The pool worker survived natively (it unwinds); the next thread runs.
        assert_eq!(thread::spawn("Thread-3", "", || 3).join(), 3);
    }

    #[test]
    fn a_thread_that_panics_holding_the_gil_lets_it_go() {
        use crate::engine::gil::{run_with, Interpreter};
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        install();
        trace::reset();
        let t0 = now_ms();
        let ((), _) = run_with(
            Interpreter::Gil {
                switch_interval_ms: 1.0,
            },
            || {
                let bad = thread::spawn("Thread-1 (bad)", "", || -> u32 { panic!("boom") });
                let ok = thread::spawn("Thread-2 (ok)", "", || 5);
                assert!(bad.try_join().unwrap_err().contains("boom"));
                assert_eq!(ok.join(), 5, "the other thread got the GIL");
            },
        );
        assert!(now_ms() - t0 < 5000.0);
    }
}
