//! The Python runtime worker's messages (`www/python/python-worker.js`), one type per direction, tagged
//! by `type` as the JavaScript sends them. The worker has two roles, so each direction has two senders:
//!
//! - as the program's runtime, it hears from the page (`www/python/python-runtime.js`): `boot`, `run`,
//!   `stop`, `shutdown`, and tells it `load`, `ready`, `started`, `progress`, `finished`…;
//! - as a child process (`boot_child`), it hears from its parent's runtime (`www/python/python-processes.js`):
//!   `mp_reply`, `shutdown`, and tells it `mp_call`, `child_progress`, `child_exit` (or `fatal`).
//!
//! The kernel's calls and replies inside them are [`crate::mp::protocol`]'s. Its thread workers
//! (`python-thread-worker.js`) take [`PythonThreadWorkerStart`] and answer as the engine's do
//! ([`playground::protocol::messages::ThreadWorkerToRuntime`]). As in the engine crate
//! (`playground::protocol::messages`), `cargo test` writes TypeScript declarations of all of these into
//! `www/types/generated/`, which `tsc --checkJs` checks the JavaScript against. Pickles and other bytes
//! travel beside the typed part, as transferred `Uint8Array`s, never inside the JSON.

use playground::protocol::{Event, Lane, Message, OutputLine};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::mp::protocol::{Call, ChildStart, Reply};
use crate::run::PythonOutcome;

/// The page's (or, for a child, its parent's) request number; replies carry it back.
pub type Job = u32;

fn yes() -> bool {
    true
}

/// What a Python runtime worker receives.
#[derive(Serialize, Deserialize, Clone, Debug, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToPythonWorker {
    /// From the page: download and start the runtime (`load` messages while it downloads, then `ready`).
    Boot {
        job: Job,
        #[serde(rename = "pageCreatesWorkers", default)]
        page_creates_workers: bool,
        /// Whether the page may share memory with workers (it is cross-origin isolated); without that
        /// the runtime runs in solo mode (`crate::solo`): programs on this worker, no threads.
        #[serde(default = "yes")]
        threads: bool,
    },
    /// From the page: run a program (with the GIL or free-threaded), judged by a challenge's `check`.
    Run {
        job: Job,
        source: String,
        gil: bool,
        #[serde(rename = "switchIntervalMs")]
        switch_interval_ms: f64,
        /// A challenge's check, or null.
        check: Option<playground::challenges::Check>,
    },
    /// From the page: stop the running program (the Stop button, the time limit).
    Stop {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        reason: String,
    },
    /// End this worker's thread workers and children: it is about to be terminated.
    Shutdown { job: Job },
    /// From a parent runtime: be child process `start`, whose pickled `Process` is `payload`.
    BootChild {
        #[ts(type = "WebAssembly.Module")]
        module: Value,
        start: ChildStart,
        #[ts(type = "Uint8Array")]
        payload: Value,
        /// The memory under `Value` and `Array`, shared by every process of the program; null in solo mode
        /// (a page that is not cross-origin isolated), where the child runs its program on its runtime
        /// worker itself (`crate::solo`) and reaches the segment by message.
        #[ts(type = "SharedArrayBuffer | null")]
        segment: Value,
        #[serde(rename = "pageCreatesWorkers", default)]
        page_creates_workers: bool,
    },
    /// From a parent runtime: the kernel's answer to this child's call `req`, an item's bytes beside it.
    MpReply {
        req: u32,
        reply: Reply,
        #[serde(default)] // undefined in JavaScript: absent
        #[ts(type = "Uint8Array | undefined")]
        data: Value,
    },
}

/// What a Python runtime worker posts.
#[derive(Serialize, Clone, Debug, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromPythonWorker {
    /// To the page: the download's progress.
    Load { job: Job, loaded: f64, total: f64 },
    /// To the page: the runtime is up, with the first interpreter prepared.
    Ready {
        job: Job,
        limits: PythonLimits,
        /// The artifact's size, and what downloading and compiling it took, and getting ready.
        bytes: f64,
        load_ms: f64,
        ready_ms: f64,
        /// Whether it runs in solo mode (`crate::solo`): programs on the runtime worker, no threads.
        solo: bool,
        /// Whether programs may start processes (in solo mode only where the browser can suspend a
        /// program: JSPI).
        processes: bool,
    },
    /// To the page: the program was handed to its main thread.
    Started { job: Job, at: f64 },
    /// To the page: what the program did since the last update.
    Progress {
        job: Job,
        lanes: Vec<Lane>,
        events: Vec<Event>,
        output: Vec<OutputLine>,
        messages: Vec<Message>,
    },
    /// To the page: the program's outcome; `restart`: threads of it would not stop.
    Finished {
        job: Job,
        outcome: PythonOutcome,
        restart: bool,
    },
    Stopping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        running: bool,
    },
    Shutdown {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
    },
    /// A request failed (malformed, or a program is already running).
    Failed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        error: String,
    },
    /// The instance trapped: the page restarts the runtime (a parent: the child crashed, exit code 1).
    Fatal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        error: String,
    },
    /// To the parent: a kernel call of this child's, its bytes beside it.
    MpCall {
        req: u32,
        lane: u32,
        call: Call,
        #[serde(default)] // undefined in JavaScript: absent
        #[ts(type = "Uint8Array | undefined")]
        data: Value,
    },
    /// To the parent: this child's new lanes, events and output.
    ChildProgress { progress: ChildProgress },
    /// To the parent: this child's program ended with `code`.
    ChildExit { code: i32 },
}

