//! Thread workers and the data-parallel pool.

use std::collections::BTreeSet;
use std::sync::Mutex;

use rayon::prelude::*;
use wasm_bindgen::prelude::*;

use super::codec::to_js;
use crate::engine::pool::POOL;

/// wasm-bindgen-rayon's pool for data-parallel work (`initThreadPool(n)` in JavaScript).
pub use wasm_bindgen_rayon::init_thread_pool;

/// The body of a thread worker (`www/runtime/thread-worker.js`): wait for jobs forever. It blocks this
/// worker for real, on the shared memory, until a job arrives.
#[wasm_bindgen]
pub fn thread_worker_main(index: u32) {
    POOL.run_worker(index)
}

/// Sums `0..n` on the rayon pool and reports how many pool threads took part — evidence that the
/// data-parallel pool really runs on several workers.
#[wasm_bindgen]
pub fn rayon_probe(n: u32) -> Result<JsValue, JsValue> {
    let seen = Mutex::new(BTreeSet::new());
    let sum: u64 = (0..n)
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| {
            if let Some(t) = rayon::current_thread_index() {
                crate::engine::lock(&seen).insert(t);
            }
            // A little real work per item, so the pool spreads it out.
            let i = u64::from(i);
            let mut x = i;
            for k in 0..256 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(k));
            }
            std::hint::black_box(x);
            i
        })
        .sum();
    let threads = crate::engine::lock(&seen).len();
    to_js(&crate::protocol::messages::RayonProbe {
        sum,
        threads_used: threads,
        pool_size: rayon::current_num_threads(),
    })
}
