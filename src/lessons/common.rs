//! Pieces several lessons share: the time scale, the core count, the served files, and (from the engine)
//! CPU-bound work of a fixed size.

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

/// Sizes of the files served with the page, in KiB: their one home (scripts/build.sh reads this line to
/// write them).
pub const SERVED_FILE_KIB: [i64; 5] = [16, 64, 256, 1024, 4096];

/// The smallest served file of at least `kib` KiB (or the largest), and its path from the site's root.
pub fn served_file(kib: i64) -> (i64, String) {
    let size = SERVED_FILE_KIB
        .iter()
        .copied()
        .find(|s| *s >= kib)
        .unwrap_or(SERVED_FILE_KIB[SERVED_FILE_KIB.len() - 1]);
    (size, format!("files/sample-{size}k.bin"))
}

/// Rounds parameter `name` (KiB) to a served file size, with a notice when it changes.
pub fn limit_file_kib(params: &mut Params, name: &str, notices: &mut Vec<String>) {
    let asked = params.get(name);
    let (size, _) = served_file(asked);
    if size != asked {
        let (last, first) = SERVED_FILE_KIB.split_last().expect("files are served");
        let listed = first
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        notices.push(format!(
            "The files served with the page are {listed} and {last} KiB; using {size} KiB instead of {asked}."
        ));
        params.set(name, size);
    }
}

/// The core count a run uses: parameter `cores` when it is not 0, else what the engine sees (1 when it
/// sees nothing). Also says where the number came from.
pub fn cores_of(params: &Params) -> (usize, &'static str) {
    match params.get("cores") {
        n if n > 0 => (n as usize, "as given in the parameter"),
        _ => match crate::platform::cores() {
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

// The fixed-size CPU work lives in the engine (the cancellation tests use it too); lessons name it here.
pub use crate::engine::workload::{units_per_ms, work, work_unit};
