//! The typed values that cross boundaries: lesson descriptions for the UI, run requests and outcomes,
//! the events behind the timeline, and the messages between a parent process and its children.
//!
//! Everything here is serialized in exactly one place: serde-wasm-bindgen in `web/`. The JavaScript side
//! (`www/runtime/`) only wraps these values in an envelope `{ type, job, ... }` and forwards them; the
//! envelopes, one enum per worker channel, are in [`messages`]. Every type here also derives ts-rs's `TS`,
//! so the TypeScript declarations `tsc --checkJs` checks the JavaScript against come from these
//! definitions (written by `cargo test` into `www/types/generated/`, see [`messages`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::params::{ParamSpec, Params};

pub mod challenge;
pub mod messages;
pub mod question;
pub mod report;

/// What kind of concurrency a lesson needs, and so whether it can run without cross-origin isolation.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// Threads on one shared memory: needs SharedArrayBuffer, so a cross-origin isolated page.
    Threads,
    /// Isolated processes that exchange messages: run everywhere.
    Processes,
}

/// An exception that ended a thread (or a process) of the run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct ThreadException {
    /// The thread's name, as Python would print it ("Thread-2 (worker)").
    pub thread: String,
    pub message: String,
    pub at: f64,
}

/// A lesson as the UI lists it.
#[derive(Serialize, Clone, Debug, TS)]
pub struct LessonInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub group: &'static str,
    pub curriculum_row: u32,
    pub engine: EngineKind,
    /// One paragraph: what to look at and why.
    pub summary: &'static str,
    /// The Python program this lesson runs, with `{param}` placeholders filled in by the UI.
    pub python: &'static str,
    pub params: Vec<ParamSpec>,
    /// The predict-then-run question asked before a run; its answer comes with the outcome, under
    /// `values.answer` (see [`crate::lessons::question`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<question::Question>,
}

/// A request to run a lesson. `params` is whatever the caller sent; it is validated before anything runs.
#[derive(Deserialize, Serialize, Clone, Debug, TS)]
pub struct RunRequest {
    pub lesson: String,
    #[serde(default)]
    #[ts(type = "any")]
    pub params: Value,
}

/// A validated request: the parameters actually used and what was changed on the way.
#[derive(Serialize, Deserialize, Clone, Debug, TS)]
pub struct PreparedRun {
    pub lesson: String,
    pub engine: EngineKind,
    pub params: Params,
    /// One message per parameter that was missing, malformed or out of range, saying what was used instead.
    pub notices: Vec<String>,
    /// Thread workers the run needs at once (the main thread included), so the runtime can start them
    /// before the run blocks on them.
    pub threads_needed: usize,
}

/// Whether a lane is the program's main thread, a thread, or a process.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    Main,
    Thread,
    Process,
}

/// One row of the timeline: a thread or a process.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct Lane {
    pub id: u32,
    pub name: String,
    pub kind: LaneKind,
    /// Which part of the lesson this lane belongs to ("unlocked, run 2"), so the timeline can show one at a time.
    pub group: String,
    /// Index of the Web Worker (or OS thread) that ran it, when known: shows that workers are reused.
    pub worker: Option<u32>,
}

/// What a lane is doing from an event's time until its next event.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
pub enum LaneState {
    Starting,
    Running,
    WaitingLock,
    /// Ready to run Python code but waiting for the (emulated) global interpreter lock.
    WaitingGil,
    Sleeping,
    Joining,
    WaitingMessage,
    /// Blocked on an Event, a Condition, a Semaphore or a queue.
    Waiting,
    /// Running while holding a limited resource (a Semaphore slot), so the timeline shows how many hold it.
    Holding,
    /// Blocked on real I/O (a request to the server).
    Io,
    Finished,
}

/// A state change of one lane at time `t` (milliseconds on [`crate::clock::now_ms`]'s clock).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, TS)]
pub struct Event {
    pub t: f64,
    pub lane: u32,
    pub state: LaneState,
}

/// An item one lane sent and another received (a pickle through a learner `Queue` or `Pipe`), for the
/// timeline's arrows: what crossed between processes, how big it was and how long it was on the way.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct Message {
    pub from: u32,
    pub to: u32,
    pub sent_at: f64,
    pub received_at: f64,
    /// The size of what crossed (a pickle), in bytes.
    pub bytes: u64,
    /// What carried it: "Queue", "Pipe", "Pool tasks"...
    pub via: String,
}

/// Which of a program's output streams a line went to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    #[default]
    Stdout,
    Stderr,
}

/// A line a thread or process printed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct OutputLine {
    pub t: f64,
    pub lane: u32,
    pub text: String,
    #[serde(default)]
    pub stream: Stream,
}

