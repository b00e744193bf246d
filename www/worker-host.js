// Firefox: the page creates the runtime's workers.
//
// In Firefox (seen with ESR 153; not in Chromium) a worker's `new Worker()` can block forever while workers
// it created earlier are blocked on shared memory (Atomics.wait) — and the runtime's thread workers, its
// rayon pool and a thread lesson's processes are all created while other workers wait. The page's own
// `new Worker()` does not block, so there the runtime asks the page to create every worker it needs
// (runtime/page-worker.js is the runtime's side) and the page relays messages both ways:
//
//   runtime → page:  worker_create, worker_post, worker_terminate (HostRequest in src/protocol/messages.rs)
//   page → runtime:  worker_message, worker_error (HostEvent there)

/** @typedef {import('./types/generated/HostRequest').HostRequest} HostRequest */
/** @typedef {import('./types/generated/HostEvent').HostEvent} HostEvent */
/** @param {Worker} worker @param {HostEvent} event */
const relay = (worker, event) => worker.postMessage(event);

/** Whether the page creates the runtime's workers (Firefox only: Chromium does not need the detour). */
export const PAGE_CREATES_WORKERS = /\bFirefox\//.test(globalThis.navigator?.userAgent ?? '');

/** The workers one runtime worker asked the page for. */
export class WorkerHost {
  #runtime;
  #workers = new Map(); // wid -> Worker

  constructor(runtime) {
    this.#runtime = runtime;
  }

  /** Handles a `worker_*` message from the runtime; false for any other message.
   *  @param {any} message anything the worker posted */
  handle(message) {
    const data = /** @type {HostRequest} */ (message);
    switch (data?.type) {
      case 'worker_create': this.#create(data); return true;
      case 'worker_post': {
        const worker = this.#workers.get(data.wid)?.worker;
        // Buffers the runtime transferred to the page (listed in `transfer`) go on to the worker the same way.
        worker?.postMessage(data.message, Array.isArray(data.transfer) ? data.transfer : []);
        return true;
      }
      case 'worker_terminate':
        this.#end(data.wid);
        return true;
      default: return false;
    }
  }

  /** @param {Extract<HostRequest, { type: 'worker_create' }>} request */
  #create({ wid, url, options }) {
    const target = new URL(url, location.href);
    // Only the playground's own scripts (the runtime is our code, but a page never runs what it is handed).
    if (target.origin !== location.origin) {
      relay(this.#runtime, { type: 'worker_error', wid, message: `refused to start a worker from ${target.origin}` });
      return;
    }
    const worker = new Worker(target, { type: options?.type === 'module' ? 'module' : 'classic', name: String(options?.name ?? '') });
    // A worker made here may ask for workers of its own (a Python child process for its threads): the
    // page makes those too, and relays between the two.
    const nested = new WorkerHost(worker);
    this.#workers.set(wid, { worker, nested });
    worker.onmessage = ({ data }) => {
      if (nested.handle(data)) return;
      relay(this.#runtime, { type: 'worker_message', wid, data });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      relay(this.#runtime, { type: 'worker_error', wid, message: e.message || 'worker error' });
    };
  }

  #end(wid) {
    const entry = this.#workers.get(wid);
    if (!entry) return;
    entry.nested.terminateAll();
    entry.worker.terminate();
    this.#workers.delete(wid);
  }

  /** Ends every worker at once (the runtime is being terminated or replaced). */
  terminateAll() {
    for (const wid of [...this.#workers.keys()]) this.#end(wid);
  }

  get size() {
    return this.#workers.size;
  }
}
