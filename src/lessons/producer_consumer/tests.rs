//! Tests of the producer-and-consumer lesson.

use super::*;

use crate::protocol::RunOutcome;

fn run(params: Value) -> RunOutcome {
    crate::lessons::run_for_test("producer-consumer", params)
}

#[test]
fn every_item_once_the_queue_stays_bounded_and_a_second_consumer_helps() {
    let outcome = run(json!({
        "items": 10, "maxsize": 2, "max_consumers": 3, "produce_ms": 5, "consume_ms": 30
    }));
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for r in runs {
        assert_eq!(r["consumed"], json!((0..10).collect::<Vec<u32>>()));
        assert!(r["max_queue_len"].as_u64().unwrap() <= 2);
    }
    assert!(runs[0]["producer_full_blocks"].as_u64().unwrap() >= 1);
    assert!(runs[0]["producer_blocked_ms"].as_f64().unwrap() > 0.0);
    assert!(runs[1]["items_per_s"].as_f64().unwrap() > runs[0]["items_per_s"].as_f64().unwrap());
    assert_eq!(runs[1]["per_consumer"].as_array().unwrap().len(), 2);
}

#[test]
fn the_model_is_the_slower_side() {
    assert_eq!(model_items_per_s(1, 50.0, 200.0), 5.0);
    assert_eq!(model_items_per_s(8, 50.0, 200.0), 20.0);
}
