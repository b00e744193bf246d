//! A `Pool`'s results in solo mode, where no thread of the main process can hand them over.
//!
//! CPython's `Pool` has a result-handler thread: it takes each result off the result queue, stores it in
//! its `AsyncResult` (setting the event `get()` waits on) and runs the callbacks, while the main thread
//! waits or works. In solo mode there is no second thread, so the pool registers a pump instead (a
//! callable that hands over one result, waiting up to a timeout for it), and a main thread that is about
//! to block on a `_thread.lock` — under every `Event.wait`, `Condition.wait`, `Future.result()`,
//! `as_completed` — runs the pumps until the lock is free. That is sound because in solo mode nothing but
//! the main thread itself can release one of its locks: what it waits for is what a result brings.
//! CPython runs pending calls (signal handlers) at the same kind of moment. The one difference a program
//! can see: callbacks run on the main thread, while it waits, instead of on the handler thread.

use std::cell::{Cell, RefCell};

use playground::clock::now_ms;
use playground::engine::cancel;
use playground::engine::primitives::Lock as EngineLock;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

thread_local! {
    static PUMPS: RefCell<Vec<PyObjectRef>> = const { RefCell::new(Vec::new()) };
    /// Set while a pump runs: a lock it waits for blocks as usual (no pump inside a pump).
    static PUMPING: Cell<bool> = const { Cell::new(false) };
}

/// With more than one pump, each waits at most this long in turn.
const TURN_MS: f64 = 10.0;

/// Registers `pump` (called with a timeout in seconds, or `None`; returns whether it handed a result over).
pub fn add(pump: PyObjectRef) {
    PUMPS.with(|p| p.borrow_mut().push(pump));
}

/// Unregisters `pump` (the same object that was added).
pub fn remove(pump: &PyObjectRef) {
    PUMPS.with(|p| p.borrow_mut().retain(|q| !q.is(pump)));
}

/// Forgets every pump (the run is over; its pools with it).
pub fn clear() {
    // Taken out first, so that no Python object is dropped while the list is borrowed.
    let pumps = PUMPS.with(|p| std::mem::take(&mut *p.borrow_mut()));
    drop(pumps);
}

/// What [`acquire_pumping`] did.
pub enum Pumped {
    /// There is no pump to run (or one is running): wait for the lock as usual, for the time left.
    NoPump { left_ms: Option<f64> },
    /// The lock was taken (`true`) or the timeout passed (`false`).
    Done(bool),
}

/// Takes `lock` for the main thread of a solo-mode program, handing results over while it is taken.
///
/// # Errors
/// What a pump raised, or the stop exception once the run was asked to stop.
pub fn acquire_pumping(
    lock: &EngineLock,
    timeout_ms: Option<f64>,
    vm: &VirtualMachine,
) -> PyResult<Pumped> {
    if !super::is_solo() || PUMPING.with(Cell::get) {
        return Ok(Pumped::NoPump {
            left_ms: timeout_ms,
        });
    }
    let deadline = timeout_ms.map(|t| now_ms() + t);
    loop {
        if lock.try_acquire() {
            return Ok(Pumped::Done(true));
        }
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        let left_ms = deadline.map(|d| (d - now_ms()).max(0.0));
        if left_ms == Some(0.0) {
            return Ok(Pumped::Done(false));
        }
        let pumps = PUMPS.with(|p| p.borrow().clone());
        if pumps.is_empty() {
            return Ok(Pumped::NoPump { left_ms });
        }
        let turn_ms = if pumps.len() > 1 {
            Some(left_ms.map_or(TURN_MS, |l| l.min(TURN_MS)))
        } else {
            left_ms
        };
        let timeout: PyObjectRef = match turn_ms {
            Some(ms) => vm.ctx.new_float(ms / 1000.0).into(),
            None => vm.ctx.none(),
        };
        PUMPING.with(|p| p.set(true));
        let result = pumps
            .iter()
            .try_for_each(|pump| pump.call((timeout.clone(),), vm).map(drop));
        PUMPING.with(|p| p.set(false));
        result?;
    }
}
