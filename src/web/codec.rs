//! The one place values cross the wasm boundary.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Serializes to plain JavaScript objects (maps as objects, not `Map`s), as JSON would.
///
/// # Errors
/// A value serde cannot represent in JavaScript (a u64 beyond 2^53, say), as a JS `Error`.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&format!("cannot pass a value to JavaScript: {e}")))
}

/// # Errors
/// A value of the wrong shape, as a JS `Error` naming what was wrong.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| js_error(&format!("malformed message: {e}")))
}

pub fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}
