// What the two runtime workers share: the lessons' engine (./runtime-worker.js) and the Python runtime
// (../python/python-worker.js) each own a wasm instance, its shared memory and its thread workers, and
// drive a run from their event loop without ever blocking. How they load the module, grow their thread
// workers, wait for a thread's request, let a finished run's leftover threads stop, and answer requests is
// the same, and lives here once.

/** @typedef {import('../types/generated/ThreadWorkerToRuntime').ThreadWorkerToRuntime} ThreadWorkerToRuntime */

/** Downloads and compiles a wasm module, reporting `(loaded, total)` bytes while it streams in when
 *  `onProgress` is given. Resolves to the module and its size. */
export async function compileWasm(url, onProgress = null) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  let loaded = 0;
  let lastReport = 0;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      if (onProgress && performance.now() - lastReport > 50) {
        lastReport = performance.now();
        onProgress(loaded, total);
      }
      controller.enqueue(chunk);
    },
  }));
  try {
    const module = await WebAssembly.compileStreaming(new Response(counted, { headers: { 'content-type': 'application/wasm' } }));
    onProgress?.(loaded, total || loaded);
    return { module, bytes: loaded };
  } catch (error) {
    if (loaded > 0 && !(error instanceof TypeError)) throw error;
    // A host that serves .wasm with another content type: compile from the bytes instead.
    const again = await fetch(url);
    if (!again.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${again.status}`);
    const bytes = await again.arrayBuffer();
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return { module: await WebAssembly.compile(bytes), bytes: bytes.byteLength };
  }
}

/** A runtime's thread workers: started in order, kept between runs, each joining the runtime's memory
 *  with the start message `startMessage(index)` gives. `ensure(n)` resolves once the pool counts `n`
 *  (`poolWorkers()`): "ready" is posted just before a worker enters the pool's loop. A worker whose
 *  instance trapped reports "died"; `onDied(index, error)` decides what follows (a replacement, or the
 *  end of the run). */
export class ThreadWorkers {
  /** @type {Worker[]} */
  workers = [];
  #growing = Promise.resolve();

  /** @param {{ url: URL, name: string, WorkerClass: typeof Worker, startMessage: (index: number) => unknown,
   *    poolWorkers: () => number, onDied: (index: number, error: string) => void, max?: number }} options */
  constructor(options) {
    this.options = options;
  }

  get length() { return this.workers.length; }

  /** Starts worker `index` in its slot; resolves when it is about to join the pool. */
  start(index) {
    const { url, name, WorkerClass, startMessage, onDied } = this.options;
    const worker = new WorkerClass(url, { type: 'module', name: `${name}-${index}` });
    this.workers[index] = worker;
    /** @type {Promise<void>} */
    const ready = new Promise((resolve, reject) => {
      worker.onmessage = (/** @type {MessageEvent<ThreadWorkerToRuntime>} */ { data }) => {
        if (data.type === 'ready') resolve();
        else if (data.type === 'died' && this.workers[index] === worker) onDied(index, data.error);
      };
      worker.onerror = (e) => reject(new Error(`${name} ${index} failed to start: ${e.message}`));
    });
    worker.postMessage(startMessage(index));
    return ready;
  }

  /** Starts workers until there are `n` (at most `max`), one growth at a time so slots never collide. */
  ensure(n) {
    const { poolWorkers, name } = this.options;
    const wanted = Math.min(n, this.options.max ?? Infinity);
    this.#growing = this.#growing.catch(() => {}).then(async () => {
      const starting = [];
      while (this.workers.length < wanted) starting.push(this.start(this.workers.length));
      await Promise.all(starting);
      const deadline = performance.now() + 5000;
      while (poolWorkers() < wanted) {
        if (performance.now() > deadline) throw new Error(`only ${poolWorkers()} of ${wanted} ${name}s joined the pool`);
        await new Promise((r) => setTimeout(r, 1));
      }
    });
    return this.#growing;
  }

  /** Terminates every worker (before the runtime itself is terminated: left to the browser, nested
   *  workers outlive their parent by a second or two). */
  terminateAll() {
    for (const worker of this.workers) worker?.terminate();
    this.workers.length = 0;
  }
}

/** Waits until a running thread asks for something (it futex-notifies the word at byte `address` of the
 *  shared `memory`, whose value was `seen`), or `ms` passes. `[address, seen]` is read before the requests
 *  are taken, so one that arrives in between ends the wait at once. Without a shared memory or
 *  Atomics.waitAsync, just waits `ms`.
 *  @param {WebAssembly.Memory | null} memory @param {ArrayLike<number>} wake `[address, seen]` @param {number} ms */
export async function nextTick(memory, wake, ms) {
  const [address, seen] = [wake[0], wake[1]];
  const shared = typeof SharedArrayBuffer === 'function' && memory?.buffer instanceof SharedArrayBuffer;
  if (shared && typeof Atomics.waitAsync === 'function') {
    const result = Atomics.waitAsync(new Int32Array(memory.buffer), address >> 2, seen, ms);
    if (result.async) await result.value;
  } else {
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** After a run's outcome, asks the threads still running (never joined, or stuck) to stop, through
 *  `stopLeftovers()`, which returns how many are left; true once none is, false after `ms`. */
export async function settle(stopLeftovers, ms) {
  if (stopLeftovers() === 0) return true;
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    if (stopLeftovers() === 0) return true;
  }
  return false;
}

/** Answers requests with `handlers[request.type]`: an unknown or malformed request, or a handler that
 *  throws, is answered `failed` for its job; a trap of the instance (its locks may be held) `fatal`. */
export function serveRequests(handlers, post) {
  self.onmessage = async ({ data }) => {
    try {
      if (data === null || typeof data !== 'object') throw new Error('malformed request: not an object');
      const handler = Object.hasOwn(handlers, data.type) ? handlers[data.type] : null;
      if (!handler) throw new Error(`unknown request ${JSON.stringify(String(data.type).slice(0, 40))}`);
      await handler(data);
    } catch (error) {
      const message = String(error?.message ?? error).slice(0, 2000);
      const job = data?.job; // whatever the malformed request said
      post({ type: isTrap(error) ? 'fatal' : 'failed', job, error: message });
    }
  };
}

/** A trap of the wasm instance (a panic, with panic = abort), as opposed to an error a binding returned. */
export function isTrap(error) {
  return error instanceof WebAssembly.RuntimeError;
}
