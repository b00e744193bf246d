// The root Python runtime's child processes: each is another Python runtime worker (./python-worker.js
// booted as a child) with an instance and a memory of its own. This side starts and ends them as the
// kernel asks (python/src/mp/kernel.rs), posts the kernel's replies to them, and hands their calls,
// lanes, output and exits to the kernel. What crosses is typed in python/src/mp/protocol.rs; pickles
// travel as transferred Uint8Arrays beside it. On a page that is not cross-origin isolated there is no
// shared segment (`segment` is null): the children are booted solo too, and `onMessage` resumes the root's
// suspended program after each message, so its wait looks again (python/src/solo/mod.rs).

// A child stopped by Stop, the time limit or the end of the run exits as p.terminate() makes it: -15.
const TERMINATED = -15;

// The messages are Rust enums (python/src/protocol.rs, mp/protocol.rs); tsc checks this file against them.
/** @typedef {import('../types/generated/ToPythonWorker').ToPythonWorker} ToPythonWorker */
/** @typedef {import('../types/generated/FromPythonWorker').FromPythonWorker} FromPythonWorker */
/** @typedef {import('../types/generated/KernelRequest').KernelRequest} KernelRequest */
/** @param {Worker} worker @param {ToPythonWorker} message @param {Transferable[]} [transfer] */
const send = (worker, message, transfer = []) => worker.postMessage(message, transfer);

export class ChildProcesses {
  #wasm;
  #WorkerClass;
  #compiled;
  #segment;
  #onFatal;
  #onMessage;
  #children = new Map(); // pid -> Worker

  /** @param {{ wasm: any, WorkerClass: typeof Worker, compiled: WebAssembly.Module, segment: SharedArrayBuffer | null,
   *    onFatal: (error: string) => void, onMessage?: () => void }} options */
  constructor({ wasm, WorkerClass, compiled, segment, onFatal, onMessage = () => {} }) {
    this.#wasm = wasm;
    this.#WorkerClass = WorkerClass;
    this.#compiled = compiled;
    this.#segment = segment;
    this.#onFatal = onFatal;
    this.#onMessage = onMessage;
  }

  get size() {
    return this.#children.size;
  }

  /** Does what the kernel asked since the last call: start or end children, send replies. */
  serve() {
    /** @type {{ message: KernelRequest, data?: Uint8Array }[]} */
    const requests = this.#wasm.mp_take_requests();
    for (const { message, data } of requests) {
      if (message.kind === 'spawn') this.#start(message.start, data);
      else if (message.kind === 'kill') this.#end(message.pid, message.code);
      else if (message.kind === 'reply') {
        const worker = this.#children.get(message.pid);
        if (worker) send(worker, { type: 'mp_reply', req: message.req, reply: message.reply, data }, data ? [data.buffer] : []);
      }
    }
    return this.#wasm.mp_tick();
  }

  #start(start, payload) {
    const worker = new this.#WorkerClass(new URL('./python-worker.js', import.meta.url), { type: 'module', name: start.name });
    this.#children.set(start.pid, worker);
    worker.onmessage = ({ data }) => this.#receive(start.pid, data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.#crashed(start.pid, `it could not start (${e.message || 'worker error'})`);
    };
    send(worker, { type: 'boot_child', module: this.#compiled, start, payload, segment: this.#segment, pageCreatesWorkers: this.#WorkerClass !== Worker },
      payload ? [payload.buffer] : []);
  }

  /** @param {number} pid @param {FromPythonWorker} data what the child's runtime worker posted */
  #receive(pid, data) {
    try {
      if (data.type === 'mp_call') this.#wasm.mp_remote_call(pid, data.req, data.lane, data.call, data.data);
      else if (data.type === 'child_progress') this.#wasm.mp_child_progress(pid, data.progress);
      else if (data.type === 'child_exit') this.#end(pid, data.code, false);
      else if (data.type === 'fatal' || data.type === 'failed') this.#crashed(pid, data.error);
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) this.#onFatal(error.message);
      else throw error;
    }
    this.#onMessage();
  }

  /** A child whose instance failed: its exit code is 1, as a crashed process's, and the output says why. */
  #crashed(pid, why) {
    if (!this.#children.has(pid)) return;
    this.#wasm.mp_child_crashed(pid, String(why ?? 'unknown error').slice(0, 500));
    this.#end(pid, 1);
  }

  #end(pid, code, terminate = true) {
    const worker = this.#children.get(pid);
    if (!worker) return;
    this.#children.delete(pid);
    // The child ends its own thread workers first (nested workers can outlive a terminated parent).
    send(worker, { type: 'shutdown', job: 0 });
    setTimeout(() => worker.terminate(), terminate ? 50 : 200);
    this.#wasm.mp_exited(pid, code);
    this.#onMessage();
  }

  /** Ends every child still running (the run is over or stopped). */
  endAll() {
    for (const pid of [...this.#children.keys()]) this.#end(pid, TERMINATED);
    for (const pid of this.#wasm.mp_running()) this.#wasm.mp_exited(pid, TERMINATED);
  }
}
