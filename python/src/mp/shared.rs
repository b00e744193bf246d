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
//!
//! On a page that is not cross-origin isolated (solo mode) no memory can be shared between workers: the
//! segment is the root process's alone, and a child reads and writes it by message ([`is_remote`];
//! `Call::LoadShared`, `Call::StoreShared`), each access one message, so an unlocked `v.value += 1` in
//! two processes is still a read and a write that interleave and lose updates.

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

static REMOTE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process reaches the segment by message (a child in solo mode: it cannot map it).
pub fn is_remote() -> bool {
    REMOTE.load(std::sync::atomic::Ordering::Relaxed)
}

/// This process reaches the segment by message from now on (a child booted in solo mode).
pub fn set_remote() {
    REMOTE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Slots `first..first + count` as little-endian bytes (the kernel's answer to a child's read).
///
/// # Errors
/// A slot outside the segment.
pub fn load_bytes(first: u32, count: u32) -> Result<Vec<u8>, String> {
    if count > SEGMENT_SLOTS {
        return Err(format!(
            "{count} shared values are more than the shared memory holds"
        ));
    }
    let values = (0..count)
        .map(|i| load(first.saturating_add(i)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(bytes_of(&values))
}

/// Writes the little-endian values in `bytes` to the slots from `first` on (a child's write).
///
/// # Errors
/// A slot outside the segment, or bytes that are not whole values.
pub fn store_bytes(first: u32, bytes: &[u8]) -> Result<(), String> {
    if bytes.len() % 8 != 0 {
        return Err("shared values travel as 8 bytes each".into());
    }
    for (i, value) in (0u32..).zip(values_of(bytes)) {
        store(first.saturating_add(i), value)?;
    }
    Ok(())
}

/// `values` as the little-endian bytes they travel as between processes.
pub fn bytes_of(values: &[i64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The values of `bytes` (the kernel's answer to [`load_bytes`]).
pub fn values_of(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|v| i64::from_le_bytes(v.try_into().expect("8 bytes")))
        .collect()
}

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
    fn values_cross_as_little_endian_bytes_both_ways() {
        store_bytes(SEGMENT_SLOTS - 3, &bytes_of(&[-1, 7, i64::MIN])).unwrap();
        let bytes = load_bytes(SEGMENT_SLOTS - 3, 3).unwrap();
        assert_eq!(values_of(&bytes), vec![-1, 7, i64::MIN]);
        assert!(load_bytes(SEGMENT_SLOTS - 1, 2)
            .unwrap_err()
            .contains("outside"));
        assert!(store_bytes(0, &[1, 2, 3]).is_err());
    }

    #[test]
    fn slots_outside_the_segment_are_refused_not_touched() {
        assert!(load(SEGMENT_SLOTS).unwrap_err().contains("outside"));
        assert!(store(u32::MAX, 1).is_err());
        store(SEGMENT_SLOTS - 1, -42).unwrap();
        assert_eq!(load(SEGMENT_SLOTS - 1), Ok(-42));
    }
}
