// The one programmatic entry point: the UI, the tests, and later embeds and the benchmark all use it.
//
//   import { createPlayground } from './www/playground.js';
//   const playground = await createPlayground();
//   const outcome = await playground.run('counter', { threads: 4, increments: 1_000_000 },
//                                        { onProgress: ({ output }) => console.log(output), timeLimitS: 60 });
//   outcome.values    // the lesson's measurements
//   outcome.events    // state changes of every thread and process, on one clock (ms since the epoch)
//   playground.stop() // ends the running lesson: outcome.stopped says why
//
// Runs are queued: one runs at a time, in the order asked. Every run has a time limit (www/watchdog.js);
// a run that does not stop when asked is ended by terminating its workers, and a fresh engine starts.
import { THREADS_UNAVAILABLE, canShareMemory } from './protocol.js';
import { GRACE_MS, checkRequest, clampTimeLimit } from './watchdog.js';
import { PAGE_CREATES_WORKERS, WorkerHost } from './worker-host.js';
import { PythonRuntime } from './python/python-runtime.js';

// The messages to and from the runtime worker are Rust enums (src/protocol/messages.rs); `cargo test`
// writes their TypeScript declarations, which `tsc --checkJs` (scripts/test.sh) checks this file against.
/** @typedef {import('./types/generated/PageToRuntime').PageToRuntime} PageToRuntime */
/** @typedef {import('./types/generated/RuntimeToPage').RuntimeToPage} RuntimeToPage */
/** @typedef {Extract<RuntimeToPage, { type: 'ready' }>} Ready */
/** A request as `#request` takes it: the job is numbered there. */
/** @typedef {PageToRuntime extends infer M ? M extends { job: number } ? Omit<M, 'job'> : never : never} JobRequest */

/** Posts one request to the runtime worker.
 *  @param {Worker} worker @param {PageToRuntime} message */
const send = (worker, message) => worker.postMessage(message);

/** Whether this page can run thread lessons, and if not, why. */
export function isolation() {
  const threads = canShareMemory();
  return { threads, reason: threads ? null : THREADS_UNAVAILABLE };
}

const now = () => performance.timeOrigin + performance.now();
/** How long a runtime being replaced gets to terminate its own workers before it is terminated. */
const SHUTDOWN_MS = 100;

/** Starts a runtime worker and resolves with it once its engine is ready. `host` creates the runtime's
 *  workers in Firefox (null elsewhere). */
async function startEngine() {
  const worker = new Worker(new URL('./runtime/runtime-worker.js', import.meta.url), { type: 'module', name: 'runtime' });
  const host = PAGE_CREATES_WORKERS ? new WorkerHost(worker) : null;
  try {
    /** @type {Ready} */
    const ready = await new Promise((resolve, reject) => {
      worker.onmessage = (/** @type {MessageEvent<RuntimeToPage>} */ { data }) => {
        if (host?.handle(data)) return;
        if (data.type === 'ready') resolve(data);
        else if (data.type === 'failed' || data.type === 'fatal') reject(new Error(`the engine failed to start: ${data.error}`));
      };
      worker.onerror = (e) => reject(new Error(`the engine failed to start: ${e.message || 'worker error'}`));
      send(worker, { type: 'boot', threads: isolation().threads, pageCreatesWorkers: host !== null });
    });
    return { worker, ready, host };
  } catch (error) {
    host?.terminateAll();
    worker.terminate();
    throw error;
  }
}

export class Playground {
  #worker;
  #jobs = new Map();
  #nextJob = 1;
  #queue = Promise.resolve();
  /** Resolves when the current engine is ready (a new one after a restart). */
  #engine = Promise.resolve();
  /** The run in progress: its job, what it streamed so far, its timers. */
  #current = null;
  /** How many times the engine was restarted, and how long the last restart took (ms). */
  #restarts = { count: 0, lastMs: null };

  /** Firefox: the workers the page created for the current runtime (see worker-host.js); else null. */
  #host = null;
  /** The Python runtime for learner code: a separate artifact, loaded on first use. */
  #python = null;

  constructor(worker, ready, host) {
    this.#attach(worker, ready, host);
  }

