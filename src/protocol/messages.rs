//! The envelopes of every worker channel of the lessons' engine, one type per direction, tagged by `type`
//! as the JavaScript sends them (`{ type: 'run', job, request }`):
//!
//! - the page and the runtime worker: [`PageToRuntime`], [`RuntimeToPage`] (`www/playground.js` ↔
//!   `www/runtime/runtime-worker.js`);
//! - a worker and the page that creates its workers in Firefox: [`HostRequest`], [`HostEvent`]
//!   (`www/runtime/page-worker.js` ↔ `www/worker-host.js`; the Python runtime uses the same relay);
//! - the runtime and a thread worker: [`ThreadWorkerStart`], [`ThreadWorkerToRuntime`];
//! - the runtime and a process worker: [`ProcessWorkerStart`], and [`super::ChildMessage`] back.
//!
//! Most of these are built and read by JavaScript only; Rust defines them so that there is one definition
//! of each message: `cargo test` writes TypeScript declarations of them (ts-rs, the test at the end of this
//! file) into `www/types/generated/`, the JavaScript's JSDoc imports them, and `tsc --checkJs` (run by
//! `scripts/test.sh`) fails when the two drift apart. Values only JavaScript can hold (a compiled module, a
//! memory, a transferred buffer) are typed for TypeScript with `#[ts(type = …)]` over a placeholder.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::challenge::{CheckedRun, ShownChallenge, Summary};
use super::{
    Event, Lane, LessonInfo, OutputLine, PreparedRun, RunOutcome, RunRequest, SpawnCommand,
};
use crate::params::ParamSpec;

/// The job a request belongs to: the page numbers its requests, and every reply names the one it answers.
pub type Job = u32;

/// What the page asks of the runtime worker.
#[derive(Serialize, Deserialize, Clone, Debug, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PageToRuntime {
    /// Start the engine. `threads`: the page is cross-origin isolated; `pageCreatesWorkers`: Firefox, where
    /// the page creates the runtime's workers (`www/worker-host.js`).
    Boot {
        threads: bool,
        #[serde(rename = "pageCreatesWorkers", default)]
        page_creates_workers: bool,
    },
    /// Run a lesson; answered by `started`, `progress`…, then `finished` or `failed`.
    Run { job: Job, request: RunRequest },
    /// Validate parameters without running; answered by `validated`.
    Validate { job: Job, request: RunRequest },
    /// Live worker counts and memory; answered by `status`.
    Status { job: Job },
    /// Sum 0..n on the data-parallel pool; answered by `probe`.
    RayonProbe { job: Job, n: u32 },
    /// A teacher's challenge (JSON text) for the engine to read; answered by `challenge`.
    ParseChallenge { job: Job, text: String },
    /// The verdict over a check's runs (`[{ verdict, stopped }]`); answered by `summary`.
    SummarizeCheck { job: Job, verdicts: Vec<CheckedRun> },
    /// Stop the running lesson (the Stop button, the time limit). Not a job of its own.
    Stop {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        reason: String,
    },
    /// Terminate every thread and process worker: the page is about to replace this runtime.
    Shutdown {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
    },
}

