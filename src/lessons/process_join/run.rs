//! Running the processes: the typed results, the parent program and the child program.

use super::*;

/// The most a child will sleep, whatever its arguments say.
pub(super) const MAX_WAIT_MS: f64 = 10_000.0;

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

pub(super) struct Child {
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
