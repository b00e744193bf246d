//! Things a thread lesson asks of the runtime's event loop, and blocks for: starting a child process,
//! waiting for its messages and its exit, and running requests on an event loop (the asyncio way).
//!
//! A thread lesson's main thread runs on a pool worker, which cannot create Web Workers or turn an event
//! loop while it is blocked. So it leaves a [`Request`] in the outbox and wakes the runtime worker (a futex
//! notify on [`WAKE`], which the runtime awaits with `Atomics.waitAsync`). The runtime starts the worker or
//! runs the fetches and puts what happens in the inbox; the lesson's thread is blocked on a condition
//! variable until it arrives. Children stay isolated: they have their own memory and only post messages.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lock;
use super::process::{Delivery, Pid};
use super::trace;
use crate::clock::now_ms;
use crate::protocol::{LaneKind, LaneState, SpawnCommand};

/// One request for the runtime.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(rename = "BridgeRequest")] // for the runtime workers' JSDoc (www/types/generated/BridgeRequest.ts)
pub enum Request {
    Spawn(SpawnCommand),
    /// Fetch every path at once from one event loop; answer with a [`FetchResult`] per path.
    EventLoopFetch {
        id: u32,
        paths: Vec<String>,
    },
    /// Start thread workers until the pool has `total`: a program started more threads than there are
    /// idle workers (learner Python starts threads as it goes; lessons start theirs before a run).
    ThreadWorkers {
        total: usize,
    },
}

/// How one request on the event loop went.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct FetchResult {
    pub path: String,
    pub bytes: f64,
    pub started_at: f64,
    pub finished_at: f64,
    pub error: Option<String>,
}

enum Incoming {
    Message(Delivery),
    Bytes(BytesDelivery),
    Exit { code: i32, at: f64 },
    Fetched(Vec<FetchResult>),
}

static OUTBOX: Mutex<Vec<Request>> = Mutex::new(Vec::new());
/// Bytes a child receives in its start message ([`start_process_with_input`]), until the runtime takes them.
static PENDING_INPUT: Mutex<Option<HashMap<u32, Vec<u8>>>> = Mutex::new(None);
/// How long the runtime took to copy each child's input out of this (shared) memory, by pid.
static INPUT_COPY_MS: Mutex<Option<HashMap<u32, f64>>> = Mutex::new(None);
static INBOX: Mutex<Option<HashMap<u32, VecDeque<Incoming>>>> = Mutex::new(None);
static ARRIVED: Condvar = Condvar::new();
/// Bumped (and futex-notified) whenever the outbox gets a request, so the runtime wakes at once.
pub static WAKE: AtomicI32 = AtomicI32::new(0);
/// Bridge pids start high so they never meet a process lesson's own (1, 2, …).
static NEXT_ID: AtomicU32 = AtomicU32::new(1000);

fn send(request: Request) {
    lock(&OUTBOX).push(request);
    wake();
}

/// Asks the runtime to start thread workers until there are `total` (see [`Request::ThreadWorkers`]).
pub fn need_thread_workers(total: usize) {
    send(Request::ThreadWorkers { total });
}

/// Wakes the runtime worker now rather than at its next poll (a request, or a run's outcome, is ready).
pub fn wake() {
    WAKE.fetch_add(1, Ordering::SeqCst);
    #[cfg(target_arch = "wasm32")]
    // SAFETY: WAKE is a live, aligned i32 in the shared memory; notify only wakes waiters on it.
    unsafe {
        core::arch::wasm32::memory_atomic_notify(WAKE.as_ptr(), u32::MAX);
    }
}

fn push(id: u32, item: Incoming) {
    lock(&INBOX)
        .get_or_insert_with(HashMap::new)
        .entry(id)
        .or_default()
        .push_back(item);
    ARRIVED.notify_all();
}

