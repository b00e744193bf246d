//! Lesson "Producer and consumer" (curriculum row 17).
//!
//! A producer thread puts items on a bounded `queue.Queue(maxsize)`; k consumer threads take them off.
//! The run is repeated for k = 1..max_consumers. Each run measures its throughput, how long the producer
//! was blocked on a full queue and the consumers on an empty one, the most items the queue ever held,
//! and which consumer took which item. The consumers stop on sentinels (one `None` each).

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Chart, Report, Series};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::primitives::Queue;
use crate::engine::sync::sleep_ms;
use crate::engine::thread;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct ProducerConsumer;

/// The longest the whole sweep may take (estimated) at the chosen time scale.
pub const MAX_RUN_MS: f64 = 120_000.0;

#[derive(Serialize, Clone, Debug)]
pub struct ConsumerRun {
    pub thread: String,
    pub items: Vec<u32>,
    /// Time blocked in `get` on an empty queue (the wait for the sentinel included).
    pub blocked_ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct SweepRun {
    pub consumers: usize,
    pub ms: f64,
    pub items_per_s: f64,
    /// Time the producer was blocked in `put` on a full queue, and how many of its puts blocked.
    pub producer_blocked_ms: f64,
    pub producer_full_blocks: u32,
    /// Summed over the consumers.
    pub consumer_blocked_ms: f64,
    /// The most items the queue held at once.
    pub max_queue_len: usize,
    /// Every item taken off the queue, by any consumer, sorted.
    pub consumed: Vec<u32>,
    pub duplicates: usize,
    pub missing: usize,
    pub per_consumer: Vec<ConsumerRun>,
}

/// What the producer reports.
struct Produced {
    blocked_ms: f64,
    full_blocks: u32,
}

fn producer(q: &Queue<Option<u32>>, items: u32, consumers: usize, produce_ms: f64) -> Produced {
    let mut p = Produced {
        blocked_ms: 0.0,
        full_blocks: 0,
    };
    let mut put = |item: Option<u32>| {
        let blocked = q.put(item);
        if blocked > 0.0 {
            p.blocked_ms += blocked;
            p.full_blocks += 1;
        }
    };
    for item in 0..items {
        sleep_ms(produce_ms);
        put(Some(item));
    }
    for _ in 0..consumers {
        put(None);
    }
    trace::print(format!(
        "produced {items} items; blocked {} on a full queue ({} puts waited)",
        report::ms(p.blocked_ms),
        p.full_blocks
    ));
    p
}

fn consumer(name: String, q: &Queue<Option<u32>>, consume_ms: f64) -> ConsumerRun {
    let mut run = ConsumerRun {
        thread: name,
        items: Vec::new(),
        blocked_ms: 0.0,
    };
    loop {
        let (item, blocked) = q.get(None);
        run.blocked_ms += blocked;
        match item {
            Some(Some(item)) => {
                sleep_ms(consume_ms);
                run.items.push(item);
            }
            // The sentinel (or, never here, a timeout): no more items.
            Some(None) | None => break,
        }
    }
    trace::print(format!(
        "consumed {} items; blocked {} on an empty queue",
        run.items.len(),
        report::ms(run.blocked_ms)
    ));
    run
}

/// One run with `k` consumers.
fn run_with(
    k: usize,
    items: u32,
    maxsize: usize,
    produce_ms: f64,
    consume_ms: f64,
    next: &mut u32,
) -> SweepRun {
    let group = format!("{k} consumer{}", if k == 1 { "" } else { "s" });
    let q: Arc<Queue<Option<u32>>> = Arc::new(Queue::new(maxsize));
    let t0 = now_ms();
    *next += 1;
    let pq = q.clone();
    let prod = thread::spawn(
        format!("Thread-{next} (producer)"),
        group.clone(),
        move || producer(&pq, items, k, produce_ms),
    );
    let cons: Vec<_> = (0..k)
        .map(|_| {
            *next += 1;
            let name = format!("Thread-{next} (consumer)");
            let cq = q.clone();
            let own = name.clone();
            thread::spawn(name, group.clone(), move || consumer(own, &cq, consume_ms))
        })
        .collect();
    let produced = prod.join();
    let per_consumer: Vec<ConsumerRun> = cons.into_iter().map(thread::JoinHandle::join).collect();
    let ms = now_ms() - t0;
    let mut consumed: Vec<u32> = per_consumer.iter().flat_map(|c| c.items.clone()).collect();
    consumed.sort_unstable();
    let total = consumed.len();
    let mut distinct = consumed.clone();
    distinct.dedup();
    let duplicates = total - distinct.len();
    let missing = (0..items)
        .filter(|i| distinct.binary_search(i).is_err())
        .count();
    SweepRun {
        consumers: k,
        ms,
        items_per_s: f64::from(items) * 1000.0 / ms.max(0.001),
        producer_blocked_ms: produced.blocked_ms,
        producer_full_blocks: produced.full_blocks,
        consumer_blocked_ms: per_consumer.iter().map(|c| c.blocked_ms).sum(),
        max_queue_len: q.high_water(),
        consumed,
        duplicates,
        missing,
        per_consumer,
    }
}

/// The throughput the slower side allows: the producer makes 1 item per `produce_ms`, k consumers use k
/// items per `consume_ms`.
pub fn model_items_per_s(k: usize, produce_ms: f64, consume_ms: f64) -> f64 {
    let producer = 1000.0 / produce_ms.max(0.001);
    let consumers = k as f64 * 1000.0 / consume_ms.max(0.001);
    producer.min(consumers)
}

const PYTHON: &str = r#"import queue, threading, time

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
ITEMS = {items}
PRODUCE = {produce_ms} / 1000 * SCALE
CONSUME = {consume_ms} / 1000 * SCALE

def producer(q, consumers):
    for item in range(ITEMS):
        time.sleep(PRODUCE)           # make the item
        q.put(item)                   # blocks while the queue is full
    for _ in range(consumers):
        q.put(None)                   # one sentinel per consumer: no more items

def consumer(q):
    while (item := q.get()) is not None:   # blocks while the queue is empty
        time.sleep(CONSUME)           # use the item

for k in range(1, {max_consumers} + 1):
    q = queue.Queue(maxsize={maxsize})
    threads = [threading.Thread(target=producer, args=(q, k))]
    threads += [threading.Thread(target=consumer, args=(q,)) for _ in range(k)]
    start = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    print(f"{k} consumers: {ITEMS / (time.perf_counter() - start):.1f} items/s")
"#;

impl Lesson for ProducerConsumer {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("items", 8), ("produce_ms", 10), ("consume_ms", 40)],
            gil: true,
            claim: |run| {
                let one = number_after(run, "1 consumers:")?;
                let four = number_after(run, "4 consumers:")?;
                claim(four > 1.5 * one, || {
                    format!("4 consumers handled {four} items/s, 1 consumer {one}")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "producer-consumer",
            title: "Producer and consumer",
            group: "Synchronization",
            curriculum_row: 17,
            engine: EngineKind::Threads,
            summary: "A producer thread puts items on a bounded queue.Queue; consumer threads take them off. \
                `put` blocks while the queue is full and `get` while it is empty, so the faster side waits \
                for the slower one and the queue never grows past maxsize. The run is repeated with 1, 2, … \
                consumers: while consuming is the slow side, each extra consumer raises the throughput; once \
                the producer is the slow side, more consumers only wait on an empty queue. Each consumer \
                stops when it takes a sentinel (None) off the queue.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("items", "Items", 1, 500, 20, "How many items the producer makes per run."),
                ParamSpec::int("maxsize", "Queue size (maxsize)", 1, 50, 3, "put blocks when this many items wait."),
                ParamSpec::int(
                    "max_consumers",
                    "Consumers, up to",
                    1,
                    8,
                    4,
                    "The runs use 1, 2, … up to this many consumer threads.",
                ),
                ParamSpec::int("produce_ms", "Make one item (ms)", 1, 2000, 50, "The producer's time per item."),
                ParamSpec::int("consume_ms", "Use one item (ms)", 1, 2000, 200, "A consumer's time per item."),
                common::TIME_SCALE,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        let scale = Scale::of(params).0;
        let (produce, consume) = (
            params.get("produce_ms") as f64,
            params.get("consume_ms") as f64,
        );
        let per_item: f64 = (1..=params.get("max_consumers"))
            .map(|k| produce.max(consume / k as f64) * scale)
            .sum();
        let items = params.get("items");
        if per_item * items as f64 > MAX_RUN_MS {
            let capped = ((MAX_RUN_MS / per_item) as i64).max(1);
            notices.push(format!(
                "{items} items would make the runs take about {}; using {capped} items.",
                report::ms(per_item * items as f64)
            ));
            params.set("items", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        2 + params.get("max_consumers") as usize
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let scale = Scale::of(params);
        let items = params.get("items") as u32;
        let maxsize = params.get("maxsize") as usize;
        let max_k = params.get("max_consumers") as usize;
        let produce_ms = scale.ms(params.get("produce_ms") as f64);
        let consume_ms = scale.ms(params.get("consume_ms") as f64);
        let mut next = 0;
        let mut runs = Vec::new();
        for k in 1..=max_k {
            let run = run_with(k, items, maxsize, produce_ms, consume_ms, &mut next);
            trace::print(format!(
                "{k} consumer{}: {:.1} items/s in {}; producer blocked {} on a full queue, consumers {} on an \
                 empty one",
                if k == 1 { "" } else { "s" },
                run.items_per_s,
                report::ms(run.ms),
                report::ms(run.producer_blocked_ms),
                report::ms(run.consumer_blocked_ms)
            ));
            runs.push(run);
        }

        let all_once = runs.iter().all(|r| r.duplicates == 0 && r.missing == 0);
        let high = runs.iter().map(|r| r.max_queue_len).max().unwrap_or(0);
        let first = runs.first().ok_or("no run")?;
        let best = runs
            .iter()
            .max_by(|a, b| a.items_per_s.total_cmp(&b.items_per_s))
            .unwrap_or(first);
        let mut verdict = format!(
            "With 1 consumer: {:.1} items/s, and the producer spent {} blocked on a full queue ({} puts \
             waited). ",
            first.items_per_s,
            report::ms(first.producer_blocked_ms),
            first.producer_full_blocks
        );
        if let Some(second) = runs.get(1) {
            verdict.push_str(&format!(
                "With 2: {:.1} items/s ({:.2}×). Best: {:.1} items/s with {} consumers, whose threads spent {} \
                 in all waiting on an empty queue. ",
                second.items_per_s,
                second.items_per_s / first.items_per_s.max(1e-9),
                best.items_per_s,
                best.consumers,
                report::ms(best.consumer_blocked_ms)
            ));
        }
        verdict.push_str(&format!(
            "The queue never held more than {high} of its maxsize {maxsize}; {}.",
            if all_once {
                "every item was consumed exactly once in every run"
            } else {
                "SOME ITEMS WERE LOST OR CONSUMED TWICE"
            }
        ));

        let rows: Vec<Vec<String>> = runs
            .iter()
            .map(|r| {
                vec![
                    r.consumers.to_string(),
                    report::ms(r.ms),
                    format!("{:.1}", r.items_per_s),
                    format!(
                        "{:.1}",
                        model_items_per_s(r.consumers, produce_ms, consume_ms)
                    ),
                    format!(
                        "{} ({}×)",
                        report::ms(r.producer_blocked_ms),
                        r.producer_full_blocks
                    ),
                    report::ms(r.consumer_blocked_ms),
                    format!("{} / {maxsize}", r.max_queue_len),
                    r.per_consumer
                        .iter()
                        .map(|c| c.items.len().to_string())
                        .collect::<Vec<_>>()
                        .join(" + "),
                ]
            })
            .collect();
        let rep = Report::new(verdict)
            .table(
                "One run per number of consumers",
                &[
                    "consumers",
                    "time",
                    "items/s",
                    "slower side allows",
                    "producer blocked (full)",
                    "consumers blocked (empty)",
                    "most in queue",
                    "items per consumer",
                ],
                rows,
            )
            .chart(Chart {
                title: "Throughput".into(),
                x_label: "consumers".into(),
                y_label: "items/s".into(),
                series: vec![
                    Series {
                        name: "measured".into(),
                        style: "measured",
                        points: runs.iter().map(|r| (r.consumers as f64, r.items_per_s)).collect(),
                    },
                    Series {
                        name: "the slower side allows".into(),
                        style: "model",
                        points: runs
                            .iter()
                            .map(|r| {
                                (
                                    r.consumers as f64,
                                    model_items_per_s(r.consumers, produce_ms, consume_ms),
                                )
                            })
                            .collect(),
                    },
                ],
                markers: vec![],
            })
            .note(format!(
                "Making an item takes {}, using one {}. Consumers' blocked time includes the wait for \
                 their sentinel at the end.",
                report::ms(produce_ms),
                report::ms(consume_ms)
            ));
        Ok(json!({
            "report": rep,
            "answer": answer(&runs),
            "items": items,
            "maxsize": maxsize,
            "produce_ms": produce_ms,
            "consume_ms": consume_ms,
            "all_consumed_once": all_once,
            "runs": runs,
        }))
    }
}

pub const QUESTION: Question = Question::choices(
    "With 2 consumers instead of 1, how many items per second will get through?",
    &[
        choice("same", "About the same (under 1.3×)"),
        choice("double", "Up to about double (1.3× to 2.2×)"),
        choice("more", "More than 2.2×"),
    ],
);

/// From the sweep's runs with 1 and with 2 consumers.
fn answer(runs: &[SweepRun]) -> Answer {
    let one = runs.iter().find(|r| r.consumers == 1);
    let two = runs.iter().find(|r| r.consumers == 2);
    let (Some(one), Some(two)) = (one, two) else {
        return Answer::cannot(
            "This run did not try both 1 and 2 consumers (set Consumers to 2 or more).",
        );
    };
    let r = two.items_per_s / one.items_per_s;
    Answer::choice(
        question::band(r, &[1.3, 2.2], &["same", "double", "more"]),
        format!(
            "1 consumer: {:.1} items/s; 2 consumers: {:.1} items/s ({}).",
            one.items_per_s,
            two.items_per_s,
            question::times(r)
        ),
    )
}

#[cfg(test)]
mod tests {
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
        assert!(
            runs[1]["items_per_s"].as_f64().unwrap() > runs[0]["items_per_s"].as_f64().unwrap()
        );
        assert_eq!(runs[1]["per_consumer"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn the_model_is_the_slower_side() {
        assert_eq!(model_items_per_s(1, 50.0, 200.0), 5.0);
        assert_eq!(model_items_per_s(8, 50.0, 200.0), 20.0);
    }
}
