//! The platform in a browser worker, through `web-sys`: `performance`, `navigator` and a synchronous
//! `XMLHttpRequest` (allowed in workers, where it blocks like a socket read).

use std::cell::Cell;

use js_sys::{ArrayBuffer, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Performance, XmlHttpRequest, XmlHttpRequestResponseType};

use super::Body;

thread_local! {
    /// This worker's `performance` and its time origin, looked up once per worker: reading the clock is
    /// then one call into JavaScript.
    static PERFORMANCE: (Performance, f64) = {
        let performance: Performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
            .expect("a worker has `performance`")
            .unchecked_into();
        let origin = performance.time_origin();
        (performance, origin)
    };
    static FETCHES: Cell<u64> = const { Cell::new(0) };
}

pub fn now_ms() -> f64 {
    PERFORMANCE.with(|(performance, origin)| origin + performance.now())
}

pub fn cores() -> Option<usize> {
    // A worker's `WorkerNavigator` and a window's `Navigator` both have it; read it by name so that the
    // same code serves both scopes.
    let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).ok()?;
    let n = Reflect::get(&navigator, &JsValue::from_str("hardwareConcurrency"))
        .ok()?
        .as_f64()?;
    (n >= 1.0 && n.is_finite()).then_some(n as usize)
}

/// The site's root: every worker that requests files lives two folders down (`www/runtime/`,
/// `www/python/`).
fn site_root() -> Result<web_sys::Url, String> {
    let global = js_sys::global();
    let here = match global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        Some(worker) => Some(worker.location().href()),
        None => global
            .dyn_ref::<web_sys::Window>()
            .and_then(|w| w.location().href().ok()),
    };
    let here = here.ok_or("cannot fetch: this scope has no location")?;
    web_sys::Url::new_with_base("../../", &here)
        .map_err(|_| format!("cannot fetch: {here} is not a URL"))
}

pub fn fetch_blocking(path: &str, body: Body, fresh: bool) -> Result<(usize, Vec<u8>), String> {
    let root = site_root()?;
    let url = web_sys::Url::new_with_base(path.trim_start_matches('/'), &root.href())
        .map_err(|_| format!("cannot fetch {path}: not a URL"))?;
    if url.origin() != root.origin() {
        return Err(format!("cannot fetch {path}: only the page's own files"));
    }
    if fresh {
        let n = FETCHES.with(|f| {
            f.set(f.get() + 1);
            f.get()
        });
        url.search_params()
            .set("n", &format!("{}-{n}", js_sys::Date::now()));
    }
    let failed = |e: JsValue| {
        let why = Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}"));
        format!("cannot fetch {path}: {why}")
    };
    let xhr = XmlHttpRequest::new().map_err(failed)?;
    xhr.open_with_async("GET", &url.href(), false)
        .map_err(failed)?;
    xhr.set_response_type(XmlHttpRequestResponseType::Arraybuffer);
    xhr.send().map_err(failed)?;
    let status = xhr.status().map_err(failed)?;
    if status != 200 {
        return Err(format!("HTTP Error {status}: cannot fetch {path}"));
    }
    let buffer: ArrayBuffer = xhr.response().map_err(failed)?.unchecked_into();
    let length = buffer.byte_length() as usize;
    let bytes = match body {
        Body::Length => Vec::new(),
        Body::Bytes => js_sys::Uint8Array::new(&buffer).to_vec(),
    };
    Ok((length, bytes))
}
