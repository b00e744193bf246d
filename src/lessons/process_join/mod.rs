//! Lesson "Processes start and join" (curriculum row 3).
//!
//! The threads program again with `multiprocessing.Process`: N processes each print, really sleep and
//! print again; the parent joins them all. Each process is a new worker with its own memory and its own
//! instance of the module, so starting one has a cost the learner can see: the parent measures, for each
//! child, the time from `start()` to the child's first instruction. The total is about one wait plus
//! those start costs — not N waits, because the processes run at the same time.
//!
//! The parent is event-driven (it reacts to its children's messages and exits), so the lesson runs on a
//! page without cross-origin isolation too.

use super::claims::{claim, count_lines, finished, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::common::{Scale, TIME_SCALE};
use super::report::{self, Report};
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::sync::sleep_ms;
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

pub struct ProcessesJoin;

/// The most a child will sleep, whatever its arguments say.
const MAX_WAIT_MS: f64 = 10_000.0;

/// What each child tells its parent when it is done (on the one clock).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ChildReport {
    /// When the child's program began: its first instruction.
    pub started_at: f64,
    pub slept_ms: f64,
    pub finished_at: f64,
}

/// One process as it really ran. Times are milliseconds after the parent's first `start()`.
#[derive(Serialize, Clone, Debug)]
pub struct ProcessResult {
    pub name: String,
    pub pid: Pid,
    /// From this process's `start()` to its first instruction: a new worker, memory and instance.
    pub start_ms: Option<f64>,
    pub started_ms: Option<f64>,
    pub slept_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    /// When the parent learned that it exited.
    pub exited_ms: Option<f64>,
    pub exit_code: Option<i32>,
}

#[derive(Serialize, Clone, Debug)]
pub struct ProcessesJoinResult {
    pub processes: u64,
    /// Each process's sleep at this run's time scale.
    pub wait_ms: f64,
    /// From the first `start()` until the parent's last `join()` returned.
    pub total_ms: f64,
    /// `total_ms - wait_ms`: what starting, ending and joining the processes added.
    pub overhead_ms: f64,
    pub median_start_ms: f64,
    pub min_start_ms: f64,
    pub max_start_ms: f64,
    pub children: Vec<ProcessResult>,
}

struct Child {
    pid: Pid,
    name: String,
    spawned_at: f64,
    report: Option<ChildReport>,
    exit: Option<(i32, f64)>,
}

/// The parent: start N children, then join them all.
pub struct Parent {
    processes: u64,
    wait_ms: f64,
    started_at: f64,
    joined_at: Option<f64>,
    children: Vec<Child>,
    error: Option<String>,
}

impl Parent {
    pub fn new(params: &Params) -> Self {
        Parent {
            processes: params.get("processes") as u64,
            wait_ms: Scale::of(params).ms(params.get("wait_ms") as f64),
            started_at: 0.0,
            joined_at: None,
            children: Vec::new(),
            error: None,
        }
    }

    fn child(&mut self, pid: Pid) -> Option<&mut Child> {
        self.children.iter_mut().find(|c| c.pid == pid)
    }
}

impl ParentProgram for Parent {
    fn start(&mut self, kernel: &mut dyn Kernel) {
        self.started_at = now_ms();
        for i in 1..=self.processes {
            let name = format!("Process-{i}");
            let spawned_at = now_ms();
            let pid = kernel.spawn(&name, "work", json!({ "wait_ms": self.wait_ms }));
            self.children.push(Child {
                pid,
                name,
                spawned_at,
                report: None,
                exit: None,
            });
        }
        // `for p in procs: p.join()`: the parent now waits for its children to exit.
        trace::enter_at(kernel.parent_lane(), LaneState::Joining, now_ms());
    }

    fn on_message(&mut self, delivery: Delivery, _kernel: &mut dyn Kernel) {
        match serde_json::from_str::<ChildReport>(&delivery.payload) {
            Ok(report) => {
                if let Some(child) = self.child(delivery.from) {
                    child.report = Some(report);
                }
            }
            Err(e) => {
                self.error = Some(format!(
                    "a child sent a message the parent cannot read: {e}"
                ))
            }
        }
    }

    fn on_exit(&mut self, pid: Pid, code: i32, at: f64, kernel: &mut dyn Kernel) {
        if let Some(child) = self.child(pid) {
            child.exit = Some((code, at));
        }
        if self.joined_at.is_none() && self.children.iter().all(|c| c.exit.is_some()) {
            let now = now_ms();
            self.joined_at = Some(now);
            trace::enter_at(kernel.parent_lane(), LaneState::Running, now);
            trace::print(format!(
                "all {} processes joined after {}",
                self.processes,
                report::ms(now - self.started_at)
            ));
            if let Some(bad) = self
                .children
                .iter()
                .find(|c| c.report.is_none() || c.exit.is_some_and(|(code, _)| code != 0))
            {
                self.error = Some(format!(
                    "{} exited with code {:?} without finishing its work",
                    bad.name,
                    bad.exit.map(|(code, _)| code)
                ));
            }
        }
    }

