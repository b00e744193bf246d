//! The fix-it challenges, for the page: the built-in ones, a teacher's parsed, and the verdict over a
//! check's runs (each run's verdict comes from the Python runtime, `python/src/check.rs`).

use wasm_bindgen::prelude::*;

use super::codec::{from_js, js_error, to_js};
use crate::challenges::{self, judge};

/// A challenge as the page shows it: what the check does, in words, beside its fields.
#[derive(serde::Serialize)]
struct Shown {
    #[serde(flatten)]
    challenge: challenges::Challenge,
    check_text: String,
}

fn shown(challenge: challenges::Challenge) -> Shown {
    let check_text = challenge.check.describe();
    Shown {
        challenge,
        check_text,
    }
}

/// The built-in challenges.
#[wasm_bindgen]
pub fn challenge_catalogue() -> Result<JsValue, JsValue> {
    to_js(
        &challenges::catalogue()
            .into_iter()
            .map(shown)
            .collect::<Vec<_>>(),
    )
}

/// A challenge from a teacher's JSON text; the error names the field that is wrong.
#[wasm_bindgen]
pub fn parse_challenge(text: String) -> Result<JsValue, JsValue> {
    let challenge = challenges::parse(&text).map_err(|e| js_error(&e))?;
    to_js(&shown(challenge))
}

/// One run of a check as the page has it: the runtime's verdict, or why there is none (the runtime was
/// restarted under a program that would not stop).
#[derive(serde::Deserialize)]
struct CheckedRun {
    verdict: Option<judge::RunVerdict>,
    stopped: Option<String>,
}

/// The verdict over a check's runs: `[{ verdict, stopped }]`, one per run.
#[wasm_bindgen]
pub fn summarize_check(runs: JsValue) -> Result<JsValue, JsValue> {
    let runs: Vec<CheckedRun> = from_js(runs)?;
    let verdicts: Vec<_> = runs
        .into_iter()
        .map(|r| r.verdict.unwrap_or_else(|| judge::unjudged(r.stopped)))
        .collect();
    to_js(&judge::summarize(&verdicts))
}
