//! What the core asks of the platform it runs on: the one clock, the core count and a blocking request
//! for one of the site's own files. Everything else in the core is the same code natively and in the
//! browser; this module is the only place that differs, chosen when compiling (`browser.rs` on wasm32,
//! `native.rs` elsewhere, which is also what the native tests run on). The core imports nothing from
//! `web/`, the wasm-bindgen layer on top of it.
//!
//! Why compile-time and not a trait object installed at start: the clock is read on every traced event,
//! and each wasm instance (every process worker, the Python runtime's children) would have to install it
//! before its first event; a missing install would be a wrong clock, found late. A `cfg` cannot be missed.

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
use browser as imp;
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native as imp;

/// Milliseconds since the Unix epoch at sub-millisecond resolution, comparable across threads, workers
/// and processes (see [`crate::clock`]).
#[inline]
pub fn now_ms() -> f64 {
    imp::now_ms()
}

/// How many cores the platform reports (`navigator.hardwareConcurrency`; natively
/// `available_parallelism`), or `None` when it does not say.
pub fn cores() -> Option<usize> {
    imp::cores()
}

/// What a blocking request returns.
pub enum Body {
    /// Only the number of bytes received (the downloads and scraping lessons: the body is not needed,
    /// and copying it into wasm memory would be measured too).
    Length,
    /// The bytes themselves (`urllib.request.urlopen(url).read()`).
    Bytes,
}

/// A blocking request for `path`, a file of the site the page is served from (a path relative to the
/// site's root, or a URL on the same origin), as a socket read blocks: the calling worker waits until the
/// whole body has arrived. With `fresh`, a query string new to each request keeps caches out of the
/// measurement. Returns the byte count, and the bytes when [`Body::Bytes`] was asked.
///
/// # Errors
/// Why it failed, as text: another origin, the HTTP status, a network error, or natively that there is
/// no server to ask.
pub fn fetch_blocking(path: &str, body: Body, fresh: bool) -> Result<(usize, Vec<u8>), String> {
    imp::fetch_blocking(path, body, fresh)
}