    fn is_done(&self) -> bool {
        self.joined_at.is_some() || self.error.is_some()
    }

    fn finish(self: Box<Self>) -> Result<Value, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let t0 = self.started_at;
        let total_ms = self.joined_at.unwrap_or_else(now_ms) - t0;
        let children: Vec<ProcessResult> = self
            .children
            .iter()
            .map(|c| ProcessResult {
                name: c.name.clone(),
                pid: c.pid,
                start_ms: c.report.as_ref().map(|r| r.started_at - c.spawned_at),
                started_ms: c.report.as_ref().map(|r| r.started_at - t0),
                slept_ms: c.report.as_ref().map(|r| r.slept_ms),
                finished_ms: c.report.as_ref().map(|r| r.finished_at - t0),
                exited_ms: c.exit.map(|(_, at)| at - t0),
                exit_code: c.exit.map(|(code, _)| code),
            })
            .collect();
        let starts: Vec<f64> = children.iter().filter_map(|c| c.start_ms).collect();
        let (median_start_ms, min_start_ms, max_start_ms) = spread(&starts);
        let result = ProcessesJoinResult {
            processes: self.processes,
            wait_ms: self.wait_ms,
            total_ms,
            overhead_ms: total_ms - self.wait_ms,
            median_start_ms,
            min_start_ms,
            max_start_ms,
            children,
        };
        let mut values = serde_json::to_value(&result).map_err(|e| e.to_string())?;
        values["report"] = serde_json::to_value(report_of(&result)).map_err(|e| e.to_string())?;
        question::attach(&mut values, &answer(&result));
        Ok(values)
    }
}

fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), report::ms)
}

fn report_of(r: &ProcessesJoinResult) -> Report {
    let n = r.processes;
    let starts: Vec<f64> = r.children.iter().filter_map(|c| c.start_ms).collect();
    let verdict = format!(
        "{n} processes each slept {}; the parent's joins all returned after {} — one wait plus {}, not {n} \
         waits. Starting a process (a new worker, a new memory, a new instance of the program) took {} \
         before its first instruction ran.",
        report::ms(r.wait_ms),
        report::ms(r.total_ms),
        report::ms(r.overhead_ms),
        report::spread_text(&starts),
    );
    let rows = r
        .children
        .iter()
        .map(|c| {
            vec![
                format!("{} (pid {})", c.name, c.pid),
                opt_ms(c.start_ms),
                opt_ms(c.started_ms),
                opt_ms(c.slept_ms),
                opt_ms(c.finished_ms),
                opt_ms(c.exited_ms),
                c.exit_code.map_or_else(|| "—".into(), |x| x.to_string()),
            ]
        })
        .collect();
    Report::new(verdict)
        .table(
            "Where the time went",
            &["Part", "Time"],
            vec![
                vec!["one wait (every process sleeps this long)".into(), report::ms(r.wait_ms)],
                vec![
                    "start cost of a process: median (min – max)".into(),
                    report::spread_text(&starts),
                ],
                vec![
                    "start, exit and join, all processes together".into(),
                    report::ms(r.overhead_ms),
                ],
                vec!["total, first start() to last join()".into(), report::ms(r.total_ms)],
                vec![
                    format!("for comparison: {n} waits one after another (arithmetic, not run)"),
                    report::ms(r.wait_ms * n as f64),
                ],
            ],
        )
        .table(
            "Each process (times after the first start())",
            &["Process", "Start cost", "First instruction", "Slept", "Finished", "Exit seen by parent", "Exit code"],
            rows,
        )
        .note(
            "Start cost is measured from the parent's start() to the child's first instruction, on one clock \
             shared by all workers. In CPython, starting a process with spawn (the default on Windows and \
             macOS) costs tens of milliseconds; a thread costs a fraction of one.",
        )
}

/// The child program: print, sleep, print, and tell the parent when it began and ended.
pub fn work_child(wait_ms: f64, ctx: &mut ChildContext) -> i32 {
    let started_at = now_ms();
    trace::print("starting");
    let slept_ms = sleep_ms(wait_ms);
    trace::print(format!("finishing after {}", report::ms(slept_ms)));
    let report = ChildReport {
        started_at,
        slept_ms,
        finished_at: now_ms(),
    };
    match serde_json::to_string(&report) {
        Ok(text) => {
            ctx.send(text);
            0
        }
        Err(_) => 1,
    }
}

const PYTHON: &str = r#"from multiprocessing import Process, current_process
import time

N_PROCESSES = {processes}
SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
WAIT = {wait_ms} / 1000 * SCALE

def worker():
    name = current_process().name
    print(f"{name}: starting")
    time.sleep(WAIT)
    print(f"{name}: finishing")

if __name__ == "__main__":
    start = time.perf_counter()
    procs = [Process(target=worker) for _ in range(N_PROCESSES)]
    for p in procs: p.start()
    for p in procs: p.join()
    print(f"total: {time.perf_counter() - start:.2f} s")
