//! The kernel of learner `multiprocessing`: what an operating system keeps for processes that share no
//! memory — the pipes under queues and connections (channels of bytes), semaphores and event flags
//! (cells), which slots of the shared memory each `Value` and `Array` owns (`shared.rs`), and the
//! process table. It lives in the root process's memory, as a kernel lives outside
//! every process: the root's own threads call it directly; a child's calls arrive as messages and are
//! answered by message (see `protocol.rs`). Only bytes go in and out: every object is pickled.
//!
//! A call that must wait is parked as a [`Waiter`]; whatever changes a channel or a cell serves the
//! parked waiters that can now go on, in the order they came. A local waiter (a root thread) is blocked
//! on its own slot; a remote one (a child's thread) gets its reply by message.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};

use playground::clock::now_ms;
use playground::engine::{bridge, cancel, lock, trace};
use playground::protocol::{LaneKind, LaneState, Message, Stream};

use super::protocol::{Call, ChildStart, Id, KernelRequest, Pid, Reply};
use super::shared;

/// A reply and the bytes that travel with it.
pub type Answer = (Reply, Option<Vec<u8>>);

/// Processes alive at once (started and not yet exited), besides the main one.
pub const MAX_PROCESSES: usize = 64;
/// The largest item a channel takes (a pickle), in bytes.
pub const MAX_ITEM_BYTES: usize = 64 << 20;

/// Where a local caller waits for its answer.
#[derive(Default)]
pub struct Slot {
    answer: Mutex<Option<Answer>>,
    ready: Condvar,
}

enum Target {
    Local(Arc<Slot>),
    Remote { pid: Pid, req: u32 },
}

struct Waiter {
    target: Target,
    /// The caller's lane (an item it takes is drawn arriving there).
    lane: u32,
    call: Call,
    deadline: Option<f64>,
}

/// One item of a channel: the bytes, and who sent them when (for the timeline's message arrows).
struct Item {
    data: Vec<u8>,
    from: u32,
    sent_at: f64,
}

/// A channel: its items, and what it carries for the timeline ("Queue", "Pipe"...). A channel of a
/// lock's or semaphore's tokens carries nothing worth drawing (`via` is `None`).
struct Channel {
    items: VecDeque<Item>,
    via: Option<String>,
}

struct Process {
    name: String,
    lane: u32,
    exit: Option<i32>,
}

#[derive(Default)]
struct Kernel {
    channels: HashMap<Id, Channel>,
    cells: HashMap<Id, i64>,
    processes: HashMap<Pid, Process>,
    waiters: Vec<Waiter>,
    outbox: Vec<(KernelRequest, Option<Vec<u8>>)>,
    next_id: Id,
    next_pid: Pid,
    /// The first slot of the shared memory no `Value` or `Array` of this run owns yet.
    next_slot: u32,
}

static KERNEL: Mutex<Option<Kernel>> = Mutex::new(None);
/// Wakes local waiters whose process exited (a join).
static EXITED: Condvar = Condvar::new();

fn with<R>(f: impl FnOnce(&mut Kernel) -> R) -> R {
    let mut guard = lock(&KERNEL);
    f(guard.get_or_insert_with(|| Kernel {
        next_id: 1,
        next_pid: 2,
        ..Kernel::default()
    }))
}

/// Forgets everything of the previous run (its processes were ended with it).
pub fn reset() {
    *lock(&KERNEL) = None;
}

/// The answer to a call naming a channel or cell this kernel does not have.
fn unknown_id(what: &str, id: Id) -> Option<Answer> {
    Some((
        Reply::Error {
            message: format!("unknown {what} {id}: it belongs to another run"),
        },
        None,
    ))
}

