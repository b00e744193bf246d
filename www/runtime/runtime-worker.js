// The runtime worker: the Python program's process. It owns the wasm instance, its shared memory, the
// thread workers and the rayon pool, and starts process workers. The UI thread never blocks; this worker
// never blocks either: a thread lesson's main thread runs on a thread worker, and this worker polls the
// shared log to stream output. Messages in and out are Rust enums (src/protocol/messages.rs), whose
// TypeScript declarations `tsc --checkJs` checks this file against (see ../protocol.js).
import init, * as wasm from '../../pkg/playground.js';
import { THREADS_UNAVAILABLE } from '../protocol.js';
import { PageWorker } from './page-worker.js';
import { compileWasm, isTrap, nextTick, serveRequests, settle, ThreadWorkers } from './worker-kit.js';

/** @typedef {import('../types/generated/PageToRuntime').PageToRuntime} PageToRuntime */
/** @typedef {import('../types/generated/RuntimeToPage').RuntimeToPage} RuntimeToPage */
/** @typedef {import('../types/generated/HostEvent').HostEvent} HostEvent */
/** @typedef {import('../types/generated/ThreadWorkerStart').ThreadWorkerStart} ThreadWorkerStart */
/** @typedef {import('../types/generated/ThreadWorkerToRuntime').ThreadWorkerToRuntime} ThreadWorkerToRuntime */
/** @typedef {import('../types/generated/ProcessWorkerStart').ProcessWorkerStart} ProcessWorkerStart */
/** @typedef {import('../types/generated/ChildMessage').ChildMessage} ChildMessage */
// What the bindings return (their generated declarations say `any`): typed here from the same Rust types.
/** @typedef {import('../types/generated/PoolStatus').PoolStatus} PoolStatus */
/** @typedef {import('../types/generated/RunProgress').RunProgress} RunProgress */
/** @typedef {import('../types/generated/PreparedRun').PreparedRun} PreparedRun */
/** @typedef {import('../types/generated/BridgeRequest').BridgeRequest} BridgeRequest */
/** @type {() => PoolStatus} */
const poolStatus = () => wasm.pool_status();
/** The page's request of type T. @template {PageToRuntime['type']} T @typedef {Extract<PageToRuntime, { type: T }>} Request */

const WASM_URL = new URL('../../pkg/playground_bg.wasm', import.meta.url);
const POLL_MS = 40; // at most this long between output updates while a lesson runs
// After a run's outcome, threads still running (never joined, or stuck) get this long to notice the stop
// flag; after that the page restarts the engine, so no stuck worker is carried into the next run.
const SETTLE_MS = 300;
// A process stopped by the Stop button or the time limit exits as Python's p.terminate() makes it: -15.
const TERMINATED = -15;

let compiled; // the WebAssembly.Module, compiled once; thread and process workers instantiate it
let threadsEnabled = false;
/** @type {ThreadWorkers} kept and reused between runs */
let threadWorkers;
const children = new Map(); // pid -> process Worker
let running = false;
let pendingStop = null; // a stop that arrived while the run was still starting
let replacedWorkers = 0; // thread workers lost to a panic and started again
let rayonThreadCount = 0;

/** @param {RuntimeToPage} message @param {Transferable[]} [transfer] */
const post = (message, transfer = []) => self.postMessage(message, transfer);
// Firefox: the page creates this worker's workers (see ../worker-host.js); elsewhere this worker does.
/** @type {typeof Worker} */
let WorkerClass = Worker;

/** @param {Request<'boot'>} request */
async function boot({ threads, pageCreatesWorkers = false }) {
  if (pageCreatesWorkers) {
    WorkerClass = /** @type {typeof Worker} */ (/** @type {unknown} */ (PageWorker));
    // wasm-bindgen-rayon's pool starts its workers with this (patched in by scripts/build.sh).
    /** @type {any} */ (self).PlaygroundWorker = PageWorker;
  }
  compiled = (await compileWasm(WASM_URL)).module;
  await init({ module_or_path: compiled });
  threadWorkers = new ThreadWorkers({
    url: new URL('./thread-worker.js', import.meta.url), name: 'thread-worker', WorkerClass,
    /** @returns {ThreadWorkerStart} */
    startMessage: (index) => ({ module: compiled, memory: wasm.runtime_memory(), index }),
    poolWorkers: () => poolStatus().workers,
    // A job that panicked trapped its worker's instance: replace the worker at once.
    onDied: (index) => {
      threadWorkers.workers[index].terminate();
      replacedWorkers += 1;
      threadWorkers.start(index).catch((error) => post({ type: 'fatal', error: error.message }));
    },
  });
  threadsEnabled = threads;
  let rayonThreads = 0;
  if (threads) {
    rayonThreads = Math.max(1, navigator.hardwareConcurrency || 1);
    await wasm.initThreadPool(rayonThreads);
  }
  rayonThreadCount = rayonThreads;
  post({ type: 'ready', lessons: wasm.lesson_catalogue(), codeParams: wasm.code_params(), challenges: wasm.challenge_catalogue(),
    threads, rayonThreads, cores: navigator.hardwareConcurrency || 1, ...wasm.trace_limits() });
}

