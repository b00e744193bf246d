//! Tests of the web-scraping lesson.

use super::*;
use crate::lessons::prepare;
use crate::protocol::RunRequest;

fn run(params: Value) -> crate::protocol::RunOutcome {
    crate::lessons::run_for_test("scraping", params)
}

/// Natively there is no server: every request fails, and the lesson says so instead of inventing
/// bytes. The latency still really overlaps on the pool's threads.
#[test]
fn pools_overlap_the_latency_and_failed_requests_are_reported_not_faked() {
    let outcome = run(json!({"pages": 8, "latency_ms": 50, "max_pool": 4, "time_scale": 100}));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let runs = v["runs"].as_array().unwrap();
    let modes: Vec<(&str, u64)> = runs
        .iter()
        .map(|r| (r["mode"].as_str().unwrap(), r["threads"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        modes,
        vec![
            ("pool", 1),
            ("pool", 2),
            ("pool", 4),
            ("thread_per_page", 8)
        ]
    );
    let ms: Vec<f64> = runs.iter().map(|r| r["ms"].as_f64().unwrap()).collect();
    assert!(ms[0] >= 400.0, "8 × 50 ms on one thread: {ms:?}");
    assert!(
        ms[2] < 0.5 * ms[0],
        "a pool of 4 overlaps the waits: {ms:?}"
    );
    for r in runs {
        assert_eq!(r["pages"].as_array().unwrap().len(), 8);
        for p in r["pages"].as_array().unwrap() {
            assert!(p["bytes"].is_null());
            assert!(p["error"].as_str().unwrap().contains("need the browser"));
        }
    }
    assert_eq!(v["failed"], 32);
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .starts_with("32 requests failed"));
    // The pool reuses its threads: the pool of 2 fetched 4 pages on each.
    assert_eq!(runs[1]["threads_used"], 2);
    assert_eq!(runs[1]["most_pages_per_thread"], 4);
    assert!(outcome.lanes.iter().any(|l| l.name == "Thread-8 (scrape)"));
    assert!(outcome
        .lanes
        .iter()
        .any(|l| l.name == "ThreadPoolExecutor-2_3"));
}

#[test]
fn sizes_round_to_served_files_and_totals_are_capped() {
    let prepared = prepare(&RunRequest {
        lesson: "scraping".into(),
        params: json!({"pages": 64, "page_kib": 3000, "latency_ms": 1000}),
    })
    .unwrap();
    assert_eq!(prepared.params.get("page_kib"), 4096);
    assert_eq!(prepared.params.get("pages"), 16);
    assert_eq!(prepared.notices.len(), 2, "{:?}", prepared.notices);
    let p = prepare(&RunRequest {
        lesson: "scraping".into(),
        params: json!({}),
    })
    .unwrap();
    assert_eq!(
        p.threads_needed, 25,
        "24 threads, one per page, and the main thread"
    );
    assert!(p.notices.is_empty());
}