"#;

impl Lesson for ProcessesJoin {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("processes", 3), ("wait_ms", 300)],
            gil: true,
            claim: |run| {
                finished(run)?;
                for n in 1..=3 {
                    claim(
                        count_lines(run, &format!("Process-{n}: finishing")) == 1,
                        || format!("Process-{n} did not finish: {:?}", run.stdout),
                    )?;
                }
                number_after(run, "total:").map(drop)
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "processes-join",
            title: "Processes start and join",
            group: "Processes",
            curriculum_row: 3,
            engine: EngineKind::Processes,
            summary: "The same program with multiprocessing.Process. Each process is a separate program with \
                its own memory, here a new worker running its own instance of the module. They sleep at the \
                same time, so the total is about one wait — plus the visible cost of starting each process, \
                measured from start() to its first instruction.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("processes", "Processes", 1, 16, 3, "How many processes to start (1–16)."),
                ParamSpec::int(
                    "wait_ms",
                    "Sleep per process (ms)",
                    10,
                    10_000,
                    2000,
                    "How long each process sleeps, at 100 % time scale.",
                ),
                TIME_SCALE,
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
        match (entry, args["wait_ms"].as_f64()) {
            ("work", Some(ms)) => work_child(ms.clamp(0.0, MAX_WAIT_MS), ctx),
            _ => {
                trace::print(format!("unknown child program {entry:?}"));
                2
            }
        }
    }
}

pub const QUESTION: Question = Question::choices(
    "How long does starting one process take, before its first instruction runs?",
    &[
        choice("tiny", "Under 1 ms, like a thread"),
        choice("some", "Between 1 and 10 ms"),
        choice("lots", "More than 10 ms"),
    ],
);

fn answer(r: &ProcessesJoinResult) -> Answer {
    Answer::choice(
        question::band(r.median_start_ms, &[1.0, 10.0], &["tiny", "some", "lots"]),
        format!(
            "Starting a process took {} (median; {} – {}).",
            question::ms(r.median_start_ms),
            question::ms(r.min_start_ms),
            question::ms(r.max_start_ms)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, ProcessRun, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;

    fn start(params: Value) -> (ProcessRun, Vec<crate::protocol::SpawnCommand>) {
        let prepared = prepare(&RunRequest {
            lesson: "processes-join".into(),
            params,
        })
        .unwrap();
        ProcessRun::start(prepared).unwrap()
    }

    /// The parent program, driven the way the runtime drives it; the children run as the runtime would
    /// run them (natively in this memory, which is fine: they share nothing here).
    #[test]
    fn the_parent_joins_every_child_and_measures_each_start_cost() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let (mut run, spawns) = start(json!({"processes": 3, "wait_ms": 100, "time_scale": 30}));
        assert_eq!(spawns.len(), 3);
        assert_eq!(spawns[2].name, "Process-3");
        assert_eq!(spawns[0].args["wait_ms"], 30.0);
        // A visible start cost, then every child runs at once.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let children: Vec<_> = spawns
            .iter()
            .map(|s| {
                let s = s.clone();
                std::thread::spawn(move || {
                    let mut sent = Vec::new();
                    let mut send = |p: String| sent.push((p, now_ms()));
                    let code = crate::lessons::run_child(&s, &mut send);
                    (s.pid, code, sent, now_ms())
                })
            })
            .collect();
        for h in children {
            let (pid, code, sent, at) = h.join().unwrap();
            assert!(!run.is_done());
            for (payload, sent_at) in sent {
                run.deliver(Delivery {
                    from: pid,
                    payload,
                    sent_at,
                    received_at: now_ms(),
                });
            }
            run.exited(pid, code, at);
        }
        let outcome = run.finish().expect("done");
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let total = v["total_ms"].as_f64().unwrap();
        assert!(
            (30.0..85.0).contains(&total),
            "total {total} ms: about one wait, not three"
        );
        for c in v["children"].as_array().unwrap() {
            assert!(c["start_ms"].as_f64().unwrap() >= 5.0, "{c}");
            assert!(c["slept_ms"].as_f64().unwrap() >= 30.0);
            assert_eq!(c["exit_code"], 0);
        }
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .contains("3 processes each slept"));
        // Each child printed twice into the one log, the parent once.
        assert_eq!(outcome.output.len(), 3 * 2 + 1);
    }

    #[test]
    fn a_child_that_dies_fails_the_run_clearly() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let (mut run, spawns) = start(json!({"processes": 2, "wait_ms": 10}));
        run.exited(spawns[0].pid, 1, now_ms());
        assert!(!run.is_done(), "the parent still waits for the other child");
        run.exited(spawns[1].pid, 0, now_ms());
        let outcome = run.finish().expect("done");
        assert!(outcome
            .error
            .unwrap()
            .contains("Process-1 exited with code Some(1)"));
    }
}
