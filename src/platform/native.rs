//! The platform natively: the OS clock and core count. There is no site to request files from (the
//! native tests of `urlopen` serve files through a module of their own, see `python/tests/`).

use super::Body;

pub fn now_ms() -> f64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

pub fn cores() -> Option<usize> {
    std::thread::available_parallelism().ok().map(|n| n.get())
}

pub fn fetch_blocking(path: &str, _body: Body, _fresh: bool) -> Result<(usize, Vec<u8>), String> {
    Err(format!(
        "cannot fetch {path}: real requests need the browser"
    ))
}
