// The Python runtime worker: owns the Python artifact's instance (RustPython linked with the engine), its
// shared memory and its thread workers. A program's main thread runs on a thread worker, so this worker
// never runs Python and never blocks: it streams output, starts thread workers when the program starts
// threads, and reports the outcome. The requests it takes are the `handlers` table at the end of this file
// (the page's side is ./python-runtime.js). Booted as a child
// (`boot_child`), it is one process of the program's own (see ./python-processes.js). On a page that is not
// cross-origin isolated it is booted solo (python/src/solo/mod.rs): no worker can share its memory, so it
// runs each program itself and threads are refused. Where the browser can suspend WebAssembly (JSPI,
// ./suspend.js), the program's waits hand this worker back its event loop, so its processes (solo runtime
// workers too) and Stop still reach it; elsewhere the program reports its own progress and processes are
// refused as well.
import init, * as wasm from '../../pkg-python/playground_python.js';
import { PageWorker } from '../runtime/page-worker.js';
import { compileWasm, nextTick, serveRequests, settle, ThreadWorkers } from '../runtime/worker-kit.js';
import { ChildProcesses } from './python-processes.js';
import { canSuspend, onSuspend, wake } from './suspend.js';

// The messages are Rust enums (python/src/protocol.rs, src/protocol/messages.rs); tsc checks this file.
/** @typedef {import('../types/generated/ToPythonWorker').ToPythonWorker} ToPythonWorker */
/** @typedef {import('../types/generated/FromPythonWorker').FromPythonWorker} FromPythonWorker */
/** @typedef {import('../types/generated/HostEvent').HostEvent} HostEvent */
/** @typedef {import('../types/generated/PythonLimits').PythonLimits} PythonLimits */
/** @typedef {import('../types/generated/PythonProgress').PythonProgress} PythonProgress */
/** @typedef {import('../types/generated/ChildProgress').ChildProgress} ChildProgress */
/** @typedef {import('../types/generated/PythonThreadWorkerStart').PythonThreadWorkerStart} PythonThreadWorkerStart */
/** @typedef {import('../types/generated/ThreadWorkerToRuntime').ThreadWorkerToRuntime} ThreadWorkerToRuntime */
/** The request of type T. @template {ToPythonWorker['type']} T @typedef {Extract<ToPythonWorker, { type: T }>} Request */

const WASM_URL = new URL('../../pkg-python/playground_python_bg.wasm', import.meta.url);
const POLL_MS = 40; // at most this long between output updates
const SETTLE_MS = 400; // after the program ends, how long its leftover (daemon) threads get to notice
const INITIAL_WORKERS = 4; // started with the runtime: most programs start no more threads than this at once

let compiled;
/** The instance's own exports (wasm-bindgen's `init` returns them): JSPI wraps them, not the bindings. */
let raw;
/** @type {PythonLimits} */
let limits;
// The one memory the program's processes share, under Value and Array (python/src/mp/shared.rs): made by
// the root runtime, handed to each of its thread workers and children, and by each child to its own.
let segment;
/** @type {ThreadWorkers} */
let threadWorkers;
/** @type {typeof Worker} */
let WorkerClass = Worker;
let running = false;
let solo = false; // programs run on this worker (a page that is not cross-origin isolated)
let children = null; // the program's child processes (this worker as the root runtime)
/** @param {FromPythonWorker} message @param {Transferable[]} [transfer] */
const post = (message, transfer) => self.postMessage(message, transfer ?? []);
const now = () => performance.timeOrigin + performance.now();

/** Firefox: the page creates this worker's workers (../worker-host.js). */
const pageWorkerClass = /** @type {typeof Worker} */ (/** @type {unknown} */ (PageWorker));

/** A call from a child that trapped this (the root's) instance. @param {string} error */
const childFatal = (error) => post({ type: 'fatal', error: `the interpreter hit an internal error (${error})` });

