//! Running the sweep: the producer, the consumers, one run with k consumers, and the program.

use super::*;
use crate::engine::names::thread_name;

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
pub(super) struct Produced {
    blocked_ms: f64,
    full_blocks: u32,
}

pub(super) fn producer(
    q: &Queue<Option<u32>>,
    items: u32,
    consumers: usize,
    produce_ms: f64,
) -> Produced {
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

pub(super) fn consumer(name: String, q: &Queue<Option<u32>>, consume_ms: f64) -> ConsumerRun {
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
pub(super) fn run_with(
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
    let prod = thread::spawn(thread_name(*next, "producer"), group.clone(), move || {
        producer(&pq, items, k, produce_ms)
    });
    let cons: Vec<_> = (0..k)
        .map(|_| {
            *next += 1;
            let name = thread_name(*next, "consumer");
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

/// The lesson's program: one run per number of consumers, 1 … max_consumers.
pub(super) fn run(params: &Params) -> Result<Value, String> {
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
    runs.first().ok_or("no run")?;
    let rep = report_of(&runs, maxsize, produce_ms, consume_ms);
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