/// What the runtime worker tells the page.
#[derive(Serialize, Clone, Debug, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuntimeToPage {
    /// The engine is up: what it offers.
    Ready {
        lessons: Vec<LessonInfo>,
        /// The parameters of learner code (the Python build, its switch interval).
        #[serde(rename = "codeParams")]
        code_params: Vec<ParamSpec>,
        /// The built-in fix-it challenges.
        challenges: Vec<ShownChallenge>,
        threads: bool,
        #[serde(rename = "rayonThreads")]
        rayon_threads: u32,
        cores: u32,
        /// How many events of a run stream live (`engine::trace::MAX_LIVE_EVENTS`); the rest come with the
        /// outcome. The page stops drawing the timeline live at this many.
        #[serde(rename = "maxLiveEvents")]
        max_live_events: u32,
        /// How many printed lines a run keeps (`engine::trace::MAX_OUTPUT`).
        #[serde(rename = "maxOutputLines")]
        max_output_lines: u32,
    },
    /// A run's parameters as validated, with the notices of what was changed.
    Started {
        job: Job,
        prepared: PreparedRun,
    },
    /// What a running lesson did since the last update.
    Progress {
        job: Job,
        lanes: Vec<Lane>,
        events: Vec<Event>,
        output: Vec<OutputLine>,
    },
    /// The run's outcome. `restart`: threads of the run would not stop, so the page replaces the engine.
    Finished {
        job: Job,
        /// With its attachments, whose buffers are transferred rather than copied.
        outcome: RunOutcome,
        restart: bool,
    },
    Validated {
        job: Job,
        prepared: PreparedRun,
    },
    Status {
        job: Job,
        status: RuntimeStatus,
    },
    /// The rayon probe's sum and the pool threads that took part.
    Probe {
        job: Job,
        result: RayonProbe,
    },
    /// A teacher's challenge as the engine read it.
    Challenge {
        job: Job,
        result: ShownChallenge,
    },
    /// The verdict over a check's runs (`{ pass, passed, runs, text }`).
    Summary {
        job: Job,
        result: Summary,
    },
    /// A stop was received; `running`: whether a run was going on to stop.
    Stopping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        running: bool,
    },
    /// A request failed (an unknown lesson, threads unavailable…): the job's promise rejects with `error`.
    Failed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        error: String,
    },
    /// The instance trapped (its locks may be held): the page ends the run and starts a fresh engine.
    Fatal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
        error: String,
    },
    /// Every worker of this runtime is terminated: the page may terminate it now.
    Shutdown {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        job: Option<Job>,
    },
}

/// What the rayon probe found: the sum of `0..n`, and how many of the data-parallel pool's threads took
/// part (`rayon_probe()` in `src/web/threads.rs`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct RayonProbe {
    #[ts(type = "number")]
    pub sum: u64,
    pub threads_used: usize,
    pub pool_size: usize,
}

/// The pool's live counts (`pool_status()` in `src/web/runtime.rs`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct PoolStatus {
    /// Thread workers that joined the pool.
    pub workers: usize,
    /// Of those, running a job now.
    pub busy: usize,
    /// Jobs started and not yet finished.
    pub outstanding: usize,
    /// The wasm memory's size.
    pub memory_bytes: f64,
}

/// The runtime's answer to `status`: the pool's counts and the runtime worker's own.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct RuntimeStatus {
    #[serde(flatten)]
    pub pool: PoolStatus,
    pub thread_workers: usize,
    /// Process workers alive.
    pub processes: usize,
    pub rayon_threads: usize,
    /// Thread workers lost to a panic and started again.
    pub replaced_workers: usize,
}

/// Firefox: a worker asks the page to create and drive a worker for it (`www/runtime/page-worker.js`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostRequest {
    WorkerCreate {
        wid: u32,
        url: String,
        options: HostWorkerOptions,
    },
    /// Post `message` to the worker, transferring the buffers in `transfer`.
    WorkerPost {
        wid: u32,
        #[ts(type = "any")]
        message: Value,
        #[ts(type = "Transferable[]")]
        transfer: Value,
    },
    WorkerTerminate {
        wid: u32,
    },
}

/// The options of `new Worker()` the relay passes on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct HostWorkerOptions {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "WorkerType")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
}

/// Firefox: what the page relays back from a worker it created for a worker.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostEvent {
    /// A message the real worker posted.
    WorkerMessage {
        wid: u32,
        #[ts(type = "any")]
        data: Value,
    },
    /// The real worker failed to load, or threw.
    WorkerError { wid: u32, message: String },
}

/// The one message a thread worker receives (`www/runtime/thread-worker.js`): join the runtime's memory.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct ThreadWorkerStart {
    #[ts(type = "WebAssembly.Module")]
    pub module: Value,
    #[ts(type = "WebAssembly.Memory")]
    pub memory: Value,
    /// The worker's slot; its thread-local storage is set up for it.
    pub index: u32,
}

/// What a thread worker tells the runtime.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ThreadWorkerToRuntime {
    /// About to enter the pool's loop (it never returns to its event loop after this).
    Ready { index: u32 },
    /// A job panicked and trapped the instance: the runtime terminates the worker and starts another.
    Died { index: u32, error: String },
}