/** @param {Request<'boot'>} request */
async function boot({ job, pageCreatesWorkers = false, threads = true }) {
  if (pageCreatesWorkers) WorkerClass = pageWorkerClass;
  solo = !threads;
  const t0 = performance.now();
  // The artifact is large: its download is shown as it streams in (`load` messages), compiled meanwhile.
  const { module, bytes } = await compileWasm(WASM_URL, (loaded, total) => post({ type: 'load', job, loaded, total }))
    .catch((error) => { throw new Error(`the Python runtime: ${error.message}`); });
  const t1 = performance.now();
  compiled = module;
  raw = await init({ module_or_path: compiled });
  limits = wasm.python_limits();
  if (solo) {
    // Value and Array live in this (the root) process: its children read and write them by message.
    wasm.mp_attach_segment(new ArrayBuffer(limits.shared_segment_bytes));
    children = new ChildProcesses({ wasm, WorkerClass, compiled, segment: null, onFatal: childFatal, onMessage: wake });
    wasm.python_solo_boot(canSuspend);
    post({ type: 'ready', job, limits, bytes, load_ms: t1 - t0, ready_ms: performance.now() - t0, solo, processes: canSuspend });
    return;
  }
  segment = new SharedArrayBuffer(limits.shared_segment_bytes);
  wasm.mp_attach_segment(segment);
  threadWorkers = newThreadWorkers();
  children = new ChildProcesses({ wasm, WorkerClass, compiled, segment, onFatal: childFatal });
  await threadWorkers.ensure(INITIAL_WORKERS);
  // The program's main thread prepares the first interpreter: ready once it has.
  wasm.python_boot();
  while (!wasm.python_prepared()) await tick(wasm.bridge_wake());
  post({ type: 'ready', job, limits, bytes, load_ms: t1 - t0, ready_ms: performance.now() - t0, solo, processes: true });
}

/** What to add to an internal error that is the browser's own stack running out (Chromium: "Maximum call stack size
 *  exceeded", Firefox: "too much recursion"), which RustPython's guard cannot see. @param {string} error */
const stackNote = (error) => (/call stack|too much recursion/i.test(error)
  ? ` — the browser's stack for the thread ran out: recursion deeper than it allows (keep sys.getrecursionlimit() at ${limits.recursion_limit})` : '');

/** The runtime's thread workers (started once `limits` are known: their stack size is one of them). */
function newThreadWorkers() {
  return new ThreadWorkers({
    url: new URL('./python-thread-worker.js', import.meta.url), name: 'python-thread', WorkerClass,
    /** @returns {PythonThreadWorkerStart} */
    startMessage: (index) => ({ module: compiled, memory: wasm.runtime_memory(), segment, index, stackBytes: limits.thread_stack_bytes }),
    poolWorkers: () => wasm.pool_status().workers,
    max: limits.max_threads + 1,
    // A panic in a thread traps its instance: the interpreter's state can no longer be trusted.
    onDied: (_index, error) => {
      post({ type: 'fatal', error: `a Python thread hit an internal error (${error})${stackNote(error)}` });
    },
  });
}

function serveBridge() {
  /** @type {import('../types/generated/BridgeRequest').BridgeRequest[]} */
  const requests = wasm.take_bridge_requests();
  for (const request of requests) {
    if (request.kind === 'thread_workers') {
      threadWorkers.ensure(request.total).catch((error) => post({ type: 'fatal', error: error.message }));
    }
  }
}

/** Waits until a thread asks for something (a futex notify on the bridge's word), or at most POLL_MS. */
const tick = (wake, ms = POLL_MS) => nextTick(wasm.runtime_memory(), wake, Math.max(0, Math.min(POLL_MS, ms ?? POLL_MS)));

