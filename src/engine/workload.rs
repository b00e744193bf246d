//! CPU-bound work of a fixed size, for lessons and engine tests alike: its size never depends on the
//! clock, so N threads doing N units on fewer cores really take longer.

use std::hint::black_box;

use crate::clock::now_ms;

/// One unit of CPU-bound work: a few thousand steps of an integer hash (like a pure-Python loop, it only
/// uses the processor, no memory traffic to speak of). Its size never depends on the clock, so N threads
/// doing N units on fewer cores really take longer.
#[inline(never)]
pub fn work_unit(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// Does `units` units of work; returns a value that depends on all of it (so none can be skipped). A stop
/// request ([`crate::engine::cancel`]) ends it after the current unit.
pub fn work(units: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..units {
        if crate::engine::cancel::is_cancelled() {
            break;
        }
        acc = acc.wrapping_add(work_unit(i));
    }
    acc
}

/// How many units take about one millisecond on one core, measured on the calling thread: the fastest of
/// three calibrations, since a moment of load from other programs can only make one look slower.
pub fn units_per_ms() -> f64 {
    (0..3).map(|_| calibrate_once()).fold(1.0, f64::max)
}

fn calibrate_once() -> f64 {
    // Warm up, then time a batch that takes a few milliseconds.
    work(50);
    let mut units = 200;
    loop {
        let t0 = now_ms();
        work(units);
        let took = now_ms() - t0;
        if took >= 20.0 || units > 50_000_000 {
            return (units as f64 / took.max(0.001)).max(1.0);
        }
        units *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_is_deterministic_and_calibration_is_positive() {
        // Serialized with the cancellation tests, whose stop request would cut the work short.
        let _serial = crate::engine::trace::TRACE_TEST_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // No timing assertion: on a loaded 2-core machine any bound would flake. The lessons' e2e tests
        // check what the calibration is for (N threads of work scale with the cores).
        assert_eq!(work(100), work(100));
        assert_ne!(work(100), work(101));
        let per_ms = units_per_ms();
        assert!(per_ms.is_finite() && per_ms >= 1.0, "{per_ms}");
    }
}
