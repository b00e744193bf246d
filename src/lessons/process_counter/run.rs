//! Running the processes: the counter each has its own copy of, the typed results, the parent and child programs.

use super::*;

/// This program's global counter. Every process has its own: the parent's is never touched by a child.
pub(super) static COUNTER: AtomicU64 = AtomicU64::new(0);

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

pub(super) struct Child {
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
