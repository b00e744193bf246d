//! Hidden lessons for the robustness tests (not in the catalogue; run only through the programmatic entry
//! point): the things a playground must survive — an endless loop that never looks at the stop flag,
//! waits of every kind, a panicking thread, a panicking main thread, memory exhaustion, a panicking
//! process. These deliberately break the rule "no panics in lesson code".

use super::claims::PythonCheck;
use crate::engine::names::thread_name;
use std::hint::black_box;
use std::sync::Arc;

use serde_json::{json, Value};

use super::Lesson;
use crate::engine::primitives::{Event, Lock, Queue};
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::sync::sleep_ms;
use crate::engine::{cancel, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

/// Fault injection on threads; `mode` picks the fault.
pub struct DebugThreads;

/// `mode` values of [`DebugThreads`].
pub const SPIN: i64 = 0;
pub const WAIT: i64 = 1;
pub const THREAD_PANIC: i64 = 2;
pub const MAIN_PANIC: i64 = 3;
pub const OUT_OF_MEMORY: i64 = 4;
pub const DECLARED_MEMORY: i64 = 5;

/// A loop that never waits and never checks the stop flag: only terminating the worker ends it.
fn spin_forever() -> u64 {
    let mut x = 1u64;
    loop {
        x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        if x == 0 {
            return x; // never: keeps the loop from being proven endless
        }
    }
}

impl Lesson for DebugThreads {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::NotYet("a hidden fault-injection lesson for the robustness tests")
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: None,
            id: "debug-threads",
            title: "Debug: faults on threads",
            group: "Debug",
            curriculum_row: 0,
            engine: EngineKind::Threads,
            summary: "Fault injection for tests: 0 endless loop, 1 waits of every kind, 2 a thread panics, \
                      3 the main thread panics, 4 out of memory, 5 a declared allocation.",
            python: "mode = {mode}; threads = {threads}; ms = {ms}; alloc_mib = {alloc_mib}",
            params: vec![
                ParamSpec::int("mode", "Mode", 0, 5, WAIT, ""),
                ParamSpec::int("threads", "Threads", 1, 8, 3, ""),
                ParamSpec::int("ms", "Milliseconds", 1, 600_000, 200, ""),
                ParamSpec::int("alloc_mib", "MiB to allocate", 0, 2000, 0, ""),
            ],
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        match params.get("mode") {
            WAIT => 6,
            _ => params.get("threads") as usize + 1,
        }
    }

    fn memory_bytes(&self, params: &Params) -> u64 {
        if params.get("mode") == DECLARED_MEMORY {
            (params.get("alloc_mib") as u64) << 20
        } else {
            0
        }
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let n = params.get("threads") as usize;
        let ms = params.get("ms") as f64;
        let mib = params.get("alloc_mib") as usize;
        match params.get("mode") {
            SPIN => {
                let spinners: Vec<_> = (1..=n)
                    .map(|i| thread::spawn(thread_name(i, "spin"), "", spin_forever))
                    .collect();
                trace::print("spinning forever on every thread");
                let x = spin_forever();
                let x = spinners.into_iter().fold(x, |acc, h| acc ^ h.join());
                Ok(json!({ "x": x }))
            }
            WAIT => {
                trace::print(format!("waiting {ms} ms in every way"));
                let held = Arc::new(Lock::new("held"));
                held.acquire().map_err(|e| format!("{e:?}"))?;
                let event = Arc::new(Event::new());
                let queue: Arc<Queue<u32>> = Arc::new(Queue::new(1));
                let (h, e, q) = (held.clone(), event.clone(), queue.clone());
                let handles = vec![
                    thread::spawn("sleep", "", move || sleep_ms(ms) >= ms),
                    thread::spawn("lock", "", move || h.acquire_timeout(Some(ms)).is_ok()),
                    thread::spawn("event", "", move || e.wait(Some(ms)).0),
                    thread::spawn("queue", "", move || q.get(Some(ms)).0.is_some()),
                    thread::spawn("work", "", move || {
                        let per_ms = crate::lessons::common::units_per_ms();
                        crate::lessons::common::work((per_ms * ms) as u64);
                        true
                    }),
                ];
                let done: Vec<bool> = handles.into_iter().map(thread::JoinHandle::join).collect();
                let _ = held.release();
                Ok(json!({ "done": done, "cancelled": cancel::is_cancelled() }))
            }
            THREAD_PANIC => {
                let handles: Vec<_> = (1..=n)
                    .map(|i| {
                        let name = thread_name(i, "worker");
                        thread::spawn(name.clone(), "", move || {
                            if i == 2 {
                                sleep_ms(10.0);
                                panic!("ValueError: thread {i} was given bad input");
                            }
                            sleep_ms(ms);
                            name
                        })
                    })
                    .collect();
                let mut finished = Vec::new();
                let mut raised = Vec::new();
                for h in handles {
                    match h.try_join() {
                        Ok(name) => finished.push(name),
                        Err(message) => raised.push(message),
                    }
                }
                trace::print(format!(
                    "{} threads finished, {} raised",
                    finished.len(),
                    raised.len()
                ));
                Ok(json!({ "finished": finished, "raised": raised }))
            }
            MAIN_PANIC => {
                let _others: Vec<_> = (1..=n)
                    .map(|i| thread::spawn(thread_name(i, "worker"), "", move || sleep_ms(ms)))
                    .collect();
                sleep_ms(10.0);
                panic!("RuntimeError: the main thread gave up");
            }
            OUT_OF_MEMORY | DECLARED_MEMORY => {
                let h = thread::spawn("Thread-1 (alloc)", "", move || {
                    let mut v = vec![0u8; mib << 20];
                    // Touch every page so the memory is really used.
                    for i in (0..v.len()).step_by(65536) {
                        v[i] = 1;
                    }
                    black_box(&v).len()
                });
                match h.try_join() {
                    Ok(bytes) => Ok(json!({ "allocated": bytes })),
                    Err(message) => Ok(json!({ "raised": message })),
                }
            }
            other => Err(format!("no mode {other}")),
        }
    }
}

