// The Python runtime worker: owns the Python artifact's instance (RustPython linked with the engine), its
// shared memory and its thread workers. A program's main thread runs on a thread worker, so this worker
// never runs Python and never blocks: it streams output, starts thread workers when the program starts
// threads, and reports the outcome. The requests it takes are the `handlers` table at the end of this file
// (the page's side is ./python-runtime.js). Booted as a child
// (`boot_child`), it is one process of the program's own (see ./python-processes.js).
import init, * as wasm from '../../pkg-python/playground_python.js';
import { PageWorker } from '../runtime/page-worker.js';
import { ChildProcesses } from './python-processes.js';

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
/** @type {PythonLimits} */
let limits;
// The one memory the program's processes share, under Value and Array (python/src/mp/shared.rs): made by
// the root runtime, handed to each of its thread workers and children, and by each child to its own.
let segment;
const threadWorkers = [];
/** @type {typeof Worker} */
let WorkerClass = Worker;
let running = false;
let children = null; // the program's child processes (this worker as the root runtime)
/** @param {FromPythonWorker} message @param {Transferable[]} [transfer] */
const post = (message, transfer) => self.postMessage(message, transfer ?? []);
const now = () => performance.timeOrigin + performance.now();

/** Downloads the artifact with progress (`load` messages), compiling while it streams in. */
async function compileWithProgress(job) {
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`cannot load the Python runtime (${WASM_URL.pathname}): HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  let loaded = 0;
  let lastPost = 0;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      if (performance.now() - lastPost > 50) {
        lastPost = performance.now();
        post({ type: 'load', job, loaded, total });
      }
      controller.enqueue(chunk);
    },
  }));
  try {
    const module = await WebAssembly.compileStreaming(new Response(counted, { headers: { 'content-type': 'application/wasm' } }));
    post({ type: 'load', job, loaded, total: total || loaded });
    return { module, bytes: loaded };
  } catch (error) {
    if (loaded > 0 && !(error instanceof TypeError)) throw error;
    // A host that serves .wasm with another content type: compile from the bytes instead.
    const bytes = await (await fetch(WASM_URL)).arrayBuffer();
    post({ type: 'load', job, loaded: bytes.byteLength, total: bytes.byteLength });
    return { module: await WebAssembly.compile(bytes), bytes: bytes.byteLength };
  }
}

/** Firefox: the page creates this worker's workers (../worker-host.js). */
const pageWorkerClass = /** @type {typeof Worker} */ (/** @type {unknown} */ (PageWorker));

/** @param {Request<'boot'>} request */
async function boot({ job, pageCreatesWorkers = false }) {
  if (pageCreatesWorkers) WorkerClass = pageWorkerClass;
  const t0 = performance.now();
  const { module, bytes } = await compileWithProgress(job);
  const t1 = performance.now();
  compiled = module;
  await init({ module_or_path: compiled });
  limits = wasm.python_limits();
  segment = new SharedArrayBuffer(limits.shared_segment_bytes);
  wasm.mp_attach_segment(segment);
  children = new ChildProcesses({ wasm, WorkerClass, compiled, segment, onFatal: (error) => post({ type: 'fatal', error: `the interpreter hit an internal error (${error})` }) });
  await ensureThreadWorkers(INITIAL_WORKERS);
  // The program's main thread prepares the first interpreter: ready once it has.
  wasm.python_boot();
  while (!wasm.python_prepared()) await nextTick(wasm.bridge_wake());
  post({ type: 'ready', job, limits, bytes, load_ms: t1 - t0, ready_ms: performance.now() - t0 });
}

function startThreadWorker(index) {
  const worker = new WorkerClass(new URL('./python-thread-worker.js', import.meta.url), { type: 'module', name: `python-thread-${index}` });
  threadWorkers[index] = worker;
  /** @type {Promise<void>} */
  const ready = new Promise((resolve, reject) => {
    worker.onmessage = (/** @type {MessageEvent<ThreadWorkerToRuntime>} */ { data }) => {
      if (data.type === 'ready') resolve();
      // A panic in a thread traps its instance: the interpreter's state can no longer be trusted.
      else if (data.type === 'died') {
        const stack = /call stack/i.test(data.error)
          ? ` — the browser's stack for the thread ran out: recursion deeper than it allows (keep sys.getrecursionlimit() at ${limits.recursion_limit})` : '';
        post({ type: 'fatal', error: `a Python thread hit an internal error (${data.error})${stack}` });
      }
    };
    worker.onerror = (e) => reject(new Error(`a Python thread worker failed to start: ${e.message}`));
  });
  /** @type {PythonThreadWorkerStart} */
  const start = { module: compiled, memory: wasm.runtime_memory(), segment, index, stackBytes: limits.thread_stack_bytes };
  worker.postMessage(start);
  return ready;
}

