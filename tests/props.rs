//! Property tests (native): the parameter parser and the decoding of every message that crosses a
//! boundary must turn any input into either a value or a clear error — never a panic, never a value out
//! of bounds, never an unbounded message. The browser decodes the same serde types (serde-wasm-bindgen in
//! `web::codec`), so these properties hold for its messages too.
#![cfg(not(target_arch = "wasm32"))]

use playground::lessons::{catalogue, prepare, HIDDEN};
use playground::params::{validate, ParamSpec};
use playground::protocol::{ChildMessage, RunRequest, SpawnCommand, TraceRecord};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Any JSON value, with the strings and numbers hostile input tends to use.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)), // NaN and infinities become null, as in JSON
        "\\PC{0,60}".prop_map(Value::String),
        prop_oneof![
            Just("1_000_000"),
            Just("-0"),
            Just("1e3"),
            Just("0x10"),
            Just(" 42 "),
            Just("9223372036854775808"),
            Just("<script>alert(1)</script>"),
            Just("٣"),
            Just("NaN"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Parameter objects: mostly the names lessons use, with any values.
fn any_params() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("threads".to_string()),
        Just("increments".to_string()),
        Just("repeats".to_string()),
        Just("time_scale".to_string()),
        Just("processes".to_string()),
        Just("mode".to_string()),
        Just("__proto__".to_string()),
        "\\PC{0,80}",
    ];
    prop_oneof![
        prop::collection::btree_map(names, any_json(), 0..8)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        any_json(),
    ]
}

fn every_spec() -> Vec<Vec<ParamSpec>> {
    catalogue().into_iter().map(|l| l.params).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn validate_always_yields_every_parameter_within_bounds(raw in any_params()) {
        for specs in every_spec() {
            let (params, notices) = validate(&specs, &raw);
            for spec in &specs {
                let v = params.get(spec.name);
                prop_assert!(v >= spec.min && v <= spec.max, "{} = {v}", spec.name);
            }
            prop_assert!(notices.len() <= specs.len() + 7, "{notices:?}");
            for n in &notices {
                prop_assert!(n.chars().count() < 240, "notice too long: {n}");
                prop_assert!(!n.chars().any(char::is_control), "control character in {n:?}");
            }
        }
    }

    #[test]
    fn whole_numbers_within_bounds_pass_unchanged_in_any_spelling(
        frac in 0.0f64..1.0, as_string in any::<bool>(), underscores in any::<bool>()
    ) {
        for specs in every_spec() {
            for spec in &specs {
                let n = spec.min + ((spec.max - spec.min) as f64 * frac) as i64;
                let value = match (as_string, underscores) {
                    (false, _) => json!(n),
                    (true, false) => json!(n.to_string()),
                    (true, true) => json!(python_style(n)),
                };
                let (params, notices) = validate(std::slice::from_ref(spec), &json!({ spec.name: value }));
                prop_assert_eq!(params.get(spec.name), n);
                prop_assert!(notices.is_empty(), "{:?}", notices);
            }
        }
    }

    #[test]
    fn out_of_range_numbers_are_clamped_with_a_notice_naming_the_bound(excess in 1i64..1_000_000_000) {
        for specs in every_spec() {
            for spec in &specs {
                let (params, notices) = validate(std::slice::from_ref(spec), &json!({ spec.name: spec.max.saturating_add(excess) }));
                prop_assert_eq!(params.get(spec.name), spec.max);
                prop_assert!(notices.len() == 1 && notices[0].contains(&spec.max.to_string()), "{:?}", notices);
                let (params, notices) = validate(std::slice::from_ref(spec), &json!({ spec.name: spec.min.saturating_sub(excess) }));
                prop_assert_eq!(params.get(spec.name), spec.min);
                prop_assert!(notices.len() == 1 && notices[0].contains("minimum"), "{:?}", notices);
            }
        }
    }

    /// The run request as the runtime decodes it, then prepares it: a clear error or a valid run.
    #[test]
    fn any_run_request_is_refused_clearly_or_prepared_within_limits(lesson in prop_oneof![
        Just("counter".to_string()), Just("threads-join".to_string()), Just("debug-threads".to_string()),
        Just("process-counter".to_string()), "\\PC{0,200}",
    ], params in any_params()) {
        let raw = json!({ "lesson": lesson, "params": params });
        let request: RunRequest = serde_json::from_value(raw).expect("a string lesson and any params decode");
        match prepare(&request) {
            Ok(prepared) => {
                prop_assert!(prepared.threads_needed <= playground::engine::limits::MAX_THREADS);
                prop_assert!(prepared.notices.iter().all(|n| n.chars().count() < 240));
            }
            Err(e) => {
                prop_assert!(e.starts_with("There is no lesson") || e.starts_with("Refused"), "{e}");
                prop_assert!(e.chars().count() < 1200, "{e}");
            }
        }
    }

    /// Every message type that crosses a boundary decodes any JSON into a value or an error, never a panic;
    /// what decodes re-encodes to something that decodes to the same value.
    #[test]
    fn messages_decode_any_input_without_panicking(raw in any_json()) {
        round_trip::<RunRequest>(&raw)?;
        round_trip::<TraceRecord>(&raw)?;
        round_trip::<ChildMessage>(&raw)?;
        round_trip::<SpawnCommand>(&raw)?;
        round_trip::<playground::engine::bridge::FetchResult>(&raw)?;
    }

    /// Near-misses of real messages: the right tag with fields of the wrong types.
    #[test]
    fn tagged_messages_with_wrong_fields_are_errors(kind in prop_oneof![
        Just("message"), Just("trace"), Just("exit"), Just("nope"),
    ], a in any_json(), b in any_json()) {
        let raw = json!({ "type": kind, "payload": a, "sent_at": b, "code": a, "at": b, "record": a });
        let decoded = serde_json::from_value::<ChildMessage>(raw);
        match (kind, decoded) {
            ("nope", d) => prop_assert!(d.is_err(), "an unknown tag decoded: {d:?}"),
            (_, Ok(ChildMessage::Exit { code, at })) => {
                prop_assert_eq!(a.as_i64(), Some(i64::from(code)), "code from {}", a);
                prop_assert_eq!(b.as_f64(), Some(at));
            }
            (_, Ok(ChildMessage::Message { payload, .. })) => prop_assert_eq!(a.as_str(), Some(payload.as_str())),
            _ => {}
        }
    }
}

fn round_trip<T>(raw: &Value) -> Result<(), TestCaseError>
where
    T: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    if let Ok(value) = serde_json::from_value::<T>(raw.clone()) {
        let again = serde_json::to_value(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: T = serde_json::from_value(again)
            .map_err(|e| TestCaseError::fail(format!("{value:?} did not decode again: {e}")))?;
        prop_assert_eq!(format!("{back:?}"), format!("{value:?}"));
    }
    Ok(())
}

fn python_style(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[test]
fn hidden_lessons_can_be_prepared_but_are_not_listed() {
    assert_eq!(HIDDEN.len(), 2);
    let ids: Vec<&str> = catalogue().iter().map(|l| l.id).collect();
    assert!(!ids.contains(&"debug-threads"));
}