/** @param {Request<'run'>} request */
async function run(request) {
  const { job, source, gil, switchIntervalMs, check = null } = request;
  if (running) throw new Error('Another program is still running.');
  if (typeof source !== 'string') throw new Error('malformed request: the program must be text');
  if (solo) return runHere(request);
  running = true;
  try {
    wasm.python_start(source, gil === true, switchIntervalMs, check);
    post({ type: 'started', job, at: now() });
    for (;;) {
      const wake = wasm.bridge_wake();
      serveBridge();
      const nextDeadline = children.serve(); // the kernel: children to start or end, replies, timeouts
      /** @type {PythonProgress} */
      const progress = wasm.python_poll();
      if (progress.lanes.length || progress.output.length || progress.events.length || progress.messages.length) {
        post({ type: 'progress', job, lanes: progress.lanes, events: progress.events, output: progress.output, messages: progress.messages });
      }
      if (progress.trapped) {
        post({ type: 'fatal', job, error: `the interpreter hit an internal error (${progress.trapped})` });
        return;
      }
      if (progress.outcome) {
        children.endAll(); // processes never joined (daemonic ones, say) end with the program
        // Threads left running (daemon threads) get SETTLE_MS to notice the stop.
        const settled = await settle(() => wasm.python_stop_leftovers(), SETTLE_MS);
        post({ type: 'finished', job, outcome: progress.outcome, restart: !settled });
        return;
      }
      await tick(wake, nextDeadline);
    }
  } finally {
    running = false;
  }
}

/** Solo mode: runs the program on this worker to its end. Where the browser can suspend WebAssembly, the
 *  program runs under `WebAssembly.promising` and each of its waits hands this worker's event loop back:
 *  the kernel's requests are served (its children started, their calls answered), progress is posted and
 *  Stop is taken. Elsewhere the program holds the worker until it ends: it reports its own progress, a
 *  stop waits, and the page ends a program that outlives its grace by terminating the worker.
 *  @param {Request<'run'>} request */
async function runHere({ job, source, gil, switchIntervalMs, check = null }) {
  running = true;
  /** @param {PythonProgress} progress */
  const report = (progress) => {
    if (progress.lanes.length || progress.output.length || progress.events.length || progress.messages.length) {
      post({ type: 'progress', job, lanes: progress.lanes, events: progress.events, output: progress.output, messages: progress.messages });
    }
  };
  let outcome = null;
  let started = false;
  try {
    wasm.python_solo_begin(source, gil === true, switchIntervalMs, check, report);
    started = true;
    post({ type: 'started', job, at: now() });
    if (canSuspend) {
      onSuspend(() => {
        const nextDeadline = children.serve(); // children to start or end, replies to send, timeouts
        report(wasm.python_poll());
        return nextDeadline;
      });
      await WebAssembly.promising(raw.python_solo_go)(1);
    } else {
      raw.python_solo_go(0);
    }
    children.serve();
    /** @type {PythonProgress} */
    const last = wasm.python_poll();
    report(last);
    outcome = last.outcome;
  } catch (error) {
    // The program's own errors end inside Rust: what escapes is a trap (a panic), the browser's stack run
    // out (Chromium's RangeError, Firefox's InternalError) or a failed suspension, any of which leaves the
    // instance unusable, or the settings refused before it started.
    const text = String(error?.message ?? error);
    if (!started) throw error;
    post({ type: 'fatal', job, error: `the interpreter hit an internal error (${text})${stackNote(text)}` });
    return;
  } finally {
    onSuspend(() => undefined);
    running = false;
    try {
      children.endAll(); // processes never joined (daemonic ones, say) end with the program
    } catch { /* a trapped instance: the page restarts the runtime, and its workers with it */ }
  }
  post({ type: 'finished', job, outcome, restart: false });
  // The next program's interpreter, prepared once this one's outcome is on its way.
  setTimeout(() => wasm.python_solo_prepare(), 0);
}

/** A child's kernel calls, posted to the root's runtime (which replies with `mp_reply`). */
function postCalls() {
  for (const { message, data } of wasm.mp_child_take_calls()) {
    post({ type: 'mp_call', req: message.req, lane: message.lane, call: message.call, data }, data ? [data.buffer] : []);
  }
}

