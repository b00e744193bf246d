// The benchmark worker (driven by scripts/bench.mjs through ./index.html). It sets up what the runtime
// worker sets up — the compiled module, this instance on a shared memory, the rayon pool and the engine's
// thread workers — and runs the cases: Rust kernels through `bench_run` (the native reference runs the same
// kernels), and the JavaScript-level ones here: process start, message passing, shared-memory wake-ups.
import init, * as wasm from '../../pkg/playground.js';
import { ThreadWorkers } from '../runtime/worker-kit.js';

// Requests from ./bench-page.js: `{ type, id, ...fields }`, answered `{ id, result }` or `{ id, error }`.
/** @typedef {import('../types/generated/ThreadWorkerStart').ThreadWorkerStart} ThreadWorkerStart */

const WASM_URL = new URL('../../pkg/playground_bg.wasm', import.meta.url);
const now = () => performance.now();
const epochNow = () => performance.timeOrigin + performance.now(); // comparable across workers
let compiled;
/** @type {ThreadWorkers} */
let threadWorkers;

async function boot({ threadWorkers: wanted }) {
  const t0 = now();
  compiled = await WebAssembly.compileStreaming(fetch(WASM_URL));
  const compileMs = now() - t0;
  await init({ module_or_path: compiled });
  const cores = navigator.hardwareConcurrency || 1;
  await wasm.initThreadPool(cores);
  threadWorkers = threadWorkersOf();
  await threadWorkers.ensure(wanted);
  return { cores, compileMs, crossOriginIsolated: self.crossOriginIsolated, poolThreads: wasm.bench_run('pool_threads', '{}')[0] };
}

/** The engine's thread workers, started as the runtime starts them (../runtime/worker-kit.js), so engine
 *  threads can run. */
function threadWorkersOf() {
  return new ThreadWorkers({
    url: new URL('../runtime/thread-worker.js', import.meta.url), name: 'bench-thread', WorkerClass: Worker,
    /** @returns {ThreadWorkerStart} */
    startMessage: (index) => ({ module: compiled, memory: wasm.runtime_memory(), index }),
    poolWorkers: () => wasm.pool_status().workers,
    onDied: (index, error) => console.error(`bench thread worker ${index} died: ${error}`),
  });
}

/** A process: a new worker instantiating the precompiled module with a memory of its own, to its first
 *  reply (as ../runtime/process-worker.js does). Also: when the worker's script started and how long the
 *  instantiation took (a breakdown); an empty worker (Chromium's floor for any worker); and a worker started
 *  ahead of time whose script has loaded (what a spare, pre-started process worker would cost). */
async function processStart({ samples }) {
  const total = [], script = [], instantiate = [], empty = [], prestarted = [];
  const url = new URL('./bench-process.js', import.meta.url);
  const replyOf = (worker, type) => new Promise((resolve, reject) => {
    worker.addEventListener('message', ({ data }) => data.type === type && resolve(data));
    worker.onerror = (e) => reject(new Error(`process worker failed: ${e.message}`));
  });
  const emptyUrl = URL.createObjectURL(new Blob(['onmessage = () => postMessage(1);'], { type: 'text/javascript' }));
  for (let i = 0; i <= samples; i++) {
    let t0 = epochNow();
    let worker = new Worker(url, { type: 'module', name: `bench-process-${i}` });
    let ready = replyOf(worker, 'ready');
    worker.postMessage({ module: compiled });
    const reply = await ready;
    let t1 = epochNow();
    worker.terminate();
    if (i) {
      total.push(t1 - t0);
      script.push(reply.scriptAt - t0);
      instantiate.push(reply.readyAt - reply.initAt);
    }
    t0 = epochNow();
    worker = new Worker(emptyUrl, { name: `bench-empty-${i}` });
    await new Promise((resolve) => { worker.onmessage = resolve; worker.postMessage(0); });
    t1 = epochNow();
    worker.terminate();
    if (i) empty.push(t1 - t0);
    worker = new Worker(url, { type: 'module', name: `bench-spare-${i}` });
    await replyOf(worker, 'loaded');
    await new Promise((r) => setTimeout(r, 5)); // let its start-up settle, as a spare would have
    ready = replyOf(worker, 'ready');
    t0 = epochNow();
    worker.postMessage({ module: compiled });
    await ready;
    t1 = epochNow();
    worker.terminate();
    if (i) prestarted.push(t1 - t0);
  }
  URL.revokeObjectURL(emptyUrl);
  return { total, script, instantiate, empty, prestarted };
}

function echoWorker(mode) {
  return new Worker(new URL('./bench-echo.js', import.meta.url), { type: 'module', name: `bench-echo-${mode}` });
}

function request(worker, message, transfer = []) {
  return new Promise((resolve) => {
    worker.onmessage = ({ data }) => resolve(data);
    worker.postMessage(message, transfer);
  });
}

/** Round trips through a message echo worker: empty messages, transferred buffers, cloned buffers. The
 *  browser's clock ticks in 5 µs, so short round trips are timed in batches of `batch` (mean per trip). */