let growing = Promise.resolve();
/** Starts thread workers until there are `n` (one at a time in order, so slots never collide). */
function ensureThreadWorkers(n) {
  const wanted = Math.min(n, limits.max_threads + 1);
  growing = growing.then(async () => {
    const starting = [];
    while (threadWorkers.length < wanted) starting.push(startThreadWorker(threadWorkers.length));
    await Promise.all(starting);
    // "ready" is posted just before a worker enters the pool's loop: wait until the pool counts it.
    const deadline = performance.now() + 5000;
    while (wasm.pool_status().workers < wanted) {
      if (performance.now() > deadline) throw new Error(`only ${wasm.pool_status().workers} of ${wanted} Python thread workers started`);
      await new Promise((r) => setTimeout(r, 1));
    }
  });
  return growing;
}

function serveBridge() {
  /** @type {import('../types/generated/BridgeRequest').BridgeRequest[]} */
  const requests = wasm.take_bridge_requests();
  for (const request of requests) {
    if (request.kind === 'thread_workers') {
      ensureThreadWorkers(request.total).catch((error) => post({ type: 'fatal', error: error.message }));
    }
  }
}

/** Waits until a thread asks for something (a futex notify on the bridge's word) or `ms` passes. */
/** @param {Int32Array} wake `[address, seen]` from wasm.bridge_wake() @param {number} [ms] */
async function nextTick([address, seen], ms = POLL_MS) {
  const wait = Math.max(0, Math.min(POLL_MS, ms ?? POLL_MS));
  if (typeof Atomics.waitAsync === 'function') {
    const result = Atomics.waitAsync(new Int32Array(wasm.runtime_memory().buffer), address >> 2, seen, wait);
    if (result.async) await result.value;
  } else {
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** After the program: threads left running (daemon threads) are asked to stop; true once none is left. */
async function settle() {
  if (wasm.python_stop_leftovers() === 0) return true;
  const deadline = performance.now() + SETTLE_MS;
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    if (wasm.python_stop_leftovers() === 0) return true;
  }
  return false;
}

/** @param {Request<'run'>} request */
async function run({ job, source, gil, switchIntervalMs, check = null }) {
  if (running) throw new Error('Another program is still running.');
  if (typeof source !== 'string') throw new Error('malformed request: the program must be text');
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
        const settled = await settle();
        post({ type: 'finished', job, outcome: progress.outcome, restart: !settled });
        return;
      }
      await nextTick(wake, nextDeadline);
    }
  } finally {
    running = false;
  }
}

/** This worker as a child process: a fresh instance (no wasm memory is passed, so it gets its own; only
 *  the shared segment under Value and Array is the root's) whose one program is `start`; its kernel calls
 *  go to the root's runtime, which replies by message. */
/** @param {Request<'boot_child'>} request */
async function bootChild({ module, start, payload, segment: shared, pageCreatesWorkers = false }) {
  if (pageCreatesWorkers) WorkerClass = pageWorkerClass;
  compiled = module;
  await init({ module_or_path: compiled });
  limits = wasm.python_limits();
  segment = shared;
  wasm.mp_attach_segment(segment);
  await ensureThreadWorkers(1);
  wasm.python_child_start(start, payload);
  const postCalls = () => {
    for (const { message, data } of wasm.mp_child_take_calls()) {
      post({ type: 'mp_call', req: message.req, lane: message.lane, call: message.call, data }, data ? [data.buffer] : []);
    }
  };
  for (;;) {
    const wake = wasm.bridge_wake();
    serveBridge();
    postCalls();
    /** @type {ChildProgress} */
    const progress = wasm.python_child_poll();
    if (progress.lanes.length || progress.events.length || progress.output.length) post({ type: 'child_progress', progress });
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
    await nextTick(wake);
  }
}

/** @param {Request<'mp_reply'>} request */
function mpReply({ req, reply, data }) {
  wasm.mp_child_reply(req, reply, data);
}

/** @param {Request<'stop'>} request */
function stop({ job, reason }) {
  const wasRunning = wasm.python_stop(String(reason ?? 'Stopped.').slice(0, 300));
  children?.endAll();
  post({ type: 'stopping', job, running: wasRunning });
}

/** @param {Request<'shutdown'>} request */
function shutdown({ job }) {
  children?.endAll();
  for (const worker of threadWorkers) worker?.terminate();
  threadWorkers.length = 0;
  post({ type: 'shutdown', job });
}

/** One handler per request type: a type renamed in Rust, or a handler without a type, fails tsc.
 *  @type {{ [T in ToPythonWorker['type'] | HostEvent['type']]: (message: any) => unknown }} */
const handlers = {
  boot, run, stop, shutdown, boot_child: bootChild, mp_reply: mpReply,
  worker_message: PageWorker.deliver, worker_error: PageWorker.fail };

self.onmessage = async (/** @type {MessageEvent<ToPythonWorker | HostEvent>} */ { data }) => {
  try {
    if (data === null || typeof data !== 'object') throw new Error('malformed request: not an object');
    const handler = Object.hasOwn(handlers, data.type) ? handlers[data.type] : null;
    if (!handler) throw new Error(`unknown request ${JSON.stringify(String(data.type).slice(0, 40))}`);
    await handler(data);
  } catch (error) {
    const message = String(error?.message ?? error).slice(0, 2000);
    const job = /** @type {any} */ (data)?.job; // whatever the malformed request said
    post({ type: error instanceof WebAssembly.RuntimeError ? 'fatal' : 'failed', job, error: message });
  }
};
