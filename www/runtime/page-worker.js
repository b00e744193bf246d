// The runtime's side of ../worker-host.js: in Firefox a worker's `new Worker()` can block forever while its
// other workers wait on shared memory, so there the runtime asks the page to create its workers. A
// PageWorker looks like a Worker to the code that uses it (postMessage, terminate, onmessage/onerror,
// addEventListener — wasm-bindgen-rayon's pool uses the latter) while the page holds the real one.

// The relay's messages are Rust types (src/protocol/messages.rs); tsc checks this file against them.
/** @typedef {import('../types/generated/HostRequest').HostRequest} HostRequest */
/** @typedef {import('../types/generated/HostEvent').HostEvent} HostEvent */
/** @param {HostRequest} request @param {Transferable[]} [transfer] */
const ask = (request, transfer = []) => self.postMessage(request, transfer);

let nextId = 1;
const live = new Map(); // wid -> PageWorker

export class PageWorker extends EventTarget {
  #wid = nextId++;
  onmessage = null;
  onerror = null;

  /** @param {string | URL} url @param {WorkerOptions} [options] */
  constructor(url, options = {}) {
    super();
    live.set(this.#wid, this);
    ask({ type: 'worker_create', wid: this.#wid, url: String(url), options: { type: options.type, name: options.name } });
  }

  /** @param {any} message @param {Transferable[] | StructuredSerializeOptions} [transfer] */
  postMessage(message, transfer = []) {
    const list = Array.isArray(transfer) ? transfer : (transfer?.transfer ?? []);
    ask({ type: 'worker_post', wid: this.#wid, message, transfer: list }, list);
  }

  terminate() {
    if (!live.delete(this.#wid)) return;
    ask({ type: 'worker_terminate', wid: this.#wid });
  }

  /** A message the page relayed from the real worker.
   *  @param {Extract<HostEvent, { type: 'worker_message' }>} event */
  static deliver({ wid, data }) {
    const worker = live.get(wid);
    if (!worker) return;
    const event = new MessageEvent('message', { data });
    worker.onmessage?.(event);
    worker.dispatchEvent(event);
  }

  /** The real worker failed (to load, or with an uncaught error).
   *  @param {Extract<HostEvent, { type: 'worker_error' }>} event */
  static fail({ wid, message }) {
    const worker = live.get(wid);
    if (!worker) return;
    const event = new ErrorEvent('error', { message: String(message), cancelable: true });
    worker.onerror?.(event);
    worker.dispatchEvent(event);
  }
}