async function messages({ samples, bigSamples, batch, sizes, big }) {
  const echo = echoWorker('messages');
  await request(echo, { kind: 'ping' });
  const result = { empty_rtt_ms: [], transfer_rtt_ms: {}, clone_big_one_way_ms: [] };
  for (let i = 0; i <= samples; i++) {
    const t0 = now();
    for (let b = 0; b < batch; b++) await request(echo, { kind: 'ping' });
    if (i) result.empty_rtt_ms.push((now() - t0) / batch);
  }
  for (const size of sizes) {
    const n = size >= big ? bigSamples : samples;
    let buffer = new ArrayBuffer(size);
    new Uint8Array(buffer).fill(7);
    result.transfer_rtt_ms[size] = [];
    for (let i = 0; i <= n; i++) {
      const t0 = now();
      for (let b = 0; b < batch; b++) {
        buffer = (await request(echo, { kind: 'transfer', buffer }, [buffer])).buffer;
        if (buffer.byteLength !== size) throw new Error(`transfer came back with ${buffer.byteLength} bytes`);
      }
      if (i) result.transfer_rtt_ms[size].push((now() - t0) / batch);
    }
  }
  // One way, for the largest size: how long the postMessage call itself takes, and when the other worker's
  // handler starts (on the clock all workers share).
  result.transfer_big_send_call_ms = [];
  result.transfer_big_arrival_ms = [];
  let buffer = new ArrayBuffer(big);
  for (let i = 0; i <= bigSamples; i++) {
    const reply = new Promise((resolve) => { echo.onmessage = ({ data }) => resolve(data); });
    const t0 = epochNow();
    echo.postMessage({ kind: 'transfer', buffer }, [buffer]);
    const t1 = epochNow();
    const data = await reply;
    buffer = data.buffer;
    if (i) { result.transfer_big_send_call_ms.push(t1 - t0); result.transfer_big_arrival_ms.push(data.at - t0); }
  }
  buffer = new ArrayBuffer(big);
  new Uint8Array(buffer).fill(9);
  for (let i = 0; i <= bigSamples; i++) {
    const t0 = epochNow();
    const reply = await request(echo, { kind: 'clone', buffer });
    if (reply.bytes !== big) throw new Error(`clone arrived with ${reply.bytes} bytes`);
    if (i) result.clone_big_one_way_ms.push(reply.at - t0);
  }
  echo.terminate();
  // In this worker: structuredClone of the same buffer, and a memcpy of it (TypedArray.set).
  result.structured_clone_ms = [];
  result.memcpy_ms = [];
  const src = new Uint8Array(buffer), dst = new Uint8Array(big);
  for (let i = 0; i <= bigSamples; i++) {
    let t0 = now();
    const copy = structuredClone(buffer);
    const cloneMs = now() - t0;
    if (copy.byteLength !== big) throw new Error('structuredClone lost bytes');
    t0 = now();
    dst.set(src);
    const copyMs = now() - t0;
    if (i) { result.structured_clone_ms.push(cloneMs); result.memcpy_ms.push(copyMs); }
  }
  if (dst[big - 1] !== 9) throw new Error('memcpy did not copy');
  return result;
}

/** A wake-up round trip on shared memory: this worker stores and notifies, the echo worker (blocked in
 *  Atomics.wait) answers by storing and notifying back; this side waits with Atomics.waitAsync (as the
 *  runtime worker does) or, second, blocks in Atomics.wait. */
async function notify({ samples, batch }) {
  const echo = echoWorker('atomics');
  const word = new Int32Array(new SharedArrayBuffer(8));
  await request(echo, { kind: 'atomics', sab: word.buffer });
  const waitAsyncRtt = [], waitRtt = [];
  let v = 0;
  for (let i = 0; i <= samples; i++) {
    const t0 = now();
    for (let b = 0; b < batch; b++) {
      Atomics.store(word, 0, ++v);
      Atomics.notify(word, 0);
      const r = Atomics.waitAsync(word, 0, v);
      if (r.async) await r.value;
      if (Atomics.load(word, 0) !== v + 1) throw new Error('no answer on the shared word');
      v++;
    }
    if (i) waitAsyncRtt.push((now() - t0) / batch);
  }
  for (let i = 0; i <= samples; i++) {
    const t0 = now();
    for (let b = 0; b < batch; b++) {
      Atomics.store(word, 0, ++v);
      Atomics.notify(word, 0);
      while (Atomics.load(word, 0) === v) Atomics.wait(word, 0, v, 1000);
      v++;
    }
    if (i) waitRtt.push((now() - t0) / batch);
  }
  Atomics.store(word, 0, -1);
  Atomics.notify(word, 0);
  echo.terminate();
  return { wait_async_rtt_ms: waitAsyncRtt, wait_rtt_ms: waitRtt };
}

const handlers = {
  boot,
  rust: ({ name, args }) => Array.from(wasm.bench_run(name, JSON.stringify(args))),
  process_start: processStart,
  messages,
  notify,
};

self.onmessage = async ({ data }) => {
  try {
    const handler = handlers[data.type];
    if (!handler) throw new Error(`unknown bench request ${data.type}`);
    self.postMessage({ id: data.id, result: await handler(data) });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error?.message ?? error) });
  }
};