/** A child's new lanes, events and output, posted to the root's runtime. @returns {ChildProgress} */
function postChildProgress() {
  /** @type {ChildProgress} */
  const progress = wasm.python_child_poll();
  if (progress.lanes.length || progress.events.length || progress.output.length) post({ type: 'child_progress', progress });
  return progress;
}

/** This worker as a child process: a fresh instance (no wasm memory is passed, so it gets its own; only
 *  the shared segment under Value and Array is the root's) whose one program is `start`; its kernel calls
 *  go to the root's runtime, which replies by message. */
/** @param {Request<'boot_child'>} request */
async function bootChild({ module, start, payload, segment: shared, pageCreatesWorkers = false }) {
  if (pageCreatesWorkers) WorkerClass = pageWorkerClass;
  compiled = module;
  raw = await init({ module_or_path: compiled });
  limits = wasm.python_limits();
  // No shared segment: the page is not cross-origin isolated, and this child runs solo.
  if (shared === null) return runChildHere(start, payload);
  segment = shared;
  wasm.mp_attach_segment(segment);
  threadWorkers = newThreadWorkers();
  await threadWorkers.ensure(1);
  wasm.python_child_start(start, payload);
  for (;;) {
    const wake = wasm.bridge_wake();
    serveBridge();
    postCalls();
    const progress = postChildProgress();
    // The program may have made its last calls (a put, say) after postCalls() above and ended before the
    // poll: send them before the exit, or they are lost.
    if (progress.trapped || (progress.exit_code !== null && progress.exit_code !== undefined)) postCalls();
    if (progress.trapped) {
      post({ type: 'fatal', error: `the interpreter hit an internal error (${progress.trapped})` });
      return;
    }
    if (progress.exit_code !== null && progress.exit_code !== undefined) {
      post({ type: 'child_exit', code: progress.exit_code });
      return;
    }
    await tick(wake);
  }
}

/** A child process on a page that is not cross-origin isolated: its program runs on this worker under
 *  `WebAssembly.promising` (the root booted it solo only where the browser can suspend), and each of its
 *  waits hands the event loop back, so its calls are posted and the root's replies taken meanwhile.
 *  @param {import('../types/generated/ChildStart').ChildStart} start @param {Uint8Array} payload */
async function runChildHere(start, payload) {
  try {
    wasm.python_child_solo_begin(start, payload);
    // Its output first: a call may end the whole run (the guard's Abort), and what it printed must be there.
    onSuspend(() => { postChildProgress(); postCalls(); return undefined; });
    await WebAssembly.promising(raw.python_child_solo_go)();
  } catch (error) {
    const text = String(error?.message ?? error);
    post({ type: 'fatal', error: `the interpreter hit an internal error (${text})${stackNote(text)}` });
    return;
  } finally {
    onSuspend(() => undefined);
  }
  // Its last output and calls (a put, say) before its exit, or they are lost.
  const progress = postChildProgress();
  postCalls();
  post({ type: 'child_exit', code: progress.exit_code ?? 1 });
}

/** @param {Request<'mp_reply'>} request */
function mpReply({ req, reply, data }) {
  wasm.mp_child_reply(req, reply, data);
  wake(); // a solo child's wait looks again at once
}

/** @param {Request<'stop'>} request */
function stop({ job, reason }) {
  const wasRunning = wasm.python_stop(String(reason ?? 'Stopped.').slice(0, 300));
  children?.endAll();
  wake(); // a solo program suspended in a wait sees the stop at once
  post({ type: 'stopping', job, running: wasRunning });
}

/** @param {Request<'shutdown'>} request */
function shutdown({ job }) {
  children?.endAll();
  threadWorkers?.terminateAll();
  post({ type: 'shutdown', job });
}

/** One handler per request type: a type renamed in Rust, or a handler without a type, fails tsc.
 *  @type {{ [T in ToPythonWorker['type'] | HostEvent['type']]: (message: any) => unknown }} */
const handlers = {
  boot, run, stop, shutdown, boot_child: bootChild, mp_reply: mpReply,
  worker_message: PageWorker.deliver, worker_error: PageWorker.fail };

serveRequests(handlers, post);