/// This build's limits (`python_limits()`), for the page and the benchmark.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct PythonLimits {
    pub max_threads: usize,
    pub recursion_limit: usize,
    pub max_source_bytes: usize,
    pub max_output_lines: usize,
    pub thread_stack_bytes: usize,
    /// The imports every prepared interpreter has run (one line of Python).
    pub preloaded: String,
    pub shared_segment_bytes: usize,
    /// Events, and messages between processes, a run streams live (the engine's trace limit).
    pub max_live_events: usize,
}

/// What the runtime worker polls from a running program (`python_poll()`).
#[derive(Serialize, Clone, Debug, TS)]
pub struct PythonProgress {
    pub lanes: Vec<Lane>,
    pub events: Vec<Event>,
    pub output: Vec<OutputLine>,
    pub messages: Vec<Message>,
    pub outcome: Option<PythonOutcome>,
    /// Set when the main thread trapped: the instance must be replaced.
    pub trapped: Option<String>,
}

/// What a child polls from its program (`python_child_poll()`) and streams to its parent, which draws it
/// (`mp_child_progress()`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, TS)]
pub struct ChildProgress {
    pub lanes: Vec<Lane>,
    pub events: Vec<Event>,
    pub output: Vec<OutputLine>,
    /// The exit code, once the program has ended.
    pub exit_code: Option<i32>,
    /// Set when the child's main thread trapped.
    pub trapped: Option<String>,
}

/// A child's kernel call as `mp_child_take_calls()` hands it over (its bytes beside it).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct ChildCall {
    pub req: u32,
    pub lane: u32,
    pub call: Call,
}

/// The one message a Python thread worker receives: join the runtime's memory and the shared segment,
/// with a stack big enough for RustPython's guard.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct PythonThreadWorkerStart {
    #[ts(type = "WebAssembly.Module")]
    pub module: Value,
    #[ts(type = "WebAssembly.Memory")]
    pub memory: Value,
    #[ts(type = "SharedArrayBuffer")]
    pub segment: Value,
    pub index: u32,
    #[serde(rename = "stackBytes")]
    pub stack_bytes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mp::protocol::KernelRequest;
    use serde_json::json;

    /// Writes the TypeScript declarations beside the engine's (see `playground::protocol::messages`).
    #[test]
    fn exports_typescript_declarations() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/types/generated");
        let cfg = ts_rs::Config::new()
            .with_out_dir(dir)
            .with_large_int("number");
        ToPythonWorker::export_all(&cfg).unwrap();
        FromPythonWorker::export_all(&cfg).unwrap();
        PythonProgress::export_all(&cfg).unwrap();
        ChildCall::export_all(&cfg).unwrap();
        PythonThreadWorkerStart::export_all(&cfg).unwrap();
        KernelRequest::export_all(&cfg).unwrap();
    }

    /// The requests as `python-runtime.js` and `python-processes.js` post them decode into the enum.
    #[test]
    fn requests_decode_as_the_javascript_sends_them() {
        for raw in [
            json!({ "type": "boot", "job": 0, "pageCreatesWorkers": false }),
            json!({ "type": "boot", "job": 0, "threads": false }),
            json!({ "type": "run", "job": 1, "source": "print(1)", "gil": true, "switchIntervalMs": 5, "check": null }),
            json!({ "type": "stop", "reason": "Stopped." }),
            json!({ "type": "shutdown", "job": 0 }),
            json!({ "type": "mp_reply", "req": 3, "reply": { "kind": "done" } }),
        ] {
            serde_json::from_value::<ToPythonWorker>(raw.clone())
                .unwrap_or_else(|e| panic!("{raw}: {e}"));
        }
    }

    /// A child's progress crosses to its parent and back into the same value.
    #[test]
    fn child_progress_round_trips() {
        let progress = ChildProgress {
            exit_code: Some(0),
            ..ChildProgress::default()
        };
        let text = serde_json::to_string(&progress).unwrap();
        assert_eq!(
            serde_json::from_str::<ChildProgress>(&text).unwrap(),
            progress
        );
    }
}
