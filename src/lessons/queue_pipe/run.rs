//! Running the channels: the typed results, the parent program and the two child programs.

use super::*;

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
pub(super) enum Phase {
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

pub(super) fn received(channel: &'static str, order: usize, d: Delivery) -> Received {
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
pub(super) fn delay_text(ms: f64) -> String {
    if ms < 0.0 {
        "≈ 0 (below the clock's resolution)".into()
    } else {
        report::ms(ms)
    }
}

/// How a value is shown in a line of output: short values whole, long ones cut.
pub(super) fn shown(payload: &str) -> String {
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

/// The producer: `for i in range(n): q.put(i)`.
pub(super) fn producer(items: u64, ctx: &mut ChildContext) -> i32 {
    for i in 0..items {
        trace::print(format!("q.put({i})"));
        ctx.send(i.to_string());
    }
    0
}

/// The talker: `conn.send({"seq": k, "squares": [...]})`, growing with k.
pub(super) fn talker(messages: u64, ctx: &mut ChildContext) -> i32 {
    for seq in 0..messages {
        let squares: Vec<u64> = (0..10 * seq).map(|i| i * i).collect();
        let message = json!({ "seq": seq, "squares": squares });
        trace::print(format!("conn.send(seq {seq}, {} squares)", squares.len()));
        ctx.send(message.to_string());
    }
    0
}
