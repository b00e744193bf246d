// A thread worker of the Python runtime: joins its shared memory with a stack big enough for RustPython's
// guard (see THREAD_STACK_BYTES in python/src/interpreter.rs), then runs Python threads forever (inside
// Rust, really blocked on the shared memory between jobs). A panic traps this instance: the runtime is
// told and the run ends (see python-worker.js).
import init, { thread_worker_main, mp_attach_segment } from '../../pkg-python/playground_python.js';

// The messages are Rust types (python/src/protocol.rs, src/protocol/messages.rs); tsc checks them.
/** @typedef {import('../types/generated/PythonThreadWorkerStart').PythonThreadWorkerStart} PythonThreadWorkerStart */
/** @typedef {import('../types/generated/ThreadWorkerToRuntime').ThreadWorkerToRuntime} ThreadWorkerToRuntime */
/** @param {ThreadWorkerToRuntime} message */
const post = (message) => self.postMessage(message);

self.onmessage = async (/** @type {MessageEvent<PythonThreadWorkerStart>} */ { data: { module, memory, segment, index, stackBytes } }) => {
  const exports = await init({ module_or_path: module, memory, thread_stack_size: stackBytes });
  mp_attach_segment(segment); // the memory every process maps, under Value and Array (python/src/mp/shared.rs)
  post({ type: 'ready', index });
  try {
    thread_worker_main(index);
  } catch (error) {
    try { exports.__wbindgen_thread_destroy(); } catch { /* the runtime replaces this worker either way */ }
    post({ type: 'died', index, error: String(error?.message ?? error).slice(0, 500) });
  }
};
