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

pub struct QueuePipe;

/// One message as the parent received it.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Received {
    /// "queue" or "pipe".
    pub channel: &'static str,
    /// Arrival order on its channel, from 0.
    pub order: usize,
    /// The message exactly as it crossed (serialized text).
    pub payload: String,
    /// The message read back as a value.
    pub value: Value,
    pub bytes: usize,
    pub sent_at: f64,
    pub received_at: f64,
    /// From `put`/`send` in the child to `get`/`recv` in the parent.
    pub delay_ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct ChannelResult {
    pub channel: &'static str,
    pub process: String,
    pub exit_code: Option<i32>,
    pub messages: Vec<Received>,
    /// The queue's items in arrival order (queue only).
    pub items: Vec<Value>,
    pub total_bytes: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Queue,
    Pipe,
    Done,
}

/// The main process: get N items from the producer's queue, then receive the talker's messages on a pipe.
pub struct Parent {
    items: u64,
    messages: u64,
    phase: Phase,
    child: Option<Pid>,
    queue: Vec<Received>,
    pipe: Vec<Received>,
    queue_exit: Option<i32>,
    pipe_exit: Option<i32>,
    error: Option<String>,
}

impl Parent {
    pub fn new(params: &Params) -> Self {
        Parent {
            items: params.get("items") as u64,
            messages: params.get("messages") as u64,
            phase: Phase::Queue,
            child: None,
            queue: Vec::new(),
            pipe: Vec::new(),
            queue_exit: None,
            pipe_exit: None,
            error: None,
        }
    }

    fn wait_for_messages(kernel: &dyn Kernel) {
        trace::enter_at(kernel.parent_lane(), LaneState::WaitingMessage, now_ms());
    }
}

fn received(channel: &'static str, order: usize, d: Delivery) -> Received {
    let value = serde_json::from_str(&d.payload).unwrap_or(Value::Null);
    Received {
        channel,
        order,
        bytes: d.bytes(),
        value,
        delay_ms: d.received_at - d.sent_at,
        sent_at: d.sent_at,
        received_at: d.received_at,
        payload: d.payload,
    }
}

/// A delay as shown. Each worker's clock is rounded (to 5 µs on an isolated page, otherwise 100 µs in
/// Chromium and 1 ms in Firefox), so a very short delay can come out slightly negative; it is shown as
/// "≈ 0", not as a made-up number.
fn delay_text(ms: f64) -> String {
    if ms < 0.0 {
        "≈ 0 (below the clock's resolution)".into()
    } else {
        report::ms(ms)
    }
}

/// How a value is shown in a line of output: short values whole, long ones cut.
fn shown(payload: &str) -> String {
    if payload.chars().count() <= 60 {
        payload.to_string()
    } else {
        let head: String = payload.chars().take(57).collect();
        format!("{head}...")
    }
}

impl ParentProgram for Parent {
    fn start(&mut self, kernel: &mut dyn Kernel) {
        trace::print("q = Queue(); starting the producer");
        self.child = Some(kernel.spawn("Process-1", "producer", json!({ "items": self.items })));
        Self::wait_for_messages(kernel);
    }

    fn on_message(&mut self, delivery: Delivery, kernel: &mut dyn Kernel) {
        if Some(delivery.from) != self.child {
            return;
        }
        let lane = kernel.parent_lane();
        trace::enter_at(lane, LaneState::Running, now_ms());
        let (list, channel, verb) = match self.phase {
            Phase::Queue => (&mut self.queue, "queue", "q.get()"),
            Phase::Pipe => (&mut self.pipe, "pipe", "conn.recv()"),
            Phase::Done => return,
        };
        let r = received(channel, list.len(), delivery);
        trace::print(format!(
            "{verb} -> {} ({} B, {} after it was sent)",
            shown(&r.payload),
            r.bytes,
            delay_text(r.delay_ms)
        ));
        list.push(r);
        let expected = match self.phase {
            Phase::Queue => self.items,
            _ => self.messages,
        };
        let state = if list.len() as u64 >= expected {
            LaneState::Joining
        } else {
            LaneState::WaitingMessage
        };
        trace::enter_at(lane, state, now_ms());
    }

