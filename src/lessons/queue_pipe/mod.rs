//! Lesson "Inter-process queue and pipe" (curriculum row 16).
//!
//! Two isolated processes, two channels. First a producer process puts 0..N-1 on a `multiprocessing.Queue`
//! and the main process gets them. Then a child sends a few messages of growing size over a `Pipe` and the
//! parent receives them. Every message is text serialized in the sender's memory and copied into the
//! receiver's: the lesson shows each one in arrival order, with its size and how long it took to arrive.

use super::claims::{claim, count_lines, finished, PythonCheck};
use super::question::{choice, Answer, Question};
use serde::Serialize;
use serde_json::{json, Value};

use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::process::{ChildContext, Delivery, Kernel, ParentProgram, Pid};
use crate::engine::trace;
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LaneState, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct QueuePipe;

const PYTHON: &str = r#"from multiprocessing import Process, Queue, Pipe

N_ITEMS = {items}
N_MESSAGES = {messages}

def producer(q):
    for i in range(N_ITEMS):
        q.put(i)                     # pickled here, copied into the other process

def talker(conn):
    for seq in range(N_MESSAGES):
        conn.send({"seq": seq, "squares": [i * i for i in range(10 * seq)]})
    conn.close()

if __name__ == "__main__":
    q = Queue()
    p = Process(target=producer, args=(q,))
    p.start()
    for _ in range(N_ITEMS):
        print("got", q.get())        # blocks until the next item arrives
    p.join()

    parent_conn, child_conn = Pipe()
    p = Process(target=talker, args=(child_conn,))
    p.start()
    for _ in range(N_MESSAGES):
        print("received", parent_conn.recv())
    p.join()
"#;

impl Lesson for QueuePipe {
    fn python_check(&self) -> PythonCheck {
        PythonCheck::Runs {
            params: &[("items", 5), ("messages", 3)],
            gil: true,
            claim: |run| {
                finished(run)?;
                for i in 0..5 {
                    claim(count_lines(run, &format!("got {i}")) == 1, || {
                        format!("item {i} did not arrive: {:?}", run.stdout)
                    })?;
                }
                let received = run
                    .stdout
                    .iter()
                    .filter(|l| l.starts_with("received {'seq':"))
                    .count();
                claim(received == 3, || {
                    format!("{received} of 3 pipe messages arrived")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "queue-pipe",
            title: "Inter-process queue and pipe",
            group: "Processes",
            curriculum_row: 16,
            engine: EngineKind::Processes,
            summary: "Processes share no memory, so they talk by messages. A producer process puts 0, 1, 2, … \
                on a multiprocessing.Queue and the main process gets them — in the order they were put. Then \
                a child sends messages of growing size over a Pipe. Each message is serialized in one \
                process's memory and copied into the other's: the table shows every message, its size in \
                bytes and how long it took to arrive.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("items", "Queue items", 1, 1000, 5, "How many items the producer puts (0..N-1)."),
                ParamSpec::int(
                    "messages",
                    "Pipe messages",
                    1,
                    50,
                    3,
                    "How many messages the child sends over the pipe; message k carries 10·k squares.",
                ),
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
        match (entry, args["items"].as_u64(), args["messages"].as_u64()) {
            ("producer", Some(n), _) => producer(n.min(1000), ctx),
            ("talker", _, Some(n)) => talker(n.min(50), ctx),
            _ => {
                trace::print(format!("no child program {entry:?} with arguments {args}"));
                2
            }
        }
    }
}
