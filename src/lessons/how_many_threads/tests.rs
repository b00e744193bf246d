//! Tests of the how-many-threads lesson.

use super::*;
use crate::lessons::prepare;
use crate::protocol::RunRequest;

fn run(params: Value) -> crate::protocol::RunOutcome {
    crate::lessons::run_for_test("how-many-threads", params)
}

#[test]
fn doubling_counts_include_the_maximum_and_the_cores() {
    assert_eq!(doubling(16, &[2]), vec![1, 2, 4, 8, 16]);
    assert_eq!(doubling(12, &[6]), vec![1, 2, 4, 6, 8, 12]);
    assert_eq!(doubling(4, &[8]), vec![1, 2, 4]);
    assert_eq!(doubling(1, &[1]), vec![1]);
}

#[test]
fn amdahl_fit_recovers_a_known_fraction() {
    let cores = 4;
    let points: Vec<Point> = [1, 2, 4, 8]
        .iter()
        .map(|&n| Point {
            threads: n,
            ms: amdahl_ms(1000.0, 0.9, n, cores),
            samples: Vec::new(),
        })
        .collect();
    let p = fit_parallel_fraction(&points, cores).unwrap();
    assert!((p - 0.9).abs() < 1e-9, "{p}");
    assert_eq!(
        fit_parallel_fraction(&points, 1),
        None,
        "one core shows no speedup"
    );
    assert_eq!(fit_parallel_fraction(&points[..1], 4), None);
}

#[test]
fn io_keeps_falling_and_cpu_does_all_its_work() {
    let outcome = run(json!({
        "max_threads": 8, "io_tasks": 16, "io_ms": 40, "cpu_ms": 60, "repeats": 1, "cores": 2, "time_scale": 100
    }));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["counts"], json!([1, 2, 4, 8]));
    let io: Vec<f64> = v["io"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ms"].as_f64().unwrap())
        .collect();
    // 16 waits of 40 ms: 640 ms on one thread, 80 ms on eight.
    assert!(io[0] >= 640.0, "{io:?}");
    assert!(io[3] >= 80.0 && io[3] < 0.4 * io[0], "{io:?}");
    assert!(
        io.windows(2).all(|w| w[1] < w[0]),
        "I/O time falls with each doubling: {io:?}"
    );
    // Every split did the same total work: same unit count, all of it computed.
    let units = v["cpu_units"].as_u64().unwrap();
    assert!(units >= 1);
    assert_eq!(v["cpu"].as_array().unwrap().len(), 4);
    assert_eq!(v["cores"], 2);
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("I/O-bound: 16 waits"));
    // Pool threads are named as Python names them, one pool per measurement.
    assert!(outcome
        .lanes
        .iter()
        .any(|l| l.name == "ThreadPoolExecutor-0_0"));
    assert!(outcome
        .lanes
        .iter()
        .any(|l| l.name == "ThreadPoolExecutor-7_7"));
}

#[test]
fn the_detected_core_count_is_used_when_the_parameter_is_zero() {
    let prepared = prepare(&RunRequest {
        lesson: "how-many-threads".into(),
        params: json!({"cores": 0, "max_threads": 64}),
    })
    .unwrap();
    let (cores, source) = cores_of(&prepared.params);
    assert_eq!(Some(cores), crate::platform::cores());
    assert!(source.contains("available_parallelism"), "{source}");
    assert_eq!(prepared.threads_needed, 65);
}

#[test]
fn io_waiting_is_capped_with_a_notice() {
    let prepared = prepare(&RunRequest {
        lesson: "how-many-threads".into(),
        params: json!({"io_tasks": 256, "io_ms": 2000}),
    })
    .unwrap();
    assert_eq!(prepared.params.get("io_tasks"), 10);
    assert_eq!(prepared.notices.len(), 1);
}