    fn on_exit(&mut self, pid: Pid, code: i32, _at: f64, kernel: &mut dyn Kernel) {
        if Some(pid) != self.child {
            return;
        }
        let lane = kernel.parent_lane();
        trace::enter_at(lane, LaneState::Running, now_ms());
        match self.phase {
            Phase::Queue => {
                self.queue_exit = Some(code);
                if code != 0 || self.queue.len() as u64 != self.items {
                    self.error = Some(format!(
                        "the producer exited with code {code} after {} of {} items",
                        self.queue.len(),
                        self.items
                    ));
                    self.phase = Phase::Done;
                    return;
                }
                trace::print("parent_conn, child_conn = Pipe(); starting the talker");
                self.phase = Phase::Pipe;
                self.child =
                    Some(kernel.spawn("Process-2", "talker", json!({ "messages": self.messages })));
                Self::wait_for_messages(kernel);
            }
            Phase::Pipe => {
                self.pipe_exit = Some(code);
                if code != 0 || self.pipe.len() as u64 != self.messages {
                    self.error = Some(format!(
                        "the talker exited with code {code} after {} of {} messages",
                        self.pipe.len(),
                        self.messages
                    ));
                }
                self.phase = Phase::Done;
            }
            Phase::Done => {}
        }
    }

    fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    fn finish(self: Box<Self>) -> Result<Value, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let channel = |channel, process: &str, exit_code, messages: Vec<Received>| {
            let items = if channel == "queue" {
                messages.iter().map(|m| m.value.clone()).collect()
            } else {
                Vec::new()
            };
            ChannelResult {
                channel,
                process: process.into(),
                exit_code,
                total_bytes: messages.iter().map(|m| m.bytes).sum(),
                items,
                messages,
            }
        };
        let queue = channel("queue", "Process-1", self.queue_exit, self.queue);
        let pipe = channel("pipe", "Process-2", self.pipe_exit, self.pipe);
        let in_order = queue
            .items
            .iter()
            .enumerate()
            .all(|(i, v)| v.as_u64() == Some(i as u64));
        let report = build_report(&queue, &pipe, in_order);
        Ok(json!({
            "answer": answer(&queue.items),
            "items": self.items,
            "messages": self.messages,
            "in_order": in_order,
            "queue": queue,
            "pipe": pipe,
            "report": report,
        }))
    }
}

fn build_report(queue: &ChannelResult, pipe: &ChannelResult, in_order: bool) -> Report {
    let delays = |c: &ChannelResult| c.messages.iter().map(|m| m.delay_ms).collect::<Vec<_>>();
    let order_text: Vec<String> = queue.items.iter().map(Value::to_string).collect();
    let verdict = format!(
        "The main process got {} from the producer's queue, {}; each item crossed as {} of text, \
         {} after it was put (median). Over the pipe {} messages of {} to {} arrived, {} after each send (median).",
        order_text.join(", "),
        if in_order {
            "in the order they were put"
        } else {
            "NOT in the order they were put"
        },
        byte_range(queue),
        delay_text(super::spread(&delays(queue)).0),
        pipe.messages.len(),
        pipe.messages.iter().map(|m| m.bytes).min().map_or("—".into(), |b| format!("{b} B")),
        pipe.messages.iter().map(|m| m.bytes).max().map_or("—".into(), |b| format!("{b} B")),
        delay_text(super::spread(&delays(pipe)).0),
    );
    let rows = |c: &ChannelResult| -> Vec<Vec<String>> {
        c.messages
            .iter()
            .map(|m| {
                vec![
                    m.order.to_string(),
                    shown(&m.payload),
                    format!("{} B", m.bytes),
                    delay_text(m.delay_ms),
                ]
            })
            .collect()
    };
    Report::new(verdict)
        .table(
            format!("Queue: {} → MainProcess, in arrival order", queue.process),
            &["#", "Message (as sent)", "Size", "Delay put → get"],
            rows(queue),
        )
        .table(
            format!("Pipe: {} → MainProcess, in arrival order", pipe.process),
            &["#", "Message (as sent)", "Size", "Delay send → recv"],
            rows(pipe),
        )
        .note(
            "Each process is a separate WebAssembly instance in its own worker, with its own memory. A \
             message is serialized to text in the sender's memory and copied into the receiver's (Python \
             pickles it instead, so its sizes differ a little). Sizes are the bytes of that text.",
        )
        .note(
            "The delay is measured on one clock shared by all workers, from the moment the child sent the \
             message to the moment the main process's event loop received it. Messages that arrive while the \
             main process is busy wait in line, so later items of a burst can take longer.",
        )
}

fn byte_range(c: &ChannelResult) -> String {
    let min = c.messages.iter().map(|m| m.bytes).min().unwrap_or(0);
    let max = c.messages.iter().map(|m| m.bytes).max().unwrap_or(0);
    if min == max {
        format!("{min} B")
    } else {
        format!("{min}–{max} B")
    }
}

/// The producer: `for i in range(n): q.put(i)`.
fn producer(items: u64, ctx: &mut ChildContext) -> i32 {
    for i in 0..items {
        trace::print(format!("q.put({i})"));
        ctx.send(i.to_string());
    }
    0
}

