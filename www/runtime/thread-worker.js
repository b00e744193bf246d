// A thread worker: joins the runtime's wasm memory, then waits for jobs forever (inside Rust, really
// blocked on the shared memory). It never returns to its event loop, unless a job panics: the build aborts
// on panic, so the panic hook records it for the run (src/engine/fault.rs) and this instance traps. The
// worker then tells the runtime, which terminates it and starts a replacement.
import init, { thread_worker_main } from '../../pkg/playground.js';

// The messages are Rust types (src/protocol/messages.rs); tsc checks this file against their declarations.
/** @typedef {import('../types/generated/ThreadWorkerStart').ThreadWorkerStart} ThreadWorkerStart */
/** @typedef {import('../types/generated/ThreadWorkerToRuntime').ThreadWorkerToRuntime} ThreadWorkerToRuntime */
/** @param {ThreadWorkerToRuntime} message */
const post = (message) => self.postMessage(message);

self.onmessage = async (/** @type {MessageEvent<ThreadWorkerStart>} */ { data: { module, memory, index } }) => {
  const exports = await init({ module_or_path: module, memory });
  post({ type: 'ready', index });
  try {
    thread_worker_main(index);
  } catch (error) {
    // Give this thread's stack and thread-local storage back to the shared memory before the worker goes.
    try { exports.__wbindgen_thread_destroy(); } catch { /* the runtime replaces the worker either way */ }
    post({ type: 'died', index, error: String(error?.message ?? error).slice(0, 500) });
  }
};
