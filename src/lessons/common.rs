//! Pieces several lessons share: the time scale, and CPU-bound work of a fixed size.

use std::hint::black_box;

use crate::clock::now_ms;
use crate::params::{ParamSpec, Params};

/// Every lesson with waits takes this parameter. 100 % is the tutorials' own timing (a 2 s wait is 2 s);
/// 10 % makes every wait ten times shorter. The Python view shows it as `SCALE`.
pub const TIME_SCALE: ParamSpec = ParamSpec::int(
    "time_scale",
    "Time scale (%)",
    1,
    100,
    100,
    "100 = the tutorial's own timing; 10 makes every wait 10× shorter.",
);

/// The time scale of a run.
#[derive(Clone, Copy, Debug)]
pub struct Scale(pub f64);

impl Scale {
    pub fn of(params: &Params) -> Scale {
        Scale(params.get("time_scale") as f64 / 100.0)
    }

    /// A wait the tutorial states as `ms`, at this run's scale.
    pub fn ms(self, ms: f64) -> f64 {
        ms * self.0
    }
}

/// Sizes of the files served with the page (see scripts/build.sh), in KiB.
pub const SERVED_FILE_KIB: [i64; 5] = [16, 64, 256, 1024, 4096];

/// The smallest served file of at least `kib` KiB (or the largest), and its path from the site's root.
pub fn served_file(kib: i64) -> (i64, String) {
    let size = SERVED_FILE_KIB
        .iter()
        .copied()
        .find(|s| *s >= kib)
        .unwrap_or(4096);
    (size, format!("files/sample-{size}k.bin"))
}

/// Rounds parameter `name` (KiB) to a served file size, with a notice when it changes.
pub fn limit_file_kib(params: &mut Params, name: &str, notices: &mut Vec<String>) {
    let asked = params.get(name);
    let (size, _) = served_file(asked);
    if size != asked {
        notices.push(format!(
            "The files served with the page are 16, 64, 256, 1024 and 4096 KiB; using {size} KiB instead of {asked}."
        ));
        params.set(name, size);
    }
}

/// How many cores the engine sees: `navigator.hardwareConcurrency` in the browser (a worker can read it),
/// `std::thread::available_parallelism` natively. `None` when neither knows.
pub fn engine_cores() -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    {
        let n = crate::web::bindings::hardware_concurrency();
        (n >= 1.0 && n.is_finite()).then_some(n as usize)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::available_parallelism().ok().map(|n| n.get())
    }
}

/// The core count a run uses: parameter `cores` when it is not 0, else what the engine sees (1 when it
/// sees nothing). Also says where the number came from.
pub fn cores_of(params: &Params) -> (usize, &'static str) {
    match params.get("cores") {
        n if n > 0 => (n as usize, "as given in the parameter"),
        _ => match engine_cores() {
            Some(n) => (
                n,
                if cfg!(target_arch = "wasm32") {
                    "navigator.hardwareConcurrency"
                } else {
                    "std::thread::available_parallelism"
                },
            ),
            None => (1, "unknown to the engine (assumed 1; set the parameter)"),
        },
    }
}

/// The `cores` parameter, shared with "Why concurrency at all".
pub const CORES: ParamSpec = ParamSpec::int(
    "cores",
    "Cores (0 = detect)",
    0,
    64, // the most threads a lesson runs at once
    0,
    "0 = use the core count the engine sees (navigator.hardwareConcurrency); or give it yourself.",
);

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
        let _serial = crate::lessons::TRACE_TEST_LOCK
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