/// The talker: `conn.send({"seq": k, "squares": [...]})`, growing with k.
fn talker(messages: u64, ctx: &mut ChildContext) -> i32 {
    for seq in 0..messages {
        let squares: Vec<u64> = (0..10 * seq).map(|i| i * i).collect();
        let message = json!({ "seq": seq, "squares": squares });
        trace::print(format!("conn.send(seq {seq}, {} squares)", squares.len()));
        ctx.send(message.to_string());
    }
    0
}

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

pub const QUESTION: Question = Question::choices(
    "The producer process puts 0, 1, 2, … on a multiprocessing.Queue. In what order does the main process get them?",
    &[
        choice("order", "In the order they were put"),
        choice("reverse", "Newest first"),
        choice("random", "In any order"),
    ],
);

/// From the queue's items in the order the main process got them.
fn answer(items: &[Value]) -> Answer {
    let numbers: Vec<f64> = items
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort_by(f64::total_cmp);
    let correct = if numbers.iter().zip(&sorted).all(|(a, b)| a == b) {
        "order"
    } else if numbers.iter().zip(sorted.iter().rev()).all(|(a, b)| a == b) {
        "reverse"
    } else {
        "random"
    };
    let shown: Vec<String> = items.iter().map(Value::to_string).collect();
    Answer::choice(
        correct,
        format!("The main process got {}.", shown.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, ProcessRun, TRACE_TEST_LOCK};
    use crate::protocol::{RunRequest, SpawnCommand};

    /// Runs a child program natively, collecting what it sends.
    fn run_child(spawn: &SpawnCommand) -> (i32, Vec<String>) {
        let mut sent = Vec::new();
        let mut send = |s: String| sent.push(s);
        let mut ctx = ChildContext {
            pid: spawn.pid,
            name: spawn.name.clone(),
            send: &mut send,
        };
        let code = QueuePipe.child(&spawn.entry, &spawn.args, &mut ctx);
        (code, sent)
    }

    /// Drives the parent the way the runtime does, with the children's real programs run in between
    /// (natively in one memory; the browser test runs them isolated).
    #[test]
    fn items_arrive_in_order_then_the_pipe_messages_grow() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "queue-pipe".into(),
            params: json!({"items": 4, "messages": 3}),
        })
        .unwrap();
        let (mut run, mut spawns) = ProcessRun::start(prepared).unwrap();
        let mut children = 0;
        while let Some(spawn) = spawns.pop() {
            children += 1;
            let (code, sent) = run_child(&spawn);
            for payload in sent {
                let t = now_ms();
                spawns.extend(run.deliver(Delivery {
                    from: spawn.pid,
                    payload,
                    sent_at: t,
                    received_at: t + 0.5,
                }));
            }
            spawns.extend(run.exited(spawn.pid, code, now_ms()));
        }
        assert_eq!(children, 2);
        let outcome = run.finish().expect("done");
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        assert_eq!(v["queue"]["items"], json!([0, 1, 2, 3]));
        assert_eq!(v["in_order"], true);
        let pipe = v["pipe"]["messages"].as_array().unwrap();
        assert_eq!(pipe.len(), 3);
        let sizes: Vec<u64> = pipe.iter().map(|m| m["bytes"].as_u64().unwrap()).collect();
        assert!(
            sizes[0] > 0 && sizes[0] < sizes[1] && sizes[1] < sizes[2],
            "{sizes:?}"
        );
        assert_eq!(pipe[2]["value"]["squares"][19], 361);
        assert!((v["queue"]["messages"][0]["delay_ms"].as_f64().unwrap() - 0.5).abs() < 1e-6);
        assert!(outcome
            .output
            .iter()
            .any(|o| o.text.starts_with("q.get() -> 3 (1 B")));
    }

    #[test]
    fn a_producer_that_dies_early_fails_the_run_clearly() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let prepared = prepare(&RunRequest {
            lesson: "queue-pipe".into(),
            params: json!({"items": 3}),
        })
        .unwrap();
        let (mut run, spawns) = ProcessRun::start(prepared).unwrap();
        run.deliver(Delivery {
            from: spawns[0].pid,
            payload: "0".into(),
            sent_at: now_ms(),
            received_at: now_ms(),
        });
        assert!(run.exited(spawns[0].pid, 1, now_ms()).is_empty());
        let outcome = run.finish().expect("done");
        assert_eq!(
            outcome.error.as_deref(),
            Some("the producer exited with code 1 after 1 of 3 items")
        );
    }
}