function startChildren(spawns) {
  for (const spawn of spawns) {
    const worker = new WorkerClass(new URL('./process-worker.js', import.meta.url), { type: 'module', name: spawn.name });
    children.set(spawn.pid, worker);
    const exited = (code, at) => {
      if (!children.delete(spawn.pid)) return;
      worker.terminate();
      startChildren(wasm.process_exit(spawn.pid, code, at));
    };
    worker.onmessage = (/** @type {MessageEvent<ChildMessage>} */ { data }) => fatalOnTrap(() => {
      if (data.type === 'trace') wasm.process_trace(data.record);
      else if (data.type === 'message') startChildren(wasm.process_message(spawn.pid, data.payload, data.sent_at));
      else if (data.type === 'bytes') wasm.process_bytes(spawn.pid, data.bytes, data.sent_at);
      else if (data.type === 'exit') exited(data.code, data.at);
    });
    worker.onerror = (e) => {
      e.preventDefault();
      exited(1, now());
    };
    // Bytes for the child's start message (copied out of the shared memory), transferred without a copy.
    const input = wasm.bridge_take_input(spawn.pid);
    /** @type {ProcessWorkerStart} */
    const start = { module: compiled, spawn, input };
    worker.postMessage(start, input ? [input.buffer] : []);
  }
}

const now = () => performance.timeOrigin + performance.now();

/** A trap in this instance (a panic in a process lesson's parent program, say) may leave its locks held:
 *  the page must start a fresh engine. Other errors are the caller's to report. */
function fatalOnTrap(f) {
  try {
    f();
  } catch (error) {
    if (!isTrap(error)) throw error;
    post({ type: 'fatal', error: String(error?.message ?? error) });
  }
}

/** Terminates every process worker, reporting each as terminated (so a thread waiting for it wakes). */
function stopChildren() {
  for (const [pid, worker] of children) {
    worker.terminate();
    children.delete(pid);
    fatalOnTrap(() => wasm.process_exit(pid, TERMINATED, now()));
  }
}

/** Many requests at once from this worker's one event loop, the asyncio way; the thread that asked
 *  waits for all of them. */
