// The one programmatic entry point: the UI, the tests, and later embeds and the benchmark all use it.
//
//   import { createPlayground } from './www/playground.js';
//   const playground = await createPlayground();
//   const outcome = await playground.run('counter', { threads: 4, increments: 1_000_000 },
//                                        { onProgress: ({ output }) => console.log(output) });
//   outcome.values    // the lesson's measurements
//   outcome.events    // state changes of every thread and process, on one clock (ms since the epoch)
//
// Runs are queued: one runs at a time, in the order asked.
import { THREADS_UNAVAILABLE } from './protocol.js';

/** Whether this page can run thread lessons, and if not, why. */
export function isolation() {
  const threads = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  return { threads, reason: threads ? null : THREADS_UNAVAILABLE };
}

export class Playground {
  #worker;
  #jobs = new Map();
  #nextJob = 1;
  #queue = Promise.resolve();

  constructor(worker, ready) {
    this.#worker = worker;
    /** The lessons (id, title, group, engine, summary, python, params). */
    this.lessons = ready.lessons;
    /** True when thread lessons can run here. */
    this.threads = ready.threads;
    this.threadsUnavailableReason = ready.threads ? null : THREADS_UNAVAILABLE;
    this.cores = ready.cores;
    this.rayonThreads = ready.rayonThreads;
    worker.onmessage = ({ data }) => this.#receive(data);
  }

  #receive(message) {
    if (message.type === 'spawn_threads') { this.#spawnThreads(message); return; }
    const job = this.#jobs.get(message.job);
    if (!job) return;
    switch (message.type) {
      case 'started': job.onStarted?.(message.prepared); break;
      case 'progress': job.onProgress?.({ lanes: message.lanes, events: message.events, output: message.output }); break;
      case 'failed': this.#jobs.delete(message.job); job.reject(new Error(message.error)); break;
      default:
        this.#jobs.delete(message.job);
        // Frames to play (the frames lab), kept off the outcome's enumerable fields so that code that
        // serializes an outcome does not copy them.
        if (message.playback && message.outcome) Object.defineProperty(message.outcome, 'playback', { value: message.playback });
        job.resolve(message.outcome ?? message.status ?? message.result);
    }
  }

  #request(message, callbacks = {}) {
    const job = this.#nextJob++;
    return new Promise((resolve, reject) => {
      this.#jobs.set(job, { resolve, reject, ...callbacks });
      this.#worker.postMessage({ ...message, job });
    });
  }

  /**
   * Runs a lesson. Parameters are validated by the engine; anything changed is listed in
   * `outcome.notices`. Rejects with an Error whose message says what went wrong (unknown lesson,
   * threads unavailable, …).
   * @param {string} lesson  a lesson id, e.g. 'counter'
   * @param {object} params  e.g. { threads: 4, increments: 1000000 }
   * @param {{ onStarted?: Function, onProgress?: Function }} callbacks
   */
  run(lesson, params = {}, callbacks = {}) {
    const result = this.#queue.then(() => this.#request({ type: 'run', request: { lesson, params } }, callbacks));
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Live counts: thread workers started and busy, process workers alive, wasm memory in bytes. */
  status() {
    return this.#request({ type: 'status' });
  }

  /** Sums 0..n on the rayon pool; reports how many pool threads took part. */
  rayonProbe(n = 1 << 20) {
    return this.#request({ type: 'rayon_probe', n });
  }

  #threadWorkers = [];

  /** Thread workers the runtime asked for (Firefox only: see SPAWN_THREADS_ON_PAGE). */
  #spawnThreads({ from, to, module, memory }) {
    for (let index = from; index < to; index++) {
      const worker = new Worker(new URL('./runtime/thread-worker.js', import.meta.url), { type: 'module', name: `thread-worker-${index}` });
      worker.onerror = (e) => console.error(`thread worker ${index} failed to start: ${e.message}`);
      worker.postMessage({ module, memory, index });
      this.#threadWorkers.push(worker);
    }
  }

  /** Stops the runtime and every worker it started. */
  terminate() {
    for (const worker of this.#threadWorkers.splice(0)) worker.terminate();
    this.#worker.terminate();
    for (const job of this.#jobs.values()) job.reject(new Error('the playground was stopped'));
    this.#jobs.clear();
  }
}

/** In Firefox a worker that creates workers can block forever in `new Worker()` while the workers it made
 *  before are blocked on shared memory (Firefox ESR 153; not in Chromium). There the page, whose `new Worker()`
 *  does not block, creates the thread workers for the runtime. */
const SPAWN_THREADS_ON_PAGE = /\bFirefox\//.test(globalThis.navigator?.userAgent ?? '');

/** Starts the runtime worker and resolves when the engine is ready. */
export async function createPlayground() {
  const worker = new Worker(new URL('./runtime/runtime-worker.js', import.meta.url), { type: 'module', name: 'runtime' });
  const ready = await new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === 'ready') resolve(data);
      else if (data.type === 'failed') reject(new Error(`the engine failed to start: ${data.error}`));
    };
    worker.onerror = (e) => reject(new Error(`the engine failed to start: ${e.message || 'worker error'}`));
    worker.postMessage({ type: 'boot', threads: isolation().threads, spawnThreadsOnPage: SPAWN_THREADS_ON_PAGE });
  });
  return new Playground(worker, ready);
}