impl Kernel {
    /// Answers `call` from `lane` now, or `None` when it must wait.
    fn try_answer(&mut self, call: &Call, data: &mut Option<Vec<u8>>, lane: u32) -> Option<Answer> {
        let unknown = unknown_id;
        match *call {
            Call::NewChannel { tokens, ref via } => {
                let id = self.fresh_id();
                let now = now_ms();
                let items = (0..tokens)
                    .map(|_| Item {
                        data: Vec::new(),
                        from: lane,
                        sent_at: now,
                    })
                    .collect();
                let via = via.clone();
                self.channels.insert(id, Channel { items, via });
                Some((Reply::Id { id }, None))
            }
            Call::Put { ch } => {
                let Some(channel) = self.channels.get_mut(&ch) else {
                    return unknown("channel", ch);
                };
                channel.items.push_back(Item {
                    data: data.take().unwrap_or_default(),
                    from: lane,
                    sent_at: now_ms(),
                });
                Some((Reply::Done, None))
            }
            Call::Get { ch, peek, .. } => self.get(ch, peek, lane),
            Call::Len { ch } => match self.channels.get(&ch) {
                Some(channel) => Some((
                    Reply::Value {
                        value: channel.items.len() as i64,
                    },
                    None,
                )),
                None => unknown("channel", ch),
            },
            Call::NewCell { value } => {
                let id = self.fresh_id();
                self.cells.insert(id, value);
                Some((Reply::Id { id }, None))
            }
            Call::Add { cell, delta } => match self.cells.get_mut(&cell) {
                Some(v) => {
                    *v = v.wrapping_add(delta);
                    Some((Reply::Value { value: *v }, None))
                }
                None => unknown("cell", cell),
            },
            Call::Store { cell, value } => match self.cells.get_mut(&cell) {
                Some(v) => {
                    *v = value;
                    Some((Reply::Done, None))
                }
                None => unknown("cell", cell),
            },
            Call::Load { cell } => match self.cells.get(&cell) {
                Some(v) => Some((Reply::Value { value: *v }, None)),
                None => unknown("cell", cell),
            },
            Call::WaitCell { cell, nonzero, .. } => match self.cells.get(&cell) {
                Some(v) => ((*v != 0) == nonzero).then_some((Reply::Done, None)),
                None => unknown("cell", cell),
            },
            Call::NewShared { slots } => self.new_shared(slots),
            Call::LoadShared { first, count } => Some(match shared::load_bytes(first, count) {
                Ok(bytes) => (Reply::Item, Some(bytes)),
                Err(message) => (Reply::Error { message }, None),
            }),
            Call::StoreShared { first } => Some(
                match shared::store_bytes(first, data.as_deref().unwrap_or_default()) {
                    Ok(()) => (Reply::Done, None),
                    Err(message) => (Reply::Error { message }, None),
                },
            ),
            Call::Abort { ref reason } => {
                if !cancel::is_cancelled() {
                    trace::print_to(Stream::Stderr, format!("■ {reason}"));
                    cancel::request(reason);
                }
                Some((Reply::Done, None))
            }
        }
    }

    /// `Get`: the first item of channel `ch` for `lane` (drawn as a message when the channel is a Queue's
    /// or a Pipe's), or only whether there is one (`peek`); `None` while it is empty.
    fn get(&mut self, ch: Id, peek: bool, lane: u32) -> Option<Answer> {
        let Some(channel) = self.channels.get_mut(&ch) else {
            return unknown_id("channel", ch);
        };
        if peek {
            return (!channel.items.is_empty()).then_some((Reply::Item, None));
        }
        let item = channel.items.pop_front()?;
        if let Some(via) = &channel.via {
            trace::message(Message {
                from: item.from,
                to: lane,
                sent_at: item.sent_at,
                received_at: now_ms(),
                bytes: item.data.len() as u64,
                via: via.clone(),
            });
        }
        Some((Reply::Item, Some(item.data)))
    }

    /// `NewShared`: `slots` values of the shared segment under `Value` and `Array`, if they fit.
    fn new_shared(&mut self, slots: u32) -> Option<Answer> {
        let free = shared::SEGMENT_SLOTS - self.next_slot;
        if slots > free {
            return Some((
                Reply::Error {
                    message: format!(
                        "no room in the shared memory for {slots} more values: Value and Array hold at most {} values in all ({} MiB), and {} are taken",
                        shared::SEGMENT_SLOTS,
                        shared::SEGMENT_BYTES >> 20,
                        self.next_slot
                    ),
                },
                None,
            ));
        }
        let id = self.next_slot;
        self.next_slot += slots;
        Some((Reply::Id { id }, None))
    }

