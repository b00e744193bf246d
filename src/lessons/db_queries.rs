//! Lesson "Parallel database queries" (curriculum row 9).
//!
//! Three queries, each a simulated wait for the database (a real blocking sleep, as a thread waiting on a
//! socket would block), run one after another on the main thread and then on a `ThreadPoolExecutor` of
//! three threads. One after another the waits add up; on threads they overlap and the total is about the
//! longest one.

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use serde::Serialize;
use serde_json::Value;

use super::common::{Scale, TIME_SCALE};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::executor::Executor;
use crate::engine::sync::sleep_ms;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct DbQueries;

const QUERIES: [(&str, &str); 3] = [
    ("q1_ms", "SELECT * FROM users"),
    ("q2_ms", "SELECT * FROM orders"),
    ("q3_ms", "SELECT * FROM products"),
];

/// One query to run: its SQL, how long the database takes (at this run's scale), and the mode's start.
#[derive(Clone, Debug)]
struct Query {
    sql: &'static str,
    wait_ms: f64,
    t0: f64,
}

/// One query as it really ran.
#[derive(Serialize, Clone, Debug)]
pub struct QueryRun {
    pub sql: &'static str,
    pub wait_ms: f64,
    pub thread: String,
    /// After the mode's start.
    pub started_ms: f64,
    pub took_ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct DbResult {
    pub sequential_ms: f64,
    pub threaded_ms: f64,
    /// The longest single wait and the sum of the waits, at this run's scale.
    pub longest_ms: f64,
    pub sum_ms: f64,
    pub speedup: f64,
    pub sequential: Vec<QueryRun>,
    pub threaded: Vec<QueryRun>,
}

/// `run_query(query)`: the database is busy for `wait_ms`; this thread just waits for the answer.
fn run_query(q: Query) -> Result<QueryRun, String> {
    let started = now_ms();
    trace::print(format!("{} …", q.sql));
    let took_ms = sleep_ms(q.wait_ms);
    trace::print(format!("{}: answered after {}", q.sql, report::ms(took_ms)));
    Ok(QueryRun {
        sql: q.sql,
        wait_ms: q.wait_ms,
        thread: trace::lane_name(trace::current_lane()),
        started_ms: started - q.t0,
        took_ms,
    })
}

fn queries(params: &Params, t0: f64) -> Vec<Query> {
    let scale = Scale::of(params);
    QUERIES
        .iter()
        .map(|(name, sql)| Query {
            sql,
            wait_ms: scale.ms(params.get(name) as f64),
            t0,
        })
        .collect()
}

fn rows(mode: &str, runs: &[QueryRun]) -> Vec<Vec<String>> {
    runs.iter()
        .map(|r| {
            vec![
                mode.to_string(),
                r.sql.to_string(),
                r.thread.clone(),
                report::ms(r.started_ms),
                report::ms(r.took_ms),
            ]
        })
        .collect()
}

const PYTHON: &str = r#"import time
from concurrent.futures import ThreadPoolExecutor

SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
QUERIES = [("SELECT * FROM users", {q1_ms}),      # how long the database takes, in ms
           ("SELECT * FROM orders", {q2_ms}),
           ("SELECT * FROM products", {q3_ms})]

def run_query(query):
    sql, ms = query
    time.sleep(ms / 1000 * SCALE)   # waiting for the database's answer
    return f"{sql}: done"

start = time.perf_counter()
results = [run_query(q) for q in QUERIES]
print(f"one after another: {time.perf_counter() - start:.2f} s")

start = time.perf_counter()
with ThreadPoolExecutor(max_workers=len(QUERIES)) as pool:
    results = list(pool.map(run_query, QUERIES))
print(f"on threads: {time.perf_counter() - start:.2f} s")
"#;

impl Lesson for DbQueries {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("q1_ms", 100), ("q2_ms", 150), ("q3_ms", 200)],
            gil: true,
            claim: |run| {
                let sequential = number_after(run, "one after another:")?;
                let threads = number_after(run, "on threads:")?;
                claim(threads < 0.75 * sequential, || {
                    format!(
                        "the queries on threads took {threads} s, one after another {sequential} s"
                    )
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "db-queries",
            title: "Parallel database queries",
            group: "Threads",
            curriculum_row: 9,
            engine: EngineKind::Threads,
            summary: "A program asks a database three questions. Most of a query's time is spent waiting \
                for the answer, and a waiting thread needs no processor. One after another, the waits add \
                up; on a pool of three threads they overlap, and the total is about the slowest query.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("q1_ms", "Query 1 takes (ms)", 10, 10_000, 300, "The users query's wait, at 100 % time scale."),
                ParamSpec::int("q2_ms", "Query 2 takes (ms)", 10, 10_000, 500, "The orders query's wait, at 100 % time scale."),
                ParamSpec::int("q3_ms", "Query 3 takes (ms)", 10, 10_000, 700, "The products query's wait, at 100 % time scale."),
                TIME_SCALE,
            ],
        }
    }

