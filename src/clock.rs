//! One clock for every thread and process.
//!
//! In the browser each worker has its own `performance.now()` origin, so a raw `now()` from two workers
//! cannot be compared. `performance.timeOrigin + performance.now()` can: it is milliseconds since the Unix
//! epoch at sub-millisecond resolution, on every worker. Natively the system clock gives the same epoch.

/// How far two workers' readings of the one clock can disagree on an isolated page: each worker's time
/// origin and `now()` are rounded (Chromium to 5 µs, Firefox to 20 µs), with room. Natively: the same bound.
pub const STEP_MS: f64 = 0.1;

/// Milliseconds since the Unix epoch, comparable across threads, workers and processes.
#[inline]
pub fn now_ms() -> f64 {
    crate::platform::now_ms()
}
