// The page's side of the Python runtime: a separate, large artifact (RustPython linked with the engine),
// loaded the first time code runs, with progress. One program runs at a time; a program that does not stop
// when asked (an endless loop never waits, so it cannot notice) is ended by terminating the runtime's
// workers, and the next run starts a fresh runtime (the compiled module stays in the browser's cache).
import { PAGE_CREATES_WORKERS, WorkerHost } from '../worker-host.js';
import { GRACE_MS, clampTimeLimit } from '../watchdog.js';
import { canShareMemory } from '../protocol.js';

// The messages are Rust enums (python/src/protocol.rs); tsc checks this file against their declarations.
/** @typedef {import('../types/generated/ToPythonWorker').ToPythonWorker} ToPythonWorker */
/** @typedef {import('../types/generated/FromPythonWorker').FromPythonWorker} FromPythonWorker */
/** @typedef {import('../types/generated/PythonOutcome').PythonOutcome} PythonOutcome */
/** @param {Worker} worker @param {ToPythonWorker} message */
const send = (worker, message) => worker.postMessage(message);

const now = () => performance.timeOrigin + performance.now();
const SHUTDOWN_MS = 100;
/** CPython's default switch interval (sys.getswitchinterval() = 0.005), and the longest `runPython` takes. */
const DEFAULT_SWITCH_INTERVAL_MS = 5;
const MAX_SWITCH_INTERVAL_MS = 1000;

function startWorker(onLoad) {
  const worker = new Worker(new URL('./python-worker.js', import.meta.url), { type: 'module', name: 'python-runtime' });
  const host = PAGE_CREATES_WORKERS ? new WorkerHost(worker) : null;
  const ready = new Promise((resolve, reject) => {
    worker.onmessage = (/** @type {MessageEvent<FromPythonWorker>} */ { data }) => {
      if (host?.handle(data)) return;
      if (data.type === 'load') onLoad?.({ loaded: data.loaded, total: data.total });
      else if (data.type === 'ready') resolve(data);
      else if (data.type === 'failed' || data.type === 'fatal') reject(new Error(`the Python runtime failed to start: ${data.error}`));
    };
    worker.onerror = (e) => reject(new Error(`the Python runtime failed to start: ${e.message || 'worker error'}`));
  });
  send(worker, { type: 'boot', job: 0, pageCreatesWorkers: host !== null, threads: canShareMemory() });
  return { worker, host, ready };
}

/** The outcome in the shape `runPython` documents (and `playground:outcome` carries as `python`).
 *  @param {PythonOutcome} o */
function resultOf(o, run) {
  return {
    output: o.output, lanes: o.lanes, events: o.events, messages: o.messages, dropped_messages: o.dropped_messages,
    exitCode: o.exit_code, exception: o.exception,
    duration_ms: o.duration_ms, started_at: o.started_at, finished_at: o.finished_at,
    stopped: o.stopped ?? null, deadlock: o.deadlock ?? null, dropped_output_lines: o.dropped_output_lines,
    dropped_events: o.dropped_events, threads_left: o.threads_left, restarted: false, check: o.check ?? null,
    pythonBuild: o.python_build.build, gil: o.python_build.build === 'gil' ? o.gil : null,
    stop_ms: run.stop ? performance.now() - run.stop.at : null,
  };
}
/** @typedef {ReturnType<typeof resultOf>} CodeResult */

export class PythonRuntime {
  #worker = null;
  #host = null;
  #ready = null;
  #current = null;
  #nextJob = 1;
  /** How the runtime last loaded: bytes, ms to download and compile, ms until ready. */
  info = null;
  restarts = 0;

