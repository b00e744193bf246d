//! Browser tier: wasm-specific, single-threaded code, run by wasm-bindgen-test in headless Chromium.
//! (Pools cannot be hosted by wasm-bindgen-test; they are tested end to end in tests/e2e/.)
//! The tests run in a dedicated worker, where blocking waits are allowed, as they are on the runtime's
//! workers.
#![cfg(target_arch = "wasm32")]

use playground::clock::now_ms;
use playground::engine::process::ChildContext;
use playground::engine::sync::{sleep_ms, TracedMutex};
use playground::lessons::{self, process_counter};
use playground::protocol::{PreparedRun, RunRequest};
use playground::web::codec::{from_js, to_js};
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn the_clock_is_epoch_milliseconds_shared_with_javascript() {
    let ours = now_ms();
    let date = js_sys::Date::now();
    assert!(
        (ours - date).abs() < 50.0,
        "clock {ours} vs Date.now() {date}"
    );
    assert!(now_ms() >= ours);
}

#[wasm_bindgen_test]
fn a_timed_wait_really_blocks_the_worker() {
    // std::thread::sleep here is memory.atomic.wait32 with a timeout: the worker is blocked, not spinning.
    let t0 = js_sys::Date::now();
    let slept = sleep_ms(30.0);
    let elapsed = js_sys::Date::now() - t0;
    assert!(
        slept >= 30.0 && elapsed >= 29.0,
        "slept {slept} ms, Date saw {elapsed} ms"
    );
}

#[wasm_bindgen_test]
fn prepared_runs_cross_the_boundary_as_plain_objects() {
    let prepared = lessons::prepare(&RunRequest {
        lesson: "counter".into(),
        params: json!({"threads": "8"}),
    })
    .unwrap();
    let js = to_js(&prepared).unwrap();
    let params = js_sys::Reflect::get(&js, &JsValue::from_str("params")).unwrap();
    assert!(
        !params.is_instance_of::<js_sys::Map>(),
        "params must be a plain object for the UI"
    );
    let threads = js_sys::Reflect::get(&params, &JsValue::from_str("threads")).unwrap();
    assert_eq!(threads.as_f64(), Some(8.0));
    let back: PreparedRun = from_js(js).unwrap();
    assert_eq!(back.params, prepared.params);
    assert_eq!(back.threads_needed, 9);
}

#[wasm_bindgen_test]
fn malformed_requests_are_refused_with_a_reason() {
    let err = from_js::<RunRequest>(JsValue::from_f64(5.0)).unwrap_err();
    let message = js_sys::Error::from(err).message();
    assert!(String::from(message).contains("malformed"));
}

#[wasm_bindgen_test]
fn an_uncontended_lock_records_no_wait() {
    let lock = TracedMutex::new(0u32);
    for _ in 0..1000 {
        *lock.lock() += 1;
    }
    assert_eq!(lock.contended(), 0);
    assert_eq!(lock.into_inner(), 1000);
}

#[wasm_bindgen_test]
fn the_child_program_counts_in_this_instances_memory_and_reports_by_message() {
    let mut sent = Vec::new();
    let mut send = |s: String| sent.push(s);
    let before = process_counter::parent_counter();
    let mut ctx = ChildContext {
        pid: 1,
        name: "Process-1".into(),
        send: &mut send,
    };
    assert_eq!(process_counter::count_child(5000, &mut ctx), 0);
    let report: process_counter::ChildReport = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(report.count, before + 5000);
    assert_eq!(
        process_counter::parent_counter(),
        before + 5000,
        "this instance's own global moved"
    );
}

/// A small deterministic generator for the fuzz test (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Any JavaScript value a message might carry, hostile ones included.
    fn value(&mut self, depth: u32) -> JsValue {
        const KEYS: [&str; 12] = [
            "lesson",
            "params",
            "type",
            "payload",
            "sent_at",
            "code",
            "at",
            "record",
            "kind",
            "threads",
            "__proto__",
            "",
        ];
        const STRINGS: [&str; 8] = [
            "counter",
            "message",
            "exit",
            "trace",
            "1_000",
            "<script>x</script>",
            "\u{0}\u{202e}🧵",
            "NaN",
        ];
        match self.below(if depth > 2 { 9 } else { 12 }) {
            0 => JsValue::NULL,
            1 => JsValue::UNDEFINED,
            2 => JsValue::from_bool(self.below(2) == 0),
            3 => JsValue::from_f64(
                [
                    f64::NAN,
                    f64::INFINITY,
                    -0.0,
                    1e300,
                    -1.5,
                    2f64.powi(53) + 2.0,
                ][self.below(6) as usize],
            ),
            4 => JsValue::from_f64((self.next() % 200_000) as f64 - 100_000.0),
            5 => JsValue::from_str(STRINGS[self.below(8) as usize]),
            6 => JsValue::from_str(&"x".repeat(self.below(5000) as usize)),
            7 => js_sys::BigInt::from(self.next()).into(),
            8 => js_sys::Symbol::for_("s").into(),
            9 => (0..self.below(5))
                .map(|_| self.value(depth + 1))
                .collect::<js_sys::Array>()
                .into(),
            _ => {
                let obj = js_sys::Object::new();
                for _ in 0..self.below(6) {
                    let key = KEYS[self.below(KEYS.len() as u64) as usize];
                    let _ =
                        js_sys::Reflect::set(&obj, &JsValue::from_str(key), &self.value(depth + 1));
                }
                obj.into()
            }
        }
    }
}