async function eventLoopFetch(id, paths) {
  const results = await Promise.all(paths.map(async (path, i) => {
    const started_at = now();
    try {
      const url = new URL(`../../${path}`, self.location.href);
      url.searchParams.set('n', `${Date.now()}-${id}-${i}`);
      const response = await fetch(url, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = (await response.arrayBuffer()).byteLength;
      return { path, bytes, started_at, finished_at: now(), error: null };
    } catch (error) {
      return { path, bytes: 0, started_at, finished_at: now(), error: `cannot fetch ${path}: ${error.message}` };
    }
  }));
  wasm.bridge_fetched(id, results);
}

/** What a thread lesson asked of this event loop: children to start, requests to run. */
function serveBridge() {
  /** @type {BridgeRequest[]} */
  const requests = wasm.take_bridge_requests();
  for (const request of requests) {
    if (request.kind === 'spawn') startChildren([request]);
    else if (request.kind === 'event_loop_fetch') eventLoopFetch(request.id, request.paths);
    else if (request.kind === 'thread_workers') threadWorkers.ensure(request.total).catch((error) => post({ type: 'fatal', error: error.message }));
  }
}

async function pollUntilDone(job) {
  for (;;) {
    const wake = wasm.bridge_wake();
    serveBridge();
    /** @type {RunProgress} */
    const progress = wasm.poll_run();
    if (progress.lanes.length || progress.output.length || progress.events.length) {
      post({ type: 'progress', job, lanes: progress.lanes, events: progress.events, output: progress.output });
    }
    if (progress.outcome) return progress.outcome;
    await nextTick(threadsEnabled ? wasm.runtime_memory() : null, wake, POLL_MS);
  }
}

/** @param {Request<'run'>} message */
async function run({ job, request }) {
  if (running) throw new Error('Another run is still in progress.');
  running = true;
  pendingStop = null;
  try {
    // The engine keeps the validated run; `start_run` starts that one (nothing of it comes back from here).
    /** @type {PreparedRun} */
    const prepared = wasm.prepare_run(request);
    post({ type: 'started', job, prepared });
    if (prepared.engine === 'threads') {
      if (!threadsEnabled) throw new Error(THREADS_UNAVAILABLE);
      await threadWorkers.ensure(prepared.threads_needed);
    }
    startChildren(wasm.start_run());
    if (pendingStop !== null) stop({ type: 'stop', job, reason: pendingStop }); // asked while the run was starting
    const outcome = await pollUntilDone(job);
    stopChildren(); // processes a thread lesson started and never joined
    // Threads still running after the outcome (never joined, or stuck) get SETTLE_MS to notice the stop.
    const settled = prepared.engine !== 'threads' || await settle(() => wasm.stop_leftovers(), SETTLE_MS);
    // The outcome's attachments (the frames lab's clips) arrive as fresh Uint8Arrays: transferred, not
    // copied again.
    const transfer = outcome.attachments.flatMap((a) => Object.values(a).filter((v) => v instanceof Uint8Array).map((v) => v.buffer));
    post({ type: 'finished', job, outcome, restart: !settled }, transfer);
  } finally {
    running = false;
  }
}

/** The Stop button or the time limit: threads stop cooperatively (the outcome follows as usual);
 *  processes are terminated. */
/** @param {Request<'stop'>} message */
function stop({ job, reason }) {
  const text = String(reason ?? 'Stopped.').slice(0, 300);
  const wasRunning = wasm.stop_run(text);
  if (!wasRunning && running) pendingStop = text;
  stopChildren();
  post({ type: 'stopping', job, running: wasRunning });
}

/** @param {Request<'status'>} message */
function status({ job }) {
  post({ type: 'status', job, status: {
    ...poolStatus(), thread_workers: threadWorkers?.length ?? 0, processes: children.size,
    rayon_threads: rayonThreadCount, replaced_workers: replacedWorkers,
  } });
}

/** @param {Request<'rayon_probe'>} message */
function rayonProbe({ job, n }) {
  post({ type: 'probe', job, result: wasm.rayon_probe(n) });
}

/** A teacher's challenge (JSON text) read by the engine; a mistake fails with the field it names. */
/** @param {Request<'parse_challenge'>} message */
function parseChallenge({ job, text }) {
  post({ type: 'challenge', job, result: wasm.parse_challenge(String(text)) });
}

/** The verdict over a check's runs (each run judged by the Python runtime). */
/** @param {Request<'summarize_check'>} message */
function summarizeCheck({ job, verdicts }) {
  post({ type: 'summary', job, result: wasm.summarize_check(verdicts) });
}

/** Validates parameters without running: what a run would use, and the notices. */
/** @param {Request<'validate'>} message */
function validate({ job, request }) {
  post({ type: 'validated', job, prepared: wasm.validate_run(request) });
}

/** Before the page terminates this worker (a run that would not stop): terminate every thread and process
 *  worker directly, which ends them at once (left to the browser, nested workers outlive their parent's
 *  termination by a second or two). */
/** @param {Request<'shutdown'>} message */
function shutdown({ job }) {
  threadWorkers?.terminateAll();
  for (const worker of children.values()) worker.terminate();
  children.clear();
  post({ type: 'shutdown', job });
}

/** One handler per request type: a type renamed in Rust, or a handler without a type, fails tsc.
 *  @type {{ [T in PageToRuntime['type'] | HostEvent['type']]: (message: any) => unknown }} */
const handlers = {
  boot, run, stop, status, validate, shutdown, rayon_probe: rayonProbe,
  parse_challenge: parseChallenge, summarize_check: summarizeCheck,
  worker_message: PageWorker.deliver, worker_error: PageWorker.fail,
};

serveRequests(handlers, post);