/// Fault injection on processes: child 1 panics, the others send a message and exit 0.
pub struct DebugProcesses;

struct Parent {
    processes: usize,
    /// Panic in the parent program itself once every child has exited: a trap of the runtime's own
    /// instance, which the page answers by restarting the engine.
    parent_panics: bool,
    exits: Vec<(Pid, i32)>,
    messages: Vec<String>,
}

impl ParentProgram for Parent {
    fn start(&mut self, kernel: &mut dyn Kernel) {
        for i in 1..=self.processes {
            let entry = if i == 1 { "panic" } else { "ok" };
            kernel.spawn(&format!("Process-{i}"), entry, Value::Null);
        }
    }

    fn on_message(&mut self, delivery: Delivery, _kernel: &mut dyn Kernel) {
        self.messages.push(delivery.payload);
    }

    fn on_exit(&mut self, pid: Pid, code: i32, _at: f64, _kernel: &mut dyn Kernel) {
        self.exits.push((pid, code));
        if self.parent_panics && self.exits.len() == self.processes {
            panic!("RuntimeError: the parent program failed after its children exited");
        }
    }

    fn is_done(&self) -> bool {
        self.exits.len() == self.processes
    }

    fn finish(self: Box<Self>) -> Result<Value, String> {
        let mut exits = self.exits;
        exits.sort_unstable();
        let exits: Vec<Value> = exits
            .iter()
            .map(|(pid, code)| json!({ "pid": pid, "exit_code": code }))
            .collect();
        Ok(json!({ "exits": exits, "messages": self.messages }))
    }
}

impl Lesson for DebugProcesses {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::NotYet("a hidden fault-injection lesson for the robustness tests")
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: None,
            id: "debug-processes",
            title: "Debug: a panicking process",
            group: "Debug",
            curriculum_row: 0,
            engine: EngineKind::Processes,
            summary: "Fault injection for tests: Process-1 panics, the others exit normally; with \
                parent_panics = 1 the parent program panics too.",
            python: "processes = {processes}; parent_panics = {parent_panics}",
            params: vec![
                ParamSpec::int("processes", "Processes", 1, 4, 2, ""),
                ParamSpec::int("parent_panics", "Parent panics", 0, 1, 0, ""),
            ],
        }
    }

    fn threads_needed(&self, _params: &Params) -> usize {
        0
    }

    fn parent(&self, params: &Params) -> Option<Box<dyn ParentProgram>> {
        Some(Box::new(Parent {
            processes: params.get("processes") as usize,
            parent_panics: params.get("parent_panics") == 1,
            exits: Vec::new(),
            messages: Vec::new(),
        }))
    }

    fn child(&self, entry: &str, _args: &Value, ctx: &mut ChildContext) -> i32 {
        if entry == "panic" {
            panic!("ValueError: {} was given bad input", ctx.name);
        }
        ctx.send(format!("hello from {}", ctx.name));
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, run_for_test};
    use crate::protocol::RunRequest;

    #[test]
    fn a_thread_panic_is_reported_and_the_run_finishes() {
        let outcome = run_for_test(
            "debug-threads",
            json!({ "mode": THREAD_PANIC, "threads": 3, "ms": 30 }),
        );
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.values["finished"].as_array().unwrap().len(), 2);
        assert_eq!(outcome.exceptions.len(), 1, "{:?}", outcome.exceptions);
        assert_eq!(outcome.exceptions[0].thread, "Thread-2 (worker)");
        assert!(outcome.exceptions[0].message.contains("bad input"));
    }

    #[test]
    fn a_declared_allocation_that_cannot_fit_is_refused_up_front() {
        let refused = prepare(&RunRequest {
            lesson: "debug-threads".into(),
            params: json!({ "mode": DECLARED_MEMORY, "alloc_mib": 1500 }),
        })
        .unwrap_err();
        assert!(refused.contains("1024 MiB"), "{refused}");
        assert!(prepare(&RunRequest {
            lesson: "debug-threads".into(),
            params: json!({ "mode": DECLARED_MEMORY, "alloc_mib": 16 }),
        })
        .is_ok());
    }

    #[test]
    fn hidden_lessons_are_not_in_the_catalogue() {
        assert!(crate::lessons::catalogue()
            .iter()
            .all(|l| !l.id.starts_with("debug-")));
    }
}
