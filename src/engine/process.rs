//! Processes: programs with their own memory that share nothing and only exchange messages.
//!
//! In the browser each child is a Web Worker with its own instance of the compiled module and its own
//! memory; a global variable in one is a different variable in every other. A parent program is written
//! as reactions to what its children do (started, sent a message, exited) because the parent lives on the
//! runtime's event loop, where messages arrive; while it waits for them, it is idle, not polling.

use serde_json::Value;

pub type Pid = u32;

/// What a parent program can ask of the operating system.
pub trait Kernel {
    /// Starts a child running the lesson's `entry` program with `args`; like `Process(...).start()`.
    fn spawn(&mut self, name: &str, entry: &str, args: Value) -> Pid;
    /// The timeline lane of the parent program itself.
    fn parent_lane(&self) -> u32;
}

/// One message a child sent to its parent, as the parent receives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub from: Pid,
    /// The message exactly as it crossed between the two memories (serialized text).
    pub payload: String,
    /// When the child sent it and when the parent got it, on the one clock.
    pub sent_at: f64,
    pub received_at: f64,
}

impl Delivery {
    /// Bytes copied from the child's memory to the parent's.
    pub fn bytes(&self) -> usize {
        self.payload.len()
    }
}

/// A parent process's program, driven by what its children do.
pub trait ParentProgram: Send {
    fn start(&mut self, kernel: &mut dyn Kernel);
    fn on_message(&mut self, delivery: Delivery, kernel: &mut dyn Kernel);
    fn on_exit(&mut self, pid: Pid, code: i32, at: f64, kernel: &mut dyn Kernel);
    fn is_done(&self) -> bool;
    /// The lesson's values once [`is_done`](Self::is_done).
    fn finish(self: Box<Self>) -> Result<Value, String>;
}

/// What a child program can do besides computing: name itself and send messages to its parent.
pub struct ChildContext<'a> {
    pub pid: Pid,
    pub name: String,
    pub send: &'a mut dyn FnMut(String),
}

impl ChildContext<'_> {
    /// Sends a message to the parent: `queue.put(...)`. The text is copied out of this process's memory.
    pub fn send(&mut self, payload: String) {
        (self.send)(payload)
    }
}

/// Sends bytes to the parent; returns how long copying them out of this memory took (ms).
pub type SendBytes = Box<dyn FnMut(&[u8]) -> f64>;

/// A child's binary channel: the bytes of its start message, and a way to send bytes to its parent.
/// Kept beside [`ChildContext`] (per child thread) so existing child programs need not change.
pub struct ChildIo {
    /// What the parent put in the start message, already copied into this process's memory.
    pub input: Vec<u8>,
    /// How long copying the input into this memory took.
    pub input_copy_ms: f64,
    /// Sends bytes to the parent; returns how long copying them out of this memory took (ms).
    pub send_bytes: SendBytes,
}

thread_local! {
    static CHILD_IO: std::cell::RefCell<Option<ChildIo>> = const { std::cell::RefCell::new(None) };
}

/// Runs `body` (a child program) with `io` as its binary channel.
pub fn with_child_io<R>(io: ChildIo, body: impl FnOnce() -> R) -> R {
    CHILD_IO.with(|c| *c.borrow_mut() = Some(io));
    let value = body();
    CHILD_IO.with(|c| *c.borrow_mut() = None);
    value
}

impl ChildContext<'_> {
    /// The bytes of this child's start message (empty when there were none, or after the first call),
    /// and how long copying them into this memory took.
    pub fn take_input(&mut self) -> (Vec<u8>, f64) {
        CHILD_IO.with(|c| {
            c.borrow_mut().as_mut().map_or((Vec::new(), 0.0), |io| {
                (std::mem::take(&mut io.input), io.input_copy_ms)
            })
        })
    }

    /// Sends `bytes` to the parent as one binary message. Returns how long copying them out of this
    /// process's memory took (ms), or `None` when this child has no binary channel.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Option<f64> {
        CHILD_IO.with(|c| c.borrow_mut().as_mut().map(|io| (io.send_bytes)(bytes)))
    }
}