  /** @param {Worker} worker @param {Ready} ready @param {WorkerHost | null} host */
  #attach(worker, ready, host) {
    this.#worker = worker;
    this.#host = host ?? null;
    /** The lessons (id, title, group, engine, summary, python, params, question). */
    this.lessons = ready.lessons;
    /** The parameters of learner code (`runPython`): the Python build and its switch interval. */
    this.codeParams = ready.codeParams;
    /** The built-in fix-it challenges on code (src/challenges/builtin/). */
    this.challenges = ready.challenges;
    /** True when thread lessons can run here. */
    this.threads = ready.threads;
    this.threadsUnavailableReason = ready.threads ? null : THREADS_UNAVAILABLE;
    this.cores = ready.cores;
    this.rayonThreads = ready.rayonThreads;
    /** Events a run streams live, and printed lines it keeps (the engine's trace limits). */
    this.maxLiveEvents = ready.maxLiveEvents;
    this.maxOutputLines = ready.maxOutputLines;
    worker.onmessage = ({ data }) => this.#receive(data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.#fail(`the engine stopped with an error (${e.message || 'worker error'})`);
    };
  }

  /** @param {RuntimeToPage} message */
  #receive(message) {
    if (this.#host?.handle(message)) return;
    if (message.type === 'fatal') {
      this.#fail(`the engine hit an internal error (${message.error})`);
      return;
    }
    const job = this.#jobs.get('job' in message ? message.job : undefined);
    if (!job) return;
    switch (message.type) {
      case 'started': job.onStarted?.(message.prepared); break;
      case 'progress': job.onProgress?.({ lanes: message.lanes, events: message.events, output: message.output }); break;
      case 'stopping': break;
      case 'failed': this.#jobs.delete(message.job); job.reject(new Error(message.error)); break;
      case 'finished':
        this.#jobs.delete(message.job);
        // Binary attachments (the frames lab's clips), kept off the outcome's enumerable fields so that code
        // that serializes an outcome (JSON, the embed's events) does not copy them.
        Object.defineProperty(message.outcome, 'attachments', { value: message.outcome.attachments, enumerable: false });
        job.resolve(message.outcome);
        // Threads of the finished run that would not stop: start clean rather than carry them along.
        if (message.restart) this.#restart();
        break;
      case 'validated': this.#jobs.delete(message.job); job.resolve(message.prepared); break;
      case 'status': this.#jobs.delete(message.job); job.resolve(message.status); break;
      case 'probe': case 'challenge': case 'summary': this.#jobs.delete(message.job); job.resolve(message.result); break;
      default: break; // 'ready' and 'shutdown' name no job of this engine
    }
  }

  /** @param {JobRequest} message @param {{ onStarted?: Function, onProgress?: Function }} [callbacks] */
  #request(message, callbacks = {}) {
    const job = this.#nextJob++;
    return new Promise((resolve, reject) => {
      this.#jobs.set(job, { resolve, reject, ...callbacks });
      try {
        send(this.#worker, /** @type {PageToRuntime} */ ({ ...message, job }));
      } catch (error) {
        this.#jobs.delete(job);
        reject(new Error(`cannot send the request: ${error.message}`));
      }
    });
  }

  /**
   * Runs a lesson. Parameters are validated by the engine; anything changed is listed in
   * `outcome.notices`. Rejects with an Error whose message says what went wrong (unknown lesson,
   * threads unavailable, a request that cannot fit in memory, …). A stopped run resolves with
   * `outcome.stopped` (why) and `outcome.error` set, and no values.
   * @param {string} lesson  a lesson id, e.g. 'counter'
   * @param {object} params  e.g. { threads: 4, increments: 1000000 }
   * @param {{ onStarted?: Function, onProgress?: Function, timeLimitS?: number }} options
   */
  run(lesson, params = {}, options = {}) {
    let request;
    try {
      request = checkRequest(lesson, params);
    } catch (error) {
      return Promise.reject(error);
    }
    const opts = options !== null && typeof options === 'object' ? options : {};
    const limit = clampTimeLimit(opts.timeLimitS);
    const result = this.#queue.then(() => this.#engine).then(() => this.#runNow(request, opts, limit));
    this.#queue = result.catch(() => {});
    return result;
  }

  #runNow(request, opts, limit) {
    return new Promise((resolve, reject) => {
      const run = {
        request, prepared: null, startedAt: now(), stop: null, timers: [],
        lanes: new Map(), events: [], output: [], resolve, reject,
      };
      const finish = () => {
        run.timers.forEach(clearTimeout);
        if (this.#current === run) this.#current = null;
      };
      run.settle = (outcome) => { finish(); resolve(outcome); };
      run.fail = (error) => { finish(); reject(error); };
      this.#current = run;
      run.timers.push(setTimeout(() => this.stop(`Stopped: the run reached its time limit of ${limit.seconds} s.`), limit.seconds * 1000));
      const notice = limit.notice;
      this.#request({ type: 'run', request }, {
        onStarted: (prepared) => {
          if (notice) prepared.notices = [notice, ...prepared.notices];
          run.prepared = prepared;
          opts.onStarted?.(prepared);
        },
        onProgress: (progress) => {
          for (const lane of progress.lanes) run.lanes.set(lane.id, lane);
          if (run.events.length < this.maxLiveEvents) run.events.push(...progress.events);
          if (run.output.length < this.maxOutputLines) run.output.push(...progress.output);
          opts.onProgress?.(progress);
        },
      }).then((outcome) => {
        if (notice) outcome.notices = [notice, ...outcome.notices];
        if (run.stop) outcome.stop_ms = performance.now() - run.stop.at;
        run.settle(outcome);
      }, run.fail);
    });
  }

  /** The Python runtime (not loaded until `loadPython` or `runPython` is called). */
  get python() {
    this.#python ??= new PythonRuntime();
    return this.#python;
  }

  /** Loads the Python runtime now (it is large: about 10 MB compressed); `onLoad({ loaded, total })`. */
  loadPython(onLoad) {
    return this.python.load(onLoad);
  }

  /**
   * Runs a Python program in a real interpreter (RustPython) whose threads are the engine's threads.
   * Queued with `run()`: one program or lesson at a time. Resolves with `{ output: [{ t, lane, stream,
   * text }], lanes, events, messages: [{ from, to, sent_at, received_at, bytes, via }], exitCode,
   * exception: null | { type, message, traceback, line }, duration_ms, stopped }` (and a few more fields:
   * README, "Your own Python").
   * @param {string} source the program
   * `gil` (default true) runs it as CPython with its GIL, emulated (`sys._is_gil_enabled()` is True, one
   * thread runs Python code at a time, `switchIntervalMs` is `sys.getswitchinterval()`); false runs it
   * free-threaded, like CPython 3.13t. The result says which (`pythonBuild`) and what the GIL did (`gil`).
   * `check` (a challenge's check) has each run judged as it ends (the result's `check`).
   * On a page that is not cross-origin isolated the program runs on the runtime worker (python/src/solo/mod.rs):
   * starting a thread raises RuntimeError saying why; where the browser can suspend WebAssembly (JSPI) its
   * processes run (each a solo runtime of its own) and Stop reaches it, elsewhere starting a process raises
   * RuntimeError too and Stop ends it by restarting the runtime.
   * @param {{ timeLimitS?: number, onProgress?: Function, onLoad?: Function, gil?: boolean, switchIntervalMs?: number,
   *   check?: import('./types/generated/Check').Check }} options
   */
  runPython(source, options = {}) {
    if (typeof source !== 'string') return Promise.reject(new Error('runPython needs the program as a string'));
    const opts = options !== null && typeof options === 'object' ? options : {};
    const result = this.#queue.then(() => this.python.run(source, opts));
    this.#queue = result.catch(() => {});
    return result;
  }

  /**
   * Stops the running lesson (the Stop button; the time limit calls it too). Threads stop cooperatively,
   * processes are terminated; a run still going GRACE_MS later is ended by restarting the engine.
   * Returns whether a run was going on.
   * @param {string} [reason] the message the outcome carries
   */
  stop(reason) {
    if (this.#python?.stop(reason)) return true;
    const run = this.#current;
    if (!run) return false;
    if (run.stop) return true;
    const text = typeof reason === 'string' && reason
      ? reason.slice(0, 300)
      : `Stopped by you after ${((now() - run.startedAt) / 1000).toFixed(1)} s.`;
    run.stop = { at: performance.now(), reason: text };
    try {
      send(this.#worker, { type: 'stop', reason: text });
    } catch { /* the restart below ends it */ }
    run.timers.push(setTimeout(() => { if (this.#current === run) this.#hardStop(run); }, GRACE_MS));
    return true;
  }

  /** The run did not end when asked: end it by terminating the workers, and start a fresh engine. */
  #hardStop(run, why) {
    const reason = why ?? `${run.stop.reason} It did not stop by itself (code that never waits, such as an endless loop, cannot notice a stop), so its workers were terminated and the engine restarted.`;
    const outcome = {
      lesson: run.request.lesson, params: run.prepared?.params ?? {}, notices: run.prepared?.notices ?? [],
      error: reason, stopped: reason, restarted: true, values: null,
      lanes: [...run.lanes.values()], events: run.events, output: run.output, dropped_events: 0, exceptions: [],
      started_at: run.startedAt, finished_at: now(), stop_ms: run.stop ? performance.now() - run.stop.at : null,
    };
    run.settle(outcome);
    this.#restart(); // rejects what else waited for the old engine's replies
  }

  /** The engine failed: end the current run with the reason, and restart. */
  #fail(reason) {
    const run = this.#current;
    if (run) this.#hardStop(run, `The run could not finish: ${reason}. The engine was restarted.`);
    else this.#restart();
  }

  /** Terminates the runtime worker (and so every thread and process worker it started) and starts a new one. */
  #restart() {
    const started = performance.now();
    const old = this.#worker;
    old.onerror = null;
    // Workers the page created for it end at once, here (in Firefox; see worker-host.js).
    this.#host?.terminateAll();
    this.#host = null;
    // The runtime terminates its workers itself when it still can (at once; the browser's own clean-up of
    // a terminated worker's workers takes seconds); then, or after SHUTDOWN_MS, it is terminated.
    const kill = setTimeout(() => old.terminate(), SHUTDOWN_MS);
    old.onmessage = (/** @type {MessageEvent<RuntimeToPage>} */ { data }) => { if (data.type === 'shutdown') { clearTimeout(kill); old.terminate(); } };
    try {
      send(old, { type: 'shutdown' });
    } catch {
      old.terminate();
    }
    for (const job of this.#jobs.values()) job.reject(new Error('the engine was restarted'));
    this.#jobs.clear();
    this.#restarts.count += 1;
    this.#engine = startEngine().then(({ worker, ready, host }) => {
      this.#attach(worker, ready, host);
      this.#restarts.lastMs = performance.now() - started;
    });
    this.#engine.catch(() => {});
  }

  /** Resolves when the engine is ready (after a restart, the new one). */
  ready() {
    return this.#engine;
  }

  /**
   * Validates parameters without running: `{ lesson, params, notices, threads_needed }` as a run would
   * use them. Rejects like `run` for an unknown lesson or a request that cannot fit.
   */
  validate(lesson, params = {}) {
    let request;
    try {
      request = checkRequest(lesson, params);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#engine.then(() => this.#request({ type: 'validate', request }));
  }

  /** Live counts: thread workers started and busy, process workers alive, wasm memory in bytes, restarts. */
  async status() {
    await this.#engine;
    const status = await this.#request({ type: 'status' });
    return {
      ...status, restarts: this.#restarts.count, last_restart_ms: this.#restarts.lastMs, running: this.#current !== null,
      page_workers: this.#host?.size ?? null, // Firefox: the workers the page created for the runtime
    };
  }

  /**
   * Reads a challenge a teacher wrote (JSON text, docs/challenges.md). Rejects with a message that names
   * the field that is wrong.
   */
  parseChallenge(text) {
    if (typeof text !== 'string') return Promise.reject(new Error('a challenge is JSON text'));
    return this.#engine.then(() => this.#request({ type: 'parse_challenge', text: text.slice(0, 1_000_000) }));
  }

  /** The verdict over a check's runs: `{ pass, passed, runs, text }` from each run's `result.check`. */
  summarizeCheck(verdicts) {
    return this.#engine.then(() => this.#request({ type: 'summarize_check', verdicts }));
  }

  /** Sums 0..n on the rayon pool; reports how many pool threads took part. */
  rayonProbe(n = 1 << 20) {
    return this.#engine.then(() => this.#request({ type: 'rayon_probe', n }));
  }

  /** Stops the runtime and every worker it started. */
  terminate() {
    this.#python?.terminate();
    this.#host?.terminateAll();
    this.#worker.terminate();
    this.#current?.fail(new Error('the playground was stopped'));
    for (const job of this.#jobs.values()) job.reject(new Error('the playground was stopped'));
    this.#jobs.clear();
  }
}

/** Starts the runtime worker and resolves when the engine is ready. */
export async function createPlayground() {
  const { worker, ready, host } = await startEngine();
  return new Playground(worker, ready, host);
}