/// The result of one run: the lesson's own values, and everything needed to draw its timeline.
#[derive(Serialize, Deserialize, Clone, Debug, TS)]
pub struct RunOutcome {
    pub lesson: String,
    pub params: Params,
    pub notices: Vec<String>,
    /// `None` when the run completed; otherwise why it did not.
    pub error: Option<String>,
    /// The lesson's measurements (see each lesson's result type), `null` when the run failed or was
    /// stopped. The page reads only the report and the question's answer ([`LessonValues`]).
    #[ts(as = "Option<LessonValues>")]
    pub values: Value,
    pub lanes: Vec<Lane>,
    pub events: Vec<Event>,
    pub output: Vec<OutputLine>,
    /// State changes too short or too many to draw (counted so nothing is silently lost).
    pub dropped_events: u64,
    pub started_at: f64,
    pub finished_at: f64,
    /// Exceptions (panics) that ended threads or processes of the run, as `threading.excepthook` reports
    /// them; the other threads carried on.
    #[serde(default)]
    pub exceptions: Vec<ThreadException>,
    /// Why the run was stopped before it finished (the Stop button, the time limit), if it was. Its values
    /// are then dropped: they were computed from waits the stop cut short.
    #[serde(default)]
    pub stopped: Option<String>,
    /// What the run leaves for the page besides its values: binary data the page draws by kind (the
    /// frames lab's clips). Dropped, like the values, from a stopped run.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// What the page reads of a lesson's values: the report it draws and the answer to its question. The
/// values hold more (the lesson's raw measurements, which the tests and the embed API read); TypeScript
/// sees these two, so a renamed one fails `tsc`. (Only its TypeScript declaration is used.)
#[derive(TS)]
pub struct LessonValues {
    #[ts(optional)]
    pub report: Option<report::Report>,
    #[ts(optional)]
    pub answer: Option<question::Answer>,
}

/// Binary data an outcome carries for the page, tagged by `kind`. Its buffers reach the runtime worker as
/// `Uint8Array`s (serde-wasm-bindgen turns bytes into one each), which it transfers to the page rather
/// than copying them again: every `Uint8Array` field of an attachment is transferred.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attachment {
    /// The frames lab's clips to play side by side: the generated frames and one mode's processed frames,
    /// `frames` RGBA images of `width` × `height` each.
    FramePlayback {
        width: u32,
        height: u32,
        frames: u32,
        /// Which mode processed them, as the report names it.
        label: String,
        // A fresh copy out of the shared memory: an ArrayBuffer, never a SharedArrayBuffer.
        #[ts(type = "Uint8Array<ArrayBuffer>")]
        original: serde_bytes::ByteBuf,
        #[ts(type = "Uint8Array<ArrayBuffer>")]
        processed: serde_bytes::ByteBuf,
    },
}

/// New output since the last poll of a running lesson, and the outcome once it is finished.
#[derive(Serialize, Deserialize, Clone, Debug, Default, TS)]
pub struct RunProgress {
    pub lanes: Vec<Lane>,
    /// New state changes (only the first [`crate::engine::trace::MAX_LIVE_EVENTS`] of a run stream live).
    pub events: Vec<Event>,
    pub output: Vec<OutputLine>,
    pub outcome: Option<RunOutcome>,
}

/// A trace record a child process sends to its parent, which keeps the one log of the run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceRecord {
    Event(Event),
    Output(OutputLine),
}

/// What the runtime must do for a parent process: start a child in a new, isolated worker.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct SpawnCommand {
    pub pid: u32,
    pub lane: u32,
    pub name: String,
    pub lesson: String,
    /// Which of the lesson's child programs to run.
    pub entry: String,
    /// The child program's own arguments: only Rust reads them.
    #[ts(type = "unknown")]
    pub args: Value,
}

/// What a child process posts to the runtime (its parent's event loop): the process worker's channel back.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChildMessage {
    /// `queue.put(payload)`: text copied out of the child's memory.
    Message { payload: String, sent_at: f64 },
    /// A trace record for the parent's log.
    Trace { record: TraceRecord },
    /// The child's program returned (or trapped, code 1). Posted by `www/runtime/process-worker.js`.
    Exit { code: i32, at: f64 },
    /// Binary data (`send_bytes`): posted by `post_bytes_to_parent` (`src/web/bindings.rs`) itself, so
    /// that the buffer is transferred rather than serialized; typed here for the runtime that reads it.
    Bytes {
        #[ts(type = "Uint8Array")]
        bytes: Vec<u8>,
        sent_at: f64,
    },
}
