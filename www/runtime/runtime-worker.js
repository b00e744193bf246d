// The runtime worker: the Python program's process. It owns the wasm instance, its shared memory, the
// thread workers and the rayon pool, and starts process workers. The UI thread never blocks; this worker
// never blocks either: a thread lesson's main thread runs on a thread worker, and this worker polls the
// shared log to stream output. Messages in and out are defined in ../protocol.js.
import init, * as wasm from '../../pkg/playground.js';
import { THREADS_UNAVAILABLE } from '../protocol.js';

const WASM_URL = new URL('../../pkg/playground_bg.wasm', import.meta.url);
const POLL_MS = 40; // at most this long between output updates while a lesson runs

let compiled; // the WebAssembly.Module, compiled once; thread and process workers instantiate it
let threadsEnabled = false;
const threadWorkers = []; // kept and reused between runs
const children = new Map(); // pid -> process Worker
let running = false;

const post = (message) => self.postMessage(message);

async function compileModule() {
  try {
    return await WebAssembly.compileStreaming(fetch(WASM_URL));
  } catch {
    // Some static hosts serve .wasm without application/wasm; compiling from bytes still works.
    const response = await fetch(WASM_URL);
    if (!response.ok) throw new Error(`cannot load ${WASM_URL.pathname}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

// Firefox: creating a worker from inside a worker sometimes blocks forever while sibling workers are blocked
// on shared memory (seen with Firefox ESR 153), so there the page creates the thread workers on request.
let threadsFromPage = false;
let pageThreadWorkers = 0; // how many the page has created

async function boot({ threads, spawnThreadsOnPage = false }) {
  threadsFromPage = spawnThreadsOnPage;
  compiled = await compileModule();
  await init({ module_or_path: compiled });
  threadsEnabled = threads;
  let rayonThreads = 0;
  if (threads) {
    rayonThreads = Math.max(1, navigator.hardwareConcurrency || 1);
    await wasm.initThreadPool(rayonThreads);
  }
  post({ type: 'ready', lessons: wasm.lesson_catalogue(), threads, rayonThreads, cores: navigator.hardwareConcurrency || 1 });
}

/** Asks the page for thread workers until there are `n`, and waits until the pool counts them all. */
async function ensureThreadWorkersFromPage(n) {
  if (pageThreadWorkers >= n) return;
  post({ type: 'spawn_threads', from: pageThreadWorkers, to: n, module: compiled, memory: wasm.runtime_memory() });
  pageThreadWorkers = n;
  const deadline = performance.now() + 30_000;
  while (wasm.pool_status().workers < n) {
    if (performance.now() > deadline) throw new Error(`only ${wasm.pool_status().workers} of ${n} thread workers joined the pool`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Starts thread workers until there are `n`; they must be running before a run blocks on them. */
async function ensureThreadWorkers(n) {
  if (threadsFromPage) return ensureThreadWorkersFromPage(n);
  const starting = [];
  while (threadWorkers.length < n) {
    const index = threadWorkers.length;
    const worker = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module', name: `thread-worker-${index}` });
    threadWorkers.push(worker);
    starting.push(new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => data.type === 'ready' && resolve();
      worker.onerror = (e) => reject(new Error(`thread worker ${index} failed to start: ${e.message}`));
    }));
    worker.postMessage({ module: compiled, memory: wasm.runtime_memory(), index });
  }
  await Promise.all(starting);
  // "ready" is posted just before a worker enters the pool's loop; wait until the pool counts them all.
  const deadline = performance.now() + 5000;
  while (wasm.pool_status().workers < n) {
    if (performance.now() > deadline) throw new Error(`only ${wasm.pool_status().workers} of ${n} thread workers joined the pool`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function startChildren(spawns) {
  for (const spawn of spawns) {
    const worker = new Worker(new URL('./process-worker.js', import.meta.url), { type: 'module', name: spawn.name });
    children.set(spawn.pid, worker);
    const exited = (code, at) => {
      if (!children.delete(spawn.pid)) return;
      worker.terminate();
      startChildren(wasm.process_exit(spawn.pid, code, at));
    };
    worker.onmessage = ({ data }) => {
      if (data.type === 'trace') wasm.process_trace(data.record);
      else if (data.type === 'message') startChildren(wasm.process_message(spawn.pid, data.payload, data.sent_at));
      else if (data.type === 'bytes') wasm.process_bytes(spawn.pid, data.bytes, data.sent_at);
      else if (data.type === 'exit') exited(data.code, data.at);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      exited(1, now());
    };
    // Bytes for the child's start message (copied out of the shared memory), transferred without a copy.
    const input = wasm.bridge_take_input(spawn.pid);
    worker.postMessage({ module: compiled, spawn, input }, input ? [input.buffer] : []);
  }
}

const now = () => performance.timeOrigin + performance.now();

/** Waits until a running thread lesson asks for something (it futex-notifies the bridge's word), or
 *  POLL_MS passes, whichever is first. Without Atomics.waitAsync, just waits POLL_MS. `[address, seen]`
 *  is read before the requests are taken, so one that arrives in between ends the wait at once. */
async function nextTick([address, seen]) {
  if (threadsEnabled && typeof Atomics.waitAsync === 'function') {
    const result = Atomics.waitAsync(new Int32Array(wasm.runtime_memory().buffer), address >> 2, seen, POLL_MS);
    if (result.async) await result.value;
  } else {
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Many requests at once from this worker's one event loop, the asyncio way; the thread that asked
 *  waits for all of them. */
async function eventLoopFetch(id, paths) {
  const results = await Promise.all(paths.map(async (path, i) => {
    const started_at = now();
    try {
      const url = new URL(`../../${path}`, self.location);
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
  for (const request of wasm.take_bridge_requests()) {
    if (request.kind === 'spawn') startChildren([request]);
    else if (request.kind === 'event_loop_fetch') eventLoopFetch(request.id, request.paths);
  }
}

async function pollUntilDone(job) {
  for (;;) {
    const wake = wasm.bridge_wake();
    serveBridge();
    const progress = wasm.poll_run();
    if (progress.lanes.length || progress.output.length || progress.events.length) {
      post({ type: 'progress', job, lanes: progress.lanes, events: progress.events, output: progress.output });
    }
    if (progress.outcome) return progress.outcome;
    await nextTick(wake);
  }
}

async function run({ job, request }) {
  if (running) throw new Error('Another run is still in progress.');
  running = true;
  try {
    const prepared = wasm.prepare_run(request);
    post({ type: 'started', job, prepared });
    if (prepared.engine === 'threads') {
      if (!threadsEnabled) throw new Error(THREADS_UNAVAILABLE);
      await ensureThreadWorkers(prepared.threads_needed);
      wasm.start_thread_run(prepared);
    } else {
      startChildren(wasm.start_process_run(prepared));
    }
    const outcome = await pollUntilDone(job);
    // Frames a lesson left for the page to play (fresh ArrayBuffers, transferred, not copied again).
    const playback = wasm.take_playback();
    self.postMessage({ type: 'finished', job, outcome, playback }, playback ? [playback.original.buffer, playback.processed.buffer] : []);
  } finally {
    running = false;
  }
}

function status({ job }) {
  post({ type: 'status', job, status: { ...wasm.pool_status(), thread_workers: threadsFromPage ? pageThreadWorkers : threadWorkers.length, processes: children.size } });
}

function rayonProbe({ job, n }) {
  post({ type: 'probe', job, result: wasm.rayon_probe(n) });
}

const handlers = { boot, run, status, rayon_probe: rayonProbe };

self.onmessage = async ({ data }) => {
  try {
    const handler = handlers[data.type];
    if (!handler) throw new Error(`unknown request ${String(data.type).slice(0, 40)}`);
    await handler(data);
  } catch (error) {
    post({ type: 'failed', job: data.job, error: String(error?.message ?? error) });
  }
};