/// Fuzz-style test of the message decoder (`web::codec::from_js`, serde-wasm-bindgen) in the real wasm
/// build: thousands of random JavaScript values decoded as every message type the runtime receives. Each
/// must decode or be refused with "malformed message: …" — a panic would abort this test's worker — and a
/// run request that decodes must prepare into a valid run or a clear refusal.
#[wasm_bindgen_test]
fn the_message_decoder_refuses_any_malformed_value_with_a_reason() {
    use playground::protocol::{ChildMessage, SpawnCommand, TraceRecord};
    fn check<T: serde::de::DeserializeOwned>(value: JsValue, refused: &mut u32) -> Option<T> {
        match from_js::<T>(value) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = String::from(js_sys::Error::from(e).message());
                assert!(message.starts_with("malformed message: "), "{message}");
                assert!(message.len() < 2000);
                *refused += 1;
                None
            }
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut refused, mut prepared) = (0, 0);
    for i in 0..3000 {
        // Every fourth value looks like a run request (a lesson id, any parameters), so the validator
        // behind the decoder is exercised too.
        let value = if i % 4 == 0 {
            let obj = js_sys::Object::new();
            let lesson =
                ["counter", "threads-join", "process-counter", "nope"][rng.below(4) as usize];
            let _ = js_sys::Reflect::set(&obj, &"lesson".into(), &lesson.into());
            let _ = js_sys::Reflect::set(&obj, &"params".into(), &rng.value(1));
            obj.into()
        } else {
            rng.value(0)
        };
        if let Some(request) = check::<RunRequest>(value.clone(), &mut refused) {
            match lessons::prepare(&request) {
                Ok(run) => {
                    prepared += 1;
                    assert!(run.threads_needed <= playground::engine::limits::MAX_THREADS);
                }
                Err(e) => assert!(e.starts_with("There is no lesson") || e.starts_with("Refused")),
            }
        }
        check::<TraceRecord>(value.clone(), &mut refused);
        check::<ChildMessage>(value.clone(), &mut refused);
        check::<SpawnCommand>(value.clone(), &mut refused);
        check::<PreparedRun>(value, &mut refused);
    }
    // The generator really produced both kinds: refusals, and requests that decoded and ran the validator.
    assert!(refused > 1000, "{refused}");
    assert!(
        prepared > 10,
        "only {prepared} random requests named a lesson"
    );
}

#[wasm_bindgen_test]
fn filters_with_simd_match_the_scalar_reference() {
    use playground::frame_kernels::clip::generate_frame;
    use playground::frame_kernels::filters::{filter_rows, filter_rows_reference, Filter};
    assert!(
        cfg!(target_feature = "simd128"),
        "built without simd128: this would compare the reference with itself"
    );
    // Widths around every vector step and border (1..20), a frame lab size, and bands that start at 0,
    // in the middle and at the last row.
    let sizes = (1..20)
        .map(|w| (w, 9))
        .chain([(37, 29), (640, 24), (641, 7)]);
    for (w, h) in sizes {
        let src = generate_frame(3, w, h);
        for filter in Filter::ALL {
            for rows in [0..h, h / 2..h, h - 1..h, 0..1] {
                let n = (rows.end - rows.start) * w * 4;
                let (mut fast, mut reference) = (vec![1u8; n], vec![2u8; n]);
                filter_rows(filter, &src, &mut fast, w, h, rows.clone());
                filter_rows_reference(filter, &src, &mut reference, w, h, rows.clone());
                assert!(
                    fast == reference,
                    "{filter:?} {w}×{h} rows {rows:?} differ from the reference"
                );
            }
        }
    }
}