    fn fresh_id(&mut self) -> Id {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn deliver(&mut self, target: Target, answer: Answer) {
        match target {
            Target::Local(slot) => {
                *lock(&slot.answer) = Some(answer);
                slot.ready.notify_all();
            }
            Target::Remote { pid, req } => {
                let (reply, data) = answer;
                self.outbox
                    .push((KernelRequest::Reply { pid, req, reply }, data));
                bridge::wake();
            }
        }
    }

    /// Serves every parked waiter that can go on now, oldest first.
    fn serve(&mut self) {
        let mut i = 0;
        while i < self.waiters.len() {
            let mut none = None;
            let call = self.waiters[i].call.clone();
            let lane = self.waiters[i].lane;
            if let Some(answer) = self.try_answer(&call, &mut none, lane) {
                let waiter = self.waiters.remove(i);
                self.deliver(waiter.target, answer);
            } else {
                i += 1;
            }
        }
    }

    /// Answers `call` from `lane` at once, or parks it for `target`.
    fn submit(&mut self, call: Call, mut data: Option<Vec<u8>>, target: Target, lane: u32) {
        if let Some(answer) = self.try_answer(&call, &mut data, lane) {
            self.deliver(target, answer);
            if matches!(
                call,
                Call::Put { .. } | Call::Add { .. } | Call::Store { .. }
            ) {
                self.serve();
            }
            return;
        }
        let timeout = match call {
            Call::Get { timeout_ms, .. } | Call::WaitCell { timeout_ms, .. } => timeout_ms,
            _ => None,
        };
        if timeout.is_some_and(|t| t <= 0.0) {
            self.deliver(target, (Reply::TimedOut, None));
            return;
        }
        self.waiters.push(Waiter {
            target,
            lane,
            call,
            deadline: timeout.map(|t| now_ms() + t),
        });
    }

    fn live_children(&self) -> usize {
        self.processes.values().filter(|p| p.exit.is_none()).count()
    }
}

/// A call from one of the root process's threads: answered at once or after blocking this thread (the
/// GIL let go, drawn as waiting for a message). A stop ends the wait; so does finding that nothing can
/// ever answer it (see [`Reply::Orphaned`]).
pub fn call_local(call: Call, data: Option<Vec<u8>>) -> Answer {
    if let Some(size) = data.as_ref().map(Vec::len).filter(|&n| n > MAX_ITEM_BYTES) {
        return too_big(size);
    }
    let timeout = match call {
        Call::Get { timeout_ms, .. } | Call::WaitCell { timeout_ms, .. } => timeout_ms,
        _ => None,
    };
    let deadline = timeout.map(|t| now_ms() + t);
    let slot = Arc::new(Slot::default());
    let lane = trace::current_lane();
    with(|k| k.submit(call, data, Target::Local(slot.clone()), lane));
    if let Some(answer) = lock(&slot.answer).take() {
        return answer;
    }
    playground::engine::gil::allow_threads(|| {
        trace::enter(LaneState::WaitingMessage);
        let answer = wait_local(&slot, deadline);
        trace::enter(LaneState::Running);
        answer
    })
}

/// Blocks until `slot` is answered, `deadline` passes, the run is stopped or nothing is left that could
/// answer. The slot's lock is never held while the kernel's is taken (a putter holds the kernel's while
/// it answers a slot), and the answer is checked under the slot's lock before each wait, so no answer
/// is missed.
fn wait_local(slot: &Arc<Slot>, deadline: Option<f64>) -> Answer {
    loop {
        {
            let mut answer = lock(&slot.answer);
            if let Some(got) = answer.take() {
                return got;
            }
            answer = cancel::wait_slice(&slot.ready, &slot.answer, answer, deadline).0;
            if let Some(got) = answer.take() {
                return got;
            }
        }
        if cancel::is_cancelled() || deadline.is_some_and(|d| d <= now_ms()) {
            return withdraw(slot).unwrap_or((Reply::TimedOut, None));
        }
        // Only the root's threads can conclude that nobody is left. Natively a child runs on an OS thread
        // that `terminate()` cannot end: once reported ended, it would count no one alive and raise in the
        // middle of the parent's run (the browser ends its worker instead). It waits for the run's end.
        if deadline.is_none()
            && !super::child::is_child()
            && live_children() == 0
            && nobody_else_left()
        {
            return match withdraw(slot) {
                Some((Reply::TimedOut, _)) => (Reply::Orphaned, None),
                Some(answer) => answer,
                None => (Reply::Orphaned, None),
            };
        }
    }
}

/// Whether the calling thread is the only one of the whole program left: no other Python thread of this
/// process and no child process is running, so nothing can ever put or set what it waits for.
fn nobody_else_left() -> bool {
    crate::threads::alive() == 0
}

/// Takes a local waiter out of the kernel; its answer if it was answered meanwhile.
fn withdraw(slot: &Arc<Slot>) -> Option<Answer> {
    let answered = with(|k| {
        match k
            .waiters
            .iter()
            .position(|w| matches!(&w.target, Target::Local(s) if Arc::ptr_eq(s, slot)))
        {
            Some(pos) => {
                k.waiters.remove(pos);
                false
            }
            None => true,
        }
    });
    if answered {
        lock(&slot.answer).take()
    } else {
        Some((Reply::TimedOut, None))
    }
}

fn too_big(size: usize) -> Answer {
    (
        Reply::Error {
            message: format!(
                "a message of {size} bytes is too large: the playground passes messages of up to {} MiB",
                MAX_ITEM_BYTES >> 20
            ),
        },
        None,
    )
}

/// A call that arrived from child `pid` (request `req`), made on the root's `lane` (the process's own
/// lane when the caller's thread is not known yet): answered now or when it can be, by message.
pub fn call_remote(pid: Pid, req: u32, lane: Option<u32>, call: Call, data: Option<Vec<u8>>) {
    if let Some(size) = data.as_ref().map(Vec::len).filter(|&n| n > MAX_ITEM_BYTES) {
        let answer = too_big(size);
        with(|k| k.deliver(Target::Remote { pid, req }, answer));
        return;
    }
    let one_way = call.is_one_way();
    with(|k| {
        let lane = lane
            .or_else(|| k.processes.get(&pid).map(|p| p.lane))
            .unwrap_or(0);
        if one_way {
            // The child did not wait for it: its `Done` is not sent.
            let mut data = data;
            k.try_answer(&call, &mut data, lane);
            k.serve();
        } else {
            k.submit(call, data, Target::Remote { pid, req }, lane);
        }
    });
}

/// Times out the parked remote waiters whose deadline has passed (local ones time themselves out).
/// Returns how long until the next deadline, if any, so the runtime can sleep until then.
pub fn tick() -> Option<f64> {
    with(|k| {
        let now = now_ms();
        let mut i = 0;
        while i < k.waiters.len() {
            let expired = matches!(k.waiters[i].target, Target::Remote { .. })
                && k.waiters[i].deadline.is_some_and(|d| d <= now);
            if expired {
                let waiter = k.waiters.remove(i);
                k.deliver(waiter.target, (Reply::TimedOut, None));
            } else {
                i += 1;
            }
        }
        k.waiters
            .iter()
            .filter(|w| matches!(w.target, Target::Remote { .. }))
            .filter_map(|w| w.deadline)
            .map(|d| (d - now).max(0.0))
            .reduce(f64::min)
    })
}

/// What the runtime must do: children to start or end, replies to send.
pub fn take_requests() -> Vec<(KernelRequest, Option<Vec<u8>>)> {
    with(|k| std::mem::take(&mut k.outbox))
}

/// Starts a child process running `source` as `__mp_main__`, then the pickled `Process` in `payload`.
///
/// # Errors
/// When [`MAX_PROCESSES`] are already alive.
pub fn spawn(name: &str, source: &str, payload: Vec<u8>) -> Result<Pid, String> {
    let build = playground::engine::gil::current_interpreter();
    let start = with(|k| {
        if k.live_children() >= MAX_PROCESSES {
            return Err(format!(
                "can't start a new process: {MAX_PROCESSES} processes are already running (the playground's limit: each is a Web Worker with a memory of its own)"
            ));
        }
        let pid = k.next_pid;
        k.next_pid += 1;
        let lane = trace::new_lane(name, LaneKind::Process, "python");
        trace::enter_at(lane, LaneState::Starting, now_ms());
        k.processes.insert(
            pid,
            Process {
                name: name.to_string(),
                lane,
                exit: None,
            },
        );
        Ok(ChildStart {
            pid,
            name: name.to_string(),
            source: source.to_string(),
            build,
            lane,
        })
    })?;
    launch(start.clone(), payload);
    Ok(start.pid)
}

#[cfg(target_arch = "wasm32")]
fn launch(start: ChildStart, payload: Vec<u8>) {
    with(|k| {
        k.outbox
            .push((KernelRequest::Spawn { start }, Some(payload)))
    });
    bridge::wake();
}

/// Natively there are no workers: the child is a fresh interpreter on an OS thread of its own. Its
/// Python objects are its own; the kernel is the same one, called directly.
#[cfg(not(target_arch = "wasm32"))]
fn launch(start: ChildStart, payload: Vec<u8>) {
    NATIVE_CHILDREN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    std::thread::Builder::new()
        .name(start.name.clone())
        .stack_size(playground::engine::pool::NATIVE_STACK_BYTES)
        .spawn(move || {
            let code = super::child::run_native(&start, &payload);
            exited(start.pid, code);
            NATIVE_CHILDREN.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        })
        .expect("an OS thread for a child process");
}

/// Natively: child processes (OS threads) still running, even ones reported ended by `terminate()`.
#[cfg(not(target_arch = "wasm32"))]
pub static NATIVE_CHILDREN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The runtime reports that child `pid` exited with `code` (or was ended).
pub fn exited(pid: Pid, code: i32) {
    let lane = with(|k| {
        let process = k.processes.get_mut(&pid)?;
        if process.exit.is_some() {
            return None;
        }
        process.exit = Some(code);
        // Its parked calls will never be read.
        k.waiters
            .retain(|w| !matches!(w.target, Target::Remote { pid: p, .. } if p == pid));
        Some(process.lane)
    });
    if let Some(lane) = lane {
        trace::enter_at(lane, LaneState::Finished, now_ms());
    }
    EXITED.notify_all();
}

/// `Process.terminate()` / `kill()`: ends child `pid`, which exits with `code` (-15, -9).
pub fn kill(pid: Pid, code: i32) {
    let alive = with(|k| k.processes.get(&pid).is_some_and(|p| p.exit.is_none()));
    if !alive {
        return;
    }
    #[cfg(target_arch = "wasm32")]
    {
        with(|k| k.outbox.push((KernelRequest::Kill { pid, code }, None)));
        bridge::wake();
    }
    // Natively an OS thread cannot be ended from outside: it is reported ended, and it runs on until
    // the run's end stops it.
    #[cfg(not(target_arch = "wasm32"))]
    exited(pid, code);
}

/// The children still running (the runtime ends them when the run is over or stopped).
pub fn running() -> Vec<Pid> {
    with(|k| {
        k.processes
            .iter()
            .filter(|(_, p)| p.exit.is_none())
            .map(|(pid, _)| *pid)
            .collect()
    })
}

/// The exit code of `pid`, or `None` while it runs.
pub fn exit_code(pid: Pid) -> Option<i32> {
    with(|k| k.processes.get(&pid).and_then(|p| p.exit))
}

/// The lane and name of child `pid` (the runtime draws its threads next to it).
pub fn process_lane(pid: Pid) -> Option<(u32, String)> {
    with(|k| k.processes.get(&pid).map(|p| (p.lane, p.name.clone())))
}

/// Children started and not yet exited.
pub fn live_children() -> usize {
    with(|k| k.live_children())
}

/// `Process.join(timeout)`: blocks until `pid` exits; its code, or `None` after `timeout_ms`.
pub fn join(pid: Pid, timeout_ms: Option<f64>) -> Option<i32> {
    let deadline = timeout_ms.map(|t| now_ms() + t);
    playground::engine::gil::allow_threads(|| {
        trace::enter(LaneState::Joining);
        let mut guard = lock(&KERNEL);
        let code = loop {
            let code = guard
                .as_ref()
                .and_then(|k| k.processes.get(&pid))
                .map(|p| p.exit);
            match code {
                None => break Some(-1),
                Some(Some(code)) => break Some(code),
                Some(None) => {}
            }
            if cancel::is_cancelled() || deadline.is_some_and(|d| d <= now_ms()) {
                break None;
            }
            guard = cancel::wait_slice(&EXITED, &KERNEL, guard, deadline).0;
        };
        trace::enter(LaneState::Running);
        code
    })
}