/// Blocks until `pick` takes something from the items for `id` (or `timeout_ms` passes).
fn take<T>(
    id: u32,
    timeout_ms: Option<f64>,
    mut pick: impl FnMut(&mut VecDeque<Incoming>) -> Option<T>,
) -> Option<T> {
    let deadline = timeout_ms.map(|t| now_ms() + t);
    let mut inbox = lock(&INBOX);
    loop {
        if let Some(queue) = inbox.as_mut().and_then(|m| m.get_mut(&id)) {
            if let Some(got) = pick(queue) {
                return Some(got);
            }
        }
        if super::cancel::is_cancelled() {
            return None;
        }
        let wait = match deadline {
            Some(d) if d <= now_ms() => return None,
            Some(d) => (d - now_ms()).min(super::cancel::SLICE_MS),
            None => super::cancel::SLICE_MS,
        };
        inbox = ARRIVED
            .wait_timeout(inbox, Duration::from_secs_f64(wait / 1000.0))
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// Removes and returns the first item `unwrap` accepts.
fn remove_first<T>(
    queue: &mut VecDeque<Incoming>,
    unwrap: impl Fn(&Incoming) -> Option<T>,
) -> Option<T> {
    let (pos, got) = queue
        .iter()
        .enumerate()
        .find_map(|(i, item)| unwrap(item).map(|g| (i, g)))?;
    queue.remove(pos);
    Some(got)
}

/// The runtime collects the requests.
pub fn take_requests() -> Vec<Request> {
    std::mem::take(&mut *lock(&OUTBOX))
}

/// The runtime delivers a child's message.
pub fn deliver(pid: Pid, payload: String, sent_at: f64) {
    push(
        pid,
        Incoming::Message(Delivery {
            from: pid,
            payload,
            sent_at,
            received_at: now_ms(),
        }),
    );
}

/// A binary message from a child, as the parent receives it.
#[derive(Clone, Debug, PartialEq)]
pub struct BytesDelivery {
    pub from: Pid,
    pub bytes: Vec<u8>,
    pub sent_at: f64,
    pub received_at: f64,
    /// How long copying the bytes into this memory took (in the browser: from the transferred
    /// `ArrayBuffer` into the shared wasm memory).
    pub copy_ms: f64,
}

/// A message of either kind, in the order the child sent them.
#[derive(Clone, Debug, PartialEq)]
pub enum Received {
    Text(Delivery),
    Bytes(BytesDelivery),
}

/// The runtime delivers a child's binary message (already copied into this memory, in `copy_ms`).
pub fn deliver_bytes(pid: Pid, bytes: Vec<u8>, sent_at: f64, copy_ms: f64) {
    push(
        pid,
        Incoming::Bytes(BytesDelivery {
            from: pid,
            bytes,
            sent_at,
            received_at: now_ms(),
            copy_ms,
        }),
    );
}

/// The runtime takes the bytes child `pid` gets in its start message, if any.
pub fn take_input(pid: Pid) -> Option<Vec<u8>> {
    lock(&PENDING_INPUT).as_mut()?.remove(&pid)
}

/// The runtime reports how long copying child `pid`'s input out of this memory took.
pub fn record_input_copy(pid: Pid, ms: f64) {
    lock(&INPUT_COPY_MS)
        .get_or_insert_with(HashMap::new)
        .insert(pid, ms);
}

/// The runtime reports a child's exit.
pub fn exited(pid: Pid, code: i32, at: f64) {
    push(pid, Incoming::Exit { code, at });
}

/// The runtime reports an event-loop fetch.
pub fn fetched(id: u32, results: Vec<FetchResult>) {
    push(id, Incoming::Fetched(results));
}

/// Drops everything left from an earlier run.
pub fn reset() {
    lock(&OUTBOX).clear();
    *lock(&INBOX) = None;
    *lock(&PENDING_INPUT) = None;
    *lock(&INPUT_COPY_MS) = None;
}

/// A child process started from a thread lesson: `multiprocessing.Process(...).start()`.
pub struct ChildProcess {
    pub pid: Pid,
    pub lane: u32,
    pub name: String,
    /// When `start()` was called.
    pub started_at: f64,
}

/// Starts child program `entry` of `lesson` in a new process (a worker with its own memory).
pub fn start_process(
    name: &str,
    group: &str,
    lesson: &str,
    entry: &str,
    args: Value,
) -> ChildProcess {
    start(name, group, lesson, entry, args, None)
}

/// Like [`start_process`], and the child's start message carries `input` (what `Pool.map` pickles and
/// writes to a worker's pipe). In the browser the runtime copies the bytes out of this shared memory into
/// an `ArrayBuffer` (a `SharedArrayBuffer` cannot be transferred), transfers that buffer to the child's
/// worker without a copy, and the child copies it into its own memory
/// ([`crate::engine::process::ChildContext::take_input`]).
pub fn start_process_with_input(
    name: &str,
    group: &str,
    lesson: &str,
    entry: &str,
    args: Value,
    input: Vec<u8>,
) -> ChildProcess {
    start(name, group, lesson, entry, args, Some(input))
}

fn start(
    name: &str,
    group: &str,
    lesson: &str,
    entry: &str,
    args: Value,
    input: Option<Vec<u8>>,
) -> ChildProcess {
    let pid = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    if let Some(input) = input {
        lock(&PENDING_INPUT)
            .get_or_insert_with(HashMap::new)
            .insert(pid, input);
    }
    let lane = trace::new_lane(name, LaneKind::Process, group);
    let started_at = now_ms();
    trace::enter_at(lane, LaneState::Starting, started_at);
    let spawn = SpawnCommand {
        pid,
        lane,
        name: name.into(),
        lesson: lesson.into(),
        entry: entry.into(),
        args,
    };
    launch(spawn);
    ChildProcess {
        pid,
        lane,
        name: name.into(),
        started_at,
    }
}

#[cfg(target_arch = "wasm32")]
fn launch(spawn: SpawnCommand) {
    send(Request::Spawn(spawn));
}

/// What a child process runs natively, given its start command and a way to send messages; returns its
/// exit code. The lessons own the child programs, so they register theirs here
/// (`lessons::register_native_children`) rather than the engine reaching into them; in the browser a
/// process worker calls the lessons directly (`web/child.rs`).
#[cfg(not(target_arch = "wasm32"))]
pub type ChildMain = fn(&SpawnCommand, &mut dyn FnMut(String)) -> i32;

#[cfg(not(target_arch = "wasm32"))]
static CHILD_MAIN: std::sync::OnceLock<ChildMain> = std::sync::OnceLock::new();

/// Sets the program native children run (the first call wins: there is one set of lessons).
#[cfg(not(target_arch = "wasm32"))]
pub fn set_child_main(main: ChildMain) {
    let _ = CHILD_MAIN.set(main);
}

/// Natively there are no Web Workers: the child runs on an OS thread of its own. Its statics are then
/// shared with the parent, so native tests check the plumbing, not isolation (the browser tests do that).
#[cfg(not(target_arch = "wasm32"))]
fn launch(spawn: SpawnCommand) {
    std::thread::spawn(move || {
        let pid = spawn.pid;
        let mut send = |payload: String| deliver(pid, payload, now_ms());
        let input = take_input(pid).unwrap_or_default();
        let send_bytes = Box::new(move |bytes: &[u8]| {
            let t0 = now_ms();
            let copy = bytes.to_vec();
            let ms = now_ms() - t0;
            deliver_bytes(pid, copy, now_ms(), 0.0);
            ms
        });
        let io = crate::engine::process::ChildIo {
            input,
            input_copy_ms: 0.0,
            send_bytes,
        };
        // Without a registered program the child exits at once with 2, as for an unknown lesson, so its
        // parent sees an exit instead of waiting for ever.
        let code = match CHILD_MAIN.get() {
            Some(main) => crate::engine::process::with_child_io(io, || main(&spawn, &mut send)),
            None => 2,
        };
        exited(pid, code, now_ms());
    });
}

impl ChildProcess {
    /// `queue.get(timeout)`: the child's next message, blocking the calling thread while there is none.
    /// `None` when `timeout_ms` passed, or at once when the child has exited and sent nothing more (like
    /// `conn.recv()` raising `EOFError`), so a crashed child cannot hang its parent.
    pub fn recv(&self, timeout_ms: Option<f64>) -> Option<Delivery> {
        super::gil::allow_threads(|| self.recv_without_gil(timeout_ms))
    }

    fn recv_without_gil(&self, timeout_ms: Option<f64>) -> Option<Delivery> {
        trace::enter(LaneState::WaitingMessage);
        let got = take(self.pid, timeout_ms, |queue| {
            if let Some(d) = remove_first(queue, |i| match i {
                Incoming::Message(d) => Some(d.clone()),
                _ => None,
            }) {
                return Some(Some(d));
            }
            let exited = queue.iter().any(|i| matches!(i, Incoming::Exit { .. }));
            exited.then_some(None)
        })
        .flatten();
        trace::enter(LaneState::Running);
        got
    }

    /// The child's next message of either kind (text or bytes), blocking like [`recv`](Self::recv).
    pub fn recv_any(&self, timeout_ms: Option<f64>) -> Option<Received> {
        super::gil::allow_threads(|| {
            trace::enter(LaneState::WaitingMessage);
            let got = take(self.pid, timeout_ms, |queue| {
                // Moved out, not cloned: a frame is hundreds of KiB.
                let pos = queue
                    .iter()
                    .position(|i| matches!(i, Incoming::Message(_) | Incoming::Bytes(_)));
                match pos.and_then(|p| queue.remove(p)) {
                    Some(Incoming::Message(d)) => return Some(Some(Received::Text(d))),
                    Some(Incoming::Bytes(b)) => return Some(Some(Received::Bytes(b))),
                    _ => {}
                }
                let exited = queue.iter().any(|i| matches!(i, Incoming::Exit { .. }));
                exited.then_some(None)
            })
            .flatten();
            trace::enter(LaneState::Running);
            got
        })
    }

    /// How long the runtime took to copy this child's start input out of the parent's memory (`None`
    /// natively, or before the child was started).
    pub fn input_copy_ms(&self) -> Option<f64> {
        lock(&INPUT_COPY_MS).as_ref()?.get(&self.pid).copied()
    }

    /// `p.join()`: blocks until the child exits; returns its exit code and when it exited.
    pub fn join(&self) -> (i32, f64) {
        self.join_timeout(None).unwrap_or((-1, now_ms()))
    }

    /// `p.join(timeout)`: like [`join`](Self::join), or `None` when the child is still running after
    /// `timeout_ms`.
    pub fn join_timeout(&self, timeout_ms: Option<f64>) -> Option<(i32, f64)> {
        super::gil::allow_threads(|| self.join_timeout_without_gil(timeout_ms))
    }

    fn join_timeout_without_gil(&self, timeout_ms: Option<f64>) -> Option<(i32, f64)> {
        trace::enter(LaneState::Joining);
        let exit = take(self.pid, timeout_ms, |queue| {
            remove_first(queue, |i| match i {
                Incoming::Exit { code, at } => Some((*code, *at)),
                _ => None,
            })
        });
        trace::enter(LaneState::Running);
        exit
    }
}

/// How long a thread waits for the event loop's answer before it gives up (every request has failed or
/// finished long before).
const EVENT_LOOP_LIMIT_MS: f64 = 300_000.0;

/// Joins every child; a child that never answered gets a second to exit, not forever. Returns the first
/// problem (a non-zero exit code, or a child that did not exit), if any.
pub fn join_all(
    children: &[ChildProcess],
    answered: impl IntoIterator<Item = bool>,
) -> Option<String> {
    let mut problem = None;
    for (child, answered) in children.iter().zip(answered) {
        let limit = if answered { None } else { Some(1000.0) };
        match child.join_timeout(limit) {
            Some((0, _)) => {}
            Some((code, _)) => {
                problem.get_or_insert(format!("{} exited with code {code}", child.name));
            }
            None => {
                problem.get_or_insert(format!("{} did not exit", child.name));
            }
        }
    }
    problem
}

/// Runs `paths` as concurrent requests on one event loop (the runtime worker's), blocking the caller until
/// all are done, like `asyncio.run(asyncio.gather(*(fetch(p) for p in paths)))`. The event loop gets its
/// own lane, drawn from the times each request started and finished.
///
/// # Errors
/// When there is no event loop to run on (natively), or it never answered.
pub fn event_loop_fetch(
    paths: Vec<String>,
    lane_name: &str,
    group: &str,
) -> Result<Vec<FetchResult>, String> {
    super::gil::allow_threads(|| event_loop_fetch_without_gil(paths, lane_name, group))
}

fn event_loop_fetch_without_gil(
    paths: Vec<String>,
    lane_name: &str,
    group: &str,
) -> Result<Vec<FetchResult>, String> {
    if cfg!(not(target_arch = "wasm32")) {
        return Err("real requests need the browser".into());
    }
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    let lane = trace::new_lane(lane_name, LaneKind::Thread, group);
    trace::enter(LaneState::Joining);
    send(Request::EventLoopFetch { id, paths });
    let results = take(id, Some(EVENT_LOOP_LIMIT_MS), |queue| {
        remove_first(queue, |i| match i {
            Incoming::Fetched(r) => Some(r.clone()),
            _ => None,
        })
    });
    trace::enter(LaneState::Running);
    let Some(results) = results else {
        return Err(format!(
            "the event loop did not answer within {} s",
            EVENT_LOOP_LIMIT_MS / 1000.0
        ));
    };
    // The loop was busy from the first request until the last answer; in between it waited on I/O.
    if let (Some(first), Some(last)) = (
        results.iter().map(|r| r.started_at).reduce(f64::min),
        results.iter().map(|r| r.finished_at).reduce(f64::max),
    ) {
        trace::enter_at(lane, LaneState::Io, first);
        trace::enter_at(lane, LaneState::Finished, last);
    }
    Ok(results)
}

/// A blocking request for `path` on the page's own origin, as `urllib.request.urlopen(url).read()` does:
/// the calling thread (a worker) is blocked until the whole body has arrived. Returns the bytes received.
///
/// # Errors
/// The HTTP status or network error, as text; natively, that there is no server.
pub fn fetch_blocking(path: &str) -> Result<f64, String> {
    super::gil::allow_threads(|| fetch_blocking_without_gil(path))
}

fn fetch_blocking_without_gil(path: &str) -> Result<f64, String> {
    trace::enter(LaneState::Io);
    let result = crate::platform::fetch_blocking(path, crate::platform::Body::Length, true)
        .map(|(length, _)| length as f64);
    trace::enter(LaneState::Running);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::TRACE_TEST_LOCK;

    /// Natively the child runs on an OS thread: this checks the plumbing (messages, exit, no hang).
    #[test]
    fn a_child_that_exits_without_a_message_ends_recv_instead_of_hanging() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        reset();
        // The children run the lessons' real child programs (test-only: the engine does not need them).
        crate::lessons::register_native_children();
        let child = start_process("Process-1", "g", "queue-pipe", "no-such-entry", Value::Null);
        let t0 = now_ms();
        assert_eq!(child.recv(None), None);
        assert!(now_ms() - t0 < 5000.0);
        assert_eq!(child.join_timeout(Some(5000.0)).map(|e| e.0), Some(2));
    }

    #[test]
    fn messages_arrive_in_order_then_the_exit() {
        let _serial = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        reset();
        // The children run the lessons' real child programs (test-only: the engine does not need them).
        crate::lessons::register_native_children();
        let child = start_process(
            "Process-1",
            "g",
            "queue-pipe",
            "producer",
            serde_json::json!({"items": 3}),
        );
        let got: Vec<String> = (0..3)
            .filter_map(|_| child.recv(Some(5000.0)).map(|d| d.payload))
            .collect();
        assert_eq!(got, ["0", "1", "2"]);
        assert_eq!(child.join().0, 0);
        assert_eq!(child.recv(Some(10.0)), None, "nothing more after the exit");
    }
}
