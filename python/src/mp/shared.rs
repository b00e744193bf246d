//! Shared memory for learner `Value` and `Array`: one segment of 64-bit slots that every process of the
//! program maps, as CPython's shared values live in memory every process maps. A read or a write is one
//! atomic access to the segment, made by the process itself, never a message; so an unlocked
//! `v.value += 1` in two processes (a read, then a write) loses updates exactly as in CPython.
//!
//! In the browser the segment is a `SharedArrayBuffer` of its own, made once by the root runtime worker
//! and handed to every worker of every process (`www/python/python-worker.js`): a process's own memory
//! stays its own, and the segment is the only memory processes share. Natively the child processes are
//! OS threads of the test's process, and the segment is a static array of atomics.
//!
//! Which slots a `Value` or an `Array` owns is the kernel's to say (`Call::NewShared`); this module
//! only reads and writes them, checking every slot against the segment's size.

/// Slots in the segment: 8 MiB, an `Array('d', 1_000_000)` and more.
pub const SEGMENT_SLOTS: u32 = 1 << 20;
/// The segment's size, for the runtime worker that makes it.
pub const SEGMENT_BYTES: usize = SEGMENT_SLOTS as usize * 8;

fn check(slot: u32) -> Result<u32, String> {
    if slot < SEGMENT_SLOTS {
        Ok(slot)
    } else {
        Err(format!("shared slot {slot} is outside the shared memory"))
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod backend {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::OnceLock;

    use super::SEGMENT_SLOTS;

    static SEGMENT: OnceLock<Box<[AtomicI64]>> = OnceLock::new();

    fn slot(index: u32) -> &'static AtomicI64 {
        &SEGMENT.get_or_init(|| (0..SEGMENT_SLOTS).map(|_| AtomicI64::new(0)).collect())
            [index as usize]
    }

    pub fn load(index: u32) -> Result<i64, String> {
        Ok(slot(index).load(Ordering::SeqCst))
    }

    pub fn store(index: u32, value: i64) -> Result<(), String> {
        slot(index).store(value, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
pub mod backend {
    use std::cell::RefCell;

    use js_sys::BigInt64Array;
    use wasm_bindgen::prelude::*;

    // Bound here rather than through js_sys::Atomics, whose `load_bigint` passes its index as a BigInt,
    // which `Atomics.load` refuses.
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Atomics, js_name = load, catch)]
        fn atomics_load(array: &BigInt64Array, index: u32) -> Result<i64, JsValue>;
        #[wasm_bindgen(js_namespace = Atomics, js_name = store, catch)]
        fn atomics_store(array: &BigInt64Array, index: u32, value: i64) -> Result<i64, JsValue>;
    }

    thread_local! {
        /// This worker's view of the segment (a JavaScript object belongs to the worker that holds it).
        static VIEW: RefCell<Option<BigInt64Array>> = const { RefCell::new(None) };
    }

    /// Maps the segment in the calling worker.
    pub fn attach(buffer: &JsValue) {
        VIEW.with(|v| *v.borrow_mut() = Some(BigInt64Array::new(buffer)));
    }

    fn with<R>(f: impl FnOnce(&BigInt64Array) -> Result<R, JsValue>) -> Result<R, String> {
        VIEW.with(|v| match &*v.borrow() {
            Some(view) => f(view).map_err(|e| format!("shared memory access failed: {e:?}")),
            None => Err("this worker has not mapped the shared memory".into()),
        })
    }

    pub fn load(index: u32) -> Result<i64, String> {
        with(|view| atomics_load(view, index))
    }

    pub fn store(index: u32, value: i64) -> Result<(), String> {
        with(|view| atomics_store(view, index, value).map(drop))
    }
}

#[cfg(target_arch = "wasm32")]
pub use backend::attach;

/// The value in `slot`.
pub fn load(slot: u32) -> Result<i64, String> {
    backend::load(check(slot)?)
}

/// Writes `value` to `slot`.
pub fn store(slot: u32, value: i64) -> Result<(), String> {
    backend::store(check(slot)?, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_outside_the_segment_are_refused_not_touched() {
        assert!(load(SEGMENT_SLOTS).unwrap_err().contains("outside"));
        assert!(store(u32::MAX, 1).is_err());
        store(SEGMENT_SLOTS - 1, -42).unwrap();
        assert_eq!(load(SEGMENT_SLOTS - 1), Ok(-42));
    }
}
