//! The one log of a run: which lanes (threads, processes) exist, when each changes state, what each
//! printed. The timeline, the live output and the tests all read it.
//!
//! Every thread of the runtime writes here (the log lives in the shared memory). A child process has its
//! own memory, so it forwards its records to the parent, which [`ingest`]s them.

use std::cell::Cell;
use std::sync::{Mutex, OnceLock};

use crate::clock::now_ms;
use crate::engine::lock;
use crate::protocol::{Event, Lane, LaneKind, LaneState, Message, OutputLine, Stream, TraceRecord};

/// State changes kept per run; beyond this they are counted, not stored, so a runaway lesson cannot
/// exhaust memory.
pub const MAX_EVENTS: usize = 200_000;
/// Printed lines kept per run.
pub const MAX_OUTPUT: usize = 20_000;
/// Messages kept per run; beyond this they are counted (a queue flood cannot exhaust memory).
pub const MAX_MESSAGES: usize = 20_000;
/// A lock wait shorter than this is counted in the totals but not drawn: it would be far below a pixel.
pub const MIN_DRAWN_WAIT_MS: f64 = 0.02;

struct Log {
    lanes: Vec<Lane>,
    events: Vec<Event>,
    output: Vec<OutputLine>,
    dropped_events: u64,
    messages: Vec<Message>,
    dropped_messages: u64,
    /// Per lane: the index of its last event.
    last_event: Vec<Option<usize>>,
    /// Per lane: the index of the "running" event that ended its last lock wait, so a wait that follows at
    /// once can extend that one.
    wait_end: Vec<Option<usize>>,
    /// How many lanes and lines were already handed out by [`take_progress`].
    sent_lanes: usize,
    sent_output: usize,
    sent_events: usize,
    sent_messages: usize,
}

impl Log {
    const fn new() -> Self {
        Log {
            lanes: Vec::new(),
            events: Vec::new(),
            output: Vec::new(),
            dropped_events: 0,
            messages: Vec::new(),
            dropped_messages: 0,
            last_event: Vec::new(),
            wait_end: Vec::new(),
            sent_lanes: 0,
            sent_output: 0,
            sent_events: 0,
            sent_messages: 0,
        }
    }

    /// Appends an event; returns its index, or `None` when the log is full and it was only counted.
    fn push_event(&mut self, event: Event) -> Option<usize> {
        if self.events.len() >= MAX_EVENTS {
            self.dropped_events += 1;
            return None;
        }
        let lane = event.lane as usize;
        if self.last_event.len() <= lane {
            self.last_event.resize(lane + 1, None);
            self.wait_end.resize(lane + 1, None);
        }
        let index = self.events.len();
        self.last_event[lane] = Some(index);
        self.events.push(event);
        Some(index)
    }
}

static LOG: Mutex<Log> = Mutex::new(Log::new());

/// In a child process, records go to the parent instead of into this instance's own log. Set once when
/// the child starts; read on every record, so it is a `OnceLock` (an atomic load), not a mutex.
static FORWARD: OnceLock<fn(TraceRecord)> = OnceLock::new();

thread_local! {
    static CURRENT_LANE: Cell<u32> = const { Cell::new(0) };
}

/// Starts a new, empty log for a run (a run also forgets its recorded exceptions: `fault::reset`).
pub fn reset() {
    *lock(&LOG) = Log::new();
}

/// Sends this instance's records to `sink` (a child process's parent) instead of keeping them.
pub fn forward_to(sink: fn(TraceRecord)) {
    // A child instance runs one program and is then discarded, so the sink never changes.
    let _ = FORWARD.set(sink);
}

fn forwarder() -> Option<fn(TraceRecord)> {
    FORWARD.get().copied()
}

/// Whether this instance is a child process (its records go to the parent).
pub fn is_forwarding() -> bool {
    forwarder().is_some()
}

/// The name of lane `id`, unless the log is locked (by a thread that is panicking, say).
pub fn try_lane_name(id: u32) -> Option<String> {
    LOG.try_lock()
        .ok()?
        .lanes
        .get(id as usize)
        .map(|l| l.name.clone())
}

