//! The fix-it challenges, for the page: the built-in ones, a teacher's parsed, and the verdict over a
//! check's runs (each run's verdict comes from the Python runtime, `python/src/check.rs`).

use wasm_bindgen::prelude::*;

use super::codec::{from_js, js_error, to_js};
use crate::challenges::{self, CheckedRun, ShownChallenge};

/// The built-in challenges.
#[wasm_bindgen]
pub fn challenge_catalogue() -> Result<JsValue, JsValue> {
    let shown: Vec<ShownChallenge> = challenges::catalogue()
        .into_iter()
        .map(Into::into)
        .collect();
    to_js(&shown)
}

/// A challenge from a teacher's JSON text; the error names the field that is wrong.
#[wasm_bindgen]
pub fn parse_challenge(text: String) -> Result<JsValue, JsValue> {
    let challenge = challenges::parse(&text).map_err(|e| js_error(&e))?;
    to_js(&ShownChallenge::from(challenge))
}

/// The verdict over a check's runs: `[{ verdict, stopped }]`, one per run.
#[wasm_bindgen]
pub fn summarize_check(runs: JsValue) -> Result<JsValue, JsValue> {
    let runs: Vec<CheckedRun> = from_js(runs)?;
    to_js(&challenges::summarize_checked(runs))
}
