//! Lesson "Processes do not share memory" (curriculum row 6).
//!
//! The counter program again, with processes. Each child increments the global `COUNTER` — its own copy,
//! in its own memory — and puts its result on a queue to the parent. The parent's `COUNTER` stays 0; the
//! total exists only because the children sent it.

use super::claims::{claim, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use super::report::{self, Report};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

pub struct ProcessCounter;

/// This program's global counter. Every process has its own: the parent's is never touched by a child.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The parent's own counter, as `print(counter)` in the parent would show it.
pub fn parent_counter() -> u64 {
    COUNTER.load(Relaxed)
}

/// What each child puts on the queue.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ChildReport {
    pub name: String,
    pub count: u64,
    /// When the child's program began, on the one clock (so the parent can measure start cost).
    pub started_at: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct ChildResult {
    pub name: String,
    pub pid: Pid,
    pub count: Option<u64>,
    pub exit_code: Option<i32>,
    /// From `start()` to the child's first instruction: a new worker, a new memory, an instantiation.
    pub start_ms: Option<f64>,
    pub message_bytes: usize,
    /// From the child's `put` to the parent's `get`.
    pub message_ms: Option<f64>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Round {
    pub children: Vec<ChildResult>,
    pub total_via_messages: u64,
    pub ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct ProcessCounterResult {
    pub processes: u64,
    pub increments: u64,
    pub expected_total: u64,
    /// The parent's own global counter after all children finished: 0, because nothing is shared.
    pub parent_counter: u64,
    pub rounds: Vec<Round>,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub median_start_ms: f64,
}

struct Child {
    pid: Pid,
    name: String,
    spawned_at: f64,
    report: Option<(ChildReport, usize, f64)>,
    exit_code: Option<i32>,
}

/// The parent program: `repeats` rounds of start k children → get k results → join k children.
pub struct Parent {
    processes: u64,
    increments: u64,
    repeats: usize,
    next_name: u64,
    round_started: f64,
    children: Vec<Child>,
    rounds: Vec<Round>,
    error: Option<String>,
}

impl Parent {
    pub fn new(params: &Params) -> Self {
        Parent {
            processes: params.get("processes") as u64,
            increments: params.get("increments") as u64,
            repeats: params.get("repeats") as usize,
            next_name: 0,
            round_started: 0.0,
            children: Vec::new(),
            rounds: Vec::new(),
            error: None,
        }
    }

    fn start_round(&mut self, kernel: &mut dyn Kernel) {
        self.round_started = now_ms();
        self.children.clear();
        for _ in 0..self.processes {
            self.next_name += 1;
            let name = format!("Process-{}", self.next_name);
            let spawned_at = now_ms();
            let pid = kernel.spawn(&name, "count", json!({ "increments": self.increments }));
            self.children.push(Child {
                pid,
                name,
                spawned_at,
                report: None,
                exit_code: None,
            });
        }
        // `results = [q.get() for _ in procs]`: the parent now waits for messages.
        trace::enter_at(kernel.parent_lane(), LaneState::WaitingMessage, now_ms());
    }

    fn child(&mut self, pid: Pid) -> Option<&mut Child> {
        self.children.iter_mut().find(|c| c.pid == pid)
    }

    fn finish_round_if_complete(&mut self, kernel: &mut dyn Kernel) {
        if !self.children.iter().all(|c| c.exit_code.is_some()) {
            return;
        }
        let ms = now_ms() - self.round_started;
        let children: Vec<ChildResult> = self
            .children
            .iter()
            .map(|c| ChildResult {
                name: c.name.clone(),
                pid: c.pid,
                count: c.report.as_ref().map(|r| r.0.count),
                exit_code: c.exit_code,
                start_ms: c.report.as_ref().map(|r| r.0.started_at - c.spawned_at),
                message_bytes: c.report.as_ref().map_or(0, |r| r.1),
                message_ms: c.report.as_ref().map(|r| r.2),
            })
            .collect();
        if let Some(bad) = children
            .iter()
            .find(|c| c.exit_code != Some(0) || c.count.is_none())
        {
            self.error = Some(format!(
                "{} exited with code {:?} without reporting",
                bad.name, bad.exit_code
            ));
        }
        let total_via_messages = children.iter().filter_map(|c| c.count).sum();
        trace::print(format!(
            "round {}: parent's counter = {}, total collected by messages = {total_via_messages}, {:.1} ms",
            self.rounds.len() + 1,
            parent_counter(),
            ms
        ));
        self.rounds.push(Round {
            children,
            total_via_messages,
            ms,
        });
        if self.rounds.len() < self.repeats && self.error.is_none() {
            trace::enter_at(kernel.parent_lane(), LaneState::Running, now_ms());
            self.start_round(kernel);
        }
    }
}

impl ParentProgram for Parent {
    fn start(&mut self, kernel: &mut dyn Kernel) {
        self.start_round(kernel);
    }

    fn on_message(&mut self, delivery: Delivery, kernel: &mut dyn Kernel) {
        let bytes = delivery.bytes();
        let latency = delivery.received_at - delivery.sent_at;
        match serde_json::from_str::<ChildReport>(&delivery.payload) {
            Ok(report) => {
                if let Some(child) = self.child(delivery.from) {
                    child.report = Some((report, bytes, latency));
                }
            }
            Err(e) => {
                self.error = Some(format!(
                    "a child sent a message the parent cannot read: {e}"
                ))
            }
        }
        if self.children.iter().all(|c| c.report.is_some()) {
            // All results are in; `for p in procs: p.join()`.
            trace::enter_at(kernel.parent_lane(), LaneState::Joining, now_ms());
        }
    }

    fn on_exit(&mut self, pid: Pid, code: i32, _at: f64, kernel: &mut dyn Kernel) {
        if let Some(child) = self.child(pid) {
            child.exit_code = Some(code);
        }
        self.finish_round_if_complete(kernel);
    }

    fn is_done(&self) -> bool {
        self.rounds.len() >= self.repeats || self.error.is_some()
    }

    fn finish(self: Box<Self>) -> Result<Value, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let times: Vec<f64> = self.rounds.iter().map(|r| r.ms).collect();
        let (median_ms, min_ms, max_ms) = spread(&times);
        let starts: Vec<f64> = self
            .rounds
            .iter()
            .flat_map(|r| r.children.iter().filter_map(|c| c.start_ms))
            .collect();
        let result = ProcessCounterResult {
            processes: self.processes,
            increments: self.increments,
            expected_total: self.processes * self.increments,
            parent_counter: parent_counter(),
            rounds: self.rounds,
            median_ms,
            min_ms,
            max_ms,
            median_start_ms: spread(&starts).0,
        };
        let answer = answer(&result);
        let report = report_of(&result);
        let mut values = serde_json::to_value(result).map_err(|e| e.to_string())?;
        values["report"] = serde_json::to_value(report).map_err(|e| e.to_string())?;
        question::attach(&mut values, &answer);
        Ok(values)
    }
}

/// The child program: count in this process's own global, report by message.
pub fn count_child(increments: u64, ctx: &mut ChildContext) -> i32 {
    let started_at = now_ms();
    for _ in 0..increments {
        // `counter += 1` on this process's own global. One thread per process here, so no race.
        COUNTER.store(COUNTER.load(Relaxed) + 1, Relaxed);
    }
    let count = COUNTER.load(Relaxed);
    trace::print(format!("{}: my counter = {count}", ctx.name));
    let report = ChildReport {
        name: ctx.name.clone(),
        count,
        started_at,
    };
    match serde_json::to_string(&report) {
        Ok(text) => {
            ctx.send(text);
            0
        }
        Err(_) => 1,
    }
}

const PYTHON: &str = r#"from multiprocessing import Process, Queue, current_process

N_PROCESSES = {processes}
INCREMENTS = {increments}
counter = 0                      # every process gets its own copy of this

def work(n, q):
    global counter
    for _ in range(n):
        counter += 1             # changes this process's copy only
    q.put((current_process().name, counter))

if __name__ == "__main__":
    for run in range({repeats}):
        q = Queue()
        procs = [Process(target=work, args=(INCREMENTS, q)) for _ in range(N_PROCESSES)]
        for p in procs: p.start()
        results = [q.get() for _ in procs]   # the only way data comes back
        for p in procs: p.join()
        print("parent's counter:", counter)  # still 0
        print("total from messages:", sum(count for _, count in results))
"#;

impl Lesson for ProcessCounter {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("processes", 2), ("increments", 2000), ("repeats", 1)],
            gil: true,
            claim: |run| {
                claim(number_after(run, "parent's counter:")? == 0.0, || {
                    "the parent's counter changed".into()
                })?;
                let total = number_after(run, "total from messages:")?;
                claim(total == 4000.0, || {
                    format!("the children's counts add up to {total}, not 4000")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "process-counter",
            title: "Processes do not share memory",
            group: "Processes",
            curriculum_row: 6,
            engine: EngineKind::Processes,
            summary: "The counter program with processes instead of threads. Each process is a separate \
                WebAssembly instance in its own worker, with its own memory: it increments its own copy of \
                the global counter. The parent's counter stays 0. The only way the counts come back is a \
                message on a queue — and starting each process has a visible cost.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("processes", "Processes", 1, 16, 4, "How many child processes (1–16)."),
                ParamSpec::int(
                    "increments",
                    "Increments per process",
                    1,
                    10_000_000,
                    1_000_000,
                    "How many times each process adds 1 to its own counter.",
                ),
                ParamSpec::int("repeats", "Runs", 1, 10, 3, "Repeat to see the spread of start costs and times."),
            ],
        }
    }

    fn threads_needed(&self, _params: &Params) -> usize {
        0
    }

    fn parent(&self, params: &Params) -> Option<Box<dyn ParentProgram>> {
        Some(Box::new(Parent::new(params)))
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        match (entry, args["increments"].as_u64()) {
            ("count", Some(n)) => count_child(n.min(10_000_000), ctx),
            _ => {
                trace::print(format!("unknown child program {entry:?}"));
                2
            }
        }
    }
}

/// The parent's own counter against the total that came by message, and one row per child.
fn report_of(r: &ProcessCounterResult) -> Report {
    let dash = || "—".to_string();
    let rows = r
        .rounds
        .iter()
        .enumerate()
        .flat_map(|(i, round)| {
            round.children.iter().map(move |c| {
                vec![
                    (i + 1).to_string(),
                    format!("{} (pid {})", c.name, c.pid),
                    c.count.map_or_else(dash, report::int),
                    c.start_ms.map_or_else(dash, report::ms),
                    format!("{} B", c.message_bytes),
                    c.message_ms.map_or_else(dash, report::ms),
                    c.exit_code.map_or_else(dash, |code| code.to_string()),
                ]
            })
        })
        .collect();
    let total = r.rounds.last().map_or(0, |round| round.total_via_messages);
    Report::new(format!(
        "The parent's own counter after every process finished: {}. Each process counted to {} in its own \
         memory; the total {} (expected {}) exists only because each one sent its count in a message.",
        report::int(r.parent_counter),
        report::int(r.increments),
        report::int(total),
        report::int(r.expected_total)
    ))
    .table(
        "",
        &[
            "Run",
            "Process",
            "Its own counter",
            "Start cost",
            "Message size",
            "Message delay",
            "Exit code",
        ],
        rows,
    )
    .note(format!(
        "Run time: {} ({} – {}) over {} runs. Starting a process (a new worker, a new memory, a new instance) \
         took {} (median).",
        report::ms(r.median_ms),
        report::ms(r.min_ms),
        report::ms(r.max_ms),
        r.rounds.len(),
        report::ms(r.median_start_ms)
    ))
}

pub const QUESTION: Question = Question::choices(
    "Each child process adds to \"the\" counter. What is the parent's own counter after they all finish?",
    &[
        choice("zero", "Unchanged: 0"),
        choice("total", "The sum of every child's additions"),
        choice("between", "Something in between (lost updates)"),
    ],
);

/// From the parent's own counter after every child finished.
fn answer(r: &ProcessCounterResult) -> Answer {
    let correct = if r.parent_counter == 0 {
        "zero"
    } else if r.parent_counter == r.expected_total {
        "total"
    } else {
        "between"
    };
    Answer::choice(
        correct,
        format!(
            "The parent's counter was {}; the children counted {} in all, each in its own memory.",
            report::int(r.parent_counter),
            report::int(r.expected_total)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, ProcessRun, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;

    /// The parent program, driven the way the runtime drives it. The children's counting is checked
    /// separately: natively there is no second memory to run them in (the browser tests do that).
    #[test]
    fn the_parent_collects_by_message_and_keeps_its_own_counter() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "process-counter".into(),
            params: json!({"processes": 3, "increments": 10, "repeats": 2}),
        })
        .unwrap();
        let (mut run, spawns) = ProcessRun::start(prepared).unwrap();
        let mut spawns = spawns;
        let mut rounds = 0;
        while !spawns.is_empty() {
            rounds += 1;
            assert_eq!(spawns.len(), 3);
            let mut next = Vec::new();
            for s in &spawns {
                let report = ChildReport {
                    name: s.name.clone(),
                    count: 10,
                    started_at: now_ms(),
                };
                let payload = serde_json::to_string(&report).unwrap();
                next.extend(run.deliver(Delivery {
                    from: s.pid,
                    payload,
                    sent_at: now_ms(),
                    received_at: now_ms(),
                }));
            }
            for s in &spawns {
                next.extend(run.exited(s.pid, 0, now_ms()));
            }
            spawns = next;
        }
        assert_eq!(rounds, 2);
        let outcome = run.finish().expect("done");
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.values["parent_counter"], 0);
        assert_eq!(outcome.values["rounds"][0]["total_via_messages"], 30);
        assert_eq!(
            outcome.values["rounds"][1]["children"][2]["name"],
            "Process-6"
        );
    }

    #[test]
    fn a_child_that_dies_without_reporting_fails_the_run_clearly() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "process-counter".into(),
            params: json!({"processes": 1, "repeats": 1}),
        })
        .unwrap();
        let (mut run, spawns) = ProcessRun::start(prepared).unwrap();
        run.exited(spawns[0].pid, 1, now_ms());
        let done_at = now_ms();
        // The runtime polls later; the run still ends when the parent program became done.
        std::thread::sleep(std::time::Duration::from_millis(30));
        let outcome = run.finish().expect("done");
        assert!(
            outcome.finished_at <= done_at,
            "the end must not include the wait for the poll"
        );
        assert!(outcome.error.unwrap().contains("exited with code Some(1)"));
    }

    #[test]
    fn the_child_counts_in_its_own_global_and_reports_by_message() {
        // Natively there is one memory for both, so serialize with the parent test and restore the global.
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let mut sent = Vec::new();
        let before = parent_counter();
        let mut send = |s: String| sent.push(s);
        let mut ctx = ChildContext {
            pid: 1,
            name: "Process-1".into(),
            send: &mut send,
        };
        assert_eq!(count_child(1000, &mut ctx), 0);
        let report: ChildReport = serde_json::from_str(&sent[0]).unwrap();
        assert_eq!(report.count - before, 1000);
        COUNTER.store(before, Relaxed);
    }
}
