//! Lesson "Logging from threads" (curriculum row 15).
//!
//! `logging` with `%(threadName)s` in the format: several threads log their steps, and each record names
//! the thread that really made it — read from the running thread itself, never passed in — and the Web
//! Worker (or OS thread) it ran on. As in Python's `logging`, one handler lock serializes the records, so
//! they come out whole and in time order.

use super::claims::{claim, finished, PythonCheck};
use super::question::{Answer, Question};
use crate::engine::names::thread_name;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::{self, now_ms};
use crate::engine::pool::current_worker;
use crate::engine::sync::{sleep_ms, TracedMutex};
use crate::engine::{thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct Logging;

/// One log record, as `logging.LogRecord` has it.
#[derive(Serialize, Clone, Debug)]
pub struct Record {
    /// When it was made, on the one clock.
    pub t: f64,
    /// `%(relativeCreated)`: milliseconds since logging started.
    pub relative_ms: f64,
    /// `%(threadName)s`: the name of the thread that called the logger.
    pub thread_name: String,
    /// The timeline lane of that thread.
    pub lane: u32,
    /// The Web Worker (OS thread natively) that ran it.
    pub worker: Option<u32>,
    pub level: &'static str,
    pub message: String,
    /// The formatted line, as the handler wrote it.
    pub line: String,
}

/// A logger with one handler: like `logging`'s `Handler`, it takes a lock for each record, so records are
/// never interleaved mid-line and leave in the order they were made.
pub struct Logger {
    started: f64,
    records: TracedMutex<Vec<Record>>,
}

impl Logger {
    pub fn new() -> Self {
        Logger {
            started: now_ms(),
            records: TracedMutex::new(Vec::new()),
        }
    }

    /// `logging.info(message)`: the record carries the calling thread's own name and worker.
    pub fn info(&self, message: impl Into<String>) {
        let message = message.into();
        let mut records = self.records.lock();
        let t = now_ms();
        let lane = trace::current_lane();
        let thread_name = trace::lane_name(lane);
        let worker = current_worker();
        let relative_ms = t - self.started;
        let line = format!(
            "{relative_ms:7.1} ms {thread_name} [worker {}] INFO {message}",
            worker.map_or_else(|| "–".to_string(), |w| w.to_string())
        );
        trace::print(line.clone());
        records.push(Record {
            t,
            relative_ms,
            thread_name,
            lane,
            worker,
            level: "INFO",
            message,
            line,
        });
    }

    pub fn into_records(self) -> Vec<Record> {
        self.records.into_inner()
    }
}

impl Default for Logger {
    fn default() -> Self {
        Self::new()
    }
}

/// Thread `index`'s body: `steps` steps, each after its own pace of waiting.
fn worker(log: &Logger, index: usize, steps: usize, step_ms: f64) {
    let pace = step_ms * (1.0 + index as f64 / 2.0);
    for step in 1..=steps {
        sleep_ms(pace);
        log.info(format!("step {step} of {steps}"));
    }
}

const PYTHON: &str = r#"import logging, threading, time

logging.basicConfig(
    level=logging.INFO,
    format="%(relativeCreated)7.1f ms %(threadName)s [%(thread)d] %(levelname)s %(message)s",
)
SCALE = {time_scale} / 100   # the playground's time scale; 100 = real time
STEP = {step_ms} / 1000 * SCALE

def worker(index):
    for step in range(1, {steps} + 1):
        time.sleep(STEP * (1 + index / 2))   # each thread at its own pace
        logging.info("step %d of %d", step, {steps})

logging.info("starting %d threads", {threads})
threads = [threading.Thread(target=worker, args=(i,)) for i in range({threads})]
for t in threads: t.start()
for t in threads: t.join()
logging.info("all threads done")
"#;

impl Lesson for Logging {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("step_ms", 50)],
            gil: true,
            claim: |run| {
                finished(run)?;
                let steps = (1..=3)
                    .filter(|n| {
                        run.stderr
                            .contains(&format!("Thread-{n} (worker) [{}] INFO step 3 of 3", n + 1))
                    })
                    .count();
                claim(steps == 3, || {
                    format!(
                        "not every thread logged its last step with its name: {}",
                        run.stderr
                    )
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "logging",
            title: "Logging from threads",
            group: "Threads",
            curriculum_row: 15,
            engine: EngineKind::Threads,
            summary: "Put `%(threadName)s` in the logging format and every record says which thread wrote it. \
                Here several threads log their steps at different paces; the records name the thread that \
                really made them (taken from the running thread, not passed in) and the worker it ran on. \
                The logging handler takes a lock per record, so lines never mix and come out in time order: \
                read the log to see which thread did what, and when.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("threads", "Threads", 1, 16, 3, "How many threads log."),
                ParamSpec::int("steps", "Steps per thread", 1, 20, 3, "How many records each thread logs."),
                ParamSpec::int(
                    "step_ms",
                    "Step (ms)",
                    1,
                    5000,
                    500,
                    "Thread i waits this × (1 + i/2) before each step.",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("threads") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let threads = params.get("threads") as usize;
        let steps = params.get("steps") as usize;
        let step_ms = Scale::of(params).ms(params.get("step_ms") as f64);

        let log = Arc::new(Logger::new());
        log.info(format!("starting {threads} threads"));
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let log = log.clone();
                thread::spawn(thread_name(i + 1, "worker"), "", move || {
                    worker(&log, i, steps, step_ms)
                })
            })
            .collect();
        handles.into_iter().for_each(thread::JoinHandle::join);
        log.info("all threads done");
        let records = Arc::try_unwrap(log)
            .map_err(|_| "a thread still holds the logger".to_string())?
            .into_records();

        // Two records made one after the other under the lock, on two workers, can read up to a clock step
        // apart the wrong way; within that, the order is the order of time.
        let in_order = records
            .windows(2)
            .all(|w| w[0].t <= w[1].t + clock::STEP_MS);
        let report = report_of(&records, threads, steps, in_order);

        Ok(json!({
            "report": report,
            "answer": answer(&records),
            "threads": threads,
            "steps": steps,
            "records": records,
            "in_order": in_order,
        }))
    }
}

/// The verdict, a row per thread, and the whole log in order.
fn report_of(records: &[Record], threads: usize, steps: usize, in_order: bool) -> Report {
    let mut per_thread: BTreeMap<String, (usize, Option<u32>, f64, f64)> = BTreeMap::new();
    for r in records {
        let e = per_thread.entry(r.thread_name.clone()).or_insert((
            0,
            r.worker,
            r.relative_ms,
            r.relative_ms,
        ));
        e.0 += 1;
        e.3 = r.relative_ms;
    }
    let workers: std::collections::BTreeSet<u32> =
        records.iter().filter_map(|r| r.worker).collect();
    let expected = threads * steps + 2;
    let verdict = format!(
        "{} records from {} threads (the main thread and {threads} workers) on {} distinct workers; \
         each names the thread that wrote it, and they are {}in time order. The first worker record \
         came at {}, the last at {}.",
        records.len(),
        per_thread.len(),
        workers.len(),
        if in_order { "" } else { "NOT " },
        report::ms(records.get(1).map_or(0.0, |r| r.relative_ms)),
        report::ms(records.iter().rev().nth(1).map_or(0.0, |r| r.relative_ms)),
    );
    let rows = per_thread
        .iter()
        .map(|(name, (n, w, first, last))| {
            vec![
                name.clone(),
                w.map_or_else(|| "–".into(), |w| w.to_string()),
                n.to_string(),
                report::ms(*first),
                report::ms(*last),
            ]
        })
        .collect();
    Report::new(verdict)
        .table(
            "Records per thread",
            &["%(threadName)s", "worker", "records", "first at", "last at"],
            rows,
        )
        .table(
            "The log, in order",
            &["relativeCreated", "threadName", "worker", "message"],
            records
                .iter()
                .map(|r| {
                    vec![
                        report::ms(r.relative_ms),
                        r.thread_name.clone(),
                        r.worker.map_or_else(|| "–".into(), |w| w.to_string()),
                        r.message.clone(),
                    ]
                })
                .collect(),
        )
        .note(
            "The thread name is read from the thread that runs the logging call, as Python's logging \
             reads threading.current_thread().name. In brackets, where Python prints the thread's \
             identifier (%(thread)d), the playground shows which worker ran the thread.",
        )
        .note(format!(
            "Records are made and written under the handler's lock, so each line is whole and the \
             order of the log is the order of time ({expected} records expected, {} written).",
            records.len()
        ))
}

pub const QUESTION: Question = Question::number(
    "How many different threads will write log records (count the main thread too)?",
    0,
    64,
    "Different thread names",
);

/// From the thread names the records carry, in the order they first appear.
fn answer(records: &[Record]) -> Answer {
    let mut names: Vec<&str> = Vec::new();
    for r in records {
        if !names.contains(&r.thread_name.as_str()) {
            names.push(&r.thread_name);
        }
    }
    Answer::number(
        names.len() as i64,
        format!(
            "The records name {} threads: {}.",
            names.len(),
            names.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;

    #[test]
    fn records_name_the_thread_that_wrote_them_in_time_order() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "logging".into(),
            params: json!({"threads": 3, "steps": 3, "step_ms": 20, "time_scale": 100}),
        })
        .unwrap();
        trace::reset();
        let outcome = run_thread_lesson(&prepared);
        assert_eq!(outcome.error, None);
        let records = outcome.values["records"].as_array().unwrap();
        assert_eq!(records.len(), 3 * 3 + 2);
        assert_eq!(records[0]["thread_name"], "MainThread");
        assert_eq!(records[10]["thread_name"], "MainThread");
        let t: Vec<f64> = records.iter().map(|r| r["t"].as_f64().unwrap()).collect();
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
        for i in 1..=3 {
            let name = thread_name(i, "worker");
            assert_eq!(
                records
                    .iter()
                    .filter(|r| r["thread_name"] == name.as_str())
                    .count(),
                3
            );
        }
        // Each printed line names the lane that printed it.
        assert_eq!(outcome.output.len(), 11);
        for line in &outcome.output {
            let lane = &outcome.lanes[line.lane as usize];
            assert!(
                line.text.contains(&format!(" {} [worker", lane.name)),
                "{} on {}",
                line.text,
                lane.name
            );
        }
        // Paces differ: Thread-1 logs its last step before Thread-3 logs its second.
        let pos = |m: &str, n: &str| {
            records
                .iter()
                .position(|r| r["thread_name"] == n && r["message"] == m)
                .unwrap()
        };
        assert!(pos("step 3 of 3", "Thread-1 (worker)") < pos("step 3 of 3", "Thread-3 (worker)"));
        assert_eq!(outcome.values["in_order"], true);
    }
}