/// The one message a process worker receives (`www/runtime/process-worker.js`); it answers with
/// [`super::ChildMessage`]s.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct ProcessWorkerStart {
    #[ts(type = "WebAssembly.Module")]
    pub module: Value,
    pub spawn: SpawnCommand,
    /// The binary part of the start message, transferred, if the parent sent one.
    #[serde(default)] // undefined in JavaScript: absent
    #[ts(type = "Uint8Array | undefined")]
    pub input: Value,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::ChildMessage;
    use super::*;
    use serde_json::json;

    /// Writes the TypeScript declarations (run by every native `cargo test`): one file per type into
    /// `www/types/generated/` (gitignored), which `tsconfig.json` and the JSDoc in `www/` read.
    #[test]
    fn exports_typescript_declarations() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/www/types/generated");
        // Integers cross as JSON numbers (serde-wasm-bindgen's json_compatible), not BigInts.
        let cfg = ts_rs::Config::new()
            .with_out_dir(dir)
            .with_large_int("number");
        PageToRuntime::export_all(&cfg).unwrap();
        RuntimeToPage::export_all(&cfg).unwrap();
        HostRequest::export_all(&cfg).unwrap();
        HostEvent::export_all(&cfg).unwrap();
        ThreadWorkerStart::export_all(&cfg).unwrap();
        ThreadWorkerToRuntime::export_all(&cfg).unwrap();
        ProcessWorkerStart::export_all(&cfg).unwrap();
        ChildMessage::export_all(&cfg).unwrap();
        // What the runtime worker reads from the wasm bindings (their own declarations say `any`).
        PoolStatus::export_all(&cfg).unwrap();
        super::super::RunProgress::export_all(&cfg).unwrap();
        crate::engine::bridge::Request::export_all(&cfg).unwrap();
        // What a run's `values.answer` holds (the lesson's question, judged from the run).
        super::super::question::Answer::export_all(&cfg).unwrap();
    }

    /// The messages as `www/playground.js` posts them decode into the enum (the wire format is the JS's).
    #[test]
    fn page_requests_decode_as_the_page_sends_them() {
        let boot: PageToRuntime = serde_json::from_value(
            json!({ "type": "boot", "threads": true, "pageCreatesWorkers": false }),
        )
        .unwrap();
        assert!(matches!(
            boot,
            PageToRuntime::Boot {
                threads: true,
                page_creates_workers: false
            }
        ));
        let run: PageToRuntime = serde_json::from_value(json!({
            "type": "run", "job": 3, "request": { "lesson": "counter", "params": { "threads": 4 } }
        }))
        .unwrap();
        assert!(matches!(run, PageToRuntime::Run { job: 3, .. }));
        let stop: PageToRuntime =
            serde_json::from_value(json!({ "type": "stop", "reason": "Stopped." })).unwrap();
        assert!(matches!(stop, PageToRuntime::Stop { job: None, .. }));
        for raw in [
            json!({ "type": "status", "job": 1 }),
            json!({ "type": "rayon_probe", "job": 1, "n": 1024 }),
            json!({ "type": "parse_challenge", "job": 1, "text": "{}" }),
            json!({ "type": "summarize_check", "job": 1, "verdicts": [] }),
            json!({ "type": "shutdown" }),
        ] {
            serde_json::from_value::<PageToRuntime>(raw.clone())
                .unwrap_or_else(|e| panic!("{raw}: {e}"));
        }
    }

    /// A status reply is flat, as the page reads it (`status.workers`, `status.thread_workers`).
    #[test]
    fn status_is_one_flat_object() {
        let status = RuntimeToPage::Status {
            job: 2,
            status: RuntimeStatus {
                pool: PoolStatus {
                    workers: 4,
                    busy: 1,
                    outstanding: 1,
                    memory_bytes: 65536.0,
                },
                thread_workers: 4,
                processes: 0,
                rayon_threads: 2,
                replaced_workers: 0,
            },
        };
        let value = serde_json::to_value(&status).unwrap();
        assert_eq!(value["type"], "status");
        assert_eq!(value["status"]["workers"], 4);
        assert_eq!(value["status"]["thread_workers"], 4);
    }
}
