//! The core of a browser playground that teaches threads versus processes with real concurrency.
//!
//! Layout (platform-neutral first, the web binding last):
//! - [`clock`]: one clock for every worker, so events from different threads and processes line up.
//! - [`protocol`]: the typed values that cross the wasm boundary, and (`protocol::messages`) every worker
//!   channel's messages, with the TypeScript declarations the JavaScript is checked against.
//! - [`params`]: lesson parameters, validated and clamped with a message for the learner.
//! - [`engine`]: the primitives lessons build on: named threads with join, traced locks, timed waits that
//!   really block, the event log behind the timeline, and the process model (isolated programs that only
//!   exchange messages).
//! - [`frame_kernels`]: platform-neutral image kernels (a generated clip, blur and edge filters) for the frames lab.
//! - [`lessons`]: one lesson per file, registered in one list.
//! - [`lifecycle`]: the run an instance is running, from its validated request to its outcome (prepare,
//!   start, poll, stop, the children's reports).
//! - [`challenges`]: fix-it challenges on code: their format, the built-in ones, and the judge of a run.
//! - [`bench`]: benchmark kernels shared by the browser build and the native reference (`npm run bench`).
//! - `web` (wasm32 only): the thin `#[wasm_bindgen]` layer that binds the core to Web Workers.
//!
//! Native `cargo test` runs the engine and lessons on OS threads; in the browser the same code runs on Web
//! Workers that share one wasm memory.

#![cfg_attr(
    target_arch = "wasm32",
    feature(stdarch_wasm_atomic_wait, alloc_error_hook)
)]

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
compile_error!(
    "the playground's wasm build needs atomics: build it with scripts/build.sh, which rebuilds std with \
     +atomics,+bulk-memory,+mutable-globals"
);

pub mod bench;
pub mod challenges;
pub mod clock;
pub mod engine;
pub mod frame_kernels;
pub mod lessons;
pub mod lifecycle;
pub mod params;
pub mod platform;
pub mod protocol;

/// Every wasm instance built from this crate (the engine and the Python runtime) allocates through a cache
/// of small blocks in front of std's dlmalloc, whose one lock otherwise serialises threads that allocate.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: engine::alloc::ShardedCache<std::alloc::System> =
    engine::alloc::ShardedCache::new(std::alloc::System);

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod web;
