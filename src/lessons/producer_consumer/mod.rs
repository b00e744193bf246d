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

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct ProducerConsumer;

/// The longest the whole sweep may take (estimated) at the chosen time scale.
pub const MAX_RUN_MS: f64 = 120_000.0;

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
        run::run(params)
    }
}