  /** Loads the runtime if it is not loaded yet; `onLoad({ loaded, total })` reports the download. */
  load(onLoad) {
    if (!this.#ready) {
      const started = startWorker(onLoad);
      this.#worker = started.worker;
      this.#host = started.host;
      this.#ready = started.ready.then((ready) => {
        this.info = { bytes: ready.bytes, load_ms: ready.load_ms, ready_ms: ready.ready_ms, limits: ready.limits, solo: ready.solo, processes: ready.processes };
        this.#worker.onmessage = ({ data }) => this.#receive(data);
        this.#worker.onerror = (e) => { e.preventDefault?.(); this.#fail(`the Python runtime stopped (${e.message || 'worker error'})`); };
        return this.info;
      });
      this.#ready.catch(() => { this.#discard(); });
    }
    return this.#ready;
  }

  get loaded() {
    return this.info !== null && this.#worker !== null;
  }

  /**
   * Runs a program to its end. Resolves with `{ output, lanes, events, exitCode, exception, duration_ms,
   * stopped, ... }` (see README, "Your own Python"); rejects only when the runtime cannot start.
   * @param {string} source
   * @param {{ timeLimitS?: number, onProgress?: Function, onLoad?: Function, gil?: boolean,
   *   switchIntervalMs?: number, check?: any }} [options]
   */
  async run(source, { timeLimitS, onProgress, onLoad, gil = true, switchIntervalMs = DEFAULT_SWITCH_INTERVAL_MS, check = null } = {}) {
    if (typeof gil !== 'boolean') throw new Error('runPython: gil must be true (CPython with the GIL) or false (free-threaded)');
    if (typeof switchIntervalMs !== 'number' || !(switchIntervalMs > 0 && switchIntervalMs <= MAX_SWITCH_INTERVAL_MS)) {
      throw new Error(`runPython: switchIntervalMs must be a number of milliseconds above 0 and at most ${MAX_SWITCH_INTERVAL_MS}`);
    }
    await this.load(onLoad);
    const limit = clampTimeLimit(timeLimitS);
    return new Promise((resolve) => {
      const job = this.#nextJob++;
      const run = {
        job, startedAt: now(), stop: null, timers: [], lanes: new Map(), events: [], output: [], messages: [], onProgress, gil,
        settle: (outcome) => {
          run.timers.forEach(clearTimeout);
          if (this.#current === run) this.#current = null;
          resolve(outcome);
        },
      };
      this.#current = run;
      run.timers.push(setTimeout(() => this.stop(`Stopped: the program reached its time limit of ${limit.seconds} s.`), limit.seconds * 1000));
      send(this.#worker, { type: 'run', job, source, gil, switchIntervalMs, check });
    });
  }

  /** Asks the running program to stop; if it is still running GRACE_MS later, the runtime is restarted. */
  stop(reason) {
    const run = this.#current;
    if (!run) return false;
    if (run.stop) return true;
    const text = typeof reason === 'string' && reason ? reason.slice(0, 300)
      : `Stopped by you after ${((now() - run.startedAt) / 1000).toFixed(1)} s.`;
    run.stop = { at: performance.now(), reason: text };
    if (this.#worker) send(this.#worker, { type: 'stop', reason: text });
    run.timers.push(setTimeout(() => { if (this.#current === run) this.#hardStop(run); }, GRACE_MS));
    return true;
  }

  /** @param {FromPythonWorker} data */
  #receive(data) {
    if (this.#host?.handle(data)) return;
    const run = this.#current;
    if (data.type === 'fatal') {
      this.#fail(data.error);
      return;
    }
    if (!run || !('job' in data) || data.job !== run.job) return;
    if (data.type === 'progress') {
      for (const lane of data.lanes) run.lanes.set(lane.id, lane);
      // As many as the runtime streams and keeps (its limits, sent when it was ready).
      const { max_live_events: liveEvents, max_output_lines: outputLines } = this.info.limits;
      if (run.events.length < liveEvents) run.events.push(...data.events);
      if (run.output.length < outputLines) run.output.push(...data.output);
      if (run.messages.length < liveEvents) run.messages.push(...data.messages);
      run.onProgress?.({ lanes: data.lanes, events: data.events, output: data.output, messages: data.messages });
    } else if (data.type === 'finished') {
      run.settle(resultOf(data.outcome, run));
      if (data.restart) this.#restart();
    } else if (data.type === 'failed') {
      run.settle(this.#madeUp(run, data.error, null));
    }
  }

  /** @returns {CodeResult} */
  #madeUp(run, stopped, exception) {
    return {
      output: run.output, lanes: [...run.lanes.values()], events: run.events, messages: run.messages, dropped_messages: 0,
      exitCode: 1, exception,
      duration_ms: now() - run.startedAt, started_at: run.startedAt, finished_at: now(), stopped,
      deadlock: null, dropped_output_lines: 0, dropped_events: 0, threads_left: 0, restarted: true, check: null,
      pythonBuild: run.gil ? 'gil' : 'free_threaded', gil: null,
      stop_ms: run.stop ? performance.now() - run.stop.at : null,
    };
  }

  #hardStop(run) {
    const reason = this.info?.solo && !this.info.processes
      ? `${run.stop.reason} On a page that is not cross-origin isolated, in a browser that cannot suspend WebAssembly, a running program cannot be asked to stop (nothing can reach it while it runs), so it was ended and the Python runtime restarted.`
      : `${run.stop.reason} The program did not stop by itself (code that never waits, such as \`while True: pass\`, cannot notice a stop), so its threads were ended and the Python runtime restarted.`;
    run.settle(this.#madeUp(run, reason, null));
    this.#restart();
  }

  #fail(reason) {
    const run = this.#current;
    if (run) run.settle(this.#madeUp(run, `The program could not finish: ${reason}. The Python runtime was restarted.`, null));
    this.#restart();
  }

  #discard() {
    const old = this.#worker;
    this.#host?.terminateAll();
    this.#host = null;
    this.#worker = null;
    this.#ready = null;
    this.info = null;
    if (!old) return;
    old.onerror = null;
    const kill = setTimeout(() => old.terminate(), SHUTDOWN_MS);
    old.onmessage = (/** @type {MessageEvent<FromPythonWorker>} */ { data }) => { if (data.type === 'shutdown') { clearTimeout(kill); old.terminate(); } };
    try { send(old, { type: 'shutdown', job: 0 }); } catch { old.terminate(); }
  }

  /** Ends the runtime and its workers; the next run (or load) starts a fresh one. */
  #restart() {
    this.restarts += 1;
    this.#discard();
    this.load();
  }

  terminate() {
    this.#host?.terminateAll();
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = null;
  }
}