/// [`print`] that gives up instead of waiting when the log is locked (for the panic hook).
pub fn try_print(text: String) {
    let line = OutputLine {
        t: now_ms(),
        lane: current_lane(),
        text,
        stream: Stream::Stdout,
    };
    match forwarder() {
        Some(sink) => sink(TraceRecord::Output(line)),
        None => {
            if let Ok(mut log) = LOG.try_lock() {
                if log.output.len() < MAX_OUTPUT {
                    log.output.push(line);
                }
            }
        }
    }
}

/// [`enter`] that gives up instead of waiting when the log is locked (for the panic hook).
pub fn try_enter(state: LaneState) {
    let event = Event {
        t: now_ms(),
        lane: current_lane(),
        state,
    };
    match forwarder() {
        Some(sink) => sink(TraceRecord::Event(event)),
        None => {
            if let Ok(mut log) = LOG.try_lock() {
                log.push_event(event);
            }
        }
    }
}

/// Adds a lane (a thread or process) and returns its id.
pub fn new_lane(name: impl Into<String>, kind: LaneKind, group: impl Into<String>) -> u32 {
    let mut log = lock(&LOG);
    let id = log.lanes.len() as u32;
    log.lanes.push(Lane {
        id,
        name: name.into(),
        kind,
        group: group.into(),
        worker: None,
    });
    id
}

/// Notes which worker runs a lane.
pub fn set_worker(lane: u32, worker: Option<u32>) {
    if let Some(l) = lock(&LOG).lanes.get_mut(lane as usize) {
        l.worker = worker;
    }
}

/// The name of lane `id` (for messages such as a deadlock report).
pub fn lane_name(id: u32) -> String {
    lock(&LOG)
        .lanes
        .get(id as usize)
        .map_or_else(|| format!("lane {id}"), |l| l.name.clone())
}

/// The lane the calling thread records to.
pub fn current_lane() -> u32 {
    CURRENT_LANE.with(Cell::get)
}

pub fn set_current_lane(lane: u32) {
    CURRENT_LANE.with(|c| c.set(lane));
}

/// Records that `lane` entered `state` at time `t`.
pub fn enter_at(lane: u32, state: LaneState, t: f64) {
    let event = Event { t, lane, state };
    match forwarder() {
        Some(sink) => sink(TraceRecord::Event(event)),
        None => {
            lock(&LOG).push_event(event);
        }
    }
}

/// Records that the calling thread's lane enters `state` now.
pub fn enter(state: LaneState) {
    enter_at(current_lane(), state, now_ms());
}

/// Records a line printed by the calling thread's lane.
pub fn print(text: impl Into<String>) {
    print_to(Stream::Stdout, text);
}

/// Records a line the calling thread's lane wrote to `stream`. Returns false when the log already holds
/// [`MAX_OUTPUT`] lines and this one was dropped.
pub fn print_to(stream: Stream, text: impl Into<String>) -> bool {
    let line = OutputLine {
        t: now_ms(),
        lane: current_lane(),
        text: text.into(),
        stream,
    };
    match forwarder() {
        Some(sink) => {
            sink(TraceRecord::Output(line));
            true
        }
        None => {
            let mut log = lock(&LOG);
            if log.output.len() < MAX_OUTPUT {
                log.output.push(line);
                true
            } else {
                false
            }
        }
    }
}

/// Records that the calling thread waited for a lock from `t0` to `t1`, then ran on.
///
/// Waits too short to see are not drawn, and a wait that starts right after the previous one ended is
/// merged into it: under contention a thread can wait a million times a second, and the timeline shows the
/// pattern, not each wait. Totals are measured by the caller, so nothing is lost from the numbers.
pub fn lock_wait(t0: f64, t1: f64) {
    if t1 - t0 < MIN_DRAWN_WAIT_MS || forwarder().is_some() {
        return;
    }
    let lane = current_lane();
    let mut log = lock(&LOG);
    let index = lane as usize;
    let last = log.last_event.get(index).copied().flatten();
    let wait_end = log.wait_end.get(index).copied().flatten();
    if let (Some(last), Some(end)) = (last, wait_end) {
        if last == end && t0 - log.events[end].t < MIN_DRAWN_WAIT_MS {
            // Nothing happened on this lane since its last wait ended, and it is waiting again almost at
            // once: extend that wait instead of drawing a sliver of running between the two.
            log.events[end].t = t1;
            return;
        }
    }
    log.push_event(Event {
        t: t0,
        lane,
        state: LaneState::WaitingLock,
    });
    if let Some(end) = log.push_event(Event {
        t: t1,
        lane,
        state: LaneState::Running,
    }) {
        log.wait_end[index] = Some(end);
    }
}