    /// The main thread and the executor's three threads.
    fn threads_needed(&self, _params: &Params) -> usize {
        1 + QUERIES.len()
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let t0 = now_ms();
        let sequential = queries(params, t0)
            .into_iter()
            .map(run_query)
            .collect::<Result<Vec<_>, _>>()?;
        let sequential_ms = now_ms() - t0;
        trace::print(format!("one after another: {}", report::ms(sequential_ms)));

        let t0 = now_ms();
        let pool = Executor::new(QUERIES.len(), "ThreadPoolExecutor-0", "threads");
        let threaded = pool.map(run_query, queries(params, t0))?;
        pool.shutdown();
        let threaded_ms = now_ms() - t0;
        trace::print(format!("on threads: {}", report::ms(threaded_ms)));

        let waits: Vec<f64> = threaded.iter().map(|r| r.wait_ms).collect();
        let longest_ms = waits.iter().copied().fold(0.0, f64::max);
        let sum_ms: f64 = waits.iter().sum();
        let speedup = sequential_ms / threaded_ms.max(0.001);
        let verdict = format!(
            "One after another the three queries took {} (their waits add up to {}); on three threads they \
             took {} — about the slowest query ({}), {speedup:.1}× faster.",
            report::ms(sequential_ms),
            report::ms(sum_ms),
            report::ms(threaded_ms),
            report::ms(longest_ms),
        );
        let rep = Report::new(verdict)
            .table(
                "Both ways, measured",
                &["Mode", "Total", "Expected from the waits"],
                vec![
                    vec![
                        "one after another".into(),
                        report::ms(sequential_ms),
                        format!("the sum: {}", report::ms(sum_ms)),
                    ],
                    vec![
                        "ThreadPoolExecutor(max_workers=3)".into(),
                        report::ms(threaded_ms),
                        format!("the longest: {}", report::ms(longest_ms)),
                    ],
                ],
            )
            .table(
                "Each query (start time after the mode's start)",
                &["Mode", "Query", "Thread", "Started", "Took"],
                [rows("one after another", &sequential), rows("threads", &threaded)].concat(),
            )
            .note(
                "Each query is a simulated wait, as in the tutorials: the thread really blocks for that long, \
                 as it would waiting on the database's socket. The threaded time includes starting and \
                 shutting down the pool.",
            );
        let result = DbResult {
            sequential_ms,
            threaded_ms,
            longest_ms,
            sum_ms,
            speedup,
            sequential,
            threaded,
        };
        let answer = answer(&result);
        let mut values = serde_json::to_value(result).map_err(|e| e.to_string())?;
        values["report"] = serde_json::to_value(rep).map_err(|e| e.to_string())?;
        question::attach(&mut values, &answer);
        Ok(values)
    }
}

pub const QUESTION: Question = Question::choices(
    "Three queries wait different times. On three threads, the whole batch takes about…",
    &[
        choice("sum", "The sum of the three waits"),
        choice("longest", "The longest query"),
        choice("shortest", "The shortest query"),
    ],
);

/// Which of the sum, the longest and the shortest wait the threaded batch was closest to (the first on a
/// tie).
fn answer(r: &DbResult) -> Answer {
    let shortest = r
        .threaded
        .iter()
        .map(|q| q.wait_ms)
        .fold(f64::INFINITY, f64::min);
    let entries = [
        ("sum", r.sum_ms),
        ("longest", r.longest_ms),
        ("shortest", shortest),
    ];
    let mut closest = entries[0];
    for e in &entries[1..] {
        if (r.threaded_ms - e.1).abs() < (r.threaded_ms - closest.1).abs() {
            closest = *e;
        }
    }
    Answer::choice(
        closest.0,
        format!(
            "On threads the batch took {}: the waits add up to {}, the longest is {}, the shortest {}.",
            question::ms(r.threaded_ms),
            question::ms(r.sum_ms),
            question::ms(r.longest_ms),
            question::ms(shortest)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;
    use serde_json::json;

    #[test]
    fn threads_take_about_the_longest_wait_and_sequential_the_sum() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "db-queries".into(),
            params: json!({"q1_ms": 60, "q2_ms": 100, "q3_ms": 140, "time_scale": 50}),
        })
        .unwrap();
        assert_eq!(prepared.threads_needed, 4);
        trace::reset();
        let outcome = run_thread_lesson(&prepared);
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let (seq, thr) = (
            v["sequential_ms"].as_f64().unwrap(),
            v["threaded_ms"].as_f64().unwrap(),
        );
        assert_eq!(v["longest_ms"], 70.0);
        assert_eq!(v["sum_ms"], 150.0);
        assert!(seq >= 150.0, "sequential {seq}");
        assert!(
            thr >= 70.0 && thr < 0.8 * seq,
            "threads {thr}, sequential {seq}"
        );
        // map keeps the input order; every threaded query ran on a pool thread.
        let sqls: Vec<_> = v["threaded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["sql"].as_str().unwrap())
            .collect();
        assert_eq!(
            sqls,
            [
                "SELECT * FROM users",
                "SELECT * FROM orders",
                "SELECT * FROM products"
            ]
        );
        for r in v["threaded"].as_array().unwrap() {
            assert!(r["thread"]
                .as_str()
                .unwrap()
                .starts_with("ThreadPoolExecutor-0_"));
        }
        for r in v["sequential"].as_array().unwrap() {
            assert_eq!(r["thread"], "MainThread");
        }
    }
}
