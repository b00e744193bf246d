//! The one place values cross the wasm boundary.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Serializes to plain JavaScript objects (maps as objects, not `Map`s), as JSON would, except that bytes
/// (`serde_bytes`, an outcome's attachments) become a `Uint8Array` each: a copy out of the shared memory
/// that the runtime can transfer to the page.
///
/// # Errors
/// A value serde cannot represent in JavaScript (a u64 beyond 2^53, say), as a JS `Error`.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(
            &serde_wasm_bindgen::Serializer::json_compatible().serialize_bytes_as_arrays(false),
        )
        .map_err(|e| js_error(&format!("cannot pass a value to JavaScript: {e}")))
}

/// Reads a value that came from JavaScript, as JSON would carry it.
///
/// Through `JSON.stringify`, not serde-wasm-bindgen's walk of the live object: that walk throws inside an
/// imported function on some shapes (an array of non-pairs where a map is expected), which aborts the
/// whole instance — a malformed message must be an error, never a trap (the fuzz test in `tests/web.rs`
/// found it). NaN and infinities become `null`, as in JSON.
///
/// # Errors
/// A value of the wrong shape, or one JSON cannot carry (a BigInt, a cycle, `undefined`), as a JS `Error`
/// naming what was wrong.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|t| JsValue::from(t).as_string())
        .ok_or_else(|| {
            js_error(
                "malformed message: not a JSON value (undefined, a function, a BigInt or a cycle)",
            )
        })?;
    serde_json::from_str(&text)
        .map_err(|e| js_error(&format!("malformed message: {}", short(&e.to_string()))))
}

/// serde's messages quote the offending value whole; a hostile message must not become a huge error.
fn short(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX).collect();
    out.push('…');
    out
}

pub fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}