/// A record forwarded by a child process.
pub fn ingest(record: TraceRecord) {
    let mut log = lock(&LOG);
    match record {
        TraceRecord::Event(e) => {
            if (e.lane as usize) < log.lanes.len() {
                log.push_event(e);
            }
        }
        TraceRecord::Output(o) => {
            if (o.lane as usize) < log.lanes.len() && log.output.len() < MAX_OUTPUT {
                log.output.push(o);
            }
        }
    }
}

/// Records a message between two lanes of this instance's log (the kernel of learner processes lives
/// in the root, so it records every message of the run there).
pub fn message(message: Message) {
    let mut log = lock(&LOG);
    if log.messages.len() < MAX_MESSAGES {
        log.messages.push(message);
    } else {
        log.dropped_messages += 1;
    }
}

/// Messages recorded since the previous call (for the live timeline).
pub fn take_new_messages() -> Vec<Message> {
    let mut log = lock(&LOG);
    let new = log.messages[log.sent_messages..].to_vec();
    log.sent_messages = log.messages.len();
    new
}

/// Every message of this run, in the order they were received, and how many more were only counted.
pub fn messages() -> (Vec<Message>, u64) {
    let log = lock(&LOG);
    (log.messages.clone(), log.dropped_messages)
}

/// Events streamed to the page while a run goes on; a run with more is drawn only when it finishes (the
/// counter lesson records hundreds of thousands of lock waits).
pub const MAX_LIVE_EVENTS: usize = 5_000;

/// Lanes, state changes and printed lines added since the previous call (for the live output and timeline
/// while a run goes on).
pub fn take_progress() -> (Vec<Lane>, Vec<Event>, Vec<OutputLine>) {
    let mut log = lock(&LOG);
    let lanes = log.lanes[log.sent_lanes..].to_vec();
    let output = log.output[log.sent_output..].to_vec();
    let end = log.events.len().min(MAX_LIVE_EVENTS);
    let events = log.events[log.sent_events.min(end)..end].to_vec();
    log.sent_lanes = log.lanes.len();
    log.sent_output = log.output.len();
    log.sent_events = end;
    (lanes, events, output)
}

/// Everything recorded in this run: lanes, events sorted by time, output, and the count of dropped events.
pub fn snapshot() -> (Vec<Lane>, Vec<Event>, Vec<OutputLine>, u64) {
    let log = lock(&LOG);
    let mut events = log.events.clone();
    events.sort_by(|a, b| a.t.total_cmp(&b.t));
    let mut output = log.output.clone();
    output.sort_by(|a, b| a.t.total_cmp(&b.t));
    (log.lanes.clone(), events, output, log.dropped_events)
}

/// Tests that read the global trace log take this first, so parallel tests do not mix their logs.
#[cfg(test)]
pub(crate) static TRACE_TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::TRACE_TEST_LOCK;
    use super::*;

    fn states(lane: u32) -> Vec<(LaneState, f64)> {
        snapshot()
            .1
            .into_iter()
            .filter(|e| e.lane == lane)
            .map(|e| (e.state, e.t))
            .collect()
    }

    #[test]
    fn back_to_back_lock_waits_merge_but_never_move_a_threads_start() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        reset();
        let lane = new_lane("T", LaneKind::Thread, "g");
        set_current_lane(lane);
        enter_at(lane, LaneState::Starting, 99.0);
        enter_at(lane, LaneState::Running, 100.0);
        // A wait right after the thread started must not move its "running" event.
        lock_wait(100.001, 100.5);
        // A second wait right after the first ended extends it.
        lock_wait(100.505, 101.0);
        // A wait after a while of running is drawn on its own.
        lock_wait(102.0, 102.5);
        assert_eq!(
            states(lane),
            vec![
                (LaneState::Starting, 99.0),
                (LaneState::Running, 100.0),
                (LaneState::WaitingLock, 100.001),
                (LaneState::Running, 101.0),
                (LaneState::WaitingLock, 102.0),
                (LaneState::Running, 102.5),
            ]
        );
    }
}
