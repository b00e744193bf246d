//! Running the threads: the exit flag the daemon watches, the typed result and the lesson's program.

use super::*;

/// How long the interpreter's exit waits for the daemon to notice the stop flag before calling it a bug.
pub(super) const DAEMON_STOP_GRACE_MS: u64 = 2000;

/// The interpreter's exit, as a flag the daemon's sleep watches: setting it wakes the daemon at once.
#[derive(Default)]
pub struct ExitFlag {
    exited: Mutex<bool>,
    changed: Condvar,
}

impl ExitFlag {
    /// The interpreter exits: every daemon thread stops.
    pub fn exit(&self) {
        *lock(&self.exited) = true;
        self.changed.notify_all();
    }

    /// `time.sleep(ms)` in a daemon thread, recorded as sleeping. Returns false when the interpreter
    /// exited during the sleep (the daemon is gone: it runs no further), or when the run was stopped.
    pub fn sleep(&self, ms: f64) -> bool {
        let t0 = now_ms();
        trace::enter_at(trace::current_lane(), LaneState::Sleeping, t0);
        let mut exited = lock(&self.exited);
        // In slices, so that a Stop (which does not notify this condition variable) is seen within one.
        while !*exited && !cancel::is_cancelled() && now_ms() - t0 < ms {
            exited = cancel::wait_slice(&self.changed, &self.exited, exited, Some(t0 + ms)).0;
        }
        let gone = *exited || cancel::is_cancelled();
        drop(exited);
        if !gone {
            trace::enter(LaneState::Running);
        }
        !gone
    }
}

#[derive(Serialize, Clone, Debug)]
pub struct JoinTimeoutResult {
    /// The three waits at this run's time scale.
    pub worker_sleep_ms: f64,
    pub join_timeout_ms: f64,
    pub tick_ms: f64,
    /// How long `worker.join(timeout)` blocked.
    pub join_returned_after_ms: f64,
    /// `worker.is_alive()` right after `join(timeout)` returned.
    pub alive_after_join: bool,
    /// `daemon.is_alive()` when the main program ended.
    pub daemon_alive_at_main_end: bool,
    /// Times after the program's start.
    pub main_ended_ms: f64,
    pub worker_finished_ms: f64,
    /// How long the exit waited for the non-daemon worker.
    pub exit_waited_for_worker_ms: f64,
    /// `daemon.is_alive()` when the exit had joined the non-daemon threads: it is abandoned.
    pub daemon_alive_at_exit: bool,
    pub daemon_abandoned_ms: f64,
    /// When the daemon's body really ended, after the stop flag was set.
    pub daemon_stopped_ms: f64,
    pub daemon_stop_latency_ms: f64,
    /// How many times the daemon printed before it was abandoned.
    pub daemon_ticks: u64,
    pub total_ms: f64,
}

pub(super) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The lesson's program: the worker, the daemon, the join with a timeout and the interpreter's exit.
pub(super) fn run(params: &Params) -> Result<Value, String> {
    let scale = Scale::of(params);
    let worker_sleep_ms = scale.ms(params.get("worker_ms") as f64);
    let join_timeout_ms = scale.ms(params.get("timeout_ms") as f64);
    let tick_ms = scale.ms(params.get("tick_ms") as f64);
    let exit_flag = std::sync::Arc::new(ExitFlag::default());

    let t0 = now_ms();
    let worker = thread::spawn("Thread-1 (work)", "", move || {
        sleep_ms(worker_sleep_ms);
        trace::print("done");
        now_ms()
    });
    let flag = exit_flag.clone();
    let daemon = thread::spawn("Thread-2 (heartbeat)", "", move || {
        let mut ticks = 0u64;
        loop {
            ticks += 1;
            trace::print("tick");
            if !flag.sleep(tick_ms) {
                break;
            }
        }
        (ticks, now_ms())
    });

    let j0 = now_ms();
    worker.join_timeout(Duration::from_secs_f64(join_timeout_ms / 1000.0));
    let join_returned_after_ms = now_ms() - j0;
    let alive_after_join = worker.is_alive();
    trace::print(format!(
        "join(timeout) returned after {}; worker alive after join(timeout)? {}",
        report::ms(join_returned_after_ms),
        py_bool(alive_after_join)
    ));
    let daemon_alive_at_main_end = daemon.is_alive();
    trace::print(format!(
        "daemon alive? {}",
        py_bool(daemon_alive_at_main_end)
    ));
    trace::print("main program ends");
    let main_ended_ms = now_ms() - t0;

    // The interpreter's exit: join every non-daemon thread...
    if worker.is_alive() {
        trace::print("(exit) waiting for the non-daemon thread Thread-1 (work)");
    }
    let w0 = now_ms();
    let worker_finished_at = worker.join();
    let exit_waited_for_worker_ms = now_ms() - w0;
    // ...then abandon the daemons, wherever they are.
    let daemon_alive_at_exit = daemon.is_alive();
    let abandoned_at = now_ms();
    trace::print(format!(
        "(exit) daemon alive at exit? {}: abandoned",
        py_bool(daemon_alive_at_exit)
    ));
    exit_flag.exit();
    // The daemon's worker is reused by the next run: make sure the daemon really stopped.
    if !daemon.join_timeout(Duration::from_millis(DAEMON_STOP_GRACE_MS)) {
        return Err(format!(
            "the daemon thread did not stop within {DAEMON_STOP_GRACE_MS} ms of the exit"
        ));
    }
    let (daemon_ticks, daemon_stopped_at) = daemon.join();
    let total_ms = now_ms() - t0;

    let result = JoinTimeoutResult {
        worker_sleep_ms,
        join_timeout_ms,
        tick_ms,
        join_returned_after_ms,
        alive_after_join,
        daemon_alive_at_main_end,
        main_ended_ms,
        worker_finished_ms: worker_finished_at - t0,
        exit_waited_for_worker_ms,
        daemon_alive_at_exit,
        daemon_abandoned_ms: abandoned_at - t0,
        daemon_stopped_ms: daemon_stopped_at - t0,
        daemon_stop_latency_ms: (daemon_stopped_at - abandoned_at).max(0.0),
        daemon_ticks,
        total_ms,
    };
    let mut values = serde_json::to_value(&result).map_err(|e| e.to_string())?;
    values["report"] = serde_json::to_value(report_of(&result)).map_err(|e| e.to_string())?;
    question::attach(&mut values, &answer(&result));
    Ok(values)
}
