//! A process lesson in progress: the parent program, the children it asked for, and the kernel that
//! records its requests for the runtime.

use super::*;

/// A process lesson in progress: the parent program and the children it asked for.
pub struct ProcessRun {
    prepared: PreparedRun,
    program: Option<Box<dyn ParentProgram>>,
    kernel: RecordingKernel,
    started_at: f64,
    /// When the parent program became done (its last reaction), so the outcome's end does not include the
    /// wait for the runtime's next poll.
    done_at: Option<f64>,
}

/// Hands the parent program's requests to the runtime, which starts the workers.
struct RecordingKernel {
    lesson: String,
    parent_lane: u32,
    next_pid: Pid,
    spawns: Vec<SpawnCommand>,
}

impl Kernel for RecordingKernel {
    fn spawn(&mut self, name: &str, entry: &str, args: Value) -> Pid {
        self.next_pid += 1;
        let pid = self.next_pid;
        let lane = trace::new_lane(name, LaneKind::Process, "");
        trace::enter_at(lane, LaneState::Starting, now_ms());
        self.spawns.push(SpawnCommand {
            pid,
            lane,
            name: name.to_string(),
            lesson: self.lesson.clone(),
            entry: entry.to_string(),
            args,
        });
        pid
    }

    fn parent_lane(&self) -> u32 {
        self.parent_lane
    }
}

impl ProcessRun {
    /// Starts a process lesson's parent program. Returns the run and the children to start.
    ///
    /// # Errors
    /// When the lesson is not a process lesson.
    pub fn start(prepared: PreparedRun) -> Result<(ProcessRun, Vec<SpawnCommand>), String> {
        let lesson = find(&prepared.lesson).ok_or("unknown lesson")?;
        let mut program = lesson
            .parent(&prepared.params)
            .ok_or("not a process lesson")?;
        trace::reset();
        let parent_lane = trace::new_lane("MainProcess", LaneKind::Main, "");
        trace::set_current_lane(parent_lane);
        let started_at = now_ms();
        trace::enter(LaneState::Running);
        let mut kernel = RecordingKernel {
            lesson: prepared.lesson.clone(),
            parent_lane,
            next_pid: 0,
            spawns: Vec::new(),
        };
        program.start(&mut kernel);
        let spawns = std::mem::take(&mut kernel.spawns);
        Ok((
            ProcessRun {
                prepared,
                program: Some(program),
                kernel,
                started_at,
                done_at: None,
            },
            spawns,
        ))
    }

    fn react(
        &mut self,
        f: impl FnOnce(&mut dyn ParentProgram, &mut dyn Kernel),
    ) -> Vec<SpawnCommand> {
        if let Some(program) = self.program.as_mut() {
            trace::set_current_lane(self.kernel.parent_lane);
            f(program.as_mut(), &mut self.kernel);
            if program.is_done() && self.done_at.is_none() {
                self.done_at = Some(now_ms());
            }
        }
        std::mem::take(&mut self.kernel.spawns)
    }

    /// A child's message arrived. Returns any children the parent starts in response.
    pub fn deliver(&mut self, delivery: Delivery) -> Vec<SpawnCommand> {
        self.react(|p, k| p.on_message(delivery, k))
    }

    /// A child exited with `code`.
    pub fn exited(&mut self, pid: Pid, code: i32, at: f64) -> Vec<SpawnCommand> {
        self.react(|p, k| p.on_exit(pid, code, at, k))
    }

    pub fn is_done(&self) -> bool {
        self.program.as_ref().is_none_or(|p| p.is_done())
    }

    /// Ends the run before its parent program is done (its children were stopped): the outcome, with
    /// `reason` as its error. `None` when it had already finished.
    pub fn abandon(&mut self, reason: &str) -> Option<RunOutcome> {
        self.program.take()?;
        trace::enter_at(self.kernel.parent_lane, LaneState::Finished, now_ms());
        let mut outcome = outcome(&self.prepared, Err(reason.to_string()), self.started_at);
        outcome.stopped = Some(reason.to_string());
        Some(outcome)
    }

    /// The outcome, once done.
    pub fn finish(&mut self) -> Option<RunOutcome> {
        if !self.is_done() {
            return None;
        }
        let program = self.program.take()?;
        let done_at = self.done_at.unwrap_or_else(now_ms);
        trace::enter_at(self.kernel.parent_lane, LaneState::Finished, done_at);
        let mut outcome = outcome(
            &self.prepared,
            program.finish().map(Ran::from),
            self.started_at,
        );
        outcome.finished_at = done_at;
        Some(outcome)
    }
}
